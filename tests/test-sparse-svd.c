/* test-sparse-svd.c: the top singular values of a sparse matrix against
 * LAPACK on its dense form, and f* from them against f* from the full
 * spectrum.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-optimum.h"
#include "fs-params.h"
#include "fs-pool.h"
#include "fs-sparse-svd.h"
#include "fs-test-util.h"

/* The accuracy the brief asks of the top values. */
#define ACCURACY 1e-8

/* The sparse form of a dense row-major array, its zeros not listed and
 * taken as real zeros, or as missing cells. */
static FsMatrix *
sparse_layout (gsize         rows,
               gsize         cols,
               const double *data,
               gboolean      zeros_are_values)
{
  g_autoptr(GArray) cell_rows = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) cell_cols = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) sparse = NULL;

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      if (data[i * cols + j] != 0.0)
        {
          guint32 r = (guint32) i, c = (guint32) j;

          g_array_append_val (cell_rows, r);
          g_array_append_val (cell_cols, c);
          g_array_append_val (values, data[i * cols + j]);
        }
  sparse = fs_sparse_new_from_cells (rows, cols, (guint32 *) (gpointer) cell_rows->data,
                                     (guint32 *) (gpointer) cell_cols->data,
                                     (double *) (gpointer) values->data, values->len, NULL, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = zeros_are_values;
  return fs_matrix_new_sparse (sparse);
}

static FsMatrix *
sparse_from_dense (gsize         rows,
                   gsize         cols,
                   const double *data)
{
  return sparse_layout (rows, cols, data, TRUE);
}

/* All singular values of a dense row-major array, from LAPACK. */
static GArray *
dense_values (gsize         rows,
              gsize         cols,
              const double *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_new_from_data (rows, cols, data, &error);
  GArray *values;

  g_assert_no_error (error);
  values = fs_singular_values (X, &error);
  g_assert_no_error (error);
  return values;
}

/* The largest error of the top values, relative to each value, or to
 * sigma_1 for those below 1e-6 sigma_1 (zeros past the rank). */
static double
top_error (const GArray *top,
           const GArray *all)
{
  double worst = 0.0, s1 = g_array_index (all, double, 0);

  for (guint i = 0; i < top->len; i++)
    {
      double want = g_array_index (all, double, i), got = g_array_index (top, double, i);
      double scale = want > 1e-6 * s1 ? want : s1;

      worst = MAX (worst, fabs (got - want) / MAX (scale, G_MINDOUBLE));
    }
  return worst;
}

/* The top k values of the sparse form of data, each checked against
 * LAPACK's on the dense form. */
static void
check_top (gsize         rows,
           gsize         cols,
           const double *data,
           const guint  *ks,
           gsize         n_ks)
{
  g_autoptr(FsMatrix) X = sparse_from_dense (rows, cols, data);
  g_autoptr(GArray) all = dense_values (rows, cols, data);

  for (gsize t = 0; t < n_ks; t++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) top = fs_sparse_svd_top (X->sparse, ks[t], &error);
      double worst;

      g_assert_no_error (error);
      g_assert_cmpuint (top->len, ==, MIN (ks[t], MIN (rows, cols)));
      worst = top_error (top, all);
      g_test_message ("%" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                      " listed, k = %u: largest relative error %.3g",
                      rows, cols, X->sparse->nnz, ks[t], worst);
      g_assert_cmpfloat (worst, <=, ACCURACY);
    }
}

/* rows × cols with a share of cells listed, values uniform in [-1, 1). */
static double *
random_sparse_data (gsize   rows,
                    gsize   cols,
                    double  share,
                    guint64 key)
{
  double *data = g_new (double, rows * cols);
  g_autofree double *coin = g_new (double, rows * cols);

  fs_random_fill_signed (key, data, rows * cols);
  fs_random_fill_unit (key + 1, coin, rows * cols);
  for (gsize k = 0; k < rows * cols; k++)
    if (coin[k] >= share)
      data[k] = 0.0;
  return data;
}

static void
test_random_sparse (void)
{
  static const guint ks[] = { 1, 5, 16, 40, 120, 200 };
  g_autofree double *data = random_sparse_data (300, 200, 0.05, 181);
  g_autofree double *wide = random_sparse_data (150, 400, 0.05, 182);

  check_top (300, 200, data, ks, G_N_ELEMENTS (ks));
  /* Wider than tall: the operator works on Xᵀ. */
  check_top (150, 400, wide, ks, 4);
}

/* A B / sqrt (r) of rank 6 plus noise of 1e-3, every cell listed. */
static void
test_low_rank_plus_noise (void)
{
  static const guint ks[] = { 3, 6, 7, 12, 30 };
  gsize rows = 300, cols = 200, r = 6;
  g_autofree double *a = g_new (double, rows * r);
  g_autofree double *b = g_new (double, r * cols);
  g_autofree double *noise = g_new (double, rows * cols);
  g_autofree double *data = g_new0 (double, rows * cols);

  fs_random_fill_signed (183, a, rows * r);
  fs_random_fill_signed (184, b, r * cols);
  fs_random_fill_signed (185, noise, rows * cols);
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        double sum = 0.0;

        for (gsize l = 0; l < r; l++)
          sum += a[i * r + l] * b[l * cols + j];
        data[i * cols + j] = sum / sqrt ((double) r) + 1e-3 * noise[i * cols + j];
      }
  check_top (rows, cols, data, ks, G_N_ELEMENTS (ks));
}

/* Three copies of one sparse 200 × 140 block down the diagonal: every
 * value three times over, and more distinct values than the basis holds,
 * so that the Krylov space does not run out before the top values have
 * converged (a single-vector Lanczos finds each value once then: the
 * block of FS_SPARSE_SVD_BLOCK vectors is what finds the copies). Then
 * copies scaled by 1 + 1e-7 t: three values 1e-7 apart. */
static void
test_repeated_values (void)
{
  static const guint ks[] = { 2, 3, 4, 9, 10, 32 };
  gsize copies = 3, br = 200, bc = 140, rows = copies * br, cols = copies * bc;
  g_autofree double *block = random_sparse_data (br, bc, 0.05, 186);
  g_autofree double *data = g_new0 (double, rows * cols);
  g_autofree double *clustered = g_new0 (double, rows * cols);

  for (gsize t = 0; t < copies; t++)
    for (gsize i = 0; i < br; i++)
      for (gsize j = 0; j < bc; j++)
        {
          gsize at = (t * br + i) * cols + t * bc + j;

          data[at] = block[i * bc + j];
          clustered[at] = block[i * bc + j] * (1.0 + 1e-7 * (double) t);
        }
  check_top (rows, cols, data, ks, G_N_ELEMENTS (ks));
  check_top (rows, cols, clustered, ks, G_N_ELEMENTS (ks));
}

/* One 1 in each column, in distinct rows: all 200 values are 1. */
static void
test_all_values_equal (void)
{
  static const guint ks[] = { 1, 5, 9, 64, 200 };
  gsize rows = 300, cols = 200;
  g_autofree double *data = g_new0 (double, rows * cols);

  for (gsize j = 0; j < cols; j++)
    data[((j * 7) % rows) * cols + j] = 1.0;
  check_top (rows, cols, data, ks, G_N_ELEMENTS (ks));
}

/* Rank 3 from sparse factors: asked for more, the rest are zeros. */
static void
test_past_the_rank (void)
{
  static const guint ks[] = { 3, 4, 10, 80 };
  gsize rows = 120, cols = 90, r = 3;
  g_autofree double *a = random_sparse_data (rows, r, 0.3, 187);
  g_autofree double *b = random_sparse_data (r, cols, 0.3, 188);
  g_autofree double *data = g_new0 (double, rows * cols);
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(GArray) top = NULL;

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      for (gsize l = 0; l < r; l++)
        data[i * cols + j] += a[i * r + l] * b[l * cols + j];
  check_top (rows, cols, data, ks, G_N_ELEMENTS (ks));

  /* More than the smaller side: that many. */
  X = sparse_from_dense (rows, cols, data);
  top = fs_sparse_svd_top (X->sparse, 500, NULL);
  g_assert_cmpuint (top->len, ==, cols);
  for (guint i = r; i < top->len; i++)
    g_assert_cmpfloat (g_array_index (top, double, i), <=, 1e-12 * g_array_index (top, double, 0));
}

/* Empty rows and columns, an empty matrix, one cell, one row. */
static void
test_edges (void)
{
  static const guint ks[] = { 1, 3, 20 };
  gsize rows = 80, cols = 50;
  g_autofree double *data = random_sparse_data (rows, cols, 0.1, 189);
  g_autofree double *zeros = g_new0 (double, rows * cols);
  double one = -2.5;
  double row[7] = { 0, 1, 0, -2, 0, 0, 3 };
  g_autoptr(FsMatrix) empty = sparse_from_dense (rows, cols, zeros);
  g_autoptr(GArray) none = fs_sparse_svd_top (empty->sparse, 4, NULL);

  for (gsize i = 0; i < rows; i += 3)
    memset (data + i * cols, 0, cols * sizeof (double));
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j += 4)
      data[i * cols + j] = 0.0;
  check_top (rows, cols, data, ks, G_N_ELEMENTS (ks));

  g_assert_cmpuint (none->len, ==, 4);
  for (guint i = 0; i < none->len; i++)
    g_assert_cmpfloat (g_array_index (none, double, i), ==, 0.0);
  check_top (1, 1, &one, ks, 1);
  check_top (1, 7, row, ks, 2);
  check_top (7, 1, row, ks, 2);
}

/* 200000 × 200000 with 2000 cells in 300 rows and 200 columns spread
 * over it: the operator must not allocate rows × cols (320 GB), and the
 * top values are those of the 300 × 200 block that holds the cells. */
static void
test_huge_and_empty (void)
{
  gsize n = 200000, br = 300, bc = 200, count = 2000;
  g_autofree guint32 *cell_rows = g_new (guint32, count);
  g_autofree guint32 *cell_cols = g_new (guint32, count);
  g_autofree double *values = g_new (double, count);
  g_autofree double *pick = g_new (double, 2 * count);
  g_autofree double *block = g_new0 (double, br * bc);
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(GArray) top = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GError) error = NULL;
  double seconds;

  fs_random_fill_unit (190, pick, 2 * count);
  fs_random_fill_signed (191, values, count);
  for (gsize t = 0; t < count; t++)
    {
      gsize i = MIN ((gsize) (pick[2 * t] * (double) br), br - 1);
      gsize j = MIN ((gsize) (pick[2 * t + 1] * (double) bc), bc - 1);

      cell_rows[t] = (guint32) (i * 661 + 17);
      cell_cols[t] = (guint32) (j * 997 + 5);
      if (block[i * bc + j] == 0.0)
        block[i * bc + j] = values[t];
    }
  sparse = fs_sparse_new_from_cells (n, n, cell_rows, cell_cols, values, count, NULL, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = TRUE;

  g_test_timer_start ();
  top = fs_sparse_svd_top (sparse, 5, &error);
  seconds = g_test_timer_elapsed ();
  g_assert_no_error (error);
  g_test_message ("200000 × 200000, %" G_GSIZE_FORMAT " listed, top 5 in %.3f s", sparse->nnz, seconds);
  all = dense_values (br, bc, block);
  g_assert_cmpfloat (top_error (top, all), <=, ACCURACY);
}

/* f* from the top r values and ||X||² against f* from the full spectrum,
 * both from LAPACK's values: the two formulas agree to rounding. */
static void
test_optimum_from_top (void)
{
  static const double l2[][2] = { { 0, 0 }, { 0.5, 2.0 }, { 1e-3, 1e-3 }, { 3.0, 4.0 } };
  g_autofree double *data = random_sparse_data (300, 200, 0.05, 192);
  g_autoptr(FsMatrix) X = sparse_from_dense (300, 200, data);
  g_autoptr(GArray) all = dense_values (300, 200, data);
  double frobenius_sq = fs_matrix_frobenius_sq (X);
  const double *s = (const double *) (gpointer) all->data;

  for (gsize p = 0; p < G_N_ELEMENTS (l2); p++)
    for (guint rank = 1; rank <= 200; rank += rank < 10 ? 1 : 17)
      {
        double full = fs_optimum_value (s, all->len, rank, l2[p][0], l2[p][1]);
        double top = fs_optimum_value_top (s, rank, frobenius_sq, rank, l2[p][0], l2[p][1]);

        /* ||X||² - Σ s_i² rounds to about 1e-15 of ||X||² (measured:
         * at most 6.6e-16), which is 1e-12 of f* down to f* = 1e-3 ||X||²
         * (rank 180 of 200 here; at 197, f* = 5e-4 ||X||², 1.3e-12). */
        g_assert_cmpfloat (fabs (top - full), <=, 1e-12 * MAX (full, 1e-2 * frobenius_sq));
      }
}

/* X of rank 3 exactly: f* at rank 3 and above is 0 from both formulas. */
static void
test_optimum_at_the_rank (void)
{
  gsize rows = 120, cols = 90, r = 3;
  g_autofree double *a = random_sparse_data (rows, r, 0.3, 196);
  g_autofree double *b = random_sparse_data (r, cols, 0.3, 197);
  g_autofree double *data = g_new0 (double, rows * cols);
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) top = NULL;

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      for (gsize l = 0; l < r; l++)
        data[i * cols + j] += a[i * r + l] * b[l * cols + j];
  X = sparse_from_dense (rows, cols, data);
  all = dense_values (rows, cols, data);
  for (guint rank = 3; rank <= 5; rank++)
    {
      g_clear_pointer (&top, g_array_unref);
      top = fs_singular_values_for_rank (X, rank, NULL);
      g_assert_cmpfloat (fs_optimum_value ((double *) (gpointer) all->data, all->len, rank, 0, 0), ==, 0.0);
      g_assert_cmpfloat (fs_optimum_value_top ((double *) (gpointer) all->data, rank,
                                               fs_matrix_frobenius_sq (X), rank, 0, 0), ==, 0.0);
      g_assert_cmpfloat (fs_optimum_for_matrix (X, top, rank, 0, 0), ==, 0.0);
    }
}

/* The sparse path of fs_singular_values_for_rank and fs_optimum_for_matrix
 * against the dense one, on the same matrix. */
static void
test_optimum_for_matrix (void)
{
  g_autofree double *data = random_sparse_data (300, 200, 0.05, 193);
  g_autoptr(FsMatrix) X = sparse_from_dense (300, 200, data);
  g_autoptr(FsMatrix) dense = fs_matrix_new_from_data (300, 200, data, NULL);
  g_autoptr(GArray) all = fs_singular_values (dense, NULL);
  g_autoptr(GArray) some = fs_singular_values (X, NULL);

  g_assert_cmpuint (some->len, ==, FS_OPTIMUM_SPARSE_TOP);
  for (guint rank = 1; rank <= 80; rank += 7)
    {
      g_autoptr(GArray) top = fs_singular_values_for_rank (X, rank, NULL);
      double want = fs_optimum_value ((double *) (gpointer) all->data, all->len, rank, 0.5, 2.0);
      double got = fs_optimum_for_matrix (X, top, rank, 0.5, 2.0);
      double from_some = fs_optimum_for_matrix (X, some, rank, 0.5, 2.0);

      g_assert_cmpuint (top->len, ==, rank);
      /* The values to 1e-10 of themselves: f* to about as much of ||X||². */
      g_assert_cmpfloat (fabs (got - want), <=, 1e-9 * want);
      /* The dense path is fs_optimum_value, bit for bit. */
      g_assert_cmpfloat (fs_optimum_for_matrix (dense, all, rank, 0.5, 2.0), ==, want);
      if (rank <= FS_OPTIMUM_SPARSE_TOP)
        g_assert_cmpfloat (fabs (from_some - want), <=, 1e-9 * want);
      else
        g_assert_true (isnan (from_some));
    }
}

/* Unlisted cells that are missing: no singular values, no closed form. */
static void
test_missing_cells (void)
{
  g_autofree double *data = random_sparse_data (30, 20, 0.2, 194);
  g_autoptr(FsMatrix) missing = sparse_layout (30, 20, data, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = NULL;
  FsParams params;
  const char *reason = NULL;

  g_assert_cmpuint (missing->n_missing, >, 0);
  values = fs_singular_values (missing, &error);
  g_assert_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE);
  g_assert_null (values);
  g_clear_error (&error);
  values = fs_singular_values_for_rank (missing, 3, &error);
  g_assert_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE);

  fs_params_init_defaults (&params);
  g_assert_false (fs_params_has_optimum (&params, missing, &reason));
  g_assert_cmpstr (reason, ==, "no closed form with missing cells");
}

/* The power iteration on the operator, against LAPACK's sigma_1. */
static void
test_spectral_norm (void)
{
  g_autofree double *data = random_sparse_data (300, 200, 0.05, 195);
  g_autoptr(FsMatrix) X = sparse_from_dense (300, 200, data);
  g_autoptr(GArray) all = dense_values (300, 200, data);
  g_autofree double *zeros = g_new0 (double, 6);
  g_autoptr(FsMatrix) empty = sparse_from_dense (2, 3, zeros);
  double s1 = g_array_index (all, double, 0);

  g_assert_cmpfloat (fabs (fs_spectral_norm (X, 3000) - s1), <=, 1e-6 * s1);
  g_assert_cmpfloat (fs_spectral_norm (X, 30), <=, s1 * (1 + 1e-12));
  g_assert_cmpfloat (fs_spectral_norm (X, 30), >=, 0.8 * s1);
  g_assert_cmpfloat (fs_spectral_norm (empty, 30), ==, 0.0);
}

/* The benchmark's sparse case (shared/bench/peer_sparse.py's recipe at
 * seed 0: 100000 × 20000, 1,000,000 candidate cells of a rank-32 product
 * plus noise), its top 32 values timed; only with -m perf:
 * build/tests/test-sparse-svd -m perf -p /sparse-svd/benchmark */
static FsSparse *
benchmark_matrix (void)
{
  gsize n = 100000, m = 20000, count = 1000000, r = 32;
  g_autofree double *a = g_new (double, n * r);
  g_autofree double *b = g_new (double, r * m);
  g_autofree double *pick_i = g_new (double, count);
  g_autofree double *pick_j = g_new (double, count);
  g_autofree double *values = g_new (double, count);
  g_autofree guint32 *cell_rows = g_new (guint32, count);
  g_autofree guint32 *cell_cols = g_new (guint32, count);
  g_autoptr(GError) error = NULL;
  FsSparse *sparse;

  fs_random_fill_signed (fs_random_key (0, 1), a, n * r);
  fs_random_fill_signed (fs_random_key (0, 2), b, r * m);
  fs_random_fill_signed (fs_random_key (0, 6), pick_i, count);
  fs_random_fill_signed (fs_random_key (0, 7), pick_j, count);
  for (gsize t = 0; t < count; t++)
    {
      gsize i = MIN ((gsize) ((pick_i[t] + 1) / 2 * (double) n), n - 1);
      gsize j = MIN ((gsize) ((pick_j[t] + 1) / 2 * (double) m), m - 1);
      double sum = 0.0, noise;

      for (gsize l = 0; l < r; l++)
        sum += a[i * r + l] * b[l * m + j];
      fs_random_fill_unit_from (fs_random_key (0, 3), i * m + j, &noise, 1);
      cell_rows[t] = (guint32) i;
      cell_cols[t] = (guint32) j;
      values[t] = sum / sqrt ((double) r) + 0.01 * (2.0 * noise - 1.0);
    }
  sparse = fs_sparse_new_from_cells (n, m, cell_rows, cell_cols, values, count, NULL, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = TRUE;
  return sparse;
}

static void
test_benchmark (void)
{
  g_autoptr(FsSparse) sparse = benchmark_matrix ();
  g_autoptr(GArray) top = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 start = g_get_monotonic_time ();
  double cpu = fs_thread_cpu_seconds ();

  top = fs_sparse_svd_top (sparse, 32, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < top->len; i++)
    g_string_append_printf (text, " %.17g", g_array_index (top, double, i));
  g_test_message ("%" G_GSIZE_FORMAT " listed, top 32 in %.3f s (%.3f s of CPU):%s", sparse->nnz,
                  (double) (g_get_monotonic_time () - start) / 1e6,
                  fs_thread_cpu_seconds () - cpu, text->str);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparse-svd/random-sparse", test_random_sparse);
  g_test_add_func ("/sparse-svd/low-rank-plus-noise", test_low_rank_plus_noise);
  g_test_add_func ("/sparse-svd/repeated-values", test_repeated_values);
  g_test_add_func ("/sparse-svd/all-values-equal", test_all_values_equal);
  g_test_add_func ("/sparse-svd/past-the-rank", test_past_the_rank);
  g_test_add_func ("/sparse-svd/edges", test_edges);
  g_test_add_func ("/sparse-svd/huge-and-empty", test_huge_and_empty);
  g_test_add_func ("/sparse-svd/optimum-from-top", test_optimum_from_top);
  g_test_add_func ("/sparse-svd/optimum-at-the-rank", test_optimum_at_the_rank);
  g_test_add_func ("/sparse-svd/optimum-for-matrix", test_optimum_for_matrix);
  g_test_add_func ("/sparse-svd/missing-cells", test_missing_cells);
  g_test_add_func ("/sparse-svd/spectral-norm", test_spectral_norm);
  /* Only on demand: a skipped case fails under CI. */
  if (g_test_perf ())
    g_test_add_func ("/sparse-svd/benchmark", test_benchmark);

  return g_test_run ();
}
