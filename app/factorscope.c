/* factorscope.c: the GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <unistd.h>

#include "fs-benchmark.h"
#include "fs-pins.h"
#include "fs-blas.h"
#include "fs-window.h"

#define APP_ID "org.factorscope.Factorscope"

/* What the application's signal handlers share, kept by main. */
typedef struct
{
  gint       benchmark_seconds;  /* 0 without --benchmark */
  char      *benchmark_view;     /* the view shown during it, or NULL */
  gint       benchmark_keep;     /* runs kept during it */
  GPtrArray *sessions;           /* every window's session, to wait for at the end */
} AppState;

/* A window, whose session main waits for at the end, however the window
 * went: a session's SVD cannot be interrupted, and the process must not
 * end under it. A closed session keeps no matrix. */
static FsWindow *
new_window (GtkApplication *app,
            AppState       *state)
{
  FsWindow *window = fs_window_new (app);
  FsSession *session = fs_window_get_session (window);

  g_ptr_array_add (state->sessions, g_object_ref (session));
  /* The solver's threads give way whenever the window has a frame to draw. */
  fs_session_set_solver_nice (session, 10);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
on_activate (GApplication *app,
             AppState     *state)
{
  FsWindow *window = new_window (GTK_APPLICATION (app), state);
  g_autoptr(GError) error = NULL;

  if (state->benchmark_seconds > 0)
    fs_benchmark_start (window, (guint) state->benchmark_seconds, state->benchmark_view,
                        (guint) state->benchmark_keep);
  else if (!fs_window_load_example (window, "lowrank", &error))
    g_warning ("%s", error->message);
  else
    /* A window without a file starts where the last one ended. */
    fs_window_restore_last_params (window);
}

/* Windows own runner threads, which must stop before the process ends:
 * destroying the windows closes their sessions, which joins the runners
 * and cancels their loads. The windows are hidden first, and the display
 * flushed, so that they go at once even if a runner takes a moment to
 * stop. */
static void
on_shutdown (GApplication *app)
{
  GList *windows;
  GdkDisplay *display = gdk_display_get_default ();

  g_debug ("Shutting down: hiding the windows");
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    gtk_widget_set_visible (l->data, FALSE);
  if (display != NULL)
    gdk_display_flush (display);
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  g_debug ("Shutting down: the windows are destroyed");
}

static gint
on_handle_local_options (GApplication *app,
                         GVariantDict *options,
                         AppState     *state)
{
  if (state->benchmark_seconds < 0 || state->benchmark_seconds > 3600)
    {
      g_printerr (_("--benchmark takes between 1 and 3600 seconds, not %d\n"), state->benchmark_seconds);
      return EXIT_FAILURE;
    }
  if (state->benchmark_view != NULL && !fs_window_has_view (state->benchmark_view))
    {
      g_printerr (_("--benchmark-view takes data, factors, atoms, spectrum or sweep, not “%s”\n"),
                  state->benchmark_view);
      return EXIT_FAILURE;
    }
  if (state->benchmark_keep < 0 || state->benchmark_keep > FS_PINS_MAX)
    {
      g_autofree char *most = g_strdup_printf ("%d", FS_PINS_MAX);

      g_printerr (_("--benchmark-keep takes between 0 and %s runs, not %d\n"), most,
                  state->benchmark_keep);
      return EXIT_FAILURE;
    }
  return -1;
}

static void
on_open (GApplication  *app,
         GFile        **files,
         int            n_files,
         const char    *hint,
         AppState      *state)
{
  for (int i = 0; i < n_files; i++)
    {
      FsWindow *window = new_window (GTK_APPLICATION (app), state);
      g_autoptr(GError) error = NULL;

      /* Something to look at while the file loads, and if it cannot. */
      fs_window_load_example (window, "lowrank", &error);
      fs_window_open_file (window, files[i]);
    }
}

static void
about (GSimpleAction *action,
       GVariant      *param,
       gpointer       app)
{
  const char *developers[] = { "The Factorscope developers", NULL };
  GtkWidget *about = adw_about_window_new ();

  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "Factorscope");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Watch matrix factorization by gradient descent happen."));
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), _("Cameraman and Greek coins photos"),
                                      _("From scikit-image's data (skimage.data.camera, skimage.data.coins)."),
                                      GTK_LICENSE_BSD_3, NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about), _("Handwritten digits"),
                                      _("From scikit-learn (sklearn.datasets.load_digits), a copy of the "
                                        "UCI ML hand-written digits data set. Copyright © 2007-2024 The "
                                        "scikit-learn developers."),
                                      GTK_LICENSE_BSD_3, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit (GSimpleAction *action,
      GVariant      *param,
      gpointer       app)
{
  g_application_quit (app);
}

/* How long main waits for the sessions' tasks once the windows are gone:
 * a cancelled load stops within it (the parser checks its cancellable
 * every megabyte or so); an SVD, which cannot be stopped, does not, and
 * the wait counts against the 2 s a quit may take. */
#define TASKS_DEADLINE (G_USEC_PER_SEC / 4)

/* Whether every session's tasks ended before the deadline. */
static gboolean
wait_for_sessions (GPtrArray *sessions)
{
  gint64 end_time = g_get_monotonic_time () + TASKS_DEADLINE;
  gboolean done = TRUE;

  for (guint i = 0; i < sessions->len; i++)
    done = fs_session_wait_for_tasks_until (sessions->pdata[i], end_time) && done;
  g_debug (done ? "Every task has ended" : "A task is still running after the deadline");
  return done;
}

/* A task still runs in a thread: an SVD (LAPACK cannot be interrupted) or
 * a load the loader has not seen cancelled yet. Returning from main would
 * run exit (), whose atexit handlers and library destructors unload
 * OpenBLAS and free what the thread still uses, and it crashes there
 * (issue 19); waiting for it can take minutes. So leave with _exit (),
 * which runs none of them and ends the thread with the process. The
 * windows are gone and the runners joined by now: nothing is left to
 * save but the settings, synced first, and standard output. */
G_GNUC_NORETURN static void
leave_under_running_task (int status)
{
  g_settings_sync ();
  fflush (stdout);
  fflush (stderr);
  _exit (status);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  AppState state = { .sessions = sessions };
  int status;
  const GActionEntry entries[] = {
    { .name = "about", .activate = about },
    { .name = "quit", .activate = quit },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The solver's threads and OpenBLAS's must not fight over the cores. */
  fs_blas_set_threads (1);

  app = adw_application_new (APP_ID, G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_application_set_resource_base_path (G_APPLICATION (app), "/org/factorscope/Factorscope");
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]) { "<Primary>q", NULL });
  g_application_add_main_option_entries (G_APPLICATION (app), (GOptionEntry[]) {
    { "benchmark", 0, 0, G_OPTION_ARG_INT, &state.benchmark_seconds,
      N_("Solve the 2000 × 2000 rank-50 benchmark problem in the window for SECONDS, "
         "print the solver's speed and the frame times as JSON, and quit"), N_("SECONDS") },
    { "benchmark-view", 0, 0, G_OPTION_ARG_STRING, &state.benchmark_view,
      N_("The view shown during --benchmark: data, factors, atoms, spectrum or sweep (data by default)"), N_("VIEW") },
    { "benchmark-keep", 0, 0, G_OPTION_ARG_INT, &state.benchmark_keep,
      N_("Keep N runs (as the Keep button does) evenly during --benchmark, and report their memory"), N_("N") },
    G_OPTION_ENTRY_NULL
  });
  g_signal_connect (app, "handle-local-options", G_CALLBACK (on_handle_local_options), &state);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &state);
  g_signal_connect (app, "open", G_CALLBACK (on_open), &state);
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_free (state.benchmark_view);
  if (!wait_for_sessions (sessions))
    leave_under_running_task (status);
  return status;
}
