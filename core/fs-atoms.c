/* fs-atoms.c
 *
 * Every tile is made from one column of W and one row of H, so a gallery
 * costs O((n + m) r + r × tile pixels) however large X is: a rank-one
 * tile is the outer product of the block means of w_k and of h_k, which
 * is the block mean of w_k h_k^T (DESIGN.md section 5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-atoms"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fs-atoms.h"
#include "fs-display.h"

/* The PNG: each tile scaled up by a whole factor to at least this many
 * pixels along its longer side, with GAP pixels between and around the
 * tiles; a profile (one row) is drawn PROFILE_HEIGHT pixels high. */
#define PNG_MIN_TILE 48
#define PNG_GAP 4
#define PNG_PROFILE_HEIGHT 16
#define PNG_BACKGROUND 0xdd

FsAtomsLayout
fs_atoms_layout_for_matrix (const FsMatrix *X)
{
  g_return_val_if_fail (X != NULL, FS_ATOMS_PROFILES);

  if (X->image_height == 0 || X->image_width == 0)
    return FS_ATOMS_PROFILES;
  /* A photo first: a one-row photo also has h × w == cols. */
  if (X->rows == X->image_height && X->cols == X->image_width)
    return FS_ATOMS_RANK_ONE;
  if (X->image_height * X->image_width == X->cols)
    return FS_ATOMS_ROW_IMAGES;
  return FS_ATOMS_PROFILES;
}

guint
fs_atoms_image_shapes (gsize  cols,
                       gsize *heights,
                       gsize *widths,
                       guint  max)
{
  guint n = 0;

  g_return_val_if_fail (max == 0 || (heights != NULL && widths != NULL), 0);

  /* Divisors d <= sqrt (cols) from the largest down give the shapes from
   * the squarest on; of each pair, the taller one first. */
  for (gsize d = (gsize) sqrt ((double) cols) + 1; d >= 2 && n < max; d--)
    {
      gsize q;

      if (d > cols / d || cols % d != 0)
        continue;
      q = cols / d;
      heights[n] = q;
      widths[n++] = d;
      if (q != d && n < max)
        {
          heights[n] = d;
          widths[n++] = q;
        }
    }
  return n;
}

/* Means of n values (stride apart) over out_n blocks of fs_block_bounds. */
static void
vector_block_means (const double *v,
                    gsize         stride,
                    gsize         n,
                    gsize         out_n,
                    double       *out)
{
  for (gsize b = 0; b < out_n; b++)
    {
      gsize first, end;
      double sum = 0.0;

      fs_block_bounds (n, out_n, b, &first, &end);
      for (gsize i = first; i < end; i++)
        sum += v[i * stride];
      out[b] = sum / (double) (end - first);
    }
}

/* The tile's shape: the picture's, shrunk by one factor (so that its
 * aspect ratio stays) until neither side is over max_tile. */
static void
tile_shape (gsize  height,
            gsize  width,
            gsize  max_tile,
            gsize *tile_rows,
            gsize *tile_cols)
{
  gsize longer = MAX (height, width);

  if (longer <= max_tile)
    {
      *tile_rows = height;
      *tile_cols = width;
      return;
    }
  *tile_rows = CLAMP ((gsize) llround ((double) height * max_tile / longer), 1, MIN (height, max_tile));
  *tile_cols = CLAMP ((gsize) llround ((double) width * max_tile / longer), 1, MIN (width, max_tile));
}

typedef struct
{
  const double *W;
  const double *H;
  gsize         rows;
  gsize         cols;
  guint         rank;
} Factors;

/* Energy and zero shares of component k. */
static void
measure_component (const Factors *f,
                   guint          k,
                   FsAtom        *atom)
{
  double w2 = 0.0, h2 = 0.0;
  gsize w_zeros = 0, h_zeros = 0;

  for (gsize i = 0; i < f->rows; i++)
    {
      double v = f->W[i * f->rank + k];

      w2 += v * v;
      w_zeros += v == 0.0;
    }
  for (gsize j = 0; j < f->cols; j++)
    {
      double v = f->H[(gsize) k * f->cols + j];

      h2 += v * v;
      h_zeros += v == 0.0;
    }
  atom->component = k;
  atom->energy = sqrt (w2) * sqrt (h2);
  atom->zeros_w = (double) w_zeros / (double) f->rows;
  atom->zeros_h = (double) h_zeros / (double) f->cols;
}

/* Largest energy first, ties (and NaN, last) by component. */
static int
compare_atoms (const void *a,
               const void *b)
{
  const FsAtom *x = a, *y = b;
  double ex = isnan (x->energy) ? -INFINITY : x->energy;
  double ey = isnan (y->energy) ? -INFINITY : y->energy;

  if (ex != ey)
    return ex > ey ? -1 : 1;
  return x->component < y->component ? -1 : x->component > y->component;
}

/* The tile's values of component atom->component in the self's layout. */
static void
fill_tile (const FsAtoms *self,
           const Factors *f,
           FsAtom        *atom,
           double        *scratch)
{
  gsize tr = self->tile_rows, tc = self->tile_cols;
  const double *h_k = f->H + (gsize) atom->component * f->cols;

  atom->values = g_new (double, tr * tc);
  switch (self->layout)
    {
    case FS_ATOMS_ROW_IMAGES:
      if (tr == self->image_height && tc == self->image_width)
        memcpy (atom->values, h_k, tr * tc * sizeof (double));
      else
        fs_block_means (h_k, NULL, self->image_height, self->image_width, tr, tc, atom->values);
      break;
    case FS_ATOMS_RANK_ONE:
      vector_block_means (f->W + atom->component, f->rank, f->rows, tr, scratch);
      vector_block_means (h_k, 1, f->cols, tc, scratch + tr);
      for (gsize i = 0; i < tr; i++)
        for (gsize j = 0; j < tc; j++)
          atom->values[i * tc + j] = scratch[i] * scratch[tr + j];
      break;
    case FS_ATOMS_PROFILES:
    default:
      vector_block_means (h_k, 1, f->cols, tc, atom->values);
      break;
    }
}

static void
tile_range (FsAtom *atom,
            gsize   n)
{
  double lo = INFINITY, hi = -INFINITY;

  for (gsize i = 0; i < n; i++)
    if (!isnan (atom->values[i]))
      {
        lo = MIN (lo, atom->values[i]);
        hi = MAX (hi, atom->values[i]);
      }
  if (lo > hi)
    lo = hi = 0.0;
  atom->lo = lo;
  atom->hi = hi;
  atom->both_signs = lo < 0.0 && hi > 0.0;
}

static void
set_tile_shape (FsAtoms *self,
                gsize    rows,
                gsize    cols,
                gsize    max_tile)
{
  switch (self->layout)
    {
    case FS_ATOMS_ROW_IMAGES:
      tile_shape (self->image_height, self->image_width, max_tile,
                  &self->tile_rows, &self->tile_cols);
      break;
    case FS_ATOMS_RANK_ONE:
      self->image_height = self->image_width = 0;
      tile_shape (rows, cols, max_tile, &self->tile_rows, &self->tile_cols);
      break;
    case FS_ATOMS_PROFILES:
    default:
      self->image_height = self->image_width = 0;
      self->tile_rows = 1;
      self->tile_cols = MIN (cols, max_tile);
      break;
    }
}

FsAtoms *
fs_atoms_new (FsAtomsLayout  layout,
              const double  *W,
              const double  *H,
              gsize          rows,
              gsize          cols,
              guint          rank,
              gsize          image_height,
              gsize          image_width,
              gsize          max_tile)
{
  Factors f = { W, H, rows, cols, rank };
  FsAtoms *self;
  g_autofree double *scratch = NULL;
  double total = 0.0;

  g_return_val_if_fail (W != NULL && H != NULL, NULL);
  g_return_val_if_fail (rows > 0 && cols > 0 && rank > 0 && max_tile > 0, NULL);
  g_return_val_if_fail (layout != FS_ATOMS_ROW_IMAGES
                        || (image_height > 0 && image_width > 0
                            && image_height * image_width == cols), NULL);

  self = g_atomic_rc_box_new0 (FsAtoms);
  self->layout = layout;
  self->image_height = image_height;
  self->image_width = image_width;
  self->cols = cols;
  set_tile_shape (self, rows, cols, max_tile);
  self->n_atoms = rank;
  self->atoms = g_new0 (FsAtom, rank);
  scratch = g_new (double, self->tile_rows + self->tile_cols);

  for (guint k = 0; k < rank; k++)
    {
      measure_component (&f, k, &self->atoms[k]);
      if (isfinite (self->atoms[k].energy))
        total += self->atoms[k].energy;
    }
  qsort (self->atoms, rank, sizeof (FsAtom), compare_atoms);
  for (guint a = 0; a < rank; a++)
    {
      FsAtom *atom = &self->atoms[a];

      atom->energy_share = total > 0.0 && isfinite (atom->energy) ? atom->energy / total : 0.0;
      fill_tile (self, &f, atom, scratch);
      tile_range (atom, self->tile_rows * self->tile_cols);
    }
  return self;
}

FsAtoms *
fs_atoms_ref (FsAtoms *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
fs_atoms_clear (gpointer data)
{
  FsAtoms *self = data;

  for (guint a = 0; a < self->n_atoms; a++)
    g_free (self->atoms[a].values);
  g_free (self->atoms);
}

void
fs_atoms_unref (FsAtoms *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, fs_atoms_clear);
}

gint
fs_atoms_find (const FsAtoms *self,
               guint          component)
{
  g_return_val_if_fail (self != NULL, -1);

  for (guint a = 0; a < self->n_atoms; a++)
    if (self->atoms[a].component == component)
      return (gint) a;
  return -1;
}

/* Sampled once per process: the maps never change, and each tile is
 * small, so sampling them per tile would cost more than the tile. */
static const FsColormapTable *
colormap_table (FsColormap map)
{
  static FsColormapTable tables[2];
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      fs_colormap_table_init (&tables[FS_COLORMAP_SEQUENTIAL], FS_COLORMAP_SEQUENTIAL);
      fs_colormap_table_init (&tables[FS_COLORMAP_DIVERGING], FS_COLORMAP_DIVERGING);
      g_once_init_leave (&ready, 1);
    }
  return &tables[map];
}

void
fs_atoms_render (const FsAtoms *self,
                 guint          a,
                 guint8        *rgba,
                 gsize          stride)
{
  const FsAtom *atom;

  g_return_if_fail (self != NULL && a < self->n_atoms && rgba != NULL);
  g_return_if_fail (stride >= self->tile_cols * 4);

  atom = &self->atoms[a];
  if (atom->both_signs)
    fs_render_rgba (atom->values, self->tile_rows, self->tile_cols, 0.0,
                    MAX (-atom->lo, atom->hi), colormap_table (FS_COLORMAP_DIVERGING),
                    rgba, stride);
  else
    fs_render_rgba (atom->values, self->tile_rows, self->tile_cols, atom->lo, atom->hi,
                    colormap_table (FS_COLORMAP_SEQUENTIAL), rgba, stride);
}

typedef struct
{
  gsize scale_x;     /* whole factors each tile pixel is scaled by */
  gsize scale_y;
  gsize tile_w;      /* a tile's size in the PNG */
  gsize tile_h;
  guint grid_cols;
  guint grid_rows;
  gsize width;
  gsize height;
} PngGeometry;

/* Tiles scaled up to at least PNG_MIN_TILE along their longer side (a
 * profile to PNG_PROFILE_HEIGHT rows), in the grid closest to a square. */
static void
png_geometry (const FsAtoms *self,
              PngGeometry   *g)
{
  gsize longer = MAX (self->tile_rows, self->tile_cols);
  double best = INFINITY;

  g->scale_x = (PNG_MIN_TILE + longer - 1) / longer;
  g->scale_y = self->layout == FS_ATOMS_PROFILES ? PNG_PROFILE_HEIGHT : g->scale_x;
  g->tile_w = self->tile_cols * g->scale_x;
  g->tile_h = self->tile_rows * g->scale_y;
  g->grid_cols = g->grid_rows = 1;
  for (guint c = 1; c <= MAX (self->n_atoms, 1); c++)
    {
      guint r = (MAX (self->n_atoms, 1) + c - 1) / c;
      double w = (double) (c * (g->tile_w + PNG_GAP) + PNG_GAP);
      double h = (double) (r * (g->tile_h + PNG_GAP) + PNG_GAP);
      double off = fabs (log (w / h));

      if (off < best - 1e-12)
        {
          best = off;
          g->grid_cols = c;
          g->grid_rows = r;
        }
    }
  g->width = g->grid_cols * (g->tile_w + PNG_GAP) + PNG_GAP;
  g->height = g->grid_rows * (g->tile_h + PNG_GAP) + PNG_GAP;
}

/* Draws tile a, scaled up, with its top-left corner at (x, y). */
static void
png_draw_tile (const FsAtoms     *self,
               const PngGeometry *g,
               guint              a,
               guint8            *tile,
               guint8            *pixels,
               gsize              stride,
               gsize              x,
               gsize              y)
{
  fs_atoms_render (self, a, tile, self->tile_cols * 4);
  for (gsize py = 0; py < g->tile_h; py++)
    {
      const guint8 *src = tile + (py / g->scale_y) * self->tile_cols * 4;
      guint8 *dst = pixels + (y + py) * stride + x * 4;

      for (gsize px = 0; px < g->tile_w; px++)
        memcpy (dst + px * 4, src + (px / g->scale_x) * 4, 4);
    }
}

/* "7:0.2413,3:0.1852,…": each tile's component and energy share. */
static char *
png_order_text (const FsAtoms *self)
{
  GString *s = g_string_new (NULL);

  for (guint a = 0; a < self->n_atoms; a++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s%u:%s", a > 0 ? "," : "", self->atoms[a].component,
                              g_ascii_formatd (buf, sizeof buf, "%.4f",
                                               self->atoms[a].energy_share));
    }
  return g_string_free (s, FALSE);
}

static const char *
layout_name (FsAtomsLayout layout)
{
  switch (layout)
    {
    case FS_ATOMS_ROW_IMAGES:
      return "row-images";
    case FS_ATOMS_RANK_ONE:
      return "rank-one";
    case FS_ATOMS_PROFILES:
    default:
      return "profiles";
    }
}

/* Text chunks: Factorscope-Layout, Factorscope-Image-Shape ("HxW", for row
 * images), Factorscope-Tile ("HxW", the tile's values), Factorscope-Grid
 * ("COLSxROWS") and Factorscope-Order (component:energy share, in the
 * order of the tiles, row by row). */
static GBytes *
png_save (const FsAtoms     *self,
          const PngGeometry *g,
          GdkPixbuf         *pixbuf,
          GError           **error)
{
  g_autofree char *order = png_order_text (self);
  g_autofree char *shape = self->layout == FS_ATOMS_ROW_IMAGES
    ? g_strdup_printf ("%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT, self->image_height, self->image_width)
    : g_strdup ("");
  g_autofree char *tile = g_strdup_printf ("%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT,
                                           self->tile_rows, self->tile_cols);
  g_autofree char *grid = g_strdup_printf ("%ux%u", g->grid_cols, g->grid_rows);
  gchar *buffer = NULL;
  gsize size = 0;

  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", error,
                                  "tEXt::Software", "Factorscope",
                                  "tEXt::Factorscope-Layout", layout_name (self->layout),
                                  "tEXt::Factorscope-Tile", tile,
                                  "tEXt::Factorscope-Grid", grid,
                                  "tEXt::Factorscope-Order", order,
                                  *shape != '\0' ? "tEXt::Factorscope-Image-Shape" : NULL, shape,
                                  NULL))
    return NULL;
  return g_bytes_new_take (buffer, size);
}

GBytes *
fs_atoms_encode_png (const FsAtoms *self,
                     GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree guint8 *tile = NULL;
  PngGeometry g;
  guint8 *pixels;
  gsize stride;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  png_geometry (self, &g);
  if (g.width > G_MAXINT / 4 || g.height > G_MAXINT / 4)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("The atom gallery is too large for a PNG"));
      return NULL;
    }
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, (int) g.width, (int) g.height);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for the atom gallery"));
      return NULL;
    }
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = (gsize) gdk_pixbuf_get_rowstride (pixbuf);
  for (gsize y = 0; y < g.height; y++)
    {
      memset (pixels + y * stride, PNG_BACKGROUND, g.width * 4);
      for (gsize x = 0; x < g.width; x++)
        pixels[y * stride + x * 4 + 3] = 255;
    }

  tile = g_new (guint8, self->tile_rows * self->tile_cols * 4);
  for (guint a = 0; a < self->n_atoms; a++)
    png_draw_tile (self, &g, a, tile, pixels, stride,
                   PNG_GAP + (a % g.grid_cols) * (g.tile_w + PNG_GAP),
                   PNG_GAP + (a / g.grid_cols) * (g.tile_h + PNG_GAP));
  return png_save (self, &g, pixbuf, error);
}
