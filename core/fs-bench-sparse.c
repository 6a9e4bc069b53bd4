/* fs-bench-sparse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-bench-sparse"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "fs-bench-sparse.h"
#include "fs-error.h"
#include "fs-random.h"

/* The streams of the recipe (shared/bench/peer_sparse.py). */
enum
{
  STREAM_A = 1,
  STREAM_B = 2,
  STREAM_NOISE = 3,
  STREAM_W0 = 4,
  STREAM_H0 = 5,
  STREAM_ROW = 6,
  STREAM_COL = 7,
};

/* The k-th value in [-1, 1) of a stream, read alone: (z >> 11) 2^-53
 * doubled is (z >> 11) 2^-52 exactly, so this is the peers' value. */
static inline double
signed_at (guint64 key,
           guint64 k)
{
  double u;

  fs_random_fill_unit_from (key, k, &u, 1);
  return 2.0 * u - 1.0;
}

/* floor((u + 1) / 2 × size), clamped to size - 1, in NumPy's order of
 * operations so that every position is the peer's. */
static inline guint32
position_at (guint64 key,
             guint64 t,
             gsize   size)
{
  double u = signed_at (key, t);
  gsize at = (gsize) ((u + 1.0) / 2.0 * (double) size);

  return (guint32) MIN (at, size - 1);
}

static double *
signed_matrix (guint64 key,
               gsize   len,
               double  scale)
{
  double *values = g_new (double, MAX (len, 1));

  fs_random_fill_signed (key, values, len);
  if (scale != 1.0)
    for (gsize k = 0; k < len; k++)
      values[k] *= scale;
  return values;
}

/* The candidates' cells, repeats dropped by fs_sparse_new_from_cells; the
 * values are filled afterwards, once per kept cell. */
static FsSparse *
sparse_pattern (gsize     rows,
                gsize     cols,
                gsize     candidates,
                guint64   seed,
                GError  **error)
{
  g_autofree guint32 *cell_rows = g_try_new (guint32, MAX (candidates, 1));
  g_autofree guint32 *cell_cols = g_try_new (guint32, MAX (candidates, 1));
  g_autofree double *zeros = g_try_new0 (double, MAX (candidates, 1));
  guint64 row_key = fs_random_key (seed, STREAM_ROW);
  guint64 col_key = fs_random_key (seed, STREAM_COL);

  if (cell_rows == NULL || cell_cols == NULL || zeros == NULL)
    {
      g_autofree char *count = fs_error_number_text (candidates);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s candidate cells are too many to hold"), count);
      return NULL;
    }
  for (gsize t = 0; t < candidates; t++)
    {
      cell_rows[t] = position_at (row_key, t, rows);
      cell_cols[t] = position_at (col_key, t, cols);
    }
  return fs_sparse_new_from_cells (rows, cols, cell_rows, cell_cols, zeros, candidates,
                                   NULL, error);
}

/* x = A_i · B_j / √r + 0.01 u3[i m + j], with B read through its
 * transpose (cols × rank) so that each dot product runs over contiguous
 * memory. */
static void
fill_values (FsSparse *X,
             guint     rank,
             guint64   seed)
{
  g_autofree double *A = signed_matrix (fs_random_key (seed, STREAM_A), X->rows * rank, 1.0);
  g_autofree double *B = signed_matrix (fs_random_key (seed, STREAM_B), X->cols * rank, 1.0);
  g_autofree double *Bt = g_new (double, X->cols * rank);
  guint64 noise_key = fs_random_key (seed, STREAM_NOISE);
  double root = sqrt ((double) rank);

  for (guint k = 0; k < rank; k++)
    for (gsize j = 0; j < X->cols; j++)
      Bt[j * rank + k] = B[k * X->cols + j];

  for (gsize i = 0; i < X->rows; i++)
    for (gsize e = X->row_ptr[i]; e < X->row_ptr[i + 1]; e++)
      {
        gsize j = X->col_idx[e];
        double dot = 0.0;

        for (guint k = 0; k < rank; k++)
          dot += A[i * rank + k] * Bt[j * rank + k];
        X->values[e] = dot / root + 0.01 * signed_at (noise_key, (guint64) i * X->cols + j);
      }
}

gboolean
fs_bench_sparse_problem (gsize      rows,
                         gsize      cols,
                         gsize      candidates,
                         guint      rank,
                         guint64    seed,
                         FsSparse **X,
                         double   **W0,
                         double   **H0,
                         GError   **error)
{
  g_autoptr(FsSparse) sparse = NULL;
  double scale;

  g_return_val_if_fail (rows > 0 && cols > 0 && rank > 0, FALSE);
  g_return_val_if_fail (rows <= G_MAXUINT32 && cols <= G_MAXUINT32, FALSE);
  g_return_val_if_fail (X != NULL && W0 != NULL && H0 != NULL, FALSE);

  if (rows > G_MAXSIZE / rank / sizeof (double) || cols > G_MAXSIZE / rank / sizeof (double))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("The factors of this problem are too large to hold"));
      return FALSE;
    }
  sparse = sparse_pattern (rows, cols, candidates, seed, error);
  if (sparse == NULL)
    return FALSE;
  fill_values (sparse, rank, seed);

  scale = pow ((double) rank, -0.25);
  *W0 = signed_matrix (fs_random_key (seed, STREAM_W0), rows * rank, scale);
  *H0 = signed_matrix (fs_random_key (seed, STREAM_H0), (gsize) rank * cols, scale);
  *X = g_steal_pointer (&sparse);
  return TRUE;
}

static double
sum_of_squares (const double *values,
                gsize         len)
{
  double sum = 0.0;

  for (gsize k = 0; k < len; k++)
    sum += values[k] * values[k];
  return sum;
}

double
fs_bench_sparse_cost (const FsSparse *X,
                      const double   *W,
                      const double   *H,
                      guint           rank,
                      double          l2_w,
                      double          l2_h)
{
  g_autofree double *Ht = NULL;
  double residual = 0.0;

  g_return_val_if_fail (X != NULL && W != NULL && H != NULL, NAN);

  /* H's columns as rows, so that each dot product reads contiguous memory. */
  Ht = g_new (double, MAX (X->cols * rank, 1));
  for (guint k = 0; k < rank; k++)
    for (gsize j = 0; j < X->cols; j++)
      Ht[j * rank + k] = H[k * X->cols + j];

  for (gsize i = 0; i < X->rows; i++)
    for (gsize e = X->row_ptr[i]; e < X->row_ptr[i + 1]; e++)
      {
        const double *h = Ht + (gsize) X->col_idx[e] * rank;
        double fit = 0.0, res;

        for (guint k = 0; k < rank; k++)
          fit += W[i * rank + k] * h[k];
        res = X->values[e] - fit;
        residual += res * res;
      }
  return residual + l2_w * sum_of_squares (W, X->rows * rank)
                  + l2_h * sum_of_squares (H, X->cols * rank);
}
