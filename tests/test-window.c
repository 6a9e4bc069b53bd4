/* test-window.c: the window as a user drives it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-test-ui.h"
#include "fs-window.h"

static FsWindow *window;

static gboolean
reached_500 (gpointer data)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration >= 500;
}

static gboolean
is_paused (gpointer data)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state != FS_RUNNER_RUNNING;
}

static gboolean
at_zero (gpointer data)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration == 0 && s->state == FS_RUNNER_PAUSED;
}

static gboolean
has_banner (gpointer data)
{
  return fs_window_get_banner (window) != NULL;
}

static gboolean
has_snapshot (gpointer data)
{
  return fs_window_get_shown_snapshot (window) != NULL;
}

static void
test_run_pause_reset (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsTestImage) before = NULL;
  g_autoptr(FsTestImage) after = NULL;
  FsHeatmap *wh;
  FsSnapshot *s;
  double first_cost;
  guint64 paused_at;

  /* The cameraman photo, bundled: slow enough to pause mid-run. */
  g_assert_true (fs_window_load_example (window, "camera", &error));
  g_assert_no_error (error);
  g_assert_true (fs_test_wait_for (has_snapshot, NULL, 10));
  s = fs_window_get_shown_snapshot (window);
  g_assert_cmpuint (s->iteration, ==, 0);
  first_cost = s->cost;
  g_assert_true (g_str_has_prefix (fs_window_get_status (window), "Iteration 0 "));

  wh = fs_window_get_heatmap (window, FS_HEATMAP_WH);
  before = fs_test_render (GTK_WIDGET (wh));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (reached_500, NULL, 60));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-pause", NULL);
  g_assert_true (fs_test_wait_for (is_paused, NULL, 10));

  s = fs_window_get_shown_snapshot (window);
  paused_at = s->iteration;
  g_assert_cmpfloat (s->cost, <, 0.5 * first_cost);
  g_assert_true (g_str_has_prefix (fs_window_get_status (window), "Iteration "));

  /* Paused: the count stays. */
  for (int k = 0; k < 200; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (fs_window_get_shown_snapshot (window)->iteration, ==, paused_at);

  /* The WH heatmap changed. */
  after = fs_test_render (GTK_WIDGET (wh));
  g_assert_cmpint (before->width, ==, after->width);
  g_assert_true (memcmp (before->pixels, after->pixels, before->stride * before->height) != 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.reset", NULL);
  g_assert_true (fs_test_wait_for (at_zero, NULL, 10));
  g_assert_cmpfloat (fs_window_get_shown_snapshot (window)->cost, ==, first_cost);
}

static void
test_broken_file_keeps_matrix (void)
{
  g_autofree char *dir = g_dir_make_tmp ("factorscope-window-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "ragged.csv", NULL);
  FsMatrix *before;
  const char *banner;

  g_assert_true (g_file_set_contents (path, "1,2,3\n4,5\n", -1, NULL));
  before = fs_window_get_matrix (window);
  g_assert_nonnull (before);

  fs_window_open_path (window, path);
  g_assert_true (fs_test_wait_for (has_banner, NULL, 10));
  banner = fs_window_get_banner (window);
  g_test_message ("%s", banner);
  g_assert_nonnull (strstr (banner, "ragged.csv:2:"));
  g_assert_nonnull (strstr (banner, "stays"));
  g_assert_true (fs_window_get_matrix (window) == before);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  fs_test_ui_init (&argc, &argv);

  window = fs_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, window, 10));

  g_test_add_func ("/window/run-pause-reset", test_run_pause_reset);
  g_test_add_func ("/window/broken-file-keeps-matrix", test_broken_file_keeps_matrix);

  status = g_test_run ();
  gtk_window_destroy (GTK_WINDOW (window));
  return status;
}
