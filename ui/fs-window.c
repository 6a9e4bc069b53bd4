/* fs-window.c: the main window.
 *
 * The window owns one FsRunner. It sends the runner commands from its
 * actions and controls, and on every frame-clock tick takes the runner's
 * latest snapshot; only a new snapshot updates the widgets. Loading files
 * and computing the SVD for f* run in GTasks, so nothing blocks the UI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-heatmap.h"
#include "fs-loader.h"
#include "fs-loss-plot.h"
#include "fs-optimum.h"
#include "fs-solver.h"
#include "fs-pool.h"
#include "fs-window.h"

#define N_MAPS 5

struct _FsWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toasts;
  AdwWindowTitle       *window_title;
  GtkButton            *run_button;
  GtkRevealer          *banner;
  GtkLabel             *banner_label;
  AdwActionRow         *data_row;
  AdwComboRow          *scaling_row;
  AdwComboRow          *l1_mode_row;
  AdwComboRow          *rule_row;
  AdwComboRow          *init_row;
  GtkSpinButton        *rank_spin;
  GtkSpinButton        *l2_w_spin;
  GtkSpinButton        *l2_h_spin;
  GtkSpinButton        *l1_w_spin;
  GtkSpinButton        *l1_h_spin;
  GtkSpinButton        *lr_spin;
  GtkSpinButton        *restarts_spin;
  GtkSpinButton        *iters_spin;
  GtkSpinButton        *seed_spin;
  GtkSwitch            *nonneg_switch;
  GtkSwitch            *log_switch;
  FsLossPlot           *loss_plot;
  GtkBox               *data_maps;
  GtkBox               *factor_maps;
  GtkLabel             *status_label;
  FsHeatmap            *maps[N_MAPS];

  FsMatrix             *source;
  FsMatrix             *X;
  FsRunner             *runner;
  FsSnapshot           *shown;
  GArray               *singular_values;
  GCancellable         *svd_cancellable;
  GCancellable         *load_cancellable;
  GCancellable         *prepare_cancellable;
  gboolean              updating_controls;
  gboolean              divergence_reported;
  gboolean              svd_running;
  gint64                next_update;     /* monotonic µs */
  gint64                last_update;
  double                last_update_cpu; /* the main thread's CPU seconds */
};

G_DEFINE_FINAL_TYPE (FsWindow, fs_window, ADW_TYPE_APPLICATION_WINDOW)

static void
show_banner (FsWindow   *self,
             const char *message)
{
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner, TRUE);
}

static void
on_banner_dismiss (FsWindow *self)
{
  gtk_revealer_set_reveal_child (self->banner, FALSE);
}

static void
read_params (FsWindow *self,
             FsParams *p)
{
  fs_params_init_defaults (p);
  p->rank = (guint) gtk_spin_button_get_value_as_int (self->rank_spin);
  p->l2_w = gtk_spin_button_get_value (self->l2_w_spin);
  p->l2_h = gtk_spin_button_get_value (self->l2_h_spin);
  p->l1_w = gtk_spin_button_get_value (self->l1_w_spin);
  p->l1_h = gtk_spin_button_get_value (self->l1_h_spin);
  p->l1_mode = adw_combo_row_get_selected (self->l1_mode_row) == 1 ? FS_L1_SUBGRADIENT
                                                                    : FS_L1_PROXIMAL;
  p->nonneg = gtk_switch_get_active (self->nonneg_switch);
  p->rule = (FsRuleKind) MIN (adw_combo_row_get_selected (self->rule_row), FS_N_RULES - 1);
  p->lr = gtk_spin_button_get_value (self->lr_spin);
  p->restarts = (guint) gtk_spin_button_get_value_as_int (self->restarts_spin);
  p->max_iters = (guint64) gtk_spin_button_get_value (self->iters_spin);
  p->init = adw_combo_row_get_selected (self->init_row) == 1 ? FS_INIT_UNIFORM : FS_INIT_SCALED;
  p->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  p->threads = 0;
}

static double
current_optimum (FsWindow *self)
{
  FsParams p;

  if (self->singular_values == NULL || self->X == NULL)
    return NAN;
  read_params (self, &p);
  if (!fs_params_has_optimum (&p, self->X, NULL))
    return NAN;
  return fs_optimum_value ((double *) self->singular_values->data, self->singular_values->len,
                           p.rank, p.l2_w, p.l2_h);
}

static void
update_status (FsWindow *self)
{
  FsSnapshot *s = self->shown;
  g_autoptr(GString) text = g_string_new (NULL);
  double optimum = current_optimum (self);
  guint64 done = 0;

  if (s == NULL)
    return;

  for (guint k = 0; k <= s->run; k++)
    done += s->log_lengths[k] - 1;

  g_string_printf (text, _("Iteration %lu · cost %.6g"), s->iteration, s->cost);
  if (isfinite (optimum) && optimum > 0.0)
    g_string_append_printf (text, _(" · gap to f* %.3g%%"), 100.0 * (s->cost - optimum) / optimum);
  else if (isfinite (optimum))
    g_string_append_printf (text, _(" · gap to f* %.3g"), s->cost - optimum);
  if (s->elapsed > 0.0)
    g_string_append_printf (text, _(" · %.0f iterations/s"), done / s->elapsed);
  if (s->n_runs > 1)
    g_string_append_printf (text, _(" · run %u of %u"), s->run + 1, s->n_runs);
  if (s->state == FS_RUNNER_FINISHED)
    g_string_append (text, s->stop == FS_STOP_DIVERGED ? _(" · diverged") : _(" · finished"));
  gtk_label_set_text (self->status_label, text->str);
}

static void
show_snapshot (FsWindow   *self,
               FsSnapshot *snap)
{
  gboolean running = snap->state == FS_RUNNER_RUNNING;
  const char *label = running ? _("Pause") : _("Run");

  g_clear_pointer (&self->shown, fs_snapshot_unref);
  self->shown = fs_snapshot_ref (snap);

  for (guint k = 0; k < N_MAPS; k++)
    fs_heatmap_set_snapshot (self->maps[k], snap);
  fs_loss_plot_set_snapshot (self->loss_plot, snap);
  update_status (self);

  if (g_strcmp0 (gtk_button_get_label (self->run_button), label) != 0)
    {
      gtk_button_set_label (self->run_button, label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }

  if (snap->stop == FS_STOP_DIVERGED && !self->divergence_reported)
    {
      self->divergence_reported = TRUE;
      show_banner (self, snap->message);
    }
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
  g_autoptr(FsSnapshot) snap = NULL;
  gint64 now;
  double cpu;

  if (self->runner == NULL)
    return G_SOURCE_CONTINUE;

  snap = fs_runner_get_snapshot (self->runner);
  /* The window holds a ref to the shown one, so a new pointer is a new
   * snapshot. */
  if (snap == self->shown)
    return G_SOURCE_CONTINUE;

  now = g_get_monotonic_time ();
  if (snap->state == FS_RUNNER_RUNNING && self->shown != NULL &&
      self->shown->state == FS_RUNNER_RUNNING && now < self->next_update)
    return G_SOURCE_CONTINUE;

  /* The CPU used since the last update (its drawing and the frames after
   * it), over the share allowed, is the least wall time to leave before
   * the next. */
  cpu = fs_thread_cpu_seconds ();
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
on_svd_done (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  FsWindow *self = FS_WINDOW (object);
  g_autoptr(GError) error = NULL;
  GArray *values = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_task_get_cancellable (G_TASK (result)) == self->svd_cancellable)
    self->svd_running = FALSE;
  if (values == NULL)
    return;
  g_clear_pointer (&self->singular_values, g_array_unref);
  self->singular_values = values;
  fs_loss_plot_set_optimum (self->loss_plot, current_optimum (self));
  update_status (self);
}

/* SVDs still running in threads: LAPACK cannot be stopped, and the
 * process must not exit under one (fs_window_wait_for_threads). */
static GMutex svd_mutex;
static GCond svd_cond;
static guint svd_threads;

static void
svd_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  GError *error = NULL;
  GArray *values;

  g_mutex_lock (&svd_mutex);
  svd_threads++;
  g_mutex_unlock (&svd_mutex);

  values = fs_singular_values (data, &error);

  g_mutex_lock (&svd_mutex);
  if (--svd_threads == 0)
    g_cond_broadcast (&svd_cond);
  g_mutex_unlock (&svd_mutex);

  if (values == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, values, (GDestroyNotify) g_array_unref);
}

static void
start_svd (FsWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->svd_cancellable);
  g_clear_object (&self->svd_cancellable);
  self->svd_running = FALSE;
  g_clear_pointer (&self->singular_values, g_array_unref);
  fs_loss_plot_set_optimum (self->loss_plot, NAN);
  if (self->X->n_missing > 0)
    return;

  self->svd_cancellable = g_cancellable_new ();
  self->svd_running = TRUE;
  task = g_task_new (self, self->svd_cancellable, on_svd_done, NULL);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_set_task_data (task, fs_matrix_ref (self->X), (GDestroyNotify) fs_matrix_unref);
  g_task_run_in_thread (task, svd_thread);
}

/* A step size for the rule from the data (fs_solver_default_lr). */
static double
default_lr_for (FsMatrix       *X,
                const FsParams *params)
{
  g_autoptr(FsSolver) solver = NULL;
  FsParams p = *params;

  p.lr = 1.0;
  solver = fs_solver_new (X, &p, NULL);
  return solver != NULL ? fs_solver_default_lr (solver) : NAN;
}

static double
suggested_lr (FsWindow *self)
{
  FsParams p;

  read_params (self, &p);
  return default_lr_for (self->X, &p);
}

static void
set_lr_quietly (FsWindow *self,
                double    lr)
{
  if (!isfinite (lr) || lr <= 0.0)
    return;
  self->updating_controls = TRUE;
  gtk_spin_button_set_value (self->lr_spin, lr);
  self->updating_controls = FALSE;
}

/* What a new matrix needs before the window can show it, made in a
 * thread so that even a large one never stalls the window: the scaled
 * matrix, a learning rate, and a runner (whose solver allocates and
 * evaluates the starting point). */
typedef struct
{
  FsMatrix  *source;
  FsScaling  scaling;
  FsParams   params;
  FsMatrix  *X;
  FsRunner  *runner;
  double     lr;
} Prepared;

static void
prepared_free (Prepared *p)
{
  g_clear_pointer (&p->source, fs_matrix_unref);
  g_clear_pointer (&p->X, fs_matrix_unref);
  g_clear_pointer (&p->runner, fs_runner_free);
  g_free (p);
}

static void
prepare_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Prepared *p = data;
  GError *error = NULL;

  p->X = p->scaling == FS_SCALING_NONE ? fs_matrix_ref (p->source)
                                       : fs_matrix_scaled (p->source, p->scaling, &error);
  if (p->X == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  p->lr = default_lr_for (p->X, &p->params);
  if (isfinite (p->lr) && p->lr > 0.0)
    p->params.lr = p->lr;
  p->runner = fs_runner_new (p->X, &p->params, &error);
  if (p->runner == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Installs a prepared matrix and runner; the old ones go only now. */
static void
on_prepared (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  FsWindow *self = FS_WINDOW (object);
  Prepared *p = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  double lo, hi;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_banner (self, error->message);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  g_clear_pointer (&self->runner, fs_runner_free);
  g_clear_pointer (&self->shown, fs_snapshot_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  self->X = g_steal_pointer (&p->X);
  self->runner = g_steal_pointer (&p->runner);
  self->divergence_reported = FALSE;
  set_lr_quietly (self, p->lr);

  if (!fs_matrix_range (self->X, &lo, &hi))
    lo = hi = 0.0;
  for (guint k = 0; k < N_MAPS; k++)
    {
      fs_heatmap_set_snapshot (self->maps[k], NULL);
      fs_heatmap_set_matrix (self->maps[k], self->X);
    }
  fs_heatmap_set_range (self->maps[FS_HEATMAP_X], lo, hi);
  fs_heatmap_set_range (self->maps[FS_HEATMAP_WH], lo, hi);
  start_svd (self);
}

static void
apply_scaling (FsWindow *self)
{
  g_autoptr(GTask) task = NULL;
  Prepared *p = g_new0 (Prepared, 1);

  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->prepare_cancellable);
  self->prepare_cancellable = g_cancellable_new ();

  p->source = fs_matrix_ref (self->source);
  p->scaling = (FsScaling) adw_combo_row_get_selected (self->scaling_row);
  read_params (self, &p->params);
  task = g_task_new (self, self->prepare_cancellable, on_prepared, NULL);
  g_task_set_task_data (task, p, (GDestroyNotify) prepared_free);
  g_task_run_in_thread (task, prepare_thread);
}

/* Takes a loaded matrix; the previous one is dropped only now. */
static void
set_matrix (FsWindow   *self,
            FsMatrix   *X,
            const char *name,
            guint       rank)
{
  g_autofree char *subtitle = NULL;
  gsize most = MIN (X->rows, X->cols);

  g_clear_pointer (&self->source, fs_matrix_unref);
  self->source = fs_matrix_ref (X);

  subtitle = X->n_missing > 0
    ? g_strdup_printf (_("%s: %lu × %lu, %lu missing"), name, X->rows, X->cols, X->n_missing)
    : g_strdup_printf (_("%s: %lu × %lu"), name, X->rows, X->cols);
  adw_action_row_set_subtitle (self->data_row, subtitle);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  self->updating_controls = TRUE;
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->rank_spin), (double) most);
  if (rank > 0)
    gtk_spin_button_set_value (self->rank_spin, MIN (rank, most));
  self->updating_controls = FALSE;

  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (X->notices[i]));

  apply_scaling (self);
}

static void
on_params_changed (FsWindow *self)
{
  g_autoptr(GError) error = NULL;
  FsParams p;

  if (self->updating_controls || self->runner == NULL)
    return;

  read_params (self, &p);
  self->divergence_reported = FALSE;
  if (!fs_runner_set_params (self->runner, &p, &error))
    adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
  else if (self->shown != NULL && self->shown->state == FS_RUNNER_RUNNING)
    fs_runner_run (self->runner);   /* from iteration 0, still running */
  fs_loss_plot_set_optimum (self->loss_plot, current_optimum (self));
}

static void
on_lr_changed (FsWindow *self)
{
  if (self->updating_controls || self->runner == NULL)
    return;
  fs_runner_set_lr (self->runner, gtk_spin_button_get_value (self->lr_spin));
}

static void
on_scaling_changed (FsWindow *self)
{
  if (!self->updating_controls && self->source != NULL)
    apply_scaling (self);
}

static void
on_log_changed (FsWindow *self)
{
  fs_loss_plot_set_log_scale (self->loss_plot, gtk_switch_get_active (self->log_switch));
}

/* The learning rate is shown in %g form, so 1e-05 stays readable. */
static gboolean
on_lr_output (GtkSpinButton *spin)
{
  g_autofree char *text = g_strdup_printf ("%.4g", gtk_spin_button_get_value (spin));

  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
on_lr_input (GtkSpinButton *spin,
             double        *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (end == text || !isfinite (v) || v <= 0.0)
    return GTK_INPUT_ERROR;
  *value = v;
  return TRUE;
}

static void
run_pause (GtkWidget  *widget,
           const char *action,
           GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  FsSnapshot *shown = self->shown;

  /* Acts on what the button showed: Pause pauses even if the run ended
   * a moment ago, rather than starting it again. */
  if (self->runner == NULL || shown == NULL)
    return;
  if (shown->state == FS_RUNNER_RUNNING)
    fs_runner_pause (self->runner);
  else
    {
      if (shown->state == FS_RUNNER_FINISHED)
        fs_runner_reset (self->runner);
      self->divergence_reported = FALSE;
      fs_runner_run (self->runner);
    }
}

static void
step (GtkWidget  *widget,
      const char *action,
      GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  if (self->runner != NULL)
    fs_runner_step (self->runner, g_variant_get_uint32 (param));
}

static void
reset (GtkWidget  *widget,
       const char *action,
       GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);

  if (self->runner != NULL)
    {
      self->divergence_reported = FALSE;
      fs_runner_reset (self->runner);
    }
}

static void
suggest_lr (GtkWidget  *widget,
            const char *action,
            GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  double lr;

  if (self->X == NULL)
    return;
  lr = suggested_lr (self);
  if (isfinite (lr) && lr > 0.0)
    gtk_spin_button_set_value (self->lr_spin, lr);
}

static void
on_load_done (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  FsWindow *self = FS_WINDOW (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = g_task_propagate_pointer (G_TASK (result), &error);
  const char *name = g_task_get_task_data (G_TASK (result));

  if (X == NULL)
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not open the file. %s. The matrix already loaded stays."),
                                 error->message);
      show_banner (self, message);
      return;
    }

  gtk_revealer_set_reveal_child (self->banner, FALSE);
  set_matrix (self, X, name, MIN (5, MIN (X->rows, X->cols)));
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  GError *error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  if (X == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, X, (GDestroyNotify) fs_matrix_unref);
}

/* Loads in a thread; the current matrix stays until the new one is whole. */
void
fs_window_open_path (FsWindow   *self,
                     const char *path)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (FS_IS_WINDOW (self));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, on_load_done, NULL);
  g_task_set_task_data (task, g_filename_display_basename (path), g_free);
  g_object_set_data_full (G_OBJECT (task), "path", g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

void
fs_window_open_file (FsWindow *self,
                     GFile    *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path == NULL)
    {
      show_banner (self, _("Only local files can be opened."));
      return;
    }
  fs_window_open_path (self, path);
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

/* Returns once no window's SVD is running any more. For the end of the
 * process: windows cancel theirs when they go, but the thread finishes
 * its LAPACK call first. */
void
fs_window_wait_for_threads (void)
{
  g_mutex_lock (&svd_mutex);
  while (svd_threads > 0)
    g_cond_wait (&svd_cond, &svd_mutex);
  g_mutex_unlock (&svd_mutex);
}

/* The runner's latest snapshot, which the window may not show yet (while
 * a run goes on it takes them only so often), or NULL; free with
 * fs_snapshot_unref. */
FsSnapshot *
fs_window_get_latest_snapshot (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), NULL);

  return self->runner != NULL ? fs_runner_get_snapshot (self->runner) : NULL;
}

/* Whether the singular values for f* are still being computed. */
gboolean
fs_window_get_computing_optimum (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);

  return self->svd_running;
}

/* A matrix made by the caller, shown under the given name and rank. */
void
fs_window_load_matrix (FsWindow   *self,
                       FsMatrix   *X,
                       const char *name,
                       guint       rank)
{
  g_return_if_fail (FS_IS_WINDOW (self));
  g_return_if_fail (X != NULL && name != NULL);

  set_matrix (self, X, name, rank);
}

/* A built-in example of the core's table, by name. */
gboolean
fs_window_load_example (FsWindow    *self,
                        const char  *name,
                        GError     **error)
{
  const FsExample *example = fs_examples_find (name);
  g_autoptr(FsMatrix) X = NULL;

  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);

  if (example == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("There is no example called “%s”"), name);
      return FALSE;
    }
  X = fs_example_load (example, error);
  if (X == NULL)
    return FALSE;
  set_matrix (self, X, _(example->title), example->default_rank);
  return TRUE;
}

static void
example (GtkWidget  *widget,
         const char *action,
         GVariant   *param)
{
  FsWindow *self = FS_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!fs_window_load_example (self, g_variant_get_string (param, NULL), &error))
    show_banner (self, error->message);
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

static void
fs_window_dispose (GObject *object)
{
  FsWindow *self = FS_WINDOW (object);

  g_cancellable_cancel (self->svd_cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->svd_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->prepare_cancellable);
  g_clear_pointer (&self->runner, fs_runner_free);
  g_clear_pointer (&self->shown, fs_snapshot_unref);
  g_clear_pointer (&self->source, fs_matrix_unref);
  g_clear_pointer (&self->X, fs_matrix_unref);
  g_clear_pointer (&self->singular_values, g_array_unref);
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
  gtk_widget_class_set_template_from_resource (widget_class, "/org/factorscope/Factorscope/fs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FsWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, banner);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, data_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, scaling_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, l1_mode_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, rule_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, init_row);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, rank_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, l2_w_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, l2_h_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, l1_w_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, l1_h_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, lr_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, restarts_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, iters_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, nonneg_switch);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, log_switch);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, loss_plot);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, data_maps);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, factor_maps);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, status_label);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_dismiss);

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
}

static void
fs_window_init (FsWindow *self)
{
  const char *titles[N_MAPS] = { _("X"), _("WH"), _("X − WH"), _("W"), _("H") };
  GtkEventController *keys;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint k = 0; k < N_MAPS; k++)
    {
      self->maps[k] = FS_HEATMAP (fs_heatmap_new ((FsHeatmapKind) k));
      gtk_box_append (k <= FS_HEATMAP_RESIDUAL ? self->data_maps : self->factor_maps,
                      titled (self->maps[k], titles[k]));
    }

  g_signal_connect (self->lr_spin, "output", G_CALLBACK (on_lr_output), NULL);
  g_signal_connect (self->lr_spin, "input", G_CALLBACK (on_lr_input), NULL);
  g_signal_connect_swapped (self->lr_spin, "value-changed", G_CALLBACK (on_lr_changed), self);
  for (GtkSpinButton **spin = (GtkSpinButton *[]) { self->rank_spin, self->l2_w_spin, self->l2_h_spin,
                                                    self->l1_w_spin, self->l1_h_spin, self->restarts_spin,
                                                    self->iters_spin, self->seed_spin, NULL };
       *spin != NULL; spin++)
    g_signal_connect_swapped (*spin, "value-changed", G_CALLBACK (on_params_changed), self);
  for (AdwComboRow **row = (AdwComboRow *[]) { self->l1_mode_row, self->rule_row, self->init_row, NULL };
       *row != NULL; row++)
    g_signal_connect_swapped (*row, "notify::selected", G_CALLBACK (on_params_changed), self);
  g_signal_connect_swapped (self->nonneg_switch, "notify::active", G_CALLBACK (on_params_changed), self);
  g_signal_connect_swapped (self->scaling_row, "notify::selected", G_CALLBACK (on_scaling_changed), self);
  g_signal_connect_swapped (self->log_switch, "notify::active", G_CALLBACK (on_log_changed), self);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

FsWindow *
fs_window_new (GtkApplication *application)
{
  return g_object_new (FS_TYPE_WINDOW, "application", application, NULL);
}

FsMatrix *
fs_window_get_matrix (FsWindow *self)
{
  return self->X;
}

FsSnapshot *
fs_window_get_shown_snapshot (FsWindow *self)
{
  return self->shown;
}

FsHeatmap *
fs_window_get_heatmap (FsWindow      *self,
                       FsHeatmapKind  kind)
{
  return self->maps[kind];
}

/* The banner's message, or NULL when none is shown. */
const char *
fs_window_get_banner (FsWindow *self)
{
  return gtk_revealer_get_reveal_child (self->banner) ? gtk_label_get_text (self->banner_label)
                                                      : NULL;
}

const char *
fs_window_get_status (FsWindow *self)
{
  return gtk_label_get_text (self->status_label);
}
