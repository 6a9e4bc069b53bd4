/* fs-sparse-kernels-avx2.c: the sparse path's fused pass on vectors of 4.
 *
 * The row's accumulator a_i stays in memory (in L1 for the whole row):
 * for ranks above 16 there are not enough registers for it and w_i, and
 * one loop for every rank keeps this fallback simple. Lanes past the last
 * multiple of 4 are done one at a time. The rows h_j and ght_j of the
 * cells ahead (into L2 far ahead, into L1 near), and w_i and grad_w_i of
 * the rows a few ahead, are prefetched, as in fs-sparse-kernels-avx512.c.
 *
 * This file is compiled with -mavx2 -mfma (core/meson.build): nothing in
 * it may run before fs_sparse_kernel_best has found those on the CPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sparse"

#include <immintrin.h>
#include <string.h>

#include "fs-sparse-kernels.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "fs-sparse-kernels-avx2.c needs -mavx2 -mfma"
#endif

/* As in fs-sparse-kernels-avx512.c. */
#define PREFETCH_CELLS 8
#define PREFETCH_FAR 64
#define PREFETCH_ROWS 4
#define ALWAYS_INLINE inline __attribute__ ((always_inline))

static ALWAYS_INLINE double
horizontal_sum (__m256d v)
{
  __m128d lo = _mm256_castpd256_pd128 (v), hi = _mm256_extractf128_pd (v, 1);

  lo = _mm_add_pd (lo, hi);
  return _mm_cvtsd_f64 (_mm_add_sd (lo, _mm_unpackhi_pd (lo, lo)));
}

/* w . h over the rank, with two accumulators. */
static ALWAYS_INLINE double
dot (const double *w,
     const double *h,
     gsize         full,
     gsize         r)
{
  __m256d d0 = _mm256_setzero_pd (), d1 = d0;
  double sum;
  gsize k = 0;

  for (; k + 8 <= full; k += 8)
    {
      d0 = _mm256_fmadd_pd (_mm256_loadu_pd (w + k), _mm256_loadu_pd (h + k), d0);
      d1 = _mm256_fmadd_pd (_mm256_loadu_pd (w + k + 4), _mm256_loadu_pd (h + k + 4), d1);
    }
  if (k < full)
    d0 = _mm256_fmadd_pd (_mm256_loadu_pd (w + k), _mm256_loadu_pd (h + k), d0);
  sum = horizontal_sum (_mm256_add_pd (d0, d1));
  for (k = full; k < r; k++)
    sum += w[k] * h[k];
  return sum;
}

/* Two rows of r values into the cache level of hint ahead of their use. */
static ALWAYS_INLINE void
prefetch_rows (const double *one,
               const double *other,
               gsize         r,
               int           hint)
{
  for (gsize k = 0; k < r; k += 8)
    {
      if (hint == _MM_HINT_T1)
        {
          _mm_prefetch ((const char *) (one + k), _MM_HINT_T1);
          _mm_prefetch ((const char *) (other + k), _MM_HINT_T1);
        }
      else
        {
          _mm_prefetch ((const char *) (one + k), _MM_HINT_T0);
          _mm_prefetch ((const char *) (other + k), _MM_HINT_T0);
        }
    }
}

/* One cell: res = value - w . h, a += res h, g += res w; res^2. */
static ALWAYS_INLINE double
cell (double        value,
      const double *w,
      const double *h,
      double       *a,
      double       *g,
      gsize         full,
      gsize         r)
{
  double res = value - dot (w, h, full, r);
  __m256d vres = _mm256_set1_pd (res);

  for (gsize k = 0; k < full; k += 4)
    {
      _mm256_storeu_pd (a + k, _mm256_fmadd_pd (vres, _mm256_loadu_pd (h + k),
                                                _mm256_loadu_pd (a + k)));
      _mm256_storeu_pd (g + k, _mm256_fmadd_pd (vres, _mm256_loadu_pd (w + k),
                                                _mm256_loadu_pd (g + k)));
    }
  for (gsize k = full; k < r; k++)
    {
      a[k] += res * h[k];
      g[k] += res * w[k];
    }
  return res * res;
}

/* grad_w_i = -2 (a - l2_w w_i) in place, and the squares' sums. */
static ALWAYS_INLINE void
finish_row (double       *a,
            const double *w,
            double        l2_w,
            gsize         r,
            FsSparseSums *sums)
{
  for (gsize k = 0; k < r; k++)
    {
      a[k] = -2.0 * (a[k] - l2_w * w[k]);
      sums->sq_grad_w += a[k] * a[k];
      sums->sq_w += w[k] * w[k];
    }
}

void
fs_sparse_rows_avx2 (const FsSparse *x,
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
  const gsize full = r - r % 4;
  gsize end;

  *sums = (FsSparseSums) { 0 };
  if (row1 <= row0)
    return;
  end = x->row_ptr[row1];
  for (gsize i = row0; i < row1; i++)
    {
      const double *w = W + i * r;
      double *a = grad_w + i * r;

      if (i + PREFETCH_ROWS < row1)
        prefetch_rows (W + (i + PREFETCH_ROWS) * r, grad_w + (i + PREFETCH_ROWS) * r, r,
                       _MM_HINT_T0);
      memset (a, 0, r * sizeof (double));
      for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
        {
          gsize j = x->col_idx[p];

          if (p + PREFETCH_FAR < end)
            prefetch_rows (ht + (gsize) x->col_idx[p + PREFETCH_FAR] * r,
                           ght + (gsize) x->col_idx[p + PREFETCH_FAR] * r, r, _MM_HINT_T1);
          if (p + PREFETCH_CELLS < end)
            prefetch_rows (ht + (gsize) x->col_idx[p + PREFETCH_CELLS] * r,
                           ght + (gsize) x->col_idx[p + PREFETCH_CELLS] * r, r, _MM_HINT_T0);
          sums->data += cell (x->values[p], w, ht + j * r, a, ght + j * r, full, r);
        }
      finish_row (a, w, l2_w, r, sums);
    }
}
