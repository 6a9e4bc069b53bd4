/* fs-rules.c
 *
 * Each rule moves P along its own direction with its own step t (per cell
 * for Adam), then applies the proximal map of t l1 |.| and, for NMF, the
 * projection onto P >= 0. Soft-thresholding gives exact zeros.
 *
 * The starting learning rates: for plain steps the smaller of a step that
 * is stable near the solution and a quarter of the stability bound at the
 * start, shrunk by 1 - beta for momentum; for the normalized rule, whose
 * steps have the length of the rate, 1% of the factors' size; for Adam,
 * whose steps are about the rate in each cell, 1% of the typical entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-rules"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <math.h>

#include "fs-rules.h"
#include "fs-step-size.h"

static inline double
prox (double   v,
      double   threshold,
      gboolean nonneg)
{
  if (v > threshold)
    v -= threshold;
  else if (v < -threshold)
    v += threshold;
  else if (!isnan (v))
    v = 0.0;   /* NaN passes through, so divergence still shows */

  return nonneg && v < 0.0 ? 0.0 : v;
}

static inline void
descend (const FsStepContext *ctx,
         double              *p,
         const double        *g,
         double               t,
         gsize                len)
{
  if (ctx->l1 == 0.0 && !ctx->nonneg)
    {
      g_assert (len <= G_MAXINT);
      cblas_daxpy ((int) len, -t, g, 1, p, 1);
      return;
    }

  for (gsize k = 0; k < len; k++)
    p[k] = prox (p[k] - t * g[k], t * ctx->l1, ctx->nonneg);
}

static void
step_plain (const FsStepContext *ctx,
            double              *p,
            const double        *g,
            double * const      *state,
            gsize                len)
{
  descend (ctx, p, g, ctx->lr, len);
}

/* The Theano post's rule: every step has length lr, whatever the gradient. */
static void
step_normalized (const FsStepContext *ctx,
                 double              *p,
                 const double        *g,
                 double * const      *state,
                 gsize                len)
{
  double norm = ctx->grad_norm;

  if (norm > 0.0 && isfinite (norm))
    descend (ctx, p, g, ctx->lr / norm, len);
  else if (!isfinite (norm))
    descend (ctx, p, g, ctx->lr, len);
}

/* Heavy ball as torch.optim.SGD writes it: v = beta v + g, P -= lr v. */
static void
step_momentum (const FsStepContext *ctx,
               double              *p,
               const double        *g,
               double * const      *state,
               gsize                len)
{
  double *v = state[0];

  for (gsize k = 0; k < len; k++)
    v[k] = ctx->momentum * v[k] + g[k];

  descend (ctx, p, v, ctx->lr, len);
}

/* Adam with torch.optim.Adam's defaults and bias correction. With L1, the
 * proximal map uses the same per-cell step as the gradient step. */
static void
step_adam (const FsStepContext *ctx,
           double              *p,
           const double        *g,
           double * const      *state,
           gsize                len)
{
  double *m = state[0];
  double *v = state[1];
  double bias1 = 1.0 - pow (ctx->beta1, (double) ctx->t);
  double bias2_sqrt = sqrt (1.0 - pow (ctx->beta2, (double) ctx->t));

  for (gsize k = 0; k < len; k++)
    {
      double t;

      m[k] = ctx->beta1 * m[k] + (1.0 - ctx->beta1) * g[k];
      v[k] = ctx->beta2 * v[k] + (1.0 - ctx->beta2) * g[k] * g[k];
      t = ctx->lr / (sqrt (v[k]) / bias2_sqrt + ctx->eps);
      p[k] -= t * m[k] / bias1;
      if (ctx->l1 != 0.0 || ctx->nonneg)
        p[k] = prox (p[k], t * ctx->l1, ctx->nonneg);
    }
}

/* A plain step that should be stable near a balanced solution, where
 * sigma_max(W)^2 and sigma_max(H)^2 are both about sigma_1(X). */
static double
stable_near_solution (const FsStepSizeContext *ctx)
{
  double l2 = MAX (ctx->params->l2_w, ctx->params->l2_h);

  return 0.25 / (ctx->x_sigma + l2 + G_MINDOUBLE);
}

static double
start_plain (const FsStepSizeContext *ctx)
{
  const FsParams *p = ctx->params;
  double bound = fs_step_size_stability_bound (ctx->W, ctx->H, ctx->rows, ctx->cols,
                                               p->rank, p->l2_w, p->l2_h);

  return MIN (stable_near_solution (ctx), 0.25 * bound);
}

/* The velocity sums about 1 / (1 - beta) gradients. */
static double
start_momentum (const FsStepSizeContext *ctx)
{
  return (1.0 - ctx->params->momentum) * start_plain (ctx);
}

static double
factor_norm (const FsStepSizeContext *ctx,
             gboolean                 of_w)
{
  gsize len = ctx->params->rank * (of_w ? ctx->rows : ctx->cols);

  g_assert (len <= G_MAXINT);
  return cblas_dnrm2 ((int) len, of_w ? ctx->W : ctx->H, 1);
}

static double
start_normalized (const FsStepSizeContext *ctx)
{
  /* Each norm taken once: MAX () evaluates the greater argument twice. */
  double norm_w = factor_norm (ctx, TRUE), norm_h = factor_norm (ctx, FALSE);

  return 0.01 * MAX (norm_w, norm_h);
}

static double
start_adam (const FsStepSizeContext *ctx)
{
  double norm_w = factor_norm (ctx, TRUE), norm_h = factor_norm (ctx, FALSE);
  gsize len = ctx->params->rank * (ctx->rows + ctx->cols);

  return 0.01 * sqrt ((norm_w * norm_w + norm_h * norm_h) / (double) len);
}

/* Half the rate, or the stable step if that is smaller still. */
static double
retry_below_stable (const FsStepSizeContext *ctx)
{
  double lr = ctx->params->lr, stable = stable_near_solution (ctx);

  return stable < lr ? MIN (stable, lr / 2.0) : lr / 10.0;
}

static double
retry_tenth (const FsStepSizeContext *ctx)
{
  return ctx->params->lr / 10.0;
}

/* The power iteration approaches sigma_1(X) from below: this margin keeps
 * the bound on the safe side of a not quite converged estimate. */
#define SIGMA_MARGIN 1.05

/* The bound on stable steps where W and H move together, as they do. */
static double
joint_bound (const FsStepSizeContext *ctx)
{
  const FsParams *p = ctx->params;

  return fs_step_size_joint_stability_bound (ctx->W, ctx->H, ctx->rows, ctx->cols, p->rank,
                                             p->l2_w, p->l2_h, ctx->residual_norm,
                                             SIGMA_MARGIN * ctx->x_sigma);
}

/* The largest stable plain step is the bound itself. */
static double
stable_plain (const FsParams *params,
              double          bound)
{
  return bound;
}

/* Heavy ball on a quadratic is stable for lr L < 2 (1 + beta): (1 + beta)
 * times the plain bound. */
static double
stable_momentum (const FsParams *params,
                 double          bound)
{
  return (1.0 + params->momentum) * bound;
}

/* The first entry is the default. */
static const FsRule rules[] = {
  {
    .name = "plain",
    .label = N_("Gradient descent"),
    .n_state = 0,
    .step = step_plain,
    .starting_lr = start_plain,
    .retry_lr = retry_below_stable,
    .stable_lr = stable_plain,
    .divergence_advice = N_("Try a smaller learning rate, such as %.3g (now %.3g)."),
  },
  {
    .name = "normalized",
    .label = N_("Normalized gradient"),
    .n_state = 0,
    .step = step_normalized,
    .starting_lr = start_normalized,
    .retry_lr = retry_tenth,
    .divergence_advice = N_("Try a smaller learning rate, such as %.3g (now %.3g)."),
  },
  {
    .name = "momentum",
    .label = N_("Momentum"),
    .n_state = 1,
    .step = step_momentum,
    .starting_lr = start_momentum,
    .retry_lr = retry_below_stable,
    .stable_lr = stable_momentum,
    .divergence_advice = N_("Try a smaller learning rate, such as %.3g (now %.3g)."),
  },
  {
    .name = "adam",
    .label = N_("Adam"),
    .n_state = 2,
    .step = step_adam,
    .starting_lr = start_adam,
    .retry_lr = retry_tenth,
    .divergence_advice = N_("Try a smaller learning rate, such as %.3g (now %.3g)."),
  },
};

/* The largest learning rate of the rule that is stable where plain steps
 * are stable below bound (fs_step_size_joint_stability_bound ()); NAN
 * for rules whose steps scale themselves (normalized, Adam), which no
 * such bound governs, or when bound is not a positive number. */
double
fs_rule_get_stable_lr (const FsRule   *rule,
                       const FsParams *params,
                       double          bound)
{
  g_return_val_if_fail (rule != NULL && params != NULL, NAN);

  if (rule->stable_lr == NULL || !(bound > 0.0))
    return NAN;
  return rule->stable_lr (params, bound);
}

/* A rate to try after an instability at ctx's W and H: half the rule's
 * stable rate there (half leaves room for the bound to shrink as the
 * factors grow), and at most a third of the rate that misbehaved; a third
 * for rules without a stable rate, which makes each swing about three
 * times smaller. */
double
fs_rule_unstable_lr (const FsRule            *rule,
                     const FsStepSizeContext *ctx)
{
  const FsParams *p;
  double stable;

  g_return_val_if_fail (rule != NULL && ctx != NULL, NAN);

  p = ctx->params;
  stable = fs_rule_get_stable_lr (rule, p, joint_bound (ctx));
  return isfinite (stable) ? MIN (p->lr / 3.0, 0.5 * stable) : p->lr / 3.0;
}

/* The table, in the order the window lists it; n_rules may be NULL. */
const FsRule *
fs_rules_get (guint *n_rules)
{
  if (n_rules != NULL)
    *n_rules = G_N_ELEMENTS (rules);
  return rules;
}

/* The rule called name, or NULL. */
const FsRule *
fs_rule_find (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].name, name))
      return &rules[i];
  return NULL;
}

/* Whether rule points at an entry of the table. */
gboolean
fs_rule_is_known (const FsRule *rule)
{
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (rule == &rules[i])
      return TRUE;
  return FALSE;
}

/* The rule's place in the table: its row in the window's list. */
guint
fs_rule_get_index (const FsRule *rule)
{
  g_return_val_if_fail (fs_rule_is_known (rule), 0);

  return (guint) (rule - rules);
}

/* The label, translated. */
const char *
fs_rule_get_label (const FsRule *rule)
{
  g_return_val_if_fail (fs_rule_is_known (rule), NULL);

  return _(rule->label);
}

/* The sentence that ends a divergence message: the rule's advice with the
 * rate to try and the current one. The format comes from the table so
 * that each rule can give its own advice; the table's formats all take
 * two doubles. */
char *
fs_rule_dup_divergence_advice (const FsRule            *rule,
                               const FsStepSizeContext *ctx)
{
  char *advice;

  g_return_val_if_fail (fs_rule_is_known (rule), NULL);
  g_return_val_if_fail (ctx != NULL && ctx->params != NULL, NULL);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  advice = g_strdup_printf (_(rule->divergence_advice), rule->retry_lr (ctx), ctx->params->lr);
#pragma GCC diagnostic pop

  return advice;
}
