/* fs-delimited.h: CSV, TSV and whitespace-separated numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_delimited_parse (const char  *name,
                              const char  *text,
                              gsize        len,
                              GError     **error);

G_END_DECLS
