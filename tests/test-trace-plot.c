/* test-trace-plot.c: the trace plot's drawing rendered offscreen from a
 * known trace, its readout and its empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-trace-plot.h"
#include "fs-test-ui.h"

/* A snapshot of one running run of length iterations whose trace holds
 * the given share of zeros in W throughout, near-zero shares a little
 * above it, and norms that shrink. */
static FsSnapshot *
traced_snapshot (gsize  length,
                 double zeros)
{
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);
  FsCostLog *log = fs_cost_log_new ();
  FsTrace *trace = fs_trace_new ();

  for (gsize k = 0; k < length; k++)
    {
      fs_cost_log_append (log, 100.0 / (k + 1.0));
      if (fs_trace_wants (k))
        {
          double values[FS_N_TRACES] = { 0 };

          values[FS_TRACE_ZEROS_W] = zeros;
          values[FS_TRACE_SMALL_W] = MIN (zeros + 0.2, 1.0);
          values[FS_TRACE_NORM_W] = 10.0 / sqrt (k + 1.0);
          values[FS_TRACE_NORM_H] = 3.0;
          fs_trace_append (trace, k, values);
        }
    }
  snap->serial = 1;
  snap->state = FS_RUNNER_RUNNING;
  snap->iteration = length - 1;
  snap->n_runs = 1;
  snap->best_run = -1;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = log;
  snap->log_lengths = g_new (gsize, 1);
  snap->log_lengths[0] = length;
  snap->final_costs = g_new0 (double, 1);
  snap->traces = g_new (FsTrace *, 1);
  snap->traces[0] = trace;
  snap->trace_lengths = g_new (gsize, 1);
  snap->trace_lengths[0] = fs_trace_get_length (trace);
  return snap;
}

/* The zeros line's blue (FS_TRACE_ZEROS_W), antialiased. */
static gboolean
is_zeros_colour (const guint8 px[3])
{
  return px[2] > 150 && px[0] < 110 && px[1] > 90 && px[1] < 170;
}

/* The mean y of the zeros line's pixels in column x (the legend's
 * sample is further left), or -1 with none. */
static double
zeros_line_y (const FsTestImage *image,
              int                x)
{
  double sum = 0.0;
  int n = 0;

  for (int y = 0; y < image->height; y++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, y, px);
      if (is_zeros_colour (px))
        {
          sum += y;
          n++;
        }
    }
  return n > 0 ? sum / n : -1.0;
}

/* Renders a 240 × 110 plot of the zeros in W at a constant share, and
 * returns the line's y in the middle column. */
static double
line_y_for_share (double      zeros,
                  gboolean    log_iterations,
                  const char *screenshot)
{
  FsTracePlot *plot = g_object_ref_sink (FS_TRACE_PLOT (fs_trace_plot_new ("Zeros in W")));
  g_autoptr(FsSnapshot) snap = traced_snapshot (3000, zeros);
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  double y;

  fs_trace_plot_set_kinds (plot, 1u << FS_TRACE_ZEROS_W);
  fs_trace_plot_set_log_iterations (plot, log_iterations);
  fs_trace_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 240, 110);
  image = fs_test_render (GTK_WIDGET (plot));
  if (screenshot != NULL)
    fs_test_maybe_save (image, screenshot);
  y = zeros_line_y (image, image->width / 2);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
  return y;
}

/* Shares are on a linear 0 … 100% axis: 50% is half-way between where
 * 0% and 100% are drawn, on either iteration axis. */
static void
test_shares_axis (void)
{
  for (int log_iterations = 0; log_iterations < 2; log_iterations++)
    {
      double bottom = line_y_for_share (0.0, log_iterations, NULL);
      double top = line_y_for_share (1.0, log_iterations, "trace-plot-full");
      double middle = line_y_for_share (0.5, log_iterations, log_iterations ? "trace-plot-half" : NULL);

      g_test_message ("0%% at %g, 50%% at %g, 100%% at %g", bottom, middle, top);
      g_assert_cmpfloat (top, >, 0.0);
      g_assert_cmpfloat (bottom - top, >, 30.0);
      g_assert_cmpfloat (fabs (middle - (top + bottom) / 2.0), <=, 1.0);
    }
}

static void
hover (GtkWidget *widget,
       double     x)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, k);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "motion", x, 50.0);
    }
}

/* The window's chart: zeros and near zeros in W at 240 × 90, legend,
 * end labels, readout; then norms on a log axis; then nothing to show. */
static void
test_readout_and_empty (void)
{
  FsTracePlot *plot = g_object_ref_sink (FS_TRACE_PLOT (fs_trace_plot_new ("Zeros in W")));
  g_autoptr(FsSnapshot) snap = traced_snapshot (20000, 0.612);
  GtkWindow *window;
  const char *readout;

  g_assert_cmpuint (fs_trace_plot_get_kinds (plot), ==, 0);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_LABEL, "Zeros in W");
  fs_trace_plot_set_kinds (plot, 1u << FS_TRACE_ZEROS_W | 1u << FS_TRACE_SMALL_W);
  g_assert_cmpuint (fs_trace_plot_get_kinds (plot), ==, 1u << FS_TRACE_ZEROS_W | 1u << FS_TRACE_SMALL_W);
  fs_trace_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 240, 90);
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    fs_test_maybe_save (image, "trace-plot");
  }

  hover (GTK_WIDGET (plot), 150);
  readout = fs_trace_plot_get_readout (plot);
  g_assert_nonnull (readout);
  g_assert_true (g_str_has_prefix (readout, "iteration "));
  g_assert_nonnull (strstr (readout, "\nZeros in W: 61.2%\n"));
  g_assert_nonnull (strstr (readout, "\nNear zero in W: 81.2%"));

  fs_trace_plot_set_kinds (plot, 1u << FS_TRACE_NORM_W | 1u << FS_TRACE_NORM_H);
  fs_trace_plot_set_log_iterations (plot, TRUE);
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    fs_test_maybe_save (image, "trace-plot-norms");
  }
  hover (GTK_WIDGET (plot), 150);
  readout = fs_trace_plot_get_readout (plot);
  g_assert_nonnull (strstr (readout, "\n‖H‖: 3"));

  /* No snapshot: no line, no readout. */
  fs_trace_plot_set_snapshot (plot, NULL);
  hover (GTK_WIDGET (plot), 150);
  g_assert_null (fs_trace_plot_get_readout (plot));
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    fs_test_maybe_save (image, "trace-plot-empty");
    for (int x = 0; x < image->width; x += 3)
      g_assert_cmpfloat (zeros_line_y (image, x), <, 0.0);
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Lines in a readout. */
static guint
count_lines (const char *text)
{
  guint n = 1;

  for (const char *c = text; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* The held-out MSE's orange (FS_TRACE_HOLDOUT_MSE), antialiased. */
static guint
count_holdout_pixels (const FsTestImage *image)
{
  guint n = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        guint8 px[3];

        fs_test_pixel (image, x, y, px);
        n += px[0] > 200 && px[1] > 90 && px[1] < 150 && px[2] < 60;
      }
  return n;
}

/* The MSEs on a log axis: without held-out cells the held-out MSE is NaN
 * throughout and is neither drawn nor read out (not drawn as 0); with
 * them it is drawn in its orange. */
static void
test_mses (void)
{
  FsTracePlot *plot = g_object_ref_sink (FS_TRACE_PLOT (fs_trace_plot_new ("MSE")));
  g_autoptr(FsSnapshot) snap = traced_snapshot (2000, 0.0);
  FsTrace *with_holdout = fs_trace_new ();
  FsTrace *without = snap->traces[0];
  GtkWindow *window;

  for (gsize k = 0; k < 2000; k++)
    if (fs_trace_wants (k))
      {
        double values[FS_N_TRACES] = { 0 };

        values[FS_TRACE_TRAIN_MSE] = 0.5 / sqrt (k + 1.0);
        values[FS_TRACE_HOLDOUT_MSE] = 0.6 / sqrt (k + 1.0) + 0.01;
        fs_trace_append (with_holdout, k, values);
      }
  snap->traces[0] = fs_trace_new ();
  for (gsize k = 0; k < 2000; k++)
    if (fs_trace_wants (k))
      {
        double values[FS_N_TRACES] = { 0 };

        values[FS_TRACE_TRAIN_MSE] = 0.5 / sqrt (k + 1.0);
        values[FS_TRACE_HOLDOUT_MSE] = NAN;
        fs_trace_append (snap->traces[0], k, values);
      }
  fs_trace_unref (without);
  fs_trace_plot_set_kinds (plot, 1u << FS_TRACE_TRAIN_MSE | 1u << FS_TRACE_HOLDOUT_MSE);
  fs_trace_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 300, 120);
  hover (GTK_WIDGET (plot), 150);
  g_assert_nonnull (fs_trace_plot_get_readout (plot));
  g_assert_cmpuint (count_lines (fs_trace_plot_get_readout (plot)), ==, 2);
  g_assert_null (strstr (fs_trace_plot_get_readout (plot), "nan"));
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    g_assert_cmpuint (count_holdout_pixels (image), <, 5);
  }

  fs_trace_unref (snap->traces[0]);
  snap->traces[0] = with_holdout;
  /* A new snapshot: the plot keeps its own when the pointer is the same. */
  {
    g_autoptr(FsSnapshot) next = fs_snapshot_ref (snap);

    fs_trace_plot_set_snapshot (plot, NULL);
    fs_trace_plot_set_snapshot (plot, next);
  }
  hover (GTK_WIDGET (plot), 150);
  g_assert_cmpuint (count_lines (fs_trace_plot_get_readout (plot)), ==, 3);
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    fs_test_maybe_save (image, "trace-plot-mses");
    g_assert_cmpuint (count_holdout_pixels (image), >, 50);
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/trace-plot/shares-axis", test_shares_axis);
  g_test_add_func ("/trace-plot/readout-and-empty", test_readout_and_empty);
  g_test_add_func ("/trace-plot/mses", test_mses);

  return g_test_run ();
}
