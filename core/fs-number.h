/* fs-number.h: decimal numbers read fast, with exactly the double strtod
 * gives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads the whole of s[0..len) as a decimal number: an optional sign,
 * digits with an optional point (point: '.' or ','), an optional
 * exponent. TRUE with *out the correctly rounded double (bit for bit what
 * g_ascii_strtod gives) when the text is such a number and the fast paths
 * can round it exactly; FALSE for anything else (other text, too many
 * digits, an exponent far out, a value whose rounding is a near tie):
 * then ask strtod. */
gboolean fs_number_parse (const char *s,
                          gsize       len,
                          char        point,
                          double     *out);

G_END_DECLS
