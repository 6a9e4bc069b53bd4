/* fs-delimited.c: CSV, TSV and whitespace-separated text.
 *
 * The text is cut into records and fields once (quotes, doubled quotes,
 * LF, CRLF and CR line ends, comments), each cell is classified once as a
 * number, a missing cell or text, and the layout is read from those
 * classes: a header row, a row-label column in the forms R, pandas and
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

#include "fs-delimited.h"
#include "fs-error.h"

/* Lines looked at to choose the separator. */
#define SNIFF_LINES 40
#define WHITESPACE_SEPARATOR ' '

typedef enum
{
  CELL_NUMBER,
  CELL_MISSING,
  CELL_TEXT,
} CellKind;

typedef struct
{
  const char *start;
  guint32     len;
  guint32     column;   /* 1-based character column of the field's start */
  guint8      quoted;
  guint8      kind;
  double      value;
} Field;

typedef struct
{
  gsize first;
  guint n_fields;
  gsize line;
} Record;

typedef struct
{
  const char *name;
  const char *text;
  gsize       len;
  char        separator;
  gboolean    decimal_comma;
  Field      *fields;
  gsize       n_fields;
  gsize       capacity;
  guint8      stops[256]; /* bytes that end an unquoted field */
  GArray     *records;
  locale_t    c_locale;   /* for strtod_l: the parse's own, not a global */
  gsize       n_empty_records;  /* rows of empty fields, left out */
  const FsImportOptions *options;  /* never NULL */
  FsLoadTicker *ticker;
  guint       max_records;      /* 0: all of them */
  gsize       consumed;         /* bytes tokenized */
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
 * semicolon, then comma, then runs of blanks. */
static char
detect_separator (const char *text,
                  gsize       len)
{
  const char candidates[] = { '\t', ';', ',', WHITESPACE_SEPARATOR };
  const char *end = text + len;

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
set_position_error (Parser     *parser,
                    GError    **error,
                    gsize       line,
                    gsize       column,
                    const char *message)
{
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "%s:%" G_GSIZE_FORMAT ":%" G_GSIZE_FORMAT ": %s",
               parser->name, line, column, message);
}

static const double exact_powers_of_ten[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* Clinger's fast path: a decimal with at most 15 significant digits and a
 * power of ten within ±22 is one exact integer times (or over) one exact
 * power, so a single IEEE operation gives the correctly rounded value, the
 * same bits strtod gives. Returns FALSE for anything else. */
static gboolean
parse_simple_number (const char *s,
                     gsize       len,
                     char        point,
                     double     *out)
{
  const char *p = s, *end = s + len;
  gboolean negative = FALSE, any = FALSE;
  guint64 mantissa = 0;
  int digits = 0, exponent = 0;
  double v;

  if (p < end && (*p == '-' || *p == '+'))
    negative = *p++ == '-';

  for (; p < end && g_ascii_isdigit (*p); p++, any = TRUE)
    {
      if ((mantissa != 0 || *p != '0') && ++digits > 15)
        return FALSE;
      mantissa = mantissa * 10 + (guint64) (*p - '0');
    }
  if (p < end && *p == point)
    for (p++; p < end && g_ascii_isdigit (*p); p++, any = TRUE)
      {
        if ((mantissa != 0 || *p != '0') && ++digits > 15)
          return FALSE;
        mantissa = mantissa * 10 + (guint64) (*p - '0');
        exponent--;
      }
  if (!any)
    return FALSE;

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean negative_exponent = FALSE;
      int e = 0;

      p++;
      if (p < end && (*p == '-' || *p == '+'))
        negative_exponent = *p++ == '-';
      if (p == end || !g_ascii_isdigit (*p))
        return FALSE;
      for (; p < end && g_ascii_isdigit (*p); p++)
        if ((e = e * 10 + (*p - '0')) > 400)
          return FALSE;
      exponent += negative_exponent ? -e : e;
    }

  if (p != end || exponent < -22 || exponent > 22)
    return FALSE;

  v = (double) mantissa;
  v = exponent < 0 ? v / exact_powers_of_ten[-exponent] : v * exact_powers_of_ten[exponent];
  *out = negative ? -v : v;
  return TRUE;
}


/* Classifies one field; numbers out of range and infinities are errors. */
static gboolean
classify (Parser  *parser,
          Field   *f,
          gsize    line,
          GError **error)
{
  char small[64];
  g_autofree char *large = NULL;
  char *buf;
  char *stop = NULL;
  double value;

  if (parse_simple_number (f->start, f->len, parser->decimal_comma ? ',' : '.', &f->value))
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
read_quoted_field (Parser  *parser,
                   Cursor  *c,
                   Field   *f,
                   GError **error)
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
read_plain_field (Parser *parser,
                  Cursor *c,
                  Field  *f)
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

static gboolean
append_field (Parser      *parser,
              const Field *f,
              GError     **error)
{
  if (parser->n_fields == parser->capacity)
    {
      Field *grown = g_try_renew (Field, parser->fields, parser->capacity * 2);

      if (grown == NULL)
        {
          g_autofree char *cells = fs_error_number_text (parser->capacity);

          g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                       _("%s: not enough memory for more than %s cells"), parser->name, cells);
          return FALSE;
        }
      parser->fields = grown;
      parser->capacity *= 2;
    }
  parser->fields[parser->n_fields++] = *f;
  return TRUE;
}

/* Reads the fields of the record at the cursor, up to the end of its
 * (last) line, and keeps the record unless all its fields are empty. */
static gboolean
read_record (Parser  *parser,
             Cursor  *c,
             GError **error)
{
  Record rec = { parser->n_fields, 0, c->line };
  gboolean whitespace = parser->separator == WHITESPACE_SEPARATOR;
  gboolean any_value = FALSE;

  for (;;)
    {
      Field f = { 0 };

      while (c->p < c->end && is_padding (parser, *c->p))
        c->p++;

      f.column = (guint32) (c->p - c->line_start) + 1;
      if (c->p < c->end && *c->p == '"')
        {
          if (!read_quoted_field (parser, c, &f, error))
            return FALSE;
        }
      else
        read_plain_field (parser, c, &f);

      if (!classify (parser, &f, c->line, error))
        return FALSE;
      any_value |= f.len > 0 || f.quoted;
      if (!append_field (parser, &f, error))
        return FALSE;
      rec.n_fields++;

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

  /* A record of empty fields (",,,") holds no value: skip it, and say so. */
  if (any_value)
    g_array_append_val (parser->records, rec);
  else
    {
      parser->n_fields = rec.first;
      parser->n_empty_records++;
    }
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

  while (c.p < c.end)
    {
      /* The inner loop is the one before there were ticks: the same code
       * over the records up to the next tick (a preview's, one record). */
      const char *stop = parser->max_records > 0 ? c.p + 1
                       : parser->text + MIN (parser->ticker->next, parser->len);

      if (parser->max_records > 0 && parser->records->len >= parser->max_records)
        break;
      if (fs_load_ticker_due (parser->ticker, (gsize) (c.p - parser->text)))
        {
          if (!fs_load_ticker_tick (parser->ticker, (gsize) (c.p - parser->text), error))
            return FALSE;
          continue;
        }
      while (c.p < stop)
        if (!skip_empty_line (&c) && !read_record (parser, &c, error))
          return FALSE;
    }
  parser->consumed = (gsize) (c.p - parser->text);
  return TRUE;
}

static Field *
field_at (Parser *parser,
          guint   record,
          guint   index)
{
  Record *rec = &g_array_index (parser->records, Record, record);

  g_assert (index < rec->n_fields);
  return &parser->fields[rec->first + index];
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

static gboolean
record_has_text (Parser *parser,
                 guint   record)
{
  Record *rec = &g_array_index (parser->records, Record, record);

  for (guint j = 0; j < rec->n_fields; j++)
    if (field_at (parser, record, j)->kind == CELL_TEXT)
      return TRUE;
  return FALSE;
}

/* As R writes numbers as names: a first record whose fields are all
 * quoted, above a row of plain numbers. */
static gboolean
is_quoted_header (Parser *parser)
{
  Record *first = &g_array_index (parser->records, Record, 0);
  gboolean all_quoted = TRUE, below_plain_number = FALSE;

  if (parser->records->len < 2)
    return FALSE;

  for (guint j = 0; j < first->n_fields; j++)
    {
      Field *f = field_at (parser, 0, j);

      all_quoted &= f->quoted || f->len == 0;
    }
  for (guint j = 0; j < g_array_index (parser->records, Record, 1).n_fields; j++)
    {
      Field *f = field_at (parser, 1, j);

      below_plain_number |= f->kind == CELL_NUMBER && !f->quoted;
    }
  return all_quoted && below_plain_number;
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
  gboolean *dropped;        /* per field: a column the options leave out */
  gboolean *keep;           /* per field: a column of numbers to keep */
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
      Field *f = field_at (parser, layout->first_data + i, 0);

      if (f->kind != CELL_NUMBER ||
          (f->value != (double) i && f->value != (double) (i + 1)) ||
          (i > 0 && f->value - field_at (parser, layout->first_data + i - 1, 0)->value != 1.0))
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
  if (layout->header && field_at (parser, 0, 0)->len == 0)
    return LABELS_R_CORNER;

  for (guint i = 0; i < layout->n_rows; i++)
    {
      Field *f = field_at (parser, layout->first_data + i, 0);
      Field *g = field_at (parser, layout->first_data + i, 1);

      any_text |= f->kind == CELL_TEXT;
      all_quoted &= f->quoted;
      other_plain |= g->kind == CELL_NUMBER && !g->quoted;
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
      Field *f = field_at (parser, layout->first_data + i, 0);

      if (f->kind != CELL_NUMBER || f->value != floor (f->value) || fabs (f->value) > 0x1p53)
        return FALSE;
      *lo = MIN (*lo, f->value);
      *hi = MAX (*hi, f->value);
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
          guint64 k = (guint64) (field_at (parser, layout->first_data + i, 0)->value - lo);

          if (seen[k / 64] & ((guint64) 1 << (k % 64)))
            return FALSE;
          seen[k / 64] |= (guint64) 1 << (k % 64);
        }
      return TRUE;
    }

  values = g_array_sized_new (FALSE, FALSE, sizeof (double), layout->n_rows);
  for (guint i = 0; i < layout->n_rows; i++)
    g_array_append_val (values, field_at (parser, layout->first_data + i, 0)->value);
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
      Field *f = field_at (parser, layout->first_data + i, 0);

      if (f->kind != CELL_NUMBER || !isfinite (f->value) || !(f->value > previous))
        return FALSE;
      previous = f->value;
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
      double v = fabs (field_at (parser, layout->first_data + i, 0)->value);

      g_array_append_val (first, v);
    }
  for (guint i = 0; i < layout->n_rows; i += stride)
    for (guint j = 1; j < layout->n_cols; j++)
      {
        Field *f = field_at (parser, layout->first_data + i, j);
        double v = fabs (f->value);

        if (layout->dropped[j] || f->kind != CELL_NUMBER)
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
  g_autofree char *title = layout->header ? field_text (field_at (parser, 0, 0)) : NULL;
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

/* Checks that the header and every data record have as many fields as the
 * first data record; R's write.table header, one field short, means row
 * labels, which options of none cannot undo. */
static gboolean
check_record_widths (Parser  *parser,
                     Layout  *layout,
                     GError **error)
{
  GArray *records = parser->records;
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

  for (guint i = layout->first_data + 1; i < records->len; i++)
    {
      const Record *rec = &g_array_index (records, Record, i);

      if (rec->n_fields != layout->n_cols)
        {
          g_autofree char *line = fs_error_number_text (rec->line);

          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s:%s: this row has %u fields, the rows above have %u"),
                       parser->name, line, rec->n_fields, layout->n_cols);
          return FALSE;
        }
    }
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
  GArray *records = parser->records;

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
  layout->n_rows = records->len - layout->first_data;
  layout->dropped = g_new0 (gboolean, layout->n_cols);
  layout->keep = g_new0 (gboolean, layout->n_cols);
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

/* A column of text (most cells) is dropped with a notice; a stray word in
 * a column of numbers is an error at that word. Columns the options drop
 * are not looked at. */
static gboolean
choose_columns (Parser  *parser,
                Layout  *layout,
                GError **error)
{
  GArray *records = parser->records;
  gboolean any_dropped = FALSE;

  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    {
      guint text_cells = 0;
      Field *first_text = NULL;
      gsize first_text_line = 0;

      any_dropped |= layout->dropped[j];
      if (layout->dropped[j])
        continue;
      /* A pass down a column of a large file takes tens of milliseconds. */
      if (g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
        return FALSE;
      for (guint i = layout->first_data; i < records->len; i++)
        {
          Field *f = field_at (parser, i, j);

          if (f->kind == CELL_TEXT && text_cells++ == 0)
            {
              first_text = f;
              first_text_line = g_array_index (records, Record, i).line;
            }
        }

      if (text_cells == 0)
        {
          layout->keep[j] = TRUE;
          layout->n_kept++;
        }
      else if (text_cells * 2 < layout->n_rows)
        {
          g_autofree char *word = field_text (first_text);
          g_autofree char *msg = g_strdup_printf (_("“%s” is not a number"), word);

          set_position_error (parser, error, first_text_line, first_text->column, msg);
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

/* The kept cells into X, the cancellable checked every 64Ki rows. */
static gboolean
copy_values (Parser       *parser,
             const Layout *layout,
             FsMatrix     *X,
             GError      **error)
{
  for (guint i = 0; i < layout->n_rows; i++)
    {
      double *row = X->data + (gsize) i * layout->n_kept;
      guint c = 0;

      if (i % 65536 == 65535 &&
          g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
        return FALSE;

      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        if (layout->keep[j])
          row[c++] = field_at (parser, layout->first_data + i, j)->value;
    }
  return TRUE;
}

static void
copy_labels (Parser       *parser,
             const Layout *layout,
             FsMatrix     *X)
{
  if (layout->labels)
    {
      X->row_labels = g_new0 (char *, layout->n_rows + 1);
      for (guint i = 0; i < layout->n_rows; i++)
        X->row_labels[i] = field_text (field_at (parser, layout->first_data + i, 0));
    }

  if (layout->header)
    {
      guint c = 0;

      X->col_labels = g_new0 (char *, layout->n_kept + 1);
      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        if (layout->keep[j])
          X->col_labels[c++] = field_text (field_at (parser, 0, j - layout->header_offset));
    }
}

/* Notices of the text columns left out, which the report lists too. */
static void
add_dropped_column_notices (Parser       *parser,
                            const Layout *layout,
                            FsMatrix     *X)
{
  FsImportReport *report = parser->report;
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint j = layout->label_cols; j < layout->n_cols; j++)
    if (!layout->keep[j] && !layout->dropped[j])
      {
        guint column = j + 1;
        g_autofree char *title =
          layout->header ? field_text (field_at (parser, 0, j - layout->header_offset))
                         : g_strdup_printf ("%u", j + 1);
        g_autofree char *notice =
          g_strdup_printf (_("Left out column %u (“%s”): it holds text, not numbers"),
                           j + 1, title);

        fs_matrix_add_notice (X, notice);
        g_array_append_val (columns, column);
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

  if (parser->n_empty_records == 0)
    return;
  count = fs_error_number_text (parser->n_empty_records);
  notice = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Left out %s row whose fields are all empty",
                                         "Left out %s rows whose fields are all empty",
                                         parser->n_empty_records), count);
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
  report->n_empty_rows = parser->n_empty_records;
}

/* Whether a kept cell goes into the sparse layout: a number, and not a
 * zero when unlisted cells are zeros (it means the same unlisted). */
static inline gboolean
is_listed (const Parser *parser,
           const Field  *f)
{
  return f->kind == CELL_NUMBER && !(parser->options->zeros_are_values && f->value == 0.0);
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

  *nnz = 0;
  if (parser->max_records > 0 || storage == FS_STORAGE_DENSE)
    return FALSE;
  /* Left automatic, a dense table is known as such a share of the way in. */
  for (guint i = 0; i < rows && fs_storage_wants_sparse (storage, *nnz, rows, cols); i++)
    {
      const Field *row = field_at (parser, layout->first_data + i, 0);

      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        *nnz += layout->keep[j] && is_listed (parser, &row[j]);
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
  gsize at = 0;

  if (s == NULL)
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  for (guint i = 0; i < layout->n_rows; i++)
    {
      const Field *row = field_at (parser, layout->first_data + i, 0);
      guint c = 0;

      if (i % 65536 == 65535 &&
          g_cancellable_set_error_if_cancelled (parser->ticker->cancellable, error))
        return NULL;
      s->row_ptr[i] = at;
      for (guint j = layout->label_cols; j < layout->n_cols; j++)
        if (layout->keep[j])
          {
            const Field *f = &row[j];

            if (is_listed (parser, f))
              {
                s->col_idx[at] = c;
                s->values[at++] = f->value;
              }
            c++;
          }
    }
  s->row_ptr[layout->n_rows] = at;
  s->zeros_are_values = parser->options->zeros_are_values;
  return fs_matrix_new_sparse (s);
}

/* The kept cells, held dense or sparse as wants_sparse says. */
static FsMatrix *
copy_cells (Parser       *parser,
            const Layout *layout,
            GError      **error)
{
  g_autoptr(FsMatrix) X = NULL;
  gsize nnz;

  if (wants_sparse (parser, layout, &nnz))
    return copy_sparse_values (parser, layout, nnz, error);
  X = fs_matrix_new (layout->n_rows, layout->n_kept, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", parser->name);
      return NULL;
    }
  if (!copy_values (parser, layout, X, error))
    return NULL;
  fs_matrix_mark_missing (X);
  return g_steal_pointer (&X);
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
  if (ok)
    X = copy_cells (parser, &layout, error);
  if (X == NULL)
    {
      g_free (layout.dropped);
      g_free (layout.keep);
      return NULL;
    }

  X->format = parser->separator == ',' || parser->separator == ';' ? "csv"
            : parser->separator == '\t' ? "tsv" : "text";
  copy_labels (parser, &layout, X);
  if (parser->numeric_notice != NULL)
    fs_matrix_add_notice (X, parser->numeric_notice);
  add_dropped_column_notices (parser, &layout, X);
  add_empty_rows_notice (parser, X);
  fill_report (parser, &layout);
  X->import_report = g_steal_pointer (&parser->report);
  g_free (layout.dropped);
  g_free (layout.keep);
  return g_steal_pointer (&X);
}

/* A NUL byte means a binary file; a megabyte at a time, so that a
 * cancelled load of a large one ends soon. */
static gboolean
check_no_nul (const char    *name,
              const char    *text,
              gsize          len,
              GCancellable  *cancellable,
              GError       **error)
{
  for (gsize done = 0; done < len; done += (gsize) 1 << 20)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (memchr (text + done, '\0', MIN (len - done, (gsize) 1 << 20)) != NULL)
        {
          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       _("%s: holds NUL bytes, so it is not a text file"), name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Sets up the separator, the stops and the field store. */
static gboolean
prepare_parser (Parser  *parser,
                GError **error)
{
  parser->separator = detect_separator (parser->text, parser->len);
  parser->decimal_comma = parser->separator == ';';
  parser->stops[(guint8) parser->separator] = 1;
  parser->stops['\n'] = 1;
  parser->stops['\r'] = 1;
  if (parser->separator == WHITESPACE_SEPARATOR)
    parser->stops['\t'] = 1;
  /* A preview's few records need no room for the whole file's fields. */
  parser->capacity = parser->max_records > 0 ? 1024 : MAX (parser->len / 4, 64);
  parser->fields = g_try_new (Field, parser->capacity);
  if (parser->fields == NULL)
    {
      g_autofree char *size = fs_error_number_text (parser->len);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s: not enough memory to read %s bytes of text"), parser->name, size);
      return FALSE;
    }
  return TRUE;
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
  FsImportOptions defaults;
  FsLoadTicker ticker;
  Parser parser = { name, text, len };
  g_autoptr(GArray) records = g_array_new (FALSE, FALSE, sizeof (Record));
  FsMatrix *X = NULL;

  g_return_val_if_fail (name != NULL && (text != NULL || len == 0), NULL);

  fs_import_options_init (&defaults);
  parser.options = options != NULL ? options : &defaults;
  parser.max_records = max_records;
  /* A preview reads a part of the file: only that part must be text. */
  if (max_records == 0 && !check_no_nul (name, text, len, cancellable, error))
    return NULL;
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      parser.text = text + 3;
      parser.len = len - 3;
    }
  if (!prepare_parser (&parser, error))
    return NULL;

  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, parser.len);
  parser.ticker = &ticker;
  parser.records = records;
  parser.report = fs_import_report_new ();
  parser.c_locale = newlocale (LC_ALL_MASK, "C", (locale_t) 0);
  g_assert (parser.c_locale != (locale_t) 0);

  if (tokenize (&parser, error) &&
      (max_records == 0 || check_no_nul (name, parser.text, parser.consumed, NULL, error)))
    X = build_matrix (&parser, error);
  freelocale (parser.c_locale);
  g_free (parser.fields);
  g_free (parser.numeric_notice);
  fs_import_report_free (parser.report);
  return X;
}

FsMatrix *
fs_delimited_parse (const char  *name,
                    const char  *text,
                    gsize        len,
                    GError     **error)
{
  return fs_delimited_parse_full (name, text, len, NULL, NULL, NULL, NULL, 0, error);
}
