/* fs-runner.h: a factorization on a background thread.
 *
 * The caller sends commands and reads snapshots; the thread publishes a new
 * snapshot at most every FS_RUNNER_PUBLISH_INTERVAL while it runs, and at
 * once whenever it stops or pauses. A snapshot never changes once
 * published: it holds its own copies of W and H and a length into each
 * append-only cost log, so it can be read with no lock while the solver goes
 * on. Nothing here calls GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-checkpoints.h"
#include "fs-cost-log.h"
#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-trace.h"

G_BEGIN_DECLS

#define FS_RUNNER_PUBLISH_INTERVAL (30 * G_TIME_SPAN_MILLISECOND)
/* At a set pace, snapshots come at most this often: once a frame. */
#define FS_RUNNER_PACED_PUBLISH_INTERVAL (15 * G_TIME_SPAN_MILLISECOND)
/* The slowest pace: one iteration a day. */
#define FS_RUNNER_MIN_PACE (1.0 / 86400.0)

typedef enum
{
  FS_RUNNER_PAUSED,
  FS_RUNNER_RUNNING,
  FS_RUNNER_FINISHED,
} FsRunnerState;

/* Where settings changed during a run (fs_runner_set_params without a
 * restart, fs_runner_set_lr): from iteration on, run went on with them. */
typedef struct
{
  guint    run;
  guint64  iteration;
  char    *label;      /* what changed, short: "lr 0.003", "L2 W 0.1" */
} FsMark;

typedef struct
{
  guint64        serial;
  /* The commands the thread had taken up when it published this
   * (fs_runner_get_commands_sent ()). */
  guint64        commands;
  FsRunnerState  state;
  gsize          rows;
  gsize          cols;
  guint          rank;
  double         lr;
  guint64        iteration;
  guint          run;
  guint          n_runs;
  guint64        seed;
  double         cost;
  double         grad_norm_w;
  double         grad_norm_h;
  double         elapsed;
  FsStop         stop;
  char          *message;
  /* One entry per run started so far (run + 1 of them). */
  FsCostLog    **logs;
  gsize         *log_lengths;
  double        *final_costs;
  /* Each run's trace (fs-trace.h) and its length, like logs. */
  FsTrace      **traces;
  gsize         *trace_lengths;
  gint           best_run;
  /* The current run's factors; the best run's once all runs are done. */
  double        *W;
  double        *H;
  /* Plain steps below it are certainly stable at W and H, which move
   * together (fs_step_size_joint_stability_bound). */
  double         stability_bound;
  /* The current run's warning since the last change (unstable), or NULL;
   * where it was raised and the learning rate it suggests. */
  char          *warning;
  guint64        warning_iteration;
  double         warning_lr;
  /* Every change of settings since the last restart, oldest first. */
  FsMark        *marks;
  guint          n_marks;
  /* The settings the snapshot's run has now (lr and warm changes
   * included). */
  FsParams       params;
  /* The shown run's MSE over the cells trained on, and over the held-out
   * cells (NaN without: params.holdout == 0). */
  double         train_mse;
  double         holdout_mse;
  /* The current run's checkpoints (fs-checkpoints.h), oldest first, the
   * last at this snapshot's iteration; none in a copy for a pin. */
  FsCheckpoint **checkpoints;
  guint          n_checkpoints;
} FsSnapshot;

FsSnapshot *fs_snapshot_ref   (FsSnapshot *self);
void        fs_snapshot_unref (FsSnapshot *self);
/* A new snapshot like self but with no checkpoints: what a pinned run
 * keeps (its logs and traces by reference, W and H copied). */
FsSnapshot *fs_snapshot_copy_for_pin (const FsSnapshot *self);
/* A new snapshot like self whose W, H, iteration and cost are those of
 * its checkpoint index (replay): the views show it as they show any. */
FsSnapshot *fs_snapshot_new_at_checkpoint (const FsSnapshot *self,
                                           guint             index);

typedef struct _FsRunner FsRunner;

FsRunner   *fs_runner_new          (FsMatrix       *X,
                                    const FsParams *params,
                                    GError        **error);
void        fs_runner_free         (FsRunner       *self);
void        fs_runner_run          (FsRunner       *self);
void        fs_runner_pause        (FsRunner       *self);
void        fs_runner_step         (FsRunner       *self,
                                    guint64         n);
void        fs_runner_reset        (FsRunner       *self);
gboolean    fs_runner_set_params   (FsRunner       *self,
                                    const FsParams *params,
                                    GError        **error);
void        fs_runner_set_lr       (FsRunner       *self,
                                    double          lr);
void        fs_runner_set_pace     (FsRunner       *self,
                                    double          iterations_per_second);
double      fs_runner_get_pace     (FsRunner       *self);
void        fs_runner_stop         (FsRunner       *self);
FsSnapshot *fs_runner_get_snapshot (FsRunner       *self);
guint64     fs_runner_get_commands_sent (FsRunner  *self);
guint64     fs_runner_get_factor_allocations (FsRunner *self);
gboolean    fs_runner_wait         (FsRunner       *self,
                                    guint64         after_serial,
                                    gint64          timeout_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSnapshot, fs_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsRunner, fs_runner_free)

G_END_DECLS
