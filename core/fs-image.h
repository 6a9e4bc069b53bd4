/* fs-image.h: images as matrices of grey levels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-import.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

/* PNG and JPEG are read row by row with libpng and libjpeg, straight into
 * the matrix; other formats through gdk-pixbuf. */
FsMatrix *fs_image_parse        (const char    *name,
                                 const guint8  *data,
                                 gsize          len,
                                 GError       **error);

/* Any format through gdk-pixbuf, PNG and JPEG included: what
 * fs_image_parse's row readers must match bit for bit (their test). */
/* The same for data that is a file's read-only private mapping (as
 * g_mapped_file_new makes it): pages read may be given back, and come
 * back from the file if read again. Never for data in memory of its
 * own, which would read as zeros. */
FsMatrix *fs_image_parse_mapped (const char    *name,
                                 const guint8  *data,
                                 gsize          len,
                                 GError       **error);

/* Either of those (mapped or not), with a cancel (G_IO_ERROR_CANCELLED
 * within a few milliseconds, but for gdk-pixbuf's TIFF loader, which
 * decodes the whole image at once) and progress told as bytes of the
 * file read, as the loader's other readers do. */
FsMatrix *fs_image_parse_full   (const char          *name,
                                 const guint8        *data,
                                 gsize                len,
                                 gboolean             mapped,
                                 GCancellable        *cancellable,
                                 FsLoadProgressFunc   progress,
                                 gpointer             progress_data,
                                 GError             **error);
FsMatrix *fs_image_parse_pixbuf (const char    *name,
                                 const guint8  *data,
                                 gsize          len,
                                 GError       **error);

G_END_DECLS
