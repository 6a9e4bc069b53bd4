/* test-sweep.c: sweeps over a rank range or a penalty's log grid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-optimum.h"
#include "fs-sparse.h"
#include "fs-sweep.h"
#include "fs-test-util.h"

#define DEADLINE (20 * G_USEC_PER_SEC)

static FsMatrix *
load_digits (void)
{
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_example_load (fs_examples_find ("digits"), &error);

  g_assert_no_error (error);
  return X;
}

static GArray *
parse_ok (FsSweepAxis  axis,
          const char  *text)
{
  g_autoptr(GError) error = NULL;
  GArray *values = NULL;

  g_assert_true (fs_sweep_parse_values (axis, text, &values, &error));
  g_assert_no_error (error);
  return values;
}

static void
assert_values (GArray       *values,
               const double *expected,
               guint         n)
{
  g_assert_cmpuint (values->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (values, double, i), ==, expected[i]);
}

/* The error names the text and, when given, says problem. */
static void
parse_fails (FsSweepAxis  axis,
             const char  *text,
             const char  *problem)
{
  g_autoptr(GError) error = NULL;
  GArray *values = NULL;
  g_autofree char *quoted = g_strdup_printf ("“%s”", text);

  g_assert_false (fs_sweep_parse_values (axis, text, &values, &error));
  g_assert_null (values);
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, quoted));
  if (problem != NULL)
    g_assert_nonnull (strstr (error->message, problem));
}

static void
test_parse_ranks (void)
{
  g_autoptr(GArray) range = parse_ok (FS_SWEEP_RANK, "1:4");
  g_autoptr(GArray) one = parse_ok (FS_SWEEP_RANK, "7");
  g_autoptr(GArray) grid = parse_ok (FS_SWEEP_RANK, "1:20:5");
  g_autoptr(GArray) dups = parse_ok (FS_SWEEP_RANK, "1:3:5");
  g_autoptr(GArray) same = parse_ok (FS_SWEEP_RANK, "3:3");
  g_autoptr(GArray) most = parse_ok (FS_SWEEP_RANK, "1:200");

  assert_values (range, (double[]) { 1, 2, 3, 4 }, 4);
  assert_values (one, (double[]) { 7 }, 1);
  /* 1 + i 19/4 rounded: 1, 5.75, 10.5, 15.25, 20. */
  assert_values (grid, (double[]) { 1, 6, 11, 15, 20 }, 5);
  assert_values (dups, (double[]) { 1, 2, 3 }, 3);
  assert_values (same, (double[]) { 3 }, 1);
  g_assert_cmpuint (most->len, ==, FS_SWEEP_MAX_POINTS);

  parse_fails (FS_SWEEP_RANK, "0:3", "whole numbers ≥ 1");
  parse_fails (FS_SWEEP_RANK, "4:2", "A ≤ B");
  parse_fails (FS_SWEEP_RANK, "1.5:3", NULL);
  parse_fails (FS_SWEEP_RANK, "a", NULL);
  parse_fails (FS_SWEEP_RANK, "", NULL);
  parse_fails (FS_SWEEP_RANK, "1:", NULL);
  parse_fails (FS_SWEEP_RANK, "1:2:3:4", NULL);
  parse_fails (FS_SWEEP_RANK, "1:4:1", "N ≥ 2");
  parse_fails (FS_SWEEP_RANK, "1:201", "200");
  parse_fails (FS_SWEEP_RANK, "1:1000:201", "200");
}

static void
test_parse_penalties (void)
{
  g_autoptr(GArray) grid = parse_ok (FS_SWEEP_L2, "1e-3:10:9");
  g_autoptr(GArray) zero = parse_ok (FS_SWEEP_L1_W, "0");
  g_autoptr(GArray) one = parse_ok (FS_SWEEP_L2_H, "0.1");
  g_autoptr(GArray) two = parse_ok (FS_SWEEP_L1, "0.5:2:2");
  double a = g_ascii_strtod ("1e-3", NULL), b = 10.0;

  /* The endpoints are the numbers written, to the bit. */
  g_assert_cmpuint (grid->len, ==, 9);
  g_assert_cmpmem (&g_array_index (grid, double, 0), sizeof (double), &a, sizeof a);
  g_assert_cmpmem (&g_array_index (grid, double, 8), sizeof (double), &b, sizeof b);
  for (guint i = 1; i < 8; i++)
    {
      double expected = exp (log (a) + i * (log (b) - log (a)) / 8.0);

      g_assert_cmpfloat (g_array_index (grid, double, i), ==, expected);
      g_assert_cmpfloat (g_array_index (grid, double, i), >, g_array_index (grid, double, i - 1));
    }
  g_assert_cmpfloat_with_epsilon (g_array_index (grid, double, 4), 0.1, 1e-15);
  assert_values (zero, (double[]) { 0.0 }, 1);
  assert_values (one, (double[]) { 0.1 }, 1);
  assert_values (two, (double[]) { 0.5, 2.0 }, 2);

  parse_fails (FS_SWEEP_L2, "1e-3:10", "needs a count of points: A:B:N");
  parse_fails (FS_SWEEP_L2, "0:1:3", "A, B > 0");
  parse_fails (FS_SWEEP_L2_W, "1:0.1:3", "A < B");
  parse_fails (FS_SWEEP_L2_H, "1:10:1", "N ≥ 2");
  parse_fails (FS_SWEEP_L1, "1:10:201", "200");
  parse_fails (FS_SWEEP_L1_H, "-1", NULL);
  parse_fails (FS_SWEEP_L1_H, "nan", NULL);
  parse_fails (FS_SWEEP_L2, "1:inf:3", NULL);
  parse_fails (FS_SWEEP_L2, "1:10:2.5", NULL);
}

static void
test_axes (void)
{
  FsParams p;
  const char *names[] = { "rank", "l2", "l2_w", "l2_h", "l1", "l1_w", "l1_h" };

  for (guint a = 0; a < FS_N_SWEEP_AXES; a++)
    {
      g_assert_cmpstr (fs_sweep_axis_to_string (a), ==, names[a]);
      g_assert_nonnull (fs_sweep_axis_get_label (a));
      g_assert_true (fs_sweep_axis_is_log (a) == (a != FS_SWEEP_RANK));
    }

  fs_params_init_defaults (&p);
  fs_sweep_apply (FS_SWEEP_RANK, 7, &p);
  fs_sweep_apply (FS_SWEEP_L2, 0.5, &p);
  fs_sweep_apply (FS_SWEEP_L1_H, 0.25, &p);
  g_assert_cmpuint (p.rank, ==, 7);
  g_assert_cmpfloat (p.l2_w, ==, 0.5);
  g_assert_cmpfloat (p.l2_h, ==, 0.5);
  g_assert_cmpfloat (p.l1_w, ==, 0.0);
  g_assert_cmpfloat (p.l1_h, ==, 0.25);
  fs_sweep_apply (FS_SWEEP_L1, 0.125, &p);
  fs_sweep_apply (FS_SWEEP_L2_W, 2.0, &p);
  g_assert_cmpfloat (p.l1_w, ==, 0.125);
  g_assert_cmpfloat (p.l1_h, ==, 0.125);
  g_assert_cmpfloat (p.l2_w, ==, 2.0);
  g_assert_cmpfloat (p.l2_h, ==, 0.5);
}

static FsSweep *
sweep_new (FsMatrix       *X,
           const FsParams *base,
           gboolean        lr_auto,
           FsSweepAxis     axis,
           const char     *text)
{
  g_autoptr(GArray) values = parse_ok (axis, text);
  g_autoptr(GError) error = NULL;
  FsSweep *sweep = fs_sweep_new (X, base, lr_auto, axis, (double *) (gpointer) values->data,
                                 values->len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sweep);
  g_assert_cmpuint (fs_sweep_get_n_points (sweep), ==, values->len);
  g_assert_true (fs_sweep_get_axis (sweep) == axis);
  return sweep;
}

/* Runs a sweep to its end with FACTORSCOPE_SWEEP_JOBS = jobs (NULL:
 * unset), no callback. */
static FsSweep *
sweep_run (FsMatrix       *X,
           const FsParams *base,
           gboolean        lr_auto,
           FsSweepAxis     axis,
           const char     *text,
           const char     *jobs)
{
  FsSweep *sweep = sweep_new (X, base, lr_auto, axis, text);

  if (jobs != NULL)
    g_setenv ("FACTORSCOPE_SWEEP_JOBS", jobs, TRUE);
  else
    g_unsetenv ("FACTORSCOPE_SWEEP_JOBS");
  fs_sweep_start (sweep, NULL, NULL);
  fs_sweep_wait (sweep);
  g_unsetenv ("FACTORSCOPE_SWEEP_JOBS");
  g_assert_true (fs_sweep_is_done (sweep));
  return sweep;
}

static void
base_params (FsParams *p)
{
  fs_params_init_defaults (p);
  p->rank = 3;
  p->max_iters = 300;
  p->lr = 1.0;
}

/* A point equals an FsFit made and iterated directly with its settings,
 * as `run` does, to the bit. */
static void
assert_point_equals_fit (FsMatrix           *X,
                         const FsSweepPoint *point,
                         FsSweepAxis         axis,
                         const FsParams     *base,
                         gboolean            lr_auto)
{
  FsParams params = *base;
  g_autoptr(FsFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  guint rank;

  fs_sweep_apply (axis, point->value, &params);
  fit = fs_fit_new (X, &params, &error);
  g_assert_no_error (error);
  if (lr_auto)
    {
      params.lr = fs_solver_get_starting_lr (fs_fit_get_solver (fit));
      fs_fit_set_lr (fit, params.lr);
    }
  while (fs_fit_iterate (fit))
    ;

  rank = params.rank;
  g_assert_cmpint (point->state, ==, FS_SWEEP_POINT_DONE);
  g_assert_true (fs_params_equal (&point->params, &params));
  g_assert_cmpuint (point->params.rank, ==, rank);
  if (fs_solver_get_threads (fs_fit_get_solver (fit)) > 1)
    {
      /* Threads take rows as they come: two runs on several threads sum
       * in different orders, and agree only to rounding. */
      g_assert_cmpfloat (fabs (point->cost - fs_fit_get_final_cost (fit, 0)), <=, 1e-9 * point->cost);
      g_assert_cmpfloat (fs_test_rel_diff (point->W, fs_fit_get_best_w (fit), X->rows * rank), <, 1e-9);
      g_assert_cmpfloat (fs_test_rel_diff (point->H, fs_fit_get_best_h (fit), X->cols * rank), <, 1e-9);
    }
  else
    {
      g_assert_cmpmem (&point->cost, sizeof (double),
                       &(double) { fs_fit_get_final_cost (fit, 0) }, sizeof (double));
      g_assert_cmpmem (point->W, X->rows * rank * sizeof (double), fs_fit_get_best_w (fit),
                       X->rows * rank * sizeof (double));
      g_assert_cmpmem (point->H, rank * X->cols * sizeof (double), fs_fit_get_best_h (fit),
                       rank * X->cols * sizeof (double));
    }
  g_assert_cmpuint (point->iteration, ==, params.max_iters);
  g_assert_cmpuint (point->log_length, ==, params.max_iters + 1);
  g_assert_cmpint (point->stop, ==, FS_STOP_ITERATIONS);
  g_assert_cmpuint (point->threads, ==, fs_solver_get_threads (fs_fit_get_solver (fit)));
}

static void
check_sweep_equals_fits (FsMatrix       *X,
                         const FsParams *base,
                         gboolean        lr_auto,
                         FsSweepAxis     axis,
                         const char     *text)
{
  g_autoptr(FsSweep) sweep = sweep_run (X, base, lr_auto, axis, text, NULL);

  for (guint i = 0; i < fs_sweep_get_n_points (sweep); i++)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (sweep, i);
      g_autoptr(FsSweepPoint) numbers = fs_sweep_get_point_numbers (sweep, i);

      g_assert_cmpuint (point->index, ==, i);
      assert_point_equals_fit (X, point, axis, base, lr_auto);
      /* The numbers alone: the same, with no factors. */
      g_assert_null (numbers->W);
      g_assert_null (numbers->H);
      g_assert_cmpfloat (numbers->cost, ==, point->cost);
      g_assert_cmpfloat (numbers->train_mse, ==, point->train_mse);
      g_assert_cmpuint (numbers->log_length, ==, point->log_length);
    }
}

static void
test_points_equal_fits (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;

  base_params (&base);
  check_sweep_equals_fits (X, &base, TRUE, FS_SWEEP_RANK, "1:4");
  check_sweep_equals_fits (X, &base, TRUE, FS_SWEEP_L2, "1e-2:10:4");
  base.lr = 2e-5;
  check_sweep_equals_fits (X, &base, FALSE, FS_SWEEP_RANK, "1:4");
  check_sweep_equals_fits (X, &base, FALSE, FS_SWEEP_L2_W, "1e-2:10:3");
  /* Points on two solver threads run one at a time (and equal a fit on
   * two threads to rounding only: see assert_point_equals_fit). */
  base.threads = 2;
  check_sweep_equals_fits (X, &base, TRUE, FS_SWEEP_RANK, "2:4");
}

/* f* of the full data for each point, zeros, MSE: what a run reports. */
static void
test_point_results (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(GArray) singular = fs_singular_values (X, NULL);
  FsParams base;
  g_autoptr(FsSweep) sweep = NULL;
  g_autoptr(FsSweep) nonneg = NULL;

  base_params (&base);
  sweep = sweep_run (X, &base, TRUE, FS_SWEEP_L2, "0.1:1:2", NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (sweep, i);
      double expected = fs_optimum_value ((double *) (gpointer) singular->data, singular->len,
                                          3, p->value, p->value);

      g_assert_cmpfloat (p->optimum, ==, expected);
      g_assert_cmpfloat (p->cost, >=, p->optimum * (1 - 1e-12));
      g_assert_cmpfloat (p->train_mse, >, 0.0);
      g_assert_cmpfloat (p->train_mse * X->rows * X->cols, <, p->cost);
      g_assert_true (isnan (p->holdout_mse));
      g_assert_cmpfloat (p->zeros_w, ==, 0.0);
      g_assert_nonnull (p->trace);
      g_assert_cmpuint (p->trace_length, ==, fs_trace_get_length (p->trace));
    }

  base.nonneg = TRUE;
  nonneg = sweep_run (X, &base, TRUE, FS_SWEEP_RANK, "2:3", NULL);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (nonneg, i);

      g_assert_true (isnan (p->optimum));
      g_assert_cmpfloat (p->zeros_w, >, 0.0);
      g_assert_cmpfloat (p->zeros_w, <=, 1.0);
    }
}

static void
assert_points_identical (FsSweep *a,
                         FsSweep *b)
{
  g_assert_cmpuint (fs_sweep_get_n_points (a), ==, fs_sweep_get_n_points (b));
  for (guint i = 0; i < fs_sweep_get_n_points (a); i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (a, i);
      g_autoptr(FsSweepPoint) q = fs_sweep_get_point (b, i);
      gsize len_w = p->rows * p->params.rank * sizeof (double);
      gsize len_h = p->params.rank * p->cols * sizeof (double);

      g_assert_cmpmem (&p->cost, sizeof (double), &q->cost, sizeof (double));
      g_assert_cmpmem (&p->params.lr, sizeof (double), &q->params.lr, sizeof (double));
      g_assert_cmpmem (p->W, len_w, q->W, len_w);
      g_assert_cmpmem (p->H, len_h, q->H, len_h);
      g_assert_cmpuint (p->log_length, ==, q->log_length);
      for (gsize t = 0; t < p->log_length; t++)
        g_assert_cmpfloat (fs_cost_log_get (p->log, t), ==, fs_cost_log_get (q->log, t));
    }
}

/* Points side by side (two jobs) give the bits of points one at a time. */
static void
test_parallel_equals_sequential (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;
  g_autoptr(FsSweep) one = NULL;
  g_autoptr(FsSweep) two = NULL;
  g_autoptr(FsSweep) l1_one = NULL;
  g_autoptr(FsSweep) l1_two = NULL;

  base_params (&base);
  base.max_iters = 500;
  one = sweep_run (X, &base, TRUE, FS_SWEEP_RANK, "1:6", "1");
  two = sweep_run (X, &base, TRUE, FS_SWEEP_RANK, "1:6", "2");
  assert_points_identical (one, two);

  fs_params_init_defaults (&base);
  base.max_iters = 300;
  base.rank = 4;
  l1_one = sweep_run (X, &base, TRUE, FS_SWEEP_L1, "1e-1:100:4", "1");
  l1_two = sweep_run (X, &base, TRUE, FS_SWEEP_L1, "1e-1:100:4", "3");
  assert_points_identical (l1_one, l1_two);
}

/* Waits until point index runs. */
static void
wait_running (FsSweep *sweep,
              guint    index)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE;

  for (;;)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (sweep, index);

      if (p->state == FS_SWEEP_POINT_RUNNING && p->iteration > 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

static void
long_params (FsParams *base)
{
  base_params (base);
  base->max_iters = FS_MAX_ITERATIONS;
}

static void
test_cancel (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;
  g_autoptr(FsSweep) sweep = NULL;
  gint64 start;
  guint cancelled = 0;

  long_params (&base);
  sweep = sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:10");
  fs_sweep_start (sweep, NULL, NULL);
  wait_running (sweep, 0);

  /* Progress comes while the point runs. */
  {
    g_autoptr(FsSweepPoint) p = fs_sweep_get_point (sweep, 0);
    guint64 first = p->iteration;

    g_assert_true (isfinite (p->cost));
    g_usleep (100 * 1000);
    fs_sweep_point_free (g_steal_pointer (&p));
    p = fs_sweep_get_point (sweep, 0);
    g_assert_cmpuint (p->iteration, >, first);
    g_assert_cmpuint (p->total_iterations, >=, p->iteration);
    g_assert_cmpfloat (p->elapsed, >, 0.0);
  }
  g_assert_false (fs_sweep_is_done (sweep));

  start = g_get_monotonic_time ();
  fs_sweep_cancel (sweep);
  fs_sweep_wait (sweep);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_true (fs_sweep_is_done (sweep));
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (sweep, i);

      g_assert_cmpint (p->state, ==, FS_SWEEP_POINT_CANCELLED);
      g_assert_null (p->W);
      cancelled += i >= 2;
    }
  g_assert_cmpuint (cancelled, ==, 8);
}

/* Points on one thread run side by side, one per core; points on more
 * run alone. */
static void
test_scheduling (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;
  g_autoptr(FsSweep) light = NULL;
  g_autoptr(FsSweep) heavy = NULL;

  long_params (&base);
  g_setenv ("FACTORSCOPE_SWEEP_JOBS", "2", TRUE);
  light = sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:3");
  fs_sweep_start (light, NULL, NULL);
  wait_running (light, 0);
  wait_running (light, 1);
  {
    g_autoptr(FsSweepPoint) p = fs_sweep_get_point (light, 2);

    g_assert_cmpint (p->state, ==, FS_SWEEP_POINT_WAITING);
  }
  fs_sweep_cancel (light);
  fs_sweep_wait (light);

  base.threads = 2;
  heavy = sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:3");
  fs_sweep_start (heavy, NULL, NULL);
  g_unsetenv ("FACTORSCOPE_SWEEP_JOBS");
  wait_running (heavy, 0);
  g_usleep (100 * 1000);
  for (guint i = 1; i < 3; i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (heavy, i);

      g_assert_cmpint (p->state, ==, FS_SWEEP_POINT_WAITING);
    }
  fs_sweep_cancel (heavy);
  fs_sweep_wait (heavy);
}

static void
test_free_while_running (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;
  FsSweep *sweep;
  gint64 start;

  long_params (&base);
  sweep = sweep_new (X, &base, TRUE, FS_SWEEP_L2, "1e-3:1:20");
  fs_sweep_start (sweep, NULL, NULL);
  wait_running (sweep, 0);
  start = g_get_monotonic_time ();
  fs_sweep_free (sweep);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* Never started. */
  fs_sweep_free (sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:3"));
}

typedef struct
{
  GThread *thread;
  FsSweep *sweep;
  guint    calls;
  guint    done_calls;   /* calls that saw the sweep done */
} Changes;

static gboolean
on_changed (gpointer data)
{
  Changes *c = data;

  g_assert_true (g_thread_self () == c->thread);
  c->calls++;
  c->done_calls += fs_sweep_is_done (c->sweep);
  return G_SOURCE_REMOVE;
}

/* Iterates context until calls reach n, then a little more. */
static void
iterate_until (GMainContext *context,
               Changes      *c,
               guint         n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE;

  while (c->calls < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
  for (guint k = 0; k < 50; k++)
    {
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
}

/* Once per point and once at the end, on the context that was the thread
 * default at start, never after free. */
static void
test_changed_callback (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(GMainContext) context = g_main_context_new ();
  FsParams base;
  Changes c = { .thread = g_thread_self () };
  Changes late = { .thread = g_thread_self () };

  base_params (&base);
  g_main_context_push_thread_default (context);
  c.sweep = sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:5");
  fs_sweep_start (c.sweep, on_changed, &c);
  g_main_context_pop_thread_default (context);
  /* Nothing runs on the default context: the sweep's is its own. */
  fs_sweep_wait (c.sweep);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (c.calls, ==, 0);
  iterate_until (context, &c, 6);
  g_assert_cmpuint (c.calls, ==, 6);
  g_assert_cmpuint (c.done_calls, >=, 1);
  fs_sweep_free (c.sweep);

  /* Freed before its context ran: no call ever comes. */
  g_main_context_push_thread_default (context);
  late.sweep = sweep_new (X, &base, TRUE, FS_SWEEP_RANK, "1:3");
  fs_sweep_start (late.sweep, on_changed, &late);
  g_main_context_pop_thread_default (context);
  fs_sweep_wait (late.sweep);
  fs_sweep_free (late.sweep);
  for (guint k = 0; k < 20; k++)
    g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (late.calls, ==, 0);
}

static void
test_snapshot (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  FsParams base;
  g_autoptr(FsSweep) sweep = NULL;
  g_autoptr(FsSweepPoint) point = NULL;
  g_autoptr(FsSnapshot) snap = NULL;
  gsize len_w, len_h;

  base_params (&base);
  sweep = sweep_run (X, &base, TRUE, FS_SWEEP_RANK, "2:3", NULL);
  point = fs_sweep_get_point (sweep, 1);
  snap = fs_sweep_point_to_snapshot (point);
  len_w = X->rows * 3 * sizeof (double);
  len_h = 3 * X->cols * sizeof (double);

  g_assert_cmpint (snap->state, ==, FS_RUNNER_FINISHED);
  g_assert_cmpuint (snap->rank, ==, 3);
  g_assert_cmpuint (snap->rows, ==, X->rows);
  g_assert_cmpuint (snap->cols, ==, X->cols);
  g_assert_cmpuint (snap->n_runs, ==, 1);
  g_assert_cmpuint (snap->run, ==, 0);
  g_assert_cmpint (snap->best_run, ==, 0);
  g_assert_cmpuint (snap->iteration, ==, 300);
  g_assert_cmpmem (snap->W, len_w, point->W, len_w);
  g_assert_cmpmem (snap->H, len_h, point->H, len_h);
  g_assert_true (snap->W != point->W);
  g_assert_cmpfloat (snap->final_costs[0], ==, point->cost);
  g_assert_cmpfloat (snap->cost, ==, point->cost);
  g_assert_true (snap->logs[0] == point->log);
  g_assert_cmpuint (snap->log_lengths[0], ==, 301);
  g_assert_cmpfloat_with_epsilon (fs_cost_log_get (snap->logs[0], 300), point->cost,
                                  1e-9 * point->cost);
  g_assert_true (snap->traces[0] == point->trace);
  g_assert_cmpuint (snap->trace_lengths[0], ==, point->trace_length);
  g_assert_true (fs_params_equal (&snap->params, &point->params));
  g_assert_cmpfloat (snap->lr, ==, point->params.lr);
  g_assert_cmpfloat (snap->train_mse, ==, point->train_mse);
  g_assert_true (isnan (snap->holdout_mse));
  g_assert_true (isnan (snap->stability_bound));
  g_assert_cmpuint (snap->n_marks, ==, 0);
  g_assert_cmpuint (snap->n_checkpoints, ==, 0);
  g_assert_cmpint (snap->stop, ==, FS_STOP_ITERATIONS);
  g_assert_nonnull (snap->message);
}

/* A rank above min (rows, cols) fails before anything runs. */
static void
test_bad_rank (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(GArray) values = parse_ok (FS_SWEEP_RANK, "60:70");
  g_autoptr(GError) error = NULL;
  FsParams base;
  FsSweep *sweep;

  base_params (&base);
  sweep = fs_sweep_new (X, &base, TRUE, FS_SWEEP_RANK, (double *) (gpointer) values->data,
                        values->len, &error);
  g_assert_null (sweep);
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "65"));
  g_assert_nonnull (strstr (error->message, "rank"));
}

/* f* of a sparse matrix whose zeros are values, at ranks above
 * FS_OPTIMUM_SPARSE_TOP: the sweep computes as many top values as its
 * largest rank needs, and each point's f* is that of `run`. */
static void
test_sparse_optimum_high_rank (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  gsize rows = 90, cols = 80, count = 2000;
  g_autofree guint32 *r = g_new (guint32, count);
  g_autofree guint32 *c = g_new (guint32, count);
  g_autofree double *v = g_new (double, count);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSweep) sweep = NULL;
  FsParams base;

  for (gsize k = 0; k < count; k++)
    {
      r[k] = (guint32) g_rand_int_range (rand, 0, (gint32) rows);
      c[k] = (guint32) g_rand_int_range (rand, 0, (gint32) cols);
      v[k] = g_rand_double_range (rand, 1.0, 5.0);
    }
  sparse = fs_sparse_new_from_cells (rows, cols, r, c, v, count, NULL, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = TRUE;
  X = fs_matrix_new_sparse (sparse);
  base_params (&base);
  base.max_iters = 5;
  sweep = sweep_run (X, &base, TRUE, FS_SWEEP_RANK, "63:66", NULL);
  for (guint i = 0; i < fs_sweep_get_n_points (sweep); i++)
    {
      g_autoptr(FsSweepPoint) p = fs_sweep_get_point (sweep, i);
      g_autoptr(GArray) top = fs_singular_values_for_rank (X, p->params.rank, NULL);

      g_assert_nonnull (top);
      g_assert_true (isfinite (p->optimum));
      g_assert_cmpfloat_with_epsilon (p->optimum,
                                      fs_optimum_for_matrix (X, top, p->params.rank, base.l2_w, base.l2_h),
                                      1e-9 * fs_matrix_frobenius_sq (X));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sweep/parse/ranks", test_parse_ranks);
  g_test_add_func ("/sweep/parse/penalties", test_parse_penalties);
  g_test_add_func ("/sweep/axes", test_axes);
  g_test_add_func ("/sweep/points-equal-fits", test_points_equal_fits);
  g_test_add_func ("/sweep/point-results", test_point_results);
  g_test_add_func ("/sweep/parallel-equals-sequential", test_parallel_equals_sequential);
  g_test_add_func ("/sweep/cancel", test_cancel);
  g_test_add_func ("/sweep/scheduling", test_scheduling);
  g_test_add_func ("/sweep/free-while-running", test_free_while_running);
  g_test_add_func ("/sweep/changed-callback", test_changed_callback);
  g_test_add_func ("/sweep/snapshot", test_snapshot);
  g_test_add_func ("/sweep/bad-rank", test_bad_rank);
  g_test_add_func ("/sweep/sparse-optimum-high-rank", test_sparse_optimum_high_rank);

  return g_test_run ();
}
