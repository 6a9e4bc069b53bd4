/* test-window-open.c: the Open dialog's filters, and a file being opened
 * as the header bar shows it (issue 17).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "fs-test-window.h"
#include "fs-window-private.h"

static GFileInfo *
file_info (const char *name)
{
  GFileInfo *info = g_file_info_new ();

  g_file_info_set_display_name (info, name);
  g_file_info_set_name (info, name);
  return info;
}

static gboolean
matches (GtkFileFilter *filter,
         const char    *name)
{
  g_autoptr(GFileInfo) info = file_info (name);

  return gtk_filter_match (GTK_FILTER (filter), info);
}

/* Every format the loader reads, whatever the case of the extension, all
 * of them first, and "All files" last. */
static void
test_filters (void)
{
  g_autoptr(GListModel) filters = fs_window_open_filters_new ();
  const char *names[] = {
    "All supported files", "Delimited text (CSV, TSV, TXT, DAT)", "NumPy arrays",
    "Matrix Market files", "Images", "Factorscope sessions", "All files",
  };
  const char *supported[] = {
    "X.CSV", "a.Npy", "photo.JPG", "m.mtx", "t.TSV", "notes.txt", "d.dat", "scan.TIFF",
    "g.gif", "w.webp", "s.Factorscope",
  };
  g_autoptr(GtkFileFilter) all = NULL;
  g_autoptr(GtkFileFilter) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (filters), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);

      g_assert_cmpstr (gtk_file_filter_get_name (filter), ==, names[i]);
      /* Only "All files" matches what the loader does not read by name. */
      g_assert_true (matches (filter, "notes.pdf") == (i == G_N_ELEMENTS (names) - 1));
    }

  first = g_list_model_get_item (filters, 0);
  all = g_list_model_get_item (filters, G_N_ELEMENTS (names) - 1);
  for (guint i = 0; i < G_N_ELEMENTS (supported); i++)
    {
      g_assert_true (matches (first, supported[i]));
      g_assert_true (matches (all, supported[i]));
    }
  for (guint i = 1; i + 1 < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);
      const char *one[] = { "X.CSV", "a.Npy", "m.MTX", "photo.JPG", "s.factorscope" };

      for (guint k = 0; k < G_N_ELEMENTS (one); k++)
        g_assert_true (matches (filter, one[k]) == (k == i - 1));
    }
}

/* A file being opened */

typedef struct
{
  FsSession *session;
  GArray    *intervals;  /* double: ms between frames while loading */
  GArray    *work;       /* double: ms from before-paint to after-paint */
  gint64     last;
  gint64     painting;   /* when this frame's painting began, or 0 */
} FrameLog;

static void
on_before_paint (GdkFrameClock *clock,
                 FrameLog      *log)
{
  log->painting = fs_session_get_loading (log->session) ? g_get_monotonic_time () : 0;
}

static void
on_after_paint (GdkFrameClock *clock,
                FrameLog      *log)
{
  double ms;

  if (log->painting == 0)
    return;
  ms = (double) (g_get_monotonic_time () - log->painting) / 1000.0;
  g_array_append_val (log->work, ms);
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  FrameLog *log = data;
  gint64 now = g_get_monotonic_time ();

  if (!fs_session_get_loading (fs_window_get_session (FS_WINDOW (widget))))
    log->last = 0;
  else
    {
      if (log->last != 0)
        {
          double ms = (double) (now - log->last) / 1000.0;

          g_array_append_val (log->intervals, ms);
        }
      log->last = now;
    }
  return G_SOURCE_CONTINUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report_times (const char *what,
              GArray     *v)
{
  guint under = 0;

  if (v->len == 0)
    return;
  g_array_sort (v, compare_doubles);
  for (guint i = 0; i < v->len; i++)
    under += g_array_index (v, double, i) < 16.0;
  g_test_message ("%s while loading: %u, median %.1f ms, p95 %.1f ms, max %.1f ms, "
                  "%.0f%% under 16 ms", what, v->len, g_array_index (v, double, v->len / 2),
                  g_array_index (v, double, v->len * 95 / 100), g_array_index (v, double, v->len - 1),
                  100.0 * under / v->len);
}

static gboolean
shows_loading (gpointer window)
{
  return gtk_widget_get_visible (FS_WINDOW (window)->load_box);
}

static gboolean
has_escape_binding (GtkWidget  *widget,
                    const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) escape = gtk_keyval_trigger_new (GDK_KEY_Escape, 0);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);
          GtkShortcutAction *a = gtk_shortcut_get_action (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), escape) &&
              GTK_IS_NAMED_ACTION (a) &&
              g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (a)), action) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* A CSV of rows × 200 numbers (about 7 bytes a cell); FS_TEST_BIG_CSV
 * names another file, whose real load the test then measures. */
static char *
big_csv (Fixture *f,
         guint    rows)
{
  g_autoptr(GString) row = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  char *path;

  if (g_getenv ("FS_TEST_BIG_CSV") != NULL)
    return g_strdup (g_getenv ("FS_TEST_BIG_CSV"));
  path = g_build_filename (f->dir, "big.csv", NULL);
  for (guint j = 0; j < 200; j++)
    g_string_append_printf (row, "%u.%04u%c", j % 10, (j * 37) % 10000, j + 1 < 200 ? ',' : '\n');
  for (guint i = 0; i < rows; i++)
    g_string_append_len (text, row->str, (gssize) row->len);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  return path;
}

/* A load that lasts shows "Opening NAME…", a progress bar and Cancel
 * (Escape) in the header bar; cancelling hides them at once and leaves
 * the matrix shown. */
static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = big_csv (f, 4000);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *opening = g_strdup_printf ("Opening %s…", base);
  FsSession *session = fs_window_get_session (f->window);
  GtkWidget *window = GTK_WIDGET (f->window);
  FrameLog log = { session, g_array_new (FALSE, FALSE, sizeof (double)),
                   g_array_new (FALSE, FALSE, sizeof (double)), 0, 0 };
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  guint tick;
  graphene_point_t panel_before, panel_loading;

  /* The readers now take about a second per 200 MB: make the load last
   * (FS_TEST_BIG_CSV measures a real one). */
  if (g_getenv ("FS_TEST_BIG_CSV") == NULL)
    fs_session_set_minimum_load_time (60000);
  load_example (f, "lowrank");
  g_assert_false (shows_loading (f->window));
  g_assert_true (has_escape_binding (window, "win.cancel-load"));

  tick = gtk_widget_add_tick_callback (window, on_tick, &log, NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &log);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &log);
  fs_test_redraw (window);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f->window->panel), window, &GRAPHENE_POINT_INIT (0, 0),
                                           &panel_before));
  fs_window_open_path (f->window, path);
  g_assert_true (fs_session_get_loading (session));
  /* Not at once: a short load shows nothing. */
  g_assert_false (shows_loading (f->window));
  g_assert_true (fs_test_wait_for (shows_loading, f->window, 10));
  g_assert_true (fs_session_get_loading (session));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->load_bar)));
  g_assert_true (g_str_has_prefix (gtk_progress_bar_get_text (f->window->load_bar), opening));
  /* The bar lies over the content: nothing moves when it shows. */
  fs_test_redraw (window);
  g_assert_true (gtk_widget_compute_point (GTK_WIDGET (f->window->panel), window, &GRAPHENE_POINT_INIT (0, 0),
                                           &panel_loading));
  g_assert_cmpfloat (panel_loading.y, ==, panel_before.y);

  if (g_getenv ("FS_TEST_BIG_CSV") != NULL)
    {
      /* Measuring the frames while a large file loads. */
      while (fs_session_get_loading (session))
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      /* Escape's action. */
      g_assert_true (gtk_widget_activate_action (window, "win.cancel-load", NULL));
      g_assert_false (fs_session_get_loading (session));
      g_assert_false (shows_loading (f->window));
      g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->window->load_bar)));
      g_assert_cmpstr (fs_session_get_name (session), ==, "Low-rank example");
    }
  gtk_widget_remove_tick_callback (window, tick);
  g_signal_handlers_disconnect_by_data (clock, &log);
  report_times ("frame intervals", log.intervals);
  report_times ("frame work (before-paint to after-paint)", log.work);
  g_array_unref (log.intervals);
  g_array_unref (log.work);

  /* The thread still reading ends before the window goes, and its result
   * is dropped. */
  fs_session_wait_for_tasks (session);
  fs_session_set_minimum_load_time (0);
  fs_test_redraw (window);
  if (g_getenv ("FS_TEST_BIG_CSV") == NULL)
    g_assert_cmpstr (fs_session_get_name (session), ==, "Low-rank example");
}

static gboolean
has_source (gpointer window)
{
  return fs_session_get_source (fs_window_get_session (window)) != NULL;
}

/* RUN.FACTORSCOPE, as a file system that upper-cases names gives it, is
 * opened as a session, not read as a matrix. */
static void
test_session_case (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *lower = g_build_filename (f->dir, "run.factorscope", NULL);
  g_autofree char *saved = g_build_filename (f->dir, "RUN.FACTORSCOPE", NULL);
  g_autoptr(GError) error = NULL;
  FsWindow *other;

  load_example (f, "lowrank");
  g_assert_true (fs_window_save_session (f->window, lower, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (lower, saved), ==, 0);
  other = g_object_ref (fs_window_new (NULL));
  gtk_window_present (GTK_WINDOW (other));
  fs_window_open_path (other, saved);
  g_assert_true (fs_test_wait_for (has_source, other, 20));
  g_assert_cmpuint (fs_session_get_source (fs_window_get_session (other))->cols, ==,
                    fs_session_get_source (fs_window_get_session (f->window))->cols);
  gtk_window_destroy (GTK_WINDOW (other));
  g_assert_finalize_object (other);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/window-open/filters", test_filters);
  g_test_add ("/window-open/progress", Fixture, NULL, fixture_set_up, test_progress,
              fixture_tear_down);
  g_test_add ("/window-open/session-case", Fixture, NULL, fixture_set_up, test_session_case,
              fixture_tear_down);
  return g_test_run ();
}
