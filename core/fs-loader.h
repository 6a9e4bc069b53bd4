/* fs-loader.h: read a matrix from any supported file, write one safely.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_matrix_load       (const char      *path,
                                GError         **error);
FsMatrix *fs_matrix_load_data  (const char      *name,
                                const guint8    *data,
                                gsize            len,
                                GError         **error);
gboolean  fs_matrix_save       (const FsMatrix  *X,
                                const char      *path,
                                GError         **error);

G_END_DECLS
