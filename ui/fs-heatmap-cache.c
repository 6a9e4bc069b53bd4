/* fs-heatmap-cache.c
 *
 * The WH and residual heatmaps both need the block means of WH for the
 * same snapshot in the same frame. The window makes one cache and gives it
 * to its heatmaps; a heatmap with none makes its own. Entries are kept for
 * the latest snapshot only (with a reference, so that its address stays
 * its own), at a few sizes: the two maps' areas differ when their labels
 * do, and a rebuild may probe a second width.
 *
 * A sparse X with missing cells averages WH over its listed cells, a dot
 * product per cell. Past ASYNC_WORK multiply-adds (about 2 ms) that runs
 * in a thread, one job at a time: a heatmap that finds no means keeps its
 * picture and asks again on "updated", which also comes when a job
 * finishes for a snapshot that is no longer the latest, so that the next
 * one starts. A job computes in one pass every size asked for lately (the
 * WH and residual maps differ by their labels' width), so that the two
 * maps cost one pass per snapshot, not two. While a run goes on, jobs
 * start no more often than keeps their CPU under cpu_share of a core: on
 * the benchmark's 100000 × 20000 case a pass takes 13 ms of a core the
 * solver wants, and the maps of a large matrix may lag a second behind
 * (a paused, stepped or finished snapshot is computed at once). The jobs'
 * CPU time is counted for the window's budget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-heatmap-cache"

#include <string.h>

#include "fs-display.h"
#include "fs-heatmap-cache.h"
#include "fs-pool.h"

#define N_ENTRIES 4
#define ASYNC_WORK 4000000.0
/* The share of a core the jobs may take while a run goes on. */
#define DEFAULT_CPU_SHARE 0.01

typedef struct
{
  gsize   rows;
  gsize   cols;
  double *means;
} Entry;

typedef struct
{
  gsize rows;
  gsize cols;
} Size;

struct _FsHeatmapCache
{
  GObject     parent_instance;

  FsSnapshot *snapshot;
  Entry       entries[N_ENTRIES];   /* most recently used first */
  guint       n_computed;
  gboolean    busy;                 /* a job is computing in a thread */
  double      job_cpu;              /* the jobs' CPU seconds not yet taken */
  double      total_cpu;            /* and in all */
  guint       n_jobs;
  /* The sizes asked for the cache's snapshot and the one before, most
   * recent first: what the next job computes. */
  Size        asked[N_ENTRIES];
  guint       n_asked;
  Size        asked_before[N_ENTRIES];
  guint       n_asked_before;
  /* While a run goes on, no job starts before next_job (monotonic time);
   * a map waiting for one is told when it may ("updated"). */
  double      cpu_share;
  gint64      next_job;
  guint       next_job_id;
  /* The X of the last job, only compared: a new matrix starts at once. */
  gconstpointer job_X;
};

enum
{
  SIGNAL_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FsHeatmapCache, fs_heatmap_cache, G_TYPE_OBJECT)

static void
clear_entries (FsHeatmapCache *self)
{
  for (guint k = 0; k < N_ENTRIES; k++)
    g_clear_pointer (&self->entries[k].means, g_free);
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
}

static void
fs_heatmap_cache_finalize (GObject *object)
{
  FsHeatmapCache *self = FS_HEATMAP_CACHE (object);

  clear_entries (self);
  g_clear_handle_id (&self->next_job_id, g_source_remove);

  G_OBJECT_CLASS (fs_heatmap_cache_parent_class)->finalize (object);
}

static void
fs_heatmap_cache_class_init (FsHeatmapCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fs_heatmap_cache_finalize;

  /* A job in a thread has finished: heatmaps that found no means ask
   * again. */
  signals[SIGNAL_UPDATED] = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fs_heatmap_cache_init (FsHeatmapCache *self)
{
  self->cpu_share = DEFAULT_CPU_SHARE;
}

FsHeatmapCache *
fs_heatmap_cache_new (void)
{
  return g_object_new (FS_TYPE_HEATMAP_CACHE, NULL);
}

/* Moves entry k to the front, shifting the ones before it back. */
static Entry *
move_to_front (FsHeatmapCache *self,
               guint           k)
{
  Entry entry = self->entries[k];

  memmove (&self->entries[1], &self->entries[0], k * sizeof (Entry));
  self->entries[0] = entry;
  return &self->entries[0];
}

gboolean
fs_heatmap_cache_over_listed (const FsMatrix *X)
{
  return X != NULL && fs_matrix_is_sparse (X) && !X->sparse->zeros_are_values;
}

/* The means themselves, in any thread. */
static double *
wh_means (FsSnapshot *s,
          FsMatrix   *X,
          gsize       out_rows,
          gsize       out_cols)
{
  double *means = g_new (double, out_rows * out_cols);

  if (fs_heatmap_cache_over_listed (X))
    fs_block_means_product_listed (X->sparse, s->W, s->H, s->rank, out_rows, out_cols, means);
  else
    {
      g_autofree double *w_means = g_new (double, out_rows * s->rank);
      g_autofree double *h_means = g_new (double, s->rank * out_cols);

      fs_block_means_product (s->W, s->H, s->rows, s->cols, s->rank, out_rows, out_cols,
                              w_means, h_means, means);
    }
  return means;
}

/* Puts means in front for the cache's snapshot, the least recently used
 * entry, or an empty one, making way. */
static double *
store (FsHeatmapCache *self,
       gsize           out_rows,
       gsize           out_cols,
       double         *means)
{
  Entry *entry = move_to_front (self, N_ENTRIES - 1);

  g_free (entry->means);
  entry->rows = out_rows;
  entry->cols = out_cols;
  entry->means = means;
  return means;
}

static gboolean
has_size (const Size *sizes,
          guint       n,
          gsize       rows,
          gsize       cols)
{
  for (guint k = 0; k < n; k++)
    if (sizes[k].rows == rows && sizes[k].cols == cols)
      return TRUE;
  return FALSE;
}

/* Remembers a size asked for the cache's snapshot, most recent first. */
static void
note_asked (FsHeatmapCache *self,
            gsize           rows,
            gsize           cols)
{
  if (has_size (self->asked, self->n_asked, rows, cols))
    return;
  self->n_asked = MIN (self->n_asked + 1, N_ENTRIES);
  memmove (&self->asked[1], &self->asked[0], (self->n_asked - 1) * sizeof (Size));
  self->asked[0] = (Size) { rows, cols };
}

static gboolean
has_entry (FsHeatmapCache *self,
           gsize           rows,
           gsize           cols)
{
  for (guint k = 0; k < N_ENTRIES && self->entries[k].means != NULL; k++)
    if (self->entries[k].rows == rows && self->entries[k].cols == cols)
      return TRUE;
  return FALSE;
}

typedef struct
{
  FsSnapshot *snapshot;
  FsMatrix   *X;
  guint       n_sizes;
  gsize       rows[N_ENTRIES];
  gsize       cols[N_ENTRIES];
  double     *means[N_ENTRIES];
  double      cpu;
} Job;

static void
job_free (Job *job)
{
  fs_snapshot_unref (job->snapshot);
  fs_matrix_unref (job->X);
  for (guint s = 0; s < job->n_sizes; s++)
    g_free (job->means[s]);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  Job *job = data;
  FsSnapshot *s = job->snapshot;
  double start = fs_thread_cpu_seconds ();

  for (guint k = 0; k < job->n_sizes; k++)
    job->means[k] = g_new (double, job->rows[k] * job->cols[k]);
  fs_block_means_product_listed_sizes (job->X->sparse, s->W, s->H, s->rank, job->n_sizes,
                                       job->rows, job->cols, job->means);
  job->cpu = fs_thread_cpu_seconds () - start;
  g_task_return_boolean (task, TRUE);
}

static void
on_job_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  FsHeatmapCache *self = FS_HEATMAP_CACHE (object);

  self->busy = FALSE;
  self->job_cpu += job->cpu;
  self->total_cpu += job->cpu;
  /* The next job waits until this one's CPU is within the share. */
  self->next_job = g_get_monotonic_time () + (gint64) (job->cpu / self->cpu_share * G_USEC_PER_SEC);
  if (job->snapshot == self->snapshot)
    for (guint k = 0; k < job->n_sizes; k++)
      if (!has_entry (self, job->rows[k], job->cols[k]))
        store (self, job->rows[k], job->cols[k], g_steal_pointer (&job->means[k]));
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

/* The job computes the size asked and the others asked for this snapshot
 * or the one before that the cache does not have yet. */
static void
start_job (FsHeatmapCache *self,
           FsMatrix       *X,
           gsize           out_rows,
           gsize           out_cols)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);
  const Size *lists[2] = { self->asked, self->asked_before };
  guint lengths[2] = { self->n_asked, self->n_asked_before };

  job->snapshot = fs_snapshot_ref (self->snapshot);
  job->X = fs_matrix_ref (X);
  job->rows[0] = out_rows;
  job->cols[0] = out_cols;
  job->n_sizes = 1;
  for (guint l = 0; l < 2; l++)
    for (guint k = 0; k < lengths[l] && job->n_sizes < N_ENTRIES; k++)
      {
        Size z = lists[l][k];
        gboolean listed = FALSE;

        for (guint s = 0; s < job->n_sizes; s++)
          listed |= job->rows[s] == z.rows && job->cols[s] == z.cols;
        if (!listed && !has_entry (self, z.rows, z.cols) &&
            z.rows <= self->snapshot->rows && z.cols <= self->snapshot->cols)
          {
            job->rows[job->n_sizes] = z.rows;
            job->cols[job->n_sizes] = z.cols;
            job->n_sizes++;
          }
      }
  /* The task holds a reference to the cache until the job is done. */
  task = g_task_new (self, NULL, on_job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
  self->busy = TRUE;
  self->job_X = X;
  self->n_jobs++;
  self->n_computed++;
}

static gboolean
on_next_job_due (gpointer data)
{
  FsHeatmapCache *self = data;

  self->next_job_id = 0;
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
  return G_SOURCE_REMOVE;
}

/* Whether a job may start now for the cache's snapshot; when it may not
 * yet, "updated" comes once it may. */
static gboolean
job_may_start (FsHeatmapCache *self,
               FsMatrix       *X)
{
  gint64 now = g_get_monotonic_time ();

  if (self->snapshot->state != FS_RUNNER_RUNNING || now >= self->next_job || X != self->job_X)
    return TRUE;
  if (self->next_job_id == 0)
    self->next_job_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                            (guint) ((self->next_job - now + 999) / 1000),
                                            on_next_job_due, self, NULL);
  return FALSE;
}

/* The out_rows × out_cols block means of W H for snapshot (over X's
 * listed cells when fs_heatmap_cache_over_listed (X); X may be NULL for a
 * dense one), valid until the next call (which may drop them): copy them
 * out. NULL while a thread computes them: ask again on "updated". */
const double *
fs_heatmap_cache_get_wh_means (FsHeatmapCache *self,
                               FsSnapshot     *snapshot,
                               FsMatrix       *X,
                               gsize           out_rows,
                               gsize           out_cols)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), NULL);
  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (out_rows >= 1 && out_rows <= snapshot->rows, NULL);
  g_return_val_if_fail (out_cols >= 1 && out_cols <= snapshot->cols, NULL);

  if (self->snapshot != snapshot)
    {
      clear_entries (self);
      self->snapshot = fs_snapshot_ref (snapshot);
      memcpy (self->asked_before, self->asked, sizeof self->asked);
      self->n_asked_before = self->n_asked;
      self->n_asked = 0;
    }
  note_asked (self, out_rows, out_cols);

  for (guint k = 0; k < N_ENTRIES && self->entries[k].means != NULL; k++)
    if (self->entries[k].rows == out_rows && self->entries[k].cols == out_cols)
      return move_to_front (self, k)->means;

  if (fs_heatmap_cache_over_listed (X) &&
      (double) X->sparse->nnz * snapshot->rank >= ASYNC_WORK)
    {
      if (!self->busy && job_may_start (self, X))
        start_job (self, X, out_rows, out_cols);
      return NULL;
    }
  self->n_computed++;
  return store (self, out_rows, out_cols, wh_means (snapshot, X, out_rows, out_cols));
}

/* The share of a core the jobs in threads may take while a run goes on
 * (1 % unless set): from the next job on. */
void
fs_heatmap_cache_set_cpu_share (FsHeatmapCache *self,
                                double          share)
{
  g_return_if_fail (FS_IS_HEATMAP_CACHE (self));
  g_return_if_fail (share > 0.0 && share <= 1.0);

  self->cpu_share = share;
}

/* How many jobs ran in threads, for tests of the passes. */
guint
fs_heatmap_cache_get_n_jobs (FsHeatmapCache *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), 0);
  return self->n_jobs;
}

/* Whether a job is computing in a thread. */
gboolean
fs_heatmap_cache_is_busy (FsHeatmapCache *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), FALSE);
  return self->busy;
}

/* The CPU seconds the jobs in threads took in all (the benchmark's). */
double
fs_heatmap_cache_get_cpu_seconds (FsHeatmapCache *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), 0.0);
  return self->total_cpu;
}

/* The CPU seconds the jobs in threads took since the last call: the
 * window counts them as its own drawing's. */
double
fs_heatmap_cache_take_cpu (FsHeatmapCache *self)
{
  double cpu;

  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), 0.0);
  cpu = self->job_cpu;
  self->job_cpu = 0.0;
  return cpu;
}

/* How many times the means were computed, for tests of the sharing. */
guint
fs_heatmap_cache_get_n_computed (FsHeatmapCache *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), 0);
  return self->n_computed;
}
