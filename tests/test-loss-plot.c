/* test-loss-plot.c: the loss plot rendered offscreen from known histories.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

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

static void
test_log_axis_and_optimum (void)
{
  FsLossPlot *plot = FS_LOSS_PLOT (fs_loss_plot_new ());
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
  {
    int x = (int) round (fs_loss_plot_iteration_to_x (plot, 200));
    int y = (int) round (fs_loss_plot_value_to_y (plot, 10.0));
    gboolean found = FALSE;

    for (int dy = -2; dy <= 2 && !found; dy++)
      {
        guint8 px[3];

        fs_test_pixel (image, x, y + dy, px);
        found = px[2] > 150 && px[0] < 120;   /* the accent blue */
      }
    g_assert_true (found);
  }

  gtk_window_destroy (window);
}

static void
test_linear_axis (void)
{
  FsLossPlot *plot = FS_LOSS_PLOT (fs_loss_plot_new ());
  g_autoptr(FsSnapshot) snap = known_snapshot (101);
  GtkWindow *window;

  fs_loss_plot_set_snapshot (plot, snap);
  window = fs_test_show (GTK_WIDGET (plot), 400, 300);
  fs_loss_plot_set_log_scale (plot, FALSE);
  g_assert_cmpfloat_with_epsilon (fs_loss_plot_value_to_y (plot, 0) - fs_loss_plot_value_to_y (plot, 100),
                                  fs_loss_plot_value_to_y (plot, 500) - fs_loss_plot_value_to_y (plot, 600),
                                  1e-9);
  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/loss-plot/log-axis-and-optimum", test_log_axis_and_optimum);
  g_test_add_func ("/loss-plot/linear-axis", test_linear_axis);

  return g_test_run ();
}
