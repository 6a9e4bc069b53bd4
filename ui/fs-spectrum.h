/* fs-spectrum.h: the singular values of X and of W H, on a log axis.
 *
 * X's (the top min (n, m, 3r) at least) as grey points joined by a line,
 * W H's (r of them, live) as points in the accent colour, the shrinkage
 * threshold sqrt (l2_w l2_h) as a dashed horizontal line (when it is not
 * 0), and the rank cut as a vertical line between r and r + 1, each in a
 * legend. Hovering an index reads out both values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FS_TYPE_SPECTRUM (fs_spectrum_get_type ())
G_DECLARE_FINAL_TYPE (FsSpectrum, fs_spectrum, FS, SPECTRUM, GtkWidget)

GtkWidget  *fs_spectrum_new             (void);
/* Descending; copied. NULL or 0 values: not known (yet). */
void        fs_spectrum_set_data_values (FsSpectrum   *self,
                                         const double *values,
                                         gsize         n_values);
void        fs_spectrum_set_fit_values  (FsSpectrum   *self,
                                         const double *values,
                                         gsize         n_values);
void        fs_spectrum_set_threshold   (FsSpectrum   *self,
                                         double        threshold);
void        fs_spectrum_set_rank        (FsSpectrum   *self,
                                         guint         rank);
/* How many indices the x axis shows: max (min (n_data, 3 rank), n_fit). */
/* The fit's values as set, and how many (NULL and 0 when none). */
const double *fs_spectrum_get_fit_values (FsSpectrum  *self,
                                         gsize        *n_values);
gsize       fs_spectrum_get_n_shown     (FsSpectrum   *self);
double      fs_spectrum_value_to_y      (FsSpectrum   *self,
                                         double        value);
double      fs_spectrum_index_to_x      (FsSpectrum   *self,
                                         double        index);
const char *fs_spectrum_get_readout     (FsSpectrum   *self);

G_END_DECLS
