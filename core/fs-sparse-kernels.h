/* fs-sparse-kernels.h: the fused pass of the sparse path over the listed
 * cells of a block of rows, one implementation per instruction set.
 *
 * For each row i in [row0, row1) and each listed cell (i, j): res = x -
 * w_i . h_j; a_i += res h_j; ght_j += res w_i; and the sum of res^2 is
 * returned. a (n × r, rows row0 to row1 written: set, not added to), W
 * (n × r), ht (H^T, m × r) and ght (m × r, added to) are row-major.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-sparse.h"

G_BEGIN_DECLS

/* The ranks whose per-row scratch lives on the stack. */
#define FS_SPARSE_MAX_STACK_RANK 256

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

double fs_sparse_kernel_rows (FsSparseKernel  kernel,
                              const FsSparse *x,
                              gsize           row0,
                              gsize           row1,
                              const double   *W,
                              const double   *ht,
                              gsize           r,
                              double         *a,
                              double         *ght);

/* The implementations, for the dispatch and the tests. */
double fs_sparse_rows_scalar (const FsSparse *x,
                              gsize           row0,
                              gsize           row1,
                              const double   *W,
                              const double   *ht,
                              gsize           r,
                              double         *a,
                              double         *ght);
double fs_sparse_rows_avx2   (const FsSparse *x,
                              gsize           row0,
                              gsize           row1,
                              const double   *W,
                              const double   *ht,
                              gsize           r,
                              double         *a,
                              double         *ght);
double fs_sparse_rows_avx512 (const FsSparse *x,
                              gsize           row0,
                              gsize           row1,
                              const double   *W,
                              const double   *ht,
                              gsize           r,
                              double         *a,
                              double         *ght);

G_END_DECLS
