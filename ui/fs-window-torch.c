/* fs-window-torch.c: "Export as PyTorch Script…" (Ctrl+Shift+T).
 *
 * Writes the session's matrix (scaled as the solver sees it) and settings
 * as a standalone PyTorch script with its data beside it (fs-torch.h).
 * The save dialog starts in the last folder used (fs_window_dup_last_folder,
 * remembered across launches), with a name made from the data's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope"

#include <glib/gi18n.h>
#include <string.h>

#include "fs-error.h"
#include "fs-torch.h"
#include "fs-window-private.h"

gboolean
fs_window_export_torch (FsWindow    *self,
                        const char  *path,
                        GError     **error)
{
  FsMatrix *X;

  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  X = fs_session_get_matrix (self->session);
  if (X == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                           _("There is no matrix to export: open one first"));
      return FALSE;
    }
  /* The script reads X as a dense .npy beside it. */
  if (fs_matrix_is_sparse (X))
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("Export as PyTorch needs a dense matrix: reload the file with "
                             "Storage set to Dense in Import Options"));
      return FALSE;
    }
  return fs_torch_export (path, X, fs_session_get_params (self->session), error);
}

/* "volcano-torch.py" for "volcano.csv": the data's name without its
 * extension, with only letters, digits, "-" and "_" kept. */
static char *
suggested_name (FsWindow *self)
{
  const char *name = fs_session_get_name (self->session);
  g_autofree char *base = g_strdup (name != NULL && *name != '\0' ? name : "factorscope");
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  for (char *c = base; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      *c = '-';
  return g_strconcat (base, "-torch.py", NULL);
}

static void
export_to_file (FsWindow *self,
                GFile    *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = g_file_get_basename (file);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("Cannot write %s: only local files can be "
                                                    "written"), uri);

      fs_window_show_banner (self, message);
      return;
    }
  if (!fs_window_export_torch (self, path, &error))
    {
      g_autofree char *display = g_filename_display_name (path);
      /* Write errors name the file already; the others get its name here. */
      g_autofree char *message = error->domain == G_FILE_ERROR
        ? g_strdup (error->message)
        : g_strdup_printf (_("Could not export %s: %s"), display, error->message);

      fs_window_show_banner (self, message);
      return;
    }

  fs_window_remember_folder (self, file);
  {
    g_autofree char *message = g_strdup_printf (_("Saved %s and its data"), name);

    fs_window_show_toast (self, message);
  }
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  FsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        export_to_file (self, file);
    }
  g_object_unref (dialog);
}

static void
export_torch (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(GFile) folder = fs_window_dup_last_folder (self);
  g_autofree char *name = NULL;
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) scripts = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_files = fs_window_all_files_filter_new ();

  if (fs_session_get_matrix (self->session) == NULL)
    {
      fs_window_show_toast (self, _("There is no matrix to export: open one first"));
      return;
    }

  name = suggested_name (self);
  dialog = gtk_file_chooser_native_new (_("Export as PyTorch Script"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_filter_set_name (scripts, _("Python scripts"));
  gtk_file_filter_add_suffix (scripts, "py");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), scripts);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all_files);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
fs_window_torch_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-torch", NULL, export_torch);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-torch", NULL);
}
