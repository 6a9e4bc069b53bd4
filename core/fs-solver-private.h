/* fs-solver-private.h: the solver's state, for the files that implement
 * one of its evaluation paths (fs-solver.c: dense, with or without missing
 * cells; fs-solver-sparse.c: the observed cells of a sparse matrix;
 * fs-solver-f32.c: the dense passes in single precision).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-holdout.h"
#include "fs-instability.h"
#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-pool.h"
#include "fs-products.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-sparse-kernels.h"
#include "fs-step-size.h"
#include "fs-trace.h"

G_BEGIN_DECLS

/* float32: the single-precision path's state (fs-solver-f32.c). */
typedef struct _FsSolverF32 FsSolverF32;

/* One thread's part of an evaluation. */
typedef struct
{
  gsize   row0, row1;   /* its rows of X, W and the gradient of W */
  gsize   col0, col1;   /* its columns of H and the gradient of H */
  double *wtx;          /* r × m: its rows' part of -grad_h / 2 (share 0: grad_h) */
  double *wtw;          /* r × r: W^T W over its rows, upper triangle */
  double *hht;          /* r × r: H H^T over its columns, upper triangle */
  double *scratch;      /* for fs_products_rows */
  double *panel;        /* panel_rows × m, for the exact data term */
  double  sum;          /* its part of a data term or of <W, X H^T> */
  double  sq_grad_w;    /* ||grad_w||^2 over its rows */
  double  sq_grad_h;    /* ||grad_h||^2 over its columns */
  double  abs_w;        /* ||W||_1 over its rows, when l1_w is on */
  double  abs_h;        /* ||H||_1 over its columns, when l1_h is on */
  double  sq_w;         /* ||W||^2 over its rows (missing cells only) */
  double  sq_h;         /* ||H||^2 over its columns (missing cells only) */
  gsize   held0, held1; /* the held-out cells in its rows, as indices into the split */
  double  held_sum;     /* Σ (X - WH)^2 over them */
  double *ght;          /* sparse path: m × r, its rows' part of -grad_h / 2,
                         * transposed (fs-solver-sparse.c) */
} Share;

struct _FsSolver
{
  FsMatrix      *X;             /* the matrix trained on: given's training matrix with a split */
  FsMatrix      *given;         /* the matrix fs_solver_new () was given */
  FsHoldout     *holdout;       /* NULL without held-out cells */
  gsize          n_train;       /* the cells trained on: X's observed cells */
  FsParams       params;
  const FsRule  *rule;
  gsize          n;
  gsize          m;
  gsize          r;
  double         x_norm_sq;
  double         x_sigma;       /* estimate of sigma_1(X) */

  FsProductsImpl impl;
  FsPool        *pool;
  Share         *shares;
  guint          n_shares;
  gboolean       stepping;      /* share_prepare steps W and H first */
  FsStepContext  step_w;
  FsStepContext  step_h;

  double        *W;
  double        *H;
  double        *grad_w;
  double        *grad_h;
  double        *packed_h;      /* H as the products read it */
  double        *hht;           /* r × r: H H^T */
  double        *wtw;           /* r × r: W^T W */
  double        *gram_w;        /* r × r: -(H H^T + l2_w I) */
  double        *gram_h;        /* r × r: -(W^T W + l2_h I) */
  double        *packed_gram_w;
  double        *residual;      /* n × m, only with missing cells */
  gsize          panel_rows;
  double        *state_w[FS_RULE_MAX_STATE];
  double        *state_h[FS_RULE_MAX_STATE];

  guint64        seed;
  double         starting_lr;   /* the rule's, at the point of the last start */
  guint64        iteration;
  guint64        rule_start;    /* the iteration the rule's state was zeroed at */
  double         cost;
  double         reference_cost;      /* divergence is growth from this cost */
  guint64        reference_iteration; /* where it was: the last change */
  double         cost_floor;    /* costs below it are rounding to the detector */
  FsInstability *instability;
  FsWarning      warning;
  gboolean       has_warning;
  double         grad_norm_w;
  double         grad_norm_h;
  /* The terms of the last evaluation's cost, as it added them up. */
  double         data_term;
  double         holdout_sum;   /* Σ (X - WH)^2 over the held-out cells */
  double         terms[FS_TRACE_L1_H + 1 - FS_TRACE_L2_W];  /* l2_w ... l1_h */
  double         sq_norm_w;
  double         sq_norm_h;
  FsCostLog     *log;
  FsTrace       *trace;
  FsStop         stop;
  char          *stop_message;
  guint          calm;          /* iterations in a row within the tolerance */
  /* The sparse path (fs-solver-sparse.c): X's listed cells to train on
   * (X->sparse), H transposed (m × r) so that each h_j is contiguous. */
  FsSparse      *pattern;
  double        *ht;
  FsSparseKernel kernel;
  gboolean       steps_w_in_pass;  /* W's step and ||W||_1 are the pass's */

  /* float32: with FS_DTYPE_FLOAT32, the float copies and buffers of
   * fs-solver-f32.c, whose evaluation replaces the double one; NULL in
   * float64. */
  FsSolverF32   *f32;
};

/* fs-solver.c */
gsize    fs_solver_first_held_from   (const FsHoldout *holdout,
                                      gsize            index);

/* fs-solver-sparse.c: the shares (split by listed cells) and their
 * buffers; the share's part of the step's epilogue (H^T over its columns
 * and the squared norms), called at the end of share_prepare; then the
 * passes over the pattern, which return the data term and leave the
 * gradients, the shares' sq_grad_w / sq_grad_h and holdout_sum set. */
gboolean fs_solver_sparse_alloc      (FsSolver  *self,
                                      GError   **error);
void     fs_solver_sparse_prepare    (FsSolver  *self,
                                      Share     *sh);
double   fs_solver_sparse_evaluate   (FsSolver  *self);
double   fs_solver_sparse_exact_data_term (FsSolver *self);
gboolean fs_solver_sparse_get_grams  (FsSolver      *self,
                                      const double **wtw,
                                      const double **hht);


/* float32 (fs-solver-f32.c): its state, made once the double state is;
 * the data term and both gradients at the current W and H (and the step
 * before them, in an iteration); its state freed. */
gboolean fs_solver_f32_init      (FsSolver    *self,
                                  GError     **error);
double   fs_solver_f32_data_term (FsSolver    *self);
void     fs_solver_f32_free      (FsSolverF32 *f32);

G_END_DECLS
