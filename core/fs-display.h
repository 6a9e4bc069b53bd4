/* fs-display.h: what the heatmaps and the loss plot draw, computed
 * without GTK so that the draw path only scales and blits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-cost-log.h"
#include "fs-sparse.h"
#include "fs-trace.h"

G_BEGIN_DECLS

typedef enum
{
  FS_COLORMAP_SEQUENTIAL,  /* X and WH: dark blue to yellow (viridis) */
  FS_COLORMAP_DIVERGING,   /* residual: blue, white at 0, red */
} FsColormap;

/* A colour map sampled at FS_COLORMAP_STEPS + 1 evenly spaced points, so
 * that colouring a value is one lookup. Filled by fs_colormap_table_init ()
 * and owned by whoever draws with it: there is no shared table. */
#define FS_COLORMAP_STEPS 4096

typedef struct
{
  FsColormap  map;
  guint8      rgb[FS_COLORMAP_STEPS + 1][3];
} FsColormapTable;

/* The rows of block b are [first, end) of fs_block_bounds. */
void     fs_block_bounds       (gsize          n,
                                gsize          blocks,
                                gsize          b,
                                gsize         *first,
                                gsize         *end);
gsize    fs_block_means        (const double  *data,
                                const guint8  *mask,
                                gsize          rows,
                                gsize          cols,
                                gsize          out_rows,
                                gsize          out_cols,
                                double        *out);
gsize    fs_block_means_nonzero (const double  *data,
                                 const guint8  *mask,
                                 gsize          rows,
                                 gsize          cols,
                                 gsize          out_rows,
                                 gsize          out_cols,
                                 double        *out,
                                 gsize         *nonzero);
void     fs_block_means_product (const double *W,
                                 const double *H,
                                 gsize         rows,
                                 gsize         cols,
                                 gsize         rank,
                                 gsize         out_rows,
                                 gsize         out_cols,
                                 double       *w_means,
                                 double       *h_means,
                                 double       *out);
/* The same for a sparse matrix, from its listed cells only: O(nnz +
 * out_rows · out_cols), nothing of rows × cols. With unlisted cells
 * missing a block is the mean of its listed cells, NaN with none (the
 * returned count); with zeros_are_values the unlisted cells count as 0. */
gsize    fs_block_means_sparse  (const FsSparse *X,
                                 gsize           out_rows,
                                 gsize           out_cols,
                                 double         *out);
/* Block means of W H over the listed cells of X only (what the cost of a
 * matrix with missing cells sees), NaN for a block with none listed:
 * O(nnz · rank + cols · rank). */
void     fs_block_means_product_listed (const FsSparse *X,
                                        const double   *W,
                                        const double   *H,
                                        gsize           rank,
                                        gsize           out_rows,
                                        gsize           out_cols,
                                        double         *out);
/* The same at n_sizes sizes in one pass over the listed cells (a dot
 * product each, whatever the number of sizes): outs[s] gets
 * out_rows[s] × out_cols[s] means, exactly what the call above gives. */
void     fs_block_means_product_listed_sizes (const FsSparse *X,
                                              const double   *W,
                                              const double   *H,
                                              gsize           rank,
                                              guint           n_sizes,
                                              const gsize    *out_rows,
                                              const gsize    *out_cols,
                                              double        **outs);
void     fs_colormap_rgb       (FsColormap     map,
                                double         t,
                                guint8         rgb[3]);
void     fs_colormap_table_init (FsColormapTable       *table,
                                 FsColormap             map);
void     fs_render_rgba        (const double          *values,
                                gsize                  rows,
                                gsize                  cols,
                                double                 lo,
                                double                 hi,
                                const FsColormapTable *table,
                                guint8                *rgba,
                                gsize                  stride);

/* Minima and maxima of a cost log over any range in O(log n), for
 * decimating a long history into unevenly wide columns (a logarithmic
 * iteration axis) without reading it all in each frame. */
typedef struct _FsMinMaxIndex FsMinMaxIndex;

FsMinMaxIndex *fs_min_max_index_new      (FsCostLog           *log);
void           fs_min_max_index_free     (FsMinMaxIndex       *self);
FsCostLog     *fs_min_max_index_get_log  (const FsMinMaxIndex *self);
void           fs_min_max_index_update   (FsMinMaxIndex       *self,
                                          gsize                len);
gsize          fs_min_max_index_get_length (const FsMinMaxIndex *self);
gboolean       fs_min_max_index_query    (const FsMinMaxIndex *self,
                                          gsize                start,
                                          gsize                end,
                                          double              *min,
                                          double              *max);
gsize          fs_log_buckets            (gsize                len,
                                          gsize                buckets,
                                          gsize               *bounds);
void           fs_decimate_min_max_ranges (const FsMinMaxIndex *index,
                                           const gsize         *bounds,
                                           gsize                n,
                                           double              *min,
                                           double              *max);
void           fs_decimate_trace         (const FsTrace       *trace,
                                          const FsMinMaxIndex *index,
                                          gsize                columns,
                                          gboolean             log_x,
                                          double               x_hi,
                                          double              *iteration,
                                          double              *min,
                                          double              *max);
void           fs_trace_kind_style       (FsTraceKind          kind,
                                          double               rgb[3],
                                          const double       **dash,
                                          int                 *n_dash);
gboolean       fs_colour_wants_dark_text (const guint8         rgb[3]);
void           fs_colour_exact_zero      (gboolean              dark,
                                          guint8                rgb[3]);
guint    fs_log_ticks          (double         lo,
                                double         hi,
                                double        *ticks,
                                guint          max_ticks);
guint    fs_linear_ticks       (double         lo,
                                double         hi,
                                double        *ticks,
                                guint          max_ticks);
/* Keeps the whole numbers among ticks (for counts and indices); returns
 * how many are left, in their order. */
guint    fs_whole_ticks        (double         *ticks,
                                guint           n_ticks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsMinMaxIndex, fs_min_max_index_free)

G_END_DECLS
