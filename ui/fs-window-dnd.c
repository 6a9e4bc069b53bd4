/* fs-window-dnd.c: files dropped on the window, or chosen, are opened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>

#include "fs-window-private.h"

/* Only a local file has a path the loaders can read. */
void
fs_window_open_file (FsWindow *self,
                     GFile    *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (FS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    fs_window_show_banner (self, _("Only local files can be opened."));
  else
    fs_window_open_path (self, path);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         FsWindow      *self)
{
  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  fs_window_open_file (self, g_value_get_object (value));
  return TRUE;
}

void
fs_window_dnd_init (FsWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
