/* fs-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fs-error.h"

/* Messages meant for translation print sizes and counts with %lu and %ld,
 * since xgettext cannot read GLib's format macros: that needs LP64, which
 * every platform Factorscope is built for (Debian's 64-bit ones) is. */
G_STATIC_ASSERT (sizeof (gsize) == sizeof (unsigned long));
G_STATIC_ASSERT (sizeof (guint64) == sizeof (unsigned long));
G_STATIC_ASSERT (sizeof (gint64) == sizeof (long));

G_DEFINE_QUARK (fs-error-quark, fs_error)
