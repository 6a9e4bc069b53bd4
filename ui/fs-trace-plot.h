/* fs-trace-plot.h: a small chart of trace values over iterations.
 *
 * Draws some kinds of the shown run's trace (fs-trace.h) from a snapshot:
 * shares (zeros, small values) on a linear 0 … 100% axis, anything else on
 * a log axis; the iteration axis linear or logarithmic like the loss
 * plot's. Each kind has a legend entry; the last value is written at the
 * end of its line. Hovering reads out the iteration and the values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-runner.h"

G_BEGIN_DECLS

#define FS_TYPE_TRACE_PLOT (fs_trace_plot_get_type ())
G_DECLARE_FINAL_TYPE (FsTracePlot, fs_trace_plot, FS, TRACE_PLOT, GtkWidget)

/* title: shown above the chart and read out, e.g. "Zeros in W". */
GtkWidget  *fs_trace_plot_new               (const char  *title);
/* A mask of 1 << FsTraceKind; shares and other kinds are not mixed. */
void        fs_trace_plot_set_kinds         (FsTracePlot *self,
                                             guint        kinds);
guint       fs_trace_plot_get_kinds         (FsTracePlot *self);
void        fs_trace_plot_set_snapshot      (FsTracePlot *self,
                                             FsSnapshot  *snapshot);
void        fs_trace_plot_set_log_iterations (FsTracePlot *self,
                                              gboolean     log_iterations);
const char *fs_trace_plot_get_readout       (FsTracePlot *self);

G_END_DECLS
