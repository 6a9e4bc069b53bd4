/* fs-window-settings.c: what the app remembers between launches, with
 * GSettings (schema org.factorscope.Factorscope): the window's size and
 * maximized state, the last folder of Open and Save, the recent files
 * (the Open Recent menu, newest first) and the last settings.
 *
 * The schema is looked up in the default places first, then in the build
 * folder (FS_SCHEMA_BUILD_DIR), so that `build/app/factorscope` and the
 * tests find it uninstalled. Without it anywhere the app runs without
 * memory and says so once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <string.h>

#include "fs-window-private.h"

#define SCHEMA_ID "org.factorscope.Factorscope"
#define RECENT_MAX 10

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchemaSource) build = NULL;
  g_autoptr(GError) error = NULL;
  GSettingsSchema *schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema != NULL)
    return schema;
#ifdef FS_SCHEMA_BUILD_DIR
  /* Not installed: the schema compiled in the build folder, if it is
   * still there. */
  build = g_settings_schema_source_new_from_directory (FS_SCHEMA_BUILD_DIR, source, FALSE, &error);
  if (build != NULL)
    schema = g_settings_schema_source_lookup (build, SCHEMA_ID, FALSE);
#endif
  return schema;
}

/* The app's settings, or NULL when the schema is nowhere: the windows then
 * remember nothing, which is said once on stderr rather than aborting as
 * g_settings_new () would. */
GSettings *
fs_window_settings_new (void)
{
  static gsize looked_up;
  static GSettingsSchema *schema;

  if (g_once_init_enter (&looked_up))
    {
      schema = lookup_schema ();
      if (schema == NULL)
        g_printerr (_("Factorscope: the settings schema %s is not installed: "
                      "window size, recent files and the last settings will not be remembered.\n"),
                    SCHEMA_ID);
      g_once_init_leave (&looked_up, 1);
    }
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

/* ---- The window's size ---- */

static void
restore_size (FsWindow *self)
{
  if (self->settings == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
}

/* At realize, not in init: GtkWindow's "maximized" is set after init. */
static void
on_realize (FsWindow *self)
{
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* A maximized window keeps the size it had before, for when it is not. */
static void
save_size (FsWindow *self)
{
  gboolean maximized = gtk_window_is_maximized (GTK_WINDOW (self));
  int width, height;

  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (maximized)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  /* The schema's smallest, which libadwaita's windows cannot go below. */
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
}

/* However the window goes (closed, Quit, the app's shutdown), it is
 * unrealized: its size and settings are saved then. */
static void
on_unrealize (FsWindow *self)
{
  g_autofree char *last = NULL;

  if (self->settings == NULL)
    return;
  save_size (self);
  last = fs_window_session_dup_last_params (self);
  if (last != NULL)
    g_settings_set_string (self->settings, "last-session", last);
}

/* ---- The last folder ---- */

/**
 * fs_window_dup_last_folder:
 *
 * The folder of the last file opened or saved (by any window, in this
 * launch or an earlier one), where Open and Save start; NULL when none is
 * remembered or it is gone.
 */
GFile *
fs_window_dup_last_folder (FsWindow *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  if (self->settings == NULL)
    return NULL;
  path = g_settings_get_string (self->settings, "last-folder");
  if (*path == '\0' || !g_file_test (path, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_file_new_for_path (path);
}

/**
 * fs_window_remember_folder:
 * @file_or_folder: a file (its folder is remembered) or a folder
 *
 * Remembers where a file was opened or saved, for the next dialog.
 */
void
fs_window_remember_folder (FsWindow *self,
                           GFile    *file_or_folder)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file_or_folder));

  if (self->settings == NULL)
    return;
  if (g_file_query_file_type (file_or_folder, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    folder = g_object_ref (file_or_folder);
  else
    folder = g_file_get_parent (file_or_folder);
  path = folder != NULL ? g_file_get_path (folder) : NULL;
  if (path != NULL)
    g_settings_set_string (self->settings, "last-folder", path);
}

/* ---- Recent files ---- */

/* A folder as people read it: the home folder is "~". */
static char *
display_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  const char *home = g_get_home_dir ();
  gsize n = strlen (home);

  if (n > 1 && strncmp (folder, home, n) == 0 && (folder[n] == '\0' || folder[n] == G_DIR_SEPARATOR))
    {
      g_autofree char *rest = g_filename_display_name (folder + n);

      return g_strconcat ("~", rest, NULL);
    }
  return g_filename_display_name (folder);
}

/* One Open Recent item: the file's name, then its folder, on one line
 * (GTK 4.8's popover menus put a second line tight under the first, where
 * it reads as the next item's). */
static GMenuItem *
recent_item (const char *path)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *folder_name = display_folder (path);
  g_autofree char *label = NULL;
  g_auto(GStrv) parts = NULL;
  GMenuItem *item;

  /* Translators: an Open Recent item, a file's name and its folder. */
  label = g_strdup_printf (_("%s — %s"), name, folder_name);
  /* Menu labels take mnemonics: an underscore in a name is doubled to
   * stay one. */
  parts = g_strsplit (label, "_", -1);
  g_free (label);
  label = g_strjoinv ("__", parts);
  item = g_menu_item_new (NULL, NULL);
  g_menu_item_set_attribute (item, G_MENU_ATTRIBUTE_LABEL, "s", label);
  g_menu_item_set_action_and_target_value (item, "win.open-recent", g_variant_new_string (path));
  return item;
}

static void
fill_recent_menu (FsWindow *self)
{
  g_auto(GStrv) paths = NULL;

  if (self->recent_menu == NULL)
    return;
  g_menu_remove_all (self->recent_menu);
  if (self->settings == NULL)
    return;
  paths = g_settings_get_strv (self->settings, "recent-files");
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = recent_item (paths[i]);

      g_menu_append_item (self->recent_menu, item);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-recent", paths[0] != NULL);
}

/* The list with path first (added) or left out (removed), at most
 * RECENT_MAX long. */
static void
update_recent (FsWindow   *self,
               const char *path,
               gboolean    add)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-files");
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  if (add)
    g_ptr_array_add (paths, (gpointer) path);
  for (guint i = 0; old[i] != NULL && paths->len < RECENT_MAX; i++)
    if (strcmp (old[i], path) != 0)
      g_ptr_array_add (paths, old[i]);
  g_ptr_array_add (paths, NULL);
  g_settings_set_strv (self->settings, "recent-files", (const char * const *) paths->pdata);
}

/**
 * fs_window_add_recent:
 * @path: an absolute path, of a data file or a session
 *
 * Puts path first in Open Recent (of every window) and in GNOME's recent
 * files.
 */
void
fs_window_add_recent (FsWindow   *self,
                      const char *path)
{
  g_autofree char *uri = NULL;

  g_return_if_fail (FS_IS_WINDOW (self));
  g_return_if_fail (path != NULL && g_path_is_absolute (path));

  uri = g_filename_to_uri (path, NULL, NULL);
  if (uri != NULL)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  if (self->settings != NULL)
    update_recent (self, path, TRUE);
}

static void
open_recent (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  const char *path = g_variant_get_string (param, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_filename_display_name (path);
      g_autofree char *message = g_strdup_printf (_("“%s” is no longer there: it was removed from Open Recent."),
                                                  name);

      if (self->settings != NULL)
        update_recent (self, path, FALSE);
      fs_window_show_banner (self, message);
      return;
    }
  fs_window_open_path (self, path);
}

/* ---- Setting up ---- */

void
fs_window_settings_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent);
  gtk_widget_class_bind_template_child_full (widget_class, "recent_menu", FALSE, 0);
}

void
fs_window_settings_init (FsWindow *self)
{
  self->settings = fs_window_settings_new ();
  self->recent_menu = G_MENU (gtk_widget_get_template_child (GTK_WIDGET (self), FS_TYPE_WINDOW,
                                                             "recent_menu"));
  restore_size (self);
  fill_recent_menu (self);
  g_signal_connect (self, "realize", G_CALLBACK (on_realize), NULL);
  g_signal_connect (self, "unrealize", G_CALLBACK (on_unrealize), NULL);
  if (self->settings != NULL)
    g_signal_connect_swapped (self->settings, "changed::recent-files", G_CALLBACK (fill_recent_menu), self);
}

void
fs_window_settings_dispose (FsWindow *self)
{
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
}
