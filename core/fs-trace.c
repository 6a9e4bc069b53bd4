/* fs-trace.c
 *
 * One FsCostLog per kind and one for the iterations. The writer appends
 * every kind before the iteration, so a length read from the iterations'
 * log (the one a snapshot hands out) never runs ahead of any kind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-trace"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "fs-trace.h"

struct _FsTrace
{
  FsCostLog *values[FS_N_TRACES];
  FsCostLog *iterations;
};

static const struct
{
  const char *name;
  const char *label;
} kinds[FS_N_TRACES] = {
  [FS_TRACE_DATA] = { "data", N_("Data term") },
  [FS_TRACE_L2_W] = { "l2_w", N_("L2 on W") },
  [FS_TRACE_L2_H] = { "l2_h", N_("L2 on H") },
  [FS_TRACE_L1_W] = { "l1_w", N_("L1 on W") },
  [FS_TRACE_L1_H] = { "l1_h", N_("L1 on H") },
  [FS_TRACE_NORM_W] = { "norm_w", N_("‖W‖") },
  [FS_TRACE_NORM_H] = { "norm_h", N_("‖H‖") },
  [FS_TRACE_GRAD_NORM] = { "grad_norm", N_("Gradient norm") },
  [FS_TRACE_ZEROS_W] = { "zeros_w", N_("Zeros in W") },
  [FS_TRACE_ZEROS_H] = { "zeros_h", N_("Zeros in H") },
  [FS_TRACE_SMALL_W] = { "small_w", N_("Near zero in W") },
  [FS_TRACE_SMALL_H] = { "small_h", N_("Near zero in H") },
  [FS_TRACE_TRAIN_MSE] = { "train_mse", N_("Training MSE") },
  [FS_TRACE_HOLDOUT_MSE] = { "holdout_mse", N_("Held-out MSE") },
};

static void
fs_trace_clear (FsTrace *self)
{
  for (guint k = 0; k < FS_N_TRACES; k++)
    fs_cost_log_unref (self->values[k]);
  fs_cost_log_unref (self->iterations);
}

FsTrace *
fs_trace_new (void)
{
  FsTrace *self = g_atomic_rc_box_new0 (FsTrace);

  for (guint k = 0; k < FS_N_TRACES; k++)
    self->values[k] = fs_cost_log_new ();
  self->iterations = fs_cost_log_new ();
  return self;
}

FsTrace *
fs_trace_ref (FsTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
fs_trace_unref (FsTrace *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) fs_trace_clear);
}

/* Every iteration below FS_TRACE_DENSE; from there on every 2nd up to
 * twice it, every 4th up to four times it, …: FS_TRACE_DENSE / 2 points
 * for each doubling of a long run. */
gboolean
fs_trace_wants (guint64 iteration)
{
  guint64 stride = 1;

  if (iteration < FS_TRACE_DENSE)
    return TRUE;
  for (guint64 end = FS_TRACE_DENSE; iteration >= end && end <= G_MAXUINT64 / 2; end *= 2)
    stride *= 2;
  return iteration % stride == 0;
}

/* Returns FALSE, storing nothing, once the trace is full. */
gboolean
fs_trace_append (FsTrace      *self,
                 guint64       iteration,
                 const double  values[FS_N_TRACES])
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (fs_cost_log_get_length (self->iterations) >= FS_COST_LOG_CAPACITY)
    return FALSE;
  for (guint k = 0; k < FS_N_TRACES; k++)
    fs_cost_log_append (self->values[k], values[k]);
  return fs_cost_log_append (self->iterations, (double) iteration);
}

/* The writer's length. Other threads must use the length of their snapshot. */
gsize
fs_trace_get_length (const FsTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return fs_cost_log_get_length (self->iterations);
}

guint64
fs_trace_get_iteration (const FsTrace *self,
                        gsize          index)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint64) fs_cost_log_get (self->iterations, index);
}

double
fs_trace_get (const FsTrace *self,
              FsTraceKind    kind,
              gsize          index)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (kind < FS_N_TRACES, NAN);

  return fs_cost_log_get (self->values[kind], index);
}

/* Points come in increasing order of iteration: a binary search for the
 * first at or past it, then the nearer of it and the one before. */
gsize
fs_trace_find_nearest (const FsTrace *self,
                       gsize          len,
                       double         iteration)
{
  gsize lo = 0, hi = len;

  g_return_val_if_fail (self != NULL && len > 0, 0);

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) fs_trace_get_iteration (self, mid) < iteration)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == len || (lo > 0 && iteration - fs_trace_get_iteration (self, lo - 1) <
                                  fs_trace_get_iteration (self, lo) - iteration))
    lo--;
  return lo;
}

FsCostLog *
fs_trace_get_log (const FsTrace *self,
                  FsTraceKind    kind)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (kind < FS_N_TRACES, NULL);

  return self->values[kind];
}

const char *
fs_trace_kind_get_label (FsTraceKind kind)
{
  g_return_val_if_fail (kind < FS_N_TRACES, NULL);

  return _(kinds[kind].label);
}

const char *
fs_trace_kind_get_name (FsTraceKind kind)
{
  g_return_val_if_fail (kind < FS_N_TRACES, NULL);

  return kinds[kind].name;
}
