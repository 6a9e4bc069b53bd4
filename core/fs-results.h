/* fs-results.h: a run's results as the bytes of a CSV or .npy file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-cost-log.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

typedef enum
{
  FS_RESULT_W,
  FS_RESULT_H,
  FS_RESULT_WH,
  FS_RESULT_RESIDUAL,
  FS_RESULT_LOSS,
  FS_N_RESULTS
} FsResult;

typedef enum
{
  FS_DATA_CSV,
  FS_DATA_NPY,
} FsDataFormat;

gboolean    fs_data_format_from_path (const char          *path,
                                      FsDataFormat        *format,
                                      GError             **error);
const char *fs_data_format_get_extension (FsDataFormat     format);
gboolean    fs_result_from_string    (const char          *name,
                                      FsResult            *result);
const char *fs_result_get_file_name  (FsResult             result);
const char *fs_result_get_label      (FsResult             result);
GBytes     *fs_results_encode_matrix (FsResult             result,
                                      FsDataFormat         format,
                                      const FsMatrix      *X,
                                      const double        *W,
                                      const double        *H,
                                      guint                rank,
                                      GError             **error);
/* W H or X − W H of a sparse X on the cells X lists only, as Matrix
 * Market coordinate text (fs_results_encode_matrix refuses X − W H of a
 * sparse X, and W H in full is rows × cols, what sparse storage avoids). */
GBytes     *fs_results_encode_listed (FsResult             result,
                                      const FsMatrix      *X,
                                      const double        *W,
                                      const double        *H,
                                      guint                rank);
GBytes     *fs_results_encode_loss   (FsDataFormat         format,
                                      FsCostLog * const   *logs,
                                      const gsize         *lengths,
                                      const guint64       *seeds,
                                      guint                n_runs,
                                      GError             **error);
gboolean    fs_results_write         (const char          *path,
                                      GBytes              *contents,
                                      GError             **error);

G_END_DECLS
