/* fs-display.c
 *
 * A matrix larger than its widget is shown by block means. The block mean
 * of WH over rows I and columns J is (mean of W over I) times (mean of H
 * over J), so the product is never formed: drawing costs
 * O(out_rows · rank + rank · out_cols + out_rows · out_cols) whatever the
 * size of the matrix (DESIGN.md section 2).
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
  g_autofree double *sums = g_new0 (double, out_cols);
  g_autofree gsize *counts = g_new0 (gsize, out_cols);
  g_autofree gsize *col_block = g_new (gsize, cols);
  gsize empty = 0;

  g_return_val_if_fail (out_rows >= 1 && out_rows <= rows, 0);
  g_return_val_if_fail (out_cols >= 1 && out_cols <= cols, 0);

  for (gsize c = 0; c < out_cols; c++)
    {
      gsize first, end;

      fs_block_bounds (cols, out_cols, c, &first, &end);
      for (gsize j = first; j < end; j++)
        col_block[j] = c;
    }

  for (gsize b = 0; b < out_rows; b++)
    {
      gsize first, end;

      fs_block_bounds (rows, out_rows, b, &first, &end);
      memset (sums, 0, out_cols * sizeof (double));
      memset (counts, 0, out_cols * sizeof (gsize));
      for (gsize i = first; i < end; i++)
        for (gsize j = 0; j < cols; j++)
          if (mask == NULL || mask[i * cols + j])
            {
              sums[col_block[j]] += data[i * cols + j];
              counts[col_block[j]]++;
            }
      for (gsize c = 0; c < out_cols; c++)
        {
          out[b * out_cols + c] = counts[c] > 0 ? sums[c] / (double) counts[c] : NAN;
          empty += counts[c] == 0;
        }
    }

  return empty;
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

/* One (min, max) pair per column over the first len values of log, split
 * evenly into columns; returns how many pairs were written (len when it
 * is smaller). Reads the log in place: one pass, no copy. A column with no
 * finite value gets NaN. */
gsize
fs_decimate_min_max (const FsCostLog *log,
                     gsize            len,
                     gsize            columns,
                     double          *min,
                     double          *max)
{
  gsize n = MIN (len, columns);

  for (gsize c = 0; c < n; c++)
    {
      gsize first, end;

      fs_block_bounds (len, n, c, &first, &end);
      if (!fs_cost_log_min_max (log, first, end, &min[c], &max[c]))
        min[c] = max[c] = NAN;
    }
  return n;
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
