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

/* Pinned runs, drawn as ghosts behind the live curves: each ghost's shown
 * run (the best one once its runs are done, else its current one) in its
 * own colour, thinner and translucent, with a legend entry in that colour
 * reading its label ("rank 6, L2 0.1"). Hidden ghosts are neither drawn
 * nor listed. The plot's ranges take the visible ghosts in. The plot
 * keeps its own references and copies of the labels. */
typedef struct
{
  FsSnapshot *snapshot;
  const char *label;
  GdkRGBA     colour;
  gboolean    visible;
} FsLossPlotGhost;

void        fs_loss_plot_set_ghosts      (FsLossPlot            *self,
                                          const FsLossPlotGhost *ghosts,
                                          guint                  n_ghosts);
/* The legend as drawn, top to bottom (the live run's entry, then the term
 * curves', then the visible ghosts'): for tests and the accessible
 * description, which lists them. */
guint       fs_loss_plot_get_n_legend_entries (FsLossPlot *self);
const char *fs_loss_plot_get_legend_entry     (FsLossPlot *self,
                                               guint       index);
/* The f* line's label, "f*" by default; for a held-out run the window
 * sets "f* of the full data" and the plot then writes no gap. */
void        fs_loss_plot_set_optimum_label (FsLossPlot *self,
                                            const char *label,
                                            gboolean    show_gap);
/* A vertical line at iteration (replay: the iteration the views show), or
 * none for a negative value. */
void        fs_loss_plot_set_cursor      (FsLossPlot *self,
                                          double      iteration);

G_END_DECLS
