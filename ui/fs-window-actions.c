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
  gboolean running;

  /* Acts on what the button showed: Pause pauses even if the run ended
   * a moment ago, rather than starting it again. A second press before
   * the next snapshot acts on what the first asked for: two presses in
   * one frame are Run then Pause, not Run twice. */
  if (shown == NULL)
    return;
  running = shown->state == FS_RUNNER_RUNNING;
  if (self->pressed != FS_PRESS_NONE && self->pressed_serial == shown->serial)
    running = self->pressed == FS_PRESS_RUN;
  self->pressed_serial = shown->serial;
  self->pressed = running ? FS_PRESS_PAUSE : FS_PRESS_RUN;

  if (running)
    fs_session_pause (self->session);
  else if (shown->state == FS_RUNNER_FINISHED && shown->stop == FS_STOP_DIVERGED)
    {
      /* Nothing to go on from: start again. */
      fs_session_reset (self->session);
      fs_session_run (self->session);
    }
  else if (shown->state == FS_RUNNER_FINISHED && shown->stop == FS_STOP_ITERATIONS)
    fs_window_raise_limit (self);
  else
    /* From where it is: a pause, a convergence, an instability. */
    fs_session_run (self->session);
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
    fs_window_show_toast (self, error->message);
  else
    {
      /* The panel does not signal a value set from code: apply what it
       * shows (within its range) here too. */
      fs_param_panel_set_lr (self->panel, lr);
      self->lr_suggested = TRUE;
    }
  /* A new rule that waited for its rate goes with it (or with the rate
   * it has, when none can be suggested). */
  if (self->rule_pending)
    fs_window_send_params (self);
  else if (error == NULL)
    fs_session_set_lr (self->session, fs_param_panel_get_params (self->panel)->lr);
}

/* Sets the step the rule starts from (computed off the main thread: on a
 * large matrix it takes a power iteration over X), for the settings the
 * panel shows. */
void
fs_window_suggest_lr (FsWindow *self)
{
  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  self->suggest_cancellable = g_cancellable_new ();
  fs_session_starting_lr_async (self->session, fs_param_panel_get_params (self->panel),
                                self->suggest_cancellable, on_starting_lr, self);
}

static void
suggest_lr (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  fs_window_suggest_lr (FS_WINDOW (widget));
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

      fs_window_remember_folder (self, file);
      fs_window_open_file (self, file);
    }
  g_object_unref (dialog);
}

/* The Open dialog's filters, by extension, whatever its case (FOO.CSV as
 * foo.csv): each format the loader reads (fs-loader.c), all of them
 * first, and every file last. The loader reads any other text as
 * delimited numbers, so "All files" opens more than the list. */
typedef struct
{
  const char *name;
  const char *suffixes;  /* separated by spaces */
} OpenFormat;

static const OpenFormat open_formats[] = {
  { N_("Delimited text (CSV, TSV, TXT, DAT)"), "csv tsv txt dat" },
  { N_("NumPy arrays"), "npy" },
  { N_("Matrix Market files"), "mtx" },
  { N_("Images"), "png jpg jpeg gif bmp tif tiff webp pnm pgm ppm ico" },
  { N_("Factorscope sessions"), FS_SESSION_FILE_EXTENSION + 1 },
};

static GtkFileFilter *
open_filter_new (const char *name,
                 const char *suffixes)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  g_auto(GStrv) list = g_strsplit (suffixes, " ", -1);

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; list[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, list[i]);
  return filter;
}

/**
 * fs_window_open_filters_new:
 *
 * The Open dialog's filters: "All supported files" (the default), one per
 * format, and "All files". Returns: (transfer full): a GListModel of
 * GtkFileFilter.
 */
GListModel *
fs_window_open_filters_new (void)
{
  GListStore *filters = g_list_store_new (GTK_TYPE_FILE_FILTER);
  g_autoptr(GString) every = g_string_new (NULL);
  g_autoptr(GtkFileFilter) supported = NULL;
  g_autoptr(GtkFileFilter) all = fs_window_all_files_filter_new ();

  for (guint i = 0; i < G_N_ELEMENTS (open_formats); i++)
    g_string_append_printf (every, "%s%s", i > 0 ? " " : "", open_formats[i].suffixes);
  supported = open_filter_new (_("All supported files"), every->str);
  g_list_store_append (filters, supported);
  for (guint i = 0; i < G_N_ELEMENTS (open_formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = open_filter_new (_(open_formats[i].name),
                                                         open_formats[i].suffixes);

      g_list_store_append (filters, filter);
    }
  g_list_store_append (filters, all);
  return G_LIST_MODEL (filters);
}

/* "All files", for every file dialog. */
GtkFileFilter *
fs_window_all_files_filter_new (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("All files"));
  gtk_file_filter_add_pattern (filter, "*");
  return filter;
}

static void
open_dialog (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GListModel) filters = fs_window_open_filters_new ();
  g_autoptr(GFile) folder = fs_window_dup_last_folder (self);

  dialog = gtk_file_chooser_native_new (_("Open a Matrix or a Session"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  for (guint i = 0; i < g_list_model_get_n_items (filters); i++)
    {
      g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, i);

      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    }
  /* The first filter added is the one shown. */
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Every action's enabled state, and the Run/Pause label, from the shown
 * snapshot: Step while paused or after a stop it can go on from, Reset once there is something to undo,
 * Suggest and Export as PyTorch Script once there is a matrix. */
void
fs_window_update_actions (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = s != NULL && s->state == FS_RUNNER_RUNNING;
  /* Translators: the solver's button (verbs): it pauses or runs the solver. */
  const char *label = running ? _("Pause") : _("Run");

  gtk_widget_action_set_enabled (widget, "win.run-pause", s != NULL);
  gtk_widget_action_set_enabled (widget, "win.step",
                                 s != NULL && (s->state == FS_RUNNER_PAUSED ||
                                               (s->state == FS_RUNNER_FINISHED &&
                                                (s->stop == FS_STOP_TOLERANCE ||
                                                 s->stop == FS_STOP_UNSTABLE))));
  gtk_widget_action_set_enabled (widget, "win.reset",
                                 s != NULL && (s->state != FS_RUNNER_PAUSED || s->iteration > 0 || s->run > 0));
  gtk_widget_action_set_enabled (widget, "win.suggest-lr", fs_session_get_matrix (self->session) != NULL);
  gtk_widget_action_set_enabled (widget, "win.export-torch", fs_session_get_matrix (self->session) != NULL);

  if (g_strcmp0 (gtk_button_get_label (self->run_button), label) != 0)
    {
      gtk_button_set_label (self->run_button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
}

/* Whether Space does something of its own where the focus is: types in a
 * text field, presses a button (toggle, menu and
 * split buttons, the view switcher's tabs), flips a switch or a check box,
 * opens a drop-down or a choice row, activates a list row, or picks an
 * item in a menu or a popover. */
static gboolean
space_has_meaning (GtkWidget *focus,
                   GtkWidget *window)
{
  /* No number has a space in it: in a spin button Space runs and pauses
   * too (after the number typed is taken), so that a class can go on
   * after every + or - on a setting. */
  if (gtk_widget_get_ancestor (focus, GTK_TYPE_SPIN_BUTTON) != NULL)
    return FALSE;
  for (GtkWidget *w = focus; w != NULL && w != window; w = gtk_widget_get_parent (w))
    if (GTK_IS_EDITABLE (w) || GTK_IS_TEXT (w) || GTK_IS_BUTTON (w) || GTK_IS_SWITCH (w) ||
        GTK_IS_CHECK_BUTTON (w) || GTK_IS_DROP_DOWN (w) || GTK_IS_MENU_BUTTON (w) ||
        GTK_IS_LIST_BOX_ROW (w) || GTK_IS_LIST_VIEW (w) || GTK_IS_POPOVER (w))
      return TRUE;
  return FALSE;
}

/* Space runs and pauses from anywhere else (the plots, the status line,
 * no focus at all). It is caught before the focused widget sees it, so
 * that a widget which ignores Space cannot pass it to the window's own
 * "activate the focus" binding instead. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsWindow              *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if ((keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space) ||
      (state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return FALSE;
  if (focus != NULL && space_has_meaning (focus, GTK_WIDGET (self)))
    return FALSE;
  if (focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_SPIN_BUTTON) != NULL)
    gtk_spin_button_update (GTK_SPIN_BUTTON (gtk_widget_get_ancestor (focus, GTK_TYPE_SPIN_BUTTON)));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.run-pause", NULL);
  return TRUE;
}

/* The arrow of the Step split button, which libadwaita leaves unnamed. */
static void
name_step_menu (FsWindow *self)
{
  GObject *step = gtk_widget_get_template_child (GTK_WIDGET (self), FS_TYPE_WINDOW, "step_button");

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (step)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_MENU_BUTTON (child))
      gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("More Steps"), -1);
}

/* The widget that had the focus before a banner took it. */
#define BANNER_RETURN_KEY "fs-banner-return-focus"

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static GtkWidget *
banner_dismiss_button (FsWindow *self)
{
  GtkWidget *box = gtk_revealer_get_child (self->banner);

  return box != NULL ? gtk_widget_get_last_child (box) : NULL;
}

/* GTK 4.8 cannot have a message spoken (gtk_accessible_announce came in
 * 4.14), and a widget shown inside a window emits no state-changed:showing,
 * which is what screen readers present for alerts: only a focus change
 * makes Orca read an error that appears. So a revealed banner takes the
 * focus on its Dismiss button, whose description is the message (and the
 * alert around it is named by the message); dismissing it gives the focus
 * back to where it was. */
static void
focus_banner (FsWindow *self)
{
  GtkWidget *dismiss = banner_dismiss_button (self);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (dismiss == NULL || !gtk_revealer_get_child_revealed (self->banner))
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (dismiss), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_label_get_text (self->banner_label), -1);
  if (focus != NULL && (focus == dismiss || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->banner))))
    return;
  /* Settings with no minimum come from the setting being edited: the
   * focus stays there, or the next key would dismiss the banner. */
  if (self->banner_kind == FS_BANNER_SETTINGS)
    return;
  if (focus != NULL)
    {
      GWeakRef *back = g_new0 (GWeakRef, 1);

      g_weak_ref_init (back, focus);
      g_object_set_data_full (G_OBJECT (self), BANNER_RETURN_KEY, back, free_weak_ref);
    }
  else
    g_object_set_data (G_OBJECT (self), BANNER_RETURN_KEY, NULL);
  gtk_widget_grab_focus (dismiss);
}

static void
return_focus (FsWindow *self)
{
  GWeakRef *back = g_object_get_data (G_OBJECT (self), BANNER_RETURN_KEY);
  g_autoptr(GtkWidget) widget = back != NULL ? g_weak_ref_get (back) : NULL;
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->banner)))
    return;
  if (widget == NULL || gtk_widget_get_root (widget) != GTK_ROOT (self) || !gtk_widget_grab_focus (widget))
    gtk_root_set_focus (GTK_ROOT (self), NULL);
  g_object_set_data (G_OBJECT (self), BANNER_RETURN_KEY, NULL);
}

static void
on_banner_revealed (FsWindow *self)
{
  if (gtk_revealer_get_child_revealed (self->banner))
    focus_banner (self);
}

static void
on_banner_reveal_child (FsWindow *self)
{
  if (!gtk_revealer_get_reveal_child (self->banner))
    return_focus (self);
}

/* A new message in a banner already shown is announced too. */
static void
on_banner_text (FsWindow *self)
{
  if (gtk_revealer_get_reveal_child (self->banner))
    focus_banner (self);
}

static void
on_lr_rejected (FsWindow   *self,
                const char *message)
{
  fs_window_show_toast (self, message);
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

/* What the actions need on each window: the Examples menu, the Space key,
 * the names libadwaita leaves out, and the banner's announcement. */
void
fs_window_actions_init (FsWindow *self)
{
  g_autoptr(GMenuModel) examples = examples_menu ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_menu_button_set_menu_model (self->examples_button, examples);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  name_step_menu (self);

  g_signal_connect_swapped (self->banner, "notify::child-revealed", G_CALLBACK (on_banner_revealed), self);
  g_signal_connect_swapped (self->banner, "notify::reveal-child", G_CALLBACK (on_banner_reveal_child), self);
  g_signal_connect_swapped (self->banner_label, "notify::label", G_CALLBACK (on_banner_text), self);
  g_signal_connect_swapped (self->panel, "lr-rejected", G_CALLBACK (on_lr_rejected), self);
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
