/* fs-loss-plot.c
 *
 * As in sysprof's line layer, all the work is done when data, size or
 * options change (update ()): each run's history is decimated to one
 * min/max pair per pixel column, on a linear or a log iteration axis,
 * through an index of the log that follows it as it grows (a finished
 * run keeps its pairs from one snapshot to the next), mapped to pixels,
 * and stroked into render nodes, the axes, the curves and the marks of
 * changes; tick and mark labels are laid out. The snapshot
 * only appends those nodes and labels. The pointer's marker and readout
 * are drawn apart, so that moving the pointer redraws nothing else.
 *
 * The shown run's trace (fs-trace.h) adds term curves: each kind asked
 * for is decimated into the same columns by a binary search of its
 * iterations per column and an index of its values (trace points thin out
 * later in a run, so a column may hold none), drawn thin and dashed under
 * the cost, with a legend at the top right.
 *
 * Pinned runs are ghosts: each one's shown run is decimated like a live
 * run into a Curve of its own, which keeps its pairs while the width and
 * the iteration axis stay (a ghost's log no longer grows), so that the
 * live run's snapshot at frame rate leaves them be: they are mapped to
 * pixels and stroked into a layer of their own only when the axes or the
 * size change (or the ghosts do). The readout stays the live run's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-loss-plot"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-loss-plot.h"
#include "fs-plot-draw.h"

#define MAX_TICKS 8
#define PAD 8
#define TICK 4
#define MARK_ROWS 2
#define MARK_GAP 6          /* between a mark's label and the next */
#define MARK_MIN_LABEL 28   /* narrower than this, a shortened label says nothing */
#define LEGEND_PAD 4
#define LEGEND_SAMPLE 18    /* the length of a legend entry's line sample */
#define TERM_KINDS FS_TRACE_ZEROS_W  /* the kinds before it are magnitudes, drawn here */

static const GdkRGBA optimum_colour = { 0.15, 0.64, 0.41, 1.0 };
/* Adwaita's purple 3: apart from the curve's blue and f*'s green. */
static const GdkRGBA mark_colour = { 0.57, 0.25, 0.67, 1.0 };

/* One run's history: its decimated costs, kept while the run's log and
 * length, the number of columns and the iteration axis stay, and the
 * same in pixels. Bucket k holds iterations [bounds[k], bounds[k + 1]). */
typedef struct
{
  FsMinMaxIndex *index;   /* holds a reference to the log, so that its address stays its own */
  gsize          len;
  gsize          columns;
  gboolean       log_x;
  gsize          n;
  gsize         *bounds;
  double        *cost_min;
  double        *cost_max;
  double        *x;
  double        *y_min;
  double        *y_max;
} Curve;

/* A pinned run drawn behind the live one, and its shown run's costs. */
typedef struct
{
  FsSnapshot *snapshot;
  char       *label;
  GdkRGBA     colour;
  gboolean    visible;
  Curve       curve;
} Ghost;

/* What the ghosts' layer was drawn for: the axes and the plot area. */
typedef struct
{
  int      width, height;
  double   left, right, top, bottom;
  double   y_lo, y_hi, x_hi;
  gboolean log_scale;
  gboolean log_iterations;
} GhostFrame;

/* One kind of the shown run's trace, decimated into columns: the middle
 * iteration of each column's points (NaN for none), their range, and the
 * same in pixels. */
typedef struct
{
  FsMinMaxIndex *index;
  gsize          n;
  double        *iteration;
  double        *v_min;
  double        *v_max;
  double        *x;
  double        *y_min;
  double        *y_max;
} TermCurve;

/* A change of settings at an iteration of the current run; its label is
 * laid out above the plot area, in one of MARK_ROWS rows, or hidden when
 * there is no room for it. */
typedef struct
{
  guint64          iteration;
  PangoLayout     *layout;    /* NULL: a tick with no label */
  gboolean         on_axis;
  gboolean         labelled;
  guint            row;
  double           x;
  graphene_rect_t  area;
} Mark;

struct _FsLossPlot
{
  GtkWidget      parent_instance;

  FsSnapshot    *snapshot;
  double         optimum;
  gboolean       log_scale;
  gboolean       log_iterations;
  GArray        *marks;                      /* Mark, in the order they were given */
  GArray        *ghosts;                     /* Ghost, in the order they were given */
  char          *optimum_text;               /* the f* line's label; NULL: "f*" */
  gboolean       show_gap;
  double         cursor;                     /* an iteration, or negative for none */

  /* Built by update (). */
  int            width;
  int            height;
  double         left, right, top, bottom;   /* plot area in widget coordinates */
  double         y_lo, y_hi;                 /* data range (log10 of it on a log axis) */
  double         x_hi;                       /* largest iteration shown */
  guint          mark_rows;                  /* rows of mark labels above the plot area */
  GArray        *curves;                     /* Curve, one per run */
  gint           highlighted;
  GPtrArray     *y_labels;                   /* PangoLayout */
  double         y_ticks[MAX_TICKS];
  guint          n_y_ticks;
  GPtrArray     *x_labels;
  double         x_ticks[MAX_TICKS];
  guint          n_x_ticks;
  double         x_minor_ticks[8 * MAX_TICKS];
  guint          n_x_minor_ticks;
  PangoLayout   *optimum_label;
  guint          trace_mask;                 /* asked for: 1 << FsTraceKind */
  guint          drawn_traces;               /* drawn: asked for, and not all 0 */
  TermCurve      terms[TERM_KINDS];
  GPtrArray     *legend_labels;              /* PangoLayout: Cost, then each drawn term and ghost */
  GPtrArray     *legend_texts;               /* the same entries' text */
  char          *description;                /* the accessible description set last */
  graphene_rect_t legend;                    /* where the legend is, empty with none */
  GdkRGBA        fg;                         /* the colour the nodes were drawn in */
  GskRenderNode *axes_node;
  GskRenderNode *curves_node;
  GskRenderNode *marks_node;
  GskRenderNode *legend_node;
  GskRenderNode *ghosts_node;
  GhostFrame     ghosts_frame;               /* what ghosts_node was drawn for */
  gboolean       ghosts_changed;             /* since ghosts_node was drawn */

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
  PROP_LOG_ITERATIONS,
  PROP_OPTIMUM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FsLossPlot, fs_loss_plot, GTK_TYPE_WIDGET)

static void
curve_clear (gpointer data)
{
  Curve *c = data;

  g_clear_pointer (&c->index, fs_min_max_index_free);
  g_free (c->bounds);
  g_free (c->cost_min);
  g_free (c->cost_max);
  g_free (c->x);
  g_free (c->y_min);
  g_free (c->y_max);
}

static void
ghost_clear (gpointer data)
{
  Ghost *g = data;

  g_clear_pointer (&g->snapshot, fs_snapshot_unref);
  g_clear_pointer (&g->label, g_free);
  curve_clear (&g->curve);
}

static void
term_clear (TermCurve *t)
{
  g_clear_pointer (&t->index, fs_min_max_index_free);
  g_clear_pointer (&t->iteration, g_free);
  g_clear_pointer (&t->v_min, g_free);
  g_clear_pointer (&t->v_max, g_free);
  g_clear_pointer (&t->x, g_free);
  g_clear_pointer (&t->y_min, g_free);
  g_clear_pointer (&t->y_max, g_free);
  t->n = 0;
}

static void
mark_clear (gpointer data)
{
  Mark *m = data;

  g_clear_object (&m->layout);
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

/* Where an iteration sits along the axis, in [0, 1] up to x_hi. The log
 * axis places iteration i at log10 (i + 1) rather than starting at
 * iteration 1: iteration 0 (the starting cost, the one a teacher points
 * at first) is then on the axis, at its left end, and iteration 9 is a
 * decade from it, so that the first hundred iterations and the last ten
 * thousand both get a fair share of the width. Ticks are at iterations
 * 1, 10, 100, …, a hair right of the decades 2, 11, 101 of i + 1, which
 * the eye does not see beyond iteration 10. */
static double
iteration_fraction (FsLossPlot *self,
                    double      iteration)
{
  double x_hi = MAX (self->x_hi, 1.0);

  if (self->log_iterations)
    return log10 (MAX (iteration, 0.0) + 1.0) / log10 (x_hi + 1.0);
  return iteration / x_hi;
}

/* Widget x of an iteration (on either axis). */
double
fs_loss_plot_iteration_to_x (FsLossPlot *self,
                             double      iteration)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NAN);

  return self->left + iteration_fraction (self, iteration) * (self->right - self->left);
}

/* The iteration at widget x, the inverse of fs_loss_plot_iteration_to_x ()
 * (not rounded, not clamped). */
double
fs_loss_plot_x_to_iteration (FsLossPlot *self,
                             double      x)
{
  double t, x_hi;

  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NAN);

  t = (x - self->left) / (self->right - self->left);
  x_hi = MAX (self->x_hi, 1.0);
  if (self->log_iterations)
    return pow (x_hi + 1.0, t) - 1.0;
  return t * x_hi;
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

/* The buckets a curve of len costs is cut into: evenly spaced in
 * iterations, or in log10 (iteration + 1), at most one per column. */
static void
cut_buckets (Curve *c)
{
  gsize n = MIN (c->len, c->columns);

  c->bounds = g_renew (gsize, c->bounds, n + 1);
  if (c->log_x && n > 0)
    n = fs_log_buckets (c->len, n, c->bounds);
  else
    for (gsize k = 0; k < n; k++)
      fs_block_bounds (c->len, n, k, &c->bounds[k], &c->bounds[k + 1]);
  if (n != c->n)
    {
      c->cost_min = g_renew (double, c->cost_min, n);
      c->cost_max = g_renew (double, c->cost_max, n);
      c->x = g_renew (double, c->x, n);
      c->y_min = g_renew (double, c->y_min, n);
      c->y_max = g_renew (double, c->y_max, n);
      c->n = n;
    }
}

/* Decimates the first len costs of log into min/max pairs, one per
 * bucket, unless the curve holds them already: a finished run's log stops
 * growing, so only the current run's is cut again for each snapshot. The
 * log's index follows it as it grows, so that each snapshot costs
 * O(columns · log len), however long the run. */
static void
decimate_curve (Curve     *c,
                FsCostLog *log,
                gsize      len,
                gsize      columns,
                gboolean   log_x)
{
  if (c->index != NULL && fs_min_max_index_get_log (c->index) == log && c->len == len &&
      c->columns == columns && c->log_x == log_x)
    return;
  if (c->index == NULL || fs_min_max_index_get_log (c->index) != log)
    {
      g_clear_pointer (&c->index, fs_min_max_index_free);
      c->index = fs_min_max_index_new (log);
    }
  c->len = len;
  c->columns = columns;
  c->log_x = log_x;
  cut_buckets (c);
  fs_min_max_index_update (c->index, len);
  fs_decimate_min_max_ranges (c->index, c->bounds, c->n, c->cost_min, c->cost_max);
}

/* Widens [lo, hi] to n column ranges; on a log axis, only positive ones. */
static void
widen_to_range (FsLossPlot   *self,
                gsize         n,
                const double *v_min,
                const double *v_max,
                double       *lo,
                double       *hi)
{
  for (gsize k = 0; k < n; k++)
    {
      double v_lo = v_min[k], v_hi = v_max[k];

      if (isnan (v_lo))
        continue;
      if (self->log_scale && v_lo <= 0.0)
        v_lo = v_hi > 0.0 ? v_hi : INFINITY;
      *lo = MIN (*lo, v_lo);
      *hi = MAX (*hi, self->log_scale && v_hi <= 0.0 ? -INFINITY : v_hi);
    }
}

/* The run a snapshot shows: its best once its runs are done, else its
 * current one. */
static guint
shown_run (const FsSnapshot *s)
{
  return s->best_run >= 0 && s->state == FS_RUNNER_FINISHED ? (guint) s->best_run : s->run;
}

/* The visible ghosts' curves, decimated again only when their width or
 * axis changed, and their range (up to their first cost) widened into
 * [lo, hi] and x_hi. */
static void
update_ghosts (FsLossPlot *self,
               gsize       columns,
               double     *lo,
               double     *hi)
{
  for (guint k = 0; k < self->ghosts->len; k++)
    {
      Ghost *g = &g_array_index (self->ghosts, Ghost, k);
      double top, g_lo, g_hi;
      guint r;

      if (!g->visible)
        continue;
      r = shown_run (g->snapshot);
      decimate_curve (&g->curve, g->snapshot->logs[r], g->snapshot->log_lengths[r], columns,
                      self->log_iterations);
      self->x_hi = MAX (self->x_hi, (double) g->snapshot->log_lengths[r] - 1);
      /* Not above where it started: a kept run that diverged would
       * squash every other curve against the bottom. */
      top = fs_cost_log_get (g->snapshot->logs[r], 0);
      g_lo = INFINITY;
      g_hi = -INFINITY;
      widen_to_range (self, g->curve.n, g->curve.cost_min, g->curve.cost_max, &g_lo, &g_hi);
      if (isfinite (top) && g_lo <= g_hi)
        g_hi = MIN (g_hi, MAX (top, g_lo));
      *lo = MIN (*lo, g_lo);
      *hi = MAX (*hi, g_hi);
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
      decimate_curve (c, s->logs[r], s->log_lengths[r], columns, self->log_iterations);
      self->x_hi = MAX (self->x_hi, (double) s->log_lengths[r] - 1);
      widen_to_range (self, c->n, c->cost_min, c->cost_max, lo, hi);
    }
  update_ghosts (self, columns, lo, hi);
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

/* The shown run's trace and its length, or NULL. */
static FsTrace *
shown_trace (FsLossPlot *self,
             gsize      *len)
{
  FsSnapshot *s = self->snapshot;

  *len = 0;
  if (s == NULL || self->highlighted < 0 || (guint) self->highlighted > s->run ||
      s->traces == NULL || s->trace_lengths == NULL || s->traces[self->highlighted] == NULL)
    return NULL;
  *len = s->trace_lengths[self->highlighted];
  return *len > 0 ? s->traces[self->highlighted] : NULL;
}

/* Brings one kind up to the trace: FALSE, and nothing to draw, when its
 * values are all 0 (a penalty that is off) or not finite. */
static gboolean
decimate_term (FsLossPlot *self,
               TermCurve  *t,
               FsTrace    *trace,
               FsTraceKind kind,
               gsize       len)
{
  FsCostLog *log = fs_trace_get_log (trace, kind);
  gsize columns = (gsize) MAX (self->width, 1);
  double lo, hi;

  if (t->index == NULL || fs_min_max_index_get_log (t->index) != log)
    {
      term_clear (t);
      t->index = fs_min_max_index_new (log);
    }
  fs_min_max_index_update (t->index, len);
  if (!fs_min_max_index_query (t->index, 0, len, &lo, &hi) || (lo == 0.0 && hi == 0.0))
    return FALSE;
  if (t->n != columns)
    {
      t->n = columns;
      t->iteration = g_renew (double, t->iteration, columns);
      t->v_min = g_renew (double, t->v_min, columns);
      t->v_max = g_renew (double, t->v_max, columns);
      t->x = g_renew (double, t->x, columns);
      t->y_min = g_renew (double, t->y_min, columns);
      t->y_max = g_renew (double, t->y_max, columns);
    }
  /* The axis is at least ten iterations wide, as choose_axes () makes it. */
  fs_decimate_trace (trace, t->index, columns, self->log_iterations, MAX (self->x_hi, 10.0),
                     t->iteration, t->v_min, t->v_max);
  return TRUE;
}

/* The term curves of the shown run, decimated like the costs, and the
 * range of their values widened into [lo, hi]. Needs x_hi. */
static void
update_terms (FsLossPlot *self,
              double     *lo,
              double     *hi)
{
  gsize len;
  FsTrace *trace = shown_trace (self, &len);

  self->drawn_traces = 0;
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    {
      TermCurve *t = &self->terms[kind];

      if (trace == NULL || (self->trace_mask & (1u << kind)) == 0)
        {
          term_clear (t);
          continue;
        }
      if (!decimate_term (self, t, trace, kind, len))
        continue;
      self->drawn_traces |= 1u << kind;
      widen_to_range (self, t->n, t->v_min, t->v_max, lo, hi);
    }
}

/* Iteration 0, then 1, 10, 100, … (every other decade when there are
 * too many), and unlabelled ticks at 2 … 9 times each shown decade. */
static void
choose_log_iteration_ticks (FsLossPlot *self)
{
  self->x_ticks[0] = 0.0;
  self->n_x_ticks = 1 + fs_log_ticks (1.0, self->x_hi, self->x_ticks + 1, MAX_TICKS - 1);
  self->n_x_minor_ticks = 0;
  if (self->n_x_ticks > 2 && self->x_ticks[2] / self->x_ticks[1] > 10.5)
    return;
  for (guint t = 1; t < self->n_x_ticks; t++)
    for (int k = 2; k <= 9 && k * self->x_ticks[t] <= self->x_hi; k++)
      if (self->n_x_minor_ticks < G_N_ELEMENTS (self->x_minor_ticks))
        self->x_minor_ticks[self->n_x_minor_ticks++] = k * self->x_ticks[t];
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
  if (self->log_iterations)
    choose_log_iteration_ticks (self);
  else
    {
      self->n_x_ticks = fs_linear_ticks (0.0, self->x_hi, self->x_ticks, 6);
      self->n_x_minor_ticks = 0;
    }
}

/* Powers of ten as a reader says them: 100, 1000, 10k, 1M (SI symbols,
 * not words, so not translated). */
static char *
iteration_tick_text (double iteration)
{
  if (iteration >= 1e6)
    return g_strdup_printf ("%gM", iteration / 1e6);
  if (iteration >= 1e4)
    return g_strdup_printf ("%gk", iteration / 1e3);
  return g_strdup_printf ("%g", iteration);
}

/* The marks in the order of their iterations (they are few). */
static guint *
marks_in_order (FsLossPlot *self)
{
  guint *order = g_new (guint, self->marks->len + 1);

  for (guint k = 0; k < self->marks->len; k++)
    {
      guint64 it = g_array_index (self->marks, Mark, k).iteration;
      guint j = k;

      for (; j > 0 && g_array_index (self->marks, Mark, order[j - 1]).iteration > it; j--)
        order[j] = order[j - 1];
      order[j] = k;
    }
  return order;
}

/* The room for a label of width w in a row free from row_free on: right
 * of the tick, as far as next_x (the mark that may need this row next)
 * or the widget's edge allow, else left of it (a change at the current
 * iteration sits at the right edge). Says which side; returns the room,
 * or 0 when the tick itself is covered. */
static double
room_in_row (FsLossPlot *self,
             const Mark *m,
             int         w,
             double      next_x,
             double      row_free,
             gboolean   *leftwards)
{
  double right, left;

  *leftwards = FALSE;
  if (row_free > m->x)
    return 0.0;
  right = MIN (self->width - 2.0, next_x - MARK_GAP) - (m->x + 3);
  left = m->x - 3 - row_free;
  if (right >= w || (left < w && right >= left))
    return right;
  *leftwards = TRUE;
  return left;
}

/* Puts a mark's label in the first row where it fits whole, else in the
 * first where it fits shortened with an ellipsis; with less than a few
 * letters' room in every row, it is left out. */
static void
place_mark_label (FsLossPlot *self,
                  Mark       *m,
                  double      next_x,
                  double     *row_free)
{
  int w, h;

  pango_layout_set_width (m->layout, -1);
  pango_layout_get_pixel_size (m->layout, &w, &h);
  for (guint pass = 0; pass < 2; pass++)
    for (guint r = 0; r < MARK_ROWS; r++)
      {
        gboolean leftwards;
        double start, room = room_in_row (self, m, w, next_x, row_free[r], &leftwards);

        if (room < (pass == 0 ? w : MIN (w, MARK_MIN_LABEL)))
          continue;
        if (room < w)
          {
            pango_layout_set_width (m->layout, (int) floor (room) * PANGO_SCALE);
            pango_layout_get_pixel_size (m->layout, &w, &h);
          }
        start = leftwards ? m->x - 3 - w : m->x + 3;
        m->labelled = TRUE;
        m->row = r;
        m->area = GRAPHENE_RECT_INIT (start, 0, w, h);
        row_free[r] = MAX (start + w, m->x) + MARK_GAP;
        return;
      }
}

/* Places the marks on the iteration axis and their labels in rows above
 * the plot area; returns the height of a row (0 with no label). Needs
 * left, right and x_hi; top comes from it. */
static int
layout_marks (FsLossPlot *self)
{
  g_autofree guint *order = marks_in_order (self);
  double row_free[MARK_ROWS];
  int row_h = 0;

  for (guint r = 0; r < MARK_ROWS; r++)
    row_free[r] = self->left - 2.0;
  self->mark_rows = 0;
  for (guint k = 0; k < self->marks->len; k++)
    {
      Mark *m = &g_array_index (self->marks, Mark, order[k]);
      double next_x = G_MAXDOUBLE;

      m->x = fs_loss_plot_iteration_to_x (self, (double) m->iteration);
      m->on_axis = m->iteration <= self->x_hi;
      m->labelled = FALSE;
      if (!m->on_axis || m->layout == NULL)
        continue;
      for (guint j = k + 1; j < self->marks->len && j <= k + MARK_ROWS; j++)
        if (j == k + MARK_ROWS || g_array_index (self->marks, Mark, order[j]).iteration > self->x_hi)
          {
            next_x = fs_loss_plot_iteration_to_x (self, g_array_index (self->marks, Mark, order[j]).iteration);
            break;
          }
      place_mark_label (self, m, next_x, row_free);
      if (m->labelled)
        {
          self->mark_rows = MAX (self->mark_rows, m->row + 1);
          row_h = MAX (row_h, (int) m->area.size.height);
        }
    }
  return row_h;
}

/* Row 0 is the one nearest the plot area. */
static void
set_mark_rows_y (FsLossPlot *self,
                 int         row_h)
{
  for (guint k = 0; k < self->marks->len; k++)
    {
      Mark *m = &g_array_index (self->marks, Mark, k);

      if (m->labelled)
        m->area.origin.y = self->top - TICK - (m->row + 1.0) * row_h;
    }
}

/* "f* = 11.9", or the label the window set ("f* of the full data = 11.9"). */
static char *
optimum_label_text (FsLossPlot *self)
{
  g_autofree char *value = NULL;

  if (self->optimum_text == NULL)
    return g_strdup_printf (_("f* = %.4g"), self->optimum);
  value = g_strdup_printf ("%.4g", self->optimum);
  /* TRANSLATORS: the f* line's label and its value, e.g. "f* of the full data = 11.9". */
  return g_strdup_printf (_("%s = %s"), self->optimum_text, value);
}

/* Tick and f* labels, and the plot area they leave. */
static void
layout_labels (FsLossPlot *self)
{
  int label_w = 0, label_h = 0, mark_h;

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
      g_autofree char *text = self->log_iterations ? iteration_tick_text (self->x_ticks[t])
                                                   : g_strdup_printf ("%g", self->x_ticks[t]);

      g_ptr_array_add (self->x_labels, layout_for (self, text));
    }
  if (isfinite (self->optimum))
    {
      g_autofree char *text = optimum_label_text (self);

      self->optimum_label = layout_for (self, text);
    }

  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD, self->left + 1);
  mark_h = layout_marks (self);
  self->top = PAD + MAX (label_h / 2.0, self->mark_rows * mark_h + TICK - PAD / 2.0);
  self->bottom = MAX (self->height - PAD - label_h - TICK, self->top + 1);
  set_mark_rows_y (self, mark_h);
}

/* A curve's decimated costs in pixels, each column at its middle
 * iteration. */
static void
map_curve (FsLossPlot *self,
           Curve      *c)
{
  for (gsize k = 0; k < c->n; k++)
    {
      gsize first = c->bounds[k], end = c->bounds[k + 1];

      c->x[k] = fs_loss_plot_iteration_to_x (self, (first + end - 1) / 2.0);
      c->y_min[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->cost_min[k]));
      c->y_max[k] = clamp_y (self, fs_loss_plot_value_to_y (self, c->cost_max[k]));
    }
}

/* The runs' curves in pixels. */
static void
map_curves (FsLossPlot *self)
{
  for (guint r = 0; r < self->curves->len; r++)
    map_curve (self, &g_array_index (self->curves, Curve, r));
}

/* A column's value where the line passes, on the y axis: on a log axis a
 * non-positive value has no place, and a column whose minimum is 0 is
 * drawn at its maximum. */
static double
term_y (FsLossPlot *self,
        double      value,
        double      fallback)
{
  if (self->log_scale && !(value > 0.0))
    value = fallback;
  if (isnan (value) || (self->log_scale && !(value > 0.0)))
    return NAN;
  return clamp_y (self, fs_loss_plot_value_to_y (self, value));
}

/* The decimated terms in pixels. */
static void
map_terms (FsLossPlot *self)
{
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    {
      TermCurve *t = &self->terms[kind];

      if ((self->drawn_traces & (1u << kind)) == 0)
        continue;
      for (gsize k = 0; k < t->n; k++)
        {
          t->x[k] = fs_loss_plot_iteration_to_x (self, t->iteration[k]);
          t->y_min[k] = term_y (self, t->v_min[k], t->v_max[k]);
          t->y_max[k] = term_y (self, t->v_max[k], NAN);
        }
    }
}

static double
plot_value_to_y (gpointer plot,
                 double   value)
{
  return fs_loss_plot_value_to_y (plot, value);
}

static void
stroke_grid_and_axes (FsLossPlot    *self,
                      cairo_t       *cr,
                      const GdkRGBA *fg)
{
  FsPlotArea area = { self->left, self->top, self->right, self->bottom };

  fs_plot_stroke_frame (cr, fg, &area, self->y_ticks, self->n_y_ticks, plot_value_to_y, self, TICK);
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      double x = round (fs_loss_plot_iteration_to_x (self, self->x_ticks[t])) + 0.5;

      cairo_move_to (cr, x, self->bottom);
      cairo_line_to (cr, x, self->bottom + TICK);
    }
  for (guint t = 0; t < self->n_x_minor_ticks; t++)
    {
      double x = round (fs_loss_plot_iteration_to_x (self, self->x_minor_ticks[t])) + 0.5;

      cairo_move_to (cr, x, self->bottom);
      cairo_line_to (cr, x, self->bottom + TICK / 2.0);
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

static void
set_term_style (cairo_t     *cr,
                FsTraceKind  kind)
{
  const double *dash;
  double rgb[3];
  int n_dash;

  fs_trace_kind_style (kind, rgb, &dash, &n_dash);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_dash (cr, dash, n_dash, 0);
}

/* One term: a thin line through the columns that hold points (a column
 * with none, between sparse points, is passed over, not a break), or a
 * dot for a single point. */
static void
stroke_term (cairo_t         *cr,
             const TermCurve *t)
{
  gsize drawn = 0, last = 0;

  cairo_set_line_width (cr, 1.25);
  for (gsize k = 0; k < t->n; k++)
    {
      double y = (t->y_min[k] + t->y_max[k]) / 2.0;

      if (isnan (t->iteration[k]) || !isfinite (y))
        continue;
      if (drawn++ == 0)
        cairo_move_to (cr, t->x[k], y);
      else
        cairo_line_to (cr, t->x[k], y);
      last = k;
    }
  if (drawn == 1)
    {
      cairo_new_path (cr);
      cairo_arc (cr, t->x[last], (t->y_min[last] + t->y_max[last]) / 2.0, 2.0, 0, 2 * G_PI);
      cairo_fill (cr);
      return;
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  for (gsize k = 0; k < t->n; k++)
    if (!isnan (t->iteration[k]) && t->y_min[k] - t->y_max[k] > 1.0)
      {
        cairo_move_to (cr, t->x[k], t->y_min[k]);
        cairo_line_to (cr, t->x[k], t->y_max[k]);
      }
  cairo_stroke (cr);
}

static void
stroke_terms (FsLossPlot *self,
              cairo_t    *cr)
{
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    if (self->drawn_traces & (1u << kind))
      {
        set_term_style (cr, kind);
        stroke_term (cr, &self->terms[kind]);
      }
  cairo_set_dash (cr, NULL, 0, 0);
}

/* The visible ghosts, under everything live: thin and translucent, each
 * in its colour, clipped to the plot area. */
static void
stroke_ghosts (FsLossPlot    *self,
               cairo_t       *cr,
               const GdkRGBA *fg)
{
  cairo_rectangle (cr, self->left, self->top - 2, self->right - self->left,
                   self->bottom - self->top + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 1.0);
  for (guint k = 0; k < self->ghosts->len; k++)
    {
      Ghost *g = &g_array_index (self->ghosts, Ghost, k);

      if (!g->visible)
        continue;
      cairo_set_source_rgba (cr, g->colour.red, g->colour.green, g->colour.blue,
                             0.7 * g->colour.alpha);
      stroke_curve (cr, &g->curve);
    }
}

/* The ghosts, the curves, faint for other runs and the best (or current)
 * one on top, and the f* line, clipped to the plot area. */
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
  stroke_terms (self, cr);
  if (self->highlighted >= 0 && (guint) self->highlighted < self->curves->len)
    {
      gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
      cairo_set_line_width (cr, 2.0);
      stroke_curve (cr, &g_array_index (self->curves, Curve, self->highlighted));
    }
  if (shows_optimum (self))
    stroke_optimum (self, cr);
}

/* A mark's pole from y down to the plot area, broken where a label of a
 * lower row lies across it, so that it seems to pass behind. (Rows are
 * few and labels do not overlap, so a pass over the marks per row is
 * enough; cairo's even-odd clip trips an assertion in recording.) */
static void
stroke_pole (FsLossPlot *self,
             cairo_t    *cr,
             double      x,
             double      y)
{
  while (y < self->top)
    {
      double end = self->top, resume = self->top;

      for (guint k = 0; k < self->marks->len; k++)
        {
          Mark *m = &g_array_index (self->marks, Mark, k);
          double x0 = m->area.origin.x - 1, y0 = m->area.origin.y;

          if (m->labelled && x >= x0 && x <= x0 + m->area.size.width + 2 &&
              y0 + m->area.size.height > y && y0 < end)
            {
              end = MAX (y, y0);
              resume = y0 + m->area.size.height;
            }
        }
      if (end > y)
        {
          cairo_move_to (cr, x, y);
          cairo_line_to (cr, x, end);
        }
      y = resume;
    }
}

/* Each mark's tick: from its label (or just above the plot area) down to
 * the plot area, passing behind the labels of the rows it crosses, and
 * on through the plot, faint and dashed, to the curve. */
static void
stroke_marks (FsLossPlot    *self,
              cairo_t       *cr,
              const GdkRGBA *fg)
{
  const double dash[] = { 3.0, 3.0 };

  cairo_set_line_width (cr, 1.0);
  gdk_cairo_set_source_rgba (cr, &mark_colour);
  for (guint k = 0; k < self->marks->len; k++)
    {
      Mark *m = &g_array_index (self->marks, Mark, k);

      if (m->on_axis)
        stroke_pole (self, cr, round (m->x) + 0.5,
                     m->labelled ? m->area.origin.y : self->top - TICK - 2);
    }
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, mark_colour.red, mark_colour.green, mark_colour.blue, 0.55);
  cairo_set_dash (cr, dash, 2, 0);
  for (guint k = 0; k < self->marks->len; k++)
    {
      Mark *m = &g_array_index (self->marks, Mark, k);

      if (!m->on_axis)
        continue;
      cairo_move_to (cr, round (m->x) + 0.5, self->top);
      cairo_line_to (cr, round (m->x) + 0.5, self->bottom);
    }
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
}

/* Whether the theme is dark: its text is light. */
static gboolean
fg_is_light (const GdkRGBA *fg)
{
  return 0.2126 * fg->red + 0.7152 * fg->green + 0.0722 * fg->blue > 0.5;
}

/* A legend entry's line sample at the middle of its row; returns the
 * next row's top. */
static double
stroke_sample (FsLossPlot *self,
               cairo_t    *cr,
               guint       entry,
               double      y)
{
  PangoLayout *layout = g_ptr_array_index (self->legend_labels, entry);
  double middle, x = self->legend.origin.x + LEGEND_PAD;
  int h;

  pango_layout_get_pixel_size (layout, NULL, &h);
  middle = round (y + h / 2.0) + 0.5;
  cairo_move_to (cr, x, middle);
  cairo_line_to (cr, x + LEGEND_SAMPLE, middle);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  return y + h;
}

/* The legend's box, over the curves but letting them show through, and
 * each entry's line sample: the cost's, each drawn term's, then each
 * visible ghost's. */
static void
stroke_legend (FsLossPlot    *self,
               cairo_t       *cr,
               const GdkRGBA *fg)
{
  const graphene_rect_t *r = &self->legend;
  double y = r->origin.y + LEGEND_PAD;
  guint entry = 0;

  if (fg_is_light (fg))
    cairo_set_source_rgba (cr, 0.14, 0.14, 0.14, 0.8);
  else
    cairo_set_source_rgba (cr, 1.0, 1.0, 1.0, 0.8);
  cairo_rectangle (cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.2);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);

  gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
  cairo_set_line_width (cr, 2.0);
  y = stroke_sample (self, cr, entry++, y);
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    if (self->drawn_traces & (1u << kind))
      {
        set_term_style (cr, kind);
        cairo_set_line_width (cr, 1.25);
        y = stroke_sample (self, cr, entry++, y);
      }
  for (guint k = 0; k < self->ghosts->len; k++)
    {
      Ghost *g = &g_array_index (self->ghosts, Ghost, k);

      if (!g->visible)
        continue;
      /* Thicker than the ghost's line, so that its colour reads. */
      gdk_cairo_set_source_rgba (cr, &g->colour);
      cairo_set_line_width (cr, 2.0);
      y = stroke_sample (self, cr, entry++, y);
    }
}

static guint
count_visible_ghosts (FsLossPlot *self)
{
  guint n = 0;

  for (guint k = 0; k < self->ghosts->len; k++)
    n += g_array_index (self->ghosts, Ghost, k).visible;
  return n;
}

static void
add_legend_entry (FsLossPlot *self,
                  const char *text)
{
  g_ptr_array_add (self->legend_texts, g_strdup (text));
  g_ptr_array_add (self->legend_labels, layout_for (self, text));
}

/* The accessible description lists the legend ("Legend: Cost; rank 6,
 * L2 0.1"), for a screen reader; set again only when it changes, as the
 * legend is laid out at frame rate. */
static void
describe_legend (FsLossPlot *self)
{
  g_autofree char *entries = NULL;
  g_autofree char *description = NULL;

  if (self->legend_texts->len > 0)
    {
      g_ptr_array_add (self->legend_texts, NULL);
      entries = g_strjoinv ("; ", (char **) self->legend_texts->pdata);
      g_ptr_array_set_size (self->legend_texts, self->legend_texts->len - 1);
      /* TRANSLATORS: the loss plot's legend for a screen reader, e.g. "Legend: Cost; rank 6". */
      description = g_strdup_printf (_("Legend: %s"), entries);
    }
  if (g_strcmp0 (description, self->description) == 0)
    return;
  g_free (self->description);
  self->description = g_steal_pointer (&description);
  if (self->description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    self->description, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* The legend's entries and its box at the top right of the plot area;
 * none without a term curve or a visible ghost. */
static void
layout_legend (FsLossPlot *self)
{
  int w = 0, h = 0;

  g_ptr_array_set_size (self->legend_labels, 0);
  g_ptr_array_set_size (self->legend_texts, 0);
  self->legend = GRAPHENE_RECT_INIT (0, 0, 0, 0);
  if (self->drawn_traces == 0 && count_visible_ghosts (self) == 0)
    {
      describe_legend (self);
      return;
    }

  add_legend_entry (self, _("Cost"));
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    if (self->drawn_traces & (1u << kind))
      add_legend_entry (self, fs_trace_kind_get_label (kind));
  for (guint k = 0; k < self->ghosts->len; k++)
    {
      Ghost *g = &g_array_index (self->ghosts, Ghost, k);

      if (g->visible)
        add_legend_entry (self, g->label);
    }
  describe_legend (self);
  for (guint k = 0; k < self->legend_labels->len; k++)
    {
      int lw, lh;

      pango_layout_get_pixel_size (g_ptr_array_index (self->legend_labels, k), &lw, &lh);
      w = MAX (w, lw);
      h += lh;
    }
  w += 3 * LEGEND_PAD + LEGEND_SAMPLE;
  h += 2 * LEGEND_PAD;
  self->legend = GRAPHENE_RECT_INIT (round (self->right - w - 4), round (self->top + 4), w, h);
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
  g_clear_pointer (&self->marks_node, gsk_render_node_unref);
  g_clear_pointer (&self->legend_node, gsk_render_node_unref);
  if (self->width <= 0 || self->height <= 0)
    return;

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &self->fg);
  self->axes_node = record_layer (self, stroke_grid_and_axes, &self->fg);
  self->curves_node = record_layer (self, stroke_curves, &self->fg);
  if (self->marks->len > 0)
    self->marks_node = record_layer (self, stroke_marks, &self->fg);
  if (self->legend_labels->len > 0)
    self->legend_node = record_layer (self, stroke_legend, &self->fg);
}

static gboolean
ghost_frame_equal (const GhostFrame *a,
                   const GhostFrame *b)
{
  return a->width == b->width && a->height == b->height && a->left == b->left &&
         a->right == b->right && a->top == b->top && a->bottom == b->bottom &&
         a->y_lo == b->y_lo && a->y_hi == b->y_hi && a->x_hi == b->x_hi &&
         a->log_scale == b->log_scale && a->log_iterations == b->log_iterations;
}

/* The ghosts' layer, mapped and drawn again only when the ghosts, the axes
 * or the plot area changed: a live run's frames mostly leave them be. */
static void
update_ghosts_layer (FsLossPlot *self)
{
  GhostFrame frame = { self->width, self->height, self->left, self->right, self->top,
                       self->bottom, self->y_lo, self->y_hi, self->x_hi, self->log_scale,
                       self->log_iterations };

  if (!self->ghosts_changed && ghost_frame_equal (&frame, &self->ghosts_frame))
    return;
  g_clear_pointer (&self->ghosts_node, gsk_render_node_unref);
  self->ghosts_frame = frame;
  self->ghosts_changed = FALSE;
  if (count_visible_ghosts (self) == 0 || self->width <= 0 || self->height <= 0)
    return;
  for (guint k = 0; k < self->ghosts->len; k++)
    {
      Ghost *g = &g_array_index (self->ghosts, Ghost, k);

      if (g->visible)
        map_curve (self, &g->curve);
    }
  self->ghosts_node = record_layer (self, stroke_ghosts, &self->fg);
}

/* Everything the snapshot draws but the pointer's marker, for the current
 * snapshot, options and the size last allocated (an export allocates
 * another for a moment). */
static void
update (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  double lo, hi;

  self->highlighted = -1;
  if (s != NULL)
    self->highlighted = s->best_run >= 0 && s->state == FS_RUNNER_FINISHED ? s->best_run
                                                                            : (gint) s->run;
  update_curves (self, &lo, &hi);
  update_terms (self, &lo, &hi);
  choose_axes (self, lo, hi);
  layout_labels (self);
  map_curves (self);
  map_terms (self);
  layout_legend (self);
  record_layers (self);
  update_ghosts_layer (self);
}

/* A line per drawn term: its value at the trace point nearest the
 * iteration. */
static void
append_term_readout (FsLossPlot *self,
                     GString    *text,
                     gsize       iteration)
{
  gsize len, index;
  FsTrace *trace = shown_trace (self, &len);

  if (trace == NULL || self->drawn_traces == 0)
    return;
  index = fs_trace_find_nearest (trace, len, (double) iteration);
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    if (self->drawn_traces & (1u << kind))
      {
        g_autofree char *value = g_strdup_printf ("%.6g", fs_trace_get (trace, kind, index));

        g_string_append_c (text, '\n');
        /* TRANSLATORS: a term of the cost and its value, e.g. "L2 on W: 0.25". */
        g_string_append_printf (text, _("%s: %s"), fs_trace_kind_get_label (kind), value);
      }
}

/* A line with the gap to f*, when f* is drawn and the window wants it
 * (not for a held-out run, whose f* is the full data's). */
static void
append_gap_readout (FsLossPlot *self,
                    GString    *text,
                    double      cost)
{
  g_autofree char *gap = NULL;

  if (!shows_optimum (self) || !self->show_gap)
    return;
  gap = g_strdup_printf ("%.4g", cost - self->optimum);
  g_string_append_c (text, '\n');
  /* TRANSLATORS: the cost's distance to the optimum f*, e.g. "gap to f*: 0.25". */
  g_string_append_printf (text, _("gap to f*: %s"), gap);
}

static void
update_readout (FsLossPlot *self)
{
  FsSnapshot *s = self->snapshot;
  g_autofree char *number = NULL;
  g_autoptr(GString) text = NULL;
  double iteration, cost;
  gsize index;

  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->readout_layout);
  if (!self->hover || s == NULL || self->highlighted < 0 ||
      self->pointer_x < self->left || self->pointer_x > self->right)
    return;

  iteration = fs_loss_plot_x_to_iteration (self, self->pointer_x);
  index = (gsize) MAX (0.0, round (iteration));
  if (index >= s->log_lengths[self->highlighted])
    return;

  /* The number is formatted apart: xgettext cannot see through G_GSIZE_FORMAT. */
  number = g_strdup_printf ("%" G_GSIZE_FORMAT, index);
  cost = fs_cost_log_get (s->logs[self->highlighted], index);
  text = g_string_new (NULL);
  g_string_printf (text, _("iteration %s: cost %.6g"), number, cost);
  append_gap_readout (self, text, cost);
  append_term_readout (self, text, index);
  self->readout = g_string_free (g_steal_pointer (&text), FALSE);
  self->readout_layout = layout_for (self, self->readout);
  self->hover_y = fs_loss_plot_value_to_y (self, cost);
  self->hover_x = fs_loss_plot_iteration_to_x (self, index);
}

static void
snapshot_legend (FsLossPlot    *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  double x = self->legend.origin.x + 2 * LEGEND_PAD + LEGEND_SAMPLE;
  double y = self->legend.origin.y + LEGEND_PAD;

  if (self->legend_node == NULL)
    return;

  gtk_snapshot_append_node (snapshot, self->legend_node);
  for (guint k = 0; k < self->legend_labels->len; k++)
    {
      PangoLayout *layout = g_ptr_array_index (self->legend_labels, k);
      int h;

      pango_layout_get_pixel_size (layout, NULL, &h);
      fs_plot_append_layout (snapshot, layout, x, y, fg);
      y += h;
    }
}

/* Tick labels left of the y axis and under the x axis, and f*'s. */
static void
snapshot_labels (FsLossPlot    *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  double x_free = -G_MAXDOUBLE;
  int w, h;

  for (guint t = 0; t < self->y_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->y_labels, t);

      pango_layout_get_pixel_size (layout, &w, &h);
      fs_plot_append_layout (snapshot, layout, self->left - TICK - 2 - w,
                          fs_loss_plot_value_to_y (self, self->y_ticks[t]) - h / 2.0, fg);
    }
  /* Labels that would touch the one before are left out (iterations 0
   * and 1 on a narrow log axis). */
  for (guint t = 0; t < self->x_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->x_labels, t);
      double x;

      pango_layout_get_pixel_size (layout, &w, &h);
      x = CLAMP (fs_loss_plot_iteration_to_x (self, self->x_ticks[t]) - w / 2.0, 0, self->width - w);
      if (x < x_free)
        continue;
      fs_plot_append_layout (snapshot, layout, x, self->bottom + TICK, fg);
      x_free = x + w + 4;
    }
  for (guint k = 0; k < self->marks->len; k++)
    {
      Mark *m = &g_array_index (self->marks, Mark, k);

      if (m->labelled)
        fs_plot_append_layout (snapshot, m->layout, m->area.origin.x, m->area.origin.y, fg);
    }
  if (self->optimum_label != NULL && shows_optimum (self))
    {
      pango_layout_get_pixel_size (self->optimum_label, &w, &h);
      fs_plot_append_layout (snapshot, self->optimum_label, self->right - w - 4,
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
  gdk_cairo_set_source_rgba (cr, &fs_plot_accent);
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
  /* Under the legend, when there is one. */
  fs_plot_append_layout (snapshot, self->readout_layout, self->right - w - 4,
                      self->legend.size.height > 0 ? self->legend.origin.y + self->legend.size.height + 4
                                                   : self->top, fg);
}

/* The replay cursor: a 1 px accent line across the plot area at its
 * iteration, none past the axis. */
static void
snapshot_cursor (FsLossPlot  *self,
                 GtkSnapshot *snapshot)
{
  double x;

  if (self->cursor < 0.0 || self->cursor > self->x_hi)
    return;
  x = floor (fs_loss_plot_iteration_to_x (self, self->cursor));
  gtk_snapshot_append_color (snapshot, &fs_plot_accent,
                             &GRAPHENE_RECT_INIT (x, self->top, 1, self->bottom - self->top));
}

static void
fs_loss_plot_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FsLossPlot *self = FS_LOSS_PLOT (widget);

  if (self->axes_node == NULL)
    return;

  gtk_snapshot_append_node (snapshot, self->axes_node);
  if (self->marks_node != NULL)
    gtk_snapshot_append_node (snapshot, self->marks_node);
  if (self->ghosts_node != NULL)
    gtk_snapshot_append_node (snapshot, self->ghosts_node);
  gtk_snapshot_append_node (snapshot, self->curves_node);
  snapshot_cursor (self, snapshot);
  snapshot_legend (self, snapshot, &self->fg);
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
    {
      self->width = width;
      self->height = height;
      update (self);
    }
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
  g_clear_pointer (&self->marks_node, gsk_render_node_unref);
  g_clear_pointer (&self->legend_node, gsk_render_node_unref);
  g_clear_pointer (&self->ghosts_node, gsk_render_node_unref);
  g_clear_pointer (&self->legend_labels, g_ptr_array_unref);
  g_clear_pointer (&self->legend_texts, g_ptr_array_unref);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->ghosts, g_array_unref);
  g_clear_pointer (&self->optimum_text, g_free);
  for (guint kind = 0; kind < TERM_KINDS; kind++)
    term_clear (&self->terms[kind]);
  g_clear_pointer (&self->marks, g_array_unref);
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
    case PROP_LOG_ITERATIONS:
      g_value_set_boolean (value, self->log_iterations);
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
    case PROP_LOG_ITERATIONS:
      fs_loss_plot_set_log_iterations (self, g_value_get_boolean (value));
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
  properties[PROP_LOG_ITERATIONS] =
    g_param_spec_boolean ("log-iterations", NULL, NULL, FALSE,
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
  self->legend_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->marks = g_array_new (FALSE, TRUE, sizeof (Mark));
  g_array_set_clear_func (self->marks, mark_clear);
  self->legend_texts = g_ptr_array_new_with_free_func (g_free);
  self->ghosts = g_array_new (FALSE, TRUE, sizeof (Ghost));
  g_array_set_clear_func (self->ghosts, ghost_clear);
  self->show_gap = TRUE;
  self->cursor = -1.0;

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

/* Whether the iteration axis is logarithmic (in log10 (iteration + 1)),
 * so that the first hundred iterations and the last ten thousand are both
 * readable. */
void
fs_loss_plot_set_log_iterations (FsLossPlot *self,
                                 gboolean    log_iterations)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  log_iterations = !!log_iterations;
  if (self->log_iterations == log_iterations)
    return;
  self->log_iterations = log_iterations;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_ITERATIONS]);
}

gboolean
fs_loss_plot_get_log_iterations (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), FALSE);
  return self->log_iterations;
}

/* A mark's label, a little smaller than the tick labels. */
static PangoLayout *
mark_layout (FsLossPlot *self,
             const char *label)
{
  PangoLayout *layout = layout_for (self, label);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (0.9));
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_attr_list_unref (attrs);
  return layout;
}

/* Marks changes of settings at iterations of the current run, each with a
 * small tick and a short label ("L2 on W 0.1"); labels (or the array of
 * them) may be NULL for a bare tick. Copies both; n_marks 0 clears. Marks
 * past the last iteration shown are not drawn. */
void
fs_loss_plot_set_marks (FsLossPlot         *self,
                        guint               n_marks,
                        const guint64      *iterations,
                        const char * const *labels)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));
  g_return_if_fail (n_marks == 0 || iterations != NULL);

  g_array_set_size (self->marks, 0);
  for (guint k = 0; k < n_marks; k++)
    {
      Mark m = { .iteration = iterations[k] };

      if (labels != NULL && labels[k] != NULL && labels[k][0] != '\0')
        m.layout = mark_layout (self, labels[k]);
      g_array_append_val (self->marks, m);
    }
  update (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fs_loss_plot_get_n_marks (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), 0);
  return self->marks->len;
}

/* Where the label of mark index (in the order given) is drawn, in widget
 * coordinates; FALSE when it is not (no room, no label, or the mark is
 * past the axis). Its width tells whether it was shortened. */
gboolean
fs_loss_plot_get_mark_label_area (FsLossPlot      *self,
                                  guint            index,
                                  graphene_rect_t *area)
{
  Mark *m;

  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), FALSE);
  g_return_val_if_fail (index < self->marks->len, FALSE);

  m = &g_array_index (self->marks, Mark, index);
  if (area != NULL)
    *area = m->area;
  return m->labelled;
}

/* The iterations the axis has ticks at now, at most max_ticks of them
 * copied into ticks; returns how many there are. */
guint
fs_loss_plot_get_iteration_ticks (FsLossPlot *self,
                                  double     *ticks,
                                  guint       max_ticks)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), 0);
  g_return_val_if_fail (ticks != NULL || max_ticks == 0, 0);

  for (guint t = 0; t < MIN (max_ticks, self->n_x_ticks); t++)
    ticks[t] = self->x_ticks[t];
  return self->n_x_ticks;
}

/* Term curves of the shown run's trace (the current run while running,
 * the best once done): a mask of 1 << FsTraceKind, of the kinds up to the
 * gradient norm (shares of zeros are not magnitudes: they are ignored
 * here, see FsTracePlot). */
void
fs_loss_plot_set_traces (FsLossPlot *self,
                         guint       mask)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  if (self->trace_mask == mask)
    return;
  self->trace_mask = mask;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fs_loss_plot_get_traces (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), 0);
  return self->trace_mask;
}

guint
fs_loss_plot_get_drawn_traces (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), 0);
  return self->drawn_traces;
}

/* Takes the old ghost whose shown run has this log out of the array, so
 * that a ghost given again keeps its decimated costs. */
static Curve
take_ghost_curve (GArray    *old,
                  FsCostLog *log)
{
  Curve none = { 0 };

  for (guint k = 0; k < old->len; k++)
    {
      Ghost *g = &g_array_index (old, Ghost, k);

      if (g->curve.index != NULL && fs_min_max_index_get_log (g->curve.index) == log)
        {
          Curve c = g->curve;

          g->curve = none;
          return c;
        }
    }
  return none;
}

/* Pinned runs, drawn behind the live one; n_ghosts 0 clears. */
void
fs_loss_plot_set_ghosts (FsLossPlot            *self,
                         const FsLossPlotGhost *ghosts,
                         guint                  n_ghosts)
{
  g_autoptr(GArray) old = NULL;

  g_return_if_fail (FS_IS_LOSS_PLOT (self));
  g_return_if_fail (n_ghosts == 0 || ghosts != NULL);

  old = g_steal_pointer (&self->ghosts);
  self->ghosts = g_array_new (FALSE, TRUE, sizeof (Ghost));
  g_array_set_clear_func (self->ghosts, ghost_clear);
  for (guint k = 0; k < n_ghosts; k++)
    {
      Ghost g = { 0 };

      g_return_if_fail (ghosts[k].snapshot != NULL);
      g.snapshot = fs_snapshot_ref (ghosts[k].snapshot);
      g.label = g_strdup (ghosts[k].label != NULL ? ghosts[k].label : "");
      g.colour = ghosts[k].colour;
      g.visible = ghosts[k].visible;
      g.curve = take_ghost_curve (old, g.snapshot->logs[shown_run (g.snapshot)]);
      g_array_append_val (self->ghosts, g);
    }
  self->ghosts_changed = TRUE;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fs_loss_plot_get_n_legend_entries (FsLossPlot *self)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), 0);
  return self->legend_texts->len;
}

const char *
fs_loss_plot_get_legend_entry (FsLossPlot *self,
                               guint       index)
{
  g_return_val_if_fail (FS_IS_LOSS_PLOT (self), NULL);
  g_return_val_if_fail (index < self->legend_texts->len, NULL);
  return g_ptr_array_index (self->legend_texts, index);
}

/* The f* line's label (NULL: "f*"), and whether the readout gives the gap
 * to it. */
void
fs_loss_plot_set_optimum_label (FsLossPlot *self,
                                const char *label,
                                gboolean    show_gap)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  show_gap = !!show_gap;
  if (g_strcmp0 (label, "f*") == 0)
    label = NULL;
  if (g_strcmp0 (label, self->optimum_text) == 0 && show_gap == self->show_gap)
    return;
  g_free (self->optimum_text);
  self->optimum_text = g_strdup (label);
  self->show_gap = show_gap;
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* A vertical line at iteration, or none for a negative one: only the
 * snapshot draws it, so that moving it redraws nothing else. */
void
fs_loss_plot_set_cursor (FsLossPlot *self,
                         double      iteration)
{
  g_return_if_fail (FS_IS_LOSS_PLOT (self));

  if (!(iteration >= 0.0))
    iteration = -1.0;
  if (iteration == self->cursor)
    return;
  self->cursor = iteration;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
