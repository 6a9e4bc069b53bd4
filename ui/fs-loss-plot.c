/* fs-loss-plot.c
 *
 * As in sysprof's line layer, all the work is done when data, size or
 * options change (update ()): each run's history is decimated to one
 * min/max pair per pixel column (a finished run keeps its pairs from one
 * snapshot to the next), mapped to pixels, and stroked into two render
 * nodes, the axes and the curves; tick labels are laid out. The snapshot
 * only appends those nodes and labels. The pointer's marker and readout
 * are drawn apart, so that moving the pointer redraws nothing else.
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

static const GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 };
static const GdkRGBA optimum_colour = { 0.15, 0.64, 0.41, 1.0 };

/* One run's history: its decimated costs, kept while the run's log and
 * length and the number of columns stay, and the same in pixels. */
typedef struct
{
  FsCostLog *log;       /* a reference, so that the address stays its own */
  gsize      len;
  gsize      columns;
  gsize      n;
  double    *cost_min;
  double    *cost_max;
  double    *x;
  double    *y_min;
  double    *y_max;
} Curve;

struct _FsLossPlot
{
  GtkWidget      parent_instance;

  FsSnapshot    *snapshot;
  double         optimum;
  gboolean       log_scale;

  /* Built by update (). */
  int            width;
  int            height;
  double         left, right, top, bottom;   /* plot area in widget coordinates */
  double         y_lo, y_hi;                 /* data range (log10 of it on a log axis) */
  double         x_hi;                       /* largest iteration shown */
  GArray        *curves;                     /* Curve, one per run */
  gint           highlighted;
  GPtrArray     *y_labels;                   /* PangoLayout */
  double         y_ticks[MAX_TICKS];
  guint          n_y_ticks;
  GPtrArray     *x_labels;
  double         x_ticks[MAX_TICKS];
  guint          n_x_ticks;
  PangoLayout   *optimum_label;
  GdkRGBA        fg;                         /* the colour the nodes were drawn in */
  GskRenderNode *axes_node;
  GskRenderNode *curves_node;

  /* The pointer, and the point of the curve under it. */
  gboolean       hover;
  double         pointer_x;
  double         hover_x, hover_y;
  char          *readout;
  PangoLayout   *readout_layout;
};

enum
{
  PROP_0,
  PROP_LOG_SCALE,
  PROP_OPTIMUM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FsLossPlot, fs_loss_plot, GTK_TYPE_WIDGET)

static void
curve_clear (gpointer data)
{
  Curve *c = data;

  g_clear_pointer (&c->log, fs_cost_log_unref);
  g_free (c->cost_min);
  g_free (c->cost_max);
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
  double t;

  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NAN);

  t = (transform (self, value) - self->y_lo) / (self->y_hi - self->y_lo);
  return self->bottom - t * (self->bottom - self->top);
}

double
fs_loss_plot_iteration_to_x (FsLossPlot *self,
                             double      iteration)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NAN);

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

static gboolean
shows_optimum (FsLossPlot *self)
{
  return isfinite (self->optimum) && (!self->log_scale || self->optimum > 0.0);
}

/* Decimates the first len costs of log into columns min/max pairs (in
 * place in the cost log, one pass), unless the curve holds them already:
 * a finished run's log stops growing, so only the current run's is cut
 * again for each snapshot. */
static void
decimate_curve (Curve     *c,
                FsCostLog *log,
                gsize      len,
                gsize      columns)
{
  gsize n = MIN (len, columns);

  if (c->log == log && c->len == len && c->columns == columns)
    return;
  if (c->log != log)
    {
      g_clear_pointer (&c->log, fs_cost_log_unref);
      c->log = fs_cost_log_ref (log);
    }
  c->len = len;
  c->columns = columns;
  if (n != c->n)
    {
      c->cost_min = g_renew (double, c->cost_min, n);
      c->cost_max = g_renew (double, c->cost_max, n);
      c->x = g_renew (double, c->x, n);
      c->y_min = g_renew (double, c->y_min, n);
      c->y_max = g_renew (double, c->y_max, n);
      c->n = n;
    }
  fs_decimate_min_max (log, len, columns, c->cost_min, c->cost_max);
}

/* Widens [lo, hi] to a curve's costs; on a log axis, only positive ones. */
static void
widen_to_curve (FsLossPlot  *self,
                const Curve *c,
                double      *lo,
                double      *hi)
{
  for (gsize k = 0; k < c->n; k++)
    {
      double v_lo = c->cost_min[k], v_hi = c->cost_max[k];

      if (isnan (v_lo))
        continue;
      if (self->log_scale && v_lo <= 0.0)
        v_lo = v_hi > 0.0 ? v_hi : INFINITY;
      *lo = MIN (*lo, v_lo);
      *hi = MAX (*hi, self->log_scale && v_hi <= 0.0 ? -INFINITY : v_hi);
    }
}

/* Brings the curves up to the snapshot, and returns the range of costs
 * they and f* cover. Columns come from the width before the y labels are
 * known; a few pixels more or less only change how finely the history is
 * cut. */
static void
update_curves (FsLossPlot *self,
               double     *lo,
               double     *hi)
{
  FsSnapshot *s = self->snapshot;
  gsize columns = (gsize) MAX (self->width, 1);
  guint n_runs = s != NULL ? s->run + 1 : 0;

  *lo = INFINITY;
  *hi = -INFINITY;
  self->x_hi = 1.0;
  if (self->curves->len > n_runs)
    g_array_set_size (self->curves, n_runs);
  for (guint r = 0; r < n_runs; r++)
    {
      Curve *c;

      if (r >= self->curves->len)
        g_array_set_size (self->curves, r + 1);
      c = &g_array_index (self->curves, Curve, r);
      decimate_curve (c, s->logs[r], s->log_lengths[r], columns);
      self->x_hi = MAX (self->x_hi, (double) s->log_lengths[r] - 1);
      widen_to_curve (self, c, lo, hi);
    }
  if (shows_optimum (self))
    {
      *lo = MIN (*lo, self->optimum);
      *hi = MAX (*hi, self->optimum);
    }
  if (!(*lo <= *hi))
    {
      *lo = self->log_scale ? 0.1 : 0.0;
      *hi = 1.0;
    }
}

/* The axes' ranges and ticks for costs in [lo, hi]. */
static void
choose_axes (FsLossPlot *self,
             double      lo,
             double      hi)
{
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
}

/* Tick and f* labels, and the plot area they leave. */
static void
layout_labels (FsLossPlot *self)
{
  int label_w = 0, label_h = 0;

  g_ptr_array_set_size (self->y_labels, 0);
  g_ptr_array_set_size (self->x_labels, 0);
  g_clear_object (&self->optimum_label);
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
  if (isfinite (self->optimum))
    {
      g_autofree char *text = g_strdup_printf (_("f* = %.4g"), self->optimum);

      self->optimum_label = layout_for (self, text);
    }

  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD, self->left + 1);
  self->top = PAD + label_h / 2.0;
  self->bottom = MAX (self->height - PAD - label_h - TICK, self->top + 1);
}

/* The decimated costs in pixels, each column at its middle iteration. */
static void
map_curves (FsLossPlot *self)
{
  for (guint r = 0; r < self->curves->len; r++)
    {
      Curve *c = &g_array_index (self->curves, Curve, r);

      for (gsize k = 0; k < c->n; k++)
        {
          gsize first = k * c->len / c->n, end = (k + 1) * c->len / c->n;

          c->x[k] = fs_loss_plot_iteration_to_x (self, (first + end - 1) / 2.0);
          c->y_min[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->cost_min[k]));
          c->y_max[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->cost_max[k]));
        }
    }
}

static void
stroke_grid_and_axes (FsLossPlot    *self,
                      cairo_t       *cr,
                      const GdkRGBA *fg)
{
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.12);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      double y = round (fs_loss_plot_value_to_y (self, self->y_ticks[t])) + 0.5;

      cairo_move_to (cr, self->left, y);
      cairo_line_to (cr, self->right, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.6);
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
}

static void
stroke_curve (cairo_t     *cr,
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
stroke_optimum (FsLossPlot *self,
                cairo_t    *cr)
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

/* The curves, faint for other runs and the best (or current) one on top,
 * and the f* line, clipped to the plot area. */
static void
stroke_curves (FsLossPlot    *self,
               cairo_t       *cr,
               const GdkRGBA *fg)
{
  cairo_rectangle (cr, self->left, self->top - 2, self->right - self->left,
                   self->bottom - self->top + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint r = 0; r < self->curves->len; r++)
    if ((gint) r != self->highlighted)
      {
        cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.3);
        cairo_set_line_width (cr, 1.0);
        stroke_curve (cr, &g_array_index (self->curves, Curve, r));
      }
  if (self->highlighted >= 0 && (guint) self->highlighted < self->curves->len)
    {
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_set_line_width (cr, 2.0);
      stroke_curve (cr, &g_array_index (self->curves, Curve, self->highlighted));
    }
  if (shows_optimum (self))
    stroke_optimum (self, cr);
}

typedef void (*StrokeFunc) (FsLossPlot    *self,
                            cairo_t       *cr,
                            const GdkRGBA *fg);

/* A cairo node recorded now and replayed by the renderer in each frame. */
static GskRenderNode *
record_layer (FsLossPlot    *self,
              StrokeFunc     stroke,
              const GdkRGBA *fg)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot,
                                           &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));

  stroke (self, cr, fg);
  cairo_destroy (cr);
  return gtk_snapshot_free_to_node (snapshot);
}

/* The axes and curves layers, in the widget's current text colour. */
static void
record_layers (FsLossPlot *self)
{
  g_clear_pointer (&self->axes_node, gsk_render_node_unref);
  g_clear_pointer (&self->curves_node, gsk_render_node_unref);
  if (self->width <= 0 || self->height <= 0)
    return;

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &self->fg);
  self->axes_node = record_layer (self, stroke_grid_and_axes, &self->fg);
  self->curves_node = record_layer (self, stroke_curves, &self->fg);
}

/* Everything the snapshot draws but the pointer's marker, for the current
 * snapshot, size and options. */
static void
update (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  double lo, hi;

  self->width = gtk_widget_get_width (GTK_WIDGET (self));
  self->height = gtk_widget_get_height (GTK_WIDGET (self));
  self->highlighted = -1;
  if (s != NULL)
    self->highlighted = s->best_run >= 0 && s->state == FS_RUNNER_FINISHED ? s->best_run
                                                                            : (gint) s->run;
  update_curves (self, &lo, &hi);
  choose_axes (self, lo, hi);
  layout_labels (self);
  map_curves (self);
  record_layers (self);
}

static void
update_readout (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  g_autofree char *number = NULL;
  double iteration, cost;
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

  /* The number is formatted apart: xgettext cannot see through G_GSIZE_FORMAT. */
  number = g_strdup_printf ("%" G_GSIZE_FORMAT, index);
  cost = fs_cost_log_get (s->logs[self->highlighted], index);
  self->readout = g_strdup_printf (_("iteration %s: cost %.6g"), number, cost);
  self->readout_layout = layout_for (self, self->readout);
  self->hover_y = fs_loss_plot_value_to_y (self, cost);
  self->hover_x = fs_loss_plot_iteration_to_x (self, index);
}

static void
snapshot_layout_at (GtkSnapshot   *snapshot,
                    PangoLayout   *layout,
                    double         x,
                    double         y,
                    const GdkRGBA *colour)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
}

/* Tick labels left of the y axis and under the x axis, and f*'s. */
static void
snapshot_labels (FsLossPlot    *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  int w, h;

  for (guint t = 0; t < self->y_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->y_labels, t);

      pango_layout_get_pixel_size (layout, &w, &h);
      snapshot_layout_at (snapshot, layout, self->left - TICK - 2 - w,
                          fs_loss_plot_value_to_y (self, self->y_ticks[t]) - h / 2.0, fg);
    }
  for (guint t = 0; t < self->x_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->x_labels, t);
      double x;

      pango_layout_get_pixel_size (layout, &w, &h);
      x = CLAMP (fs_loss_plot_iteration_to_x (self, self->x_ticks[t]) - w / 2.0, 0, self->width - w);
      snapshot_layout_at (snapshot, layout, x, self->bottom + TICK, fg);
    }
  if (self->optimum_label != NULL && shows_optimum (self))
    {
      pango_layout_get_pixel_size (self->optimum_label, &w, &h);
      snapshot_layout_at (snapshot, self->optimum_label, self->right - w - 4,
                          fs_loss_plot_value_to_y (self, self->optimum) - h - 1, &optimum_colour);
    }
}

/* The pointer's line and dot on the highlighted curve. */
static void
snapshot_hover_marker (FsLossPlot    *self,
                       GtkSnapshot   *snapshot,
                       const GdkRGBA *fg)
{
  cairo_t *cr;

  if (self->readout == NULL)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.35);
  cairo_move_to (cr, self->hover_x + 0.5, self->top);
  cairo_line_to (cr, self->hover_x + 0.5, self->bottom);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &accent);
  cairo_arc (cr, self->hover_x, self->hover_y, 4.0, 0, 2 * G_PI);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
snapshot_readout (FsLossPlot    *self,
                  GtkSnapshot   *snapshot,
                  const GdkRGBA *fg)
{
  int w, h;

  if (self->readout_layout == NULL)
    return;

  pango_layout_get_pixel_size (self->readout_layout, &w, &h);
  snapshot_layout_at (snapshot, self->readout_layout, self->right - w - 4, self->top, fg);
}

static void
fs_loss_plot_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FsLossPlot *self = FS_LOSS_PLOT (widget);

  if (self->axes_node == NULL)
    return;

  gtk_snapshot_append_node (snapshot, self->axes_node);
  gtk_snapshot_append_node (snapshot, self->curves_node);
  snapshot_hover_marker (self, snapshot, &self->fg);
  snapshot_labels (self, snapshot, &self->fg);
  snapshot_readout (self, snapshot, &self->fg);
}

/* A new theme may change the text colour the layers were drawn in. */
static void
fs_loss_plot_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  FsLossPlot *self = FS_LOSS_PLOT (widget);
  GdkRGBA fg;

  GTK_WIDGET_CLASS (fs_loss_plot_parent_class)->css_changed (widget, change);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (self->axes_node != NULL && !gdk_rgba_equal (&fg, &self->fg))
    {
      record_layers (self);
      gtk_widget_queue_draw (widget);
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
  g_clear_pointer (&self->axes_node, gsk_render_node_unref);
  g_clear_pointer (&self->curves_node, gsk_render_node_unref);
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
    case PROP_OPTIMUM:
      g_value_set_double (value, self->optimum);
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
    case PROP_OPTIMUM:
      fs_loss_plot_set_optimum (self, g_value_get_double (value));
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
  widget_class->css_changed = fs_loss_plot_css_changed;

  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Any value that is not finite means “none” and reads back as NaN; a
   * GParamSpecDouble cannot have NaN for its default, so it says +∞. */
  properties[PROP_OPTIMUM] =
    g_param_spec_double ("optimum", NULL, NULL, -INFINITY, INFINITY, INFINITY,
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

/* The runner's latest snapshot: only the current run's history is cut
 * again, the finished runs' are kept. */
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

/* f*, drawn as a dashed line; NAN (or any value that is not finite) when
 * it is not known. */
void
fs_loss_plot_set_optimum (FsLossPlot *self,
                          double      optimum)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  if (!isfinite (optimum))
    optimum = NAN;
  if (self->optimum == optimum || (isnan (optimum) && isnan (self->optimum)))
    return;
  self->optimum = optimum;
  update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTIMUM]);
}

/* NAN when there is none. */
double
fs_loss_plot_get_optimum (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NAN);
  return self->optimum;
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
  update_readout (self);
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
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NULL);
  return self->readout;
}
