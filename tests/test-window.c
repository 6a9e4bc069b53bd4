/* test-window.c: the window as a user drives it. Each case has a window
 * of its own, so any case runs alone (-p).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-examples.h"
#include "fs-loss-plot.h"
#include "fs-rules.h"
#include "fs-step-size.h"
#include "fs-test-window.h"

static gboolean
reached_500 (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration >= 500;
}

static gboolean
reached_10 (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration >= 10 && s->state == FS_RUNNER_PAUSED;
}

static gboolean
is_paused (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state != FS_RUNNER_RUNNING;
}

static gboolean
at_zero (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration == 0 && s->state == FS_RUNNER_PAUSED;
}

static gboolean
has_banner (gpointer window)
{
  return fs_window_get_banner (window) != NULL;
}

static gboolean
idle (gpointer window)
{
  FsSession *session = fs_window_get_session (window);

  return !fs_session_get_busy (session) && !fs_session_get_computing_optimum (session);
}

/* Whether the button of a window action is live (an actionable widget is
 * sensitive exactly when its action is enabled). */
static gboolean
action_enabled (Fixture    *f,
                const char *name)
{
  GtkWidget *panel = GTK_WIDGET (fs_window_get_panel (f->window));
  GObject *button;

  if (g_str_equal (name, "suggest-lr"))
    button = gtk_widget_get_template_child (panel, FS_TYPE_PARAM_PANEL, "suggest_button");
  else
    button = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW,
                                            g_str_equal (name, "run-pause") ? "run_button"
                                            : g_str_equal (name, "step") ? "step_button" : "reset_button");
  g_assert_nonnull (button);
  /* A split button passes its action to the button inside it. */
  if (ADW_IS_SPLIT_BUTTON (button))
    button = G_OBJECT (gtk_widget_get_first_child (GTK_WIDGET (button)));
  g_assert_true (GTK_IS_BUTTON (button));
  return gtk_widget_get_sensitive (GTK_WIDGET (button));
}

static void
test_run_pause_reset (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(FsTestImage) before = NULL;
  g_autoptr(FsTestImage) after = NULL;
  FsHeatmap *wh;
  FsSnapshot *s;
  double first_cost;
  guint64 paused_at;

  /* The cameraman photo, bundled: slow enough to pause mid-run. */
  load_example (f, "camera");
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpuint (s->iteration, ==, 0);
  first_cost = s->cost;
  g_assert_true (g_str_has_prefix (fs_window_get_status (f->window), "Iteration 0 "));

  wh = fs_window_get_heatmap (f->window, FS_HEATMAP_WH);
  before = fs_test_render (GTK_WIDGET (wh));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (reached_500, f->window, 60));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_paused, f->window, 10));

  s = fs_window_get_shown_snapshot (f->window);
  paused_at = s->iteration;
  g_assert_cmpfloat (s->cost, <, 0.5 * first_cost);
  g_assert_true (g_str_has_prefix (fs_window_get_status (f->window), "Iteration "));

  /* Paused: the count stays. */
  for (int k = 0; k < 200; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (fs_window_get_shown_snapshot (f->window)->iteration, ==, paused_at);

  /* The WH heatmap changed. */
  after = fs_test_render (GTK_WIDGET (wh));
  g_assert_cmpint (before->width, ==, after->width);
  g_assert_true (memcmp (before->pixels, after->pixels, before->stride * before->height) != 0);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reset", NULL);
  g_assert_true (fs_test_wait_for (at_zero, f->window, 10));
  /* The same start, to rounding: with two solver threads (the photo is
   * large enough for them) the rows each thread sums depend on timing. */
  g_assert_cmpfloat_with_epsilon (fs_window_get_shown_snapshot (f->window)->cost, first_cost,
                                  1e-12 * first_cost);
}

/* A file that fails leaves the title, the rank limit, the heatmaps and
 * the runner exactly as they were. */
static void
test_broken_file_keeps_matrix (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ragged.csv", NULL);
  FsParamPanel *panel = fs_window_get_panel (f->window);
  g_autofree char *title = NULL;
  FsSnapshot *shown;
  FsMatrix *before;
  guint limit;
  const char *banner;

  load_example (f, "notebook");
  g_assert_true (fs_test_wait_for (idle, f->window, 10));
  g_assert_true (g_file_set_contents (path, "1,2,3\n4,5\n", -1, NULL));
  before = fs_window_get_matrix (f->window);
  g_assert_nonnull (before);
  title = g_strdup (fs_param_panel_get_data_description (panel));
  g_assert_cmpstr (title, ==, "Notebook example: 3 × 4");
  limit = fs_param_panel_get_rank_limit (panel);
  g_assert_cmpuint (limit, ==, 3);
  shown = fs_window_get_shown_snapshot (f->window);

  fs_window_open_path (f->window, path);
  g_assert_true (fs_test_wait_for (has_banner, f->window, 10));
  g_assert_true (fs_test_wait_for (idle, f->window, 10));
  banner = fs_window_get_banner (f->window);
  g_test_message ("%s", banner);
  g_assert_nonnull (strstr (banner, "ragged.csv:2:"));
  g_assert_nonnull (strstr (banner, "stays"));
  g_assert_true (fs_window_get_matrix (f->window) == before);
  g_assert_cmpstr (fs_param_panel_get_data_description (panel), ==, title);
  g_assert_cmpuint (fs_param_panel_get_rank_limit (panel), ==, limit);
  g_assert_true (fs_window_get_shown_snapshot (f->window) == shown);
}

/* The Examples menu is the core's table, in order. */
static void
test_examples_menu (Fixture       *f,
                    gconstpointer  data)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW,
                                                   "examples_button");
  GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  guint n;
  const FsExample *examples = fs_examples_get (&n);

  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = NULL;
      g_autofree char *target = NULL;

      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label));
      g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_TARGET, "s", &target));
      g_assert_cmpstr (label, ==, examples[i].menu_label);
      g_assert_cmpstr (target, ==, examples[i].name);
    }
}

/* Step only while paused, Reset once there is something to undo, Suggest
 * once there is a matrix; the Run button says what pressing it does. */
static void
test_actions_follow_snapshot (Fixture       *f,
                              gconstpointer  data)
{
  FsParams params;

  g_assert_false (action_enabled (f, "run-pause"));
  g_assert_false (action_enabled (f, "step"));
  g_assert_false (action_enabled (f, "reset"));
  g_assert_false (action_enabled (f, "suggest-lr"));

  load_example (f, "lowrank");
  g_assert_true (action_enabled (f, "run-pause"));
  g_assert_true (action_enabled (f, "step"));
  g_assert_false (action_enabled (f, "reset"));
  g_assert_true (action_enabled (f, "suggest-lr"));

  params = *fs_param_panel_get_params (fs_window_get_panel (f->window));
  params.max_iters = 50000000;
  params.tol = 0.0;
  fs_param_panel_set_params (fs_window_get_panel (f->window), &params);
  g_assert_true (fs_session_set_params (fs_window_get_session (f->window), &params, NULL));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_running, f->window, 10));
  g_assert_false (action_enabled (f, "step"));
  g_assert_true (action_enabled (f, "reset"));
  g_assert_true (fs_test_wait_for (reached_500, f->window, 30));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_paused, f->window, 10));
  g_assert_true (action_enabled (f, "step"));
  g_assert_true (action_enabled (f, "reset"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reset", NULL);
  g_assert_true (fs_test_wait_for (at_zero, f->window, 10));
  g_assert_false (action_enabled (f, "reset"));
}

static gboolean
lr_is (gpointer data)
{
  Fixture *f = data;
  double wanted = *(double *) g_object_get_data (G_OBJECT (f->window), "wanted");

  return fs_param_panel_get_params (fs_window_get_panel (f->window))->lr == wanted &&
         fs_session_get_params (fs_window_get_session (f->window))->lr == wanted;
}

/* Suggest sets the step the rule starts from: the one a new matrix got. */
static void
test_suggest_sets_starting_step (Fixture       *f,
                                 gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  double starting;

  load_example (f, "lowrank");
  starting = fs_param_panel_get_params (panel)->lr;
  g_assert_cmpfloat (starting, ==, fs_session_get_params (fs_window_get_session (f->window))->lr);
  g_assert_cmpfloat (starting, >, 0.0);

  /* The user types another rate; it reaches the session. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                             FS_TYPE_PARAM_PANEL,
                                                                             "lr_spin")),
                             0.5);
  g_assert_cmpfloat (fs_session_get_params (fs_window_get_session (f->window))->lr, ==, 0.5);

  g_object_set_data (G_OBJECT (f->window), "wanted", &starting);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.suggest-lr", NULL);
  g_assert_true (fs_test_wait_for (lr_is, f, 10));
}

/* A rate suggested for one matrix never lands on the next: loading another
 * matrix drops a suggestion still on its way. */
static void
test_suggest_then_new_matrix (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  FsParamPanel *panel = fs_window_get_panel (f->window);
  double starting;

  load_example (f, "camera");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.suggest-lr", NULL);
  g_assert_true (fs_window_load_example (f->window, "lowrank", &error));
  g_assert_true (fs_test_wait_for (idle, f->window, 20));
  for (int k = 0; k < 100; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (fs_window_get_matrix (f->window)->rows, ==, 100);
  starting = fs_step_size_starting (fs_window_get_matrix (f->window),
                                    fs_session_get_params (fs_window_get_session (f->window)), NULL);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->lr, ==, starting);
  g_assert_cmpfloat (fs_session_get_params (fs_window_get_session (f->window))->lr, ==, starting);
}

/* Runs that must go on past the low-rank example's convergence. */
static void
no_tolerance (Fixture *f)
{
  FsParams params = *fs_param_panel_get_params (fs_window_get_panel (f->window));

  params.tol = 0.0;
  fs_param_panel_set_params (fs_window_get_panel (f->window), &params);
  g_assert_true (fs_session_set_params (fs_window_get_session (f->window), &params, NULL));
}

static gboolean
rank_two_running (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_RUNNING && s->rank == 2 && s->iteration > 0;
}

/* A setting changed in the panel restarts a running solve, which keeps
 * running. */
static void
test_panel_change_restarts (Fixture       *f,
                            gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  GtkSpinButton *rank = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                        FS_TYPE_PARAM_PANEL,
                                                                        "rank_spin"));
  GtkSpinButton *limit = GTK_SPIN_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                         FS_TYPE_PARAM_PANEL,
                                                                         "iters_spin"));

  load_example (f, "lowrank");
  no_tolerance (f);
  gtk_spin_button_set_value (limit, 50000000);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (reached_500, f->window, 30));

  gtk_spin_button_set_value (rank, 2);
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, ==, 2);
  g_assert_true (fs_test_wait_for (rank_two_running, f->window, 10));
}

static GObject *
panel_child (Fixture    *f,
             const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (fs_window_get_panel (f->window)),
                                                  FS_TYPE_PARAM_PANEL, name);

  g_assert_nonnull (child);
  return child;
}

static gboolean
is_finished_anew (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);
  guint64 *before = g_object_get_data (G_OBJECT (window), "before");

  return s != NULL && s->state == FS_RUNNER_FINISHED && s->iteration != *before;
}

/* Presses Run and waits until the run has stopped somewhere else. */
static void
run_until_finished (Fixture *f)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (f->window);

  g_object_set_data_full (G_OBJECT (f->window), "before",
                          g_memdup2 (&s->iteration, sizeof s->iteration), g_free);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_finished_anew, f->window, 60));
}

static gboolean
status_ends_with (Fixture    *f,
                  const char *reason)
{
  return g_str_has_suffix (fs_window_get_status (f->window), reason);
}

/* The slider sets the session's pace, Ctrl+] and Ctrl+[ move it a notch,
 * and a run at ten a second makes about ten steps a second, each shown. */
static void
test_speed (Fixture       *f,
            gconstpointer  data)
{
  FsSession *session = fs_window_get_session (f->window);
  guint64 shown_steps = 0, last = 0;
  gint64 start, elapsed;
  FsSnapshot *s;

  load_example (f, "lowrank");
  g_assert_cmpfloat (fs_session_get_pace (session), ==, 0.0);
  fs_window_set_pace (f->window, 10);
  g_assert_cmpfloat (fs_session_get_pace (session), ==, 10.0);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.speed", "i", 1);
  g_assert_cmpfloat (fs_session_get_pace (session), ==, 30.0);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.speed", "i", -1);
  g_assert_cmpfloat (fs_session_get_pace (session), ==, 10.0);

  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  while (g_get_monotonic_time () - start < G_USEC_PER_SEC)
    {
      g_main_context_iteration (NULL, FALSE);
      s = fs_window_get_shown_snapshot (f->window);
      if (s->iteration != last)
        {
          shown_steps++;
          last = s->iteration;
        }
      g_usleep (1000);
    }
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_paused, f->window, 10));
  elapsed = g_get_monotonic_time () - start;
  s = fs_window_get_shown_snapshot (f->window);
  g_test_message ("%" G_GUINT64_FORMAT " iterations in %.2f s, %" G_GUINT64_FORMAT " shown",
                  s->iteration, (double) elapsed / G_USEC_PER_SEC, shown_steps);
  g_assert_cmpuint (s->iteration, <=, 10 * elapsed / G_USEC_PER_SEC + 1);
  g_assert_cmpuint (s->iteration, >=, 3);
  /* Every step was drawn (the last may have come with the pause). */
  g_assert_cmpuint (shown_steps + 1, >=, s->iteration);
  g_assert_true (status_ends_with (f, "paused"));
}

/* Run after a convergence goes on from W and H to the limit; Run at the
 * limit raises it and goes on again: never a restart. */
static void
test_continue (Fixture       *f,
               gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsSnapshot *s;
  guint64 converged_at;

  load_example (f, "lowrank");
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->tol, >, 0.0);
  run_until_finished (f);
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpint (s->stop, ==, FS_STOP_TOLERANCE);
  converged_at = s->iteration;
  g_assert_cmpuint (converged_at, <, 1000);
  g_assert_true (status_ends_with (f, "converged"));
  g_assert_true (action_enabled (f, "step"));

  run_until_finished (f);
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpint (s->stop, ==, FS_STOP_ITERATIONS);
  g_assert_cmpuint (s->iteration, ==, 10000);
  g_assert_cmpuint (s->log_lengths[0], ==, 10001);
  g_assert_true (status_ends_with (f, "iteration limit"));

  run_until_finished (f);
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpuint (s->iteration, ==, 20000);
  g_assert_cmpuint (s->log_lengths[0], ==, 20001);
  g_assert_cmpuint (fs_param_panel_get_params (panel)->max_iters, ==, 20000);
}

static gboolean
has_mark (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->n_marks > 0 && s->state == FS_RUNNER_PAUSED;
}

/* A penalty changed in the panel goes on from the current W and H, with
 * a mark on the curve; the rank restarts. */
static void
test_warm_start (Fixture       *f,
                 gconstpointer  data)
{
  FsSnapshot *s;

  load_example (f, "lowrank");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.step", "u", 10);
  g_assert_true (fs_test_wait_for (reached_10, f->window, 10));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "l2_w_spin")), 0.5);
  g_assert_true (fs_test_wait_for (has_mark, f->window, 10));
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpuint (s->iteration, ==, 10);
  g_assert_cmpuint (s->marks[0].iteration, ==, 10);
  g_assert_cmpstr (s->marks[0].label, ==, "L2 W 0.5");
  g_assert_cmpuint (fs_loss_plot_get_n_marks (FS_LOSS_PLOT (gtk_widget_get_template_child (
                      GTK_WIDGET (f->window), FS_TYPE_WINDOW, "loss_plot"))), ==, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "rank_spin")), 3);
  g_assert_true (fs_test_wait_for (at_zero, f->window, 10));
  g_assert_cmpuint (fs_window_get_shown_snapshot (f->window)->n_marks, ==, 0);
}

/* A new rule gets its own starting step, unless the user typed one. */
static void
test_rule_resuggests_lr (Fixture       *f,
                         gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams adam;
  double wanted;

  load_example (f, "lowrank");
  adam = *fs_session_get_params (fs_window_get_session (f->window));
  adam.rule = fs_rule_find ("adam");
  wanted = fs_step_size_starting (fs_window_get_matrix (f->window), &adam, NULL);
  g_assert_cmpfloat (wanted, !=, fs_param_panel_get_params (panel)->lr);

  adw_combo_row_set_selected (ADW_COMBO_ROW (panel_child (f, "rule_row")), fs_rule_get_index (adam.rule));
  g_object_set_data (G_OBJECT (f->window), "wanted", &wanted);
  g_assert_true (fs_test_wait_for (lr_is, f, 10));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "lr_spin")), 0.02);
  adw_combo_row_set_selected (ADW_COMBO_ROW (panel_child (f, "rule_row")),
                              fs_rule_get_index (fs_rule_find ("normalized")));
  for (int k = 0; k < 200; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (fs_test_wait_for (idle, f->window, 10));
  g_assert_cmpfloat (fs_session_get_params (fs_window_get_session (f->window))->lr, ==, 0.02);
}

/* After a perfect fit f* is 0 to rounding: the gap is absolute, not a
 * percentage of nothing. */
static void
test_gap_absolute_near_zero (Fixture       *f,
                             gconstpointer  data)
{
  const char *status;

  load_example (f, "notebook");
  g_assert_true (fs_test_wait_for (idle, f->window, 10));
  run_until_finished (f);
  status = fs_window_get_status (f->window);
  g_test_message ("%s", status);
  g_assert_nonnull (strstr (status, "gap to f* "));
  g_assert_null (strchr (status, '%'));
  /* f* itself is 0 to the SVD's rounding: 0 on the plot, not 4e-33. */
  g_assert_cmpfloat (fs_session_get_optimum (fs_window_get_session (f->window)), ==, 0.0);
  g_assert_cmpfloat (fs_loss_plot_get_optimum (FS_LOSS_PLOT (gtk_widget_get_template_child (
                       GTK_WIDGET (f->window), FS_TYPE_WINDOW, "loss_plot"))), ==, 0.0);
}

/* Settings with no minimum are said before the run, and the banner goes
 * once they have one. */
static void
test_unbounded_banner (Fixture       *f,
                       gconstpointer  data)
{
  load_example (f, "lowrank");
  g_assert_null (fs_window_get_banner (f->window));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "l1_h_spin")), 0.1);
  g_assert_nonnull (fs_window_get_banner (f->window));
  g_assert_nonnull (strstr (fs_window_get_banner (f->window), "L1 on H"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "l2_w_spin")), 0.1);
  g_assert_null (fs_window_get_banner (f->window));
}

/* The cameraman at three times its starting rate: the run stops as
 * unstable, the status line and the banner say so with a rate to try, and
 * the meter says the rate is at or above the stable step. A new start
 * (Reset) clears the banner. */
static void
test_unstable_run (Fixture       *f,
                   gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  double lr;

  load_example (f, "camera");
  lr = fs_param_panel_get_params (panel)->lr;
  g_assert_cmpfloat (fs_param_panel_get_stability (panel), <, 0.5);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (panel_child (f, "lr_spin")), 3 * lr);
  run_until_finished (f);
  g_assert_cmpint (fs_window_get_shown_snapshot (f->window)->stop, ==, FS_STOP_UNSTABLE);
  g_assert_true (status_ends_with (f, "unstable"));
  g_assert_nonnull (fs_window_get_banner (f->window));
  g_test_message ("%s; meter %.3g", fs_window_get_banner (f->window), fs_param_panel_get_stability (panel));
  g_assert_true (g_str_has_prefix (fs_window_get_banner (f->window), "Unstable at iteration"));
  g_assert_nonnull (strstr (fs_window_get_banner (f->window), "Try a learning rate of"));
  g_assert_cmpfloat (fs_param_panel_get_stability (panel), >=, 0.8);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.reset", NULL);
  g_assert_true (fs_test_wait_for (at_zero, f->window, 10));
  g_assert_null (fs_window_get_banner (f->window));
}

/* The meter follows the rule: a ratio for plain steps, none for Adam,
 * whose steps are scaled by their own statistics. */
static void
test_stability_meter_rules (Fixture       *f,
                            gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;
  FsSnapshot *s;

  load_example (f, "lowrank");
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_cmpfloat (fs_param_panel_get_stability (panel), ==, s->lr / s->stability_bound);
  params = *fs_session_get_params (fs_window_get_session (f->window));
  params.rule = fs_rule_find ("momentum");
  params.momentum = 0.9;
  g_assert_cmpfloat_with_epsilon (fs_window_stability_ratio (&params, s->lr, s->stability_bound),
                                  s->lr / (1.9 * s->stability_bound), 1e-15);
  params.rule = fs_rule_find ("adam");
  g_assert_true (isnan (fs_window_stability_ratio (&params, s->lr, s->stability_bound)));
}

/* The plot switches reach the plot and the residual map. */
static void
test_plot_switches (Fixture       *f,
                    gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsLossPlot *plot = FS_LOSS_PLOT (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                  FS_TYPE_WINDOW, "loss_plot"));
  FsHeatmap *residual = fs_window_get_heatmap (f->window, FS_HEATMAP_RESIDUAL);

  g_assert_false (fs_loss_plot_get_log_iterations (plot));
  g_assert_false (fs_heatmap_get_fixed_range (residual));
  gtk_switch_set_active (GTK_SWITCH (panel_child (f, "log_iters_switch")), TRUE);
  gtk_switch_set_active (GTK_SWITCH (panel_child (f, "fixed_residual_switch")), TRUE);
  g_assert_true (fs_param_panel_get_log_iterations (panel));
  g_assert_true (fs_loss_plot_get_log_iterations (plot));
  g_assert_true (fs_heatmap_get_fixed_range (residual));
}

static gboolean
banner_revealed (gpointer window)
{
  GObject *banner = gtk_widget_get_template_child (GTK_WIDGET (window), FS_TYPE_WINDOW, "banner");

  return gtk_revealer_get_child_revealed (GTK_REVEALER (banner));
}

/* The warning about settings with no minimum comes from the setting being
 * edited: the focus stays there (a run's error takes it, for screen
 * readers; this one would make the next key dismiss it). */
static void
test_unbounded_banner_keeps_focus (Fixture       *f,
                                   gconstpointer  data)
{
  GtkWidget *spin = GTK_WIDGET (panel_child (f, "l1_h_spin"));

  load_example (f, "lowrank");
  g_assert_true (gtk_widget_grab_focus (spin));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 0.1);
  g_assert_true (fs_test_wait_for (banner_revealed, f->window, 10));
  for (int k = 0; k < 50; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), spin) ||
                 gtk_root_get_focus (GTK_ROOT (f->window)) == spin);
}

static gboolean
session_rule_is (gpointer data)
{
  Fixture *f = data;
  const FsRule *rule = g_object_get_data (G_OBJECT (f->window), "rule");
  const FsParams *p = fs_session_get_params (fs_window_get_session (f->window));

  return p->rule == rule && p->lr == *(double *) g_object_get_data (G_OBJECT (f->window), "wanted");
}

/* A rule changed while running reaches the solver only with its own rate:
 * normalized steps' rate (a step length, 0.09 on the cameraman) makes
 * plain steps diverge at once, and back again. */
static void
test_rule_change_while_running (Fixture       *f,
                                gconstpointer  data)
{
  FsSession *session = fs_window_get_session (f->window);
  const char *rules[] = { "normalized", "momentum", "adam", "momentum", "plain" };
  FsParams p;

  load_example (f, "camera");
  no_tolerance (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_running, f->window, 10));
  for (guint k = 0; k < G_N_ELEMENTS (rules); k++)
    {
      double wanted;

      p = *fs_session_get_params (session);
      p.rule = fs_rule_find (rules[k]);
      wanted = fs_step_size_starting (fs_window_get_matrix (f->window), &p, NULL);
      g_object_set_data (G_OBJECT (f->window), "rule", (gpointer) p.rule);
      g_object_set_data (G_OBJECT (f->window), "wanted", &wanted);
      adw_combo_row_set_selected (ADW_COMBO_ROW (panel_child (f, "rule_row")), fs_rule_get_index (p.rule));
      g_assert_true (fs_test_wait_for (session_rule_is, f, 10));
      for (int i = 0; i < 100; i++)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (1000);
        }
      g_assert_cmpint (fs_window_get_shown_snapshot (f->window)->stop, !=, FS_STOP_DIVERGED);
    }
  g_assert_true (is_running (f->window));
}

/* Run/Pause pressed twice before the next snapshot is Run then Pause:
 * the second press acts on what the first asked for, not on the paused
 * snapshot still shown. */
static void
test_run_pause_twice_in_a_frame (Fixture       *f,
                                 gconstpointer  data)
{
  load_example (f, "lowrank");
  no_tolerance (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  for (int k = 0; k < 300; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_false (is_running (f->window));
  g_assert_true (g_str_has_suffix (fs_window_get_status (f->window), "paused") ||
                 fs_window_get_shown_snapshot (f->window)->iteration == 0);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/window/run-pause-reset", test_run_pause_reset);
  ADD ("/window/broken-file-keeps-matrix", test_broken_file_keeps_matrix);
  ADD ("/window/examples-menu", test_examples_menu);
  ADD ("/window/actions-follow-snapshot", test_actions_follow_snapshot);
  ADD ("/window/suggest-sets-starting-step", test_suggest_sets_starting_step);
  ADD ("/window/suggest-then-new-matrix", test_suggest_then_new_matrix);
  ADD ("/window/panel-change-restarts", test_panel_change_restarts);
  ADD ("/window/speed", test_speed);
  ADD ("/window/continue", test_continue);
  ADD ("/window/warm-start", test_warm_start);
  ADD ("/window/rule-resuggests-lr", test_rule_resuggests_lr);
  ADD ("/window/gap-absolute-near-zero", test_gap_absolute_near_zero);
  ADD ("/window/unbounded-banner", test_unbounded_banner);
  ADD ("/window/unstable-run", test_unstable_run);
  ADD ("/window/stability-meter-rules", test_stability_meter_rules);
  ADD ("/window/plot-switches", test_plot_switches);
  ADD ("/window/unbounded-banner-keeps-focus", test_unbounded_banner_keeps_focus);
  ADD ("/window/rule-change-while-running", test_rule_change_while_running);
  ADD ("/window/run-pause-twice-in-a-frame", test_run_pause_twice_in_a_frame);
#undef ADD

  return g_test_run ();
}
