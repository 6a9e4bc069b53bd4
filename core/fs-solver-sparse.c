/* fs-solver-sparse.c: the solver's path over the listed cells of a sparse
 * matrix (issue 18).
 *
 * With the unlisted cells missing, the data term and both gradients come
 * from one fused pass over the pattern per share: for each listed cell
 * (i, j), res = x - w_i . h_j; -grad_w_i / 2 += res h_j; -grad_h_j / 2 +=
 * res w_i; the data term += res^2. Nothing of size n × m is formed, so an
 * iteration costs O(nnz r) time and O((n + m) r) memory beyond the cells.
 *
 * H is kept transposed as well (ht, m × r, rewritten by each share over its
 * columns after the step), so that the r values of h_j a cell reads are
 * contiguous. Each share adds its rows' part of the H gradient into an
 * m × r buffer of its own, and the shares' buffers are summed in share
 * order: the same settings give the same run bit for bit for a given
 * thread count, as on the dense path (DESIGN.md).
 *
 * Shares split the rows where the listed cells split evenly, not the row
 * count: the pass costs per cell.
 *
 * With the unlisted cells real zeros (zeros_are_values) the cost runs over
 * all n m cells, and the dense path's Gram form serves with X sparse: the
 * data term is ||X||^2 - 2 <W, X H^T> + <W^T W, H H^T>, the gradients
 * come from X H^T and W^T X (one pass over the pattern, O(nnz r)) and the
 * r × r Grams (O((n + m) r^2)). Where the Gram form is not precise enough
 * (gram_needs_exact in fs-solver.c), the data term is summed over every
 * cell, O(n m r) as on the dense path, when n m r is at most
 * FS_SPARSE_EXACT_BUDGET (fs-sparse.h: fs_cost_terms holds to it too);
 * above, as Σ_listed (x - wh)^2 + (<W^T W, H H^T> - Σ_listed (wh)^2). That form is no more precise than the Gram form
 * (measured: both off by up to about 10 eps ||X||^2, 5e-4 relative on a
 * data term of 4e-12 ||X||^2 where the sum over every cell is good to
 * 1e-14): the unlisted cells' part subtracts two terms of the size of
 * ||WH||^2. It only spares the matrix a pass over n m cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-solver"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-solver-private.h"
#include "fs-sparse-kernels.h"

/* Rows of W stepped at a time before the pass reads them: 256 rows of
 * rank 32 are 64 KiB of W, as much of its gradient and of each state
 * array, which stay in L2 (1 MiB) between the step and the pass, with a
 * quarter of 64 rows' BLAS calls. Against 256 rows, a pass took 4 to 8%
 * longer with 64 rows, 20 to 35% with 16, 55 to 90% with 1024 (100000 ×
 * 20000, 10^6 cells, rank 32, 2 threads, Zen 4, CPU time a thread on a
 * loaded machine). */
#define STEP_BLOCK_ROWS 256

/* The thread counts whose list of H-gradient buffers lives on the stack. */
#define FS_SPARSE_MAX_STACK_SHARES 64

/* The first row whose cells start at or after the cell index, by
 * bisection over the row offsets. */
static gsize
first_row_from_cell (const FsSparse *x,
                     gsize           cell)
{
  gsize lo = 0, hi = x->rows;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (x->row_ptr[mid] < cell)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static double *
try_alloc_zeroed (gsize    count,
                  GError **error)
{
  double *p = fs_alloc_doubles (count);

  if (p == NULL)
    {
      g_autofree char *values = g_strdup_printf ("%" G_GSIZE_FORMAT, count);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the solver's %s values"), values);
      return NULL;
    }
  memset (p, 0, count * sizeof (double));
  return p;
}

/* One share per thread: rows split where the listed cells split evenly,
 * columns (for the step on H and the sum of the H gradient) evenly. */
gboolean
fs_solver_sparse_alloc (FsSolver  *self,
                        GError   **error)
{
  const FsSparse *x = self->pattern;
  gsize n = self->n, m = self->m, r = self->r;

  if (!(self->ht = try_alloc_zeroed (m * r, error)))
    return FALSE;
  self->steps_w_in_pass = !x->zeros_are_values;
  self->shares = g_new0 (Share, self->n_shares);
  for (guint s = 0; s < self->n_shares; s++)
    {
      Share *sh = &self->shares[s];

      sh->row0 = s == 0 ? 0 : first_row_from_cell (x, x->nnz * s / self->n_shares);
      sh->row1 = s + 1 == self->n_shares ? n
                 : first_row_from_cell (x, x->nnz * (s + 1) / self->n_shares);
      sh->row1 = MAX (sh->row1, sh->row0);
      sh->col0 = m * s / self->n_shares;
      sh->col1 = m * (s + 1) / self->n_shares;
      if (self->holdout != NULL)
        {
          sh->held0 = fs_solver_first_held_from (self->holdout, sh->row0 * m);
          sh->held1 = fs_solver_first_held_from (self->holdout, sh->row1 * m);
        }
      if (!(sh->ght = try_alloc_zeroed (m * r, error)) ||
          !(sh->wtw = try_alloc_zeroed (r * r, error)) ||
          !(sh->hht = try_alloc_zeroed (r * r, error)))
        return FALSE;
    }
  return TRUE;
}

/* After the share's step: its columns of H^T, and ||H||^2 over its
 * columns for the L2 term (the pass over the pattern adds up ||W||^2);
 * with zeros as values, its parts of W^T W and H H^T (upper triangles). */
void
fs_solver_sparse_prepare (FsSolver *self,
                          Share    *sh)
{
  gsize r = self->r, m = self->m;

  for (gsize j = sh->col0; j < sh->col1; j++)
    for (gsize k = 0; k < r; k++)
      self->ht[j * r + k] = self->H[k * m + j];

  sh->sq_h = sh->col1 > sh->col0
             ? cblas_ddot ((int) ((sh->col1 - sh->col0) * r), self->ht + sh->col0 * r, 1,
                           self->ht + sh->col0 * r, 1)
             : 0.0;
  if (!self->pattern->zeros_are_values)
    return;
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) r, (int) (sh->row1 - sh->row0),
               1.0, self->W + sh->row0 * r, (int) r, 0.0, sh->wtw, (int) r);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) r, (int) (sh->col1 - sh->col0),
               1.0, self->ht + sh->col0 * r, (int) r, 0.0, sh->hht, (int) r);
}

/* Σ (x - w_i . h_j)^2 over the held-out cells of the share's rows. */
static double
share_held_out_sum (FsSolver    *self,
                    const Share *sh)
{
  const gsize *cells;
  const double *values;
  gsize r = self->r;
  double sum = 0.0;

  if (self->holdout == NULL)
    return 0.0;
  cells = fs_holdout_get_cells (self->holdout);
  values = fs_holdout_get_values (self->holdout);
  for (gsize c = sh->held0; c < sh->held1; c++)
    {
      const double *w = self->W + (cells[c] / self->m) * r;
      const double *h = self->ht + (cells[c] % self->m) * r;
      double wh = 0.0, d;

      for (gsize k = 0; k < r; k++)
        wh += w[k] * h[k];
      d = values[c] - wh;
      sum += d * d;
    }
  return sum;
}

/* The share's rows from row0 to row1 of W stepped. */
static void
step_w_rows (FsSolver *self,
             gsize     row0,
             gsize     row1)
{
  gsize r = self->r;
  double *st[FS_RULE_MAX_STATE];

  for (guint s = 0; s < self->rule->n_state; s++)
    st[s] = self->state_w[s] + row0 * r;
  self->rule->step (&self->step_w, self->W + row0 * r, self->grad_w + row0 * r, st,
                    (row1 - row0) * r);
}

/* The fused pass over the share's rows, STEP_BLOCK_ROWS at a time: in an
 * iteration, the block's step on W first, so that the pass finds the
 * block's W, gradient and rule state in cache rather than reading them
 * from memory again; then grad_w there, its part of -grad_h / 2 transposed
 * in sh->ght, its parts of the data term, ||W||^2, ||grad_w||^2 and
 * ||W||_1. */
static void
share_pattern (guint    index,
               guint    count,
               gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize r = self->r;
  FsSparseSums sums;

  /* sh->ght is zero here: share_grad_h zeroed it as it read it (and the
   * allocation did, before the first pass). */
  sh->sum = sh->sq_w = sh->sq_grad_w = sh->abs_w = 0.0;
  for (gsize b0 = sh->row0; b0 < sh->row1; b0 += STEP_BLOCK_ROWS)
    {
      gsize b1 = MIN (sh->row1, b0 + STEP_BLOCK_ROWS);

      if (self->stepping)
        step_w_rows (self, b0, b1);
      if (self->params.l1_w != 0.0)
        sh->abs_w += cblas_dasum ((int) ((b1 - b0) * r), self->W + b0 * r, 1);
      fs_sparse_kernel_rows (self->kernel, self->pattern, b0, b1, self->W, self->ht,
                             r, self->params.l2_w, self->grad_w, sh->ght, &sums);
      sh->sum += sums.data;
      sh->sq_w += sums.sq_w;
      sh->sq_grad_w += sums.sq_grad_w;
    }
  sh->held_sum = share_held_out_sum (self, sh);
}

/* grad_h over the share's columns: -2 (Σ over shares, in share order, of
 * their transposed parts - l2_h H), written back in H's layout. Each
 * share's part is zeroed as it is read, while it is in cache, for the
 * next pass (share_pattern) to add to: a pass of its own over each
 * buffer's m r values cost more. */
static void
share_grad_h (guint    index,
              guint    count,
              gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  double *parts[FS_SPARSE_MAX_STACK_SHARES];
  double **p = self->n_shares <= FS_SPARSE_MAX_STACK_SHARES ? parts
               : g_new (double *, self->n_shares);

  for (guint s = 0; s < self->n_shares; s++)
    p[s] = self->shares[s].ght;
  fs_sparse_kernel_sum_parts (self->kernel, p, self->n_shares, self->ht, self->r, self->m,
                              sh->col0, sh->col1, self->params.l2_h, self->grad_h,
                              &sh->sq_grad_h);
  if (p != parts)
    g_free (p);
}

/* x_i H^T into grad_w's row i, and x_i's part of W^T X into ght, for
 * the share's rows; returns Σ_i <w_i, x_i H^T>. */
static double
share_cross (FsSolver *self,
             Share    *sh)
{
  const FsSparse *x = self->pattern;
  gsize r = self->r;
  double cross = 0.0;

  for (gsize i = sh->row0; i < sh->row1; i++)
    {
      const double *w = self->W + i * r;
      double *xh = self->grad_w + i * r;

      memset (xh, 0, r * sizeof (double));
      for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
        {
          const double *h = self->ht + (gsize) x->col_idx[p] * r;
          double *g = sh->ght + (gsize) x->col_idx[p] * r;
          double v = x->values[p];

          for (gsize k = 0; k < r; k++)
            {
              xh[k] += v * h[k];
              g[k] += v * w[k];
            }
        }
      for (gsize k = 0; k < r; k++)
        cross += w[k] * xh[k];
    }
  return cross;
}

/* With zeros as values: grad_w = -2 (X H^T + W gram_w) over the share's
 * rows, its part of W^T X in sh->ght, its part of <W, X H^T> in sh->sum,
 * and ||W||^2 and ||grad_w||^2 over its rows. */
static void
share_products (guint    index,
                guint    count,
                gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize r = self->r, rows = sh->row1 - sh->row0, len = rows * r;
  double *a = self->grad_w + sh->row0 * r;
  const double *w = self->W + sh->row0 * r;

  memset (sh->ght, 0, self->m * r * sizeof (double));
  sh->sum = share_cross (self, sh);
  sh->held_sum = 0.0;
  sh->sq_w = sh->sq_grad_w = 0.0;
  if (rows == 0)
    return;
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) r, (int) r,
               1.0, w, (int) r, self->gram_w, (int) r, 1.0, a, (int) r);
  cblas_dscal ((int) len, -2.0, a, 1);
  sh->sq_grad_w = cblas_ddot ((int) len, a, 1, a, 1);
  sh->sq_w = cblas_ddot ((int) len, w, 1, w, 1);
}

/* With zeros as values, over the share's columns: W^T X summed over the
 * shares (in share order) into share 0's buffer, plus H^T gram_h; then
 * grad_h = -2 times that in H's layout. Only this share writes these rows
 * of share 0's buffer, and no other share reads them. */
static void
share_grad_h_gram (guint    index,
                   guint    count,
                   gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize r = self->r, m = self->m, cols = sh->col1 - sh->col0;
  double *acc = self->shares[0].ght + sh->col0 * r, sq = 0.0;

  for (guint s = 1; s < self->n_shares; s++)
    cblas_daxpy ((int) (cols * r), 1.0, self->shares[s].ght + sh->col0 * r, 1, acc, 1);
  if (cols > 0)
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) cols, (int) r, (int) r,
                 1.0, self->ht + sh->col0 * r, (int) r, self->gram_h, (int) r, 1.0, acc, (int) r);
  for (gsize c = 0; c < cols; c++)
    for (gsize k = 0; k < r; k++)
      {
        double v = -2.0 * acc[c * r + k];

        self->grad_h[k * m + sh->col0 + c] = v;
        sq += v * v;
      }
  sh->sq_grad_h = sq;
}

/* The r × r matrices of the Gram form from the shares' parts. */
static void
sum_grams (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize r = self->r, rr = r * r;

  memcpy (self->wtw, self->shares[0].wtw, rr * sizeof (double));
  memcpy (self->hht, self->shares[0].hht, rr * sizeof (double));
  for (guint s = 1; s < self->n_shares; s++)
    {
      cblas_daxpy ((int) rr, 1.0, self->shares[s].wtw, 1, self->wtw, 1);
      cblas_daxpy ((int) rr, 1.0, self->shares[s].hht, 1, self->hht, 1);
    }
  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < i; j++)
      {
        self->wtw[i * r + j] = self->wtw[j * r + i];
        self->hht[i * r + j] = self->hht[j * r + i];
      }
  /* gram_w = -(H H^T + l2_w I), gram_h = -(W^T W + l2_h I). */
  for (gsize k = 0; k < rr; k++)
    {
      self->gram_w[k] = -self->hht[k];
      self->gram_h[k] = -self->wtw[k];
    }
  for (gsize i = 0; i < r; i++)
    {
      self->gram_w[i * r + i] -= p->l2_w;
      self->gram_h[i * r + i] -= p->l2_h;
    }
}

/* The Gram form's data term and both gradients, with zeros as values. */
static double
evaluate_gram (FsSolver *self)
{
  double cross = 0.0;

  sum_grams (self);
  fs_pool_run (self->pool, share_products, self);
  fs_pool_run (self->pool, share_grad_h_gram, self);
  self->holdout_sum = 0.0;
  for (guint s = 0; s < self->n_shares; s++)
    cross += self->shares[s].sum;
  return self->x_norm_sq - 2.0 * cross +
         cblas_ddot ((int) (self->r * self->r), self->wtw, 1, self->hht, 1);
}

/* The data term over the listed cells to train on (or, with zeros as
 * values, over all cells), both gradients, and the held-out sum, at the W
 * and H that share_prepare left. */
double
fs_solver_sparse_evaluate (FsSolver *self)
{
  double sum = 0.0;

  if (self->pattern->zeros_are_values)
    return evaluate_gram (self);
  fs_pool_run (self->pool, share_pattern, self);
  fs_pool_run (self->pool, share_grad_h, self);
  /* In share order: the same sums for the same thread count. */
  self->holdout_sum = 0.0;
  for (guint s = 0; s < self->n_shares; s++)
    {
      sum += self->shares[s].sum;
      self->holdout_sum += self->shares[s].held_sum;
    }
  return sum;
}

/* Σ_listed (x - wh)^2 and Σ_listed (wh)^2 over the share's rows, into
 * sh->sum and sh->held_sum (free outside an evaluation). */
static void
share_listed_squares (guint    index,
                      guint    count,
                      gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  const FsSparse *x = self->pattern;
  gsize r = self->r;
  double res_sq = 0.0, wh_sq = 0.0;

  for (gsize i = sh->row0; i < sh->row1; i++)
    for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
      {
        const double *w = self->W + i * r, *h = self->ht + (gsize) x->col_idx[p] * r;
        double wh = 0.0;

        for (gsize k = 0; k < r; k++)
          wh += w[k] * h[k];
        res_sq += (x->values[p] - wh) * (x->values[p] - wh);
        wh_sq += wh * wh;
      }
  sh->sum = res_sq;
  sh->held_sum = wh_sq;
}

/* Σ (x - wh)^2 over every cell of the share's rows, the unlisted x 0,
 * into sh->sum. */
static void
share_every_cell (guint    index,
                  guint    count,
                  gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];

  sh->sum = fs_sparse_every_cell_sq (self->pattern, self->W, self->ht, self->r, sh->row0, sh->row1);
}

/* With zeros as values, ||X - WH||^2 over all cells without the Gram
 * form's ||X||^2 - 2 <W, X H^T>: summed over every cell within
 * FS_SPARSE_EXACT_BUDGET, else Σ_listed (x - wh)^2 + <W^T W, H H^T> - Σ_listed
 * (wh)^2 from the Grams of the last evaluation. Without zeros as values
 * the data term is exact already. */
double
fs_solver_sparse_exact_data_term (FsSolver *self)
{
  double res_sq = 0.0, wh_sq = 0.0;

  if (!self->pattern->zeros_are_values)
    return self->data_term;
  if ((double) self->n * (double) self->m * (double) self->r <= FS_SPARSE_EXACT_BUDGET)
    {
      fs_pool_run (self->pool, share_every_cell, self);
      for (guint s = 0; s < self->n_shares; s++)
        res_sq += self->shares[s].sum;
      return res_sq;
    }
  fs_pool_run (self->pool, share_listed_squares, self);
  for (guint s = 0; s < self->n_shares; s++)
    {
      res_sq += self->shares[s].sum;
      wh_sq += self->shares[s].held_sum;
      self->shares[s].held_sum = 0.0;
    }
  return res_sq + (cblas_ddot ((int) (self->r * self->r), self->wtw, 1, self->hht, 1) - wh_sq);
}

/* With zeros as values, the Grams of the last evaluation; the missing
 * cells' path forms neither. */
gboolean
fs_solver_sparse_get_grams (FsSolver      *self,
                            const double **wtw,
                            const double **hht)
{
  if (!self->pattern->zeros_are_values)
    return FALSE;
  *wtw = self->wtw;
  *hht = self->hht;
  return TRUE;
}
