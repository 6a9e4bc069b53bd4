/* fs-tsan.c: GLib's synchronisation told to ThreadSanitizer (fs-tsan.h).
 *
 * Built only with -Db_sanitize=thread. Each __wrap_ function calls the real
 * one and annotates what it did:
 *  - GMutex through TSan's custom-mutex API, as TSan's own pthread_mutex
 *    interceptors do (GRecMutex is a pthread mutex in GLib 2.74, which
 *    TSan sees already); g_cond_wait* unlocks the mutex before
 *    waiting and locks it again after, as pthread_cond_wait's interceptor
 *    does (a signal alone orders nothing, as with pthreads);
 *  - every other hand-over as a release on an address before it and an
 *    acquire on that address where it is taken: g_once_init_leave and the
 *    instrumented atomic load of g_once_init_enter's fast path (same
 *    address); the last reference's drop, which then frees (counts and
 *    rc boxes: each drop releases, the last one acquires before it
 *    clears); a GAsyncQueue's push and pop; a source attached from any
 *    thread and its callback; a GTask's return from its thread and its
 *    callback, and the callback's end and the task's disposal (whichever
 *    thread drops the task last frees its task data);
 *  - a GTask's thread function runs on a thread of its own (pthread_create
 *    and pthread_join, which TSan sees), not in GLib's pool, and its
 *    return from there is ordered before its callback by a pthread mutex:
 *    what GIO does there is done under GLib's main-context lock anyway.
 * An annotation that is missing shows as a report in the tests, never as a
 * hidden one; an extra one could hide a race, so each pairs with
 * synchronisation that GLib does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP */
#define _GNU_SOURCE 1

#include "config.h"

#define G_LOG_DOMAIN "fs-tsan"

#include <pthread.h>
#include <sanitizer/tsan_interface.h>

#include "fs-tsan.h"

/* ---- GMutex, GCond ---- */

void
__wrap_g_mutex_init (GMutex *mutex)
{
  __real_g_mutex_init (mutex);
  __tsan_mutex_create (mutex, __tsan_mutex_not_static);
}

void
__wrap_g_mutex_clear (GMutex *mutex)
{
  __tsan_mutex_destroy (mutex, __tsan_mutex_not_static);
  __real_g_mutex_clear (mutex);
}

void
__wrap_g_mutex_lock (GMutex *mutex)
{
  __tsan_mutex_pre_lock (mutex, 0);
  __real_g_mutex_lock (mutex);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

gboolean
__wrap_g_mutex_trylock (GMutex *mutex)
{
  gboolean locked;

  __tsan_mutex_pre_lock (mutex, __tsan_mutex_try_lock);
  locked = __real_g_mutex_trylock (mutex);
  __tsan_mutex_post_lock (mutex, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
                          0);
  return locked;
}

void
__wrap_g_mutex_unlock (GMutex *mutex)
{
  __tsan_mutex_pre_unlock (mutex, 0);
  __real_g_mutex_unlock (mutex);
  __tsan_mutex_post_unlock (mutex, 0);
}

void
__wrap_g_cond_wait (GCond  *cond,
                    GMutex *mutex)
{
  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
  __real_g_cond_wait (cond, mutex);
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
}

gboolean
__wrap_g_cond_wait_until (GCond  *cond,
                          GMutex *mutex,
                          gint64  end_time)
{
  gboolean signalled;

  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
  signalled = __real_g_cond_wait_until (cond, mutex, end_time);
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
  return signalled;
}

/* ---- g_once_init_enter and g_once_init_leave ----
 * The header's fast path is an atomic load of *location in the caller's
 * instrumented code, which acquires what __tsan_release (location)
 * released; the slow path returns FALSE after waiting for the leave. */

gboolean
__wrap_g_once_init_enter (volatile void *location)
{
  gboolean enter = __real_g_once_init_enter (location);

  if (!enter)
    __tsan_acquire ((void *) location);
  return enter;
}

void
__wrap_g_once_init_leave (volatile void *location,
                          gsize          result)
{
  __tsan_release ((void *) location);
  __real_g_once_init_leave (location, result);
}

/* ---- Reference counts ----
 * Each drop releases; the drop that frees acquires every other drop before
 * anything is cleared. GLib's rc box calls its clear function before it
 * frees, and only on the last drop: a clear function of ours (with the
 * caller's, kept per thread for the duration of the call) acquires there. */

gboolean
__wrap_g_atomic_ref_count_dec (gatomicrefcount *arc)
{
  gboolean last;

  __tsan_release (arc);
  last = __real_g_atomic_ref_count_dec (arc);
  if (last)
    __tsan_acquire (arc);
  return last;
}

static __thread GDestroyNotify box_clear_func;

static void
box_last_release (gpointer mem_block)
{
  GDestroyNotify clear_func = box_clear_func;

  __tsan_acquire (mem_block);
  if (clear_func != NULL)
    clear_func (mem_block);
}

void
__wrap_g_atomic_rc_box_release_full (gpointer       mem_block,
                                     GDestroyNotify clear_func)
{
  GDestroyNotify outer = box_clear_func;

  __tsan_release (mem_block);
  /* A clear function may itself drop a box: box_last_release reads the
   * value before it calls it, and the outer call's is put back after. */
  box_clear_func = clear_func;
  __real_g_atomic_rc_box_release_full (mem_block, box_last_release);
  box_clear_func = outer;
}

void
__wrap_g_atomic_rc_box_release (gpointer mem_block)
{
  __wrap_g_atomic_rc_box_release_full (mem_block, NULL);
}

/* ---- GAsyncQueue ---- */

void
__wrap_g_async_queue_push (GAsyncQueue *queue,
                           gpointer     data)
{
  __tsan_release (queue);
  __real_g_async_queue_push (queue, data);
}

gpointer
__wrap_g_async_queue_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_pop (queue);

  __tsan_acquire (queue);
  return data;
}

gpointer
__wrap_g_async_queue_try_pop (GAsyncQueue *queue)
{
  gpointer data = __real_g_async_queue_try_pop (queue);

  if (data != NULL)
    __tsan_acquire (queue);
  return data;
}

gpointer
__wrap_g_async_queue_timeout_pop (GAsyncQueue *queue,
                                  guint64      timeout)
{
  gpointer data = __real_g_async_queue_timeout_pop (queue, timeout);

  if (data != NULL)
    __tsan_acquire (queue);
  return data;
}

/* ---- Sources attached from any thread ----
 * An idle or timeout source's callback runs through source_dispatch, which
 * acquires on the source that g_source_attach released. (Other sources
 * call their callbacks with other arguments: those are left as they are.) */

typedef struct
{
  GSourceFunc    func;
  gpointer       data;
  GDestroyNotify notify;
} SourceCallback;

static gboolean
source_dispatch (gpointer user_data)
{
  SourceCallback *callback = user_data;
  GSource *source = g_main_current_source ();

  if (source != NULL)
    __tsan_acquire (source);
  return callback->func (callback->data);
}

static void
source_callback_free (gpointer user_data)
{
  SourceCallback *callback = user_data;

  if (callback->notify != NULL)
    callback->notify (callback->data);
  g_free (callback);
}

void
__wrap_g_source_set_callback (GSource        *source,
                              GSourceFunc     func,
                              gpointer        data,
                              GDestroyNotify  notify)
{
  SourceCallback *callback;

  if (func == NULL ||
      (source->source_funcs != &g_idle_funcs && source->source_funcs != &g_timeout_funcs))
    {
      __real_g_source_set_callback (source, func, data, notify);
      return;
    }
  callback = g_new (SourceCallback, 1);
  *callback = (SourceCallback) { func, data, notify };
  __real_g_source_set_callback (source, source_dispatch, callback, source_callback_free);
}

guint
__wrap_g_source_attach (GSource      *source,
                        GMainContext *context)
{
  __tsan_release (source);
  return __real_g_source_attach (source, context);
}

/* ---- GTask ----
 * Inside g_task_return_* from a thread, GIO allocates the source that the
 * task's context dispatches and frees after the callback, and GLib's main
 * context files it: hand-overs of GLib's own, under its futexes. A pthread
 * mutex, which TSan sees, is held around each such call and taken once at
 * the start of the callback, so the callback comes after the whole call,
 * not only after its start (GLib locks the main context there too). It
 * never waits long: no call it is held around waits for another thread. */

static pthread_mutex_t task_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* A task returned on its own context (no thread) may call its callback
 * at once: no lock there, and none is needed. */
static gboolean
task_lock_begin (GTask *task)
{
  if (g_main_context_is_owner (g_task_get_context (task)))
    return FALSE;
  pthread_mutex_lock (&task_lock);
  return TRUE;
}

static void
task_lock_end (gboolean locked)
{
  if (locked)
    pthread_mutex_unlock (&task_lock);
}

static void
task_lock_pass (void)
{
  pthread_mutex_lock (&task_lock);
  pthread_mutex_unlock (&task_lock);
}

typedef struct
{
  GAsyncReadyCallback callback;
  gpointer            data;
} TaskCallback;

/* (Not G_DEFINE_QUARK: its unlocked cache would be a race of its own.) */
static GQuark
task_callback_quark (void)
{
  return g_quark_from_static_string ("fs-tsan-task-callback");
}

/* The callback acquires what the thread released when it returned, and
 * releases what it did for the thread that disposes of the task. */
static void
task_ready (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  TaskCallback *callback = user_data;

  task_lock_pass ();
  __tsan_acquire (result);
  callback->callback (source_object, result, callback->data);
  __tsan_release (result);
}

/* Whichever thread drops the task last frees its task data and result:
 * after every other thread's release. */
static void
task_disposed (gpointer  data,
               GObject  *where_the_object_was)
{
  __tsan_acquire (where_the_object_was);
}

GTask *
__wrap_g_task_new (gpointer             source_object,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             callback_data)
{
  TaskCallback *ready;
  GTask *task;

  if (callback == NULL)
    task = __real_g_task_new (source_object, cancellable, NULL, callback_data);
  else
    {
      ready = g_new (TaskCallback, 1);
      *ready = (TaskCallback) { callback, callback_data };
      task = __real_g_task_new (source_object, cancellable, task_ready, ready);
      g_object_set_qdata_full (G_OBJECT (task), task_callback_quark (), ready, g_free);
    }
  g_object_weak_ref (G_OBJECT (task), task_disposed, NULL);
  return task;
}

/* GLib's pool would run the function, and then GIO's own completion of
 * the task (the source it returns through, the cancellable's closure),
 * after the function, unseen: a thread of our own runs it instead, whose
 * start and end TSan sees (pthread_create, pthread_join), and the task is
 * returned from it as from any thread. */
typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} TaskRun;

static gpointer
task_run_thread (gpointer data)
{
  TaskRun *run = data;
  GTask *task = run->task;

  run->func (task, g_task_get_source_object (task), g_task_get_task_data (task),
             g_task_get_cancellable (task));
  /* What the function did after it returned the task (or all of it, for
   * a task it did not return) reaches whichever thread drops it last. */
  __tsan_release (task);
  g_object_unref (task);
  g_free (run);
  return NULL;
}

static GThread *
task_run (GTask           *task,
          GTaskThreadFunc  task_func)
{
  TaskRun *run = g_new (TaskRun, 1);

  *run = (TaskRun) { g_object_ref (task), task_func };
  return g_thread_new ("fs-tsan-task", task_run_thread, run);
}

void
__wrap_g_task_run_in_thread (GTask           *task,
                             GTaskThreadFunc  task_func)
{
  g_thread_unref (task_run (task, task_func));
}

void
__wrap_g_task_run_in_thread_sync (GTask           *task,
                                  GTaskThreadFunc  task_func)
{
  g_thread_join (task_run (task, task_func));
}

void
__wrap_g_task_return_pointer (GTask          *task,
                              gpointer        result,
                              GDestroyNotify  result_destroy)
{
  gboolean locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  __real_g_task_return_pointer (task, result, result_destroy);
  task_lock_end (locked);
}

void
__wrap_g_task_return_boolean (GTask    *task,
                              gboolean  result)
{
  gboolean locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  __real_g_task_return_boolean (task, result);
  task_lock_end (locked);
}

void
__wrap_g_task_return_int (GTask  *task,
                          gssize  result)
{
  gboolean locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  __real_g_task_return_int (task, result);
  task_lock_end (locked);
}

void
__wrap_g_task_return_value (GTask  *task,
                            GValue *result)
{
  gboolean locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  __real_g_task_return_value (task, result);
  task_lock_end (locked);
}

void
__wrap_g_task_return_error (GTask  *task,
                            GError *error)
{
  gboolean locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  __real_g_task_return_error (task, error);
  task_lock_end (locked);
}

void
__wrap_g_task_return_new_error (GTask      *task,
                                GQuark      domain,
                                gint        code,
                                const char *format,
                                ...)
{
  GError *error;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  __wrap_g_task_return_error (task, error);
}

gboolean
__wrap_g_task_return_error_if_cancelled (GTask *task)
{
  gboolean cancelled, locked;

  __tsan_release (task);
  locked = task_lock_begin (task);
  cancelled = __real_g_task_return_error_if_cancelled (task);
  task_lock_end (locked);
  return cancelled;
}
