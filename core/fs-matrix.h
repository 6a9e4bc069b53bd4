/* fs-matrix.h: a dense or sparse, immutable-once-shared matrix with
 * missing cells.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-import.h"
#include "fs-sparse.h"

G_BEGIN_DECLS

/* Row-major doubles. Missing cells hold NaN in data and 0 in mask; mask is
 * NULL when every cell is observed. Labels are NULL or hold exactly rows
 * (cols) strings. image_height × image_width is the shape of one image
 * when each row (or the whole matrix, for rows == image_height) is one;
 * both are 0 otherwise. format names where the matrix came from ("csv",
 * "npy", "mtx", "image", …); notices say what loading left out.
 * import_options are the options the file was read with (NULL: all
 * automatic, or not read from a file); import_report is what the loader
 * decided for delimited text (NULL for other formats). Once a
 * matrix is handed to a solver or another thread it must not change:
 * share it with fs_matrix_ref().
 *
 * A sparse matrix (fs-sparse.h) has sparse set and data and mask NULL:
 * only its listed cells are held. n_missing is rows × cols - nnz when the
 * unlisted cells are missing, 0 when they are real zeros
 * (sparse->zeros_are_values). fs_matrix_get, fs_matrix_is_observed, the
 * norms and the range work on both; code that reads data directly must
 * check fs_matrix_is_sparse () first and either read the layout or refuse
 * with a message that says the view or feature needs a dense matrix. */
typedef struct
{
  gsize        rows;
  gsize        cols;
  double      *data;
  guint8      *mask;
  gsize        n_missing;
  char       **row_labels;
  /* When set, the row labels' text: row_labels' strings point into it
   * (one allocation for them all, not one each), and the array itself is
   * freed with g_free, the chunk with g_string_chunk_free. Such labels are
   * read only: to change one, copy the array with g_strdupv first (and
   * clear this field). */
  GStringChunk *row_label_text;
  char       **col_labels;
  /* The same for the column labels (a file may have millions). */
  GStringChunk *col_label_text;
  gsize        image_height;
  gsize        image_width;
  const char  *format;
  char       **notices;
  FsImportOptions *import_options;
  FsImportReport  *import_report;
  FsSparse        *sparse;
  /* The smallest and largest cell, when the reader saw them as it read
   * (range_known): fs_matrix_range () then needs no pass of its own over
   * a large matrix. Set only where every cell is observed and neither is
   * a zero (whose sign a comparison does not order). Code that changes
   * data or mask in place clears range_known (fs_matrix_mark_missing
   * does). */
  gboolean     range_known;
  double       range_min;
  double       range_max;
} FsMatrix;

typedef enum
{
  FS_SCALING_NONE,
  FS_SCALING_UNIT_RANGE,
  FS_SCALING_CENTER_COLUMNS,
  FS_SCALING_STANDARDIZE_COLUMNS,
  FS_N_SCALINGS
} FsScaling;

FsMatrix *fs_matrix_new             (gsize           rows,
                                     gsize           cols,
                                     GError        **error);
double   *fs_alloc_doubles          (gsize           count);
/* A file read through a mapping smaller than this keeps its pages: they
 * fit the room every load is allowed beside file and matrix, and giving
 * them back would cost faults for nothing. */
#define FS_GIVE_BACK_MIN_BYTES ((gsize) 8 << 20)

/* Gives the whole pages in [from, to) back to the system (madvise
 * MADV_DONTNEED): no longer resident, they read as zeros if they are
 * anonymous memory, and come back from the file if they map one. A page
 * only in part in the range stays. Returns where the pages given back
 * end (to rounded down to a page), or 0 when madvise fails. */
guintptr  fs_give_back_pages        (guintptr        from,
                                     guintptr        to);
/* Gives back the whole pages of base[0 .. bytes) read since the last
 * call: *given is where those given back end (0 at first). */
void      fs_give_back_read         (const void     *base,
                                     gsize           bytes,
                                     guintptr       *given);
FsMatrix *fs_matrix_new_take        (gsize           rows,
                                     gsize           cols,
                                     double         *data,
                                     GError        **error);
FsMatrix *fs_matrix_new_from_data   (gsize           rows,
                                     gsize           cols,
                                     const double   *data,
                                     GError        **error);
/* Takes sparse (a reference is kept). */
FsMatrix *fs_matrix_new_sparse      (FsSparse       *sparse);
/* fs_matrix_new with the cells not set (neither zeros nor NaN): for a reader
 * that writes every cell, or fails and frees the matrix (a .npy file read
 * straight into it), and so needs no pass of zeros first. */
FsMatrix *fs_matrix_new_unset       (gsize           rows,
                                     gsize           cols,
                                     GError        **error);
gboolean  fs_matrix_is_sparse       (const FsMatrix *self);
/* The observed cells: rows × cols - n_missing. */
gsize     fs_matrix_n_observed      (const FsMatrix *self);
FsMatrix *fs_matrix_copy            (const FsMatrix *self,
                                     GError        **error);
FsMatrix *fs_matrix_ref             (FsMatrix       *self);
void      fs_matrix_unref           (FsMatrix       *self);
void      fs_matrix_mark_missing    (FsMatrix       *self);
void      fs_matrix_add_notice      (FsMatrix       *self,
                                     const char     *notice);
gboolean  fs_matrix_range           (const FsMatrix *self,
                                     double         *min,
                                     double         *max);
gboolean  fs_matrix_is_observed     (const FsMatrix *self,
                                     gsize           i,
                                     gsize           j);
double    fs_matrix_get             (const FsMatrix *self,
                                     gsize           i,
                                     gsize           j);
double    fs_matrix_frobenius_sq    (const FsMatrix *self);
double    fs_matrix_mean_abs        (const FsMatrix *self);
/* A scaled copy: to [0, 1] over the whole matrix, or each column centred
 * on its mean, or centred and divided by its standard deviation (columns
 * of one value are only centred). Missing cells stay missing and count
 * for nothing. A sparse matrix keeps its pattern: its listed values are
 * scaled, the columns' means and deviations taken over the listed cells.
 * When its unlisted cells are zeros (zeros_are_values), a scaling that
 * would make them other values (centring, standardizing, or to [0, 1]
 * with negative values) is refused with an error that says it needs a
 * dense matrix. */
FsMatrix *fs_matrix_scaled          (const FsMatrix *self,
                                     FsScaling       scaling,
                                     GError        **error);
const char *fs_scaling_get_label    (FsScaling       scaling);
/* A dense copy of a sparse matrix (a plain copy of a dense one): unlisted
 * cells NaN (missing), or 0 when they are zeros; refused as
 * fs_matrix_check_size refuses, naming the shape and the memory. */
FsMatrix *fs_matrix_to_dense        (const FsMatrix *self,
                                     GError        **error);
/* A sparse copy of a dense matrix (a plain copy of a sparse one). The
 * listed cells are the observed ones (NaN cells are unlisted, so
 * missing); zeros are listed like any value. With zeros_are_values,
 * unlisted cells are zeros: zero cells are left unlisted (they mean the
 * same) and so are missing cells, which become zeros. */
FsMatrix *fs_matrix_to_sparse       (const FsMatrix *self,
                                     gboolean        zeros_are_values,
                                     GError        **error);
gboolean  fs_matrix_check_size      (gsize           rows,
                                     gsize           cols,
                                     GError        **error);
/* The same for a reader that holds beside bytes besides the matrix while
 * it fills it (a decoder's whole-image buffer). */
gboolean  fs_matrix_check_size_with (gsize           rows,
                                     gsize           cols,
                                     gsize           beside,
                                     GError        **error);
/* The same where the matrix's pages are not all touched while beside is
 * held: the address space (ulimit -v, -d) must hold the matrix and beside
 * bytes, the memory left (MemAvailable) the matrix and resident bytes
 * (at most beside): the peak is the matrix + resident (a progressive
 * JPEG's coefficients and its samples in part of the matrix's buffer,
 * then the matrix alone). */
gboolean  fs_matrix_check_size_peak (gsize           rows,
                                     gsize           cols,
                                     gsize           beside,
                                     gsize           resident,
                                     GError        **error);
/* The same for reading a sparse matrix of nnz listed cells: its row
 * pointers and cells, with the room a reader needs to sort them, must fit
 * in the memory left (a 60-byte header may claim 4 billion rows). */
gboolean  fs_matrix_check_sparse_size (gsize         rows,
                                       gsize         cols,
                                       gsize         nnz,
                                       GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsMatrix, fs_matrix_unref)

G_END_DECLS
