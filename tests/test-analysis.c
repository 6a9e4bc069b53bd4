/* test-analysis.c: the cost's terms, zero counts, histograms and the
 * singular values of W H (fs-analysis.h), and the traces the solver
 * records from them (fs-trace.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-error.h"
#include "fs-fit.h"
#include "fs-loader.h"
#include "fs-random.h"
#include "fs-solver.h"
#include "fs-test-util.h"
#include "fs-trace.h"

static FsSolver *
new_solver (FsMatrix *X,
            FsParams *p)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver = fs_solver_new (X, p, &error);

  g_assert_no_error (error);
  p->lr = fs_solver_get_starting_lr (solver);
  fs_solver_set_lr (solver, p->lr);
  return solver;
}

static FsMatrix *
load_digits (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv",
                                            "sklearn_digits_1797x64.csv", NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 1797);
  g_assert_cmpuint (X->cols, ==, 64);
  return X;
}

/* The reference: plain loops over the entries. */
static void
count_by_hand (const double *v,
               gsize         len,
               gsize        *exact,
               gsize        *small)
{
  double max = 0.0;

  *exact = *small = 0;
  for (gsize k = 0; k < len; k++)
    if (isfinite (v[k]) && fabs (v[k]) > max)
      max = fabs (v[k]);
  for (gsize k = 0; k < len; k++)
    {
      if (v[k] == 0.0)
        (*exact)++;
      if (fabs (v[k]) <= 1e-8 * max)
        (*small)++;
    }
}

/* Non-negative L1-on-W coding of the digits: its zeros, counted by hand,
 * by fs_count_zeros and in the last point of the run's trace. */
static void
test_zeros_digits (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(FsSolver) solver = NULL;
  gsize n = X->rows, m = X->cols, exact, small;
  const double *W, *H;
  FsTrace *trace;
  FsZeroCount count;
  gsize last;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 10;
  p.nonneg = TRUE;
  p.l1_w = 1.0;
  p.l2_h = 0.1;
  p.max_iters = 300;
  solver = new_solver (X, &p);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  W = fs_solver_get_w (solver);
  H = fs_solver_get_h (solver);
  trace = fs_solver_get_trace (solver);
  last = fs_trace_get_length (trace) - 1;
  g_assert_cmpuint (fs_trace_get_iteration (trace, last), ==, 300);

  count_by_hand (W, n * p.rank, &exact, &small);
  g_assert_cmpuint (exact, >, n * p.rank / 10);
  fs_count_zeros (W, n * p.rank, &count);
  g_assert_cmpuint (count.total, ==, n * p.rank);
  g_assert_cmpuint (count.exact, ==, exact);
  g_assert_cmpuint (count.small, ==, small);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_W, last), ==, (double) exact / (n * p.rank));
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_W, last), ==, (double) small / (n * p.rank));

  count_by_hand (H, p.rank * m, &exact, &small);
  fs_count_zeros (H, p.rank * m, &count);
  g_assert_cmpuint (count.exact, ==, exact);
  g_assert_cmpuint (count.small, ==, small);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_H, last), ==, (double) exact / (p.rank * m));
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_H, last), ==, (double) small / (p.rank * m));
}

/* -0 is an exact zero, NaN neither zero nor small, an infinity never
 * small and no part of the largest magnitude; all zeros are all small. */
static void
test_zeros_edges (void)
{
  const double v[] = { 0.0, -0.0, 1e-9, -1e-8, 2e-8, 1.0, NAN, INFINITY };
  const double zeros[] = { 0.0, -0.0, 0.0 };
  const double with_nans[] = { NAN, 1.0, 0.0, 1e-9, 5.0, NAN, -0.0 };
  const double nan_inside[] = { 1.0, NAN, 5.0, 0.0, 4e-8, NAN, 1.0, 1.0 };
  double long_nans[1201];
  FsZeroCount count;

  fs_count_zeros (v, G_N_ELEMENTS (v), &count);
  g_assert_cmpuint (count.total, ==, 8);
  g_assert_cmpuint (count.exact, ==, 2);
  g_assert_cmpuint (count.small, ==, 4);

  /* NaNs before and after the largest, which BLAS may skip or not. */
  fs_count_zeros (with_nans, G_N_ELEMENTS (with_nans), &count);
  g_assert_cmpuint (count.exact, ==, 2);
  g_assert_cmpuint (count.small, ==, 3);
  fs_count_zeros (nan_inside, G_N_ELEMENTS (nan_inside), &count);
  g_assert_cmpuint (count.exact, ==, 1);
  g_assert_cmpuint (count.small, ==, 2);
  for (gsize k = 0; k < G_N_ELEMENTS (long_nans); k++)
    long_nans[k] = k % 7 == 0 ? NAN : k % 5 == 0 ? 0.0 : k == 501 ? 1e9 : 1.0;
  fs_count_zeros (long_nans, G_N_ELEMENTS (long_nans), &count);
  g_assert_cmpuint (count.exact, ==, 206);
  g_assert_cmpuint (count.small, ==, 1028);

  fs_count_zeros (zeros, G_N_ELEMENTS (zeros), &count);
  g_assert_cmpuint (count.exact, ==, 3);
  g_assert_cmpuint (count.small, ==, 3);

  fs_count_zeros (NULL, 0, &count);
  g_assert_cmpuint (count.total, ==, 0);
  g_assert_cmpuint (count.small, ==, 0);
}

static guint64
sum_counts (const FsLogHistogram *h)
{
  guint64 sum = 0;

  for (guint k = 0; k < h->n_bins; k++)
    sum += h->counts[k];
  return sum;
}

/* Whole decades from the data; 10^k in bin k - lo with a bin a decade;
 * zeros apart; non-finite entries only in the total. */
static void
test_histogram (void)
{
  const double v[] = { 1e-3, 0.005, 1.0, -10.0, 99.0, 100.0, 0.0, -0.0, NAN, -INFINITY };
  g_autoptr(FsLogHistogram) h = fs_log_histogram_new (v, G_N_ELEMENTS (v), 6);
  g_autoptr(FsLogHistogram) fine = fs_log_histogram_new (v, G_N_ELEMENTS (v), 24);
  const guint64 expected[] = { 2, 0, 0, 1, 2, 1 };

  g_assert_cmpfloat (h->lo, ==, -3.0);
  g_assert_cmpfloat (h->hi, ==, 3.0);
  g_assert_cmpuint (h->total, ==, 10);
  g_assert_cmpuint (h->zeros, ==, 2);
  g_assert_cmpuint (sum_counts (h), ==, h->total - h->zeros - 2);
  for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
    g_assert_cmpuint (h->counts[k], ==, expected[k]);
  /* Four bins a decade: 1e-3 starts bin 0, 0.005 (log10 -2.3) is in 2. */
  g_assert_cmpuint (sum_counts (fine), ==, 6);
  g_assert_cmpuint (fine->counts[0], ==, 1);
  g_assert_cmpuint (fine->counts[2], ==, 1);
  g_assert_cmpuint (fine->counts[12], ==, 1);
  g_assert_cmpuint (fine->counts[16], ==, 1);
  g_assert_cmpuint (fine->counts[19], ==, 1);
  g_assert_cmpuint (fine->counts[20], ==, 1);
}

/* Random magnitudes over many decades: every finite non-zero entry in a
 * bin, each bin holding what its range holds. */
static void
test_histogram_random (void)
{
  gsize len = 5000;
  g_autofree double *v = g_new (double, len);
  g_autoptr(FsLogHistogram) h = NULL;
  g_autofree guint64 *expected = NULL;

  fs_random_fill_signed (77, v, len);
  for (gsize k = 0; k < len; k++)
    v[k] = k % 50 == 0 ? 0.0 : v[k] * pow (10.0, (double) (k % 13) - 6.0);
  h = fs_log_histogram_new (v, len, 19);
  g_assert_cmpuint (h->zeros, ==, len / 50);
  g_assert_cmpuint (sum_counts (h), ==, len - h->zeros);
  g_assert_cmpfloat (h->lo, ==, floor (h->lo));
  g_assert_cmpfloat (h->hi, ==, floor (h->hi));
  expected = g_new0 (guint64, h->n_bins);
  for (gsize k = 0; k < len; k++)
    if (v[k] != 0.0)
      {
        double t = (log10 (fabs (v[k])) - h->lo) / (h->hi - h->lo) * h->n_bins;

        g_assert_cmpfloat (t, >=, 0.0);
        g_assert_cmpfloat (t, <, h->n_bins);
        expected[(guint) t]++;
      }
  for (guint k = 0; k < h->n_bins; k++)
    g_assert_cmpuint (h->counts[k], ==, expected[k]);
}

/* No finite non-zero entry: the bins span [-1, 0) and stay empty. */
static void
test_histogram_all_zero (void)
{
  const double v[] = { 0.0, -0.0, 0.0, NAN };
  g_autoptr(FsLogHistogram) h = fs_log_histogram_new (v, G_N_ELEMENTS (v), 5);

  g_assert_cmpuint (h->n_bins, ==, 5);
  g_assert_cmpfloat (h->lo, ==, -1.0);
  g_assert_cmpfloat (h->hi, ==, 0.0);
  g_assert_cmpuint (h->zeros, ==, 3);
  g_assert_cmpuint (h->total, ==, 4);
  g_assert_cmpuint (sum_counts (h), ==, 0);
}

/* The reference: LAPACK's dgesvd on the n × m product itself. */
static double *
product_svd (const double *W,
             const double *H,
             gsize         n,
             gsize         m,
             guint         r)
{
  g_autofree double *wh = g_new0 (double, n * m);
  g_autofree double *superb = g_new (double, MIN (n, m));
  double *s = g_new (double, MIN (n, m));

  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < m; j++)
      for (guint k = 0; k < r; k++)
        wh[i * m + j] += W[i * r + k] * H[k * m + j];
  g_assert_cmpint (LAPACKE_dgesvd (LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int) n, (lapack_int) m, wh,
                                   (lapack_int) m, s, NULL, 1, NULL, 1, superb), ==, 0);
  return s;
}

static void
check_product_singular_values (gsize    n,
                               gsize    m,
                               guint    r,
                               gboolean deficient,
                               guint64  key)
{
  g_autofree double *W = g_new (double, n * r);
  g_autofree double *H = g_new (double, r * m);
  g_autofree double *expected = NULL;
  g_autoptr(GArray) values = NULL;
  g_autoptr(GError) error = NULL;
  gsize k = MIN (MIN (n, m), (gsize) r);

  fs_random_fill_signed (key, W, n * r);
  fs_random_fill_signed (key + 1, H, r * m);
  /* Rank-deficient W: its last column repeats its first. */
  for (gsize i = 0; deficient && i < n; i++)
    W[i * r + r - 1] = W[i * r];
  expected = product_svd (W, H, n, m, r);
  values = fs_product_singular_values (W, H, n, m, r, &error);
  g_assert_no_error (error);
  g_test_message ("%" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT ", rank %u", n, m, r);
  g_assert_cmpuint (values->len, ==, k);
  for (guint i = 0; i < k; i++)
    {
      double s = g_array_index (values, double, i);

      g_assert_cmpfloat (fabs (s - expected[i]), <=, 1e-12 * expected[0]);
      if (i > 0)
        g_assert_cmpfloat (s, <=, g_array_index (values, double, i - 1));
    }
  if (deficient && k == r)
    g_assert_cmpfloat (g_array_index (values, double, k - 1), <=, 1e-12 * expected[0]);
}

static void
test_product_singular_values (void)
{
  const struct { gsize n, m; guint r; gboolean deficient; } cases[] = {
    { 9, 7, 3, FALSE },
    { 30, 20, 6, FALSE },
    { 2, 8, 5, FALSE },    /* n < r */
    { 8, 3, 5, FALSE },    /* m < r */
    { 3, 4, 6, FALSE },    /* n, m < r */
    { 1, 1, 1, FALSE },
    { 12, 10, 4, TRUE },
    { 12, 10, 1, FALSE },
    { 40, 25, 8, TRUE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    check_product_singular_values (cases[c].n, cases[c].m, cases[c].r, cases[c].deficient,
                                   100 + 2 * c);
}

static void
test_product_singular_values_not_finite (void)
{
  double W[] = { 1.0, NAN, 2.0, 3.0 }, H[] = { 1.0, 0.0, 0.0, 1.0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = fs_product_singular_values (W, H, 2, 2, 2, &error);

  g_assert_null (values);
  g_assert_error (error, FS_ERROR, FS_ERROR_NUMERIC);
}

/* With every penalty on, the terms add up to the solver's exact cost,
 * with every cell observed and with missing cells. */
static void
test_cost_terms_sum (void)
{
  for (guint missing = 0; missing < 2; missing++)
    {
      g_autoptr(FsMatrix) X = fs_test_random_matrix (40, 30, 11 + missing, missing ? 0.2 : 0.0);
      g_autoptr(FsSolver) solver = NULL;
      FsCostTerms terms;
      FsParams p;
      double exact, naive;

      fs_params_init_defaults (&p);
      p.rank = 4;
      p.l2_w = 0.1;
      p.l2_h = 0.2;
      p.l1_w = 0.05;
      p.l1_h = 0.03;
      p.max_iters = 50;
      solver = new_solver (X, &p);
      while (fs_solver_iterate (solver) == FS_STOP_NONE)
        ;
      fs_cost_terms (X, fs_solver_get_w (solver), fs_solver_get_h (solver), p.rank, &p, &terms);
      exact = fs_solver_get_exact_cost (solver);
      naive = fs_test_naive_cost (X, fs_solver_get_w (solver), fs_solver_get_h (solver), p.rank,
                                  p.l2_w, p.l2_h, p.l1_w, p.l1_h);
      g_assert_cmpfloat (terms.l2_w, >, 0.0);
      g_assert_cmpfloat (terms.l2_h, >, 0.0);
      g_assert_cmpfloat (terms.l1_w, >, 0.0);
      g_assert_cmpfloat (terms.l1_h, >, 0.0);
      g_assert_cmpfloat (fabs (fs_cost_terms_sum (&terms) - exact), <=, 1e-12 * exact);
      g_assert_cmpfloat (fabs (fs_cost_terms_sum (&terms) - naive), <=, 1e-12 * naive);
    }
}

static void
test_trace_wants (void)
{
  g_assert_true (fs_trace_wants (0));
  g_assert_true (fs_trace_wants (FS_TRACE_DENSE - 1));
  g_assert_true (fs_trace_wants (FS_TRACE_DENSE));
  g_assert_false (fs_trace_wants (FS_TRACE_DENSE + 1));
  g_assert_true (fs_trace_wants (FS_TRACE_DENSE + 2));
  g_assert_false (fs_trace_wants (2 * FS_TRACE_DENSE - 1));
  g_assert_true (fs_trace_wants (2 * FS_TRACE_DENSE));
  g_assert_false (fs_trace_wants (2 * FS_TRACE_DENSE + 2));
  g_assert_true (fs_trace_wants (2 * FS_TRACE_DENSE + 4));
  g_assert_false (fs_trace_wants (G_MAXUINT64));
  g_assert_true (fs_trace_wants ((guint64) 1 << 63));
}

static void
assert_close (double got,
              double want)
{
  g_assert_cmpfloat (fabs (got - want), <=, 1e-12 * fabs (want));
}

/* A trace point against what a fresh look at W and H at its iteration
 * gives. The data term may come from the Gram form, good to 4 eps ||X||^2. */
static void
check_trace_point (FsSolver       *solver,
                   const FsMatrix *X,
                   const FsParams *p,
                   gsize           index)
{
  FsTrace *trace = fs_solver_get_trace (solver);
  const double *W = fs_solver_get_w (solver), *H = fs_solver_get_h (solver);
  gsize len_w = X->rows * p->rank, len_h = p->rank * X->cols;
  double x_sq = fs_matrix_frobenius_sq (X);
  FsZeroCount zeros_w, zeros_h;
  FsCostTerms terms;

  g_assert_cmpuint (fs_trace_get_iteration (trace, index), ==, fs_solver_get_iteration (solver));
  fs_cost_terms (X, W, H, p->rank, p, &terms);
  fs_count_zeros (W, len_w, &zeros_w);
  fs_count_zeros (H, len_h, &zeros_h);
  g_assert_cmpfloat (fabs (fs_trace_get (trace, FS_TRACE_DATA, index) - terms.data), <=,
                     1e-9 * terms.data + 8 * DBL_EPSILON * x_sq);
  assert_close (fs_trace_get (trace, FS_TRACE_L2_W, index), terms.l2_w);
  assert_close (fs_trace_get (trace, FS_TRACE_L2_H, index), terms.l2_h);
  assert_close (fs_trace_get (trace, FS_TRACE_L1_W, index), terms.l1_w);
  assert_close (fs_trace_get (trace, FS_TRACE_L1_H, index), terms.l1_h);
  assert_close (fs_trace_get (trace, FS_TRACE_NORM_W, index), sqrt (cblas_ddot ((int) len_w, W, 1, W, 1)));
  assert_close (fs_trace_get (trace, FS_TRACE_NORM_H, index), sqrt (cblas_ddot ((int) len_h, H, 1, H, 1)));
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_GRAD_NORM, index), ==,
                     hypot (fs_solver_get_grad_norm_w (solver), fs_solver_get_grad_norm_h (solver)));
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_W, index), ==, (double) zeros_w.exact / len_w);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_H, index), ==, (double) zeros_h.exact / len_h);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_W, index), ==, (double) zeros_w.small / len_w);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_H, index), ==, (double) zeros_h.small / len_h);
  g_assert_cmpfloat (fabs (fs_cost_terms_sum (&terms) - fs_solver_get_cost (solver)), <=,
                     1e-9 * fs_solver_get_cost (solver) + 8 * DBL_EPSILON * x_sq);
}

/* A 10,000-iteration run traces exactly the iterations fs_trace_wants ()
 * picks, each with the values of W and H at it; missing cells too. */
static void
test_trace_run (void)
{
  for (guint missing = 0; missing < 2; missing++)
    {
      g_autoptr(FsMatrix) X = fs_test_random_matrix (25, 18, 31 + missing, missing ? 0.1 : 0.0);
      g_autoptr(FsSolver) solver = NULL;
      gsize wanted = 1, checked = 0;
      FsStop stop;
      FsParams p;

      fs_params_init_defaults (&p);
      p.rank = 3;
      p.l2_w = 0.01;
      p.l2_h = 0.02;
      p.l1_w = 0.01;
      p.l1_h = 0.02;
      p.nonneg = TRUE;
      p.max_iters = 10000;
      solver = new_solver (X, &p);
      check_trace_point (solver, X, &p, 0);
      do
        {
          guint64 t;

          stop = fs_solver_iterate (solver);
          t = fs_solver_get_iteration (solver);
          if (!fs_trace_wants (t))
            continue;
          wanted++;
          /* Every point early on, then a spread of them. */
          if (t < 200 || t % 997 == 0 || t == 10000)
            {
              check_trace_point (solver, X, &p, wanted - 1);
              checked++;
            }
        }
      while (stop == FS_STOP_NONE);
      g_assert_cmpint (stop, ==, FS_STOP_ITERATIONS);
      g_assert_cmpuint (fs_solver_get_iteration (solver), ==, 10000);
      g_assert_cmpuint (fs_trace_get_length (fs_solver_get_trace (solver)), ==, wanted);
      /* 0 to 4095, every 2nd to 8190, every 4th from 8192 to 10000. */
      g_assert_cmpuint (wanted, ==, 4096 + 2048 + 453);
      g_assert_cmpuint (checked, >, 200);
    }
}

/* A start from given factors: the first point tells exact zeros from
 * near ones, in W and in H, and its terms are those of the factors. */
static void
test_trace_start_from (void)
{
  g_autoptr(FsMatrix) X = fs_test_random_matrix (6, 5, 41, 0.0);
  g_autoptr(FsSolver) solver = NULL;
  double W[12], H[10];
  FsTrace *trace;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 2;
  p.l2_w = 0.5;
  p.l1_h = 0.25;
  solver = new_solver (X, &p);
  for (guint k = 0; k < 12; k++)
    W[k] = k < 3 ? 0.0 : k < 5 ? -1e-12 : 0.5 + k;
  for (guint k = 0; k < 10; k++)
    H[k] = k < 4 ? -0.0 : k < 7 ? 1e-9 : 1.0 - k;
  fs_solver_start_from (solver, W, H);
  trace = fs_solver_get_trace (solver);
  g_assert_cmpuint (fs_trace_get_length (trace), ==, 1);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_W, 0), ==, 3.0 / 12);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_W, 0), ==, 5.0 / 12);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_ZEROS_H, 0), ==, 4.0 / 10);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_SMALL_H, 0), ==, 7.0 / 10);
  check_trace_point (solver, X, &p, 0);
}

/* A start opens a new trace: the old one stays with whoever holds it. */
static void
test_trace_per_run (void)
{
  g_autoptr(FsMatrix) X = fs_test_random_matrix (10, 8, 5, 0.0);
  g_autoptr(FsSolver) solver = NULL;
  g_autoptr(FsTrace) first = NULL;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 2;
  solver = new_solver (X, &p);
  for (guint k = 0; k < 5; k++)
    fs_solver_iterate (solver);
  first = fs_trace_ref (fs_solver_get_trace (solver));
  g_assert_cmpuint (fs_trace_get_length (first), ==, 6);
  fs_solver_start (solver, 9);
  g_assert_true (fs_solver_get_trace (solver) != first);
  g_assert_cmpuint (fs_trace_get_length (fs_solver_get_trace (solver)), ==, 1);
  g_assert_cmpuint (fs_trace_get_length (first), ==, 6);
}

/* A run that stops between the points fs_trace_wants () picks still
 * ends its trace at its last iteration: the figures shown at the end are
 * those of the W and H shown. */
static void
test_trace_ends_with_run (void)
{
  g_autoptr(FsMatrix) X = fs_test_random_matrix (8, 6, 3, 0.1);
  g_autoptr(FsSolver) solver = NULL;
  FsTrace *trace;
  FsParams p;
  gsize len;

  fs_params_init_defaults (&p);
  p.rank = 2;
  p.tol = 0.0;
  p.max_iters = 5001;
  solver = new_solver (X, &p);
  g_assert_false (fs_trace_wants (5001));
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  trace = fs_solver_get_trace (solver);
  len = fs_trace_get_length (trace);
  g_assert_cmpuint (fs_trace_get_iteration (trace, len - 1), ==, 5001);
  g_assert_cmpuint (fs_trace_get_iteration (trace, len - 2), ==, 5000);
}

/* With restarts the fit keeps the traces it can show, the best run's and
 * the last one's, and lets the others go: each costs about 0.4 MB. */
static void
test_trace_kept (void)
{
  g_autoptr(FsMatrix) X = fs_test_random_matrix (12, 9, 4, 0.1);
  g_autoptr(GError) error = NULL;
  FsFit *fit;
  FsParams p;
  gint best;
  guint kept = 0;

  fs_params_init_defaults (&p);
  p.rank = 2;
  p.restarts = 6;
  p.max_iters = 30;
  fit = fs_fit_new (X, &p, &error);
  g_assert_no_error (error);
  while (fs_fit_iterate (fit))
    ;
  best = fs_fit_get_best_run (fit);
  g_assert_cmpint (best, >=, 0);
  for (guint k = 0; k < p.restarts; k++)
    {
      FsTrace *trace = fs_fit_get_trace (fit, k);

      if ((gint) k == best || k == p.restarts - 1)
        {
          g_assert_nonnull (trace);
          g_assert_cmpuint (fs_trace_get_length (trace), ==, 31);
        }
      kept += trace != NULL;
    }
  g_assert_cmpuint (kept, <=, 2);
  fs_fit_free (fit);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/analysis/zeros-digits", test_zeros_digits);
  g_test_add_func ("/analysis/zeros-edges", test_zeros_edges);
  g_test_add_func ("/analysis/histogram", test_histogram);
  g_test_add_func ("/analysis/histogram-random", test_histogram_random);
  g_test_add_func ("/analysis/histogram-all-zero", test_histogram_all_zero);
  g_test_add_func ("/analysis/product-singular-values", test_product_singular_values);
  g_test_add_func ("/analysis/product-singular-values-not-finite",
                   test_product_singular_values_not_finite);
  g_test_add_func ("/analysis/cost-terms-sum", test_cost_terms_sum);
  g_test_add_func ("/analysis/trace-wants", test_trace_wants);
  g_test_add_func ("/analysis/trace-run", test_trace_run);
  g_test_add_func ("/analysis/trace-start-from", test_trace_start_from);
  g_test_add_func ("/analysis/trace-per-run", test_trace_per_run);
  g_test_add_func ("/analysis/trace-kept", test_trace_kept);
  g_test_add_func ("/analysis/trace-ends-with-run", test_trace_ends_with_run);

  return g_test_run ();
}
