/* fs-window-session.c: sessions in the window (.factorscope files,
 * fs-session-file.h), Copy as Command Line, and the last settings a new
 * window starts with.
 *
 * The window knows where its matrix came from: every file, example or
 * matrix it asks the session for is noted with the session's number for
 * that request, and when the session commits a new source the note with
 * the number it answers is the one shown (two files of the same name are
 * two requests).
 * Opening a session checks its data first (a changed or missing file is
 * said in the banner and the current matrix stays), loads the data, then
 * sets the scaling (which prepares the matrix again), then the settings
 * and the speed, and then runs the kept runs' settings again in the
 * background, keeping each under its name once all have ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-optimum.h"
#include "fs-window-private.h"

/* How often the kept runs being run again are looked at. */
#define PIN_POLL_MS 50

/* Where a matrix came from: a file, an example, or neither (a matrix made
 * by a caller, which no session can name). */
typedef struct
{
  char     *path;
  char     *example;
  gsize     example_rows;   /* a generated example's options (0: default) */
  gsize     example_cols;
  guint     example_rank;
  guint64   example_seed;
  char     *name;           /* what the session calls it once committed */
  guint     request;        /* fs_session_get_last_request () when asked */
  guint     restore;        /* the session being opened that asked for it
                               (restore_serial then), or 0 */
  /* The SHA-256 of the file when the matrix was committed (computed in a
   * thread): a save checks that it is still the file that was read. */
  char     *checksum;
} Source;

/* A kept run of an opened session, run again in the background. */
typedef struct
{
  FsRunner *runner;
  char     *name;
} PinJob;

struct _FsWindowSessionState
{
  GQueue         pending;       /* Source asked for, oldest first */
  Source        *source;        /* the shown matrix's, or NULL */
  char          *path;          /* the session saved or opened, or NULL */
  FsSessionFile *restoring;     /* a session (or the last settings) going in */
  char          *restoring_path;
  guint          restore_serial; /* numbers each session opened */
  gboolean       wait_scaling;  /* ...whose scaling is being prepared */
  gboolean       apply_last;    /* the last settings go to the next matrix */
  gboolean       suggest_lr;    /* ...and then the rule's starting rate for it */
  GPtrArray     *jobs;          /* PinJob, in the session's order */
  guint          poll_id;
  GCancellable  *checksum_cancellable;
};

static void
source_free (Source *source)
{
  g_free (source->path);
  g_free (source->example);
  g_free (source->name);
  g_free (source->checksum);
  g_free (source);
}

static void
pin_job_free (PinJob *job)
{
  fs_runner_free (job->runner);
  g_free (job->name);
  g_free (job);
}

static FsWindowSessionState *
state (FsWindow *self)
{
  return self->session_state;
}

/* ---- The title ---- */

static void
update_title (FsWindow *self)
{
  const char *path = state (self)->path;
  g_autofree char *base = path != NULL ? g_filename_display_basename (path) : NULL;

  if (base != NULL && g_str_has_suffix (base, FS_SESSION_FILE_EXTENSION))
    base[strlen (base) - strlen (FS_SESSION_FILE_EXTENSION)] = '\0';
  adw_window_title_set_title (self->window_title, base != NULL ? base : "Factorscope");
  if (base != NULL)
    {
      g_autofree char *title = g_strdup_printf ("%s — Factorscope", base);

      gtk_window_set_title (GTK_WINDOW (self), title);
    }
  else
    gtk_window_set_title (GTK_WINDOW (self), "Factorscope");
}

static void
set_session_path (FsWindow   *self,
                  const char *path)
{
  char *copy = g_strdup (path);

  g_free (state (self)->path);
  state (self)->path = copy;
  update_title (self);
}

/* ---- Where the matrix came from ---- */

/* Called right after the request to the session. */
static void
note (FsWindow *self,
      Source   *source)
{
  source->request = fs_session_get_last_request (self->session);
  g_queue_push_tail (&state (self)->pending, source);
}

/* Whether source was asked for by the session being opened now. */
static gboolean
is_restoring (FsWindow     *self,
              const Source *source)
{
  FsWindowSessionState *st = state (self);

  return source->restore != 0 && source->restore == st->restore_serial && st->restoring != NULL;
}

/* A file asked for: the session names it by its base name. */
void
fs_window_session_note_path (FsWindow   *self,
                             const char *path)
{
  Source *source = g_new0 (Source, 1);

  source->path = g_canonicalize_filename (path, NULL);
  source->name = g_filename_display_basename (path);
  note (self, source);
}

/* An example (name NULL: under its title), or (example NULL) a matrix a
 * caller made, shown as name. */
void
fs_window_session_note_matrix (FsWindow   *self,
                               const char *example,
                               const char *name)
{
  Source *source = g_new0 (Source, 1);
  const FsExample *found = example != NULL ? fs_examples_find (example) : NULL;

  source->example = g_strdup (found != NULL ? found->name : example);
  source->name = g_strdup (name == NULL && found != NULL ? _(found->title) : name);
  note (self, source);
}

static void
cancel_pin_jobs (FsWindow *self)
{
  FsWindowSessionState *st = state (self);

  g_clear_handle_id (&st->poll_id, g_source_remove);
  g_clear_pointer (&st->jobs, g_ptr_array_unref);
}

static void
cancel_restore (FsWindow *self)
{
  FsWindowSessionState *st = state (self);

  g_clear_pointer (&st->restoring, fs_session_file_free);
  g_clear_pointer (&st->restoring_path, g_free);
  st->wait_scaling = FALSE;
  st->suggest_lr = FALSE;
}

static void
checksum_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      path,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  char *checksum = fs_session_file_checksum (path, &error);

  if (checksum == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, checksum, g_free);
}

static void
on_checksum (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autofree char *checksum = g_task_propagate_pointer (G_TASK (result), NULL);
  FsWindow *self;

  /* A cancelled one belonged to a source no longer shown, or to a window
   * gone: the task does not hold the window, which may be finalized. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self = FS_WINDOW (data);
  if (state (self)->source != NULL)
    state (self)->source->checksum = g_steal_pointer (&checksum);
}

/* What the file read holds, for a save to compare with: a large file takes
 * a while, so in a thread. */
static void
record_file (FsWindow *self,
             Source   *source)
{
  FsWindowSessionState *st = state (self);
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (st->checksum_cancellable);
  g_clear_object (&st->checksum_cancellable);
  if (source == NULL || source->path == NULL)
    return;
  st->checksum_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, st->checksum_cancellable, on_checksum, self);
  g_task_set_task_data (task, g_strdup (source->path), g_free);
  g_task_run_in_thread (task, checksum_thread);
}

/* The session committed a new source: the note of the request it answers
 * is where it came from; older notes failed or were overtaken, and newer
 * ones are still on their way. */
static Source *
take_committed (FsWindow *self)
{
  FsWindowSessionState *st = state (self);
  guint request = fs_session_get_source_request (self->session);
  Source *source;

  while ((source = g_queue_peek_head (&st->pending)) != NULL && source->request <= request)
    {
      g_queue_pop_head (&st->pending);
      if (source->request == request)
        return source;
      /* The session being opened, whose data never came, is not being
       * opened any more. */
      if (is_restoring (self, source))
        cancel_restore (self);
      source_free (source);
    }
  return NULL;
}

/* ---- Settings in, from a session or the last launch ---- */

static gboolean poll_pin_jobs (gpointer data);

static void
start_pin_jobs (FsWindow            *self,
                const FsSessionFile *file)
{
  FsWindowSessionState *st = state (self);
  FsMatrix *X = fs_session_get_matrix (self->session);

  cancel_pin_jobs (self);
  if (file->n_pins == 0 || X == NULL)
    return;
  st->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) pin_job_free);
  for (guint i = 0; i < file->n_pins; i++)
    {
      g_autoptr(GError) error = NULL;
      FsParams p = file->pins[i];
      FsRunner *runner;
      PinJob *job;

      /* The solver's threads give way to the window's, as the live run's. */
      p.nice = fs_session_get_params (self->session)->nice;
      runner = fs_runner_new (X, &p, &error);
      if (runner == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("The kept run “%s” could not run again: %s"),
                                                      file->pin_names[i], error->message);

          fs_window_show_toast (self, message);
          continue;
        }
      fs_runner_run (runner);
      job = g_new0 (PinJob, 1);
      job->runner = runner;
      job->name = g_strdup (file->pin_names[i]);
      g_ptr_array_add (st->jobs, job);
    }
  st->poll_id = g_timeout_add (PIN_POLL_MS, poll_pin_jobs, self);
}

/* The f* of a kept run's settings, as Keep gives it; NaN without one. */
static double
pin_optimum (FsWindow       *self,
             const FsParams *params)
{
  GArray *values = fs_session_get_singular_values (self->session);
  FsParams full = *params;

  full.holdout = 0.0;
  if (values == NULL || params->holdout > 0.0 ||
      !fs_params_has_optimum (&full, fs_session_get_matrix (self->session), NULL))
    return NAN;
  return fs_optimum_for_matrix (fs_session_get_matrix (self->session), values, params->rank,
                                params->l2_w, params->l2_h);
}

/* Once every kept run has ended, each is kept under its name, in order. */
static gboolean
poll_pin_jobs (gpointer data)
{
  FsWindow *self = data;
  FsWindowSessionState *st = state (self);
  GListModel *pins = G_LIST_MODEL (self->pins);

  for (guint i = 0; i < st->jobs->len; i++)
    {
      PinJob *job = g_ptr_array_index (st->jobs, i);
      g_autoptr(FsSnapshot) snap = fs_runner_get_snapshot (job->runner);

      if (snap == NULL || snap->state != FS_RUNNER_FINISHED)
        return G_SOURCE_CONTINUE;
    }
  for (guint i = 0; i < st->jobs->len; i++)
    {
      PinJob *job = g_ptr_array_index (st->jobs, i);
      g_autoptr(FsSnapshot) snap = fs_runner_get_snapshot (job->runner);
      guint n = g_list_model_get_n_items (pins);

      if (!fs_window_tuning_add_pin (self, fs_snapshot_copy_for_pin (snap),
                                     pin_optimum (self, &snap->params)))
        break;
      g_autoptr(FsPinItem) item = g_list_model_get_item (pins, n);

      fs_pin_item_set_label (item, job->name);
    }
  st->poll_id = 0;
  g_clear_pointer (&st->jobs, g_ptr_array_unref);
  return G_SOURCE_REMOVE;
}

/* A value the panel cannot hold (an L2 of 1e-11 where its field has four
 * decimals, restarts above its range: only a file written by hand has
 * them) is said, never changed silently; `run --session` replays the
 * file as it is. */
static void
report_unshown (FsWindow       *self,
                const char     *path,
                const FsParams *wanted)
{
  g_autofree char *lost = fs_params_describe_difference (wanted, fs_param_panel_get_params (self->panel));
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (lost == NULL || *lost == '\0' || path == NULL)
    return;
  name = g_filename_display_basename (path);
  /* Translators: the first %s is a session file's name, the second its
   * settings the window cannot show, e.g. "L2 W 1e-11, restarts 500". */
  message = g_strdup_printf (_("Some settings of “%s” are beyond what the window can set (%s): the window uses "
                               "the nearest values it can. factorscope-cli run --session replays the file as it is."),
                             name, lost);
  fs_window_show_banner (self, message);
}

/* The session's settings and speed become the window's; its thread count
 * too, so that the runs are the saved ones bit for bit. */
static void
finish_restore (FsWindow *self)
{
  FsWindowSessionState *st = state (self);
  g_autoptr(FsSessionFile) file = g_steal_pointer (&st->restoring);
  g_autofree char *path = g_steal_pointer (&st->restoring_path);
  const FsParams *live = fs_session_get_params (self->session);
  FsParams p = file->params;

  st->wait_scaling = FALSE;
  p.nice = live->nice;
  p.products = live->products;
  self->lr_suggested = FALSE;
  fs_param_panel_set_params (self->panel, &p);
  fs_window_send_params (self);
  report_unshown (self, path, &p);
  if (st->suggest_lr)
    {
      st->suggest_lr = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.suggest-lr", NULL);
    }
  fs_window_set_pace (self, file->pace);
  if (path != NULL)
    set_session_path (self, path);
  start_pin_jobs (self, file);
}

/* The data is in: the scaling next (a new preparation), then the rest. */
static void
continue_restore (FsWindow *self)
{
  FsWindowSessionState *st = state (self);

  if (fs_session_get_scaling (self->session) != st->restoring->scaling)
    {
      st->wait_scaling = TRUE;
      /* The panel tells the session, as when a person picks it. */
      fs_param_panel_set_scaling (self->panel, st->restoring->scaling);
      return;
    }
  finish_restore (self);
}

/* The fields of FsParams that the last launch's settings give a new
 * window, each taken only when the matrix accepts it. */
#define PARAM_FIELD(f) { G_STRUCT_OFFSET (FsParams, f), sizeof (((FsParams *) NULL)->f) }
static const struct
{
  gsize offset;
  gsize size;
} last_fields[] = {
  PARAM_FIELD (rank), PARAM_FIELD (l2_w), PARAM_FIELD (l2_h), PARAM_FIELD (l1_w),
  PARAM_FIELD (l1_h), PARAM_FIELD (rule), PARAM_FIELD (momentum),
  PARAM_FIELD (adam_beta1), PARAM_FIELD (adam_beta2), PARAM_FIELD (adam_eps),
  PARAM_FIELD (l1_mode), PARAM_FIELD (nonneg), PARAM_FIELD (init), PARAM_FIELD (seed),
  PARAM_FIELD (max_iters), PARAM_FIELD (tol), PARAM_FIELD (stop_unstable),
  PARAM_FIELD (restarts), PARAM_FIELD (holdout), PARAM_FIELD (holdout_seed),
  PARAM_FIELD (dtype),  /* float32 */
};

/* The saved settings that are valid for X, over the session's own (the
 * defaults): one that is not falls back to the default, silently. */
static void
merge_valid_params (FsWindow       *self,
                    const FsParams *saved,
                    FsParams       *p)
{
  FsMatrix *X = fs_session_get_matrix (self->session);

  *p = *fs_session_get_params (self->session);
  for (guint k = 0; k < G_N_ELEMENTS (last_fields); k++)
    {
      FsParams q = *p;

      memcpy ((char *) &q + last_fields[k].offset, (const char *) saved + last_fields[k].offset,
              last_fields[k].size);
      if (fs_params_validate (&q, X, NULL))
        *p = q;
    }
}

/* The last launch's settings, scaling and speed go in as a session's do. */
static void
apply_last (FsWindow *self)
{
  FsWindowSessionState *st = state (self);
  g_autofree char *json = NULL;
  g_autoptr(FsSessionFile) file = NULL;
  g_autoptr(GError) error = NULL;
  FsParams p;

  st->apply_last = FALSE;
  if (self->settings == NULL)
    return;
  json = g_settings_get_string (self->settings, "last-session");
  if (*json == '\0')
    return;
  file = fs_session_file_from_data (json, -1, NULL, &error);
  if (file == NULL)
    {
      g_debug ("The last settings are not used: %s", error->message);
      return;
    }
  merge_valid_params (self, &file->params, &p);
  file->params = p;
  file->n_pins = 0;
  if ((guint) file->scaling >= FS_N_SCALINGS)
    file->scaling = fs_session_get_scaling (self->session);
  cancel_restore (self);
  st->restoring = g_steal_pointer (&file);
  /* The last learning rate was its data's: this matrix gets its own. */
  st->suggest_lr = TRUE;
  continue_restore (self);
}

static void
on_matrix_changed (FsWindow  *self,
                   gboolean   new_source,
                   FsSession *session)
{
  FsWindowSessionState *st = state (self);
  Source *source;

  if (!new_source)
    {
      if (st->restoring != NULL && st->wait_scaling &&
          fs_session_get_scaling (session) == st->restoring->scaling)
        finish_restore (self);
      return;
    }
  /* The kept runs being run again were of the old matrix. */
  cancel_pin_jobs (self);
  source = take_committed (self);
  g_clear_pointer (&st->source, source_free);
  st->source = source;
  record_file (self, source);
  if (source != NULL && is_restoring (self, source))
    {
      continue_restore (self);
      return;
    }
  /* Other data: no longer the session's. */
  set_session_path (self, NULL);
  if (source != NULL && source->path != NULL)
    fs_window_add_recent (self, source->path);
  if (st->apply_last)
    apply_last (self);
}

/* A scaling that failed leaves the session being opened where it is. */
static void
on_failed (FsWindow *self)
{
  if (state (self)->wait_scaling)
    cancel_restore (self);
}

/**
 * fs_window_restore_last_params:
 *
 * The settings, scaling and speed of the last window closed (in this
 * launch or an earlier one) go to the matrix being loaded, or the one
 * shown; those the matrix refuses keep their defaults.
 */
void
fs_window_restore_last_params (FsWindow *self)
{
  g_return_if_fail (FS_IS_WINDOW (self));

  state (self)->apply_last = TRUE;
  if (g_queue_is_empty (&state (self)->pending) && fs_session_get_matrix (self->session) != NULL)
    apply_last (self);
}

/* ---- The window's state as a session ---- */

/* The checksum of the shown matrix's file, which must still be the file
 * that was read (when its checksum at loading is known: a save in the
 * moment after it loaded takes the file as it is). */
static char *
checksum_unchanged (const Source  *source,
                    GError       **error)
{
  g_autofree char *name = g_filename_display_name (source->path);
  g_autofree char *checksum = NULL;

  if (!g_file_test (source->path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_DATA_CHANGED,
                   _("The data file “%s” is no longer there"), name);
      return NULL;
    }
  checksum = fs_session_file_checksum (source->path, error);
  if (checksum != NULL && source->checksum != NULL && strcmp (checksum, source->checksum) != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_DATA_CHANGED,
                   _("The data file “%s” changed since it was opened: open it again first"), name);
      return NULL;
    }
  return g_steal_pointer (&checksum);
}

/* Where the data came from, into file; with_checksum for a session to
 * save (a command line names the file only). */
static gboolean
fill_data (FsWindow       *self,
           FsSessionFile  *file,
           gboolean        with_checksum,
           GError        **error)
{
  const Source *source = state (self)->source;
  FsMatrix *X;

  if (source == NULL || (source->path == NULL && source->example == NULL))
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("The matrix shown was not read from a file: there is no file to name"));
      return FALSE;
    }
  if (source->example != NULL)
    {
      file->example = g_strdup (source->example);
      file->example_rows = source->example_rows;
      file->example_cols = source->example_cols;
      file->example_rank = source->example_rank;
      file->example_seed = source->example_seed;
      return TRUE;
    }
  file->data_path = g_strdup (source->path);
  /* How the file was read, so that a replay reads it the same way. */
  X = fs_session_get_source (self->session);
  if (X != NULL && X->import_options != NULL)
    fs_import_options_copy (&file->import, X->import_options);
  if (!with_checksum)
    return TRUE;
  file->checksum = checksum_unchanged (source, error);
  return file->checksum != NULL;
}

/* The settings the window runs: the thread count its solver uses, never
 * 0, so that a replay uses the same and reaches the same cost. */
static void
fill_settings (FsWindow      *self,
               FsSessionFile *file)
{
  FsMatrix *X = fs_session_get_matrix (self->session);

  file->scaling = fs_session_get_scaling (self->session);
  file->params = *fs_session_get_params (self->session);
  file->params.nice = 0;
  if (file->params.threads == 0 && X != NULL)
    file->params.threads = fs_params_auto_threads (X->rows, X->cols, file->params.rank);
  file->pace = fs_session_get_pace (self->session);
}

static FsSessionFile *
dup_session_file (FsWindow  *self,
                  gboolean   with_checksum,
                  GError   **error)
{
  g_autoptr(FsSessionFile) file = fs_session_file_new ();
  GListModel *pins = G_LIST_MODEL (self->pins);

  if (!fill_data (self, file, with_checksum, error))
    return NULL;
  fill_settings (self, file);
  for (guint k = 0; k < g_list_model_get_n_items (pins); k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (pins, k);
      FsSnapshot *snap = fs_pin_item_get_snapshot (item);
      FsParams p = *fs_pin_item_get_params (item);

      p.nice = 0;
      /* A run kept before its end is run again as far as it had gone
       * (one of several runs, to its own end: the file has no place for
       * where among them it was). */
      if (snap->state != FS_RUNNER_FINISHED && p.restarts == 1 && snap->iteration > 0)
        p.max_iters = snap->iteration;
      fs_session_file_add_pin (file, &p, fs_pin_item_get_label (item));
    }
  return g_steal_pointer (&file);
}

/**
 * fs_window_dup_session_file:
 *
 * What Save Session writes: the data (its file's path and checksum, or
 * the example), the scaling, every setting, the speed and the kept runs'
 * settings with their names. NULL and an error when the matrix shown has
 * no file, or its file changed since it was read.
 */
FsSessionFile *
fs_window_dup_session_file (FsWindow  *self,
                            GError   **error)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return dup_session_file (self, TRUE, error);
}

/* The settings, scaling and speed for the next window, as the JSON of a
 * session of the low-rank example (what a new window shows), without the
 * thread count, which is the machine's; NULL when there is nothing yet. */
char *
fs_window_session_dup_last_params (FsWindow *self)
{
  g_autoptr(FsSessionFile) file = NULL;

  if (self->session == NULL || fs_session_get_matrix (self->session) == NULL)
    return NULL;
  file = fs_session_file_new ();
  file->example = g_strdup ("lowrank");
  fill_settings (self, file);
  file->params.threads = 0;
  return fs_session_file_to_data (file, NULL);
}

/**
 * fs_window_save_session:
 * @path: where to write; FS_SESSION_FILE_EXTENSION is added when it lacks it
 *
 * Saves the window's session there (atomically); the window's title then
 * names it, and it goes first in Open Recent.
 */
gboolean
fs_window_save_session (FsWindow    *self,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(FsSessionFile) file = NULL;
  g_autofree char *full = NULL;
  g_autoptr(GFile) saved = NULL;

  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  full = g_str_has_suffix (path, FS_SESSION_FILE_EXTENSION)
         ? g_canonicalize_filename (path, NULL)
         : g_strconcat (path, FS_SESSION_FILE_EXTENSION, NULL);
  file = dup_session_file (self, TRUE, error);
  if (file == NULL || !fs_session_file_save (file, full, error))
    return FALSE;
  set_session_path (self, full);
  saved = g_file_new_for_path (full);
  fs_window_remember_folder (self, saved);
  fs_window_add_recent (self, full);
  return TRUE;
}

/* The file the shown matrix was read from (canonical), or NULL for an
 * example or a caller's matrix. */
const char *
fs_window_session_get_data_path (FsWindow *self)
{
  const Source *source = state (self)->source;

  return source != NULL ? source->path : NULL;
}

/* The session's file, or NULL when it was not saved or opened. */
const char *
fs_window_get_session_path (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return state (self)->path;
}

/* Whether an opened session is still going in (its data, scaling or
 * kept runs). */
gboolean
fs_window_get_restoring (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);

  return state (self)->restoring != NULL || state (self)->jobs != NULL;
}

/* ---- Opening a session ---- */

/* Asks the session for the example a session names, with its options. */
static gboolean
load_example (FsWindow             *self,
              const FsSessionFile  *file,
              GError              **error)
{
  const FsExample *example = fs_examples_find (file->example);
  g_autoptr(FsMatrix) X = NULL;
  Source *source;

  if (example == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("There is no example called “%s”"), file->example);
      return FALSE;
    }
  if (strcmp (example->name, "lowrank") == 0 &&
      (file->example_rows > 0 || file->example_cols > 0 || file->example_rank > 0 || file->example_seed > 0))
    X = fs_example_lowrank (file->example_rows > 0 ? file->example_rows : FS_EXAMPLE_LOWRANK_ROWS,
                            file->example_cols > 0 ? file->example_cols : FS_EXAMPLE_LOWRANK_COLS,
                            file->example_rank > 0 ? file->example_rank : FS_EXAMPLE_LOWRANK_RANK,
                            FS_EXAMPLE_LOWRANK_NOISE, file->example_seed, error);
  else if (strcmp (example->name, "notebook") == 0 && file->example_seed > 0)
    X = fs_example_notebook (file->example_seed);
  else
    X = fs_example_load (example, error);
  if (X == NULL)
    return FALSE;
  fs_session_set_matrix (self->session, X, _(example->title), example->default_rank);
  source = g_new0 (Source, 1);
  source->example = g_strdup (example->name);
  source->example_rows = file->example_rows;
  source->example_cols = file->example_cols;
  source->example_rank = file->example_rank;
  source->example_seed = file->example_seed;
  source->name = g_strdup (_(example->title));
  source->restore = state (self)->restore_serial;
  note (self, source);
  return TRUE;
}

static void
load_data (FsWindow            *self,
           const FsSessionFile *file)
{
  g_autoptr(GError) error = NULL;

  if (file->example != NULL)
    {
      if (!load_example (self, file, &error))
        {
          fs_window_show_banner (self, error->message);
          cancel_restore (self);
        }
      return;
    }
  /* Read as the session was, without the import sheet popping up. */
  fs_window_import_open (self, file->data_path, &file->import, FALSE);
  ((Source *) g_queue_peek_tail (&state (self)->pending))->restore = state (self)->restore_serial;
}

/**
 * fs_window_open_session:
 *
 * Opens a .factorscope file: its data, scaling, settings, speed and kept
 * runs replace the window's. A session that cannot be read, or whose data
 * file changed or is gone, is reported in the banner, and the matrix
 * shown stays.
 */
void
fs_window_open_session (FsWindow   *self,
                        const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSessionFile) file = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GFile) opened = NULL;

  g_return_if_fail (FS_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  name = g_filename_display_basename (path);
  file = fs_session_file_load (path, &error);
  if (file != NULL && !fs_session_file_check_data (file, &error))
    g_clear_pointer (&file, fs_session_file_free);
  if (file == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("Could not open the session “%s”. %s. The matrix already loaded stays."),
                         name, error->message);

      fs_window_show_banner (self, message);
      return;
    }
  cancel_restore (self);
  cancel_pin_jobs (self);
  state (self)->restoring = g_steal_pointer (&file);
  state (self)->restore_serial++;
  state (self)->restoring_path = g_canonicalize_filename (path, NULL);
  opened = g_file_new_for_path (state (self)->restoring_path);
  fs_window_remember_folder (self, opened);
  fs_window_add_recent (self, state (self)->restoring_path);
  load_data (self, state (self)->restoring);
}

/* ---- Actions ---- */

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  FsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        fs_window_show_banner (self, _("Sessions can only be saved as local files."));
      else if (!fs_window_save_session (self, path, &error))
        {
          g_autofree char *message = g_strdup_printf (_("The session was not saved. %s."), error->message);

          fs_window_show_banner (self, message);
        }
      else
        fs_window_show_toast (self, _("Session saved"));
    }
  g_object_unref (dialog);
}

/* The dialogs' filter for sessions. */
GtkFileFilter *
fs_window_session_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Factorscope sessions"));
  gtk_file_filter_add_suffix (filter, FS_SESSION_FILE_EXTENSION + 1);
  return filter;
}

/* The first name Save offers: the data's, without its extension. */
static char *
default_name (FsWindow *self)
{
  const Source *source = state (self)->source;
  g_autofree char *base = NULL;
  char *dot;

  if (source == NULL || source->path == NULL)
    return g_strconcat (source != NULL && source->example != NULL ? source->example : _("Untitled"),
                        FS_SESSION_FILE_EXTENSION, NULL);
  base = g_path_get_basename (source->path);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  return g_strconcat (base, FS_SESSION_FILE_EXTENSION, NULL);
}

static void
save_session_as (GtkWidget  *widget,
                 const char *action,
                 GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = fs_window_session_filter_new ();
  g_autoptr(GtkFileFilter) all_files = fs_window_all_files_filter_new ();
  g_autoptr(GFile) folder = fs_window_dup_last_folder (self);
  const char *path = state (self)->path;
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_("Save Session"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all_files);
  if (path != NULL)
    name = g_path_get_basename (path);
  else
    name = default_name (self);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Saves where the session was saved or opened; the first time, asks. */
static void
save_session (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (state (self)->path);

  if (path == NULL)
    save_session_as (widget, action, param);
  else if (!fs_window_save_session (self, path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The session was not saved. %s."), error->message);

      fs_window_show_banner (self, message);
    }
  else
    fs_window_show_toast (self, _("Session saved"));
}

static void
copy_command_line (GtkWidget  *widget,
                   const char *action,
                   GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSessionFile) file = dup_session_file (self, FALSE, &error);
  g_autofree char *text = NULL;

  if (file == NULL)
    {
      fs_window_show_toast (self, error->message);
      return;
    }
  text = fs_session_file_to_command_line (file);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  fs_window_show_toast (self, _("Command line copied"));
}

/* ---- Setting up ---- */

void
fs_window_session_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.save-session", NULL, save_session);
  gtk_widget_class_install_action (widget_class, "win.save-session-as", NULL, save_session_as);
  gtk_widget_class_install_action (widget_class, "win.copy-command-line", NULL, copy_command_line);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-session", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-session-as", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-command-line", NULL);
}

void
fs_window_session_init (FsWindow *self)
{
  self->session_state = g_new0 (FsWindowSessionState, 1);
  g_queue_init (&self->session_state->pending);
  g_signal_connect_swapped (self->session, "matrix-changed", G_CALLBACK (on_matrix_changed), self);
  g_signal_connect_swapped (self->session, "failed", G_CALLBACK (on_failed), self);
}

void
fs_window_session_dispose (FsWindow *self)
{
  FsWindowSessionState *st = self->session_state;

  if (st == NULL)
    return;
  cancel_pin_jobs (self);
  cancel_restore (self);
  g_cancellable_cancel (st->checksum_cancellable);
  g_clear_object (&st->checksum_cancellable);
  g_queue_clear_full (&st->pending, (GDestroyNotify) source_free);
  g_clear_pointer (&st->source, source_free);
  g_free (st->path);
  g_clear_pointer (&self->session_state, g_free);
}
