/* fs-window-speed.c: how fast a run goes, from one iteration a second to
 * as fast as the solver can.
 *
 * The slider moves over a short list of paces, so that every position has
 * a plain name for a screen reader and a class can be told "ten a second".
 * One iteration a frame (60 a second) is where each step is still drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-window-private.h"

/* Iterations per second; 0, the last, is as fast as possible. */
static const double paces[] = { 1, 3, 10, 30, 60, 200, 1000, 5000, 0 };

guint
fs_window_speed_get_n_paces (void)
{
  return G_N_ELEMENTS (paces);
}

/* The pace at position index of the slider; 0 for full speed. */
double
fs_window_speed_get_pace (guint index)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (paces), 0.0);

  return paces[index];
}

/* What the slider shows (short) or says to a screen reader (long). */
char *
fs_window_speed_dup_label (guint    index,
                           gboolean long_form)
{
  double pace = fs_window_speed_get_pace (index);
  g_autofree char *number = g_strdup_printf ("%.0f", pace);

  if (pace == 0.0)
    return g_strdup (long_form ? _("As fast as possible") : _("Full"));
  if (pace == 60.0 && long_form)
    return g_strdup (_("60 iterations per second (one per frame)"));
  if (long_form)
    /* Translators: %s is a number of iterations. */
    return g_strdup_printf (ngettext ("%s iteration per second", "%s iterations per second",
                                      (gulong) pace), number);
  /* TRANSLATORS: %s is a number of iterations; "/s" is per second */
  return g_strdup_printf (_("%s/s"), number);
}

static guint
slider_index (FsWindow *self)
{
  double v = gtk_range_get_value (GTK_RANGE (self->speed_scale));

  return (guint) CLAMP (lround (v), 0, (long) G_N_ELEMENTS (paces) - 1);
}

static char *
format_value (GtkScale *scale,
              double    value,
              gpointer  data)
{
  return fs_window_speed_dup_label ((guint) CLAMP (lround (value), 0, (long) G_N_ELEMENTS (paces) - 1),
                                    FALSE);
}

static void
on_speed_changed (FsWindow *self)
{
  guint index = slider_index (self);
  g_autofree char *text = fs_window_speed_dup_label (index, TRUE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->speed_scale),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
  fs_session_set_pace (self->session, fs_window_speed_get_pace (index));
}

/* The slider's position for a pace: the nearest one (0: full speed). */
void
fs_window_set_pace (FsWindow *self,
                    double    iterations_per_second)
{
  guint best = G_N_ELEMENTS (paces) - 1;

  g_return_if_fail (FS_IS_WINDOW (self));

  for (guint k = 0; iterations_per_second > 0.0 && k + 1 < G_N_ELEMENTS (paces); k++)
    if (best == G_N_ELEMENTS (paces) - 1 ||
        fabs (log (paces[k] / iterations_per_second)) < fabs (log (paces[best] / iterations_per_second)))
      best = k;
  gtk_range_set_value (GTK_RANGE (self->speed_scale), best);
}

static void
change_speed (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  int index = (int) slider_index (self) + g_variant_get_int32 (param);

  gtk_range_set_value (GTK_RANGE (self->speed_scale),
                       CLAMP (index, 0, (int) G_N_ELEMENTS (paces) - 1));
}

void
fs_window_speed_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.speed", "i", change_speed);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketleft, GDK_CONTROL_MASK,
                                       "win.speed", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, GDK_CONTROL_MASK,
                                       "win.speed", "i", 1);
}

void
fs_window_speed_init (FsWindow *self)
{
  GtkRange *range = GTK_RANGE (self->speed_scale);
  guint last = G_N_ELEMENTS (paces) - 1;

  gtk_range_set_range (range, 0, last);
  gtk_range_set_increments (range, 1, 1);
  gtk_range_set_round_digits (range, 0);
  for (guint k = 0; k <= last; k++)
    gtk_scale_add_mark (self->speed_scale, k, GTK_POS_BOTTOM, NULL);
  gtk_scale_set_format_value_func (self->speed_scale, format_value, NULL, NULL);
  g_signal_connect_swapped (range, "value-changed", G_CALLBACK (on_speed_changed), self);
  gtk_range_set_value (range, last);
  on_speed_changed (self);
}
