/* fs-benchmark.c: the app's --benchmark mode.
 *
 * Two problems: the dense one of ../shared/bench (2000 × 2000, rank 50)
 * and, with --benchmark-case sparse, the sparse one of
 * ../shared/bench/peer_sparse.py (100000 × 20000, 1,000,000 candidate
 * cells, rank 32), built here from its recipe in O(nnz + (n + m) r).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-benchmark"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-bench-sparse.h"
#include "fs-benchmark.h"
#include "fs-examples.h"
#include "fs-json.h"
#include "fs-params.h"
#include "fs-pins.h"
#include "fs-pool.h"
#include "fs-random.h"

#define BENCH_ROWS 2000
#define BENCH_COLS 2000
#define BENCH_RANK 50
#define SPARSE_ROWS 100000
#define SPARSE_COLS 20000
#define SPARSE_CANDIDATES 1000000
#define SPARSE_RANK 32
/* Seconds of running before measuring: threads and caches settle. */
#define WARMUP_SECONDS 2.0

typedef enum
{
  WAITING,    /* for the runner and f* to be ready */
  WARMING,
  MEASURING,
} Phase;

typedef struct
{
  FsWindow      *window;
  GdkFrameClock *clock;
  guint          seconds;
  Phase          phase;
  gint64         phase_start;
  guint64        start_iteration;
  double         start_cpu;
  double         start_inspect_cpu;
  double         start_heatmap_cpu;
  char          *view;
  guint          keep;         /* runs to keep (Keep) during the measurement */
  gboolean       sparse;       /* the sparse problem */
  gsize          rows;
  gsize          cols;
  guint          rank;
  gsize          nnz;          /* listed cells (sparse), 0 */
  double         x_mib;        /* what X holds */
  guint          kept;
  gint64         paint_start;
  gint64         last_frame;
  GArray        *frame_ms;     /* before-paint to after-paint */
  GArray        *interval_ms;  /* after-paint to after-paint */
  gulong         before_id;
  gulong         after_id;
} Benchmark;

static void
on_before_paint (GdkFrameClock *clock,
                 Benchmark     *b)
{
  b->paint_start = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Benchmark     *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->phase != MEASURING || b->paint_start == 0)
    return;

  g_array_append_val (b->frame_ms, (double) { (now - b->paint_start) / 1000.0 });
  if (b->last_frame != 0)
    g_array_append_val (b->interval_ms, (double) { (now - b->last_frame) / 1000.0 });
  b->last_frame = now;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, MIN (values->len - 1, (guint) (p * values->len)));
}

/* The process's peak resident memory (VmHWM), in MiB; NaN if unknown. */
static double
peak_rss_mib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return NAN;
  return g_ascii_strtod (line + strlen ("VmHWM:"), NULL) / 1024.0;
}

/* What the kept runs and the live run's checkpoints hold, in MiB. */
static void
add_memory (JsonBuilder *builder,
            Benchmark   *b,
            FsSnapshot  *snap)
{
  GListModel *pins = fs_window_get_pins (b->window);
  guint n_pins = g_list_model_get_n_items (pins);
  double checkpoints = 0.0, kept = 0.0;

  for (guint k = 0; k < snap->n_checkpoints; k++)
    checkpoints += fs_checkpoint_get_bytes (snap->checkpoints[k]);
  for (guint k = 0; k < n_pins; k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (pins, k);
      FsSnapshot *s = fs_pin_item_get_snapshot (item);

      kept += (double) (s->rows + s->cols) * s->rank * sizeof (double);
      for (guint run = 0; run <= s->run; run++)
        kept += (double) s->log_lengths[run] * sizeof (double);
    }
  fs_json_add_int (builder, "kept_runs", n_pins);
  fs_json_add_double (builder, "kept_runs_mib", kept / (1024.0 * 1024.0));
  fs_json_add_int (builder, "checkpoints", snap->n_checkpoints);
  fs_json_add_double (builder, "checkpoints_mib", checkpoints / (1024.0 * 1024.0));
  fs_json_add_double (builder, "x_mib", b->x_mib);
  fs_json_add_double (builder, "peak_rss_mib", peak_rss_mib ());
}

static double
heatmap_cpu_seconds (FsWindow *window)
{
  FsHeatmapCache *cache = fs_heatmap_get_cache (fs_window_get_heatmap (window, FS_HEATMAP_WH));

  return cache != NULL ? fs_heatmap_cache_get_cpu_seconds (cache) : 0.0;
}

static void
finish (Benchmark  *b,
        FsSnapshot *snap,
        double      seconds)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 iterations = (gint64) (snap->iteration - b->start_iteration);
  guint under = 0;

  for (guint k = 0; k < b->frame_ms->len; k++)
    under += g_array_index (b->frame_ms, double, k) < 16.0;

  json_builder_begin_object (builder);
  fs_json_add_string (builder, "peer", "factorscope-window");
  fs_json_add_string (builder, "case", b->sparse ? "sparse" : "dense");
  fs_json_add_int (builder, "n", b->rows);
  fs_json_add_int (builder, "m", b->cols);
  fs_json_add_int (builder, "r", b->rank);
  if (b->sparse)
    fs_json_add_int (builder, "nnz", b->nnz);
  fs_json_add_int (builder, "threads", snap->params.threads > 0 ? snap->params.threads
                                       : fs_params_auto_threads (b->rows, b->cols, b->rank));
  fs_json_add_int (builder, "iterations", iterations);
  fs_json_add_double (builder, "seconds", seconds);
  fs_json_add_double (builder, "iterations_per_second", (double) iterations / seconds);
  fs_json_add_int (builder, "frames", b->frame_ms->len);
  fs_json_add_double (builder, "frame_ms_median", percentile (b->frame_ms, 0.5));
  fs_json_add_double (builder, "frame_ms_p95", percentile (b->frame_ms, 0.95));
  fs_json_add_double (builder, "frame_ms_max", percentile (b->frame_ms, 1.0));
  fs_json_add_double (builder, "frames_under_16ms",
                              b->frame_ms->len > 0 ? (double) under / b->frame_ms->len : NAN);
  fs_json_add_double (builder, "frame_interval_ms_median", percentile (b->interval_ms, 0.5));
  fs_json_add_double (builder, "frame_interval_ms_p95", percentile (b->interval_ms, 0.95));
  fs_json_add_double (builder, "ui_thread_cpu_share",
                              (fs_thread_cpu_seconds () - b->start_cpu) / seconds);
  fs_json_add_string (builder, "view", b->view != NULL ? b->view : "data");
  fs_json_add_double (builder, "inspect_cpu_share",
                      (fs_window_get_inspect_cpu_seconds (b->window) - b->start_inspect_cpu) / seconds);
  /* The heatmaps' means over a sparse X's listed cells, in a thread. */
  fs_json_add_double (builder, "heatmap_cpu_share",
                      (heatmap_cpu_seconds (b->window) - b->start_heatmap_cpu) / seconds);
  fs_json_add_double (builder, "initial_cost", fs_cost_log_get (snap->logs[snap->run], 0));
  fs_json_add_double (builder, "cost", snap->cost);
  add_memory (builder, b, snap);
  json_builder_end_object (builder);
  fs_json_print (builder);
}

/* The measurement runs for its time, not to a convergence: the window's
 * tolerance is lifted, as the command line's bench has none. */
static void
run_without_tolerance (FsWindow *window)
{
  FsParams params = *fs_session_get_params (fs_window_get_session (window));

  params.tol = 0.0;
  params.max_iters = FS_MAX_ITERATIONS;
  fs_param_panel_set_params (fs_window_get_panel (window), &params);
  fs_session_set_params (fs_window_get_session (window), &params, NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.run-pause", NULL);
}

static gboolean
poll_benchmark (gpointer data)
{
  Benchmark *b = data;
  /* The solver's progress, whether or not the window shows it yet. */
  g_autoptr(FsSnapshot) snap = fs_session_get_snapshot (fs_window_get_session (b->window));
  gint64 now = g_get_monotonic_time ();
  double seconds = (now - b->phase_start) / (double) G_USEC_PER_SEC;

  switch (b->phase)
    {
    case WAITING:
      /* The SVD for f* runs once after loading: not part of the steady
       * state. Run and Pause works once the window shows a snapshot: a
       * matrix with no f* to compute (a sparse one) gets there before the
       * window's next frame. */
      if (snap == NULL || snap->rows != b->rows || snap->rank != b->rank ||
          fs_session_get_computing_optimum (fs_window_get_session (b->window)) ||
          fs_window_get_shown_snapshot (b->window) == NULL)
        return G_SOURCE_CONTINUE;
      run_without_tolerance (b->window);
      b->phase = WARMING;
      b->phase_start = now;
      return G_SOURCE_CONTINUE;

    case WARMING:
      if (snap->state == FS_RUNNER_FINISHED)
        {
          /* Nothing left to measure: say so (and print no figures)
           * rather than wait. */
          g_printerr (_("The run stopped before the measurement ended: %s\n"),
                      snap->message != NULL ? snap->message : "");
          break;
        }
      if (seconds < WARMUP_SECONDS || snap->state != FS_RUNNER_RUNNING)
        return G_SOURCE_CONTINUE;
      b->phase = MEASURING;
      b->phase_start = now;
      b->start_iteration = snap->iteration;
      b->start_cpu = fs_thread_cpu_seconds ();
      b->start_inspect_cpu = fs_window_get_inspect_cpu_seconds (b->window);
      b->start_heatmap_cpu = heatmap_cpu_seconds (b->window);
      return G_SOURCE_CONTINUE;

    case MEASURING:
      /* Runs kept evenly over the measurement, the last at its end. */
      if (b->kept < b->keep && seconds >= b->seconds * (b->kept + 1.0) / b->keep - 0.5)
        {
          gtk_widget_activate_action (GTK_WIDGET (b->window), "win.keep", NULL);
          b->kept++;
        }
      if ((seconds < b->seconds || b->kept < b->keep) && snap->state == FS_RUNNER_RUNNING)
        return G_SOURCE_CONTINUE;
      if (snap->state != FS_RUNNER_RUNNING)
        g_printerr (_("The run stopped before the measurement ended: %s\n"),
                    snap->message != NULL ? snap->message : "");
      finish (b, snap, seconds);
      break;

    default:
      g_assert_not_reached ();
    }

  g_clear_signal_handler (&b->before_id, b->clock);
  g_clear_signal_handler (&b->after_id, b->clock);
  g_array_unref (b->frame_ms);
  g_array_unref (b->interval_ms);
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (b->window))));
  g_free (b);
  return G_SOURCE_REMOVE;
}

static void
on_realize (GtkWidget *widget,
            Benchmark *b)
{
  b->clock = gtk_widget_get_frame_clock (widget);
  b->before_id = g_signal_connect (b->clock, "before-paint", G_CALLBACK (on_before_paint), b);
  b->after_id = g_signal_connect (b->clock, "after-paint", G_CALLBACK (on_after_paint), b);
}

/* The cells of peer_sparse.py's problem (seed 0), as `factorscope-cli
 * bench --nnz` builds them (fs-bench-sparse.h), so that the window's rate
 * can be held against the command line's on the same cells. */
static FsMatrix *
sparse_problem (GError **error)
{
  g_autoptr(FsSparse) sparse = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;

  if (!fs_bench_sparse_problem (SPARSE_ROWS, SPARSE_COLS, SPARSE_CANDIDATES, SPARSE_RANK, 0,
                                &sparse, &W0, &H0, error))
    return NULL;
  return fs_matrix_new_sparse (sparse);
}

/* The problem of the case, and its shape in b. */
static FsMatrix *
make_problem (Benchmark  *b,
              GError    **error)
{
  FsMatrix *X;

  if (!b->sparse)
    {
      b->rows = BENCH_ROWS;
      b->cols = BENCH_COLS;
      b->rank = BENCH_RANK;
      b->x_mib = (double) BENCH_ROWS * BENCH_COLS * sizeof (double) / (1024.0 * 1024.0);
      return fs_example_lowrank (BENCH_ROWS, BENCH_COLS, BENCH_RANK, 0.01, 0, error);
    }
  X = sparse_problem (error);
  if (X == NULL)
    return NULL;
  b->rows = SPARSE_ROWS;
  b->cols = SPARSE_COLS;
  b->rank = SPARSE_RANK;
  b->nnz = X->sparse->nnz;
  b->x_mib = fs_sparse_bytes (X->sparse) / (1024.0 * 1024.0);
  return X;
}

void
fs_benchmark_start (FsWindow   *window,
                    guint       seconds,
                    const char *view,
                    guint       keep,
                    gboolean    sparse)
{
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(GError) error = NULL;
  Benchmark *b;

  g_return_if_fail (FS_IS_WINDOW (window));
  g_return_if_fail (seconds > 0);

  b = g_new0 (Benchmark, 1);
  b->sparse = sparse;
  X = make_problem (b, &error);
  if (X == NULL)
    {
      g_printerr ("%s\n", error->message);
      g_free (b);
      g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
      return;
    }

  b->window = window;
  b->seconds = seconds;
  b->view = g_strdup (view);
  b->keep = keep;
  b->phase = WAITING;
  b->frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  b->interval_ms = g_array_new (FALSE, FALSE, sizeof (double));

  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    on_realize (GTK_WIDGET (window), b);
  else
    g_signal_connect (window, "realize", G_CALLBACK (on_realize), b);

  fs_window_load_matrix (window, X, _("Benchmark problem"), b->rank);
  /* A view that looks inside W and H, with a sample selected: its jobs
   * and drawing are measured too. */
  if (view != NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.view", "s", view);
      fs_heatmap_set_selected_row (fs_window_get_heatmap (window, FS_HEATMAP_X), 0);
    }
  g_timeout_add (50, poll_benchmark, b);
}
