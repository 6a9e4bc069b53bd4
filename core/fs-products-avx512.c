/* fs-products-avx512.c: the kernels of the products on vectors of 8.
 *
 * With AVX-512 the pass of fs-products-avx2.c runs on vectors of 8, twice
 * the work per instruction, in 32 registers: blocks of up to 24 lanes of
 * H (the last 4 of a block in a vector of 4 where the lanes are not a
 * multiple of 8) by 8 or 12 rows of X, and 8 columns of W by 24 columns
 * of X. The packed copy of H is laid out as for AVX2, only in longer
 * blocks; blocks of 4 lanes, the dot products and the packing of H come
 * from fs-products-avx2.c.
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

#include "fs-products-private.h"

#if !defined(__AVX512F__) || !defined(__AVX512VL__) || !defined(__AVX2__) || !defined(__FMA__)
#error "fs-products-avx512.c needs -mavx512f -mavx512vl -mavx2 -mfma"
#endif

/* Each kernel is inlined into the switch of its tile function, once per
 * shape, with the shape's loops fully unrolled. */
#define KERNEL static inline __attribute__ ((always_inline))

/* kernel_xht on vectors of 8: out[a][0 .. 8 nz + 4 half) (+)= sum_j
 * x[a][j] hp[j][..] for a < mr, the last 4 lanes in a vector of 4 with
 * half. mr (nz + half) <= 24. */
KERNEL void
kernel_xht512 (const int     mr,
               const int     nz,
               const int     half,
               const double *x,
               gsize         ldx,
               gsize         jlen,
               const double *hp,
               double       *out,
               gsize         ldo,
               gboolean      accumulate)
{
  const gsize w = 8 * (gsize) nz + 4 * (gsize) half;
  __m512d acc[12][3];
  __m256d acc_half[12];

#pragma GCC unroll 12
  for (int a = 0; a < mr; a++)
    {
#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        acc[a][v] = _mm512_setzero_pd ();
      acc_half[a] = _mm256_setzero_pd ();
    }

#pragma GCC unroll 2
  for (gsize j = 0; j < jlen; j++)
    {
      const double *h = hp + j * w;
      __m512d hv[3];
      __m256d hh = _mm256_setzero_pd ();

#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        hv[v] = _mm512_loadu_pd (h + 8 * v);
      if (half)
        hh = _mm256_loadu_pd (h + 8 * nz);
#pragma GCC unroll 12
      for (int a = 0; a < mr; a++)
        {
          /* One broadcast from memory, its low half for the 4 lanes:
           * a broadcast from a register takes a shuffle. */
          __m512d xb = _mm512_set1_pd (x[a * ldx + j]);

#pragma GCC unroll 3
          for (int v = 0; v < nz; v++)
            acc[a][v] = _mm512_fmadd_pd (xb, hv[v], acc[a][v]);
          if (half)
            acc_half[a] = _mm256_fmadd_pd (_mm512_castpd512_pd256 (xb), hh, acc_half[a]);
        }
    }

#pragma GCC unroll 12
  for (int a = 0; a < mr; a++)
    {
      double *o = out + a * ldo;

#pragma GCC unroll 3
      for (int v = 0; v < nz; v++)
        _mm512_storeu_pd (o + 8 * v, accumulate ? _mm512_add_pd (acc[a][v], _mm512_loadu_pd (o + 8 * v))
                                                : acc[a][v]);
      if (half)
        _mm256_storeu_pd (o + 8 * nz, accumulate ? _mm256_add_pd (acc_half[a], _mm256_loadu_pd (o + 8 * nz))
                                                 : acc_half[a]);
    }
}

/* kernel_wtx on vectors of 8: out[a][0 .. 8 nv) (+)= sum_i w[i][a] x[i][..]
 * for a < mk <= 8; with `masked`, the last vector covers only the lanes
 * that `tail` has. */
KERNEL void
kernel_wtx512 (const int      mk,
               const int      nv,
               const gboolean masked,
               const double  *x,
               gsize          ldx,
               gsize          ilen,
               const double  *w,
               gsize          ldw,
               double        *out,
               gsize          ldo,
               __mmask8       tail,
               gboolean       accumulate)
{
  __m512d acc[8][3];

  if (accumulate)
    {
#pragma GCC unroll 8
      for (int a = 0; a < mk; a++)
        {
          __builtin_prefetch (out + a * ldo, 1, 3);
          __builtin_prefetch (out + a * ldo + 8 * nv - 1, 1, 3);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm512_setzero_pd ();

#pragma GCC unroll 2
  for (gsize i = 0; i < ilen; i++)
    {
      const double *xi = x + i * ldx;
      const double *wi = w + i * ldw;
      __m512d xv[3];

#pragma GCC unroll 3
      for (int v = 0; v < nv; v++)
        xv[v] = masked && v == nv - 1 ? _mm512_maskz_loadu_pd (tail, xi + 8 * v)
                                      : _mm512_loadu_pd (xi + 8 * v);
#pragma GCC unroll 8
      for (int a = 0; a < mk; a++)
        {
          __m512d wb = _mm512_set1_pd (wi[a]);

#pragma GCC unroll 3
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm512_fmadd_pd (wb, xv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 3
    for (int v = 0; v < nv; v++)
      {
        double *o = out + a * ldo + 8 * v;
        __mmask8 k = masked && v == nv - 1 ? tail : 0xff;

        _mm512_mask_storeu_pd (o, k, accumulate ? _mm512_add_pd (acc[a][v], _mm512_maskz_loadu_pd (k, o))
                                                : acc[a][v]);
      }
}

#define XHT512_CASE(MR, W) \
  case (MR) * 32 + (W): \
    kernel_xht512 (MR, (W) / 8, (W) % 8 != 0, x, ldx, jlen, hp, out, ldo, accumulate); \
    break
#define XHT512_CASES(W) \
  XHT512_CASE (8, W); XHT512_CASE (7, W); XHT512_CASE (6, W); XHT512_CASE (5, W); \
  XHT512_CASE (4, W); XHT512_CASE (3, W); XHT512_CASE (2, W); XHT512_CASE (1, W)

/* kernel_xht512 for w in 8 .. 24 lanes (a multiple of 4) and mr rows, at
 * most xht_rows (AVX512, w). */
void
fs_products_avx512_tile_xht (int           mr,
                             int           w,
                             const double *x,
                             gsize         ldx,
                             gsize         jlen,
                             const double *hp,
                             double       *out,
                             gsize         ldo,
                             gboolean      accumulate)
{
  switch (mr * 32 + w)
    {
    XHT512_CASES (24); XHT512_CASES (20); XHT512_CASES (16); XHT512_CASES (12); XHT512_CASES (8);
    XHT512_CASE (12, 16); XHT512_CASE (11, 16); XHT512_CASE (10, 16); XHT512_CASE (9, 16);
    XHT512_CASE (12, 12); XHT512_CASE (11, 12); XHT512_CASE (10, 12); XHT512_CASE (9, 12);
    XHT512_CASE (12, 8); XHT512_CASE (11, 8); XHT512_CASE (10, 8); XHT512_CASE (9, 8);
    default:
      g_assert_not_reached ();
    }
}

#define WTX512_CASE(MK, NV, MASKED) \
  case ((MK) * 4 + (NV)) * 2 + (MASKED): \
    kernel_wtx512 (MK, NV, MASKED, x, ldx, ilen, w, ldw, out, ldo, tail, accumulate); \
    break
#define WTX512_CASES(MK) \
  WTX512_CASE (MK, 3, 0); WTX512_CASE (MK, 2, 0); WTX512_CASE (MK, 1, 0); \
  WTX512_CASE (MK, 3, 1); WTX512_CASE (MK, 2, 1); WTX512_CASE (MK, 1, 1)

/* kernel_wtx512 on c <= 24 columns of x, mk <= 8 columns of W. */
void
fs_products_avx512_tile_wtx (int           mk,
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
  int nv = (int) ((c + 7) / 8);
  gboolean masked = c % 8 != 0;
  __mmask8 tail = (__mmask8) ((1u << (c % 8)) - 1);

  switch ((mk * 4 + nv) * 2 + (masked ? 1 : 0))
    {
    WTX512_CASES (8); WTX512_CASES (7); WTX512_CASES (6); WTX512_CASES (5);
    WTX512_CASES (4); WTX512_CASES (3); WTX512_CASES (2); WTX512_CASES (1);
    default:
      g_assert_not_reached ();
    }
}

void
fs_products_avx512_pack_w_tile (const double *W,
                                gsize         ib,
                                gsize         r,
                                double       *dst)
{
  for (gsize kb = 0, w; kb < r; kb += w)
    {
      double *d = dst + kb * ib;
      __mmask8 k;

      w = (gsize) rows_block (FS_PRODUCTS_AVX512, r - kb);
      k = (__mmask8) ((1u << w) - 1);
      for (gsize i = 0; i < ib; i++)
        _mm512_mask_storeu_pd (d + w * i, k, _mm512_maskz_loadu_pd (k, W + i * r + kb));
    }
}
