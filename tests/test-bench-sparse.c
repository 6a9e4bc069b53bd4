/* test-bench-sparse.c: the sparse benchmark problem of shared/bench
 * (peer_sparse.py's recipe) and `factorscope-cli bench --nnz`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "fs-bench-sparse.h"
#include "fs-random.h"

/* The first reference case of shared/bench/README.md, and what the scipy
 * peer prints for it with --iters 0. */
#define REF_N     "20000"
#define REF_M     "5000"
#define REF_NNZ   "500000"
#define REF_R     "16"
#define REF_OBSERVED      498705
#define REF_INITIAL_COST  111020.51856203118
#define REF_FINAL_COST    56367.62866918465   /* after 10 iterations, plain */
#define REF_LR            0.0042451441706450755

/* The scipy peer's data and iterations (shared/bench/peer_sparse.py,
 * make_data, cost and run_scipy), held here because tests read nothing
 * outside the repository. argv: n m nnz r iters rule seed. */
static const char peer_script[] =
  "import json, sys\n"
  "import numpy as np\n"
  "import scipy.sparse as sp\n"
  "n, m, nnz, r, iters = (int(v) for v in sys.argv[1:6])\n"
  "rule, key = sys.argv[6], 16 * int(sys.argv[7])\n"
  "l2_w = l2_h = 1e-3\n"
  "def at(key, idx):\n"
  "    u64 = np.uint64\n"
  "    z = u64(key) + (idx.astype(u64) + u64(1)) * u64(0x9E3779B97F4A7C15)\n"
  "    z = (z ^ (z >> u64(30))) * u64(0xBF58476D1CE4E5B9)\n"
  "    z = (z ^ (z >> u64(27))) * u64(0x94D049BB133111EB)\n"
  "    z ^= z >> u64(31)\n"
  "    return (z >> u64(11)) * 2.0**-52 - 1.0\n"
  "def uniform(key, shape):\n"
  "    return at(key, np.arange(int(np.prod(shape)), dtype=np.uint64)).reshape(shape)\n"
  "t = np.arange(nnz, dtype=np.uint64)\n"
  "i = np.minimum(((at(key + 6, t) + 1) / 2 * n).astype(np.int64), n - 1)\n"
  "j = np.minimum(((at(key + 7, t) + 1) / 2 * m).astype(np.int64), m - 1)\n"
  "flat = i * m + j\n"
  "_, first = np.unique(flat, return_index=True)\n"
  "first.sort()\n"
  "i, j, flat = i[first], j[first], flat[first]\n"
  "order = np.lexsort((j, i))\n"
  "i, j, flat = i[order], j[order], flat[order]\n"
  "A = uniform(key + 1, (n, r))\n"
  "B = uniform(key + 2, (r, m))\n"
  "x = np.einsum('tk,tk->t', A[i], B[:, j].T) / np.sqrt(r) \\\n"
  "    + 0.01 * at(key + 3, flat.astype(np.uint64))\n"
  "W0 = r**-0.25 * uniform(key + 4, (n, r))\n"
  "H0 = r**-0.25 * uniform(key + 5, (r, m))\n"
  "lr = 1.0 / np.linalg.norm(x) if rule == 'plain' else 0.05\n"
  "def cost(W, H):\n"
  "    res = x - np.einsum('tk,tk->t', W[i], H[:, j].T)\n"
  "    return float(res @ res + l2_w * np.vdot(W, W) + l2_h * np.vdot(H, H))\n"
  "W, H = W0.copy(), H0.copy()\n"
  "R = sp.csr_matrix((np.zeros_like(x), (i, j)), shape=(n, m))\n"
  "R.sort_indices()\n"
  "for _ in range(iters):\n"
  "    R.data[:] = x - np.einsum('tk,tk->t', W[i], H[:, j].T)\n"
  "    gW = -2.0 * (R @ H.T) + (2 * l2_w) * W\n"
  "    gH = -2.0 * (R.T @ W).T + (2 * l2_h) * H\n"
  "    W[...] -= (lr / np.linalg.norm(gW) if rule == 'normalized' else lr) * gW\n"
  "    H[...] -= (lr / np.linalg.norm(gH) if rule == 'normalized' else lr) * gH\n"
  "print(json.dumps(dict(nnz=int(len(x)), lr=lr, initial_cost=cost(W0, H0),\n"
  "                      final_cost=cost(W, H))))\n";

static JsonObject *
parse_last_line (const char *text)
{
  g_autofree char *copy = g_strchomp (g_strdup (text));
  const char *line = strrchr (copy, '\n') != NULL ? strrchr (copy, '\n') + 1 : copy;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Runs argv (NULL-terminated) and returns its last output line as JSON;
 * the exit status must be 0. */
static JsonObject *
run_json (const char * const *argv)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return parse_last_line (out);
}

static void
assert_close (double      got,
              double      expected,
              double      tolerance,
              const char *what)
{
  double diff = fabs (got - expected) / fabs (expected);

  g_test_message ("%s: %.17g against %.17g (relative %.1e)", what, got, expected, diff);
  g_assert_cmpfloat (diff, <=, tolerance);
}

/* The layout is compressed rows without repeats, and each value, W0 and
 * H0 are the recipe's, recomputed here from the streams one at a time. */
static void
test_recipe (void)
{
  const gsize n = 300, m = 200, candidates = 20000;
  const guint r = 6;
  g_autoptr(FsSparse) X = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  g_autofree double *A = g_new (double, n * r);
  g_autofree double *B = g_new (double, r * m);
  g_autofree double *E = g_new (double, n * m);
  g_autofree double *w = g_new (double, n * r);
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_bench_sparse_problem (n, m, candidates, r, 3, &X, &W0, &H0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (X->nnz, <, candidates);
  g_assert_cmpuint (X->nnz, >, candidates / 2);
  g_assert_false (X->zeros_are_values);

  fs_random_fill_signed (fs_random_key (3, 1), A, n * r);
  fs_random_fill_signed (fs_random_key (3, 2), B, r * m);
  fs_random_fill_signed (fs_random_key (3, 3), E, n * m);
  fs_random_fill_signed (fs_random_key (3, 4), w, n * r);
  for (gsize k = 0; k < n * r; k++)
    g_assert_cmpfloat (W0[k], ==, pow (r, -0.25) * w[k]);
  for (gsize i = 0; i < n; i++)
    for (gsize e = X->row_ptr[i]; e < X->row_ptr[i + 1]; e++)
      {
        gsize j = X->col_idx[e];
        double dot = 0.0;

        g_assert_true (e == X->row_ptr[i] || X->col_idx[e - 1] < j);
        for (guint k = 0; k < r; k++)
          dot += A[i * r + k] * B[k * m + j];
        g_assert_cmpfloat (fabs (X->values[e] - (dot / sqrt (r) + 0.01 * E[i * m + j])), <, 1e-15);
      }
}

/* Candidate t lands on the cell of streams 6 and 7 at t: the first
 * candidates of a matrix with few repeats are all listed. */
static void
test_positions (void)
{
  const gsize n = 100000, m = 70000;
  g_autoptr(FsSparse) X = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  double u6[50], u7[50];
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_bench_sparse_problem (n, m, 50, 1, 0, &X, &W0, &H0, &error));
  g_assert_cmpuint (X->nnz, ==, 50);
  fs_random_fill_signed (fs_random_key (0, 6), u6, 50);
  fs_random_fill_signed (fs_random_key (0, 7), u7, 50);
  for (guint t = 0; t < 50; t++)
    g_assert_cmpint (fs_sparse_find (X, (gsize) ((u6[t] + 1) / 2 * n),
                                     (gsize) ((u7[t] + 1) / 2 * m)), >=, 0);
}

/* Four million by four million: a dense array would need 128 TB, the
 * recipe needs the cells and the factors only. */
static void
test_no_dense_array (void)
{
  const gsize n = 4000000, m = 4000000;
  g_autoptr(FsSparse) X = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_bench_sparse_problem (n, m, 100000, 2, 1, &X, &W0, &H0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (X->rows, ==, n);
  g_assert_cmpuint (X->nnz, ==, 100000);
  g_assert_cmpfloat (fs_bench_sparse_cost (X, W0, H0, 2, 0.0, 0.0), >, 0.0);
}

/* The first reference case of shared/bench/README.md: the cells and the
 * starting cost, without the solver. */
static void
test_reference_problem (void)
{
  g_autoptr(FsSparse) X = NULL;
  g_autofree double *W0 = NULL;
  g_autofree double *H0 = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_bench_sparse_problem (20000, 5000, 500000, 16, 0, &X, &W0, &H0, &error));
  g_assert_cmpuint (X->nnz, ==, REF_OBSERVED);
  assert_close (fs_bench_sparse_cost (X, W0, H0, 16, 1e-3, 1e-3), REF_INITIAL_COST, 1e-12,
                "initial cost");
  assert_close (1.0 / sqrt (fs_sparse_frobenius_sq (X)), REF_LR, 1e-14, "lr");
}

/* `bench --nnz` on the first reference case, on one thread and two: the
 * solver's sparse path reaches the peers' final cost to 1e-9. */
static void
test_reference_cli (void)
{
  const char *threads[] = { "1", "2" };

  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      const char *argv[] = {
        g_getenv ("FS_CLI"), "bench", "--n", REF_N, "--m", REF_M, "--nnz", REF_NNZ,
        "--r", REF_R, "--iters", "10", "--threads", threads[k], NULL
      };
      g_autoptr(JsonObject) result = run_json (argv);

      g_assert_cmpstr (json_object_get_string_member (result, "peer"), ==, "factorscope");
      g_assert_cmpint (json_object_get_int_member (result, "nnz"), ==, REF_OBSERVED);
      g_assert_cmpint (json_object_get_int_member (result, "iters"), ==, 10);
      assert_close (json_object_get_double_member (result, "lr"), REF_LR, 1e-14, "lr");
      assert_close (json_object_get_double_member (result, "initial_cost"), REF_INITIAL_COST,
                    1e-12, "initial cost");
      assert_close (json_object_get_double_member (result, "final_cost"), REF_FINAL_COST,
                    1e-9, "final cost");
      g_assert_cmpfloat (json_object_get_double_member (result, "iterations_per_second"), >, 0);
    }
}

/* The same small problem on the dense path (masked n × m arrays) and on
 * the sparse path: the scipy peer's final cost, and each other's to 1e-12. */
static void
test_storages (void)
{
  const char *storages[] = { "dense", "sparse" };
  double final[G_N_ELEMENTS (storages)];

  for (guint k = 0; k < G_N_ELEMENTS (storages); k++)
    {
      const char *argv[] = {
        g_getenv ("FS_CLI"), "bench", "--n", "300", "--m", "200", "--nnz", "2000", "--r", "5",
        "--iters", "10", "--storage", storages[k], NULL
      };
      g_autoptr(JsonObject) result = run_json (argv);

      g_assert_cmpstr (json_object_get_string_member (result, "storage"), ==, storages[k]);
      g_assert_cmpint (json_object_get_int_member (result, "nnz"), ==, 1969);
      final[k] = json_object_get_double_member (result, "final_cost");
      assert_close (final[k], 53.91339698531661, 1e-9, storages[k]);
    }
  assert_close (final[1], final[0], 1e-12, "sparse against dense");
}

static void
test_bad_nnz (void)
{
  const char *argv[] = { g_getenv ("FS_CLI"), "bench", "--nnz", "-5", NULL };
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, NULL);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_assert_nonnull (strstr (err, "--nnz"));
}

/* A small case of both rules against the scipy peer's own code, run by
 * Debian's python3 (registered only where scipy imports). */
static void
check_against_peer (const char *rule)
{
  const char *python = g_getenv ("FS_PYTHON") != NULL ? g_getenv ("FS_PYTHON") : "python3";
  const char *peer_argv[] = {
    python, "-c", peer_script, "3000", "1000", "40000", "8", "30", rule, "2", NULL
  };
  const char *our_argv[] = {
    g_getenv ("FS_CLI"), "bench", "--n", "3000", "--m", "1000", "--nnz", "40000", "--r", "8",
    "--iters", "30", "--rule", rule, "--seed", "2", "--threads", "2", NULL
  };
  g_autoptr(JsonObject) peer = run_json (peer_argv);
  g_autoptr(JsonObject) ours = run_json (our_argv);

  g_assert_cmpint (json_object_get_int_member (ours, "nnz"), ==,
                   json_object_get_int_member (peer, "nnz"));
  assert_close (json_object_get_double_member (ours, "lr"),
                json_object_get_double_member (peer, "lr"), 1e-14, "lr");
  assert_close (json_object_get_double_member (ours, "initial_cost"),
                json_object_get_double_member (peer, "initial_cost"), 1e-12, "initial cost");
  assert_close (json_object_get_double_member (ours, "final_cost"),
                json_object_get_double_member (peer, "final_cost"), 1e-9, "final cost");
}

static void
test_peer_scipy (void)
{
  check_against_peer ("plain");
  check_against_peer ("normalized");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench-sparse/recipe", test_recipe);
  g_test_add_func ("/bench-sparse/positions", test_positions);
  g_test_add_func ("/bench-sparse/no-dense-array", test_no_dense_array);
  g_test_add_func ("/bench-sparse/reference-problem", test_reference_problem);
  g_test_add_func ("/bench-sparse/reference-cli", test_reference_cli);
  g_test_add_func ("/bench-sparse/storages", test_storages);
  g_test_add_func ("/bench-sparse/bad-nnz", test_bad_nnz);
  /* Only where meson found a python3 that imports scipy (FS_PYTHON): a
   * skip would read as a pass. */
  if (g_getenv ("FS_PYTHON") != NULL)
    g_test_add_func ("/bench-sparse/peer-scipy", test_peer_scipy);

  return g_test_run ();
}
