/* fs-csv.c
 *
 * Numbers are written in the fewest digits that read back to the same
 * double; missing cells as NaN, which R, pandas, NumPy and our own loader
 * all read as missing. Labels are quoted when they must be, and a label
 * that would read as a number is always quoted, so the loader finds the
 * header and the row names again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-csv"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fs-csv.h"

static void
append_number (GString *out,
               double   value)
{
  char buf[32];

  if (isnan (value))
    {
      g_string_append (out, "NaN");
      return;
    }

  /* Values typed by people read back from 15 digits; the rest need 17. */
  snprintf (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    snprintf (buf, sizeof buf, "%.17g", value);
  /* snprintf follows LC_NUMERIC; the file must not. */
  for (char *c = buf; *c != '\0'; c++)
    if (*c == ',')
      *c = '.';
  g_string_append (out, buf);
}

static void
append_label (GString    *out,
              const char *label,
              char        separator)
{
  gboolean quote = label[0] == '\0' || strchr (label, separator) != NULL ||
                   strpbrk (label, "\"\r\n#") != NULL || g_ascii_isspace (label[0]) ||
                   g_ascii_isdigit (label[0]) || label[0] == '-' || label[0] == '+' ||
                   label[0] == '.';

  if (!quote)
    {
      g_string_append (out, label);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *c = label; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

GBytes *
fs_csv_encode (const FsMatrix *X,
               char            separator)
{
  GString *out = g_string_sized_new (X->rows * X->cols * 8 + 64);

  if (X->col_labels != NULL)
    {
      if (X->row_labels != NULL)
        {
          append_label (out, "", separator);
          g_string_append_c (out, separator);
        }
      for (gsize j = 0; j < X->cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, separator);
          append_label (out, X->col_labels[j], separator);
        }
      g_string_append_c (out, '\n');
    }

  for (gsize i = 0; i < X->rows; i++)
    {
      if (X->row_labels != NULL)
        {
          append_label (out, X->row_labels[i], separator);
          g_string_append_c (out, separator);
        }
      for (gsize j = 0; j < X->cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, separator);
          append_number (out, X->data[i * X->cols + j]);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free_to_bytes (out);
}

/* Bare numbers with an optional header line, for factors and products. */
gboolean
fs_csv_write (const char    *path,
              gsize          rows,
              gsize          cols,
              const double  *data,
              const char    *header,
              GError       **error)
{
  g_autoptr(GString) out = g_string_sized_new (rows * cols * 12 + 64);

  if (header != NULL)
    {
      g_string_append (out, header);
      g_string_append_c (out, '\n');
    }

  for (gsize i = 0; i < rows; i++)
    {
      for (gsize j = 0; j < cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          append_number (out, data[i * cols + j]);
        }
      g_string_append_c (out, '\n');
    }

  return g_file_set_contents (path, out->str, (gssize) out->len, error);
}
