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

G_END_DECLS
