/* fs-display.c
 *
 * A matrix larger than its widget is shown by block means. The block mean
 * of WH over rows I and columns J is (mean of W over I) times (mean of H
 * over J), so the product is never formed: drawing costs
 * O(out_rows · rank + rank · out_cols + out_rows · out_cols) whatever the
 * size of the matrix (DESIGN.md section 2).
 *
 * A sparse matrix is reduced from its listed cells alone. When its
 * unlisted cells are missing, WH is averaged over the listed cells only,
 * as the cost sees it: O(nnz · rank), one dot product a listed cell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-display"

#include <cblas.h>
#include <math.h>
#include <string.h>

#include "fs-display.h"

/* Viridis at 9 evenly spaced stops (#440154 … #FDE725, the CC0 map of
 * matplotlib), interpolated linearly: perceptually even, readable in grey
 * and by most colour-blind people. */
static const guint8 viridis[9][3] = {
  { 0x44, 0x01, 0x54 }, { 0x47, 0x2D, 0x7B }, { 0x3B, 0x52, 0x8B }, { 0x2C, 0x72, 0x8E },
  { 0x21, 0x90, 0x8C }, { 0x27, 0xAD, 0x81 }, { 0x5D, 0xC8, 0x63 }, { 0xAA, 0xDC, 0x32 },
  { 0xFD, 0xE7, 0x25 },
};

/* ColorBrewer's RdBu, reversed so that negative is blue: white at 0. */
static const guint8 diverging[5][3] = {
  { 33, 102, 172 }, { 146, 197, 222 }, { 247, 247, 247 }, { 244, 165, 130 }, { 178, 24, 43 },
};

void
fs_block_bounds (gsize  n,
                 gsize  blocks,
                 gsize  b,
                 gsize *first,
                 gsize *end)
{
  g_assert (blocks > 0 && blocks <= n && b < blocks);

  *first = b * n / blocks;
  *end = (b + 1) * n / blocks;
}

/* The block of each of cols columns split into out_cols blocks. */
static gsize *
column_blocks (gsize cols,
               gsize out_cols)
{
  gsize *col_block = g_new (gsize, cols);

  for (gsize c = 0; c < out_cols; c++)
    {
      gsize first, end;

      fs_block_bounds (cols, out_cols, c, &first, &end);
      for (gsize j = first; j < end; j++)
        col_block[j] = c;
    }
  return col_block;
}

/* As fs_block_means (), and when nonzero is not NULL, how many observed
 * cells of each block are not exactly 0, counted in the same pass: a
 * block of W or H is drawn as zero only when all its cells are 0. */
gsize
fs_block_means_nonzero (const double *data,
                        const guint8 *mask,
                        gsize         rows,
                        gsize         cols,
                        gsize         out_rows,
                        gsize         out_cols,
                        double       *out,
                        gsize        *nonzero)
{
  g_autofree double *sums = g_new0 (double, out_cols);
  g_autofree gsize *counts = g_new0 (gsize, out_cols);
  g_autofree gsize *nonzeros = g_new0 (gsize, out_cols);
  g_autofree gsize *col_block = NULL;
  gsize empty = 0;

  g_return_val_if_fail (out_rows >= 1 && out_rows <= rows, 0);
  g_return_val_if_fail (out_cols >= 1 && out_cols <= cols, 0);

  col_block = column_blocks (cols, out_cols);

  for (gsize b = 0; b < out_rows; b++)
    {
      gsize first, end;

      fs_block_bounds (rows, out_rows, b, &first, &end);
      memset (sums, 0, out_cols * sizeof (double));
      memset (counts, 0, out_cols * sizeof (gsize));
      memset (nonzeros, 0, out_cols * sizeof (gsize));
      for (gsize i = first; i < end; i++)
        for (gsize j = 0; j < cols; j++)
          if (mask == NULL || mask[i * cols + j])
            {
              double v = data[i * cols + j];

              sums[col_block[j]] += v;
              counts[col_block[j]]++;
              nonzeros[col_block[j]] += v != 0.0;
            }
      for (gsize c = 0; c < out_cols; c++)
        {
          out[b * out_cols + c] = counts[c] > 0 ? sums[c] / (double) counts[c] : NAN;
          empty += counts[c] == 0;
          if (nonzero != NULL)
            nonzero[b * out_cols + c] = nonzeros[c];
        }
    }

  return empty;
}

/* Means over out_rows × out_cols blocks of the observed cells; a block
 * with no observed cell is NaN. Returns the number of such blocks. */
gsize
fs_block_means (const double *data,
                const guint8 *mask,
                gsize         rows,
                gsize         cols,
                gsize         out_rows,
                gsize         out_cols,
                double       *out)
{
  return fs_block_means_nonzero (data, mask, rows, cols, out_rows, out_cols, out, NULL);
}

/* One row of blocks of a sparse matrix: sums[c] and counts[c] of the
 * listed cells of rows [first, end) in column block c. */
static void
sum_sparse_rows (const FsSparse *X,
                 const gsize    *col_block,
                 gsize           first,
                 gsize           end,
                 gsize           out_cols,
                 double         *sums,
                 gsize          *counts)
{
  memset (sums, 0, out_cols * sizeof (double));
  memset (counts, 0, out_cols * sizeof (gsize));
  for (gsize i = first; i < end; i++)
    for (gsize p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
      {
        gsize c = col_block[X->col_idx[p]];

        sums[c] += X->values[p];
        counts[c]++;
      }
}

/* A block's mean: over its listed cells, or, when unlisted cells are
 * zeros, over all its cells; NaN when it has none to average. */
static double
sparse_block_mean (const FsSparse *X,
                   double          sum,
                   gsize           count,
                   gsize           n_rows,
                   gsize           out_cols,
                   gsize           c)
{
  gsize first, end;

  if (!X->zeros_are_values)
    return count > 0 ? sum / (double) count : NAN;
  fs_block_bounds (X->cols, out_cols, c, &first, &end);
  return sum / ((double) n_rows * (double) (end - first));
}

gsize
fs_block_means_sparse (const FsSparse *X,
                       gsize           out_rows,
                       gsize           out_cols,
                       double         *out)
{
  g_autofree gsize *col_block = NULL;
  g_autofree double *sums = NULL;
  g_autofree gsize *counts = NULL;
  gsize empty = 0;

  g_return_val_if_fail (X != NULL, 0);
  g_return_val_if_fail (out_rows >= 1 && out_rows <= X->rows, 0);
  g_return_val_if_fail (out_cols >= 1 && out_cols <= X->cols, 0);

  col_block = column_blocks (X->cols, out_cols);
  sums = g_new (double, out_cols);
  counts = g_new (gsize, out_cols);
  for (gsize b = 0; b < out_rows; b++)
    {
      gsize first, end;

      fs_block_bounds (X->rows, out_rows, b, &first, &end);
      sum_sparse_rows (X, col_block, first, end, out_cols, sums, counts);
      for (gsize c = 0; c < out_cols; c++)
        {
          out[b * out_cols + c] = sparse_block_mean (X, sums[c], counts[c], end - first,
                                                     out_cols, c);
          empty += isnan (out[b * out_cols + c]);
        }
    }
  return empty;
}

/* H (rank × cols) as cols rows of rank: each listed cell then reads one
 * contiguous column. */
static double *
transpose_h (const double *H,
             gsize         rank,
             gsize         cols)
{
  double *Ht = g_new (double, cols * rank);

  for (gsize k = 0; k < rank; k++)
    for (gsize j = 0; j < cols; j++)
      Ht[j * rank + k] = H[k * cols + j];
  return Ht;
}

/* Four sums side by side: a single one waits on each add (the compiler
 * may not reorder them), which made the listed means twice as slow. */
static inline double
dot (const double *a,
     const double *b,
     gsize         n)
{
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  gsize k = 0;

  for (; k + 4 <= n; k += 4)
    {
      s0 += a[k] * b[k];
      s1 += a[k + 1] * b[k + 1];
      s2 += a[k + 2] * b[k + 2];
      s3 += a[k + 3] * b[k + 3];
    }
  for (; k < n; k++)
    s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

void
fs_block_means_product_listed (const FsSparse *X,
                               const double   *W,
                               const double   *H,
                               gsize           rank,
                               gsize           out_rows,
                               gsize           out_cols,
                               double         *out)
{
  fs_block_means_product_listed_sizes (X, W, H, rank, 1, &out_rows, &out_cols, &out);
}

/* One size's blocks while the rows go by: the row block being summed,
 * where it ends, and its column block of each column. */
typedef struct
{
  gsize   out_rows;
  gsize   out_cols;
  double *out;
  gsize  *col_block;
  gsize  *counts;
  gsize   block;
  gsize   end;
} ListedSize;

/* Starts summing row block b of size z. */
static void
listed_size_begin (ListedSize *z,
                   gsize       rows,
                   gsize       b)
{
  gsize first;

  z->block = b;
  fs_block_bounds (rows, z->out_rows, b, &first, &z->end);
  memset (z->out + b * z->out_cols, 0, z->out_cols * sizeof (double));
  memset (z->counts, 0, z->out_cols * sizeof (gsize));
}

/* Turns the row block's sums into means. */
static void
listed_size_finish (ListedSize *z)
{
  double *sums = z->out + z->block * z->out_cols;

  for (gsize c = 0; c < z->out_cols; c++)
    sums[c] = z->counts[c] > 0 ? sums[c] / (double) z->counts[c] : NAN;
}

/* The dot product of a listed cell is the whole cost: each is computed
 * once and added to the block it falls in at every size, in the order of
 * the cells, so that each size gets the very sums it would get alone. */
void
fs_block_means_product_listed_sizes (const FsSparse *X,
                                     const double   *W,
                                     const double   *H,
                                     gsize           rank,
                                     guint           n_sizes,
                                     const gsize    *out_rows,
                                     const gsize    *out_cols,
                                     double        **outs)
{
  g_autofree double *Ht = NULL;
  g_autofree ListedSize *sizes = NULL;

  g_return_if_fail (X != NULL && W != NULL && H != NULL);
  g_return_if_fail (n_sizes >= 1 && out_rows != NULL && out_cols != NULL && outs != NULL);
  for (guint s = 0; s < n_sizes; s++)
    {
      g_return_if_fail (out_rows[s] >= 1 && out_rows[s] <= X->rows);
      g_return_if_fail (out_cols[s] >= 1 && out_cols[s] <= X->cols);
      g_return_if_fail (outs[s] != NULL);
    }

  Ht = transpose_h (H, rank, X->cols);
  sizes = g_new (ListedSize, n_sizes);
  for (guint s = 0; s < n_sizes; s++)
    {
      sizes[s] = (ListedSize) { out_rows[s], out_cols[s], outs[s],
                                column_blocks (X->cols, out_cols[s]), g_new (gsize, out_cols[s]) };
      listed_size_begin (&sizes[s], X->rows, 0);
    }
  for (gsize i = 0; i < X->rows; i++)
    {
      for (guint s = 0; s < n_sizes; s++)
        if (i == sizes[s].end)
          {
            listed_size_finish (&sizes[s]);
            listed_size_begin (&sizes[s], X->rows, sizes[s].block + 1);
          }
      for (gsize p = X->row_ptr[i]; p < X->row_ptr[i + 1]; p++)
        {
          gsize j = X->col_idx[p];
          double v = dot (W + i * rank, Ht + j * rank, rank);

          for (guint s = 0; s < n_sizes; s++)
            {
              gsize c = sizes[s].col_block[j];

              sizes[s].out[sizes[s].block * sizes[s].out_cols + c] += v;
              sizes[s].counts[c]++;
            }
        }
    }
  for (guint s = 0; s < n_sizes; s++)
    {
      listed_size_finish (&sizes[s]);
      g_free (sizes[s].col_block);
      g_free (sizes[s].counts);
    }
}

/* Block means of WH from the block means of W (over rows) and of H (over
 * columns); w_means (out_rows × rank) and h_means (rank × out_cols) are
 * scratch space the caller provides. */
void
fs_block_means_product (const double *W,
                        const double *H,
                        gsize         rows,
                        gsize         cols,
                        gsize         rank,
                        gsize         out_rows,
                        gsize         out_cols,
                        double       *w_means,
                        double       *h_means,
                        double       *out)
{
  g_return_if_fail (out_rows >= 1 && out_rows <= rows);
  g_return_if_fail (out_cols >= 1 && out_cols <= cols);

  for (gsize b = 0; b < out_rows; b++)
    {
      gsize first, end;

      fs_block_bounds (rows, out_rows, b, &first, &end);
      for (gsize k = 0; k < rank; k++)
        {
          double sum = 0.0;

          for (gsize i = first; i < end; i++)
            sum += W[i * rank + k];
          w_means[b * rank + k] = sum / (double) (end - first);
        }
    }

  for (gsize k = 0; k < rank; k++)
    for (gsize c = 0; c < out_cols; c++)
      {
        gsize first, end;
        double sum = 0.0;

        fs_block_bounds (cols, out_cols, c, &first, &end);
        for (gsize j = first; j < end; j++)
          sum += H[k * cols + j];
        h_means[k * out_cols + c] = sum / (double) (end - first);
      }

  g_assert (out_rows <= G_MAXINT && out_cols <= G_MAXINT && rank <= G_MAXINT);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) out_rows, (int) out_cols,
               (int) rank, 1.0, w_means, (int) rank, h_means, (int) out_cols, 0.0, out,
               (int) out_cols);
}

static void
interpolate (const guint8 (*stops)[3],
             guint         n_stops,
             double        t,
             guint8        rgb[3])
{
  double x = CLAMP (t, 0.0, 1.0) * (n_stops - 1);
  guint i = MIN ((guint) x, n_stops - 2);
  double f = x - i;

  for (guint c = 0; c < 3; c++)
    rgb[c] = (guint8) lround (stops[i][c] + f * (stops[i + 1][c] - stops[i][c]));
}

/* t in [0, 1]; for the diverging map 0.5 is the white centre. */
void
fs_colormap_rgb (FsColormap map,
                 double     t,
                 guint8     rgb[3])
{
  if (map == FS_COLORMAP_DIVERGING)
    interpolate (diverging, G_N_ELEMENTS (diverging), t, rgb);
  else
    interpolate (viridis, G_N_ELEMENTS (viridis), t, rgb);
}

/* Sampling each map once per widget, not once per pixel: a lookup costs
 * 2.0–2.6 ns a pixel against 6.8–11.6 for interpolating (the same 60 000
 * values, one run on this machine), which on five heatmaps of a large
 * matrix is milliseconds per frame. The ends and the middle are exact. */
void
fs_colormap_table_init (FsColormapTable *table,
                        FsColormap       map)
{
  g_return_if_fail (table != NULL);

  table->map = map;
  for (guint k = 0; k <= FS_COLORMAP_STEPS; k++)
    fs_colormap_rgb (map, k / (double) FS_COLORMAP_STEPS, table->rgb[k]);
}

/* Premultiplied RGBA bytes (R, G, B, A in memory, GDK_MEMORY_R8G8B8A8_PREMULTIPLIED).
 * Values map linearly from [lo, hi]; the diverging map is centred on zero
 * with hi as the largest magnitude. Missing values (NaN) are transparent,
 * so the widget's missing-cell pattern shows through. */
void
fs_render_rgba (const double          *values,
                gsize                  rows,
                gsize                  cols,
                double                 lo,
                double                 hi,
                const FsColormapTable *table,
                guint8                *rgba,
                gsize                  stride)
{
  gboolean centred;
  double span = hi - lo;

  g_return_if_fail (table != NULL);
  centred = table->map == FS_COLORMAP_DIVERGING;

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        guint8 *px = rgba + i * stride + j * 4;
        double v = values[i * cols + j], t;
        const guint8 *rgb;

        if (isnan (v))
          {
            memset (px, 0, 4);
            continue;
          }
        if (centred)
          t = hi > 0.0 ? 0.5 + 0.5 * v / hi : 0.5;
        else
          t = span > 0.0 ? (v - lo) / span : 0.5;
        t = isnan (t) ? 0.5 : CLAMP (t, 0.0, 1.0);
        rgb = table->rgb[(guint) (t * FS_COLORMAP_STEPS + 0.5)];
        px[0] = rgb[0];
        px[1] = rgb[1];
        px[2] = rgb[2];
        px[3] = 255;
      }
}

/* Powers of ten within [lo, hi] (lo > 0); when there are more than
 * max_ticks, every second, third, … decade. */
guint
fs_log_ticks (double  lo,
              double  hi,
              double *ticks,
              guint   max_ticks)
{
  int first, last, step;
  guint n = 0;

  g_return_val_if_fail (lo > 0.0 && hi >= lo && max_ticks > 0, 0);

  first = (int) ceil (log10 (lo) - 1e-9);
  last = (int) floor (log10 (hi) + 1e-9);
  step = MAX (1, (last - first + (int) max_ticks) / (int) max_ticks);
  for (int e = first; e <= last && n < max_ticks; e += step)
    ticks[n++] = pow (10.0, e);
  return n;
}

/* 1, 2 or 5 times a power of ten, as many as fit in max_ticks. */
guint
fs_linear_ticks (double  lo,
                 double  hi,
                 double *ticks,
                 guint   max_ticks)
{
  static const double steps[] = { 1, 2, 5 };
  double span = hi - lo, step = 0.0;
  guint n = 0;

  g_return_val_if_fail (hi >= lo && max_ticks > 1, 0);

  if (span <= 0.0)
    {
      ticks[0] = lo;
      return 1;
    }

  for (double scale = pow (10.0, floor (log10 (span / max_ticks))); step == 0.0; scale *= 10)
    for (guint s = 0; s < G_N_ELEMENTS (steps) && step == 0.0; s++)
      if (span / (steps[s] * scale) <= max_ticks - 1)
        step = steps[s] * scale;

  for (double t = ceil (lo / step - 1e-9) * step; t <= hi + 1e-9 * step && n < max_ticks; t += step)
    ticks[n++] = fabs (t) < 1e-12 * step ? 0.0 : t;
  return n;
}

/* The index keeps, for blocks of 32 << l values at each level l, their
 * minimum and maximum: complete blocks only, so that appending to the log
 * only adds blocks (amortized O(1) a value). A query reads at most 62
 * values of the log and two blocks a level. Its memory is an eighth of the
 * log's. */
#define INDEX_BLOCK_BITS 5
#define INDEX_BLOCK ((gsize) 1 << INDEX_BLOCK_BITS)
#define INDEX_MAX_LEVELS 48

struct _FsMinMaxIndex
{
  FsCostLog *log;
  gsize      len;
  guint      n_levels;
  GArray    *min[INDEX_MAX_LEVELS];
  GArray    *max[INDEX_MAX_LEVELS];
};

/* An index of nothing yet: fs_min_max_index_update () says how much of
 * log to index. Holds a reference to log. */
FsMinMaxIndex *
fs_min_max_index_new (FsCostLog *log)
{
  FsMinMaxIndex *self;

  g_return_val_if_fail (log != NULL, NULL);

  self = g_new0 (FsMinMaxIndex, 1);
  self->log = fs_cost_log_ref (log);
  return self;
}

void
fs_min_max_index_free (FsMinMaxIndex *self)
{
  if (self == NULL)
    return;
  for (guint l = 0; l < self->n_levels; l++)
    {
      g_array_unref (self->min[l]);
      g_array_unref (self->max[l]);
    }
  fs_cost_log_unref (self->log);
  g_free (self);
}

FsCostLog *
fs_min_max_index_get_log (const FsMinMaxIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->log;
}

gsize
fs_min_max_index_get_length (const FsMinMaxIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->len;
}

static void
add_level (FsMinMaxIndex *self)
{
  g_assert (self->n_levels < INDEX_MAX_LEVELS);
  self->min[self->n_levels] = g_array_new (FALSE, FALSE, sizeof (double));
  self->max[self->n_levels] = g_array_new (FALSE, FALSE, sizeof (double));
  self->n_levels++;
}

/* Level l's blocks made of pairs of level l − 1's, as many as are complete. */
static void
extend_level (FsMinMaxIndex *self,
              guint          l)
{
  GArray *fine_min = self->min[l - 1], *fine_max = self->max[l - 1];

  for (gsize b = self->min[l]->len; b < fine_min->len / 2; b++)
    {
      double lo = MIN (g_array_index (fine_min, double, 2 * b),
                       g_array_index (fine_min, double, 2 * b + 1));
      double hi = MAX (g_array_index (fine_max, double, 2 * b),
                       g_array_index (fine_max, double, 2 * b + 1));

      g_array_append_val (self->min[l], lo);
      g_array_append_val (self->max[l], hi);
    }
}

/* Indexes the first len values of the log: usually more than before, as
 * the log grows; fewer (an older snapshot) drops what lies beyond. */
void
fs_min_max_index_update (FsMinMaxIndex *self,
                         gsize          len)
{
  g_return_if_fail (self != NULL);

  /* The second bound is the first's: it tells the compiler too. */
  if (len < self->len)
    for (guint l = 0; l < self->n_levels && l < INDEX_MAX_LEVELS; l++)
      {
        g_array_set_size (self->min[l], MIN (self->min[l]->len, len >> (INDEX_BLOCK_BITS + l)));
        g_array_set_size (self->max[l], MIN (self->max[l]->len, len >> (INDEX_BLOCK_BITS + l)));
      }
  self->len = len;

  if (self->n_levels == 0)
    add_level (self);
  for (gsize b = self->min[0]->len; b < len / INDEX_BLOCK; b++)
    {
      double lo, hi;

      /* A block with no finite value holds +∞, −∞: it never wins. */
      fs_cost_log_min_max (self->log, b * INDEX_BLOCK, (b + 1) * INDEX_BLOCK, &lo, &hi);
      g_array_append_val (self->min[0], lo);
      g_array_append_val (self->max[0], hi);
    }
  for (guint l = 1; self->min[l - 1]->len >= 2; l++)
    {
      if (l == self->n_levels)
        add_level (self);
      extend_level (self, l);
    }
}

static void
take_blocks (const FsMinMaxIndex *self,
             guint                l,
             gsize                first,
             gsize                end,
             double              *lo,
             double              *hi)
{
  for (gsize b = first; b < end; b++)
    {
      *lo = MIN (*lo, g_array_index (self->min[l], double, b));
      *hi = MAX (*hi, g_array_index (self->max[l], double, b));
    }
}

static void
take_values (const FsMinMaxIndex *self,
             gsize                start,
             gsize                end,
             double              *lo,
             double              *hi)
{
  double v_lo, v_hi;

  if (start < end && fs_cost_log_min_max (self->log, start, end, &v_lo, &v_hi))
    {
      *lo = MIN (*lo, v_lo);
      *hi = MAX (*hi, v_hi);
    }
}

/* The smallest and largest finite values in [start, end), end at most the
 * indexed length, as fs_cost_log_min_max () gives them; FALSE when there
 * is none. */
gboolean
fs_min_max_index_query (const FsMinMaxIndex *self,
                        gsize                start,
                        gsize                end,
                        double              *min,
                        double              *max)
{
  double lo = INFINITY, hi = -INFINITY;
  gsize first, last;
  guint l = 0;

  g_return_val_if_fail (self != NULL && start <= end && end <= self->len, FALSE);

  first = (start + INDEX_BLOCK - 1) / INDEX_BLOCK;
  last = end / INDEX_BLOCK;
  if (first >= last)
    take_values (self, start, end, &lo, &hi);
  else
    {
      take_values (self, start, first * INDEX_BLOCK, &lo, &hi);
      take_values (self, last * INDEX_BLOCK, end, &lo, &hi);
      /* As in a segment tree: odd ends are taken at this level, the rest
       * is halved and taken at the next. */
      while (first < last && l + 1 < self->n_levels && last - first >= 2)
        {
          if (first & 1)
            {
              take_blocks (self, l, first, first + 1, &lo, &hi);
              first++;
            }
          if (last & 1)
            {
              last--;
              take_blocks (self, l, last, last + 1, &lo, &hi);
            }
          first >>= 1;
          last >>= 1;
          l++;
        }
      take_blocks (self, l, first, last, &lo, &hi);
    }

  *min = lo;
  *max = hi;
  return lo <= hi;
}

/* Splits iterations [0, len) into at most buckets ranges evenly wide on a
 * log10 (i + 1) axis, so that iteration 0 has a place; bucket k is
 * [bounds[k], bounds[k + 1]). Buckets that would hold no iteration (early
 * ones, narrower than one step) are left out. Returns how many there are;
 * bounds needs room for buckets + 1. */
gsize
fs_log_buckets (gsize  len,
                gsize  buckets,
                gsize *bounds)
{
  double span;
  gsize n = 0;

  g_return_val_if_fail (len > 0 && buckets > 0 && bounds != NULL, 0);

  span = log10 ((double) len);
  bounds[0] = 0;
  for (gsize c = 1; c <= buckets; c++)
    {
      gsize end = len;

      if (c < buckets)
        end = (gsize) MIN ((double) len, ceil (pow (10.0, span * c / buckets) - 1.0 - 1e-9));
      if (end > bounds[n])
        bounds[++n] = end;
    }
  return n;
}

/* One (min, max) pair per range [bounds[k], bounds[k + 1]), k < n, NaN
 * when the range holds no finite value. */
void
fs_decimate_min_max_ranges (const FsMinMaxIndex *index,
                            const gsize         *bounds,
                            gsize                n,
                            double              *min,
                            double              *max)
{
  g_return_if_fail (index != NULL && bounds != NULL);

  for (gsize k = 0; k < n; k++)
    if (!fs_min_max_index_query (index, bounds[k], bounds[k + 1], &min[k], &max[k]))
      min[k] = max[k] = NAN;
}

static double
linear_channel (guint8 c)
{
  double v = c / 255.0;

  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

/* Whether text on this colour reads better dark than light: the WCAG
 * contrast of black, (L + 0.05) / 0.05, against white's, 1.05 / (L + 0.05),
 * which cross at a relative luminance of about 0.18. */
gboolean
fs_colour_wants_dark_text (const guint8 rgb[3])
{
  double luminance = 0.2126 * linear_channel (rgb[0]) + 0.7152 * linear_channel (rgb[1]) +
                     0.0722 * linear_channel (rgb[2]);

  return (luminance + 0.05) * (luminance + 0.05) >= 0.05 * 1.05;
}

/* Exact zeros in W and H: a grey no colour map uses (viridis has no grey;
 * W and H have no missing cells, which show 50% grey elsewhere), light on
 * a light theme and a middle grey on a dark one: a dark grey there was
 * hard to tell from viridis's darkest purple (#440154), the colour of the
 * smallest values, on the dark background. */
void
fs_colour_exact_zero (gboolean dark,
                      guint8   rgb[3])
{
  guint8 level = dark ? 0x9a : 0xe0;

  rgb[0] = rgb[1] = rgb[2] = level;
}

/* The first of the trace's first len points whose iteration is past
 * iteration: they are in increasing order. */
static gsize
trace_upper_bound (const FsTrace *trace,
                   gsize          len,
                   double         iteration)
{
  gsize lo = 0, hi = len;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) fs_trace_get_iteration (trace, mid) <= iteration)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* Decimates one kind of a trace (index is over its log, updated to the
 * length to draw) into columns evenly spaced along an iteration axis from
 * 0 to x_hi, linear or in log10 (iteration + 1): for each column, the
 * middle iteration of the points in it and their min and max, NaN for a
 * column with none (trace points thin out later in a run). A binary
 * search per column: O(columns log len), however long the run. */
void
fs_decimate_trace (const FsTrace       *trace,
                   const FsMinMaxIndex *index,
                   gsize                columns,
                   gboolean             log_x,
                   double               x_hi,
                   double              *iteration,
                   double              *min,
                   double              *max)
{
  gsize len, start = 0;

  g_return_if_fail (trace != NULL && index != NULL);

  len = fs_min_max_index_get_length (index);
  for (gsize k = 0; k < columns; k++)
    {
      double t = (k + 1.0) / columns;
      double it_end = log_x ? pow (x_hi + 1.0, t) - 1.0 : t * x_hi;
      gsize end = k + 1 == columns ? len : trace_upper_bound (trace, len, it_end);

      end = MAX (end, start);
      iteration[k] = min[k] = max[k] = NAN;
      if (end > start && fs_min_max_index_query (index, start, end, &min[k], &max[k]))
        iteration[k] = (fs_trace_get_iteration (trace, start) +
                        (double) fs_trace_get_iteration (trace, end - 1)) / 2.0;
      else
        min[k] = max[k] = NAN;
      start = end;
    }
}

/* Each kind's colour and dash, the same in every plot: the terms and
 * norms apart from the cost's blue and f*'s green, and from each other
 * by dash as well as colour, so that they also read in grey. */
static const double dash_long[] = { 6.0, 3.0 };
static const double dash_dot[] = { 2.0, 2.0 };
static const double dash_mixed[] = { 8.0, 3.0, 2.0, 3.0 };
static const double dash_sparse[] = { 1.0, 3.0 };

static const struct
{
  double        rgb[3];
  const double *dash;
  int           n_dash;
} trace_styles[FS_N_TRACES] = {
  [FS_TRACE_DATA] = { { 0.90, 0.38, 0.00 }, NULL, 0 },
  [FS_TRACE_L2_W] = { { 0.88, 0.11, 0.14 }, dash_long, 2 },
  [FS_TRACE_L2_H] = { { 0.80, 0.20, 0.55 }, dash_long, 2 },
  [FS_TRACE_L1_W] = { { 0.53, 0.36, 0.20 }, dash_dot, 2 },
  [FS_TRACE_L1_H] = { { 0.13, 0.55, 0.60 }, dash_dot, 2 },
  [FS_TRACE_NORM_W] = { { 0.75, 0.60, 0.00 }, dash_mixed, 4 },
  [FS_TRACE_NORM_H] = { { 0.40, 0.45, 0.60 }, dash_mixed, 4 },
  [FS_TRACE_GRAD_NORM] = { { 0.45, 0.30, 0.85 }, dash_sparse, 2 },
  [FS_TRACE_ZEROS_W] = { { 0.21, 0.52, 0.89 }, NULL, 0 },
  [FS_TRACE_ZEROS_H] = { { 0.90, 0.38, 0.00 }, NULL, 0 },
  [FS_TRACE_SMALL_W] = { { 0.13, 0.55, 0.60 }, dash_long, 2 },
  [FS_TRACE_SMALL_H] = { { 0.53, 0.36, 0.20 }, dash_long, 2 },
};

void
fs_trace_kind_style (FsTraceKind    kind,
                     double         rgb[3],
                     const double **dash,
                     int           *n_dash)
{
  g_return_if_fail (kind < FS_N_TRACES);

  memcpy (rgb, trace_styles[kind].rgb, sizeof trace_styles[kind].rgb);
  *dash = trace_styles[kind].dash;
  *n_dash = trace_styles[kind].n_dash;
}

guint
fs_whole_ticks (double *ticks,
                guint   n_ticks)
{
  guint kept = 0;

  for (guint t = 0; t < n_ticks; t++)
    if (ticks[t] == floor (ticks[t]))
      ticks[kept++] = ticks[t];
  return kept;
}
