/* fs-cli-options.c: the factorization options that run and sweep share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-cli.h"
#include "fs-cli-options.h"
#include "fs-error.h"
#include "fs-rules.h"

/* The --help texts below spell out the core's defaults. */
G_STATIC_ASSERT (FS_DEFAULT_MAX_ITERS == 10000);
G_STATIC_ASSERT (FS_DEFAULT_RANK == 5);

void
fs_cli_run_options_init (FsCliRunOptions *o)
{
  *o = (FsCliRunOptions) {
    .rank = -1,
    .lr = NAN,
    .iters = (gint64) FS_DEFAULT_MAX_ITERS,
    .restarts = 1,
    .stop_unstable = TRUE,
  };
}

void
fs_cli_run_options_clear (FsCliRunOptions *o)
{
  g_clear_pointer (&o->rule, g_free);
  g_clear_pointer (&o->l1_mode, g_free);
  g_clear_pointer (&o->init, g_free);
  g_clear_pointer (&o->out, g_free);
  g_clear_pointer (&o->rule_help, g_free);
  g_clear_pointer (&o->lr_text, g_free);
  g_clear_pointer (&o->dtype, g_free);
}

/* How a run ended, in the words of fs_stop_to_string () (which JSON
 * writes as they are), translated for people. */
const char *
fs_cli_stop_text (FsStop stop)
{
  switch (stop)
    {
    case FS_STOP_ITERATIONS:
      /* Translators: how a run stopped, a word in a table column and after
       * a run's final cost: at the iteration limit, by the tolerance (its
       * cost stopped changing), diverged, unstable, or still running. */
      return C_("stop", "iterations");
    case FS_STOP_TOLERANCE:
      return C_("stop", "tolerance");
    case FS_STOP_DIVERGED:
      return C_("stop", "diverged");
    case FS_STOP_UNSTABLE:
      return C_("stop", "unstable");
    case FS_STOP_NONE:
    default:
      return C_("stop", "running");
    }
}

char *
fs_cli_rule_names (void)
{
  guint n;
  const FsRule *rules = fs_rules_get (&n);
  g_autoptr(GString) names = g_string_new (rules[0].name);

  for (guint i = 1; i + 1 < n; i++)
    g_string_append_printf (names, ", %s", rules[i].name);
  if (n < 2)
    return g_string_free (g_steal_pointer (&names), FALSE);
  /* Translators: the end of a list of the update rules' names (which stay
   * in English: they are values of --rule): “plain, normalized, momentum”,
   * then “adam”. */
  return g_strdup_printf (_("%s or %s"), names->str, rules[n - 1].name);
}

GOptionEntry *
fs_cli_run_options_model_entries (FsCliRunOptions *o)
{
  const GOptionEntry entries[] = {
    { "rank", 'r', 0, G_OPTION_ARG_INT, &o->rank, N_("Rank of the factorization (default: the example's, listed below; for a file, 5, or fewer if the matrix is smaller)"), N_("R") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_w, N_("L2 penalty on W (the post's lambda1)"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_h, N_("L2 penalty on H (the post's lambda2)"), N_("B") },
    { "l1-w", 0, 0, G_OPTION_ARG_DOUBLE, &o->l1_w, N_("L1 penalty on W (sparse codes)"), N_("C") },
    { "l1-h", 0, 0, G_OPTION_ARG_DOUBLE, &o->l1_h, N_("L1 penalty on H"), N_("D") },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

GOptionEntry *
fs_cli_run_options_common_entries (FsCliRunOptions *o)
{
  g_autofree char *names = fs_cli_rule_names ();

  g_free (o->rule_help);
  o->rule_help = g_strdup_printf (_("Update rule: %s"), names);
  {
    const GOptionEntry entries[] = {
      { "lr", 0, 0, G_OPTION_ARG_STRING, &o->lr_text, N_("Learning rate (default: chosen from the data)"), N_("ETA") },
      { "rule", 0, 0, G_OPTION_ARG_STRING, &o->rule, o->rule_help, N_("RULE") },
      { "l1-mode", 0, 0, G_OPTION_ARG_STRING, &o->l1_mode, N_("L1 by prox (exact zeros, default) or subgradient"), N_("MODE") },
      { "nonneg", 0, 0, G_OPTION_ARG_NONE, &o->nonneg, N_("Keep W and H non-negative (NMF)"), NULL },
      { "init", 0, 0, G_OPTION_ARG_STRING, &o->init, N_("Initialization: scaled (default) or uniform [0, 1)"), N_("INIT") },
      { "iters", 0, 0, G_OPTION_ARG_INT64, &o->iters, N_("Iteration limit per run (default 10000)"), N_("N") },
      { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &o->tol, N_("Stop when the relative change of the cost is below T in 10 iterations in a row (default 0: off)"), N_("T") },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the first run (default 0)"), N_("S") },
      { "restarts", 0, 0, G_OPTION_ARG_INT, &o->restarts, N_("Number of runs, from seeds S, S+1, ...; the lowest final cost wins (default 1)"), N_("K") },
      { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Solver threads (default: 1 for small problems, else all cores)"), N_("T") },
      { "dtype", 0, 0, G_OPTION_ARG_STRING, &o->dtype, N_("Precision of the passes over X: float64 (default) or float32"), N_("TYPE") },
      { "holdout", 0, 0, G_OPTION_ARG_DOUBLE, &o->holdout, N_("Hold this share of the observed cells out of training and report their error (e.g. 0.1; default 0: none)"), N_("FRACTION") },
      { "holdout-seed", 0, 0, G_OPTION_ARG_INT64, &o->holdout_seed, N_("Seed of the held-out cells (default 0)"), N_("S") },
      { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out, N_("Write W.csv, H.csv, WH.csv, residual.csv (X − WH), loss.csv, run.json and atoms.png into DIR (for a sparse X, WH.mtx and residual.mtx on its listed cells)"), N_("DIR") },
      { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("Print one JSON object instead of progress"), NULL },
      { "no-stop-unstable", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &o->stop_unstable, N_("Keep going when the cost turns unstable (default: stop, with a learning rate to try)"), NULL },
      G_OPTION_ENTRY_NULL
    };

    return g_memdup2 (entries, sizeof entries);
  }
}

GOptionEntry *
fs_cli_run_options_output_entries (FsCliRunOptions *o)
{
  const GOptionEntry entries[] = {
    { "npy", 0, 0, G_OPTION_ARG_NONE, &o->npy, N_("With --out, also write W.npy, H.npy, WH.npy, residual.npy and loss.npy"), NULL },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

/* The numeric options that have no place in FsParams's own checks. */
static gboolean
check_counts (const FsCliRunOptions  *o,
              GError                **error)
{
  /* Numbers go in as text: xgettext cannot read G_GINT64_FORMAT. */
  g_autofree char *iters = g_strdup_printf ("%" G_GINT64_FORMAT, o->iters);
  g_autofree char *seed = g_strdup_printf ("%" G_GINT64_FORMAT, o->seed);
  g_autofree char *holdout_seed = g_strdup_printf ("%" G_GINT64_FORMAT, o->holdout_seed);

  if (o->rank < 1 && o->rank != -1)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("The rank must be at least 1, not %d"), o->rank);
  else if (o->iters < 1)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--iters must be at least 1, not %s"), iters);
  else if (o->seed < 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--seed must be ≥ 0, not %s"), seed);
  else if (o->holdout_seed < 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--holdout-seed must be ≥ 0, not %s"), holdout_seed);
  else if (!(o->holdout >= 0.0 && o->holdout < 1.0))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--holdout must be a share in [0, 1), such as 0.1, not %g"), o->holdout);
  else if (o->restarts < 1)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--restarts must be at least 1, not %d"), o->restarts);
  else if (o->threads < 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--threads must be at least 1, not %d"), o->threads);
  else if (!isnan (o->lr) && !(o->lr > 0.0 && isfinite (o->lr)))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("The learning rate must be a finite number > 0, not %g"), o->lr);
  else
    return TRUE;
  return FALSE;
}

/* The options that name a choice: rule, L1 mode, initialization,
 * precision. */
static gboolean
parse_choices (const FsCliRunOptions  *o,
               FsParams               *p,
               GError                **error)
{
  if (o->rule != NULL && (p->rule = fs_rule_find (o->rule)) == NULL)
    {
      g_autofree char *names = fs_cli_rule_names ();

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unknown rule “%s” (use %s)"), o->rule, names);
    }
  else if (o->l1_mode != NULL && !fs_l1_mode_from_string (o->l1_mode, &p->l1_mode))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown L1 mode “%s” (use prox or subgradient)"), o->l1_mode);
  else if (o->init != NULL && !fs_init_from_string (o->init, &p->init))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown initialization “%s” (use uniform or scaled)"), o->init);
  else if (o->dtype != NULL && !fs_dtype_from_string (o->dtype, &p->dtype))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown --dtype “%s” (use float64 or float32)"), o->dtype);
  else
    return TRUE;
  return FALSE;
}

gboolean
fs_cli_run_options_to_params (const FsCliRunOptions  *o,
                              FsParams               *p,
                              GError                **error)
{
  fs_params_init_defaults (p);
  p->products = fs_cli_products ();

  if (!check_counts (o, error) || !parse_choices (o, p, error))
    return FALSE;

  if (o->rank > 0)
    p->rank = (guint) o->rank;
  p->l2_w = o->l2_w;
  p->l2_h = o->l2_h;
  p->l1_w = o->l1_w;
  p->l1_h = o->l1_h;
  p->lr = isnan (o->lr) ? 1.0 : o->lr;
  p->nonneg = o->nonneg;
  p->max_iters = (guint64) o->iters;
  p->tol = o->tol;
  p->stop_unstable = o->stop_unstable;
  p->seed = (guint64) o->seed;
  p->restarts = (guint) o->restarts;
  p->threads = (guint) fs_cli_cap_threads (o->threads);
  p->holdout = o->holdout;
  p->holdout_seed = (guint64) o->holdout_seed;
  return TRUE;
}
