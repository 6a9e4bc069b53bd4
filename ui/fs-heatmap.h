/* fs-heatmap.h: one matrix as a heatmap with a colour bar.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-heatmap-cache.h"
#include "fs-matrix.h"
#include "fs-runner.h"

G_BEGIN_DECLS

typedef enum
{
  FS_HEATMAP_X,
  FS_HEATMAP_WH,
  FS_HEATMAP_RESIDUAL,
  FS_HEATMAP_W,
  FS_HEATMAP_H,
} FsHeatmapKind;

#define FS_TYPE_HEATMAP_KIND (fs_heatmap_kind_get_type ())
GType fs_heatmap_kind_get_type (void) G_GNUC_CONST;

#define FS_TYPE_HEATMAP (fs_heatmap_get_type ())
G_DECLARE_FINAL_TYPE (FsHeatmap, fs_heatmap, FS, HEATMAP, GtkWidget)

GtkWidget      *fs_heatmap_new              (FsHeatmapKind   kind);
FsHeatmapKind   fs_heatmap_get_kind         (FsHeatmap      *self);
void            fs_heatmap_set_matrix       (FsHeatmap      *self,
                                             FsMatrix       *X);
void            fs_heatmap_set_snapshot     (FsHeatmap      *self,
                                             FsSnapshot     *snapshot);
FsSnapshot     *fs_heatmap_get_snapshot     (FsHeatmap      *self);
void            fs_heatmap_set_fixed_range  (FsHeatmap      *self,
                                             gboolean        fixed_range);
gboolean        fs_heatmap_get_fixed_range  (FsHeatmap      *self);
void            fs_heatmap_set_range_lo     (FsHeatmap      *self,
                                             double          lo);
double          fs_heatmap_get_range_lo     (FsHeatmap      *self);
void            fs_heatmap_set_range_hi     (FsHeatmap      *self,
                                             double          hi);
double          fs_heatmap_get_range_hi     (FsHeatmap      *self);
void            fs_heatmap_set_range        (FsHeatmap      *self,
                                             double          lo,
                                             double          hi);
void            fs_heatmap_get_shown_range  (FsHeatmap      *self,
                                             double         *lo,
                                             double         *hi);
void            fs_heatmap_set_cache        (FsHeatmap      *self,
                                             FsHeatmapCache *cache);
FsHeatmapCache *fs_heatmap_get_cache        (FsHeatmap      *self);
gboolean        fs_heatmap_get_cell_at      (FsHeatmap      *self,
                                             double          x,
                                             double          y,
                                             gsize          *row,
                                             gsize          *col);
char           *fs_heatmap_describe_cell    (FsHeatmap      *self,
                                             gsize           row,
                                             gsize           col);
void            fs_heatmap_get_blocks       (FsHeatmap      *self,
                                             gsize          *rows,
                                             gsize          *cols);
double          fs_heatmap_get_block_value  (FsHeatmap      *self,
                                             gsize           row,
                                             gsize           col);
gboolean        fs_heatmap_get_waiting      (FsHeatmap      *self);
double          fs_heatmap_take_cpu         (FsHeatmap      *self);
guint           fs_heatmap_get_n_numbers    (FsHeatmap      *self);
/* X, WH and the residual: the selected sample (row), or -1; outlined
 * across the map. A click selects the row under the pointer; with focus,
 * Up, Down, Page Up, Page Down, Home and End move it (notify::selected-row). */
void            fs_heatmap_set_selected_row (FsHeatmap      *self,
                                             gint64          row);
gint64          fs_heatmap_get_selected_row (FsHeatmap      *self);

G_END_DECLS
