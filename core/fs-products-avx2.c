/* fs-products-avx2.c: the kernels of the products on vectors of 4.
 *
 * The two products of an iteration are thin: r is small next to n and m,
 * and a general GEMM spends much of its time repacking X, which never
 * changes. The vector paths read X where it lies instead and walk it in
 * tiles that stay in L2 while both products use them
 * (fs-products-tiles.c). On each tile, with AVX2 and FMA:
 *
 *   xht: 4 rows of X times a packed block of up to 12 rows of H; the four
 *        rows' elements are broadcast and the block is read 4 lanes at a
 *        time, so 12 accumulators live in registers for a whole tile row.
 *   wtx: 4 columns of W (broadcast) times 12 columns of X, accumulated down
 *        the tile's rows; again 12 accumulators.
 *
 * Each step does 12 fused multiply-adds for 7 loads, which keeps both FMA
 * units busy. Only H is packed (r × m, once per iteration): its rows are
 * regrouped so that the 12 values a step needs are contiguous. When r is
 * not a multiple of 4, its last r % 4 rows are not packed; their part of
 * xht comes from dot products along the rows of X (kernel_dot), so that no
 * lane of a vector is padding.
 *
 * The AVX-512 path uses the dot products, the packing of H and the
 * 4-lane kernel_xht from here too. This file is compiled with -mavx2
 * -mfma (core/meson.build): nothing in it may run before
 * fs_products_best_impl has found those on the CPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <immintrin.h>

#include "fs-products-private.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "fs-products-avx2.c needs -mavx2 -mfma"
#endif

/* Each kernel is inlined into the switch of its tile function, once per
 * shape, with the shape's loops fully unrolled. */
#define KERNEL static inline __attribute__ ((always_inline))

/* -1 in the first `lanes` lanes: the mask for a partial vector. */
KERNEL __m256i
lane_mask (gsize lanes)
{
  static const gint64 table[8] = { -1, -1, -1, -1, 0, 0, 0, 0 };

  return _mm256_loadu_si256 ((const __m256i *) (table + 4 - lanes));
}

/* Stores the first `lanes` values of v at o. Masked stores take about 12
 * cycles each on Zen 2 and 3; these take one or two. */
KERNEL void
store_lanes (double *o,
             __m256d v,
             gsize   lanes)
{
  __m128d low = _mm256_castpd256_pd128 (v);

  switch (lanes)
    {
    case 4:
      _mm256_storeu_pd (o, v);
      break;
    case 3:
      _mm_storeu_pd (o, low);
      _mm_store_sd (o + 2, _mm256_extractf128_pd (v, 1));
      break;
    case 2:
      _mm_storeu_pd (o, low);
      break;
    default:
      _mm_store_sd (o, low);
      break;
    }
}

/* out[a][0 .. 4 nv) = (accumulate ? out : 0) + sum_j x[a][j] hp[j][..] for
 * a < mr; every lane is a row of H (packed_rows), so whole vectors go out.
 * mr nv <= 12 and mr <= 8 (xht_rows). */
KERNEL void
kernel_xht (const int     mr,
            const int     nv,
            const double *x,
            gsize         ldx,
            gsize         jlen,
            const double *hp,
            double       *out,
            gsize         ldo,
            gboolean      accumulate)
{
  __m256d acc[8][3];

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_pd ();

  /* Unrolled, the loop runs about 15% faster on Zen 3: fewer pointer
   * updates and branches per fused multiply-add. */
#pragma GCC unroll 4
  for (gsize j = 0; j < jlen; j++)
    {
      const double *h = hp + j * 4 * (gsize) nv;
      __m256d hv[3];

#pragma GCC unroll 4
      for (int v = 0; v < nv; v++)
        hv[v] = _mm256_loadu_pd (h + 4 * v);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xb = _mm256_broadcast_sd (x + a * ldx + j);

#pragma GCC unroll 4
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_pd (xb, hv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      {
        double *o = out + a * ldo + 4 * v;

        _mm256_storeu_pd (o, accumulate ? _mm256_add_pd (acc[a][v], _mm256_loadu_pd (o))
                                        : acc[a][v]);
      }
}

/* out[a][0 .. 4 nv) = (accumulate ? out : 0) + sum_i w[i][a] x[i][..] for
 * a < mk; with `masked`, the last vector covers only the first tail_lanes
 * lanes, which `tail` masks. */
KERNEL void
kernel_wtx (const int      mk,
            const int      nv,
            const gboolean masked,
            const double  *x,
            gsize          ldx,
            gsize          ilen,
            const double  *w,
            gsize          ldw,
            double        *out,
            gsize          ldo,
            __m256i        tail,
            gsize          tail_lanes,
            gboolean       accumulate)
{
  __m256d acc[4][3];

  /* The sums land in W^T X, which may be out in L3: ask for it now. */
  if (accumulate)
    {
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __builtin_prefetch (out + a * ldo, 1, 3);
          __builtin_prefetch (out + a * ldo + 4 * nv - 1, 1, 3);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_pd ();

#pragma GCC unroll 4
  for (gsize i = 0; i < ilen; i++)
    {
      const double *xi = x + i * ldx;
      const double *wi = w + i * ldw;
      __m256d xv[3];

#pragma GCC unroll 4
      for (int v = 0; v < nv; v++)
        xv[v] = masked && v == nv - 1 ? _mm256_maskload_pd (xi + 4 * v, tail)
                                      : _mm256_loadu_pd (xi + 4 * v);
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __m256d wb = _mm256_broadcast_sd (wi + a);

#pragma GCC unroll 4
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_pd (wb, xv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      {
        double *o = out + a * ldo + 4 * v;

        if (masked && v == nv - 1)
          {
            __m256d sum = accumulate ? _mm256_add_pd (acc[a][v], _mm256_maskload_pd (o, tail))
                                     : acc[a][v];
            store_lanes (o, sum, tail_lanes);
          }
        else
          {
            __m256d sum = accumulate ? _mm256_add_pd (acc[a][v], _mm256_loadu_pd (o))
                                     : acc[a][v];
            _mm256_storeu_pd (o, sum);
          }
      }
}

/* out[a][k] (+)= sum_j x[a][j] h[k][j] for a < mr, k < nk: the last
 * r % 4 rows of H, which would fill only part of a vector of lanes in
 * kernel_xht, as dot products along the rows instead. mr nk <= 12, and
 * mr <= 4 unless nk is 1. */
KERNEL void
kernel_dot (const int     mr,
            const int     nk,
            const double *x,
            gsize         ldx,
            gsize         jlen,
            const double *h,
            gsize         ldh,
            double       *out,
            gsize         ldo,
            gboolean      accumulate)
{
  __m256d acc[8][3];
  gsize j = 0;

#pragma GCC unroll 8
  for (int a = 0; a < 8; a++)
#pragma GCC unroll 4
    for (int k = 0; k < nk; k++)
      acc[a][k] = _mm256_setzero_pd ();

#pragma GCC unroll 2
  for (; j + 4 <= jlen; j += 4)
    {
      __m256d hv[3];

#pragma GCC unroll 4
      for (int k = 0; k < nk; k++)
        hv[k] = _mm256_loadu_pd (h + k * ldh + j);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xv = _mm256_loadu_pd (x + a * ldx + j);

#pragma GCC unroll 4
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm256_fmadd_pd (xv, hv[k], acc[a][k]);
        }
    }
  if (j < jlen)
    {
      __m256i mask = lane_mask (jlen - j);
      __m256d hv[3];

#pragma GCC unroll 4
      for (int k = 0; k < nk; k++)
        hv[k] = _mm256_maskload_pd (h + k * ldh + j, mask);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xv = _mm256_maskload_pd (x + a * ldx + j, mask);

#pragma GCC unroll 4
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm256_fmadd_pd (xv, hv[k], acc[a][k]);
        }
    }

  /* Four sums at a time: (a0, a1, a2, a3) in one vector. */
#pragma GCC unroll 4
  for (int k = 0; k < nk; k++)
#pragma GCC unroll 2
    for (int a0 = 0; a0 < mr; a0 += 4)
      {
        __m256d t0 = _mm256_hadd_pd (acc[a0][k], acc[a0 + 1][k]);
        __m256d t1 = _mm256_hadd_pd (acc[a0 + 2][k], acc[a0 + 3][k]);
        double sums[4];

        _mm256_storeu_pd (sums, _mm256_add_pd (_mm256_permute2f128_pd (t0, t1, 0x20),
                                               _mm256_permute2f128_pd (t0, t1, 0x31)));
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++)
          if (a0 + q < mr)
            {
              double *o = out + (gsize) (a0 + q) * ldo + k;

              *o = accumulate ? *o + sums[q] : sums[q];
            }
      }
}

/* Each (rows, vectors) shape becomes its own fully unrolled kernel. */
#define XHT_CASE(MR, NV) \
  case (MR) * 4 + (NV): \
    kernel_xht (MR, NV, x, ldx, jlen, hp, out, ldo, accumulate); \
    break

void
fs_products_avx2_tile_xht (int           mr,
                           int           nv,
                           const double *x,
                           gsize         ldx,
                           gsize         jlen,
                           const double *hp,
                           double       *out,
                           gsize         ldo,
                           gboolean      accumulate)
{
  switch (mr * 4 + nv)
    {
    XHT_CASE (8, 1); XHT_CASE (7, 1); XHT_CASE (6, 1); XHT_CASE (5, 1);
    XHT_CASE (6, 2); XHT_CASE (5, 2);
    XHT_CASE (4, 3); XHT_CASE (4, 2); XHT_CASE (4, 1);
    XHT_CASE (3, 3); XHT_CASE (3, 2); XHT_CASE (3, 1);
    XHT_CASE (2, 3); XHT_CASE (2, 2); XHT_CASE (2, 1);
    XHT_CASE (1, 3); XHT_CASE (1, 2); XHT_CASE (1, 1);
    default:
      g_assert_not_reached ();
    }
}

#define DOT_CASE(MR, NK) \
  case (MR) * 4 + (NK): \
    kernel_dot (MR, NK, x, ldx, jlen, h, ldh, out, ldo, accumulate); \
    break

void
fs_products_avx2_tile_dot (int           mr,
                           int           nk,
                           const double *x,
                           gsize         ldx,
                           gsize         jlen,
                           const double *h,
                           gsize         ldh,
                           double       *out,
                           gsize         ldo,
                           gboolean      accumulate)
{
  switch (mr * 4 + nk)
    {
    DOT_CASE (8, 1); DOT_CASE (7, 1); DOT_CASE (6, 1); DOT_CASE (5, 1);
    DOT_CASE (4, 1); DOT_CASE (3, 1); DOT_CASE (2, 1); DOT_CASE (1, 1);
    DOT_CASE (6, 2); DOT_CASE (5, 2);
    DOT_CASE (4, 2); DOT_CASE (3, 2); DOT_CASE (2, 2); DOT_CASE (1, 2);
    DOT_CASE (4, 3); DOT_CASE (3, 3); DOT_CASE (2, 3); DOT_CASE (1, 3);
    default:
      g_assert_not_reached ();
    }
}

#define WTX_CASE(MK, NV, MASKED) \
  case ((MK) * 4 + (NV)) * 2 + (MASKED): \
    kernel_wtx (MK, NV, MASKED, x, ldx, ilen, w, ldw, out, ldo, tail, tail_lanes, accumulate); \
    break
#define WTX_CASES(MK) \
  WTX_CASE (MK, 3, 0); WTX_CASE (MK, 2, 0); WTX_CASE (MK, 1, 0); \
  WTX_CASE (MK, 3, 1); WTX_CASE (MK, 2, 1); WTX_CASE (MK, 1, 1)

/* kernel_wtx on c <= 12 columns of x. */
void
fs_products_avx2_tile_wtx (int           mk,
                           gsize         c,
                           const double *x,
                           gsize         ldx,
                           gsize         ilen,
                           const double *w,
                           gsize         ldw,
                           double       *out,
                           gsize         ldo,
                           gboolean      accumulate)
{
  int nv = (int) ((c + 3) / 4);
  gboolean masked = c % 4 != 0;
  gsize tail_lanes = masked ? c % 4 : 4;
  __m256i tail = lane_mask (tail_lanes);

  switch ((mk * 4 + nv) * 2 + (masked ? 1 : 0))
    {
    WTX_CASES (4);
    WTX_CASES (3);
    WTX_CASES (2);
    WTX_CASES (1);
    default:
      g_assert_not_reached ();
    }
}

/* Copies rows 0 .. ib - 1 of W (leading dimension r) in blocks of
 * rows_block columns; the block of w columns from column kb starts at
 * dst + kb ib and holds each row's w values in turn. */
void
fs_products_avx2_pack_w_tile (const double *W,
                              gsize         ib,
                              gsize         r,
                              double       *dst)
{
  for (gsize kb = 0, w; kb < r; kb += w)
    {
      double *d = dst + kb * ib;

      w = (gsize) rows_block (FS_PRODUCTS_AVX2, r - kb);
      if (w == 4)
        for (gsize i = 0; i < ib; i++)
          _mm256_storeu_pd (d + 4 * i, _mm256_loadu_pd (W + i * r + kb));
      else if (w == 3)
        {
          __m256i mask = lane_mask (3);

          /* Each row's fourth value lands on the next row's first, which
           * the next store then writes; the last one lands past the
           * block, on scratch that fs_products_scratch_len leaves. */
          for (gsize i = 0; i < ib; i++)
            _mm256_storeu_pd (d + 3 * i, _mm256_maskload_pd (W + i * r + kb, mask));
        }
      else
        for (gsize i = 0; i < ib; i++)
          for (gsize a = 0; a < w; a++)
            d[w * i + a] = W[i * r + kb + a];
    }
}

/* fs_products_pack, 4 lanes by 4 columns at a time: 4 rows of H in,
 * transposed in registers, 4 columns out. */
void
fs_products_avx2_pack_h (FsProductsImpl impl,
                         const double *H,
                         gsize         r,
                         gsize         m,
                         gsize         col0,
                         gsize         col1,
                         double       *packed)
{
  gsize r_pad = packed_rows (r);
  gsize col4 = col0 + (col1 - col0) / 4 * 4;

  for (gsize kb = 0, w; kb < r_pad; kb += w)
    {
      double *dst = packed + kb * m;

      w = lanes_block (impl, r_pad - kb);
      for (gsize l = 0; l < w; l += 4)
        {
          const double *row = H + (kb + l) * m;

          for (gsize j = col0; j < col4; j += 4)
            {
              __m256d v[4], t[4];

              for (gsize q = 0; q < 4; q++)
                v[q] = _mm256_loadu_pd (row + q * m + j);
              t[0] = _mm256_unpacklo_pd (v[0], v[1]);
              t[1] = _mm256_unpackhi_pd (v[0], v[1]);
              t[2] = _mm256_unpacklo_pd (v[2], v[3]);
              t[3] = _mm256_unpackhi_pd (v[2], v[3]);
              _mm256_storeu_pd (dst + j * w + l, _mm256_permute2f128_pd (t[0], t[2], 0x20));
              _mm256_storeu_pd (dst + (j + 1) * w + l, _mm256_permute2f128_pd (t[1], t[3], 0x20));
              _mm256_storeu_pd (dst + (j + 2) * w + l, _mm256_permute2f128_pd (t[0], t[2], 0x31));
              _mm256_storeu_pd (dst + (j + 3) * w + l, _mm256_permute2f128_pd (t[1], t[3], 0x31));
            }
          for (gsize j = col4; j < col1; j++)
            for (gsize q = 0; q < 4; q++)
              dst[j * w + l + q] = row[q * m + j];
        }
    }
}
