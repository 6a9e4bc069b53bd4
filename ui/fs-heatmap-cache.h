/* fs-heatmap-cache.h: the block means of WH, shared by the heatmaps of one
 * window so that WH and X − WH cost one computation per snapshot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "fs-runner.h"

G_BEGIN_DECLS

#define FS_TYPE_HEATMAP_CACHE (fs_heatmap_cache_get_type ())
G_DECLARE_FINAL_TYPE (FsHeatmapCache, fs_heatmap_cache, FS, HEATMAP_CACHE, GObject)

FsHeatmapCache *fs_heatmap_cache_new             (void);
const double   *fs_heatmap_cache_get_wh_means    (FsHeatmapCache *self,
                                                  FsSnapshot     *snapshot,
                                                  gsize           out_rows,
                                                  gsize           out_cols);
guint           fs_heatmap_cache_get_n_computed  (FsHeatmapCache *self);

G_END_DECLS
