/* fs-cli-info.c: factorscope-cli info and convert, about matrix files.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-json.h"
#include "fs-loader.h"

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
  json_builder_end_object (b);
  fs_json_print (b);
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
  if (X->image_height > 0)
    g_print (_("image shape: %s × %s\n"), height, width);
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
  double min, max;

  context = fs_cli_context_new (_("FILE"),
                                _("Describe a matrix file: its shape, missing cells, range, "
                                  "labels and format. FILE may be - for standard input or an "
                                  "example's name."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fs_cli_fail ("%s", error->message);
  if (argc != 2)
    return fs_cli_fail (_("Give exactly one FILE"));
  if (!(X = fs_cli_input_load_path (argv[1], &description, &error)))
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

  context = fs_cli_context_new (_("IN OUT"),
                                _("Convert a matrix between formats, chosen by the extension of "
                                  "OUT: .csv, .tsv, .txt or .npy. OUT is replaced only once it "
                                  "is whole. IN may be - for standard input or an example's name."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fs_cli_fail ("%s", error->message);
  if (argc != 3)
    return fs_cli_fail (_("Give an input FILE and an output FILE"));
  if (!(X = fs_cli_input_load_path (argv[1], &description, &error)))
    return fs_cli_fail ("%s", error->message);
  fs_cli_print_notices (X);
  if (!fs_matrix_save (X, argv[2], &error))
    return fs_cli_fail ("%s", error->message);
  return FS_CLI_EXIT_OK;
}
