/* fs-products.c
 *
 * The two products of an iteration are thin: r is small next to n and m,
 * and a general GEMM spends much of its time repacking X, which never
 * changes. The AVX2 path reads X where it lies instead and walks it in
 * tiles that stay in L2 while both products use them:
 *
 *   xht: 4 rows of X times a packed block of up to 12 rows of H; the four
 *        rows' elements are broadcast and the block is read 4 lanes at a
 *        time, so 12 accumulators live in registers for a whole tile row.
 *   wtx: 4 columns of W (broadcast) times 12 columns of X, accumulated down
 *        the tile's rows; again 12 accumulators.
 *
 * Each step does 12 fused multiply-adds for 7 loads, which keeps both FMA
 * units busy. Only H is packed (r × m, once per iteration): its rows are
 * regrouped so that the 12 values a step needs are contiguous. When r is
 * not a multiple of 4, its last r % 4 rows are not packed; their part of
 * xht comes from dot products along the rows of X (kernel_dot), so that no
 * lane of a vector is padding. These run on each block of rows right after
 * the last lanes of xht, while its rows of X are still in L1: they do
 * little work per value of X, and a pass of their own reads all of the
 * tile from L2 once more.
 *
 * With AVX-512 the same pass runs on vectors of 8, twice the work per
 * instruction, in 32 registers: blocks of up to 24 lanes of H (the last 4
 * of a block in a vector of 4 where the lanes are not a multiple of 8) by
 * 8 or 12 rows of X, and 8 columns of W by 24 columns of X. The packed
 * copy of H is laid out as for AVX2, only in longer blocks; the layout
 * helpers below take the implementation for that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-products"

#include <cblas.h>
#include <string.h>

#include "fs-products.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define FS_PRODUCTS_HAVE_AVX2 1
#include <immintrin.h>
#endif

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

static gsize
round_up4 (gsize k)
{
  return (k + 3) & ~(gsize) 3;
}

/* The rows of H that are packed, in lanes of 4; the last r % 4 rows go
 * to kernel_dot instead, so that no lane is padding. */
static gsize
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
static gsize
lanes_block (FsProductsImpl impl,
             gsize          left)
{
  gsize pieces;

  if (impl != FS_PRODUCTS_AVX512)
    return left == 16 ? 8 : MIN (left, BLOCK_K);
  pieces = (left + BLOCK_K512 - 1) / BLOCK_K512;
  return MAX ((left / pieces + 3) / 4 * 4, 4);
}

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

/* Columns of W per block, of `left`. AVX2: 4, and 3 at the end as often
 * as it takes to make the rest a multiple of 4 (10 = 4 + 3 + 3, not
 * 4 + 4 + 2), which leaves no block under 3 from r = 6 on. AVX-512: up to
 * 8, as even as can be (50 = 8 + 6 × 7). */
static int
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

/* -1, or the most that fs_products_best_impl may return. */
static gint forced = -1;

static const char *const impl_names[] = { "blas", "avx2", "avx512" };

/* Makes fs_products_best_impl return BLAS (TRUE) or the fastest this CPU
 * runs (FALSE) for solvers created from now on: for tests and benchmarks. */
void
fs_products_force_blas (gboolean blas)
{
  g_atomic_int_set (&forced, blas ? FS_PRODUCTS_BLAS : -1);
}

/* The same by name ("blas", "avx2", "avx512"; NULL or "" for the fastest):
 * fs_products_best_impl then returns the fastest this CPU runs up to that
 * one. FALSE for a name that is none of these, which changes nothing. */
gboolean
fs_products_force_name (const char *name)
{
  if (name == NULL || *name == '\0')
    {
      g_atomic_int_set (&forced, -1);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (impl_names); i++)
    if (g_ascii_strcasecmp (name, impl_names[i]) == 0)
      {
        g_atomic_int_set (&forced, (gint) i);
        return TRUE;
      }
  return FALSE;
}

FsProductsImpl
fs_products_best_impl (void)
{
  FsProductsImpl best = FS_PRODUCTS_BLAS;
  gint most = g_atomic_int_get (&forced);

#ifdef FS_PRODUCTS_HAVE_AVX2
  __builtin_cpu_init ();
  if (__builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
    best = FS_PRODUCTS_AVX2;
  if (best == FS_PRODUCTS_AVX2 && __builtin_cpu_supports ("avx512f") &&
      __builtin_cpu_supports ("avx512vl"))
    best = FS_PRODUCTS_AVX512;
#endif
  return most >= 0 ? MIN (best, (FsProductsImpl) most) : best;
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

#ifdef FS_PRODUCTS_HAVE_AVX2
static void pack_h_avx2 (FsProductsImpl impl,
                         const double *H,
                         gsize         r,
                         gsize         m,
                         gsize         col0,
                         gsize         col1,
                         double       *packed) __attribute__ ((target ("avx2,fma")));
#endif

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
#ifdef FS_PRODUCTS_HAVE_AVX2
  pack_h_avx2 (impl, H, r, m, col0, col1, packed);
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

#ifdef FS_PRODUCTS_HAVE_AVX2

#define TARGET __attribute__ ((target ("avx2,fma")))
#define KERNEL static inline __attribute__ ((always_inline, target ("avx2,fma")))

/* -1 in the first `lanes` lanes: the mask for a partial vector. */
KERNEL __m256i
lane_mask (gsize lanes)
{
  static const gint64 table[8] = { -1, -1, -1, -1, 0, 0, 0, 0 };

  return _mm256_loadu_si256 ((const __m256i *) (table + 4 - lanes));
}

/* Stores the first `lanes` values of v at o. Masked stores take about 12
 * cycles each on Zen 2 and 3; these take one or two. */
KERNEL void
store_lanes (double *o,
             __m256d v,
             gsize   lanes)
{
  __m128d low = _mm256_castpd256_pd128 (v);

  switch (lanes)
    {
    case 4:
      _mm256_storeu_pd (o, v);
      break;
    case 3:
      _mm_storeu_pd (o, low);
      _mm_store_sd (o + 2, _mm256_extractf128_pd (v, 1));
      break;
    case 2:
      _mm_storeu_pd (o, low);
      break;
    default:
      _mm_store_sd (o, low);
      break;
    }
}

/* out[a][0 .. 4 nv) = (accumulate ? out : 0) + sum_j x[a][j] hp[j][..] for
 * a < mr; every lane is a row of H (packed_rows), so whole vectors go out.
 * mr nv <= 12 and mr <= 8 (xht_rows). */
KERNEL void
kernel_xht (const int     mr,
            const int     nv,
            const double *x,
            gsize         ldx,
            gsize         jlen,
            const double *hp,
            double       *out,
            gsize         ldo,
            gboolean      accumulate)
{
  __m256d acc[8][3];

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_pd ();

  /* Unrolled, the loop runs about 15% faster on Zen 3: fewer pointer
   * updates and branches per fused multiply-add. */
#pragma GCC unroll 4
  for (gsize j = 0; j < jlen; j++)
    {
      const double *h = hp + j * 4 * (gsize) nv;
      __m256d hv[3];

#pragma GCC unroll 4
      for (int v = 0; v < nv; v++)
        hv[v] = _mm256_loadu_pd (h + 4 * v);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xb = _mm256_broadcast_sd (x + a * ldx + j);

#pragma GCC unroll 4
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_pd (xb, hv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 8
  for (int a = 0; a < mr; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      {
        double *o = out + a * ldo + 4 * v;

        _mm256_storeu_pd (o, accumulate ? _mm256_add_pd (acc[a][v], _mm256_loadu_pd (o))
                                        : acc[a][v]);
      }
}

/* out[a][0 .. 4 nv) = (accumulate ? out : 0) + sum_i w[i][a] x[i][..] for
 * a < mk; with `masked`, the last vector covers only the first tail_lanes
 * lanes, which `tail` masks. */
KERNEL void
kernel_wtx (const int      mk,
            const int      nv,
            const gboolean masked,
            const double  *x,
            gsize          ldx,
            gsize          ilen,
            const double  *w,
            gsize          ldw,
            double        *out,
            gsize          ldo,
            __m256i        tail,
            gsize          tail_lanes,
            gboolean       accumulate)
{
  __m256d acc[4][3];

  /* The sums land in W^T X, which may be out in L3: ask for it now. */
  if (accumulate)
    {
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __builtin_prefetch (out + a * ldo, 1, 3);
          __builtin_prefetch (out + a * ldo + 4 * nv - 1, 1, 3);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      acc[a][v] = _mm256_setzero_pd ();

#pragma GCC unroll 4
  for (gsize i = 0; i < ilen; i++)
    {
      const double *xi = x + i * ldx;
      const double *wi = w + i * ldw;
      __m256d xv[3];

#pragma GCC unroll 4
      for (int v = 0; v < nv; v++)
        xv[v] = masked && v == nv - 1 ? _mm256_maskload_pd (xi + 4 * v, tail)
                                      : _mm256_loadu_pd (xi + 4 * v);
#pragma GCC unroll 4
      for (int a = 0; a < mk; a++)
        {
          __m256d wb = _mm256_broadcast_sd (wi + a);

#pragma GCC unroll 4
          for (int v = 0; v < nv; v++)
            acc[a][v] = _mm256_fmadd_pd (wb, xv[v], acc[a][v]);
        }
    }

#pragma GCC unroll 4
  for (int a = 0; a < mk; a++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      {
        double *o = out + a * ldo + 4 * v;

        if (masked && v == nv - 1)
          {
            __m256d sum = accumulate ? _mm256_add_pd (acc[a][v], _mm256_maskload_pd (o, tail))
                                     : acc[a][v];
            store_lanes (o, sum, tail_lanes);
          }
        else
          {
            __m256d sum = accumulate ? _mm256_add_pd (acc[a][v], _mm256_loadu_pd (o))
                                     : acc[a][v];
            _mm256_storeu_pd (o, sum);
          }
      }
}

/* out[a][k] (+)= sum_j x[a][j] h[k][j] for a < mr, k < nk: the last
 * r % 4 rows of H, which would fill only part of a vector of lanes in
 * kernel_xht, as dot products along the rows instead. mr nk <= 12, and
 * mr <= 4 unless nk is 1. */
KERNEL void
kernel_dot (const int     mr,
            const int     nk,
            const double *x,
            gsize         ldx,
            gsize         jlen,
            const double *h,
            gsize         ldh,
            double       *out,
            gsize         ldo,
            gboolean      accumulate)
{
  __m256d acc[8][3];
  gsize j = 0;

#pragma GCC unroll 8
  for (int a = 0; a < 8; a++)
#pragma GCC unroll 4
    for (int k = 0; k < nk; k++)
      acc[a][k] = _mm256_setzero_pd ();

#pragma GCC unroll 2
  for (; j + 4 <= jlen; j += 4)
    {
      __m256d hv[3];

#pragma GCC unroll 4
      for (int k = 0; k < nk; k++)
        hv[k] = _mm256_loadu_pd (h + k * ldh + j);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xv = _mm256_loadu_pd (x + a * ldx + j);

#pragma GCC unroll 4
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm256_fmadd_pd (xv, hv[k], acc[a][k]);
        }
    }
  if (j < jlen)
    {
      __m256i mask = lane_mask (jlen - j);
      __m256d hv[3];

#pragma GCC unroll 4
      for (int k = 0; k < nk; k++)
        hv[k] = _mm256_maskload_pd (h + k * ldh + j, mask);
#pragma GCC unroll 8
      for (int a = 0; a < mr; a++)
        {
          __m256d xv = _mm256_maskload_pd (x + a * ldx + j, mask);

#pragma GCC unroll 4
          for (int k = 0; k < nk; k++)
            acc[a][k] = _mm256_fmadd_pd (xv, hv[k], acc[a][k]);
        }
    }

  /* Four sums at a time: (a0, a1, a2, a3) in one vector. */
#pragma GCC unroll 4
  for (int k = 0; k < nk; k++)
#pragma GCC unroll 2
    for (int a0 = 0; a0 < mr; a0 += 4)
      {
        __m256d t0 = _mm256_hadd_pd (acc[a0][k], acc[a0 + 1][k]);
        __m256d t1 = _mm256_hadd_pd (acc[a0 + 2][k], acc[a0 + 3][k]);
        double sums[4];

        _mm256_storeu_pd (sums, _mm256_add_pd (_mm256_permute2f128_pd (t0, t1, 0x20),
                                               _mm256_permute2f128_pd (t0, t1, 0x31)));
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++)
          if (a0 + q < mr)
            {
              double *o = out + (gsize) (a0 + q) * ldo + k;

              *o = accumulate ? *o + sums[q] : sums[q];
            }
      }
}

/* Each (rows, vectors) shape becomes its own fully unrolled kernel. */
#define XHT_CASE(MR, NV) \
  case (MR) * 4 + (NV): \
    kernel_xht (MR, NV, x, ldx, jlen, hp, out, ldo, accumulate); \
    break

TARGET static void
tile_xht (int           mr,
          int           nv,
          const double *x,
          gsize         ldx,
          gsize         jlen,
          const double *hp,
          double       *out,
          gsize         ldo,
          gboolean      accumulate)
{
  switch (mr * 4 + nv)
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

#define DOT_CASE(MR, NK) \
  case (MR) * 4 + (NK): \
    kernel_dot (MR, NK, x, ldx, jlen, h, ldh, out, ldo, accumulate); \
    break

TARGET static void
tile_dot (int           mr,
          int           nk,
          const double *x,
          gsize         ldx,
          gsize         jlen,
          const double *h,
          gsize         ldh,
          double       *out,
          gsize         ldo,
          gboolean      accumulate)
{
  switch (mr * 4 + nk)
    {
    DOT_CASE (8, 1); DOT_CASE (7, 1); DOT_CASE (6, 1); DOT_CASE (5, 1);
    DOT_CASE (4, 1); DOT_CASE (3, 1); DOT_CASE (2, 1); DOT_CASE (1, 1);
    DOT_CASE (6, 2); DOT_CASE (5, 2);
    DOT_CASE (4, 2); DOT_CASE (3, 2); DOT_CASE (2, 2); DOT_CASE (1, 2);
    DOT_CASE (4, 3); DOT_CASE (3, 3); DOT_CASE (2, 3); DOT_CASE (1, 3);
    default:
      g_assert_not_reached ();
    }
}

#define WTX_CASE(MK, NV, MASKED) \
  case ((MK) * 4 + (NV)) * 2 + (MASKED): \
    kernel_wtx (MK, NV, MASKED, x, ldx, ilen, w, ldw, out, ldo, tail, tail_lanes, accumulate); \
    break
#define WTX_CASES(MK) \
  WTX_CASE (MK, 3, 0); WTX_CASE (MK, 2, 0); WTX_CASE (MK, 1, 0); \
  WTX_CASE (MK, 3, 1); WTX_CASE (MK, 2, 1); WTX_CASE (MK, 1, 1)

/* kernel_wtx on c <= 12 columns of x. */
TARGET static void
tile_wtx (int           mk,
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
  int nv = (int) ((c + 3) / 4);
  gboolean masked = c % 4 != 0;
  gsize tail_lanes = masked ? c % 4 : 4;
  __m256i tail = lane_mask (tail_lanes);

  switch ((mk * 4 + nv) * 2 + (masked ? 1 : 0))
    {
    WTX_CASES (4);
    WTX_CASES (3);
    WTX_CASES (2);
    WTX_CASES (1);
    default:
      g_assert_not_reached ();
    }
}

#define TARGET512 __attribute__ ((target ("avx512f,avx512vl,avx2,fma")))
#define KERNEL512 static inline __attribute__ ((always_inline, target ("avx512f,avx512vl,avx2,fma")))

/* kernel_xht on vectors of 8: out[a][0 .. 8 nz + 4 half) (+)= sum_j
 * x[a][j] hp[j][..] for a < mr, the last 4 lanes in a vector of 4 with
 * half. mr (nz + half) <= 24. */
KERNEL512 void
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
KERNEL512 void
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
TARGET512 static void
tile_xht512 (int           mr,
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
TARGET512 static void
tile_wtx512 (int           mk,
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
    tile_xht512 ((int) mr, (int) w, x, ldx, jlen, hp, out, ldo, accumulate);
  else
    tile_xht ((int) mr, (int) (w / 4), x, ldx, jlen, hp, out, ldo, accumulate);
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
    tile_wtx512 ((int) mk, c, x, ldx, ilen, w, ldw, out, ldo, accumulate);
  else
    tile_wtx ((int) mk, c, x, ldx, ilen, w, ldw, out, ldo, accumulate);
}

/* Copies rows 0 .. ib - 1 of W (leading dimension r) in blocks of
 * rows_block columns; the block of w columns from column kb starts at
 * dst + kb ib and holds each row's w values in turn. */
TARGET static void
pack_w_tile_avx2 (const double *W,
                  gsize         ib,
                  gsize         r,
                  double       *dst)
{
  for (gsize kb = 0, w; kb < r; kb += w)
    {
      double *d = dst + kb * ib;

      w = (gsize) rows_block (FS_PRODUCTS_AVX2, r - kb);
      if (w == 4)
        for (gsize i = 0; i < ib; i++)
          _mm256_storeu_pd (d + 4 * i, _mm256_loadu_pd (W + i * r + kb));
      else if (w == 3)
        {
          __m256i mask = lane_mask (3);

          /* Each row's fourth value lands on the next row's first, which
           * the next store then writes; the last one lands past the
           * block, on scratch that fs_products_scratch_len leaves. */
          for (gsize i = 0; i < ib; i++)
            _mm256_storeu_pd (d + 3 * i, _mm256_maskload_pd (W + i * r + kb, mask));
        }
      else
        for (gsize i = 0; i < ib; i++)
          for (gsize a = 0; a < w; a++)
            d[w * i + a] = W[i * r + kb + a];
    }
}

TARGET512 static void
pack_w_tile512 (const double *W,
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

static void
pack_w_tile (FsProductsImpl impl,
             const double  *W,
             gsize          ib,
             gsize          r,
             double        *dst)
{
  if (impl == FS_PRODUCTS_AVX512)
    pack_w_tile512 (W, ib, r, dst);
  else
    pack_w_tile_avx2 (W, ib, r, dst);
}

/* fs_products_pack, 4 lanes by 4 columns at a time: 4 rows of H in,
 * transposed in registers, 4 columns out. */
TARGET static void
pack_h_avx2 (FsProductsImpl impl,
             const double *H,
             gsize         r,
             gsize         m,
             gsize         col0,
             gsize         col1,
             double       *packed)
{
  gsize r_pad = packed_rows (r);
  gsize col4 = col0 + (col1 - col0) / 4 * 4;

  for (gsize kb = 0, w; kb < r_pad; kb += w)
    {
      double *dst = packed + kb * m;

      w = lanes_block (impl, r_pad - kb);
      for (gsize l = 0; l < w; l += 4)
        {
          const double *row = H + (kb + l) * m;

          for (gsize j = col0; j < col4; j += 4)
            {
              __m256d v[4], t[4];

              for (gsize q = 0; q < 4; q++)
                v[q] = _mm256_loadu_pd (row + q * m + j);
              t[0] = _mm256_unpacklo_pd (v[0], v[1]);
              t[1] = _mm256_unpackhi_pd (v[0], v[1]);
              t[2] = _mm256_unpacklo_pd (v[2], v[3]);
              t[3] = _mm256_unpackhi_pd (v[2], v[3]);
              _mm256_storeu_pd (dst + j * w + l, _mm256_permute2f128_pd (t[0], t[2], 0x20));
              _mm256_storeu_pd (dst + (j + 1) * w + l, _mm256_permute2f128_pd (t[1], t[3], 0x20));
              _mm256_storeu_pd (dst + (j + 2) * w + l, _mm256_permute2f128_pd (t[0], t[2], 0x31));
              _mm256_storeu_pd (dst + (j + 3) * w + l, _mm256_permute2f128_pd (t[1], t[3], 0x31));
            }
          for (gsize j = col4; j < col1; j++)
            for (gsize q = 0; q < 4; q++)
              dst[j * w + l + q] = row[q * m + j];
        }
    }
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
            tile_dot ((int) MIN (step, a0 + rows - d0), (int) nk, x + d0 * ldx, ldx,
                      jlen, rest, ldrest, xht + d0 * r + r4, r, accumulate);
        }
    }

  for (gsize a0 = 0; nk > 0 && !interleave && a0 < ib; a0 += step)
    {
      if (r4 == 0 && next != NULL && a0 < next_rows)
        prefetch_rows (next + a0 * ldx, ldx,
                       a0 + step < ib ? MIN (step, next_rows - a0) : next_rows - a0,
                       next_cols);
      tile_dot ((int) MIN (step, ib - a0), (int) nk, x + a0 * ldx, ldx, jlen,
                rest, ldrest, xht + a0 * r + r4, r, accumulate);
    }
}

static void
products_simd (const FsProductsArgs *a)
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
static void
grams_simd (FsProductsImpl impl,
            const double *W,
            gsize         rows,
            gsize         r,
            const double *H,
            gsize         m,
            gsize         col0,
            gsize         col1,
            const double *packed_h,
            double       *wtw,
            double       *hht)
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

#endif /* FS_PRODUCTS_HAVE_AVX2 */

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

#ifdef FS_PRODUCTS_HAVE_AVX2
  if (impl != FS_PRODUCTS_BLAS)
    {
      g_assert (packed_h != NULL);
      grams_simd (impl, W, rows, r, H, m, col0, col1, packed_h, wtw, hht);
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

#ifdef FS_PRODUCTS_HAVE_AVX2
  if (args->impl != FS_PRODUCTS_BLAS)
    {
      g_assert (args->packed_h != NULL && args->packed_gram_w != NULL && args->scratch != NULL);
      products_simd (args);
      return;
    }
#endif

  products_blas (args);
}
