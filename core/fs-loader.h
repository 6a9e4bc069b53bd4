/* fs-loader.h: read a matrix from any supported file, write one safely.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include <gio/gio.h>

#include "fs-import.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_matrix_load       (const char      *path,
                                GError         **error);
FsMatrix *fs_matrix_load_data  (const char      *name,
                                const guint8    *data,
                                gsize            len,
                                GError         **error);
/* The same, read with options (NULL: all automatic); cancellable makes
 * the load end soon with G_IO_ERROR_CANCELLED; progress (may be NULL) is
 * called from the calling thread as the file is read. The matrix keeps a
 * copy of the options (FsMatrix.import_options). */
FsMatrix *fs_matrix_load_full  (const char             *path,
                                const FsImportOptions  *options,
                                GCancellable           *cancellable,
                                FsLoadProgressFunc      progress,
                                gpointer                progress_data,
                                GError                **error);
FsMatrix *fs_matrix_load_data_full (const char             *name,
                                    const guint8           *data,
                                    gsize                   len,
                                    const FsImportOptions  *options,
                                    GCancellable           *cancellable,
                                    FsLoadProgressFunc      progress,
                                    gpointer                progress_data,
                                    GError                **error);
/* The top-left corner of what fs_matrix_load_data_full () would read
 * with these options (at most max_rows × max_cols, labels and
 * import_report included), reading only as much of data as that needs:
 * the import sheet's preview. */
FsMatrix *fs_matrix_load_preview (const char             *name,
                                  const guint8           *data,
                                  gsize                   len,
                                  const FsImportOptions  *options,
                                  guint                   max_rows,
                                  guint                   max_cols,
                                  GError                **error);
/* The top-left corner (at most max_rows × max_cols, labels carried) of
 * what base, read with automatic options, becomes with these options'
 * dropped columns and transpose, at the cost of the corner only: the
 * import sheet's preview of a .npy, .mtx or image, read once. */
FsMatrix *fs_matrix_import_corner (const FsMatrix         *base,
                                   const FsImportOptions  *options,
                                   guint                   max_rows,
                                   guint                   max_cols,
                                   GError                **error);
gboolean  fs_matrix_save       (const FsMatrix  *X,
                                const char      *path,
                                GError         **error);

G_END_DECLS
