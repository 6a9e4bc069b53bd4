/* test-float32.c: single precision (FsParams.dtype FS_DTYPE_FLOAT32):
 * the float kernels against double products on shapes that hit every edge
 * of their tiling, the solver's float32 runs against float64 ones and the
 * peers' float32 figure, with missing and held-out cells, and the
 * refusal on sparse matrices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fs-examples.h"
#include "fs-params.h"
#include "fs-products.h"
#include "fs-rules.h"
#include "fs-session-file.h"
#include "fs-solver.h"
#include "fs-sparse.h"
#include "fs-test-util.h"

/* One shape's float inputs, and the products in double from them (summed
 * in long double), with the sums of |terms| that bound a float sum's
 * rounding. */
typedef struct
{
  gsize   rows, m, r, lanes;
  float  *X, *W, *H, *gram_w, *gram_h;
  double *Hd, *gram_wd;    /* H and gram_w as doubles, for the packing */
  double *xht, *xht_abs;   /* X H^T + W gram_w */
  double *wtx, *wtx_abs;   /* W^T X */
  double *ghh, *ghh_abs;   /* gram_h H */
} Shape;

static void
fill_floats (float   *dst,
             double  *as_double,
             gsize    len,
             guint64  key)
{
  g_autofree double *v = g_new (double, len);

  fs_random_fill_signed (key, v, len);
  for (gsize k = 0; k < len; k++)
    {
      dst[k] = (float) v[k];
      if (as_double != NULL)
        as_double[k] = dst[k];
    }
}

static void
symmetrize (float  *g,
            double *gd,
            gsize   r)
{
  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < i; j++)
      {
        g[i * r + j] = g[j * r + i];
        if (gd != NULL)
          gd[i * r + j] = gd[j * r + i];
      }
}

static void
reference_xht (Shape *s)
{
  for (gsize i = 0; i < s->rows; i++)
    for (gsize k = 0; k < s->r; k++)
      {
        long double sum = 0, abs = 0;

        for (gsize j = 0; j < s->m; j++)
          {
            long double t = (long double) s->X[i * s->m + j] * s->H[k * s->m + j];

            sum += t;
            abs += fabsl (t);
          }
        for (gsize l = 0; l < s->r; l++)
          {
            long double t = (long double) s->W[i * s->r + l] * s->gram_w[l * s->r + k];

            sum += t;
            abs += fabsl (t);
          }
        s->xht[i * s->r + k] = (double) sum;
        s->xht_abs[i * s->r + k] = (double) abs;
      }
}

static void
reference_wtx (Shape *s)
{
  for (gsize k = 0; k < s->r; k++)
    for (gsize j = 0; j < s->m; j++)
      {
        long double sum = 0, abs = 0, g = 0, gabs = 0;

        for (gsize i = 0; i < s->rows; i++)
          {
            long double t = (long double) s->W[i * s->r + k] * s->X[i * s->m + j];

            sum += t;
            abs += fabsl (t);
          }
        for (gsize l = 0; l < s->r; l++)
          {
            long double t = (long double) s->gram_h[k * s->r + l] * s->H[l * s->m + j];

            g += t;
            gabs += fabsl (t);
          }
        s->wtx[k * s->m + j] = (double) sum;
        s->wtx_abs[k * s->m + j] = (double) abs;
        s->ghh[k * s->m + j] = (double) g;
        s->ghh_abs[k * s->m + j] = (double) gabs;
      }
}

static void
shape_init (Shape *s,
            gsize  rows,
            gsize  m,
            gsize  r)
{
  guint64 key = 1000 * rows + 10 * m + r;

  *s = (Shape) { .rows = rows, .m = m, .r = r, .lanes = fs_products_f32_lanes (r) };
  s->X = g_new (float, MAX (rows * m, 1));
  s->W = g_new (float, MAX (rows * r, 1));
  s->H = g_new (float, r * m);
  s->gram_w = g_new (float, r * r);
  s->gram_h = g_new (float, r * r);
  s->Hd = g_new (double, r * m);
  s->gram_wd = g_new (double, r * r);
  fill_floats (s->X, NULL, rows * m, key);
  fill_floats (s->W, NULL, rows * r, key + 1);
  fill_floats (s->H, s->Hd, r * m, key + 2);
  fill_floats (s->gram_w, s->gram_wd, r * r, key + 3);
  fill_floats (s->gram_h, NULL, r * r, key + 4);
  symmetrize (s->gram_w, s->gram_wd, r);
  symmetrize (s->gram_h, NULL, r);
  s->xht = g_new (double, MAX (rows * r, 1));
  s->xht_abs = g_new (double, MAX (rows * r, 1));
  s->wtx = g_new (double, r * m);
  s->wtx_abs = g_new (double, r * m);
  s->ghh = g_new (double, r * m);
  s->ghh_abs = g_new (double, r * m);
  reference_xht (s);
  reference_wtx (s);
}

static void
shape_clear (Shape *s)
{
  g_free (s->X); g_free (s->W); g_free (s->H); g_free (s->gram_w); g_free (s->gram_h);
  g_free (s->Hd); g_free (s->gram_wd);
  g_free (s->xht); g_free (s->xht_abs); g_free (s->wtx); g_free (s->wtx_abs);
  g_free (s->ghh); g_free (s->ghh_abs);
}

/* A float sum of n terms is within about n eps32 of their absolute sum;
 * the kernels sum in shorter runs, and 4 eps32 per term is plenty. */
static void
check_close (const char *what,
             const Shape *s,
             double      got,
             double      want,
             double      abs_sum,
             gsize       terms)
{
  double tol = 4.0 * FLT_EPSILON * (double) MAX (terms, 1) * abs_sum + 1e-30;

  if (fabs (got - want) > tol)
    g_error ("%s of %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT " rank %" G_GSIZE_FORMAT
             ": %.9g, want %.9g (tolerance %.3g)", what, s->rows, s->m, s->r, got, want, tol);
}

/* The products with gram_h H on col0 .. col1, then once more accumulated
 * with no columns: wtx doubles, xht stays. */
static void
check_range (FsProductsImpl  impl,
             const Shape    *s,
             const float    *packed_h,
             const float    *packed_g,
             float          *scratch,
             gsize           col0,
             gsize           col1)
{
  g_autofree float *xht = g_new0 (float, MAX (s->rows, 1) * s->lanes);
  g_autofree float *wtx = g_new0 (float, s->r * s->m);
  FsProductsF32Args args = {
    .impl = impl, .X = s->X, .rows = s->rows, .m = s->m, .r = s->r, .W = s->W, .H = s->H,
    .packed_h = packed_h, .gram_w = s->gram_w, .packed_gram_w = packed_g,
    .gram_h = s->gram_h, .col0 = col0, .col1 = col1, .scratch = scratch,
    .xht = xht, .wtx = wtx,
  };

  for (int pass = 1; pass <= 2; pass++)
    {
      fs_products_f32_rows (&args);
      for (gsize i = 0; i < s->rows; i++)
        for (gsize k = 0; k < s->r; k++)
          check_close ("xht", s, xht[i * s->lanes + k], s->xht[i * s->r + k],
                       s->xht_abs[i * s->r + k], s->m + s->r);
      for (gsize k = 0; k < s->r; k++)
        for (gsize j = 0; j < s->m; j++)
          {
            gsize c = k * s->m + j;
            gboolean gram = j >= col0 && j < col1;

            check_close ("wtx", s, wtx[c], pass * s->wtx[c] + (gram ? s->ghh[c] : 0.0),
                         pass * s->wtx_abs[c] + (gram ? s->ghh_abs[c] : 0.0),
                         pass * s->rows + s->r);
          }
      args.accumulate = TRUE;
      args.col0 = args.col1 = 0;
    }
}

static void
check_shape (FsProductsImpl impl,
             gsize          rows,
             gsize          m,
             gsize          r)
{
  Shape s;
  g_autofree float *packed_h = NULL;
  g_autofree float *packed_g = NULL;
  g_autofree float *scratch = NULL;

  shape_init (&s, rows, m, r);
  packed_h = g_new0 (float, fs_products_f32_packed_len (impl, r, m) + 1);
  packed_g = g_new0 (float, fs_products_f32_packed_len (impl, r, r) + 1);
  scratch = g_new0 (float, fs_products_f32_scratch_len (impl, r) + 1);
  /* Packed in two ranges of columns, as two threads would. */
  fs_products_f32_pack (impl, s.Hd, r, m, 0, m / 3, packed_h);
  fs_products_f32_pack (impl, s.Hd, r, m, m / 3, m, packed_h);
  fs_products_f32_pack (impl, s.gram_wd, r, r, 0, r, packed_g);

  check_range (impl, &s, packed_h, packed_g, scratch, 0, m);
  check_range (impl, &s, packed_h, packed_g, scratch, m / 3, m - m / 4);
  check_range (impl, &s, packed_h, packed_g, scratch, m, m);
  shape_clear (&s);
}

/* Ranks on both sides of every vector width (8, 16) and block (24, 48),
 * one row, one column, and tiles of 128 rows and 384 columns with a
 * piece over. */
static void
check_impl (FsProductsImpl impl)
{
  static const gsize shapes[][3] = {
    { 1, 1, 1 }, { 1, 37, 3 }, { 5, 1, 1 }, { 6, 1, 2 }, { 3, 17, 7 }, { 9, 33, 8 },
    { 11, 49, 9 }, { 13, 50, 15 }, { 14, 47, 16 }, { 17, 65, 17 }, { 25, 100, 24 },
    { 26, 97, 25 }, { 30, 123, 33 }, { 19, 61, 41 }, { 41, 200, 47 }, { 33, 150, 48 },
    { 12, 99, 49 }, { 50, 210, 50 }, { 7, 40, 57 }, { 131, 389, 10 }, { 129, 770, 50 },
    { 0, 21, 5 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (shapes); k++)
    check_shape (impl, shapes[k][0], shapes[k][1], shapes[k][2]);
}

static void
test_products_blas (void)
{
  check_impl (FS_PRODUCTS_BLAS);
}

/* A vector path (the data is the FsProductsImpl): registered only where
 * the CPU runs it. */
static void
test_products_vector (gconstpointer data)
{
  check_impl ((FsProductsImpl) GPOINTER_TO_INT (data));
}

/* The solver on the peers' benchmark problem (shared/bench), the final
 * cost evaluated in float64, in the given precision. */
static double
bench_final_cost (gsize          n,
                  gsize          m,
                  guint          r,
                  const char    *rule,
                  FsDtype        dtype,
                  FsProductsImpl products,
                  guint          threads,
                  guint          iters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  FsParams params;

  g_assert_true (fs_bench_problem (n, m, r, 0, &X, &W0, &H0, &error));
  fs_params_init_defaults (&params);
  params.rank = r;
  params.rule = fs_rule_find (rule);
  params.lr = g_str_equal (rule, "plain") ? 1.0 / sqrt (fs_matrix_frobenius_sq (X)) : 0.05;
  params.l2_w = params.l2_h = 1e-3;
  params.max_iters = iters;
  params.threads = threads;
  params.products = products;
  params.dtype = dtype;
  solver = fs_solver_new (X, &params, &error);
  g_assert_no_error (error);
  fs_solver_start_from (solver, W0, H0);
  for (guint k = 0; k < iters; k++)
    fs_solver_iterate (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  return fs_solver_get_exact_cost (solver);
}

/* The peers' float32 final costs on 300 × 200 rank 10, 50 iterations,
 * seed 0, l2 1e-3 on both, default steps: printed by
 *   /usr/bin/python3 ../shared/bench/peer_numpy.py --n 300 --m 200 --r 10 \
 *     --iters 50 --threads 1 --dtype float32 --rule plain|normalized
 * (NumPy 1.24.2, OpenBLAS 0.3.21, on 2026-12-06). Their float64 figures
 * are 2.3546845852834597 and 9968.632566113096. */
#define PEER_F32_PLAIN 2.354684584606377
#define PEER_F32_NORMALIZED 9968.632584069463

/* Within 1e-6 of the float64 run and of the peers' float32 run, on every
 * implementation this CPU has, with one thread and two. */
static void
test_solver_close (void)
{
  FsProductsImpl best = fs_products_best_impl (FS_PRODUCTS_AVX512);

  for (int impl = FS_PRODUCTS_BLAS; impl <= (int) best; impl++)
    for (guint threads = 1; threads <= 2; threads++)
      {
        double plain64 = bench_final_cost (300, 200, 10, "plain", FS_DTYPE_FLOAT64, impl, threads, 50);
        double plain32 = bench_final_cost (300, 200, 10, "plain", FS_DTYPE_FLOAT32, impl, threads, 50);
        double norm64 = bench_final_cost (300, 200, 10, "normalized", FS_DTYPE_FLOAT64, impl, threads, 50);
        double norm32 = bench_final_cost (300, 200, 10, "normalized", FS_DTYPE_FLOAT32, impl, threads, 50);

        g_test_message ("%s, %u threads: plain %.12g / %.12g, normalized %.12g / %.12g",
                        fs_products_impl_name (impl), threads, plain32, plain64, norm32, norm64);
        g_assert_cmpfloat_with_epsilon (plain32 / plain64, 1.0, 1e-6);
        g_assert_cmpfloat_with_epsilon (norm32 / norm64, 1.0, 1e-6);
        g_assert_cmpfloat_with_epsilon (plain32 / PEER_F32_PLAIN, 1.0, 1e-6);
        g_assert_cmpfloat_with_epsilon (norm32 / PEER_F32_NORMALIZED, 1.0, 1e-6);
        /* Not the float64 run itself: the products did run in float. */
        g_assert_cmpfloat (plain32, !=, plain64);
      }
}

/* An odd shape (rank not a multiple of any vector, a last share of rows
 * not a multiple of 4) over many iterations: still within 1e-5. */
static void
test_solver_odd_shape (void)
{
  double c64 = bench_final_cost (203, 157, 13, "plain", FS_DTYPE_FLOAT64, FS_PRODUCTS_AVX512, 2, 300);
  double c32 = bench_final_cost (203, 157, 13, "plain", FS_DTYPE_FLOAT32, FS_PRODUCTS_AVX512, 2, 300);

  g_assert_cmpfloat_with_epsilon (c32 / c64, 1.0, 1e-5);
}

/* Missing and held-out cells (the masked path, in sgemm): the cost, the
 * held-out error and W after 200 iterations close to float64's. */
static void
test_solver_masked (void)
{
  g_autoptr(FsMatrix) X = fs_example_lowrank (120, 90, 4, 0.05, 3, NULL);
  FsSolver *solvers[2];
  FsParams params;

  for (gsize k = 0; k < X->rows * X->cols; k += 7)
    X->data[k] = NAN;
  fs_matrix_mark_missing (X);
  fs_params_init_defaults (&params);
  params.rank = 4;
  params.holdout = 0.2;
  params.max_iters = 200;
  params.l2_w = params.l2_h = 1e-3;
  params.threads = 2;
  for (int d = 0; d < 2; d++)
    {
      g_autoptr(GError) error = NULL;

      params.dtype = d == 0 ? FS_DTYPE_FLOAT64 : FS_DTYPE_FLOAT32;
      solvers[d] = fs_solver_new (X, &params, &error);
      g_assert_no_error (error);
      while (fs_solver_iterate (solvers[d]) == FS_STOP_NONE)
        ;
    }

  g_assert_cmpuint (fs_solver_get_iteration (solvers[1]), ==, fs_solver_get_iteration (solvers[0]));
  g_assert_cmpfloat_with_epsilon (fs_solver_get_cost (solvers[1]) / fs_solver_get_cost (solvers[0]),
                                  1.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (fs_solver_get_holdout_mse (solvers[1]) /
                                  fs_solver_get_holdout_mse (solvers[0]), 1.0, 1e-5);
  g_assert_cmpfloat (fs_test_rel_diff (fs_solver_get_w (solvers[1]), fs_solver_get_w (solvers[0]),
                                       X->rows * 4), <, 1e-4);
  g_assert_cmpfloat (fs_solver_get_cost (solvers[1]), !=, fs_solver_get_cost (solvers[0]));
  fs_solver_free (solvers[0]);
  fs_solver_free (solvers[1]);
}

/* A sparse matrix keeps its cells in double: float32 is refused, saying
 * what to do instead. */
static void
test_sparse_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) dense = fs_example_lowrank (20, 10, 2, 0.0, 1, NULL);
  g_autoptr(FsSparse) sparse = fs_sparse_new_from_dense (dense->rows, dense->cols, dense->data,
                                                         NULL, NULL);
  g_autoptr(FsMatrix) X = fs_matrix_new_sparse (sparse);
  FsParams params;

  fs_params_init_defaults (&params);
  params.rank = 2;
  params.dtype = FS_DTYPE_FLOAT32;
  g_assert_false (fs_params_validate (&params, X, &error));
  g_assert_nonnull (strstr (error->message, "dense"));
  g_assert_true (fs_params_validate (&params, dense, NULL));
}

static void
test_dtype_words (void)
{
  FsDtype dtype = FS_DTYPE_FLOAT64;

  g_assert_cmpstr (fs_dtype_to_string (FS_DTYPE_FLOAT32), ==, "float32");
  g_assert_true (fs_dtype_from_string ("FLOAT32", &dtype));
  g_assert_cmpint (dtype, ==, FS_DTYPE_FLOAT32);
  g_assert_false (fs_dtype_from_string ("float16", &dtype));
  g_assert_cmpint (dtype, ==, FS_DTYPE_FLOAT32);
}

/* A session file keeps the precision; one saved before float32 existed
 * (no "dtype") reads as float64; a word it does not know is refused,
 * naming the field; the command line it stands for asks for float32. */
static void
test_session_file (void)
{
  g_autoptr(FsSessionFile) file = fs_session_file_new ();
  g_autoptr(FsSessionFile) back = NULL;
  g_autoptr(FsSessionFile) old = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GString) edited = NULL;

  file->example = g_strdup ("lowrank");
  file->params.dtype = FS_DTYPE_FLOAT32;
  data = fs_session_file_to_data (file, NULL);
  g_assert_nonnull (strstr (data, "\"dtype\": \"float32\""));
  back = fs_session_file_from_data (data, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->params.dtype, ==, FS_DTYPE_FLOAT32);
  command = fs_session_file_to_command_line (back);
  g_assert_nonnull (strstr (command, "--dtype float32"));

  edited = g_string_new (data);
  g_string_replace (edited, ",\n    \"dtype\": \"float32\"", "", 1);
  g_assert_null (strstr (edited->str, "dtype"));
  old = fs_session_file_from_data (edited->str, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (old->params.dtype, ==, FS_DTYPE_FLOAT64);

  g_string_assign (edited, data);
  g_string_replace (edited, "\"float32\"", "\"float16\"", 1);
  g_assert_null (fs_session_file_from_data (edited->str, -1, NULL, &error));
  g_assert_nonnull (strstr (error->message, "dtype"));
}

/* Runs factorscope-cli (FS_CLI) and parses the JSON it prints. */
static JsonObject *
cli_json (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int status = 0;

  g_ptr_array_add (argv, (gpointer) g_getenv ("FS_CLI"));
  for (guint k = 0; args[k] != NULL; k++)
    g_ptr_array_add (argv, (gpointer) args[k]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* bench --dtype float32 prints "dtype": "float32" and the peers' final
 * cost to 1e-6; run --json keeps the precision in its settings; an
 * unknown word is refused. */
static void
test_cli (void)
{
  static const char *const bench[] = {
    "bench", "--n", "300", "--m", "200", "--r", "10", "--iters", "50", "--dtype", "float32", NULL
  };
  static const char *const run[] = {
    "run", "--example", "lowrank", "--iters", "20", "--dtype", "float32", "--json", NULL
  };
  g_autoptr(JsonObject) b = NULL;
  g_autoptr(JsonObject) r = NULL;
  const char *refused[] = { g_getenv ("FS_CLI"), "run", "--example", "lowrank", "--dtype",
                            "float16", NULL };
  g_autofree char *err = NULL;
  int status = 0;

  /* meson sets FS_CLI for this test: without it the test must fail, not skip. */
  g_assert_nonnull (g_getenv ("FS_CLI"));
  b = cli_json (bench);
  g_assert_cmpstr (json_object_get_string_member (b, "dtype"), ==, "float32");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (b, "final_cost") / PEER_F32_PLAIN,
                                  1.0, 1e-6);
  r = cli_json (run);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (r, "settings"),
                                                  "dtype"), ==, "float32");

  /* An exact fit (f* = 0): costs under the float rounding of the Gram
   * form are costed exactly, and its noise is no instability. */
  {
    static const char *const exact[] = {
      "run", "--example", "notebook", "--dtype", "float32", "--tol", "1e-7", "--json", NULL
    };
    g_autoptr(JsonObject) e = cli_json (exact);

    g_assert_cmpstr (json_object_get_string_member (e, "stopped"), ==, "tolerance");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (e, "warnings")), ==, 0);
    g_assert_cmpfloat (json_object_get_double_member (e, "final_cost"), >=, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (e, "final_cost"), <, 1e-10);
  }

  g_assert_true (g_spawn_sync (NULL, (char **) refused, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, &err, &status, NULL));
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, "float16"));
}

int
main (int    argc,
      char **argv)
{
  FsProductsImpl best = fs_products_best_impl (FS_PRODUCTS_AVX512);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/float32/products/blas", test_products_blas);
  if (best >= FS_PRODUCTS_AVX2)
    g_test_add_data_func ("/float32/products/avx2", GINT_TO_POINTER (FS_PRODUCTS_AVX2),
                          test_products_vector);
  if (best >= FS_PRODUCTS_AVX512)
    g_test_add_data_func ("/float32/products/avx512", GINT_TO_POINTER (FS_PRODUCTS_AVX512),
                          test_products_vector);
  g_test_add_func ("/float32/solver/close-to-float64", test_solver_close);
  g_test_add_func ("/float32/solver/odd-shape", test_solver_odd_shape);
  g_test_add_func ("/float32/solver/masked", test_solver_masked);
  g_test_add_func ("/float32/sparse-refused", test_sparse_refused);
  g_test_add_func ("/float32/dtype-words", test_dtype_words);
  g_test_add_func ("/float32/session-file", test_session_file);
  g_test_add_func ("/float32/cli", test_cli);

  return g_test_run ();
}
