/* fs-checkpoints.c
 *
 * A checkpoint is an atomic reference-counted box and one buffer holding
 * W then H, so that dropping the last reference on any thread frees both,
 * or hands the buffer back to the store's pool. A store is used by one
 * thread at a time (the runner's); what it hands out is immutable and
 * needs no lock; the pool takes buffers back from any thread under its
 * mutex.
 *
 * Over budget, the store drops checkpoints from the lowest iteration up but
 * never iteration 0 nor the last one: when those two alone pass the budget
 * they are kept all the same, so a store holds at most two checkpoints more
 * than its budget allows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-checkpoints"

#include <string.h>

#include "fs-checkpoints.h"

struct _FsFactorPool
{
  GMutex     mutex;
  guint      max_free;
  gsize      n_doubles;    /* the size of the buffers kept */
  GPtrArray *free;         /* of n_doubles each */
  guint64    allocations;
};

struct _FsCheckpoints
{
  gsize         budget;
  GPtrArray    *kept;   /* FsCheckpoint, by iteration, oldest first */
  gsize         bytes;  /* the sum of their fs_checkpoint_get_bytes () */
  FsFactorPool *pool;   /* or NULL */
};

/* The factors' doubles. */
static gsize
factor_doubles (gsize rows,
                gsize cols,
                guint rank)
{
  return rows * rank + (gsize) rank * cols;
}

/* A checkpoint and where its buffer goes back to. */
typedef struct
{
  FsCheckpoint  checkpoint;
  FsFactorPool *pool;
} Box;

static void
pool_clear (FsFactorPool *self)
{
  g_ptr_array_unref (self->free);
  g_mutex_clear (&self->mutex);
}

FsFactorPool *
fs_factor_pool_new (guint max_free)
{
  FsFactorPool *self = g_atomic_rc_box_new0 (FsFactorPool);

  g_mutex_init (&self->mutex);
  self->max_free = max_free;
  self->free = g_ptr_array_new_with_free_func (g_free);
  return self;
}

FsFactorPool *
fs_factor_pool_ref (FsFactorPool *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
fs_factor_pool_unref (FsFactorPool *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) pool_clear);
}

/* A buffer of n doubles: a free one if there is one of that size. */
static double *
pool_take (FsFactorPool *self,
           gsize         n)
{
  double *buffer = NULL;

  g_mutex_lock (&self->mutex);
  if (n != self->n_doubles)
    {
      g_ptr_array_set_size (self->free, 0);
      self->n_doubles = n;
    }
  if (self->free->len > 0)
    buffer = g_ptr_array_steal_index_fast (self->free, self->free->len - 1);
  else
    self->allocations++;
  g_mutex_unlock (&self->mutex);
  return buffer != NULL ? buffer : g_new (double, n);
}

/* Keeps buffer of n doubles for the next checkpoint, or frees it. */
static void
pool_give (FsFactorPool *self,
           double       *buffer,
           gsize         n)
{
  gboolean kept = FALSE;

  g_mutex_lock (&self->mutex);
  if (n == self->n_doubles && self->free->len < self->max_free)
    {
      g_ptr_array_add (self->free, buffer);
      kept = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  if (!kept)
    g_free (buffer);
}

guint64
fs_factor_pool_get_allocations (FsFactorPool *self)
{
  guint64 allocations;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  allocations = self->allocations;
  g_mutex_unlock (&self->mutex);
  return allocations;
}

guint
fs_factor_pool_get_n_free (FsFactorPool *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  n = self->free->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

static void
checkpoint_clear (Box *box)
{
  FsCheckpoint *self = &box->checkpoint;
  gsize n = factor_doubles (self->rows, self->cols, self->rank);

  if (box->pool != NULL)
    {
      pool_give (box->pool, self->W, n);
      fs_factor_pool_unref (box->pool);
    }
  else
    g_free (self->W);
}

static FsCheckpoint *
checkpoint_new (FsFactorPool *pool,
                guint         run,
                guint64       iteration,
                double        cost,
                const double *W,
                const double *H,
                gsize         rows,
                gsize         cols,
                guint         rank)
{
  gsize len_w = rows * rank, len_h = (gsize) rank * cols;
  gsize n = factor_doubles (rows, cols, rank);
  Box *box = g_atomic_rc_box_new0 (Box);
  FsCheckpoint *self = &box->checkpoint;

  self->iteration = iteration;
  self->run = run;
  self->rows = rows;
  self->cols = cols;
  self->rank = rank;
  self->cost = cost;
  box->pool = pool != NULL ? fs_factor_pool_ref (pool) : NULL;
  self->W = pool != NULL ? pool_take (pool, n) : g_new (double, n);
  self->H = self->W + len_w;
  memcpy (self->W, W, len_w * sizeof (double));
  memcpy (self->H, H, len_h * sizeof (double));
  return self;
}

FsCheckpoint *
fs_checkpoint_ref (FsCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
fs_checkpoint_unref (FsCheckpoint *self)
{
  g_return_if_fail (self != NULL);

  /* The checkpoint is its box's first member. */
  g_atomic_rc_box_release_full ((Box *) self, (GDestroyNotify) checkpoint_clear);
}

/* What the checkpoint holds: its struct and its W and H. */
gsize
fs_checkpoint_get_bytes (const FsCheckpoint *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return sizeof (FsCheckpoint) +
         factor_doubles (self->rows, self->cols, self->rank) * sizeof (double);
}

FsCheckpoints *
fs_checkpoints_new (gsize budget)
{
  FsCheckpoints *self = g_new0 (FsCheckpoints, 1);

  self->budget = budget;
  self->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) fs_checkpoint_unref);
  return self;
}

FsCheckpoints *
fs_checkpoints_new_with_pool (gsize         budget,
                              FsFactorPool *pool)
{
  FsCheckpoints *self;

  g_return_val_if_fail (pool != NULL, NULL);

  self = fs_checkpoints_new (budget);
  self->pool = fs_factor_pool_ref (pool);
  return self;
}

void
fs_checkpoints_free (FsCheckpoints *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->kept);
  g_clear_pointer (&self->pool, fs_factor_pool_unref);
  g_free (self);
}

void
fs_checkpoints_clear (FsCheckpoints *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->kept, 0);
  self->bytes = 0;
}

/* 0 and the powers of two: log-spaced, about 25 for a run of 2^25. */
gboolean
fs_checkpoints_wants (guint64 iteration)
{
  return (iteration & (iteration - 1)) == 0;
}

static FsCheckpoint *
kept_at (FsCheckpoints *self,
         guint          index)
{
  return g_ptr_array_index (self->kept, index);
}

static void
drop_at (FsCheckpoints *self,
         guint          index)
{
  self->bytes -= fs_checkpoint_get_bytes (kept_at (self, index));
  g_ptr_array_remove_index (self->kept, index);
}

/* Makes room for a checkpoint at iteration: what was kept at it or past it
 * goes (the same iteration offered again replaces it; later ones cannot
 * belong to the same run), and so does a last one kept only for being
 * the last. */
static void
drop_superseded (FsCheckpoints *self,
                 guint64        iteration)
{
  while (self->kept->len > 0 && kept_at (self, self->kept->len - 1)->iteration >= iteration)
    drop_at (self, self->kept->len - 1);
  if (self->kept->len > 0 && !fs_checkpoints_wants (kept_at (self, self->kept->len - 1)->iteration))
    drop_at (self, self->kept->len - 1);
}

/* The lowest iterations go first, but never iteration 0 nor the last. */
static void
drop_over_budget (FsCheckpoints *self)
{
  while (self->bytes > self->budget && self->kept->len > 2)
    drop_at (self, kept_at (self, 0)->iteration == 0 ? 1 : 0);
  if (self->bytes > self->budget && self->kept->len == 2 && kept_at (self, 0)->iteration != 0)
    drop_at (self, 0);
}

void
fs_checkpoints_offer (FsCheckpoints *self,
                      guint          run,
                      guint64        iteration,
                      double         cost,
                      const double  *W,
                      const double  *H,
                      gsize          rows,
                      gsize          cols,
                      guint          rank)
{
  FsCheckpoint *checkpoint;

  g_return_if_fail (self != NULL);
  g_return_if_fail (W != NULL && H != NULL);
  g_return_if_fail (rows > 0 && cols > 0 && rank > 0);

  drop_superseded (self, iteration);
  checkpoint = checkpoint_new (self->pool, run, iteration, cost, W, H, rows, cols, rank);
  self->bytes += fs_checkpoint_get_bytes (checkpoint);
  g_ptr_array_add (self->kept, checkpoint);
  drop_over_budget (self);
}

FsCheckpoint **
fs_checkpoints_dup_all (FsCheckpoints *self,
                        guint         *n_out)
{
  FsCheckpoint **all;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_out != NULL, NULL);

  *n_out = self->kept->len;
  all = g_new (FsCheckpoint *, self->kept->len);
  for (guint k = 0; k < self->kept->len; k++)
    all[k] = fs_checkpoint_ref (kept_at (self, k));
  return all;
}

gsize
fs_checkpoints_get_bytes (FsCheckpoints *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes;
}
