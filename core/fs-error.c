/* fs-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdarg.h>

#include "fs-error.h"

G_DEFINE_QUARK (fs-error-quark, fs_error)

/* xgettext cuts a translatable message short at a GLib format macro such
 * as G_GSIZE_FORMAT, so such messages take sizes and counts as text ("%s")
 * made here. */
char *
fs_error_number_text (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

gboolean
fs_error_refuse (GError     **error,
                 const char  *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (FS_ERROR, FS_ERROR_INVALID_ARGUMENT, format, args));
  va_end (args);
  return FALSE;
}
