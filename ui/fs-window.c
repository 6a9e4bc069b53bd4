/* fs-window.c: the main window, a view of one FsSession.
 *
 * The session owns the data, the runner and the background tasks; the
 * panel owns the settings as the user sees them. The window passes the
 * panel's changes to the session, follows the session's signals, and on
 * every frame-clock tick takes the runner's latest snapshot; only a new
 * snapshot updates the widgets.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-heatmap.h"
#include "fs-pool.h"
#include "fs-rules.h"
#include "fs-window-private.h"

G_DEFINE_FINAL_TYPE (FsWindow, fs_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_banner_kind (FsWindow     *self,
                  FsBannerKind  kind,
                  const char   *message)
{
  gboolean same = gtk_revealer_get_reveal_child (self->banner) &&
                  g_strcmp0 (gtk_label_get_text (self->banner_label), message) == 0;

  self->banner_kind = kind;
  if (same)
    return;
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner, TRUE);
}

static void
hide_banner (FsWindow *self)
{
  self->banner_kind = FS_BANNER_NONE;
  gtk_revealer_set_reveal_child (self->banner, FALSE);
}

/* A failure to report (a file that did not load, say): it stays until
 * dismissed or replaced. */
void
fs_window_show_banner (FsWindow   *self,
                       const char *message)
{
  show_banner_kind (self, FS_BANNER_ERROR, message);
}

void
fs_window_show_toast (FsWindow   *self,
                      const char *message)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

static void
on_banner_dismiss (FsWindow *self)
{
  /* What was dismissed is not shown again while it stays true. */
  g_free (self->dismissed);
  self->dismissed = g_strdup (gtk_label_get_text (self->banner_label));
  hide_banner (self);
}

/* What is wrong with the run shown (it diverged, or is unstable), else
 * with the settings (no minimum); it goes as soon as it is no longer
 * true: a new run, a change of settings. */
static void
update_banner (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  const char *problem = NULL;
  FsBannerKind kind = FS_BANNER_RUN;

  if (s != NULL && s->stop == FS_STOP_DIVERGED)
    problem = s->message;
  else if (s != NULL && s->warning != NULL)
    problem = s->warning;
  else if (self->unbounded != NULL)
    {
      problem = self->unbounded;
      kind = FS_BANNER_SETTINGS;
    }

  if (problem == NULL)
    {
      g_clear_pointer (&self->dismissed, g_free);
      if (self->banner_kind == FS_BANNER_RUN || self->banner_kind == FS_BANNER_SETTINGS)
        hide_banner (self);
    }
  else if (g_strcmp0 (problem, self->dismissed) != 0)
    show_banner_kind (self, kind, problem);
}

/* Settings with no minimum are said before the run, and until fixed. */
static void
update_unbounded (FsWindow *self)
{
  g_free (self->unbounded);
  self->unbounded = fs_params_dup_unbounded_message (fs_session_get_params (self->session));
  update_banner (self);
}

/* Why the shown run is not running, as the status line says it. */
static const char *
stop_reason (const FsSnapshot *s)
{
  if (s->state == FS_RUNNER_RUNNING)
    return NULL;
  switch (s->stop)
    {
    case FS_STOP_TOLERANCE:
      return _("converged");
    case FS_STOP_ITERATIONS:
      return _("iteration limit");
    case FS_STOP_DIVERGED:
      return _("diverged");
    case FS_STOP_UNSTABLE:
      return _("unstable");
    case FS_STOP_NONE:
    default:
      return s->state == FS_RUNNER_FINISHED ? _("finished")
             : s->iteration > 0 ? _("paused") : NULL;
    }
}

/* The gap to f* is relative only when f* is well away from zero, next to
 * the cost the run started from: after a perfect fit a relative gap is
 * the ratio of two rounding errors. */
#define RELATIVE_GAP_FLOOR 1e-9
#define GAP_ROUNDING 1e-12

/* The gap to f* as an item of the status line, or NULL without f*. */
static char *
gap_item (const FsSnapshot *s,
          double            optimum)
{
  double start = fs_cost_log_get (s->logs[s->run], 0);
  double gap;

  if (!isfinite (optimum) || !isfinite (s->cost))
    return NULL;
  /* f* from the SVD and the cost each carry rounding: a cost below f* by
   * no more than that is at f*. */
  gap = s->cost - optimum;
  if (gap < 0.0 && -gap <= GAP_ROUNDING * MAX (fabs (optimum), fabs (start)))
    gap = 0.0;
  if (optimum > RELATIVE_GAP_FLOOR * fabs (start))
    /* Translators: an item of the status line; f* is the global optimum
     * (the lowest cost there is), %.3g the gap in percent of it. */
    return g_strdup_printf (_("gap to f* %.3g%%"), 100.0 * gap / optimum);
  /* Translators: an item of the status line; f* is the global optimum,
   * %.3g the cost above it. */
  return g_strdup_printf (_("gap to f* %.3g"), gap);
}

/* Whether the session's SVD is computing an f* the status will show. */
static gboolean
computing_optimum (FsWindow *self)
{
  return fs_session_get_computing_optimum (self->session) &&
         !fs_session_get_optimum_is_reference (self->session) &&
         fs_params_has_optimum (fs_session_get_params (self->session),
                                fs_session_get_matrix (self->session), NULL);
}

/* How fast the shown run goes, as an item of the status line, or NULL. */
static char *
speed_item (FsWindow         *self,
            const FsSnapshot *s)
{
  double pace = fs_session_get_pace (self->session);
  guint64 done = 0;

  /* At a set pace the solver's own speed is not what a class sees. */
  if (pace > 0.0 && s->state == FS_RUNNER_RUNNING)
    /* Translators: an item of the status line: the pace set for a class. */
    return g_strdup_printf (ngettext ("at most %.0f iteration/s", "at most %.0f iterations/s",
                                      (gulong) pace), pace);
  if (s->elapsed <= 0.0)
    return NULL;
  for (guint k = 0; k <= s->run; k++)
    done += s->log_lengths[k] - 1;
  /* Translators: an item of the status line: the solver's speed. */
  return g_strdup_printf (ngettext ("%.0f iteration/s", "%.0f iterations/s",
                                    (gulong) (done / s->elapsed)), done / s->elapsed);
}

/* "sparse, 60,000 listed cells (2 %)" for a sparse matrix, else NULL. */
static char *
sparse_item (const FsMatrix *X)
{
  g_autofree char *listed = NULL;
  g_autofree char *percent = NULL;

  if (!fs_matrix_is_sparse (X))
    return NULL;
  listed = fs_error_number_text (X->sparse->nnz);
  percent = g_strdup_printf ("%.2g", 100.0 * X->sparse->nnz / ((double) X->rows * X->cols));
  /* Translators: an item of the status line and the data's description:
   * a matrix held as its listed cells only, and their share of all. */
  return g_strdup_printf (_("sparse, %s listed cells (%s %%)"), listed, percent);
}

/* The items of the status line after the iteration and cost, in order. */
static void
add_status_items (FsWindow         *self,
                  const FsSnapshot *s,
                  GPtrArray        *items)
{
  const char *reason = stop_reason (s);
  char *item;

  if (computing_optimum (self))
    /* Translators: an item of the status line while the global optimum f*
     * is computed (an SVD, which takes a while for a large matrix). */
    g_ptr_array_add (items, g_strdup (_("Computing f*…")));
  else if (!fs_session_get_optimum_is_reference (self->session) &&
           (item = gap_item (s, fs_session_get_optimum (self->session))) != NULL)
    g_ptr_array_add (items, item);
  /* With held-out cells, what they are for. */
  if (s->params.holdout > 0.0 && isfinite (s->holdout_mse))
    /* Translators: an item of the status line: the mean squared error of
     * the held-out cells, then of the cells the run trains on. */
    g_ptr_array_add (items, g_strdup_printf (_("held-out MSE %.4g (training %.4g)"),
                                             s->holdout_mse, s->train_mse));
  if ((item = speed_item (self, s)) != NULL)
    g_ptr_array_add (items, item);
  if (s->n_runs > 1)
    /* Translators: an item of the status line: which of the runs of a
     * multi-start is shown. */
    g_ptr_array_add (items, g_strdup_printf (_("run %u of %u"), s->run + 1, s->n_runs));
  if (reason != NULL)
    g_ptr_array_add (items, g_strdup (reason));
  if ((item = sparse_item (fs_session_get_matrix (self->session))) != NULL)
    g_ptr_array_add (items, item);
}

/* The status line: complete items, each translated whole, joined by a
 * separator, so that a translation never has to follow English order
 * inside a sentence. */
static void
update_status (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *iteration = NULL;
  g_autofree char *text = NULL;

  if (s == NULL)
    {
      if (computing_optimum (self))
        gtk_label_set_text (self->status_label, _("Computing f*…"));
      return;
    }

  iteration = fs_error_number_text (s->iteration);
  /* Translators: the first item of the status line; %s is the iteration
   * number, %.6g the cost (the objective) there. */
  g_ptr_array_add (items, g_strdup_printf (_("Iteration %s · cost %.6g"), iteration, s->cost));
  add_status_items (self, s, items);
  g_ptr_array_add (items, NULL);
  /* Translators: what separates the items of the status line. */
  text = g_strjoinv (_(" · "), (char **) items->pdata);
  gtk_label_set_text (self->status_label, text);
}

/* The current run's changes of settings, as marks on its curve. */
static void
update_marks (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  guint64 key = ((guint64) s->run << 48) ^ ((guint64) s->n_marks << 32) ^
                (s->n_marks > 0 ? s->marks[s->n_marks - 1].iteration : 0);

  /* Marks only come with a change of settings: most snapshots have the
   * same ones, and laying them out again costs the plot an update. */
  if (key == self->marks_key)
    return;
  self->marks_key = key;
  g_autofree guint64 *iterations = g_new (guint64, s->n_marks + 1);
  g_autofree const char **labels = g_new (const char *, s->n_marks + 1);
  guint n = 0;

  for (guint k = 0; k < s->n_marks; k++)
    if (s->marks[k].run == s->run)
      {
        iterations[n] = s->marks[k].iteration;
        labels[n++] = s->marks[k].label;
      }
  fs_loss_plot_set_marks (self->loss_plot, n, iterations, labels);
}

/* The learning rate as a multiple of the rule's largest stable one at the
 * W and H shown (fs_rule_get_stable_lr ()); NAN for rules without one. */
double
fs_window_stability_ratio (const FsParams *params,
                           double          lr,
                           double          bound)
{
  return isfinite (lr) ? lr / fs_rule_get_stable_lr (params->rule, params, bound) : NAN;
}

static void
update_stability (FsWindow *self)
{
  FsSnapshot *s = self->shown;

  fs_param_panel_set_stability (self->panel,
                                fs_window_stability_ratio (fs_session_get_params (self->session),
                                                           s->lr, s->stability_bound));
}

static void
show_snapshot (FsWindow   *self,
               FsSnapshot *snap)
{
  g_clear_pointer (&self->shown, fs_snapshot_unref);
  self->shown = fs_snapshot_ref (snap);

  fs_loss_plot_set_snapshot (self->loss_plot, snap);
  update_status (self);
  fs_window_update_actions (self);

  update_marks (self);
  update_stability (self);
  update_banner (self);
  /* The maps and the inspection views: the live run, a kept one, or a
   * replayed checkpoint. */
  fs_window_tuning_show (self);
}

/* When the solver has a thread on every core, the window takes a new
 * snapshot while a run goes on only as often as keeps its own work
 * (heatmaps, plot, text and their drawing, measured on the main thread
 * since the last one) under UI_CPU_SHARE of a core: a 2000 × 2000 matrix
 * then updates a few times a second and the solver keeps the cores. With a
 * core to spare, and for anything but a running snapshot (a pause, a step,
 * the end), every snapshot shows at once. */
#define UI_CPU_SHARE 0.02
/* ...but never fewer than two updates a second, however slow drawing is. */
#define MAX_UPDATE_USEC (G_USEC_PER_SEC / 2)

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(FsSnapshot) snap = fs_session_get_snapshot (self->session);
  gint64 now;
  double cpu;

  /* The window holds a ref to the shown one, so a new pointer is a new
   * snapshot. */
  if (snap == NULL || snap == self->shown)
    return G_SOURCE_CONTINUE;

  now = g_get_monotonic_time ();
  if (snap->state == FS_RUNNER_RUNNING && self->shown != NULL &&
      self->shown->state == FS_RUNNER_RUNNING && now < self->next_update)
    return G_SOURCE_CONTINUE;

  /* The CPU used since the last update (its drawing and the frames after
   * it), over the share allowed, is the least wall time to leave before
   * the next. */
  cpu = fs_thread_cpu_seconds ();
  /* The inspection jobs' CPU counts as the window's: it is taken from
   * the solver's cores all the same. */
  self->last_update_cpu -= fs_window_inspect_take_cpu (self);
  /* So does the heatmaps' averaging of WH over a sparse X's cells. */
  self->last_update_cpu -= fs_heatmap_cache_take_cpu (fs_heatmap_get_cache (self->maps[FS_HEATMAP_WH]));
  self->last_update_cpu -= fs_heatmap_take_cpu (self->maps[FS_HEATMAP_RESIDUAL]);
  if (self->last_update != 0 &&
      fs_params_auto_threads (snap->rows, snap->cols, snap->rank) >= (guint) g_get_num_processors ())
    self->next_update = now + MIN ((gint64) ((cpu - self->last_update_cpu) / UI_CPU_SHARE * G_USEC_PER_SEC),
                                   MAX_UPDATE_USEC);
  self->last_update = now;
  self->last_update_cpu = cpu;

  show_snapshot (self, snap);
  return G_SOURCE_CONTINUE;
}

static void
show_matrix (FsWindow *self,
             FsMatrix *X)
{
  double lo, hi;

  if (!fs_matrix_range (X, &lo, &hi))
    lo = hi = 0.0;
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    {
      fs_heatmap_set_snapshot (self->maps[k], NULL);
      fs_heatmap_set_matrix (self->maps[k], X);
    }
  fs_heatmap_set_range (self->maps[FS_HEATMAP_X], lo, hi);
  fs_heatmap_set_range (self->maps[FS_HEATMAP_WH], lo, hi);
}

/* A new X and runner are in place: everything shown follows them now. */
static void
on_matrix_changed (FsWindow  *self,
                   gboolean   new_source,
                   FsSession *session)
{
  FsMatrix *source = fs_session_get_source (session);
  FsMatrix *X = fs_session_get_matrix (session);
  g_autofree char *rows = fs_error_number_text (source->rows);
  g_autofree char *cols = fs_error_number_text (source->cols);
  g_autofree char *missing = fs_error_number_text (source->n_missing);
  g_autofree char *sparse = sparse_item (source);
  g_autofree char *subtitle = NULL;

  /* TRANSLATORS: the data's name, its rows and columns, and its missing cells */
  subtitle = sparse != NULL
    /* TRANSLATORS: the data's name, its rows and columns, and how it is held */
    ? g_strdup_printf (_("%s: %s × %s, %s"), fs_session_get_name (session), rows, cols, sparse)
    : source->n_missing > 0
    ? g_strdup_printf (_("%s: %s × %s, %s missing"), fs_session_get_name (session), rows, cols, missing)
    : g_strdup_printf (_("%s: %s × %s"), fs_session_get_name (session), rows, cols);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  fs_param_panel_set_data_description (self->panel, subtitle);
  fs_param_panel_set_rank_limit (self->panel, (guint) MIN (source->rows, source->cols));
  fs_param_panel_set_params (self->panel, fs_session_get_params (session));
  fs_param_panel_set_scaling (self->panel, fs_session_get_scaling (session));

  /* A learning rate suggested for the old matrix has no place here. */
  g_cancellable_cancel (self->suggest_cancellable);
  self->rule_pending = FALSE;
  self->marks_key = G_MAXUINT64;
  g_clear_pointer (&self->shown, fs_snapshot_unref);
  update_unbounded (self);
  /* The session chose the starting step for the new matrix. */
  self->lr_suggested = TRUE;
  show_matrix (self, X);
  fs_window_tuning_set_matrix (self);
  fs_window_inspect_set_matrix (self, X);
  fs_window_update_actions (self);

  if (!new_source)
    return;
  if (self->banner_kind == FS_BANNER_ERROR)
    hide_banner (self);
  for (guint i = 0; source->notices != NULL && source->notices[i] != NULL; i++)
    fs_window_show_toast (self, source->notices[i]);
}

static void
on_failed (FsWindow   *self,
           const char *message)
{
  /* A scaling that failed is not the session's: show the one it has. */
  fs_param_panel_set_scaling (self->panel, fs_session_get_scaling (self->session));
  fs_window_show_banner (self, message);
}

static void
on_optimum_changed (FsWindow *self)
{
  gboolean reference = fs_session_get_optimum_is_reference (self->session);

  fs_loss_plot_set_optimum (self->loss_plot, fs_session_get_optimum (self->session));
  /* Held-out cells: the full data's f* is a reference, not a target.
   * Translators: the label of the loss plot's line at the global optimum
   * f* (the lowest cost there is); keep “f*” as it is. */
  fs_loss_plot_set_optimum_label (self->loss_plot, reference ? _("f* of the full data") : _("f*"),
                                  !reference);
  update_status (self);
}

/* The panel's settings to the session; a refused one is put back, and
 * FALSE returned. */
gboolean
fs_window_send_params (FsWindow *self)
{
  g_autoptr(GError) error = NULL;
  gboolean taken;

  self->rule_pending = FALSE;
  taken = fs_session_set_params (self->session, fs_param_panel_get_params (self->panel), &error);
  if (!taken)
    {
      /* The panel shows what the session runs, not what it refused. */
      fs_window_show_toast (self, error->message);
      fs_param_panel_set_params (self->panel, fs_session_get_params (self->session));
    }
  update_unbounded (self);
  return taken;
}

static void
on_params_changed (FsWindow *self)
{
  const FsRule *rule = fs_param_panel_get_params (self->panel)->rule;

  g_cancellable_cancel (self->suggest_cancellable);
  /* A new rule gets its own starting rate unless the user chose one, and
   * runs only with it: the old rule's rate can make the new rule diverge
   * in a step (normalized to plain, plain to Adam). */
  if (rule != fs_session_get_params (self->session)->rule && self->lr_suggested)
    {
      self->rule_pending = TRUE;
      fs_window_suggest_lr (self);
      return;
    }
  fs_window_send_params (self);
}

/* Run after the iteration limit goes on from there for as many again:
 * the limit shown is raised, and the run continues from W and H. */
void
fs_window_raise_limit (FsWindow *self)
{
  FsParams p = *fs_session_get_params (self->session);

  p.max_iters = MIN (p.max_iters + p.max_iters, FS_MAX_ITERATIONS);
  fs_param_panel_set_params (self->panel, &p);
  on_params_changed (self);
  fs_session_run (self->session);
}

static void
on_lr_changed (FsWindow *self)
{
  self->lr_suggested = FALSE;
  /* A rate typed while a new rule waits for its own: both go now. */
  if (self->rule_pending)
    {
      g_cancellable_cancel (self->suggest_cancellable);
      fs_window_send_params (self);
      return;
    }
  fs_session_set_lr (self->session, fs_param_panel_get_params (self->panel)->lr);
}

static void
on_scaling_changed (FsWindow *self)
{
  fs_session_set_scaling (self->session, fs_param_panel_get_scaling (self->panel));
}

static void
on_log_scale_changed (FsWindow *self)
{
  fs_loss_plot_set_log_scale (self->loss_plot, fs_param_panel_get_log_scale (self->panel));
}

static void
on_log_iterations_changed (FsWindow *self)
{
  fs_loss_plot_set_log_iterations (self->loss_plot, fs_param_panel_get_log_iterations (self->panel));
  fs_trace_plot_set_log_iterations (self->mse_plot, fs_param_panel_get_log_iterations (self->panel));
}

static void
on_fixed_residual_changed (FsWindow *self)
{
  fs_heatmap_set_fixed_range (self->maps[FS_HEATMAP_RESIDUAL],
                              fs_param_panel_get_fixed_residual (self->panel));
}


static GtkWidget *
titled (FsHeatmap  *map,
        const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_vexpand (GTK_WIDGET (map), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (map), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (map));
  return box;
}

static void
fs_window_dispose (GObject *object)
{
  FsWindow *self = FS_WINDOW (object);

  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  fs_window_progress_dispose (self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      fs_session_close (self->session);
      g_clear_object (&self->session);
    }
  fs_window_inspect_dispose (self);
  fs_window_tuning_dispose (self);
  fs_window_import_dispose (self);
  fs_window_session_dispose (self);
  fs_window_settings_dispose (self);
  g_clear_pointer (&self->shown, fs_snapshot_unref);
  g_clear_pointer (&self->unbounded, g_free);
  g_clear_pointer (&self->dismissed, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), FS_TYPE_WINDOW);

  G_OBJECT_CLASS (fs_window_parent_class)->dispose (object);
}

static void
fs_window_class_init (FsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_window_dispose;

  g_type_ensure (FS_TYPE_LOSS_PLOT);
  g_type_ensure (FS_TYPE_PARAM_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/factorscope/Factorscope/fs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FsWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, examples_button);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, speed_scale);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, panel);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, data_maps);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, factor_maps);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, status_label);
  gtk_widget_class_bind_template_child_full (widget_class, "step_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "reset_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_dismiss);

  fs_window_actions_class_init (widget_class);
  fs_window_speed_class_init (widget_class);
  fs_window_inspect_class_init (widget_class);
  fs_window_tuning_class_init (widget_class);
  fs_window_torch_class_init (widget_class);
  fs_window_session_class_init (widget_class);
  fs_window_settings_class_init (widget_class);
  fs_window_data_class_init (widget_class);
  fs_window_export_class_init (widget_class);
  fs_window_import_class_init (widget_class);
  fs_window_progress_class_init (widget_class);
}

static void
on_view_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 gpointer         data)
{
  gtk_widget_grab_focus (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture)));
}

static void
take_focus_on_click (GtkWidget *widget)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_focusable (widget, TRUE);
  g_signal_connect (click, "pressed", G_CALLBACK (on_view_pressed), NULL);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
}

static void
connect_session (FsWindow *self)
{
  g_signal_connect_swapped (self->session, "matrix-changed", G_CALLBACK (on_matrix_changed), self);
  g_signal_connect_swapped (self->session, "failed", G_CALLBACK (on_failed), self);
  g_signal_connect_swapped (self->session, "notify::optimum", G_CALLBACK (on_optimum_changed), self);
  g_signal_connect_swapped (self->session, "notify::computing-optimum", G_CALLBACK (update_status),
                            self);
  g_signal_connect_swapped (self->panel, "changed", G_CALLBACK (on_params_changed), self);
  g_signal_connect_swapped (self->panel, "lr-changed", G_CALLBACK (on_lr_changed), self);
  g_signal_connect_swapped (self->panel, "notify::scaling", G_CALLBACK (on_scaling_changed), self);
  g_signal_connect_swapped (self->panel, "notify::log-scale", G_CALLBACK (on_log_scale_changed), self);
  g_signal_connect_swapped (self->panel, "notify::log-iterations",
                            G_CALLBACK (on_log_iterations_changed), self);
  g_signal_connect_swapped (self->panel, "notify::fixed-residual",
                            G_CALLBACK (on_fixed_residual_changed), self);
}

static void
fs_window_init (FsWindow *self)
{
  const char *titles[FS_WINDOW_N_MAPS] = { _("X"), _("WH"), _("X − WH"), _("W"), _("H") };
  g_autoptr(FsHeatmapCache) cache = fs_heatmap_cache_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  self->session = fs_session_new ();
  connect_session (self);

  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    {
      self->maps[k] = FS_HEATMAP (fs_heatmap_new ((FsHeatmapKind) k));
      fs_heatmap_set_cache (self->maps[k], cache);
      gtk_box_append (k <= FS_HEATMAP_RESIDUAL ? self->data_maps : self->factor_maps,
                      titled (self->maps[k], titles[k]));
    }

  fs_window_actions_init (self);
  fs_window_dnd_init (self);
  fs_window_speed_init (self);
  fs_window_tuning_init (self);
  fs_window_inspect_init (self);
  fs_window_session_init (self);
  fs_window_settings_init (self);
  fs_window_export_init (self);
  fs_window_import_init (self);
  fs_window_progress_init (self);

  /* The plot and the maps take the focus from a click, and the plot has it
   * at first: there Space runs and pauses (the first focusable widget
   * would be Open, where Space opens a file). */
  take_focus_on_click (GTK_WIDGET (self->loss_plot));
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    take_focus_on_click (GTK_WIDGET (self->maps[k]));
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->loss_plot));
  gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  fs_window_update_actions (self);
}

FsWindow *
fs_window_new (GtkApplication *application)
{
  return g_object_new (FS_TYPE_WINDOW, "application", application, NULL);
}

/* RUN.FACTORSCOPE, from a file system that upper-cases names, is a
 * session too. */
static gboolean
has_session_extension (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, FS_SESSION_FILE_EXTENSION);
}

/* Loads in a thread; the current matrix stays until the new one is whole.
 * A .factorscope file is opened as a session. A data file is read with
 * the import options chosen for it in this window, and the import sheet
 * opens once it is in when the loader guessed (fs-window-import.c). */
void
fs_window_open_path (FsWindow   *self,
                     const char *path)
{
  g_return_if_fail (FS_IS_WINDOW (self));

  if (has_session_extension (path))
    {
      fs_window_open_session (self, path);
      return;
    }
  fs_window_import_open (self, path, NULL, TRUE);
}

/* A matrix made by the caller, shown under the given name and rank. */
void
fs_window_load_matrix (FsWindow   *self,
                       FsMatrix   *X,
                       const char *name,
                       guint       rank)
{
  g_return_if_fail (FS_IS_WINDOW (self));

  fs_session_set_matrix (self->session, X, name, rank);
  fs_window_session_note_matrix (self, NULL, name);
}

gboolean
fs_window_load_example (FsWindow    *self,
                        const char  *name,
                        GError     **error)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);

  if (!fs_session_load_example (self->session, name, error))
    return FALSE;
  fs_window_session_note_matrix (self, name, NULL);
  return TRUE;
}

FsSession *
fs_window_get_session (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return self->session;
}

FsParamPanel *
fs_window_get_panel (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return self->panel;
}

FsMatrix *
fs_window_get_matrix (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return fs_session_get_matrix (self->session);
}

FsSnapshot *
fs_window_get_shown_snapshot (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return self->shown;
}

FsSnapshot *
fs_window_get_viewed_snapshot (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return self->viewed;
}

GListModel *
fs_window_get_pins (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->pins);
}

FsHeatmap *
fs_window_get_heatmap (FsWindow      *self,
                       FsHeatmapKind  kind)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);
  g_return_val_if_fail ((guint) kind < FS_WINDOW_N_MAPS, NULL);

  return self->maps[kind];
}

/* The banner's message, or NULL when none is shown. */
const char *
fs_window_get_banner (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return gtk_revealer_get_reveal_child (self->banner) ? gtk_label_get_text (self->banner_label)
                                                      : NULL;
}

const char *
fs_window_get_status (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->status_label);
}
