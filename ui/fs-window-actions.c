/* fs-window-actions.c: the window's actions.
 *
 * Run/Pause acts on what the window shows (the snapshot it took last), and
 * fs_window_update_actions sets every action's enabled state and the
 * Run/Pause label from that same snapshot, so a button is never live when
 * its action would do nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-examples.h"
#include "fs-window-private.h"

static void
run_pause (GtkWidget  *widget,
           const char *action,
           GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  FsSnapshot *shown = self->shown;

  /* Acts on what the button showed: Pause pauses even if the run ended
   * a moment ago, rather than starting it again. */
  if (shown == NULL)
    return;
  if (shown->state == FS_RUNNER_RUNNING)
    fs_session_pause (self->session);
  else
    {
      if (shown->state == FS_RUNNER_FINISHED)
        fs_session_reset (self->session);
      self->divergence_reported = FALSE;
      fs_session_run (self->session);
    }
}

static void
step (GtkWidget  *widget,
      const char *action,
      GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  fs_session_step (self->session, g_variant_get_uint32 (param));
}

static void
reset (GtkWidget  *widget,
       const char *action,
       GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  self->divergence_reported = FALSE;
  fs_session_reset (self->session);
}

static void
on_starting_lr (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(GError) error = NULL;
  double lr = fs_session_starting_lr_finish (FS_SESSION (object), result, &error);
  FsWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FS_WINDOW (data);
  if (error != NULL)
    {
      fs_window_show_toast (self, error->message);
      return;
    }
  /* The panel does not signal a value set from code: apply what it shows
   * (within its range) here too. */
  fs_param_panel_set_lr (self->panel, lr);
  fs_session_set_lr (self->session, fs_param_panel_get_params (self->panel)->lr);
}

/* Sets the step the rule starts from (computed off the main thread: on a
 * large matrix it takes a power iteration over X). */
static void
suggest_lr (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  self->suggest_cancellable = g_cancellable_new ();
  fs_session_starting_lr_async (self->session, fs_param_panel_get_params (self->panel),
                                self->suggest_cancellable, on_starting_lr, self);
}

static void
example (GtkWidget  *widget,
         const char *action,
         GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!fs_window_load_example (self, g_variant_get_string (param, NULL), &error))
    fs_window_show_banner (self, error->message);
}

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int              response,
                     FsWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      fs_window_open_file (self, file);
    }
  g_object_unref (dialog);
}

static void
open_dialog (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();

  dialog = gtk_file_chooser_native_new (_("Open a Matrix"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Matrices and images"));
  for (const char * const *p = (const char *[]) { "*.csv", "*.tsv", "*.txt", "*.npy", "*.mtx",
                                                  "*.png", "*.jpg", "*.jpeg", NULL }; *p; p++)
    gtk_file_filter_add_pattern (filter, *p);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Every action's enabled state, and the Run/Pause label, from the shown
 * snapshot: Step only while paused, Reset once there is something to undo,
 * Suggest once there is a matrix. */
void
fs_window_update_actions (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = s != NULL && s->state == FS_RUNNER_RUNNING;
  const char *label = running ? _("Pause") : _("Run");

  gtk_widget_action_set_enabled (widget, "win.run-pause", s != NULL);
  gtk_widget_action_set_enabled (widget, "win.step", s != NULL && s->state == FS_RUNNER_PAUSED);
  gtk_widget_action_set_enabled (widget, "win.reset",
                                 s != NULL && (s->state != FS_RUNNER_PAUSED || s->iteration > 0 || s->run > 0));
  gtk_widget_action_set_enabled (widget, "win.suggest-lr", fs_session_get_matrix (self->session) != NULL);

  if (g_strcmp0 (gtk_button_get_label (self->run_button), label) != 0)
    {
      gtk_button_set_label (self->run_button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

/* Space runs and pauses wherever the focus is, but in a text field (a spin
 * button's entry), where it is typing: so it is caught before the focused
 * button would take it as a click. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsWindow              *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (keyval != GDK_KEY_space || (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  if (focus != NULL && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT (focus)))
    return FALSE;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.run-pause", NULL);
  return TRUE;
}

/* The Examples menu: one item per entry of the core's table, in order. */
static GMenuModel *
examples_menu (void)
{
  GMenu *menu = g_menu_new ();
  guint n;
  const FsExample *examples = fs_examples_get (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(examples[i].menu_label), NULL);

      g_menu_item_set_action_and_target_value (item, "win.example",
                                               g_variant_new_string (examples[i].name));
      g_menu_append_item (menu, item);
    }
  return G_MENU_MODEL (menu);
}

/* What the actions need on each window: the Examples menu, the Space key. */
void
fs_window_actions_init (FsWindow *self)
{
  g_autoptr(GMenuModel) examples = examples_menu ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_menu_button_set_menu_model (self->examples_button, examples);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

void
fs_window_actions_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run-pause", NULL, run_pause);
  gtk_widget_class_install_action (widget_class, "win.step", "u", step);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, reset);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_dialog);
  gtk_widget_class_install_action (widget_class, "win.suggest-lr", NULL, suggest_lr);
  gtk_widget_class_install_action (widget_class, "win.example", "s", example);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "win.step", "u", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_CONTROL_MASK, "win.step", "u", 10);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_CONTROL_MASK, "win.step", "u", 100);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.suggest-lr", NULL);
}
