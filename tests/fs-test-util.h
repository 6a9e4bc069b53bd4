/* fs-test-util.h: helpers shared by the core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <math.h>

#include "fs-matrix.h"
#include "fs-random.h"

/* A new folder of the case's own under TMPDIR (tests/with-tmpdir.sh
 * gives each test one); a case cannot go on without one. */
static inline char *
fs_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("factorscope-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* A matrix of values uniform in [-1, 1) from stream key; cells whose own
 * uniform draw falls below missing_share become missing. */
static inline FsMatrix *
fs_test_random_matrix (gsize   rows,
                       gsize   cols,
                       guint64 key,
                       double  missing_share)
{
  FsMatrix *X = fs_matrix_new (rows, cols, NULL);
  g_autofree double *coin = g_new (double, rows * cols);

  fs_random_fill_signed (key, X->data, rows * cols);
  fs_random_fill_unit (key + 1000, coin, rows * cols);
  for (gsize k = 0; k < rows * cols; k++)
    if (coin[k] < missing_share)
      X->data[k] = NAN;
  fs_matrix_mark_missing (X);
  return X;
}

static inline double
fs_test_rel_diff (const double *a,
                  const double *b,
                  gsize         len)
{
  double num = 0.0, den = 0.0;

  for (gsize k = 0; k < len; k++)
    {
      num += (a[k] - b[k]) * (a[k] - b[k]);
      den += b[k] * b[k];
    }
  return sqrt (num) / MAX (sqrt (den), G_MINDOUBLE);
}

/* The objective computed directly from its definition, with plain loops:
 * the independent reference for the solver's cost. */
static inline double
fs_test_naive_cost (const FsMatrix *X,
                    const double   *W,
                    const double   *H,
                    guint           r,
                    double          l2_w,
                    double          l2_h,
                    double          l1_w,
                    double          l1_h)
{
  double f = 0.0;

  for (gsize i = 0; i < X->rows; i++)
    for (gsize j = 0; j < X->cols; j++)
      {
        double wh = 0.0, d;

        if (!fs_matrix_is_observed (X, i, j))
          continue;
        for (guint k = 0; k < r; k++)
          wh += W[i * r + k] * H[k * X->cols + j];
        d = X->data[i * X->cols + j] - wh;
        f += d * d;
      }
  for (gsize k = 0; k < X->rows * r; k++)
    f += l2_w * W[k] * W[k] + l1_w * fabs (W[k]);
  for (gsize k = 0; k < r * X->cols; k++)
    f += l2_h * H[k] * H[k] + l1_h * fabs (H[k]);
  return f;
}
