/* fs-export.c: plots and maps as PNG, SVG or PDF pictures.
 *
 * Each widget is allocated the size of its area for a moment (divided by
 * a whole scale when the area is twice its size on screen or more), draws
 * into a GtkSnapshot with its own snapshot function, and is given its own
 * size back; the node is drawn by GSK's cairo code onto an image, SVG or PDF
 * surface. Cairo 1.16's SVG surface writes glyphs as outlines, so for SVG
 * the widgets' texts are recorded apart (fs_plot_append_layout) and
 * written as <text> elements where their markers are found in the nodes.
 * Cairo 1.16's SVG surface also leaks what it makes to draw a recording
 * surface (every cairo node of the plots) and the recording surfaces
 * themselves, a few kilobytes an export: a bug of that cairo, which has
 * no other way to draw them as vectors. Under LeakSanitizer, what is
 * allocated while the SVG is drawn is left out of the leak check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-export"

#include <glib/gi18n.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <string.h>

/* LeakSanitizer's interface, where the build has it (gcc defines
 * __SANITIZE_ADDRESS__, clang has __has_feature). */
#if defined(__SANITIZE_ADDRESS__)
#define FS_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FS_HAVE_LSAN 1
#endif
#endif
#ifdef FS_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-export.h"
#include "fs-plot-draw.h"

/* Larger pictures take more memory than a user expects to give a plot. */
#define MAX_SIDE 16384

gboolean
fs_image_format_from_path (const char    *path,
                           FsImageFormat *format,
                           GError       **error)
{
  g_autofree char *base = NULL;
  const char *dot;

  g_return_val_if_fail (path != NULL && format != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  base = g_path_get_basename (path);
  dot = strrchr (base, '.');
  if (dot != NULL && g_ascii_strcasecmp (dot, ".png") == 0)
    *format = FS_IMAGE_PNG;
  else if (dot != NULL && g_ascii_strcasecmp (dot, ".svg") == 0)
    *format = FS_IMAGE_SVG;
  else if (dot != NULL && g_ascii_strcasecmp (dot, ".pdf") == 0)
    *format = FS_IMAGE_PDF;
  else
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Cannot tell the image format of “%s”: end its name with .png, .svg or .pdf"),
                   base);
      return FALSE;
    }
  return TRUE;
}

/* A picture shows the data, not where the pointer happens to be: each of
 * the widget's motion controllers says the pointer left, which clears
 * the hover readouts, lines and highlights our widgets draw. The next
 * motion brings them back. */
static void
forget_pointer (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "leave");
    }
}

/* The widget's own drawing at width x height. Our widgets keep their size
 * and the caches that depend on it in size_allocate, which is called here
 * as GTK would; restore_size () gives them their own size back. */
static GskRenderNode *
snapshot_at_size (GtkWidget *widget,
                  int        width,
                  int        height)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  forget_pointer (widget);
  GTK_WIDGET_GET_CLASS (widget)->size_allocate (widget, width, height, -1);
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  return gtk_snapshot_free_to_node (snapshot);
}

static void
restore_size (GtkWidget *widget,
              int        width,
              int        height)
{
  GTK_WIDGET_GET_CLASS (widget)->size_allocate (widget, width, height, -1);
  gtk_widget_queue_draw (widget);
}

/* The theme's view background (white in the light theme), so that the
 * picture looks as on screen, on a slide too. */
static GdkRGBA
background (GtkWidget *widget)
{
  GdkRGBA bg = { 1.0, 1.0, 1.0, 1.0 };

  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "view_bg_color", &bg))
    bg = (GdkRGBA) { 1.0, 1.0, 1.0, 1.0 };
  bg.alpha = 1.0;
  return bg;
}

/* The largest whole scale at which the widget, laid out for its area,
 * is still as large as on screen: a plot in a picture for a slide looks
 * as on screen, enlarged, its text in proportion, with room to spare. */
static int
whole_scale (GtkWidget *widget,
             int        width,
             int        height)
{
  int real_width = gtk_widget_get_width (widget);
  int real_height = gtk_widget_get_height (widget);

  if (real_width <= 0 || real_height <= 0)
    return 1;
  return MAX (MIN (width / real_width, height / real_height), 1);
}

/* A label (a view's map titles) as text, placed in its area as GTK places
 * it: through fs_plot_append_layout, so that it stays text in an SVG. */
static void
append_label (GtkSnapshot           *snapshot,
              GtkLabel              *label,
              const graphene_rect_t *area)
{
  GtkWidget *widget = GTK_WIDGET (label);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, gtk_label_get_text (label));
  GdkRGBA colour;
  int w, h;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &colour);
  pango_layout_get_pixel_size (layout, &w, &h);
  fs_plot_append_layout (snapshot, layout,
                         round (area->origin.x + (area->size.width - w) * gtk_label_get_xalign (label)),
                         round (area->origin.y + (area->size.height - h) / 2.0), &colour);
}

/* Every widget's drawing in its area, over the background; labels as
 * their text. */
static GskRenderNode *
compose (GtkWidget * const     *widgets,
         const graphene_rect_t *areas,
         guint                  n,
         int                    width,
         int                    height)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GdkRGBA bg = background (widgets[0]);

  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (guint i = 0; i < n; i++)
    {
      if (GTK_IS_LABEL (widgets[i]))
        {
          append_label (snapshot, GTK_LABEL (widgets[i]), &areas[i]);
          continue;
        }
      int w = MAX ((int) (areas[i].size.width + 0.5), 1);
      int h = MAX ((int) (areas[i].size.height + 0.5), 1);
      int scale = whole_scale (widgets[i], w, h);
      GskRenderNode *node = snapshot_at_size (widgets[i], w / scale, h / scale);

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((int) (areas[i].origin.x + 0.5),
                                                              (int) (areas[i].origin.y + 0.5)));
      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
      gtk_snapshot_scale (snapshot, scale, scale);
      if (node != NULL)
        gtk_snapshot_append_node (snapshot, node);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_restore (snapshot);
      g_clear_pointer (&node, gsk_render_node_unref);
    }
  return gtk_snapshot_free_to_node (snapshot);
}

static cairo_status_t
append_to_bytes (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* ---- SVG: the texts as <text> ---- */

typedef struct
{
  cairo_t *cr;
  GArray  *runs;      /* FsPlotTextRun */
  GArray  *starts;    /* guint: each text's first run, and the end */
  GString *texts;     /* the <text> elements */
  double   opacity;
  /* The groups painted: cairo 1.16's SVG surface leaks a source
   * destroyed before the surface is finished. */
  GPtrArray *groups;  /* cairo_pattern_t */
} Walk;

static void
append_number (GString *out,
               double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  /* Never a decimal comma, whatever the locale. */
  g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

static void
append_attribute (GString    *out,
                  const char *name,
                  double      value)
{
  g_string_append_printf (out, " %s=\"", name);
  append_number (out, value);
  g_string_append_c (out, '"');
}

/* The font and colour attributes of a run. */
static void
append_style (GString             *out,
              const FsPlotTextRun *run,
              double               opacity)
{
  g_autofree char *family = g_markup_escape_text (run->family != NULL ? run->family : "sans-serif", -1);

  g_string_append_printf (out, " font-family=\"%s, sans-serif\"", family);
  append_attribute (out, "font-size", run->size);
  if (run->weight != PANGO_WEIGHT_NORMAL)
    g_string_append_printf (out, " font-weight=\"%d\"", run->weight);
  if (run->italic)
    g_string_append (out, " font-style=\"italic\"");
  g_string_append_printf (out, " fill=\"#%02x%02x%02x\"",
                          (int) (CLAMP (run->colour.red, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (run->colour.green, 0, 1) * 255 + 0.5),
                          (int) (CLAMP (run->colour.blue, 0, 1) * 255 + 0.5));
  if (run->colour.alpha * opacity < 1.0)
    append_attribute (out, "fill-opacity", run->colour.alpha * opacity);
}

/* A <text> for each run of the index-th text, whose marker node is at
 * the current cairo transform. */
static void
write_text (Walk          *walk,
            GskRenderNode *marker,
            guint          index)
{
  graphene_rect_t bounds;
  cairo_matrix_t m;
  gboolean plain;

  if (index + 1 >= walk->starts->len)
    return;
  /* The marker is a 1 x 1 square at the text's corner, scaled and moved
   * as the text would be. */
  gsk_render_node_get_bounds (marker, &bounds);
  cairo_save (walk->cr);
  cairo_translate (walk->cr, bounds.origin.x, bounds.origin.y);
  cairo_scale (walk->cr, bounds.size.width, bounds.size.height);
  cairo_get_matrix (walk->cr, &m);
  cairo_restore (walk->cr);
  plain = m.xx == 1.0 && m.yy == 1.0 && m.xy == 0.0 && m.yx == 0.0;

  for (guint r = g_array_index (walk->starts, guint, index);
       r < g_array_index (walk->starts, guint, index + 1); r++)
    {
      const FsPlotTextRun *run = &g_array_index (walk->runs, FsPlotTextRun, r);
      g_autofree char *text = g_markup_escape_text (run->text, -1);

      g_string_append (walk->texts, "<text xml:space=\"preserve\"");
      append_attribute (walk->texts, "x", run->x + (plain ? m.x0 : 0.0));
      append_attribute (walk->texts, "y", run->baseline + (plain ? m.y0 : 0.0));
      /* The width Pango gave it, so that a viewer's other font keeps the
       * plot's layout. */
      append_attribute (walk->texts, "textLength", run->width);
      g_string_append (walk->texts, " lengthAdjust=\"spacingAndGlyphs\"");
      append_style (walk->texts, run, walk->opacity);
      if (!plain)
        {
          g_string_append (walk->texts, " transform=\"matrix(");
          for (guint k = 0; k < 6; k++)
            {
              const double v[6] = { m.xx, m.yx, m.xy, m.yy, m.x0, m.y0 };

              if (k > 0)
                g_string_append_c (walk->texts, ' ');
              append_number (walk->texts, v[k]);
            }
          g_string_append (walk->texts, ")\"");
        }
      g_string_append_printf (walk->texts, ">%s</text>\n", text);
    }
}

static void walk_node (Walk          *walk,
                       GskRenderNode *node);

/* A transform GSK's cairo code can draw: 2D. */
static gboolean
walk_transform (Walk          *walk,
                GskRenderNode *node)
{
  GskTransform *transform = gsk_transform_node_get_transform (node);
  float xx, yx, xy, yy, dx, dy;
  cairo_matrix_t m;

  if (gsk_transform_get_category (transform) < GSK_TRANSFORM_CATEGORY_2D)
    return FALSE;
  gsk_transform_to_2d (transform, &xx, &yx, &xy, &yy, &dx, &dy);
  cairo_matrix_init (&m, xx, yx, xy, yy, dx, dy);
  cairo_save (walk->cr);
  cairo_transform (walk->cr, &m);
  walk_node (walk, gsk_transform_node_get_child (node));
  cairo_restore (walk->cr);
  return TRUE;
}

static void
walk_clip (Walk          *walk,
           GskRenderNode *node)
{
  const graphene_rect_t *clip = gsk_clip_node_get_clip (node);

  cairo_save (walk->cr);
  cairo_rectangle (walk->cr, clip->origin.x, clip->origin.y, clip->size.width, clip->size.height);
  cairo_clip (walk->cr);
  walk_node (walk, gsk_clip_node_get_child (node));
  cairo_restore (walk->cr);
}

static void
walk_opacity (Walk          *walk,
              GskRenderNode *node)
{
  double opacity = walk->opacity;
  double alpha = gsk_opacity_node_get_opacity (node);

  cairo_pattern_t *group;

  walk->opacity = opacity * alpha;
  cairo_push_group (walk->cr);
  walk_node (walk, gsk_opacity_node_get_child (node));
  group = cairo_pop_group (walk->cr);
  g_ptr_array_add (walk->groups, group);
  cairo_set_source (walk->cr, group);
  cairo_paint_with_alpha (walk->cr, alpha);
  walk->opacity = opacity;
}

/* Draws the node as GSK would, but for the texts' markers, whose texts
 * are written down instead; the nodes that hold others are walked into
 * with their transform, clip and opacity. Texts inside other kinds of
 * node would be lost: our widgets put none there. */
static void
walk_node (Walk          *walk,
           GskRenderNode *node)
{
  guint index;

  switch ((int) gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        walk_node (walk, gsk_container_node_get_child (node, i));
      return;
    case GSK_TRANSFORM_NODE:
      if (walk_transform (walk, node))
        return;
      break;
    case GSK_CLIP_NODE:
      walk_clip (walk, node);
      return;
    case GSK_OPACITY_NODE:
      walk_opacity (walk, node);
      return;
    case GSK_DEBUG_NODE:
      walk_node (walk, gsk_debug_node_get_child (node));
      return;
    case GSK_COLOR_NODE:
      if (fs_plot_text_marker_index (node, &index))
        {
          write_text (walk, node, index);
          return;
        }
      break;
    default:
      break;
    }
  gsk_render_node_draw (node, walk->cr);
}

/* Cairo's SVG with the texts put in before its end. */
static GBytes *
insert_texts (GByteArray *svg,
              GString    *texts,
              GError    **error)
{
  g_autoptr(GString) out = NULL;
  const char *end;

  g_byte_array_append (svg, (const guint8 *) "", 1);
  end = g_strrstr ((const char *) svg->data, "</svg>");
  if (end == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_IO, _("Cairo wrote no SVG document"));
      return NULL;
    }
  out = g_string_new_len ((const char *) svg->data, end - (const char *) svg->data);
  g_string_append (out, "<g id=\"texts\">\n");
  g_string_append_len (out, texts->str, texts->len);
  g_string_append (out, "</g>\n");
  g_string_append (out, end);
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* ---- Surfaces ---- */

static gboolean
check_status (cairo_status_t status,
              GError       **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, FS_ERROR, FS_ERROR_IO, _("Could not draw the picture: %s"),
               cairo_status_to_string (status));
  return FALSE;
}

static GBytes *
draw_png (GskRenderNode *node,
          int            width,
          int            height,
          GError       **error)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png_stream (surface, append_to_bytes, out);
  cairo_surface_destroy (surface);
  if (!check_status (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
draw_pdf (GskRenderNode *node,
          int            width,
          int            height,
          GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (append_to_bytes, out, width, height);
  cairo_t *cr = cairo_create (surface);
  cairo_status_t status;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Factorscope");
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (!check_status (status, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
draw_svg (GskRenderNode *node,
          int            width,
          int            height,
          GArray        *runs,
          GArray        *starts,
          GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GString) texts = g_string_new (NULL);
  cairo_surface_t *surface = cairo_svg_surface_create_for_stream (append_to_bytes, out, width, height);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_pattern_destroy);
  Walk walk = { NULL, runs, starts, texts, 1.0, groups };
  cairo_status_t status;

  /* Pixels, as the plots are drawn in. */
  cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
#ifdef FS_HAVE_LSAN
  /* Cairo's leak (see the top of the file), not ours. */
  __lsan_disable ();
#endif
  walk.cr = cairo_create (surface);
  walk_node (&walk, node);
  cairo_destroy (walk.cr);
  cairo_surface_finish (surface);
#ifdef FS_HAVE_LSAN
  __lsan_enable ();
#endif
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (!check_status (status, error))
    return NULL;
  return insert_texts (out, texts, error);
}

static gboolean
check_request (GtkWidget * const     *widgets,
               guint                  n,
               int                    width,
               int                    height,
               GError               **error)
{
  if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE)
    {
      g_autofree char *w = fs_error_number_text ((guint64) MAX (width, 0));
      g_autofree char *h = fs_error_number_text ((guint64) MAX (height, 0));
      g_autofree char *max = fs_error_number_text (MAX_SIDE);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("A picture of %s × %s pixels cannot be made: each side must be 1 to %s"),
                   w, h, max);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (GTK_IS_WIDGET (widgets[i]), FALSE);
  return TRUE;
}

GBytes *
fs_export_render (GtkWidget * const     *widgets,
                  const graphene_rect_t *areas,
                  guint                  n,
                  int                    width,
                  int                    height,
                  FsImageFormat          format,
                  GError               **error)
{
  g_autoptr(GArray) runs = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autofree int *sizes = NULL;
  GskRenderNode *node;
  GBytes *bytes = NULL;

  g_return_val_if_fail (widgets != NULL && areas != NULL && n > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_request (widgets, n, width, height, error))
    return NULL;

  sizes = g_new (int, 2 * n);
  for (guint i = 0; i < n; i++)
    {
      sizes[2 * i] = gtk_widget_get_width (widgets[i]);
      sizes[2 * i + 1] = gtk_widget_get_height (widgets[i]);
    }
  if (format == FS_IMAGE_SVG)
    {
      runs = g_array_new (FALSE, TRUE, sizeof (FsPlotTextRun));
      g_array_set_clear_func (runs, (GDestroyNotify) fs_plot_text_run_clear);
      starts = g_array_new (FALSE, FALSE, sizeof (guint));
      fs_plot_text_begin_recording (runs, starts);
    }
  node = compose (widgets, areas, n, width, height);
  if (format == FS_IMAGE_SVG)
    fs_plot_text_end_recording ();
  for (guint i = 0; i < n; i++)
    restore_size (widgets[i], sizes[2 * i], sizes[2 * i + 1]);

  switch (format)
    {
    case FS_IMAGE_PNG:
      bytes = draw_png (node, width, height, error);
      break;
    case FS_IMAGE_SVG:
      bytes = draw_svg (node, width, height, runs, starts, error);
      break;
    case FS_IMAGE_PDF:
    default:
      bytes = draw_pdf (node, width, height, error);
      break;
    }
  gsk_render_node_unref (node);
  return bytes;
}

gboolean
fs_export_write (GtkWidget * const     *widgets,
                 const graphene_rect_t *areas,
                 guint                  n,
                 int                    width,
                 int                    height,
                 const char            *path,
                 GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;
  FsImageFormat format;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fs_image_format_from_path (path, &format, error))
    return FALSE;
  bytes = fs_export_render (widgets, areas, n, width, height, format, error);
  if (bytes == NULL)
    return FALSE;
  return fs_csv_write_set (1, &path, &bytes, error);
}
