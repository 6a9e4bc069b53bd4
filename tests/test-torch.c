/* test-torch.c: the PyTorch export from the window (fs_window_export_torch)
 * and from the core (fs_torch_export): the files it writes, the start it
 * writes, and its errors. tests/torch/check-torch.py compares the script's
 * costs with the command line's for every rule.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-holdout.h"
#include "fs-npy.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-test-window.h"
#include "fs-torch.h"

#define PYTHON "/usr/bin/python3"
#define SCRIPT_ITERATIONS 50

/* Whether PyTorch can be imported; under CI its absence fails the test. */
static gboolean
have_torch (void)
{
  const char *argv[] = { PYTHON, "-c", "import torch", NULL };
  int status = -1;

  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL) &&
      g_spawn_check_wait_status (status, NULL))
    return TRUE;
  if (g_getenv ("CI") != NULL)
    g_error ("PyTorch (python3-torch) is missing under CI");
  g_test_skip ("PyTorch (python3-torch) is missing");
  return FALSE;
}

static FsMatrix *
load_npy (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  FsMatrix *M;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  M = fs_npy_parse (path, (const guint8 *) contents, len, &error);
  g_assert_no_error (error);
  return M;
}

/* The final cost the script prints after iterations, run as a user would. */
static double
run_script (const char *script,
            const char *prefix,
            guint       iterations)
{
  g_autofree char *count = g_strdup_printf ("%u", iterations);
  const char *argv[] = { PYTHON, script, "--iterations", count, "--device", "cpu",
                         "--out-prefix", prefix, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", script, err);
  line = strstr (out, "final cost: ");
  g_assert_nonnull (line);
  return g_ascii_strtod (line + strlen ("final cost: "), NULL);
}

/* The solver's exact final cost after iterations, on one thread. */
static double
solver_cost (FsMatrix       *X,
             const FsParams *params,
             guint           iterations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSolver) solver = NULL;
  FsParams p = *params;

  p.threads = 1;
  p.max_iters = iterations;
  p.tol = 0.0;
  solver = fs_solver_new (X, &p, &error);
  g_assert_no_error (error);
  while (fs_solver_iterate (solver) == FS_STOP_NONE)
    ;
  g_assert_cmpint (fs_solver_get_stop (solver), ==, FS_STOP_ITERATIONS);
  return fs_solver_get_exact_cost (solver);
}

static gboolean
file_exists (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* The session shows the settings and the scaling that set_up_run asked for. */
static gboolean
is_set_up (gpointer window)
{
  FsSession *session = fs_window_get_session (window);

  return fs_session_get_scaling (session) == FS_SCALING_STANDARDIZE_COLUMNS &&
         fs_session_get_params (session)->rule == fs_rule_find ("adam") &&
         fs_window_get_shown_snapshot (window) != NULL;
}

/* Standardized columns, Adam, non-negative with L1 on W: as a person
 * would set them in the panel. */
static void
set_up_run (Fixture *f)
{
  FsParamPanel *panel = fs_window_get_panel (f->window);
  FsParams params = *fs_param_panel_get_params (panel);

  params.rule = fs_rule_find ("adam");
  params.lr = 0.01;
  params.nonneg = TRUE;
  params.l1_w = 0.05;
  fs_param_panel_set_params (panel, &params);
  g_signal_emit_by_name (panel, "changed");
  fs_param_panel_set_scaling (panel, FS_SCALING_STANDARDIZE_COLUMNS);
  g_assert_true (fs_test_wait_for (is_set_up, f->window, 20));
}

/* The window writes its scaled matrix and its settings; the script runs
 * and ends where the solver does. */
static void
test_window_export (Fixture       *f,
                    gconstpointer  data)
{
  FsSession *session = fs_window_get_session (f->window);
  g_autofree char *script = g_build_filename (f->dir, "lowrank-torch.py", NULL);
  g_autofree char *prefix = g_build_filename (f->dir, "out", NULL);
  g_autoptr(GError) error = NULL;
  double expected, got;

  load_example (f, "lowrank");
  set_up_run (f);
  g_assert_true (fs_window_export_torch (f->window, script, &error));
  g_assert_no_error (error);
  for (const char * const *name = (const char *[]) { "lowrank-torch.py", "lowrank-torch-X.npy",
                                                      "lowrank-torch-W0.npy", "lowrank-torch-H0.npy",
                                                      NULL }; *name; name++)
    g_assert_true (file_exists (f->dir, *name));
  g_assert_false (file_exists (f->dir, "lowrank-torch-train.npy"));

  if (!have_torch ())
    return;
  expected = solver_cost (fs_session_get_matrix (session), fs_session_get_params (session),
                          SCRIPT_ITERATIONS);
  got = run_script (script, prefix, SCRIPT_ITERATIONS);
  g_assert_cmpfloat_with_epsilon (got / expected, 1.0, 1e-9);
  g_assert_true (file_exists (f->dir, "out-W.npy"));
  g_assert_true (file_exists (f->dir, "out-H.npy"));
}

/* A path that cannot be written is an error that names it, and nothing
 * is written: not the script, not its data. */
static void
test_window_unwritable (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (f->dir, "a-file", NULL);
  g_autofree char *script = g_build_filename (blocker, "run.py", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;

  load_example (f, "lowrank");
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  g_assert_false (fs_window_export_torch (f->window, script, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, script));

  listing = g_dir_open (f->dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "a-file");
  g_assert_null (g_dir_read_name (listing));
}

static void
test_window_no_matrix (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *script = g_build_filename (f->dir, "run.py", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (fs_window_export_torch (f->window, script, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_false (file_exists (f->dir, "run.py"));
}

/* W0 and H0 are the solver's own start, bit for bit, also where held-out
 * cells change the matrix it trains on; the mask marks them. A name
 * without .py keeps its whole name as the stem. */
static void
test_core_start (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (f->dir, "script", NULL);
  g_autofree char *w0_path = g_build_filename (f->dir, "script-W0.npy", NULL);
  g_autofree char *h0_path = g_build_filename (f->dir, "script-H0.npy", NULL);
  g_autofree char *train_path = g_build_filename (f->dir, "script-train.npy", NULL);
  g_autoptr(FsMatrix) X = fs_matrix_new (30, 20, &error);
  g_autoptr(FsMatrix) W0 = NULL;
  g_autoptr(FsMatrix) H0 = NULL;
  g_autoptr(FsMatrix) train = NULL;
  g_autoptr(FsSolver) solver = NULL;
  FsParams p;
  gsize held = 0;

  for (gsize k = 0; k < 30 * 20; k++)
    X->data[k] = sin ((double) k) + 2.0;
  fs_params_init_defaults (&p);
  p.rank = 3;
  p.seed = 5;
  p.holdout = 0.25;
  p.holdout_seed = 2;
  p.threads = 1;
  g_assert_true (fs_torch_export (script, X, &p, &error));
  g_assert_no_error (error);

  solver = fs_solver_new (X, &p, &error);
  g_assert_no_error (error);
  W0 = load_npy (w0_path);
  H0 = load_npy (h0_path);
  train = load_npy (train_path);
  g_assert_true (W0->rows == 30 && W0->cols == 3 && H0->rows == 3 && H0->cols == 20);
  g_assert_cmpmem (W0->data, 30 * 3 * sizeof (double), fs_solver_get_w (solver), 30 * 3 * sizeof (double));
  g_assert_cmpmem (H0->data, 3 * 20 * sizeof (double), fs_solver_get_h (solver), 3 * 20 * sizeof (double));
  for (gsize k = 0; k < 30 * 20; k++)
    held += train->data[k] == 0.0;
  g_assert_cmpuint (held, ==, fs_holdout_get_n_cells (fs_solver_get_holdout (solver)));
}

static void
add (const char *path,
     void      (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  fs_test_ui_init (&argc, &argv);

  add ("/torch/window-export", test_window_export);
  add ("/torch/window-unwritable", test_window_unwritable);
  add ("/torch/window-no-matrix", test_window_no_matrix);
  add ("/torch/core-start", test_core_start);
  return g_test_run ();
}
