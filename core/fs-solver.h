/* fs-solver.h: one gradient-descent factorization X ≈ W H.
 *
 * Used like GSL's multimin: create it for a matrix and settings, start it
 * from a seed (or given factors), call iterate until it reports a stop, and
 * read the state through the getters. Everything the size of X, W or H is
 * allocated by new. After that, start opens a new cost log and trace (and
 * works out the rule's starting step in r × r buffers); iterate allocates
 * only a new block of that log (or of the trace's) every 16384 entries,
 * the warning's message when the instability detector flags the run, and
 * the message once the run stops; fs_solver_get_stability_bound works in
 * r × r buffers of its own.
 *
 * A run can go on from its current W and H: fs_solver_change_params takes
 * the settings that fs_params_needs_restart() lets change (and zeroes the
 * rule's state when the rule changes), fs_solver_resume lifts a stop for
 * tolerance, instability or a raised limit. Each of these, like
 * fs_solver_set_lr and a start, is a change: the instability detector
 * starts afresh and divergence is measured from the cost at the change.
 *
 * With params->holdout > 0, new makes the split (fs-holdout.h) from the
 * matrix it is given and trains on fs_holdout_training_matrix () of it;
 * fs_solver_get_matrix () is still the matrix given. The held-out cells'
 * squared error is summed in the pass that forms the residual, so the
 * held-out MSE is known at every iteration at no extra pass over X.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-cost-log.h"
#include "fs-holdout.h"
#include "fs-instability.h"
#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-products.h"
#include "fs-trace.h"

G_BEGIN_DECLS

typedef struct _FsSolver FsSolver;

FsSolver       *fs_solver_new                 (FsMatrix       *X,
                                               const FsParams *params,
                                               GError        **error);
void            fs_solver_free                (FsSolver       *self);
void            fs_solver_start               (FsSolver       *self,
                                               guint64         seed);
void            fs_solver_start_from          (FsSolver       *self,
                                               const double   *W,
                                               const double   *H);
FsStop          fs_solver_iterate             (FsSolver       *self);
void            fs_solver_set_lr              (FsSolver       *self,
                                               double          lr);
void            fs_solver_change_params       (FsSolver       *self,
                                               const FsParams *params);
gboolean        fs_solver_resume              (FsSolver       *self);

FsMatrix       *fs_solver_get_matrix          (FsSolver       *self);
const FsParams *fs_solver_get_params          (FsSolver       *self);
gsize           fs_solver_get_rows            (FsSolver       *self);
gsize           fs_solver_get_cols            (FsSolver       *self);
guint           fs_solver_get_rank            (FsSolver       *self);
guint64         fs_solver_get_seed            (FsSolver       *self);
guint64         fs_solver_get_iteration       (FsSolver       *self);
double          fs_solver_get_cost            (FsSolver       *self);
double          fs_solver_get_exact_cost      (FsSolver       *self);
double          fs_solver_get_grad_norm_w     (FsSolver       *self);
double          fs_solver_get_grad_norm_h     (FsSolver       *self);
const double   *fs_solver_get_w               (FsSolver       *self);
const double   *fs_solver_get_h               (FsSolver       *self);
const double   *fs_solver_get_grad_w          (FsSolver       *self);
const double   *fs_solver_get_grad_h          (FsSolver       *self);
FsCostLog      *fs_solver_get_log             (FsSolver       *self);
FsTrace        *fs_solver_get_trace           (FsSolver       *self);
FsStop          fs_solver_get_stop            (FsSolver       *self);
const char     *fs_solver_get_stop_message    (FsSolver       *self);
const FsWarning *fs_solver_get_warning        (FsSolver       *self);
double          fs_solver_get_stability_bound (FsSolver       *self);
double          fs_solver_get_starting_lr     (FsSolver       *self);
double          fs_solver_get_sigma_estimate  (FsSolver       *self);
gboolean        fs_solver_get_grams           (FsSolver       *self,
                                               const double  **wtw,
                                               const double  **hht);
/* NULL when params->holdout is 0. */
FsHoldout      *fs_solver_get_holdout         (FsSolver       *self);
/* The data term over the cells trained on, divided by their count. */
double          fs_solver_get_train_mse       (FsSolver       *self);
/* Σ over held-out cells of (X - WH)² over their count at the current W and
 * H; NaN without held-out cells. */
double          fs_solver_get_holdout_mse     (FsSolver       *self);
guint           fs_solver_get_threads         (FsSolver       *self);
FsProductsImpl  fs_solver_get_products        (FsSolver       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSolver, fs_solver_free)

G_END_DECLS
