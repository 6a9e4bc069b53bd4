/* fs-param-panel.c
 *
 * The panel holds the settings as an FsParams and shows them in its rows.
 * A change made in a row updates "params" and emits "changed", or
 * "lr-changed" when only the learning rate moved (it applies to a running
 * solve without restarting); setting the params from code emits neither.
 * The choice rows are filled from the core's tables, in table order.
 * A control takes the mouse wheel only while it has the focus, so that
 * scrolling the panel never changes a value under the pointer; every spin
 * button tells assistive technologies the value it shows, as it shows it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-param-panel"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "fs-param-panel.h"
#include "fs-rules.h"

struct _FsParamPanel
{
  AdwBin         parent_instance;

  AdwActionRow  *data_row;
  GtkWidget     *data_row_arrow;
  AdwComboRow   *scaling_row;
  AdwComboRow   *l1_mode_row;
  AdwComboRow   *rule_row;
  AdwComboRow   *init_row;
  AdwComboRow   *dtype_row;     /* float32: Double (float64) or Single (float32) */
  GtkSpinButton *rank_spin;
  GtkSpinButton *l2_w_spin;
  GtkSpinButton *l2_h_spin;
  GtkSpinButton *l1_w_spin;
  GtkSpinButton *l1_h_spin;
  GtkSpinButton *lr_spin;
  GtkSpinButton *restarts_spin;
  GtkSpinButton *iters_spin;
  GtkSpinButton *seed_spin;
  GtkSpinButton *holdout_spin;
  GtkSwitch     *holdout_switch;
  GtkSpinButton *holdout_seed_spin;
  GtkSwitch     *nonneg_switch;
  GtkSwitch     *log_switch;
  GtkSwitch     *log_iters_switch;
  GtkSwitch     *terms_switch;
  GtkSwitch     *fixed_residual_switch;
  AdwComboRow   *tol_row;
  GtkSwitch     *unstable_switch;
  AdwActionRow  *lr_row;
  AdwActionRow  *stability_row;
  GtkLabel      *stability_label;

  FsParams       params;
  FsScaling      scaling;
  gboolean       updating;
  /* The learning rate shown when a text was rejected, or 0 when none was:
   * the field keeps its error style until the rate changes. */
  double         rejected_at;
  double         stability;     /* the meter's ratio, NAN when it has none */
};

G_DEFINE_FINAL_TYPE (FsParamPanel, fs_param_panel, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_PARAMS,
  PROP_SCALING,
  PROP_LOG_SCALE,
  PROP_LOG_ITERATIONS,
  PROP_SHOW_TERMS,
  PROP_FIXED_RESIDUAL,
  PROP_RANK_LIMIT,
  PROP_DATA_DESCRIPTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  LR_CHANGED,
  LR_REJECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Whether a and b are the same settings, the learning rate aside. */
static gboolean
same_but_lr (const FsParams *a,
             const FsParams *b)
{
  FsParams c = *b;

  c.lr = a->lr;
  return fs_params_equal (a, &c);
}

/* The tolerances the convergence row offers: off, then 1e-3 to 1e-10. */
static const double tolerances[] = { 0.0, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10 };

/* The row for tol: its own, else the nearest on a log scale. */
static guint
tolerance_index (double tol)
{
  guint best = 0;

  for (guint i = 1; tol > 0.0 && i < G_N_ELEMENTS (tolerances); i++)
    if (best == 0 || fabs (log10 (tolerances[i] / tol)) < fabs (log10 (tolerances[best] / tol)))
      best = i;
  return best;
}

static const char *
tolerance_label (guint index)
{
  static const char *labels[G_N_ELEMENTS (tolerances)] = {
    N_("Off"), N_("Change < 10⁻³"), N_("Change < 10⁻⁴"), N_("Change < 10⁻⁵"), N_("Change < 10⁻⁶"),
    N_("Change < 10⁻⁷"), N_("Change < 10⁻⁸"), N_("Change < 10⁻⁹"), N_("Change < 10⁻¹⁰"),
  };

  return _(labels[index]);
}

/* The settings the rows show, over the ones the panel holds (the fields
 * without a row, such as the momentum, stay as they are). */
static void
read_rows (FsParamPanel *self,
           FsParams     *p)
{
  *p = self->params;
  p->rank = (guint) gtk_spin_button_get_value_as_int (self->rank_spin);
  p->l2_w = gtk_spin_button_get_value (self->l2_w_spin);
  p->l2_h = gtk_spin_button_get_value (self->l2_h_spin);
  p->l1_w = gtk_spin_button_get_value (self->l1_w_spin);
  p->l1_h = gtk_spin_button_get_value (self->l1_h_spin);
  p->l1_mode = (FsL1Mode) adw_combo_row_get_selected (self->l1_mode_row);
  p->nonneg = gtk_switch_get_active (self->nonneg_switch);
  p->rule = &fs_rules_get (NULL)[adw_combo_row_get_selected (self->rule_row)];
  p->lr = gtk_spin_button_get_value (self->lr_spin);
  p->restarts = (guint) gtk_spin_button_get_value_as_int (self->restarts_spin);
  p->max_iters = (guint64) gtk_spin_button_get_value (self->iters_spin);
  p->tol = tolerances[MIN (adw_combo_row_get_selected (self->tol_row), G_N_ELEMENTS (tolerances) - 1)];
  p->stop_unstable = gtk_switch_get_active (self->unstable_switch);
  p->init = (FsInit) adw_combo_row_get_selected (self->init_row);
  p->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  /* Off, or on at the share shown (FS_DEFAULT_HOLDOUT at first). */
  p->holdout = gtk_switch_get_active (self->holdout_switch)
               ? gtk_spin_button_get_value (self->holdout_spin) / 100.0 : 0.0;
  p->holdout_seed = (guint64) gtk_spin_button_get_value (self->holdout_seed_spin);
  p->dtype = (FsDtype) MIN (adw_combo_row_get_selected (self->dtype_row), FS_N_DTYPES - 1);
}

static void
write_rows (FsParamPanel *self)
{
  const FsParams *p = &self->params;

  self->updating = TRUE;
  gtk_spin_button_set_value (self->rank_spin, p->rank);
  gtk_spin_button_set_value (self->l2_w_spin, p->l2_w);
  gtk_spin_button_set_value (self->l2_h_spin, p->l2_h);
  gtk_spin_button_set_value (self->l1_w_spin, p->l1_w);
  gtk_spin_button_set_value (self->l1_h_spin, p->l1_h);
  adw_combo_row_set_selected (self->l1_mode_row, p->l1_mode);
  gtk_switch_set_active (self->nonneg_switch, p->nonneg);
  adw_combo_row_set_selected (self->rule_row, fs_rule_get_index (p->rule));
  gtk_spin_button_set_value (self->lr_spin, p->lr);
  gtk_spin_button_set_value (self->restarts_spin, p->restarts);
  gtk_spin_button_set_value (self->iters_spin, (double) p->max_iters);
  adw_combo_row_set_selected (self->tol_row, tolerance_index (p->tol));
  gtk_switch_set_active (self->unstable_switch, p->stop_unstable);
  adw_combo_row_set_selected (self->init_row, p->init);
  gtk_spin_button_set_value (self->seed_spin, (double) p->seed);
  gtk_switch_set_active (self->holdout_switch, p->holdout > 0.0);
  if (p->holdout > 0.0)
    gtk_spin_button_set_value (self->holdout_spin, 100.0 * p->holdout);
  gtk_spin_button_set_value (self->holdout_seed_spin, (double) p->holdout_seed);
  adw_combo_row_set_selected (self->dtype_row, p->dtype);
  self->updating = FALSE;
}

static void
on_row_changed (FsParamPanel *self)
{
  FsParams p;
  gboolean lr_only;

  if (self->updating)
    return;
  read_rows (self, &p);
  if (fs_params_equal (&p, &self->params))
    return;
  lr_only = same_but_lr (&p, &self->params);
  self->params = p;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARAMS]);
  g_signal_emit (self, signals[lr_only ? LR_CHANGED : CHANGED], 0);
}

static void
on_scaling_selected (FsParamPanel *self)
{
  FsScaling scaling = (FsScaling) adw_combo_row_get_selected (self->scaling_row);

  if (self->updating || scaling == self->scaling)
    return;
  self->scaling = scaling;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

static void
on_log_switched (FsParamPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
}

static void
on_log_iters_switched (FsParamPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_ITERATIONS]);
}

static void
on_terms_switched (FsParamPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TERMS]);
}

static void
on_fixed_residual_switched (FsParamPanel *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIXED_RESIDUAL]);
}

/* A tenth of the place of lr's leading digit. */
static double
lr_increment (double lr)
{
  return lr > 0.0 && isfinite (lr) ? pow (10.0, floor (log10 (lr)) - 1.0) : 1e-4;
}

/* The learning rate as the field shows it: in %g form, so that 1e-05
 * stays readable, in the user's locale (0,005 in German). */
static char *
lr_text (double lr)
{
  return g_strdup_printf ("%.4g", lr);
}

static gboolean
on_lr_output (GtkSpinButton *spin)
{
  g_autofree char *text = lr_text (gtk_spin_button_get_value (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  /* Steps of a tenth of the leading digit's place: the arrows move a rate
   * of 0.0015 by 0.0001, and one of 2e-6 by 1e-7, never to 0 at once. */
  gtk_spin_button_set_increments (spin, lr_increment (gtk_spin_button_get_value (spin)),
                                  10 * lr_increment (gtk_spin_button_get_value (spin)));
  return TRUE;
}

/* The field says what was wrong with a rejected text, and keeps its
 * error style, until the rate changes (the spin button itself only rings
 * the bell and shows the old value again). */
static void
show_lr_rejected (FsParamPanel *self,
                  const char   *text)
{
  g_autofree char *kept = lr_text (gtk_spin_button_get_value (self->lr_spin));
  g_autofree char *message = NULL;

  /* TRANSLATORS: the text typed, then the learning rate kept */
  message = g_strdup_printf (_("“%s” is not a learning rate: type a positive number such as 0.001. "
                               "The rate stays %s."), text, kept);
  self->rejected_at = gtk_spin_button_get_value (self->lr_spin);
  gtk_widget_add_css_class (GTK_WIDGET (self->lr_spin), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->lr_spin), message);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->lr_spin),
                               GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
  g_signal_emit (self, signals[LR_REJECTED], 0, message);
}

static void
clear_lr_rejected (FsParamPanel *self)
{
  if (self->rejected_at == 0.0)
    return;
  self->rejected_at = 0.0;
  gtk_widget_remove_css_class (GTK_WIDGET (self->lr_spin), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->lr_spin), NULL);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->lr_spin), GTK_ACCESSIBLE_STATE_INVALID);
}

/* ...and read back the same way; a point is understood too. Text that is
 * not a positive number is an error, and the spin button (whose update
 * policy is if-valid) then keeps the value it had. */
static int
on_lr_input (GtkSpinButton *spin,
             double        *value,
             FsParamPanel  *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  g_autofree char *shown = lr_text (gtk_spin_button_get_value (spin));
  char *end = NULL;
  double v;

  /* Text left as shown keeps the exact rate, of which it shows 4 digits. */
  if (g_str_equal (text, shown))
    {
      *value = gtk_spin_button_get_value (spin);
      return TRUE;
    }
  v = g_strtod (text, &end);

  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (end == text || end == NULL || *end != '\0' || !isfinite (v) || v <= 0.0)
    {
      show_lr_rejected (self, text);
      return GTK_INPUT_ERROR;
    }
  clear_lr_rejected (self);
  *value = v;
  return TRUE;
}

/* What assistive technologies read of a spin button: its value and the
 * text it shows for it (the learning rate's %g form, say). Set on every
 * change, from the user or from code, so that it never lags the field. */
static void
update_accessible_value (GtkSpinButton *spin)
{
  /* GTK 4.8 takes two numbers within 0.001 of each other for the same
   * accessible value and keeps the old one: a rate of 0.000898 stayed
   * after the rate became 0.0001105. A value 1 away first makes the real
   * one a change. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                  gtk_spin_button_get_value (spin) + 1.0, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, gtk_spin_button_get_value (spin),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT,
                                  gtk_editable_get_text (GTK_EDITABLE (spin)),
                                  -1);
}

static void
on_spin_value_changed (GtkSpinButton *spin,
                       FsParamPanel  *self)
{
  update_accessible_value (spin);
  if (spin == self->lr_spin && gtk_spin_button_get_value (spin) != self->rejected_at)
    clear_lr_rejected (self);
}

/* A control's own wheel handlers, each with the phase it had, held by the
 * guard that switches them. */
#define WHEEL_HANDLERS_KEY "fs-wheel-handlers"

typedef struct
{
  GtkEventController    *controller;
  GtkPropagationPhase    phase;
} WheelHandler;

static void
wheel_handler_free (gpointer data)
{
  WheelHandler *handler = data;

  g_object_unref (handler->controller);
  g_free (handler);
}

static gboolean
holds_focus (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* Runs first, in the capture phase, on every scroll over the control: its
 * own wheel handlers take part only while it holds the focus. Unfocused,
 * the event goes on to the panel's scrolled window as if the control were
 * not there (a spin button would otherwise take the focus and the value). */
static gboolean
on_wheel_captured (GtkEventControllerScroll *guard,
                   double                    dx,
                   double                    dy,
                   GPtrArray                *handlers)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (guard));
  gboolean focused = holds_focus (widget);

  for (guint i = 0; i < handlers->len; i++)
    {
      WheelHandler *handler = g_ptr_array_index (handlers, i);

      gtk_event_controller_set_propagation_phase (handler->controller,
                                                  focused ? handler->phase : GTK_PHASE_NONE);
    }
  return GDK_EVENT_PROPAGATE;
}

/* The controllers through which widget itself reacts to the wheel. */
static GPtrArray *
wheel_handlers (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  GPtrArray *handlers = g_ptr_array_new_with_free_func (wheel_handler_free);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
      WheelHandler *handler;

      if (!GTK_IS_EVENT_CONTROLLER_SCROLL (controller))
        continue;
      handler = g_new0 (WheelHandler, 1);
      handler->controller = g_object_ref (controller);
      handler->phase = gtk_event_controller_get_propagation_phase (controller);
      g_ptr_array_add (handlers, handler);
    }
  return handlers;
}

/* Guards every control under widget that reacts to the wheel (spin
 * buttons today); the scrolled window and its scroll bars keep theirs. */
static void
guard_wheel (GtkWidget *widget)
{
  if (!GTK_IS_SCROLLED_WINDOW (widget) && !GTK_IS_SCROLLBAR (widget))
    {
      g_autoptr(GPtrArray) handlers = wheel_handlers (widget);

      if (handlers->len > 0)
        {
          GtkEventController *guard =
            gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

          gtk_event_controller_set_propagation_phase (guard, GTK_PHASE_CAPTURE);
          g_signal_connect (guard, "scroll", G_CALLBACK (on_wheel_captured), handlers);
          g_object_set_data_full (G_OBJECT (guard), WHEEL_HANDLERS_KEY,
                                  g_steal_pointer (&handlers), (GDestroyNotify) g_ptr_array_unref);
          gtk_widget_add_controller (widget, guard);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    guard_wheel (child);
}

typedef const char *(*LabelFunc) (guint value);

static void
fill_choices (AdwComboRow *row,
              LabelFunc    label,
              guint        n)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, label (i));
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

static const char *
rule_label (guint index)
{
  return fs_rule_get_label (&fs_rules_get (NULL)[index]);
}

static const char *
l1_mode_label (guint index)
{
  return fs_l1_mode_get_label ((FsL1Mode) index);
}

static const char *
init_label (guint index)
{
  return fs_init_get_label ((FsInit) index);
}

/* float32: in the order of FsDtype. */
static const char *
dtype_label (guint index)
{
  static const char *labels[FS_N_DTYPES] = { N_("Double (float64)"), N_("Single (float32)") };

  return _(labels[index]);
}

static const char *
scaling_label (guint index)
{
  return fs_scaling_get_label ((FsScaling) index);
}

/* The first descendant of widget of the given type, or NULL. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child : find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Plain names for the parts libadwaita leaves with their type's name (GTK
 * 4.8 names an unnamed accessible after its class): a choice row's list of
 * its current choice, and the panel's scroll bars. */
static void
name_inner_parts (FsParamPanel *self)
{
  AdwComboRow *rows[] = { self->scaling_row, self->l1_mode_row, self->rule_row, self->init_row,
                          self->tol_row, self->dtype_row };
  GtkWidget *scrolled = find_descendant (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *list = find_descendant (GTK_WIDGET (rows[i]), GTK_TYPE_LIST_VIEW);

      if (list != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        adw_preferences_row_get_title (ADW_PREFERENCES_ROW (rows[i])), -1);
    }
  if (scrolled == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_scrolled_window_get_vscrollbar (GTK_SCROLLED_WINDOW (scrolled))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Settings"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_scrolled_window_get_hscrollbar (GTK_SCROLLED_WINDOW (scrolled))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Settings"), -1);
}

/* Each list is one of the core's tables, in its order. */
static void
fill_choice_rows (FsParamPanel *self)
{
  guint n_rules;

  fs_rules_get (&n_rules);
  fill_choices (self->rule_row, rule_label, n_rules);
  fill_choices (self->l1_mode_row, l1_mode_label, FS_N_L1_MODES);
  fill_choices (self->init_row, init_label, FS_N_INITS);
  fill_choices (self->scaling_row, scaling_label, FS_N_SCALINGS);
  fill_choices (self->tol_row, tolerance_label, G_N_ELEMENTS (tolerances));
  fill_choices (self->dtype_row, dtype_label, FS_N_DTYPES);
}

const FsParams *
fs_param_panel_get_params (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), NULL);

  return &self->params;
}

/* Shows the given settings; emits neither "changed" nor "lr-changed". */
void
fs_param_panel_set_params (FsParamPanel   *self,
                           const FsParams *params)
{
  FsParams shown, old;

  g_return_if_fail (FS_IS_PARAM_PANEL (self));
  g_return_if_fail (params != NULL);

  if (fs_params_equal (params, &self->params))
    return;
  old = self->params;
  self->params = *params;
  write_rows (self);
  clear_lr_rejected (self);
  /* A rank above the limit, or a value the rows round, is what they show. */
  read_rows (self, &shown);
  self->params = shown;
  if (!fs_params_equal (&shown, &old))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARAMS]);
}

void
fs_param_panel_set_lr (FsParamPanel *self,
                       double        lr)
{
  FsParams p;

  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  p = self->params;
  p.lr = lr;
  fs_param_panel_set_params (self, &p);
}

FsScaling
fs_param_panel_get_scaling (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FS_SCALING_NONE);

  return self->scaling;
}

void
fs_param_panel_set_scaling (FsParamPanel *self,
                            FsScaling     scaling)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  if (self->scaling == scaling)
    return;
  self->scaling = scaling;
  self->updating = TRUE;
  adw_combo_row_set_selected (self->scaling_row, scaling);
  self->updating = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALING]);
}

gboolean
fs_param_panel_get_log_scale (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FALSE);

  return gtk_switch_get_active (self->log_switch);
}

void
fs_param_panel_set_log_scale (FsParamPanel *self,
                              gboolean      log_scale)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  /* The switch's notify::active, which the panel follows, notifies. */
  gtk_switch_set_active (self->log_switch, !!log_scale);
}

gboolean
fs_param_panel_get_log_iterations (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FALSE);

  return gtk_switch_get_active (self->log_iters_switch);
}

void
fs_param_panel_set_log_iterations (FsParamPanel *self,
                                   gboolean      log_iterations)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  gtk_switch_set_active (self->log_iters_switch, !!log_iterations);
}

/* Whether the loss plot shows the cost's terms and the norms. */
gboolean
fs_param_panel_get_show_terms (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FALSE);

  return gtk_switch_get_active (self->terms_switch);
}

void
fs_param_panel_set_show_terms (FsParamPanel *self,
                               gboolean      show_terms)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  gtk_switch_set_active (self->terms_switch, !!show_terms);
}

gboolean
fs_param_panel_get_fixed_residual (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FALSE);

  return gtk_switch_get_active (self->fixed_residual_switch);
}

void
fs_param_panel_set_fixed_residual (FsParamPanel *self,
                                   gboolean      fixed)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  gtk_switch_set_active (self->fixed_residual_switch, !!fixed);
}

/* The stability meter, in its own row under the learning rate: the rate
 * as a multiple of the largest stable step at the current W and H (from
 * the snapshots), green well below 1, amber near it, red above, read out
 * in words too. NAN: the rule has no such bound (normalized steps, Adam),
 * and the row says so. */
#define STABLE_MARGIN 0.8

void
fs_param_panel_set_stability (FsParamPanel *self,
                              double        ratio)
{
  static const char *classes[] = { "fs-stable", "fs-near-unstable", "fs-unstable" };
  GtkWidget *label;
  g_autofree char *text = NULL;
  g_autofree char *said = NULL;
  double shown;
  guint level;

  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  label = GTK_WIDGET (self->stability_label);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (label, classes[i]);
  self->stability = ratio;
  if (!isfinite (ratio))
    {
      gtk_label_set_text (self->stability_label, "—");
      adw_action_row_set_subtitle (self->stability_row, _("This rule scales its own steps"));
      return;
    }
  /* Above 1 the figure never reads 1.00: it is rounded up. */
  shown = ratio > 1.0 ? ceil (ratio * 100.0) / 100.0 : ratio;
  level = ratio < STABLE_MARGIN ? 0 : ratio <= 1.0 ? 1 : 2;
  /* TRANSLATORS: the learning rate as a multiple of the largest stable step */
  text = g_strdup_printf (_("%.2f×"), shown);
  gtk_label_set_text (self->stability_label, text);
  gtk_widget_add_css_class (label, classes[level]);
  said = g_strdup_printf (level == 2 ? _("%.2f times the largest stable step: too large")
                                     : _("%.2f times the largest stable step"), shown);
  adw_action_row_set_subtitle (self->stability_row, said);
}

double
fs_param_panel_get_stability (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), NAN);

  return self->stability;
}

guint
fs_param_panel_get_rank_limit (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), 0);

  return (guint) gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (self->rank_spin));
}

/* The largest rank the matrix allows; a larger rank shown comes down to it
 * without a "changed" signal (the caller sets the settings it wants next). */
void
fs_param_panel_set_rank_limit (FsParamPanel *self,
                               guint         limit)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));
  g_return_if_fail (limit >= 1);

  if (fs_param_panel_get_rank_limit (self) == limit)
    return;
  self->updating = TRUE;
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->rank_spin), limit);
  if (gtk_spin_button_get_value (self->rank_spin) > limit)
    gtk_spin_button_set_value (self->rank_spin, limit);
  self->updating = FALSE;
  if (self->params.rank > limit)
    {
      self->params.rank = limit;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARAMS]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RANK_LIMIT]);
}

const char *
fs_param_panel_get_data_description (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), NULL);

  return adw_action_row_get_subtitle (self->data_row);
}

void
fs_param_panel_set_data_description (FsParamPanel *self,
                                     const char   *description)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  if (g_strcmp0 (description, fs_param_panel_get_data_description (self)) == 0)
    return;
  adw_action_row_set_subtitle (self->data_row, description);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DESCRIPTION]);
}

/* The matrix row opens the import options of the file shown (the
 * window's action), when there is a file to read again. */
static void
on_data_row_activated (FsParamPanel *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.import-options", NULL);
}

/**
 * fs_param_panel_set_import_available:
 *
 * Whether the matrix row can be clicked for the import options (the
 * matrix was read from a file): it then shows an arrow and a tooltip.
 */
void
fs_param_panel_set_import_available (FsParamPanel *self,
                                     gboolean      available)
{
  g_return_if_fail (FS_IS_PARAM_PANEL (self));

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->data_row), available);
  gtk_widget_set_visible (self->data_row_arrow, available);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->data_row), available ? _("Import options") : NULL);
}

gboolean
fs_param_panel_get_import_available (FsParamPanel *self)
{
  g_return_val_if_fail (FS_IS_PARAM_PANEL (self), FALSE);

  return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (self->data_row));
}

static void
fs_param_panel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FsParamPanel *self = FS_PARAM_PANEL (object);

  switch (prop_id)
    {
    case PROP_PARAMS:
      g_value_set_boxed (value, &self->params);
      break;
    case PROP_SCALING:
      g_value_set_uint (value, self->scaling);
      break;
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, fs_param_panel_get_log_scale (self));
      break;
    case PROP_LOG_ITERATIONS:
      g_value_set_boolean (value, fs_param_panel_get_log_iterations (self));
      break;
    case PROP_SHOW_TERMS:
      g_value_set_boolean (value, fs_param_panel_get_show_terms (self));
      break;
    case PROP_FIXED_RESIDUAL:
      g_value_set_boolean (value, fs_param_panel_get_fixed_residual (self));
      break;
    case PROP_RANK_LIMIT:
      g_value_set_uint (value, fs_param_panel_get_rank_limit (self));
      break;
    case PROP_DATA_DESCRIPTION:
      g_value_set_string (value, fs_param_panel_get_data_description (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_param_panel_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FsParamPanel *self = FS_PARAM_PANEL (object);

  switch (prop_id)
    {
    case PROP_PARAMS:
      if (g_value_get_boxed (value) != NULL)
        fs_param_panel_set_params (self, g_value_get_boxed (value));
      break;
    case PROP_SCALING:
      fs_param_panel_set_scaling (self, (FsScaling) g_value_get_uint (value));
      break;
    case PROP_LOG_SCALE:
      fs_param_panel_set_log_scale (self, g_value_get_boolean (value));
      break;
    case PROP_LOG_ITERATIONS:
      fs_param_panel_set_log_iterations (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_TERMS:
      fs_param_panel_set_show_terms (self, g_value_get_boolean (value));
      break;
    case PROP_FIXED_RESIDUAL:
      fs_param_panel_set_fixed_residual (self, g_value_get_boolean (value));
      break;
    case PROP_RANK_LIMIT:
      fs_param_panel_set_rank_limit (self, g_value_get_uint (value));
      break;
    case PROP_DATA_DESCRIPTION:
      fs_param_panel_set_data_description (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_param_panel_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), FS_TYPE_PARAM_PANEL);

  G_OBJECT_CLASS (fs_param_panel_parent_class)->dispose (object);
}

static void
install_properties (GObjectClass *object_class)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  properties[PROP_PARAMS] = g_param_spec_boxed ("params", NULL, NULL, FS_TYPE_PARAMS, flags);
  properties[PROP_SCALING] = g_param_spec_uint ("scaling", NULL, NULL, 0, FS_N_SCALINGS - 1,
                                                FS_SCALING_NONE, flags);
  properties[PROP_LOG_SCALE] = g_param_spec_boolean ("log-scale", NULL, NULL, TRUE, flags);
  properties[PROP_LOG_ITERATIONS] = g_param_spec_boolean ("log-iterations", NULL, NULL, FALSE, flags);
  properties[PROP_SHOW_TERMS] = g_param_spec_boolean ("show-terms", NULL, NULL, FALSE, flags);
  properties[PROP_FIXED_RESIDUAL] = g_param_spec_boolean ("fixed-residual", NULL, NULL, FALSE, flags);
  properties[PROP_RANK_LIMIT] = g_param_spec_uint ("rank-limit", NULL, NULL, 1, G_MAXUINT, 1000, flags);
  properties[PROP_DATA_DESCRIPTION] = g_param_spec_string ("data-description", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fs_param_panel_class_init (FsParamPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_param_panel_dispose;
  object_class->get_property = fs_param_panel_get_property;
  object_class->set_property = fs_param_panel_set_property;
  install_properties (object_class);

  /* A setting that restarts the run changed in a row. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Only the learning rate changed in its row. */
  signals[LR_CHANGED] = g_signal_new ("lr-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A text typed as the learning rate was refused; the argument says why. */
  signals[LR_REJECTED] = g_signal_new ("lr-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/factorscope/Factorscope/fs-param-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, data_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, data_row_arrow);
  gtk_widget_class_bind_template_callback (widget_class, on_data_row_activated);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, scaling_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, l1_mode_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, rule_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, init_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, dtype_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, rank_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, l2_w_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, l2_h_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, l1_w_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, l1_h_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, restarts_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, iters_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, holdout_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, holdout_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, holdout_seed_spin);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, nonneg_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, log_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, log_iters_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, terms_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, fixed_residual_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, tol_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, unstable_switch);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, lr_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, stability_row);
  gtk_widget_class_bind_template_child (widget_class, FsParamPanel, stability_label);
  /* Reachable by name for tests, through gtk_widget_get_template_child. */
  gtk_widget_class_bind_template_child_full (widget_class, "suggest_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "holdout_share_row", FALSE, 0);
}

static void
connect_rows (FsParamPanel *self)
{
  GtkSpinButton *spins[] = { self->rank_spin, self->l2_w_spin, self->l2_h_spin, self->l1_w_spin,
                             self->l1_h_spin, self->lr_spin, self->restarts_spin, self->iters_spin,
                             self->seed_spin, self->holdout_spin, self->holdout_seed_spin };
  AdwComboRow *rows[] = { self->l1_mode_row, self->rule_row, self->init_row, self->tol_row,
                          self->dtype_row };

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      g_signal_connect_swapped (spins[i], "value-changed", G_CALLBACK (on_row_changed), self);
      g_signal_connect (spins[i], "value-changed", G_CALLBACK (on_spin_value_changed), self);
      update_accessible_value (spins[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_signal_connect_swapped (rows[i], "notify::selected", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->nonneg_switch, "notify::active", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->unstable_switch, "notify::active", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->holdout_switch, "notify::active", G_CALLBACK (on_row_changed), self);
  g_signal_connect_swapped (self->log_iters_switch, "notify::active",
                            G_CALLBACK (on_log_iters_switched), self);
  g_signal_connect_swapped (self->terms_switch, "notify::active", G_CALLBACK (on_terms_switched), self);
  g_signal_connect_swapped (self->fixed_residual_switch, "notify::active",
                            G_CALLBACK (on_fixed_residual_switched), self);
  g_signal_connect_swapped (self->scaling_row, "notify::selected", G_CALLBACK (on_scaling_selected), self);
  g_signal_connect_swapped (self->log_switch, "notify::active", G_CALLBACK (on_log_switched), self);
  g_signal_connect (self->lr_spin, "output", G_CALLBACK (on_lr_output), NULL);
  g_signal_connect (self->lr_spin, "input", G_CALLBACK (on_lr_input), self);
}

static void
fs_param_panel_init (FsParamPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  fill_choice_rows (self);

  fs_params_init_defaults (&self->params);
  self->params.rank = FS_DEFAULT_RANK;
  /* The share a held-out run gets when the switch is turned on. */
  gtk_spin_button_set_value (self->holdout_spin, 100.0 * FS_DEFAULT_HOLDOUT);
  self->stability = NAN;
  write_rows (self);
  read_rows (self, &self->params);
  connect_rows (self);
  guard_wheel (GTK_WIDGET (self));
  name_inner_parts (self);
}

GtkWidget *
fs_param_panel_new (void)
{
  return g_object_new (FS_TYPE_PARAM_PANEL, NULL);
}
