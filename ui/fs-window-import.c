/* fs-window-import.c: import options in the window.
 *
 * The window remembers, for its life, the options each file was read
 * with from the import sheet (canonical path → FsImportOptions): opening
 * the file again reads it so. A file a person opens (Open, Open Recent, a
 * drop, the command line) that nothing is remembered for opens the sheet
 * by itself once it is in, when the loader guessed anything; a session's
 * file and a reload from the sheet never do. Once the sheet has been
 * answered for a file, Reload or Cancel, it does not pop up for it again.
 * The sheet also opens from Import Options… (Ctrl+I) and the panel's
 * matrix row, for a file; an example has no file to read again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <stdlib.h>

#include <glib/gi18n.h>

#include "fs-window-private.h"

struct _FsWindowImportState
{
  GHashTable    *remembered;     /* canonical path → FsImportOptions */
  guint          pop_up_request; /* the person's opening the sheet follows, or 0 */
  FsImportSheet *sheet;          /* the sheet open, or NULL */
};

static FsWindowImportState *
state (FsWindow *self)
{
  return self->import_state;
}

static void
options_free (FsImportOptions *options)
{
  fs_import_options_clear (options);
  g_free (options);
}

/* The key of a file: its real path, so that the same file through a
 * symbolic link is the same file; the canonical path of one that is
 * gone. */
static char *
file_key (const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  char *real = realpath (canonical, NULL);

  if (real != NULL)
    {
      char *key = g_strdup (real);

      free (real);
      return key;
    }
  return g_steal_pointer (&canonical);
}

static void
remember (FsWindow              *self,
          const char            *path,
          const FsImportOptions *options)
{
  FsImportOptions *copy = g_new0 (FsImportOptions, 1);

  fs_import_options_init (copy);
  if (options != NULL)
    fs_import_options_copy (copy, options);
  g_hash_table_replace (state (self)->remembered, file_key (path), copy);
}

static const FsImportOptions *
lookup (FsWindow   *self,
        const char *path)
{
  g_autofree char *key = file_key (path);

  return g_hash_table_lookup (state (self)->remembered, key);
}

void
fs_window_import_open (FsWindow              *self,
                       const char            *path,
                       const FsImportOptions *options,
                       gboolean               by_user)
{
  const FsImportOptions *remembered = lookup (self, path);

  /* A session's options are the user's choice for the file too. */
  if (options != NULL && !fs_import_options_is_default (options))
    remember (self, path, options);
  else if (options == NULL)
    options = remembered;
  fs_session_open_path_full (self->session, path, options);
  fs_window_session_note_path (self, path);
  state (self)->pop_up_request = by_user && remembered == NULL ? fs_session_get_last_request (self->session)
                                                               : 0;
}

/* ---- The sheet ---- */

/* The options are the file's from now on; read again unless they are
 * the ones it was read with. The matrix shown stays until the new one is
 * whole, and a failure says why in the banner (the session's "failed"). */
static void
on_sheet_apply (FsImportSheet *sheet,
                FsWindow      *self)
{
  g_autofree char *path = g_strdup (fs_import_sheet_get_path (sheet));
  FsMatrix *X = fs_session_get_source (self->session);
  FsImportOptions options;

  fs_import_options_init (&options);
  fs_import_sheet_get_options (sheet, &options);
  remember (self, path, &options);
  gtk_window_destroy (GTK_WINDOW (sheet));
  if (X == NULL || g_strcmp0 (path, fs_window_session_get_data_path (self)) != 0 ||
      !fs_import_options_equal (&options, X->import_options))
    fs_window_import_open (self, path, &options, FALSE);
  fs_import_options_clear (&options);
}

/* Closed by Cancel or Escape: the file's reading is answered as it is. */
static void
on_sheet_destroy (FsImportSheet *sheet,
                  FsWindow      *self)
{
  const char *path = fs_import_sheet_get_path (sheet);
  FsMatrix *X = fs_session_get_source (self->session);

  if (lookup (self, path) == NULL)
    remember (self, path, X != NULL && g_strcmp0 (path, fs_window_session_get_data_path (self)) == 0
                            ? X->import_options : NULL);
  state (self)->sheet = NULL;
}

static void
close_sheet (FsWindow *self)
{
  FsImportSheet *sheet = state (self)->sheet;

  if (sheet == NULL)
    return;
  g_signal_handlers_disconnect_by_data (sheet, self);
  state (self)->sheet = NULL;
  gtk_window_destroy (GTK_WINDOW (sheet));
}

static void
show_sheet (FsWindow *self)
{
  const char *path = fs_window_session_get_data_path (self);
  FsMatrix *X = fs_session_get_source (self->session);
  g_autoptr(GError) error = NULL;
  FsImportSheet *sheet;

  if (state (self)->sheet != NULL)
    {
      gtk_window_present (GTK_WINDOW (state (self)->sheet));
      return;
    }
  if (path == NULL || X == NULL)
    return;
  sheet = fs_import_sheet_new (path, X, &error);
  if (sheet == NULL)
    {
      fs_window_show_banner (self, error->message);
      return;
    }
  gtk_window_set_transient_for (GTK_WINDOW (sheet), GTK_WINDOW (self));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (sheet), TRUE);
  g_signal_connect (sheet, "apply", G_CALLBACK (on_sheet_apply), self);
  g_signal_connect (sheet, "destroy", G_CALLBACK (on_sheet_destroy), self);
  state (self)->sheet = sheet;
  gtk_window_present (GTK_WINDOW (sheet));
}

FsImportSheet *
fs_window_import_get_sheet (FsWindow *self)
{
  return state (self)->sheet;
}

static void
import_options (GtkWidget  *widget,
                const char *action,
                GVariant   *param)
{
  show_sheet (FS_WINDOW (widget));
}

/* A new matrix: the action is there for a file, and the person's opening
 * of a file with guesses opens the sheet. */
static void
on_matrix_changed (FsWindow  *self,
                   gboolean   new_source,
                   FsSession *session)
{
  FsWindowImportState *st = state (self);
  const char *path = fs_window_session_get_data_path (self);
  FsMatrix *X = fs_session_get_source (session);
  gboolean pop_up;

  if (!new_source)
    return;
  pop_up = st->pop_up_request != 0 && st->pop_up_request == fs_session_get_source_request (session);
  if (pop_up || fs_session_get_source_request (session) >= st->pop_up_request)
    st->pop_up_request = 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-options", path != NULL);
  fs_param_panel_set_import_available (self->panel, path != NULL);
  /* A sheet of another file (one dropped meanwhile) has no place now. */
  if (st->sheet != NULL && g_strcmp0 (fs_import_sheet_get_path (st->sheet), path) != 0)
    close_sheet (self);
  if (pop_up && path != NULL && X != NULL && fs_import_report_has_guesses (X->import_report) &&
      lookup (self, path) == NULL)
    show_sheet (self);
}

void
fs_window_import_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.import-options", NULL, import_options);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import-options", NULL);
}

void
fs_window_import_init (FsWindow *self)
{
  self->import_state = g_new0 (FsWindowImportState, 1);
  self->import_state->remembered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) options_free);
  g_signal_connect_swapped (self->session, "matrix-changed", G_CALLBACK (on_matrix_changed), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-options", FALSE);
}

void
fs_window_import_dispose (FsWindow *self)
{
  if (self->import_state == NULL)
    return;
  close_sheet (self);
  g_clear_pointer (&self->import_state->remembered, g_hash_table_unref);
  g_clear_pointer (&self->import_state, g_free);
}
