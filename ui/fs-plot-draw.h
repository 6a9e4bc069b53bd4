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

/* Every text a plot draws goes through here, so that an SVG export can
 * keep it as text (fs-export.c). */
void fs_plot_append_layout (GtkSnapshot      *snapshot,
                            PangoLayout      *layout,
                            double            x,
                            double            y,
                            const GdkRGBA    *colour);

/* One glyph run of a recorded text: where its baseline starts, relative
 * to the text's top-left corner, and how it looks. */
typedef struct
{
  char    *text;
  char    *family;
  double   x;
  double   baseline;
  double   width;       /* its logical width, which the SVG keeps */
  double   size;        /* pixels */
  int      weight;
  gboolean italic;
  GdkRGBA  colour;
} FsPlotTextRun;

/* While texts are recorded, fs_plot_append_layout draws no text but an
 * invisible marker at the text's corner, whose node
 * fs_plot_text_marker_index () finds; the text's runs are appended to
 * runs (FsPlotTextRun), the marker's index to starts (guint, the first
 * run of each text, with one more entry at the end). Widgets that cache
 * nodes holding text compare fs_plot_text_get_mode () with the mode
 * they were built in. */
void     fs_plot_text_begin_recording (GArray        *runs,
                                       GArray        *starts);
void     fs_plot_text_end_recording   (void);
guint    fs_plot_text_get_mode        (void);
gboolean fs_plot_text_marker_index    (GskRenderNode *node,
                                       guint         *index);
void     fs_plot_text_run_clear       (FsPlotTextRun *run);
void fs_plot_stroke_frame  (cairo_t          *cr,
                            const GdkRGBA    *fg,
                            const FsPlotArea *area,
                            const double     *y_ticks,
                            guint             n_y_ticks,
                            FsPlotValueToY    value_to_y,
                            gpointer          plot,
                            double            tick);

G_END_DECLS
