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
  const char   *name;
  const char   *p;
  const char   *end;
  gsize         line;
  const char   *start;
  FsLoadTicker *ticker;
} Reader;

/* What the banner line says. */
typedef struct
{
  gboolean coordinate;
  gboolean pattern;
  Symmetry symmetry;
} Banner;

/* One entry of a coordinate file. */
typedef struct
{
  guint64 i, j;
  double  v;
} Entry;

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
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "%s:%" G_GSIZE_FORMAT ": %s",
               r->name, r->line, msg);
  return FALSE;
}

/* Checks the cancellable and tells progress about every 256 KiB. */
static inline gboolean
tick (Reader  *r,
      GError **error)
{
  gsize offset = (gsize) (r->p - r->start);

  return !fs_load_ticker_due (r->ticker, offset) || fs_load_ticker_tick (r->ticker, offset, error);
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
              Banner    *banner,
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
    banner->coordinate = TRUE;
  else if (g_str_equal (words[2], "array"))
    banner->coordinate = FALSE;
  else
    return fail_at (r, error, _("unknown layout “%s” (expected coordinate or array)"), words[2]);

  if (g_str_equal (words[3], "complex"))
    return fail_at (r, error, _("complex matrices cannot be factorized"));
  if (!g_str_equal (words[3], "real") && !g_str_equal (words[3], "integer") &&
      !g_str_equal (words[3], "double") && !g_str_equal (words[3], "pattern"))
    return fail_at (r, error, _("unknown field “%s” (expected real, integer or pattern)"), words[3]);
  banner->pattern = g_str_equal (words[3], "pattern");
  if (banner->pattern && !banner->coordinate)
    return fail_at (r, error, _("a pattern matrix must be in coordinate layout"));

  if (g_str_equal (words[4], "general"))
    banner->symmetry = SYM_GENERAL;
  else if (g_str_equal (words[4], "symmetric"))
    banner->symmetry = SYM_SYMMETRIC;
  else if (g_str_equal (words[4], "skew-symmetric"))
    banner->symmetry = SYM_SKEW;
  else if (g_str_equal (words[4], "hermitian"))
    return fail_at (r, error, _("hermitian matrices are complex and cannot be factorized"));
  else
    return fail_at (r, error, _("unknown symmetry “%s”"), words[4]);

  return TRUE;
}

/* The size line: ROWS COLS, and ENTRIES for a coordinate file. */
static gboolean
read_size_line (Reader       *r,
                const Banner *banner,
                guint64      *rows,
                guint64      *cols,
                guint64      *entries,
                GError      **error)
{
  g_autofree char *size_line = next_line (r);
  char *p = size_line;

  if (p == NULL || !read_uint (&p, rows) || !read_uint (&p, cols) ||
      (banner->coordinate && !read_uint (&p, entries)) || !at_line_end (p))
    return fail_at (r, error, banner->coordinate ? _("expected the size line “ROWS COLS ENTRIES”")
                                                 : _("expected the size line “ROWS COLS”"));
  if (banner->symmetry != SYM_GENERAL && *rows != *cols)
    {
      g_autofree char *rows_text = fs_error_number_text (*rows);
      g_autofree char *cols_text = fs_error_number_text (*cols);

      return fail_at (r, error, _("a symmetric matrix must be square, not %s × %s"),
                      rows_text, cols_text);
    }
  if (!fs_matrix_check_size (*rows, *cols, error))
    {
      g_prefix_error (error, "%s:%" G_GSIZE_FORMAT ": ", r->name, r->line);
      return FALSE;
    }
  if (banner->coordinate && *entries > *rows * *cols)
    {
      g_autofree char *entries_text = fs_error_number_text (*entries);
      g_autofree char *rows_text = fs_error_number_text (*rows);
      g_autofree char *cols_text = fs_error_number_text (*cols);

      return fail_at (r, error, g_dngettext (GETTEXT_PACKAGE, "%s entry cannot fit in a %s × %s matrix",
                                             "%s entries cannot fit in a %s × %s matrix", *entries),
                      entries_text, rows_text, cols_text);
    }
  return TRUE;
}

/* One line "ROW COLUMN [VALUE]" of a coordinate file, checked against the
 * size of X and the symmetry; i and j count from 1, as in the file. */
static gboolean
read_entry (Reader         *r,
            const Banner   *banner,
            const FsMatrix *X,
            char           *line,
            Entry          *e,
            GError        **error)
{
  char *p = line;

  if (!read_uint (&p, &e->i) || !read_uint (&p, &e->j) ||
      (!banner->pattern && !read_double (&p, &e->v)) || !at_line_end (p))
    return fail_at (r, error, banner->pattern ? _("expected “ROW COLUMN”")
                                              : _("expected “ROW COLUMN VALUE” with a finite value"));
  if (e->i < 1 || e->i > X->rows || e->j < 1 || e->j > X->cols)
    {
      g_autofree char *i_text = fs_error_number_text (e->i);
      g_autofree char *j_text = fs_error_number_text (e->j);
      g_autofree char *rows_text = fs_error_number_text (X->rows);
      g_autofree char *cols_text = fs_error_number_text (X->cols);

      return fail_at (r, error, _("entry (%s, %s) is outside the %s × %s matrix (indices start at 1)"),
                      i_text, j_text, rows_text, cols_text);
    }
  if (banner->symmetry != SYM_GENERAL && e->j > e->i)
    {
      g_autofree char *i_text = fs_error_number_text (e->i);
      g_autofree char *j_text = fs_error_number_text (e->j);

      return fail_at (r, error, _("entry (%s, %s) is above the diagonal of a symmetric matrix"),
                      i_text, j_text);
    }
  if (banner->symmetry == SYM_SKEW && e->i == e->j)
    return fail_at (r, error, _("a skew-symmetric matrix has no diagonal entries"));
  return TRUE;
}

/* Adds up the entries of a coordinate file, mirrored for the symmetric
 * kinds. */
static gboolean
read_coordinate_entries (Reader       *r,
                         const Banner *banner,
                         guint64       entries,
                         FsMatrix     *X,
                         GError      **error)
{
  guint64 cols = X->cols;

  for (guint64 k = 0; k < entries; k++)
    {
      g_autofree char *line = NULL;
      Entry e = { 0, 0, 1.0 };

      if (!tick (r, error))
        return FALSE;
      line = next_line (r);

      if (line == NULL)
        {
          g_autofree char *k_text = fs_error_number_text (k);
          g_autofree char *entries_text = fs_error_number_text (entries);

          return fail_at (r, error, g_dngettext (GETTEXT_PACKAGE, "the file ends after %s of %s entry",
                                                 "the file ends after %s of %s entries", entries),
                          k_text, entries_text);
        }
      if (!read_entry (r, banner, X, line, &e, error))
        return FALSE;

      X->data[(e.i - 1) * cols + (e.j - 1)] += e.v;
      if (banner->symmetry == SYM_SYMMETRIC && e.i != e.j)
        X->data[(e.j - 1) * cols + (e.i - 1)] += e.v;
      else if (banner->symmetry == SYM_SKEW)
        X->data[(e.j - 1) * cols + (e.i - 1)] -= e.v;
    }
  return TRUE;
}

/* The values of an array file, column by column; a symmetric array lists
 * the lower triangle, a skew-symmetric one the part strictly below the
 * diagonal. */
static gboolean
read_array_values (Reader       *r,
                   const Banner *banner,
                   FsMatrix     *X,
                   GError      **error)
{
  guint64 rows = X->rows, cols = X->cols;
  Symmetry symmetry = banner->symmetry;

  for (guint64 j = 0; j < cols; j++)
    for (guint64 i = symmetry == SYM_GENERAL ? 0 : (symmetry == SYM_SKEW ? j + 1 : j);
         i < rows; i++)
      {
        g_autofree char *line = NULL;
        char *p;
        double v;

        if (!tick (r, error))
          return FALSE;
        p = line = next_line (r);

        if (line == NULL)
          {
            g_autofree char *row_text = fs_error_number_text (i + 1);
            g_autofree char *col_text = fs_error_number_text (j + 1);

            return fail_at (r, error, _("the file ends before the value of row %s, column %s"),
                            row_text, col_text);
          }
        if (!read_double (&p, &v) || !at_line_end (p))
          return fail_at (r, error, _("expected one finite value"));
        X->data[i * cols + j] = v;
        if (symmetry == SYM_SYMMETRIC)
          X->data[j * cols + i] = v;
        else if (symmetry == SYM_SKEW)
          X->data[j * cols + i] = -v;
      }
  return TRUE;
}

/* Whether the rest of the file can hold the values the size line of an
 * array announces (each takes a character and a line end), checked before
 * the matrix is allocated: 57 bytes must not claim 3 GB. */
static gboolean
array_fits (Reader        *r,
            const Banner  *banner,
            guint64        rows,
            guint64        cols,
            GError       **error)
{
  guint64 values = banner->symmetry == SYM_GENERAL ? rows * cols
                 : banner->symmetry == SYM_SKEW ? cols * (cols - 1) / 2
                 : cols * (cols + 1) / 2;
  guint64 room = (guint64) (r->end - r->p);

  if (rows > 0 && cols > G_MAXUINT64 / rows)
    values = G_MAXUINT64;
  if (values == 0 || (values <= room && 2 * values - 1 <= room))
    return TRUE;
  {
    g_autofree char *count = fs_error_number_text (values);
    g_autofree char *bytes = fs_error_number_text (room);

    return fail_at (r, error, g_dngettext (GETTEXT_PACKAGE,
                                           "the size line announces %s value, which the %s bytes "
                                           "left in the file cannot hold",
                                           "the size line announces %s values, which the %s bytes "
                                           "left in the file cannot hold", values), count, bytes);
  }
}

FsMatrix *
fs_mtx_parse (const char  *name,
              const char  *text,
              gsize        len,
              GError     **error)
{
  return fs_mtx_parse_full (name, text, len, NULL, NULL, NULL, error);
}

FsMatrix *
fs_mtx_parse_full (const char          *name,
                   const char          *text,
                   gsize                len,
                   GCancellable        *cancellable,
                   FsLoadProgressFunc   progress,
                   gpointer             progress_data,
                   GError             **error)
{
  FsLoadTicker ticker;
  Reader r = { name, text, text + len, 0, text, &ticker };
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *extra = NULL;
  Banner banner = { TRUE, FALSE, SYM_GENERAL };
  guint64 rows, cols, entries = 0;

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

  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, len);
  if (!parse_banner (&r, &banner, error) ||
      !read_size_line (&r, &banner, &rows, &cols, &entries, error))
    return NULL;

  if (!banner.coordinate && !array_fits (&r, &banner, rows, cols, error))
    return NULL;
  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  if (banner.coordinate ? !read_coordinate_entries (&r, &banner, entries, X, error)
                        : !read_array_values (&r, &banner, X, error))
    return NULL;

  extra = next_line (&r);
  if (extra != NULL)
    {
      fail_at (&r, error, _("more data than the size line announces"));
      return NULL;
    }

  X->format = "mtx";
  return g_steal_pointer (&X);
}
