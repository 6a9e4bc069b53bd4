/* fs-holdout.h: the observed cells held out of training, for a
 * validation error (DESIGN.md section 5).
 *
 * A split picks exactly round (fraction × observed) of the observed cells
 * (at least 1 when fraction > 0, and never all of them) by selection
 * sampling in row-major order, driven by an FsRandom from seed: it depends
 * only on the seed, the shape and the missing cells, so every run, every
 * restart and every point of a sweep on the same matrix shares it. Cells
 * are kept sorted by their row-major index. Immutable once made: share it
 * with fs_holdout_ref ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

typedef struct _FsHoldout FsHoldout;

/* NULL with an error (naming the fraction and the cell count) when the
 * fraction is not in (0, 1) or leaves no cell to train on or none to hold
 * out. */
FsHoldout    *fs_holdout_new             (const FsMatrix *X,
                                          double          fraction,
                                          guint64         seed,
                                          GError        **error);
FsHoldout    *fs_holdout_ref             (FsHoldout      *self);
void          fs_holdout_unref           (FsHoldout      *self);
gsize         fs_holdout_get_n_cells     (const FsHoldout *self);
/* The held-out cells' row-major indices (i * cols + j), ascending. */
const gsize  *fs_holdout_get_cells       (const FsHoldout *self);
/* Their values in X, in the same order. */
const double *fs_holdout_get_values      (const FsHoldout *self);
/* The observed cells left to train on. */
gsize         fs_holdout_get_n_train     (const FsHoldout *self);
/* A copy of X with the held-out cells missing (NaN, mask 0): the matrix
 * the solver trains on. */
FsMatrix     *fs_holdout_training_matrix (const FsHoldout *self,
                                          const FsMatrix  *X,
                                          GError         **error);
/* Σ over held-out cells of (X - W H)_ij², straight from the rows of W and
 * the columns of H (n × r and r × m, row-major): the reference the solver's
 * own sum is tested against. */
double        fs_holdout_sum_squares     (const FsHoldout *self,
                                          const double    *W,
                                          const double    *H,
                                          guint            rank,
                                          gsize            cols);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsHoldout, fs_holdout_unref)

G_END_DECLS
