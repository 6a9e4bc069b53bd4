/* fs-runner.c
 *
 * The thread iterates without the lock. Commands set fields under the lock
 * and raise an atomic flag that the thread reads after every iteration, so
 * a command takes effect within one iteration and the solver pays one
 * atomic read per step for being interruptible.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-runner"

#include <glib/gi18n-lib.h>

#include <cblas.h>

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-fit.h"
#include "fs-pool.h"
#include "fs-rules.h"
#include "fs-runner.h"
#include "fs-step-size.h"

struct _FsRunner
{
  GThread      *thread;
  GMutex        mutex;
  GCond         command_cond;
  GCond         publish_cond;
  gint          command_pending; /* atomic */

  /* Guarded by mutex. */
  gboolean      quit;
  gboolean      running;
  guint64       steps_pending;
  guint64       steps_epoch;   /* counts the times steps_pending was cleared */
  gboolean      reset_pending;
  gboolean      change_pending;  /* new settings that go on from W and H */
  gboolean      resume_pending;  /* go on after a stop */
  FsParams      params;
  double        lr;
  double        pace;          /* iterations per second while running; 0: no limit */
  gint64        pace_origin;   /* when the paced stretch began */
  guint64       pace_steps;    /* steps made since then */
  FsSnapshot   *snapshot;
  guint64       serial;
  guint64       sent;          /* commands sent so far */
  guint64       taken;         /* ...and taken up by the thread */

  /* Owned by the thread once it runs. */
  FsMatrix     *X;
  FsFit        *fit;
  double        elapsed;
  char         *message;
  FsParams      applied;       /* the settings the fit has */
  GArray       *marks;         /* FsMark: where settings changed */
  double        lifted_tol;    /* the tolerance Run went past, or 0 */
  gboolean      dirty;         /* steps made since the last snapshot */
  gint64        last_publish;
  double        publish_cost;  /* the last snapshot's CPU seconds, this thread's */
  /* The current run's checkpoints, and the best run's while it is not the
   * current one (fs-checkpoints.h); the iteration of the current store's
   * last checkpoint, G_MAXUINT64 when the solver has moved or changed
   * since. */
  FsCheckpoints *checkpoints;
  FsCheckpoints *best_checkpoints;
  guint64       checkpoint_iteration;
  /* Where both stores' factors come from and go back to. */
  FsFactorPool  *factor_pool;
};

/* Whether factor is one of the snapshot's checkpoints' W or H (the
 * snapshot's own factors are its last checkpoint's): the snapshot frees
 * only the factors it does not share. */
static gboolean
snapshot_shares (const FsSnapshot *self,
                 const double     *factor)
{
  for (guint k = 0; k < self->n_checkpoints; k++)
    if (self->checkpoints[k]->W == factor || self->checkpoints[k]->H == factor)
      return TRUE;
  return FALSE;
}

static void
fs_snapshot_clear (FsSnapshot *self)
{
  for (guint k = 0; k <= self->run && self->logs != NULL; k++)
    fs_cost_log_unref (self->logs[k]);
  g_free (self->logs);
  g_free (self->log_lengths);
  g_free (self->final_costs);
  for (guint k = 0; k <= self->run && self->traces != NULL; k++)
    if (self->traces[k] != NULL)
      fs_trace_unref (self->traces[k]);
  g_free (self->traces);
  g_free (self->trace_lengths);
  if (!snapshot_shares (self, self->W))
    g_free (self->W);
  if (!snapshot_shares (self, self->H))
    g_free (self->H);
  for (guint k = 0; k < self->n_checkpoints; k++)
    fs_checkpoint_unref (self->checkpoints[k]);
  g_free (self->checkpoints);
  g_free (self->message);
  g_free (self->warning);
  for (guint k = 0; k < self->n_marks; k++)
    g_free (self->marks[k].label);
  g_free (self->marks);
}

FsSnapshot *
fs_snapshot_ref (FsSnapshot *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
fs_snapshot_unref (FsSnapshot *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) fs_snapshot_clear);
}

/* A copy of self that shares its logs and traces by reference and has
 * copies of the rest, with no factors and no checkpoints yet. */
static FsSnapshot *
snapshot_copy_without_factors (const FsSnapshot *self)
{
  /* The function, not its macro, which would keep self's const. */
  FsSnapshot *copy = (g_atomic_rc_box_dup) (sizeof (FsSnapshot), self);
  guint n_runs = self->run + 1;

  copy->message = g_strdup (self->message);
  copy->warning = g_strdup (self->warning);
  copy->W = copy->H = NULL;
  copy->checkpoints = NULL;
  copy->n_checkpoints = 0;
  if (self->logs != NULL)
    {
      copy->logs = g_new (FsCostLog *, n_runs);
      copy->traces = g_new (FsTrace *, n_runs);
      for (guint k = 0; k < n_runs; k++)
        {
          copy->logs[k] = fs_cost_log_ref (self->logs[k]);
          copy->traces[k] = self->traces[k] != NULL ? fs_trace_ref (self->traces[k]) : NULL;
        }
      copy->log_lengths = g_memdup2 (self->log_lengths, n_runs * sizeof (gsize));
      copy->trace_lengths = g_memdup2 (self->trace_lengths, n_runs * sizeof (gsize));
      copy->final_costs = g_memdup2 (self->final_costs, n_runs * sizeof (double));
    }
  copy->marks = g_new (FsMark, self->n_marks);
  for (guint k = 0; k < self->n_marks; k++)
    {
      copy->marks[k] = self->marks[k];
      copy->marks[k].label = g_strdup (self->marks[k].label);
    }
  return copy;
}

FsSnapshot *
fs_snapshot_copy_for_pin (const FsSnapshot *self)
{
  FsSnapshot *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = snapshot_copy_without_factors (self);
  copy->W = g_memdup2 (self->W, self->rows * self->rank * sizeof (double));
  copy->H = g_memdup2 (self->H, (gsize) self->rank * self->cols * sizeof (double));
  return copy;
}

/* The replayed snapshot shares its checkpoint's W and H (fs_snapshot_clear
 * frees only factors no checkpoint holds) and keeps every checkpoint, so
 * that the replay can move on from it. Its run stays self's: the logs are
 * indexed by it. */
FsSnapshot *
fs_snapshot_new_at_checkpoint (const FsSnapshot *self,
                               guint             index)
{
  FsSnapshot *copy;
  const FsCheckpoint *checkpoint;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_checkpoints, NULL);

  checkpoint = self->checkpoints[index];
  copy = snapshot_copy_without_factors (self);
  copy->n_checkpoints = self->n_checkpoints;
  copy->checkpoints = g_new (FsCheckpoint *, self->n_checkpoints);
  for (guint k = 0; k < self->n_checkpoints; k++)
    copy->checkpoints[k] = fs_checkpoint_ref (self->checkpoints[k]);
  copy->W = checkpoint->W;
  copy->H = checkpoint->H;
  copy->iteration = checkpoint->iteration;
  copy->cost = checkpoint->cost;
  copy->rows = checkpoint->rows;
  copy->cols = checkpoint->cols;
  copy->rank = checkpoint->rank;
  return copy;
}

/* The power iteration approaches sigma_1(X) from below: this margin keeps
 * the bound on the safe side of a not quite converged estimate. */
#define SIGMA_MARGIN 1.05

/* The joint bound at the snapshot's W and H, with ||R||_F from the cost
 * less the penalties, and sigma_1(X) + sigma_max(W) sigma_max(H), bounding
 * ||R||_2: two r × r eigenvalue problems and the norms of W and H, no pass
 * over X (a snapshot comes every 30 ms, and every step at a slow pace). */
static double
stability_bound (const FsSnapshot *snap,
                 FsSolver         *solver,
                 gboolean          show_best,
                 double            cost)
{
  const FsParams *p = fs_solver_get_params (solver);
  double x_sigma = fs_solver_get_sigma_estimate (solver);
  const double *wtw, *hht;
  gsize len_w = snap->rows * snap->rank, len_h = (gsize) snap->rank * snap->cols;
  double data = cost;

  if (p->l2_w != 0.0)
    data -= p->l2_w * cblas_ddot ((int) len_w, snap->W, 1, snap->W, 1);
  if (p->l2_h != 0.0)
    data -= p->l2_h * cblas_ddot ((int) len_h, snap->H, 1, snap->H, 1);
  if (p->l1_w != 0.0)
    data -= p->l1_w * cblas_dasum ((int) len_w, snap->W, 1);
  if (p->l1_h != 0.0)
    data -= p->l1_h * cblas_dasum ((int) len_h, snap->H, 1);
  if (!isfinite (data))
    return NAN;
  x_sigma = isfinite (x_sigma) ? SIGMA_MARGIN * x_sigma : 0.0;
  /* The solver's own Grams are those of the W and H shown, unless the best
   * run's are: no pass over W and H while the solver's threads wait. */
  if (!show_best && fs_solver_get_grams (solver, &wtw, &hht))
    return fs_step_size_joint_bound_from_grams (wtw, hht, snap->rank, p->l2_w, p->l2_h,
                                                sqrt (MAX (data, 0.0)), x_sigma);
  return fs_step_size_joint_stability_bound (snap->W, snap->H, snap->rows, snap->cols, snap->rank,
                                             p->l2_w, p->l2_h, sqrt (MAX (data, 0.0)), x_sigma);
}

/* Each run's log, trace and final cost, with the lengths of the log and
 * the trace as they are now: the writer is this thread. */
static void
snapshot_take_runs (FsSnapshot *snap,
                    FsFit      *fit)
{
  snap->logs = g_new (FsCostLog *, snap->run + 1);
  snap->log_lengths = g_new (gsize, snap->run + 1);
  snap->traces = g_new (FsTrace *, snap->run + 1);
  snap->trace_lengths = g_new (gsize, snap->run + 1);
  snap->final_costs = g_new (double, snap->run + 1);
  for (guint k = 0; k <= snap->run; k++)
    {
      snap->logs[k] = fs_cost_log_ref (fs_fit_get_log (fit, k));
      snap->log_lengths[k] = fs_cost_log_get_length (snap->logs[k]);
      FsTrace *trace = fs_fit_get_trace (fit, k);

      /* The fit keeps only the traces that can be shown. */
      snap->traces[k] = trace != NULL ? fs_trace_ref (trace) : NULL;
      snap->trace_lengths[k] = trace != NULL ? fs_trace_get_length (trace) : 0;
      snap->final_costs[k] = fs_fit_get_final_cost (fit, k);
    }
}

/* Copies the current W and H into the current run's store, on the thread
 * that owns the fit. */
static void
offer_current (FsRunner *self)
{
  FsSolver *solver = fs_fit_get_solver (self->fit);

  self->checkpoint_iteration = fs_solver_get_iteration (solver);
  fs_checkpoints_offer (self->checkpoints, fs_fit_get_current_run (self->fit),
                        self->checkpoint_iteration, fs_solver_get_cost (solver),
                        fs_solver_get_w (solver), fs_solver_get_h (solver),
                        fs_solver_get_rows (solver), fs_solver_get_cols (solver),
                        fs_solver_get_rank (solver));
}

/* The best run's final factors, at the iteration its log ends with: once
 * the next run has begun, the fit's copy is all that is left of them. */
static void
offer_best (FsRunner      *self,
            FsCheckpoints *store)
{
  FsSolver *solver = fs_fit_get_solver (self->fit);
  gint best = fs_fit_get_best_run (self->fit);
  FsCostLog *log = fs_fit_get_log (self->fit, (guint) best);
  gsize len = fs_cost_log_get_length (log);

  fs_checkpoints_offer (store, (guint) best, len - 1, fs_cost_log_get (log, len - 1),
                        fs_fit_get_best_w (self->fit), fs_fit_get_best_h (self->fit),
                        fs_solver_get_rows (solver), fs_solver_get_cols (solver),
                        fs_solver_get_rank (solver));
}

/* Forgets the current run's checkpoints (a new run, a reset). */
static void
clear_current_checkpoints (FsRunner *self)
{
  fs_checkpoints_clear (self->checkpoints);
  self->checkpoint_iteration = G_MAXUINT64;
}

/* Run ended and the next one began: a run that ended as the new best
 * keeps its checkpoints, its last at its final iteration, as the best's;
 * the new run starts a store of its own. */
static void
checkpoints_end_run (FsRunner *self,
                     guint     run)
{
  if (fs_fit_get_best_run (self->fit) == (gint) run)
    {
      FsCheckpoints *ended = self->checkpoints;

      offer_best (self, ended);
      self->checkpoints = self->best_checkpoints;
      self->best_checkpoints = ended;
    }
  clear_current_checkpoints (self);
}

/* After each step, run being the run it was made in: wanted iterations
 * are copied now, any other only when a snapshot shows it. */
static void
checkpoints_after_step (FsRunner *self,
                        guint     run)
{
  guint64 iteration;

  if (fs_fit_get_current_run (self->fit) != run)
    checkpoints_end_run (self, run);
  iteration = fs_solver_get_iteration (fs_fit_get_solver (self->fit));
  if (fs_checkpoints_wants (iteration) && iteration != self->checkpoint_iteration)
    offer_current (self);
}

/* The store of the run the snapshot shows, its last checkpoint at the
 * factors shown: the best run's once all are done, else the current
 * one's. */
static FsCheckpoints *
shown_checkpoints (FsRunner *self,
                   gboolean  show_best)
{
  gint best = fs_fit_get_best_run (self->fit);
  guint current = fs_fit_get_current_run (self->fit);

  /* A best run that is the current one, or none, needs no store apart. */
  if (best < 0 || (guint) best == current)
    fs_checkpoints_clear (self->best_checkpoints);
  if (show_best && (guint) best != current)
    {
      if (fs_checkpoints_get_bytes (self->best_checkpoints) == 0)
        offer_best (self, self->best_checkpoints);
      return self->best_checkpoints;
    }
  if (fs_solver_get_iteration (fs_fit_get_solver (self->fit)) != self->checkpoint_iteration)
    offer_current (self);
  return self->checkpoints;
}

/* The snapshot's W and H are its last checkpoint's: the factors shown are
 * copied once, for both. */
static void
snapshot_take_checkpoints (FsRunner   *self,
                           FsSnapshot *snap,
                           gboolean    show_best)
{
  FsCheckpoints *store = shown_checkpoints (self, show_best);
  FsCheckpoint *last;

  snap->checkpoints = fs_checkpoints_dup_all (store, &snap->n_checkpoints);
  g_assert (snap->n_checkpoints > 0);
  last = snap->checkpoints[snap->n_checkpoints - 1];
  snap->W = last->W;
  snap->H = last->H;
}

/* Runs on the thread that owns the fit: the copies are made before the
 * lock is taken, so the reader never waits on them. */
static FsSnapshot *
snapshot_new (FsRunner      *self,
              FsRunnerState  state)
{
  FsFit *fit = self->fit;
  FsSolver *solver = fs_fit_get_solver (fit);
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);
  const FsWarning *warning;
  gboolean show_best = fs_fit_is_done (fit) && fs_fit_get_best_run (fit) >= 0;
  gsize n = fs_solver_get_rows (solver), m = fs_solver_get_cols (solver);
  guint r = fs_solver_get_rank (solver);

  snap->state = state;
  snap->rows = n;
  snap->cols = m;
  snap->rank = r;
  snap->lr = fs_solver_get_params (solver)->lr;
  snap->iteration = fs_solver_get_iteration (solver);
  snap->run = fs_fit_get_current_run (fit);
  snap->n_runs = fs_fit_get_n_runs (fit);
  snap->seed = fs_solver_get_seed (solver);
  snap->cost = fs_solver_get_cost (solver);
  snap->grad_norm_w = fs_solver_get_grad_norm_w (solver);
  snap->grad_norm_h = fs_solver_get_grad_norm_h (solver);
  snap->elapsed = self->elapsed;
  snap->stop = fs_solver_get_stop (solver);
  snap->message = g_strdup (self->message != NULL ? self->message
                                                  : fs_solver_get_stop_message (solver));
  snap->best_run = fs_fit_get_best_run (fit);

  snapshot_take_runs (snap, fit);

  warning = fs_solver_get_warning (solver);
  if (warning != NULL)
    {
      snap->warning = g_strdup (warning->message);
      snap->warning_iteration = warning->iteration;
      snap->warning_lr = warning->suggested_lr;
    }

  snap->n_marks = self->marks->len;
  snap->marks = g_new (FsMark, snap->n_marks);
  for (guint k = 0; k < snap->n_marks; k++)
    {
      snap->marks[k] = g_array_index (self->marks, FsMark, k);
      snap->marks[k].label = g_strdup (snap->marks[k].label);
    }

  snap->params = *fs_solver_get_params (solver);
  /* Past a convergence the solver runs with the tolerance lifted; the
   * settings are still the user's (the thread owns lifted_tol). */
  if (self->lifted_tol > 0.0)
    snap->params.tol = self->lifted_tol;
  snap->train_mse = fs_solver_get_train_mse (solver);
  snap->holdout_mse = fs_solver_get_holdout_mse (solver);
  if (show_best)
    {
      /* The fit keeps the best run's trace, which ends at its last iteration. */
      FsTrace *best = fs_fit_get_trace (fit, (guint) snap->best_run);
      gsize last = fs_trace_get_length (best) - 1;

      snap->train_mse = fs_trace_get (best, FS_TRACE_TRAIN_MSE, last);
      snap->holdout_mse = fs_trace_get (best, FS_TRACE_HOLDOUT_MSE, last);
    }

  snapshot_take_checkpoints (self, snap, show_best);
  snap->stability_bound = stability_bound (snap, solver, show_best,
                                           show_best ? snap->final_costs[snap->best_run] : snap->cost);
  return snap;
}

/* Called with the mutex held. */
static void
publish (FsRunner   *self,
         FsSnapshot *snap)
{
  snap->serial = ++self->serial;
  snap->commands = self->taken;
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  self->snapshot = snap;
  g_cond_broadcast (&self->publish_cond);
}

static FsRunnerState
current_state (FsRunner *self)
{
  if (fs_fit_is_done (self->fit))
    return FS_RUNNER_FINISHED;
  return self->running ? FS_RUNNER_RUNNING : FS_RUNNER_PAUSED;
}

static void
clear_mark (gpointer data)
{
  g_free (((FsMark *) data)->label);
}

static void
clear_marks (FsRunner *self)
{
  g_array_set_size (self->marks, 0);
}

/* Called with the mutex held; drops it while building a new fit. */
static void
apply_reset (FsRunner *self)
{
  g_autoptr(GError) error = NULL;
  FsParams params = self->params;
  FsFit *fit;

  params.lr = self->lr;
  /* What was asked before now is in params; what comes while the fit is
   * built (the lock is dropped) applies to it afterwards. */
  self->reset_pending = self->change_pending = self->resume_pending = FALSE;

  g_mutex_unlock (&self->mutex);
  fit = fs_fit_new (self->X, &params, &error);
  g_mutex_lock (&self->mutex);

  g_clear_pointer (&self->message, g_free);
  if (fit == NULL)
    {
      self->message = g_strdup (error->message);
      return;
    }

  fs_fit_free (self->fit);
  self->fit = fit;
  self->elapsed = 0.0;
  self->applied = params;
  self->lifted_tol = 0.0;
  clear_marks (self);
  clear_current_checkpoints (self);
  fs_checkpoints_clear (self->best_checkpoints);
}

/* What changed from old to new, as a short label for the loss curve's
 * mark (the words of the kept runs' labels); NULL when nothing that moves
 * the run changed (the limit, the tolerance, the instability stop). */
static char *
describe_change (const FsParams *old,
                 const FsParams *new)
{
  FsParams moving = *new;
  g_autofree char *label = NULL;

  moving.max_iters = old->max_iters;
  moving.tol = old->tol;
  moving.stop_unstable = old->stop_unstable;
  moving.nice = old->nice;
  label = fs_params_describe_difference (&moving, old);
  return *label != '\0' ? g_steal_pointer (&label) : NULL;
}

/* Runs without the lock (the fit is the thread's). Run after a
 * convergence means "go on": the run goes on to its iteration limit, the
 * tolerance lifted until the tolerance itself is changed. */
static void
go_past_convergence (FsRunner *self)
{
  FsParams params = self->applied;

  if (!fs_fit_is_done (self->fit) ||
      fs_solver_get_stop (fs_fit_get_solver (self->fit)) != FS_STOP_TOLERANCE)
    return;
  self->lifted_tol = params.tol;
  params.tol = 0.0;
  fs_fit_change_params (self->fit, &params);
  self->applied = params;
}

/* Runs without the lock (the fit is the thread's; evaluating the new
 * settings is a pass over X): params apply from the current W and H, with
 * a mark where they did. Returns TRUE when a run that stopped at its
 * limit can go on, the limit having been raised. */
static gboolean
apply_change (FsRunner *self,
              FsParams  params)
{
  gboolean was_at_limit = fs_fit_is_done (self->fit) &&
                          fs_solver_get_stop (fs_fit_get_solver (self->fit)) == FS_STOP_ITERATIONS;
  FsSolver *solver = fs_fit_get_solver (self->fit);
  g_autofree char *label = NULL;
  gboolean goes_on;

  /* Past a convergence the tolerance stays lifted, until it is changed. */
  if (self->lifted_tol > 0.0 && params.tol == self->lifted_tol)
    params.tol = 0.0;
  else
    self->lifted_tol = 0.0;
  label = describe_change (&self->applied, &params);
  self->applied = params;

  goes_on = fs_fit_change_params (self->fit, &params) && was_at_limit;
  /* Before the first step a change is the run's setting, not a change. */
  if (label != NULL && fs_solver_get_iteration (solver) > 0)
    {
      FsMark mark = { fs_fit_get_current_run (self->fit), fs_solver_get_iteration (solver),
                      g_steal_pointer (&label) };

      g_array_append_val (self->marks, mark);
    }
  return goes_on;
}

/* Called with the mutex held; drops it while the fit takes the new
 * settings or goes on after a stop. */
static void
apply_change_and_resume (FsRunner *self)
{
  gboolean change = self->change_pending, resume = self->resume_pending;
  gboolean goes_on = FALSE, resumed = TRUE;
  FsParams params = self->params;

  params.lr = self->lr;
  self->change_pending = self->resume_pending = FALSE;

  g_mutex_unlock (&self->mutex);
  /* The run goes on with its checkpoints; the last is taken again, as new
   * settings may have moved W and H (made non-negative). */
  self->checkpoint_iteration = G_MAXUINT64;
  if (change)
    goes_on = apply_change (self, params);
  if (resume)
    {
      /* Run or Step after a stop goes on from there, if it can. */
      go_past_convergence (self);
      resumed = fs_fit_resume (self->fit);
    }
  g_mutex_lock (&self->mutex);

  if (goes_on)
    self->running = TRUE;
  if (!resumed)
    {
      self->running = FALSE;
      self->steps_pending = 0;
    }
}

/* A snapshot copies W and H on this thread while the solver's threads
 * wait: 30 MB for 100000 × 32 and 32 × 20000, 11 ms of CPU (median) on
 * a loaded 2-core Zen 4 VM, into fresh pages or into the buffers
 * FACTOR_POOL_FREE keeps, which spare page faults whatever malloc does
 * with freed memory. Batches grow so that snapshots take at most
 * PUBLISH_SHARE of the solver's time, up to PUBLISH_MAX_INTERVAL (the
 * window shows two snapshots a second at least): on that case one every
 * 500 ms, while a 2000 × 2000 matrix at rank 50 still gets one every
 * 30 ms. */
#define PUBLISH_SHARE 0.01
#define PUBLISH_MAX_INTERVAL (500 * G_TIME_SPAN_MILLISECOND)
/* The window holds the snapshot it shows, the runner the latest, and a
 * heatmap job perhaps an older one: two free buffers make the copies of
 * a steady run reuse memory. */
#define FACTOR_POOL_FREE 2

/* Iterates without the lock until a command arrives, the fit is done,
 * max_steps are made, or it is time to publish. Returns the steps made. */
static guint64
iterate_batch (FsRunner *self,
               guint64   max_steps)
{
  gint64 start = g_get_monotonic_time ();
  gint64 now = start;
  guint64 steps = 0;
  gint64 interval = CLAMP ((gint64) (self->publish_cost / PUBLISH_SHARE * G_USEC_PER_SEC),
                           FS_RUNNER_PUBLISH_INTERVAL, PUBLISH_MAX_INTERVAL);

  while (steps < max_steps)
    {
      guint run = fs_fit_get_current_run (self->fit);
      gboolean more = fs_fit_iterate (self->fit);

      checkpoints_after_step (self, run);
      steps++;
      if (!more || g_atomic_int_get (&self->command_pending))
        break;
      now = g_get_monotonic_time ();
      if (now - start >= interval)
        break;
    }

  self->elapsed += (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  return steps;
}

/* Called with the mutex held: how many steps a run may make now. At a set
 * pace the step due at origin + k / pace is allowed once that time has
 * come, so a slow run keeps its pace whatever a step costs. */
static guint64
paced_budget (FsRunner *self,
              gint64    now,
              gint64   *due)
{
  double allowed;

  if (self->pace <= 0.0)
    return G_MAXUINT64;
  if (self->pace_origin == 0)
    {
      self->pace_origin = now;
      self->pace_steps = 0;
    }
  allowed = floor ((double) (now - self->pace_origin) * self->pace / G_USEC_PER_SEC) + 1.0;
  if (allowed > (double) self->pace_steps)
    return (guint64) allowed - self->pace_steps;
  *due = self->pace_origin + (gint64) ceil ((double) self->pace_steps / self->pace * G_USEC_PER_SEC);
  return 0;
}

/* Called with the mutex held. A paced run publishes after each step when
 * steps come slower than frames, so that every step is drawn, and at most
 * once a frame when they come faster. */
static gboolean
publish_due (FsRunner *self,
             gint64    now)
{
  if (self->pace <= 0.0 || !self->running || fs_fit_is_done (self->fit))
    return TRUE;
  return now - self->last_publish >= FS_RUNNER_PACED_PUBLISH_INTERVAL;
}

/* Called with the mutex held; drops it while the snapshot is made. */
static void
publish_now (FsRunner *self)
{
  FsSnapshot *snap;
  double cpu = fs_thread_cpu_seconds ();

  g_mutex_unlock (&self->mutex);
  snap = snapshot_new (self, FS_RUNNER_RUNNING);
  g_mutex_lock (&self->mutex);
  self->publish_cost = fs_thread_cpu_seconds () - cpu;

  snap->state = current_state (self);
  self->dirty = FALSE;
  self->last_publish = g_get_monotonic_time ();
  publish (self, snap);
}

/* Called with the mutex held: waits for a command or, during a paced run,
 * for the next step to fall due. Returns FALSE when there is nothing to do
 * yet. */
static gboolean
wait_for_work (FsRunner *self,
               guint64  *budget)
{
  gint64 due = 0, now;

  if (!self->quit && !self->reset_pending && !self->change_pending && !self->resume_pending &&
      !((self->running || self->steps_pending > 0) && !fs_fit_is_done (self->fit)))
    {
      /* Nothing to do: the last steps and state are shown before the
       * thread sleeps (publishing drops the lock, so the state is looked
       * at again). */
      if (self->dirty || self->snapshot->state != current_state (self) || self->taken != self->sent)
        {
          /* A command that changed nothing (a pace while paused) is
           * taken up all the same, and said so in a snapshot. */
          self->taken = self->sent;
          publish_now (self);
          return FALSE;
        }
      self->pace_origin = 0;
      g_atomic_int_set (&self->command_pending, 0);
      self->taken = self->sent;
      g_cond_wait (&self->command_cond, &self->mutex);
      return FALSE;
    }
  g_atomic_int_set (&self->command_pending, 0);
  self->taken = self->sent;
  if (self->quit || self->reset_pending || self->change_pending || self->resume_pending)
    return TRUE;

  if (!self->running)
    {
      self->pace_origin = 0;
      *budget = self->steps_pending;
      return TRUE;
    }

  now = g_get_monotonic_time ();
  *budget = paced_budget (self, now, &due);
  if (*budget > 0)
    return TRUE;
  /* Between steps: show the steps made, once a frame at most. */
  if (self->dirty && publish_due (self, now))
    publish_now (self);
  else
    g_cond_wait_until (&self->command_cond, &self->mutex,
                       self->dirty ? MIN (due, self->last_publish + FS_RUNNER_PACED_PUBLISH_INTERVAL)
                                   : due);
  return FALSE;
}

static gpointer
runner_thread (gpointer data)
{
  FsRunner *self = data;

  /* The settings only under the lock: fs_runner_set_params may be writing
   * them already. */
  g_mutex_lock (&self->mutex);
  fs_thread_set_nice (self->params.nice);
  for (;;)
    {
      gboolean stepping;
      guint64 budget = 0, made, epoch;

      if (!wait_for_work (self, &budget))
        continue;

      if (self->quit)
        break;

      if (self->reset_pending)
        {
          /* The snapshot says what comes next: running, if a run is on. */
          apply_reset (self);
          self->pace_origin = 0;
          publish_now (self);
          continue;
        }

      if (self->change_pending || self->resume_pending)
        {
          apply_change_and_resume (self);
          publish_now (self);
          continue;
        }

      stepping = !self->running;
      epoch = self->steps_epoch;
      g_mutex_unlock (&self->mutex);

      made = iterate_batch (self, budget);

      g_mutex_lock (&self->mutex);
      self->dirty = TRUE;
      /* Steps asked for after a reset or a restart that came during the
       * batch are not the ones it made. */
      if (stepping && epoch == self->steps_epoch)
        self->steps_pending -= MIN (made, self->steps_pending);
      else
        self->pace_steps += made;
      if (fs_fit_is_done (self->fit))
        {
          self->running = FALSE;
          self->steps_pending = 0;
        }
      /* A pause or a step that came during the batch is in the state
       * published now; settings and resets are taken up when applied. */
      if (!self->reset_pending && !self->change_pending && !self->resume_pending && !self->quit)
        self->taken = self->sent;
      if (stepping || publish_due (self, g_get_monotonic_time ()))
        publish_now (self);
    }
  g_mutex_unlock (&self->mutex);

  return NULL;
}

FsRunner *
fs_runner_new (FsMatrix       *X,
               const FsParams *params,
               GError        **error)
{
  FsRunner *self;
  FsFit *fit;

  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  fit = fs_fit_new (X, params, error);
  if (fit == NULL)
    return NULL;

  self = g_new0 (FsRunner, 1);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->command_cond);
  g_cond_init (&self->publish_cond);
  self->X = fs_matrix_ref (X);
  self->params = *params;
  self->lr = params->lr;
  self->fit = fit;
  self->applied = *params;
  self->marks = g_array_new (FALSE, FALSE, sizeof (FsMark));
  g_array_set_clear_func (self->marks, clear_mark);
  self->factor_pool = fs_factor_pool_new (FACTOR_POOL_FREE);
  self->checkpoints = fs_checkpoints_new_with_pool (FS_CHECKPOINTS_BUDGET, self->factor_pool);
  self->best_checkpoints = fs_checkpoints_new_with_pool (FS_CHECKPOINTS_BUDGET, self->factor_pool);
  self->checkpoint_iteration = G_MAXUINT64;

  publish (self, snapshot_new (self, FS_RUNNER_PAUSED));
  self->last_publish = g_get_monotonic_time ();
  self->thread = g_thread_new ("factorscope-solver", runner_thread, self);
  return self;
}

static void
send_command (FsRunner *self)
{
  self->sent++;
  g_atomic_int_set (&self->command_pending, 1);
  g_cond_signal (&self->command_cond);
}

void
fs_runner_run (FsRunner *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->running = TRUE;
  self->steps_pending = 0;
  self->steps_epoch++;
  self->resume_pending = TRUE;
  send_command (self);
  g_mutex_unlock (&self->mutex);
}

/* The thread stops after its current iteration and publishes at once. */
void
fs_runner_pause (FsRunner *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  if (self->running)
    {
      self->running = FALSE;
      self->steps_pending = 0;
      self->steps_epoch++;
      send_command (self);
    }
  g_mutex_unlock (&self->mutex);
}

/* Pauses if running, then makes n more iterations. */
void
fs_runner_step (FsRunner *self,
                guint64   n)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->running = FALSE;
  self->steps_pending += n;
  self->resume_pending = TRUE;
  send_command (self);
  g_mutex_unlock (&self->mutex);
}

/* Back to iteration 0 of the first run, paused, with the same seed. */
void
fs_runner_reset (FsRunner *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  self->reset_pending = TRUE;
  self->running = FALSE;
  self->steps_pending = 0;
  self->steps_epoch++;
  send_command (self);
  g_mutex_unlock (&self->mutex);
}

/* New settings that change the problem's shape (the rank, the start)
 * restart from iteration 0; others (penalties, the rule, the step, the
 * limit) go on from the current W and H, with a mark in the snapshot. A
 * solve that was running (or asked to run) goes on running either way:
 * the intent to run survives any change of settings, however close
 * together the changes come. */
gboolean
fs_runner_set_params (FsRunner       *self,
                      const FsParams *params,
                      GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!fs_params_validate (params, self->X, error))
    return FALSE;

  g_mutex_lock (&self->mutex);
  if (fs_params_needs_restart (&self->params, params))
    {
      self->reset_pending = TRUE;
      self->steps_pending = 0;
      self->steps_epoch++;
    }
  else if (!self->reset_pending)
    self->change_pending = TRUE;
  self->params = *params;
  self->lr = params->lr;
  send_command (self);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/* Iterations per second while running (Step is never paced); 0 or
 * infinity: as fast as the solver goes. Applies from the next step. */
void
fs_runner_set_pace (FsRunner *self,
                    double    iterations_per_second)
{
  double pace;

  g_return_if_fail (self != NULL);
  g_return_if_fail (!isnan (iterations_per_second) && iterations_per_second >= 0.0);

  /* Slower than one a day would overflow the clock's arithmetic. */
  pace = isinf (iterations_per_second) ? 0.0
         : iterations_per_second > 0.0 ? MAX (iterations_per_second, FS_RUNNER_MIN_PACE)
         : 0.0;
  g_mutex_lock (&self->mutex);
  /* The same pace again is no command: a new runner given the session's
   * pace publishes nothing after its first snapshot. */
  if (pace != self->pace)
    {
      self->pace = pace;
      self->pace_origin = 0;
      send_command (self);
    }
  g_mutex_unlock (&self->mutex);
}

double
fs_runner_get_pace (FsRunner *self)
{
  double pace;

  g_return_val_if_fail (self != NULL, 0.0);

  g_mutex_lock (&self->mutex);
  pace = self->pace;
  g_mutex_unlock (&self->mutex);
  return pace;
}

/* Applies from the next iteration without restarting, with a mark. */
void
fs_runner_set_lr (FsRunner *self,
                  double    lr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (lr) && lr > 0.0);

  g_mutex_lock (&self->mutex);
  self->lr = lr;
  self->params.lr = lr;
  if (!self->reset_pending)
    self->change_pending = TRUE;
  send_command (self);
  g_mutex_unlock (&self->mutex);
}

/* Ends the thread; the last snapshot stays readable. */
void
fs_runner_stop (FsRunner *self)
{
  g_return_if_fail (self != NULL);

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->quit = TRUE;
  send_command (self);
  g_mutex_unlock (&self->mutex);

  g_thread_join (g_steal_pointer (&self->thread));
}

void
fs_runner_free (FsRunner *self)
{
  if (self == NULL)
    return;

  fs_runner_stop (self);
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  g_clear_pointer (&self->fit, fs_fit_free);
  g_clear_pointer (&self->marks, g_array_unref);
  g_clear_pointer (&self->checkpoints, fs_checkpoints_free);
  g_clear_pointer (&self->best_checkpoints, fs_checkpoints_free);
  g_clear_pointer (&self->factor_pool, fs_factor_pool_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_free (self->message);
  g_cond_clear (&self->publish_cond);
  g_cond_clear (&self->command_cond);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* How many commands (run, pause, step, reset, settings, rate, pace) have
 * been sent: a snapshot whose commands field equals it was published
 * after the thread took all of them up. */
guint64
fs_runner_get_commands_sent (FsRunner *self)
{
  guint64 sent;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  sent = self->sent;
  g_mutex_unlock (&self->mutex);
  return sent;
}

FsSnapshot *
fs_runner_get_snapshot (FsRunner *self)
{
  FsSnapshot *snap;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->mutex);
  snap = fs_snapshot_ref (self->snapshot);
  g_mutex_unlock (&self->mutex);
  return snap;
}

/* How many buffers for W and H the runner has allocated: after the first
 * few snapshots of a run, the ones the reader has let go are used again
 * (for tests). */
guint64
fs_runner_get_factor_allocations (FsRunner *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return fs_factor_pool_get_allocations (self->factor_pool);
}

/* Waits until a snapshot newer than after_serial is published. */
gboolean
fs_runner_wait (FsRunner *self,
                guint64   after_serial,
                gint64    timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  while (self->serial <= after_serial && ok)
    ok = g_cond_wait_until (&self->publish_cond, &self->mutex, deadline);
  ok = self->serial > after_serial;
  g_mutex_unlock (&self->mutex);
  return ok;
}
