/* fs-optimum.h: the closed-form global optimum (DESIGN.md section 1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

/* A sparse matrix (fs_matrix_is_sparse ()) gives only its top singular
 * values, from fs-sparse-svd.h, never a dense copy: at least this many
 * for the spectrum (the window asks for MAX (this, rank), again when the
 * rank passes it; a sweep for MAX (this, its largest rank)), and f* at a
 * larger rank is not known from them. */
#define FS_OPTIMUM_SPARSE_TOP 64

/* The singular values of X, largest first: all MIN (rows, cols) of a
 * dense matrix (LAPACK), the top MIN (FS_OPTIMUM_SPARSE_TOP, rows, cols)
 * of a sparse one whose unlisted cells are zeros. An error when X has
 * missing cells. */
GArray *fs_singular_values          (const FsMatrix *X,
                                     GError        **error);
/* The singular values f* needs at ranks up to rank: all of them for a
 * dense matrix (as fs_singular_values ()), the top MIN (rank, rows, cols)
 * for a sparse one, whose ||X||²_F stands for the rest. */
GArray *fs_singular_values_for_rank (const FsMatrix *X,
                                     guint           rank,
                                     GError        **error);
/* An estimate of sigma_1 (X) by the power iteration, missing cells taken
 * as 0; works on both layouts. */
double  fs_spectral_norm            (const FsMatrix *X,
                                     guint           iterations);
/* f* from the full spectrum (DESIGN.md section 1). */
double  fs_optimum_value            (const double   *singular_values,
                                     gsize           n_values,
                                     guint           rank,
                                     double          l2_w,
                                     double          l2_h);
/* f* from the top values and ||X||²_F: ||X||² - Σ_{i ≤ rank} max (s_i - mu, 0)²;
 * top holds at least MIN (rank, rows, cols) values, largest first. */
double  fs_optimum_value_top        (const double   *top,
                                     gsize           n_top,
                                     double          frobenius_sq,
                                     guint           rank,
                                     double          l2_w,
                                     double          l2_h);
/* f* of X from the values fs_singular_values () or
 * fs_singular_values_for_rank () gave: fs_optimum_value () on a dense
 * matrix, fs_optimum_value_top () on a sparse one, NaN when they are too
 * few for rank. Whether X has a closed form at all is
 * fs_params_has_optimum ()'s to say. */
double  fs_optimum_for_matrix       (const FsMatrix *X,
                                     const GArray   *values,
                                     guint           rank,
                                     double          l2_w,
                                     double          l2_h);

G_END_DECLS
