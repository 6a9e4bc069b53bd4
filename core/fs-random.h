/* fs-random.h: counter-based splitmix64 streams.
 *
 * The k-th value of the stream with a given key depends on nothing else,
 * so the same seed gives the same bits on every machine, and the NumPy and
 * PyTorch peers in shared/bench can build exactly the same data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint64 fs_random_key         (guint64  seed,
                               guint    stream);
void    fs_random_fill_signed (guint64  key,
                               double  *values,
                               gsize    len);
void    fs_random_fill_unit   (guint64  key,
                               double  *values,
                               gsize    len);
void    fs_random_fill_unit_from (guint64  key,
                                  guint64  first,
                                  double  *values,
                                  gsize    len);

G_END_DECLS
