/* fs-sparse-kernels.h: the fused pass of the sparse path over the listed
 * cells of a block of rows, one implementation per instruction set.
 *
 * For each row i in [row0, row1) and each listed cell (i, j): res = x -
 * w_i . h_j; a_i += res h_j (a_i starting at 0); ght_j += res w_i; then
 * grad_w_i = -2 (a_i - l2_w w_i). The sums of res^2, of ||w_i||^2 and of
 * ||grad_w_i||^2 go into *sums: the epilogue is fused into the pass so
 * that W and its gradient (n r values each, from memory) are read and
 * written once. grad_w (n × r, rows row0 to row1 set), W (n × r), ht (H^T,
 * m × r) and ght (m × r, added to) are row-major.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-sparse.h"

G_BEGIN_DECLS

/* The ranks whose per-row scratch lives on the stack. */
#define FS_SPARSE_MAX_STACK_RANK 256

typedef struct
{
  double data;       /* Σ res^2 */
  double sq_w;       /* Σ ||w_i||^2 */
  double sq_grad_w;  /* Σ ||grad_w_i||^2 */
} FsSparseSums;

typedef enum
{
  FS_SPARSE_KERNEL_SCALAR,
  FS_SPARSE_KERNEL_AVX2,
  FS_SPARSE_KERNEL_AVX512,
  FS_N_SPARSE_KERNELS
} FsSparseKernel;

/* The fastest kernel this CPU runs, and no faster than most. */
FsSparseKernel fs_sparse_kernel_best (FsSparseKernel most);
const char    *fs_sparse_kernel_name (FsSparseKernel kernel);

void fs_sparse_kernel_rows (FsSparseKernel  kernel,
                            const FsSparse *x,
                            gsize           row0,
                            gsize           row1,
                            const double   *W,
                            const double   *ht,
                            gsize           r,
                            double          l2_w,
                            double         *grad_w,
                            double         *ght,
                            FsSparseSums   *sums);

/* The H gradient over the columns col0 to col1 from the shares' parts
 * (n_parts arrays of m × r, row j the part of -grad_h_j / 2): acc_j =
 * parts[0]_j + parts[1]_j + … in that order, grad_h[k m + j] = -2 (acc_j[k]
 * - l2_h ht_j[k]) in H's layout (r × m), and Σ grad_h^2 over those columns
 * into *sq_grad_h. The parts' rows there are left zero, for the next pass
 * to add to. */
void fs_sparse_kernel_sum_parts (FsSparseKernel  kernel,
                                 double * const *parts,
                                 guint           n_parts,
                                 const double   *ht,
                                 gsize           r,
                                 gsize           m,
                                 gsize           col0,
                                 gsize           col1,
                                 double          l2_h,
                                 double         *grad_h,
                                 double         *sq_grad_h);

/* The implementations, for the dispatch and the tests. */
void fs_sparse_rows_scalar (const FsSparse *x,
                            gsize           row0,
                            gsize           row1,
                            const double   *W,
                            const double   *ht,
                            gsize           r,
                            double          l2_w,
                            double         *grad_w,
                            double         *ght,
                            FsSparseSums   *sums);
void fs_sparse_rows_avx2   (const FsSparse *x,
                            gsize           row0,
                            gsize           row1,
                            const double   *W,
                            const double   *ht,
                            gsize           r,
                            double          l2_w,
                            double         *grad_w,
                            double         *ght,
                            FsSparseSums   *sums);
void fs_sparse_rows_avx512 (const FsSparse *x,
                            gsize           row0,
                            gsize           row1,
                            const double   *W,
                            const double   *ht,
                            gsize           r,
                            double          l2_w,
                            double         *grad_w,
                            double         *ght,
                            FsSparseSums   *sums);

void fs_sparse_sum_parts_scalar (double * const *parts,
                                 guint           n_parts,
                                 const double   *ht,
                                 gsize           r,
                                 gsize           m,
                                 gsize           col0,
                                 gsize           col1,
                                 double          l2_h,
                                 double         *grad_h,
                                 double         *sq_grad_h);
void fs_sparse_sum_parts_avx512 (double * const *parts,
                                 guint           n_parts,
                                 const double   *ht,
                                 gsize           r,
                                 gsize           m,
                                 gsize           col0,
                                 gsize           col1,
                                 double          l2_h,
                                 double         *grad_h,
                                 double         *sq_grad_h);

G_END_DECLS
