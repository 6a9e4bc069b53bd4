/* fs-window-progress.c: a file being opened, in the header bar.
 *
 * The session reads a file in a thread and says so ("loading", and how
 * far in "load-progress"). A load that lasts longer than SHOW_DELAY_MS
 * shows a Cancel button (Escape too) in the header bar, and
 * a thin progress bar that reads "Opening NAME… N %" (the header bar has
 * no room left for the name) over the top edge of the content, so that
 * nothing moves when it shows; a short load shows nothing, so opening
 * a small file does not flicker. Cancel leaves the matrix shown as it
 * was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-window-private.h"

#define SHOW_DELAY_MS 300

static void
update_progress (FsWindow *self)
{
  const char *name = fs_session_get_loading_name (self->session);
  double fraction = fs_session_get_load_progress (self->session);
  g_autofree char *text = NULL;

  if (name == NULL)
    return;
  gtk_progress_bar_set_fraction (self->load_bar, fraction);
  if (fraction > 0.0)
    {
      g_autofree char *number = fs_error_number_text ((guint64) floor (fraction * 100.0));
      /* Translators: a percentage, such as "42 %". */
      g_autofree char *percent = g_strdup_printf (_("%s %%"), number);

      /* Translators: the name of the file being read, then how much of
       * it is read, such as "42 %". */
      text = g_strdup_printf (_("Opening %s… %s"), name, percent);
    }
  else
    /* Translators: the name of the file being read. */
    text = g_strdup_printf (_("Opening %s…"), name);
  gtk_progress_bar_set_text (self->load_bar, text);
}

static void
set_shown (FsWindow *self,
           gboolean  shown)
{
  gtk_widget_set_visible (self->load_box, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->load_bar), shown);
}

static gboolean
on_show_delay (gpointer data)
{
  FsWindow *self = data;

  self->load_show_id = 0;
  update_progress (self);
  set_shown (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* A load started (or another one replaced it), or ended. */
static void
on_loading (FsWindow *self)
{
  gboolean loading = fs_session_get_loading (self->session);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-load", loading);
  if (!loading)
    {
      g_clear_handle_id (&self->load_show_id, g_source_remove);
      set_shown (self, FALSE);
      return;
    }
  if (gtk_widget_get_visible (self->load_box))
    update_progress (self);
  else if (self->load_show_id == 0)
    self->load_show_id = g_timeout_add (SHOW_DELAY_MS, on_show_delay, self);
}

static void
on_load_progress (FsWindow *self)
{
  if (gtk_widget_get_visible (self->load_box))
    update_progress (self);
}

static void
cancel_load (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  fs_session_cancel_load (self->session);
}

void
fs_window_progress_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, FsWindow, load_box);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, load_bar);
  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL, cancel_load);
  /* Disabled while nothing loads, so that Escape then goes on as before. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel-load", NULL);
}

void
fs_window_progress_init (FsWindow *self)
{
  g_signal_connect_swapped (self->session, "notify::loading", G_CALLBACK (on_loading), self);
  g_signal_connect_swapped (self->session, "notify::load-progress",
                            G_CALLBACK (on_load_progress), self);
  on_loading (self);
}

void
fs_window_progress_dispose (FsWindow *self)
{
  g_clear_handle_id (&self->load_show_id, g_source_remove);
}
