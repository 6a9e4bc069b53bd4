/* fs-code-view.c
 *
 * One sample's code w_i = W[i, :] as bars, and, when rows are images, the
 * sample, its reconstruction w_i H and the residual as three small images.
 *
 * Everything that depends on the sample or the snapshot (the code, the
 * strengths |W[i, k]| ||h_k||, w_i H, the images' colours) is computed
 * once when they change, in O(m r); a new size only enlarges the three
 * small images again.
 *
 * Scales: the bars share one scale over the whole of W (max |W|), so that
 * a sample's small code looks small beside another's large one; the range
 * below 0 is drawn only when W has a negative entry, since a non-negative
 * code would leave half of the chart empty. The sample and its
 * reconstruction share one sequential scale, the range of both; the
 * residual's diverging scale spans ± half of that range, so that a good
 * fit looks pale instead of being stretched to full colour.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-code-view"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-code-view.h"
#include "fs-plot-draw.h"
#include "fs-display.h"

#define PAD 6
#define GAP 8
#define TICK 4
#define N_LABELLED 3     /* the strongest components named on the chart */
#define CHART_MIN 40     /* the bars' least height with the images under them */
#define MIN_TILE 16      /* the images' least size under the chart */

/* Adwaita's orange 4, as the histograms' exact zeros. */
static const GdkRGBA zero_colour = { 0.90, 0.38, 0.0, 1.0 };

struct _FsCodeView
{
  GtkWidget        parent_instance;

  FsMatrix        *X;
  FsSnapshot      *snapshot;
  gint64           row;          /* -1: none shown */
  gsize            image_height;
  gsize            image_width;

  /* Computed by compute_sample (). */
  guint            rank;
  double          *code;
  double          *strength;
  guint           *order;        /* non-zero strengths, strongest first */
  guint            n_strong;
  guint            n_zeros;
  double           scale;        /* max |W| over all of W */
  gboolean         negative;     /* W has a negative entry */
  gboolean         has_images;
  double          *values[FS_CODE_VIEW_N_IMAGES];
  guint8          *rgba[FS_CODE_VIEW_N_IMAGES];
  char            *header;
  FsColormapTable *sequential;
  FsColormapTable *diverging;

  /* Laid out by update_layout (). */
  int              width;
  int              height;
  int              line_h;
  double           left, right, top, bottom, axis_y;
  gboolean         tiled;        /* the images are drawn */
  gboolean         titled;       /* with their titles */
  graphene_rect_t  tiles[FS_CODE_VIEW_N_IMAGES];
  GdkTexture      *textures[FS_CODE_VIEW_N_IMAGES];

  char            *readout;
  gint             selected;     /* the component read out, or -1 */
};

G_DEFINE_FINAL_TYPE (FsCodeView, fs_code_view, GTK_TYPE_WIDGET)

static const char *
image_title (FsCodeViewImage image)
{
  switch (image)
    {
    case FS_CODE_VIEW_SAMPLE:
      return _("Sample");
    case FS_CODE_VIEW_RECONSTRUCTION:
      return _("Reconstruction");
    case FS_CODE_VIEW_RESIDUAL:
    default:
      return _("Residual");
    }
}

static void
clear_sample (FsCodeView *self)
{
  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->strength, g_free);
  g_clear_pointer (&self->order, g_free);
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    {
      g_clear_pointer (&self->values[t], g_free);
      g_clear_pointer (&self->rgba[t], g_free);
      g_clear_object (&self->textures[t]);
    }
  self->rank = 0;
  self->n_strong = 0;
  self->n_zeros = 0;
  self->has_images = FALSE;
}

static gboolean
shows_sample (FsCodeView *self)
{
  return self->code != NULL;
}

/* max |W| and whether any entry is negative: the chart's fixed scale. */
static void
scan_w (FsCodeView *self)
{
  const FsSnapshot *s = self->snapshot;
  gsize len = s->rows * s->rank;

  self->scale = 0.0;
  self->negative = FALSE;
  for (gsize k = 0; k < len; k++)
    if (isfinite (s->W[k]))
      {
        self->scale = MAX (self->scale, fabs (s->W[k]));
        self->negative |= s->W[k] < 0.0;
      }
  if (self->scale == 0.0)
    self->scale = 1.0;
}

static int
compare_strength (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const double *strength = data;
  double sa = strength[*(const guint *) a], sb = strength[*(const guint *) b];

  return sa < sb ? 1 : sa > sb ? -1 : (int) *(const guint *) a - (int) *(const guint *) b;
}

/* The code, its zeros and its components by strength |W[i, k]| ||h_k||. */
static void
compute_code (FsCodeView *self)
{
  const FsSnapshot *s = self->snapshot;
  guint r = s->rank;

  self->rank = r;
  self->code = g_memdup2 (s->W + (gsize) self->row * r, sizeof (double) * r);
  self->strength = g_new (double, r);
  self->order = g_new (guint, MAX (r, 1));
  for (guint k = 0; k < r; k++)
    {
      const double *h = s->H + (gsize) k * s->cols;
      double norm = 0.0;

      for (gsize j = 0; j < s->cols; j++)
        norm += h[j] * h[j];
      self->strength[k] = fabs (self->code[k]) * sqrt (norm);
      if (self->code[k] == 0.0)
        self->n_zeros++;
      if (self->strength[k] > 0.0)
        self->order[self->n_strong++] = k;
    }
  g_qsort_with_data (self->order, self->n_strong, sizeof (guint), compare_strength,
                     self->strength);
}

/* Row i of X, NaN where missing: from a sparse X's listed cells in
 * O(m), never a dense copy of X. */
static double *
copy_row (const FsMatrix *X,
          gsize           i)
{
  const FsSparse *sp = X->sparse;
  double *row;

  if (sp == NULL)
    return g_memdup2 (X->data + i * X->cols, sizeof (double) * X->cols);
  row = g_new (double, X->cols);
  for (gsize j = 0; j < X->cols; j++)
    row[j] = sp->zeros_are_values ? 0.0 : NAN;
  for (gsize p = sp->row_ptr[i]; p < sp->row_ptr[i + 1]; p++)
    row[sp->col_idx[p]] = sp->values[p];
  return row;
}

/* w_i H in O(m r), and the sample and residual beside it. */
static void
compute_images (FsCodeView *self)
{
  const FsSnapshot *s = self->snapshot;
  gsize m = s->cols;
  double *x = copy_row (self->X, (gsize) self->row);
  double *recon = g_new0 (double, m);
  double *resid = g_new (double, m);

  for (guint k = 0; k < self->rank; k++)
    if (self->code[k] != 0.0)
      for (gsize j = 0; j < m; j++)
        recon[j] += self->code[k] * s->H[(gsize) k * m + j];
  for (gsize j = 0; j < m; j++)
    resid[j] = x[j] - recon[j];
  self->values[FS_CODE_VIEW_SAMPLE] = x;
  self->values[FS_CODE_VIEW_RECONSTRUCTION] = recon;
  self->values[FS_CODE_VIEW_RESIDUAL] = resid;
  self->has_images = TRUE;
}

/* The images' colours at their own size, on the scales described above. */
static void
colour_images (FsCodeView *self)
{
  gsize h = self->image_height, w = self->image_width, m = h * w;
  double lo = INFINITY, hi = -INFINITY;

  for (guint t = FS_CODE_VIEW_SAMPLE; t <= FS_CODE_VIEW_RECONSTRUCTION; t++)
    for (gsize j = 0; j < m; j++)
      if (isfinite (self->values[t][j]))
        {
          lo = MIN (lo, self->values[t][j]);
          hi = MAX (hi, self->values[t][j]);
        }
  if (!(lo < hi))
    {
      lo = isfinite (lo) ? lo - 0.5 : 0.0;
      hi = lo + 1.0;
    }
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    self->rgba[t] = g_new (guint8, m * 4);
  fs_render_rgba (self->values[FS_CODE_VIEW_SAMPLE], h, w, lo, hi, self->sequential,
                  self->rgba[FS_CODE_VIEW_SAMPLE], w * 4);
  fs_render_rgba (self->values[FS_CODE_VIEW_RECONSTRUCTION], h, w, lo, hi, self->sequential,
                  self->rgba[FS_CODE_VIEW_RECONSTRUCTION], w * 4);
  fs_render_rgba (self->values[FS_CODE_VIEW_RESIDUAL], h, w, -(hi - lo) / 2.0, (hi - lo) / 2.0,
                  self->diverging, self->rgba[FS_CODE_VIEW_RESIDUAL], w * 4);
}

static void
update_header (FsCodeView *self)
{
  g_autofree char *number = NULL;
  g_autofree char *zeros = NULL;
  g_autofree char *rank = NULL;
  const char *label = NULL;

  g_free (self->header);
  if (!shows_sample (self))
    {
      self->header = g_strdup (_("Select a sample"));
      return;
    }
  /* Numbers are formatted apart: xgettext cannot see through the format macros. */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, self->row + 1);
  zeros = g_strdup_printf ("%u", self->n_zeros);
  rank = g_strdup_printf ("%u", self->rank);
  if (self->X->row_labels != NULL && self->X->row_labels[self->row] != NULL)
    label = self->X->row_labels[self->row];
  if (label != NULL)
    /* Translators: sample number, its row label, then how many of the r code entries are 0. */
    self->header = g_strdup_printf (_("Sample %s (%s) · %s of %s zero"), number, label, zeros, rank);
  else
    self->header = g_strdup_printf (_("Sample %s · %s of %s zero"), number, zeros, rank);
}

static gboolean
sample_is_valid (FsCodeView *self)
{
  const FsSnapshot *s = self->snapshot;

  return self->X != NULL && s != NULL && s->W != NULL && s->H != NULL && s->rank > 0 &&
         s->rows == self->X->rows && s->cols == self->X->cols && self->row >= 0 &&
         (guint64) self->row < s->rows;
}

static void update_layout (FsCodeView *self);
static void update_readout (FsCodeView *self, double x, double y);
static char *component_readout (FsCodeView *self, guint k);

static void
compute_sample (FsCodeView *self)
{
  clear_sample (self);
  if (sample_is_valid (self))
    {
      scan_w (self);
      compute_code (self);
      if (self->image_height > 0 &&
          self->image_height * self->image_width == self->snapshot->cols)
        {
          compute_images (self);
          colour_images (self);
        }
    }
  update_header (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->header, -1);
  update_layout (self);
  /* A component picked with the keys keeps its readout, with the new
   * value, as snapshots come in while the solver runs. */
  if (self->selected >= 0 && (guint) self->selected < self->rank && shows_sample (self))
    {
      g_free (self->readout);
      self->readout = component_readout (self, self->selected);
    }
  else
    update_readout (self, -1, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static int
text_width (FsCodeView *self,
            const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  self->line_h = h;
  return w;
}

/* An image enlarged to w × h pixels by repeating its pixels, upright. */
static GdkTexture *
enlarge_nearest (const guint8 *rgba,
                 gsize         rows,
                 gsize         cols,
                 int           w,
                 int           h)
{
  guint8 *pixels = g_new (guint8, (gsize) w * h * 4);
  g_autoptr(GBytes) bytes = NULL;

  for (int y = 0; y < h; y++)
    {
      gsize sy = MIN ((gsize) y * rows / h, rows - 1);

      for (int x = 0; x < w; x++)
        {
          gsize sx = MIN ((gsize) x * cols / w, cols - 1);

          memcpy (pixels + ((gsize) y * w + x) * 4, rgba + (sy * cols + sx) * 4, 4);
        }
    }
  bytes = g_bytes_new_take (pixels, (gsize) w * h * 4);
  return gdk_memory_texture_new (w, h, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, (gsize) w * 4);
}

/* The scale of an image fitting w × h, whole pixels per image pixel
 * when there is room for them. */
static double
tile_scale (FsCodeView *self,
            double      w,
            double      h)
{
  double s = MIN (w / self->image_width, h / self->image_height);

  return s >= 1.0 ? floor (s) : s;
}

static void
build_textures (FsCodeView *self)
{
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    {
      g_clear_object (&self->textures[t]);
      self->textures[t] = enlarge_nearest (self->rgba[t], self->image_height, self->image_width,
                                           (int) self->tiles[t].size.width,
                                           (int) self->tiles[t].size.height);
    }
}

/* Three titled tiles in a row under the chart, the image's aspect kept,
 * if the chart keeps CHART_MIN pixels and the tiles MIN_TILE; sets where
 * the chart's labels must end. */
static gboolean
place_tiles_below (FsCodeView *self,
                   double      chart_top,
                   double     *chart_bottom)
{
  double room_w = (self->width - 2.0 * PAD - 2.0 * GAP) / 3.0;
  double room_h = MIN (self->height * 0.5 - self->line_h - PAD,
                       self->height - PAD - self->line_h - 2 - chart_top - CHART_MIN -
                       self->line_h - TICK - 2);
  double s = tile_scale (self, room_w, room_h), tw, th, x0;

  tw = floor (self->image_width * s);
  th = floor (self->image_height * s);
  if (MIN (tw, th) < MIN_TILE)
    return FALSE;
  x0 = floor ((self->width - 3.0 * tw - 2.0 * GAP) / 2.0);
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    self->tiles[t] = GRAPHENE_RECT_INIT (x0 + t * (tw + GAP), self->height - PAD - th, tw, th);
  *chart_bottom = self->height - PAD - th - self->line_h - 2;
  self->titled = TRUE;
  return TRUE;
}

/* Where the widget is too short for that: three untitled tiles stacked
 * right of the chart (the readout names them); sets where the chart
 * ends. */
static gboolean
place_tiles_beside (FsCodeView *self,
                    double      chart_top,
                    double     *chart_right)
{
  double room_h = (self->height - PAD - chart_top - 2.0 * GAP) / 3.0;
  double s = tile_scale (self, self->width * 0.25, room_h), tw, th;

  tw = floor (self->image_width * s);
  th = floor (self->image_height * s);
  if (MIN (tw, th) < 4)
    return FALSE;
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    self->tiles[t] = GRAPHENE_RECT_INIT (self->width - PAD - tw, chart_top + t * (th + GAP), tw, th);
  *chart_right = self->width - PAD - tw - GAP;
  self->titled = FALSE;
  return TRUE;
}

static void
update_layout (FsCodeView *self)
{
  g_autofree char *widest = NULL;
  double chart_bottom, chart_right, header_bottom;

  self->tiled = FALSE;
  if (!shows_sample (self) || self->width <= 0 || self->height <= 0)
    return;

  widest = g_strdup_printf ("%.3g", -self->scale);
  self->left = PAD + text_width (self, widest) + TICK + 2;
  header_bottom = PAD + self->line_h + 4;
  /* Under the header, a line for the labels over the strongest bars. */
  self->top = header_bottom + self->line_h;
  chart_bottom = self->height - PAD;
  chart_right = self->width - PAD;
  if (self->has_images)
    self->tiled = place_tiles_below (self, self->top, &chart_bottom) ||
                  place_tiles_beside (self, header_bottom, &chart_right);
  if (self->tiled)
    build_textures (self);
  self->right = MAX (chart_right, self->left + 1);
  self->bottom = MAX (chart_bottom - self->line_h - TICK - 2, self->top + 2);
  self->axis_y = self->negative ? (self->top + self->bottom) / 2.0 : self->bottom;
}

double
fs_code_view_component_to_x (FsCodeView *self,
                             guint       component)
{
  g_return_val_if_fail (FS_IS_CODE_VIEW (self), NAN);

  return self->left + (component + 0.5) / MAX (self->rank, 1) * (self->right - self->left);
}

static double
value_to_y (FsCodeView *self,
            double      value)
{
  return self->axis_y - value / self->scale * (self->axis_y - self->top);
}

static gint
component_at (FsCodeView *self,
              double      x,
              double      y)
{
  if (!shows_sample (self) || x < self->left || x >= self->right || y < self->top - self->line_h ||
      y > self->bottom + TICK + self->line_h)
    return -1;
  return MIN ((gint) ((x - self->left) / (self->right - self->left) * self->rank),
              (gint) self->rank - 1);
}

static char *
value_text (double value)
{
  return value == 0.0 ? g_strdup (_("exactly 0")) : g_strdup_printf ("%.3g", value);
}

/* The image pixel under x, y as "Pixel (3, 4): …", or NULL. */
static char *
pixel_readout (FsCodeView *self,
               double      x,
               double      y)
{
  for (guint t = 0; self->tiled && t < FS_CODE_VIEW_N_IMAGES; t++)
    {
      const graphene_rect_t *r = &self->tiles[t];
      gsize py, px, j;
      g_autofree char *row = NULL, *col = NULL, *v0 = NULL, *v1 = NULL, *v2 = NULL;

      if (!graphene_rect_contains_point (r, &GRAPHENE_POINT_INIT (x, y)))
        continue;
      py = MIN ((gsize) ((y - r->origin.y) / r->size.height * self->image_height),
                self->image_height - 1);
      px = MIN ((gsize) ((x - r->origin.x) / r->size.width * self->image_width),
                self->image_width - 1);
      j = py * self->image_width + px;
      row = g_strdup_printf ("%" G_GSIZE_FORMAT, py + 1);
      col = g_strdup_printf ("%" G_GSIZE_FORMAT, px + 1);
      v0 = g_strdup_printf ("%.3g", self->values[FS_CODE_VIEW_SAMPLE][j]);
      v1 = g_strdup_printf ("%.3g", self->values[FS_CODE_VIEW_RECONSTRUCTION][j]);
      v2 = g_strdup_printf ("%.3g", self->values[FS_CODE_VIEW_RESIDUAL][j]);
      /* Translators: an image pixel's row and column, then its three values. */
      return g_strdup_printf (_("Pixel (%s, %s): sample %s, reconstruction %s, residual %s"),
                              row, col, v0, v1, v2);
    }
  return NULL;
}

static char *
component_readout (FsCodeView *self,
                   guint       k)
{
  g_autofree char *number = g_strdup_printf ("%u", k + 1);
  g_autofree char *value = value_text (self->code[k]);

  /* Translators: a component's number and the sample's code entry for it. */
  return g_strdup_printf (_("Component %s: %s"), number, value);
}

/* The readout at the pointer; x, y outside the widget clear it. */
static void
update_readout (FsCodeView *self,
                double      x,
                double      y)
{
  gint k = component_at (self, x, y);

  g_clear_pointer (&self->readout, g_free);
  self->selected = k;
  if (k >= 0)
    self->readout = component_readout (self, k);
  else if (shows_sample (self))
    self->readout = pixel_readout (self, x, y);
}

/* Left and Right (Home, End) step through the components, so that the
 * readout is there for the keyboard too. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsCodeView            *self)
{
  gint k = self->selected;

  if (!shows_sample (self))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      k = k < 0 ? (gint) self->rank - 1 : MAX (k - 1, 0);
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      k = MIN (k + 1, (gint) self->rank - 1);
      break;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      k = 0;
      break;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      k = (gint) self->rank - 1;
      break;
    default:
      return FALSE;
    }
  self->selected = k;
  g_free (self->readout);
  self->readout = component_readout (self, k);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
draw_axes (FsCodeView    *self,
           cairo_t       *cr,
           const GdkRGBA *fg)
{
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.12);
  cairo_move_to (cr, self->left, round (self->top) + 0.5);
  cairo_line_to (cr, self->right, round (self->top) + 0.5);
  if (self->negative)
    {
      cairo_move_to (cr, self->left, round (value_to_y (self, -self->scale)) + 0.5);
      cairo_line_to (cr, self->right, round (value_to_y (self, -self->scale)) + 0.5);
    }
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.6);
  cairo_move_to (cr, self->left + 0.5, self->top);
  cairo_line_to (cr, self->left + 0.5, self->bottom);
  cairo_move_to (cr, self->left, round (self->axis_y) + 0.5);
  cairo_line_to (cr, self->right, round (self->axis_y) + 0.5);
  cairo_stroke (cr);
}

/* One bar per non-zero entry, a hollow ring on the axis for each 0. */
static void
draw_bars (FsCodeView *self,
           cairo_t    *cr)
{
  double slot = (self->right - self->left) / self->rank;
  double bar_w = MAX (slot * 0.7, 1.0), ring = CLAMP (slot * 0.3, 2.0, 4.0);

  if (self->selected >= 0 && (guint) self->selected < self->rank)
    {
      cairo_set_source_rgba (cr, fs_plot_accent.red, fs_plot_accent.green, fs_plot_accent.blue, 0.15);
      cairo_rectangle (cr, self->left + self->selected * slot, self->top, slot,
                       self->bottom - self->top);
      cairo_fill (cr);
    }
  gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
  for (guint k = 0; k < self->rank; k++)
    if (self->code[k] != 0.0 && isfinite (self->code[k]))
      {
        double x = fs_code_view_component_to_x (self, k), y = value_to_y (self, self->code[k]);

        cairo_rectangle (cr, x - bar_w / 2.0, MIN (y, self->axis_y), bar_w,
                         MAX (fabs (y - self->axis_y), 1.0));
      }
  cairo_fill (cr);
  gdk_cairo_set_source_rgba (cr, &zero_colour);
  cairo_set_line_width (cr, 1.5);
  for (guint k = 0; k < self->rank; k++)
    if (self->code[k] == 0.0)
      {
        double x = fs_code_view_component_to_x (self, k);

        cairo_new_sub_path (cr);
        cairo_arc (cr, x, self->axis_y - (self->negative ? 0.0 : ring), ring, 0, 2 * G_PI);
      }
  cairo_stroke (cr);
}

/* Writes text at x, y (kept inside the widget), shortened with an
 * ellipsis to max_width (0: the widget's width). */
static double
text_at (FsCodeView    *self,
         GtkSnapshot   *snapshot,
         const char    *text,
         double         x,
         double         y,
         const GdkRGBA *colour,
         double         max_width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  if (max_width <= 0)
    max_width = self->width - PAD;
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (layout, (int) MAX (max_width, 1) * PANGO_SCALE);
  pango_layout_get_pixel_size (layout, &w, &h);
  x = CLAMP (x, 0, MAX (self->width - w, 0));
  fs_plot_append_layout (snapshot, layout, x, y, colour);
  return x + w;
}

/* The n-th strongest component's badge over its bar: its rank in
 * strength, 1 to N_LABELLED, in a disc of the accent colour, as the
 * gallery marks the same component's tile. */
static void
snapshot_strength_badge (FsCodeView  *self,
                         GtkSnapshot *snapshot,
                         guint        n)
{
  static const GdkRGBA white = { 1, 1, 1, 1 };
  guint k = self->order[n];
  g_autofree char *text = g_strdup_printf ("%u", n + 1);
  double d = self->line_h + 2;
  double x = fs_code_view_component_to_x (self, k);
  double y = self->code[k] > 0 ? value_to_y (self, self->code[k]) - d - 1
                               : value_to_y (self, self->code[k]) + 1;
  GskRoundedRect disc;

  y = CLAMP (y, self->top - self->line_h, self->bottom);
  gsk_rounded_rect_init_from_rect (&disc, &GRAPHENE_RECT_INIT (x - d / 2, y, d, d), d / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &disc);
  gtk_snapshot_append_color (snapshot, &fs_plot_accent, &disc.bounds);
  gtk_snapshot_pop (snapshot);
  text_at (self, snapshot, text, x - text_width (self, text) / 2.0, y + 1, &white, 0);
}

/* Component numbers under the chart, 1, 2, 5, 10 … apart so that they
 * do not touch, and the strongest components' badges over their bars. */
static void
snapshot_component_labels (FsCodeView    *self,
                           GtkSnapshot   *snapshot,
                           const GdkRGBA *fg)
{
  static const guint steps[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
  g_autofree char *widest = g_strdup_printf ("%u", self->rank);
  double slot = (self->right - self->left) / self->rank;
  int w = text_width (self, widest) + 4;
  guint step = steps[G_N_ELEMENTS (steps) - 1];

  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    if (steps[s] * slot >= w)
      {
        step = steps[s];
        break;
      }
  for (guint k = 0; k < self->rank; k++)
    if (k == 0 || (k + 1) % step == 0)
      {
        g_autofree char *text = g_strdup_printf ("%u", k + 1);

        text_at (self, snapshot, text,
                 fs_code_view_component_to_x (self, k) - text_width (self, text) / 2.0,
                 self->bottom + TICK, fg, 0);
      }
  for (guint n = 0; n < MIN (self->n_strong, N_LABELLED); n++)
    snapshot_strength_badge (self, snapshot, n);
}

static void
snapshot_scale_labels (FsCodeView    *self,
                       GtkSnapshot   *snapshot,
                       const GdkRGBA *fg)
{
  double values[] = { self->scale, 0.0, -self->scale };

  for (guint t = 0; t < (self->negative ? 3 : 2); t++)
    {
      g_autofree char *text = g_strdup_printf ("%.3g", values[t]);

      text_at (self, snapshot, text, self->left - TICK - text_width (self, text),
               value_to_y (self, values[t]) - self->line_h / 2.0, fg, 0);
    }
}

static void
snapshot_tiles (FsCodeView    *self,
                GtkSnapshot   *snapshot,
                const GdkRGBA *fg)
{
  for (guint t = 0; t < FS_CODE_VIEW_N_IMAGES; t++)
    {
      const graphene_rect_t *r = &self->tiles[t];
      const char *title = image_title (t);
      int w = text_width (self, title);

      /* A title wider than its tile is shortened by the ellipsis. */
      if (self->titled)
        text_at (self, snapshot, title, r->origin.x + (r->size.width - MIN (w, r->size.width)) / 2.0,
                 r->origin.y - self->line_h - 1, fg, r->size.width);
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.5, 0.5, 0.5, 1.0 }, r);
      gtk_snapshot_append_texture (snapshot, self->textures[t], r);
    }
}

static void
fs_code_view_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FsCodeView *self = FS_CODE_VIEW (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (self->width <= 0 || self->height <= 0)
    return;
  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (!shows_sample (self))
    {
      GdkRGBA dim = { fg.red, fg.green, fg.blue, 0.55 };

      text_at (self, snapshot, self->header, PAD, PAD, &dim, 0);
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  draw_axes (self, cr, &fg);
  draw_bars (self, cr);
  cairo_destroy (cr);
  snapshot_scale_labels (self, snapshot, &fg);
  snapshot_component_labels (self, snapshot, &fg);
  if (self->tiled)
    snapshot_tiles (self, snapshot, &fg);
  text_at (self, snapshot, self->readout != NULL ? self->readout : self->header, PAD, PAD,
           &fg, 0);
}

static void
fs_code_view_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  FsCodeView *self = FS_CODE_VIEW (widget);

  self->width = width;
  self->height = height;
  update_layout (self);
}

static void
fs_code_view_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 320;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsCodeView               *self)
{
  update_readout (self, x, y);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsCodeView               *self)
{
  update_readout (self, -1, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fs_code_view_dispose (GObject *object)
{
  FsCodeView *self = FS_CODE_VIEW (object);

  clear_sample (self);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);

  G_OBJECT_CLASS (fs_code_view_parent_class)->dispose (object);
}

static void
fs_code_view_finalize (GObject *object)
{
  FsCodeView *self = FS_CODE_VIEW (object);

  g_free (self->header);
  g_free (self->readout);
  g_free (self->sequential);
  g_free (self->diverging);

  G_OBJECT_CLASS (fs_code_view_parent_class)->finalize (object);
}

static void
fs_code_view_class_init (FsCodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_code_view_dispose;
  object_class->finalize = fs_code_view_finalize;
  widget_class->measure = fs_code_view_measure;
  widget_class->size_allocate = fs_code_view_size_allocate;
  widget_class->snapshot = fs_code_view_snapshot;

  gtk_widget_class_set_css_name (widget_class, "codeview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_code_view_init (FsCodeView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->row = -1;
  self->selected = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->sequential = g_new (FsColormapTable, 1);
  self->diverging = g_new (FsColormapTable, 1);
  fs_colormap_table_init (self->sequential, FS_COLORMAP_SEQUENTIAL);
  fs_colormap_table_init (self->diverging, FS_COLORMAP_DIVERGING);
  self->header = g_strdup (_("Select a sample"));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sample code"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->header,
                                  -1);
}

GtkWidget *
fs_code_view_new (void)
{
  return g_object_new (FS_TYPE_CODE_VIEW, NULL);
}

void
fs_code_view_set_sample (FsCodeView *self,
                         FsMatrix   *X,
                         FsSnapshot *snapshot,
                         gint64      row,
                         gsize       image_height,
                         gsize       image_width)
{
  g_return_if_fail (FS_IS_CODE_VIEW (self));

  if (X == self->X && snapshot == self->snapshot && row == self->row &&
      image_height == self->image_height && image_width == self->image_width)
    return;
  if (X != self->X)
    {
      g_clear_pointer (&self->X, fs_matrix_unref);
      self->X = X != NULL ? fs_matrix_ref (X) : NULL;
    }
  if (snapshot != self->snapshot)
    {
      g_clear_pointer (&self->snapshot, fs_snapshot_unref);
      self->snapshot = snapshot != NULL ? fs_snapshot_ref (snapshot) : NULL;
    }
  self->row = row;
  self->image_height = image_height;
  self->image_width = image_width;
  compute_sample (self);
}

gint64
fs_code_view_get_row (FsCodeView *self)
{
  g_return_val_if_fail (FS_IS_CODE_VIEW (self), -1);
  return shows_sample (self) ? self->row : -1;
}

guint
fs_code_view_get_strongest (FsCodeView *self,
                            guint      *components,
                            guint       max)
{
  guint n;

  g_return_val_if_fail (FS_IS_CODE_VIEW (self), 0);
  g_return_val_if_fail (components != NULL || max == 0, 0);

  n = MIN (self->n_strong, max);
  for (guint k = 0; k < n; k++)
    components[k] = self->order[k];
  return n;
}

guint
fs_code_view_get_n_zeros (FsCodeView *self)
{
  g_return_val_if_fail (FS_IS_CODE_VIEW (self), 0);
  return self->n_zeros;
}

const char *
fs_code_view_get_readout (FsCodeView *self)
{
  g_return_val_if_fail (FS_IS_CODE_VIEW (self), NULL);
  return self->readout;
}

gboolean
fs_code_view_get_image_area (FsCodeView      *self,
                             FsCodeViewImage  image,
                             graphene_rect_t *area)
{
  g_return_val_if_fail (FS_IS_CODE_VIEW (self), FALSE);
  g_return_val_if_fail (image < FS_CODE_VIEW_N_IMAGES, FALSE);

  if (!self->tiled)
    return FALSE;
  if (area != NULL)
    *area = self->tiles[image];
  return TRUE;
}
