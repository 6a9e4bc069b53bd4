/* fs-holdout.c
 *
 * Knuth's selection sampling (TAOCP vol. 2, 3.4.2, algorithm S): walking
 * the observed cells in row-major order, the t-th of N is taken with
 * probability (k - taken) / (N - t), which takes exactly k cells, each set
 * of k equally likely, in one pass and with no memory beyond the result.
 * The uniforms come a block at a time from one counter-based stream, so
 * the split depends only on the seed and on which cells are observed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-holdout"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "fs-error.h"
#include "fs-holdout.h"
#include "fs-random.h"

/* The uniforms drawn at a time: small, and still few calls. */
#define UNIFORM_BLOCK 1024
/* The stream of fs_random_key () the split draws from: fs-start.c and the
 * examples use 1 to 5. */
#define HOLDOUT_STREAM 6

struct _FsHoldout
{
  gsize   rows;
  gsize   cols;
  gsize   n_cells;
  gsize   n_train;
  gsize  *cells;
  double *values;
};

/* The uniforms of the split's stream, read in order a block at a time. */
typedef struct
{
  guint64 key;
  guint64 next;     /* the index in the stream of block[0] */
  guint   used;
  double  block[UNIFORM_BLOCK];
} Uniforms;

static double
uniforms_next (Uniforms *u)
{
  if (u->used == UNIFORM_BLOCK)
    {
      fs_random_fill_unit_from (u->key, u->next, u->block, UNIFORM_BLOCK);
      u->next += UNIFORM_BLOCK;
      u->used = 0;
    }
  return u->block[u->used++];
}

static gsize
count_observed (const FsMatrix *X)
{
  return X->rows * X->cols - X->n_missing;
}

/* round (fraction × observed), kept in [1, observed - 1]. */
static gsize
holdout_count (double fraction,
               gsize  observed)
{
  double k = round (fraction * (double) observed);

  return (gsize) CLAMP (k, 1.0, (double) (observed - 1));
}

static gboolean
check_split (double   fraction,
             gsize    observed,
             GError **error)
{
  g_autofree char *share = g_strdup_printf ("%g%%", 100.0 * fraction);
  g_autofree char *count = fs_error_number_text (observed);

  if (!(fraction > 0.0 && fraction < 1.0))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The held-out share must be above 0 and below 1, not %s"), share);
      return FALSE;
    }
  if (observed < 2)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Cannot hold out %s of the cells: the matrix has %s observed cell, "
                                "and holding out needs at least 2 (one to train on, one to hold out)",
                                "Cannot hold out %s of the cells: the matrix has %s observed cells, "
                                "and holding out needs at least 2 (one to train on, one to hold out)",
                                observed),
                   share, count);
      return FALSE;
    }
  return TRUE;
}

/* The listed cells of a sparse matrix, which come in row-major order as
 * the observed cells of its dense copy do: the same draws pick the same
 * cells on both. */
static void
select_sparse_cells (FsHoldout      *self,
                     const FsSparse *x,
                     Uniforms       *u)
{
  gsize observed = x->nnz, t = 0, taken = 0;

  for (gsize i = 0; i < x->rows && taken < self->n_cells; i++)
    for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1] && taken < self->n_cells; p++)
      {
        if ((double) (observed - t) * uniforms_next (u) < (double) (self->n_cells - taken))
          {
            self->cells[taken] = i * x->cols + x->col_idx[p];
            self->values[taken] = x->values[p];
            taken++;
          }
        t++;
      }
  g_assert (taken == self->n_cells);
}

/* Algorithm S over the observed cells: the t-th of them is taken when
 * (observed - t) U < k - taken. */
static void
select_cells (FsHoldout      *self,
              const FsMatrix *X,
              guint64         seed)
{
  g_autofree Uniforms *u = g_new (Uniforms, 1);
  gsize len = X->rows * X->cols, observed = count_observed (X), t = 0, taken = 0;

  u->key = fs_random_key (seed, HOLDOUT_STREAM);
  u->next = 0;
  u->used = UNIFORM_BLOCK;
  if (X->sparse != NULL)
    {
      select_sparse_cells (self, X->sparse, u);
      return;
    }
  for (gsize k = 0; k < len && taken < self->n_cells; k++)
    {
      if (X->mask != NULL && !X->mask[k])
        continue;
      if ((double) (observed - t) * uniforms_next (u) < (double) (self->n_cells - taken))
        {
          self->cells[taken] = k;
          self->values[taken] = X->data[k];
          taken++;
        }
      t++;
    }
  g_assert (taken == self->n_cells);
}

FsHoldout *
fs_holdout_new (const FsMatrix *X,
                double          fraction,
                guint64         seed,
                GError        **error)
{
  FsHoldout *self;
  gsize observed;

  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* With zeros as values every one of the rows × cols cells is observed:
   * a split would list a share of all of them, which a sparse matrix is
   * held sparse to avoid. */
  if (X->sparse != NULL && X->sparse->zeros_are_values)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Cannot hold cells out of a sparse matrix whose unlisted cells are zeros: "
                     "the split would have to list a share of every cell. Hold cells out with "
                     "the unlisted cells missing, or load the matrix dense"));
      return NULL;
    }
  observed = count_observed (X);
  if (!check_split (fraction, observed, error))
    return NULL;

  self = g_atomic_rc_box_new0 (FsHoldout);
  self->rows = X->rows;
  self->cols = X->cols;
  self->n_cells = holdout_count (fraction, observed);
  self->n_train = observed - self->n_cells;
  self->cells = g_new (gsize, self->n_cells);
  self->values = g_new (double, self->n_cells);
  select_cells (self, X, seed);
  return self;
}

FsHoldout *
fs_holdout_ref (FsHoldout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

static void
fs_holdout_clear (FsHoldout *self)
{
  g_free (self->cells);
  g_free (self->values);
}

void
fs_holdout_unref (FsHoldout *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) fs_holdout_clear);
}

gsize
fs_holdout_get_n_cells (const FsHoldout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_cells;
}

const gsize *
fs_holdout_get_cells (const FsHoldout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->cells;
}

const double *
fs_holdout_get_values (const FsHoldout *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->values;
}

gsize
fs_holdout_get_n_train (const FsHoldout *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_train;
}

/* The listed cells of x less the held-out ones (a subset of them, both in
 * row-major order, so one merge-like walk finds them). */
static FsSparse *
sparse_without_held (const FsHoldout *self,
                     const FsSparse  *x,
                     GError         **error)
{
  FsSparse *train = fs_sparse_new (x->rows, x->cols, x->nnz - self->n_cells, error);
  gsize c = 0, q = 0;

  if (train == NULL)
    return NULL;
  train->zeros_are_values = x->zeros_are_values;
  for (gsize i = 0; i < x->rows; i++)
    {
      for (gsize p = x->row_ptr[i]; p < x->row_ptr[i + 1]; p++)
        {
          if (c < self->n_cells && self->cells[c] == i * x->cols + x->col_idx[p])
            {
              c++;
              continue;
            }
          train->col_idx[q] = x->col_idx[p];
          train->values[q] = x->values[p];
          q++;
        }
      train->row_ptr[i + 1] = q;
    }
  g_assert (c == self->n_cells && q == train->nnz);
  return train;
}

/* A sparse X's copy with the held-out cells no longer listed. */
static FsMatrix *
sparse_training_matrix (const FsHoldout *self,
                        const FsMatrix  *X,
                        GError         **error)
{
  g_autoptr(FsSparse) pattern = sparse_without_held (self, X->sparse, error);
  FsMatrix *train;

  if (pattern == NULL)
    return NULL;
  train = fs_matrix_copy (X, error);
  if (train == NULL)
    return NULL;
  fs_sparse_unref (train->sparse);
  train->sparse = fs_sparse_ref (pattern);
  train->n_missing = X->rows * X->cols - pattern->nnz;
  return train;
}

/* X's copy (labels, image shape, format and notices with it), its
 * held-out cells made missing, its mask and n_missing made again. */
FsMatrix *
fs_holdout_training_matrix (const FsHoldout *self,
                            const FsMatrix  *X,
                            GError         **error)
{
  FsMatrix *train;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (X != NULL, NULL);
  g_return_val_if_fail (X->rows == self->rows && X->cols == self->cols, NULL);

  if (X->sparse != NULL)
    return sparse_training_matrix (self, X, error);
  train = fs_matrix_copy (X, error);
  if (train == NULL)
    return NULL;
  for (gsize c = 0; c < self->n_cells; c++)
    train->data[self->cells[c]] = NAN;
  fs_matrix_mark_missing (train);
  return train;
}

double
fs_holdout_sum_squares (const FsHoldout *self,
                        const double    *W,
                        const double    *H,
                        guint            rank,
                        gsize            cols)
{
  double sum = 0.0;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (W != NULL && H != NULL, NAN);
  g_return_val_if_fail (cols == self->cols, NAN);

  for (gsize c = 0; c < self->n_cells; c++)
    {
      gsize i = self->cells[c] / cols, j = self->cells[c] % cols;
      double wh = 0.0, d;

      for (guint k = 0; k < rank; k++)
        wh += W[i * rank + k] * H[(gsize) k * cols + j];
      d = self->values[c] - wh;
      sum += d * d;
    }
  return sum;
}
