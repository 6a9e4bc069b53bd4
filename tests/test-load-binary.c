/* test-load-binary.c: .npy and Matrix Market files read from disk as
 * from memory, exactly, with progress and a prompt cancel, and within
 * their memory bound (issue 20).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "fs-error.h"
#include "fs-loader.h"
#include "fs-npy.h"
#include "fs-random.h"
#include "fs-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* How soon after its cancel a load must end
 * (fs_test_check_progress_cancel). */
#ifdef UNDER_ASAN
#define CANCEL_LIMIT (2 * G_USEC_PER_SEC)
#else
#define CANCEL_LIMIT (G_USEC_PER_SEC / 10)
#endif

static char *
test_data_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "data", relative, NULL);
}

static void
assert_same_matrix (const FsMatrix *a,
                    const FsMatrix *b)
{
  g_assert_cmpuint (a->rows, ==, b->rows);
  g_assert_cmpuint (a->cols, ==, b->cols);
  g_assert_cmpuint (a->n_missing, ==, b->n_missing);
  g_assert_cmpuint (a->image_height, ==, b->image_height);
  g_assert_cmpuint (a->image_width, ==, b->image_width);
  g_assert_true ((a->mask == NULL) == (b->mask == NULL));
  if (a->mask != NULL)
    g_assert_cmpmem (a->mask, a->rows * a->cols, b->mask, b->rows * b->cols);
  for (gsize k = 0; k < a->rows * a->cols; k++)
    if (isnan (a->data[k]))
      g_assert_true (isnan (b->data[k]));
    else
      g_assert_cmpmem (&a->data[k], sizeof (double), &b->data[k], sizeof (double));
}

/* Every .npy of tests/data/npy (written by NumPy: every dtype, both byte
 * orders, Fortran order, 1-D, 3-D, NaN, versions 2 and 3): the file read
 * with pread () gives the matrix, or the error, that its bytes in memory
 * give. */
static void
test_npy_file_as_memory (void)
{
  g_autofree char *dir_path = test_data_path ("npy");
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint read = 0, refused = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) file_error = NULL;
      g_autoptr(GError) memory_error = NULL;
      g_autoptr(FsMatrix) from_file = NULL;
      g_autoptr(FsMatrix) from_memory = NULL;
      g_autofree char *display = NULL;
      gsize len;

      if (!g_str_has_suffix (name, ".npy"))
        continue;
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      display = g_filename_display_name (path);
      from_file = fs_matrix_load (path, &file_error);
      from_memory = fs_matrix_load_data (display, (const guint8 *) contents, len, &memory_error);
      g_test_message ("%s: %s", name, file_error != NULL ? file_error->message : "read");
      if (from_memory == NULL)
        {
          g_assert_null (from_file);
          g_assert_cmpstr (file_error->message, ==, memory_error->message);
          refused++;
          continue;
        }
      g_assert_no_error (file_error);
      assert_same_matrix (from_file, from_memory);
      g_assert_cmpstr (from_file->format, ==, "npy");
      read++;
    }
  g_assert_cmpuint (read, >=, 28);
  g_assert_cmpuint (refused, >=, 2);
}

/* Broken .npy files on disk: the messages the bytes give in memory. */
static void
test_npy_broken_files (void)
{
  static const char lies[] = "\x93NUMPY\x01\x00\xff\x7f{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  static const char truncated[] = "\x93NUMPY\x01\x00\x45\x00{'descr': '<f8', 'fortran_order': False, 'shape': (200, 300), }     \n\0\0\0\0\0\0\0\0";
  static const char cut_descr[] = "\x93NUMPY\x01\x00\x0c\x00{'descr': '<";
  /* (2, 2) float64 in Fortran order: 1, +inf (row 2, column 1), NaN, -inf. */
  static const char inf[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }"
                            "                                                           \n"
                            "\0\0\0\0\0\0\xf0\x3f" "\0\0\0\0\0\0\xf0\x7f" "\0\0\0\0\0\0\xf8\x7f" "\0\0\0\0\0\0\xf0\xff";
  /* (1, 2) float64: squares that overflow. */
  static const char squares[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }"
                                "                                                          \n"
                                "\0\0\0\0\0\0\xf0\x3f" "\0\0\0\0\0\0\xe0\x7f";
  /* (1, 2) float64, all NaN. */
  static const char all_nan[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }"
                                "                                                          \n"
                                "\0\0\0\0\0\0\xf8\x7f" "\0\0\0\0\0\0\xf8\x7f";
  const struct { const char *name; const char *bytes; gsize len; const char *where; } cases[] = {
    { "lies.npy", lies, sizeof lies - 1, "the .npy header claims" },
    { "truncated.npy", truncated, sizeof truncated - 1, "the .npy data is truncated" },
    { "cut-descr.npy", cut_descr, sizeof cut_descr - 1, "malformed" },
    { "inf.npy", inf, sizeof inf - 1, "holds an infinite value at row 2, column 1" },
    { "squares.npy", squares, sizeof squares - 1, "the sum of their squares overflows" },
    { "nan.npy", all_nan, sizeof all_nan - 1, "every cell is missing" },
    { "short.npy", "\x93NUMPY", 6, "is not a NumPy .npy file" },
  };
  g_autofree char *dir = fs_test_make_tmp_dir ();

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *path = g_build_filename (dir, cases[k].name, NULL);
      g_autoptr(GError) file_error = NULL;
      g_autoptr(GError) memory_error = NULL;
      g_autoptr(GError) error = NULL;
      FsMatrix *X;

      g_file_set_contents (path, cases[k].bytes, (gssize) cases[k].len, &error);
      g_assert_no_error (error);
      X = fs_matrix_load (path, &file_error);
      g_assert_null (X);
      X = fs_matrix_load_data (path, (const guint8 *) cases[k].bytes, cases[k].len, &memory_error);
      g_assert_null (X);
      g_test_message ("%s: %s", cases[k].name, file_error->message);
      g_assert_true (file_error->domain == FS_ERROR);
      g_assert_nonnull (strstr (file_error->message, cases[k].where));
      g_assert_nonnull (strstr (file_error->message, cases[k].name));
      g_assert_cmpstr (file_error->message, ==, memory_error->message);
      g_remove (path);
    }
}

/* A float64 C-order .npy of rows × cols from stream key, NaN at every
 * 1000th cell when with_nan; returns its path. */
static char *
write_npy (const char *dir,
           const char *name,
           gsize       rows,
           gsize       cols,
           guint64     key,
           gboolean    with_nan,
           double    **values)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree double *data = g_new (double, rows * cols);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  fs_random_fill_signed (key, data, rows * cols);
  for (gsize k = 0; with_nan && k < rows * cols; k += 1000)
    data[k] = NAN;
  bytes = fs_npy_encode_data (rows, cols, data);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes),
                       &error);
  g_assert_no_error (error);
  if (values != NULL)
    *values = g_steal_pointer (&data);
  return g_steal_pointer (&path);
}

/* Several MiB read straight into the matrix: every bit, NaN cells
 * marked missing. */
static void
test_npy_large_exact (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree double *values = NULL;
  g_autofree char *path = write_npy (dir, "large.npy", 1500, 701, 77, TRUE, &values);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
  gsize missing = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 1500);
  g_assert_cmpuint (X->cols, ==, 701);
  for (gsize k = 0; k < X->rows * X->cols; k++)
    if (isnan (values[k]))
      {
        g_assert_true (isnan (X->data[k]));
        g_assert_cmpuint (X->mask[k], ==, 0);
        missing++;
      }
    else
      {
        g_assert_cmpmem (&X->data[k], sizeof (double), &values[k], sizeof (double));
        g_assert_cmpuint (X->mask[k], ==, 1);
      }
  g_assert_cmpuint (X->n_missing, ==, missing);
  g_assert_cmpuint (missing, ==, (1500 * 701 + 999) / 1000);
  g_remove (path);
}

static void
test_npy_progress_cancel (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  /* 48 MB of float64, and the same converted from float32 (Fortran
   * order: scattered). */
  g_autofree char *path = write_npy (dir, "large.npy", 3000, 2000, 5, FALSE, NULL);
  g_autofree char *f32_path = g_build_filename (dir, "large-f32-fortran.npy", NULL);
  g_autoptr(GString) f32 = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree double *data = g_new (double, (gsize) 3000 * 2000);

  /* A .npy is read on every core, the loading thread among them: it tells
   * progress after each block it reads itself (at least its first, taken
   * before the others start), and how many it reads depends on how the
   * threads are scheduled; a serial read tells it every 1%. */
  fs_test_check_progress_cancel (path, g_get_num_processors () > 1 ? 2 : 10, CANCEL_LIMIT);

  g_string_append_len (f32, "\x93NUMPY\x01\x00\x00\x00", 10);
  g_string_append (f32, "{'descr': '<f4', 'fortran_order': True, 'shape': (3000, 2000), }");
  while ((f32->len + 1) % 64 != 0)
    g_string_append_c (f32, ' ');
  g_string_append_c (f32, '\n');
  f32->str[8] = (char) (f32->len - 10);
  fs_random_fill_signed (6, data, (gsize) 3000 * 2000);
  for (gsize k = 0; k < (gsize) 3000 * 2000; k++)
    {
      float v = (float) data[k];

      g_string_append_len (f32, (const char *) &v, sizeof v);
    }
  g_file_set_contents (f32_path, f32->str, (gssize) f32->len, &error);
  g_assert_no_error (error);
  fs_test_check_progress_cancel (f32_path, g_get_num_processors () > 1 ? 2 : 10,
                                 CANCEL_LIMIT);
  g_remove (path);
  g_remove (f32_path);
}

/* A coordinate file of the cells given, values written with %.17g. */
static char *
write_mtx (const char  *dir,
           const char  *name,
           const char  *banner,
           gsize        rows,
           gsize        cols,
           const gsize *is,
           const gsize *js,
           const double *vs,
           gsize        n)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GString *text = g_string_sized_new (n * 32 + 100);
  g_autoptr(GError) error = NULL;
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (text, "%%%%MatrixMarket matrix coordinate %s\n%% a comment\n\n"
                          "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT "\n",
                          banner, rows, cols, n);
  for (gsize k = 0; k < n; k++)
    g_string_append_printf (text, "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %s\n", is[k] + 1,
                            js[k] + 1, g_ascii_formatd (number, sizeof number, "%.17g", vs[k]));
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);
  return g_steal_pointer (&path);
}

/* Cells in random order, rows of 1 to 200 cells (both sorts), repeats:
 * each listed cell holds exactly the first value written for it, and
 * the notice counts the others. The reference is built here, by a hash
 * of the cells. */
static void
test_mtx_sparse_exact (void)
{
  const gsize rows = 3000, cols = 5000, n = 200000;
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree gsize *is = g_new (gsize, n);
  g_autofree gsize *js = g_new (gsize, n);
  g_autofree double *vs = g_new (double, n);
  g_autofree double *u = g_new (double, 3 * n);
  g_autoptr(GHashTable) first = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *notice = NULL;
  gsize repeats = 0;

  fs_random_fill_unit (11, u, 3 * n);
  for (gsize k = 0; k < n; k++)
    {
      gint64 cell;

      /* Row i has about 2 (i % 100) cells: short rows and long ones. */
      is[k] = (gsize) (sqrt (u[k]) * rows) % rows;
      js[k] = (gsize) (u[n + k] * (2 * (is[k] % 100) + 1)) * 37 % cols;
      vs[k] = (u[2 * n + k] - 0.5) * pow (10.0, (double) (k % 40) - 20.0);
      cell = (gint64) (is[k] * cols + js[k]);
      if (g_hash_table_contains (first, &cell))
        repeats++;
      else
        g_hash_table_insert (first, g_memdup2 (&cell, sizeof cell), g_memdup2 (&vs[k], sizeof (double)));
    }
  g_assert_cmpuint (repeats, >, 1000);
  path = write_mtx (dir, "cells.mtx", "real general", rows, cols, is, js, vs, n);
  X = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (X->sparse);
  g_assert_cmpuint (X->sparse->nnz, ==, g_hash_table_size (first));
  for (gsize i = 0; i < rows; i++)
    for (gsize e = X->sparse->row_ptr[i]; e < X->sparse->row_ptr[i + 1]; e++)
      {
        gint64 cell = (gint64) (i * cols + X->sparse->col_idx[e]);
        const double *want = g_hash_table_lookup (first, &cell);

        if (e > X->sparse->row_ptr[i])
          g_assert_cmpuint (X->sparse->col_idx[e - 1], <, X->sparse->col_idx[e]);
        g_assert_nonnull (want);
        g_assert_cmpmem (&X->sparse->values[e], sizeof (double), want, sizeof (double));
      }
  notice = g_strdup_printf ("%" G_GSIZE_FORMAT " cells are listed more than once", repeats);
  g_assert_nonnull (X->notices);
  g_assert_nonnull (strstr (X->notices[0], notice));
  g_remove (path);
}

/* A symmetric file held sparse: each off-diagonal cell mirrored. */
static void
test_mtx_symmetric_sparse (void)
{
  const gsize is[] = { 0, 4, 9, 9, 7 };
  const gsize js[] = { 0, 1, 2, 8, 7 };
  const double vs[] = { 1.5, -2.25, 3e-300, 0.1, 7 };
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = write_mtx (dir, "sym.mtx", "real symmetric", 10, 10, is, js, vs, 5);
  g_autoptr(GError) error = NULL;
  FsImportOptions options;
  g_autoptr(FsMatrix) X = NULL;

  fs_import_options_init (&options);
  options.storage = FS_STORAGE_SPARSE;
  X = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (X->sparse->nnz, ==, 8);
  for (guint k = 0; k < G_N_ELEMENTS (is); k++)
    {
      g_assert_cmpfloat (fs_matrix_get (X, is[k], js[k]), ==, vs[k]);
      g_assert_cmpfloat (fs_matrix_get (X, js[k], is[k]), ==, vs[k]);
    }
  g_remove (path);
}

static void
test_mtx_progress_cancel (void)
{
  const gsize n = 600000;
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree gsize *is = g_new (gsize, n);
  g_autofree gsize *js = g_new (gsize, n);
  g_autofree double *vs = g_new (double, n);
  g_autofree char *path = NULL;

  for (gsize k = 0; k < n; k++)
    {
      is[k] = k % 20000;
      js[k] = (k * 7919) % 3000;
      vs[k] = 1.0 / (double) (k + 3);
    }
  path = write_mtx (dir, "large.mtx", "real general", 20000, 3000, is, js, vs, n);
  fs_test_check_progress_cancel (path, 10, CANCEL_LIMIT);
  g_remove (path);
}

#ifndef UNDER_ASAN
/* Peak resident memory of `factorscope-cli info FILE`, in bytes. */
static gsize
cli_peak_rss (const char *path)
{
  const char *argv[] = { g_getenv ("FS_CLI"), "info", path, NULL };
  g_autoptr(GError) error = NULL;
  struct rusage usage;
  GPid pid;
  int status;

  /* Without meson's MALLOC_PERTURB_, which a user's process does not have
   * (glibc would fill what it hands out, touching room never used). */
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "MALLOC_PERTURB_");

  g_spawn_async (NULL, (char **) argv, env,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return (gsize) usage.ru_maxrss * 1024;
}

/* The bounds, the whole process counted: a .npy read into the
 * matrix takes the matrix + 32 MiB (mapping and copying took twice the
 * matrix), a coordinate file the file + its cells + 32 MiB. */
static void
test_memory_bounds (void)
{
  const gsize n = 1000000, rows = 100000, cols = 20000;
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *npy = write_npy (dir, "big.npy", 8000, 1000, 9, FALSE, NULL);
  g_autofree gsize *is = g_new (gsize, n);
  g_autofree gsize *js = g_new (gsize, n);
  g_autofree double *vs = g_new (double, n);
  g_autofree char *mtx = NULL;
  GStatBuf info;
  gsize peak, bound;

  peak = cli_peak_rss (npy);
  bound = (gsize) 8000 * 1000 * 8 + (32 << 20);
  g_test_message (".npy of 64 MB: peak %.1f MB, bound %.1f MB", peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);

  fs_random_fill_unit (3, vs, n);
  for (gsize k = 0; k < n; k++)
    {
      /* Distinct cells, spread over the rows. */
      is[k] = (k * 7) % rows;
      js[k] = (k / rows * 1999 + k % 13) % cols;
      vs[k] = vs[k] * 2 - 1;
    }
  mtx = write_mtx (dir, "big.mtx", "real general", rows, cols, is, js, vs, n);
  g_assert_cmpint (g_stat (mtx, &info), ==, 0);
  peak = cli_peak_rss (mtx);
  bound = (gsize) info.st_size + n * 12 + (rows + 1) * 8 + (32 << 20);
  g_test_message (".mtx of %.1f MB: peak %.1f MB, bound %.1f MB", info.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);
  g_remove (npy);
  g_remove (mtx);
}
#endif

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/load-binary/npy/file-as-memory", test_npy_file_as_memory);
  g_test_add_func ("/load-binary/npy/broken-files", test_npy_broken_files);
  g_test_add_func ("/load-binary/npy/large-exact", test_npy_large_exact);
  g_test_add_func ("/load-binary/npy/progress-cancel", test_npy_progress_cancel);
  g_test_add_func ("/load-binary/mtx/sparse-exact", test_mtx_sparse_exact);
  g_test_add_func ("/load-binary/mtx/symmetric-sparse", test_mtx_symmetric_sparse);
  g_test_add_func ("/load-binary/mtx/progress-cancel", test_mtx_progress_cancel);
#ifndef UNDER_ASAN
  /* Resident memory means something else under AddressSanitizer. */
  g_test_add_func ("/load-binary/memory-bounds", test_memory_bounds);
#endif
  return g_test_run ();
}
