/* test-heatmap.c: the heatmap widget's properties, its drawing rendered
 * offscreen, and the cache the heatmaps of one window share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-display.h"
#include "fs-heatmap.h"
#include "fs-test-ui.h"

/* The width of the heat area: the first x where no cell is. */

static int
area_width (FsHeatmap *map)
{
  gsize row, col;
  int x = 0;

  while (fs_heatmap_get_cell_at (map, x, 1, &row, &col))
    x++;
  return x;
}

static void
assert_colour_near (const FsTestImage *image,
                    int                x,
                    int                y,
                    FsColormap         map,
                    double             t,
                    int                tolerance)
{
  guint8 got[3], want[3];

  fs_test_pixel (image, x, y, got);
  fs_colormap_rgb (map, t, want);
  if (!fs_test_close_colour (got, want, tolerance))
    g_error ("pixel (%d, %d) is %u,%u,%u, expected %u,%u,%u", x, y,
             got[0], got[1], got[2], want[0], want[1], want[2]);
}

static void
assert_colour_at (const FsTestImage *image,
                  int                x,
                  int                y,
                  FsColormap         map,
                  double             t)
{
  assert_colour_near (image, x, y, map, t, 2);
}

/* A 2 × 3 matrix: every cell has its colour, the missing one grey, and
 * the colour bar runs from the top colour down to the bottom one. */
static void
test_cells_and_bar (void)
{
  const double data[6] = { 0, 1, 2, 3, NAN, 5 };
  const char *rows[] = { "first", "second", NULL };
  const char *cols[] = { "a", "b", "c", NULL };
  g_autoptr(FsMatrix) X = fs_matrix_new_from_data (2, 3, data, NULL);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  GtkWindow *window;
  g_autoptr(FsTestImage) image = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *labelled = NULL;
  guint8 grey[3];
  int area, height;

  X->row_labels = g_strdupv ((char **) rows);
  X->col_labels = g_strdupv ((char **) cols);
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_range (map, 0.0, 5.0);
  window = fs_test_show (GTK_WIDGET (map), 320, 200);
  image = fs_test_render (GTK_WIDGET (map));
  area = area_width (map);
  height = image->height;
  g_assert_cmpint (area, >, 100);
  g_assert_cmpint (area, <, image->width - 20);

  /* Away from the middle of the cell, where its value is written. */
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      {
        int x = (int) ((j + 0.12) * area / 3), y = (int) ((i + 0.12) * height / 2);

        if (i == 1 && j == 1)
          continue;
        assert_colour_at (image, x, y, FS_COLORMAP_SEQUENTIAL, data[i * 3 + j] / 5.0);
      }

  /* The missing cell shows the grey underneath, which no map uses. */
  fs_test_pixel (image, (int) (1.5 * area / 3), (int) (1.5 * height / 2), grey);
  g_assert_true (fs_test_close_colour (grey, (guint8[]) { 128, 128, 128 }, 2));

  /* The colour bar: a gradient from hi at the top to lo at the bottom. */
  for (int y = 1; y < height - 1; y += 17)
    assert_colour_near (image, area + 6 + 6, y, FS_COLORMAP_SEQUENTIAL,
                        1.0 - (y + 0.5) / height, 6);

  missing = fs_heatmap_describe_cell (map, 1, 1);
  g_assert_cmpstr (missing, ==, "row 2 (second), column 2 (b): missing");
  labelled = fs_heatmap_describe_cell (map, 0, 2);
  g_assert_cmpstr (labelled, ==, "row 1 (first), column 3 (c): 2");

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* A matrix far larger than the widget is shown by block means: one block
 * per pixel, and the halves of a half-0, half-1 matrix keep their colours. */
static void
test_block_means (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (1000, 800, NULL);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  gsize block_rows, block_cols;
  int area;

  for (gsize i = 0; i < 1000; i++)
    for (gsize j = 0; j < 800; j++)
      X->data[i * 800 + j] = i < 500 ? 0.0 : 1.0;
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_range (map, 0.0, 1.0);
  window = fs_test_show (GTK_WIDGET (map), 300, 200);
  image = fs_test_render (GTK_WIDGET (map));
  area = area_width (map);

  fs_heatmap_get_blocks (map, &block_rows, &block_cols);
  g_assert_cmpuint (block_rows, ==, (gsize) image->height);
  g_assert_cmpuint (block_cols, ==, (gsize) area);
  assert_colour_at (image, area / 2, image->height / 4, FS_COLORMAP_SEQUENTIAL, 0.0);
  assert_colour_at (image, area / 2, 3 * image->height / 4, FS_COLORMAP_SEQUENTIAL, 1.0);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* A snapshot of a rows × cols matrix of rank 2 with known factors. */
static FsSnapshot *
known_snapshot (gsize rows,
                gsize cols,
                double scale)
{
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);

  snap->serial = 1;
  snap->state = FS_RUNNER_PAUSED;
  snap->rows = rows;
  snap->cols = cols;
  snap->rank = 2;
  snap->n_runs = 1;
  snap->best_run = -1;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = fs_cost_log_new ();
  snap->log_lengths = g_new0 (gsize, 1);
  snap->final_costs = g_new0 (double, 1);
  snap->W = g_new (double, rows * 2);
  snap->H = g_new (double, 2 * cols);
  for (gsize i = 0; i < rows; i++)
    {
      snap->W[i * 2] = scale * (i + 1);
      snap->W[i * 2 + 1] = 1.0;
    }
  for (gsize j = 0; j < cols; j++)
    {
      snap->H[j] = 0.1 * j;
      snap->H[cols + j] = 0.5;
    }
  return snap;
}

/* Properties: get/set through GObject, notify once on a change and never
 * on an equal value; set_range changes three properties with one notify
 * each. */
static void
test_properties (void)
{
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_WH)));
  FsHeatmapCache *cache = fs_heatmap_cache_new ();
  g_autoptr(FsHeatmapCache) got_cache = NULL;
  FsHeatmapKind kind;
  gboolean fixed;
  double lo, hi;
  guint fixed_notified = 0, lo_notified = 0, hi_notified = 0, cache_notified = 0;

  g_signal_connect (map, "notify::fixed-range", G_CALLBACK (fs_test_count_notify), &fixed_notified);
  g_signal_connect (map, "notify::range-lo", G_CALLBACK (fs_test_count_notify), &lo_notified);
  g_signal_connect (map, "notify::range-hi", G_CALLBACK (fs_test_count_notify), &hi_notified);
  g_signal_connect (map, "notify::cache", G_CALLBACK (fs_test_count_notify), &cache_notified);

  g_object_get (map, "kind", &kind, "fixed-range", &fixed, "range-lo", &lo, "range-hi", &hi,
                "cache", &got_cache, NULL);
  g_assert_cmpint (kind, ==, FS_HEATMAP_WH);
  g_assert_false (fixed);
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 1.0);
  g_assert_null (got_cache);
  g_assert_true (G_PARAM_SPEC (g_object_class_find_property (G_OBJECT_GET_CLASS (map), "kind"))->flags &
                 G_PARAM_CONSTRUCT_ONLY);

  g_object_set (map, "fixed-range", TRUE, NULL);
  g_assert_true (fs_heatmap_get_fixed_range (map));
  g_assert_cmpuint (fixed_notified, ==, 1);
  g_object_set (map, "fixed-range", TRUE, NULL);
  fs_heatmap_set_fixed_range (map, TRUE);
  g_assert_cmpuint (fixed_notified, ==, 1);

  g_object_set (map, "range-lo", -2.0, "range-hi", 7.5, NULL);
  g_assert_cmpfloat (fs_heatmap_get_range_lo (map), ==, -2.0);
  g_assert_cmpfloat (fs_heatmap_get_range_hi (map), ==, 7.5);
  g_assert_cmpuint (lo_notified, ==, 1);
  g_assert_cmpuint (hi_notified, ==, 1);
  g_object_set (map, "range-lo", -2.0, "range-hi", 7.5, NULL);
  fs_heatmap_set_range_lo (map, -2.0);
  fs_heatmap_set_range_hi (map, 7.5);
  g_assert_cmpuint (lo_notified, ==, 1);
  g_assert_cmpuint (hi_notified, ==, 1);

  /* set_range: only the properties that change notify, once each. */
  fs_heatmap_set_fixed_range (map, FALSE);
  fs_heatmap_set_range (map, -2.0, 9.0);
  g_assert_cmpuint (fixed_notified, ==, 3);
  g_assert_cmpuint (lo_notified, ==, 1);
  g_assert_cmpuint (hi_notified, ==, 2);
  fs_heatmap_set_range (map, -2.0, 9.0);
  g_assert_cmpuint (fixed_notified + lo_notified + hi_notified, ==, 6);

  g_object_set (map, "cache", cache, NULL);
  g_assert_true (fs_heatmap_get_cache (map) == cache);
  g_assert_cmpuint (cache_notified, ==, 1);
  g_object_set (map, "cache", cache, NULL);
  fs_heatmap_set_cache (map, cache);
  g_assert_cmpuint (cache_notified, ==, 1);
  fs_heatmap_set_cache (map, NULL);
  g_assert_null (fs_heatmap_get_cache (map));
  g_assert_cmpuint (cache_notified, ==, 2);
  g_object_set (map, "cache", NULL, NULL);
  g_assert_cmpuint (cache_notified, ==, 2);

  g_assert_finalize_object (map);
  g_assert_finalize_object (cache);
}

/* The residual's colour range is ±max |X − WH| over the cells. */
static double
largest_residual (FsMatrix   *X,
                  FsSnapshot *s)
{
  double largest = 0.0;

  for (gsize i = 0; i < s->rows; i++)
    for (gsize j = 0; j < s->cols; j++)
      {
        double wh = s->W[i * 2] * s->H[j] + s->W[i * 2 + 1] * s->H[s->cols + j];

        largest = MAX (largest, fabs (X->data[i * s->cols + j] - wh));
      }
  return largest;
}

/* The WH and residual maps of one window, given one cache, compute the
 * block means of WH once per snapshot, and draw from them. */
static void
test_shared_cache (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (6, 8, NULL);
  g_autoptr(FsSnapshot) first = known_snapshot (6, 8, 1.0);
  g_autoptr(FsSnapshot) second = known_snapshot (6, 8, 2.0);
  FsHeatmapCache *cache = fs_heatmap_cache_new ();
  FsHeatmap *wh = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_WH)));
  FsHeatmap *residual = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_RESIDUAL)));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWindow *window;
  gsize rows, cols;
  double lo, hi;

  for (gsize k = 0; k < 6 * 8; k++)
    X->data[k] = (double) (k % 5);
  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (wh));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (residual));
  for (FsHeatmap **map = (FsHeatmap *[]) { wh, residual, NULL }; *map != NULL; map++)
    {
      fs_heatmap_set_cache (*map, cache);
      fs_heatmap_set_matrix (*map, X);
      fs_heatmap_set_snapshot (*map, first);
    }
  window = fs_test_show (box, 600, 200);

  /* The matrix is smaller than either map, so both want it whole. */
  fs_heatmap_get_blocks (residual, &rows, &cols);
  g_assert_cmpuint (rows, ==, 6);
  g_assert_cmpuint (cols, ==, 8);
  g_assert_cmpuint (fs_heatmap_cache_get_n_computed (cache), ==, 1);
  fs_heatmap_get_shown_range (residual, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (hi, largest_residual (X, first), 1e-12);
  g_assert_cmpfloat (lo, ==, -hi);

  fs_heatmap_set_snapshot (wh, second);
  fs_heatmap_set_snapshot (residual, second);
  g_assert_cmpuint (fs_heatmap_cache_get_n_computed (cache), ==, 2);
  fs_heatmap_get_shown_range (residual, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (hi, largest_residual (X, second), 1e-12);
  fs_heatmap_get_shown_range (wh, &lo, &hi);
  g_assert_cmpfloat_with_epsilon (hi, 2.0 * 6 * 0.1 * 7 + 0.5, 1e-12);

  gtk_window_destroy (window);
  g_assert_finalize_object (wh);
  g_assert_finalize_object (residual);
  g_assert_finalize_object (cache);
}

/* A snapshot of known_snapshot's factors at iteration it of run. */
static FsSnapshot *
snapshot_at (gsize   rows,
             gsize   cols,
             double  scale,
             guint   run,
             guint64 it)
{
  FsSnapshot *snap = known_snapshot (rows, cols, scale);

  /* One log per run started. */
  snap->logs = g_renew (FsCostLog *, snap->logs, run + 1);
  snap->log_lengths = g_renew (gsize, snap->log_lengths, run + 1);
  snap->final_costs = g_renew (double, snap->final_costs, run + 1);
  for (guint r = 1; r <= run; r++)
    {
      snap->logs[r] = fs_cost_log_new ();
      snap->log_lengths[r] = 0;
      snap->final_costs[r] = 0.0;
    }
  snap->n_runs = run + 1;
  snap->run = run;
  snap->iteration = it;
  return snap;
}

static double
shown_hi (FsHeatmap *map)
{
  double lo, hi;

  fs_heatmap_get_shown_range (map, &lo, &hi);
  g_assert_cmpfloat (lo, ==, -hi);
  return hi;
}

/* Under fixed-range the residual keeps the scale of iteration 0 of run 0
 * while the fit changes; takes it again at the next iteration 0 of run 0
 * (a reset), when the iterations go back (a restart seen late) or with a
 * new matrix; not at iteration 0 of a later run. Off, the scale follows
 * each snapshot, as before. */
static void
test_fixed_residual_range (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (6, 8, NULL);
  g_autoptr(FsMatrix) Y = NULL;
  g_autoptr(FsSnapshot) start = snapshot_at (6, 8, 3.0, 0, 0);
  g_autoptr(FsSnapshot) later = snapshot_at (6, 8, 1.2, 0, 400);
  g_autoptr(FsSnapshot) reset = snapshot_at (6, 8, 2.0, 0, 0);
  g_autoptr(FsSnapshot) after_reset = snapshot_at (6, 8, 1.5, 0, 90);
  g_autoptr(FsSnapshot) next_run = snapshot_at (6, 8, 0.2, 1, 0);
  g_autoptr(FsSnapshot) restarted = snapshot_at (6, 8, 2.5, 0, 30);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_RESIDUAL)));
  GtkWindow *window;

  /* X is the factors' product at scale 1, plus a little: the residual
   * grows with the distance of the scale from 1. */
  for (gsize i = 0; i < 6; i++)
    for (gsize j = 0; j < 8; j++)
      X->data[i * 8 + j] = 0.1 * (i + 1) * j + 0.5 + 0.05 * ((i * 8 + j) % 5);
  Y = fs_matrix_scaled (X, FS_SCALING_UNIT_RANGE, NULL);
  g_assert_cmpfloat (largest_residual (X, start), >, largest_residual (X, later) * 2);
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_fixed_range (map, TRUE);
  fs_heatmap_set_snapshot (map, start);
  window = fs_test_show (GTK_WIDGET (map), 400, 200);

  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, start), 1e-12);
  fs_heatmap_set_snapshot (map, later);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, start), 1e-12);

  /* Off: the snapshot's own scale; on again: the first iteration's. */
  fs_heatmap_set_fixed_range (map, FALSE);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, later), 1e-12);
  fs_heatmap_set_fixed_range (map, TRUE);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, start), 1e-12);

  fs_heatmap_set_snapshot (map, reset);
  fs_heatmap_set_snapshot (map, after_reset);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, reset), 1e-12);
  fs_heatmap_set_snapshot (map, next_run);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, reset), 1e-12);
  fs_heatmap_set_snapshot (map, restarted);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, restarted), 1e-12);
  fs_heatmap_set_snapshot (map, after_reset);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (X, restarted), 1e-12);

  /* A new matrix: its first snapshot gives the scale. */
  fs_heatmap_set_snapshot (map, NULL);
  fs_heatmap_set_matrix (map, Y);
  fs_heatmap_set_snapshot (map, later);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (Y, later), 1e-12);
  fs_heatmap_set_snapshot (map, start);
  g_assert_cmpfloat_with_epsilon (shown_hi (map), largest_residual (Y, start), 1e-12);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* How many pixels of cell (i, j) of a rows × cols map, inside its middle
 * 70 %, are not the cell's colour (its top-left pixel): its number's. */
static int
pixels_off_cell (const FsTestImage *image,
                 int                area,
                 gsize              rows,
                 gsize              cols,
                 gsize              i,
                 gsize              j,
                 int               *brighter)
{
  double w = (double) area / cols, h = (double) image->height / rows;
  guint8 cell[3];
  int off = 0;

  *brighter = 0;
  fs_test_pixel (image, (int) ceil (j * w + 1), (int) ceil (i * h + 1), cell);
  for (int y = (int) ((i + 0.15) * h); y < (int) ((i + 0.85) * h); y++)
    for (int x = (int) ((j + 0.15) * w); x < (int) ((j + 0.85) * w); x++)
      {
        guint8 px[3];

        fs_test_pixel (image, x, y, px);
        if (!fs_test_close_colour (px, cell, 30))
          {
            off++;
            *brighter += px[0] + px[1] + px[2] > cell[0] + cell[1] + cell[2];
          }
      }
  return off;
}

/* A 3 × 4 matrix shows its values in its cells (not the missing one),
 * light on dark cells and dark on light ones; so does 12 × 12, but not
 * 13 × 13, nor cells under 18 pixels. */
static void
test_numbers (void)
{
  const double data[12] = { 0, 1, 2, 3, 4, 5, 6, NAN, 8, 9, 10, 11 };
  g_autoptr(FsMatrix) small = fs_matrix_new_from_data (3, 4, data, NULL);
  g_autoptr(FsMatrix) big = fs_matrix_new (13, 13, NULL);
  g_autoptr(FsMatrix) twelve = fs_matrix_new (12, 12, NULL);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  int area, brighter, off;

  for (gsize k = 0; k < 13 * 13; k++)
    big->data[k] = (double) (k % 11);
  fs_heatmap_set_matrix (map, small);
  fs_heatmap_set_range (map, 0.0, 11.0);
  window = fs_test_show (GTK_WIDGET (map), 460, 300);
  image = fs_test_render (GTK_WIDGET (map));
  area = area_width (map);
  g_assert_cmpuint (fs_heatmap_get_n_numbers (map), ==, 11);

  /* 0 is viridis's dark purple: light text; 11 its yellow: dark text. */
  off = pixels_off_cell (image, area, 3, 4, 0, 0, &brighter);
  g_test_message ("cell 0: %d pixels of text, %d brighter", off, brighter);
  g_assert_cmpint (off, >, 15);
  g_assert_cmpint (brighter, ==, off);
  off = pixels_off_cell (image, area, 3, 4, 2, 3, &brighter);
  g_assert_cmpint (off, >, 15);
  g_assert_cmpint (brighter, ==, 0);
  g_assert_cmpint (pixels_off_cell (image, area, 3, 4, 1, 3, &brighter), ==, 0);

  fs_heatmap_set_matrix (map, big);
  fs_test_redraw (GTK_WIDGET (map));
  g_clear_pointer (&image, fs_test_image_free);
  image = fs_test_render (GTK_WIDGET (map));
  g_assert_cmpuint (fs_heatmap_get_n_numbers (map), ==, 0);
  for (gsize i = 0; i < 13; i += 4)
    for (gsize j = 0; j < 13; j += 3)
      g_assert_cmpint (pixels_off_cell (image, area_width (map), 13, 13, i, j, &brighter), ==, 0);

  /* 12 × 12 is still small; in a small map its cells are under 18 pixels. */
  fs_heatmap_set_matrix (map, twelve);
  g_assert_cmpuint (fs_heatmap_get_n_numbers (map), ==, 144);
  gtk_window_destroy (window);
  window = fs_test_show (GTK_WIDGET (map), 160, 60);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (map)), <, 12 * 18);
  g_assert_cmpuint (fs_heatmap_get_n_numbers (map), ==, 0);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* Whether a pixel is the zero grey of a light theme. */
static gboolean
is_zero_grey (const FsTestImage *image,
              int                x,
              int                y)
{
  guint8 got[3], grey[3];

  fs_test_pixel (image, x, y, got);
  fs_colour_exact_zero (FALSE, grey);
  return fs_test_close_colour (got, grey, 2);
}

/* The on-screen row of the block that holds matrix row row, when there
 * is one block per pixel row. */
static int
block_y (gsize rows,
         gsize blocks,
         gsize row)
{
  for (gsize b = 0; b < blocks; b++)
    {
      gsize first, end;

      fs_block_bounds (rows, blocks, b, &first, &end);
      if (row >= first && row < end)
        return (int) b;
    }
  g_assert_not_reached ();
}

/* W with exact zeros: a column of zeros, a column of zeros but for one
 * tiny 1e-12, and two of ordinary values, larger than the widget (block
 * means). Only blocks whose cells are all 0 are grey, which no colour of
 * the map is; the block holding 1e-12 keeps the map's lowest colour; the
 * swatch under the bar shows the grey; the readout says "exactly 0". */
static void
test_exact_zeros (void)
{
  const gsize rows = 1000, tiny_row = 500;
  g_autoptr(FsSnapshot) snap = known_snapshot (rows, 3, 1.0);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_W)));
  g_autoptr(FsTestImage) image = NULL;
  g_autofree char *zero = NULL;
  g_autofree char *tiny = NULL;
  GtkWindow *window;
  gsize block_rows, block_cols;
  guint8 grey[3];
  int area, tiny_y, column_x[2];

  g_free (snap->W);
  snap->rank = 4;
  snap->W = g_new0 (double, rows * 4);
  g_free (snap->H);
  snap->H = g_new0 (double, 4 * 3);
  for (gsize i = 0; i < rows; i++)
    {
      snap->W[i * 4 + 2] = 1.0;
      snap->W[i * 4 + 3] = 0.5;
    }
  snap->W[tiny_row * 4 + 1] = 1e-12;
  fs_heatmap_set_snapshot (map, snap);
  window = fs_test_show (GTK_WIDGET (map), 240, 120);
  image = fs_test_render (GTK_WIDGET (map));
  fs_test_maybe_save (image, "heatmap-zeros");
  area = area_width (map);
  fs_heatmap_get_blocks (map, &block_rows, &block_cols);
  g_assert_cmpuint (block_cols, ==, 4);
  g_assert_cmpuint (block_rows, ==, (gsize) image->height);
  tiny_y = block_y (rows, block_rows, tiny_row);
  for (int c = 0; c < 2; c++)
    column_x[c] = (int) ((c + 0.5) * area / 4);

  for (int y = 0; y < image->height; y++)
    {
      g_assert_true (is_zero_grey (image, column_x[0], y));
      g_assert_true (is_zero_grey (image, column_x[1], y) == (y != tiny_y));
      g_assert_false (is_zero_grey (image, (int) (2.5 * area / 4), y));
      g_assert_false (is_zero_grey (image, (int) (3.5 * area / 4), y));
    }
  assert_colour_at (image, column_x[1], tiny_y, FS_COLORMAP_SEQUENTIAL, 0.0);

  /* The grey is far from every colour of the map. */
  fs_colour_exact_zero (FALSE, grey);
  for (int k = 0; k <= 256; k++)
    {
      guint8 rgb[3];

      fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, k / 256.0, rgb);
      g_assert_false (fs_test_close_colour (rgb, grey, 24));
    }

  /* The swatch, under the colour bar. */
  g_assert_true (is_zero_grey (image, area + 6 + 6, image->height - 3));
  g_assert_false (is_zero_grey (image, area + 6 + 6, image->height / 2));

  zero = fs_heatmap_describe_cell (map, 3, 0);
  g_assert_cmpstr (zero, ==, "row 4, column 1: exactly 0");
  tiny = fs_heatmap_describe_cell (map, tiny_row, 1);
  g_assert_cmpstr (tiny, ==, "row 501, column 2: 1e-12");

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* On a dark theme the zeros are a dark grey, and the map follows a
 * change of theme. */
static void
test_exact_zeros_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autoptr(FsSnapshot) snap = known_snapshot (20, 3, 1.0);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_H)));
  GtkWindow *window;
  guint8 got[3], light[3], dark[3];

  fs_colour_exact_zero (FALSE, light);
  fs_colour_exact_zero (TRUE, dark);
  for (gsize j = 0; j < 3; j++)
    snap->H[j] = 0.0;
  fs_heatmap_set_snapshot (map, snap);
  window = fs_test_show (GTK_WIDGET (map), 240, 120);
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (map));

    fs_test_pixel (image, 10, 10, got);
    g_assert_true (fs_test_close_colour (got, light, 2));
  }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  for (int k = 0; k < 20; k++)
    g_main_context_iteration (NULL, FALSE);
  fs_test_redraw (GTK_WIDGET (map));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (map));

    fs_test_maybe_save (image, "heatmap-zeros-dark");
    fs_test_pixel (image, 10, 10, got);
    g_assert_true (fs_test_close_colour (got, dark, 2));
  }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint k = 0; k < g_list_model_get_n_items (controllers); k++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, k);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  g_error ("no controller of type %s", g_type_name (type));
}

static void
press_key (FsHeatmap *map,
           guint      keyval)
{
  GtkEventController *keys = find_controller (GTK_WIDGET (map), GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
  g_assert_true (handled);
}

/* How many pixels of the column at x are the outline's colour. */
static int
outline_pixels (const FsTestImage *image,
                int                x,
                int               *first)
{
  const guint8 accent[3] = { 54, 133, 227 };
  int n = 0;

  *first = -1;
  for (int y = 0; y < image->height; y++)
    {
      guint8 got[3];

      fs_test_pixel (image, x, y, got);
      if (fs_test_close_colour (got, accent, 3))
        {
          if (n++ == 0)
            *first = y;
        }
    }
  return n;
}

/* The selected sample: a click at a row's y selects it, keys move it
 * (Page Down by a tenth of the rows), notify comes once per change and
 * never for the same row, the outline is drawn at the row, none at -1. */
static void
test_selected_row (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (50, 8, NULL);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  GtkGesture *click;
  GtkWindow *window;
  guint notified = 0;
  int height, first;

  for (gsize k = 0; k < 50 * 8; k++)
    X->data[k] = (double) (k % 7);
  fs_heatmap_set_matrix (map, X);
  g_signal_connect (map, "notify::selected-row", G_CALLBACK (fs_test_count_notify), &notified);
  window = fs_test_show (GTK_WIDGET (map), 240, 200);
  height = gtk_widget_get_height (GTK_WIDGET (map));
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, -1);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (map)));

  click = GTK_GESTURE (find_controller (GTK_WIDGET (map), GTK_TYPE_GESTURE_CLICK));
  g_assert_cmpuint (gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (click)), ==, GDK_BUTTON_PRIMARY);
  g_signal_emit_by_name (click, "released", 1, 20.0, (10 + 0.5) * height / 50.0);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 10);
  g_assert_cmpuint (notified, ==, 1);
  g_signal_emit_by_name (click, "released", 1, 30.0, (10 + 0.3) * height / 50.0);
  g_assert_cmpuint (notified, ==, 1);

  press_key (map, GDK_KEY_Down);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 11);
  press_key (map, GDK_KEY_Page_Down);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 16);
  press_key (map, GDK_KEY_Up);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 15);
  press_key (map, GDK_KEY_End);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 49);
  press_key (map, GDK_KEY_Down);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 49);
  press_key (map, GDK_KEY_Page_Up);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 44);
  press_key (map, GDK_KEY_Home);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 0);
  g_assert_cmpuint (notified, ==, 7);
  /* Escape lets the sample go; Page Down then starts at the first. */
  press_key (map, GDK_KEY_Escape);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, -1);
  press_key (map, GDK_KEY_Page_Down);
  g_assert_cmpint (fs_heatmap_get_selected_row (map), ==, 0);
  g_assert_cmpuint (notified, ==, 9);

  g_object_set (map, "selected-row", (gint64) 30, NULL);
  g_object_set (map, "selected-row", (gint64) 30, NULL);
  g_assert_cmpuint (notified, ==, 10);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (map), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Sample 31 selected");
  fs_test_redraw (GTK_WIDGET (map));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (map));
    int n;

    fs_test_maybe_save (image, "heatmap-selected");
    n = outline_pixels (image, area_width (map) / 2, &first);

    /* The top and bottom edges, 2 px each, around the row's 4 px. */
    g_assert_cmpint (n, ==, 4);
    g_assert_cmpint (abs (first - (30 * height / 50 - 1)), <=, 1);
  }

  fs_heatmap_set_selected_row (map, -1);
  g_assert_cmpuint (notified, ==, 11);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (map),
                                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  fs_test_redraw (GTK_WIDGET (map));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (map));

    g_assert_cmpint (outline_pixels (image, area_width (map) / 2, &first), ==, 0);
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* Far more rows than pixels: the selected row's outline is still at
 * least 3 px tall, at its row. */
static void
test_selected_row_thin (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (2000, 8, NULL);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  int first, height;

  X->row_labels = g_new0 (char *, 2001);
  for (gsize i = 0; i < 2000; i++)
    X->row_labels[i] = g_strdup_printf ("s%" G_GSIZE_FORMAT, i);
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_selected_row (map, 1000);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (map), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Sample 1001 (s1000) selected");
  window = fs_test_show (GTK_WIDGET (map), 240, 200);
  height = gtk_widget_get_height (GTK_WIDGET (map));
  image = fs_test_render (GTK_WIDGET (map));
  g_assert_cmpint (outline_pixels (image, area_width (map) / 2, &first), >=, 3);
  g_assert_cmpint (abs (first + 2 - height / 2), <=, 2);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/heatmap/properties", test_properties);
  g_test_add_func ("/heatmap/cells-and-bar", test_cells_and_bar);
  g_test_add_func ("/heatmap/block-means", test_block_means);
  g_test_add_func ("/heatmap/shared-cache", test_shared_cache);
  g_test_add_func ("/heatmap/fixed-residual-range", test_fixed_residual_range);
  g_test_add_func ("/heatmap/numbers", test_numbers);
  g_test_add_func ("/heatmap/exact-zeros", test_exact_zeros);
  g_test_add_func ("/heatmap/exact-zeros-dark", test_exact_zeros_dark);
  g_test_add_func ("/heatmap/selected-row", test_selected_row);
  g_test_add_func ("/heatmap/selected-row-thin", test_selected_row_thin);

  return g_test_run ();
}
