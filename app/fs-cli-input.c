/* fs-cli-input.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <errno.h>
#include <glib/gi18n.h>

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
}

GOptionGroup *
fs_cli_input_option_group (FsCliInput *in)
{
  const GOptionEntry entries[] = {
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
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
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
  g_autoptr(GString) text = g_string_new (_("Built-in examples (--example NAME):"));

  for (guint i = 0; i < n_examples; i++)
    {
      g_string_append_printf (text, "\n  %-10s %s", examples[i].name, _(examples[i].description));
      if (with_ranks)
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

static FsMatrix *
load_file (const char  *path,
           char       **description,
           GError     **error)
{
  FsMatrix *X = fs_matrix_load (path, error);

  *description = g_filename_display_basename (path);
  if (X != NULL)
    fs_cli_print_notices (X);
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

/* The matrix named by a FILE argument (argv[1]) or by --example, and a
 * description of it for the output. */
FsMatrix *
fs_cli_input_load (FsCliInput  *in,
                   int          argc,
                   char       **argv,
                   char       **description,
                   GError     **error)
{
  g_return_val_if_fail (in != NULL && description != NULL, NULL);

  if (!check_arguments (in, argc, argv, error))
    return NULL;
  if (in->example == NULL)
    return load_file (argv[1], description, error);
  return load_example (in, description, error);
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
