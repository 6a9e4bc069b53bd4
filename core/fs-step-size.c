/* fs-step-size.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-step-size"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-optimum.h"
#include "fs-rules.h"
#include "fs-start.h"
#include "fs-step-size.h"

/* Power iterations for sigma_1(X): a few digits, all a step size needs. */
#define SIGMA_ITERATIONS 30

/* The largest eigenvalue of H H^T for the r × len H (is_h), or of W^T W
 * for the len × r W; NAN when LAPACK fails. */
static double
largest_gram_eigenvalue (const double *a,
                         gsize         len,
                         guint         r,
                         gboolean      is_h)
{
  g_autofree double *gram = g_new (double, (gsize) r * r);
  g_autofree double *eig = g_new (double, r);

  if (is_h)
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) r, (int) len,
                 1.0, a, (int) len, 0.0, gram, (int) r);
  else
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) r, (int) len,
                 1.0, a, (int) r, 0.0, gram, (int) r);

  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int) r, gram, (lapack_int) r, eig) != 0)
    return NAN;
  return eig[r - 1];
}

/* 2 / max(L_W, L_H) with L_W = 2 (sigma_max(H)^2 + l2_w) and L_H =
 * 2 (sigma_max(W)^2 + l2_h), for the rows × rank W and rank × cols H:
 * plain steps below it are locally stable there. +inf when both factors
 * are zero and there is no L2 penalty; NAN when LAPACK fails. */
double
fs_step_size_stability_bound (const double *W,
                              const double *H,
                              gsize         rows,
                              gsize         cols,
                              guint         rank,
                              double        l2_w,
                              double        l2_h)
{
  double lambda_h, lambda_w;

  g_return_val_if_fail (W != NULL && H != NULL, NAN);
  g_return_val_if_fail (rank > 0 && rows > 0 && cols > 0, NAN);
  g_return_val_if_fail (rows <= G_MAXINT && cols <= G_MAXINT && rank <= G_MAXINT, NAN);

  lambda_h = largest_gram_eigenvalue (H, cols, rank, TRUE);
  lambda_w = largest_gram_eigenvalue (W, rows, rank, FALSE);

  return MIN (1.0 / (lambda_h + l2_w), 1.0 / (lambda_w + l2_h));
}

/* The largest plain step that is certainly stable at W and H when W and H
 * move together, as every rule here moves them: 2 / L with L an upper
 * bound on the curvature of the objective there. Along (dW, dH) the data
 * term's second derivative is 2 ||dW H + W dH||^2 - 4 <R, dW dH>, with
 * R = X - WH: the first part is at most 2 (sigma_max(H)^2 +
 * sigma_max(W)^2) (||dW||^2 + ||dH||^2), the second at most 2 ||R||_2
 * (||dW||^2 + ||dH||^2); the L2 penalties add at most 2 max(l2_w, l2_h).
 * ||R||_2 is bounded by the smaller of residual_norm (||R||_F will do) and
 * x_sigma + sigma_max(W) sigma_max(H), with x_sigma at least sigma_1(X)
 * (0 when unknown): the first is tight near a fit, the second far from
 * one, and neither costs a pass over X. The block bound
 * fs_step_size_stability_bound () sees neither the residual nor the
 * coupling, and says a rate is safe while the run swings. +inf when there
 * is no curvature; NAN when LAPACK fails. */
double
fs_step_size_joint_stability_bound (const double *W,
                                    const double *H,
                                    gsize         rows,
                                    gsize         cols,
                                    guint         rank,
                                    double        l2_w,
                                    double        l2_h,
                                    double        residual_norm,
                                    double        x_sigma)
{
  g_autofree double *wtw = NULL;
  g_autofree double *hht = NULL;

  g_return_val_if_fail (W != NULL && H != NULL, NAN);
  g_return_val_if_fail (rank > 0 && rows > 0 && cols > 0, NAN);
  g_return_val_if_fail (rows <= G_MAXINT && cols <= G_MAXINT && rank <= G_MAXINT, NAN);

  wtw = g_new (double, (gsize) rank * rank);
  hht = g_new (double, (gsize) rank * rank);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) rank, (int) rows,
               1.0, W, (int) rank, 0.0, wtw, (int) rank);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) rank, (int) cols,
               1.0, H, (int) cols, 0.0, hht, (int) rank);
  return fs_step_size_joint_bound_from_grams (wtw, hht, rank, l2_w, l2_h, residual_norm, x_sigma);
}

/* The same from W^T W and H H^T (upper triangles at least), as a solver
 * has them after each evaluation: no pass over W and H. */
double
fs_step_size_joint_bound_from_grams (const double *wtw,
                                     const double *hht,
                                     guint         rank,
                                     double        l2_w,
                                     double        l2_h,
                                     double        residual_norm,
                                     double        x_sigma)
{
  g_autofree double *a = NULL;
  g_autofree double *eig = NULL;
  double lambda_h, lambda_w, residual, curvature;
  gsize rr = (gsize) rank * rank;

  g_return_val_if_fail (wtw != NULL && hht != NULL && rank > 0, NAN);
  g_return_val_if_fail (residual_norm >= 0.0 && x_sigma >= 0.0, NAN);

  a = g_new (double, rr);
  eig = g_new (double, rank);
  memcpy (a, hht, rr * sizeof (double));
  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int) rank, a, (lapack_int) rank, eig) != 0)
    return NAN;
  lambda_h = eig[rank - 1];
  memcpy (a, wtw, rr * sizeof (double));
  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int) rank, a, (lapack_int) rank, eig) != 0)
    return NAN;
  lambda_w = eig[rank - 1];

  residual = residual_norm;
  if (x_sigma > 0.0)
    residual = MIN (residual, x_sigma + sqrt (lambda_w * lambda_h));
  curvature = 2.0 * (lambda_h + lambda_w + residual + MAX (l2_w, l2_h));
  return 2.0 / curvature;
}

/* The estimate of sigma_1(X) that the step sizes use. */
double
fs_step_size_sigma_estimate (const FsMatrix *X)
{
  g_return_val_if_fail (X != NULL, NAN);

  /* A sparse X takes fs_sparse_svd_spectral_norm, which gives its dense
   * copy's estimate to rounding. */
  return fs_spectral_norm (X, SIGMA_ITERATIONS);
}

/* The learning rate params->rule starts with on X, from the point a
 * solver for X and params starts at (params->seed); params->lr is not
 * read. NAN with error set when params do not suit X or memory runs out. */
double
fs_step_size_starting (FsMatrix       *X,
                       const FsParams *params,
                       GError        **error)
{
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;
  FsStepSizeContext ctx;
  FsParams valid;

  g_return_val_if_fail (X != NULL, NAN);
  g_return_val_if_fail (params != NULL, NAN);
  g_return_val_if_fail (error == NULL || *error == NULL, NAN);

  /* The learning rate is what is being chosen: any valid one will do. */
  valid = *params;
  valid.lr = 1.0;
  if (!fs_params_validate (&valid, X, error))
    return NAN;

  W = fs_alloc_doubles (X->rows * params->rank);
  H = fs_alloc_doubles ((gsize) params->rank * X->cols);
  if (W == NULL || H == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the starting factors"));
      return NAN;
    }
  fs_start_fill (X, params->init, params->rank, params->seed, W, H);

  ctx = (FsStepSizeContext) {
    .params = params,
    .W = W,
    .H = H,
    .rows = X->rows,
    .cols = X->cols,
    .x_sigma = fs_step_size_sigma_estimate (X),
  };
  return params->rule->starting_lr (&ctx);
}
