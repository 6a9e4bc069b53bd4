/* test-param-panel.c: the settings panel, as libadwaita tests its widgets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "fs-param-panel.h"
#include "fs-rules.h"
#include "fs-session.h"
#include "fs-test-ui.h"

static void
count (guint *counter)
{
  (*counter)++;
}

static FsParamPanel *
new_panel (void)
{
  FsParamPanel *panel = FS_PARAM_PANEL (fs_param_panel_new ());

  g_object_ref_sink (panel);
  return panel;
}

static GtkWidget *
child (FsParamPanel *panel,
       const char   *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (panel), FS_TYPE_PARAM_PANEL, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
test_params_property (void)
{
  FsParamPanel *panel = new_panel ();
  FsParams params = *fs_param_panel_get_params (panel);
  FsParams *got = NULL;
  guint notified = 0;

  g_signal_connect_swapped (panel, "notify::params", G_CALLBACK (count), &notified);

  /* The defaults the window and the CLI share. */
  g_assert_cmpuint (params.rank, ==, FS_DEFAULT_RANK);
  g_assert_cmpuint (params.max_iters, ==, FS_DEFAULT_MAX_ITERS);

  params.rank = 7;
  params.l2_h = 0.25;
  params.rule = fs_rule_find ("adam");
  g_object_set (panel, "params", &params, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (panel, "params", &got, NULL);
  g_assert_cmpuint (got->rank, ==, 7);
  g_assert_cmpfloat (got->l2_h, ==, 0.25);
  g_assert_true (got->rule == fs_rule_find ("adam"));
  g_assert_cmpint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (panel, "rule_row"))), ==,
                   fs_rule_get_index (fs_rule_find ("adam")));
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (child (panel, "rank_spin"))), ==, 7);
  g_free (got);

  /* The same settings again: no notification. */
  g_object_set (panel, "params", &params, NULL);
  g_assert_cmpuint (notified, ==, 1);

  fs_param_panel_set_lr (panel, 0.125);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->lr, ==, 0.125);
  fs_param_panel_set_lr (panel, 0.125);
  g_assert_cmpuint (notified, ==, 2);

  g_assert_finalize_object (panel);
}

static void
test_simple_properties (void)
{
  FsParamPanel *panel = new_panel ();
  guint scaling = 0, log_scale = 0, limit = 0, description = 0;
  g_autofree char *text = NULL;
  gboolean log_value;
  guint value;

  g_signal_connect_swapped (panel, "notify::scaling", G_CALLBACK (count), &scaling);
  g_signal_connect_swapped (panel, "notify::log-scale", G_CALLBACK (count), &log_scale);
  g_signal_connect_swapped (panel, "notify::rank-limit", G_CALLBACK (count), &limit);
  g_signal_connect_swapped (panel, "notify::data-description", G_CALLBACK (count), &description);

  g_object_set (panel, "scaling", FS_SCALING_CENTER_COLUMNS, NULL);
  g_object_set (panel, "scaling", FS_SCALING_CENTER_COLUMNS, NULL);
  g_object_get (panel, "scaling", &value, NULL);
  g_assert_cmpuint (value, ==, FS_SCALING_CENTER_COLUMNS);
  g_assert_cmpuint (scaling, ==, 1);

  g_object_get (panel, "log-scale", &log_value, NULL);
  g_assert_true (log_value);
  g_object_set (panel, "log-scale", FALSE, NULL);
  g_object_set (panel, "log-scale", FALSE, NULL);
  g_assert_false (fs_param_panel_get_log_scale (panel));
  g_assert_cmpuint (log_scale, ==, 1);

  /* A lower limit brings a larger rank down to it. */
  g_object_set (panel, "rank-limit", 3, NULL);
  g_object_set (panel, "rank-limit", 3, NULL);
  g_object_get (panel, "rank-limit", &value, NULL);
  g_assert_cmpuint (value, ==, 3);
  g_assert_cmpuint (limit, ==, 1);
  g_assert_cmpuint (fs_param_panel_get_params (panel)->rank, ==, 3);

  g_object_set (panel, "data-description", "camera: 512 × 512", NULL);
  g_object_set (panel, "data-description", "camera: 512 × 512", NULL);
  g_object_get (panel, "data-description", &text, NULL);
  g_assert_cmpstr (text, ==, "camera: 512 × 512");
  g_assert_cmpuint (description, ==, 1);

  g_assert_finalize_object (panel);
}

/* A row the user changes signals "changed", or "lr-changed" for the
 * learning rate alone; settings set from code signal neither. */
static void
test_change_signals (void)
{
  FsParamPanel *panel = new_panel ();
  FsParams params = *fs_param_panel_get_params (panel);
  guint changed = 0, lr_changed = 0;

  g_signal_connect_swapped (panel, "changed", G_CALLBACK (count), &changed);
  g_signal_connect_swapped (panel, "lr-changed", G_CALLBACK (count), &lr_changed);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "rank_spin")), 2);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (lr_changed, ==, 0);
  g_assert_cmpuint (fs_param_panel_get_params (panel)->rank, ==, 2);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "lr_spin")), 0.5);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (lr_changed, ==, 1);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->lr, ==, 0.5);

  gtk_switch_set_active (GTK_SWITCH (child (panel, "nonneg_switch")), TRUE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_true (fs_param_panel_get_params (panel)->nonneg);

  params.rank = 4;
  fs_param_panel_set_params (panel, &params);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (lr_changed, ==, 1);

  g_assert_finalize_object (panel);
}

/* The choice rows come from the core's tables, in their order. */
static void
test_choices_follow_tables (void)
{
  FsParamPanel *panel = new_panel ();
  GListModel *rules = adw_combo_row_get_model (ADW_COMBO_ROW (child (panel, "rule_row")));
  GListModel *scalings = adw_combo_row_get_model (ADW_COMBO_ROW (child (panel, "scaling_row")));

  guint n_rules;
  const FsRule *table = fs_rules_get (&n_rules);

  g_assert_cmpuint (g_list_model_get_n_items (rules), ==, n_rules);
  for (guint i = 0; i < n_rules; i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (rules), i), ==,
                     fs_rule_get_label (&table[i]));
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (rules),
                                               fs_rule_get_index (fs_rule_find ("adam"))), ==, "Adam");
  g_assert_cmpuint (g_list_model_get_n_items (scalings), ==, FS_N_SCALINGS);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (scalings), FS_SCALING_UNIT_RANGE), ==,
                   "To [0, 1]");

  adw_combo_row_set_selected (ADW_COMBO_ROW (child (panel, "rule_row")),
                              fs_rule_get_index (fs_rule_find ("momentum")));
  g_assert_true (fs_param_panel_get_params (panel)->rule == fs_rule_find ("momentum"));

  g_assert_finalize_object (panel);
}

/* What focusing the field and leaving it does: the text is read back. */
static double
type_lr (FsParamPanel *panel,
         const char   *text)
{
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (panel, "lr_spin"));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  gtk_spin_button_update (spin);
  return fs_param_panel_get_params (panel)->lr;
}

static void
check_lr_entry (void)
{
  FsParamPanel *panel = new_panel ();
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (panel, "lr_spin"));
  struct lconv *conv = localeconv ();
  g_autofree char *shown = NULL;

  fs_param_panel_set_lr (panel, 0.005);
  shown = g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin)));
  g_test_message ("decimal point “%s”, the field shows “%s”", conv->decimal_point, shown);
  g_assert_cmpstr (shown, ==, g_str_equal (conv->decimal_point, ",") ? "0,005" : "0.005");

  /* Read back as shown: focus and Tab change nothing. */
  g_assert_cmpfloat (type_lr (panel, shown), ==, 0.005);
  /* Text that is not a positive number keeps the value. */
  g_assert_cmpfloat (type_lr (panel, "abc"), ==, 0.005);
  g_assert_cmpfloat (type_lr (panel, "-1"), ==, 0.005);
  g_assert_cmpfloat (type_lr (panel, "0,01x"), ==, 0.005);
  /* A rate with more digits than the field shows survives focus and Tab. */
  fs_param_panel_set_lr (panel, 0.00123456789);
  g_free (shown);
  shown = g_strdup (gtk_editable_get_text (GTK_EDITABLE (spin)));
  g_assert_cmpfloat (type_lr (panel, shown), ==, 0.00123456789);
  /* A point is understood in every locale. */
  g_assert_cmpfloat (type_lr (panel, "0.02"), ==, 0.02);
  if (g_str_equal (conv->decimal_point, ","))
    g_assert_cmpfloat (type_lr (panel, "0,03"), ==, 0.03);

  g_assert_finalize_object (panel);
}

static void
test_lr_entry_c_locale (void)
{
  check_lr_entry ();
}

/* The arrows step by a tenth of the rate's leading place: twenty presses
 * down from 0.0015 leave a usable rate, not the floor of 1e-12. */
static void
test_lr_steps (void)
{
  FsParamPanel *panel = new_panel ();
  GtkSpinButton *spin = GTK_SPIN_BUTTON (child (panel, "lr_spin"));

  fs_param_panel_set_lr (panel, 0.0015);
  gtk_spin_button_spin (spin, GTK_SPIN_STEP_BACKWARD, 0.0);
  g_assert_cmpfloat_with_epsilon (fs_param_panel_get_params (panel)->lr, 0.0014, 1e-12);
  for (int k = 0; k < 19; k++)
    gtk_spin_button_spin (spin, GTK_SPIN_STEP_BACKWARD, 0.0);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->lr, >, 5e-4);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->lr, <, 1e-3);

  g_assert_finalize_object (panel);
}

/* Assistive technologies read the value each spin button shows, and the
 * text it shows for it, whether the user or the program set it. */
static void
test_spin_accessible_values (void)
{
  FsParamPanel *panel = new_panel ();
  GtkWidget *lr = child (panel, "lr_spin");
  GtkWidget *l2 = child (panel, "l2_w_spin");
  GtkWidget *iters = child (panel, "iters_spin");
  FsParams params = *fs_param_panel_get_params (panel);

  params.l2_w = 0.25;
  params.max_iters = 1234;
  params.lr = 0.00123456789;
  fs_param_panel_set_params (panel, &params);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (l2), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 0.25);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (l2), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "0.2500");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (iters), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 1234.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (iters), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "1234");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 0.00123456789);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "0.001235");

  /* A rate suggested for a new matrix or scaling comes through set_lr. */
  fs_param_panel_set_lr (panel, 2e-5);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, 2e-5);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "2e-05");

  /* From the cameraman's rate to the digits' (a pair AT-SPI once read
   * stale): what the field shows is what it reports. */
  fs_param_panel_set_lr (panel, 0.000898317063153983);
  params = *fs_param_panel_get_params (panel);
  params.lr = 0.00011050164293854585;
  params.rank = 10;
  fs_param_panel_set_params (panel, &params);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                       0.00011050164293854585);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "0.0001105");
  fs_param_panel_set_lr (panel, 2e-5);

  /* The arrows, as the user presses them. */
  gtk_spin_button_spin (GTK_SPIN_BUTTON (lr), GTK_SPIN_STEP_FORWARD, 0.0);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (lr), GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, "2.1e-05");

  g_assert_finalize_object (panel);
}

static void
count_rejected (FsParamPanel *panel,
                const char   *message,
                GString      *messages)
{
  g_string_append_printf (messages, "%s\n", message);
}

/* A text that is not a positive number keeps the rate, and the field says
 * what is wrong until the rate changes. */
static void
test_lr_rejected (void)
{
  FsParamPanel *panel = new_panel ();
  GtkWidget *spin = child (panel, "lr_spin");
  g_autoptr(GString) messages = g_string_new (NULL);
  const char *tooltip;

  g_signal_connect (panel, "lr-rejected", G_CALLBACK (count_rejected), messages);
  fs_param_panel_set_lr (panel, 0.005);
  g_assert_false (gtk_widget_has_css_class (spin, "error"));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_FALSE);

  g_assert_cmpfloat (type_lr (panel, "fast"), ==, 0.005);
  g_assert_true (gtk_widget_has_css_class (spin, "error"));
  tooltip = gtk_widget_get_tooltip_text (spin);
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "“fast”"));
  g_assert_nonnull (strstr (tooltip, "0.005"));
  g_assert_cmpstr (messages->str, ==, "“fast” is not a learning rate: type a positive number such as "
                                      "0.001. The rate stays 0.005.\n");
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);
  /* The field shows the rate it keeps. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (spin)), ==, "0.005");

  g_assert_cmpfloat (type_lr (panel, "0"), ==, 0.005);
  g_assert_true (gtk_widget_has_css_class (spin, "error"));

  /* A rate accepted clears it. */
  g_assert_cmpfloat (type_lr (panel, "0.02"), ==, 0.02);
  g_assert_false (gtk_widget_has_css_class (spin, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (spin));
  gtk_test_accessible_assert_state (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_FALSE);

  /* So does a rate set from code. */
  type_lr (panel, "-3");
  g_assert_true (gtk_widget_has_css_class (spin, "error"));
  fs_param_panel_set_lr (panel, 0.03);
  g_assert_false (gtk_widget_has_css_class (spin, "error"));

  g_assert_finalize_object (panel);
}

/* In German the field shows 0,005: it must read that back as 0.005. */
static void
test_lr_entry_decimal_comma (void)
{
  locale_t german;

  if (g_test_subprocess ())
    {
      g_assert_nonnull (setlocale (LC_NUMERIC, "de_DE.UTF-8"));
      check_lr_entry ();
      return;
    }
  /* tools/setup generates the locale; without it this case checks nothing,
   * which is a failure under CI and a skip elsewhere. */
  german = newlocale (LC_NUMERIC_MASK, "de_DE.UTF-8", (locale_t) 0);
  if (german == (locale_t) 0)
    {
      if (g_getenv ("CI") != NULL)
        g_error ("The de_DE.UTF-8 locale is not generated (tools/setup generates it)");
      g_test_skip ("the de_DE.UTF-8 locale is not generated (tools/setup generates it)");
      return;
    }
  freelocale (german);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The convergence row and the unstable switch are settings like the
 * others; a tolerance set from code shows as the nearest choice. */
static void
test_stop_rows (void)
{
  FsParamPanel *panel = new_panel ();
  FsParams params = *fs_param_panel_get_params (panel);
  AdwComboRow *tol = ADW_COMBO_ROW (child (panel, "tol_row"));
  guint changed = 0;

  g_signal_connect_swapped (panel, "changed", G_CALLBACK (count), &changed);
  params.tol = 1e-6;
  params.stop_unstable = TRUE;
  fs_param_panel_set_params (panel, &params);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->tol, ==, 1e-6);
  g_assert_cmpstr (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (tol))),
                   ==, "Change < 10⁻⁶");

  adw_combo_row_set_selected (tol, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->tol, ==, 0.0);
  gtk_switch_set_active (GTK_SWITCH (child (panel, "unstable_switch")), FALSE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_false (fs_param_panel_get_params (panel)->stop_unstable);

  params.tol = 3e-8;
  fs_param_panel_set_params (panel, &params);
  g_assert_cmpstr (gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (tol))),
                   ==, "Change < 10⁻⁸");
  g_assert_finalize_object (panel);
}

/* Holding cells out: off by default; on, at 10% unless another share is
 * chosen; the share and split seed rows follow the switch. */
static void
test_holdout_rows (void)
{
  FsParamPanel *panel = new_panel ();
  GtkSwitch *on = GTK_SWITCH (child (panel, "holdout_switch"));
  GtkSpinButton *share = GTK_SPIN_BUTTON (child (panel, "holdout_spin"));
  FsParams params;
  guint changed = 0;

  g_signal_connect_swapped (panel, "changed", G_CALLBACK (count), &changed);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->holdout, ==, 0.0);
  g_assert_false (gtk_widget_is_sensitive (child (panel, "holdout_share_row")));

  gtk_switch_set_active (on, TRUE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->holdout, ==, FS_DEFAULT_HOLDOUT);
  g_assert_true (gtk_widget_is_sensitive (child (panel, "holdout_share_row")));
  gtk_spin_button_set_value (share, 25);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->holdout, ==, 0.25);
  gtk_switch_set_active (on, FALSE);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->holdout, ==, 0.0);

  params = *fs_param_panel_get_params (panel);
  params.holdout = 0.3;
  params.holdout_seed = 7;
  fs_param_panel_set_params (panel, &params);
  g_assert_true (gtk_switch_get_active (on));
  g_assert_cmpfloat (gtk_spin_button_get_value (share), ==, 30);
  g_assert_cmpfloat (fs_param_panel_get_params (panel)->holdout, ==, 0.3);
  g_assert_cmpuint (fs_param_panel_get_params (panel)->holdout_seed, ==, 7);
  g_assert_finalize_object (panel);
}

/* The stability meter: the ratio in the rate's row, coloured by how close
 * it is to 1, and a plain word when the rule has no bound. */
static void
test_stability_meter (void)
{
  FsParamPanel *panel = new_panel ();
  AdwActionRow *row = ADW_ACTION_ROW (child (panel, "stability_row"));
  GtkLabel *label = GTK_LABEL (child (panel, "stability_label"));

  g_assert_cmpstr (gtk_label_get_text (label), ==, "—");
  g_assert_true (isnan (fs_param_panel_get_stability (panel)));
  fs_param_panel_set_stability (panel, 0.25);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "0.25×");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "0.25 times the largest stable step");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "fs-stable"));
  fs_param_panel_set_stability (panel, 0.9);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "fs-near-unstable"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (label), "fs-stable"));
  /* Just above 1 reads above 1, never "1.00" and "too large". */
  fs_param_panel_set_stability (panel, 1.001);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "1.01×");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "1.01 times the largest stable step: too large");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "fs-unstable"));
  fs_param_panel_set_stability (panel, NAN);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "—");
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "This rule scales its own steps");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (label), "fs-unstable"));
  g_assert_true (isnan (fs_param_panel_get_stability (panel)));
  g_assert_finalize_object (panel);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  g_test_add_func ("/param-panel/params-property", test_params_property);
  g_test_add_func ("/param-panel/holdout-rows", test_holdout_rows);
  g_test_add_func ("/param-panel/simple-properties", test_simple_properties);
  g_test_add_func ("/param-panel/change-signals", test_change_signals);
  g_test_add_func ("/param-panel/choices-follow-tables", test_choices_follow_tables);
  g_test_add_func ("/param-panel/lr-entry-c-locale", test_lr_entry_c_locale);
  g_test_add_func ("/param-panel/lr-steps", test_lr_steps);
  g_test_add_func ("/param-panel/lr-entry-decimal-comma", test_lr_entry_decimal_comma);
  g_test_add_func ("/param-panel/spin-accessible-values", test_spin_accessible_values);
  g_test_add_func ("/param-panel/lr-rejected", test_lr_rejected);
  g_test_add_func ("/param-panel/stop-rows", test_stop_rows);
  g_test_add_func ("/param-panel/stability-meter", test_stability_meter);

  return g_test_run ();
}
