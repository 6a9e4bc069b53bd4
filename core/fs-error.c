/* fs-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fs-error.h"

/* Some messages elsewhere still print sizes with %lu and %ld, which needs
 * LP64; every platform Factorscope is built for (Debian's 64-bit ones) is. */
G_STATIC_ASSERT (sizeof (gsize) == sizeof (unsigned long));
G_STATIC_ASSERT (sizeof (guint64) == sizeof (unsigned long));
G_STATIC_ASSERT (sizeof (gint64) == sizeof (long));

G_DEFINE_QUARK (fs-error-quark, fs_error)

/* xgettext cuts a translatable message short at a GLib format macro such
 * as G_GSIZE_FORMAT, so such messages take sizes and counts as text ("%s")
 * made here. */
char *
fs_error_number_text (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}
