/* fs-window-inspect.c: the views that look inside W and H.
 *
 * The atom gallery and a sample's code (the "Atoms" view, and the code
 * beside X when a sample is selected), a histogram and a zeros chart under
 * each factor (the "W and H" view), the spectrum of X and of W H, and the
 * zeros in the status line.
 *
 * What costs O((n + m) r) or more (the atoms, the histograms, the singular
 * values of W H) is computed by a job on a worker thread from the shown
 * snapshot's own copies of W and H, which never change, and only for the
 * view on screen. One job runs at a time; a snapshot shown meanwhile
 * starts the next one when it ends, so a slow job is never queued behind
 * another. A sample's code is O(m r) and is made on the main thread. The
 * zero shares come from the snapshot's trace: nothing to compute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-analysis.h"
#include "fs-error.h"
#include "fs-pool.h"
#include "fs-ui-util.h"
#include "fs-window-private.h"

/* Tiles finer than this are block means: more pixels than a tile shows. */
#define ATOM_MAX_TILE 128
#define HISTOGRAM_BINS 24
/* The strongest atoms of the selected sample outlined in the gallery. */
#define N_STRONGEST 3

typedef struct
{
  FsAtomsLayout layout;
  gsize         height;  /* ROW_IMAGES only */
  gsize         width;
} FsRowShape;

typedef struct
{
  GWeakRef        window;
  FsSnapshot     *snap;
  FsMatrix       *X;
  FsRowShape      shape;
  gboolean        want_atoms;
  gboolean        want_histograms;
  gboolean        want_spectrum;
  FsAtoms        *atoms;
  FsLogHistogram *histograms[2];
  GArray         *fit_values;
  double          cpu;
} InspectJob;

static void
inspect_job_free (InspectJob *job)
{
  g_weak_ref_clear (&job->window);
  g_clear_pointer (&job->snap, fs_snapshot_unref);
  g_clear_pointer (&job->X, fs_matrix_unref);
  g_clear_pointer (&job->atoms, fs_atoms_unref);
  g_clear_pointer (&job->histograms[0], fs_log_histogram_free);
  g_clear_pointer (&job->histograms[1], fs_log_histogram_free);
  g_clear_pointer (&job->fit_values, g_array_unref);
  g_free (job);
}

static const char *
visible_view (FsWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->views);

  return name != NULL ? name : "";
}

static FsRowShape
current_shape (FsWindow *self)
{
  guint k = gtk_drop_down_get_selected (self->row_shape);

  if (self->shapes == NULL || k >= self->shapes->len)
    return (FsRowShape) { FS_ATOMS_PROFILES, 0, 0 };
  return g_array_index (self->shapes, FsRowShape, k);
}

/* The shape of one sample's image for the code views: 0 × 0 unless the
 * rows are images. */
static void
sample_image_shape (FsWindow *self,
                    gsize    *height,
                    gsize    *width)
{
  FsRowShape shape = current_shape (self);

  *height = shape.layout == FS_ATOMS_ROW_IMAGES ? shape.height : 0;
  *width = shape.layout == FS_ATOMS_ROW_IMAGES ? shape.width : 0;
}

/* ---- The job, on a worker thread ---- */

static void
inspect_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  InspectJob *job = data;
  const FsSnapshot *s = job->snap;
  double start = fs_thread_cpu_seconds ();

  if (job->want_atoms)
    job->atoms = fs_atoms_new (job->shape.layout, s->W, s->H, s->rows, s->cols, s->rank,
                               job->shape.height, job->shape.width, ATOM_MAX_TILE);
  if (job->want_histograms)
    {
      job->histograms[0] = fs_log_histogram_new (s->W, s->rows * s->rank, HISTOGRAM_BINS);
      job->histograms[1] = fs_log_histogram_new (s->H, (gsize) s->rank * s->cols, HISTOGRAM_BINS);
    }
  if (job->want_spectrum)
    {
      g_autoptr(GError) error = NULL;

      job->fit_values = fs_product_singular_values (s->W, s->H, s->rows, s->cols, s->rank, &error);
      if (job->fit_values == NULL)
        g_debug ("No singular values of WH: %s", error->message);
    }
  job->cpu = fs_thread_cpu_seconds () - start;
  g_task_return_boolean (task, TRUE);
}

static void start_job (FsWindow *self);

static void
show_job (FsWindow   *self,
          InspectJob *job)
{
  if (job->want_atoms && job->atoms != NULL)
    fs_atom_gallery_set_atoms (self->gallery, job->atoms);
  if (job->want_histograms)
    for (guint k = 0; k < 2; k++)
      fs_histogram_set_histogram (self->histograms[k], job->histograms[k]);
  if (job->want_spectrum)
    fs_spectrum_set_fit_values (self->spectrum,
                                job->fit_values != NULL ? (double *) job->fit_values->data : NULL,
                                job->fit_values != NULL ? job->fit_values->len : 0);
}

static void
on_job_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  InspectJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(FsWindow) self = g_weak_ref_get (&job->window);

  if (self == NULL)
    return;
  self->inspecting = FALSE;
  self->inspect_cpu += job->cpu;
  self->inspect_cpu_total += job->cpu;
  /* A job for a matrix that has gone, or cancelled, shows nothing. */
  if (!g_task_had_error (G_TASK (result)) && !g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    show_job (self, job);
  if (self->inspect_again)
    start_job (self);
}

static void
start_job (FsWindow *self)
{
  const char *view = visible_view (self);
  FsSnapshot *s = self->viewed;
  InspectJob *job;
  g_autoptr(GTask) task = NULL;

  self->inspect_again = FALSE;
  if (s == NULL || s->W == NULL || s->rank == 0)
    return;
  job = g_new0 (InspectJob, 1);
  g_weak_ref_init (&job->window, self);
  job->snap = fs_snapshot_ref (s);
  job->shape = current_shape (self);
  job->want_atoms = g_str_equal (view, "atoms");
  job->want_histograms = g_str_equal (view, "factors");
  job->want_spectrum = g_str_equal (view, "spectrum");
  if (!job->want_atoms && !job->want_histograms && !job->want_spectrum)
    {
      inspect_job_free (job);
      return;
    }

  task = g_task_new (NULL, self->inspect_cancellable, on_job_done, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) inspect_job_free);
  self->inspecting = TRUE;
  g_task_run_in_thread (task, inspect_thread);
}

/* ---- The zeros and the sample, from the shown snapshot ---- */

/* The trace of the run whose W and H are shown: the best one once all
 * runs are done, as the runner picks them. */
static gboolean
shown_trace_point (const FsSnapshot *s,
                   FsTrace         **trace,
                   gsize            *index)
{
  guint run = s->state == FS_RUNNER_FINISHED && s->best_run >= 0 ? (guint) s->best_run : s->run;

  if (s->traces == NULL || s->traces[run] == NULL || s->trace_lengths[run] == 0)
    return FALSE;
  *trace = s->traces[run];
  *index = s->trace_lengths[run] - 1;
  return TRUE;
}

/* The shares of exact and of near zeros in the W and H shown, in
 * percent: from the trace when its last point is theirs (a run's last
 * iteration always is), else counted, O((n + m) r), as after a pause or a
 * step between the trace's points. */
static void
shown_zero_shares (const FsSnapshot *s,
                   double            shares[4])
{
  FsTrace *trace;
  gsize i;
  FsZeroCount w, h;
  /* A replayed checkpoint of a finished run is not the run's end. */
  gboolean at_end = s->state == FS_RUNNER_FINISHED &&
                    (s->n_checkpoints == 0 || s->W == s->checkpoints[s->n_checkpoints - 1]->W);

  if (shown_trace_point (s, &trace, &i) &&
      (at_end || fs_trace_get_iteration (trace, i) == s->iteration))
    {
      shares[0] = 100.0 * fs_trace_get (trace, FS_TRACE_ZEROS_W, i);
      shares[1] = 100.0 * fs_trace_get (trace, FS_TRACE_ZEROS_H, i);
      shares[2] = 100.0 * fs_trace_get (trace, FS_TRACE_SMALL_W, i);
      shares[3] = 100.0 * fs_trace_get (trace, FS_TRACE_SMALL_H, i);
      return;
    }
  fs_count_zeros (s->W, s->rows * s->rank, &w);
  fs_count_zeros (s->H, (gsize) s->rank * s->cols, &h);
  shares[0] = w.total > 0 ? 100.0 * w.exact / w.total : 0.0;
  shares[1] = h.total > 0 ? 100.0 * h.exact / h.total : 0.0;
  shares[2] = w.total > 0 ? 100.0 * w.small / w.total : 0.0;
  shares[3] = h.total > 0 ? 100.0 * h.small / h.total : 0.0;
}

static void
update_zeros (FsWindow *self)
{
  FsSnapshot *s = self->viewed;
  g_autofree char *text = NULL;
  g_autofree char *tip = NULL;
  double z[4];

  if (s == NULL || s->W == NULL || s->rank == 0)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->zeros_label), FALSE);
      return;
    }
  shown_zero_shares (s, z);
  /* The status line needs the room more than a row of noughts. */
  gtk_widget_set_visible (GTK_WIDGET (self->zeros_label), z[2] > 0.0 || z[3] > 0.0);
  /* TRANSLATORS: shares of entries of W and H that are exactly 0, then of
   * those within 1e-8 of the largest entry of their factor */
  text = g_strdup_printf (_("Zeros: W %.1f%% · H %.1f%% (near 0: %.1f%% · %.1f%%)"), z[0], z[1], z[2], z[3]);
  tip = g_strdup_printf (_("Exactly 0: %.2f%% of W and %.2f%% of H. "
                           "At most 1e-8 of the factor's largest magnitude: %.2f%% of W and %.2f%% of H."),
                         z[0], z[1], z[2], z[3]);
  gtk_label_set_text (self->zeros_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->zeros_label), tip);
}

static void
update_code (FsWindow *self)
{
  FsMatrix *X = fs_session_get_matrix (self->session);
  gsize height, width;
  guint strongest[N_STRONGEST];
  guint n = 0;

  sample_image_shape (self, &height, &width);
  /* The code beside X too, even hidden: what a screen reader finds there
   * is the sample's code or nothing, never an old matrix's. */
  fs_code_view_set_sample (self->atoms_code, X, self->viewed, self->sample, height, width);
  fs_code_view_set_sample (self->data_code, X, self->viewed, self->sample, height, width);
  if (self->sample >= 0 && self->viewed != NULL)
    n = fs_code_view_get_strongest (self->atoms_code, strongest, N_STRONGEST);
  fs_atom_gallery_set_highlight (self->gallery, strongest, n);
}

static void
on_spin_changed (FsWindow *self);

static void
set_sample (FsWindow *self,
            gint64    row)
{
  FsMatrix *X = fs_session_get_matrix (self->session);

  if (X == NULL || row < -1 || row >= (gint64) X->rows)
    row = -1;
  if (row == self->sample)
    return;
  self->sample = row;
  for (guint k = FS_HEATMAP_X; k <= FS_HEATMAP_RESIDUAL; k++)
    fs_heatmap_set_selected_row (self->maps[k], row);
  g_signal_handlers_block_by_func (self->sample_spin, on_spin_changed, self);
  gtk_spin_button_set_value (self->sample_spin, (double) (row + 1));
  g_signal_handlers_unblock_by_func (self->sample_spin, on_spin_changed, self);
  gtk_revealer_set_reveal_child (self->data_code_revealer, row >= 0);
  update_code (self);
}

static void
on_selected_row (FsHeatmap  *map,
                 GParamSpec *pspec,
                 FsWindow   *self)
{
  set_sample (self, fs_heatmap_get_selected_row (map));
}

static void
on_spin_changed (FsWindow *self)
{
  set_sample (self, (gint64) gtk_spin_button_get_value_as_int (self->sample_spin) - 1);
}

/* The spin button shows "None" for no sample. */
static gboolean
on_spin_output (GtkSpinButton *spin,
                gpointer       data)
{
  int value = gtk_spin_button_get_value_as_int (spin);
  g_autofree char *text = value > 0 ? g_strdup_printf ("%d", value) : g_strdup (_("None"));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

/* ---- The spectrum ---- */

/* ‖X‖² and the share of it beyond the rank, from the singular values
 * known. A sparse X has only its top values: its listed cells give ‖X‖²,
 * and the tail is what the values up to the rank leave of it; FALSE when
 * they are fewer than the rank, so that the tail is not known. */
static gboolean
spectrum_shares (FsMatrix     *X,
                 const GArray *values,
                 guint         rank,
                 double       *total,
                 double       *tail)
{
  double kept = 0.0, all = 0.0;

  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);

      all += v * v;
      if (i < rank)
        kept += v * v;
    }
  if (X == NULL || !fs_matrix_is_sparse (X))
    {
      *total = all;
      *tail = all - kept;
      return TRUE;
    }
  if (values->len < MIN (rank, MIN (X->rows, X->cols)))
    return FALSE;
  *total = fs_matrix_frobenius_sq (X);
  *tail = MAX (*total - kept, 0.0);
  return TRUE;
}

static void
update_spectrum_caption (FsWindow *self)
{
  GArray *values = fs_session_get_singular_values (self->session);
  const FsParams *p = self->viewed != NULL && self->viewed->params.rank > 0
                      ? &self->viewed->params : fs_session_get_params (self->session);
  double total = 0.0, tail = 0.0, mu = sqrt (p->l2_w * p->l2_h);
  FsMatrix *X;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *rank = fs_error_number_text (p->rank);

  if (fs_session_get_matrix (self->session) != NULL && fs_session_get_matrix (self->session)->n_missing > 0)
    {
      gtk_label_set_text (self->spectrum_caption,
                          _("X has missing cells: its singular values are not defined, so only those of W H are shown."));
      return;
    }
  if (values == NULL || values->len == 0)
    {
      gtk_label_set_text (self->spectrum_caption, _("Singular values of X: not computed yet."));
      return;
    }
  X = fs_session_get_matrix (self->session);
  if (!spectrum_shares (X, values, p->rank, &total, &tail))
    {
      g_autofree char *known = fs_error_number_text (values->len);

      /* TRANSLATORS: the first %s is the rank, the second how many of the
       * largest singular values of a sparse X are known (fewer). */
      g_string_printf (text, _("Beyond the rank cut at %s, the share of ‖X‖² the singular values "
                               "of X hold is not computed: only the largest %s are known."),
                       rank, known);
      gtk_label_set_text (self->spectrum_caption, text->str);
      return;
    }
  /* TRANSLATORS: %s is the rank; the share is of ||X||^2 */
  g_string_printf (text, _("Beyond the rank cut at %s, the singular values of X hold %.3g%% of ‖X‖²: "
                           "no fit of this rank can capture it."),
                   rank, total > 0.0 ? 100.0 * tail / total : 0.0);
  if (mu > 0.0)
    /* Translators: a second sentence, after the one above; λW and λH are
     * the L2 penalties on W and H. */
    g_string_append_printf (text, _(" With L2 on both factors, the optimum shrinks each kept singular "
                                    "value by √(λW λH) = %.3g and drops those below it."), mu);
  gtk_label_set_text (self->spectrum_caption, text->str);
}

/* The rank cut and the threshold are those of the run the views show (a
 * kept run's, or the live one's), else the live settings'. */
static void
update_spectrum_data (FsWindow *self)
{
  GArray *values = fs_session_get_singular_values (self->session);
  const FsParams *p = self->viewed != NULL && self->viewed->params.rank > 0
                      ? &self->viewed->params : fs_session_get_params (self->session);

  fs_spectrum_set_data_values (self->spectrum, values != NULL ? (double *) values->data : NULL,
                               values != NULL ? values->len : 0);
  fs_spectrum_set_threshold (self->spectrum, sqrt (p->l2_w * p->l2_h));
  fs_spectrum_set_rank (self->spectrum, p->rank);
  update_spectrum_caption (self);
}

/* ---- The row shapes ---- */

static char *
shape_label (const FsRowShape *shape)
{
  g_autofree char *height = NULL, *width = NULL;

  switch (shape->layout)
    {
    case FS_ATOMS_RANK_ONE:
      return g_strdup (_("X is one image"));
    case FS_ATOMS_ROW_IMAGES:
      height = fs_error_number_text (shape->height);
      width = fs_error_number_text (shape->width);
      /* TRANSLATORS: each row of X is an image of height × width pixels */
      return g_strdup_printf (_("Rows are %s × %s images"), height, width);
    case FS_ATOMS_PROFILES:
    default:
      return g_strdup (_("Rows are profiles"));
    }
}

#define MAX_SHAPES 16

/* The choices for X: profiles, one image, and each h × w that the column
 * count factors into; the one X's loader knew is selected. */
static void
fill_shapes (FsWindow *self,
             FsMatrix *source)
{
  gsize heights[MAX_SHAPES], widths[MAX_SHAPES];
  guint n = fs_atoms_image_shapes (source->cols, heights, widths, MAX_SHAPES);
  FsAtomsLayout known = fs_atoms_layout_for_matrix (source);
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint selected = 0;

  g_array_set_size (self->shapes, 0);
  g_array_append_val (self->shapes, ((FsRowShape) { FS_ATOMS_PROFILES, 0, 0 }));
  g_array_append_val (self->shapes, ((FsRowShape) { FS_ATOMS_RANK_ONE, 0, 0 }));
  if (known == FS_ATOMS_RANK_ONE)
    selected = 1;
  for (guint k = 0; k < n; k++)
    {
      FsRowShape shape = { FS_ATOMS_ROW_IMAGES, heights[k], widths[k] };

      if (known == FS_ATOMS_ROW_IMAGES && heights[k] == source->image_height &&
          widths[k] == source->image_width)
        selected = self->shapes->len;
      g_array_append_val (self->shapes, shape);
    }
  /* The loader's shape is a choice even when the column count has more
   * shapes than are listed, squarest first. */
  if (known == FS_ATOMS_ROW_IMAGES && selected == 0)
    {
      FsRowShape shape = { FS_ATOMS_ROW_IMAGES, source->image_height, source->image_width };

      selected = self->shapes->len;
      g_array_append_val (self->shapes, shape);
    }
  for (guint k = 0; k < self->shapes->len; k++)
    {
      g_autofree char *label = shape_label (&g_array_index (self->shapes, FsRowShape, k));

      gtk_string_list_append (labels, label);
    }
  gtk_drop_down_set_model (self->row_shape, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->row_shape, selected);
}

static void
on_row_shape_changed (FsWindow *self)
{
  fs_atom_gallery_set_atoms (self->gallery, NULL);
  update_code (self);
  fs_window_inspect_show (self);
}

/* ---- What the window calls ---- */

/* A new snapshot is shown (or the view changed): the zeros, the code and
 * the trace charts follow at once, the rest when its job is done. */
void
fs_window_inspect_show (FsWindow *self)
{
  const FsParams *p = self->viewed != NULL ? &self->viewed->params : NULL;

  /* Settings that change without the panel's "changed" (Restore, a kept
   * run shown) reach the spectrum here. */
  if (p != NULL && p->rank > 0 &&
      (p->rank != self->spectrum_rank || sqrt (p->l2_w * p->l2_h) != self->spectrum_threshold))
    {
      self->spectrum_rank = p->rank;
      self->spectrum_threshold = sqrt (p->l2_w * p->l2_h);
      update_spectrum_data (self);
    }
  update_zeros (self);
  /* The zeros charts follow the snapshots while they are on screen (and
   * catch up when their view is chosen: this is called then too). */
  if (g_str_equal (visible_view (self), "factors"))
    for (guint k = 0; k < 2; k++)
      fs_trace_plot_set_snapshot (self->zero_plots[k], self->viewed);
  if (self->sample >= 0)
    update_code (self);
  if (self->inspecting)
    self->inspect_again = TRUE;
  else
    start_job (self);
}

/* CPU seconds the jobs used since the last call: the window counts them
 * with its own when it paces its updates. */
double
fs_window_inspect_take_cpu (FsWindow *self)
{
  double cpu = self->inspect_cpu;

  self->inspect_cpu = 0.0;
  return cpu;
}

void
fs_window_inspect_set_matrix (FsWindow *self,
                              FsMatrix *X)
{
  FsMatrix *source = fs_session_get_source (self->session);

  /* What a job computes for the old matrix is not shown. */
  g_cancellable_cancel (self->inspect_cancellable);
  g_clear_object (&self->inspect_cancellable);
  self->inspect_cancellable = g_cancellable_new ();
  self->inspect_again = FALSE;

  self->sample = -2;
  set_sample (self, -1);
  gtk_spin_button_set_range (self->sample_spin, 0, (double) X->rows);
  g_signal_handlers_block_by_func (self->row_shape, on_row_shape_changed, self);
  fill_shapes (self, source);
  g_signal_handlers_unblock_by_func (self->row_shape, on_row_shape_changed, self);
  fs_atom_gallery_set_atoms (self->gallery, NULL);
  fs_atom_gallery_set_column_labels (self->gallery, (const char * const *) X->col_labels,
                                     X->col_labels != NULL ? X->cols : 0);
  for (guint k = 0; k < 2; k++)
    fs_histogram_set_histogram (self->histograms[k], NULL);
  fs_spectrum_set_fit_values (self->spectrum, NULL, 0);
  update_spectrum_data (self);
  update_zeros (self);
}

static GtkWidget *
factor_extras (FsWindow *self,
               guint     k)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  const char *names[2] = { "W", "H" };
  /* TRANSLATORS: the title of a chart of the shares of zeros in a factor,
   * W or H, over the iterations */
  g_autofree char *title = g_strdup_printf (_("Sparsity of %s"), names[k]);

  self->histograms[k] = FS_HISTOGRAM (fs_histogram_new (names[k]));
  self->zero_plots[k] = FS_TRACE_PLOT (fs_trace_plot_new (title));
  fs_trace_plot_set_kinds (self->zero_plots[k],
                           k == 0 ? (1u << FS_TRACE_ZEROS_W) | (1u << FS_TRACE_SMALL_W)
                                  : (1u << FS_TRACE_ZEROS_H) | (1u << FS_TRACE_SMALL_H));
  gtk_widget_set_size_request (GTK_WIDGET (self->histograms[k]), -1, 120);
  gtk_widget_set_hexpand (GTK_WIDGET (self->histograms[k]), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->zero_plots[k]), TRUE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->histograms[k]));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->zero_plots[k]));
  return row;
}

static void
on_singular_values (FsWindow *self)
{
  update_spectrum_data (self);
}

static void
on_params (FsWindow *self)
{
  update_spectrum_data (self);
}

static void on_show_terms (FsWindow *self);

static void
on_view_changed (FsWindow *self)
{
  fs_window_inspect_show (self);
}

void
fs_window_inspect_init (FsWindow *self)
{
  GtkWidget *columns[2];
  guint k = 0;

  self->sample = -1;
  self->shapes = g_array_new (FALSE, FALSE, sizeof (FsRowShape));
  self->inspect_cancellable = g_cancellable_new ();

  /* The factor view's columns, W then H, each get their extras. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->factor_maps));
       child != NULL && k < 2; child = gtk_widget_get_next_sibling (child))
    columns[k++] = child;
  g_assert (k == 2);
  for (k = 0; k < 2; k++)
    gtk_box_append (GTK_BOX (columns[k]), factor_extras (self, k));

  for (k = FS_HEATMAP_X; k <= FS_HEATMAP_RESIDUAL; k++)
    g_signal_connect (self->maps[k], "notify::selected-row", G_CALLBACK (on_selected_row), self);
  g_signal_connect_swapped (self->sample_spin, "value-changed", G_CALLBACK (on_spin_changed), self);
  g_signal_connect (self->sample_spin, "output", G_CALLBACK (on_spin_output), NULL);
  gtk_spin_button_set_increments (self->sample_spin, 1, 10);
  g_signal_connect_swapped (self->row_shape, "notify::selected", G_CALLBACK (on_row_shape_changed), self);
  g_signal_connect_swapped (self->views, "notify::visible-child-name", G_CALLBACK (on_view_changed), self);
  g_signal_connect_swapped (self->session, "notify::singular-values", G_CALLBACK (on_singular_values), self);
  g_signal_connect_swapped (self->panel, "changed", G_CALLBACK (on_params), self);
  g_signal_connect_swapped (self->panel, "notify::show-terms", G_CALLBACK (on_show_terms), self);
  fs_drop_down_set_accessible_label (self->row_shape, _("Row shape"));
  update_spectrum_caption (self);
}

void
fs_window_inspect_dispose (FsWindow *self)
{
  if (self->inspect_cancellable != NULL)
    g_cancellable_cancel (self->inspect_cancellable);
  g_clear_object (&self->inspect_cancellable);
  g_clear_pointer (&self->shapes, g_array_unref);
  self->inspect_again = FALSE;
}

static const char * const views[] = { "data", "factors", "atoms", "spectrum", "sweep", NULL };

gboolean
fs_window_has_view (const char *name)
{
  return name != NULL && g_strv_contains (views, name);
}

/* Every CPU second the inspection jobs have used. */
double
fs_window_get_inspect_cpu_seconds (FsWindow *self)
{
  g_return_val_if_fail (FS_IS_WINDOW (self), 0.0);

  return self->inspect_cpu_total;
}

static void
select_view (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  FsWindow *self = FS_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->views, g_variant_get_string (parameter, NULL));
}

static void
toggle_terms (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  FsWindow *self = FS_WINDOW (widget);

  fs_param_panel_set_show_terms (self->panel, !fs_param_panel_get_show_terms (self->panel));
}

/* Every term the plot can draw; the plot leaves out those that are 0. */
#define TERM_CURVES ((1u << FS_TRACE_DATA) | (1u << FS_TRACE_L2_W) | (1u << FS_TRACE_L2_H) | \
                     (1u << FS_TRACE_L1_W) | (1u << FS_TRACE_L1_H) | (1u << FS_TRACE_NORM_W) | \
                     (1u << FS_TRACE_NORM_H) | (1u << FS_TRACE_GRAD_NORM))

static void
on_show_terms (FsWindow *self)
{
  fs_loss_plot_set_traces (self->loss_plot, fs_param_panel_get_show_terms (self->panel) ? TERM_CURVES : 0);
}

void
fs_window_inspect_class_init (GtkWidgetClass *widget_class)
{
  g_type_ensure (FS_TYPE_ATOM_GALLERY);
  g_type_ensure (FS_TYPE_CODE_VIEW);
  g_type_ensure (FS_TYPE_SPECTRUM);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, views);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, zeros_label);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, data_code_revealer);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, data_code);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, row_shape);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, gallery);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, sample_spin);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, atoms_code);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, spectrum);
  gtk_widget_class_bind_template_child (widget_class, FsWindow, spectrum_caption);

  gtk_widget_class_install_action (widget_class, "win.view", "s", select_view);
  gtk_widget_class_install_action (widget_class, "win.show-terms", NULL, toggle_terms);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.show-terms", NULL);
  for (guint k = 0; views[k] != NULL; k++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + k, GDK_ALT_MASK, "win.view", "s", views[k]);
}
