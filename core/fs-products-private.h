/* fs-products-private.h: what the files of the products share.
 *
 * fs-products.c chooses the implementation and holds the OpenBLAS path;
 * fs-products-tiles.c walks X tile by tile for both vector paths;
 * fs-products-avx2.c and fs-products-avx512.c hold the kernels, each
 * compiled with its own instruction set (core/meson.build), so that no
 * other file can use an instruction the CPU may lack. The tile walk calls
 * only the functions below, and only for the implementation that
 * fs_products_best_impl returned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-products.h"

G_BEGIN_DECLS

/* Packed rows of H per block, and columns of X per block of wtx: 3
 * vectors of 4 (AVX2) or of 8 (AVX-512). */
#define BLOCK_K 12
#define BLOCK_K512 24
/* X is walked in tiles of at most this many rows and columns, as even as
 * the shape allows: 128 × 204 doubles are 204 KiB, which leave room in a
 * 512 KiB L2 for the slices of W, H and W^T X that go with them. */
#ifndef TILE_ROWS
#define TILE_ROWS 128
#endif
#ifndef TILE_COLS
#define TILE_COLS 204
#endif
#ifndef TILE_COLS512
#define TILE_COLS512 216
#endif

/* A block of X up to this size is all in L2 from one iteration to the
 * next: it is one tile (of at most SMALL_ROWS rows), which halves the
 * calls of the kernels on a 200 × 200 matrix. */
#define SMALL_BYTES ((gsize) 384 << 10)
#define SMALL_ROWS 512

G_STATIC_ASSERT (TILE_COLS % BLOCK_K == 0 && TILE_COLS512 % BLOCK_K512 == 0);
G_STATIC_ASSERT (TILE_ROWS % 4 == 0 && SMALL_ROWS >= TILE_ROWS);

static inline gsize
round_up4 (gsize k)
{
  return (k + 3) & ~(gsize) 3;
}

/* The rows of H that are packed, in lanes of 4; the last r % 4 rows go
 * to kernel_dot instead, so that no lane is padding. */
static inline gsize
packed_rows (gsize r)
{
  return r - r % 4;
}

/* The kernels keep 3 to 12 sums in registers; with fewer than 8 they wait
 * on the latency of the fused multiply-add (4 cycles, 2 a cycle). These
 * pick block sizes that avoid that wherever the shape allows. */

/* Packed lanes of H per block, of `left` (a multiple of 4). AVX2: 12
 * where possible, but 8 + 8 rather than 12 + 4 at the end. AVX-512: up to
 * 24, in blocks as even as multiples of 4 allow (32 = 16 + 16). */
static inline gsize
lanes_block (FsProductsImpl impl,
             gsize          left)
{
  gsize pieces;

  if (impl != FS_PRODUCTS_AVX512)
    return left == 16 ? 8 : MIN (left, BLOCK_K);
  pieces = (left + BLOCK_K512 - 1) / BLOCK_K512;
  return MAX ((left / pieces + 3) / 4 * 4, 4);
}

/* Columns of W per block, of `left`. AVX2: 4, and 3 at the end as often
 * as it takes to make the rest a multiple of 4 (10 = 4 + 3 + 3, not
 * 4 + 4 + 2), which leaves no block under 3 from r = 6 on. AVX-512: up to
 * 8, as even as can be (50 = 8 + 6 × 7). */
static inline int
rows_block (FsProductsImpl impl,
            gsize          left)
{
  gsize threes = (4 - left % 4) % 4;

  if (impl == FS_PRODUCTS_AVX512)
    {
      gsize pieces = (left + 7) / 8;

      return (int) ((left + pieces - 1) / pieces);
    }
  if (left <= 4)
    return (int) left;
  return left - 4 >= 3 * threes ? 4 : 3;
}

#ifdef FS_PRODUCTS_HAVE_SIMD

/* fs-products-tiles.c: fs_products_rows and fs_products_grams for the
 * vector paths. */
void fs_products_tiles_rows               (const FsProductsArgs *a);
void fs_products_tiles_grams              (FsProductsImpl        impl,
                                           const double         *W,
                                           gsize                 rows,
                                           gsize                 r,
                                           const double         *H,
                                           gsize                 m,
                                           gsize                 col0,
                                           gsize                 col1,
                                           const double         *packed_h,
                                           double               *wtw,
                                           double               *hht);

/* fs-products-avx2.c (AVX2 and FMA). */
void fs_products_avx2_tile_xht            (int                   mr,
                                           int                   nv,
                                           const double         *x,
                                           gsize                 ldx,
                                           gsize                 jlen,
                                           const double         *hp,
                                           double               *out,
                                           gsize                 ldo,
                                           gboolean              accumulate);
void fs_products_avx2_tile_dot            (int                   mr,
                                           int                   nk,
                                           const double         *x,
                                           gsize                 ldx,
                                           gsize                 jlen,
                                           const double         *h,
                                           gsize                 ldh,
                                           double               *out,
                                           gsize                 ldo,
                                           gboolean              accumulate);
void fs_products_avx2_tile_wtx            (int                   mk,
                                           gsize                 c,
                                           const double         *x,
                                           gsize                 ldx,
                                           gsize                 ilen,
                                           const double         *w,
                                           gsize                 ldw,
                                           double               *out,
                                           gsize                 ldo,
                                           gboolean              accumulate);
void fs_products_avx2_pack_w_tile         (const double         *W,
                                           gsize                 ib,
                                           gsize                 r,
                                           double               *dst);
void fs_products_avx2_pack_h              (FsProductsImpl        impl,
                                           const double         *H,
                                           gsize                 r,
                                           gsize                 m,
                                           gsize                 col0,
                                           gsize                 col1,
                                           double               *packed);

/* fs-products-avx512.c (AVX-512 F and VL, with AVX2 and FMA). */
void fs_products_avx512_tile_xht          (int                   mr,
                                           int                   w,
                                           const double         *x,
                                           gsize                 ldx,
                                           gsize                 jlen,
                                           const double         *hp,
                                           double               *out,
                                           gsize                 ldo,
                                           gboolean              accumulate);
void fs_products_avx512_tile_wtx          (int                   mk,
                                           gsize                 c,
                                           const double         *x,
                                           gsize                 ldx,
                                           gsize                 ilen,
                                           const double         *w,
                                           gsize                 ldw,
                                           double               *out,
                                           gsize                 ldo,
                                           gboolean              accumulate);
void fs_products_avx512_pack_w_tile       (const double         *W,
                                           gsize                 ib,
                                           gsize                 r,
                                           double               *dst);

#endif /* FS_PRODUCTS_HAVE_SIMD */

G_END_DECLS
