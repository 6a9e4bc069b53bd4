/* fs-export.h: plots and maps as PNG, SVG or PDF pictures, drawn by the
 * code that draws them on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  FS_IMAGE_PNG,
  FS_IMAGE_SVG,
  FS_IMAGE_PDF,
} FsImageFormat;

/* The format a file name's extension asks for (any case); FALSE with an
 * error for none or another. */
gboolean  fs_image_format_from_path (const char             *path,
                                     FsImageFormat          *format,
                                     GError                **error);

/* n leaf drawing widgets (FsLossPlot, FsHeatmap, FsAtomGallery,
 * FsSpectrum, FsTracePlot, FsSweepPlot, FsCodeView, FsHistogram) or
 * GtkLabels (a view's titles: drawn as their text, which stays text in an
 * SVG), each
 * drawn at the size of its area (in picture pixels) into a width x height
 * picture over the theme's view background. The widgets are allocated
 * that size for a moment and given their own back; an area k times as
 * large as the widget on screen or more is laid out at 1/k of its size
 * and drawn k times larger, so that text keeps its proportion. */
GBytes   *fs_export_render          (GtkWidget * const      *widgets,
                                     const graphene_rect_t  *areas,
                                     guint                   n,
                                     int                     width,
                                     int                     height,
                                     FsImageFormat           format,
                                     GError                **error);
/* The same written to path, in the format of its extension, atomically:
 * a failed write leaves the file that was there. */
gboolean  fs_export_write           (GtkWidget * const      *widgets,
                                     const graphene_rect_t  *areas,
                                     guint                   n,
                                     int                     width,
                                     int                     height,
                                     const char             *path,
                                     GError                **error);

G_END_DECLS
