/* fs-spectrum.c
 *
 * Singular values on a log axis: X's as grey points joined by a line, W
 * H's as points in the accent colour, the threshold sqrt (l2_w l2_h) as a
 * dashed line (a singular value of X below it cannot survive the
 * shrinkage) and the rank cut between index r and r + 1. A value of 0
 * (below TINY) has no place on a log axis: it is drawn as an open marker
 * on the bottom edge, and the readout says it is exactly 0.
 *
 * The legend is a row of its own above the plot, so that it never covers
 * a point; entries that do not fit a narrow widget are left out from the
 * end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-spectrum"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-plot-draw.h"
#include "fs-spectrum.h"

#define MAX_TICKS 6
#define PAD 6
#define TICK 4
#define RADIUS 3.0
#define TINY 1e-300

static const GdkRGBA threshold_colour = { 0.15, 0.64, 0.41, 1.0 };
/* Adwaita's purple 3, as the loss plot's marks of change. */
static const GdkRGBA rank_colour = { 0.57, 0.25, 0.67, 1.0 };

typedef enum
{
  LEGEND_DATA,
  LEGEND_FIT,
  LEGEND_THRESHOLD,
  LEGEND_RANK,
  N_LEGEND
} LegendEntry;

struct _FsSpectrum
{
  GtkWidget  parent_instance;

  GArray    *data;        /* double, descending */
  GArray    *fit;
  double     threshold;   /* 0: none */
  guint      rank;

  /* Laid out by update (). */
  int        width;
  int        height;
  double     left, right, top, bottom;
  double     y_lo, y_hi;  /* log10 of the value axis's range */
  double     y_ticks[MAX_TICKS];
  guint      n_y_ticks;
  int        line_h;
  guint      legend;      /* the entries drawn, 1 << LegendEntry each */

  gint64     hover;       /* index 1 … n_shown, or 0 */
  char      *readout;
};

G_DEFINE_FINAL_TYPE (FsSpectrum, fs_spectrum, GTK_TYPE_WIDGET)

static GdkRGBA
data_colour (const GdkRGBA *fg)
{
  return (GdkRGBA) { fg->red, fg->green, fg->blue, 0.45 };
}

gsize
fs_spectrum_get_n_shown (FsSpectrum *self)
{
  g_return_val_if_fail (FS_IS_SPECTRUM (self), 0);

  return MAX (MIN (self->data->len, 3 * (gsize) self->rank), self->fit->len);
}

static double
value_at (GArray *values,
          gsize   index)
{
  return index >= 1 && index <= values->len ? g_array_index (values, double, index - 1) : NAN;
}

double
fs_spectrum_value_to_y (FsSpectrum *self,
                        double      value)
{
  double t;

  g_return_val_if_fail (FS_IS_SPECTRUM (self), NAN);

  t = (log10 (MAX (value, TINY)) - self->y_lo) / (self->y_hi - self->y_lo);
  return self->bottom - t * (self->bottom - self->top);
}

/* Index k (1 … n_shown) sits in the middle of the k-th of n_shown slots. */
double
fs_spectrum_index_to_x (FsSpectrum *self,
                        double      index)
{
  gsize n;

  g_return_val_if_fail (FS_IS_SPECTRUM (self), NAN);

  n = MAX (fs_spectrum_get_n_shown (self), 1);
  return self->left + (index - 0.5) / n * (self->right - self->left);
}

static void
widen (double *lo,
       double *hi,
       double  value)
{
  if (isfinite (value) && value > TINY)
    {
      *lo = MIN (*lo, value);
      *hi = MAX (*hi, value);
    }
}

/* Whole decades around the shown positive values and the threshold. */
static void
choose_value_axis (FsSpectrum *self)
{
  gsize n = fs_spectrum_get_n_shown (self);
  double lo = INFINITY, hi = -INFINITY;

  for (gsize k = 1; k <= n; k++)
    {
      widen (&lo, &hi, value_at (self->data, k));
      widen (&lo, &hi, value_at (self->fit, k));
    }
  widen (&lo, &hi, self->threshold);
  if (!(lo <= hi))
    {
      lo = 0.1;
      hi = 1.0;
    }
  /* A value on a whole decade would sit on the axis itself: a threshold
   * of exactly 1 vanished into it. Such a lowest value gets a decade
   * below. */
  self->y_lo = floor (log10 (lo) - 1e-9);
  self->y_hi = MAX (ceil (log10 (hi)), self->y_lo + 1);
  self->n_y_ticks = fs_log_ticks (pow (10, self->y_lo), pow (10, self->y_hi),
                                  self->y_ticks, MAX_TICKS);
}

static int
text_size (FsSpectrum *self,
           const char *text,
           int        *height)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (height != NULL)
    *height = h;
  return w;
}

static char *
legend_text (FsSpectrum  *self,
             LegendEntry  entry)
{
  switch (entry)
    {
    case LEGEND_DATA:
      return g_strdup (_("X"));
    case LEGEND_FIT:
      return g_strdup (_("W H"));
    case LEGEND_THRESHOLD:
      return g_strdup (_("√(λ_W λ_H)"));
    case LEGEND_RANK:
    default:
      return g_strdup (_("rank"));
    }
}

#define LEGEND_KEY 16
#define LEGEND_GAP 10

/* Each entry: a key LEGEND_KEY wide, a space, its text, a gap. */
static double
legend_entry_width (FsSpectrum  *self,
                    LegendEntry  entry)
{
  g_autofree char *text = legend_text (self, entry);

  return LEGEND_KEY + 4 + text_size (self, text, NULL) + LEGEND_GAP;
}

static gboolean
shows_rank (FsSpectrum *self)
{
  return self->rank > 0 && self->rank < fs_spectrum_get_n_shown (self);
}

/* The entries of what is drawn that fit the width, from the first. */
static void
fit_legend (FsSpectrum *self)
{
  double x = self->left;

  self->legend = 0;
  for (LegendEntry e = 0; e < N_LEGEND; e++)
    {
      if ((e == LEGEND_THRESHOLD && self->threshold == 0.0) ||
          (e == LEGEND_RANK && !shows_rank (self)))
        continue;
      x += legend_entry_width (self, e);
      if (x - LEGEND_GAP > self->width - PAD)
        break;
      self->legend |= 1u << e;
    }
}

static void
update (FsSpectrum *self)
{
  int label_w = 0;

  choose_value_axis (self);
  text_size (self, "0", &self->line_h);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->y_ticks[t]);

      label_w = MAX (label_w, text_size (self, text, NULL));
    }
  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD, self->left + 1);
  /* A row for the legend or the readout. */
  self->top = PAD + self->line_h + 4 + self->line_h / 2.0;
  self->bottom = MAX (self->height - PAD - self->line_h - TICK, self->top + 1);
  fit_legend (self);
}

static char *
value_text (double value)
{
  if (isnan (value))
    return NULL;
  if (value < TINY)
    return g_strdup (_("exactly 0"));
  return g_strdup_printf ("%.3g", value);
}

static void
update_readout (FsSpectrum *self)
{
  g_autofree char *index = NULL;
  g_autofree char *data = NULL;
  g_autofree char *fit = NULL;

  g_clear_pointer (&self->readout, g_free);
  if (self->hover < 1 || (gsize) self->hover > fs_spectrum_get_n_shown (self))
    return;

  index = g_strdup_printf ("%" G_GINT64_FORMAT, self->hover);
  data = value_text (value_at (self->data, self->hover));
  fit = value_text (value_at (self->fit, self->hover));
  if (data != NULL && fit != NULL)
    /* Translators: the index of a singular value, then those of X and of W H. */
    self->readout = g_strdup_printf (_("σ%s: X %s, WH %s"), index, data, fit);
  else if (data != NULL)
    self->readout = g_strdup_printf (_("σ%s: X %s"), index, data);
  else if (fit != NULL)
    self->readout = g_strdup_printf (_("σ%s: WH %s"), index, fit);
}

static double
plot_value_to_y (gpointer plot,
                 double   value)
{
  return fs_spectrum_value_to_y (plot, value);
}

static void
draw_axes (FsSpectrum    *self,
           cairo_t       *cr,
           const GdkRGBA *fg)
{
  FsPlotArea area = { self->left, self->top, self->right, self->bottom };

  fs_plot_stroke_frame (cr, fg, &area, self->y_ticks, self->n_y_ticks, plot_value_to_y, self, TICK);
  cairo_stroke (cr);
}

/* A filled point, or an open one on the bottom edge for a 0. */
static void
draw_point (FsSpectrum *self,
            cairo_t    *cr,
            double      x,
            double      value)
{
  if (value < TINY)
    {
      cairo_set_line_width (cr, 1.5);
      cairo_arc (cr, x, self->bottom - RADIUS, RADIUS, 0, 2 * G_PI);
      cairo_stroke (cr);
      return;
    }
  cairo_arc (cr, x, fs_spectrum_value_to_y (self, value), RADIUS, 0, 2 * G_PI);
  cairo_fill (cr);
}

/* X's values joined by a line broken at zeros, then the points. */
static void
draw_data (FsSpectrum    *self,
           cairo_t       *cr,
           const GdkRGBA *fg)
{
  gsize n = MIN (fs_spectrum_get_n_shown (self), self->data->len);
  GdkRGBA grey = data_colour (fg);
  gboolean drawing = FALSE;

  gdk_cairo_set_source_rgba (cr, &grey);
  cairo_set_line_width (cr, 1.0);
  for (gsize k = 1; k <= n; k++)
    {
      double v = value_at (self->data, k);
      double x = fs_spectrum_index_to_x (self, k);

      if (!(v >= TINY))
        drawing = FALSE;
      else if (drawing)
        cairo_line_to (cr, x, fs_spectrum_value_to_y (self, v));
      else
        {
          cairo_move_to (cr, x, fs_spectrum_value_to_y (self, v));
          drawing = TRUE;
        }
    }
  cairo_stroke (cr);
  for (gsize k = 1; k <= n; k++)
    draw_point (self, cr, fs_spectrum_index_to_x (self, k), value_at (self->data, k));
}

static void
draw_fit (FsSpectrum *self,
          cairo_t    *cr)
{
  gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
  for (gsize k = 1; k <= self->fit->len; k++)
    draw_point (self, cr, fs_spectrum_index_to_x (self, k), value_at (self->fit, k));
}

static void
draw_threshold_and_rank (FsSpectrum *self,
                         cairo_t    *cr)
{
  const double dash[] = { 6.0, 4.0 };

  cairo_set_line_width (cr, 1.5);
  if (self->threshold > TINY)
    {
      double y = round (fs_spectrum_value_to_y (self, self->threshold)) + 0.5;

      gdk_cairo_set_source_rgba (cr, &threshold_colour);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, self->left, y);
      cairo_line_to (cr, self->right, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  if (shows_rank (self))
    {
      double x = round (fs_spectrum_index_to_x (self, self->rank + 0.5)) + 0.5;

      gdk_cairo_set_source_rgba (cr, &rank_colour);
      cairo_move_to (cr, x, self->top);
      cairo_line_to (cr, x, self->bottom);
      cairo_stroke (cr);
    }
}

static void
draw_legend_key (FsSpectrum    *self,
                 cairo_t       *cr,
                 LegendEntry    entry,
                 double         x,
                 double         y,
                 const GdkRGBA *fg)
{
  GdkRGBA grey = data_colour (fg);
  const double dash[] = { 4.0, 2.0 };

  cairo_set_line_width (cr, 1.5);
  switch (entry)
    {
    case LEGEND_DATA:
      gdk_cairo_set_source_rgba (cr, &grey);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + LEGEND_KEY, y);
      cairo_stroke (cr);
      cairo_arc (cr, x + LEGEND_KEY / 2.0, y, RADIUS, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case LEGEND_FIT:
      gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
      cairo_arc (cr, x + LEGEND_KEY / 2.0, y, RADIUS, 0, 2 * G_PI);
      cairo_fill (cr);
      break;
    case LEGEND_THRESHOLD:
      gdk_cairo_set_source_rgba (cr, &threshold_colour);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + LEGEND_KEY, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      break;
    case LEGEND_RANK:
    default:
      gdk_cairo_set_source_rgba (cr, &rank_colour);
      cairo_move_to (cr, x + LEGEND_KEY / 2.0, y - 5);
      cairo_line_to (cr, x + LEGEND_KEY / 2.0, y + 5);
      cairo_stroke (cr);
    }
}

static double
text_at (FsSpectrum    *self,
         GtkSnapshot   *snapshot,
         const char    *text,
         double         x,
         double         y,
         const GdkRGBA *colour)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  x = CLAMP (x, 0, MAX (self->width - w, 0));
  fs_plot_append_layout (snapshot, layout, x, y, colour);
  return x + w;
}

/* The legend's row, or the readout in its place while the pointer is on
 * the plot. */
static void
snapshot_legend (FsSpectrum    *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  double x = self->left;
  cairo_t *cr;

  if (self->readout != NULL)
    {
      text_at (self, snapshot, self->readout, self->left, PAD, fg);
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  for (LegendEntry e = 0; e < N_LEGEND; e++)
    {
      g_autofree char *text = NULL;

      if (!(self->legend & (1u << e)))
        continue;
      text = legend_text (self, e);

      draw_legend_key (self, cr, e, x, PAD + self->line_h / 2.0, fg);
      text_at (self, snapshot, text, x + LEGEND_KEY + 4, PAD, fg);
      x += legend_entry_width (self, e);
    }
  cairo_destroy (cr);
}

/* Value ticks, index ticks (thinned so labels do not touch), and the
 * labels of the threshold and rank lines inside the plot. */
static void
snapshot_labels (FsSpectrum    *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  gsize n = fs_spectrum_get_n_shown (self);
  double ticks[MAX_TICKS], x_free = -G_MAXDOUBLE;
  guint n_ticks = n > 0 ? fs_whole_ticks (ticks, fs_linear_ticks (1, (double) n, ticks, MAX_TICKS)) : 0;

  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->y_ticks[t]);

      text_at (self, snapshot, text, self->left - TICK - 2 - text_size (self, text, NULL),
               fs_spectrum_value_to_y (self, self->y_ticks[t]) - self->line_h / 2.0, fg);
    }
  for (guint t = 0; t < n_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", ticks[t]);
      double x = fs_spectrum_index_to_x (self, ticks[t]) - text_size (self, text, NULL) / 2.0;

      if (x >= x_free)
        x_free = text_at (self, snapshot, text, x, self->bottom + TICK, fg) + 4;
    }
  if (self->threshold > TINY)
    {
      g_autofree char *text = g_strdup_printf ("%.3g", self->threshold);

      text_at (self, snapshot, text, self->right - text_size (self, text, NULL) - 2,
               fs_spectrum_value_to_y (self, self->threshold) - self->line_h - 1,
               &threshold_colour);
    }
  if (shows_rank (self))
    {
      g_autofree char *text = g_strdup_printf (_("rank %u"), self->rank);

      text_at (self, snapshot, text, fs_spectrum_index_to_x (self, self->rank + 0.5) + 3,
               self->top, &rank_colour);
    }
}

static void
fs_spectrum_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  FsSpectrum *self = FS_SPECTRUM (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (self->width <= 0 || self->height <= 0)
    return;
  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  draw_axes (self, cr, &fg);
  cairo_save (cr);
  cairo_rectangle (cr, self->left - RADIUS - 1, self->top - RADIUS - 1,
                   self->right - self->left + 2 * RADIUS + 2,
                   self->bottom - self->top + 2 * RADIUS + 2);
  cairo_clip (cr);
  draw_threshold_and_rank (self, cr);
  draw_data (self, cr, &fg);
  draw_fit (self, cr);
  cairo_restore (cr);
  if (self->hover > 0)
    {
      double x = round (fs_spectrum_index_to_x (self, self->hover)) + 0.5;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, x, self->top);
      cairo_line_to (cr, x, self->bottom);
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
  snapshot_labels (self, snapshot, &fg);
  snapshot_legend (self, snapshot, &fg);
}

static void
fs_spectrum_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  FsSpectrum *self = FS_SPECTRUM (widget);

  self->width = width;
  self->height = height;
  update (self);
}

static void
fs_spectrum_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 240;
}

static void
set_hover (FsSpectrum *self,
           gint64      index)
{
  if (index == self->hover)
    return;
  self->hover = index;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsSpectrum               *self)
{
  gsize n = fs_spectrum_get_n_shown (self);
  double index;

  if (n == 0 || x < self->left || x > self->right || y < self->top - RADIUS ||
      y > self->bottom + TICK)
    {
      set_hover (self, 0);
      return;
    }
  index = floor ((x - self->left) / (self->right - self->left) * n) + 1;
  set_hover (self, (gint64) CLAMP (index, 1, (double) n));
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsSpectrum               *self)
{
  set_hover (self, 0);
}

/* Left and Right (Home, End) step through the indices, so that the
 * readout is there for the keyboard too. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsSpectrum            *self)
{
  gint64 n = (gint64) fs_spectrum_get_n_shown (self);

  if (n == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      set_hover (self, self->hover < 1 ? n : MAX (self->hover - 1, 1));
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      set_hover (self, MIN (self->hover + 1, n));
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      set_hover (self, 1);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      set_hover (self, n);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
fs_spectrum_finalize (GObject *object)
{
  FsSpectrum *self = FS_SPECTRUM (object);

  g_array_unref (self->data);
  g_array_unref (self->fit);
  g_free (self->readout);

  G_OBJECT_CLASS (fs_spectrum_parent_class)->finalize (object);
}

static void
fs_spectrum_class_init (FsSpectrumClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = fs_spectrum_finalize;
  widget_class->measure = fs_spectrum_measure;
  widget_class->size_allocate = fs_spectrum_size_allocate;
  widget_class->snapshot = fs_spectrum_snapshot;

  gtk_widget_class_set_css_name (widget_class, "spectrum");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_spectrum_init (FsSpectrum *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->data = g_array_new (FALSE, FALSE, sizeof (double));
  self->fit = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Spectrum"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Singular values of X and of W H on a log axis"),
                                  -1);
}

GtkWidget *
fs_spectrum_new (void)
{
  return g_object_new (FS_TYPE_SPECTRUM, NULL);
}

static void
refresh (FsSpectrum *self)
{
  if ((gsize) MAX (self->hover, 0) > fs_spectrum_get_n_shown (self))
    self->hover = 0;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_values (GArray       *array,
            const double *values,
            gsize         n_values)
{
  g_array_set_size (array, 0);
  if (values != NULL && n_values > 0)
    g_array_append_vals (array, values, (guint) n_values);
}

void
fs_spectrum_set_data_values (FsSpectrum   *self,
                             const double *values,
                             gsize         n_values)
{
  g_return_if_fail (FS_IS_SPECTRUM (self));
  g_return_if_fail (n_values <= G_MAXUINT);

  set_values (self->data, values, n_values);
  refresh (self);
}

void
fs_spectrum_set_fit_values (FsSpectrum   *self,
                            const double *values,
                            gsize         n_values)
{
  g_return_if_fail (FS_IS_SPECTRUM (self));
  g_return_if_fail (n_values <= G_MAXUINT);

  set_values (self->fit, values, n_values);
  refresh (self);
}

/* sqrt (l2_w l2_h); 0 (or any value that is not a positive number) draws
 * no line. */
void
fs_spectrum_set_threshold (FsSpectrum *self,
                           double      threshold)
{
  g_return_if_fail (FS_IS_SPECTRUM (self));

  self->threshold = isfinite (threshold) && threshold > 0.0 ? threshold : 0.0;
  refresh (self);
}

void
fs_spectrum_set_rank (FsSpectrum *self,
                      guint       rank)
{
  g_return_if_fail (FS_IS_SPECTRUM (self));

  self->rank = rank;
  refresh (self);
}

/* The values at the index under the pointer, or NULL. */
const char *
fs_spectrum_get_readout (FsSpectrum *self)
{
  g_return_val_if_fail (FS_IS_SPECTRUM (self), NULL);
  return self->readout;
}

const double *
fs_spectrum_get_fit_values (FsSpectrum *self,
                            gsize      *n_values)
{
  g_return_val_if_fail (FS_IS_SPECTRUM (self), NULL);

  if (n_values != NULL)
    *n_values = self->fit->len;
  return self->fit->len > 0 ? (const double *) self->fit->data : NULL;
}
