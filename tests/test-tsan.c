/* test-tsan.c: each hand-over of fs-tsan.c seen by ThreadSanitizer.
 *
 * Registered only in a ThreadSanitizer build, whose tests run with
 * TSAN_OPTIONS=halt_on_error=1:exitcode=66 (tests/meson.build). Each test
 * writes plain memory in one thread, hands it over with one GLib primitive
 * and reads or frees it in another, before any join: without the wrapper
 * for that primitive TSan reports a race and the test fails. The last
 * tests check the other way, in a subprocess: an unsynchronised write, or
 * two writes under two different mutexes, or a lock-order inversion, are
 * still reported, so the wrappers hide nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

/* ---- GMutex and GCond ---- */

typedef struct
{
  GMutex  mutex;
  GCond   cond;
  gboolean ready;     /* under mutex */
  gboolean done;      /* under mutex */
  gboolean until;     /* wait with g_cond_wait_until */
  guint64 payload[4]; /* plain memory, handed over */
} Handover;

static void
wait_flag (Handover *h,
           gboolean *flag)
{
  g_mutex_lock (&h->mutex);
  while (!*flag)
    {
      if (h->until)
        g_cond_wait_until (&h->cond, &h->mutex, g_get_monotonic_time () + G_USEC_PER_SEC / 100);
      else
        g_cond_wait (&h->cond, &h->mutex);
    }
  g_mutex_unlock (&h->mutex);
}

static void
set_flag (Handover *h,
          gboolean *flag)
{
  g_mutex_lock (&h->mutex);
  *flag = TRUE;
  g_cond_broadcast (&h->cond);
  g_mutex_unlock (&h->mutex);
}

static gpointer
handover_writer (gpointer data)
{
  Handover *h = data;

  for (guint i = 0; i < G_N_ELEMENTS (h->payload); i++)
    h->payload[i] = 1000 + i;
  set_flag (h, &h->ready);
  /* Alive until the reader has read: no join orders the read. */
  wait_flag (h, &h->done);
  return NULL;
}

static void
check_cond (gboolean until)
{
  Handover h = { .until = until };
  GThread *thread;

  g_mutex_init (&h.mutex);
  g_cond_init (&h.cond);
  thread = g_thread_new ("writer", handover_writer, &h);
  wait_flag (&h, &h.ready);
  for (guint i = 0; i < G_N_ELEMENTS (h.payload); i++)
    g_assert_cmpuint (h.payload[i], ==, 1000 + i);
  /* And back: the writer's next read of payload after done. */
  h.payload[0] = 7;
  set_flag (&h, &h.done);
  g_thread_join (thread);
  g_mutex_clear (&h.mutex);
  g_cond_clear (&h.cond);
}

static void
test_cond_wait (void)
{
  check_cond (FALSE);
}

static void
test_cond_wait_until (void)
{
  check_cond (TRUE);
}

/* ---- g_mutex_trylock and GRecMutex: a writer and a reader take turns
 * on a counter 50 times, each spinning on the lock. (GRecMutex is a
 * pthread mutex in GLib 2.74, which TSan sees without a wrapper.) */

typedef struct
{
  GMutex    mutex;
  GRecMutex rec_mutex;
  gboolean  recursive;
  guint     turn;      /* under the lock: 0 the writer's, 1 the reader's */
  guint64   payload;   /* under the lock */
} Turns;

static gboolean
turns_trylock (Turns *t)
{
  if (!t->recursive)
    return g_mutex_trylock (&t->mutex);
  if (!g_rec_mutex_trylock (&t->rec_mutex))
    return FALSE;
  /* A second level, released below: the mutex is held until both are. */
  g_rec_mutex_lock (&t->rec_mutex);
  g_rec_mutex_unlock (&t->rec_mutex);
  return TRUE;
}

static void
turns_unlock (Turns *t)
{
  if (t->recursive)
    g_rec_mutex_unlock (&t->rec_mutex);
  else
    g_mutex_unlock (&t->mutex);
}

static void
take_turns (Turns *t,
            guint  mine)
{
  for (guint k = 0; k < 50;)
    {
      if (!turns_trylock (t))
        {
          g_thread_yield ();
          continue;
        }
      if (t->turn == mine)
        {
          if (mine == 0)
            t->payload = k;
          else
            g_assert_cmpuint (t->payload, ==, k);
          t->turn = !mine;
          k++;
        }
      turns_unlock (t);
    }
}

static gpointer
turns_writer (gpointer data)
{
  take_turns (data, 0);
  return NULL;
}

static void
check_turns (gboolean recursive)
{
  Turns t = { .recursive = recursive };
  GThread *thread;

  if (recursive)
    g_rec_mutex_init (&t.rec_mutex);
  else
    g_mutex_init (&t.mutex);
  thread = g_thread_new ("writer", turns_writer, &t);
  take_turns (&t, 1);
  g_thread_join (thread);
  if (recursive)
    g_rec_mutex_clear (&t.rec_mutex);
  else
    g_mutex_clear (&t.mutex);
}

static void
test_trylock (void)
{
  check_turns (FALSE);
}

static void
test_rec_mutex (void)
{
  check_turns (TRUE);
}

/* ---- g_once_init_enter: four threads race to a table that one of them
 * fills; all read it. */

static guint64 once_table[64];

static const guint64 *
once_get_table (void)
{
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      for (guint i = 0; i < G_N_ELEMENTS (once_table); i++)
        once_table[i] = i * i;
      g_once_init_leave (&ready, 1);
    }
  return once_table;
}

static gpointer
once_reader (gpointer data)
{
  const guint64 *table = once_get_table ();
  guint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (once_table); i++)
    sum += table[i];
  return GSIZE_TO_POINTER ((gsize) sum);
}

static void
test_once (void)
{
  GThread *threads[4];
  guint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (once_table); i++)
    sum += (guint64) i * i;
  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    threads[k] = g_thread_new ("once", once_reader, NULL);
  /* The main thread reads too, before any join. */
  g_assert_cmpuint (GPOINTER_TO_SIZE (once_reader (NULL)), ==, sum);
  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    g_assert_cmpuint (GPOINTER_TO_SIZE (g_thread_join (threads[k])), ==, sum);
}

/* ---- Reference counts: two threads each write their own half and drop
 * their reference at once; the last one reads both halves and frees. */

typedef struct
{
  gatomicrefcount ref_count;
  guint64         half[2];
  guint64        *seen;      /* where the last drop writes the sum */
} Shared;

static void
shared_clear (gpointer data)
{
  Shared *s = data;

  *s->seen = s->half[0] + s->half[1];
}

static void
shared_unref (Shared *s)
{
  if (g_atomic_ref_count_dec (&s->ref_count))
    {
      shared_clear (s);
      g_free (s);
    }
}

static void
shared_box_unref (Shared *s)
{
  g_atomic_rc_box_release_full (s, shared_clear);
}

typedef struct
{
  Shared   *shared;
  gboolean  box;
  gboolean  plain_release;   /* g_atomic_rc_box_release, no clear function */
  GMutex   *start;           /* both start after it is released */
} Dropper;

static void
drop_half (Dropper *d,
           guint    k)
{
  Shared *s = d->shared;

  g_mutex_lock (d->start);
  g_mutex_unlock (d->start);
  s->half[k] = 10 + k;
  if (!d->box)
    shared_unref (s);
  else if (d->plain_release)
    g_atomic_rc_box_release (s);
  else
    shared_box_unref (s);
}

static gpointer
dropper (gpointer data)
{
  drop_half (data, 1);
  return NULL;
}

static void
check_drops (gboolean box,
             gboolean plain_release)
{
  for (guint trial = 0; trial < 20; trial++)
    {
      GMutex start;
      guint64 seen = 0;
      Dropper d = { .box = box, .plain_release = plain_release, .start = &start };
      GThread *thread;

      g_mutex_init (&start);
      if (box)
        {
          d.shared = g_atomic_rc_box_new0 (Shared);
          (void) g_atomic_rc_box_acquire (d.shared);
        }
      else
        {
          d.shared = g_new0 (Shared, 1);
          g_atomic_ref_count_init (&d.shared->ref_count);
          g_atomic_ref_count_inc (&d.shared->ref_count);
        }
      d.shared->seen = &seen;
      g_mutex_lock (&start);
      thread = g_thread_new ("dropper", dropper, &d);
      g_mutex_unlock (&start);
      drop_half (&d, 0);
      g_thread_join (thread);
      if (!plain_release)
        g_assert_cmpuint (seen, ==, 21);
      g_mutex_clear (&start);
    }
}

static void
test_ref_count (void)
{
  check_drops (FALSE, FALSE);
}

static void
test_rc_box (void)
{
  check_drops (TRUE, FALSE);
}

static void
test_rc_box_release (void)
{
  check_drops (TRUE, TRUE);
}

/* ---- GAsyncQueue: 100 blocks filled by a producer, read and freed by
 * the consumer. */

static gpointer
producer (gpointer data)
{
  GAsyncQueue *queue = data;

  for (guint k = 0; k < 100; k++)
    {
      guint64 *block = g_new (guint64, 8);

      for (guint i = 0; i < 8; i++)
        block[i] = k * 8 + i;
      g_async_queue_push (queue, block);
    }
  return NULL;
}

static void
test_async_queue (void)
{
  g_autoptr(GAsyncQueue) queue = g_async_queue_new ();
  GThread *thread = g_thread_new ("producer", producer, queue);

  for (guint k = 0; k < 100; k++)
    {
      guint64 *block = NULL;

      switch (k % 3)
        {
        case 0:
          block = g_async_queue_pop (queue);
          break;
        case 1:
          block = g_async_queue_timeout_pop (queue, 10 * G_USEC_PER_SEC);
          break;
        default:
          while ((block = g_async_queue_try_pop (queue)) == NULL)
            g_thread_yield ();
          break;
        }
      g_assert_nonnull (block);
      for (guint i = 0; i < 8; i++)
        g_assert_cmpuint (block[i], ==, k * 8 + i);
      g_free (block);
    }
  g_thread_join (thread);
}

/* ---- Idle and timeout sources attached from a thread: the callback, on
 * the main context, reads what the thread wrote before attaching. */

typedef struct
{
  GMainContext *context;
  gboolean      timeout;
  gint          posted;      /* relaxed atomic: orders nothing for TSan */
  guint         delivered;   /* main thread only */
  guint64       sum;         /* main thread only */
} Poster;

typedef struct
{
  Poster  *poster;
  guint64  values[4];
} Posted;

static gboolean
deliver (gpointer data)
{
  Posted *posted = data;

  for (guint i = 0; i < G_N_ELEMENTS (posted->values); i++)
    g_assert_cmpuint (posted->values[i] % 10, ==, i);
  posted->poster->sum += posted->values[0] / 10;
  posted->poster->delivered++;
  return G_SOURCE_REMOVE;
}

static gpointer
poster_thread (gpointer data)
{
  Poster *poster = data;

  for (guint k = 0; k < 50; k++)
    {
      Posted *posted = g_new (Posted, 1);
      GSource *source = poster->timeout ? g_timeout_source_new (0) : g_idle_source_new ();

      posted->poster = poster;
      for (guint i = 0; i < G_N_ELEMENTS (posted->values); i++)
        posted->values[i] = k * 10 + i;
      g_source_set_callback (source, deliver, posted, g_free);
      g_source_attach (source, poster->context);
      g_source_unref (source);
    }
  __atomic_store_n (&poster->posted, 1, __ATOMIC_RELAXED);
  return NULL;
}

static void
check_sources (gboolean timeout)
{
  Poster poster = { g_main_context_new (), timeout, 0, 0, 0 };
  GThread *thread;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  /* Nobody iterates the context while the thread attaches: GLib then
   * wakes nobody (a wake-up goes through an eventfd, which TSan would
   * take for a hand-over), so only g_source_attach's release orders the
   * thread's writes before the callbacks. */
  thread = g_thread_new ("poster", poster_thread, &poster);
  while (!__atomic_load_n (&poster.posted, __ATOMIC_RELAXED))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  while (poster.delivered < 50)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (poster.context, TRUE);
    }
  g_assert_cmpuint (poster.sum, ==, 49 * 50 / 2);
  g_thread_join (thread);
  g_main_context_unref (poster.context);
}

static void
test_idle_source (void)
{
  check_sources (FALSE);
}

static void
test_timeout_source (void)
{
  check_sources (TRUE);
}

/* ---- GTask: the caller's data reaches the thread, the thread's result
 * reaches the callback, and the task data is freed by whichever thread
 * drops the task last. */

typedef struct
{
  guint64  input[4];
  guint64 *output;        /* written by the thread */
  guint64  seen_at_free;  /* written where the task data is freed */
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  /* The last reference may be dropped in either thread. */
  job->seen_at_free = job->input[0] + (job->output != NULL ? job->output[0] : 0);
  g_free (job->output);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  Job *job = data;
  guint64 *result = g_new (guint64, 4);

  job->output = g_new (guint64, 4);
  for (guint i = 0; i < 4; i++)
    result[i] = job->output[i] = job->input[i] * 2;
  g_task_return_pointer (task, result, g_free);
}

typedef struct
{
  guint done;
  guint64 sum;
} Results;

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Results *results = data;
  g_autofree guint64 *values = g_task_propagate_pointer (G_TASK (result), NULL);
  Job *job = g_task_get_task_data (G_TASK (result));

  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (values[i], ==, job->input[i] * 2);
      g_assert_cmpuint (job->output[i], ==, values[i]);
      results->sum += values[i];
    }
  results->done++;
}

static void
test_task (void)
{
  Results results = { 0, 0 };
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint64 sum = 0;

  for (guint k = 0; k < 20; k++)
    {
      GTask *task = g_task_new (NULL, NULL, job_done, &results);
      Job *job = g_new0 (Job, 1);

      for (guint i = 0; i < 4; i++)
        {
          job->input[i] = k * 4 + i;
          sum += 2 * job->input[i];
        }
      g_task_set_task_data (task, job, job_free);
      g_task_run_in_thread (task, job_thread);
      g_object_unref (task);
    }
  while (results.done < 20)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (results.sum, ==, sum);
}

static void
test_task_sync (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  Job *job = g_new0 (Job, 1);
  g_autofree guint64 *values = NULL;

  for (guint i = 0; i < 4; i++)
    job->input[i] = i + 5;
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread_sync (task, job_thread);
  values = g_task_propagate_pointer (task, NULL);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (values[i], ==, 2 * (i + 5));
      g_assert_cmpuint (job->output[i], ==, values[i]);
    }
}

/* A task whose thread returns an error: g_task_return_new_error. */
static void
failing_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Job *job = data;

  job->output = g_new0 (guint64, 4);
  job->output[0] = job->input[0] + 1;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "failed at %u", (guint) job->input[0]);
}

static void
failing_done (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));

  g_assert_null (g_task_propagate_pointer (G_TASK (result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "failed at 41");
  g_assert_cmpuint (job->output[0], ==, 42);
  *done = TRUE;
}

static void
test_task_error (void)
{
  gboolean done = FALSE;
  GTask *task = g_task_new (NULL, NULL, failing_done, &done);
  Job *job = g_new0 (Job, 1);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  job->input[0] = 41;
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, failing_thread);
  g_object_unref (task);
  while (!done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* ---- What must still be reported, each in a subprocess ---- */

static guint64 racy;

static gpointer
racy_writer (gpointer data)
{
  GMutex *mutex = data;

  if (mutex != NULL)
    g_mutex_lock (mutex);
  racy++;
  if (mutex != NULL)
    g_mutex_unlock (mutex);
  return NULL;
}

/* Two threads write, each under its own mutex (or none): a race. */
static void
race_child (gboolean locked)
{
  GMutex mutexes[2];
  GThread *threads[2];

  for (guint k = 0; k < 2; k++)
    {
      g_mutex_init (&mutexes[k]);
      threads[k] = g_thread_new ("racy", racy_writer, locked ? &mutexes[k] : NULL);
    }
  for (guint k = 0; k < 2; k++)
    g_thread_join (threads[k]);
  g_print ("no report\n");
}

/* One thread takes a then b, later another takes b then a: no deadlock
 * happens, but the order may deadlock one day. */
static gpointer
lock_pair (gpointer data)
{
  GMutex **pair = data;

  g_mutex_lock (pair[0]);
  g_mutex_lock (pair[1]);
  g_mutex_unlock (pair[1]);
  g_mutex_unlock (pair[0]);
  return NULL;
}

static void
inversion_child (void)
{
  GMutex a, b;
  GMutex *ab[2] = { &a, &b };
  GMutex *ba[2] = { &b, &a };

  g_mutex_init (&a);
  g_mutex_init (&b);
  g_thread_join (g_thread_new ("ab", lock_pair, ab));
  g_thread_join (g_thread_new ("ba", lock_pair, ba));
  g_print ("no report\n");
}

static void
check_reported (const char *child,
                const char *report)
{
  g_test_trap_subprocess (child, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr (report);
}

static void
test_race_reported (void)
{
  if (g_test_subprocess ())
    {
      race_child (FALSE);
      return;
    }
  check_reported (NULL, "*WARNING: ThreadSanitizer: data race*racy_writer*");
}

static void
test_race_under_two_mutexes_reported (void)
{
  if (g_test_subprocess ())
    {
      race_child (TRUE);
      return;
    }
  check_reported (NULL, "*WARNING: ThreadSanitizer: data race*racy_writer*");
}

static void
test_lock_order_inversion_reported (void)
{
  if (g_test_subprocess ())
    {
      inversion_child ();
      return;
    }
  check_reported (NULL, "*WARNING: ThreadSanitizer: lock-order-inversion*lock_pair*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tsan/cond-wait", test_cond_wait);
  g_test_add_func ("/tsan/cond-wait-until", test_cond_wait_until);
  g_test_add_func ("/tsan/trylock", test_trylock);
  g_test_add_func ("/tsan/rec-mutex", test_rec_mutex);
  g_test_add_func ("/tsan/once", test_once);
  g_test_add_func ("/tsan/ref-count", test_ref_count);
  g_test_add_func ("/tsan/rc-box", test_rc_box);
  g_test_add_func ("/tsan/rc-box-release", test_rc_box_release);
  g_test_add_func ("/tsan/async-queue", test_async_queue);
  g_test_add_func ("/tsan/idle-source", test_idle_source);
  g_test_add_func ("/tsan/timeout-source", test_timeout_source);
  g_test_add_func ("/tsan/task", test_task);
  g_test_add_func ("/tsan/task-sync", test_task_sync);
  g_test_add_func ("/tsan/task-error", test_task_error);
  g_test_add_func ("/tsan/race-reported", test_race_reported);
  g_test_add_func ("/tsan/race-under-two-mutexes-reported", test_race_under_two_mutexes_reported);
  g_test_add_func ("/tsan/lock-order-inversion-reported", test_lock_order_inversion_reported);

  return g_test_run ();
}
