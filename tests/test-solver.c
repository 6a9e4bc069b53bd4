/* test-solver.c: update rules, the optimum, L1, seeds, divergence, restarts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-loader.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-optimum.h"
#include "fs-solver.h"
#include "fs-test-util.h"

static FsMatrix *
small_problem (void)
{
  return fs_example_lowrank (30, 20, 3, 0.05, 7, NULL);
}

static FsSolver *
new_solver (FsMatrix *X,
            FsParams *p,
            gboolean  default_lr)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver = fs_solver_new (X, p, &error);

  g_assert_no_error (error);
  if (default_lr)
    {
      p->lr = fs_solver_default_lr (solver);
      fs_solver_set_lr (solver, p->lr);
    }
  return solver;
}

static void
run_to_stop (FsSolver *solver)
{
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
}

static void
test_rules_lower_cost (void)
{
  g_autoptr(FsMatrix) X = small_problem ();

  for (FsRuleKind rule = 0; rule < FS_N_RULES; rule++)
    {
      g_autoptr(FsSolver) solver = NULL;
      FsParams p;
      double initial;

      fs_params_init_defaults (&p);
      p.rank = 3;
      p.rule = rule;
      p.max_iters = 300;
      solver = new_solver (X, &p, TRUE);
      initial = fs_solver_get_cost (solver);
      run_to_stop (solver);

      g_test_message ("%s: lr %.3g, cost %.4g -> %.4g", fs_rule_kind_to_string (rule), p.lr,
                      initial, fs_solver_get_cost (solver));
      g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
      g_assert_cmpfloat (fs_solver_get_exact_cost (solver), <, 0.1 * initial);
    }
}

/* An n × n matrix U diag(s) V^T with orthonormal U and V from the QR
 * factorization of random matrices: its singular values are known exactly. */
static FsMatrix *
matrix_with_singular_values (gsize         n,
                             const double *s)
{
  g_autofree double *u = g_new (double, n * n);
  g_autofree double *v = g_new (double, n * n);
  g_autofree double *tau = g_new (double, n);
  g_autofree double *us = g_new (double, n * n);
  FsMatrix *X = fs_matrix_new (n, n, NULL);

  fs_random_fill_signed (41, u, n * n);
  fs_random_fill_signed (42, v, n * n);
  g_assert_cmpint (LAPACKE_dgeqrf (LAPACK_ROW_MAJOR, n, n, u, n, tau), ==, 0);
  g_assert_cmpint (LAPACKE_dorgqr (LAPACK_ROW_MAJOR, n, n, n, u, n, tau), ==, 0);
  g_assert_cmpint (LAPACKE_dgeqrf (LAPACK_ROW_MAJOR, n, n, v, n, tau), ==, 0);
  g_assert_cmpint (LAPACKE_dorgqr (LAPACK_ROW_MAJOR, n, n, n, v, n, tau), ==, 0);

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < n; j++)
      us[i * n + j] = u[i * n + j] * s[j];
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n,
               1.0, us, n, v, n, 0.0, X->data, n);
  return X;
}

static void
test_optimum_known_spectrum (void)
{
  const double s[] = { 9.0, 5.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.25 };
  const gsize n = G_N_ELEMENTS (s);
  g_autoptr(FsMatrix) X = matrix_with_singular_values (n, s);
  g_autoptr(GArray) sv = fs_singular_values (X, NULL);

  g_assert_nonnull (sv);
  g_assert_cmpuint (sv->len, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (sv, double, i), s[i], 1e-12);

  for (guint r = 1; r <= n; r++)
    {
      double discarded = 0.0, penalized = 0.0, mu = sqrt (0.5 * 2.0);

      for (gsize i = r; i < n; i++)
        discarded += s[i] * s[i];
      g_assert_cmpfloat_with_epsilon (fs_optimum_value ((double *) sv->data, n, r, 0, 0),
                                      discarded, 1e-10);

      /* With mu = 1, each kept value contributes s^2 - (s - 1)^2 = 2 s - 1
       * when s > 1, and s^2 when s <= 1. */
      for (gsize i = 0; i < n; i++)
        penalized += i < r && s[i] > mu ? 2 * s[i] - 1 : s[i] * s[i];
      g_assert_cmpfloat_with_epsilon (fs_optimum_value ((double *) sv->data, n, r, 0.5, 2.0),
                                      penalized, 1e-10);
    }
}

/* R's volcano: the best rank-k relative errors that NumPy gives
 * (shared/data/README.md). */
static void
test_optimum_volcano (void)
{
  const double expected[][2] = { { 1, 0.0714 }, { 2, 0.0504 }, { 5, 0.0112 },
                                 { 10, 0.0049 }, { 20, 0.0026 } };
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv",
                                            "R_volcano_87x61.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
  g_autoptr(GArray) sv = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 87);
  g_assert_cmpuint (X->cols, ==, 61);
  sv = fs_singular_values (X, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    {
      double f = fs_optimum_value ((double *) sv->data, sv->len, (guint) expected[k][0], 0, 0);
      double rel = sqrt (f / fs_matrix_frobenius_sq (X));

      g_assert_cmpfloat (fabs (rel - expected[k][1]), <=, 0.00005 + 1e-12);
    }
}

/* Plain gradient descent with L2 penalties reaches the closed form. */
static void
test_plain_reaches_optimum (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(GArray) sv = fs_singular_values (X, NULL);
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;
  double optimum, final;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.l2_w = 0.05;
  p.l2_h = 0.02;
  p.max_iters = 20000;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);

  optimum = fs_optimum_value ((double *) sv->data, sv->len, 3, p.l2_w, p.l2_h);
  final = fs_solver_get_exact_cost (solver);
  g_test_message ("final %.12g, optimum %.12g", final, optimum);
  g_assert_cmpfloat (final, >=, optimum * (1 - 1e-12));
  g_assert_cmpfloat ((final - optimum) / optimum, <, 1e-6);
}

static guint
count_zeros (const double *p,
             gsize         len)
{
  guint zeros = 0;

  for (gsize k = 0; k < len; k++)
    zeros += p[k] == 0.0;
  return zeros;
}

static guint
count_below (const double *p,
             gsize         len,
             double        bound)
{
  guint count = 0;

  for (gsize k = 0; k < len; k++)
    count += p[k] < bound;
  return count;
}

static void
test_l1_prox_and_subgradient (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  guint zeros[2], small[2];

  for (FsL1Mode mode = FS_L1_PROXIMAL; mode <= FS_L1_SUBGRADIENT; mode++)
    {
      g_autoptr(FsSolver) solver = NULL;
      const double *W, *H;
      FsParams p;

      fs_params_init_defaults (&p);
      p.rank = 3;
      p.l1_w = 1.0;
      p.l1_h = 1.0;
      p.l1_mode = mode;
      p.max_iters = 3000;
      solver = new_solver (X, &p, TRUE);
      run_to_stop (solver);

      W = fs_solver_get_w (solver);
      H = fs_solver_get_h (solver);
      zeros[mode] = count_zeros (W, 30 * 3) + count_zeros (H, 3 * 20);
      small[mode] = 0;
      for (gsize k = 0; k < 30 * 3; k++)
        small[mode] += fabs (W[k]) < 1e-2;
      for (gsize k = 0; k < 3 * 20; k++)
        small[mode] += fabs (H[k]) < 1e-2;
      g_test_message ("%s: %u exact zeros, %u below 1e-2", fs_l1_mode_to_string (mode),
                      zeros[mode], small[mode]);
    }

  g_assert_cmpuint (zeros[FS_L1_PROXIMAL], >=, 10);
  g_assert_cmpuint (zeros[FS_L1_SUBGRADIENT], ==, 0);
  g_assert_cmpuint (small[FS_L1_SUBGRADIENT], >, 0);
}

static void
test_nonneg (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (20, 15, 2, 0.0, 3, NULL);
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;

  for (gsize k = 0; k < 20 * 15; k++)
    X->data[k] = fabs (X->data[k]);

  fs_params_init_defaults (&p);
  p.rank = 2;
  p.nonneg = TRUE;
  p.max_iters = 2000;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);

  for (gsize k = 0; k < 20 * 2; k++)
    g_assert_cmpfloat (fs_solver_get_w (solver)[k], >=, 0.0);
  for (gsize k = 0; k < 2 * 15; k++)
    g_assert_cmpfloat (fs_solver_get_h (solver)[k], >=, 0.0);
  /* The bound is active: some values sit on zero. Whether they are 0 or
   * 1e-16 depends on rounding, since their gradient vanishes there too. */
  g_assert_cmpuint (count_below (fs_solver_get_w (solver), 40, 1e-12) +
                    count_below (fs_solver_get_h (solver), 30, 1e-12), >, 0);

  /* Without the bound the same start ends with negative values. */
  g_clear_pointer (&solver, fs_solver_free);
  p.nonneg = FALSE;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);
  g_assert_cmpuint (count_below (fs_solver_get_w (solver), 40, 0.0) +
                    count_below (fs_solver_get_h (solver), 30, 0.0), >, 0);
}

static FsSolver *
solve_with_seed (FsMatrix *X,
                 guint64   seed)
{
  FsParams p;
  FsSolver *solver;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.rule = FS_RULE_ADAM;
  p.lr = 0.01;
  p.seed = seed;
  p.max_iters = 100;
  solver = new_solver (X, &p, FALSE);
  run_to_stop (solver);
  return solver;
}

static void
test_seed_reproducible (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) a = solve_with_seed (X, 11);
  g_autoptr(FsSolver) b = solve_with_seed (X, 11);
  g_autoptr(FsSolver) c = solve_with_seed (X, 12);
  gsize len = fs_cost_log_get_length (fs_solver_get_log (a));
  g_autofree double *log_a = g_new (double, len);
  g_autofree double *log_b = g_new (double, len);

  g_assert_cmpuint (len, ==, 101);
  g_assert_cmpuint (fs_cost_log_get_length (fs_solver_get_log (b)), ==, len);
  fs_cost_log_copy_range (fs_solver_get_log (a), 0, len, log_a);
  fs_cost_log_copy_range (fs_solver_get_log (b), 0, len, log_b);

  g_assert_cmpmem (fs_solver_get_w (a), 30 * 3 * sizeof (double),
                   fs_solver_get_w (b), 30 * 3 * sizeof (double));
  g_assert_cmpmem (fs_solver_get_h (a), 3 * 20 * sizeof (double),
                   fs_solver_get_h (b), 3 * 20 * sizeof (double));
  g_assert_cmpmem (log_a, len * sizeof (double), log_b, len * sizeof (double));
  g_assert_true (memcmp (fs_solver_get_w (a), fs_solver_get_w (c), 30 * 3 * sizeof (double)) != 0);
  g_assert_cmpfloat (fs_solver_get_cost (a), !=, fs_solver_get_cost (c));
}

static void
test_divergence (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;
  const char *message;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.lr = 10.0;
  p.max_iters = 1000;
  solver = new_solver (X, &p, FALSE);
  run_to_stop (solver);

  message = fs_solver_get_stop_message (solver);
  g_test_message ("%s", message);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_DIVERGED);
  g_assert_cmpuint (fs_solver_get_iteration (solver), <, 50);
  g_assert_nonnull (strstr (message, "diverged at iteration"));
  g_assert_nonnull (strstr (message, "smaller learning rate"));
}

static void
test_tolerance (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;
  FsCostLog *log;
  gsize len;
  double last, before;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.tol = 1e-8;
  p.max_iters = 1000000;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);

  log = fs_solver_get_log (solver);
  len = fs_cost_log_get_length (log);
  last = fs_cost_log_get (log, len - 1);
  before = fs_cost_log_get (log, len - 2);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_TOLERANCE);
  g_assert_cmpuint (fs_solver_get_iteration (solver), <, 1000000);
  g_assert_cmpfloat (fabs (before - last), <=, 1e-8 * before);
}

/* Restarts from seeds s, s+1, ... keep every history and the lowest cost. */
static void
test_restarts_keep_best (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (25, 20, 6, 0.1, 5, NULL);
  g_autoptr(FsFit) fit = NULL;
  g_autoptr(GError) error = NULL;
  FsParams p;
  guint best;
  double lowest = INFINITY;

  fs_params_init_defaults (&p);
  p.rank = 4;
  p.rule = FS_RULE_NORMALIZED;
  p.lr = 0.05;
  p.init = FS_INIT_UNIFORM;
  p.seed = 20;
  p.restarts = 5;
  p.max_iters = 60;
  fit = fs_fit_new (X, &p, &error);
  g_assert_no_error (error);
  while (fs_fit_iterate (fit))
    ;

  g_assert_true (fs_fit_is_done (fit));
  g_assert_cmpint (fs_fit_get_best_run (fit), >=, 0);
  best = (guint) fs_fit_get_best_run (fit);
  for (guint k = 0; k < 5; k++)
    {
      double final = fs_fit_get_final_cost (fit, k);

      g_test_message ("run %u: seed %" G_GUINT64_FORMAT ", final %.6g", k,
                      fs_fit_get_run_seed (fit, k), final);
      g_assert_cmpuint (fs_fit_get_run_seed (fit, k), ==, 20 + k);
      g_assert_cmpuint (fs_cost_log_get_length (fs_fit_get_log (fit, k)), ==, 61);
      g_assert_cmpfloat_with_epsilon (fs_cost_log_get (fs_fit_get_log (fit, k), 60), final,
                                      1e-10 * final);
      lowest = MIN (lowest, final);
    }
  g_assert_cmpfloat (fs_fit_get_final_cost (fit, 0), !=, fs_fit_get_final_cost (fit, 1));
  g_assert_cmpfloat (fs_fit_get_final_cost (fit, best), ==, lowest);
  g_assert_cmpfloat_with_epsilon (fs_test_naive_cost (X, fs_fit_get_best_w (fit),
                                                      fs_fit_get_best_h (fit), 4, 0, 0, 0, 0),
                                  lowest, 1e-9 * lowest);
}

static void
test_missing_cells (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (30, 20, 3, 0.01, 9, NULL);
  g_autoptr(FsSolver) solver = NULL;
  g_autofree double *coin = g_new (double, 30 * 20);
  FsParams p;
  double initial;

  fs_random_fill_unit (77, coin, 30 * 20);
  for (gsize k = 0; k < 30 * 20; k++)
    if (coin[k] < 0.2)
      X->data[k] = NAN;
  fs_matrix_mark_missing (X);
  g_assert_cmpuint (X->n_missing, >, 60);

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.max_iters = 3000;
  solver = new_solver (X, &p, TRUE);
  initial = fs_solver_get_cost (solver);
  run_to_stop (solver);

  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_cmpfloat_with_epsilon (fs_solver_get_cost (solver),
                                  fs_test_naive_cost (X, fs_solver_get_w (solver),
                                                      fs_solver_get_h (solver), 3, 0, 0, 0, 0),
                                  1e-10);
  /* Rank 3 data with 1% noise: the observed cells are fitted to the noise. */
  g_assert_cmpfloat (fs_solver_get_cost (solver), <, 1e-3 * initial);
}

static void
test_validation (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(GError) error = NULL;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 21;
  g_assert_null (fs_solver_new (X, &p, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "between 1 and 20"));
  g_clear_error (&error);

  fs_params_init_defaults (&p);
  p.l2_h = -1;
  g_assert_null (fs_solver_new (X, &p, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  fs_params_init_defaults (&p);
  p.lr = 0;
  g_assert_null (fs_solver_new (X, &p, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/solver/rules/lower-cost", test_rules_lower_cost);
  g_test_add_func ("/solver/optimum/known-spectrum", test_optimum_known_spectrum);
  g_test_add_func ("/solver/optimum/volcano", test_optimum_volcano);
  g_test_add_func ("/solver/optimum/plain-reaches", test_plain_reaches_optimum);
  g_test_add_func ("/solver/l1/prox-and-subgradient", test_l1_prox_and_subgradient);
  g_test_add_func ("/solver/nonneg", test_nonneg);
  g_test_add_func ("/solver/seed/reproducible", test_seed_reproducible);
  g_test_add_func ("/solver/stop/divergence", test_divergence);
  g_test_add_func ("/solver/stop/tolerance", test_tolerance);
  g_test_add_func ("/solver/restarts/keep-best", test_restarts_keep_best);
  g_test_add_func ("/solver/missing-cells", test_missing_cells);
  g_test_add_func ("/solver/validation", test_validation);

  return g_test_run ();
}
