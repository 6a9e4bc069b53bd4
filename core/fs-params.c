/* fs-params.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-params"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-params.h"
#include "fs-rules.h"

/* Each choice's name (for the command line and files) and label (for the
 * window), in enum order. */
static const char * const l1_mode_names[FS_N_L1_MODES] = { "prox", "subgradient" };
static const char * const l1_mode_labels[FS_N_L1_MODES] = {
  N_("Proximal (exact zeros)"), N_("Subgradient"),
};
static const char * const init_names[FS_N_INITS] = { "scaled", "uniform" };
static const char * const init_labels[FS_N_INITS] = { N_("Scaled uniform"), N_("Uniform [0, 1)") };
static const char * const stop_names[] = { "running", "iterations", "tolerance", "diverged",
                                               "unstable" };
G_STATIC_ASSERT (G_N_ELEMENTS (stop_names) == FS_STOP_UNSTABLE + 1);

static gpointer
params_copy (gpointer params)
{
  return g_memdup2 (params, sizeof (FsParams));
}

G_DEFINE_BOXED_TYPE (FsParams, fs_params, params_copy, g_free)

void
fs_params_init_defaults (FsParams *params)
{
  g_return_if_fail (params != NULL);

  *params = (FsParams) {
    .rank = 2,
    .lr = 1e-3,
    .rule = fs_rules_get (NULL),
    .momentum = 0.9,
    .adam_beta1 = 0.9,
    .adam_beta2 = 0.999,
    .adam_eps = 1e-8,
    .l1_mode = FS_L1_PROXIMAL,
    .init = FS_INIT_SCALED,
    .seed = 0,
    .max_iters = FS_DEFAULT_MAX_ITERS,
    .tol = 0.0,
    .stop_unstable = TRUE,
    .restarts = 1,
    .threads = 0,
    .products = FS_PRODUCTS_AVX512,
  };
}

/* Whether a and b are the same settings, field by field (a struct may
 * hold padding that memcmp would compare). */
gboolean
fs_params_equal (const FsParams *a,
                 const FsParams *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->rank == b->rank && a->l2_w == b->l2_w && a->l2_h == b->l2_h &&
         a->l1_w == b->l1_w && a->l1_h == b->l1_h && a->lr == b->lr && a->rule == b->rule &&
         a->momentum == b->momentum && a->adam_beta1 == b->adam_beta1 &&
         a->adam_beta2 == b->adam_beta2 && a->adam_eps == b->adam_eps &&
         a->l1_mode == b->l1_mode && a->nonneg == b->nonneg && a->init == b->init &&
         a->seed == b->seed && a->max_iters == b->max_iters && a->tol == b->tol &&
         a->stop_unstable == b->stop_unstable && a->restarts == b->restarts && a->threads == b->threads && a->nice == b->nice &&
         a->products == b->products && a->holdout == b->holdout &&
         a->holdout_seed == b->holdout_seed && a->dtype == b->dtype;
}

/* The rank a newly opened matrix starts with. */
guint
fs_params_default_rank (gsize rows,
                        gsize cols)
{
  return (guint) MAX (1, MIN ((gsize) FS_DEFAULT_RANK, MIN (rows, cols)));
}


static gboolean
penalty_ok (double value)
{
  return isfinite (value) && value >= 0.0;
}

static gboolean
in_unit_interval (double value)
{
  return value >= 0.0 && value < 1.0;
}

static gboolean
check_penalties (const FsParams *params,
                 GError        **error)
{
  if (!penalty_ok (params->l2_w))
    return fs_error_refuse (error, _("The L2 penalty on W must be a finite number ≥ 0, not %g"), params->l2_w);
  if (!penalty_ok (params->l2_h))
    return fs_error_refuse (error, _("The L2 penalty on H must be a finite number ≥ 0, not %g"), params->l2_h);
  if (!penalty_ok (params->l1_w))
    return fs_error_refuse (error, _("The L1 penalty on W must be a finite number ≥ 0, not %g"), params->l1_w);
  if (!penalty_ok (params->l1_h))
    return fs_error_refuse (error, _("The L1 penalty on H must be a finite number ≥ 0, not %g"), params->l1_h);
  return TRUE;
}

/* One thread for small problems, where waking a second one costs more
 * than it brings (an iteration under about half a millisecond), all
 * cores otherwise. */
guint
fs_params_auto_threads (gsize rows,
                        gsize cols,
                        guint rank)
{
  double flops = 4.0 * (double) rows * (double) cols * (double) rank;

  return flops < 2e7 ? 1 : (guint) CLAMP (g_get_num_processors (), 1, 256);
}

/* A sparse X costs about 4 nnz r a pass, and each thread holds an m × r
 * H-gradient buffer that it zeroes and the pass sums every iteration:
 * the same cut-off on the work, and no more threads than nnz / m, so that
 * the buffers never outweigh the pattern. */
static guint
auto_threads_sparse (gsize nnz,
                     gsize cols,
                     guint rank)
{
  double flops = 4.0 * (double) nnz * (double) rank;
  guint cores = (guint) CLAMP (g_get_num_processors (), 1, 256);

  if (flops < 2e7)
    return 1;
  return (guint) MIN ((gsize) cores, MAX (nnz / MAX (cols, 1), 1));
}

guint
fs_params_auto_threads_for (const FsMatrix *X,
                            guint           rank)
{
  g_return_val_if_fail (X != NULL, 1);

  if (X->sparse != NULL)
    return auto_threads_sparse (X->sparse->nnz, X->cols, rank);
  return fs_params_auto_threads (X->rows, X->cols, rank);
}

static gboolean
check_rank (const FsParams *params,
            const FsMatrix *X,
            GError        **error)
{
  if (X != NULL && (params->rank < 1 || params->rank > MIN (X->rows, X->cols)))
    {
      g_autofree char *limit = fs_error_number_text (MIN (X->rows, X->cols));
      g_autofree char *rows = fs_error_number_text (X->rows);
      g_autofree char *cols = fs_error_number_text (X->cols);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The rank must be between 1 and %s (the smaller side of the %s × %s matrix), not %u"),
                   limit, rows, cols, params->rank);
      return FALSE;
    }
  if (params->rank < 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("The rank must be at least 1"));
      return FALSE;
    }
  return TRUE;
}

/* The rule and what it reads: the learning rate, momentum and Adam's
 * coefficients. */
static gboolean
check_rule (const FsParams *params,
            GError        **error)
{
  if (!isfinite (params->lr) || params->lr <= 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The learning rate must be a finite number > 0, not %g"), params->lr);
      return FALSE;
    }

  if (!fs_rule_is_known (params->rule))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("Unknown update rule"));
      return FALSE;
    }

  if (!in_unit_interval (params->momentum))
    return fs_error_refuse (error, _("The momentum coefficient must be in [0, 1), not %g"), params->momentum);
  if (!in_unit_interval (params->adam_beta1))
    /* Translators: beta1 and beta2 are the names of Adam's coefficients. */
    return fs_error_refuse (error, _("Adam's beta1 must be in [0, 1), not %g"), params->adam_beta1);
  if (!in_unit_interval (params->adam_beta2))
    return fs_error_refuse (error, _("Adam's beta2 must be in [0, 1), not %g"), params->adam_beta2);

  if (!isfinite (params->adam_eps) || params->adam_eps <= 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Adam's epsilon must be > 0, not %g"), params->adam_eps);
      return FALSE;
    }
  return TRUE;
}

/* When a run stops, how many there are, and on how many threads. */
static gboolean
check_runs (const FsParams *params,
            GError        **error)
{
  if (params->max_iters < 1 || params->max_iters > FS_MAX_ITERATIONS)
    {
      g_autofree char *limit = fs_error_number_text (FS_MAX_ITERATIONS);
      g_autofree char *value = fs_error_number_text (params->max_iters);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The iteration limit must be between 1 and %s, not %s"), limit, value);
      return FALSE;
    }

  if (!isfinite (params->tol) || params->tol < 0.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The tolerance must be a finite number ≥ 0, not %g"), params->tol);
      return FALSE;
    }

  if (params->restarts < 1 || params->restarts > 10000)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The number of runs must be between 1 and 10000, not %u"), params->restarts);
      return FALSE;
    }

  if (params->threads > 256)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The thread count must be between 1 and 256, not %u"), params->threads);
      return FALSE;
    }

  if ((guint) params->products > FS_PRODUCTS_AVX512)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("There is no products implementation number %d"), (int) params->products);
      return FALSE;
    }

  if (params->nice < 0 || params->nice > 19)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The solver threads' nice value must be between 0 and 19, not %d"), params->nice);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_blas_size (const FsMatrix *X,
                  GError        **error)
{
  g_autofree char *rows = fs_error_number_text (X->rows);
  g_autofree char *cols = fs_error_number_text (X->cols);

  g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
               _("A %s × %s matrix is beyond what BLAS can index"), rows, cols);
  return FALSE;
}

/* The solver hands BLAS its lengths as int. The dense path hands it
 * rows × cols; the sparse path never does (its kernels index cells with
 * gsize), only the factors, n × r and m × r, and their r × r Grams. */
static gboolean
check_blas_size (const FsMatrix *X,
                 guint           rank,
                 GError        **error)
{
  if (X->rows > G_MAXINT || X->cols > G_MAXINT)
    return refuse_blas_size (X, error);
  if (X->sparse != NULL)
    return (double) MAX (X->rows, X->cols) * (double) rank <= (double) G_MAXINT
           || refuse_blas_size (X, error);
  return X->rows * X->cols <= G_MAXINT || refuse_blas_size (X, error);
}

/* float32 runs the dense paths only (fs-solver-f32.c): a sparse matrix
 * keeps its observed cells in double. */
static gboolean
check_dtype (const FsParams *params,
             const FsMatrix *X,
             GError        **error)
{
  if (params->dtype >= FS_N_DTYPES)
    return fs_error_refuse (error, _("Unknown precision"));
  if (params->dtype == FS_DTYPE_FLOAT32 && X != NULL && fs_matrix_is_sparse (X))
    return fs_error_refuse (error, _("Single precision (float32) runs on dense matrices only: "
                                     "load the matrix with dense storage, or compute in float64"));
  return TRUE;
}

/* Whether params are valid, and (when X is given) whether a solver can
 * run them on X. */
gboolean
fs_params_validate (const FsParams *params,
                    const FsMatrix *X,
                    GError        **error)
{
  g_return_val_if_fail (params != NULL, FALSE);

  if (!check_rank (params, X, error) || !check_penalties (params, error) ||
      !check_rule (params, error) || !check_runs (params, error))
    return FALSE;
  if (!in_unit_interval (params->holdout))
    return fs_error_refuse (error, _("The held-out share must be in [0, 1), not %g"), params->holdout);
  if (!check_dtype (params, X, error))
    return FALSE;
  return X == NULL || check_blas_size (X, params->rank, error);
}

/* The closed form of DESIGN.md holds only for the smooth, unconstrained,
 * fully observed problem. */
gboolean
fs_params_has_optimum (const FsParams *params,
                       const FsMatrix *X,
                       const char    **reason)
{
  const char *why = NULL;

  g_return_val_if_fail (params != NULL, FALSE);

  /* The reasons stay in English here, for JSON; people see _(reason). */
  if (params->l1_w > 0.0 || params->l1_h > 0.0)
    why = N_("no closed form with L1 penalties");
  else if (params->nonneg)
    why = N_("no closed form with non-negativity");
  else if (X != NULL && X->n_missing > 0)
    why = N_("no closed form with missing cells");
  else if (params->holdout > 0.0)
    why = N_("no closed form with held-out cells");

  if (reason != NULL)
    *reason = why;
  return why == NULL;
}

/* Whether going from old to new settings needs a new start: the shapes of
 * W and H (rank), the starting point (seed, init), the runs (restarts) and
 * how the products are computed (threads, products, dtype), and the cells trained
 * on (holdout, holdout_seed). Everything else
 * (penalties, rule and its coefficients, L1 mode, bounds, learning rate,
 * limits, the instability stop, the nice value) can change under a
 * running solver, from its current W and H (DESIGN.md section 5). */
gboolean
fs_params_needs_restart (const FsParams *old,
                         const FsParams *new)
{
  g_return_val_if_fail (old != NULL && new != NULL, TRUE);

  return old->rank != new->rank || old->seed != new->seed || old->init != new->init ||
         old->restarts != new->restarts || old->threads != new->threads ||
         old->products != new->products || old->holdout != new->holdout ||
         old->holdout_seed != new->holdout_seed || old->dtype != new->dtype;
}

/* The penalties on one factor, named for a message: "L1", "L2" or
 * "L1 and L2"; NULL when it has none. */
static const char *
penalty_names (double l1,
               double l2)
{
  if (l1 > 0.0 && l2 > 0.0)
    return _("L1 and L2");
  if (l1 > 0.0)
    return "L1";
  if (l2 > 0.0)
    return "L2";
  return NULL;
}

/* Why the settings have no minimum, or NULL when they have one.
 *
 * f(c W, H / c) has the same data term for every c > 0, and its penalties
 * are c^2 l2_w ||W||^2 + c l1_w ||W||_1 + l2_h ||H||^2 / c^2 + l1_h ||H||_1 / c.
 * - With a penalty on H and none on W, letting c grow lowers the penalty
 *   towards 0 without reaching it: the infimum is the unpenalized one,
 *   attained only where the penalty is 0, that is at H = 0, which is not
 *   a minimizer unless X is (best approximated by) 0. So there is no
 *   minimum: H shrinks, W grows, and the plain step's stability bound
 *   1 / (sigma_max(W)^2 + l2_h) shrinks under a fixed learning rate until
 *   the run becomes unstable. Likewise with W and H swapped.
 * - This holds for L2 alone as for L1 alone (the drift is only slower:
 *   the penalty falls as 1 / c^2 instead of 1 / c), so both are flagged.
 *   Nothing is refused: the message is a warning, and a run can still show
 *   the drift, which is the lesson.
 * - With a penalty on both factors f is coercive (each norm grows without
 *   bound with its factor), so its continuous minimum is attained; with
 *   none the data term's minimum is attained (Eckart-Young; with
 *   non-negativity, the products of non-negative rank r form a closed
 *   set). Non-negativity and the L1 mode change none of this. */
char *
fs_params_dup_unbounded_message (const FsParams *params)
{
  const char *on_w, *on_h;

  g_return_val_if_fail (params != NULL, NULL);

  on_w = penalty_names (params->l1_w, params->l2_w);
  on_h = penalty_names (params->l1_h, params->l2_h);
  if (on_w != NULL && on_h == NULL)
    return g_strdup_printf (_("%s on W needs a penalty on H (such as L2 on H) to keep the "
                              "problem bounded: scaling W down and H up lowers the cost "
                              "without end, so there is no minimum, and H grows until the "
                              "step becomes unstable."), on_w);
  if (on_h != NULL && on_w == NULL)
    return g_strdup_printf (_("%s on H needs a penalty on W (such as L2 on W) to keep the "
                              "problem bounded: scaling H down and W up lowers the cost "
                              "without end, so there is no minimum, and W grows until the "
                              "step becomes unstable."), on_h);
  return NULL;
}

static gboolean
lookup_name (const char * const *names,
             guint               n_names,
             const char         *name,
             guint              *index)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (names[i], name) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

const char *
fs_l1_mode_to_string (FsL1Mode mode)
{
  g_return_val_if_fail ((guint) mode < G_N_ELEMENTS (l1_mode_names), NULL);
  return l1_mode_names[mode];
}

gboolean
fs_l1_mode_from_string (const char *name,
                        FsL1Mode   *mode)
{
  guint i;

  if (!lookup_name (l1_mode_names, G_N_ELEMENTS (l1_mode_names), name, &i))
    return FALSE;
  *mode = (FsL1Mode) i;
  return TRUE;
}

const char *
fs_init_to_string (FsInit init)
{
  g_return_val_if_fail ((guint) init < G_N_ELEMENTS (init_names), NULL);
  return init_names[init];
}

gboolean
fs_init_from_string (const char *name,
                     FsInit     *init)
{
  guint i;

  if (!lookup_name (init_names, G_N_ELEMENTS (init_names), name, &i))
    return FALSE;
  *init = (FsInit) i;
  return TRUE;
}

/* The translated label of an L1 mode, for a list to choose from. */
const char *
fs_l1_mode_get_label (FsL1Mode mode)
{
  g_return_val_if_fail ((guint) mode < FS_N_L1_MODES, NULL);
  return _(l1_mode_labels[mode]);
}

/* The translated label of an initialization. */
const char *
fs_init_get_label (FsInit init)
{
  g_return_val_if_fail ((guint) init < FS_N_INITS, NULL);
  return _(init_labels[init]);
}

const char *
fs_stop_to_string (FsStop stop)
{
  g_return_val_if_fail ((guint) stop < G_N_ELEMENTS (stop_names), NULL);
  return stop_names[stop];
}

static void
append_part (GString    *text,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
append_part (GString    *text,
             const char *format,
             ...)
{
  va_list args;

  if (text->len > 0)
    g_string_append (text, ", ");
  va_start (args, format);
  g_string_append_vprintf (text, format, args);
  va_end (args);
}

/* A penalty pair as "L2 0.1" when both factors have the same, else
 * "L2 W 0.1" and "L2 H 0" for the ones that differ from the other's. */
static void
append_penalties (GString    *text,
                  const char *name,
                  double      w,
                  double      h,
                  double      other_w,
                  double      other_h)
{
  if (w == other_w && h == other_h)
    return;
  if (w == h)
    append_part (text, "%s %.3g", name, w);
  else
    {
      if (w != other_w)
        append_part (text, "%s W %.3g", name, w);
      if (h != other_h)
        append_part (text, "%s H %.3g", name, h);
    }
}

/* The settings of params that differ from those of other, short, for a
 * legend: "rank 6, L2 0.1". The empty string when none of the settings a
 * person tunes differ (threads, products and nice are not named). */
char *
fs_params_describe_difference (const FsParams *params,
                               const FsParams *other)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (params != NULL && other != NULL, g_string_free (text, FALSE));

  if (params->rank != other->rank)
    /* Translators: this and the strings below are items of a short list of
     * the settings in which a kept run differs (“rank 6, lr 0.01, seed 3”),
     * shown in a legend: keep them short. lr is the learning rate. */
    append_part (text, _("rank %u"), params->rank);
  append_penalties (text, "L2", params->l2_w, params->l2_h, other->l2_w, other->l2_h);
  append_penalties (text, "L1", params->l1_w, params->l1_h, other->l1_w, other->l1_h);
  if (params->rule != other->rule)
    append_part (text, "%s", fs_rule_get_label (params->rule));
  if (params->lr != other->lr)
    append_part (text, _("lr %.3g"), params->lr);
  if (params->momentum != other->momentum)
    append_part (text, _("momentum %.3g"), params->momentum);
  if (params->adam_beta1 != other->adam_beta1 || params->adam_beta2 != other->adam_beta2 ||
      params->adam_eps != other->adam_eps)
    append_part (text, _("β %g, %g, ε %g"), params->adam_beta1, params->adam_beta2,
                 params->adam_eps);
  if (params->l1_mode != other->l1_mode)
    append_part (text, "%s", fs_l1_mode_get_label (params->l1_mode));
  if (params->nonneg != other->nonneg)
    append_part (text, "%s", params->nonneg ? _("non-negative") : _("signed"));
  if (params->init != other->init)
    append_part (text, "%s", fs_init_get_label (params->init));
  /* Numbers go in as text: xgettext cannot read G_GUINT64_FORMAT. */
  if (params->seed != other->seed)
    {
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, params->seed);

      append_part (text, _("seed %s"), seed);
    }
  if (params->restarts != other->restarts)
    append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u run", "%u runs", params->restarts),
                 params->restarts);
  if (params->max_iters != other->max_iters)
    {
      g_autofree char *limit = g_strdup_printf ("%" G_GUINT64_FORMAT, params->max_iters);

      append_part (text, _("limit %s"), limit);
    }
  if (params->tol != other->tol)
    append_part (text, _("tolerance %g"), params->tol);
  if (params->holdout != other->holdout)
    append_part (text, _("held out %g%%"), 100.0 * params->holdout);
  if (params->holdout_seed != other->holdout_seed)
    {
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, params->holdout_seed);

      append_part (text, _("split seed %s"), seed);
    }
  return g_string_free (text, FALSE);
}

static const char * const dtype_words[] = { "float64", "float32" };

const char *
fs_dtype_to_string (FsDtype dtype)
{
  g_return_val_if_fail (dtype < FS_N_DTYPES, "float64");
  return dtype_words[dtype];
}

gboolean
fs_dtype_from_string (const char *name,
                      FsDtype    *dtype)
{
  for (guint i = 0; name != NULL && i < FS_N_DTYPES; i++)
    if (g_ascii_strcasecmp (name, dtype_words[i]) == 0)
      {
        *dtype = (FsDtype) i;
        return TRUE;
      }
  return FALSE;
}
