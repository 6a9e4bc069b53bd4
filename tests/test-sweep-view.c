/* test-sweep-view.c: the sweep plot from points made by hand (positions,
 * axes, legend, readout, the mouse and the keyboard), and the Sweep view
 * running a real sweep.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-sweep-view.h"
#include "fs-test-ui.h"

static FsSweepPoint *
made_point (guint             index,
            double            value,
            FsSweepPointState state,
            double            cost,
            double            optimum,
            double            holdout_mse)
{
  FsSweepPoint *p = g_new0 (FsSweepPoint, 1);

  p->index = index;
  p->value = value;
  p->state = state;
  p->cost = cost;
  p->optimum = optimum;
  p->holdout_mse = holdout_mse;
  p->train_mse = isfinite (holdout_mse) ? holdout_mse * 0.7 : NAN;
  p->iteration = state == FS_SWEEP_POINT_WAITING ? 0 : 4000;
  p->total_iterations = p->iteration;
  p->params.max_iters = 10000;
  p->params.rank = (guint) value;
  return p;
}

/* Ranks 1 … n, all done, with an elbow at 6 and, with held-out cells, a
 * held-out MSE lowest at 8. */
static void
set_rank_points (FsSweepPlot *plot,
                 guint        n,
                 gboolean     holdout)
{
  g_autofree FsSweepPoint **points = g_new (FsSweepPoint *, n);

  for (guint k = 0; k < n; k++)
    {
      double rank = k + 1.0;
      double cost = 10.0 + 400.0 * exp (-rank / 1.5) + 2.0 / rank;

      points[k] = made_point (k, rank, FS_SWEEP_POINT_DONE, cost, cost * 0.97,
                              holdout ? 0.03 + 0.002 * (rank - 8) * (rank - 8) : NAN);
    }
  fs_sweep_plot_set_points (plot, FS_SWEEP_RANK, points, n);
}

static FsSweepPlot *
shown_plot (GtkWindow **window)
{
  FsSweepPlot *plot = g_object_ref_sink (FS_SWEEP_PLOT (fs_sweep_plot_new ()));

  *window = fs_test_show (GTK_WIDGET (plot), 640, 360);
  return plot;
}

/* Done points' positions: strictly rightwards in rank order, evenly
 * spaced, lower for a lower cost; the legend names the curves drawn. */
static void
test_rank_positions (void)
{
  GtkWindow *window;
  FsSweepPlot *plot = shown_plot (&window);
  double x0, y0, x1, y1, step = 0;

  set_rank_points (plot, 20, FALSE);
  g_assert_cmpuint (fs_sweep_plot_get_n_points (plot), ==, 20);
  g_assert_cmpuint (fs_sweep_plot_get_n_legend_entries (plot), ==, 2);
  g_assert_cmpstr (fs_sweep_plot_get_legend_entry (plot, 0), ==, "Training cost");
  g_assert_cmpstr (fs_sweep_plot_get_legend_entry (plot, 1), ==, "f*");
  g_assert_true (fs_sweep_plot_get_point_position (plot, 0, &x0, &y0));
  for (guint k = 1; k < 20; k++)
    {
      g_assert_true (fs_sweep_plot_get_point_position (plot, k, &x1, &y1));
      g_assert_cmpfloat (x1, >, x0);
      if (k == 1)
        step = x1 - x0;
      g_assert_cmpfloat_with_epsilon (x1 - x0, step, 1e-9);
      /* The cost falls with the rank: further down the widget. */
      g_assert_cmpfloat (y1, >, y0);
      g_assert_cmpfloat (x1, <, 640);
      x0 = x1;
      y0 = y1;
    }

  set_rank_points (plot, 20, TRUE);
  g_assert_cmpuint (fs_sweep_plot_get_n_legend_entries (plot), ==, 4);
  g_assert_cmpstr (fs_sweep_plot_get_legend_entry (plot, 2), ==, "Held-out MSE");
  g_assert_cmpstr (fs_sweep_plot_get_legend_entry (plot, 3), ==, "Training MSE");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Sweep");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Legend: Training cost; f*; Held-out MSE; Training MSE");

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* A penalty's log grid is evenly spaced on its log axis; a value of 0 is
 * drawn left of them all. */
static void
test_log_penalties (void)
{
  GtkWindow *window;
  FsSweepPlot *plot = shown_plot (&window);
  FsSweepPoint *points[10];
  double x[10], y, step;

  points[0] = made_point (0, 0.0, FS_SWEEP_POINT_DONE, 30.0, NAN, NAN);
  for (guint k = 1; k < 10; k++)
    points[k] = made_point (k, 1e-3 * pow (10, (k - 1) / 2.0), FS_SWEEP_POINT_DONE,
                            20.0 + k, NAN, NAN);
  fs_sweep_plot_set_points (plot, FS_SWEEP_L2, points, 10);
  for (guint k = 0; k < 10; k++)
    g_assert_true (fs_sweep_plot_get_point_position (plot, k, &x[k], &y));
  step = x[2] - x[1];
  g_assert_cmpfloat (step, >, 20.0);
  for (guint k = 2; k < 10; k++)
    g_assert_cmpfloat_with_epsilon (x[k] - x[k - 1], step, 1e-9);
  g_assert_cmpfloat (x[0], <, x[1] - 10.0);
  /* No f*, no held-out cells: the cost's entry alone. */
  g_assert_cmpuint (fs_sweep_plot_get_n_legend_entries (plot), ==, 1);

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static void
emit_on (GtkWidget  *widget,
         GType       type,
         const char *signal,
         ...)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, k);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        {
          va_list args;

          va_start (args, signal);
          g_signal_emit_valist (controller, g_signal_lookup (signal, type), 0, args);
          va_end (args);
        }
    }
}

static gboolean
press_key (FsSweepPlot *plot,
           guint        keyval)
{
  gboolean handled = FALSE;

  emit_on (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_KEY, "key-pressed", keyval, 0,
           (GdkModifierType) 0, &handled);
  return handled;
}

/* Six points: done, done, running, waiting, failed, done. */
static void
set_mixed_points (FsSweepPlot *plot)
{
  FsSweepPoint *points[6];

  points[0] = made_point (0, 4, FS_SWEEP_POINT_DONE, 40.0, 38.0, 0.05);
  points[1] = made_point (1, 6, FS_SWEEP_POINT_DONE, 12.3, 11.9, 0.034);
  points[2] = made_point (2, 8, FS_SWEEP_POINT_RUNNING, 50.0, NAN, NAN);
  points[3] = made_point (3, 10, FS_SWEEP_POINT_WAITING, NAN, NAN, NAN);
  points[4] = made_point (4, 12, FS_SWEEP_POINT_FAILED, NAN, NAN, NAN);
  points[4]->message = g_strdup ("rank 12 is above the matrix's rank 11");
  points[5] = made_point (5, 14, FS_SWEEP_POINT_DONE, 9.0, 8.5, 0.04);
  fs_sweep_plot_set_points (plot, FS_SWEEP_RANK, points, 6);
}

/* Points not done are not positioned; hovering reads a point out. */
static void
test_states_and_readout (void)
{
  GtkWindow *window;
  FsSweepPlot *plot = shown_plot (&window);
  double x, y, x0, step;

  set_mixed_points (plot);
  g_assert_true (fs_sweep_plot_get_point_position (plot, 1, &x, &y));
  g_assert_false (fs_sweep_plot_get_point_position (plot, 2, NULL, NULL));
  g_assert_false (fs_sweep_plot_get_point_position (plot, 3, NULL, NULL));
  g_assert_false (fs_sweep_plot_get_point_position (plot, 4, NULL, NULL));
  g_assert_null (fs_sweep_plot_get_readout (plot));

  emit_on (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_MOTION, "motion", x + 2.0, y - 30.0);
  g_assert_cmpstr (fs_sweep_plot_get_readout (plot), ==,
                   "rank 6: cost 12.3, f* 11.9, held-out MSE 0.034, 4000 iterations");
  /* The points not done are where the others put them: a step apart. */
  g_assert_true (fs_sweep_plot_get_point_position (plot, 0, &x0, NULL));
  step = x - x0;
  emit_on (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_MOTION, "motion", x + step, y);
  g_assert_cmpstr (fs_sweep_plot_get_readout (plot), ==,
                   "rank 8: running, iteration 4000 of 10000");
  emit_on (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_MOTION, "motion", x + 3 * step, y);
  g_assert_cmpstr (fs_sweep_plot_get_readout (plot), ==,
                   "rank 12: failed: rank 12 is above the matrix's rank 11");
  emit_on (GTK_WIDGET (plot), GTK_TYPE_EVENT_CONTROLLER_MOTION, "leave");
  g_assert_null (fs_sweep_plot_get_readout (plot));

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static void
on_activated (FsSweepPlot *plot,
              guint        index,
              GArray      *activated)
{
  g_array_append_val (activated, index);
}

/* A click at a done point's position activates it, one beside a running
 * point does not; Left and Right go from done point to done point, and
 * Enter or Space activate the selected one. */
static void
test_activation (void)
{
  GtkWindow *window;
  FsSweepPlot *plot = shown_plot (&window);
  g_autoptr(GArray) activated = g_array_new (FALSE, FALSE, sizeof (guint));
  double x, y;

  set_mixed_points (plot);
  g_signal_connect (plot, "point-activated", G_CALLBACK (on_activated), activated);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (plot)));

  g_assert_true (fs_sweep_plot_get_point_position (plot, 5, &x, &y));
  emit_on (GTK_WIDGET (plot), GTK_TYPE_GESTURE_CLICK, "released", 1, x + 3.0, y - 3.0);
  g_assert_cmpuint (activated->len, ==, 1);
  g_assert_cmpuint (g_array_index (activated, guint, 0), ==, 5);
  /* 30 pixels away: nothing. */
  emit_on (GTK_WIDGET (plot), GTK_TYPE_GESTURE_CLICK, "released", 1, x, y - 30.0);
  g_assert_cmpuint (activated->len, ==, 1);

  /* From 5, Left skips the failed, waiting and running points to 1. */
  g_assert_true (press_key (plot, GDK_KEY_Left));
  g_assert_true (press_key (plot, GDK_KEY_Return));
  g_assert_cmpuint (activated->len, ==, 2);
  g_assert_cmpuint (g_array_index (activated, guint, 1), ==, 1);
  g_assert_true (press_key (plot, GDK_KEY_Left));
  g_assert_true (press_key (plot, GDK_KEY_Left));
  g_assert_true (press_key (plot, GDK_KEY_space));
  g_assert_cmpuint (g_array_index (activated, guint, 2), ==, 0);
  g_assert_true (press_key (plot, GDK_KEY_Right));
  g_assert_true (press_key (plot, GDK_KEY_Right));
  g_assert_true (press_key (plot, GDK_KEY_KP_Enter));
  g_assert_cmpuint (activated->len, ==, 4);
  g_assert_cmpuint (g_array_index (activated, guint, 3), ==, 5);
  g_assert_false (press_key (plot, GDK_KEY_a));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Legend: Training cost; f*; Held-out MSE; Training MSE. "
                                       "Selected: rank 14: cost 9, f* 8.5, held-out MSE 0.04, "
                                       "4000 iterations");

  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

/* 20 rank points with and without held-out cells, and points in every
 * state, light and dark, to look at (FS_TEST_SCREENSHOTS). */
static void
test_screenshots (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWindow *window;
  FsSweepPlot *plot = shown_plot (&window);

  for (int dark = 0; dark < 2; dark++)
    {
      adw_style_manager_set_color_scheme (style, dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                                      : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (int kind = 0; kind < 3; kind++)
        {
          static const char *names[] = { "sweep-plot-rank", "sweep-plot-rank-holdout",
                                         "sweep-plot-states" };
          g_autofree char *name = g_strconcat (names[kind], dark ? "-dark" : "-light", NULL);
          g_autoptr(FsTestImage) image = NULL;

          if (kind < 2)
            set_rank_points (plot, 20, kind == 1);
          else
            {
              set_mixed_points (plot);
              gtk_widget_grab_focus (GTK_WIDGET (plot));
              press_key (plot, GDK_KEY_Left);
            }
          fs_test_redraw (GTK_WIDGET (plot));
          image = fs_test_render (GTK_WIDGET (plot));
          fs_test_maybe_save_over (image, name, dark);
        }
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
}

static gboolean
has_matrix (gpointer session)
{
  return fs_session_get_matrix (session) != NULL;
}

/* A session holding R's USArrests (50 × 4), from the repository. */
static FsSession *
session_with_matrix (void)
{
  FsSession *session = fs_session_new ();
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv", "R_USArrests.csv",
                                            NULL);

  fs_session_open_path (session, path);
  g_assert_true (fs_test_wait_for (has_matrix, session, 30));
  return session;
}

static gboolean
sweep_done (gpointer view)
{
  FsSweep *sweep = fs_sweep_view_get_sweep (view);
  FsSweepPlot *plot = fs_sweep_view_get_plot (view);

  if (sweep == NULL || !fs_sweep_is_done (sweep) || fs_sweep_plot_get_n_points (plot) == 0)
    return FALSE;
  for (guint k = 0; k < fs_sweep_plot_get_n_points (plot); k++)
    if (!fs_sweep_plot_get_point_position (plot, k, NULL, NULL))
      return FALSE;
  return TRUE;
}

/* The first button under widget whose label is label. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The spin button under widget whose accessible name is name. */
static GtkWidget *
find_spin (GtkWidget  *widget,
           const char *name)
{
  if (GTK_IS_SPIN_BUTTON (widget))
    {
      g_autofree char *failed = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                    name);

      if (failed == NULL)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_spin (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_load_point (FsSweepView  *view,
               FsSweepPoint *point,
               double       *loaded)
{
  loaded[0] = point->index;
  loaded[1] = point->value;
  loaded[2] = point->W != NULL ? point->cost : NAN;
}

/* The view sweeps ranks 1 … 3 of a real matrix: every point ends on the
 * plot with its numbers; activating one opens the popover, whose Load
 * hands the point over. Bad ranges are refused with a message. */
static void
test_view_runs_a_sweep (void)
{
  g_autoptr(FsSession) session = session_with_matrix ();
  g_autoptr(GError) error = NULL;
  FsSweepView *view = g_object_ref_sink (FS_SWEEP_VIEW (fs_sweep_view_new (session)));
  GtkWindow *window = fs_test_show (GTK_WIDGET (view), 900, 500);
  FsSweepPlot *plot = fs_sweep_view_get_plot (view);
  double loaded[3] = { -1, -1, -1 };
  GtkWidget *start = find_button (GTK_WIDGET (view), "Start");
  double x1, x2, x3;

  g_assert_nonnull (start);
  g_assert_null (fs_sweep_view_get_sweep (view));
  g_assert_false (fs_sweep_view_set_range (view, FS_SWEEP_RANK, "0:3", &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (fs_sweep_view_set_range (view, FS_SWEEP_RANK, "1:3", &error));
  g_assert_no_error (error);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (start), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Start sweep");
  g_assert_true (fs_sweep_view_start (view, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (start)), ==, "Cancel");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (start), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Cancel sweep");
  g_assert_true (fs_test_wait_for (sweep_done, view, 60));
  g_assert_cmpuint (fs_sweep_plot_get_n_points (plot), ==, 3);
  g_assert_cmpuint (fs_sweep_get_n_points (fs_sweep_view_get_sweep (view)), ==, 3);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (start)), ==, "Start");
  g_assert_true (fs_sweep_plot_get_point_position (plot, 0, &x1, NULL));
  g_assert_true (fs_sweep_plot_get_point_position (plot, 1, &x2, NULL));
  g_assert_true (fs_sweep_plot_get_point_position (plot, 2, &x3, NULL));
  g_assert_cmpfloat (x1, <, x2);
  g_assert_cmpfloat_with_epsilon (x3 - x2, x2 - x1, 1e-9);
  {
    g_autoptr(FsTestImage) image = NULL;

    fs_test_redraw (GTK_WIDGET (view));
    image = fs_test_render (GTK_WIDGET (view));
    fs_test_maybe_save_over (image, "sweep-view-usarrests", FALSE);
  }

  g_signal_connect (view, "load-point", G_CALLBACK (on_load_point), loaded);
  g_signal_emit_by_name (plot, "point-activated", 1u);
  for (int k = 0; k < 20; k++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (find_button (GTK_WIDGET (view), "Load"));
  g_signal_emit_by_name (find_button (GTK_WIDGET (view), "Load"), "clicked");
  g_assert_cmpfloat (loaded[0], ==, 1);
  g_assert_cmpfloat (loaded[1], ==, 2);
  g_assert_true (isfinite (loaded[2]));

  /* A penalty's grid has a number of points; a rank range has none. */
  g_assert_false (gtk_widget_get_visible (find_spin (GTK_WIDGET (view), "Points")));
  g_assert_true (fs_sweep_view_set_range (view, FS_SWEEP_L2, "1e-3:10:5", &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_get_visible (find_spin (GTK_WIDGET (view), "Points")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (find_spin (GTK_WIDGET (view),
                                                                                  "Points"))), ==, 5);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (find_spin (GTK_WIDGET (view),
                                                                             "To"))), ==, 10.0);

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

/* A new matrix ends the old one's sweep: the view lets it go, points
 * and all. */
static gboolean
sweep_gone (gpointer view)
{
  return fs_sweep_view_get_sweep (view) == NULL &&
         fs_sweep_plot_get_n_points (fs_sweep_view_get_plot (view)) == 0;
}

/* Cancelling stops the sweep, and so does a new matrix; the view's end
 * frees it while running. */
static void
test_view_cancel (void)
{
  g_autoptr(FsSession) session = session_with_matrix ();
  FsSweepView *view = g_object_ref_sink (FS_SWEEP_VIEW (fs_sweep_view_new (session)));
  GtkWindow *window = fs_test_show (GTK_WIDGET (view), 900, 500);
  FsParams params = *fs_session_get_params (session);
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv", "vegan_dune.csv",
                                            NULL);

  g_autoptr(GError) error = NULL;

  params.max_iters = 50000000;
  params.tol = 0.0;
  fs_session_set_params (session, &params, &error);
  g_assert_no_error (error);
  g_assert_true (fs_sweep_view_set_range (view, FS_SWEEP_L1, "1e-4:1:5", NULL));
  g_assert_true (fs_sweep_view_start (view, NULL));
  fs_sweep_view_cancel (view);
  fs_sweep_wait (fs_sweep_view_get_sweep (view));
  g_assert_true (fs_sweep_is_done (fs_sweep_view_get_sweep (view)));

  /* A new matrix cancels the sweep of the old one, and drops it. */
  g_assert_true (fs_sweep_view_start (view, NULL));
  g_assert_false (fs_sweep_is_done (fs_sweep_view_get_sweep (view)));
  fs_session_open_path (session, path);
  g_assert_true (fs_test_wait_for (sweep_gone, view, 30));

  g_assert_true (fs_sweep_view_start (view, NULL));
  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/sweep-plot/rank-positions", test_rank_positions);
  g_test_add_func ("/sweep-plot/log-penalties", test_log_penalties);
  g_test_add_func ("/sweep-plot/states-and-readout", test_states_and_readout);
  g_test_add_func ("/sweep-plot/activation", test_activation);
  g_test_add_func ("/sweep-plot/screenshots", test_screenshots);
  g_test_add_func ("/sweep-view/runs-a-sweep", test_view_runs_a_sweep);
  g_test_add_func ("/sweep-view/cancel", test_view_cancel);

  return g_test_run ();
}
