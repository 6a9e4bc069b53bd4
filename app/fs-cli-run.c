/* fs-cli-run.c: factorscope-cli run, a factorization with progress.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <cblas.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-atoms.h"
#include "fs-blas.h"
#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-cli-options.h"
#include "fs-cli-session.h"
#include "fs-csv.h"
#include "fs-error.h"
#include "fs-fit.h"
#include "fs-json.h"
#include "fs-optimum.h"
#include "fs-params.h"
#include "fs-results.h"
#include "fs-rules.h"

#define PROGRESS_EVERY 1000
/* Matrices this small are printed in full at the end, as the notebook does. */
#define PRINT_MAX_SIDE 12

/* One run of the subcommand, from its options to its results. */
typedef struct
{
  FsCliRunOptions o;
  FsCliInput  in;
  FsCliSession session;
  FsMatrix   *X;
  char       *description;
  FsParams    params;
  FsFit      *fit;
  double      optimum;
  char       *no_optimum;   /* why there is no optimum, when there is none */
  guint64     total_iterations;
  double      elapsed;
  gint        best;
  char       *unbounded;    /* why the problem has no minimum, or NULL */
  GArray     *warnings;     /* FsWarning: the instabilities seen, in order */
} Run;

static void
run_clear (Run *r)
{
  fs_cli_input_clear (&r->in);
  fs_cli_run_options_clear (&r->o);
  fs_cli_session_clear (&r->session);
  g_clear_pointer (&r->X, fs_matrix_unref);
  g_clear_pointer (&r->description, g_free);
  g_clear_pointer (&r->fit, fs_fit_free);
  g_clear_pointer (&r->no_optimum, g_free);
  g_clear_pointer (&r->unbounded, g_free);
  g_clear_pointer (&r->warnings, g_array_unref);
}

static GOptionContext *
run_context_new (FsCliRunOptions *o,
                 FsCliInput      *in,
                 FsCliSession    *session)
{
  g_autofree GOptionEntry *model = fs_cli_run_options_model_entries (o);
  g_autofree GOptionEntry *common = fs_cli_run_options_common_entries (o);
  g_autofree GOptionEntry *replay = fs_cli_session_entries (session);
  g_autofree GOptionEntry *output = fs_cli_run_options_output_entries (o);
  GOptionContext *context;
  g_autofree char *examples = fs_cli_input_describe_examples (TRUE);

  context = fs_cli_context_new (_("FILE|--example NAME"),
                                _("Factorize X ≈ W H by gradient descent and print the cost "
                                  "every 1000 iterations."));
  g_option_context_set_description (context, examples);
  g_option_context_add_main_entries (context, model, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, replay, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, output, GETTEXT_PACKAGE);
  g_option_context_add_group (context, fs_cli_input_option_group (in));
  return context;
}

/* f*, when the problem has a closed-form optimum; NaN otherwise, with
 * r->no_optimum saying why. */
static void
compute_optimum (Run *r)
{
  g_autoptr(GArray) singular = NULL;
  g_autoptr(GError) error = NULL;
  const char *reason = NULL;

  r->optimum = NAN;
  if (!fs_params_has_optimum (&r->params, r->X, &reason))
    {
      r->no_optimum = g_strdup (reason);
      return;
    }

  /* All cores for the SVD; the solver runs OpenBLAS on its own threads. */
  fs_blas_set_threads (g_get_num_processors ());
  singular = fs_singular_values_for_rank (r->X, r->params.rank, &error);
  fs_blas_set_threads (1);
  if (singular == NULL)
    r->no_optimum = g_strdup (error->message);
  else
    r->optimum = fs_optimum_for_matrix (r->X, singular, r->params.rank, r->params.l2_w,
                                        r->params.l2_h);
}

/* Parses the arguments, and with --session parses them again after the
 * session's own (fs-cli-session.h): the options left as at the start but
 * for --session's path and the session, loaded. */
static gboolean
run_parse (Run     *r,
           int     *argc,
           char  ***argv,
           char  ***expanded,
           GError **error)
{
  g_autoptr(GOptionContext) context = run_context_new (&r->o, &r->in, &r->session);
  g_autoptr(GOptionContext) replay = NULL;
  g_auto(GStrv) given = g_new0 (char *, *argc + 1);

  for (int i = 0; i < *argc; i++)
    given[i] = g_strdup ((*argv)[i]);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (r->session.path == NULL)
    return TRUE;

  *expanded = fs_cli_session_expand (&r->session, r->in.example, *argc, given, error);
  if (*expanded == NULL)
    return FALSE;
  fs_cli_run_options_clear (&r->o);
  fs_cli_run_options_init (&r->o);
  fs_cli_input_clear (&r->in);
  r->in = (FsCliInput) { 0 };
  g_clear_pointer (&r->session.path, g_free);
  replay = run_context_new (&r->o, &r->in, &r->session);
  /* parse_strv frees what it takes out of the array. */
  if (!g_option_context_parse_strv (replay, expanded, error))
    return FALSE;
  *argc = (int) g_strv_length (*expanded);
  *argv = *expanded;
  return TRUE;
}

/* --npy adds to the files of --out. */
static gboolean
check_output_options (const FsCliRunOptions  *o,
                      GError                **error)
{
  if (o->npy && o->out == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                           _("--npy writes .npy files beside the CSV files of --out: give --out DIR too"));
      return FALSE;
    }
  return TRUE;
}

/* --out's folder, made if it is not there: before the run too, so that a
 * folder that cannot be made is said before a long run, not after. */
static gboolean
make_out_dir (const char  *dir,
              GError     **error)
{
  int saved;
  g_autofree char *name = NULL;

  if (g_mkdir_with_parents (dir, 0755) == 0 && g_access (dir, W_OK) == 0)
    return TRUE;
  saved = errno;
  name = g_filename_display_name (dir);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
               _("Cannot create the folder %s: %s"), name, g_strerror (saved));
  return FALSE;
}

/* Parses the arguments, loads the matrix and builds the fit. */
static gboolean
run_prepare (Run     *r,
             int      argc,
             char   **argv,
             GError **error)
{
  g_auto(GStrv) expanded = NULL;

  if (!run_parse (r, &argc, &argv, &expanded, error) ||
      !check_output_options (&r->o, error) ||
      (r->o.out != NULL && !make_out_dir (r->o.out, error)) ||
      !fs_cli_parse_lr (r->o.lr_text, &r->o.lr, error) ||
      !fs_cli_run_options_to_params (&r->o, &r->params, error) ||
      !(r->X = fs_cli_input_load (&r->in, argc, argv, &r->description, error)))
    return FALSE;
  fs_cli_session_apply (&r->session, &r->params);

  if (r->o.rank == -1)
    r->params.rank = fs_cli_input_default_rank (&r->in, r->X);
  if (!fs_params_validate (&r->params, r->X, error))
    return FALSE;

  compute_optimum (r);
  r->unbounded = fs_params_dup_unbounded_message (&r->params);
  r->fit = fs_fit_new (r->X, &r->params, error);
  if (r->fit == NULL)
    return FALSE;
  if (isnan (r->o.lr))
    {
      r->params.lr = fs_solver_get_starting_lr (fs_fit_get_solver (r->fit));
      fs_fit_set_lr (r->fit, r->params.lr);
    }
  return TRUE;
}

static void
print_progress (FsSolver *solver,
                double    optimum)
{
  double cost = fs_solver_get_exact_cost (solver);
  g_autofree char *iteration = fs_error_number_text (fs_solver_get_iteration (solver));

  if (isfinite (optimum))
    /* Translators: a progress line of `run`; keep the columns aligned with
     * the line without the gap. %8s is the iteration number, %.10g the
     * cost, %.4g the gap to the global optimum f*. */
    g_print (_("iteration %8s  cost %.10g  gap %.4g\n"), iteration, cost, cost - optimum);
  else
    /* Translators: a progress line of `run` when f* is not known. */
    g_print (_("iteration %8s  cost %.10g\n"), iteration, cost);
}

/* The second line of `run`'s header: the settings, whole for each case so
 * that a translation can order it as its language wants. */
static void
print_settings (Run        *r,
                guint       n_runs,
                const char *seed)
{
  const FsParams *p = &r->params;
  const char *l1_mode = fs_l1_mode_to_string (p->l1_mode);
  const char *init = fs_init_to_string (p->init);

  if (p->nonneg)
    /* Translators: `run`'s settings: the rank, the update rule (plain,
     * momentum, …), the learning rate, the L2 penalties on W and H, the L1
     * penalties on W and H with their mode (prox or subgradient), the
     * initialization (its name), the number of runs and the first seed.
     * Keep the names of rules, modes and initializations in English: they
     * are the values of the command-line options. */
    g_print (ngettext ("rank %u, rule %s, learning rate %.6g, l2 %g/%g, l1 %g/%g (%s), non-negative, "
                       "init %s, %u run from seed %s\n",
                       "rank %u, rule %s, learning rate %.6g, l2 %g/%g, l1 %g/%g (%s), non-negative, "
                       "init %s, %u runs from seed %s\n", n_runs),
             p->rank, p->rule->name, p->lr, p->l2_w, p->l2_h, p->l1_w, p->l1_h, l1_mode, init,
             n_runs, seed);
  else
    /* Translators: as the line above, without non-negativity. */
    g_print (ngettext ("rank %u, rule %s, learning rate %.6g, l2 %g/%g, l1 %g/%g (%s), "
                       "init %s, %u run from seed %s\n",
                       "rank %u, rule %s, learning rate %.6g, l2 %g/%g, l1 %g/%g (%s), "
                       "init %s, %u runs from seed %s\n", n_runs),
             p->rank, p->rule->name, p->lr, p->l2_w, p->l2_h, p->l1_w, p->l1_h, l1_mode, init,
             n_runs, seed);
}

static void
print_header (Run *r)
{
  const FsParams *p = &r->params;
  guint n_runs = fs_fit_get_n_runs (r->fit);
  g_autofree char *rows = fs_error_number_text (r->X->rows);
  g_autofree char *cols = fs_error_number_text (r->X->cols);
  g_autofree char *missing = fs_error_number_text (r->X->n_missing);
  g_autofree char *seed = fs_error_number_text (p->seed);

  /* Translators: the first line of `run`: the input's name, its rows and
   * columns, and how many of its cells are missing. */
  g_print (ngettext ("%s: %s × %s, %s missing\n", "%s: %s × %s, %s missing\n", r->X->n_missing),
           r->description, rows, cols, missing);
  print_settings (r, n_runs, seed);
  if (isfinite (r->optimum))
    g_print (_("global optimum f* = %.10g\n"), r->optimum);
  else
    /* Translators: %s says why, such as “no closed form with L1 penalties”. */
    g_print (_("global optimum: unavailable (%s)\n"), _(r->no_optimum));
  if (n_runs > 1)
    g_print (_("run 1 of %u, seed %s\n"), n_runs, seed);
  print_progress (fs_fit_get_solver (r->fit), r->optimum);
}

/* Between two restarts: how the last one ended, and where the next starts. */
static void
print_next_run (Run   *r,
                guint  last_run,
                guint  run)
{
  g_autofree char *seed = fs_error_number_text (fs_fit_get_run_seed (r->fit, run));

  g_print (_("run %u: final cost %.10g (%s)\n"), last_run + 1,
           fs_fit_get_final_cost (r->fit, last_run),
           fs_cli_stop_text (fs_fit_get_run_stop (r->fit, last_run)));
  g_print (_("run %u of %u, seed %s\n"), run + 1, fs_fit_get_n_runs (r->fit), seed);
  print_progress (fs_fit_get_solver (r->fit), r->optimum);
}

static void
clear_warning (gpointer warning)
{
  fs_warning_clear (warning);
}

/* Keeps a copy of the solver's warning when it is new (one per run at
 * most: the solver keeps the first since its last start), and prints it
 * unless the output is JSON. */
static void
collect_warning (Run             *r,
                 const FsWarning *w,
                 gboolean        *seen)
{
  FsWarning copy;

  if (w == NULL || *seen)
    return;
  *seen = TRUE;
  copy = *w;
  copy.message = g_strdup (w->message);
  g_array_append_val (r->warnings, copy);
  if (!r->o.json)
    g_printerr (_("%s: warning: %s\n"), fs_cli_command_name (), w->message);
}

/* Every run to its end, with progress unless the output is JSON. */
static void
run_iterate (Run *r)
{
  FsSolver *solver = fs_fit_get_solver (r->fit);
  guint last_run = 0;
  gboolean seen = FALSE;
  gint64 start = g_get_monotonic_time ();

  r->warnings = g_array_new (FALSE, TRUE, sizeof (FsWarning));
  g_array_set_clear_func (r->warnings, clear_warning);
  while (fs_fit_iterate (r->fit))
    {
      guint run = fs_fit_get_current_run (r->fit);

      r->total_iterations++;
      /* A run that ended has its warning in the fit: the solver's went
       * with the start of the next run. */
      if (run != last_run)
        {
          collect_warning (r, fs_fit_get_run_warning (r->fit, last_run), &seen);
          seen = FALSE;
        }
      collect_warning (r, fs_solver_get_warning (solver), &seen);
      if (r->o.json)
        {
          last_run = run;
          continue;
        }

      if (run != last_run)
        {
          print_next_run (r, last_run, run);
          last_run = run;
        }
      else if (fs_solver_get_iteration (solver) % PROGRESS_EVERY == 0 ||
               fs_solver_get_stop (solver) != FS_STOP_NONE)
        print_progress (solver, r->optimum);
    }
  r->total_iterations++;
  collect_warning (r, fs_solver_get_warning (solver), &seen);
  r->elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  r->best = fs_fit_get_best_run (r->fit);

  if (!r->o.json)
    {
      const char *message = fs_solver_get_stop_message (solver);

      /* The loop ends on the last iteration without printing it. */
      print_progress (solver, r->optimum);
      if (message != NULL)
        g_print ("%s\n", message);
    }
}

static double *
product (gsize         rows,
         gsize         cols,
         guint         rank,
         const double *W,
         const double *H)
{
  double *wh = g_new (double, rows * cols);

  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) cols, (int) rank,
               1.0, W, (int) rank, H, (int) cols, 0.0, wh, (int) cols);
  return wh;
}

static void
print_matrix (const char   *title,
              gsize         rows,
              gsize         cols,
              const double *data)
{
  g_print ("%s\n", title);
  for (gsize i = 0; i < rows; i++)
    {
      for (gsize j = 0; j < cols; j++)
        g_print ("%s%10.6f", j > 0 ? " " : "  ", data[i * cols + j]);
      g_print ("\n");
    }
}

/* X, WH and X - WH, for matrices small enough to read. */
static void
print_small_matrices (Run *r)
{
  const FsMatrix *X = r->X;
  g_autofree double *wh = NULL;
  g_autofree double *diff = NULL;
  g_autofree double *values = NULL;

  if (X->rows > PRINT_MAX_SIDE || X->cols > PRINT_MAX_SIDE)
    return;

  wh = product (X->rows, X->cols, r->params.rank, fs_fit_get_best_w (r->fit),
                fs_fit_get_best_h (r->fit));
  diff = g_new (double, X->rows * X->cols);
  values = g_new (double, X->rows * X->cols);
  /* fs_matrix_get reads a sparse X too: NaN where a cell is missing. */
  for (gsize k = 0; k < X->rows * X->cols; k++)
    {
      values[k] = fs_matrix_get (X, k / X->cols, k % X->cols);
      diff[k] = values[k] - wh[k];
    }
  print_matrix (_("X:"), X->rows, X->cols, values);
  print_matrix (_("WH:"), X->rows, X->cols, wh);
  print_matrix (_("X - WH:"), X->rows, X->cols, diff);
}

/* The factors the results describe: the best run's, or the last run's
 * when every run diverged. */
static void
shown_factors (Run           *r,
               const double **W,
               const double **H)
{
  FsSolver *solver = fs_fit_get_solver (r->fit);

  *W = r->best >= 0 ? fs_fit_get_best_w (r->fit) : fs_solver_get_w (solver);
  *H = r->best >= 0 ? fs_fit_get_best_h (r->fit) : fs_solver_get_h (solver);
}

/* The shown run's (best or last) training and held-out MSE, at its last
 * iteration: its trace always ends there. */
static void
shown_mse (Run    *r,
           double *train,
           double *holdout)
{
  guint shown = r->best >= 0 ? (guint) r->best : fs_fit_get_current_run (r->fit);
  FsTrace *trace = fs_fit_get_trace (r->fit, shown);
  gsize last = fs_trace_get_length (trace) - 1;

  *train = fs_trace_get (trace, FS_TRACE_TRAIN_MSE, last);
  *holdout = fs_trace_get (trace, FS_TRACE_HOLDOUT_MSE, last);
}

/* "Training MSE …, held-out MSE … (10% of cells held out)", when some are. */
static void
print_mse (Run *r)
{
  g_autofree char *share = NULL;
  double train, holdout;

  if (fs_solver_get_holdout (fs_fit_get_solver (r->fit)) == NULL)
    return;
  shown_mse (r, &train, &holdout);
  share = g_strdup_printf ("%g%%", 100.0 * r->params.holdout);
  g_print (_("Training MSE %.4g, held-out MSE %.4g (%s of cells held out)\n"),
           train, holdout, share);
}

/* The share of exact zeros, in [0, 1]. */
static double
zero_share (const double *values,
            gsize         len)
{
  FsZeroCount count;

  fs_count_zeros (values, len, &count);
  return count.total > 0 ? (double) count.exact / (double) count.total : 0.0;
}

static void
print_zeros (Run *r)
{
  const double *W, *H;
  guint rank = r->params.rank;

  shown_factors (r, &W, &H);
  g_print (_("Zeros: W %.1f%%, H %.1f%%\n"), 100.0 * zero_share (W, r->X->rows * rank),
           100.0 * zero_share (H, rank * r->X->cols));
}

/* The summary of a run that did not diverge. */
static void
print_result (Run *r)
{
  guint n_runs = fs_fit_get_n_runs (r->fit);
  double final = fs_fit_get_final_cost (r->fit, (guint) r->best);
  double speed;

  if (n_runs > 1)
    {
      g_autofree char *best_seed = fs_error_number_text (fs_fit_get_run_seed (r->fit, (guint) r->best));

      for (guint k = 0; k < n_runs; k++)
        {
          g_autofree char *seed = fs_error_number_text (fs_fit_get_run_seed (r->fit, k));

          g_print (_("run %u (seed %s): final cost %.10g, %s\n"), k + 1, seed,
                   fs_fit_get_final_cost (r->fit, k),
                   fs_cli_stop_text (fs_fit_get_run_stop (r->fit, k)));
        }
      g_print (_("best: run %d, seed %s\n"), r->best + 1, best_seed);
    }
  speed = (double) r->total_iterations / MAX (r->elapsed, 1e-9);
  if (isfinite (r->optimum))
    /* Translators: `run`'s result: the final cost, the global optimum f*,
     * the gap to it and in percent of it, the solver's speed. */
    g_print (ngettext ("final cost %.12g, optimum %.12g, gap %.4g (%.3g%%), %.0f iteration per second\n",
                       "final cost %.12g, optimum %.12g, gap %.4g (%.3g%%), %.0f iterations per second\n",
                       (gulong) speed),
             final, r->optimum, final - r->optimum,
             r->optimum > 0 ? 100.0 * (final - r->optimum) / r->optimum : 0.0, speed);
  else
    /* Translators: `run`'s result without f*: the final cost, the speed. */
    g_print (ngettext ("final cost %.12g, %.0f iteration per second\n",
                       "final cost %.12g, %.0f iterations per second\n", (gulong) speed), final, speed);
  print_mse (r);
  print_zeros (r);
  print_small_matrices (r);
}

/* The gallery of the best run's components, shown as the loaded matrix's
 * images when it knows their shape; tiles of at most 64 pixels a side. */
static GBytes *
format_atoms_png (Run     *r,
                  GError **error)
{
  const FsMatrix *X = r->X;
  FsAtomsLayout layout = fs_atoms_layout_for_matrix (X);
  g_autoptr(FsAtoms) atoms = fs_atoms_new (layout, fs_fit_get_best_w (r->fit),
                                           fs_fit_get_best_h (r->fit), X->rows, X->cols,
                                           r->params.rank, X->image_height,
                                           X->image_width, 64);

  return fs_atoms_encode_png (atoms, error);
}

/* Every run's loss history, as far as it went. */
static GBytes *
encode_loss (FsFit         *fit,
             FsDataFormat   format,
             GError       **error)
{
  guint n_runs = fs_fit_get_n_runs (fit);
  g_autofree FsCostLog **logs = g_new (FsCostLog *, n_runs);
  g_autofree gsize *lengths = g_new (gsize, n_runs);
  g_autofree guint64 *seeds = g_new (guint64, n_runs);

  for (guint k = 0; k < n_runs; k++)
    {
      logs[k] = fs_fit_get_log (fit, k);
      lengths[k] = fs_cost_log_get_length (logs[k]);
      seeds[k] = fs_fit_get_run_seed (fit, k);
    }
  return fs_results_encode_loss (format, logs, lengths, seeds, n_runs, error);
}

/* Adds DIR/NAME and its contents to the set, or FALSE when there are no
 * contents (error is set). */
static gboolean
add_output (GPtrArray  *paths,
            GPtrArray  *contents,
            const char *dir,
            const char *name,
            GBytes     *bytes)
{
  if (bytes == NULL)
    return FALSE;
  g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  g_ptr_array_add (contents, bytes);
  return TRUE;
}

/* Each result in format, named as fs_result_get_file_name says. */
static gboolean
add_results (Run          *r,
             FsDataFormat  format,
             GPtrArray    *paths,
             GPtrArray    *contents,
             GError      **error)
{
  const double *W = fs_fit_get_best_w (r->fit), *H = fs_fit_get_best_h (r->fit);

  for (FsResult k = 0; k < FS_N_RESULTS; k++)
    {
      /* A sparse X's WH and X − WH go on its listed cells, once, as .mtx. */
      gboolean listed = r->X->sparse != NULL && (k == FS_RESULT_WH || k == FS_RESULT_RESIDUAL);
      g_autofree char *name = g_strdup_printf ("%s.%s", fs_result_get_file_name (k),
                                               listed ? "mtx" : fs_data_format_get_extension (format));
      GBytes *bytes;

      if (listed && format != FS_DATA_CSV)
        continue;
      bytes = k == FS_RESULT_LOSS ? encode_loss (r->fit, format, error)
            : listed ? fs_results_encode_listed (k, r->X, W, H, r->params.rank)
            : fs_results_encode_matrix (k, format, r->X, W, H, r->params.rank, error);
      if (!add_output (paths, contents, r->o.out, name, bytes))
        return FALSE;
    }
  return TRUE;
}

static GBytes *format_run_json (Run *r);

/* The CSV files (and with --npy the .npy files) of every result, run.json
 * and atoms.png in --out DIR, replaced as a set. */
static gboolean
write_outputs (Run     *r,
               GError **error)
{
  const char *dir = r->o.out;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (!add_results (r, FS_DATA_CSV, paths, contents, error) ||
      (r->o.npy && !add_results (r, FS_DATA_NPY, paths, contents, error)) ||
      !add_output (paths, contents, dir, "run.json", format_run_json (r)) ||
      !add_output (paths, contents, dir, "atoms.png", format_atoms_png (r, error)))
    return FALSE;

  if (!make_out_dir (dir, error))
    return FALSE;

  return fs_csv_write_set (paths->len, (const char * const *) paths->pdata,
                           (GBytes * const *) contents->pdata, error);
}

/* "warnings": the problem's lack of a minimum, then each instability. */
static void
add_warnings_json (JsonBuilder *b,
                   Run         *r)
{
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  if (r->unbounded != NULL)
    {
      json_builder_begin_object (b);
      fs_json_add_string (b, "kind", "unbounded");
      fs_json_add_string (b, "message", r->unbounded);
      json_builder_end_object (b);
    }
  for (guint k = 0; r->warnings != NULL && k < r->warnings->len; k++)
    {
      const FsWarning *w = &g_array_index (r->warnings, FsWarning, k);

      json_builder_begin_object (b);
      fs_json_add_string (b, "kind", fs_warning_kind_to_string (w->kind));
      fs_json_add_int (b, "iteration", (gint64) w->iteration);
      fs_json_add_number (b, "swing", w->swing, NULL);
      fs_json_add_number (b, "suggested_lr", w->suggested_lr, NULL);
      fs_json_add_string (b, "message", w->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* "cost_terms", from the residual at the shown factors like final_cost
 * (fs_solver_get_exact_cost): the terms add up to it to rounding. With
 * held-out cells, over the cells trained on, as the cost is: the held-out
 * cells' part, a tenth or so, is taken off rather than a copy of X made. */
static void
add_cost_terms_json (JsonBuilder  *b,
                     Run          *r,
                     const double *W,
                     const double *H)
{
  FsHoldout *holdout = fs_solver_get_holdout (fs_fit_get_solver (r->fit));
  FsCostTerms terms;

  fs_cost_terms (r->X, W, H, r->params.rank, &r->params, &terms);
  if (holdout != NULL)
    terms.data -= fs_holdout_sum_squares (holdout, W, H, r->params.rank, r->X->cols);
  json_builder_set_member_name (b, "cost_terms");
  json_builder_begin_object (b);
  fs_json_add_number (b, "data", terms.data, NULL);
  fs_json_add_number (b, "l2_w", terms.l2_w, NULL);
  fs_json_add_number (b, "l2_h", terms.l2_h, NULL);
  fs_json_add_number (b, "l1_w", terms.l1_w, NULL);
  fs_json_add_number (b, "l1_h", terms.l1_h, NULL);
  json_builder_end_object (b);
}

/* "singular_values_wh", descending; null (with singular_values_wh_null_because)
 * when they cannot be computed, as for a diverged run. */
static void
add_singular_values_json (JsonBuilder  *b,
                          Run          *r,
                          const double *W,
                          const double *H)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) values = fs_product_singular_values (W, H, r->X->rows, r->X->cols,
                                                         r->params.rank, &error);

  if (values == NULL)
    {
      fs_json_add_number (b, "singular_values_wh", NAN, error->message);
      return;
    }
  json_builder_set_member_name (b, "singular_values_wh");
  json_builder_begin_array (b);
  for (guint k = 0; k < values->len; k++)
    json_builder_add_double_value (b, g_array_index (values, double, k));
  json_builder_end_array (b);
}

/* "train_mse", "holdout_mse" (null without held-out cells) and "holdout":
 * the split ({"fraction", "seed", "cells", "train_cells"}) or null. */
static void
add_holdout_json (JsonBuilder *b,
                  Run         *r)
{
  FsHoldout *holdout = fs_solver_get_holdout (fs_fit_get_solver (r->fit));
  double train, held;

  shown_mse (r, &train, &held);
  fs_json_add_number (b, "train_mse", train, NULL);
  fs_json_add_number (b, "holdout_mse", held, holdout == NULL ? "no held-out cells" : NULL);
  json_builder_set_member_name (b, "holdout");
  if (holdout == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  fs_json_add_double (b, "fraction", r->params.holdout);
  fs_json_add_int (b, "seed", (gint64) r->params.holdout_seed);
  fs_json_add_int (b, "cells", (gint64) fs_holdout_get_n_cells (holdout));
  fs_json_add_int (b, "train_cells", (gint64) fs_holdout_get_n_train (holdout));
  json_builder_end_object (b);
}

/* What the shown factors are made of: zeros, the cost's terms, the
 * spectrum of W H. */
static void
add_factors_json (JsonBuilder *b,
                  Run         *r)
{
  const double *W, *H;
  guint rank = r->params.rank;

  shown_factors (r, &W, &H);
  fs_json_add_double (b, "zeros_w", zero_share (W, r->X->rows * rank));
  fs_json_add_double (b, "zeros_h", zero_share (H, rank * r->X->cols));
  add_cost_terms_json (b, r, W, H);
  add_singular_values_json (b, r, W, H);
}

/* "settings": every option the run was made with, as run.json keeps them. */
static void
add_settings_json (JsonBuilder *b,
                   Run         *r)
{
  const FsParams *p = &r->params;

  json_builder_set_member_name (b, "settings");
  json_builder_begin_object (b);
  fs_json_add_string (b, "scaling", fs_cli_scaling_to_string (fs_cli_input_get_scaling (&r->in)));
  fs_json_add_int (b, "rank", p->rank);
  fs_json_add_string (b, "rule", p->rule->name);
  fs_json_add_double (b, "lr", p->lr);
  fs_json_add_boolean (b, "lr_from_data", isnan (r->o.lr));
  /* No option sets these; a session (--session) may. */
  fs_json_add_double (b, "momentum", p->momentum);
  fs_json_add_double (b, "adam_beta1", p->adam_beta1);
  fs_json_add_double (b, "adam_beta2", p->adam_beta2);
  fs_json_add_double (b, "adam_eps", p->adam_eps);
  fs_json_add_double (b, "l2_w", p->l2_w);
  fs_json_add_double (b, "l2_h", p->l2_h);
  fs_json_add_double (b, "l1_w", p->l1_w);
  fs_json_add_double (b, "l1_h", p->l1_h);
  fs_json_add_string (b, "l1_mode", fs_l1_mode_to_string (p->l1_mode));
  fs_json_add_boolean (b, "nonneg", p->nonneg);
  fs_json_add_string (b, "init", fs_init_to_string (p->init));
  fs_json_add_int (b, "max_iters", (gint64) p->max_iters);
  fs_json_add_double (b, "tol", p->tol);
  fs_json_add_int (b, "seed", (gint64) p->seed);
  fs_json_add_int (b, "restarts", p->restarts);
  fs_json_add_int (b, "threads", p->threads);
  fs_json_add_double (b, "holdout", p->holdout);
  fs_json_add_int (b, "holdout_seed", (gint64) p->holdout_seed);
  fs_json_add_boolean (b, "stop_unstable", p->stop_unstable);
  fs_json_add_string (b, "products", fs_products_impl_name (p->products));
  fs_json_add_string (b, "dtype", fs_dtype_to_string (p->dtype));
  json_builder_end_object (b);
}

/* The object that --json prints and --out keeps as run.json. */
static JsonBuilder *
build_run_json (Run *r)
{
  JsonBuilder *b = json_builder_new ();
  FsFit *fit = r->fit;
  guint shown = r->best >= 0 ? (guint) r->best : fs_fit_get_current_run (fit);
  double final = fs_fit_get_final_cost (fit, shown);
  gsize length = fs_cost_log_get_length (fs_fit_get_log (fit, shown));

  json_builder_begin_object (b);
  fs_json_add_string (b, "input", r->description);
  fs_json_add_int (b, "rows", (gint64) r->X->rows);
  fs_json_add_int (b, "cols", (gint64) r->X->cols);
  fs_json_add_int (b, "missing", (gint64) r->X->n_missing);
  fs_json_add_int (b, "rank", r->params.rank);
  fs_json_add_string (b, "rule", r->params.rule->name);
  fs_json_add_double (b, "lr", r->params.lr);
  fs_json_add_int (b, "iterations", (gint64) length - 1);
  fs_json_add_double (b, "final_cost", final);
  fs_json_add_number (b, "optimum", r->optimum, r->no_optimum);
  fs_json_add_number (b, "gap", final - r->optimum, r->no_optimum);
  fs_json_add_string (b, "stopped", fs_stop_to_string (fs_fit_get_run_stop (fit, shown)));
  fs_json_add_string (b, "message", fs_solver_get_stop_message (fs_fit_get_solver (fit)));
  add_holdout_json (b, r);
  add_warnings_json (b, r);
  fs_json_add_int (b, "seed", (gint64) fs_fit_get_run_seed (fit, shown));
  json_builder_set_member_name (b, "costs_per_restart");
  json_builder_begin_array (b);
  for (guint k = 0; k < fs_fit_get_n_runs (fit); k++)
    {
      double c = fs_fit_get_final_cost (fit, k);

      if (isfinite (c))
        json_builder_add_double_value (b, c);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_array (b);
  add_factors_json (b, r);
  fs_json_add_double (b, "wall_s", r->elapsed);
  fs_json_add_double (b, "iterations_per_second",
                      (double) r->total_iterations / MAX (r->elapsed, 1e-9));
  add_settings_json (b, r);
  json_builder_end_object (b);
  return b;
}

static void
print_run_json (Run *r)
{
  g_autoptr(JsonBuilder) b = build_run_json (r);

  fs_json_print (b);
}

static GBytes *
format_run_json (Run *r)
{
  g_autoptr(JsonBuilder) b = build_run_json (r);
  char *text = fs_json_to_string (b);
  char *line = g_strconcat (text, "\n", NULL);

  g_free (text);
  return g_bytes_new_take (line, strlen (line));
}

/* Prints the results, writes --out, and returns the exit status. */
static int
run_report (Run *r)
{
  g_autoptr(GError) error = NULL;
  int status = FS_CLI_EXIT_OK;

  if (r->best < 0)
    {
      status = FS_CLI_EXIT_DIVERGED;
      if (!r->o.json)
        g_printerr ("%s: %s\n", fs_cli_command_name (),
                    fs_solver_get_stop_message (fs_fit_get_solver (r->fit)));
    }
  else
    {
      if (!r->o.json)
        print_result (r);
      if (r->o.out != NULL && !write_outputs (r, &error))
        return fs_cli_fail ("%s", error->message);
    }

  if (r->o.json)
    print_run_json (r);
  return status;
}

int
fs_cli_run (int    argc,
            char **argv)
{
  Run r = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  fs_cli_run_options_init (&r.o);
  if (!run_prepare (&r, argc, argv, &error))
    status = fs_cli_fail ("%s", error->message);
  else
    {
      if (!r.o.json)
        print_header (&r);
      if (!r.o.json && r.unbounded != NULL)
        g_printerr (_("%s: warning: %s\n"), fs_cli_command_name (), r.unbounded);
      run_iterate (&r);
      status = run_report (&r);
    }

  run_clear (&r);
  return status;
}
