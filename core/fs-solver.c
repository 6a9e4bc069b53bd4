/* fs-solver.c
 *
 * With every cell observed the solver never forms X - WH: the cost and both
 * gradients come from X H^T, W^T X and the two r × r Gram matrices
 * (DESIGN.md section 1). With missing cells it keeps R = M ∘ (X - WH).
 * After each step the products are evaluated at the new point, so the cost
 * of the new iterate and the next gradient come from the same work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-solver"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-optimum.h"
#include "fs-random.h"
#include "fs-rules.h"
#include "fs-solver.h"

/* The cost growing by this factor over the start counts as divergence. */
#define DIVERGENCE_FACTOR 1e6
/* Below this share of ||X||^2 the data term is taken from the residual. */
#define PRECISION_GUARD 1e-6
/* Rows of X - WH formed at a time for the exact cost: about 1 MiB. */
#define PANEL_BYTES ((gsize) 1 << 20)

struct _FsSolver
{
  FsMatrix     *X;
  FsParams      params;
  const FsRule *rule;
  gsize         n;
  gsize         m;
  gsize         r;
  double        x_norm_sq;
  double        x_sigma;  /* estimate of sigma_1(X) */

  double       *W;
  double       *H;
  double       *grad_w;
  double       *grad_h;
  double       *xht;      /* n × r: X H^T */
  double       *wtx;      /* r × m: W^T X */
  double       *hht;      /* r × r: H H^T */
  double       *wtw;      /* r × r: W^T W */
  double       *gram;     /* r × r scratch: a Gram matrix plus l2 I */
  double       *residual; /* n × m, only with missing cells */
  double       *panel;    /* panel_rows × m, for the exact cost */
  gsize         panel_rows;
  double       *state_w[FS_RULE_MAX_STATE];
  double       *state_h[FS_RULE_MAX_STATE];

  guint64       seed;
  guint64       iteration;
  double        cost;
  double        initial_cost;
  double        grad_norm_w;
  double        grad_norm_h;
  FsCostLog    *log;
  FsStop        stop;
  char         *stop_message;
};

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

/* grad_w = 2 (W (H H^T + l2_w I) - X H^T), grad_h likewise, and the data
 * term ||X||^2 - 2 <W, X H^T> + <W^T W, H H^T>. */
static double
evaluate_gram (FsSolver *self)
{
  const FsParams *p = &self->params;
  int n = (int) self->n, m = (int) self->m, r = (int) self->r;
  double data_term;

  g_assert (self->X->rows == self->n && self->X->cols == self->m);

  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, r, m,
               1.0, self->X->data, m, self->H, m, 0.0, self->xht, r);
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r, m, n,
               1.0, self->W, r, self->X->data, m, 0.0, self->wtx, m);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, r, m,
               1.0, self->H, m, 0.0, self->hht, r);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, r, n,
               1.0, self->W, r, 0.0, self->wtw, r);
  fill_lower_from_upper (self->hht, self->r);
  fill_lower_from_upper (self->wtw, self->r);

  data_term = self->x_norm_sq
            - 2.0 * cblas_ddot (n * r, self->W, 1, self->xht, 1)
            + cblas_ddot (r * r, self->wtw, 1, self->hht, 1);

  memcpy (self->gram, self->hht, self->r * self->r * sizeof (double));
  for (gsize i = 0; i < self->r; i++)
    self->gram[i * self->r + i] += p->l2_w;
  memcpy (self->grad_w, self->xht, self->n * self->r * sizeof (double));
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, r, r,
               2.0, self->W, r, self->gram, r, -2.0, self->grad_w, r);

  memcpy (self->gram, self->wtw, self->r * self->r * sizeof (double));
  for (gsize i = 0; i < self->r; i++)
    self->gram[i * self->r + i] += p->l2_h;
  memcpy (self->grad_h, self->wtx, self->r * self->m * sizeof (double));
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, r, m, r,
               2.0, self->gram, r, self->H, m, -2.0, self->grad_h, m);

  return data_term;
}

/* R = M ∘ (X - WH), grad_w = -2 R H^T + 2 l2_w W, grad_h = -2 W^T R + 2 l2_h H. */
static double
evaluate_residual (FsSolver *self)
{
  const FsParams *p = &self->params;
  const guint8 *mask = self->X->mask;
  gsize len = self->n * self->m;
  int n = (int) self->n, m = (int) self->m, r = (int) self->r;

  g_assert (mask != NULL && self->residual != NULL);

  for (gsize k = 0; k < len; k++)
    self->residual[k] = mask[k] ? self->X->data[k] : 0.0;
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, r,
               -1.0, self->W, r, self->H, m, 1.0, self->residual, m);
  for (gsize k = 0; k < len; k++)
    if (!mask[k])
      self->residual[k] = 0.0;

  memcpy (self->grad_w, self->W, self->n * self->r * sizeof (double));
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, r, m,
               -2.0, self->residual, m, self->H, m, 2.0 * p->l2_w, self->grad_w, r);
  memcpy (self->grad_h, self->H, self->r * self->m * sizeof (double));
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, r, m, n,
               -2.0, self->W, r, self->residual, m, 2.0 * p->l2_h, self->grad_h, m);

  return cblas_ddot ((int) len, self->residual, 1, self->residual, 1);
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
  double data_term = 0.0;
  int m = (int) self->m, r = (int) self->r;

  g_assert (self->X->mask == NULL);

  for (gsize i0 = 0; i0 < self->n; i0 += self->panel_rows)
    {
      gsize rows = MIN (self->panel_rows, self->n - i0);

      memcpy (self->panel, self->X->data + i0 * self->m, rows * self->m * sizeof (double));
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, m, r,
                   -1.0, self->W + i0 * self->r, r, self->H, m, 1.0, self->panel, m);
      data_term += cblas_ddot ((int) (rows * self->m), self->panel, 1, self->panel, 1);
    }

  return data_term;
}

/* Cost and gradients at the current W and H. The Gram form of the data
 * term carries an absolute error of about eps ||X||^2; once the term is
 * within PRECISION_GUARD of that, it is recomputed from the residual, so
 * the history stays exact to many digits down to a perfect fit. */
static void
evaluate (FsSolver *self)
{
  const FsParams *p = &self->params;
  gsize len_w = self->n * self->r, len_h = self->r * self->m;
  double data_term;

  if (self->residual != NULL)
    data_term = evaluate_residual (self);
  else
    {
      data_term = evaluate_gram (self);
      if (data_term < PRECISION_GUARD * self->x_norm_sq)
        data_term = exact_data_term (self);
    }

  if (p->l1_mode == FS_L1_SUBGRADIENT)
    {
      if (p->l1_w != 0.0)
        add_l1_subgradient (self->grad_w, self->W, p->l1_w, len_w);
      if (p->l1_h != 0.0)
        add_l1_subgradient (self->grad_h, self->H, p->l1_h, len_h);
    }

  self->cost = data_term + penalties (self);
  self->grad_norm_w = cblas_dnrm2 ((int) len_w, self->grad_w, 1);
  self->grad_norm_h = cblas_dnrm2 ((int) len_h, self->grad_h, 1);
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
  g_clear_pointer (&self->log, fs_cost_log_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_free (self->W);
  g_free (self->H);
  g_free (self->grad_w);
  g_free (self->grad_h);
  g_free (self->xht);
  g_free (self->wtx);
  g_free (self->hht);
  g_free (self->wtw);
  g_free (self->gram);
  g_free (self->residual);
  g_free (self->panel);
  g_free (self->stop_message);
  g_free (self);
}

static double *
try_alloc (gsize    count,
           GError **error)
{
  double *p = g_try_malloc0_n (count, sizeof (double));

  if (p == NULL)
    g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                 _("Not enough memory for the solver's %lu values"), count);
  return p;
}

FsSolver *
fs_solver_new (FsMatrix       *X,
               const FsParams *params,
               GError        **error)
{
  g_autoptr(FsSolver) self = NULL;
  gsize n, m, r;

  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  if (!fs_params_validate (params, X, error))
    return NULL;

  if (X->rows > G_MAXINT || X->cols > G_MAXINT || X->rows * X->cols > G_MAXINT)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("A %lu × %lu matrix is beyond what "
                   "BLAS can index"), X->rows, X->cols);
      return NULL;
    }

  n = X->rows;
  m = X->cols;
  r = params->rank;

  self = g_new0 (FsSolver, 1);
  self->X = fs_matrix_ref (X);
  self->params = *params;
  self->rule = fs_rule_get (params->rule);
  self->n = n;
  self->m = m;
  self->r = r;
  self->x_norm_sq = fs_matrix_frobenius_sq (X);
  self->x_sigma = fs_spectral_norm (X, 30);
  self->panel_rows = CLAMP (PANEL_BYTES / (m * sizeof (double)), 1, n);

  if (!(self->W = try_alloc (n * r, error)) ||
      !(self->H = try_alloc (r * m, error)) ||
      !(self->grad_w = try_alloc (n * r, error)) ||
      !(self->grad_h = try_alloc (r * m, error)) ||
      !(self->xht = try_alloc (n * r, error)) ||
      !(self->wtx = try_alloc (r * m, error)) ||
      !(self->hht = try_alloc (r * r, error)) ||
      !(self->wtw = try_alloc (r * r, error)) ||
      !(self->gram = try_alloc (r * r, error)) ||
      !(self->panel = try_alloc (self->panel_rows * m, error)))
    return NULL;

  if (X->mask != NULL && !(self->residual = try_alloc (n * m, error)))
    return NULL;

  for (guint s = 0; s < self->rule->n_state; s++)
    if (!(self->state_w[s] = try_alloc (n * r, error)) ||
        !(self->state_h[s] = try_alloc (r * m, error)))
      return NULL;

  fs_solver_start (self, params->seed);
  return g_steal_pointer (&self);
}

static void
begin_run (FsSolver *self)
{
  for (guint s = 0; s < self->rule->n_state; s++)
    {
      memset (self->state_w[s], 0, self->n * self->r * sizeof (double));
      memset (self->state_h[s], 0, self->r * self->m * sizeof (double));
    }

  g_clear_pointer (&self->log, fs_cost_log_unref);
  g_clear_pointer (&self->stop_message, g_free);
  self->log = fs_cost_log_new ();
  self->iteration = 0;
  self->stop = FS_STOP_NONE;

  evaluate (self);
  self->initial_cost = self->cost;
  fs_cost_log_append (self->log, self->cost);
}

/* Uniform [0, 1) as both origin documents draw, or scaled so that the
 * entries have the size sqrt(mean|X| / r). */
void
fs_solver_start (FsSolver *self,
                 guint64   seed)
{
  g_return_if_fail (self != NULL);

  self->seed = seed;
  fs_random_fill_unit (fs_random_key (seed, 4), self->W, self->n * self->r);
  fs_random_fill_unit (fs_random_key (seed, 5), self->H, self->r * self->m);

  if (self->params.init == FS_INIT_SCALED)
    {
      double mean = fs_matrix_mean_abs (self->X);
      double scale = sqrt ((mean > 0.0 ? mean : 1.0) / (double) self->r);

      cblas_dscal ((int) (self->n * self->r), scale, self->W, 1);
      cblas_dscal ((int) (self->r * self->m), scale, self->H, 1);
    }

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

/* A step that should be stable near a balanced solution, where
 * sigma_max(W)^2 and sigma_max(H)^2 are both about sigma_1(X). */
static double
stable_plain_lr (FsSolver *self)
{
  double l2 = MAX (self->params.l2_w, self->params.l2_h);

  return 0.25 / (self->x_sigma + l2 + G_MINDOUBLE);
}

static void
set_divergence (FsSolver   *self,
                const char *what)
{
  double smaller = self->params.lr / 10.0;
  double stable = stable_plain_lr (self);

  if ((self->params.rule == FS_RULE_PLAIN || self->params.rule == FS_RULE_MOMENTUM) &&
      stable < self->params.lr)
    smaller = MIN (stable, self->params.lr / 2.0);

  self->stop = FS_STOP_DIVERGED;
  self->stop_message =
    g_strdup_printf (_("The solver diverged at iteration %lu: %s. "
                     "Try a smaller learning rate, such as %.3g (now %.3g)."),
                     self->iteration, what, smaller, self->params.lr);
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
    }
  else if (self->initial_cost > 0.0 && self->cost > DIVERGENCE_FACTOR * self->initial_cost)
    {
      g_autofree char *what =
        g_strdup_printf (_("the cost grew from %.4g to %.4g"), self->initial_cost, self->cost);
      set_divergence (self, what);
    }
  else if (p->tol > 0.0 && fabs (previous - self->cost) <= p->tol * fabs (previous))
    {
      self->stop = FS_STOP_TOLERANCE;
      self->stop_message =
        g_strdup_printf (_("The cost changed by less than %.3g (relative) at iteration %lu."), p->tol, self->iteration);
    }
  else if (self->iteration >= p->max_iters)
    {
      self->stop = FS_STOP_ITERATIONS;
      self->stop_message =
        g_strdup_printf (_("Reached the limit of %lu iterations."),
                         p->max_iters);
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
    .t = self->iteration + 1,
    .nonneg = p->nonneg,
  };

  ctx.l1 = p->l1_mode == FS_L1_PROXIMAL ? p->l1_w : 0.0;
  self->rule->step (&ctx, self->W, self->grad_w, self->state_w, self->n * self->r);
  ctx.l1 = p->l1_mode == FS_L1_PROXIMAL ? p->l1_h : 0.0;
  self->rule->step (&ctx, self->H, self->grad_h, self->state_h, self->r * self->m);

  previous = self->cost;
  self->iteration++;
  evaluate (self);
  fs_cost_log_append (self->log, self->cost);
  check_stop (self, previous);

  return self->stop;
}

/* Takes effect at the next step, without restarting the run. */
void
fs_solver_set_lr (FsSolver *self,
                  double    lr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (isfinite (lr) && lr > 0.0);

  self->params.lr = lr;
}

/* ||X - WH||^2 over the observed cells, from the residual itself, a panel of
 * rows at a time: the Gram form loses digits when the residual is tiny. */
double
fs_solver_get_exact_cost (FsSolver *self)
{
  g_return_val_if_fail (self != NULL, NAN);

  if (self->residual != NULL)
    return self->cost;

  return exact_data_term (self) + penalties (self);
}

/* The largest safe plain step is about 1 / L, with L = 2 (sigma_max(H)^2 + l2_w)
 * for W and likewise for H; the smaller of the two is returned. */
double
fs_solver_suggest_lr (FsSolver *self)
{
  double lambda_h, lambda_w;
  int r;
  g_autofree double *a = NULL;
  g_autofree double *eig = NULL;

  g_return_val_if_fail (self != NULL, NAN);

  r = (int) self->r;
  a = g_new (double, self->r * self->r);
  eig = g_new (double, self->r);

  if (self->residual != NULL)
    {
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, r, (int) self->m,
                   1.0, self->H, (int) self->m, 0.0, self->hht, r);
      cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, r, (int) self->n,
                   1.0, self->W, r, 0.0, self->wtw, r);
    }

  memcpy (a, self->hht, self->r * self->r * sizeof (double));
  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', r, a, r, eig) != 0)
    return NAN;
  lambda_h = eig[r - 1];

  memcpy (a, self->wtw, self->r * self->r * sizeof (double));
  if (LAPACKE_dsyev (LAPACK_ROW_MAJOR, 'N', 'U', r, a, r, eig) != 0)
    return NAN;
  lambda_w = eig[r - 1];

  return MIN (1.0 / (2.0 * (lambda_h + self->params.l2_w)),
              1.0 / (2.0 * (lambda_w + self->params.l2_h)));
}

/* A first learning rate for the rule: for plain steps the smaller of the
 * step that is stable near the solution and half the safe step at the
 * current point, shrunk by 1 - beta for momentum; for the normalized rule
 * 1% of the factors' size per step; for Adam 1% of the typical entry. */
double
fs_solver_default_lr (FsSolver *self)
{
  const FsParams *p;
  gsize len_w, len_h;
  double norm_w, norm_h;

  g_return_val_if_fail (self != NULL, NAN);

  p = &self->params;
  len_w = self->n * self->r;
  len_h = self->r * self->m;
  norm_w = cblas_dnrm2 ((int) len_w, self->W, 1);
  norm_h = cblas_dnrm2 ((int) len_h, self->H, 1);

  switch (p->rule)
    {
    case FS_RULE_PLAIN:
      return MIN (stable_plain_lr (self), 0.5 * fs_solver_suggest_lr (self));
    case FS_RULE_MOMENTUM:
      return (1.0 - p->momentum) * MIN (stable_plain_lr (self),
                                        0.5 * fs_solver_suggest_lr (self));
    case FS_RULE_NORMALIZED:
      return 0.01 * MAX (norm_w, norm_h);
    case FS_RULE_ADAM:
      return 0.01 * sqrt ((norm_w * norm_w + norm_h * norm_h) / (double) (len_w + len_h));
    case FS_N_RULES:
    default:
      g_assert_not_reached ();
    }
}

FsMatrix *
fs_solver_get_matrix (FsSolver *self)
{
  return self->X;
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
