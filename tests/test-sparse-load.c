/* test-sparse-load.c: reading matrices sparse (issue 18): Matrix Market
 * coordinate files and delimited text with mostly missing cells held as
 * their listed cells, the storage and zeros-are-values options for every
 * format, transposing and dropping columns of a sparse matrix, writing
 * one, the session file's "import" object and the command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "fs-analysis.h"
#include "fs-error.h"
#include "fs-loader.h"
#include "fs-matrix.h"
#include "fs-mtx.h"
#include "fs-session-file.h"
#include "fs-sparse.h"
#include "fs-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static char *
sparse_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "sparse", name, NULL);
}

static FsMatrix *
load_with (const char *name,
           FsStorage   storage,
           gboolean    zeros_are_values)
{
  g_autofree char *path = sparse_path (name);
  g_autoptr(GError) error = NULL;
  FsImportOptions options;
  FsMatrix *X;

  fs_import_options_init (&options);
  options.storage = storage;
  options.zeros_are_values = zeros_are_values;
  X = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (X);
  return X;
}

static FsMatrix *
parse_with (const char  *name,
            const char  *text,
            FsStorage    storage,
            gboolean     zeros_are_values,
            GError     **error)
{
  FsImportOptions options;

  fs_import_options_init (&options);
  options.storage = storage;
  options.zeros_are_values = zeros_are_values;
  return fs_matrix_load_data_full (name, (const guint8 *) text, strlen (text), &options, NULL,
                                   NULL, NULL, error);
}

/* The entries of a general coordinate file, read with sscanf, the first
 * value of a repeated cell kept: NAN where none is listed. */
static double *
expected_cells (const char *name,
                gsize      *rows,
                gsize      *cols,
                gsize      *listed,
                gsize      *repeats)
{
  g_autofree char *path = sparse_path (name);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  double *want = NULL;
  gboolean sized = FALSE;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  *listed = *repeats = 0;
  for (guint k = 0; lines[k] != NULL; k++)
    {
      gsize i, j, n;
      double v;

      if (lines[k][0] == '%' || lines[k][0] == '\0')
        continue;
      if (!sized)
        {
          g_assert_cmpint (sscanf (lines[k], "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT, rows, cols, &n), ==, 3);
          want = g_new (double, *rows * *cols);
          for (gsize c = 0; c < *rows * *cols; c++)
            want[c] = NAN;
          sized = TRUE;
          continue;
        }
      g_assert_cmpint (sscanf (lines[k], "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %lf", &i, &j, &v), ==, 3);
      if (isnan (want[(i - 1) * *cols + j - 1]))
        {
          want[(i - 1) * *cols + j - 1] = v;
          (*listed)++;
        }
      else
        (*repeats)++;
    }
  return want;
}

static gboolean
has_notice (const FsMatrix *X,
            const char     *part)
{
  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    if (strstr (X->notices[i], part) != NULL)
      return TRUE;
  return FALSE;
}

/* A ratings file (5 % listed) reads sparse with exactly its cells: the
 * first of a repeated cell's values, the others missing. */
static void
test_mtx_coordinate (void)
{
  gsize rows, cols, listed, repeats;
  g_autofree double *want = expected_cells ("ratings-40x30.mtx", &rows, &cols, &listed, &repeats);
  g_autoptr(FsMatrix) X = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, FALSE);

  g_assert_cmpuint (repeats, ==, 2);
  g_assert_true (fs_matrix_is_sparse (X));
  g_assert_null (X->data);
  g_assert_cmpuint (X->rows, ==, rows);
  g_assert_cmpuint (X->cols, ==, cols);
  g_assert_cmpuint (X->sparse->nnz, ==, listed);
  g_assert_cmpuint (X->n_missing, ==, rows * cols - listed);
  g_assert_cmpstr (X->format, ==, "mtx");
  g_assert_true (has_notice (X, "2 cells are listed more than once"));
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        double got = fs_matrix_get (X, i, j);

        if (isnan (want[i * cols + j]))
          g_assert_true (isnan (got) && !fs_matrix_is_observed (X, i, j));
        else
          g_assert_cmpfloat (got, ==, want[i * cols + j]);
      }
}

/* Symmetric files list the lower triangle: each cell off the diagonal is
 * mirrored; skew-symmetric ones mirror with the sign changed; a pattern
 * file's cells are ones. */
static void
test_mtx_symmetric (void)
{
  g_autoptr(FsMatrix) X = load_with ("cooccurrence-20.mtx", FS_STORAGE_SPARSE, FALSE);
  g_autoptr(FsMatrix) skew = NULL;
  g_autoptr(FsMatrix) pattern = NULL;
  g_autoptr(GError) error = NULL;
  gsize listed = 0;

  g_assert_true (fs_matrix_is_sparse (X));
  for (gsize i = 0; i < 20; i++)
    for (gsize j = 0; j < 20; j++)
      {
        listed += fs_matrix_is_observed (X, i, j);
        g_assert_cmpint (fs_matrix_is_observed (X, i, j), ==, fs_matrix_is_observed (X, j, i));
        if (fs_matrix_is_observed (X, i, j))
          g_assert_cmpfloat (fs_matrix_get (X, i, j), ==, fs_matrix_get (X, j, i));
      }
  g_assert_cmpuint (listed, ==, X->sparse->nnz);

  skew = parse_with ("k.mtx", "%%MatrixMarket matrix coordinate integer skew-symmetric\n"
                     "3 3 2\n2 1 3\n3 2 -2\n", FS_STORAGE_SPARSE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (skew->sparse->nnz, ==, 4);
  g_assert_cmpfloat (fs_matrix_get (skew, 1, 0), ==, 3);
  g_assert_cmpfloat (fs_matrix_get (skew, 0, 1), ==, -3);
  g_assert_cmpfloat (fs_matrix_get (skew, 1, 2), ==, 2);
  g_assert_true (isnan (fs_matrix_get (skew, 0, 0)));

  pattern = parse_with ("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n"
                        "2 3 2\n1 3\n2 1\n", FS_STORAGE_SPARSE, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pattern->sparse->nnz, ==, 2);
  g_assert_cmpfloat (fs_matrix_get (pattern, 0, 2), ==, 1);
  g_assert_cmpfloat (fs_matrix_get (pattern, 1, 0), ==, 1);
}

/* 200000 × 200000 with 1000 entries: 320 GB dense, 40 billion cells, far
 * more than the 2³¹ − 1 the dense path takes. Read automatically, it is
 * held in a few megabytes, under an address-space limit that no dense
 * allocation of it would pass; forced dense, it is refused naming the
 * shape. */
static char *
huge_coordinate_text (void)
{
  GString *text = g_string_new ("%%MatrixMarket matrix coordinate real general\n"
                                "200000 200000 1000\n");

  for (guint k = 0; k < 1000; k++)
    g_string_append_printf (text, "%u %u %u.5\n", 1 + k * 199, 1 + (k * 7919) % 200000, k);
  return g_string_free (text, FALSE);
}

static void
test_mtx_huge_sparse (void)
{
  g_autofree char *text = huge_coordinate_text ();

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;
#ifndef UNDER_ASAN
      g_autofree char *status = NULL;
      const char *vm;
      struct rlimit limit;

      /* What the process maps now, and 256 MiB more. */
      g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
      vm = strstr (status, "VmSize:");
      g_assert_nonnull (vm);
      g_assert_cmpint (getrlimit (RLIMIT_AS, &limit), ==, 0);
      limit.rlim_cur = g_ascii_strtoull (vm + strlen ("VmSize:"), NULL, 10) * 1024 + (256 << 20);
      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
#endif
      X = parse_with ("huge.mtx", text, FS_STORAGE_AUTO, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (fs_matrix_is_sparse (X));
      g_assert_cmpuint (X->rows, ==, 200000);
      g_assert_cmpuint (X->sparse->nnz, ==, 1000);
      g_assert_cmpuint (X->n_missing, ==, (gsize) 200000 * 200000 - 1000);
      g_assert_cmpfloat (fs_matrix_get (X, 199 * 3, (3 * 7919) % 200000), ==, 3.5);
      g_assert_cmpuint (fs_sparse_bytes (X->sparse), <, 2 << 20);
#ifndef UNDER_ASAN
      {
        /* 4 billion rows' pointers (64 GB with a sort's) are refused
         * before they are allocated, naming the line of the size. */
        static const char rows_text[] = "%%MatrixMarket matrix coordinate real general\n"
                                        "4000000000 2 1\n1 1 1\n";
        g_autoptr(FsMatrix) R = parse_with ("rows.mtx", rows_text, FS_STORAGE_AUTO, FALSE, &error);

        /* Refused by the estimate when the memory left is under 64 GiB,
         * else by the allocation under the limit above: both name the
         * file, the shape and the cells. */
        g_assert_null (R);
        g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
        g_assert_true (g_str_has_prefix (error->message, "rows.mtx:"));
        g_assert_nonnull (strstr (error->message, "A sparse matrix of 4000000000 × 2 with 1 listed cells"));
      }
#endif
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FsMatrix) X = parse_with ("huge.mtx", text, FS_STORAGE_DENSE, FALSE, &error);

    g_assert_null (X);
    g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "huge.mtx:2: A matrix of 200000 × 200000"));
  }
}

/* Delimited text whose cells are 1.5 % observed: 2048 × 2048 fields of
 * four bytes ("NaN," or "2.5,"), which the tokenizer holds in 32 bytes
 * each, and no more: under a data limit of what the process holds, the
 * fields and 16 MiB, the 32 MiB of a dense copy cannot be allocated, the
 * sparse layout (about 750 KiB) can. */
#define WIDE 2048

#ifndef UNDER_ASAN
static char *
mostly_missing_text (gsize *observed)
{
  GString *text = g_string_sized_new ((gsize) WIDE * WIDE * 4);

  *observed = 0;
  for (guint i = 0; i < WIDE; i++)
    for (guint j = 0; j < WIDE; j++)
      {
        gboolean listed = (i * 31 + j * 17) % 67 == 0;

        g_string_append (text, listed ? "2.5" : "NaN");
        g_string_append_c (text, j + 1 < WIDE ? ',' : '\n');
        *observed += listed;
      }
  return g_string_free (text, FALSE);
}

static gsize
vm_data_bytes (void)
{
  g_autofree char *status = NULL;
  const char *vm;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  vm = strstr (status, "VmData:");
  g_assert_nonnull (vm);
  return (gsize) g_ascii_strtoull (vm + strlen ("VmData:"), NULL, 10) * 1024;
}
#endif

#ifndef UNDER_ASAN
static void
test_delimited_without_dense (void)
{
  if (g_test_subprocess ())
    {
      gsize observed;
      g_autofree char *text = mostly_missing_text (&observed);
      gsize len = strlen (text);
      struct rlimit limit;
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;

      g_assert_cmpint (getrlimit (RLIMIT_DATA, &limit), ==, 0);
      limit.rlim_cur = vm_data_bytes () + len / 4 * 32 + (16 << 20);
      g_assert_cmpint (setrlimit (RLIMIT_DATA, &limit), ==, 0);
      X = fs_matrix_load_data ("wide.csv", (const guint8 *) text, len, &error);
      g_assert_no_error (error);
      g_assert_true (fs_matrix_is_sparse (X));
      g_assert_cmpuint (X->rows, ==, WIDE);
      g_assert_cmpuint (X->cols, ==, WIDE);
      g_assert_cmpuint (X->sparse->nnz, ==, observed);
      g_assert_cmpfloat (fs_matrix_get (X, 0, 0), ==, 2.5);
      g_assert_true (isnan (fs_matrix_get (X, 0, 1)));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}
#endif

/* Automatic storage on each side of FS_SPARSE_AUTO_SHARE, for a coordinate
 * file (the size line's count) and for delimited text (its observed
 * cells): one cell below is sparse, at the share is dense. */
static char *
coordinate_text (guint side,
                 guint entries)
{
  GString *text = g_string_new ("%%MatrixMarket matrix coordinate real general\n");

  g_string_append_printf (text, "%u %u %u\n", side, side, entries);
  for (guint k = 0; k < entries; k++)
    g_string_append_printf (text, "%u %u %u\n", k / side + 1, k % side + 1, k + 1);
  return g_string_free (text, FALSE);
}

static char *
delimited_text (guint rows,
                guint cols,
                guint observed)
{
  GString *text = g_string_new (NULL);

  /* Down the columns, so that every row has a value (a row of empty
   * fields would be left out). */
  for (guint k = 0; k < rows * cols; k++)
    {
      guint down = (k % cols) * rows + k / cols;

      if (down < observed)
        g_string_append_printf (text, "%u", down + 1);
      g_string_append_c (text, k % cols + 1 < cols ? ',' : '\n');
    }
  return g_string_free (text, FALSE);
}

static void
test_auto_threshold (void)
{
  guint side = 100, cells = side * side;
  guint at = (guint) ceil (FS_SPARSE_AUTO_SHARE * cells);

  for (guint below = 0; below < 2; below++)
    {
      guint entries = below ? at - 1 : at;
      g_autofree char *mtx = coordinate_text (side, entries);
      g_autofree char *csv = delimited_text (side, side, entries);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = parse_with ("t.mtx", mtx, FS_STORAGE_AUTO, FALSE, &error);
      g_autoptr(FsMatrix) Y = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (fs_matrix_is_sparse (X), ==, below);
      Y = parse_with ("t.csv", csv, FS_STORAGE_AUTO, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (fs_matrix_is_sparse (Y), ==, below);
      g_assert_cmpuint (fs_matrix_n_observed (Y), ==, entries);
      g_assert_cmpfloat (fs_matrix_get (Y, 0, 0), ==, 1);
    }
}

/* Same cells, whatever the storage: a delimited file read sparse and
 * dense, a .npy and a dense-share coordinate file forced sparse (NaN cells
 * unlisted, zeros listed). A coordinate file forced dense reads as it
 * always did: unlisted cells zeros, repeats summed. */
static void
assert_same_cells (const FsMatrix *a,
                   const FsMatrix *b)
{
  g_assert_cmpuint (a->rows, ==, b->rows);
  g_assert_cmpuint (a->cols, ==, b->cols);
  g_assert_cmpuint (a->n_missing, ==, b->n_missing);
  for (gsize i = 0; i < a->rows; i++)
    for (gsize j = 0; j < a->cols; j++)
      {
        double x = fs_matrix_get (a, i, j), y = fs_matrix_get (b, i, j);

        g_assert_true ((isnan (x) && isnan (y)) || x == y);
      }
}

static FsMatrix *
load_real (const char *dir,
           const char *name,
           FsStorage   storage,
           gboolean    zeros_are_values)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), dir, name, NULL);
  g_autoptr(GError) error = NULL;
  FsImportOptions options;
  FsMatrix *X;

  fs_import_options_init (&options);
  options.storage = storage;
  options.zeros_are_values = zeros_are_values;
  X = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return X;
}

static void
test_forced_storage (void)
{
  g_autoptr(FsMatrix) survey = load_with ("survey-30x24.csv", FS_STORAGE_SPARSE, FALSE);
  g_autoptr(FsMatrix) survey_dense = load_with ("survey-30x24.csv", FS_STORAGE_DENSE, FALSE);
  g_autoptr(FsMatrix) air = load_real ("csv", "R_airquality_NA.csv", FS_STORAGE_AUTO, FALSE);
  g_autoptr(FsMatrix) air_sparse = load_real ("csv", "R_airquality_NA.csv", FS_STORAGE_SPARSE, FALSE);
  g_autoptr(FsMatrix) npy = load_real ("npy", "skimage_lfw_subset_200x625.npy", FS_STORAGE_AUTO, FALSE);
  g_autoptr(FsMatrix) npy_sparse = load_real ("npy", "skimage_lfw_subset_200x625.npy", FS_STORAGE_SPARSE, FALSE);
  g_autoptr(FsMatrix) rain = load_with ("rainfall-8x6.mtx", FS_STORAGE_SPARSE, FALSE);
  g_autoptr(FsMatrix) ratings_dense = load_with ("ratings-40x30.mtx", FS_STORAGE_DENSE, FALSE);

  g_assert_true (fs_matrix_is_sparse (survey));
  g_assert_false (fs_matrix_is_sparse (survey_dense));
  g_assert_cmpstr (survey->row_labels[0], ==, "R01");
  g_assert_cmpstr (survey->col_labels[23], ==, "q24");
  assert_same_cells (survey, survey_dense);

  g_assert_false (fs_matrix_is_sparse (air));
  g_assert_true (fs_matrix_is_sparse (air_sparse));
  g_assert_cmpuint (air_sparse->sparse->nnz, ==, fs_matrix_n_observed (air));
  assert_same_cells (air, air_sparse);

  g_assert_false (fs_matrix_is_sparse (npy));
  g_assert_true (fs_matrix_is_sparse (npy_sparse));
  assert_same_cells (npy, npy_sparse);

  g_assert_true (fs_matrix_is_sparse (rain));
  g_assert_cmpuint (rain->sparse->nnz, <=, 20);
  g_assert_cmpuint (rain->n_missing, ==, 48 - rain->sparse->nnz);

  g_assert_false (fs_matrix_is_sparse (ratings_dense));
  g_assert_cmpuint (ratings_dense->n_missing, ==, 0);
  g_assert_cmpfloat (fs_matrix_get (ratings_dense, 0, 0), ==, 0.0);
}

/* Delimited text whose start is mostly missing keeps only its numbers
 * while it is read (fs-delimited.c, compact), and gives the matrix a
 * dense read gives (which keeps every cell's value): the same cells,
 * listed exactly where a number is (not a zero, with zeros as values),
 * the same labels, guesses and notices; held dense after all (a file
 * sparse only at its start), the same values bit for bit. */
static FsMatrix *
load_options (const char *name,
              FsStorage   storage,
              gboolean    zeros_are_values,
              guint       variant)
{
  g_autofree char *path = sparse_path (name);
  g_autoptr(GError) error = NULL;
  guint drop[] = { 3 };
  FsImportOptions options;
  FsMatrix *X;

  fs_import_options_init (&options);
  options.storage = storage;
  options.zeros_are_values = zeros_are_values;
  if (variant == 1)
    options.row_labels = FS_ROW_LABELS_NONE;
  else if (variant == 2)
    {
      options.drop_columns = drop;
      options.n_drop_columns = 1;
    }
  X = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (X);
  return X;
}

static void
test_delimited_numbers_only (void)
{
  static const char * const names[] = { "ratings-ids-300x240.csv", "sparse-start-1000x100.csv",
                                        "survey-30x24.csv" };
  static const FsStorage storages[] = { FS_STORAGE_AUTO, FS_STORAGE_SPARSE };

  for (guint f = 0; f < G_N_ELEMENTS (names); f++)
    for (guint zeros = 0; zeros < 2; zeros++)
      for (guint variant = 0; variant < 3; variant++)
        for (guint k = 0; k < G_N_ELEMENTS (storages); k++)
          {
            g_autoptr(FsMatrix) D = load_options (names[f], FS_STORAGE_DENSE, zeros, variant);
            g_autoptr(FsMatrix) X = load_options (names[f], storages[k], zeros, variant);
            gboolean held_dense = f == 1 && storages[k] == FS_STORAGE_AUTO;

            g_test_message ("%s, zeros %u, variant %u, storage %u", names[f], zeros, variant,
                            storages[k]);
            g_assert_false (fs_matrix_is_sparse (D));
            g_assert_cmpint (fs_matrix_is_sparse (X), ==, !held_dense);
            fs_test_assert_same_strv (X->row_labels, D->row_labels);
            fs_test_assert_same_strv (X->col_labels, D->col_labels);
            g_assert_cmpint (X->import_report->row_labels, ==, D->import_report->row_labels);
            g_assert_cmpint (X->import_report->row_labels_guessed, ==,
                             D->import_report->row_labels_guessed);
            g_assert_cmpstr (X->import_report->row_labels_reason, ==,
                             D->import_report->row_labels_reason);
            if (held_dense)
              {
                g_assert_cmpuint (X->rows, ==, D->rows);
                g_assert_cmpuint (X->cols, ==, D->cols);
                g_assert_cmpmem (X->data, X->rows * X->cols * sizeof (double),
                                 D->data, D->rows * D->cols * sizeof (double));
                g_assert_cmpuint (X->n_missing, ==, D->n_missing);
                g_assert_true ((X->mask == NULL) == (D->mask == NULL));
                if (X->mask != NULL)
                  g_assert_cmpmem (X->mask, X->rows * X->cols, D->mask, D->rows * D->cols);
                fs_test_assert_same_strv (X->notices, D->notices);
                continue;
              }
            assert_same_cells (X, D);
            /* Listed: a number, not a zero when zeros are values. */
            {
              gsize listed = 0;

              for (gsize c = 0; c < D->rows * D->cols; c++)
                listed += !isnan (D->data[c]) && !(zeros && D->data[c] == 0.0) &&
                          fs_matrix_is_observed (D, c / D->cols, c % D->cols);
              g_assert_cmpuint (X->sparse->nnz, ==, listed);
            }
            /* Zeros as values: the dense read's notice counts the cells it
             * made zeros, which the sparse one leaves unlisted. */
            if (!zeros)
              fs_test_assert_same_strv (X->notices, D->notices);
          }
}

/* --zeros-are-values: a sparse matrix's unlisted cells read as zeros (no
 * cell missing); a dense one's missing cells become zeros, with a notice;
 * a dense file made sparse leaves its zeros unlisted. */
static void
test_zeros_are_values (void)
{
  g_autoptr(FsMatrix) ratings = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, TRUE);
  g_autoptr(FsMatrix) air = load_real ("csv", "R_airquality_NA.csv", FS_STORAGE_DENSE, TRUE);
  g_autoptr(FsMatrix) digits = load_real ("csv", "sklearn_digits_1797x64.csv", FS_STORAGE_AUTO, FALSE);
  g_autoptr(FsMatrix) digits_sparse = load_real ("csv", "sklearn_digits_1797x64.csv", FS_STORAGE_SPARSE, TRUE);
  gsize zeros = 0;

  g_assert_true (fs_matrix_is_sparse (ratings));
  g_assert_true (ratings->sparse->zeros_are_values);
  g_assert_cmpuint (ratings->n_missing, ==, 0);
  g_assert_cmpuint (ratings->sparse->nnz, ==, 60);
  g_assert_cmpfloat (fs_matrix_get (ratings, 0, 0), ==, 0.0);
  g_assert_true (fs_matrix_is_observed (ratings, 0, 0));

  g_assert_false (fs_matrix_is_sparse (air));
  g_assert_cmpuint (air->n_missing, ==, 0);
  g_assert_true (has_notice (air, "44 cells without a value were read as zeros"));

  for (gsize k = 0; k < digits->rows * digits->cols; k++)
    zeros += digits->data[k] == 0.0;
  g_assert_cmpuint (digits_sparse->sparse->nnz, ==, digits->rows * digits->cols - zeros);
  g_assert_cmpuint (digits_sparse->n_missing, ==, 0);
  assert_same_cells (digits, digits_sparse);
}

/* Transposing and dropping columns keep a sparse matrix sparse, cell for
 * cell, labels swapped. */
static void
test_transpose_and_drop (void)
{
  g_autoptr(FsMatrix) X = load_with ("survey-30x24.csv", FS_STORAGE_SPARSE, FALSE);
  g_autofree char *path = sparse_path ("survey-30x24.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) T = NULL;
  g_autoptr(FsMatrix) D = NULL;
  FsImportOptions options;

  fs_import_options_init (&options);
  options.storage = FS_STORAGE_SPARSE;
  options.transpose = TRUE;
  T = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fs_matrix_is_sparse (T));
  g_assert_cmpuint (T->rows, ==, X->cols);
  g_assert_cmpuint (T->cols, ==, X->rows);
  g_assert_cmpuint (T->sparse->nnz, ==, X->sparse->nnz);
  g_assert_cmpstr (T->row_labels[0], ==, "q1");
  g_assert_cmpstr (T->col_labels[0], ==, "R01");
  for (gsize i = 0; i < X->rows; i++)
    for (gsize j = 0; j < X->cols; j++)
      g_assert_cmpint (fs_matrix_is_observed (X, i, j), ==, fs_matrix_is_observed (T, j, i));
  for (gsize i = 0; i < T->rows; i++)
    for (gsize e = T->sparse->row_ptr[i]; e < T->sparse->row_ptr[i + 1]; e++)
      {
        g_assert_true (e == T->sparse->row_ptr[i] || T->sparse->col_idx[e] > T->sparse->col_idx[e - 1]);
        g_assert_cmpfloat (T->sparse->values[e], ==, fs_matrix_get (X, T->sparse->col_idx[e], i));
      }

  /* A coordinate file's columns dropped, then turned. */
  options.storage = FS_STORAGE_AUTO;
  g_assert_true (fs_import_parse_columns ("1-10", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  g_clear_pointer (&path, g_free);
  path = sparse_path ("ratings-40x30.mtx");
  D = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fs_import_options_clear (&options);
  g_assert_true (fs_matrix_is_sparse (D));
  g_assert_cmpuint (D->rows, ==, 20);
  g_assert_cmpuint (D->cols, ==, 40);
  {
    g_autoptr(FsMatrix) R = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, FALSE);

    for (gsize i = 0; i < 40; i++)
      for (gsize j = 10; j < 30; j++)
        {
          double x = fs_matrix_get (R, i, j), y = fs_matrix_get (D, j - 10, i);

          g_assert_true ((isnan (x) && isnan (y)) || x == y);
        }
  }
}

/* Bad input on the sparse path names the file and the line. */
static void
test_bad_input (void)
{
  const struct { const char *name, *text, *where; } cases[] = {
    { "outside.mtx", "%%MatrixMarket matrix coordinate real general\n100 100 2\n1 1 1\n101 1 2\n",
      "outside.mtx:4: entry (101, 1) is outside the 100 × 100 matrix" },
    { "nan.mtx", "%%MatrixMarket matrix coordinate real general\n100 100 2\n1 1 1\n2 2 nan\n",
      "nan.mtx:4: expected “ROW COLUMN VALUE” with a finite value" },
    { "short.mtx", "%%MatrixMarket matrix coordinate real general\n% cut short\n100 100 3\n1 1 1\n2 2 2\n",
      "short.mtx:5: the file ends after 2 of 3 entries" },
    { "above.mtx", "%%MatrixMarket matrix coordinate real symmetric\n100 100 1\n1 2 1\n",
      "above.mtx:3: entry (1, 2) is above the diagonal" },
    { "wide.mtx", "%%MatrixMarket matrix coordinate real general\n5000000000 2 1\n1 1 1\n",
      "wide.mtx:2:" },
    { "long.mtx", "%%MatrixMarket matrix coordinate real general\n100 100 1\n1 1 1\n2 2 2\n",
      "long.mtx:4: more data than the size line announces" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = parse_with (cases[k].name, cases[k].text, FS_STORAGE_SPARSE, FALSE,
                                          &error);

      g_test_message ("%s: %s", cases[k].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (X);
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, cases[k].where));
    }
}

/* Writing: .mtx keeps a sparse matrix as its cells and reads back the
 * same; a table makes it dense (NaN where missing); a sparse matrix too
 * large to write in full is refused naming its shape. */
static void
test_save (void)
{
  g_autoptr(FsMatrix) X = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, FALSE);
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *mtx = g_build_filename (dir, "r.mtx", NULL);
  g_autofree char *csv = g_build_filename (dir, "r.csv", NULL);
  g_autofree char *huge = huge_coordinate_text ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) back = NULL;
  g_autoptr(FsMatrix) table = NULL;
  g_autoptr(FsMatrix) H = NULL;
  FsImportOptions options;

  g_assert_true (fs_matrix_save (X, mtx, &error));
  g_assert_no_error (error);
  fs_import_options_init (&options);
  options.storage = FS_STORAGE_SPARSE;
  back = fs_matrix_load_full (mtx, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->sparse->nnz, ==, X->sparse->nnz);
  assert_same_cells (X, back);

  g_assert_true (fs_matrix_save (X, csv, &error));
  table = fs_matrix_load (csv, &error);
  g_assert_no_error (error);
  assert_same_cells (X, table);

  H = parse_with ("huge.mtx", huge, FS_STORAGE_AUTO, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (fs_matrix_save (H, csv, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "200000 × 200000"));
}

/* Scaling a sparse matrix keeps its pattern; with unlisted zeros, what
 * would move them is refused. */
static void
test_scaled (void)
{
  g_autoptr(FsMatrix) X = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, FALSE);
  g_autoptr(FsMatrix) Z = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, TRUE);
  g_autoptr(FsMatrix) dense_copy = fs_matrix_to_dense (X, NULL);
  g_autoptr(GError) error = NULL;

  for (FsScaling s = FS_SCALING_UNIT_RANGE; s < FS_N_SCALINGS; s++)
    {
      g_autoptr(FsMatrix) a = fs_matrix_scaled (X, s, &error);
      g_autoptr(FsMatrix) b = fs_matrix_scaled (dense_copy, s, &error);

      g_assert_no_error (error);
      g_assert_true (fs_matrix_is_sparse (a));
      for (gsize i = 0; i < X->rows; i++)
        for (gsize j = 0; j < X->cols; j++)
          {
            double x = fs_matrix_get (a, i, j), y = fs_matrix_get (b, i, j);

            g_assert_true ((isnan (x) && isnan (y)) || fabs (x - y) < 1e-12);
          }
    }
  {
    g_autoptr(FsMatrix) unit = fs_matrix_scaled (Z, FS_SCALING_UNIT_RANGE, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (fs_matrix_get (unit, 0, 0), ==, 0.0);
    g_assert_null (fs_matrix_scaled (Z, FS_SCALING_CENTER_COLUMNS, &error));
    g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "--storage dense"));
  }
}

/* The cost terms of a sparse X, over its listed cells, or over every
 * cell when unlisted cells are zeros, equal the dense copy's. */
static void
test_cost_terms (void)
{
  for (guint zeros = 0; zeros < 2; zeros++)
    {
      g_autoptr(FsMatrix) X = load_with ("ratings-40x30.mtx", FS_STORAGE_AUTO, zeros);
      g_autoptr(FsMatrix) D = fs_matrix_to_dense (X, NULL);
      guint rank = 3;
      g_autofree double *W = g_new (double, X->rows * rank);
      g_autofree double *H = g_new (double, rank * X->cols);
      FsCostTerms sparse_terms, dense_terms;
      FsParams p;

      fs_params_init_defaults (&p);
      p.l2_w = 0.1;
      fs_random_fill_signed (1, W, X->rows * rank);
      fs_random_fill_signed (2, H, rank * X->cols);
      fs_cost_terms (X, W, H, rank, &p, &sparse_terms);
      fs_cost_terms (D, W, H, rank, &p, &dense_terms);
      g_assert_false (fs_matrix_is_sparse (D));
      g_assert_cmpfloat (fabs (sparse_terms.data - dense_terms.data), <=, 1e-12 * dense_terms.data);
      g_assert_cmpfloat (sparse_terms.l2_w, ==, dense_terms.l2_w);
    }
}

/* The session file keeps storage and zeros_are_values, and leaves them
 * out when automatic. */
static void
test_session_file (void)
{
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  g_autoptr(FsSessionFile) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plain = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *line = NULL;

  s->data_path = g_strdup ("/data/ratings.mtx");
  s->checksum = g_strdup ("f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
  plain = fs_session_file_to_data (s, NULL);
  g_assert_null (strstr (plain, "storage"));
  g_assert_null (strstr (plain, "zeros_are_values"));

  s->import.storage = FS_STORAGE_SPARSE;
  s->import.zeros_are_values = TRUE;
  text = fs_session_file_to_data (s, NULL);
  g_assert_nonnull (strstr (text, "\"import\": {\n    \"storage\": \"sparse\",\n    "
                                  "\"zeros_are_values\": true\n  }"));
  back = fs_session_file_from_data (text, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->import.storage, ==, FS_STORAGE_SPARSE);
  g_assert_true (back->import.zeros_are_values);
  line = fs_session_file_to_command_line (s);
  g_assert_nonnull (strstr (line, "--storage sparse --zeros-are-values"));

  {
    g_autofree char *bad = g_strdup (text);
    char *at = strstr (bad, "\"sparse\"");

    memcpy (at, "\"sprse\" ", 8);
    g_assert_null (fs_session_file_from_data (bad, -1, NULL, &error));
    g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "“import.storage”: must be auto, dense or sparse"));
  }
}

/* factorscope-cli's side: info's storage lines and JSON, the options
 * refused when malformed or given to an example. */
static int
cli (char **out,
     char **err,
     ...) G_GNUC_NULL_TERMINATED;

static int
cli (char **out,
     char **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status = -1;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("FS_CLI"));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_cli (void)
{
  g_autofree char *ratings = sparse_path ("ratings-40x30.mtx");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (&out, &err, "info", ratings, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "storage: sparse\nlisted cells: 60 (5 % of the matrix)\n"
                                 "bytes held: 1048\nunlisted cells: missing\n"));
  g_assert_nonnull (strstr (err, "2 cells are listed more than once"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (&out, &err, "info", "--json", "--zeros-are-values", ratings, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\"storage\":\"sparse\""));
  g_assert_nonnull (strstr (out, "\"listed\":60,\"listed_share\":0.05,\"bytes\":1048,\"unlisted\":\"zeros\""));
  g_assert_nonnull (strstr (out, "\"storage\":\"auto\",\"zeros_are_values\":true"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (&out, &err, "info", "--storage", "dense", ratings, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "storage: dense\nlisted cells: 1200 (100 % of the matrix)\n"
                                 "bytes held: 9600\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (&out, &err, "info", "--storage", "thin", ratings, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--storage takes auto, dense or sparse, not “thin”"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (&out, &err, "run", "--storage", "sparse", "notebook", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--storage and --zeros-are-values apply to files"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (cli (&out, &err, "export-torch", ratings, "--out", "x.py", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "needs a dense matrix"));
}

/* A coordinate file read dense says what the sparse read would do
 * otherwise: its unlisted cells are zeros, its repeats summed. */
static void
test_mtx_dense_notices (void)
{
  static const char text[] = "%%MatrixMarket matrix coordinate real general\n"
                             "3 3 3\n1 1 1\n2 2 2\n1 1 3\n";
  static const char symmetric[] = "%%MatrixMarket matrix coordinate real symmetric\n"
                                  "3 3 2\n2 1 5\n3 3 1\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) D = parse_with ("d.mtx", text, FS_STORAGE_DENSE, FALSE, &error);
  g_autoptr(FsMatrix) S = parse_with ("d.mtx", text, FS_STORAGE_SPARSE, FALSE, &error);
  g_autoptr(FsMatrix) M = parse_with ("m.mtx", symmetric, FS_STORAGE_DENSE, FALSE, &error);

  g_assert_no_error (error);
  g_assert_false (fs_matrix_is_sparse (D));
  g_assert_cmpfloat (fs_matrix_get (D, 0, 0), ==, 4.0);
  g_assert_cmpfloat (fs_matrix_get (D, 0, 1), ==, 0.0);
  g_assert_true (has_notice (D, "7 unlisted cells are read as zeros (--storage sparse reads "
                                "them as missing)"));
  g_assert_true (has_notice (D, "1 repeated cell was summed"));
  g_assert_false (has_notice (S, "unlisted"));
  g_assert_true (has_notice (S, "1 cell is listed more than once"));
  /* The mirrored cell is listed too: (1, 2), (2, 1) and (3, 3). */
  g_assert_true (has_notice (M, "6 unlisted cells are read as zeros"));
  g_assert_false (has_notice (M, "summed"));
}

/* A layout too large to hold is named by its shape and cells: billions
 * of rows are too many with only two cells. */
static void
test_too_large_names_shape (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) s = fs_sparse_new (4000000000u, 2, G_MAXSIZE / 8, &error);

  g_assert_null (s);
  g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "4000000000 × 2"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sparse-load/mtx/coordinate", test_mtx_coordinate);
  g_test_add_func ("/sparse-load/mtx/symmetric", test_mtx_symmetric);
  g_test_add_func ("/sparse-load/mtx/huge", test_mtx_huge_sparse);
  g_test_add_func ("/sparse-load/mtx/dense-notices", test_mtx_dense_notices);
  g_test_add_func ("/sparse-load/too-large-names-shape", test_too_large_names_shape);
#ifndef UNDER_ASAN
  /* AddressSanitizer's shadow memory does not run under a data limit:
   * registered only where it can run (a skip would read as a pass). */
  g_test_add_func ("/sparse-load/delimited/without-dense", test_delimited_without_dense);
#endif
  g_test_add_func ("/sparse-load/auto-threshold", test_auto_threshold);
  g_test_add_func ("/sparse-load/forced", test_forced_storage);
  g_test_add_func ("/sparse-load/delimited/numbers-only", test_delimited_numbers_only);
  g_test_add_func ("/sparse-load/zeros-are-values", test_zeros_are_values);
  g_test_add_func ("/sparse-load/transpose-drop", test_transpose_and_drop);
  g_test_add_func ("/sparse-load/bad-input", test_bad_input);
  g_test_add_func ("/sparse-load/save", test_save);
  g_test_add_func ("/sparse-load/scaled", test_scaled);
  g_test_add_func ("/sparse-load/cost-terms", test_cost_terms);
  g_test_add_func ("/sparse-load/session-file", test_session_file);
  g_test_add_func ("/sparse-load/cli", test_cli);
  return g_test_run ();
}
