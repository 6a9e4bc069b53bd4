/* fs-products.h: the products over X that one iteration needs.
 *
 * For a block of rows of X (row-major, n × m, leading dimension m), with W
 * the same rows of the n × r factor, H the whole r × m factor and two
 * symmetric r × r matrices gram_w and gram_h:
 *
 *   xht = X H^T + W gram_w                       (rows × r, leading dimension r)
 *   wtx = W^T X + [gram_h H over col0 .. col1)   (r × m, leading dimension m)
 *
 * (with accumulate, wtx += instead, so that a thread can take several
 * blocks of rows in turn) *
 * With gram_w = -(H H^T + l2_w I) and gram_h = -(W^T W + l2_h I) these are
 * minus half the two gradients: the solver needs nothing else over X. wtx
 * adds gram_h H only on the given columns, so that threads which each take
 * some rows and some columns sum to the whole.
 *
 * On CPUs with AVX2 and FMA both come from one pass over the block, tile by
 * tile, while the tile is in cache, with H (and gram_w) read from copies
 * packed by fs_products_pack; with AVX-512, the same pass runs on vectors
 * of 8. Elsewhere they are single-threaded OpenBLAS calls; the results
 * agree to rounding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FS_PRODUCTS_BLAS,
  FS_PRODUCTS_AVX2,
  FS_PRODUCTS_AVX512,
} FsProductsImpl;

typedef struct
{
  FsProductsImpl impl;
  const double  *X;             /* rows × m, leading dimension m */
  gsize          rows;
  gsize          m;
  gsize          r;
  const double  *W;             /* rows × r */
  const double  *H;             /* r × m */
  const double  *packed_h;      /* H packed (AVX2, AVX-512) */
  const double  *gram_w;        /* r × r, symmetric */
  const double  *packed_gram_w; /* gram_w packed as an r × r "H" (AVX2, AVX-512) */
  const double  *gram_h;        /* r × r, symmetric */
  gsize          col0;          /* the columns that get gram_h H */
  gsize          col1;
  double        *scratch;       /* fs_products_scratch_len values (AVX2, AVX-512) */
  double        *xht;           /* out: rows × r */
  double        *wtx;           /* out: r × m */
  gboolean       accumulate;    /* add to wtx instead of overwriting it */
} FsProductsArgs;

FsProductsImpl fs_products_best_impl    (FsProductsImpl        most);
gboolean       fs_products_impl_from_name (const char         *name,
                                         FsProductsImpl       *impl);
const char    *fs_products_impl_name    (FsProductsImpl        impl);
gsize          fs_products_packed_len   (FsProductsImpl        impl,
                                         gsize                 r,
                                         gsize                 m);
gsize          fs_products_scratch_len  (FsProductsImpl        impl,
                                         gsize                 r);
void           fs_products_pack         (FsProductsImpl        impl,
                                         const double         *H,
                                         gsize                 r,
                                         gsize                 m,
                                         gsize                 col0,
                                         gsize                 col1,
                                         double               *packed);
void           fs_products_rows         (const FsProductsArgs *args);
void           fs_products_grams        (FsProductsImpl        impl,
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

G_END_DECLS
