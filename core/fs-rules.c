/* fs-rules.c
 *
 * Each rule moves P along its own direction with its own step t (per cell
 * for Adam), then applies the proximal map of t l1 |.| and, for NMF, the
 * projection onto P >= 0. Soft-thresholding gives exact zeros.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-rules"

#include <cblas.h>
#include <math.h>

#include "fs-rules.h"

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

static const FsRule rules[FS_N_RULES] = {
  [FS_RULE_PLAIN]      = { "plain",      0, step_plain },
  [FS_RULE_NORMALIZED] = { "normalized", 0, step_normalized },
  [FS_RULE_MOMENTUM]   = { "momentum",   1, step_momentum },
  [FS_RULE_ADAM]       = { "adam",       2, step_adam },
};

const FsRule *
fs_rule_get (FsRuleKind kind)
{
  g_return_val_if_fail ((guint) kind < FS_N_RULES, NULL);

  return &rules[kind];
}
