/* test-atom-gallery.c: the atom gallery drawn offscreen (digits upright,
 * in energy order), its highlights, keyboard focus and what it tells
 * assistive technologies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-atom-gallery.h"
#include "fs-display.h"
#include "fs-loader.h"
#include "fs-test-ui.h"

#define N_DIGITS 4
#define N_SAMPLES 10

/* Rows 7, 4, 2 and 6 of the digits are a 7, a 4, a 2 and a 6: none of
 * them is the same turned or mirrored. Component k is digits[k]; W gives
 * them the energies 3, 1, 4, 2, so the gallery shows 2, 0, 3, 1. */
static const guint digit_rows[N_DIGITS] = { 7, 4, 2, 6 };
static const double energies[N_DIGITS] = { 3.0, 1.0, 4.0, 2.0 };
static const guint order[N_DIGITS] = { 2, 0, 3, 1 };

typedef struct
{
  double H[N_DIGITS * 64];
  double W[N_SAMPLES * N_DIGITS];
} Digits;

static void
load_digits (Digits *d)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv",
                                            "sklearn_digits_1797x64.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (X->cols, ==, 64);
  for (guint k = 0; k < N_DIGITS; k++)
    {
      double norm = 0.0;

      memcpy (d->H + k * 64, X->data + digit_rows[k] * 64, 64 * sizeof (double));
      for (guint j = 0; j < 64; j++)
        norm += d->H[k * 64 + j] * d->H[k * 64 + j];
      /* ||w_k|| ||h_k|| = energies[k]. */
      for (guint i = 0; i < N_SAMPLES; i++)
        d->W[i * N_DIGITS + k] = energies[k] / sqrt (norm) / sqrt ((double) N_SAMPLES);
    }
}

static FsAtoms *
digit_atoms (const Digits *d)
{
  return fs_atoms_new (FS_ATOMS_ROW_IMAGES, d->W, d->H, N_SAMPLES, 64, N_DIGITS, 8, 8, 64);
}

static double
luma (const guint8 rgb[3])
{
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* The tile's pixel at the centre of value (y, x) of an 8 × 8 image. */
static void
tile_pixel (const FsTestImage     *image,
            const graphene_rect_t *area,
            guint                  y,
            guint                  x,
            guint8                 rgb[3])
{
  fs_test_pixel (image, (int) (area->origin.x + (x + 0.5) * area->size.width / 8),
                 (int) (area->origin.y + (y + 0.5) * area->size.height / 8), rgb);
}

/* Sum of the digit's values, and of the tile's brightness, over the
 * quadrant (qy, qx): the ink must be where the digit has it. */
static void
quadrant (const FsTestImage     *image,
          const graphene_rect_t *area,
          const double          *digit,
          guint                  qy,
          guint                  qx,
          double                *ink,
          double                *bright)
{
  *ink = *bright = 0.0;
  for (guint y = qy * 4; y < qy * 4 + 4; y++)
    for (guint x = qx * 4; x < qx * 4 + 4; x++)
      {
        guint8 rgb[3];

        tile_pixel (image, area, y, x, rgb);
        *ink += digit[y * 8 + x];
        *bright += luma (rgb);
      }
}

static void
assert_digit_upright (const FsTestImage     *image,
                      const graphene_rect_t *area,
                      const double          *digit)
{
  double lo = INFINITY, hi = -INFINITY, ink[4], bright[4];

  for (guint j = 0; j < 64; j++)
    {
      lo = MIN (lo, digit[j]);
      hi = MAX (hi, digit[j]);
    }
  /* Every value in its place, in the sequential map over [lo, hi]. */
  for (guint y = 0; y < 8; y++)
    for (guint x = 0; x < 8; x++)
      {
        guint8 got[3], want[3];

        tile_pixel (image, area, y, x, got);
        fs_colormap_rgb (FS_COLORMAP_SEQUENTIAL, (digit[y * 8 + x] - lo) / (hi - lo), want);
        if (!fs_test_close_colour (got, want, 3))
          g_error ("value (%u, %u) is %u,%u,%u, expected %u,%u,%u", y, x,
                   got[0], got[1], got[2], want[0], want[1], want[2]);
      }
  /* The quadrants with more ink are brighter: a transposed or flipped
   * tile swaps top left with bottom right or top right. */
  for (guint q = 0; q < 4; q++)
    quadrant (image, area, digit, q / 2, q % 2, &ink[q], &bright[q]);
  for (guint a = 0; a < 4; a++)
    for (guint b = 0; b < 4; b++)
      if (ink[a] > ink[b] + 8.0)
        g_assert_cmpfloat (bright[a], >, bright[b]);
}

static void
test_digits_upright (void)
{
  Digits d;
  g_autoptr(FsAtoms) atoms = NULL;
  FsAtomGallery *gallery = g_object_ref_sink (FS_ATOM_GALLERY (fs_atom_gallery_new ()));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;

  load_digits (&d);
  atoms = digit_atoms (&d);
  fs_atom_gallery_set_atoms (gallery, atoms);
  g_assert_true (fs_atom_gallery_get_atoms (gallery) == atoms);
  window = fs_test_show (GTK_WIDGET (gallery), 420, 420);
  image = fs_test_render (GTK_WIDGET (gallery));

  for (guint p = 0; p < N_DIGITS; p++)
    {
      graphene_rect_t area;

      g_assert_true (fs_atom_gallery_get_tile_area (gallery, p, &area));
      /* Square, a whole number of pixels a value, and large. */
      g_assert_cmpfloat (area.size.width, ==, area.size.height);
      g_assert_cmpfloat (fmod (area.size.width, 8.0), ==, 0.0);
      g_assert_cmpfloat (area.size.width, >=, 120.0);
      assert_digit_upright (image, &area, d.H + order[p] * 64);
    }
  /* Two rows of two, largest energy first, reading order. */
  {
    graphene_rect_t a0, a1, a2;

    fs_atom_gallery_get_tile_area (gallery, 0, &a0);
    fs_atom_gallery_get_tile_area (gallery, 1, &a1);
    fs_atom_gallery_get_tile_area (gallery, 2, &a2);
    g_assert_cmpfloat (a1.origin.x, >, a0.origin.x + a0.size.width);
    g_assert_cmpfloat (a1.origin.y, ==, a0.origin.y);
    g_assert_cmpfloat (a2.origin.y, >, a0.origin.y + a0.size.height);
  }
  g_assert_false (fs_atom_gallery_get_tile_area (gallery, N_DIGITS, &(graphene_rect_t) { 0 }));

  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

static gboolean
is_accent (const guint8 rgb[3])
{
  /* Adwaita's accent is blue; the background is grey or white. */
  return rgb[2] > rgb[0] + 80 && rgb[2] > rgb[1] + 30;
}

static void
test_highlight (void)
{
  Digits d;
  g_autoptr(FsAtoms) atoms = NULL;
  FsAtomGallery *gallery = g_object_ref_sink (FS_ATOM_GALLERY (fs_atom_gallery_new ()));
  const guint strongest[] = { 3, 0 };
  graphene_rect_t shown, plain;
  GtkWindow *window;
  guint8 rgb[3];

  load_digits (&d);
  atoms = digit_atoms (&d);
  fs_atom_gallery_set_atoms (gallery, atoms);
  window = fs_test_show (GTK_WIDGET (gallery), 420, 420);
  fs_atom_gallery_set_highlight (gallery, strongest, G_N_ELEMENTS (strongest));
  g_assert_cmpuint (fs_atom_gallery_get_n_highlighted (gallery), ==, 2);
  fs_test_redraw (GTK_WIDGET (gallery));

  /* Component 3 is at position 2, component 2 (not highlighted) at 0. */
  fs_atom_gallery_get_tile_area (gallery, 2, &shown);
  fs_atom_gallery_get_tile_area (gallery, 0, &plain);
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (gallery));

    fs_test_pixel (image, (int) (shown.origin.x - 1),
                   (int) (shown.origin.y + shown.size.height / 2), rgb);
    g_assert_true (is_accent (rgb));
    fs_test_pixel (image, (int) (shown.origin.x + shown.size.width / 2),
                   (int) (shown.origin.y + shown.size.height), rgb);
    g_assert_true (is_accent (rgb));
    fs_test_pixel (image, (int) (plain.origin.x - 1),
                   (int) (plain.origin.y + plain.size.height / 2), rgb);
    g_assert_false (is_accent (rgb));
  }

  fs_atom_gallery_set_highlight (gallery, NULL, 0);
  g_assert_cmpuint (fs_atom_gallery_get_n_highlighted (gallery), ==, 0);
  fs_test_redraw (GTK_WIDGET (gallery));
  {
    g_autoptr(FsTestImage) image = fs_test_render (GTK_WIDGET (gallery));

    fs_test_pixel (image, (int) (shown.origin.x - 1),
                   (int) (shown.origin.y + shown.size.height / 2), rgb);
    g_assert_false (is_accent (rgb));
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

static gboolean
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  return handled;
}

/* The description of the tile at position p, as the widget should give it. */
static char *
expected_description (const FsAtoms *atoms,
                      guint          p)
{
  const FsAtom *atom = &atoms->atoms[p];

  return g_strdup_printf ("Atom %u of %u: component %u, %.0f%% of the energy, %.0f%% zeros",
                          p + 1, atoms->n_atoms, atom->component + 1,
                          100.0 * atom->energy_share, 100.0 * atom->zeros_h);
}

static void
assert_description (FsAtomGallery *gallery,
                    const char    *want)
{
  g_autofree char *problem =
    gtk_test_accessible_check_property (GTK_ACCESSIBLE (gallery),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, want);

  if (problem != NULL)
    g_error ("description: %s", problem);
}

static void
assert_focus_described (FsAtomGallery *gallery,
                        const FsAtoms *atoms,
                        gint           p)
{
  g_autofree char *want = expected_description (atoms, (guint) p);

  g_autofree char *name = g_strdup_printf ("Atoms: %s", want);
  g_autofree char *problem = NULL;

  g_assert_cmpint (fs_atom_gallery_get_focus_index (gallery), ==, p);
  assert_description (gallery, want);
  /* The focused tile names the gallery: a screen reader reads the name
   * of the focused widget when it changes. */
  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (gallery),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, name);
  if (problem != NULL)
    g_error ("name: %s", problem);
}

static void
test_keyboard (void)
{
  Digits d;
  g_autoptr(FsAtoms) atoms = NULL;
  FsAtomGallery *gallery = g_object_ref_sink (FS_ATOM_GALLERY (fs_atom_gallery_new ()));
  GtkWidget *widget = GTK_WIDGET (gallery);
  GtkWindow *window;

  load_digits (&d);
  atoms = digit_atoms (&d);
  fs_atom_gallery_set_atoms (gallery, atoms);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (gallery), GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_true (gtk_widget_get_focusable (widget));
  /* Unfocused, no tile has the focus. */
  g_assert_cmpint (fs_atom_gallery_get_focus_index (gallery), ==, -1);
  assert_description (gallery, "4 atoms, largest energy first");

  /* Taking the focus puts it on the first tile. */
  window = fs_test_show (widget, 420, 420);
  g_assert_true (gtk_widget_grab_focus (widget));
  assert_focus_described (gallery, atoms, 0);
  g_assert_true (press_key (widget, GDK_KEY_Right));
  assert_focus_described (gallery, atoms, 1);
  /* Row-wise in a 2 × 2 grid: Down from position 1 is position 3. */
  g_assert_true (press_key (widget, GDK_KEY_Down));
  assert_focus_described (gallery, atoms, 3);
  g_assert_true (press_key (widget, GDK_KEY_Down));
  assert_focus_described (gallery, atoms, 3);
  g_assert_true (press_key (widget, GDK_KEY_Left));
  assert_focus_described (gallery, atoms, 2);
  g_assert_true (press_key (widget, GDK_KEY_Home));
  assert_focus_described (gallery, atoms, 0);
  g_assert_true (press_key (widget, GDK_KEY_Left));
  assert_focus_described (gallery, atoms, 0);
  g_assert_true (press_key (widget, GDK_KEY_End));
  assert_focus_described (gallery, atoms, 3);
  g_assert_true (press_key (widget, GDK_KEY_Up));
  assert_focus_described (gallery, atoms, 1);
  g_assert_false (press_key (widget, GDK_KEY_a));

  /* New atoms keep the focus on its component (0, at position 1). */
  {
    g_autoptr(FsAtoms) again = digit_atoms (&d);

    fs_atom_gallery_set_atoms (gallery, again);
    assert_focus_described (gallery, again, 1);
  }

  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

static void
test_empty (void)
{
  FsAtomGallery *gallery = g_object_ref_sink (FS_ATOM_GALLERY (fs_atom_gallery_new ()));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  gboolean text_in_middle = FALSE;
  graphene_rect_t area;

  assert_description (gallery, "No factors yet");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (gallery),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Atoms");
  window = fs_test_show (GTK_WIDGET (gallery), 300, 200);
  image = fs_test_render (GTK_WIDGET (gallery));
  g_assert_false (fs_atom_gallery_get_tile_area (gallery, 0, &area));
  g_assert_cmpint (fs_atom_gallery_get_focus_index (gallery), ==, -1);
  g_assert_false (press_key (GTK_WIDGET (gallery), GDK_KEY_Right));

  /* The message is drawn in the middle (the widget has no background of
   * its own: alpha is 0 where nothing is), nothing in the corners. */
  g_assert_cmpuint (image->pixels[2 * image->stride + 2 * 4 + 3], ==, 0);
  for (int y = image->height / 2 - 8; y < image->height / 2 + 8; y++)
    for (int x = image->width / 2 - 60; x < image->width / 2 + 60; x++)
      text_in_middle |= image->pixels[(gsize) y * image->stride + (gsize) x * 4 + 3] > 100;
  g_assert_true (text_in_middle);

  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

/* Profiles: a bar stands above the zero line where h_k is positive, and
 * nothing is drawn above it where h_k is 0. */
static void
test_profiles (void)
{
  double W[3 * 1] = { 1.0, 2.0, 3.0 }, H[1 * 10];
  const char *labels[] = { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" };
  g_autoptr(FsAtoms) atoms = NULL;
  FsAtomGallery *gallery = g_object_ref_sink (FS_ATOM_GALLERY (fs_atom_gallery_new ()));
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;
  graphene_rect_t area;
  guint8 background[3], rgb[3];

  for (guint j = 0; j < 10; j++)
    H[j] = j < 5 ? 1.0 + j : 0.0;
  atoms = fs_atoms_new (FS_ATOMS_PROFILES, W, H, 3, 10, 1, 0, 0, 64);
  fs_atom_gallery_set_atoms (gallery, atoms);
  fs_atom_gallery_set_column_labels (gallery, labels, G_N_ELEMENTS (labels));
  window = fs_test_show (GTK_WIDGET (gallery), 400, 300);
  image = fs_test_render (GTK_WIDGET (gallery));
  g_assert_true (fs_atom_gallery_get_tile_area (gallery, 0, &area));
  g_assert_cmpfloat (area.size.width, >, area.size.height);

  fs_test_pixel (image, 1, 1, background);
  /* Bar 4 (value 5, the largest) reaches the top; bar 8 (0) is empty. */
  fs_test_pixel (image, (int) (area.origin.x + 4.5 * area.size.width / 10),
                 (int) (area.origin.y + 0.1 * area.size.height), rgb);
  g_assert_false (fs_test_close_colour (rgb, background, 10));
  fs_test_pixel (image, (int) (area.origin.x + 8.5 * area.size.width / 10),
                 (int) (area.origin.y + 0.5 * area.size.height), rgb);
  g_assert_true (fs_test_close_colour (rgb, background, 10));

  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/atom-gallery/digits-upright", test_digits_upright);
  g_test_add_func ("/atom-gallery/highlight", test_highlight);
  g_test_add_func ("/atom-gallery/keyboard", test_keyboard);
  g_test_add_func ("/atom-gallery/empty", test_empty);
  g_test_add_func ("/atom-gallery/profiles", test_profiles);

  return g_test_run ();
}
