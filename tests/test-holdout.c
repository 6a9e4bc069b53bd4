/* test-holdout.c: the held-out split and the solver's held-out error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-analysis.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-fit.h"
#include "fs-holdout.h"
#include "fs-loader.h"
#include "fs-rules.h"
#include "fs-solver.h"
#include "fs-test-util.h"

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

static FsMatrix *
load_digits (void)
{
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_example_load (fs_examples_find ("digits"), &error);

  g_assert_no_error (error);
  return X;
}

static FsHoldout *
make_split (const FsMatrix *X,
            double          fraction,
            guint64         seed)
{
  g_autoptr(GError) error = NULL;
  FsHoldout *holdout = fs_holdout_new (X, fraction, seed, &error);

  g_assert_no_error (error);
  g_assert_nonnull (holdout);
  return holdout;
}

static gsize
observed_cells (const FsMatrix *X)
{
  return X->rows * X->cols - X->n_missing;
}

/* Exactly round (fraction × observed) cells, ascending, observed in X,
 * their values X's; missing and only they in the training matrix, which
 * keeps every other observed cell and X's labels and shape. */
static void
check_split (const FsMatrix  *X,
             const FsHoldout *holdout,
             double           fraction)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) train = fs_holdout_training_matrix (holdout, X, &error);
  gsize n = fs_holdout_get_n_cells (holdout), len = X->rows * X->cols, c = 0;
  const gsize *cells = fs_holdout_get_cells (holdout);
  const double *values = fs_holdout_get_values (holdout);

  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, (gsize) round (fraction * (double) observed_cells (X)));
  g_assert_cmpuint (fs_holdout_get_n_train (holdout), ==, observed_cells (X) - n);
  g_assert_cmpuint (train->rows, ==, X->rows);
  g_assert_cmpuint (train->cols, ==, X->cols);
  g_assert_cmpuint (train->n_missing, ==, X->n_missing + n);
  g_assert_cmpuint (train->image_height, ==, X->image_height);
  g_assert_true (train->format == X->format);
  for (gsize k = 0; k < len; k++)
    {
      gboolean held = c < n && cells[c] == k;

      if (c > 0 && c < n)
        g_assert_cmpuint (cells[c - 1], <, cells[c]);
      if (held)
        {
          g_assert_true (X->mask == NULL || X->mask[k]);
          g_assert_cmpfloat (values[c], ==, X->data[k]);
          g_assert_cmpuint (train->mask[k], ==, 0);
          g_assert_true (isnan (train->data[k]));
          c++;
        }
      else if (X->mask == NULL || X->mask[k])
        {
          g_assert_cmpuint (train->mask[k], ==, 1);
          g_assert_cmpfloat (train->data[k], ==, X->data[k]);
        }
      else
        g_assert_cmpuint (train->mask[k], ==, 0);
    }
  g_assert_cmpuint (c, ==, n);
}

static gboolean
same_split (const FsHoldout *a,
            const FsHoldout *b)
{
  gsize n = fs_holdout_get_n_cells (a);

  return n == fs_holdout_get_n_cells (b) &&
         memcmp (fs_holdout_get_cells (a), fs_holdout_get_cells (b), n * sizeof (gsize)) == 0 &&
         memcmp (fs_holdout_get_values (a), fs_holdout_get_values (b), n * sizeof (double)) == 0;
}

/* The same seed gives the same cells and values, another seed others. */
static void
test_split_reproducible (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(FsHoldout) a = make_split (X, 0.1, 7);
  g_autoptr(FsHoldout) b = make_split (X, 0.1, 7);
  g_autoptr(FsHoldout) c = make_split (X, 0.1, 8);
  g_autoptr(FsHoldout) d = make_split (X, 0.25, 7);

  g_assert_true (same_split (a, b));
  g_assert_false (same_split (a, c));
  check_split (X, a, 0.1);
  check_split (X, c, 0.1);
  check_split (X, d, 0.25);
  /* 10% of 1797 × 64: about a tenth of each row's cells, not a block. */
  g_assert_cmpuint (fs_holdout_get_cells (a)[0], <, 100);
  g_assert_cmpuint (fs_holdout_get_cells (a)[fs_holdout_get_n_cells (a) - 1], >,
                    X->rows * X->cols - 100);
}

/* A file with missing cells: the held-out cells are observed ones. */
static void
test_split_with_missing (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_airquality_NA.csv");
  g_autoptr(FsMatrix) R = fs_test_random_matrix (120, 90, 11, 0.3);

  g_assert_cmpuint (X->n_missing, ==, 44);
  for (guint64 seed = 0; seed < 20; seed++)
    {
      g_autoptr(FsHoldout) h = make_split (X, 0.3, seed);
      g_autoptr(FsHoldout) r = make_split (R, 0.5, seed);

      check_split (X, h, 0.3);
      check_split (R, r, 0.5);
    }
}

/* At least 1 held out and 1 to train on; no split of fewer than 2
 * observed cells, or with a share outside (0, 1). */
static void
test_split_extremes (void)
{
  const double four[] = { 1, 2, 3, 4 };
  const double two[] = { 5, NAN };
  g_autoptr(FsMatrix) X = fs_matrix_new_from_data (2, 2, four, NULL);
  g_autoptr(FsMatrix) one = fs_matrix_new_from_data (1, 2, two, NULL);
  g_autoptr(FsHoldout) most = make_split (X, 0.999, 3);
  g_autoptr(FsHoldout) least = make_split (X, 0.001, 3);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (fs_holdout_get_n_cells (most), ==, 3);
  g_assert_cmpuint (fs_holdout_get_n_train (most), ==, 1);
  g_assert_cmpuint (fs_holdout_get_n_cells (least), ==, 1);
  g_assert_cmpuint (fs_holdout_get_n_train (least), ==, 3);

  g_assert_null (fs_holdout_new (one, 0.5, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "50%"));
  g_assert_nonnull (strstr (error->message, " 1 observed cell"));
  g_clear_error (&error);
  g_assert_null (fs_holdout_new (X, 0.0, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (fs_holdout_new (X, 1.0, 0, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT);
}

static FsSolver *
holdout_solver (FsMatrix *X,
                guint     rank,
                double    fraction,
                guint     threads)
{
  g_autoptr(GError) error = NULL;
  FsSolver *solver;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = rank;
  p.holdout = fraction;
  p.holdout_seed = 5;
  p.threads = threads;
  p.max_iters = 100000;
  solver = fs_solver_new (X, &p, &error);
  g_assert_no_error (error);
  fs_solver_set_lr (solver, fs_solver_get_starting_lr (solver));
  return solver;
}

/* The solver's MSEs against the plain reference at its W and H, and
 * against its own trace's last point. */
static void
check_mse (FsSolver       *solver,
           const FsMatrix *train)
{
  FsHoldout *holdout = fs_solver_get_holdout (solver);
  const FsParams *p = fs_solver_get_params (solver);
  FsTrace *trace = fs_solver_get_trace (solver);
  gsize last = fs_trace_get_length (trace) - 1;
  double want = fs_holdout_sum_squares (holdout, fs_solver_get_w (solver),
                                        fs_solver_get_h (solver), p->rank,
                                        fs_solver_get_cols (solver)) /
                (double) fs_holdout_get_n_cells (holdout);
  double got = fs_solver_get_holdout_mse (solver);
  FsCostTerms terms;

  g_assert_cmpfloat (fabs (got - want), <=, 1e-12 * want);
  fs_cost_terms (train, fs_solver_get_w (solver), fs_solver_get_h (solver), p->rank, p, &terms);
  g_assert_cmpfloat (fabs (fs_solver_get_train_mse (solver) -
                           terms.data / (double) fs_holdout_get_n_train (holdout)), <=,
                     1e-12 * fs_solver_get_train_mse (solver));
  g_assert_cmpuint (fs_trace_get_iteration (trace, last), ==, fs_solver_get_iteration (solver));
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_HOLDOUT_MSE, last), ==, got);
  g_assert_cmpfloat (fs_trace_get (trace, FS_TRACE_TRAIN_MSE, last), ==,
                     fs_solver_get_train_mse (solver));
}

/* After 0, 1 and 50 iterations on the digits, with 1 and 2 threads. */
static void
test_solver_mse (void)
{
  g_autoptr(FsMatrix) X = load_digits ();

  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(FsSolver) solver = holdout_solver (X, 10, 0.1, threads);
      g_autoptr(FsMatrix) train = fs_holdout_training_matrix (fs_solver_get_holdout (solver), X,
                                                              NULL);

      g_assert_true (fs_solver_get_matrix (solver) == X);
      check_mse (solver, train);
      fs_solver_iterate (solver);
      check_mse (solver, train);
      for (guint k = 1; k < 50; k++)
        fs_solver_iterate (solver);
      g_assert_cmpuint (fs_solver_get_iteration (solver), ==, 50);
      check_mse (solver, train);
    }
}

/* A file with missing cells of its own: the held-out cells are summed
 * and the others masked as before. */
static void
test_solver_mse_with_missing (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_airquality_NA.csv");

  for (guint threads = 1; threads <= 2; threads++)
    {
      g_autoptr(FsSolver) solver = holdout_solver (X, 2, 0.2, threads);
      FsHoldout *split = fs_solver_get_holdout (solver);
      g_autoptr(FsMatrix) train = fs_holdout_training_matrix (split, X, NULL);

      g_assert_cmpuint (train->n_missing, ==, 44 + fs_holdout_get_n_cells (split));
      check_mse (solver, train);
      for (guint k = 0; k < 30; k++)
        fs_solver_iterate (solver);
      check_mse (solver, train);
    }
}

/* Without a split: no held-out MSE, the training MSE over every
 * observed cell. */
static void
test_solver_without_split (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_airquality_NA.csv");
  g_autoptr(FsSolver) solver = NULL;
  FsTrace *trace;
  FsCostTerms terms;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 2;
  p.lr = 1e-7;
  solver = fs_solver_new (X, &p, NULL);
  for (guint k = 0; k < 10; k++)
    fs_solver_iterate (solver);
  trace = fs_solver_get_trace (solver);
  g_assert_null (fs_solver_get_holdout (solver));
  g_assert_true (isnan (fs_solver_get_holdout_mse (solver)));
  g_assert_true (isnan (fs_trace_get (trace, FS_TRACE_HOLDOUT_MSE, 10)));
  fs_cost_terms (X, fs_solver_get_w (solver), fs_solver_get_h (solver), 2, &p, &terms);
  g_assert_cmpfloat_with_epsilon (fs_solver_get_train_mse (solver),
                                  terms.data / (double) observed_cells (X),
                                  1e-12 * fs_solver_get_train_mse (solver));
  g_assert_cmpstr (fs_trace_kind_get_name (FS_TRACE_TRAIN_MSE), ==, "train_mse");
  g_assert_cmpstr (fs_trace_kind_get_name (FS_TRACE_HOLDOUT_MSE), ==, "holdout_mse");
  g_assert_cmpstr (fs_trace_kind_get_label (FS_TRACE_HOLDOUT_MSE), ==, "Held-out MSE");
}

/* Changing the held-out cells' values changes nothing the solver does,
 * only what it reports for them. */
static void
test_solver_never_sees (void)
{
  g_autoptr(FsMatrix) X = load_digits ();
  g_autoptr(FsMatrix) Y = fs_matrix_copy (X, NULL);
  g_autoptr(FsHoldout) split = make_split (X, 0.1, 5);
  g_autoptr(FsSolver) a = NULL;
  g_autoptr(FsSolver) b = NULL;
  gsize len_w, len_h;

  for (gsize c = 0; c < fs_holdout_get_n_cells (split); c++)
    Y->data[fs_holdout_get_cells (split)[c]] = 100.0 + (double) (c % 7);
  a = holdout_solver (X, 10, 0.1, 2);
  b = holdout_solver (Y, 10, 0.1, 2);
  g_assert_true (same_split (fs_solver_get_holdout (a), split));
  for (guint k = 0; k < 100; k++)
    {
      fs_solver_iterate (a);
      fs_solver_iterate (b);
    }
  len_w = X->rows * 10;
  len_h = 10 * X->cols;
  g_assert_cmpmem (fs_solver_get_w (a), len_w * sizeof (double),
                   fs_solver_get_w (b), len_w * sizeof (double));
  g_assert_cmpmem (fs_solver_get_h (a), len_h * sizeof (double),
                   fs_solver_get_h (b), len_h * sizeof (double));
  g_assert_cmpfloat (fs_solver_get_train_mse (a), ==, fs_solver_get_train_mse (b));
  g_assert_cmpfloat (fs_solver_get_holdout_mse (b), >, 10.0 * fs_solver_get_holdout_mse (a));
}

/* Every restart of a fit trains on the one split its solver made. */
static void
test_restarts_share_split (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "R_volcano_87x61.csv");
  g_autoptr(FsHoldout) split = make_split (X, 0.2, 9);
  g_autoptr(FsFit) fit = NULL;
  FsHoldout *first;
  FsParams p;

  fs_params_init_defaults (&p);
  p.rank = 3;
  p.lr = 1e-7;
  p.max_iters = 20;
  p.restarts = 3;
  p.holdout = 0.2;
  p.holdout_seed = 9;
  fit = fs_fit_new (X, &p, NULL);
  first = fs_solver_get_holdout (fs_fit_get_solver (fit));
  g_assert_true (same_split (first, split));
  while (fs_fit_iterate (fit))
    g_assert_true (fs_solver_get_holdout (fs_fit_get_solver (fit)) == first);
  g_assert_cmpuint (fs_fit_get_current_run (fit), ==, 2);
  for (guint run = 0; run < 3; run++)
    if (fs_fit_get_trace (fit, run) != NULL)
      g_assert_false (isnan (fs_trace_get (fs_fit_get_trace (fit, run), FS_TRACE_HOLDOUT_MSE, 0)));
}

/* vegan's dune meadows (20 × 30) at rank 12 with no penalty and a fifth
 * of the cells held out: 600 parameters against 480 cells. The held-out
 * error falls, then rises as the fit learns the training cells' noise. */
static void
test_overfitting_visible (void)
{
  g_autoptr(FsMatrix) X = load_real ("csv", "vegan_dune.csv");
  g_autoptr(FsSolver) solver = holdout_solver (X, 12, 0.2, 1);
  double lowest = INFINITY, first_train = fs_solver_get_train_mse (solver);
  guint64 lowest_at = 0;

  while (fs_solver_get_iteration (solver) < 20000)
    {
      fs_solver_iterate (solver);
      if (fs_solver_get_holdout_mse (solver) < lowest)
        {
          lowest = fs_solver_get_holdout_mse (solver);
          lowest_at = fs_solver_get_iteration (solver);
        }
    }
  g_test_message ("dune rank 12: held-out MSE lowest %.4g at %" G_GUINT64_FORMAT
                  ", %.4g at the end; training MSE %.4g -> %.4g", lowest, lowest_at,
                  fs_solver_get_holdout_mse (solver), first_train,
                  fs_solver_get_train_mse (solver));
  g_assert_cmpfloat (fs_solver_get_holdout_mse (solver), >, 1.2 * lowest);
  g_assert_cmpfloat (fs_solver_get_train_mse (solver), <, lowest);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/holdout/split/reproducible", test_split_reproducible);
  g_test_add_func ("/holdout/split/with-missing", test_split_with_missing);
  g_test_add_func ("/holdout/split/extremes", test_split_extremes);
  g_test_add_func ("/holdout/solver/mse", test_solver_mse);
  g_test_add_func ("/holdout/solver/mse-with-missing", test_solver_mse_with_missing);
  g_test_add_func ("/holdout/solver/without-split", test_solver_without_split);
  g_test_add_func ("/holdout/solver/never-sees", test_solver_never_sees);
  g_test_add_func ("/holdout/solver/restarts-share-split", test_restarts_share_split);
  g_test_add_func ("/holdout/solver/overfitting-visible", test_overfitting_visible);

  return g_test_run ();
}
