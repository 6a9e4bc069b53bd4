/* test-loaders.c: every file users have, read right or refused clearly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sys/resource.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-loader.h"
#include "fs-random.h"

typedef struct
{
  const char *path;
  gsize       rows, cols, missing;
  const char *first_row_label, *last_row_label;
  const char *first_col_label, *last_col_label;
  gsize       image_height, image_width;
  double      sum;
  struct { gsize i, j; double value; } spots[4];
} LoaderExpectation;

#include "loader-expectations.h"

static char *
real_data_path (const char *relative)
{
  return g_build_filename (g_getenv ("FS_TEST_DATA"), relative, NULL);
}

static char *
test_data_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "data", relative, NULL);
}

static void
assert_close (double got,
              double want,
              double rel)
{
  if (isnan (want))
    g_assert_true (isnan (got));
  else
    g_assert_cmpfloat (fabs (got - want), <=, rel * fabs (want) + 1e-300);
}

/* Each file of tests/data/real against pandas, SciPy, NumPy and PIL. */
static void
test_real_data (void)
{
  for (guint k = 0; k < G_N_ELEMENTS (loader_expectations); k++)
    {
      const LoaderExpectation *e = &loader_expectations[k];
      g_autofree char *path = real_data_path (e->path);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
      double sum = 0.0;

      g_test_message ("%s", e->path);
      g_assert_no_error (error);
      g_assert_cmpuint (X->rows, ==, e->rows);
      g_assert_cmpuint (X->cols, ==, e->cols);
      g_assert_cmpuint (X->n_missing, ==, e->missing);
      g_assert_cmpuint (X->image_height, ==, e->image_height);
      g_assert_cmpuint (X->image_width, ==, e->image_width);

      if (e->first_row_label == NULL)
        g_assert_null (X->row_labels);
      else
        {
          g_assert_nonnull (X->row_labels);
          g_assert_cmpuint (g_strv_length (X->row_labels), ==, e->rows);
          g_assert_cmpstr (X->row_labels[0], ==, e->first_row_label);
          g_assert_cmpstr (X->row_labels[e->rows - 1], ==, e->last_row_label);
        }
      if (e->first_col_label == NULL)
        g_assert_null (X->col_labels);
      else
        {
          g_assert_nonnull (X->col_labels);
          g_assert_cmpuint (g_strv_length (X->col_labels), ==, e->cols);
          g_assert_cmpstr (X->col_labels[0], ==, e->first_col_label);
          g_assert_cmpstr (X->col_labels[e->cols - 1], ==, e->last_col_label);
        }

      for (guint s = 0; s < G_N_ELEMENTS (e->spots); s++)
        assert_close (fs_matrix_get (X, e->spots[s].i, e->spots[s].j), e->spots[s].value, 1e-15);
      for (gsize c = 0; c < X->rows * X->cols; c++)
        if (!isnan (X->data[c]))
          sum += X->data[c];
      assert_close (sum, e->sum, 1e-12);
      /* vegan's dune sites count the rows, an index taken as labels by a
       * guess that says so. */
      if (g_str_equal (e->path, "csv/vegan_dune.csv"))
        {
          g_assert_cmpuint (g_strv_length (X->notices), ==, 1);
          g_assert_nonnull (strstr (X->notices[0], "column 1 (“site”)"));
        }
      /* A coordinate file read dense says that its unlisted cells are
       * zeros (issue 18). */
      else if (g_str_has_prefix (e->path, "mtx/"))
        {
          g_assert_cmpuint (g_strv_length (X->notices), ==, 1);
          g_assert_nonnull (strstr (X->notices[0], "unlisted cells are read as zeros"));
        }
      else
        g_assert_null (X->notices);
    }
}

/* tests/data/npy was written by NumPy (tests/reference/make-npy-cases.py):
 * cell (i, j) of a C-order 2-D array holds i * cols + j - 5. */
static void
test_npy_variants (void)
{
  const char *kinds[] = { "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8" };
  const char *orders[] = { "le", "be" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint o = 0; o < 2; o++)
      {
        g_autofree char *name = g_strdup_printf ("npy/%s-%s-3x4.npy", orders[o], kinds[k]);
        g_autofree char *path = test_data_path (name);
        g_autoptr(GError) error = NULL;
        g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
        double shift = kinds[k][0] == 'u' ? 0 : -5;

        g_test_message ("%s", name);
        g_assert_no_error (error);
        g_assert_cmpuint (X->rows, ==, 3);
        g_assert_cmpuint (X->cols, ==, 4);
        for (gsize c = 0; c < 12; c++)
          g_assert_cmpfloat (X->data[c], ==, (double) c + shift);
      }

  {
    const char *same[] = { "npy/fortran-3x4.npy", "npy/v2-3x4.npy", "npy/v3-3x4.npy" };

    for (guint k = 0; k < G_N_ELEMENTS (same); k++)
      {
        g_autofree char *path = test_data_path (same[k]);
        g_autoptr(GError) error = NULL;
        g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);

        g_assert_no_error (error);
        g_assert_cmpuint (X->rows, ==, 3);
        for (gsize c = 0; c < 12; c++)
          g_assert_cmpfloat (X->data[c], ==, (double) c - 5);
      }
  }
}

static FsMatrix *
load_test_data (const char *name)
{
  g_autofree char *path = test_data_path (name);
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  return X;
}

static void
test_npy_shapes (void)
{
  g_autoptr(FsMatrix) one = load_test_data ("npy/1d-7.npy");
  g_autoptr(FsMatrix) stack = load_test_data ("npy/3d-2x3x4.npy");
  g_autoptr(FsMatrix) fstack = load_test_data ("npy/3d-fortran-2x3x4.npy");
  g_autoptr(FsMatrix) flags = load_test_data ("npy/bool-3x4.npy");
  g_autoptr(FsMatrix) nan = load_test_data ("npy/nan-3x4.npy");
  g_autofree char *four = test_data_path ("npy/4d-2x2x2x2.npy");
  g_autofree char *complex = test_data_path ("npy/complex-2x2.npy");
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (one->rows, ==, 1);
  g_assert_cmpuint (one->cols, ==, 7);
  g_assert_cmpfloat (one->data[6], ==, 1.0);

  /* A stack of two 3 × 4 images: two rows of twelve cells. */
  g_assert_cmpuint (stack->rows, ==, 2);
  g_assert_cmpuint (stack->cols, ==, 12);
  g_assert_cmpuint (stack->image_height, ==, 3);
  g_assert_cmpuint (stack->image_width, ==, 4);
  g_assert_cmpmem (stack->data, 24 * sizeof (double), fstack->data, 24 * sizeof (double));
  for (gsize c = 0; c < 24; c++)
    g_assert_cmpfloat (stack->data[c], ==, (double) c - 5);

  for (gsize c = 0; c < 12; c++)
    g_assert_cmpfloat (flags->data[c], ==, (((int) c - 5) % 3 == 0) ? 1.0 : 0.0);

  g_assert_cmpuint (nan->n_missing, ==, 1);
  g_assert_false (fs_matrix_is_observed (nan, 1, 2));

  g_assert_null (fs_matrix_load (four, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "(2, 2, 2, 2)"));
  g_assert_nonnull (strstr (error->message, "4d-2x2x2x2.npy"));
  g_clear_error (&error);

  g_assert_null (fs_matrix_load (complex, &error));
  g_assert_nonnull (strstr (error->message, "complex"));
}

static FsMatrix *
parse (const char  *name,
       const char  *text,
       GError     **error)
{
  return fs_matrix_load_data (name, (const guint8 *) text, strlen (text), error);
}

static FsMatrix *
parse_ok (const char *name,
          const char *text)
{
  g_autoptr(GError) error = NULL;
  FsMatrix *X = parse (name, text, &error);

  g_assert_no_error (error);
  return X;
}

static void
assert_values (const FsMatrix *X,
               gsize           rows,
               gsize           cols,
               const double   *values)
{
  g_assert_cmpuint (X->rows, ==, rows);
  g_assert_cmpuint (X->cols, ==, cols);
  for (gsize k = 0; k < rows * cols; k++)
    if (isnan (values[k]))
      g_assert_true (isnan (X->data[k]));
    else
      g_assert_cmpfloat (X->data[k], ==, values[k]);
}

static void
test_mtx_variants (void)
{
  {
    /* Symmetric coordinate: the lower triangle is mirrored; duplicates sum. */
    g_autoptr(FsMatrix) X = parse_ok ("s.mtx",
      "%%MatrixMarket matrix coordinate real symmetric\n% comment\n3 3 4\n"
      "1 1 2.5\n3 1 -1\n2 2 4\n3 1 0.5\n");
    const double want[] = { 2.5, 0, -0.5, 0, 4, 0, -0.5, 0, 0 };

    assert_values (X, 3, 3, want);
    g_assert_cmpstr (X->format, ==, "mtx");
  }
  {
    g_autoptr(FsMatrix) X = parse_ok ("k.mtx",
      "%%MatrixMarket matrix coordinate integer skew-symmetric\n3 3 2\n2 1 3\n3 2 -2\n");
    const double want[] = { 0, -3, 0, 3, 0, 2, 0, -2, 0 };

    assert_values (X, 3, 3, want);
  }
  {
    g_autoptr(FsMatrix) X = parse_ok ("p.mtx",
      "%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n");
    const double want[] = { 0, 0, 1, 1, 0, 0 };

    assert_values (X, 2, 3, want);
  }
  {
    /* Array layout is column by column. */
    g_autoptr(FsMatrix) X = parse_ok ("a.mtx",
      "%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n");
    const double want[] = { 1, 3, 5, 2, 4, 6 };

    assert_values (X, 2, 3, want);
  }
  {
    g_autoptr(FsMatrix) X = parse_ok ("as.mtx",
      "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n");
    const double want[] = { 1, 2, 2, 3 };

    assert_values (X, 2, 2, want);
  }
}

static void
test_delimited_variants (void)
{
  {
    /* R's write.table: space-separated, the header one field short. */
    g_autoptr(FsMatrix) X = parse_ok ("t.txt",
      "\"a\" \"b c\"\n\"r1\" 1 2\n\"r2\" 3 4.5\n");
    const double want[] = { 1, 2, 3, 4.5 };

    assert_values (X, 2, 2, want);
    g_assert_cmpstr (X->row_labels[1], ==, "r2");
    g_assert_cmpstr (X->col_labels[1], ==, "b c");
    g_assert_cmpstr (X->format, ==, "text");
  }
  {
    /* Tabs, CR line ends, comments, blank and empty rows, NA tokens. */
    g_autoptr(FsMatrix) X = parse_ok ("t.tsv",
      "# made by hand\rx\ty\tz\r\r1\tNA\t3\r\t\t\r4\tnull\tN/A\r7\t\t9");
    const double want[] = { 1, NAN, 3, 4, NAN, NAN, 7, NAN, 9 };

    assert_values (X, 3, 3, want);
    g_assert_cmpuint (X->n_missing, ==, 4);
    g_assert_cmpstr (X->format, ==, "tsv");
    g_assert_cmpstr (X->col_labels[2], ==, "z");
  }
  {
    /* Quoted labels with separators and doubled quotes; a text column at
     * the end (iris's species) is left out with a notice naming it. */
    g_autoptr(FsMatrix) X = parse_ok ("q.csv",
      "name,len,wid,species\n\"a, \"\"b\"\"\",1.5,2,setosa\nc,3,4e-1,virginica\n");
    const double want[] = { 1.5, 2, 3, 0.4 };

    assert_values (X, 2, 2, want);
    g_assert_cmpstr (X->row_labels[0], ==, "a, \"b\"");
    g_assert_cmpstr (X->col_labels[0], ==, "len");
    g_assert_nonnull (X->notices);
    g_assert_nonnull (strstr (X->notices[0], "species"));
  }
  {
    /* A pandas index column 0, 1, 2 under a named header. */
    g_autoptr(FsMatrix) X = parse_ok ("i.csv", ",a,b\n0,5,6\n1,7,8\n2,9,10\n");

    g_assert_cmpuint (X->cols, ==, 2);
    g_assert_cmpstr (X->row_labels[2], ==, "2");
  }
}

typedef struct
{
  const char *name;
  const char *text;
  gsize       len;
  const char *where;  /* what the message must contain */
} Broken;

/* Broken inputs: each one a GError naming the file and, for text, the
 * line and column. */
static void
test_broken_inputs (void)
{
  static const guint8 garbage[] = { 0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0xff, 0x13, 0x00, 0x9c };
  static const char npy_lies[] = "\x93NUMPY\x01\x00\xff\x7f{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  static const char npy_truncated[] = "\x93NUMPY\x01\x00\x45\x00{'descr': '<f8', 'fortran_order': False, 'shape': (200, 300), }     \n\0\0\0\0\0\0\0\0";
  /* A header whose text ends inside 'descr', just after the byte order:
   * the parser read past the header's end there (valgrind, ASan). */
  static const char npy_cut_descr[] = "\x93NUMPY\x01\x00\x0c\x00{'descr': '<";
  /* (1, 2) float64: 1 and +inf. */
  static const char npy_inf[] = "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }"
                                "                                                          \n"
                                "\0\0\0\0\0\0\xf0\x3f" "\0\0\0\0\0\0\xf0\x7f";
  static const char npy_huge[] = "\x93NUMPY\x01\x00\x56\x00{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }      \n";
  const Broken cases[] = {
    { "ragged.csv", "1,2,3\n4,5,6\n7,8\n", 0, "ragged.csv:3:" },
    { "word.csv", "1,2,3\n4,five,6\n7,8,9\n10,11,12\n", 0, "word.csv:2:3:" },
    { "inf.csv", "1,2\n3,Inf\n", 0, "inf.csv:2:3:" },
    { "range.csv", "1,2\n3,1e999\n", 0, "range.csv:2:3:" },
    { "quote.csv", "1,2\n\"3,4\n5,6\n", 0, "quote.csv:2:1:" },
    { "header.csv", "a,b,c\n1,2\n", 0, "header.csv:2:" },
    { "garbage.csv", (const char *) garbage, sizeof garbage, "garbage.csv" },
    { "empty.csv", "# nothing\n\n", 0, "empty.csv" },
    { "zero.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 5\n", 0, "zero.mtx:3:" },
    { "outside.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 5\n", 0, "outside.mtx:3:" },
    { "short.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 5\n", 0, "short.mtx:3:" },
    { "huge.mtx", "%%MatrixMarket matrix coordinate real general\n99999999999 99999999999 1\n1 1 1\n", 0, "huge.mtx:2:" },
    { "complex.mtx", "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 0, "complex.mtx:1:" },
    { "hermitian.mtx", "%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", 0, "hermitian.mtx:1:" },
    { "lies.npy", npy_lies, sizeof npy_lies - 1, "lies.npy: the .npy header claims" },
    { "truncated.npy", npy_truncated, sizeof npy_truncated - 1, "truncated.npy: the .npy data is truncated" },
    { "huge.npy", npy_huge, sizeof npy_huge - 1, "huge.npy" },
    { "notnpy.npy", "1,2\n3,4\n", 0, "notnpy.npy" },
    { "broken.png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0", 20, "broken.png" },
    /* 57 bytes may not claim 3 GB: refused before allocating. */
    { "tiny-array.mtx", "%%MatrixMarket matrix array real general\n20000 20000\n1\n2\n", 0,
      "tiny-array.mtx:2: the size line announces 400000000 values, which the 4 bytes left" },
    { "short-array.mtx", "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n", 0,
      "short-array.mtx:2: the size line announces 6 values" },
    /* Only finite values whose squares a double can sum; some observed cell. */
    { "dup-inf.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 2 1e308\n1 2 1e308\n2 1 1\n",
      0, "dup-inf.mtx: the cell at row 1, column 2 is infinite" },
    { "cut-descr.npy", npy_cut_descr, sizeof npy_cut_descr - 1, "cut-descr.npy" },
    { "inf.npy", npy_inf, sizeof npy_inf - 1, "inf.npy: holds an infinite value at row 1, column 2" },
    { "squares.csv", "1,2\n3,-1.7e308\n", 0,
      "squares.csv: the values are too large to factorize: the sum of their squares overflows "
      "(the largest is at row 2, column 2)" },
    { "all-missing.csv", "NA,NA\n,NA\n", 0, "all-missing.csv: every cell is missing" },
    /* More cells than the solver indexes with int, held dense. */
    { "cells.mtx", "%%MatrixMarket matrix coordinate real general\n50000 50000 2500000000\n1 1 1\n", 0,
      "cells.mtx:2: A matrix of 50000 × 50000 has 2500000000 cells, more than the 2147483647" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = cases[k].len > 0 ? cases[k].len : strlen (cases[k].text);
      FsMatrix *X = fs_matrix_load_data (cases[k].name, (const guint8 *) cases[k].text, len, &error);

      g_test_message ("%s: %s", cases[k].name, error != NULL ? error->message : "(loaded)");
      g_assert_null (X);
      g_assert_nonnull (error);
      g_assert_true (error->domain == FS_ERROR);
      g_assert_nonnull (strstr (error->message, cases[k].where));
    }
}

static void
assert_same_matrix (const FsMatrix *a,
                    const FsMatrix *b)
{
  g_assert_cmpuint (a->rows, ==, b->rows);
  g_assert_cmpuint (a->cols, ==, b->cols);
  g_assert_cmpuint (a->n_missing, ==, b->n_missing);
  for (gsize k = 0; k < a->rows * a->cols; k++)
    if (isnan (a->data[k]))
      g_assert_true (isnan (b->data[k]));
    else
      g_assert_cmpmem (&a->data[k], sizeof (double), &b->data[k], sizeof (double));
}

static FsMatrix *
save_and_load (const FsMatrix *X,
               const char     *dir,
               const char     *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *Y;

  g_assert_true (fs_matrix_save (X, path, &error));
  g_assert_no_error (error);
  Y = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return Y;
}

/* CSV -> npy -> CSV keeps every bit; CSV -> CSV keeps the labels too. */
static void
test_round_trips (void)
{
  const char *files[] = { "csv/R_volcano_87x61.csv", "awkward/mtcars_bom_crlf_quoted.csv",
                          "awkward/airquality_R_write.csv_quoted_NA.csv", "csv/vegan_dune.csv" };
  g_autofree char *dir = g_dir_make_tmp ("factorscope-loaders-XXXXXX", NULL);

  for (guint k = 0; k < G_N_ELEMENTS (files); k++)
    {
      g_autofree char *path = real_data_path (files[k]);
      g_autoptr(FsMatrix) X = fs_matrix_load (path, NULL);
      g_autoptr(FsMatrix) npy = save_and_load (X, dir, "m.npy");
      g_autoptr(FsMatrix) back = save_and_load (npy, dir, "m.csv");
      g_autoptr(FsMatrix) csv = save_and_load (X, dir, "m.csv");
      g_autoptr(FsMatrix) tsv = save_and_load (X, dir, "m.tsv");

      assert_same_matrix (X, npy);
      assert_same_matrix (X, back);
      assert_same_matrix (X, csv);
      assert_same_matrix (X, tsv);
      g_assert_cmpuint (X->row_labels != NULL, ==, csv->row_labels != NULL);
      g_assert_cmpuint (X->col_labels != NULL, ==, csv->col_labels != NULL);
      for (gsize i = 0; X->row_labels != NULL && i < X->rows; i++)
        g_assert_cmpstr (X->row_labels[i], ==, csv->row_labels[i]);
      for (gsize j = 0; X->col_labels != NULL && j < X->cols; j++)
        g_assert_cmpstr (X->col_labels[j], ==, tsv->col_labels[j]);
    }

  /* Doubles of every magnitude, with missing cells, survive CSV exactly. */
  {
    g_autoptr(FsMatrix) X = fs_matrix_new (40, 25, NULL);
    g_autoptr(FsMatrix) Y = NULL;

    fs_random_fill_signed (5, X->data, 1000);
    for (gsize k = 0; k < 1000; k++)
      X->data[k] = k % 97 == 3 ? NAN : ldexp (X->data[k], (int) (k % 200) - 100);
    fs_matrix_mark_missing (X);
    Y = save_and_load (X, dir, "r.csv");
    assert_same_matrix (X, Y);
  }

  g_rmdir (dir);
}

/* A writer killed halfway leaves the previous file whole. */
static void
test_atomic_write (void)
{
  g_autofree char *dir = g_dir_make_tmp ("factorscope-atomic-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(FsMatrix) small = parse_ok ("s.csv", "1,2\n3,4\n");
  g_autoptr(FsMatrix) loaded = NULL;
  g_autoptr(GError) error = NULL;
  gboolean writing = FALSE;
  pid_t child;
  int status;

  g_assert_true (fs_matrix_save (small, path, NULL));

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      FsMatrix *big = fs_matrix_new (1500, 1500, NULL);

      fs_random_fill_signed (9, big->data, 1500 * 1500);
      for (int round = 0; round < 100; round++)
        fs_matrix_save (big, path, NULL);
      _exit (0);
    }

  /* Kill it while it writes: its temporary file grows beside the target. */
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       !writing && g_get_monotonic_time () < deadline;)
    {
      g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
      const char *entry;

      while ((entry = g_dir_read_name (d)) != NULL)
        writing |= !g_str_equal (entry, "out.csv");
      if (!writing)
        g_usleep (200);
    }
  kill (child, SIGKILL);
  g_assert_true (writing);
  waitpid (child, &status, 0);
  g_assert_true (WIFSIGNALED (status));

  loaded = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  assert_same_matrix (small, loaded);

  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *entry;

    while ((entry = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (dir, entry, NULL);
        g_unlink (p);
      }
  }
  g_rmdir (dir);
}

/* A set of files is replaced whole or not at all: when its second file
 * cannot be written, the first keeps its old bytes and no temporary file
 * stays behind. */
static void
test_write_set (void)
{
  g_autofree char *dir = g_dir_make_tmp ("factorscope-set-XXXXXX", NULL);
  g_autofree char *a = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *b = g_build_filename (dir, "b.csv", NULL);
  g_autofree char *lost = g_build_filename (dir, "missing", "b.csv", NULL);
  const double data[] = { 1.5, -2.0, 0.25, 4.0 };
  g_autoptr(GBytes) a_csv = fs_csv_format (2, 2, data, "x,y");
  g_autoptr(GBytes) b_csv = fs_csv_format (1, 4, data, NULL);
  GBytes *contents[] = { a_csv, b_csv };
  const char *failing[] = { a, lost };
  const char *paths[] = { a, b };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;
  g_autofree char *text = NULL;
  const char *entry;

  g_assert_true (g_file_set_contents (a, "old\n", -1, NULL));
  g_assert_false (fs_csv_write_set (2, failing, contents, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_true (g_file_get_contents (a, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "old\n");
  d = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (d)) != NULL)
    g_assert_cmpstr (entry, ==, "a.csv");

  g_assert_true (fs_csv_write_set (2, paths, contents, NULL));
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (a, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "x,y\n1.5,-2\n0.25,4\n");
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (b, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "1.5,-2,0.25,4\n");

  g_unlink (a);
  g_unlink (b);
  g_rmdir (dir);
}

/* Text that starts with "BM" (a BMP's first two bytes) is a table, under
 * a .csv name or none; a real BMP header holds more than those two bytes. */
static void
test_bm_text_is_not_image (void)
{
  static const char text[] = "BMI,age,weight\n22.5,31,70\n27.1,45,88\n19.8,23,55\n";
  const char *names[] = { "bmi.csv", "bmi" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_matrix_load_data (names[k], (const guint8 *) text,
                                                   strlen (text), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (X->rows, ==, 3);
      g_assert_cmpuint (X->cols, ==, 3);
      g_assert_cmpstr (X->col_labels[0], ==, "BMI");
      g_assert_cmpfloat (X->data[0], ==, 22.5);
    }
}

/* A 2 × 2 RGBA image: opaque red, half-transparent black, fully
 * transparent green, opaque grey 51. Luma is BT.709's; transparency is
 * composited on white. Saved as PNG and read back through the loader. */
static void
test_image_alpha (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 2, 2);
  guint8 *px = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 colours[4][4] = { { 255, 0, 0, 255 }, { 0, 0, 0, 128 },
                                 { 0, 255, 0, 0 }, { 51, 51, 51, 255 } };
  const double want[4] = { 0.2126, (255 - 128) / 255.0, 1.0, 0.2 };
  g_autofree char *png = NULL;
  g_autofree char *jpeg = NULL;
  gsize png_len, jpeg_len;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsMatrix) J = NULL;

  for (int k = 0; k < 4; k++)
    memcpy (px + (k / 2) * stride + (k % 2) * 4, colours[k], 4);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_len, "png", &error, NULL));
  X = fs_matrix_load_data ("alpha.png", (const guint8 *) png, png_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (X->image_height, ==, 2);
  g_assert_cmpuint (X->image_width, ==, 2);
  for (int k = 0; k < 4; k++)
    g_assert_cmpfloat_with_epsilon (X->data[k], want[k], 1e-12);

  /* JPEG, which has no alpha and is lossy: the opaque cells come close. */
  {
    g_autoptr(GdkPixbuf) opaque = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 16);

    gdk_pixbuf_fill (opaque, 0x808080ff);
    g_assert_true (gdk_pixbuf_save_to_buffer (opaque, &jpeg, &jpeg_len, "jpeg", &error,
                                              "quality", "100", NULL));
  }
  J = fs_matrix_load_data ("grey.jpg", (const guint8 *) jpeg, jpeg_len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (J->rows, ==, 16);
  g_assert_cmpfloat_with_epsilon (J->data[5 * 16 + 7], 128 / 255.0, 2 / 255.0);
}

/* Text PNM, P2 (grey) and P3 (colour), 64 × 48: gdk-pixbuf's loader
 * reads it in 4 KiB pieces and announces the size again at the second,
 * after rows were decoded; every value must still load, and a file cut
 * in half must still be refused as cut short. */
static void
test_image_text_pnm (void)
{
  const int width = 64, height = 48;

  for (int colour = 0; colour < 2; colour++)
    {
      const char *name = colour ? "text.ppm" : "text.pgm";
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;
      g_autoptr(FsMatrix) cut = NULL;

      g_string_append_printf (text, "%s\n%d %d\n255\n", colour ? "P3" : "P2", width, height);
      for (int i = 0; i < height; i++)
        {
          for (int j = 0; j < width; j++)
            {
              int v = (i * 7 + j * 13) % 256;

              if (colour)
                g_string_append_printf (text, "%d %d %d ", v, (v * 3) % 256, 255 - v);
              else
                g_string_append_printf (text, "%d ", v);
            }
          g_string_append_c (text, '\n');
        }
      g_assert_cmpuint (text->len, >, 2 * 4096);

      X = fs_matrix_load_data (name, (const guint8 *) text->str, text->len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (X->rows, ==, height);
      g_assert_cmpuint (X->cols, ==, width);
      for (int i = 0; i < height; i++)
        for (int j = 0; j < width; j++)
          {
            int v = (i * 7 + j * 13) % 256;
            double want = colour ? (0.2126 * v + 0.7152 * ((v * 3) % 256) + 0.0722 * (255 - v)) / 255.0
                                 : v / 255.0;

            g_assert_cmpfloat_with_epsilon (X->data[i * width + j], want, 1e-12);
          }

      cut = fs_matrix_load_data (name, (const guint8 *) text->str, text->len / 2, &error);
      g_assert_null (cut);
      g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
      g_test_message ("%s cut in half: %s", name, error->message);
      g_assert_nonnull (strstr (error->message, "cut short"));
    }
}

/* A number of 64 characters or more (a long exact decimal) is a number. */
static void
test_long_number (void)
{
  g_autofree char *text = g_strconcat ("0.", "0000000000000000000000000000000000000000000000000000000000000000000000",
                                       "125,2\n3,4\n", NULL);
  g_autoptr(FsMatrix) X = parse_ok ("long.csv", text);

  g_assert_cmpuint (X->rows, ==, 2);
  g_assert_cmpuint (X->cols, ==, 2);
  g_assert_cmpfloat (X->data[0], ==, 1.25e-71);
  g_assert_cmpfloat (X->data[3], ==, 4.0);
}

/* Rows whose fields are all empty are left out, and the notices say how
 * many. */
static void
test_empty_rows_notice (void)
{
  g_autoptr(FsMatrix) X = parse_ok ("empty-rows.csv", "1,2\n,\n3,4\n,\n");

  g_assert_cmpuint (X->rows, ==, 2);
  g_assert_nonnull (X->notices);
  g_assert_cmpstr (X->notices[0], ==, "Left out 2 rows whose fields are all empty");
}

#ifndef __SANITIZE_ADDRESS__
/* A matrix that the memory left cannot hold is refused before it is
 * allocated: here under a 1 GiB address-space limit (ulimit -v), which
 * AddressSanitizer's shadow memory would not run under. */
static void
test_memory_limit (void)
{
  /* Every cell announced, so that the file is read dense (a sparse read
   * would hold 1 cell). */
  static const char text[] = "%%MatrixMarket matrix coordinate real general\n20000 20000 400000000\n1 1 1\n";

  if (g_test_subprocess ())
    {
      struct rlimit limit = { 1 << 30, 1 << 30 };
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;

      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
      X = fs_matrix_load_data ("big.mtx", (const guint8 *) text, strlen (text), &error);
      g_assert_null (X);
      g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "needs 3.0 GiB, more than the"));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}
#endif

/* A file cut short is refused with a message naming it, whatever the
 * format: plain and interlaced PNG, baseline and progressive JPEG (64 × 64
 * cuts of the cameraman photo, tests/data/images). The whole files load. */
static void
test_image_truncated (void)
{
  const char *files[] = { "skimage_camera.png", "camera-64-interlaced.png",
                          "camera-64.jpg", "camera-64-progressive.jpg" };

  for (guint k = 0; k < G_N_ELEMENTS (files); k++)
    {
      g_autofree char *relative = g_build_filename ("images", files[k], NULL);
      g_autofree char *path = k == 0 ? real_data_path ("images/skimage_camera.png")
                                     : test_data_path (relative);
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) whole = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, &error));
      whole = fs_matrix_load_data (files[k], (const guint8 *) data, len, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (whole->rows, >=, 64);

      for (gsize cut = 100; cut < len; cut += MAX (len / 7, 1))
        {
          g_autoptr(GError) cut_error = NULL;
          g_autoptr(FsMatrix) X = fs_matrix_load_data (files[k], (const guint8 *) data, cut,
                                                       &cut_error);

          g_test_message ("%s cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT ": %s", files[k],
                          cut, len, cut_error != NULL ? cut_error->message : "loaded");
          g_assert_null (X);
          g_assert_nonnull (cut_error);
          g_assert_true (g_str_has_prefix (cut_error->message, files[k]));
        }
    }
}

static void
test_save_errors (void)
{
  g_autoptr(FsMatrix) X = parse_ok ("s.csv", "1,2\n3,4\n");
  g_autoptr(GError) error = NULL;

  g_assert_false (fs_matrix_save (X, "/nonexistent-folder/out.csv", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_false (fs_matrix_save (X, "out.xlsx", &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "out.xlsx"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loaders/real-data", test_real_data);
  g_test_add_func ("/loaders/npy/variants", test_npy_variants);
  g_test_add_func ("/loaders/npy/shapes", test_npy_shapes);
  g_test_add_func ("/loaders/mtx/variants", test_mtx_variants);
  g_test_add_func ("/loaders/delimited/variants", test_delimited_variants);
  g_test_add_func ("/loaders/broken", test_broken_inputs);
  g_test_add_func ("/loaders/image/bm-text-is-not-image", test_bm_text_is_not_image);
  g_test_add_func ("/loaders/image/alpha-and-jpeg", test_image_alpha);
  g_test_add_func ("/loaders/image/truncated", test_image_truncated);
  g_test_add_func ("/loaders/image/text-pnm", test_image_text_pnm);
  g_test_add_func ("/loaders/delimited/empty-rows", test_empty_rows_notice);
  g_test_add_func ("/loaders/delimited/long-number", test_long_number);
#ifndef __SANITIZE_ADDRESS__
  g_test_add_func ("/loaders/memory-limit", test_memory_limit);
#endif
  g_test_add_func ("/writers/round-trips", test_round_trips);
  /* Under valgrind (the 'valgrind' suite of tests/meson.build sets
   * FS_UNDER_VALGRIND) the forked writer runs under valgrind too and had
   * not begun its temporary file within the test's 30 s: there the test
   * would measure valgrind's speed, not memory errors, so that suite does
   * not register it. */
  if (g_getenv ("FS_UNDER_VALGRIND") == NULL)
    g_test_add_func ("/writers/atomic", test_atomic_write);
  g_test_add_func ("/writers/set", test_write_set);
  g_test_add_func ("/writers/errors", test_save_errors);

  return g_test_run ();
}
