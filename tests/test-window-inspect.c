/* test-window-inspect.c: the window's views into W and H, as a user
 * drives them: the atom gallery and a sample's code, the zeros, the
 * histograms, the spectrum and the cost terms. Each case has a window of
 * its own, so any case runs alone (-p).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-atom-gallery.h"
#include "fs-atoms.h"
#include "fs-code-view.h"
#include "fs-examples.h"
#include "fs-loss-plot.h"
#include "fs-spectrum.h"
#include "fs-test-window.h"

static GObject *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static void
show_view (Fixture    *f,
           const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", name));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "views"))), ==, name);
}

static gboolean
is_stopped (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state != FS_RUNNER_RUNNING && s->iteration > 0;
}

/* Non-negative sparse coding of the digits (8 × 8 images): rank 16, L1 on
 * W, a few hundred steps, then paused. */
static void
run_sparse_digits (Fixture *f,
                   guint64  iterations)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;

  load_example (f, "digits");
  params = *fs_param_panel_get_params (panel);
  params.rank = 16;
  params.nonneg = TRUE;
  params.l1_w = 2.0;
  params.l2_h = 0.1;
  params.max_iters = iterations;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (is_stopped, f->window, 60));
}

static gboolean
gallery_has_atoms (gpointer data)
{
  Fixture *f = data;
  FsAtomGallery *gallery = FS_ATOM_GALLERY (child (f, "gallery"));
  FsAtoms *atoms = fs_atom_gallery_get_atoms (gallery);
  FsSnapshot *s = fs_window_get_shown_snapshot (f->window);

  /* The atoms of the snapshot shown, not of an earlier one. */
  return atoms != NULL && s != NULL && s->state != FS_RUNNER_RUNNING &&
         atoms->n_atoms == s->rank;
}

/* The energy of component k of the snapshot's W and H, from scratch. */
static double
energy (const FsSnapshot *s,
        guint             k)
{
  double w = 0.0, h = 0.0;

  for (gsize i = 0; i < s->rows; i++)
    w += s->W[i * s->rank + k] * s->W[i * s->rank + k];
  for (gsize j = 0; j < s->cols; j++)
    h += s->H[k * s->cols + j] * s->H[k * s->cols + j];
  return sqrt (w) * sqrt (h);
}

/* The digits' rows are 8 × 8 images: the gallery shows each row of H as
 * one, largest energy first, for the W and H on screen. */
static void
test_gallery_digits (Fixture       *f,
                     gconstpointer  data)
{
  FsAtoms *atoms;
  FsSnapshot *s;
  GtkDropDown *shape = GTK_DROP_DOWN (child (f, "row_shape"));
  GtkStringObject *item;

  run_sparse_digits (f, 300);
  show_view (f, "atoms");
  g_assert_true (fs_test_wait_for (gallery_has_atoms, f, 20));
  atoms = fs_atom_gallery_get_atoms (FS_ATOM_GALLERY (child (f, "gallery")));
  s = fs_window_get_shown_snapshot (f->window);

  item = gtk_drop_down_get_selected_item (shape);
  g_assert_cmpstr (gtk_string_object_get_string (item), ==, "Rows are 8 × 8 images");
  g_assert_cmpint (atoms->layout, ==, FS_ATOMS_ROW_IMAGES);
  g_assert_cmpuint (atoms->tile_rows, ==, 8);
  g_assert_cmpuint (atoms->tile_cols, ==, 8);
  g_assert_cmpuint (atoms->n_atoms, ==, 16);
  for (guint a = 0; a < atoms->n_atoms; a++)
    {
      const FsAtom *atom = &atoms->atoms[a];

      g_assert_cmpfloat_with_epsilon (atom->energy, energy (s, atom->component), 1e-9 * atom->energy + 1e-300);
      if (a > 0)
        g_assert_cmpfloat (atom->energy, <=, atoms->atoms[a - 1].energy);
      /* Upright: pixel (y, x) of the tile is H[k, 8 y + x]. */
      g_assert_cmpfloat (atom->values[3 * 8 + 5], ==, s->H[atom->component * s->cols + 3 * 8 + 5]);
    }
}

/* Choosing another row shape redraws the gallery in it. */
static void
test_row_shape_choice (Fixture       *f,
                       gconstpointer  data)
{
  GtkDropDown *shape = GTK_DROP_DOWN (child (f, "row_shape"));
  GListModel *model;
  guint one_image = G_MAXUINT;

  run_sparse_digits (f, 50);
  show_view (f, "atoms");
  g_assert_true (fs_test_wait_for (gallery_has_atoms, f, 20));
  model = gtk_drop_down_get_model (shape);
  for (guint k = 0; k < g_list_model_get_n_items (model); k++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, k);

      if (g_str_equal (gtk_string_object_get_string (item), "X is one image"))
        one_image = k;
    }
  g_assert_cmpuint (one_image, !=, G_MAXUINT);
  gtk_drop_down_set_selected (shape, one_image);
  g_assert_true (fs_test_wait_for (gallery_has_atoms, f, 20));
  g_assert_cmpint (fs_atom_gallery_get_atoms (FS_ATOM_GALLERY (child (f, "gallery")))->layout, ==,
                   FS_ATOMS_RANK_ONE);
}

static gboolean
has_lowrank (gpointer window)
{
  FsMatrix *X = fs_window_get_matrix (window);

  return X != NULL && X->rows == FS_EXAMPLE_LOWRANK_ROWS && fs_window_get_shown_snapshot (window) != NULL;
}

/* A photo is one image; a plain matrix's rows are profiles. */
static void
test_default_shapes (Fixture       *f,
                     gconstpointer  data)
{
  GtkDropDown *shape = GTK_DROP_DOWN (child (f, "row_shape"));

  load_example (f, "camera");
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (shape)), ==,
                   "X is one image");
  load_example (f, "lowrank");
  g_assert_true (fs_test_wait_for (has_lowrank, f->window, 20));
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (shape)), ==,
                   "Rows are profiles");
  /* A dense start has no zeros: the status line keeps the room. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (child (f, "zeros_label"))));
}

/* A stack whose loader knows its image shape shows it, even when the
 * column count has more shapes than the list holds (720 has 28). */
static void
test_known_shape_listed (Fixture       *f,
                         gconstpointer  data)
{
  GtkDropDown *shape = GTK_DROP_DOWN (child (f, "row_shape"));
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_new (30, 720, &error);

  g_assert_no_error (error);
  for (gsize k = 0; k < X->rows * X->cols; k++)
    X->data[k] = (double) ((k * 7919) % 101) / 100.0;
  X->image_height = 8;
  X->image_width = 90;
  fs_window_load_matrix (f->window, X, "stack", 3);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (shape)), ==,
                   "Rows are 8 × 90 images");
}

/* With missing cells X has no singular values: the caption says so. */
static void
test_spectrum_missing_cells (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_matrix_new (20, 10, &error);

  g_assert_no_error (error);
  for (gsize k = 0; k < X->rows * X->cols; k++)
    X->data[k] = k % 17 == 3 ? NAN : (double) (k % 13);
  fs_matrix_mark_missing (X);
  fs_window_load_matrix (f->window, X, "gaps", 3);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  show_view (f, "spectrum");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "spectrum_caption"))),
                            "missing cells"));
}

/* Selecting a row of X (in any of the three maps, or with Sample) shows
 * its code, outlines it in the three maps and highlights its strongest
 * atoms. */
static void
test_select_sample (Fixture       *f,
                    gconstpointer  data)
{
  FsCodeView *code = FS_CODE_VIEW (child (f, "atoms_code"));
  FsCodeView *beside = FS_CODE_VIEW (child (f, "data_code"));
  FsAtomGallery *gallery = FS_ATOM_GALLERY (child (f, "gallery"));
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (f, "sample_spin"));
  guint strongest[3];
  guint n;

  run_sparse_digits (f, 200);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "data_code_revealer"))));
  fs_heatmap_set_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_X), 5);
  g_assert_cmpint (fs_heatmap_get_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_WH)), ==, 5);
  g_assert_cmpint (fs_heatmap_get_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_RESIDUAL)), ==, 5);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (spin), ==, 6);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "data_code_revealer"))));
  g_assert_cmpint (fs_code_view_get_row (code), ==, 5);
  g_assert_cmpint (fs_code_view_get_row (beside), ==, 5);

  n = fs_code_view_get_strongest (code, strongest, 3);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (fs_atom_gallery_get_n_highlighted (gallery), ==, n);

  /* The sample's zeros are the zeros of its row of W. */
  {
    FsSnapshot *s = fs_window_get_shown_snapshot (f->window);
    guint zeros = 0;

    for (guint k = 0; k < s->rank; k++)
      zeros += s->W[5 * s->rank + k] == 0.0;
    g_assert_cmpuint (fs_code_view_get_n_zeros (code), ==, zeros);
  }

  gtk_spin_button_set_value (spin, 12);
  g_assert_cmpint (fs_heatmap_get_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_X)), ==, 11);
  g_assert_cmpint (fs_code_view_get_row (code), ==, 11);
  gtk_spin_button_set_value (spin, 0);
  g_assert_cmpint (fs_heatmap_get_selected_row (fs_window_get_heatmap (f->window, FS_HEATMAP_X)), ==, -1);
  g_assert_cmpuint (fs_atom_gallery_get_n_highlighted (gallery), ==, 0);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (child (f, "data_code_revealer"))));
}

/* The status line's zeros are those of the W and H shown, counted. */
static void
test_zeros_in_status (Fixture       *f,
                      gconstpointer  data)
{
  FsSnapshot *s;
  FsZeroCount w, h;
  g_autofree char *expected = NULL;
  const char *text;

  run_sparse_digits (f, 300);
  s = fs_window_get_shown_snapshot (f->window);
  fs_count_zeros (s->W, s->rows * s->rank, &w);
  fs_count_zeros (s->H, (gsize) s->rank * s->cols, &h);
  g_assert_cmpuint (w.exact, >, 0);
  expected = g_strdup_printf ("Zeros: W %.1f%% · H %.1f%%", 100.0 * w.exact / w.total,
                              100.0 * h.exact / h.total);
  text = gtk_label_get_text (GTK_LABEL (child (f, "zeros_label")));
  g_assert_true (g_str_has_prefix (text, expected));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (f, "zeros_label"))));
}

static gboolean
past_4100 (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->iteration > 4100;
}

static gboolean
paused_at_odd (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_PAUSED && s->iteration % 2 == 1;
}

static void
assert_zeros_shown (Fixture *f)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (f->window);
  FsZeroCount w, h;
  g_autofree char *expected = NULL;

  fs_count_zeros (s->W, s->rows * s->rank, &w);
  fs_count_zeros (s->H, (gsize) s->rank * s->cols, &h);
  expected = g_strdup_printf ("Zeros: W %.1f%% · H %.1f%% (near 0: %.1f%% · %.1f%%)",
                              100.0 * w.exact / w.total, 100.0 * h.exact / h.total,
                              100.0 * w.small / w.total, 100.0 * h.small / h.total);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "zeros_label"))), ==, expected);
}

/* Past iteration 4096 the trace keeps every other iteration: paused at
 * an odd one, the status line's zeros are still those of the W and H
 * shown. */
static void
test_zeros_between_trace_points (Fixture       *f,
                                 gconstpointer  data)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params;
  FsSnapshot *s;
  FsTrace *trace;

  run_sparse_digits (f, 20);
  params = *fs_param_panel_get_params (panel);
  params.max_iters = 100000;
  params.tol = 0.0;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (past_4100, f->window, 60));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-pause", NULL));
  g_assert_true (fs_test_wait_for (is_stopped, f->window, 20));
  s = fs_window_get_shown_snapshot (f->window);
  if (s->iteration % 2 == 0)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.step", "u", 1));
  g_assert_true (fs_test_wait_for (paused_at_odd, f->window, 20));
  s = fs_window_get_shown_snapshot (f->window);
  trace = s->traces[s->run];
  g_assert_cmpuint (fs_trace_get_iteration (trace, s->trace_lengths[s->run] - 1), <, s->iteration);
  assert_zeros_shown (f);
}

static gboolean
spectrum_has_fit (gpointer data)
{
  Fixture *f = data;
  gsize n = 0;

  fs_spectrum_get_fit_values (FS_SPECTRUM (child (f, "spectrum")), &n);
  return n > 0;
}

/* The spectrum view shows X's singular values and, once computed off the
 * main thread, those of the W H shown: equal to an SVD of the product. */
static void
test_spectrum (Fixture       *f,
               gconstpointer  data)
{
  FsSpectrum *spectrum = FS_SPECTRUM (child (f, "spectrum"));
  g_autoptr(GArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  const double *values;
  FsSnapshot *s;
  gsize n;

  run_sparse_digits (f, 100);
  show_view (f, "spectrum");
  g_assert_true (fs_test_wait_for (spectrum_has_fit, f, 20));
  s = fs_window_get_shown_snapshot (f->window);
  expected = fs_product_singular_values (s->W, s->H, s->rows, s->cols, s->rank, &error);
  g_assert_no_error (error);
  values = fs_spectrum_get_fit_values (spectrum, &n);
  g_assert_cmpuint (n, ==, expected->len);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (values[i], ==, g_array_index (expected, double, i));
  g_assert_cmpuint (fs_spectrum_get_n_shown (spectrum), >=, 16);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (child (f, "spectrum_caption"))), "rank cut at 16"));
}

/* Ctrl+T shows the cost's terms on the loss plot: the data term and the
 * penalties that are on, not those that are off. */
static void
test_cost_terms (Fixture       *f,
                 gconstpointer  data)
{
  FsLossPlot *plot = FS_LOSS_PLOT (child (f, "loss_plot"));
  guint drawn;

  run_sparse_digits (f, 100);
  g_assert_cmpuint (fs_loss_plot_get_traces (plot), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-terms", NULL));
  g_assert_true (fs_param_panel_get_show_terms (fs_window_get_panel (f->window)));
  drawn = fs_loss_plot_get_drawn_traces (plot);
  g_assert_true (drawn & (1u << FS_TRACE_DATA));
  g_assert_true (drawn & (1u << FS_TRACE_L1_W));
  g_assert_true (drawn & (1u << FS_TRACE_L2_H));
  g_assert_false (drawn & (1u << FS_TRACE_L2_W));
  g_assert_false (drawn & (1u << FS_TRACE_L1_H));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-terms", NULL));
  g_assert_cmpuint (fs_loss_plot_get_drawn_traces (plot), ==, 0);
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  add ("/window-inspect/gallery-digits", test_gallery_digits);
  add ("/window-inspect/row-shape-choice", test_row_shape_choice);
  add ("/window-inspect/default-shapes", test_default_shapes);
  add ("/window-inspect/known-shape-listed", test_known_shape_listed);
  add ("/window-inspect/spectrum-missing-cells", test_spectrum_missing_cells);
  add ("/window-inspect/select-sample", test_select_sample);
  add ("/window-inspect/zeros-in-status", test_zeros_in_status);
  add ("/window-inspect/zeros-between-trace-points", test_zeros_between_trace_points);
  add ("/window-inspect/spectrum", test_spectrum);
  add ("/window-inspect/cost-terms", test_cost_terms);

  return g_test_run ();
}
