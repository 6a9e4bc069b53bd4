/* fs-sparse-kernels-avx512.c: the sparse path's fused pass on vectors of 8.
 *
 * For a rank up to 32, w_i and the row's accumulator a_i live in four
 * registers each for the whole row (masked where the rank is not a
 * multiple of 8), so that a cell costs the loads of h_j and ght_j, 12
 * fused multiply-adds and the store of ght_j. Larger ranks run the same
 * steps through memory, 8 lanes at a time. The rows h_j and ght_j of the
 * cells a few ahead, and w_i and grad_w_i of the rows a few ahead, are
 * prefetched: the columns are scattered, and W and its gradient (read and
 * written once an iteration) come from memory; the pass otherwise waited
 * on each.
 *
 * This file is compiled with -mavx512f -mavx512vl -mavx2 -mfma
 * (core/meson.build): nothing in it may run before fs_sparse_kernel_best
 * has found those on the CPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sparse"

#include <immintrin.h>
#include <string.h>

#include "fs-sparse-kernels.h"

#if !defined(__AVX512F__) || !defined(__AVX512VL__) || !defined(__AVX2__) || !defined(__FMA__)
#error "fs-sparse-kernels-avx512.c needs -mavx512f -mavx512vl -mavx2 -mfma"
#endif

/* Cells ahead whose rows of H^T and of the gradient are prefetched into
 * L2 (PREFETCH_FAR), then into L1 (PREFETCH_CELLS). The rows are
 * scattered over two arrays of m r values (5 MB each at m = 20000, r = 32)
 * that L2 cannot hold: a cell waited on 8 lines from L3 or memory. One
 * level of prefetch is limited by the misses L1 can have in flight; the
 * far level fills L2's own. Measured at 100000 × 20000, 10^6 cells, rank
 * 32, 2 threads (Zen 4, CPU time a thread on a loaded machine): the pass
 * took 24.9 ms with no prefetch of the cells (as GCC had left it), 11.3
 * with 16 cells ahead into L1 alone, 9.0 with 8 and 64 (32 to 128 for the
 * far level within noise), 7.3 with those prefetches unrolled (rank 32). */
#define PREFETCH_CELLS 8
#define PREFETCH_FAR 64
/* Rows ahead whose w_i and grad_w_i are prefetched: with about 10 cells a
 * row, waiting on W was most of the pass before. */
#define PREFETCH_ROWS 4

/* The prefetches are always inlined: GCC 12 finds a function that only
 * prefetches free of side effects and drops its calls (it dropped every
 * prefetch of the cells ahead here until 2026-12). */
#define ALWAYS_INLINE inline __attribute__ ((always_inline))

/* Two rows of r values into L1 ahead of their use. */
static ALWAYS_INLINE void
prefetch_rows (const double *one,
               const double *other,
               gsize         r)
{
#pragma GCC unroll 4
  for (gsize k = 0; k < r; k += 8)
    {
      _mm_prefetch ((const char *) (one + k), _MM_HINT_T0);
      _mm_prefetch ((const char *) (other + k), _MM_HINT_T0);
    }
}

/* The rows h_j and ght_j of the cells PREFETCH_FAR ahead into L2, and of
 * those PREFETCH_CELLS ahead into L1. */
static ALWAYS_INLINE void
prefetch_cells (const guint32 *col_idx,
                gsize          p,
                gsize          end,
                const double  *ht,
                const double  *ght,
                gsize          r)
{
  if (p + PREFETCH_FAR < end)
    {
      gsize far = col_idx[p + PREFETCH_FAR];

#pragma GCC unroll 4
      for (gsize k = 0; k < r; k += 8)
        {
          _mm_prefetch ((const char *) (ht + far * r + k), _MM_HINT_T1);
          _mm_prefetch ((const char *) (ght + far * r + k), _MM_HINT_T1);
        }
    }
  if (p + PREFETCH_CELLS < end)
    {
      gsize near = col_idx[p + PREFETCH_CELLS];

#pragma GCC unroll 4
      for (gsize k = 0; k < r; k += 8)
        {
          _mm_prefetch ((const char *) (ht + near * r + k), _MM_HINT_T0);
          _mm_prefetch ((const char *) (ght + near * r + k), _MM_HINT_T0);
        }
    }
}

/* One vector of the row epilogue: grad = -2 (a - l2_w w), stored; the
 * squares of grad and w added to their sums. */
static ALWAYS_INLINE void
finish_lanes (__m512d    a,
              __m512d    w,
              __m512d    l2,
              __mmask8   mask,
              double    *grad,
              __m512d   *sq_grad,
              __m512d   *sq_w)
{
  __m512d g = _mm512_mul_pd (_mm512_set1_pd (-2.0), _mm512_fnmadd_pd (l2, w, a));

  _mm512_mask_storeu_pd (grad, mask, g);
  *sq_grad = _mm512_fmadd_pd (g, g, *sq_grad);
  *sq_w = _mm512_fmadd_pd (w, w, *sq_w);
}

/* ght_j += res w over one vector. */
static ALWAYS_INLINE void
add_lanes (double   *g,
           __mmask8  mask,
           __m512d   vres,
           __m512d   w)
{
  _mm512_mask_storeu_pd (g, mask, _mm512_fmadd_pd (vres, w, _mm512_maskz_loadu_pd (mask, g)));
}

/* The rows with rank r <= 32: vectors v < 4 hold lanes 8 v to 8 v + 7,
 * those past the rank masked off (and zero). Inlined twice: for r = 32,
 * where the masks are constants and every load is whole, and for any
 * other r up to 32. */
static ALWAYS_INLINE void
rows_in_registers (const FsSparse *x,
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
  /* In locals: with -fno-strict-aliasing, every store to ght would
   * otherwise make the loop load them again. */
  const gsize *row_ptr = x->row_ptr;
  const guint32 *col_idx = x->col_idx;
  const double *values = x->values;
  const gsize end = row_ptr[row1];
  const __m512d l2 = _mm512_set1_pd (l2_w);
  const __mmask8 m0 = (__mmask8) ((1u << MIN (r, 8)) - 1u);
  const __mmask8 m1 = (__mmask8) ((1u << (r > 8 ? MIN (r - 8, 8) : 0)) - 1u);
  const __mmask8 m2 = (__mmask8) ((1u << (r > 16 ? MIN (r - 16, 8) : 0)) - 1u);
  const __mmask8 m3 = (__mmask8) ((1u << (r > 24 ? r - 24 : 0)) - 1u);
  __m512d sq_grad = _mm512_setzero_pd (), sq_w = sq_grad;
  double data = 0.0;
  gsize p = row_ptr[row0];

  for (gsize i = row0; i < row1; i++)
    {
      const double *w = W + i * r;
      double *gw = grad_w + i * r;
      const gsize row_end = row_ptr[i + 1];
      __m512d w0, w1, w2, w3, a0 = _mm512_setzero_pd (), a1 = a0, a2 = a0, a3 = a0;

      if (i + PREFETCH_ROWS < row1)
        prefetch_rows (W + (i + PREFETCH_ROWS) * r, grad_w + (i + PREFETCH_ROWS) * r, r);
      w0 = _mm512_maskz_loadu_pd (m0, w);
      w1 = _mm512_maskz_loadu_pd (m1, w + 8);
      w2 = _mm512_maskz_loadu_pd (m2, w + 16);
      w3 = _mm512_maskz_loadu_pd (m3, w + 24);
      for (; p < row_end; p++)
        {
          gsize j = col_idx[p];
          const double *h = ht + j * r;
          double *g = ght + j * r;
          __m512d h0, h1, h2, h3, d, vres;
          double res;

          prefetch_cells (col_idx, p, end, ht, ght, r);
          h0 = _mm512_maskz_loadu_pd (m0, h);
          h1 = _mm512_maskz_loadu_pd (m1, h + 8);
          h2 = _mm512_maskz_loadu_pd (m2, h + 16);
          h3 = _mm512_maskz_loadu_pd (m3, h + 24);
          d = _mm512_add_pd (_mm512_fmadd_pd (w0, h0, _mm512_mul_pd (w1, h1)),
                             _mm512_fmadd_pd (w2, h2, _mm512_mul_pd (w3, h3)));
          res = values[p] - _mm512_reduce_add_pd (d);
          vres = _mm512_set1_pd (res);
          a0 = _mm512_fmadd_pd (vres, h0, a0);
          a1 = _mm512_fmadd_pd (vres, h1, a1);
          a2 = _mm512_fmadd_pd (vres, h2, a2);
          a3 = _mm512_fmadd_pd (vres, h3, a3);
          add_lanes (g, m0, vres, w0);
          add_lanes (g + 8, m1, vres, w1);
          add_lanes (g + 16, m2, vres, w2);
          add_lanes (g + 24, m3, vres, w3);
          data += res * res;
        }
      finish_lanes (a0, w0, l2, m0, gw, &sq_grad, &sq_w);
      finish_lanes (a1, w1, l2, m1, gw + 8, &sq_grad, &sq_w);
      finish_lanes (a2, w2, l2, m2, gw + 16, &sq_grad, &sq_w);
      finish_lanes (a3, w3, l2, m3, gw + 24, &sq_grad, &sq_w);
    }
  sums->data = data;
  sums->sq_w = _mm512_reduce_add_pd (sq_w);
  sums->sq_grad_w = _mm512_reduce_add_pd (sq_grad);
}

/* One cell at any rank, the row's accumulator a (in L1 for the row) in
 * memory, 8 lanes at a time and the last r % 8 masked. */
static ALWAYS_INLINE double
cell_in_memory (double        value,
                const double *w,
                const double *h,
                double       *a,
                double       *g,
                gsize         r)
{
  const __mmask8 tail = (__mmask8) ((1u << (r % 8)) - 1u);
  const gsize full = r - r % 8;
  __m512d d = _mm512_setzero_pd (), vres;
  double res;
  gsize k;

  for (k = 0; k < full; k += 8)
    d = _mm512_fmadd_pd (_mm512_loadu_pd (w + k), _mm512_loadu_pd (h + k), d);
  if (tail)
    d = _mm512_fmadd_pd (_mm512_maskz_loadu_pd (tail, w + k), _mm512_maskz_loadu_pd (tail, h + k), d);
  res = value - _mm512_reduce_add_pd (d);
  vres = _mm512_set1_pd (res);
  for (k = 0; k < full; k += 8)
    {
      _mm512_storeu_pd (a + k, _mm512_fmadd_pd (vres, _mm512_loadu_pd (h + k), _mm512_loadu_pd (a + k)));
      add_lanes (g + k, 0xff, vres, _mm512_loadu_pd (w + k));
    }
  if (tail)
    {
      _mm512_mask_storeu_pd (a + k, tail, _mm512_fmadd_pd (vres, _mm512_maskz_loadu_pd (tail, h + k),
                                                           _mm512_maskz_loadu_pd (tail, a + k)));
      add_lanes (g + k, tail, vres, _mm512_maskz_loadu_pd (tail, w + k));
    }
  return res * res;
}

static void
rows_in_memory (const FsSparse *x,
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
  const gsize end = x->row_ptr[row1];
  const __m512d l2 = _mm512_set1_pd (l2_w);
  const __mmask8 tail = (__mmask8) ((1u << (r % 8)) - 1u);
  const gsize full = r - r % 8;
  __m512d sq_grad = _mm512_setzero_pd (), sq_w = sq_grad;
  double data = 0.0;

  for (gsize i = row0; i < row1; i++)
    {
      const double *w = W + i * r;
      double *a = grad_w + i * r;
      gsize k;

      if (i + PREFETCH_ROWS < row1)
        prefetch_rows (W + (i + PREFETCH_ROWS) * r, grad_w + (i + PREFETCH_ROWS) * r, r);
      memset (a, 0, r * sizeof (double));
      for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
        {
          gsize j = x->col_idx[p];

          prefetch_cells (x->col_idx, p, end, ht, ght, r);
          data += cell_in_memory (x->values[p], w, ht + j * r, a, ght + j * r, r);
        }
      for (k = 0; k < full; k += 8)
        finish_lanes (_mm512_loadu_pd (a + k), _mm512_loadu_pd (w + k), l2, 0xff, a + k,
                      &sq_grad, &sq_w);
      if (tail)
        finish_lanes (_mm512_maskz_loadu_pd (tail, a + k), _mm512_maskz_loadu_pd (tail, w + k),
                      l2, tail, a + k, &sq_grad, &sq_w);
    }
  sums->data = data;
  sums->sq_w = _mm512_reduce_add_pd (sq_w);
  sums->sq_grad_w = _mm512_reduce_add_pd (sq_grad);
}

void
fs_sparse_rows_avx512 (const FsSparse *x,
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
  if (row1 <= row0)
    return;
  if (r == 32)
    rows_in_registers (x, row0, row1, W, ht, 32, l2_w, grad_w, ght, sums);
  else if (r < 32)
    rows_in_registers (x, row0, row1, W, ht, r, l2_w, grad_w, ght, sums);
  else
    rows_in_memory (x, row0, row1, W, ht, r, l2_w, grad_w, ght, sums);
}

/* v[c] holds lanes 0 to 7 of row c of an 8 × 8 block; afterwards v[k]
 * holds lane k of rows 0 to 7. */
static ALWAYS_INLINE void
transpose_8x8 (__m512d v[8])
{
  __m512d t0 = _mm512_unpacklo_pd (v[0], v[1]), t1 = _mm512_unpackhi_pd (v[0], v[1]);
  __m512d t2 = _mm512_unpacklo_pd (v[2], v[3]), t3 = _mm512_unpackhi_pd (v[2], v[3]);
  __m512d t4 = _mm512_unpacklo_pd (v[4], v[5]), t5 = _mm512_unpackhi_pd (v[4], v[5]);
  __m512d t6 = _mm512_unpacklo_pd (v[6], v[7]), t7 = _mm512_unpackhi_pd (v[6], v[7]);
  /* t0: (r0 l0, r1 l0), (r0 l2, r1 l2), (r0 l4, r1 l4), (r0 l6, r1 l6) in
   * its four 128-bit lanes; 0x88 takes lanes 0 and 2 of each operand,
   * 0xdd lanes 1 and 3. */
  __m512d u0 = _mm512_shuffle_f64x2 (t0, t2, 0x88), u1 = _mm512_shuffle_f64x2 (t0, t2, 0xdd);
  __m512d u2 = _mm512_shuffle_f64x2 (t4, t6, 0x88), u3 = _mm512_shuffle_f64x2 (t4, t6, 0xdd);
  __m512d u4 = _mm512_shuffle_f64x2 (t1, t3, 0x88), u5 = _mm512_shuffle_f64x2 (t1, t3, 0xdd);
  __m512d u6 = _mm512_shuffle_f64x2 (t5, t7, 0x88), u7 = _mm512_shuffle_f64x2 (t5, t7, 0xdd);

  v[0] = _mm512_shuffle_f64x2 (u0, u2, 0x88);
  v[4] = _mm512_shuffle_f64x2 (u0, u2, 0xdd);
  v[2] = _mm512_shuffle_f64x2 (u1, u3, 0x88);
  v[6] = _mm512_shuffle_f64x2 (u1, u3, 0xdd);
  v[1] = _mm512_shuffle_f64x2 (u4, u6, 0x88);
  v[5] = _mm512_shuffle_f64x2 (u4, u6, 0xdd);
  v[3] = _mm512_shuffle_f64x2 (u5, u7, 0x88);
  v[7] = _mm512_shuffle_f64x2 (u5, u7, 0xdd);
}

/* Eight columns at a time, 8 lanes of the rank at a time: the sums of the
 * parts in registers, then transposed so that each lane k is one store of
 * 8 columns into row k of grad_h. A rank that is not a multiple of 8, and
 * the last col1 - col0 mod 8 columns, go to the portable code. */
void
fs_sparse_sum_parts_avx512 (double * const *parts,
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
  const __m512d l2 = _mm512_set1_pd (l2_h), minus_two = _mm512_set1_pd (-2.0);
  __m512d sq = _mm512_setzero_pd ();
  double tail = 0.0;
  gsize j = col0;

  if (r % 8 != 0)
    {
      fs_sparse_sum_parts_scalar (parts, n_parts, ht, r, m, col0, col1, l2_h, grad_h, sq_grad_h);
      return;
    }
  for (; j + 8 <= col1; j += 8)
    for (gsize q = 0; q < r; q += 8)
      {
        __m512d v[8];

        for (gsize c = 0; c < 8; c++)
          {
            gsize at = (j + c) * r + q;
            __m512d acc = _mm512_loadu_pd (parts[0] + at);

            _mm512_storeu_pd (parts[0] + at, _mm512_setzero_pd ());
            for (guint s = 1; s < n_parts; s++)
              {
                acc = _mm512_add_pd (acc, _mm512_loadu_pd (parts[s] + at));
                _mm512_storeu_pd (parts[s] + at, _mm512_setzero_pd ());
              }
            v[c] = _mm512_mul_pd (minus_two, _mm512_fnmadd_pd (l2, _mm512_loadu_pd (ht + at), acc));
            sq = _mm512_fmadd_pd (v[c], v[c], sq);
          }
        transpose_8x8 (v);
        for (gsize k = 0; k < 8; k++)
          _mm512_storeu_pd (grad_h + (q + k) * m + j, v[k]);
      }
  if (j < col1)
    fs_sparse_sum_parts_scalar (parts, n_parts, ht, r, m, j, col1, l2_h, grad_h, &tail);
  *sq_grad_h = _mm512_reduce_add_pd (sq) + tail;
}
