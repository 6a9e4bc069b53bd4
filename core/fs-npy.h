/* fs-npy.h: NumPy's .npy format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_NPY_MAGIC "\x93NUMPY"

FsMatrix *fs_npy_parse   (const char      *name,
                          const guint8    *data,
                          gsize            len,
                          GError         **error);
GBytes   *fs_npy_encode  (const FsMatrix  *X);
GBytes   *fs_npy_encode_data (gsize         rows,
                              gsize         cols,
                              const double *data);

G_END_DECLS
