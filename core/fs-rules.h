/* fs-rules.h: the update rules, one table entry each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-params.h"

G_BEGIN_DECLS

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

typedef struct
{
  const char *name;
  guint       n_state;
  void      (*step) (const FsStepContext *ctx,
                     double              *p,
                     const double        *g,
                     double * const      *state,
                     gsize                len);
} FsRule;

const FsRule *fs_rule_get (FsRuleKind kind);

G_END_DECLS
