/* test-input.c: the window's input handling as a user meets it: the mouse
 * wheel over the side panel, the Space key, the banner taking the focus,
 * and the names assistive technologies read. The wheel and the keys are
 * real X events (XTEST, through xdotool), so that they go through GTK's
 * event propagation as a user's would. Each case has a window of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fs-test-window.h"

static gboolean
is_paused (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state != FS_RUNNER_RUNNING && s->iteration > 0;
}

static GtkWidget *
panel_child (Fixture    *f,
             const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fs_window_get_panel (f->window)),
                                                   FS_TYPE_PARAM_PANEL, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

/* The first widget under root (itself included) of the given type for
 * which the test holds, or NULL. */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             gboolean  (*test) (GtkWidget *widget))
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (test == NULL || test (root)))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, test);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Runs xdotool with the given arguments, on the window's X display. */
static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool %s failed: %s", first, err);
}

static char *
window_xid (Fixture *f)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (f->window));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
}

/* Puts the pointer on the middle of widget, with real pointer motion. */
static void
point_at (Fixture   *f,
          GtkWidget *widget)
{
  g_autofree char *xid = window_xid (f);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  graphene_point_t middle = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0f,
                                                 gtk_widget_get_height (widget) / 2.0f);
  graphene_point_t at;
  double dx, dy;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (f->window), &middle, &at));
  gtk_native_get_surface_transform (GTK_NATIVE (f->window), &dx, &dy);
  x = g_strdup_printf ("%d", (int) (at.x + dx));
  y = g_strdup_printf ("%d", (int) (at.y + dy));
  xdotool ("mousemove", "--window", xid, x, y, NULL);
  for (int k = 0; k < 50; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_active (gpointer window)
{
  return gtk_window_is_active (window);
}

/* Gives the window the X keyboard focus, for xdotool's keys. */
static void
activate_window (Fixture *f)
{
  g_autofree char *xid = window_xid (f);

  xdotool ("windowfocus", xid, NULL);
  g_assert_true (fs_test_wait_for (is_active, f->window, 10));
}

static void
press_space (Fixture *f)
{
  xdotool ("key", "space", NULL);
}

static GtkAdjustment *
panel_vadjustment (Fixture *f)
{
  GtkWidget *scrolled = find_widget (GTK_WIDGET (fs_window_get_panel (f->window)),
                                     GTK_TYPE_SCROLLED_WINDOW, NULL);

  g_assert_nonnull (scrolled);
  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
}

typedef struct
{
  GtkAdjustment *adjustment;
  double         from;
} Moved;

static gboolean
adjustment_moved (gpointer data)
{
  Moved *moved = data;

  return gtk_adjustment_get_value (moved->adjustment) != moved->from;
}

typedef struct
{
  GtkSpinButton *spin;
  double         from;
} Changed;

static gboolean
spin_changed (gpointer data)
{
  Changed *changed = data;

  return gtk_spin_button_get_value (changed->spin) != changed->from;
}

/* The wheel over a spin button without the focus scrolls the panel and
 * changes no value; with the focus, it changes the value. */
static void
test_wheel_over_panel (Fixture       *f,
                       gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  GtkSpinButton *l2 = GTK_SPIN_BUTTON (panel_child (f, "l2_w_spin"));
  GtkAdjustment *adjustment = panel_vadjustment (f);
  Moved moved = { adjustment, 0.0 };
  Changed changed = { l2, 0.0 };
  FsParams before;

  load_example (f, "lowrank");
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >,
                     gtk_adjustment_get_page_size (adjustment) + 100.0);
  gtk_root_set_focus (GTK_ROOT (f->window), NULL);
  before = *fs_param_panel_get_params (panel);
  moved.from = gtk_adjustment_get_value (adjustment);

  point_at (f, GTK_WIDGET (l2));
  xdotool ("click", "5", NULL);
  g_assert_true (fs_test_wait_for (adjustment_moved, &moved, 5));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, moved.from);
  for (int k = 0; k < 100; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (fs_params_equal (fs_param_panel_get_params (panel), &before));
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));

  /* Focused, the spin button takes the wheel, and the panel stays. */
  gtk_adjustment_set_value (adjustment, 0.0);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (l2)));
  point_at (f, GTK_WIDGET (l2));
  changed.from = gtk_spin_button_get_value (l2);
  xdotool ("click", "4", NULL);
  g_assert_true (fs_test_wait_for (spin_changed, &changed, 5));
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (l2), changed.from + 0.01, 1e-9);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0.0);
}

static gboolean
switch_on (gpointer widget)
{
  return gtk_switch_get_active (widget);
}

/* Space on a switch flips the switch, and does not run. */
static void
test_space_on_switch (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *nonneg = panel_child (f, "nonneg_switch");
  FsSnapshot *s;

  load_example (f, "lowrank");
  activate_window (f);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (nonneg)));
  g_assert_true (gtk_widget_grab_focus (nonneg));
  press_space (f);
  g_assert_true (fs_test_wait_for (switch_on, nonneg, 5));
  for (int k = 0; k < 300; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  s = fs_window_get_shown_snapshot (f->window);
  g_assert_nonnull (s);
  g_assert_cmpint (s->state, !=, FS_RUNNER_RUNNING);
  g_assert_cmpuint (s->iteration, ==, 0);
  g_assert_true (fs_param_panel_get_params (fs_window_get_panel (f->window))->nonneg);
}

/* Space with the focus on a button presses the button: here a view
 * switcher tab, which shows its page, and nothing runs. */
static gboolean
on_factors_page (gpointer stack)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "factors") == 0;
}

static gboolean
is_factors_tab (GtkWidget *widget)
{
  return !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (widget));
}

static void
test_space_on_button (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *switcher = find_widget (GTK_WIDGET (f->window), GTK_TYPE_STACK_SWITCHER, NULL);
  GtkWidget *tab;
  GtkStack *stack;

  load_example (f, "lowrank");
  activate_window (f);
  g_assert_nonnull (switcher);
  stack = gtk_stack_switcher_get_stack (GTK_STACK_SWITCHER (switcher));
  tab = find_widget (switcher, GTK_TYPE_TOGGLE_BUTTON, is_factors_tab);
  g_assert_nonnull (tab);
  g_assert_true (gtk_widget_grab_focus (tab));
  press_space (f);
  g_assert_true (fs_test_wait_for (on_factors_page, stack, 5));
  for (int k = 0; k < 300; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpint (fs_window_get_shown_snapshot (f->window)->state, !=, FS_RUNNER_RUNNING);
  g_assert_cmpuint (fs_window_get_shown_snapshot (f->window)->iteration, ==, 0);
}

/* With no focus (the plots take none), Space runs, and again pauses. */
static void
test_space_runs_and_pauses (Fixture       *f,
                            gconstpointer  data)
{
  FsParams params;

  load_example (f, "lowrank");
  params = *fs_param_panel_get_params (fs_window_get_panel (f->window));
  params.max_iters = 50000000;
  params.tol = 0.0;
  fs_param_panel_set_params (fs_window_get_panel (f->window), &params);
  g_assert_true (fs_session_set_params (fs_window_get_session (f->window), &params, NULL));
  activate_window (f);
  gtk_root_set_focus (GTK_ROOT (f->window), NULL);

  press_space (f);
  g_assert_true (fs_test_wait_for (is_running, f->window, 10));
  press_space (f);
  g_assert_true (fs_test_wait_for (is_paused, f->window, 10));
}

static gboolean
is_dismiss (GtkWidget *widget)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), "Dismiss") == 0;
}

typedef struct
{
  FsWindow  *window;
  GtkWidget *widget;
} FocusWait;

static gboolean
focus_within (gpointer data)
{
  FocusWait *wait = data;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (wait->window));

  return focus != NULL && (focus == wait->widget || gtk_widget_is_ancestor (focus, wait->widget));
}

/* An error in the banner takes the focus (which is what makes a screen
 * reader read it under GTK 4.8), with the message as the focused button's
 * description; Dismiss gives the focus back. */
static void
test_banner_takes_focus (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "ragged.csv", NULL);
  GtkWidget *dismiss = find_widget (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, is_dismiss);
  GtkWidget *rank = panel_child (f, "rank_spin");
  FocusWait on_dismiss = { f->window, dismiss };
  FocusWait on_rank = { f->window, rank };
  const char *banner;
  char *problem;

  g_assert_nonnull (dismiss);
  load_example (f, "notebook");
  g_assert_true (gtk_widget_grab_focus (rank));
  g_assert_true (g_file_set_contents (path, "1,2,3\n4,5\n", -1, NULL));
  fs_window_open_path (f->window, path);
  g_assert_true (fs_test_wait_for (focus_within, &on_dismiss, 10));
  banner = fs_window_get_banner (f->window);
  g_assert_nonnull (banner);
  g_assert_nonnull (strstr (banner, "ragged.csv:2:"));
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (dismiss),
                                                GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, banner);
  g_assert_null (problem);

  gtk_widget_activate (dismiss);
  g_assert_true (fs_test_wait_for (focus_within, &on_rank, 10));
  g_assert_null (fs_window_get_banner (f->window));
}

/* The arrow of the Step button, the view switcher and the side panel have
 * plain names. */
static void
test_accessible_names (Fixture       *f,
                       gconstpointer  data)
{
  GObject *step = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW, "step_button");
  GtkWidget *arrow = find_widget (GTK_WIDGET (step), GTK_TYPE_MENU_BUTTON, NULL);
  GtkWidget *switcher = find_widget (GTK_WIDGET (f->window), GTK_TYPE_STACK_SWITCHER, NULL);
  char *problem;

  g_assert_nonnull (arrow);
  g_assert_nonnull (switcher);
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                "More Steps");
  g_assert_null (problem);
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (switcher), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                "View");
  g_assert_null (problem);
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (fs_window_get_panel (f->window)),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, "Settings");
  g_assert_null (problem);
}

/* The window opens with the focus on the loss plot, where Space runs and
 * pauses (not on Open, where it opened a file dialog); in a spin button,
 * where no number has a space, Space takes the number typed and runs. */
static void
test_space_first_focus_and_spin (Fixture       *f,
                                 gconstpointer  data)
{
  GtkWidget *plot = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW,
                                                              "loss_plot"));
  GtkWidget *limit = panel_child (f, "iters_spin");
  FsParams params;

  load_example (f, "lowrank");
  params = *fs_param_panel_get_params (fs_window_get_panel (f->window));
  params.max_iters = 50000000;
  params.tol = 0.0;
  fs_param_panel_set_params (fs_window_get_panel (f->window), &params);
  g_assert_true (fs_session_set_params (fs_window_get_session (f->window), &params, NULL));
  activate_window (f);
  g_assert_nonnull (plot);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == plot);
  press_space (f);
  g_assert_true (fs_test_wait_for (is_running, f->window, 10));
  press_space (f);
  g_assert_true (fs_test_wait_for (is_paused, f->window, 10));

  g_assert_true (gtk_widget_grab_focus (limit));
  gtk_editable_set_text (GTK_EDITABLE (limit), "40000000");
  press_space (f);
  g_assert_true (fs_test_wait_for (is_running, f->window, 10));
  g_assert_cmpuint (fs_session_get_params (fs_window_get_session (f->window))->max_iters, ==, 40000000);
  g_assert_null (strchr (gtk_editable_get_text (GTK_EDITABLE (limit)), ' '));
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  if (!GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    {
      printf ("1..0 # SKIP the keys and the wheel are X events (GDK_BACKEND=x11)\n");
      return 0;
    }

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/input/wheel-over-panel", test_wheel_over_panel);
  ADD ("/input/space-on-switch", test_space_on_switch);
  ADD ("/input/space-on-button", test_space_on_button);
  ADD ("/input/space-runs-and-pauses", test_space_runs_and_pauses);
  ADD ("/input/space-first-focus-and-spin", test_space_first_focus_and_spin);
  ADD ("/input/banner-takes-focus", test_banner_takes_focus);
  ADD ("/input/accessible-names", test_accessible_names);
#undef ADD

  return g_test_run ();
}
