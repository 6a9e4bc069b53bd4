/* fs-products-tiles.c: the walk over X for the vector paths.
 *
 * Both products come from one pass over a block of rows of X, tile by
 * tile, while the tile is in L2: first xht for the tile's rows (and the
 * rest of H on the same rows while they are in L1), then wtx for its
 * columns. The last r % 4 rows of H go to dot products right after the
 * last lanes of xht, while the rows of X are still in L1: they do little
 * work per value of X, and a pass of their own would read all of the tile
 * from L2 once more.
 *
 * This file is built for any x86-64: it only chooses block sizes and
 * calls the kernels of fs-products-avx2.c or fs-products-avx512.c, as the
 * implementation says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <string.h>

#include "fs-products-private.h"

/* Rows of X per block of kernel_xht for w lanes. AVX2: 12 sums (8 for 4
 * lanes, where 12 would spill), so that blocks of 8 lanes do not wait on
 * the fused multiply-add's latency either. AVX-512: 24 sums in 32
 * registers, 8 rows of 20 or 24 lanes, 12 of fewer; 4 lanes go to the
 * AVX2 kernel. */
static gsize
xht_rows (FsProductsImpl impl,
          gsize          w)
{
  if (impl == FS_PRODUCTS_AVX512 && w > 4)
    return w >= 20 ? 8 : 12;
  return w == 12 ? 4 : w == 8 ? 6 : 8;
}

/* Rows per block of kernel_xht, of `left`, at most mr: two halves rather
 * than a block of mr and one of under 4 at the end (8 = 4 + 4, not 6 + 2). */
static gsize
xht_block (gsize left,
           gsize mr)
{
  return left > mr && left < mr + 4 ? (left + 1) / 2 : MIN (left, mr);
}

/* Columns of X per block of wtx. */
static gsize
block_cols (FsProductsImpl impl)
{
  return impl == FS_PRODUCTS_AVX512 ? BLOCK_K512 : BLOCK_K;
}

/* The step that cuts len into the fewest pieces of at most max, as even as
 * possible, in multiples of unit (max is one). */
static gsize
even_split (gsize len,
            gsize max,
            gsize unit)
{
  gsize pieces = MAX ((len + max - 1) / max, 1);
  gsize step = (len + pieces - 1) / pieces;

  return CLAMP ((step + unit - 1) / unit * unit, unit, max);
}

/* The kernels behind the tile loops below, which are built for any x86-64
 * and call the AVX2 or AVX-512 ones as impl says. */
static void
xht_block_call (FsProductsImpl impl,
                gsize          mr,
                gsize          w,
                const double  *x,
                gsize          ldx,
                gsize          jlen,
                const double  *hp,
                double        *out,
                gsize          ldo,
                gboolean       accumulate)
{
  if (impl == FS_PRODUCTS_AVX512 && w > 4)
    fs_products_avx512_tile_xht ((int) mr, (int) w, x, ldx, jlen, hp, out, ldo, accumulate);
  else
    fs_products_avx2_tile_xht ((int) mr, (int) (w / 4), x, ldx, jlen, hp, out, ldo, accumulate);
}

static void
wtx_block_call (FsProductsImpl impl,
                gsize          mk,
                gsize          c,
                const double  *x,
                gsize          ldx,
                gsize          ilen,
                const double  *w,
                gsize          ldw,
                double        *out,
                gsize          ldo,
                gboolean       accumulate)
{
  if (impl == FS_PRODUCTS_AVX512)
    fs_products_avx512_tile_wtx ((int) mk, c, x, ldx, ilen, w, ldw, out, ldo, accumulate);
  else
    fs_products_avx2_tile_wtx ((int) mk, c, x, ldx, ilen, w, ldw, out, ldo, accumulate);
}

static void
pack_w_tile (FsProductsImpl impl,
             const double  *W,
             gsize          ib,
             gsize          r,
             double        *dst)
{
  if (impl == FS_PRODUCTS_AVX512)
    fs_products_avx512_pack_w_tile (W, ib, r, dst);
  else
    fs_products_avx2_pack_w_tile (W, ib, r, dst);
}

/* Asks for rows × cols of X to be brought into L2. */
static void
prefetch_rows (const double *x,
               gsize         ldx,
               gsize         rows,
               gsize         cols)
{
  for (gsize a = 0; a < rows; a++)
    {
      const char *p = (const char *) (x + a * ldx);

      for (gsize b = 0; b < cols * sizeof (double); b += 64)
        __builtin_prefetch (p + b, 0, 2);
    }
}

/* wtx[.., j0 .. j0 + jc) (+)= wt^T x for an x of ib rows (leading
 * dimension ldx) starting at column j0, with wt packed by pack_w_tile. */
static void
tile_rows_wtx (FsProductsImpl impl,
               const double *x,
               gsize         ldx,
               gsize         ib,
               gsize         j0,
               gsize         jc,
               const double *wt,
               gsize         r,
               double       *wtx,
               gsize         m,
               gboolean      accumulate)
{
  gsize bc = block_cols (impl);

  for (gsize jb = j0; jb < j0 + jc; jb += bc)
    {
      gsize c = MIN (bc, j0 + jc - jb);

      for (gsize kb = 0, mk; kb < r; kb += mk)
        {
          mk = (gsize) rows_block (impl, r - kb);
          wtx_block_call (impl, mk, c, x + jb, ldx, ib, wt + kb * ib, mk,
                          wtx + kb * m + jb, m, accumulate);
        }
    }
}

/* xht[0 .. ib) (+)= x P[.., j0 .. j0 + jlen)^T for an x of ib rows and
 * jlen columns (leading dimension ldx) and P (r rows): its first
 * packed_rows (r) rows packed by fs_products_pack with `stride` columns in
 * all, the others at rest (row r - r % 4 of P at column j0, leading
 * dimension ldrest). With `upper`, where x is P, only the blocks that
 * reach the upper triangle of xht are computed. */
static void
tile_rows_xht (FsProductsImpl impl,
               const double *x,
               gsize         ldx,
               gsize         ib,
               gsize         jlen,
               const double *packed,
               gsize         stride,
               gsize         j0,
               const double *rest,
               gsize         ldrest,
               gsize         r,
               double       *xht,
               gboolean      accumulate,
               gboolean      upper,
               const double *next,
               gsize         next_rows,
               gsize         next_cols)
{
  gsize r4 = packed_rows (r), nk = r - r4;
  gsize step = nk == 1 ? 8 : nk == 2 ? 6 : 4;  /* kernel_dot's rows */
  gboolean interleave = nk > 0 && r4 > 0 && !upper;

  for (gsize kb = 0, w, mr; kb < r4; kb += w)
    {
      w = lanes_block (impl, r4 - kb);
      mr = xht_rows (impl, w);
      for (gsize a0 = 0, rows; a0 < (upper ? MIN (ib, kb + w) : ib); a0 += rows)
        {
          rows = xht_block (ib - a0, mr);
          if (kb == 0 && next != NULL && a0 < next_rows)
            prefetch_rows (next + a0 * ldx, ldx,
                           a0 + rows < ib ? MIN (rows, next_rows - a0) : next_rows - a0,
                           next_cols);
          xht_block_call (impl, rows, w, x + a0 * ldx, ldx, jlen,
                          packed + kb * stride + j0 * w, xht + a0 * r + kb, r, accumulate);
          /* After the last lanes, the rest of H on the same rows of x,
           * while they are in L1. */
          for (gsize d0 = a0; interleave && kb + w == r4 && d0 < a0 + rows; d0 += step)
            fs_products_avx2_tile_dot ((int) MIN (step, a0 + rows - d0), (int) nk,
                                       x + d0 * ldx, ldx, jlen, rest, ldrest,
                                       xht + d0 * r + r4, r, accumulate);
        }
    }

  for (gsize a0 = 0; nk > 0 && !interleave && a0 < ib; a0 += step)
    {
      if (r4 == 0 && next != NULL && a0 < next_rows)
        prefetch_rows (next + a0 * ldx, ldx,
                       a0 + step < ib ? MIN (step, next_rows - a0) : next_rows - a0,
                       next_cols);
      fs_products_avx2_tile_dot ((int) MIN (step, ib - a0), (int) nk, x + a0 * ldx, ldx,
                                 jlen, rest, ldrest, xht + a0 * r + r4, r, accumulate);
    }
}

/* fs_products_rows: each tile of the block of rows in turn, then gram_w
 * and gram_h as more tiles. */
void
fs_products_tiles_rows (const FsProductsArgs *a)
{
  FsProductsImpl impl = a->impl;
  const double *X = a->X;
  gsize rows = a->rows, m = a->m, r = a->r;
  gsize tile_rows = rows * m * sizeof (double) <= SMALL_BYTES && rows <= SMALL_ROWS
                    ? MAX (rows, 1) : even_split (rows, TILE_ROWS, 4);
  gsize tile_cols = impl == FS_PRODUCTS_AVX512 ? even_split (m, TILE_COLS512, BLOCK_K512)
                                                : even_split (m, TILE_COLS, BLOCK_K);

  for (gsize i0 = 0; i0 < rows; i0 += tile_rows)
    {
      gsize ib = MIN (tile_rows, rows - i0);

      pack_w_tile (impl, a->W + i0 * r, ib, r, a->scratch);

      for (gsize j0 = 0; j0 < m; j0 += tile_cols)
        {
          gsize jc = MIN (tile_cols, m - j0);
          const double *next = NULL;
          gsize next_rows = 0, next_cols = 0;

          /* The next tile, to be fetched into L2 during the first pass. */
          if (j0 + jc < m)
            {
              next = X + i0 * m + j0 + jc;
              next_rows = ib;
              next_cols = MIN (tile_cols, m - j0 - jc);
            }
          else if (i0 + ib < rows)
            {
              next = X + (i0 + ib) * m;
              next_rows = MIN (tile_rows, rows - i0 - ib);
              next_cols = MIN (tile_cols, m);
            }

          /* xht[i0 .. i0 + ib) (+)= this tile times H[.., j0 .. j0 + jc)^T */
          tile_rows_xht (impl, X + i0 * m + j0, m, ib, jc, a->packed_h, m, j0,
                         a->H + packed_rows (r) * m + j0, m, r,
                         a->xht + i0 * r, j0 > 0, FALSE, next, next_rows, next_cols);
          /* wtx[.., j0 .. j0 + jc) (+)= W[i0 .. i0 + ib)^T times this tile */
          tile_rows_wtx (impl, X + i0 * m, m, ib, j0, jc, a->scratch, r, a->wtx, m,
                         a->accumulate || i0 > 0);
        }

      /* xht[i0 .. i0 + ib) += W[i0 .. i0 + ib) gram_w, as one more tile. */
      tile_rows_xht (impl, a->W + i0 * r, r, ib, r, a->packed_gram_w, r, 0,
                     a->gram_w + packed_rows (r) * r, r, r,
                     a->xht + i0 * r, TRUE, FALSE, NULL, 0, 0);
    }

  /* wtx[.., col0 .. col1) += gram_h H[.., col0 .. col1), as more rows
   * (gram_h is symmetric, so it packs like W). */
  if (rows == 0 && !a->accumulate)
    memset (a->wtx, 0, r * m * sizeof (double));
  if (a->col1 > a->col0)
    for (gsize k0 = 0; k0 < r; k0 += TILE_ROWS)
      {
        gsize kb = MIN (TILE_ROWS, r - k0);

        pack_w_tile (impl, a->gram_h + k0 * r, kb, r, a->scratch);
        tile_rows_wtx (impl, a->H + k0 * m, m, kb, a->col0, a->col1 - a->col0,
                       a->scratch, r, a->wtx, m, TRUE);
      }
}

/* wtw = W^T W over the rows, hht = H H^T over the columns; full r × r. */
void
fs_products_tiles_grams (FsProductsImpl  impl,
                         const double   *W,
                         gsize           rows,
                         gsize           r,
                         const double   *H,
                         gsize           m,
                         gsize           col0,
                         gsize           col1,
                         const double   *packed_h,
                         double         *wtw,
                         double         *hht)
{
  /* Rows kb .. kb + mk of W^T W from column kb on: the upper triangle and
   * a little of the lower. Both operands are rows of W, so the broadcast
   * values lie in the lines that the vectors load anyway: W is read where
   * it is, not packed. */
  if (rows == 0)
    memset (wtw, 0, r * r * sizeof (double));
  for (gsize kb = 0, mk; kb < r && rows > 0; kb += mk)
    {
      mk = (gsize) rows_block (impl, r - kb);
      for (gsize jb = kb; jb < r; jb += block_cols (impl))
        wtx_block_call (impl, mk, MIN (block_cols (impl), r - jb), W + jb, r, rows, W + kb, r,
                        wtw + kb * r + jb, r, FALSE);
    }

  if (col1 == col0)
    memset (hht, 0, r * r * sizeof (double));
  else
    tile_rows_xht (impl, H + col0, m, r, col1 - col0, packed_h, m, col0,
                   H + packed_rows (r) * m + col0, m, r, hht, FALSE, TRUE,
                   NULL, 0, 0);
}

