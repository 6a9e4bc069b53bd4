/* fs-products-f32.c: the float32 products (fs-products.h), their walk
 * over X for the vector paths, and their OpenBLAS path.
 *
 * As for doubles (fs-products-tiles.c), both products come from one pass
 * over a block of rows of X, tile by tile, while the tile is in L2: xht
 * for the tile's rows, then wtx for its columns. The first r - r % 8 rows
 * of H are packed in lanes of 8 for xht; the last r % 8 go to dot
 * products along the rows of the tile, so that no lane is padding.
 *
 * This file is built for any CPU: it only chooses block sizes and calls
 * the kernels of fs-products-f32-avx2.c or fs-products-f32-avx512.c, as
 * the implementation says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <cblas.h>
#include <string.h>

#include "fs-products-f32-private.h"

/* The leading dimension of xht: r rounded up to 8. */
gsize
fs_products_f32_lanes (gsize r)
{
  return f32_round_up8 (r);
}

gsize
fs_products_f32_packed_len (FsProductsImpl impl,
                            gsize          r,
                            gsize          m)
{
  return impl != FS_PRODUCTS_BLAS ? f32_packed_rows (r) * m : 0;
}

/* Room for a tile of W (or of gram_h) packed by pack_w_tile. */
gsize
fs_products_f32_scratch_len (FsProductsImpl impl,
                             gsize          r)
{
  return impl != FS_PRODUCTS_BLAS ? F32_TILE_ROWS * r : 0;
}

/* Packs columns col0 .. col1 - 1 of the first f32_packed_rows (r) rows
 * of H (r × m doubles, leading dimension m) as floats, so that threads
 * can share the work: the block of lanes kb .. kb + w - 1
 * (f32_lanes_block) starts at kb * m and holds, for each column j, the w
 * values H[kb .. kb + w - 1][j]. */
void
fs_products_f32_pack (FsProductsImpl impl,
                      const double  *H,
                      gsize          r,
                      gsize          m,
                      gsize          col0,
                      gsize          col1,
                      float         *packed)
{
  gsize lanes = f32_packed_rows (r);

  if (impl == FS_PRODUCTS_BLAS)
    return;

  g_assert (H != NULL && packed != NULL && col0 <= col1 && col1 <= m);
  for (gsize kb = 0, w; kb < lanes; kb += w)
    {
      float *dst = packed + kb * m;

      w = f32_lanes_block (impl, lanes - kb);
      for (gsize l = 0; l < w; l++)
        {
          const double *row = H + (kb + l) * m;

          for (gsize j = col0; j < col1; j++)
            dst[j * w + l] = (float) row[j];
        }
    }
}

#ifdef FS_PRODUCTS_HAVE_SIMD

/* Rows of X per block of xht for w lanes: 24 sums in 32 registers with
 * AVX-512, 8 to 12 in 16 with AVX2. */
static gsize
xht_rows (FsProductsImpl impl,
          gsize          w)
{
  if (impl == FS_PRODUCTS_AVX512)
    return w > 32 ? 8 : 12;
  return w == 24 ? 4 : w == 16 ? 6 : 8;
}

/* Rows per block of xht, of `left`, at most mr: two halves rather than a
 * block of mr and one of under 4 at the end. */
static gsize
xht_block (gsize left,
           gsize mr)
{
  return left > mr && left < mr + 4 ? (left + 1) / 2 : MIN (left, mr);
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

/* Copies rows 0 .. ib - 1 of W (leading dimension r) in blocks of
 * f32_wcols_block columns; the block of w columns from column kb starts
 * at dst + kb ib and holds each row's w values in turn. */
static void
pack_w_tile (FsProductsImpl impl,
             const float   *W,
             gsize          ib,
             gsize          r,
             float         *dst)
{
  for (gsize kb = 0, w; kb < r; kb += w)
    {
      float *d = dst + kb * ib;

      w = f32_wcols_block (impl, r - kb);
      for (gsize i = 0; i < ib; i++)
        for (gsize a = 0; a < w; a++)
          d[w * i + a] = W[i * r + kb + a];
    }
}

/* Asks for rows × cols floats of X (leading dimension ldx) to be brought
 * into L2. */
static void
prefetch_rows (const float *x,
               gsize        ldx,
               gsize        rows,
               gsize        cols)
{
  for (gsize a = 0; a < rows; a++)
    {
      const char *p = (const char *) (x + a * ldx);

      for (gsize b = 0; b < cols * sizeof (float); b += 64)
        __builtin_prefetch (p + b, 0, 2);
    }
}

/* The next tile of X, fetched into L2 while the kernels work on this one:
 * its rows a0 .. a0 + rows, as the first pass over this tile reaches them. */
typedef struct
{
  const float *x;     /* NULL at the last tile */
  gsize        rows;
  gsize        cols;
} NextTile;

static void
prefetch_next (const NextTile *next,
               gsize           ldx,
               gsize           a0,
               gsize           rows,
               gboolean        last)
{
  if (next == NULL || next->x == NULL || a0 >= next->rows)
    return;
  prefetch_rows (next->x + a0 * ldx, ldx, last ? next->rows - a0 : MIN (rows, next->rows - a0),
                 next->cols);
}

/* xht[0 .. ib) (+)= x P[.., j0 .. j0 + jc)^T for a tile x of ib rows and
 * P of r rows: its first f32_packed_rows (r) rows packed with m columns
 * in all, the others at rest (row r - r % 8 of P at column j0, leading
 * dimension m); xht's leading dimension is ldo. The dot products of the
 * rows at rest come last, while the tile is in L2. */
static void
tile_xht (FsProductsImpl  impl,
          const float    *x,
          gsize           ldx,
          gsize           ib,
          gsize           j0,
          gsize           jc,
          const float    *packed,
          const float    *rest,
          gsize           m,
          gsize           r,
          float          *xht,
          gsize           ldo,
          gboolean        accumulate,
          const NextTile *next)
{
  gsize lanes = f32_packed_rows (r), nk = r - lanes, step = f32_dot_rows (impl, nk);

  for (gsize kb = 0, w; kb < lanes; kb += w)
    {
      gsize mr;

      w = f32_lanes_block (impl, lanes - kb);
      mr = xht_rows (impl, w);
      for (gsize a0 = 0, rows; a0 < ib; a0 += rows)
        {
          const float *hp = packed + kb * m + j0 * w;

          rows = xht_block (ib - a0, mr);
          if (kb == 0)
            prefetch_next (next, ldx, a0, rows, a0 + rows >= ib);
          if (impl == FS_PRODUCTS_AVX512)
            fs_products_f32_avx512_tile_xht ((int) rows, (int) w, x + a0 * ldx, ldx, jc, hp,
                                             xht + a0 * ldo + kb, ldo, accumulate);
          else
            fs_products_f32_avx2_tile_xht ((int) rows, (int) w, x + a0 * ldx, ldx, jc, hp,
                                           xht + a0 * ldo + kb, ldo, accumulate);
        }
    }
  for (gsize a0 = 0; nk > 0 && a0 < ib; a0 += step)
    {
      int rows = (int) MIN (step, ib - a0);

      if (lanes == 0)
        prefetch_next (next, ldx, a0, step, a0 + step >= ib);
      if (impl == FS_PRODUCTS_AVX512)
        fs_products_f32_avx512_tile_dot (rows, (int) nk, x + a0 * ldx, ldx, jc, rest, m,
                                         xht + a0 * ldo + lanes, ldo, accumulate);
      else
        fs_products_f32_avx2_tile_dot (rows, (int) nk, x + a0 * ldx, ldx, jc, rest, m,
                                       xht + a0 * ldo + lanes, ldo, accumulate);
    }
}

/* wtx[.., j0 .. j0 + jc) (+)= wt^T x for an x of ib rows starting at
 * column j0, with wt packed by pack_w_tile. */
static void
tile_wtx (FsProductsImpl  impl,
          const float    *x,
          gsize           ldx,
          gsize           ib,
          gsize           j0,
          gsize           jc,
          const float    *wt,
          gsize           r,
          float          *wtx,
          gsize           m,
          gboolean        accumulate)
{
  gsize bc = impl == FS_PRODUCTS_AVX512 ? F32_COLS512 : F32_COLS256;

  for (gsize jb = j0; jb < j0 + jc; jb += bc)
    {
      gsize c = MIN (bc, j0 + jc - jb);

      for (gsize kb = 0, mk; kb < r; kb += mk)
        {
          mk = f32_wcols_block (impl, r - kb);
          if (impl == FS_PRODUCTS_AVX512)
            fs_products_f32_avx512_tile_wtx ((int) mk, c, x + jb, ldx, ib, wt + kb * ib, mk,
                                             wtx + kb * m + jb, m, accumulate);
          else
            fs_products_f32_avx2_tile_wtx ((int) mk, c, x + jb, ldx, ib, wt + kb * ib, mk,
                                           wtx + kb * m + jb, m, accumulate);
        }
    }
}

/* fs_products_f32_rows on the vector paths: each tile of the block of
 * rows in turn, then gram_w and gram_h as more tiles. */
static void
products_tiles (const FsProductsF32Args *a)
{
  FsProductsImpl impl = a->impl;
  gsize rows = a->rows, m = a->m, r = a->r, lanes = f32_round_up8 (r);
  gsize tile_rows = even_split (MAX (rows, 1), F32_TILE_ROWS, 4);
  gsize tile_cols = even_split (m, F32_TILE_COLS,
                                impl == FS_PRODUCTS_AVX512 ? F32_COLS512 : F32_COLS256);

  if (rows == 0 && !a->accumulate)
    memset (a->wtx, 0, r * m * sizeof (float));
  for (gsize i0 = 0; i0 < rows; i0 += tile_rows)
    {
      gsize ib = MIN (tile_rows, rows - i0);

      pack_w_tile (impl, a->W + i0 * r, ib, r, a->scratch);
      for (gsize j0 = 0; j0 < m; j0 += tile_cols)
        {
          gsize jc = MIN (tile_cols, m - j0);
          NextTile next = { NULL, 0, 0 };

          /* The next tile: to the right, or the next rows' first. */
          if (j0 + jc < m)
            next = (NextTile) { a->X + i0 * m + j0 + jc, ib, MIN (tile_cols, m - j0 - jc) };
          else if (i0 + ib < rows)
            next = (NextTile) { a->X + (i0 + ib) * m, MIN (tile_rows, rows - i0 - ib),
                                MIN (tile_cols, m) };
          tile_xht (impl, a->X + i0 * m + j0, m, ib, j0, jc, a->packed_h,
                    a->H + f32_packed_rows (r) * m + j0, m, r, a->xht + i0 * lanes, lanes,
                    j0 > 0, &next);
          tile_wtx (impl, a->X + i0 * m, m, ib, j0, jc, a->scratch, r, a->wtx, m,
                    a->accumulate || i0 > 0);
        }

      /* xht[i0 .. i0 + ib) += W[i0 .. i0 + ib) gram_w, as one more tile. */
      tile_xht (impl, a->W + i0 * r, r, ib, 0, r, a->packed_gram_w,
                a->gram_w + f32_packed_rows (r) * r, r, r, a->xht + i0 * lanes, lanes, TRUE,
                NULL);
    }

  /* wtx[.., col0 .. col1) += gram_h H[.., col0 .. col1), as more rows
   * (gram_h is symmetric, so it packs like W). */
  for (gsize k0 = 0; a->col1 > a->col0 && k0 < r; k0 += F32_TILE_ROWS)
    {
      gsize kb = MIN (F32_TILE_ROWS, r - k0);

      pack_w_tile (impl, a->gram_h + k0 * r, kb, r, a->scratch);
      tile_wtx (impl, a->H + k0 * m, m, kb, a->col0, a->col1 - a->col0, a->scratch, r,
                a->wtx, m, TRUE);
    }
}

#endif /* FS_PRODUCTS_HAVE_SIMD */

static void
products_blas (const FsProductsF32Args *a)
{
  int rows = (int) a->rows, m = (int) a->m, r = (int) a->r;
  int lanes = (int) f32_round_up8 (a->r), cols = (int) (a->col1 - a->col0);

  g_assert (a->rows <= G_MAXINT && a->m <= G_MAXINT && a->r <= G_MAXINT);

  if (rows > 0)
    {
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, r, m,
                   1.0f, a->X, m, a->H, m, 0.0f, a->xht, lanes);
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, r, r,
                   1.0f, a->W, r, a->gram_w, r, 1.0f, a->xht, lanes);
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r, m, rows,
                   1.0f, a->W, r, a->X, m, a->accumulate ? 1.0f : 0.0f, a->wtx, m);
    }
  else if (!a->accumulate)
    memset (a->wtx, 0, a->r * a->m * sizeof (float));

  if (cols > 0)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, r, cols, r,
                 1.0f, a->gram_h, r, a->H + a->col0, m, 1.0f, a->wtx + a->col0, m);
}

void
fs_products_f32_rows (const FsProductsF32Args *args)
{
  g_assert (args != NULL);
  g_assert (args->X != NULL || args->rows == 0);
  g_assert (args->W != NULL || args->rows == 0);
  g_assert (args->H != NULL && args->xht != NULL && args->wtx != NULL && args->gram_h != NULL);
  g_assert (args->m > 0 && args->r > 0);
  g_assert (args->col0 <= args->col1 && args->col1 <= args->m);

#ifdef FS_PRODUCTS_HAVE_SIMD
  if (args->impl != FS_PRODUCTS_BLAS)
    {
      g_assert ((args->packed_h != NULL && args->packed_gram_w != NULL) || args->r < 8);
      g_assert (args->gram_w != NULL && args->scratch != NULL);
      products_tiles (args);
      return;
    }
#endif

  g_assert (args->gram_w != NULL);
  products_blas (args);
}
