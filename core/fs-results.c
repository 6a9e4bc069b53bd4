/* fs-results.c
 *
 * The one place where a run's W, H, W H, X − W H and loss history become
 * file contents, for the command line's --out and the window's Export
 * Data. A CSV always has a header row and a first column of labels, so
 * that pandas.read_csv (f, index_col=0) and R's read.csv (f, row.names = 1)
 * read it as the same table:
 *
 * - rows: the input's row labels, or 1, 2, … (as R numbers rows);
 * - columns: the input's column labels, or V1, V2, … (as R names them);
 * - components: c1, c2, … (names neither R nor pandas change).
 *
 * W has the input's rows and the components as columns, H the components
 * as rows and the input's columns, W H and X − W H the input's rows and
 * columns; X − W H is NaN where X is missing. The loss history has one
 * row per iteration (its label, from 0) and one column per run ("cost",
 * or "seed_S" for each of several runs), NaN after a run's end. A .npy
 * file holds the same numbers without the labels.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-results"

#include <cblas.h>
#include <glib/gi18n-lib.h>
#include <math.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-npy.h"
#include "fs-results.h"

static const struct
{
  const char *name;
  const char *label;
} results[FS_N_RESULTS] = {
  [FS_RESULT_W] = { "W", N_("W") },
  [FS_RESULT_H] = { "H", N_("H") },
  [FS_RESULT_WH] = { "WH", N_("WH") },
  [FS_RESULT_RESIDUAL] = { "residual", N_("X − WH") },
  [FS_RESULT_LOSS] = { "loss", N_("Loss history") },
};

/* By the extension, in any case: .csv or .npy. */
gboolean
fs_data_format_from_path (const char    *path,
                          FsDataFormat  *format,
                          GError       **error)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL && format != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".csv"))
    *format = FS_DATA_CSV;
  else if (g_str_has_suffix (lower, ".npy"))
    *format = FS_DATA_NPY;
  else
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s: cannot tell the format to write from the extension (use .csv or .npy)"),
                   name);
      return FALSE;
    }
  return TRUE;
}

/* "csv" or "npy", without the dot. */
const char *
fs_data_format_get_extension (FsDataFormat format)
{
  return format == FS_DATA_NPY ? "npy" : "csv";
}

/* "W", "H", "WH", "residual" or "loss". */
gboolean
fs_result_from_string (const char *name,
                       FsResult   *result)
{
  g_return_val_if_fail (result != NULL, FALSE);

  for (guint k = 0; name != NULL && k < FS_N_RESULTS; k++)
    if (g_str_equal (name, results[k].name))
      {
        *result = (FsResult) k;
        return TRUE;
      }
  return FALSE;
}

/* The file's name without its extension, which is also the result's
 * name in fs_result_from_string. */
const char *
fs_result_get_file_name (FsResult result)
{
  g_return_val_if_fail ((guint) result < FS_N_RESULTS, NULL);
  return results[result].name;
}

/* Translated, for menus: "W", "H", "WH", "X − WH", "Loss history". */
const char *
fs_result_get_label (FsResult result)
{
  g_return_val_if_fail ((guint) result < FS_N_RESULTS, NULL);
  return _(results[result].label);
}

/* labels itself when there are some, else prefix1, prefix2, … or, with
 * no prefix, 1, 2, … */
static GStrv
labels_or_numbers (char * const *labels,
                   gsize         n,
                   const char   *prefix)
{
  GStrv out = g_new0 (char *, n + 1);

  for (gsize k = 0; k < n; k++)
    out[k] = labels != NULL ? g_strdup (labels[k])
                            : g_strdup_printf ("%s%" G_GSIZE_FORMAT, prefix, k + 1);
  return out;
}

/* W H, or X − W H with NaN where X is missing. */
static double *
product (const FsMatrix *X,
         const double   *W,
         const double   *H,
         guint           rank,
         gboolean        residual)
{
  gsize len = X->rows * X->cols;
  double *out = g_new (double, len);

  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) X->rows, (int) X->cols,
               (int) rank, 1.0, W, (int) rank, H, (int) X->cols, 0.0, out, (int) X->cols);
  for (gsize k = 0; residual && k < len; k++)
    out[k] = X->mask != NULL && X->mask[k] == 0 ? NAN : X->data[k] - out[k];
  return out;
}

static GBytes *
encode (FsDataFormat         format,
        gsize                rows,
        gsize                cols,
        const double        *data,
        const char          *corner,
        const char * const  *row_labels,
        const char * const  *col_labels)
{
  if (format == FS_DATA_NPY)
    return fs_npy_encode_data (rows, cols, data);
  return fs_csv_encode_table (rows, cols, data, corner, row_labels, col_labels);
}

/* W (rows × rank), H (rank × cols), W H or X − W H as a file's contents;
 * X is the matrix the solver ran on, after scaling. */
GBytes *
fs_results_encode_matrix (FsResult         result,
                          FsDataFormat     format,
                          const FsMatrix  *X,
                          const double    *W,
                          const double    *H,
                          guint            rank,
                          GError         **error)
{
  g_auto(GStrv) rows = NULL;
  g_auto(GStrv) cols = NULL;
  g_auto(GStrv) components = NULL;
  g_autofree double *product_data = NULL;

  g_return_val_if_fail (X != NULL && W != NULL && H != NULL && rank > 0, NULL);
  g_return_val_if_fail (result < FS_RESULT_LOSS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* X - WH needs X->data; WH is formed from W and H alone, so a sparse
   * X refuses only the residual. */
  if (X->sparse != NULL && result == FS_RESULT_RESIDUAL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("%s of a sparse matrix is not written in full, rows × columns: it is "
                     "written on the listed cells as Matrix Market (.mtx)"),
                   fs_result_get_label (result));
      return NULL;
    }
  /* The size that counts is the written table's: W and H of a large
   * sparse X are small. */
  if (!fs_matrix_check_size (result == FS_RESULT_H ? rank : X->rows,
                             result == FS_RESULT_W ? rank : X->cols, error))
    return NULL;
  rows = labels_or_numbers (X->row_labels, X->rows, "");
  cols = labels_or_numbers (X->col_labels, X->cols, "V");
  components = labels_or_numbers (NULL, rank, "c");

  switch (result)
    {
    case FS_RESULT_W:
      return encode (format, X->rows, rank, W, "", (const char * const *) rows,
                     (const char * const *) components);
    case FS_RESULT_H:
      return encode (format, rank, X->cols, H, "", (const char * const *) components,
                     (const char * const *) cols);
    default:
      product_data = product (X, W, H, rank, result == FS_RESULT_RESIDUAL);
      return encode (format, X->rows, X->cols, product_data, "", (const char * const *) rows,
                     (const char * const *) cols);
    }
}

/* The first lengths[k] costs of each run's log, one column per run, NaN
 * where a run has ended; seeds name the columns of several runs. */
GBytes *
fs_results_encode_loss (FsDataFormat       format,
                        FsCostLog * const *logs,
                        const gsize       *lengths,
                        const guint64     *seeds,
                        guint              n_runs,
                        GError           **error)
{
  gsize longest = 0;
  g_autofree double *data = NULL;
  g_auto(GStrv) iterations = NULL;
  g_auto(GStrv) columns = g_new0 (char *, n_runs + 1);

  g_return_val_if_fail (n_runs > 0 && logs != NULL && lengths != NULL, NULL);
  g_return_val_if_fail (n_runs == 1 || seeds != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint k = 0; k < n_runs; k++)
    {
      g_return_val_if_fail (lengths[k] <= fs_cost_log_get_length (logs[k]), NULL);
      longest = MAX (longest, lengths[k]);
      columns[k] = n_runs == 1 ? g_strdup ("cost")
                               : g_strdup_printf ("seed_%" G_GUINT64_FORMAT, seeds[k]);
    }
  if (!fs_matrix_check_size (longest, n_runs, error))
    return NULL;

  data = g_new (double, longest * n_runs);
  iterations = g_new0 (char *, longest + 1);
  for (gsize t = 0; t < longest; t++)
    {
      iterations[t] = g_strdup_printf ("%" G_GSIZE_FORMAT, t);
      for (guint k = 0; k < n_runs; k++)
        data[t * n_runs + k] = t < lengths[k] ? fs_cost_log_get (logs[k], t) : NAN;
    }
  return encode (format, longest, n_runs, data, "iteration", (const char * const *) iterations,
                 (const char * const *) columns);
}

/* Replaces path whole or not at all: see fs_csv_write_set. */
gboolean
fs_results_write (const char  *path,
                  GBytes      *contents,
                  GError     **error)
{
  const char *paths[] = { path };
  GBytes *all[] = { contents };

  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);

  return fs_csv_write_set (1, paths, all, error);
}

GBytes *
fs_results_encode_listed (FsResult         result,
                          const FsMatrix  *X,
                          const double    *W,
                          const double    *H,
                          guint            rank)
{
  const FsSparse *s;
  GString *out;
  gsize m;
  g_autofree double *ht = NULL;

  g_return_val_if_fail (X != NULL && X->sparse != NULL && W != NULL && H != NULL, NULL);
  g_return_val_if_fail (result == FS_RESULT_WH || result == FS_RESULT_RESIDUAL, NULL);

  s = X->sparse;
  m = X->cols;
  ht = g_new (double, m * rank);
  for (guint k = 0; k < rank; k++)
    for (gsize j = 0; j < m; j++)
      ht[j * rank + k] = H[k * m + j];
  out = g_string_new ("%%MatrixMarket matrix coordinate real general\n");
  g_string_append_printf (out, "%% Factorscope: %s on the cells X lists; %s\n",
                          result == FS_RESULT_WH ? "W H" : "X - W H",
                          s->zeros_are_values ? "on the others X is 0"
                                              : "the others are missing in X");
  g_string_append_printf (out, "%" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT "\n",
                          X->rows, m, s->nnz);
  for (gsize i = 0; i < X->rows; i++)
    for (gsize e = s->row_ptr[i]; e < s->row_ptr[i + 1]; e++)
      {
        const double *w = W + i * rank, *h = ht + (gsize) s->col_idx[e] * rank;
        double wh = 0.0;

        for (guint k = 0; k < rank; k++)
          wh += w[k] * h[k];
        g_string_append_printf (out, "%" G_GSIZE_FORMAT " %u ", i + 1, s->col_idx[e] + 1);
        fs_csv_append_number (out, result == FS_RESULT_WH ? wh : s->values[e] - wh);
        g_string_append_c (out, '\n');
      }
  return g_string_free_to_bytes (out);
}
