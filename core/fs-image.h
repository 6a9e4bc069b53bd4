/* fs-image.h: images as matrices of grey levels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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
FsMatrix *fs_image_parse_pixbuf (const char    *name,
                                 const guint8  *data,
                                 gsize          len,
                                 GError       **error);

G_END_DECLS
