/* fs-checkpoints.c
 *
 * A checkpoint is one allocation: the struct, then W, then H, in an atomic
 * reference-counted box, so that dropping the last reference on any thread
 * frees it whole. A store is used by one thread at a time (the runner's);
 * what it hands out is immutable and needs no lock.
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

struct _FsCheckpoints
{
  gsize      budget;
  GPtrArray *kept;   /* FsCheckpoint, by iteration, oldest first */
  gsize      bytes;  /* the sum of their fs_checkpoint_get_bytes () */
};

/* The factors' doubles, which follow the struct in its box: the struct's
 * size is a multiple of a double's, so they stay aligned. */
static gsize
factor_doubles (gsize rows,
                gsize cols,
                guint rank)
{
  return rows * rank + (gsize) rank * cols;
}

G_STATIC_ASSERT (sizeof (FsCheckpoint) % sizeof (double) == 0);

static FsCheckpoint *
checkpoint_new (guint         run,
                guint64       iteration,
                double        cost,
                const double *W,
                const double *H,
                gsize         rows,
                gsize         cols,
                guint         rank)
{
  gsize len_w = rows * rank, len_h = (gsize) rank * cols;
  FsCheckpoint *self = g_atomic_rc_box_alloc (sizeof (FsCheckpoint) +
                                              factor_doubles (rows, cols, rank) * sizeof (double));

  self->iteration = iteration;
  self->run = run;
  self->rows = rows;
  self->cols = cols;
  self->rank = rank;
  self->cost = cost;
  self->W = (double *) (self + 1);
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

  g_atomic_rc_box_release (self);
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

void
fs_checkpoints_free (FsCheckpoints *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->kept);
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
  checkpoint = checkpoint_new (run, iteration, cost, W, H, rows, cols, rank);
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
