/* test-float32-ui.c: single precision in the window: the settings panel's
 * Precision row (as test-param-panel.c tests the panel), and the window
 * remembering it with GSettings (the memory backend) for the next one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fs-param-panel.h"
#include "fs-session.h"
#include "fs-test-window.h"
#include "fs-window-private.h"

static void
count (guint *counter)
{
  (*counter)++;
}

/* The row's title is its accessible name; its two choices are named in
 * words and in the CLI's; picking one changes the panel's settings. */
static void
test_panel_row (void)
{
  FsParamPanel *panel = g_object_ref_sink (FS_PARAM_PANEL (fs_param_panel_new ()));
  AdwComboRow *row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                   FS_TYPE_PARAM_PANEL,
                                                                   "dtype_row"));
  GListModel *model = adw_combo_row_get_model (row);
  FsParams p = *fs_param_panel_get_params (panel);
  guint changed = 0;

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Precision");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==, "Double (float64)");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 1), ==, "Single (float32)");
  g_assert_cmpint (p.dtype, ==, FS_DTYPE_FLOAT64);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  g_signal_connect_swapped (panel, "changed", G_CALLBACK (count), &changed);
  adw_combo_row_set_selected (row, 1);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (fs_param_panel_get_params (panel)->dtype, ==, FS_DTYPE_FLOAT32);

  /* Settings given to the panel show on the row, without a signal. */
  fs_param_panel_set_params (panel, &p);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_finalize_object (panel);
}

static gboolean
is_idle (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && !fs_session_get_busy (fs_window_get_session (window)) &&
         !fs_window_get_restoring (window) && s->state != FS_RUNNER_RUNNING;
}

static gboolean
is_float32 (gpointer window)
{
  return is_idle (window) &&
         fs_session_get_params (fs_window_get_session (window))->dtype == FS_DTYPE_FLOAT32;
}

static FsWindow *
new_window (void)
{
  FsWindow *window = g_object_ref (fs_window_new (NULL));

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, window, 10));
  return window;
}

/* Single precision in one window, which closes: the next window, given
 * the last settings, computes in single precision too and shows it. */
static void
test_remembered (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GSettings) s = fs_window_settings_new ();
  FsParams p;
  FsWindow *window;
  AdwComboRow *row;

  g_assert_nonnull (s);
  g_settings_reset (s, "last-session");
  load_example (f, "lowrank");
  p = *fs_session_get_params (fs_window_get_session (f->window));
  p.dtype = FS_DTYPE_FLOAT32;
  fs_param_panel_set_params (fs_window_get_panel (f->window), &p);
  g_signal_emit_by_name (fs_window_get_panel (f->window), "changed");
  g_assert_true (fs_test_wait_for (is_float32, f->window, 20));

  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  f->window = new_window ();
  load_example (f, "lowrank");
  g_assert_true (fs_test_wait_for (is_idle, f->window, 20));
  g_assert_cmpint (fs_session_get_params (fs_window_get_session (f->window))->dtype, ==,
                   FS_DTYPE_FLOAT64);

  window = f->window;
  fs_window_restore_last_params (window);
  g_assert_true (fs_test_wait_for (is_float32, window, 20));
  row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (fs_window_get_panel (window)),
                                                      FS_TYPE_PARAM_PANEL, "dtype_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, FS_DTYPE_FLOAT32);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/float32-ui/panel-row", test_panel_row);
  g_test_add ("/float32-ui/remembered", Fixture, NULL, fixture_set_up, test_remembered,
              fixture_tear_down);
  return g_test_run ();
}
