/* fs-delimited.c: CSV, TSV and whitespace-separated text.
 *
 * The text is cut into records and fields once (quotes, doubled quotes,
 * LF, CRLF and CR line ends, comments), each cell is classified once as a
 * number, a missing cell or text as it is cut, and its value goes straight
 * into one array of doubles, record after record, which becomes the
 * matrix's own (compacted in place when a header, a label column or
 * dropped columns are left out): no token per field and no second copy.
 * A cell is kept whole (text, quotes, position) only where the layout
 * rules or a message need it: the first cell of text of each column (the
 * file's first record is read again from a mark every 256 cells, and row
 * labels from where their records start). Missing cells hold NaN, text a NaN of
 * its own (a number is never NaN: "nan" is missing, and other NaN
 * spellings are errors). A file whose start is mostly missing cells
 * (choose_compact) keeps only the numbers of the records after the first,
 * with their places, in arrays that become the sparse matrix's own, or
 * the dense one's rows if it is held dense after all: a missing cell
 * costs nothing while the file is read.
 *
 * A large file is cut at line ends into chunks parsed by threads, joined
 * in order; a chunk must end exactly where the next begins (a quoted
 * field across the cut, or an error anywhere, and the whole file is read
 * serially instead), so the result is the serial one, bit for bit.
 *
 * The layout is read from the cells' classes: a header row, a row-label column in the forms R, pandas and
 * spreadsheets write or of distinct whole numbers beside columns of
 * another type or scale (README "Row labels"), and text columns to drop.
 * Import options override the header and label rules and drop the
 * file's columns; the report (fs-import.h) says what was decided and
 * which were guesses. The tokenizer checks the cancellable and tells
 * progress every 256 KiB, and a preview stops after its records.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* For strtod_l and newlocale. */
#define _GNU_SOURCE 1

#include "config.h"

#define G_LOG_DOMAIN "fs-delimited"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs-delimited.h"
#include "fs-error.h"
#include "fs-number.h"

/* Lines looked at to choose the separator. */
#define SNIFF_LINES 40
#define WHITESPACE_SEPARATOR ' '

typedef enum
{
  CELL_NUMBER,
  CELL_MISSING,
  CELL_TEXT,
} CellKind;

/* A cell kept whole: its text, where it is, and its class. */
typedef struct
{
  const char *start;
  guint32     len;
  guint32     column;   /* 1-based character column of the field's start */
  guint8      quoted;
  guint8      kind;
  guint32     index;    /* its place in its record */
  double      value;
} Field;

/* The file's first two records: their place and width, the first's
 * marks (HeadMark: its cells are read again from them) and what the
 * rules ask of it. */
typedef struct
{
  gsize   first;          /* its first value in values, when held */
  guint   n_fields;
  gsize   line;
  gboolean held;          /* its values are in values (not for a sure header) */
  gboolean has_text;      /* a cell of text */
  gboolean all_quoted;    /* every cell in quotes or empty */
} Record;

/* Where a cell of the file's first record starts (before its padding),
 * every HEAD_MARK_EVERY cells: its cells are read again from there, not
 * kept whole (a Field is 40 bytes, and a header may name millions of
 * columns). */
typedef struct
{
  const char *p;
  const char *line_start;
  gsize       line;
} HeadMark;

#define HEAD_MARK_EVERY 256u

/* What the tokenizer makes of a stretch of text. The file's first record
 * has its values one after another (when held); every later one has the
 * same width (else the file has a row of another width, an error: the
 * first is noted and no more values are kept) and keeps only its cells of
 * the columns that may hold numbers (Parser.pos), in rows of row_width
 * values: no per-record struct and no copy of its cells. What the layout
 * rules ask of the records after the first is counted as they are read. */
typedef struct
{
  double *values;
  gsize   n_values;
  gsize   capacity;
  GArray *records;        /* of Record: the file's first two records */
  GArray *head_marks;     /* of HeadMark: the file's first record's */
  gsize   n_records;      /* records read (without the empty ones) */
  guint8 *starts;         /* per record after the file's first: its offset in the
                           * text, of Parser.start_size bytes */
  gsize   n_starts;
  gsize   starts_capacity;
  gsize   n_empty_records;  /* rows of empty fields, left out */
  gsize   n_missing;      /* missing cells, in any column */
  /* Of the records after the file's first, per column: the cells of
   * text (a count only: the first of them, for an error, is found by
   * reading the text again, find_first_text; a file may have millions
   * of columns), for n_text_columns columns (NULL: none yet; the second
   * record's grow with it, before the width is known). */
  guint  *text_cells;
  gsize   n_text_columns;
  gboolean second_plain;    /* the second record holds a number not in quotes */
  gboolean col0_unquoted;   /* a first cell not in quotes */
  gboolean col1_plain;      /* a second cell that is a number not in quotes */
  gsize   mismatch_line;    /* the first record of another width (0: none) */
  guint   mismatch_fields;  /* ... and its width */
  /* Compact (Parser.compact): the records after the file's first keep
   * only their numbers, as the place in a kept row and the value, in
   * order (the sparse layout's own arrays, handed to it), and where each
   * record's numbers end: a missing cell costs nothing. */
  guint32 *cell_pos;
  double  *cell_values;
  gsize    n_cells;
  gsize    cells_capacity;
  gsize   *ends;          /* per record after the file's first */
  gsize    n_ends;
  gsize    ends_capacity;
  double  *row;           /* the record being read, as a row of values */
} Store;

typedef struct
{
  const char *name;
  const char *text;
  gsize       len;
  char        separator;
  gboolean    decimal_comma;
  guint8      stops[256]; /* bytes that end an unquoted field */
  Store       st;
  gboolean    first_chunk;  /* its first record is the file's first */
  double      cells_per_byte;  /* a guess from the file's start, for room */
  guint       width;      /* fields of the file's second record (0: not known yet) */
  gint       *pos;        /* per column of the width: its place in a kept row, or -1
                           * (NULL: every column kept, at its place: a very wide
                           * file of numbers needs no 4 bytes a column) */
  guint       row_width;  /* values kept per record after the first */
  gboolean    want_starts;  /* the first column may be row labels: keep where records start
                             * (else, if it is, find_record_starts finds them) */
  gboolean    compact;      /* the records after the first keep their numbers only (Store) */
  double      number_share; /* ... of the cells of kept columns in the sample, for room */
  guint       start_size;   /* bytes of an offset: 4 for a text under 4 GiB */
  gboolean    text_mapped;  /* the text is a file's read-only mapping: pages read
                             * are given back (release_text) */
  locale_t    c_locale;   /* for strtod_l: the parse's own, not a global */
  const FsImportOptions *options;  /* never NULL */
  FsLoadTicker *ticker;
  guint       max_records;      /* 0: all of them */
  gsize       consumed;         /* bytes tokenized */
  const char *room_end;         /* a chunk's end: room is made for the text up to it
                                 * (NULL: the text's end) */
  const char *dense_from;       /* compact, a chunk: where its share may turn the
                                 * store to rows (compact_too_dense; NULL: anywhere) */
  FsImportReport *report;
  char       *numeric_notice;   /* for a numeric column read as labels */
  gboolean    numeric_labels_guessed;  /* ... and only by a guess */
} Parser;

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static gboolean
is_line_end (char c)
{
  return c == '\n' || c == '\r';
}

/* Counts the fields of the line at p for a separator, outside quotes; -1
 * for a line that is blank or a comment. */
static int
count_fields (const char *p,
              const char *end,
              char        separator)
{
  gboolean quoted = FALSE;
  int fields = 1;

  while (p < end && is_blank (*p))
    p++;
  if (p == end || is_line_end (*p) || *p == '#')
    return -1;

  if (separator == WHITESPACE_SEPARATOR)
    {
      fields = 0;
      while (p < end && !is_line_end (*p))
        {
          while (p < end && is_blank (*p))
            p++;
          if (p == end || is_line_end (*p))
            break;
          fields++;
          while (p < end && (quoted || (!is_blank (*p) && !is_line_end (*p))))
            {
              if (*p == '"')
                quoted = !quoted;
              p++;
            }
        }
      return fields;
    }

  for (; p < end && (quoted || !is_line_end (*p)); p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (*p == separator && !quoted)
        fields++;
    }
  return fields;
}

/* The separator that splits the first lines into the same number (at
 * least two) of fields, allowing a header one field short; tab, then
 * semicolon, then comma, then runs of blanks. The lines of a file of
 * millions of columns take a tenth of a second a candidate: the
 * cancellable is looked at every MiB or so (cancelled, any separator
 * will do: the load stops at its next look). */
static char
detect_separator (const char   *text,
                  gsize         len,
                  GCancellable *cancellable)
{
  const char candidates[] = { '\t', ';', ',', WHITESPACE_SEPARATOR };
  const char *end = text + len;
  gsize read = 0;

  for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
    {
      const char *p = text;
      int first = -1, expected = -1;
      gboolean consistent = TRUE;
      guint seen = 0;

      while (p < end && seen < SNIFF_LINES && consistent)
        {
          const char *eol = p;
          int n;

          while (eol < end && !is_line_end (*eol))
            eol++;
          read += (gsize) (eol - p);
          if (read >= ((gsize) 1 << 20))
            {
              if (g_cancellable_is_cancelled (cancellable))
                return ',';
              read = 0;
            }
          n = count_fields (p, eol, candidates[c]);
          if (n >= 0)
            {
              if (first < 0)
                first = n;
              else if (expected < 0)
                expected = n;
              else if (n != expected)
                consistent = FALSE;
              seen++;
            }
          p = eol;
          while (p < end && is_line_end (*p))
            p++;
        }

      if (expected < 0)
        expected = first;
      if (consistent && expected >= 2 && (first == expected || first == expected - 1))
        return candidates[c];
    }

  return ',';
}

static gboolean
is_missing_token (const char *s,
                  gsize       len)
{
  static const struct { const char *text; gsize len; } tokens[] = {
    { "NA", 2 }, { "NaN", 3 }, { "N/A", 3 }, { "null", 4 }, { "#N/A", 4 },
  };

  if (len == 0)
    return TRUE;
  if (s[0] != 'N' && s[0] != 'n' && s[0] != '#')
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    if (len == tokens[i].len && g_ascii_strncasecmp (s, tokens[i].text, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_infinity_token (const char *s,
                   gsize       len)
{
  if (len > 0 && (s[0] == '-' || s[0] == '+'))
    {
      s++;
      len--;
    }
  return (len == 3 && g_ascii_strncasecmp (s, "inf", 3) == 0) ||
         (len == 8 && g_ascii_strncasecmp (s, "infinity", 8) == 0);
}

static void
set_position_error (const Parser *parser,
                    GError      **error,
                    gsize         line,
                    gsize         column,
                    const char   *message)
{
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "%s:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT ": %s",
               parser->name, line, column, message);
}

/* Text's mark in the values: a NaN no number and no missing cell has. */
#define TEXT_BITS G_GUINT64_CONSTANT (0x7ff8000000000fe1)

static inline double
text_value (void)
{
  guint64 bits = TEXT_BITS;
  double v;

  memcpy (&v, &bits, sizeof v);
  return v;
}

static inline CellKind
kind_of (double v)
{
  guint64 bits;

  if (G_LIKELY (!isnan (v)))
    return CELL_NUMBER;
  memcpy (&bits, &v, sizeof bits);
  return bits == TEXT_BITS ? CELL_TEXT : CELL_MISSING;
}

/* Classifies one field; numbers out of range and infinities are errors. */
static gboolean
classify (const Parser  *parser,
          Field         *f,
          gsize          line,
          GError       **error)
{
  char small[64];
  g_autofree char *large = NULL;
  char *buf;
  char *stop = NULL;
  double value;

  if (fs_number_parse (f->start, f->len, parser->decimal_comma ? ',' : '.', &f->value))
    {
      f->kind = CELL_NUMBER;
      return TRUE;
    }

  if (is_missing_token (f->start, f->len))
    {
      f->kind = CELL_MISSING;
      f->value = NAN;
      return TRUE;
    }

  f->kind = CELL_TEXT;
  f->value = text_value ();
  if (is_infinity_token (f->start, f->len))
    {
      set_position_error (parser, error, line, f->column,
                          _("infinite values cannot be factorized"));
      return FALSE;
    }
  if (!(g_ascii_isdigit (f->start[0]) || f->start[0] == '-' || f->start[0] == '+' ||
        f->start[0] == '.' || (parser->decimal_comma && f->start[0] == ',')))
    return TRUE;

  /* Most numbers fit the small buffer; one of 64 characters or more (a
   * long exact decimal) is still a number. */
  buf = f->len < sizeof small ? small : (large = g_malloc (f->len + 1));
  memcpy (buf, f->start, f->len);
  buf[f->len] = '\0';
  if (parser->decimal_comma)
    for (char *c = buf; *c != '\0'; c++)
      if (*c == ',')
        *c = '.';

  errno = 0;
  /* strtod in the C locale: g_ascii_strtod switches the thread's locale
   * twice per call, a locale made once per file is much cheaper. */
  value = strtod_l (buf, &stop, parser->c_locale);
  if (stop == buf || *stop != '\0')
    return TRUE;

  if (errno == ERANGE && fabs (value) > 1.0)
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is out of the range of numbers"), buf);
      set_position_error (parser, error, line, f->column, msg);
      return FALSE;
    }
  if (!isfinite (value))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is not a finite number"), buf);
      set_position_error (parser, error, line, f->column, msg);
      return FALSE;
    }

  f->kind = CELL_NUMBER;
  f->value = value;
  return TRUE;
}

/* Where the tokenizer is in the text. */
typedef struct
{
  const char *p;
  const char *end;
  const char *line_start;
  gsize       line;
} Cursor;

/* Blanks around a field, but not the tab that separates TSV fields. */
static gboolean
is_padding (const Parser *parser,
            char          c)
{
  return is_blank (c) && !(parser->separator == '\t' && c == '\t');
}

/* Steps past the line end at the cursor (LF, CRLF or CR), if any, to the
 * start of the next line. Inline, so that the cursor stays in registers
 * in the loop over fields: 1% fewer instructions for an integer CSV. */
static inline void
next_line (Cursor *c)
{
  if (c->p < c->end && *c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
    c->p++;
  if (c->p < c->end)
    c->p++;
  c->line++;
  c->line_start = c->p;
}

/* Steps over a line that is blank or a comment; FALSE for any other. */
static gboolean
skip_empty_line (Cursor *c)
{
  const char *q = c->p;

  while (q < c->end && is_blank (*q))
    q++;
  if (q < c->end && !is_line_end (*q) && *q != '#')
    return FALSE;

  while (q < c->end && !is_line_end (*q))
    q++;
  c->p = q;
  next_line (c);
  return TRUE;
}

/* A field in quotes, which may hold separators, doubled quotes and line
 * ends; only padding may follow the closing quote. */
static gboolean
read_quoted_field (const Parser  *parser,
                   Cursor        *c,
                   Field         *f,
                   GError       **error)
{
  gboolean whitespace = parser->separator == WHITESPACE_SEPARATOR;
  gsize open_line = c->line, open_column = f->column;

  f->quoted = TRUE;
  f->start = ++c->p;
  for (;;)
    {
      if (c->p == c->end)
        {
          set_position_error (parser, error, open_line, open_column,
                              _("this quoted field never closes"));
          return FALSE;
        }
      if (*c->p == '"' && c->p + 1 < c->end && c->p[1] == '"')
        c->p += 2;
      else if (*c->p == '"')
        break;
      else
        {
          if (*c->p == '\n' || (*c->p == '\r' && (c->p + 1 == c->end || c->p[1] != '\n')))
            {
              c->line++;
              c->line_start = c->p + 1;
            }
          c->p++;
        }
    }
  f->len = (guint32) (c->p - f->start);
  c->p++;

  while (!whitespace && c->p < c->end && is_padding (parser, *c->p))
    c->p++;
  if (c->p < c->end && *c->p != parser->separator && !is_line_end (*c->p) &&
      !(whitespace && is_blank (*c->p)))
    {
      set_position_error (parser, error, c->line, (gsize) (c->p - c->line_start) + 1,
                          _("unexpected text after a closing quote"));
      return FALSE;
    }
  return TRUE;
}

/* A field without quotes: up to the next separator or line end, with
 * trailing blanks left out. */
static void
read_plain_field (const Parser *parser,
                  Cursor       *c,
                  Field        *f)
{
  const char *p = c->p;

  f->start = p;
  while (p < c->end && !parser->stops[(guint8) *p])
    p++;
  f->len = (guint32) (p - f->start);
  while (f->len > 0 && is_blank (f->start[f->len - 1]))
    f->len--;
  c->p = p;
}

/* Reads the field at the cursor, the padding before it left out, and
 * classifies it. */
static inline gboolean
read_field (const Parser  *parser,
            Cursor        *c,
            Field         *f,
            GError       **error)
{
  while (c->p < c->end && is_padding (parser, *c->p))
    c->p++;

  f->column = (guint32) (c->p - c->line_start) + 1;
  /* A whole number of up to 15 digits that a stop ends (an image's grey
   * levels, counts, ids) is exact as a double, and no other class: read
   * here, not cut, then classified (fs_number_parse gives the same). */
  {
    const char *p = c->p, *last = c->p + MIN ((gsize) (c->end - c->p), (gsize) 15);
    guint64 whole = 0;

    while (p < last && g_ascii_isdigit (*p))
      whole = whole * 10 + (guint64) (*p++ - '0');
    if (p > c->p && (p == c->end || parser->stops[(guint8) *p]))
      {
        f->start = c->p;
        f->len = (guint32) (p - c->p);
        f->kind = CELL_NUMBER;
        f->value = (double) whole;
        c->p = p;
        return TRUE;
      }
  }
  if (c->p < c->end && *c->p == '"')
    {
      if (!read_quoted_field (parser, c, f, error))
        return FALSE;
    }
  else
    read_plain_field (parser, c, f);
  return classify (parser, f, c->line, error);
}

/* Cuts the field at the cursor again, the padding before it left out,
 * without classifying it: a field read once without an error. */
static void
cut_field_again (const Parser *parser,
                 Cursor       *c,
                 Field        *f)
{
  while (c->p < c->end && is_padding (parser, *c->p))
    c->p++;
  if (c->p < c->end && *c->p == '"')
    {
      if (!read_quoted_field (parser, c, f, NULL))
        g_assert_not_reached ();
    }
  else
    read_plain_field (parser, c, f);
}

/* Steps past the separator after a field: whether another field of its
 * record follows (else the cursor is at its line end or the text's). */
static inline gboolean
next_field (const Parser *parser,
            Cursor       *c)
{
  if (parser->separator == WHITESPACE_SEPARATOR)
    while (c->p < c->end && is_blank (*c->p))
      c->p++;
  else if (c->p < c->end && *c->p == parser->separator)
    {
      c->p++;
      return TRUE;
    }
  return !(c->p == c->end || is_line_end (*c->p));
}

/* Room for count more values: the first guess of room comes from the
 * file's start (only the room used is ever touched); a guess too low
 * doubles it. */
static double *
alloc_values (gsize count)
{
  gsize bytes = MAX (count, 1) * sizeof (double);
  void *p = NULL;

  if (count > G_MAXSIZE / sizeof (double) / 2 ||
      posix_memalign (&p, bytes >= ((gsize) 2 << 20) ? (gsize) 2 << 20 : 64, bytes) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  if (bytes >= ((gsize) 2 << 20))
    madvise (p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

/* Copies n values from src to dst a MiB at a time, each MiB of src given
 * back to the system once copied (its whole pages): moving a buffer into
 * a larger one holds the values once, not twice, at any moment. src is
 * not to be read after. */
static void
move_values (double       *dst,
             const double *src,
             gsize         n)
{
  const gsize block = ((gsize) 1 << 20) / sizeof (double);
  guintptr given = 0;

  for (gsize at = 0; at < n; at += block)
    {
      gsize m = MIN (block, n - at);

      memcpy (dst + at, src + at, m * sizeof (double));
      fs_give_back_read (src, (at + m) * sizeof (double), &given);
    }
}

/* Moves the values into a buffer of room for capacity of them. */
static gboolean
resize_values (Parser  *parser,
               gsize    capacity,
               GError **error)
{
  Store *st = &parser->st;
  double *grown = alloc_values (capacity);

  if (grown == NULL)
    {
      g_autofree char *cells = fs_error_number_text (capacity);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s: not enough memory for more than %s cells"), parser->name, cells);
      return FALSE;
    }
  if (st->n_values > 0)
    move_values (grown, st->values, st->n_values);
  g_free (st->values);
  st->values = grown;
  st->capacity = capacity;
  return TRUE;
}

static gboolean
grow_values (Parser  *parser,
             gsize    at_least,
             GError **error)
{
  return resize_values (parser, MAX (MAX (parser->st.capacity * 2, at_least), 1024), error);
}

/* The message for room that cannot be had, for count cells. */
static void
set_room_error (Parser  *parser,
                gsize    count,
                GError **error)
{
  g_autofree char *cells = fs_error_number_text (count);

  g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
               _("%s: not enough memory for more than %s cells"), parser->name, cells);
}

/* Compact: room for capacity numbers (realloc: a large block grows in
 * place or is remapped, never held twice). */
static gboolean
resize_cells (Parser  *parser,
              gsize    capacity,
              GError **error)
{
  Store *st = &parser->st;
  guint32 *pos = capacity < G_MAXSIZE / sizeof (double) / 2
                   ? g_try_realloc_n (st->cell_pos, MAX (capacity, 1), sizeof (guint32)) : NULL;
  double *values;

  if (pos == NULL)
    {
      set_room_error (parser, capacity, error);
      return FALSE;
    }
  st->cell_pos = pos;
  values = g_try_realloc_n (st->cell_values, MAX (capacity, 1), sizeof (double));
  if (values == NULL)
    {
      set_room_error (parser, capacity, error);
      return FALSE;
    }
  st->cell_values = values;
  st->cells_capacity = capacity;
  return TRUE;
}

static gboolean
grow_cells (Parser  *parser,
            gsize    at_least,
            GError **error)
{
  return resize_cells (parser, MAX (MAX (parser->st.cells_capacity * 2, at_least), 1024), error);
}

/* Compact: room for where capacity records end. */
static gboolean
resize_ends (Parser  *parser,
             gsize    capacity,
             GError **error)
{
  Store *st = &parser->st;
  gsize *grown = capacity < G_MAXSIZE / sizeof (gsize) / 2
                   ? g_try_realloc_n (st->ends, MAX (capacity, 1), sizeof (gsize)) : NULL;

  if (grown == NULL)
    {
      set_room_error (parser, capacity * MAX (parser->width, 1), error);
      return FALSE;
    }
  st->ends = grown;
  st->ends_capacity = capacity;
  return TRUE;
}

static void
store_clear (Store *st)
{
  g_clear_pointer (&st->values, g_free);
  g_clear_pointer (&st->cell_pos, g_free);
  g_clear_pointer (&st->cell_values, g_free);
  g_clear_pointer (&st->ends, g_free);
  g_clear_pointer (&st->row, g_free);
  g_clear_pointer (&st->records, g_array_unref);
  g_clear_pointer (&st->head_marks, g_array_unref);
  g_clear_pointer (&st->starts, g_free);
  g_clear_pointer (&st->text_cells, g_free);
  st->n_text_columns = 0;
}

/* Counts of text cells for at least columns columns: for the width, or,
 * before it is known, twice as many as before (zeros in the new ones). */
static void
store_grow_columns (Store *st,
                    gsize  columns)
{
  gsize grown = MAX (columns, st->n_text_columns * 2);

  /* The first room untouched (the pages of columns without text are
   * never resident), room grown zeroed past the counts so far. */
  if (st->text_cells == NULL)
    st->text_cells = g_new0 (guint, grown);
  else
    {
      st->text_cells = g_renew (guint, st->text_cells, grown);
      memset (st->text_cells + st->n_text_columns, 0,
              (grown - st->n_text_columns) * sizeof (guint));
    }
  st->n_text_columns = grown;
}

/* An empty store (its counts per column are made at its first text
 * cell: a wide file of numbers needs none). */
static void
store_init (Store *st)
{
  memset (st, 0, sizeof *st);
  st->records = g_array_new (FALSE, FALSE, sizeof (Record));
  st->head_marks = g_array_new (FALSE, FALSE, sizeof (HeadMark));
}

/* The number of text cells of the records after the first in column j. */
static inline guint
text_cells_of (const Store *st,
               guint        j)
{
  return j < st->n_text_columns ? st->text_cells[j] : 0;
}

/* Counts a text cell of column index (the width's room at once, once it
 * is known). */
static inline void
count_text (Parser *parser,
            guint   index)
{
  Store *st = &parser->st;

  if (G_UNLIKELY (index >= st->n_text_columns))
    store_grow_columns (st, MAX ((gsize) parser->width, (gsize) index + 1));
  st->text_cells[index]++;
}

/* Whether the file's first record, f among them, is the header whatever
 * the second says: as choose_header decides it. */
static gboolean
is_sure_header (Parser *parser,
                gboolean has_text)
{
  FsHeader header = parser->options->header;

  return header == FS_HEADER_YES || (header == FS_HEADER_AUTO && has_text);
}

/* Whether options drop the file's column (0-based) j. */
static gboolean
option_drops (const Parser *parser,
              guint         j)
{
  for (guint k = 0; k < parser->options->n_drop_columns; k++)
    if (parser->options->drop_columns[k] == j + 1)
      return TRUE;
  return FALSE;
}

/* Whether the column j of the records after the first leaves out its
 * values: counts (a sample of the file's start, or NULL) found text in
 * it, or the options drop it. */
static gboolean
leaves_out (const Parser *parser,
            const Store  *counts,
            guint         j)
{
  return (counts != NULL && text_cells_of (counts, j) > 0) || option_drops (parser, j);
}

/* The place of column j in a kept row, or -1 (Parser.pos; NULL: every
 * column kept, at its own place). */
static inline gint
place_of (const Parser *parser,
          guint         j)
{
  return parser->pos != NULL ? parser->pos[j] : (gint) j;
}

/* The width of every record after the first, and which columns keep
 * their values: all but those leaves_out says. Row labels
 * need the records' starts unless the first column cannot be labels (no
 * row labels asked for, that column dropped, or one column without
 * FS_ROW_LABELS_FIRST; a sample of the file's start may tell more:
 * sample_may_have_labels). */
static void
set_width (Parser      *parser,
           guint        width,
           const Store *counts)
{
  const FsImportOptions *options = parser->options;
  gboolean all_kept = TRUE;

  for (guint j = 0; j < width && all_kept; j++)
    all_kept = !leaves_out (parser, counts, j);
  parser->width = width;
  parser->pos = all_kept ? NULL : g_new (gint, MAX (width, 1));
  parser->row_width = all_kept ? width : 0;
  for (guint j = 0; j < width && !all_kept; j++)
    parser->pos[j] = leaves_out (parser, counts, j) ? -1 : (gint) parser->row_width++;
  parser->want_starts = options->row_labels != FS_ROW_LABELS_NONE && !option_drops (parser, 0) &&
                        (width >= 2 || options->row_labels == FS_ROW_LABELS_FIRST);
}

/* Room for where one more record starts. */
static gboolean
grow_starts (Parser  *parser,
             GError **error)
{
  Store *st = &parser->st;
  gsize capacity = MAX (st->starts_capacity * 2, 1024);
  guint8 *grown = capacity < G_MAXSIZE / sizeof (guint64) / 2
                    ? g_try_realloc_n (st->starts, capacity, parser->start_size) : NULL;

  if (grown == NULL)
    {
      /* As many cells as those rows hold: the message the values give. */
      g_autofree char *cells = fs_error_number_text (capacity * MAX (parser->width, 1));

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s: not enough memory for more than %s cells"), parser->name, cells);
      return FALSE;
    }
  st->starts = grown;
  st->starts_capacity = capacity;
  return TRUE;
}

/* The second record, read before the width was known (its text cells
 * counted as it was read), sets it: the columns it holds text in, or
 * that the options drop, keep no values from now on, as those the
 * sample of the file's start finds text in (a column with text in it is
 * never data), and its own values move up into the room of the columns
 * kept (a place is never after its column). */
static void
second_record_sets_width (Parser       *parser,
                          const Record *rec)
{
  Store *st = &parser->st;
  double *row = st->values + rec->first;

  set_width (parser, rec->n_fields, st);
  for (guint j = 0; parser->pos != NULL && j < rec->n_fields; j++)
    if (parser->pos[j] >= 0)
      row[parser->pos[j]] = row[j];
  st->n_values = rec->first + parser->row_width;
}

/* Compact, left automatic: the numbers so far are more than
 * COMPACT_DENSE_SHARE of the cells of kept columns read (past the
 * first 1024; a chunk, past its dense_from), so the table is held dense most likely, and 12 bytes a
 * number would outgrow 8 a cell. A table forced sparse keeps its numbers
 * only: they are the layout. */
#define COMPACT_DENSE_SHARE (2.0 / 3.0)

static inline gboolean
compact_too_dense (const Parser *parser,
                   const char   *at)
{
  const Store *st = &parser->st;
  double cells = (double) st->n_ends * parser->row_width;

  return parser->options->storage == FS_STORAGE_AUTO && cells > 1024 &&
         (parser->dense_from == NULL || at >= parser->dense_from) &&
         (double) st->n_cells > COMPACT_DENSE_SHARE * cells;
}

/* Gives back the pages of the text from from up to at (after the first
 * call, a MiB or more at a time), when the text is a file's read-only
 * mapping: a file read is not held resident beside its matrix (read
 * again, as a header or row labels are, its pages come back from the
 * file). */
static inline void
release_text (const Parser *parser,
              const char   *from,
              const char   *at,
              guintptr     *released)
{
  if (parser->text_mapped && (guintptr) at >= *released + ((guintptr) 1 << 20))
    fs_give_back_read (from, (gsize) (at - from), released);
}

static gsize guess_records (const Parser *parser,
                            gsize         len);

/* Compact no more: the records' numbers made rows of values (a cell
 * without a number NaN: a missing cell's, and text's is never asked for
 * but as not a number), the store's pages given back as they are read,
 * and the records after (the text from at on; NULL: none) read as rows. */
static gboolean
compact_to_rows (Parser      *parser,
                 const char  *at,
                 GError     **error)
{
  Store *st = &parser->st;
  gsize rows = st->n_ends, width = parser->row_width, from = 0, told = 0, checked = 0;
  const char *end = parser->room_end != NULL ? parser->room_end : parser->text + parser->len;
  /* Room for the rows so far and those of the text still to read, made
   * once (as reserve_room does for a file read as rows from the start). */
  gsize room = st->n_values + rows * width + width +
               (at != NULL && at < end ? guess_records (parser, (gsize) (end - at)) * width : 0);
  guintptr released_pos = 0, released_values = 0, released_ends = 0;
  double *row;

  if (room > st->capacity && !resize_values (parser, room, error))
    return FALSE;
  row = st->values + st->n_values;
  for (gsize r = 0; r < rows; r++, row += width)
    {
      for (gsize k = 0; k < width; k++)
        row[k] = NAN;
      for (; from < st->ends[r]; from++)
        row[st->cell_pos[from]] = st->cell_values[from];
      /* About every million cells, a look at the cancellable. */
      if ((r - checked) * width >= ((gsize) 1 << 20))
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          checked = r;
        }
      if ((from - told) * sizeof (double) >= ((gsize) 1 << 20))
        {
          fs_give_back_read (st->cell_pos, from * sizeof (guint32), &released_pos);
          fs_give_back_read (st->cell_values, from * sizeof (double), &released_values);
          fs_give_back_read (st->ends, r * sizeof (gsize), &released_ends);
          told = from;
        }
    }
  st->n_values += rows * width;
  g_clear_pointer (&st->cell_pos, g_free);
  g_clear_pointer (&st->cell_values, g_free);
  g_clear_pointer (&st->ends, g_free);
  st->n_cells = st->cells_capacity = st->n_ends = st->ends_capacity = 0;
  parser->compact = FALSE;
  return TRUE;
}

/* Where the values of the records after the file's first start: after
 * the first record's, when this store holds it. */
static gsize
rows_head (const Parser *parser)
{
  const Store *st = &parser->st;
  const Record *first = st->records->len > 0 ? &g_array_index (st->records, Record, 0) : NULL;

  return first != NULL && first->held ? first->n_fields : 0;
}

/* The numbers among the values of the rows after the file's first. */
static gsize
count_row_numbers (const Parser *parser)
{
  const Store *st = &parser->st;
  gsize numbers = 0;

  for (gsize k = rows_head (parser); k < st->n_values; k++)
    numbers += !isnan (st->values[k]);
  return numbers;
}

static gint rows_to_compacts;

guint
fs_delimited_get_rows_to_compacts (void)
{
  return (guint) g_atomic_int_get (&rows_to_compacts);
}

/* Compact again: a chunk that found itself dense while the file as a
 * whole is not (tokenize_split) keeps its rows' numbers only, the rows'
 * pages given back as they are read. */
static gboolean
rows_to_compact (Parser  *parser,
                 GError **error)
{
  Store *st = &parser->st;
  gsize head = rows_head (parser), width = parser->row_width;
  gsize rows = (st->n_values - head) / MAX (width, 1), numbers = count_row_numbers (parser);
  gsize n = 0, checked = 0;
  guintptr released = 0;
  const double *row = st->values + head;

  g_assert (width > 0 && head + rows * width == st->n_values && st->n_cells == 0 &&
            st->n_ends == 0);
  if ((numbers > st->cells_capacity && !resize_cells (parser, numbers, error)) ||
      (rows > st->ends_capacity && !resize_ends (parser, rows, error)))
    return FALSE;
  for (gsize r = 0; r < rows; r++, row += width)
    {
      for (guint k = 0; k < width; k++)
        if (!isnan (row[k]))
          {
            st->cell_pos[n] = k;
            st->cell_values[n++] = row[k];
          }
      st->ends[r] = n;
      if ((r - checked) * width >= ((gsize) 1 << 20))
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          fs_give_back_read (st->values + head, (r + 1) * width * sizeof (double), &released);
          checked = r;
        }
    }
  st->n_cells = n;
  st->n_ends = rows;
  st->n_values = head;
  /* A store without the file's first record holds no values now. */
  if (head == 0)
    {
      g_clear_pointer (&st->values, g_free);
      st->capacity = 0;
    }
  parser->compact = TRUE;
  g_atomic_int_inc (&rows_to_compacts);
  return TRUE;
}

/* Cells of one record between looks at the cancellable (a few
 * milliseconds of reading). */
#define CANCEL_CHECK_CELLS 65536u

/* Reads the fields of the record at the cursor, up to the end of its
 * (last) line, and keeps the record unless all its fields are empty. The
 * file's first record has its values one after another, the later ones
 * those of their kept columns (Store); the file's first two records are
 * noted (Record), the first with a mark every HEAD_MARK_EVERY cells. */
static gboolean
read_record (Parser  *parser,
             Cursor  *c,
             GError **error)
{
  Store *st = &parser->st;
  Record rec = { st->n_values, 0, c->line, TRUE };
  gboolean any_value = FALSE, any_text = FALSE, all_quoted = TRUE;
  gboolean first = parser->first_chunk && st->n_records == 0;
  /* The file's first two records are noted. */
  gboolean head = parser->first_chunk && st->n_records < 2;
  /* The first record's values, and the second's before the width is
   * known, go one after another. */
  gboolean append = first || parser->width == 0;
  gboolean keep = !append && st->mismatch_line == 0;
  /* Its numbers only, taken from a row of its own once it is read. */
  gboolean compact = keep && parser->compact;
  gboolean col0_quoted = FALSE, col1_plain = FALSE, plain = FALSE;
  const char *start = c->p;
  double *row = NULL;

  if (first)
    g_array_set_size (st->head_marks, 0);
  if (compact)
    {
      if (G_UNLIKELY (st->n_cells + parser->row_width > st->cells_capacity) &&
          !grow_cells (parser, st->n_cells + parser->row_width, error))
        return FALSE;
      row = st->row;
    }
  else if (keep)
    {
      if (G_UNLIKELY (st->n_values + parser->row_width > st->capacity) &&
          !grow_values (parser, st->n_values + parser->row_width, error))
        return FALSE;
      row = st->values + st->n_values;
    }
  for (;;)
    {
      Field f = { 0 };
      guint index = rec.n_fields;

      /* The first record is read again from a mark every
       * HEAD_MARK_EVERY cells, not kept a Field a cell. */
      if (G_UNLIKELY (first) && index % HEAD_MARK_EVERY == 0)
        {
          HeadMark mark = { c->p, c->line_start, c->line };

          g_array_append_val (st->head_marks, mark);
        }
      if (!read_field (parser, c, &f, error))
        return FALSE;
      any_value |= f.len > 0 || f.quoted;
      any_text |= f.kind == CELL_TEXT;
      all_quoted &= f.quoted || f.len == 0;
      st->n_missing += f.kind == CELL_MISSING;
      if (append)
        {
          if (G_UNLIKELY (st->n_values == st->capacity) && !grow_values (parser, 0, error))
            return FALSE;
          st->values[st->n_values++] = f.value;
        }
      else if (G_LIKELY (index < parser->width))
        {
          gint pos = place_of (parser, index);

          if (pos >= 0 && keep)
            row[pos] = f.value;
          if (G_UNLIKELY (f.kind == CELL_TEXT))
            count_text (parser, index);
        }
      plain |= f.kind == CELL_NUMBER && !f.quoted;
      if (index == 0)
        col0_quoted = f.quoted;
      else if (index == 1)
        col1_plain = f.kind == CELL_NUMBER && !f.quoted;
      /* The second record's text is counted as the record grows (the
       * first's is read again from its marks). */
      if (!first && append && f.kind == CELL_TEXT)
        count_text (parser, index);
      rec.n_fields++;
      if (!next_field (parser, c))
        break;
      /* A record of millions of cells takes a tenth of a second or more:
       * a cancel is looked at within it too. */
      if (G_UNLIKELY (rec.n_fields % CANCEL_CHECK_CELLS == 0) &&
          g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
        return FALSE;
    }
  next_line (c);
  rec.has_text = any_text;
  rec.all_quoted = all_quoted;

  /* A record of empty fields (",,,") holds no value: skip it, and say so. */
  if (!any_value)
    {
      st->n_values = rec.first;
      st->n_missing -= rec.n_fields;
      st->n_empty_records++;
      return TRUE;
    }
  if (first)
    {
      /* A sure header's values are not data: the next record's go in
       * their place, and the matrix needs no shift. */
      if (is_sure_header (parser, any_text))
        {
          st->n_values = rec.first;
          rec.held = FALSE;
        }
    }
  else
    {
      if (append)
        second_record_sets_width (parser, &rec);
      else if (rec.n_fields != parser->width)
        {
          if (st->mismatch_line == 0)
            {
              st->mismatch_line = rec.line;
              st->mismatch_fields = rec.n_fields;
            }
        }
      else if (compact)
        {
          /* A number is never NaN; missing cells and text are. */
          for (guint k = 0; k < parser->row_width; k++)
            if (!isnan (row[k]))
              {
                st->cell_pos[st->n_cells] = k;
                st->cell_values[st->n_cells++] = row[k];
              }
          if (G_UNLIKELY (st->n_ends == st->ends_capacity) &&
              !resize_ends (parser, MAX (st->ends_capacity * 2, 1024), error))
            return FALSE;
          st->ends[st->n_ends++] = st->n_cells;
          if (G_UNLIKELY (compact_too_dense (parser, c->p)) && !compact_to_rows (parser, c->p, error))
            return FALSE;
        }
      else if (keep)
        st->n_values += parser->row_width;
      st->col0_unquoted |= !col0_quoted;
      st->col1_plain |= col1_plain;
      if (head)
        st->second_plain = plain;
      if (parser->want_starts)
        {
          if (G_UNLIKELY (st->n_starts == st->starts_capacity) && !grow_starts (parser, error))
            return FALSE;
          if (parser->start_size == sizeof (guint32))
            ((guint32 *) st->starts)[st->n_starts++] = (guint32) (start - parser->text);
          else
            ((guint64 *) st->starts)[st->n_starts++] = (guint64) (start - parser->text);
        }
    }
  if (head)
    g_array_append_val (st->records, rec);
  st->n_records++;
  return TRUE;

}

/* Cuts the text into records of fields, up to max_records of them when
 * that is not 0, checking the cancellable and telling progress as it
 * goes. */
static gboolean
tokenize (Parser  *parser,
          GError **error)
{
  Cursor c = { parser->text, parser->text + parser->len, parser->text, 1 };
  guintptr released = 0;

  while (c.p < c.end)
    {
      /* The inner loop is the one before there were ticks: the same code
       * over the records up to the next tick (a preview's, one record). */
      const char *stop = parser->max_records > 0 ? c.p + 1
                       : parser->text + MIN (parser->ticker->next, parser->len);

      if (parser->max_records > 0 && parser->st.n_records >= parser->max_records)
        break;
      if (fs_load_ticker_due (parser->ticker, (gsize) (c.p - parser->text)))
        {
          if (!fs_load_ticker_tick (parser->ticker, (gsize) (c.p - parser->text), error))
            return FALSE;
          release_text (parser, parser->text, c.p, &released);
          continue;
        }
      while (c.p < stop)
        if (!skip_empty_line (&c) && !read_record (parser, &c, error))
          return FALSE;
    }
  /* The text after the last tick too (the last records of a very wide
   * file: MBs each), not held while the matrix is made. */
  release_text (parser, parser->text, c.p, &released);
  parser->consumed = (gsize) (c.p - parser->text);
  return TRUE;
}

/* One of the file's first two records, kept whole. */
static inline const Record *
record_at (const Parser *parser,
           guint         record)
{
  g_assert (record < parser->st.records->len);
  return &g_array_index (parser->st.records, Record, record);
}

/* A reader of the cells of the file's first record, again (HeadMark);
 * one that a caller keeps reads cells asked for in order once each. */
typedef struct
{
  Cursor c;               /* at the start of cell next (c.p NULL: nowhere yet) */
  guint  next;
} HeadCells;

/* Cell index of the file's first record, read again: from where the
 * reader is, when that is before it and past the cell's mark, else from
 * its mark. */
static Field
head_cell (const Parser *parser,
           HeadCells    *cells,
           guint         index)
{
  guint mark = index / HEAD_MARK_EVERY;

  g_assert (index < record_at (parser, 0)->n_fields);
  if (cells->c.p == NULL || cells->next > index || cells->next / HEAD_MARK_EVERY < mark)
    {
      const HeadMark *m = &g_array_index (parser->st.head_marks, HeadMark, mark);

      cells->c = (Cursor) { m->p, parser->text + parser->len, m->line_start, m->line };
      cells->next = mark * HEAD_MARK_EVERY;
    }
  for (;;)
    {
      Field f = { 0 };

      /* It was read once without an error. */
      if (!read_field (parser, &cells->c, &f, NULL))
        g_assert_not_reached ();
      f.index = cells->next++;
      next_field (parser, &cells->c);
      if (f.index == index)
        return f;
    }
}

/* The kept values of a record, held (not a sure header), and in *map
 * where the cell of each column is among them (NULL: at its column). */
static inline const double *
row_values (const Parser *parser,
            guint         record,
            const gint  **map)
{
  const Record *first = record_at (parser, 0);

  if (record == 0)
    {
      g_assert (first->held);
      *map = NULL;
      return parser->st.values + first->first;
    }
  *map = parser->pos;
  return parser->st.values + (first->held ? first->n_fields : 0) +
         (gsize) (record - 1) * parser->row_width;
}

/* Compact: the value of a cell of a record after the file's first, found
 * among its numbers (in the order of their places); NaN when it has none
 * there, as for a missing cell (the rules only ask whether a cell is a
 * number: text in a column keeps it out of them). */
static double
compact_value_at (const Parser *parser,
                  guint         record,
                  guint         index)
{
  const Store *st = &parser->st;
  gint pos;
  gsize lo, hi, end;

  g_assert (index < parser->width && record >= 1 && record - 1 < st->n_ends);
  pos = place_of (parser, index);
  if (pos < 0)
    return text_value ();
  lo = record >= 2 ? st->ends[record - 2] : 0;
  hi = end = st->ends[record - 1];
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (st->cell_pos[mid] < (guint32) pos)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < end && st->cell_pos[lo] == (guint32) pos ? st->cell_values[lo] : NAN;
}

/* The value of a cell: a number, NaN for a missing cell, text's NaN (as
 * for every cell of a column whose values are not kept). */
static inline double
value_at (const Parser *parser,
          guint         record,
          guint         index)
{
  const gint *map;
  const double *row;

  if (record == 0)
    {
      const Record *first = record_at (parser, 0);
      HeadCells cells = { 0 };

      /* A held record's values are all there; a header's are read again. */
      return first->held ? parser->st.values[first->first + index]
                         : head_cell (parser, &cells, index).value;
    }
  if (parser->compact)
    return compact_value_at (parser, record, index);
  row = row_values (parser, record, &map);
  g_assert (index < parser->width);
  if (map == NULL)
    return row[index];
  return map[index] >= 0 ? row[map[index]] : text_value ();
}

/* A cell of the file's first record as a Field, read again from its
 * mark (head_cell, for cells asked for in order). */
static Field
field_at (const Parser *parser,
          guint         record,
          guint         index)
{
  HeadCells cells = { 0 };

  g_assert (record == 0);
  return head_cell (parser, &cells, index);
}

/* The field's text, with doubled quotes undone. */
static char *
field_text (const Field *f)
{
  GString *s = g_string_sized_new (f->len);

  for (guint32 k = 0; k < f->len; k++)
    {
      g_string_append_c (s, f->start[k]);
      if (f->quoted && f->start[k] == '"' && k + 1 < f->len && f->start[k + 1] == '"')
        k++;
    }
  if (!g_utf8_validate (s->str, (gssize) s->len, NULL))
    {
      char *fixed = g_utf8_make_valid (s->str, (gssize) s->len);

      g_string_free (s, TRUE);
      return fixed;
    }
  return g_string_free (s, FALSE);
}

/* The text of a cell of the file's first record. */
static char *
cell_text (const Parser *parser,
           guint         record,
           guint         index)
{
  Field f = field_at (parser, record, index);

  g_assert (f.start != NULL);
  return field_text (&f);
}

/* Whether the file's first record holds text. */
static gboolean
record_has_text (Parser *parser,
                 guint   record)
{
  g_assert (record == 0);
  return record_at (parser, record)->has_text;
}

/* As R writes numbers as names: a first record whose fields are all
 * quoted, above a row of plain numbers. */
static gboolean
is_quoted_header (Parser *parser)
{
  return parser->st.records->len >= 2 && record_at (parser, 0)->all_quoted &&
         parser->st.second_plain;
}

/* A header as the options say; automatically, a first record with text
 * in it (not a guess: words are names) or R's quoted numbers (a guess). */
static gboolean
choose_header (Parser *parser)
{
  FsImportReport *report = parser->report;

  if (parser->options->header != FS_HEADER_AUTO)
    return parser->options->header == FS_HEADER_YES;
  if (record_has_text (parser, 0))
    return TRUE;
  if (!is_quoted_header (parser))
    return FALSE;
  report->header_guessed = TRUE;
  report->header_reason = g_strdup (_("its fields are numbers in quotes above plain numbers, "
                                      "as R writes column names"));
  return TRUE;
}

/* Where the numbers are among the records. */
typedef struct
{
  gboolean  header;
  gboolean  labels;         /* data column 0 holds row labels */
  guint     header_offset;  /* 1 when the header has no cell above the labels */
  guint     first_data;     /* the record of the first row of numbers */
  guint     n_rows;
  guint     n_cols;         /* fields per data record */
  guint     label_cols;
  guint8   *dropped;        /* per field: a column the options leave out */
  guint8   *keep;           /* per field: a column of numbers to keep (a byte: a file
                             * may have millions of columns) */
  guint     n_kept;
} Layout;

/* Which rule for text, quotes or an index took the first column as row
 * labels. */
typedef enum
{
  LABELS_NO_RULE,
  LABELS_R_CORNER,  /* R's empty corner cell: the file says so */
  LABELS_TEXT,      /* text cannot be data: not a guess either */
  LABELS_QUOTED,    /* numbers in quotes beside plain ones: a guess */
  LABELS_INDEX,     /* 0, 1, 2, … or 1, 2, 3, … under a header: a guess */
} LabelsRule;

/* Whether data column 0 counts the rows, as a pandas or spreadsheet
 * index does: 0, 1, 2, … or 1, 2, 3, … */
static gboolean
first_column_is_index (Parser       *parser,
                       const Layout *layout)
{
  for (guint i = 0; i < layout->n_rows; i++)
    {
      double v = value_at (parser, layout->first_data + i, 0);

      if (kind_of (v) != CELL_NUMBER || (v != (double) i && v != (double) (i + 1)) ||
          (i > 0 && v - value_at (parser, layout->first_data + i - 1, 0) != 1.0))
        return FALSE;
    }
  return TRUE;
}

/* The rules for a label column of text or of an index, as R, pandas and
 * spreadsheets write them. */
static LabelsRule
detect_label_column (Parser       *parser,
                     const Layout *layout)
{
  gboolean any_text = FALSE, all_quoted = TRUE, other_plain = FALSE;

  if (layout->n_cols < 2)
    return LABELS_NO_RULE;
  /* R's write.csv: an empty corner cell above the row names. */
  if (layout->header && field_at (parser, 0, 0).len == 0)
    return LABELS_R_CORNER;

  /* The records after the file's first were counted as they were read. */
  if (layout->first_data == 0)
    {
      Field f = field_at (parser, 0, 0);
      Field g = field_at (parser, 0, 1);

      any_text |= f.kind == CELL_TEXT;
      all_quoted &= f.quoted;
      other_plain |= g.kind == CELL_NUMBER && !g.quoted;
    }
  if (layout->n_rows > 1 - layout->first_data)
    {
      any_text |= text_cells_of (&parser->st, 0) > 0;
      all_quoted &= !parser->st.col0_unquoted;
      other_plain |= parser->st.col1_plain;
    }

  if (any_text)
    return LABELS_TEXT;
  if (all_quoted && other_plain)
    return LABELS_QUOTED;
  if (layout->header && layout->n_rows > 1 && first_column_is_index (parser, layout))
    return LABELS_INDEX;
  return LABELS_NO_RULE;
}

/* The rule for numbers (README "Row labels") looks at a sample of this
 * many cells at most: a median of a sample is as telling as the whole. */
#define SAMPLE_CELLS 100000u

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of values, which it sorts. */
static double
median (GArray *values)
{
  guint n = values->len;

  g_array_sort (values, compare_doubles);
  if (n == 0)
    return 0.0;
  return n % 2 == 1 ? g_array_index (values, double, n / 2)
                    : (g_array_index (values, double, n / 2 - 1) +
                       g_array_index (values, double, n / 2)) / 2.0;
}

/* What the rule for numbers (README "Row labels") finds of data column 0. */
typedef enum
{
  NUMBERS_NOT_IDS,       /* neither distinct whole numbers nor increasing: not considered */
  NUMBERS_ONLY_COLUMN,   /* no other column holds numbers */
  NUMBERS_LIKE_REST,     /* of the same type and scale as the rest */
  NUMBERS_OTHER_TYPE,    /* whole beside fractions, or fractions beside whole numbers */
  NUMBERS_OTHER_SCALE,   /* ten times larger or smaller */
} NumbersVerdict;

/* Whether data column 0 holds whole numbers only, and their range. */
static gboolean
first_column_is_whole (Parser       *parser,
                       const Layout *layout,
                       double       *lo,
                       double       *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint i = 0; i < layout->n_rows; i++)
    {
      double v = value_at (parser, layout->first_data + i, 0);

      if (kind_of (v) != CELL_NUMBER || v != floor (v) || fabs (v) > 0x1p53)
        return FALSE;
      *lo = MIN (*lo, v);
      *hi = MAX (*hi, v);
    }
  return TRUE;
}

/* Whether the whole numbers of data column 0 are all different: a bitmap
 * over their range when it is at most 64 bits a row (ids, years: a
 * repeat ends the pass), else sorted. */
static gboolean
first_column_is_distinct (Parser       *parser,
                          const Layout *layout,
                          double        lo,
                          double        hi)
{
  g_autofree guint64 *seen = NULL;
  g_autoptr(GArray) values = NULL;

  if (hi - lo < 64.0 * layout->n_rows)
    {
      seen = g_new0 (guint64, (gsize) ((hi - lo) / 64) + 1);
      for (guint i = 0; i < layout->n_rows; i++)
        {
          guint64 k = (guint64) (value_at (parser, layout->first_data + i, 0) - lo);

          if (seen[k / 64] & ((guint64) 1 << (k % 64)))
            return FALSE;
          seen[k / 64] |= (guint64) 1 << (k % 64);
        }
      return TRUE;
    }

  values = g_array_sized_new (FALSE, FALSE, sizeof (double), layout->n_rows);
  for (guint i = 0; i < layout->n_rows; i++)
    {
      double v = value_at (parser, layout->first_data + i, 0);

      g_array_append_val (values, v);
    }
  g_array_sort (values, compare_doubles);
  for (guint i = 1; i < values->len; i++)
    if (g_array_index (values, double, i) == g_array_index (values, double, i - 1))
      return FALSE;
  return TRUE;
}

/* Fewer rows than this increase by chance too often (one time in six for
 * three rows, in twenty-four for four) to say anything. */
#define MIN_INCREASING_ROWS 4

/* Whether data column 0 holds finite numbers that increase strictly, as
 * times, wavelengths or doses do. */
static gboolean
first_column_increases (Parser       *parser,
                        const Layout *layout)
{
  double previous = -INFINITY;

  if (layout->n_rows < MIN_INCREASING_ROWS)
    return FALSE;
  for (guint i = 0; i < layout->n_rows; i++)
    {
      double v = value_at (parser, layout->first_data + i, 0);

      if (kind_of (v) != CELL_NUMBER || !isfinite (v) || !(v > previous))
        return FALSE;
      previous = v;
    }
  return TRUE;
}

/* How the other columns' numbers differ from data column 0's: of another
 * type when column 0 is whole and most of theirs have a fraction, or the
 * other way round; of another scale when the typical sizes (median |value|
 * of a sample) are ten times apart or more. */
static NumbersVerdict
compare_with_rest (Parser       *parser,
                   const Layout *layout,
                   gboolean      first_whole)
{
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 other_cells = (guint64) layout->n_rows * (layout->n_cols - 1);
  guint stride = (guint) MAX (1, other_cells / SAMPLE_CELLS);
  gsize fractions = 0;
  double a, b;

  for (guint i = 0; i < layout->n_rows; i += MIN (stride, MAX (1, layout->n_rows / 1000)))
    {
      double v = fabs (value_at (parser, layout->first_data + i, 0));

      g_array_append_val (first, v);
    }
  for (guint i = 0; i < layout->n_rows; i += stride)
    for (guint j = 1; j < layout->n_cols; j++)
      {
        double value = layout->dropped[j] || text_cells_of (&parser->st, j) > 0
                         ? text_value () : value_at (parser, layout->first_data + i, j);
        double v = fabs (value);

        /* A column with text in it is never data (choose_columns), and
         * its values may not be kept: the rest are the other columns. */
        if (kind_of (value) != CELL_NUMBER)
          continue;
        fractions += v != floor (v);
        g_array_append_val (rest, v);
      }

  if (rest->len == 0)
    return NUMBERS_ONLY_COLUMN;
  if (first_whole ? fractions * 2 > rest->len : fractions * 2 < rest->len)
    return NUMBERS_OTHER_TYPE;
  a = median (first);
  b = median (rest);
  return MAX (a, b) > 0.0 && MAX (a, b) >= 10.0 * MIN (a, b) ? NUMBERS_OTHER_SCALE
                                                             : NUMBERS_LIKE_REST;
}

/* README "Row labels": under a header, a first column of distinct whole
 * numbers, or of numbers that increase strictly, beside columns of
 * another type or scale is a column of ids, years, times or codes.
 * *whole says which of the two it is. */
static NumbersVerdict
numeric_label_rule (Parser       *parser,
                    const Layout *layout,
                    gboolean     *whole)
{
  double lo, hi;

  if (!layout->header || layout->n_cols < 2 || layout->n_rows < 2)
    return NUMBERS_NOT_IDS;
  *whole = first_column_is_whole (parser, layout, &lo, &hi) &&
           first_column_is_distinct (parser, layout, lo, hi);
  if (!*whole && !first_column_increases (parser, layout))
    return NUMBERS_NOT_IDS;
  return compare_with_rest (parser, layout, *whole);
}

/* Why a numeric first column was read as row labels: the reason (after
 * "as") for the report and the notice. */
typedef enum
{
  WHY_WHOLE_TYPE,
  WHY_WHOLE_SCALE,
  WHY_INCREASING_TYPE,
  WHY_INCREASING_SCALE,
  WHY_QUOTED,
  WHY_INDEX,
} LabelsWhy;

static const char * const why_reasons[] = {
  [WHY_WHOLE_TYPE] = N_("its values are distinct whole numbers and most of the others are not"),
  [WHY_WHOLE_SCALE] = N_("its values are distinct whole numbers on another scale than the rest"),
  [WHY_INCREASING_TYPE] = N_("its values increase strictly and are not whole numbers, while "
                             "most of the others are"),
  [WHY_INCREASING_SCALE] = N_("its values increase strictly, on another scale than the rest"),
  [WHY_QUOTED] = N_("its values are in quotes and the others are not"),
  [WHY_INDEX] = N_("it counts the rows, as pandas and spreadsheets write an index"),
};

/* The notice and the report for a numeric column taken as labels, by a
 * guess the user may want to undo: every one of them says how. */
static void
report_numeric_labels (Parser       *parser,
                       const Layout *layout,
                       LabelsWhy     why)
{
  FsImportReport *report = parser->report;
  g_autofree char *title = layout->header ? cell_text (parser, 0, 0) : NULL;
  g_autofree char *number = fs_error_number_text (1);
  const char *reason = _(why_reasons[why]);

  report->row_labels_guessed = TRUE;
  report->numeric_label_column = g_strdup (title);
  report->row_labels_reason = g_strdup (reason);
  parser->numeric_notice =
    title != NULL
      /* Translators: the column's number, its header and why (“its values are …”). */
      ? g_strdup_printf (_("Read column %s (“%s”) as row labels, as %s: to keep it as data, use "
                           "--row-labels none on the command line, or Row labels → None in the "
                           "window's import options"), number, title, reason)
      /* Translators: the column's number and why (“its values are …”). */
      : g_strdup_printf (_("Read column %s as row labels, as %s: to keep it as data, use "
                           "--row-labels none on the command line, or Row labels → None in the "
                           "window's import options"), number, reason);
}

/* The rule for numbers, when no other rule applied: labels or data. */
static gboolean
choose_numeric_labels (Parser       *parser,
                       const Layout *layout)
{
  FsImportReport *report = parser->report;
  gboolean whole = TRUE;
  NumbersVerdict verdict = numeric_label_rule (parser, layout, &whole);

  switch (verdict)
    {
    case NUMBERS_NOT_IDS:
      return FALSE;
    case NUMBERS_ONLY_COLUMN:
      report->row_labels_guessed = TRUE;
      report->row_labels_reason = g_strdup (_("it is the only column of numbers"));
      return FALSE;
    case NUMBERS_LIKE_REST:
      report->row_labels_guessed = TRUE;
      report->row_labels_reason =
        g_strdup (whole ? _("its values are distinct whole numbers, but of the same type and "
                            "scale as the rest")
                        : _("its values increase strictly, but are of the same type and scale "
                            "as the rest"));
      return FALSE;
    case NUMBERS_OTHER_TYPE:
      report_numeric_labels (parser, layout, whole ? WHY_WHOLE_TYPE : WHY_INCREASING_TYPE);
      return TRUE;
    case NUMBERS_OTHER_SCALE:
      report_numeric_labels (parser, layout, whole ? WHY_WHOLE_SCALE : WHY_INCREASING_SCALE);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* Whether column 1 holds row labels, as the options say or as the rules
 * guess; a dropped column 1 holds none. Text and R's corner cell are not
 * guesses; every decision about a column of numbers is. */
static gboolean
choose_label_column (Parser       *parser,
                     const Layout *layout)
{
  if (layout->dropped[0] || parser->options->row_labels == FS_ROW_LABELS_NONE)
    return FALSE;
  if (parser->options->row_labels == FS_ROW_LABELS_FIRST)
    return TRUE;

  switch (detect_label_column (parser, layout))
    {
    case LABELS_R_CORNER:
    case LABELS_TEXT:
      return TRUE;
    case LABELS_QUOTED:
      report_numeric_labels (parser, layout, WHY_QUOTED);
      parser->numeric_labels_guessed = TRUE;
      return TRUE;
    case LABELS_INDEX:
      report_numeric_labels (parser, layout, WHY_INDEX);
      parser->numeric_labels_guessed = TRUE;
      return TRUE;
    case LABELS_NO_RULE:
    default:
      parser->numeric_labels_guessed = choose_numeric_labels (parser, layout);
      return parser->numeric_labels_guessed;
    }
}

static gboolean
width_error (Parser  *parser,
             gsize    line,
             guint    n_fields,
             guint    n_cols,
             GError **error)
{
  g_autofree char *number = fs_error_number_text (line);

  g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
               _("%s:%s: this row has %u fields, the rows above have %u"),
               parser->name, number, n_fields, n_cols);
  return FALSE;
}

/* Checks that the header and every data record have as many fields as the
 * first data record; R's write.table header, one field short, means row
 * labels, which options of none cannot undo. */
static gboolean
check_record_widths (Parser  *parser,
                     Layout  *layout,
                     GError **error)
{
  GArray *records = parser->st.records;
  const Record *first = &g_array_index (records, Record, layout->first_data);

  if (layout->header)
    {
      const Record *header = &g_array_index (records, Record, 0);

      if (header->n_fields + 1 == layout->n_cols && layout->n_cols >= 2 &&
          parser->options->row_labels == FS_ROW_LABELS_NONE)
        {
          g_autofree char *header_line = fs_error_number_text (header->line);

          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s:%s: the header is one field short, as R's write.table writes row "
                         "names, so the first column can only be read as row labels: use "
                         "--row-labels auto or first"),
                       parser->name, header_line);
          return FALSE;
        }
      if (header->n_fields + 1 == layout->n_cols && layout->n_cols >= 2)
        {
          layout->labels = TRUE;
          layout->header_offset = 1;
        }
      else if (header->n_fields != layout->n_cols)
        {
          g_autofree char *line = fs_error_number_text (first->line);
          g_autofree char *header_line = fs_error_number_text (header->line);

          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s:%s: this row has %u fields, but the header on line %s has %u"),
                       parser->name, line, layout->n_cols, header_line, header->n_fields);
          return FALSE;
        }
    }

  /* The first row of another width: the second record (after a first of
   * data), or the first of those after it that the tokenizer noted. */
  if (layout->first_data == 0 && records->len > 1 &&
      g_array_index (records, Record, 1).n_fields != layout->n_cols)
    return width_error (parser, g_array_index (records, Record, 1).line,
                        g_array_index (records, Record, 1).n_fields, layout->n_cols, error);
  if (parser->st.mismatch_line != 0)
    return width_error (parser, parser->st.mismatch_line, parser->st.mismatch_fields,
                        layout->n_cols, error);
  return TRUE;
}

/* Marks the columns the options drop; one past the file's width is an
 * error. */
static gboolean
mark_dropped_columns (Parser  *parser,
                      Layout  *layout,
                      GError **error)
{
  const FsImportOptions *options = parser->options;

  for (guint k = 0; k < options->n_drop_columns; k++)
    {
      guint column = options->drop_columns[k];

      if (!fs_import_check_drop_column (parser->name, column, layout->n_cols, error))
        return FALSE;
      layout->dropped[column - 1] = TRUE;
    }
  return TRUE;
}

/* Finds the header row, the row-label column and the size of the table. */
static gboolean
read_layout (Parser  *parser,
             Layout  *layout,
             GError **error)
{
  GArray *records = parser->st.records;

  if (records->len == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: holds no numbers"), parser->name);
      return FALSE;
    }

  layout->header = choose_header (parser);
  layout->first_data = layout->header ? 1 : 0;
  if (layout->first_data >= records->len)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: has a header row but no rows of numbers"), parser->name);
      return FALSE;
    }

  layout->n_cols = g_array_index (records, Record, layout->first_data).n_fields;
  layout->n_rows = (guint) (parser->st.n_records - layout->first_data);
  layout->dropped = g_new0 (guint8, layout->n_cols);
  layout->keep = g_new0 (guint8, layout->n_cols);
  if (!check_record_widths (parser, layout, error) ||
      !mark_dropped_columns (parser, layout, error))
    return FALSE;

  if (layout->dropped[0] &&
      (layout->labels || parser->options->row_labels == FS_ROW_LABELS_FIRST))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: the first column holds the row labels, so it cannot be dropped: to "
                     "leave it out, read no row labels (--row-labels none)"), parser->name);
      return FALSE;
    }
  if (!layout->labels)
    layout->labels = choose_label_column (parser, layout);
  layout->label_cols = layout->labels ? 1 : 0;
  return TRUE;
}

/* A numeric column 1 guessed as row labels, beside no other column of
 * numbers (ids beside names, the rest dropped), is read as data instead:
 * a table of labels alone cannot be analysed. */
static void
read_labels_as_data (Parser *parser,
                     Layout *layout)
{
  FsImportReport *report = parser->report;

  layout->labels = FALSE;
  layout->label_cols = 0;
  layout->keep[0] = TRUE;
  layout->n_kept++;
  g_clear_pointer (&parser->numeric_notice, g_free);
  g_clear_pointer (&report->numeric_label_column, g_free);
  g_free (report->row_labels_reason);
  report->row_labels_reason = g_strdup (_("it is the only column of numbers"));
}

/* The first text cell of column j among the records after the file's
 * first, and its record's line: found by reading the text again, as the
 * tokenizer read it (only a count is kept a column, text_cells; this is
 * for an error's place). FALSE if cancelled (looked at every
 * CANCEL_CHECK_CELLS cells). */
static gboolean
find_first_text (Parser  *parser,
                 guint    j,
                 Field   *found,
                 gsize   *line,
                 GError **error)
{
  Cursor c = { parser->text, parser->text + parser->len, parser->text, 1 };
  gboolean after_first = FALSE;
  gsize cells = 0;

  while (c.p < c.end)
    {
      gboolean any_value = FALSE;
      gsize record_line = c.line;

      if (skip_empty_line (&c))
        continue;
      for (guint index = 0;; index++)
        {
          Field f = { 0 };

          /* It was read once without an error; only column j's cells are
           * classified. */
          if (after_first && index == j)
            {
              if (!read_field (parser, &c, &f, NULL))
                g_assert_not_reached ();
              if (f.kind == CELL_TEXT)
                {
                  *found = f;
                  *line = record_line;
                  return TRUE;
                }
            }
          else
            cut_field_again (parser, &c, &f);
          any_value |= f.len > 0 || f.quoted;
          if (++cells % CANCEL_CHECK_CELLS == 0 &&
              g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          if (!next_field (parser, &c))
            break;
        }
      next_line (&c);
      /* A record of empty fields is not the file's first. */
      after_first |= any_value;
    }
  g_assert_not_reached ();
}

/* A column of text (most cells) is dropped with a notice; a stray word in
 * a column of numbers is an error at that word. Columns the options drop
 * are not looked at. The text cells of the records after the file's
 * first were counted per column as they were read. */
static gboolean
choose_columns (Parser  *parser,
                Layout  *layout,
                GError **error)
{
  Store *st = &parser->st;
  gboolean any_dropped = FALSE;
  /* The first record's cells count too when they are data: read in order
   * with the columns (no copy of the counts a column: a file may have
   * millions). */
  gboolean first_is_data = layout->first_data == 0 && record_at (parser, 0)->has_text;
  HeadCells cells = { 0 };

  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    {
      guint text_cells = text_cells_of (st, j);
      Field first = { 0 };
      gsize first_line = 0;

      any_dropped |= layout->dropped[j];
      if (layout->dropped[j])
        continue;
      if (first_is_data)
        {
          first = head_cell (parser, &cells, j);
          if (first.kind == CELL_TEXT)
            {
              text_cells++;
              first_line = record_at (parser, 0)->line;
            }
        }

      if (text_cells == 0)
        {
          layout->keep[j] = TRUE;
          layout->n_kept++;
        }
      else if (text_cells * 2 < layout->n_rows)
        {
          g_autofree char *word = NULL;
          g_autofree char *msg = NULL;

          if (first_line == 0 && !find_first_text (parser, j, &first, &first_line, error))
            return FALSE;
          word = field_text (&first);
          msg = g_strdup_printf (_("“%s” is not a number"), word);
          set_position_error (parser, error, first_line, first.column, msg);
          return FALSE;
        }
    }

  if (layout->n_kept == 0 && parser->numeric_labels_guessed)
    read_labels_as_data (parser, layout);
  if (layout->n_kept == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   any_dropped ? _("%s: without the dropped columns, no column of numbers is "
                                   "left")
                               : _("%s: has no column of numbers"),
                   parser->name);
      return FALSE;
    }
  return TRUE;
}

static gint joined_reads;

guint
fs_delimited_get_joined_reads (void)
{
  return (guint) g_atomic_int_get (&joined_reads);
}

/* After compact_values: the pages of values past the kept cells (text
 * and label columns, a header, dropped columns, written before the
 * compaction) go back to the system, so that the matrix, which keeps the
 * buffer, holds no more than its own cells. */
static void
release_dropped (double *values,
                 gsize   kept,
                 gsize   written)
{
  if (written > kept)
    fs_give_back_pages ((guintptr) (values + kept), (guintptr) (values + written));
}

/* Where each kept cell of a data row is among the row's values: in
 * from[0 .. n_kept), for record (the file's first has all its cells,
 * later ones those of their kept columns). */
static const double *
kept_cells (const Parser *parser,
            const Layout *layout,
            guint         record,
            guint        *from)
{
  const gint *map;
  const double *row = row_values (parser, record, &map);
  guint c = 0;

  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    if (layout->keep[j])
      {
        g_assert (map == NULL || map[j] >= 0);
        from[c++] = map != NULL ? (guint) map[j] : j;
      }
  return row;
}

/* The kept cells, moved to the front of the values row after row: the
 * matrix's own layout, in place (a cell only ever moves towards the
 * start). Nothing moves when every cell of every record is kept. The
 * cancellable is checked about every million cells. */
static gboolean
compact_values (Parser       *parser,
                const Layout *layout,
                GError      **error)
{
  double *values = parser->st.values;
  g_autofree guint *from = g_new (guint, MAX (layout->n_kept, 1));
  const double *row = NULL;
  const gint *map;
  gsize at = 0, rows_at, checked = 0;

  /* Every record's every cell kept, one after another: moved towards the
   * start 8 Mi values at a time (a move never overtakes what it reads),
   * the cancellable looked at between. */
  if (layout->n_kept == layout->n_cols &&
      (parser->row_width == layout->n_cols || (layout->n_rows == 1 && layout->first_data == 0)))
    {
      gsize n = (gsize) layout->n_rows * layout->n_cols, block = (gsize) 8 << 20;

      rows_at = (gsize) (row_values (parser, layout->first_data, &map) - values);
      for (gsize k = 0; rows_at > 0 && k < n; k += block)
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          memmove (values + k, values + rows_at + k, MIN (block, n - k) * sizeof (double));
        }
      return TRUE;
    }
  for (guint i = 0; i < layout->n_rows; i++)
    {
      /* About every million cells (a row of a very wide file is more). */
      if ((gsize) (i - checked) * layout->n_kept >= ((gsize) 1 << 20))
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          checked = i;
        }
      /* The file's first record has all its cells, the later ones those
       * of their kept columns. */
      if (i == 0 || layout->first_data + i == 1)
        row = kept_cells (parser, layout, layout->first_data + i, from);
      else
        row += parser->row_width;
      for (guint c = 0; c < layout->n_kept; c++)
        values[at++] = row[from[c]];
    }
  return TRUE;
}

static gint start_rescans;

guint
fs_delimited_get_start_rescans (void)
{
  return (guint) g_atomic_int_get (&start_rescans);
}

/* Steps over the record at the cursor as read_record reads it (the text
 * was read so once, without an error); whether a field of it is not empty
 * (read_record leaves out a record of empty fields). */
static gboolean
step_over_record (Parser *parser,
                  Cursor *c)
{
  gboolean whitespace = parser->separator == WHITESPACE_SEPARATOR;
  gboolean any_value = FALSE;

  for (;;)
    {
      Field f = { 0 };

      cut_field_again (parser, c, &f);
      any_value |= f.len > 0 || f.quoted;

      if (whitespace)
        while (c->p < c->end && is_blank (*c->p))
          c->p++;
      else if (c->p < c->end && *c->p == parser->separator)
        {
          c->p++;
          continue;
        }
      if (c->p == c->end || is_line_end (*c->p))
        break;
    }
  next_line (c);
  return any_value;
}

/* Where the records after the file's first start, found by reading the
 * text again, as the tokenizer found them: for row labels that the
 * sample of the file's start did not foresee (sample_may_have_labels), so
 * that the tokenizer kept no starts. The cancellable is checked every
 * 64Ki records. */
static gboolean
find_record_starts (Parser  *parser,
                    GError **error)
{
  Store *st = &parser->st;
  Cursor c = { parser->text, parser->text + parser->len, parser->text, 1 };
  gsize records = 0;
  guintptr released = 0;

  g_assert (st->starts == NULL && st->n_records >= 1);
  st->starts = g_try_malloc_n (MAX (st->n_records - 1, 1), parser->start_size);
  if (st->starts == NULL)
    {
      /* As many cells as those rows hold: the message the values give. */
      g_autofree char *cells = fs_error_number_text (st->n_records * MAX (parser->width, 1));

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s: not enough memory for more than %s cells"), parser->name, cells);
      return FALSE;
    }
  st->starts_capacity = st->n_records - 1;
  while (records < st->n_records)
    {
      const char *start;

      g_assert (c.p < c.end);
      if (skip_empty_line (&c))
        continue;
      start = c.p;
      if (!step_over_record (parser, &c))
        continue;
      if (records % 65536 == 65535)
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return FALSE;
          release_text (parser, parser->text, c.p, &released);
        }
      if (records++ == 0)
        continue;
      if (parser->start_size == sizeof (guint32))
        ((guint32 *) st->starts)[st->n_starts++] = (guint32) (start - parser->text);
      else
        ((guint64 *) st->starts)[st->n_starts++] = (guint64) (start - parser->text);
    }
  g_atomic_int_inc (&start_rescans);
  return TRUE;
}

/* Row label i (of a data row) as a Field, read again from the text where
 * its record starts. */
static Field
label_field (Parser       *parser,
             const Layout *layout,
             guint         i)
{
  guint record = layout->first_data + i;
  Cursor c = { 0 };
  Field f = { 0 };

  if (record == 0)
    return field_at (parser, record, 0);
  c.p = parser->text + (parser->start_size == sizeof (guint32)
                          ? ((const guint32 *) parser->st.starts)[record - 1]
                          : ((const guint64 *) parser->st.starts)[record - 1]);
  c.end = parser->text + parser->len;
  c.line_start = c.p;
  c.line = 1;
  cut_field_again (parser, &c, &f);
  return f;
}

/* The field's text (field_text's) in chunk: most labels are their text
 * as it is, copied straight in; one chunk holds them all, where a string
 * of its own cost 128 bytes (a file may have millions of columns). */
static char *
chunk_field_text (GStringChunk *chunk,
                  const Field  *f)
{
  g_autofree char *text = NULL;

  if (!f->quoted && g_utf8_validate_len (f->start, f->len, NULL))
    return g_string_chunk_insert_len (chunk, f->start, f->len);
  return g_string_chunk_insert (chunk, text = field_text (f));
}

/* The row labels and the header's column labels, each kind in one string
 * chunk (FsMatrix.row_label_text, col_label_text); FALSE if cancelled
 * (millions of them take a tenth of a second: the cancellable is looked
 * at every 4096). */
static gboolean
copy_labels (Parser       *parser,
             const Layout *layout,
             FsMatrix     *X,
             GError      **error)
{
  GCancellable *cancellable = parser->ticker->cancellable;

  if (layout->labels)
    {
      guintptr released = 0;

      X->row_labels = g_new0 (char *, layout->n_rows + 1);
      X->row_label_text = g_string_chunk_new ((gsize) 1 << 20);
      for (guint i = 0; i < layout->n_rows; i++)
        {
          Field f = label_field (parser, layout, i);

          X->row_labels[i] = chunk_field_text (X->row_label_text, &f);
          /* Each label brings its part of the file back (and the pages
           * around it): they go back again behind. */
          if (i % 4096 == 4095)
            {
              release_text (parser, parser->text, f.start, &released);
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                return FALSE;
            }
        }
    }

  if (layout->header)
    {
      guint c = 0;

      HeadCells cells = { 0 };
      guintptr released = 0;

      X->col_labels = g_new0 (char *, layout->n_kept + 1);
      X->col_label_text = g_string_chunk_new ((gsize) 1 << 16);
      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        if (layout->keep[j])
          {
            Field f = head_cell (parser, &cells, j - layout->header_offset);

            g_assert (f.start != NULL);
            X->col_labels[c++] = chunk_field_text (X->col_label_text, &f);
            /* A header of millions of names comes back from the file as
             * it is read, and goes back behind. */
            if (c % 4096 == 0)
              {
                release_text (parser, parser->text, f.start, &released);
                if (g_cancellable_set_error_if_cancelled (cancellable, error))
                  return FALSE;
              }
          }
    }
  return TRUE;
}

/* Notices of the text columns left out, which the report lists too. */
/* Left-out text columns past this many have one notice together. */
#define MAX_COLUMN_NOTICES 5

static void
add_dropped_column_notices (Parser       *parser,
                            const Layout *layout,
                            FsMatrix     *X)
{
  FsImportReport *report = parser->report;
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GString) named = g_string_new (NULL);
  HeadCells cells = { 0 };

  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    if (!layout->keep[j] && !layout->dropped[j])
      {
        guint column = j + 1;

        g_array_append_val (columns, column);
      }

  /* A notice a column (the window shows each for a while), but one for
   * them all past a few: a file may have thousands of text columns, which
   * the report lists. */
  /* Each named, or the first three in the notice for all. */
  for (guint k = 0; k < (columns->len <= MAX_COLUMN_NOTICES ? columns->len : 3); k++)
    {
      guint column = g_array_index (columns, guint, k);
      g_autofree char *title = NULL;

      if (layout->header)
        {
          Field f = head_cell (parser, &cells, column - 1 - layout->header_offset);

          title = field_text (&f);
        }
      else
        title = g_strdup_printf ("%u", column);
      if (columns->len <= MAX_COLUMN_NOTICES)
        {
          g_autofree char *notice =
            g_strdup_printf (_("Left out column %u (“%s”): it holds text, not numbers"),
                             column, title);

          fs_matrix_add_notice (X, notice);
        }
      else
        g_string_append_printf (named, "%s%u (“%s”)", k > 0 ? ", " : "", column, title);
    }
  if (columns->len > MAX_COLUMN_NOTICES)
    {
      g_autofree char *count = fs_error_number_text (columns->len);
      g_autofree char *rest = fs_error_number_text (columns->len - 3);
      g_autofree char *notice =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Left out %s columns that hold text, not numbers: %s and "
                                      "%s other",
                                      "Left out %s columns that hold text, not numbers: %s and "
                                      "%s others", columns->len - 3),
                         count, named->str, rest);

      fs_matrix_add_notice (X, notice);
    }
  report->n_text_columns = columns->len;
  report->text_columns = columns->len > 0
                           ? (guint *) g_array_free (g_steal_pointer (&columns), FALSE) : NULL;
}

static void
add_empty_rows_notice (Parser   *parser,
                       FsMatrix *X)
{
  g_autofree char *count = NULL;
  g_autofree char *notice = NULL;

  if (parser->st.n_empty_records == 0)
    return;
  count = fs_error_number_text (parser->st.n_empty_records);
  notice = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Left out %s row whose fields are all empty",
                                         "Left out %s rows whose fields are all empty",
                                         parser->st.n_empty_records), count);
  fs_matrix_add_notice (X, notice);
}

/* The report's account of the layout. */
static void
fill_report (Parser       *parser,
             const Layout *layout)
{
  FsImportReport *report = parser->report;

  report->separator = parser->separator;
  report->decimal_comma = parser->decimal_comma;
  report->header = layout->header;
  report->row_labels = layout->labels;
  report->n_file_columns = layout->n_cols;
  report->n_file_rows = layout->n_rows;
  report->n_empty_rows = parser->st.n_empty_records;
}

/* Whether a kept cell goes into the sparse layout: a number, and not a
 * zero when unlisted cells are zeros (it means the same unlisted). */
static inline gboolean
is_listed (const Parser *parser,
           double        value)
{
  return !isnan (value) && !(parser->options->zeros_are_values && value == 0.0);
}

/* Whether the table is held sparse (fs-sparse.h): when forced, or, left
 * automatic, when its listed cells are fewer than FS_SPARSE_AUTO_SHARE of
 * rows × cols. A preview's few records are read dense. */
static gboolean
wants_sparse (Parser       *parser,
              const Layout *layout,
              gsize        *nnz)
{
  FsStorage storage = parser->options->storage;
  gsize rows = layout->n_rows, cols = layout->n_kept;
  g_autofree guint *from = NULL;

  *nnz = 0;
  if (parser->max_records > 0 || storage == FS_STORAGE_DENSE)
    return FALSE;
  from = g_new (guint, MAX (cols, 1));
  /* Left automatic, a dense table is known as such a share of the way in. */
  for (guint i = 0; i < rows && fs_storage_wants_sparse (storage, *nnz, rows, cols); i++)
    {
      const double *row = kept_cells (parser, layout, layout->first_data + i, from);

      for (guint c = 0; c < cols; c++)
        *nnz += is_listed (parser, row[from[c]]);
    }
  return fs_storage_wants_sparse (storage, *nnz, rows, cols);
}

/* The kept cells as a sparse layout, never rows × cols: the cancellable
 * checked every 64Ki rows. */
static FsMatrix *
copy_sparse_values (Parser       *parser,
                    const Layout *layout,
                    gsize         nnz,
                    GError      **error)
{
  g_autoptr(FsSparse) s = fs_sparse_new (layout->n_rows, layout->n_kept, nnz, error);
  g_autofree guint *from = g_new (guint, MAX (layout->n_kept, 1));
  gsize at = 0;

  if (s == NULL)
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  for (guint i = 0; i < layout->n_rows; i++)
    {
      const double *row = kept_cells (parser, layout, layout->first_data + i, from);

      if (i % 65536 == 65535 &&
          g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
        return NULL;
      s->row_ptr[i] = at;
      for (guint c = 0; c < layout->n_kept; c++)
        if (is_listed (parser, row[from[c]]))
          {
            s->col_idx[at] = c;
            s->values[at++] = row[from[c]];
          }
    }
  s->row_ptr[layout->n_rows] = at;
  s->zeros_are_values = parser->options->zeros_are_values;
  return fs_matrix_new_sparse (s);
}

/* Compact, held sparse: the store's own arrays become the layout's, its
 * numbers that are listed cells of kept columns moved to the front in
 * place (column places made the matrix's columns), the file's first
 * record's (when data) put before them. column: the matrix's column of
 * each place in a kept row, or -1. The cancellable is checked every 1024
 * rows (a row of a wide file is thousands of cells). */
static FsMatrix *
compact_to_sparse (Parser       *parser,
                   const Layout *layout,
                   const gint   *column,
                   const double *first,
                   gsize         nnz,
                   GError      **error)
{
  Store *st = &parser->st;
  g_autoptr(FsSparse) s = fs_sparse_new (layout->n_rows, layout->n_kept, 0, error);
  gsize at = 0, from = 0, first_nnz = 0, lead = layout->first_data == 0 ? 2 : 1, checked = 0;

  if (s == NULL)
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  for (gsize r = 0; r < st->n_ends; r++)
    {
      /* About every million numbers (or rows), a look at the cancellable. */
      if (from + r - checked >= ((gsize) 1 << 20))
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            return NULL;
          checked = from + r;
        }
      for (; from < st->ends[r]; from++)
        {
          gint col = column[st->cell_pos[from]];

          if (col >= 0 && is_listed (parser, st->cell_values[from]))
            {
              st->cell_pos[at] = (guint32) col;
              st->cell_values[at++] = st->cell_values[from];
            }
        }
      st->ends[r] = at;
    }
  first_nnz = nnz - at;
  /* Room for the file's first record's cells and the rows' first end
   * (ends' capacity is never short of this: a record's end is written
   * after room for it was made). */
  if ((nnz > st->cells_capacity || nnz < st->cells_capacity / 2) &&
      !resize_cells (parser, nnz, error))
    return NULL;
  if (st->n_ends + lead > st->ends_capacity && !resize_ends (parser, st->n_ends + lead, error))
    return NULL;
  if (first_nnz > 0)
    {
      guint c = 0;

      memmove (st->cell_pos + first_nnz, st->cell_pos, at * sizeof (guint32));
      memmove (st->cell_values + first_nnz, st->cell_values, at * sizeof (double));
      at = 0;
      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        if (layout->keep[j])
          {
            if (is_listed (parser, first[j]))
              {
                st->cell_pos[at] = c;
                st->cell_values[at++] = first[j];
              }
            c++;
          }
      g_assert (at == first_nnz);
    }
  memmove (st->ends + lead, st->ends, st->n_ends * sizeof (gsize));
  st->ends[0] = 0;
  if (lead == 2)
    st->ends[1] = 0;
  for (gsize r = 1; r < st->n_ends + lead; r++)
    st->ends[r] += first_nnz;
  g_assert (st->ends[st->n_ends + lead - 1] == nnz);

  g_free (s->row_ptr);
  g_free (s->col_idx);
  g_free (s->values);
  s->row_ptr = g_steal_pointer (&st->ends);
  s->col_idx = g_steal_pointer (&st->cell_pos);
  s->values = g_steal_pointer (&st->cell_values);
  s->nnz = nnz;
  s->zeros_are_values = parser->options->zeros_are_values;
  return fs_matrix_new_sparse (s);
}

/* The matrix of data (rows x cols values, which it takes), its missing
 * cells marked: looked for only when the file had some. */
static FsMatrix *
matrix_of_values (Parser  *parser,
                  gsize    rows,
                  gsize    cols,
                  double  *data,
                  GError **error)
{
  FsMatrix *X = fs_matrix_new_take (rows, cols, data, error);

  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  if (parser->st.n_missing > 0)
    fs_matrix_mark_missing (X);
  return X;
}
/* Compact, held dense after all: the rows made from the numbers, missing
 * cells NaN as the values hold them, the store's pages given back as it
 * is read, so that it and the matrix are not both held whole. */
static FsMatrix *
compact_to_dense (Parser       *parser,
                  const Layout *layout,
                  const gint   *column,
                  const double *first,
                  GError      **error)
{
  Store *st = &parser->st;
  gsize n_kept = layout->n_kept, at = 0, from = 0, told = 0;
  guintptr released_pos = 0, released_values = 0, released_ends = 0;
  double *data;

  if (!fs_matrix_check_size (layout->n_rows, n_kept, error))
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  data = alloc_values ((gsize) layout->n_rows * n_kept);
  if (data == NULL)
    {
      set_room_error (parser, (gsize) layout->n_rows * n_kept, error);
      return NULL;
    }
  if (first != NULL)
    for (guint j = layout->label_cols; j < layout->n_cols; j++)
      if (layout->keep[j])
        data[at++] = first[j];
  for (gsize r = 0, checked = 0; r < st->n_ends; r++)
    {
      double *row = data + at;

      /* About every million cells, a look at the cancellable. */
      if ((r - checked) * MAX (n_kept, 1) >= ((gsize) 1 << 20))
        {
          if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
            {
              g_free (data);
              return NULL;
            }
          checked = r;
        }
      for (gsize c = 0; c < n_kept; c++)
        row[c] = NAN;
      for (; from < st->ends[r]; from++)
        {
          gint col = column[st->cell_pos[from]];

          if (col >= 0)
            row[col] = st->cell_values[from];
        }
      at += n_kept;
      /* A MiB of the store read: its pages go back. */
      if ((from - told) * sizeof (double) >= ((gsize) 1 << 20))
        {
          fs_give_back_read (st->cell_pos, from * sizeof (guint32), &released_pos);
          fs_give_back_read (st->cell_values, from * sizeof (double), &released_values);
          fs_give_back_read (st->ends, r * sizeof (gsize), &released_ends);
          told = from;
        }
    }
  g_clear_pointer (&st->cell_pos, g_free);
  g_clear_pointer (&st->cell_values, g_free);
  g_clear_pointer (&st->ends, g_free);
  return matrix_of_values (parser, layout->n_rows, n_kept, data, error);
}

/* Compact: held sparse or dense as wants_sparse would say, from the
 * numbers (a cell that is not among them is not listed). */
static FsMatrix *
copy_compact_cells (Parser       *parser,
                    const Layout *layout,
                    GError      **error)
{
  Store *st = &parser->st;
  g_autofree gint *column = g_new (gint, MAX (parser->row_width, 1));
  const double *first = NULL;
  gsize nnz = 0;
  guint c = 0;

  g_assert (st->n_ends + 1 == st->n_records && layout->n_cols == parser->width);
  for (guint k = 0; k < parser->row_width; k++)
    column[k] = -1;
  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    if (layout->keep[j])
      {
        g_assert (place_of (parser, j) >= 0);
        column[place_of (parser, j)] = (gint) c++;
      }
  if (layout->first_data == 0)
    {
      const gint *map;

      first = row_values (parser, 0, &map);
      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        nnz += layout->keep[j] && is_listed (parser, first[j]);
    }
  for (gsize k = 0; k < st->n_cells; k++)
    nnz += column[st->cell_pos[k]] >= 0 && is_listed (parser, st->cell_values[k]);
  if (fs_storage_wants_sparse (parser->options->storage, nnz, layout->n_rows, layout->n_kept))
    return compact_to_sparse (parser, layout, column, first, nnz, error);
  return compact_to_dense (parser, layout, column, first, error);
}

/* The kept cells, held dense (the values themselves, compacted) or
 * sparse as wants_sparse says. */
static FsMatrix *
copy_cells (Parser       *parser,
            const Layout *layout,
            GError      **error)
{
  gsize nnz;

  if (parser->compact)
    return copy_compact_cells (parser, layout, error);
  if (wants_sparse (parser, layout, &nnz))
    return copy_sparse_values (parser, layout, nnz, error);
  if (!fs_matrix_check_size (layout->n_rows, layout->n_kept, error))
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  if (!compact_values (parser, layout, error))
    return NULL;
  release_dropped (parser->st.values, (gsize) layout->n_rows * layout->n_kept,
                   parser->st.n_values);
  return matrix_of_values (parser, layout->n_rows, layout->n_kept,
                           g_steal_pointer (&parser->st.values), error);
}

static FsMatrix *
build_matrix (Parser  *parser,
              GError **error)
{
  Layout layout = { 0 };
  g_autoptr(FsMatrix) X = NULL;
  gboolean ok;

  ok = read_layout (parser, &layout, error) &&
       !g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error) &&
       choose_columns (parser, &layout, error);
  /* A column's text cells are not asked for again (4 bytes a column, not
   * held beside the matrix as it is made), nor, once the cells are
   * copied, where they went (4 more, not held beside the labels). */
  g_clear_pointer (&parser->st.text_cells, g_free);
  parser->st.n_text_columns = 0;
  /* Row labels the sample of the file's start did not foresee. */
  if (ok && layout.labels && !parser->want_starts)
    ok = find_record_starts (parser, error);
  if (ok)
    X = copy_cells (parser, &layout, error);
  g_clear_pointer (&parser->pos, g_free);
  if (X != NULL)
    {
      X->format = parser->separator == ',' || parser->separator == ';' ? "csv"
                : parser->separator == '\t' ? "tsv" : "text";
      if (copy_labels (parser, &layout, X, error))
        {
          if (parser->numeric_notice != NULL)
            fs_matrix_add_notice (X, parser->numeric_notice);
          add_dropped_column_notices (parser, &layout, X);
          add_empty_rows_notice (parser, X);
          fill_report (parser, &layout);
          X->import_report = g_steal_pointer (&parser->report);
        }
      else
        g_clear_pointer (&X, fs_matrix_unref);
    }
  g_free (layout.dropped);
  g_free (layout.keep);
  return g_steal_pointer (&X);
}

/* A NUL byte means a binary file; a megabyte at a time, so that a
 * cancelled load of a large one ends soon. */
static gboolean
check_no_nul (const Parser  *parser,
              const char    *text,
              gsize          len,
              GCancellable  *cancellable,
              GError       **error)
{
  /* Its pages stay: the tokenizer reads them next, and gives them back
   * behind it. */
  for (gsize done = 0; done < len; done += (gsize) 1 << 20)
    {
      gsize part = MIN (len - done, (gsize) 1 << 20);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (memchr (text + done, '\0', part) != NULL)
        {
          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s: holds NUL bytes, so it is not a text file"), parser->name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Records in len bytes of text, from the guess of cells per byte and the
 * width, with a quarter more (a count of line ends in the file's first
 * 64 KiB is no guess for a file of long lines). */
static gsize
guess_records (const Parser *parser,
               gsize         len)
{
  return (gsize) (parser->cells_per_byte * (double) len * 1.25 / MAX (parser->width, 1)) + 1;
}

/* Values for len bytes of text, from the guess of cells (or, once the
 * width is known, of records) per byte, with a quarter more: room never
 * touched costs no memory. */
static gsize
guess_cells (const Parser *parser,
             gsize         len)
{
  if (parser->width > 0)
    return guess_records (parser, len) * parser->row_width + parser->width + 1024;
  return (gsize) (parser->cells_per_byte * (double) len * 1.25) + 1024;
}

/* Room for the starts of the records of len bytes of text, guessed so. */
static gboolean
reserve_starts (Parser  *parser,
                gsize    len,
                GError **error)
{
  Store *st = &parser->st;
  gsize count = guess_records (parser, len) + 1024;

  if (!parser->want_starts || parser->max_records > 0)
    return TRUE;
  st->starts = count < G_MAXSIZE / sizeof (guint64) / 2
                 ? g_try_malloc_n (count, parser->start_size) : NULL;
  if (st->starts == NULL)
    return grow_starts (parser, error);
  st->starts_capacity = count;
  return TRUE;
}

/* Sets up the separator, the stops, and the guess of cells per byte from
 * the file's first 64 KiB (separators and line ends counted). */
static void
prepare_parser (Parser       *parser,
                GCancellable *cancellable)
{
  gsize sample = MIN (parser->len, (gsize) 64 << 10), ends = 1;

  parser->separator = detect_separator (parser->text, parser->len, cancellable);
  parser->decimal_comma = parser->separator == ';';
  parser->stops[(guint8) parser->separator] = 1;
  parser->stops['\n'] = 1;
  parser->stops['\r'] = 1;
  if (parser->separator == WHITESPACE_SEPARATOR)
    parser->stops['\t'] = 1;
  for (gsize k = 0; k < sample; k++)
    ends += parser->stops[(guint8) parser->text[k]];
  parser->cells_per_byte = (double) ends / (double) MAX (sample, 1);
  parser->start_size = parser->len <= G_MAXUINT32 ? sizeof (guint32) : sizeof (guint64);
}

/* The first LF or CR at p or after it, before end, or NULL. */
static const char *
line_end (const char *p,
          const char *end)
{
  for (; p < end; p++)
    if (*p == '\n' || *p == '\r')
      return p;
  return NULL;
}

/* Whether the first column may turn out to be row labels, as far as the
 * sample (the file's first records, read as the whole read reads them)
 * tells: by the options; by the header, which the file's first two
 * records decide (R's empty corner cell, write.table's header one field
 * short); by text or quotes in it; or, under a header, by numbers that
 * may be ids or times (README "Row labels": whole numbers all different,
 * or numbers that increase, which a repeat or a fall among the sample's
 * rows, the file's first, already rules out; first_column_is_index's
 * rows are both). Else only text in it past the sample can make it
 * labels, and the starts of the records are found then by reading the
 * text again (find_record_starts): a tall file of numbers keeps no 4
 * bytes a row for labels it does not have. A wrong "cannot" here would
 * cost that second reading, never a wrong label. */
static gboolean
sample_may_have_labels (Parser *sample)
{
  const Store *st = &sample->st;
  const FsImportOptions *options = sample->options;
  Layout ids = { 0 };
  double lo, hi;
  gboolean header;

  if (options->row_labels == FS_ROW_LABELS_FIRST || st->mismatch_line != 0 ||
      text_cells_of (st, 0) > 0 || !st->col0_unquoted)
    return TRUE;
  /* As choose_header decides. */
  header = is_sure_header (sample, record_has_text (sample, 0)) ||
           (options->header == FS_HEADER_AUTO && is_quoted_header (sample));
  if (!header)
    return field_at (sample, 0, 0).kind == CELL_TEXT;
  if (field_at (sample, 0, 0).len == 0 || record_at (sample, 0)->n_fields + 1 == sample->width)
    return TRUE;
  ids.header = TRUE;
  ids.first_data = 1;
  ids.n_rows = (guint) (st->n_records - 1);
  ids.n_cols = sample->width;
  if (ids.n_rows < MIN_INCREASING_ROWS)
    return TRUE;
  return (first_column_is_whole (sample, &ids, &lo, &hi) &&
          first_column_is_distinct (sample, &ids, lo, hi)) ||
         first_column_increases (sample, &ids);
}

/* The sample read to learn the width: at least this much of the file's
 * start, up to a line end, and at most SAMPLE_MAX_BYTES. */
#define SAMPLE_MIN_BYTES ((gsize) 64 << 10)
#define SAMPLE_MAX_BYTES ((gsize) 16 << 20)

/* The share of numbers among the sample's cells of kept columns below
 * which the records after the first keep their numbers only (compact):
 * left automatic, twice the share below which a table is held sparse (a
 * file whose start is so sparse is most likely held sparse, and if not,
 * its numbers take less room than its values would); forced sparse, the
 * share at which 12 bytes a number take the room of 8 a cell. Never for
 * a table held dense whatever it holds. */
#define COMPACT_AUTO_SHARE (2 * FS_SPARSE_AUTO_SHARE)
#define COMPACT_FORCED_SHARE (2.0 / 3.0)

/* Whether the records after the file's first keep their numbers only:
 * as the sample (its records after the first, of sample->width values
 * each) shows them in the columns that keep their values. */
static void
choose_compact (Parser       *parser,
                const Parser *sample)
{
  const Store *st = &sample->st;
  const Record *first = &g_array_index (st->records, Record, 0);
  gsize at = first->held ? first->n_fields : 0;
  guint64 kept = 0, numbers = 0;
  FsStorage storage = parser->options->storage;

  parser->compact = FALSE;
  if (storage == FS_STORAGE_DENSE || sample->row_width == 0)
    return;
  /* The sample's rows keep the columns its second record found no text
   * in (second_record_sets_width): those the file keeps among them. */
  for (; at + sample->row_width <= st->n_values; at += sample->row_width)
    for (guint j = 0; j < parser->width; j++)
      if (place_of (parser, j) >= 0 && place_of (sample, j) >= 0)
        {
          kept++;
          numbers += !isnan (st->values[at + (guint) place_of (sample, j)]);
        }
  if (kept == 0)
    return;
  parser->number_share = (double) numbers / (double) kept;
  parser->compact = parser->number_share < (storage == FS_STORAGE_SPARSE ? COMPACT_FORCED_SHARE
                                                                         : COMPACT_AUTO_SHARE);
}

/* Reads the file's start, up to a line end past SAMPLE_MIN_BYTES and past
 * the file's third line, to learn the width of the records after the
 * first and which columns hold text there (their values are never kept:
 * a column with text in it is never data). The same rules as the whole
 * read, so the same records; a sample that cannot tell (an error, a
 * quoted field across its end, fewer than two records) leaves the width
 * to be learnt from the second record, and the file read serially. */
static void
sample_width (Parser       *parser,
              GCancellable *cancellable)
{
  Parser sample = *parser;
  FsLoadTicker ticker;
  const char *end = parser->text + parser->len;
  const char *cut = parser->text + MIN (parser->len, SAMPLE_MIN_BYTES);
  const char *q = parser->text;
  guint found = 0;
  Cursor c;
  gboolean ok = TRUE;

  /* Past the file's third line end, then to a line end: LF, or CR (a
   * file of CR line ends has no LF; a CRLF cut between its two bytes
   * ends the sample's last line all the same). */
  while (found < 3 && q < end && (q = line_end (q, end)) != NULL)
    {
      /* A CRLF is one line end. */
      if (*q == '\r' && q + 1 < end && q[1] == '\n')
        q++;
      q++;
      found++;
    }
  if (found < 3)
    cut = end;
  else if (q > cut)
    cut = q;
  if (cut < end && cut[-1] != '\n' && cut[-1] != '\r')
    {
      const char *eol = line_end (cut, end);

      if (eol != NULL && *eol == '\r' && eol + 1 < end && eol[1] == '\n')
        eol++;
      cut = eol != NULL ? eol + 1 : end;
    }
  if ((gsize) (cut - parser->text) > SAMPLE_MAX_BYTES)
    return;

  /* Cancelled, it tells nothing (and the load stops at its next look). */
  fs_load_ticker_init (&ticker, cancellable, NULL, NULL, parser->len);
  sample.ticker = &ticker;
  sample.len = (gsize) (cut - parser->text);
  sample.max_records = 0;
  sample.want_starts = FALSE;
  sample.report = NULL;
  store_init (&sample.st);
  c = (Cursor) { sample.text, cut, sample.text, 1 };
  while (ok && c.p < c.end)
    ok = skip_empty_line (&c) || read_record (&sample, &c, NULL);
  if (ok && sample.st.n_records >= 2)
    {
      set_width (parser, sample.width, &sample.st);
      choose_compact (parser, &sample);
      parser->want_starts = parser->want_starts && sample_may_have_labels (&sample);
    }
  g_free (sample.pos);
  store_clear (&sample.st);
}

/* Room for the values (or, compact, the numbers) of len bytes of text. */
static gboolean
reserve_room (Parser  *parser,
              gsize    len,
              GError **error)
{
  /* Compact: the record being read as a row, the values of the file's
   * first record, and numbers for the sample's share of cells. */
  if (parser->compact)
    {
      parser->st.row = g_try_new (double, MAX (parser->row_width, 1));
      if (parser->st.row == NULL)
        {
          set_room_error (parser, parser->row_width, error);
          return FALSE;
        }
      return grow_values (parser, parser->width + 1024, error) &&
             resize_cells (parser,
                           (gsize) (parser->number_share * (double) guess_cells (parser, len)) +
                             1024, error) &&
             resize_ends (parser, guess_records (parser, len) + 1024, error) &&
             reserve_starts (parser, len, error);
    }
  /* A preview's few records need no room for the whole file's. */
  return grow_values (parser, parser->max_records > 0 ? 1024 : guess_cells (parser, len), error) &&
         reserve_starts (parser, len, error);
}

/* A store with room for the values of len bytes of text. */
static gboolean
store_reserve (Parser  *parser,
               gsize    len,
               GError **error)
{
  store_init (&parser->st);
  return reserve_room (parser, len, error);
}

/* Threads and chunks for a large file. */

/* Below this, threads do not pay for themselves (measured: README
 * "Loading"). */
#define PARALLEL_MIN_BYTES ((gsize) 2 << 20)
/* A chunk's values are copied into the first chunk's once all are read:
 * chunks of 8 MiB of text keep that copy's extra memory small. */
#define CHUNK_BYTES ((gsize) 8 << 20)
#define MAX_CHUNKS 1024u

typedef struct
{
  const char *start;
  const char *end;        /* where the next chunk starts */
  Parser      parser;     /* with a store of its own */
  const char *stopped;    /* where its parse ended */
  gsize       lines;      /* line ends it stepped over */
  gboolean    nul;        /* it holds a NUL byte */
  gboolean    failed;     /* its parse ended early (error or cancel) */
} Chunk;

typedef struct
{
  Chunk  *chunks;
  guint   n_chunks;
  gint    next;           /* the next chunk to take (atomic) */
  gint    stop;           /* cancelled (atomic) */
  gssize  done;           /* bytes read (atomic) */
  guint   running;
  GMutex  mutex;
  GCond   cond;
} Shared;

/* A worker looks for a cancel this often: a fraction of a millisecond. */
#define CHECK_BYTES ((gssize) 64 << 10)

static gboolean
parse_chunk (Shared  *shared,
             Chunk   *chunk,
             GError **error)
{
  Parser *parser = &chunk->parser;
  Cursor c = { chunk->start, parser->text + parser->len, chunk->start, 1 };
  gsize len = parser->first_chunk ? parser->len : (gsize) (chunk->end - chunk->start);
  guintptr released = 0;

  /* The first chunk's room is the file's (its values become the
   * matrix); another's, its own text's. */
  if (!parser->first_chunk)
    {
      parser->room_end = chunk->end;
      /* A chunk knows nothing of the cells before it, which a serial read
       * counts too: a dense part at its start turns it to rows only past
       * a quarter of its text (a sparse file's chunk of rows was up to 8
       * bytes a cell of 8 MiB of text, on every thread). Bytes, not cells
       * guessed from the file's start, whose empty cells may be a ninth of
       * the size of its later numbers. */
      parser->dense_from = chunk->start + len / 4;
    }

  /* The first chunk's values become the matrix: room for the file's.
   * (Its store's arrays exist already: see tokenize_split.) */
  if (!reserve_room (parser, len, error))
    return FALSE;
  while (c.p < chunk->end)
    {
      const char *from = c.p;
      const char *stop = chunk->end - c.p > CHECK_BYTES ? c.p + CHECK_BYTES : chunk->end;

      /* The workers watch the cancellable themselves: no wait for the
       * calling thread to wake and tell them. */
      if (g_atomic_int_get (&shared->stop) ||
          g_cancellable_is_cancelled (parser->ticker->cancellable))
        {
          g_atomic_int_set (&shared->stop, 1);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
          return FALSE;
        }
      while (c.p < stop)
        if (!skip_empty_line (&c) && !read_record (parser, &c, error))
          return FALSE;
      /* A NUL byte in what was read (records run past stop): the same
       * error as check_no_nul's, which the serial path gives before any
       * other (a chunk whose parse fails first has the file read again
       * serially, after check_no_nul). Looked for as the text is read,
       * the chunk's text is not all brought in first. */
      if (memchr (from, '\0', (gsize) (c.p - from)) != NULL)
        {
          chunk->nul = TRUE;
          return FALSE;
        }
      g_atomic_pointer_add (&shared->done, c.p - from);
      release_text (parser, chunk->start, c.p, &released);
    }
  chunk->stopped = c.p;
  chunk->lines = c.line - 1;
  /* The huge page its last values are in is held whole, up to 2 MiB more
   * than it uses (17 chunks of a 140 MB file: 34 MB) until the join
   * copies it: the pages past its values go back now. */
  if (!parser->first_chunk)
    release_dropped (parser->st.values, parser->st.n_values, parser->st.capacity);
  return TRUE;
}

static gpointer
chunk_worker (gpointer data)
{
  Shared *shared = data;

  for (;;)
    {
      gint k = g_atomic_int_add (&shared->next, 1);

      if (k >= (gint) shared->n_chunks || g_atomic_int_get (&shared->stop))
        break;
      /* No GError in a worker (GLib 2.74 takes them from its slice
       * allocator too): a chunk that fails is read again serially, which
       * gives the error, and a cancel is told by the calling thread. */
      if (!parse_chunk (shared, &shared->chunks[k], NULL))
        shared->chunks[k].failed = TRUE;
    }
  g_mutex_lock (&shared->mutex);
  shared->running--;
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->mutex);
  return NULL;
}

/* Chunk k's records and values after the first chunk's, its lines
 * counted on from the lines before it; its values freed once copied (a
 * chunk holds none of the file's first two records). */
static gboolean
join_chunk (Parser  *parser,
            Chunk   *chunk,
            gsize    line_offset,
            GError **error)
{
  Store *st = &parser->st, *from = &chunk->parser.st;
  guintptr released_pos = 0, released_values = 0, released_ends = 0;

  g_assert (from->records->len == 0);
  if (st->mismatch_line == 0 && from->mismatch_line != 0)
    {
      st->mismatch_line = from->mismatch_line + line_offset;
      st->mismatch_fields = from->mismatch_fields;
    }
  if (st->n_cells + from->n_cells > st->cells_capacity &&
      !grow_cells (parser, st->n_cells + from->n_cells, error))
    return FALSE;
  if (st->n_ends + from->n_ends > st->ends_capacity &&
      !resize_ends (parser, st->n_ends + from->n_ends, error))
    return FALSE;
  /* Moved a MiB at a time, each copied MiB's pages given back: a
   * chunk's numbers and ends are not held twice. */
  for (gsize at = 0; at < from->n_cells; )
    {
      gsize m = MIN (((gsize) 1 << 20) / sizeof (double), from->n_cells - at);

      memcpy (st->cell_pos + st->n_cells + at, from->cell_pos + at, m * sizeof (guint32));
      memcpy (st->cell_values + st->n_cells + at, from->cell_values + at, m * sizeof (double));
      at += m;
      fs_give_back_read (from->cell_pos, at * sizeof (guint32), &released_pos);
      fs_give_back_read (from->cell_values, at * sizeof (double), &released_values);
    }
  for (gsize k = 0; k < from->n_ends; k++)
    {
      st->ends[st->n_ends + k] = from->ends[k] + st->n_cells;
      if (k % 131072 == 131071)
        fs_give_back_read (from->ends, (k + 1) * sizeof (gsize), &released_ends);
    }
  st->n_cells += from->n_cells;
  st->n_ends += from->n_ends;
  g_clear_pointer (&from->cell_pos, g_free);
  g_clear_pointer (&from->cell_values, g_free);
  g_clear_pointer (&from->ends, g_free);
  if (st->n_values + from->n_values > st->capacity &&
      !grow_values (parser, st->n_values + from->n_values, error))
    return FALSE;
  if (from->n_values > 0)
    move_values (st->values + st->n_values, from->values, from->n_values);
  st->n_values += from->n_values;
  g_clear_pointer (&from->values, g_free);
  if (from->n_starts > 0)
    {
      while (st->n_starts + from->n_starts > st->starts_capacity)
        if (!grow_starts (parser, error))
          return FALSE;
      memcpy (st->starts + st->n_starts * parser->start_size, from->starts,
              from->n_starts * parser->start_size);
      st->n_starts += from->n_starts;
    }
  g_clear_pointer (&from->starts, g_free);
  if (from->n_text_columns > st->n_text_columns)
    store_grow_columns (st, from->n_text_columns);
  for (gsize j = 0; j < from->n_text_columns; j++)
    st->text_cells[j] += from->text_cells[j];
  g_clear_pointer (&from->text_cells, g_free);
  from->n_text_columns = 0;
  st->col0_unquoted |= from->col0_unquoted;
  st->col1_plain |= from->col1_plain;
  st->n_records += from->n_records;
  st->n_empty_records += from->n_empty_records;
  st->n_missing += from->n_missing;
  return TRUE;
}

typedef enum
{
  SPLIT_DONE,
  SPLIT_FAILED,   /* an error to give (cancelled, NUL bytes, memory) */
  SPLIT_SERIAL,   /* a quoted field across a cut, or an error: read serially */
} SplitResult;

/* Reads the text in n_chunks chunks cut at line ends, on up to n_threads
 * threads, into parser's store, as the serial tokenizer would. */
static SplitResult
tokenize_split (Parser  *parser,
                guint    n_chunks,
                guint    n_threads,
                GError **error)
{
  g_autofree Chunk *chunks = g_new0 (Chunk, n_chunks);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  Shared shared = { 0 };
  const char *text = parser->text, *end = text + parser->len;
  SplitResult result = SPLIT_DONE;
  guint n = 0;
  gsize lines = 0;

  for (guint k = 0; k < n_chunks; k++)
    {
      const char *start = n == 0 ? text : chunks[n - 1].end;
      const char *cut = k + 1 == n_chunks ? end : text + parser->len / n_chunks * (k + 1);

      if (cut < start)
        cut = start;
      if (cut < end && (cut == text || cut[-1] != '\n'))
        {
          const char *eol = memchr (cut, '\n', (gsize) (end - cut));

          cut = eol != NULL ? eol + 1 : end;
        }
      if (cut == start)
        continue;
      chunks[n].start = start;
      chunks[n].end = cut;
      chunks[n].parser = *parser;
      chunks[n].parser.first_chunk = n == 0;
      /* Its arrays made here, before the threads: GLib 2.74 allocates
       * array headers from its slice allocator, whose hand-overs between
       * threads ThreadSanitizer cannot see. */
      store_init (&chunks[n].parser.st);
      n++;
    }

  shared.chunks = chunks;
  shared.n_chunks = n;
  n_threads = MIN (n_threads, n);
  shared.running = n_threads;
  g_mutex_init (&shared.mutex);
  g_cond_init (&shared.cond);
  for (guint t = 0; t < n_threads; t++)
    {
      /* A process short of threads (pids.max, RLIMIT_NPROC) reads with
       * those it got, or serially with none. */
      GThread *thread = g_thread_try_new ("fs-delimited", chunk_worker, &shared, NULL);

      if (thread == NULL)
        {
          g_mutex_lock (&shared.mutex);
          shared.running -= n_threads - t;
          g_mutex_unlock (&shared.mutex);
          if (t == 0)
            {
              g_atomic_int_set (&shared.stop, 1);
              result = SPLIT_SERIAL;
            }
          break;
        }
      g_ptr_array_add (threads, thread);
    }

  /* This thread tells progress and watches the cancellable. */
  g_mutex_lock (&shared.mutex);
  while (shared.running > 0)
    {
      g_cond_wait_until (&shared.cond, &shared.mutex,
                         g_get_monotonic_time () + 5 * G_TIME_SPAN_MILLISECOND);
      if (shared.running > 0 && !g_atomic_int_get (&shared.stop) &&
          !fs_load_ticker_tick (parser->ticker, (gsize) g_atomic_pointer_get (&shared.done),
                                error))
        {
          g_atomic_int_set (&shared.stop, 1);
          result = SPLIT_FAILED;
        }
    }
  g_mutex_unlock (&shared.mutex);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (threads->pdata[t]);
  if (result == SPLIT_DONE && g_atomic_int_get (&shared.stop) &&
      g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
    result = SPLIT_FAILED;
  g_mutex_clear (&shared.mutex);
  g_cond_clear (&shared.cond);

  for (guint k = 0; k < n && result == SPLIT_DONE; k++)
    if (chunks[k].nul)
      {
        g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                     _("%s: holds NUL bytes, so it is not a text file"), parser->name);
        result = SPLIT_FAILED;
      }
  for (guint k = 0; k < n && result == SPLIT_DONE; k++)
    if (chunks[k].failed || chunks[k].stopped != chunks[k].end)
      result = SPLIT_SERIAL;
  /* The file's first two records must be the first chunk's (they are kept
   * whole). */
  if (result == SPLIT_DONE && chunks[0].parser.st.n_records < 2)
    result = SPLIT_SERIAL;
  /* Compact: a chunk that found itself too dense reads rows (its own
   * numbers' share passed COMPACT_DENSE_SHARE). Then the file's share
   * decides for all (in their turn, each store given back as it is
   * read): rows when it passed it too, else numbers only again (a serial
   * read whose running share passed it keeps rows: the matrix is the
   * same either way, only the memory on the way differs). */
  if (result == SPLIT_DONE && parser->compact)
    {
      gboolean all = TRUE;
      double numbers = 0.0, cells = 0.0;

      for (guint k = 0; k < n; k++)
        {
          Parser *chunk = &chunks[k].parser;

          all &= chunk->compact;
          if (chunk->compact)
            {
              numbers += (double) chunk->st.n_cells;
              cells += (double) chunk->st.n_ends * chunk->row_width;
            }
          else
            {
              numbers += (double) count_row_numbers (chunk);
              cells += (double) (chunk->st.n_values - rows_head (chunk));
            }
        }
      if (!all && numbers > COMPACT_DENSE_SHARE * cells)
        {
          for (guint k = 0; k < n && result == SPLIT_DONE; k++)
            if (chunks[k].parser.compact && !compact_to_rows (&chunks[k].parser, NULL, error))
              result = SPLIT_FAILED;
          parser->compact = FALSE;
        }
      else
        for (guint k = 0; k < n && result == SPLIT_DONE; k++)
          if (!chunks[k].parser.compact && !rows_to_compact (&chunks[k].parser, error))
            result = SPLIT_FAILED;
    }

  if (result == SPLIT_DONE)
    {
      gsize total = 0, cells = 0, ends = 0;

      parser->st = chunks[0].parser.st;
      memset (&chunks[0].parser.st, 0, sizeof (Store));
      /* Room for every chunk's values, made once, before the joins: the
       * values are moved, never held twice (move_values). */
      for (guint k = 0; k < n; k++)
        {
          total += k == 0 ? parser->st.n_values : chunks[k].parser.st.n_values;
          cells += k == 0 ? parser->st.n_cells : chunks[k].parser.st.n_cells;
          ends += k == 0 ? parser->st.n_ends : chunks[k].parser.st.n_ends;
        }
      if (total > parser->st.capacity && !resize_values (parser, total, error))
        result = SPLIT_FAILED;
      /* Compact: the numbers grow in place (realloc), each chunk's freed
       * once copied. */
      if (result == SPLIT_DONE && cells > parser->st.cells_capacity &&
          !resize_cells (parser, cells, error))
        result = SPLIT_FAILED;
      if (result == SPLIT_DONE && ends > parser->st.ends_capacity &&
          !resize_ends (parser, ends, error))
        result = SPLIT_FAILED;
      lines = chunks[0].lines;
      for (guint k = 1; k < n && result == SPLIT_DONE; k++)
        {
          if (!join_chunk (parser, &chunks[k], lines, error))
            result = SPLIT_FAILED;
          lines += chunks[k].lines;
        }
      parser->consumed = parser->len;
      if (result == SPLIT_DONE)
        g_atomic_int_inc (&joined_reads);
    }
  for (guint k = 0; k < n; k++)
    {
      store_clear (&chunks[k].parser.st);
    }
  if (result != SPLIT_DONE)
    store_clear (&parser->st);
  return result;
}

/* n_chunks: 0 to choose (threads for a large file), 1 to read serially. */
static FsMatrix *
parse_delimited (const char             *name,
                 const char             *text,
                 gsize                   len,
                 const FsImportOptions  *options,
                 GCancellable           *cancellable,
                 FsLoadProgressFunc      progress,
                 gpointer                progress_data,
                 guint                   max_records,
                 guint                   n_chunks,
                 gboolean                mapped,
                 GError                **error)
{
  FsImportOptions defaults;
  FsLoadTicker ticker;
  Parser parser = { name, text, len };
  guint n_threads = g_get_num_processors ();
  gboolean ok = FALSE;
  FsMatrix *X = NULL;

  g_return_val_if_fail (name != NULL && (text != NULL || len == 0), NULL);

  fs_import_options_init (&defaults);
  parser.options = options != NULL ? options : &defaults;
  parser.max_records = max_records;
  parser.first_chunk = TRUE;
  parser.text_mapped = mapped && len >= FS_GIVE_BACK_MIN_BYTES;
  if (n_chunks == 0)
    n_chunks = max_records > 0 || n_threads < 2 || len < PARALLEL_MIN_BYTES
                 ? 1 : CLAMP (len / CHUNK_BYTES, n_threads, MAX_CHUNKS);
  else
    n_threads = MAX (n_threads, 2);
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      parser.text = text + 3;
      parser.len = len - 3;
    }
  prepare_parser (&parser, cancellable);
  parser.c_locale = newlocale (LC_ALL_MASK, "C", (locale_t) 0);
  g_assert (parser.c_locale != (locale_t) 0);
  /* A preview's few records are read serially, their width learnt from
   * the second: a sample of the file's start reaches records the preview
   * does not read, whose text would leave out a column that is data in
   * the preview's. */
  if (max_records == 0)
    sample_width (&parser, cancellable);
  /* Chunks need the width, which the file's start may not tell. */
  if (parser.width == 0)
    n_chunks = 1;
  /* A preview reads a part of the file: only that part must be text.
   * Chunks look for NUL bytes in their own parts. */
  if (max_records == 0 && n_chunks == 1 && !check_no_nul (&parser, text, len, cancellable, error))
    {
      freelocale (parser.c_locale);
      g_free (parser.pos);
      return NULL;
    }

  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, parser.len);
  parser.ticker = &ticker;
  parser.report = fs_import_report_new ();

  if (n_chunks > 1)
    switch (tokenize_split (&parser, n_chunks, n_threads, error))
      {
      case SPLIT_DONE:
        ok = TRUE;
        break;
      case SPLIT_FAILED:
        break;
      case SPLIT_SERIAL:
      default:
        /* Progress goes on from where it was told. Chunks look for NUL
         * bytes in what they read only: one that failed first did not
         * see its own (nor did chunks no thread read). */
        n_chunks = 1;
        ticker.next = 0;
        if (!check_no_nul (&parser, text, len, cancellable, error))
          n_chunks = 0;
        break;
      }
  if (n_chunks == 1)
    ok = store_reserve (&parser, parser.len, error) && tokenize (&parser, error) &&
         (max_records == 0 || check_no_nul (&parser, parser.text, parser.consumed, NULL, error));
  if (ok)
    X = build_matrix (&parser, error);
  freelocale (parser.c_locale);
  store_clear (&parser.st);
  g_free (parser.pos);
  g_free (parser.numeric_notice);
  fs_import_report_free (parser.report);
  return X;
}

FsMatrix *
fs_delimited_parse_full (const char             *name,
                         const char             *text,
                         gsize                   len,
                         const FsImportOptions  *options,
                         GCancellable           *cancellable,
                         FsLoadProgressFunc      progress,
                         gpointer                progress_data,
                         guint                   max_records,
                         GError                **error)
{
  return parse_delimited (name, text, len, options, cancellable, progress, progress_data,
                          max_records, 0, FALSE, error);
}

FsMatrix *
fs_delimited_parse_split (const char             *name,
                          const char             *text,
                          gsize                   len,
                          const FsImportOptions  *options,
                          GCancellable           *cancellable,
                          FsLoadProgressFunc      progress,
                          gpointer                progress_data,
                          guint                   n_chunks,
                          GError                **error)
{
  g_return_val_if_fail (n_chunks >= 1, NULL);

  return parse_delimited (name, text, len, options, cancellable, progress, progress_data, 0,
                          n_chunks, FALSE, error);
}

FsMatrix *
fs_delimited_parse_mapped (const char             *name,
                           const char             *text,
                           gsize                   len,
                           const FsImportOptions  *options,
                           GCancellable           *cancellable,
                           FsLoadProgressFunc      progress,
                           gpointer                progress_data,
                           guint                   n_chunks,
                           GError                **error)
{
  return parse_delimited (name, text, len, options, cancellable, progress, progress_data, 0,
                          n_chunks, TRUE, error);
}

FsMatrix *
fs_delimited_parse (const char  *name,
                    const char  *text,
                    gsize        len,
                    GError     **error)
{
  return fs_delimited_parse_full (name, text, len, NULL, NULL, NULL, NULL, 0, error);
}
