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
#include "fs-step-size.h"
#include "fs-test-ui.h"
#include "fs-window.h"

typedef struct
{
  FsWindow *window;
  char     *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = g_object_ref (fs_window_new (NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, f->window, 10));
  f->dir = g_dir_make_tmp ("factorscope-window-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) listing = g_dir_open (f->dir, 0, NULL);
  const char *name;

  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gboolean
has_snapshot (gpointer window)
{
  return fs_window_get_shown_snapshot (window) != NULL;
}

static gboolean
reached_500 (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration >= 500;
}

static gboolean
is_running (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_RUNNING;
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

static void
load_example (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_window_load_example (f->window, name, &error));
  g_assert_no_error (error);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
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
  gtk_spin_button_set_value (limit, 50000000);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (reached_500, f->window, 30));

  gtk_spin_button_set_value (rank, 2);
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->rank, ==, 2);
  g_assert_true (fs_test_wait_for (rank_two_running, f->window, 10));
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
#undef ADD

  return g_test_run ();
}
