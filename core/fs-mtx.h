/* fs-mtx.h: Matrix Market exchange format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include <gio/gio.h>

#include "fs-import.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_MTX_BANNER "%%MatrixMarket"

FsMatrix *fs_mtx_parse (const char  *name,
                        const char  *text,
                        gsize        len,
                        GError     **error);

/* The same, with a cancellable checked and progress told about every
 * 256 KiB (fs-import.h). */
FsMatrix *fs_mtx_parse_full (const char          *name,
                             const char          *text,
                             gsize                len,
                             GCancellable        *cancellable,
                             FsLoadProgressFunc   progress,
                             gpointer             progress_data,
                             GError             **error);

G_END_DECLS
