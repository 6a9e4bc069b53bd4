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

/* The same, read with import options (NULL: all automatic): their
 * storage and zeros_are_values (the loader applies the rest). */
FsMatrix *fs_mtx_parse_options (const char             *name,
                                const char             *text,
                                gsize                   len,
                                const FsImportOptions  *options,
                                GCancellable           *cancellable,
                                FsLoadProgressFunc      progress,
                                gpointer                progress_data,
                                GError                **error);

/* A matrix as Matrix Market text: a sparse one, or a dense one with
 * missing cells, as "coordinate real general" listing its observed cells
 * (a comment says whether the unlisted ones are missing or zeros); a
 * dense one without, as "array real general". Numbers in the fewest
 * digits that read back to the same double. */
GBytes   *fs_mtx_encode (const FsMatrix *X);

G_END_DECLS
