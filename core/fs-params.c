/* fs-params.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-params"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-params.h"

static const char * const rule_names[FS_N_RULES] = { "plain", "normalized", "momentum", "adam" };
static const char * const l1_mode_names[] = { "prox", "subgradient" };
static const char * const init_names[] = { "scaled", "uniform" };
static const char * const stop_names[] = { "running", "iterations", "tolerance", "diverged" };

void
fs_params_init_defaults (FsParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (FsParams) {
    .rank = 2,
    .lr = 1e-3,
    .rule = FS_RULE_PLAIN,
    .momentum = 0.9,
    .adam_beta1 = 0.9,
    .adam_beta2 = 0.999,
    .adam_eps = 1e-8,
    .l1_mode = FS_L1_PROXIMAL,
    .init = FS_INIT_SCALED,
    .seed = 0,
    .max_iters = FS_DEFAULT_MAX_ITERS,
    .tol = 0.0,
    .restarts = 1,
    .threads = 0,
  };
}

/* The rank a newly opened matrix starts with. */
guint
fs_params_default_rank (gsize rows,
                        gsize cols)
{
  return (guint) MAX (1, MIN ((gsize) FS_DEFAULT_RANK, MIN (rows, cols)));
}

static gboolean
check_penalty (double      value,
               const char *name,
               GError    **error)
{
  if (!isfinite (value) || value < 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The %s must be a finite number ≥ 0, not %g"), name, value);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_unit_interval (double      value,
                     const char *name,
                     GError    **error)
{
  if (!(value >= 0.0 && value < 1.0))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s must be in [0, 1), not %g"), name, value);
      return FALSE;
    }
  return TRUE;
}

/* One thread for small problems, where waking a second one costs more
 * than it brings (an iteration under about half a millisecond), all
 * cores otherwise. */
guint
fs_params_auto_threads (gsize rows,
                        gsize cols,
                        guint rank)
{
  double flops = 4.0 * (double) rows * (double) cols * (double) rank;

  return flops < 2e7 ? 1 : (guint) CLAMP (g_get_num_processors (), 1, 256);
}

gboolean
fs_params_validate (const FsParams *params,
                    const FsMatrix *X,
                    GError        **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (X != NULL && (params->rank < 1 || params->rank > MIN (X->rows, X->cols)))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The rank must be between 1 and %lu (the smaller side of the %lu × %lu matrix), not %u"),
                   MIN (X->rows, X->cols), X->rows, X->cols, params->rank);
      return FALSE;
    }
  if (params->rank < 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("The rank must be at least 1"));
      return FALSE;
    }

  if (!check_penalty (params->l2_w, "L2 penalty on W", error) ||
      !check_penalty (params->l2_h, "L2 penalty on H", error) ||
      !check_penalty (params->l1_w, "L1 penalty on W", error) ||
      !check_penalty (params->l1_h, "L1 penalty on H", error))
    return FALSE;

  if (!isfinite (params->lr) || params->lr <= 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The learning rate must be a finite number > 0, not %g"), params->lr);
      return FALSE;
    }

  if ((guint) params->rule >= FS_N_RULES)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("Unknown update rule %d"),
                   (int) params->rule);
      return FALSE;
    }

  if (!check_unit_interval (params->momentum, "The momentum coefficient", error) ||
      !check_unit_interval (params->adam_beta1, "Adam's beta1", error) ||
      !check_unit_interval (params->adam_beta2, "Adam's beta2", error))
    return FALSE;

  if (!isfinite (params->adam_eps) || params->adam_eps <= 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Adam's epsilon must be > 0, not %g"), params->adam_eps);
      return FALSE;
    }

  if (params->max_iters < 1 || params->max_iters > FS_MAX_ITERATIONS)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The iteration limit must be between 1 and %lu, not %lu"), FS_MAX_ITERATIONS, params->max_iters);
      return FALSE;
    }

  if (!isfinite (params->tol) || params->tol < 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The tolerance must be a finite number ≥ 0, not %g"), params->tol);
      return FALSE;
    }

  if (params->restarts < 1 || params->restarts > 10000)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The number of runs must be between 1 and 10000, not %u"), params->restarts);
      return FALSE;
    }

  if (params->threads > 256)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The thread count must be between 1 and 256, not %u"), params->threads);
      return FALSE;
    }

  return TRUE;
}

/* The closed form of DESIGN.md holds only for the smooth, unconstrained,
 * fully observed problem. */
gboolean
fs_params_has_optimum (const FsParams *params,
                       const FsMatrix *X,
                       const char    **reason)
{
  const char *why = NULL;

  if (params->l1_w > 0.0 || params->l1_h > 0.0)
    why = "no closed form with L1 penalties";
  else if (params->nonneg)
    why = "no closed form with non-negativity";
  else if (X != NULL && X->n_missing > 0)
    why = "no closed form with missing cells";

  if (reason != NULL)
    *reason = why;
  return why == NULL;
}

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *name,
             guint              *index)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], name) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

const char *
fs_rule_kind_to_string (FsRuleKind rule)
{
  g_return_val_if_fail ((guint) rule < FS_N_RULES, NULL);
  return rule_names[rule];
}

gboolean
fs_rule_kind_from_string (const char *name,
                          FsRuleKind *rule)
{
  guint i;

  if (!lookup_name (rule_names, G_N_ELEMENTS (rule_names), name, &i))
    return FALSE;
  *rule = (FsRuleKind) i;
  return TRUE;
}

const char *
fs_l1_mode_to_string (FsL1Mode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (l1_mode_names), NULL);
  return l1_mode_names[mode];
}

gboolean
fs_l1_mode_from_string (const char *name,
                        FsL1Mode   *mode)
{
  guint i;

  if (!lookup_name (l1_mode_names, G_N_ELEMENTS (l1_mode_names), name, &i))
    return FALSE;
  *mode = (FsL1Mode) i;
  return TRUE;
}

const char *
fs_init_to_string (FsInit init)
{
  g_return_val_if_fail ((guint) init < G_N_ELEMENTS (init_names), NULL);
  return init_names[init];
}

gboolean
fs_init_from_string (const char *name,
                     FsInit     *init)
{
  guint i;

  if (!lookup_name (init_names, G_N_ELEMENTS (init_names), name, &i))
    return FALSE;
  *init = (FsInit) i;
  return TRUE;
}

const char *
fs_stop_to_string (FsStop stop)
{
  g_return_val_if_fail ((guint) stop < G_N_ELEMENTS (stop_names), NULL);
  return stop_names[stop];
}
