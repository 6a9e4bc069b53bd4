/* fs-sparse-svd.h: the top singular values of a sparse matrix.
 *
 * X is taken as the sparse matrix its listed cells make, unlisted cells
 * being zeros (a matrix whose unlisted cells are missing has no singular
 * values: the callers check X->n_missing first). The method is a block
 * Golub–Kahan–Lanczos bidiagonalization with full reorthogonalization and
 * thick restarts (Krylov–Schur style): X v and Xᵀ u are O(nnz) passes over
 * the compressed rows (empty rows and columns left out: they add only
 * zeros), LAPACK only sees the small projected matrix, and nothing of size
 * rows × cols is ever allocated. The memory is that of a basis of
 * (rows + cols) × (k + MAX (k, 96)) doubles at most: 123 MB for the
 * benchmark's 100000 × 20000 and k = 32.
 *
 * A value is returned once its Ritz residual is below 1e-10 of itself (or
 * 1e-12 of the largest, for values near zero), which bounds its error by
 * the same; the block of FS_SPARSE_SVD_BLOCK vectors finds repeated
 * values up to that multiplicity whatever the start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-sparse.h"

G_BEGIN_DECLS

/* The number of vectors the Lanczos process grows its basis by at once. */
#define FS_SPARSE_SVD_BLOCK 8

/* The k largest singular values of X, largest first: MIN (k, rows, cols)
 * of them (those past the rank of X are 0 to rounding). NULL with
 * FS_ERROR_TOO_LARGE when the basis does not fit in memory, or
 * FS_ERROR_NUMERIC when the values do not converge. */
GArray *fs_sparse_svd_top            (const FsSparse *X,
                                      guint           k,
                                      GError        **error);
/* An estimate of the largest singular value of X from the power
 * iteration on Xᵀ X (fs_spectral_norm's sparse path). */
double  fs_sparse_svd_spectral_norm  (const FsSparse *X,
                                      guint           iterations);

G_END_DECLS
