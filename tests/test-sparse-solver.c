/* test-sparse-solver.c: the solver's sparse path against its dense path
 * on the same cells, its gradients against finite differences, its runs
 * bit for bit, and its held-out split against the dense one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-cost-log.h"
#include "fs-error.h"
#include "fs-fit.h"
#include "fs-holdout.h"
#include "fs-random.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-sparse.h"
#include "fs-sparse-kernels.h"
#include "fs-step-size.h"
#include "fs-trace.h"

#define ROWS 41
#define COLS 29
#define SHARE 0.3
#define ITERATIONS 50
#define COST_TOLERANCE 1e-12

/* Two matrices with the same cells: a dense one with NaN for the
 * unlisted cells, and its sparse copy. */
typedef struct
{
  FsMatrix *dense;
  FsMatrix *sparse;
} Pair;

static void
pair_clear (Pair *pair)
{
  g_clear_pointer (&pair->dense, fs_matrix_unref);
  g_clear_pointer (&pair->sparse, fs_matrix_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Pair, pair_clear)

/* About SHARE of the cells listed, values in [0, 2), rows 3 and 17 empty
 * (rows without cells must work, at share borders too). With zeros, the
 * unlisted cells are real zeros: 0 in the dense matrix. */
static void
pair_init_full (Pair     *pair,
                guint64   seed,
                gboolean  zeros)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) sparse = NULL;
  g_autofree double *pick = g_new (double, ROWS * COLS);
  g_autofree double *values = g_new (double, ROWS * COLS);

  fs_random_fill_unit (fs_random_key (seed, 1), pick, ROWS * COLS);
  fs_random_fill_unit (fs_random_key (seed, 2), values, ROWS * COLS);
  for (gsize k = 0; k < ROWS * COLS; k++)
    {
      gsize i = k / COLS;

      values[k] = pick[k] < SHARE && i != 3 && i != 17 ? 2.0 * values[k] : NAN;
    }
  pair->dense = fs_matrix_new_from_data (ROWS, COLS, values, &error);
  g_assert_no_error (error);
  fs_matrix_mark_missing (pair->dense);
  sparse = fs_sparse_new_from_dense (ROWS, COLS, values, pair->dense->mask, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = zeros;
  pair->sparse = fs_matrix_new_sparse (sparse);
  if (zeros)
    {
      for (gsize k = 0; k < ROWS * COLS; k++)
        if (isnan (pair->dense->data[k]))
          pair->dense->data[k] = 0.0;
      fs_matrix_mark_missing (pair->dense);
      g_assert_cmpuint (pair->dense->n_missing, ==, 0);
    }
  g_assert_cmpuint (pair->sparse->n_missing, ==, pair->dense->n_missing);
}

static void
pair_init (Pair    *pair,
           guint64  seed)
{
  pair_init_full (pair, seed, FALSE);
}

static void
base_params (FsParams *p)
{
  fs_params_init_defaults (p);
  p->rank = 4;
  p->lr = 0.01;
  p->max_iters = ITERATIONS;
  p->tol = 0.0;
  p->seed = 11;
  p->threads = 1;
}

static FsSolver *
solver_or_die (FsMatrix       *X,
               const FsParams *p)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver = fs_solver_new (X, p, &error);

  g_assert_no_error (error);
  g_assert_nonnull (solver);
  return solver;
}

static void
assert_close (double      a,
              double      b,
              double      tolerance,
              const char *what,
              guint64     iteration)
{
  double scale = MAX (fabs (a), fabs (b));

  if (!(fabs (a - b) <= tolerance * scale))
    g_error ("%s at iteration %" G_GUINT64_FORMAT ": %.17g against %.17g (relative %.3g)",
             what, iteration, a, b, scale > 0.0 ? fabs (a - b) / scale : 0.0);
}

/* Both solvers' current costs, terms and held-out errors agree. */
static void
assert_same_state (FsSolver *dense,
                   FsSolver *sparse)
{
  guint64 it = fs_solver_get_iteration (dense);

  g_assert_cmpuint (fs_solver_get_iteration (sparse), ==, it);
  assert_close (fs_solver_get_cost (dense), fs_solver_get_cost (sparse), COST_TOLERANCE,
                "cost", it);
  assert_close (fs_solver_get_train_mse (dense), fs_solver_get_train_mse (sparse),
                COST_TOLERANCE, "training MSE", it);
  assert_close (fs_solver_get_grad_norm_w (dense), fs_solver_get_grad_norm_w (sparse),
                1e-10, "gradient norm of W", it);
  assert_close (fs_solver_get_grad_norm_h (dense), fs_solver_get_grad_norm_h (sparse),
                1e-10, "gradient norm of H", it);
  if (fs_solver_get_holdout (dense) != NULL)
    assert_close (fs_solver_get_holdout_mse (dense), fs_solver_get_holdout_mse (sparse),
                  COST_TOLERANCE, "held-out MSE", it);
}

/* ITERATIONS iterations of p on both matrices, compared at each. */
static void
compare_runs (const FsParams *p,
              gboolean        zeros)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(FsSolver) dense = NULL;
  g_autoptr(FsSolver) sparse = NULL;

  pair_init_full (&pair, 3, zeros);
  dense = solver_or_die (pair.dense, p);
  sparse = solver_or_die (pair.sparse, p);
  if (p->products == FS_PRODUCTS_BLAS)
    g_assert_cmpint (fs_solver_get_products (sparse), ==, FS_PRODUCTS_BLAS);
  assert_close (fs_solver_get_sigma_estimate (dense), fs_solver_get_sigma_estimate (sparse),
                1e-12, "sigma estimate", 0);
  assert_close (fs_solver_get_starting_lr (dense), fs_solver_get_starting_lr (sparse),
                1e-12, "starting learning rate", 0);
  assert_same_state (dense, sparse);
  for (guint k = 0; k < ITERATIONS; k++)
    {
      FsStop a = fs_solver_iterate (dense), b = fs_solver_iterate (sparse);

      g_assert_cmpint (a, ==, b);
      assert_same_state (dense, sparse);
    }
  g_assert_cmpint (fs_solver_get_stop (sparse), ==, FS_STOP_ITERATIONS);
  assert_close (fs_solver_get_exact_cost (dense), fs_solver_get_exact_cost (sparse),
                COST_TOLERANCE, "exact cost", ITERATIONS);
}

/* A variation of the base settings, with every rule and both thread
 * counts. */
typedef void (*Variation) (FsParams *p);

static void
each_rule_and_thread_count_full (Variation vary,
                                 gboolean  zeros)
{
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  for (guint threads = 1; threads <= 2; threads++)
    for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
      {
        FsParams p;

        base_params (&p);
        p.rule = rule;
        p.threads = threads;
        vary (&p);
        g_test_message ("%s, %u threads%s", rule->name, threads,
                        zeros ? ", zeros as values" : "");
        compare_runs (&p, zeros);
      }
}

static void
each_rule_and_thread_count (Variation vary)
{
  each_rule_and_thread_count_full (vary, FALSE);
}

static void
vary_nothing (FsParams *p)
{
}

static void
vary_l2 (FsParams *p)
{
  p->l2_w = 0.3;
  p->l2_h = 0.05;
}

static void
vary_l1_proximal (FsParams *p)
{
  p->l1_w = 0.02;
  p->l1_h = 0.01;
  p->l1_mode = FS_L1_PROXIMAL;
}

static void
vary_l1_subgradient (FsParams *p)
{
  p->l1_w = 0.02;
  p->l1_h = 0.01;
  p->l1_mode = FS_L1_SUBGRADIENT;
}

static void
vary_nonneg (FsParams *p)
{
  p->nonneg = TRUE;
  p->l2_w = 0.01;
}

static void
vary_holdout (FsParams *p)
{
  p->holdout = 0.2;
  p->holdout_seed = 5;
}

/* The portable kernel, which products = blas asks for. */
static void
vary_portable (FsParams *p)
{
  p->products = FS_PRODUCTS_BLAS;
}

/* Rank 24 (at most the 29 columns): a multiple of 8, for the vector sum
 * of the H gradient's parts (test_kernels holds rank 32's own pass
 * against the portable one); with the L2 penalties, which that sum
 * applies. */
static void
vary_rank_24 (FsParams *p)
{
  p->rank = 24;
  p->lr = 0.002;
  p->l2_w = 0.3;
  p->l2_h = 0.05;
}

static void
test_plain_settings (void)
{
  each_rule_and_thread_count (vary_nothing);
  each_rule_and_thread_count (vary_portable);
}

static void
test_rank_24 (void)
{
  FsParams p;

  each_rule_and_thread_count (vary_rank_24);
  /* Three shares: three parts summed, columns split 9, 10, 10. */
  base_params (&p);
  vary_rank_24 (&p);
  p.threads = 3;
  compare_runs (&p, FALSE);
}

static void
test_l2 (void)
{
  each_rule_and_thread_count (vary_l2);
}

static void
test_l1_proximal (void)
{
  each_rule_and_thread_count (vary_l1_proximal);
}

static void
test_l1_subgradient (void)
{
  each_rule_and_thread_count (vary_l1_subgradient);
}

static void
test_nonneg (void)
{
  each_rule_and_thread_count (vary_nonneg);
}

static void
test_holdout (void)
{
  each_rule_and_thread_count (vary_holdout);
}

/* With zeros as values, every variation but the held-out split. */
static void
test_zeros_are_values (void)
{
  Variation variations[] = {
    vary_nothing, vary_l2, vary_l1_proximal, vary_l1_subgradient, vary_nonneg,
  };

  for (guint v = 0; v < G_N_ELEMENTS (variations); v++)
    each_rule_and_thread_count_full (variations[v], TRUE);
}

/* With zeros as values: the Grams match the dense path's, the exact cost
 * matches a naive sum over every cell, and a held-out split is refused. */
static void
test_zeros_are_values_extras (void)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(FsSolver) dense = NULL;
  g_autoptr(FsSolver) sparse = NULL;
  g_autoptr(GError) error = NULL;
  const double *wtw_d, *hht_d, *wtw_s, *hht_s, *W, *H;
  double naive = 0.0;
  FsParams p;

  pair_init_full (&pair, 12, TRUE);
  base_params (&p);
  dense = solver_or_die (pair.dense, &p);
  sparse = solver_or_die (pair.sparse, &p);
  for (guint k = 0; k < 20; k++)
    {
      fs_solver_iterate (dense);
      fs_solver_iterate (sparse);
    }
  g_assert_true (fs_solver_get_grams (dense, &wtw_d, &hht_d));
  g_assert_true (fs_solver_get_grams (sparse, &wtw_s, &hht_s));
  for (guint k = 0; k < p.rank * p.rank; k++)
    {
      assert_close (wtw_d[k], wtw_s[k], 1e-12, "W^T W", k);
      assert_close (hht_d[k], hht_s[k], 1e-12, "H H^T", k);
    }

  W = fs_solver_get_w (sparse);
  H = fs_solver_get_h (sparse);
  for (gsize i = 0; i < ROWS; i++)
    for (gsize j = 0; j < COLS; j++)
      {
        double d = pair.dense->data[i * COLS + j];

        for (guint k = 0; k < p.rank; k++)
          d -= W[i * p.rank + k] * H[k * COLS + j];
        naive += d * d;
      }
  assert_close (fs_solver_get_exact_cost (sparse), naive, 1e-13, "exact cost", 20);

  p.holdout = 0.1;
  g_assert_null (fs_solver_new (pair.sparse, &p, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
}

/* With zeros as values, near a perfect fit (a block low-rank matrix whose
 * zero blocks are unlisted, from its own factors slightly moved): the cost
 * and the exact cost to the precision of the dense path's, where the Gram
 * form (off by about eps ||X||^2) would be off by 1e-4. */
static void
test_zeros_are_values_near_fit (void)
{
  enum { R = 3 };
  g_autofree double *W0 = g_new (double, ROWS * R);
  g_autofree double *W = g_new (double, ROWS * R);
  g_autofree double *H0 = g_new (double, R * COLS);
  g_autofree double *x = g_new0 (double, ROWS * COLS);
  g_autofree guint8 *listed = g_new0 (guint8, ROWS * COLS);
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autoptr(GError) error = NULL;
  double naive = 0.0;
  FsParams p;

  /* Row i and column j load on factor i % R and j % R only. */
  fs_random_fill_unit (fs_random_key (13, 1), W0, ROWS * R);
  fs_random_fill_unit (fs_random_key (13, 2), H0, R * COLS);
  for (gsize i = 0; i < ROWS; i++)
    for (gsize j = 0; j < COLS; j++)
      if (i % R == j % R)
        {
          x[i * COLS + j] = W0[i * R + i % R] * H0[(j % R) * COLS + j];
          listed[i * COLS + j] = 1;
        }
  for (gsize i = 0; i < ROWS; i++)
    for (gsize k = 0; k < R; k++)
      {
        W0[i * R + k] = k == i % R ? W0[i * R + k] : 0.0;
        W[i * R + k] = W0[i * R + k] + 1e-6 * (double) ((i + k) % 5) / 4.0;
      }
  for (gsize k = 0; k < R; k++)
    for (gsize j = 0; j < COLS; j++)
      H0[k * COLS + j] = k == j % R ? H0[k * COLS + j] : 0.0;

  sparse = fs_sparse_new_from_dense (ROWS, COLS, x, listed, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = TRUE;
  X = fs_matrix_new_sparse (sparse);
  base_params (&p);
  p.rank = R;
  p.threads = 2;
  solver = solver_or_die (X, &p);
  fs_solver_start_from (solver, W, H0);
  for (gsize i = 0; i < ROWS; i++)
    for (gsize j = 0; j < COLS; j++)
      {
        double d = x[i * COLS + j];

        for (gsize k = 0; k < R; k++)
          d -= W[i * R + k] * H0[k * COLS + j];
        naive += d * d;
      }
  g_assert_cmpfloat (naive, <, 1e-9 * fs_sparse_frobenius_sq (sparse));
  assert_close (fs_solver_get_cost (solver), naive, 1e-10, "cost near a fit", 0);
  assert_close (fs_solver_get_exact_cost (solver), naive, 1e-10, "exact cost near a fit", 0);
}

/* The split picks the same cells from a sparse matrix as from its dense
 * copy, and the training matrix lists the rest. */
static void
test_holdout_same_cells (void)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FsHoldout) a = NULL;
  g_autoptr(FsHoldout) b = NULL;
  g_autoptr(FsMatrix) train = NULL;
  gsize n;

  pair_init (&pair, 4);
  a = fs_holdout_new (pair.dense, 0.25, 9, &error);
  g_assert_no_error (error);
  b = fs_holdout_new (pair.sparse, 0.25, 9, &error);
  g_assert_no_error (error);
  n = fs_holdout_get_n_cells (a);
  g_assert_cmpuint (fs_holdout_get_n_cells (b), ==, n);
  g_assert_cmpuint (fs_holdout_get_n_train (b), ==, fs_holdout_get_n_train (a));
  g_assert_cmpmem (fs_holdout_get_cells (a), n * sizeof (gsize),
                   fs_holdout_get_cells (b), n * sizeof (gsize));
  g_assert_cmpmem (fs_holdout_get_values (a), n * sizeof (double),
                   fs_holdout_get_values (b), n * sizeof (double));

  train = fs_holdout_training_matrix (b, pair.sparse, &error);
  g_assert_no_error (error);
  g_assert_true (fs_matrix_is_sparse (train));
  g_assert_cmpuint (train->sparse->nnz, ==, fs_holdout_get_n_train (b));
  for (gsize c = 0; c < n; c++)
    g_assert_cmpint (fs_sparse_find (train->sparse, fs_holdout_get_cells (b)[c] / COLS,
                                     fs_holdout_get_cells (b)[c] % COLS), ==, -1);
}

/* Both to their stop, compared at each iteration. */
static void
iterate_both (FsSolver *dense,
              FsSolver *sparse)
{
  FsStop a;

  do
    {
      a = fs_solver_iterate (dense);
      g_assert_cmpint (fs_solver_iterate (sparse), ==, a);
      assert_same_state (dense, sparse);
    }
  while (a == FS_STOP_NONE);
  g_assert_cmpint (a, ==, FS_STOP_ITERATIONS);
}

/* A change of learning rate, of penalties and of rule in the middle of a
 * run, a stop lifted by resume: the two paths still agree. */
static void
test_changes (void)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(FsSolver) dense = NULL;
  g_autoptr(FsSolver) sparse = NULL;
  FsParams p;

  pair_init (&pair, 6);
  base_params (&p);
  p.threads = 2;
  p.max_iters = 20;
  dense = solver_or_die (pair.dense, &p);
  sparse = solver_or_die (pair.sparse, &p);
  iterate_both (dense, sparse);

  p.max_iters = 60;
  p.l2_w = 0.2;
  p.rule = fs_rule_find ("adam");
  fs_solver_change_params (dense, &p);
  fs_solver_change_params (sparse, &p);
  assert_same_state (dense, sparse);
  fs_solver_set_lr (dense, 0.02);
  fs_solver_set_lr (sparse, 0.02);
  iterate_both (dense, sparse);
  g_assert_cmpuint (fs_solver_get_iteration (sparse), ==, 60);
  g_assert_false (fs_solver_resume (sparse));
}

/* Restarts: every run of a fit on either path, cost by cost. */
static void
test_restarts (void)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(GError) error = NULL;
  FsFit *dense, *sparse;
  FsParams p;

  pair_init (&pair, 7);
  base_params (&p);
  p.restarts = 3;
  p.max_iters = 30;
  dense = fs_fit_new (pair.dense, &p, &error);
  g_assert_no_error (error);
  sparse = fs_fit_new (pair.sparse, &p, &error);
  g_assert_no_error (error);
  while (fs_fit_iterate (dense))
    {
      g_assert_true (fs_fit_iterate (sparse));
      g_assert_cmpuint (fs_fit_get_current_run (sparse), ==, fs_fit_get_current_run (dense));
      assert_same_state (fs_fit_get_solver (dense), fs_fit_get_solver (sparse));
    }
  g_assert_false (fs_fit_iterate (sparse));
  g_assert_cmpuint (fs_fit_get_n_runs (sparse), ==, fs_fit_get_n_runs (dense));
  for (guint run = 0; run < fs_fit_get_n_runs (dense); run++)
    assert_close (fs_fit_get_final_cost (dense, run), fs_fit_get_final_cost (sparse, run),
                  COST_TOLERANCE, "final cost of a restart", run);
  fs_fit_free (dense);
  fs_fit_free (sparse);
}

/* The cost of p's solver started from W and H. */
static double
cost_at (FsSolver     *solver,
         const double *W,
         const double *H)
{
  fs_solver_start_from (solver, W, H);
  return fs_solver_get_cost (solver);
}

/* Central differences of the sparse cost against its gradients, with L2
 * on, at a handful of entries of W and of H. */
static void
check_finite_differences (gboolean zeros)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(FsSolver) solver = NULL;
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autofree double *gw = NULL;
  g_autofree double *gh = NULL;
  const double step = 1e-6;
  gsize len_w, len_h;
  FsParams p;

  pair_init_full (&pair, 8, zeros);
  base_params (&p);
  p.l2_w = 0.1;
  p.l2_h = 0.2;
  p.threads = 2;
  solver = solver_or_die (pair.sparse, &p);
  len_w = ROWS * p.rank;
  len_h = p.rank * COLS;
  W = g_memdup2 (fs_solver_get_w (solver), len_w * sizeof (double));
  H = g_memdup2 (fs_solver_get_h (solver), len_h * sizeof (double));
  gw = g_memdup2 (fs_solver_get_grad_w (solver), len_w * sizeof (double));
  gh = g_memdup2 (fs_solver_get_grad_h (solver), len_h * sizeof (double));

  for (gsize k = 1; k < len_w; k += 13)
    {
      double keep = W[k], up, down;

      W[k] = keep + step;
      up = cost_at (solver, W, H);
      W[k] = keep - step;
      down = cost_at (solver, W, H);
      W[k] = keep;
      assert_close ((up - down) / (2.0 * step), gw[k], 1e-6, "gradient of W", k);
    }
  for (gsize k = 2; k < len_h; k += 7)
    {
      double keep = H[k], up, down;

      H[k] = keep + step;
      up = cost_at (solver, W, H);
      H[k] = keep - step;
      down = cost_at (solver, W, H);
      H[k] = keep;
      assert_close ((up - down) / (2.0 * step), gh[k], 1e-6, "gradient of H", k);
    }
}

static void
test_finite_differences (void)
{
  check_finite_differences (FALSE);
  check_finite_differences (TRUE);
}

/* The same settings twice: the same run, bit for bit. */
static void
test_bit_identical (void)
{
  g_auto(Pair) pair = { 0 };
  g_autoptr(FsSolver) a = NULL;
  g_autoptr(FsSolver) b = NULL;
  FsParams p;

  pair_init (&pair, 9);
  base_params (&p);
  p.threads = 2;
  p.rule = fs_rule_find ("adam");
  p.holdout = 0.1;
  a = solver_or_die (pair.sparse, &p);
  b = solver_or_die (pair.sparse, &p);
  for (guint k = 0; k < ITERATIONS; k++)
    {
      double ca, cb;

      fs_solver_iterate (a);
      fs_solver_iterate (b);
      ca = fs_solver_get_cost (a);
      cb = fs_solver_get_cost (b);
      g_assert_cmpmem (&ca, sizeof ca, &cb, sizeof cb);
    }
  g_assert_cmpmem (fs_solver_get_w (a), ROWS * p.rank * sizeof (double),
                   fs_solver_get_w (b), ROWS * p.rank * sizeof (double));
  g_assert_cmpmem (fs_solver_get_h (a), COLS * p.rank * sizeof (double),
                   fs_solver_get_h (b), COLS * p.rank * sizeof (double));
}

/* Each kernel this CPU runs against the portable one, on ranks around
 * the vector widths and the register path's limit of 32, on rows that
 * start and end anywhere. */
static void
test_kernels (void)
{
  g_auto(Pair) pair = { 0 };
  FsSparse *x;
  FsSparseKernel best = fs_sparse_kernel_best (FS_SPARSE_KERNEL_AVX512);
  const gsize ranks[] = { 1, 3, 4, 7, 8, 9, 16, 17, 31, 32, 33, 40, 45 };

  pair_init (&pair, 10);
  x = pair.sparse->sparse;
  if (best == FS_SPARSE_KERNEL_SCALAR)
    g_test_message ("no vector kernel runs here: only the portable one is tested");
  for (guint kernel = FS_SPARSE_KERNEL_AVX2; kernel <= best; kernel++)
    for (guint q = 0; q < G_N_ELEMENTS (ranks); q++)
      {
        gsize r = ranks[q];
        g_autofree double *W = g_new (double, ROWS * r);
        g_autofree double *ht = g_new (double, COLS * r);
        g_autofree double *gw0 = g_new0 (double, ROWS * r);
        g_autofree double *gw1 = g_new0 (double, ROWS * r);
        g_autofree double *gh0 = g_new0 (double, COLS * r);
        g_autofree double *gh1 = g_new0 (double, COLS * r);
        FsSparseSums a, b;

        fs_random_fill_signed (fs_random_key (r, 1), W, ROWS * r);
        fs_random_fill_signed (fs_random_key (r, 2), ht, COLS * r);
        fs_sparse_rows_scalar (x, 2, ROWS - 1, W, ht, r, 0.3, gw0, gh0, &a);
        fs_sparse_kernel_rows (kernel, x, 2, ROWS - 1, W, ht, r, 0.3, gw1, gh1, &b);
        g_test_message ("%s, rank %" G_GSIZE_FORMAT, fs_sparse_kernel_name (kernel), r);
        assert_close (a.data, b.data, 1e-13, "data term", r);
        assert_close (a.sq_w, b.sq_w, 1e-13, "||W||^2", r);
        assert_close (a.sq_grad_w, b.sq_grad_w, 1e-13, "||grad_w||^2", r);
        for (gsize k = 0; k < ROWS * r; k++)
          g_assert_cmpfloat_with_epsilon (gw0[k], gw1[k], 1e-12 * (1.0 + fabs (gw0[k])));
        for (gsize k = 0; k < COLS * r; k++)
          g_assert_cmpfloat_with_epsilon (gh0[k], gh1[k], 1e-12 * (1.0 + fabs (gh0[k])));
        /* Rows outside the block are left alone. */
        for (gsize k = 0; k < 2 * r; k++)
          g_assert_cmpfloat (gw1[k], ==, 0.0);
      }
}

/* The vector sum of the H gradient's parts against the portable one, for
 * 1 to 3 parts, ranks that are multiples of 8 and not (those go to the
 * portable code), and column ranges with and without whole blocks of 8:
 * the same gradient in H's layout and sum of squares, the parts zeroed
 * over the range, and everything outside it left alone. */
static void
test_sum_parts (void)
{
  FsSparseKernel best = fs_sparse_kernel_best (FS_SPARSE_KERNEL_AVX512);
  const gsize ranks[] = { 3, 8, 12, 16, 32, 40 };
  const gsize ranges[][2] = { { 0, COLS }, { 3, 26 }, { 5, 12 }, { 7, 8 }, { 9, 9 } };

  if (best != FS_SPARSE_KERNEL_AVX512)
    g_test_message ("no AVX-512 here: only the portable sum runs");
  for (guint q = 0; q < G_N_ELEMENTS (ranks); q++)
    for (guint n_parts = 1; n_parts <= 3; n_parts++)
      for (guint c = 0; c < G_N_ELEMENTS (ranges); c++)
        {
          gsize r = ranks[q], col0 = ranges[c][0], col1 = ranges[c][1], len = COLS * r;
          g_autofree double *ht = g_new (double, len);
          g_autofree double *start = g_new (double, 3 * len);
          double *parts0[3], *parts1[3];
          g_autofree double *store0 = g_new (double, 3 * len);
          g_autofree double *store1 = g_new (double, 3 * len);
          g_autofree double *grad0 = g_new (double, len);
          g_autofree double *grad1 = g_new (double, len);
          double sq0 = -1.0, sq1 = -1.0;

          fs_random_fill_signed (fs_random_key (r, 3), ht, len);
          fs_random_fill_signed (fs_random_key (r, 4), start, 3 * len);
          memcpy (store0, start, 3 * len * sizeof (double));
          memcpy (store1, start, 3 * len * sizeof (double));
          for (gsize k = 0; k < len; k++)
            grad0[k] = grad1[k] = 7.0;
          for (guint s = 0; s < 3; s++)
            {
              parts0[s] = store0 + s * len;
              parts1[s] = store1 + s * len;
            }
          fs_sparse_sum_parts_scalar (parts0, n_parts, ht, r, COLS, col0, col1, 0.25, grad0, &sq0);
          fs_sparse_kernel_sum_parts (best, parts1, n_parts, ht, r, COLS, col0, col1, 0.25,
                                      grad1, &sq1);
          g_test_message ("%s, rank %" G_GSIZE_FORMAT ", %u parts, columns %" G_GSIZE_FORMAT
                          " to %" G_GSIZE_FORMAT, fs_sparse_kernel_name (best), r, n_parts,
                          col0, col1);
          /* The portable sum against the definition. */
          for (gsize j = col0; j < col1; j++)
            for (gsize k = 0; k < r; k++)
              {
                double acc = start[j * r + k];

                for (guint s = 1; s < n_parts; s++)
                  acc += start[s * len + j * r + k];
                g_assert_cmpfloat (grad0[k * COLS + j], ==, -2.0 * (acc - 0.25 * ht[j * r + k]));
              }
          assert_close (sq0, sq1, 1e-13, "sum of squares", r);
          g_assert_cmpfloat (sq0, >=, 0.0);
          for (gsize k = 0; k < len; k++)
            {
              gsize j = k % COLS;

              /* grad_h is r × m: column j of row k / COLS. */
              if (j >= col0 && j < col1)
                g_assert_cmpfloat_with_epsilon (grad0[k], grad1[k], 1e-14 * (1.0 + fabs (grad0[k])));
              else
                g_assert_cmpfloat (grad1[k], ==, 7.0);
            }
          for (guint s = 0; s < 3; s++)
            for (gsize k = 0; k < len; k++)
              {
                gboolean cleared = s < n_parts && k / r >= col0 && k / r < col1;

                g_assert_cmpfloat (parts1[s][k], ==, cleared ? 0.0 : start[s * len + k]);
                g_assert_cmpfloat (parts0[s][k], ==, parts1[s][k]);
              }
        }
}

/* The trace's zeros, which the shares count in parts, are fs_count_zeros
 * over all of W and H: at 1 to 3 threads, from a start with exact zeros,
 * values small against the largest magnitude of all (which sits in the
 * last share's rows and columns: against their own share's largest they
 * are not small), and a NaN (which fs_count_zeros counts alone). */
static void
test_trace_zeros (void)
{
  g_auto(Pair) pair = { 0 };
  enum { R = 4 };

  pair_init (&pair, 21);
  for (guint threads = 1; threads <= 3; threads++)
    for (guint with_nan = 0; with_nan <= 1; with_nan++)
      {
        g_autoptr(FsSolver) solver = NULL;
        g_autofree double *W0 = g_new (double, ROWS * R);
        g_autofree double *H0 = g_new (double, R * COLS);
        FsTrace *trace;
        FsZeroCount w, h;
        FsParams p;

        fs_random_fill_unit (fs_random_key (21, 1), W0, ROWS * R);
        fs_random_fill_unit (fs_random_key (21, 2), H0, R * COLS);
        W0[0] = W0[6] = H0[1] = H0[COLS + 2] = 0.0;
        W0[5] = 1e-6;
        W0[9] = -2e-6;
        H0[3] = 3e-6;
        W0[ROWS * R - 1] = 1e3;
        H0[R * COLS - 1] = -1e3;
        if (with_nan)
          W0[2] = NAN;
        base_params (&p);
        p.rank = R;
        p.threads = threads;
        solver = solver_or_die (pair.sparse, &p);
        fs_solver_start_from (solver, W0, H0);
        fs_count_zeros (W0, ROWS * R, &w);
        fs_count_zeros (H0, R * COLS, &h);
        g_assert_cmpuint (w.exact, ==, 2);
        g_assert_cmpuint (w.small, ==, 4);
        g_assert_cmpuint (h.small, ==, 3);
        trace = fs_solver_get_trace (solver);
        g_assert_cmpuint (fs_trace_get_length (trace), ==, 1);
        g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_W, 0), ==, (double) w.exact / w.total);
        g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_W, 0), ==, (double) w.small / w.total);
        g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_H, 0), ==, (double) h.exact / h.total);
        g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_H, 0), ==, (double) h.small / h.total);
      }
}

/* With zeros as values, at an exact low-rank product (its zero blocks
 * unlisted): the cost terms' data term is summed over every cell as the
 * solver's is, so it is ≥ 0, tiny, and the solver's own, where the Gram
 * form's difference of two terms of the size of ||WH||^2 is not. */
static void
test_zeros_are_values_cost_terms (void)
{
  enum { R = 3 };
  g_autofree double *W0 = g_new (double, ROWS * R);
  g_autofree double *H0 = g_new (double, R * COLS);
  g_autofree double *x = g_new0 (double, ROWS * COLS);
  g_autofree guint8 *listed = g_new0 (guint8, ROWS * COLS);
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autoptr(GError) error = NULL;
  FsCostTerms terms;
  FsParams p;

  /* Row i and column j load on factor i % R and j % R only. */
  fs_random_fill_unit (fs_random_key (17, 1), W0, ROWS * R);
  fs_random_fill_unit (fs_random_key (17, 2), H0, R * COLS);
  for (gsize i = 0; i < ROWS; i++)
    for (gsize k = 0; k < R; k++)
      W0[i * R + k] = k == i % R ? 1.0 + W0[i * R + k] : 0.0;
  for (gsize k = 0; k < R; k++)
    for (gsize j = 0; j < COLS; j++)
      H0[k * COLS + j] = k == j % R ? 1.0 + H0[k * COLS + j] : 0.0;
  for (gsize i = 0; i < ROWS; i++)
    for (gsize j = 0; j < COLS; j++)
      if (i % R == j % R)
        {
          x[i * COLS + j] = W0[i * R + i % R] * H0[(j % R) * COLS + j];
          listed[i * COLS + j] = 1;
        }

  sparse = fs_sparse_new_from_dense (ROWS, COLS, x, listed, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = TRUE;
  X = fs_matrix_new_sparse (sparse);
  base_params (&p);
  p.rank = R;
  p.l2_w = p.l2_h = p.l1_w = p.l1_h = 0.0;
  p.max_iters = 5;
  solver = solver_or_die (X, &p);
  fs_solver_start_from (solver, W0, H0);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  fs_cost_terms (X, fs_solver_get_w (solver), fs_solver_get_h (solver), R, &p, &terms);
  g_assert_cmpfloat (terms.data, >=, 0.0);
  g_assert_cmpfloat (terms.data, <=, 1e-24 * fs_sparse_frobenius_sq (sparse));
  g_assert_cmpfloat (fabs (terms.data - fs_solver_get_exact_cost (solver)), <=,
                     1e-24 * fs_sparse_frobenius_sq (sparse));
}

/* A 200000 × 200000 matrix of 1000 cells: rows × cols is far past what
 * BLAS indexes, but the sparse path never hands BLAS more than n r or
 * m r; it runs, on one thread (its few cells are little work). A rank
 * whose factors BLAS cannot index is refused. */
static void
test_huge (void)
{
  enum { N = 200000, CELLS = 1000 };
  g_autofree guint32 *cell_rows = g_new (guint32, CELLS);
  g_autofree guint32 *cell_cols = g_new (guint32, CELLS);
  g_autofree double *values = g_new (double, CELLS);
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autoptr(GError) error = NULL;
  FsParams p;

  for (guint k = 0; k < CELLS; k++)
    {
      cell_rows[k] = k * 199;
      cell_cols[k] = (k * 7919) % N;
      values[k] = (k % 5) + 0.5;
    }
  sparse = fs_sparse_new_from_cells (N, N, cell_rows, cell_cols, values, CELLS, NULL, &error);
  g_assert_no_error (error);
  X = fs_matrix_new_sparse (sparse);
  base_params (&p);
  p.rank = 2;
  p.max_iters = 3;
  p.threads = 0;
  g_assert_true (fs_params_validate (&p, X, &error));
  g_assert_no_error (error);
  solver = solver_or_die (X, &p);
  g_assert_cmpuint (fs_solver_get_threads (solver), ==, 1);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_true (isfinite (fs_solver_get_cost (solver)));

  p.rank = 11000;
  g_assert_false (fs_params_validate (&p, X, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "BLAS"));
}

/* A sparse X's automatic thread count follows its cells: one thread for
 * little work, and never more than nnz / cols, so that each thread's
 * cols × rank gradient buffer does not outweigh the pattern. */
static void
test_auto_threads (void)
{
  static const struct
  {
    gsize rows, cols, nnz;
    guint rank;
    gboolean all_cores;
  } cases[] = {
    { 200000, 200000, 1000, 2, FALSE },      /* little work */
    { 100, 1000000, 100000, 50, FALSE },     /* nnz / cols = 0: one thread */
    { 100000, 10, 1000000, 10, TRUE },       /* work, and cells enough */
  };
  guint cores = (guint) CLAMP (g_get_num_processors (), 1, 256);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsSparse) sparse = fs_sparse_new (cases[c].rows, cases[c].cols, cases[c].nnz,
                                                  &error);
      g_autoptr(FsMatrix) X = NULL;

      g_assert_no_error (error);
      X = fs_matrix_new_sparse (sparse);
      g_assert_cmpuint (fs_params_auto_threads_for (X, cases[c].rank), ==,
                        cases[c].all_cores ? cores : 1);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparse-solver/plain-settings", test_plain_settings);
  g_test_add_func ("/sparse-solver/l2", test_l2);
  g_test_add_func ("/sparse-solver/l1-proximal", test_l1_proximal);
  g_test_add_func ("/sparse-solver/l1-subgradient", test_l1_subgradient);
  g_test_add_func ("/sparse-solver/nonneg", test_nonneg);
  g_test_add_func ("/sparse-solver/holdout", test_holdout);
  g_test_add_func ("/sparse-solver/holdout-same-cells", test_holdout_same_cells);
  g_test_add_func ("/sparse-solver/changes", test_changes);
  g_test_add_func ("/sparse-solver/restarts", test_restarts);
  g_test_add_func ("/sparse-solver/finite-differences", test_finite_differences);
  g_test_add_func ("/sparse-solver/bit-identical", test_bit_identical);
  g_test_add_func ("/sparse-solver/zeros-are-values", test_zeros_are_values);
  g_test_add_func ("/sparse-solver/zeros-are-values-extras", test_zeros_are_values_extras);
  g_test_add_func ("/sparse-solver/zeros-are-values-near-fit", test_zeros_are_values_near_fit);
  g_test_add_func ("/sparse-solver/kernels", test_kernels);
  g_test_add_func ("/sparse-solver/sum-parts", test_sum_parts);
  g_test_add_func ("/sparse-solver/rank-24", test_rank_24);
  g_test_add_func ("/sparse-solver/trace-zeros", test_trace_zeros);
  g_test_add_func ("/sparse-solver/zeros-are-values-cost-terms", test_zeros_are_values_cost_terms);
  g_test_add_func ("/sparse-solver/huge", test_huge);
  g_test_add_func ("/sparse-solver/auto-threads", test_auto_threads);

  return g_test_run ();
}
