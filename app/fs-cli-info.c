/* fs-cli-info.c: factorscope-cli info and convert, about matrix files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fs-error.h"
#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-json.h"
#include "fs-loader.h"

/* The separator's name, for people. */
static const char *
separator_name (const FsImportReport *r)
{
  switch (r->separator)
    {
    case ';':
      return r->decimal_comma ? _("semicolon, with decimal commas") : _("semicolon");
    case '\t':
      return _("tab");
    case ' ':
      return _("blanks");
    default:
      return _("comma");
    }
}

static void
add_columns_json (JsonBuilder *b,
                  const char  *name,
                  const guint *columns,
                  guint        n_columns)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < n_columns; i++)
    json_builder_add_int_value (b, columns[i]);
  json_builder_end_array (b);
}

static void
add_nullable_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* "import": what the loader decided and which were guesses (null for
 * formats other than delimited text), and the options it read with. */
static void
add_import_json (JsonBuilder    *b,
                 const FsMatrix *X)
{
  const FsImportReport *r = X->import_report;
  const FsImportOptions *o = X->import_options;

  json_builder_set_member_name (b, "import");
  if (r == NULL)
    json_builder_add_null_value (b);
  else
    {
      char separator[2] = { r->separator, '\0' };

      json_builder_begin_object (b);
      fs_json_add_string (b, "separator", separator);
      fs_json_add_boolean (b, "decimal_comma", r->decimal_comma);
      fs_json_add_boolean (b, "header", r->header);
      fs_json_add_boolean (b, "header_guessed", r->header_guessed);
      add_nullable_string (b, "header_reason", r->header_reason);
      fs_json_add_boolean (b, "row_labels", r->row_labels);
      fs_json_add_boolean (b, "row_labels_guessed", r->row_labels_guessed);
      add_nullable_string (b, "row_labels_reason", r->row_labels_reason);
      add_nullable_string (b, "numeric_label_column", r->numeric_label_column);
      fs_json_add_int (b, "file_columns", r->n_file_columns);
      fs_json_add_int (b, "file_rows", r->n_file_rows);
      add_columns_json (b, "text_columns", r->text_columns, r->n_text_columns);
      fs_json_add_int (b, "empty_rows", (gint64) r->n_empty_rows);
      json_builder_end_object (b);
    }

  json_builder_set_member_name (b, "import_options");
  json_builder_begin_object (b);
  fs_json_add_string (b, "row_labels",
                      fs_row_labels_to_string (o != NULL ? o->row_labels : FS_ROW_LABELS_AUTO));
  fs_json_add_string (b, "header", fs_header_to_string (o != NULL ? o->header : FS_HEADER_AUTO));
  fs_json_add_boolean (b, "transpose", o != NULL && o->transpose);
  add_columns_json (b, "drop_columns", o != NULL ? o->drop_columns : NULL,
                    o != NULL ? o->n_drop_columns : 0);
  fs_json_add_string (b, "storage", fs_storage_to_string (o != NULL ? o->storage : FS_STORAGE_AUTO));
  fs_json_add_boolean (b, "zeros_are_values", o != NULL && o->zeros_are_values);
  json_builder_end_object (b);
}

/* The cells held as values: a sparse matrix's listed cells, a dense
 * one's observed cells. */
static gsize
listed_cells (const FsMatrix *X)
{
  return X->sparse != NULL ? X->sparse->nnz : fs_matrix_n_observed (X);
}

/* The bytes the matrix's cells take: the layout, or the values and the
 * mask. */
static gsize
bytes_held (const FsMatrix *X)
{
  if (X->sparse != NULL)
    return fs_sparse_bytes (X->sparse);
  return X->rows * X->cols * (sizeof (double) + (X->mask != NULL ? 1 : 0));
}

/* "storage", "listed", "listed_share", "bytes" and "unlisted" (missing,
 * zeros, or null for a dense matrix, which lists every cell). */
static void
add_storage_json (JsonBuilder    *b,
                  const FsMatrix *X)
{
  fs_json_add_string (b, "storage", X->sparse != NULL ? "sparse" : "dense");
  fs_json_add_int (b, "listed", (gint64) listed_cells (X));
  fs_json_add_double (b, "listed_share", listed_cells (X) / ((double) X->rows * X->cols));
  fs_json_add_int (b, "bytes", (gint64) bytes_held (X));
  if (X->sparse != NULL)
    fs_json_add_string (b, "unlisted", X->sparse->zeros_are_values ? "zeros" : "missing");
  else
    add_nullable_string (b, "unlisted", NULL);
}

static void
print_info_json (const FsMatrix *X,
                 double          min,
                 double          max)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  fs_json_add_int (b, "rows", (gint64) X->rows);
  fs_json_add_int (b, "cols", (gint64) X->cols);
  fs_json_add_int (b, "missing", (gint64) X->n_missing);
  fs_json_add_double (b, "min", min);
  fs_json_add_double (b, "max", max);
  fs_json_add_boolean (b, "row_labels", X->row_labels != NULL);
  fs_json_add_boolean (b, "col_labels", X->col_labels != NULL);
  fs_json_add_string (b, "format", X->format);
  add_storage_json (b, X);
  json_builder_set_member_name (b, "image_shape");
  if (X->image_height > 0)
    {
      json_builder_begin_array (b);
      json_builder_add_int_value (b, (gint64) X->image_height);
      json_builder_add_int_value (b, (gint64) X->image_width);
      json_builder_end_array (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "notices");
  json_builder_begin_array (b);
  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    json_builder_add_string_value (b, X->notices[i]);
  json_builder_end_array (b);
  add_import_json (b, X);
  json_builder_end_object (b);
  fs_json_print (b);
}

/* The header the loader read, and why if it guessed. */
static void
print_header_text (const FsImportReport *r)
{
  if (!r->header)
    g_print (_("header: none\n"));
  else if (r->header_guessed && r->header_reason != NULL)
    g_print (_("header: row 1, guessed: %s\n"), r->header_reason);
  else
    g_print (_("header: row 1\n"));
}

/* The row-label column the loader read, and why if it guessed. */
static void
print_row_labels_text (const FsImportReport *r)
{
  g_autofree char *one = fs_error_number_text (1);
  g_autofree char *what = NULL;

  if (!r->row_labels)
    what = g_strdup (_("none"));
  else if (r->numeric_label_column != NULL)
    /* Translators: a column's number and its header. */
    what = g_strdup_printf (_("column %s (“%s”)"), one, r->numeric_label_column);
  else
    what = g_strdup_printf (_("column %s"), one);

  if (r->row_labels_guessed && r->row_labels_reason != NULL)
    /* Translators: the column (or none), then why the loader chose so. */
    g_print (_("row-label column: %s, guessed: %s\n"), what, r->row_labels_reason);
  else
    g_print (_("row-label column: %s\n"), what);
}

/* Prints format, a line of one "%s", with the list of columns in its
 * place, written as it is made (a file may leave out millions of
 * columns: g_print would hold their list three times). */
static void
print_with_columns (const char  *format,
                    const guint *columns,
                    guint        n_columns)
{
  const char *at = strstr (format, "%s");
  gsize skip = 2;

  /* A translation may number its argument. */
  if (at == NULL && (at = strstr (format, "%1$s")) != NULL)
    skip = 4;
  g_return_if_fail (at != NULL);
  fflush (stdout);
  fwrite (format, 1, (gsize) (at - format), stdout);
  fs_import_write_columns (columns, n_columns, stdout);
  fputs (at + skip, stdout);
  fflush (stdout);
}

/* What the loader decided for delimited text. */
static void
print_import_text (const FsImportReport *r)
{
  if (r == NULL)
    return;
  g_print (_("separator: %s\n"), separator_name (r));
  print_header_text (r);
  print_row_labels_text (r);
  if (r->n_text_columns > 0)
    {
      print_with_columns (_("text columns left out: %s\n"), r->text_columns, r->n_text_columns);
    }
  if (r->n_empty_rows > 0)
    {
      g_autofree char *count = fs_error_number_text (r->n_empty_rows);

      g_print (_("empty rows left out: %s\n"), count);
    }
}

/* How the matrix is held: "storage: sparse", the cells it lists and their
 * share, the bytes they take, and what its unlisted cells are. */
static void
print_storage_text (const FsMatrix *X)
{
  g_autofree char *listed = fs_error_number_text (listed_cells (X));
  g_autofree char *bytes = fs_error_number_text (bytes_held (X));
  g_autofree char *share = g_strdup_printf ("%.3g", 100.0 * listed_cells (X) / ((double) X->rows * X->cols));

  g_print (X->sparse != NULL ? _("storage: sparse\n") : _("storage: dense\n"));
  /* Translators: the cells held as values, then their share of the matrix in per cent. */
  g_print (_("listed cells: %s (%s %% of the matrix)\n"), listed, share);
  g_print (_("bytes held: %s\n"), bytes);
  if (X->sparse != NULL)
    g_print (X->sparse->zeros_are_values ? _("unlisted cells: zeros\n")
                                         : _("unlisted cells: missing\n"));
}

static void
print_info_text (const FsMatrix *X,
                 double          min,
                 double          max)
{
  g_autofree char *rows = fs_error_number_text (X->rows);
  g_autofree char *cols = fs_error_number_text (X->cols);
  g_autofree char *missing = fs_error_number_text (X->n_missing);
  g_autofree char *height = fs_error_number_text (X->image_height);
  g_autofree char *width = fs_error_number_text (X->image_width);

  fs_cli_print_notices (X);
  g_print (_("rows: %s\n"), rows);
  g_print (_("columns: %s\n"), cols);
  g_print (_("missing cells: %s\n"), missing);
  g_print (_("range: %.10g to %.10g\n"), min, max);
  g_print (_("row labels: %s\n"), X->row_labels != NULL ? X->row_labels[0] : _("none"));
  g_print (_("column labels: %s\n"), X->col_labels != NULL ? X->col_labels[0] : _("none"));
  if (X->row_labels != NULL || X->col_labels != NULL)
    g_print (_("(the first label of each is shown)\n"));
  g_print (_("format: %s\n"), X->format);
  print_storage_text (X);
  if (X->image_height > 0)
    g_print (_("image shape: %s × %s\n"), height, width);
  print_import_text (X->import_report);
}

/* FILE read with the import options given. */
static FsMatrix *
load_with_options (const FsCliInput  *in,
                   const char        *path,
                   char             **description,
                   GError           **error)
{
  FsImportOptions options;
  FsMatrix *X;

  if (!fs_cli_input_get_import_options (in, &options, error))
    return NULL;
  X = fs_cli_input_load_path_full (path, &options, description, error);
  fs_import_options_clear (&options);
  return X;
}

int
fs_cli_info (int    argc,
             char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *description = NULL;
  FsCliInput in = { 0 };
  double min, max;

  context = fs_cli_context_new (_("FILE"),
                                _("Describe a matrix file: its shape, missing cells, range, "
                                  "labels and format. FILE may be - for standard input or an "
                                  "example's name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, fs_cli_input_import_option_group (&in));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    X = NULL;
  else if (argc != 2)
    g_set_error (&error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("Give exactly one FILE"));
  else
    X = load_with_options (&in, argv[1], &description, &error);
  fs_cli_input_clear (&in);
  if (X == NULL)
    return fs_cli_fail ("%s", error->message);

  if (!fs_matrix_range (X, &min, &max))
    min = max = NAN;

  if (json)
    print_info_json (X, min, max);
  else
    print_info_text (X, min, max);
  return FS_CLI_EXIT_OK;
}

int
fs_cli_convert (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *description = NULL;
  FsCliInput in = { 0 };

  context = fs_cli_context_new (_("IN OUT"),
                                _("Convert a matrix between formats, chosen by the extension of "
                                  "OUT: .csv, .tsv, .txt, .npy or .mtx (a sparse matrix as its "
                                  "listed cells). OUT is replaced only once it is whole. IN may "
                                  "be - for standard input or an example's name."));
  g_option_context_add_group (context, fs_cli_input_import_option_group (&in));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    X = NULL;
  else if (argc != 3)
    g_set_error (&error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Give an input FILE and an output FILE"));
  else
    X = load_with_options (&in, argv[1], &description, &error);
  fs_cli_input_clear (&in);
  if (X == NULL)
    return fs_cli_fail ("%s", error->message);
  fs_cli_print_notices (X);
  if (!fs_matrix_save (X, argv[2], &error))
    return fs_cli_fail ("%s", error->message);
  return FS_CLI_EXIT_OK;
}
