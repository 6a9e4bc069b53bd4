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

/* One shape's inputs, and what plain loops, summed in long double, make
 * of them: the products for every column range come from these. */
typedef struct
{
  gsize   rows, m, r;
  double *X, *W, *H, *gram_w, *gram_h;
  double *xht;      /* X H^T + W gram_w */
  double *wtx;      /* W^T X */
  double *gram_h_h; /* gram_h H, on every column */
} Shape;

static void
naive_xht (Shape *s)
{
  gsize m = s->m, r = s->r;

  for (gsize i = 0; i < s->rows; i++)
    for (gsize k = 0; k < r; k++)
      {
        long double sum = 0;

        for (gsize j = 0; j < m; j++)
          sum += (long double) s->X[i * m + j] * s->H[k * m + j];
        for (gsize l = 0; l < r; l++)
          sum += (long double) s->W[i * r + l] * s->gram_w[l * r + k];
        s->xht[i * r + k] = (double) sum;
      }
}

static void
naive_wtx (Shape *s)
{
  gsize m = s->m, r = s->r;

  for (gsize k = 0; k < r; k++)
    for (gsize j = 0; j < m; j++)
      {
        long double sum = 0, gram = 0;

        for (gsize i = 0; i < s->rows; i++)
          sum += (long double) s->W[i * r + k] * s->X[i * m + j];
        for (gsize l = 0; l < r; l++)
          gram += (long double) s->gram_h[k * r + l] * s->H[l * m + j];
        s->wtx[k * m + j] = (double) sum;
        s->gram_h_h[k * m + j] = (double) gram;
      }
}

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

static void
shape_init (Shape *s,
            gsize  rows,
            gsize  m,
            gsize  r)
{
  guint64 key = rows * 1000003 + m * 1009 + r * 7;

  *s = (Shape) {
    .rows = rows, .m = m, .r = r,
    .X = g_new (double, MAX (rows * m, 1)),
    .W = g_new (double, MAX (rows * r, 1)),
    .H = g_new (double, r * m),
    .gram_w = g_new (double, r * r),
    .gram_h = g_new (double, r * r),
    .xht = g_new (double, MAX (rows * r, 1)),
    .wtx = g_new (double, r * m),
    .gram_h_h = g_new (double, r * m),
  };
  fs_random_fill_signed (key + 1, s->X, rows * m);
  fs_random_fill_signed (key + 2, s->W, rows * r);
  fs_random_fill_signed (key + 3, s->H, r * m);
  fill_symmetric (s->gram_w, r, key + 4);
  fill_symmetric (s->gram_h, r, key + 5);
  naive_xht (s);
  naive_wtx (s);
}

static void
shape_clear (Shape *s)
{
  g_free (s->X);
  g_free (s->W);
  g_free (s->H);
  g_free (s->gram_w);
  g_free (s->gram_h);
  g_free (s->xht);
  g_free (s->wtx);
  g_free (s->gram_h_h);
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

/* Sums of at most m + r (xht) or rows + r (wtx, times `times`) products
 * of values below 1. */
static void
check_outputs (FsProductsImpl  impl,
               const Shape    *s,
               gsize           col0,
               gsize           col1,
               const double   *xht,
               const double   *wtx,
               const double   *want_wtx,
               double          times)
{
  double dx = max_abs_diff (xht, s->xht, s->rows * s->r);
  double dw = max_abs_diff (wtx, want_wtx, s->r * s->m);

  if (dx > 1e-13 * (s->m + s->r) || dw > times * 1e-13 * (s->rows + s->r))
    g_error ("%s, %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT ", rank %" G_GSIZE_FORMAT
             ", columns %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT "%s: differences %.3g and %.3g",
             fs_products_impl_name (impl), s->rows, s->m, s->r, col0, col1,
             times > 1 ? ", accumulating" : "", dx, dw);
}

/* fs_products_rows on the shape, with gram_h H on columns col0 .. col1:
 * once over garbage, which it must overwrite, then accumulating, which
 * adds the same to wtx again and writes xht afresh. */
static void
check_range (FsProductsImpl  impl,
             const Shape    *s,
             const double   *packed_h,
             const double   *packed_g,
             double         *scratch,
             gsize           col0,
             gsize           col1)
{
  gsize rows = s->rows, m = s->m, r = s->r;
  g_autofree double *xht = g_new (double, MAX (rows * r, 1));
  g_autofree double *wtx = g_new (double, r * m);
  g_autofree double *want_wtx = g_new (double, r * m);
  FsProductsArgs args = {
    .impl = impl, .X = s->X, .rows = rows, .m = m, .r = r, .W = s->W, .H = s->H,
    .packed_h = packed_h, .gram_w = s->gram_w, .packed_gram_w = packed_g,
    .gram_h = s->gram_h, .col0 = col0, .col1 = col1, .scratch = scratch,
    .xht = xht, .wtx = wtx,
  };

  for (gsize k = 0; k < rows * r; k++)
    xht[k] = 1e300;
  for (gsize k = 0; k < r * m; k++)
    wtx[k] = -1e300;
  for (gsize k = 0; k < r; k++)
    for (gsize j = 0; j < m; j++)
      want_wtx[k * m + j] = s->wtx[k * m + j] + (j >= col0 && j < col1 ? s->gram_h_h[k * m + j] : 0.0);

  fs_products_rows (&args);
  check_outputs (impl, s, col0, col1, xht, wtx, want_wtx, 1.0);

  args.accumulate = TRUE;
  fs_products_rows (&args);
  for (gsize k = 0; k < r * m; k++)
    want_wtx[k] *= 2.0;
  check_outputs (impl, s, col0, col1, xht, wtx, want_wtx, 2.0);
}

/* Every column range of gram_h H: all, a middle part, none. */
static void
check_shape (FsProductsImpl  impl,
             const Shape    *s)
{
  gsize m = s->m, r = s->r;
  g_autofree double *packed_h = g_new0 (double, fs_products_packed_len (impl, r, m) + 1);
  g_autofree double *packed_g = g_new0 (double, fs_products_packed_len (impl, r, r) + 1);
  g_autofree double *scratch = g_new0 (double, fs_products_scratch_len (impl, r) + 1);

  /* Packing in two column ranges must give the same as one. */
  fs_products_pack (impl, s->H, r, m, 0, m / 3, packed_h);
  fs_products_pack (impl, s->H, r, m, m / 3, m, packed_h);
  fs_products_pack (impl, s->gram_w, r, r, 0, r, packed_g);

  check_range (impl, s, packed_h, packed_g, scratch, 0, m);
  check_range (impl, s, packed_h, packed_g, scratch, m / 3, m - m / 4);
  check_range (impl, s, packed_h, packed_g, scratch, m, m);
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
          g_error ("%s grams, %" G_GSIZE_FORMAT " rows, %" G_GSIZE_FORMAT " columns, rank %"
                   G_GSIZE_FORMAT ": (%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") off by %.3g and %.3g",
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
          Shape s;

          if (rows * m * r > 2000000)
            continue;
          shape_init (&s, rows, m, r);
          check_shape (impl, &s);
          shape_clear (&s);
          check_grams (impl, rows, m, r);
        }
}

static void
test_blas (void)
{
  check_impl (FS_PRODUCTS_BLAS);
}

/* The fastest implementation this CPU runs, or fewer where
 * FACTORSCOPE_PRODUCTS names one (as for factorscope-cli): with "avx2",
 * the suite runs as on a CPU without AVX-512. */
static FsProductsImpl
cpu_impl (void)
{
  FsProductsImpl most;

  if (!fs_products_impl_from_name (g_getenv ("FACTORSCOPE_PRODUCTS"), &most))
    g_error ("FACTORSCOPE_PRODUCTS=%s names no implementation", g_getenv ("FACTORSCOPE_PRODUCTS"));
  return fs_products_best_impl (most);
}

/* A vector path (the data is the FsProductsImpl): registered only where
 * the CPU runs it. */
static void
test_vector_impl (gconstpointer data)
{
  check_impl ((FsProductsImpl) GPOINTER_TO_INT (data));
}

/* A name caps what fs_products_best_impl returns at the CPU's. */
static void
test_impl_from_name (void)
{
  FsProductsImpl best = fs_products_best_impl (FS_PRODUCTS_AVX512);
  FsProductsImpl impl = FS_PRODUCTS_AVX2;

  g_assert_true (fs_products_impl_from_name ("blas", &impl));
  g_assert_cmpint (fs_products_best_impl (impl), ==, FS_PRODUCTS_BLAS);
  g_assert_true (fs_products_impl_from_name ("AVX2", &impl));
  g_assert_cmpint (fs_products_best_impl (impl), ==, MIN (best, FS_PRODUCTS_AVX2));
  g_assert_true (fs_products_impl_from_name ("avx512", &impl));
  g_assert_cmpint (fs_products_best_impl (impl), ==, best);
  g_assert_false (fs_products_impl_from_name ("sse9", &impl));
  g_assert_cmpint (impl, ==, FS_PRODUCTS_AVX512);
  g_assert_true (fs_products_impl_from_name (NULL, &impl));
  g_assert_cmpint (fs_products_best_impl (impl), ==, best);
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

/* Every index runs exactly once per run, however many runs. Each run is
 * a hand-off to the workers and back, 100 to 300 µs on a busy 2-core
 * machine, so a few hundred runs per thread count are enough. */
#define POOL_RUNS 500

static void
test_pool (void)
{
  for (guint threads = 1; threads <= 4; threads++)
    {
      g_autoptr(FsPool) pool = fs_pool_new (threads, 0);
      gint counts[4] = { 0 };

      g_assert_cmpuint (fs_pool_get_threads (pool), ==, threads);
      for (guint run = 0; run < POOL_RUNS; run++)
        fs_pool_run (pool, count_index, counts);
      for (guint i = 0; i < 4; i++)
        g_assert_cmpint (counts[i], ==, i < threads ? POOL_RUNS : 0);
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

  fs_params_init_defaults (&p);
  /* At most this implementation: the CPU's best where it has no better. */
  g_assert_true (fs_products_impl_from_name (impl, &p.products));
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
  return solver;
}

/* A run splits into shares differently with each thread count (the step
 * too) and sums in a different order with each implementation; the
 * iterates agree all the same, for every rule, on a matrix of several
 * tiles, dense and with missing cells. */
static void
test_solver_threads_agree (void)
{
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);
  FsProductsImpl most = cpu_impl ();

  for (guint missing = 0; missing < 2; missing++)
    for (const FsRule *rule = rules; rule < rules + n_rules; rule++)
      {
        g_autoptr(FsMatrix) X = fs_test_random_matrix (301, 233, 77, missing ? 0.1 : 0.0);
        g_autoptr(FsSolver) reference = run_solver (X, rule, 1, "blas");
        double ref_cost = fs_solver_get_cost (reference);

        g_assert_cmpuint (fs_solver_get_iteration (reference), ==, 30);
        g_assert_cmpfloat (ref_cost, <, fs_cost_log_get (fs_solver_get_log (reference), 0));

        /* With missing cells every solver takes the OpenBLAS path; one
         * thread with it is the reference itself. */
        for (guint threads = 1; threads <= 3; threads++)
          for (guint i = threads == 1 ? 1 : 0; i <= (missing ? 0 : (guint) most); i++)
            {
              g_autoptr(FsSolver) solver = run_solver (X, rule, threads, fs_products_impl_name (i));

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
  /* Only what the CPU runs: a test skipped in CI checks nothing. */
  if (cpu_impl () >= FS_PRODUCTS_AVX2)
    g_test_add_data_func ("/products/avx2", GINT_TO_POINTER (FS_PRODUCTS_AVX2), test_vector_impl);
  if (cpu_impl () >= FS_PRODUCTS_AVX512)
    g_test_add_data_func ("/products/avx512", GINT_TO_POINTER (FS_PRODUCTS_AVX512), test_vector_impl);
  g_test_add_func ("/products/impl-from-name", test_impl_from_name);
  g_test_add_func ("/products/pool", test_pool);
  g_test_add_func ("/products/solver-threads-agree", test_solver_threads_agree);

  return g_test_run ();
}
