/* fs-mtx.c
 *
 * Coordinate and array layouts; real, integer and pattern fields; general,
 * symmetric and skew-symmetric matrices expanded to the full matrix.
 *
 * A coordinate file is held sparse (fs-sparse.h) when the storage asks
 * for it, or, left automatic, when the cells its size line announces
 * (twice the entries for the symmetric kinds) are fewer than
 * FS_SPARSE_AUTO_SHARE of rows × cols: its entries are read as cells and
 * nothing of size rows × cols is allocated. Its unlisted cells are then
 * missing, or zeros with zeros_are_values, and a cell listed twice keeps
 * its first value (with a notice that counts them). Held dense, it reads
 * as it always did: unlisted cells are zeros and duplicate coordinates
 * are summed, as SciPy's mmread does, with notices that count both.
 * Array files are read dense.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-mtx"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-mtx.h"
#include "fs-number.h"

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

/* The next line that is not a comment or blank: [*start, *stop), its
 * leading blanks and line end left out; FALSE at the end of the text.
 * Nothing is copied. */
static inline gboolean
next_span (Reader      *r,
           const char **start,
           const char **stop)
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
      *start = q;
      *stop = line_end;
      return TRUE;
    }
  return FALSE;
}

/* The same as a NUL-terminated copy, or NULL. */
static char *
next_line (Reader *r)
{
  const char *start, *stop;

  return next_span (r, &start, &stop) ? g_strndup (start, (gsize) (stop - start)) : NULL;
}

static inline const char *
skip_blanks (const char *p,
             const char *end)
{
  while (p < end && g_ascii_isspace (*p))
    p++;
  return p;
}

/* An unsigned decimal after blanks, in [*p, end); *p moves past it. */
static inline gboolean
span_uint (const char **p,
           const char  *end,
           guint64     *value)
{
  const char *q = skip_blanks (*p, end);
  guint64 v = 0;

  if (q == end || !g_ascii_isdigit (*q))
    return FALSE;
  for (; q < end && g_ascii_isdigit (*q); q++)
    {
      guint digit = (guint) (*q - '0');

      if (v > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }
  *value = v;
  *p = q;
  return TRUE;
}

/* A finite number after blanks, up to the next blank; *p moves past it.
 * fs_number_parse (the delimited reader's) reads nearly all numbers
 * exactly; the rest (ties, more than 19 digits, hexadecimal) go to
 * g_ascii_strtod. */
static inline gboolean
span_double (const char **p,
             const char  *end,
             double      *value)
{
  const char *q = skip_blanks (*p, end), *t = q;

  while (t < end && !g_ascii_isspace (*t))
    t++;
  if (t == q)
    return FALSE;
  if (!fs_number_parse (q, (gsize) (t - q), '.', value))
    {
      char small[64];
      g_autofree char *large = NULL;
      gsize len = (gsize) (t - q);
      char *buf = len < sizeof small ? small : (large = g_malloc (len + 1));
      char *stop = NULL;

      memcpy (buf, q, len);
      buf[len] = '\0';
      *value = g_ascii_strtod (buf, &stop);
      if (stop != buf + len)
        return FALSE;
    }
  if (!isfinite (*value))
    return FALSE;
  *p = t;
  return TRUE;
}

/* The same three on a NUL-terminated line (the size line). */
static gboolean
read_uint (char   **p,
           guint64 *value)
{
  const char *q = *p;

  if (!span_uint (&q, *p + strlen (*p), value))
    return FALSE;
  *p += q - *p;
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
  if (*rows == 0 || *cols == 0 || *rows > G_MAXUINT32 || *cols > G_MAXUINT32)
    {
      /* fs_matrix_check_size says why (no cells, too large) in its words. */
      if (!fs_matrix_check_size (*rows, *cols, error))
        g_prefix_error (error, "%s:%" G_GSIZE_FORMAT ": ", r->name, r->line);
      else
        fail_at (r, error, _("a matrix needs 1 to 4294967295 rows and columns"));
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
static inline gboolean
read_entry (Reader         *r,
            const Banner   *banner,
            guint64         rows,
            guint64         cols,
            const char     *p,
            const char     *end,
            Entry          *e,
            GError        **error)
{
  if (!span_uint (&p, end, &e->i) || !span_uint (&p, end, &e->j) ||
      (!banner->pattern && !span_double (&p, end, &e->v)) || skip_blanks (p, end) != end)
    return fail_at (r, error, banner->pattern ? _("expected “ROW COLUMN”")
                                              : _("expected “ROW COLUMN VALUE” with a finite value"));
  if (e->i < 1 || e->i > rows || e->j < 1 || e->j > cols)
    {
      g_autofree char *i_text = fs_error_number_text (e->i);
      g_autofree char *j_text = fs_error_number_text (e->j);
      g_autofree char *rows_text = fs_error_number_text (rows);
      g_autofree char *cols_text = fs_error_number_text (cols);

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

/* Entry k of a coordinate file's entries, checked; FALSE with an error
 * naming the line when it is not there or not right. */
static inline gboolean
read_next_entry (Reader       *r,
                 const Banner *banner,
                 guint64       rows,
                 guint64       cols,
                 guint64       k,
                 guint64       entries,
                 Entry        *e,
                 GError      **error)
{
  const char *start, *stop;

  if (!tick (r, error))
    return FALSE;
  if (!next_span (r, &start, &stop))
    {
      g_autofree char *k_text = fs_error_number_text (k);
      g_autofree char *entries_text = fs_error_number_text (entries);

      return fail_at (r, error, g_dngettext (GETTEXT_PACKAGE, "the file ends after %s of %s entry",
                                             "the file ends after %s of %s entries", entries),
                      k_text, entries_text);
    }
  *e = (Entry) { 0, 0, 1.0 };
  return read_entry (r, banner, rows, cols, start, stop, e, error);
}

/* The cells a dense read of a coordinate file wrote: a bit per cell, so
 * that the unlisted ones (read as zeros) and the repeats (summed) can be
 * said. seen is NULL when its rows × cols / 8 bytes could not be had. */
typedef struct
{
  guint8 *seen;
  gsize   listed;
  gsize   repeats;
} Tally;

static void
tally_clear (Tally *t)
{
  g_clear_pointer (&t->seen, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tally, tally_clear)

static inline void
tally_cell (Tally *t,
            gsize  k)
{
  guint8 bit = (guint8) (1u << (k % 8));

  if (t->seen == NULL)
    return;
  if (t->seen[k / 8] & bit)
    t->repeats++;
  else
    {
      t->seen[k / 8] |= bit;
      t->listed++;
    }
}

/* Adds up the entries of a coordinate file, mirrored for the symmetric
 * kinds, and tallies the cells they land on. */
static gboolean
read_coordinate_entries (Reader       *r,
                         const Banner *banner,
                         guint64       entries,
                         FsMatrix     *X,
                         Tally        *tally,
                         GError      **error)
{
  guint64 cols = X->cols;

  for (guint64 k = 0; k < entries; k++)
    {
      Entry e;
      gsize at, mirror;

      if (!read_next_entry (r, banner, X->rows, X->cols, k, entries, &e, error))
        return FALSE;

      at = (e.i - 1) * cols + (e.j - 1);
      mirror = (e.j - 1) * cols + (e.i - 1);
      X->data[at] += e.v;
      tally_cell (tally, at);
      if (banner->symmetry == SYM_SYMMETRIC && e.i != e.j)
        X->data[mirror] += e.v;
      else if (banner->symmetry == SYM_SKEW)
        X->data[mirror] -= e.v;
      if (banner->symmetry != SYM_GENERAL && e.i != e.j)
        tally_cell (tally, mirror);
    }
  return TRUE;
}

/* A dense read makes unlisted cells zeros and sums repeats, where the
 * sparse read makes them missing and keeps the first: said where it
 * happens, so that the two storages' different figures are explained. */
static void
add_dense_coordinate_notices (FsMatrix    *X,
                              const Tally *tally)
{
  gsize unlisted = X->rows * X->cols - tally->listed;

  if (tally->seen == NULL)
    return;
  if (unlisted > 0)
    {
      g_autofree char *count = fs_error_number_text (unlisted);
      g_autofree char *notice =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%s unlisted cell is read as a zero (--storage sparse "
                                      "reads it as missing)",
                                      "%s unlisted cells are read as zeros (--storage sparse "
                                      "reads them as missing)", unlisted), count);

      fs_matrix_add_notice (X, notice);
    }
  if (tally->repeats > 0)
    {
      g_autofree char *count = fs_error_number_text (tally->repeats);
      g_autofree char *notice =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%s repeated cell was summed",
                                      "%s repeated cells were summed", tally->repeats), count);

      fs_matrix_add_notice (X, notice);
    }
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
        const char *p, *end;
        double v;

        if (!tick (r, error))
          return FALSE;
        if (!next_span (r, &p, &end))
          {
            g_autofree char *row_text = fs_error_number_text (i + 1);
            g_autofree char *col_text = fs_error_number_text (j + 1);

            return fail_at (r, error, _("the file ends before the value of row %s, column %s"),
                            row_text, col_text);
          }
        if (!span_double (&p, end, &v) || skip_blanks (p, end) != end)
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

/* The cells a coordinate file lists, as triplets in the file's order,
 * mirrored for the symmetric kinds: 16 bytes a cell. */
typedef struct
{
  guint32 *rows;
  guint32 *cols;
  double  *values;
  gsize    len;
  gsize    room;
} Cells;

static void
cells_clear (Cells *c)
{
  g_clear_pointer (&c->rows, g_free);
  g_clear_pointer (&c->cols, g_free);
  g_clear_pointer (&c->values, g_free);
  c->len = c->room = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cells, cells_clear)

static gboolean
cells_reserve (Cells  *c,
               gsize   room)
{
  guint32 *rows = g_try_renew (guint32, c->rows, MAX (room, 1));
  guint32 *cols = rows != NULL ? g_try_renew (guint32, c->cols, MAX (room, 1)) : NULL;
  double *values = cols != NULL ? g_try_renew (double, c->values, MAX (room, 1)) : NULL;

  if (rows != NULL)
    c->rows = rows;
  if (cols != NULL)
    c->cols = cols;
  if (values == NULL)
    return FALSE;
  c->values = values;
  c->room = room;
  return TRUE;
}

static inline gboolean
cells_add (Cells   *c,
           guint64  i,
           guint64  j,
           double   v)
{
  if (G_UNLIKELY (c->len == c->room) && !cells_reserve (c, c->room + c->room / 2 + 1024))
    return FALSE;
  c->rows[c->len] = (guint32) i;
  c->cols[c->len] = (guint32) j;
  c->values[c->len] = v;
  c->len++;
  return TRUE;
}

static gboolean
no_memory (Reader  *r,
           guint64  rows,
           guint64  cols,
           GError **error)
{
  g_autofree char *rows_text = fs_error_number_text (rows);
  g_autofree char *cols_text = fs_error_number_text (cols);

  g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
               _("%s: not enough memory for the cells of the %s × %s matrix"),
               r->name, rows_text, cols_text);
  return FALSE;
}

static gboolean
read_coordinate_cells (Reader       *r,
                       const Banner *banner,
                       guint64       rows,
                       guint64       cols,
                       guint64       entries,
                       Cells        *c,
                       GError      **error)
{
  for (guint64 k = 0; k < entries; k++)
    {
      Entry e;

      if (!read_next_entry (r, banner, rows, cols, k, entries, &e, error))
        return FALSE;
      if (!cells_add (c, e.i - 1, e.j - 1, e.v) ||
          (banner->symmetry == SYM_SYMMETRIC && e.i != e.j &&
           !cells_add (c, e.j - 1, e.i - 1, e.v)) ||
          (banner->symmetry == SYM_SKEW && !cells_add (c, e.j - 1, e.i - 1, -e.v)))
        return no_memory (r, rows, cols, error);
    }
  return TRUE;
}

/* Sorts a row's cells by column, stably (a merge sort through tmp, of
 * room for n): of a cell listed twice, the first stays first. */
static void
sort_row (guint32  *col,
          double   *val,
          gsize     n,
          guint32  *tmp_col,
          double   *tmp_val)
{
  if (n <= 32)
    {
      for (gsize a = 1; a < n; a++)
        {
          guint32 c = col[a];
          double v = val[a];
          gsize b = a;

          for (; b > 0 && col[b - 1] > c; b--)
            {
              col[b] = col[b - 1];
              val[b] = val[b - 1];
            }
          col[b] = c;
          val[b] = v;
        }
      return;
    }
  {
    gsize half = n / 2, a = 0, b = half, out = 0;

    sort_row (col, val, half, tmp_col, tmp_val);
    sort_row (col + half, val + half, n - half, tmp_col, tmp_val);
    if (col[half - 1] <= col[half])
      return;
    while (a < half && b < n)
      {
        gboolean left = col[a] <= col[b];

        tmp_col[out] = left ? col[a] : col[b];
        tmp_val[out++] = left ? val[a++] : val[b++];
      }
    for (; a < half; a++, out++)
      {
        tmp_col[out] = col[a];
        tmp_val[out] = val[a];
      }
    for (; b < n; b++, out++)
      {
        tmp_col[out] = col[b];
        tmp_val[out] = val[b];
      }
    memcpy (col, tmp_col, n * sizeof *col);
    memcpy (val, tmp_val, n * sizeof *val);
  }
}

/* The compressed-row layout of the cells, which it frees as soon as they
 * are placed (the layout takes 12 bytes a cell, the triplets 16): a
 * counting sort by row, each row then sorted by column, a cell listed
 * twice keeping its first value. *n_repeats counts those left out. */
static FsSparse *
cells_to_sparse (Cells   *c,
                 guint64  rows,
                 guint64  cols,
                 gsize   *n_repeats,
                 GError **error)
{
  g_autoptr(FsSparse) s = fs_sparse_new (rows, cols, c->len, error);
  g_autofree guint32 *tmp_col = NULL;
  g_autofree double *tmp_val = NULL;
  gsize kept = 0, longest = 0, n = c->len;

  if (s == NULL)
    return NULL;
  for (gsize k = 0; k < n; k++)
    s->row_ptr[c->rows[k] + 1]++;
  for (gsize i = 0; i < rows; i++)
    {
      longest = MAX (longest, s->row_ptr[i + 1]);
      s->row_ptr[i + 1] += s->row_ptr[i];
    }
  /* row_ptr[i] is where row i's next cell goes, until shifted back. */
  for (gsize k = 0; k < n; k++)
    {
      gsize at = s->row_ptr[c->rows[k]]++;

      s->col_idx[at] = c->cols[k];
      s->values[at] = c->values[k];
    }
  memmove (s->row_ptr + 1, s->row_ptr, rows * sizeof (gsize));
  s->row_ptr[0] = 0;
  cells_clear (c);

  for (gsize i = 0; i < rows; i++)
    {
      gsize begin = s->row_ptr[i], end = s->row_ptr[i + 1];
      gboolean sorted = TRUE;

      for (gsize e = begin + 1; e < end && sorted; e++)
        sorted = s->col_idx[e - 1] < s->col_idx[e];
      if (!sorted)
        {
          if (tmp_col == NULL && longest > 32)
            {
              tmp_col = g_new (guint32, longest);
              tmp_val = g_new (double, longest);
            }
          sort_row (s->col_idx + begin, s->values + begin, end - begin, tmp_col, tmp_val);
        }
      s->row_ptr[i] = kept;
      for (gsize e = begin; e < end; e++)
        {
          if (!sorted && e > begin && s->col_idx[e] == s->col_idx[e - 1])
            continue;
          s->col_idx[kept] = s->col_idx[e];
          s->values[kept++] = s->values[e];
        }
    }
  s->row_ptr[rows] = kept;
  *n_repeats = n - kept;
  s->nnz = kept;
  return g_steal_pointer (&s);
}

static void
add_repeats_notice (FsMatrix *X,
                    gsize     n_repeats)
{
  g_autofree char *count = NULL;
  g_autofree char *notice = NULL;

  if (n_repeats == 0)
    return;
  count = fs_error_number_text (n_repeats);
  notice = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s cell is listed more than once: its first value "
                                         "was kept",
                                         "%s cells are listed more than once: the first value "
                                         "of each was kept", n_repeats), count);
  fs_matrix_add_notice (X, notice);
}

/* A coordinate file read as its cells, never rows × cols: the triplets
 * take 16 bytes a cell, the layout 12, and the triplets are freed as the
 * layout is made. The room reserved up front is what the rest of the
 * file can hold (4 bytes an entry at least), so that a size line that
 * lies cannot claim memory. */
static FsMatrix *
read_sparse (Reader                *r,
             const Banner          *banner,
             guint64                rows,
             guint64                cols,
             guint64                entries,
             const FsImportOptions *options,
             GError               **error)
{
  guint64 mirror = banner->symmetry == SYM_GENERAL ? 1 : 2;
  guint64 room = MIN (MIN (entries, (guint64) (r->end - r->p) / 4 + 1) * mirror,
                      (guint64) 1 << 28);
  g_auto(Cells) c = { NULL, NULL, NULL, 0, 0 };
  g_autoptr(FsSparse) sparse = NULL;
  FsMatrix *X = NULL;
  gsize n_repeats = 0;

  if (!fs_matrix_check_sparse_size (rows, cols, MIN (entries * mirror, rows * cols), error))
    {
      g_prefix_error (error, "%s:%" G_GSIZE_FORMAT ": ", r->name, r->line);
      return NULL;
    }
  if (!cells_reserve (&c, (gsize) room))
    {
      no_memory (r, rows, cols, error);
      return NULL;
    }
  if (!read_coordinate_cells (r, banner, rows, cols, entries, &c, error))
    return NULL;
  sparse = cells_to_sparse (&c, rows, cols, &n_repeats, error);
  if (sparse == NULL)
    {
      g_prefix_error (error, "%s: ", r->name);
      return NULL;
    }
  sparse->zeros_are_values = options->zeros_are_values;
  X = fs_matrix_new_sparse (sparse);
  add_repeats_notice (X, n_repeats);
  return X;
}

/* Sparse when forced, or left automatic, when the cells the size line
 * announces are a small share of the matrix. */
static gboolean
wants_sparse (const Banner          *banner,
              guint64                rows,
              guint64                cols,
              guint64                entries,
              const FsImportOptions *options)
{
  guint64 listed = MIN (entries, G_MAXUINT64 / 2) * (banner->symmetry == SYM_GENERAL ? 1 : 2);

  return banner->coordinate && fs_storage_wants_sparse (options->storage, listed, rows, cols);
}

static FsMatrix *
read_dense (Reader        *r,
            const Banner  *banner,
            guint64        rows,
            guint64        cols,
            guint64        entries,
            GError       **error)
{
  g_autoptr(FsMatrix) X = NULL;
  g_auto(Tally) tally = { NULL, 0, 0 };

  if (!fs_matrix_check_size (rows, cols, error))
    {
      g_prefix_error (error, "%s:%" G_GSIZE_FORMAT ": ", r->name, r->line);
      return NULL;
    }
  if (!banner->coordinate && !array_fits (r, banner, rows, cols, error))
    return NULL;
  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", r->name);
      return NULL;
    }
  if (!banner->coordinate)
    return read_array_values (r, banner, X, error) ? g_steal_pointer (&X) : NULL;
  tally.seen = g_try_malloc0 (rows * cols / 8 + 1);
  if (!read_coordinate_entries (r, banner, entries, X, &tally, error))
    return NULL;
  add_dense_coordinate_notices (X, &tally);
  return g_steal_pointer (&X);
}

FsMatrix *
fs_mtx_parse (const char  *name,
              const char  *text,
              gsize        len,
              GError     **error)
{
  return fs_mtx_parse_options (name, text, len, NULL, NULL, NULL, NULL, error);
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
  return fs_mtx_parse_options (name, text, len, NULL, cancellable, progress, progress_data,
                               error);
}

FsMatrix *
fs_mtx_parse_options (const char             *name,
                      const char             *text,
                      gsize                   len,
                      const FsImportOptions  *options,
                      GCancellable           *cancellable,
                      FsLoadProgressFunc      progress,
                      gpointer                progress_data,
                      GError                **error)
{
  FsLoadTicker ticker;
  Reader r = { name, text, text + len, 0, text, &ticker };
  FsImportOptions defaults;
  g_autoptr(FsMatrix) X = NULL;
  g_autofree char *extra = NULL;
  Banner banner = { TRUE, FALSE, SYM_GENERAL };
  guint64 rows = 0, cols = 0, entries = 0;

  fs_import_options_init (&defaults);
  if (options == NULL)
    options = &defaults;
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

  X = wants_sparse (&banner, rows, cols, entries, options)
        ? read_sparse (&r, &banner, rows, cols, entries, options, error)
        : read_dense (&r, &banner, rows, cols, entries, error);
  if (X == NULL)
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

static void
append_cell (GString *out,
             gsize    i,
             gsize    j,
             double   v)
{
  g_string_append_printf (out, "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " ", i + 1, j + 1);
  fs_csv_append_number (out, v);
  g_string_append_c (out, '\n');
}

GBytes *
fs_mtx_encode (const FsMatrix *X)
{
  GString *out;

  g_return_val_if_fail (X != NULL, NULL);

  out = g_string_new (NULL);
  if (X->sparse == NULL && X->mask == NULL)
    {
      g_string_append_printf (out, "%%%%MatrixMarket matrix array real general\n"
                              "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT "\n", X->rows, X->cols);
      for (gsize j = 0; j < X->cols; j++)
        for (gsize i = 0; i < X->rows; i++)
          {
            fs_csv_append_number (out, X->data[i * X->cols + j]);
            g_string_append_c (out, '\n');
          }
      return g_string_free_to_bytes (out);
    }

  g_string_append_printf (out, "%%%%MatrixMarket matrix coordinate real general\n"
                          "%% Written by Factorscope: the cells not listed are %s.\n"
                          "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT "\n",
                          X->sparse != NULL && X->sparse->zeros_are_values
                            ? "zeros (read it with --zeros-are-values)"
                            : "missing (read it with --storage sparse)",
                          X->rows, X->cols,
                          X->sparse != NULL ? X->sparse->nnz : X->rows * X->cols - X->n_missing);
  if (X->sparse != NULL)
    for (gsize i = 0; i < X->rows; i++)
      for (gsize e = X->sparse->row_ptr[i]; e < X->sparse->row_ptr[i + 1]; e++)
        append_cell (out, i, X->sparse->col_idx[e], X->sparse->values[e]);
  else
    for (gsize k = 0; k < X->rows * X->cols; k++)
      if (X->mask[k])
        append_cell (out, k / X->cols, k % X->cols, X->data[k]);
  return g_string_free_to_bytes (out);
}
