/* fs-plot-draw.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-plot"

#include <math.h>

#include "fs-plot-draw.h"

const GdkRGBA fs_plot_accent = { 0.21, 0.52, 0.89, 1.0 };

/* A laid-out text with its top-left corner at x, y. */
void
fs_plot_append_layout (GtkSnapshot   *snapshot,
                       PangoLayout   *layout,
                       double         x,
                       double         y,
                       const GdkRGBA *colour)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
}

/* A faint line across the area at each y tick, the left and bottom axes
 * in the text colour, and tick marks tick long left of the axis (none for
 * 0); pixel-aligned, and left on the path for the caller's x ticks. */
void
fs_plot_stroke_frame (cairo_t          *cr,
                      const GdkRGBA    *fg,
                      const FsPlotArea *area,
                      const double     *y_ticks,
                      guint             n_y_ticks,
                      FsPlotValueToY    value_to_y,
                      gpointer          plot,
                      double            tick)
{
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.12);
  for (guint t = 0; t < n_y_ticks; t++)
    {
      double y = round (value_to_y (plot, y_ticks[t])) + 0.5;

      cairo_move_to (cr, area->left, y);
      cairo_line_to (cr, area->right, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.6);
  cairo_move_to (cr, area->left + 0.5, area->top);
  cairo_line_to (cr, area->left + 0.5, area->bottom + 0.5);
  cairo_line_to (cr, area->right, area->bottom + 0.5);
  for (guint t = 0; t < n_y_ticks && tick > 0.0; t++)
    {
      double y = round (value_to_y (plot, y_ticks[t])) + 0.5;

      cairo_move_to (cr, area->left - tick, y);
      cairo_line_to (cr, area->left, y);
    }
}
