/* fs-fit.c
 *
 * One solver serves every run: it is restarted in place with the next seed,
 * so a restart allocates nothing the size of the problem, only a new cost
 * log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-fit"

#include <math.h>
#include <string.h>

#include "fs-fit.h"

typedef struct
{
  FsCostLog *log;
  FsTrace   *trace;
  double     final_cost;
  FsStop     stop;
  guint64    seed;
  FsWarning  warning;      /* the solver's, kept when the run ended */
  gboolean   has_warning;
} FsRun;

struct _FsFit
{
  FsSolver *solver;
  guint     n_runs;
  guint     current;
  gboolean  done;
  FsRun    *runs;
  gint      best;
  double    best_cost;  /* the cost best_w and best_h had when saved */
  double   *best_w;
  double   *best_h;
};

void
fs_fit_free (FsFit *self)
{
  if (self == NULL)
    return;

  for (guint k = 0; k < self->n_runs; k++)
    {
      g_clear_pointer (&self->runs[k].log, fs_cost_log_unref);
      g_clear_pointer (&self->runs[k].trace, fs_trace_unref);
      fs_warning_clear (&self->runs[k].warning);
    }
  g_free (self->runs);
  g_free (self->best_w);
  g_free (self->best_h);
  fs_solver_free (self->solver);
  g_free (self);
}

static void
begin_run (FsFit *self)
{
  FsRun *run = &self->runs[self->current];

  run->seed = fs_solver_get_params (self->solver)->seed + self->current;
  if (self->current > 0)
    fs_solver_start (self->solver, run->seed);
  run->log = fs_cost_log_ref (fs_solver_get_log (self->solver));
  run->trace = fs_trace_ref (fs_solver_get_trace (self->solver));
  run->final_cost = NAN;
  run->stop = FS_STOP_NONE;
}

FsFit *
fs_fit_new (FsMatrix       *X,
            const FsParams *params,
            GError        **error)
{
  g_autoptr(FsFit) self = NULL;
  FsSolver *solver;
  gsize n, m;

  solver = fs_solver_new (X, params, error);
  if (solver == NULL)
    return NULL;

  n = fs_solver_get_rows (solver);
  m = fs_solver_get_cols (solver);

  self = g_new0 (FsFit, 1);
  self->solver = solver;
  self->n_runs = params->restarts;
  self->runs = g_new0 (FsRun, self->n_runs);
  self->best = -1;
  self->best_w = g_new0 (double, n * params->rank);
  self->best_h = g_new0 (double, params->rank * m);
  begin_run (self);
  return g_steal_pointer (&self);
}

/* Only the current run's trace and the best one's can be shown (the
 * runner shows the best run's factors once all are done): with many
 * restarts, keeping every trace would cost about 0.4 MB a run. */
static void
drop_hidden_traces (FsFit *self)
{
  for (guint k = 0; k < self->current; k++)
    if ((gint) k != self->best)
      g_clear_pointer (&self->runs[k].trace, fs_trace_unref);
  if (self->current + 1 < self->n_runs && (gint) self->current != self->best)
    g_clear_pointer (&self->runs[self->current].trace, fs_trace_unref);
}

/* A diverged run never counts as the best one. */
static void
finish_run (FsFit *self)
{
  FsRun *run = &self->runs[self->current];
  FsSolver *s = self->solver;

  run->stop = fs_solver_get_stop (s);
  run->final_cost = fs_solver_get_exact_cost (s);
  /* The next run's start clears the solver's warning: this one keeps it. */
  fs_warning_clear (&run->warning);
  run->has_warning = fs_solver_get_warning (s) != NULL;
  if (run->has_warning)
    {
      run->warning = *fs_solver_get_warning (s);
      run->warning.message = g_strdup (run->warning.message);
    }

  if (run->stop != FS_STOP_DIVERGED && isfinite (run->final_cost) &&
      (self->best < 0 || run->final_cost < self->best_cost))
    {
      gsize n = fs_solver_get_rows (s), m = fs_solver_get_cols (s);
      guint r = fs_solver_get_rank (s);

      self->best = (gint) self->current;
      self->best_cost = run->final_cost;
      memcpy (self->best_w, fs_solver_get_w (s), n * r * sizeof (double));
      memcpy (self->best_h, fs_solver_get_h (s), r * m * sizeof (double));
    }
  drop_hidden_traces (self);
}

/* One iteration of the current run. When the run stops, it is recorded and
 * the next one begins at its iteration 0. Returns FALSE once all are done. */
gboolean
fs_fit_iterate (FsFit *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->done)
    return FALSE;

  if (fs_solver_iterate (self->solver) == FS_STOP_NONE)
    return TRUE;

  finish_run (self);
  if (self->current + 1 < self->n_runs)
    {
      self->current++;
      begin_run (self);
      return TRUE;
    }

  self->done = TRUE;
  return FALSE;
}

/* The current run goes on from where it stopped, if its solver can. */
static gboolean
reopen_run (FsFit *self)
{
  if (fs_solver_get_stop (self->solver) != FS_STOP_NONE)
    return FALSE;
  /* A best run that goes on is shown as it goes, and is the best again
   * only if it ends well: its saved factors would otherwise stand for a
   * run that may now diverge. */
  if (self->best == (gint) self->current)
    self->best = -1;
  self->runs[self->current].stop = FS_STOP_NONE;
  self->runs[self->current].final_cost = NAN;
  self->done = FALSE;
  return TRUE;
}

/* New settings that keep the problem's shape (fs_params_needs_restart ()
 * is FALSE) apply from the current W and H, for this run and the next
 * ones. A run that had stopped goes on if it can under them (say, with a
 * higher iteration limit). Returns TRUE when the fit has iterations left. */
gboolean
fs_fit_change_params (FsFit          *self,
                      const FsParams *params)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  fs_solver_change_params (self->solver, params);
  return !self->done || reopen_run (self);
}

/* After a stop for tolerance or instability (or the limit, once raised),
 * the last run goes on from where it stopped: FALSE when it cannot (it
 * diverged, or is at its limit). */
gboolean
fs_fit_resume (FsFit *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->done)
    return TRUE;
  return fs_solver_resume (self->solver) && reopen_run (self);
}

gboolean
fs_fit_is_done (FsFit *self)
{
  return self->done;
}

void
fs_fit_set_lr (FsFit  *self,
               double  lr)
{
  fs_solver_set_lr (self->solver, lr);
}

FsSolver *
fs_fit_get_solver (FsFit *self)
{
  return self->solver;
}

guint
fs_fit_get_n_runs (FsFit *self)
{
  return self->n_runs;
}

guint
fs_fit_get_current_run (FsFit *self)
{
  return self->current;
}

FsCostLog *
fs_fit_get_log (FsFit *self,
                guint  run)
{
  g_return_val_if_fail (run <= self->current, NULL);
  return self->runs[run].log;
}

/* The run's trace (fs-trace.h), for any run started so far: NULL for a
 * run that has ended neither last nor best (drop_hidden_traces). */
FsTrace *
fs_fit_get_trace (FsFit *self,
                  guint  run)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (run <= self->current, NULL);
  return self->runs[run].trace;
}

/* NaN for a run that has not finished. */
double
fs_fit_get_final_cost (FsFit *self,
                       guint  run)
{
  g_return_val_if_fail (run < self->n_runs, NAN);
  return self->runs[run].final_cost;
}

FsStop
fs_fit_get_run_stop (FsFit *self,
                     guint  run)
{
  g_return_val_if_fail (run < self->n_runs, FS_STOP_NONE);
  return self->runs[run].stop;
}

/* The warning of a run that has ended (the first instability seen since
 * its last change), or NULL. */
const FsWarning *
fs_fit_get_run_warning (FsFit *self,
                        guint  run)
{
  g_return_val_if_fail (run < self->n_runs, NULL);
  return self->runs[run].has_warning ? &self->runs[run].warning : NULL;
}

guint64
fs_fit_get_run_seed (FsFit *self,
                     guint  run)
{
  g_return_val_if_fail (run <= self->current, 0);
  return self->runs[run].seed;
}

/* -1 until a run has finished without diverging. */
gint
fs_fit_get_best_run (FsFit *self)
{
  return self->best;
}

const double *
fs_fit_get_best_w (FsFit *self)
{
  return self->best < 0 ? NULL : self->best_w;
}

const double *
fs_fit_get_best_h (FsFit *self)
{
  return self->best < 0 ? NULL : self->best_h;
}
