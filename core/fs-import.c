/* fs-import.c: import options and the loader's report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#define G_LOG_DOMAIN "fs-import"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs-error.h"
#include "fs-import.h"

/* The largest column number a list may name, and the most columns it may
 * name in all: more than any file this app reads holds. */
#define MAX_COLUMN 100000000u
#define MAX_LISTED 1000000u

void
fs_import_options_init (FsImportOptions *self)
{
  g_return_if_fail (self != NULL);

  memset (self, 0, sizeof *self);
  self->row_labels = FS_ROW_LABELS_AUTO;
  self->header = FS_HEADER_AUTO;
  self->storage = FS_STORAGE_AUTO;
}

void
fs_import_options_clear (FsImportOptions *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->drop_columns, g_free);
  self->n_drop_columns = 0;
}

void
fs_import_options_copy (FsImportOptions       *dest,
                        const FsImportOptions *src)
{
  g_return_if_fail (dest != NULL && src != NULL);

  if (dest == src)
    return;
  fs_import_options_clear (dest);
  *dest = *src;
  dest->drop_columns = src->n_drop_columns > 0
                         ? g_memdup2 (src->drop_columns, src->n_drop_columns * sizeof (guint))
                         : NULL;
}

gboolean
fs_import_options_equal (const FsImportOptions *a,
                         const FsImportOptions *b)
{
  if (a == NULL || b == NULL)
    return fs_import_options_is_default (a) && fs_import_options_is_default (b);
  return a->row_labels == b->row_labels && a->header == b->header &&
         !a->transpose == !b->transpose && a->n_drop_columns == b->n_drop_columns &&
         a->storage == b->storage && !a->zeros_are_values == !b->zeros_are_values &&
         (a->n_drop_columns == 0 ||
          memcmp (a->drop_columns, b->drop_columns, a->n_drop_columns * sizeof (guint)) == 0);
}

gboolean
fs_import_options_is_default (const FsImportOptions *self)
{
  return self == NULL ||
         (self->row_labels == FS_ROW_LABELS_AUTO && self->header == FS_HEADER_AUTO &&
          !self->transpose && self->n_drop_columns == 0 &&
          self->storage == FS_STORAGE_AUTO && !self->zeros_are_values);
}

static const char * const row_labels_words[] = { "auto", "first", "none" };
static const char * const header_words[] = { "auto", "yes", "no" };

static gboolean
word_index (const char         *text,
            const char * const *words,
            guint               n_words,
            guint              *index)
{
  for (guint i = 0; text != NULL && i < n_words; i++)
    if (g_ascii_strcasecmp (text, words[i]) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

const char *
fs_row_labels_to_string (FsRowLabels value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (row_labels_words), NULL);

  return row_labels_words[value];
}

gboolean
fs_row_labels_from_string (const char  *text,
                           FsRowLabels *value)
{
  guint i;

  g_return_val_if_fail (value != NULL, FALSE);

  if (!word_index (text, row_labels_words, G_N_ELEMENTS (row_labels_words), &i))
    return FALSE;
  *value = (FsRowLabels) i;
  return TRUE;
}

const char *
fs_header_to_string (FsHeader value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (header_words), NULL);

  return header_words[value];
}

gboolean
fs_header_from_string (const char *text,
                       FsHeader   *value)
{
  guint i;

  g_return_val_if_fail (value != NULL, FALSE);

  if (!word_index (text, header_words, G_N_ELEMENTS (header_words), &i))
    return FALSE;
  *value = (FsHeader) i;
  return TRUE;
}

/* A column number in [1, MAX_COLUMN] at *p, blanks around it skipped. */
static gboolean
read_column (const char **p,
             guint       *column)
{
  char *end;
  guint64 value;

  while (g_ascii_isspace (**p))
    (*p)++;
  if (!g_ascii_isdigit (**p))
    return FALSE;
  errno = 0;
  value = g_ascii_strtoull (*p, &end, 10);
  if (errno != 0 || value < 1 || value > MAX_COLUMN)
    return FALSE;
  *p = end;
  while (g_ascii_isspace (**p))
    (*p)++;
  *column = (guint) value;
  return TRUE;
}

static int
compare_columns (gconstpointer a,
                 gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* Sorts the columns and drops repeats. */
static void
sort_unique (GArray *columns)
{
  guint kept = 0;

  g_array_sort (columns, compare_columns);
  for (guint i = 0; i < columns->len; i++)
    if (kept == 0 || g_array_index (columns, guint, i) != g_array_index (columns, guint, kept - 1))
      g_array_index (columns, guint, kept++) = g_array_index (columns, guint, i);
  g_array_set_size (columns, kept);
}

/* One item of the list: a column or a range "a-b", added to columns. */
static gboolean
read_item (const char **p,
           GArray      *columns)
{
  guint first, last;

  if (!read_column (p, &first))
    return FALSE;
  last = first;
  if (**p == '-')
    {
      (*p)++;
      if (!read_column (p, &last) || last < first)
        return FALSE;
    }
  if ((guint64) columns->len + (last - first) >= MAX_LISTED)
    return FALSE;
  for (guint c = first; c <= last; c++)
    g_array_append_val (columns, c);
  return TRUE;
}

gboolean
fs_import_parse_columns (const char  *list,
                         guint      **columns,
                         guint       *n_columns,
                         GError     **error)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *p = list;

  g_return_val_if_fail (list != NULL && columns != NULL && n_columns != NULL, FALSE);

  for (;;)
    {
      const char *item = p;

      if (!read_item (&p, found) || (*p != ',' && *p != '\0'))
        {
          g_autofree char *part = g_strndup (item, strcspn (item, ","));

          g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                       /* Translators: the list given to --drop-columns, and the part of it
                        * that is not a column number or a range. */
                       _("“%s” is not a list of column numbers such as 3 or 1,4 or 2-5: “%s” is "
                         "not a column number (from 1) or a range"),
                       list, g_strstrip (part));
          return FALSE;
        }
      if (*p == '\0')
        break;
      p++;
    }

  sort_unique (found);
  *n_columns = found->len;
  *columns = found->len > 0 ? (guint *) g_array_free (g_steal_pointer (&found), FALSE) : NULL;
  return TRUE;
}

/* The list of columns, a MiB or so at a time to write (text, its room
 * kept between calls), then the rest. */
static void
format_columns (const guint *columns,
                guint        n_columns,
                GString     *text,
                void       (*write) (const char *part, gpointer data),
                gpointer     data)
{
  for (guint i = 0; i < n_columns; )
    {
      guint j = i;

      while (j + 1 < n_columns && columns[j + 1] == columns[j] + 1)
        j++;
      if (i > 0)
        g_string_append_c (text, ',');
      if (j == i)
        g_string_append_printf (text, "%u", columns[i]);
      else
        g_string_append_printf (text, "%u-%u", columns[i], columns[j]);
      i = j + 1;
      if (write != NULL && text->len >= ((gsize) 1 << 20))
        {
          write (text->str, data);
          g_string_truncate (text, 0);
        }
    }
  if (write != NULL)
    write (text->str, data);
}

char *
fs_import_format_columns (const guint *columns,
                          guint        n_columns)
{
  GString *text = g_string_new (NULL);

  format_columns (columns, n_columns, text, NULL, NULL);
  return g_string_free (text, FALSE);
}

static void
write_to_file (const char *part,
               gpointer    data)
{
  fputs (part, data);
}

void
fs_import_write_columns (const guint *columns,
                         guint        n_columns,
                         FILE        *out)
{
  g_autoptr(GString) text = g_string_new (NULL);

  format_columns (columns, n_columns, text, write_to_file, out);
}

FsImportReport *
fs_import_report_new (void)
{
  return g_new0 (FsImportReport, 1);
}

void
fs_import_report_free (FsImportReport *self)
{
  if (self == NULL)
    return;
  g_free (self->numeric_label_column);
  g_free (self->text_columns);
  g_free (self->header_reason);
  g_free (self->row_labels_reason);
  g_free (self);
}

FsImportReport *
fs_import_report_copy (const FsImportReport *self)
{
  FsImportReport *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->numeric_label_column = g_strdup (self->numeric_label_column);
  copy->header_reason = g_strdup (self->header_reason);
  copy->row_labels_reason = g_strdup (self->row_labels_reason);
  copy->text_columns = self->n_text_columns > 0
                         ? g_memdup2 (self->text_columns, self->n_text_columns * sizeof (guint))
                         : NULL;
  return copy;
}

gboolean
fs_import_report_has_guesses (const FsImportReport *self)
{
  return self != NULL &&
         (self->header_guessed || self->row_labels_guessed || self->n_text_columns > 0 ||
          self->n_empty_rows > 0);
}

/* 256 KiB take the tokenizer a millisecond or two, and a tenth of a
 * second under the sanitizers on a busy machine: a cancelled load ends
 * within that. */
#define TICK_BYTES ((gsize) 256 << 10)

void
fs_load_ticker_init (FsLoadTicker       *self,
                     GCancellable       *cancellable,
                     FsLoadProgressFunc  progress,
                     gpointer            progress_data,
                     gsize               len)
{
  g_return_if_fail (self != NULL);

  self->cancellable = cancellable;
  self->progress = progress;
  self->progress_data = progress_data;
  self->len = len;
  self->next = 0;
  self->reported = 0.0;
}

gboolean
fs_load_ticker_tick (FsLoadTicker  *self,
                     gsize          offset,
                     GError       **error)
{
  double fraction;

  self->next = offset + TICK_BYTES;
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (self->progress == NULL || self->len == 0)
    return TRUE;
  fraction = (double) offset / (double) self->len;
  if (fraction >= self->reported + 0.01 && fraction < 1.0)
    {
      self->reported = fraction;
      self->progress (fraction, self->progress_data);
      /* A cancel while progress was told (from the callback, or from
       * another thread meanwhile) stops the load now, not a step later:
       * other threads reading beside this one stop with it. */
      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
fs_import_check_drop_column (const char  *name,
                             guint        column,
                             guint64      width,
                             GError     **error)
{
  g_autofree char *number = NULL;
  g_autofree char *columns = NULL;

  if (column >= 1 && column <= width)
    return TRUE;

  number = fs_error_number_text (column);
  columns = fs_error_number_text (width);
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s: cannot drop column %s: the file has %s column",
                            "%s: cannot drop column %s: the file has %s columns",
                            width),
               name, number, columns);
  return FALSE;
}
