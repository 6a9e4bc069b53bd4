/* fs-solver.c
 *
 * With every cell observed the solver never forms X - WH: the cost and both
 * gradients come from X H^T, W^T X and the two r × r Gram matrices
 * (DESIGN.md section 1). With missing cells it keeps R = M ∘ (X - WH).
 * After each step the products are evaluated at the new point, so the cost
 * of the new iterate and the next gradient come from the same work.
 *
 * Each evaluation is split into shares, one per thread of the solver's
 * pool: a share owns a block of rows (its part of X H^T, and W^T X summed
 * over its rows) and a block of columns (its part of W^T X once the shares
 * are summed, and of the gradient of H). OpenBLAS runs single-threaded
 * inside the shares.
 *
 * With held-out cells (fs-holdout.h) the solver trains on a copy of the
 * matrix with those cells missing, so the masked path above serves it;
 * each share adds up the held-out cells of its rows from its block of X -
 * WH before the mask zeroes them.
 *
 * A sparse matrix (fs_matrix_is_sparse) runs the path of
 * fs-solver-sparse.c: the same steps, penalties, trace and stops, with
 * the data term and the gradients from passes over its listed cells only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-solver"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-blas.h"
#include "fs-error.h"
#include "fs-holdout.h"
#include "fs-instability.h"
#include "fs-pool.h"
#include "fs-products.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-solver-private.h"
#include "fs-start.h"
#include "fs-step-size.h"
#include "fs-trace.h"

/* The cost growing by this factor over the cost before the last change
 * (start, learning rate, warm change, resume) counts as divergence. */
#define DIVERGENCE_FACTOR 1e6
/* The Gram form ||X||^2 - 2 <W, X H^T> + <W^T W, H H^T> subtracts terms of
 * the size of ||X||^2, so its absolute error is about K eps ||X||^2 what
 * ever the data term. Measured at converged low-rank fits (300 × 200 rank
 * 10, 1000 × 1000 rank 20, data terms from 2e-3 down to 2e-7 of ||X||^2):
 * K up to 106 with ||X||^2 summed plainly (a bias that its rounding puts
 * in every cost), up to 2.1 with it summed with compensation, as now.
 * GRAM_ERROR_K bounds it with a margin of 2. */
#define GRAM_ERROR_K 4.0
/* The iterations in a row whose cost changes less than the tolerance
 * before the run counts as converged. */
#define TOLERANCE_PATIENCE 10
/* Below this share of ||X||^2 the data term is taken from the residual:
 * there the Gram form's relative error, GRAM_ERROR_K eps / share, would
 * pass 1e-9. */
#define PRECISION_GUARD 1e-6
/* Above the guard the Gram form is used while the cost moves by more than
 * CHANGE_MARGIN times its error bound E per iteration: a descent step
 * lowers the cost by less than its gap to f*, and the gap after it is
 * rho / (1 - rho) times the step's decrease for a linear rate rho, so the
 * gap stays above E (and no recorded cost falls below f*) unless rho <
 * 1 / CHANGE_MARGIN. Once the cost moves by less, the run is converging
 * and the data term is taken from the residual: exact (to about eps /
 * sqrt(share)) where the curve flattens near f*. That costs one more pass
 * over X per iteration (0.9 to 2.0 ms on 1000 × 1000 rank 20), only at the
 * end of a run. */
#define CHANGE_MARGIN 1000.0
/* ... except where the Gram form is good to GRAM_EXACT_ENOUGH of the data
 * term anyway (a share above 4 eps / 1e-10, about 9e-6: within a decade
 * of the guard, the exact pass is taken): no digit the window or the
 * command line shows can change there (the cost has 6, the gap to f* 3,
 * and a gap below f* by rounding reads 0), while the pass would double
 * the time of every iteration of a converged run. At 1e-13 it took the
 * window's 2000 x 2000 rank-50 benchmark, a share of 1e-4, to 47% of the
 * command line's speed. */
#define GRAM_EXACT_ENOUGH 1e-10
/* Rows of X - WH formed at a time for the exact cost: about 1 MiB. */
#define PANEL_BYTES ((gsize) 1 << 20)


static void
fill_lower_from_upper (double *a,
                       gsize   r)
{
  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < i; j++)
      a[i * r + j] = a[j * r + i];
}

static double
l1_norm (const double *p,
         gsize         len)
{
  return cblas_dasum ((int) len, p, 1);
}

/* Adds the L1 subgradient weight * sign(P); sign(0) is 0, as in autograd. */
static void
add_l1_subgradient (double       *g,
                    const double *p,
                    double        weight,
                    gsize         len)
{
  for (gsize k = 0; k < len; k++)
    g[k] += weight * (double) ((p[k] > 0.0) - (p[k] < 0.0));
}

/* The share's columns of an r × m matrix (H, its gradient, W^T X) as runs
 * of *len values, m apart, from column col0: r runs of its columns, or
 * one run of r m when it has them all, so that each BLAS call and step
 * covers as much as it can. */
static gsize
column_runs (const Share *sh,
             gsize        r,
             gsize        m,
             gsize       *len)
{
  gsize cols = sh->col1 - sh->col0;

  *len = cols == m ? r * m : cols;
  return cols == 0 ? 0 : cols == m ? 1 : r;
}

/* The step on the share's rows of W and columns of H (in an iteration),
 * then its columns of the packed H, its parts of both Gram matrices (upper
 * triangles at least) and of the penalties. */
static void
share_prepare (guint    index,
               guint    count,
               gpointer data)
{
  FsSolver *self = data;
  const FsParams *p = &self->params;
  Share *sh = &self->shares[index];
  gsize rows = sh->row1 - sh->row0, r = self->r, m = self->m, len;
  gsize runs = column_runs (sh, r, m, &len);
  double *st[FS_RULE_MAX_STATE];

  /* The sparse path steps W block by block in its pass (fs-solver-sparse.c). */
  if (self->steps_w_in_pass)
    rows = 0;
  if (self->stepping && rows > 0)
    {
      for (guint s = 0; s < self->rule->n_state; s++)
        st[s] = self->state_w[s] + sh->row0 * r;
      self->rule->step (&self->step_w, self->W + sh->row0 * r, self->grad_w + sh->row0 * r,
                        st, rows * r);
    }
  for (gsize k = 0; self->stepping && k < runs; k++)
    {
      for (guint s = 0; s < self->rule->n_state; s++)
        st[s] = self->state_h[s] + k * m + sh->col0;
      self->rule->step (&self->step_h, self->H + k * m + sh->col0,
                        self->grad_h + k * m + sh->col0, st, len);
    }

  sh->abs_w = sh->abs_h = sh->sq_w = sh->sq_h = 0.0;
  if (p->l1_w != 0.0 && rows > 0)
    sh->abs_w = l1_norm (self->W + sh->row0 * r, rows * r);
  for (gsize k = 0; p->l1_h != 0.0 && k < runs; k++)
    sh->abs_h += l1_norm (self->H + k * m + sh->col0, len);

  if (self->pattern != NULL)
    {
      fs_solver_sparse_prepare (self, sh);
      return;
    }
  if (self->residual != NULL)
    {
      if (rows > 0)
        sh->sq_w = cblas_ddot ((int) (rows * r), self->W + sh->row0 * r, 1,
                               self->W + sh->row0 * r, 1);
      for (gsize k = 0; k < runs; k++)
        sh->sq_h += cblas_ddot ((int) len, self->H + k * m + sh->col0, 1,
                                self->H + k * m + sh->col0, 1);
      return;
    }

  fs_products_pack (self->impl, self->H, r, m, sh->col0, sh->col1, self->packed_h);
  fs_products_grams (self->impl, self->W + sh->row0 * r, rows, r, self->H, m,
                     sh->col0, sh->col1, self->packed_h, sh->wtw, sh->hht);
}

/* The penalties from the shares' parts: squares from the Gram matrices'
 * traces, or from the shares with missing cells. Keeps each term and the
 * squared norms for the trace. */
static double
share_penalties (FsSolver *self)
{
  const FsParams *p = &self->params;
  double sq_w = 0.0, sq_h = 0.0, abs_w = 0.0, abs_h = 0.0;

  for (guint s = 0; s < self->n_shares; s++)
    {
      sq_w += self->shares[s].sq_w;
      sq_h += self->shares[s].sq_h;
      abs_w += self->shares[s].abs_w;
      abs_h += self->shares[s].abs_h;
    }
  if (self->residual == NULL && self->pattern == NULL)
    for (gsize i = 0; i < self->r; i++)
      {
        sq_w += self->wtw[i * self->r + i];
        sq_h += self->hht[i * self->r + i];
      }

  self->sq_norm_w = sq_w;
  self->sq_norm_h = sq_h;
  self->terms[0] = p->l2_w * sq_w;
  self->terms[1] = p->l2_h * sq_h;
  self->terms[2] = p->l1_w * abs_w;
  self->terms[3] = p->l1_h * abs_h;
  return self->terms[0] + self->terms[1] + self->terms[2] + self->terms[3];
}

/* grad_w = -2 A over the share's rows, from A = -grad_w / 2 there; sets
 * the share's ||grad_w||^2 and returns its part of <W, A>. */
static double
finish_grad_w (FsSolver *self,
               Share    *sh)
{
  gsize len = (sh->row1 - sh->row0) * self->r;
  double *g = self->grad_w + sh->row0 * self->r;
  double w_dot_a;

  sh->sq_grad_w = 0.0;
  if (len == 0)
    return 0.0;
  w_dot_a = cblas_ddot ((int) len, self->W + sh->row0 * self->r, 1, g, 1);
  cblas_dscal ((int) len, -2.0, g, 1);
  sh->sq_grad_w = cblas_ddot ((int) len, g, 1, g, 1);
  return w_dot_a;
}

/* Rows of X per block of a share's rows, with more than one thread: a
 * block of X stays in cache while both products read it. */
#define CHUNK_ROWS 64

/* X H^T + W gram_w over the share's rows, a block at a time, W^T X over
 * them plus gram_h H over the share's columns. Each share takes its own
 * rows (alloc_shares), never blocks taken in turn by whichever thread is
 * free: W^T X and the sums then add the same numbers in the same order
 * whatever the threads' timing, and the same settings give the same run
 * bit for bit (DESIGN.md), in the window and in `run --session`. */
static void
share_products (guint    index,
                guint    count,
                gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize block_rows = count > 1 ? CHUNK_ROWS : MAX (self->n, 1);
  gsize next = sh->row0;
  gboolean first = TRUE;
  double sum = 0.0, sq = 0.0;

  for (;;)
    {
      Share part = { 0 };
      FsProductsArgs args;

      /* With no rows left, the first block still adds the columns' part. */
      if (next == sh->row1 && !first)
        break;
      part.row0 = next;
      part.row1 = next = MIN (sh->row1, next + block_rows);

      args = (FsProductsArgs) {
        .impl = self->impl,
        .X = self->X->data + part.row0 * self->m,
        .rows = part.row1 - part.row0,
        .m = self->m,
        .r = self->r,
        .W = self->W + part.row0 * self->r,
        .H = self->H,
        .packed_h = self->packed_h,
        .gram_w = self->gram_w,
        .packed_gram_w = self->packed_gram_w,
        .gram_h = self->gram_h,
        .col0 = first ? sh->col0 : 0,
        .col1 = first ? sh->col1 : 0,
        .scratch = sh->scratch,
        .xht = self->grad_w + part.row0 * self->r,
        .wtx = sh->wtx,
        .accumulate = !first,
      };
      fs_products_rows (&args);
      sum += finish_grad_w (self, &part);
      sq += part.sq_grad_w;
      if (part.row1 == part.row0)
        break;
      first = FALSE;
    }

  sh->sum = sum;
  sh->sq_grad_w = sq;
}

/* Σ (x - wh)^2 over the held-out cells of the share's rows, from res =
 * -WH there (the cells are missing in the matrix trained on). */
static double
share_held_out_sum (FsSolver     *self,
                    const Share  *sh,
                    const double *res)
{
  const gsize *cells;
  const double *values;
  gsize offset = sh->row0 * self->m;
  double sum = 0.0;

  if (self->holdout == NULL)
    return 0.0;
  cells = fs_holdout_get_cells (self->holdout);
  values = fs_holdout_get_values (self->holdout);
  for (gsize c = sh->held0; c < sh->held1; c++)
    {
      double d = values[c] + res[cells[c] - offset];

      sum += d * d;
    }
  return sum;
}

/* The share's rows of R = M ∘ (X - WH); there R H^T - l2_w W, W^T R over
 * them less l2_h H over its columns, and ||R||^2 over its rows. */
static void
share_residual (guint    index,
                guint    count,
                gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize rows = sh->row1 - sh->row0, len = rows * self->m, runs, run_len;
  const guint8 *mask = self->X->mask + sh->row0 * self->m;
  const double *x = self->X->data + sh->row0 * self->m;
  double *res = self->residual + sh->row0 * self->m;
  double *a = self->grad_w + sh->row0 * self->r;
  const double *w = self->W + sh->row0 * self->r;
  double data_term = 0.0;
  int m = (int) self->m, r = (int) self->r;

  if (rows > 0)
    {
      for (gsize k = 0; k < len; k++)
        res[k] = mask[k] ? x[k] : 0.0;
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, m, r,
                   -1.0, w, r, self->H, m, 1.0, res, m);
      sh->held_sum = share_held_out_sum (self, sh, res);
      for (gsize k = 0; k < len; k++)
        if (!mask[k])
          res[k] = 0.0;

      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, r, m,
                   1.0, res, m, self->H, m, 0.0, a, r);
      cblas_daxpy ((int) (rows * self->r), -self->params.l2_w, w, 1, a, 1);
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r, m, (int) rows,
                   1.0, w, r, res, m, 0.0, sh->wtx, m);
      data_term = cblas_ddot ((int) len, res, 1, res, 1);
    }
  else
    {
      memset (sh->wtx, 0, self->r * self->m * sizeof (double));
      sh->held_sum = 0.0;
    }

  runs = column_runs (sh, self->r, self->m, &run_len);
  for (gsize k = 0; k < runs; k++)
    cblas_daxpy ((int) run_len, -self->params.l2_h,
                 self->H + k * self->m + sh->col0, 1, sh->wtx + k * self->m + sh->col0, 1);

  finish_grad_w (self, sh);
  sh->sum = data_term;  /* with missing cells the data term comes from R */
}

/* grad_h over the share's columns: -2 times the sum of all shares' wtx. */
static void
share_grad_h (guint    index,
              guint    count,
              gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize len, runs = column_runs (sh, self->r, self->m, &len);
  double sq = 0.0;

  for (gsize k = 0; k < runs; k++)
    {
      double *g = self->grad_h + k * self->m + sh->col0;

      for (guint s = 1; s < self->n_shares; s++)
        cblas_daxpy ((int) len, 1.0, self->shares[s].wtx + k * self->m + sh->col0, 1, g, 1);
      cblas_dscal ((int) len, -2.0, g, 1);
      sq += cblas_ddot ((int) len, g, 1, g, 1);
    }
  sh->sq_grad_h = sq;
}

/* ||X - WH||^2 over the share's rows, a panel at a time. */
static void
share_exact (guint    index,
             guint    count,
             gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  int m = (int) self->m, r = (int) self->r;

  sh->sum = 0.0;
  for (gsize i0 = sh->row0; i0 < sh->row1; i0 += self->panel_rows)
    {
      gsize rows = MIN (self->panel_rows, sh->row1 - i0);

      memcpy (sh->panel, self->X->data + i0 * self->m, rows * self->m * sizeof (double));
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, m, r,
                   -1.0, self->W + i0 * self->r, r, self->H, m, 1.0, sh->panel, m);
      sh->sum += cblas_ddot ((int) (rows * self->m), sh->panel, 1, sh->panel, 1);
    }
}

static double
sum_shares (FsSolver *self)
{
  double sum = 0.0;

  for (guint s = 0; s < self->n_shares; s++)
    sum += self->shares[s].sum;
  return sum;
}

/* gram = -(base + l2 I) */
static void
set_gram (double       *gram,
          const double *base,
          double        l2,
          gsize         r)
{
  for (gsize k = 0; k < r * r; k++)
    gram[k] = -base[k];
  for (gsize i = 0; i < r; i++)
    gram[i * r + i] -= l2;
}

/* The data term from ||X||^2 - 2 <W, X H^T> + <W^T W, H H^T>, and both
 * gradients, with A = X H^T - W (H H^T + l2_w I) = -grad_w / 2 from the
 * products: <W, X H^T> = <W, A> + <W^T W, H H^T> + l2_w ||W||^2. */
static double
evaluate_gram (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize rr = self->r * self->r;
  double cross, trace_wtw = 0.0, wtw_hht;

  g_assert (self->X->rows == self->n && self->X->cols == self->m);

  fs_pool_run (self->pool, share_prepare, self);
  memcpy (self->wtw, self->shares[0].wtw, rr * sizeof (double));
  memcpy (self->hht, self->shares[0].hht, rr * sizeof (double));
  for (guint s = 1; s < self->n_shares; s++)
    {
      cblas_daxpy ((int) rr, 1.0, self->shares[s].wtw, 1, self->wtw, 1);
      cblas_daxpy ((int) rr, 1.0, self->shares[s].hht, 1, self->hht, 1);
    }
  fill_lower_from_upper (self->hht, self->r);
  fill_lower_from_upper (self->wtw, self->r);
  set_gram (self->gram_w, self->hht, p->l2_w, self->r);
  set_gram (self->gram_h, self->wtw, p->l2_h, self->r);
  fs_products_pack (self->impl, self->gram_w, self->r, self->r, 0, self->r, self->packed_gram_w);

  fs_pool_run (self->pool, share_products, self);
  fs_pool_run (self->pool, share_grad_h, self);

  for (gsize i = 0; i < self->r; i++)
    trace_wtw += self->wtw[i * self->r + i];
  wtw_hht = cblas_ddot ((int) rr, self->wtw, 1, self->hht, 1);
  cross = sum_shares (self) + wtw_hht + p->l2_w * trace_wtw;

  return self->x_norm_sq - 2.0 * cross + wtw_hht;
}

static double
evaluate_residual (FsSolver *self)
{
  g_assert (self->X->mask != NULL && self->residual != NULL);

  fs_pool_run (self->pool, share_prepare, self);
  fs_pool_run (self->pool, share_residual, self);
  fs_pool_run (self->pool, share_grad_h, self);
  /* In share order: the same sum for the same thread count. */
  self->holdout_sum = 0.0;
  for (guint s = 0; s < self->n_shares; s++)
    self->holdout_sum += self->shares[s].held_sum;
  return sum_shares (self);
}

/* The step and the prepared shares, then the passes over the pattern. */
static double
evaluate_sparse (FsSolver *self)
{
  fs_pool_run (self->pool, share_prepare, self);
  return fs_solver_sparse_evaluate (self);
}

static double
penalties (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize len_w = self->n * self->r, len_h = self->r * self->m;
  double sum = 0.0;

  if (p->l2_w != 0.0)
    sum += p->l2_w * cblas_ddot ((int) len_w, self->W, 1, self->W, 1);
  if (p->l2_h != 0.0)
    sum += p->l2_h * cblas_ddot ((int) len_h, self->H, 1, self->H, 1);
  if (p->l1_w != 0.0)
    sum += p->l1_w * l1_norm (self->W, len_w);
  if (p->l1_h != 0.0)
    sum += p->l1_h * l1_norm (self->H, len_h);

  return sum;
}

static double
exact_data_term (FsSolver *self)
{
  g_assert (self->X->mask == NULL);

  fs_pool_run (self->pool, share_exact, self);
  return sum_shares (self);
}

/* Whether the Gram form's data term must be replaced by the exact one:
 * below PRECISION_GUARD, or (in a step, where self->cost is still the
 * cost before it) when the cost moved by less than CHANGE_MARGIN times
 * the Gram form's error bound. */
static gboolean
gram_needs_exact (FsSolver *self,
                  double    data_term,
                  double    cost)
{
  double error_bound = GRAM_ERROR_K * DBL_EPSILON * self->x_norm_sq;

  if (data_term < PRECISION_GUARD * self->x_norm_sq)
    return TRUE;
  if (error_bound <= GRAM_EXACT_ENOUGH * data_term)
    return FALSE;
  return self->stepping && isfinite (self->cost) &&
         fabs (self->cost - cost) < CHANGE_MARGIN * error_bound;
}

/* Cost and gradients at the current W and H. The Gram form of the data
 * term carries an absolute error of up to GRAM_ERROR_K eps ||X||^2; it is
 * recomputed from the residual below PRECISION_GUARD and once the run
 * converges (gram_needs_exact), so the history stays exact to many digits
 * down to a perfect fit and never falls below f*. */
static void
evaluate (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize len_w = self->n * self->r, len_h = self->r * self->m;
  double data_term, sq_grad_w = 0.0, sq_grad_h = 0.0;

  if (self->pattern != NULL)
    {
      data_term = evaluate_sparse (self);
      if (self->pattern->zeros_are_values &&
          gram_needs_exact (self, data_term, data_term + share_penalties (self)))
        data_term = fs_solver_sparse_exact_data_term (self);
    }
  else if (self->f32 != NULL)  /* float32: fs-solver-f32.c */
    data_term = fs_solver_f32_data_term (self);
  else if (self->residual != NULL)
    data_term = evaluate_residual (self);
  else
    {
      data_term = evaluate_gram (self);
      if (gram_needs_exact (self, data_term, data_term + share_penalties (self)))
        data_term = exact_data_term (self);
    }

  for (guint s = 0; s < self->n_shares; s++)
    {
      sq_grad_w += self->shares[s].sq_grad_w;
      sq_grad_h += self->shares[s].sq_grad_h;
    }

  if (p->l1_mode == FS_L1_SUBGRADIENT && (p->l1_w != 0.0 || p->l1_h != 0.0))
    {
      if (p->l1_w != 0.0)
        add_l1_subgradient (self->grad_w, self->W, p->l1_w, len_w);
      if (p->l1_h != 0.0)
        add_l1_subgradient (self->grad_h, self->H, p->l1_h, len_h);
      sq_grad_w = cblas_ddot ((int) len_w, self->grad_w, 1, self->grad_w, 1);
      sq_grad_h = cblas_ddot ((int) len_h, self->grad_h, 1, self->grad_h, 1);
    }

  self->data_term = data_term;
  self->cost = data_term + share_penalties (self);
  self->grad_norm_w = sqrt (sq_grad_w);
  self->grad_norm_h = sqrt (sq_grad_h);
}

static void
fs_solver_clear_state (FsSolver *self)
{
  for (guint s = 0; s < FS_RULE_MAX_STATE; s++)
    {
      g_clear_pointer (&self->state_w[s], g_free);
      g_clear_pointer (&self->state_h[s], g_free);
    }
}

void
fs_solver_free (FsSolver *self)
{
  if (self == NULL)
    return;

  fs_solver_clear_state (self);
  g_clear_pointer (&self->f32, fs_solver_f32_free);  /* float32 */
  g_clear_pointer (&self->instability, fs_instability_free);
  fs_warning_clear (&self->warning);
  g_clear_pointer (&self->log, fs_cost_log_unref);
  g_clear_pointer (&self->trace, fs_trace_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->given, fs_matrix_unref);
  g_clear_pointer (&self->holdout, fs_holdout_unref);
  g_free (self->W);
  g_free (self->H);
  g_free (self->grad_w);
  g_free (self->grad_h);
  g_clear_pointer (&self->pool, fs_pool_free);
  for (guint s = 0; self->shares != NULL && s < self->n_shares; s++)
    {
      Share *sh = &self->shares[s];

      if (s > 0)
        g_free (sh->wtx);
      g_free (sh->wtw);
      g_free (sh->hht);
      g_free (sh->scratch);
      g_free (sh->panel);
      g_free (sh->ght);
    }
  g_free (self->shares);
  g_free (self->packed_h);
  g_free (self->hht);
  g_free (self->wtw);
  g_free (self->gram_w);
  g_free (self->gram_h);
  g_free (self->packed_gram_w);
  g_free (self->residual);
  g_free (self->ht);
  g_clear_pointer (&self->pattern, fs_sparse_unref);
  g_free (self->stop_message);
  g_free (self);
}

/* ||X||^2 over the observed cells, summed with Neumaier's compensation:
 * the Gram form subtracts the cross terms from it, so its rounding error
 * goes straight into every data term. A plain sum of n m squares is off
 * by up to n m eps ||X||^2 (about 100 eps ||X||^2 measured on 1000 ×
 * 1000), the compensated one by about eps ||X||^2. */
static double
observed_norm_sq (const FsMatrix *X)
{
  gsize len = X->rows * X->cols;
  double sum = 0.0, carry = 0.0;

  for (gsize k = 0; k < len; k++)
    {
      double term, next;

      if (X->mask != NULL && !X->mask[k])
        continue;
      term = X->data[k] * X->data[k];
      next = sum + term;
      carry += fabs (sum) >= term ? (sum - next) + term : (term - next) + sum;
      sum = next;
    }
  return sum + carry;
}

static double *
try_alloc (gsize    count,
           GError **error)
{
  double *p = fs_alloc_doubles (count);

  if (p == NULL)
    {
      g_autofree char *values = g_strdup_printf ("%" G_GSIZE_FORMAT, count);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the solver's %s values"), values);
    }
  return p;
}

/* The factors, their gradients and the r × r matrices. */
static gboolean
alloc_factors (FsSolver  *self,
               GError   **error)
{
  gsize n = self->n, m = self->m, r = self->r;

  if (!(self->W = try_alloc (n * r, error)) ||
      !(self->H = try_alloc (r * m, error)) ||
      !(self->grad_w = try_alloc (n * r, error)) ||
      !(self->grad_h = try_alloc (r * m, error)) ||
      !(self->hht = try_alloc (r * r, error)) ||
      !(self->wtw = try_alloc (r * r, error)) ||
      !(self->gram_w = try_alloc (r * r, error)) ||
      !(self->gram_h = try_alloc (r * r, error)))
    return FALSE;

  return self->impl == FS_PRODUCTS_BLAS ||
         ((self->packed_h = try_alloc (fs_products_packed_len (self->impl, r, m), error)) &&
          (self->packed_gram_w = try_alloc (fs_products_packed_len (self->impl, r, r), error)));
}

/* The first held-out cell at or after the row-major index, by bisection. */
gsize
fs_solver_first_held_from (const FsHoldout *holdout,
                           gsize            index)
{
  const gsize *cells = fs_holdout_get_cells (holdout);
  gsize lo = 0, hi = fs_holdout_get_n_cells (holdout);

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (cells[mid] < index)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* One share per thread, its rows split at multiples of 4, which the
 * products take four at a time. */
static gboolean
alloc_shares (FsSolver  *self,
              GError   **error)
{
  gsize n = self->n, m = self->m, r = self->r;
  gsize scratch_len = fs_products_scratch_len (self->impl, r);

  self->shares = g_new0 (Share, self->n_shares);
  for (guint s = 0; s < self->n_shares; s++)
    {
      Share *sh = &self->shares[s];

      sh->row0 = s == 0 ? 0 : MIN (n, (n * s / self->n_shares) & ~(gsize) 3);
      sh->row1 = s + 1 == self->n_shares ? n : MIN (n, (n * (s + 1) / self->n_shares) & ~(gsize) 3);
      sh->col0 = m * s / self->n_shares;
      sh->col1 = m * (s + 1) / self->n_shares;
      if (self->holdout != NULL)
        {
          sh->held0 = fs_solver_first_held_from (self->holdout, sh->row0 * m);
          sh->held1 = fs_solver_first_held_from (self->holdout, sh->row1 * m);
        }
      sh->wtx = s == 0 ? self->grad_h : try_alloc (r * m, error);
      if (sh->wtx == NULL ||
          !(sh->wtw = try_alloc (r * r, error)) ||
          !(sh->hht = try_alloc (r * r, error)) ||
          (self->X->mask == NULL && !(sh->panel = try_alloc (self->panel_rows * m, error))) ||
          (scratch_len > 0 && !(sh->scratch = try_alloc (scratch_len, error))))
        return FALSE;
    }
  return TRUE;
}

/* The residual with missing cells, and the rule's state. */
static gboolean
alloc_residual_and_state (FsSolver  *self,
                          GError   **error)
{
  if (self->X->mask != NULL && !(self->residual = try_alloc (self->n * self->m, error)))
    return FALSE;

  for (guint s = 0; s < self->rule->n_state; s++)
    if (!(self->state_w[s] = try_alloc (self->n * self->r, error)) ||
        !(self->state_h[s] = try_alloc (self->r * self->m, error)))
      return FALSE;
  return TRUE;
}

/* The matrix trained on: the one given, or its training matrix when
 * params hold cells out, the split made once for every restart. */
static gboolean
split_matrix (FsSolver       *self,
              const FsParams *params,
              GError        **error)
{
  FsMatrix *X = self->given;

  if (params->holdout > 0.0)
    {
      self->holdout = fs_holdout_new (X, params->holdout, params->holdout_seed, error);
      if (self->holdout == NULL ||
          !(self->X = fs_holdout_training_matrix (self->holdout, X, error)))
        return FALSE;
    }
  else
    self->X = fs_matrix_ref (X);
  self->n_train = self->X->rows * self->X->cols - self->X->n_missing;
  return TRUE;
}

FsSolver *
fs_solver_new (FsMatrix       *X,
               const FsParams *params,
               GError        **error)
{
  g_autoptr(FsSolver) self = NULL;

  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (!fs_params_validate (params, X, error))
    return NULL;
  self = g_new0 (FsSolver, 1);
  self->given = fs_matrix_ref (X);
  if (!split_matrix (self, params, error))
    return NULL;
  self->params = *params;
  self->rule = params->rule;
  self->n = self->X->rows;
  self->m = self->X->cols;
  self->r = params->rank;
  self->pattern = self->X->sparse != NULL ? fs_sparse_ref (self->X->sparse) : NULL;
  self->x_norm_sq = self->pattern != NULL ? fs_sparse_frobenius_sq (self->pattern)
                                          : observed_norm_sq (self->X);
  self->x_sigma = fs_step_size_sigma_estimate (self->X);
  /* A perfect fit leaves a cost of about eps^2 ||X||^2 that rounding moves
   * by orders of magnitude; far above that, far below any real cost. */
  self->cost_floor = 1e-24 * self->x_norm_sq;
  self->instability = fs_instability_new ();
  self->panel_rows = CLAMP (PANEL_BYTES / (self->m * sizeof (double)), 1, self->n);
  self->impl = self->X->mask == NULL && self->pattern == NULL
               ? fs_products_best_impl (params->products) : FS_PRODUCTS_BLAS;
  /* params->products caps the sparse pass's kernel the same way: blas
   * (no vector products) leaves it the portable one. */
  self->kernel = fs_sparse_kernel_best (params->products == FS_PRODUCTS_BLAS ? FS_SPARSE_KERNEL_SCALAR
                                        : params->products == FS_PRODUCTS_AVX2 ? FS_SPARSE_KERNEL_AVX2
                                        : FS_SPARSE_KERNEL_AVX512);
  self->n_shares = params->threads > 0 ? params->threads
                                       : fs_params_auto_threads_for (self->X, self->r);

  if (!alloc_factors (self, error) ||
      !(self->pattern != NULL ? fs_solver_sparse_alloc (self, error) : alloc_shares (self, error)))
    return NULL;

  /* The solver's threads are its own; OpenBLAS runs on each of them. */
  fs_blas_set_threads (1);
  self->pool = fs_pool_new (self->n_shares, params->nice);

  if (!alloc_residual_and_state (self, error))
    return NULL;
  /* float32: its copies and buffers (fs-solver-f32.c). */
  if (params->dtype == FS_DTYPE_FLOAT32 && !fs_solver_f32_init (self, error))
    return NULL;

  fs_solver_start (self, params->seed);
  return g_steal_pointer (&self);
}

/* What the rule's step sizes are chosen from, at the current point. */
static FsStepSizeContext
step_size_context (FsSolver *self)
{
  double data = self->cost - penalties (self);

  return (FsStepSizeContext) {
    .params = &self->params,
    .W = self->W,
    .H = self->H,
    .rows = self->n,
    .cols = self->m,
    .x_sigma = self->x_sigma,
    .residual_norm = isfinite (data) ? sqrt (MAX (data, 0.0)) : 0.0,
  };
}

/* A change of settings (or a start, or a resume): the instability detector
 * starts afresh from the current cost, any warning is dropped, and
 * divergence is measured from here. */
static void
mark_change (FsSolver *self)
{
  self->calm = 0;
  fs_instability_reset (self->instability);
  fs_instability_add (self->instability, MAX (self->cost, self->cost_floor), NULL, NULL);
  fs_warning_clear (&self->warning);
  self->has_warning = FALSE;
  self->reference_cost = self->cost;
  self->reference_iteration = self->iteration;
}

/* The zeros of W and H counted by the shares, over their rows of W and
 * columns of H, in two passes of share_zeros: the largest magnitudes
 * first, then (counting) the counts below the largest of all. */
typedef struct
{
  FsSolver    *self;
  double      *max_w;
  double      *max_h;
  FsZeroCount *zeros_w;
  FsZeroCount *zeros_h;
  gboolean    *no_nan;
  double       all_max_w;
  double       all_max_h;
  gboolean     counting;
} ZeroCounting;

/* One run of share index's values, of H (of_h) or of W, into the pass:
 * its largest magnitude into the share's, or its counts into the share's
 * (FALSE when it holds a NaN). */
static gboolean
zeros_part (ZeroCounting *z,
            guint         index,
            gboolean      of_h,
            const double *values,
            gsize         len)
{
  double *max = of_h ? &z->max_h[index] : &z->max_w[index];

  if (!z->counting)
    {
      /* Apart: MAX would call it twice. */
      double part = fs_count_zeros_part_max (values, len);

      *max = MAX (*max, part);
      return TRUE;
    }
  return fs_count_zeros_part (values, len, of_h ? z->all_max_h : z->all_max_w,
                              of_h ? &z->zeros_h[index] : &z->zeros_w[index]);
}

/* The share's rows of W (one run) and its columns of H (a run each row of
 * H) through the pass of zeros_part. */
static void
share_zeros (guint    index,
             guint    count,
             gpointer data)
{
  ZeroCounting *z = data;
  FsSolver *self = z->self;
  const Share *sh = &self->shares[index];
  gsize r = self->r, m = self->m, cols = sh->col1 - sh->col0;
  gboolean no_nan;

  if (z->counting)
    z->zeros_w[index] = z->zeros_h[index] = (FsZeroCount) { 0 };
  else
    z->max_w[index] = z->max_h[index] = 0.0;
  no_nan = zeros_part (z, index, FALSE, self->W + sh->row0 * r, (sh->row1 - sh->row0) * r);
  for (gsize k = 0; k < r && cols > 0; k++)
    no_nan &= zeros_part (z, index, TRUE, self->H + k * m + sh->col0, cols);
  z->no_nan[index] = no_nan;
}

/* fs_count_zeros over W and H by the pool: two passes over each (the
 * trace's, at every iteration of a short run) that one thread took about
 * 2.5 ms of at n r = 3.2 million (README "Sparse"). A NaN anywhere, or
 * shares that do not cover W and H, and fs_count_zeros counts alone. */
static void
count_zeros (FsSolver    *self,
             FsZeroCount *zeros_w,
             FsZeroCount *zeros_h)
{
  guint n = self->n_shares;
  g_autofree double *max = g_new (double, 2 * n);
  g_autofree FsZeroCount *counts = g_new (FsZeroCount, 2 * n);
  g_autofree gboolean *no_nan = g_new (gboolean, n);
  ZeroCounting z = { self, max, max + n, counts, counts + n, no_nan, 0.0, 0.0, FALSE };
  gboolean whole = TRUE;

  fs_pool_run (self->pool, share_zeros, &z);
  for (guint s = 0; s < n; s++)
    {
      z.all_max_w = MAX (z.all_max_w, z.max_w[s]);
      z.all_max_h = MAX (z.all_max_h, z.max_h[s]);
    }
  z.counting = TRUE;
  fs_pool_run (self->pool, share_zeros, &z);
  *zeros_w = *zeros_h = (FsZeroCount) { 0 };
  for (guint s = 0; s < n; s++)
    {
      whole &= z.no_nan[s];
      zeros_w->total += z.zeros_w[s].total;
      zeros_w->exact += z.zeros_w[s].exact;
      zeros_w->small += z.zeros_w[s].small;
      zeros_h->total += z.zeros_h[s].total;
      zeros_h->exact += z.zeros_h[s].exact;
      zeros_h->small += z.zeros_h[s].small;
    }
  if (!whole || zeros_w->total != self->n * self->r || zeros_h->total != self->r * self->m)
    {
      fs_count_zeros (self->W, self->n * self->r, zeros_w);
      fs_count_zeros (self->H, self->r * self->m, zeros_h);
    }
}

/* The last evaluation's terms, norms and zeros into the trace: the norms
 * come from it, the zeros from one pass over W and H, O ((n + m) r). */
static void
append_trace (FsSolver *self)
{
  double values[FS_N_TRACES];
  FsZeroCount zeros_w, zeros_h;

  count_zeros (self, &zeros_w, &zeros_h);
  values[FS_TRACE_DATA] = self->data_term;
  for (guint k = FS_TRACE_L2_W; k <= FS_TRACE_L1_H; k++)
    values[k] = self->terms[k - FS_TRACE_L2_W];
  values[FS_TRACE_NORM_W] = sqrt (self->sq_norm_w);
  values[FS_TRACE_NORM_H] = sqrt (self->sq_norm_h);
  values[FS_TRACE_GRAD_NORM] = hypot (self->grad_norm_w, self->grad_norm_h);
  values[FS_TRACE_ZEROS_W] = zeros_w.total > 0 ? (double) zeros_w.exact / zeros_w.total : 0.0;
  values[FS_TRACE_ZEROS_H] = zeros_h.total > 0 ? (double) zeros_h.exact / zeros_h.total : 0.0;
  values[FS_TRACE_SMALL_W] = zeros_w.total > 0 ? (double) zeros_w.small / zeros_w.total : 0.0;
  values[FS_TRACE_SMALL_H] = zeros_h.total > 0 ? (double) zeros_h.small / zeros_h.total : 0.0;
  values[FS_TRACE_TRAIN_MSE] = fs_solver_get_train_mse (self);
  values[FS_TRACE_HOLDOUT_MSE] = fs_solver_get_holdout_mse (self);
  fs_trace_append (self->trace, self->iteration, values);
}

static void
begin_run (FsSolver *self)
{
  FsStepSizeContext ctx;

  for (guint s = 0; s < self->rule->n_state; s++)
    {
      memset (self->state_w[s], 0, self->n * self->r * sizeof (double));
      memset (self->state_h[s], 0, self->r * self->m * sizeof (double));
    }

  g_clear_pointer (&self->log, fs_cost_log_unref);
  g_clear_pointer (&self->trace, fs_trace_unref);
  g_clear_pointer (&self->stop_message, g_free);
  self->log = fs_cost_log_new ();
  self->trace = fs_trace_new ();
  self->iteration = 0;
  self->rule_start = 0;
  self->stop = FS_STOP_NONE;

  ctx = step_size_context (self);
  self->starting_lr = self->rule->starting_lr (&ctx);
  evaluate (self);
  fs_cost_log_append (self->log, self->cost);
  append_trace (self);
  mark_change (self);
}

/* From the seeded point of fs_start_fill(), which the starting step of
 * fs_step_size_starting() sees too. */
void
fs_solver_start (FsSolver *self,
                 guint64   seed)
{
  g_return_if_fail (self != NULL);

  self->seed = seed;
  fs_start_fill (self->X, self->params.init, (guint) self->r, seed, self->W, self->H);
  begin_run (self);
}

void
fs_solver_start_from (FsSolver     *self,
                      const double *W,
                      const double *H)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (W != NULL && H != NULL);

  memcpy (self->W, W, self->n * self->r * sizeof (double));
  memcpy (self->H, H, self->r * self->m * sizeof (double));
  begin_run (self);
}

/* The iteration goes into messages as a string: xgettext cannot read the
 * GLib format macros inside a translatable string. */
static char *
format_iteration (guint64 iteration)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, iteration);
}

/* What happened, then the rule's advice. */
static void
set_divergence (FsSolver   *self,
                const char *what)
{
  FsStepSizeContext ctx = step_size_context (self);
  g_autofree char *advice = fs_rule_dup_divergence_advice (self->rule, &ctx);
  g_autofree char *iteration = format_iteration (self->iteration);

  self->stop = FS_STOP_DIVERGED;
  self->stop_message = g_strdup_printf (_("The solver diverged at iteration %s: %s. %s"),
                                        iteration, what, advice);
}

/* The cost grew past DIVERGENCE_FACTOR times the cost before the last
 * change: the message names that cost, and where it was when the change
 * came after the start. */
static void
set_growth (FsSolver *self)
{
  g_autofree char *what = NULL;

  if (self->reference_iteration == 0)
    what = g_strdup_printf (_("the cost grew from %.4g to %.4g"),
                            self->reference_cost, self->cost);
  else
    {
      g_autofree char *at = format_iteration (self->reference_iteration);

      what = g_strdup_printf (_("the cost grew from %.4g (at iteration %s, after the last "
                                "change) to %.4g"), self->reference_cost, at, self->cost);
    }
  set_divergence (self, what);
}

/* Feeds the cost to the detector; when it flags the run (once per
 * change), records the warning and, with params->stop_unstable, stops. */
static void
watch_instability (FsSolver *self)
{
  FsStepSizeContext ctx;
  FsWarningKind kind;
  double swing;

  if (!fs_instability_add (self->instability, MAX (self->cost, self->cost_floor), &kind, &swing) ||
      self->has_warning)
    return;

  ctx = step_size_context (self);
  fs_warning_set (&self->warning, kind, self->iteration, swing, fs_rule_unstable_lr (self->rule, &ctx));
  self->has_warning = TRUE;
  if (self->params.stop_unstable)
    {
      self->stop = FS_STOP_UNSTABLE;
      self->stop_message = g_strdup (self->warning.message);
    }
}

static void
check_stop (FsSolver *self,
            double    previous)
{
  const FsParams *p = &self->params;

  if (!isfinite (self->cost))
    {
      set_divergence (self, isnan (self->cost) ? _("the cost became NaN")
                                               : _("the cost became infinite"));
      return;
    }
  if (self->reference_cost > 0.0 && self->cost > DIVERGENCE_FACTOR * self->reference_cost)
    {
      set_growth (self);
      return;
    }

  watch_instability (self);
  if (self->stop != FS_STOP_NONE)
    return;

  /* One quiet step is not a convergence: momentum, Adam and oscillations
   * have turning points where two costs nearly agree. */
  self->calm = p->tol > 0.0 && fabs (previous - self->cost) <= p->tol * fabs (previous)
               ? self->calm + 1 : 0;
  if (self->calm >= TOLERANCE_PATIENCE)
    {
      g_autofree char *iteration = format_iteration (self->iteration);
      g_autofree char *patience = format_iteration (TOLERANCE_PATIENCE);

      self->stop = FS_STOP_TOLERANCE;
      self->stop_message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "The cost changed by less than %.3g (relative) in the last "
                                      "%s iteration, at iteration %s.",
                                      "The cost changed by less than %.3g (relative) in each of the "
                                      "last %s iterations, at iteration %s.",
                                      TOLERANCE_PATIENCE),
                         p->tol, patience, iteration);
    }
  else if (self->iteration >= p->max_iters)
    {
      g_autofree char *limit = format_iteration (p->max_iters);

      self->stop = FS_STOP_ITERATIONS;
      self->stop_message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Reached the limit of %s iteration.",
                                                         "Reached the limit of %s iterations.",
                                                         p->max_iters), limit);
    }
}

/* Updates W and H from the same point, then evaluates the new point. */
FsStop
fs_solver_iterate (FsSolver *self)
{
  const FsParams *p;
  FsStepContext ctx;
  double previous;

  g_return_val_if_fail (self != NULL, FS_STOP_NONE);

  if (self->stop != FS_STOP_NONE)
    return self->stop;

  p = &self->params;
  ctx = (FsStepContext) {
    .lr = p->lr,
    .momentum = p->momentum,
    .beta1 = p->adam_beta1,
    .beta2 = p->adam_beta2,
    .eps = p->adam_eps,
    .t = self->iteration - self->rule_start + 1,
    .nonneg = p->nonneg,
  };
  self->step_w = ctx;
  self->step_w.l1 = p->l1_mode == FS_L1_PROXIMAL ? p->l1_w : 0.0;
  self->step_w.grad_norm = self->grad_norm_w;
  self->step_h = ctx;
  self->step_h.l1 = p->l1_mode == FS_L1_PROXIMAL ? p->l1_h : 0.0;
  self->step_h.grad_norm = self->grad_norm_h;

  previous = self->cost;
  self->iteration++;
  /* The step is taken by the shares, as the evaluation's first phase. */
  self->stepping = TRUE;
  evaluate (self);
  self->stepping = FALSE;
  fs_cost_log_append (self->log, self->cost);
  check_stop (self, previous);
  /* The last iteration of a run is traced wherever it falls: the trace
   * ends where the run does. */
  if (fs_trace_wants (self->iteration) || self->stop != FS_STOP_NONE)
    append_trace (self);

  return self->stop;
}

/* Takes effect at the next step, without restarting the run; counts as a
 * change (the detector and the divergence reference start afresh). */
void
fs_solver_set_lr (FsSolver *self,
                  double    lr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (lr) && lr > 0.0);

  self->params.lr = lr;
  mark_change (self);
}

/* The rule's state for a new rule: arrays of its own, zeroed, and Adam's
 * step count restarting here. FALSE when memory runs out. */
static gboolean
switch_rule (FsSolver     *self,
             const FsRule *rule)
{
  fs_solver_clear_state (self);
  self->rule = rule;
  self->rule_start = self->iteration;
  for (guint s = 0; s < rule->n_state; s++)
    if (!(self->state_w[s] = g_try_new0 (double, self->n * self->r)) ||
        !(self->state_h[s] = g_try_new0 (double, self->r * self->m)))
      return FALSE;
  return TRUE;
}

/* A stop that the change or resume may lift: not divergence. */
static void
lift_stop (FsSolver *self)
{
  if (self->stop != FS_STOP_ITERATIONS && self->stop != FS_STOP_TOLERANCE &&
      self->stop != FS_STOP_UNSTABLE)
    return;
  if (!isfinite (self->cost) || self->iteration >= self->params.max_iters)
    return;
  self->stop = FS_STOP_NONE;
  g_clear_pointer (&self->stop_message, g_free);
}

/* Goes on from the current W and H under new settings (a warm change,
 * DESIGN.md section 5): those that fs_params_needs_restart() lets change.
 * The iteration count and the cost log go on; the rule's state is zeroed
 * when the rule changes; W and H are projected when non-negativity comes
 * on; the cost is evaluated again under the new penalties (nothing is
 * logged); a stop for iterations, tolerance or instability is lifted when
 * the run can go on. */
void
fs_solver_change_params (FsSolver       *self,
                         const FsParams *params)
{
  gboolean was_nonneg;

  g_return_if_fail (self != NULL && params != NULL);
  g_return_if_fail (!fs_params_needs_restart (&self->params, params));
  g_return_if_fail (fs_params_validate (params, self->given, NULL));

  was_nonneg = self->params.nonneg;
  self->params = *params;
  if (params->rule != self->rule && !switch_rule (self, params->rule))
    g_error ("Out of memory for the update rule's state");

  if (params->nonneg && !was_nonneg)
    {
      for (gsize k = 0; k < self->n * self->r; k++)
        self->W[k] = MAX (self->W[k], 0.0);
      for (gsize k = 0; k < self->r * self->m; k++)
        self->H[k] = MAX (self->H[k], 0.0);
    }

  evaluate (self);
  mark_change (self);
  lift_stop (self);
}

/* Lets a stopped run go on: lifts a stop for tolerance or instability (or
 * the iteration limit, once it was raised), and watches the run afresh.
 * FALSE, changing nothing, after divergence or at the iteration limit. */
gboolean
fs_solver_resume (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->stop == FS_STOP_DIVERGED || !isfinite (self->cost) ||
      self->iteration >= self->params.max_iters)
    return FALSE;

  lift_stop (self);
  mark_change (self);
  return TRUE;
}

/* The instability seen since the last start or change, or NULL. */
const FsWarning *
fs_solver_get_warning (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->has_warning ? &self->warning : NULL;
}

/* ||X - WH||^2 over the observed cells, from the residual itself, a panel of
 * rows at a time: the Gram form loses digits when the residual is tiny.
 * On a sparse matrix: the cost itself with missing cells, and with zeros
 * as values the data term from the listed cells and the Grams
 * (fs_solver_sparse_exact_data_term), plus the penalties. */
double
fs_solver_get_exact_cost (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  if (self->pattern != NULL)
    return fs_solver_sparse_exact_data_term (self) + penalties (self);
  if (self->residual != NULL)
    return self->cost;

  return exact_data_term (self) + penalties (self);
}

/* The stability bound of fs_step_size_stability_bound() at the current
 * W and H: plain steps below it are locally stable here. */
double
fs_solver_get_stability_bound (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return fs_step_size_stability_bound (self->W, self->H, self->n, self->m, (guint) self->r,
                                       self->params.l2_w, self->params.l2_h);
}

/* The rule's starting learning rate at the point the run started from:
 * for a start from a seed, what fs_step_size_starting() gives. */
/* W^T W and H H^T at the current W and H, as the last evaluation made
 * them; FALSE with missing cells (dense or sparse), whose evaluation
 * makes neither. A sparse matrix with zeros as values has them. */
gboolean
fs_solver_get_grams (FsSolver      *self,
                     const double **wtw,
                     const double **hht)
{
  g_return_val_if_fail (self != NULL && wtw != NULL && hht != NULL, FALSE);

  if (self->pattern != NULL)
    return fs_solver_sparse_get_grams (self, wtw, hht);
  if (self->residual != NULL)
    return FALSE;
  *wtw = self->wtw;
  *hht = self->hht;
  return TRUE;
}

/* The estimate of sigma_1(X) the step sizes use (fs_step_size_sigma_estimate). */
double
fs_solver_get_sigma_estimate (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return self->x_sigma;
}

double
fs_solver_get_starting_lr (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return self->starting_lr;
}

FsMatrix *
fs_solver_get_matrix (FsSolver *self)
{
  return self->given;
}

const FsParams *
fs_solver_get_params (FsSolver *self)
{
  return &self->params;
}

gsize
fs_solver_get_rows (FsSolver *self)
{
  return self->n;
}

gsize
fs_solver_get_cols (FsSolver *self)
{
  return self->m;
}

guint
fs_solver_get_rank (FsSolver *self)
{
  return (guint) self->r;
}

guint64
fs_solver_get_seed (FsSolver *self)
{
  return self->seed;
}

guint64
fs_solver_get_iteration (FsSolver *self)
{
  return self->iteration;
}

/* The cost of the current iterate as the iteration computed it. */
double
fs_solver_get_cost (FsSolver *self)
{
  return self->cost;
}

double
fs_solver_get_grad_norm_w (FsSolver *self)
{
  return self->grad_norm_w;
}

double
fs_solver_get_grad_norm_h (FsSolver *self)
{
  return self->grad_norm_h;
}

const double *
fs_solver_get_w (FsSolver *self)
{
  return self->W;
}

const double *
fs_solver_get_h (FsSolver *self)
{
  return self->H;
}

const double *
fs_solver_get_grad_w (FsSolver *self)
{
  return self->grad_w;
}

const double *
fs_solver_get_grad_h (FsSolver *self)
{
  return self->grad_h;
}

FsCostLog *
fs_solver_get_log (FsSolver *self)
{
  return self->log;
}

/* The current run's trace: opened by each start, like the cost log. */
FsTrace *
fs_solver_get_trace (FsSolver *self)
{
  return self->trace;
}

FsStop
fs_solver_get_stop (FsSolver *self)
{
  return self->stop;
}

const char *
fs_solver_get_stop_message (FsSolver *self)
{
  return self->stop_message;
}

/* The split, shared by every run of this solver. */
FsHoldout *
fs_solver_get_holdout (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->holdout;
}

double
fs_solver_get_train_mse (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  return self->n_train > 0 ? self->data_term / (double) self->n_train : NAN;
}

/* From the sums the last evaluation's shares made while forming X - WH. */
double
fs_solver_get_holdout_mse (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  if (self->holdout == NULL)
    return NAN;
  return self->holdout_sum / (double) fs_holdout_get_n_cells (self->holdout);
}

guint
fs_solver_get_threads (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, 1);

  return self->n_shares;
}

/* Which implementation computes the products over X: on a sparse matrix,
 * the instruction set of the pass over its cells (blas: the portable one). */
FsProductsImpl
fs_solver_get_products (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, FS_PRODUCTS_BLAS);

  if (self->pattern != NULL)
    return self->kernel == FS_SPARSE_KERNEL_AVX512 ? FS_PRODUCTS_AVX512
           : self->kernel == FS_SPARSE_KERNEL_AVX2 ? FS_PRODUCTS_AVX2 : FS_PRODUCTS_BLAS;
  return self->impl;
}
