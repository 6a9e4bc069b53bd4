/* fs-sparse-kernels.c: the portable kernel and the dispatch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sparse"

#include <string.h>

#include "fs-sparse-kernels.h"

static const char * const kernel_names[] = { "scalar", "avx2", "avx512" };

FsSparseKernel
fs_sparse_kernel_best (FsSparseKernel most)
{
  FsSparseKernel best = FS_SPARSE_KERNEL_SCALAR;

#ifdef FS_SPARSE_HAVE_SIMD
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    best = FS_SPARSE_KERNEL_AVX2;
  if (best == FS_SPARSE_KERNEL_AVX2 && __builtin_cpu_supports ("avx512f") &&
      __builtin_cpu_supports ("avx512vl"))
    best = FS_SPARSE_KERNEL_AVX512;
#endif
  return MIN (best, most);
}

const char *
fs_sparse_kernel_name (FsSparseKernel kernel)
{
  g_return_val_if_fail (kernel < G_N_ELEMENTS (kernel_names), "scalar");
  return kernel_names[kernel];
}

void
fs_sparse_rows_scalar (const FsSparse *x,
                       gsize           row0,
                       gsize           row1,
                       const double   *W,
                       const double   *ht,
                       gsize           r,
                       double          l2_w,
                       double         *grad_w,
                       double         *ght,
                       FsSparseSums   *sums)
{
  *sums = (FsSparseSums) { 0 };
  for (gsize i = row0; i < row1; i++)
    {
      const double *w = W + i * r;
      double *ai = grad_w + i * r;

      memset (ai, 0, r * sizeof (double));
      for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
        {
          const double *h = ht + (gsize) x->col_idx[p] * r;
          double *g = ght + (gsize) x->col_idx[p] * r;
          double wh = 0.0, res;

          for (gsize k = 0; k < r; k++)
            wh += w[k] * h[k];
          res = x->values[p] - wh;
          for (gsize k = 0; k < r; k++)
            {
              ai[k] += res * h[k];
              g[k] += res * w[k];
            }
          sums->data += res * res;
        }
      for (gsize k = 0; k < r; k++)
        {
          ai[k] = -2.0 * (ai[k] - l2_w * w[k]);
          sums->sq_grad_w += ai[k] * ai[k];
          sums->sq_w += w[k] * w[k];
        }
    }
}

void
fs_sparse_sum_parts_scalar (double * const *parts,
                            guint           n_parts,
                            const double   *ht,
                            gsize           r,
                            gsize           m,
                            gsize           col0,
                            gsize           col1,
                            double          l2_h,
                            double         *grad_h,
                            double         *sq_grad_h)
{
  double sq = 0.0;

  for (gsize j = col0; j < col1; j++)
    for (gsize k = 0; k < r; k++)
      {
        double acc = parts[0][j * r + k], v;

        parts[0][j * r + k] = 0.0;
        for (guint s = 1; s < n_parts; s++)
          {
            acc += parts[s][j * r + k];
            parts[s][j * r + k] = 0.0;
          }
        v = -2.0 * (acc - l2_h * ht[j * r + k]);
        grad_h[k * m + j] = v;
        sq += v * v;
      }
  *sq_grad_h = sq;
}

/* AVX2 runs the portable sum: it is a small part of an iteration. */
void
fs_sparse_kernel_sum_parts (FsSparseKernel  kernel,
                            double * const *parts,
                            guint           n_parts,
                            const double   *ht,
                            gsize           r,
                            gsize           m,
                            gsize           col0,
                            gsize           col1,
                            double          l2_h,
                            double         *grad_h,
                            double         *sq_grad_h)
{
#ifdef FS_SPARSE_HAVE_SIMD
  if (kernel == FS_SPARSE_KERNEL_AVX512)
    {
      fs_sparse_sum_parts_avx512 (parts, n_parts, ht, r, m, col0, col1, l2_h, grad_h, sq_grad_h);
      return;
    }
#endif
  fs_sparse_sum_parts_scalar (parts, n_parts, ht, r, m, col0, col1, l2_h, grad_h, sq_grad_h);
}

void
fs_sparse_kernel_rows (FsSparseKernel  kernel,
                       const FsSparse *x,
                       gsize           row0,
                       gsize           row1,
                       const double   *W,
                       const double   *ht,
                       gsize           r,
                       double          l2_w,
                       double         *grad_w,
                       double         *ght,
                       FsSparseSums   *sums)
{
  switch (kernel)
    {
#ifdef FS_SPARSE_HAVE_SIMD
    case FS_SPARSE_KERNEL_AVX2:
      fs_sparse_rows_avx2 (x, row0, row1, W, ht, r, l2_w, grad_w, ght, sums);
      return;
    case FS_SPARSE_KERNEL_AVX512:
      fs_sparse_rows_avx512 (x, row0, row1, W, ht, r, l2_w, grad_w, ght, sums);
      return;
#endif
    case FS_SPARSE_KERNEL_SCALAR:
    case FS_N_SPARSE_KERNELS:
    default:
      fs_sparse_rows_scalar (x, row0, row1, W, ht, r, l2_w, grad_w, ght, sums);
      return;
    }
}
