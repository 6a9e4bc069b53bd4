/* fs-cost-log.c
 *
 * Values live in fixed chunks found through a table that is allocated once
 * and never moves, so growing the log never invalidates what a reader sees.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-cost-log"

#include <math.h>
#include <string.h>

#include "fs-cost-log.h"

#define CHUNK_BITS 14
#define CHUNK_LEN  ((gsize) 1 << CHUNK_BITS)
#define N_CHUNKS   (FS_COST_LOG_CAPACITY / CHUNK_LEN)

struct _FsCostLog
{
  gsize   length;
  double *chunks[N_CHUNKS];
};

static void
fs_cost_log_clear (FsCostLog *self)
{
  for (gsize c = 0; c < N_CHUNKS && self->chunks[c] != NULL; c++)
    g_free (self->chunks[c]);
}

FsCostLog *
fs_cost_log_new (void)
{
  return g_atomic_rc_box_new0 (FsCostLog);
}

FsCostLog *
fs_cost_log_ref (FsCostLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
fs_cost_log_unref (FsCostLog *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) fs_cost_log_clear);
}

/* Returns FALSE, storing nothing, once FS_COST_LOG_CAPACITY values are held. */
gboolean
fs_cost_log_append (FsCostLog *self,
                    double     value)
{
  gsize chunk = self->length >> CHUNK_BITS;

  if (self->length >= FS_COST_LOG_CAPACITY)
    return FALSE;

  if (self->chunks[chunk] == NULL)
    self->chunks[chunk] = g_new (double, CHUNK_LEN);

  self->chunks[chunk][self->length & (CHUNK_LEN - 1)] = value;
  self->length++;
  return TRUE;
}

/* The writer's length. Other threads must use the length of their snapshot. */
gsize
fs_cost_log_get_length (const FsCostLog *self)
{
  return self->length;
}

double
fs_cost_log_get (const FsCostLog *self,
                 gsize            index)
{
  g_return_val_if_fail (index < FS_COST_LOG_CAPACITY, NAN);
  g_return_val_if_fail (self->chunks[index >> CHUNK_BITS] != NULL, NAN);

  return self->chunks[index >> CHUNK_BITS][index & (CHUNK_LEN - 1)];
}

void
fs_cost_log_copy_range (const FsCostLog *self,
                        gsize            start,
                        gsize            len,
                        double          *out)
{
  gsize end = start + len;

  while (start < end)
    {
      gsize offset = start & (CHUNK_LEN - 1);
      gsize n = MIN (CHUNK_LEN - offset, end - start);

      memcpy (out, self->chunks[start >> CHUNK_BITS] + offset, n * sizeof (double));
      out += n;
      start += n;
    }
}

/* The smallest and largest finite values in [start, end), read a chunk at
 * a time; FALSE when there is none. Like every reader here, it must stay
 * below the length of the caller's snapshot. */
gboolean
fs_cost_log_min_max (const FsCostLog *self,
                     gsize            start,
                     gsize            end,
                     double          *min,
                     double          *max)
{
  double lo = INFINITY, hi = -INFINITY;

  while (start < end)
    {
      gsize offset = start & (CHUNK_LEN - 1);
      gsize n = MIN (CHUNK_LEN - offset, end - start);
      const double *v = self->chunks[start >> CHUNK_BITS] + offset;

      for (gsize k = 0; k < n; k++)
        if (isfinite (v[k]))
          {
            lo = MIN (lo, v[k]);
            hi = MAX (hi, v[k]);
          }
      start += n;
    }

  *min = lo;
  *max = hi;
  return lo <= hi;
}
