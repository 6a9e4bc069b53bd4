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
 * one starts. The jobs' CPU time is counted for the window's budget.
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

typedef struct
{
  gsize   rows;
  gsize   cols;
  double *means;
} Entry;

struct _FsHeatmapCache
{
  GObject     parent_instance;

  FsSnapshot *snapshot;
  Entry       entries[N_ENTRIES];   /* most recently used first */
  guint       n_computed;
  gboolean    busy;                 /* a job is computing in a thread */
  double      job_cpu;              /* the jobs' CPU seconds not yet taken */
  double      total_cpu;            /* and in all */
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
  clear_entries (FS_HEATMAP_CACHE (object));

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
  self->n_computed++;
  return means;
}

typedef struct
{
  FsSnapshot *snapshot;
  FsMatrix   *X;
  gsize       rows;
  gsize       cols;
  double     *means;
  double      cpu;
} Job;

static void
job_free (Job *job)
{
  fs_snapshot_unref (job->snapshot);
  fs_matrix_unref (job->X);
  g_free (job->means);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  Job *job = data;
  double start = fs_thread_cpu_seconds ();

  job->means = wh_means (job->snapshot, job->X, job->rows, job->cols);
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
  if (job->snapshot == self->snapshot)
    store (self, job->rows, job->cols, g_steal_pointer (&job->means));
  g_signal_emit (self, signals[SIGNAL_UPDATED], 0);
}

static void
start_job (FsHeatmapCache *self,
           FsMatrix       *X,
           gsize           out_rows,
           gsize           out_cols)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  job->snapshot = fs_snapshot_ref (self->snapshot);
  job->X = fs_matrix_ref (X);
  job->rows = out_rows;
  job->cols = out_cols;
  /* The task holds a reference to the cache until the job is done. */
  task = g_task_new (self, NULL, on_job_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
  self->busy = TRUE;
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
    }

  for (guint k = 0; k < N_ENTRIES && self->entries[k].means != NULL; k++)
    if (self->entries[k].rows == out_rows && self->entries[k].cols == out_cols)
      return move_to_front (self, k)->means;

  if (fs_heatmap_cache_over_listed (X) &&
      (double) X->sparse->nnz * snapshot->rank >= ASYNC_WORK)
    {
      if (!self->busy)
        start_job (self, X, out_rows, out_cols);
      return NULL;
    }
  return store (self, out_rows, out_cols, wh_means (snapshot, X, out_rows, out_cols));
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
