/* test-runner.c: the background runner, its commands and its snapshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-rules.h"
#include "fs-runner.h"
#include "fs-solver.h"
#include "fs-test-util.h"

#define DEADLINE (20 * G_USEC_PER_SEC)

typedef gboolean (*SnapshotCheck) (const FsSnapshot *snap, gpointer data);

/* Waits, with a deadline, for a snapshot that passes check. */
static FsSnapshot *
wait_for (FsRunner      *runner,
          SnapshotCheck  check,
          gpointer       data)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE;

  for (;;)
    {
      FsSnapshot *snap = fs_runner_get_snapshot (runner);
      guint64 serial = snap->serial;

      if (check (snap, data))
        return snap;

      fs_snapshot_unref (snap);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fs_runner_wait (runner, serial, deadline - g_get_monotonic_time ());
    }
}

static gboolean
reached_iteration (const FsSnapshot *snap,
                   gpointer          data)
{
  return snap->iteration >= GPOINTER_TO_UINT (data);
}

static gboolean
rank_4_past_100 (const FsSnapshot *snap,
                 gpointer          data)
{
  return snap->rank == 4 && snap->iteration >= 100;
}

static gboolean
is_paused (const FsSnapshot *snap,
           gpointer          data)
{
  return snap->state == FS_RUNNER_PAUSED;
}

static gboolean
is_paused_at (const FsSnapshot *snap,
              gpointer          data)
{
  return snap->state == FS_RUNNER_PAUSED && snap->iteration == GPOINTER_TO_UINT (data);
}

static gboolean
is_finished (const FsSnapshot *snap,
             gpointer          data)
{
  return snap->state == FS_RUNNER_FINISHED;
}

static void
base_params (FsParams *p)
{
  fs_params_init_defaults (p);
  p->rank = 3;
  p->lr = 0.01;
  p->max_iters = 3000;
}

static void
assert_log_equals_solver (const FsSnapshot *snap,
                          FsSolver         *solver)
{
  gsize len = snap->log_lengths[snap->run];
  g_autofree double *got = g_new (double, len);
  g_autofree double *want = g_new (double, len);

  g_assert_cmpuint (len, ==, fs_cost_log_get_length (fs_solver_get_log (solver)));
  fs_cost_log_copy_range (snap->logs[snap->run], 0, len, got);
  fs_cost_log_copy_range (fs_solver_get_log (solver), 0, len, want);
  g_assert_cmpmem (got, len * sizeof (double), want, len * sizeof (double));
  g_assert_cmpmem (snap->W, snap->rows * snap->rank * sizeof (double),
                   fs_solver_get_w (solver), snap->rows * snap->rank * sizeof (double));
}

/* run, pause, step 10, set lr, reset, run again: the costs are those of a
 * direct solve with the same settings, bit for bit. */
static void
test_commands (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(FsSolver) direct = NULL;
  g_autoptr(GError) error = NULL;
  FsSnapshot *snap;
  FsParams p;
  guint64 paused_at;

  base_params (&p);
  p.max_iters = 200000;
  runner = fs_runner_new (X, &p, &error);
  g_assert_no_error (error);

  snap = fs_runner_get_snapshot (runner);
  g_assert_cmpint (snap->state, ==, FS_RUNNER_PAUSED);
  g_assert_cmpuint (snap->iteration, ==, 0);
  g_assert_cmpuint (snap->log_lengths[0], ==, 1);
  fs_snapshot_unref (snap);

  fs_runner_run (runner);
  snap = wait_for (runner, reached_iteration, GUINT_TO_POINTER (200));
  fs_snapshot_unref (snap);
  fs_runner_pause (runner);
  snap = wait_for (runner, is_paused, NULL);
  paused_at = snap->iteration;
  g_assert_cmpuint (paused_at, >=, 200);
  g_assert_cmpuint (paused_at, <, 200000);

  /* Paused means no further snapshot and no further iteration. */
  g_assert_false (fs_runner_wait (runner, snap->serial, 100 * G_TIME_SPAN_MILLISECOND));
  fs_snapshot_unref (snap);

  fs_runner_step (runner, 10);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (paused_at + 10));
  fs_snapshot_unref (snap);

  fs_runner_set_lr (runner, 0.005);
  fs_runner_step (runner, 5);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (paused_at + 15));
  g_assert_cmpfloat (snap->lr, ==, 0.005);

  direct = fs_solver_new (X, &p, NULL);
  for (guint64 k = 0; k < paused_at + 10; k++)
    fs_solver_iterate (direct);
  fs_solver_set_lr (direct, 0.005);
  for (guint k = 0; k < 5; k++)
    fs_solver_iterate (direct);
  assert_log_equals_solver (snap, direct);
  fs_snapshot_unref (snap);

  fs_runner_reset (runner);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (0));
  g_assert_cmpuint (snap->log_lengths[0], ==, 1);
  g_assert_cmpfloat (snap->lr, ==, 0.005);
  fs_snapshot_unref (snap);

  fs_runner_run (runner);
  snap = wait_for (runner, is_finished, NULL);
  g_assert_cmpuint (snap->iteration, ==, 200000);
  g_assert_cmpint (snap->stop, ==, FS_STOP_ITERATIONS);

  p.lr = 0.005;
  g_clear_pointer (&direct, fs_solver_free);
  direct = fs_solver_new (X, &p, NULL);
  while (fs_solver_iterate (direct) == FS_STOP_NONE)
    ;
  assert_log_equals_solver (snap, direct);
  fs_snapshot_unref (snap);
}

static void
test_stop_joins_quickly (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (600, 600, 20, 0.01, 2, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  FsParams p;
  gint64 start, took;

  base_params (&p);
  p.rank = 20;
  p.lr = 1e-4;
  p.max_iters = 1000000;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  snap = wait_for (runner, reached_iteration, GUINT_TO_POINTER (3));
  fs_snapshot_unref (snap);

  start = g_get_monotonic_time ();
  fs_runner_stop (runner);
  took = g_get_monotonic_time () - start;
  g_test_message ("stop took %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, 100 * G_TIME_SPAN_MILLISECOND);

  /* The last snapshot stays readable after the thread has ended. */
  snap = fs_runner_get_snapshot (runner);
  g_assert_cmpuint (snap->iteration, >=, 3);
  fs_snapshot_unref (snap);
}

/* Every snapshot read while the solver runs is self-consistent: its cost is
 * the cost of its own W and H, and its history ends with that cost. */
static void
test_snapshots_never_torn (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (120, 90, 4, 0.05, 3, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsParams p;
  guint64 serial = 0, last_iteration = 0;
  guint checked = 0;

  base_params (&p);
  p.rank = 4;
  p.lr = 2e-3;
  p.max_iters = FS_MAX_ITERATIONS;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);

  while (checked < 40)
    {
      g_autoptr(FsSnapshot) snap = NULL;
      double naive;

      g_assert_true (fs_runner_wait (runner, serial, DEADLINE));
      snap = fs_runner_get_snapshot (runner);
      serial = snap->serial;
      if (snap->state != FS_RUNNER_RUNNING)
        continue;

      naive = fs_test_naive_cost (X, snap->W, snap->H, 4, 0, 0, 0, 0);
      g_assert_cmpuint (snap->log_lengths[0], ==, snap->iteration + 1);
      g_assert_cmpfloat (fs_cost_log_get (snap->logs[0], snap->iteration), ==, snap->cost);
      g_assert_cmpfloat (fabs (naive - snap->cost), <=, 1e-9 * snap->cost);
      g_assert_cmpuint (snap->iteration, >=, last_iteration);
      last_iteration = snap->iteration;
      checked++;
    }
  g_assert_cmpuint (last_iteration, >, 0);
}

static void
test_restarts (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (25, 20, 6, 0.1, 5, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(FsSnapshot) snap = NULL;
  FsParams p;
  double lowest = INFINITY;

  base_params (&p);
  p.rank = 4;
  p.rule = fs_rule_find ("normalized");
  p.lr = 0.05;
  p.init = FS_INIT_UNIFORM;
  p.restarts = 3;
  p.max_iters = 200;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  snap = wait_for (runner, is_finished, NULL);

  g_assert_cmpuint (snap->n_runs, ==, 3);
  g_assert_cmpuint (snap->run, ==, 2);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpuint (snap->log_lengths[k], ==, 201);
      lowest = MIN (lowest, snap->final_costs[k]);
    }
  g_assert_cmpint (snap->best_run, >=, 0);
  g_assert_cmpfloat (snap->final_costs[snap->best_run], ==, lowest);
  g_assert_cmpfloat_with_epsilon (fs_test_naive_cost (X, snap->W, snap->H, 4, 0, 0, 0, 0),
                                  lowest, 1e-9 * lowest);
}

/* The number of iterations in [0, last] that a trace records. */
static gsize
wanted_up_to (guint64 last)
{
  gsize count = 0;

  for (guint64 t = 0; t <= last; t++)
    count += fs_trace_wants (t);
  return count;
}

/* A snapshot's traces, read with no lock while the runner goes on: each
 * holds the iterations its log has reached, and each point's terms add up
 * to the cost logged at its iteration, as the solver added them. */
static void
check_snapshot_traces (const FsSnapshot *snap)
{
  for (guint k = 0; k <= snap->run; k++)
    {
      FsTrace *trace = snap->traces[k];
      gsize len = snap->trace_lengths[k];

      g_assert_cmpuint (len, ==, wanted_up_to (snap->log_lengths[k] - 1));
      for (gsize i = 0; i < len; i++)
        {
          guint64 t = fs_trace_get_iteration (trace, i);
          double penalties = fs_trace_get (trace, FS_TRACE_L2_W, i) +
                             fs_trace_get (trace, FS_TRACE_L2_H, i) +
                             fs_trace_get (trace, FS_TRACE_L1_W, i) +
                             fs_trace_get (trace, FS_TRACE_L1_H, i);

          g_assert_true (fs_trace_wants (t));
          g_assert_true (i == 0 ? t == 0 : t > fs_trace_get_iteration (trace, i - 1));
          g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_DATA, i) + penalties, ==,
                             fs_cost_log_get (snap->logs[k], t));
          g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_NORM_W, i), >, 0.0);
        }
    }
}

static void
test_traces (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (200, 150, 5, 0.1, 7, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  guint running = 0;
  FsParams p;

  base_params (&p);
  p.rank = 5;
  p.l2_w = 0.1;
  p.l1_h = 0.01;
  p.lr = 1e-3;
  p.restarts = 2;
  p.max_iters = 5000;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  for (;;)
    {
      guint64 serial;

      snap = fs_runner_get_snapshot (runner);
      serial = snap->serial;
      check_snapshot_traces (snap);
      running += snap->state == FS_RUNNER_RUNNING;
      if (snap->state == FS_RUNNER_FINISHED)
        break;
      fs_snapshot_unref (snap);
      fs_runner_wait (runner, serial, DEADLINE);
    }
  g_test_message ("%u snapshots while running", running);
  g_assert_cmpuint (running, >, 0);
  g_assert_cmpuint (snap->run, ==, 1);
  for (guint k = 0; k < 2; k++)
    g_assert_cmpuint (snap->trace_lengths[k], ==, wanted_up_to (5000));
  fs_snapshot_unref (snap);
}

static void
test_set_params_restarts (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  FsSnapshot *snap;
  FsParams p;

  base_params (&p);
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_step (runner, 50);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (50));
  fs_snapshot_unref (snap);

  p.rank = 31;
  g_assert_false (fs_runner_set_params (runner, &p, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);

  p.rank = 5;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (0));
  g_assert_cmpuint (snap->rank, ==, 5);
  fs_snapshot_unref (snap);

  /* New settings while running, then run: the new run goes on. */
  fs_runner_run (runner);
  p.rank = 4;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  fs_runner_run (runner);
  /* No step command was sent: reaching 100 iterations means it ran. */
  snap = wait_for (runner, rank_4_past_100, NULL);
  fs_snapshot_unref (snap);
}

static gboolean
running_at_rank (const FsSnapshot *snap,
                 gpointer          data)
{
  return snap->state == FS_RUNNER_RUNNING && snap->rank == GPOINTER_TO_UINT (data) &&
         snap->iteration > 0;
}

/* The intent to run survives changes of settings however close together
 * they come: two changes 0 to 30 ms apart, forty times over, and the solve
 * runs on each time (it used to stop in about one pair in five), and the
 * snapshot right after a restart already says running. */
static void
test_intent_survives_settings (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (60, 50, 4, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  FsParams p;

  base_params (&p);
  p.max_iters = 50000000;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  fs_snapshot_unref (wait_for (runner, reached_iteration, GUINT_TO_POINTER (10)));

  for (guint k = 0; k < 40; k++)
    {
      p.rank = 3 + k % 2;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      g_usleep (g_rand_int_range (rand, 0, 30000));
      p.rank = 3 + (k + 1) % 2;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      fs_snapshot_unref (wait_for (runner, running_at_rank, GUINT_TO_POINTER (p.rank)));
    }

  /* Pause is still a pause, and settings then leave it paused. */
  fs_runner_pause (runner);
  fs_snapshot_unref (wait_for (runner, is_paused, NULL));
  p.rank = 2;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  fs_snapshot_unref (wait_for (runner, is_paused_at, GUINT_TO_POINTER (0)));
}

/* At a set pace a run makes no more steps than the time allows, makes them
 * at about that rate, and publishes every one of them when they come
 * slower than frames; Step is not paced, and no pace is full speed. */
static void
test_pace (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  FsParams p;
  guint64 serial0, iter0;
  gint64 start, elapsed;
  double pace = 40.0;

  base_params (&p);
  p.max_iters = 50000000;
  runner = fs_runner_new (X, &p, NULL);
  /* The pace it has already is no command, and so no late snapshot (a
   * session gives every new runner its pace). */
  fs_runner_set_pace (runner, fs_runner_get_pace (runner));
  fs_runner_set_pace (runner, INFINITY);
  g_assert_cmpuint (fs_runner_get_commands_sent (runner), ==, 0);
  fs_runner_set_pace (runner, pace);
  g_assert_cmpuint (fs_runner_get_commands_sent (runner), ==, 1);
  g_assert_cmpfloat (fs_runner_get_pace (runner), ==, pace);

  snap = fs_runner_get_snapshot (runner);
  serial0 = snap->serial;
  fs_snapshot_unref (snap);
  start = g_get_monotonic_time ();
  fs_runner_run (runner);
  g_usleep (750 * G_TIME_SPAN_MILLISECOND);
  fs_runner_pause (runner);
  snap = wait_for (runner, is_paused, NULL);
  elapsed = g_get_monotonic_time () - start;

  /* Step k is due at k / pace: never more than the time allows, and at a
   * quiet machine's rate within a wide margin. */
  g_assert_cmpuint (snap->iteration, <=, (guint64) (pace * elapsed / G_USEC_PER_SEC) + 1);
  g_assert_cmpuint (snap->iteration, >=, (guint64) (pace * 0.75 / 3));
  /* One snapshot per step (and the pause's own). */
  g_assert_cmpuint (snap->serial - serial0, >=, snap->iteration);
  iter0 = snap->iteration;
  fs_snapshot_unref (snap);

  fs_runner_step (runner, 2000);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (iter0 + 2000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, elapsed + 10 * G_USEC_PER_SEC);
  fs_snapshot_unref (snap);

  /* Faster than frames: snapshots once a frame at most, not every step. */
  fs_runner_set_pace (runner, 2000.0);
  snap = fs_runner_get_snapshot (runner);
  serial0 = snap->serial;
  iter0 = snap->iteration;
  fs_snapshot_unref (snap);
  start = g_get_monotonic_time ();
  fs_runner_run (runner);
  g_usleep (500 * G_TIME_SPAN_MILLISECOND);
  fs_runner_pause (runner);
  snap = wait_for (runner, is_paused, NULL);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("at 2000/s: %" G_GUINT64_FORMAT " steps, %" G_GUINT64_FORMAT " snapshots in %.2f s",
                  snap->iteration - iter0, snap->serial - serial0, (double) elapsed / G_USEC_PER_SEC);
  g_assert_cmpuint (snap->iteration - iter0, >, 100);
  g_assert_cmpuint (snap->serial - serial0, <=,
                    (guint64) (elapsed / FS_RUNNER_PACED_PUBLISH_INTERVAL) + 3);
  fs_snapshot_unref (snap);

  fs_runner_set_pace (runner, 0.0);
  fs_runner_run (runner);
  fs_snapshot_unref (wait_for (runner, reached_iteration, GUINT_TO_POINTER (iter0 + 2000 + 5000)));
}

static gboolean
has_marks (const FsSnapshot *snap,
           gpointer          data)
{
  return snap->n_marks >= GPOINTER_TO_UINT (data) && snap->state == FS_RUNNER_PAUSED;
}

/* A penalty, the rule or the learning rate changed mid-run go on from the
 * current W and H, exactly as a solver changed at that iteration does,
 * with a mark where each change happened; a new rank restarts and drops
 * the marks. */
static void
test_warm_change (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(FsSolver) direct = NULL;
  FsSnapshot *snap;
  FsParams p;

  base_params (&p);
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_step (runner, 200);
  fs_snapshot_unref (wait_for (runner, is_paused_at, GUINT_TO_POINTER (200)));

  p.l2_w = 0.1;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  fs_snapshot_unref (wait_for (runner, has_marks, GUINT_TO_POINTER (1)));
  fs_runner_step (runner, 100);
  fs_snapshot_unref (wait_for (runner, is_paused_at, GUINT_TO_POINTER (300)));
  p.rule = fs_rule_find ("momentum");
  p.momentum = 0.5;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  fs_snapshot_unref (wait_for (runner, has_marks, GUINT_TO_POINTER (2)));
  fs_runner_set_lr (runner, 0.004);
  fs_snapshot_unref (wait_for (runner, has_marks, GUINT_TO_POINTER (3)));
  fs_runner_step (runner, 100);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (400));

  g_assert_cmpuint (snap->log_lengths[0], ==, 401);
  g_assert_cmpuint (snap->n_marks, ==, 3);
  g_assert_cmpuint (snap->marks[0].iteration, ==, 200);
  g_assert_cmpstr (snap->marks[0].label, ==, "L2 W 0.1");
  g_assert_cmpuint (snap->marks[1].iteration, ==, 300);
  g_assert_nonnull (strstr (snap->marks[1].label, "momentum 0.5"));
  g_assert_cmpuint (snap->marks[2].iteration, ==, 300);
  g_assert_cmpstr (snap->marks[2].label, ==, "lr 0.004");

  base_params (&p);
  direct = fs_solver_new (X, &p, NULL);
  for (guint k = 0; k < 200; k++)
    fs_solver_iterate (direct);
  p.l2_w = 0.1;
  fs_solver_change_params (direct, &p);
  for (guint k = 0; k < 100; k++)
    fs_solver_iterate (direct);
  p.rule = fs_rule_find ("momentum");
  p.momentum = 0.5;
  p.lr = 0.004;
  fs_solver_change_params (direct, &p);
  for (guint k = 0; k < 100; k++)
    fs_solver_iterate (direct);
  assert_log_equals_solver (snap, direct);
  fs_snapshot_unref (snap);

  p.rank = 2;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (0));
  g_assert_cmpuint (snap->rank, ==, 2);
  g_assert_cmpuint (snap->n_marks, ==, 0);
  fs_snapshot_unref (snap);
}

static gboolean
stopped_for (const FsSnapshot *snap,
             gpointer          data)
{
  return snap->state == FS_RUNNER_FINISHED && snap->stop == (FsStop) GPOINTER_TO_UINT (data);
}

/* Run after a convergence goes on from there to the iteration limit, and
 * raising the limit after it was reached goes on again, with no restart. */
static void
test_continue (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  FsParams p;
  guint64 converged_at;
  double converged_cost;

  base_params (&p);
  p.tol = 1e-6;
  p.max_iters = 5000;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  snap = wait_for (runner, is_finished, NULL);
  g_test_message ("stopped %d at %" G_GUINT64_FORMAT, snap->stop, snap->iteration);
  g_assert_cmpint (snap->stop, ==, FS_STOP_TOLERANCE);
  converged_at = snap->iteration;
  converged_cost = snap->cost;
  g_assert_cmpuint (converged_at, <, 5000);
  fs_snapshot_unref (snap);

  fs_runner_run (runner);
  snap = wait_for (runner, stopped_for, GUINT_TO_POINTER (FS_STOP_ITERATIONS));
  g_assert_cmpuint (snap->iteration, ==, 5000);
  g_assert_cmpuint (snap->log_lengths[0], ==, 5001);
  g_assert_cmpfloat (snap->cost, <=, converged_cost);
  g_assert_cmpuint (snap->n_marks, ==, 0);
  fs_snapshot_unref (snap);

  /* Raising the limit once it was reached goes on by itself. */
  p.max_iters = 6000;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  snap = wait_for (runner, reached_iteration, GUINT_TO_POINTER (6000));
  g_assert_cmpint (snap->state, ==, FS_RUNNER_FINISHED);
  g_assert_cmpint (snap->stop, ==, FS_STOP_ITERATIONS);
  g_assert_cmpuint (snap->iteration, ==, 6000);
  g_assert_cmpuint (snap->log_lengths[0], ==, 6001);
  fs_snapshot_unref (snap);
}

static gboolean
settled_at (const FsSnapshot *snap,
            gpointer          data)
{
  const FsParams *p = data;

  return snap->rank == p->rank && snap->lr == p->lr && snap->state == FS_RUNNER_PAUSED;
}

/* A new rate sent while a restart is being built (the thread has dropped
 * its lock for it) is not lost: it applies to the new run. */
static void
test_change_during_restart (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (600, 500, 20, 0.01, 3, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsParams p;

  base_params (&p);
  p.rank = 20;
  runner = fs_runner_new (X, &p, NULL);
  for (guint k = 0; k < 10; k++)
    {
      p.rank = 20 - k % 2;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      g_usleep (k % 3 * 1000);
      p.lr = 1e-4 * (k + 1);
      fs_runner_set_lr (runner, p.lr);
      fs_snapshot_unref (wait_for (runner, settled_at, &p));
    }
}

/* Settings sent the moment a runner is made reach it whole: the thread
 * reads its settings only under the runner's lock (ThreadSanitizer, in
 * the 'threads' suite, reported the nice value read unlocked while
 * fs_runner_set_params wrote the settings). */
static void
test_set_params_at_start (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (12, 9, 3, 0.05, 1, NULL);

  for (guint k = 0; k < 50; k++)
    {
      g_autoptr(FsRunner) runner = NULL;
      FsParams p;

      base_params (&p);
      runner = fs_runner_new (X, &p, NULL);
      p.rank = 2;
      p.nice = k % 2;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      fs_snapshot_unref (wait_for (runner, settled_at, &p));
    }
}

/* A run that went on from its convergence and then diverged is shown as
 * it is: no longer the best, with its own factors, not the converged ones
 * it left. */
static void
test_continue_then_diverge (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  FsParams p;

  base_params (&p);
  p.tol = 1e-6;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_run (runner);
  snap = wait_for (runner, stopped_for, GUINT_TO_POINTER (FS_STOP_TOLERANCE));
  g_assert_cmpint (snap->best_run, ==, 0);
  fs_snapshot_unref (snap);

  fs_runner_set_lr (runner, 50.0);
  fs_runner_run (runner);
  snap = wait_for (runner, stopped_for, GUINT_TO_POINTER (FS_STOP_DIVERGED));
  g_assert_cmpint (snap->best_run, ==, -1);
  g_assert_false (isfinite (snap->cost) && fabs (snap->W[0]) < 10.0 && fabs (snap->W[1]) < 10.0 &&
                  fabs (snap->H[0]) < 10.0);
  fs_snapshot_unref (snap);
}

/* What the commands sent so far mean: running or not, and, while no run
 * has happened since the last start from iteration 0, the iteration the
 * steps lead to (else -1). */
typedef struct
{
  gboolean running;
  gint64   iteration;
  FsParams params;
} Intent;

typedef struct
{
  const Intent *intent;
  guint64       sent;
} Settled;

/* The thread has taken up every command, and the snapshot shows the
 * intended state: running, or paused where the steps lead. */
static gboolean
is_settled (const FsSnapshot *snap,
            gpointer          data)
{
  const Settled *settled = data;
  const Intent *intent = settled->intent;

  if (snap->commands != settled->sent)
    return FALSE;
  if (intent->running)
    return snap->state == FS_RUNNER_RUNNING;
  return snap->state == FS_RUNNER_PAUSED &&
         (intent->iteration < 0 || snap->iteration == (guint64) intent->iteration);
}

/* One random command, sent to the runner and applied to the intent. */
static void
send_random_command (FsRunner *runner,
                     Intent   *intent,
                     GRand    *rand,
                     double    lr,
                     GString  *log)
{
  FsParams p = intent->params;
  guint n;

  switch (g_rand_int_range (rand, 0, 7))
    {
    case 0:
      fs_runner_run (runner);
      intent->running = TRUE;
      intent->iteration = -1;
      g_string_append (log, " run");
      break;
    case 1:
      fs_runner_pause (runner);
      intent->running = FALSE;
      g_string_append (log, " pause");
      break;
    case 2:
      n = g_rand_int_range (rand, 1, 4);
      fs_runner_step (runner, n);
      if (intent->running)
        intent->iteration = -1;
      else if (intent->iteration >= 0)
        intent->iteration += n;
      intent->running = FALSE;
      g_string_append_printf (log, " step %u", n);
      break;
    case 3:
      fs_runner_reset (runner);
      intent->running = FALSE;
      intent->iteration = 0;
      g_string_append (log, " reset");
      break;
    case 4:
      /* A new rank starts again from iteration 0, and a run goes on
       * running; the same rank goes on from where it is. */
      p.rank = g_rand_int_range (rand, 2, 4);
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      if (p.rank != intent->params.rank)
        intent->iteration = intent->running ? -1 : 0;
      intent->params = p;
      g_string_append_printf (log, " rank %u", p.rank);
      break;
    case 5:
      p.l2_w = p.l2_w == 0.0 ? 0.01 : 0.0;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      intent->params = p;
      g_string_append_printf (log, " l2_w %g", p.l2_w);
      break;
    default:
      p.lr = g_rand_boolean (rand) ? lr : lr / 2;
      fs_runner_set_lr (runner, p.lr);
      intent->params.lr = p.lr;
      g_string_append_printf (log, " lr %g", p.lr);
      break;
    }
}

/* Any sequence of commands ends in the state they ask for (issue 19,
 * defect 2: a change of rank right after Run once left the run paused at
 * iteration 0): 10,000 random sequences of 1 to 6 commands, sent as fast
 * as they come, each checked against a model of the intent. */
static void
test_stress_intent (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (12, 9, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  guint sequences = g_test_thorough () ? 100000 : 10000;
  Intent intent = { FALSE, 0 };

  base_params (&intent.params);
  intent.params.rank = 2;
  intent.params.tol = 0.0;
  intent.params.stop_unstable = FALSE;
  intent.params.max_iters = FS_MAX_ITERATIONS;
  runner = fs_runner_new (X, &intent.params, NULL);
  g_assert_nonnull (runner);

  for (guint k = 0; k < sequences; k++)
    {
      g_autoptr(GString) log = g_string_new (NULL);
      guint length = g_rand_int_range (rand, 1, 7);
      Settled settled = { &intent, 0 };
      gint64 deadline;

      for (guint c = 0; c < length; c++)
        send_random_command (runner, &intent, rand, intent.params.lr == 0.0 ? 0.01 : 0.01, log);
      settled.sent = fs_runner_get_commands_sent (runner);
      deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      for (;;)
        {
          g_autoptr(FsSnapshot) snap = fs_runner_get_snapshot (runner);

          if (is_settled (snap, &settled))
            break;
          if (g_get_monotonic_time () >= deadline)
            g_error ("sequence %u (%s): wanted %s at %" G_GINT64_FORMAT ", shown %s at %"
                     G_GUINT64_FORMAT " after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " commands",
                     k, log->str, intent.running ? "running" : "paused", intent.iteration,
                     snap->state == FS_RUNNER_RUNNING ? "running" : "paused", snap->iteration,
                     snap->commands, settled.sent);
          fs_runner_wait (runner, snap->serial, deadline - g_get_monotonic_time ());
        }
    }
}

/* A snapshot's checkpoints, by iteration: 0, the powers of two up to
 * last, and last. */
static void
assert_checkpoint_iterations (const FsSnapshot *snap,
                              guint64           last)
{
  guint k = 0;

  for (guint64 t = 0; t <= last; t = t == 0 ? 1 : 2 * t, k++)
    {
      g_assert_cmpuint (k, <, snap->n_checkpoints);
      g_assert_cmpuint (snap->checkpoints[k]->iteration, ==, t);
    }
  if (!fs_checkpoints_wants (last))
    g_assert_cmpuint (snap->checkpoints[k++]->iteration, ==, last);
  g_assert_cmpuint (snap->n_checkpoints, ==, k);
}

/* The checkpoints hold what a fit of the same settings, iterated apart,
 * has at their iterations, bit for bit. */
static void
assert_checkpoints_equal_fit (const FsSnapshot *snap,
                              FsMatrix         *X,
                              const FsParams   *p)
{
  g_autoptr(FsFit) fit = fs_fit_new (X, p, NULL);
  FsSolver *solver = fs_fit_get_solver (fit);
  gsize bytes_w = snap->rows * snap->rank * sizeof (double);
  gsize bytes_h = snap->rank * snap->cols * sizeof (double);

  for (guint k = 0; k < snap->n_checkpoints; k++)
    {
      const FsCheckpoint *c = snap->checkpoints[k];

      while (fs_solver_get_iteration (solver) < c->iteration)
        fs_fit_iterate (fit);
      g_assert_cmpuint (c->run, ==, 0);
      g_assert_cmpuint (c->rank, ==, snap->rank);
      g_assert_cmpfloat (c->cost, ==, fs_solver_get_cost (solver));
      g_assert_cmpmem (c->W, bytes_w, fs_solver_get_w (solver), bytes_w);
      g_assert_cmpmem (c->H, bytes_h, fs_solver_get_h (solver), bytes_h);
    }
}

/* The factors of every checkpoint, copied apart. */
static GBytes *
checkpoints_contents (const FsSnapshot *snap)
{
  GByteArray *all = g_byte_array_new ();

  for (guint k = 0; k < snap->n_checkpoints; k++)
    {
      const FsCheckpoint *c = snap->checkpoints[k];

      g_byte_array_append (all, (const guint8 *) &c->iteration, sizeof c->iteration);
      g_byte_array_append (all, (const guint8 *) c->W, c->rows * c->rank * sizeof (double));
      g_byte_array_append (all, (const guint8 *) c->H, c->rank * c->cols * sizeof (double));
    }
  return g_byte_array_free_to_bytes (all);
}

/* W and H of snap are what fit, iterated on to snap's iteration, has. */
static void
assert_factors_of_fit (const FsSnapshot *snap,
                       FsFit            *fit)
{
  FsSolver *solver = fs_fit_get_solver (fit);
  gsize bytes_w = snap->rows * snap->rank * sizeof (double);
  gsize bytes_h = snap->rank * snap->cols * sizeof (double);

  g_assert_cmpuint (fs_solver_get_iteration (solver), <=, snap->iteration);
  while (fs_solver_get_iteration (solver) < snap->iteration)
    fs_fit_iterate (fit);
  g_assert_cmpmem (snap->W, bytes_w, fs_solver_get_w (solver), bytes_w);
  g_assert_cmpmem (snap->H, bytes_h, fs_solver_get_h (solver), bytes_h);
}

/* The 0s and powers of two in (from, to]: the iterations whose
 * checkpoints a store keeps for good, each in a buffer of its own. */
static guint
powers_of_two_in (guint64 from,
                  guint64 to)
{
  guint n = 0;

  for (guint64 p = 1; p <= to; p *= 2)
    n += p > from;
  return n;
}

/* A reader that holds the snapshot it shows until it takes the next, as
 * the window does, and one old snapshot all along: once warm, snapshots
 * reuse the buffers of W and H let go (no allocation but for the
 * checkpoints kept for good), and each snapshot's factors are the run's
 * at its iteration, the old one's unchanged after all the reuse. */
static void
test_factor_buffers_recycled (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (120, 90, 4, 0.05, 3, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(FsFit) fit = NULL;
  g_autoptr(FsSnapshot) shown = NULL;
  g_autoptr(FsSnapshot) old = NULL;
  g_autoptr(GBytes) old_factors = NULL;
  guint64 warm_allocations = 0, warm_serial = 0, warm_iteration = 0;
  FsParams p;

  base_params (&p);
  p.rank = 4;
  p.lr = 2e-3;
  p.max_iters = FS_MAX_ITERATIONS;
  fit = fs_fit_new (X, &p, NULL);
  runner = fs_runner_new (X, &p, NULL);
  /* Paced, so that the fit above follows in a moment: tens of
   * iterations a snapshot. */
  fs_runner_set_pace (runner, 3000.0);
  fs_runner_run (runner);

  for (guint taken = 0; taken < 80;)
    {
      FsSnapshot *snap;

      g_assert_true (fs_runner_wait (runner, shown != NULL ? shown->serial : 0, DEADLINE));
      snap = fs_runner_get_snapshot (runner);
      if (snap->state != FS_RUNNER_RUNNING || snap->iteration == 0)
        {
          fs_snapshot_unref (snap);
          continue;
        }
      g_clear_pointer (&shown, fs_snapshot_unref);
      shown = snap;
      assert_factors_of_fit (shown, fit);
      taken++;
      if (taken == 10)
        {
          old = fs_snapshot_ref (shown);
          old_factors = checkpoints_contents (old);
        }
      if (taken == 20)
        {
          warm_allocations = fs_runner_get_factor_allocations (runner);
          warm_serial = shown->serial;
          warm_iteration = shown->iteration;
        }
    }

  /* Many snapshots since, and no allocation but for the powers of two up
   * to where the run stopped (paused first: running on, it could pass
   * another power of two before the count is read), and two: up to five
   * sets of W and H are live at once (the one shown here and the one just
   * taken, the old one, the runner's published one and the one it fills),
   * and on a busy machine the first twenty may not have met that many
   * (CI's sanitizer builds saw 1 and 2 more). Without reuse there would be
   * one a snapshot, 60 and more. */
  g_assert_cmpuint (shown->serial - warm_serial, >=, 60);
  fs_runner_pause (runner);
  for (;;)
    {
      g_autoptr(FsSnapshot) last = NULL;

      g_assert_true (fs_runner_wait (runner, shown->serial, DEADLINE));
      last = fs_runner_get_snapshot (runner);
      if (last->state == FS_RUNNER_PAUSED)
        {
          g_assert_cmpuint (fs_runner_get_factor_allocations (runner) - warm_allocations, <=,
                            powers_of_two_in (warm_iteration, last->iteration + 1) + 2);
          break;
        }
      g_clear_pointer (&shown, fs_snapshot_unref);
      shown = g_steal_pointer (&last);
    }
  {
    g_autoptr(GBytes) now = checkpoints_contents (old);

    g_assert_true (g_bytes_equal (old_factors, now));
  }
}

/* After 1000 iterations the snapshot keeps W and H at 0, 1, 2, …, 512 and
 * 1000, its own factors the last one's; they are a separate fit's at those
 * iterations; a published snapshot's checkpoints stay as they were while
 * the runner goes on; a restart forgets them. */
static void
test_checkpoints (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(GBytes) kept = NULL, again = NULL;
  FsSnapshot *snap, *later;
  FsParams p;

  base_params (&p);
  runner = fs_runner_new (X, &p, NULL);
  snap = fs_runner_get_snapshot (runner);
  assert_checkpoint_iterations (snap, 0);
  fs_snapshot_unref (snap);

  fs_runner_step (runner, 1000);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (1000));
  assert_checkpoint_iterations (snap, 1000);
  g_assert_true (snap->W == snap->checkpoints[snap->n_checkpoints - 1]->W);
  g_assert_true (snap->H == snap->checkpoints[snap->n_checkpoints - 1]->H);
  g_assert_cmpfloat (snap->cost, ==, snap->checkpoints[snap->n_checkpoints - 1]->cost);
  assert_checkpoints_equal_fit (snap, X, &p);
  kept = checkpoints_contents (snap);

  fs_runner_step (runner, 1000);
  later = wait_for (runner, is_paused_at, GUINT_TO_POINTER (2000));
  assert_checkpoint_iterations (later, 2000);
  assert_checkpoints_equal_fit (later, X, &p);
  again = checkpoints_contents (snap);
  g_assert_true (g_bytes_equal (kept, again));
  g_assert_true (snap->checkpoints[3] == later->checkpoints[3]);
  fs_snapshot_unref (later);
  fs_snapshot_unref (snap);

  p.rank = 2;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (0));
  g_assert_cmpuint (snap->rank, ==, 2);
  assert_checkpoint_iterations (snap, 0);
  g_assert_cmpuint (snap->checkpoints[0]->rank, ==, 2);
  fs_snapshot_unref (snap);
}

/* A warm change keeps the run's checkpoints (iterations go on) but takes
 * the last again, as the change may move W and H. */
static void
test_checkpoints_warm_change (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  FsParams p;

  base_params (&p);
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_step (runner, 100);
  fs_snapshot_unref (wait_for (runner, is_paused_at, GUINT_TO_POINTER (100)));
  p.nonneg = TRUE;
  g_assert_true (fs_runner_set_params (runner, &p, NULL));
  /* The factors made non-negative at iteration 100 are its checkpoint. */
  snap = wait_for (runner, has_marks, GUINT_TO_POINTER (1));
  g_assert_cmpuint (snap->iteration, ==, 100);
  g_assert_true (snap->W == snap->checkpoints[snap->n_checkpoints - 1]->W);
  for (gsize k = 0; k < snap->rows * snap->rank; k++)
    g_assert_cmpfloat (snap->W[k], >=, 0.0);
  fs_snapshot_unref (snap);
  fs_runner_step (runner, 50);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (150));
  assert_checkpoint_iterations (snap, 150);
  g_assert_true (snap->W == snap->checkpoints[snap->n_checkpoints - 1]->W);
  fs_snapshot_unref (snap);
}

static gboolean
in_run_1 (const FsSnapshot *snap,
          gpointer          data)
{
  return snap->state == FS_RUNNER_PAUSED && snap->run == 1 &&
         snap->iteration == GPOINTER_TO_UINT (data);
}

/* Each checkpoint is of run and holds its logged cost, which its own W and
 * H give. */
static void
assert_checkpoints_of_run (const FsSnapshot *snap,
                           FsMatrix         *X,
                           guint             run)
{
  for (guint k = 0; k < snap->n_checkpoints; k++)
    {
      const FsCheckpoint *c = snap->checkpoints[k];
      double cost = fs_cost_log_get (snap->logs[run], c->iteration);

      g_assert_cmpuint (c->run, ==, run);
      g_assert_cmpfloat (c->cost, ==, cost);
      g_assert_cmpfloat_with_epsilon (fs_test_naive_cost (X, c->W, c->H, c->rank, 0, 0, 0, 0),
                                      cost, 1e-9 * cost);
    }
}

static gboolean
finished_at (const FsSnapshot *snap,
             gpointer          data)
{
  return snap->state == FS_RUNNER_FINISHED && snap->iteration == GPOINTER_TO_UINT (data);
}

/* Once all runs are done the checkpoints are the best run's, the last at
 * its final iteration and holding the snapshot's W. */
static void
assert_best_checkpoints (const FsSnapshot *snap,
                         FsMatrix         *X)
{
  const FsCheckpoint *last = snap->checkpoints[snap->n_checkpoints - 1];

  g_assert_cmpint (snap->best_run, >=, 0);
  assert_checkpoint_iterations (snap, snap->log_lengths[snap->best_run] - 1);
  assert_checkpoints_of_run (snap, X, (guint) snap->best_run);
  g_assert_cmpmem (last->W, snap->rows * snap->rank * sizeof (double),
                   snap->W, snap->rows * snap->rank * sizeof (double));
  /* The final cost is computed afresh, from the residual. */
  g_assert_cmpfloat_with_epsilon (last->cost, snap->final_costs[snap->best_run],
                                  1e-9 * last->cost);
}

/* With restarts the checkpoints follow the run shown: the current one's
 * while runs go on, the best one's once all are done, whichever run is the
 * best (seeds 0, 2 and 3 make it the first, the last, the middle one); a
 * raised limit lets the last run go on with its checkpoints. */
static void
test_checkpoints_restarts (void)
{
  const guint64 seeds[] = { 0, 2, 3 };
  const gint bests[] = { 0, 2, 1 };
  g_autoptr(FsMatrix) X = fs_example_lowrank (25, 20, 6, 0.1, 5, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autoptr(FsRunner) runner = NULL;
      FsSnapshot *snap;
      FsParams p;

      base_params (&p);
      p.rank = 4;
      p.rule = fs_rule_find ("normalized");
      p.lr = 0.05;
      p.init = FS_INIT_UNIFORM;
      p.restarts = 3;
      p.max_iters = 200;
      p.seed = seeds[i];
      runner = fs_runner_new (X, &p, NULL);
      fs_runner_step (runner, 270);
      snap = wait_for (runner, in_run_1, GUINT_TO_POINTER (70));
      assert_checkpoint_iterations (snap, 70);
      assert_checkpoints_of_run (snap, X, 1);
      fs_snapshot_unref (snap);

      fs_runner_run (runner);
      snap = wait_for (runner, is_finished, NULL);
      g_assert_cmpint (snap->best_run, ==, bests[i]);
      assert_best_checkpoints (snap, X);
      fs_snapshot_unref (snap);

      p.max_iters = 400;
      g_assert_true (fs_runner_set_params (runner, &p, NULL));
      snap = wait_for (runner, finished_at, GUINT_TO_POINTER (400));
      assert_best_checkpoints (snap, X);
      fs_snapshot_unref (snap);
    }
}

/* A store's bytes are its checkpoints' W and H and their structs: 400 ×
 * 300 at rank 20, 11 checkpoints after 300 iterations. */
static void
test_checkpoints_bytes (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (400, 300, 20, 0.05, 3, NULL);
  g_autoptr(FsRunner) runner = NULL;
  FsSnapshot *snap;
  gsize bytes = 0, each = sizeof (FsCheckpoint) + (400 * 20 + 20 * 300) * sizeof (double);
  FsParams p;

  base_params (&p);
  p.rank = 20;
  p.lr = 1e-4;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_step (runner, 300);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (300));
  assert_checkpoint_iterations (snap, 300);
  g_assert_cmpuint (snap->n_checkpoints, ==, 11);
  for (guint k = 0; k < snap->n_checkpoints; k++)
    bytes += fs_checkpoint_get_bytes (snap->checkpoints[k]);
  g_assert_cmpuint (bytes, ==, 11 * each);
  fs_snapshot_unref (snap);
}

/* A pin's copy holds no checkpoint and its own W and H; a replayed
 * snapshot is its checkpoint's; both outlive the snapshot they came from
 * (ASan reads them after it is freed). */
static void
test_snapshot_copies (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autofree double *W = NULL;
  FsSnapshot *snap, *pin, *replay;
  gsize bytes_w = 40 * 3 * sizeof (double);
  FsParams p;

  base_params (&p);
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_step (runner, 100);
  fs_snapshot_unref (wait_for (runner, is_paused_at, GUINT_TO_POINTER (100)));
  fs_runner_set_lr (runner, 0.005);
  fs_runner_step (runner, 30);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (130));
  g_assert_cmpuint (snap->n_marks, ==, 1);
  W = g_memdup2 (snap->checkpoints[4]->W, bytes_w);

  pin = fs_snapshot_copy_for_pin (snap);
  replay = fs_snapshot_new_at_checkpoint (snap, 4);
  g_assert_cmpuint (pin->n_checkpoints, ==, 0);
  g_assert_null (pin->checkpoints);
  g_assert_true (pin->W != snap->W);
  g_assert_cmpmem (pin->W, bytes_w, snap->W, bytes_w);
  g_assert_true (pin->logs[0] == snap->logs[0]);
  g_assert_cmpuint (replay->n_checkpoints, ==, snap->n_checkpoints);
  fs_snapshot_unref (snap);

  g_assert_cmpuint (pin->iteration, ==, 130);
  g_assert_cmpuint (pin->log_lengths[0], ==, 131);
  g_assert_cmpstr (pin->marks[0].label, ==, "lr 0.005");
  g_assert_cmpfloat (fs_test_naive_cost (X, pin->W, pin->H, 3, 0, 0, 0, 0), >, 0.0);
  fs_snapshot_unref (pin);

  g_assert_cmpuint (replay->iteration, ==, 8);
  g_assert_cmpfloat (replay->cost, ==, fs_cost_log_get (replay->logs[0], 8));
  g_assert_cmpuint (replay->log_lengths[0], ==, 131);
  g_assert_cmpmem (replay->W, bytes_w, W, bytes_w);
  g_assert_cmpstr (replay->marks[0].label, ==, "lr 0.005");
  g_assert_cmpfloat_with_epsilon (fs_test_naive_cost (X, replay->W, replay->H, 3, 0, 0, 0, 0),
                                  replay->cost, 1e-9 * replay->cost);
  fs_snapshot_unref (replay);
}

/* The snapshot's settings and MSEs: the solver's for the current run
 * while it goes on (the same as a direct solve's), the best run's at its
 * last iteration once every run is done. */
static void
test_snapshot_mse (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (40, 30, 3, 0.05, 1, NULL);
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(FsSolver) direct = NULL;
  FsSnapshot *snap;
  FsTrace *best;
  FsParams p;
  gsize last;

  base_params (&p);
  p.holdout = 0.2;
  p.holdout_seed = 4;
  p.restarts = 3;
  p.max_iters = 300;
  runner = fs_runner_new (X, &p, NULL);
  fs_runner_set_lr (runner, 0.02);
  fs_runner_step (runner, 40);
  snap = wait_for (runner, is_paused_at, GUINT_TO_POINTER (40));
  g_assert_cmpfloat (snap->params.holdout, ==, 0.2);
  g_assert_cmpuint (snap->params.holdout_seed, ==, 4);
  g_assert_cmpfloat (snap->params.lr, ==, 0.02);
  g_assert_cmpuint (snap->params.rank, ==, 3);
  direct = fs_solver_new (X, &p, NULL);
  fs_solver_set_lr (direct, 0.02);
  for (guint k = 0; k < 40; k++)
    fs_solver_iterate (direct);
  g_assert_cmpfloat (snap->train_mse, ==, fs_solver_get_train_mse (direct));
  g_assert_cmpfloat (snap->holdout_mse, ==, fs_solver_get_holdout_mse (direct));
  fs_snapshot_unref (snap);

  fs_runner_run (runner);
  snap = wait_for (runner, is_finished, NULL);
  /* Run 2 of 3 is the best here: not the solver's current one. */
  g_assert_cmpint (snap->best_run, ==, 1);
  g_assert_cmpuint (snap->run, ==, 2);
  best = snap->traces[snap->best_run];
  last = snap->trace_lengths[snap->best_run] - 1;
  g_assert_cmpfloat (snap->train_mse, ==, fs_trace_get (best, FS_TRACE_TRAIN_MSE, last));
  g_assert_cmpfloat (snap->holdout_mse, ==, fs_trace_get (best, FS_TRACE_HOLDOUT_MSE, last));
  g_assert_false (isnan (snap->holdout_mse));
  fs_snapshot_unref (snap);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/runner/commands", test_commands);
  g_test_add_func ("/runner/stop-joins-quickly", test_stop_joins_quickly);
  g_test_add_func ("/runner/snapshots-never-torn", test_snapshots_never_torn);
  g_test_add_func ("/runner/restarts", test_restarts);
  g_test_add_func ("/runner/traces", test_traces);
  g_test_add_func ("/runner/set-params", test_set_params_restarts);
  g_test_add_func ("/runner/intent-survives-settings", test_intent_survives_settings);
  g_test_add_func ("/runner/pace", test_pace);
  g_test_add_func ("/runner/warm-change", test_warm_change);
  g_test_add_func ("/runner/continue", test_continue);
  g_test_add_func ("/runner/change-during-restart", test_change_during_restart);
  g_test_add_func ("/runner/continue-then-diverge", test_continue_then_diverge);
  g_test_add_func ("/runner/set-params-at-start", test_set_params_at_start);
  g_test_add_func ("/runner/stress-intent", test_stress_intent);
  g_test_add_func ("/runner/snapshot-mse", test_snapshot_mse);
  g_test_add_func ("/runner/checkpoints", test_checkpoints);
  g_test_add_func ("/runner/checkpoints-warm-change", test_checkpoints_warm_change);
  g_test_add_func ("/runner/checkpoints-restarts", test_checkpoints_restarts);
  g_test_add_func ("/runner/checkpoints-bytes", test_checkpoints_bytes);
  g_test_add_func ("/runner/snapshot-copies", test_snapshot_copies);
  g_test_add_func ("/runner/factor-buffers-recycled", test_factor_buffers_recycled);

  return g_test_run ();
}
