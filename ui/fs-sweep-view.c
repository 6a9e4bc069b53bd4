/* fs-sweep-view.c
 *
 * The view owns its FsSweep. It hands the plot a copy of every point when
 * the sweep starts and whenever a point ends (the sweep's callback, or a
 * change of state seen on the frame clock), and in between, once per
 * frame, a copy of each point it last saw running or about to run: the
 * copies of done points carry W and H, which are not copied at frame
 * rate. Bad settings are written in an error line under the controls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sweep-view"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-sweep-view.h"
#include "fs-ui-util.h"

/* The points watched per frame beyond the running ones: as many as may
 * start together. */
#define WATCH_WAITING 2
#define RANK_POINTS 20          /* the default rank range's end */

struct _FsSweepView
{
  GtkWidget     parent_instance;

  FsSession    *session;
  gulong        matrix_handler;
  gboolean      lr_auto;

  GtkWidget    *controls;
  GtkWidget    *axis_dropdown;
  GtkWidget    *from_spin;
  GtkWidget    *to_spin;
  GtkWidget    *points_label;
  GtkWidget    *points_spin;
  GtkWidget    *start_button;
  GtkWidget    *progress_label;
  GtkWidget    *error_label;
  FsSweepPlot  *plot;
  GtkWidget    *popover;
  GtkWidget    *popover_label;

  FsSweep      *sweep;
  FsSweepAxis   sweep_axis;
  GArray       *states;         /* FsSweepPointState per point, as last seen */
  guint         tick_id;
  gboolean      cancelling;
  FsSweepPoint *active;         /* the point the popover is about */
};

enum
{
  LOAD_POINT,
  KEEP_POINT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FsSweepView, fs_sweep_view, GTK_TYPE_WIDGET)

static FsSweepAxis
chosen_axis (FsSweepView *self)
{
  return (FsSweepAxis) gtk_drop_down_get_selected (GTK_DROP_DOWN (self->axis_dropdown));
}

/* The largest rank the session's matrix takes: min (rows, cols). */
static guint
max_rank (FsSweepView *self)
{
  FsMatrix *X = fs_session_get_matrix (self->session);

  return X != NULL ? (guint) MIN (MIN (X->rows, X->cols), G_MAXUINT) : 1000;
}

static void
set_spin (GtkWidget *spin,
          guint      digits,
          double     lower,
          double     upper,
          double     step,
          double     value)
{
  GtkSpinButton *s = GTK_SPIN_BUTTON (spin);

  gtk_spin_button_set_digits (s, digits);
  gtk_spin_button_set_range (s, lower, upper);
  gtk_spin_button_set_increments (s, step, step * 10);
  gtk_spin_button_set_value (s, value);
}

/* From and To for the axis: every rank the matrix takes (1 … 20 by
 * default), or penalties with the param panel's 4 digits (1e-4 … 10 on 6
 * points, a value per decade, by default). */
static void
configure_range (FsSweepView *self)
{
  gboolean rank = chosen_axis (self) == FS_SWEEP_RANK;
  guint top = max_rank (self);

  if (rank)
    {
      set_spin (self->from_spin, 0, 1, top, 1, 1);
      set_spin (self->to_spin, 0, 1, top, 1, MIN (RANK_POINTS, top));
    }
  else
    {
      set_spin (self->from_spin, 4, 1e-4, 1e3, 1e-4, 1e-4);
      set_spin (self->to_spin, 4, 1e-4, 1e3, 1e-4, 10);
    }
  gtk_widget_set_visible (self->points_label, !rank);
  gtk_widget_set_visible (self->points_spin, !rank);
}

static void
on_axis_changed (FsSweepView *self)
{
  configure_range (self);
}

static void
show_error (FsSweepView  *self,
            const GError *error)
{
  gtk_label_set_text (GTK_LABEL (self->error_label), error != NULL ? error->message : "");
  gtk_widget_set_visible (self->error_label, error != NULL);
}

/* The controls' range as fs_sweep_parse_values () reads it: "1:20", or
 * "0.0001:10:6" (in the C locale), or "0.1" for one penalty. */
static char *
range_text (FsSweepView *self)
{
  double from = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->from_spin));
  double to = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->to_spin));
  char from_text[G_ASCII_DTOSTR_BUF_SIZE], to_text[G_ASCII_DTOSTR_BUF_SIZE];

  if (chosen_axis (self) == FS_SWEEP_RANK)
    return g_strdup_printf ("%u:%u", (guint) round (from), (guint) round (to));
  g_ascii_dtostr (from_text, sizeof from_text, from);
  g_ascii_dtostr (to_text, sizeof to_text, to);
  /* One penalty alone is no grid. */
  if (from == to)
    return g_strdup (from_text);
  return g_strdup_printf ("%s:%s:%d", from_text, to_text,
                          gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->points_spin)));
}

/* "rank 3" or "L2 on W 0.1", as the plot names points. */
static char *
point_name (FsSweepAxis axis,
            double      value)
{
  g_autofree char *number = g_strdup_printf ("%g", value);

  if (axis == FS_SWEEP_RANK)
    return g_strdup_printf (_("rank %s"), number);
  return g_strdup_printf (_("%s = %s"), fs_sweep_axis_get_label (axis), number);
}

/* "Point 3 of 20: rank 3, iteration 1200 of 10000" for the running
 * point; "Done: 20 points" or "Cancelled" at the end. */
static void
show_progress (FsSweepView        *self,
               const FsSweepPoint *running)
{
  guint n = self->states->len;
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *text = NULL;

  if (running != NULL)
    {
      g_autofree char *index = g_strdup_printf ("%u", running->index + 1);
      g_autofree char *name = point_name (self->sweep_axis, running->value);
      g_autofree char *iteration = g_strdup_printf ("%" G_GUINT64_FORMAT, running->iteration);
      g_autofree char *limit = g_strdup_printf ("%" G_GUINT64_FORMAT, running->params.max_iters);

      /* TRANSLATORS: a sweep's progress, e.g. "Point 3 of 20: rank 3, iteration 1200 of 10000". */
      text = g_strdup_printf (_("Point %s of %s: %s, iteration %s of %s"), index, count, name,
                              iteration, limit);
    }
  else if (self->sweep != NULL && fs_sweep_is_done (self->sweep))
    text = self->cancelling ? g_strdup (_("Cancelled"))
                            : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Done: %s point",
                                                            "Done: %s points", n), count);
  else
    text = g_strdup (self->cancelling ? _("Cancelling…") : _("Starting…"));
  gtk_label_set_text (GTK_LABEL (self->progress_label), text);
}

static void
set_running_button (FsSweepView *self,
                    gboolean     running)
{
  gtk_button_set_label (GTK_BUTTON (self->start_button), running ? _("Cancel") : _("Start"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->start_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  running ? _("Cancel sweep") : _("Start sweep"), -1);
}

/* A copy of every point to the plot, and their states noted. */
static void
refresh_all (FsSweepView *self)
{
  guint n = fs_sweep_get_n_points (self->sweep);
  g_autofree FsSweepPoint **points = g_new (FsSweepPoint *, MAX (n, 1));
  const FsSweepPoint *running = NULL;

  g_array_set_size (self->states, n);
  for (guint k = 0; k < n; k++)
    {
      points[k] = fs_sweep_get_point_numbers (self->sweep, k);
      g_array_index (self->states, FsSweepPointState, k) = points[k]->state;
      if (running == NULL && points[k]->state == FS_SWEEP_POINT_RUNNING)
        running = points[k];
    }
  show_progress (self, running);
  fs_sweep_plot_set_points (self->plot, self->sweep_axis, points, n);
}

static void
stop_ticking (FsSweepView *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

static void
finish (FsSweepView *self)
{
  stop_ticking (self);
  refresh_all (self);
  set_running_button (self, FALSE);
}

/* Called by the sweep after each point ends and at the end. */
static gboolean
on_sweep_changed (gpointer data)
{
  FsSweepView *self = data;

  if (self->sweep == NULL)
    return G_SOURCE_REMOVE;
  if (fs_sweep_is_done (self->sweep))
    finish (self);
  else
    refresh_all (self);
  return G_SOURCE_REMOVE;
}

/* The points last seen running, and the first few waiting: a newer copy
 * of each to the plot, or all of them again when one has ended. */
static gboolean
poll_points (FsSweepView         *self,
             const FsSweepPoint **running)
{
  guint waiting = 0;

  *running = NULL;
  for (guint k = 0; k < self->states->len; k++)
    {
      FsSweepPointState seen = g_array_index (self->states, FsSweepPointState, k);
      FsSweepPoint *p;

      if (seen != FS_SWEEP_POINT_RUNNING &&
          (seen != FS_SWEEP_POINT_WAITING || waiting++ >= WATCH_WAITING))
        continue;
      p = fs_sweep_get_point_numbers (self->sweep, k);
      if (p->state != FS_SWEEP_POINT_RUNNING && p->state != FS_SWEEP_POINT_WAITING)
        {
          fs_sweep_point_free (p);
          return FALSE;
        }
      g_array_index (self->states, FsSweepPointState, k) = p->state;
      if (*running == NULL && p->state == FS_SWEEP_POINT_RUNNING)
        *running = p;
      fs_sweep_plot_replace_point (self->plot, p);
    }
  return TRUE;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  FsSweepView *self = FS_SWEEP_VIEW (widget);
  const FsSweepPoint *running;

  if (fs_sweep_is_done (self->sweep))
    {
      self->tick_id = 0;
      finish (self);
      return G_SOURCE_REMOVE;
    }
  if (poll_points (self, &running))
    show_progress (self, running);
  else
    refresh_all (self);
  return G_SOURCE_CONTINUE;
}

gboolean
fs_sweep_view_start (FsSweepView  *self,
                     GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) values = NULL;
  g_autofree char *text = NULL;
  FsSweepAxis axis;
  FsMatrix *X;
  FsSweep *sweep = NULL;

  g_return_val_if_fail (FS_IS_SWEEP_VIEW (self), FALSE);

  axis = chosen_axis (self);
  X = fs_session_get_matrix (self->session);
  text = range_text (self);
  if (X == NULL)
    g_set_error_literal (&local_error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                         _("There is no matrix to sweep: open one first."));
  /* Said in the controls' words, not the command line's A:B. */
  else if (gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->from_spin)) >
           gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->to_spin)))
    g_set_error_literal (&local_error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                         _("From is above To: choose a From at or below To."));
  if (local_error != NULL || !fs_sweep_parse_values (axis, text, &values, &local_error) ||
      !(sweep = fs_sweep_new (X, fs_session_get_params (self->session), self->lr_auto, axis,
                              (const double *) values->data, values->len, &local_error)))
    {
      show_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  show_error (self, NULL);
  fs_sweep_view_cancel (self);
  stop_ticking (self);
  g_clear_pointer (&self->sweep, fs_sweep_free);
  self->sweep = sweep;
  self->sweep_axis = axis;
  self->cancelling = FALSE;
  refresh_all (self);
  fs_sweep_start (sweep, on_sweep_changed, self);
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  set_running_button (self, TRUE);
  return TRUE;
}

/* Stops the running sweep; its points so far stay on the plot. */
void
fs_sweep_view_cancel (FsSweepView *self)
{
  g_return_if_fail (FS_IS_SWEEP_VIEW (self));

  if (self->sweep == NULL || fs_sweep_is_done (self->sweep))
    return;
  self->cancelling = TRUE;
  fs_sweep_cancel (self->sweep);
  show_progress (self, NULL);
}

static void
on_start_clicked (FsSweepView *self)
{
  if (self->sweep != NULL && !fs_sweep_is_done (self->sweep))
    fs_sweep_view_cancel (self);
  else
    fs_sweep_view_start (self, NULL);
}

/* A sweep belongs to its matrix: with a new one it goes, points and all
 * (a point kept or loaded now would be of the other matrix). */
static void
on_matrix_changed (FsSweepView *self,
                   gboolean     new_source)
{
  fs_sweep_view_cancel (self);
  stop_ticking (self);
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  g_clear_pointer (&self->active, fs_sweep_point_free);
  g_clear_pointer (&self->sweep, fs_sweep_free);
  self->cancelling = FALSE;
  fs_sweep_plot_set_points (self->plot, self->sweep_axis, NULL, 0);
  set_running_button (self, FALSE);
  gtk_label_set_text (GTK_LABEL (self->progress_label), "");
  configure_range (self);
}

/* The popover's text: the point's setting and its numbers, a line each. */
static char *
popover_text (FsSweepView        *self,
              const FsSweepPoint *p)
{
  g_autofree char *name = point_name (self->sweep_axis, p->value);
  g_autofree char *iterations = g_strdup_printf ("%" G_GUINT64_FORMAT, p->iteration);
  g_autoptr(GString) text = g_string_new (name);

  g_string_append_printf (text, "\n%s %.6g", _("Final cost"), p->cost);
  if (isfinite (p->optimum))
    g_string_append_printf (text, "\n%s %.6g", _("f*"), p->optimum);
  if (isfinite (p->holdout_mse))
    g_string_append_printf (text, "\n%s %.4g\n%s %.4g", _("Held-out MSE"), p->holdout_mse,
                            _("Training MSE"), p->train_mse);
  g_string_append_printf (text, "\n%s %s\n%s %.2f s", _("Iterations"), iterations, _("Time"),
                          p->elapsed);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_point_activated (FsSweepPlot *plot,
                    guint        index,
                    FsSweepView *self)
{
  g_autofree char *text = NULL;
  graphene_point_t at;
  double x, y;

  if (self->sweep == NULL || index >= fs_sweep_get_n_points (self->sweep) ||
      !fs_sweep_plot_get_point_position (plot, index, &x, &y))
    return;
  g_clear_pointer (&self->active, fs_sweep_point_free);
  self->active = fs_sweep_get_point (self->sweep, index);
  if (self->active->state != FS_SWEEP_POINT_DONE)
    {
      g_clear_pointer (&self->active, fs_sweep_point_free);
      return;
    }
  text = popover_text (self, self->active);
  gtk_label_set_text (GTK_LABEL (self->popover_label), text);
  if (!gtk_widget_compute_point (GTK_WIDGET (plot), GTK_WIDGET (self),
                                 &GRAPHENE_POINT_INIT (x, y), &at))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->popover),
                               &(GdkRectangle) { (int) at.x - 4, (int) at.y - 4, 8, 8 });
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
on_load_clicked (FsSweepView *self)
{
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  if (self->active != NULL)
    g_signal_emit (self, signals[LOAD_POINT], 0, self->active);
}

static void
on_keep_clicked (FsSweepView *self)
{
  gtk_popover_popdown (GTK_POPOVER (self->popover));
  if (self->active != NULL)
    g_signal_emit (self, signals[KEEP_POINT], 0, self->active);
}

static GtkWidget *
labelled_button (const char *label,
                 const char *accessible_name,
                 GCallback   callback,
                 gpointer    data)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  g_signal_connect_swapped (button, "clicked", callback, data);
  return button;
}

static void
build_popover (FsSweepView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->popover_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->popover_label), 0.0);
  /* Not selectable: the popover's focus goes to Load, not to the text, all selected. */
  gtk_box_append (GTK_BOX (box), self->popover_label);
  /* Translators: buttons (verbs) for a sweep's point: make it the live run,
   * or keep it on the comparison plot. */
  gtk_box_append (GTK_BOX (buttons), labelled_button (_("Load"), _("Load as live run"),
                                                      G_CALLBACK (on_load_clicked), self));
  gtk_box_append (GTK_BOX (buttons), labelled_button (_("Keep"), _("Keep (pin) this run"),
                                                      G_CALLBACK (on_keep_clicked), self));
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (box), buttons);
  self->popover = gtk_popover_new ();
  gtk_popover_set_child (GTK_POPOVER (self->popover), box);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
}

static GtkWidget *
spin_with_name (const char *accessible_name)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (1, 2, 1);

  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  return spin;
}

static GtkWidget *
axis_dropdown_new (void)
{
  g_autoptr(GtkStringList) axes = gtk_string_list_new (NULL);
  GtkWidget *dropdown;

  for (FsSweepAxis a = 0; a < FS_N_SWEEP_AXES; a++)
    gtk_string_list_append (axes, fs_sweep_axis_get_label (a));
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&axes)), NULL);
  fs_drop_down_set_accessible_label (GTK_DROP_DOWN (dropdown), _("Swept setting"));
  return dropdown;
}

/* "Sweep [Rank] From [1] To [20] Points [6] [Start] progress". */
static void
build_controls (FsSweepView *self)
{
  GtkBox *row = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));

  self->controls = GTK_WIDGET (row);
  self->axis_dropdown = axis_dropdown_new ();
  self->from_spin = spin_with_name (_("From"));
  self->to_spin = spin_with_name (_("To"));
  self->points_spin = spin_with_name (_("Points"));
  self->points_label = gtk_label_new (_("Points"));
  self->start_button = labelled_button (_("Start"), _("Start sweep"),
                                        G_CALLBACK (on_start_clicked), self);
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  self->progress_label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (self->progress_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->progress_label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->progress_label), 0.0);
  gtk_box_append (row, gtk_label_new (_("Sweep")));
  gtk_box_append (row, self->axis_dropdown);
  gtk_box_append (row, gtk_label_new (_("From")));
  gtk_box_append (row, self->from_spin);
  gtk_box_append (row, gtk_label_new (_("To")));
  gtk_box_append (row, self->to_spin);
  gtk_box_append (row, self->points_label);
  gtk_box_append (row, self->points_spin);
  gtk_box_append (row, self->start_button);
  gtk_box_append (row, self->progress_label);
  set_spin (self->points_spin, 0, 2, FS_SWEEP_MAX_POINTS, 1, 6);
  g_signal_connect_swapped (self->axis_dropdown, "notify::selected",
                            G_CALLBACK (on_axis_changed), self);
}

/* The popover is no child the box lays out: it is presented here. */
static void
fs_sweep_view_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  FsSweepView *self = FS_SWEEP_VIEW (widget);

  gtk_layout_manager_allocate (gtk_widget_get_layout_manager (widget), widget, width, height,
                               baseline);
  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
fs_sweep_view_dispose (GObject *object)
{
  FsSweepView *self = FS_SWEEP_VIEW (object);

  stop_ticking (self);
  /* Joins the sweep's threads: no callback comes after this. */
  g_clear_pointer (&self->sweep, fs_sweep_free);
  if (self->matrix_handler != 0)
    g_clear_signal_handler (&self->matrix_handler, self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->active, fs_sweep_point_free);
  g_clear_pointer (&self->states, g_array_unref);
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_pointer (&self->controls, gtk_widget_unparent);
  g_clear_pointer (&self->error_label, gtk_widget_unparent);
  if (self->plot != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->plot));
  self->plot = NULL;

  G_OBJECT_CLASS (fs_sweep_view_parent_class)->dispose (object);
}

static void
fs_sweep_view_class_init (FsSweepViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_sweep_view_dispose;
  widget_class->size_allocate = fs_sweep_view_size_allocate;

  /* "Load" in a done point's popover: the point (FsSweepPoint *), which
   * the handler copies what it needs from. */
  signals[LOAD_POINT] = g_signal_new ("load-point", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* "Keep": the same, to pin it. */
  signals[KEEP_POINT] = g_signal_new ("keep-point", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_css_name (widget_class, "sweepview");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
fs_sweep_view_init (FsSweepView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->states = g_array_new (FALSE, TRUE, sizeof (FsSweepPointState));
  build_controls (self);
  gtk_widget_set_parent (self->controls, GTK_WIDGET (self));
  self->error_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_widget_set_parent (self->error_label, GTK_WIDGET (self));
  self->plot = FS_SWEEP_PLOT (fs_sweep_plot_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->plot), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->plot), TRUE);
  gtk_widget_set_parent (GTK_WIDGET (self->plot), GTK_WIDGET (self));
  g_signal_connect (self->plot, "point-activated", G_CALLBACK (on_point_activated), self);
  build_popover (self);
}

GtkWidget *
fs_sweep_view_new (FsSession *session)
{
  FsSweepView *self;

  g_return_val_if_fail (FS_IS_SESSION (session), NULL);

  self = g_object_new (FS_TYPE_SWEEP_VIEW, NULL);
  self->session = g_object_ref (session);
  self->matrix_handler = g_signal_connect_swapped (session, "matrix-changed",
                                                   G_CALLBACK (on_matrix_changed), self);
  configure_range (self);
  return GTK_WIDGET (self);
}

void
fs_sweep_view_set_lr_auto (FsSweepView *self,
                           gboolean     lr_auto)
{
  g_return_if_fail (FS_IS_SWEEP_VIEW (self));
  self->lr_auto = !!lr_auto;
}

gboolean
fs_sweep_view_set_range (FsSweepView  *self,
                         FsSweepAxis   axis,
                         const char   *text,
                         GError      **error)
{
  g_autoptr(GArray) values = NULL;
  double first, last;

  g_return_val_if_fail (FS_IS_SWEEP_VIEW (self), FALSE);
  g_return_val_if_fail (axis < FS_N_SWEEP_AXES, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (!fs_sweep_parse_values (axis, text, &values, error))
    return FALSE;
  first = g_array_index (values, double, 0);
  last = g_array_index (values, double, values->len - 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->axis_dropdown), axis);
  configure_range (self);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->from_spin), first);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->to_spin), last);
  if (axis != FS_SWEEP_RANK)
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->points_spin), MAX (values->len, 2));
  return TRUE;
}

FsSweep *
fs_sweep_view_get_sweep (FsSweepView *self)
{
  g_return_val_if_fail (FS_IS_SWEEP_VIEW (self), NULL);
  return self->sweep;
}

FsSweepPlot *
fs_sweep_view_get_plot (FsSweepView *self)
{
  g_return_val_if_fail (FS_IS_SWEEP_VIEW (self), NULL);
  return self->plot;
}
