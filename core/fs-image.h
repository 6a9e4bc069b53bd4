/* fs-image.h: images as matrices of grey levels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_image_parse (const char    *name,
                          const guint8  *data,
                          gsize          len,
                          GError       **error);

G_END_DECLS
