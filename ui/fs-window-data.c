/* fs-window-data.c: Export Data, W, H, WH, X − WH or the loss history as
 * CSV or .npy, from the run the views show.
 *
 * The numbers are those of the viewed snapshot (the live run, a kept run
 * or the replayed checkpoint) and of the session's matrix, the one the
 * solver runs on (scaled); fs-results.c makes the bytes, as it does for
 * factorscope-cli run --out, and writes them atomically, so a failed
 * export leaves the old file whole.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window-data"

#include <glib/gi18n.h>
#include <string.h>

#include "fs-error.h"
#include "fs-results.h"
#include "fs-window-private.h"

/* The loss history of every run the snapshot has started. */
static GBytes *
encode_loss (FsSnapshot    *s,
             FsDataFormat   format,
             GError       **error)
{
  guint n_runs = s->run + 1;
  g_autofree guint64 *seeds = g_new (guint64, n_runs);

  /* Runs start from seeds S, S + 1, …, as the command line's --restarts;
   * the snapshot has the current run's. */
  for (guint k = 0; k < n_runs; k++)
    seeds[k] = s->seed - s->run + k;
  return fs_results_encode_loss (format, s->logs, s->log_lengths, seeds, n_runs, error);
}

/* The viewed run's result as the contents of a file in format. */
static GBytes *
encode_result (FsWindow      *self,
               FsResult       result,
               FsDataFormat   format,
               GError       **error)
{
  FsSnapshot *s = fs_window_get_viewed_snapshot (self);
  FsMatrix *X = fs_session_get_matrix (self->session);

  if (s == NULL || X == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("There is nothing to export yet: open a matrix or an example first"));
      return NULL;
    }
  if (result == FS_RESULT_LOSS)
    return encode_loss (s, format, error);
  /* A snapshot of another matrix may linger until the new one's first. */
  if (s->rows != X->rows || s->cols != X->cols || s->W == NULL || s->H == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("The run shown is not of this matrix yet: export once it starts"));
      return NULL;
    }
  /* A sparse X has no dense residual to write, and W H only while its
   * rows × cols fit in memory. */
  if (fs_matrix_is_sparse (X) && result == FS_RESULT_RESIDUAL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("X − WH of a sparse matrix is known only at its listed cells: "
                             "export W and H instead"));
      return NULL;
    }
  if (fs_matrix_is_sparse (X) && result == FS_RESULT_WH && !fs_matrix_check_size (X->rows, X->cols, NULL))
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                           _("WH of this sparse matrix has too many cells to write: "
                             "export W and H instead"));
      return NULL;
    }
  return fs_results_encode_matrix (result, format, X, s->W, s->H, s->rank, error);
}

/**
 * fs_window_export_data:
 * @what: "W", "H", "WH", "residual" or "loss"
 * @path: where to write; the extension (.csv or .npy) gives the format
 *
 * Writes the viewed run's result to @path, atomically, and makes its
 * folder the one the next Export Data dialog opens in. What Export Data
 * does once its dialog is answered, without the dialog.
 */
gboolean
fs_window_export_data (FsWindow    *self,
                       const char  *what,
                       const char  *path,
                       GError     **error)
{
  FsResult result;
  FsDataFormat format;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!fs_result_from_string (what, &result))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("There is no result called “%s” (use W, H, WH, residual or loss)"),
                   what != NULL ? what : "");
      return FALSE;
    }
  if (!fs_data_format_from_path (path, &format, error))
    return FALSE;
  bytes = encode_result (self, result, format, error);
  if (bytes == NULL || !fs_results_write (path, bytes, error))
    return FALSE;
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);

    fs_window_remember_folder (self, file);
  }
  return TRUE;
}

/* "cameraman-W.csv": the data's name, lower case and without an
 * extension or spaces, then the result's. */
static char *
suggest_name (FsWindow *self,
              FsResult  result)
{
  const char *name = fs_session_get_name (self->session);
  g_autofree char *base = g_ascii_strdown (name != NULL && *name != '\0' ? name : "factorscope", -1);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  g_strdelimit (base, " /\\:", '-');
  return g_strdup_printf ("%s-%s.csv", base, fs_result_get_file_name (result));
}

static void
show_exported (FsWindow   *self,
               FsResult    result,
               const char *path)
{
  g_autofree char *name = g_filename_display_basename (path);
  /* Translators: "Exported W to cameraman-W.csv". */
  g_autofree char *message = g_strdup_printf (_("Exported %s to %s"),
                                              fs_result_get_label (result), name);

  fs_window_show_toast (self, message);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    FsWindow        *self)
{
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (chooser)
                                                          : NULL;
  g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
  const char *what = gtk_file_chooser_get_choice (chooser, "matrix");
  g_autoptr(GError) error = NULL;
  FsResult result;

  if (path != NULL && fs_result_from_string (what, &result))
    {
      if (fs_window_export_data (self, what, path, &error))
        show_exported (self, result, path);
      else
        fs_window_show_banner (self, error->message);
    }
  g_object_unref (dialog);
}

/* By extension, whatever its case. */
static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *suffix)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_suffix (filter, suffix);
  gtk_file_chooser_add_filter (chooser, filter);
}

/* The Matrix choice: every result, by its label, the selected one first:
 * GTK 4.8's dialog ignores gtk_file_chooser_set_choice () and shows the
 * first option. */
static void
add_result_choice (GtkFileChooser *chooser,
                   FsResult        selected)
{
  const char *ids[FS_N_RESULTS + 1] = { NULL };
  const char *labels[FS_N_RESULTS + 1] = { NULL };
  guint n = 0;

  ids[n] = fs_result_get_file_name (selected);
  labels[n++] = fs_result_get_label (selected);
  for (FsResult k = 0; k < FS_N_RESULTS; k++)
    if (k != selected)
      {
        ids[n] = fs_result_get_file_name (k);
        labels[n++] = fs_result_get_label (k);
      }
  gtk_file_chooser_add_choice (chooser, "matrix", _("Matrix"), ids, labels);
  gtk_file_chooser_set_choice (chooser, "matrix", ids[0]);
}

/* The Save dialog, with the result chosen and a name for it in the
 * last folder used (remembered across launches). */
static void
show_export_dialog (FsWindow *self,
                    FsResult  selected)
{
  GtkFileChooserNative *dialog;
  GtkFileChooser *chooser;
  g_autoptr(GFile) folder = fs_window_dup_last_folder (self);
  g_autofree char *name = suggest_name (self, selected);
  g_autoptr(GtkFileFilter) all_files = fs_window_all_files_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Export Data"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (dialog);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_result_choice (chooser, selected);
  add_filter (chooser, _("CSV (pandas, R, spreadsheets)"), "csv");
  add_filter (chooser, _("NumPy (.npy)"), "npy");
  gtk_file_chooser_add_filter (chooser, all_files);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (chooser, folder, NULL);
  gtk_file_chooser_set_current_name (chooser, name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_data (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  const char *focused = fs_window_export_focused_name (self);
  FsResult result = FS_RESULT_W;

  /* The matrix of the plot or map with the focus: the loss history from
   * the loss plot, X − WH from its map; WH from X's (X is the input). */
  if (g_strcmp0 (focused, "X") == 0)
    result = FS_RESULT_WH;
  else if (focused == NULL || !fs_result_from_string (focused, &result))
    result = FS_RESULT_W;
  show_export_dialog (self, result);
}

/* A plot's or map's context menu: the dialog with its result chosen. */
static void
export_result (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  FsResult result;

  if (!fs_result_from_string (g_variant_get_string (param, NULL), &result))
    {
      g_warning ("No result called “%s” to export", g_variant_get_string (param, NULL));
      return;
    }
  show_export_dialog (FS_WINDOW (widget), result);
}

void
fs_window_data_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-data", NULL, export_data);
  gtk_widget_class_install_action (widget_class, "win.export-result", "s", export_result);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-data", NULL);
}
