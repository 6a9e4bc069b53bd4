/* fs-cli-torch.c: factorscope-cli export-torch, a run's settings, data
 * and starting point as a standalone PyTorch script (fs-torch.h).
 *
 * It takes run's options, less those that the script has no use for
 * (--json, --threads, --restarts, --no-stop-unstable); -o names the
 * script. The learning rate, when not given, is the one run would choose.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-cli-options.h"
#include "fs-error.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-torch.h"

typedef struct
{
  FsCliRunOptions o;
  FsCliInput      in;
  FsMatrix       *X;
  char           *description;
  FsParams        params;
} Export;

static void
export_clear (Export *e)
{
  fs_cli_input_clear (&e->in);
  fs_cli_run_options_clear (&e->o);
  g_clear_pointer (&e->X, fs_matrix_unref);
  g_clear_pointer (&e->description, g_free);
}

/* Whether the common option called name means something to the script. */
static gboolean
option_applies (const char *name)
{
  const char * const unused[] = { "json", "threads", "restarts", "no-stop-unstable" };

  for (guint i = 0; i < G_N_ELEMENTS (unused); i++)
    if (g_str_equal (name, unused[i]))
      return FALSE;
  return TRUE;
}

/* run's common options that apply, with -o naming the script. */
static GOptionEntry *
export_entries (FsCliRunOptions *o)
{
  g_autofree GOptionEntry *common = fs_cli_run_options_common_entries (o);
  GOptionEntry *entries;
  guint n = 0, kept = 0;

  while (common[n].long_name != NULL)
    n++;
  entries = g_new0 (GOptionEntry, n + 1);
  for (guint i = 0; i < n; i++)
    {
      if (!option_applies (common[i].long_name))
        continue;
      entries[kept] = common[i];
      if (g_str_equal (common[i].long_name, "out"))
        {
          entries[kept].description = N_("Write the script to FILE, such as run.py, and beside "
                                         "it run-X.npy, run-W0.npy, run-H0.npy (and "
                                         "run-train.npy with --holdout)");
          entries[kept].arg_description = N_("FILE");
        }
      kept++;
    }
  return entries;
}

static GOptionContext *
export_context_new (Export *e)
{
  g_autofree GOptionEntry *model = fs_cli_run_options_model_entries (&e->o);
  g_autofree GOptionEntry *common = export_entries (&e->o);
  g_autofree char *examples = fs_cli_input_describe_examples (TRUE);
  GOptionContext *context;

  context = fs_cli_context_new (_("FILE|--example NAME -o SCRIPT.py"),
                                _("Write a standalone PyTorch script that runs the same "
                                  "factorization as “run” with the same options (the rule, the "
                                  "penalties, non-negativity, the L1 mode, the missing and "
                                  "held-out cells, from the same start), with the matrix and "
                                  "the starting W and H as .npy files beside it. It prints the "
                                  "loss every 1000 iterations and the final cost, and runs on "
                                  "CUDA when it is there: python3 SCRIPT.py --help"));
  g_option_context_set_description (context, examples);
  g_option_context_add_main_entries (context, model, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  g_option_context_add_group (context, fs_cli_input_option_group (&e->in));
  return context;
}

/* The learning rate that run chooses when none is given: its solver's
 * starting rate, from the start of the first run. */
static gboolean
choose_lr (Export  *e,
           GError **error)
{
  g_autoptr(FsSolver) solver = NULL;
  FsParams p = e->params;

  p.threads = 1;
  solver = fs_solver_new (e->X, &p, error);
  if (solver == NULL)
    return FALSE;
  e->params.lr = fs_solver_get_starting_lr (solver);
  return TRUE;
}

static gboolean
export_prepare (Export  *e,
                int      argc,
                char   **argv,
                GError **error)
{
  g_autoptr(GOptionContext) context = export_context_new (e);

  if (!g_option_context_parse (context, &argc, &argv, error) ||
      !fs_cli_parse_lr (e->o.lr_text, &e->o.lr, error) ||
      !fs_cli_run_options_to_params (&e->o, &e->params, error))
    return FALSE;
  if (e->o.out == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                           _("Name the script to write with -o, such as -o run.py"));
      return FALSE;
    }
  if (!(e->X = fs_cli_input_load (&e->in, argc, argv, &e->description, error)))
    return FALSE;

  if (e->o.rank == -1)
    e->params.rank = fs_cli_input_default_rank (&e->in, e->X);
  if (!fs_params_validate (&e->params, e->X, error))
    return FALSE;
  return !isnan (e->o.lr) || choose_lr (e, error);
}

int
fs_cli_export_torch (int    argc,
                     char **argv)
{
  Export e = { 0 };
  g_autoptr(GError) error = NULL;
  int status = FS_CLI_EXIT_OK;

  fs_cli_run_options_init (&e.o);
  if (!export_prepare (&e, argc, argv, &error) ||
      !fs_torch_export (e.o.out, e.X, &e.params, &error))
    status = fs_cli_fail ("%s", error->message);
  else
    {
      g_autofree char *name = g_filename_display_name (e.o.out);
      g_autofree char *quoted = g_shell_quote (name);

      fs_cli_print_notices (e.X);
      g_print (_("Wrote %s and its data (%s, rank %u, rule %s, learning rate %.6g).\n"), name,
               e.description, e.params.rank, e.params.rule->name, e.params.lr);
      g_print (_("Run it with: python3 %s\n"), quoted);
    }

  export_clear (&e);
  return status;
}
