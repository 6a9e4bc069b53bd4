/* test-display.c: block means, colour maps, decimation and axis ticks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-display.h"
#include "fs-matrix.h"
#include "fs-random.h"

/* The mean of the observed cells of each block, by the definition. */
static double
direct_block_mean (const double *data,
                   gsize         rows,
                   gsize         cols,
                   gsize         out_rows,
                   gsize         out_cols,
                   gsize         b,
                   gsize         c)
{
  gsize r0 = b * rows / out_rows, r1 = (b + 1) * rows / out_rows;
  gsize c0 = c * cols / out_cols, c1 = (c + 1) * cols / out_cols;
  double sum = 0.0;
  gsize count = 0;

  for (gsize i = r0; i < r1; i++)
    for (gsize j = c0; j < c1; j++)
      if (!isnan (data[i * cols + j]))
        {
          sum += data[i * cols + j];
          count++;
        }
  return count > 0 ? sum / count : NAN;
}

static void
test_block_means (void)
{
  const gsize rows = 37, cols = 23, out_rows = 5, out_cols = 4;
  double data[37 * 23], out[5 * 4];
  guint8 mask[37 * 23];
  gsize empty;

  fs_random_fill_signed (3, data, rows * cols);
  for (gsize k = 0; k < rows * cols; k++)
    mask[k] = k % 7 != 0;
  /* Block (0, 0) entirely missing. */
  for (gsize i = 0; i < 7; i++)
    for (gsize j = 0; j < 5; j++)
      mask[i * cols + j] = 0;
  for (gsize k = 0; k < rows * cols; k++)
    if (!mask[k])
      data[k] = NAN;

  empty = fs_block_means (data, mask, rows, cols, out_rows, out_cols, out);
  g_assert_cmpuint (empty, ==, 1);
  g_assert_true (isnan (out[0]));
  for (gsize b = 0; b < out_rows; b++)
    for (gsize c = 0; c < out_cols; c++)
      if (b + c > 0)
        g_assert_cmpfloat_with_epsilon (out[b * out_cols + c],
                                        direct_block_mean (data, rows, cols, out_rows, out_cols, b, c),
                                        1e-14);
}

/* The block mean of WH is the product of the block means of W and H. */
static void
test_block_means_product (void)
{
  const gsize rows = 41, cols = 29, rank = 3, out_rows = 6, out_cols = 7;
  double W[41 * 3], H[3 * 29], WH[41 * 29], direct[6 * 7], fast[6 * 7];
  double w_means[6 * 3], h_means[3 * 7];

  fs_random_fill_signed (4, W, rows * rank);
  fs_random_fill_signed (5, H, rank * cols);
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        WH[i * cols + j] = 0.0;
        for (gsize k = 0; k < rank; k++)
          WH[i * cols + j] += W[i * rank + k] * H[k * cols + j];
      }

  fs_block_means (WH, NULL, rows, cols, out_rows, out_cols, direct);
  fs_block_means_product (W, H, rows, cols, rank, out_rows, out_cols, w_means, h_means, fast);
  for (gsize k = 0; k < out_rows * out_cols; k++)
    g_assert_cmpfloat_with_epsilon (fast[k], direct[k], 1e-13);
}

static void
test_render (void)
{
  const double values[4] = { -1.0, 3.0, 1.0, NAN };
  const double residual[3] = { 0.0, -2.0, 2.0 };
  g_autofree FsColormapTable *sequential = g_new (FsColormapTable, 1);
  g_autofree FsColormapTable *diverging = g_new (FsColormapTable, 1);
  guint8 rgba[4 * 4], div[3 * 4];

  fs_colormap_table_init (sequential, FS_COLORMAP_SEQUENTIAL);
  fs_colormap_table_init (diverging, FS_COLORMAP_DIVERGING);
  fs_render_rgba (values, 2, 2, -1.0, 3.0, sequential, rgba, 8);
  /* Lowest is viridis's dark purple, highest its yellow, the middle teal. */
  g_assert_cmpmem (rgba, 4, ((guint8[]) { 0x44, 0x01, 0x54, 255 }), 4);
  g_assert_cmpmem (rgba + 4, 4, ((guint8[]) { 0xFD, 0xE7, 0x25, 255 }), 4);
  g_assert_cmpmem (rgba + 8, 4, ((guint8[]) { 0x21, 0x90, 0x8C, 255 }), 4);
  g_assert_cmpmem (rgba + 12, 4, ((guint8[]) { 0, 0, 0, 0 }), 4);

  fs_render_rgba (residual, 1, 3, -2.0, 2.0, diverging, div, 12);
  g_assert_cmpmem (div, 4, ((guint8[]) { 247, 247, 247, 255 }), 4);
  g_assert_cmpuint (div[4 + 2], >, div[4 + 0]);   /* negative: blue */
  g_assert_cmpuint (div[8 + 0], >, div[8 + 2]);   /* positive: red */
}

/* The table is the map sampled: exact at its samples, the ends included. */
static void
test_colormap_table (void)
{
  g_autofree FsColormapTable *table = g_new (FsColormapTable, 1);

  for (FsColormap map = FS_COLORMAP_SEQUENTIAL; map <= FS_COLORMAP_DIVERGING; map++)
    {
      fs_colormap_table_init (table, map);
      g_assert_cmpint (table->map, ==, map);
      for (guint k = 0; k <= FS_COLORMAP_STEPS; k += 97)
        {
          guint8 want[3];

          fs_colormap_rgb (map, k / (double) FS_COLORMAP_STEPS, want);
          g_assert_cmpmem (table->rgb[k], 3, want, 3);
        }
      if (map == FS_COLORMAP_SEQUENTIAL)
        g_assert_cmpmem (table->rgb[FS_COLORMAP_STEPS], 3, ((guint8[]) { 0xFD, 0xE7, 0x25 }), 3);
      else
        g_assert_cmpmem (table->rgb[FS_COLORMAP_STEPS], 3, ((guint8[]) { 178, 24, 43 }), 3);
    }
}

/* Even columns, as the linear iteration axis cuts a history, through the
 * index: each column's min and max are those of its values. */
static void
test_decimate (void)
{
  g_autoptr(FsCostLog) log = fs_cost_log_new ();
  /* Long enough to span several of the log's chunks. */
  const gsize len = 40000;
  g_autofree double *values = g_new (double, len);
  g_autoptr(FsMinMaxIndex) index = NULL;
  gsize bounds[11];
  double lo[10], hi[10];

  for (gsize k = 0; k < len; k++)
    {
      values[k] = sin (k * 0.37) * (double) (len - k);
      fs_cost_log_append (log, values[k]);
    }
  index = fs_min_max_index_new (log);
  fs_min_max_index_update (index, len);
  for (guint c = 0; c < 10; c++)
    fs_block_bounds (len, 10, c, &bounds[c], &bounds[c + 1]);
  fs_decimate_min_max_ranges (index, bounds, 10, lo, hi);
  for (guint c = 0; c < 10; c++)
    {
      double want_lo = INFINITY, want_hi = -INFINITY;

      for (gsize k = c * len / 10; k < (c + 1) * len / 10; k++)
        {
          want_lo = MIN (want_lo, values[k]);
          want_hi = MAX (want_hi, values[k]);
        }
      g_assert_cmpfloat (lo[c], ==, want_lo);
      g_assert_cmpfloat (hi[c], ==, want_hi);
    }
}

/* The smallest and largest finite values of values[start, end), by the
 * definition. */
static gboolean
direct_min_max (const double *values,
                gsize         start,
                gsize         end,
                double       *lo,
                double       *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (gsize k = start; k < end; k++)
    if (isfinite (values[k]))
      {
        *lo = MIN (*lo, values[k]);
        *hi = MAX (*hi, values[k]);
      }
  return *lo <= *hi;
}

/* A run's history as long as a long real run (10^6 iterations): a
 * decreasing cost with oscillations, spikes, and a stretch of NaN. */
static double *
long_history (FsCostLog *log,
              gsize      len)
{
  double *values = g_new (double, len);

  for (gsize k = 0; k < len; k++)
    {
      values[k] = 1e4 / (1.0 + k) * (1.0 + 0.5 * sin (k * 0.013)) + (k % 9973 == 0 ? 1e3 : 0.0);
      if (k >= 500000 && k < 500100)
        values[k] = NAN;
      if (k == 700001)
        values[k] = INFINITY;
      fs_cost_log_append (log, values[k]);
    }
  return values;
}

/* Any range of a 10^6-long log, from the index, is what a pass over it
 * gives; so is every range after the log grew and the index followed. */
static void
test_min_max_index (void)
{
  const gsize len = 1000000;
  g_autoptr(FsCostLog) log = fs_cost_log_new ();
  g_autofree double *values = long_history (log, len);
  g_autoptr(FsMinMaxIndex) index = fs_min_max_index_new (log);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (gsize grown = 1; grown <= len; grown = grown < 1000 ? grown * 3 : grown * 7)
    {
      fs_min_max_index_update (index, MIN (grown, len));
      g_assert_cmpuint (fs_min_max_index_get_length (index), ==, MIN (grown, len));
    }
  fs_min_max_index_update (index, len);
  for (guint trial = 0; trial < 3000; trial++)
    {
      gsize a = g_rand_int_range (rand, 0, len), b = g_rand_int_range (rand, 0, len + 1);
      gsize start = MIN (a, b), end = trial % 3 == 0 ? MIN (start + trial % 200, len) : MAX (a, b);
      double lo, hi, want_lo, want_hi;
      gboolean found = fs_min_max_index_query (index, start, end, &lo, &hi);

      g_assert_cmpint (found, ==, direct_min_max (values, start, end, &want_lo, &want_hi));
      if (found)
        {
          g_assert_cmpfloat (lo, ==, want_lo);
          g_assert_cmpfloat (hi, ==, want_hi);
        }
    }
}

/* Log buckets cover every iteration once, in order, evenly in
 * log10 (i + 1): the first iterations one by one, the last by thousands. */
static void
test_log_buckets (void)
{
  const gsize len = 1000000, columns = 600;
  g_autofree gsize *bounds = g_new (gsize, columns + 1);
  gsize n = fs_log_buckets (len, columns, bounds);

  g_assert_cmpuint (n, <=, columns);
  g_assert_cmpuint (n, >, columns / 2);
  g_assert_cmpuint (bounds[0], ==, 0);
  g_assert_cmpuint (bounds[n], ==, len);
  for (gsize k = 0; k < n; k++)
    g_assert_cmpuint (bounds[k], <, bounds[k + 1]);
  /* Iterations 0, 1, 2 each have their own bucket; each bucket spans
   * at most one column's share of the decades. */
  g_assert_cmpuint (bounds[1], ==, 1);
  g_assert_cmpuint (bounds[2], ==, 2);
  g_assert_cmpuint (bounds[3], ==, 3);
  for (gsize k = 0; k < n; k++)
    g_assert_cmpfloat (log10 ((double) bounds[k + 1]) - log10 (bounds[k] + 1.0), <=,
                       6.0 / columns + 1e-9);
  /* The last bucket holds the last thousands. */
  g_assert_cmpuint (bounds[n] - bounds[n - 1], >, 10000);

  g_assert_cmpuint (fs_log_buckets (1, columns, bounds), ==, 1);
  g_assert_cmpuint (bounds[1], ==, 1);
  g_assert_cmpuint (fs_log_buckets (5, 1000, bounds), ==, 5);
}

/* Decimating a 10^6-long history over log buckets gives, column by
 * column, what a pass over each range gives. */
static void
test_decimate_log_ranges (void)
{
  const gsize len = 1000000, columns = 900;
  g_autoptr(FsCostLog) log = fs_cost_log_new ();
  g_autofree double *values = long_history (log, len);
  g_autoptr(FsMinMaxIndex) index = fs_min_max_index_new (log);
  g_autofree gsize *bounds = g_new (gsize, columns + 1);
  g_autofree double *lo = g_new (double, columns);
  g_autofree double *hi = g_new (double, columns);
  gsize n = fs_log_buckets (len, columns, bounds);
  gsize nan_columns = 0;

  fs_min_max_index_update (index, len);
  fs_decimate_min_max_ranges (index, bounds, n, lo, hi);
  for (gsize k = 0; k < n; k++)
    {
      double want_lo, want_hi;

      if (!direct_min_max (values, bounds[k], bounds[k + 1], &want_lo, &want_hi))
        {
          g_assert_true (isnan (lo[k]) && isnan (hi[k]));
          nan_columns++;
          continue;
        }
      g_assert_cmpfloat (lo[k], ==, want_lo);
      g_assert_cmpfloat (hi[k], ==, want_hi);
    }
  g_assert_cmpuint (nan_columns, ==, 0);
  /* The first columns are single iterations, exact. */
  g_assert_cmpfloat (lo[0], ==, values[0]);
  g_assert_cmpfloat (hi[5], ==, values[5]);
}

/* Dark text on viridis's yellow and the residual's white, light text on
 * its purple and the residual's deep blue and red. */
static void
test_text_contrast (void)
{
  g_assert_true (fs_colour_wants_dark_text ((guint8[]) { 0xFD, 0xE7, 0x25 }));
  g_assert_true (fs_colour_wants_dark_text ((guint8[]) { 247, 247, 247 }));
  g_assert_true (fs_colour_wants_dark_text ((guint8[]) { 0x5D, 0xC8, 0x63 }));
  g_assert_false (fs_colour_wants_dark_text ((guint8[]) { 0x44, 0x01, 0x54 }));
  g_assert_false (fs_colour_wants_dark_text ((guint8[]) { 33, 102, 172 }));
  g_assert_false (fs_colour_wants_dark_text ((guint8[]) { 178, 24, 43 }));
}

static void
test_ticks (void)
{
  double ticks[16];
  guint n;

  n = fs_log_ticks (0.003, 2000, ticks, 16);
  g_assert_cmpuint (n, ==, 6);
  g_assert_cmpfloat_with_epsilon (ticks[0], 1e-2, 1e-18);
  g_assert_cmpfloat_with_epsilon (ticks[5], 1e3, 1e-9);

  n = fs_log_ticks (1e-12, 1e6, ticks, 5);
  g_assert_cmpuint (n, <=, 5);
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpfloat_with_epsilon (ticks[1] / ticks[0], ticks[2] / ticks[1], 1e-6 * ticks[2] / ticks[1]);

  n = fs_linear_ticks (0.0, 1.0, ticks, 6);
  g_assert_cmpuint (n, ==, 6);
  for (guint k = 0; k < n; k++)
    g_assert_cmpfloat_with_epsilon (ticks[k], 0.2 * k, 1e-12);

  n = fs_linear_ticks (-37.0, 1234.0, ticks, 8);
  g_assert_cmpuint (n, <=, 8);
  g_assert_cmpfloat (ticks[0], >=, -37.0);
  g_assert_cmpfloat (ticks[n - 1], <=, 1234.0);
  g_assert_cmpfloat (ticks[1] - ticks[0], ==, 200.0);

  /* Counts and indices: 1 … 3 has ticks every half; only 1, 2, 3 stay. */
  n = fs_whole_ticks (ticks, fs_linear_ticks (1.0, 3.0, ticks, 8));
  g_assert_cmpuint (n, ==, 3);
  for (guint k = 0; k < n; k++)
    g_assert_cmpfloat (ticks[k], ==, 1.0 + k);
}

static void
test_scaling (void)
{
  const double data[] = { 1, 10, 3, NAN, 5, 40 };
  g_autoptr(FsMatrix) X = fs_matrix_new_from_data (3, 2, data, NULL);
  g_autoptr(FsMatrix) unit = fs_matrix_scaled (X, FS_SCALING_UNIT_RANGE, NULL);
  g_autoptr(FsMatrix) centred = fs_matrix_scaled (X, FS_SCALING_CENTER_COLUMNS, NULL);
  g_autoptr(FsMatrix) standard = fs_matrix_scaled (X, FS_SCALING_STANDARDIZE_COLUMNS, NULL);

  g_assert_cmpfloat (unit->data[0], ==, 0.0);
  g_assert_cmpfloat (unit->data[5], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (unit->data[2], 2.0 / 39.0, 1e-15);
  g_assert_cmpuint (unit->n_missing, ==, 1);

  /* Column 0 is 1, 3, 5 (mean 3, sd 2); column 1 is 10, missing, 40. */
  g_assert_cmpfloat (centred->data[0], ==, -2.0);
  g_assert_cmpfloat (centred->data[1], ==, -15.0);
  g_assert_true (isnan (centred->data[3]));
  g_assert_cmpfloat (standard->data[4], ==, 1.0);
  g_assert_cmpfloat_with_epsilon (standard->data[5], 15.0 / sqrt (450.0), 1e-15);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/display/block-means", test_block_means);
  g_test_add_func ("/display/block-means-product", test_block_means_product);
  g_test_add_func ("/display/render", test_render);
  g_test_add_func ("/display/colormap-table", test_colormap_table);
  g_test_add_func ("/display/decimate", test_decimate);
  g_test_add_func ("/display/min-max-index", test_min_max_index);
  g_test_add_func ("/display/log-buckets", test_log_buckets);
  g_test_add_func ("/display/decimate-log-ranges", test_decimate_log_ranges);
  g_test_add_func ("/display/text-contrast", test_text_contrast);
  g_test_add_func ("/display/ticks", test_ticks);
  g_test_add_func ("/display/scaling", test_scaling);

  return g_test_run ();
}
