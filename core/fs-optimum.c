/* fs-optimum.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-optimum"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-optimum.h"
#include "fs-sparse-svd.h"

/* Sizes go into messages as strings: xgettext cannot read the GLib
 * format macros inside a translatable string. */
static gboolean
check_no_missing (const FsMatrix *X,
                  GError        **error)
{
  g_autofree char *missing = NULL;

  if (X->n_missing == 0)
    return TRUE;
  missing = g_strdup_printf ("%" G_GSIZE_FORMAT, X->n_missing);
  g_set_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
               g_dngettext (GETTEXT_PACKAGE,
                            "The matrix has %s missing cell, so it has no singular values",
                            "The matrix has %s missing cells, so it has no singular values",
                            X->n_missing), missing);
  return FALSE;
}

/* The singular values of a dense X, largest first, from LAPACK's divide
 * and conquer SVD on a copy (it destroys its input). */
static GArray *
dense_singular_values (const FsMatrix *X,
                       GError        **error)
{
  g_autofree double *a = NULL;
  g_autoptr(GArray) values = NULL;
  gsize k;
  lapack_int info;

  a = g_try_malloc_n (X->rows * X->cols, sizeof (double));
  if (a == NULL)
    {
      g_autofree char *shape = g_strdup_printf ("%" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT,
                                                X->rows, X->cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the SVD of a %s matrix"), shape);
      return NULL;
    }
  memcpy (a, X->data, X->rows * X->cols * sizeof (double));

  k = MIN (X->rows, X->cols);
  values = g_array_sized_new (FALSE, TRUE, sizeof (double), (guint) k);
  g_array_set_size (values, (guint) k);
  /* Row-major X is column-major X^T, which has the same singular values;
   * asking for that avoids LAPACKE's transposed copy. */
  info = LAPACKE_dgesdd (LAPACK_COL_MAJOR, 'N', (lapack_int) X->cols, (lapack_int) X->rows,
                         a, (lapack_int) X->cols, (double *) values->data, NULL, 1, NULL, 1);
  if (info != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_NUMERIC,
                   _("The SVD failed (LAPACK dgesdd returned %d)"), (int) info);
      return NULL;
    }

  return g_steal_pointer (&values);
}

GArray *
fs_singular_values (const FsMatrix *X,
                    GError        **error)
{
  g_return_val_if_fail (X != NULL, NULL);

  if (!check_no_missing (X, error))
    return NULL;
  if (fs_matrix_is_sparse (X))
    return fs_sparse_svd_top (X->sparse, FS_OPTIMUM_SPARSE_TOP, error);
  return dense_singular_values (X, error);
}

GArray *
fs_singular_values_for_rank (const FsMatrix *X,
                             guint           rank,
                             GError        **error)
{
  g_return_val_if_fail (X != NULL, NULL);

  if (!check_no_missing (X, error))
    return NULL;
  if (fs_matrix_is_sparse (X))
    return fs_sparse_svd_top (X->sparse, rank, error);
  return dense_singular_values (X, error);
}

/* f* = sum_{i<=r} [s_i^2 - max(s_i - mu, 0)^2] + sum_{i>r} s_i^2 with
 * mu = sqrt(l2_w l2_h); with mu = 0 this is Eckart-Young. */
/* The singular values' rounding, in units of eps sigma_1. */
#define OPTIMUM_ROUNDING 4.0

double
fs_optimum_value (const double *singular_values,
                  gsize         n_values,
                  guint         rank,
                  double        l2_w,
                  double        l2_h)
{
  double mu = sqrt (l2_w * l2_h);
  double sum = 0.0;

  g_return_val_if_fail (singular_values != NULL || n_values == 0, NAN);

  for (gsize i = 0; i < n_values; i++)
    {
      double s = singular_values[i];
      double kept = i < rank ? MAX (s - mu, 0.0) : 0.0;

      sum += (s - kept) * (s + kept);
    }

  /* The SVD finds each singular value to about eps sigma_1, so a sum of
   * discarded squares below n (4 eps sigma_1)^2 is zero to its rounding:
   * the notebook's exact rank-2 product gave 4.2e-33, drawn as a line and
   * printed as f*. */
  if (n_values > 0 && sum < (double) n_values * pow (OPTIMUM_ROUNDING * DBL_EPSILON * singular_values[0], 2))
    return 0.0;
  return sum;
}

/* The rounding of ||X||² - Σ s_i², in units of eps (||X||² + s_1 Σ s_i):
 * each s_i is known to about eps s_1, so each s_i² to 2 eps s_1 s_i, and a
 * smaller difference is zero. */
#define TAIL_ROUNDING 16.0

/* The same sum, written as ||X||² - Σ_{i<=r} s_i² (what the top values
 * leave) plus Σ_{i<=r} [s_i² - max(s_i - mu, 0)²] (what L2 takes from
 * them), so that only the top r values are needed. */
double
fs_optimum_value_top (const double *top,
                      gsize         n_top,
                      double        frobenius_sq,
                      guint         rank,
                      double        l2_w,
                      double        l2_h)
{
  double mu = sqrt (l2_w * l2_h);
  double captured = 0.0, shrunk = 0.0, sum = 0.0, tail;
  gsize n = MIN (n_top, (gsize) rank);

  g_return_val_if_fail (top != NULL || n_top == 0, NAN);

  for (gsize i = 0; i < n; i++)
    {
      double s = top[i];
      double kept = MAX (s - mu, 0.0);

      captured += s * s;
      sum += s;
      shrunk += (s - kept) * (s + kept);
    }

  /* Close to rank r the tail is the difference of two nearly equal sums:
   * below their rounding it is 0, as fs_optimum_value () says of its
   * own. */
  tail = frobenius_sq - captured;
  if (tail < TAIL_ROUNDING * DBL_EPSILON * (frobenius_sq + (n > 0 ? top[0] * sum : 0.0)))
    tail = 0.0;
  return tail + shrunk;
}

double
fs_optimum_for_matrix (const FsMatrix *X,
                       const GArray   *values,
                       guint           rank,
                       double          l2_w,
                       double          l2_h)
{
  const double *s;

  g_return_val_if_fail (X != NULL, NAN);
  g_return_val_if_fail (values != NULL, NAN);

  s = (const double *) (gpointer) values->data;
  if (!fs_matrix_is_sparse (X))
    return fs_optimum_value (s, values->len, rank, l2_w, l2_h);
  /* Top values only: a rank past them needs values not computed. */
  if (values->len < MIN ((gsize) rank, MIN (X->rows, X->cols)))
    return NAN;
  return fs_optimum_value_top (s, values->len, fs_matrix_frobenius_sq (X), rank, l2_w, l2_h);
}

/* The start of the power iteration: v0 = X^T e_i / ||X^T e_i|| for the
 * row x_i of X with the largest norm. Then ||X v0|| >= |x_i . v0| =
 * ||x_i|| > 0 unless X = 0, so v0 is never orthogonal to the data, as a
 * constant vector is when the rows of X sum to zero (a graph Laplacian, a
 * row-centred matrix), where it gave sigma = 0. Its Rayleigh quotient is
 * also at least ||x_i||^2 >= sigma_1^2 / rows: a good start. FALSE when X
 * is 0. */
static gboolean
start_vector (const double *a,
              gsize         rows,
              gsize         cols,
              double       *v)
{
  gsize best = 0;
  double best_norm = 0.0;

  for (gsize i = 0; i < rows; i++)
    {
      double norm = cblas_dnrm2 ((int) cols, a + i * cols, 1);

      if (norm > best_norm)
        {
          best_norm = norm;
          best = i;
        }
    }
  if (!(best_norm > 0.0))
    return FALSE;

  for (gsize j = 0; j < cols; j++)
    v[j] = a[best * cols + j] / best_norm;
  return TRUE;
}

/* An estimate of sigma_1(X) from the power iteration on X^T X, with
 * missing cells taken as 0, from start_vector(); a few dozen steps give a
 * few digits, which is all a step-size guess needs. */
double
fs_spectral_norm (const FsMatrix *X,
                  guint           iterations)
{
  g_autofree double *v = NULL;
  g_autofree double *u = NULL;
  g_autofree double *x = NULL;
  const double *a;
  int n, m;
  double sigma = 0.0;

  g_return_val_if_fail (X != NULL, NAN);
  g_return_val_if_fail (X->rows <= G_MAXINT && X->cols <= G_MAXINT, NAN);

  if (fs_matrix_is_sparse (X))
    return fs_sparse_svd_spectral_norm (X->sparse, iterations);

  v = g_new (double, X->cols);
  u = g_new (double, X->rows);
  a = X->data;
  n = (int) X->rows;
  m = (int) X->cols;

  if (X->mask != NULL)
    {
      x = g_new (double, X->rows * X->cols);
      for (gsize k = 0; k < X->rows * X->cols; k++)
        x[k] = X->mask[k] ? X->data[k] : 0.0;
      a = x;
    }

  if (!start_vector (a, X->rows, X->cols, v))
    return 0.0;

  for (guint it = 0; it < iterations; it++)
    {
      double norm_u, norm_v;

      cblas_dgemv (CblasRowMajor, CblasNoTrans, n, m, 1.0, a, m, v, 1, 0.0, u, 1);
      norm_u = cblas_dnrm2 (n, u, 1);
      if (norm_u == 0.0)
        return 0.0;
      sigma = norm_u;
      cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0 / norm_u, a, m, u, 1, 0.0, v, 1);
      norm_v = cblas_dnrm2 (m, v, 1);
      if (norm_v == 0.0)
        return sigma;
      sigma = norm_v;
      cblas_dscal (m, 1.0 / norm_v, v, 1);
    }

  return sigma;
}

