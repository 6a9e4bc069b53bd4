/* fs-products-f32-avx512.c: the float32 kernels on vectors of 16.
 *
 * The float32 pass of fs-products-f32.c, in the manner of
 * fs-products-avx512.c: 16 floats a vector instead of 8 doubles, so
 * twice the work per instruction and half the bytes of X per flop.
 *
 *   xht: up to 12 rows of X times a packed block of up to 48 lanes of H
 *        (3 vectors, the last one a vector of 8 where the lanes ask for
 *        it); 24 sums live in registers for a whole tile row.
 *   wtx: up to 8 columns of W (broadcast) times 48 columns of X,
 *        accumulated down the tile's rows; again 24 sums.
 *   dot: the last r % 8 rows of H, as dot products along the rows of X
 *        (16 columns a vector), so that no lane of xht is padding.
 *
 * This file is compiled with -mavx512f -mavx512vl -mavx2 -mfma
 * (core/meson.build): nothing in it may run before fs_products_best_impl
 * has found those on the CPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <immintrin.h>

#include "fs-products-f32-private.h"

#if !defined(__AVX512F__) || !defined(__AVX512VL__) || !defined(__AVX2__) || !defined(__FMA__)
#error "fs-products-f32-avx512.c needs -mavx512f -mavx512vl -mavx2 -mfma"
#endif

/* Each kernel is inlined into the switch of its tile function, once per
 * shape, with the shape's loops fully unrolled. */
#define KERNEL static inline __attribute__ ((always_inline))

/* out[a][0 .. 16 nz + 8 half) (+)= sum_j x[a][j] hp[j][..] for a < mr;
 * the last 8 lanes in a vector of 8 with half. mr (nz + half) <= 24. */
KERNEL void
kernel_xht (const int    mr,
            const int    nz,
            const int    half,
            const float *x,
            gsize        ldx,
            gsize        jlen,
            const float *hp,
            float       *out,
            gsize        ldo,
            gboolean     accumulate)
{
  const gsize w = 16 * (gsize) nz + 8 * (gsize) half;
  __m512 acc[12][3];
  __m256 acc_half[12];

#pragma GCC unroll 12
  for (int a = 0; a < mr; a++)
    {
#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        acc[a][v] = _mm512_setzero_ps ();
      acc_half[a] = _mm256_setzero_ps ();
    }

#pragma GCC unroll 2
  for (gsize j = 0; j < jlen; j++)
    {
      const float *h = hp + j * w;
      __m512 hv[3];
      __m256 hh = _mm256_setzero_ps ();

#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        hv[v] = _mm512_loadu_ps (h + 16 * v);
      if (half)
        hh = _mm256_loadu_ps (h + 16 * nz);
#pragma GCC unroll 12
      for (int a = 0; a < mr; a++)
        {
          __m512 xb = _mm512_set1_ps (x[a * ldx + j]);

#pragma GCC unroll 3
          for (int v = 0; v < nz; v++)
            acc[a][v] = _mm512_fmadd_ps (xb, hv[v], acc[a][v]);
          if (half)
            acc_half[a] = _mm256_fmadd_ps (_mm512_castps512_ps256 (xb), hh, acc_half[a]);
        }
    }

#pragma GCC unroll 12
  for (int a = 0; a < mr; a++)
    {
      float *o = out + a * ldo;

#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        _mm512_storeu_ps (o + 16 * v, accumulate ? _mm512_add_ps (acc[a][v], _mm512_loadu_ps (o + 16 * v))
                                                 : acc[a][v]);
      if (half)
        _mm256_storeu_ps (o + 16 * nz, accumulate ? _mm256_add_ps (acc_half[a], _mm256_loadu_ps (o + 16 * nz))
                                                  : acc_half[a]);
    }
}

/* out[a][0 .. 16 nv) (+)= sum_i w[i][a] x[i][..] for a < mk <= 8; with
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
            __mmask16      tail,
            gboolean       accumulate)
{
  __m512 acc[8][3];

  /* The sums land in W^T X, which may be out in L3: ask for it now. */
  if (accumulate)
    {
#pragma GCC unroll 8
      for (int a = 0; a < mk; a++)
        {
          __builtin_prefetch (out + a * ldo, 1, 3);
          __builtin_prefetch (out + a * ldo + 16 * nv - 1, 1, 3);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm512_setzero_ps ();

#pragma GCC unroll 2
  for (gsize i = 0; i < ilen; i++)
    {
      const float *xi = x + i * ldx;
      const float *wi = w + i * ldw;
      __m512 xv[3];

#pragma GCC unroll 3
      for (int v = 0; v < nv; v++)
        xv[v] = masked && v == nv - 1 ? _mm512_maskz_loadu_ps (tail, xi + 16 * v)
                                      : _mm512_loadu_ps (xi + 16 * v);
#pragma GCC unroll 8
      for (int a = 0; a < mk; a++)
        {
          __m512 wb = _mm512_set1_ps (wi[a]);

#pragma GCC unroll 3
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm512_fmadd_ps (wb, xv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      {
        float *o = out + a * ldo + 16 * v;
        __mmask16 k = masked && v == nv - 1 ? tail : 0xffff;

        _mm512_mask_storeu_ps (o, k, accumulate ? _mm512_add_ps (acc[a][v], _mm512_maskz_loadu_ps (k, o))
                                                : acc[a][v]);
      }
}

/* out[a][k] (+)= sum_j x[a][j] h[k][j] for a < mr, k < nk: the last
 * r % 8 rows of H, which would fill only part of a vector of lanes in
 * kernel_xht, as dot products along the rows instead. mr nk <= 24. */
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
  __m512 acc[8][7];
  gsize j = 0;

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 7
    for (int k = 0; k < nk; k++)
      acc[a][k] = _mm512_setzero_ps ();

  for (; j < jlen; j += 16)
    {
      __mmask16 mask = jlen - j >= 16 ? 0xffff : (__mmask16) ((1u << (jlen - j)) - 1);
      __m512 hv[7];

#pragma GCC unroll 7
      for (int k = 0; k < nk; k++)
        hv[k] = _mm512_maskz_loadu_ps (mask, h + k * ldh + j);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m512 xv = _mm512_maskz_loadu_ps (mask, x + a * ldx + j);

#pragma GCC unroll 7
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm512_fmadd_ps (xv, hv[k], acc[a][k]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 7
    for (int k = 0; k < nk; k++)
      {
        float sum = _mm512_reduce_add_ps (acc[a][k]);
        float *o = out + a * ldo + k;

        *o = accumulate ? *o + sum : sum;
      }
}

#define XHT_CASE(MR, W) \
  case (MR) * 64 + (W): \
    kernel_xht (MR, (W) / 16, (W) % 16 != 0, x, ldx, jlen, hp, out, ldo, accumulate); \
    break
#define XHT_CASES8(W) \
  XHT_CASE (8, W); XHT_CASE (7, W); XHT_CASE (6, W); XHT_CASE (5, W); \
  XHT_CASE (4, W); XHT_CASE (3, W); XHT_CASE (2, W); XHT_CASE (1, W)
#define XHT_CASES12(W) \
  XHT_CASES8 (W); XHT_CASE (12, W); XHT_CASE (11, W); XHT_CASE (10, W); XHT_CASE (9, W)

void
fs_products_f32_avx512_tile_xht (int          mr,
                                 int          w,
                                 const float *x,
                                 gsize        ldx,
                                 gsize        jlen,
                                 const float *hp,
                                 float       *out,
                                 gsize        ldo,
                                 gboolean     accumulate)
{
  switch (mr * 64 + w)
    {
    XHT_CASES8 (48); XHT_CASES8 (40);
    XHT_CASES12 (32); XHT_CASES12 (24); XHT_CASES12 (16); XHT_CASES12 (8);
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
fs_products_f32_avx512_tile_wtx (int          mk,
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
  int nv = (int) ((c + 15) / 16);
  gboolean masked = c % 16 != 0;
  __mmask16 tail = (__mmask16) ((1u << (c % 16)) - 1);

  switch ((mk * 4 + nv) * 2 + (masked ? 1 : 0))
    {
    WTX_CASES (8); WTX_CASES (7); WTX_CASES (6); WTX_CASES (5);
    WTX_CASES (4); WTX_CASES (3); WTX_CASES (2); WTX_CASES (1);
    default:
      g_assert_not_reached ();
    }
}

#define DOT_CASE(MR, NK) \
  case (MR) * 8 + (NK): \
    kernel_dot (MR, NK, x, ldx, jlen, h, ldh, out, ldo, accumulate); \
    break
#define DOT_CASES3(NK) DOT_CASE (3, NK); DOT_CASE (2, NK); DOT_CASE (1, NK)
#define DOT_CASES4(NK) DOT_CASE (4, NK); DOT_CASES3 (NK)
#define DOT_CASES6(NK) DOT_CASE (6, NK); DOT_CASE (5, NK); DOT_CASES4 (NK)
#define DOT_CASES8(NK) DOT_CASE (8, NK); DOT_CASE (7, NK); DOT_CASES6 (NK)

void
fs_products_f32_avx512_tile_dot (int          mr,
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
    DOT_CASES8 (1); DOT_CASES8 (2); DOT_CASES8 (3); DOT_CASES6 (4);
    DOT_CASES4 (5); DOT_CASES4 (6); DOT_CASES3 (7);
    default:
      g_assert_not_reached ();
    }
}
