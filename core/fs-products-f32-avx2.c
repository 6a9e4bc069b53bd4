/* fs-products-f32-avx2.c: the float32 kernels on vectors of 8.
 *
 * The float32 pass of fs-products-f32.c, in the manner of
 * fs-products-avx2.c: 8 floats a vector instead of 4 doubles.
 *
 *   xht: up to 8 rows of X times a packed block of up to 24 lanes of H
 *        (4 rows by 3 vectors, 6 by 2, 8 by 1): 8 to 12 sums in registers.
 *   wtx: up to 4 columns of W (broadcast) times 24 columns of X,
 *        accumulated down the tile's rows; 12 sums.
 *   dot: the last r % 8 rows of H, as dot products along the rows of X.
 *
 * This file is compiled with -mavx2 -mfma (core/meson.build): nothing in
 * it may run before fs_products_best_impl has found those on the CPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <immintrin.h>

#include "fs-products-f32-private.h"

#if !defined(__AVX2__) || !defined(__FMA__)
#error "fs-products-f32-avx2.c needs -mavx2 -mfma"
#endif

#define KERNEL static inline __attribute__ ((always_inline))

/* -1 in the first `lanes` lanes: the mask for a partial vector. */
KERNEL __m256i
lane_mask (gsize lanes)
{
  static const gint32 table[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

  return _mm256_loadu_si256 ((const __m256i *) (table + 8 - lanes));
}

/* out[a][0 .. 8 nv) (+)= sum_j x[a][j] hp[j][..] for a < mr. */
KERNEL void
kernel_xht (const int    mr,
            const int    nv,
            const float *x,
            gsize        ldx,
            gsize        jlen,
            const float *hp,
            float       *out,
            gsize        ldo,
            gboolean     accumulate)
{
  __m256 acc[8][3];

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_ps ();

#pragma GCC unroll 4
  for (gsize j = 0; j < jlen; j++)
    {
      const float *h = hp + j * 8 * (gsize) nv;
      __m256 hv[3];

#pragma GCC unroll 3
      for (int v = 0; v < nv; v++)
        hv[v] = _mm256_loadu_ps (h + 8 * v);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256 xb = _mm256_broadcast_ss (x + a * ldx + j);

#pragma GCC unroll 3
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_ps (xb, hv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      {
        float *o = out + a * ldo + 8 * v;

        _mm256_storeu_ps (o, accumulate ? _mm256_add_ps (acc[a][v], _mm256_loadu_ps (o))
                                        : acc[a][v]);
      }
}

/* out[a][0 .. 8 nv) (+)= sum_i w[i][a] x[i][..] for a < mk; with
 * `masked`, the last vector covers only the lanes that `tail` has. */
KERNEL void
kernel_wtx (const int      mk,
            const int      nv,
            const gboolean masked,
            const float   *x,
            gsize          ldx,
            gsize          ilen,
            const float   *w,
            gsize          ldw,
            float         *out,
            gsize          ldo,
            __m256i        tail,
            gboolean       accumulate)
{
  __m256 acc[4][3];

  if (accumulate)
    {
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __builtin_prefetch (out + a * ldo, 1, 3);
          __builtin_prefetch (out + a * ldo + 8 * nv - 1, 1, 3);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_ps ();

#pragma GCC unroll 4
  for (gsize i = 0; i < ilen; i++)
    {
      const float *xi = x + i * ldx;
      const float *wi = w + i * ldw;
      __m256 xv[3];

#pragma GCC unroll 3
      for (int v = 0; v < nv; v++)
        xv[v] = masked && v == nv - 1 ? _mm256_maskload_ps (xi + 8 * v, tail)
                                      : _mm256_loadu_ps (xi + 8 * v);
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __m256 wb = _mm256_broadcast_ss (wi + a);

#pragma GCC unroll 3
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_ps (wb, xv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      {
        float *o = out + a * ldo + 8 * v;

        if (masked && v == nv - 1)
          _mm256_maskstore_ps (o, tail, accumulate ? _mm256_add_ps (acc[a][v], _mm256_maskload_ps (o, tail))
                                                   : acc[a][v]);
        else
          _mm256_storeu_ps (o, accumulate ? _mm256_add_ps (acc[a][v], _mm256_loadu_ps (o))
                                          : acc[a][v]);
      }
}

/* The sum of v's 8 lanes. */
KERNEL float
sum_lanes (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));

  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_movehdup_ps (s));
  return _mm_cvtss_f32 (s);
}

/* out[a][k] (+)= sum_j x[a][j] h[k][j] for a < mr, k < nk: the last
 * r % 8 rows of H as dot products along the rows (fs-products-f32-avx512.c
 * has the same on vectors of 16). mr nk <= 12. */
KERNEL void
kernel_dot (const int    mr,
            const int    nk,
            const float *x,
            gsize        ldx,
            gsize        jlen,
            const float *h,
            gsize        ldh,
            float       *out,
            gsize        ldo,
            gboolean     accumulate)
{
  __m256 acc[8][7];
  gsize j = 0;

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 7
    for (int k = 0; k < nk; k++)
      acc[a][k] = _mm256_setzero_ps ();

  for (; j < jlen; j += 8)
    {
      __m256i mask = lane_mask (MIN (jlen - j, 8));
      __m256 hv[7];

#pragma GCC unroll 7
      for (int k = 0; k < nk; k++)
        hv[k] = _mm256_maskload_ps (h + k * ldh + j, mask);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256 xv = _mm256_maskload_ps (x + a * ldx + j, mask);

#pragma GCC unroll 7
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm256_fmadd_ps (xv, hv[k], acc[a][k]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 7
    for (int k = 0; k < nk; k++)
      {
        float sum = sum_lanes (acc[a][k]);
        float *o = out + a * ldo + k;

        *o = accumulate ? *o + sum : sum;
      }
}

#define XHT_CASE(MR, NV) \
  case (MR) * 4 + (NV): \
    kernel_xht (MR, NV, x, ldx, jlen, hp, out, ldo, accumulate); \
    break

void
fs_products_f32_avx2_tile_xht (int          mr,
                               int          w,
                               const float *x,
                               gsize        ldx,
                               gsize        jlen,
                               const float *hp,
                               float       *out,
                               gsize        ldo,
                               gboolean     accumulate)
{
  switch (mr * 4 + w / 8)
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

#define WTX_CASE(MK, NV, MASKED) \
  case ((MK) * 4 + (NV)) * 2 + (MASKED): \
    kernel_wtx (MK, NV, MASKED, x, ldx, ilen, w, ldw, out, ldo, tail, accumulate); \
    break
#define WTX_CASES(MK) \
  WTX_CASE (MK, 3, 0); WTX_CASE (MK, 2, 0); WTX_CASE (MK, 1, 0); \
  WTX_CASE (MK, 3, 1); WTX_CASE (MK, 2, 1); WTX_CASE (MK, 1, 1)

void
fs_products_f32_avx2_tile_wtx (int          mk,
                               gsize        c,
                               const float *x,
                               gsize        ldx,
                               gsize        ilen,
                               const float *w,
                               gsize        ldw,
                               float       *out,
                               gsize        ldo,
                               gboolean     accumulate)
{
  int nv = (int) ((c + 7) / 8);
  gboolean masked = c % 8 != 0;
  __m256i tail = lane_mask (masked ? c % 8 : 8);

  switch ((mk * 4 + nv) * 2 + (masked ? 1 : 0))
    {
    WTX_CASES (4); WTX_CASES (3); WTX_CASES (2); WTX_CASES (1);
    default:
      g_assert_not_reached ();
    }
}

#define DOT_CASE(MR, NK) \
  case (MR) * 8 + (NK): \
    kernel_dot (MR, NK, x, ldx, jlen, h, ldh, out, ldo, accumulate); \
    break
#define DOT_CASES2(NK) DOT_CASE (2, NK); DOT_CASE (1, NK)
#define DOT_CASES4(NK) DOT_CASE (4, NK); DOT_CASE (3, NK); DOT_CASES2 (NK)
#define DOT_CASES6(NK) DOT_CASE (6, NK); DOT_CASE (5, NK); DOT_CASES4 (NK)
#define DOT_CASES8(NK) DOT_CASE (8, NK); DOT_CASE (7, NK); DOT_CASES6 (NK)

void
fs_products_f32_avx2_tile_dot (int          mr,
                               int          nk,
                               const float *x,
                               gsize        ldx,
                               gsize        jlen,
                               const float *h,
                               gsize        ldh,
                               float       *out,
                               gsize        ldo,
                               gboolean     accumulate)
{
  switch (mr * 8 + nk)
    {
    DOT_CASES8 (1); DOT_CASES6 (2); DOT_CASE (3, 3); DOT_CASES2 (3); DOT_CASES2 (4);
    DOT_CASES2 (5); DOT_CASE (1, 6); DOT_CASE (1, 7);
    default:
      g_assert_not_reached ();
    }
}
