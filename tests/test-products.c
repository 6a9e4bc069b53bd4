/* test-products.c: the products over X and the thread pool, against plain
 * loops, on shapes that hit every edge of the tiling.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-pool.h"
#include "fs-products.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-test-util.h"

/* A random symmetric r × r matrix. */
static void
fill_symmetric (double *g,
                gsize   r,
                guint64 key)
{
  fs_random_fill_signed (key, g, r * r);
  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < i; j++)
      g[i * r + j] = g[j * r + i];
}

/* xht = X H^T + W gram_w and wtx = W^T X + gram_h H on columns col0..col1,
 * summed in long double. */
static void
naive_products (const double *X,
                gsize         rows,
                gsize         m,
                gsize         r,
                const double *W,
                const double *H,
                const double *gram_w,
                const double *gram_h,
                gsize         col0,
                gsize         col1,
                double       *xht,
                double       *wtx)
{
  for (gsize i = 0; i < rows; i++)
    for (gsize k = 0; k < r; k++)
      {
        long double sum = 0;

        for (gsize j = 0; j < m; j++)
          sum += (long double) X[i * m + j] * H[k * m + j];
        for (gsize l = 0; l < r; l++)
          sum += (long double) W[i * r + l] * gram_w[l * r + k];
        xht[i * r + k] = (double) sum;
      }

  for (gsize k = 0; k < r; k++)
    for (gsize j = 0; j < m; j++)
      {
        long double sum = 0;

        for (gsize i = 0; i < rows; i++)
          sum += (long double) W[i * r + k] * X[i * m + j];
        if (j >= col0 && j < col1)
          for (gsize l = 0; l < r; l++)
            sum += (long double) gram_h[k * r + l] * H[l * m + j];
        wtx[k * m + j] = (double) sum;
      }
}

static double
max_abs_diff (const double *a,
              const double *b,
              gsize         len)
{
  double d = 0.0;

  for (gsize k = 0; k < len; k++)
    d = MAX (d, fabs (a[k] - b[k]));
  return d;
}

static void
check_shape (FsProductsImpl impl,
             gsize          rows,
             gsize          m,
             gsize          r,
             gsize          col0,
             gsize          col1)
{
  guint64 key = rows * 1000003 + m * 1009 + r * 7 + col0;
  g_autofree double *X = g_new (double, MAX (rows * m, 1));
  g_autofree double *W = g_new (double, MAX (rows * r, 1));
  g_autofree double *H = g_new (double, r * m);
  g_autofree double *gram_w = g_new (double, r * r);
  g_autofree double *gram_h = g_new (double, r * r);
  g_autofree double *packed_h = g_new0 (double, fs_products_packed_len (impl, r, m) + 1);
  g_autofree double *packed_g = g_new0 (double, fs_products_packed_len (impl, r, r) + 1);
  g_autofree double *scratch = g_new0 (double, fs_products_scratch_len (impl, r) + 1);
  g_autofree double *xht = g_new (double, MAX (rows * r, 1));
  g_autofree double *wtx = g_new (double, r * m);
  g_autofree double *want_xht = g_new (double, MAX (rows * r, 1));
  g_autofree double *want_wtx = g_new (double, r * m);
  FsProductsArgs args;

  fs_random_fill_signed (key + 1, X, rows * m);
  fs_random_fill_signed (key + 2, W, rows * r);
  fs_random_fill_signed (key + 3, H, r * m);
  fill_symmetric (gram_w, r, key + 4);
  fill_symmetric (gram_h, r, key + 5);
  /* Garbage in the outputs: both must be overwritten, not added to. */
  for (gsize k = 0; k < rows * r; k++)
    xht[k] = 1e300;
  for (gsize k = 0; k < r * m; k++)
    wtx[k] = -1e300;

  /* Packing in two column ranges must give the same as one. */
  fs_products_pack (impl, H, r, m, 0, m / 3, packed_h);
  fs_products_pack (impl, H, r, m, m / 3, m, packed_h);
  fs_products_pack (impl, gram_w, r, r, 0, r, packed_g);

  args = (FsProductsArgs) {
    .impl = impl, .X = X, .rows = rows, .m = m, .r = r, .W = W, .H = H,
    .packed_h = packed_h, .gram_w = gram_w, .packed_gram_w = packed_g,
    .gram_h = gram_h, .col0 = col0, .col1 = col1, .scratch = scratch,
    .xht = xht, .wtx = wtx,
  };
  fs_products_rows (&args);
  naive_products (X, rows, m, r, W, H, gram_w, gram_h, col0, col1, want_xht, want_wtx);

  /* Sums of at most m + r products of values below 1. */
  if (max_abs_diff (xht, want_xht, rows * r) > 1e-13 * (m + r) ||
      max_abs_diff (wtx, want_wtx, r * m) > 1e-13 * (rows + r))
    g_error ("%s, %lu × %lu, rank %lu, columns %lu..%lu: differences %.3g and %.3g",
             fs_products_impl_name (impl), rows, m, r, col0, col1,
             max_abs_diff (xht, want_xht, rows * r), max_abs_diff (wtx, want_wtx, r * m));

  /* Accumulating adds the same again to wtx; xht is written afresh. */
  args.accumulate = TRUE;
  fs_products_rows (&args);
  for (gsize k = 0; k < r * m; k++)
    want_wtx[k] *= 2.0;
  if (max_abs_diff (xht, want_xht, rows * r) > 1e-13 * (m + r) ||
      max_abs_diff (wtx, want_wtx, r * m) > 2e-13 * (rows + r))
    g_error ("%s, %lu × %lu, rank %lu, columns %lu..%lu, accumulating: differences %.3g and %.3g",
             fs_products_impl_name (impl), rows, m, r, col0, col1,
             max_abs_diff (xht, want_xht, rows * r), max_abs_diff (wtx, want_wtx, r * m));
}

/* Both Gram matrices against loops; the BLAS path fills only the upper
 * triangles, so only those are compared. */
static void
check_grams (FsProductsImpl impl,
             gsize          rows,
             gsize          m,
             gsize          r)
{
  g_autofree double *W = g_new (double, MAX (rows * r, 1));
  g_autofree double *H = g_new (double, r * m);
  g_autofree double *packed_h = g_new0 (double, fs_products_packed_len (impl, r, m) + 1);
  g_autofree double *wtw = g_new (double, r * r);
  g_autofree double *hht = g_new (double, r * r);
  gsize col0 = m / 4, col1 = m - m / 5;

  fs_random_fill_signed (rows + 11, W, rows * r);
  fs_random_fill_signed (m + 13, H, r * m);
  fs_products_pack (impl, H, r, m, col0, col1, packed_h);
  fs_products_grams (impl, W, rows, r, H, m, col0, col1, packed_h, wtw, hht);

  for (gsize a = 0; a < r; a++)
    for (gsize b = a; b < r; b++)
      {
        long double w = 0, h = 0;

        for (gsize i = 0; i < rows; i++)
          w += (long double) W[i * r + a] * W[i * r + b];
        for (gsize j = col0; j < col1; j++)
          h += (long double) H[a * m + j] * H[b * m + j];
        if (fabs (wtw[a * r + b] - (double) w) > 1e-13 * (rows + 1) ||
            fabs (hht[a * r + b] - (double) h) > 1e-13 * (m + 1))
          g_error ("%s grams, %lu rows, %lu columns, rank %lu: (%lu, %lu) off by %.3g and %.3g",
                   fs_products_impl_name (impl), rows, m, r, a, b,
                   fabs (wtw[a * r + b] - (double) w), fabs (hht[a * r + b] - (double) h));
      }
}

static void
check_impl (FsProductsImpl impl)
{
  /* Around the 4-row groups, the 4-lane vectors, the 12-wide blocks and
   * the tiles (at most 128 rows and 204 columns); for AVX-512 around the
   * 8- and 12-row groups, the 8-lane vectors, the 24-wide blocks and the
   * 216-column tiles. */
  static const gsize rows_list[] = { 0, 1, 3, 4, 5, 9, 13, 129, 260 };
  static const gsize cols_list[] = { 1, 2, 3, 4, 5, 11, 12, 13, 23, 25, 205, 217, 419 };
  static const gsize rank_list[] = { 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 17, 20, 26, 36, 50 };

  for (guint a = 0; a < G_N_ELEMENTS (rows_list); a++)
    for (guint b = 0; b < G_N_ELEMENTS (cols_list); b++)
      for (guint c = 0; c < G_N_ELEMENTS (rank_list); c++)
        {
          gsize rows = rows_list[a], m = cols_list[b], r = rank_list[c];

          if (rows * m * r > 2000000)
            continue;
          check_shape (impl, rows, m, r, 0, m);
          check_shape (impl, rows, m, r, m / 3, m - m / 4);
          check_shape (impl, rows, m, r, m, m);
          check_grams (impl, rows, m, r);
        }
}

static void
test_blas (void)
{
  check_impl (FS_PRODUCTS_BLAS);
}

/* Each vector kernel where the CPU runs it: the data is the FsProductsImpl. */
static void
test_vector_impl (gconstpointer data)
{
  FsProductsImpl impl = GPOINTER_TO_INT (data);

  fs_products_force_blas (FALSE);
  if (fs_products_best_impl () < impl)
    {
      g_test_skip_printf ("this CPU cannot run the %s kernels", fs_products_impl_name (impl));
      return;
    }
  check_impl (impl);
}

/* Forcing by name caps what fs_products_best_impl returns at the CPU's. */
static void
test_force_name (void)
{
  FsProductsImpl best;

  fs_products_force_blas (FALSE);
  best = fs_products_best_impl ();
  g_assert_true (fs_products_force_name ("blas"));
  g_assert_cmpint (fs_products_best_impl (), ==, FS_PRODUCTS_BLAS);
  g_assert_true (fs_products_force_name ("AVX2"));
  g_assert_cmpint (fs_products_best_impl (), ==, MIN (best, FS_PRODUCTS_AVX2));
  g_assert_true (fs_products_force_name ("avx512"));
  g_assert_cmpint (fs_products_best_impl (), ==, best);
  g_assert_true (fs_products_force_name ("blas"));
  g_assert_false (fs_products_force_name ("sse9"));
  g_assert_cmpint (fs_products_best_impl (), ==, FS_PRODUCTS_BLAS);
  g_assert_true (fs_products_force_name (NULL));
  g_assert_cmpint (fs_products_best_impl (), ==, best);
  g_assert_cmpstr (fs_products_impl_name (FS_PRODUCTS_AVX512), ==, "avx512");
}

static void
count_index (guint    index,
             guint    count,
             gpointer data)
{
  gint *counts = data;

  g_assert_cmpuint (index, <, count);
  g_atomic_int_inc (&counts[index]);
}

/* Every index runs exactly once per run, however many runs. */
static void
test_pool (void)
{
  for (guint threads = 1; threads <= 4; threads++)
    {
      g_autoptr(FsPool) pool = fs_pool_new (threads, 0);
      gint counts[4] = { 0 };

      g_assert_cmpuint (fs_pool_get_threads (pool), ==, threads);
      for (guint run = 0; run < 2000; run++)
        fs_pool_run (pool, count_index, counts);
      for (guint i = 0; i < 4; i++)
        g_assert_cmpint (counts[i], ==, i < threads ? 2000 : 0);
    }
}

static FsSolver *
run_solver (FsMatrix     *X,
            const FsRule *rule,
            guint         threads,
            const char   *impl)
{
  FsSolver *solver;
  FsParams p;

  /* At most this implementation: the CPU's best where it has no better. */
  g_assert_true (fs_products_force_name (impl));

  fs_params_init_defaults (&p);
  p.rank = 13;
  p.l2_w = 0.01;
  p.l2_h = 0.02;
  p.threads = threads;
  p.max_iters = 30;
  p.rule = rule;
  /* Proximal L1 and non-negativity act in the step too. */
  p.l1_h = rule == fs_rule_find ("adam") ? 0.01 : 0.0;
  p.nonneg = rule == fs_rule_find ("momentum");
  solver = fs_solver_new (X, &p, NULL);
  g_assert_nonnull (solver);
  fs_solver_set_lr (solver, fs_solver_get_starting_lr (solver));
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  fs_products_force_blas (FALSE);
  return solver;
}

/* A run splits into shares differently with each thread count (the step
 * too) and sums in a different order with each implementation; the
 * iterates agree all the same, for every rule, on a matrix of several
 * tiles, dense and with missing cells. */
static void
test_solver_threads_agree (void)
{
  static const char *const impls[] = { "blas", "avx2", "avx512" };
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  for (guint missing = 0; missing < 2; missing++)
    for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
      {
        g_autoptr(FsMatrix) X = fs_test_random_matrix (301, 233, 77, missing ? 0.1 : 0.0);
        g_autoptr(FsSolver) reference = run_solver (X, rule, 1, "blas");
        double ref_cost = fs_solver_get_cost (reference);

        g_assert_cmpuint (fs_solver_get_iteration (reference), ==, 30);
        g_assert_cmpfloat (ref_cost, <, fs_cost_log_get (fs_solver_get_log (reference), 0));

        for (guint threads = 1; threads <= 3; threads++)
          for (guint i = 0; i < G_N_ELEMENTS (impls); i++)
            {
              g_autoptr(FsSolver) solver = run_solver (X, rule, threads, impls[i]);

              g_assert_cmpfloat (fabs (fs_solver_get_cost (solver) - ref_cost) / ref_cost, <, 1e-12);
              g_assert_cmpfloat (fs_test_rel_diff (fs_solver_get_w (solver),
                                                   fs_solver_get_w (reference), 301 * 13), <, 1e-11);
              g_assert_cmpfloat (fs_test_rel_diff (fs_solver_get_h (solver),
                                                   fs_solver_get_h (reference), 13 * 233), <, 1e-11);
            }
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/products/blas", test_blas);
  g_test_add_data_func ("/products/avx2", GINT_TO_POINTER (FS_PRODUCTS_AVX2), test_vector_impl);
  g_test_add_data_func ("/products/avx512", GINT_TO_POINTER (FS_PRODUCTS_AVX512), test_vector_impl);
  g_test_add_func ("/products/force-name", test_force_name);
  g_test_add_func ("/products/pool", test_pool);
  g_test_add_func ("/products/solver-threads-agree", test_solver_threads_agree);

  return g_test_run ();
}
