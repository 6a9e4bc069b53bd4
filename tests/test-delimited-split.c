/* test-delimited-split.c: delimited text cut into 2..8 chunks read by
 * threads gives the serial result bit for bit (values, missing cells,
 * labels, notices, the report, errors), on every delimited file under
 * tests/data and on texts made to catch a cut in the wrong place; and a
 * cancelled load of a large text ends within 100 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs-delimited.h"
#include "fs-error.h"
#include "fs-import.h"
#include "fs-sparse.h"
#include "fs-test-util.h"

static void
assert_same_report (const FsImportReport *a,
                    const FsImportReport *b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a == NULL)
    return;
  g_assert_cmpint (a->separator, ==, b->separator);
  g_assert_cmpint (a->decimal_comma, ==, b->decimal_comma);
  g_assert_cmpint (a->header, ==, b->header);
  g_assert_cmpint (a->header_guessed, ==, b->header_guessed);
  g_assert_cmpint (a->row_labels, ==, b->row_labels);
  g_assert_cmpint (a->row_labels_guessed, ==, b->row_labels_guessed);
  g_assert_cmpstr (a->numeric_label_column, ==, b->numeric_label_column);
  g_assert_cmpuint (a->n_file_columns, ==, b->n_file_columns);
  g_assert_cmpuint (a->n_file_rows, ==, b->n_file_rows);
  g_assert_cmpuint (a->n_text_columns, ==, b->n_text_columns);
  if (a->n_text_columns > 0)
    g_assert_cmpmem (a->text_columns, a->n_text_columns * sizeof (guint),
                     b->text_columns, b->n_text_columns * sizeof (guint));
  g_assert_cmpuint (a->n_empty_rows, ==, b->n_empty_rows);
  g_assert_cmpstr (a->header_reason, ==, b->header_reason);
  g_assert_cmpstr (a->row_labels_reason, ==, b->row_labels_reason);
}

/* The same matrix, bit for bit, with the same account of itself; or the
 * same error. */
static void
assert_same_result (const FsMatrix *a,
                    const GError   *ea,
                    const FsMatrix *b,
                    const GError   *eb)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a == NULL)
    {
      g_assert_nonnull (ea);
      g_assert_nonnull (eb);
      g_assert_cmpuint (ea->domain, ==, eb->domain);
      g_assert_cmpint (ea->code, ==, eb->code);
      g_assert_cmpstr (ea->message, ==, eb->message);
      return;
    }
  g_assert_cmpuint (a->rows, ==, b->rows);
  g_assert_cmpuint (a->cols, ==, b->cols);
  g_assert_cmpstr (a->format, ==, b->format);
  g_assert_true ((a->sparse == NULL) == (b->sparse == NULL));
  if (a->sparse == NULL)
    {
      g_assert_cmpmem (a->data, a->rows * a->cols * sizeof (double),
                       b->data, b->rows * b->cols * sizeof (double));
      g_assert_cmpuint (a->n_missing, ==, b->n_missing);
      g_assert_true ((a->mask == NULL) == (b->mask == NULL));
      if (a->mask != NULL)
        g_assert_cmpmem (a->mask, a->rows * a->cols, b->mask, b->rows * b->cols);
    }
  else
    {
      g_assert_cmpuint (a->sparse->nnz, ==, b->sparse->nnz);
      g_assert_cmpmem (a->sparse->row_ptr, (a->rows + 1) * sizeof (gsize),
                       b->sparse->row_ptr, (b->rows + 1) * sizeof (gsize));
      g_assert_cmpmem (a->sparse->col_idx, a->sparse->nnz * sizeof (guint32),
                       b->sparse->col_idx, b->sparse->nnz * sizeof (guint32));
      g_assert_cmpmem (a->sparse->values, a->sparse->nnz * sizeof (double),
                       b->sparse->values, b->sparse->nnz * sizeof (double));
    }
  fs_test_assert_same_strv (a->row_labels, b->row_labels);
  fs_test_assert_same_strv (a->col_labels, b->col_labels);
  fs_test_assert_same_strv (a->notices, b->notices);
  assert_same_report (a->import_report, b->import_report);
}

/* Reads text serially and in 2..8 chunks, with options, and holds every
 * result to the serial one. Returns whether the serial read succeeded. */
static gboolean
check_splits (const char            *name,
              const char            *text,
              gsize                  len,
              const FsImportOptions *options)
{
  g_autoptr(GError) serial_error = NULL;
  g_autoptr(FsMatrix) serial = fs_delimited_parse_split (name, text, len, options, NULL, NULL,
                                                         NULL, 1, &serial_error);

  for (guint n = 2; n <= 8; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_delimited_parse_split (name, text, len, options, NULL, NULL,
                                                        NULL, n, &error);

      assert_same_result (serial, serial_error, X, error);
    }
  return serial != NULL;
}

/* Option sets the loader takes: automatic, none of the rules, a dropped
 * column, sparse storage, missing cells as zeros. */
static void
check_with_options (const char *name,
                    const char *text,
                    gsize       len)
{
  FsImportOptions options;
  guint drop[] = { 2 };

  check_splits (name, text, len, NULL);

  fs_import_options_init (&options);
  options.header = FS_HEADER_NO;
  options.row_labels = FS_ROW_LABELS_NONE;
  check_splits (name, text, len, &options);

  fs_import_options_init (&options);
  options.header = FS_HEADER_YES;
  options.row_labels = FS_ROW_LABELS_FIRST;
  check_splits (name, text, len, &options);

  fs_import_options_init (&options);
  options.drop_columns = drop;
  options.n_drop_columns = 1;
  check_splits (name, text, len, &options);

  fs_import_options_init (&options);
  options.storage = FS_STORAGE_SPARSE;
  options.zeros_are_values = TRUE;
  check_splits (name, text, len, &options);
}

static void
collect_delimited (const char *dir,
                   GPtrArray  *paths)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      g_autofree char *lower = g_ascii_strdown (entry, -1);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_delimited (path, paths);
      else if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
               g_str_has_suffix (lower, ".txt"))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
}

/* Every delimited file of the test data. */
static void
test_data_files (void)
{
  g_autofree char *root = g_test_build_filename (G_TEST_DIST, "data", NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  collect_delimited (root, paths);
  /* The 16 CSV files there today, and any added. */
  g_assert_cmpuint (paths->len, >=, 16);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      g_autofree char *name = g_path_get_basename (paths->pdata[i]);
      gsize len;

      g_test_message ("%s", (char *) paths->pdata[i]);
      g_assert_true (g_file_get_contents (paths->pdata[i], &text, &len, &error));
      g_assert_true (check_splits (name, text, len, NULL));
      check_with_options (name, text, len);
    }
}

/* Texts whose cuts fall on what a chunk cannot see alone: quoted fields
 * with line ends, errors late in the file (their line numbers), empty
 * rows, comments, CR and CRLF line ends, a BOM, NUL bytes, a header one
 * field short, text columns. Each repeated so that every chunk holds
 * some of it. */
static void
test_awkward_texts (void)
{
  static const char *const pieces[] = {
    "1,2,3\n4,5,6\n",
    "\"a\nb\",1,2\n\"c\",3,4\n",
    "x,y,z\n1,\"2\",3\n,,\n4,5,6\n",
    "1;2,5;3\n4;5;6\n",
    "1\t2\t3\r\n4\t5\t6\r\n",
    "1 2 3\r4 5 6\r",
    "# comment\n1,2,3\n\n4,NA,6\n",
    "a,b\nr1,1,2\nr2,3,4\n",
    ("\xEF\xBB\xBF" "1,2\n3,4\n"),
    "n,v,w\nalpha,1,2\nbeta,3,4\n",
    "1,2,3\n4,5\n",
    "1,2,3\n4,five,6\n",
    "1,2\n3,\"4\n",
    "1,2,3\n4,1e999,6\n",
    "1,2\n3,4\0\n",
    "1,\"2\" x,3\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      gsize piece_len = strlen (pieces[i]) + (i == 14 ? 2 : 0);

      for (guint where = 0; where < 3; where++)
        {
          /* The piece at the start, in the middle or at the end of rows
           * of plain numbers as wide as its first row. */
          GString *text = g_string_new (NULL);
          const char *nl = memchr (pieces[i], '\n', piece_len);
          guint width = 1;

          for (const char *c = pieces[i]; nl != NULL && c < nl; c++)
            width += *c == (strchr (pieces[i], '\t') ? '\t' : strchr (pieces[i], ';') ? ';' : ',');
          for (guint r = 0; r < (where == 0 ? 0u : 200u); r++)
            for (guint j = 0; j < width; j++)
              g_string_append_printf (text, "%u%c", r * width + j, j + 1 == width ? '\n' : ',');
          g_string_append_len (text, pieces[i], (gssize) piece_len);
          for (guint r = 0; r < (where == 2 ? 0u : 200u); r++)
            for (guint j = 0; j < width; j++)
              g_string_append_printf (text, "%u.5%c", r + j, j + 1 == width ? '\n' : ',');
          g_test_message ("piece %u at %u", i, where);
          check_splits ("awkward.csv", text->str, text->len, NULL);
          g_string_free (text, TRUE);
        }
    }
}

/* A quoted field with line ends in every chunk: the cuts fall inside
 * quotes, which only the serial path can read. */
static void
test_quotes_across_cuts (void)
{
  GString *text = g_string_new ("name,a,b\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;

  for (guint r = 0; r < 3000; r++)
    g_string_append_printf (text, "\"row\n%u\",%u,%u.25\n", r, r, r);
  g_assert_true (check_splits ("quoted.csv", text->str, text->len, NULL));
  X = fs_delimited_parse_split ("quoted.csv", text->str, text->len, NULL, NULL, NULL, NULL, 8,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 3000);
  g_assert_cmpstr (X->row_labels[2999], ==, "row\n2999");
  g_string_free (text, TRUE);
}

/* A first column of numbers that turns to text past the sample of the
 * file's start (so that row labels are found by reading the text again),
 * with and without a header, blank lines, comments, records of empty
 * fields and quoted labels with line ends past the sample too: the same
 * result in any number of chunks and with every set of options. */
static void
test_late_labels (void)
{
  for (guint header = 0; header < 2; header++)
    {
      GString *text = g_string_new (header ? "k,a,b\n" : NULL);
      guint rescans = fs_delimited_get_start_rescans ();

      for (guint r = 0; r < 20000; r++)
        {
          if (r % 997 == 500)
            g_string_append (text, "\n# note\n,,\n");
          if (r == 15000)
            g_string_append (text, "\"r\"\"15\n000\"");
          else if (r % 7000 == 6999)
            g_string_append_printf (text, "w%u", r);
          else
            g_string_append_printf (text, "%u.5", r % 10);
          g_string_append_printf (text, ",%u,%u.25\n", r, r % 7);
        }
      g_assert_true (check_splits ("late-labels.csv", text->str, text->len, NULL));
      /* Read again for labels, not foreseen by the sample: serially and
       * in 2..8 chunks. */
      g_assert_cmpuint (fs_delimited_get_start_rescans (), ==, rescans + 8);
      check_with_options ("late-labels.csv", text->str, text->len);
      g_string_free (text, TRUE);
    }
}

/* About 48 MB of numbers, as tools/bench-load writes them. */
static GString *
large_text (void)
{
  GString *text = g_string_sized_new (50 << 20);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20);

  while (text->len < (48u << 20))
    {
      for (guint j = 0; j < 100; j++)
        g_string_append_printf (text, "%.9f%c", g_rand_double (rand), j == 99 ? '\n' : ',');
    }
  return text;
}

/* A large text read by threads equals the serial read. */
static void
test_large (void)
{
  GString *text = large_text ();
  g_autoptr(GError) serial_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) serial = fs_delimited_parse_split ("large.csv", text->str, text->len, NULL,
                                                         NULL, NULL, NULL, 1, &serial_error);
  g_autoptr(FsMatrix) X = fs_delimited_parse_full ("large.csv", text->str, text->len, NULL, NULL,
                                                   NULL, NULL, 0, &error);

  guint joined = fs_delimited_get_joined_reads ();
  g_autoptr(GError) four_error = NULL;
  g_autoptr(FsMatrix) four = NULL;

  g_assert_no_error (serial_error);
  assert_same_result (serial, serial_error, X, error);
  g_assert_cmpuint (X->cols, ==, 100);
  /* Four chunks, read by threads and joined, not read again serially. */
  four = fs_delimited_parse_split ("large.csv", text->str, text->len, NULL, NULL, NULL, NULL, 4,
                                   &four_error);
  g_assert_cmpuint (fs_delimited_get_joined_reads (), ==, joined + 1);
  assert_same_result (serial, serial_error, four, four_error);
  g_string_free (text, TRUE);
}

/* About 12 MB under a header of names, some in quotes across lines, with
 * row labels and a text column: read from a file's mapping, whose pages
 * the reader gives back as it goes, then brings back for the header and
 * the labels. */
static void
test_mapped (void)
{
  GString *text = g_string_sized_new (13 << 20);
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "mapped.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = NULL;
  FsImportOptions options;
  guint drop[] = { 3 };

  g_string_append (text, "id");
  for (guint j = 0; j < 300; j++)
    g_string_append_printf (text, j % 97 == 3 ? ",\"c\n%u, \"\"q\"\"\""
                                  : j % 7 == 5 ? ",\"c%u, q\"" : ",c%u", j);
  g_string_append (text, ",note\n");
  for (guint i = 0; text->len < (12u << 20); i++)
    {
      g_string_append_printf (text, "r%u", i);
      for (guint j = 0; j < 300; j++)
        g_string_append_printf (text, ",%.6f", g_rand_double (rand));
      g_string_append (text, i % 5 == 0 ? ",\"a, b\"\n" : ",word\n");
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  file = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(GError) serial_error = NULL;
      g_autoptr(FsMatrix) serial = NULL;

      fs_import_options_init (&options);
      if (k == 1)
        {
          options.drop_columns = drop;
          options.n_drop_columns = 1;
        }
      else if (k == 2)
        options.row_labels = FS_ROW_LABELS_NONE;
      serial = fs_delimited_parse_split ("mapped.csv", text->str, text->len, &options, NULL,
                                         NULL, NULL, 1, &serial_error);
      g_assert_no_error (serial_error);
      g_assert_cmpuint (serial->cols, ==, k == 2 ? 300 : k == 1 ? 299 : 300);
      g_assert_nonnull (serial->col_labels);
      g_assert_cmpstr (serial->col_labels[3], ==, k == 1 ? "c4" : "c\n3, \"q\"");
      g_assert_cmpstr (serial->col_labels[5], ==, k == 1 ? "c6" : "c5, q");
      for (guint n = 0; n <= 8; n += n < 3 ? 1 : 5)
        {
          g_autoptr(GError) mapped_error = NULL;
          g_autoptr(FsMatrix) mapped =
            fs_delimited_parse_mapped ("mapped.csv", g_mapped_file_get_contents (file),
                                       g_mapped_file_get_length (file), &options, NULL, NULL,
                                       NULL, n, &mapped_error);

          assert_same_result (serial, serial_error, mapped, mapped_error);
        }
    }
  g_string_free (text, TRUE);
  g_unlink (path);
}

/* A NUL byte past a chunk whose read fails first (it starts inside a
 * quoted field that the serial read closes, and meets no closing quote)
 * or past an error of its own (an infinity): chunks look for NUL bytes
 * only in what they read, so the file read again serially must look for
 * them first. A review found the first loading 4001 × 2, "1\0" taken for
 * 1, and the second naming the infinity. */
static void
test_nul_after_failed_chunk (void)
{
  for (guint k = 0; k < 2; k++)
    {
      GString *text = g_string_new ("a,b,note\n");
      g_autoptr(GError) serial_error = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) serial = NULL;
      g_autoptr(FsMatrix) X = NULL;
      gsize quote = 0;

      for (guint i = 0; i < 2000; i++)
        g_string_append_printf (text, "%u,%u,w\n", i, i + 1);
      if (k == 0)
        {
          quote = text->len;
          /* A quoted cell of 100 bytes and a line end, where the file is
           * cut in two. */
          g_string_append (text, "7,8,\"");
          for (guint i = 0; i < 100; i++)
            g_string_append_c (text, 'p');
          g_string_append (text, "\n\"\n");
        }
      for (guint i = 0; i < 2000; i++)
        {
          if (i == 1000)
            g_string_append_len (text, "9,1\0,w\n", 7);
          else if (k == 1 && i == 10)
            g_string_append (text, "inf,1,w\n");
          else
            g_string_append_printf (text, "%u,%u,w\n", i, i + 1);
        }
      if (k == 0)
        g_assert_true (quote < text->len / 2 && text->len / 2 < quote + 100);

      serial = fs_delimited_parse_split ("nul.csv", text->str, text->len, NULL, NULL, NULL,
                                         NULL, 1, &serial_error);
      g_assert_error (serial_error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_nonnull (strstr (serial_error->message, "NUL"));
      X = fs_delimited_parse_split ("nul.csv", text->str, text->len, NULL, NULL, NULL, NULL, 2,
                                    &error);
      assert_same_result (serial, serial_error, X, error);
      g_string_free (text, TRUE);
    }
}

/* The cells of a wide first record read again from their marks (every
 * 256 cells) in order and out of order: labels past the marks, left-out
 * text columns named by their header cells long after the last one read,
 * cells with line ends and doubled quotes at the marks, the same
 * serially, in chunks and from a file's mapping. */
static void
test_header_marks (void)
{
  GString *text = g_string_new ("id");
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "marks.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(FsMatrix) serial = NULL;
  const guint text_columns[] = { 3, 255, 256, 257, 700 };

  /* File columns 1 to 800 after the labels, named n0 to n799, but those
   * at 255 and 256 (in quotes across a line end) and 511 (doubled
   * quotes). */
  for (guint j = 0; j < 800; j++)
    {
      if (j == 255 || j == 256)
        g_string_append_printf (text, ",\"n\n%u\"", j);
      else if (j == 511)
        g_string_append_printf (text, ",\"n\"\"%u\"\"\"", j);
      else
        g_string_append_printf (text, ",n%u", j);
    }
  g_string_append_c (text, '\n');
  for (guint i = 0; i < 20; i++)
    {
      g_string_append_printf (text, "r%u", i);
      for (guint j = 0; j < 800; j++)
        {
          gboolean is_text = FALSE;

          for (guint t = 0; t < G_N_ELEMENTS (text_columns); t++)
            is_text |= j == text_columns[t];
          if (is_text)
            g_string_append (text, ",word");
          else
            g_string_append_printf (text, ",%u", i * 1000 + j);
        }
      g_string_append_c (text, '\n');
    }

  serial = fs_delimited_parse_split ("marks.csv", text->str, text->len, NULL, NULL, NULL, NULL,
                                     1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (serial->cols, ==, 800 - G_N_ELEMENTS (text_columns));
  /* Kept columns: n0 to n2, n4 to n254, n258 to n699, n701 to n799. */
  g_assert_cmpstr (serial->col_labels[0], ==, "n0");
  g_assert_cmpstr (serial->col_labels[3], ==, "n4");
  g_assert_cmpstr (serial->col_labels[253], ==, "n254");
  g_assert_cmpstr (serial->col_labels[254], ==, "n258");
  g_assert_cmpstr (serial->col_labels[507], ==, "n\"511\"");
  g_assert_cmpstr (serial->col_labels[696], ==, "n701");
  g_assert_cmpstr (serial->col_labels[794], ==, "n799");
  g_assert_null (serial->col_labels[795]);
  g_assert_cmpstr (serial->row_labels[19], ==, "r19");
  g_assert_cmpfloat (serial->data[19 * serial->cols + 794], ==, 19799.0);
  g_assert_cmpstr (serial->notices[0], ==, "Left out column 5 (“n3”): it holds text, not numbers");
  g_assert_cmpstr (serial->notices[1], ==,
                   "Left out column 257 (“n\n255”): it holds text, not numbers");
  g_assert_cmpstr (serial->notices[2], ==,
                   "Left out column 258 (“n\n256”): it holds text, not numbers");
  g_assert_cmpstr (serial->notices[3], ==, "Left out column 259 (“n257”): it holds text, not numbers");
  g_assert_cmpstr (serial->notices[4], ==, "Left out column 702 (“n700”): it holds text, not numbers");

  check_splits ("marks.csv", text->str, text->len, NULL);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  file = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  for (guint n = 1; n <= 3; n++)
    {
      g_autoptr(GError) mapped_error = NULL;
      g_autoptr(FsMatrix) mapped =
        fs_delimited_parse_mapped ("marks.csv", g_mapped_file_get_contents (file),
                                   g_mapped_file_get_length (file), NULL, NULL, NULL, NULL, n,
                                   &mapped_error);

      assert_same_result (serial, NULL, mapped, mapped_error);
    }
  g_string_free (text, TRUE);
  g_unlink (path);
}

/* The target, and the limit no cancel may pass even on a busy machine
 * (test-import's). */
#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer runs these 5 to 15 times slower. */
#define CANCEL_LIMIT (3 * G_USEC_PER_SEC)
#define CANCEL_LIMIT_BUSY (3 * G_USEC_PER_SEC)
#elif defined(__SANITIZE_ADDRESS__)
#define CANCEL_LIMIT (2 * G_USEC_PER_SEC)
#define CANCEL_LIMIT_BUSY (2 * G_USEC_PER_SEC)
#else
#define CANCEL_LIMIT (G_USEC_PER_SEC / 10)
#define CANCEL_LIMIT_BUSY (G_USEC_PER_SEC / 2)
#endif

typedef struct
{
  GString      *text;
  GCancellable *cancellable;
  guint         n_chunks;
  gint          progressed;
  gint64        returned;
  GError       *error;
} CancelRun;

static void
note_progress (double   fraction,
               gpointer data)
{
  CancelRun *run = data;

  g_atomic_int_set (&run->progressed, 1);
}

static gpointer
cancel_thread (gpointer data)
{
  CancelRun *run = data;
  FsMatrix *X = fs_delimited_parse_split ("large.csv", run->text->str, run->text->len, NULL,
                                          run->cancellable, note_progress, run, run->n_chunks,
                                          &run->error);

  run->returned = g_get_monotonic_time ();
  g_clear_pointer (&X, fs_matrix_unref);
  return NULL;
}

static gint64
cancel_once (GString *text,
             guint    n_chunks)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelRun run = { text, cancellable, n_chunks };
  GThread *thread = g_thread_new ("load", cancel_thread, &run);
  gint64 cancelled;

  while (!g_atomic_int_get (&run.progressed))
    g_usleep (1000);
  cancelled = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
  return run.returned - cancelled;
}

static int
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* A load cancelled once it has told progress ends with
 * G_IO_ERROR_CANCELLED within 100 ms of the cancel, serially and in 2
 * and 8 chunks: the fastest of three cancels, every one within 500 ms.
 * Alone they take 0.5 to 30 ms; beside the rest of the suite on a 2-core
 * machine with a load of 11, the chunked ones took 70 to 105 ms, the
 * threads waiting for a core. */
/* Rows of NA with 1% of numbers, rows [dense_from, dense_to) all numbers,
 * optionally under a header of names. */
static GString *
mostly_missing_text (gboolean header,
                     gsize    dense_from,
                     gsize    dense_to,
                     gsize    rows,
                     guint    cols)
{
  GString *text = g_string_new (NULL);
  guint64 state = 7;

  for (guint j = 0; header && j < cols; j++)
    g_string_append_printf (text, "c%u%c", j, j + 1 < cols ? ',' : '\n');
  for (gsize i = 0; i < rows; i++)
    for (guint j = 0; j < cols; j++)
      {
        state = state * G_GUINT64_CONSTANT (6364136223846793005) +
                G_GUINT64_CONSTANT (1442695040888963407);
        if ((i >= dense_from && i < dense_to) || (state >> 33) % 100 == 0 || (i == 0 && j == 0))
          g_string_append_printf (text, "0.%06u", (guint) ((state >> 20) % 1000000));
        else
          g_string_append (text, "NA");
        g_string_append_c (text, j + 1 < cols ? ',' : '\n');
      }
  return text;
}

/* Mostly missing files read numbers only, with a dense part: in chunks,
 * one that meets it turns to rows, and the file's share makes it numbers
 * only again at the join (or every chunk rows, when the file is dense
 * after all); each the serial read's matrix bit for bit. The case the
 * review found: a dense part early, under a header or not, and late;
 * forced dense storage; a file that turns dense for good. */
static void
test_compact_turns (void)
{
  const struct { gboolean header; gsize from, to, rows; FsStorage storage; } cases[] = {
    { FALSE, 400, 1600, 20000, FS_STORAGE_AUTO },
    { TRUE, 400, 1600, 20000, FS_STORAGE_AUTO },
    { FALSE, 400, 1600, 20000, FS_STORAGE_DENSE },
    { FALSE, 400, 1600, 3000, FS_STORAGE_AUTO },
    { TRUE, 300, 9000, 20000, FS_STORAGE_AUTO },
    { FALSE, 12000, 14000, 20000, FS_STORAGE_AUTO },
  };
  guint before = fs_delimited_get_rows_to_compacts ();

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      GString *text = mostly_missing_text (cases[k].header, cases[k].from, cases[k].to,
                                           cases[k].rows, 200);
      FsImportOptions options;

      fs_import_options_init (&options);
      options.storage = cases[k].storage;
      g_test_message ("header %d, dense rows %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT
                      " of %" G_GSIZE_FORMAT, cases[k].header, cases[k].from, cases[k].to,
                      cases[k].rows);
      g_assert_true (check_splits ("mostly-missing.csv", text->str, text->len, &options));
      fs_import_options_clear (&options);
      g_string_free (text, TRUE);
    }
  /* The turn back to numbers only was taken. */
  g_assert_cmpuint (fs_delimited_get_rows_to_compacts (), >, before);
}

/* Three records of 8,000,000 one-digit numbers (48 MB): each takes a
 * tenth of a second or more to read, and the cancel comes at the start of
 * the second (progress is told between records). The cancellable was
 * looked at between records only, and the lines were counted for the
 * separator before any look: 130 to 160 ms after the cancel. The width
 * is learnt from the second record (the sample of the file's start
 * cannot hold three), so it is read serially whatever the chunks asked
 * for. */
static void
test_cancel_wide (void)
{
  GString *text = g_string_sized_new ((gsize) 48 << 20);
  gint64 times[3];

  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 8000000; j++)
      g_string_append (text, j + 1 < 8000000 ? "7," : "7\n");
  for (guint t = 0; t < G_N_ELEMENTS (times); t++)
    times[t] = cancel_once (text, 1);
  qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_times);
  g_test_message ("ended %.1f, %.1f, %.1f ms after the cancel", times[0] / 1000.0,
                  times[1] / 1000.0, times[2] / 1000.0);
  g_assert_cmpint (times[0], <, CANCEL_LIMIT);
  g_assert_cmpint (times[2], <, CANCEL_LIMIT_BUSY);
  g_string_free (text, TRUE);
}

static void
test_cancel (void)
{
  GString *text = large_text ();
  guint chunk_counts[] = { 1, 2, 8 };

  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      gint64 times[3];

      for (guint t = 0; t < G_N_ELEMENTS (times); t++)
        times[t] = cancel_once (text, chunk_counts[k]);
      qsort (times, G_N_ELEMENTS (times), sizeof times[0], compare_times);
      g_test_message ("%u chunks: ended %.1f, %.1f, %.1f ms after the cancel", chunk_counts[k],
                      times[0] / 1000.0, times[1] / 1000.0, times[2] / 1000.0);
      g_assert_cmpint (times[0], <, CANCEL_LIMIT);
      g_assert_cmpint (times[2], <, CANCEL_LIMIT_BUSY);
    }
  g_string_free (text, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/delimited-split/data-files", test_data_files);
  g_test_add_func ("/delimited-split/awkward-texts", test_awkward_texts);
  g_test_add_func ("/delimited-split/quotes-across-cuts", test_quotes_across_cuts);
  g_test_add_func ("/delimited-split/late-labels", test_late_labels);
  g_test_add_func ("/delimited-split/large", test_large);
  g_test_add_func ("/delimited-split/mapped", test_mapped);
  g_test_add_func ("/delimited-split/nul-after-failed-chunk", test_nul_after_failed_chunk);
  g_test_add_func ("/delimited-split/header-marks", test_header_marks);
  g_test_add_func ("/delimited-split/compact-turns", test_compact_turns);
  g_test_add_func ("/delimited-split/cancel", test_cancel);
  g_test_add_func ("/delimited-split/cancel-wide", test_cancel_wide);
  return g_test_run ();
}
