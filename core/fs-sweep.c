/* fs-sweep.c
 *
 * Each point is an FsFit made and iterated exactly as `factorscope-cli
 * run` makes and iterates its own, so the bits match. Points run on a few
 * worker threads of the sweep's own: a worker takes the next waiting point
 * in order; a point that runs on one solver thread runs beside others (up
 * to one per core), a point with more solver threads waits for the
 * running ones and runs alone, the others waiting for it. A solver's
 * results depend only on its own settings and its own pool (OpenBLAS stays
 * at one thread, inside each solver thread), never on what runs beside it.
 *
 * FACTORSCOPE_SWEEP_JOBS=N, read when a sweep starts, caps the points that
 * run at once (1: one at a time), for tests and timings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sweep"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-error.h"
#include "fs-fit.h"
#include "fs-optimum.h"
#include "fs-pool.h"
#include "fs-sweep.h"

#define PUBLISH_INTERVAL (30 * G_TIME_SPAN_MILLISECOND)

struct _FsSweep
{
  FsMatrix      *X;
  FsParams       base;
  gboolean       lr_auto;
  FsSweepAxis    axis;
  guint          n_points;
  FsSweepPoint  *points;       /* under mutex once started */
  guint         *threads;      /* each point's solver threads, known at new */

  GMutex         mutex;
  GCond          cond;
  gint           cancelled;    /* atomic */
  gboolean       started;
  gboolean       done;
  guint          next;         /* the next point a worker takes */
  guint          n_running;
  guint          n_ended;
  guint          n_alone;       /* points with many threads that wait or run */
  GThread      **workers;
  guint          n_workers;

  /* The changed callback and the sources queued for it, not yet run. */
  GMainContext  *context;
  GSourceFunc    changed;
  gpointer       changed_data;
  GPtrArray     *pending;      /* GSource, under mutex */

  /* The singular values of X for f*, computed once by the first point
   * that needs them. */
  GMutex         svd_mutex;
  gboolean       svd_done;
  GArray        *singular;
  guint          largest_rank;  /* of the points, for a sparse X's top values */
};

static const struct
{
  const char *name;
  const char *label;
} axes[FS_N_SWEEP_AXES] = {
  [FS_SWEEP_RANK] = { "rank", N_("Rank") },
  [FS_SWEEP_L2] = { "l2", N_("L2 on W and H") },
  [FS_SWEEP_L2_W] = { "l2_w", N_("L2 on W") },
  [FS_SWEEP_L2_H] = { "l2_h", N_("L2 on H") },
  [FS_SWEEP_L1] = { "l1", N_("L1 on W and H") },
  [FS_SWEEP_L1_W] = { "l1_w", N_("L1 on W") },
  [FS_SWEEP_L1_H] = { "l1_h", N_("L1 on H") },
};

const char *
fs_sweep_axis_to_string (FsSweepAxis axis)
{
  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, NULL);

  return axes[axis].name;
}

const char *
fs_sweep_axis_get_label (FsSweepAxis axis)
{
  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, NULL);

  return _(axes[axis].label);
}

gboolean
fs_sweep_axis_is_log (FsSweepAxis axis)
{
  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, FALSE);

  return axis != FS_SWEEP_RANK;
}

void
fs_sweep_apply (FsSweepAxis  axis,
                double       value,
                FsParams    *params)
{
  g_return_if_fail (params != NULL);

  switch (axis)
    {
    case FS_SWEEP_RANK:
      params->rank = (guint) value;
      break;
    case FS_SWEEP_L2:
      params->l2_w = params->l2_h = value;
      break;
    case FS_SWEEP_L2_W:
      params->l2_w = value;
      break;
    case FS_SWEEP_L2_H:
      params->l2_h = value;
      break;
    case FS_SWEEP_L1:
      params->l1_w = params->l1_h = value;
      break;
    case FS_SWEEP_L1_W:
      params->l1_w = value;
      break;
    case FS_SWEEP_L1_H:
      params->l1_h = value;
      break;
    case FS_N_SWEEP_AXES:
    default:
      g_return_if_reached ();
    }
}

/* ---- Parsing ---------------------------------------------------------- */

static gboolean
parse_count (const char *text,
             guint64     min,
             guint64     max,
             guint64    *value)
{
  return g_ascii_string_to_unsigned (text, 10, min, max, value, NULL);
}

static gboolean
parse_penalty (const char *text,
               double     *value)
{
  char *end = NULL;

  if (*text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value) && *value >= 0.0;
}


static gboolean
too_many_points (GError     **error,
                 const char  *text)
{
  g_autofree char *max = fs_error_number_text (FS_SWEEP_MAX_POINTS);

  /* Translators: the first %s is the range given, the second the most
   * points a sweep has. */
  return fs_error_refuse (error, _("“%s” has more points than a sweep's %s"), text, max);
}

/* N evenly spaced integers from a to b, rounded, each once. */
static void
rank_grid (GArray  *values,
           guint64  a,
           guint64  b,
           guint64  n)
{
  for (guint64 i = 0; i < n; i++)
    {
      double v = i + 1 == n ? (double) b
                            : round ((double) a + (double) i * (double) (b - a) / (double) (n - 1));

      if (values->len == 0 || g_array_index (values, double, values->len - 1) != v)
        g_array_append_val (values, v);
    }
}

static gboolean
parse_ranks (const char  *text,
             char       **parts,
             GArray      *values,
             GError     **error)
{
  guint n_parts = g_strv_length (parts);
  guint64 a, b = 0, n = 0;

  if (!parse_count (parts[0], 1, G_MAXUINT, &a) ||
      (n_parts > 1 && !parse_count (parts[1], 1, G_MAXUINT, &b)) ||
      (n_parts > 2 && !parse_count (parts[2], 0, G_MAXUINT, &n)))
    return fs_error_refuse (error, _("“%s” is not a rank, nor a range A:B or A:B:N of whole numbers ≥ 1"), text);
  if (n_parts == 1)
    b = a;
  if (b < a)
    return fs_error_refuse (error, _("“%s” goes down: a range A:B needs A ≤ B"), text);
  if (n_parts == 3 && n < 2)
    return fs_error_refuse (error, _("“%s” needs at least 2 points: A:B:N with N ≥ 2"), text);
  if ((n_parts < 3 && b - a >= FS_SWEEP_MAX_POINTS) || n > FS_SWEEP_MAX_POINTS)
    return too_many_points (error, text);

  rank_grid (values, a, b, n_parts == 3 ? n : b - a + 1);
  return TRUE;
}

static gboolean
parse_penalties (const char  *text,
                 char       **parts,
                 GArray      *values,
                 GError     **error)
{
  guint n_parts = g_strv_length (parts);
  double a, b = 0.0;
  guint64 n = 0;

  if (!parse_penalty (parts[0], &a) ||
      (n_parts > 1 && !parse_penalty (parts[1], &b)) ||
      (n_parts > 2 && !parse_count (parts[2], 0, G_MAXUINT, &n)))
    return fs_error_refuse (error, _("“%s” is not a penalty ≥ 0, nor a log grid A:B:N"), text);
  if (n_parts == 1)
    {
      g_array_append_val (values, a);
      return TRUE;
    }
  if (n_parts == 2)
    return fs_error_refuse (error, _("“%s” needs a count of points: A:B:N"), text);
  if (!(a > 0.0 && b > 0.0))
    return fs_error_refuse (error, _("“%s” starts or ends at 0: a log grid A:B:N needs A, B > 0"), text);
  if (!(a < b))
    return fs_error_refuse (error, _("“%s” goes down or stays: a log grid A:B:N needs A < B"), text);
  if (n < 2)
    return fs_error_refuse (error, _("“%s” needs at least 2 points: A:B:N with N ≥ 2"), text);
  if (n > FS_SWEEP_MAX_POINTS)
    return too_many_points (error, text);

  /* The endpoints exactly as written, whatever exp (log ()) rounds to. */
  for (guint64 i = 0; i < n; i++)
    {
      double v = i == 0 ? a : i + 1 == n ? b
               : exp (log (a) + (double) i * (log (b) - log (a)) / (double) (n - 1));

      g_array_append_val (values, v);
    }
  return TRUE;
}

gboolean
fs_sweep_parse_values (FsSweepAxis   axis,
                       const char   *text,
                       GArray      **values,
                       GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GArray) out = NULL;
  gboolean ok;

  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (values != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parts = g_strsplit (text, ":", -1);
  out = g_array_new (FALSE, FALSE, sizeof (double));
  if (g_strv_length (parts) < 1 || g_strv_length (parts) > 3)
    return axis == FS_SWEEP_RANK
             ? fs_error_refuse (error, _("“%s” is not a rank, nor a range A:B or A:B:N"), text)
             : fs_error_refuse (error, _("“%s” is not a penalty, nor a log grid A:B:N"), text);

  ok = axis == FS_SWEEP_RANK ? parse_ranks (text, parts, out, error)
                             : parse_penalties (text, parts, out, error);
  if (ok)
    *values = g_steal_pointer (&out);
  return ok;
}

/* ---- Points ----------------------------------------------------------- */

static void
point_clear (FsSweepPoint *point)
{
  g_clear_pointer (&point->message, g_free);
  g_clear_pointer (&point->log, fs_cost_log_unref);
  g_clear_pointer (&point->trace, fs_trace_unref);
  g_clear_pointer (&point->W, g_free);
  g_clear_pointer (&point->H, g_free);
}

void
fs_sweep_point_free (FsSweepPoint *point)
{
  if (point == NULL)
    return;
  point_clear (point);
  g_free (point);
}

static FsSweepPoint *
point_copy (const FsSweepPoint *point,
            gboolean            factors)
{
  FsSweepPoint *copy = g_memdup2 (point, sizeof *point);
  guint rank = point->params.rank;

  copy->message = g_strdup (point->message);
  copy->log = point->log != NULL ? fs_cost_log_ref (point->log) : NULL;
  copy->trace = point->trace != NULL ? fs_trace_ref (point->trace) : NULL;
  copy->W = copy->H = NULL;
  if (factors && point->W != NULL)
    copy->W = g_memdup2 (point->W, point->rows * rank * sizeof (double));
  if (factors && point->H != NULL)
    copy->H = g_memdup2 (point->H, rank * point->cols * sizeof (double));
  return copy;
}

/* A snapshot holds its runs in arrays of one. */
static void
snapshot_take_run (FsSnapshot         *snap,
                   const FsSweepPoint *point)
{
  snap->logs = g_new (FsCostLog *, 1);
  snap->log_lengths = g_new (gsize, 1);
  snap->traces = g_new (FsTrace *, 1);
  snap->trace_lengths = g_new (gsize, 1);
  snap->final_costs = g_new (double, 1);
  snap->logs[0] = fs_cost_log_ref (point->log);
  snap->log_lengths[0] = point->log_length;
  snap->traces[0] = point->trace != NULL ? fs_trace_ref (point->trace) : NULL;
  snap->trace_lengths[0] = point->trace != NULL ? point->trace_length : 0;
  snap->final_costs[0] = point->cost;
}

FsSnapshot *
fs_sweep_point_to_snapshot (const FsSweepPoint *point)
{
  FsSnapshot *snap;
  guint rank;

  g_return_val_if_fail (point != NULL, NULL);
  g_return_val_if_fail (point->state == FS_SWEEP_POINT_DONE, NULL);
  g_return_val_if_fail (point->log != NULL && point->W != NULL && point->H != NULL, NULL);

  rank = point->params.rank;
  snap = g_atomic_rc_box_new0 (FsSnapshot);
  snap->state = FS_RUNNER_FINISHED;
  snap->rows = point->rows;
  snap->cols = point->cols;
  snap->rank = rank;
  snap->lr = point->params.lr;
  snap->iteration = point->iteration;
  snap->run = 0;
  snap->n_runs = 1;
  snap->seed = point->params.seed;
  snap->cost = point->cost;
  snap->elapsed = point->elapsed;
  snap->stop = point->stop;
  snap->message = g_strdup (point->message);
  snapshot_take_run (snap, point);
  snap->best_run = 0;
  snap->W = g_memdup2 (point->W, point->rows * rank * sizeof (double));
  snap->H = g_memdup2 (point->H, rank * point->cols * sizeof (double));
  snap->stability_bound = NAN;
  snap->params = point->params;
  snap->train_mse = point->train_mse;
  snap->holdout_mse = point->holdout_mse;
  return snap;
}

/* ---- The sweep -------------------------------------------------------- */

FsSweep *
fs_sweep_new (FsMatrix       *X,
              const FsParams *base,
              gboolean        lr_auto,
              FsSweepAxis     axis,
              const double   *values,
              guint           n_values,
              GError        **error)
{
  g_autoptr(FsSweep) self = NULL;

  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, NULL);
  g_return_val_if_fail (values != NULL && n_values >= 1, NULL);
  g_return_val_if_fail (n_values <= FS_SWEEP_MAX_POINTS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (FsSweep, 1);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_mutex_init (&self->svd_mutex);
  self->X = fs_matrix_ref (X);
  self->base = *base;
  self->lr_auto = lr_auto;
  self->axis = axis;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->points = g_new0 (FsSweepPoint, n_values);
  self->threads = g_new0 (guint, n_values);
  self->n_points = n_values;

  for (guint i = 0; i < n_values; i++)
    {
      FsSweepPoint *point = &self->points[i];

      point->index = i;
      point->value = values[i];
      point->state = FS_SWEEP_POINT_WAITING;
      point->params = *base;
      fs_sweep_apply (axis, values[i], &point->params);
      self->largest_rank = MAX (self->largest_rank, point->params.rank);
      point->cost = point->optimum = point->train_mse = point->holdout_mse = NAN;
      point->zeros_w = point->zeros_h = NAN;
      point->rows = X->rows;
      point->cols = X->cols;
      if (!fs_params_validate (&point->params, X, error))
        {
          g_autofree char *value = g_strdup_printf ("%g", values[i]);

          /* Translators: before the error of one point of a sweep: the
           * swept setting's option name (rank, l2-w, …) and its value. */
          g_prefix_error (error, _("At %s %s: "), axes[axis].name, value);
          return NULL;
        }
      self->threads[i] = base->threads > 0
                           ? base->threads
                           : fs_params_auto_threads_for (X, point->params.rank);
      point->threads = self->threads[i];
    }
  return g_steal_pointer (&self);
}

/* Runs on the context the sweep was started from. The source leaves the
 * pending list first: fs_sweep_free destroys only those still in it. */
static gboolean
changed_dispatch (gpointer data)
{
  FsSweep *self = data;
  GSource *source = g_main_current_source ();

  g_mutex_lock (&self->mutex);
  g_ptr_array_remove_fast (self->pending, source);
  g_mutex_unlock (&self->mutex);
  self->changed (self->changed_data);
  return G_SOURCE_REMOVE;
}

/* Called with the mutex held. */
static void
queue_changed (FsSweep *self)
{
  GSource *source;

  if (self->changed == NULL)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, changed_dispatch, self, NULL);
  g_source_set_static_name (source, "[factorscope] sweep changed");
  g_ptr_array_add (self->pending, source);
  g_source_attach (source, self->context);
}

/* Called with the mutex held, when a point has ended. */
static void
point_ended (FsSweep *self)
{
  self->n_ended++;
  queue_changed (self);
  if (self->n_ended == self->n_points)
    {
      self->done = TRUE;
      queue_changed (self);
    }
  g_cond_broadcast (&self->cond);
}

/* Waits for the next point this worker may run: FALSE once there is none
 * (all taken, or cancelled). Called with the mutex held. */
static gboolean
take_point (FsSweep *self,
            guint   *index)
{
  for (;;)
    {
      guint i = self->next;

      if (g_atomic_int_get (&self->cancelled) || i >= self->n_points)
        return FALSE;
      if (self->threads[i] > 1)
        {
          /* It runs alone: the others wait for it, it waits for them. */
          self->next++;
          self->n_alone++;
          while (self->n_running > 0 && !g_atomic_int_get (&self->cancelled))
            g_cond_wait (&self->cond, &self->mutex);
          if (g_atomic_int_get (&self->cancelled))
            {
              self->n_alone--;
              g_cond_broadcast (&self->cond);
              return FALSE;
            }
        }
      else if (self->n_alone > 0)
        {
          g_cond_wait (&self->cond, &self->mutex);
          continue;
        }
      else
        self->next++;

      self->n_running++;
      self->points[i].state = FS_SWEEP_POINT_RUNNING;
      *index = i;
      return TRUE;
    }
}

/* The singular values of X, computed by the first caller: for a sparse
 * X, enough top values for the spectrum and every point's rank. */
static const GArray *
get_singular_values (FsSweep *self)
{
  g_mutex_lock (&self->svd_mutex);
  if (!self->svd_done)
    {
      guint count = MAX (FS_OPTIMUM_SPARSE_TOP, self->largest_rank);

      self->singular = fs_singular_values_for_rank (self->X, count, NULL);
      self->svd_done = TRUE;
    }
  g_mutex_unlock (&self->svd_mutex);
  return self->singular;
}

/* f* of the full data at the point's settings, or NaN. */
static double
point_optimum (FsSweep        *self,
               const FsParams *params)
{
  FsParams full = *params;
  const GArray *singular;

  full.holdout = 0.0;
  if (!fs_params_has_optimum (&full, self->X, NULL))
    return NAN;
  singular = get_singular_values (self);
  if (singular == NULL)
    return NAN;
  return fs_optimum_for_matrix (self->X, singular, params->rank, params->l2_w, params->l2_h);
}

static double
zero_share (const double *values,
            gsize         len)
{
  FsZeroCount count;

  fs_count_zeros (values, len, &count);
  return count.total > 0 ? (double) count.exact / (double) count.total : 0.0;
}

/* The training and held-out MSEs of the shown run at its end: its trace
 * always holds the run's last iteration (fs-trace.h), where the solver
 * recorded both (the held-out one NaN without a split). */
static void
point_mses (FsSweepPoint *result)
{
  gsize last = result->trace_length;

  result->train_mse = result->holdout_mse = NAN;
  if (result->trace == NULL || last == 0)
    return;
  result->train_mse = fs_trace_get (result->trace, FS_TRACE_TRAIN_MSE, last - 1);
  result->holdout_mse = fs_trace_get (result->trace, FS_TRACE_HOLDOUT_MSE, last - 1);
}

/* Everything a done point keeps, read from its fit: the best run's, or
 * the last run's when every run diverged. */
static void
point_collect (FsSweep      *self,
               FsFit        *fit,
               FsSweepPoint *result)
{
  FsSolver *solver = fs_fit_get_solver (fit);
  gint best = fs_fit_get_best_run (fit);
  guint shown = best >= 0 ? (guint) best : fs_fit_get_current_run (fit);
  gsize len_w = self->X->rows * result->params.rank;
  gsize len_h = result->params.rank * self->X->cols;
  FsTrace *trace = fs_fit_get_trace (fit, shown);

  result->state = FS_SWEEP_POINT_DONE;
  result->cost = fs_fit_get_final_cost (fit, shown);
  result->stop = fs_fit_get_run_stop (fit, shown);
  result->message = g_strdup (fs_solver_get_stop_message (solver));
  result->log = fs_cost_log_ref (fs_fit_get_log (fit, shown));
  result->log_length = fs_cost_log_get_length (result->log);
  result->trace = trace != NULL ? fs_trace_ref (trace) : NULL;
  result->trace_length = trace != NULL ? fs_trace_get_length (trace) : 0;
  result->iteration = result->log_length - 1;
  result->W = g_memdup2 (best >= 0 ? fs_fit_get_best_w (fit) : fs_solver_get_w (solver),
                         len_w * sizeof (double));
  result->H = g_memdup2 (best >= 0 ? fs_fit_get_best_h (fit) : fs_solver_get_h (solver),
                         len_h * sizeof (double));
  result->zeros_w = zero_share (result->W, len_w);
  result->zeros_h = zero_share (result->H, len_h);
  result->optimum = point_optimum (self, &result->params);
  point_mses (result);
}

/* Progress of a running point, under the mutex. */
static void
publish_progress (FsSweep  *self,
                  guint     index,
                  FsSolver *solver,
                  guint64   total,
                  double    elapsed)
{
  FsSweepPoint *point = &self->points[index];

  g_mutex_lock (&self->mutex);
  point->iteration = fs_solver_get_iteration (solver);
  point->total_iterations = total;
  point->cost = fs_solver_get_cost (solver);
  point->elapsed = elapsed;
  g_mutex_unlock (&self->mutex);
}

/* Iterates the fit to its end, or until the sweep is cancelled (FALSE).
 * The iterations are counted as `run` counts them. */
static gboolean
point_iterate (FsSweep      *self,
               guint         index,
               FsFit        *fit,
               FsSweepPoint *result)
{
  FsSolver *solver = fs_fit_get_solver (fit);
  gint64 start = g_get_monotonic_time (), last = start;
  gboolean cancelled = FALSE;

  for (;;)
    {
      gint64 now;

      if (g_atomic_int_get (&self->cancelled))
        {
          cancelled = TRUE;
          break;
        }
      result->total_iterations++;
      if (!fs_fit_iterate (fit))
        break;
      now = g_get_monotonic_time ();
      if (now - last >= PUBLISH_INTERVAL)
        {
          last = now;
          publish_progress (self, index, solver, result->total_iterations,
                            (double) (now - start) / G_USEC_PER_SEC);
        }
    }
  result->elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  result->iteration = fs_solver_get_iteration (solver);
  result->cost = fs_solver_get_cost (solver);
  return !cancelled;
}

/* Runs point index (taken, RUNNING) and stores its result. */
static void
run_point (FsSweep *self,
           guint    index)
{
  FsSweepPoint result = { 0 };
  g_autoptr(FsFit) fit = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&self->mutex);
  result = self->points[index];
  g_mutex_unlock (&self->mutex);

  /* As `run` without --lr: the fit is made with the given rate, then
   * starts over from its solver's own. */
  fit = fs_fit_new (self->X, &result.params, &error);
  if (fit == NULL)
    {
      result.state = FS_SWEEP_POINT_FAILED;
      result.message = g_strdup (error->message);
    }
  else
    {
      if (self->lr_auto)
        {
          result.params.lr = fs_solver_get_starting_lr (fs_fit_get_solver (fit));
          fs_fit_set_lr (fit, result.params.lr);
        }
      result.threads = fs_solver_get_threads (fs_fit_get_solver (fit));
      g_mutex_lock (&self->mutex);
      self->points[index].params = result.params;
      self->points[index].threads = result.threads;
      g_mutex_unlock (&self->mutex);

      if (point_iterate (self, index, fit, &result))
        point_collect (self, fit, &result);
      else
        result.state = FS_SWEEP_POINT_CANCELLED;
    }

  g_mutex_lock (&self->mutex);
  point_clear (&self->points[index]);
  self->points[index] = result;
  self->n_running--;
  if (self->threads[index] > 1)
    self->n_alone--;
  point_ended (self);
  g_mutex_unlock (&self->mutex);
}

static gpointer
worker_main (gpointer data)
{
  FsSweep *self = data;
  guint index;

  fs_thread_set_nice (self->base.nice);
  g_mutex_lock (&self->mutex);
  while (take_point (self, &index))
    {
      g_mutex_unlock (&self->mutex);
      run_point (self, index);
      g_mutex_lock (&self->mutex);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* The points that may run at once: one per core, or FACTORSCOPE_SWEEP_JOBS. */
static guint
count_jobs (void)
{
  const char *text = g_getenv ("FACTORSCOPE_SWEEP_JOBS");
  guint64 jobs;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, 256, &jobs, NULL))
    return (guint) jobs;
  return MAX (g_get_num_processors (), 1);
}

/* changed (if not NULL) is dispatched by an idle source on the context
 * that is the thread default here: after each point ends, once when the
 * waiting points are cancelled, and once more when all have ended.
 * fs_sweep_free destroys the sources not yet dispatched, so changed never
 * runs after it; free the sweep on that context's thread. */
void
fs_sweep_start (FsSweep     *self,
                GSourceFunc  changed,
                gpointer     data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (!self->started);

  self->changed = changed;
  self->changed_data = data;
  self->context = g_main_context_ref_thread_default ();
  self->started = TRUE;
  self->n_workers = MIN (count_jobs (), self->n_points);
  self->workers = g_new0 (GThread *, self->n_workers);
  for (guint k = 0; k < self->n_workers; k++)
    self->workers[k] = g_thread_new ("fs-sweep", worker_main, self);
}

/* The waiting points end CANCELLED at once; the running ones stop at
 * their next iteration and end CANCELLED. */
void
fs_sweep_cancel (FsSweep *self)
{
  guint cancelled = 0;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  g_atomic_int_set (&self->cancelled, TRUE);
  for (guint i = 0; i < self->n_points; i++)
    if (self->points[i].state == FS_SWEEP_POINT_WAITING)
      {
        self->points[i].state = FS_SWEEP_POINT_CANCELLED;
        cancelled++;
      }
  if (cancelled > 0)
    {
      /* One change for them all, then the end if nothing else runs. */
      self->n_ended += cancelled - 1;
      point_ended (self);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
fs_sweep_wait (FsSweep *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  while (self->started && !self->done)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

gboolean
fs_sweep_is_done (FsSweep *self)
{
  gboolean done;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  done = self->done;
  g_mutex_unlock (&self->mutex);
  return done;
}

FsSweepAxis
fs_sweep_get_axis (FsSweep *self)
{
  g_return_val_if_fail (self != NULL, FS_SWEEP_RANK);

  return self->axis;
}

guint
fs_sweep_get_n_points (FsSweep *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_points;
}

FsSweepPoint *
fs_sweep_get_point (FsSweep *self,
                    guint    index)
{
  FsSweepPoint *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_points, NULL);

  g_mutex_lock (&self->mutex);
  copy = point_copy (&self->points[index], TRUE);
  g_mutex_unlock (&self->mutex);
  return copy;
}

FsSweepPoint *
fs_sweep_get_point_numbers (FsSweep *self,
                            guint    index)
{
  FsSweepPoint *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_points, NULL);

  g_mutex_lock (&self->mutex);
  copy = point_copy (&self->points[index], FALSE);
  g_mutex_unlock (&self->mutex);
  return copy;
}

void
fs_sweep_free (FsSweep *self)
{
  if (self == NULL)
    return;

  if (self->started)
    fs_sweep_cancel (self);
  for (guint k = 0; k < self->n_workers; k++)
    g_thread_join (self->workers[k]);
  g_free (self->workers);

  /* No worker queues one now: the sources left never dispatch. */
  for (guint k = 0; k < self->pending->len; k++)
    g_source_destroy (g_ptr_array_index (self->pending, k));
  g_ptr_array_unref (self->pending);
  g_clear_pointer (&self->context, g_main_context_unref);

  for (guint i = 0; i < self->n_points; i++)
    point_clear (&self->points[i]);
  g_free (self->points);
  g_free (self->threads);
  g_clear_pointer (&self->singular, g_array_unref);
  fs_matrix_unref (self->X);
  g_mutex_clear (&self->svd_mutex);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->mutex);
  g_free (self);
}
