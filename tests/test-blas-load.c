/* test-blas-load.c: OpenBLAS and LAPACKE are loaded at the first linear
 * algebra only (fs-blas.c). `factorscope-cli info` and `convert` do none,
 * so they never load OpenBLAS, whose constructor starts its threads;
 * `run` loads it and gives the numbers the core gives in this process.
 *
 * The dynamic loader says which constructors it runs (LD_DEBUG=libs:
 * "calling init: PATH"): that is what is checked, in fresh processes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "fs-blas.h"
#include "fs-fit.h"
#include "fs-loader.h"
#include "fs-params.h"
#include "fs-test-util.h"

static char *
real_file (const char *folder,
           const char *name)
{
  return g_build_filename (g_getenv ("FS_TEST_DATA"), folder, name, NULL);
}

/* Runs the tool with args (NULL-terminated) and extra environment
 * (NAME=VALUE strings, may be NULL), and returns its exit status with its
 * standard output and error. */
static int
cli_env (const char * const  *env_extra,
         char               **out,
         char               **err,
         const char * const  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_ptr_array_add (argv, (gpointer) g_getenv ("FS_CLI"));
  for (guint k = 0; args[k] != NULL; k++)
    g_ptr_array_add (argv, (gpointer) args[k]);
  g_ptr_array_add (argv, NULL);
  for (guint k = 0; env_extra != NULL && env_extra[k] != NULL; k++)
    {
      g_auto(GStrv) pair = g_strsplit (env_extra[k], "=", 2);

      env = g_environ_setenv (env, pair[0], pair[1], TRUE);
    }

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* Whether the loader's trace (LD_DEBUG=libs) shows the constructor of a
 * library whose file name starts with prefix being run. */
static gboolean
trace_inits (const char *trace,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (trace, "\n", -1);

  for (guint k = 0; lines[k] != NULL; k++)
    {
      const char *init = strstr (lines[k], "calling init: ");
      const char *base;

      if (init == NULL)
        continue;
      base = strrchr (init, '/');
      if (base != NULL && g_str_has_prefix (base + 1, prefix))
        return TRUE;
    }
  return FALSE;
}

/* Runs the tool with LD_DEBUG=libs, checks it succeeded, and returns the
 * loader's trace. */
static char *
traced_run (const char * const *args)
{
  static const char * const env[] = { "LD_DEBUG=libs", NULL };
  g_autofree char *out = NULL;
  char *err = NULL;
  int status = cli_env (env, &out, &err, args);

  if (status != 0)
    g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 0);
  /* The trace is there at all: the C library's constructor is in it. */
  g_assert_true (trace_inits (err, "libc.so"));
  return err;
}

/* info and convert of every format, with options that reshape and scale:
 * no OpenBLAS, no LAPACKE. */
static void
test_info_convert_no_blas (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *csv = real_file ("csv", "R_volcano_87x61.csv");
  g_autofree char *npy = real_file ("npy", "skimage_lfw_subset_200x625.npy");
  g_autofree char *mtx = real_file ("mtx", "lund_a.mtx");
  g_autofree char *png = real_file ("images", "skimage_camera.png");
  g_autofree char *out_npy = g_build_filename (dir, "out.npy", NULL);
  g_autofree char *out_mtx = g_build_filename (dir, "out.mtx", NULL);
  g_autofree char *out_csv = g_build_filename (dir, "out.csv", NULL);
  const char * const *commands[] = {
    (const char * const[]) { "info", csv, NULL },
    (const char * const[]) { "info", "--json", npy, NULL },
    (const char * const[]) { "info", "--storage", "sparse", mtx, NULL },
    (const char * const[]) { "info", "--storage", "dense", "--transpose", mtx, NULL },
    (const char * const[]) { "info", png, NULL },
    (const char * const[]) { "convert", csv, out_npy, NULL },
    (const char * const[]) { "convert", "--transpose", npy, out_csv, NULL },
    (const char * const[]) { "convert", mtx, out_mtx, NULL },
    (const char * const[]) { "convert", png, out_npy, NULL },
  };

  for (guint k = 0; k < G_N_ELEMENTS (commands); k++)
    {
      g_autofree char *trace = traced_run (commands[k]);
      g_autofree char *line = g_strjoinv (" ", (char **) commands[k]);

      g_test_message ("factorscope-cli %s", line);
      g_assert_false (trace_inits (trace, "libopenblas"));
      g_assert_false (trace_inits (trace, "liblapacke"));
      /* The pixbuf and GLib are loaded, as they must be. */
      g_assert_true (trace_inits (trace, "libglib-2.0"));
    }
}

/* The final cost of 100 iterations at rank 2 from the data's learning
 * rate, one thread, in this process. */
static double
cost_after_100 (FsMatrix *X)
{
  FsParams params;
  g_autoptr(GError) error = NULL;
  g_autoptr(FsFit) fit = NULL;

  fs_params_init_defaults (&params);
  params.rank = 2;
  params.max_iters = 100;
  params.threads = 1;
  fit = fs_fit_new (X, &params, &error);
  g_assert_no_error (error);
  fs_fit_set_lr (fit, fs_solver_get_starting_lr (fs_fit_get_solver (fit)));
  while (fs_fit_iterate (fit))
    ;
  return fs_fit_get_final_cost (fit, 0);
}

/* run loads OpenBLAS and LAPACKE (the solver's products and the optimum's
 * SVD need them), and its cost is the one the core computes here. */
static void
test_run_loads_blas (void)
{
  g_autofree char *csv = real_file ("csv", "R_volcano_87x61.csv");
  const char * const args[] = { "run", csv, "--rank", "2", "--iters", "100", "--threads", "1",
                                "--json", NULL };
  g_autofree char *trace = traced_run (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(FsMatrix) X = NULL;
  JsonObject *result;
  double cost, optimum;

  g_assert_true (trace_inits (trace, "libopenblas"));
  g_assert_true (trace_inits (trace, "liblapacke"));

  g_assert_cmpint (cli_env (NULL, &out, &err, args), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  X = fs_matrix_load (csv, &error);
  g_assert_no_error (error);
  cost = cost_after_100 (X);
  g_assert_true (fs_blas_is_loaded ());
  g_assert_cmpfloat (fabs (json_object_get_double_member (result, "final_cost") - cost), <=,
                     1e-12 * cost);
  /* f* at rank 2 from the SVD (LAPACKE): volcano's best rank-2 relative
   * error is 0.0504 (tests/data/real/README.md, from numpy.linalg.svd). */
  optimum = json_object_get_double_member (result, "optimum");
  g_assert_cmpfloat (fabs (sqrt (optimum / fs_matrix_frobenius_sq (X)) - 0.0504), <, 5e-4);
}

/* In one process: loading every format and reading its figures loads
 * nothing; the thread count set before is applied at the first call. */
static void
test_lazy_in_process (void)
{
  if (g_test_subprocess ())
    {
      const char *files[][2] = {
        { "csv", "R_volcano_87x61.csv" },
        { "npy", "skimage_lfw_subset_200x625.npy" },
        { "mtx", "lund_a.mtx" },
        { "images", "skimage_camera.png" },
      };
      double dot;

      /* A count other than the test environment's OPENBLAS_NUM_THREADS. */
      fs_blas_set_threads (2);
      for (guint k = 0; k < G_N_ELEMENTS (files); k++)
        {
          g_autofree char *path = real_file (files[k][0], files[k][1]);
          g_autoptr(GError) error = NULL;
          g_autoptr(FsMatrix) X = fs_matrix_load (path, &error);
          double min, max;

          g_assert_no_error (error);
          g_assert_true (fs_matrix_range (X, &min, &max));
          g_assert_cmpfloat (fs_matrix_frobenius_sq (X), >, 0.0);
        }
      g_assert_false (fs_blas_is_loaded ());
      dot = cblas_ddot (3, (const double[]) { 1, 2, 3 }, 1, (const double[]) { 4, 5, 6 }, 1);
      g_assert_cmpfloat (dot, ==, 32.0);
      g_assert_true (fs_blas_is_loaded ());
      g_assert_cmpuint (fs_blas_get_threads (), ==, 2);
      fs_blas_set_threads (1);
      g_assert_cmpuint (fs_blas_get_threads (), ==, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A library that cannot be loaded stops the program with a message that
 * names it, at the first linear algebra: info still works. */
static void
test_missing_library (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *fake = g_build_filename (dir, "libopenblas.so.0", NULL);
  g_autofree char *env_path = g_strconcat ("LD_LIBRARY_PATH=", dir, NULL);
  const char * const env[] = { env_path, NULL };
  g_autofree char *csv = real_file ("csv", "R_volcano_87x61.csv");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *info_out = NULL;
  g_autofree char *info_err = NULL;

  g_file_set_contents (fake, "not a library\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cli_env (env, &out, &err,
                            (const char * const[]) { "run", csv, "--rank", "2", "--iters", "5",
                                                     NULL }), ==, 1);
  g_assert_nonnull (strstr (err, "cannot load libopenblas.so.0"));
  g_assert_nonnull (strstr (err, fake));
  g_assert_nonnull (strstr (err, "liblapacke"));
  g_assert_cmpint (cli_env (env, &info_out, &info_err,
                            (const char * const[]) { "info", csv, NULL }), ==, 0);
  g_assert_nonnull (strstr (info_out, "87"));
  g_remove (fake);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/blas-load/info-convert", test_info_convert_no_blas);
  g_test_add_func ("/blas-load/run", test_run_loads_blas);
  g_test_add_func ("/blas-load/in-process", test_lazy_in_process);
  g_test_add_func ("/blas-load/missing-library", test_missing_library);
  return g_test_run ();
}
