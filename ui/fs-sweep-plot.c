/* fs-sweep-plot.c
 *
 * A sweep has at most FS_SWEEP_MAX_POINTS points, so unlike the loss
 * plot nothing is cached in render nodes: relayout () chooses the axes
 * and lays out the text when the points, the size or the style change,
 * and each frame strokes the few lines and markers again (the running
 * point's ring changes every frame anyway).
 *
 * The x axis is the swept value: linear whole numbers for a rank, log10
 * for a penalty, where a value of 0 (which a log axis has no place for)
 * sits in a slot at the left edge under a "0" tick. The left y axis is
 * log10 of the training cost and f*, the right one log10 of the MSEs,
 * drawn only when some point has held-out cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sweep-plot"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-plot-draw.h"
#include "fs-sweep-view.h"

#define MAX_TICKS 8
#define PAD 8
#define TICK 4
#define GAP 4
#define SAMPLE 18          /* a legend entry's line sample */
#define MARKER 4.0         /* a point's radius */
#define RING 7.0           /* the running point's progress ring */
#define HIT 12.0           /* a click this near a done point activates it */
#define ZERO_SLOT 24.0     /* a penalty of 0, left of the log axis */

typedef enum
{
  SERIES_COST,
  SERIES_OPTIMUM,
  SERIES_HOLDOUT,
  SERIES_TRAIN_MSE,
  N_SERIES
} Series;

static const GdkRGBA optimum_colour = { 0.15, 0.64, 0.41, 1.0 };
static const GdkRGBA holdout_colour = { 0.96, 0.47, 0.00, 1.0 };
/* Adwaita's purple 3, apart from the cost's blue. */
static const GdkRGBA train_colour = { 0.57, 0.25, 0.67, 1.0 };
static const GdkRGBA failed_colour = { 0.88, 0.11, 0.14, 1.0 };

struct _FsSweepPlot
{
  GtkWidget     parent_instance;

  FsSweepAxis   axis;
  GPtrArray    *points;                    /* FsSweepPoint *, owned */

  /* Built by relayout (). */
  int           width;
  int           height;
  double        left, right, top, bottom;  /* the plot area */
  double        x_lo, x_hi;                /* the value, or log10 of it on a log axis */
  gboolean      zero_slot;                 /* a penalty of 0 is drawn at the left edge */
  double        y_lo, y_hi;                /* log10 of the cost range */
  gboolean      right_axis;                /* the MSEs, on their own log axis */
  double        y2_lo, y2_hi;
  double        x_ticks[MAX_TICKS];
  guint         n_x_ticks;
  double        y_ticks[MAX_TICKS];
  guint         n_y_ticks;
  double        y2_ticks[MAX_TICKS];
  guint         n_y2_ticks;
  GPtrArray    *x_labels;                  /* PangoLayout */
  GPtrArray    *y_labels;
  GPtrArray    *y2_labels;
  PangoLayout  *x_title;                   /* the swept setting's name, under the axis */
  guint         series;                    /* the drawn ones: 1 << Series */
  GPtrArray    *legend_texts;              /* char *, as drawn */
  GPtrArray    *legend_labels;             /* PangoLayout */
  GArray       *legend_x;                  /* double: each entry's sample's left */
  GdkRGBA       fg;
  char         *description;

  /* The pointer and the keyboard. */
  gint          hovered;
  gint          selected;
  char         *readout;
  PangoLayout  *readout_layout;
};

enum
{
  POINT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FsSweepPlot, fs_sweep_plot, GTK_TYPE_WIDGET)

static void update_readout (FsSweepPlot *self);

static FsSweepPoint *
point_at (FsSweepPlot *self,
          guint        index)
{
  return g_ptr_array_index (self->points, index);
}

static gboolean
is_log (FsSweepPlot *self)
{
  return self->axis != FS_SWEEP_RANK;
}

static PangoLayout *
layout_for (FsSweepPlot *self,
            const char  *text)
{
  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

/* Widget x of a swept value. */
static double
value_to_x (FsSweepPlot *self,
            double       value)
{
  double data_left = self->left + (self->zero_slot ? ZERO_SLOT : 0.0);
  double u;

  if (is_log (self) && !(value > 0.0))
    return self->left + ZERO_SLOT / 2.0;
  u = is_log (self) ? log10 (value) : value;
  return data_left + (u - self->x_lo) / (self->x_hi - self->x_lo) * (self->right - data_left);
}

/* Widget y of a positive value on a log axis from 10^lo to 10^hi; NaN
 * for a value that has no place on it. */
static double
log_to_y (FsSweepPlot *self,
          double       value,
          double       lo,
          double       hi)
{
  if (!(value > 0.0) || !isfinite (value))
    return NAN;
  return self->bottom - (log10 (value) - lo) / (hi - lo) * (self->bottom - self->top);
}

static double
cost_to_y (FsSweepPlot *self,
           double       value)
{
  return log_to_y (self, value, self->y_lo, self->y_hi);
}

static double
mse_to_y (FsSweepPlot *self,
          double       value)
{
  return log_to_y (self, value, self->y2_lo, self->y2_hi);
}

static double
plot_cost_to_y (gpointer plot,
                double   value)
{
  return cost_to_y (plot, value);
}

/* A series' value at a point, NaN where it has none. */
static double
series_value (const FsSweepPoint *p,
              Series              series)
{
  switch (series)
    {
    case SERIES_COST:
      return p->cost;
    case SERIES_OPTIMUM:
      return p->optimum;
    case SERIES_HOLDOUT:
      return p->holdout_mse;
    case SERIES_TRAIN_MSE:
      return p->train_mse;
    case N_SERIES:
    default:
      return NAN;
    }
}

static double
series_to_y (FsSweepPlot        *self,
             const FsSweepPoint *p,
             Series              series)
{
  double v = series_value (p, series);

  return series == SERIES_HOLDOUT || series == SERIES_TRAIN_MSE ? mse_to_y (self, v)
                                                                : cost_to_y (self, v);
}

static const GdkRGBA *
series_colour (Series series)
{
  static const GdkRGBA *colours[N_SERIES] = { &fs_plot_accent, &optimum_colour, &holdout_colour,
                                              &train_colour };

  return colours[series];
}

/* With held-out cells the cost is the training cells' and f* the full
 * data's: a reference, said so. */
static const char *
series_label (FsSweepPlot *self,
              Series       series)
{
  static const char *labels[N_SERIES] = { N_("Training cost"), N_("f*"), N_("Held-out MSE"),
                                          N_("Training MSE") };

  for (guint k = 0; series == SERIES_OPTIMUM && k < self->points->len; k++)
    if (point_at (self, k)->params.holdout > 0.0)
      return _("f* of the full data");
  return _(labels[series]);
}

/* The series' line: solid for the costs, dashed for f*, dotted for the
 * training MSE (which reads against the held-out one). */
static void
set_series_style (cairo_t *cr,
                  Series   series)
{
  static const double dash[] = { 6.0, 4.0 };
  static const double dots[] = { 2.0, 3.0 };

  gdk_cairo_set_source_rgba (cr, series_colour (series));
  cairo_set_line_width (cr, series == SERIES_COST ? 2.0 : 1.5);
  if (series == SERIES_OPTIMUM)
    cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  else if (series == SERIES_TRAIN_MSE)
    cairo_set_dash (cr, dots, G_N_ELEMENTS (dots), 0);
  else
    cairo_set_dash (cr, NULL, 0, 0);
}

/* Widens [lo, hi] to the series' positive values at done points. */
static gboolean
widen_series (FsSweepPlot *self,
              Series       series,
              double      *lo,
              double      *hi)
{
  gboolean any = FALSE;

  for (guint k = 0; k < self->points->len; k++)
    {
      FsSweepPoint *p = point_at (self, k);
      double v = series_value (p, series);

      if (p->state != FS_SWEEP_POINT_DONE || !(v > 0.0) || !isfinite (v))
        continue;
      *lo = MIN (*lo, v);
      *hi = MAX (*hi, v);
      any = TRUE;
    }
  return any;
}

/* A log axis over whole decades holding [lo, hi] (0.1 … 1 with none). */
static guint
choose_log_axis (double  lo,
                 double  hi,
                 double *axis_lo,
                 double *axis_hi,
                 double *ticks)
{
  if (!(lo <= hi))
    {
      lo = 0.1;
      hi = 1.0;
    }
  *axis_lo = floor (log10 (lo));
  *axis_hi = MAX (ceil (log10 (hi)), *axis_lo + 1);
  return fs_log_ticks (pow (10, *axis_lo), pow (10, *axis_hi), ticks, MAX_TICKS);
}

/* The x axis: a rank's whole numbers half a step beyond the ends; a
 * penalty's decades, a little beyond the ends, with a slot for 0. */
static void
choose_x_axis (FsSweepPlot *self)
{
  double lo = INFINITY, hi = -INFINITY, margin;

  self->zero_slot = FALSE;
  for (guint k = 0; k < self->points->len; k++)
    {
      double v = point_at (self, k)->value;

      if (is_log (self) && !(v > 0.0))
        {
          self->zero_slot = TRUE;
          continue;
        }
      lo = MIN (lo, is_log (self) ? log10 (v) : v);
      hi = MAX (hi, is_log (self) ? log10 (v) : v);
    }
  if (!(lo <= hi))
    lo = hi = is_log (self) ? 0.0 : 1.0;
  if (!is_log (self))
    {
      self->n_x_ticks = fs_whole_ticks (self->x_ticks, fs_linear_ticks (lo, hi, self->x_ticks,
                                                                        MAX_TICKS));
      self->x_lo = lo - 0.5;
      self->x_hi = hi + 0.5;
      return;
    }
  margin = MAX ((hi - lo) * 0.05, 0.25);
  self->x_lo = lo - margin;
  self->x_hi = hi + margin;
  self->n_x_ticks = 0;
  for (double e = ceil (self->x_lo); e <= self->x_hi && self->n_x_ticks < MAX_TICKS; e++)
    self->x_ticks[self->n_x_ticks++] = pow (10, e);
}

/* The axes for the points, and which series are drawn. */
static void
choose_axes (FsSweepPlot *self)
{
  double lo = INFINITY, hi = -INFINITY, lo2 = INFINITY, hi2 = -INFINITY;

  self->series = 0;
  self->right_axis = FALSE;
  for (guint k = 0; k < self->points->len; k++)
    self->right_axis |= isfinite (point_at (self, k)->holdout_mse);
  for (Series s = SERIES_COST; s < N_SERIES; s++)
    {
      gboolean mse = s == SERIES_HOLDOUT || s == SERIES_TRAIN_MSE;

      if (mse && !self->right_axis)
        continue;
      if (mse ? widen_series (self, s, &lo2, &hi2) : widen_series (self, s, &lo, &hi))
        self->series |= 1u << s;
    }
  /* The cost's entry stays while nothing is done yet. */
  self->series |= 1u << SERIES_COST;
  self->n_y_ticks = choose_log_axis (lo, hi, &self->y_lo, &self->y_hi, self->y_ticks);
  if (self->right_axis)
    self->n_y2_ticks = choose_log_axis (lo2, hi2, &self->y2_lo, &self->y2_hi, self->y2_ticks);
  else
    self->n_y2_ticks = 0;
  choose_x_axis (self);
}

/* Tick labels as "%g" into labels; returns the widest, and the height. */
static int
layout_ticks (FsSweepPlot  *self,
              GPtrArray    *labels,
              const double *ticks,
              guint         n_ticks,
              int          *height)
{
  int widest = 0;

  g_ptr_array_set_size (labels, 0);
  for (guint t = 0; t < n_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", ticks[t]);
      PangoLayout *layout = layout_for (self, text);
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      widest = MAX (widest, w);
      *height = MAX (*height, h);
      g_ptr_array_add (labels, layout);
    }
  return widest;
}

/* The legend in a row above the plot area; returns its height. */
static int
layout_legend (FsSweepPlot *self)
{
  double x = 0;
  int row_h = 0;

  g_ptr_array_set_size (self->legend_texts, 0);
  g_ptr_array_set_size (self->legend_labels, 0);
  g_array_set_size (self->legend_x, 0);
  for (Series s = SERIES_COST; s < N_SERIES; s++)
    {
      PangoLayout *layout;
      int w, h;

      if ((self->series & (1u << s)) == 0)
        continue;
      layout = layout_for (self, series_label (self, s));
      pango_layout_get_pixel_size (layout, &w, &h);
      g_ptr_array_add (self->legend_texts, g_strdup (series_label (self, s)));
      g_ptr_array_add (self->legend_labels, layout);
      g_array_append_val (self->legend_x, x);
      x += SAMPLE + GAP + w + 4 * GAP;
      row_h = MAX (row_h, h);
    }
  return row_h;
}

/* Everything but the strokes: axes, text and the plot area they leave. */
static void
relayout (FsSweepPlot *self)
{
  int label_h = 0, y_w, y2_w, legend_h;

  choose_axes (self);
  y_w = layout_ticks (self, self->y_labels, self->y_ticks, self->n_y_ticks, &label_h);
  y2_w = layout_ticks (self, self->y2_labels, self->y2_ticks, self->n_y2_ticks, &label_h);
  layout_ticks (self, self->x_labels, self->x_ticks, self->n_x_ticks, &label_h);
  if (self->zero_slot)
    g_ptr_array_insert (self->x_labels, 0, layout_for (self, "0"));
  legend_h = layout_legend (self);
  g_clear_object (&self->x_title);
  self->x_title = layout_for (self, fs_sweep_axis_get_label (self->axis));

  self->left = PAD + y_w + TICK + 2;
  self->right = MAX (self->width - PAD - (self->right_axis ? y2_w + TICK + 2 : 0),
                     self->left + 1 + (self->zero_slot ? ZERO_SLOT : 0));
  self->top = PAD + legend_h + GAP + label_h / 2.0;
  self->bottom = MAX (self->height - PAD / 2.0 - 2 * label_h - TICK, self->top + 1);
  update_readout (self);
}

/* A done point's series value, where it is drawn: FALSE where it is not. */
static gboolean
series_position (FsSweepPlot *self,
                 guint        index,
                 Series       series,
                 double      *x,
                 double      *y)
{
  FsSweepPoint *p = point_at (self, index);

  if (p->state != FS_SWEEP_POINT_DONE)
    return FALSE;
  *y = series_to_y (self, p, series);
  *x = value_to_x (self, p->value);
  return isfinite (*y);
}

static void
stroke_frame (FsSweepPlot *self,
              cairo_t     *cr)
{
  FsPlotArea area = { self->left, self->top, self->right, self->bottom };
  const GdkRGBA *fg = &self->fg;

  fs_plot_stroke_frame (cr, fg, &area, self->y_ticks, self->n_y_ticks, plot_cost_to_y, self, TICK);
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      double x = round (value_to_x (self, self->x_ticks[t])) + 0.5;

      cairo_move_to (cr, x, self->bottom);
      cairo_line_to (cr, x, self->bottom + TICK);
    }
  if (self->zero_slot)
    {
      cairo_move_to (cr, round (value_to_x (self, 0.0)) + 0.5, self->bottom);
      cairo_line_to (cr, round (value_to_x (self, 0.0)) + 0.5, self->bottom + TICK);
    }
  if (self->right_axis)
    {
      cairo_move_to (cr, self->right + 0.5, self->top);
      cairo_line_to (cr, self->right + 0.5, self->bottom + 0.5);
      for (guint t = 0; t < self->n_y2_ticks; t++)
        {
          double y = round (mse_to_y (self, self->y2_ticks[t])) + 0.5;

          cairo_move_to (cr, self->right, y);
          cairo_line_to (cr, self->right + TICK, y);
        }
    }
  cairo_stroke (cr);
}

/* Each drawn series: a line through its done points, in their order,
 * broken where one has no value, and a marker at each; the MSEs first,
 * then the cost, and f*'s dashes over it, as f* is often close. */
static void
stroke_series (FsSweepPlot *self,
               cairo_t     *cr)
{
  static const Series order[N_SERIES] = { SERIES_TRAIN_MSE, SERIES_HOLDOUT, SERIES_COST,
                                          SERIES_OPTIMUM };

  for (guint o = 0; o < N_SERIES; o++)
    {
      Series s = order[o];
      gboolean drawing = FALSE;
      double x, y;

      if ((self->series & (1u << s)) == 0)
        continue;
      set_series_style (cr, s);
      for (guint k = 0; k < self->points->len; k++)
        {
          /* A done point without the value (no f*) breaks the line; one
           * not done yet is passed over. */
          if (!series_position (self, k, s, &x, &y))
            {
              if (point_at (self, k)->state == FS_SWEEP_POINT_DONE)
                drawing = FALSE;
              continue;
            }
          if (drawing)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          drawing = TRUE;
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      /* f*'s dashes alone: its markers would hide the cost's. */
      for (guint k = 0; k < self->points->len && s != SERIES_OPTIMUM; k++)
        if (series_position (self, k, s, &x, &y))
          {
            cairo_new_sub_path (cr);
            cairo_arc (cr, x, y, s == SERIES_COST ? MARKER : MARKER - 1.0, 0, 2 * G_PI);
          }
      cairo_fill (cr);
    }
}

/* Where a point that is not done is drawn: at its cost while running (or
 * on the floor of the plot without one), on the floor while waiting. */
static double
pending_y (FsSweepPlot        *self,
           const FsSweepPoint *p)
{
  double y = p->state == FS_SWEEP_POINT_RUNNING ? cost_to_y (self, p->cost) : NAN;

  return isfinite (y) ? CLAMP (y, self->top, self->bottom - RING) : self->bottom - RING;
}

/* The running point's ring: a faint circle and, over it, an arc as long
 * as the share of its iterations done. */
static void
stroke_progress (FsSweepPlot        *self,
                 cairo_t            *cr,
                 const FsSweepPoint *p)
{
  double x = value_to_x (self, p->value), y = pending_y (self, p);
  double share = p->params.max_iters > 0 ? (double) p->iteration / (double) p->params.max_iters
                                         : 0.0;

  cairo_set_line_width (cr, 2.0);
  cairo_set_source_rgba (cr, self->fg.red, self->fg.green, self->fg.blue, 0.25);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, RING, 0, 2 * G_PI);
  cairo_stroke (cr);
  gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x, y, RING, -G_PI / 2, -G_PI / 2 + 2 * G_PI * CLAMP (share, 0.0, 1.0));
  cairo_stroke (cr);
}

/* The points not done: hollow while waiting (or cancelled), a ring while
 * running, a cross when failed. */
static void
stroke_pending (FsSweepPlot *self,
                cairo_t     *cr)
{
  for (guint k = 0; k < self->points->len; k++)
    {
      FsSweepPoint *p = point_at (self, k);
      double x = value_to_x (self, p->value), y = pending_y (self, p);

      switch (p->state)
        {
        case FS_SWEEP_POINT_RUNNING:
          stroke_progress (self, cr, p);
          break;
        case FS_SWEEP_POINT_FAILED:
          gdk_cairo_set_source_rgba (cr, &failed_colour);
          cairo_set_line_width (cr, 2.0);
          cairo_move_to (cr, x - MARKER, y - MARKER);
          cairo_line_to (cr, x + MARKER, y + MARKER);
          cairo_move_to (cr, x + MARKER, y - MARKER);
          cairo_line_to (cr, x - MARKER, y + MARKER);
          cairo_stroke (cr);
          break;
        case FS_SWEEP_POINT_WAITING:
        case FS_SWEEP_POINT_CANCELLED:
          cairo_set_source_rgba (cr, self->fg.red, self->fg.green, self->fg.blue, 0.6);
          cairo_set_line_width (cr, 1.5);
          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y, MARKER, 0, 2 * G_PI);
          cairo_stroke (cr);
          break;
        case FS_SWEEP_POINT_DONE:
        default:
          break;
        }
    }
}

/* Where the selected or hovered point is marked: its cost if done, else
 * where it waits. */
static void
point_mark_position (FsSweepPlot *self,
                     guint        index,
                     double      *x,
                     double      *y)
{
  if (!series_position (self, index, SERIES_COST, x, y))
    {
      *x = value_to_x (self, point_at (self, index)->value);
      *y = pending_y (self, point_at (self, index));
    }
}

/* The keyboard's point ringed in the text colour (thicker with focus),
 * and the hovered one's value marked on the axis by a faint line. */
static void
stroke_selection (FsSweepPlot *self,
                  cairo_t     *cr)
{
  double x, y;

  if (self->hovered >= 0)
    {
      point_mark_position (self, self->hovered, &x, &y);
      cairo_set_source_rgba (cr, self->fg.red, self->fg.green, self->fg.blue, 0.3);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, round (x) + 0.5, self->top);
      cairo_line_to (cr, round (x) + 0.5, self->bottom);
      cairo_stroke (cr);
    }
  if (self->selected >= 0)
    {
      point_mark_position (self, self->selected, &x, &y);
      gdk_cairo_set_source_rgba (cr, &self->fg);
      cairo_set_line_width (cr, gtk_widget_has_focus (GTK_WIDGET (self)) ? 2.0 : 1.0);
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, RING + 3.0, 0, 2 * G_PI);
      cairo_stroke (cr);
    }
}

/* The legend's line samples, each with its series' marker. */
static void
stroke_legend (FsSweepPlot *self,
               cairo_t     *cr)
{
  guint entry = 0;

  for (Series s = SERIES_COST; s < N_SERIES; s++)
    {
      double x, y;
      int h;

      if ((self->series & (1u << s)) == 0)
        continue;
      pango_layout_get_pixel_size (g_ptr_array_index (self->legend_labels, entry), NULL, &h);
      x = self->left + g_array_index (self->legend_x, double, entry);
      y = round (PAD + h / 2.0) + 0.5;
      set_series_style (cr, s);
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + SAMPLE, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (s != SERIES_OPTIMUM)
        {
          cairo_arc (cr, x + SAMPLE / 2.0, y, MARKER - 1.0, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      entry++;
    }
}

static void
snapshot_labels (FsSweepPlot *self,
                 GtkSnapshot *snapshot)
{
  double x_free = -G_MAXDOUBLE;
  int w, h;

  for (guint t = 0; t < self->y_labels->len; t++)
    {
      pango_layout_get_pixel_size (g_ptr_array_index (self->y_labels, t), &w, &h);
      fs_plot_append_layout (snapshot, g_ptr_array_index (self->y_labels, t),
                             self->left - TICK - 2 - w,
                             cost_to_y (self, self->y_ticks[t]) - h / 2.0,
                             &self->fg);
    }
  for (guint t = 0; t < self->y2_labels->len; t++)
    {
      pango_layout_get_pixel_size (g_ptr_array_index (self->y2_labels, t), &w, &h);
      fs_plot_append_layout (snapshot, g_ptr_array_index (self->y2_labels, t),
                             self->right + TICK + 2, mse_to_y (self, self->y2_ticks[t]) - h / 2.0,
                             &self->fg);
    }
  /* The "0" slot's label comes first; labels that would touch the one
   * before are left out. */
  for (guint t = 0; t < self->x_labels->len; t++)
    {
      guint tick = self->zero_slot ? t - 1 : t;
      double x = self->zero_slot && t == 0 ? value_to_x (self, 0.0)
                                            : value_to_x (self, self->x_ticks[tick]);

      pango_layout_get_pixel_size (g_ptr_array_index (self->x_labels, t), &w, &h);
      x = CLAMP (x - w / 2.0, 0, self->width - w);
      if (x < x_free)
        continue;
      fs_plot_append_layout (snapshot, g_ptr_array_index (self->x_labels, t), x,
                             self->bottom + TICK, &self->fg);
      x_free = x + w + 4;
    }
  /* The axis's name a row under its tick labels, in the same font. */
  pango_layout_get_pixel_size (self->x_title, &w, &h);
  fs_plot_append_layout (snapshot, self->x_title, (self->left + self->right - w) / 2.0,
                         self->bottom + TICK + h, &self->fg);
  for (guint k = 0; k < self->legend_labels->len; k++)
    fs_plot_append_layout (snapshot, g_ptr_array_index (self->legend_labels, k),
                           self->left + g_array_index (self->legend_x, double, k) + SAMPLE + GAP,
                           PAD, &self->fg);
}

/* The readout in a box at the top right of the plot area, legible over
 * the lines in either style. */
static void
snapshot_readout (FsSweepPlot *self,
                  GtkSnapshot *snapshot)
{
  gboolean dark = 0.2126 * self->fg.red + 0.7152 * self->fg.green + 0.0722 * self->fg.blue > 0.5;
  GdkRGBA box = dark ? (GdkRGBA) { 0.14, 0.14, 0.14, 0.85 } : (GdkRGBA) { 1.0, 1.0, 1.0, 0.85 };
  double x, y = self->top + GAP;
  int w, h;

  if (self->readout_layout == NULL)
    return;
  pango_layout_get_pixel_size (self->readout_layout, &w, &h);
  x = MAX (self->left + GAP, self->right - w - 2 * GAP);
  gtk_snapshot_append_color (snapshot, &box,
                             &GRAPHENE_RECT_INIT (x - GAP, y - 2, w + 2 * GAP, h + 4));
  fs_plot_append_layout (snapshot, self->readout_layout, x, y, &self->fg);
}

static void
fs_sweep_plot_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  FsSweepPlot *self = FS_SWEEP_PLOT (widget);
  cairo_t *cr;

  if (self->width <= 0 || self->height <= 0)
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  stroke_frame (self, cr);
  stroke_legend (self, cr);
  cairo_save (cr);
  cairo_rectangle (cr, self->left - RING - 4, self->top - RING - 4,
                   self->right - self->left + 2 * RING + 8,
                   self->bottom - self->top + 2 * RING + 8);
  cairo_clip (cr);
  stroke_series (self, cr);
  stroke_pending (self, cr);
  stroke_selection (self, cr);
  cairo_restore (cr);
  cairo_destroy (cr);
  snapshot_labels (self, snapshot);
  snapshot_readout (self, snapshot);
}

/* "rank 6" or "L2 on W 0.1": the point's setting. */
static char *
point_name (FsSweepPlot        *self,
            const FsSweepPoint *p)
{
  g_autofree char *value = g_strdup_printf ("%g", p->value);

  if (self->axis == FS_SWEEP_RANK)
    /* TRANSLATORS: a sweep's point, e.g. "rank 6". */
    return g_strdup_printf (_("rank %s"), value);
  /* TRANSLATORS: a sweep's point: the swept penalty and its value, e.g. "L2 on W 0.1". */
  return g_strdup_printf (_("%s %s"), fs_sweep_axis_get_label (self->axis), value);
}

/* A done point's numbers: "cost 12.3, f* 11.9, held-out MSE 0.034, 4000
 * iterations"; f* and the MSE only where the point has them. */
static void
append_done (GString            *text,
             const FsSweepPoint *p)
{
  g_autofree char *cost = g_strdup_printf ("%.4g", p->cost);
  g_autofree char *optimum = g_strdup_printf ("%.4g", p->optimum);
  g_autofree char *holdout = g_strdup_printf ("%.4g", p->holdout_mse);
  g_autofree char *iterations = g_strdup_printf ("%" G_GUINT64_FORMAT, p->iteration);

  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  /* Translators: an item of a sweep point's readout: its final cost. */
  g_ptr_array_add (items, g_strdup_printf (_("cost %s"), cost));
  if (isfinite (p->optimum))
    /* Translators: an item of a sweep point's readout: the global optimum. */
    g_ptr_array_add (items, g_strdup_printf (_("f* %s"), optimum));
  if (isfinite (p->holdout_mse))
    /* Translators: an item of a sweep point's readout: the mean squared
     * error of the held-out cells. */
    g_ptr_array_add (items, g_strdup_printf (_("held-out MSE %s"), holdout));
  /* Translators: the last item of a sweep point's readout. */
  g_ptr_array_add (items, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s iteration", "%s iterations",
                                                        p->iteration), iterations));
  g_ptr_array_add (items, NULL);
  /* Translators: what separates the items of a sweep point's readout. */
  joined = g_strjoinv (_(", "), (char **) items->pdata);
  g_string_append (text, joined);
}

static char *
point_readout (FsSweepPlot        *self,
               const FsSweepPoint *p)
{
  g_autofree char *name = point_name (self, p);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *iteration = g_strdup_printf ("%" G_GUINT64_FORMAT, p->iteration);
  g_autofree char *limit = g_strdup_printf ("%" G_GUINT64_FORMAT, p->params.max_iters);

  switch (p->state)
    {
    case FS_SWEEP_POINT_DONE:
      append_done (text, p);
      break;
    case FS_SWEEP_POINT_RUNNING:
      g_string_append_printf (text, _("running, iteration %s of %s"), iteration, limit);
      break;
    case FS_SWEEP_POINT_FAILED:
      g_string_append_printf (text, _("failed: %s"), p->message != NULL ? p->message : "");
      break;
    case FS_SWEEP_POINT_CANCELLED:
      g_string_append (text, _("cancelled"));
      break;
    case FS_SWEEP_POINT_WAITING:
    default:
      g_string_append (text, _("waiting"));
      break;
    }
  /* Translators: a sweep point's readout: its setting (“rank 6”), then its
   * state or its numbers (“cost 12.3, f* 11.9, 4000 iterations”). */
  return g_strdup_printf (_("%s: %s"), name, text->str);
}

/* The accessible description: the legend, and the selected point's
 * readout; set again only when it changes. */
static void
describe (FsSweepPlot *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->legend_texts->len > 0)
    {
      g_autoptr(GString) entries = g_string_new (NULL);

      for (guint k = 0; k < self->legend_texts->len; k++)
        g_string_append_printf (entries, "%s%s", k > 0 ? "; " : "",
                                (const char *) g_ptr_array_index (self->legend_texts, k));
      /* TRANSLATORS: the plot's legend entries (separated by “; ”), for a
       * screen reader. */
      g_string_printf (text, _("Legend: %s"), entries->str);
    }
  if (self->selected >= 0)
    {
      g_autofree char *readout = point_readout (self, point_at (self, self->selected));

      g_string_append (text, ". ");
      /* TRANSLATORS: the keyboard's point in the sweep plot, for a screen reader. */
      g_string_append_printf (text, _("Selected: %s"), readout);
    }
  if (g_strcmp0 (text->str, self->description) == 0)
    return;
  g_free (self->description);
  self->description = g_strdup (text->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->description, -1);
}

/* The hovered point's readout, else the selected one's. */
static void
update_readout (FsSweepPlot *self)
{
  gint shown = self->hovered >= 0 ? self->hovered : self->selected;

  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->readout_layout);
  if (shown >= 0)
    {
      self->readout = point_readout (self, point_at (self, shown));
      self->readout_layout = layout_for (self, self->readout);
    }
  describe (self);
}

/* The point whose value is nearest x, within the plot area; -1 for none. */
static gint
point_near_x (FsSweepPlot *self,
              double       x,
              double       y)
{
  double best = G_MAXDOUBLE;
  gint found = -1;

  if (x < self->left - HIT || x > self->right + HIT ||
      y < self->top - HIT || y > self->bottom + HIT)
    return -1;
  for (guint k = 0; k < self->points->len; k++)
    {
      double d = fabs (value_to_x (self, point_at (self, k)->value) - x);

      if (d < best)
        {
          best = d;
          found = (gint) k;
        }
    }
  return found;
}

/* The done point drawn nearest (x, y), within HIT pixels; -1 for none. */
static gint
done_point_near (FsSweepPlot *self,
                 double       x,
                 double       y)
{
  double best = HIT;
  gint found = -1;

  for (guint k = 0; k < self->points->len; k++)
    {
      double px, py, d;

      if (!series_position (self, k, SERIES_COST, &px, &py))
        continue;
      d = hypot (px - x, py - y);
      if (d <= best)
        {
          best = d;
          found = (gint) k;
        }
    }
  return found;
}

static void
select_point (FsSweepPlot *self,
              gint         index)
{
  self->selected = index;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsSweepPlot              *self)
{
  gint hovered = point_near_x (self, x, y);

  if (hovered == self->hovered)
    return;
  self->hovered = hovered;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsSweepPlot              *self)
{
  self->hovered = -1;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_released (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             FsSweepPlot     *self)
{
  gint index = done_point_near (self, x, y);

  if (index < 0)
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));
  select_point (self, index);
  g_signal_emit (self, signals[POINT_ACTIVATED], 0, (guint) index);
}

/* The next done point from the selected one in direction step (±1), or
 * the first (last) one with none selected; -1 for none. */
static gint
next_done_point (FsSweepPlot *self,
                 int          step)
{
  gint n = (gint) self->points->len;
  gint k = self->selected >= 0 ? self->selected + step : (step > 0 ? 0 : n - 1);

  for (; k >= 0 && k < n; k += step)
    if (point_at (self, k)->state == FS_SWEEP_POINT_DONE)
      return k;
  return -1;
}

static gboolean
on_key_pressed (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsSweepPlot           *self)
{
  gint next;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      next = next_done_point (self, keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left ? -1 : 1);
      if (next >= 0)
        select_point (self, next);
      return TRUE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
    case GDK_KEY_KP_Space:
      if (self->selected < 0 || point_at (self, self->selected)->state != FS_SWEEP_POINT_DONE)
        return FALSE;
      g_signal_emit (self, signals[POINT_ACTIVATED], 0, (guint) self->selected);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
fs_sweep_plot_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  FsSweepPlot *self = FS_SWEEP_PLOT (widget);

  if (width != self->width || height != self->height)
    {
      self->width = width;
      self->height = height;
      relayout (self);
    }
}

static void
fs_sweep_plot_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 360;
}

/* A new theme may change the text colour, and the fonts. */
static void
fs_sweep_plot_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  FsSweepPlot *self = FS_SWEEP_PLOT (widget);

  GTK_WIDGET_CLASS (fs_sweep_plot_parent_class)->css_changed (widget, change);

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &self->fg);
  relayout (self);
  gtk_widget_queue_draw (widget);
}

static void
fs_sweep_plot_focus_changed (FsSweepPlot *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fs_sweep_plot_dispose (GObject *object)
{
  FsSweepPlot *self = FS_SWEEP_PLOT (object);

  g_clear_pointer (&self->points, g_ptr_array_unref);
  g_clear_pointer (&self->x_labels, g_ptr_array_unref);
  g_clear_pointer (&self->y_labels, g_ptr_array_unref);
  g_clear_pointer (&self->y2_labels, g_ptr_array_unref);
  g_clear_object (&self->x_title);
  g_clear_pointer (&self->legend_texts, g_ptr_array_unref);
  g_clear_pointer (&self->legend_labels, g_ptr_array_unref);
  g_clear_pointer (&self->legend_x, g_array_unref);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->readout_layout);

  G_OBJECT_CLASS (fs_sweep_plot_parent_class)->dispose (object);
}

static void
fs_sweep_plot_class_init (FsSweepPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_sweep_plot_dispose;
  widget_class->measure = fs_sweep_plot_measure;
  widget_class->size_allocate = fs_sweep_plot_size_allocate;
  widget_class->snapshot = fs_sweep_plot_snapshot;
  widget_class->css_changed = fs_sweep_plot_css_changed;

  /* A done point was clicked, or chosen with Enter: its index. */
  signals[POINT_ACTIVATED] = g_signal_new ("point-activated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "sweepplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_sweep_plot_init (FsSweepPlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->points = g_ptr_array_new_with_free_func ((GDestroyNotify) fs_sweep_point_free);
  self->x_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->y_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->y2_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->legend_texts = g_ptr_array_new_with_free_func (g_free);
  self->legend_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->legend_x = g_array_new (FALSE, FALSE, sizeof (double));
  self->hovered = -1;
  self->selected = -1;

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  g_signal_connect_swapped (focus, "enter", G_CALLBACK (fs_sweep_plot_focus_changed), self);
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (fs_sweep_plot_focus_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sweep"), -1);
}

GtkWidget *
fs_sweep_plot_new (void)
{
  return g_object_new (FS_TYPE_SWEEP_PLOT, NULL);
}

/* Takes the n copies in points (the array itself stays the caller's).
 * The selection stays on its index while there are as many points. */
void
fs_sweep_plot_set_points (FsSweepPlot   *self,
                          FsSweepAxis    axis,
                          FsSweepPoint **points,
                          guint          n_points)
{
  g_return_if_fail (FS_IS_SWEEP_PLOT (self));
  g_return_if_fail (axis < FS_N_SWEEP_AXES);
  g_return_if_fail (n_points == 0 || points != NULL);

  g_ptr_array_set_size (self->points, 0);
  for (guint k = 0; k < n_points; k++)
    g_ptr_array_add (self->points, points[k]);
  self->axis = axis;
  if (self->selected >= (gint) n_points)
    self->selected = -1;
  if (self->hovered >= (gint) n_points)
    self->hovered = -1;
  relayout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Takes a newer copy of one point (its index says which), for the
 * running point's progress at frame rate. */
void
fs_sweep_plot_replace_point (FsSweepPlot  *self,
                             FsSweepPoint *point)
{
  g_return_if_fail (FS_IS_SWEEP_PLOT (self));
  g_return_if_fail (point != NULL && point->index < self->points->len);

  fs_sweep_point_free (point_at (self, point->index));
  self->points->pdata[point->index] = point;
  relayout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fs_sweep_plot_get_n_points (FsSweepPlot *self)
{
  g_return_val_if_fail (FS_IS_SWEEP_PLOT (self), 0);
  return self->points->len;
}

gboolean
fs_sweep_plot_get_point_position (FsSweepPlot *self,
                                  guint        index,
                                  double      *x,
                                  double      *y)
{
  double px = NAN, py = NAN;
  gboolean drawn;

  g_return_val_if_fail (FS_IS_SWEEP_PLOT (self), FALSE);
  g_return_val_if_fail (index < self->points->len, FALSE);

  drawn = series_position (self, index, SERIES_COST, &px, &py);
  if (x != NULL)
    *x = px;
  if (y != NULL)
    *y = py;
  return drawn;
}

const char *
fs_sweep_plot_get_readout (FsSweepPlot *self)
{
  g_return_val_if_fail (FS_IS_SWEEP_PLOT (self), NULL);
  return self->readout;
}

guint
fs_sweep_plot_get_n_legend_entries (FsSweepPlot *self)
{
  g_return_val_if_fail (FS_IS_SWEEP_PLOT (self), 0);
  return self->legend_texts->len;
}

const char *
fs_sweep_plot_get_legend_entry (FsSweepPlot *self,
                                guint        index)
{
  g_return_val_if_fail (FS_IS_SWEEP_PLOT (self), NULL);
  g_return_val_if_fail (index < self->legend_texts->len, NULL);
  return g_ptr_array_index (self->legend_texts, index);
}
