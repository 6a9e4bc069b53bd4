/* fs-sparse.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-sparse"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fs-error.h"
#include "fs-sparse.h"

static const char * const storage_words[] = { "auto", "dense", "sparse" };

const char *
fs_storage_to_string (FsStorage storage)
{
  g_return_val_if_fail (storage < FS_N_STORAGES, "auto");
  return storage_words[storage];
}

gboolean
fs_storage_from_string (const char *text,
                        FsStorage  *storage)
{
  for (guint i = 0; text != NULL && i < FS_N_STORAGES; i++)
    if (g_ascii_strcasecmp (text, storage_words[i]) == 0)
      {
        *storage = (FsStorage) i;
        return TRUE;
      }
  return FALSE;
}

gboolean
fs_storage_wants_sparse (FsStorage storage,
                         guint64   listed,
                         gsize     rows,
                         gsize     cols)
{
  g_return_val_if_fail (storage < FS_N_STORAGES, FALSE);

  if (storage != FS_STORAGE_AUTO)
    return storage == FS_STORAGE_SPARSE;
  return (double) listed < FS_SPARSE_AUTO_SHARE * (double) rows * (double) cols;
}

/* The shape and the cells, in the words of fs_matrix_check_sparse_size:
 * billions of rows with a few cells are too large for their rows, which
 * only the shape tells. */
static gboolean
too_large (gsize    rows,
           gsize    cols,
           gsize    nnz,
           GError **error)
{
  g_autofree char *shape = g_strdup_printf ("%" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT, rows, cols);
  g_autofree char *cells = fs_error_number_text (nnz);

  g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
               _("A sparse matrix of %s with %s listed cells is too large to hold"), shape, cells);
  return FALSE;
}

FsSparse *
fs_sparse_new (gsize    rows,
               gsize    cols,
               gsize    nnz,
               GError **error)
{
  g_autoptr (FsSparse) self = NULL;

  if (rows == 0 || cols == 0 || cols > G_MAXUINT32 || rows > G_MAXUINT32)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("A sparse matrix needs 1 to 4294967295 rows and columns"));
      return NULL;
    }
  if (nnz > G_MAXSIZE / 16 || rows >= G_MAXSIZE / sizeof (gsize) - 1)
    {
      too_large (rows, cols, nnz, error);
      return NULL;
    }

  self = g_new0 (FsSparse, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->rows = rows;
  self->cols = cols;
  self->nnz = nnz;
  self->row_ptr = g_try_new0 (gsize, rows + 1);
  self->col_idx = g_try_new (guint32, MAX (nnz, 1));
  self->values = g_try_new (double, MAX (nnz, 1));
  if (self->row_ptr == NULL || self->col_idx == NULL || self->values == NULL)
    {
      too_large (rows, cols, nnz, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

typedef struct
{
  guint32 col;
  gsize   order;   /* the cell's place in the input: the first of a repeat wins */
} Entry;

static int
compare_entries (const void *a,
                 const void *b)
{
  const Entry *x = a, *y = b;

  if (x->col != y->col)
    return x->col < y->col ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

FsSparse *
fs_sparse_new_from_cells (gsize          rows,
                          gsize          cols,
                          const guint32 *cell_rows,
                          const guint32 *cell_cols,
                          const double  *values,
                          gsize          count,
                          gsize         *n_repeats,
                          GError       **error)
{
  g_autoptr (FsSparse) self = NULL;
  g_autofree gsize *start = NULL;
  g_autofree Entry *entries = NULL;
  gsize kept = 0;

  for (gsize k = 0; k < count; k++)
    {
      if (cell_rows[k] >= rows || cell_cols[k] >= cols)
        {
          g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                       _("Cell (%u, %u) is outside the matrix"),
                       cell_rows[k] + 1, cell_cols[k] + 1);
          return NULL;
        }
      if (isnan (values[k]))
        {
          g_set_error (error, FS_ERROR, FS_ERROR_NUMERIC,
                       _("Cell (%u, %u) is not a number"), cell_rows[k] + 1, cell_cols[k] + 1);
          return NULL;
        }
    }

  self = fs_sparse_new (rows, cols, count, error);
  if (self == NULL)
    return NULL;
  start = g_try_new0 (gsize, rows + 1);
  entries = g_try_new (Entry, MAX (count, 1));
  if (start == NULL || entries == NULL)
    {
      too_large (rows, cols, count, error);
      return NULL;
    }

  /* A stable counting sort by row, then each row by column and order. */
  for (gsize k = 0; k < count; k++)
    start[cell_rows[k] + 1]++;
  for (gsize i = 0; i < rows; i++)
    start[i + 1] += start[i];
  for (gsize k = 0; k < count; k++)
    {
      gsize at = start[cell_rows[k]]++;

      entries[at].col = cell_cols[k];
      entries[at].order = k;
    }
  /* start[i] is now the end of row i: row i runs from start[i - 1]. */
  for (gsize i = 0; i < rows; i++)
    {
      gsize begin = i == 0 ? 0 : start[i - 1], end = start[i];

      qsort (entries + begin, end - begin, sizeof (Entry), compare_entries);
      self->row_ptr[i] = kept;
      for (gsize e = begin; e < end; e++)
        {
          if (e > begin && entries[e].col == entries[e - 1].col)
            continue;
          self->col_idx[kept] = entries[e].col;
          self->values[kept] = values[entries[e].order];
          kept++;
        }
    }
  self->row_ptr[rows] = kept;
  self->nnz = kept;
  if (n_repeats != NULL)
    *n_repeats = count - kept;
  return g_steal_pointer (&self);
}

FsSparse *
fs_sparse_new_from_dense (gsize         rows,
                          gsize         cols,
                          const double *data,
                          const guint8 *mask,
                          GError      **error)
{
  g_autoptr (FsSparse) self = NULL;
  gsize nnz = 0, at = 0;

  for (gsize k = 0; k < rows * cols; k++)
    nnz += mask == NULL || mask[k];
  self = fs_sparse_new (rows, cols, nnz, error);
  if (self == NULL)
    return NULL;
  for (gsize i = 0; i < rows; i++)
    {
      self->row_ptr[i] = at;
      for (gsize j = 0; j < cols; j++)
        if (mask == NULL || mask[i * cols + j])
          {
            self->col_idx[at] = (guint32) j;
            self->values[at] = data[i * cols + j];
            at++;
          }
    }
  self->row_ptr[rows] = at;
  return g_steal_pointer (&self);
}

FsSparse *
fs_sparse_ref (FsSparse *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
fs_sparse_unref (FsSparse *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->row_ptr);
  g_free (self->col_idx);
  g_free (self->values);
  g_free (self);
}

gssize
fs_sparse_find (const FsSparse *self,
                gsize           i,
                gsize           j)
{
  gsize lo, hi;

  g_return_val_if_fail (self != NULL && i < self->rows && j < self->cols, -1);
  lo = self->row_ptr[i];
  hi = self->row_ptr[i + 1];
  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (self->col_idx[mid] < j)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo < self->row_ptr[i + 1] && self->col_idx[lo] == j ? (gssize) lo : -1;
}

double
fs_sparse_frobenius_sq (const FsSparse *self)
{
  double sum = 0.0, carry = 0.0;

  for (gsize k = 0; k < self->nnz; k++)
    {
      double v = self->values[k] * self->values[k], t = sum + v;

      /* Neumaier's compensation, as fs-solver.c sums ||X||^2. */
      carry += fabs (sum) >= fabs (v) ? (sum - t) + v : (v - t) + sum;
      sum = t;
    }
  return sum + carry;
}

gsize
fs_sparse_bytes (const FsSparse *self)
{
  return (self->rows + 1) * sizeof (gsize) + self->nnz * (sizeof (guint32) + sizeof (double));
}

/* y = X v (y: rows, v: cols). */
void
fs_sparse_mul_vec (const FsSparse *self,
                   const double   *v,
                   double         *y)
{
  g_return_if_fail (self != NULL && v != NULL && y != NULL);

  for (gsize i = 0; i < self->rows; i++)
    {
      double sum = 0.0;

      for (gsize p = self->row_ptr[i]; p < self->row_ptr[i + 1]; p++)
        sum += self->values[p] * v[self->col_idx[p]];
      y[i] = sum;
    }
}

/* y = alpha X^T u (y: cols, u: rows). */
void
fs_sparse_mul_t_vec (const FsSparse *self,
                     double          alpha,
                     const double   *u,
                     double         *y)
{
  g_return_if_fail (self != NULL && u != NULL && y != NULL);

  memset (y, 0, self->cols * sizeof (double));
  for (gsize i = 0; i < self->rows; i++)
    {
      double ui = alpha * u[i];

      for (gsize p = self->row_ptr[i]; p < self->row_ptr[i + 1]; p++)
        y[self->col_idx[p]] += self->values[p] * ui;
    }
}

/* The row with the largest norm and that norm (0 for an empty matrix). */
gsize
fs_sparse_largest_row (const FsSparse *self,
                       double         *norm)
{
  gsize best = 0;
  double best_sq = 0.0;

  g_return_val_if_fail (self != NULL && norm != NULL, 0);

  for (gsize i = 0; i < self->rows; i++)
    {
      double sq = 0.0;

      for (gsize p = self->row_ptr[i]; p < self->row_ptr[i + 1]; p++)
        sq += self->values[p] * self->values[p];
      if (sq > best_sq)
        {
          best_sq = sq;
          best = i;
        }
    }
  *norm = sqrt (best_sq);
  return best;
}

double
fs_sparse_every_cell_sq (const FsSparse *self,
                         const double   *W,
                         const double   *ht,
                         gsize           r,
                         gsize           row0,
                         gsize           row1)
{
  double sum = 0.0;

  g_return_val_if_fail (self != NULL && W != NULL && ht != NULL, NAN);
  g_return_val_if_fail (row0 <= row1 && row1 <= self->rows, NAN);

  for (gsize i = row0; i < row1; i++)
    {
      const double *w = W + i * r;
      gsize p = self->row_ptr[i];

      for (gsize j = 0; j < self->cols; j++)
        {
          const double *h = ht + j * r;
          double d = 0.0;

          for (gsize k = 0; k < r; k++)
            d -= w[k] * h[k];
          if (p < self->row_ptr[i + 1] && self->col_idx[p] == j)
            d += self->values[p++];
          sum += d * d;
        }
    }
  return sum;
}
