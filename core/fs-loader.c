/* fs-loader.c
 *
 * The format is chosen by content first (the .npy magic, the Matrix
 * Market banner, image signatures), then by the name's extension, and
 * plain text is read as delimited numbers. Files are mapped, not copied.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-loader"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
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

static gboolean
looks_like_image (const char   *name,
                  const guint8 *data,
                  gsize         len)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (has_prefix (data, len, "\x89PNG", 4) || has_prefix (data, len, "\xFF\xD8\xFF", 3) ||
      has_prefix (data, len, "GIF8", 4) || has_prefix (data, len, "II*\0", 4) ||
      has_prefix (data, len, "MM\0*", 4) || has_prefix (data, len, "BM", 2) ||
      (len >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0))
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (g_str_has_suffix (lower, image_extensions[i]))
      return TRUE;
  return FALSE;
}

static FsMatrix *
parse (const char    *name,
       const guint8  *data,
       gsize          len,
       GError       **error)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (has_prefix (data, len, FS_NPY_MAGIC, 6) || g_str_has_suffix (lower, ".npy"))
    return fs_npy_parse (name, data, len, error);
  if ((len >= strlen (FS_MTX_BANNER) &&
       g_ascii_strncasecmp ((const char *) data, FS_MTX_BANNER, strlen (FS_MTX_BANNER)) == 0) ||
      g_str_has_suffix (lower, ".mtx"))
    return fs_mtx_parse (name, (const char *) data, len, error);
  if (looks_like_image (name, data, len))
    return fs_image_parse (name, data, len, error);
  return fs_delimited_parse (name, (const char *) data, len, error);
}

/* What every format must give the solver, however it was read: some
 * observed cell, only finite values (duplicate Matrix Market entries may
 * sum to infinity), and squares whose sum a double holds (the cost is a
 * sum of squares). */
static gboolean
check_values (const char      *name,
              const FsMatrix  *X,
              GError         **error)
{
  gsize len = X->rows * X->cols, cell = 0;
  double sum = 0.0;
  g_autofree char *row = NULL;
  g_autofree char *col = NULL;

  if (X->n_missing == len)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: every cell is missing: there is nothing to factorize"), name);
      return FALSE;
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
  g_autoptr(FsMatrix) X = NULL;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  X = parse (name, data, len, error);
  if (X == NULL || !check_values (name, X, error))
    return NULL;
  return g_steal_pointer (&X);
}

FsMatrix *
fs_matrix_load (const char  *path,
                GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize len;
  GStatBuf info;

  g_return_val_if_fail (path != NULL, NULL);

  name = g_filename_display_name (path);
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

  len = g_mapped_file_get_length (file);
  data = (const guint8 *) g_mapped_file_get_contents (file);
  if (len == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: the file is empty"), name);
      return NULL;
    }

  return fs_matrix_load_data (name, data, len, error);
}

/* By the extension: .csv (commas), .tsv or .txt (tabs), .npy. The file is
 * written beside the target and renamed over it, so a failure leaves the
 * old file whole. */
gboolean
fs_matrix_save (const FsMatrix  *X,
                const char      *path,
                GError         **error)
{
  g_autofree char *lower = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (X != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".npy"))
    bytes = fs_npy_encode (X);
  else if (g_str_has_suffix (lower, ".csv"))
    bytes = fs_csv_encode (X, ',');
  else if (g_str_has_suffix (lower, ".tsv") || g_str_has_suffix (lower, ".txt"))
    bytes = fs_csv_encode (X, '\t');
  else
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: cannot tell the format to write from the extension (use .csv, .tsv, .txt or .npy)"),
                   name);
      return FALSE;
    }

  return g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                              (gssize) g_bytes_get_size (bytes), error);
}

/* GROUNDWORK (import-core replaces these three): options other than the
 * defaults are refused, cancellation is checked only before and after. */
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
  g_autoptr(FsMatrix) X = NULL;

  if (!fs_import_options_is_default (options))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "import options are not implemented yet");
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  X = fs_matrix_load_data (name, data, len, error);
  if (X == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&X);
}

FsMatrix *
fs_matrix_load_full (const char             *path,
                     const FsImportOptions  *options,
                     GCancellable           *cancellable,
                     FsLoadProgressFunc      progress,
                     gpointer                progress_data,
                     GError                **error)
{
  g_autoptr(FsMatrix) X = NULL;

  if (!fs_import_options_is_default (options))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "import options are not implemented yet");
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  X = fs_matrix_load (path, error);
  if (X == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&X);
}

FsMatrix *
fs_matrix_load_preview (const char             *name,
                        const guint8           *data,
                        gsize                   len,
                        const FsImportOptions  *options,
                        guint                   max_rows,
                        guint                   max_cols,
                        GError                **error)
{
  return fs_matrix_load_data_full (name, data, len, options, NULL, NULL, NULL, error);
}
