/* fs-analysis.c
 *
 * The data term reads X a panel of rows at a time, like the solver's exact
 * cost; everything else reads only W and H, or r × r matrices made from
 * them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-analysis"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-error.h"

/* Rows of X - WH formed at a time for the data term: about 1 MiB. */
#define PANEL_BYTES ((gsize) 1 << 20)

/* The range an input with no finite non-zero value gets. */
#define EMPTY_LO -1.0
#define EMPTY_HI 0.0

/* sum over observed cells of (X - WH)^2 over rows [row0, row0 + rows),
 * with panel holding rows × m values. */
static double
panel_data_term (const FsMatrix *X,
                 const double   *W,
                 const double   *H,
                 guint           rank,
                 gsize           row0,
                 gsize           rows,
                 double         *panel)
{
  gsize m = X->cols, len = rows * m;
  const guint8 *mask = X->mask != NULL ? X->mask + row0 * m : NULL;

  memcpy (panel, X->data + row0 * m, len * sizeof (double));
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) m, (int) rank,
               -1.0, W + row0 * rank, (int) rank, H, (int) m, 1.0, panel, (int) m);
  if (mask != NULL)
    for (gsize k = 0; k < len; k++)
      if (!mask[k])
        panel[k] = 0.0;
  return cblas_ddot ((int) len, panel, 1, panel, 1);
}

/* Σ over all cells of (WH)² = <WᵀW, HHᵀ>, from the two rank × rank Grams:
 * O((n + m) r²), never n × m. */
static double
sum_wh_squares (const double *W,
                const double *H,
                gsize         n,
                gsize         m,
                guint         rank)
{
  g_autofree double *gw = g_new (double, (gsize) rank * rank);
  g_autofree double *gh = g_new (double, (gsize) rank * rank);

  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) rank, (int) rank, (int) n, 1.0,
               W, (int) rank, W, (int) rank, 0.0, gw, (int) rank);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rank, (int) rank, (int) m, 1.0,
               H, (int) m, H, (int) m, 0.0, gh, (int) rank);
  return cblas_ddot ((int) rank * (int) rank, gw, 1, gh, 1);
}

/* The data term of a sparse X over its listed cells, with H turned so
 * that each column's factors are contiguous: O(nnz r). When the unlisted
 * cells are zeros, it is summed over every cell within
 * FS_SPARSE_EXACT_BUDGET, as the solver sums it, and above that their
 * part Σ (WH)² is the whole matrix's less the listed cells' (which loses
 * the digits of a near-perfect fit). */
static double
sparse_data_term (const FsMatrix *X,
                  const double   *W,
                  const double   *H,
                  guint           rank)
{
  const FsSparse *s = X->sparse;
  gsize m = X->cols;
  g_autofree double *ht = g_new (double, m * rank);
  double sum = 0.0, listed_wh = 0.0;

  for (guint k = 0; k < rank; k++)
    for (gsize j = 0; j < m; j++)
      ht[j * rank + k] = H[k * m + j];
  if (s->zeros_are_values &&
      (double) X->rows * (double) m * (double) rank <= FS_SPARSE_EXACT_BUDGET)
    return fs_sparse_every_cell_sq (s, W, ht, rank, 0, X->rows);
  for (gsize i = 0; i < X->rows; i++)
    for (gsize e = s->row_ptr[i]; e < s->row_ptr[i + 1]; e++)
      {
        const double *w = W + i * rank, *h = ht + (gsize) s->col_idx[e] * rank;
        double wh = 0.0, res;

        for (guint k = 0; k < rank; k++)
          wh += w[k] * h[k];
        res = s->values[e] - wh;

        sum += res * res;
        listed_wh += wh * wh;
      }
  if (s->zeros_are_values)
    sum += sum_wh_squares (W, H, X->rows, m, rank) - listed_wh;
  return sum;
}

static double
data_term (const FsMatrix *X,
           const double   *W,
           const double   *H,
           guint           rank)
{
  gsize n = X->rows, m = X->cols;
  gsize panel_rows = CLAMP (PANEL_BYTES / (MAX (m, 1) * sizeof (double)), 1, MAX (n, 1));
  g_autofree double *panel = NULL;
  double sum = 0.0;

  if (n == 0 || m == 0)
    return 0.0;
  if (X->sparse != NULL)
    return sparse_data_term (X, W, H, rank);
  panel = g_new (double, panel_rows * m);
  for (gsize i0 = 0; i0 < n; i0 += panel_rows)
    sum += panel_data_term (X, W, H, rank, i0, MIN (panel_rows, n - i0), panel);
  return sum;
}

/* The terms of the solver's cost at W and H (DESIGN.md section 5): the
 * data term from the residual itself, never from the Gram form, and each
 * penalty as weight × norm, zero when its weight is. */
void
fs_cost_terms (const FsMatrix *X,
               const double   *W,
               const double   *H,
               guint           rank,
               const FsParams *params,
               FsCostTerms    *terms)
{
  gsize len_w, len_h;

  g_return_if_fail (X != NULL && W != NULL && H != NULL);
  g_return_if_fail (params != NULL && terms != NULL);

  len_w = X->rows * rank;
  len_h = (gsize) rank * X->cols;
  *terms = (FsCostTerms) { .data = data_term (X, W, H, rank) };
  if (params->l2_w != 0.0)
    terms->l2_w = params->l2_w * cblas_ddot ((int) len_w, W, 1, W, 1);
  if (params->l2_h != 0.0)
    terms->l2_h = params->l2_h * cblas_ddot ((int) len_h, H, 1, H, 1);
  if (params->l1_w != 0.0)
    terms->l1_w = params->l1_w * cblas_dasum ((int) len_w, W, 1);
  if (params->l1_h != 0.0)
    terms->l1_h = params->l1_h * cblas_dasum ((int) len_h, H, 1);
}

/* In the order the solver adds them: the data term, then the penalties. */
double
fs_cost_terms_sum (const FsCostTerms *terms)
{
  g_return_val_if_fail (terms != NULL, NAN);

  return terms->data + (terms->l2_w + terms->l2_h + terms->l1_w + terms->l1_h);
}

/* The largest finite magnitude, 0 when there is none. */
static double
plain_max_magnitude (const double *values,
                     gsize         len)
{
  double max = 0.0;

  for (gsize k = 0; k < len; k++)
    if (isfinite (values[k]))
      max = MAX (max, fabs (values[k]));
  return max;
}

typedef struct
{
  gsize exact;
  gsize small;
  gsize nan;
} Counts;

/* Counts |v| == 0, |v| <= threshold and NaN. Two lanes at a time where
 * SSE2 is there (every x86-64), which counts 100 000 values in about half
 * the time of the plain loop. */
static Counts
count_below (const double *values,
             gsize         len,
             double        threshold)
{
  Counts c = { 0 };
  gsize k = 0;
#ifdef __SSE2__
  __m128d magnitude = _mm_castsi128_pd (_mm_set1_epi64x (G_GINT64_CONSTANT (0x7fffffffffffffff)));
  __m128d zero = _mm_setzero_pd (), limit = _mm_set1_pd (threshold);
  __m128i exact = _mm_setzero_si128 (), small = _mm_setzero_si128 (), nan = _mm_setzero_si128 ();
  gint64 lanes[2];

  /* A true comparison is all ones: -1 as an integer, subtracted. */
  for (; k + 2 <= len; k += 2)
    {
      __m128d v = _mm_and_pd (_mm_loadu_pd (values + k), magnitude);

      exact = _mm_sub_epi64 (exact, _mm_castpd_si128 (_mm_cmpeq_pd (v, zero)));
      small = _mm_sub_epi64 (small, _mm_castpd_si128 (_mm_cmple_pd (v, limit)));
      nan = _mm_sub_epi64 (nan, _mm_castpd_si128 (_mm_cmpunord_pd (v, v)));
    }
  _mm_storeu_si128 ((__m128i *) lanes, exact);
  c.exact = (gsize) (lanes[0] + lanes[1]);
  _mm_storeu_si128 ((__m128i *) lanes, small);
  c.small = (gsize) (lanes[0] + lanes[1]);
  _mm_storeu_si128 ((__m128i *) lanes, nan);
  c.nan = (gsize) (lanes[0] + lanes[1]);
#endif
  for (; k < len; k++)
    {
      double v = fabs (values[k]);

      c.exact += v == 0.0;
      c.small += v <= threshold;
      c.nan += isnan (v);
    }
  return c;
}

/* NaN is neither zero nor small. When every finite entry is 0 each of them
 * is small, as 0 <= 1e-8 × 0; infinities never are. This runs at every
 * traced iteration of the solver, over all of W and H: BLAS finds the
 * largest magnitude (three times as fast as a plain loop), and only when
 * it is not finite, or NaNs (which BLAS may or may not skip) are there,
 * does a plain loop find the largest finite one. */
void
fs_count_zeros (const double *values,
                gsize         len,
                FsZeroCount  *count)
{
  double max = 0.0;
  gboolean plain = len == 0 || len > G_MAXINT;
  Counts c;

  g_return_if_fail (values != NULL || len == 0);
  g_return_if_fail (count != NULL);

  if (!plain)
    {
      max = fabs (values[cblas_idamax ((int) len, values, 1)]);
      plain = !isfinite (max);
    }
  if (plain)
    max = plain_max_magnitude (values, len);
  c = count_below (values, len, FS_SMALL_RELATIVE * max);
  if (c.nan > 0 && !plain)
    c = count_below (values, len, FS_SMALL_RELATIVE * plain_max_magnitude (values, len));

  *count = (FsZeroCount) { .total = len, .exact = c.exact, .small = c.small };
}

double
fs_count_zeros_part_max (const double *values,
                         gsize         len)
{
  double max;

  g_return_val_if_fail (values != NULL || len == 0, 0.0);

  if (len == 0 || len > G_MAXINT)
    return plain_max_magnitude (values, len);
  max = fabs (values[cblas_idamax ((int) len, values, 1)]);
  return isfinite (max) ? max : plain_max_magnitude (values, len);
}

gboolean
fs_count_zeros_part (const double *values,
                     gsize         len,
                     double        max,
                     FsZeroCount  *count)
{
  Counts c;

  g_return_val_if_fail (values != NULL || len == 0, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  c = count_below (values, len, FS_SMALL_RELATIVE * max);
  count->total += len;
  count->exact += c.exact;
  count->small += c.small;
  return c.nan == 0;
}

/* The whole decades around the finite non-zero magnitudes: lo = floor of
 * the smallest's log10, hi one above the floor of the largest's (its ceil,
 * unless it is a whole decade, which must fall inside [lo, hi)). FALSE
 * when there is no such magnitude. */
static gboolean
decade_range (const double *values,
              gsize         len,
              double       *lo,
              double       *hi)
{
  double min = INFINITY, max = 0.0;

  for (gsize k = 0; k < len; k++)
    {
      double v = fabs (values[k]);

      if (isfinite (v) && v != 0.0)
        {
          min = MIN (min, v);
          max = MAX (max, v);
        }
    }
  if (max == 0.0)
    return FALSE;
  *lo = floor (log10 (min));
  *hi = floor (log10 (max)) + 1.0;
  return TRUE;
}

/* Exact zeros go to self->zeros; non-finite entries count in self->total
 * only, in no bin; every other entry in the bin of its log10 magnitude.
 * With no finite non-zero entry the bins span [-1, 0) and stay empty. */
FsLogHistogram *
fs_log_histogram_new (const double *values,
                      gsize         len,
                      guint         n_bins)
{
  FsLogHistogram *self;
  double scale;

  g_return_val_if_fail (values != NULL || len == 0, NULL);
  g_return_val_if_fail (n_bins > 0, NULL);

  self = g_new0 (FsLogHistogram, 1);
  self->n_bins = n_bins;
  self->counts = g_new0 (guint64, n_bins);
  self->total = len;
  if (!decade_range (values, len, &self->lo, &self->hi))
    {
      self->lo = EMPTY_LO;
      self->hi = EMPTY_HI;
    }
  scale = n_bins / (self->hi - self->lo);

  for (gsize k = 0; k < len; k++)
    {
      double v = fabs (values[k]), bin;

      if (v == 0.0)
        self->zeros++;
      if (v == 0.0 || !isfinite (v))
        continue;
      bin = floor ((log10 (v) - self->lo) * scale);
      self->counts[(guint) CLAMP (bin, 0.0, (double) (n_bins - 1))]++;
    }
  return self;
}

void
fs_log_histogram_free (FsLogHistogram *self)
{
  if (self == NULL)
    return;
  g_free (self->counts);
  g_free (self);
}

/* The upper triangle (trapezoid, with fewer rows than columns) of the QR
 * of a rows × rank matrix a in column-major order, leading dimension lda,
 * which it overwrites: into r_out, min (rows, rank) × rank, row-major. */
static gboolean
qr_triangle (double  *a,
             gsize    rows,
             guint    rank,
             gsize    lda,
             double  *r_out)
{
  gsize k = MIN (rows, (gsize) rank);
  g_autofree double *tau = g_new (double, k);

  if (LAPACKE_dgeqrf (LAPACK_COL_MAJOR, (lapack_int) rows, (lapack_int) rank, a,
                      (lapack_int) lda, tau) != 0)
    return FALSE;
  for (gsize i = 0; i < k; i++)
    for (gsize j = 0; j < rank; j++)
      r_out[i * rank + j] = j >= i ? a[i + j * lda] : 0.0;
  return TRUE;
}

static gboolean
all_finite (const GArray *values)
{
  for (guint k = 0; k < values->len; k++)
    if (!isfinite (g_array_index (values, double, k)))
      return FALSE;
  return TRUE;
}

/* R_W R_H^T, kw × kh, from the triangles of W (n × r) and H^T (m × r).
 * W row-major is W^T column-major, so W is transposed into a copy; H
 * row-major is H^T column-major with leading dimension m as it is. */
static double *
small_product (const double *W,
               const double *H,
               gsize         rows,
               gsize         cols,
               guint         rank,
               gsize         kw,
               gsize         kh)
{
  g_autofree double *a = g_new (double, rows * rank);
  g_autofree double *b = g_memdup2 (H, (gsize) rank * cols * sizeof (double));
  g_autofree double *r_w = g_new (double, kw * rank);
  g_autofree double *r_h = g_new (double, kh * rank);
  double *p = g_new (double, kw * kh);

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < rank; j++)
      a[i + j * rows] = W[i * rank + j];
  if (!qr_triangle (a, rows, rank, rows, r_w) || !qr_triangle (b, cols, rank, cols, r_h))
    {
      g_free (p);
      return NULL;
    }
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) kw, (int) kh, (int) rank,
               1.0, r_w, (int) rank, r_h, (int) rank, 0.0, p, (int) kh);
  return p;
}

/* W H = Q_W (R_W R_H^T) Q_H^T with orthonormal columns in Q_W and Q_H, so
 * the singular values of W H are those of the small product: O ((n + m)
 * r^2 + r^3) (DESIGN.md section 5). LAPACK reads the row-major product as
 * its transpose, which has the same singular values. */
GArray *
fs_product_singular_values (const double *W,
                            const double *H,
                            gsize         rows,
                            gsize         cols,
                            guint         rank,
                            GError      **error)
{
  gsize kw = MIN (rows, (gsize) rank), kh = MIN (cols, (gsize) rank), k = MIN (kw, kh);
  g_autoptr(GArray) values = NULL;
  g_autofree double *p = NULL;

  g_return_val_if_fail (W != NULL || rows * rank == 0, NULL);
  g_return_val_if_fail (H != NULL || cols * rank == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  values = g_array_sized_new (FALSE, TRUE, sizeof (double), (guint) k);
  g_array_set_size (values, (guint) k);
  if (k == 0)
    return g_steal_pointer (&values);

  p = small_product (W, H, rows, cols, rank, kw, kh);
  if (p == NULL ||
      LAPACKE_dgesdd (LAPACK_COL_MAJOR, 'N', (lapack_int) kh, (lapack_int) kw, p,
                      (lapack_int) kh, (double *) values->data, NULL, 1, NULL, 1) != 0 ||
      !all_finite (values))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_NUMERIC,
                   _("The singular values of W H could not be computed: W or H is not "
                     "finite, or LAPACK failed"));
      return NULL;
    }
  return g_steal_pointer (&values);
}
