/* test-window-import.c: the import sheet in the window (fs-import-sheet.c,
 * fs-window-import.c): it opens by itself for a file the loader guessed
 * about, its preview follows its controls, Reload reads the file again,
 * the choice is remembered and saved in sessions. Each case has a window
 * of its own, so any case runs alone (-p).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "fs-test-window.h"
#include "fs-window-private.h"

/* 30 respondents (distinct ids from 101 to 998) and five answers from 1
 * to 5: the id column is read as row labels by the rule for numbers. */
static char *
survey_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import-ui", "survey.csv", NULL);
}

static gboolean
has_sheet (gpointer window)
{
  return fs_window_import_get_sheet (window) != NULL;
}

static gboolean
has_no_sheet (gpointer window)
{
  return fs_window_import_get_sheet (window) == NULL;
}

typedef struct
{
  FsWindow *window;
  FsMatrix *old;
  gsize     cols;
} NewSource;

static gboolean
source_changed (gpointer data)
{
  NewSource *wait = data;
  FsMatrix *X = fs_session_get_source (fs_window_get_session (wait->window));

  return X != NULL && X != wait->old && (wait->cols == 0 || X->cols == wait->cols);
}

/* Waits for a matrix other than old (of cols columns, unless 0). */
static FsMatrix *
wait_for_source (FsWindow *window,
                 FsMatrix *old,
                 gsize     cols)
{
  NewSource wait = { window, old, cols };

  g_assert_true (fs_test_wait_for (source_changed, &wait, 20));
  return fs_session_get_source (fs_window_get_session (window));
}

/* Opens the survey as a person does; the sheet pops up. */
static FsImportSheet *
open_survey (Fixture *f)
{
  g_autofree char *path = survey_path ();

  fs_window_open_path (f->window, path);
  wait_for_source (f->window, NULL, 0);
  g_assert_true (fs_test_wait_for (has_sheet, f->window, 10));
  return fs_window_import_get_sheet (f->window);
}

/* The loader took the ids as labels, and the sheet says so and why. */
static void
test_pops_up (Fixture       *f,
              gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  FsMatrix *X = fs_session_get_source (fs_window_get_session (f->window));
  g_autofree char *preview = fs_import_sheet_dup_preview_text (sheet);
  g_auto(GStrv) lines = g_strsplit (preview, "\n", -1);

  g_assert_cmpuint (X->rows, ==, 30);
  g_assert_cmpuint (X->cols, ==, 5);
  g_assert_true (fs_import_report_has_guesses (X->import_report));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (sheet)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (sheet)) == GTK_WINDOW (f->window));
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 5");
  g_assert_nonnull (strstr (fs_import_sheet_get_guesses (sheet),
                            "The first column, “respondent”, is read as row labels: its values are"));
  /* The header row: a label column, then q1…q5; the first row starts
   * with its id as a label. */
  g_assert_true (g_str_has_prefix (preview, "\tq1\tq2\tq3\tq4\tq5\n635\t2\t5\t1\t2\t2\n"));
  /* Eight rows of 30 are shown, and a row that says the table goes on. */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 8 + 1 + 1);
}

static gboolean
has_cols_6 (gpointer window)
{
  FsMatrix *X = fs_session_get_source (fs_window_get_session (window));

  return X != NULL && X->cols == 6;
}

/* Row labels → None: the preview shows the ids as data before Reload;
 * Reload reads the file again with one more column, and closes. */
static void
test_no_labels (Fixture       *f,
                gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  FsMatrix *old = fs_session_get_source (fs_window_get_session (f->window));
  g_autofree char *preview = NULL;
  FsMatrix *X;

  fs_import_sheet_set_row_labels (sheet, FS_ROW_LABELS_NONE);
  preview = fs_import_sheet_dup_preview_text (sheet);
  g_assert_true (g_str_has_prefix (preview, "respondent\tq1\tq2\tq3\tq4\tq5\n635\t2\t5\t1\t2\t2\n"));
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 6");
  /* Nothing is read again before Reload. */
  g_assert_true (fs_session_get_source (fs_window_get_session (f->window)) == old);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.apply", NULL));
  g_assert_true (fs_test_wait_for (has_no_sheet, f->window, 10));
  g_assert_true (fs_test_wait_for (has_cols_6, f->window, 20));
  X = fs_session_get_source (fs_window_get_session (f->window));
  g_assert_null (X->row_labels);
  g_assert_cmpfloat (fs_matrix_get (X, 0, 0), ==, 635.0);
  g_assert_nonnull (X->import_options);
  g_assert_cmpint (X->import_options->row_labels, ==, FS_ROW_LABELS_NONE);
  /* Reading it again with the sheet's options does not pop it up. */
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_null (fs_window_import_get_sheet (f->window));
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button (child, label)) != NULL)
        return found;
    }
  return NULL;
}

/* A wrong list is said under the field and Reload cannot be pressed; the
 * preview stays at the last right list. */
static void
test_invalid_columns (Fixture       *f,
                      gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  GtkWidget *reload = find_button (GTK_WIDGET (sheet), "_Reload");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_nonnull (reload);
  g_assert_true (gtk_widget_get_sensitive (reload));
  fs_import_sheet_set_columns_text (sheet, "3");
  before = fs_import_sheet_dup_preview_text (sheet);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 4");
  g_assert_nonnull (strstr (before, "left out"));
  fs_import_sheet_set_columns_text (sheet, "3-x");
  g_assert_nonnull (fs_import_sheet_get_columns_error (sheet));
  g_assert_false (fs_import_sheet_get_can_apply (sheet));
  g_assert_false (gtk_widget_get_sensitive (reload));
  after = fs_import_sheet_dup_preview_text (sheet);
  g_assert_cmpstr (before, ==, after);
  fs_import_sheet_set_columns_text (sheet, "");
  g_assert_null (fs_import_sheet_get_columns_error (sheet));
  g_assert_true (gtk_widget_get_sensitive (reload));
}

/* 2200 records whose ids are distinct over the first 2050 only: the
 * preview's first records would take them as row labels, the whole load
 * does not. The sheet says what the whole load did. */
static void
test_whole_load_guesses (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "repeats.csv", NULL);
  g_autoptr(GString) text = g_string_new ("id,a,b,c\n");
  FsImportSheet *sheet;
  FsMatrix *X;

  for (guint i = 0; i < 2200; i++)
    g_string_append_printf (text, "%u,%u.25,%u.5,%u.75\n", i < 2050 ? i + 1 : i - 2049, i % 7, i % 5, i % 3);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  fs_window_open_path (f->window, path);
  X = wait_for_source (f->window, NULL, 0);
  g_assert_cmpuint (X->rows, ==, 2200);
  g_assert_cmpuint (X->cols, ==, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.import-options", NULL));
  g_assert_true (fs_test_wait_for (has_sheet, f->window, 10));
  sheet = fs_window_import_get_sheet (f->window);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "2200 × 4");
  g_assert_null (strstr (fs_import_sheet_get_guesses (sheet), "is read as row labels"));
}

static guint
count_error_labels (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += (GTK_IS_LABEL (child) && gtk_widget_has_css_class (child, "error") ? 1 : 0) + count_error_labels (child);
  return n;
}

/* On the way to 9,x the list 9 is past the file's width: once the list
 * is wrong, only its own error shows, not the preview's of 9. */
static void
test_stale_error (Fixture       *f,
                  gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);

  fs_import_sheet_set_columns_text (sheet, "9");
  g_assert_null (fs_import_sheet_get_columns_error (sheet));
  g_assert_cmpuint (count_error_labels (GTK_WIDGET (sheet)), ==, 1);
  fs_import_sheet_set_columns_text (sheet, "9,x");
  g_assert_nonnull (fs_import_sheet_get_columns_error (sheet));
  g_assert_cmpuint (count_error_labels (GTK_WIDGET (sheet)), ==, 1);
  fs_import_sheet_set_columns_text (sheet, "3");
  g_assert_cmpuint (count_error_labels (GTK_WIDGET (sheet)), ==, 0);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 4");
}

static GtkWidget *
find_header (GtkWidget *root,
             guint      column)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "file-column")) == column)
        return child;
      if ((found = find_header (child, column)) != NULL)
        return found;
    }
  return NULL;
}

/* Space on a column's header rebuilds the grid: the focus stays on that
 * column's header. */
static void
test_header_focus (Fixture       *f,
                   gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  GtkWidget *header;
  GtkWidget *focus;

  fs_test_redraw (GTK_WIDGET (sheet));
  header = find_header (GTK_WIDGET (sheet), 4);
  g_assert_nonnull (header);
  g_assert_true (gtk_widget_grab_focus (header));
  g_signal_emit_by_name (header, "clicked");
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 4");
  focus = gtk_root_get_focus (GTK_ROOT (sheet));
  g_assert_nonnull (focus);
  g_assert_true (focus != header);
  g_assert_true (focus == find_header (GTK_WIDGET (sheet), 4));
}

/* A click on a column's header leaves it out, a second reads it again. */
static void
test_toggle_column (Fixture       *f,
                    gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  FsImportOptions options;

  fs_import_options_init (&options);
  fs_import_sheet_toggle_column (sheet, 1);
  fs_import_sheet_get_options (sheet, &options);
  g_assert_cmpuint (options.n_drop_columns, ==, 1);
  g_assert_cmpuint (options.drop_columns[0], ==, 3);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 4");
  fs_import_sheet_toggle_column (sheet, 1);
  fs_import_sheet_get_options (sheet, &options);
  g_assert_cmpuint (options.n_drop_columns, ==, 0);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "30 × 5");
  fs_import_options_clear (&options);
}

/* Cancel answers it: the same file opened again does not pop it up. */
static void
test_once_per_file (Fixture       *f,
                    gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  FsMatrix *old = fs_session_get_source (fs_window_get_session (f->window));
  g_autofree char *path = survey_path ();
  GObject *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.cancel", NULL));
  g_assert_true (fs_test_wait_for (has_no_sheet, f->window, 10));
  fs_window_open_path (f->window, path);
  wait_for_source (f->window, old, 0);
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_null (fs_window_import_get_sheet (f->window));
  /* The matrix row (as the menu and Ctrl+I) still opens it. */
  g_assert_true (fs_param_panel_get_import_available (fs_window_get_panel (f->window)));
  row = gtk_widget_get_template_child (GTK_WIDGET (fs_window_get_panel (f->window)), FS_TYPE_PARAM_PANEL,
                                      "data_row");
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (row)), ==, "Import options");
  g_signal_emit_by_name (row, "activate");
  g_assert_true (fs_test_wait_for (has_sheet, f->window, 10));
}

/* Saved with the session, and read so again when it is opened, without
 * the sheet; Copy as Command Line names the option. */
static void
test_session (Fixture       *f,
              gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  g_autofree char *saved = g_build_filename (f->dir, "survey.factorscope", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSessionFile) file = NULL;
  FsWindow *other;
  FsMatrix *X;

  fs_import_sheet_set_row_labels (sheet, FS_ROW_LABELS_NONE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.apply", NULL));
  g_assert_true (fs_test_wait_for (has_cols_6, f->window, 20));
  g_assert_true (fs_window_save_session (f->window, saved, &error));
  g_assert_no_error (error);
  file = fs_session_file_load (saved, &error);
  g_assert_no_error (error);
  g_assert_cmpint (file->import.row_labels, ==, FS_ROW_LABELS_NONE);
  {
    g_autoptr(FsSessionFile) shown = fs_window_dup_session_file (f->window, &error);
    g_autofree char *command = NULL;

    g_assert_no_error (error);
    command = fs_session_file_to_command_line (shown);
    g_assert_nonnull (strstr (command, "--row-labels none"));
  }

  other = g_object_ref (fs_window_new (NULL));
  gtk_window_present (GTK_WINDOW (other));
  fs_window_open_path (other, saved);
  g_assert_true (fs_test_wait_for (has_cols_6, other, 20));
  X = fs_session_get_source (fs_window_get_session (other));
  g_assert_cmpint (X->import_options->row_labels, ==, FS_ROW_LABELS_NONE);
  fs_test_redraw (GTK_WIDGET (other));
  g_assert_null (fs_window_import_get_sheet (other));
  gtk_window_destroy (GTK_WINDOW (other));
  g_assert_finalize_object (other);
}

/* The choice is remembered for the file, not the name it was opened
 * by: the same file through a symbolic link is read so, without the
 * sheet. */
static void
test_symlink (Fixture       *f,
              gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);
  g_autofree char *target = survey_path ();
  g_autofree char *absolute = g_canonicalize_filename (target, NULL);
  g_autofree char *link = g_build_filename (f->dir, "link.csv", NULL);
  FsMatrix *old;
  FsMatrix *X;

  fs_import_sheet_set_row_labels (sheet, FS_ROW_LABELS_NONE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.apply", NULL));
  g_assert_true (fs_test_wait_for (has_cols_6, f->window, 20));
  g_assert_true (fs_test_wait_for (has_no_sheet, f->window, 10));
  g_assert_cmpint (symlink (absolute, link), ==, 0);
  old = fs_session_get_source (fs_window_get_session (f->window));
  fs_window_open_path (f->window, link);
  X = wait_for_source (f->window, old, 0);
  g_assert_cmpuint (X->cols, ==, 6);
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_null (fs_window_import_get_sheet (f->window));
}

static void
check_named (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean control = GTK_IS_SWITCH (child) || ADW_IS_COMBO_ROW (child) || ADW_IS_ENTRY_ROW (child) ||
                         (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) == NULL);

      gboolean self_named = ADW_IS_PREFERENCES_ROW (child);

      /* A row names itself after its title: a label of its own on top
       * is read twice by screen readers. */
      if (self_named && gtk_test_accessible_has_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_error ("A %s of the import sheet is named twice", G_OBJECT_TYPE_NAME (child));
      if (control && !self_named && gtk_widget_get_visible (child) &&
          !gtk_test_accessible_has_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL) &&
          !gtk_test_accessible_has_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
        g_error ("A %s of the import sheet has no accessible name", G_OBJECT_TYPE_NAME (child));
      check_named (child);
    }
}

/* Every control has a plain name; the preview's headers say what a click does. */
static void
test_accessible (Fixture       *f,
                 gconstpointer  data)
{
  FsImportSheet *sheet = open_survey (f);

  check_named (GTK_WIDGET (sheet));
  g_assert_nonnull (find_button (GTK_WIDGET (sheet), "_Cancel"));
  /* Named by the label inside, once and without the underscore. */
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (find_button (GTK_WIDGET (sheet), "_Cancel")),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (find_button (GTK_WIDGET (sheet), "_Reload")),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL));
  /* Escape is Cancel. */
  gtk_widget_activate_action (GTK_WIDGET (sheet), "sheet.cancel", NULL);
  g_assert_true (fs_test_wait_for (has_no_sheet, f->window, 10));
}

static guint
count_visible_combos (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += (ADW_IS_COMBO_ROW (child) && gtk_widget_get_visible (child) ? 1 : 0) + count_visible_combos (child);
  return n;
}

/* An example has no file: the action is off, the row cannot be clicked.
 * A .npy file offers only Transpose and the columns to leave out. */
static void
test_formats (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *npy = g_build_filename (g_getenv ("FS_TEST_DATA"), "npy", "skimage_lfw_subset_200x625.npy",
                                           NULL);
  FsImportSheet *sheet;

  load_example (f, "lowrank");
  g_assert_false (fs_param_panel_get_import_available (fs_window_get_panel (f->window)));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.import-options", NULL);
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_null (fs_window_import_get_sheet (f->window));

  fs_window_open_path (f->window, npy);
  wait_for_source (f->window, fs_session_get_source (fs_window_get_session (f->window)), 625);
  fs_test_redraw (GTK_WIDGET (f->window));
  g_assert_null (fs_window_import_get_sheet (f->window));
  g_assert_true (fs_param_panel_get_import_available (fs_window_get_panel (f->window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.import-options", NULL));
  g_assert_true (fs_test_wait_for (has_sheet, f->window, 10));
  sheet = fs_window_import_get_sheet (f->window);
  g_assert_cmpuint (count_visible_combos (GTK_WIDGET (sheet)), ==, 0);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "200 × 625");
  fs_import_sheet_set_transpose (sheet, TRUE);
  g_assert_cmpstr (fs_import_sheet_get_shape (sheet), ==, "625 × 200");
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

  add ("/window-import/pops-up", test_pops_up);
  add ("/window-import/no-labels", test_no_labels);
  add ("/window-import/invalid-columns", test_invalid_columns);
  add ("/window-import/toggle-column", test_toggle_column);
  add ("/window-import/stale-error", test_stale_error);
  add ("/window-import/whole-load-guesses", test_whole_load_guesses);
  add ("/window-import/header-focus", test_header_focus);
  add ("/window-import/once-per-file", test_once_per_file);
  add ("/window-import/session", test_session);
  add ("/window-import/symlink", test_symlink);
  add ("/window-import/accessible", test_accessible);
  add ("/window-import/formats", test_formats);
  return g_test_run ();
}
