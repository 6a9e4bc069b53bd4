/* fs-mtx.h: Matrix Market exchange format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_MTX_BANNER "%%MatrixMarket"

FsMatrix *fs_mtx_parse (const char  *name,
                        const char  *text,
                        gsize        len,
                        GError     **error);

G_END_DECLS
