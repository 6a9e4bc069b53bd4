/* fs-window-tuning.c: the window's tools for tuning by eye.
 *
 * Kept runs ("Keep", Ctrl+K): a copy of the shown snapshot without its
 * checkpoints, drawn as a ghost on the loss plot, listed in the legend bar
 * under it and in the comparison table ("Compare"), and shown in the views
 * on request. Their labels name the settings that differ from the live
 * ones, so they are made again whenever the live settings change. The
 * held-out error plot beside the loss plot follows the live run. Replay:
 * the slider under the plot picks one of the live snapshot's checkpoints
 * for the views while the run goes on; letting go of it returns to live.
 * The Sweep view runs sweeps; a point can become the live settings or a
 * kept run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-plot-draw.h"
#include "fs-window-private.h"

/* The live row of the comparison is made again at most this often while
 * a run goes on and the table is open. */
#define LIVE_ROW_INTERVAL (G_USEC_PER_SEC / 2)

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
stop_replay (FsWindow *self)
{
  self->replaying = FALSE;
  g_clear_pointer (&self->replay_origin, fs_checkpoint_unref);
}

/* ---- Kept runs ---- */

static char *
pin_label (FsWindow  *self,
           FsPinItem *item)
{
  g_autofree char *difference = fs_params_describe_difference (fs_pin_item_get_params (item),
                                                               fs_session_get_params (self->session));

  if (*difference != '\0')
    return g_steal_pointer (&difference);
  return g_strdup (_("same settings"));
}

static void
update_ghosts (FsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pins));
  g_autofree FsLossPlotGhost *ghosts = g_new0 (FsLossPlotGhost, MAX (n, 1));

  for (guint k = 0; k < n; k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (G_LIST_MODEL (self->pins), k);

      ghosts[k].snapshot = fs_pin_item_get_snapshot (item);
      ghosts[k].label = fs_pin_item_get_label (item);
      ghosts[k].colour = *fs_pin_item_get_colour (item);
      ghosts[k].visible = fs_pin_item_get_visible (item);
    }
  fs_loss_plot_set_ghosts (self->loss_plot, ghosts, n);
}

/* The live settings' f*, for a gap; NaN when it is only the full data's
 * reference (held-out cells). */
static double
live_optimum (FsWindow *self)
{
  return fs_session_get_optimum_is_reference (self->session)
         ? NAN : fs_session_get_optimum (self->session);
}

/* The live run as a row of the comparison. */
static FsPinItem *
live_item_new (FsWindow *self)
{
  FsPinItem *item;

  /* The loss plot's live curve. */
  item = fs_pin_item_new (self->shown, live_optimum (self), &fs_plot_accent, TRUE);
  fs_pin_item_set_label (item, _("Live run"));
  return item;
}

static void
refresh_compare_rows (FsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pins));
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->compare_rows));
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  if (self->shown != NULL)
    g_ptr_array_add (rows, live_item_new (self));
  for (guint k = 0; k < n; k++)
    g_ptr_array_add (rows, g_list_model_get_item (G_LIST_MODEL (self->pins), k));
  g_list_store_splice (self->compare_rows, 0, old, rows->pdata, rows->len);
  self->live_row_time = g_get_monotonic_time ();
}

static void
on_pins_changed (FsWindow *self)
{
  update_ghosts (self);
  refresh_compare_rows (self);
}

/* The live settings changed: the labels name what differs now. */
static void
relabel (FsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pins));

  self->labelled = *fs_session_get_params (self->session);
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (G_LIST_MODEL (self->pins), k);
      g_autofree char *label = pin_label (self, item);

      fs_pin_item_set_label (item, label);
    }
  on_pins_changed (self);
}

/* The lowest colour no kept run has. */
static guint
free_colour (FsWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pins)), used = 0;

  for (guint k = 0; k < n; k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (G_LIST_MODEL (self->pins), k);

      used |= 1u << GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (item), "fs-colour"));
    }
  for (guint k = 0; k < FS_PINS_MAX; k++)
    if (!(used & (1u << k)))
      return k;
  return 0;
}

/* Keeps snapshot (taken) as a pinned run; FALSE with a toast when the
 * window keeps as many as it can. */
static gboolean
add_pin (FsWindow   *self,
         FsSnapshot *snapshot,
         double      optimum)
{
  g_autoptr(FsSnapshot) taken = snapshot;
  g_autoptr(FsPinItem) item = NULL;
  g_autofree char *label = NULL;
  guint index;
  GdkRGBA colour;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->pins)) >= FS_PINS_MAX)
    {
      g_autofree char *most = g_strdup_printf ("%d", FS_PINS_MAX);
      g_autofree char *message = g_strdup_printf (ngettext ("%s run is kept already: remove it to keep another",
                                                            "%s runs are kept already: remove one to keep another",
                                                            FS_PINS_MAX), most);

      fs_window_show_toast (self, message);
      return FALSE;
    }
  index = free_colour (self);
  fs_pin_colour (index, is_dark (), &colour);
  item = fs_pin_item_new (taken, optimum, &colour, FALSE);
  g_object_set_data (G_OBJECT (item), "fs-colour", GUINT_TO_POINTER (index));
  label = pin_label (self, item);
  fs_pin_item_set_label (item, label);
  g_signal_connect_object (item, "notify::visible", G_CALLBACK (update_ghosts), self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->pins, item);
  on_pins_changed (self);
  return TRUE;
}

gboolean
fs_window_tuning_add_pin (FsWindow   *self,
                          FsSnapshot *snapshot,
                          double      optimum)
{
  return add_pin (self, snapshot, optimum);
}

static void
show_viewed (FsWindow *self);

static void
view_pin (FsWindow  *self,
          FsPinItem *item)
{
  FsPinItem *pin = item != NULL && !fs_pin_item_get_is_live (item) ? item : NULL;

  g_set_object (&self->viewed_pin, pin);
  stop_replay (self);
  show_viewed (self);
}

static void
remove_pin (FsWindow  *self,
            FsPinItem *item)
{
  guint position;

  if (item == self->viewed_pin)
    view_pin (self, NULL);
  if (g_list_store_find (self->pins, item, &position))
    g_list_store_remove (self->pins, position);
  on_pins_changed (self);
}

/* A kept run's settings become the live ones (its own learning rate
 * included), and the run starts again from them, at iteration 0: a
 * penalty alone would otherwise go on from the live W and H. FALSE when
 * the session refused them (a toast says why). */
static gboolean
restore_settings (FsWindow       *self,
                  const FsParams *params)
{
  FsParams p = *params;
  const FsParams *live = fs_session_get_params (self->session);

  /* How the products run is the machine's, not the run's. */
  p.threads = live->threads;
  p.nice = live->nice;
  p.products = live->products;
  self->lr_suggested = FALSE;
  fs_param_panel_set_params (self->panel, &p);
  if (!fs_window_send_params (self))
    return FALSE;
  fs_session_reset (self->session);
  return TRUE;
}

/* A sweep point belongs to the matrix it was swept on. */
static gboolean
point_fits (FsWindow           *self,
            const FsSweepPoint *point)
{
  FsMatrix *X = fs_session_get_matrix (self->session);

  if (X != NULL && point->rows == X->rows && point->cols == X->cols)
    return TRUE;
  fs_window_show_toast (self, _("That sweep was of another matrix"));
  return FALSE;
}

static void
on_table_restore (FsWindow  *self,
                  FsPinItem *item)
{
  restore_settings (self, fs_pin_item_get_params (item));
  gtk_popover_popdown (self->compare_popover);
}

static void
on_table_show (FsWindow  *self,
               FsPinItem *item)
{
  view_pin (self, item);
  gtk_popover_popdown (self->compare_popover);
}

static void
keep (GtkWidget  *widget,
      const char *action,
      GVariant   *parameter)
{
  FsWindow *self = FS_WINDOW (widget);

  if (self->shown == NULL)
    return;
  if (add_pin (self, fs_snapshot_copy_for_pin (self->shown), live_optimum (self)))
    fs_window_show_toast (self, _("Run kept: its curve stays on the plot"));
}

static void
compare (GtkWidget  *widget,
         const char *action,
         GVariant   *parameter)
{
  /* The popover's "show" brings the live row up to date. */
  gtk_menu_button_popup (FS_WINDOW (widget)->compare_button);
}

static void
view_live (GtkWidget  *widget,
           const char *action,
           GVariant   *parameter)
{
  view_pin (FS_WINDOW (widget), NULL);
}

/* ---- Sweeps ---- */

static void
on_sweep_load (FsWindow     *self,
               FsSweepPoint *point)
{
  if (point_fits (self, point) && restore_settings (self, &point->params))
    fs_session_run (self->session);
}

static void
on_sweep_keep (FsWindow     *self,
               FsSweepPoint *point)
{
  double optimum = point->params.holdout > 0.0 ? NAN : point->optimum;

  if (point_fits (self, point) && add_pin (self, fs_sweep_point_to_snapshot (point), optimum))
    fs_window_show_toast (self, _("Sweep point kept: its curve is on the loss plot"));
}

/* ---- Replay ---- */

/* The index of the live snapshot's checkpoint at iteration, or the
 * nearest below it (the first when none is). */
static guint
checkpoint_index (FsSnapshot *s,
                  guint64     iteration)
{
  guint index = 0;

  for (guint k = 0; k < s->n_checkpoints; k++)
    if (s->checkpoints[k]->iteration <= iteration)
      index = k;
  return index;
}

static void
update_replay_row (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  guint n = s != NULL ? s->n_checkpoints : 0;
  GtkAdjustment *adjustment = gtk_range_get_adjustment (GTK_RANGE (self->replay_scale));
  guint index = n > 0 ? n - 1 : 0;
  g_autofree char *label = NULL;

  if (self->replaying && n > 0)
    index = checkpoint_index (s, self->replay_iteration);
  /* Every frame of a run comes here: only changes go to the slider and
   * to a screen reader. */
  if (gtk_adjustment_get_value (adjustment) != index ||
      gtk_adjustment_get_upper (adjustment) != MAX (n, 1) - 1)
    {
      self->replay_updating = TRUE;
      gtk_adjustment_configure (adjustment, index, 0, MAX (n, 1) - 1, 1, 1, 0);
      self->replay_updating = FALSE;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->replay_row), n > 1 && self->viewed_pin == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.replay-live", self->replaying);

  if (self->replaying && n > 0)
    {
      /* The last checkpoint is the shown run's end (the best run's, once
       * all are done), which s->iteration need not be. */
      g_autofree char *iteration = fs_error_number_text (s->checkpoints[index]->iteration);
      g_autofree char *last = fs_error_number_text (s->checkpoints[n - 1]->iteration);

      label = g_strdup_printf (_("Iteration %s of %s"), iteration, last);
    }
  else
    label = g_strdup (_("Live"));
  if (g_strcmp0 (gtk_label_get_label (self->replay_label), label) == 0)
    return;
  gtk_label_set_label (self->replay_label, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->replay_scale),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, label, -1);
}

/* A replay belongs to the run it started in: a new run (new settings, a
 * reset, the next restart) has other checkpoints from iteration 0 on. */
static void
end_replay_of_another_run (FsWindow *self)
{
  FsSnapshot *s = self->shown;

  if (!self->replaying)
    return;
  if (s != NULL && s->n_checkpoints > 0 && self->replay_origin == s->checkpoints[0])
    return;
  stop_replay (self);
}

/* The snapshot the views show: a kept run's, a checkpoint of the live
 * run's, or the live one. The checkpoint's snapshot is made again only
 * when the checkpoint changes. */
static FsSnapshot *
viewed_snapshot (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  guint index;

  if (self->viewed_pin != NULL)
    return fs_snapshot_ref (fs_pin_item_get_snapshot (self->viewed_pin));
  if (s == NULL || !self->replaying || s->n_checkpoints == 0)
    return s != NULL ? fs_snapshot_ref (s) : NULL;

  index = checkpoint_index (s, self->replay_iteration);
  if (self->viewed != NULL && self->viewed != s && self->viewed->n_checkpoints > index &&
      self->viewed->checkpoints[index] == s->checkpoints[index] &&
      self->viewed->iteration == s->checkpoints[index]->iteration)
    return fs_snapshot_ref (self->viewed);
  return fs_snapshot_new_at_checkpoint (s, index);
}

static void
update_viewing_banner (FsWindow *self)
{
  if (self->viewed_pin != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The views show the kept run “%s”, as it ended."),
                                               fs_pin_item_get_label (self->viewed_pin));

      gtk_label_set_label (self->viewing_label, text);
    }
  gtk_revealer_set_reveal_child (self->viewing_revealer, self->viewed_pin != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.view-live", self->viewed_pin != NULL);
}

/* Gives the views what they show now. */
static void
show_viewed (FsWindow *self)
{
  g_autoptr(FsSnapshot) viewed = viewed_snapshot (self);

  update_replay_row (self);
  update_viewing_banner (self);
  fs_loss_plot_set_cursor (self->loss_plot,
                           self->replaying && viewed != NULL ? (double) viewed->iteration : -1.0);
  if (viewed == self->viewed)
    return;
  g_clear_pointer (&self->viewed, fs_snapshot_unref);
  self->viewed = g_steal_pointer (&viewed);
  if (self->viewed == NULL)
    return;
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    fs_heatmap_set_snapshot (self->maps[k], self->viewed);
  fs_window_inspect_show (self);
}

static void
on_replay_changed (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  guint index;

  if (self->replay_updating || s == NULL || s->n_checkpoints == 0)
    return;
  index = (guint) CLAMP (lround (gtk_range_get_value (GTK_RANGE (self->replay_scale))), 0,
                         (long) s->n_checkpoints - 1);
  /* The last checkpoint is the live iteration. */
  self->replaying = index + 1 < s->n_checkpoints;
  self->replay_iteration = s->checkpoints[index]->iteration;
  g_clear_pointer (&self->replay_origin, fs_checkpoint_unref);
  if (self->replaying)
    self->replay_origin = fs_checkpoint_ref (s->checkpoints[0]);
  show_viewed (self);
}

static void
replay_live (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  FsWindow *self = FS_WINDOW (widget);

  stop_replay (self);
  show_viewed (self);
}

/* Letting go of the slider returns to live; keys leave it where it is
 * (End, or "Live", returns). */
static gboolean
on_replay_event (GtkEventControllerLegacy *controller,
                 GdkEvent                 *event,
                 FsWindow                 *self)
{
  if (gdk_event_get_event_type (event) == GDK_BUTTON_RELEASE && self->replaying)
    {
      stop_replay (self);
      show_viewed (self);
    }
  return GDK_EVENT_PROPAGATE;
}

/* ---- The window's side ---- */

void
fs_window_tuning_show (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  gboolean holdout = s != NULL && s->params.holdout > 0.0;

  if (!fs_params_equal (&self->labelled, fs_session_get_params (self->session)))
    relabel (self);
  gtk_revealer_set_reveal_child (self->mse_revealer, holdout);
  if (holdout)
    fs_trace_plot_set_snapshot (self->mse_plot, s);
  fs_sweep_view_set_lr_auto (self->sweep_view, self->lr_suggested);
  end_replay_of_another_run (self);
  if (gtk_widget_get_visible (GTK_WIDGET (self->compare_popover)) && s != NULL &&
      (s->state != FS_RUNNER_RUNNING ||
       g_get_monotonic_time () - self->live_row_time >= LIVE_ROW_INTERVAL))
    refresh_compare_rows (self);
  show_viewed (self);
}

void
fs_window_tuning_set_matrix (FsWindow *self)
{
  g_clear_object (&self->viewed_pin);
  g_clear_pointer (&self->viewed, fs_snapshot_unref);
  stop_replay (self);
  /* A session being opened brings its own kept runs: no word of the old. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->pins)) > 0 && !fs_window_get_restoring (self))
    fs_window_show_toast (self, _("The kept runs were of the last matrix: they are gone"));
  g_list_store_remove_all (self->pins);
  on_pins_changed (self);
}

static void
on_popover_shown (FsWindow *self)
{
  refresh_compare_rows (self);
}

void
fs_window_tuning_dispose (FsWindow *self)
{
  g_clear_pointer (&self->replay_origin, fs_checkpoint_unref);
  g_clear_object (&self->viewed_pin);
  g_clear_pointer (&self->viewed, fs_snapshot_unref);
  if (self->pins != NULL)
    g_list_store_remove_all (self->pins);
  g_clear_object (&self->pins);
  g_clear_object (&self->compare_rows);
}

static void
add_widgets (FsWindow *self)
{
  GtkEventController *legacy = gtk_event_controller_legacy_new ();

  self->mse_plot = FS_TRACE_PLOT (fs_trace_plot_new (_("Error per cell")));
  fs_trace_plot_set_kinds (self->mse_plot, (1u << FS_TRACE_TRAIN_MSE) | (1u << FS_TRACE_HOLDOUT_MSE));
  gtk_widget_set_hexpand (GTK_WIDGET (self->mse_plot), TRUE);
  gtk_box_append (self->mse_slot, GTK_WIDGET (self->mse_plot));

  self->pin_bar = FS_PIN_BAR (fs_pin_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->pin_bar), TRUE);
  fs_pin_bar_set_model (self->pin_bar, G_LIST_MODEL (self->pins));
  gtk_box_append (self->pin_bar_slot, GTK_WIDGET (self->pin_bar));
  g_signal_connect_swapped (self->pin_bar, "remove", G_CALLBACK (remove_pin), self);

  self->pin_table = FS_PIN_TABLE (fs_pin_table_new ());
  fs_pin_table_set_model (self->pin_table, G_LIST_MODEL (self->compare_rows));
  gtk_box_append (self->compare_slot, GTK_WIDGET (self->pin_table));
  g_signal_connect_swapped (self->pin_table, "restore", G_CALLBACK (on_table_restore), self);
  g_signal_connect_swapped (self->pin_table, "show-run", G_CALLBACK (on_table_show), self);
  g_signal_connect_swapped (self->pin_table, "remove", G_CALLBACK (remove_pin), self);
  g_signal_connect_swapped (self->compare_popover, "show", G_CALLBACK (on_popover_shown), self);

  self->sweep_view = FS_SWEEP_VIEW (fs_sweep_view_new (self->session));
  gtk_widget_set_vexpand (GTK_WIDGET (self->sweep_view), TRUE);
  gtk_box_append (self->sweep_slot, GTK_WIDGET (self->sweep_view));
  g_signal_connect_swapped (self->sweep_view, "load-point", G_CALLBACK (on_sweep_load), self);
  g_signal_connect_swapped (self->sweep_view, "keep-point", G_CALLBACK (on_sweep_keep), self);

  gtk_event_controller_set_propagation_phase (legacy, GTK_PHASE_CAPTURE);
  g_signal_connect (legacy, "event", G_CALLBACK (on_replay_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self->replay_scale), legacy);
  g_signal_connect_swapped (self->replay_scale, "value-changed", G_CALLBACK (on_replay_changed), self);
}

/* Needs the session: called once it is there. */
void
fs_window_tuning_init (FsWindow *self)
{
  self->pins = g_list_store_new (FS_TYPE_PIN_ITEM);
  self->compare_rows = g_list_store_new (FS_TYPE_PIN_ITEM);
  add_widgets (self);
  update_replay_row (self);
  update_viewing_banner (self);
}

void
fs_window_tuning_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, FsWindow, keep_button);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, compare_button);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, compare_popover);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, compare_slot);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, mse_revealer);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, mse_slot);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, pin_bar_slot);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, replay_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, replay_scale);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, replay_label);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, viewing_revealer);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, viewing_label);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, sweep_slot);

  gtk_widget_class_install_action (widget_class, "win.keep", NULL, keep);
  gtk_widget_class_install_action (widget_class, "win.compare", NULL, compare);
  gtk_widget_class_install_action (widget_class, "win.view-live", NULL, view_live);
  gtk_widget_class_install_action (widget_class, "win.replay-live", NULL, replay_live);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.keep", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.compare", NULL);
}
