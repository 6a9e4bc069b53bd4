/* test-solver.c: update rules, step sizes, the optimum, L1, seeds,
 * divergence, restarts, and the core's precondition checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-loader.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-optimum.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-step-size.h"
#include "fs-test-util.h"

static FsMatrix *
small_problem (void)
{
  return fs_example_lowrank (30, 20, 3, 0.05, 7, NULL);
}

/* With use_starting_lr, the run goes on at the rule's starting step. */
static FsSolver *
new_solver (FsMatrix *X,
            FsParams *p,
            gboolean  use_starting_lr)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver = fs_solver_new (X, p, &error);

  g_assert_no_error (error);
  if (use_starting_lr)
    {
      p->lr = fs_solver_get_starting_lr (solver);
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
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
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

      g_test_message ("%s: lr %.3g, cost %.4g -> %.4g", rule->name, p.lr,
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

  /* Discarded values at the SVD's rounding (eps sigma_1) sum to 0, not to
   * 1e-31; one just above it is kept. */
  {
    const double exact[] = { 9.0, 5.0, 9.0 * DBL_EPSILON, 2.0 * DBL_EPSILON };
    const double noisy[] = { 9.0, 5.0, 1e-12 };

    g_assert_cmpfloat (fs_optimum_value (exact, G_N_ELEMENTS (exact), 2, 0, 0), ==, 0.0);
    g_assert_cmpfloat (fs_optimum_value (noisy, G_N_ELEMENTS (noisy), 2, 0, 0), ==, 1e-24);
  }
}

/* Halve the learning rate after this many iterations without a new
 * lowest cost (a plateau schedule, as torch's ReduceLROnPlateau). */
#define PLATEAU_ITERATIONS 100
#define REACH_MAX_ITERATIONS 20000
#define REACH_TOLERANCE 1e-10

/* Runs the solver until its cost is within REACH_TOLERANCE (relative) of
 * optimum or REACH_MAX_ITERATIONS have passed; returns the iterations.
 *
 * The rate starts at the rule's own starting step and is halved on a
 * plateau. A rule whose steps shrink with the gradient (plain, momentum,
 * Adam here) keeps lowering the cost and never meets a plateau, so it is
 * tested at its starting step. The normalized rule's steps keep their
 * length, so at a fixed rate it ends circling the minimum at a distance of
 * about that length (its relative gap stalls near 1e-3 here); halving the
 * length each time it circles is the decreasing schedule it needs, and a
 * rule like it added to the table gets the same. */
static guint64
run_to_optimum (FsSolver *solver,
                double    optimum,
                guint    *halvings)
{
  double lr = fs_solver_get_params (solver)->lr, lowest = INFINITY;
  guint64 last_lowest = 0;

  *halvings = 0;
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    {
      guint64 iteration = fs_solver_get_iteration (solver);
      double cost = fs_solver_get_cost (solver);

      if (cost - optimum <= REACH_TOLERANCE * optimum)
        break;
      if (cost < lowest)
        {
          lowest = cost;
          last_lowest = iteration;
        }
      else if (iteration - last_lowest >= PLATEAU_ITERATIONS)
        {
          lr /= 2.0;
          fs_solver_set_lr (solver, lr);
          last_lowest = iteration;
          (*halvings)++;
        }
    }
  return fs_solver_get_iteration (solver);
}

/* The GSL way of testing minimisers: every rule of the table, from the
 * same start, on a problem whose minimum is known. X = U diag(s) V^T has
 * the singular values s; f* comes from the Eckart-Young formula, and with
 * L2 penalties from its shrunk form (fs_optimum_value). Each rule must come
 * within REACH_TOLERANCE of f* (relative) in REACH_MAX_ITERATIONS; today
 * the slowest, Adam, needs about 5400 with the penalties and the
 * normalized rule about 5700 with 13 halvings. The final cost must not be
 * below f* either, beyond rounding: f* is the global minimum. */
static void
test_rules_reach_optimum (void)
{
  const double s[] = { 10.0, 6.0, 4.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1 };
  const double penalties[][2] = { { 0.0, 0.0 }, { 0.05, 0.2 } };
  const gsize n = G_N_ELEMENTS (s);
  g_autoptr(FsMatrix) X = matrix_with_singular_values (n, s);
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  for (guint k = 0; k < G_N_ELEMENTS (penalties); k++)
    for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
      {
        g_autoptr(FsSolver) solver = NULL;
        g_autoptr(GError) error = NULL;
        double optimum, final;
        guint64 iterations;
        guint halvings;
        FsParams p;

        fs_params_init_defaults (&p);
        p.rank = 3;
        p.l2_w = penalties[k][0];
        p.l2_h = penalties[k][1];
        p.rule = rule;
        p.seed = 3;
        p.max_iters = REACH_MAX_ITERATIONS;
        p.lr = fs_step_size_starting (X, &p, &error);
        g_assert_no_error (error);
        solver = new_solver (X, &p, FALSE);

        optimum = fs_optimum_value (s, n, p.rank, p.l2_w, p.l2_h);
        iterations = run_to_optimum (solver, optimum, &halvings);
        final = fs_solver_get_exact_cost (solver);
        g_test_message ("%s, l2 %g/%g: lr %.3g, %" G_GUINT64_FORMAT " iterations, "
                        "%u halvings, f %.15g, f* %.15g", rule->name, p.l2_w, p.l2_h,
                        p.lr, iterations, halvings, final, optimum);
        g_assert_cmpfloat ((final - optimum) / optimum, <=, REACH_TOLERANCE);
        g_assert_cmpfloat (final, >=, optimum * (1.0 - 1e-12));
      }
}

/* The largest eigenvalue of the r × r Gram matrix a^T a (a is len × r,
 * row-major) by plain loops and LAPACK: independent of the core's. */
static double
naive_gram_eigenvalue (const double *a,
                       gsize         len,
                       gsize         r)
{
  g_autofree double *gram = g_new0 (double, r * r);
  g_autofree double *eig = g_new (double, r);

  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < r; j++)
      for (gsize k = 0; k < len; k++)
        gram[i * r + j] += a[k * r + i] * a[k * r + j];
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', (int) r, gram, (int) r, eig), ==, 0);
  return eig[r - 1];
}

/* fs_solver_default_lr as it stood before the rules table, from a start W,
 * H: the figures the table's starting steps must keep. NAN for a rule it
 * did not know. */
static double
old_default_lr (FsMatrix       *X,
                const FsParams *p,
                const double   *W,
                const double   *H)
{
  gsize n = X->rows, m = X->cols, r = p->rank;
  g_autofree double *ht = g_new (double, m * r);
  double norm_w = cblas_dnrm2 ((int) (n * r), W, 1), norm_h = cblas_dnrm2 ((int) (r * m), H, 1);
  double stable = 0.25 / (fs_spectral_norm (X, 30) + MAX (p->l2_w, p->l2_h) + G_MINDOUBLE);
  double suggest, plain;

  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < m; j++)
      ht[j * r + i] = H[i * m + j];
  suggest = MIN (1.0 / (2.0 * (naive_gram_eigenvalue (ht, m, r) + p->l2_w)),
                 1.0 / (2.0 * (naive_gram_eigenvalue (W, n, r) + p->l2_h)));
  plain = MIN (stable, 0.5 * suggest);

  if (g_str_equal (p->rule->name, "plain"))
    return plain;
  if (g_str_equal (p->rule->name, "momentum"))
    return (1.0 - p->momentum) * plain;
  if (g_str_equal (p->rule->name, "normalized"))
    return 0.01 * MAX (norm_w, norm_h);
  if (g_str_equal (p->rule->name, "adam"))
    return 0.01 * sqrt ((norm_w * norm_w + norm_h * norm_h) / (double) (n * r + r * m));
  return NAN;
}

static void
assert_relative (double value,
                 double expected,
                 double tolerance)
{
  g_assert_cmpfloat (fabs (value - expected), <=, tolerance * fabs (expected));
}

/* For every rule on two matrices (dense with scaled factors; known
 * singular values, two missing cells, uniform factors, L2 penalties): the
 * starting step comes with no solver made, and equals what a solver
 * started from the same seed gives, and the formula of the old
 * fs_solver_default_lr. It does not read the learning rate, so it answers
 * even where the settings hold none a solver would take. */
static void
test_step_size_starting (void)
{
  const double s[] = { 9.0, 5.0, 3.0, 2.0, 1.5, 1.0, 0.5, 0.25 };
  FsMatrix *matrices[2] = { small_problem (), matrix_with_singular_values (G_N_ELEMENTS (s), s) };
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  matrices[1]->data[3] = matrices[1]->data[17] = NAN;
  fs_matrix_mark_missing (matrices[1]);

  for (guint k = 0; k < G_N_ELEMENTS (matrices); k++)
    for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
      {
        g_autoptr(FsSolver) solver = NULL;
        g_autoptr(GError) error = NULL;
        double starting, old;
        FsParams p;

        fs_params_init_defaults (&p);
        p.rank = 3;
        p.rule = rule;
        p.lr = 0.0;
        if (k == 1)
          {
            p.init = FS_INIT_UNIFORM;
            p.seed = 7;
            p.l2_w = 0.05;
            p.l2_h = 0.2;
            p.momentum = 0.8;
          }
        starting = fs_step_size_starting (matrices[k], &p, &error);
        g_assert_no_error (error);
        g_assert_true (isfinite (starting) && starting > 0.0);
        g_assert_null (fs_solver_new (matrices[k], &p, NULL));

        p.lr = 1.0;
        solver = new_solver (matrices[k], &p, FALSE);
        old = old_default_lr (matrices[k], &p, fs_solver_get_w (solver), fs_solver_get_h (solver));
        g_test_message ("%s on matrix %u: %.17g (old formula %.17g)", rule->name, k, starting, old);
        assert_relative (fs_solver_get_starting_lr (solver), starting, 1e-12);
        if (!isnan (old))
          assert_relative (starting, old, 1e-12);
      }

  for (guint k = 0; k < G_N_ELEMENTS (matrices); k++)
    fs_matrix_unref (matrices[k]);
}

/* 2 / max(L_W, L_H) = 1 / max(sigma_max(H)^2 + l2_w, sigma_max(W)^2 + l2_h)
 * on factors with orthogonal columns (rows) of chosen lengths, and the
 * solver's bound is the same function at its current point. */
static void
test_step_size_stability_bound (void)
{
  /* W is 4 × 2 with column lengths 3 and 1; H is 2 × 3 with row lengths 2, 0.5. */
  const double W[] = { 3.0, 0.0,  0.0, 1.0,  0.0, 0.0,  0.0, 0.0 };
  const double H[] = { 0.0, 2.0, 0.0,  0.5, 0.0, 0.0 };
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;

  assert_relative (fs_step_size_stability_bound (W, H, 4, 3, 2, 0.0, 0.0), 1.0 / 9.0, 1e-14);
  assert_relative (fs_step_size_stability_bound (W, H, 4, 3, 2, 0.5, 0.25), 1.0 / 9.25, 1e-14);
  assert_relative (fs_step_size_stability_bound (W, H, 4, 3, 2, 6.0, 0.0), 1.0 / 10.0, 1e-14);

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.l2_w = 0.1;
  p.max_iters = 50;
  solver = new_solver (X, &p, TRUE);
  /* The plain rule starts at a quarter of the bound at most. */
  g_assert_cmpfloat (p.lr, <=, 0.25 * fs_solver_get_stability_bound (solver));

  run_to_stop (solver);
  g_assert_cmpfloat (fs_solver_get_stability_bound (solver), ==,
                     fs_step_size_stability_bound (fs_solver_get_w (solver), fs_solver_get_h (solver),
                                                   30, 20, 3, 0.1, 0.0));
}

/* The table is well formed: unique names that fs_rule_find returns, labels,
 * every function, state within FS_RULE_MAX_STATE; params take only its
 * entries, and the first is the default. */
static void
test_rules_table (void)
{
  g_autoptr(GError) error = NULL;
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);
  FsRule copy;
  FsParams p;

  g_assert_cmpuint (n_rules, >=, 4);
  for (guint i = 0; i < n_rules; i++)
    {
      const FsRule *rule = &rules[i];

      g_assert_true (fs_rule_find (rule->name) == rule);
      g_assert_true (fs_rule_is_known (rule));
      g_assert_cmpuint (fs_rule_get_index (rule), ==, i);
      g_assert_cmpstr (fs_rule_get_label (rule), !=, "");
      g_assert_nonnull (rule->step);
      g_assert_nonnull (rule->starting_lr);
      g_assert_nonnull (rule->retry_lr);
      g_assert_nonnull (strstr (rule->divergence_advice, "%"));
      g_assert_cmpuint (rule->n_state, <=, FS_RULE_MAX_STATE);
    }
  g_assert_cmpstr (fs_rule_get_label (fs_rule_find ("adam")), ==, "Adam");
  g_assert_cmpstr (fs_rule_get_label (fs_rule_find ("plain")), ==, "Gradient descent");
  g_assert_null (fs_rule_find ("sgd"));

  fs_params_init_defaults (&p);
  g_assert_true (p.rule == &rules[0]);
  copy = *p.rule;
  p.rule = &copy;
  g_assert_false (fs_params_validate (&p, NULL, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
}

/* R's volcano: the best rank-k relative errors that NumPy gives
 * (tests/data/real/README.md). */
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
  p.rule = fs_rule_find ("adam");
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

/* Several threads give the same run bit for bit too, however their
 * timing falls (DESIGN.md): each share sums its own rows, so a replay
 * (`run --session`) reaches the window's final cost exactly. Blocks taken
 * by whichever thread was free made one solve in four differ in the last
 * bits. */
static void
test_threads_reproducible (void)
{
  g_autoptr(FsMatrix) X = fs_test_random_matrix (301, 233, 77, 0.0);

  for (guint threads = 2; threads <= 3; threads++)
    {
      g_autoptr(FsSolver) reference = NULL;
      FsParams p;

      fs_params_init_defaults (&p);
      p.rank = 13;
      p.rule = fs_rule_find ("adam");
      p.lr = 0.01;
      p.max_iters = 60;
      p.threads = threads;
      reference = new_solver (X, &p, FALSE);
      run_to_stop (reference);
      for (guint k = 0; k < 12; k++)
        {
          g_autoptr(FsSolver) again = new_solver (X, &p, FALSE);

          run_to_stop (again);
          g_assert_cmpmem (fs_solver_get_w (again), 301 * 13 * sizeof (double),
                           fs_solver_get_w (reference), 301 * 13 * sizeof (double));
          g_assert_cmpmem (fs_solver_get_h (again), 13 * 233 * sizeof (double),
                           fs_solver_get_h (reference), 13 * 233 * sizeof (double));
        }
    }
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

/* Which changes need a new start, field by field. */
static void
test_needs_restart (void)
{
  FsParams a, b;

  fs_params_init_defaults (&a);
  b = a;
  g_assert_false (fs_params_needs_restart (&a, &b));
#define CHANGES(field, value, restarts) \
  G_STMT_START { b = a; b.field = value; \
    g_assert_cmpint (fs_params_needs_restart (&a, &b), ==, restarts); \
    g_assert_false (fs_params_equal (&a, &b)); } G_STMT_END
  CHANGES (rank, 3, TRUE);
  CHANGES (seed, 7, TRUE);
  CHANGES (init, FS_INIT_UNIFORM, TRUE);
  CHANGES (restarts, 2, TRUE);
  CHANGES (threads, 2, TRUE);
  CHANGES (products, FS_PRODUCTS_BLAS, TRUE);
  CHANGES (l2_w, 0.1, FALSE);
  CHANGES (l2_h, 0.1, FALSE);
  CHANGES (l1_w, 0.1, FALSE);
  CHANGES (l1_h, 0.1, FALSE);
  CHANGES (rule, fs_rule_find ("adam"), FALSE);
  CHANGES (momentum, 0.5, FALSE);
  CHANGES (adam_beta1, 0.5, FALSE);
  CHANGES (adam_beta2, 0.5, FALSE);
  CHANGES (adam_eps, 1e-6, FALSE);
  CHANGES (l1_mode, FS_L1_SUBGRADIENT, FALSE);
  CHANGES (nonneg, TRUE, FALSE);
  CHANGES (lr, 0.5, FALSE);
  CHANGES (max_iters, 5, FALSE);
  CHANGES (tol, 1e-3, FALSE);
  CHANGES (stop_unstable, FALSE, FALSE);
  CHANGES (nice, 5, FALSE);
#undef CHANGES
  g_assert_true (a.stop_unstable);
}

/* A penalty on one factor only has no minimum; on both, or none, it has. */
static void
test_unbounded_message (void)
{
  const struct { double l2_w, l2_h, l1_w, l1_h; const char *says; } cases[] = {
    { 0, 0, 0, 0, NULL },
    { 0.1, 0.1, 0, 0, NULL },
    { 0.1, 0, 0, 0.5, NULL },
    { 0, 0, 0.3, 0.5, NULL },
    { 0, 0.2, 0.3, 0, NULL },
    { 0, 0, 0, 0.5, "L1 on H needs a penalty on W" },
    { 0, 0, 0.5, 0, "L1 on W needs a penalty on H" },
    { 0, 0.1, 0, 0, "L2 on H needs a penalty on W" },
    { 0.1, 0, 0, 0, "L2 on W needs a penalty on H" },
    { 0, 0.1, 0, 0.5, "L1 and L2 on H needs a penalty on W" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = NULL;
      FsParams p;

      fs_params_init_defaults (&p);
      p.l2_w = cases[i].l2_w;
      p.l2_h = cases[i].l2_h;
      p.l1_w = cases[i].l1_w;
      p.l1_h = cases[i].l1_h;
      p.nonneg = i % 2;
      message = fs_params_dup_unbounded_message (&p);
      if (cases[i].says == NULL)
        g_assert_null (message);
      else
        {
          g_assert_nonnull (message);
          g_assert_true (g_str_has_prefix (message, cases[i].says));
          g_assert_nonnull (strstr (message, "bounded"));
        }
    }
}

/* W, H and the cost of a and b agree to rounding. */
static void
assert_same_point (FsSolver *a,
                   FsSolver *b)
{
  gsize n = fs_solver_get_rows (a), m = fs_solver_get_cols (a), r = fs_solver_get_rank (a);

  g_assert_cmpfloat (fs_test_rel_diff (fs_solver_get_w (a), fs_solver_get_w (b), n * r), <, 1e-12);
  g_assert_cmpfloat (fs_test_rel_diff (fs_solver_get_h (a), fs_solver_get_h (b), r * m), <, 1e-12);
  g_assert_cmpfloat (fabs (fs_solver_get_cost (a) - fs_solver_get_cost (b)), <=,
                     1e-12 * fabs (fs_solver_get_cost (b)));
}

/* 200 plain steps, a warm change to to, 300 more: the same as a solver for
 * to started from the point of the change, and the iteration count and
 * the log go on. */
static void
check_change_params (const FsParams *to)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) a = NULL;
  g_autoptr(FsSolver) b = NULL;
  g_autofree double *W = g_new (double, 30 * 3);
  g_autofree double *H = g_new (double, 3 * 20);
  FsParams p;
  double logged;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.max_iters = 200;
  a = new_solver (X, &p, TRUE);
  run_to_stop (a);
  g_assert_cmpint (fs_solver_get_stop (a), ==, FS_STOP_ITERATIONS);
  memcpy (W, fs_solver_get_w (a), sizeof (double) * 30 * 3);
  memcpy (H, fs_solver_get_h (a), sizeof (double) * 3 * 20);
  logged = fs_cost_log_get (fs_solver_get_log (a), 200);

  fs_solver_change_params (a, to);
  for (guint k = 0; to->nonneg && k < 30 * 3; k++)
    W[k] = MAX (W[k], 0.0);
  for (guint k = 0; to->nonneg && k < 3 * 20; k++)
    H[k] = MAX (H[k], 0.0);
  g_assert_cmpmem (W, sizeof (double) * 30 * 3, fs_solver_get_w (a), sizeof (double) * 30 * 3);
  g_assert_cmpmem (H, sizeof (double) * 3 * 20, fs_solver_get_h (a), sizeof (double) * 3 * 20);
  /* The limit of 500 lifts the stop; the cost is the new objective's. */
  g_assert_cmpint (fs_solver_get_stop (a), ==, FS_STOP_NONE);
  g_assert_null (fs_solver_get_stop_message (a));
  g_assert_cmpuint (fs_solver_get_iteration (a), ==, 200);
  g_assert_cmpuint (fs_cost_log_get_length (fs_solver_get_log (a)), ==, 201);
  g_assert_cmpfloat (fs_cost_log_get (fs_solver_get_log (a), 200), ==, logged);
  g_assert_cmpfloat (fabs (fs_solver_get_cost (a) -
                           fs_test_naive_cost (X, W, H, 3, to->l2_w, to->l2_h, to->l1_w, to->l1_h)),
                     <=, 1e-12 * fs_solver_get_cost (a));

  b = fs_solver_new (X, to, NULL);
  fs_solver_start_from (b, W, H);
  assert_same_point (a, b);
  for (guint t = 0; t < 300; t++)
    {
      fs_solver_iterate (a);
      fs_solver_iterate (b);
    }
  assert_same_point (a, b);
  g_assert_cmpuint (fs_solver_get_iteration (a), ==, 500);
  g_assert_cmpuint (fs_cost_log_get_length (fs_solver_get_log (a)), ==, 501);
  g_assert_cmpint (fs_solver_get_stop (a), ==, FS_STOP_ITERATIONS);
}

static void
test_change_params (void)
{
  FsParams to;

  /* Penalties (L2 and L1, by prox) at the same rule. */
  fs_params_init_defaults (&to);
  to.rank = 3;
  to.max_iters = 500;
  to.lr = 0.01;
  to.l2_w = 0.1;
  to.l2_h = 0.05;
  to.l1_h = 0.02;
  check_change_params (&to);

  /* Another rule, with state: Adam's moments and step count start over. */
  fs_params_init_defaults (&to);
  to.rank = 3;
  to.max_iters = 500;
  to.lr = 0.01;
  to.rule = fs_rule_find ("adam");
  check_change_params (&to);

  /* Momentum, with non-negativity turned on: W and H are projected. */
  to.rule = fs_rule_find ("momentum");
  to.lr = 0.001;
  to.nonneg = TRUE;
  check_change_params (&to);
}

/* A run stopped by the tolerance goes on after a resume; one that reached
 * its limit or diverged does not. */
static void
test_resume (void)
{
  g_autoptr(FsMatrix) X = small_problem ();
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;
  guint64 stopped;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.tol = 1e-4;
  p.max_iters = 100000;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_TOLERANCE);
  stopped = fs_solver_get_iteration (solver);

  g_assert_true (fs_solver_resume (solver));
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_NONE);
  g_assert_null (fs_solver_get_stop_message (solver));
  fs_solver_iterate (solver);
  g_assert_cmpuint (fs_solver_get_iteration (solver), ==, stopped + 1);
  g_assert_cmpuint (fs_cost_log_get_length (fs_solver_get_log (solver)), ==, stopped + 2);

  /* At the limit: nothing to resume until the limit is raised. */
  p.tol = 0.0;
  p.max_iters = stopped + 5;
  fs_solver_change_params (solver, &p);
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_false (fs_solver_resume (solver));
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  p.max_iters = stopped + 10;
  fs_solver_change_params (solver, &p);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_NONE);
  run_to_stop (solver);
  g_assert_cmpuint (fs_solver_get_iteration (solver), ==, stopped + 10);

  /* After divergence: never. */
  fs_solver_set_lr (solver, 100.0);
  fs_solver_resume (solver);
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  p.lr = 100.0;
  p.max_iters = 100000;
  fs_solver_change_params (solver, &p);
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_DIVERGED);
  g_assert_false (fs_solver_resume (solver));
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_DIVERGED);
}

/* The cost falls 1e5-fold, then the learning rate is raised: growth is
 * measured from the cost at the change, which the message cites. */
static void
test_divergence_after_change (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (30, 20, 3, 0.0, 7, NULL);
  g_autoptr(FsSolver) solver = NULL;
  g_autofree char *at_change = NULL;
  const char *message;
  double initial;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.max_iters = 1000000;
  solver = new_solver (X, &p, TRUE);
  initial = fs_solver_get_cost (solver);
  while (fs_solver_get_cost (solver) > 1e-5 * initial)
    g_assert_cmpint (fs_solver_iterate (solver), ==, FS_STOP_NONE);

  at_change = g_strdup_printf ("%.4g (at iteration %" G_GUINT64_FORMAT ", after the last change)",
                               fs_solver_get_cost (solver), fs_solver_get_iteration (solver));
  fs_solver_set_lr (solver, 3.0 * fs_solver_get_stability_bound (solver));
  run_to_stop (solver);

  message = fs_solver_get_stop_message (solver);
  g_test_message ("%s", message);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_DIVERGED);
  g_assert_true (isfinite (fs_solver_get_cost (solver)));
  g_assert_cmpfloat (fs_solver_get_cost (solver), <, 1e6 * initial);
  g_assert_nonnull (strstr (message, at_change));
}

/* The Laplacian of the side × side grid graph: every row sums to zero. */
static FsMatrix *
grid_laplacian (gsize side)
{
  gsize n = side * side;
  FsMatrix *L = fs_matrix_new (n, n, NULL);

  memset (L->data, 0, n * n * sizeof (double));
  for (gsize i = 0; i < side; i++)
    for (gsize j = 0; j < side; j++)
      {
        gsize v = i * side + j;
        const gssize steps[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };

        for (guint k = 0; k < 4; k++)
          {
            gssize a = (gssize) i + steps[k][0], b = (gssize) j + steps[k][1];

            if (a < 0 || b < 0 || a >= (gssize) side || b >= (gssize) side)
              continue;
            L->data[v * n + (gsize) a * side + (gsize) b] = -1.0;
            L->data[v * n + v] += 1.0;
          }
      }
  return L;
}

/* Integers in [-9, 9], each row made to sum to zero by its last cell. */
static FsMatrix *
row_centred_integers (gsize rows,
                      gsize cols)
{
  FsMatrix *X = fs_matrix_new (rows, cols, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (gsize i = 0; i < rows; i++)
    {
      double sum = 0.0;

      for (gsize j = 0; j + 1 < cols; j++)
        {
          X->data[i * cols + j] = (double) g_rand_int_range (rand, -9, 10);
          sum += X->data[i * cols + j];
        }
      X->data[i * cols + cols - 1] = -sum;
    }
  return X;
}

/* sigma_1 of data whose rows sum to zero: the power iteration agrees with
 * LAPACK, and plain steps at the starting rate do not diverge. Both gave
 * sigma = 0 and a diverging default rate when the iteration started from
 * a constant vector. */
static void
check_sigma_and_default_rate (FsMatrix   *X,
                              const char *what)
{
  g_autoptr(GArray) sv = fs_singular_values (X, NULL);
  g_autoptr(FsSolver) solver = NULL;
  double sigma = fs_step_size_sigma_estimate (X);
  double sigma_long = fs_spectral_norm (X, 3000);
  double lapack = g_array_index (sv, double, 0);
  FsParams p;

  g_test_message ("%s: sigma_1 %.10g (LAPACK), %.10g (30 steps), %.10g (3000 steps)",
                  what, lapack, sigma, sigma_long);
  g_assert_cmpfloat (sigma, <=, lapack * (1 + 1e-12));
  g_assert_cmpfloat (sigma, >=, 0.98 * lapack);
  g_assert_cmpfloat (fabs (sigma_long - lapack), <=, 1e-6 * lapack);

  fs_params_init_defaults (&p);
  p.rank = 5;
  p.max_iters = 3000;
  solver = new_solver (X, &p, TRUE);
  run_to_stop (solver);
  g_test_message ("%s: lr %.4g, cost %.6g -> %.6g", what, p.lr,
                  fs_cost_log_get (fs_solver_get_log (solver), 0), fs_solver_get_cost (solver));
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_null (fs_solver_get_warning (solver));
  g_assert_cmpfloat (fs_solver_get_cost (solver), <, fs_cost_log_get (fs_solver_get_log (solver), 0));
}

static void
test_sigma_zero_sum_rows (void)
{
  g_autoptr(FsMatrix) L = grid_laplacian (16);
  g_autoptr(FsMatrix) X = row_centred_integers (60, 64);

  check_sigma_and_default_rate (L, "16 × 16 grid Laplacian");
  check_sigma_and_default_rate (X, "row-centred integers");
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
  p.rule = fs_rule_find ("normalized");
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

/* Precondition checks of fs-matrix.c, fs-optimum.c and fs-loader.c that
 * came after the argument was first read, or could not fire: each call
 * must end in the function's own critical, not a crash or another
 * function's. */
static void
call_mark_missing (void)
{
  fs_matrix_mark_missing (NULL);
}

static void
call_is_observed (void)
{
  fs_matrix_is_observed (NULL, 0, 0);
}

static void
call_get (void)
{
  fs_matrix_get (NULL, 0, 0);
}

static void
call_frobenius_sq (void)
{
  fs_matrix_frobenius_sq (NULL);
}

static void
call_mean_abs (void)
{
  fs_matrix_mean_abs (NULL);
}

static void
call_range (void)
{
  double min, max;

  fs_matrix_range (NULL, &min, &max);
}

static void
call_new_from_data (void)
{
  fs_matrix_new_from_data (2, 2, NULL, NULL);
}

static void
call_singular_values (void)
{
  fs_singular_values (NULL, NULL);
}

static void
call_spectral_norm (void)
{
  fs_spectral_norm (NULL, 30);
}

static void
call_optimum_value (void)
{
  fs_optimum_value (NULL, 3, 1, 0.0, 0.0);
}

static void
call_load (void)
{
  fs_matrix_load (NULL, NULL);
}

static void
call_load_data (void)
{
  const guint8 data[] = "1,2\n3,4\n";

  fs_matrix_load_data (NULL, data, sizeof data - 1, NULL);
}

static void
call_save (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (2, 2, NULL);

  fs_matrix_save (X, NULL, NULL);
}

typedef struct
{
  const char *name;
  void      (*call) (void);
  const char *critical;
} Precondition;

static const Precondition preconditions[] = {
  { "matrix-mark-missing", call_mark_missing, "*fs_matrix_mark_missing: assertion*self != NULL*" },
  { "matrix-is-observed", call_is_observed, "*fs_matrix_is_observed: assertion*self != NULL*" },
  { "matrix-get", call_get, "*fs_matrix_get: assertion*self != NULL*" },
  { "matrix-frobenius-sq", call_frobenius_sq, "*fs_matrix_frobenius_sq: assertion*self != NULL*" },
  { "matrix-mean-abs", call_mean_abs, "*fs_matrix_mean_abs: assertion*self != NULL*" },
  { "matrix-range", call_range, "*fs_matrix_range: assertion*self != NULL*" },
  { "matrix-new-from-data", call_new_from_data, "*fs_matrix_new_from_data: assertion*data != NULL*" },
  { "optimum-singular-values", call_singular_values, "*fs_singular_values: assertion*X != NULL*" },
  { "optimum-spectral-norm", call_spectral_norm, "*fs_spectral_norm: assertion*X != NULL*" },
  { "optimum-value", call_optimum_value, "*fs_optimum_value: assertion*singular_values != NULL*" },
  { "loader-load", call_load, "*fs_matrix_load: assertion*path != NULL*" },
  { "loader-load-data", call_load_data, "*fs_matrix_load_data: assertion*name != NULL*" },
  { "loader-save", call_save, "*fs_matrix_save: assertion*path != NULL*" },
};

static void
run_precondition (gconstpointer data)
{
  const Precondition *pc = data;

  pc->call ();
}

static void
test_precondition (gconstpointer data)
{
  const Precondition *pc = data;
  g_autofree char *path = g_strdup_printf ("/solver/preconditions/%s/subprocess", pc->name);

  g_test_trap_subprocess (path, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (pc->critical);
}

/* A run converges when its cost has changed by less than the tolerance in
 * each of ten iterations in a row, not at the first quiet step: momentum
 * on the low-rank example had one at iteration 191, 20 times further from
 * f* than where ten come in a row. */
static void
test_tolerance_patience (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (100, 80, 5, 0.01, 0, NULL);
  g_autoptr(FsSolver) solver = NULL;
  FsCostLog *log;
  gsize len;
  FsParams p;
  guint quiet = 0;

  fs_params_init_defaults (&p);
  p.rank = 5;
  p.rule = fs_rule_find ("momentum");
  p.tol = 1e-6;
  p.max_iters = 20000;
  p.lr = fs_step_size_starting (X, &p, NULL);
  solver = fs_solver_new (X, &p, NULL);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_TOLERANCE);
  log = fs_solver_get_log (solver);
  len = fs_cost_log_get_length (log);
  for (gsize k = len - 10; k < len; k++)
    g_assert_cmpfloat (fabs (fs_cost_log_get (log, k - 1) - fs_cost_log_get (log, k)), <=,
                       p.tol * fabs (fs_cost_log_get (log, k - 1)));
  /* ...and there was a quiet step before those ten. */
  for (gsize k = 1; k + 10 < len; k++)
    if (fabs (fs_cost_log_get (log, k - 1) - fs_cost_log_get (log, k)) <=
        p.tol * fabs (fs_cost_log_get (log, k - 1)))
      quiet++;
  g_test_message ("stopped at %" G_GSIZE_FORMAT ", %u quiet steps before", len - 1, quiet);
  g_assert_cmpuint (quiet, >, 0);
  g_assert_nonnull (strstr (fs_solver_get_stop_message (solver), "in each of the last 10 iterations"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/solver/tolerance-patience", test_tolerance_patience);
  g_test_add_func ("/solver/rules/lower-cost", test_rules_lower_cost);
  g_test_add_func ("/solver/rules/reach-optimum", test_rules_reach_optimum);
  g_test_add_func ("/solver/rules/table", test_rules_table);
  g_test_add_func ("/solver/step-size/starting", test_step_size_starting);
  g_test_add_func ("/solver/step-size/stability-bound", test_step_size_stability_bound);
  g_test_add_func ("/solver/optimum/known-spectrum", test_optimum_known_spectrum);
  g_test_add_func ("/solver/optimum/volcano", test_optimum_volcano);
  g_test_add_func ("/solver/step-size/zero-sum-rows", test_sigma_zero_sum_rows);
  g_test_add_func ("/solver/optimum/plain-reaches", test_plain_reaches_optimum);
  g_test_add_func ("/solver/l1/prox-and-subgradient", test_l1_prox_and_subgradient);
  g_test_add_func ("/solver/nonneg", test_nonneg);
  g_test_add_func ("/solver/seed/reproducible", test_seed_reproducible);
  g_test_add_func ("/solver/threads/reproducible", test_threads_reproducible);
  g_test_add_func ("/solver/stop/divergence", test_divergence);
  g_test_add_func ("/solver/stop/tolerance", test_tolerance);
  g_test_add_func ("/solver/stop/divergence-after-change", test_divergence_after_change);
  g_test_add_func ("/solver/params/needs-restart", test_needs_restart);
  g_test_add_func ("/solver/params/unbounded", test_unbounded_message);
  g_test_add_func ("/solver/change-params", test_change_params);
  g_test_add_func ("/solver/resume", test_resume);
  g_test_add_func ("/solver/restarts/keep-best", test_restarts_keep_best);
  g_test_add_func ("/solver/missing-cells", test_missing_cells);
  g_test_add_func ("/solver/validation", test_validation);

  for (guint i = 0; i < G_N_ELEMENTS (preconditions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/solver/preconditions/%s", preconditions[i].name);
      g_autofree char *subprocess = g_strconcat (path, "/subprocess", NULL);

      g_test_add_data_func (path, &preconditions[i], test_precondition);
      g_test_add_data_func (subprocess, &preconditions[i], run_precondition);
    }

  return g_test_run ();
}
