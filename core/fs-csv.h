/* fs-csv.h: delimited text written so that it reads back exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

GBytes   *fs_csv_encode (const FsMatrix  *X,
                         char             separator);
void      fs_csv_append_number (GString      *out,
                                double        value);
GBytes   *fs_csv_encode_table (gsize               rows,
                               gsize               cols,
                               const double       *data,
                               const char         *corner,
                               const char * const *row_labels,
                               const char * const *col_labels);
GBytes   *fs_csv_format (gsize            rows,
                         gsize            cols,
                         const double    *data,
                         const char      *header);
gboolean  fs_csv_write_set (guint               n,
                            const char * const *paths,
                            GBytes * const     *contents,
                            GError            **error);

G_END_DECLS
