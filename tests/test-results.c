/* test-results.c: a run's results as files (fs-results.c, fs-csv.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-loader.h"
#include "fs-npy.h"
#include "fs-results.h"
#include "fs-sparse.h"
#include "fs-test-util.h"

#define RANK 2

static char *
real_file (const char *folder,
           const char *name)
{
  return g_build_filename (g_getenv ("FS_TEST_DATA"), folder, name, NULL);
}

static FsMatrix *
load_real (const char *name)
{
  g_autofree char *path = real_file ("csv", name);
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  return X;
}

/* Factors with values of every length: k / 7 and the like. */
static void
make_factors (const FsMatrix  *X,
              double         **W,
              double         **H)
{
  *W = g_new (double, X->rows * RANK);
  *H = g_new (double, RANK * X->cols);
  for (gsize k = 0; k < X->rows * RANK; k++)
    (*W)[k] = (double) (k + 1) / 7.0;
  for (gsize k = 0; k < RANK * X->cols; k++)
    (*H)[k] = 1.0 / (double) (k + 3);
}

static GBytes *
encode (FsResult        result,
        FsDataFormat    format,
        const FsMatrix *X,
        const double   *W,
        const double   *H)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = fs_results_encode_matrix (result, format, X, W, H, RANK, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static FsMatrix *
load_bytes (const char *name,
            GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  FsMatrix *m = fs_matrix_load_data (name, data, len, &error);

  g_assert_no_error (error);
  return m;
}

static char *
first_line (GBytes *bytes)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);

  return g_strndup (text, strcspn (text, "\n"));
}

/* W H as fs-results computes it, for the comparisons below. */
static double
product_cell (const FsMatrix *X,
              const double   *W,
              const double   *H,
              gsize           i,
              gsize           j)
{
  double sum = 0.0;

  for (guint k = 0; k < RANK; k++)
    sum += W[i * RANK + k] * H[k * X->cols + j];
  return sum;
}

/* A labelled matrix: W keeps its row labels, H its column labels, both
 * name the components c1, c2; WH and X − WH keep both. Our loader reads
 * each back with its labels and its numbers bit for bit. */
static void
test_labels (void)
{
  g_autoptr(FsMatrix) X = load_real ("R_USArrests.csv");
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  const char *headers[] = {
    "\"\",c1,c2", "\"\",Murder,Assault,UrbanPop,Rape",
    "\"\",Murder,Assault,UrbanPop,Rape", "\"\",Murder,Assault,UrbanPop,Rape",
  };

  make_factors (X, &W, &H);
  for (FsResult r = FS_RESULT_W; r < FS_RESULT_LOSS; r++)
    {
      g_autoptr(GBytes) csv = encode (r, FS_DATA_CSV, X, W, H);
      g_autoptr(FsMatrix) back = load_bytes ("result.csv", csv);
      g_autofree char *header = first_line (csv);
      gboolean rows_are_components = r == FS_RESULT_H;

      g_assert_cmpstr (header, ==, headers[r]);
      g_assert_cmpuint (back->rows, ==, rows_are_components ? RANK : X->rows);
      g_assert_cmpuint (back->cols, ==, r == FS_RESULT_W ? RANK : X->cols);
      g_assert_cmpstr (back->row_labels[0], ==, rows_are_components ? "c1" : "Alabama");
      g_assert_cmpstr (back->row_labels[back->rows - 1], ==,
                       rows_are_components ? "c2" : "Wyoming");
      g_assert_cmpstr (back->col_labels[back->cols - 1], ==, r == FS_RESULT_W ? "c2" : "Rape");

      for (gsize i = 0; i < back->rows; i++)
        for (gsize j = 0; j < back->cols; j++)
          {
            double got = back->data[i * back->cols + j];
            double want = r == FS_RESULT_W ? W[i * RANK + j]
                        : r == FS_RESULT_H ? H[i * X->cols + j]
                        : r == FS_RESULT_WH ? product_cell (X, W, H, i, j)
                        : X->data[i * X->cols + j] - product_cell (X, W, H, i, j);

            /* The product is BLAS's; its sums may round otherwise. */
            if (r >= FS_RESULT_WH)
              g_assert_cmpfloat (fabs (got - want), <=, 1e-12 * fmax (1.0, fabs (want)));
            else
              g_assert_cmpmem (&got, sizeof got, &want, sizeof want);
          }
    }
}

/* Without labels: rows 1, 2, …, columns V1, V2, …; X − WH is NaN where X
 * is missing, and the loader reads that cell as missing. */
static void
test_no_labels_missing (void)
{
  g_autoptr(FsMatrix) X = load_real ("R_airquality_NA.csv");
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autoptr(GBytes) residual = NULL;
  g_autoptr(GBytes) wh = NULL;
  g_autoptr(FsMatrix) back = NULL;
  g_autoptr(FsMatrix) wh_back = NULL;
  g_autofree char *header = NULL;
  gsize missing = 0;

  g_assert_null (X->row_labels);
  g_assert_cmpuint (X->n_missing, >, 0);
  make_factors (X, &W, &H);
  residual = encode (FS_RESULT_RESIDUAL, FS_DATA_CSV, X, W, H);
  header = first_line (residual);
  g_assert_cmpstr (header, ==, "\"\",Ozone,Solar.R,Wind,Temp,Month,Day");
  back = load_bytes ("residual.csv", residual);
  g_assert_cmpstr (back->row_labels[0], ==, "1");
  g_assert_cmpstr (back->row_labels[X->rows - 1], ==, "153");
  g_assert_cmpuint (back->n_missing, ==, X->n_missing);
  for (gsize k = 0; k < X->rows * X->cols; k++)
    if (isnan (X->data[k]))
      {
        g_assert_true (isnan (back->data[k]));
        missing++;
      }
  g_assert_cmpuint (missing, ==, X->n_missing);
  g_assert_nonnull (strstr (g_bytes_get_data (residual, NULL), ",NaN"));

  /* WH has every cell. */
  wh = encode (FS_RESULT_WH, FS_DATA_CSV, X, W, H);
  wh_back = load_bytes ("WH.csv", wh);
  g_assert_cmpuint (wh_back->n_missing, ==, 0);

  {
    g_autoptr(FsMatrix) bare = fs_matrix_new_from_data (2, 3, X->data, NULL);
    g_autoptr(GBytes) h = encode (FS_RESULT_H, FS_DATA_CSV, bare, W, H);
    g_autofree char *h_header = first_line (h);

    g_assert_cmpstr (h_header, ==, "\"\",V1,V2,V3");
  }
}

/* Each number in the fewest digits that read back, a point whatever the
 * locale says, -0.0 for negative zero and NaN for a missing cell. */
static void
check_numbers (void)
{
  const struct
  {
    double      value;
    const char *text;
  } cases[] = {
    { 0.1, "0.1" },                                   /* 15 digits are enough */
    { 1.0 / 3.0, "0.3333333333333333" },              /* 16 */
    { 0.1 + 0.2, "0.30000000000000004" },             /* 17 */
    { 123456789012345.6, "123456789012345.6" },
    { -2.5, "-2.5" },
    { -0.0, "-0.0" },
    { 1e-300, "1e-300" },
    { 1.7976931348623157e308, "1.7976931348623157e+308" },
    { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    { NAN, "NaN" },
    { 42.0, "42" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      double back;

      fs_csv_append_number (out, cases[k].value);
      g_assert_cmpstr (out->str, ==, cases[k].text);
      back = g_ascii_strtod (out->str, NULL);
      if (isnan (cases[k].value))
        g_assert_true (isnan (back));
      else
        g_assert_cmpmem (&back, sizeof back, &cases[k].value, sizeof back);
    }
}

static void
test_numbers (void)
{
  check_numbers ();
}

static void
test_numbers_decimal_comma (void)
{
  g_autofree char *old = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(FsMatrix) X = load_real ("R_USArrests.csv");
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(FsMatrix) back = NULL;

  g_assert_nonnull (setlocale (LC_ALL, "de_DE.UTF-8"));
  check_numbers ();

  /* Commas separate fields only: 4 per line of W. */
  make_factors (X, &W, &H);
  csv = encode (FS_RESULT_W, FS_DATA_CSV, X, W, H);
  {
    g_auto(GStrv) lines = g_strsplit (g_bytes_get_data (csv, NULL), "\n", -1);

    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
      {
        guint commas = 0;

        for (const char *c = lines[i]; *c != '\0'; c++)
          commas += *c == ',';
        g_assert_cmpuint (commas, ==, RANK);
      }
  }
  back = load_bytes ("W.csv", csv);
  g_assert_cmpmem (back->data, X->rows * RANK * sizeof (double), W, X->rows * RANK * sizeof (double));
  setlocale (LC_ALL, old);
}

/* .npy: the same numbers, without labels, as NumPy reads them. */
static void
test_npy (void)
{
  g_autoptr(FsMatrix) X = load_real ("R_USArrests.csv");
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autoptr(GBytes) w = NULL;
  g_autoptr(GBytes) residual = NULL;
  g_autoptr(FsMatrix) w_back = NULL;
  g_autoptr(FsMatrix) residual_back = NULL;
  g_autoptr(GBytes) residual_csv = NULL;
  g_autoptr(FsMatrix) residual_csv_back = NULL;

  make_factors (X, &W, &H);
  w = encode (FS_RESULT_W, FS_DATA_NPY, X, W, H);
  g_assert_true (memcmp (g_bytes_get_data (w, NULL), FS_NPY_MAGIC, 6) == 0);
  w_back = load_bytes ("W.npy", w);
  g_assert_cmpuint (w_back->rows, ==, X->rows);
  g_assert_cmpuint (w_back->cols, ==, RANK);
  g_assert_null (w_back->row_labels);
  g_assert_cmpmem (w_back->data, X->rows * RANK * sizeof (double), W, X->rows * RANK * sizeof (double));

  /* The CSV and the .npy hold the same X − WH, bit for bit. */
  residual = encode (FS_RESULT_RESIDUAL, FS_DATA_NPY, X, W, H);
  residual_csv = encode (FS_RESULT_RESIDUAL, FS_DATA_CSV, X, W, H);
  residual_back = load_bytes ("residual.npy", residual);
  residual_csv_back = load_bytes ("residual.csv", residual_csv);
  g_assert_cmpmem (residual_back->data, X->rows * X->cols * sizeof (double),
                   residual_csv_back->data, X->rows * X->cols * sizeof (double));
}

/* The loss history: a row per iteration, a column per run named by its
 * seed, NaN after a run's end. */
static void
test_loss (void)
{
  g_autoptr(FsCostLog) a = fs_cost_log_new ();
  g_autoptr(FsCostLog) b = fs_cost_log_new ();
  FsCostLog *logs[] = { a, b };
  const gsize lengths[] = { 4, 2 };
  const guint64 seeds[] = { 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(GBytes) npy = NULL;
  g_autoptr(GBytes) single = NULL;
  g_autoptr(FsMatrix) back = NULL;
  g_autoptr(FsMatrix) npy_back = NULL;
  g_autofree char *single_header = NULL;

  for (guint t = 0; t < 5; t++)
    {
      fs_cost_log_append (a, 10.0 / (t + 1));
      fs_cost_log_append (b, 20.0 / (t + 1));
    }
  csv = fs_results_encode_loss (FS_DATA_CSV, logs, lengths, seeds, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_bytes_get_data (csv, NULL), ==,
                   "iteration,seed_3,seed_4\n"
                   "\"0\",10,20\n"
                   "\"1\",5,10\n"
                   "\"2\",3.3333333333333335,NaN\n"
                   "\"3\",2.5,NaN\n");
  back = load_bytes ("loss.csv", csv);
  g_assert_cmpuint (back->rows, ==, 4);
  g_assert_cmpstr (back->row_labels[3], ==, "3");
  g_assert_cmpstr (back->col_labels[1], ==, "seed_4");

  npy = fs_results_encode_loss (FS_DATA_NPY, logs, lengths, seeds, 2, &error);
  g_assert_no_error (error);
  npy_back = load_bytes ("loss.npy", npy);
  g_assert_cmpuint (npy_back->rows, ==, 4);
  g_assert_cmpuint (npy_back->cols, ==, 2);
  g_assert_true (isnan (npy_back->data[7]));

  single = fs_results_encode_loss (FS_DATA_CSV, logs, lengths, NULL, 1, &error);
  g_assert_no_error (error);
  single_header = first_line (single);
  g_assert_cmpstr (single_header, ==, "iteration,cost");
}

static void
test_names (void)
{
  const char *names[] = { "W", "H", "WH", "residual", "loss" };
  FsResult result;
  FsDataFormat format;
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < FS_N_RESULTS; k++)
    {
      g_assert_true (fs_result_from_string (names[k], &result));
      g_assert_cmpint (result, ==, (FsResult) k);
      g_assert_cmpstr (fs_result_get_file_name (result), ==, names[k]);
      g_assert_nonnull (fs_result_get_label (result));
    }
  g_assert_cmpstr (fs_result_get_label (FS_RESULT_RESIDUAL), ==, "X − WH");
  g_assert_false (fs_result_from_string ("X", &result));
  g_assert_false (fs_result_from_string (NULL, &result));

  g_assert_true (fs_data_format_from_path ("a/b/W.CSV", &format, &error));
  g_assert_cmpint (format, ==, FS_DATA_CSV);
  g_assert_true (fs_data_format_from_path ("W.npy", &format, &error));
  g_assert_cmpint (format, ==, FS_DATA_NPY);
  g_assert_false (fs_data_format_from_path ("W.xlsx", &format, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "W.xlsx"));
  g_assert_nonnull (strstr (error->message, ".npy"));
}

/* A write that fails leaves the old file as it was, and no temporary
 * file; an error names the path. */
static void
test_write_atomic (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "W.csv", NULL);
  g_autofree char *nowhere = g_build_filename (dir, "missing", "W.csv", NULL);
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (256 * 1024), 256 * 1024);
  g_autoptr(GBytes) small = g_bytes_new_static ("new\n", 4);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  struct rlimit old_limit, limit = { 64 * 1024, 64 * 1024 };
  g_autoptr(GDir) d = NULL;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (path, "old\n", -1, NULL));

  /* Past a file-size limit: write () fails with EFBIG once SIGXFSZ is
   * ignored. */
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit.rlim_max = old_limit.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_false (fs_results_write (path, big, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "old\n");
  g_clear_error (&error);

  g_assert_false (fs_results_write (nowhere, small, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, nowhere));
  g_clear_error (&error);

  g_assert_true (fs_results_write (path, small, &error));
  g_assert_no_error (error);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "new\n");

  /* Only W.csv is left: no temporary file. */
  d = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (d), ==, "W.csv");
  g_assert_null (g_dir_read_name (d));
  g_unlink (path);
  g_rmdir (dir);
}

/* A sparse X of rows × cols whose cells (i, (7 i) % cols) for i < count
 * hold i + 1. */
static FsMatrix *
sparse_diagonal (gsize rows,
                 gsize cols,
                 gsize count)
{
  g_autofree guint32 *cell_rows = g_new (guint32, count);
  g_autofree guint32 *cell_cols = g_new (guint32, count);
  g_autofree double *values = g_new (double, count);
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize k = 0; k < count; k++)
    {
      cell_rows[k] = (guint32) k;
      cell_cols[k] = (guint32) ((7 * k) % cols);
      values[k] = (double) (k + 1);
    }
  sparse = fs_sparse_new_from_cells (rows, cols, cell_rows, cell_cols, values, count, NULL,
                                     &error);
  g_assert_no_error (error);
  return fs_matrix_new_sparse (sparse);
}

/* W and H of a sparse X too large to hold in full are checked at their
 * own shapes, and written. */
static void
test_sparse_large_factors (void)
{
  g_autoptr(FsMatrix) X = sparse_diagonal (200000, 200000, 100);
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autoptr(GBytes) w = NULL;
  g_autoptr(GBytes) h = NULL;
  g_autoptr(GError) error = NULL;

  make_factors (X, &W, &H);
  w = encode (FS_RESULT_W, FS_DATA_CSV, X, W, H);
  h = encode (FS_RESULT_H, FS_DATA_NPY, X, W, H);
  g_assert_cmpuint (g_bytes_get_size (h), >, RANK * 200000 * sizeof (double));
  g_assert_null (fs_results_encode_matrix (FS_RESULT_WH, FS_DATA_CSV, X, W, H, RANK, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
}

/* W H of a small sparse X is written in full, from W and H; X − W H,
 * which needs every cell of X, is refused. */
static void
test_sparse_product (void)
{
  g_autoptr(FsMatrix) X = sparse_diagonal (9, 5, 4);
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  g_autoptr(GBytes) wh = NULL;
  g_autoptr(FsMatrix) back = NULL;
  g_autoptr(GError) error = NULL;

  make_factors (X, &W, &H);
  wh = encode (FS_RESULT_WH, FS_DATA_CSV, X, W, H);
  back = load_bytes ("WH.csv", wh);
  g_assert_cmpuint (back->rows, ==, 9);
  g_assert_cmpuint (back->cols, ==, 5);
  for (gsize i = 0; i < 9; i++)
    for (gsize j = 0; j < 5; j++)
      {
        double want = product_cell (X, W, H, i, j);

        g_assert_cmpfloat (fabs (fs_matrix_get (back, i, j) - want), <=, 1e-12 * fmax (1.0, fabs (want)));
      }
  g_assert_null (fs_results_encode_matrix (FS_RESULT_RESIDUAL, FS_DATA_CSV, X, W, H, RANK,
                                           &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/results/labels", test_labels);
  g_test_add_func ("/results/labels/none-and-missing", test_no_labels_missing);
  g_test_add_func ("/results/numbers", test_numbers);
  g_test_add_func ("/results/numbers/decimal-comma", test_numbers_decimal_comma);
  g_test_add_func ("/results/npy", test_npy);
  g_test_add_func ("/results/loss", test_loss);
  g_test_add_func ("/results/names", test_names);
  g_test_add_func ("/results/write-atomic", test_write_atomic);
  g_test_add_func ("/results/sparse/large-factors", test_sparse_large_factors);
  g_test_add_func ("/results/sparse/product", test_sparse_product);

  return g_test_run ();
}
