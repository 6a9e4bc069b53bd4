/* fs-import-sheet.h: Import Options, a modal window that shows how a data
 * file will be read and lets the user correct every guess of the loader.
 *
 * The sheet maps the file while it is open and reads, at every change of
 * its controls, only the top-left corner with fs_matrix_load_preview ().
 * Apply emits "apply" (the window reads the options and reloads the
 * file); Cancel and Escape close it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "fs-import.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_TYPE_IMPORT_SHEET (fs_import_sheet_get_type ())
G_DECLARE_FINAL_TYPE (FsImportSheet, fs_import_sheet, FS, IMPORT_SHEET, AdwWindow)

/* The preview's size: rows and columns of numbers shown. */
#define FS_IMPORT_SHEET_PREVIEW_ROWS 8
#define FS_IMPORT_SHEET_PREVIEW_COLS 8

/* The sheet for the file at path, which was read as shown (its options,
 * report and shape: where the sheet starts from). As gtk_window_new (),
 * GTK's list of windows holds it until it is destroyed. NULL and an
 * error when the file cannot be mapped. */
FsImportSheet *fs_import_sheet_new            (const char            *path,
                                               const FsMatrix        *shown,
                                               GError               **error);
const char    *fs_import_sheet_get_path       (FsImportSheet         *self);
/* The options the controls set (the columns to leave out as last valid). */
void           fs_import_sheet_get_options    (FsImportSheet         *self,
                                               FsImportOptions       *options);
/* Whether Apply can be pressed: the list of columns is valid and the
 * preview could be read. */
gboolean       fs_import_sheet_get_can_apply  (FsImportSheet         *self);

/* The controls, as a person sets them (for tests and demos). */
void           fs_import_sheet_set_row_labels (FsImportSheet         *self,
                                               FsRowLabels            value);
void           fs_import_sheet_set_header     (FsImportSheet         *self,
                                               FsHeader               value);
void           fs_import_sheet_set_transpose  (FsImportSheet         *self,
                                               gboolean               transpose);
void           fs_import_sheet_set_storage    (FsImportSheet         *self,
                                               FsStorage              storage);
void           fs_import_sheet_set_zeros_are_values (FsImportSheet   *self,
                                                     gboolean         zeros_are_values);
void           fs_import_sheet_set_columns_text (FsImportSheet       *self,
                                                 const char          *text);
/* Clicks the header of the preview's column (0-based among those shown,
 * the left-out ones included): leaves it out, or reads it again. */
void           fs_import_sheet_toggle_column  (FsImportSheet         *self,
                                               guint                  index);

/* What the sheet shows: the preview as text (one line a row, cells
 * separated by tabs, the header first), the shape ("500 × 12"), the
 * loader's guesses in sentences, and why the columns list is wrong (NULL
 * when it is not). */
char          *fs_import_sheet_dup_preview_text (FsImportSheet       *self);
const char    *fs_import_sheet_get_shape      (FsImportSheet         *self);
const char    *fs_import_sheet_get_guesses    (FsImportSheet         *self);
const char    *fs_import_sheet_get_columns_error (FsImportSheet      *self);

G_END_DECLS
