/* fs-import-sheet.c: Import Options, how a data file will be read.
 *
 * The controls make an FsImportOptions; each change reads the corner of
 * the mapped file again with fs_matrix_load_preview () (only the first
 * rows and columns: a few milliseconds even for a large file, so on the
 * main thread) and rebuilds the preview grid, the shape and the guesses.
 * The preview is first made as a table of cells, from which both the
 * grid's widgets and its text (for tests) come.
 *
 * Built in code rather than from a template: its parts (grid, headers)
 * change with every reading.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-import-sheet"

#include <glib/gi18n.h>
#include <string.h>

#include "fs-error.h"
#include "fs-import-sheet.h"
#include "fs-loader.h"

/* What a cell of the preview holds. */
typedef enum
{
  CELL_EMPTY,
  CELL_HEADER,          /* a column's name (a file column: clicking leaves it out) */
  CELL_DROPPED,         /* the header of a column left out */
  CELL_LABEL,           /* a row's label */
  CELL_NUMBER,
  CELL_MISSING,
  CELL_MORE,            /* the table goes on */
} CellKind;

typedef struct
{
  CellKind  kind;
  char     *text;
  guint     file_column;  /* 1-based, or 0 when it is not a file's column */
} Cell;

typedef struct
{
  guint  n_rows;
  guint  n_cols;
  Cell  *cells;
} Table;

/* A column of the preview: the preview matrix's column (-1: left out)
 * and the file's column it is (0: not known, as when transposed). */
typedef struct
{
  int    matrix_col;
  guint  file_column;
} Column;

struct _FsImportSheet
{
  AdwWindow        parent_instance;

  char            *path;
  char            *name;        /* the base name: the loader tells the format by it */
  GMappedFile     *mapped;
  gboolean         delimited;   /* row labels and header apply */
  gsize            base_rows;   /* another format: its shape before options */
  gsize            base_cols;
  gsize            n_records;   /* delimited: the file's rows with a header, or 0 */
  FsImportOptions  options;
  FsImportOptions  shown_options; /* what the matrix shown was read with */
  FsImportReport  *shown_report;  /* what its whole load guessed, or NULL */
  gsize            shown_rows;
  gsize            shown_cols;
  FsMatrix        *base;          /* another format: the file read once, automatically */
  FsMatrix        *preview;
  GArray          *columns;     /* Column: the preview's, left to right */
  char            *preview_text;
  char            *shape;
  char            *guesses;
  char            *columns_error;
  char            *read_error;
  gboolean         setting;     /* the sheet sets its controls itself */

  AdwComboRow     *row_labels_row;
  AdwComboRow     *header_row;
  GtkSwitch       *transpose_switch;
  AdwComboRow     *storage_row;
  GtkSwitch       *zeros_switch;
  AdwEntryRow     *columns_row;
  GtkLabel        *columns_hint;
  GtkLabel        *shape_label;
  GtkBox          *preview_box;
  GtkWidget       *grid;
  AdwPreferencesGroup *reading_group;  /* its description: the guesses */
  GtkWidget       *apply_button;
};

G_DEFINE_FINAL_TYPE (FsImportSheet, fs_import_sheet, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_APPLY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_preview (FsImportSheet *self);

/* ---- The preview as a table ---- */

static void
table_free (Table *table)
{
  for (guint k = 0; k < table->n_rows * table->n_cols; k++)
    g_free (table->cells[k].text);
  g_free (table->cells);
  g_free (table);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Table, table_free)

static Table *
table_new (guint n_rows,
           guint n_cols)
{
  Table *table = g_new0 (Table, 1);

  table->n_rows = n_rows;
  table->n_cols = n_cols;
  table->cells = g_new0 (Cell, (gsize) n_rows * n_cols);
  return table;
}

static void
table_set (Table      *table,
           guint       row,
           guint       col,
           CellKind    kind,
           char       *text,
           guint       file_column)
{
  Cell *cell = &table->cells[row * table->n_cols + col];

  cell->kind = kind;
  g_free (cell->text);
  cell->text = text;
  cell->file_column = file_column;
}

static gboolean
columns_contain (const guint *columns,
                 guint        n,
                 guint        column)
{
  for (guint k = 0; k < n; k++)
    if (columns[k] == column)
      return TRUE;
  return FALSE;
}

/* Which file column each column of the preview is, the left-out ones in
 * their place. The file's columns in order are the label column, the
 * text columns the loader left out, those the user leaves out, and the
 * matrix's columns. */
static GArray *
preview_columns (FsImportSheet *self)
{
  const FsMatrix *P = self->preview;
  const FsImportReport *report = P->import_report;
  guint wanted = (guint) MIN (P->cols, FS_IMPORT_SHEET_PREVIEW_COLS);
  GArray *columns = g_array_new (FALSE, FALSE, sizeof (Column));
  int j = 0;

  if (self->options.transpose)
    {
      for (guint k = 0; k < wanted; k++)
        g_array_append_val (columns, ((Column) { (int) k, 0 }));
      return columns;
    }
  for (guint c = 1; (guint) j < wanted; c++)
    {
      gboolean dropped = columns_contain (self->options.drop_columns, self->options.n_drop_columns, c);

      if (report != NULL && report->row_labels && c == 1)
        continue;
      if (report != NULL && !dropped && columns_contain (report->text_columns, report->n_text_columns, c))
        continue;
      g_array_append_val (columns, ((Column) { dropped ? -1 : j++, c }));
    }
  return columns;
}

/* A number as the user's locale writes it. */
static char *
number_text (double value)
{
  return g_strdup_printf ("%.6g", value);
}

static char *
header_text (const FsMatrix *P,
             const Column   *column)
{
  if (column->matrix_col < 0)
    return g_strdup (_("left out"));
  if (P->col_labels != NULL)
    return g_strdup (P->col_labels[column->matrix_col]);
  /* A column without a name: its number in the matrix that will be read. */
  return g_strdup_printf ("%d", column->matrix_col + 1);
}

static void
fill_header_row (Table          *table,
                 const FsMatrix *P,
                 GArray         *columns,
                 guint           first)
{
  for (guint k = 0; k < columns->len; k++)
    {
      const Column *column = &g_array_index (columns, Column, k);

      table_set (table, 0, first + k, column->matrix_col < 0 ? CELL_DROPPED : CELL_HEADER,
                 header_text (P, column), column->file_column);
    }
  if (first + columns->len < table->n_cols)
    table_set (table, 0, table->n_cols - 1, CELL_MORE, g_strdup ("…"), 0);
}

static void
fill_body_row (Table          *table,
               const FsMatrix *P,
               GArray         *columns,
               guint           first,
               guint           i)
{
  if (first > 0)
    table_set (table, i + 1, 0, CELL_LABEL, g_strdup (P->row_labels[i]), 0);
  for (guint k = 0; k < columns->len; k++)
    {
      const Column *column = &g_array_index (columns, Column, k);

      if (column->matrix_col < 0)
        continue;
      if (fs_matrix_is_observed (P, i, (gsize) column->matrix_col))
        table_set (table, i + 1, first + k, CELL_NUMBER,
                   number_text (fs_matrix_get (P, i, (gsize) column->matrix_col)), 0);
      else
        table_set (table, i + 1, first + k, CELL_MISSING, g_strdup ("–"), 0);
    }
  if (first + columns->len < table->n_cols)
    table_set (table, i + 1, table->n_cols - 1, CELL_MORE, g_strdup ("…"), 0);
}

/* Header row, then a row a matrix row; labels first when there are
 * some, "…" after the last column and row when the matrix goes on. */
static Table *
make_table (FsImportSheet *self)
{
  const FsMatrix *P = self->preview;
  guint first = P->row_labels != NULL ? 1 : 0;
  guint shown_rows = (guint) MIN (P->rows, FS_IMPORT_SHEET_PREVIEW_ROWS);
  gboolean more_cols = P->cols > FS_IMPORT_SHEET_PREVIEW_COLS;
  gboolean more_rows = P->rows > FS_IMPORT_SHEET_PREVIEW_ROWS;
  Table *table;

  g_clear_pointer (&self->columns, g_array_unref);
  self->columns = preview_columns (self);
  table = table_new (1 + shown_rows + (more_rows ? 1 : 0), first + self->columns->len + (more_cols ? 1 : 0));
  fill_header_row (table, P, self->columns, first);
  for (guint i = 0; i < shown_rows; i++)
    fill_body_row (table, P, self->columns, first, i);
  if (more_rows)
    for (guint k = 0; k < table->n_cols; k++)
      if (k >= first)
        table_set (table, table->n_rows - 1, k, CELL_MORE, g_strdup ("⋮"), 0);
  return table;
}

static char *
table_to_text (const Table *table)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < table->n_rows; i++)
    {
      for (guint k = 0; k < table->n_cols; k++)
        {
          const char *cell = table->cells[i * table->n_cols + k].text;

          if (k > 0)
            g_string_append_c (text, '\t');
          g_string_append (text, cell != NULL ? cell : "");
        }
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* ---- The preview's widgets ---- */

/* A long name or label is cut at max characters; a shorter one keeps
 * its width: the scrolled preview gives its cells only their minimum. */
static void
set_short (GtkLabel   *label,
           const char *text,
           int         max)
{
  int length = (int) MIN (g_utf8_strlen (text != NULL ? text : "", -1), (glong) max);

  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (label, length);
  gtk_label_set_max_width_chars (label, max);
}

static void toggle_file_column (FsImportSheet *self,
                                guint          column);

static GtkWidget *
find_header_button (GtkWidget *widget,
                    guint      column)
{
  if (GTK_IS_BUTTON (widget) &&
      GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "file-column")) == column)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_header_button (child, column);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The grid is built anew: the focus goes to the same column's new
 * header, not back to the first one. */
static void
on_header_clicked (GtkButton     *button,
                   FsImportSheet *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "file-column"));
  gboolean focused = gtk_widget_has_focus (GTK_WIDGET (button));

  toggle_file_column (self, column);
  if (focused && self->grid != NULL)
    {
      GtkWidget *same = find_header_button (self->grid, column);

      if (same != NULL)
        gtk_widget_grab_focus (same);
    }
}

/* A column's header: its name over its number in the file, which the
 * list of columns to leave out counts in; a click leaves it out, or
 * reads it again. */
static GtkWidget *
header_button (FsImportSheet *self,
               const Cell    *cell)
{
  g_autofree char *number = g_strdup_printf ("%u", cell->file_column);
  /* Translators: under a column's name in the preview, its number in the file. */
  g_autofree char *caption = g_strdup_printf (_("column %s"), number);
  g_autofree char *tip = cell->kind == CELL_DROPPED
    /* Translators: %s is a column's number in the file. */
    ? g_strdup_printf (_("Read column %s again"), number)
    : g_strdup_printf (_("Leave column %s out"), number);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *name = gtk_label_new (cell->text);
  GtkWidget *under = gtk_label_new (caption);

  /* Right-aligned over the numbers of the column. */
  gtk_label_set_xalign (GTK_LABEL (name), 1.0);
  gtk_label_set_xalign (GTK_LABEL (under), 1.0);

  gtk_widget_add_css_class (name, cell->kind == CELL_DROPPED ? "dim-label" : "heading");
  set_short (GTK_LABEL (name), cell->text, 12);
  gtk_widget_add_css_class (under, "caption");
  gtk_widget_add_css_class (under, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), under);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
  g_object_set_data (G_OBJECT (button), "file-column", GUINT_TO_POINTER (cell->file_column));
  g_signal_connect (button, "clicked", G_CALLBACK (on_header_clicked), self);
  return button;
}

static GtkWidget *
cell_widget (FsImportSheet *self,
             const Cell    *cell)
{
  GtkWidget *label;

  if (cell->kind == CELL_EMPTY)
    return NULL;
  if ((cell->kind == CELL_HEADER || cell->kind == CELL_DROPPED) && cell->file_column > 0)
    return header_button (self, cell);
  label = gtk_label_new (cell->text);
  set_short (GTK_LABEL (label), cell->text, 14);
  switch (cell->kind)
    {
    case CELL_HEADER:
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "heading");
      break;
    case CELL_LABEL:
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_add_css_class (label, "heading");
      break;
    case CELL_NUMBER:
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
      break;
    case CELL_EMPTY:
    case CELL_DROPPED:
    case CELL_MISSING:
    case CELL_MORE:
    default:
      gtk_widget_add_css_class (label, "dim-label");
      break;
    }
  return label;
}

static GtkWidget *
table_to_grid (FsImportSheet *self,
               const Table   *table)
{
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 12);
  for (guint i = 0; i < table->n_rows; i++)
    for (guint k = 0; k < table->n_cols; k++)
      {
        GtkWidget *widget = cell_widget (self, &table->cells[i * table->n_cols + k]);

        if (widget != NULL)
          gtk_grid_attach (GTK_GRID (grid), widget, (int) k, (int) i, 1, 1);
      }
  return grid;
}

/* ---- Shape and guesses ---- */

static guint
count_dropped_up_to (const FsImportOptions *options,
                     gsize                  n_columns,
                     const FsImportReport  *report)
{
  guint n = 0;

  for (guint k = 0; k < options->n_drop_columns; k++)
    {
      guint c = options->drop_columns[k];

      if (c > n_columns || (report != NULL && report->row_labels && c == 1) ||
          (report != NULL && columns_contain (report->text_columns, report->n_text_columns, c)))
        continue;
      n++;
    }
  return n;
}

/* The whole matrix's shape. A delimited file's rows are those the whole
 * load counted (the preview reads only the first records), less the
 * header as the preview reads it; its columns are the preview's fields
 * less labels, text and those left out. Another format's shape is the
 * file's. */
static void
result_shape (FsImportSheet *self,
              gsize         *rows,
              gsize         *cols)
{
  const FsImportReport *report = self->preview->import_report;
  gsize n_columns, labels = 0, text = 0;

  if (report != NULL)
    {
      n_columns = report->n_file_columns;
      labels = report->row_labels ? 1 : 0;
      text = report->n_text_columns;
      *rows = self->n_records > 0 ? self->n_records - MIN (self->n_records, report->header ? 1 : 0)
                                  : report->n_file_rows;
    }
  else
    {
      n_columns = self->base_cols;
      *rows = self->base_rows;
    }
  *cols = n_columns - MIN (n_columns, labels + text + count_dropped_up_to (&self->options, n_columns, report));
  if (self->options.transpose)
    {
      gsize t = *rows;

      *rows = *cols;
      *cols = t;
    }
}

static char *
format_shape (FsImportSheet *self)
{
  gsize rows, cols;
  g_autofree char *r = NULL;
  g_autofree char *c = NULL;

  result_shape (self, &rows, &cols);
  r = fs_error_number_text (rows);
  c = fs_error_number_text (cols);
  /* Translators: the shape of the matrix that will be read, rows × columns. */
  return g_strdup_printf (_("%s × %s"), r, c);
}

static void
append_sentence (GString    *text,
                 const char *sentence)
{
  if (text->len > 0)
    g_string_append_c (text, '\n');
  g_string_append (text, sentence);
}

/* "The first column, “respondent”, is read as row labels: its values are
 * …": the loader's reason ends the sentence. */
static void
append_label_guess (GString              *text,
                    const FsImportReport *report)
{
  const char *reason = report->row_labels_reason;
  g_autofree char *sentence = NULL;

  if (!report->row_labels_guessed)
    return;
  if (report->row_labels && report->numeric_label_column != NULL)
    /* Translators: the first %s is the first column's name, e.g. “id”;
     * the second why, e.g. "its values are distinct whole numbers on
     * another scale than the rest". */
    sentence = g_strdup_printf (_("The first column, “%s”, is read as row labels: %s. Choose None under Row "
                                  "labels to keep it as data."), report->numeric_label_column,
                                reason != NULL ? reason : _("its values are distinct whole numbers"));
  else if (report->row_labels)
    /* Translators: %s says why, e.g. "its values are text". */
    sentence = reason != NULL ? g_strdup_printf (_("The first column is read as row labels: %s."), reason)
                              : g_strdup (_("The first column is read as row labels."));
  else
    /* Translators: %s says why, e.g. "its values are distinct whole
     * numbers, but on the same scale as the rest". */
    sentence = reason != NULL ? g_strdup_printf (_("The first column is read as data: %s."), reason)
                              : g_strdup (_("The first column is read as data."));
  append_sentence (text, sentence);
}

static void
append_header_guess (GString              *text,
                     const FsImportReport *report)
{
  const char *reason = report->header_reason;
  g_autofree char *sentence = NULL;

  if (!report->header_guessed)
    return;
  if (report->header)
    /* Translators: %s says why, e.g. "its fields are numbers in quotes
     * above plain numbers, as R writes column names". */
    sentence = reason != NULL ? g_strdup_printf (_("The first row is read as the columns’ names: %s."), reason)
                              : g_strdup (_("The first row is read as the columns’ names."));
  else
    sentence = reason != NULL ? g_strdup_printf (_("The first row is read as data: %s."), reason)
                              : g_strdup (_("The first row is read as data."));
  append_sentence (text, sentence);
}

static void
append_left_out (GString              *text,
                 const FsImportReport *report)
{
  if (report->n_text_columns > 0)
    {
      g_autofree char *list = fs_import_format_columns (report->text_columns, report->n_text_columns);
      /* Translators: %s is a list of the file's columns, e.g. "2-4,7". */
      g_autofree char *sentence = g_strdup_printf (ngettext ("Column %s holds text and is left out.",
                                                             "Columns %s hold text and are left out.",
                                                             report->n_text_columns), list);

      append_sentence (text, sentence);
    }
  if (report->n_empty_rows > 0)
    {
      g_autofree char *n = fs_error_number_text (report->n_empty_rows);
      g_autofree char *sentence = g_strdup_printf (ngettext ("%s empty row is left out.",
                                                             "%s empty rows are left out.",
                                                             (gulong) MIN (report->n_empty_rows, G_MAXULONG)), n);

      append_sentence (text, sentence);
    }
}

static const char *
separator_sentence (const FsImportReport *report)
{
  if (report->decimal_comma)
    return _("Numbers are written with a decimal comma, and fields are separated by semicolons.");
  switch (report->separator)
    {
    case ';':
      return _("Fields are separated by semicolons.");
    case '\t':
      return _("Fields are separated by tabs.");
    case ' ':
      return _("Fields are separated by spaces.");
    case ',':
    default:
      return _("Fields are separated by commas.");
    }
}

static char *
describe_guesses (const FsImportReport *report)
{
  GString *text = g_string_new (NULL);

  if (report == NULL)
    return g_string_free (text, FALSE);
  append_label_guess (text, report);
  append_header_guess (text, report);
  append_left_out (text, report);
  append_sentence (text, separator_sentence (report));
  return g_string_free (text, FALSE);
}

/* ---- Reading the corner ---- */

static void
set_grid (FsImportSheet *self,
          GtkWidget     *grid)
{
  if (self->grid != NULL)
    gtk_box_remove (self->preview_box, self->grid);
  self->grid = grid;
  gtk_box_append (self->preview_box, grid);
}

static void
show_read_error (FsImportSheet *self,
                 const char    *message)
{
  GtkWidget *label = gtk_label_new (message);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "error");
  /* Away from the card's edges on every side. */
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  set_grid (self, label);
  g_clear_pointer (&self->preview_text, g_free);
  g_free (self->shape);
  self->shape = g_strdup ("");
  g_free (self->guesses);
  self->guesses = g_strdup ("");
}

static void
clear_read_error (FsImportSheet *self)
{
  if (self->grid != NULL)
    gtk_box_remove (self->preview_box, self->grid);
  self->grid = NULL;
  g_clear_pointer (&self->read_error, g_free);
}

/* With the options the matrix shown was read with, the shape and the
 * guesses are those of its whole load: the preview's first records may
 * guess otherwise (ids that repeat further down, a column that turns to
 * words after them). */
static gboolean
options_are_shown (FsImportSheet *self)
{
  FsImportOptions options = self->options;

  /* How the cells are held changes neither the shape nor the guesses. */
  options.storage = self->shown_options.storage;
  options.zeros_are_values = self->shown_options.zeros_are_values;
  return fs_import_options_equal (&options, &self->shown_options);
}

static char *
format_shown_shape (FsImportSheet *self)
{
  g_autofree char *r = fs_error_number_text (self->shown_rows);
  g_autofree char *c = fs_error_number_text (self->shown_cols);

  return g_strdup_printf (_("%s × %s"), r, c);
}

static void
show_reading (FsImportSheet *self)
{
  g_autoptr(Table) table = make_table (self);
  gboolean shown = options_are_shown (self);

  set_grid (self, table_to_grid (self, table));
  g_free (self->preview_text);
  self->preview_text = table_to_text (table);
  g_free (self->shape);
  self->shape = shown ? format_shown_shape (self) : format_shape (self);
  g_free (self->guesses);
  self->guesses = describe_guesses (shown && self->shown_report != NULL ? self->shown_report
                                                                        : self->preview->import_report);
}

static void
update_apply (FsImportSheet *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sheet.apply", fs_import_sheet_get_can_apply (self));
}

/* Another format than delimited text is read whole: once, the first
 * time, and each preview is the corner of that (a 96 MB .npy is not read
 * again on every key). */
static FsMatrix *
read_corner (FsImportSheet  *self,
             const guint8   *data,
             gsize           len,
             guint           max_rows,
             guint           max_cols,
             GError        **error)
{
  if (self->base == NULL &&
      !(self->base = fs_matrix_load_data_full (self->name, data, len, NULL, NULL, NULL, NULL, error)))
    return NULL;
  /* The file's name in the error, as the whole load says it. */
  for (guint k = 0; k < self->options.n_drop_columns; k++)
    if (!fs_import_check_drop_column (self->name, self->options.drop_columns[k], self->base->cols, error))
      return NULL;
  return fs_matrix_import_corner (self->base, &self->options, max_rows, max_cols, error);
}

static void
update_preview (FsImportSheet *self)
{
  g_autoptr(GError) error = NULL;
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (self->mapped);
  gsize len = g_mapped_file_get_length (self->mapped);
  gint64 start = g_get_monotonic_time ();
  gint64 read;

  g_clear_pointer (&self->preview, fs_matrix_unref);
  g_clear_pointer (&self->read_error, g_free);
  /* One more row and column than shown tell whether the table goes on. */
  if (self->delimited)
    self->preview = fs_matrix_load_preview (self->name, data != NULL ? data : (const guint8 *) "", len,
                                            &self->options, FS_IMPORT_SHEET_PREVIEW_ROWS + 1,
                                            FS_IMPORT_SHEET_PREVIEW_COLS + 1, &error);
  else
    self->preview = read_corner (self, data != NULL ? data : (const guint8 *) "", len,
                                 FS_IMPORT_SHEET_PREVIEW_ROWS + 1, FS_IMPORT_SHEET_PREVIEW_COLS + 1, &error);
  read = g_get_monotonic_time ();
  if (self->preview == NULL)
    {
      self->read_error = g_strdup (error->message);
      show_read_error (self, error->message);
    }
  else
    show_reading (self);
  gtk_label_set_text (self->shape_label, self->shape);
  adw_preferences_group_set_description (self->reading_group, *self->guesses != '\0' ? self->guesses : NULL);
  update_apply (self);
  /* For a look at a large file (G_MESSAGES_DEBUG=fs-import-sheet). */
  g_debug ("Preview of %s (%" G_GSIZE_FORMAT " bytes): read in %.2f ms, shown in %.2f ms", self->name, len,
           (read - start) / 1000.0, (g_get_monotonic_time () - read) / 1000.0);
}

/* ---- The controls ---- */

static void
on_row_labels_changed (FsImportSheet *self)
{
  self->options.row_labels = (FsRowLabels) adw_combo_row_get_selected (self->row_labels_row);
  if (!self->setting)
    update_preview (self);
}

static void
on_header_changed (FsImportSheet *self)
{
  self->options.header = (FsHeader) adw_combo_row_get_selected (self->header_row);
  if (!self->setting)
    update_preview (self);
}

static void
on_transpose_changed (FsImportSheet *self)
{
  self->options.transpose = gtk_switch_get_active (self->transpose_switch);
  if (!self->setting)
    update_preview (self);
}

/* How the cells are held changes nothing of the preview: only the options. */
static void
on_storage_changed (FsImportSheet *self)
{
  self->options.storage = (FsStorage) adw_combo_row_get_selected (self->storage_row);
}

static void
on_zeros_changed (FsImportSheet *self)
{
  self->options.zeros_are_values = gtk_switch_get_active (self->zeros_switch);
}

#define COLUMNS_HINT N_("The file’s columns, counted from 1 with the labels, such as 2-5,9")

static void
show_columns_error (FsImportSheet *self,
                    const char    *message)
{
  g_free (self->columns_error);
  self->columns_error = g_strdup (message);
  gtk_label_set_text (self->columns_hint, message != NULL ? message : _(COLUMNS_HINT));
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->columns_hint), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->columns_row), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->columns_hint), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->columns_row), "error");
    }
}

/* Checked as it is typed: a wrong list is said under it, and keeps the
 * preview at the last right one. */
static void
on_columns_changed (FsImportSheet *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->columns_row))));
  g_autofree guint *columns = NULL;
  guint n = 0;
  g_autoptr(GError) error = NULL;

  /* An empty list leaves nothing out. */
  if (*text != '\0' && !fs_import_parse_columns (text, &columns, &n, &error))
    {
      show_columns_error (self, error->message);
      /* The error of the list before (9, past the file's width, on the
       * way to 9,x) is no longer the one to fix. */
      if (self->read_error != NULL)
        clear_read_error (self);
      update_apply (self);
      return;
    }
  show_columns_error (self, NULL);
  g_free (self->options.drop_columns);
  self->options.drop_columns = g_steal_pointer (&columns);
  self->options.n_drop_columns = n;
  if (!self->setting)
    update_preview (self);
}

/* The list replaced as one change (GtkEditable would first empty it, and
 * the preview would show that for a moment). */
static void
replace_columns_text (FsImportSheet *self,
                      const char    *text)
{
  g_signal_handlers_block_by_func (self->columns_row, on_columns_changed, self);
  gtk_editable_set_text (GTK_EDITABLE (self->columns_row), text);
  g_signal_handlers_unblock_by_func (self->columns_row, on_columns_changed, self);
  on_columns_changed (self);
}

static int
compare_columns (gconstpointer a,
                 gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* A column read is left out, one left out is read again: through the
 * list, which says it in words the user can edit. */
static void
toggle_file_column (FsImportSheet *self,
                    guint          column)
{
  g_autoptr(GArray) list = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *text = NULL;
  gboolean dropped = FALSE;

  g_return_if_fail (column > 0);
  for (guint k = 0; k < self->options.n_drop_columns; k++)
    if (self->options.drop_columns[k] == column)
      dropped = TRUE;
    else
      g_array_append_val (list, self->options.drop_columns[k]);
  if (!dropped)
    {
      g_array_append_val (list, column);
      g_array_sort (list, compare_columns);
    }
  text = fs_import_format_columns ((const guint *) list->data, list->len);
  replace_columns_text (self, text);
}

static void
apply (GtkWidget  *widget,
       const char *action,
       GVariant   *param)
{
  FsImportSheet *self = FS_IMPORT_SHEET (widget);

  if (fs_import_sheet_get_can_apply (self))
    g_signal_emit (self, signals[SIGNAL_APPLY], 0);
}

static void
cancel (GtkWidget  *widget,
        const char *action,
        GVariant   *param)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* ---- Building ---- */

static AdwComboRow *
choice_row (const char *title,
            const char *const *choices)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

  for (guint k = 0; choices[k] != NULL; k++)
    gtk_string_list_append (model, _(choices[k]));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  /* The row names itself after its title: a label property on top
   * would make screen readers say the name twice. */
  return row;
}

static GtkWidget *
build_reading_group (FsImportSheet *self)
{
  static const char *const labels[] = { N_("Automatic"), N_("First column"), N_("None"), NULL };
  static const char *const headers[] = { N_("Automatic"), N_("First row"), N_("None"), NULL };
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *transpose = adw_action_row_new ();

  /* The loader's guesses go under the title, next to the controls
   * that undo them. */
  self->reading_group = ADW_PREFERENCES_GROUP (group);
  adw_preferences_group_set_title (self->reading_group, _("Reading"));
  self->row_labels_row = choice_row (_("Row labels"), labels);
  self->header_row = choice_row (_("Header"), headers);
  self->transpose_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->transpose_switch), GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (transpose), _("Transpose"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (transpose), _("The file’s rows become the matrix’s columns"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (transpose), GTK_WIDGET (self->transpose_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (transpose), GTK_WIDGET (self->transpose_switch));
  self->columns_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->columns_row), _("Columns to leave out"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->row_labels_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->header_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), transpose);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->columns_row));
  /* Another format has neither row labels nor a header to choose. */
  gtk_widget_set_visible (GTK_WIDGET (self->row_labels_row), self->delimited);
  gtk_widget_set_visible (GTK_WIDGET (self->header_row), self->delimited);
  return group;
}

/* Whether the file is a Matrix Market one, which lists its cells. */
static gboolean
lists_cells (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_str_has_suffix (lower, ".mtx") || g_str_has_suffix (lower, ".mtx.gz");
}

/* A switch in a row of its own, named after the row's title. */
static GtkSwitch *
switch_row (AdwPreferencesGroup *group,
            const char          *title,
            const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_preferences_group_add (group, row);
  return GTK_SWITCH (toggle);
}

/* How the matrix is held: as every cell, or as the listed cells only
 * (fs-sparse.h), and what an unlisted cell means. */
static GtkWidget *
build_storage_group (FsImportSheet *self)
{
  static const char *const storages[] = { N_("Automatic"), N_("Dense"), N_("Sparse"), NULL };
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Storage"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Sparse keeps only the cells the file lists: "
                                           "automatic when they are a small share of all"));
  self->storage_row = choice_row (_("Storage"), storages);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->storage_row));
  self->zeros_switch = switch_row (ADW_PREFERENCES_GROUP (group), _("Unlisted cells are zeros"),
                                   _("For counts: a cell the file does not list is 0, not missing"));
  return group;
}

static GtkWidget *
build_hint (FsImportSheet *self)
{
  self->columns_hint = GTK_LABEL (gtk_label_new (_(COLUMNS_HINT)));
  gtk_label_set_wrap (self->columns_hint, TRUE);
  gtk_label_set_xalign (self->columns_hint, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->columns_hint), "caption");
  gtk_widget_set_margin_top (GTK_WIDGET (self->columns_hint), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->columns_hint), 12);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->columns_row), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->columns_hint, NULL, -1);
  return GTK_WIDGET (self->columns_hint);
}

/* The preview in a card that scrolls sideways, the shape in its title. */
static GtkWidget *
build_preview_group (FsImportSheet *self)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Preview"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("The first rows and columns, as they will be read"));
  self->shape_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->shape_label), "numeric");
  gtk_widget_set_valign (GTK_WIDGET (self->shape_label), GTK_ALIGN_END);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->shape_label), _("Rows × columns of the matrix"));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->shape_label));
  self->preview_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->preview_box));
  gtk_widget_add_css_class (scroller, "card");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), scroller);
  return group;
}

static GtkWidget *
build_header_bar (FsImportSheet *self)
{
  GtkWidget *bar = adw_header_bar_new ();
  GtkWidget *cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_autofree char *base = g_filename_display_basename (self->path);

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (bar), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (bar), FALSE);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (bar), adw_window_title_new (_("Import Options"), base));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel_button), "sheet.cancel");
  self->apply_button = gtk_button_new_with_mnemonic (_("_Reload"));
  gtk_widget_set_tooltip_text (self->apply_button, _("Read the file again with these options"));
  gtk_widget_add_css_class (self->apply_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->apply_button), "sheet.apply");
  /* GTK 4.8 names a mnemonic button both by its label, underscore
   * included, and by the label inside: "_Reload Reload". The label inside
   * is the plain name. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (cancel_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->apply_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  adw_header_bar_pack_start (ADW_HEADER_BAR (bar), cancel_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (bar), self->apply_button);
  return bar;
}

static void
build (FsImportSheet *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *preview = build_preview_group (self);
  GtkWidget *storage;

  gtk_box_append (GTK_BOX (content), build_header_bar (self));
  gtk_box_append (GTK_BOX (page), build_reading_group (self));
  gtk_box_append (GTK_BOX (page), build_hint (self));
  /* The preview right under the choices it shows, in sight at the
   * sheet's default height; storage, seldom changed, below it. */
  gtk_widget_set_margin_top (preview, 24);
  gtk_box_append (GTK_BOX (page), preview);
  storage = build_storage_group (self);
  gtk_widget_set_margin_top (storage, 24);
  /* Unlisted and mostly missing cells come in delimited text and Matrix
   * Market files; an array (.npy) or an image lists every cell. */
  gtk_widget_set_visible (storage, self->delimited || lists_cells (self->name));
  gtk_widget_set_visible (GTK_WIDGET (self->storage_row), gtk_widget_get_visible (storage));
  gtk_box_append (GTK_BOX (page), storage);
  g_object_set (page, "margin-top", 18, "margin-bottom", 18, "margin-start", 12, "margin-end", 12, NULL);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  adw_clamp_set_child (ADW_CLAMP (clamp), page);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (content), scroller);
  adw_window_set_content (ADW_WINDOW (self), content);
}

/* ---- The type ---- */

static void
fs_import_sheet_finalize (GObject *object)
{
  FsImportSheet *self = FS_IMPORT_SHEET (object);

  g_clear_pointer (&self->mapped, g_mapped_file_unref);
  g_clear_pointer (&self->preview, fs_matrix_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  fs_import_options_clear (&self->options);
  g_free (self->path);
  g_free (self->name);
  g_free (self->preview_text);
  g_free (self->shape);
  g_free (self->guesses);
  g_free (self->columns_error);
  g_free (self->read_error);
  fs_import_options_clear (&self->shown_options);
  g_clear_pointer (&self->shown_report, fs_import_report_free);
  g_clear_pointer (&self->base, fs_matrix_unref);

  G_OBJECT_CLASS (fs_import_sheet_parent_class)->finalize (object);
}

static void
fs_import_sheet_class_init (FsImportSheetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = fs_import_sheet_finalize;

  /**
   * FsImportSheet::apply:
   *
   * Reload was pressed: the options (fs_import_sheet_get_options ()) are
   * the ones to read the file with.
   */
  signals[SIGNAL_APPLY] = g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "sheet.apply", NULL, apply);
  gtk_widget_class_install_action (widget_class, "sheet.cancel", NULL, cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sheet.cancel", NULL);
}

static void
fs_import_sheet_init (FsImportSheet *self)
{
  fs_import_options_init (&self->options);
  fs_import_options_init (&self->shown_options);
  self->shape = g_strdup ("");
  self->guesses = g_strdup ("");
}

/* Where the sheet starts: the options the file was read with; another
 * format's shape before them. */
static void
take_shown (FsImportSheet  *self,
            const FsMatrix *shown)
{
  static const char *const others[] = { "npy", "mtx", "image", NULL };

  self->delimited = shown->format == NULL || !g_strv_contains (others, shown->format);
  if (shown->import_options != NULL)
    {
      fs_import_options_copy (&self->options, shown->import_options);
      fs_import_options_copy (&self->shown_options, shown->import_options);
    }
  if (shown->import_report != NULL)
    self->shown_report = fs_import_report_copy (shown->import_report);
  /* Read with automatic options, the matrix shown is the file as read. */
  if (!self->delimited && shown->import_options == NULL)
    self->base = fs_matrix_ref ((FsMatrix *) shown);
  self->shown_rows = shown->rows;
  self->shown_cols = shown->cols;
  self->base_rows = self->options.transpose ? shown->cols : shown->rows;
  self->base_cols = (self->options.transpose ? shown->rows : shown->cols) + self->options.n_drop_columns;
  if (shown->import_report != NULL)
    self->n_records = shown->import_report->n_file_rows + (shown->import_report->header ? 1 : 0);
}

static void
set_controls (FsImportSheet *self)
{
  g_autofree char *columns = fs_import_format_columns (self->options.drop_columns,
                                                       self->options.n_drop_columns);

  self->setting = TRUE;
  adw_combo_row_set_selected (self->row_labels_row, self->options.row_labels);
  adw_combo_row_set_selected (self->header_row, self->options.header);
  gtk_switch_set_active (self->transpose_switch, self->options.transpose);
  adw_combo_row_set_selected (self->storage_row, self->options.storage);
  gtk_switch_set_active (self->zeros_switch, self->options.zeros_are_values);
  gtk_editable_set_text (GTK_EDITABLE (self->columns_row), columns);
  self->setting = FALSE;
}

static void
connect_controls (FsImportSheet *self)
{
  g_signal_connect_swapped (self->row_labels_row, "notify::selected", G_CALLBACK (on_row_labels_changed), self);
  g_signal_connect_swapped (self->header_row, "notify::selected", G_CALLBACK (on_header_changed), self);
  g_signal_connect_swapped (self->transpose_switch, "notify::active", G_CALLBACK (on_transpose_changed), self);
  g_signal_connect_swapped (self->storage_row, "notify::selected", G_CALLBACK (on_storage_changed), self);
  g_signal_connect_swapped (self->zeros_switch, "notify::active", G_CALLBACK (on_zeros_changed), self);
  g_signal_connect_swapped (self->columns_row, "changed", G_CALLBACK (on_columns_changed), self);
}

FsImportSheet *
fs_import_sheet_new (const char      *path,
                     const FsMatrix  *shown,
                     GError         **error)
{
  FsImportSheet *self;
  GMappedFile *mapped;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (shown != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Kept while the sheet is open: every change reads its first bytes again. */
  mapped = g_mapped_file_new (path, FALSE, error);
  if (mapped == NULL)
    return NULL;
  self = g_object_new (FS_TYPE_IMPORT_SHEET, "modal", TRUE, "title", _("Import Options"),
                       "default-width", 720, "default-height", 760, NULL);
  self->mapped = mapped;
  self->path = g_strdup (path);
  self->name = g_path_get_basename (path);
  take_shown (self, shown);
  build (self);
  set_controls (self);
  connect_controls (self);
  update_preview (self);
  return self;
}

const char *
fs_import_sheet_get_path (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), NULL);

  return self->path;
}

void
fs_import_sheet_get_options (FsImportSheet   *self,
                             FsImportOptions *options)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));
  g_return_if_fail (options != NULL);

  fs_import_options_copy (options, &self->options);
  /* Row labels and a header mean nothing to another format. */
  if (!self->delimited)
    {
      options->row_labels = FS_ROW_LABELS_AUTO;
      options->header = FS_HEADER_AUTO;
    }
}

gboolean
fs_import_sheet_get_can_apply (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), FALSE);

  return self->columns_error == NULL && self->preview != NULL;
}

void
fs_import_sheet_set_row_labels (FsImportSheet *self,
                                FsRowLabels    value)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));

  adw_combo_row_set_selected (self->row_labels_row, value);
}

void
fs_import_sheet_set_header (FsImportSheet *self,
                            FsHeader       value)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));

  adw_combo_row_set_selected (self->header_row, value);
}

void
fs_import_sheet_set_transpose (FsImportSheet *self,
                               gboolean       transpose)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));

  gtk_switch_set_active (self->transpose_switch, transpose);
}

void
fs_import_sheet_set_storage (FsImportSheet *self,
                             FsStorage      storage)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));
  g_return_if_fail (storage < FS_N_STORAGES);

  adw_combo_row_set_selected (self->storage_row, storage);
}

void
fs_import_sheet_set_zeros_are_values (FsImportSheet *self,
                                      gboolean       zeros_are_values)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));

  gtk_switch_set_active (self->zeros_switch, zeros_are_values);
}

void
fs_import_sheet_set_columns_text (FsImportSheet *self,
                                  const char    *text)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));
  g_return_if_fail (text != NULL);

  replace_columns_text (self, text);
}

void
fs_import_sheet_toggle_column (FsImportSheet *self,
                               guint          index)
{
  g_return_if_fail (FS_IS_IMPORT_SHEET (self));
  g_return_if_fail (self->columns != NULL && index < self->columns->len);
  g_return_if_fail (g_array_index (self->columns, Column, index).file_column > 0);

  toggle_file_column (self, g_array_index (self->columns, Column, index).file_column);
}

char *
fs_import_sheet_dup_preview_text (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), NULL);

  return g_strdup (self->preview_text);
}

const char *
fs_import_sheet_get_shape (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), NULL);

  return self->shape;
}

const char *
fs_import_sheet_get_guesses (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), NULL);

  return self->guesses;
}

const char *
fs_import_sheet_get_columns_error (FsImportSheet *self)
{
  g_return_val_if_fail (FS_IS_IMPORT_SHEET (self), NULL);

  return self->columns_error;
}
