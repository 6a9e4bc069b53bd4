/* fs-products-f32-private.h: what the files of the float32 products share.
 *
 * fs-products-f32.c walks X tile by tile and holds the OpenBLAS path;
 * fs-products-f32-avx2.c and fs-products-f32-avx512.c hold the kernels,
 * each compiled with its own instruction set (core/meson.build), so that
 * no other file can use an instruction the CPU may lack. The walk calls
 * them only for the implementation that fs_products_best_impl returned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-products.h"

G_BEGIN_DECLS

/* Lanes of H per block of xht: 3 vectors of 16 (AVX-512) or of 8 (AVX2). */
#define F32_LANES512 48
#define F32_LANES256 24
/* Columns of X per block of wtx: 3 vectors. */
#define F32_COLS512 48
#define F32_COLS256 24
/* Columns of W per block of wtx. */
#define F32_WCOLS512 8
#define F32_WCOLS256 4
/* X is walked in tiles of at most this many rows and columns, as even as
 * the shape allows: 128 × 384 floats are 192 KiB, which leave room in a
 * 512 KiB L2 for the slices of W, H and W^T X that go with them. */
#define F32_TILE_ROWS 128
#define F32_TILE_COLS 384

G_STATIC_ASSERT (F32_TILE_COLS % F32_COLS512 == 0 && F32_TILE_COLS % F32_COLS256 == 0);

static inline gsize
f32_round_up8 (gsize k)
{
  return (k + 7) & ~(gsize) 7;
}

/* The rows of H that are packed, in lanes of 8; the last r % 8 rows go
 * to the dot products instead, so that no lane is padding. */
static inline gsize
f32_packed_rows (gsize r)
{
  return r - r % 8;
}

/* Rows of X per block of the dot products with nk rows of H: as many sums
 * as the registers hold beside nk rows of H and a vector of X. */
static inline gsize
f32_dot_rows (FsProductsImpl impl,
              gsize          nk)
{
  static const guint8 rows512[8] = { 0, 8, 8, 8, 6, 4, 4, 3 };
  static const guint8 rows256[8] = { 0, 8, 6, 3, 2, 2, 1, 1 };

  return impl == FS_PRODUCTS_AVX512 ? rows512[nk] : rows256[nk];
}

/* Lanes of packed H per block, of `left` (a multiple of 8): at most 3
 * vectors, in blocks as even as multiples of 8 allow (56 = 32 + 24 with
 * AVX-512, 24 + 24 + 8 with AVX2). */
static inline gsize
f32_lanes_block (FsProductsImpl impl,
                 gsize          left)
{
  gsize most = impl == FS_PRODUCTS_AVX512 ? F32_LANES512 : F32_LANES256;
  gsize pieces = (left + most - 1) / most;

  return MIN (MAX ((left / pieces + 7) / 8 * 8, 8), left);
}

/* Columns of W per block of wtx, of `left`, as even as can be. */
static inline gsize
f32_wcols_block (FsProductsImpl impl,
                 gsize          left)
{
  gsize most = impl == FS_PRODUCTS_AVX512 ? F32_WCOLS512 : F32_WCOLS256;
  gsize pieces = (left + most - 1) / most;

  return (left + pieces - 1) / pieces;
}

#ifdef FS_PRODUCTS_HAVE_SIMD

/* fs-products-f32-avx2.c (AVX2 and FMA): xht for w in 8, 16, 24 lanes
 * and mr rows (at most 8, 6, 4); wtx for mk <= 4 columns of W and
 * c <= 24 columns of x; dot for nk < 8 rows of h and mr <=
 * f32_dot_rows (AVX2, nk) rows of x. */
void fs_products_f32_avx2_tile_dot   (int          mr,
                                      int          nk,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        jlen,
                                      const float *h,
                                      gsize        ldh,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);
void fs_products_f32_avx2_tile_xht   (int          mr,
                                      int          w,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        jlen,
                                      const float *hp,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);
void fs_products_f32_avx2_tile_wtx   (int          mk,
                                      gsize        c,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        ilen,
                                      const float *w,
                                      gsize        ldw,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);

/* fs-products-f32-avx512.c (AVX-512 F and VL, with AVX2 and FMA): xht for
 * w in 8 .. 48 lanes (a multiple of 8) and mr rows (at most 8 from 40
 * lanes on, 12 below); wtx for mk <= 8 and c <= 48; dot for nk < 8 and
 * mr <= f32_dot_rows (AVX512, nk). */
void fs_products_f32_avx512_tile_dot (int          mr,
                                      int          nk,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        jlen,
                                      const float *h,
                                      gsize        ldh,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);
void fs_products_f32_avx512_tile_xht (int          mr,
                                      int          w,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        jlen,
                                      const float *hp,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);
void fs_products_f32_avx512_tile_wtx (int          mk,
                                      gsize        c,
                                      const float *x,
                                      gsize        ldx,
                                      gsize        ilen,
                                      const float *w,
                                      gsize        ldw,
                                      float       *out,
                                      gsize        ldo,
                                      gboolean     accumulate);

#endif /* FS_PRODUCTS_HAVE_SIMD */

G_END_DECLS
