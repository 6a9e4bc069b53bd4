/* fs-session.c
 *
 * Every background task takes copies or references of its inputs, runs in
 * a GTask thread and hands its result back once, on the session's main
 * context; a result whose cancellable is no longer the current one is
 * stale and dropped. Tasks hold the session (their source object), so
 * fs_session_close() is what stops them, not the last unref of a view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-session"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-loader.h"
#include "fs-optimum.h"
#include "fs-session.h"
#include "fs-step-size.h"

struct _FsSession
{
  GObject       parent_instance;

  FsMatrix     *source;
  FsMatrix     *X;
  char         *name;
  FsScaling     scaling;
  FsParams      params;
  int           solver_nice;
  double        pace;
  FsRunner     *runner;
  GArray       *singular_values;
  double        optimum;
  gboolean      optimum_is_reference;  /* f* of the full data, not of the run's */

  GCancellable *load_cancellable;
  GCancellable *prepare_cancellable;
  gboolean      loading;            /* a file is being read */
  double        load_progress;      /* how far, in [0, 1] */
  char         *loading_name;       /* its display name, while loading */
  GCancellable *svd_cancellable;
  guint         svd_count;          /* the top values asked of a sparse X */
  /* What the prepare in flight makes, for a scaling chosen meanwhile. */
  FsMatrix     *pending_source;
  char         *pending_name;
  guint         pending_rank;
  gboolean      pending_new_source;
  FsScaling     pending_scaling;
  FsScaling     wanted_scaling;     /* the last one asked for */
  /* Each new source asked for (a file, a matrix) is a request, numbered
   * from 1; the shown source's and the pending one's are kept, so that a
   * caller knows which of its requests a new source answers. */
  guint         last_request;
  guint         pending_request;
  guint         source_request;
  guint         n_pending;          /* loads and prepares not yet handed back */
  gboolean      computing_optimum;
  gboolean      closed;

  /* Threads still inside a task, for fs_session_wait_for_tasks: LAPACK
   * cannot be interrupted, and the process must not end under it. */
  GMutex        threads_lock;
  GCond         threads_done;
  guint         n_threads;
};

G_DEFINE_FINAL_TYPE (FsSession, fs_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_SCALING,
  PROP_OPTIMUM,
  PROP_BUSY,
  PROP_COMPUTING_OPTIMUM,
  PROP_SINGULAR_VALUES,
  PROP_LOADING,
  PROP_LOAD_PROGRESS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  MATRIX_CHANGED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Work done in a task's thread: it takes the task data and the task's
 * cancellable, and returns the result, or NULL and an error. */
typedef struct
{
  gpointer       (*work) (gpointer       data,
                          GCancellable  *cancellable,
                          GError       **error);
  GDestroyNotify   free_result;
} Work;

/* Runs a task's work, counted in the session's threads. */
static void
work_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  FsSession *self = source;
  const Work *work = g_task_get_source_tag (task);
  GError *error = NULL;
  gpointer result = work->work (data, cancellable, &error);

  g_mutex_lock (&self->threads_lock);
  if (--self->n_threads == 0)
    g_cond_broadcast (&self->threads_done);
  g_mutex_unlock (&self->threads_lock);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, work->free_result);
}

/* Runs work on data in a thread; the task's source tag is the work. The
 * thread is counted from now, not from when it starts: a task waiting for
 * a thread of GLib's pool will still run. No task returns on cancel, so
 * every one runs work_thread to its end. */
static void
run_task (GTask          *task,
          const Work     *work,
          gpointer        data,
          GDestroyNotify  free_data)
{
  FsSession *self = g_task_get_source_object (task);

  g_mutex_lock (&self->threads_lock);
  self->n_threads++;
  g_mutex_unlock (&self->threads_lock);
  g_task_set_source_tag (task, (gpointer) work);
  g_task_set_task_data (task, data, free_data);
  g_task_run_in_thread (task, work_thread);
}

static void
set_pending (FsSession *self,
             int        change)
{
  gboolean was_busy = self->n_pending > 0;

  self->n_pending = (guint) ((int) self->n_pending + change);
  if (was_busy != (self->n_pending > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_computing_optimum (FsSession *self,
                       gboolean   computing)
{
  if (self->computing_optimum == computing)
    return;
  self->computing_optimum = computing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPUTING_OPTIMUM]);
}

/* f* for the current matrix and settings, NaN when it is not known. */
static void
update_optimum (FsSession *self)
{
  double optimum = NAN;
  FsParams full = self->params;
  gboolean reference = self->params.holdout > 0.0;

  /* With held-out cells there is no closed form; the full data's f* is
   * a reference, said so wherever it is shown. */
  full.holdout = 0.0;
  if (self->singular_values != NULL && self->X != NULL &&
      fs_params_has_optimum (&full, self->X, NULL))
    optimum = fs_optimum_for_matrix (self->X, self->singular_values, self->params.rank,
                                     self->params.l2_w, self->params.l2_h);

  if (reference == self->optimum_is_reference &&
      (optimum == self->optimum || (isnan (optimum) && isnan (self->optimum))))
    return;
  self->optimum = optimum;
  self->optimum_is_reference = reference;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPTIMUM]);
}

static GCancellable *
renew (GCancellable **cancellable)
{
  g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
  return *cancellable;
}

static gboolean
is_current (FsSession    *self,
            GAsyncResult *result,
            GCancellable *current)
{
  GCancellable *cancellable = g_task_get_cancellable (G_TASK (result));

  return !self->closed && cancellable == current && !g_cancellable_is_cancelled (cancellable);
}

/* Singular values, for f* and the spectrum */

/* Takes values (NULL clears them), notifying "singular-values" when they
 * were or become set. */
static void
set_singular_values (FsSession *self,
                     GArray    *values)
{
  gboolean had = self->singular_values != NULL;

  g_clear_pointer (&self->singular_values, g_array_unref);
  self->singular_values = values;
  if (had || values != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINGULAR_VALUES]);
}

typedef struct
{
  FsMatrix *X;
  guint     count;   /* the top values a sparse X gives */
} SvdJob;

static void
svd_job_free (SvdJob *job)
{
  fs_matrix_unref (job->X);
  g_free (job);
}

static gpointer
svd_work (gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  SvdJob *job = data;
  GArray *values;

  /* A sparse matrix whose unlisted cells are zeros gets its top values
   * from the sparse SVD, never a dense copy; a dense one gets them all. */
  values = fs_singular_values_for_rank (job->X, job->count, error);

  g_debug ("Computing the singular values of a %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT
           " matrix: done", job->X->rows, job->X->cols);
  return values;
}

static const Work svd = { svd_work, (GDestroyNotify) g_array_unref };

static void
on_svd_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  FsSession *self = FS_SESSION (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = g_task_propagate_pointer (G_TASK (result), &error);

  if (!is_current (self, result, self->svd_cancellable))
    return;
  set_computing_optimum (self, FALSE);
  if (values == NULL)
    {
      g_debug ("No singular values: %s", error->message);
      return;
    }
  set_singular_values (self, g_steal_pointer (&values));
  update_optimum (self);
}

/* The top values to ask of a sparse X: enough for the spectrum, and for
 * f* at the rank set, which may be above them. */
static guint
svd_count_for_rank (guint rank)
{
  return MAX (FS_OPTIMUM_SPARSE_TOP, rank);
}

static void
start_svd (FsSession *self)
{
  g_autoptr(GTask) task = NULL;
  SvdJob *job;

  set_singular_values (self, NULL);
  update_optimum (self);
  if (self->X->n_missing > 0)
    {
      g_cancellable_cancel (self->svd_cancellable);
      set_computing_optimum (self, FALSE);
      return;
    }

  /* A cancelled SVD finishes in its thread (LAPACK cannot be stopped),
   * and its result is dropped. */
  task = g_task_new (self, renew (&self->svd_cancellable), on_svd_done, NULL);
  /* The quit test waits for this line (G_MESSAGES_DEBUG=fs-session). */
  g_debug ("Computing the singular values of a %" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT " matrix",
           self->X->rows, self->X->cols);
  set_computing_optimum (self, TRUE);
  job = g_new0 (SvdJob, 1);
  job->X = fs_matrix_ref (self->X);
  job->count = self->svd_count = svd_count_for_rank (self->params.rank);
  run_task (task, &svd, job, (GDestroyNotify) svd_job_free);
}

/* Preparing a matrix: the scaled X, its starting learning rate and a
 * runner (whose solver allocates and evaluates the starting point), all
 * made in a thread so that even a large matrix never stalls a view. */

typedef struct
{
  FsMatrix  *source;
  char      *name;
  FsScaling  scaling;
  FsParams   base;        /* the session's settings when it started */
  FsParams   params;      /* base at the new rank, then the starting step */
  gboolean   new_source;
  guint      request;     /* the request it answers (new_source) */
  FsMatrix  *X;
  FsRunner  *runner;
} Prepared;

static void
prepared_free (Prepared *p)
{
  g_clear_pointer (&p->source, fs_matrix_unref);
  g_clear_pointer (&p->X, fs_matrix_unref);
  g_clear_pointer (&p->runner, fs_runner_free);
  g_free (p->name);
  g_free (p);
}

/* Returns p itself, or NULL and an error. */
static gpointer
prepare_work (gpointer       data,
              GCancellable  *cancellable,
              GError       **error)
{
  Prepared *p = data;
  double lr;

  p->X = p->scaling == FS_SCALING_NONE ? fs_matrix_ref (p->source)
                                       : fs_matrix_scaled (p->source, p->scaling, error);
  if (p->X == NULL)
    return NULL;
  lr = fs_step_size_starting (p->X, &p->params, NULL);
  if (isfinite (lr) && lr > 0.0)
    p->params.lr = lr;
  p->runner = fs_runner_new (p->X, &p->params, error);
  return p->runner != NULL ? p : NULL;
}

static const Work prepare = { prepare_work, NULL };

/* Settings changed while the matrix was prepared apply to it too: the
 * prepared runner starts again from them, at the prepared rank, and with
 * the starting step unless a learning rate was set meanwhile. */
static void
keep_edits (FsSession *self,
            Prepared  *p)
{
  FsParams wanted = self->params;

  if (fs_params_equal (&self->params, &p->base))
    {
      self->params = p->params;
      return;
    }
  wanted.rank = p->params.rank;
  if (self->params.lr == p->base.lr)
    wanted.lr = p->params.lr;
  if (fs_runner_set_params (self->runner, &wanted, NULL))
    self->params = wanted;
  else
    self->params = p->params;
}

static void
clear_pending (FsSession *self)
{
  g_clear_pointer (&self->pending_source, fs_matrix_unref);
  g_clear_pointer (&self->pending_name, g_free);
}

/* Installs a prepared matrix and runner; the old ones go only now. */
static void
commit (FsSession *self,
        Prepared  *p)
{
  gboolean renamed = g_strcmp0 (self->name, p->name) != 0;
  gboolean rescaled = self->scaling != p->scaling;

  g_clear_pointer (&self->runner, fs_runner_free);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->source, fs_matrix_unref);
  self->source = g_steal_pointer (&p->source);
  self->X = g_steal_pointer (&p->X);
  self->runner = g_steal_pointer (&p->runner);
  fs_runner_set_pace (self->runner, self->pace);
  self->scaling = p->scaling;
  if (p->new_source)
    self->source_request = p->request;
  keep_edits (self, p);
  g_free (self->name);
  self->name = g_steal_pointer (&p->name);

  g_object_freeze_notify (G_OBJECT (self));
  if (renamed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  if (rescaled)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
  start_svd (self);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[MATRIX_CHANGED], 0, p->new_source);
}

static void
on_prepared (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  FsSession *self = FS_SESSION (object);
  Prepared *p = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_pointer (G_TASK (result), &error) != NULL;

  set_pending (self, -1);
  if (!is_current (self, result, self->prepare_cancellable))
    return;
  clear_pending (self);

  if (!ok)
    {
      g_autofree char *message =
        p->new_source
          ? g_strdup_printf (_("Could not open “%s”. %s. The matrix already loaded stays."),
                             p->name, error->message)
          : g_strdup_printf (_("Could not scale the matrix. %s. It stays as it was."),
                             error->message);

      g_signal_emit (self, signals[FAILED], 0, message);
      return;
    }
  commit (self, p);
}

static void
start_prepare (FsSession  *self,
               FsMatrix   *source,
               const char *name,
               FsScaling   scaling,
               guint       rank,
               gboolean    new_source,
               guint       request)
{
  g_autoptr(GTask) task = NULL;
  Prepared *p = g_new0 (Prepared, 1);
  char *copy;

  p->source = fs_matrix_ref (source);
  p->name = g_strdup (name);
  p->scaling = scaling;
  p->base = self->params;
  p->params = self->params;
  p->params.nice = self->solver_nice;
  p->params.rank = (guint) CLAMP ((gsize) rank, 1, MIN (source->rows, source->cols));
  p->new_source = new_source;
  p->request = request;

  /* Copies, so that nothing here reads what the thread writes (name may
   * be pending_name itself). */
  copy = g_strdup (name);
  g_free (self->pending_name);
  self->pending_name = copy;
  if (self->pending_source != source)
    {
      g_clear_pointer (&self->pending_source, fs_matrix_unref);
      self->pending_source = fs_matrix_ref (source);
    }
  self->pending_rank = p->params.rank;
  self->pending_new_source = new_source;
  self->pending_request = request;
  self->pending_scaling = scaling;

  task = g_task_new (self, renew (&self->prepare_cancellable), on_prepared, NULL);
  set_pending (self, +1);
  run_task (task, &prepare, p, (GDestroyNotify) prepared_free);
}

/* Loading a file */

/* The "loading" and "load-progress" properties, notified when they
 * change, and "loading" whenever a load starts. */
static void
set_loading (FsSession  *self,
             gboolean    loading,
             const char *name)
{
  /* A new load notifies even while another was loading: its name is new. */
  gboolean changed = self->loading != loading || loading;

  g_object_freeze_notify (G_OBJECT (self));
  if (loading)
    {
      g_free (self->loading_name);
      self->loading_name = g_strdup (name);
    }
  else
    g_clear_pointer (&self->loading_name, g_free);
  self->loading = loading;
  if (self->load_progress != 0.0)
    {
      self->load_progress = 0.0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_PROGRESS]);
    }
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* How far a load has gone, shared by its thread and the session's main
 * context. The thread only writes the fraction and, at most once per
 * PROGRESS_INTERVAL, queues one source on that context; the source, in
 * the session's thread, finds the session through a weak reference (the
 * source may run after the task has let go of it) and hands the fraction
 * on if the load is still the current one. */
#define PROGRESS_INTERVAL (G_USEC_PER_SEC / 20)

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  double           fraction;   /* the latest, under lock */
  gint64           sent;       /* when the last source ran, under lock */
  gboolean         queued;     /* one is queued and not run yet, under lock */
  GMainContext    *context;
  GWeakRef         session;
  GCancellable    *cancellable;  /* the load's, to tell a stale one */
} LoadProgress;

static LoadProgress *
load_progress_new (FsSession    *self,
                   GCancellable *cancellable)
{
  LoadProgress *lp = g_new0 (LoadProgress, 1);

  g_atomic_ref_count_init (&lp->ref_count);
  g_mutex_init (&lp->lock);
  lp->sent = G_MININT64 / 2;
  lp->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&lp->session, self);
  lp->cancellable = g_object_ref (cancellable);
  return lp;
}

static LoadProgress *
load_progress_ref (LoadProgress *lp)
{
  g_atomic_ref_count_inc (&lp->ref_count);
  return lp;
}

static void
load_progress_unref (LoadProgress *lp)
{
  if (!g_atomic_ref_count_dec (&lp->ref_count))
    return;
  g_mutex_clear (&lp->lock);
  g_main_context_unref (lp->context);
  g_weak_ref_clear (&lp->session);
  g_object_unref (lp->cancellable);
  g_free (lp);
}

/* In the session's thread. */
static gboolean
deliver_load_progress (gpointer data)
{
  LoadProgress *lp = data;
  g_autoptr(FsSession) self = g_weak_ref_get (&lp->session);
  double fraction;

  /* The next source is queued PROGRESS_INTERVAL after this one runs, not
   * after it was queued: notifications are that far apart here too. */
  g_mutex_lock (&lp->lock);
  fraction = lp->fraction;
  lp->queued = FALSE;
  lp->sent = g_get_monotonic_time ();
  g_mutex_unlock (&lp->lock);

  if (self != NULL && self->loading && !self->closed &&
      self->load_cancellable == lp->cancellable &&
      !g_cancellable_is_cancelled (lp->cancellable) && fraction != self->load_progress)
    {
      self->load_progress = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_PROGRESS]);
    }
  return G_SOURCE_REMOVE;
}

/* In the loading thread (FsLoadProgressFunc). */
static void
on_load_progress (double   fraction,
                  gpointer data)
{
  LoadProgress *lp = data;
  gint64 now = g_get_monotonic_time ();
  gboolean send;
  GSource *source;

  g_mutex_lock (&lp->lock);
  lp->fraction = CLAMP (fraction, 0.0, 1.0);
  send = !lp->queued && now - lp->sent >= PROGRESS_INTERVAL;
  if (send)
    lp->queued = TRUE;
  g_mutex_unlock (&lp->lock);
  if (!send)
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[factorscope] load progress");
  g_source_set_callback (source, deliver_load_progress, load_progress_ref (lp),
                         (GDestroyNotify) load_progress_unref);
  g_source_attach (source, lp->context);
  g_source_unref (source);
}

typedef struct
{
  char            *path;
  FsImportOptions  options;
  LoadProgress    *progress;
} Load;

static void
load_free (Load *load)
{
  g_free (load->path);
  fs_import_options_clear (&load->options);
  g_clear_pointer (&load->progress, load_progress_unref);
  g_free (load);
}

static gint minimum_load_ms;

void
fs_session_set_minimum_load_time (guint ms)
{
  g_atomic_int_set (&minimum_load_ms, (gint) MIN (ms, (guint) G_MAXINT));
}

static gpointer
load_work (gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Load *load = data;
  gint64 until = g_get_monotonic_time () + 1000 * (gint64) g_atomic_int_get (&minimum_load_ms);

  while (g_get_monotonic_time () < until && !g_cancellable_is_cancelled (cancellable))
    g_usleep (2000);
  return fs_matrix_load_full (load->path, &load->options, cancellable, on_load_progress,
                              load->progress, error);
}

static const Work load_file = { load_work, (GDestroyNotify) fs_matrix_unref };

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  FsSession *self = FS_SESSION (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = g_task_propagate_pointer (G_TASK (result), &error);
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autofree char *name = g_filename_display_basename (load->path);

  set_pending (self, -1);
  /* A cancelled load ended "loading" when it was cancelled, and a newer
   * one has it now. */
  if (!is_current (self, result, self->load_cancellable))
    return;
  g_debug ("Read %s", name);
  set_loading (self, FALSE, NULL);

  if (X == NULL)
    {
      g_autofree char *message =
        self->X != NULL || self->pending_source != NULL
          ? g_strdup_printf (_("Could not open the file. %s. The matrix already loaded stays."),
                             error->message)
          : g_strdup_printf (_("Could not open the file. %s."), error->message);

      g_signal_emit (self, signals[FAILED], 0, message);
      return;
    }
  start_prepare (self, X, name, self->wanted_scaling, fs_params_default_rank (X->rows, X->cols), TRUE,
                 GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), "fs-request")));
}

/**
 * fs_session_open_path:
 *
 * Loads a file in a thread, then prepares it; the current matrix stays
 * until the new one is whole. A load or prepare still in flight is
 * cancelled.
 */
void
fs_session_open_path (FsSession  *self,
                      const char *path)
{
  fs_session_open_path_full (self, path, NULL);
}

void
fs_session_open_path_full (FsSession             *self,
                           const char            *path,
                           const FsImportOptions *options)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  GCancellable *cancellable;
  Load *load;

  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (path != NULL);

  load = g_new0 (Load, 1);
  load->path = g_strdup (path);
  fs_import_options_init (&load->options);
  if (options != NULL)
    fs_import_options_copy (&load->options, options);

  /* A matrix being prepared stays on its way: it is something to look at
   * while the file loads, and if the file cannot be read. The load in
   * flight, if any, is cancelled. */
  cancellable = renew (&self->load_cancellable);
  load->progress = load_progress_new (self, cancellable);
  task = g_task_new (self, cancellable, on_loaded, NULL);
  g_object_set_data (G_OBJECT (task), "fs-request", GUINT_TO_POINTER (++self->last_request));
  name = g_filename_display_basename (path);
  g_debug ("Loading %s", name);
  set_loading (self, TRUE, name);
  set_pending (self, +1);
  run_task (task, &load_file, load, (GDestroyNotify) load_free);
}

/* A matrix made by the caller, shown under the given name and rank once
 * it is prepared. */
void
fs_session_set_matrix (FsSession  *self,
                       FsMatrix   *source,
                       const char *name,
                       guint       rank)
{
  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (source != NULL && name != NULL);

  fs_session_cancel_load (self);
  start_prepare (self, source, name, self->wanted_scaling, rank, TRUE, ++self->last_request);
}

/* A built-in example (fs-examples' table), under its title and rank. */
gboolean
fs_session_load_example (FsSession   *self,
                         const char  *name,
                         GError     **error)
{
  const FsExample *example;
  g_autoptr(FsMatrix) X = NULL;

  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  example = fs_examples_find (name);
  if (example == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("There is no example called “%s”"), name);
      return FALSE;
    }
  X = fs_example_load (example, error);
  if (X == NULL)
    return FALSE;
  fs_session_set_matrix (self, X, _(example->title), example->default_rank);
  return TRUE;
}

/* Prepares the source again with another scaling (or the matrix being
 * prepared, if there is one); the scaling property changes when the new X
 * is committed, and stays if scaling fails. */
void
fs_session_set_scaling (FsSession *self,
                        FsScaling  scaling)
{
  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail ((guint) scaling < FS_N_SCALINGS);

  self->wanted_scaling = scaling;
  if (self->pending_source != NULL)
    {
      if (scaling != self->pending_scaling)
        start_prepare (self, self->pending_source, self->pending_name, scaling,
                       self->pending_rank, self->pending_new_source, self->pending_request);
      return;
    }
  if (scaling == self->scaling)
    return;
  if (self->source != NULL)
    {
      start_prepare (self, self->source, self->name, scaling, self->params.rank, FALSE,
                     self->source_request);
      return;
    }
  self->scaling = scaling;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

/* Whether f* at the rank set needs more top values of a sparse X than
 * the SVD was asked for: the SVD then starts again (the one in flight,
 * if any, is cancelled). */
static gboolean
needs_more_values (FsSession *self)
{
  return self->X != NULL && fs_matrix_is_sparse (self->X) && self->X->n_missing == 0 &&
         self->params.rank > self->svd_count &&
         self->svd_count < MIN (self->X->rows, self->X->cols);
}

/* New settings restart the run from iteration 0, still running if it
 * was (the runner keeps the intent). */
gboolean
fs_session_set_params (FsSession       *self,
                       const FsParams  *params,
                       GError         **error)
{
  FsParams p;

  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  p = *params;
  p.nice = self->solver_nice;
  if (self->runner != NULL && !fs_runner_set_params (self->runner, &p, error))
    return FALSE;
  self->params = p;
  if (needs_more_values (self))
    start_svd (self);
  else
    update_optimum (self);
  return TRUE;
}

/* The nice value the solver's threads take from the next matrix or
 * settings on (0, the default, leaves them be): a window gives its frames
 * way over the solver with it. */
void
fs_session_set_solver_nice (FsSession *self,
                            int        nice)
{
  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (nice >= 0 && nice <= 19);

  self->solver_nice = nice;
  self->params.nice = nice;
}

/* Applies from the next iteration, without restarting. */
void
fs_session_set_lr (FsSession *self,
                   double     lr)
{
  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (isfinite (lr) && lr > 0.0);

  self->params.lr = lr;
  if (self->runner != NULL)
    fs_runner_set_lr (self->runner, lr);
}

/* Iterations per second while running, for this runner and the next; 0:
 * as fast as the solver goes. */
void
fs_session_set_pace (FsSession *self,
                     double     iterations_per_second)
{
  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (iterations_per_second >= 0.0);

  self->pace = isinf (iterations_per_second) ? 0.0 : iterations_per_second;
  if (self->runner != NULL)
    fs_runner_set_pace (self->runner, self->pace);
}

double
fs_session_get_pace (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), 0.0);

  return self->pace;
}

void
fs_session_run (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  if (self->runner != NULL)
    fs_runner_run (self->runner);
}

void
fs_session_pause (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  if (self->runner != NULL)
    fs_runner_pause (self->runner);
}

void
fs_session_step (FsSession *self,
                 guint64    n)
{
  g_return_if_fail (FS_IS_SESSION (self));

  if (self->runner != NULL)
    fs_runner_step (self->runner, n);
}

void
fs_session_reset (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  if (self->runner != NULL)
    fs_runner_reset (self->runner);
}

/* The starting learning rate */

typedef struct
{
  FsMatrix *X;
  FsParams  params;
} LrJob;

static void
lr_job_free (LrJob *job)
{
  fs_matrix_unref (job->X);
  g_free (job);
}

static gpointer
lr_work (gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  LrJob *job = data;
  g_autoptr(GError) local_error = NULL;
  double lr = fs_step_size_starting (job->X, &job->params, &local_error);

  if (isfinite (lr) && lr > 0.0)
    return g_memdup2 (&lr, sizeof lr);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("No learning rate can be suggested for these settings"));
  return NULL;
}

static const Work starting_lr_work = { lr_work, g_free };

/* The step the rule starts from for these settings (what a run started
 * without a learning rate would use), computed in a thread. */
void
fs_session_starting_lr_async (FsSession           *self,
                              const FsParams      *params,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             data)
{
  g_autoptr(GTask) task = NULL;
  LrJob *job;

  g_return_if_fail (FS_IS_SESSION (self));
  g_return_if_fail (params != NULL);

  task = g_task_new (self, cancellable, callback, data);
  if (self->X == NULL)
    {
      g_task_return_new_error (task, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                               _("There is no matrix to suggest a learning rate for"));
      return;
    }
  job = g_new0 (LrJob, 1);
  job->X = fs_matrix_ref (self->X);
  job->params = *params;
  run_task (task, &starting_lr_work, job, (GDestroyNotify) lr_job_free);
}

double
fs_session_starting_lr_finish (FsSession     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autofree double *lr = NULL;

  g_return_val_if_fail (FS_IS_SESSION (self), NAN);
  g_return_val_if_fail (g_task_is_valid (result, self), NAN);

  lr = g_task_propagate_pointer (G_TASK (result), error);
  return lr != NULL ? *lr : NAN;
}

/* Getters */

FsMatrix *
fs_session_get_source (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->source;
}

/* The matrix the solver sees (the source, scaled), or NULL. */
FsMatrix *
fs_session_get_matrix (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->X;
}

/**
 * fs_session_get_last_request:
 *
 * The number of the last new source asked for (fs_session_open_path,
 * fs_session_set_matrix, fs_session_load_example), read right after
 * asking; 0 before any.
 */
guint
fs_session_get_last_request (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), 0);

  return self->last_request;
}

/**
 * fs_session_get_source_request:
 *
 * The request the shown source answers: which file or matrix of those
 * asked for it is, whatever their names. 0 for none.
 */
guint
fs_session_get_source_request (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), 0);

  return self->source_request;
}

const char *
fs_session_get_name (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->name;
}

FsScaling
fs_session_get_scaling (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), FS_SCALING_NONE);

  return self->scaling;
}

const FsParams *
fs_session_get_params (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return &self->params;
}

/* The runner's latest snapshot, or NULL; free with fs_snapshot_unref. */
FsSnapshot *
fs_session_get_snapshot (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->runner != NULL ? fs_runner_get_snapshot (self->runner) : NULL;
}

double
fs_session_get_optimum (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NAN);

  return self->optimum;
}

GArray *
fs_session_get_singular_values (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->singular_values;
}

/* Whether a file is loading or a matrix is being prepared. */
gboolean
fs_session_get_busy (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);

  return self->n_pending > 0;
}

/* Whether fs_session_get_optimum () is the f* of the full data, shown for
 * reference only: the settings hold cells out, and have no f* of their
 * own. */
gboolean
fs_session_get_optimum_is_reference (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);

  return self->optimum_is_reference;
}

gboolean
fs_session_get_computing_optimum (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);

  return self->computing_optimum;
}

/**
 * fs_session_close:
 *
 * Cancels every task and stops and joins the runner's thread; results
 * still on their way are dropped. A view calls it when it goes: the tasks
 * hold the session until they finish.
 */
void
fs_session_close (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  self->closed = TRUE;
  fs_session_cancel_load (self);
  g_cancellable_cancel (self->prepare_cancellable);
  g_cancellable_cancel (self->svd_cancellable);
  g_clear_pointer (&self->runner, fs_runner_free);
  /* A closed session may be kept until its tasks end: it keeps no matrix. */
  clear_pending (self);
  g_clear_pointer (&self->source, fs_matrix_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  set_singular_values (self, NULL);
}

/* Returns once no thread of this session's tasks is running: for the end
 * of the process, which must not unload OpenBLAS under one. */
void
fs_session_wait_for_tasks (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  g_mutex_lock (&self->threads_lock);
  while (self->n_threads > 0)
    g_cond_wait (&self->threads_done, &self->threads_lock);
  g_mutex_unlock (&self->threads_lock);
}

/**
 * fs_session_wait_for_tasks_until:
 * @end_time: a monotonic time (g_get_monotonic_time ())
 *
 * Like fs_session_wait_for_tasks (), but gives up at @end_time. Returns
 * whether no thread of the session's tasks is running any more: FALSE
 * means one still is (an SVD cannot be interrupted).
 */
gboolean
fs_session_wait_for_tasks_until (FsSession *self,
                                 gint64     end_time)
{
  gboolean done;

  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);

  g_mutex_lock (&self->threads_lock);
  while (self->n_threads > 0)
    if (!g_cond_wait_until (&self->threads_done, &self->threads_lock, end_time))
      break;
  done = self->n_threads == 0;
  g_mutex_unlock (&self->threads_lock);
  return done;
}

static void
fs_session_dispose (GObject *object)
{
  FsSession *self = FS_SESSION (object);

  fs_session_close (self);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->prepare_cancellable);
  g_clear_object (&self->svd_cancellable);

  G_OBJECT_CLASS (fs_session_parent_class)->dispose (object);
}

static void
fs_session_finalize (GObject *object)
{
  FsSession *self = FS_SESSION (object);

  g_clear_pointer (&self->source, fs_matrix_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->singular_values, g_array_unref);
  g_free (self->name);
  g_free (self->loading_name);
  g_mutex_clear (&self->threads_lock);
  g_cond_clear (&self->threads_done);

  G_OBJECT_CLASS (fs_session_parent_class)->finalize (object);
}

static void
fs_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  FsSession *self = FS_SESSION (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SCALING:
      g_value_set_uint (value, self->scaling);
      break;
    case PROP_OPTIMUM:
      g_value_set_double (value, self->optimum);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->n_pending > 0);
      break;
    case PROP_COMPUTING_OPTIMUM:
      g_value_set_boolean (value, self->computing_optimum);
      break;
    case PROP_SINGULAR_VALUES:
      g_value_set_boxed (value, self->singular_values);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_LOAD_PROGRESS:
      g_value_set_double (value, self->load_progress);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_session_class_init (FsSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = fs_session_dispose;
  object_class->finalize = fs_session_finalize;
  object_class->get_property = fs_session_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SCALING] = g_param_spec_uint ("scaling", NULL, NULL, 0, FS_N_SCALINGS - 1,
                                                FS_SCALING_NONE, flags);
  properties[PROP_OPTIMUM] = g_param_spec_double ("optimum", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE,
                                                  0.0, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_COMPUTING_OPTIMUM] = g_param_spec_boolean ("computing-optimum", NULL, NULL,
                                                             FALSE, flags);
  properties[PROP_SINGULAR_VALUES] = g_param_spec_boxed ("singular-values", NULL, NULL,
                                                         G_TYPE_ARRAY, flags);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  properties[PROP_LOAD_PROGRESS] = g_param_spec_double ("load-progress", NULL, NULL, 0.0, 1.0,
                                                        0.0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A new X and runner are in place; new_source is FALSE when only the
   * scaling changed. */
  signals[MATRIX_CHANGED] = g_signal_new ("matrix-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* A load or prepare failed; the message says what and that nothing changed. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass),
                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
fs_session_init (FsSession *self)
{
  fs_params_init_defaults (&self->params);
  self->params.rank = FS_DEFAULT_RANK;
  /* A view stops once the curve is flat: the camera then stops within
   * 0.2% of f* (2035 iterations), the low-rank example after 55. */
  self->params.tol = FS_SESSION_DEFAULT_TOL;
  self->optimum = NAN;
  g_mutex_init (&self->threads_lock);
  g_cond_init (&self->threads_done);
}

FsSession *
fs_session_new (void)
{
  return g_object_new (FS_TYPE_SESSION, NULL);
}

/**
 * fs_session_cancel_load:
 *
 * Stops the load in flight, if any: "loading" goes FALSE at once, the
 * shown matrix stays, and nothing is emitted for it. Its thread ends at
 * the loader's next check of the cancellable, and its result is dropped.
 */
void
fs_session_cancel_load (FsSession *self)
{
  g_return_if_fail (FS_IS_SESSION (self));

  g_cancellable_cancel (self->load_cancellable);
  if (self->loading)
    set_loading (self, FALSE, NULL);
}

gboolean
fs_session_get_loading (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), FALSE);

  return self->loading;
}

double
fs_session_get_load_progress (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), 0.0);

  return self->load_progress;
}

/* The display name of the file being read, or NULL when none is. */
const char *
fs_session_get_loading_name (FsSession *self)
{
  g_return_val_if_fail (FS_IS_SESSION (self), NULL);

  return self->loading_name;
}
