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
      if (!(sh->ght = try_alloc_zeroed (m * r, error)))
        return FALSE;
    }
  return TRUE;
}

/* After the share's step: its columns of H^T, and ||W||^2 over its rows
 * and ||H||^2 over its columns for the L2 terms. */
void
fs_solver_sparse_prepare (FsSolver *self,
                          Share    *sh)
{
  gsize r = self->r, m = self->m, rows = sh->row1 - sh->row0;

  for (gsize j = sh->col0; j < sh->col1; j++)
    for (gsize k = 0; k < r; k++)
      self->ht[j * r + k] = self->H[k * m + j];

  sh->sq_w = rows > 0 ? cblas_ddot ((int) (rows * r), self->W + sh->row0 * r, 1,
                                    self->W + sh->row0 * r, 1) : 0.0;
  sh->sq_h = sh->col1 > sh->col0
             ? cblas_ddot ((int) ((sh->col1 - sh->col0) * r), self->ht + sh->col0 * r, 1,
                           self->ht + sh->col0 * r, 1)
             : 0.0;
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

/* The fused pass over the share's rows: -grad_w / 2 there (less l2_w W),
 * its part of -grad_h / 2 transposed in sh->ght, its part of the data
 * term; then grad_w = -2 times the former and ||grad_w||^2. */
static void
share_pattern (guint    index,
               guint    count,
               gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  const FsSparse *x = self->pattern;
  gsize r = self->r, len = (sh->row1 - sh->row0) * r;
  double *a = self->grad_w + sh->row0 * r;
  const double *w = self->W + sh->row0 * r;

  memset (sh->ght, 0, self->m * r * sizeof (double));
  sh->sum = fs_sparse_kernel_rows (self->kernel, x, sh->row0, sh->row1, self->W, self->ht,
                                   r, self->grad_w, sh->ght);
  sh->held_sum = share_held_out_sum (self, sh);
  sh->sq_grad_w = 0.0;
  if (len == 0)
    return;
  if (self->params.l2_w != 0.0)
    cblas_daxpy ((int) len, -self->params.l2_w, w, 1, a, 1);
  cblas_dscal ((int) len, -2.0, a, 1);
  sh->sq_grad_w = cblas_ddot ((int) len, a, 1, a, 1);
}

/* grad_h over the share's columns: -2 (Σ over shares, in share order, of
 * their transposed parts - l2_h H), written back in H's layout. */
static void
share_grad_h (guint    index,
              guint    count,
              gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  gsize r = self->r, m = self->m;
  double l2 = self->params.l2_h, sq = 0.0;
  double g[FS_SPARSE_MAX_STACK_RANK];
  double *acc = r <= FS_SPARSE_MAX_STACK_RANK ? g : g_new (double, r);

  for (gsize j = sh->col0; j < sh->col1; j++)
    {
      memcpy (acc, self->shares[0].ght + j * r, r * sizeof (double));
      for (guint s = 1; s < self->n_shares; s++)
        {
          const double *part = self->shares[s].ght + j * r;

          for (gsize k = 0; k < r; k++)
            acc[k] += part[k];
        }
      for (gsize k = 0; k < r; k++)
        {
          double v = -2.0 * (acc[k] - l2 * self->ht[j * r + k]);

          self->grad_h[k * m + j] = v;
          sq += v * v;
        }
    }
  if (acc != g)
    g_free (acc);
  sh->sq_grad_h = sq;
}

/* The data term over the listed cells to train on, both gradients, and
 * the held-out sum, at the W and H that share_prepare left. */
double
fs_solver_sparse_evaluate (FsSolver *self)
{
  double sum = 0.0;

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

/* The missing cells' path forms neither Gram matrix. */
gboolean
fs_solver_sparse_get_grams (FsSolver      *self,
                            const double **wtw,
                            const double **hht)
{
  return FALSE;
}
