/* test-cli-session.c: `factorscope-cli run --session FILE` and the
 * session's command line, against each other and against the window's
 * own path (FsSession and its runner), bit for bit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-rules.h"
#include "fs-session.h"
#include "fs-session-file.h"
#include "fs-test-util.h"

#define REPLAY_ITERS 300

static char *
real_data (const char *name)
{
  const char *dir = g_getenv ("FS_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* Runs factorscope-cli with args (argv[0] replaced by the built binary's
 * path) and returns its exit status, with its output and errors. */
static int
cli_argv (char * const  *args,
          char         **out,
          char         **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) g_getenv ("FS_CLI"));
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

G_GNUC_NULL_TERMINATED
static int
cli (char **out,
     char **err,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, "factorscope-cli");
  va_start (ap, err);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return cli_argv ((char **) args->pdata, out, err);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* `run ARGS --json`'s result, which must succeed. */
static JsonObject *
run_json (char * const *args)
{
  g_autoptr(GPtrArray) with_json = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (with_json, args[i]);
  g_ptr_array_add (with_json, "--json");
  g_ptr_array_add (with_json, NULL);
  if (cli_argv ((char **) with_json->pdata, &out, &err) != 0)
    g_error ("factorscope-cli failed: %s", err);
  return parse_object (out);
}

static JsonObject *
run_session_json (const char *path)
{
  char *args[] = { "factorscope-cli", "run", "--session", (char *) path, NULL };

  return run_json (args);
}

/* The window's path */

static void
count_change (guint *n_changed)
{
  (*n_changed)++;
}

static void
iterate_until (FsSession *session,
               gboolean (*done) (FsSession *, gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (session, data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
}

static gboolean
changed (FsSession *session,
         gpointer   n_changed)
{
  return *(guint *) n_changed > 0 && !fs_session_get_busy (session);
}

static gboolean
finished (FsSession *session,
          gpointer   data)
{
  g_autoptr(FsSnapshot) snap = fs_session_get_snapshot (session);

  return snap != NULL && snap->state == FS_RUNNER_FINISHED;
}

/* What the window does with a session file: open its data, scale it, take
 * its settings, run to the end; the best run's final cost. */
static double
window_final_cost (const FsSessionFile *file)
{
  g_autoptr(FsSession) session = fs_session_new ();
  g_autoptr(FsSnapshot) snap = NULL;
  g_autoptr(GError) error = NULL;
  guint n_changed = 0;
  double cost;

  g_signal_connect_swapped (session, "matrix-changed", G_CALLBACK (count_change), &n_changed);
  if (file->example != NULL)
    g_assert_true (fs_session_load_example (session, file->example, &error));
  else
    fs_session_open_path (session, file->data_path);
  g_assert_no_error (error);
  fs_session_set_scaling (session, file->scaling);
  iterate_until (session, changed, &n_changed);
  g_assert_cmpint (fs_session_get_scaling (session), ==, file->scaling);
  g_assert_true (fs_session_set_params (session, &file->params, &error));
  g_assert_no_error (error);
  fs_session_run (session);
  iterate_until (session, finished, NULL);

  snap = fs_session_get_snapshot (session);
  g_assert_cmpint (snap->best_run, >=, 0);
  g_assert_cmpuint (snap->iteration, >, 0);
  cost = snap->final_costs[snap->best_run];
  g_clear_pointer (&snap, fs_snapshot_unref);
  fs_session_close (session);
  fs_session_wait_for_tasks (session);
  while (G_OBJECT (session)->ref_count > 1)
    g_main_context_iteration (NULL, FALSE);
  return cost;
}

static FsSessionFile *
session_for_file (const char *path)
{
  FsSessionFile *file = fs_session_file_new ();
  g_autoptr(GError) error = NULL;

  file->data_path = g_strdup (path);
  file->checksum = fs_session_file_checksum (path, &error);
  g_assert_no_error (error);
  return file;
}

static FsSessionFile *
session_for_example (const char *name)
{
  FsSessionFile *file = fs_session_file_new ();

  file->example = g_strdup (name);
  return file;
}

/* Settings as the window has them: its convergence test on, a count of
 * threads that it fixed. */
static void
window_params (FsSessionFile *file,
               const char    *rule,
               double         lr,
               guint          threads)
{
  FsParams *p = &file->params;

  p->rank = 3;
  p->rule = fs_rule_find (rule);
  p->lr = lr;
  p->l2_w = 0.01;
  p->l2_h = 0.01;
  p->tol = FS_SESSION_DEFAULT_TOL;
  p->max_iters = REPLAY_ITERS;
  p->seed = 7;
  p->threads = threads;
}

static char *
save (const FsSessionFile *file,
      const char          *dir,
      const char          *name)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (fs_session_file_save (file, path, &error));
  g_assert_no_error (error);
  return path;
}

/* The window's final cost and `run --session`'s are the same double. */
static void
assert_replays_window (FsSessionFile *file,
                       const char    *dir)
{
  g_autofree char *path = save (file, dir, "replay" FS_SESSION_FILE_EXTENSION);
  g_autoptr(JsonObject) result = run_session_json (path);
  double window = window_final_cost (file);
  double cli_cost = json_object_get_double_member (result, "final_cost");

  g_test_message ("%s, %s, %u thread(s): window %.17g, cli %.17g",
                  file->example != NULL ? file->example : file->data_path,
                  file->params.rule->name, file->params.threads, window, cli_cost);
  g_assert_true (isfinite (window));
  g_assert_true (window == cli_cost);
  g_unlink (path);
}

/* The test: `run --session FILE` reaches the window's final cost
 * bit for bit, with the same thread count, on the low-rank example and on
 * files with missing cells and held-out cells, plain and Adam. */
static void
test_replay_matches_window (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *airquality = real_data ("csv/R_airquality_NA.csv");
  g_autofree char *arrests = real_data ("csv/R_USArrests.csv");
  const char *rules[] = { "plain", "adam" };

  for (guint threads = 1; threads <= 2; threads++)
    for (guint k = 0; k < G_N_ELEMENTS (rules); k++)
      {
        double lr = g_str_equal (rules[k], "adam") ? 0.01 : 1e-3;
        g_autoptr(FsSessionFile) lowrank = session_for_example ("lowrank");
        g_autoptr(FsSessionFile) missing = session_for_file (airquality);
        g_autoptr(FsSessionFile) held_out = session_for_file (arrests);

        window_params (lowrank, rules[k], lr, threads);
        assert_replays_window (lowrank, dir);

        window_params (missing, rules[k], g_str_equal (rules[k], "adam") ? lr : 1e-6, threads);
        assert_replays_window (missing, dir);

        window_params (held_out, rules[k], g_str_equal (rules[k], "adam") ? lr : 1e-6, threads);
        held_out->params.holdout = 0.2;
        held_out->params.holdout_seed = 3;
        assert_replays_window (held_out, dir);
      }
  g_rmdir (dir);
}

/* Momentum and Adam's coefficients have no option: `run --session` takes
 * them from the session, and reaches the window's final cost with them. */
static void
test_settings_without_options (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autoptr(FsSessionFile) adam = session_for_example ("lowrank");
  g_autoptr(FsSessionFile) momentum = session_for_example ("lowrank");
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) defaults = NULL;

  window_params (adam, "adam", 0.01, 1);
  path = save (adam, dir, "defaults" FS_SESSION_FILE_EXTENSION);
  defaults = run_session_json (path);
  adam->params.adam_beta1 = 0.8;
  adam->params.adam_beta2 = 0.99;
  adam->params.adam_eps = 1e-6;
  assert_replays_window (adam, dir);

  window_params (momentum, "momentum", 1e-3, 1);
  momentum->params.momentum = 0.5;
  assert_replays_window (momentum, dir);
  {
    g_autofree char *changed = save (adam, dir, "changed" FS_SESSION_FILE_EXTENSION);
    g_autoptr(JsonObject) result = run_session_json (changed);

    JsonObject *settings = json_object_get_object_member (result, "settings");

    g_assert_true (json_object_get_double_member (result, "final_cost") !=
                   json_object_get_double_member (defaults, "final_cost"));
    /* run.json keeps every setting, those without an option too. */
    g_assert_cmpfloat (json_object_get_double_member (settings, "adam_beta1"), ==, 0.8);
    g_assert_cmpfloat (json_object_get_double_member (settings, "adam_beta2"), ==, 0.99);
    g_assert_cmpfloat (json_object_get_double_member (settings, "adam_eps"), ==, 1e-6);
    g_assert_cmpfloat (json_object_get_double_member (settings, "momentum"), ==, adam->params.momentum);
    g_assert_cmpstr (json_object_get_string_member (settings, "products"), ==,
                     fs_products_impl_name (adam->params.products));
    g_unlink (changed);
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* A member of a JSON object as the text it was printed as: numbers are
 * compared exactly, as printed. */
static char *
member_text (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  return json_to_string (node, FALSE);
}

/* The settings `run --json` reports, and the result, are the same from
 * the session's command line as from `run --session`. */
static void
assert_command_line_replays (const FsSessionFile *file,
                             const char          *dir)
{
  const char *members[] = { "input", "rows", "cols", "missing", "rank", "rule", "lr",
                            "iterations", "final_cost", "stopped", "seed", "holdout",
                            "train_mse", "holdout_mse", "costs_per_restart" };
  g_autofree char *path = save (file, dir, "command-line" FS_SESSION_FILE_EXTENSION);
  g_auto(GStrv) argv = fs_session_file_to_argv (file);
  g_autoptr(JsonObject) from_argv = run_json (argv);
  g_autoptr(JsonObject) from_session = run_session_json (path);
  char rank[16];

  g_snprintf (rank, sizeof rank, "%u", file->params.rank);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *a = member_text (from_argv, members[i]);
      g_autofree char *b = member_text (from_session, members[i]);

      g_assert_cmpstr (a, ==, b);
    }
  /* The settings are the session's, not the command line's defaults. */
  g_assert_cmpint (json_object_get_int_member (from_session, "rank"), ==, file->params.rank);
  g_assert_cmpstr (json_object_get_string_member (from_session, "rule"), ==,
                   file->params.rule->name);
  g_assert_true (json_object_get_double_member (from_session, "lr") == file->params.lr);
  g_assert_cmpint (json_object_get_int_member (from_session, "seed"), ==,
                   (gint64) file->params.seed);
  g_assert_cmpint (json_object_get_int_member (from_session, "iterations"), <=,
                   (gint64) file->params.max_iters);
  g_unlink (path);
}

/* `factorscope-cli run ...` from the session's command line (Copy as
 * Command Line) gives the same settings and the same final cost as the
 * session, bit for bit: every option that differs from the defaults is
 * there, doubles in full. */
static void
test_command_line_matches_session (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *airquality = real_data ("csv/R_airquality_NA.csv");
  g_autoptr(FsSessionFile) lowrank = session_for_example ("lowrank");
  g_autoptr(FsSessionFile) sized = session_for_example ("lowrank");
  g_autoptr(FsSessionFile) notebook = session_for_example ("notebook");
  g_autoptr(FsSessionFile) missing = session_for_file (airquality);

  window_params (lowrank, "momentum", 1.0 / 3.0 * 1e-2, 1);
  lowrank->params.l1_h = 0.1;
  lowrank->params.l1_mode = FS_L1_SUBGRADIENT;
  lowrank->params.restarts = 3;
  lowrank->params.init = FS_INIT_UNIFORM;
  assert_command_line_replays (lowrank, dir);

  window_params (sized, "adam", 0.01, 2);
  sized->example_rows = 60;
  sized->example_cols = 50;
  sized->example_rank = 4;
  sized->example_seed = 9;
  sized->params.nonneg = TRUE;
  sized->params.stop_unstable = FALSE;
  sized->params.holdout = 0.1;
  sized->params.holdout_seed = 5;
  assert_command_line_replays (sized, dir);

  window_params (notebook, "plain", 0.01, 1);
  notebook->params.rank = 2;
  notebook->params.init = FS_INIT_UNIFORM;
  notebook->params.tol = 0.0;
  notebook->example_seed = 3;
  assert_command_line_replays (notebook, dir);

  window_params (missing, "normalized", 0.5, 2);
  missing->params.l2_w = 0.1;
  missing->params.l2_h = 0.2;
  missing->params.max_iters = 120;
  assert_command_line_replays (missing, dir);
  g_rmdir (dir);
}


/* A scaled session: its command line says --scaling, and both replays
 * reach the window's final cost, which it reaches on the scaled matrix. */
static void
test_scaling (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *arrests = real_data ("csv/R_USArrests.csv");
  const FsScaling scalings[] = { FS_SCALING_UNIT_RANGE, FS_SCALING_CENTER_COLUMNS,
                                 FS_SCALING_STANDARDIZE_COLUMNS };
  const char *names[] = { "unit", "center", "standardize" };

  for (guint i = 0; i < G_N_ELEMENTS (scalings); i++)
    {
      g_autoptr(FsSessionFile) file = session_for_file (arrests);
      g_autofree char *line = NULL;
      g_autofree char *option = g_strdup_printf (" --scaling %s ", names[i]);

      window_params (file, "adam", 0.01, 1);
      file->scaling = scalings[i];
      line = fs_session_file_to_command_line (file);
      g_assert_nonnull (strstr (line, option));
      assert_command_line_replays (file, dir);
      assert_replays_window (file, dir);
    }
  g_rmdir (dir);
}

/* Options given beside --session override the session's; --json and
 * --out work as with any run. */
static void
test_overrides (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *w_csv = g_build_filename (out_dir, "W.csv", NULL);
  g_autoptr(FsSessionFile) file = session_for_example ("lowrank");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) result = NULL;

  window_params (file, "adam", 0.01, 1);
  file->params.tol = 0.0;
  path = save (file, dir, "s" FS_SESSION_FILE_EXTENSION);
  {
    char *args[] = { "factorscope-cli", "run", "--session", path, "--iters", "50",
                     "--rank", "2", "--out", out_dir, NULL };

    result = run_json (args);
  }
  g_assert_cmpint (json_object_get_int_member (result, "iterations"), ==, 50);
  g_assert_cmpint (json_object_get_int_member (result, "rank"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (result, "seed"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (result, "rule"), ==, "adam");
  g_assert_true (g_file_test (w_csv, G_FILE_TEST_IS_REGULAR));

  /* The text output, as `run` prints it. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (cli (&text, &err, "run", "--session", path, "--iters", "20", NULL), ==, 0);
    g_assert_nonnull (strstr (text, "rank 3, rule adam, learning rate 0.01"));
    g_assert_nonnull (strstr (text, "from seed 7"));
    g_assert_nonnull (strstr (text, "iteration       20  cost "));
    g_assert_nonnull (strstr (text, "final cost "));
  }
}

/* A session's import options replay: the same matrix and run as the
 * flags give; flags given too override them. */
static void
test_import (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *data = g_test_build_filename (G_TEST_DIST, "data", "import", "yearly.csv",
                                                 NULL);
  g_autoptr(FsSessionFile) file = session_for_file (data);
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) replayed = NULL;
  g_autoptr(JsonObject) flags = NULL;
  g_autoptr(JsonObject) overridden = NULL;

  window_params (file, "adam", 0.01, 1);
  file->params.tol = 0.0;
  file->params.max_iters = 50;
  file->import.row_labels = FS_ROW_LABELS_NONE;
  file->import.transpose = TRUE;
  g_assert_true (fs_import_parse_columns ("3", &file->import.drop_columns,
                                          &file->import.n_drop_columns, NULL));
  path = save (file, dir, "import" FS_SESSION_FILE_EXTENSION);
  replayed = run_session_json (path);
  {
    char *args[] = { "factorscope-cli", "run", data, "--rank", "3", "--rule", "adam", "--lr",
                     "0.01", "--l2-w", "0.01", "--l2-h", "0.01", "--iters", "50", "--seed", "7",
                     "--threads", "1", "--row-labels", "none", "--drop-columns", "3",
                     "--transpose", NULL };

    flags = run_json (args);
  }
  g_assert_cmpint (json_object_get_int_member (replayed, "rows"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (replayed, "cols"), ==, 31);
  g_assert_cmpint (json_object_get_int_member (flags, "rows"), ==, 3);
  g_assert_true (json_object_get_double_member (replayed, "final_cost") ==
                 json_object_get_double_member (flags, "final_cost"));

  {
    char *args[] = { "factorscope-cli", "run", "--session", path, "--row-labels", "auto",
                     "--drop-columns", "2", "--rank", "2", NULL };

    overridden = run_json (args);
  }
  g_assert_cmpint (json_object_get_int_member (overridden, "rows"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (overridden, "cols"), ==, 31);
  g_unlink (path);
}

static void
assert_fails (const char *message,
              ...) G_GNUC_NULL_TERMINATED;

/* factorscope-cli with the arguments fails with status 1 and a message
 * that holds message, and prints no result. */
static void
assert_fails (const char *message,
              ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;

  g_ptr_array_add (args, "factorscope-cli");
  g_ptr_array_add (args, "run");
  va_start (ap, message);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_assert_cmpint (cli_argv ((char **) args->pdata, &out, &err), ==, 1);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, message));
  g_assert_null (strstr (out, "final"));
}

/* A changed or missing data file is an error, never used; a session is
 * the data, so a FILE or --example beside it is an error too. */
static void
test_errors (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *data = g_build_filename (dir, "x.csv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad" FS_SESSION_FILE_EXTENSION, NULL);
  g_autofree char *none = g_build_filename (dir, "none" FS_SESSION_FILE_EXTENSION, NULL);
  g_autoptr(FsSessionFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *changed = NULL;

  g_assert_true (g_file_set_contents (data, "1,2,3\n4,5,6\n7,8,10\n", -1, NULL));
  file = session_for_file (data);
  window_params (file, "plain", 0.01, 1);
  file->params.rank = 2;
  path = save (file, dir, "s" FS_SESSION_FILE_EXTENSION);
  changed = g_strdup_printf ("%s has changed since the session was saved", data);

  assert_fails ("not both", "--session", path, data, NULL);
  assert_fails ("not both", "--session", path, "--example", "lowrank", NULL);

  g_assert_true (g_file_set_contents (data, "1,2,3\n4,5,6\n7,8,11\n", -1, NULL));
  assert_fails (changed, "--session", path, NULL);
  assert_fails (changed, "--session", path, "--json", NULL);
  g_unlink (data);
  assert_fails (data, "--session", path, NULL);

  g_assert_true (g_file_set_contents (bad, "{\"format\": \"factorscope-session\", "
                                           "\"version\": 2}", -1, NULL));
  assert_fails ("“version”", "--session", bad, NULL);
  assert_fails (bad, "--session", bad, NULL);
  assert_fails (none, "--session", none, NULL);

  /* Past --seed's signed 64 bits: said, not wrapped around. */
  {
    g_autoptr(FsSessionFile) example = session_for_example ("lowrank");
    g_autofree char *big = NULL;

    window_params (example, "plain", 0.01, 1);
    example->params.seed = G_MAXUINT64;
    big = save (example, dir, "big-seed" FS_SESSION_FILE_EXTENSION);
    assert_fails ("beyond what the command line takes", "--session", big, NULL);
    g_unlink (big);
  }
  g_unlink (bad);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("FS_CLI") == NULL)
    g_error ("FS_CLI must name the factorscope-cli binary (meson test sets it)");

  g_test_add_func ("/cli-session/replay-matches-window", test_replay_matches_window);
  g_test_add_func ("/cli-session/settings-without-options", test_settings_without_options);
  g_test_add_func ("/cli-session/command-line-matches-session", test_command_line_matches_session);
  g_test_add_func ("/cli-session/scaling", test_scaling);
  g_test_add_func ("/cli-session/overrides", test_overrides);
  g_test_add_func ("/cli-session/import", test_import);
  g_test_add_func ("/cli-session/errors", test_errors);

  return g_test_run ();
}
