/* fs-pool.c
 *
 * Workers wait until the generation counter moves, run their share, and
 * the last one to finish wakes the caller. An iteration runs the pool
 * three times with little between, and waking a sleeping thread takes
 * 50 to 100 µs on these machines: so workers and the caller first watch
 * the counters for SPIN_USEC, then sleep on condition variables. (In the
 * app the workers run at a lower priority, so their watching never keeps
 * the window from a core.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-pool"

#include "fs-pool.h"

#include <time.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Seconds of CPU the calling thread has used (0 where unknown): what the
 * window and its benchmark mode budget and report. */
double
fs_thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0.0;
  return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Raises the calling thread's nice value to `nice` (0 leaves it be): the
 * app gives its solver threads way whenever the window has a frame to draw,
 * so the frame is never late and the solver loses only the time the window
 * really uses. Linux keeps a nice value per thread: only the calling thread
 * changes. */
void
fs_thread_set_nice (int nice)
{
  g_return_if_fail (nice >= 0 && nice <= 19);

#ifdef __linux__
  if (nice > 0)
    setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), nice);
#endif
}

typedef struct
{
  FsPool *pool;
  guint   index;
} Worker;

#define SPIN_USEC 100

struct _FsPool
{
  guint       n_threads;
  int         nice;
  GThread   **threads;
  Worker     *workers;

  GMutex      mutex;
  GCond       start;
  GCond       done;
  gint        generation;  /* atomic; moved under the mutex */
  gint        pending;     /* atomic */
  gint        quit;        /* atomic; set under the mutex */
  FsPoolFunc  func;
  gpointer    data;
};

static inline void
relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#endif
}

/* Watches *value for up to SPIN_USEC: TRUE once (*value == target) is
 * equal. */
static gboolean
spin_until (gint     *value,
            gint      target,
            gboolean  equal)
{
  gint64 deadline = g_get_monotonic_time () + SPIN_USEC;

  for (guint k = 1;; k++)
    {
      if ((g_atomic_int_get (value) == target) == equal)
        return TRUE;
      relax ();
      if (k % 64 == 0 && g_get_monotonic_time () > deadline)
        return FALSE;
    }
}

static gpointer
worker_main (gpointer user_data)
{
  Worker *worker = user_data;
  FsPool *pool = worker->pool;
  gint seen = 0;

  fs_thread_set_nice (pool->nice);
  for (;;)
    {
      if (!spin_until (&pool->generation, seen, FALSE))
        {
          g_mutex_lock (&pool->mutex);
          while (g_atomic_int_get (&pool->generation) == seen)
            g_cond_wait (&pool->start, &pool->mutex);
          g_mutex_unlock (&pool->mutex);
        }
      seen = g_atomic_int_get (&pool->generation);
      if (g_atomic_int_get (&pool->quit))
        break;

      pool->func (worker->index, pool->n_threads, pool->data);

      if (g_atomic_int_dec_and_test (&pool->pending))
        {
          g_mutex_lock (&pool->mutex);
          g_cond_signal (&pool->done);
          g_mutex_unlock (&pool->mutex);
        }
    }

  return NULL;
}

/* A pool of `threads` in all, counting the caller's; the ones it starts
 * take the nice value `nice` (fs_thread_set_nice). */
FsPool *
fs_pool_new (guint threads,
             int   nice)
{
  FsPool *pool;

  g_return_val_if_fail (threads >= 1, NULL);

  pool = g_new0 (FsPool, 1);
  pool->n_threads = threads;
  pool->nice = nice;
  pool->threads = g_new0 (GThread *, threads);
  pool->workers = g_new0 (Worker, threads);
  g_mutex_init (&pool->mutex);
  g_cond_init (&pool->start);
  g_cond_init (&pool->done);

  for (guint i = 1; i < threads; i++)
    {
      g_autofree char *name = g_strdup_printf ("fs-solver-%u", i);

      pool->workers[i] = (Worker) { pool, i };
      pool->threads[i] = g_thread_new (name, worker_main, &pool->workers[i]);
    }

  return pool;
}

void
fs_pool_free (FsPool *pool)
{
  if (pool == NULL)
    return;

  g_mutex_lock (&pool->mutex);
  g_atomic_int_set (&pool->quit, TRUE);
  g_atomic_int_inc (&pool->generation);
  g_cond_broadcast (&pool->start);
  g_mutex_unlock (&pool->mutex);

  for (guint i = 1; i < pool->n_threads; i++)
    g_thread_join (pool->threads[i]);

  g_mutex_clear (&pool->mutex);
  g_cond_clear (&pool->start);
  g_cond_clear (&pool->done);
  g_free (pool->threads);
  g_free (pool->workers);
  g_free (pool);
}

guint
fs_pool_get_threads (FsPool *pool)
{
  g_return_val_if_fail (pool != NULL, 1);

  return pool->n_threads;
}

void
fs_pool_run (FsPool     *pool,
             FsPoolFunc  func,
             gpointer    data)
{
  g_return_if_fail (pool != NULL);
  g_return_if_fail (func != NULL);

  if (pool->n_threads == 1)
    {
      func (0, 1, data);
      return;
    }

  g_assert (g_atomic_int_get (&pool->pending) == 0);
  pool->func = func;
  pool->data = data;
  g_atomic_int_set (&pool->pending, (gint) pool->n_threads - 1);
  g_mutex_lock (&pool->mutex);
  g_atomic_int_inc (&pool->generation);
  g_cond_broadcast (&pool->start);
  g_mutex_unlock (&pool->mutex);

  func (0, pool->n_threads, data);

  if (!spin_until (&pool->pending, 0, TRUE))
    {
      g_mutex_lock (&pool->mutex);
      while (g_atomic_int_get (&pool->pending) > 0)
        g_cond_wait (&pool->done, &pool->mutex);
      g_mutex_unlock (&pool->mutex);
    }
}
