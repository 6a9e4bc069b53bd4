/* fs-loader.c
 *
 * The format is chosen by content first (the .npy magic, the Matrix
 * Market banner, image signatures), then by the name's extension, and
 * plain text is read as delimited numbers. Files are mapped, not copied.
 * Import options (fs-import.h) are applied here for every format but
 * delimited text's header, labels and dropped columns, which its reader
 * applies as it reads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-loader"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "fs-csv.h"
#include "fs-delimited.h"
#include "fs-error.h"
#include "fs-image.h"
#include "fs-loader.h"
#include "fs-mtx.h"
#include "fs-npy.h"

static const char * const image_extensions[] = {
  ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".pnm", ".pgm", ".ppm", ".ico",
};

static gboolean
has_prefix (const guint8 *data,
            gsize         len,
            const char   *prefix,
            gsize         prefix_len)
{
  return len >= prefix_len && memcmp (data, prefix, prefix_len) == 0;
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* "BM" alone starts words too ("BMI,age,weight"): a BMP file header also
 * holds a plausible file size, reserved zeros and the size of one of the
 * known DIB headers. */
static gboolean
looks_like_bmp (const guint8 *data,
                gsize         len)
{
  static const guint32 dib_sizes[] = { 12, 40, 52, 56, 108, 124 };
  guint32 dib;

  if (len < 18 || !has_prefix (data, len, "BM", 2) || read_le32 (data + 2) < 26 ||
      read_le32 (data + 6) != 0)
    return FALSE;
  dib = read_le32 (data + 14);
  for (guint i = 0; i < G_N_ELEMENTS (dib_sizes); i++)
    if (dib == dib_sizes[i])
      return TRUE;
  return FALSE;
}

/* Signatures of printable bytes only, which a text file may start with. */
static gboolean
has_weak_signature (const guint8 *data,
                    gsize         len)
{
  return looks_like_bmp (data, len) || has_prefix (data, len, "GIF8", 4);
}

static gboolean
has_text_extension (const char *lower)
{
  return g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
         g_str_has_suffix (lower, ".txt");
}

static gboolean
looks_like_image (const char   *name,
                  const guint8 *data,
                  gsize         len)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (has_prefix (data, len, "\x89PNG", 4) || has_prefix (data, len, "\xFF\xD8\xFF", 3) ||
      has_prefix (data, len, "II*\0", 4) || has_prefix (data, len, "MM\0*", 4) ||
      (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0))
    return TRUE;
  /* A .csv, .tsv or .txt name wins over a signature of printable bytes. */
  if (has_weak_signature (data, len))
    return !has_text_extension (lower);

  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (g_str_has_suffix (lower, image_extensions[i]))
      return TRUE;
  return FALSE;
}

typedef enum
{
  FORMAT_NPY,
  FORMAT_MTX,
  FORMAT_IMAGE,
  FORMAT_DELIMITED,
} Format;

static Format
detect_format (const char   *name,
               const guint8 *data,
               gsize         len)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (has_prefix (data, len, FS_NPY_MAGIC, 6) || g_str_has_suffix (lower, ".npy"))
    return FORMAT_NPY;
  if ((len >= strlen (FS_MTX_BANNER) &&
       g_ascii_strncasecmp ((const char *) data, FS_MTX_BANNER, strlen (FS_MTX_BANNER)) == 0) ||
      g_str_has_suffix (lower, ".mtx"))
    return FORMAT_MTX;
  if (looks_like_image (name, data, len))
    return FORMAT_IMAGE;
  return FORMAT_DELIMITED;
}

/* How a load goes: its options (never NULL), cancel and progress, the
 * records a preview reads (0: all), and whether the data is a file's
 * read-only mapping, whose pages the reader may give back as it goes. */
typedef struct
{
  const FsImportOptions *options;
  GCancellable          *cancellable;
  FsLoadProgressFunc     progress;
  gpointer               progress_data;
  guint                  max_records;
  gboolean               mapped;
} LoadRequest;

/* The header and row labels are found in delimited text only. */
static gboolean
check_options_apply (const char             *name,
                     Format                  format,
                     const FsImportOptions  *options,
                     GError                **error)
{
  if (format == FORMAT_DELIMITED ||
      (options->header == FS_HEADER_AUTO && options->row_labels == FS_ROW_LABELS_AUTO))
    return TRUE;
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("%s: the header and row-label options (--header, --row-labels) apply to CSV, "
                 "TSV and text files only"), name);
  return FALSE;
}

static FsMatrix *
parse (const char         *name,
       const guint8       *data,
       gsize               len,
       Format              format,
       const LoadRequest  *request,
       GError            **error)
{
  switch (format)
    {
    case FORMAT_NPY:
      return fs_npy_parse_full (name, data, len, request->cancellable, request->progress,
                                request->progress_data, error);
    case FORMAT_MTX:
      return fs_mtx_parse_options (name, (const char *) data, len, request->options,
                                   request->cancellable, request->progress,
                                   request->progress_data, error);
    case FORMAT_IMAGE:
      return fs_image_parse_full (name, data, len, request->mapped, request->cancellable,
                                  request->progress, request->progress_data, error);
    case FORMAT_DELIMITED:
    default:
      if (request->mapped && request->max_records == 0)
        return fs_delimited_parse_mapped (name, (const char *) data, len, request->options,
                                          request->cancellable, request->progress,
                                          request->progress_data, 0, error);
      return fs_delimited_parse_full (name, (const char *) data, len, request->options,
                                      request->cancellable, request->progress,
                                      request->progress_data, request->max_records, error);
    }
}

/* Whether the matrix is one image (not one image a row), whose shape
 * follows its own. */
static gboolean
is_one_image (const FsMatrix *X)
{
  return X->image_height == X->rows && X->image_width == X->cols;
}

/* Gives Y, of rows × cols, what X says about itself (format, notices,
 * report, options, the image shape when it is one image). */
static void
take_about (FsMatrix        *Y,
            const FsMatrix  *X,
            gsize            rows,
            gsize            cols)
{
  Y->format = X->format;
  Y->notices = g_strdupv (X->notices);
  if (X->import_report != NULL)
    Y->import_report = fs_import_report_copy (X->import_report);
  if (X->import_options != NULL)
    {
      Y->import_options = g_new0 (FsImportOptions, 1);
      fs_import_options_copy (Y->import_options, X->import_options);
    }
  if (is_one_image (X))
    {
      Y->image_height = rows;
      Y->image_width = cols;
    }
}

/* A new matrix of rows × cols with what X says about itself (format,
 * notices, report); its cells and labels are the caller's to fill. */
static FsMatrix *
new_like (const FsMatrix  *X,
          gsize            rows,
          gsize            cols,
          GError         **error)
{
  FsMatrix *Y = fs_matrix_new (rows, cols, error);

  if (Y != NULL)
    take_about (Y, X, rows, cols);
  return Y;
}

/* A sparse matrix on layout s with what X says about itself. */
static FsMatrix *
new_sparse_like (const FsMatrix *X,
                 FsSparse       *s)
{
  FsMatrix *Y;

  s->zeros_are_values = X->sparse->zeros_are_values;
  Y = fs_matrix_new_sparse (s);
  take_about (Y, X, s->rows, s->cols);
  return Y;
}

/* The columns of a sparse X that keep[] says to keep, renumbered. */
static FsMatrix *
drop_sparse_columns (const FsMatrix  *X,
                     const gboolean  *dropped,
                     gsize            kept,
                     GError         **error)
{
  const FsSparse *from = X->sparse;
  g_autofree guint32 *to = g_new (guint32, X->cols);
  g_autoptr(FsSparse) s = NULL;
  gsize nnz = 0, at = 0, c = 0;

  for (gsize j = 0; j < X->cols; j++)
    to[j] = dropped[j] ? G_MAXUINT32 : (guint32) c++;
  for (gsize e = 0; e < from->nnz; e++)
    nnz += to[from->col_idx[e]] != G_MAXUINT32;
  if (!(s = fs_sparse_new (X->rows, kept, nnz, error)))
    return NULL;
  for (gsize i = 0; i < X->rows; i++)
    {
      s->row_ptr[i] = at;
      for (gsize e = from->row_ptr[i]; e < from->row_ptr[i + 1]; e++)
        if (to[from->col_idx[e]] != G_MAXUINT32)
          {
            s->col_idx[at] = to[from->col_idx[e]];
            s->values[at++] = from->values[e];
          }
    }
  s->row_ptr[X->rows] = at;
  return new_sparse_like (X, s);
}

/* The first n strings of labels (NULL for none). */
static char **
first_labels (char * const *labels,
              gsize         n)
{
  char **copy;

  if (labels == NULL)
    return NULL;
  copy = g_new0 (char *, n + 1);
  for (gsize i = 0; i < n; i++)
    copy[i] = g_strdup (labels[i]);
  return copy;
}

/* X without the columns the options drop, for the formats other than
 * delimited text (which drops them as it reads, counting its label
 * column). */
static FsMatrix *
drop_columns (const char             *name,
              FsMatrix               *taken,
              const FsImportOptions  *options,
              GError                **error)
{
  g_autoptr(FsMatrix) X = taken;
  g_autofree gboolean *dropped = g_new0 (gboolean, X->cols);
  g_autoptr(FsMatrix) Y = NULL;
  gsize kept = X->cols, c = 0;

  for (guint k = 0; k < options->n_drop_columns; k++)
    {
      guint column = options->drop_columns[k];

      if (!fs_import_check_drop_column (name, column, X->cols, error))
        return NULL;
      dropped[column - 1] = TRUE;
      kept--;
    }
  if (kept == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: without the dropped columns, no column of numbers is left"), name);
      return NULL;
    }

  if (!(Y = X->sparse != NULL ? drop_sparse_columns (X, dropped, kept, error)
                               : new_like (X, X->rows, kept, error)))
    return NULL;
  Y->row_labels = g_strdupv (X->row_labels);
  Y->col_labels = X->col_labels != NULL ? g_new0 (char *, kept + 1) : NULL;
  for (gsize j = 0; j < X->cols; j++)
    if (!dropped[j])
      {
        for (gsize i = 0; i < X->rows && Y->sparse == NULL; i++)
          Y->data[i * kept + c] = X->data[i * X->cols + j];
        if (Y->col_labels != NULL)
          Y->col_labels[c] = g_strdup (X->col_labels[j]);
        c++;
      }
  if (Y->sparse == NULL)
    fs_matrix_mark_missing (Y);
  return g_steal_pointer (&Y);
}

/* The layout of a sparse X turned on its side, in O(nnz + rows + cols):
 * a counting sort of the cells by column, rows ascending within each. */
static FsMatrix *
transpose_sparse (const FsMatrix  *X,
                  GError         **error)
{
  const FsSparse *from = X->sparse;
  g_autoptr(FsSparse) s = fs_sparse_new (X->cols, X->rows, from->nnz, error);

  if (s == NULL)
    return NULL;
  for (gsize e = 0; e < from->nnz; e++)
    s->row_ptr[from->col_idx[e] + 1]++;
  for (gsize j = 0; j < X->cols; j++)
    s->row_ptr[j + 1] += s->row_ptr[j];
  /* row_ptr[j] is where column j's next cell goes, until it is shifted back. */
  for (gsize i = 0; i < X->rows; i++)
    for (gsize e = from->row_ptr[i]; e < from->row_ptr[i + 1]; e++)
      {
        gsize at = s->row_ptr[from->col_idx[e]]++;

        s->col_idx[at] = (guint32) i;
        s->values[at] = from->values[e];
      }
  memmove (s->row_ptr + 1, s->row_ptr, X->cols * sizeof (gsize));
  s->row_ptr[0] = 0;
  return new_sparse_like (X, s);
}

/* X turned on its side: rows become columns, row labels column names. */
static FsMatrix *
transpose (FsMatrix  *taken,
           GError   **error)
{
  g_autoptr(FsMatrix) X = taken;
  FsMatrix *Y = X->sparse != NULL ? transpose_sparse (X, error)
                                  : new_like (X, X->cols, X->rows, error);

  if (Y == NULL)
    return NULL;
  for (gsize i = 0; i < X->rows && X->sparse == NULL; i++)
    for (gsize j = 0; j < X->cols; j++)
      Y->data[j * X->rows + i] = X->data[i * X->cols + j];
  Y->row_labels = g_strdupv (X->col_labels);
  Y->col_labels = g_strdupv (X->row_labels);
  if (Y->sparse == NULL)
    fs_matrix_mark_missing (Y);
  return Y;
}

/* The top-left max_rows × max_cols of X, for a preview. */
static FsMatrix *
corner (FsMatrix  *X,
        guint      max_rows,
        guint      max_cols,
        GError   **error)
{
  g_autoptr(FsMatrix) source = X;
  gsize rows = MIN (X->rows, MAX (max_rows, 1)), cols = MIN (X->cols, MAX (max_cols, 1));
  FsMatrix *Y;

  if (rows == X->rows && cols == X->cols)
    return g_steal_pointer (&source);
  if (!(Y = new_like (X, rows, cols, error)))
    return NULL;
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      Y->data[i * cols + j] = fs_matrix_get (X, i, j);
  Y->row_labels = first_labels (X->row_labels, rows);
  Y->col_labels = first_labels (X->col_labels, cols);
  fs_matrix_mark_missing (Y);
  return Y;
}

/* With zeros_are_values, a dense matrix's missing cells are zeros: none
 * is left missing, and a notice counts them. */
static FsMatrix *
fill_missing_with_zeros (FsMatrix *X)
{
  g_autofree char *count = NULL;
  g_autofree char *notice = NULL;

  if (X->n_missing == 0)
    return X;
  count = fs_error_number_text (X->n_missing);
  notice = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s cell without a value was read as a zero "
                                         "(--zeros-are-values)",
                                         "%s cells without a value were read as zeros "
                                         "(--zeros-are-values)", X->n_missing), count);
  for (gsize k = 0; k < X->rows * X->cols; k++)
    if (isnan (X->data[k]))
      X->data[k] = 0.0;
  fs_matrix_mark_missing (X);
  fs_matrix_add_notice (X, notice);
  return X;
}

/* The storage the options ask for, and what zeros_are_values means for
 * it: a sparse matrix's unlisted cells are zeros, a dense one's missing
 * cells are. Left automatic, the readers of Matrix Market coordinate
 * files and delimited text chose as they read; .npy, images and Matrix
 * Market arrays stay dense unless forced. */
static FsMatrix *
apply_storage (const char             *name,
               FsMatrix               *taken,
               const FsImportOptions  *options,
               GError                **error)
{
  g_autoptr(FsMatrix) X = taken;
  FsMatrix *Y = NULL;

  if (X->sparse != NULL && options->storage == FS_STORAGE_DENSE)
    Y = fs_matrix_to_dense (X, error);
  else if (X->sparse == NULL && options->storage == FS_STORAGE_SPARSE)
    Y = fs_matrix_to_sparse (X, options->zeros_are_values, error);
  else if (X->sparse == NULL && options->zeros_are_values)
    return fill_missing_with_zeros (g_steal_pointer (&X));
  else
    return g_steal_pointer (&X);
  if (Y == NULL)
    g_prefix_error (error, "%s: ", name);
  else if (Y->sparse == NULL && options->zeros_are_values)
    fill_missing_with_zeros (Y);
  return Y;
}

/* Drops columns (other formats than delimited text), transposes and
 * holds the matrix as the storage option says, in that order, and keeps
 * a copy of the options that were not automatic. A preview's corner is
 * read dense. */
static FsMatrix *
apply_options (const char             *name,
               FsMatrix               *X,
               Format                  format,
               const LoadRequest      *request,
               GError                **error)
{
  const FsImportOptions *options = request->options;

  if (X != NULL && format != FORMAT_DELIMITED && options->n_drop_columns > 0)
    X = drop_columns (name, X, options, error);
  if (X != NULL && options->transpose)
    X = transpose (X, error);
  if (X != NULL && request->max_records == 0)
    X = apply_storage (name, X, options, error);
  if (X != NULL && !fs_import_options_is_default (options))
    {
      X->import_options = g_new0 (FsImportOptions, 1);
      fs_import_options_copy (X->import_options, options);
    }
  return X;
}

/* What every format must give the solver, however it was read: some
 * observed cell, only finite values (duplicate Matrix Market entries may
 * sum to infinity), and squares whose sum a double holds (the cost is a
 * sum of squares). */
static gboolean
check_sparse_values (const char      *name,
                     const FsMatrix  *X,
                     GError         **error)
{
  const FsSparse *s = X->sparse;
  g_autofree char *row = NULL;
  g_autofree char *col = NULL;
  gsize largest = 0, i = 0;

  if (s->nnz == 0 && !s->zeros_are_values)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: every cell is missing: there is nothing to factorize"), name);
      return FALSE;
    }
  if (isfinite (fs_sparse_frobenius_sq (s)))
    return TRUE;
  for (gsize e = 1; e < s->nnz; e++)
    if (fabs (s->values[e]) > fabs (s->values[largest]))
      largest = e;
  while (s->row_ptr[i + 1] <= largest)
    i++;
  row = fs_error_number_text (i + 1);
  col = fs_error_number_text ((gsize) s->col_idx[largest] + 1);
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
               _("%s: the values are too large to factorize: the sum of their squares "
                 "overflows (the largest is at row %s, column %s); divide the data by a power "
                 "of ten first"), name, row, col);
  return FALSE;
}

static gboolean
check_values (const char      *name,
              const FsMatrix  *X,
              GError         **error)
{
  gsize len = X->rows * X->cols, cell = 0;
  double sum = 0.0;
  g_autofree char *row = NULL;
  g_autofree char *col = NULL;

  if (X->sparse != NULL)
    return check_sparse_values (name, X, error);
  if (X->n_missing == len)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: every cell is missing: there is nothing to factorize"), name);
      return FALSE;
    }
  /* The common case in one quick pass: four independent sums of the
   * observed cells' squares (an infinite cell makes them infinite too).
   * Only when they overflow is the matrix walked again, slowly, for the
   * cell to name. */
  {
    const double *d = X->data;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    gsize k = 0;

    for (; k + 4 <= len; k += 4)
      {
        s0 += d[k] == d[k] ? d[k] * d[k] : 0.0;
        s1 += d[k + 1] == d[k + 1] ? d[k + 1] * d[k + 1] : 0.0;
        s2 += d[k + 2] == d[k + 2] ? d[k + 2] * d[k + 2] : 0.0;
        s3 += d[k + 3] == d[k + 3] ? d[k + 3] * d[k + 3] : 0.0;
      }
    for (; k < len; k++)
      s0 += d[k] == d[k] ? d[k] * d[k] : 0.0;
    if (isfinite ((s0 + s1) + (s2 + s3)))
      return TRUE;
  }
  for (gsize k = 0; k < len && !isinf (X->data[cell]); k++)
    if (!isnan (X->data[k]))
      {
        sum += X->data[k] * X->data[k];
        if (isnan (X->data[cell]) || fabs (X->data[k]) > fabs (X->data[cell]))
          cell = k;
      }
  if (!isinf (X->data[cell]) && isfinite (sum))
    return TRUE;

  row = fs_error_number_text (cell / X->cols + 1);
  col = fs_error_number_text (cell % X->cols + 1);
  if (isinf (X->data[cell]))
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: the cell at row %s, column %s is infinite (entries that sum past the "
                   "largest double are too)"), name, row, col);
  else
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: the values are too large to factorize: the sum of their squares "
                   "overflows (the largest is at row %s, column %s); divide the data by a power "
                   "of ten first"), name, row, col);
  return FALSE;
}

/* name is used in messages and for its extension. */
FsMatrix *
fs_matrix_load_data (const char    *name,
                     const guint8  *data,
                     gsize          len,
                     GError       **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return fs_matrix_load_data_full (name, data, len, NULL, NULL, NULL, NULL, error);
}

/* Maps a regular file, refusing what is not one and empty files. */
static GMappedFile *
map_file (const char  *path,
          const char  *name,
          GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf info;

  /* Opening a FIFO waits for a writer, forever: only regular files. */
  if (g_stat (path, &info) == 0 && !S_ISREG (info.st_mode))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_IO,
                   _("%s: not a regular file (a folder, a pipe or a device): open a file of "
                     "numbers or an image"), name);
      return NULL;
    }
  file = g_mapped_file_new (path, FALSE, &local_error);
  if (file == NULL)
    {
      /* GLib's words for it are not translated; the system's reason is. */
      g_set_error (error, FS_ERROR, FS_ERROR_IO, _("Cannot open %s: %s"), name,
                   g_access (path, R_OK) != 0 ? g_strerror (errno) : local_error->message);
      return NULL;
    }
  if (g_mapped_file_get_length (file) == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: the file is empty"), name);
      return NULL;
    }
  return g_steal_pointer (&file);
}

FsMatrix *
fs_matrix_load (const char  *path,
                GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return fs_matrix_load_full (path, NULL, NULL, NULL, NULL, error);
}

/* By the extension: .csv (commas), .tsv or .txt (tabs), .npy, .mtx
 * (fs_mtx_encode: a sparse matrix as its listed cells). A sparse matrix
 * written as a table is made dense first, as --storage dense would. The
 * file is written beside the target and renamed over it, so a failure
 * leaves the old file whole. */
gboolean
fs_matrix_save (const FsMatrix  *X,
                const char      *path,
                GError         **error)
{
  g_autofree char *lower = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean table;

  g_return_val_if_fail (X != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  name = g_filename_display_name (path);
  table = g_str_has_suffix (lower, ".npy") || g_str_has_suffix (lower, ".csv") ||
          g_str_has_suffix (lower, ".tsv") || g_str_has_suffix (lower, ".txt");
  if (X->sparse != NULL && table)
    {
      g_autoptr(FsMatrix) dense = fs_matrix_to_dense (X, error);

      if (dense == NULL)
        {
          g_prefix_error (error, _("%s: a sparse matrix is written as a table in full, and "
                                   "cannot be here (write .mtx to keep it sparse): "), name);
          return FALSE;
        }
      return fs_matrix_save (dense, path, error);
    }

  if (g_str_has_suffix (lower, ".mtx"))
    bytes = fs_mtx_encode (X);
  else if (g_str_has_suffix (lower, ".npy"))
    bytes = fs_npy_encode (X);
  else if (g_str_has_suffix (lower, ".csv"))
    bytes = fs_csv_encode (X, ',');
  else if (table)
    bytes = fs_csv_encode (X, '\t');
  else
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: cannot tell the format to write from the extension (use .csv, .tsv, "
                     ".txt, .npy or .mtx)"), name);
      return FALSE;
    }

  return g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                              (gssize) g_bytes_get_size (bytes), error);
}

/* Checks what a reader gave and reshapes it as the request asks;
 * sum_sq is the sum of the observed cells' squares when the reader took
 * it (NAN: it did not). */
static FsMatrix *
finish_load (const char         *name,
             FsMatrix           *taken,
             Format              format,
             const LoadRequest  *request,
             double              sum_sq,
             GError            **error)
{
  g_autoptr(FsMatrix) X = taken;

  /* A preview's corner may be all missing; the whole file is checked
   * when it is read (a finite sum taken by the reader says its values
   * pass, and check_values () needs no pass of its own over them). */
  if (X == NULL || (request->max_records == 0 &&
                    !(isfinite (sum_sq) && X->sparse == NULL &&
                      X->n_missing < X->rows * X->cols) &&
                    !check_values (name, X, error)))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (request->cancellable, error))
    return NULL;
  return apply_options (name, g_steal_pointer (&X), format, request, error);
}

/* Reads, checks and reshapes as the request asks. */
static FsMatrix *
load_data (const char         *name,
           const guint8       *data,
           gsize               len,
           const LoadRequest  *request,
           GError            **error)
{
  Format format = detect_format (name, data, len);

  if (!check_options_apply (name, format, request->options, error) ||
      g_cancellable_set_error_if_cancelled (request->cancellable, error))
    return NULL;
  /* An image's grey levels are finite: no pass over them to check (a
   * tenth of a second for 8000 × 8000, without a look at the cancellable). */
  return finish_load (name, parse (name, data, len, format, request, error), format, request,
                      format == FORMAT_IMAGE ? 0.0 : NAN, error);
}

static FsMatrix *
load_data_full (const char             *name,
                const guint8           *data,
                gsize                   len,
                const FsImportOptions  *options,
                GCancellable           *cancellable,
                FsLoadProgressFunc      progress,
                gpointer                progress_data,
                gboolean                mapped,
                GError                **error)
{
  FsImportOptions defaults;
  LoadRequest request = { options, cancellable, progress, progress_data, 0, mapped };
  FsMatrix *X;

  fs_import_options_init (&defaults);
  if (options == NULL)
    request.options = &defaults;
  X = load_data (name, data, len, &request, error);
  if (X != NULL && progress != NULL)
    progress (1.0, progress_data);
  return X;
}

FsMatrix *
fs_matrix_load_data_full (const char             *name,
                          const guint8           *data,
                          gsize                   len,
                          const FsImportOptions  *options,
                          GCancellable           *cancellable,
                          FsLoadProgressFunc      progress,
                          gpointer                progress_data,
                          GError                **error)
{
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  return load_data_full (name, data, len, options, cancellable, progress, progress_data, FALSE,
                         error);
}

/* The bytes that choose the format (detect_format () reads no further). */
#define HEAD_BYTES 64

/* A .npy file is read into the matrix with read (), not mapped: mapping
 * it would fault in every page of the file besides the matrix's own, and
 * copy. NULL with *error unset when the file is not a .npy (it is then
 * mapped as before). */
static FsMatrix *
read_npy_file (const char             *path,
               const char             *name,
               const FsImportOptions  *options,
               GCancellable           *cancellable,
               FsLoadProgressFunc      progress,
               gpointer                progress_data,
               GError                **error)
{
  FsImportOptions defaults;
  LoadRequest request = { options, cancellable, progress, progress_data, 0 };
  double sum_sq = NAN;
  guint8 head[HEAD_BYTES];
  GStatBuf info;
  gssize got;
  int fd;
  FsMatrix *X;

  /* Opening a FIFO waits for a writer, forever: only regular files, as
   * map_file () says. */
  if (g_stat (path, &info) != 0 || !S_ISREG (info.st_mode) || info.st_size == 0)
    return NULL;
  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return NULL;
  do
    got = pread (fd, head, sizeof head, 0);
  while (got < 0 && errno == EINTR);
  if (got <= 0 || detect_format (name, head, (gsize) got) != FORMAT_NPY)
    {
      close (fd);
      return NULL;
    }

  fs_import_options_init (&defaults);
  if (options == NULL)
    request.options = &defaults;
  if (!check_options_apply (name, FORMAT_NPY, request.options, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      close (fd);
      return NULL;
    }
  X = fs_npy_read_fd (name, fd, (guint64) info.st_size, cancellable, progress, progress_data,
                      &sum_sq, error);
  close (fd);
  X = finish_load (name, X, FORMAT_NPY, &request, sum_sq, error);
  if (X != NULL && progress != NULL)
    progress (1.0, progress_data);
  return X;
}

FsMatrix *
fs_matrix_load_full (const char             *path,
                     const FsImportOptions  *options,
                     GCancellable           *cancellable,
                     FsLoadProgressFunc      progress,
                     gpointer                progress_data,
                     GError                **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  FsMatrix *X;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  name = g_filename_display_name (path);
  X = read_npy_file (path, name, options, cancellable, progress, progress_data, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (X != NULL)
    return X;
  file = map_file (path, name, error);
  if (file == NULL)
    return NULL;
  /* The mapping is read-only and private: its pages may be given back
   * as they are read, and come back from the file if read again. */
  return load_data_full (name, (const guint8 *) g_mapped_file_get_contents (file),
                         g_mapped_file_get_length (file), options, cancellable, progress,
                         progress_data, TRUE, error);
}

/* The rules for the header and row labels see at least this many
 * records in a preview, so that they guess as the whole load does. */
#define PREVIEW_MIN_RECORDS 2000

FsMatrix *
fs_matrix_load_preview (const char             *name,
                        const guint8           *data,
                        gsize                   len,
                        const FsImportOptions  *options,
                        guint                   max_rows,
                        guint                   max_cols,
                        GError                **error)
{
  FsImportOptions defaults;
  LoadRequest request = { options, NULL, NULL, NULL, 0 };
  guint needed;
  FsMatrix *X;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  fs_import_options_init (&defaults);
  if (options == NULL)
    request.options = &defaults;
  /* Rows of the file are columns once transposed; one more for a header. */
  needed = request.options->transpose ? max_cols : max_rows;
  request.max_records = MAX (MIN (needed, G_MAXUINT - 1) + 1, PREVIEW_MIN_RECORDS);
  X = load_data (name, data, len, &request, error);
  return X != NULL ? corner (X, max_rows, max_cols, error) : NULL;
}

/* The columns of base that the options keep, in order; NULL (and error)
 * when a column to drop is past base's width or none is left. */
static GArray *
kept_columns (const FsMatrix         *base,
              const FsImportOptions  *options,
              GError                **error)
{
  const char *name = _("the matrix");
  g_autofree gboolean *dropped = g_new0 (gboolean, base->cols);
  g_autoptr(GArray) kept = g_array_sized_new (FALSE, FALSE, sizeof (gsize), (guint) base->cols);

  for (guint k = 0; k < options->n_drop_columns; k++)
    {
      if (!fs_import_check_drop_column (name, options->drop_columns[k], base->cols, error))
        return NULL;
      dropped[options->drop_columns[k] - 1] = TRUE;
    }
  for (gsize j = 0; j < base->cols; j++)
    if (!dropped[j])
      g_array_append_val (kept, j);
  if (kept->len == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: without the dropped columns, no column of numbers is left"), name);
      return NULL;
    }
  return g_steal_pointer (&kept);
}

/* The labels of the corner: those of the rows and columns it takes from
 * base, turned with it. */
static void
corner_labels (FsMatrix       *Y,
               const FsMatrix *base,
               const gsize    *kept,
               gboolean        transposed)
{
  char **by_row = transposed ? base->col_labels : base->row_labels;
  char **by_col = transposed ? base->row_labels : base->col_labels;

  if (by_row != NULL)
    {
      Y->row_labels = g_new0 (char *, Y->rows + 1);
      for (gsize i = 0; i < Y->rows; i++)
        Y->row_labels[i] = g_strdup (by_row[transposed ? kept[i] : i]);
    }
  if (by_col != NULL)
    {
      Y->col_labels = g_new0 (char *, Y->cols + 1);
      for (gsize j = 0; j < Y->cols; j++)
        Y->col_labels[j] = g_strdup (by_col[transposed ? j : kept[j]]);
    }
}

FsMatrix *
fs_matrix_import_corner (const FsMatrix         *base,
                         const FsImportOptions  *options,
                         guint                   max_rows,
                         guint                   max_cols,
                         GError                **error)
{
  g_autoptr(GArray) kept = NULL;
  const gsize *keep;
  gboolean turn;
  gsize rows, cols;
  FsMatrix *Y;

  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(kept = kept_columns (base, options, error)))
    return NULL;
  keep = (const gsize *) kept->data;
  turn = options->transpose;
  /* Only the corner is copied: O(max_rows × max_cols), whatever base's size. */
  rows = MIN (turn ? kept->len : base->rows, MAX (max_rows, 1));
  cols = MIN (turn ? base->rows : kept->len, MAX (max_cols, 1));
  if (!(Y = new_like (base, rows, cols, error)))
    return NULL;
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      Y->data[i * cols + j] = turn ? fs_matrix_get (base, j, keep[i]) : fs_matrix_get (base, i, keep[j]);
  corner_labels (Y, base, keep, turn);
  fs_matrix_mark_missing (Y);
  if (Y->import_options == NULL && !fs_import_options_is_default (options))
    Y->import_options = g_new0 (FsImportOptions, 1);
  if (Y->import_options != NULL)
    fs_import_options_copy (Y->import_options, options);
  return Y;
}
