/* factorscope.c: the GTK application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "fs-benchmark.h"
#include "fs-error.h"
#include "fs-pins.h"
#include "fs-session.h"
#include "fs-blas.h"
#include "fs-window.h"

#define APP_ID "org.factorscope.Factorscope"

/* What the application's signal handlers share, kept by main. */
typedef struct
{
  gint       benchmark_seconds;  /* 0 without --benchmark */
  char      *benchmark_view;     /* the view shown during it, or NULL */
  gint       benchmark_keep;     /* runs kept during it */
  char      *benchmark_case;     /* "dense" (NULL) or "sparse" */
  GPtrArray *sessions;           /* every window's session, to wait for at the end */
  gboolean   version;            /* --version */
  gboolean   check_install;      /* --check-install */
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
                        (guint) state->benchmark_keep,
                        g_strcmp0 (state->benchmark_case, "sparse") == 0);
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

/* ---- --check-install ---- */

/* The files the app reads from its own GResource. */
static const char * const resource_files[] = {
  "/org/factorscope/Factorscope/fs-window.ui",
  "/org/factorscope/Factorscope/fs-param-panel.ui",
  "/org/factorscope/Factorscope/gtk/help-overlay.ui",
  "/org/factorscope/Factorscope/style.css",
  "/org/factorscope/Factorscope/icons/scalable/apps/" APP_ID ".svg",
  "/org/factorscope/Factorscope/icons/symbolic/apps/" APP_ID "-symbolic.svg",
};

/* What the desktop finds under the data folder, relative to it. */
static const char * const data_files[] = {
  "icons/hicolor/scalable/apps/" APP_ID ".svg",
  "icons/hicolor/symbolic/apps/" APP_ID "-symbolic.svg",
  "applications/" APP_ID ".desktop",
  "metainfo/" APP_ID ".metainfo.xml",
  "mime/packages/" APP_ID ".xml",
};

/* Prints one line for a check and counts it when it failed. The "ok" and
 * "MISSING" tags and the names after them stay untranslated: scripts and
 * package tests read them. */
static void
report_check (guint      *failed,
              gboolean    ok,
              const char *what)
{
  g_print ("%s %s\n", ok ? "ok     " : "MISSING", what);
  if (!ok)
    (*failed)++;
}

/* The installed data folder: FS_DATADIR in the environment, for a tree
 * installed with DESTDIR that is not yet where it was configured for. */
static const char *
check_datadir (void)
{
  const char *datadir = g_getenv ("FS_DATADIR");

  return datadir != NULL && *datadir != '\0' ? datadir : FS_DATADIR;
}

/* LOCALEDIR, moved with the data folder when it lies inside it. */
static char *
check_localedir (void)
{
  gsize len = strlen (FS_DATADIR);

  if (strncmp (LOCALEDIR, FS_DATADIR, len) == 0 && LOCALEDIR[len] == '/')
    return g_strconcat (check_datadir (), LOCALEDIR + len, NULL);
  return g_strdup (LOCALEDIR);
}

static void
check_resources (guint *failed)
{
  for (gsize i = 0; i < G_N_ELEMENTS (resource_files); i++)
    {
      g_autofree char *what = g_strdup_printf ("resource %s", resource_files[i]);
      gboolean ok = g_resources_get_info (resource_files[i], G_RESOURCE_LOOKUP_FLAGS_NONE,
                                          NULL, NULL, NULL);

      report_check (failed, ok, what);
    }
}

/* The installed schema only, as the default source finds it (system
 * folders, or GSETTINGS_SCHEMA_DIR): the build folder's copy, which an
 * uninstalled app falls back on, says nothing about the installation. */
static void
check_schema (guint *failed)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  report_check (failed, schema != NULL, "GSettings schema " APP_ID);
}

static void
check_data_files (guint *failed)
{
  for (gsize i = 0; i < G_N_ELEMENTS (data_files); i++)
    {
      g_autofree char *path = g_build_filename (check_datadir (), data_files[i], NULL);

      report_check (failed, g_file_test (path, G_FILE_TEST_IS_REGULAR), path);
    }
}

/* Every language of po/LINGUAS at build time. */
static void
check_translations (guint *failed)
{
  g_auto(GStrv) linguas = g_strsplit (FS_LINGUAS, " ", -1);
  g_autofree char *localedir = check_localedir ();

  if (linguas[0] == NULL)
    {
      g_print ("ok      %s\n", _("no translations installed (po/LINGUAS lists none)"));
      return;
    }
  for (gsize i = 0; linguas[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (localedir, linguas[i], "LC_MESSAGES",
                                                GETTEXT_PACKAGE ".mo", NULL);

      report_check (failed, g_file_test (path, G_FILE_TEST_IS_REGULAR), path);
    }
}

/* --check-install: whether everything the app needs, and the desktop
 * expects, is in place, without a display. One line per check. */
static gint
check_install (void)
{
  guint failed = 0;

  check_resources (&failed);
  check_schema (&failed);
  check_data_files (&failed);
  check_translations (&failed);
  if (failed > 0)
    {
      g_autofree char *count = fs_error_number_text (failed);

      g_print (ngettext ("%s thing is missing\n", "%s things are missing\n", failed), count);
    }
  return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static gint
on_handle_local_options (GApplication *app,
                         GVariantDict *options,
                         AppState     *state)
{
  /* Both answer without a display: they return before GTK starts. */
  if (state->version)
    {
      g_print ("factorscope %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (state->check_install)
    return check_install ();
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
  if (state->benchmark_case != NULL && g_strcmp0 (state->benchmark_case, "dense") != 0 &&
      g_strcmp0 (state->benchmark_case, "sparse") != 0)
    {
      g_printerr (_("--benchmark-case takes dense or sparse, not “%s”\n"), state->benchmark_case);
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

/* Every window, About included, shows the app's icon. */
static void
on_startup (GApplication *app)
{
  const char *min_load = g_getenv ("FS_TEST_MIN_LOAD_MS");

  gtk_window_set_default_icon_name (APP_ID);
  /* For the tests that quit during a load: files read so fast that
   * nothing could press Ctrl+Q in time are made to last. */
  if (min_load != NULL)
    fs_session_set_minimum_load_time ((guint) g_ascii_strtoull (min_load, NULL, 10));
  /* Before any window or thread: without OpenBLAS the app cannot run. */
  fs_blas_load ();
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
  /* From the icon theme: installed under hicolor, or the app's GResource. */
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Watch matrix factorization by gradient descent happen."));
  adw_about_window_set_website (ADW_ABOUT_WINDOW (about), PACKAGE_URL);
  adw_about_window_set_issue_url (ADW_ABOUT_WINDOW (about), PACKAGE_BUGREPORT);
  adw_about_window_set_copyright (ADW_ABOUT_WINDOW (about), _("© 2026 The Factorscope developers"));
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
  /* FS_LOCALEDIR, when set, is where the catalogues are instead: the build
   * folder's po/ lets tests and screenshots run translated uninstalled. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FS_LOCALEDIR") != NULL ? g_getenv ("FS_LOCALEDIR")
                                                                : LOCALEDIR);
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
    { "benchmark-case", 0, 0, G_OPTION_ARG_STRING, &state.benchmark_case,
      N_("The problem of --benchmark: dense (2000 × 2000, rank 50, the default) or sparse "
         "(100000 × 20000, 1,000,000 candidate cells, rank 32)"), N_("CASE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &state.version,
      N_("Print the version and quit"), NULL },
    { "check-install", 0, 0, G_OPTION_ARG_NONE, &state.check_install,
      N_("Check that the app's resources, settings schema, icons, desktop files and "
         "translations are in place, print one line per check, and quit"), NULL },
    G_OPTION_ENTRY_NULL
  });
  g_signal_connect (app, "startup", G_CALLBACK (on_startup), NULL);
  g_signal_connect (app, "handle-local-options", G_CALLBACK (on_handle_local_options), &state);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &state);
  g_signal_connect (app, "open", G_CALLBACK (on_open), &state);
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown), NULL);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  g_free (state.benchmark_view);
  g_free (state.benchmark_case);
  if (!wait_for_sessions (sessions))
    leave_under_running_task (status);
  return status;
}
