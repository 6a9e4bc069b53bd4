/* test-delimited-shapes.c: what the delimited reader counts as it reads
 * instead of keeping every record (issue 20) gives the right matrix and
 * the right messages when it matters past the sample of the file's start
 * (64 KiB and three lines) and in any chunk: a column that turns to text
 * only far down (left out, its notice), row labels read again from the
 * text, a stray word and a row of another width deep in the file (their
 * line and column). Each text of about 3 MB is read serially and cut into
 * 4 and 7 chunks read by threads; the values are checked against the
 * numbers the text was written from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
 * numbers of which the third holds text from row 100 on ("late"). */
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
      if (i < 100)
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

static void
test_late_text_column (void)
{
  GString *text = late_text ();

  g_assert_cmpuint (text->len, >, (gsize) 2 << 20);
  for (guint k = 0; k < G_N_ELEMENTS (chunk_counts); k++)
    {
      guint joined = fs_delimited_get_joined_reads ();
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_delimited_parse_split ("late.csv", text->str, text->len, NULL,
                                                        NULL, NULL, NULL, chunk_counts[k],
                                                        &error);

      g_assert_no_error (error);
      /* Cut into chunks, it was read by threads and joined. */
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/delimited-shapes/late-text-column", test_late_text_column);
  g_test_add_func ("/delimited-shapes/deep-width-error", test_deep_width_error);
  g_test_add_func ("/delimited-shapes/deep-stray-word", test_deep_stray_word);
  return g_test_run ();
}
