/* test-checkpoints.c: which iterations a store keeps, what they hold, and
 * its budget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "fs-checkpoints.h"

#define ROWS 3
#define COLS 4
#define RANK 2
#define LEN_W (ROWS * RANK)
#define LEN_H (RANK * COLS)

/* What one checkpoint of this shape holds. */
#define CHECKPOINT_BYTES (sizeof (FsCheckpoint) + (LEN_W + LEN_H) * sizeof (double))

/* Factors that say which iteration (and which offer of it) they are. */
static void
fill_factors (guint64 iteration,
              double  tag,
              double *W,
              double *H)
{
  for (guint k = 0; k < LEN_W; k++)
    W[k] = (double) iteration * 100.0 + k + tag;
  for (guint k = 0; k < LEN_H; k++)
    H[k] = -(double) iteration * 100.0 - k - tag;
}

static void
offer (FsCheckpoints *store,
       guint64        iteration,
       double         tag)
{
  double W[LEN_W], H[LEN_H];

  fill_factors (iteration, tag, W, H);
  fs_checkpoints_offer (store, 0, iteration, (double) iteration + tag, W, H, ROWS, COLS, RANK);
}

static void
assert_holds (const FsCheckpoint *checkpoint,
              guint64             iteration,
              double              tag)
{
  double W[LEN_W], H[LEN_H];

  fill_factors (iteration, tag, W, H);
  g_assert_cmpuint (checkpoint->iteration, ==, iteration);
  g_assert_cmpfloat (checkpoint->cost, ==, (double) iteration + tag);
  g_assert_cmpuint (checkpoint->rows, ==, ROWS);
  g_assert_cmpuint (checkpoint->cols, ==, COLS);
  g_assert_cmpuint (checkpoint->rank, ==, RANK);
  g_assert_cmpmem (checkpoint->W, sizeof W, W, sizeof W);
  g_assert_cmpmem (checkpoint->H, sizeof H, H, sizeof H);
}

static void
free_all (FsCheckpoint **all,
          guint          n)
{
  for (guint k = 0; k < n; k++)
    fs_checkpoint_unref (all[k]);
  g_free (all);
}

/* 0, the powers of two up to last, and last. */
static GArray *
expected_iterations (guint64 last)
{
  GArray *want = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (guint64 t = 0; t <= last; t = t == 0 ? 1 : 2 * t)
    g_array_append_val (want, t);
  if (g_array_index (want, guint64, want->len - 1) != last)
    g_array_append_val (want, last);
  return want;
}

static void
test_wants (void)
{
  g_assert_true (fs_checkpoints_wants (0));
  g_assert_true (fs_checkpoints_wants (1));
  g_assert_true (fs_checkpoints_wants (2));
  g_assert_false (fs_checkpoints_wants (3));
  g_assert_true (fs_checkpoints_wants (1024));
  g_assert_false (fs_checkpoints_wants (1023));
  g_assert_true (fs_checkpoints_wants (G_GUINT64_CONSTANT (1) << 63));
  g_assert_false (fs_checkpoints_wants (G_MAXUINT64));
}

/* Offering 0..N keeps exactly 0, 1, 2, 4, …, 2^k and N, each with what
 * was offered at it. */
static void
test_log_spaced (void)
{
  const guint64 lasts[] = { 0, 1, 2, 3, 5, 8, 16, 100, 1000, 1024 };

  for (guint i = 0; i < G_N_ELEMENTS (lasts); i++)
    {
      g_autoptr(FsCheckpoints) store = fs_checkpoints_new (FS_CHECKPOINTS_BUDGET);
      g_autoptr(GArray) want = expected_iterations (lasts[i]);
      FsCheckpoint **all;
      guint n;

      for (guint64 t = 0; t <= lasts[i]; t++)
        offer (store, t, 0.5);
      all = fs_checkpoints_dup_all (store, &n);
      g_assert_cmpuint (n, ==, want->len);
      for (guint k = 0; k < n; k++)
        assert_holds (all[k], g_array_index (want, guint64, k), 0.5);
      g_assert_cmpuint (fs_checkpoints_get_bytes (store), ==, n * CHECKPOINT_BYTES);
      free_all (all, n);
    }
}

/* Offering an iteration again replaces it (a warm change, a resume), and a
 * checkpoint handed out before stays as it was. */
static void
test_same_iteration (void)
{
  g_autoptr(FsCheckpoints) store = fs_checkpoints_new (FS_CHECKPOINTS_BUDGET);
  FsCheckpoint **before, **after;
  guint n_before, n_after;

  for (guint64 t = 0; t <= 5; t++)
    offer (store, t, 0.0);
  before = fs_checkpoints_dup_all (store, &n_before);
  offer (store, 5, 0.25);
  offer (store, 4, 0.75);
  after = fs_checkpoints_dup_all (store, &n_after);

  g_assert_cmpuint (n_before, ==, 5);
  assert_holds (before[3], 4, 0.0);
  assert_holds (before[4], 5, 0.0);
  g_assert_cmpuint (n_after, ==, 4);
  assert_holds (after[2], 2, 0.0);
  assert_holds (after[3], 4, 0.75);
  free_all (before, n_before);
  free_all (after, n_after);

  fs_checkpoints_clear (store);
  g_assert_cmpuint (fs_checkpoints_get_bytes (store), ==, 0);
  after = fs_checkpoints_dup_all (store, &n_after);
  g_assert_cmpuint (n_after, ==, 0);
  free_all (after, n_after);
}

/* Over budget the lowest iterations go first, 0 and the last stay. */
static void
test_budget (void)
{
  g_autoptr(FsCheckpoints) store = fs_checkpoints_new (4 * CHECKPOINT_BYTES);
  FsCheckpoint **all;
  guint n;

  for (guint64 t = 0; t <= 1000; t++)
    {
      offer (store, t, 0.0);
      g_assert_cmpuint (fs_checkpoints_get_bytes (store), <=, 4 * CHECKPOINT_BYTES);
    }
  all = fs_checkpoints_dup_all (store, &n);
  g_assert_cmpuint (n, ==, 4);
  assert_holds (all[0], 0, 0.0);
  assert_holds (all[1], 256, 0.0);
  assert_holds (all[2], 512, 0.0);
  assert_holds (all[3], 1000, 0.0);
  free_all (all, n);
}

/* A budget smaller than two checkpoints keeps iteration 0 and the last
 * all the same. */
static void
test_budget_too_small (void)
{
  g_autoptr(FsCheckpoints) store = fs_checkpoints_new (CHECKPOINT_BYTES / 2);
  FsCheckpoint **all;
  guint n;

  for (guint64 t = 0; t <= 77; t++)
    offer (store, t, 0.0);
  all = fs_checkpoints_dup_all (store, &n);
  g_assert_cmpuint (n, ==, 2);
  assert_holds (all[0], 0, 0.0);
  assert_holds (all[1], 77, 0.0);
  g_assert_cmpuint (fs_checkpoints_get_bytes (store), ==, 2 * CHECKPOINT_BYTES);
  free_all (all, n);
}

/* A checkpoint outlives its store, and its bytes are its struct, W and H. */
static void
test_outlives_store (void)
{
  FsCheckpoints *store = fs_checkpoints_new (FS_CHECKPOINTS_BUDGET);
  FsCheckpoint **all;
  guint n;

  offer (store, 0, 0.0);
  offer (store, 3, 0.0);
  all = fs_checkpoints_dup_all (store, &n);
  fs_checkpoints_free (store);
  g_assert_cmpuint (n, ==, 2);
  assert_holds (all[1], 3, 0.0);
  g_assert_cmpuint (fs_checkpoint_get_bytes (all[1]), ==, CHECKPOINT_BYTES);
  free_all (all, n);
}

/* The last checkpoint of a store (a new reference). */
static FsCheckpoint *
dup_last (FsCheckpoints *store)
{
  guint n;
  FsCheckpoint **all = fs_checkpoints_dup_all (store, &n);
  FsCheckpoint *last = fs_checkpoint_ref (all[n - 1]);

  free_all (all, n);
  return last;
}

static gpointer
unref_checkpoint (gpointer checkpoint)
{
  fs_checkpoint_unref (checkpoint);
  return NULL;
}

/* A store with a pool: a last checkpoint replaced, and let go, lends its
 * buffer to the next; one still held does not, and goes back to the pool
 * when let go on another thread, to be used again (holding the new
 * factors, not the old); the pool keeps at most its max_free, and a new
 * shape lets the kept ones go. Checkpoints outlive store and pool. */
static void
test_pool (void)
{
  FsFactorPool *pool = fs_factor_pool_new (2);
  FsCheckpoints *store = fs_checkpoints_new_with_pool (FS_CHECKPOINTS_BUDGET, pool);
  FsCheckpoint *held, *other, *again;
  double W[LEN_W + 2 * ROWS], H[LEN_H + 2 * COLS];

  offer (store, 0, 0.0);
  offer (store, 3, 0.0);
  g_assert_cmpuint (fs_factor_pool_get_allocations (pool), ==, 2);
  for (guint64 t = 5; t <= 7; t++)
    offer (store, t, 0.0);
  g_assert_cmpuint (fs_factor_pool_get_allocations (pool), ==, 2);

  held = dup_last (store);
  offer (store, 9, 0.0);
  g_assert_cmpuint (fs_factor_pool_get_allocations (pool), ==, 3);
  assert_holds (held, 7, 0.0);
  g_thread_join (g_thread_new ("unref", unref_checkpoint, held));
  g_assert_cmpuint (fs_factor_pool_get_n_free (pool), ==, 1);
  offer (store, 10, 0.5);
  g_assert_cmpuint (fs_factor_pool_get_allocations (pool), ==, 3);
  g_assert_cmpuint (fs_factor_pool_get_n_free (pool), ==, 1);
  again = dup_last (store);
  assert_holds (again, 10, 0.5);

  /* Three let go at once (11 came from the pool, 12 is new): two kept. */
  other = dup_last (store);
  offer (store, 11, 0.0);
  held = dup_last (store);
  offer (store, 12, 0.0);
  fs_checkpoint_unref (again);
  fs_checkpoint_unref (other);
  fs_checkpoint_unref (held);
  g_assert_cmpuint (fs_factor_pool_get_n_free (pool), ==, 2);

  /* Another rank: the kept buffers do not fit and go. */
  memset (W, 0, sizeof W);
  memset (H, 0, sizeof H);
  fs_checkpoints_clear (store);
  g_assert_cmpuint (fs_factor_pool_get_n_free (pool), ==, 2);
  fs_checkpoints_offer (store, 0, 0, 1.0, W, H, ROWS, COLS, RANK + 2);
  g_assert_cmpuint (fs_factor_pool_get_n_free (pool), ==, 0);
  g_assert_cmpuint (fs_factor_pool_get_allocations (pool), ==, 5);

  held = dup_last (store);
  fs_checkpoints_free (store);
  fs_factor_pool_unref (pool);
  g_assert_cmpuint (held->rank, ==, RANK + 2);
  fs_checkpoint_unref (held);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/checkpoints/wants", test_wants);
  g_test_add_func ("/checkpoints/log-spaced", test_log_spaced);
  g_test_add_func ("/checkpoints/same-iteration", test_same_iteration);
  g_test_add_func ("/checkpoints/budget", test_budget);
  g_test_add_func ("/checkpoints/budget-too-small", test_budget_too_small);
  g_test_add_func ("/checkpoints/outlives-store", test_outlives_store);
  g_test_add_func ("/checkpoints/pool", test_pool);

  return g_test_run ();
}
