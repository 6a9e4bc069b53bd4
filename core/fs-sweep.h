/* fs-sweep.h: the same factorization over a range of one setting.
 *
 * A sweep runs one FsFit per value of its axis (a rank, or a penalty on a
 * log grid), each with the base settings, the same seed and the same
 * held-out split, on threads of its own, and keeps each point's result.
 * A point's numbers are those of a separate run (`factorscope-cli run`
 * with the same settings) to the last bit: each point's FsFit has the
 * threads fs_params_auto_threads_for () gives it (or the base's, when set),
 * and points run two (up to the cores) at a time only when each of them
 * runs on one thread. With no learning rate of its own (lr_auto), each
 * point starts from fs_solver_get_starting_lr () of its own solver, as
 * `run` without --lr does.
 *
 * The sweep is read like the runner: fs_sweep_get_point () returns a copy
 * of a point's result as it stands, at any time, from any thread. No GTK:
 * the window waits on nothing, it polls on its frame clock or listens to a
 * GSourceFunc the caller gives (called on the GMainContext that was the
 * thread default when the sweep was started, once per finished point and
 * at the end).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-cost-log.h"
#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-runner.h"
#include "fs-trace.h"

G_BEGIN_DECLS

typedef enum
{
  FS_SWEEP_RANK,
  FS_SWEEP_L2,     /* l2_w and l2_h together */
  FS_SWEEP_L2_W,
  FS_SWEEP_L2_H,
  FS_SWEEP_L1,     /* l1_w and l1_h together */
  FS_SWEEP_L1_W,
  FS_SWEEP_L1_H,
  FS_N_SWEEP_AXES
} FsSweepAxis;

/* The most points a sweep has. */
#define FS_SWEEP_MAX_POINTS 200

typedef enum
{
  FS_SWEEP_POINT_WAITING,
  FS_SWEEP_POINT_RUNNING,
  FS_SWEEP_POINT_DONE,
  FS_SWEEP_POINT_FAILED,     /* message says why (rank above the matrix's, …) */
  FS_SWEEP_POINT_CANCELLED,
} FsSweepPointState;

typedef struct
{
  guint              index;
  double             value;          /* the axis's value at this point */
  FsSweepPointState  state;
  FsParams           params;         /* the point's settings, lr included */
  guint64            iteration;      /* of the current run, so far */
  guint64            total_iterations; /* every run's */
  double             elapsed;        /* seconds of solver time */
  double             cost;           /* the best run's final cost (the current's while running) */
  double             optimum;        /* f* for the point (of the full data); NaN when none */
  double             train_mse;
  double             holdout_mse;    /* NaN without held-out cells */
  double             zeros_w;        /* shares in [0, 1] */
  double             zeros_h;
  FsStop             stop;
  char              *message;        /* the stop's or failure's message, or NULL */
  guint              threads;        /* the solver threads the point ran on */
  /* Done points only: the best run's cost log and trace (by reference,
   * lengths as at the end) and its W (rows × rank) and H. */
  FsCostLog         *log;
  gsize              log_length;
  FsTrace           *trace;
  gsize              trace_length;
  gsize              rows;
  gsize              cols;
  double            *W;
  double            *H;
} FsSweepPoint;

void          fs_sweep_point_free     (FsSweepPoint   *point);
/* A finished snapshot of a done point (one run: its log, trace, W, H,
 * settings, MSEs; no checkpoints), for a pin and the views. */
FsSnapshot   *fs_sweep_point_to_snapshot (const FsSweepPoint *point);

typedef struct _FsSweep FsSweep;

/* Parses "1:20" (a rank range, every integer) or "1e-3:10:9" (a log grid
 * of 9 values from 1e-3 to 10, both included; "0.1" alone is one value).
 * Ranks need integers ≥ 1; penalties need values ≥ 0 and, on a log grid,
 * > 0. The error names the text and what is wrong with it. */
gboolean      fs_sweep_parse_values   (FsSweepAxis     axis,
                                       const char     *text,
                                       GArray        **values,
                                       GError        **error);
const char   *fs_sweep_axis_to_string (FsSweepAxis     axis);   /* "rank", "l2", "l2_w", … */
const char   *fs_sweep_axis_get_label (FsSweepAxis     axis);   /* translated: "Rank", "L2 on W and H", … */
gboolean      fs_sweep_axis_is_log    (FsSweepAxis     axis);
/* params with the axis set to value. */
void          fs_sweep_apply          (FsSweepAxis     axis,
                                       double          value,
                                       FsParams       *params);

/* Checks every point's settings against X (fs_params_validate) before
 * anything runs: NULL with the first point's error otherwise. lr_auto:
 * each point picks its own starting rate. */
FsSweep      *fs_sweep_new            (FsMatrix       *X,
                                       const FsParams *base,
                                       gboolean        lr_auto,
                                       FsSweepAxis     axis,
                                       const double   *values,
                                       guint           n_values,
                                       GError        **error);
/* Starts the points on threads of the sweep's own; changed (may be NULL)
 * is called on the caller's thread-default main context after each point
 * ends and once more when all have (it must not free the sweep). */
void          fs_sweep_start          (FsSweep        *self,
                                       GSourceFunc     changed,
                                       gpointer        data);
/* Stops the running points after their current iteration; the waiting
 * ones never start. Returns at once. */
void          fs_sweep_cancel         (FsSweep        *self);
/* Blocks until every point has ended (for the CLI and tests). */
void          fs_sweep_wait           (FsSweep        *self);
gboolean      fs_sweep_is_done        (FsSweep        *self);
FsSweepAxis   fs_sweep_get_axis       (FsSweep        *self);
guint         fs_sweep_get_n_points   (FsSweep        *self);
/* A copy of point index as it stands now: free it with
 * fs_sweep_point_free (). */
FsSweepPoint *fs_sweep_get_point      (FsSweep        *self,
                                       guint           index);
/* The same without W and H (NULL): what a chart needs, at no copy of the
 * factors. */
FsSweepPoint *fs_sweep_get_point_numbers (FsSweep      *self,
                                          guint         index);
/* Cancels, joins the threads and frees. */
void          fs_sweep_free           (FsSweep        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSweep, fs_sweep_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSweepPoint, fs_sweep_point_free)

G_END_DECLS
