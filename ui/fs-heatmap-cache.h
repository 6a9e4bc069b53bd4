/* fs-heatmap-cache.h: the block means of WH, shared by the heatmaps of one
 * window so that WH and X − WH cost one computation per snapshot.
 *
 * For a sparse X whose unlisted cells are missing the means run over the
 * listed cells only, O(nnz · rank): when that is more than a few
 * milliseconds of work they are computed in a thread, every size asked
 * lately in one pass, no more often during a run than keeps the thread
 * under a share of a core; get returns NULL meanwhile, and "updated" says
 * when to ask again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "fs-matrix.h"
#include "fs-runner.h"

G_BEGIN_DECLS

#define FS_TYPE_HEATMAP_CACHE (fs_heatmap_cache_get_type ())
G_DECLARE_FINAL_TYPE (FsHeatmapCache, fs_heatmap_cache, FS, HEATMAP_CACHE, GObject)

FsHeatmapCache *fs_heatmap_cache_new             (void);
const double   *fs_heatmap_cache_get_wh_means    (FsHeatmapCache *self,
                                                  FsSnapshot     *snapshot,
                                                  FsMatrix       *X,
                                                  gsize           out_rows,
                                                  gsize           out_cols);
guint           fs_heatmap_cache_get_n_computed  (FsHeatmapCache *self);
guint           fs_heatmap_cache_get_n_jobs      (FsHeatmapCache *self);
void            fs_heatmap_cache_set_cpu_share   (FsHeatmapCache *self,
                                                  double          share);
gboolean        fs_heatmap_cache_is_busy         (FsHeatmapCache *self);
double          fs_heatmap_cache_take_cpu        (FsHeatmapCache *self);
double          fs_heatmap_cache_get_cpu_seconds (FsHeatmapCache *self);
/* Whether the block means of WH for X run over its listed cells only. */
gboolean        fs_heatmap_cache_over_listed     (const FsMatrix *X);

G_END_DECLS
