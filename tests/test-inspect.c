/* test-inspect.c: the code view, the histogram and the spectrum, drawn
 * offscreen from hand-made data and checked pixel by pixel.
 *
 * With FS_TEST_SHOTS set to a folder, the last test also writes
 * screenshots of the three widgets with a real factorization (the faces
 * stack, non-negative, L1 on W) there, to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <lapacke.h>
#include <math.h>

#include "fs-code-view.h"
#include "fs-display.h"
#include "fs-histogram.h"
#include "fs-loader.h"
#include "fs-solver.h"
#include "fs-spectrum.h"
#include "fs-test-ui.h"

static const guint8 zero_orange[3] = { 230, 97, 0 };
static const guint8 accent_blue[3] = { 54, 133, 227 };
static const guint8 threshold_green[3] = { 38, 163, 105 };

/* Sends a pointer motion to the widget's motion controller. */
static void
hover (GtkWidget *widget,
       double     x,
       double     y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, k);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "motion", x, y);
    }
}

/* Sends a key press to the widget's key controller. */
static void
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, k);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  g_assert_true (handled);
}

/* Pixels of a colour in column x between rows y0 and y1. */
static int
count_in_column (const FsTestImage *image,
                 int                x,
                 int                y0,
                 int                y1,
                 const guint8       rgb[3],
                 int                tolerance)
{
  int n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, image->height); y++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, y, px);
      n += fs_test_close_colour (px, rgb, tolerance);
    }
  return n;
}

/* The longest unbroken run of a colour in column x: a bar's height,
 * whatever text of its colour is near it. */
static int
longest_run (const FsTestImage *image,
             int                x,
             const guint8       rgb[3],
             int                tolerance)
{
  int best = 0, run = 0;

  for (int y = 0; y < image->height; y++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, y, px);
      run = fs_test_close_colour (px, rgb, tolerance) ? run + 1 : 0;
      best = MAX (best, run);
    }
  return best;
}

static void
save_shot (GtkWidget  *widget,
           const char *name)
{
  const char *folder = g_getenv ("FS_TEST_SHOTS");
  g_autoptr(FsTestImage) image = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;

  if (folder == NULL)
    return;
  image = fs_test_render (widget);
  bytes = g_bytes_new (image->pixels, image->stride * image->height);
  texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                    bytes, image->stride);
  path = g_build_filename (folder, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

/* ---- code view ---- */

#define CV_ROWS 3
#define CV_H 5
#define CV_W 6
#define CV_COLS (CV_H * CV_W)
#define CV_RANK 5

/* Row 1's code: components 1 and 3 (0-based 0 and 2) are exactly 0; by
 * |W[1, k]| ||h_k|| the order is 4 (0.3 × 10), 2 (0.8 × 1), 5 (1.5 × 0.2). */
static const double code_row[CV_RANK] = { 0.0, 0.8, 0.0, 0.3, 1.5 };

static void
fill_h (double *H)
{
  for (gsize j = 0; j < CV_COLS; j++)
    {
      H[0 * CV_COLS + j] = 1.0;
      H[1 * CV_COLS + j] = (j % 2 ? 1.0 : -1.0) / sqrt (CV_COLS);
      H[2 * CV_COLS + j] = 0.5;
      H[3 * CV_COLS + j] = 10.0 * (j < CV_COLS / 2 ? 1.0 : -1.0) / sqrt (CV_COLS);
      H[4 * CV_COLS + j] = j == CV_COLS - 1 ? 0.2 : 0.0;
    }
}

static FsSnapshot *
code_snapshot (void)
{
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);

  snap->serial = 1;
  snap->state = FS_RUNNER_PAUSED;
  snap->rows = CV_ROWS;
  snap->cols = CV_COLS;
  snap->rank = CV_RANK;
  snap->n_runs = 1;
  snap->best_run = -1;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = fs_cost_log_new ();
  snap->log_lengths = g_new0 (gsize, 1);
  snap->final_costs = g_new0 (double, 1);
  snap->W = g_new (double, CV_ROWS * CV_RANK);
  snap->H = g_new (double, CV_RANK * CV_COLS);
  for (gsize i = 0; i < CV_ROWS; i++)
    for (gsize k = 0; k < CV_RANK; k++)
      snap->W[i * CV_RANK + k] = i == 1 ? code_row[k] : 0.1 * (k + 1);
  fill_h (snap->H);
  return snap;
}

/* X's row 1 is a 5 × 6 image, bright in its top-left corner only. */
static FsMatrix *
code_matrix (void)
{
  FsMatrix *X = fs_matrix_new (CV_ROWS, CV_COLS, NULL);

  for (gsize k = 0; k < CV_ROWS * CV_COLS; k++)
    X->data[k] = 0.0;
  X->data[1 * CV_COLS + 0] = 10.0;
  return X;
}

/* The colour of image pixel (py, px) of a tile. */
static void
tile_pixel (FsCodeView        *view,
            const FsTestImage *image,
            FsCodeViewImage    which,
            int                py,
            int                px,
            guint8             rgb[3])
{
  graphene_rect_t r;

  g_assert_true (fs_code_view_get_image_area (view, which, &r));
  fs_test_pixel (image, (int) (r.origin.x + (px + 0.5) * r.size.width / CV_W),
                 (int) (r.origin.y + (py + 0.5) * r.size.height / CV_H), rgb);
}

/* The sample upright in its tile, the reconstruction's pixel coloured as
 * w_i H's value on the shared scale. */
static void
check_images (FsCodeView        *view,
              const FsTestImage *image,
              const double      *H)
{
  double recon[CV_COLS], lo = 0.0, hi = 10.0;
  guint8 px[3], want[3];
  int j = 4 * CV_W + 5;

  for (gsize c = 0; c < CV_COLS; c++)
    {
      recon[c] = 0.0;
      for (gsize k = 0; k < CV_RANK; k++)
        recon[c] += code_row[k] * H[k * CV_COLS + c];
      lo = MIN (lo, recon[c]);
      hi = MAX (hi, recon[c]);
    }
  fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, 1.0, want);
  tile_pixel (view, image, FS_CODE_VIEW_SAMPLE, 0, 0, px);
  g_assert_true (fs_test_close_colour (px, want, 4));
  tile_pixel (view, image, FS_CODE_VIEW_SAMPLE, 0, CV_W - 1, px);
  g_assert_false (fs_test_close_colour (px, want, 40));
  tile_pixel (view, image, FS_CODE_VIEW_SAMPLE, CV_H - 1, 0, px);
  g_assert_false (fs_test_close_colour (px, want, 40));

  fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, (recon[j] - lo) / (hi - lo), want);
  tile_pixel (view, image, FS_CODE_VIEW_RECONSTRUCTION, 4, 5, px);
  g_test_message ("w_i H at (4, 5) = %g: %d %d %d, want %d %d %d", recon[j],
                  px[0], px[1], px[2], want[0], want[1], want[2]);
  g_assert_true (fs_test_close_colour (px, want, 4));
  j = 0;
  fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, (recon[j] - lo) / (hi - lo), want);
  tile_pixel (view, image, FS_CODE_VIEW_RECONSTRUCTION, 0, 0, px);
  g_assert_true (fs_test_close_colour (px, want, 4));
}

/* Zero markers at the zero components' x and not at the others'. */
static void
check_zero_markers (FsCodeView        *view,
                    const FsTestImage *image)
{
  graphene_rect_t tile;

  g_assert_true (fs_code_view_get_image_area (view, FS_CODE_VIEW_SAMPLE, &tile));
  for (guint k = 0; k < CV_RANK; k++)
    {
      int x = (int) round (fs_code_view_component_to_x (view, k));
      int n = count_in_column (image, x, 0, (int) tile.origin.y - 20, zero_orange, 40);

      g_test_message ("component %u: %d orange pixels", k + 1, n);
      if (code_row[k] == 0.0)
        g_assert_cmpint (n, >=, 2);
      else
        g_assert_cmpint (n, ==, 0);
    }
  /* The bars are in the accent colour. */
  g_assert_cmpint (count_in_column (image, (int) round (fs_code_view_component_to_x (view, 4)),
                                    0, (int) tile.origin.y - 20, accent_blue, 30), >, 10);
}

static void
test_code_view (void)
{
  FsCodeView *view = g_object_ref_sink (FS_CODE_VIEW (fs_code_view_new ()));
  g_autoptr(FsSnapshot) snap = code_snapshot ();
  g_autoptr(FsMatrix) X = code_matrix ();
  g_autoptr(FsTestImage) image = NULL;
  guint strongest[4];
  graphene_rect_t tile;
  GtkWindow *window;

  gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Sample code");
  g_assert_cmpint (fs_code_view_get_row (view), ==, -1);
  fs_code_view_set_sample (view, X, snap, 1, CV_H, CV_W);
  window = fs_test_show (GTK_WIDGET (view), 420, 320);
  fs_test_redraw (GTK_WIDGET (view));
  image = fs_test_render (GTK_WIDGET (view));

  g_assert_cmpint (fs_code_view_get_row (view), ==, 1);
  g_assert_cmpuint (fs_code_view_get_n_zeros (view), ==, 2);
  g_assert_cmpuint (fs_code_view_get_strongest (view, strongest, 4), ==, 3);
  g_assert_cmpuint (strongest[0], ==, 3);
  g_assert_cmpuint (strongest[1], ==, 1);
  g_assert_cmpuint (strongest[2], ==, 4);
  g_assert_cmpuint (fs_code_view_get_strongest (view, strongest, 1), ==, 1);
  gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Sample 2 · 2 of 5 zero");

  check_zero_markers (view, image);
  check_images (view, image, snap->H);

  /* Readouts: a zero component, a non-zero one, a pixel. */
  g_assert_true (fs_code_view_get_image_area (view, FS_CODE_VIEW_SAMPLE, &tile));
  hover (GTK_WIDGET (view), fs_code_view_component_to_x (view, 2), tile.origin.y / 2);
  g_assert_cmpstr (fs_code_view_get_readout (view), ==, "Component 3: exactly 0");
  hover (GTK_WIDGET (view), fs_code_view_component_to_x (view, 3), tile.origin.y / 2);
  g_assert_cmpstr (fs_code_view_get_readout (view), ==, "Component 4: 0.3");
  hover (GTK_WIDGET (view), tile.origin.x + 1, tile.origin.y + 1);
  g_assert_true (g_str_has_prefix (fs_code_view_get_readout (view), "Pixel (1, 1): sample 10,"));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));
  press_key (GTK_WIDGET (view), GDK_KEY_Home);
  g_assert_cmpstr (fs_code_view_get_readout (view), ==, "Component 1: exactly 0");
  press_key (GTK_WIDGET (view), GDK_KEY_Right);
  g_assert_cmpstr (fs_code_view_get_readout (view), ==, "Component 2: 0.8");
  /* A new snapshot (the solver goes on) keeps the component picked, with
   * its new value. */
  {
    g_autoptr(FsSnapshot) next = code_snapshot ();

    next->W[1 * CV_RANK + 1] = 0.6;
    fs_code_view_set_sample (view, X, next, 1, CV_H, CV_W);
    g_assert_cmpstr (fs_code_view_get_readout (view), ==, "Component 2: 0.6");
    fs_code_view_set_sample (view, X, snap, 1, CV_H, CV_W);
  }

  /* No images unless the shape matches; no sample for row -1. */
  fs_code_view_set_sample (view, X, snap, 1, 0, 0);
  g_assert_false (fs_code_view_get_image_area (view, FS_CODE_VIEW_SAMPLE, NULL));
  /* The row's label, when X has them, in the header. */
  {
    g_autoptr(FsMatrix) labelled = fs_matrix_copy (X, NULL);
    const char *labels[] = { "ann", "bob", "cy", NULL };

    labelled->row_labels = g_strdupv ((char **) labels);
    fs_code_view_set_sample (view, labelled, snap, 1, CV_H, CV_W);
    gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                         "Sample 2 (bob) · 2 of 5 zero");
  }
  fs_code_view_set_sample (view, X, snap, -1, CV_H, CV_W);
  g_assert_cmpint (fs_code_view_get_row (view), ==, -1);
  g_assert_cmpuint (fs_code_view_get_n_zeros (view), ==, 0);
  gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Select a sample");

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

/* ---- histogram ---- */

/* The x range [first, end) of each bar along row y, -1 for the zeros. */
static void
find_bars (FsHistogram *hist,
           int          width,
           double       y,
           int          first[],
           int          end[],
           guint        n_bins)
{
  for (guint b = 0; b <= n_bins; b++)
    first[b] = end[b] = -1;
  for (int x = 0; x < width; x++)
    {
      gint bar;

      if (!fs_histogram_get_bar_at (hist, x + 0.5, y, &bar))
        continue;
      g_assert_cmpint (bar, >=, -1);
      g_assert_cmpint (bar, <, (gint) n_bins);
      if (first[bar + 1] < 0)
        first[bar + 1] = x;
      /* Bars come in order, each in one piece. */
      g_assert_cmpint (end[bar + 1], ==, first[bar + 1] == x ? -1 : x);
      end[bar + 1] = x + 1;
    }
}

static void
test_histogram (void)
{
  FsHistogram *hist = g_object_ref_sink (FS_HISTOGRAM (fs_histogram_new ("W")));
  guint64 counts[4] = { 10, 40, 20, 0 };
  FsLogHistogram h = { 4, -3.0, 1.0, counts, 30, 100 };
  g_autoptr(FsTestImage) image = NULL;
  int first[5], end[5], height[5];
  GtkWindow *window;
  gint bar;

  gtk_test_accessible_assert_property (hist, GTK_ACCESSIBLE_PROPERTY_LABEL, "Histogram of W");
  fs_histogram_set_histogram (hist, &h);
  counts[0] = 999;   /* copied: this changes nothing */
  window = fs_test_show (GTK_WIDGET (hist), 400, 220);
  fs_test_redraw (GTK_WIDGET (hist));
  image = fs_test_render (GTK_WIDGET (hist));

  find_bars (hist, image->width, image->height / 2.0, first, end, 4);
  /* Zeros first, then a gap, then the decades left to right. */
  for (guint b = 0; b < 5; b++)
    g_assert_cmpint (first[b], >=, 0);
  g_assert_cmpint (end[0] + 5, <, first[1]);
  for (guint b = 1; b < 4; b++)
    g_assert_cmpint (end[b], <=, first[b + 1]);

  for (guint b = 0; b < 5; b++)
    {
      int x = (first[b] + end[b]) / 2;

      height[b] = longest_run (image, x, b == 0 ? zero_orange : accent_blue, 30);
      /* The zeros' colour is theirs alone. */
      g_assert_cmpint (count_in_column (image, x, 0, image->height,
                                        b == 0 ? accent_blue : zero_orange, 30), ==, 0);
      g_test_message ("bar %u: %d pixels high", b, height[b]);
    }
  g_assert_cmpint (height[4], ==, 0);
  g_assert_cmpint (height[2], >, 60);
  g_assert_cmpint (abs (height[1] * 4 - height[2]), <=, 4);
  g_assert_cmpint (abs (height[3] * 2 - height[2]), <=, 3);
  g_assert_cmpint (abs (height[0] * 4 - height[2] * 3), <=, 4);

  hover (GTK_WIDGET (hist), (first[2] + end[2]) / 2.0, image->height / 2.0);
  g_assert_cmpstr (fs_histogram_get_readout (hist), ==, "1e-2 … 1e-1: 40 values");
  hover (GTK_WIDGET (hist), (first[0] + end[0]) / 2.0, image->height / 2.0);
  g_assert_cmpstr (fs_histogram_get_readout (hist), ==, "exactly 0: 30 values (30%)");
  g_assert_true (fs_histogram_get_bar_at (hist, (first[0] + end[0]) / 2.0, image->height / 2.0, &bar));
  g_assert_cmpint (bar, ==, -1);
  press_key (GTK_WIDGET (hist), GDK_KEY_Right);
  g_assert_cmpstr (fs_histogram_get_readout (hist), ==, "1e-3 … 1e-2: 10 values");
  press_key (GTK_WIDGET (hist), GDK_KEY_End);
  g_assert_cmpstr (fs_histogram_get_readout (hist), ==, "1 … 10: 0 values");

  /* Counts far apart: a log axis, where a bar of 1 still shows. */
  counts[0] = 1;
  counts[1] = 5000;
  fs_histogram_set_histogram (hist, &h);
  fs_test_redraw (GTK_WIDGET (hist));
  g_clear_pointer (&image, fs_test_image_free);
  image = fs_test_render (GTK_WIDGET (hist));
  find_bars (hist, image->width, image->height / 2.0, first, end, 4);
  g_assert_cmpint (longest_run (image, (first[1] + end[1]) / 2, accent_blue, 30), >=, 8);

  /* Nothing but zeros: no decade to speak of, still drawn. */
  h.n_bins = 0;
  h.lo = h.hi = NAN;
  fs_histogram_set_histogram (hist, &h);
  fs_test_redraw (GTK_WIDGET (hist));
  g_clear_pointer (&image, fs_test_image_free);
  image = fs_test_render (GTK_WIDGET (hist));
  find_bars (hist, image->width, image->height / 2.0, first, end, 0);
  g_assert_cmpint (longest_run (image, (first[0] + end[0]) / 2, zero_orange, 30), >, 60);
  press_key (GTK_WIDGET (hist), GDK_KEY_Home);
  g_assert_cmpstr (fs_histogram_get_readout (hist), ==, "exactly 0: 30 values (30%)");

  fs_histogram_set_histogram (hist, NULL);
  g_assert_false (fs_histogram_get_bar_at (hist, first[1], image->height / 2.0, &bar));
  g_assert_null (fs_histogram_get_readout (hist));

  gtk_window_destroy (window);
  g_assert_finalize_object (hist);
}

/* ---- spectrum ---- */

static void
test_spectrum_n_shown (void)
{
  FsSpectrum *spec = g_object_ref_sink (FS_SPECTRUM (fs_spectrum_new ()));
  double values[20];
  gsize n;

  for (guint k = 0; k < 20; k++)
    values[k] = 20.0 - k;
  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 0);
  fs_spectrum_set_data_values (spec, values, 20);
  fs_spectrum_set_rank (spec, 4);
  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 12);
  fs_spectrum_set_rank (spec, 10);
  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 20);
  fs_spectrum_set_data_values (spec, values, 3);
  fs_spectrum_set_fit_values (spec, values, 5);
  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 5);
  g_assert_true (fs_spectrum_get_fit_values (spec, &n) != values);
  g_assert_cmpfloat (fs_spectrum_get_fit_values (spec, NULL)[4], ==, 16.0);
  g_assert_cmpuint (n, ==, 5);
  fs_spectrum_set_data_values (spec, NULL, 0);
  fs_spectrum_set_fit_values (spec, NULL, 7);
  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 0);
  g_assert_null (fs_spectrum_get_fit_values (spec, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_finalize_object (spec);
}

static void
test_spectrum (void)
{
  FsSpectrum *spec = g_object_ref_sink (FS_SPECTRUM (fs_spectrum_new ()));
  double data[20], fit[5] = { 95, 68, 47, 33, 0 };
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  int row, x0, x1, hits = 0;
  double step;

  gtk_test_accessible_assert_property (spec, GTK_ACCESSIBLE_PROPERTY_LABEL, "Spectrum");
  for (guint k = 0; k < 20; k++)
    data[k] = k == 13 || k == 14 ? 0.0 : 100.0 * pow (0.7, k);
  data[15] = data[16] = data[17] = data[18] = data[19] = 0.0;
  fs_spectrum_set_data_values (spec, data, 20);
  fs_spectrum_set_fit_values (spec, fit, 5);
  fs_spectrum_set_rank (spec, 5);
  fs_spectrum_set_threshold (spec, 2.0);
  window = fs_test_show (GTK_WIDGET (spec), 480, 260);
  fs_test_redraw (GTK_WIDGET (spec));
  image = fs_test_render (GTK_WIDGET (spec));

  g_assert_cmpuint (fs_spectrum_get_n_shown (spec), ==, 15);
  for (double v = 1e-2; v < 1e3; v *= 1.7)
    g_assert_cmpfloat (fs_spectrum_value_to_y (spec, v * 1.7), <, fs_spectrum_value_to_y (spec, v));
  step = fs_spectrum_index_to_x (spec, 2) - fs_spectrum_index_to_x (spec, 1);
  g_assert_cmpfloat (step, >, 10.0);
  for (guint k = 2; k <= 15; k++)
    g_assert_cmpfloat_with_epsilon (fs_spectrum_index_to_x (spec, k) - fs_spectrum_index_to_x (spec, k - 1),
                                    step, 1e-9);
  g_assert_cmpfloat (fs_spectrum_index_to_x (spec, 15), <, image->width);

  /* The dashed threshold line lies along its row. */
  row = (int) round (fs_spectrum_value_to_y (spec, 2.0));
  x0 = (int) fs_spectrum_index_to_x (spec, 1);
  x1 = (int) fs_spectrum_index_to_x (spec, 15);
  for (int x = x0; x < x1; x++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, row, px);
      hits += fs_test_close_colour (px, threshold_green, 40);
    }
  g_test_message ("threshold row %d: %d of %d pixels", row, hits, x1 - x0);
  g_assert_cmpint (hits, >, (x1 - x0) / 3);
  g_assert_cmpint (count_in_column (image, x0 + 2, row - 6, row - 1, threshold_green, 40) +
                   count_in_column (image, x0 + 2, row + 2, row + 7, threshold_green, 40), ==, 0);

  hover (GTK_WIDGET (spec), fs_spectrum_index_to_x (spec, 3), image->height / 2.0);
  g_assert_cmpstr (fs_spectrum_get_readout (spec), ==, "σ3: X 49, WH 47");
  hover (GTK_WIDGET (spec), fs_spectrum_index_to_x (spec, 5), image->height / 2.0);
  g_assert_cmpstr (fs_spectrum_get_readout (spec), ==, "σ5: X 24, WH exactly 0");
  hover (GTK_WIDGET (spec), fs_spectrum_index_to_x (spec, 14), image->height / 2.0);
  g_assert_cmpstr (fs_spectrum_get_readout (spec), ==, "σ14: X exactly 0");
  press_key (GTK_WIDGET (spec), GDK_KEY_Right);
  g_assert_cmpstr (fs_spectrum_get_readout (spec), ==, "σ15: X exactly 0");
  press_key (GTK_WIDGET (spec), GDK_KEY_Home);
  g_assert_cmpstr (fs_spectrum_get_readout (spec), ==, "σ1: X 100, WH 95");

  gtk_window_destroy (window);
  g_assert_finalize_object (spec);
}

/* ---- screenshots with a real factorization ---- */

/* Whole-decade bins of log10 |v| as fs-analysis.h describes them. */
static FsLogHistogram *
log_histogram (const double *v,
               gsize         n)
{
  FsLogHistogram *h = g_new0 (FsLogHistogram, 1);
  double lo = INFINITY, hi = -INFINITY;

  for (gsize k = 0; k < n; k++)
    if (v[k] != 0.0)
      {
        lo = MIN (lo, log10 (fabs (v[k])));
        hi = MAX (hi, log10 (fabs (v[k])));
      }
  h->lo = floor (lo);
  h->hi = MAX (ceil (hi), h->lo + 1);
  h->n_bins = (guint) (h->hi - h->lo);
  h->counts = g_new0 (guint64, h->n_bins);
  h->total = n;
  for (gsize k = 0; k < n; k++)
    if (v[k] == 0.0)
      h->zeros++;
    else
      h->counts[MIN ((guint) (log10 (fabs (v[k])) - h->lo), h->n_bins - 1)]++;
  return h;
}

static GArray *
singular_values (const double *a,
                 gsize         rows,
                 gsize         cols)
{
  g_autofree double *copy = g_memdup2 (a, sizeof (double) * rows * cols);
  GArray *s = g_array_sized_new (FALSE, FALSE, sizeof (double), (guint) MIN (rows, cols));

  g_array_set_size (s, (guint) MIN (rows, cols));
  g_assert_cmpint (LAPACKE_dgesdd (LAPACK_ROW_MAJOR, 'N', (int) rows, (int) cols, copy, (int) cols,
                                   (double *) s->data, NULL, (int) rows, NULL, (int) cols), ==, 0);
  return s;
}

static void
shoot (GtkWidget  *widget,
       int         width,
       int         height,
       const char *name)
{
  GtkWindow *window = fs_test_show (widget, width, height);

  fs_test_redraw (widget);
  save_shot (widget, name);
  if (g_str_equal (name, "code-view.png") || g_str_equal (name, "spectrum.png") ||
      g_str_equal (name, "histogram.png"))
    {
      g_autofree char *dark = g_strconcat ("dark-", name, NULL);

      /* The window, background and all: the text colour must follow the theme. */
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_FORCE_DARK);
      fs_test_redraw (widget);
      save_shot (GTK_WIDGET (window), dark);
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          ADW_COLOR_SCHEME_DEFAULT);
    }
  gtk_window_set_child (window, NULL);
  gtk_window_destroy (window);
}

static void
test_screenshots (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "npy",
                                            "skimage_lfw_subset_200x625.npy", NULL);
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSnapshot) snap = g_atomic_rc_box_new0 (FsSnapshot);
  g_autoptr(GArray) sx = NULL;
  g_autoptr(GArray) swh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *wh = NULL;
  FsLogHistogram *hw;
  FsSolver *solver;
  FsParams params;
  GtkWidget *view, *hist, *spec;
  gsize n, m;

  X = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  n = X->rows;
  m = X->cols;
  fs_params_init_defaults (&params);
  params.rank = 16;
  params.nonneg = TRUE;
  params.l1_w = 5.0;
  params.max_iters = 3000;
  solver = fs_solver_new (X, &params, &error);
  g_assert_no_error (error);
  fs_solver_start (solver, 1);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  snap->rows = n;
  snap->cols = m;
  snap->rank = 16;
  snap->best_run = -1;
  snap->W = g_memdup2 (fs_solver_get_w (solver), sizeof (double) * n * 16);
  snap->H = g_memdup2 (fs_solver_get_h (solver), sizeof (double) * 16 * m);
  fs_solver_free (solver);

  view = g_object_ref_sink (fs_code_view_new ());
  fs_code_view_set_sample (FS_CODE_VIEW (view), X, snap, 7, 25, 25);
  shoot (view, 520, 380, "code-view.png");
  shoot (view, 200, 120, "code-view-small.png");
  g_assert_finalize_object (view);

  hw = log_histogram (snap->W, n * 16);
  hist = g_object_ref_sink (fs_histogram_new ("W"));
  fs_histogram_set_histogram (FS_HISTOGRAM (hist), hw);
  shoot (hist, 360, 200, "histogram.png");
  shoot (hist, 200, 120, "histogram-small.png");
  g_assert_finalize_object (hist);
  g_free (hw->counts);
  g_free (hw);

  wh = g_new0 (double, n * m);
  for (gsize i = 0; i < n; i++)
    for (gsize k = 0; k < 16; k++)
      for (gsize j = 0; j < m; j++)
        wh[i * m + j] += snap->W[i * 16 + k] * snap->H[k * m + j];
  sx = singular_values (X->data, n, m);
  swh = singular_values (wh, n, m);
  spec = g_object_ref_sink (fs_spectrum_new ());
  fs_spectrum_set_data_values (FS_SPECTRUM (spec), (double *) sx->data, sx->len);
  fs_spectrum_set_fit_values (FS_SPECTRUM (spec), (double *) swh->data, 16);
  fs_spectrum_set_rank (FS_SPECTRUM (spec), 16);
  fs_spectrum_set_threshold (FS_SPECTRUM (spec), 0.3);
  shoot (spec, 520, 300, "spectrum.png");
  shoot (spec, 200, 120, "spectrum-small.png");
  g_assert_finalize_object (spec);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/code-view/sample", test_code_view);
  g_test_add_func ("/histogram/bars", test_histogram);
  g_test_add_func ("/spectrum/n-shown", test_spectrum_n_shown);
  g_test_add_func ("/spectrum/drawing", test_spectrum);
  /* Only on request: a skipped test fails under CI. */
  if (g_getenv ("FS_TEST_SHOTS") != NULL)
    g_test_add_func ("/inspect/screenshots", test_screenshots);

  return g_test_run ();
}
