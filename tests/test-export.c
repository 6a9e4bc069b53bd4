/* test-export.c: pictures of the plots and maps from the window
 * (fs-export.c, fs-window-export.c): a PNG has the pixels the screen
 * shows, an SVG and a PDF keep the labels as text, sizes are honoured,
 * and a failed export leaves no file or the old one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fs-error.h"
#include "fs-export.h"
#include "fs-loss-plot.h"
#include "fs-test-window.h"

typedef struct
{
  FsWindow *window;
  guint64   after;   /* a snapshot serial */
} Wait;

/* The new settings' runner is shown, at iteration 0. */
static gboolean
is_ready (gpointer data)
{
  Wait *wait = data;
  FsSnapshot *s = fs_window_get_shown_snapshot (wait->window);

  return s != NULL && s->serial > wait->after && s->iteration == 0;
}

static gboolean
is_finished (gpointer data)
{
  Wait *wait = data;
  FsSnapshot *s = fs_window_get_shown_snapshot (wait->window);

  return s != NULL && s->serial > wait->after && s->state == FS_RUNNER_FINISHED && s->iteration > 0;
}

/* The low-rank example run for 300 iterations, nothing focused (a focus
 * ring is not part of a picture), everything drawn. */
static void
load_and_step (Fixture *f)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  Wait wait = { f->window, 0 };
  FsParams params;

  load_example (f, "lowrank");
  wait.after = fs_window_get_shown_snapshot (f->window)->serial;
  params = *fs_param_panel_get_params (panel);
  params.max_iters = 300;
  params.tol = 0.0;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  g_assert_true (fs_test_wait_for (is_ready, &wait, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (is_finished, &wait, 60));
  gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
  fs_test_redraw (GTK_WIDGET (f->window));
}

/* With FS_TEST_SCREENSHOTS set to a folder, an exported file is copied
 * there, to look at. */
static void
keep_copy (const char *path)
{
  const char *folder = g_getenv ("FS_TEST_SCREENSHOTS");
  g_autofree char *contents = NULL;
  g_autofree char *base = NULL;
  g_autofree char *copy = NULL;
  gsize length;

  if (folder == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  base = g_path_get_basename (path);
  copy = g_build_filename (folder, base, NULL);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) length, NULL));
}

static GtkWidget *
loss_plot (Fixture *f)
{
  GObject *plot = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW, "loss_plot");

  g_assert_nonnull (plot);
  return GTK_WIDGET (plot);
}

/* The widget as the screen shows it: its paintable's node, rendered by the
 * window's own renderer. */
static FsTestImage *
render_on_screen (Fixture   *f,
                  GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  FsTestImage *image = g_new0 (FsTestImage, 1);

  /* A widget with a draw pending renders to nothing. */
  fs_test_redraw (widget);
  image->width = gtk_widget_get_width (widget);
  image->height = gtk_widget_get_height (widget);
  image->stride = (gsize) image->width * 4;
  gdk_paintable_snapshot (paintable, snapshot, image->width, image->height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, image->width, image->height));
  image->pixels = g_malloc (image->stride * image->height);
  gdk_texture_download (texture, image->pixels, image->stride);
  gsk_render_node_unref (node);
  return image;
}

/* How many pixels of the screen's image (over the light theme's white
 * view background) differ by more than 1 in a channel from the PNG's at
 * x0, y0. */
static gsize
count_differences (const FsTestImage *screen,
                   GdkPixbuf         *png,
                   int                x0,
                   int                y0)
{
  int channels = gdk_pixbuf_get_n_channels (png);
  int stride = gdk_pixbuf_get_rowstride (png);
  const guint8 *pixels = gdk_pixbuf_read_pixels (png);
  gsize differing = 0;

  g_assert_cmpint (x0 + screen->width, <=, gdk_pixbuf_get_width (png));
  g_assert_cmpint (y0 + screen->height, <=, gdk_pixbuf_get_height (png));
  for (int y = 0; y < screen->height; y++)
    for (int x = 0; x < screen->width; x++)
      {
        const guint8 *s = screen->pixels + (gsize) y * screen->stride + (gsize) x * 4;
        const guint8 *p = pixels + (gsize) (y0 + y) * stride + (gsize) (x0 + x) * channels;

        for (int c = 0; c < 3; c++)
          {
            /* B, G, R premultiplied over white. */
            int over_white = s[2 - c] + (255 - s[3]);

            if (abs (over_white - p[c]) > 1)
              {
                differing++;
                break;
              }
          }
      }
  return differing;
}

static void
assert_png_matches (Fixture   *f,
                    GtkWidget *widget,
                    const char *what)
{
  g_autofree char *path = g_build_filename (f->dir, "picture.png", NULL);
  g_autoptr(FsTestImage) screen = render_on_screen (f, widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png = NULL;
  gsize differing;

  g_assert_true (fs_window_export_image (f->window, what, path, 0, 0, &error));
  g_assert_no_error (error);
  png = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), ==, screen->width);
  g_assert_cmpint (gdk_pixbuf_get_height (png), ==, screen->height);
  differing = count_differences (screen, png, 0, 0);
  g_test_message ("%s: %" G_GSIZE_FORMAT " of %d pixels differ", what, differing,
                  screen->width * screen->height);
  g_assert_cmpuint (differing, <=, (gsize) screen->width * screen->height / 1000);
}

static void
test_png_matches_screen (Fixture       *f,
                         gconstpointer  data)
{
  GtkWidget *map;

  load_and_step (f);
  assert_png_matches (f, loss_plot (f), "loss");
  map = GTK_WIDGET (fs_window_get_heatmap (f->window, FS_HEATMAP_X));
  assert_png_matches (f, map, "X");
}

/* The data view is the three maps where the screen has them. */
static void
test_data_view (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "data.png", NULL);
  GObject *frame = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW, "data_maps");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png = NULL;

  load_and_step (f);
  g_assert_true (fs_window_export_image (f->window, "data-view", path, 0, 0, &error));
  g_assert_no_error (error);
  keep_copy (path);
  png = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), ==, gtk_widget_get_width (GTK_WIDGET (frame)));
  for (FsHeatmapKind kind = FS_HEATMAP_X; kind <= FS_HEATMAP_RESIDUAL; kind++)
    {
      GtkWidget *map = GTK_WIDGET (fs_window_get_heatmap (f->window, kind));
      g_autoptr(FsTestImage) screen = render_on_screen (f, map);
      graphene_rect_t bounds;
      gsize differing;

      g_assert_true (gtk_widget_compute_bounds (map, GTK_WIDGET (frame), &bounds));
      differing = count_differences (screen, png, (int) bounds.origin.x, (int) bounds.origin.y);
      g_assert_cmpuint (differing, <=, (gsize) screen->width * screen->height / 1000);
    }
}

/* The curve's blue pixels between two columns. */
static gsize
count_blue (GdkPixbuf *png,
            int        x0,
            int        x1)
{
  const guint8 *pixels = gdk_pixbuf_read_pixels (png);
  int channels = gdk_pixbuf_get_n_channels (png);
  int stride = gdk_pixbuf_get_rowstride (png);
  gsize blue = 0;

  for (int y = 0; y < gdk_pixbuf_get_height (png); y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;

        blue += p[2] > 180 && p[0] < 120;
      }
  return blue;
}

static void
test_size (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "loss.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png = NULL;
  double at_100;

  load_and_step (f);
  at_100 = fs_loss_plot_iteration_to_x (FS_LOSS_PLOT (loss_plot (f)), 100);
  g_assert_true (fs_window_export_image (f->window, "loss", path, 1920, 1080, &error));
  g_assert_no_error (error);
  keep_copy (path);
  png = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), ==, 1920);
  g_assert_cmpint (gdk_pixbuf_get_height (png), ==, 1080);
  /* The plot is laid out for that size, not drawn at its own in a corner:
   * the curve's blue reaches the right end. */
  g_assert_cmpint (gtk_widget_get_width (loss_plot (f)), <, 1800);
  g_assert_cmpuint (count_blue (png, 1800, 1920), >, 50);
  /* The plot on screen is laid out as it was. */
  g_assert_cmpfloat (fs_loss_plot_iteration_to_x (FS_LOSS_PLOT (loss_plot (f)), 100), ==, at_100);
}

/* ---- Text in SVG and PDF ---- */

typedef struct
{
  gboolean  in_text;
  GString  *text;      /* the current <text>'s */
  GPtrArray *texts;
} SvgTexts;

static void
on_start (GMarkupParseContext *context,
          const char          *element,
          const char         **names,
          const char         **values,
          gpointer             data,
          GError             **error)
{
  SvgTexts *svg = data;

  if (g_str_equal (element, "text"))
    {
      svg->in_text = TRUE;
      g_string_truncate (svg->text, 0);
    }
}

static void
on_end (GMarkupParseContext *context,
        const char          *element,
        gpointer             data,
        GError             **error)
{
  SvgTexts *svg = data;

  if (g_str_equal (element, "text"))
    {
      svg->in_text = FALSE;
      g_ptr_array_add (svg->texts, g_strdup (svg->text->str));
    }
}

static void
on_text (GMarkupParseContext *context,
         const char          *text,
         gsize                len,
         gpointer             data,
         GError             **error)
{
  SvgTexts *svg = data;

  if (svg->in_text)
    g_string_append_len (svg->text, text, (gssize) len);
}

/* The texts of the SVG's <text> elements; the whole file must parse. */
static GPtrArray *
parse_svg_texts (const char *path)
{
  const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *start;
  gsize length;
  SvgTexts svg = { FALSE, g_string_new (NULL), g_ptr_array_new_with_free_func (g_free) };

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  /* GMarkup reads no <?xml?> declaration or DOCTYPE: start at <svg. */
  start = strstr (contents, "<svg");
  g_assert_nonnull (start);
  context = g_markup_parse_context_new (&parser, 0, &svg, NULL);
  g_assert_true (g_markup_parse_context_parse (context, start, (gssize) (length - (start - contents)),
                                               &error));
  g_assert_no_error (error);
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_string_free (svg.text, TRUE);
  return svg.texts;
}

static gboolean
svg_has (const char *path,
         const char *text)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return strstr (contents, text) != NULL;
}

static gboolean
has_text (GPtrArray  *texts,
          const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (texts->pdata[i], text))
      return TRUE;
  return FALSE;
}

/* Labels the loss plot writes: its legend's (when it has one), and its
 * iteration axis's first and last ticks. */
static GPtrArray *
plot_labels (Fixture *f)
{
  FsLossPlot *plot = FS_LOSS_PLOT (loss_plot (f));
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  double ticks[32];
  guint n = fs_loss_plot_get_iteration_ticks (plot, ticks, G_N_ELEMENTS (ticks));

  for (guint k = 0; k < fs_loss_plot_get_n_legend_entries (plot); k++)
    g_ptr_array_add (labels, g_strdup (fs_loss_plot_get_legend_entry (plot, k)));
  g_assert_cmpuint (n, >=, 2);
  g_ptr_array_add (labels, g_strdup_printf ("%g", ticks[0]));
  g_ptr_array_add (labels, g_strdup_printf ("%g", ticks[n - 1]));
  return labels;
}

static void
test_svg_text (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "loss.svg", NULL);
  g_autofree char *map_path = g_build_filename (f->dir, "X.svg", NULL);
  g_autofree char *large = g_build_filename (f->dir, "loss-1920x1080.svg", NULL);
  g_autofree char *view_path = g_build_filename (f->dir, "data-view.svg", NULL);
  g_autofree char *factors_path = g_build_filename (f->dir, "factors-view.svg", NULL);
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GError) error = NULL;

  load_and_step (f);
  labels = plot_labels (f);
  g_assert_true (fs_window_export_image (f->window, "loss", path, 0, 0, &error));
  g_assert_no_error (error);
  keep_copy (path);
  texts = parse_svg_texts (path);
  for (guint i = 0; i < labels->len; i++)
    {
      g_test_message ("looking for <text>%s</text>", (char *) labels->pdata[i]);
      g_assert_true (has_text (texts, labels->pdata[i]));
    }
  /* Twice as large as on screen or more, the plot is drawn enlarged: its
   * texts too, still as text. */
  g_clear_pointer (&texts, g_ptr_array_unref);
  g_assert_true (fs_window_export_image (f->window, "loss", large, 1920, 1080, &error));
  g_assert_no_error (error);
  keep_copy (large);
  texts = parse_svg_texts (large);
  for (guint i = 0; i < labels->len; i++)
    g_assert_true (has_text (texts, labels->pdata[i]));
  g_assert_true (svg_has (large, "transform=\"matrix(2 0 0 2 "));
  /* A map's colour bar labels too, at another size. */
  g_clear_pointer (&texts, g_ptr_array_unref);
  g_assert_true (fs_window_export_image (f->window, "X", map_path, 800, 600, &error));
  g_assert_no_error (error);
  keep_copy (map_path);
  texts = parse_svg_texts (map_path);
  g_assert_cmpuint (texts->len, >=, 2);
  /* A view says which map is which, as the screen does. */
  g_clear_pointer (&texts, g_ptr_array_unref);
  g_assert_true (fs_window_export_image (f->window, "data-view", view_path, 0, 0, &error));
  g_assert_no_error (error);
  keep_copy (view_path);
  texts = parse_svg_texts (view_path);
  g_assert_true (has_text (texts, "X"));
  g_assert_true (has_text (texts, "WH"));
  g_assert_true (has_text (texts, "X − WH"));
  /* The W and H view: both maps with their titles, and the histograms and
   * sparsity charts under them, as on screen. */
  g_clear_pointer (&texts, g_ptr_array_unref);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", "factors"));
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_true (fs_window_export_image (f->window, "factors-view", factors_path, 0, 0, &error));
  g_assert_no_error (error);
  keep_copy (factors_path);
  texts = parse_svg_texts (factors_path);
  g_assert_true (has_text (texts, "W"));
  g_assert_true (has_text (texts, "H"));
  g_assert_true (has_text (texts, "Sparsity of W"));
  g_assert_true (has_text (texts, "Sparsity of H"));
}

/* A poppler tool, which must be there under CI. */
static char *
find_tool (const char *name)
{
  char *path = g_find_program_in_path (name);

  if (path == NULL && g_getenv ("CI") != NULL)
    g_error ("%s (poppler-utils) is missing under CI", name);
  return path;
}

static void
test_pdf_text (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "loss.pdf", NULL);
  g_autofree char *prefix = g_build_filename (f->dir, "page", NULL);
  g_autofree char *page = g_build_filename (f->dir, "page.png", NULL);
  g_autofree char *pdftotext = find_tool ("pdftotext");
  g_autofree char *pdftoppm = find_tool ("pdftoppm");
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png = NULL;
  int status;

  if (pdftotext == NULL || pdftoppm == NULL)
    {
      g_test_skip ("poppler-utils is not installed");
      return;
    }
  load_and_step (f);
  labels = plot_labels (f);
  g_assert_true (fs_window_export_image (f->window, "loss", path, 0, 0, &error));
  g_assert_no_error (error);
  keep_copy (path);

  g_assert_true (g_spawn_sync (NULL, (char *[]) { pdftotext, path, "-", NULL }, NULL, 0, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < labels->len; i++)
    g_assert_nonnull (strstr (out, labels->pdata[i]));

  g_assert_true (g_spawn_sync (NULL, (char *[]) { pdftoppm, "-png", "-singlefile", path, prefix, NULL },
                               NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  png = gdk_pixbuf_new_from_file (page, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), >, 0);
}

/* ---- Failures ---- */

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

static void
test_unknown_extension (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "loss.bmp", NULL);
  g_autofree char *bare = g_build_filename (f->dir, "loss", NULL);
  g_autoptr(GError) error = NULL;

  load_and_step (f);
  g_assert_false (fs_window_export_image (f->window, "loss", path, 0, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "loss.bmp"));
  g_assert_nonnull (strstr (error->message, ".png"));
  g_clear_error (&error);
  g_assert_false (fs_window_export_image (f->window, "loss", bare, 0, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (count_files (f->dir), ==, 0);
}

static void
assert_contents (const char *path,
                 const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_failed_write (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", "loss.png", NULL);
  g_autofree char *locked = g_build_filename (f->dir, "locked", NULL);
  g_autofree char *kept = g_build_filename (locked, "loss.png", NULL);
  g_autofree char *probe = g_build_filename (locked, "probe", NULL);
  g_autoptr(GError) error = NULL;

  load_and_step (f);
  g_assert_false (fs_window_export_image (f->window, "loss", missing, 0, 0, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_clear_error (&error);

  /* An old picture stays whole when a new one cannot be made... */
  g_assert_cmpint (g_mkdir (locked, 0700), ==, 0);
  g_assert_true (g_file_set_contents (kept, "old picture", -1, NULL));
  g_assert_false (fs_window_export_image (f->window, "loss", kept, 100000, 10, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  assert_contents (kept, "old picture");

  /* ...or not written, in a folder that cannot be written to (root
   * writes anywhere, so the check is for the others). */
  g_assert_cmpint (g_chmod (locked, 0500), ==, 0);
  if (g_file_set_contents (probe, "", -1, NULL))
    g_test_message ("running as root: a read-only folder is writable");
  else
    {
      g_assert_false (fs_window_export_image (f->window, "loss", kept, 0, 0, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      assert_contents (kept, "old picture");
    }
  g_chmod (locked, 0700);
  g_unlink (probe);
  g_unlink (kept);
  g_rmdir (locked);
}

/* The pointer's place is not part of a picture: with the pointer over the
 * loss plot (its readout shown), the exported SVG has no readout. */
static void
test_no_hover_readout (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "hovered.svg", NULL);
  g_autofree char *svg = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) controllers = NULL;
  GtkWidget *plot;
  char *readout;

  load_and_step (f);
  plot = loss_plot (f);
  controllers = gtk_widget_observe_controllers (plot);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        {
          g_signal_emit_by_name (controller, "enter", gtk_widget_get_width (plot) / 2.0, 40.0);
          g_signal_emit_by_name (controller, "motion", gtk_widget_get_width (plot) / 2.0, 40.0);
        }
    }
  g_assert_nonnull (fs_loss_plot_get_readout (FS_LOSS_PLOT (plot)));
  /* The readout as drawn: "iteration 150: cost …". */
  readout = g_strdup (fs_loss_plot_get_readout (FS_LOSS_PLOT (plot)));
  g_assert_true (g_str_has_prefix (readout, "iteration "));
  g_assert_true (fs_window_export_image (f->window, "loss", path, 0, 0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &svg, NULL, NULL));
  g_assert_null (strstr (svg, "iteration "));
  g_assert_null (fs_loss_plot_get_readout (FS_LOSS_PLOT (plot)));
  g_free (readout);
}

/* A sweep picture before any sweep would be an empty frame: an error that
 * says what to do, and no file. */
static void
test_no_sweep_yet (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "sweep.png", NULL);
  g_autoptr(GError) error = NULL;

  load_and_step (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", "sweep"));
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_false (fs_window_export_image (f->window, "sweep", path, 0, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "sweep"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  add ("/export/png-matches-screen", test_png_matches_screen);
  add ("/export/data-view", test_data_view);
  add ("/export/size", test_size);
  add ("/export/svg-text", test_svg_text);
  add ("/export/pdf-text", test_pdf_text);
  add ("/export/unknown-extension", test_unknown_extension);
  add ("/export/failed-write", test_failed_write);
  add ("/export/no-hover-readout", test_no_hover_readout);
  add ("/export/no-sweep-yet", test_no_sweep_yet);
  return g_test_run ();
}
