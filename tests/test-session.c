/* test-session.c: the session object, without any display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-examples.h"
#include "fs-optimum.h"
#include "fs-session.h"
#include "fs-sparse.h"

typedef struct
{
  FsSession *session;
  char      *dir;
  guint      n_changed;
  gboolean   last_new_source;
  char      *failure;
  guint      n_optimum;
  guint      n_singular_values;
} Fixture;

static void
on_changed (FsSession *session,
            gboolean   new_source,
            Fixture   *f)
{
  f->n_changed++;
  f->last_new_source = new_source;
}

static void
on_failed (FsSession  *session,
           const char *message,
           Fixture    *f)
{
  g_free (f->failure);
  f->failure = g_strdup (message);
}

static void
on_optimum (Fixture *f)
{
  f->n_optimum++;
}

static void
on_singular_values (Fixture *f)
{
  f->n_singular_values++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->session = fs_session_new ();
  f->dir = g_dir_make_tmp ("factorscope-session-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_signal_connect (f->session, "matrix-changed", G_CALLBACK (on_changed), f);
  g_signal_connect (f->session, "failed", G_CALLBACK (on_failed), f);
  g_signal_connect_swapped (f->session, "notify::optimum", G_CALLBACK (on_optimum), f);
  g_signal_connect_swapped (f->session, "notify::singular-values",
                            G_CALLBACK (on_singular_values), f);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  fs_session_close (f->session);
  fs_session_wait_for_tasks (f->session);
  /* Tasks hand their results back on the main context, and hold the
   * session until then. */
  for (int k = 0; k < 10000 && G_OBJECT (f->session)->ref_count > 1; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_finalize_object (f->session);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->failure);
}

static gboolean
wait_until (gboolean (*done) (Fixture *),
            Fixture  *f)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!done (f))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return TRUE;
}

static gboolean
changed_once (Fixture *f)
{
  return f->n_changed >= 1;
}

static gboolean
failed (Fixture *f)
{
  return f->failure != NULL;
}

static gboolean
idle (Fixture *f)
{
  return !fs_session_get_busy (f->session) && !fs_session_get_computing_optimum (f->session);
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (f->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

/* diag(3, 2, 1) with a zero row: rank-1 f* is 2² + 1² = 5 (Eckart–Young). */
static const char diagonal_csv[] = "3,0,0\n0,2,0\n0,0,1\n0,0,0\n";

static void
test_open_commits (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = write_file (f, "diagonal.csv", diagonal_csv);
  g_autoptr(FsSnapshot) snap = NULL;
  FsMatrix *X;
  FsParams params;

  g_assert_null (fs_session_get_matrix (f->session));
  fs_session_open_path (f->session, path);
  g_assert_true (fs_session_get_busy (f->session));
  /* Nothing changes before the new matrix is whole. */
  g_assert_null (fs_session_get_matrix (f->session));
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (f->last_new_source);
  g_assert_null (f->failure);

  X = fs_session_get_matrix (f->session);
  g_assert_nonnull (X);
  g_assert_cmpuint (X->rows, ==, 4);
  g_assert_cmpuint (X->cols, ==, 3);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "diagonal.csv");
  /* A file gets the default rank, within what the matrix allows. */
  g_assert_cmpuint (fs_session_get_params (f->session)->rank, ==, fs_params_default_rank (4, 3));
  g_assert_cmpfloat (fs_session_get_params (f->session)->lr, >, 0.0);
  snap = fs_session_get_snapshot (f->session);
  g_assert_nonnull (snap);
  g_assert_cmpuint (snap->rank, ==, 3);

  /* f* arrives from the SVD, and follows the rank. */
  g_assert_true (wait_until (idle, f));
  g_assert_cmpfloat_with_epsilon (fs_session_get_optimum (f->session), 0.0, 1e-12);
  params = *fs_session_get_params (f->session);
  params.rank = 1;
  g_assert_true (fs_session_set_params (f->session, &params, NULL));
  g_assert_cmpfloat_with_epsilon (fs_session_get_optimum (f->session), 5.0, 1e-12);
}

static void
test_failed_load_keeps_everything (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *good = write_file (f, "diagonal.csv", diagonal_csv);
  g_autofree char *bad = write_file (f, "ragged.csv", "1,2,3\n4,5\n");
  g_autoptr(FsSnapshot) before = NULL;
  g_autoptr(FsSnapshot) after = NULL;
  FsMatrix *X;
  FsParams params;

  fs_session_open_path (f->session, good);
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  X = fs_session_get_matrix (f->session);
  params = *fs_session_get_params (f->session);
  before = fs_session_get_snapshot (f->session);

  fs_session_open_path (f->session, bad);
  g_assert_true (wait_until (failed, f));
  g_test_message ("%s", f->failure);
  g_assert_nonnull (strstr (f->failure, "ragged.csv:2:"));
  g_assert_nonnull (strstr (f->failure, "stays"));
  g_assert_true (wait_until (idle, f));

  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_true (fs_session_get_matrix (f->session) == X);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "diagonal.csv");
  g_assert_cmpuint (fs_session_get_params (f->session)->rank, ==, params.rank);
  after = fs_session_get_snapshot (f->session);
  g_assert_cmpuint (after->serial, ==, before->serial);
  g_assert_false (fs_session_get_busy (f->session));
}

static gboolean
has_singular_values (Fixture *f)
{
  return fs_session_get_singular_values (f->session) != NULL;
}

static void
check_singular_values (Fixture      *f,
                       const double *expected,
                       guint         len)
{
  GArray *values = fs_session_get_singular_values (f->session);
  g_autoptr(GArray) property = NULL;

  g_object_get (f->session, "singular-values", &property, NULL);
  g_assert_true (property == values);
  g_assert_cmpuint (values->len, ==, len);
  for (guint k = 0; k < len; k++)
    g_assert_cmpfloat_with_epsilon (g_array_index (values, double, k), expected[k], 1e-12);
}

/* X's singular values as a property: notified when they arrive, when a
 * new X drops them and when the session closes. */
static void
test_singular_values (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = write_file (f, "diagonal.csv", diagonal_csv);
  const double diagonal[] = { 3.0, 2.0, 1.0 };
  FsParams params;

  g_assert_null (fs_session_get_singular_values (f->session));
  fs_session_open_path (f->session, path);
  g_assert_true (wait_until (has_singular_values, f));
  g_assert_cmpuint (f->n_singular_values, ==, 1);
  check_singular_values (f, diagonal, 3);

  /* A new rank keeps X and its values. */
  params = *fs_session_get_params (f->session);
  params.rank = 1;
  g_assert_true (fs_session_set_params (f->session, &params, NULL));
  g_assert_cmpuint (f->n_singular_values, ==, 1);

  /* A new scaling drops them with the old X, then brings the new ones. */
  fs_session_set_scaling (f->session, FS_SCALING_UNIT_RANGE);
  g_assert_true (wait_until (idle, f));
  g_assert_true (has_singular_values (f));
  g_assert_cmpuint (f->n_singular_values, ==, 3);
  check_singular_values (f, (const double[]) { 1.0, 1.0 / 1.5, 1.0 / 3.0 }, 3);

  fs_session_close (f->session);
  g_assert_null (fs_session_get_singular_values (f->session));
  g_assert_cmpuint (f->n_singular_values, ==, 4);
}

static void
test_scaling_prepares_again (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = write_file (f, "small.csv", "1,2\n3,4\n5,7\n");
  FsMatrix *source;
  FsMatrix *X;

  fs_session_open_path (f->session, path);
  g_assert_true (wait_until (changed_once, f));
  source = fs_session_get_source (f->session);
  g_assert_true (fs_session_get_matrix (f->session) == source);

  fs_session_set_scaling (f->session, FS_SCALING_UNIT_RANGE);
  /* The scaling is the session's only once the new X is committed. */
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_NONE);
  f->n_changed = 0;
  g_assert_true (wait_until (changed_once, f));
  g_assert_false (f->last_new_source);
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_UNIT_RANGE);
  g_assert_true (fs_session_get_source (f->session) == source);
  X = fs_session_get_matrix (f->session);
  g_assert_cmpfloat (X->data[0], ==, 0.0);
  g_assert_cmpfloat (X->data[5], ==, 1.0);
}

/* A sparse rows × cols matrix of about share × rows × cols random cells
 * in [1, 5]. */
static FsMatrix *
random_sparse (gsize    rows,
               gsize    cols,
               double   share,
               guint32  seed,
               gboolean zeros_are_values)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize count = (gsize) (share * rows * cols);
  g_autofree guint32 *r = g_new (guint32, count);
  g_autofree guint32 *c = g_new (guint32, count);
  g_autofree double *v = g_new (double, count);
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSparse) sparse = NULL;

  for (gsize k = 0; k < count; k++)
    {
      r[k] = (guint32) g_rand_int_range (rand, 0, (gint32) rows);
      c[k] = (guint32) g_rand_int_range (rand, 0, (gint32) cols);
      v[k] = g_rand_double_range (rand, 1.0, 5.0);
    }
  sparse = fs_sparse_new_from_cells (rows, cols, r, c, v, count, NULL, &error);
  g_assert_no_error (error);
  sparse->zeros_are_values = zeros_are_values;
  return fs_matrix_new_sparse (sparse);
}

/* Each listed value of scaled is that of source standardized over the
 * listed values of its column (mean 0, sample deviation 1). */
static void
assert_standardized (const FsMatrix *source,
                     const FsMatrix *scaled)
{
  const FsSparse *a = source->sparse, *b = scaled->sparse;
  g_autofree double *sum = g_new0 (double, a->cols);
  g_autofree double *squares = g_new0 (double, a->cols);
  g_autofree gsize *count = g_new0 (gsize, a->cols);

  g_assert_nonnull (b);
  g_assert_cmpuint (b->nnz, ==, a->nnz);
  for (gsize e = 0; e < a->nnz; e++)
    {
      sum[a->col_idx[e]] += a->values[e];
      count[a->col_idx[e]]++;
    }
  for (gsize j = 0; j < a->cols; j++)
    sum[j] /= MAX (count[j], 1);
  for (gsize e = 0; e < a->nnz; e++)
    squares[a->col_idx[e]] += pow (a->values[e] - sum[a->col_idx[e]], 2);
  for (gsize e = 0; e < a->nnz; e++)
    {
      guint32 j = a->col_idx[e];
      double sd = sqrt (squares[j] / (count[j] - 1));

      g_assert_cmpuint (count[j], >, 1);
      g_assert_cmpuint (b->col_idx[e], ==, j);
      g_assert_cmpfloat_with_epsilon (b->values[e], (a->values[e] - sum[j]) / sd, 1e-12);
    }
}

/* A sparse matrix takes a scaling as a dense one does: Standardize scales
 * its listed values per column, and a new sparse matrix keeps it. */
static void
test_sparse_scaling (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(FsMatrix) first = random_sparse (30, 12, 0.3, 3, FALSE);
  g_autoptr(FsMatrix) second = random_sparse (25, 10, 0.4, 4, FALSE);

  fs_session_set_matrix (f->session, first, "first", 2);
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (fs_session_get_matrix (f->session) == first);

  f->n_changed = 0;
  fs_session_set_scaling (f->session, FS_SCALING_STANDARDIZE_COLUMNS);
  g_assert_true (wait_until (changed_once, f));
  g_assert_null (f->failure);
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_STANDARDIZE_COLUMNS);
  g_assert_true (fs_matrix_is_sparse (fs_session_get_matrix (f->session)));
  assert_standardized (first, fs_session_get_matrix (f->session));

  f->n_changed = 0;
  fs_session_set_matrix (f->session, second, "second", 2);
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (f->last_new_source);
  g_assert_null (f->failure);
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_STANDARDIZE_COLUMNS);
  assert_standardized (second, fs_session_get_matrix (f->session));
}

/* Zeros that are values would stop being zeros: fs_matrix_scaled's own
 * message reaches "failed" and the matrix stays as it was. */
static void
test_sparse_scaling_refused (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(FsMatrix) X = random_sparse (30, 12, 0.3, 5, TRUE);

  fs_session_set_matrix (f->session, X, "counts", 2);
  g_assert_true (wait_until (changed_once, f));
  fs_session_set_scaling (f->session, FS_SCALING_CENTER_COLUMNS);
  g_assert_true (wait_until (failed, f));
  g_test_message ("%s", f->failure);
  g_assert_nonnull (strstr (f->failure, "unlisted zeros"));
  g_assert_true (wait_until (idle, f));
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_NONE);
  g_assert_true (fs_session_get_matrix (f->session) == X);
}

static gboolean
has_values_for_80 (Fixture *f)
{
  GArray *values = fs_session_get_singular_values (f->session);

  return values != NULL && values->len >= 80;
}

/* f* of a sparse matrix whose zeros are values above FS_OPTIMUM_SPARSE_TOP:
 * a rank past the values computed computes more, and f* is then known
 * (the command line's run prints it too). */
static void
test_sparse_optimum_high_rank (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(FsMatrix) X = random_sparse (120, 100, 0.3, 6, TRUE);
  g_autoptr(GArray) expected = NULL;
  FsParams params;

  fs_session_set_matrix (f->session, X, "counts", 4);
  g_assert_true (wait_until (has_singular_values, f));
  g_assert_cmpuint (fs_session_get_singular_values (f->session)->len, ==, FS_OPTIMUM_SPARSE_TOP);
  g_assert_true (isfinite (fs_session_get_optimum (f->session)));

  /* Within the values computed: nothing starts again. */
  params = *fs_session_get_params (f->session);
  params.rank = FS_OPTIMUM_SPARSE_TOP;
  g_assert_true (fs_session_set_params (f->session, &params, NULL));
  g_assert_false (fs_session_get_computing_optimum (f->session));
  g_assert_true (isfinite (fs_session_get_optimum (f->session)));

  params.rank = 80;
  g_assert_true (fs_session_set_params (f->session, &params, NULL));
  g_assert_true (fs_session_get_computing_optimum (f->session));
  g_assert_true (wait_until (has_values_for_80, f));
  g_assert_true (wait_until (idle, f));
  expected = fs_singular_values_for_rank (X, 80, NULL);
  g_assert_nonnull (expected);
  g_assert_cmpfloat_with_epsilon (fs_session_get_optimum (f->session),
                                  fs_optimum_for_matrix (X, expected, 80, params.l2_w, params.l2_h),
                                  1e-9 * fs_matrix_frobenius_sq (X));
}

static gboolean
running (Fixture *f)
{
  g_autoptr(FsSnapshot) s = fs_session_get_snapshot (f->session);

  return s != NULL && s->state == FS_RUNNER_RUNNING && s->iteration > 0;
}

static gboolean
running_from_start (Fixture *f)
{
  g_autoptr(FsSnapshot) s = fs_session_get_snapshot (f->session);

  return s != NULL && s->state == FS_RUNNER_RUNNING && s->rank == 2 && s->iteration > 0;
}

/* New settings restart a running solve, which keeps running. */
static void
test_params_keep_running (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  FsParams params;

  g_assert_true (fs_session_load_example (f->session, "lowrank", &error));
  g_assert_no_error (error);
  g_assert_true (wait_until (changed_once, f));
  params = *fs_session_get_params (f->session);
  g_assert_cmpfloat (params.tol, ==, FS_SESSION_DEFAULT_TOL);
  params.max_iters = 50000000;
  params.tol = 0.0;
  g_assert_true (fs_session_set_params (f->session, &params, NULL));
  fs_session_run (f->session);
  g_assert_true (wait_until (running, f));

  params.rank = 2;
  g_assert_true (fs_session_set_params (f->session, &params, &error));
  g_assert_no_error (error);
  g_assert_true (wait_until (running_from_start, f));

  params.rank = 1000;
  g_assert_false (fs_session_set_params (f->session, &params, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (fs_session_get_params (f->session)->rank, ==, 2);
}

static void
on_lr (GObject      *object,
       GAsyncResult *result,
       gpointer      data)
{
  double *lr = data;
  g_autoptr(GError) error = NULL;

  *lr = fs_session_starting_lr_finish (FS_SESSION (object), result, &error);
  g_assert_no_error (error);
}

static gboolean
lr_known (Fixture *f)
{
  return !isnan (*(double *) g_object_get_data (G_OBJECT (f->session), "lr"));
}

/* The starting step the session suggests is the one a new matrix got. */
static void
test_starting_lr (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  double lr = NAN;

  g_assert_true (fs_session_load_example (f->session, "lowrank", &error));
  g_assert_true (wait_until (changed_once, f));
  g_object_set_data (G_OBJECT (f->session), "lr", &lr);
  fs_session_starting_lr_async (f->session, fs_session_get_params (f->session), NULL, on_lr, &lr);
  g_assert_true (wait_until (lr_known, f));
  g_assert_cmpfloat (lr, >, 0.0);
  g_assert_cmpfloat (lr, ==, fs_session_get_params (f->session)->lr);
}

/* Every example of the table loads, at its own rank, under its title. */
static void
test_every_example (Fixture       *f,
                    gconstpointer  data)
{
  guint n;
  const FsExample *examples = fs_examples_get (&n);

  g_assert_cmpuint (n, >=, 5);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) expected = fs_example_load (&examples[i], &error);

      g_assert_no_error (error);
      f->n_changed = 0;
      g_assert_true (fs_session_load_example (f->session, examples[i].name, &error));
      g_assert_no_error (error);
      g_assert_true (wait_until (changed_once, f));
      g_assert_cmpstr (fs_session_get_name (f->session), ==, examples[i].title);
      g_assert_cmpuint (fs_session_get_matrix (f->session)->rows, ==, expected->rows);
      g_assert_cmpuint (fs_session_get_matrix (f->session)->cols, ==, expected->cols);
      g_assert_cmpuint (fs_session_get_params (f->session)->rank, ==, examples[i].default_rank);
    }
  g_assert_false (fs_session_load_example (f->session, "no-such-example", NULL));
}

/* Of two files opened one after the other, only the second is committed. */
static void
test_stale_result_dropped (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *first = write_file (f, "first.csv", diagonal_csv);
  g_autofree char *second = write_file (f, "second.csv", "1,2\n3,4\n");

  fs_session_open_path (f->session, first);
  fs_session_open_path (f->session, second);
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "second.csv");
  g_assert_cmpuint (fs_session_get_matrix (f->session)->rows, ==, 2);
}

/* A scaling chosen while a matrix is prepared applies to that matrix. */
static void
test_scaling_during_prepare (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  double lo, hi;

  g_assert_true (fs_session_load_example (f->session, "digits", &error));
  fs_session_set_scaling (f->session, FS_SCALING_UNIT_RANGE);
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "Handwritten digits");
  g_assert_cmpint (fs_session_get_scaling (f->session), ==, FS_SCALING_UNIT_RANGE);
  g_assert_true (fs_matrix_range (fs_session_get_matrix (f->session), &lo, &hi));
  g_assert_cmpfloat (lo, ==, 0.0);
  g_assert_cmpfloat (hi, ==, 1.0);

  /* The same scaling again prepares nothing. */
  fs_session_set_scaling (f->session, FS_SCALING_UNIT_RANGE);
  g_assert_false (fs_session_get_busy (f->session));
}

/* Settings changed while a matrix is prepared are the new matrix's too. */
static void
test_edits_during_prepare (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  FsParams params;

  g_assert_true (fs_session_load_example (f->session, "lowrank", &error));
  g_assert_true (wait_until (changed_once, f));
  f->n_changed = 0;
  g_assert_true (fs_session_load_example (f->session, "notebook", &error));
  params = *fs_session_get_params (f->session);
  params.l2_w = 0.5;
  g_assert_true (fs_session_set_params (f->session, &params, &error));
  g_assert_true (wait_until (changed_once, f));
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "Notebook example");
  g_assert_cmpfloat (fs_session_get_params (f->session)->l2_w, ==, 0.5);
  g_assert_cmpuint (fs_session_get_params (f->session)->rank, ==, 2);
}

/* A file that fails with nothing loaded does not promise a matrix stays. */
static void
test_first_file_fails (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *bad = write_file (f, "ragged.csv", "1,2,3\n4,5\n");

  fs_session_open_path (f->session, bad);
  g_assert_true (wait_until (failed, f));
  g_assert_nonnull (strstr (f->failure, "ragged.csv:2:"));
  g_assert_null (strstr (f->failure, "stays"));
  g_assert_null (fs_session_get_matrix (f->session));
}

/* Closing drops what is still on its way, and stops the runner. */
static void
test_close_drops_pending (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *path = write_file (f, "diagonal.csv", diagonal_csv);

  fs_session_open_path (f->session, path);
  fs_session_close (f->session);
  fs_session_wait_for_tasks (f->session);
  for (int k = 0; k < 200; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  g_assert_cmpuint (f->n_changed, ==, 0);
  g_assert_null (f->failure);
  g_assert_null (fs_session_get_snapshot (f->session));
}

/* Loading: progress and cancel */

typedef struct
{
  GArray *loading;    /* gboolean: each value "loading" was notified with */
  GArray *progress;   /* double: each "load-progress" notified */
  GArray *times;      /* gint64: when each "load-progress" came */
} LoadLog;

static void
on_loading (FsSession  *session,
            GParamSpec *pspec,
            LoadLog    *log)
{
  gboolean loading = fs_session_get_loading (session);

  g_array_append_val (log->loading, loading);
}

static void
on_load_progress (FsSession  *session,
                  GParamSpec *pspec,
                  LoadLog    *log)
{
  double fraction = fs_session_get_load_progress (session);
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (log->progress, fraction);
  g_array_append_val (log->times, now);
}

static void
load_log_init (LoadLog   *log,
               FsSession *session)
{
  log->loading = g_array_new (FALSE, FALSE, sizeof (gboolean));
  log->progress = g_array_new (FALSE, FALSE, sizeof (double));
  log->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (session, "notify::loading", G_CALLBACK (on_loading), log);
  g_signal_connect (session, "notify::load-progress", G_CALLBACK (on_load_progress), log);
}

static void
load_log_clear (LoadLog   *log,
                FsSession *session)
{
  g_signal_handlers_disconnect_by_data (session, log);
  g_array_unref (log->loading);
  g_array_unref (log->progress);
  g_array_unref (log->times);
}

/* A CSV of rows × 50 numbers, about 6 bytes a cell. */
static char *
write_big_csv (Fixture    *f,
               const char *name,
               guint       rows)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *contents = NULL;

  for (guint i = 0; i < rows; i++)
    for (guint j = 0; j < 50; j++)
      g_string_append_printf (text, "%u.%02u%c", (i * 7 + j * 3) % 10, (i + j) % 100,
                              j + 1 < 50 ? ',' : '\n');
  contents = g_string_free (g_steal_pointer (&text), FALSE);
  return write_file (f, name, contents);
}

static gboolean
not_loading (Fixture *f)
{
  return !fs_session_get_loading (f->session);
}

/* "loading" goes TRUE when a file is opened and FALSE once it is read,
 * before its matrix is committed; "load-progress" stays in [0, 1], never
 * goes back, and is notified at most about 20 times a second. */
static void
test_load_progress (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = write_big_csv (f, "big.csv", 20000);
  LoadLog log;

  load_log_init (&log, f->session);
  g_assert_false (fs_session_get_loading (f->session));
  fs_session_open_path (f->session, path);
  g_assert_true (fs_session_get_loading (f->session));
  g_assert_cmpstr (fs_session_get_loading_name (f->session), ==, "big.csv");
  g_assert_cmpfloat (fs_session_get_load_progress (f->session), ==, 0.0);
  g_assert_true (wait_until (not_loading, f));
  g_assert_null (fs_session_get_loading_name (f->session));
  g_assert_cmpfloat (fs_session_get_load_progress (f->session), ==, 0.0);
  g_assert_true (wait_until (changed_once, f));
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "big.csv");

  g_assert_cmpuint (log.loading->len, ==, 2);
  g_assert_true (g_array_index (log.loading, gboolean, 0));
  g_assert_false (g_array_index (log.loading, gboolean, 1));
  /* The last notification is the reset to 0 when the load ended. */
  for (guint k = 0; k + 1 < log.progress->len; k++)
    {
      double fraction = g_array_index (log.progress, double, k);

      g_assert_cmpfloat (fraction, >, 0.0);
      g_assert_cmpfloat (fraction, <=, 1.0);
      if (k > 0)
        {
          g_assert_cmpfloat (fraction, >=, g_array_index (log.progress, double, k - 1));
          g_assert_cmpint (g_array_index (log.times, gint64, k) -
                           g_array_index (log.times, gint64, k - 1), >=, G_USEC_PER_SEC / 20);
        }
    }
  load_log_clear (&log, f->session);
}

/* A cancelled load ends "loading" at once, even while its thread still
 * reads; the matrix shown stays, and nothing is emitted for it. */
static void
test_cancel_load (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = write_big_csv (f, "big.csv", 20000);
  g_autoptr(GError) error = NULL;
  FsMatrix *shown;
  LoadLog log;

  g_assert_true (fs_session_load_example (f->session, "lowrank", &error));
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  shown = fs_session_get_matrix (f->session);
  f->n_changed = 0;

  load_log_init (&log, f->session);
  fs_session_open_path (f->session, path);
  g_assert_true (fs_session_get_loading (f->session));
  fs_session_cancel_load (f->session);
  /* Without a turn of the main loop: the thread may still be reading. */
  g_assert_false (fs_session_get_loading (f->session));
  g_assert_null (fs_session_get_loading_name (f->session));
  g_assert_cmpfloat (fs_session_get_load_progress (f->session), ==, 0.0);

  g_assert_true (wait_until (idle, f));
  for (int k = 0; k < 100; k++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (f->n_changed, ==, 0);
  g_assert_null (f->failure);
  g_assert_true (fs_session_get_matrix (f->session) == shown);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "Low-rank example");
  g_assert_cmpuint (log.loading->len, ==, 2);
  g_assert_cmpuint (log.progress->len, ==, 0);
  load_log_clear (&log, f->session);

  /* Cancelling with nothing loading does nothing. */
  fs_session_cancel_load (f->session);
  g_assert_false (fs_session_get_loading (f->session));
}

/* A new open cancels the load in flight: "loading" stays TRUE through the
 * change, then the second file is the one committed. */
static void
test_open_cancels_load (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *first = write_big_csv (f, "first.csv", 20000);
  g_autofree char *second = write_file (f, "second.csv", diagonal_csv);
  LoadLog log;

  load_log_init (&log, f->session);
  fs_session_open_path (f->session, first);
  fs_session_open_path (f->session, second);
  g_assert_true (fs_session_get_loading (f->session));
  g_assert_cmpstr (fs_session_get_loading_name (f->session), ==, "second.csv");
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  g_assert_cmpuint (f->n_changed, ==, 1);
  g_assert_null (f->failure);
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "second.csv");
  /* Each load's start, then the end of the second only. */
  g_assert_cmpuint (log.loading->len, ==, 3);
  g_assert_true (g_array_index (log.loading, gboolean, 1));
  g_assert_false (g_array_index (log.loading, gboolean, 2));
  g_assert_false (fs_session_get_loading (f->session));
  load_log_clear (&log, f->session);
}

/* Closing cancels the load; a matrix set meanwhile does too. */
static void
test_close_cancels_load (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = write_file (f, "diagonal.csv", diagonal_csv);
  g_autoptr(GError) error = NULL;

  fs_session_open_path (f->session, path);
  g_assert_true (fs_session_load_example (f->session, "lowrank", &error));
  g_assert_false (fs_session_get_loading (f->session));
  g_assert_true (wait_until (changed_once, f));
  g_assert_true (wait_until (idle, f));
  g_assert_cmpstr (fs_session_get_name (f->session), ==, "Low-rank example");

  fs_session_open_path (f->session, path);
  g_assert_true (fs_session_get_loading (f->session));
  fs_session_close (f->session);
  g_assert_false (fs_session_get_loading (f->session));
}

/* Waiting for the tasks with a deadline: a task is counted from when it
 * is started, so an immediate deadline finds it running. The file takes
 * tens of milliseconds to read: a tiny one could be read before the
 * second check (a CI run under AddressSanitizer saw it). */
static void
test_wait_until (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;

  for (guint i = 0; i < 4000; i++)
    for (guint j = 0; j < 100; j++)
      g_string_append_printf (text, "%u.%03u%c", (i + j) % 10, (i * 7 + j) % 1000,
                              j + 1 < 100 ? ',' : '\n');
  path = write_file (f, "big.csv", text->str);

  g_assert_true (fs_session_wait_for_tasks_until (f->session, g_get_monotonic_time ()));
  fs_session_open_path (f->session, path);
  g_assert_false (fs_session_wait_for_tasks_until (f->session, g_get_monotonic_time ()));
  g_assert_true (fs_session_wait_for_tasks_until (f->session,
                                                  g_get_monotonic_time () + 20 * G_USEC_PER_SEC));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/session/open-commits", test_open_commits);
  ADD ("/session/failed-load-keeps-everything", test_failed_load_keeps_everything);
  ADD ("/session/scaling-prepares-again", test_scaling_prepares_again);
  ADD ("/session/singular-values", test_singular_values);
  ADD ("/session/params-keep-running", test_params_keep_running);
  ADD ("/session/starting-lr", test_starting_lr);
  ADD ("/session/every-example", test_every_example);
  ADD ("/session/stale-result-dropped", test_stale_result_dropped);
  ADD ("/session/scaling-during-prepare", test_scaling_during_prepare);
  ADD ("/session/edits-during-prepare", test_edits_during_prepare);
  ADD ("/session/first-file-fails", test_first_file_fails);
  ADD ("/session/close-drops-pending", test_close_drops_pending);
  ADD ("/session/load-progress", test_load_progress);
  ADD ("/session/cancel-load", test_cancel_load);
  ADD ("/session/open-cancels-load", test_open_cancels_load);
  ADD ("/session/close-cancels-load", test_close_cancels_load);
  ADD ("/session/wait-until", test_wait_until);
  ADD ("/session/sparse-scaling", test_sparse_scaling);
  ADD ("/session/sparse-scaling-refused", test_sparse_scaling_refused);
  ADD ("/session/sparse-optimum-high-rank", test_sparse_optimum_high_rank);
#undef ADD

  return g_test_run ();
}
