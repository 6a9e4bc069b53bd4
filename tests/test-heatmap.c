/* test-heatmap.c: the heatmap widget rendered offscreen.
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
  FsHeatmap *map = FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X));
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

  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      {
        int x = (int) ((j + 0.5) * area / 3), y = (int) ((i + 0.5) * height / 2);

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
}

/* A matrix far larger than the widget is shown by block means: one block
 * per pixel, and the halves of a half-0, half-1 matrix keep their colours. */
static void
test_block_means (void)
{
  g_autoptr(FsMatrix) X = fs_matrix_new (1000, 800, NULL);
  FsHeatmap *map = FS_HEATMAP (fs_heatmap_new (FS_HEATMAP_X));
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
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/heatmap/cells-and-bar", test_cells_and_bar);
  g_test_add_func ("/heatmap/block-means", test_block_means);

  return g_test_run ();
}
