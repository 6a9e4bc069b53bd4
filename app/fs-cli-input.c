/* fs-cli-input.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-loader.h"
#include "fs-params.h"

void
fs_cli_input_clear (FsCliInput *in)
{
  g_clear_pointer (&in->example, g_free);
  g_clear_pointer (&in->example_size, g_free);
  g_clear_pointer (&in->scaling, g_free);
  g_clear_pointer (&in->scaling_help, g_free);
  g_clear_pointer (&in->row_labels, g_free);
  g_clear_pointer (&in->header, g_free);
  g_clear_pointer (&in->drop_columns, g_free);
  g_clear_pointer (&in->storage, g_free);
}

/* --scaling's names, in FsScaling's order: the window's Scaling choices. */
static const char * const scaling_names[FS_N_SCALINGS] = {
  "none", "unit", "center", "standardize",
};

const char *
fs_cli_scaling_to_string (FsScaling scaling)
{
  g_return_val_if_fail ((guint) scaling < FS_N_SCALINGS, NULL);
  return scaling_names[scaling];
}

gboolean
fs_cli_scaling_from_string (const char *name,
                            FsScaling  *scaling)
{
  for (guint k = 0; name != NULL && k < FS_N_SCALINGS; k++)
    if (g_str_equal (name, scaling_names[k]))
      {
        *scaling = (FsScaling) k;
        return TRUE;
      }
  return FALSE;
}

/* The scaling --scaling named; none when it was not given or is not one
 * (fs_cli_input_load refuses those). */
FsScaling
fs_cli_input_get_scaling (const FsCliInput *in)
{
  FsScaling scaling = FS_SCALING_NONE;

  g_return_val_if_fail (in != NULL, FS_SCALING_NONE);

  fs_cli_scaling_from_string (in->scaling, &scaling);
  return scaling;
}

/* "none (None), unit (To [0, 1]), …": the names and the window's labels. */
static char *
scaling_help (void)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint k = 0; k < FS_N_SCALINGS; k++)
    g_string_append_printf (list, "%s%s (%s)", k > 0 ? ", " : "", scaling_names[k],
                            fs_scaling_get_label ((FsScaling) k));
  /* Translators: %s lists the values of --scaling, each with the window's
   * label for it: “none (None), unit (To [0, 1]), …”. The values stay in
   * English; “none” here is the value too. */
  return g_strdup_printf (_("Scale X first, as the window's Scaling does: %s; default none"), list->str);
}

/* How the file is read: the import sheet's choices. */
static void
add_import_entries (GOptionGroup *group,
                    FsCliInput   *in)
{
  const GOptionEntry entries[] = {
    { "row-labels", 0, 0, G_OPTION_ARG_STRING, &in->row_labels,
      N_("Whether the first column holds row labels: auto (the loader decides), first or none "
         "(CSV, TSV and text files)"), N_("auto|first|none") },
    { "header", 0, 0, G_OPTION_ARG_STRING, &in->header,
      N_("Whether the first row holds column names: auto (the loader decides), yes or no (CSV, "
         "TSV and text files)"), N_("auto|yes|no") },
    { "transpose", 0, 0, G_OPTION_ARG_NONE, &in->transpose,
      N_("Read the file's rows as columns and its columns as rows (after --drop-columns)"),
      NULL },
    { "drop-columns", 0, 0, G_OPTION_ARG_STRING, &in->drop_columns,
      N_("Leave out these columns of the file, counted from 1 with the row-label column: "
         "such as 3, 1,4 or 2-5"), N_("LIST") },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &in->storage,
      N_("Hold the matrix as its observed cells only (sparse), in full (dense), or sparse "
         "when few cells are listed (auto, the default)"), N_("auto|dense|sparse") },
    { "zeros-are-values", 0, 0, G_OPTION_ARG_NONE, &in->zeros_are_values,
      N_("Cells the file gives no value (unlisted in a sparse file, empty or NA) are zeros, "
         "not missing"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_option_group_add_entries (group, entries);
}

GOptionGroup *
fs_cli_input_import_option_group (FsCliInput *in)
{
  GOptionGroup *group = g_option_group_new ("import", _("Import options:"),
                                            _("Show the import options"), NULL, NULL);

  add_import_entries (group, in);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

gboolean
fs_cli_input_get_import_options (const FsCliInput  *in,
                                 FsImportOptions   *options,
                                 GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (in != NULL && options != NULL, FALSE);

  fs_import_options_init (options);
  if (in->row_labels != NULL && !fs_row_labels_from_string (in->row_labels, &options->row_labels))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--row-labels takes auto, first or none, not “%s”"), in->row_labels);
      return FALSE;
    }
  if (in->header != NULL && !fs_header_from_string (in->header, &options->header))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--header takes auto, yes or no, not “%s”"), in->header);
      return FALSE;
    }
  if (in->storage != NULL && !fs_storage_from_string (in->storage, &options->storage))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--storage takes auto, dense or sparse, not “%s”"), in->storage);
      return FALSE;
    }
  options->zeros_are_values = in->zeros_are_values;
  options->transpose = in->transpose;
  if (in->drop_columns != NULL &&
      !fs_import_parse_columns (in->drop_columns, &options->drop_columns,
                                &options->n_drop_columns, &local_error))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, "--drop-columns: %s",
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

GOptionGroup *
fs_cli_input_option_group (FsCliInput *in)
{
  g_free (in->scaling_help);
  in->scaling_help = scaling_help ();
  {
    const GOptionEntry entries[] = {
      { "scaling", 0, 0, G_OPTION_ARG_STRING, &in->scaling, in->scaling_help, N_("SCALING") },
      { "example", 0, 0, G_OPTION_ARG_STRING, &in->example,
        N_("Use a built-in example, one of those that --help lists"), N_("NAME") },
      { "example-size", 0, 0, G_OPTION_ARG_STRING, &in->example_size,
        N_("Size of the lowrank example (default 100x80)"), N_("ROWSxCOLS") },
      { "example-rank", 0, 0, G_OPTION_ARG_INT, &in->example_rank,
        N_("True rank of the lowrank example (default 5)"), N_("K") },
      { "example-seed", 0, 0, G_OPTION_ARG_INT64, &in->example_seed,
        N_("Seed of the lowrank or notebook example's data (default 0)"), N_("S") },
      G_OPTION_ENTRY_NULL
    };
    GOptionGroup *group = g_option_group_new ("input", _("Input options:"),
                                              _("Show the input options"), NULL, NULL);

    G_STATIC_ASSERT (FS_EXAMPLE_LOWRANK_ROWS == 100 && FS_EXAMPLE_LOWRANK_COLS == 80);
    G_STATIC_ASSERT (FS_EXAMPLE_LOWRANK_RANK == 5);
    g_option_group_add_entries (group, entries);
    add_import_entries (group, in);
    g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
    return group;
  }
}

/* The examples' names, for messages: "lowrank, notebook, …". */
static char *
example_names (void)
{
  guint n_examples;
  const FsExample *examples = fs_examples_get (&n_examples);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < n_examples; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", examples[i].name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The list of examples at the end of --help, with the rank each starts
 * with where the subcommand has a default rank. */
char *
fs_cli_input_describe_examples (gboolean with_ranks)
{
  guint n_examples;
  const FsExample *examples = fs_examples_get (&n_examples);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append (text, _("FILE is a matrix file (CSV, TSV, text, .npy, .mtx or an image), - for "
                           "standard input, or the name of a built-in example where no file has "
                           "that name. --scaling none|unit|center|standardize scales X first, as "
                           "the window's Scaling does (see --help-input).\n\n"));
  g_string_append (text, _("Built-in examples (--example NAME, or NAME as FILE):"));

  for (guint i = 0; i < n_examples; i++)
    {
      g_string_append_printf (text, "\n  %-10s %s", examples[i].name, _(examples[i].description));
      if (with_ranks)
        /* Translators: a sentence after an example's description in --help. */
        g_string_append_printf (text, _(" Rank %u by default."), examples[i].default_rank);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
parse_size (const char *text,
            gsize      *rows,
            gsize      *cols)
{
  guint64 r, c;
  char *end = NULL;

  errno = 0;
  r = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text || (*end != 'x' && *end != 'X'))
    return FALSE;
  text = end + 1;
  c = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || r == 0 || c == 0)
    return FALSE;
  *rows = (gsize) r;
  *cols = (gsize) c;
  return TRUE;
}

/* Either one FILE or --example, and nothing more. */
static gboolean
check_arguments (const FsCliInput  *in,
                 int                argc,
                 char             **argv,
                 GError           **error)
{
  if (in->example != NULL && argc > 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Give either a FILE or --example, not both"));
      return FALSE;
    }
  if (argc > 2)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unexpected argument “%s”"), argv[2]);
      return FALSE;
    }
  if (in->example == NULL && argc < 2)
    {
      g_autofree char *names = example_names ();

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Give a FILE or --example NAME (%s)"), names);
      return FALSE;
    }
  return TRUE;
}

/* Standard input read whole, for "-": a pipe cannot be mapped. */
static FsMatrix *
load_stdin (const FsImportOptions  *options,
            char                  **description,
            GError                **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  const char *name = _("standard input");
  guint8 buf[65536];

  *description = g_strdup (name);
  for (;;)
    {
      gssize got = read (STDIN_FILENO, buf, sizeof buf);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          g_set_error (error, FS_ERROR, FS_ERROR_IO, _("Cannot read %s: %s"), name,
                       g_strerror (saved));
          return NULL;
        }
      if (got == 0)
        break;
      g_byte_array_append (data, buf, (guint) got);
    }
  if (data->len == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s is empty: pipe a matrix into it, such as a CSV file"), name);
      return NULL;
    }
  return fs_matrix_load_data_full (name, data->data, data->len, options, NULL, NULL, NULL,
                                   error);
}

static FsMatrix *load_example_named (const FsCliInput  *in,
                                     const FsExample   *example,
                                     char             **description,
                                     GError           **error);

/* A file; "-", standard input; an example's name where no file is called
 * that, the example with its default options. The caller prints the
 * matrix's notices, or not. */
FsMatrix *
fs_cli_input_load_path (const char  *path,
                        char       **description,
                        GError     **error)
{
  return fs_cli_input_load_path_full (path, NULL, description, error);
}

/* Import options read files: an example is made, not read. */
static gboolean
check_no_import_options (const FsImportOptions  *options,
                         GError                **error)
{
  if (fs_import_options_is_default (options))
    return TRUE;
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("--row-labels, --header, --transpose, --drop-columns, --storage and "
                 "--zeros-are-values apply to files, not to built-in examples"));
  return FALSE;
}

FsMatrix *
fs_cli_input_load_path_full (const char             *path,
                             const FsImportOptions  *options,
                             char                  **description,
                             GError                **error)
{
  const FsExample *example = fs_examples_find (path);
  FsMatrix *X;

  g_return_val_if_fail (path != NULL && description != NULL, NULL);

  if (g_str_equal (path, "-"))
    X = load_stdin (options, description, error);
  else if (example != NULL && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      FsCliInput defaults = { 0 };

      if (!check_no_import_options (options, error))
        return NULL;
      return load_example_named (&defaults, example, description, error);
    }
  else
    {
      X = fs_matrix_load_full (path, options, NULL, NULL, NULL, error);
      *description = g_filename_display_basename (path);
    }
  return X;
}

/* The low-rank example at the size, rank and seed the options ask for. */
static FsMatrix *
load_lowrank (const FsCliInput  *in,
              char             **description,
              GError           **error)
{
  gsize rows = FS_EXAMPLE_LOWRANK_ROWS, cols = FS_EXAMPLE_LOWRANK_COLS;
  int rank = in->example_rank > 0 ? in->example_rank : FS_EXAMPLE_LOWRANK_RANK;

  if (in->example_size != NULL && !parse_size (in->example_size, &rows, &cols))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--example-size takes ROWSxCOLS, such as 100x80, not “%s”"),
                   in->example_size);
      return NULL;
    }
  if (in->example_rank < 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--example-rank must be ≥ 1"));
      return NULL;
    }
  *description = g_strdup_printf ("example lowrank (%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT
                                  ", true rank %d)", rows, cols, rank);
  return fs_example_lowrank (rows, cols, (guint) rank, FS_EXAMPLE_LOWRANK_NOISE,
                             (guint64) in->example_seed, error);
}

/* Any other example: only the notebook has a seed. */
static FsMatrix *
load_fixed_example (const FsCliInput  *in,
                    const FsExample   *example,
                    char             **description,
                    GError           **error)
{
  if (in->example_size != NULL || in->example_rank != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--example-size and --example-rank apply to the lowrank example only"));
      return NULL;
    }

  if (g_str_equal (example->name, "notebook"))
    {
      *description = g_strdup ("example notebook (3x4, product of 3x2 and 2x4)");
      return fs_example_notebook ((guint64) in->example_seed);
    }

  if (in->example_seed != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--example-seed applies to the lowrank and notebook examples only"));
      return NULL;
    }
  *description = g_strdup_printf ("example %s (%s)", example->name, example->title);
  return fs_example_load (example, error);
}

static FsMatrix *
load_example_named (const FsCliInput  *in,
                    const FsExample   *example,
                    char             **description,
                    GError           **error)
{
  if (in->example_seed < 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The example seed must be ≥ 0"));
      return NULL;
    }

  if (g_str_equal (example->name, "lowrank"))
    return load_lowrank (in, description, error);
  return load_fixed_example (in, example, description, error);
}

static FsMatrix *
load_example (const FsCliInput  *in,
              char             **description,
              GError           **error)
{
  const FsExample *example = fs_examples_find (in->example);

  if (example == NULL)
    {
      g_autofree char *names = example_names ();

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("There is no built-in example called “%s” (there are %s)"),
                   in->example, names);
      return NULL;
    }
  return load_example_named (in, example, description, error);
}

/* X as --scaling asks, as the window scales it. */
static FsMatrix *
apply_scaling (const FsCliInput  *in,
               FsMatrix          *X,
               GError           **error)
{
  g_autoptr(FsMatrix) source = X;
  FsScaling scaling = FS_SCALING_NONE;

  if (in->scaling != NULL && !fs_cli_scaling_from_string (in->scaling, &scaling))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unknown scaling “%s” (use none, unit, center or standardize)"),
                   in->scaling);
      return NULL;
    }
  if (source == NULL || scaling == FS_SCALING_NONE)
    return g_steal_pointer (&source);
  return fs_matrix_scaled (source, scaling, error);
}

/* The matrix named by a FILE argument (argv[1]) or by --example, and a
 * description of it for the output. */
FsMatrix *
fs_cli_input_load (FsCliInput  *in,
                   int          argc,
                   char       **argv,
                   char       **description,
                   GError     **error)
{
  FsImportOptions options;
  FsMatrix *X;

  g_return_val_if_fail (in != NULL && description != NULL, NULL);

  if (!check_arguments (in, argc, argv, error) ||
      !fs_cli_input_get_import_options (in, &options, error))
    return NULL;
  /* An example by name takes the example options, and its rank. */
  if (in->example == NULL && fs_examples_find (argv[1]) != NULL &&
      !g_file_test (argv[1], G_FILE_TEST_EXISTS))
    in->example = g_strdup (argv[1]);
  if (in->example == NULL)
    {
      X = fs_cli_input_load_path_full (argv[1], &options, description, error);
      if (X != NULL)
        fs_cli_print_notices (X);
    }
  else
    X = check_no_import_options (&options, error) ? load_example (in, description, error) : NULL;
  fs_import_options_clear (&options);
  return apply_scaling (in, X, error);
}

/* The example's own rank (for lowrank, its true rank), else the rank the
 * window gives a new file. */
guint
fs_cli_input_default_rank (const FsCliInput *in,
                           const FsMatrix   *X)
{
  const FsExample *example;

  g_return_val_if_fail (in != NULL && X != NULL, 0);

  example = in->example != NULL ? fs_examples_find (in->example) : NULL;
  if (example == NULL)
    return fs_params_default_rank (X->rows, X->cols);
  if (g_str_equal (example->name, "lowrank") && in->example_rank > 0)
    return (guint) in->example_rank;
  return example->default_rank;
}
