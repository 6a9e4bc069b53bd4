/* fs-sweep-view.h: a sweep's controls and its chart.
 *
 * FsSweepPlot draws the points of an FsSweep against the swept value (a
 * linear rank axis, or a log axis for a penalty): the final training cost
 * and f* (dashed; none where a point has none) on the left log axis, the
 * held-out MSE and the training MSE on the right log axis when the points
 * have held-out cells; each curve with a legend entry. Points not yet done
 * are hollow, the running one shows its progress (iteration / limit) as a
 * ring; failed points are crosses with their message on hover. Hovering
 * reads out the point's value and numbers; a click (or Enter on the
 * keyboard-selected point, Left/Right move between points) emits
 * "point-activated" (guint index).
 *
 * FsSweepView is the window's Sweep view: an axis choice (Rank, L2 on W
 * and H, L2 on W, L2 on H, L1 on W and H, L1 on W, L1 on H), From, To and
 * Points (rank: every integer from From to To), a Start/Cancel button, a
 * progress line ("Point 3 of 20: rank 3, iteration 1200 of 10000"), and
 * the plot. Start reads the session's matrix and settings (lr_auto when
 * the window's rate is the suggested one) and starts an FsSweep; the view
 * owns it, polls it on its frame clock, and cancels it when the session's
 * matrix changes or the view goes. Activating a done point opens a
 * popover at it with "Load" (emits "load-point") and "Keep" (emits
 * "keep-point"), both with an FsSweepPoint * that the handler must copy
 * what it needs from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-session.h"
#include "fs-sweep.h"

G_BEGIN_DECLS

#define FS_TYPE_SWEEP_PLOT (fs_sweep_plot_get_type ())
G_DECLARE_FINAL_TYPE (FsSweepPlot, fs_sweep_plot, FS, SWEEP_PLOT, GtkWidget)

GtkWidget    *fs_sweep_plot_new            (void);
/* points: n copies (fs_sweep_get_point ()), which the plot takes. */
void          fs_sweep_plot_set_points     (FsSweepPlot   *self,
                                            FsSweepAxis    axis,
                                            FsSweepPoint **points,
                                            guint          n_points);
/* Takes a newer copy of one point (point->index says which): the view
 * hands the running point's progress over at frame rate this way, without
 * copying every point each frame. */
void          fs_sweep_plot_replace_point  (FsSweepPlot   *self,
                                            FsSweepPoint  *point);
guint         fs_sweep_plot_get_n_points   (FsSweepPlot   *self);
/* Where point index's training cost is drawn, in widget coordinates;
 * FALSE when it is not drawn (not done). For tests and the popover. */
gboolean      fs_sweep_plot_get_point_position (FsSweepPlot *self,
                                                guint        index,
                                                double      *x,
                                                double      *y);
const char   *fs_sweep_plot_get_readout    (FsSweepPlot   *self);
/* The legend as drawn: "Training cost", "f*", "Held-out MSE", … */
guint         fs_sweep_plot_get_n_legend_entries (FsSweepPlot *self);
const char   *fs_sweep_plot_get_legend_entry     (FsSweepPlot *self,
                                                  guint        index);

#define FS_TYPE_SWEEP_VIEW (fs_sweep_view_get_type ())
G_DECLARE_FINAL_TYPE (FsSweepView, fs_sweep_view, FS, SWEEP_VIEW, GtkWidget)

GtkWidget    *fs_sweep_view_new            (FsSession     *session);
/* Whether the window's learning rate is its own suggestion: then each
 * point picks its own starting rate. */
void          fs_sweep_view_set_lr_auto    (FsSweepView   *self,
                                            gboolean       lr_auto);
/* Sets the controls: the axis and its range as fs_sweep_parse_values ()
 * reads it ("1:20", "1e-3:10:9"); FALSE with an error on a bad text. */
gboolean      fs_sweep_view_set_range      (FsSweepView   *self,
                                            FsSweepAxis    axis,
                                            const char    *text,
                                            GError       **error);
/* As the Start button: FALSE with an error (shown under the controls
 * too) when the settings cannot be swept. */
gboolean      fs_sweep_view_start          (FsSweepView   *self,
                                            GError       **error);
void          fs_sweep_view_cancel         (FsSweepView   *self);
/* NULL before the first Start. */
FsSweep      *fs_sweep_view_get_sweep      (FsSweepView   *self);
FsSweepPlot  *fs_sweep_view_get_plot       (FsSweepView   *self);

G_END_DECLS
