/* fs-trace.h: what a run's cost is made of, over its iterations.
 *
 * Beside its cost log, each run keeps a trace: the cost's terms, the norms
 * of W, H and the gradient, and the share of zeros in W and H, at the
 * iterations fs_trace_wants () picks: every one of the first
 * FS_TRACE_DENSE, then every 2nd up to twice that, every 4th up to four
 * times that, and so on, so that a trace grows with the logarithm of a long
 * run and never drops a point. Like FsCostLog it is append-only: one thread
 * appends, others read below a length handed to them in a snapshot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-cost-log.h"

G_BEGIN_DECLS

#define FS_TRACE_DENSE 4096

typedef enum
{
  FS_TRACE_DATA,       /* sum over observed cells of (X - WH)^2 */
  FS_TRACE_L2_W,       /* l2_w ||W||_F^2 */
  FS_TRACE_L2_H,       /* l2_h ||H||_F^2 */
  FS_TRACE_L1_W,       /* l1_w ||W||_1 */
  FS_TRACE_L1_H,       /* l1_h ||H||_1 */
  FS_TRACE_NORM_W,     /* ||W||_F */
  FS_TRACE_NORM_H,     /* ||H||_F */
  FS_TRACE_GRAD_NORM,  /* sqrt (||G_W||_F^2 + ||G_H||_F^2) */
  FS_TRACE_ZEROS_W,    /* share of entries of W that are exactly 0, in [0, 1] */
  FS_TRACE_ZEROS_H,
  FS_TRACE_SMALL_W,    /* share with |w| <= FS_SMALL_RELATIVE max |W|, zeros included */
  FS_TRACE_SMALL_H,
  FS_TRACE_TRAIN_MSE,   /* the data term over the cells trained on / their count */
  FS_TRACE_HOLDOUT_MSE, /* Σ over held-out cells of (X - WH)² / their count; NaN without */
  FS_N_TRACES
} FsTraceKind;

typedef struct _FsTrace FsTrace;

FsTrace    *fs_trace_new            (void);
FsTrace    *fs_trace_ref            (FsTrace       *self);
void        fs_trace_unref          (FsTrace       *self);
gboolean    fs_trace_wants          (guint64        iteration);
gboolean    fs_trace_append         (FsTrace       *self,
                                     guint64        iteration,
                                     const double   values[FS_N_TRACES]);
gsize       fs_trace_get_length     (const FsTrace *self);
guint64     fs_trace_get_iteration  (const FsTrace *self,
                                     gsize          index);
double      fs_trace_get            (const FsTrace *self,
                                     FsTraceKind    kind,
                                     gsize          index);
/* The kind's values as a log (index i is at fs_trace_get_iteration (i)),
 * for fs_min_max_index_new () and fs_cost_log_copy_range (). */
FsCostLog  *fs_trace_get_log        (const FsTrace *self,
                                     FsTraceKind    kind);
/* The index of the point nearest iteration among the first len. */
gsize       fs_trace_find_nearest   (const FsTrace *self,
                                     gsize          len,
                                     double         iteration);
/* Short, translated: "Data term", "L2 on W", "‖W‖", "Gradient norm",
 * "Zeros in W", … */
const char *fs_trace_kind_get_label (FsTraceKind    kind);
/* "data", "l2_w", "l2_h", "l1_w", "l1_h", "norm_w", "norm_h", "grad_norm",
 * "zeros_w", "zeros_h", "small_w", "small_h", "train_mse", "holdout_mse":
 * JSON keys and CSV headers. */
const char *fs_trace_kind_get_name  (FsTraceKind    kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsTrace, fs_trace_unref)

G_END_DECLS
