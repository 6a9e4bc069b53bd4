/* test-window-data.c: Export Data, the viewed run's results as files
 * (fs-window-data.c), through fs_window_export_data as the dialog calls it.
 * Each case has a window of its own, so any case runs alone (-p).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-loader.h"
#include "fs-test-window.h"
#include "fs-window-private.h"

#define STEPS 50

#ifdef __SANITIZE_ADDRESS__
/* The file chooser makes GLib's quark table grow, which leaves its first
 * block on purpose; lsan.supp knows it by the constructor that made it,
 * which only the slow unwinder finds. */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}
#endif

static gboolean
stepped (gpointer window)
{
  FsSnapshot *s = fs_window_get_viewed_snapshot (window);

  return s != NULL && s->iteration == STEPS && s->state != FS_RUNNER_RUNNING;
}

/* The labelled USArrests matrix, STEPS iterations in, paused. */
static FsSnapshot *
open_and_step (Fixture *f)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv", "R_USArrests.csv",
                                            NULL);

  fs_window_open_path (f->window, path);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.step", "u", STEPS));
  g_assert_true (fs_test_wait_for (stepped, f->window, 20));
  return fs_window_get_viewed_snapshot (f->window);
}

static FsMatrix *
export_and_load (Fixture    *f,
                 const char *what,
                 const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *m;

  g_assert_true (fs_window_export_data (f->window, what, path, &error));
  g_assert_no_error (error);
  m = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  return m;
}

/* W as the snapshot holds it, bit for bit, with the input's row labels
 * and the components' names; X − WH with the input's labels. */
static void
test_export_w_and_residual (Fixture       *f,
                            gconstpointer  data)
{
  FsSnapshot *s = open_and_step (f);
  FsMatrix *X = fs_window_get_matrix (f->window);
  g_autoptr(FsMatrix) W = export_and_load (f, "W", "usarrests-W.csv");
  g_autoptr(FsMatrix) residual = export_and_load (f, "residual", "usarrests-residual.csv");

  g_assert_cmpuint (W->rows, ==, X->rows);
  g_assert_cmpuint (W->cols, ==, s->rank);
  g_assert_cmpmem (W->data, W->rows * W->cols * sizeof (double), s->W,
                   X->rows * s->rank * sizeof (double));
  g_assert_cmpstr (W->row_labels[0], ==, "Alabama");
  g_assert_cmpstr (W->col_labels[0], ==, "c1");

  g_assert_cmpuint (residual->rows, ==, X->rows);
  g_assert_cmpuint (residual->cols, ==, X->cols);
  g_assert_cmpstr (residual->row_labels[49], ==, "Wyoming");
  g_assert_cmpstr (residual->col_labels[3], ==, "Rape");
  for (gsize i = 0; i < X->rows; i++)
    for (gsize j = 0; j < X->cols; j++)
      {
        double wh = 0.0;

        for (guint k = 0; k < s->rank; k++)
          wh += s->W[i * s->rank + k] * s->H[k * X->cols + j];
        g_assert_cmpfloat (fabs (residual->data[i * X->cols + j] - (X->data[i * X->cols + j] - wh)),
                           <=, 1e-9 * fmax (1.0, fabs (X->data[i * X->cols + j])));
      }
}

/* H, the loss history as far as the run went, and .npy by extension. */
static void
test_export_h_loss_npy (Fixture       *f,
                        gconstpointer  data)
{
  FsSnapshot *s = open_and_step (f);
  g_autoptr(FsMatrix) H = export_and_load (f, "H", "H.npy");
  g_autoptr(FsMatrix) loss = export_and_load (f, "loss", "loss.csv");

  g_assert_cmpstr (H->format, ==, "npy");
  g_assert_null (H->row_labels);
  g_assert_cmpmem (H->data, H->rows * H->cols * sizeof (double), s->H,
                   s->rank * s->cols * sizeof (double));
  g_assert_cmpuint (loss->rows, ==, STEPS + 1);
  g_assert_cmpstr (loss->col_labels[0], ==, "cost");
  g_assert_cmpfloat (loss->data[STEPS], ==, fs_cost_log_get (s->logs[0], STEPS));
}

/* An extension that names no format, an unknown result and a folder that
 * does not exist are errors that say so; nothing is written. */
static void
test_export_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *xlsx = g_build_filename (f->dir, "W.xlsx", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "missing", "W.csv", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "W.csv", NULL);
  g_autoptr(GError) error = NULL;

  /* Nothing to export before a matrix. */
  g_assert_false (fs_window_export_data (f->window, "W", csv, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  open_and_step (f);
  g_assert_false (fs_window_export_data (f->window, "W", xlsx, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "W.xlsx"));
  g_clear_error (&error);

  g_assert_false (fs_window_export_data (f->window, "V", csv, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (fs_window_export_data (f->window, "W", nowhere, &error));
  g_assert_nonnull (strstr (error->message, nowhere));
  g_assert_false (g_file_test (xlsx, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
}

/* The actions are the window's: Export Data, and each plot's result by
 * name. */
static void
test_actions (Fixture       *f,
              gconstpointer  data)
{
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (f->window);
  GType owner;
  const char *name, *property;
  const GVariantType *type;
  gboolean data_found = FALSE, result_found = FALSE;

  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &type, &property); i++)
    {
      if (g_str_equal (name, "win.export-data"))
        data_found = type == NULL;
      if (g_str_equal (name, "win.export-result"))
        result_found = type != NULL && g_variant_type_equal (type, G_VARIANT_TYPE_STRING);
    }
  g_assert_true (data_found);
  g_assert_true (result_found);
}

/* The file chooser the dialog flow shows, once it is mapped. */
static gboolean
find_chooser (gpointer data)
{
  GtkWidget **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (w) && gtk_widget_get_mapped (w))
        *found = w;
    }
  return *found != NULL;
}

static gboolean
is_file (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* A plot's menu item (win.export-result "residual"): the Save dialog
 * comes with X − WH chosen, in the folder of the last export, with a name
 * from the data's; accepting it writes that file. */
static void
test_dialog (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *dialog = NULL;
  g_autofree char *first = g_build_filename (f->dir, "W.csv", NULL);
  g_autofree char *path = g_build_filename (f->dir, "r_usarrests-residual.csv", NULL);
  g_autoptr(FsMatrix) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  open_and_step (f);
  g_assert_true (fs_window_export_data (f->window, "W", first, &error));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-result", "s",
                                             "residual"));
  g_assert_true (fs_test_wait_for (find_chooser, &dialog, 10));
  g_assert_cmpstr (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "matrix"), ==,
                   "residual");
  name = gtk_file_chooser_get_current_name (GTK_FILE_CHOOSER (dialog));
  g_assert_cmpstr (name, ==, "r_usarrests-residual.csv");

  /* The chooser takes a name only once it has read the folder, which it
   * does in the background: accept until it does. The file lands in the
   * last export's folder. */
  for (guint k = 0; k < 20 && !g_file_test (path, G_FILE_TEST_EXISTS); k++)
    {
      gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
      fs_test_wait_for (is_file, path, 0.5);
    }
  back = fs_matrix_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->col_labels[0], ==, "Murder");
  g_assert_cmpstr (back->row_labels[0], ==, "Alabama");
  g_assert_null (fs_window_get_banner (f->window));
}

/* Ctrl+Shift+E offers the matrix of the plot or map with the focus: the
 * loss history from the loss plot, H from H's map. */
static void
test_dialog_follows_focus (Fixture       *f,
                           gconstpointer  data)
{
  const struct { const char *child; const char *choice; } cases[] = {
    { "loss_plot", "loss" },
    { NULL, "H" },
  };

  open_and_step (f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *dialog = NULL;
      GtkWidget *focus;

      if (cases[i].child != NULL)
        focus = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), FS_TYPE_WINDOW,
                                                           cases[i].child));
      else
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.view", "s", "factors"));
          fs_test_redraw (GTK_WIDGET (f->window));
          focus = GTK_WIDGET (f->window->maps[FS_HEATMAP_H]);
        }
      g_assert_true (gtk_widget_grab_focus (focus));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-data", NULL));
      g_assert_true (fs_test_wait_for (find_chooser, &dialog, 10));
      g_assert_cmpstr (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "matrix"), ==,
                       cases[i].choice);
      gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
      fs_test_redraw (GTK_WIDGET (f->window));
    }
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

  add ("/window-data/w-and-residual", test_export_w_and_residual);
  add ("/window-data/h-loss-npy", test_export_h_loss_npy);
  add ("/window-data/errors", test_export_errors);
  add ("/window-data/actions", test_actions);
  add ("/window-data/dialog", test_dialog);
  add ("/window-data/dialog-follows-focus", test_dialog_follows_focus);
  return g_test_run ();
}
