/* factorscope-cli.c: headless runs, the closed-form optimum and benchmarks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <cblas.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>

#include "fs-blas.h"
#include "fs-products.h"
#include "fs-csv.h"
#include "fs-loader.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-optimum.h"
#include "fs-rules.h"

#define PROGRESS_EVERY 1000
/* Matrices this small are printed in full at the end, as the notebook does. */
#define PRINT_MAX_SIDE 12

/* Exit statuses. */
enum
{
  EXIT_OK = 0,
  EXIT_USAGE = 1,
  EXIT_DIVERGED = 2,
};

static const char *command_name = "factorscope-cli";

G_GNUC_PRINTF (1, 2)
static int
fail (const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", command_name, message);
  return EXIT_USAGE;
}

/* Options that name the input matrix, shared by run and optimum. */
typedef struct
{
  char *example;
  char *example_size;
  int   example_rank;
  gint64 example_seed;
} InputOptions;

static void
input_options_clear (InputOptions *in)
{
  g_clear_pointer (&in->example, g_free);
  g_clear_pointer (&in->example_size, g_free);
}

static GOptionGroup *
input_option_group (InputOptions *in)
{
  const GOptionEntry entries[] = {
    { "example", 0, 0, G_OPTION_ARG_STRING, &in->example,
      N_("Use a built-in example: lowrank or notebook"), N_("NAME") },
    { "example-size", 0, 0, G_OPTION_ARG_STRING, &in->example_size,
      N_("Size of the lowrank example (default 100x80)"), N_("ROWSxCOLS") },
    { "example-rank", 0, 0, G_OPTION_ARG_INT, &in->example_rank,
      N_("True rank of the lowrank example (default 5)"), N_("K") },
    { "example-seed", 0, 0, G_OPTION_ARG_INT64, &in->example_seed,
      N_("Seed of the example's data (default 0)"), N_("S") },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group = g_option_group_new ("input", _("Input options:"),
                                            _("Show the input options"), NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

static gboolean
parse_size (const char *text,
            gsize      *rows,
            gsize      *cols)
{
  guint64 r, c;
  char *end = NULL;

  errno = 0;
  r = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text || (*end != 'x' && *end != 'X'))
    return FALSE;
  text = end + 1;
  c = g_ascii_strtoull (text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || r == 0 || c == 0)
    return FALSE;
  *rows = (gsize) r;
  *cols = (gsize) c;
  return TRUE;
}

/* The matrix named by a FILE argument or by --example. */
static void print_notices (const FsMatrix *X);

static FsMatrix *
load_input (InputOptions  *in,
            int            argc,
            char         **argv,
            char         **description,
            GError       **error)
{
  if (in->example != NULL && argc > 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Give either a FILE or --example, not both"));
      return NULL;
    }
  if (argc > 2)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unexpected argument “%s”"), argv[2]);
      return NULL;
    }

  if (in->example == NULL && argc < 2)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Give a FILE or --example NAME (lowrank or notebook)"));
      return NULL;
    }

  if (in->example == NULL)
    {
      FsMatrix *X = fs_matrix_load (argv[1], error);

      *description = g_filename_display_basename (argv[1]);
      if (X != NULL)
        print_notices (X);
      return X;
    }

  if (in->example_seed < 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The example seed must be ≥ 0"));
      return NULL;
    }

  if (g_str_equal (in->example, "lowrank"))
    {
      gsize rows = FS_EXAMPLE_LOWRANK_ROWS, cols = FS_EXAMPLE_LOWRANK_COLS;
      int rank = in->example_rank > 0 ? in->example_rank : FS_EXAMPLE_LOWRANK_RANK;

      if (in->example_size != NULL && !parse_size (in->example_size, &rows, &cols))
        {
          g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                       _("--example-size takes ROWSxCOLS, such as 100x80, not “%s”"),
                       in->example_size);
          return NULL;
        }
      if (in->example_rank < 0)
        {
          g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                       _("--example-rank must be ≥ 1"));
          return NULL;
        }
      *description = g_strdup_printf ("example lowrank (%lux%lu, true rank %d)", rows, cols, rank);
      return fs_example_lowrank (rows, cols, (guint) rank, FS_EXAMPLE_LOWRANK_NOISE,
                                 (guint64) in->example_seed, error);
    }

  if (in->example_size != NULL || in->example_rank != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--example-size and --example-rank apply to the lowrank example only"));
      return NULL;
    }

  if (g_str_equal (in->example, "notebook"))
    {
      *description = g_strdup ("example notebook (3x4, product of 3x2 and 2x4)");
      return fs_example_notebook ((guint64) in->example_seed);
    }

  return fs_example_new (in->example, error);
}

static GOptionContext *
new_context (const char *parameter,
             const char *summary)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
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

static gboolean
write_loss_csv (const char *path,
                FsFit      *fit,
                GError    **error)
{
  guint n_runs = fs_fit_get_n_runs (fit);
  g_autoptr(GString) out = g_string_new ("iteration");
  gsize longest = 0;

  if (n_runs == 1)
    g_string_append (out, ",cost");
  for (guint k = 0; k < n_runs && n_runs > 1; k++)
    g_string_append_printf (out, ",seed_%lu", fs_fit_get_run_seed (fit, k));
  g_string_append_c (out, '\n');

  for (guint k = 0; k < n_runs; k++)
    longest = MAX (longest, fs_cost_log_get_length (fs_fit_get_log (fit, k)));

  for (gsize t = 0; t < longest; t++)
    {
      g_string_append_printf (out, "%lu", t);
      for (guint k = 0; k < n_runs; k++)
        {
          FsCostLog *log = fs_fit_get_log (fit, k);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_c (out, ',');
          if (t < fs_cost_log_get_length (log))
            g_string_append (out, g_ascii_dtostr (buf, sizeof buf, fs_cost_log_get (log, t)));
        }
      g_string_append_c (out, '\n');
    }

  return g_file_set_contents (path, out->str, (gssize) out->len, error);
}

static gboolean
write_outputs (const char   *dir,
               FsFit        *fit,
               gsize         rows,
               gsize         cols,
               guint         rank,
               const double *W,
               const double *H,
               GError      **error)
{
  g_autofree double *wh = product (rows, cols, rank, W, H);
  g_autofree char *w_path = g_build_filename (dir, "W.csv", NULL);
  g_autofree char *h_path = g_build_filename (dir, "H.csv", NULL);
  g_autofree char *wh_path = g_build_filename (dir, "WH.csv", NULL);
  g_autofree char *loss_path = g_build_filename (dir, "loss.csv", NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_autofree char *name = g_filename_display_name (dir);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), name, g_strerror (saved));
      return FALSE;
    }

  return fs_csv_write (w_path, rows, rank, W, NULL, error) &&
         fs_csv_write (h_path, rank, cols, H, NULL, error) &&
         fs_csv_write (wh_path, rows, cols, wh, NULL, error) &&
         write_loss_csv (loss_path, fit, error);
}

static void
json_add_int (JsonBuilder *builder,
              const char  *key,
              gint64       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, value);
}

static void
json_add_double (JsonBuilder *builder,
                 const char  *key,
                 double       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_double_value (builder, value);
}

static void
json_add_string (JsonBuilder *builder,
                 const char  *key,
                 const char  *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value);
}

static void
json_add_boolean (JsonBuilder *builder,
                  const char  *key,
                  gboolean     value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_boolean_value (builder, value);
}

static void
json_add_double_or_null (JsonBuilder *builder,
                         const char  *key,
                         double       value)
{
  json_builder_set_member_name (builder, key);
  if (isfinite (value))
    json_builder_add_double_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

typedef struct
{
  int       rank;
  double    l2_w;
  double    l2_h;
  double    l1_w;
  double    l1_h;
  double    lr;
  char     *rule;
  char     *l1_mode;
  gboolean  nonneg;
  char     *init;
  gint64    iters;
  double    tol;
  gint64    seed;
  int       restarts;
  int       threads;
  char     *out;
  gboolean  json;
} RunOptions;

static gboolean
run_options_to_params (const RunOptions *o,
                       FsParams         *p,
                       GError          **error)
{
  fs_params_init_defaults (p);

  if (o->rank < 1 && o->rank != -1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The rank must be at least 1, not %d"), o->rank);
      return FALSE;
    }
  if (o->iters < 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--iters must be at least 1, not %ld"), o->iters);
      return FALSE;
    }
  if (o->seed < 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--seed must be ≥ 0, not %ld"), o->seed);
      return FALSE;
    }
  if (o->restarts < 1)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--restarts must be at least 1, not %d"), o->restarts);
      return FALSE;
    }
  if (o->threads < 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--threads must be at least 1, not %d"), o->threads);
      return FALSE;
    }
  if (o->rule != NULL && (p->rule = fs_rule_find (o->rule)) == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unknown rule “%s” (use plain, normalized, momentum or adam)"), o->rule);
      return FALSE;
    }
  if (o->l1_mode != NULL && !fs_l1_mode_from_string (o->l1_mode, &p->l1_mode))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unknown L1 mode “%s” (use prox or subgradient)"), o->l1_mode);
      return FALSE;
    }
  if (o->init != NULL && !fs_init_from_string (o->init, &p->init))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Unknown initialization “%s” (use uniform or scaled)"), o->init);
      return FALSE;
    }
  if (!isnan (o->lr) && !(o->lr > 0.0 && isfinite (o->lr)))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The learning rate must be a finite number > 0, not %g"), o->lr);
      return FALSE;
    }

  p->rank = o->rank > 0 ? (guint) o->rank : 2;
  p->l2_w = o->l2_w;
  p->l2_h = o->l2_h;
  p->l1_w = o->l1_w;
  p->l1_h = o->l1_h;
  p->lr = isnan (o->lr) ? 1.0 : o->lr;
  p->nonneg = o->nonneg;
  p->max_iters = (guint64) o->iters;
  p->tol = o->tol;
  p->seed = (guint64) o->seed;
  p->restarts = (guint) o->restarts;
  p->threads = (guint) o->threads;
  return TRUE;
}

/* The example's own rank, else 2 (or 1 for a single row or column). */
static guint
default_rank (const InputOptions *in,
              const FsMatrix     *X)
{
  guint n_examples;
  const FsExampleInfo *examples = fs_examples_list (&n_examples);

  if (in->example != NULL && g_str_equal (in->example, "lowrank"))
    return in->example_rank > 0 ? (guint) in->example_rank : FS_EXAMPLE_LOWRANK_RANK;
  for (guint i = 0; i < n_examples && in->example != NULL; i++)
    if (g_str_equal (in->example, examples[i].name))
      return examples[i].suggested_rank;
  return (guint) MIN (2, MIN (X->rows, X->cols));
}

static void
print_progress (FsSolver *solver,
                double    optimum)
{
  double cost = fs_solver_get_exact_cost (solver);

  g_print ("iteration %8" G_GUINT64_FORMAT "  cost %.10g", fs_solver_get_iteration (solver), cost);
  if (isfinite (optimum))
    g_print ("  gap %.4g", cost - optimum);
  g_print ("\n");
}

static int
command_run (int    argc,
             char **argv)
{
  RunOptions o = { .rank = -1, .lr = NAN, .iters = 10000, .seed = 0, .restarts = 1 };
  InputOptions in = { 0 };
  const GOptionEntry entries[] = {
    { "rank", 'r', 0, G_OPTION_ARG_INT, &o.rank, N_("Rank of the factorization (default: the example's true rank, or 2)"), N_("R") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &o.l2_w, N_("L2 penalty on W (the post's lambda1)"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &o.l2_h, N_("L2 penalty on H (the post's lambda2)"), N_("B") },
    { "l1-w", 0, 0, G_OPTION_ARG_DOUBLE, &o.l1_w, N_("L1 penalty on W (sparse codes)"), N_("C") },
    { "l1-h", 0, 0, G_OPTION_ARG_DOUBLE, &o.l1_h, N_("L1 penalty on H"), N_("D") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o.lr, N_("Learning rate (default: chosen from the data)"), N_("ETA") },
    { "rule", 0, 0, G_OPTION_ARG_STRING, &o.rule, N_("Update rule: plain, normalized, momentum or adam"), N_("RULE") },
    { "l1-mode", 0, 0, G_OPTION_ARG_STRING, &o.l1_mode, N_("L1 by prox (exact zeros, default) or subgradient"), N_("MODE") },
    { "nonneg", 0, 0, G_OPTION_ARG_NONE, &o.nonneg, N_("Keep W and H non-negative (NMF)"), NULL },
    { "init", 0, 0, G_OPTION_ARG_STRING, &o.init, N_("Initialization: scaled (default) or uniform [0, 1)"), N_("INIT") },
    { "iters", 0, 0, G_OPTION_ARG_INT64, &o.iters, N_("Iteration limit per run (default 10000)"), N_("N") },
    { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &o.tol, N_("Stop when the relative change of the cost is below T (default 0: off)"), N_("T") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o.seed, N_("Seed of the first run (default 0)"), N_("S") },
    { "restarts", 0, 0, G_OPTION_ARG_INT, &o.restarts, N_("Number of runs, from seeds S, S+1, ...; the lowest final cost wins (default 1)"), N_("K") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o.threads, N_("Solver threads (default: 1 for small problems, else all cores)"), N_("T") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out, N_("Write W.csv, H.csv, WH.csv and loss.csv into DIR"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print one JSON object instead of progress"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsFit) fit = NULL;
  g_autoptr(GArray) singular = NULL;
  g_autofree char *description = NULL;
  FsParams params;
  FsSolver *solver;
  double optimum = NAN;
  const char *no_optimum = NULL;
  gint best;
  guint n_runs, last_run = 0;
  gint64 start;
  double elapsed;
  guint64 total_iterations = 0;
  int status = EXIT_OK;

  context = new_context (_("FILE|--example NAME"),
                         _("Factorize X ≈ W H by gradient descent and print the cost "
                           "every 1000 iterations."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, input_option_group (&in));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = fail ("%s", error->message);
  else if (!run_options_to_params (&o, &params, &error))
    status = fail ("%s", error->message);
  else if (!(X = load_input (&in, argc, argv, &description, &error)))
    status = fail ("%s", error->message);

  if (status != EXIT_OK)
    goto out;

  if (o.rank == -1)
    params.rank = default_rank (&in, X);
  if (!fs_params_validate (&params, X, &error))
    {
      status = fail ("%s", error->message);
      goto out;
    }

  if (fs_params_has_optimum (&params, X, &no_optimum))
    {
      /* All cores for the SVD; the solver runs OpenBLAS on its own threads. */
      fs_blas_set_threads (g_get_num_processors ());
      singular = fs_singular_values (X, &error);
      fs_blas_set_threads (1);
      if (singular == NULL)
        {
          no_optimum = error->message;
        }
      else
        optimum = fs_optimum_value ((double *) singular->data, singular->len, params.rank,
                                    params.l2_w, params.l2_h);
    }

  fit = fs_fit_new (X, &params, &error);
  if (fit == NULL)
    {
      status = fail ("%s", error->message);
      goto out;
    }
  solver = fs_fit_get_solver (fit);
  if (isnan (o.lr))
    {
      params.lr = fs_solver_get_starting_lr (solver);
      fs_fit_set_lr (fit, params.lr);
    }
  n_runs = fs_fit_get_n_runs (fit);

  if (!o.json)
    {
      g_print (_("%s: %lu × %lu, %lu missing\n"),
               description, X->rows, X->cols, X->n_missing);
      g_print (_("rank %u, rule %s, learning rate %.6g, l2 %g/%g, l1 %g/%g (%s)%s, init %s, "
                 "%u run(s) from seed %lu\n"),
               params.rank, params.rule->name, params.lr,
               params.l2_w, params.l2_h, params.l1_w, params.l1_h,
               fs_l1_mode_to_string (params.l1_mode), params.nonneg ? ", non-negative" : "",
               fs_init_to_string (params.init), n_runs, params.seed);
      if (isfinite (optimum))
        g_print (_("global optimum f* = %.10g\n"), optimum);
      else
        g_print (_("global optimum: unavailable (%s)\n"), no_optimum);
      if (n_runs > 1)
        g_print (_("run 1 of %u, seed %lu\n"), n_runs, params.seed);
      print_progress (solver, optimum);
    }

  start = g_get_monotonic_time ();
  while (fs_fit_iterate (fit))
    {
      guint run = fs_fit_get_current_run (fit);

      total_iterations++;
      if (o.json)
        continue;

      if (run != last_run)
        {
          g_print (_("run %u: final cost %.10g (%s)\n"), last_run + 1,
                   fs_fit_get_final_cost (fit, last_run),
                   fs_stop_to_string (fs_fit_get_run_stop (fit, last_run)));
          last_run = run;
          g_print (_("run %u of %u, seed %lu\n"), run + 1, n_runs,
                   fs_fit_get_run_seed (fit, run));
          print_progress (solver, optimum);
        }
      else if (fs_solver_get_iteration (solver) % PROGRESS_EVERY == 0 ||
               fs_solver_get_stop (solver) != FS_STOP_NONE)
        print_progress (solver, optimum);
    }
  total_iterations++;
  elapsed = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  best = fs_fit_get_best_run (fit);

  if (!o.json)
    {
      const char *message = fs_solver_get_stop_message (solver);

      /* The loop ends on the last iteration without printing it. */
      print_progress (solver, optimum);
      if (message != NULL)
        g_print ("%s\n", message);
    }

  if (best < 0)
    {
      status = EXIT_DIVERGED;
      if (!o.json)
        g_printerr ("%s: %s\n", command_name, fs_solver_get_stop_message (solver));
    }
  else
    {
      const double *W = fs_fit_get_best_w (fit), *H = fs_fit_get_best_h (fit);
      double final = fs_fit_get_final_cost (fit, (guint) best);

      if (!o.json)
        {
          if (n_runs > 1)
            {
              for (guint k = 0; k < n_runs; k++)
                g_print (_("run %u (seed %lu): final cost %.10g, %s\n"),
                         k + 1, fs_fit_get_run_seed (fit, k), fs_fit_get_final_cost (fit, k),
                         fs_stop_to_string (fs_fit_get_run_stop (fit, k)));
              g_print (_("best: run %d, seed %lu\n"), best + 1,
                       fs_fit_get_run_seed (fit, (guint) best));
            }
          g_print (_("final cost %.12g"), final);
          if (isfinite (optimum))
            g_print (_(", optimum %.12g, gap %.4g (%.3g%%)"), optimum, final - optimum,
                     optimum > 0 ? 100.0 * (final - optimum) / optimum : 0.0);
          g_print (_(", %.0f iterations per second\n"), total_iterations / MAX (elapsed, 1e-9));

          if (X->rows <= PRINT_MAX_SIDE && X->cols <= PRINT_MAX_SIDE)
            {
              g_autofree double *wh = product (X->rows, X->cols, params.rank, W, H);
              g_autofree double *diff = g_new (double, X->rows * X->cols);

              for (gsize k = 0; k < X->rows * X->cols; k++)
                diff[k] = X->data[k] - wh[k];
              print_matrix (_("X:"), X->rows, X->cols, X->data);
              print_matrix (_("WH:"), X->rows, X->cols, wh);
              print_matrix (_("X - WH:"), X->rows, X->cols, diff);
            }
        }

      if (o.out != NULL &&
          !write_outputs (o.out, fit, X->rows, X->cols, params.rank, W, H, &error))
        {
          status = fail ("%s", error->message);
          goto out;
        }
    }

  if (o.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      FsSolver *s = solver;
      guint shown = best >= 0 ? (guint) best : fs_fit_get_current_run (fit);
      double final = fs_fit_get_final_cost (fit, shown);

      json_builder_begin_object (b);
      json_add_string (b, "input", description);
      json_add_int (b, "rows", (gint64) X->rows);
      json_add_int (b, "cols", (gint64) X->cols);
      json_add_int (b, "missing", (gint64) X->n_missing);
      json_add_int (b, "rank", params.rank);
      json_add_string (b, "rule", params.rule->name);
      json_add_double (b, "lr", params.lr);
      json_add_int (b, "iterations", (gint64) fs_cost_log_get_length (fs_fit_get_log (fit, shown)) - 1);
      json_add_double_or_null (b, "final_cost", final);
      json_add_double_or_null (b, "optimum", optimum);
      json_add_double_or_null (b, "gap", final - optimum);
      json_add_string (b, "stopped", fs_stop_to_string (fs_fit_get_run_stop (fit, shown)));
      json_add_string (b, "message", fs_solver_get_stop_message (s));
      json_add_int (b, "seed", (gint64) fs_fit_get_run_seed (fit, shown));
      json_builder_set_member_name (b, "costs_per_restart");
      json_builder_begin_array (b);
      for (guint k = 0; k < n_runs; k++)
        {
          double c = fs_fit_get_final_cost (fit, k);

          if (isfinite (c))
            json_builder_add_double_value (b, c);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_array (b);
      json_add_double (b, "wall_s", elapsed);
      json_add_double (b, "iterations_per_second", total_iterations / MAX (elapsed, 1e-9));
      json_builder_end_object (b);
      print_json (b);
    }

out:
  input_options_clear (&in);
  g_free (o.rule);
  g_free (o.l1_mode);
  g_free (o.init);
  g_free (o.out);
  return status;
}

static int
command_optimum (int    argc,
                 char **argv)
{
  int rank = 0;
  double l2_w = 0.0, l2_h = 0.0;
  gboolean json = FALSE;
  InputOptions in = { 0 };
  const GOptionEntry entries[] = {
    { "rank", 'r', 0, G_OPTION_ARG_INT, &rank, N_("Rank of the factorization (required)"), N_("R") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &l2_w, N_("L2 penalty on W"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &l2_h, N_("L2 penalty on H"), N_("B") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(GArray) singular = NULL;
  g_autofree char *description = NULL;
  FsParams params;
  double optimum;
  int status = EXIT_OK;

  context = new_context (_("FILE|--example NAME --rank R"),
                         _("Print the global optimum f* of the L2-regularized problem and "
                           "the singular values it comes from."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, input_option_group (&in));

  fs_params_init_defaults (&params);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = fail ("%s", error->message);
  else if (rank < 1)
    status = fail (_("--rank R is required, with R ≥ 1"));
  else if (!(X = load_input (&in, argc, argv, &description, &error)))
    status = fail ("%s", error->message);
  else
    {
      params.rank = (guint) rank;
      params.l2_w = l2_w;
      params.l2_h = l2_h;
      if (!fs_params_validate (&params, X, &error))
        status = fail ("%s", error->message);
      else
        {
          fs_blas_set_threads (g_get_num_processors ());
          singular = fs_singular_values (X, &error);
          fs_blas_set_threads (1);
          if (singular == NULL)
            status = fail ("%s", error->message);
        }
    }

  input_options_clear (&in);
  if (status != EXIT_OK)
    return status;

  optimum = fs_optimum_value ((double *) singular->data, singular->len, params.rank,
                              l2_w, l2_h);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_add_int (b, "rows", (gint64) X->rows);
      json_add_int (b, "cols", (gint64) X->cols);
      json_add_int (b, "rank", rank);
      json_add_double (b, "l2_w", l2_w);
      json_add_double (b, "l2_h", l2_h);
      json_add_double (b, "optimum", optimum);
      json_builder_set_member_name (b, "singular_values");
      json_builder_begin_array (b);
      for (guint i = 0; i < singular->len; i++)
        json_builder_add_double_value (b, g_array_index (singular, double, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
    }
  else
    {
      g_print (_("%s: %lu × %lu\n"), description, X->rows, X->cols);
      g_print (_("f* = %.12g (rank %d, l2 %g/%g)\n"), optimum, rank, l2_w, l2_h);
      g_print (_("singular values:"));
      for (guint i = 0; i < singular->len; i++)
        g_print ("%s%.10g", i == (guint) rank ? " |" : " ", g_array_index (singular, double, i));
      g_print ("\n");
    }
  return EXIT_OK;
}

static int
command_bench (int    argc,
               char **argv)
{
  gint64 n = 1000, m = 1000, iters = 100, seed = 0;
  int r = 20, threads = 1, warmup = 2;
  double lr = NAN, l2_w = 1e-3, l2_h = 1e-3;
  g_autofree char *dtype = NULL;
  g_autofree char *rule = NULL;
  const GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT64, &n, N_("Rows (default 1000)"), N_("N") },
    { "m", 0, 0, G_OPTION_ARG_INT64, &m, N_("Columns (default 1000)"), N_("M") },
    { "r", 0, 0, G_OPTION_ARG_INT, &r, N_("Rank (default 20)"), N_("R") },
    { "iters", 0, 0, G_OPTION_ARG_INT64, &iters, N_("Timed iterations (default 100)"), N_("N") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, N_("Solver threads (default 1)"), N_("T") },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &dtype, N_("float64 (float32 is refused)"), N_("TYPE") },
    { "rule", 0, 0, G_OPTION_ARG_STRING, &rule, N_("plain or normalized (default plain)"), N_("RULE") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the data (default 0)"), N_("S") },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Step (default 1/||X||_F for plain, 0.05 for normalized)"), N_("ETA") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &l2_w, N_("L2 penalty on W (default 1e-3)"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &l2_h, N_("L2 penalty on H (default 1e-3)"), N_("B") },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, N_("Untimed iterations first (default 2)"), N_("N") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autoptr(JsonBuilder) b = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  FsParams params;
  double initial_cost, final_cost, wall;
  gint64 start;

  context = new_context (NULL,
                         _("Time full-batch gradient descent on the benchmark problem of "
                           "shared/bench, with the peers' options and JSON output."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc > 1)
    return fail (_("Unexpected argument “%s”"), argv[1]);

  fs_params_init_defaults (&params);
  if (dtype != NULL && g_str_equal (dtype, "float32"))
    return fail (_("--dtype float32 is not supported: Factorscope computes in float64"));
  if (dtype != NULL && !g_str_equal (dtype, "float64"))
    return fail (_("Unknown --dtype “%s” (use float64)"), dtype);
  if (rule != NULL && !g_str_equal (rule, "plain") && !g_str_equal (rule, "normalized"))
    return fail (_("Unknown --rule “%s” (use plain or normalized)"), rule);
  if (n < 1 || m < 1 || r < 1 || iters < 1 || threads < 1 || warmup < 0 || seed < 0)
    return fail (_("--n, --m, --r, --iters and --threads must be ≥ 1, --warmup and --seed ≥ 0"));
  if (r > MIN (n, m))
    return fail (_("--r must be at most min(n, m) = %ld"), MIN (n, m));

  if (!fs_bench_problem ((gsize) n, (gsize) m, (guint) r, (guint64) seed, &X, &W0, &H0, &error))
    return fail ("%s", error->message);

  params.rank = (guint) r;
  params.rule = fs_rule_find (rule != NULL ? rule : "plain");
  if (isnan (lr))
    lr = g_str_equal (params.rule->name, "plain") ? 1.0 / sqrt (fs_matrix_frobenius_sq (X)) : 0.05;
  params.lr = lr;
  params.l2_w = l2_w;
  params.l2_h = l2_h;
  params.max_iters = (guint64) MAX (iters, warmup);
  params.threads = (guint) threads;

  solver = fs_solver_new (X, &params, &error);
  if (solver == NULL)
    return fail ("%s", error->message);

  fs_solver_start_from (solver, W0, H0);
  for (int k = 0; k < warmup; k++)
    fs_solver_iterate (solver);

  fs_solver_start_from (solver, W0, H0);
  initial_cost = fs_solver_get_exact_cost (solver);
  start = g_get_monotonic_time ();
  for (gint64 k = 0; k < iters; k++)
    fs_solver_iterate (solver);
  wall = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  final_cost = fs_solver_get_exact_cost (solver);

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_add_string (b, "peer", "factorscope");
  json_add_int (b, "n", n);
  json_add_int (b, "m", m);
  json_add_int (b, "r", r);
  json_add_string (b, "dtype", "float64");
  json_add_string (b, "rule", params.rule->name);
  json_add_int (b, "threads", threads);
  json_add_int (b, "iters", iters);
  json_add_int (b, "seed", seed);
  json_add_double (b, "lr", lr);
  json_add_double (b, "l2_w", l2_w);
  json_add_double (b, "l2_h", l2_h);
  json_add_double (b, "wall_s", wall);
  json_add_double (b, "iterations_per_second", (double) iters / MAX (wall, 1e-9));
  json_add_double (b, "initial_cost", initial_cost);
  json_add_double (b, "final_cost", final_cost);
  json_add_string (b, "stopped", fs_stop_to_string (fs_solver_get_stop (solver)));
  json_add_string (b, "blas_core", fs_blas_get_corename ());
  json_add_int (b, "blas_threads", fs_blas_get_threads ());
  json_add_string (b, "products", fs_products_impl_name (fs_solver_get_products (solver)));
  json_add_string (b, "version", PACKAGE_VERSION);
  json_builder_end_object (b);
  print_json (b);
  return EXIT_OK;
}

static void
print_notices (const FsMatrix *X)
{
  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    g_printerr ("%s: %s\n", command_name, X->notices[i]);
}

static int
command_info (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  double min, max;

  context = new_context (_("FILE"),
                         _("Describe a matrix file: its shape, missing cells, range, labels "
                           "and format."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc != 2)
    return fail (_("Give exactly one FILE"));
  if (!(X = fs_matrix_load (argv[1], &error)))
    return fail ("%s", error->message);

  if (!fs_matrix_range (X, &min, &max))
    min = max = NAN;

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_add_int (b, "rows", (gint64) X->rows);
      json_add_int (b, "cols", (gint64) X->cols);
      json_add_int (b, "missing", (gint64) X->n_missing);
      json_add_double_or_null (b, "min", min);
      json_add_double_or_null (b, "max", max);
      json_add_boolean (b, "row_labels", X->row_labels != NULL);
      json_add_boolean (b, "col_labels", X->col_labels != NULL);
      json_add_string (b, "format", X->format);
      json_builder_set_member_name (b, "image_shape");
      if (X->image_height > 0)
        {
          json_builder_begin_array (b);
          json_builder_add_int_value (b, (gint64) X->image_height);
          json_builder_add_int_value (b, (gint64) X->image_width);
          json_builder_end_array (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "notices");
      json_builder_begin_array (b);
      for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
        json_builder_add_string_value (b, X->notices[i]);
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json (b);
      return EXIT_OK;
    }

  print_notices (X);
  g_print (_("rows: %lu\n"), X->rows);
  g_print (_("columns: %lu\n"), X->cols);
  g_print (_("missing cells: %lu\n"), X->n_missing);
  g_print (_("range: %.10g to %.10g\n"), min, max);
  g_print (_("row labels: %s\n"), X->row_labels != NULL ? X->row_labels[0] : _("none"));
  g_print (_("column labels: %s\n"), X->col_labels != NULL ? X->col_labels[0] : _("none"));
  if (X->row_labels != NULL || X->col_labels != NULL)
    g_print (_("(the first label of each is shown)\n"));
  g_print (_("format: %s\n"), X->format);
  if (X->image_height > 0)
    g_print (_("image shape: %lu × %lu\n"), X->image_height, X->image_width);
  return EXIT_OK;
}

static int
command_convert (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;

  context = new_context (_("IN OUT"),
                         _("Convert a matrix between formats, chosen by the extension of OUT: "
                           ".csv, .tsv, .txt or .npy. OUT is replaced only once it is whole."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("%s", error->message);
  if (argc != 3)
    return fail (_("Give an input FILE and an output FILE"));
  if (!(X = fs_matrix_load (argv[1], &error)))
    return fail ("%s", error->message);
  print_notices (X);
  if (!fs_matrix_save (X, argv[2], &error))
    return fail ("%s", error->message);
  return EXIT_OK;
}

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "run", command_run, N_("Factorize a matrix, printing progress") },
  { "optimum", command_optimum, N_("Print the closed-form global optimum f*") },
  { "bench", command_bench, N_("Time the solver on the shared benchmark problem") },
  { "info", command_info, N_("Describe a matrix file") },
  { "convert", command_convert, N_("Convert a matrix file to .csv, .tsv or .npy") },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n", _("Usage: factorscope-cli COMMAND [OPTION…]"));
  fprintf (stream, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("“factorscope-cli COMMAND --help” describes a command's options."));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  /* OpenBLAS's own threads spin for a while after each call they share,
   * which would take a core from the solver's threads: only the SVD of
   * `run` and `optimum` asks for them. */
  fs_blas_set_threads (1);
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* For benchmarks: FACTORSCOPE_PRODUCTS=blas runs the OpenBLAS path,
   * avx2 the AVX2 kernels on a CPU that has AVX-512 too. */
  if (!fs_products_force_name (g_getenv ("FACTORSCOPE_PRODUCTS")))
    g_printerr (_("FACTORSCOPE_PRODUCTS=%s is not one of blas, avx2 or avx512; "
                  "using the fastest this CPU runs\n"), g_getenv ("FACTORSCOPE_PRODUCTS"));

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("factorscope-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *name = g_strdup_printf ("factorscope-cli %s", commands[i].name);

        command_name = name;
        /* The subcommand's own options start after its name. */
        argv[1] = name;
        return commands[i].run (argc - 1, argv + 1);
      }

  g_printerr ("%s: ", command_name);
  g_printerr (_("unknown command “%s” (use run, optimum, bench, info or convert)\n"), argv[1]);
  return EXIT_USAGE;
}
