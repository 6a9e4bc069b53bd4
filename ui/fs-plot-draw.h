/* fs-plot-draw.h: drawing pieces the plots share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Adwaita's blue 3: the live run, the points and the marks in every plot. */
extern const GdkRGBA fs_plot_accent;

/* Where value v is drawn on a plot's y axis. */
typedef double (*FsPlotValueToY) (gpointer plot,
                                  double   value);

typedef struct
{
  double left;
  double top;
  double right;
  double bottom;
} FsPlotArea;

void fs_plot_append_layout (GtkSnapshot      *snapshot,
                            PangoLayout      *layout,
                            double            x,
                            double            y,
                            const GdkRGBA    *colour);
void fs_plot_stroke_frame  (cairo_t          *cr,
                            const GdkRGBA    *fg,
                            const FsPlotArea *area,
                            const double     *y_ticks,
                            guint             n_y_ticks,
                            FsPlotValueToY    value_to_y,
                            gpointer          plot,
                            double            tick);

G_END_DECLS
