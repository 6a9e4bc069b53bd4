/* fs-cli-session.c: `run --session FILE`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>

#include "fs-cli-session.h"
#include "fs-error.h"

void
fs_cli_session_clear (FsCliSession *session)
{
  g_clear_pointer (&session->path, g_free);
  g_clear_pointer (&session->file, fs_session_file_free);
}

GOptionEntry *
fs_cli_session_entries (FsCliSession *session)
{
  const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_FILENAME, &session->path,
      N_("Replay a session saved by the window (.factorscope): its data, checked first, its "
         "scaling and settings; options given too override the session's"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

/* The command line's --seed, --holdout-seed and --example-seed take
 * signed 64-bit numbers. */
static gboolean
check_seeds (const FsSessionFile  *file,
             GError              **error)
{
  if (file->params.seed <= G_MAXINT64 && file->params.holdout_seed <= G_MAXINT64 &&
      file->example_seed <= G_MAXINT64)
    return TRUE;
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("A seed of this session is beyond what the command line takes "
                 "(up to 9223372036854775807)"));
  return FALSE;
}

static gboolean
load_session (FsCliSession  *session,
              GError       **error)
{
  session->file = fs_session_file_load (session->path, error);
  return session->file != NULL &&
         fs_session_file_check_data (session->file, error) &&
         check_seeds (session->file, error);
}

char **
fs_cli_session_expand (FsCliSession  *session,
                       const char    *example,
                       int            argc,
                       char * const  *args,
                       GError       **error)
{
  g_auto(GStrv) replay = NULL;
  GPtrArray *expanded;
  guint n_options, i;

  g_return_val_if_fail (session->path != NULL, NULL);

  if (argc > 1 || example != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Give either --session or the data (a FILE or --example), not both"));
      return NULL;
    }
  if (!load_session (session, error))
    return NULL;

  /* replay is "factorscope-cli", "run", options, and for a file its path
   * last: the path goes after the options given. */
  replay = fs_session_file_to_argv (session->file);
  n_options = g_strv_length (replay) - (session->file->example == NULL ? 1 : 0);
  expanded = g_ptr_array_new ();
  g_ptr_array_add (expanded, g_strdup (args[0]));
  for (i = 2; i < n_options; i++)
    g_ptr_array_add (expanded, g_strdup (replay[i]));
  for (i = 1; args[i] != NULL; i++)
    g_ptr_array_add (expanded, g_strdup (args[i]));
  if (session->file->example == NULL)
    g_ptr_array_add (expanded, g_strdup (replay[n_options]));
  g_ptr_array_add (expanded, NULL);
  return (char **) g_ptr_array_free (expanded, FALSE);
}

void
fs_cli_session_apply (const FsCliSession *session,
                      FsParams           *params)
{
  const FsParams *saved;

  if (session->file == NULL)
    return;
  saved = &session->file->params;
  params->momentum = saved->momentum;
  params->adam_beta1 = saved->adam_beta1;
  params->adam_beta2 = saved->adam_beta2;
  params->adam_eps = saved->adam_eps;
  /* FACTORSCOPE_PRODUCTS can only narrow them further. */
  params->products = MIN (params->products, saved->products);
}
