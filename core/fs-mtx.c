/* fs-mtx.c
 *
 * Coordinate and array layouts; real, integer and pattern fields; general,
 * symmetric and skew-symmetric matrices expanded to the full matrix.
 * Duplicate coordinates are summed, as SciPy's mmread does. Cells a
 * coordinate file does not list are zeros, not missing cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-mtx"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-mtx.h"

typedef enum { SYM_GENERAL, SYM_SYMMETRIC, SYM_SKEW } Symmetry;

typedef struct
{
  const char *name;
  const char *p;
  const char *end;
  gsize       line;
} Reader;

G_GNUC_PRINTF (3, 4)
static gboolean
fail_at (Reader     *r,
         GError    **error,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "%s:%lu: %s", r->name, r->line, msg);
  return FALSE;
}

/* The next line that is not a comment or blank, as a NUL-terminated copy. */
static char *
next_line (Reader *r)
{
  while (r->p < r->end)
    {
      const char *eol = memchr (r->p, '\n', (gsize) (r->end - r->p));
      const char *line_end = eol != NULL ? eol : r->end;
      const char *q = r->p;

      r->line++;
      r->p = eol != NULL ? eol + 1 : r->end;
      while (q < line_end && g_ascii_isspace (*q))
        q++;
      if (q == line_end || *q == '%')
        continue;
      return g_strndup (q, (gsize) (line_end - q));
    }
  return NULL;
}

static gboolean
read_uint (char   **p,
           guint64 *value)
{
  char *end = NULL;

  while (g_ascii_isspace (**p))
    (*p)++;
  if (!g_ascii_isdigit (**p))
    return FALSE;
  errno = 0;
  *value = g_ascii_strtoull (*p, &end, 10);
  if (errno != 0)
    return FALSE;
  *p = end;
  return TRUE;
}

static gboolean
read_double (char   **p,
             double  *value)
{
  char *end = NULL;

  while (g_ascii_isspace (**p))
    (*p)++;
  if (**p == '\0')
    return FALSE;
  errno = 0;
  *value = g_ascii_strtod (*p, &end);
  if (end == *p || !isfinite (*value))
    return FALSE;
  *p = end;
  return TRUE;
}

static gboolean
at_line_end (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

static gboolean
parse_banner (Reader    *r,
              gboolean  *coordinate,
              gboolean  *pattern,
              Symmetry  *symmetry,
              GError   **error)
{
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  const char *eol = memchr (r->p, '\n', (gsize) (r->end - r->p));

  line = g_ascii_strdown (r->p, eol != NULL ? eol - r->p : r->end - r->p);
  r->line = 1;
  r->p = eol != NULL ? eol + 1 : r->end;
  g_strstrip (line);
  words = g_strsplit_set (line, " \t", -1);

  if (g_strv_length (words) < 5 || !g_str_equal (words[0], "%%matrixmarket") ||
      !g_str_equal (words[1], "matrix"))
    return fail_at (r, error, _("expected “%%%%MatrixMarket matrix FORMAT FIELD SYMMETRY”"));

  if (g_str_equal (words[2], "coordinate"))
    *coordinate = TRUE;
  else if (g_str_equal (words[2], "array"))
    *coordinate = FALSE;
  else
    return fail_at (r, error, _("unknown layout “%s” (expected coordinate or array)"), words[2]);

  if (g_str_equal (words[3], "complex"))
    return fail_at (r, error, _("complex matrices cannot be factorized"));
  if (!g_str_equal (words[3], "real") && !g_str_equal (words[3], "integer") &&
      !g_str_equal (words[3], "double") && !g_str_equal (words[3], "pattern"))
    return fail_at (r, error, _("unknown field “%s” (expected real, integer or pattern)"), words[3]);
  *pattern = g_str_equal (words[3], "pattern");
  if (*pattern && !*coordinate)
    return fail_at (r, error, _("a pattern matrix must be in coordinate layout"));

  if (g_str_equal (words[4], "general"))
    *symmetry = SYM_GENERAL;
  else if (g_str_equal (words[4], "symmetric"))
    *symmetry = SYM_SYMMETRIC;
  else if (g_str_equal (words[4], "skew-symmetric"))
    *symmetry = SYM_SKEW;
  else if (g_str_equal (words[4], "hermitian"))
    return fail_at (r, error, _("hermitian matrices are complex and cannot be factorized"));
  else
    return fail_at (r, error, _("unknown symmetry “%s”"), words[4]);

  return TRUE;
}

FsMatrix *
fs_mtx_parse (const char  *name,
              const char  *text,
              gsize        len,
              GError     **error)
{
  Reader r = { name, text, text + len, 0 };
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *size_line = NULL;
  gboolean coordinate = TRUE, pattern = FALSE;
  Symmetry symmetry = SYM_GENERAL;
  guint64 rows, cols, entries = 0;
  char *p;

  if (len < strlen (FS_MTX_BANNER) || g_ascii_strncasecmp (text, FS_MTX_BANNER, strlen (FS_MTX_BANNER)) != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s:1: not a Matrix Market file (no %%%%MatrixMarket banner)"), name);
      return NULL;
    }
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: holds NUL bytes"), name);
      return NULL;
    }

  if (!parse_banner (&r, &coordinate, &pattern, &symmetry, error))
    return NULL;

  size_line = next_line (&r);
  p = size_line;
  if (p == NULL || !read_uint (&p, &rows) || !read_uint (&p, &cols) ||
      (coordinate && !read_uint (&p, &entries)) || !at_line_end (p))
    {
      fail_at (&r, error, coordinate ? _("expected the size line “ROWS COLS ENTRIES”")
                                     : _("expected the size line “ROWS COLS”"));
      return NULL;
    }
  if (symmetry != SYM_GENERAL && rows != cols)
    {
      fail_at (&r, error, _("a symmetric matrix must be square, not %lu × %lu"),
               (unsigned long) rows, (unsigned long) cols);
      return NULL;
    }
  if (!fs_matrix_check_size (rows, cols, error))
    {
      g_prefix_error (error, "%s:%lu: ", name, r.line);
      return NULL;
    }
  if (coordinate && entries > rows * cols)
    {
      fail_at (&r, error, _("%lu entries cannot fit in a %lu × %lu matrix"),
               (unsigned long) entries, (unsigned long) rows, (unsigned long) cols);
      return NULL;
    }

  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  if (coordinate)
    {
      for (guint64 k = 0; k < entries; k++)
        {
          g_autofree char *line = next_line (&r);
          guint64 i, j;
          double v = 1.0;

          if (line == NULL)
            {
              fail_at (&r, error, _("the file ends after %lu of %lu entries"),
                       (unsigned long) k, (unsigned long) entries);
              return NULL;
            }
          p = line;
          if (!read_uint (&p, &i) || !read_uint (&p, &j) ||
              (!pattern && !read_double (&p, &v)) || !at_line_end (p))
            {
              fail_at (&r, error, pattern ? _("expected “ROW COLUMN”")
                                          : _("expected “ROW COLUMN VALUE” with a finite value"));
              return NULL;
            }
          if (i < 1 || i > rows || j < 1 || j > cols)
            {
              fail_at (&r, error, _("entry (%lu, %lu) is outside the %lu × %lu matrix (indices start at 1)"),
                       (unsigned long) i, (unsigned long) j, (unsigned long) rows, (unsigned long) cols);
              return NULL;
            }
          if (symmetry != SYM_GENERAL && j > i)
            {
              fail_at (&r, error, _("entry (%lu, %lu) is above the diagonal of a symmetric matrix"),
                       (unsigned long) i, (unsigned long) j);
              return NULL;
            }
          if (symmetry == SYM_SKEW && i == j)
            {
              fail_at (&r, error, _("a skew-symmetric matrix has no diagonal entries"));
              return NULL;
            }

          X->data[(i - 1) * cols + (j - 1)] += v;
          if (symmetry == SYM_SYMMETRIC && i != j)
            X->data[(j - 1) * cols + (i - 1)] += v;
          else if (symmetry == SYM_SKEW)
            X->data[(j - 1) * cols + (i - 1)] -= v;
        }
    }
  else
    {
      /* Column by column; a symmetric array lists the lower triangle, a
       * skew-symmetric one the part strictly below the diagonal. */
      for (guint64 j = 0; j < cols; j++)
        for (guint64 i = symmetry == SYM_GENERAL ? 0 : (symmetry == SYM_SKEW ? j + 1 : j);
             i < rows; i++)
          {
            g_autofree char *line = next_line (&r);
            double v;

            if (line == NULL)
              {
                fail_at (&r, error, _("the file ends before the value of row %lu, column %lu"),
                         (unsigned long) i + 1, (unsigned long) j + 1);
                return NULL;
              }
            p = line;
            if (!read_double (&p, &v) || !at_line_end (p))
              {
                fail_at (&r, error, _("expected one finite value"));
                return NULL;
              }
            X->data[i * cols + j] = v;
            if (symmetry == SYM_SYMMETRIC)
              X->data[j * cols + i] = v;
            else if (symmetry == SYM_SKEW)
              X->data[j * cols + i] = -v;
          }
    }

  {
    g_autofree char *extra = next_line (&r);

    if (extra != NULL)
      {
        fail_at (&r, error, _("more data than the size line announces"));
        return NULL;
      }
  }

  X->format = "mtx";
  return g_steal_pointer (&X);
}
