/* test-atoms.c: the components of W H as tiles, and the gallery's PNG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

#include "fs-atoms.h"
#include "fs-display.h"
#include "fs-matrix.h"
#include "fs-random.h"

static void
test_layout (void)
{
  g_autoptr(FsMatrix) photo = fs_matrix_new (30, 40, NULL);
  g_autoptr(FsMatrix) stack = fs_matrix_new (200, 625, NULL);
  g_autoptr(FsMatrix) plain = fs_matrix_new (50, 64, NULL);
  g_autoptr(FsMatrix) odd = fs_matrix_new (50, 64, NULL);

  photo->image_height = 30;
  photo->image_width = 40;
  stack->image_height = 25;
  stack->image_width = 25;
  odd->image_height = 5;
  odd->image_width = 5;

  g_assert_cmpint (fs_atoms_layout_for_matrix (photo), ==, FS_ATOMS_RANK_ONE);
  g_assert_cmpint (fs_atoms_layout_for_matrix (stack), ==, FS_ATOMS_ROW_IMAGES);
  g_assert_cmpint (fs_atoms_layout_for_matrix (plain), ==, FS_ATOMS_PROFILES);
  /* A shape that fits neither way is ignored. */
  g_assert_cmpint (fs_atoms_layout_for_matrix (odd), ==, FS_ATOMS_PROFILES);
}

static void
test_image_shapes (void)
{
  gsize h[16], w[16];
  guint n;

  n = fs_atoms_image_shapes (625, h, w, G_N_ELEMENTS (h));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (h[0], ==, 25);
  g_assert_cmpuint (w[0], ==, 25);
  g_assert_cmpuint (h[1], ==, 125);
  g_assert_cmpuint (w[1], ==, 5);
  g_assert_cmpuint (h[2], ==, 5);
  g_assert_cmpuint (w[2], ==, 125);

  n = fs_atoms_image_shapes (64, h, w, G_N_ELEMENTS (h));
  g_assert_cmpuint (n, ==, 5);
  {
    const gsize want_h[] = { 8, 16, 4, 32, 2 }, want_w[] = { 8, 4, 16, 2, 32 };

    for (guint k = 0; k < n; k++)
      {
        g_assert_cmpuint (h[k], ==, want_h[k]);
        g_assert_cmpuint (w[k], ==, want_w[k]);
      }
  }
  /* max bounds the count. */
  g_assert_cmpuint (fs_atoms_image_shapes (64, h, w, 2), ==, 2);
  g_assert_cmpuint (fs_atoms_image_shapes (7, h, w, G_N_ELEMENTS (h)), ==, 0);
  g_assert_cmpuint (fs_atoms_image_shapes (4, h, w, G_N_ELEMENTS (h)), ==, 1);
  g_assert_cmpuint (fs_atoms_image_shapes (1, h, w, G_N_ELEMENTS (h)), ==, 0);
}

/* W (rows × 3) with column k scaled by scale[k], H (3 × cols) random. */
static void
known_factors (gsize         rows,
               gsize         cols,
               const double  scale[3],
               double       *W,
               double       *H)
{
  fs_random_fill_signed (11, W, rows * 3);
  fs_random_fill_signed (12, H, 3 * cols);
  for (gsize i = 0; i < rows; i++)
    for (guint k = 0; k < 3; k++)
      W[i * 3 + k] *= scale[k];
}

static double
column_norm (const double *W,
             gsize         rows,
             guint         rank,
             guint         k)
{
  double s = 0.0;

  for (gsize i = 0; i < rows; i++)
    s += W[i * rank + k] * W[i * rank + k];
  return sqrt (s);
}

static void
test_order (void)
{
  const double scale[3] = { 1.0, 100.0, 10.0 };
  double W[20 * 3], H[3 * 16];
  g_autoptr(FsAtoms) atoms = NULL;
  double total = 0.0, energies[3];

  known_factors (20, 16, scale, W, H);
  for (guint k = 0; k < 3; k++)
    {
      energies[k] = column_norm (W, 20, 3, k) * column_norm (H + k * 16, 16, 1, 0);
      total += energies[k];
    }

  atoms = fs_atoms_new (FS_ATOMS_ROW_IMAGES, W, H, 20, 16, 3, 4, 4, 64);
  g_assert_cmpuint (atoms->n_atoms, ==, 3);
  g_assert_cmpuint (atoms->atoms[0].component, ==, 1);
  g_assert_cmpuint (atoms->atoms[1].component, ==, 2);
  g_assert_cmpuint (atoms->atoms[2].component, ==, 0);
  for (guint a = 0; a < 3; a++)
    {
      guint k = atoms->atoms[a].component;

      g_assert_cmpfloat_with_epsilon (atoms->atoms[a].energy, energies[k], 1e-12 * total);
      g_assert_cmpfloat_with_epsilon (atoms->atoms[a].energy_share, energies[k] / total, 1e-12);
      g_assert_cmpint (fs_atoms_find (atoms, k), ==, (gint) a);
    }
  g_assert_cmpint (fs_atoms_find (atoms, 3), ==, -1);

  /* Ties go by component. */
  {
    double W2[2 * 2] = { 1, 1, 1, 1 }, H2[2 * 2] = { 1, 0, 0, 1 };
    g_autoptr(FsAtoms) tied = fs_atoms_new (FS_ATOMS_PROFILES, W2, H2, 2, 2, 2, 0, 0, 8);

    g_assert_cmpuint (tied->atoms[0].component, ==, 0);
    g_assert_cmpuint (tied->atoms[1].component, ==, 1);
    g_assert_cmpfloat (tied->atoms[0].energy_share, ==, 0.5);
  }
}

static void
test_row_image_tile (void)
{
  const double scale[3] = { 3.0, 2.0, 1.0 };
  double W[10 * 3], H[3 * 12];
  g_autoptr(FsAtoms) atoms = NULL;

  known_factors (10, 12, scale, W, H);
  atoms = fs_atoms_new (FS_ATOMS_ROW_IMAGES, W, H, 10, 12, 3, 3, 4, 64);
  g_assert_cmpuint (atoms->image_height, ==, 3);
  g_assert_cmpuint (atoms->image_width, ==, 4);
  g_assert_cmpuint (atoms->tile_rows, ==, 3);
  g_assert_cmpuint (atoms->tile_cols, ==, 4);
  for (guint a = 0; a < 3; a++)
    {
      const FsAtom *atom = &atoms->atoms[a];
      double lo = INFINITY, hi = -INFINITY;

      /* Pixel (y, x) of the image is H[k, y w + x], exactly. */
      for (gsize y = 0; y < 3; y++)
        for (gsize x = 0; x < 4; x++)
          {
            double v = H[atom->component * 12 + y * 4 + x];

            g_assert_cmpfloat (atom->values[y * 4 + x], ==, v);
            lo = MIN (lo, v);
            hi = MAX (hi, v);
          }
      g_assert_cmpfloat (atom->lo, ==, lo);
      g_assert_cmpfloat (atom->hi, ==, hi);
      g_assert_true (atom->both_signs);
    }
}

/* A tall image larger than max_tile keeps its aspect ratio. */
static void
test_row_image_block_means (void)
{
  g_autofree double *W = g_new (double, 4);
  g_autofree double *H = g_new (double, 4 * 100 * 50);
  g_autoptr(FsAtoms) atoms = NULL;
  double want[20 * 10];

  fs_random_fill_unit (3, W, 4);
  fs_random_fill_unit (4, H, 4 * 5000);
  atoms = fs_atoms_new (FS_ATOMS_ROW_IMAGES, W, H, 1, 5000, 4, 100, 50, 20);
  g_assert_cmpuint (atoms->tile_rows, ==, 20);
  g_assert_cmpuint (atoms->tile_cols, ==, 10);
  fs_block_means (H + atoms->atoms[0].component * 5000, NULL, 100, 50, 20, 10, want);
  for (guint k = 0; k < 200; k++)
    g_assert_cmpfloat_with_epsilon (atoms->atoms[0].values[k], want[k], 1e-14);
  g_assert_false (atoms->atoms[0].both_signs);
}

static void
test_rank_one_tile (void)
{
  const gsize n = 70, m = 45, max_tile = 16;
  const double scale[3] = { 1.0, 2.0, 3.0 };
  g_autofree double *W = g_new (double, n * 3);
  g_autofree double *H = g_new (double, 3 * m);
  g_autofree double *product = g_new (double, n * m);
  g_autoptr(FsAtoms) atoms = NULL;

  known_factors (n, m, scale, W, H);
  atoms = fs_atoms_new (FS_ATOMS_RANK_ONE, W, H, n, m, 3, 0, 0, max_tile);
  g_assert_cmpuint (atoms->image_height, ==, 0);
  g_assert_cmpuint (atoms->tile_rows, ==, 16);
  g_assert_cmpuint (atoms->tile_cols, ==, 10);
  for (guint a = 0; a < 3; a++)
    {
      const FsAtom *atom = &atoms->atoms[a];
      double want[16 * 10];

      for (gsize i = 0; i < n; i++)
        for (gsize j = 0; j < m; j++)
          product[i * m + j] = W[i * 3 + atom->component] * H[atom->component * m + j];
      fs_block_means (product, NULL, n, m, 16, 10, want);
      for (guint k = 0; k < 160; k++)
        g_assert_cmpfloat_with_epsilon (atom->values[k], want[k], 1e-12);
    }
}

static void
test_profiles_and_zeros (void)
{
  /* Column 0 of W has two zeros of four; row 1 of H three of 100. */
  double W[4 * 2] = { 0, 1, 2, 0, 0, 3, 4, 5 };
  double H[2 * 100];

  for (guint j = 0; j < 100; j++)
    {
      H[j] = j + 1.0;
      H[100 + j] = j < 3 ? 0.0 : -1.0;
    }
  {
    g_autoptr(FsAtoms) atoms = fs_atoms_new (FS_ATOMS_PROFILES, W, H, 4, 100, 2, 0, 0, 64);
    gint a0 = fs_atoms_find (atoms, 0), a1 = fs_atoms_find (atoms, 1);

    g_assert_cmpuint (atoms->tile_rows, ==, 1);
    g_assert_cmpuint (atoms->tile_cols, ==, 64);
    g_assert_cmpfloat (atoms->atoms[a0].zeros_w, ==, 0.5);
    g_assert_cmpfloat (atoms->atoms[a0].zeros_h, ==, 0.0);
    g_assert_cmpfloat (atoms->atoms[a1].zeros_w, ==, 0.25);
    g_assert_cmpfloat (atoms->atoms[a1].zeros_h, ==, 0.03);
    g_assert_false (atoms->atoms[a1].both_signs);
    g_assert_cmpfloat (atoms->atoms[a1].hi, ==, 0.0);
  }
  {
    g_autoptr(FsAtoms) atoms = fs_atoms_new (FS_ATOMS_PROFILES, W, H, 4, 100, 2, 0, 0, 200);

    g_assert_cmpuint (atoms->tile_cols, ==, 100);
    g_assert_cmpfloat (atoms->atoms[fs_atoms_find (atoms, 0)].values[41], ==, 42.0);
  }
}

static void
pixel_rgb (const guint8 *rgba,
           gsize         k,
           guint8        rgb[3])
{
  memcpy (rgb, rgba + 4 * k, 3);
}

static void
test_render (void)
{
  /* One component of both signs (-1, 0, 2), one constant. */
  double W[1 * 2] = { 1.0, 1.0 };
  double H[2 * 3] = { -1.0, 0.0, 2.0, 0.5, 0.5, 0.5 };
  g_autoptr(FsAtoms) atoms = fs_atoms_new (FS_ATOMS_PROFILES, W, H, 1, 3, 2, 0, 0, 8);
  guint8 rgba[3 * 4], rgb[3], want[3];
  const FsAtom *diverging = &atoms->atoms[fs_atoms_find (atoms, 0)];

  g_assert_true (diverging->both_signs);
  fs_atoms_render (atoms, (guint) fs_atoms_find (atoms, 0), rgba, sizeof rgba);
  pixel_rgb (rgba, 1, rgb);
  fs_colormap_rgb (FS_COLORMAP_DIVERGING, 0.5, want);
  g_assert_cmpmem (rgb, 3, want, 3);
  g_assert_cmpuint (rgb[0], >, 240);
  g_assert_cmpuint (rgb[1], >, 240);
  g_assert_cmpuint (rgb[2], >, 240);
  /* Symmetric about 0: 2 is the reddest end, -1 half way to blue. */
  pixel_rgb (rgba, 2, rgb);
  fs_colormap_rgb (FS_COLORMAP_DIVERGING, 1.0, want);
  g_assert_cmpmem (rgb, 3, want, 3);
  pixel_rgb (rgba, 0, rgb);
  fs_colormap_rgb (FS_COLORMAP_DIVERGING, 0.25, want);
  g_assert_cmpmem (rgb, 3, want, 3);
  g_assert_cmpuint (rgba[3], ==, 255);

  /* A constant tile gets the sequential map's middle. */
  fs_atoms_render (atoms, (guint) fs_atoms_find (atoms, 1), rgba, sizeof rgba);
  fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, 0.5, want);
  for (guint k = 0; k < 3; k++)
    {
      pixel_rgb (rgba, k, rgb);
      g_assert_cmpmem (rgb, 3, want, 3);
    }
}

static void
test_png (void)
{
  const double scale[3] = { 3.0, 2.0, 1.0 };
  double W[10 * 3], H[3 * 64];
  g_autoptr(FsAtoms) atoms = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  guint8 tile[64 * 4];
  const guint8 *pixels;
  int stride;

  known_factors (10, 64, scale, W, H);
  atoms = fs_atoms_new (FS_ATOMS_ROW_IMAGES, W, H, 10, 64, 3, 8, 8, 64);
  png = fs_atoms_encode_png (atoms, &error);
  g_assert_no_error (error);
  stream = g_memory_input_stream_new_from_bytes (png);
  pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);
  g_assert_no_error (error);

  /* 8 × 8 tiles scaled by 6 to 48 pixels; three tiles are squarest as
   * 2 × 2: 2 × 48 + 3 × 4 = 108 pixels each way. */
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 108);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 108);
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Factorscope-Image-Shape"), ==, "8x8");
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Factorscope-Layout"), ==, "row-images");
  g_assert_true (g_str_has_prefix (gdk_pixbuf_get_option (pixbuf, "tEXt::Factorscope-Order"), "0:"));

  /* The second tile (top right), pixel (y 2, x 5), is its value's colour. */
  fs_atoms_render (atoms, 1, tile, 8 * 4);
  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  {
    int x = 4 + 48 + 4 + 5 * 6 + 3, y = 4 + 2 * 6 + 3;
    int channels = gdk_pixbuf_get_n_channels (pixbuf);

    g_assert_cmpmem (pixels + y * stride + x * channels, 3, tile + (2 * 8 + 5) * 4, 3);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atoms/layout", test_layout);
  g_test_add_func ("/atoms/image-shapes", test_image_shapes);
  g_test_add_func ("/atoms/order", test_order);
  g_test_add_func ("/atoms/row-image-tile", test_row_image_tile);
  g_test_add_func ("/atoms/row-image-block-means", test_row_image_block_means);
  g_test_add_func ("/atoms/rank-one-tile", test_rank_one_tile);
  g_test_add_func ("/atoms/profiles-and-zeros", test_profiles_and_zeros);
  g_test_add_func ("/atoms/render", test_render);
  g_test_add_func ("/atoms/png", test_png);

  return g_test_run ();
}
