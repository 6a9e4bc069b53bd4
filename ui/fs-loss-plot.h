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

G_END_DECLS
