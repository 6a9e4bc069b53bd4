/* test-npy-split.c: a .npy file read on several threads gives the same
 * matrix, sum of squares and errors as one thread, for every file of
 * tests/data/npy and for files of many blocks in every layout the reader
 * converts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-error.h"
#include "fs-npy.h"
#include "fs-random.h"
#include "fs-test-util.h"

#define MAX_SPLIT 8

/* What one read gave. */
typedef struct
{
  FsMatrix *X;
  double    sum_sq;
  GError   *error;
} Read;

static void
read_clear (Read *r)
{
  g_clear_pointer (&r->X, fs_matrix_unref);
  g_clear_error (&r->error);
}

/* Reads path on n_threads threads; size is what the reader is told the
 * file holds (0: its real size). */
static Read
read_file (const char *path,
           guint       n_threads,
           guint64     size)
{
  Read r = { NULL, NAN, NULL };
  int fd = g_open (path, O_RDONLY, 0);
  struct stat st;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  r.X = fs_npy_read_fd_split (path, fd, size != 0 ? size : (guint64) st.st_size, n_threads,
                              NULL, NULL, NULL, &r.sum_sq, &r.error);
  close (fd);
  g_assert_true ((r.X == NULL) != (r.error == NULL));
  return r;
}

/* Bit for bit: every cell (NaN's payload too), the mask, the shape. */
static void
assert_same_read (const Read *a,
                  const Read *b)
{
  if (a->error != NULL || b->error != NULL)
    {
      g_assert_nonnull (a->error);
      g_assert_nonnull (b->error);
      g_assert_true (a->error->domain == b->error->domain);
      g_assert_cmpint (a->error->code, ==, b->error->code);
      g_assert_cmpstr (a->error->message, ==, b->error->message);
      return;
    }
  g_assert_cmpuint (a->X->rows, ==, b->X->rows);
  g_assert_cmpuint (a->X->cols, ==, b->X->cols);
  g_assert_cmpuint (a->X->n_missing, ==, b->X->n_missing);
  g_assert_cmpuint (a->X->image_height, ==, b->X->image_height);
  g_assert_cmpuint (a->X->image_width, ==, b->X->image_width);
  g_assert_cmpmem (a->X->data, a->X->rows * a->X->cols * sizeof (double),
                   b->X->data, b->X->rows * b->X->cols * sizeof (double));
  g_assert_true ((a->X->mask == NULL) == (b->X->mask == NULL));
  if (a->X->mask != NULL)
    g_assert_cmpmem (a->X->mask, a->X->rows * a->X->cols, b->X->mask, b->X->rows * b->X->cols);
  g_assert_cmpmem (&a->sum_sq, sizeof (double), &b->sum_sq, sizeof (double));
  g_assert_cmpint (a->X->range_known, ==, b->X->range_known);
  g_assert_cmpmem (&a->X->range_min, sizeof (double), &b->X->range_min, sizeof (double));
  g_assert_cmpmem (&a->X->range_max, sizeof (double), &b->X->range_max, sizeof (double));
}

/* The range the reader noted, against a plain pass over the observed
 * cells: known exactly when every cell is observed and neither end is a
 * zero, and then the same bit for bit; fs_matrix_range gives the pass's
 * either way. */
static void
assert_range (const FsMatrix *X)
{
  double lo = INFINITY, hi = -INFINITY, got_lo, got_hi;

  for (gsize k = 0; k < X->rows * X->cols; k++)
    if (!isnan (X->data[k]))
      {
        lo = X->data[k] < lo ? X->data[k] : lo;
        hi = X->data[k] > hi ? X->data[k] : hi;
      }
  g_assert_cmpint (X->range_known, ==, X->n_missing == 0 && lo <= hi && lo != 0.0 && hi != 0.0);
  if (X->range_known)
    {
      g_assert_cmpmem (&X->range_min, sizeof (double), &lo, sizeof (double));
      g_assert_cmpmem (&X->range_max, sizeof (double), &hi, sizeof (double));
    }
  if (lo <= hi && lo != 0.0 && hi != 0.0)
    {
      g_assert_true (fs_matrix_range (X, &got_lo, &got_hi));
      g_assert_cmpmem (&got_lo, sizeof (double), &lo, sizeof (double));
      g_assert_cmpmem (&got_hi, sizeof (double), &hi, sizeof (double));
    }
}

/* Reads path on 1 thread, then on 2 .. MAX_SPLIT, each the same; returns
 * the serial read. */
static Read
assert_split_same (const char *path,
                   guint64     size)
{
  Read serial = read_file (path, 1, size);

  for (guint t = 2; t <= MAX_SPLIT; t++)
    {
      Read split = read_file (path, t, size);

      assert_same_read (&serial, &split);
      read_clear (&split);
    }
  return serial;
}

/* Every file NumPy wrote for the tests, and the broken ones: each is one
 * block, which the threads' path leaves to the serial one (no thread
 * starts for less than two units), so this checks that hand-over; the
 * files of many blocks are below. */
static void
test_data_files (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "data", "npy", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      Read serial;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        continue;
      serial = assert_split_same (path, 0);
      if (serial.X != NULL)
        {
          g_autofree char *contents = NULL;
          g_autoptr(FsMatrix) Y = NULL;
          gsize len;

          assert_range (serial.X);
          /* Read from memory (standard input's path): the same range. */
          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          Y = fs_npy_parse (path, (const guint8 *) contents, len, NULL);
          g_assert_nonnull (Y);
          assert_range (Y);
          g_assert_cmpint (Y->range_known, ==, serial.X->range_known);
        }
      read_clear (&serial);
      n++;
    }
  g_assert_cmpuint (n, >, 30);
}

/* A .npy of descr and shape with the given data bytes. */
static char *
write_npy (const char   *dir,
           const char   *name,
           const char   *descr,
           gboolean      fortran,
           const char   *shape,
           const void   *data,
           gsize         len)
{
  g_autofree char *dict =
    g_strdup_printf ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
                     fortran ? "True" : "False", shape);
  g_autoptr(GString) file = g_string_new_len ("\x93NUMPY\x01\x00", 8);
  char *path = g_build_filename (dir, name, NULL);
  gsize header_len = strlen (dict) + 1;
  g_autoptr(GError) error = NULL;

  /* Padded with blanks so that the data starts on 64 bytes. */
  header_len += (64 - (10 + header_len) % 64) % 64;
  g_string_append_c (file, (char) (header_len & 0xff));
  g_string_append_c (file, (char) (header_len >> 8));
  g_string_append (file, dict);
  while (file->len < 10 + header_len - 1)
    g_string_append_c (file, ' ');
  g_string_append_c (file, '\n');
  g_string_append_len (file, data, (gssize) len);
  g_file_set_contents (path, file->str, (gssize) file->len, &error);
  g_assert_no_error (error);
  return path;
}

/* Files of many blocks, in each layout: float64 in the matrix's order
 * straight into it (finite, with a missing cell in its last block only,
 * with missing cells in its first, middle and last blocks), Fortran order
 * scattered, float32, big-endian int16, a 3-D stack of images, 1-D; each
 * read on 1 to 8 threads, all of at least two units of 4 blocks. */
static void
test_many_blocks (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  const gsize rows = 1701, cols = 1303, n = rows * cols;   /* 16.9 MiB of float64 */
  g_autofree double *f8 = g_new (double, n);
  g_autofree double *f8_nan = g_new (double, n);
  g_autofree double *f8_last = g_new (double, n);
  g_autofree float *f4 = g_new (float, n);
  g_autofree gint16 *i2 = g_new (gint16, n);
  guint before = fs_npy_get_split_reads (), workers_before = fs_npy_get_worker_blocks ();
  struct { const char *name, *descr; gboolean fortran; const char *shape; const void *data;
           gsize size; gsize rows, cols, h, w, missing; } files[] = {
    { "f8-c.npy", "<f8", FALSE, "(1701, 1303)", f8, 8, 1701, 1303, 0, 0, 0 },
    { "f8-c-last-nan.npy", "<f8", FALSE, "(1701, 1303)", f8_last, 8, 1701, 1303, 0, 0, 1 },
    { "f8-c-nan.npy", "<f8", FALSE, "(1701, 1303)", f8_nan, 8, 1701, 1303, 0, 0, 3 },
    { "f8-fortran.npy", "<f8", TRUE, "(1701, 1303)", f8_nan, 8, 1701, 1303, 0, 0, 3 },
    { "f4-c.npy", "<f4", FALSE, "(1701, 1303)", f4, 4, 1701, 1303, 0, 0, 0 },
    { "i2-be-fortran.npy", ">i2", TRUE, "(1701, 1303)", i2, 2, 1701, 1303, 0, 0, 0 },
    { "f8-3d.npy", "<f8", FALSE, "(1701, 1, 1303)", f8, 8, 1701, 1303, 1, 1303, 0 },
    { "f8-1d.npy", "<f8", FALSE, "(2216403,)", f8_nan, 8, 1, 2216403, 0, 0, 3 },
  };

  fs_random_fill_signed (31, f8, n);
  for (gsize k = 0; k < n; k++)
    {
      f4[k] = (float) f8[k];
      i2[k] = (gint16) GUINT16_TO_BE ((guint16) (gint16) (f8[k] * 30000));
    }
  memcpy (f8_nan, f8, n * sizeof (double));
  memcpy (f8_last, f8, n * sizeof (double));
  /* Missing cells in the first, a middle and the last block; in the last
   * alone, read by whichever thread takes the last unit. */
  f8_nan[3] = NAN;
  f8_nan[n / 2] = NAN;
  f8_nan[n - 1] = NAN;
  f8_last[n - 5] = NAN;

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = write_npy (dir, files[f].name, files[f].descr, files[f].fortran,
                                         files[f].shape, files[f].data, n * files[f].size);
      Read serial = assert_split_same (path, 0);
      const double *src8 = files[f].data;

      g_test_message ("%s: %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT, files[f].name,
                      serial.X->rows, serial.X->cols);
      g_assert_no_error (serial.error);
      g_assert_cmpuint (serial.X->rows, ==, files[f].rows);
      g_assert_cmpuint (serial.X->cols, ==, files[f].cols);
      g_assert_cmpuint (serial.X->image_height, ==, files[f].h);
      g_assert_cmpuint (serial.X->image_width, ==, files[f].w);
      g_assert_cmpuint (serial.X->n_missing, ==, files[f].missing);
      assert_range (serial.X);
      if (files[f].missing == 0)
        g_assert_true (serial.X->range_known);
      if (files[f].missing > 0)
        g_assert_true (isnan (serial.sum_sq));
      else
        {
          double sum = 0.0;

          for (gsize k = 0; k < n; k++)
            sum += serial.X->data[k] * serial.X->data[k];
          g_assert_cmpfloat_with_epsilon (serial.sum_sq, sum, 1e-9 * sum);
        }
      /* The cells against the source, in the matrix's order. */
      for (gsize i = 0; i < rows; i += 97)
        for (gsize j = 0; j < cols; j += 89)
          {
            gsize k = files[f].fortran ? j * rows + i : i * cols + j;
            double want = files[f].size == 8 ? src8[k]
                          : files[f].size == 4 ? (double) f4[k]
                          : (double) (gint16) GUINT16_FROM_BE ((guint16) i2[k]);
            double got = serial.X->data[i * cols + j];

            if (isnan (want))
              g_assert_true (isnan (got));
            else
              g_assert_cmpfloat (got, ==, want);
          }
      read_clear (&serial);
      g_remove (path);
    }
  /* Each file on 2 to 8 threads was read split (unless the process could
   * start no thread, which the tests' machines can), and the other
   * threads read blocks. */
  g_assert_cmpuint (fs_npy_get_split_reads () - before, ==, G_N_ELEMENTS (files) * (MAX_SPLIT - 1));
  g_assert_cmpuint (fs_npy_get_worker_blocks () - workers_before, >, 0);
  g_rmdir (dir);
}

/* The range noted while reading: the least cell in a middle block, the
 * greatest among the last cells, which the scan's four-at-a-time loop
 * leaves to its tail, on 1 to 8 threads; a zero at the bottom (0 and -0
 * in one file) left to fs_matrix_range; a cell made missing afterwards
 * forgets the range. */
static void
test_range (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  const gsize rows = 1501, cols = 1403, n = rows * cols;   /* n % 4 == 3 */
  g_autofree double *f8 = g_new (double, n);
  g_autofree char *path = NULL;
  Read serial;
  double lo, hi;

  fs_random_fill_signed (47, f8, n);
  f8[n / 3] = -9.25;
  f8[n - 1] = 7.5;
  path = write_npy (dir, "range.npy", "<f8", FALSE, "(1501, 1403)", f8, n * sizeof (double));
  serial = assert_split_same (path, 0);
  assert_range (serial.X);
  g_assert_true (serial.X->range_known);
  g_assert_cmpfloat (serial.X->range_min, ==, -9.25);
  g_assert_cmpfloat (serial.X->range_max, ==, 7.5);
  /* A cell made missing: the range is that of the rest. */
  serial.X->data[n - 1] = NAN;
  fs_matrix_mark_missing (serial.X);
  g_assert_false (serial.X->range_known);
  g_assert_true (fs_matrix_range (serial.X, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -9.25);
  g_assert_cmpfloat (hi, <, 7.5);
  read_clear (&serial);
  g_remove (path);
  g_free (path);

  for (gsize k = 0; k < n; k++)
    f8[k] = 1.0 + fabs (f8[k]);
  f8[17] = 0.0;
  f8[n - 2] = -0.0;
  path = write_npy (dir, "zeros.npy", "<f8", FALSE, "(1501, 1403)", f8, n * sizeof (double));
  serial = assert_split_same (path, 0);
  assert_range (serial.X);
  g_assert_false (serial.X->range_known);
  g_assert_true (fs_matrix_range (serial.X, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.0);
  read_clear (&serial);
  g_remove (path);
  g_rmdir (dir);
}

/* An infinite cell in a late block, and a file shorter than the reader
 * is told (it shrank while read): the same errors on every thread count. */
static void
test_errors (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  const gsize rows = 1000, cols = 1500, n = rows * cols;
  g_autofree double *f8 = g_new (double, n);
  g_autofree char *inf_path = NULL, *short_path = NULL;
  struct stat st;
  Read r;

  fs_random_fill_signed (5, f8, n);
  f8[1400 * 1000 + 7] = INFINITY;
  inf_path = write_npy (dir, "inf.npy", "<f8", FALSE, "(1000, 1500)", f8, n * 8);
  r = assert_split_same (inf_path, 0);
  g_assert_error (r.error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (r.error->message, "holds an infinite value at row 934, column 508"));
  read_clear (&r);

  /* The header claims 12 MB; the file holds 5. */
  short_path = write_npy (dir, "short.npy", "<f8", FALSE, "(1000, 1500)", f8, 5 << 20);
  g_assert_cmpint (g_stat (short_path, &st), ==, 0);
  r = assert_split_same (short_path, (guint64) st.st_size + (n * 8 - (5 << 20)));
  g_assert_error (r.error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (r.error->message, "the file ended before its data"));
  read_clear (&r);
  g_remove (inf_path);
  g_remove (short_path);
  g_rmdir (dir);
}

typedef struct
{
  GCancellable *cancellable;
  guint         blocks_then;   /* blocks read when it cancelled */
} CancelAt;

/* Cancels at the first progress, noting how many blocks were read. */
static void
cancel_at_first (double   fraction,
                 gpointer data)
{
  CancelAt *at = data;

  if (!g_cancellable_is_cancelled (at->cancellable))
    {
      at->blocks_then = fs_npy_get_split_blocks ();
      g_cancellable_cancel (at->cancellable);
    }
}

/* Cancelled at the first progress (the loading thread tells it after its
 * first block), every thread stops: the loading thread sees the cancel
 * after its next block, the others before their next (a thread that
 * starts after it reads none); the read gives the cancel, no matrix. A
 * thread that read on would read to the end of the 64 blocks. On a busy
 * machine the loading thread may wait for a core while the other reads
 * most of the file before that first progress: such a try says nothing
 * of stopping, so up to five are made until one cancels early. */
static void
test_cancel (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  const gsize n = (gsize) 8192 * 1024;   /* 64 MiB */
  g_autofree double *f8 = g_new0 (double, n);
  g_autofree char *path = write_npy (dir, "big.npy", "<f8", FALSE, "(8192, 1024)", f8, n * 8);
  gboolean early = FALSE;

  for (guint attempt = 0; attempt < 5 && !early; attempt++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;
      CancelAt at = { cancellable, 0 };
      guint blocks_before = fs_npy_get_split_blocks (), read, then;
      struct stat st;
      double sum = 0.0;
      int fd = g_open (path, O_RDONLY, 0);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fstat (fd, &st), ==, 0);
      X = fs_npy_read_fd_split (path, fd, (guint64) st.st_size, 2, cancellable, cancel_at_first,
                                &at, &sum, &error);
      close (fd);
      read = fs_npy_get_split_blocks () - blocks_before;
      if (!g_cancellable_is_cancelled (cancellable))
        {
          /* Every block was read before the first progress: whole. */
          g_assert_no_error (error);
          g_assert_nonnull (X);
          g_assert_cmpuint (read, ==, 64);
          continue;
        }
      g_assert_null (X);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      then = at.blocks_then - blocks_before;
      g_test_message ("%u of 64 blocks read at the cancel, %u in all", then, read);
      g_assert_cmpuint (then, >=, 1);
      /* A few blocks more while the cancel is seen; 24 leaves room for
       * the loading thread waiting for a core on a busy machine. */
      g_assert_cmpuint (read, <=, then + 24);
      early = then <= 16;
    }
  g_assert_true (early);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/npy-split/data-files", test_data_files);
  g_test_add_func ("/npy-split/many-blocks", test_many_blocks);
  g_test_add_func ("/npy-split/range", test_range);
  g_test_add_func ("/npy-split/errors", test_errors);
  g_test_add_func ("/npy-split/cancel", test_cancel);
  return g_test_run ();
}
