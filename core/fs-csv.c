/* fs-csv.c
 *
 * Comma-separated numbers, one row a line; empty fields and NA are missing
 * cells; blank lines and # comments are skipped. Errors name the file, the
 * line and the column.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-csv"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "fs-csv.h"
#include "fs-error.h"

static gboolean
is_missing_token (const char *s,
                  gsize       len)
{
  return len == 0 ||
         (len == 2 && g_ascii_strncasecmp (s, "NA", 2) == 0) ||
         (len == 3 && g_ascii_strncasecmp (s, "NaN", 3) == 0);
}

static gboolean
parse_field (const char *name,
             gsize       line,
             gsize       column,
             const char *start,
             const char *end,
             double     *value,
             GError    **error)
{
  g_autofree char *field = NULL;
  char *stop = NULL;

  while (start < end && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;

  if (is_missing_token (start, (gsize) (end - start)))
    {
      *value = NAN;
      return TRUE;
    }

  field = g_strndup (start, (gsize) (end - start));
  errno = 0;
  *value = g_ascii_strtod (field, &stop);
  if (stop == field || *stop != '\0')
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s:%lu:%lu: “%s” is not a number"),
                   name, line, column, field);
      return FALSE;
    }
  if (errno == ERANGE && fabs (*value) > 1.0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s:%lu:%lu: %s is out of range"),
                   name, line, column, field);
      return FALSE;
    }
  if (isinf (*value))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s:%lu:%lu: infinite values are not allowed"),
                   name, line, column);
      return FALSE;
    }
  return TRUE;
}

FsMatrix *
fs_csv_parse (const char  *name,
              const char  *text,
              gsize        len,
              GError     **error)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  const char *p = text, *end = text + len;
  gsize cols = 0, rows = 0, line = 0;
  FsMatrix *X;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = eol != NULL ? eol : end;
      const char *field = p;
      gsize fields = 0;

      line++;
      if (line_end > p && line_end[-1] == '\r')
        line_end--;

      while (p < line_end && g_ascii_isspace (*p))
        p++;
      if (p == line_end || *p == '#')
        {
          p = eol != NULL ? eol + 1 : end;
          continue;
        }

      p = field;
      for (;;)
        {
          const char *comma = memchr (p, ',', (gsize) (line_end - p));
          const char *field_end = comma != NULL ? comma : line_end;
          double value;

          if (!parse_field (name, line, (gsize) (p - field) + 1, p, field_end, &value, error))
            return NULL;
          g_array_append_val (values, value);
          fields++;
          if (comma == NULL)
            break;
          p = comma + 1;
        }

      if (rows == 0)
        cols = fields;
      else if (fields != cols)
        {
          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s:%lu: this row has %lu fields, the first row has %lu"),
                       name, line, fields, cols);
          return NULL;
        }
      rows++;
      p = eol != NULL ? eol + 1 : end;
    }

  if (rows == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: no numbers found"), name);
      return NULL;
    }

  X = fs_matrix_new_from_data (rows, cols, (const double *) values->data, error);
  if (X == NULL)
    g_prefix_error (error, "%s: ", name);
  return X;
}

FsMatrix *
fs_csv_load (const char  *path,
             GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *name = g_filename_display_name (path);
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;

  return fs_csv_parse (name, text, len, error);
}

/* Shortest text that reads back to the same double. */
static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    return;
  g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value));
}

/* Written to a temporary file and renamed over the target, so a failure
 * leaves any earlier file whole. */
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
