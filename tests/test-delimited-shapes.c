/* test-delimited-shapes.c: what the delimited reader counts as it reads
 * instead of keeping every record (issue 20) gives the right matrix and
 * the right messages when it matters past the sample of the file's start
 * (64 KiB and three lines) and in any chunk: a column that turns to text
 * only far down (left out, its notice), row labels read again from the
 * text, a stray word and a row of another width deep in the file (their
 * line and column), row labels that only text past the sample makes
 * labels (the records' starts found by reading the text again) and those
 * the sample must foresee (numbers that may be ids), and the file's first
 * record, of which only the cells the rules need are kept whole. Each
 * text of about 3 MB is read serially and cut into 4 and 7 chunks read by
 * threads; the values are checked against the numbers the text was
 * written from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-delimited.h"
#include "fs-error.h"
#include "fs-import.h"

#define ROWS 60000u

static const guint chunk_counts[] = { 1, 4, 7 };

/* The number written in row i, column j: exact in six decimals. */
static double
cell (guint i,
      guint j)
{
  return (double) ((i * 7919u + j * 104729u) % 1000000u) / 1e6;
}

static void
append_cell (GString *text,
             guint    i,
             guint    j)
{
  g_string_append_printf (text, "%.6f", cell (i, j));
}

/* R's header (an empty corner), a label per row, and three columns of
 * numbers of which the third holds text from row 20000 on ("late": about
 * 900 KB in, past the 64 KiB the reader samples for the width, and in
 * the second of 4 or 7 chunks). */
static GString *
late_text (void)
{
  GString *text = g_string_new (",a,b,late,c\n");

  for (guint i = 0; i < ROWS; i++)
    {
      g_string_append_printf (text, "\"row %u\",", i + 1);
      append_cell (text, i, 0);
      g_string_append_c (text, ',');
      append_cell (text, i, 1);
      if (i < 20000)
        {
          g_string_append_c (text, ',');
          append_cell (text, i, 2);
        }
      else
        g_string_append (text, ",word");
      g_string_append_c (text, ',');
      append_cell (text, i, 3);
      g_string_append_c (text, '\n');
    }
  return text;
}

/* The same read with LF line ends and with CR ones (the sample that
 * learns the width cuts at either; chunks are cut at LF only, so a file
 * of CR line ends is read whole by one thread). */
static void
test_late_text_column (void)
{
  GString *text = late_text ();

  g_assert_cmpuint (text->len, >, (gsize) 2 << 20);
  for (guint k = 0; k < 2 * G_N_ELEMENTS (chunk_counts); k++)
    {
      guint joined = fs_delimited_get_joined_reads ();
      gboolean cr = k >= G_N_ELEMENTS (chunk_counts);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;

      if (k == G_N_ELEMENTS (chunk_counts))
        for (gsize b = 0; b < text->len; b++)
          if (text->str[b] == '\n')
            text->str[b] = '\r';
      X = fs_delimited_parse_split ("late.csv", text->str, text->len, NULL, NULL, NULL, NULL,
                                    chunk_counts[k % G_N_ELEMENTS (chunk_counts)], &error);
      g_assert_no_error (error);
      /* Cut into chunks, it was read by threads and joined. */
      if (!cr)
        g_assert_cmpuint (fs_delimited_get_joined_reads (), ==, joined + (chunk_counts[k] > 1));
      g_assert_cmpuint (X->rows, ==, ROWS);
      g_assert_cmpuint (X->cols, ==, 3);
      g_assert_cmpstr (X->col_labels[0], ==, "a");
      g_assert_cmpstr (X->col_labels[1], ==, "b");
      g_assert_cmpstr (X->col_labels[2], ==, "c");
      g_assert_nonnull (X->notices);
      g_assert_cmpstr (X->notices[0], ==, "Left out column 4 (“late”): it holds text, not numbers");
      g_assert_cmpuint (X->import_report->n_text_columns, ==, 1);
      g_assert_cmpuint (X->import_report->text_columns[0], ==, 4);
      for (guint i = 0; i < ROWS; i++)
        {
          g_autofree char *label = g_strdup_printf ("row %u", i + 1);

          g_assert_cmpstr (X->row_labels[i], ==, label);
          g_assert_cmpfloat (X->data[i * 3 + 0], ==, cell (i, 0));
          g_assert_cmpfloat (X->data[i * 3 + 1], ==, cell (i, 1));
          g_assert_cmpfloat (X->data[i * 3 + 2], ==, cell (i, 3));
        }
    }
  g_string_free (text, TRUE);
}

/* Many text columns have one notice together (a notice a column made
 * the window show one after another, and 500,000 of them took 50 s to
 * add, each counting those before it); the report lists them all. With
 * no header, a column is named by its number. */
static void
test_many_text_columns (void)
{
  for (guint header = 0; header < 2; header++)
    {
      GString *text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;
      FsImportOptions options;

      for (guint j = 0; header && j < 3000; j++)
        g_string_append_printf (text, "%sh%u", j > 0 ? "," : "", j);
      if (header)
        g_string_append_c (text, '\n');
      for (guint i = 0; i < 4; i++)
        for (guint j = 0; j < 3000; j++)
          {
            if (j % 3 == 1)
              g_string_append (text, "word");
            else
              g_string_append_printf (text, "%u.25", (i * 13 + j) % 17);
            g_string_append_c (text, j == 2999 ? '\n' : ',');
          }
      fs_import_options_init (&options);
      options.header = header ? FS_HEADER_AUTO : FS_HEADER_NO;
      X = fs_delimited_parse_full ("many.csv", text->str, text->len, &options, NULL, NULL, NULL,
                                   0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (X->cols, ==, 2000);
      g_assert_cmpuint (X->import_report->n_text_columns, ==, 1000);
      g_assert_cmpuint (X->import_report->text_columns[999], ==, 2999);
      g_assert_cmpuint (g_strv_length (X->notices), ==, 1);
      g_assert_cmpstr (X->notices[0], ==,
                       header ? "Left out 1000 columns that hold text, not numbers: 2 (“h1”), "
                                "5 (“h4”), 8 (“h7”) and 997 others"
                              : "Left out 1000 columns that hold text, not numbers: 2 (“2”), "
                                "5 (“5”), 8 (“8”) and 997 others");
      g_string_free (text, TRUE);
    }
}

/* Rows of three numbers; at line `line` (1-based), `bad` instead. */
static GString *
numbers_with (guint       line,
              const char *bad)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ROWS * 2; i++)
    {
      if (i + 1 == line)
        g_string_append (text, bad);
      else
        {
          append_cell (text, i, 0);
          g_string_append_c (text, ',');
          append_cell (text, i, 1);
          g_string_append_c (text, ',');
          append_cell (text, i, 2);
        }
      g_string_append_c (text, '\n');
    }
  return text;
}

static void
assert_error_everywhere (GString    *text,
                         const char *expected)
{
  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      guint joined = fs_delimited_get_joined_reads ();
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_delimited_parse_split ("deep.csv", text->str, text->len, NULL,
                                                        NULL, NULL, NULL, chunk_counts[k],
                                                        &error);

      g_assert_cmpuint (fs_delimited_get_joined_reads (), ==, joined + (chunk_counts[k] > 1));
      g_assert_null (X);
      g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* A row one field short, and one a field too long before it, far past
 * the sample: the first of them is the error. */
static void
test_deep_width_error (void)
{
  GString *text = numbers_with (100001, "0.5,0.25");
  g_autofree char *expected = NULL;

  assert_error_everywhere (text, "deep.csv:100001: this row has 2 fields, the rows above have 3");
  g_string_free (text, TRUE);

  text = numbers_with (70001, "1,2,3,4");
  expected = g_strdup ("deep.csv:70001: this row has 4 fields, the rows above have 3");
  assert_error_everywhere (text, expected);
  g_string_free (text, TRUE);
}

/* A stray word in a column of numbers far past the sample: an error at
 * its line and column. */
static void
test_deep_stray_word (void)
{
  GString *text = numbers_with (90001, "0.5,0.25,oops");

  assert_error_everywhere (text, "deep.csv:90001:10: “oops” is not a number");
  g_string_free (text, TRUE);
}

/* Only a count of text cells is kept a column: the error's word is
 * found by reading the file again, and must be the first of several in
 * its column, on the line the tokenizer counted. Before it: a comment, a
 * blank line, a record of empty fields, and cells of a text column
 * holding line ends (each adds a line), so that records and lines
 * differ; the stray words are in one column, a later one first in
 * chunks read before it. */
static void
test_first_stray_word (void)
{
  GString *text = g_string_new ("# made by a test\n\nx,y,name\n,,\n");
  guint line = 5, first_line = 0;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < 120000; i++)
    {
      const char *word = i == 70000 ? "oops" : i == 90000 || i == 110000 ? "later" : NULL;

      if (word != NULL && first_line == 0)
        first_line = line;
      g_string_append_printf (text, "%u,%s,", i, word != NULL ? word : "0.5");
      if (i % 1000 == 0)
        {
          /* A cell of two line ends. */
          g_string_append (text, "\"a\nb\nc\"\n");
          line += 3;
        }
      else
        {
          g_string_append (text, "w\n");
          line++;
        }
    }
  expected = g_strdup_printf ("deep.csv:%u:7: “oops” is not a number", first_line);
  assert_error_everywhere (text, expected);
  g_string_free (text, TRUE);
}

/* A stray word in the second record (its text is counted before the
 * width is known) and another further on: the second's is named. */
static void
test_stray_word_second_record (void)
{
  GString *text = g_string_new ("a,b,c\n1,2,\"two\nlines\"\n");

  for (guint i = 0; i < 90000; i++)
    g_string_append_printf (text, "%u,0.25,%s\n", i, i == 80000 ? "late" : "0.5");
  assert_error_everywhere (text, "deep.csv:2:5: “two\nlines” is not a number");
  g_string_free (text, TRUE);
}

/* The separator is chosen from the file's first 40 lines that are not
 * comments, however far in they are: 4.3 MB of comment lines before a
 * table separated by tabs (a review found it read as commas, "no column
 * of numbers", when only the first 4 MiB were looked at). */
static void
test_separator_past_comments (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;

  while (text->len < 4300000)
    g_string_append (text, "# a comment line of some length, written before the numbers\n");
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (text, "%u\t%u.5\t2\t3\t%u\n", i, i, i * 7);
  X = fs_delimited_parse_full ("comments.tsv", text->str, text->len, NULL, NULL, NULL, NULL, 0,
                               &error);
  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 10);
  g_assert_cmpuint (X->cols, ==, 5);
  g_assert_cmpfloat (X->data[9 * 5 + 1], ==, 9.5);
  g_assert_cmpint (X->import_report->separator, ==, '\t');
  g_string_free (text, TRUE);
}

/* Whole numbers are read by a path of their own (up to 15 digits ended by
 * a separator or a line end): each cell is what g_ascii_strtod makes of
 * its text, with leading zeros, at 15 and 16 digits (past the path), at
 * the text's end without a line end, and with blanks after it (which the
 * path leaves to the general one), comma-, tab- and blank-separated, CR
 * and CRLF line ends. */
static void
test_whole_numbers (void)
{
  const char *separators[] = { ",", "\t", " " };
  const char *line_ends[] = { "\n", "\r\n", "\r" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);

  for (guint k = 0; k < G_N_ELEMENTS (separators); k++)
    {
      const guint rows = 300, cols = 6;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;

      for (guint i = 0; i < rows; i++)
        {
          for (guint j = 0; j < cols; j++)
            {
              guint digits = 1 + (guint) g_rand_int_range (rand, 0, 16);
              GString *cell = g_string_new (NULL);

              for (guint d = 0; d < digits; d++)
                g_string_append_c (cell, (char) ('0' + g_rand_int_range (rand, 0, 10)));
              g_string_append (text, cell->str);
              /* Blanks after a cell, but for the blank-separated. */
              if (k < 2 && g_rand_int_range (rand, 0, 8) == 0)
                g_string_append (text, "  ");
              g_ptr_array_add (cells, g_string_free (cell, FALSE));
              if (j + 1 < cols)
                g_string_append (text, separators[k]);
            }
          if (i + 1 < rows)
            g_string_append (text, line_ends[(i + k) % G_N_ELEMENTS (line_ends)]);
        }
      X = fs_delimited_parse_full ("whole.csv", text->str, text->len, NULL, NULL, NULL, NULL, 0,
                                   &error);
      g_assert_no_error (error);
      g_assert_cmpuint (X->rows, ==, rows);
      g_assert_cmpuint (X->cols, ==, cols);
      for (guint c = 0; c < rows * cols; c++)
        g_assert_cmpfloat (X->data[c], ==, g_ascii_strtod (g_ptr_array_index (cells, c), NULL));
    }
}

/* A preview of the file's first records (the import sheet's) is what a
 * whole read of just those records gives: text further on, inside the
 * part of the file the reader samples for its width, does not change it
 * (a column with text past the preview is data in it), and a single data
 * row shorter than the header is read as itself. Each case: the text, how
 * many records the preview reads, and those records' own text. */
static void
assert_preview_is_prefix (const char *text,
                          guint       records,
                          const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) prefix_error = NULL;
  g_autoptr(FsMatrix) P = fs_delimited_parse_full ("preview.csv", text, strlen (text), NULL,
                                                   NULL, NULL, NULL, records, &error);
  g_autoptr(FsMatrix) W = fs_delimited_parse_full ("preview.csv", prefix, strlen (prefix), NULL,
                                                   NULL, NULL, NULL, 0, &prefix_error);

  g_test_message ("%u records: %s", records,
                  error != NULL ? error->message : "read");
  if (prefix_error != NULL)
    {
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, prefix_error->message);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (P->rows, ==, W->rows);
  g_assert_cmpuint (P->cols, ==, W->cols);
  g_assert_cmpuint (P->n_missing, ==, W->n_missing);
  for (gsize k = 0; k < W->rows * W->cols; k++)
    if (isnan (W->data[k]))
      g_assert_true (isnan (P->data[k]));
    else
      g_assert_cmpfloat (P->data[k], ==, W->data[k]);
  g_assert_true ((P->row_labels == NULL) == (W->row_labels == NULL));
  for (gsize i = 0; W->row_labels != NULL && i < W->rows; i++)
    g_assert_cmpstr (P->row_labels[i], ==, W->row_labels[i]);
  g_assert_true ((P->col_labels == NULL) == (W->col_labels == NULL));
  for (gsize j = 0; W->col_labels != NULL && j < W->cols; j++)
    g_assert_cmpstr (P->col_labels[j], ==, W->col_labels[j]);
}

/* Records "i % 10,(3 i) % 10" under the header "a,b", with column b's
 * cell from line from_line on (or on that line alone) replaced by word. */
static GString *
digits_text (guint       n_rows,
             guint       from_line,
             gboolean    alone,
             const char *word,
             guint       up_to)
{
  GString *text = g_string_new ("a,b\n");

  for (guint i = 1; i <= MIN (n_rows, up_to); i++)
    {
      guint line = i + 1;

      if (line == from_line || (!alone && line > from_line))
        g_string_append_printf (text, "%u,%s\n", i % 10, word);
      else
        g_string_append_printf (text, "%u,%u\n", i % 10, (3 * i) % 10);
    }
  return text;
}

static void
test_preview (void)
{
  const guint limit = 2000;
  g_autoptr(GString) stray = digits_text (3000, 2502, TRUE, "oops", G_MAXUINT);
  g_autoptr(GString) stray_prefix = digits_text (3000, 2502, TRUE, "oops", limit - 1);
  g_autoptr(GString) word = digits_text (3000, 2100, FALSE, "word", G_MAXUINT);
  g_autoptr(GString) word_prefix = digits_text (3000, 2100, FALSE, "word", limit - 1);

  /* The text past the preview but inside the sampled part. */
  assert_preview_is_prefix (stray->str, limit, stray_prefix->str);
  assert_preview_is_prefix (word->str, limit, word_prefix->str);
  assert_preview_is_prefix ("x\n1\n2\nfoo\n3\n", 3, "x\n1\n2\n");
  assert_preview_is_prefix ("x\n1\n2\nfoo\n3\n", 2, "x\n1\n");
  /* One data row, shorter than the header or with a label. */
  assert_preview_is_prefix ("a,b,c\nNA,1,2\nr2,3,4\n", 2, "a,b,c\nNA,1,2\n");
  assert_preview_is_prefix ("a,b,c\n1,2,3\n\"x\ny\",2\n3,4,5\n", 2, "a,b,c\n1,2,3\n");
}

/* Rows "label,x,y" with no header, separated by sep, whose labels are
 * numbers (their text, "%.6f") but for row TEXT_ROW's, a word, far past
 * the sample of the file's start: the sample says the first column
 * cannot be row labels, the whole file says it is. Past the sample, the
 * text is awkward where records start: a blank line and a comment before
 * row 40000, a record of empty fields before row 40001 (left out; not
 * with blanks for separators), a label in quotes with a line end, a
 * doubled quote and the separator in it at row 45000, and CRLF line ends
 * from row 55000. label_of gives each row's label. */
#define TEXT_ROW 50000u

static char *
label_of (guint i,
          char  sep)
{
  if (i == TEXT_ROW)
    return g_strdup ("late");
  if (i == 45000)
    return g_strdup_printf ("a \"b\"%c\nc", sep);
  return g_strdup_printf ("%.6f", cell (i, 2));
}

static GString *
late_labels (char sep)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < ROWS; i++)
    {
      if (i == 40000)
        g_string_append (text, "\n# a comment\n");
      if (i == 40001 && sep != ' ')
        g_string_append_printf (text, "%c\n", sep);
      if (i == 45000)
        g_string_append_printf (text, "\"a \"\"b\"\"%c\nc\"", sep);
      else if (i == TEXT_ROW)
        g_string_append (text, "late");
      else
        append_cell (text, i, 2);
      g_string_append_c (text, sep);
      append_cell (text, i, 0);
      g_string_append_c (text, sep);
      append_cell (text, i, 1);
      g_string_append (text, i >= 55000 ? "\r\n" : "\n");
    }
  return text;
}

/* Read serially and in chunks, with commas and with blanks: the labels
 * are every row's first field, found by reading the text again once a
 * read. */
static void
test_late_label_text (void)
{
  static const char seps[] = { ',', ' ' };

  for (guint s = 0; s < G_N_ELEMENTS (seps); s++)
    {
      GString *text = late_labels (seps[s]);

      g_assert_cmpuint (text->len, >, (gsize) 1 << 20);
      for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
        {
          guint rescans = fs_delimited_get_start_rescans ();
          g_autoptr(GError) error = NULL;
          g_autoptr(FsMatrix) X = fs_delimited_parse_split ("labels.csv", text->str, text->len,
                                                            NULL, NULL, NULL, NULL,
                                                            chunk_counts[k], &error);

          g_test_message ("separator '%c', %u chunks", seps[s], chunk_counts[k]);
          g_assert_no_error (error);
          g_assert_cmpuint (fs_delimited_get_start_rescans (), ==, rescans + 1);
          g_assert_cmpuint (X->rows, ==, ROWS);
          g_assert_cmpuint (X->cols, ==, 2);
          g_assert_true (X->import_report->row_labels);
          g_assert_false (X->import_report->row_labels_guessed);
          g_assert_cmpuint (X->import_report->n_empty_rows, ==, seps[s] == ' ' ? 0 : 1);
          g_assert_nonnull (X->row_labels);
          for (guint i = 0; i < ROWS; i++)
            {
              g_autofree char *label = label_of (i, seps[s]);

              g_assert_cmpstr (X->row_labels[i], ==, label);
              g_assert_cmpfloat (X->data[i * 2 + 0], ==, cell (i, 0));
              g_assert_cmpfloat (X->data[i * 2 + 1], ==, cell (i, 1));
            }
          g_assert_null (X->row_labels[ROWS]);
        }
      g_string_free (text, TRUE);
    }
}

/* The same first column of numbers, with the word, under a header whose
 * first column's numbers repeat within the sample (i % 10: not ids), and
 * read with the options that rule labels out or in: none keeps the word
 * an error, first reads the labels with no second reading. */
static void
test_late_label_text_header (void)
{
  GString *text = g_string_new ("n,x,y\n");
  FsImportOptions options;

  for (guint i = 0; i < ROWS; i++)
    {
      if (i == TEXT_ROW)
        g_string_append (text, "late");
      else
        g_string_append_printf (text, "%u", i % 10);
      g_string_append_c (text, ',');
      append_cell (text, i, 0);
      g_string_append_c (text, ',');
      append_cell (text, i, 1);
      g_string_append_c (text, '\n');
    }
  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      guint rescans = fs_delimited_get_start_rescans ();
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = NULL;
      g_autoptr(FsMatrix) F = NULL;
      g_autofree char *expected = NULL;

      X = fs_delimited_parse_split ("header.csv", text->str, text->len, NULL, NULL, NULL, NULL,
                                    chunk_counts[k], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fs_delimited_get_start_rescans (), ==, rescans + 1);
      g_assert_cmpuint (X->rows, ==, ROWS);
      g_assert_cmpuint (X->cols, ==, 2);
      g_assert_cmpstr (X->col_labels[0], ==, "x");
      g_assert_cmpstr (X->col_labels[1], ==, "y");
      for (guint i = 0; i < ROWS; i++)
        {
          g_autofree char *label = i == TEXT_ROW ? g_strdup ("late") : g_strdup_printf ("%u", i % 10);

          g_assert_cmpstr (X->row_labels[i], ==, label);
          g_assert_cmpfloat (X->data[i * 2 + 1], ==, cell (i, 1));
        }

      fs_import_options_init (&options);
      options.row_labels = FS_ROW_LABELS_NONE;
      F = fs_delimited_parse_split ("header.csv", text->str, text->len, &options, NULL, NULL,
                                    NULL, chunk_counts[k], &error);
      g_assert_null (F);
      expected = g_strdup_printf ("header.csv:%u:1: “late” is not a number", TEXT_ROW + 2);
      g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);

      options.row_labels = FS_ROW_LABELS_FIRST;
      F = fs_delimited_parse_split ("header.csv", text->str, text->len, &options, NULL, NULL,
                                    NULL, chunk_counts[k], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fs_delimited_get_start_rescans (), ==, rescans + 1);
      for (guint i = 0; i < ROWS; i++)
        g_assert_cmpstr (F->row_labels[i], ==, X->row_labels[i]);
    }
  g_string_free (text, TRUE);
}

/* A first column under a header that the rule for numbers (README "Row
 * labels") takes as labels over the whole file: the sample must keep the
 * records' starts for it (no second reading). first(i) writes row i's
 * first cell, rest(i, j) its others. */
typedef void (*WriteCell) (GString *text, guint i, guint j);

static void
write_id (GString *text, guint i, guint j)
{
  g_string_append_printf (text, "%u", 1000 + 3 * i);
}

static void
write_time (GString *text, guint i, guint j)
{
  g_string_append_printf (text, "%.2f", 0.25 * i + 0.5);
}

static void
write_index (GString *text, guint i, guint j)
{
  g_string_append_printf (text, "%u", i);
}

static void
write_fraction (GString *text, guint i, guint j)
{
  append_cell (text, i, j);
}

static void
write_count (GString *text, guint i, guint j)
{
  g_string_append_printf (text, "%u", (i * 31 + j * 17) % 97);
}

static void
assert_numeric_labels (WriteCell   first,
                       WriteCell   rest,
                       const char *reason)
{
  GString *text = g_string_new ("k,a,b\n");

  for (guint i = 0; i < ROWS; i++)
    {
      first (text, i, 0);
      for (guint j = 1; j < 3; j++)
        {
          g_string_append_c (text, ',');
          rest (text, i, j);
        }
      g_string_append_c (text, '\n');
    }
  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      guint rescans = fs_delimited_get_start_rescans ();
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_delimited_parse_split ("ids.csv", text->str, text->len, NULL,
                                                        NULL, NULL, NULL, chunk_counts[k],
                                                        &error);

      g_assert_no_error (error);
      g_assert_cmpuint (fs_delimited_get_start_rescans (), ==, rescans);
      g_assert_cmpuint (X->rows, ==, ROWS);
      g_assert_cmpuint (X->cols, ==, 2);
      g_assert_true (X->import_report->row_labels_guessed);
      g_assert_cmpstr (X->import_report->row_labels_reason, ==, reason);
      g_assert_cmpstr (X->import_report->numeric_label_column, ==, "k");
      for (guint i = 0; i < ROWS; i++)
        {
          GString *label = g_string_new (NULL);

          first (label, i, 0);
          g_assert_cmpstr (X->row_labels[i], ==, label->str);
          g_string_free (label, TRUE);
        }
    }
  g_string_free (text, TRUE);
}

static void
test_numeric_labels_foreseen (void)
{
  assert_numeric_labels (write_id, write_fraction,
                         "its values are distinct whole numbers and most of the others are not");
  assert_numeric_labels (write_time, write_count,
                         "its values increase strictly and are not whole numbers, while most of "
                         "the others are");
  assert_numeric_labels (write_index, write_count,
                         "it counts the rows, as pandas and spreadsheets write an index");
}

/* Reads text serially and in chunks: the same column labels and the same
 * values (NaN for missing) every time, or the same error. */
static void
assert_first_record (const char         *text,
                     const FsImportOptions *options,
                     const char * const *col_labels,
                     const double       *first_row,
                     guint               cols,
                     const char         *error_message)
{
  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_delimited_parse_split ("first.csv", text, strlen (text),
                                                        options, NULL, NULL, NULL,
                                                        chunk_counts[k], &error);

      g_test_message ("%.*s, %u chunks", (int) strcspn (text, "\n"), text, chunk_counts[k]);
      if (error_message != NULL)
        {
          g_assert_null (X);
          g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
          g_assert_cmpstr (error->message, ==, error_message);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpuint (X->cols, ==, cols);
      if (col_labels == NULL)
        g_assert_null (X->col_labels);
      else
        g_assert_true (g_strv_equal ((const char * const *) X->col_labels, col_labels));
      for (guint j = 0; j < cols; j++)
        if (isnan (first_row[j]))
          g_assert_true (isnan (X->data[j]));
        else
          g_assert_cmpfloat (X->data[j], ==, first_row[j]);
    }
}

/* The file's first record, long (so that its cells past the first two
 * are not all kept whole) and followed by a few thousand rows of whole
 * numbers: as a
 * header found by a word at its end (read again whole: its numbers are
 * column labels), as a header by the options, as data with a missing
 * and an empty cell, as data with a stray word (its line and column),
 * and R's header of quoted numbers. */
static void
test_first_record (void)
{
  static const char * const mixed_labels[] = { "0.5", "2", "NA", "", "7", "total", NULL };
  static const char * const number_labels[] = { "1", "2", "3", "4", "5", "6", NULL };
  static const double ones[] = { 1, 2, 3, 4, 5, 6 };
  const double data_row[] = { 1, 2, 3, NAN, NAN, 6 };
  GString *rows = g_string_new (NULL);
  g_autofree char *mixed = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *stray = NULL;
  g_autofree char *quoted = NULL;
  FsImportOptions options;

  /* Numbers that repeat (no column of ids), 1 to 6 in the first row. */
  for (guint i = 0; i < 5000; i++)
    for (guint j = 0; j < 6; j++)
      g_string_append_printf (rows, "%u%c", (i * 7 + j) % 100 + 1, j == 5 ? '\n' : ',');
  mixed = g_strconcat ("0.5,2,NA,,7,total\n", rows->str, NULL);
  plain = g_strconcat ("1,2,3,4,5,6\n", rows->str, NULL);
  missing = g_strconcat ("1,2,3,NA,,6\n", rows->str, NULL);
  stray = g_strconcat ("1,2,3,4,oops,6\n", rows->str, NULL);
  quoted = g_strconcat ("\"1\",\"2\",\"3\",\"4\",\"5\",\"6\"\n", rows->str, NULL);

  assert_first_record (mixed, NULL, mixed_labels, ones, 6, NULL);
  fs_import_options_init (&options);
  options.header = FS_HEADER_YES;
  assert_first_record (plain, &options, number_labels, ones, 6, NULL);
  assert_first_record (missing, NULL, NULL, data_row, 6, NULL);
  options.header = FS_HEADER_NO;
  assert_first_record (stray, &options, NULL, NULL, 6, "first.csv:1:9: “oops” is not a number");
  assert_first_record (quoted, NULL, number_labels, ones, 6, NULL);
  g_string_free (rows, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/delimited-shapes/late-text-column", test_late_text_column);
  g_test_add_func ("/delimited-shapes/many-text-columns", test_many_text_columns);
  g_test_add_func ("/delimited-shapes/deep-width-error", test_deep_width_error);
  g_test_add_func ("/delimited-shapes/deep-stray-word", test_deep_stray_word);
  g_test_add_func ("/delimited-shapes/first-stray-word", test_first_stray_word);
  g_test_add_func ("/delimited-shapes/whole-numbers", test_whole_numbers);
  g_test_add_func ("/delimited-shapes/separator-past-comments", test_separator_past_comments);
  g_test_add_func ("/delimited-shapes/stray-word-second-record", test_stray_word_second_record);
  g_test_add_func ("/delimited-shapes/preview", test_preview);
  g_test_add_func ("/delimited-shapes/late-label-text", test_late_label_text);
  g_test_add_func ("/delimited-shapes/late-label-text-header", test_late_label_text_header);
  g_test_add_func ("/delimited-shapes/numeric-labels-foreseen", test_numeric_labels_foreseen);
  g_test_add_func ("/delimited-shapes/first-record", test_first_record);
  return g_test_run ();
}
