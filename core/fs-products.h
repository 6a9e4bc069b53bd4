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

/* The same passes in single precision (fs-products-f32.c), for the
 * float32 solver (fs-solver-f32.c). For a block of rows of a float X:
 *
 *   xht = X H^T + W gram_w                       (rows × r, leading
 *                                                 dimension fs_products_f32_lanes (r))
 *   wtx = W^T X + [gram_h H over col0 .. col1)   (r × m, leading dimension m)
 *
 * with float copies of W (rows × r), H (r × m) and the two r × r
 * matrices. Every product, sum and result here is a float. On CPUs with AVX2 and FMA both come
 * from one pass over the block, tile by tile, on vectors of 8 floats; with
 * AVX-512 on vectors of 16 (with one of 8 where the lanes ask for it);
 * elsewhere from OpenBLAS sgemm calls. The first r - r % 8 rows of H are
 * read from a copy packed by fs_products_f32_pack in lanes of 8, the
 * others where they are (dot products along the rows of X). xht's leading
 * dimension is r rounded up to 8 (fs_products_f32_lanes), which the
 * OpenBLAS path may use; the values past r are scratch. */
typedef struct
{
  FsProductsImpl impl;
  const float   *X;             /* rows × m, leading dimension m */
  gsize          rows;
  gsize          m;
  gsize          r;
  const float   *W;             /* rows × r */
  const float   *H;             /* r × m (OpenBLAS) */
  const float   *packed_h;      /* H packed (AVX2, AVX-512) */
  const float   *gram_w;        /* r × r, symmetric (OpenBLAS) */
  const float   *packed_gram_w; /* gram_w packed as an r × r "H" (AVX2, AVX-512) */
  const float   *gram_h;        /* r × r, symmetric */
  gsize          col0;          /* the columns that get gram_h H */
  gsize          col1;
  float         *scratch;       /* fs_products_f32_scratch_len floats (AVX2, AVX-512) */
  float         *xht;           /* out: rows × fs_products_f32_lanes (r) */
  float         *wtx;           /* out: r × m */
  gboolean       accumulate;    /* add to wtx instead of overwriting it */
} FsProductsF32Args;

gsize          fs_products_f32_lanes       (gsize                     r);
gsize          fs_products_f32_packed_len  (FsProductsImpl            impl,
                                            gsize                     r,
                                            gsize                     m);
gsize          fs_products_f32_scratch_len (FsProductsImpl            impl,
                                            gsize                     r);
void           fs_products_f32_pack        (FsProductsImpl            impl,
                                            const double             *H,
                                            gsize                     r,
                                            gsize                     m,
                                            gsize                     col0,
                                            gsize                     col1,
                                            float                    *packed);
void           fs_products_f32_rows        (const FsProductsF32Args  *args);

G_END_DECLS
