/* fs-products.c: which implementation of the products runs, and the
 * OpenBLAS one.
 *
 * The vector paths are fs-products-tiles.c, which walks X tile by tile,
 * and the kernels it calls, one file per instruction set:
 * fs-products-avx2.c (AVX2 and FMA, vectors of 4) and fs-products-avx512.c
 * (AVX-512 F and VL, vectors of 8). They are built only on x86-64
 * (FS_PRODUCTS_HAVE_SIMD); this file asks the CPU which of them it runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <cblas.h>
#include <string.h>

#include "fs-products-private.h"

static const char *const impl_names[] = { "blas", "avx2", "avx512" };

/* The implementation a name stands for ("blas", "avx2", "avx512", in any
 * case); NULL or "" stand for the fastest, avx512. FALSE for any other. */
gboolean
fs_products_impl_from_name (const char     *name,
                            FsProductsImpl *impl)
{
  g_return_val_if_fail (impl != NULL, FALSE);

  if (name == NULL || *name == '\0')
    {
      *impl = FS_PRODUCTS_AVX512;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (impl_names); i++)
    if (g_ascii_strcasecmp (name, impl_names[i]) == 0)
      {
        *impl = (FsProductsImpl) i;
        return TRUE;
      }
  return FALSE;
}

/* The fastest implementation this CPU runs, up to `most` (FsParams'
 * products: avx2 runs the AVX2 kernels on a CPU that has AVX-512 too). */
FsProductsImpl
fs_products_best_impl (FsProductsImpl most)
{
  FsProductsImpl best = FS_PRODUCTS_BLAS;

#ifdef FS_PRODUCTS_HAVE_SIMD
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    best = FS_PRODUCTS_AVX2;
  if (best == FS_PRODUCTS_AVX2 && __builtin_cpu_supports ("avx512f") &&
      __builtin_cpu_supports ("avx512vl"))
    best = FS_PRODUCTS_AVX512;
#endif
  return MIN (best, most);
}

const char *
fs_products_impl_name (FsProductsImpl impl)
{
  g_return_val_if_fail (impl < G_N_ELEMENTS (impl_names), "blas");
  return impl_names[impl];
}

gsize
fs_products_packed_len (FsProductsImpl impl,
                        gsize          r,
                        gsize          m)
{
  return impl != FS_PRODUCTS_BLAS ? round_up4 (r) * m : 0;
}

/* Room for a tile of W packed by pack_w_tile; r rounded up to 4 leaves
 * the value that its 3-column blocks (AVX2) store past the end. */
gsize
fs_products_scratch_len (FsProductsImpl impl,
                         gsize          r)
{
  return impl != FS_PRODUCTS_BLAS ? SMALL_ROWS * round_up4 (r) : 0;
}

/* The packed copy holds the first packed_rows (r) rows of H as a run of
 * blocks of w lanes (lanes_block: 12 or 24 mostly, a multiple of 4 always). The
 * block of lanes kb .. kb + w - 1 starts at kb * m and holds, for each
 * column j, the w values H[kb .. kb + w - 1][j]. This packs columns
 * col0 .. col1 - 1 of H (r × m, leading dimension m), so that threads can
 * share the work. */
void
fs_products_pack (FsProductsImpl impl,
                  const double  *H,
                  gsize          r,
                  gsize          m,
                  gsize          col0,
                  gsize          col1,
                  double        *packed)
{
  if (impl == FS_PRODUCTS_BLAS)
    return;

  g_assert (H != NULL && packed != NULL && col0 <= col1 && col1 <= m);
#ifdef FS_PRODUCTS_HAVE_SIMD
  fs_products_avx2_pack_h (impl, H, r, m, col0, col1, packed);
#endif
}

static void
products_blas (const FsProductsArgs *a)
{
  int rows = (int) a->rows, m = (int) a->m, r = (int) a->r;
  int cols = (int) (a->col1 - a->col0);

  g_assert (a->rows <= G_MAXINT && a->m <= G_MAXINT && a->r <= G_MAXINT);

  if (rows > 0)
    {
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, rows, r, m,
                   1.0, a->X, m, a->H, m, 0.0, a->xht, r);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, r, r,
                   1.0, a->W, r, a->gram_w, r, 1.0, a->xht, r);
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r, m, rows,
                   1.0, a->W, r, a->X, m, a->accumulate ? 1.0 : 0.0, a->wtx, m);
    }
  else if (!a->accumulate)
    memset (a->wtx, 0, a->r * a->m * sizeof (double));

  if (cols > 0)
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, r, cols, r,
                 1.0, a->gram_h, r, a->H + a->col0, m, 1.0, a->wtx + a->col0, m);
}

/* wtw = W^T W for rows × r W, and hht = H[.., col0 .. col1) times its
 * transpose for r × m H, the columns already packed into packed_h (AVX2).
 * Both r × r, of which only the upper triangles are filled for sure. */
void
fs_products_grams (FsProductsImpl impl,
                   const double  *W,
                   gsize          rows,
                   gsize          r,
                   const double  *H,
                   gsize          m,
                   gsize          col0,
                   gsize          col1,
                   const double  *packed_h,
                   double        *wtw,
                   double        *hht)
{
  g_assert (H != NULL && wtw != NULL && hht != NULL && (W != NULL || rows == 0));
  g_assert (col0 <= col1 && col1 <= m && r > 0);
  g_assert (rows <= G_MAXINT && m <= G_MAXINT && r <= G_MAXINT);

#ifdef FS_PRODUCTS_HAVE_SIMD
  if (impl != FS_PRODUCTS_BLAS)
    {
      g_assert (packed_h != NULL);
      fs_products_tiles_grams (impl, W, rows, r, H, m, col0, col1, packed_h, wtw, hht);
      return;
    }
#endif

  memset (wtw, 0, r * r * sizeof (double));
  memset (hht, 0, r * r * sizeof (double));
  if (rows > 0)
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) r, (int) rows,
                 1.0, W, (int) r, 0.0, wtw, (int) r);
  if (col1 > col0)
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) r, (int) (col1 - col0),
                 1.0, H + col0, (int) m, 0.0, hht, (int) r);
}

void
fs_products_rows (const FsProductsArgs *args)
{
  g_assert (args != NULL);
  g_assert (args->X != NULL || args->rows == 0);
  g_assert (args->W != NULL || args->rows == 0);
  g_assert (args->H != NULL && args->xht != NULL && args->wtx != NULL);
  g_assert (args->gram_w != NULL && args->gram_h != NULL);
  g_assert (args->m > 0 && args->r > 0);
  g_assert (args->col0 <= args->col1 && args->col1 <= args->m);

#ifdef FS_PRODUCTS_HAVE_SIMD
  if (args->impl != FS_PRODUCTS_BLAS)
    {
      g_assert (args->packed_h != NULL && args->packed_gram_w != NULL && args->scratch != NULL);
      fs_products_tiles_rows (args);
      return;
    }
#endif

  products_blas (args);
}
