/* test-window-sparse.c: a sparse matrix in the window (issue 18): the
 * heatmaps' block statistics over the listed cells, grey where nothing is
 * listed; WH and X − WH over the listed cells, in a thread for a large
 * matrix; a zeros-are-values matrix drawn with its zeros; the import
 * sheet's Storage row and switch; the status line of a sparse matrix.
 * Test matrices are built with fs_sparse_new_from_cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-display.h"
#include "fs-error.h"
#include "fs-heatmap.h"
#include "fs-loader.h"
#include "fs-optimum.h"
#include "fs-solver.h"
#include "fs-test-window.h"
#include "fs-window-private.h"

/* A sparse rows × cols matrix of count cells. */
static FsMatrix *
sparse_matrix (gsize          rows,
               gsize          cols,
               const guint32 *cell_rows,
               const guint32 *cell_cols,
               const double  *values,
               gsize          count,
               gboolean       zeros_are_values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) sparse = fs_sparse_new_from_cells (rows, cols, cell_rows, cell_cols, values,
                                                         count, NULL, &error);

  g_assert_no_error (error);
  sparse->zeros_are_values = zeros_are_values;
  return fs_matrix_new_sparse (sparse);
}

/* A sparse matrix of about share × rows × cols random cells. */
static FsMatrix *
random_sparse (gsize    rows,
               gsize    cols,
               double   share,
               guint32  seed,
               gboolean zeros_are_values)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize count = (gsize) (share * rows * cols);
  g_autofree guint32 *r = g_new (guint32, count);
  g_autofree guint32 *c = g_new (guint32, count);
  g_autofree double *v = g_new (double, count);

  for (gsize k = 0; k < count; k++)
    {
      r[k] = (guint32) g_rand_int_range (rand, 0, (gint32) rows);
      c[k] = (guint32) g_rand_int_range (rand, 0, (gint32) cols);
      v[k] = g_rand_double_range (rand, -1.0, 2.0);
    }
  return sparse_matrix (rows, cols, r, c, v, count, zeros_are_values);
}

/* A paused snapshot of rows × cols at the given rank with seeded factors. */
static FsSnapshot *
random_snapshot (gsize   rows,
                 gsize   cols,
                 guint   rank,
                 guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  FsSnapshot *snap = g_atomic_rc_box_new0 (FsSnapshot);

  snap->serial = 1;
  snap->state = FS_RUNNER_PAUSED;
  snap->rows = rows;
  snap->cols = cols;
  snap->rank = rank;
  snap->n_runs = 1;
  snap->best_run = -1;
  snap->logs = g_new (FsCostLog *, 1);
  snap->logs[0] = fs_cost_log_new ();
  snap->log_lengths = g_new0 (gsize, 1);
  snap->final_costs = g_new0 (double, 1);
  snap->W = g_new (double, rows * rank);
  snap->H = g_new (double, (gsize) rank * cols);
  for (gsize k = 0; k < rows * rank; k++)
    snap->W[k] = g_rand_double (rand);
  for (gsize k = 0; k < (gsize) rank * cols; k++)
    snap->H[k] = g_rand_double (rand);
  return snap;
}

static double
wh_at (const FsSnapshot *s,
       gsize             i,
       gsize             j)
{
  double sum = 0.0;

  for (guint k = 0; k < s->rank; k++)
    sum += s->W[i * s->rank + k] * s->H[(gsize) k * s->cols + j];
  return sum;
}

/* What the dense path would show: the block means of the observed cells
 * of X (kind X), of W H over them (WH) or of X − W H (the residual),
 * computed cell by cell from fs_matrix_get. */
static double
expected_block (FsHeatmapKind     kind,
                const FsMatrix   *X,
                const FsSnapshot *s,
                gsize             block_rows,
                gsize             block_cols,
                gsize             b,
                gsize             c)
{
  gsize r0, r1, c0, c1, n = 0;
  double sum = 0.0;

  fs_block_bounds (X->rows, block_rows, b, &r0, &r1);
  fs_block_bounds (X->cols, block_cols, c, &c0, &c1);
  for (gsize i = r0; i < r1; i++)
    for (gsize j = c0; j < c1; j++)
      if (fs_matrix_is_observed (X, i, j))
        {
          double x = fs_matrix_get (X, i, j);

          sum += kind == FS_HEATMAP_X ? x : kind == FS_HEATMAP_WH ? wh_at (s, i, j) : x - wh_at (s, i, j);
          n++;
        }
  return n > 0 ? sum / n : NAN;
}

static void
assert_blocks (FsHeatmap        *map,
               FsHeatmapKind     kind,
               const FsMatrix   *X,
               const FsSnapshot *s)
{
  gsize block_rows, block_cols, empty = 0;

  fs_heatmap_get_blocks (map, &block_rows, &block_cols);
  g_assert_cmpuint (block_rows, >, 0);
  for (gsize b = 0; b < block_rows; b++)
    for (gsize c = 0; c < block_cols; c++)
      {
        double want = expected_block (kind, X, s, block_rows, block_cols, b, c);
        double got = fs_heatmap_get_block_value (map, b, c);

        if (isnan (want))
          {
            g_assert_true (isnan (got));
            empty++;
          }
        else
          g_assert_cmpfloat_with_epsilon (got, want, 1e-12 * MAX (1.0, fabs (want)));
      }
  /* The test matrices leave some blocks without a listed cell. */
  g_assert_cmpuint (empty, >, 0);
}

static void
assert_grey (const FsTestImage *image,
             int                x,
             int                y)
{
  guint8 got[3];

  fs_test_pixel (image, x, y, got);
  if (!fs_test_close_colour (got, (guint8[]) { 128, 128, 128 }, 2))
    g_error ("pixel (%d, %d) is %u,%u,%u, not the missing cells' grey", x, y, got[0], got[1], got[2]);
}

/* A 4 × 3 matrix shown cell for cell: the listed cells in their colours,
 * the unlisted ones (a whole row of them) grey, and the readout says
 * which are not listed. */
static void
test_small_x (void)
{
  const guint32 r[] = { 0, 0, 2, 3 }, c[] = { 0, 2, 1, 2 };
  const double v[] = { 1.0, 3.0, 2.0, 5.0 };
  g_autoptr(FsMatrix) X = sparse_matrix (4, 3, r, c, v, 4, FALSE);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  g_autoptr(FsTestImage) image = NULL;
  g_autofree char *unlisted = NULL;
  g_autofree char *listed = NULL;
  GtkWindow *window;
  gsize block_rows, block_cols;
  int area;

  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_range (map, 1.0, 5.0);
  window = fs_test_show (GTK_WIDGET (map), 320, 200);
  image = fs_test_render (GTK_WIDGET (map));
  fs_heatmap_get_blocks (map, &block_rows, &block_cols);
  g_assert_cmpuint (block_rows, ==, 4);
  g_assert_cmpuint (block_cols, ==, 3);
  assert_blocks (map, FS_HEATMAP_X, X, NULL);
  g_assert_cmpfloat (fs_heatmap_get_block_value (map, 3, 2), ==, 5.0);

  for (area = 0; fs_heatmap_get_cell_at (map, area, 1, &block_rows, &block_cols); area++)
    ;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++)
      {
        int x = (int) ((j + 0.12) * area / 3), y = (int) ((i + 0.12) * image->height / 4);
        double value = fs_heatmap_get_block_value (map, i, j);
        guint8 got[3], want[3];

        if (isnan (value))
          {
            assert_grey (image, x, y);
            continue;
          }
        fs_test_pixel (image, x, y, got);
        fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, (value - 1.0) / 4.0, want);
        g_assert_true (fs_test_close_colour (got, want, 2));
      }

  unlisted = fs_heatmap_describe_cell (map, 1, 1);
  g_assert_cmpstr (unlisted, ==, "row 2, column 2: not listed");
  listed = fs_heatmap_describe_cell (map, 2, 1);
  g_assert_cmpstr (listed, ==, "row 3, column 2: 2");

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* A 600 × 500 matrix with 0.2 % listed, in fewer blocks than cells: X, WH
 * and X − WH are means over the listed cells of each block (WH too), and
 * the blocks with none are grey. */
static void
test_blocks_over_listed (void)
{
  g_autoptr(FsMatrix) X = random_sparse (600, 500, 0.002, 7, FALSE);
  g_autoptr(FsSnapshot) snap = random_snapshot (600, 500, 3, 8);
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();
  FsHeatmapKind kinds[3] = { FS_HEATMAP_X, FS_HEATMAP_WH, FS_HEATMAP_RESIDUAL };

  for (guint k = 0; k < 3; k++)
    {
      FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (kinds[k])));
      g_autoptr(FsTestImage) image = NULL;
      GtkWindow *window;
      gsize block_rows, block_cols;

      fs_heatmap_set_cache (map, cache);
      fs_heatmap_set_matrix (map, X);
      fs_heatmap_set_snapshot (map, snap);
      window = fs_test_show (GTK_WIDGET (map), 300, 200);
      image = fs_test_render (GTK_WIDGET (map));
      fs_heatmap_get_blocks (map, &block_rows, &block_cols);
      g_assert_cmpuint (block_rows, <, 600);
      g_assert_cmpuint (block_cols, <, 500);
      assert_blocks (map, kinds[k], X, snap);
      /* A block with nothing listed shows the grey. */
      for (gsize b = 0; b < block_rows; b++)
        for (gsize c = 0; c < block_cols; c++)
          if (isnan (fs_heatmap_get_block_value (map, b, c)))
            {
              int x = (int) c, y = (int) b;

              /* One block a pixel at scale 1: the block's own pixel. */
              assert_grey (image, x, y);
              b = block_rows;
              break;
            }
      gtk_window_destroy (window);
      g_assert_finalize_object (map);
    }
}

static gboolean
stops_waiting (gpointer map)
{
  return !fs_heatmap_get_waiting (map);
}

/* A matrix large enough for the cache's thread: the map waits (NULL from
 * the cache), then shows the means over the listed cells. */
static void
test_threaded_means (void)
{
  g_autoptr(FsMatrix) X = random_sparse (2000, 1500, 0.04, 11, FALSE);
  g_autoptr(FsSnapshot) snap = random_snapshot (2000, 1500, 40, 12);
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_WH)));
  GtkWindow *window;

  g_assert_cmpfloat ((double) X->sparse->nnz * snap->rank, >=, 4e6);
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, snap, X, 10, 10));
  g_assert_true (fs_heatmap_cache_is_busy (cache));

  fs_heatmap_set_cache (map, cache);
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_snapshot (map, snap);
  window = fs_test_show (GTK_WIDGET (map), 300, 200);
  g_assert_true (fs_test_wait_for (stops_waiting, map, 20));
  g_assert_false (fs_heatmap_cache_is_busy (cache));
  g_assert_cmpfloat (fs_heatmap_cache_take_cpu (cache), >, 0.0);
  {
    gsize block_rows, block_cols;

    fs_heatmap_get_blocks (map, &block_rows, &block_cols);
    g_assert_cmpuint (block_rows, ==, 200);
    /* Spot checks: a full comparison cell by cell takes seconds here. */
    for (gsize b = 0; b < block_rows; b += 37)
      for (gsize c = 0; c < block_cols; c += 41)
        {
          double want = expected_block (FS_HEATMAP_WH, X, snap, block_rows, block_cols, b, c);
          double got = fs_heatmap_get_block_value (map, b, c);

          if (isnan (want))
            g_assert_true (isnan (got));
          else
            g_assert_cmpfloat_with_epsilon (got, want, 1e-12 * MAX (1.0, fabs (want)));
        }
  }
  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* The means at several sizes in one pass are, size by size, the very
 * numbers of one size alone, and the block means of W H over the listed
 * cells computed cell by cell. */
static void
test_listed_sizes (void)
{
  g_autoptr(FsMatrix) X = random_sparse (300, 250, 0.01, 21, FALSE);
  g_autoptr(FsSnapshot) snap = random_snapshot (300, 250, 5, 22);
  const gsize rows[3] = { 37, 300, 12 }, cols[3] = { 29, 250, 250 };
  double *outs[3];

  for (guint k = 0; k < 3; k++)
    outs[k] = g_new (double, rows[k] * cols[k]);
  fs_block_means_product_listed_sizes (X->sparse, snap->W, snap->H, snap->rank, 3, rows, cols, outs);
  for (guint k = 0; k < 3; k++)
    {
      g_autofree double *alone = g_new (double, rows[k] * cols[k]);
      gsize empty = 0;

      fs_block_means_product_listed (X->sparse, snap->W, snap->H, snap->rank, rows[k], cols[k], alone);
      for (gsize b = 0; b < rows[k]; b++)
        for (gsize c = 0; c < cols[k]; c++)
          {
            double got = outs[k][b * cols[k] + c];
            double want = expected_block (FS_HEATMAP_WH, X, snap, rows[k], cols[k], b, c);

            g_assert_true (memcmp (&got, &alone[b * cols[k] + c], sizeof got) == 0);
            if (isnan (want))
              {
                g_assert_true (isnan (got));
                empty++;
              }
            else
              g_assert_cmpfloat_with_epsilon (got, want, 1e-12 * MAX (1.0, fabs (want)));
          }
      g_assert_cmpuint (empty, >, 0);
      g_free (outs[k]);
    }
}

static gboolean
cache_idle (gpointer cache)
{
  return !fs_heatmap_cache_is_busy (cache);
}

/* The means of snapshot at a size are those of one pass at that size. */
static void
assert_cache_means (const double     *got,
                    const FsMatrix   *X,
                    const FsSnapshot *snap,
                    gsize             rows,
                    gsize             cols)
{
  g_autofree double *want = g_new (double, rows * cols);

  g_assert_nonnull (got);
  fs_block_means_product_listed (X->sparse, snap->W, snap->H, snap->rank, rows, cols, want);
  g_assert_true (memcmp (got, want, rows * cols * sizeof (double)) == 0);
}

/* The WH and residual maps ask two sizes (their labels differ in width):
 * once both were asked for a snapshot, the next snapshot's means come at
 * both sizes from one job, one pass over the listed cells. */
static void
test_one_pass_for_sizes (void)
{
  g_autoptr(FsMatrix) X = random_sparse (2000, 1500, 0.04, 11, FALSE);
  g_autoptr(FsSnapshot) first = random_snapshot (2000, 1500, 40, 12);
  g_autoptr(FsSnapshot) second = random_snapshot (2000, 1500, 40, 13);
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();

  g_assert_cmpfloat ((double) X->sparse->nnz * first->rank, >=, 4e6);
  /* The first snapshot: one size, then the other, a job each. */
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, first, X, 200, 229));
  g_assert_true (fs_test_wait_for (cache_idle, cache, 20));
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, first, X, 200, 229), X, first, 200, 229);
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, first, X, 200, 222));
  g_assert_true (fs_test_wait_for (cache_idle, cache, 20));
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, first, X, 200, 222), X, first, 200, 222);
  g_assert_cmpuint (fs_heatmap_cache_get_n_jobs (cache), ==, 2);

  /* The next: the first size asked starts a job that brings both. */
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, second, X, 200, 229));
  g_assert_true (fs_test_wait_for (cache_idle, cache, 20));
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, second, X, 200, 222), X, second, 200, 222);
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, second, X, 200, 229), X, second, 200, 229);
  g_assert_cmpuint (fs_heatmap_cache_get_n_jobs (cache), ==, 3);
}

static void
count_updates (guint *updates)
{
  (*updates)++;
}

typedef struct
{
  guint *updates;
  guint  seen;
} UpdateWait;

static gboolean
updated_since (gpointer data)
{
  UpdateWait *wait = data;

  return *wait->updates > wait->seen;
}

/* While a run goes on, a job starts only once the last one's CPU time is
 * within the cache's share of a core; a map asking meanwhile gets NULL
 * and is told ("updated") when to ask again. A snapshot of a run that is
 * not going on (paused, stepped, finished) is computed at once. */
static void
test_jobs_paced (void)
{
  g_autoptr(FsMatrix) X = random_sparse (2000, 1500, 0.04, 11, FALSE);
  g_autoptr(FsSnapshot) first = random_snapshot (2000, 1500, 40, 12);
  g_autoptr(FsSnapshot) second = random_snapshot (2000, 1500, 40, 13);
  g_autoptr(FsSnapshot) paused = random_snapshot (2000, 1500, 40, 14);
  g_autoptr(FsSnapshot) later = random_snapshot (2000, 1500, 40, 15);
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();
  g_autoptr(FsHeatmapCache) quick = fs_heatmap_cache_new ();
  guint updates = 0;
  UpdateWait wait = { &updates, 0 };
  const double *means = NULL;

  first->state = second->state = later->state = FS_RUNNER_RUNNING;
  /* A thousandth of a core: the next job waits a thousand times the CPU
   * of the last, seconds for this one. */
  fs_heatmap_cache_set_cpu_share (cache, 0.001);
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, first, X, 100, 100));
  g_assert_true (fs_test_wait_for (cache_idle, cache, 20));
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, first, X, 100, 100), X, first, 100, 100);
  g_assert_null (fs_heatmap_cache_get_wh_means (cache, second, X, 100, 100));
  g_assert_false (fs_heatmap_cache_is_busy (cache));
  g_assert_cmpuint (fs_heatmap_cache_get_n_jobs (cache), ==, 1);
  g_assert_cmpfloat (fs_heatmap_cache_take_cpu (cache), >, 0.0);

  g_assert_null (fs_heatmap_cache_get_wh_means (cache, paused, X, 100, 100));
  g_assert_true (fs_heatmap_cache_is_busy (cache));
  g_assert_cmpuint (fs_heatmap_cache_get_n_jobs (cache), ==, 2);
  g_assert_true (fs_test_wait_for (cache_idle, cache, 20));
  assert_cache_means (fs_heatmap_cache_get_wh_means (cache, paused, X, 100, 100), X, paused, 100, 100);

  /* At a twentieth of a core the wait is short: asking again on each
   * "updated", a running snapshot gets its means. */
  fs_heatmap_cache_set_cpu_share (quick, 0.05);
  g_signal_connect_swapped (quick, "updated", G_CALLBACK (count_updates), &updates);
  g_assert_null (fs_heatmap_cache_get_wh_means (quick, first, X, 100, 100));
  g_assert_true (fs_test_wait_for (cache_idle, quick, 20));
  while ((means = fs_heatmap_cache_get_wh_means (quick, later, X, 100, 100)) == NULL)
    {
      wait.seen = updates;
      g_assert_true (fs_test_wait_for (updated_since, &wait, 20));
    }
  assert_cache_means (means, X, later, 100, 100);
  g_assert_cmpuint (fs_heatmap_cache_get_n_jobs (quick), ==, 2);
}

static double
shown_hi (FsHeatmap *map)
{
  double lo, hi;

  fs_heatmap_get_shown_range (map, &lo, &hi);
  return hi;
}

/* Moves map into a new window of width × height and waits for its
 * blocks. */
static GtkWindow *
move_map (FsHeatmap *map,
          GtkWindow *from,
          int        width,
          int        height)
{
  GtkWindow *window;

  gtk_window_set_child (from, NULL);
  gtk_window_destroy (from);
  window = fs_test_show (GTK_WIDGET (map), width, height);
  g_assert_true (fs_test_wait_for (stops_waiting, map, 20));
  return window;
}

typedef struct
{
  gsize  rows;
  gsize  cols;
  double hi;
} ScaleSeen;

/* Records the map's block size and scale; the scale of the first
 * snapshot at a size seen before must be the same whichever cache
 * computed it. (The labels' width follows the scale, and the blocks'
 * width the labels', so a size may alternate between two widths.) */
static void
record_scale (FsHeatmap *map,
              ScaleSeen *seen,
              guint      n_seen)
{
  ScaleSeen *now = &seen[n_seen];

  fs_heatmap_get_blocks (map, &now->rows, &now->cols);
  now->hi = shown_hi (map);
  g_assert_cmpfloat (now->hi, >, 0.0);
  for (guint k = 0; k < n_seen; k++)
    if (seen[k].rows == now->rows && seen[k].cols == now->cols)
      g_assert_cmpfloat_with_epsilon (now->hi, seen[k].hi, 1e-12 * seen[k].hi);
}

/* Under fixed-range the residual's first scale of a large sparse X is
 * taken from WH's means over the listed cells in a thread, as the blocks
 * are: on the first draw from the shared cache (the first snapshot is the
 * latest then), at a later size from the map's own; either way the map
 * waits, then shows the same scale at the same size. */
static void
test_threaded_first_scale (void)
{
  g_autoptr(FsMatrix) X = random_sparse (2000, 1500, 0.04, 11, FALSE);
  g_autoptr(FsSnapshot) start = random_snapshot (2000, 1500, 40, 12);
  g_autoptr(FsSnapshot) later = random_snapshot (2000, 1500, 40, 14);
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_RESIDUAL)));
  ScaleSeen seen[4];
  GtkWindow *window;

  later->iteration = 50;
  g_assert_cmpfloat ((double) X->sparse->nnz * start->rank, >=, 4e6);
  fs_heatmap_set_cache (map, cache);
  fs_heatmap_set_matrix (map, X);
  fs_heatmap_set_fixed_range (map, TRUE);
  fs_heatmap_set_snapshot (map, start);
  window = fs_test_show (GTK_WIDGET (map), 300, 200);
  g_assert_true (fs_test_wait_for (stops_waiting, map, 20));
  record_scale (map, seen, 0);
  /* The first draw's scale came with the blocks: no thread of its own. */
  g_assert_cmpfloat (fs_heatmap_take_cpu (map), ==, 0.0);

  fs_heatmap_set_snapshot (map, later);
  fs_test_redraw (GTK_WIDGET (map));
  g_assert_true (fs_test_wait_for (stops_waiting, map, 20));
  record_scale (map, seen, 1);

  /* Another size: the first snapshot's means at it, in the map's thread. */
  window = move_map (map, window, 420, 260);
  record_scale (map, seen, 2);
  g_assert_true (seen[2].cols != seen[0].cols);
  g_assert_cmpfloat (fs_heatmap_take_cpu (map), >, 0.0);

  /* Back at the first size: the same scale as before at its width. */
  window = move_map (map, window, 300, 200);
  record_scale (map, seen, 3);

  gtk_window_destroy (window);
  g_assert_finalize_object (map);
}

/* Unlisted cells that are zeros: X's blocks average them as 0, WH and the
 * residual run over every cell, and a small one shows its zeros in the
 * colour of 0, not grey. */
static void
test_zeros_are_values (void)
{
  const guint32 cell_rows[] = { 0, 1, 2 }, cell_cols[] = { 0, 2, 1 };
  const double v[] = { 4.0, 2.0, 1.0 };
  g_autoptr(FsMatrix) small = sparse_matrix (3, 3, cell_rows, cell_cols, v, 3, TRUE);
  g_autoptr(FsMatrix) X = random_sparse (600, 500, 0.002, 9, TRUE);
  g_autoptr(FsSnapshot) snap = random_snapshot (600, 500, 3, 10);
  FsHeatmap *map = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X)));
  FsHeatmap *residual = g_object_ref_sink (FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_RESIDUAL)));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  gsize block_rows, block_cols;
  guint8 got[3], want[3];
  int area;

  g_assert_cmpuint (small->n_missing, ==, 0);
  fs_heatmap_set_matrix (map, small);
  fs_heatmap_set_range (map, 0.0, 4.0);
  window = fs_test_show (GTK_WIDGET (map), 320, 200);
  image = fs_test_render (GTK_WIDGET (map));
  for (area = 0; fs_heatmap_get_cell_at (map, area, 1, &block_rows, &block_cols); area++)
    ;
  g_assert_cmpfloat (fs_heatmap_get_block_value (map, 0, 1), ==, 0.0);
  g_assert_cmpfloat (fs_heatmap_get_block_value (map, 0, 0), ==, 4.0);
  fs_test_pixel (image, (int) (1.12 * area / 3), (int) (0.12 * image->height / 3), got);
  fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, 0.0, want);
  g_assert_true (fs_test_close_colour (got, want, 2));
  g_assert_cmpuint (fs_heatmap_get_n_numbers (map), ==, 9);
  gtk_window_destroy (window);

  /* Larger: every block has a value; the residual's is X's mean (zeros
   * counted) less the mean of W H over all the block's cells. */
  fs_heatmap_set_matrix (residual, X);
  fs_heatmap_set_snapshot (residual, snap);
  window = fs_test_show (GTK_WIDGET (residual), 300, 200);
  fs_heatmap_get_blocks (residual, &block_rows, &block_cols);
  for (gsize b = 0; b < block_rows; b += 7)
    for (gsize c = 0; c < block_cols; c += 5)
      {
        double want_value = expected_block (FS_HEATMAP_RESIDUAL, X, snap, block_rows, block_cols, b, c);

        g_assert_cmpfloat_with_epsilon (fs_heatmap_get_block_value (residual, b, c), want_value,
                                        1e-10 * MAX (1.0, fabs (want_value)));
      }
  gtk_window_destroy (window);
  g_assert_finalize_object (map);
  g_assert_finalize_object (residual);
}

/* ---- In the window ---- */

/* The row of the sheet titled title. */
static GtkWidget *
find_row (GtkWidget  *widget,
          const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_switch (GtkWidget *widget)
{
  if (GTK_IS_SWITCH (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_switch (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
has_sheet (gpointer window)
{
  return fs_window_import_get_sheet (window) != NULL;
}

static gboolean
has_source (gpointer window)
{
  return fs_session_get_source (fs_window_get_session (window)) != NULL;
}

static gboolean
read_sparse_options (gpointer window)
{
  FsMatrix *X = fs_session_get_source (fs_window_get_session (window));

  return X != NULL && X->import_options != NULL && X->import_options->storage == FS_STORAGE_SPARSE;
}

/* The Storage row and the "Unlisted cells are zeros" switch, found by
 * their names, set the options, and Reload reads the file with them. */
static void
test_import_storage (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "import-ui", "survey.csv", NULL);
  FsImportSheet *sheet;
  GtkWidget *storage, *zeros_row, *zeros;
  FsImportOptions options = { 0 };
  FsMatrix *X;

  fs_window_open_path (f->window, path);
  g_assert_true (fs_test_wait_for (has_source, f->window, 20));
  g_assert_true (fs_test_wait_for (has_sheet, f->window, 10));
  sheet = fs_window_import_get_sheet (f->window);

  storage = find_row (GTK_WIDGET (sheet), "Storage");
  g_assert_true (ADW_IS_COMBO_ROW (storage));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (storage)), ==, FS_STORAGE_AUTO);
  zeros_row = find_row (GTK_WIDGET (sheet), "Unlisted cells are zeros");
  g_assert_nonnull (zeros_row);
  zeros = find_switch (zeros_row);
  g_assert_nonnull (zeros);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (zeros), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Unlisted cells are zeros");

  adw_combo_row_set_selected (ADW_COMBO_ROW (storage), FS_STORAGE_SPARSE);
  gtk_switch_set_active (GTK_SWITCH (zeros), TRUE);
  fs_import_sheet_get_options (sheet, &options);
  g_assert_cmpint (options.storage, ==, FS_STORAGE_SPARSE);
  g_assert_true (options.zeros_are_values);
  fs_import_options_clear (&options);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.apply", NULL));
  g_assert_true (fs_test_wait_for (read_sparse_options, f->window, 20));
  X = fs_session_get_source (fs_window_get_session (f->window));
  g_assert_true (X->import_options->zeros_are_values);
}

static gboolean
status_says_sparse (gpointer window)
{
  return has_snapshot (window) && strstr (fs_window_get_status (window), "sparse, ") != NULL;
}

/* A sparse matrix opens and runs: the status line and the subtitle say
 * it is sparse and how many cells are listed. */
static void
test_runs (Fixture       *f,
           gconstpointer  data)
{
  const char *views[] = { "factors", "atoms", "spectrum", "sweep", "data" };
  g_autoptr(FsMatrix) X = random_sparse (300, 200, 0.05, 13, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSolver) solver = NULL;
  FsParams params;
  g_autofree char *listed = NULL;
  g_autofree char *expected = NULL;

  fs_params_init_defaults (&params);
  params.rank = 4;
  solver = fs_solver_new (X, &params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solver);

  fs_window_load_matrix (f->window, X, "ratings", 4);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (is_running, f->window, 20));
  g_assert_true (fs_test_wait_for (status_says_sparse, f->window, 20));
  listed = fs_error_number_text (X->sparse->nnz);
  expected = g_strdup_printf ("sparse, %s listed cells (", listed);
  g_assert_nonnull (strstr (fs_window_get_status (f->window), expected));
  g_assert_nonnull (strstr (adw_window_title_get_subtitle (f->window->window_title), expected));

  /* Every view draws it; a selected sample shows its row in the code
   * views (read from the listed cells). */
  fs_heatmap_set_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_X), 3);
  for (guint k = 0; k < G_N_ELEMENTS (views); k++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", views[k]));
      fs_test_redraw (GTK_WIDGET (f->window));
    }
  /* No closed form with missing cells: the spectrum says so. */
  g_assert_nonnull (strstr (gtk_label_get_text (f->window->spectrum_caption), "missing cells"));
}

typedef struct
{
  FsWindow   *window;
  const char *expected;
} CaptionWait;

static gboolean
caption_says (gpointer data)
{
  CaptionWait *wait = data;

  return strstr (gtk_label_get_text (wait->window->spectrum_caption), wait->expected) != NULL;
}

/* The share beyond rank of ‖X‖² as the caption writes it, from the
 * sparse SVD's top values and the listed cells' ‖X‖². */
static char *
expected_share (FsMatrix *X,
                guint     rank)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = fs_singular_values_for_rank (X, rank, &error);
  double total = fs_matrix_frobenius_sq (X), kept = 0.0;

  g_assert_no_error (error);
  g_assert_cmpuint (values->len, >=, rank);
  for (guint i = 0; i < rank; i++)
    kept += g_array_index (values, double, i) * g_array_index (values, double, i);
  return g_strdup_printf ("hold %.3g%% of", 100.0 * MAX (total - kept, 0.0) / total);
}

/* A sparse matrix whose zeros are values: the caption's share is of the
 * listed cells' ‖X‖², also at a rank above FS_OPTIMUM_SPARSE_TOP, where
 * the session computes more values (f* is then known too). */
static void
test_spectrum_caption (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(FsMatrix) X = random_sparse (120, 100, 0.3, 17, TRUE);
  FsSession *session = fs_window_get_session (f->window);
  g_autofree char *at_4 = expected_share (X, 4);
  g_autofree char *at_80 = expected_share (X, 80);
  CaptionWait wait = { f->window, at_4 };
  FsParams params;

  fs_window_load_matrix (f->window, X, "counts", 4);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", "spectrum"));
  g_assert_true (fs_test_wait_for (caption_says, &wait, 20));

  params = *fs_session_get_params (session);
  params.rank = 80;
  g_assert_true (fs_session_set_params (session, &params, NULL));
  wait.expected = at_80;
  g_assert_true (fs_test_wait_for (caption_says, &wait, 20));
  g_assert_true (isfinite (fs_session_get_optimum (session)));
}

/* Export Data → WH of a sparse matrix writes every cell of W H as CSV:
 * WH comes from the factors alone, whatever X's layout (the review of
 * issue 18: it must be allowed). */
static void
test_export_wh (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(FsMatrix) X = random_sparse (12, 9, 0.3, 19, FALSE);
  g_autofree char *path = g_build_filename (f->dir, "ratings-WH.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) wh = NULL;
  FsSnapshot *s;
  gboolean ok;

  fs_window_load_matrix (f->window, X, "ratings", 2);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  s = fs_window_get_viewed_snapshot (f->window);
  g_assert_nonnull (s);
  ok = fs_window_export_data (f->window, "WH", path, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  wh = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wh->rows, ==, 12);
  g_assert_cmpuint (wh->cols, ==, 9);
  for (gsize i = 0; i < 12; i++)
    for (gsize j = 0; j < 9; j++)
      g_assert_cmpfloat_with_epsilon (fs_matrix_get (wh, i, j), wh_at (s, i, j),
                                      1e-9 * MAX (1.0, fabs (wh_at (s, i, j))));
}

static void
add_window_test (const char *path,
                 void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/window-sparse/small-x", test_small_x);
  g_test_add_func ("/window-sparse/blocks-over-listed", test_blocks_over_listed);
  g_test_add_func ("/window-sparse/threaded-means", test_threaded_means);
  g_test_add_func ("/window-sparse/threaded-first-scale", test_threaded_first_scale);
  g_test_add_func ("/window-sparse/listed-sizes", test_listed_sizes);
  g_test_add_func ("/window-sparse/one-pass-for-sizes", test_one_pass_for_sizes);
  g_test_add_func ("/window-sparse/jobs-paced", test_jobs_paced);
  g_test_add_func ("/window-sparse/zeros-are-values", test_zeros_are_values);
  add_window_test ("/window-sparse/import-storage", test_import_storage);
  add_window_test ("/window-sparse/runs", test_runs);
  add_window_test ("/window-sparse/spectrum-caption", test_spectrum_caption);
  add_window_test ("/window-sparse/export-wh", test_export_wh);

  return g_test_run ();
}
