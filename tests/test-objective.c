/* test-objective.c: the cost and its gradients against independent truth.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "fs-examples.h"
#include "fs-optimum.h"
#include "fs-products.h"
#include "fs-solver.h"
#include "fs-step-size.h"
#include "fs-test-util.h"

#define N 7
#define M 5
#define R 3

typedef struct
{
  const char *name;
  double      l2_w, l2_h, l1_w, l1_h;
} Terms;

static const Terms terms[] = {
  { "data", 0, 0, 0, 0 },
  { "l2-w", 0.3, 0, 0, 0 },
  { "l2-h", 0, 0.2, 0, 0 },
  { "l1-w", 0, 0, 0.15, 0 },
  { "l1-h", 0, 0, 0, 0.25 },
  { "all", 0.3, 0.2, 0.15, 0.25 },
};

/* A solver for X with these terms, the L1 terms as subgradients. */
static FsSolver *
new_solver (FsMatrix       *X,
            const Terms    *t,
            guint           threads,
            FsProductsImpl  products)
{
  FsSolver *solver;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = R;
  p.l2_w = t->l2_w;
  p.l2_h = t->l2_h;
  p.l1_w = t->l1_w;
  p.l1_h = t->l1_h;
  p.l1_mode = FS_L1_SUBGRADIENT;
  p.threads = threads;
  p.products = products;
  solver = fs_solver_new (X, &p, NULL);
  g_assert_nonnull (solver);
  g_assert_cmpuint (fs_solver_get_threads (solver), ==, threads);
  return solver;
}

static double
cost_at (FsSolver     *solver,
         const double *W,
         const double *H)
{
  fs_solver_start_from (solver, W, H);
  return fs_solver_get_cost (solver);
}

/* The derivative of the cost along every cell of P, which is W or H. The
 * solver has one thread: its pool then runs each share on the calling
 * thread, and the hundreds of evaluations cost no thread hand-offs. */
static void
central_differences (FsSolver *solver,
                     double   *W,
                     double   *H,
                     double   *P,
                     gsize     len,
                     double   *out)
{
  const double h = 1e-6;

  g_assert_cmpuint (fs_solver_get_threads (solver), ==, 1);
  for (gsize k = 0; k < len; k++)
    {
      double save = P[k], up, down;

      P[k] = save + h;
      up = cost_at (solver, W, H);
      P[k] = save - h;
      down = cost_at (solver, W, H);
      P[k] = save;
      out[k] = (up - down) / (2 * h);
    }
}

/* One start on one matrix: W and H, and the central differences of the
 * cost along each of their coordinates. */
typedef struct
{
  double W[N * R], H[R * M];
  double fd_w[N * R], fd_h[R * M];
} Start;

static void
start_init (Start       *start,
            FsMatrix    *X,
            const Terms *t,
            guint64      trial)
{
  g_autoptr(FsSolver) solver = new_solver (X, t, 1, FS_PRODUCTS_BLAS);

  fs_random_fill_signed (fs_random_key (trial, 7), start->W, N * R);
  fs_random_fill_signed (fs_random_key (trial, 8), start->H, R * M);
  central_differences (solver, start->W, start->H, start->W, N * R, start->fd_w);
  central_differences (solver, start->W, start->H, start->H, R * M, start->fd_h);
}

/* The solver's cost and gradient (with the L1 subgradient, which is the
 * derivative wherever no entry is 0) at the start, with the given threads
 * and products, against the definition and the central differences. With
 * 3 threads on 7 rows one share has no rows at all. */
static void
check_gradient_with (FsMatrix       *X,
                     const Terms    *t,
                     guint64         trial,
                     const Start    *start,
                     guint           threads,
                     FsProductsImpl  impl)
{
  g_autoptr(FsSolver) solver = new_solver (X, t, threads, impl);
  const double *grad_w, *grad_h;

  g_assert_cmpint (fs_solver_get_products (solver), ==,
                   X->n_missing > 0 ? FS_PRODUCTS_BLAS : impl);

  fs_solver_start_from (solver, start->W, start->H);
  grad_w = fs_solver_get_grad_w (solver);
  grad_h = fs_solver_get_grad_h (solver);

  g_assert_cmpfloat_with_epsilon (fs_solver_get_cost (solver),
                                  fs_test_naive_cost (X, start->W, start->H, R, t->l2_w, t->l2_h,
                                                      t->l1_w, t->l1_h), 1e-12);
  if (g_test_verbose ())
    g_test_message ("%s, %u threads, %s, trial %" G_GUINT64_FORMAT ": W %.2e, H %.2e",
                    t->name, threads, fs_products_impl_name (impl), trial,
                    fs_test_rel_diff (grad_w, start->fd_w, N * R),
                    fs_test_rel_diff (grad_h, start->fd_h, R * M));
  g_assert_cmpfloat (fs_test_rel_diff (grad_w, start->fd_w, N * R), <, 1e-6);
  g_assert_cmpfloat (fs_test_rel_diff (grad_h, start->fd_h, R * M), <, 1e-6);
}

/* Every term, from three starts, with every thread count and every
 * implementation of the products this CPU runs: OpenBLAS always, the
 * fastest vector kernels where the CPU has them (or those that
 * FACTORSCOPE_PRODUCTS names, as for factorscope-cli). The central
 * differences depend on neither, so each start's are taken once. */
static void
check_gradient (double missing_share)
{
  FsProductsImpl best;

  g_assert_true (fs_products_impl_from_name (g_getenv ("FACTORSCOPE_PRODUCTS"), &best));
  best = fs_products_best_impl (best);
  for (guint t = 0; t < G_N_ELEMENTS (terms); t++)
    for (guint64 trial = 0; trial < 3; trial++)
      {
        g_autoptr(FsMatrix) X = fs_test_random_matrix (N, M, 100 + trial, missing_share);
        Start start;

        if (missing_share > 0)
          g_assert_cmpuint (X->n_missing, >, 0);
        start_init (&start, X, &terms[t], trial);

        for (guint threads = 1; threads <= 3; threads++)
          {
            if (best != FS_PRODUCTS_BLAS)
              check_gradient_with (X, &terms[t], trial, &start, threads, best);
            check_gradient_with (X, &terms[t], trial, &start, threads, FS_PRODUCTS_BLAS);
          }
      }
}

static void
test_gradient_dense (void)
{
  check_gradient (0.0);
}

static void
test_gradient_missing (void)
{
  check_gradient (0.25);
}

/* The expanded (Gram) cost and the cost from the residual agree on
 * well-conditioned data, and both agree with the definition. */
static void
test_gram_equals_residual (void)
{
  for (guint64 seed = 0; seed < 5; seed++)
    {
      g_autoptr(FsMatrix) X = fs_test_random_matrix (40, 30, 300 + seed, 0.0);
      g_autoptr(FsSolver) solver = NULL;
      FsParams p;
      double gram, exact, naive;

      fs_params_init_defaults (&p);
      p.rank = 4;
      p.l2_w = 0.1;
      p.l2_h = 0.05;
      p.init = FS_INIT_UNIFORM;
      p.seed = seed;
      solver = fs_solver_new (X, &p, NULL);

      gram = fs_solver_get_cost (solver);
      exact = fs_solver_get_exact_cost (solver);
      naive = fs_test_naive_cost (X, fs_solver_get_w (solver), fs_solver_get_h (solver),
                                  4, 0.1, 0.05, 0, 0);
      g_assert_cmpfloat (fabs (gram - exact) / exact, <, 1e-10);
      g_assert_cmpfloat (fabs (naive - exact) / exact, <, 1e-12);
    }
}

/* Near a perfect fit the Gram form alone would return rounding noise; the
 * solver must still report the true, tiny cost. */
static void
test_cost_precise_near_zero (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (6, 5, NULL);
  g_autoptr(FsSolver) solver = NULL;
  double W[6 * 2], H[2 * 5];
  FsParams p;
  double naive;

  fs_random_fill_signed (1, W, G_N_ELEMENTS (W));
  fs_random_fill_signed (2, H, G_N_ELEMENTS (H));
  for (gsize i = 0; i < 6; i++)
    for (gsize j = 0; j < 5; j++)
      X->data[i * 5 + j] = 1000.0 * (W[i * 2] * H[j] + W[i * 2 + 1] * H[5 + j]);
  for (gsize k = 0; k < G_N_ELEMENTS (W); k++)
    W[k] *= 1000.0 * (1.0 + 1e-9);

  fs_params_init_defaults (&p);
  solver = fs_solver_new (X, &p, NULL);
  fs_solver_start_from (solver, W, H);
  naive = fs_test_naive_cost (X, W, H, 2, 0, 0, 0, 0);
  g_assert_cmpfloat (naive, >, 0.0);
  g_assert_cmpfloat (fabs (fs_solver_get_cost (solver) - naive) / naive, <, 1e-6);
}

/* Noise just above the precision guard (f* about 1.5e-6 ||X||^2, where
 * the Gram form's error is about 1e-9 of the cost): no logged cost falls
 * below f* (LAPACK's SVD), and near the end the logged cost is the exact
 * one. */
static void
test_cost_never_below_optimum (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (300, 200, 10, 7.5e-4, 5, NULL);
  g_autoptr(GArray) sv = fs_singular_values (X, NULL);
  g_autoptr(FsSolver) solver = NULL;
  double optimum = fs_optimum_value ((double *) sv->data, sv->len, 10, 0, 0);
  double share = optimum / fs_matrix_frobenius_sq (X), lowest = INFINITY;
  FsCostLog *log;
  gsize len;
  FsParams p;

  g_test_message ("f* = %.17g, %.3g of ||X||^2", optimum, share);
  g_assert_cmpfloat (share, >, 1e-6);
  g_assert_cmpfloat (share, <, 3e-6);

  fs_params_init_defaults (&p);
  p.rank = 10;
  p.max_iters = 3000;
  solver = fs_solver_new (X, &p, NULL);
  fs_solver_set_lr (solver, fs_solver_get_starting_lr (solver));
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;

  log = fs_solver_get_log (solver);
  len = fs_cost_log_get_length (log);
  for (gsize t = 0; t < len; t++)
    lowest = MIN (lowest, fs_cost_log_get (log, t));
  g_test_message ("lowest logged %.17g, (lowest - f*) / f* = %.3g", lowest,
                  (lowest - optimum) / optimum);
  /* The exact cost and f* are each good to about 1e-13 here. */
  g_assert_cmpfloat (lowest, >=, optimum * (1.0 - 1e-11));
  g_assert_cmpfloat ((lowest - optimum) / optimum, <, 1e-6);
  g_assert_cmpfloat (fabs (fs_cost_log_get (log, len - 1) - fs_solver_get_exact_cost (solver)), <=,
                     1e-12 * fs_solver_get_exact_cost (solver));
}

/* The largest eigenvalue of the Hessian of the cost at W, H, from central
 * differences of the solver's gradient, column by column. */
static double
hessian_top_eigenvalue (FsSolver *solver,
                        double   *W,
                        double   *H)
{
  const gsize nw = N * R, n = N * R + R * M;
  const double h = 1e-5;
  g_autofree double *hess = g_new (double, n * n);
  double eig[N * R + R * M];

  for (gsize k = 0; k < n; k++)
    {
      double *p = k < nw ? &W[k] : &H[k - nw];
      double save = *p, up[N * R + R * M];

      *p = save + h;
      fs_solver_start_from (solver, W, H);
      memcpy (up, fs_solver_get_grad_w (solver), nw * sizeof (double));
      memcpy (up + nw, fs_solver_get_grad_h (solver), R * M * sizeof (double));
      *p = save - h;
      fs_solver_start_from (solver, W, H);
      for (gsize i = 0; i < nw; i++)
        hess[i * n + k] = (up[i] - fs_solver_get_grad_w (solver)[i]) / (2 * h);
      for (gsize i = 0; i < R * M; i++)
        hess[(nw + i) * n + k] = (up[nw + i] - fs_solver_get_grad_h (solver)[i]) / (2 * h);
      *p = save;
    }
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < i; j++)
      hess[i * n + j] = hess[j * n + i] = 0.5 * (hess[i * n + j] + hess[j * n + i]);
  g_assert_cmpint (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int) n, hess, (lapack_int) n, eig), ==, 0);
  return eig[n - 1];
}

/* The joint stability bound's curvature, 2 / bound, is never below the
 * Hessian's largest eigenvalue (so a step under the bound is stable), and
 * not far above it: at random points, where the residual dominates, and
 * near a fit, where the coupling of W and H does (there the block bound
 * is twice too large), with and without L2. */
static void
test_joint_stability_bound (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (N, M, 2, 0.05, 3, NULL);

  for (guint t = 0; t < 3; t++)
    {
      Terms smooth = { "l2", t == 2 ? 0.3 : 0.0, t == 2 ? 0.2 : 0.0, 0, 0 };
      g_autoptr(FsSolver) solver = new_solver (X, &smooth, 1, FS_PRODUCTS_BLAS);
      double W[N * R], H[R * M], data, upper, top, block;
      double l2 = MAX (smooth.l2_w, smooth.l2_h);

      fs_random_fill_signed (fs_random_key (t, 7), W, N * R);
      fs_random_fill_signed (fs_random_key (t, 8), H, R * M);
      if (t >= 1)
        {
          /* Near a fit: a few thousand plain steps from the point. */
          fs_solver_start_from (solver, W, H);
          fs_solver_set_lr (solver, 0.01);
          for (guint k = 0; k < 5000; k++)
            fs_solver_iterate (solver);
          memcpy (W, fs_solver_get_w (solver), sizeof W);
          memcpy (H, fs_solver_get_h (solver), sizeof H);
        }
      fs_solver_start_from (solver, W, H);
      data = fs_solver_get_cost (solver) - smooth.l2_w * cblas_ddot (N * R, W, 1, W, 1)
             - smooth.l2_h * cblas_ddot (R * M, H, 1, H, 1);
      upper = 2.0 / fs_step_size_joint_stability_bound (W, H, N, M, R, smooth.l2_w, smooth.l2_h,
                                                        sqrt (data), 0.0);
      block = 2.0 / fs_step_size_stability_bound (W, H, N, M, R, smooth.l2_w, smooth.l2_h);
      top = hessian_top_eigenvalue (solver, W, H);
      g_test_message ("point %u: Hessian top %.6g, joint bound's %.6g, block bound's %.6g (l2 %g)",
                      t, top, upper, block, l2);
      g_assert_cmpfloat (top, <=, upper * (1 + 1e-6));
      g_assert_cmpfloat (upper, <=, 2.5 * top);
      /* As the runner has it: ||R||_2 also bounded by sigma_1(X) (its
       * estimate, 5% over) + sigma_max(W) sigma_max(H). */
      upper = 2.0 / fs_step_size_joint_stability_bound (
        W, H, N, M, R, smooth.l2_w, smooth.l2_h, sqrt (data),
        1.05 * fs_step_size_sigma_estimate (X));
      g_test_message ("point %u: with sigma_1(X), the joint bound's %.6g", t, upper);
      g_assert_cmpfloat (top, <=, upper * (1 + 1e-6));
      /* From the solver's own Grams, as the runner takes it: the same. */
      {
        const double *wtw, *hht;

        fs_solver_start_from (solver, W, H);
        g_assert_true (fs_solver_get_grams (solver, &wtw, &hht));
        g_assert_cmpfloat_with_epsilon (
          2.0 / fs_step_size_joint_bound_from_grams (wtw, hht, R, smooth.l2_w, smooth.l2_h, sqrt (data),
                                                     1.05 * fs_step_size_sigma_estimate (X)),
          upper, 1e-12 * upper);
      }
      if (t == 1)
        g_assert_cmpfloat (block, <, 0.75 * top);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/objective/gradient/dense", test_gradient_dense);
  g_test_add_func ("/objective/gradient/missing", test_gradient_missing);
  g_test_add_func ("/objective/cost/gram-equals-residual", test_gram_equals_residual);
  g_test_add_func ("/objective/cost/precise-near-zero", test_cost_precise_near_zero);
  g_test_add_func ("/objective/cost/never-below-optimum", test_cost_never_below_optimum);
  g_test_add_func ("/objective/joint-stability-bound", test_joint_stability_bound);

  return g_test_run ();
}
