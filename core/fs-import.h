/* fs-import.h: how a file of numbers is read, as the loader guessed it
 * and as the user corrected it.
 *
 * FsImportOptions are the user's choices (the command line's --row-labels,
 * --header, --transpose, --drop-columns, --storage and --zeros-are-values,
 * the window's import sheet, a session file's "import" object). All-automatic options read a file
 * exactly as fs_matrix_load () always did. Row labels and the header
 * apply to delimited text only (another format refuses them); dropping
 * columns and transposing apply to every format, in that order (columns
 * are the file's columns; dropping column 1 of delimited text leaves no
 * row labels, whatever row_labels says).
 *
 * FsImportReport says what the loader decided for a delimited file and
 * which of those decisions were guesses, so that the window can offer to
 * correct them. A matrix read from delimited text carries one
 * (FsMatrix.import_report); other formats carry none.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <stdio.h>

#include "fs-sparse.h"

G_BEGIN_DECLS

typedef enum
{
  FS_ROW_LABELS_AUTO,   /* the loader decides (README "Row labels") */
  FS_ROW_LABELS_FIRST,  /* the first column holds the row labels */
  FS_ROW_LABELS_NONE,   /* every column is data */
} FsRowLabels;

typedef enum
{
  FS_HEADER_AUTO,       /* the loader decides */
  FS_HEADER_YES,        /* the first row holds the column names */
  FS_HEADER_NO,         /* the first row is data */
} FsHeader;

typedef struct
{
  FsRowLabels  row_labels;
  FsHeader     header;
  gboolean     transpose;
  /* The file's columns to leave out, 1-based, ascending, no repeats
   * (NULL when n_drop_columns is 0). Counted in the file, the row-label
   * column included. */
  guint       *drop_columns;
  guint        n_drop_columns;
  /* How the matrix is held (fs-sparse.h), applied last: forced
   * (--storage), or automatic, when Matrix Market coordinate files and
   * delimited text are held sparse below FS_SPARSE_AUTO_SHARE of listed
   * cells and the other formats dense (fs-loader.c). */
  FsStorage    storage;
  /* Cells the file gives no value are real zeros, not missing
   * (--zeros-are-values): a sparse matrix's unlisted cells (the cost runs
   * over every cell and f* exists), a dense matrix's missing cells. */
  gboolean     zeros_are_values;
} FsImportOptions;

/* All automatic, nothing dropped, not transposed. */
void         fs_import_options_init         (FsImportOptions        *self);
void         fs_import_options_clear        (FsImportOptions        *self);
void         fs_import_options_copy         (FsImportOptions        *dest,
                                             const FsImportOptions  *src);
gboolean     fs_import_options_equal        (const FsImportOptions  *a,
                                             const FsImportOptions  *b);
/* Whether the options are all automatic (NULL is). */
gboolean     fs_import_options_is_default   (const FsImportOptions  *self);

/* The command line's and the session file's words: auto, first, none;
 * auto, yes, no. */
const char  *fs_row_labels_to_string        (FsRowLabels             value);
gboolean     fs_row_labels_from_string      (const char             *text,
                                             FsRowLabels            *value);
const char  *fs_header_to_string            (FsHeader                value);
gboolean     fs_header_from_string          (const char             *text,
                                             FsHeader               *value);

/* --drop-columns' list: "3", "1,4", "2-5,9" (1-based, ranges inclusive,
 * blanks allowed around the numbers). The result is ascending with no
 * repeats. An error names the part of the list that is wrong. */
gboolean     fs_import_parse_columns        (const char             *list,
                                             guint                 **columns,
                                             guint                  *n_columns,
                                             GError                **error);
/* The shortest list that parses back to columns ("2-5,9"); "" for none. */
char        *fs_import_format_columns       (const guint            *columns,
                                             guint                   n_columns);
/* The same list written to out a MiB at a time, not held whole (a file
 * may leave out millions of columns). */
void         fs_import_write_columns        (const guint            *columns,
                                             guint                   n_columns,
                                             FILE                   *out);

/* TRUE when column (1-based) is one of a file's width columns; else an
 * error that names the file, the column and the width. */
gboolean     fs_import_check_drop_column    (const char             *name,
                                             guint                   column,
                                             guint64                 width,
                                             GError                **error);

typedef struct
{
  char      separator;           /* ',', ';', '\t' or ' ' (runs of blanks) */
  gboolean  decimal_comma;       /* 0,5 read as a half (with ';') */
  gboolean  header;              /* the first row was read as column names */
  gboolean  header_guessed;      /* ... by a rule the user may want to undo */
  gboolean  row_labels;          /* the first column was read as row labels */
  gboolean  row_labels_guessed;  /* ... or not, by a rule (auto only) */
  /* The numeric first column taken as labels by the rule for numbers
   * (README "Row labels"): its header, or NULL. */
  char     *numeric_label_column;
  guint     n_file_columns;      /* fields in a row of data */
  guint     n_file_rows;         /* rows of data, the header not counted (a
                                  * preview's: those it read) */
  /* Text columns the loader left out by itself, 1-based file columns. */
  guint    *text_columns;
  guint     n_text_columns;
  gsize     n_empty_rows;        /* rows of empty fields left out */
  /* Why the rule decided as it did, translated, for the import sheet and
   * `factorscope-cli info` ("its values are whole numbers on another
   * scale than the rest"); NULL when nothing was guessed. */
  char     *header_reason;
  char     *row_labels_reason;
} FsImportReport;

FsImportReport *fs_import_report_new        (void);
void            fs_import_report_free       (FsImportReport         *self);
FsImportReport *fs_import_report_copy       (const FsImportReport   *self);
/* Whether the loader made any decision the user may want to correct: a
 * guessed header or label column (either way), text columns left out,
 * empty rows left out. */
gboolean        fs_import_report_has_guesses (const FsImportReport  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsImportReport, fs_import_report_free)

/* Progress of a long load, from the loading thread: fraction in [0, 1],
 * called at most about a hundred times a load. */
typedef void (*FsLoadProgressFunc) (double   fraction,
                                    gpointer data);

/* For the readers of long files: the cancellable checked and progress
 * reported about every 256 KiB (fs_load_ticker_due () is one compare,
 * cheap enough for every record), progress at most once per hundredth
 * of the file, never 1 (the loader reports that once the matrix is
 * whole). */
typedef struct
{
  GCancellable       *cancellable;
  FsLoadProgressFunc  progress;
  gpointer            progress_data;
  gsize               len;       /* bytes in the file */
  gsize               next;      /* the offset of the next check */
  double              reported;  /* the last fraction reported */
} FsLoadTicker;

void         fs_load_ticker_init            (FsLoadTicker           *self,
                                             GCancellable           *cancellable,
                                             FsLoadProgressFunc      progress,
                                             gpointer                progress_data,
                                             gsize                   len);
/* At offset bytes into the file: FALSE with G_IO_ERROR_CANCELLED once
 * the load is cancelled. */
gboolean     fs_load_ticker_tick            (FsLoadTicker           *self,
                                             gsize                   offset,
                                             GError                **error);

static inline gboolean
fs_load_ticker_due (const FsLoadTicker *self,
                    gsize               offset)
{
  return offset >= self->next;
}

G_END_DECLS
