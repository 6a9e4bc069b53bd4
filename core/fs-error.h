/* fs-error.h: the error domain of the Factorscope core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FS_ERROR (fs_error_quark ())

typedef enum
{
  FS_ERROR_INVALID_ARGUMENT,
  FS_ERROR_TOO_LARGE,
  FS_ERROR_PARSE,
  FS_ERROR_NUMERIC,
  FS_ERROR_UNAVAILABLE,
  FS_ERROR_IO,
  FS_ERROR_DATA_CHANGED, /* a session's data file is not the one it was saved with */
} FsError;

GQuark fs_error_quark       (void);

/* A size or count as text, for translatable messages. */
char  *fs_error_number_text (guint64 value) G_GNUC_WARN_UNUSED_RESULT;

/* Sets an FS_ERROR_INVALID_ARGUMENT error from a whole, translated
 * sentence and returns FALSE: for a refused setting. */
gboolean fs_error_refuse    (GError     **error,
                             const char  *format,
                             ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
