/* fs-checkpoints.h: a run's W and H kept at log-spaced iterations, for
 * replay.
 *
 * The runner offers its current run's factors at iterations 0, 1, 2, 4,
 * 8, … (fs_checkpoints_wants) and, when it makes a snapshot, at the
 * snapshot's iteration; a store keeps the former and always the last one
 * offered, replacing the previous "last" that was not itself a power of
 * two. When the kept factors would pass the store's budget in bytes, the
 * checkpoints at the lowest iterations (the densest: on a linear axis they
 * crowd the start) are dropped first; iteration 0 and the last are never
 * dropped, so when those two alone pass the budget it is exceeded by at
 * most two checkpoints. A checkpoint is immutable and shared by
 * reference, so a snapshot can hold the list as it was and be read on any
 * thread with no lock. No GTK.
 *
 * A store may take its factors' memory from an FsFactorPool, which gets
 * it back when the last reference to a checkpoint goes, on any thread:
 * the runner's snapshots then copy W and H into pages already touched,
 * never into fresh ones that fault in page by page (as a 30 MB
 * allocation may be whenever malloc has handed freed memory back).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The default budget for one run's checkpoints. README "Tuning by eye"
 * states it; 2000 × 2000 at rank 50 (1.6 MB a checkpoint) keeps every
 * power of two up to the iteration limit's 2^25 well within it. */
#define FS_CHECKPOINTS_BUDGET (64 * 1024 * 1024)

typedef struct
{
  guint64  iteration;
  guint    run;
  gsize    rows;
  gsize    cols;
  guint    rank;
  double   cost;
  double  *W;     /* rows × rank, row-major */
  double  *H;     /* rank × cols */
} FsCheckpoint;

FsCheckpoint   *fs_checkpoint_ref           (FsCheckpoint   *self);
void            fs_checkpoint_unref         (FsCheckpoint   *self);
gsize           fs_checkpoint_get_bytes     (const FsCheckpoint *self);

/* Buffers for checkpoints' factors, handed back when a checkpoint is
 * freed and handed out again: at most max_free kept free, of the size
 * last asked (a new size lets the others go). Thread-safe. */
typedef struct _FsFactorPool FsFactorPool;

FsFactorPool   *fs_factor_pool_new          (guint           max_free);
FsFactorPool   *fs_factor_pool_ref          (FsFactorPool   *self);
void            fs_factor_pool_unref        (FsFactorPool   *self);
/* How many buffers the pool has allocated (not handed out again). */
guint64         fs_factor_pool_get_allocations (FsFactorPool *self);
guint           fs_factor_pool_get_n_free   (FsFactorPool   *self);

typedef struct _FsCheckpoints FsCheckpoints;

FsCheckpoints  *fs_checkpoints_new          (gsize           budget);
/* The same, its checkpoints' factors from pool (which it refs). */
FsCheckpoints  *fs_checkpoints_new_with_pool (gsize          budget,
                                              FsFactorPool  *pool);
void            fs_checkpoints_free         (FsCheckpoints  *self);
/* Forgets every checkpoint (a new run). */
void            fs_checkpoints_clear        (FsCheckpoints  *self);
/* Whether iteration is one a store keeps for good: 0 or a power of two. */
gboolean        fs_checkpoints_wants        (guint64         iteration);
/* Copies W and H as the last checkpoint (and for good when wanted), then
 * drops the lowest iterations while over budget. */
void            fs_checkpoints_offer        (FsCheckpoints  *self,
                                             guint           run,
                                             guint64         iteration,
                                             double          cost,
                                             const double   *W,
                                             const double   *H,
                                             gsize           rows,
                                             gsize           cols,
                                             guint           rank);
/* The checkpoints kept, oldest first, each with a new reference, in a
 * NULL-free array of *n_out; g_free the array after unref'ing each. */
FsCheckpoint  **fs_checkpoints_dup_all      (FsCheckpoints  *self,
                                             guint          *n_out);
gsize           fs_checkpoints_get_bytes    (FsCheckpoints  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsCheckpoints, fs_checkpoints_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsFactorPool, fs_factor_pool_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsCheckpoint, fs_checkpoint_unref)

G_END_DECLS
