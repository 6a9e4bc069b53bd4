/* fs-loss-plot.h: cost against iteration, for every run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-runner.h"

G_BEGIN_DECLS

#define FS_TYPE_LOSS_PLOT (fs_loss_plot_get_type ())
G_DECLARE_FINAL_TYPE (FsLossPlot, fs_loss_plot, FS, LOSS_PLOT, GtkWidget)

GtkWidget  *fs_loss_plot_new             (void);
void        fs_loss_plot_set_snapshot    (FsLossPlot *self,
                                          FsSnapshot *snapshot);
void        fs_loss_plot_set_optimum     (FsLossPlot *self,
                                          double      optimum);
double      fs_loss_plot_get_optimum     (FsLossPlot *self);
void        fs_loss_plot_set_log_scale   (FsLossPlot *self,
                                          gboolean    log_scale);
gboolean    fs_loss_plot_get_log_scale   (FsLossPlot *self);
double      fs_loss_plot_value_to_y      (FsLossPlot *self,
                                          double      value);
double      fs_loss_plot_iteration_to_x  (FsLossPlot *self,
                                          double      iteration);
double      fs_loss_plot_x_to_iteration  (FsLossPlot *self,
                                          double      x);
guint       fs_loss_plot_get_iteration_ticks (FsLossPlot *self,
                                              double     *ticks,
                                              guint       max_ticks);
void        fs_loss_plot_set_log_iterations (FsLossPlot *self,
                                             gboolean    log_iterations);
gboolean    fs_loss_plot_get_log_iterations (FsLossPlot *self);
void        fs_loss_plot_set_marks       (FsLossPlot         *self,
                                          guint               n_marks,
                                          const guint64      *iterations,
                                          const char * const *labels);
guint       fs_loss_plot_get_n_marks     (FsLossPlot *self);
gboolean    fs_loss_plot_get_mark_label_area (FsLossPlot      *self,
                                              guint            index,
                                              graphene_rect_t *area);
const char *fs_loss_plot_get_readout     (FsLossPlot *self);
/* Extra curves from the shown run's trace (fs-trace.h): a mask of
 * 1 << FsTraceKind. A kind whose values are all 0 (a penalty that is off)
 * is left out; each curve drawn has a legend entry. */
void        fs_loss_plot_set_traces      (FsLossPlot *self,
                                          guint       mask);
guint       fs_loss_plot_get_traces      (FsLossPlot *self);
/* The kinds drawn now (set, and not all 0): a mask as above. */
guint       fs_loss_plot_get_drawn_traces (FsLossPlot *self);

G_END_DECLS
