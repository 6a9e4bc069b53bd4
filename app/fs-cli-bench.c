/* fs-cli-bench.c: factorscope-cli bench, the solver timed on the
 * benchmark problem of shared/bench, with the peers' options and JSON.
 * With --nnz, the sparse problem of shared/bench/peer_sparse.py on the
 * solver's sparse path, with that peer's JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-bench-sparse.h"
#include "fs-blas.h"
#include "fs-cli.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-json.h"
#include "fs-products.h"
#include "fs-rules.h"
#include "fs-solver.h"

typedef struct
{
  gint64  n;
  gint64  m;
  gint64  nnz;       /* --nnz: candidate cells of the sparse problem, 0 for the dense one */
  gint64  iters;
  gint64  seed;
  int     r;
  int     threads;
  int     warmup;
  double  lr;
  char   *lr_text;   /* --lr as given, NULL when it was not */
  double  l2_w;
  double  l2_h;
  char   *dtype;
  char   *rule;
  char   *storage;   /* --storage with --nnz: how the sparse problem is held */
} BenchOptions;

/* What one timed stretch measured. */
typedef struct
{
  gsize  nnz;        /* the observed cells of the sparse problem, 0 for the dense one */
  const char *storage;  /* with nnz: "sparse" or "dense", the solver's path */
  double initial_cost;
  double final_cost;
  double wall;
} BenchResult;

static GOptionContext *
bench_context_new (BenchOptions *o)
{
  const GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT64, &o->n, N_("Rows (default 1000)"), N_("N") },
    { "m", 0, 0, G_OPTION_ARG_INT64, &o->m, N_("Columns (default 1000)"), N_("M") },
    { "r", 0, 0, G_OPTION_ARG_INT, &o->r, N_("Rank (default 20)"), N_("R") },
    { "nnz", 0, 0, G_OPTION_ARG_INT64, &o->nnz, N_("Candidate observed cells: the sparse problem of peer_sparse.py (repeats dropped)"), N_("N") },
    { "storage", 0, 0, G_OPTION_ARG_STRING, &o->storage, N_("With --nnz: sparse (the default), dense (masked n × m arrays) or auto"), N_("STORAGE") },
    { "iters", 0, 0, G_OPTION_ARG_INT64, &o->iters, N_("Timed iterations (default 100)"), N_("N") },
    { "threads", 0, 0, G_OPTION_ARG_INT, &o->threads, N_("Solver threads (default 1)"), N_("T") },
    { "dtype", 0, 0, G_OPTION_ARG_STRING, &o->dtype, N_("float64 or float32 (default float64)"), N_("TYPE") },
    { "rule", 0, 0, G_OPTION_ARG_STRING, &o->rule, N_("plain or normalized (default plain)"), N_("RULE") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the data (default 0)"), N_("S") },
    { "lr", 0, 0, G_OPTION_ARG_STRING, &o->lr_text, N_("Step (default 1/||X||_F for plain, 0.05 for normalized)"), N_("ETA") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_w, N_("L2 penalty on W (default 1e-3)"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_h, N_("L2 penalty on H (default 1e-3)"), N_("B") },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &o->warmup, N_("Untimed iterations first (default 2)"), N_("N") },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context;

  context = fs_cli_context_new (NULL,
                                _("Time full-batch gradient descent on the benchmark problem of "
                                  "shared/bench, with the peers' options and JSON output."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

static gboolean
bench_check_options (const BenchOptions  *o,
                     GError             **error)
{
  FsStorage storage;
  FsDtype dtype;

  if (o->dtype != NULL && !fs_dtype_from_string (o->dtype, &dtype))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown --dtype “%s” (use float64 or float32)"), o->dtype);
  else if (o->rule != NULL && !g_str_equal (o->rule, "plain") && !g_str_equal (o->rule, "normalized"))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown --rule “%s” (use plain or normalized)"), o->rule);
  else if (o->n < 1 || o->m < 1 || o->r < 1 || o->iters < 1 || o->threads < 1 ||
           o->warmup < 0 || o->seed < 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("--n, --m, --r, --iters and --threads must be ≥ 1, --warmup and --seed ≥ 0"));
  else if (o->nnz < 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("--nnz must be ≥ 1"));
  else if (o->storage != NULL && o->nnz == 0)
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("--storage needs --nnz"));
  else if (o->storage != NULL && !fs_storage_from_string (o->storage, &storage))
    g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                 _("Unknown --storage “%s” (use sparse, dense or auto)"), o->storage);
  else if (o->nnz > 0 && (o->n > G_MAXUINT32 || o->m > G_MAXUINT32))
    {
      g_autofree char *most = fs_error_number_text (G_MAXUINT32);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("With --nnz, --n and --m must be at most %s"), most);
    }
  else if (o->r > MIN (o->n, o->m))
    {
      g_autofree char *most = fs_error_number_text ((guint64) MIN (o->n, o->m));

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("--r must be at most min(n, m) = %s"), most);
    }
  else
    return TRUE;
  return FALSE;
}

/* The cost the peers print. The sparse one is evaluated here, over the
 * listed cells in float64, whatever the solver's path keeps. */
static double
bench_cost (FsSolver           *solver,
            const BenchOptions *o,
            const FsSparse     *sparse,
            const double       *W,
            const double       *H)
{
  if (sparse == NULL)
    return fs_solver_get_exact_cost (solver);
  return fs_bench_sparse_cost (sparse, W, H, (guint) o->r, o->l2_w, o->l2_h);
}

/* The warm-up, then the timed iterations, both from the peers' start. */
static BenchResult
bench_time (FsSolver           *solver,
            const BenchOptions *o,
            const FsSparse     *sparse,
            const double       *W0,
            const double       *H0)
{
  BenchResult result = {
    .nnz = sparse != NULL ? sparse->nnz : 0,
    .storage = fs_matrix_is_sparse (fs_solver_get_matrix (solver)) ? "sparse" : "dense",
  };
  gint64 start;

  fs_solver_start_from (solver, W0, H0);
  for (int k = 0; k < o->warmup; k++)
    fs_solver_iterate (solver);

  fs_solver_start_from (solver, W0, H0);
  result.initial_cost = bench_cost (solver, o, sparse, W0, H0);
  start = g_get_monotonic_time ();
  for (gint64 k = 0; k < o->iters; k++)
    fs_solver_iterate (solver);
  result.wall = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  result.final_cost = bench_cost (solver, o, sparse, fs_solver_get_w (solver),
                                  fs_solver_get_h (solver));
  return result;
}

static void
print_bench_json (const BenchOptions *o,
                  const FsParams     *params,
                  FsSolver           *solver,
                  const BenchResult  *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  fs_json_add_string (b, "peer", "factorscope");
  fs_json_add_int (b, "n", o->n);
  fs_json_add_int (b, "m", o->m);
  fs_json_add_int (b, "r", o->r);
  if (result->nnz > 0)
    {
      fs_json_add_int (b, "nnz", (gint64) result->nnz);
      fs_json_add_string (b, "storage", result->storage);
    }
  fs_json_add_string (b, "dtype", fs_dtype_to_string (params->dtype));
  fs_json_add_string (b, "rule", params->rule->name);
  fs_json_add_int (b, "threads", o->threads);
  fs_json_add_int (b, "iters", o->iters);
  fs_json_add_int (b, "seed", o->seed);
  fs_json_add_double (b, "lr", params->lr);
  fs_json_add_double (b, "l2_w", o->l2_w);
  fs_json_add_double (b, "l2_h", o->l2_h);
  fs_json_add_double (b, "wall_s", result->wall);
  fs_json_add_double (b, "iterations_per_second", (double) o->iters / MAX (result->wall, 1e-9));
  fs_json_add_double (b, "initial_cost", result->initial_cost);
  fs_json_add_double (b, "final_cost", result->final_cost);
  fs_json_add_string (b, "stopped", fs_stop_to_string (fs_solver_get_stop (solver)));
  fs_json_add_string (b, "blas_core", fs_blas_get_corename ());
  fs_json_add_int (b, "blas_threads", fs_blas_get_threads ());
  fs_json_add_string (b, "products", fs_products_impl_name (fs_solver_get_products (solver)));
  fs_json_add_string (b, "version", PACKAGE_VERSION);
  json_builder_end_object (b);
  fs_json_print (b);
}

/* With --storage dense, or auto above FS_SPARSE_AUTO_SHARE: the sparse
 * problem's cells in masked n × m arrays, for the dense path. */
static gboolean
bench_wants_dense (const BenchOptions *o,
                   const FsSparse     *sparse)
{
  FsStorage storage = FS_STORAGE_SPARSE;

  if (o->storage != NULL)
    fs_storage_from_string (o->storage, &storage);
  return !fs_storage_wants_sparse (storage, sparse->nnz, sparse->rows, sparse->cols);
}

/* The dense problem of shared/bench, or with --nnz the sparse one
 * (*sparse set, the cells not listed missing). */
static gboolean
bench_problem (const BenchOptions  *o,
               FsMatrix           **X,
               FsSparse           **sparse,
               double             **W0,
               double             **H0,
               GError             **error)
{
  if (o->nnz == 0)
    return fs_bench_problem ((gsize) o->n, (gsize) o->m, (guint) o->r, (guint64) o->seed,
                             X, W0, H0, error);
  if (!fs_bench_sparse_problem ((gsize) o->n, (gsize) o->m, (gsize) o->nnz, (guint) o->r,
                                (guint64) o->seed, sparse, W0, H0, error))
    return FALSE;
  *X = fs_matrix_new_sparse (*sparse);
  if (bench_wants_dense (o, *sparse))
    {
      g_autoptr(FsMatrix) held = g_steal_pointer (X);

      *X = fs_matrix_to_dense (held, error);
    }
  return *X != NULL;
}

/* Builds the problem and its solver, times it and prints the JSON. */
static gboolean
bench_solve (const BenchOptions  *o,
             GError             **error)
{
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(FsSparse) sparse = NULL;
  g_autoptr(FsSolver) solver = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  FsParams params;
  BenchResult result;

  if (!bench_problem (o, &X, &sparse, &W0, &H0, error))
    return FALSE;

  fs_params_init_defaults (&params);
  params.products = fs_cli_products ();
  params.rank = (guint) o->r;
  params.rule = fs_rule_find (o->rule != NULL && g_str_equal (o->rule, "normalized") ? "normalized"
                                                                                      : "plain");
  params.lr = !isnan (o->lr) ? o->lr
            : g_str_equal (params.rule->name, "plain") ? 1.0 / sqrt (fs_matrix_frobenius_sq (X))
            : 0.05;
  params.l2_w = o->l2_w;
  params.l2_h = o->l2_h;
  params.max_iters = (guint64) MAX (o->iters, o->warmup);
  params.threads = (guint) o->threads;
  if (o->dtype != NULL)
    fs_dtype_from_string (o->dtype, &params.dtype);

  solver = fs_solver_new (X, &params, error);
  if (solver == NULL)
    return FALSE;

  result = bench_time (solver, o, sparse, W0, H0);
  print_bench_json (o, &params, solver, &result);
  return TRUE;
}

int
fs_cli_bench (int    argc,
              char **argv)
{
  BenchOptions o = {
    .n = 1000, .m = 1000, .iters = 100, .seed = 0, .r = 20, .threads = 1, .warmup = 2,
    .lr = NAN, .l2_w = 1e-3, .l2_h = 1e-3,
  };
  g_autoptr(GOptionContext) context = bench_context_new (&o);
  g_autoptr(GError) error = NULL;
  int status = FS_CLI_EXIT_OK;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = fs_cli_fail ("%s", error->message);
  else if (argc > 1)
    status = fs_cli_fail (_("Unexpected argument “%s”"), argv[1]);
  else if (!fs_cli_parse_lr (o.lr_text, &o.lr, &error) || !bench_check_options (&o, &error))
    status = fs_cli_fail ("%s", error->message);
  else if ((o.threads = fs_cli_cap_threads (o.threads)), !bench_solve (&o, &error))
    status = fs_cli_fail ("%s", error->message);

  g_free (o.dtype);
  g_free (o.lr_text);
  g_free (o.rule);
  g_free (o.storage);
  return status;
}
