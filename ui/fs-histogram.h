/* fs-histogram.h: the spread of a factor's magnitudes.
 *
 * Draws an FsLogHistogram (fs-analysis.h): bars of log10 |value| over whole
 * decades, and the exact zeros as a bar of their own, apart on the left
 * and in a colour of their own, with its count. Hovering a bar reads out
 * its range and count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-analysis.h"

G_BEGIN_DECLS

#define FS_TYPE_HISTOGRAM (fs_histogram_get_type ())
G_DECLARE_FINAL_TYPE (FsHistogram, fs_histogram, FS, HISTOGRAM, GtkWidget)

/* title: what is counted, e.g. "W" (shown and read out). */
GtkWidget  *fs_histogram_new           (const char           *title);
/* Copies it; NULL shows nothing to count. */
void        fs_histogram_set_histogram (FsHistogram          *self,
                                        const FsLogHistogram *histogram);
/* The bar under x, y: -1 for the zeros' bar, 0 … n_bins - 1 for a
 * decade bin; FALSE when there is none. */
gboolean    fs_histogram_get_bar_at    (FsHistogram          *self,
                                        double                x,
                                        double                y,
                                        gint                 *bar);
const char *fs_histogram_get_readout   (FsHistogram          *self);

G_END_DECLS
