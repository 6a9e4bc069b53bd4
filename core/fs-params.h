/* fs-params.h: the settings of one factorization.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "fs-matrix.h"
#include "fs-products.h"

G_BEGIN_DECLS

/* An update rule: an entry of the table in fs-rules.c. */
typedef struct _FsRule FsRule;

typedef enum
{
  FS_L1_PROXIMAL,
  FS_L1_SUBGRADIENT,
  FS_N_L1_MODES
} FsL1Mode;

typedef enum
{
  FS_INIT_SCALED,
  FS_INIT_UNIFORM,
  FS_N_INITS
} FsInit;

/* Why a run stopped. */
typedef enum
{
  FS_STOP_NONE,
  FS_STOP_ITERATIONS,
  FS_STOP_TOLERANCE,
  FS_STOP_DIVERGED,
  FS_STOP_UNSTABLE,
} FsStop;

/* The precision the passes over X compute in. FLOAT32 holds X and the
 * copies of W and H that those passes read in single precision; costs are
 * reported in double (as the peers' float32 runs report them);
 * fs-solver-f32.c says exactly what is single. A sparse matrix computes in
 * double only (fs_params_validate refuses FLOAT32 for it). */
typedef enum
{
  FS_DTYPE_FLOAT64,
  FS_DTYPE_FLOAT32,
  FS_N_DTYPES
} FsDtype;

#define FS_MAX_ITERATIONS (G_GUINT64_CONSTANT (50000000))

/* The defaults that the window and the command line share: the PyTorch
 * notebook's 10000 iterations, and rank 5 (the low-rank example's) for a
 * matrix that has no rank of its own. */
#define FS_DEFAULT_MAX_ITERS (G_GUINT64_CONSTANT (10000))
#define FS_DEFAULT_RANK      5
/* The held-out share a person gets on asking for one (the window's and
 * --holdout's suggestion); FsParams's default is 0, none. */
#define FS_DEFAULT_HOLDOUT   0.1

typedef struct
{
  guint         rank;
  double        l2_w;
  double        l2_h;
  double        l1_w;
  double        l1_h;
  double        lr;
  const FsRule *rule;       /* an entry of the table of fs-rules.c */
  double        momentum;
  double        adam_beta1;
  double        adam_beta2;
  double        adam_eps;
  FsL1Mode      l1_mode;
  gboolean      nonneg;
  FsInit        init;
  guint64       seed;
  guint64       max_iters;
  double        tol;
  gboolean      stop_unstable; /* stop a run that the instability detector flags */
  guint         restarts;
  /* The share of the observed cells held out of training, in [0, 1)
   * (fs-holdout.h): 0 trains on every observed cell. The cells depend only
   * on holdout_seed, the matrix's shape and its missing cells. */
  double        holdout;
  guint64       holdout_seed;
  guint         threads;   /* the solver's threads; 0 picks by size */
  int           nice;      /* their nice value while they compute; 0 leaves them be */
  FsProductsImpl products; /* the fastest products they may use (avx512: any) */
  FsDtype       dtype;
} FsParams;

/* FsParams as a GValue, for properties that hold settings. */
#define FS_TYPE_PARAMS (fs_params_get_type ())
GType       fs_params_get_type      (void) G_GNUC_CONST;

void        fs_params_init_defaults (FsParams       *params);
gboolean    fs_params_equal         (const FsParams *a,
                                     const FsParams *b);
guint       fs_params_default_rank  (gsize           rows,
                                     gsize           cols);
guint       fs_params_auto_threads  (gsize           rows,
                                     gsize           cols,
                                     guint           rank);
/* fs_params_auto_threads for X, whose storage changes the work: a
 * sparse X's follows its listed cells. */
guint       fs_params_auto_threads_for (const FsMatrix *X,
                                        guint           rank);
gboolean    fs_params_validate      (const FsParams *params,
                                     const FsMatrix *X,
                                     GError        **error);
gboolean    fs_params_has_optimum   (const FsParams *params,
                                     const FsMatrix *X,
                                     const char    **reason);
gboolean    fs_params_needs_restart (const FsParams *old,
                                     const FsParams *new);
char       *fs_params_dup_unbounded_message (const FsParams *params);
char       *fs_params_describe_difference   (const FsParams *params,
                                             const FsParams *other);

const char *fs_l1_mode_to_string    (FsL1Mode        mode);
gboolean    fs_l1_mode_from_string  (const char     *name,
                                     FsL1Mode       *mode);
const char *fs_l1_mode_get_label    (FsL1Mode        mode);
const char *fs_init_to_string       (FsInit          init);
const char *fs_init_get_label       (FsInit          init);
gboolean    fs_init_from_string     (const char     *name,
                                     FsInit         *init);
const char *fs_stop_to_string       (FsStop          stop);
/* float64, float32: the command line's and the session file's words. */
const char *fs_dtype_to_string      (FsDtype         dtype);
gboolean    fs_dtype_from_string    (const char     *name,
                                     FsDtype        *dtype);

G_END_DECLS
