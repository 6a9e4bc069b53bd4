/* test-import.c: import options, the loader's report, the rule for
 * numeric row labels, progress and cancel, the preview.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-loader.h"
#include "fs-test-util.h"

static char *
import_data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", name, NULL);
}

static FsMatrix *
load_text (const char             *text,
           const FsImportOptions  *options,
           GError                **error)
{
  return fs_matrix_load_data_full ("test.csv", (const guint8 *) text, strlen (text), options,
                                   NULL, NULL, NULL, error);
}

static gboolean
notices_contain (const FsMatrix *X,
                 const char     *part)
{
  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    if (strstr (X->notices[i], part) != NULL)
      return TRUE;
  return FALSE;
}

/* Respondent ids (1..500, shuffled) beside answers 1..5: row labels, by
 * scale, with a notice that says how to keep them as data. */
static void
test_numeric_labels_survey (void)
{
  g_autofree char *path = import_data_path ("survey.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
  const FsImportReport *r;

  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 24);
  g_assert_cmpuint (X->cols, ==, 5);
  g_assert_nonnull (X->row_labels);
  g_assert_cmpstr (X->row_labels[0], ==, "268");
  g_assert_cmpstr (X->col_labels[0], ==, "q1");
  r = X->import_report;
  g_assert_nonnull (r);
  g_assert_true (r->header && !r->header_guessed);
  g_assert_true (r->row_labels && r->row_labels_guessed);
  g_assert_cmpstr (r->numeric_label_column, ==, "respondent");
  g_assert_nonnull (strstr (r->row_labels_reason, "scale"));
  g_assert_cmpuint (r->n_file_columns, ==, 6);
  g_assert_cmpuint (r->n_file_rows, ==, 24);
  g_assert_true (fs_import_report_has_guesses (r));
  g_assert_cmpuint (g_strv_length (X->notices), ==, 1);
  g_assert_true (notices_contain (X, "column 1 (“respondent”)"));
  g_assert_true (notices_contain (X, "--row-labels none"));
  g_assert_true (notices_contain (X, "Row labels → None"));
  g_assert_null (X->import_options);
}

/* Years beside rates: row labels, by type. */
static void
test_numeric_labels_years (void)
{
  g_autofree char *path = import_data_path ("yearly.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 31);
  g_assert_cmpuint (X->cols, ==, 3);
  g_assert_cmpstr (X->row_labels[0], ==, "1990");
  g_assert_cmpstr (X->row_labels[30], ==, "2020");
  g_assert_cmpstr (X->import_report->numeric_label_column, ==, "year");
  g_assert_true (notices_contain (X, "column 1 (“year”)"));
}

/* Distinct integers 3..97 beside integers 0..100: the same scale, so
 * data, but a guess the report names. */
static void
test_numeric_labels_same_scale (void)
{
  g_autofree char *path = import_data_path ("same-scale.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
  const FsImportReport *r;

  g_assert_no_error (error);
  g_assert_cmpuint (X->cols, ==, 4);
  g_assert_null (X->row_labels);
  g_assert_cmpstr (X->col_labels[0], ==, "score");
  g_assert_null (X->notices);
  r = X->import_report;
  g_assert_false (r->row_labels);
  g_assert_true (r->row_labels_guessed);
  g_assert_null (r->numeric_label_column);
}

/* Where the rule must not apply: no header, a single column, repeated
 * values, non-integers that do not increase. */
static void
test_numeric_labels_not (void)
{
  const char *cases[] = {
    "1990,0.5,0.7\n1991,0.2,0.1\n1992,0.3,0.4\n",
    "year\n1990\n1991\n1992\n",
    "year,rate\n1990,0.5\n1990,0.2\n1992,0.3\n",
    "x,rate\n1991.5,0.5\n1990,0.2\n1992,0.3\n",
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = load_text (cases[k], NULL, &error);

      g_test_message ("%s", cases[k]);
      g_assert_no_error (error);
      g_assert_null (X->row_labels);
      g_assert_null (X->import_report->numeric_label_column);
      g_assert_null (X->notices);
    }
}

/* A first column that increases strictly, of any finite values: row
 * labels beside another scale (wavelengths beside absorbances) or type
 * (times with fractions beside whole counts), data beside the same. */
static void
test_numeric_labels_increasing (void)
{
  g_autofree char *path = import_data_path ("wavelengths.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) A = fs_matrix_load (path, &error);
  g_autoptr(FsMatrix) B = NULL;
  g_autoptr(FsMatrix) C = NULL;
  g_autoptr(FsMatrix) D = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (A->cols, ==, 2);
  g_assert_cmpstr (A->row_labels[0], ==, "400.5");
  g_assert_cmpstr (A->import_report->numeric_label_column, ==, "nm");
  g_assert_true (A->import_report->row_labels_guessed);
  g_assert_nonnull (strstr (A->import_report->row_labels_reason, "increase strictly"));
  g_assert_true (notices_contain (A, "column 1 (“nm”)"));
  g_assert_true (notices_contain (A, "--row-labels none"));

  B = load_text ("minutes,count,events\n0.0,12,3\n0.5,15,4\n1.0,11,2\n1.5,19,5\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (B->cols, ==, 2);
  g_assert_cmpstr (B->row_labels[1], ==, "0.5");
  g_assert_nonnull (strstr (B->import_report->row_labels_reason, "whole"));
  g_assert_true (notices_contain (B, "column 1 (“minutes”)"));

  /* Wavelengths beside counts around 1200: a factor of three is not
   * another scale, but whole counts are another type. */
  C = load_text ("nm,count\n400.5,1200\n401.0,1190\n401.5,1215\n402.0,1207\n", NULL,
                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (C->row_labels);

  D = load_text ("t,a\n1.5,2.5\n2.5,1.5\n3.5,2.25\n4.5,3.75\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (D->row_labels);
  g_assert_null (D->notices);
  g_assert_true (D->import_report->row_labels_guessed);
  g_assert_nonnull (strstr (D->import_report->row_labels_reason, "increase strictly"));
}

/* Every numeric column taken as labels by a guess says so (an index, as
 * pandas writes it; numbers in quotes); a guess that would leave no
 * column of numbers reads column 1 as data. */
static void
test_numeric_labels_notices (void)
{
  g_autofree char *path = import_data_path ("indexed.csv");
  FsImportOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) A = fs_matrix_load (path, &error);
  g_autoptr(FsMatrix) B = NULL;
  g_autoptr(FsMatrix) C = NULL;
  g_autoptr(FsMatrix) D = NULL;
  g_autoptr(FsMatrix) E = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (A->cols, ==, 2);
  g_assert_cmpstr (A->row_labels[3], ==, "3");
  g_assert_true (A->import_report->row_labels_guessed);
  g_assert_cmpstr (A->import_report->numeric_label_column, ==, "id");
  g_assert_true (notices_contain (A, "column 1 (“id”)"));
  g_assert_true (notices_contain (A, "index"));
  g_assert_true (notices_contain (A, "--row-labels none"));

  B = load_text ("\"7\",0.5\n\"9\",0.25\n\"4\",0.75\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (B->row_labels[0], ==, "7");
  g_assert_true (B->import_report->row_labels_guessed);
  g_assert_true (notices_contain (B, "Read column 1 as row labels, as its values are in quotes"));

  /* Ids 1..3 beside text only: the ids are the data. */
  C = load_text ("id,name,city\n1,Ann,Oslo\n2,Bob,Rome\n3,Cy,Nice\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (C->cols, ==, 1);
  g_assert_null (C->row_labels);
  g_assert_cmpstr (C->col_labels[0], ==, "id");
  g_assert_false (C->import_report->row_labels);
  g_assert_true (C->import_report->row_labels_guessed);
  g_assert_null (C->import_report->numeric_label_column);
  g_assert_cmpstr (C->import_report->row_labels_reason, ==, "it is the only column of numbers");
  g_assert_false (notices_contain (C, "row labels"));

  /* The same when the other columns are dropped. */
  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("2,3", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  D = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (D->cols, ==, 1);
  g_assert_null (D->row_labels);
  g_assert_null (D->notices);
  fs_import_options_clear (&options);

  /* Distinct ids beside no other numbers: the reason says so. */
  E = load_text ("id,name\n3,x\n7,y\n9,z\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (E->row_labels);
  g_assert_true (E->import_report->row_labels_guessed);
  g_assert_cmpstr (E->import_report->row_labels_reason, ==, "it is the only column of numbers");
}

/* Text beside numbers, R's empty corner cell and write.table's short
 * header are row labels the file states, not guesses. */
static void
test_labels_not_guessed (void)
{
  const char *cases[] = {
    "name,a,b\nx,1,2\ny,3,4\n",
    ",a,b\n1,1,2\n2,3,4\n",
    "a,b\nx,1,2\ny,3,4\n",
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = load_text (cases[k], NULL, &error);

      g_test_message ("%s", cases[k]);
      g_assert_no_error (error);
      g_assert_nonnull (X->row_labels);
      g_assert_cmpuint (X->cols, ==, 2);
      g_assert_true (X->import_report->row_labels);
      g_assert_false (X->import_report->row_labels_guessed);
      g_assert_false (fs_import_report_has_guesses (X->import_report));
      g_assert_null (X->notices);
    }
}

/* The label column cannot be dropped when the options or R's short
 * header say it holds labels; write.table's short header cannot be read
 * without labels. */
static void
test_options_label_errors (void)
{
  FsImportOptions options;
  g_autoptr(GError) error = NULL;

  fs_import_options_init (&options);
  options.row_labels = FS_ROW_LABELS_FIRST;
  g_assert_true (fs_import_parse_columns ("1", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  g_assert_null (load_text ("year,a,b\n1990,1,2\n1991,3,4\n", &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "the first column holds the row labels, so it "
                                            "cannot be dropped"));
  g_clear_error (&error);
  options.row_labels = FS_ROW_LABELS_AUTO;
  g_assert_null (load_text ("a,b\nx,1,2\ny,3,4\n", &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  fs_import_options_clear (&options);

  fs_import_options_init (&options);
  options.row_labels = FS_ROW_LABELS_NONE;
  g_assert_null (load_text ("a,b\nx,1,2\ny,3,4\n", &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "one field short"));
  g_assert_nonnull (strstr (error->message, "write.table"));
  fs_import_options_clear (&options);
}

/* --header and --row-labels override the rules. */
static void
test_options_header_labels (void)
{
  FsImportOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) A = NULL;
  g_autoptr(FsMatrix) B = NULL;
  g_autoptr(FsMatrix) C = NULL;
  g_autoptr(FsMatrix) D = NULL;

  fs_import_options_init (&options);
  options.row_labels = FS_ROW_LABELS_FIRST;
  options.header = FS_HEADER_YES;
  /* Numbers as a header, a numeric first column as labels. */
  A = load_text ("0,10,20\n5,1,2\n6,3,4\n", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (A->rows, ==, 2);
  g_assert_cmpuint (A->cols, ==, 2);
  g_assert_cmpstr (A->row_labels[1], ==, "6");
  g_assert_cmpstr (A->col_labels[0], ==, "10");
  g_assert_true (A->import_report->header && !A->import_report->header_guessed);
  g_assert_true (A->import_report->row_labels && !A->import_report->row_labels_guessed);
  g_assert_nonnull (A->import_options);
  g_assert_true (fs_import_options_equal (A->import_options, &options));

  /* None: the survey's ids are data. */
  options.row_labels = FS_ROW_LABELS_NONE;
  options.header = FS_HEADER_AUTO;
  {
    g_autofree char *path = import_data_path ("survey.csv");

    B = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (B->cols, ==, 6);
  g_assert_null (B->row_labels);
  g_assert_null (B->notices);

  /* None with a text first column: a text column, left out. */
  C = load_text ("name,a,b\nx,1,2\ny,3,4\n", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (C->cols, ==, 2);
  g_assert_null (C->row_labels);
  g_assert_cmpuint (C->import_report->n_text_columns, ==, 1);
  g_assert_cmpuint (C->import_report->text_columns[0], ==, 1);

  /* No header: a row of words is data, text in every column. */
  options.row_labels = FS_ROW_LABELS_AUTO;
  options.header = FS_HEADER_NO;
  D = load_text ("1,2\n3,4\n", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (D->rows, ==, 2);
  g_assert_null (D->col_labels);
  g_assert_null (load_text ("a,b\n1,2\n", &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
}

/* Columns of the file, the label column counted; then the transpose. */
static void
test_options_drop_transpose (void)
{
  const char *text = "id,a,b,c\nr1,1,2,3\nr2,4,5,6\n";
  FsImportOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsMatrix) Y = NULL;
  g_autoptr(FsMatrix) Z = NULL;

  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("3", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  options.transpose = TRUE;
  X = load_text (text, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, 2);
  g_assert_cmpuint (X->cols, ==, 2);
  g_assert_cmpstr (X->row_labels[0], ==, "a");
  g_assert_cmpstr (X->row_labels[1], ==, "c");
  g_assert_cmpstr (X->col_labels[1], ==, "r2");
  g_assert_cmpfloat (fs_matrix_get (X, 1, 0), ==, 3.0);
  g_assert_cmpfloat (fs_matrix_get (X, 0, 1), ==, 4.0);
  /* The report is about the file. */
  g_assert_cmpuint (X->import_report->n_file_columns, ==, 4);
  fs_import_options_clear (&options);

  /* Dropping the label column leaves no labels. */
  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("1", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  Y = load_text (text, &options, &error);
  g_assert_no_error (error);
  g_assert_null (Y->row_labels);
  g_assert_cmpuint (Y->cols, ==, 3);
  fs_import_options_clear (&options);

  /* A dropped column of text is not an error, nor a notice. */
  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("2", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  Z = load_text ("a,b,c\n1,2,3\n4,oops,6\n7,8,9\n", &options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (Z->cols, ==, 2);
  g_assert_null (Z->notices);
  fs_import_options_clear (&options);

  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("2,5", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  g_assert_null (load_text (text, &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "column 5"));
  g_assert_nonnull (strstr (error->message, "4 columns"));
  g_clear_error (&error);
  fs_import_options_clear (&options);

  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("2-4", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  g_assert_null (load_text (text, &options, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "dropped"));
  fs_import_options_clear (&options);
}

/* .npy: dropping and transposing apply, the header and labels do not. */
static void
test_options_other_formats (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "npy", "le-f8-3x4.npy",
                                                 NULL);
  FsImportOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;

  fs_import_options_init (&options);
  g_assert_true (fs_import_parse_columns ("1,3", &options.drop_columns, &options.n_drop_columns,
                                          &error));
  options.transpose = TRUE;
  X = fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Cell (i, j) of the file holds i * 4 + j - 5. */
  g_assert_cmpuint (X->rows, ==, 2);
  g_assert_cmpuint (X->cols, ==, 3);
  g_assert_cmpfloat (fs_matrix_get (X, 0, 2), ==, 2 * 4 + 1 - 5);
  g_assert_cmpfloat (fs_matrix_get (X, 1, 1), ==, 1 * 4 + 3 - 5);
  g_assert_null (X->import_report);
  g_assert_nonnull (X->import_options);

  options.header = FS_HEADER_NO;
  g_assert_null (fs_matrix_load_full (path, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "le-f8-3x4.npy"));
  g_assert_nonnull (strstr (error->message, "CSV, TSV and text"));
  fs_import_options_clear (&options);
}

/* What the report says of separators, R's quoted header, empty rows. */
static void
test_report (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) A = load_text ("a;b\n0,5;1\n2;3\n;\n", NULL, &error);
  g_autoptr(FsMatrix) B = NULL;
  g_autoptr(FsMatrix) C = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (A->import_report->separator, ==, ';');
  g_assert_true (A->import_report->decimal_comma);
  g_assert_cmpfloat (fs_matrix_get (A, 0, 0), ==, 0.5);
  g_assert_cmpuint (A->import_report->n_empty_rows, ==, 1);
  g_assert_false (A->import_report->header_guessed);
  g_assert_true (fs_import_report_has_guesses (A->import_report));

  B = load_text ("\"1\",\"2\"\n3,4\n5,6\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (B->import_report->header && B->import_report->header_guessed);
  g_assert_nonnull (B->import_report->header_reason);

  C = load_text ("1\t2\n3\t4\n", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (C->import_report->separator, ==, '\t');
  g_assert_false (C->import_report->header || C->import_report->row_labels);
  g_assert_false (fs_import_report_has_guesses (C->import_report));
}

/* A CSV of about 50 MB in dir. */
static char *
write_large_csv (const char *dir,
                 const char *last_line)
{
  g_autofree char *path = g_build_filename (dir, "large.csv", NULL);
  GString *text = g_string_sized_new (52 << 20);
  g_autoptr(GError) error = NULL;

  g_string_append (text, "id,a,b,c,d,e,f,g\n");
  for (guint i = 0; text->len < (50u << 20); i++)
    g_string_append_printf (text, "%u,%u.25,%u.5,0.125,%u,1.75,2.5,%u.0625\n",
                            i, i % 97, i % 13, i % 7, i % 31);
  g_string_append (text, last_line);
  g_file_set_contents (path, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);
  return g_steal_pointer (&path);
}

#if defined(__SANITIZE_THREAD__)
/* ThreadSanitizer runs this 5 to 15 times slower. */
#define CANCEL_LIMIT (3 * G_USEC_PER_SEC)
#elif defined(__SANITIZE_ADDRESS__)
#define CANCEL_LIMIT (2 * G_USEC_PER_SEC)
#else
#define CANCEL_LIMIT (G_USEC_PER_SEC / 2)
#endif

/* Progress rises to 1 in at most about a hundred steps; a load cancelled
 * from another thread ends soon with G_IO_ERROR_CANCELLED: about 10 ms
 * here; CANCEL_LIMIT is loose for a loaded CI machine, and looser under
 * AddressSanitizer, where the tokenizer's stretch between two checks of
 * the cancellable took 0.73 s with the other tests running beside it. */
static void
test_progress_cancel (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = write_large_csv (dir, "");

  fs_test_check_progress_cancel (path, 10, CANCEL_LIMIT);
  g_remove (path);
}

/* The preview reads the first records only: a malformed last line does
 * not matter, and 50 MB take no time. */
static void
test_preview_large (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = write_large_csv (dir, "1,2,\"never closed\n");
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (file);
  gsize len = g_mapped_file_get_length (file);
  FsImportOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) P = NULL;
  g_autoptr(FsMatrix) T = NULL;
  gint64 start = g_get_monotonic_time ();

  P = fs_matrix_load_preview ("large.csv", data, len, NULL, 20, 5, &error);
  g_assert_no_error (error);
  g_test_message ("preview in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_cmpuint (P->rows, ==, 20);
  g_assert_cmpuint (P->cols, ==, 5);
  /* The id column counts the rows: pandas' index. */
  g_assert_cmpstr (P->row_labels[3], ==, "3");
  g_assert_cmpstr (P->col_labels[0], ==, "a");
  g_assert_cmpfloat (fs_matrix_get (P, 3, 1), ==, 3.5);
  g_assert_nonnull (P->import_report);
  g_assert_null (fs_matrix_load_data ("large.csv", data, len, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_clear_error (&error);

  fs_import_options_init (&options);
  options.transpose = TRUE;
  options.row_labels = FS_ROW_LABELS_FIRST;
  T = fs_matrix_load_preview ("large.csv", data, len, &options, 4, 6, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (T->rows, ==, 4);
  g_assert_cmpuint (T->cols, ==, 6);
  g_assert_cmpstr (T->row_labels[0], ==, "a");
  g_assert_cmpstr (T->col_labels[5], ==, "5");
  g_assert_cmpfloat (fs_matrix_get (T, 0, 5), ==, 5.25);
  g_assert_true (fs_import_options_equal (T->import_options, &options));
  g_remove (path);
}

/* A preview is the corner of the whole load. */
static void
test_preview_corner (void)
{
  g_autofree char *path = import_data_path ("survey.csv");
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsMatrix) P = NULL;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  X = fs_matrix_load_data ("survey.csv", (const guint8 *) text, len, &error);
  P = fs_matrix_load_preview ("survey.csv", (const guint8 *) text, len, NULL, 3, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (P->rows, ==, 3);
  g_assert_cmpuint (P->cols, ==, 2);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (P->row_labels[i], ==, X->row_labels[i]);
      for (guint j = 0; j < 2; j++)
        g_assert_cmpfloat (fs_matrix_get (P, i, j), ==, fs_matrix_get (X, i, j));
    }
  g_assert_cmpstr (P->import_report->numeric_label_column, ==, "respondent");
  g_assert_true (notices_contain (P, "respondent"));
}

static void
assert_is_corner (const FsMatrix *P,
                  const FsMatrix *X,
                  gsize           rows,
                  gsize           cols)
{
  g_assert_cmpuint (P->rows, ==, rows);
  g_assert_cmpuint (P->cols, ==, cols);
  for (gsize i = 0; i < rows; i++)
    {
      if (X->row_labels != NULL)
        g_assert_cmpstr (P->row_labels[i], ==, X->row_labels[i]);
      for (gsize j = 0; j < cols; j++)
        g_assert_cmpfloat (fs_matrix_get (P, i, j), ==, fs_matrix_get (X, i, j));
    }
  for (gsize j = 0; j < cols && X->col_labels != NULL; j++)
    g_assert_cmpstr (P->col_labels[j], ==, X->col_labels[j]);
}

/* The corner of a matrix read once, with columns dropped and turned, is
 * the corner of the whole load with those options, labels included. */
static void
test_import_corner (void)
{
  g_autofree char *npy = g_build_filename (g_getenv ("FS_TEST_DATA"), "npy", "skimage_lfw_subset_200x625.npy",
                                           NULL);
  const char *csv = "name,a,b,c,d\nr1,1,2,3,4\nr2,5,6,7,8\nr3,9,10,11,12\n";
  guint drop[] = { 2, 5 };
  guint drop_csv[] = { 3 };
  FsImportOptions options = { 0 };
  g_autoptr(GError) error = NULL;

  fs_import_options_init (&options);
  options.transpose = TRUE;
  options.drop_columns = drop;
  options.n_drop_columns = G_N_ELEMENTS (drop);
  {
    g_autoptr(FsMatrix) base = fs_matrix_load (npy, &error);
    g_autoptr(FsMatrix) X = fs_matrix_load_full (npy, &options, NULL, NULL, NULL, &error);
    g_autoptr(FsMatrix) P = NULL;

    g_assert_no_error (error);
    P = fs_matrix_import_corner (base, &options, 7, 9, &error);
    g_assert_no_error (error);
    assert_is_corner (P, X, 7, 9);
    g_assert_true (P->import_options->transpose);
  }
  {
    /* Delimited text counts its label column among the file's. */
    g_autoptr(FsMatrix) base = fs_matrix_load_data ("t.csv", (const guint8 *) csv, strlen (csv), &error);
    g_autoptr(FsMatrix) X = NULL;
    g_autoptr(FsMatrix) P = NULL;

    g_assert_no_error (error);
    options.drop_columns = drop_csv;
    options.n_drop_columns = 1;
    X = fs_matrix_load_data_full ("t.csv", (const guint8 *) csv, strlen (csv), &options, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    options.drop_columns = drop;
    P = fs_matrix_import_corner (base, &options, 2, 2, &error);
    g_assert_no_error (error);
    assert_is_corner (P, X, 2, 2);
    g_assert_cmpstr (P->row_labels[1], ==, "c");
    options.drop_columns = (guint[]) { 9 };
    g_assert_null (fs_matrix_import_corner (base, &options, 2, 2, &error));
    g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/import/numeric-labels/survey", test_numeric_labels_survey);
  g_test_add_func ("/import/numeric-labels/years", test_numeric_labels_years);
  g_test_add_func ("/import/numeric-labels/same-scale", test_numeric_labels_same_scale);
  g_test_add_func ("/import/numeric-labels/not", test_numeric_labels_not);
  g_test_add_func ("/import/numeric-labels/increasing", test_numeric_labels_increasing);
  g_test_add_func ("/import/numeric-labels/notices", test_numeric_labels_notices);
  g_test_add_func ("/import/labels-not-guessed", test_labels_not_guessed);
  g_test_add_func ("/import/options/label-errors", test_options_label_errors);
  g_test_add_func ("/import/options/header-labels", test_options_header_labels);
  g_test_add_func ("/import/options/drop-transpose", test_options_drop_transpose);
  g_test_add_func ("/import/options/other-formats", test_options_other_formats);
  g_test_add_func ("/import/report", test_report);
  g_test_add_func ("/import/progress-cancel", test_progress_cancel);
  g_test_add_func ("/import/preview/large", test_preview_large);
  g_test_add_func ("/import/preview/corner", test_preview_corner);
  g_test_add_func ("/import/import-corner", test_import_corner);
  return g_test_run ();
}
