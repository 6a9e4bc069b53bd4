/* fs-heatmap.c
 *
 * Whenever the data or the size changes (never in snapshot) the matrix is
 * reduced to at most one block per pixel (DESIGN.md: the block means of
 * WH come from those of W and H, through the window's FsHeatmapCache),
 * coloured, and blown up to the widget's pixel size with nearest sampling
 * into one texture; a matrix of at most 12 × 12 also gets its values,
 * written into a render node. The snapshot only places those, the colour
 * bar (made once, with the kind) and its labels. Missing cells are
 * transparent over a grey no colour map uses. In W and H, blocks whose
 * cells are all exactly 0 have a grey of their own (fs_colour_exact_zero:
 * light, or dark with a dark theme), shown by a swatch under the colour
 * bar; a block with one tiny non-zero keeps the map's colour. X, WH and
 * the residual outline the selected sample (row), which a click or the
 * keyboard moves.
 *
 * A sparse X is reduced from its listed cells (fs_block_means_sparse):
 * blocks with none are missing. With missing unlisted cells, WH and the
 * residual are averaged over the listed cells too, which for a large
 * matrix the cache does in a thread (and so does the map's own cache for
 * the residual's first scale under fixed-range): until it is done the map
 * keeps the picture it has ("waiting") and redraws on "updated".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-heatmap"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-display.h"
#include "fs-heatmap.h"
#include "fs-plot-draw.h"

#define BAR_WIDTH 12
#define BAR_GAP 6
#define LABEL_GAP 4
#define NUMBERED_MAX 12      /* matrices up to 12 × 12 show their numbers */
#define NUMBERED_MIN_CELL 18 /* in a cell smaller than this no number reads */
#define NUMBER_MIN_PX 8.0
#define NUMBER_MAX_PX 18.0
#define SWATCH_GAP 4         /* between the colour bar and the zero swatch */
#define OUTLINE_WIDTH 2.0
#define OUTLINE_MIN_HEIGHT 3.0

/* Around the selected row's outline (fs_plot_accent), on any colour. */
static const GdkRGBA halo_colour = { 1.0, 1.0, 1.0, 0.85 };

struct _FsHeatmap
{
  GtkWidget        parent_instance;

  FsHeatmapKind    kind;
  FsMatrix        *X;
  FsSnapshot      *snapshot;
  gboolean         fixed_range;
  double           range_lo;
  double           range_hi;
  FsHeatmapCache  *cache;
  FsHeatmapCache  *own_cache;       /* made when there is no shared one */
  gboolean         waiting;         /* for the cache's means: keeps the picture */

  /* The kind's colour map, sampled, and its bar: made once. */
  FsColormapTable *colors;
  GdkTexture      *bar;

  /* Built by rebuild (), drawn by snapshot (). */
  GdkTexture      *texture;
  PangoLayout     *top_label;
  PangoLayout     *bottom_label;
  PangoLayout     *zero_label;      /* "= 0" beside the swatch, W and H only */
  gboolean         dark;            /* the zero grey is the dark theme's */
  gint64           selected_row;
  int              label_width;
  int              built_width;
  int              built_height;
  guint            built_mode;     /* fs_plot_text_get_mode () then */
  gsize            block_rows;
  gsize            block_cols;
  double           shown_lo;
  double           shown_hi;

  /* The residual's colour scale under fixed-range: the scale of the
   * snapshot at iteration 0 of run 0, kept for the block size it was
   * computed at; and the order of the snapshots seen, to tell a restart. */
  FsSnapshot      *scale_snapshot;
  FsHeatmapCache  *scale_cache;     /* WH's means for it, when not the latest */
  gsize            scale_rows;
  gsize            scale_cols;
  double           scale_hi;
  guint            last_run;
  guint64          last_iteration;

  /* The blocks' values the texture shows (block_rows × block_cols). */
  double          *blocks;

  /* The values of a small matrix, written in its cells. */
  GskRenderNode   *numbers_node;
  guint            n_numbers;

  /* X's block means, which change only with X or the size: two sizes,
   * the range probe's and the shown one's. */
  struct
  {
    double        *means;
    gsize          rows;
    gsize          cols;
  }                x_means[2];
};

enum
{
  PROP_0,
  PROP_KIND,
  PROP_FIXED_RANGE,
  PROP_RANGE_LO,
  PROP_RANGE_HI,
  PROP_CACHE,
  PROP_SELECTED_ROW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FsHeatmap, fs_heatmap, GTK_TYPE_WIDGET)

GType
fs_heatmap_kind_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { FS_HEATMAP_X, "FS_HEATMAP_X", "x" },
    { FS_HEATMAP_WH, "FS_HEATMAP_WH", "wh" },
    { FS_HEATMAP_RESIDUAL, "FS_HEATMAP_RESIDUAL", "residual" },
    { FS_HEATMAP_W, "FS_HEATMAP_W", "w" },
    { FS_HEATMAP_H, "FS_HEATMAP_H", "h" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string ("FsHeatmapKind"),
                                                         values));
  return type_id;
}

static void describe_selection (FsHeatmap *self);

/* W and H mark their exact zeros. */
static gboolean
shows_zeros (FsHeatmap *self)
{
  return self->kind == FS_HEATMAP_W || self->kind == FS_HEATMAP_H;
}

/* X, WH and the residual have a row per sample, which can be selected. */
static gboolean
shows_selection (FsHeatmap *self)
{
  return !shows_zeros (self);
}

/* The shape of the matrix this heatmap shows, or FALSE with no data. */
static gboolean
data_shape (FsHeatmap *self,
            gsize     *rows,
            gsize     *cols)
{
  FsSnapshot *s = self->snapshot;

  switch (self->kind)
    {
    case FS_HEATMAP_X:
      if (self->X == NULL)
        return FALSE;
      *rows = self->X->rows;
      *cols = self->X->cols;
      return TRUE;
    case FS_HEATMAP_WH:
      if (s == NULL)
        return FALSE;
      *rows = s->rows;
      *cols = s->cols;
      return TRUE;
    case FS_HEATMAP_RESIDUAL:
      if (s == NULL || self->X == NULL || self->X->rows != s->rows || self->X->cols != s->cols)
        return FALSE;
      *rows = s->rows;
      *cols = s->cols;
      return TRUE;
    case FS_HEATMAP_W:
      if (s == NULL)
        return FALSE;
      *rows = s->rows;
      *cols = s->rank;
      return TRUE;
    case FS_HEATMAP_H:
      if (s == NULL)
        return FALSE;
      *rows = s->rank;
      *cols = s->cols;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* X's block means are a pass over all of X: made once per size. */
static const double *
get_x_means (FsHeatmap *self,
             gsize      out_rows,
             gsize      out_cols)
{
  for (guint k = 0; k < G_N_ELEMENTS (self->x_means); k++)
    if (self->x_means[k].means != NULL &&
        self->x_means[k].rows == out_rows && self->x_means[k].cols == out_cols)
      return self->x_means[k].means;

  /* Replace the older entry; the newer moves to the front. */
  g_free (self->x_means[1].means);
  self->x_means[1] = self->x_means[0];
  self->x_means[0].means = g_new (double, out_rows * out_cols);
  self->x_means[0].rows = out_rows;
  self->x_means[0].cols = out_cols;
  if (fs_matrix_is_sparse (self->X))
    fs_block_means_sparse (self->X->sparse, out_rows, out_cols, self->x_means[0].means);
  else
    fs_block_means (self->X->data, self->X->mask, self->X->rows, self->X->cols,
                    out_rows, out_cols, self->x_means[0].means);
  return self->x_means[0].means;
}

static void
clear_x_means (FsHeatmap *self)
{
  for (guint k = 0; k < G_N_ELEMENTS (self->x_means); k++)
    g_clear_pointer (&self->x_means[k].means, g_free);
}

static void
forget_first_scale (FsHeatmap *self)
{
  g_clear_pointer (&self->scale_snapshot, fs_snapshot_unref);
  self->scale_rows = self->scale_cols = 0;
}

static void refresh (FsHeatmap *self);

/* A job of the cache is done: a map that waits for it asks again. */
static void
on_cache_updated (FsHeatmap *self)
{
  if (self->waiting)
    refresh (self);
}

static FsHeatmapCache *
get_cache (FsHeatmap *self)
{
  if (self->cache != NULL)
    return self->cache;
  if (self->own_cache == NULL)
    {
      self->own_cache = fs_heatmap_cache_new ();
      g_signal_connect_object (self->own_cache, "updated", G_CALLBACK (on_cache_updated), self,
                               G_CONNECT_SWAPPED);
    }
  return self->own_cache;
}

/* nonzero (W and H only) gets each block's count of cells that are not
 * exactly 0. FALSE while the cache computes the means of WH in a thread. */
static gboolean
compute_blocks (FsHeatmap *self,
                gsize      rows,
                gsize      cols,
                gsize      out_rows,
                gsize      out_cols,
                double    *out,
                gsize     *nonzero)
{
  FsSnapshot *s = self->snapshot;

  switch (self->kind)
    {
    case FS_HEATMAP_X:
      memcpy (out, get_x_means (self, out_rows, out_cols), out_rows * out_cols * sizeof (double));
      break;
    case FS_HEATMAP_W:
      fs_block_means_nonzero (s->W, NULL, rows, cols, out_rows, out_cols, out, nonzero);
      break;
    case FS_HEATMAP_H:
      fs_block_means_nonzero (s->H, NULL, rows, cols, out_rows, out_cols, out, nonzero);
      break;
    case FS_HEATMAP_WH:
    case FS_HEATMAP_RESIDUAL:
      {
        const double *wh = fs_heatmap_cache_get_wh_means (get_cache (self), s, self->X,
                                                          out_rows, out_cols);

        if (wh == NULL)
          return FALSE;
        memcpy (out, wh, out_rows * out_cols * sizeof (double));
        if (self->kind == FS_HEATMAP_RESIDUAL)
          {
            const double *x = get_x_means (self, out_rows, out_cols);

            for (gsize k = 0; k < out_rows * out_cols; k++)
              out[k] = x[k] - out[k];
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static PangoLayout *
make_label (FsHeatmap *self,
            double     value)
{
  g_autofree char *text = g_strdup_printf ("%.3g", value);

  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

static void
clear_built (FsHeatmap *self)
{
  g_clear_object (&self->texture);
  g_clear_object (&self->top_label);
  g_clear_object (&self->bottom_label);
  g_clear_object (&self->zero_label);
  g_clear_pointer (&self->numbers_node, gsk_render_node_unref);
  g_clear_pointer (&self->blocks, g_free);
  self->n_numbers = 0;
  self->block_rows = self->block_cols = 0;
}

/* The colour bar, bottom (lo) to top (hi), one texel per step. */
static GdkTexture *
make_bar (FsColormap map)
{
  const int steps = 256;
  g_autofree guint8 *rgba = g_new (guint8, steps * 4);
  g_autoptr(GBytes) bytes = NULL;

  for (int k = 0; k < steps; k++)
    {
      fs_colormap_rgb (map, 1.0 - k / (double) (steps - 1), rgba + k * 4);
      rgba[k * 4 + 3] = 255;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&rgba), steps * 4);
  return gdk_memory_texture_new (1, steps, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, 4);
}

static int
area_width (FsHeatmap *self,
            int        width)
{
  return MAX (width - BAR_GAP - BAR_WIDTH - LABEL_GAP - self->label_width, 1);
}

/* The blocks' own range; for the residual, symmetric about zero and
 * never empty, so that zero stays white. */
static void
blocks_range (FsHeatmap    *self,
              const double *blocks,
              gsize         n,
              double       *lo,
              double       *hi)
{
  gboolean symmetric = self->kind == FS_HEATMAP_RESIDUAL;

  *lo = INFINITY;
  *hi = -INFINITY;
  for (gsize k = 0; k < n; k++)
    if (!isnan (blocks[k]))
      {
        *lo = MIN (*lo, symmetric ? -fabs (blocks[k]) : blocks[k]);
        *hi = MAX (*hi, symmetric ? fabs (blocks[k]) : blocks[k]);
      }
  if (!(*lo <= *hi))
    *lo = *hi = 0.0;
  if (symmetric && *hi == 0.0)
    {
      *lo = -1e-12;
      *hi = 1e-12;
    }
}

/* Lays out the colour bar's labels; returns how wide they are. */
static int
set_labels (FsHeatmap *self,
            double     lo,
            double     hi)
{
  int top_w, bottom_w;

  g_clear_object (&self->top_label);
  g_clear_object (&self->bottom_label);
  self->top_label = make_label (self, hi);
  self->bottom_label = make_label (self, lo);
  pango_layout_get_pixel_size (self->top_label, &top_w, NULL);
  pango_layout_get_pixel_size (self->bottom_label, &bottom_w, NULL);
  if (shows_zeros (self))
    {
      int zero_w;

      g_clear_object (&self->zero_label);
      /* TRANSLATORS: beside the swatch of the colour of exact zeros. */
      self->zero_label = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("= 0"));
      pango_layout_get_pixel_size (self->zero_label, &zero_w, NULL);
      bottom_w = MAX (bottom_w, zero_w);
    }
  return MAX (top_w, bottom_w);
}

/* Whether the residual keeps the colour scale of its first iteration:
 * under fixed-range, once a snapshot of the matrix's shape was seen. */
static gboolean
uses_first_scale (FsHeatmap *self)
{
  FsSnapshot *s = self->scale_snapshot;

  return self->kind == FS_HEATMAP_RESIDUAL && self->fixed_range && s != NULL && self->X != NULL &&
         s->rows == self->X->rows && s->cols == self->X->cols;
}

/* The cache of WH's means for the first snapshot: the shared one while it
 * is also the latest (the blocks shown have just asked it), else the
 * map's own, whose entries stay that snapshot's while the shared cache
 * follows the latest. Either computes the means over a sparse X's listed
 * cells in a thread when they cost more than a moment. */
static FsHeatmapCache *
get_scale_cache (FsHeatmap *self)
{
  if (self->scale_snapshot == self->snapshot)
    return get_cache (self);
  if (self->scale_cache == NULL)
    {
      self->scale_cache = fs_heatmap_cache_new ();
      g_signal_connect_object (self->scale_cache, "updated", G_CALLBACK (on_cache_updated), self,
                               G_CONNECT_SWAPPED);
    }
  return self->scale_cache;
}

/* The symmetric range of the residual at the first snapshot, in blocks
 * of the size shown now (block means soften extremes, so a scale taken at
 * another size would not match), computed once per size. FALSE while a
 * cache computes WH's means for it in a thread. */
static gboolean
first_scale_range (FsHeatmap *self,
                   gsize      out_rows,
                   gsize      out_cols,
                   double    *lo,
                   double    *hi)
{
  if (self->scale_rows != out_rows || self->scale_cols != out_cols)
    {
      gsize n = out_rows * out_cols;
      g_autofree double *blocks = g_new (double, n);
      const double *wh = fs_heatmap_cache_get_wh_means (get_scale_cache (self), self->scale_snapshot,
                                                        self->X, out_rows, out_cols);
      const double *x;
      double ignored;

      if (wh == NULL)
        return FALSE;
      memcpy (blocks, wh, n * sizeof (double));
      x = get_x_means (self, out_rows, out_cols);
      for (gsize k = 0; k < n; k++)
        blocks[k] = x[k] - blocks[k];
      blocks_range (self, blocks, n, &ignored, &self->scale_hi);
      self->scale_rows = out_rows;
      self->scale_cols = out_cols;
    }
  *lo = -self->scale_hi;
  *hi = self->scale_hi;
  return TRUE;
}

/* The CPU seconds the map's own threads took for the first scale since
 * the last call: the window counts them with the shared cache's. */
double
fs_heatmap_take_cpu (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), 0.0);
  return self->scale_cache != NULL ? fs_heatmap_cache_take_cpu (self->scale_cache) : 0.0;
}

/* The blocks for a widget of width × height, and their colour range;
 * for W and H, also each block's count of non-zero cells (g_free it).
 * NULL while the cache computes WH's means in a thread.
 * The labels' width decides the heat area's, and for the residual (or
 * without a fixed range) the blocks decide the labels: start from the
 * last width and take one more pass only if the labels' width changes. */
static double *
compute_shown_blocks (FsHeatmap *self,
                      gsize      rows,
                      gsize      cols,
                      int        width,
                      int        height,
                      gsize     *px_w,
                      gsize     *px_h,
                      gsize    **nonzero)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  gboolean first_scale = uses_first_scale (self);
  gboolean own_range = !first_scale && (self->kind == FS_HEATMAP_RESIDUAL || !self->fixed_range);
  g_autofree double *blocks = NULL;
  gsize out_rows = 0, out_cols = 0;
  double lo = self->range_lo, hi = self->range_hi;

  for (guint pass = 0; pass < 2; pass++)
    {
      int old_width = self->label_width;

      *px_w = (gsize) area_width (self, width) * scale;
      *px_h = (gsize) height * scale;
      out_rows = MIN (rows, *px_h);
      out_cols = MIN (cols, *px_w);
      g_free (blocks);
      blocks = g_new (double, out_rows * out_cols);
      g_free (*nonzero);
      *nonzero = shows_zeros (self) ? g_new (gsize, out_rows * out_cols) : NULL;
      if (!compute_blocks (self, rows, cols, out_rows, out_cols, blocks, *nonzero))
        return NULL;
      if (first_scale)
        {
          if (!first_scale_range (self, out_rows, out_cols, &lo, &hi))
            return NULL;
        }
      else if (own_range)
        blocks_range (self, blocks, out_rows * out_cols, &lo, &hi);
      self->label_width = set_labels (self, lo, hi);
      if (self->label_width == old_width)
        break;
    }
  self->shown_lo = lo;
  self->shown_hi = hi;
  self->block_rows = out_rows;
  self->block_cols = out_cols;
  return g_steal_pointer (&blocks);
}

/* Nearest-neighbour enlargement of rows × cols RGBA pixels to px_w × px_h. */
static guint8 *
enlarge_nearest (guint8 *small,
                 gsize   rows,
                 gsize   cols,
                 gsize   px_w,
                 gsize   px_h)
{
  guint8 *pixels;

  if (rows == px_h && cols == px_w)
    return small;

  pixels = g_new (guint8, px_w * px_h * 4);
  for (gsize y = 0; y < px_h; y++)
    {
      const guint32 *src = (const guint32 *) (small + (y * rows / px_h) * cols * 4);
      guint32 *dst = (guint32 *) (pixels + y * px_w * 4);

      for (gsize x = 0; x < px_w; x++)
        dst[x] = src[x * cols / px_w];
    }
  g_free (small);
  return pixels;
}

/* A cell's value as written in it: three digits, and a residual that is
 * zero but for rounding (1e-16 after an exact fit) as 0. */
static char *
number_text (FsHeatmap *self,
             double     value)
{
  double scale = MAX (fabs (self->shown_lo), fabs (self->shown_hi));

  if (fabs (value) <= 1e-9 * scale)
    return g_strdup ("0");
  return g_strdup_printf ("%.3g", value);
}

/* The widget's font at size px. */
static PangoFontDescription *
numbers_font (FsHeatmap *self,
              double     px)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (context));

  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
  return font;
}

/* The font size at which every number fits its cell, with a margin, as
 * large as the cell allows up to NUMBER_MAX_PX; 0 when that is too small
 * to read. texts holds the numbers, NULL for missing cells. */
static double
fit_number_size (FsHeatmap  *self,
                 char      **texts,
                 gsize       n,
                 double      cell_w,
                 double      cell_h)
{
  double size = MIN (NUMBER_MAX_PX, cell_h * 0.4);
  PangoFontDescription *font = numbers_font (self, 100.0);
  int widest = 0;

  for (gsize k = 0; k < n; k++)
    if (texts[k] != NULL)
      {
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), texts[k]);
        int w;

        pango_layout_set_font_description (layout, font);
        pango_layout_get_pixel_size (layout, &w, NULL);
        widest = MAX (widest, w);
      }
  pango_font_description_free (font);
  if (widest > 0)
    size = MIN (size, (cell_w - 6) * 100.0 / widest);
  return size >= NUMBER_MIN_PX ? size : 0.0;
}

/* Writes each cell's text, centred, at the given size, dark or light as
 * its colour (rgba, one pixel per cell) asks. */
static GskRenderNode *
write_numbers (FsHeatmap     *self,
               char         **texts,
               const guint8  *rgba,
               double         size,
               double         cell_w,
               double         cell_h)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  PangoFontDescription *font = numbers_font (self, size);

  for (gsize k = 0; k < self->block_rows * self->block_cols; k++)
    if (texts[k] != NULL)
      {
        g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), texts[k]);
        gsize i = k / self->block_cols, j = k % self->block_cols;
        gboolean dark = fs_colour_wants_dark_text (rgba + k * 4);
        int w, h;

        pango_layout_set_font_description (layout, font);
        pango_layout_get_pixel_size (layout, &w, &h);
        fs_plot_append_layout (snapshot, layout, round ((j + 0.5) * cell_w - w / 2.0),
                               round ((i + 0.5) * cell_h - h / 2.0),
                               dark ? &(GdkRGBA) { 0, 0, 0, 0.87 } : &(GdkRGBA) { 1, 1, 1, 0.95 });
        self->n_numbers++;
      }
  pango_font_description_free (font);
  return gtk_snapshot_free_to_node (snapshot);
}

/* A matrix of at most NUMBERED_MAX × NUMBERED_MAX, shown cell for cell,
 * has its values written in its cells, when they are large enough to
 * read; missing cells stay blank. */
static void
record_numbers (FsHeatmap    *self,
                const double *blocks,
                const guint8 *rgba,
                int           area,
                int           height)
{
  gsize n = self->block_rows * self->block_cols;
  double cell_w = (double) area / self->block_cols, cell_h = (double) height / self->block_rows;
  g_autoptr(GPtrArray) texts = NULL;
  double size;

  if (self->block_rows > NUMBERED_MAX || self->block_cols > NUMBERED_MAX ||
      MIN (cell_w, cell_h) < NUMBERED_MIN_CELL)
    return;

  texts = g_ptr_array_new_full (n, g_free);
  for (gsize k = 0; k < n; k++)
    g_ptr_array_add (texts, isnan (blocks[k]) ? NULL : number_text (self, blocks[k]));
  size = fit_number_size (self, (char **) texts->pdata, n, cell_w, cell_h);
  if (size > 0.0)
    self->numbers_node = write_numbers (self, (char **) texts->pdata, rgba, size, cell_w, cell_h);
}

/* Blocks of W or H with no cell other than exactly 0 take the zero grey. */
static void
paint_exact_zeros (FsHeatmap   *self,
                   const gsize *nonzero,
                   guint8      *pixels)
{
  guint8 grey[3];

  fs_colour_exact_zero (self->dark, grey);
  for (gsize k = 0; k < self->block_rows * self->block_cols; k++)
    if (nonzero[k] == 0)
      {
        memcpy (pixels + k * 4, grey, 3);
        pixels[k * 4 + 3] = 255;
      }
}

/* Remakes the texture and labels for the current data and the given size:
 * the one allocated, or for a moment an export's. */
static void
rebuild_at (FsHeatmap *self,
            int        width,
            int        height)
{
  g_autofree double *blocks = NULL;
  g_autofree gsize *nonzero = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize rows, cols, px_w, px_h;

  self->built_width = width;
  self->built_height = height;
  self->built_mode = fs_plot_text_get_mode ();
  self->waiting = FALSE;
  if (width <= 0 || height <= 0 || !data_shape (self, &rows, &cols))
    {
      clear_built (self);
      return;
    }

  blocks = compute_shown_blocks (self, rows, cols, width, height, &px_w, &px_h, &nonzero);
  /* The picture of the last snapshot stays (stretched to a new size) until
   * the cache has the means: a moment's old picture, never a blank one. */
  if (blocks == NULL)
    {
      self->waiting = TRUE;
      return;
    }
  g_clear_object (&self->texture);
  g_clear_pointer (&self->numbers_node, gsk_render_node_unref);
  self->n_numbers = 0;
  pixels = g_new (guint8, self->block_rows * self->block_cols * 4);
  fs_render_rgba (blocks, self->block_rows, self->block_cols, self->shown_lo, self->shown_hi,
                  self->colors, pixels, self->block_cols * 4);
  if (nonzero != NULL)
    paint_exact_zeros (self, nonzero, pixels);
  if (rows == self->block_rows && cols == self->block_cols)
    record_numbers (self, blocks, pixels, area_width (self, width), height);
  pixels = enlarge_nearest (pixels, self->block_rows, self->block_cols, px_w, px_h);
  bytes = g_bytes_new_take (pixels, px_w * px_h * 4);
  self->texture = gdk_memory_texture_new ((int) px_w, (int) px_h,
                                          GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, px_w * 4);
  g_free (self->blocks);
  self->blocks = g_steal_pointer (&blocks);
}

/* Rebuilds and redraws after a change of data or range. */
static void
refresh (FsHeatmap *self)
{
  rebuild_at (self, self->built_width, self->built_height);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fs_heatmap_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  FsHeatmap *self = FS_HEATMAP (widget);

  /* The numbers' texts are recorded apart while an SVG export draws. */
  if (width != self->built_width || height != self->built_height ||
      self->built_mode != fs_plot_text_get_mode ())
    rebuild_at (self, width, height);
}

/* The selected row's outline across the map: around the row's block,
 * never thinner than OUTLINE_MIN_HEIGHT, so that it shows at any zoom. */
static void
snapshot_selection (FsHeatmap   *self,
                    GtkSnapshot *snapshot,
                    int          area,
                    int          height)
{
  const float widths[4] = { OUTLINE_WIDTH, OUTLINE_WIDTH, OUTLINE_WIDTH, OUTLINE_WIDTH };
  const GdkRGBA colours[4] = { fs_plot_accent, fs_plot_accent, fs_plot_accent, fs_plot_accent };
  GskRoundedRect outline;
  gsize rows, cols;
  double y0, y1;

  if (!shows_selection (self) || self->selected_row < 0 || !data_shape (self, &rows, &cols) ||
      (guint64) self->selected_row >= rows)
    return;
  y0 = (double) self->selected_row * height / rows - 1.0;
  y1 = (double) (self->selected_row + 1) * height / rows + 1.0;
  if (y1 - y0 < OUTLINE_MIN_HEIGHT + 2.0)
    {
      double middle = (y0 + y1) / 2.0;

      y0 = middle - OUTLINE_MIN_HEIGHT / 2.0 - 1.0;
      y1 = middle + OUTLINE_MIN_HEIGHT / 2.0 + 1.0;
    }
  y0 = MAX (round (y0), 0.0);
  y1 = MIN (round (y1), (double) height);
  /* A white line just outside the outline keeps it apart from the map's
   * blues. */
  gtk_snapshot_append_color (snapshot, &halo_colour, &GRAPHENE_RECT_INIT (0, MAX (y0 - 1, 0), area, 1));
  gtk_snapshot_append_color (snapshot, &halo_colour, &GRAPHENE_RECT_INIT (0, MIN (y1, height - 1), area, 1));
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, y0, area, y1 - y0), 0);
  gtk_snapshot_append_border (snapshot, &outline, widths, colours);
}

/* The colour bar and its labels; for W and H, under the bar, a swatch of
 * the exact zeros' grey with "= 0" beside it. */
static void
snapshot_bar (FsHeatmap     *self,
              GtkSnapshot   *snapshot,
              int            area,
              int            height,
              const GdkRGBA *fg)
{
  int label_h, zero_h = 0, bar_h = height;
  double label_x = area + BAR_GAP + BAR_WIDTH + LABEL_GAP;

  if (self->zero_label != NULL)
    {
      guint8 grey[3];

      fs_colour_exact_zero (self->dark, grey);
      bar_h = MAX (height - BAR_WIDTH - SWATCH_GAP, 1);
      gtk_snapshot_append_color (snapshot,
                                 &(GdkRGBA) { grey[0] / 255.0, grey[1] / 255.0, grey[2] / 255.0, 1.0 },
                                 &GRAPHENE_RECT_INIT (area + BAR_GAP, height - BAR_WIDTH,
                                                      BAR_WIDTH, BAR_WIDTH));
      pango_layout_get_pixel_size (self->zero_label, NULL, &zero_h);
      fs_plot_append_layout (snapshot, self->zero_label, label_x, height - zero_h, fg);
    }
  gtk_snapshot_append_texture (snapshot, self->bar,
                               &GRAPHENE_RECT_INIT (area + BAR_GAP, 0, BAR_WIDTH, bar_h));

  pango_layout_get_pixel_size (self->bottom_label, NULL, &label_h);
  fs_plot_append_layout (snapshot, self->top_label, label_x, 0, fg);
  fs_plot_append_layout (snapshot, self->bottom_label, label_x,
                         MAX (height - label_h - (zero_h > 0 ? zero_h : 0), label_h), fg);
}

static void
fs_heatmap_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  FsHeatmap *self = FS_HEATMAP (widget);
  int width = self->built_width;
  int height = self->built_height;
  int area = area_width (self, width);
  GdkRGBA fg;

  if (self->texture == NULL)
    return;

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.5, 0.5, 0.5, 1.0 },
                             &GRAPHENE_RECT_INIT (0, 0, area, height));
  gtk_snapshot_append_texture (snapshot, self->texture, &GRAPHENE_RECT_INIT (0, 0, area, height));
  if (self->numbers_node != NULL)
    gtk_snapshot_append_node (snapshot, self->numbers_node);
  snapshot_selection (self, snapshot, area, height);

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  snapshot_bar (self, snapshot, area, height, &fg);
}

/* Whether the theme is dark: its text is light. */
static gboolean
theme_is_dark (FsHeatmap *self)
{
  GdkRGBA fg;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  return 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
}

/* The zeros' grey follows the theme. */
static void
fs_heatmap_css_changed (GtkWidget         *widget,
                        GtkCssStyleChange *change)
{
  FsHeatmap *self = FS_HEATMAP (widget);
  gboolean dark;

  GTK_WIDGET_CLASS (fs_heatmap_parent_class)->css_changed (widget, change);

  dark = theme_is_dark (self);
  if (dark != self->dark)
    {
      self->dark = dark;
      if (shows_zeros (self))
        refresh (self);
    }
}

static void
fs_heatmap_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 80 : 60;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 180;
}

gboolean
fs_heatmap_get_cell_at (FsHeatmap *self,
                        double     x,
                        double     y,
                        gsize     *row,
                        gsize     *col)
{
  int area = area_width (self, gtk_widget_get_width (GTK_WIDGET (self)));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  gsize rows, cols;

  g_return_val_if_fail (FS_IS_HEATMAP (self), FALSE);

  if (!data_shape (self, &rows, &cols) || x < 0 || y < 0 || x >= area || y >= height)
    return FALSE;
  *row = MIN ((gsize) (y / height * rows), rows - 1);
  *col = MIN ((gsize) (x / area * cols), cols - 1);
  return TRUE;
}

static const char *
label_or_null (char **labels,
               gsize  index)
{
  return labels != NULL ? labels[index] : NULL;
}

/* The value the heatmap shows at one cell of its matrix, or FALSE for a
 * missing one. */
static gboolean
cell_value (FsHeatmap *self,
            gsize      row,
            gsize      col,
            double    *value)
{
  FsSnapshot *s = self->snapshot;
  double wh = 0.0;

  if (s != NULL && (self->kind == FS_HEATMAP_WH || self->kind == FS_HEATMAP_RESIDUAL))
    for (guint k = 0; k < s->rank; k++)
      wh += s->W[row * s->rank + k] * s->H[k * s->cols + col];

  switch (self->kind)
    {
    case FS_HEATMAP_X:
    case FS_HEATMAP_RESIDUAL:
      *value = fs_matrix_get (self->X, row, col) - (self->kind == FS_HEATMAP_RESIDUAL ? wh : 0.0);
      return fs_matrix_is_observed (self->X, row, col);
    case FS_HEATMAP_WH:
      *value = wh;
      return TRUE;
    case FS_HEATMAP_W:
      *value = s->W[row * s->rank + col];
      return TRUE;
    case FS_HEATMAP_H:
      *value = s->H[row * s->cols + col];
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* “row 3 (Alabama), column 2 (Assault): 236” for a cell of the matrix. */
char *
fs_heatmap_describe_cell (FsHeatmap *self,
                          gsize      row,
                          gsize      col)
{
  const char *row_label = NULL, *col_label = NULL;
  g_autofree char *row_text = NULL;
  g_autofree char *col_text = NULL;
  /* Numbers are formatted apart: xgettext cannot see through G_GSIZE_FORMAT. */
  g_autofree char *row_number = g_strdup_printf ("%" G_GSIZE_FORMAT, row + 1);
  g_autofree char *col_number = g_strdup_printf ("%" G_GSIZE_FORMAT, col + 1);
  double value = NAN;

  g_return_val_if_fail (FS_IS_HEATMAP (self), NULL);

  if (self->X != NULL && self->kind != FS_HEATMAP_H)
    row_label = label_or_null (self->X->row_labels, row);
  if (self->X != NULL && self->kind != FS_HEATMAP_W)
    col_label = label_or_null (self->X->col_labels, col);
  row_text = row_label != NULL ? g_strdup_printf (_("row %s (%s)"), row_number, row_label)
                               : g_strdup_printf (_("row %s"), row_number);
  col_text = col_label != NULL ? g_strdup_printf (_("column %s (%s)"), col_number, col_label)
                               : g_strdup_printf (_("column %s"), col_number);

  if (!cell_value (self, row, col, &value))
    /* TRANSLATORS: a cell a sparse file does not list (its value is unknown). */
    return fs_matrix_is_sparse (self->X) ? g_strdup_printf (_("%s, %s: not listed"), row_text, col_text)
                                         : g_strdup_printf (_("%s, %s: missing"), row_text, col_text);
  if (shows_zeros (self) && value == 0.0)
    return g_strdup_printf (_("%s, %s: exactly 0"), row_text, col_text);
  return g_strdup_printf ("%s, %s: %.6g", row_text, col_text, value);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  FsHeatmap *self = FS_HEATMAP (widget);
  g_autofree char *text = NULL;
  gsize row, col;

  if (keyboard || !fs_heatmap_get_cell_at (self, x, y, &row, &col))
    return FALSE;
  text = fs_heatmap_describe_cell (self, row, col);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
fs_heatmap_dispose (GObject *object)
{
  FsHeatmap *self = FS_HEATMAP (object);

  clear_built (self);
  clear_x_means (self);
  g_clear_object (&self->bar);
  fs_heatmap_set_cache (self, NULL);
  g_clear_object (&self->own_cache);
  g_clear_object (&self->scale_cache);
  self->waiting = FALSE;
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  forget_first_scale (self);

  G_OBJECT_CLASS (fs_heatmap_parent_class)->dispose (object);
}

static void
fs_heatmap_finalize (GObject *object)
{
  FsHeatmap *self = FS_HEATMAP (object);

  g_free (self->colors);

  G_OBJECT_CLASS (fs_heatmap_parent_class)->finalize (object);
}

/* A click (the primary button, released where it was pressed: a drag
 * cancels the gesture) selects the row under the pointer. */
static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   FsHeatmap       *self)
{
  gsize row, col;

  if (!fs_heatmap_get_cell_at (self, x, y, &row, &col))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  fs_heatmap_set_selected_row (self, (gint64) row);
}

/* The row a key moves the selection to, or -1 for a key that does not. */
static gint64
row_for_key (FsHeatmap *self,
             guint      keyval,
             gsize      rows)
{
  gint64 last = (gint64) rows - 1, row = self->selected_row;
  gint64 page = MAX ((gint64) rows / 10, 1);

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      return row < 0 ? 0 : MAX (row - 1, 0);
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      return MIN (row + 1, last);
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      return row < 0 ? 0 : MAX (row - page, 0);
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      return row < 0 ? 0 : MIN (row + page, last);
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      return 0;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      return last;
    default:
      return -1;
    }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsHeatmap             *self)
{
  gsize rows, cols;
  gint64 row;

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0 || !data_shape (self, &rows, &cols) ||
      rows == 0)
    return FALSE;
  /* Escape lets go of a selected sample (and goes on to the window
   * otherwise). */
  if (keyval == GDK_KEY_Escape && self->selected_row >= 0)
    {
      fs_heatmap_set_selected_row (self, -1);
      return TRUE;
    }
  row = row_for_key (self, keyval, rows);
  if (row < 0)
    return FALSE;
  fs_heatmap_set_selected_row (self, row);
  return TRUE;
}

static void
add_selection_controllers (FsHeatmap *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}

/* The colour map depends on the kind, which is known only now. */
static void
fs_heatmap_constructed (GObject *object)
{
  FsHeatmap *self = FS_HEATMAP (object);
  FsColormap map = self->kind == FS_HEATMAP_RESIDUAL ? FS_COLORMAP_DIVERGING
                                                      : FS_COLORMAP_SEQUENTIAL;

  G_OBJECT_CLASS (fs_heatmap_parent_class)->constructed (object);

  self->colors = g_new (FsColormapTable, 1);
  fs_colormap_table_init (self->colors, map);
  self->bar = make_bar (map);
  if (shows_selection (self))
    add_selection_controllers (self);
}

static void
fs_heatmap_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FsHeatmap *self = FS_HEATMAP (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_FIXED_RANGE:
      g_value_set_boolean (value, self->fixed_range);
      break;
    case PROP_RANGE_LO:
      g_value_set_double (value, self->range_lo);
      break;
    case PROP_RANGE_HI:
      g_value_set_double (value, self->range_hi);
      break;
    case PROP_CACHE:
      g_value_set_object (value, self->cache);
      break;
    case PROP_SELECTED_ROW:
      g_value_set_int64 (value, self->selected_row);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_heatmap_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  FsHeatmap *self = FS_HEATMAP (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_FIXED_RANGE:
      fs_heatmap_set_fixed_range (self, g_value_get_boolean (value));
      break;
    case PROP_RANGE_LO:
      fs_heatmap_set_range_lo (self, g_value_get_double (value));
      break;
    case PROP_RANGE_HI:
      fs_heatmap_set_range_hi (self, g_value_get_double (value));
      break;
    case PROP_CACHE:
      fs_heatmap_set_cache (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_ROW:
      fs_heatmap_set_selected_row (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_heatmap_class_init (FsHeatmapClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fs_heatmap_constructed;
  object_class->dispose = fs_heatmap_dispose;
  object_class->finalize = fs_heatmap_finalize;
  object_class->get_property = fs_heatmap_get_property;
  object_class->set_property = fs_heatmap_set_property;
  widget_class->measure = fs_heatmap_measure;
  widget_class->size_allocate = fs_heatmap_size_allocate;
  widget_class->snapshot = fs_heatmap_snapshot;
  widget_class->css_changed = fs_heatmap_css_changed;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, FS_TYPE_HEATMAP_KIND, FS_HEATMAP_X,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIXED_RANGE] =
    g_param_spec_boolean ("fixed-range", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RANGE_LO] =
    g_param_spec_double ("range-lo", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RANGE_HI] =
    g_param_spec_double ("range-hi", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CACHE] =
    g_param_spec_object ("cache", NULL, NULL, FS_TYPE_HEATMAP_CACHE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ROW] =
    g_param_spec_int64 ("selected-row", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heatmap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_heatmap_init (FsHeatmap *self)
{
  self->range_hi = 1.0;
  self->selected_row = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
}

GtkWidget *
fs_heatmap_new (FsHeatmapKind kind)
{
  return g_object_new (FS_TYPE_HEATMAP, "kind", kind, NULL);
}

FsHeatmapKind
fs_heatmap_get_kind (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), FS_HEATMAP_X);
  return self->kind;
}

/* Keeps the snapshot the residual's fixed scale comes from: the latest at
 * iteration 0 of run 0 (a new matrix, a reset or a restart start there).
 * When that one was never shown (a restart whose first frame came later,
 * seen as the iterations going back, or fixed-range set mid-run after a
 * new matrix) the first one seen stands in for it. Kept whether or not
 * fixed-range is on, so that turning it on mid-run fades from the start. */
static void
track_first_scale (FsHeatmap  *self,
                   FsSnapshot *s)
{
  gboolean restarted = s->run == 0 && (s->iteration == 0 || self->last_run > 0 ||
                                       s->iteration < self->last_iteration);

  if (self->scale_snapshot == NULL || restarted)
    {
      forget_first_scale (self);
      self->scale_snapshot = fs_snapshot_ref (s);
    }
  self->last_run = s->run;
  self->last_iteration = s->iteration;
}

/* The matrix X (for X and the residual, and the labels of all). */
void
fs_heatmap_set_matrix (FsHeatmap *self,
                       FsMatrix  *X)
{
  g_return_if_fail (FS_IS_HEATMAP (self));

  if (self->X == X)
    return;
  clear_x_means (self);
  forget_first_scale (self);
  g_clear_pointer (&self->X, fs_matrix_unref);
  self->X = X != NULL ? fs_matrix_ref (X) : NULL;
  /* The selected row's label comes from X. */
  describe_selection (self);
  refresh (self);
}

/* The runner's latest factors; textures are rebuilt only for a new one. */
void
fs_heatmap_set_snapshot (FsHeatmap  *self,
                         FsSnapshot *snapshot)
{
  g_return_if_fail (FS_IS_HEATMAP (self));

  if (self->snapshot == snapshot)
    return;
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  self->snapshot = snapshot != NULL ? fs_snapshot_ref (snapshot) : NULL;
  if (snapshot != NULL && self->kind == FS_HEATMAP_RESIDUAL)
    track_first_scale (self, snapshot);
  if (self->kind != FS_HEATMAP_X)
    refresh (self);
}

FsSnapshot *
fs_heatmap_get_snapshot (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), NULL);

  return self->snapshot;
}

static gboolean
set_double (FsHeatmap *self,
            double    *field,
            double     value,
            guint      prop_id)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  return TRUE;
}

static gboolean
set_fixed (FsHeatmap *self,
           gboolean   fixed_range)
{
  fixed_range = !!fixed_range;
  if (self->fixed_range == fixed_range)
    return FALSE;
  self->fixed_range = fixed_range;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIXED_RANGE]);
  return TRUE;
}

/* Whether X and WH (and W and H) use range-lo … range-hi rather than
 * their own range, so that they can be compared by eye. For the residual
 * it means the scale of the first iteration instead, symmetric about
 * zero, taken from the snapshot at iteration 0 of run 0 (again after a
 * reset, a restart or a new matrix) and kept, so that the map fades to
 * white as the fit improves; off, the residual's scale follows each
 * snapshot. */
void
fs_heatmap_set_fixed_range (FsHeatmap *self,
                            gboolean   fixed_range)
{
  g_return_if_fail (FS_IS_HEATMAP (self));

  if (set_fixed (self, fixed_range))
    refresh (self);
}

gboolean
fs_heatmap_get_fixed_range (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), FALSE);
  return self->fixed_range;
}

void
fs_heatmap_set_range_lo (FsHeatmap *self,
                         double     lo)
{
  g_return_if_fail (FS_IS_HEATMAP (self));
  g_return_if_fail (isfinite (lo));

  if (set_double (self, &self->range_lo, lo, PROP_RANGE_LO) && self->fixed_range)
    refresh (self);
}

double
fs_heatmap_get_range_lo (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), 0.0);
  return self->range_lo;
}

void
fs_heatmap_set_range_hi (FsHeatmap *self,
                         double     hi)
{
  g_return_if_fail (FS_IS_HEATMAP (self));
  g_return_if_fail (isfinite (hi));

  if (set_double (self, &self->range_hi, hi, PROP_RANGE_HI) && self->fixed_range)
    refresh (self);
}

double
fs_heatmap_get_range_hi (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), 1.0);
  return self->range_hi;
}

/* Fixes the colour scale to [lo, hi] (sets range-lo, range-hi and
 * fixed-range at once, with one rebuild). */
void
fs_heatmap_set_range (FsHeatmap *self,
                      double     lo,
                      double     hi)
{
  gboolean changed;

  g_return_if_fail (FS_IS_HEATMAP (self));
  g_return_if_fail (isfinite (lo) && isfinite (hi));

  g_object_freeze_notify (G_OBJECT (self));
  changed = set_double (self, &self->range_lo, lo, PROP_RANGE_LO);
  changed |= set_double (self, &self->range_hi, hi, PROP_RANGE_HI);
  changed |= set_fixed (self, TRUE);
  g_object_thaw_notify (G_OBJECT (self));
  if (changed)
    refresh (self);
}

/* The range the colour bar shows now: range-lo … range-hi when fixed,
 * else the data's. */
void
fs_heatmap_get_shown_range (FsHeatmap *self,
                            double    *lo,
                            double    *hi)
{
  g_return_if_fail (FS_IS_HEATMAP (self));

  *lo = self->shown_lo;
  *hi = self->shown_hi;
}

/* Shares cache with the other heatmaps of a window, so that WH and X − WH
 * compute the block means of WH once per snapshot; with NULL (the
 * default) this heatmap keeps its own. */
void
fs_heatmap_set_cache (FsHeatmap      *self,
                      FsHeatmapCache *cache)
{
  g_return_if_fail (FS_IS_HEATMAP (self));
  g_return_if_fail (cache == NULL || FS_IS_HEATMAP_CACHE (cache));

  if (self->cache == cache)
    return;
  if (self->cache != NULL)
    g_signal_handlers_disconnect_by_func (self->cache, on_cache_updated, self);
  g_set_object (&self->cache, cache);
  if (cache != NULL)
    g_signal_connect_object (cache, "updated", G_CALLBACK (on_cache_updated), self,
                             G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CACHE]);
}

FsHeatmapCache *
fs_heatmap_get_cache (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), NULL);
  return self->cache;
}

/* How many blocks the texture holds: the matrix's size, or less. */
void
fs_heatmap_get_blocks (FsHeatmap *self,
                       gsize     *rows,
                       gsize     *cols)
{
  g_return_if_fail (FS_IS_HEATMAP (self));

  *rows = self->block_rows;
  *cols = self->block_cols;
}

/* The value block (row, col) of the texture shows: a block mean, NaN
 * for a block with no observed (listed) cell. For tests. */
double
fs_heatmap_get_block_value (FsHeatmap *self,
                            gsize      row,
                            gsize      col)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), NAN);

  if (self->blocks == NULL || row >= self->block_rows || col >= self->block_cols)
    return NAN;
  return self->blocks[row * self->block_cols + col];
}

/* Whether the map waits for its cache's thread (and shows the picture it
 * had). */
gboolean
fs_heatmap_get_waiting (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), FALSE);
  return self->waiting;
}

/* How many cells have their value written in them: all the observed
 * cells of a matrix up to 12 × 12 whose cells are large enough, else 0. */
guint
fs_heatmap_get_n_numbers (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), 0);
  return self->n_numbers;
}

/* "Sample 12 selected", with the row's label when X has one. */
static void
describe_selection (FsHeatmap *self)
{
  g_autofree char *number = NULL;
  g_autofree char *text = NULL;
  const char *label = NULL;

  if (self->selected_row < 0)
    {
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      return;
    }
  /* The number is formatted apart: xgettext cannot see through G_GINT64_FORMAT. */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, self->selected_row + 1);
  if (self->X != NULL && (guint64) self->selected_row < self->X->rows)
    label = label_or_null (self->X->row_labels, (gsize) self->selected_row);
  text = label != NULL ? g_strdup_printf (_("Sample %s (%s) selected"), number, label)
                       : g_strdup_printf (_("Sample %s selected"), number);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
}

/* The selected sample, outlined across X, WH and the residual; -1 for
 * none. A row past the matrix's end is kept but not drawn. Notifies only
 * on a change, so that maps kept in step by their notify signals do not
 * loop. */
void
fs_heatmap_set_selected_row (FsHeatmap *self,
                             gint64     row)
{
  g_return_if_fail (FS_IS_HEATMAP (self));
  g_return_if_fail (row >= -1);

  if (self->selected_row == row)
    return;
  self->selected_row = row;
  describe_selection (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ROW]);
}

gint64
fs_heatmap_get_selected_row (FsHeatmap *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP (self), -1);
  return self->selected_row;
}
