/* test-instability.c: the detector of bounded instability, on real data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-instability.h"
#include "fs-loader.h"
#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-rules.h"
#include "fs-solver.h"

static FsMatrix *
load_real (const char *folder,
           const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), folder, name, NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  return X;
}

/* A plain solver at factor times its starting learning rate, at the
 * matrix's default rank. */
static FsSolver *
solver_at_starting_lr (FsMatrix *X,
                       FsParams *p,
                       double    factor)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver;

  p->rank = fs_params_default_rank (X->rows, X->cols);
  solver = fs_solver_new (X, p, &error);
  g_assert_no_error (error);
  p->lr = factor * fs_solver_get_starting_lr (solver);
  fs_solver_set_lr (solver, p->lr);
  return solver;
}

static void
run_to_stop (FsSolver *solver)
{
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
}

/* The volcano at 3x the starting rate of plain steps: the cost swings
 * between about 1e4 and 1e8 forever, never past the divergence bound. */
static void
test_oscillation (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_volcano_87x61.csv");
  g_autoptr(FsSolver) solver = NULL;
  const FsWarning *w;
  FsParams p;

  fs_params_init_defaults (&p);
  p.max_iters = 3000;
  solver = solver_at_starting_lr (X, &p, 3.0);
  run_to_stop (solver);

  w = fs_solver_get_warning (solver);
  g_assert_nonnull (w);
  g_test_message ("%s", w->message);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_UNSTABLE);
  g_assert_cmpstr (fs_stop_to_string (FS_STOP_UNSTABLE), ==, "unstable");
  g_assert_cmpint (w->kind, ==, FS_WARNING_OSCILLATION);
  g_assert_cmpstr (fs_warning_kind_to_string (w->kind), ==, "oscillation");
  g_assert_cmpuint (w->iteration, ==, fs_solver_get_iteration (solver));
  g_assert_cmpuint (w->iteration, <, 200);
  g_assert_cmpfloat (w->swing, >=, 1.0);
  /* The rate to try is a third of this one: the starting rate. */
  g_assert_cmpfloat (fabs (w->suggested_lr - p.lr / 3.0), <=, 1e-12 * p.lr);
  g_assert_cmpstr (fs_solver_get_stop_message (solver), ==, w->message);
  g_assert_nonnull (strstr (w->message, "Unstable at iteration"));
  g_assert_nonnull (strstr (w->message, "orders of magnitude"));
  g_assert_nonnull (strstr (w->message, "Try a learning rate of"));
}

/* Without the stop the run goes on to its limit, keeps the first warning,
 * and (as the runs before the detector showed) swings between about 1e4
 * and 1e8. The suggested rate, set live, clears the warning. */
static void
test_oscillation_goes_on (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_volcano_87x61.csv");
  g_autoptr(FsSolver) solver = NULL;
  FsCostLog *log;
  double lo = INFINITY, hi = 0.0, suggested;
  FsParams p;

  fs_params_init_defaults (&p);
  p.max_iters = 3000;
  p.stop_unstable = FALSE;
  solver = solver_at_starting_lr (X, &p, 3.0);
  run_to_stop (solver);

  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_nonnull (fs_solver_get_warning (solver));
  g_assert_cmpuint (fs_solver_get_warning (solver)->iteration, <, 200);
  log = fs_solver_get_log (solver);
  for (gsize t = 1000; t < fs_cost_log_get_length (log); t++)
    {
      lo = MIN (lo, fs_cost_log_get (log, t));
      hi = MAX (hi, fs_cost_log_get (log, t));
    }
  g_test_message ("costs from iteration 1000: %.3g to %.3g", lo, hi);
  g_assert_cmpfloat (hi / lo, >, 1e3);

  suggested = fs_solver_get_warning (solver)->suggested_lr;
  fs_solver_set_lr (solver, suggested);
  g_assert_null (fs_solver_get_warning (solver));
}

/* 200 faces, non-negative, L1 on W only, at the starting rate: H grows as
 * W shrinks, and every 26 iterations or so the cost spikes 3 to 6 times
 * from the same level and falls back. */
static void
test_spikes (void)
{
  g_autoptr(FsMatrix) X = load_real ("npy", "skimage_lfw_subset_200x625.npy");
  g_autoptr(FsSolver) solver = NULL;
  const FsWarning *w;
  FsParams p;

  fs_params_init_defaults (&p);
  p.nonneg = TRUE;
  p.l1_w = 100.0;
  p.max_iters = 2000;
  solver = solver_at_starting_lr (X, &p, 1.0);
  run_to_stop (solver);

  w = fs_solver_get_warning (solver);
  g_assert_nonnull (w);
  g_test_message ("%s", w->message);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_UNSTABLE);
  g_assert_cmpint (w->kind, ==, FS_WARNING_SPIKES);
  g_assert_cmpstr (fs_warning_kind_to_string (w->kind), ==, "spikes");
  g_assert_cmpuint (w->iteration, >, 50);
  g_assert_cmpuint (w->iteration, <, 500);
  g_assert_cmpfloat (w->swing, >, log10 (3.0));
  g_assert_cmpfloat (w->suggested_lr, >, 0.0);
  g_assert_cmpfloat (w->suggested_lr, <=, p.lr / 3.0);
  g_assert_nonnull (strstr (w->message, "spikes"));
}

/* Resuming an unstable run watches it afresh: no warning until the
 * detector flags it again. */
static void
test_resume_watches_afresh (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_volcano_87x61.csv");
  g_autoptr(FsSolver) solver = NULL;
  guint64 flagged;
  FsParams p;

  fs_params_init_defaults (&p);
  p.max_iters = 3000;
  solver = solver_at_starting_lr (X, &p, 3.0);
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_UNSTABLE);
  flagged = fs_solver_get_iteration (solver);

  g_assert_true (fs_solver_resume (solver));
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_NONE);
  g_assert_null (fs_solver_get_warning (solver));
  g_assert_null (fs_solver_get_stop_message (solver));
  run_to_stop (solver);
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_UNSTABLE);
  /* The first block after a change never flags an oscillation. */
  g_assert_cmpuint (fs_solver_get_iteration (solver), >, flagged + 1);
}

static const char * const real_files[][2] = {
  { "csv", "R_volcano_87x61.csv" },
  { "csv", "sklearn_digits_1797x64.csv" },
  { "csv", "R_USArrests.csv" },
  { "csv", "R_airquality_NA.csv" },
  { "csv", "vegan_dune.csv" },
  { "images", "skimage_camera.png" },
  { "images", "scipy_ascent.png" },
  { "images", "skimage_coins.png" },
  { "npy", "matplotlib_topobathy_topo_91x120_float32.npy" },
  { "npy", "skimage_lfw_subset_200x625.npy" },
  { "mtx", "pores_1.mtx" },
  { "mtx", "lund_a.mtx" },
  { "awkward", "airquality_R_write.csv_quoted_NA.csv" },
  { "awkward", "mtcars_bom_crlf_quoted.csv" },
  { "awkward", "USArrests_semicolon_decimal_comma.csv" },
  { "awkward", "volcano_no_trailing_newline.csv" },
};

/* Plain steps at the starting rate on every file of tests/data/real, at
 * its default rank: never flagged. */
static void
test_healthy (gconstpointer data)
{
  const char * const *file = data;
  g_autoptr(FsMatrix) X = load_real (file[0], file[1]);
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;

  fs_params_init_defaults (&p);
  p.max_iters = 5000;
  solver = solver_at_starting_lr (X, &p, 1.0);
  run_to_stop (solver);

  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  g_assert_null (fs_solver_get_warning (solver));
}

/* The detector alone: a steady descent, rounding noise at a plateau and a
 * zigzag whose lowest cost keeps falling are healthy; a cost that swings
 * a hundredfold without getting better is not. */
static void
test_detector_sequences (void)
{
  g_autoptr(FsInstability) d = fs_instability_new ();
  FsWarningKind kind;
  double swing;

  for (guint t = 0; t < 5000; t++)
    g_assert_false (fs_instability_add (d, 1e6 * exp (-0.01 * t) + 1.0 + 1e-15 * (t % 3), NULL, NULL));

  fs_instability_reset (d);
  for (guint t = 0; t < 5000; t++)
    g_assert_false (fs_instability_add (d, 1e3 * (1.0 - 1e-5 * t) * (t % 2 ? 1.5 : 1.0), NULL, NULL));

  fs_instability_reset (d);
  for (guint t = 0; t < 200; t++)
    if (fs_instability_add (d, t % 2 ? 1e7 : 1e5, &kind, &swing))
      {
        g_assert_cmpint (kind, ==, FS_WARNING_OSCILLATION);
        g_assert_cmpfloat (fabs (swing - 2.0), <, 1e-12);
        /* The fourth jump counts as the fourth spike; rising on half of
         * the steps, they are an oscillation. */
        g_assert_cmpuint (t, ==, 7);
        return;
      }
  g_assert_not_reached ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/instability/detector/sequences", test_detector_sequences);
  g_test_add_func ("/instability/oscillation", test_oscillation);
  g_test_add_func ("/instability/oscillation/goes-on", test_oscillation_goes_on);
  g_test_add_func ("/instability/spikes", test_spikes);
  g_test_add_func ("/instability/resume", test_resume_watches_afresh);
  for (guint i = 0; i < G_N_ELEMENTS (real_files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/instability/healthy/%s", real_files[i][1]);

      g_test_add_data_func (path, real_files[i], test_healthy);
    }

  return g_test_run ();
}
