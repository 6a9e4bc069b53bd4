/* test-window-tuning.c: tuning by eye in the window, as a user drives it:
 * keeping runs and comparing them, showing a kept run in the views,
 * restoring its settings, held-out cells, replay and sweeps. Each case has
 * a window of its own, so any case runs alone (-p).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-heatmap.h"
#include "fs-loss-plot.h"
#include "fs-pins.h"
#include "fs-sweep-view.h"
#include "fs-test-window.h"

static GObject *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* Lets the main loop run a little: idle callbacks and a frame or two. */
static void
iterate (void)
{
  for (guint k = 0; k < 50; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef struct
{
  FsWindow *window;
  guint64   after;   /* a snapshot serial */
  guint     rank;
} Wait;

/* The new settings' runner is shown, at iteration 0. */
static gboolean
is_ready (gpointer data)
{
  Wait *wait = data;
  FsSnapshot *s = fs_window_get_shown_snapshot (wait->window);

  return s != NULL && s->serial > wait->after && s->rank == wait->rank && s->iteration == 0;
}

/* A run at the rank, newer than the snapshot seen before it, has ended. */
static gboolean
is_finished (gpointer data)
{
  Wait *wait = data;
  FsSnapshot *s = fs_window_get_shown_snapshot (wait->window);

  return s != NULL && s->serial > wait->after && s->rank == wait->rank &&
         s->state == FS_RUNNER_FINISHED && s->iteration > 0;
}

/* The digits at rank, max_iters iterations, run to the end. */
static void
run_digits (Fixture *f,
            guint    rank,
            guint64  iterations,
            double   holdout)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;
  Wait wait = { f->window, 0, rank };

  if (fs_window_get_matrix (f->window) == NULL)
    load_example (f, "digits");
  wait.after = fs_window_get_shown_snapshot (f->window)->serial;
  params = *fs_param_panel_get_params (panel);
  params.rank = rank;
  params.max_iters = iterations;
  params.tol = 0.0;
  params.holdout = holdout;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  /* Run while the last run's end is shown would raise its limit. */
  g_assert_true (fs_test_wait_for (is_ready, &wait, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (is_finished, &wait, 60));
}

static FsPinItem *
pin (Fixture *f,
     guint    index)
{
  GListModel *pins = fs_window_get_pins (f->window);
  g_autoptr(FsPinItem) item = g_list_model_get_item (pins, index);

  g_assert_nonnull (item);
  /* The window's list holds it. */
  return item;
}

static double
final_cost (const FsSnapshot *s)
{
  return s->best_run >= 0 ? s->final_costs[s->best_run] : s->cost;
}

/* Keep pins the run: its curve stays as a ghost named by what differs
 * from the live settings, and the comparison lists both runs. */
static void
test_keep_and_compare (Fixture       *f,
                       gconstpointer  data)
{
  FsLossPlot *plot = FS_LOSS_PLOT (child (f, "loss_plot"));
  FsSnapshot *first;
  double first_cost;
  GtkWidget *table;

  run_digits (f, 3, 300, 0.0);
  first = fs_window_get_shown_snapshot (f->window);
  first_cost = final_cost (first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (fs_window_get_pins (f->window)), ==, 1);
  /* Same settings as live, for now. */
  g_assert_cmpstr (fs_pin_item_get_label (pin (f, 0)), ==, "same settings");

  run_digits (f, 6, 300, 0.0);
  g_assert_cmpstr (fs_pin_item_get_label (pin (f, 0)), ==, "rank 3");
  g_assert_cmpfloat (fs_pin_item_get_cost (pin (f, 0)), ==, first_cost);
  g_assert_cmpuint (fs_pin_item_get_snapshot (pin (f, 0))->rank, ==, 3);
  g_assert_cmpuint (fs_pin_item_get_snapshot (pin (f, 0))->n_checkpoints, ==, 0);

  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), >=, 2);
  g_assert_cmpstr (fs_loss_plot_get_legend_entry (plot, 0), ==, "Cost");
  g_assert_cmpstr (fs_loss_plot_get_legend_entry (plot, fs_loss_plot_get_n_legend_entries (plot) - 1),
                   ==, "rank 3");

  /* Hidden, the ghost leaves the legend (the live curve alone needs
   * none). */
  fs_pin_item_set_visible (pin (f, 0), FALSE);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 0);
  fs_pin_item_set_visible (pin (f, 0), TRUE);
  g_assert_cmpuint (fs_loss_plot_get_n_legend_entries (plot), ==, 2);

  /* The comparison: the live run and the kept one, sortable by cost
   * (rank 6 fits better than rank 3). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.compare", NULL));
  table = gtk_widget_get_first_child (GTK_WIDGET (child (f, "compare_slot")));
  g_assert_true (FS_IS_PIN_TABLE (table));
  fs_pin_table_sort_by (FS_PIN_TABLE (table), "cost", FALSE);
  g_assert_true (fs_pin_item_get_is_live (fs_pin_table_get_row (FS_PIN_TABLE (table), 0)));
  g_assert_cmpfloat (fs_pin_item_get_cost (fs_pin_table_get_row (FS_PIN_TABLE (table), 1)), ==,
                     first_cost);
  fs_pin_table_sort_by (FS_PIN_TABLE (table), "cost", TRUE);
  g_assert_false (fs_pin_item_get_is_live (fs_pin_table_get_row (FS_PIN_TABLE (table), 0)));
  gtk_popover_popdown (GTK_POPOVER (child (f, "compare_popover")));
}

/* A kept run in the views: its own W and H; Show Live Run returns. */
static void
test_show_kept_run (Fixture       *f,
                    gconstpointer  data)
{
  FsSnapshot *kept, *viewed;

  run_digits (f, 3, 200, 0.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  run_digits (f, 5, 200, 0.0);
  kept = fs_pin_item_get_snapshot (pin (f, 0));

  g_signal_emit_by_name (gtk_widget_get_first_child (GTK_WIDGET (child (f, "compare_slot"))),
                         "show-run", pin (f, 0));
  viewed = fs_window_get_viewed_snapshot (f->window);
  g_assert_true (viewed == kept);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "viewing_revealer"))));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (f, "viewing_label"))), "rank 3"));
  g_assert_true (fs_heatmap_get_snapshot (fs_window_get_heatmap (f->window, FS_HEATMAP_W)) == kept);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view-live", NULL));
  g_assert_true (fs_window_get_viewed_snapshot (f->window) == fs_window_get_shown_snapshot (f->window));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "viewing_revealer"))));
}

/* Restore: a kept run's settings become the live ones. */
static gboolean
has_singular_values (gpointer window)
{
  return fs_session_get_singular_values (fs_window_get_session (window)) != NULL;
}

static void
test_restore (Fixture       *f,
              gconstpointer  data)
{
  GtkWidget *table;
  Wait wait = { f->window, 0, 3 };

  run_digits (f, 3, 100, 0.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  run_digits (f, 7, 100, 0.0);
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, ==, 7);

  g_assert_true (fs_test_wait_for (has_singular_values, f->window, 20));
  iterate ();
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (f, "spectrum_caption"))),
                            "rank cut at 7,"));
  table = gtk_widget_get_first_child (GTK_WIDGET (child (f, "compare_slot")));
  wait.after = fs_window_get_shown_snapshot (f->window)->serial;
  g_signal_emit_by_name (table, "restore", pin (f, 0));
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, ==, 3);
  g_assert_cmpuint (fs_param_panel_get_params (fs_window_get_panel (f->window))->rank, ==, 3);
  /* Now the kept run has the live settings, and the spectrum cuts at
   * its rank. */
  g_assert_true (fs_test_wait_for (is_ready, &wait, 20));
  iterate ();
  g_assert_cmpstr (fs_pin_item_get_label (pin (f, 0)), ==, "same settings");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (f, "spectrum_caption"))),
                            "rank cut at 3,"));
}

static gboolean
no_pins (gpointer window)
{
  return g_list_model_get_n_items (fs_window_get_pins (window)) == 0;
}

/* Eight runs at most; a ninth Keep says so and keeps nothing. Removing one
 * makes room, and a new matrix drops them all. */
static void
test_keep_limit (Fixture       *f,
                 gconstpointer  data)
{
  GListModel *pins;

  run_digits (f, 2, 20, 0.0);
  pins = fs_window_get_pins (f->window);
  for (guint k = 0; k < FS_PINS_MAX; k++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (pins), ==, FS_PINS_MAX);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (pins), ==, FS_PINS_MAX);

  /* Every kept run has a colour of its own. */
  for (guint a = 0; a < FS_PINS_MAX; a++)
    for (guint b = a + 1; b < FS_PINS_MAX; b++)
      g_assert_false (gdk_rgba_equal (fs_pin_item_get_colour (pin (f, a)),
                                      fs_pin_item_get_colour (pin (f, b))));

  g_signal_emit_by_name (gtk_widget_get_first_child (GTK_WIDGET (child (f, "pin_bar_slot"))),
                         "remove", pin (f, 3));
  g_assert_cmpuint (g_list_model_get_n_items (pins), ==, FS_PINS_MAX - 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (pins), ==, FS_PINS_MAX);

  load_example (f, "lowrank");
  g_assert_true (fs_test_wait_for (no_pins, f->window, 20));
  g_assert_cmpuint (fs_window_get_matrix (f->window)->cols, !=, 64);
}

/* Held-out cells: the error plot shows beside the loss plot, f* is the
 * full data's and labelled so, and the status gives no gap. */
static void
test_holdout (Fixture       *f,
              gconstpointer  data)
{
  FsSnapshot *s;

  run_digits (f, 8, 300, 0.1);
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpfloat (s->params.holdout, ==, 0.1);
  g_assert_true (isfinite (s->holdout_mse) && s->holdout_mse > 0.0);
  g_assert_true (isfinite (s->train_mse) && s->train_mse > 0.0);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "mse_revealer"))));
  g_assert_true (fs_session_get_optimum_is_reference (fs_window_get_session (f->window)));
  g_assert_null (strstr (fs_window_get_status (f->window), "gap"));

  run_digits (f, 8, 50, 0.0);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "mse_revealer"))));
  g_assert_false (fs_session_get_optimum_is_reference (fs_window_get_session (f->window)));
  g_assert_true (isnan (fs_window_get_shown_snapshot (f->window)->holdout_mse));
}

/* Replay: the slider moves the views to a kept iteration while the live
 * snapshot stays the loss plot's; back to live after. */
static void
test_replay (Fixture       *f,
             gconstpointer  data)
{
  GtkRange *scale = GTK_RANGE (child (f, "replay_scale"));
  FsSnapshot *live, *viewed;
  guint index = G_MAXUINT;

  run_digits (f, 4, 1000, 0.0);
  live = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpuint (live->n_checkpoints, >=, 3);
  for (guint k = 0; k < live->n_checkpoints; k++)
    if (live->checkpoints[k]->iteration == 64)
      index = k;
  g_assert_cmpuint (index, !=, G_MAXUINT);
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_range_get_adjustment (scale)), ==,
                     live->n_checkpoints - 1);

  gtk_range_set_value (scale, index);
  viewed = fs_window_get_viewed_snapshot (f->window);
  g_assert_true (viewed != live);
  g_assert_cmpuint (viewed->iteration, ==, 64);
  /* Iteration 64's factors, not the live ones. */
  g_assert_true (viewed->W == live->checkpoints[index]->W);
  g_assert_true (memcmp (viewed->W, live->W, live->rows * live->rank * sizeof (double)) != 0);
  g_assert_true (fs_heatmap_get_snapshot (fs_window_get_heatmap (f->window, FS_HEATMAP_WH)) == viewed);
  g_assert_true (fs_window_get_shown_snapshot (f->window) == live);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (f, "replay_label"))), "64"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.replay-live", NULL));
  g_assert_true (fs_window_get_viewed_snapshot (f->window) == live);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (f, "replay_label"))), ==, "Live");
}

static gboolean
sweep_done (gpointer data)
{
  Fixture *f = data;
  FsSweepView *view = FS_SWEEP_VIEW (gtk_widget_get_first_child (GTK_WIDGET (child (f, "sweep_slot"))));
  FsSweep *sweep = fs_sweep_view_get_sweep (view);

  return sweep != NULL && fs_sweep_is_done (sweep);
}

static gboolean
sweep_gone (gpointer data)
{
  Fixture *f = data;
  FsSweepView *view = FS_SWEEP_VIEW (gtk_widget_get_first_child (GTK_WIDGET (child (f, "sweep_slot"))));

  return fs_sweep_view_get_sweep (view) == NULL;
}

static gboolean
is_running_at_rank_3 (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->rank == 3 && s->iteration > 0;
}

/* A rank sweep in the Sweep view (Alt+5); a point kept becomes a ghost
 * named by its rank, a point loaded becomes the live run. */
static void
test_sweep (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSweepPoint) point = NULL;
  FsSweepView *view;
  FsSweep *sweep;
  Wait wait = { f->window, 0, 3 };

  run_digits (f, 2, 200, 0.0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", "sweep"));
  view = FS_SWEEP_VIEW (gtk_widget_get_first_child (GTK_WIDGET (child (f, "sweep_slot"))));
  g_assert_true (fs_sweep_view_set_range (view, FS_SWEEP_RANK, "1:4", &error));
  g_assert_no_error (error);
  g_assert_true (fs_sweep_view_start (view, &error));
  g_assert_no_error (error);
  g_assert_true (fs_test_wait_for (sweep_done, f, 60));
  sweep = fs_sweep_view_get_sweep (view);
  g_assert_cmpuint (fs_sweep_get_n_points (sweep), ==, 4);
  iterate ();
  g_assert_cmpuint (fs_sweep_plot_get_n_points (fs_sweep_view_get_plot (view)), ==, 4);

  point = fs_sweep_get_point (sweep, 2);
  g_assert_cmpint (point->state, ==, FS_SWEEP_POINT_DONE);
  g_signal_emit_by_name (view, "keep-point", point);
  g_assert_cmpuint (g_list_model_get_n_items (fs_window_get_pins (f->window)), ==, 1);
  /* Each point started from its own rate: the label says so. */
  g_assert_true (g_str_has_prefix (fs_pin_item_get_label (pin (f, 0)), "rank 3"));
  g_assert_cmpfloat (fs_pin_item_get_cost (pin (f, 0)), ==, point->cost);

  wait.after = fs_window_get_shown_snapshot (f->window)->serial;
  g_signal_emit_by_name (view, "load-point", point);
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, ==, 3);
  g_assert_true (fs_test_wait_for (is_running_at_rank_3, f->window, 20));
  /* Loaded, the point's settings run again to the point's own result. */
  g_assert_true (fs_test_wait_for (is_finished, &wait, 60));
  g_assert_cmpfloat (final_cost (fs_window_get_shown_snapshot (f->window)), ==, point->cost);
}


static FsSweepView *
sweep_view (Fixture *f)
{
  return FS_SWEEP_VIEW (gtk_widget_get_first_child (GTK_WIDGET (child (f, "sweep_slot"))));
}

/* Sweeps text on the live settings and returns point index of it, done. */
static FsSweepPoint *
sweep_point (Fixture     *f,
             FsSweepAxis  axis,
             const char  *text,
             guint        index)
{
  g_autoptr(GError) error = NULL;
  FsSweepPoint *point;

  g_assert_true (fs_sweep_view_set_range (sweep_view (f), axis, text, &error));
  g_assert_no_error (error);
  g_assert_true (fs_sweep_view_start (sweep_view (f), &error));
  g_assert_no_error (error);
  g_assert_true (fs_test_wait_for (sweep_done, f, 60));
  point = fs_sweep_get_point (fs_sweep_view_get_sweep (sweep_view (f)), index);
  g_assert_cmpint (point->state, ==, FS_SWEEP_POINT_DONE);
  return point;
}

typedef struct
{
  FsWindow *window;
  double    cost;
} CostWait;

static gboolean
shows_cost (gpointer data)
{
  CostWait *wait = data;
  FsSnapshot *s = fs_window_get_shown_snapshot (wait->window);

  return s != NULL && s->state == FS_RUNNER_FINISHED && final_cost (s) == wait->cost;
}

/* Load on a penalty's point runs that point's run from its start, not
 * the live run with the point's penalty from where it is. */
static void
test_sweep_penalty_load (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(FsSweepPoint) point = NULL;
  CostWait wait;

  run_digits (f, 3, 300, 0.0);
  point = sweep_point (f, FS_SWEEP_L2, "0.5:5:2", 1);
  g_assert_cmpfloat (point->params.l2_w, ==, 5.0);
  wait = (CostWait) { f->window, point->cost };
  g_signal_emit_by_name (sweep_view (f), "load-point", point);
  g_assert_cmpfloat (fs_session_get_params (fs_window_get_session (f->window))->l2_w, ==, 5.0);
  g_assert_true (fs_test_wait_for (shows_cost, &wait, 30));
  g_assert_cmpuint (fs_window_get_shown_snapshot (f->window)->n_marks, ==, 0);
}

/* A sweep of the last matrix goes with it: its points can no longer be
 * kept or loaded. */
static void
test_sweep_of_another_matrix (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(FsSweepPoint) point = NULL;

  run_digits (f, 2, 100, 0.0);
  point = sweep_point (f, FS_SWEEP_RANK, "1:2", 0);
  load_example (f, "lowrank");
  g_assert_true (fs_test_wait_for (no_pins, f->window, 20));
  g_assert_true (fs_test_wait_for (sweep_gone, f, 20));
  g_signal_emit_by_name (sweep_view (f), "keep-point", point);
  g_assert_cmpuint (g_list_model_get_n_items (fs_window_get_pins (f->window)), ==, 0);
  g_signal_emit_by_name (sweep_view (f), "load-point", point);
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, !=, point->params.rank);
}

static gboolean
stopped_at_tolerance (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_FINISHED && s->stop == FS_STOP_TOLERANCE;
}

static gboolean
stopped_at_limit (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_FINISHED && s->stop == FS_STOP_ITERATIONS;
}

/* Run past a convergence lifts the tolerance for the run, not in the
 * settings: the run kept then has the live settings. */
static void
test_keep_past_convergence (Fixture       *f,
                            gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;

  load_example (f, "lowrank");
  params = *fs_param_panel_get_params (panel);
  params.tol = 1e-6;
  params.max_iters = 3000;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (stopped_at_tolerance, f->window, 60));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (stopped_at_limit, f->window, 60));
  g_assert_cmpfloat (fs_window_get_shown_snapshot (f->window)->params.tol, ==, 1e-6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.keep", NULL));
  g_assert_cmpstr (fs_pin_item_get_label (pin (f, 0)), ==, "same settings");
}

/* Replaying a finished run: the zeros are the replayed W and H's; and a
 * new run ends the replay. */
static void
test_replay_zeros_and_new_run (Fixture       *f,
                               gconstpointer  data)
{
  GtkRange *scale = GTK_RANGE (child (f, "replay_scale"));
  GtkLabel *zeros = GTK_LABEL (child (f, "zeros_label"));
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;
  g_autofree char *live_zeros = NULL;
  FsSnapshot *live;

  load_example (f, "digits");
  params = *fs_param_panel_get_params (panel);
  params.nonneg = TRUE;
  fs_param_panel_set_params (panel, &params);
  run_digits (f, 6, 1000, 0.0);
  live = fs_window_get_shown_snapshot (f->window);
  live_zeros = g_strdup (gtk_label_get_label (zeros));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (zeros)));
  g_assert_cmpuint (live->checkpoints[1]->iteration, ==, 1);
  gtk_range_set_value (scale, 1);
  g_assert_cmpuint (fs_window_get_viewed_snapshot (f->window)->iteration, ==, 1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (zeros)) &&
                  g_strcmp0 (gtk_label_get_label (zeros), live_zeros) == 0);

  run_digits (f, 5, 300, 0.0);
  g_assert_true (fs_window_get_viewed_snapshot (f->window) == fs_window_get_shown_snapshot (f->window));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (f, "replay_label"))), ==, "Live");
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

  add ("/window-tuning/keep-and-compare", test_keep_and_compare);
  add ("/window-tuning/show-kept-run", test_show_kept_run);
  add ("/window-tuning/restore", test_restore);
  add ("/window-tuning/keep-limit", test_keep_limit);
  add ("/window-tuning/holdout", test_holdout);
  add ("/window-tuning/replay", test_replay);
  add ("/window-tuning/sweep", test_sweep);
  add ("/window-tuning/sweep-penalty-load", test_sweep_penalty_load);
  add ("/window-tuning/sweep-of-another-matrix", test_sweep_of_another_matrix);
  add ("/window-tuning/keep-past-convergence", test_keep_past_convergence);
  add ("/window-tuning/replay-zeros-and-new-run", test_replay_zeros_and_new_run);
  return g_test_run ();
}
