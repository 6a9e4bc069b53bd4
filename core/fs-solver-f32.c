/* fs-solver-f32.c: the solver's evaluation in single precision
 * (FsParams.dtype FS_DTYPE_FLOAT32, `--dtype float32`).
 *
 * What is float32 and what is not:
 *
 * - float32: the passes over X, the O(n m r) work of an iteration. X is
 *   held as floats (a copy made once, beside the double matrix), and each
 *   evaluation reads float copies of W and H: X H^T and W^T X without
 *   missing cells (fs_products_f32_rows: AVX-512 or AVX2 float kernels, or
 *   OpenBLAS sgemm); with missing cells (or held-out ones) R = M ∘ (X -
 *   WH), R H^T and W^T R (sgemm). Their sums run in float.
 * - float64: W and H themselves, the rule's step and state, the r × r
 *   Gram matrices W^T W and H H^T, the Gram terms added to the products (W
 *   (H H^T + l2_w I), (W^T W + l2_h I) H: O((n + m) r^2)), the gradients,
 *   the penalties, and every sum that makes a cost (from float terms).
 * - The cost of an iteration is the Gram form of fs-solver.c, its cross
 *   term <W, X H^T> from the float products: its error is that of float
 *   sums, up to 3.8e-8 ||X||^2 measured (GRAM_NOISE bounds it). The
 *   float64 path replaces it by the exact data term once the run
 *   converges; here that pass (half an iteration's work) is taken only
 *   where the data term is within EXACT_BELOW times the bound, so that a
 *   near-perfect fit still gets costs right to a few float digits and
 *   never below 0. Elsewhere, near convergence, the costs move by float
 *   rounding from one iteration to the next: the instability detector
 *   takes costs below FLOOR_TIMES times the bound as equal (the solver's
 *   cost_floor), and a tolerance below about GRAM_NOISE ||X||^2 / cost may
 *   never be met (the run then stops at its iteration limit).
 * - fs_solver_get_exact_cost () evaluates the cost in float64 from the
 *   double X, W and H, like the peers' final_cost; `bench` reports that.
 *
 * The steps are fs-solver.c's, on the same shares of rows and columns, so
 * that runs are as deterministic for a given thread count.
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

#include "fs-error.h"
#include "fs-solver-private.h"

/* Rows of X per call of the products with more than one thread, and at
 * most with one: the tile walk keeps X in cache, and longer chunks read
 * and write each share's float W^T X fewer times (256 rather than 64: 3%
 * faster on 2000 × 2000 rank 50 with 2 threads). */
#define CHUNK_ROWS 256
#define CHUNK_ROWS_ALONE 512
/* The Gram form's error in float, as a share of ||X||^2: measured up to
 * 3.8e-8 (0.32 FLT_EPSILON) on the benchmark problems (500 × 400 rank 20,
 * 2000 × 2000 rank 50, both rules, against the float64 cost of the same W
 * and H at every iteration); 4 FLT_EPSILON leaves a margin of 12. */
#define GRAM_NOISE (4.0 * FLT_EPSILON)
/* Below this many times the bound the data term comes from the residual. */
#define EXACT_BELOW 100.0
/* The instability detector's floor, in times the bound: above it the
 * rounding moves a cost by 10% at most, far from the swings of 3 times
 * that it looks for. */
#define FLOOR_TIMES 10.0
/* Rows of X - WH formed at a time for the exact data term: about 1 MiB. */
#define PANEL_BYTES ((gsize) 1 << 20)

/* One share's float buffers. */
typedef struct
{
  float *wtx;      /* r × m: W^T X (or W^T R) over its rows */
  float *xht;      /* chunk_rows × lanes: X H^T (or R H^T) over a chunk */
  float *scratch;  /* for fs_products_f32_rows */
  float *panel;    /* panel_rows × m, for the exact data term (no missing cells) */
} ShareF32;

struct _FsSolverF32
{
  float    *X;          /* n × m: the matrix trained on, missing cells 0 */
  float    *W;          /* n × r */
  float    *H;          /* r × m */
  float    *packed_h;   /* H as the vector products read it */
  float    *gram_w;     /* r × r: -(H H^T + l2_w I) */
  float    *packed_gram_w;
  float    *gram_h;     /* r × r: -(W^T W + l2_h I) */
  float    *residual;   /* n × m with missing cells: the solver's buffer */
  double    x_norm_sq;  /* ||X||^2 of the float X over the observed cells */
  gsize     lanes;      /* xht's leading dimension */
  gsize     chunk_rows;
  gsize     panel_rows;
  ShareF32 *shares;
  guint     n_shares;
};

/* count zeroed floats on a 64-byte boundary; NULL when memory runs out. */
static float *
try_alloc_floats (gsize    count,
                  GError **error)
{
  float *p = count / 2 < G_MAXSIZE / sizeof (double)
             ? (float *) fs_alloc_doubles (count / 2 + 1) : NULL;

  if (p == NULL)
    {
      g_autofree char *values = g_strdup_printf ("%" G_GSIZE_FORMAT, count);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the solver's %s single-precision values"), values);
    }
  return p;
}

void
fs_solver_f32_free (FsSolverF32 *f32)
{
  if (f32 == NULL)
    return;
  for (guint s = 0; f32->shares != NULL && s < f32->n_shares; s++)
    {
      g_free (f32->shares[s].wtx);
      g_free (f32->shares[s].xht);
      g_free (f32->shares[s].scratch);
      g_free (f32->shares[s].panel);
    }
  g_free (f32->shares);
  g_free (f32->X);
  g_free (f32->W);
  g_free (f32->H);
  g_free (f32->packed_h);
  g_free (f32->gram_w);
  g_free (f32->packed_gram_w);
  g_free (f32->gram_h);
  /* The residual is the solver's own buffer. */
  g_free (f32);
}

/* X as floats (missing cells 0) and its squared norm, summed in double
 * with Neumaier's compensation as fs-solver.c sums the double one. */
static void
convert_matrix (FsSolverF32    *f32,
                const FsMatrix *X)
{
  gsize len = X->rows * X->cols;
  double sum = 0.0, carry = 0.0;

  for (gsize k = 0; k < len; k++)
    {
      double term, next;

      f32->X[k] = X->mask != NULL && !X->mask[k] ? 0.0f : (float) X->data[k];
      term = (double) f32->X[k] * f32->X[k];
      next = sum + term;
      carry += fabs (sum) >= term ? (sum - next) + term : (term - next) + sum;
      sum = next;
    }
  f32->x_norm_sq = sum + carry;
}

static gboolean
alloc_shares_f32 (FsSolver  *self,
                  GError   **error)
{
  FsSolverF32 *f32 = self->f32;
  gsize scratch_len = fs_products_f32_scratch_len (self->impl, self->r);

  f32->n_shares = self->n_shares;
  f32->shares = g_new0 (ShareF32, self->n_shares);
  for (guint s = 0; s < self->n_shares; s++)
    {
      ShareF32 *sh = &f32->shares[s];

      if (!(sh->wtx = try_alloc_floats (self->r * self->m, error)) ||
          !(sh->xht = try_alloc_floats (f32->chunk_rows * f32->lanes, error)) ||
          (scratch_len > 0 && !(sh->scratch = try_alloc_floats (scratch_len, error))) ||
          (self->residual == NULL &&
           !(sh->panel = try_alloc_floats (f32->panel_rows * self->m, error))))
        return FALSE;
    }
  return TRUE;
}

/* The float copies and buffers, once fs_solver_new has made the double
 * ones (and, with missing cells, the residual, which this path keeps as
 * floats in the same memory: n m doubles hold twice n m floats, and the
 * double path that would read them as doubles does not run). */
gboolean
fs_solver_f32_init (FsSolver  *self,
                    GError   **error)
{
  FsSolverF32 *f32;
  gsize n = self->n, m = self->m, r = self->r;

  g_return_val_if_fail (self->f32 == NULL, FALSE);

  f32 = self->f32 = g_new0 (FsSolverF32, 1);
  f32->lanes = fs_products_f32_lanes (r);
  f32->chunk_rows = MAX (self->n_shares > 1 ? CHUNK_ROWS : MIN (n, CHUNK_ROWS_ALONE), 1);
  f32->panel_rows = CLAMP (PANEL_BYTES / (m * sizeof (float)), 1, MAX (n, 1));
  f32->residual = (float *) self->residual;
  if (!(f32->X = try_alloc_floats (n * m, error)) ||
      !(f32->W = try_alloc_floats (n * r, error)) ||
      !(f32->H = try_alloc_floats (r * m, error)) ||
      !(f32->gram_w = try_alloc_floats (r * r, error)) ||
      !(f32->gram_h = try_alloc_floats (r * r, error)) ||
      (self->impl != FS_PRODUCTS_BLAS &&
       (!(f32->packed_h = try_alloc_floats (fs_products_f32_packed_len (self->impl, r, m), error)) ||
        !(f32->packed_gram_w = try_alloc_floats (fs_products_f32_packed_len (self->impl, r, r),
                                                 error)))) ||
      !alloc_shares_f32 (self, error))
    return FALSE;
  convert_matrix (f32, self->X);
  self->cost_floor = MAX (self->cost_floor, FLOOR_TIMES * GRAM_NOISE * f32->x_norm_sq);
  return TRUE;
}

/* The share's columns of an r × m matrix as runs of *len values, m apart,
 * from column col0 (as fs-solver.c's column_runs). */
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

static void
to_floats (float        *dst,
           const double *src,
           gsize         len)
{
  for (gsize k = 0; k < len; k++)
    dst[k] = (float) src[k];
}

/* The rule's step on the share's rows of W and columns of H (in an
 * iteration), as fs-solver.c's share_prepare takes it. */
static void
share_step (FsSolver *self,
            Share    *sh,
            gsize     runs,
            gsize     len)
{
  gsize rows = sh->row1 - sh->row0, r = self->r, m = self->m;
  double *st[FS_RULE_MAX_STATE];

  if (rows > 0)
    {
      for (guint s = 0; s < self->rule->n_state; s++)
        st[s] = self->state_w[s] + sh->row0 * r;
      self->rule->step (&self->step_w, self->W + sh->row0 * r, self->grad_w + sh->row0 * r,
                        st, rows * r);
    }
  for (gsize k = 0; k < runs; k++)
    {
      for (guint s = 0; s < self->rule->n_state; s++)
        st[s] = self->state_h[s] + k * m + sh->col0;
      self->rule->step (&self->step_h, self->H + k * m + sh->col0,
                        self->grad_h + k * m + sh->col0, st, len);
    }
}

/* The step, then the share's parts of the penalties, its float copies of
 * W and H (and the packed H), and its parts of both Gram matrices (upper
 * triangles) or, with missing cells, of ||W||^2 and ||H||^2. */
static void
share_prepare (guint    index,
               guint    count,
               gpointer data)
{
  FsSolver *self = data;
  FsSolverF32 *f32 = self->f32;
  const FsParams *p = &self->params;
  Share *sh = &self->shares[index];
  gsize rows = sh->row1 - sh->row0, r = self->r, m = self->m, len;
  gsize runs = column_runs (sh, r, m, &len);
  const double *w = self->W + sh->row0 * r;

  if (self->stepping)
    share_step (self, sh, runs, len);

  sh->abs_w = sh->abs_h = sh->sq_w = sh->sq_h = 0.0;
  if (p->l1_w != 0.0 && rows > 0)
    sh->abs_w = cblas_dasum ((int) (rows * r), w, 1);
  for (gsize k = 0; p->l1_h != 0.0 && k < runs; k++)
    sh->abs_h += cblas_dasum ((int) len, self->H + k * m + sh->col0, 1);

  to_floats (f32->W + sh->row0 * r, w, rows * r);
  for (gsize k = 0; k < runs; k++)
    to_floats (f32->H + k * m + sh->col0, self->H + k * m + sh->col0, len);

  if (self->residual != NULL)
    {
      if (rows > 0)
        sh->sq_w = cblas_ddot ((int) (rows * r), w, 1, w, 1);
      for (gsize k = 0; k < runs; k++)
        sh->sq_h += cblas_ddot ((int) len, self->H + k * m + sh->col0, 1,
                                self->H + k * m + sh->col0, 1);
      return;
    }

  fs_products_f32_pack (self->impl, self->H, r, m, sh->col0, sh->col1, f32->packed_h);
  memset (sh->wtw, 0, r * r * sizeof (double));
  memset (sh->hht, 0, r * r * sizeof (double));
  if (rows > 0)
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, (int) r, (int) rows,
                 1.0, w, (int) r, 0.0, sh->wtw, (int) r);
  if (sh->col1 > sh->col0)
    cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, (int) r, (int) (sh->col1 - sh->col0),
                 1.0, self->H + sh->col0, (int) m, 0.0, sh->hht, (int) r);
}

/* A = xht over rows row0 .. row1 as doubles into grad_w: the float
 * product's r first lanes of each row. */
static void
xht_to_grad_w (FsSolver    *self,
               const float *xht,
               gsize        row0,
               gsize        row1)
{
  gsize r = self->r, lanes = self->f32->lanes;

  for (gsize i = row0; i < row1; i++)
    for (gsize k = 0; k < r; k++)
      self->grad_w[i * r + k] = xht[(i - row0) * lanes + k];
}

/* grad_w = -2 A over rows row0 .. row1, from A = -grad_w / 2 there; adds
 * the rows' ||grad_w||^2 to *sq and returns their part of <W, A>. */
static double
finish_grad_w (FsSolver *self,
               gsize     row0,
               gsize     row1,
               double   *sq)
{
  gsize len = (row1 - row0) * self->r;
  double *g = self->grad_w + row0 * self->r;
  double w_dot_a;

  if (len == 0)
    return 0.0;
  w_dot_a = cblas_ddot ((int) len, self->W + row0 * self->r, 1, g, 1);
  cblas_dscal ((int) len, -2.0, g, 1);
  *sq += cblas_ddot ((int) len, g, 1, g, 1);
  return w_dot_a;
}

/* The share's float W^T X (or W^T R) as its double wtx. */
static void
share_wtx_to_double (FsSolver *self,
                     Share    *sh,
                     ShareF32 *sh32)
{
  gsize len = self->r * self->m;

  for (gsize k = 0; k < len; k++)
    sh->wtx[k] = sh32->wtx[k];
}

/* A = X H^T + W gram_w over the share's rows a chunk at a time, W^T X
 * over them plus gram_h H over the share's columns, in float; then both
 * as doubles. */
static void
share_products (guint    index,
                guint    count,
                gpointer data)
{
  FsSolver *self = data;
  FsSolverF32 *f32 = self->f32;
  Share *sh = &self->shares[index];
  ShareF32 *sh32 = &f32->shares[index];
  gsize r = self->r, m = self->m;
  double sum = 0.0, sq = 0.0;

  for (gsize row0 = sh->row0, rows; row0 < sh->row1 || row0 == sh->row0; row0 += rows)
    {
      FsProductsF32Args args;

      rows = MIN (f32->chunk_rows, sh->row1 - row0);
      args = (FsProductsF32Args) {
        .impl = self->impl,
        .X = f32->X + row0 * m,
        .rows = rows,
        .m = m,
        .r = r,
        .W = f32->W + row0 * r,
        .H = f32->H,
        .packed_h = f32->packed_h,
        .gram_w = f32->gram_w,
        .packed_gram_w = f32->packed_gram_w,
        .gram_h = f32->gram_h,
        .col0 = row0 == sh->row0 ? sh->col0 : 0,
        .col1 = row0 == sh->row0 ? sh->col1 : 0,
        .scratch = sh32->scratch,
        .xht = sh32->xht,
        .wtx = sh32->wtx,
        .accumulate = row0 > sh->row0,
      };
      fs_products_f32_rows (&args);
      if (rows == 0)
        break;
      xht_to_grad_w (self, sh32->xht, row0, row0 + rows);
      sum += finish_grad_w (self, row0, row0 + rows, &sq);
    }

  share_wtx_to_double (self, sh, sh32);
  sh->sum = sum;
  sh->sq_grad_w = sq;
}

/* Σ (x - wh)^2 over the held-out cells of rows row0 .. row0 + rows, from
 * res = -WH there (the cells are missing in the matrix trained on). */
static double
held_out_sum (FsSolver    *self,
              const Share *sh,
              gsize       *cursor,
              gsize        row0,
              gsize        rows,
              const float *res)
{
  const gsize *cells;
  const double *values;
  gsize offset = row0 * self->m, end = (row0 + rows) * self->m;
  double sum = 0.0;

  if (self->holdout == NULL)
    return 0.0;
  cells = fs_holdout_get_cells (self->holdout);
  values = fs_holdout_get_values (self->holdout);
  /* The cells are in row-major order: the chunks take them in turn. */
  for (; *cursor < sh->held1 && cells[*cursor] < end; (*cursor)++)
    {
      double d = values[*cursor] + res[cells[*cursor] - offset];

      sum += d * d;
    }
  return sum;
}

/* A chunk of the share's rows of R = M ∘ (X - WH) in float; there
 * A = R H^T - l2_w W into grad_w, W^T R into the share's float wtx.
 * Returns ||R||^2 over the chunk, summed in double. */
static double
chunk_residual (FsSolver *self,
                Share    *sh,
                ShareF32 *sh32,
                gsize    *cursor,
                gsize     row0,
                gsize     rows)
{
  FsSolverF32 *f32 = self->f32;
  gsize m = self->m, r = self->r, len = rows * m;
  const guint8 *mask = self->X->mask + row0 * m;
  float *res = f32->residual + row0 * m;
  double data_term = 0.0;

  memcpy (res, f32->X + row0 * m, len * sizeof (float));
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) m, (int) r,
               -1.0f, f32->W + row0 * r, (int) r, f32->H, (int) m, 1.0f, res, (int) m);
  sh->held_sum += held_out_sum (self, sh, cursor, row0, rows, res);
  for (gsize k = 0; k < len; k++)
    {
      if (!mask[k])
        res[k] = 0.0f;
      data_term += (double) res[k] * res[k];
    }

  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) r, (int) m,
               1.0f, res, (int) m, f32->H, (int) m, 0.0f, sh32->xht, (int) f32->lanes);
  xht_to_grad_w (self, sh32->xht, row0, row0 + rows);
  cblas_daxpy ((int) (rows * r), -self->params.l2_w, self->W + row0 * r, 1,
               self->grad_w + row0 * r, 1);
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, (int) r, (int) m, (int) rows,
               1.0f, f32->W + row0 * r, (int) r, res, (int) m,
               row0 > sh->row0 ? 1.0f : 0.0f, sh32->wtx, (int) m);
  return data_term;
}

/* The share's rows of R = M ∘ (X - WH), a chunk at a time; there R H^T -
 * l2_w W, W^T R over them less l2_h H over its columns, and ||R||^2. */
static void
share_residual (guint    index,
                guint    count,
                gpointer data)
{
  FsSolver *self = data;
  Share *sh = &self->shares[index];
  ShareF32 *sh32 = &self->f32->shares[index];
  gsize len, runs = column_runs (sh, self->r, self->m, &len);
  gsize cursor = sh->held0;
  double data_term = 0.0, sq = 0.0;

  sh->held_sum = 0.0;
  for (gsize row0 = sh->row0, rows; row0 < sh->row1; row0 += rows)
    {
      rows = MIN (self->f32->chunk_rows, sh->row1 - row0);
      data_term += chunk_residual (self, sh, sh32, &cursor, row0, rows);
    }
  if (sh->row1 > sh->row0)
    share_wtx_to_double (self, sh, sh32);
  else
    memset (sh->wtx, 0, self->r * self->m * sizeof (double));

  for (gsize k = 0; k < runs; k++)
    cblas_daxpy ((int) len, -self->params.l2_h,
                 self->H + k * self->m + sh->col0, 1, sh->wtx + k * self->m + sh->col0, 1);

  finish_grad_w (self, sh->row0, sh->row1, &sq);
  sh->sq_grad_w = sq;
  sh->sum = data_term;
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

static double
sum_shares (FsSolver *self)
{
  double sum = 0.0;

  for (guint s = 0; s < self->n_shares; s++)
    sum += self->shares[s].sum;
  return sum;
}

/* gram = -(base + l2 I), base's lower triangle filled from its upper one
 * first. */
static void
set_gram (double *gram,
          double *base,
          double  l2,
          gsize   r)
{
  for (gsize i = 0; i < r; i++)
    for (gsize j = 0; j < i; j++)
      base[i * r + j] = base[j * r + i];
  for (gsize k = 0; k < r * r; k++)
    gram[k] = -base[k];
  for (gsize i = 0; i < r; i++)
    gram[i * r + i] -= l2;
}

/* The Gram form's data term (fs-solver.c's evaluate_gram) from the float
 * products, and both gradients. */
static double
evaluate_gram (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize rr = self->r * self->r;
  double cross, trace_wtw = 0.0, wtw_hht;

  memcpy (self->wtw, self->shares[0].wtw, rr * sizeof (double));
  memcpy (self->hht, self->shares[0].hht, rr * sizeof (double));
  for (guint s = 1; s < self->n_shares; s++)
    {
      cblas_daxpy ((int) rr, 1.0, self->shares[s].wtw, 1, self->wtw, 1);
      cblas_daxpy ((int) rr, 1.0, self->shares[s].hht, 1, self->hht, 1);
    }
  set_gram (self->gram_w, self->hht, p->l2_w, self->r);
  set_gram (self->gram_h, self->wtw, p->l2_h, self->r);
  to_floats (self->f32->gram_w, self->gram_w, rr);
  to_floats (self->f32->gram_h, self->gram_h, rr);
  fs_products_f32_pack (self->impl, self->gram_w, self->r, self->r, 0, self->r,
                        self->f32->packed_gram_w);

  fs_pool_run (self->pool, share_products, self);
  fs_pool_run (self->pool, share_grad_h, self);

  for (gsize i = 0; i < self->r; i++)
    trace_wtw += self->wtw[i * self->r + i];
  wtw_hht = cblas_ddot ((int) rr, self->wtw, 1, self->hht, 1);
  cross = sum_shares (self) + wtw_hht + p->l2_w * trace_wtw;

  return self->f32->x_norm_sq - 2.0 * cross + wtw_hht;
}

/* ||X - WH||^2 over the share's rows in float, a panel at a time, summed
 * in double. */
static void
share_exact (guint    index,
             guint    count,
             gpointer data)
{
  FsSolver *self = data;
  FsSolverF32 *f32 = self->f32;
  Share *sh = &self->shares[index];
  float *panel = f32->shares[index].panel;
  gsize m = self->m, r = self->r;

  sh->sum = 0.0;
  for (gsize i0 = sh->row0, rows; i0 < sh->row1; i0 += rows)
    {
      rows = MIN (f32->panel_rows, sh->row1 - i0);
      memcpy (panel, f32->X + i0 * m, rows * m * sizeof (float));
      cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) m, (int) r,
                   -1.0f, f32->W + i0 * r, (int) r, f32->H, (int) m, 1.0f, panel, (int) m);
      for (gsize k = 0; k < rows * m; k++)
        sh->sum += (double) panel[k] * panel[k];
    }
}

/* The data term and both gradients at the current W and H (after the
 * step, in an iteration); fs-solver.c's evaluate adds the rest. */
double
fs_solver_f32_data_term (FsSolver *self)
{
  g_assert (self->f32 != NULL);

  fs_pool_run (self->pool, share_prepare, self);
  if (self->residual == NULL)
    {
      double data_term = evaluate_gram (self);

      if (data_term >= EXACT_BELOW * GRAM_NOISE * self->f32->x_norm_sq)
        return data_term;
      fs_pool_run (self->pool, share_exact, self);
      return sum_shares (self);
    }

  fs_pool_run (self->pool, share_residual, self);
  fs_pool_run (self->pool, share_grad_h, self);
  self->holdout_sum = 0.0;
  for (guint s = 0; s < self->n_shares; s++)
    self->holdout_sum += self->shares[s].held_sum;
  return sum_shares (self);
}
