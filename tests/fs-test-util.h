/* fs-test-util.h: helpers shared by the core tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <math.h>

#include "fs-loader.h"
#include "fs-matrix.h"
#include "fs-random.h"

/* A new folder of the case's own under TMPDIR (tests/with-tmpdir.sh
 * gives each test one); a case cannot go on without one. */
/* Two string vectors, both NULL or equal. */
static inline void
fs_test_assert_same_strv (char **a,
                          char **b)
{
  g_assert_true ((a == NULL) == (b == NULL));
  if (a != NULL)
    g_assert_true (g_strv_equal ((const char * const *) a, (const char * const *) b));
}

static inline char *
fs_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("factorscope-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* A matrix of values uniform in [-1, 1) from stream key; cells whose own
 * uniform draw falls below missing_share become missing. */
static inline FsMatrix *
fs_test_random_matrix (gsize   rows,
                       gsize   cols,
                       guint64 key,
                       double  missing_share)
{
  FsMatrix *X = fs_matrix_new (rows, cols, NULL);
  g_autofree double *coin = g_new (double, rows * cols);

  fs_random_fill_signed (key, X->data, rows * cols);
  fs_random_fill_unit (key + 1000, coin, rows * cols);
  for (gsize k = 0; k < rows * cols; k++)
    if (coin[k] < missing_share)
      X->data[k] = NAN;
  fs_matrix_mark_missing (X);
  return X;
}

static inline double
fs_test_rel_diff (const double *a,
                  const double *b,
                  gsize         len)
{
  double num = 0.0, den = 0.0;

  for (gsize k = 0; k < len; k++)
    {
      num += (a[k] - b[k]) * (a[k] - b[k]);
      den += b[k] * b[k];
    }
  return sqrt (num) / MAX (sqrt (den), G_MINDOUBLE);
}

/* The objective computed directly from its definition, with plain loops:
 * the independent reference for the solver's cost. */
static inline double
fs_test_naive_cost (const FsMatrix *X,
                    const double   *W,
                    const double   *H,
                    guint           r,
                    double          l2_w,
                    double          l2_h,
                    double          l1_w,
                    double          l1_h)
{
  double f = 0.0;

  for (gsize i = 0; i < X->rows; i++)
    for (gsize j = 0; j < X->cols; j++)
      {
        double wh = 0.0, d;

        if (!fs_matrix_is_observed (X, i, j))
          continue;
        for (guint k = 0; k < r; k++)
          wh += W[i * r + k] * H[k * X->cols + j];
        d = X->data[i * X->cols + j] - wh;
        f += d * d;
      }
  for (gsize k = 0; k < X->rows * r; k++)
    f += l2_w * W[k] * W[k] + l1_w * fabs (W[k]);
  for (gsize k = 0; k < r * X->cols; k++)
    f += l2_h * H[k] * H[k] + l1_h * fabs (H[k]);
  return f;
}

/* A load of a file run by fs_test_check_progress_cancel: the fractions
 * its progress reported, when it returned and its error. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  GCancellable *cancellable;
  const char   *path;
  GArray       *fractions;
  gint64        returned;
  GError       *error;
  gboolean      hold;       /* the first progress waits for the cancel */
  gboolean      released;
} FsTestLoadRun;

static inline void
fs_test_record_progress (double   fraction,
                         gpointer data)
{
  FsTestLoadRun *run = data;

  g_mutex_lock (&run->lock);
  g_array_append_val (run->fractions, fraction);
  g_cond_broadcast (&run->cond);
  /* Held until the test has cancelled: however fast the other reading
   * threads are, the load is not over before the cancel. */
  while (run->hold && !run->released)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);
}

static inline gpointer
fs_test_load_thread (gpointer data)
{
  FsTestLoadRun *run = data;
  FsMatrix *X = fs_matrix_load_full (run->path, NULL, run->cancellable,
                                     fs_test_record_progress, run, &run->error);

  run->returned = g_get_monotonic_time ();
  g_clear_pointer (&X, fs_matrix_unref);
  return NULL;
}

/* The file at path loads whole with progress rising to 1 in min_steps to
 * 102 steps; loaded again on another thread and cancelled from this one
 * once it has told progress (held there until the cancel), the load ends
 * with G_IO_ERROR_CANCELLED within limit microseconds of the cancel. */
static inline void
fs_test_check_progress_cancel (const char *path,
                               guint       min_steps,
                               gint64      limit)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FsTestLoadRun run = { .path = path, .fractions = fractions };
  GThread *thread;
  gint64 cancelled;

  fs_test_load_thread (&run);
  g_assert_no_error (run.error);
  g_assert_cmpuint (fractions->len, >=, min_steps);
  g_assert_cmpuint (fractions->len, <=, 102);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >=,
                       g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);

  g_array_set_size (fractions, 0);
  run.cancellable = cancellable;
  run.hold = TRUE;
  g_mutex_lock (&run.lock);
  thread = g_thread_new ("load", fs_test_load_thread, &run);
  while (fractions->len == 0)
    g_cond_wait (&run.cond, &run.lock);
  cancelled = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  run.released = TRUE;
  g_cond_broadcast (&run.cond);
  g_mutex_unlock (&run.lock);
  g_thread_join (thread);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
  g_test_message ("%s: ended %.1f ms after the cancel", path,
                  (run.returned - cancelled) / 1000.0);
  g_assert_cmpint (run.returned - cancelled, <, limit);
}
