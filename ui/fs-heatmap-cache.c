/* fs-heatmap-cache.c
 *
 * The WH and residual heatmaps both need the block means of WH for the
 * same snapshot in the same frame. The window makes one cache and gives it
 * to its heatmaps; a heatmap with none makes its own. Entries are kept for
 * the latest snapshot only (with a reference, so that its address stays
 * its own), at a few sizes: the two maps' areas differ when their labels
 * do, and a rebuild may probe a second width.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-heatmap-cache"

#include <string.h>

#include "fs-display.h"
#include "fs-heatmap-cache.h"

#define N_ENTRIES 4

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
};

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

static double *
compute_wh_means (FsHeatmapCache *self,
                  FsSnapshot     *s,
                  gsize           out_rows,
                  gsize           out_cols)
{
  g_autofree double *w_means = g_new (double, out_rows * s->rank);
  g_autofree double *h_means = g_new (double, s->rank * out_cols);
  double *means = g_new (double, out_rows * out_cols);

  fs_block_means_product (s->W, s->H, s->rows, s->cols, s->rank, out_rows, out_cols,
                          w_means, h_means, means);
  self->n_computed++;
  return means;
}

/* The out_rows × out_cols block means of W H for snapshot, valid until the
 * next call (which may drop them): copy them out. */
const double *
fs_heatmap_cache_get_wh_means (FsHeatmapCache *self,
                               FsSnapshot     *snapshot,
                               gsize           out_rows,
                               gsize           out_cols)
{
  Entry *entry;

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

  /* The least recently used entry, or an empty one, makes way. */
  entry = move_to_front (self, N_ENTRIES - 1);
  g_free (entry->means);
  entry->rows = out_rows;
  entry->cols = out_cols;
  entry->means = compute_wh_means (self, snapshot, out_rows, out_cols);
  return entry->means;
}

/* How many times the means were computed, for tests of the sharing. */
guint
fs_heatmap_cache_get_n_computed (FsHeatmapCache *self)
{
  g_return_val_if_fail (FS_IS_HEATMAP_CACHE (self), 0);
  return self->n_computed;
}
