/* test-cli.c: factorscope-cli as a user runs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fs-analysis.h"
#include "fs-examples.h"
#include "fs-holdout.h"
#include "fs-loader.h"
#include "fs-fit.h"
#include "fs-params.h"
#include "fs-session.h"
#include "fs-test-util.h"

/* Runs the tool with the given arguments and returns its exit status,
 * with standard output and error; setup runs in the child before it. */
static int
cli_va (GSpawnChildSetupFunc setup,
        gpointer             setup_data,
        char               **out,
        char               **err,
        va_list              ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int status = -1;

  g_ptr_array_add (args, (gpointer) g_getenv ("FS_CLI"));
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);

  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, setup, setup_data,
                out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* Runs the tool with the given arguments (NULL-terminated) and returns its
 * exit status, with standard output and error. */
G_GNUC_NULL_TERMINATED
static int
cli (char **out,
     char **err,
     ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = cli_va (NULL, NULL, out, err, ap);
  va_end (ap);
  return status;
}

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { .rlim_cur = GPOINTER_TO_SIZE (data), .rlim_max = GPOINTER_TO_SIZE (data) };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* cli () under a file-size limit of max_bytes, as `ulimit -f` sets. */
G_GNUC_NULL_TERMINATED
static int
cli_limited (gsize   max_bytes,
             char  **out,
             char  **err,
             ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = cli_va (limit_file_size, GSIZE_TO_POINTER (max_bytes), out, err, ap);
  va_end (ap);
  return status;
}

/* The length of the JSON number at p (RFC 8259's grammar), or 0. */
static gsize
json_number_length (const char *p)
{
  const char *start = p;

  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (g_ascii_isdigit (*p))
    while (g_ascii_isdigit (*p))
      p++;
  else
    return 0;
  if (*p == '.')
    {
      if (!g_ascii_isdigit (*++p))
        return 0;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return 0;
      while (g_ascii_isdigit (*p))
        p++;
    }
  /* A number ends at punctuation or space: "1e+20.0" does not. */
  if (*p != '\0' && strchr ("{}[],: \t\r\n", *p) == NULL)
    return 0;
  return p - start;
}

/* Whether text is strict JSON lexically (json-glib's parser takes more):
 * outside strings only punctuation, numbers by JSON's grammar and true,
 * false, null, never NaN, Infinity, inf, nan or "1e+20.0" (which
 * json-glib 1.6's generator writes). */
static gboolean
is_strict_json (const char *text)
{
  gboolean in_string = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        in_string = TRUE;
      else if (g_str_has_prefix (p, "true") || g_str_has_prefix (p, "null"))
        p += 3;
      else if (g_str_has_prefix (p, "false"))
        p += 4;
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          gsize length = json_number_length (p);

          if (length == 0)
            return FALSE;
          p += length - 1;
        }
      else if (strchr ("{}[],: \t\r\n", *p) == NULL)
        return FALSE;
    }
  return !in_string;
}

/* The last line of text, parsed as a JSON object: strict JSON, as every
 * --json output must be. */
static JsonObject *
last_json_object (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (g_strchomp ((char *) text), "\n", -1);
  guint n = g_strv_length (lines);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (n, >, 0);
  if (!is_strict_json (lines[n - 1]))
    g_error ("not strict JSON: %s", lines[n - 1]);
  json_parser_load_from_data (parser, lines[n - 1], -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
check_bench (const char *rule,
             double      expected)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  double final;

  g_assert_cmpint (cli (&out, &err, "bench", "--n", "300", "--m", "200", "--r", "10",
                        "--iters", "50", "--threads", "1", "--rule", rule, NULL), ==, 0);
  result = last_json_object (out);
  final = json_object_get_double_member (result, "final_cost");
  g_test_message ("%s: %.15g (peers %.12g)", rule, final, expected);
  g_assert_cmpfloat (fabs (final - expected) / expected, <, 1e-9);
  g_assert_cmpstr (json_object_get_string_member (result, "peer"), ==, "factorscope");
  g_assert_cmpint (json_object_get_int_member (result, "iters"), ==, 50);
  g_assert_cmpfloat (json_object_get_double_member (result, "iterations_per_second"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (result, "initial_cost"), >, final);
}

/* The NumPy and PyTorch peers' results (shared/bench/README.md). */
static void
test_bench_matches_peers (void)
{
  check_bench ("plain", 2.35468458528);
  check_bench ("normalized", 9968.63256611);
}

static void
test_bad_arguments (void)
{
  const char *cases[][8] = {
    { "run", "--example", "lowrank", "--bogus", NULL },
    { "run", "--example", "notebook", "--rank", "5", NULL },
    { "run", "--example", "lowrank", "--rank", "0", NULL },
    { "run", "--example", "lowrank", "--l2-w", "-1", NULL },
    { "run", "--example", "lowrank", "--l1-h", "-0.5", NULL },
    { "run", "--example", "lowrank", "--lr", "0", NULL },
    { "run", "--example", "lowrank", "--lr", "-2", NULL },
    { "run", "--example", "lowrank", "--lr", "nan", NULL },
    { "bench", "--lr", "nan", NULL },
    { "run", "--example", "lowrank", "--iters", "0", NULL },
    { "run", "--example", "lowrank", "--rule", "newton", NULL },
    { "run", "--example", "nonesuch", NULL },
    { "run", "--example", "camera", "--example-seed", "1", NULL },
    { "run", "--example", "digits", "--example-size", "10x10", NULL },
    { "run", "/nonexistent/matrix.csv", NULL },
    { "run", NULL },
    { "optimum", "--example", "lowrank", NULL },
    { "bench", "--dtype", "float16", NULL },
    { "bench", "--r", "0", NULL },
    { "frobnicate", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *joined = g_strjoinv (" ", (char **) cases[i]);
      int status;

      status = cli (&out, &err, cases[i][0], cases[i][1], cases[i][2], cases[i][3],
                    cases[i][4], cases[i][5], cases[i][6], NULL);
      g_test_message ("%s -> %d: %s", joined, status, err);
      g_assert_cmpint (status, ==, 1);
      /* One line that says what is wrong, and nothing else. */
      g_assert_true (g_str_has_prefix (err, "factorscope-cli"));
      g_assert_cmpuint (strlen (err), >, 20);
      g_assert_null (strchr (err, '\n') == err + strlen (err) - 1 ? NULL : "several lines");
      g_assert_cmpstr (out, ==, "");
    }
}

static void
test_run_json (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonArray *costs;
  double final, optimum;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "5",
                        "--l2-w", "0.01", "--l2-h", "0.01", "--iters", "10000",
                        "--restarts", "2", "--seed", "3", "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (result, "cols"), ==, 80);
  g_assert_cmpint (json_object_get_int_member (result, "rank"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (result, "iterations"), ==, 10000);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "iterations");
  g_assert_true (json_object_get_int_member (result, "seed") == 3 ||
                 json_object_get_int_member (result, "seed") == 4);

  final = json_object_get_double_member (result, "final_cost");
  optimum = json_object_get_double_member (result, "optimum");
  g_assert_cmpfloat (fabs (json_object_get_double_member (result, "gap") - (final - optimum)),
                     <=, 1e-12 * final);
  g_assert_cmpfloat ((final - optimum) / optimum, <, 1e-6);

  costs = json_object_get_array_member (result, "costs_per_restart");
  g_assert_cmpuint (json_array_get_length (costs), ==, 2);
  g_assert_cmpfloat (MIN (json_array_get_double_element (costs, 0),
                          json_array_get_double_element (costs, 1)), ==, final);
}

static void
test_run_json_unavailable_optimum (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "3",
                        "--l1-w", "0.1", "--iters", "100", "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_true (json_object_get_null_member (result, "optimum"));
  g_assert_true (json_object_get_null_member (result, "gap"));
}

static void
test_divergence_reported (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "3",
                        "--lr", "5", "--json", NULL), ==, 2);
  result = last_json_object (out);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "diverged");
  g_assert_nonnull (strstr (json_object_get_string_member (result, "message"),
                            "smaller learning rate"));
}

static char *
real_file (const char *folder,
           const char *name)
{
  return g_build_filename (g_getenv ("FS_TEST_DATA"), folder, name, NULL);
}

/* The learning rate that run picks for path by itself (plain steps). */
static double
starting_lr (const char *path)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", path, "--iters", "1", "--json", NULL), ==, 0);
  result = last_json_object (out);
  return json_object_get_double_member (result, "lr");
}

/* The warnings member: always there, an array of objects. */
static JsonArray *
get_warnings (JsonObject *result)
{
  g_assert_true (json_object_has_member (result, "warnings"));
  return json_object_get_array_member (result, "warnings");
}

/* The volcano at 3x its starting rate: stopped as unstable by default,
 * with the oscillation in the warnings; with --no-stop-unstable the run
 * goes on and the warning is still there, and printed in text mode. */
static void
test_unstable_oscillation (void)
{
  g_autofree char *path = real_file ("csv", "R_volcano_87x61.csv");
  g_autofree char *lr = g_strdup_printf ("%.17g", 3.0 * starting_lr (path));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonArray *warnings;
  JsonObject *w;

  g_assert_cmpint (cli (&out, &err, "run", path, "--lr", lr, "--iters", "3000", "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "unstable");
  warnings = get_warnings (result);
  g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
  w = json_array_get_object_element (warnings, 0);
  g_assert_cmpstr (json_object_get_string_member (w, "kind"), ==, "oscillation");
  g_assert_cmpint (json_object_get_int_member (w, "iteration"), ==,
                   json_object_get_int_member (result, "iterations"));
  g_assert_cmpint (json_object_get_int_member (w, "iteration"), <, 200);
  g_assert_cmpfloat (json_object_get_double_member (w, "swing"), >=, 1.0);
  g_assert_cmpfloat (fabs (json_object_get_double_member (w, "suggested_lr") -
                           g_ascii_strtod (lr, NULL) / 3.0), <=, 1e-9 * g_ascii_strtod (lr, NULL));
  g_assert_cmpstr (json_object_get_string_member (w, "message"), ==,
                   json_object_get_string_member (result, "message"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (w, "message"),
                                   "Unstable at iteration"));

  g_assert_cmpint (cli (&out2, &err2, "run", path, "--lr", lr, "--iters", "3000",
                        "--no-stop-unstable", NULL), ==, 0);
  g_assert_nonnull (strstr (err2, "warning: Unstable at iteration"));
  g_assert_nonnull (strstr (out2, "Reached the limit of 3000 iterations."));
}

/* With restarts, every run stopped as unstable keeps its warning, though
 * the next run's start clears the solver's: one per run, in order. */
static void
test_unstable_restarts (void)
{
  g_autofree char *path = real_file ("csv", "R_volcano_87x61.csv");
  g_autofree char *lr = g_strdup_printf ("%.17g", 3.0 * starting_lr (path));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonArray *warnings;
  gint64 previous = -1;

  g_assert_cmpint (cli (&out, &err, "run", path, "--lr", lr, "--iters", "3000", "--restarts", "3",
                        "--json", NULL), ==, 0);
  result = last_json_object (out);
  warnings = get_warnings (result);
  g_assert_cmpuint (json_array_get_length (warnings), ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      JsonObject *w = json_array_get_object_element (warnings, k);

      g_assert_cmpstr (json_object_get_string_member (w, "kind"), ==, "oscillation");
      g_assert_cmpint (json_object_get_int_member (w, "iteration"), >, 0);
      g_assert_cmpint (json_object_get_int_member (w, "iteration"), <, 3000);
      /* Distinct runs from distinct seeds: not one warning thrice. */
      g_assert_cmpint (json_object_get_int_member (w, "iteration"), !=, previous);
      previous = json_object_get_int_member (w, "iteration");
    }
}

/* The 200 faces, non-negative, L1 on W only, at the starting rate:
 * unbounded (said first), then periodic spikes. */
static void
test_unstable_spikes (void)
{
  g_autofree char *path = real_file ("npy", "skimage_lfw_subset_200x625.npy");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonArray *warnings;
  JsonObject *w;

  g_assert_cmpint (cli (&out, &err, "run", path, "--nonneg", "--l1-w", "100", "--iters", "2000",
                        "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "unstable");
  warnings = get_warnings (result);
  g_assert_cmpuint (json_array_get_length (warnings), ==, 2);
  w = json_array_get_object_element (warnings, 0);
  g_assert_cmpstr (json_object_get_string_member (w, "kind"), ==, "unbounded");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (w, "message"),
                                   "L1 on W needs a penalty on H"));
  w = json_array_get_object_element (warnings, 1);
  g_assert_cmpstr (json_object_get_string_member (w, "kind"), ==, "spikes");
  g_assert_cmpint (json_object_get_int_member (w, "iteration"), >, 50);
  g_assert_cmpint (json_object_get_int_member (w, "iteration"), <, 500);
  g_assert_cmpfloat (json_object_get_double_member (w, "suggested_lr"), <,
                     json_object_get_double_member (result, "lr"));
}

/* A healthy run has an empty warnings array; an unbounded one is said on
 * standard error before the run, which still takes place. */
static void
test_warnings_healthy_and_unbounded (void)
{
  g_autofree char *path = real_file ("csv", "R_volcano_87x61.csv");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", path, "--iters", "3000", "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "iterations");
  g_assert_cmpuint (json_array_get_length (get_warnings (result)), ==, 0);

  g_assert_cmpint (cli (&out2, &err2, "run", "--example", "lowrank", "--rank", "8",
                        "--l1-h", "0.5", "--iters", "10", NULL), ==, 0);
  g_assert_nonnull (strstr (err2, "warning: L1 on H needs a penalty on W"));
  g_assert_nonnull (strstr (out2, "final cost"));
}

/* The PyTorch notebook: D = C F, plain gradient descent with lr 0.01 from
 * uniform factors, the loss every 1000 iterations, then D, D_hat and
 * their difference. */
static void
test_notebook (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *final;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "notebook", "--init", "uniform",
                        "--lr", "0.01", "--iters", "10000", NULL), ==, 0);
  for (guint k = 0; k <= 10; k++)
    {
      g_autofree char *line = g_strdup_printf ("\niteration %8u  cost ", k * 1000);

      g_assert_nonnull (strstr (out, line));
    }
  g_assert_null (strstr (out, "iteration     1001"));
  g_assert_nonnull (strstr (out, "\nX:\n"));
  g_assert_nonnull (strstr (out, "\nWH:\n"));
  g_assert_nonnull (strstr (out, "\nX - WH:\n"));
  final = strstr (out, "final cost ");
  g_assert_nonnull (final);
  g_assert_cmpfloat (g_ascii_strtod (final + strlen ("final cost "), NULL), <, 1e-8);
}

static void
test_out_files (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *loss_text = NULL;
  const char *names[] = { "W.csv", "H.csv", "WH.csv" };
  const gsize shapes[][2] = { { 100, 4 }, { 4, 80 }, { 100, 80 } };
  /* Without labels in the input: rows 1, 2, …, columns V1, V2, …, and
   * the components c1, c2, … */
  const char *labels[][4] = { { "1", "100", "c1", "c4" }, { "c1", "c4", "V1", "V80" },
                              { "1", "100", "V1", "V80" } };
  FsMatrix *m[3];
  g_autofree char *loss = g_build_filename (dir, "loss.csv", NULL);
  g_autofree char *atoms = g_build_filename (dir, "atoms.png", NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "4",
                        "--iters", "250", "--out", dir, NULL), ==, 0);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(GError) error = NULL;

      m[i] = fs_matrix_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (m[i]->rows, ==, shapes[i][0]);
      g_assert_cmpuint (m[i]->cols, ==, shapes[i][1]);
      g_assert_nonnull (m[i]->row_labels);
      g_assert_nonnull (m[i]->col_labels);
      g_assert_cmpstr (m[i]->row_labels[0], ==, labels[i][0]);
      g_assert_cmpstr (m[i]->row_labels[m[i]->rows - 1], ==, labels[i][1]);
      g_assert_cmpstr (m[i]->col_labels[0], ==, labels[i][2]);
      g_assert_cmpstr (m[i]->col_labels[m[i]->cols - 1], ==, labels[i][3]);
      g_unlink (path);
    }
  for (gsize i = 0; i < 100; i += 17)
    for (gsize j = 0; j < 80; j += 13)
      {
        double wh = 0.0;

        for (gsize k = 0; k < 4; k++)
          wh += m[0]->data[i * 4 + k] * m[1]->data[k * 80 + j];
        g_assert_cmpfloat_with_epsilon (m[2]->data[i * 80 + j], wh, 1e-12);
      }
  for (guint i = 0; i < 3; i++)
    fs_matrix_unref (m[i]);

  g_assert_true (g_file_get_contents (loss, &loss_text, NULL, NULL));
  lines = g_strsplit (g_strchomp (loss_text), "\n", -1);
  g_assert_cmpstr (lines[0], ==, "iteration,cost");
  g_assert_cmpuint (g_strv_length (lines), ==, 252);
  g_assert_true (g_str_has_prefix (lines[1], "\"0\","));
  g_assert_true (g_str_has_prefix (lines[251], "\"250\","));
  g_unlink (loss);
  g_assert_true (g_file_test (atoms, G_FILE_TEST_IS_REGULAR));
  g_unlink (atoms);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (dir, i == 0 ? "residual.csv" : "run.json", NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static const char *const out_names[] = { "W.csv", "H.csv", "WH.csv", "residual.csv", "loss.csv",
                                         "run.json", "atoms.png", NULL };

/* A previous run's results in dir: each file holds its own name. */
static void
write_old_set (const char *dir)
{
  for (guint i = 0; out_names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, out_names[i], NULL);
      g_autofree char *text = g_strdup_printf ("old %s\n", out_names[i]);

      g_assert_true (g_file_set_contents (path, text, -1, NULL));
    }
}

/* The previous run's results, byte for byte. */
static void
assert_old_set (const char *dir)
{
  for (guint i = 0; out_names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, out_names[i], NULL);
      g_autofree char *want = g_strdup_printf ("old %s\n", out_names[i]);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, want);
    }
}

/* dir holds exactly names (NULL-terminated): no temporary file is left. */
static void
assert_dir_holds (const char        *dir,
                  const char *const *names)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;
  guint n = 0;

  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      if (!g_strv_contains (names, entry))
        g_error ("%s holds an unexpected file %s", dir, entry);
      n++;
    }
  g_assert_cmpuint (n, ==, g_strv_length ((char **) names));
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static FsMatrix *
load_out_file (const char *dir,
               const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *m = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  return m;
}

/* The singular values of W H from LAPACK on the formed product. */
static GArray *
formed_product_singular_values (const FsMatrix *W,
                                const FsMatrix *H)
{
  gsize n = W->rows, m = H->cols, r = W->cols, k = MIN (n, m);
  g_autofree double *wh = g_new0 (double, n * m);
  g_autofree double *superb = g_new (double, k);
  GArray *s = g_array_sized_new (FALSE, TRUE, sizeof (double), (guint) k);

  g_array_set_size (s, (guint) k);
  for (gsize i = 0; i < n; i++)
    for (gsize j = 0; j < m; j++)
      for (gsize l = 0; l < r; l++)
        wh[i * m + j] += W->data[i * r + l] * H->data[l * m + j];
  g_assert_cmpint (LAPACKE_dgesvd (LAPACK_ROW_MAJOR, 'N', 'N', (lapack_int) n, (lapack_int) m, wh,
                                   (lapack_int) m, (double *) s->data, NULL, 1, NULL, 1, superb),
                   ==, 0);
  return s;
}

static void
check_json_sparsity (JsonObject *result,
                     const char *dir)
{
  const char *keys[] = { "data", "l2_w", "l2_h", "l1_w", "l1_h" };
  JsonObject *terms = json_object_get_object_member (result, "cost_terms");
  JsonArray *values = json_object_get_array_member (result, "singular_values_wh");
  double final = json_object_get_double_member (result, "final_cost"), sum = 0.0;
  g_autoptr(FsMatrix) W = load_out_file (dir, "W.csv");
  g_autoptr(FsMatrix) H = load_out_file (dir, "H.csv");
  g_autoptr(GArray) expected = formed_product_singular_values (W, H);

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    sum += json_object_get_double_member (terms, keys[k]);
  g_assert_cmpuint (json_object_get_size (terms), ==, G_N_ELEMENTS (keys));
  g_assert_cmpfloat (fabs (sum - final), <=, 1e-12 * final);
  g_assert_cmpfloat (json_object_get_double_member (terms, "l1_w"), >, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (terms, "l1_h"), ==, 0.0);

  for (guint k = 0; k < 2; k++)
    {
      const FsMatrix *factor = k == 0 ? W : H;
      double share = json_object_get_double_member (result, k == 0 ? "zeros_w" : "zeros_h");
      gsize len = factor->rows * factor->cols, zeros = 0;

      for (gsize i = 0; i < len; i++)
        zeros += factor->data[i] == 0.0;
      g_assert_cmpfloat (share, >, 0.0);
      g_assert_cmpfloat (share, <=, 1.0);
      g_assert_cmpfloat (share, ==, (double) zeros / (double) len);
    }

  g_assert_cmpuint (json_array_get_length (values), ==, W->cols);
  for (guint k = 0; k < json_array_get_length (values); k++)
    {
      double s = json_array_get_double_element (values, k);

      g_assert_cmpfloat (fabs (s - g_array_index (expected, double, k)), <=,
                         1e-10 * g_array_index (expected, double, 0));
      if (k > 0)
        g_assert_cmpfloat (s, <=, json_array_get_double_element (values, k - 1));
    }
}

/* Non-negative L1-on-W coding of the digits: --json tells its zeros, the
 * cost's terms (adding up to final_cost) and the spectrum of W H, which
 * LAPACK confirms on the product of the W and H written by --out. The text
 * output tells the zeros too. */
static void
test_run_sparsity (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv",
                                            "sklearn_digits_1797x64.csv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text_err = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (cli (&out, &err, "run", path, "--rank", "10", "--nonneg", "--l1-w", "1",
                        "--l2-h", "0.1", "--iters", "300", "--restarts", "2", "--seed", "5",
                        "--json", "--out", dir, NULL), ==, 0);
  result = last_json_object (out);
  /* The best run is the first: the last one's factors would not do. */
  g_assert_cmpint (json_object_get_int_member (result, "seed"), ==, 5);
  check_json_sparsity (result, dir);
  remove_tree (dir);

  g_assert_cmpint (cli (&text, &text_err, "run", path, "--rank", "10", "--nonneg", "--l1-w", "1",
                        "--l2-h", "0.1", "--iters", "300", NULL), ==, 0);
  lines = g_strsplit (text, "\n", -1);
  for (guint k = 0; lines[k] != NULL && lines[k + 1] != NULL; k++)
    if (g_str_has_prefix (lines[k], "final cost "))
      {
        g_assert_true (g_regex_match_simple ("^Zeros: W [0-9]+\\.[0-9]%, H [0-9]+\\.[0-9]%$",
                                             lines[k + 1], 0, 0));
        found = TRUE;
      }
  g_assert_true (found);
}

static void
assert_matrix_file (const char *path,
                    gsize       rows,
                    gsize       cols)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) m = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (m->rows, ==, rows);
  g_assert_cmpuint (m->cols, ==, cols);
}

/* Past a file-size limit WH.csv (160 kB) cannot be written after W.csv
 * and H.csv (8 kB each) were: the run says so, and the old set stays
 * whole, with no temporary file beside it. */
static void
test_out_file_size_limit (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  write_old_set (dir);
  g_assert_cmpint (cli_limited (64 * 1024, &out, &err, "run", "--example", "lowrank", "--rank",
                                "4", "--iters", "250", "--out", dir, NULL), ==, 1);
  assert_old_set (dir);
  assert_dir_holds (dir, out_names);
  g_assert_nonnull (strstr (err, "WH.csv"));
  g_assert_nonnull (strstr (err, "file-size limit"));
  g_assert_cmpuint (strlen (err), ==, strcspn (err, "\n") + 1);
  remove_tree (dir);
}

/* A stack of n images of 6 × 4 as a version 1.0 .npy of float64. */
static void
write_npy_stack (const char   *path,
                 gsize         n,
                 const double *data)
{
  g_autofree char *dict = g_strdup_printf ("{'descr': '<f8', 'fortran_order': False, "
                                           "'shape': (%" G_GSIZE_FORMAT ", 6, 4), }", n);
  gsize header = 10 + strlen (dict) + 1;
  gsize padded = (header + 63) / 64 * 64;
  g_autoptr(GString) file = g_string_new_len ("\x93NUMPY\x01\x00", 8);

  g_string_append_c (file, (char) ((padded - 10) & 0xff));
  g_string_append_c (file, (char) ((padded - 10) >> 8));
  g_string_append (file, dict);
  while (file->len < padded - 1)
    g_string_append_c (file, ' ');
  g_string_append_c (file, '\n');
  g_string_append_len (file, (const char *) data, (gssize) (n * 24 * sizeof (double)));
  g_assert_true (g_file_set_contents (path, file->str, (gssize) file->len, NULL));
}

/* Whether the pixel at (x, y) of a tile drawn at 8 pixels a value is the
 * colour at the top (bright) or the bottom (dark) of the sequential map. */
static gboolean
png_pixel_is (GdkPixbuf *pixbuf,
              int        x,
              int        y,
              gboolean   bright)
{
  const guint8 *p = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf)
                    + x * gdk_pixbuf_get_n_channels (pixbuf);
  const guint8 top[3] = { 0xFD, 0xE7, 0x25 }, bottom[3] = { 0x44, 0x01, 0x54 };
  const guint8 *want = bright ? top : bottom;

  for (guint c = 0; c < 3; c++)
    if (abs ((int) p[c] - (int) want[c]) > 40)
      return FALSE;
  return TRUE;
}

/* Samples made of two 6 × 4 images, one bright at the top left, one at
 * the bottom right: atoms.png shows them as two upright 48 × 32 tiles,
 * side by side. */
static void
test_out_atoms_png (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *npy = g_build_filename (dir, "stack.npy", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *png = g_build_filename (out_dir, "atoms.png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  double images[2][24] = { { 0 } }, data[40 * 24];
  int top_left, bottom_right;

  for (guint y = 0; y < 2; y++)
    for (guint x = 0; x < 2; x++)
      images[0][y * 4 + x] = 1.0;
  for (guint y = 3; y < 6; y++)
    images[1][y * 4 + 3] = 1.0;
  /* Some samples are one image alone, which makes the factors unique. */
  for (guint i = 0; i < 40; i++)
    for (guint j = 0; j < 24; j++)
      data[i * 24 + j] = (i < 30 ? 1.0 + i % 5 : 0.0) * images[0][j]
                         + (i >= 10 ? 1.0 + i % 3 : 0.0) * images[1][j];
  write_npy_stack (npy, 40, data);

  g_assert_cmpint (cli (&out, &err, "run", npy, "--rank", "2", "--nonneg", "--iters", "3000",
                        "--out", out_dir, NULL), ==, 0);
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 4 + 2 * (32 + 4));
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 4 + 48 + 4);
  g_assert_cmpstr (gdk_pixbuf_get_option (pixbuf, "tEXt::Factorscope-Image-Shape"), ==, "6x4");

  /* Whichever component comes first, each tile is one image, upright. */
  for (guint t = 0; t < 2; t++)
    {
      int x0 = 4 + (int) t * 36, y0 = 4;
      gboolean a = png_pixel_is (pixbuf, x0 + 4, y0 + 4, TRUE)
                   && png_pixel_is (pixbuf, x0 + 3 * 8 + 4, y0 + 5 * 8 + 4, FALSE)
                   && png_pixel_is (pixbuf, x0 + 4, y0 + 5 * 8 + 4, FALSE);
      gboolean b = png_pixel_is (pixbuf, x0 + 4, y0 + 4, FALSE)
                   && png_pixel_is (pixbuf, x0 + 3 * 8 + 4, y0 + 5 * 8 + 4, TRUE)
                   && png_pixel_is (pixbuf, x0 + 3 * 8 + 4, y0 + 4, FALSE);

      g_assert_true (a != b);
      if (t == 0)
        top_left = a;
      else
        bottom_right = b;
    }
  g_assert_true (top_left == bottom_right);
  remove_tree (dir);
}

/* A replaced file keeps its permissions; a new one gets the usual ones. */
static void
test_out_keeps_mode (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *w_path = g_build_filename (dir, "W.csv", NULL);
  g_autofree char *h_path = g_build_filename (dir, "H.csv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GStatBuf st;

  write_old_set (dir);
  g_assert_cmpint (g_chmod (w_path, 0600), ==, 0);
  g_assert_cmpint (g_chmod (h_path, 0640), ==, 0);
  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "4", "--iters",
                        "50", "--out", dir, NULL), ==, 0);
  g_assert_cmpint (g_stat (w_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_cmpint (g_stat (h_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  assert_matrix_file (w_path, 100, 4);
  assert_dir_holds (dir, out_names);
  remove_tree (dir);
}

/* A link stays a link, and what it leads to, even if it does not exist
 * yet, gets the data; a link into a folder that does not exist is an
 * error that leaves the old set whole. */
static void
test_out_symlinks (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *keep = g_build_filename (dir, "keep", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *w_link = g_build_filename (out_dir, "W.csv", NULL);
  g_autofree char *h_link = g_build_filename (out_dir, "H.csv", NULL);
  g_autofree char *loss_link = g_build_filename (out_dir, "loss.csv", NULL);
  g_autofree char *w_target = g_build_filename (keep, "W-old.csv", NULL);
  g_autofree char *h_target = g_build_filename (keep, "H-new.csv", NULL);
  g_autofree char *wh_path = g_build_filename (out_dir, "WH.csv", NULL);
  g_autofree char *wh_before = NULL;
  const char *keep_names[] = { "W-old.csv", "H-new.csv", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir (keep, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  write_old_set (out_dir);
  g_assert_true (g_file_set_contents (w_target, "old\n", -1, NULL));
  g_unlink (w_link);
  g_unlink (h_link);
  g_assert_cmpint (symlink ("../keep/W-old.csv", w_link), ==, 0);
  g_assert_cmpint (symlink (h_target, h_link), ==, 0);

  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "4", "--iters",
                        "50", "--out", out_dir, NULL), ==, 0);
  g_assert_true (g_file_test (w_link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (h_link, G_FILE_TEST_IS_SYMLINK));
  assert_matrix_file (w_target, 100, 4);
  assert_matrix_file (h_target, 4, 80);
  assert_dir_holds (keep, keep_names);
  assert_dir_holds (out_dir, out_names);

  /* loss.csv leads into a folder that is not there. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_unlink (loss_link);
  g_assert_cmpint (symlink ("../missing/loss.csv", loss_link), ==, 0);
  g_assert_true (g_file_set_contents (w_target, "old\n", -1, NULL));
  g_assert_true (g_file_get_contents (wh_path, &wh_before, NULL, NULL));
  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--rank", "4", "--iters",
                        "50", "--out", out_dir, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "loss.csv"));
  g_assert_nonnull (strstr (err, "does not exist"));
  {
    g_autofree char *text = NULL;

    g_autofree char *wh_after = NULL;

    g_assert_true (g_file_get_contents (w_target, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "old\n");
    g_assert_true (g_file_get_contents (wh_path, &wh_after, NULL, NULL));
    g_assert_cmpstr (wh_after, ==, wh_before);
  }
  assert_dir_holds (keep, keep_names);
  assert_dir_holds (out_dir, out_names);
  remove_tree (dir);
}

/* The labelled input's CSV results keep its labels, and each equals the
 * .npy file beside it bit for bit. */
static void
assert_csv_matches_npy (const char *dir,
                        const char *name,
                        const char *first_row,
                        const char *first_col)
{
  g_autofree char *csv_name = g_strconcat (name, ".csv", NULL);
  g_autofree char *npy_name = g_strconcat (name, ".npy", NULL);
  g_autoptr(FsMatrix) csv = load_out_file (dir, csv_name);
  g_autoptr(FsMatrix) npy = load_out_file (dir, npy_name);

  g_assert_cmpuint (csv->rows, ==, npy->rows);
  g_assert_cmpuint (csv->cols, ==, npy->cols);
  g_assert_cmpmem (csv->data, csv->rows * csv->cols * sizeof (double), npy->data,
                   npy->rows * npy->cols * sizeof (double));
  g_assert_cmpstr (csv->row_labels[0], ==, first_row);
  g_assert_cmpstr (csv->col_labels[0], ==, first_col);
}

/* --out with --json: run.json is the object --json prints, with every
 * setting; --npy writes each result as .npy too. */
static void
test_out_json_npy (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = real_file ("csv", "R_USArrests.csv");
  g_autofree char *json_path = g_build_filename (dir, "run.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonObject *settings;
  const char *const npy_names[] = { "W.npy", "H.npy", "WH.npy", "residual.npy", "loss.npy", NULL };

  g_assert_cmpint (cli (&out, &err, "run", path, "--rank", "2", "--iters", "100", "--l2-w",
                        "0.5", "--nonneg", "--json", "--out", dir, "--npy", NULL), ==, 0);
  g_assert_true (g_file_get_contents (json_path, &saved, NULL, NULL));
  g_assert_cmpstr (saved, ==, out);
  result = last_json_object (saved);
  g_assert_cmpint (json_object_get_int_member (result, "iterations"), ==, 100);
  settings = json_object_get_object_member (result, "settings");
  g_assert_nonnull (settings);
  g_assert_cmpstr (json_object_get_string_member (settings, "scaling"), ==, "none");
  g_assert_cmpint (json_object_get_int_member (settings, "rank"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (settings, "l2_w"), ==, 0.5);
  g_assert_true (json_object_get_boolean_member (settings, "nonneg"));
  g_assert_cmpint (json_object_get_int_member (settings, "max_iters"), ==, 100);
  g_assert_true (json_object_get_boolean_member (settings, "lr_from_data"));
  g_assert_cmpfloat (json_object_get_double_member (settings, "lr"), ==,
                     json_object_get_double_member (result, "lr"));

  for (guint i = 0; npy_names[i] != NULL; i++)
    {
      g_autofree char *npy = g_build_filename (dir, npy_names[i], NULL);

      g_assert_true (g_file_test (npy, G_FILE_TEST_IS_REGULAR));
    }
  assert_csv_matches_npy (dir, "W", "Alabama", "c1");
  assert_csv_matches_npy (dir, "H", "c1", "Murder");
  assert_csv_matches_npy (dir, "WH", "Alabama", "Murder");
  assert_csv_matches_npy (dir, "residual", "Alabama", "Murder");
  assert_csv_matches_npy (dir, "loss", "0", "cost");
  remove_tree (dir);
}

static void
test_npy_needs_out (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "notebook", "--npy", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--out"));
}

static void
on_matrix_changed (FsSession *session,
                   gboolean   new_source,
                   gpointer   data)
{
  *(guint *) data += 1;
}

/* The matrix the window's session factorizes with this scaling. */
static FsMatrix *
session_matrix (const char *path,
                FsScaling   scaling)
{
  g_autoptr(FsSession) session = fs_session_new ();
  guint changed = 0;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  g_signal_connect (session, "matrix-changed", G_CALLBACK (on_matrix_changed), &changed);
  fs_session_open_path (session, path);
  while (changed < 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (scaling != FS_SCALING_NONE)
    {
      fs_session_set_scaling (session, scaling);
      while (changed < 2 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (fs_session_get_scaling (session), ==, scaling);
  return fs_matrix_ref (fs_session_get_matrix (session));
}

/* The cost after 100 iterations from the data's learning rate, rank 2. */
static double
cost_after_100 (FsMatrix *X)
{
  FsParams params;
  g_autoptr(GError) error = NULL;
  FsFit *fit;
  double cost;

  fs_params_init_defaults (&params);
  params.rank = 2;
  params.max_iters = 100;
  params.threads = 1;
  fit = fs_fit_new (X, &params, &error);
  g_assert_no_error (error);
  fs_fit_set_lr (fit, fs_solver_get_starting_lr (fs_fit_get_solver (fit)));
  while (fs_fit_iterate (fit))
    ;
  cost = fs_fit_get_final_cost (fit, 0);
  fs_fit_free (fit);
  return cost;
}

/* --scaling scales as the window's Scaling: the same cost after 100
 * iterations as on the session's matrix with that scaling. */
static void
test_scaling (void)
{
  const char *names[] = { "none", "unit", "center", "standardize" };
  g_autofree char *path = real_file ("csv", "R_USArrests.csv");
  double costs[G_N_ELEMENTS (names)];

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(JsonObject) result = NULL;
      g_autoptr(FsMatrix) X = session_matrix (path, (FsScaling) k);

      g_assert_cmpint (cli (&out, &err, "run", path, "--scaling", names[k], "--rank", "2",
                            "--iters", "100", "--threads", "1", "--json", NULL), ==, 0);
      result = last_json_object (out);
      costs[k] = json_object_get_double_member (result, "final_cost");
      g_assert_cmpfloat (costs[k], ==, cost_after_100 (X));
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "settings"),
                                                      "scaling"), ==, names[k]);
      for (guint j = 0; j < k; j++)
        g_assert_cmpfloat (costs[j], !=, costs[k]);
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (cli (&out, &err, "run", path, "--scaling", "log", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "Unknown scaling “log”"));
  }
}

/* The final cost --json reports. */
static double
json_final_cost (const char *out)
{
  g_autoptr(JsonObject) result = last_json_object (out);

  return json_object_get_double_member (result, "final_cost");
}

/* An example's name where a FILE goes: run, with the example's options
 * and rank, info and convert. */
static void
test_example_by_name (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *csv = g_build_filename (dir, "digits.csv", NULL);
  g_autofree char *by_name = NULL;
  g_autofree char *by_option = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(FsMatrix) digits = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cli (&by_name, &err, "run", "lowrank", "--example-size", "30x20", "--iters",
                        "100", "--json", NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&by_option, &err, "run", "--example", "lowrank", "--example-size",
                        "30x20", "--iters", "100", "--json", NULL), ==, 0);
  g_assert_cmpfloat (json_final_cost (by_name), ==, json_final_cost (by_option));
  result = last_json_object (by_name);
  g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (result, "rank"), ==, 5);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", "camera", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "rows: 512"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "convert", "digits", csv, NULL), ==, 0);
  digits = fs_matrix_load (csv, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (digits->cols, ==, 64);
  remove_tree (dir);
}

/* cli () with standard input read from stdin_path. */
G_GNUC_NULL_TERMINATED
static int
cli_stdin (const char  *stdin_path,
           char       **out,
           char       **err,
           ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("FS_CLI"));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* "-" reads a matrix from standard input as from a file; empty input is
 * an error that says so. */
static void
test_stdin (void)
{
  g_autofree char *path = real_file ("csv", "R_USArrests.csv");
  g_autofree char *from_file = NULL;
  g_autofree char *from_stdin = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (&from_file, &err, "run", path, "--rank", "2", "--iters", "100", "--json",
                        NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_stdin (path, &from_stdin, &err, "run", "-", "--rank", "2", "--iters",
                              "100", "--json", NULL), ==, 0);
  g_assert_cmpfloat (json_final_cost (from_stdin), ==, json_final_cost (from_file));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_stdin (path, &out, &err, "info", "-", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "row labels: Alabama"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_stdin ("/dev/null", &out, &err, "run", "-", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "standard input is empty"));
}

static void
test_optimum_json (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonArray *sv;
  double discarded = 0.0;

  g_assert_cmpint (cli (&out, &err, "optimum", "--example", "lowrank", "--rank", "5",
                        "--json", NULL), ==, 0);
  result = last_json_object (out);
  sv = json_object_get_array_member (result, "singular_values");
  g_assert_cmpuint (json_array_get_length (sv), ==, 80);
  for (guint i = 5; i < 80; i++)
    discarded += pow (json_array_get_double_element (sv, i), 2);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "optimum"),
                                  discarded, 1e-12 * discarded);
}

static void
test_info (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "awkward",
                                            "airquality_R_write.csv_quoted_NA.csv", NULL);
  g_autofree char *image = g_build_filename (g_getenv ("FS_TEST_DATA"), "images",
                                             "skimage_coins.png", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonObject) image_result = NULL;
  JsonArray *shape;

  g_assert_cmpint (cli (&out, &err, "info", path, "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, 153);
  g_assert_cmpint (json_object_get_int_member (result, "cols"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (result, "missing"), ==, 44);
  g_assert_cmpfloat (json_object_get_double_member (result, "min"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (result, "max"), ==, 334.0);
  g_assert_true (json_object_get_boolean_member (result, "row_labels"));
  g_assert_true (json_object_get_boolean_member (result, "col_labels"));
  g_assert_cmpstr (json_object_get_string_member (result, "format"), ==, "csv");
  g_assert_true (json_object_get_null_member (result, "image_shape"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", image, "--json", NULL), ==, 0);
  image_result = last_json_object (out);
  shape = json_object_get_array_member (image_result, "image_shape");
  g_assert_cmpint (json_array_get_int_element (shape, 0), ==, 303);
  g_assert_cmpint (json_array_get_int_element (shape, 1), ==, 384);
}

static char *
import_data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", name, NULL);
}

/* info says what the loader decided and which were guesses, in text and
 * in JSON; the import options change it. */
static void
test_info_import (void)
{
  g_autofree char *yearly = import_data_path ("yearly.csv");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonObject) data = NULL;
  JsonObject *import, *options;

  g_assert_cmpint (cli (&out, &err, "info", yearly, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "header: row 1\n"));
  g_assert_nonnull (strstr (out, "row-label column: column 1 (“year”), guessed: its values are "
                                 "distinct whole numbers"));
  g_assert_nonnull (strstr (out, "separator: comma\n"));
  g_assert_nonnull (strstr (err, "--row-labels none"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", yearly, "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "cols"), ==, 3);
  import = json_object_get_object_member (result, "import");
  g_assert_true (json_object_get_boolean_member (import, "row_labels"));
  g_assert_true (json_object_get_boolean_member (import, "row_labels_guessed"));
  g_assert_cmpstr (json_object_get_string_member (import, "numeric_label_column"), ==, "year");
  g_assert_cmpint (json_object_get_int_member (import, "file_columns"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (import, "separator"), ==, ",");

  /* The data as data, the first column dropped, transposed. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", yearly, "--json", "--row-labels", "none",
                        "--drop-columns=3", "--transpose", NULL), ==, 0);
  data = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (data, "rows"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (data, "cols"), ==, 31);
  g_assert_cmpfloat (json_object_get_double_member (data, "max"), ==, 2020.0);
  options = json_object_get_object_member (data, "import_options");
  g_assert_cmpstr (json_object_get_string_member (options, "row_labels"), ==, "none");
  g_assert_true (json_object_get_boolean_member (options, "transpose"));
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (options,
                                                                             "drop_columns"), 0),
                   ==, 3);
}

/* A pandas index taken as row labels is said on standard error; the
 * label column named by --row-labels first cannot be dropped. */
static void
test_info_index_labels (void)
{
  g_autofree char *indexed = import_data_path ("indexed.csv");
  g_autofree char *yearly = import_data_path ("yearly.csv");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (&out, &err, "info", indexed, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "row-label column: column 1 (“id”), guessed: it counts the rows"));
  g_assert_nonnull (strstr (err, "Read column 1 (“id”) as row labels"));
  g_assert_nonnull (strstr (err, "--row-labels none"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", yearly, "--row-labels", "first", "--drop-columns",
                        "1", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "the first column holds the row labels, so it cannot be "
                                 "dropped"));
}

/* Every subcommand that reads a matrix takes the import options, and a
 * wrong value is an error that names the option. */
static void
test_import_options (void)
{
  g_autofree char *yearly = import_data_path ("yearly.csv");
  const char *bad[][3] = {
    { "--row-labels=some", "--row-labels", "“some”" },
    { "--header=maybe", "--header", "“maybe”" },
    { "--drop-columns=0", "--drop-columns", "“0”" },
    { "--drop-columns=9", "column 9", "4 columns" },
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", yearly, "--json", "--iters=2", "--row-labels=none",
                        "--drop-columns", "2-3", "--transpose", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (result, "cols"), ==, 31);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *commands[][2] = {
        { "info", "--json" }, { "convert", "out.npy" }, { "run", "--iters=1" },
        { "optimum", "--rank=1" }, { "sweep", "--rank=1:2" },
      };

      for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
        {
          g_clear_pointer (&out, g_free);
          g_clear_pointer (&err, g_free);
          g_test_message ("%s %s", commands[c][0], bad[i][0]);
          g_assert_cmpint (cli (&out, &err, commands[c][0], yearly, commands[c][1], bad[i][0],
                                NULL), ==, 1);
          g_assert_nonnull (strstr (err, bad[i][1]));
          g_assert_nonnull (strstr (err, bad[i][2]));
        }
    }

  /* The header and labels are for delimited text; examples take none. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "run", "--example=notebook", "--transpose", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "examples"));
  {
    g_autofree char *npy = g_test_build_filename (G_TEST_DIST, "data", "npy", "le-f8-3x4.npy",
                                                  NULL);

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (cli (&out, &err, "info", npy, "--header=no", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "CSV, TSV and text"));
  }
}

/* A file that cannot be read fails every subcommand with status 1 and one
 * line naming the file. */
static void
test_unreadable_file (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *bad = g_build_filename (dir, "ragged.csv", NULL);
  g_autofree char *target = g_build_filename (dir, "out.npy", NULL);
  const char *commands[][4] = {
    { "info", bad, NULL },
    { "run", bad, NULL },
    { "optimum", bad, "--rank=1", NULL },
    { "convert", bad, target, NULL },
  };

  g_assert_true (g_file_set_contents (bad, "1,2,3\n4,5\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (cli (&out, &err, commands[i][0], commands[i][1], commands[i][2], NULL), ==, 1);
      g_assert_nonnull (strstr (err, "ragged.csv:2:"));
      g_assert_true (g_str_has_suffix (err, "\n"));
      g_assert_null (strchr (err, '\n') + 1 == err + strlen (err) ? NULL : "several lines");
    }
  g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_convert (void)
{
  g_autofree char *source = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv",
                                              "R_USArrests.csv", NULL);
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *npy = g_build_filename (dir, "a.npy", NULL);
  g_autofree char *tsv = g_build_filename (dir, "a.tsv", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(FsMatrix) a = NULL;
  g_autoptr(FsMatrix) b = NULL;
  g_autoptr(FsMatrix) c = NULL;

  g_assert_cmpint (cli (&out, &err, "convert", source, npy, NULL), ==, 0);
  g_assert_cmpint (cli (NULL, NULL, "convert", npy, tsv, NULL), ==, 0);
  a = fs_matrix_load (source, NULL);
  b = fs_matrix_load (npy, NULL);
  c = fs_matrix_load (tsv, NULL);
  g_assert_cmpuint (b->rows, ==, 50);
  g_assert_cmpmem (a->data, 200 * sizeof (double), b->data, 200 * sizeof (double));
  g_assert_cmpmem (a->data, 200 * sizeof (double), c->data, 200 * sizeof (double));
  g_unlink (npy);
  g_unlink (tsv);
  g_rmdir (dir);
}

static void
test_help (void)
{
  const char *commands[] = { "run", "optimum", "bench", "info", "convert" };
  guint n_examples;
  const FsExample *examples = fs_examples_get (&n_examples);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (cli (&out, &err, commands[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "Usage:"));
      g_assert_nonnull (strstr (out, commands[i]));
      g_assert_cmpstr (err, ==, "");

      /* The commands that take --example list every example. */
      for (guint k = 0; k < n_examples && (i == 0 || i == 1); k++)
        {
          g_autofree char *line = g_strdup_printf ("\n  %-10s ", examples[k].name);

          g_assert_nonnull (strstr (out, line));
        }
    }
}

/* run --help states the defaults it shares with the window. */
static void
test_help_defaults (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *iters = g_strdup_printf ("(default %" G_GUINT64_FORMAT ")", FS_DEFAULT_MAX_ITERS);
  g_autofree char *rank = g_strdup_printf ("for a file, %u,", (guint) FS_DEFAULT_RANK);

  g_assert_cmpint (cli (&out, &err, "run", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, iters));
  g_assert_nonnull (strstr (out, rank));
}

/* Every example of the core's table runs from the command line, at its
 * own rank, with the shape the table's loader gives. */
static void
test_every_example (void)
{
  /* What the examples are, apart from the loader that the CLI shares. */
  const struct { const char *name; gint64 rows, cols; gsize image_height, image_width; } known[] = {
    { "lowrank", 100, 80, 0, 0 },
    { "notebook", 3, 4, 0, 0 },
    { "camera", 512, 512, 512, 512 },
    { "digits", 1797, 64, 8, 8 },
    { "coins", 303, 384, 303, 384 },
  };
  guint n_examples;
  const FsExample *examples = fs_examples_get (&n_examples);

  g_assert_cmpuint (n_examples, >=, G_N_ELEMENTS (known));
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    g_assert_true (fs_examples_find (known[i].name) == &examples[i]);
  g_assert_null (fs_examples_find ("nonesuch"));

  for (guint i = 0; i < n_examples; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(JsonObject) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) X = fs_example_load (&examples[i], &error);

      g_test_message ("example %s", examples[i].name);
      g_assert_no_error (error);
      g_assert_cmpint (cli (&out, &err, "run", "--example", examples[i].name, "--iters", "3",
                            "--json", NULL), ==, 0);
      result = last_json_object (out);
      g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, (gint64) X->rows);
      g_assert_cmpint (json_object_get_int_member (result, "cols"), ==, (gint64) X->cols);
      g_assert_cmpint (json_object_get_int_member (result, "rank"), ==, examples[i].default_rank);
      g_assert_cmpint (json_object_get_int_member (result, "iterations"), ==, 3);
      g_assert_true (isfinite (json_object_get_double_member (result, "final_cost")));
      if (i < G_N_ELEMENTS (known))
        {
          g_assert_cmpint (X->rows, ==, known[i].rows);
          g_assert_cmpint (X->cols, ==, known[i].cols);
          g_assert_cmpuint (X->image_height, ==, known[i].image_height);
          g_assert_cmpuint (X->image_width, ==, known[i].image_width);
        }
    }
}

/* A file gets the window's defaults: rank min(5, rows, cols) and 10000
 * iterations. */
static void
check_file_defaults (gsize  rows,
                     gsize  cols,
                     gint64 rank)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "matrix.csv", NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      g_string_append_printf (text, "%g%c", sin (1.0 + (double) (i * cols + j)),
                              j + 1 < cols ? ',' : '\n');
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));

  g_assert_cmpint (cli (&out, &err, "run", path, "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "rows"), ==, (gint64) rows);
  g_assert_cmpint (json_object_get_int_member (result, "rank"), ==, rank);
  g_assert_cmpint (json_object_get_int_member (result, "iterations"), ==, 10000);
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "iterations");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_file_defaults (void)
{
  check_file_defaults (12, 10, 5);
  check_file_defaults (4, 3, 3);
}

/* JSON has no NaN or infinity: such a number is null, with a member that
 * says why; and the check every --json output goes through can fail. */
static void
test_json_strict (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_false (is_strict_json ("{\"a\":-nan.0}"));
  g_assert_false (is_strict_json ("{\"a\":inf.0}"));
  g_assert_false (is_strict_json ("{\"a\":NaN}"));
  g_assert_false (is_strict_json ("{\"a\":\"unterminated}"));
  g_assert_false (is_strict_json ("{\"a\":1e+20.0}"));
  g_assert_false (is_strict_json ("{\"a\":01}"));
  g_assert_false (is_strict_json ("{\"a\":1.}"));
  g_assert_true (is_strict_json ("{\"a\":null,\"b\":\"nan and \\\"inf\\\"\",\"c\":-1.5e-3,\"d\":[true,false]}"));
  g_assert_true (is_strict_json ("{\"a\":1e+20,\"b\":[0,-0.5,2E-7]}"));

  /* Settings and costs far from 1 are written with an exponent. */
  g_assert_cmpint (cli (&out, &err, "run", "--example", "notebook", "--l2-w", "1e20", "--l2-h", "1e20",
                        "--tol", "1e-20", "--iters", "5", "--json", NULL), ==, 0);
  result = last_json_object (out);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (result, "settings"), "l2_w"),
                     ==, 1e20);
  g_clear_pointer (&result, json_object_unref);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A step so large that the cost overflows at once. */
  g_assert_cmpint (cli (&out, &err, "run", "--example", "notebook", "--lr", "1e300", "--json", NULL), ==, 2);
  result = last_json_object (out);
  g_assert_true (json_object_get_null_member (result, "final_cost"));
  g_assert_true (json_object_has_member (result, "final_cost_null_because"));
  g_assert_true (json_object_get_null_member (result, "gap"));
  g_assert_true (json_object_has_member (result, "gap_null_because"));
  g_assert_cmpstr (json_object_get_string_member (result, "stopped"), ==, "diverged");
}

/* A --out folder that cannot be made is said before the run, not after
 * it: nothing of the run is printed. */
static void
test_out_folder_first (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *file = g_build_filename (dir, "plain-file", NULL);
  g_autofree char *inside = g_build_filename (file, "results", NULL);

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--iters", "50", "--out", inside, NULL),
                   ==, 1);
  g_assert_nonnull (strstr (err, "Cannot create the folder"));
  g_assert_null (strstr (out, "Final cost"));
  g_assert_cmpstr (out, ==, "");
  g_unlink (file);
  g_rmdir (dir);
}

/* More solver threads than cores only wait for each other: capped, with a
 * note. A FIFO, which would block forever, and a folder are refused. */
static void
test_threads_and_special_files (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *fifo = g_build_filename (dir, "pipe.csv", NULL);
  g_autofree char *threads = g_strdup_printf ("%u", g_get_num_processors () + 1);
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "bench", "--n", "40", "--m", "30", "--r", "3", "--iters", "5",
                        "--threads", threads, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "is more than the"));
  result = last_json_object (out);
  g_assert_cmpint (json_object_get_int_member (result, "threads"), ==, g_get_num_processors ());

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (cli (&out, &err, "info", fifo, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a regular file"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&out, &err, "info", dir, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "not a regular file"));
  g_unlink (fifo);
  g_rmdir (dir);
}

/* run --holdout: --json's train_mse and holdout_mse are those of the W and
 * H that --out wrote, on the split fs_holdout_new () makes from the same
 * seed; "holdout" tells the split. */
static void
test_run_holdout_json (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(FsMatrix) X = fs_example_load (fs_examples_find ("digits"), NULL);
  g_autoptr(FsHoldout) split = fs_holdout_new (X, 0.1, 3, NULL);
  g_autoptr(FsMatrix) train = fs_holdout_training_matrix (split, X, NULL);
  g_autoptr(FsMatrix) W = NULL;
  g_autoptr(FsMatrix) H = NULL;
  JsonObject *holdout;
  FsCostTerms terms;
  FsParams p;
  double want_holdout, want_train;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "digits", "--rank", "10", "--iters", "200",
                        "--holdout", "0.1", "--holdout-seed", "3", "--json", "--out", dir,
                        NULL), ==, 0);
  result = last_json_object (out);
  W = load_out_file (dir, "W.csv");
  H = load_out_file (dir, "H.csv");
  remove_tree (dir);

  want_holdout = fs_holdout_sum_squares (split, W->data, H->data, 10, X->cols) /
                 (double) fs_holdout_get_n_cells (split);
  fs_params_init_defaults (&p);
  p.rank = 10;
  fs_cost_terms (train, W->data, H->data, 10, &p, &terms);
  want_train = terms.data / (double) fs_holdout_get_n_train (split);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "holdout_mse"),
                                  want_holdout, 1e-12 * want_holdout);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "train_mse"),
                                  want_train, 1e-12 * want_train);
  g_assert_cmpfloat (want_holdout, >, want_train);
  g_assert_true (json_object_get_null_member (result, "optimum"));
  /* The cost and its terms are over the cells trained on. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (
                                    json_object_get_object_member (result, "cost_terms"), "data"),
                                  json_object_get_double_member (result, "final_cost"),
                                  1e-9 * terms.data);

  holdout = json_object_get_object_member (result, "holdout");
  g_assert_cmpfloat (json_object_get_double_member (holdout, "fraction"), ==, 0.1);
  g_assert_cmpint (json_object_get_int_member (holdout, "seed"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (holdout, "cells"), ==,
                   (gint64) fs_holdout_get_n_cells (split));
  g_assert_cmpint (json_object_get_int_member (holdout, "train_cells"), ==,
                   (gint64) fs_holdout_get_n_train (split));
}

/* The text report says the MSEs and why there is no f*; without
 * --holdout, --json has no held-out MSE and no split. */
static void
test_run_holdout_text (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *plain_err = NULL;
  g_autoptr(JsonObject) result = NULL;

  g_assert_cmpint (cli (&out, &err, "run", "--example", "digits", "--rank", "10", "--iters", "50",
                        "--holdout", "0.1", NULL), ==, 0);
  g_assert_true (g_regex_match_simple ("^Training MSE [0-9.e+-]+, held-out MSE [0-9.e+-]+ "
                                       "\\(10% of cells held out\\)$", out, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (out, "global optimum: unavailable (no closed form with held-out "
                                 "cells)\n"));

  g_assert_cmpint (cli (&plain, &plain_err, "run", "--example", "digits", "--rank", "10",
                        "--iters", "50", "--json", NULL), ==, 0);
  result = last_json_object (plain);
  g_assert_true (json_object_get_null_member (result, "holdout"));
  g_assert_true (json_object_get_null_member (result, "holdout_mse"));
  g_assert_cmpfloat (json_object_get_double_member (result, "train_mse"), >, 0.0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "train_mse"),
                                  json_object_get_double_member (json_object_get_object_member (
                                    result, "cost_terms"), "data") / (1797.0 * 64.0),
                                  1e-9);
}

/* Bad --holdout values: one line naming the option, exit 1. */
static void
test_run_holdout_bad (void)
{
  const char *bad[][2] = { { "--holdout", "1" }, { "--holdout", "-0.1" },
                           { "--holdout", "1.5" }, { "--holdout", "abc" },
                           { "--holdout-seed", "-1" } };

  for (guint k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (cli (&out, &err, "run", "--example", "lowrank", "--iters", "5",
                            bad[k][0], bad[k][1], NULL), ==, 1);
      g_test_message ("%s %s: %s", bad[k][0], bad[k][1], err);
      g_assert_nonnull (strstr (err, bad[k][0]));
      g_assert_cmpuint (strlen (err), >, 0);
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
      g_assert_cmpstr (out, ==, "");
    }
}

/* The text of member key in a line of JSON, as printed: "final_cost":TEXT. */
static char *
json_member_text (const char *line,
                  const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *start = strstr (line, needle);
  gsize len;

  g_assert_nonnull (start);
  start += strlen (needle);
  len = strcspn (start, ",}");
  return g_strndup (start, len);
}

/* The lines of a sweep's --json output: n_points points, then a summary. */
static GStrv
sweep_json_lines (char  *out,
                  guint  n_points)
{
  g_auto(GStrv) lines = g_strsplit (g_strchomp (out), "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, n_points + 1);
  for (guint i = 0; i <= n_points; i++)
    g_assert_true (is_strict_json (lines[i]));
  g_assert_true (g_str_has_prefix (lines[n_points], "{\"summary\":{"));
  return g_steal_pointer (&lines);
}

/* A member of run's --json, as printed, for the given settings. */
G_GNUC_NULL_TERMINATED
static char *
run_member (const char *key,
            const char *first,
            ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  va_list ap;

  g_ptr_array_add (args, (gpointer) g_getenv ("FS_CLI"));
  g_ptr_array_add (args, "run");
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, "--json");
  g_ptr_array_add (args, NULL);
  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  return json_member_text (out, key);
}

/* Each point of `sweep --json` prints the final_cost `run --json` prints
 * for its settings, character for character. */
static void
test_sweep_matches_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *grid_out = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) grid = NULL;

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--rank", "1:3",
                        "--iters", "300", "--json", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  lines = sweep_json_lines (out, 3);
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *rank = g_strdup_printf ("%u", k);
      g_autofree char *value = json_member_text (lines[k - 1], "value");
      g_autofree char *cost = json_member_text (lines[k - 1], "final_cost");
      g_autofree char *expected = run_member ("final_cost", "--example", "digits", "--rank", rank,
                                                  "--iters", "300", NULL);

      g_assert_cmpstr (value, ==, rank);
      g_assert_cmpstr (cost, ==, expected);
    }

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&grid_out, &err, "sweep", "--example", "digits", "--rank", "3",
                        "--l2", "1e-2:10:3", "--iters", "300", "--json", NULL), ==, 0);
  grid = sweep_json_lines (grid_out, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *value = json_member_text (grid[k], "value");
      g_autofree char *cost = json_member_text (grid[k], "final_cost");
      g_autofree char *expected = run_member ("final_cost", "--example", "digits", "--rank", "3",
                                                  "--l2-w", value, "--l2-h", value,
                                                  "--iters", "300", NULL);

      g_assert_cmpstr (cost, ==, expected);
    }
  g_assert_nonnull (strstr (grid[3], "\"best_by\":\"final_cost\""));
}

/* With held-out cells too: each point's cost and both MSEs are run's, and
 * f* is the full data's, apart, with no gap. */
static void
test_sweep_holdout_matches_run (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  const char *keys[] = { "final_cost", "train_mse", "holdout_mse" };

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--rank", "2:4",
                        "--holdout", "0.2", "--holdout-seed", "5", "--iters", "200", "--json",
                        NULL), ==, 0);
  lines = sweep_json_lines (out, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_autofree char *rank = g_strdup_printf ("%u", k + 2);
      g_autofree char *gap = json_member_text (lines[k], "gap");
      g_autofree char *full = json_member_text (lines[k], "optimum_full_data");

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          g_autofree char *got = json_member_text (lines[k], keys[i]);
          g_autofree char *expected = run_member (keys[i], "--example", "digits", "--rank", rank,
                                                  "--holdout", "0.2", "--holdout-seed", "5",
                                                  "--iters", "200", NULL);

          g_assert_cmpstr (got, ==, expected);
        }
      g_assert_cmpstr (gap, ==, "null");
      g_assert_true (g_ascii_strtod (full, NULL) > 0.0);
    }
  g_assert_nonnull (strstr (lines[3], "\"best_by\":\"holdout_mse\""));
}

/* Every member a point and the summary promise. */
static void
test_sweep_json_members (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) point = NULL;
  g_autoptr(JsonObject) summary = NULL;
  const char *members[] = { "axis", "value", "params", "final_cost", "optimum", "gap",
                            "train_mse", "holdout_mse", "zeros_w", "zeros_h", "iterations",
                            "elapsed", "stopped", "threads" };
  const char *params[] = { "rank", "l2_w", "l2_h", "l1_w", "l1_h", "lr" };
  JsonObject *p;

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--l1", "0.1:10:2",
                        "--rank", "4", "--iters", "100", "--json", NULL), ==, 0);
  lines = sweep_json_lines (out, 2);
  point = last_json_object (lines[1]);
  summary = last_json_object (lines[2]);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (point, members[i]));
  p = json_object_get_object_member (point, "params");
  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    g_assert_true (json_object_has_member (p, params[i]));
  g_assert_cmpstr (json_object_get_string_member (point, "axis"), ==, "l1");
  g_assert_cmpfloat (json_object_get_double_member (point, "value"), ==, 10.0);
  g_assert_cmpfloat (json_object_get_double_member (p, "l1_w"), ==, 10.0);
  g_assert_cmpfloat (json_object_get_double_member (p, "l1_h"), ==, 10.0);
  g_assert_cmpint (json_object_get_int_member (p, "rank"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (point, "iterations"), ==, 100);
  /* No closed form with L1. */
  g_assert_true (json_object_get_null_member (point, "optimum"));
  g_assert_true (json_object_has_member (point, "optimum_null_because"));
  g_assert_true (json_object_get_null_member (point, "holdout_mse"));
  summary = json_object_ref (json_object_get_object_member (summary, "summary"));
  g_assert_cmpint (json_object_get_int_member (summary, "points"), ==, 2);
  g_assert_true (json_object_has_member (summary, "best_index"));
  g_assert_true (json_object_has_member (summary, "elapsed"));
}

/* With a split, the best point is the one of lowest held-out MSE; while
 * no point has one, the one of lowest final cost, never none. */
static void
test_sweep_best_with_holdout (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) last = NULL;
  g_autoptr(JsonObject) first = NULL;
  JsonObject *summary;
  gboolean has_holdout;

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--rank", "1:2",
                        "--holdout", "0.1", "--iters", "100", "--json", NULL), ==, 0);
  lines = sweep_json_lines (out, 2);
  first = last_json_object (lines[0]);
  last = last_json_object (lines[2]);
  summary = json_object_get_object_member (last, "summary");
  has_holdout = !json_object_get_null_member (first, "holdout_mse");
  g_assert_cmpstr (json_object_get_string_member (summary, "best_by"), ==,
                   has_holdout ? "holdout_mse" : "final_cost");
  g_assert_false (json_object_get_null_member (summary, "best_index"));
}

static void
test_sweep_text (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--rank", "2:4",
                        "--iters", "200", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  /* The input, the sweep, the threads, the column titles, 3 points, the
   * best and the time. */
  g_assert_cmpuint (g_strv_length (lines), ==, 9);
  g_assert_true (g_str_has_prefix (lines[1], "sweep of Rank from 2 to 4, 3 points"));
  g_assert_true (g_str_has_prefix (lines[4], "2 "));
  g_assert_true (g_str_has_prefix (lines[6], "4 "));
  g_assert_nonnull (strstr (lines[6], "iterations"));
  g_assert_true (g_str_has_prefix (lines[7], "best: rank 4, by final cost"));
  g_assert_true (g_str_has_prefix (lines[8], "3 points in "));
}

static void
check_sweep_fails (const char *expected,
                   const char *arg1,
                   const char *arg2,
                   const char *arg3,
                   const char *arg4)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", arg1, arg2, arg3, arg4,
                        NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  if (strstr (err, expected) == NULL)
    g_error ("“%s” not in: %s", expected, err);
}

static void
test_sweep_bad_arguments (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  check_sweep_fails ("Nothing to sweep", "--rank", "3", NULL, NULL);
  check_sweep_fails ("--rank and --l2 are both ranges", "--rank", "1:3", "--l2", "1:2:2");
  check_sweep_fails ("“1e-3:10” needs a count of points: A:B:N", "--l2", "1e-3:10", NULL, NULL);
  check_sweep_fails ("not 65", "--rank", "60:70", NULL, NULL);
  check_sweep_fails ("does not write files", "--rank", "1:2", "--out", "never-made");
  check_sweep_fails ("--l2-w: “x”", "--rank", "1:2", "--l2-w", "x");
  check_sweep_fails ("“4:2”", "--rank", "4:2", NULL, NULL);
  g_assert_false (g_file_test ("never-made", G_FILE_TEST_EXISTS));

  /* A diverged point: exit 2, as run, with every point printed. */
  g_assert_cmpint (cli (&out, &err, "sweep", "--example", "digits", "--rank", "1:2", "--lr", "1",
                        "--iters", "50", "--json", NULL), ==, 2);
  g_assert_nonnull (strstr (out, "\"stopped\":\"diverged\""));
  g_strfreev (sweep_json_lines (out, 2));
}

static void
test_sweep_help (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *usage = NULL;

  g_assert_cmpint (cli (&out, &err, "sweep", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--rank=A:B"));
  g_assert_nonnull (strstr (out, "--l2=A:B:N"));
  g_assert_nonnull (strstr (out, "--l1-h=A:B:N"));
  g_assert_nonnull (strstr (out, "--holdout"));
  g_assert_nonnull (strstr (out, "  digits "));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (&usage, &err, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (usage, "  sweep "));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("FS_CLI") == NULL)
    g_error ("FS_CLI must name the factorscope-cli binary (meson test sets it)");

  g_test_add_func ("/cli/bench/matches-peers", test_bench_matches_peers);
  g_test_add_func ("/cli/bad-arguments", test_bad_arguments);
  g_test_add_func ("/cli/run/json", test_run_json);
  g_test_add_func ("/cli/run/json-no-optimum", test_run_json_unavailable_optimum);
  g_test_add_func ("/cli/json/strict", test_json_strict);
  g_test_add_func ("/cli/out/folder-first", test_out_folder_first);
  g_test_add_func ("/cli/threads-and-special-files", test_threads_and_special_files);
  g_test_add_func ("/cli/run/divergence", test_divergence_reported);
  g_test_add_func ("/cli/run/unstable/oscillation", test_unstable_oscillation);
  g_test_add_func ("/cli/run/unstable/spikes", test_unstable_spikes);
  g_test_add_func ("/cli/run/unstable/restarts", test_unstable_restarts);
  g_test_add_func ("/cli/run/warnings", test_warnings_healthy_and_unbounded);
  g_test_add_func ("/cli/run/notebook", test_notebook);
  g_test_add_func ("/cli/run/out-files", test_out_files);
  g_test_add_func ("/cli/run/sparsity", test_run_sparsity);
  g_test_add_func ("/cli/run/out-files/size-limit", test_out_file_size_limit);
  g_test_add_func ("/cli/run/out-files/mode", test_out_keeps_mode);
  g_test_add_func ("/cli/run/out-files/symlinks", test_out_symlinks);
  g_test_add_func ("/cli/run/out-files/atoms-png", test_out_atoms_png);
  g_test_add_func ("/cli/run/out-files/json-npy", test_out_json_npy);
  g_test_add_func ("/cli/run/out-files/npy-needs-out", test_npy_needs_out);
  g_test_add_func ("/cli/run/scaling", test_scaling);
  g_test_add_func ("/cli/input/example-by-name", test_example_by_name);
  g_test_add_func ("/cli/input/stdin", test_stdin);
  g_test_add_func ("/cli/optimum/json", test_optimum_json);
  g_test_add_func ("/cli/info", test_info);
  g_test_add_func ("/cli/info-import", test_info_import);
  g_test_add_func ("/cli/info-index-labels", test_info_index_labels);
  g_test_add_func ("/cli/import-options", test_import_options);
  g_test_add_func ("/cli/unreadable-file", test_unreadable_file);
  g_test_add_func ("/cli/convert", test_convert);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/help/defaults", test_help_defaults);
  g_test_add_func ("/cli/run/every-example", test_every_example);
  g_test_add_func ("/cli/run/holdout/json", test_run_holdout_json);
  g_test_add_func ("/cli/run/holdout/text", test_run_holdout_text);
  g_test_add_func ("/cli/run/holdout/bad", test_run_holdout_bad);
  g_test_add_func ("/cli/run/file-defaults", test_file_defaults);
  g_test_add_func ("/cli/sweep/matches-run", test_sweep_matches_run);
  g_test_add_func ("/cli/sweep/holdout-matches-run", test_sweep_holdout_matches_run);
  g_test_add_func ("/cli/sweep/json-members", test_sweep_json_members);
  g_test_add_func ("/cli/sweep/text", test_sweep_text);
  g_test_add_func ("/cli/sweep/best-with-holdout", test_sweep_best_with_holdout);
  g_test_add_func ("/cli/sweep/bad-arguments", test_sweep_bad_arguments);
  g_test_add_func ("/cli/sweep/help", test_sweep_help);

  return g_test_run ();
}
