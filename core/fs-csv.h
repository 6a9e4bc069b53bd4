/* fs-csv.h: plain numeric delimited text, read and written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_csv_load         (const char    *path,
                               GError       **error);
FsMatrix *fs_csv_parse        (const char    *name,
                               const char    *text,
                               gsize          len,
                               GError       **error);
gboolean  fs_csv_write        (const char    *path,
                               gsize          rows,
                               gsize          cols,
                               const double  *data,
                               const char    *header,
                               GError       **error);

G_END_DECLS
