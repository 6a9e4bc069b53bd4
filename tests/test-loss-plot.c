/* test-loss-plot.c: the loss plot's properties, and its drawing rendered
 * offscreen from known histories.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-loss-plot.h"
#include "fs-test-ui.h"

/* A snapshot of one finished run whose cost is 10^(3 - k / 100). */

static FsSnapshot *
known_snapshot (gsize length)
{
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);
  FsCostLog *log = fs_cost_log_new ();

  for (gsize k = 0; k < length; k++)
    fs_cost_log_append (log, pow (10.0, 3.0 - k / 100.0));
  snap->serial = 1;
  snap->state = FS_RUNNER_FINISHED;
  snap->iteration = length - 1;
  snap->n_runs = 1;
  snap->best_run = 0;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = log;
  snap->log_lengths = g_new (gsize, 1);
  snap->log_lengths[0] = length;
  snap->final_costs = g_new (double, 1);
  snap->final_costs[0] = fs_cost_log_get (log, length - 1);
  return snap;
}

/* Whether the highlighted curve (the accent blue) is drawn within 2
 * pixels of the given iteration and cost. */
static gboolean
curve_passes (FsLossPlot        *plot,
              const FsTestImage *image,
              guint64            iteration,
              double             cost)
{
  int x = (int) round (fs_loss_plot_iteration_to_x (plot, iteration));
  int y = (int) round (fs_loss_plot_value_to_y (plot, cost));

  for (int dy = -2; dy <= 2; dy++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, y + dy, px);
      if (px[2] > 150 && px[0] < 120)
        return TRUE;
    }
  return FALSE;
}

static void
test_log_axis_and_optimum (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (501);
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  const guint8 green[3] = { 38, 163, 105 };
  double decade, y_optimum;
  int row, x0, x1, hits = 0;

  fs_loss_plot_set_snapshot (plot, snap);
  fs_loss_plot_set_optimum (plot, 1e-2);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  image = fs_test_render (GTK_WIDGET (plot));

  /* Every decade has the same height, wherever it is. */
  decade = fs_loss_plot_value_to_y (plot, 1e-2) - fs_loss_plot_value_to_y (plot, 1e-1);
  g_assert_cmpfloat (decade, >, 20.0);
  for (int e = -2; e < 3; e++)
    g_assert_cmpfloat_with_epsilon (fs_loss_plot_value_to_y (plot, pow (10, e)) -
                                    fs_loss_plot_value_to_y (plot, pow (10, e + 1)), decade, 1e-9);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_value_to_y (plot, 2e-2) - fs_loss_plot_value_to_y (plot, 2e-1),
                                  decade, 1e-9);

  /* The dashed f* line is drawn on its row, along most of the plot. */
  y_optimum = fs_loss_plot_value_to_y (plot, 1e-2);
  row = (int) floor (y_optimum);
  x0 = (int) fs_loss_plot_iteration_to_x (plot, 0);
  x1 = (int) fs_loss_plot_iteration_to_x (plot, 500);
  for (int x = x0 + 1; x < x1; x++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, row, px);
      hits += fs_test_close_colour (px, green, 40);
    }
  g_test_message ("f* row %d: %d of %d pixels", row, hits, x1 - x0);
  g_assert_cmpint (hits, >, (x1 - x0) / 3);

  /* The curve passes through cost 10 at iteration 200. */
  g_assert_true (curve_passes (plot, image, 200, 10.0));

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static void
test_linear_axis (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (101);
  GtkWindow *window;

  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 400, 300);
  fs_loss_plot_set_log_scale (plot, FALSE);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_value_to_y (plot, 0) - fs_loss_plot_value_to_y (plot, 100),
                                  fs_loss_plot_value_to_y (plot, 500) - fs_loss_plot_value_to_y (plot, 600),
                                  1e-9);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Properties: get/set through GObject, notify once on a change and never
 * on an equal value; any optimum that is not finite is “none”, NaN. */
static void
test_properties (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  guint log_notified = 0, optimum_notified = 0;
  gboolean log_scale;
  double optimum;

  g_signal_connect (plot, "notify::log-scale", G_CALLBACK (fs_test_count_notify), &log_notified);
  g_signal_connect (plot, "notify::optimum", G_CALLBACK (fs_test_count_notify), &optimum_notified);

  g_object_get (plot, "log-scale", &log_scale, "optimum", &optimum, NULL);
  g_assert_true (log_scale);
  g_assert_true (isnan (optimum));

  g_object_set (plot, "log-scale", FALSE, NULL);
  g_assert_false (fs_loss_plot_get_log_scale (plot));
  g_assert_cmpuint (log_notified, ==, 1);
  g_object_set (plot, "log-scale", FALSE, NULL);
  fs_loss_plot_set_log_scale (plot, FALSE);
  g_assert_cmpuint (log_notified, ==, 1);

  g_object_set (plot, "optimum", 0.25, NULL);
  g_assert_cmpfloat (fs_loss_plot_get_optimum (plot), ==, 0.25);
  g_assert_cmpuint (optimum_notified, ==, 1);
  g_object_set (plot, "optimum", 0.25, NULL);
  fs_loss_plot_set_optimum (plot, 0.25);
  g_assert_cmpuint (optimum_notified, ==, 1);

  fs_loss_plot_set_optimum (plot, NAN);
  g_object_get (plot, "optimum", &optimum, NULL);
  g_assert_true (isnan (optimum));
  g_assert_cmpuint (optimum_notified, ==, 2);
  g_object_set (plot, "optimum", INFINITY, NULL);
  fs_loss_plot_set_optimum (plot, NAN);
  g_assert_true (isnan (fs_loss_plot_get_optimum (plot)));
  g_assert_cmpuint (optimum_notified, ==, 2);

  g_assert_finalize_object (plot);
}

/* A snapshot of n_runs finished runs sharing logs with another snapshot:
 * the runner publishes one per frame, each with the logs of all runs so
 * far. */
static FsSnapshot *
snapshot_of_runs (FsCostLog **logs,
                  const gsize *lengths,
                  guint        n_runs)
{
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);

  snap->state = FS_RUNNER_RUNNING;
  snap->n_runs = n_runs;
  snap->run = n_runs - 1;
  snap->best_run = -1;
  snap->logs = g_new (FsCostLog *, n_runs);
  snap->log_lengths = g_new (gsize, n_runs);
  snap->final_costs = g_new0 (double, n_runs);
  for (guint r = 0; r < n_runs; r++)
    {
      snap->logs[r] = fs_cost_log_ref (logs[r]);
      snap->log_lengths[r] = lengths[r];
    }
  return snap;
}

/* Drawing a run as it grows gives the same pixels as drawing it whole
 * (the finished run's columns are kept, the current run's cut again), and
 * a faint finished run is drawn with the highlighted current one. */
static void
test_runs_as_they_grow (gconstpointer data)
{
  gboolean log_iterations = GPOINTER_TO_INT (data);
  FsLossPlot *grown = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  FsLossPlot *whole = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsCostLog) first = fs_cost_log_new ();
  g_autoptr(FsCostLog) second = fs_cost_log_new ();
  g_autoptr(FsSnapshot) final = NULL;
  g_autoptr(FsTestImage) grown_image = NULL;
  g_autoptr(FsTestImage) whole_image = NULL;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWindow *window;

  for (gsize k = 0; k < 3000; k++)
    {
      fs_cost_log_append (first, pow (10.0, 2.0 - k / 1000.0));
      fs_cost_log_append (second, pow (10.0, 2.5 - k / 800.0));
    }
  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (grown));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (whole));
  fs_loss_plot_set_log_iterations (grown, log_iterations);
  fs_loss_plot_set_log_iterations (whole, log_iterations);
  window = fs_test_show (box, 500, 400);

  for (gsize len = 1; len <= 3000; len += 299)
    {
      g_autoptr(FsSnapshot) snap = snapshot_of_runs ((FsCostLog *[]) { first, second },
                                                     (gsize[]) { 3000, len }, 2);

      fs_loss_plot_set_snapshot (grown, snap);
    }
  final = snapshot_of_runs ((FsCostLog *[]) { first, second }, (gsize[]) { 3000, 3000 }, 2);
  fs_loss_plot_set_snapshot (grown, final);
  fs_loss_plot_set_snapshot (whole, final);
  fs_test_redraw (box);
  grown_image = fs_test_render (GTK_WIDGET (grown));
  whole_image = fs_test_render (GTK_WIDGET (whole));
  g_assert_cmpint (grown_image->width, ==, whole_image->width);
  g_assert_cmpint (grown_image->height, ==, whole_image->height);
  g_assert_cmpmem (grown_image->pixels, grown_image->stride * grown_image->height,
                   whole_image->pixels, whole_image->stride * whole_image->height);

  /* The current run, highlighted, passes through cost 10^2.5 / 10 at 800. */
  g_assert_true (curve_passes (whole, whole_image, 800, pow (10.0, 1.5)));

  gtk_window_destroy (window);
  g_assert_finalize_object (grown);
  g_assert_finalize_object (whole);
}

/* The log iteration axis: iteration 0 at the left end, every decade of
 * iteration + 1 equally wide, x and iteration each other's inverse, ticks
 * at 0, 1, 10, 100, …, and the curve through its costs at both ends. */
static void
test_log_iterations (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (20001);
  g_autoptr(FsTestImage) image = NULL;
  const double want_ticks[] = { 0, 1, 10, 100, 1000, 10000 };
  const double iterations[] = { 0, 1, 9, 37, 99, 999, 12345, 20000 };
  double ticks[16], left, right, decade;
  guint notified = 0, n_ticks;
  gboolean log_iterations;
  GtkWindow *window;

  g_signal_connect (plot, "notify::log-iterations", G_CALLBACK (fs_test_count_notify), &notified);
  g_object_get (plot, "log-iterations", &log_iterations, NULL);
  g_assert_false (log_iterations);
  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  left = fs_loss_plot_iteration_to_x (plot, 0);
  right = fs_loss_plot_iteration_to_x (plot, 20000);

  g_object_set (plot, "log-iterations", TRUE, NULL);
  fs_loss_plot_set_log_iterations (plot, TRUE);
  g_assert_true (fs_loss_plot_get_log_iterations (plot));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 0), left, 1e-9);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 20000), right, 1e-9);
  decade = fs_loss_plot_iteration_to_x (plot, 9) - fs_loss_plot_iteration_to_x (plot, 0);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 99) - fs_loss_plot_iteration_to_x (plot, 9),
                                  decade, 1e-9);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 9999) - fs_loss_plot_iteration_to_x (plot, 999),
                                  decade, 1e-9);
  /* The first hundred iterations take about half the width. */
  g_assert_cmpfloat (fs_loss_plot_iteration_to_x (plot, 100) - left, >, (right - left) * 0.45);
  for (guint k = 0; k < G_N_ELEMENTS (iterations); k++)
    g_assert_cmpfloat_with_epsilon (fs_loss_plot_x_to_iteration (plot, fs_loss_plot_iteration_to_x (plot, iterations[k])),
                                    iterations[k], 1e-6 * (1 + iterations[k]));

  n_ticks = fs_loss_plot_get_iteration_ticks (plot, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpuint (n_ticks, ==, G_N_ELEMENTS (want_ticks));
  for (guint t = 0; t < n_ticks; t++)
    g_assert_cmpfloat_with_epsilon (ticks[t], want_ticks[t], 1e-9 * (1 + want_ticks[t]));

  fs_test_redraw (GTK_WIDGET (plot));
  image = fs_test_render (GTK_WIDGET (plot));
  g_assert_true (curve_passes (plot, image, 3, pow (10.0, 3.0 - 3 / 100.0)));
  g_assert_true (curve_passes (plot, image, 40, pow (10.0, 3.0 - 40 / 100.0)));
  g_assert_true (curve_passes (plot, image, 500, pow (10.0, -2.0)));

  /* Back to the linear axis: ticks are multiples again. */
  fs_loss_plot_set_log_iterations (plot, FALSE);
  g_assert_cmpuint (notified, ==, 2);
  n_ticks = fs_loss_plot_get_iteration_ticks (plot, ticks, G_N_ELEMENTS (ticks));
  g_assert_cmpfloat (ticks[1], ==, 5000.0);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_x_to_iteration (plot, fs_loss_plot_iteration_to_x (plot, 777)),
                                  777, 1e-9);

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* A 10^6-long history with one spike: on the log axis the column that
 * holds the spike's iteration reaches up to it, and columns of single
 * iterations early on are drawn where those iterations are. */
static void
test_log_iterations_envelope (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = g_atomic_rc_box_new0 (FsSnapshot);
  g_autoptr(FsTestImage) image = NULL;
  FsCostLog *log = fs_cost_log_new ();
  const gsize len = 1000000, spike = 654321;
  GtkWindow *window;
  int x, hits = 0;

  for (gsize k = 0; k < len; k++)
    fs_cost_log_append (log, k == spike ? 1e3 : 1.0 + 1e2 / (1.0 + k));
  snap->state = FS_RUNNER_FINISHED;
  snap->n_runs = 1;
  snap->best_run = 0;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = log;
  snap->log_lengths = g_new (gsize, 1);
  snap->log_lengths[0] = len;
  snap->final_costs = g_new0 (double, 1);
  fs_loss_plot_set_log_iterations (plot, TRUE);
  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 700, 300);
  image = fs_test_render (GTK_WIDGET (plot));

  /* The spike's column, from the curve (near cost 1) up to 1e3. */
  x = (int) round (fs_loss_plot_iteration_to_x (plot, spike));
  for (int y = (int) fs_loss_plot_value_to_y (plot, 900); y < (int) fs_loss_plot_value_to_y (plot, 2); y++)
    {
      guint8 px[3];

      for (int dx = -1; dx <= 1; dx++)
        {
          fs_test_pixel (image, x + dx, y, px);
          if (px[2] > 150 && px[0] < 120)
            {
              hits++;
              break;
            }
        }
    }
  g_test_message ("spike column: %d pixels", hits);
  g_assert_cmpint (hits, >, (int) (fs_loss_plot_value_to_y (plot, 2) - fs_loss_plot_value_to_y (plot, 900)) * 3 / 4);
  g_assert_true (curve_passes (plot, image, 0, 101.0));
  g_assert_true (curve_passes (plot, image, 4, 21.0));

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static gboolean
rects_overlap (const graphene_rect_t *a,
               const graphene_rect_t *b)
{
  return a->origin.x < b->origin.x + b->size.width && b->origin.x < a->origin.x + a->size.width &&
         a->origin.y < b->origin.y + b->size.height && b->origin.y < a->origin.y + a->size.height;
}

/* Checks the labels of the marks: none overlaps another, each is beside
 * its tick, above the plot area; returns how many are shown. */
static guint
check_mark_labels (FsLossPlot    *plot,
                   guint          n,
                   const guint64 *iterations)
{
  double top = fs_loss_plot_value_to_y (plot, 1e3);
  guint shown = 0;

  for (guint k = 0; k < n; k++)
    {
      graphene_rect_t a, b;
      double x = fs_loss_plot_iteration_to_x (plot, iterations[k]);

      if (!fs_loss_plot_get_mark_label_area (plot, k, &a))
        continue;
      shown++;
      g_assert_cmpfloat (a.size.width, >=, 20.0);
      g_assert_cmpfloat (a.origin.y, >=, 0.0);
      g_assert_cmpfloat (a.origin.y + a.size.height, <=, top);
      /* graphene_rect_t holds floats. */
      g_assert_true (fabs (a.origin.x - (x + 3)) < 1e-3 || fabs (a.origin.x + a.size.width - (x - 3)) < 1e-3);
      for (guint j = 0; j < k; j++)
        if (fs_loss_plot_get_mark_label_area (plot, j, &b))
          g_assert_false (rects_overlap (&a, &b));
    }
  return shown;
}

/* Marks: each label beside its tick, above the plot area, never over
 * another; of three marks 2 pixels apart two get a row each and the third
 * is left bare; the last one, at the right edge, reads leftwards; a mark
 * past the axis is not drawn; ticks are drawn in the marks' colour. */
static void
test_marks (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (20001);
  g_autoptr(FsTestImage) image = NULL;
  const guint64 iterations[] = { 100, 5000, 5050, 5100, 20000, 30000 };
  const char *labels[] = { "L2 on W 0.1", "lr 0.003", "lr 0.002", "rule: normalized",
                           "L1 on H 0.05", "later" };
  const guint8 purple[3] = { 145, 64, 171 };
  graphene_rect_t area, last;
  GtkWindow *window;
  guint shown;
  guint8 px[3];

  fs_loss_plot_set_snapshot (plot, snap);
  fs_loss_plot_set_marks (plot, G_N_ELEMENTS (iterations), iterations, labels);
  g_assert_cmpuint (fs_loss_plot_get_n_marks (plot), ==, 6);
  window = fs_test_show (GTK_WIDGET (plot), 800, 300);

  shown = check_mark_labels (plot, G_N_ELEMENTS (iterations), iterations);
  g_assert_cmpuint (shown, ==, 4);
  g_assert_true (fs_loss_plot_get_mark_label_area (plot, 0, NULL));
  g_assert_false (fs_loss_plot_get_mark_label_area (plot, 5, NULL));
  g_assert_true (fs_loss_plot_get_mark_label_area (plot, 4, &last));
  g_assert_cmpfloat (last.origin.x + last.size.width, <=, fs_loss_plot_iteration_to_x (plot, 20000));

  fs_test_redraw (GTK_WIDGET (plot));
  image = fs_test_render (GTK_WIDGET (plot));
  g_assert_true (fs_loss_plot_get_mark_label_area (plot, 0, &area));
  fs_test_pixel (image, (int) round (fs_loss_plot_iteration_to_x (plot, 100)),
                 (int) (area.origin.y + area.size.height / 2), px);
  g_assert_true (fs_test_close_colour (px, purple, 40));

  /* On the log axis the close marks are as close; 100 is far from them. */
  fs_loss_plot_set_log_iterations (plot, TRUE);
  shown = check_mark_labels (plot, G_N_ELEMENTS (iterations), iterations);
  g_assert_cmpuint (shown, >=, 4);

  fs_loss_plot_set_marks (plot, 0, NULL, NULL);
  g_assert_cmpuint (fs_loss_plot_get_n_marks (plot), ==, 0);

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Gives known_snapshot's run a trace at the iterations fs_trace_wants ()
 * picks: the data term half the cost (or, apart from the cost's curve,
 * 100 / sqrt (k + 1)), L2 on W varying about 1, L1 on H all 0 (a penalty
 * that is off), the rest 0 too. */
static void
add_trace (FsSnapshot *snap,
           gboolean    apart)
{
  FsTrace *trace = fs_trace_new ();
  gsize length = snap->log_lengths[0];

  for (gsize k = 0; k < length; k++)
    if (fs_trace_wants (k))
      {
        double values[FS_N_TRACES] = { 0 };

        values[FS_TRACE_DATA] = apart ? 100.0 / sqrt (k + 1.0)
                                      : 0.5 * fs_cost_log_get (snap->logs[0], k);
        values[FS_TRACE_L2_W] = 1.0 + 0.5 * sin (k / 50.0);
        fs_trace_append (trace, k, values);
      }
  snap->traces = g_new (FsTrace *, 1);
  snap->traces[0] = trace;
  snap->trace_lengths = g_new (gsize, 1);
  snap->trace_lengths[0] = fs_trace_get_length (trace);
}

/* The data term's orange, antialiased: red strong, green a fair part of
 * it (L2 on W's red has little), no blue. */
static gboolean
is_data_colour (const guint8 px[3])
{
  return px[0] > 120 && px[1] > px[0] / 4 && px[1] < px[0] * 3 / 5 && px[2] < 60;
}

/* Whether the data term's curve is drawn within 2 pixels of a value at
 * an iteration. */
static gboolean
data_term_passes (FsLossPlot        *plot,
                  const FsTestImage *image,
                  double             iteration,
                  double             value)
{
  int x = (int) round (fs_loss_plot_iteration_to_x (plot, iteration));
  int y = (int) round (fs_loss_plot_value_to_y (plot, value));

  for (int dx = -1; dx <= 1; dx++)
    for (int dy = -2; dy <= 2; dy++)
      {
        guint8 px[3];

        fs_test_pixel (image, x + dx, y + dy, px);
        if (is_data_colour (px))
          return TRUE;
      }
  return FALSE;
}

/* Pixels of the data term's colour in the top right corner of the plot,
 * where only the legend is (the curves are low there). */
static int
legend_pixels (FsLossPlot        *plot,
               const FsTestImage *image)
{
  int n = 0;
  int top = (int) fs_loss_plot_value_to_y (plot, 1e3);

  for (int y = top; y < top + 60; y++)
    for (int x = image->width - 200; x < image->width - 8; x++)
      {
        guint8 px[3];

        fs_test_pixel (image, x, y, px);
        n += is_data_colour (px);
      }
  return n;
}

static void
hover (FsLossPlot *plot,
       double      x)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (plot));

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, k);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        g_signal_emit_by_name (controller, "motion", x, 50.0);
    }
}

/* Term curves: asked for the data term, L2 on W and L1 on H, the plot
 * draws the first two (L1 on H is all 0), the data term in its colour
 * where its values are, with a legend; the readout adds the terms. */
static void
test_term_curves (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (501);
  guint asked = 1u << FS_TRACE_DATA | 1u << FS_TRACE_L2_W | 1u << FS_TRACE_L1_H;
  GtkWindow *window;
  const char *readout;

  add_trace (snap, FALSE);
  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  g_assert_cmpuint (fs_loss_plot_get_drawn_traces (plot), ==, 0);
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    g_assert_false (data_term_passes (plot, image, 200, 5.0));
    g_assert_cmpint (legend_pixels (plot, image), ==, 0);
  }

  fs_loss_plot_set_traces (plot, asked);
  g_assert_cmpuint (fs_loss_plot_get_traces (plot), ==, asked);
  g_assert_cmpuint (fs_loss_plot_get_drawn_traces (plot), ==,
                    1u << FS_TRACE_DATA | 1u << FS_TRACE_L2_W);
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    g_assert_true (data_term_passes (plot, image, 200, 5.0));
    g_assert_true (data_term_passes (plot, image, 100, 50.0));
    g_assert_false (data_term_passes (plot, image, 200, 50.0));
    g_assert_cmpint (legend_pixels (plot, image), >=, 10);
    fs_test_maybe_save (image, "loss-plot-terms");
  }

  hover (plot, fs_loss_plot_iteration_to_x (plot, 200));
  readout = fs_loss_plot_get_readout (plot);
  g_assert_nonnull (readout);
  g_assert_true (g_str_has_prefix (readout, "iteration 200: cost 10\n"));
  g_assert_nonnull (strstr (readout, "Data term: 5\n"));
  g_assert_nonnull (strstr (readout, "L2 on W: "));
  g_assert_null (strstr (readout, "L1 on H"));

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* A long run's trace thins out (every 2nd, 4th, … iteration): on a log
 * iteration axis its late points are where they belong. */
static void
test_term_curves_sparse (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (20001);
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  FsTrace *trace;
  gsize len;

  add_trace (snap, TRUE);
  trace = snap->traces[0];
  len = snap->trace_lengths[0];
  g_assert_cmpuint (len, <, 10000);
  fs_loss_plot_set_snapshot (plot, snap);
  fs_loss_plot_set_log_iterations (plot, TRUE);
  fs_loss_plot_set_traces (plot, 1u << FS_TRACE_DATA);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  image = fs_test_render (GTK_WIDGET (plot));
  fs_test_maybe_save (image, "loss-plot-terms-sparse");

  for (gsize index = 10; index < len; index += len / 7)
    {
      double it = (double) fs_trace_get_iteration (trace, index);

      g_assert_true (data_term_passes (plot, image, it, fs_trace_get (trace, FS_TRACE_DATA, index)));
    }

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* A finished run of length costs falling geometrically from first to
 * last. */
static FsSnapshot *
falling_snapshot (gsize  length,
                  double first,
                  double last)
{
  FsSnapshot *snap = known_snapshot (1);
  FsCostLog *log = fs_cost_log_new ();

  for (gsize k = 0; k < length; k++)
    fs_cost_log_append (log, first * pow (last / first, k / (double) (length - 1)));
  fs_cost_log_unref (snap->logs[0]);
  snap->logs[0] = log;
  snap->log_lengths[0] = length;
  snap->iteration = length - 1;
  snap->final_costs[0] = last;
  return snap;
}

/* Whether a pixel within 2 rows of the cost at iteration is the ghost's
 * red (at 70%). */
static gboolean
ghost_passes (FsLossPlot        *plot,
              const FsTestImage *image,
              double             iteration,
              double             cost)
{
  int x = (int) round (fs_loss_plot_iteration_to_x (plot, iteration));
  int y = (int) round (fs_loss_plot_value_to_y (plot, cost));

  /* The render has no background: the pixels are premultiplied by
   * their coverage, so red is told by its share and the coverage. */
  for (int dy = -2; dy <= 2; dy++)
    {
      const guint8 *p = image->pixels + (gsize) (y + dy) * image->stride + (gsize) x * 4;

      g_assert_true (x >= 0 && x < image->width && y + dy >= 0 && y + dy < image->height);
      if (p[3] > 80 && p[2] > 2 * p[1] && p[2] > 2 * p[0])
        return TRUE;
    }
  return FALSE;
}

static void
set_two_ghosts (FsLossPlot *plot,
                FsSnapshot *a,
                gboolean    a_visible,
                FsSnapshot *b,
                gboolean    b_visible)
{
  FsLossPlotGhost ghosts[2] = {
    { a, "rank 6, L2 0.1", { 0.88, 0.11, 0.14, 1.0 }, a_visible },
    { b, "rank 8", { 0.57, 0.25, 0.67, 1.0 }, b_visible },
  };

  fs_loss_plot_set_ghosts (plot, ghosts, 2);
}

/* Ghosts: a visible one widens both ranges, is drawn in its colour and
 * has a legend entry, which the accessible description lists; a hidden
 * one does none of that. */
static void
test_ghosts (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) live = known_snapshot (101);
  g_autoptr(FsSnapshot) a = falling_snapshot (301, 1e4, 1.0);
  g_autoptr(FsSnapshot) b = falling_snapshot (2001, 1e8, 1e-3);
  GtkWindow *window;
  double x_100;

  fs_loss_plot_set_snapshot (plot, live);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  x_100 = fs_loss_plot_iteration_to_x (plot, 100);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 0);

  set_two_ghosts (plot, a, TRUE, b, FALSE);
  g_assert_cmpfloat (fs_loss_plot_iteration_to_x (plot, 100), <, x_100 - 100);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 300), x_100, 1e-9);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_value_to_y (plot, 1e4),
                                  fs_loss_plot_value_to_y (plot, 1e4) , 1e-9);
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1e4), >=, 0.0);
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1.0), <=, 300.0);
  /* The hidden ghost's 1e-3 is far below the axis. */
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1e-3), >, 300.0);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 2);
  g_assert_cmpstr (fs_loss_plot_get_legend_entry (plot, 0), ==, "Cost");
  g_assert_cmpstr (fs_loss_plot_get_legend_entry (plot, 1), ==, "rank 6, L2 0.1");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Legend: Cost; rank 6, L2 0.1");
  fs_test_redraw (GTK_WIDGET (plot));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

    fs_test_maybe_save (image, "loss-plot-one-ghost");
    g_assert_true (ghost_passes (plot, image, 150, 100.0));
    g_assert_true (ghost_passes (plot, image, 250, pow (10, 4.0 - 250 * 4.0 / 300)));
    g_assert_true (curve_passes (plot, image, 50, pow (10, 2.5)));
  }

  set_two_ghosts (plot, a, FALSE, b, FALSE);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 0);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_iteration_to_x (plot, 100), x_100, 1e-9);

  set_two_ghosts (plot, a, TRUE, b, TRUE);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 3);
  g_assert_cmpstr (fs_loss_plot_get_legend_entry (plot, 2), ==, "rank 8");
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1e-3), <=, 300.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Legend: Cost; rank 6, L2 0.1; rank 8");

  fs_loss_plot_set_ghosts (plot, NULL, 0);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 0);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* A kept run that diverged (1e3 up to 1e22) widens the cost axis only up
 * to where it started: the live curve keeps its height. */
static void
test_diverged_ghost (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) live = known_snapshot (101);
  g_autoptr(FsSnapshot) diverged = falling_snapshot (201, 1e3, 1e22);
  FsLossPlotGhost ghost = { diverged, "lr 0.5", { 0.9, 0.4, 0.1, 1.0 }, TRUE };
  GtkWindow *window;

  fs_loss_plot_set_snapshot (plot, live);
  fs_loss_plot_set_ghosts (plot, &ghost, 1);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  /* 1e3 (the live start and the ghost's) is on the plot, 1e5 above it. */
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1e3), >=, 0.0);
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 1e5), <, 0.0);
  g_assert_cmpfloat (fs_loss_plot_value_to_y (plot, 10.0) - fs_loss_plot_value_to_y (plot, 1e3), >, 60.0);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* The f* label the window sets, and no gap in the readout for it. */
static void
test_optimum_label (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (501);
  GtkWindow *window;
  const char *readout;

  fs_loss_plot_set_snapshot (plot, snap);
  fs_loss_plot_set_optimum (plot, 1.0);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  hover (plot, fs_loss_plot_iteration_to_x (plot, 200));
  readout = fs_loss_plot_get_readout (plot);
  g_assert_cmpstr (readout, ==, "iteration 200: cost 10\ngap to f*: 9");

  fs_loss_plot_set_optimum_label (plot, "f* of the full data", FALSE);
  readout = fs_loss_plot_get_readout (plot);
  g_assert_cmpstr (readout, ==, "iteration 200: cost 10");
  {
    g_autoptr(FsTestImage) image = NULL;

    fs_test_redraw (GTK_WIDGET (plot));
    image = fs_test_render (GTK_WIDGET (plot));
    fs_test_maybe_save (image, "loss-plot-optimum-label");
  }

  fs_loss_plot_set_optimum_label (plot, NULL, TRUE);
  g_assert_cmpstr (fs_loss_plot_get_readout (plot), ==, "iteration 200: cost 10\ngap to f*: 9");
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Whether column x holds the accent blue over most of the plot's height. */
static int
accent_rows (const FsTestImage *image,
             int                x)
{
  int hits = 0;

  for (int y = 0; y < image->height; y++)
    {
      guint8 px[3];

      fs_test_pixel (image, x, y, px);
      hits += px[2] > 180 && px[0] < 110 && px[1] > 100 && px[1] < 170;
    }
  return hits;
}

/* The replay cursor: a line at iteration_to_x (), on either axis; none
 * for a negative iteration. */
static void
test_cursor (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) snap = known_snapshot (501);
  GtkWindow *window;

  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 600, 300);
  for (int log_x = 0; log_x < 2; log_x++)
    {
      int x;

      fs_loss_plot_set_log_iterations (plot, log_x);
      x = (int) floor (fs_loss_plot_iteration_to_x (plot, 40));
      fs_loss_plot_set_cursor (plot, 40);
      fs_test_redraw (GTK_WIDGET (plot));
      {
        g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

        g_assert_cmpint (accent_rows (image, x), >, 150);
        g_assert_cmpint (accent_rows (image, x + 3), <, 10);
      }
      fs_loss_plot_set_cursor (plot, -1);
      fs_test_redraw (GTK_WIDGET (plot));
      {
        g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (plot));

        g_assert_cmpint (accent_rows (image, x), <, 10);
      }
    }
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Two ghosts, light and dark, to look at (FS_TEST_SCREENSHOTS). */
static void
test_ghosts_screenshots (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsSnapshot) live = falling_snapshot (2001, 500, 12);
  g_autoptr(FsSnapshot) a = falling_snapshot (1501, 400, 30);
  g_autoptr(FsSnapshot) b = falling_snapshot (3001, 600, 8);
  GtkWindow *window;

  fs_loss_plot_set_snapshot (plot, live);
  fs_loss_plot_set_optimum (plot, 7.5);
  set_two_ghosts (plot, a, TRUE, b, TRUE);
  fs_loss_plot_set_cursor (plot, 800);
  window = fs_test_show (GTK_WIDGET (plot), 700, 320);
  for (int dark = 0; dark < 2; dark++)
    {
      g_autoptr(FsTestImage) image = NULL;

      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      fs_test_redraw (GTK_WIDGET (plot));
      image = fs_test_render (GTK_WIDGET (plot));
      g_assert_true (ghost_passes (plot, image, 1000, 400 * pow (30 / 400.0, 1000 / 1500.0)));
      fs_test_maybe_save (image, dark ? "loss-plot-ghosts-dark" : "loss-plot-ghosts-light");
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* Seconds for frames snapshots of a live run growing by 100 iterations
 * each, as the window hands them over at frame rate. */
static double
time_frames (FsLossPlot *plot,
             FsCostLog  *live,
             guint       frames)
{
  gint64 start = g_get_monotonic_time ();

  for (guint f = 0; f < frames; f++)
    {
      gsize length = 50000 + 100 * (gsize) f;
      g_autoptr(FsSnapshot) snap = snapshot_of_runs (&live, &length, 1);

      fs_loss_plot_set_snapshot (plot, snap);
    }
  return (g_get_monotonic_time () - start) / 1e6;
}

/* Eight ghosts of 100000 iterations cost each live frame only their
 * mapping to pixels: their decimation is kept while the width and the
 * axis stay. Timed, with a bound loose enough for a loaded machine. */
static void
test_ghosts_per_frame (void)
{
  FsLossPlot *plot = g_object_ref_sink (FS_LOSS_PLOT (fs_loss_plot_new ()));
  g_autoptr(FsCostLog) live = fs_cost_log_new ();
  g_autoptr(GPtrArray) snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) fs_snapshot_unref);
  FsLossPlotGhost ghosts[8];
  GtkWindow *window;
  double bare, with_ghosts;

  for (gsize k = 0; k < 100000; k++)
    fs_cost_log_append (live, 1e3 / (k + 1.0) + 1.0);
  window = fs_test_show (GTK_WIDGET (plot), 1200, 400);
  time_frames (plot, live, 10);
  bare = time_frames (plot, live, 100);
  for (guint g = 0; g < 8; g++)
    {
      FsSnapshot *snap = falling_snapshot (100000, 2e3 + g, 1.0 + g);

      g_ptr_array_add (snaps, snap);
      ghosts[g] = (FsLossPlotGhost) { snap, "ghost", { 0.5, 0.2, 0.1, 1.0 }, TRUE };
    }
  fs_loss_plot_set_ghosts (plot, ghosts, 8);
  with_ghosts = time_frames (plot, live, 100);
  g_test_message ("100 frames at 1200 px: %.1f ms bare, %.1f ms with 8 ghosts",
                  bare * 1e3, with_ghosts * 1e3);
  /* Decimating them again each frame takes about 20 times the bare frames. */
  g_assert_cmpfloat (with_ghosts, <, 10.0 * bare + 0.05);

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/loss-plot/properties", test_properties);
  g_test_add_func ("/loss-plot/log-axis-and-optimum", test_log_axis_and_optimum);
  g_test_add_func ("/loss-plot/linear-axis", test_linear_axis);
  g_test_add_data_func ("/loss-plot/runs-as-they-grow", GINT_TO_POINTER (FALSE),
                        test_runs_as_they_grow);
  g_test_add_data_func ("/loss-plot/runs-as-they-grow-log-iterations", GINT_TO_POINTER (TRUE),
                        test_runs_as_they_grow);
  g_test_add_func ("/loss-plot/log-iterations", test_log_iterations);
  g_test_add_func ("/loss-plot/log-iterations-envelope", test_log_iterations_envelope);
  g_test_add_func ("/loss-plot/marks", test_marks);
  g_test_add_func ("/loss-plot/term-curves", test_term_curves);
  g_test_add_func ("/loss-plot/term-curves-sparse", test_term_curves_sparse);
  g_test_add_func ("/loss-plot/ghosts", test_ghosts);
  g_test_add_func ("/loss-plot/diverged-ghost", test_diverged_ghost);
  g_test_add_func ("/loss-plot/ghosts-screenshots", test_ghosts_screenshots);
  g_test_add_func ("/loss-plot/optimum-label", test_optimum_label);
  g_test_add_func ("/loss-plot/cursor", test_cursor);
  g_test_add_func ("/loss-plot/ghosts-per-frame", test_ghosts_per_frame);

  return g_test_run ();
}
