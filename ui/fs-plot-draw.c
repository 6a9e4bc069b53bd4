/* fs-plot-draw.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-plot"

#include <math.h>

#include "fs-plot-draw.h"

const GdkRGBA fs_plot_accent = { 0.21, 0.52, 0.89, 1.0 };

/* The texts recorded for an SVG export, or NULL (fs-plot-draw.h). */
static GArray *recorded_runs;
static GArray *recorded_starts;
static guint text_mode;
static guint text_serial;

/* The marker's red and blue: an unlikely pair, with alpha 0 so that the
 * marker is invisible wherever it is drawn. */
#define MARKER_TAG 0.0078125f

void
fs_plot_text_run_clear (FsPlotTextRun *run)
{
  g_clear_pointer (&run->text, g_free);
  g_clear_pointer (&run->family, g_free);
}

void
fs_plot_text_begin_recording (GArray *runs,
                              GArray *starts)
{
  g_return_if_fail (runs != NULL && starts != NULL);
  g_return_if_fail (recorded_runs == NULL);

  recorded_runs = runs;
  recorded_starts = starts;
  /* Never 0, which is the mode of drawing for the screen. */
  text_serial = MAX (text_serial + 1, 1);
  text_mode = text_serial;
}

void
fs_plot_text_end_recording (void)
{
  guint end;

  g_return_if_fail (recorded_runs != NULL);

  end = recorded_runs->len;
  g_array_append_val (recorded_starts, end);
  recorded_runs = NULL;
  recorded_starts = NULL;
  text_mode = 0;
}

guint
fs_plot_text_get_mode (void)
{
  return text_mode;
}

gboolean
fs_plot_text_marker_index (GskRenderNode *node,
                           guint         *index)
{
  const GdkRGBA *colour;

  if (gsk_render_node_get_node_type (node) != GSK_COLOR_NODE)
    return FALSE;
  colour = gsk_color_node_get_color (node);
  if (colour->alpha != 0.0f || colour->red != MARKER_TAG || colour->blue != MARKER_TAG)
    return FALSE;
  *index = (guint) colour->green;
  return TRUE;
}

/* An ellipsized line's last run holds the ellipsis's glyph for the text it
 * stands for. */
static char *
run_text (PangoLayout    *layout,
          PangoLayoutRun *run)
{
  const char *text = pango_layout_get_text (layout);

  if (pango_layout_is_ellipsized (layout) && run->glyphs->num_glyphs < run->item->num_chars)
    return g_strdup ("…");
  return g_strndup (text + run->item->offset, run->item->length);
}

static void
record_run (PangoLayout     *layout,
            PangoLayoutIter *iter,
            const GdkRGBA   *colour)
{
  PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
  PangoFontDescription *font;
  PangoRectangle logical;
  FsPlotTextRun r = { 0 };

  if (run == NULL)
    return;
  r.text = run_text (layout, run);
  if (*g_strchomp (r.text) == '\0')
    {
      g_free (r.text);
      return;
    }
  pango_layout_iter_get_run_extents (iter, NULL, &logical);
  font = pango_font_describe_with_absolute_size (run->item->analysis.font);
  r.family = g_strdup (pango_font_description_get_family (font));
  r.x = (double) logical.x / PANGO_SCALE;
  r.baseline = (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE;
  r.width = (double) logical.width / PANGO_SCALE;
  r.size = (double) pango_font_description_get_size (font) / PANGO_SCALE;
  r.weight = (int) pango_font_description_get_weight (font);
  r.italic = pango_font_description_get_style (font) != PANGO_STYLE_NORMAL;
  r.colour = *colour;
  pango_font_description_free (font);
  g_array_append_val (recorded_runs, r);
}

/* Records the layout's runs, and puts the marker of their index at the
 * layout's corner. */
static void
record_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               const GdkRGBA *colour)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  guint index = recorded_starts->len;
  guint first = recorded_runs->len;

  g_array_append_val (recorded_starts, first);
  do
    record_run (layout, iter, colour);
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { MARKER_TAG, (float) index, MARKER_TAG, 0.0f },
                             &GRAPHENE_RECT_INIT (0, 0, 1, 1));
}

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
  if (recorded_runs != NULL)
    record_layout (snapshot, layout, colour);
  else
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
