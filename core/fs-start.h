/* fs-start.h: the seeded point a run starts from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

void fs_start_fill (const FsMatrix *X,
                    FsInit          init,
                    guint           rank,
                    guint64         seed,
                    double         *W,
                    double         *H);

G_END_DECLS
