/* fs-rules.h: the update rules, one table entry each.
 *
 * An entry is all that the solver, the window and the command line know
 * of a rule: its name, its label, the state it keeps, its step, the
 * learning rate it starts with and what to try when it diverges. Adding a
 * rule is adding an entry to the table in fs-rules.c; the choice lists
 * and the tests go through the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-params.h"

G_BEGIN_DECLS

/* The most arrays of the parameter's size that a rule keeps (Adam's two). */
#define FS_RULE_MAX_STATE 2

/* What a step needs besides the parameter and its gradient. l1 is the
 * proximal L1 weight (0 when L1 is off or taken as a subgradient);
 * grad_norm is ||G||_F of the whole gradient, so that a step can be taken
 * on a part of the parameter at a time. */
typedef struct
{
  double   lr;
  double   momentum;
  double   beta1;
  double   beta2;
  double   eps;
  guint64  t;
  double   l1;
  gboolean nonneg;
  double   grad_norm;
} FsStepContext;

/* What a rule's learning rates are chosen from: the settings (with the
 * current learning rate), a point W (rows × rank), H (rank × cols), an
 * estimate of sigma_1(X), and the residual's norm there when known. */
typedef struct
{
  const FsParams *params;
  const double   *W;
  const double   *H;
  gsize           rows;
  gsize           cols;
  double          x_sigma;
  double          residual_norm; /* ||X - WH||_F at W and H, when known (else 0) */
} FsStepSizeContext;

typedef void   (*FsRuleStepFunc)     (const FsStepContext     *ctx,
                                      double                  *p,
                                      const double            *g,
                                      double * const          *state,
                                      gsize                    len);
typedef double (*FsRuleStepSizeFunc) (const FsStepSizeContext *ctx);
typedef double (*FsRuleStableFunc)   (const FsParams          *params,
                                      double                   bound);

struct _FsRule
{
  const char         *name;               /* for the command line and files */
  const char         *label;              /* N_(), for the window: fs_rule_get_label() */
  guint               n_state;            /* arrays of the parameter's size it keeps */
  FsRuleStepFunc      step;
  FsRuleStepSizeFunc  starting_lr;        /* the learning rate at the seeded start */
  FsRuleStepSizeFunc  retry_lr;           /* a smaller one after params->lr diverged */
  FsRuleStableFunc    stable_lr;          /* from the plain bound; NULL: none applies */
  const char         *divergence_advice;  /* N_(), a format of the retry and current rates */
};

const FsRule *fs_rules_get                  (guint                   *n_rules);
const FsRule *fs_rule_find                  (const char              *name);
gboolean      fs_rule_is_known              (const FsRule            *rule);
guint         fs_rule_get_index             (const FsRule            *rule);
const char   *fs_rule_get_label             (const FsRule            *rule);
char         *fs_rule_dup_divergence_advice (const FsRule            *rule,
                                             const FsStepSizeContext *ctx);
double        fs_rule_get_stable_lr         (const FsRule            *rule,
                                             const FsParams          *params,
                                             double                   bound);
double        fs_rule_unstable_lr           (const FsRule            *rule,
                                             const FsStepSizeContext *ctx);

G_END_DECLS
