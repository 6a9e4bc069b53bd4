/* fs-random.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fs-random.h"

#define FS_GOLDEN_GAMMA G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)

static inline guint64
splitmix64_output (guint64 key,
                   guint64 k)
{
  guint64 z = key + (k + 1) * FS_GOLDEN_GAMMA;

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* Streams are numbered so that one seed gives several independent arrays:
 * the bench recipe uses 1 to 5 for A, B, E, W0 and H0. */
guint64
fs_random_key (guint64 seed,
               guint   stream)
{
  return 16 * seed + stream;
}

/* Values in [-1, 1), exactly as the peers compute them. */
void
fs_random_fill_signed (guint64  key,
                       double  *values,
                       gsize    len)
{
  for (gsize k = 0; k < len; k++)
    values[k] = (double) (splitmix64_output (key, k) >> 11) * 0x1p-52 - 1.0;
}

/* Values in [0, 1), like numpy.random.rand and torch.rand. */
void
fs_random_fill_unit (guint64  key,
                     double  *values,
                     gsize    len)
{
  fs_random_fill_unit_from (key, 0, values, len);
}

/* The stream's values first, first + 1, …: a long stream read a block at
 * a time gives the same values as one fill. */
void
fs_random_fill_unit_from (guint64  key,
                          guint64  first,
                          double  *values,
                          gsize    len)
{
  for (gsize k = 0; k < len; k++)
    values[k] = (double) (splitmix64_output (key, first + k) >> 11) * 0x1p-53;
}
