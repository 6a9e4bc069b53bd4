/* fs-loss-plot.c
 *
 * As in sysprof's line layer, all the work is done when data or size
 * change (update ()): each run's history is decimated to one min/max pair
 * per pixel column and mapped to pixels, tick labels are laid out. The
 * snapshot only strokes those points. The pointer readout is drawn apart
 * from the curves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-loss-plot"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-loss-plot.h"

#define MAX_TICKS 8
#define PAD 8
#define TICK 4

typedef struct
{
  gsize   n;
  double *x;
  double *y_min;
  double *y_max;
} Curve;

struct _FsLossPlot
{
  GtkWidget    parent_instance;

  FsSnapshot  *snapshot;
  double       optimum;
  gboolean     log_scale;

  /* Built by update (). */
  int          width;
  int          height;
  double       left, right, top, bottom;   /* plot area in widget coordinates */
  double       y_lo, y_hi;                 /* data range (log10 of it on a log axis) */
  double       x_hi;                       /* largest iteration shown */
  GArray      *curves;                     /* Curve, one per run */
  gint         highlighted;
  GPtrArray   *y_labels;                   /* PangoLayout */
  double       y_ticks[MAX_TICKS];
  guint        n_y_ticks;
  GPtrArray   *x_labels;
  double       x_ticks[MAX_TICKS];
  guint        n_x_ticks;
  PangoLayout *optimum_label;

  /* The pointer, and the point of the curve under it. */
  gboolean     hover;
  double       pointer_x;
  double       hover_x, hover_y;
  char        *readout;
  PangoLayout *readout_layout;
};

enum
{
  PROP_0,
  PROP_LOG_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FsLossPlot, fs_loss_plot, GTK_TYPE_WIDGET)

static void
curve_clear (gpointer data)
{
  Curve *c = data;

  g_free (c->x);
  g_free (c->y_min);
  g_free (c->y_max);
}

static double
transform (FsLossPlot *self,
           double      value)
{
  if (!self->log_scale)
    return value;
  return log10 (MAX (value, 1e-300));
}

/* Widget y of a cost. */
double
fs_loss_plot_value_to_y (FsLossPlot *self,
                         double      value)
{
  double t = (transform (self, value) - self->y_lo) / (self->y_hi - self->y_lo);

  return self->bottom - t * (self->bottom - self->top);
}

double
fs_loss_plot_iteration_to_x (FsLossPlot *self,
                             double      iteration)
{
  return self->left + iteration / MAX (self->x_hi, 1.0) * (self->right - self->left);
}

static PangoLayout *
layout_for (FsLossPlot *self,
            const char *text)
{
  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

/* Far outside the plot (a cost of 1e300), pixels stay near it: cairo's
 * fixed-point coordinates must not overflow. NaN stays NaN. */
static double
clamp_y (FsLossPlot *self,
         double      y)
{
  return isnan (y) ? y : CLAMP (y, self->top - 1000.0, self->bottom + 1000.0);
}

/* Decimates each run to one min/max pair per pixel column (in place in
 * the cost logs, one pass), takes the range from those pairs and f*, then
 * ticks, margins, and the pairs mapped to pixels. */
static void
update (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  double lo = INFINITY, hi = -INFINITY;
  int label_w = 0, label_h = 0;
  gsize columns;

  self->width = gtk_widget_get_width (GTK_WIDGET (self));
  self->height = gtk_widget_get_height (GTK_WIDGET (self));
  g_array_set_size (self->curves, 0);
  g_ptr_array_set_size (self->y_labels, 0);
  g_ptr_array_set_size (self->x_labels, 0);
  g_clear_object (&self->optimum_label);
  self->n_x_ticks = self->n_y_ticks = 0;
  self->x_hi = 1.0;
  self->highlighted = -1;

  /* Columns come from the width before the y labels are known; a few
   * pixels more or less only change how finely the history is cut. */
  columns = (gsize) MAX (self->width, 1);
  if (s != NULL)
    for (guint r = 0; r <= s->run; r++)
      {
        gsize len = s->log_lengths[r];
        Curve c = { 0 };

        self->x_hi = MAX (self->x_hi, (double) len - 1);
        c.x = g_new (double, MIN (len, columns));
        c.y_min = g_new (double, MIN (len, columns));
        c.y_max = g_new (double, MIN (len, columns));
        c.n = fs_decimate_min_max (s->logs[r], len, columns, c.y_min, c.y_max);
        for (gsize k = 0; k < c.n; k++)
          {
            double v_lo = c.y_min[k], v_hi = c.y_max[k];

            if (isnan (v_lo))
              continue;
            if (self->log_scale && v_lo <= 0.0)
              v_lo = v_hi > 0.0 ? v_hi : INFINITY;
            lo = MIN (lo, v_lo);
            hi = MAX (hi, self->log_scale && v_hi <= 0.0 ? -INFINITY : v_hi);
          }
        g_array_append_val (self->curves, c);
      }
  if (isfinite (self->optimum) && (!self->log_scale || self->optimum > 0.0))
    {
      lo = MIN (lo, self->optimum);
      hi = MAX (hi, self->optimum);
    }
  if (!(lo <= hi))
    {
      lo = self->log_scale ? 0.1 : 0.0;
      hi = 1.0;
    }

  if (self->log_scale)
    {
      self->y_lo = floor (log10 (lo));
      self->y_hi = MAX (ceil (log10 (hi)), self->y_lo + 1);
      self->n_y_ticks = fs_log_ticks (pow (10, self->y_lo), pow (10, self->y_hi),
                                      self->y_ticks, MAX_TICKS);
    }
  else
    {
      lo = MIN (lo, 0.0);
      self->n_y_ticks = fs_linear_ticks (lo, hi, self->y_ticks, MAX_TICKS);
      self->y_lo = lo;
      self->y_hi = hi > lo ? hi : lo + 1.0;
    }
  /* At least ten iterations wide, so the first steps have whole ticks. */
  self->x_hi = MAX (self->x_hi, 10.0);
  self->n_x_ticks = fs_linear_ticks (0.0, self->x_hi, self->x_ticks, 6);

  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->y_ticks[t]);
      PangoLayout *layout = layout_for (self, text);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      label_w = MAX (label_w, w);
      label_h = MAX (label_h, h);
      g_ptr_array_add (self->y_labels, layout);
    }
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->x_ticks[t]);

      g_ptr_array_add (self->x_labels, layout_for (self, text));
    }

  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD, self->left + 1);
  self->top = PAD + label_h / 2.0;
  self->bottom = MAX (self->height - PAD - label_h - TICK, self->top + 1);

  if (isfinite (self->optimum))
    {
      g_autofree char *text = g_strdup_printf (_("f* = %.4g"), self->optimum);

      self->optimum_label = layout_for (self, text);
    }

  if (s == NULL)
    return;

  self->highlighted = s->best_run >= 0 && s->state == FS_RUNNER_FINISHED ? s->best_run
                                                                          : (gint) s->run;
  for (guint r = 0; r < self->curves->len; r++)
    {
      Curve *c = &g_array_index (self->curves, Curve, r);
      gsize len = s->log_lengths[r];

      for (gsize k = 0; k < c->n; k++)
        {
          gsize first = k * len / c->n, end = (k + 1) * len / c->n;

          c->x[k] = fs_loss_plot_iteration_to_x (self, (first + end - 1) / 2.0);
          c->y_min[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->y_min[k]));
          c->y_max[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->y_max[k]));
        }
    }
}

static void
update_readout (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  double iteration;
  gsize index;

  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->readout_layout);
  if (!self->hover || s == NULL || self->highlighted < 0 ||
      self->pointer_x < self->left || self->pointer_x > self->right)
    return;

  iteration = (self->pointer_x - self->left) / (self->right - self->left) * self->x_hi;
  index = (gsize) MAX (0.0, round (iteration));
  if (index >= s->log_lengths[self->highlighted])
    return;

  self->readout = g_strdup_printf (_("iteration %lu: cost %.6g"), index,
                                   fs_cost_log_get (s->logs[self->highlighted], index));
  self->readout_layout = layout_for (self, self->readout);
  self->hover_y = fs_loss_plot_value_to_y (self, fs_cost_log_get (s->logs[self->highlighted], index));
  self->hover_x = fs_loss_plot_iteration_to_x (self, index);
}

static void
draw_curve (cairo_t     *cr,
            const Curve *c)
{
  gboolean drawing = FALSE;

  /* A run at iteration 0 has one cost: a dot, so it shows. */
  if (c->n == 1 && isfinite (c->y_min[0]))
    {
      cairo_arc (cr, c->x[0], (c->y_min[0] + c->y_max[0]) / 2.0, 3.0, 0, 2 * G_PI);
      cairo_fill (cr);
      return;
    }

  /* Columns with no finite cost (a diverged run) break the line. */
  for (gsize k = 0; k < c->n; k++)
    {
      double mid = (c->y_min[k] + c->y_max[k]) / 2.0;

      if (!isfinite (mid))
        drawing = FALSE;
      else if (!drawing)
        {
          cairo_move_to (cr, c->x[k], mid);
          drawing = TRUE;
        }
      else
        cairo_line_to (cr, c->x[k], mid);
    }
  cairo_stroke (cr);

  /* The envelope: where a column holds many iterations, its range. */
  for (gsize k = 0; k < c->n; k++)
    if (c->y_min[k] - c->y_max[k] > 1.0)
      {
        cairo_move_to (cr, c->x[k], c->y_min[k]);
        cairo_line_to (cr, c->x[k], c->y_max[k]);
      }
  cairo_stroke (cr);
}

static void
fs_loss_plot_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FsLossPlot *self = FS_LOSS_PLOT (widget);
  GdkRGBA fg, accent = { 0.21, 0.52, 0.89, 1.0 }, optimum_colour = { 0.15, 0.64, 0.41, 1.0 };
  cairo_t *cr;

  if (self->width <= 0 || self->height <= 0)
    return;

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));

  /* Axes, ticks and grid. */
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      double y = round (fs_loss_plot_value_to_y (self, self->y_ticks[t])) + 0.5;

      cairo_move_to (cr, self->left, y);
      cairo_line_to (cr, self->right, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
  cairo_move_to (cr, self->left + 0.5, self->top);
  cairo_line_to (cr, self->left + 0.5, self->bottom + 0.5);
  cairo_line_to (cr, self->right, self->bottom + 0.5);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      double y = round (fs_loss_plot_value_to_y (self, self->y_ticks[t])) + 0.5;

      cairo_move_to (cr, self->left - TICK, y);
      cairo_line_to (cr, self->left, y);
    }
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      double x = round (fs_loss_plot_iteration_to_x (self, self->x_ticks[t])) + 0.5;

      cairo_move_to (cr, x, self->bottom);
      cairo_line_to (cr, x, self->bottom + TICK);
    }
  cairo_stroke (cr);

  /* The curves: faint for other runs, the best (or current) one on top. */
  cairo_save (cr);
  cairo_rectangle (cr, self->left, self->top - 2, self->right - self->left, self->bottom - self->top + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint r = 0; r < self->curves->len; r++)
    if ((gint) r != self->highlighted)
      {
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.3);
        cairo_set_line_width (cr, 1.0);
        draw_curve (cr, &g_array_index (self->curves, Curve, r));
      }
  if (self->highlighted >= 0 && (guint) self->highlighted < self->curves->len)
    {
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_set_line_width (cr, 2.0);
      draw_curve (cr, &g_array_index (self->curves, Curve, self->highlighted));
    }

  if (isfinite (self->optimum) && (!self->log_scale || self->optimum > 0.0))
    {
      double y = round (fs_loss_plot_value_to_y (self, self->optimum)) + 0.5;
      const double dash[] = { 6.0, 4.0 };

      gdk_cairo_set_source_rgba (cr, &optimum_colour);
      cairo_set_line_width (cr, 1.5);
      cairo_set_dash (cr, dash, 2, 0);
      cairo_move_to (cr, self->left, y);
      cairo_line_to (cr, self->right, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
  cairo_restore (cr);

  if (self->readout != NULL)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.35);
      cairo_move_to (cr, self->hover_x + 0.5, self->top);
      cairo_line_to (cr, self->hover_x + 0.5, self->bottom);
      cairo_stroke (cr);
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_arc (cr, self->hover_x, self->hover_y, 4.0, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);

  /* Labels. */
  for (guint t = 0; t < self->y_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->y_labels, t);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (
        self->left - TICK - 2 - w, fs_loss_plot_value_to_y (self, self->y_ticks[t]) - h / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
  for (guint t = 0; t < self->x_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->x_labels, t);
      int w, h;
      double x;

      pango_layout_get_pixel_size (layout, &w, &h);
      x = CLAMP (fs_loss_plot_iteration_to_x (self, self->x_ticks[t]) - w / 2.0, 0, self->width - w);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, self->bottom + TICK));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
  if (self->optimum_label != NULL && (!self->log_scale || self->optimum > 0.0))
    {
      int w, h;

      pango_layout_get_pixel_size (self->optimum_label, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (
        self->right - w - 4, fs_loss_plot_value_to_y (self, self->optimum) - h - 1));
      gtk_snapshot_append_layout (snapshot, self->optimum_label, &optimum_colour);
      gtk_snapshot_restore (snapshot);
    }
  if (self->readout_layout != NULL)
    {
      int w, h;

      pango_layout_get_pixel_size (self->readout_layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (self->right - w - 4, self->top));
      gtk_snapshot_append_layout (snapshot, self->readout_layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
}

static void
fs_loss_plot_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  FsLossPlot *self = FS_LOSS_PLOT (widget);

  if (width != self->width || height != self->height)
    update (self);
}

static void
fs_loss_plot_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 220;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsLossPlot               *self)
{
  self->hover = TRUE;
  self->pointer_x = x;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsLossPlot               *self)
{
  self->hover = FALSE;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fs_loss_plot_dispose (GObject *object)
{
  FsLossPlot *self = FS_LOSS_PLOT (object);

  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  g_clear_pointer (&self->curves, g_array_unref);
  g_clear_pointer (&self->y_labels, g_ptr_array_unref);
  g_clear_pointer (&self->x_labels, g_ptr_array_unref);
  g_clear_object (&self->optimum_label);
  g_clear_object (&self->readout_layout);
  g_clear_pointer (&self->readout, g_free);

  G_OBJECT_CLASS (fs_loss_plot_parent_class)->dispose (object);
}

static void
fs_loss_plot_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FsLossPlot *self = FS_LOSS_PLOT (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_loss_plot_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FsLossPlot *self = FS_LOSS_PLOT (object);

  switch (prop_id)
    {
    case PROP_LOG_SCALE:
      fs_loss_plot_set_log_scale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_loss_plot_class_init (FsLossPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_loss_plot_dispose;
  object_class->get_property = fs_loss_plot_get_property;
  object_class->set_property = fs_loss_plot_set_property;
  widget_class->measure = fs_loss_plot_measure;
  widget_class->size_allocate = fs_loss_plot_size_allocate;
  widget_class->snapshot = fs_loss_plot_snapshot;

  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "lossplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_loss_plot_init (FsLossPlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->log_scale = TRUE;
  self->optimum = NAN;
  self->curves = g_array_new (FALSE, TRUE, sizeof (Curve));
  g_array_set_clear_func (self->curves, curve_clear);
  self->y_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->x_labels = g_ptr_array_new_with_free_func (g_object_unref);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cost against iteration"), -1);
}

GtkWidget *
fs_loss_plot_new (void)
{
  return g_object_new (FS_TYPE_LOSS_PLOT, NULL);
}

void
fs_loss_plot_set_snapshot (FsLossPlot *self,
                           FsSnapshot *snapshot)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  if (self->snapshot == snapshot)
    return;
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  self->snapshot = snapshot != NULL ? fs_snapshot_ref (snapshot) : NULL;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* NAN when the optimum is not available. */
void
fs_loss_plot_set_optimum (FsLossPlot *self,
                          double      optimum)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  if (self->optimum == optimum || (isnan (optimum) && isnan (self->optimum)))
    return;
  self->optimum = optimum;
  update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
fs_loss_plot_set_log_scale (FsLossPlot *self,
                            gboolean    log_scale)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  log_scale = !!log_scale;
  if (self->log_scale == log_scale)
    return;
  self->log_scale = log_scale;
  update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

gboolean
fs_loss_plot_get_log_scale (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), TRUE);
  return self->log_scale;
}

/* The readout under the pointer, or NULL. */
const char *
fs_loss_plot_get_readout (FsLossPlot *self)
{
  return self->readout;
}
