/* fs-matrix.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-matrix"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fs-error.h"
#include "fs-matrix.h"

/* "rows × cols" for messages: xgettext cannot read the GLib format macros
 * inside a translatable string. */
static char *
format_shape (gsize rows,
              gsize cols)
{
  return g_strdup_printf ("%" G_GSIZE_FORMAT " × %" G_GSIZE_FORMAT, rows, cols);
}

static void
fs_matrix_clear (FsMatrix *self)
{
  g_free (self->data);
  g_free (self->mask);
  if (self->row_label_text != NULL)
    {
      g_free (self->row_labels);
      g_string_chunk_free (self->row_label_text);
    }
  else
    g_strfreev (self->row_labels);
  if (self->col_label_text != NULL)
    {
      g_free (self->col_labels);
      g_string_chunk_free (self->col_label_text);
    }
  else
    g_strfreev (self->col_labels);
  g_strfreev (self->notices);
  if (self->import_options != NULL)
    fs_import_options_clear (self->import_options);
  g_clear_pointer (&self->import_options, g_free);
  g_clear_pointer (&self->import_report, fs_import_report_free);
  g_clear_pointer (&self->sparse, fs_sparse_unref);
}

/* The address-space and data limits (ulimit -v, -d): what this process
 * may still allocate, resident or not; G_MAXSIZE where none is set. */
static gsize
address_space_available (void)
{
  gsize most = G_MAXSIZE;
  struct rlimit limit;

  if (getrlimit (RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    most = MIN (most, (gsize) limit.rlim_cur);
  if (getrlimit (RLIMIT_DATA, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    most = MIN (most, (gsize) limit.rlim_cur);
  return most;
}

/* The kernel's MemAvailable: what may still be resident; G_MAXSIZE when
 * it is not known. */
static gsize
resident_available (void)
{
  g_autofree char *meminfo = NULL;
  const char *line;

  if (g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL) &&
      (line = strstr (meminfo, "MemAvailable:")) != NULL)
    return (gsize) g_ascii_strtoull (line + strlen ("MemAvailable:"), NULL, 10) * 1024;
  return G_MAXSIZE;
}

/* Bytes this process may still allocate: the kernel's MemAvailable, and
 * the address-space and data limits (ulimit -v, -d); G_MAXSIZE where none
 * is known. */
static gsize
memory_available (void)
{
  return MIN (resident_available (), address_space_available ());
}

/* Refuses, before anything is allocated, a size whose byte count
 * overflows, that the solver cannot take (it indexes cells with int), or
 * that the memory left cannot hold: a header that claims an absurd size
 * gets a message, not an abort or gigabytes of swap. */
gboolean
fs_matrix_check_size (gsize    rows,
                      gsize    cols,
                      GError **error)
{
  return fs_matrix_check_size_with (rows, cols, 0, error);
}

gboolean
fs_matrix_check_size_with (gsize    rows,
                           gsize    cols,
                           gsize    beside,
                           GError **error)
{
  return fs_matrix_check_size_peak (rows, cols, beside, beside, error);
}

gboolean
fs_matrix_check_size_peak (gsize    rows,
                           gsize    cols,
                           gsize    beside,
                           gsize    resident,
                           GError **error)
{
  g_autofree char *matrix_shape = NULL;
  gsize available;
  double matrix, need;

  if (rows == 0 || cols == 0)
    {
      g_autofree char *shape = format_shape (rows, cols);

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("A matrix of %s has no cells"), shape);
      return FALSE;
    }

  if (rows > G_MAXSIZE / cols || rows * cols > G_MAXSIZE / sizeof (double) / 2)
    {
      g_autofree char *shape = format_shape (rows, cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("A matrix of %s is too large to hold"), shape);
      return FALSE;
    }

  if (rows * cols > (gsize) G_MAXINT)
    {
      g_autofree char *shape = format_shape (rows, cols);
      g_autofree char *cells = fs_error_number_text (rows * cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("A matrix of %s has %s cells, more than the 2147483647 the solver takes: "
                     "use a part of it"), shape, cells);
      return FALSE;
    }

  /* Small matrices are not worth a look at /proc. The address space
   * (ulimit -v, -d) must hold the matrix and all that is beside it; the
   * memory left (MemAvailable too), the matrix and what of that is
   * resident beside it at the peak. */
  matrix = rows * (double) cols * sizeof (double);
  resident = MIN (resident, beside);
  if (matrix + beside < (double) (64 << 20))
    return TRUE;
  if (matrix + beside > (double) (available = address_space_available ()))
    need = matrix + beside;
  else if (matrix + resident > (double) (available = memory_available ()))
    {
      need = matrix + resident;
      beside = resident;
    }
  else
    return TRUE;

  matrix_shape = format_shape (rows, cols);
  if (beside == 0)
    g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                 _("A matrix of %s needs %.1f GiB, more than the %.1f GiB of memory left: "
                   "use a part of it, or free memory"),
                 matrix_shape, need / (1 << 30), available / (double) (1 << 30));
  else
    g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                 _("A matrix of %s and the %.1f GiB its reading holds beside it need "
                   "%.1f GiB, more than the %.1f GiB of memory left: use a part of it, "
                   "or free memory"),
                 matrix_shape, (double) beside / (1 << 30), need / (1 << 30),
                 available / (double) (1 << 30));
  return FALSE;
}

gboolean
fs_matrix_check_sparse_size (gsize    rows,
                             gsize    cols,
                             gsize    nnz,
                             GError **error)
{
  /* Two row-pointer arrays (the layout's and a sort's) and, per cell, the
   * triplet (16 bytes), the layout (12) and a sort entry (16). */
  double need = (rows + 1.0) * 2 * sizeof (gsize) + nnz * 44.0;
  gsize available;

  if (need < (double) (64 << 20) || need <= (double) (available = memory_available ()))
    return TRUE;
  {
    g_autofree char *shape = format_shape (rows, cols);
    g_autofree char *cells = fs_error_number_text (nnz);

    g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                 _("A sparse matrix of %s with %s listed cells needs %.1f GiB to read, more "
                   "than the %.1f GiB of memory left: use a part of it, or free memory"),
                 shape, cells, need / (1 << 30), available / (double) (1 << 30));
    return FALSE;
  }
}

FsMatrix *
fs_matrix_new (gsize    rows,
               gsize    cols,
               GError **error)
{
  FsMatrix *self;
  double *data;

  if (!fs_matrix_check_size (rows, cols, error))
    return NULL;

  data = fs_alloc_doubles (rows * cols);
  if (data == NULL)
    {
      g_autofree char *shape = format_shape (rows, cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for a matrix of %s (%.1f MiB)"),
                   shape, rows * (double) cols * 8 / (1024 * 1024));
      return NULL;
    }

  self = g_atomic_rc_box_new0 (FsMatrix);
  self->rows = rows;
  self->cols = cols;
  self->data = data;
  return self;
}

/* From this size on, fs_alloc_doubles asks for huge pages. */
#define HUGE_BYTES ((gsize) 4 << 20)
#define HUGE_PAGE ((gsize) 2 << 20)

/* count doubles, not set, starting on a 64-byte boundary, so that rows
 * whose length is a multiple of 8 start on a cache line and the solver's
 * vector loads never straddle two; NULL when memory runs out. Free with
 * g_free.
 *
 * From 4 MiB on, the block starts on a 2 MiB boundary and asks the kernel
 * for transparent huge pages (where it grants them only on request): the
 * products walk X down its columns, a row per 4 KiB page or more on wide
 * matrices, and with small pages nearly every row misses the first-level
 * TLB. The first write to a page faults it in (huge). */
static double *
alloc_doubles_unset (gsize count)
{
  gsize bytes = MAX (count, 1) * sizeof (double);
  void *p = NULL;

  if (count > G_MAXSIZE / sizeof (double) ||
      posix_memalign (&p, bytes >= HUGE_BYTES ? HUGE_PAGE : 64, bytes) != 0)
    return NULL;
#ifdef MADV_HUGEPAGE
  if (bytes >= HUGE_BYTES)
    madvise (p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

guintptr
fs_give_back_pages (guintptr from,
                    guintptr to)
{
  guintptr page = (guintptr) sysconf (_SC_PAGESIZE);
  guintptr first = (from + page - 1) / page * page;
  guintptr end = to / page * page;

  if (end > first && madvise ((void *) first, end - first, MADV_DONTNEED) != 0)
    return 0;
  return end;
}

void
fs_give_back_read (const void *base,
                   gsize       bytes,
                   guintptr   *given)
{
  guintptr end = (guintptr) base + bytes;

  if (*given == 0)
    *given = (guintptr) base;
  if (end > *given)
    {
      guintptr to = fs_give_back_pages (*given, end);

      /* The part page at the end goes with the next call's. */
      if (to > *given)
        *given = to;
    }
}

/* As alloc_doubles_unset, zeroed. */
double *
fs_alloc_doubles (gsize count)
{
  double *p = alloc_doubles_unset (count);

  if (p != NULL)
    memset (p, 0, MAX (count, 1) * sizeof (double));
  return p;
}

/* A matrix of data, which it takes (allocated as fs_alloc_doubles does,
 * freed with g_free, rows × cols filled, possibly more room after them):
 * for a loader that parses straight into its buffer. On a size error,
 * data is freed. The mask is not built: call fs_matrix_mark_missing. */
FsMatrix *
fs_matrix_new_take (gsize     rows,
                    gsize     cols,
                    double   *data,
                    GError  **error)
{
  FsMatrix *self;

  g_return_val_if_fail (data != NULL, NULL);

  if (!fs_matrix_check_size (rows, cols, error))
    {
      g_free (data);
      return NULL;
    }
  self = g_atomic_rc_box_new0 (FsMatrix);
  self->rows = rows;
  self->cols = cols;
  self->data = data;
  return self;
}

FsMatrix *
fs_matrix_new_from_data (gsize         rows,
                         gsize         cols,
                         const double *data,
                         GError      **error)
{
  FsMatrix *self;

  g_return_val_if_fail (data != NULL, NULL);

  self = fs_matrix_new (rows, cols, error);
  if (self == NULL)
    return NULL;

  memcpy (self->data, data, rows * cols * sizeof (double));
  fs_matrix_mark_missing (self);
  return self;
}

FsMatrix *
fs_matrix_new_sparse (FsSparse *sparse)
{
  FsMatrix *self;

  g_return_val_if_fail (sparse != NULL, NULL);

  self = g_atomic_rc_box_new0 (FsMatrix);
  self->rows = sparse->rows;
  self->cols = sparse->cols;
  self->sparse = fs_sparse_ref (sparse);
  self->n_missing = sparse->zeros_are_values ? 0 : sparse->rows * sparse->cols - sparse->nnz;
  return self;
}

gboolean
fs_matrix_is_sparse (const FsMatrix *self)
{
  return self != NULL && self->sparse != NULL;
}

gsize
fs_matrix_n_observed (const FsMatrix *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rows * self->cols - self->n_missing;
}

static void copy_about (FsMatrix       *copy,
                        const FsMatrix *self);

FsMatrix *
fs_matrix_copy (const FsMatrix *self,
                GError        **error)
{
  FsMatrix *copy;

  g_return_val_if_fail (self != NULL, NULL);

  /* A sparse layout is immutable: the copy shares it. */
  copy = self->sparse != NULL ? fs_matrix_new_sparse (self->sparse)
                              : fs_matrix_new_from_data (self->rows, self->cols, self->data, error);
  if (copy == NULL)
    return NULL;
  copy_about (copy, self);
  return copy;
}

/* What self says about itself, besides its cells: labels, image shape,
 * format, notices, options and report. */
static void
copy_about (FsMatrix       *copy,
            const FsMatrix *self)
{
  copy->row_labels = g_strdupv (self->row_labels);
  copy->col_labels = g_strdupv (self->col_labels);
  copy->image_height = self->image_height;
  copy->image_width = self->image_width;
  copy->format = self->format;
  copy->notices = g_strdupv (self->notices);
  if (self->import_options != NULL)
    {
      copy->import_options = g_new0 (FsImportOptions, 1);
      fs_import_options_copy (copy->import_options, self->import_options);
    }
  if (self->import_report != NULL)
    copy->import_report = fs_import_report_copy (self->import_report);
}

FsMatrix *
fs_matrix_ref (FsMatrix *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
fs_matrix_unref (FsMatrix *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) fs_matrix_clear);
}

/* Builds the mask from the NaN cells; call it after filling data. */
void
fs_matrix_mark_missing (FsMatrix *self)
{
  gsize len, missing = 0;

  g_return_if_fail (self != NULL);
  /* A sparse matrix's missing cells are its unlisted ones. */
  g_return_if_fail (self->sparse == NULL);

  len = self->rows * self->cols;
  for (gsize k = 0; k < len; k++)
    missing += isnan (self->data[k]) ? 1 : 0;

  g_clear_pointer (&self->mask, g_free);
  self->n_missing = missing;
  self->range_known = FALSE;
  if (missing == 0)
    return;

  self->mask = g_malloc (len);
  for (gsize k = 0; k < len; k++)
    self->mask[k] = isnan (self->data[k]) ? 0 : 1;
}

gboolean
fs_matrix_is_observed (const FsMatrix *self,
                       gsize           i,
                       gsize           j)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (i < self->rows && j < self->cols, FALSE);

  if (self->sparse != NULL)
    return self->sparse->zeros_are_values || fs_sparse_find (self->sparse, i, j) >= 0;
  return self->mask == NULL || self->mask[i * self->cols + j] != 0;
}

double
fs_matrix_get (const FsMatrix *self,
               gsize           i,
               gsize           j)
{
  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (i < self->rows && j < self->cols, NAN);

  if (self->sparse != NULL)
    {
      gssize at = fs_sparse_find (self->sparse, i, j);

      return at >= 0 ? self->sparse->values[at] : self->sparse->zeros_are_values ? 0.0 : NAN;
    }
  return self->data[i * self->cols + j];
}

/* Sum of squares of the observed cells. */
double
fs_matrix_frobenius_sq (const FsMatrix *self)
{
  gsize len;
  double sum = 0.0;

  g_return_val_if_fail (self != NULL, NAN);

  if (self->sparse != NULL)
    return fs_sparse_frobenius_sq (self->sparse);
  len = self->rows * self->cols;
  for (gsize k = 0; k < len; k++)
    if (self->mask == NULL || self->mask[k])
      sum += self->data[k] * self->data[k];

  return sum;
}

double
fs_matrix_mean_abs (const FsMatrix *self)
{
  gsize len, observed;
  double sum = 0.0;

  g_return_val_if_fail (self != NULL, NAN);

  len = self->rows * self->cols;
  observed = len - self->n_missing;
  if (observed == 0)
    return 0.0;

  if (self->sparse != NULL)
    {
      for (gsize k = 0; k < self->sparse->nnz; k++)
        sum += fabs (self->sparse->values[k]);
      return sum / (double) observed;
    }
  for (gsize k = 0; k < len; k++)
    if (self->mask == NULL || self->mask[k])
      sum += fabs (self->data[k]);

  return sum / (double) observed;
}

void
fs_matrix_add_notice (FsMatrix   *self,
                      const char *notice)
{
  guint n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (notice != NULL);

  n = self->notices != NULL ? g_strv_length (self->notices) : 0;
  self->notices = g_renew (char *, self->notices, n + 2);
  self->notices[n] = g_strdup (notice);
  self->notices[n + 1] = NULL;
}

/* The smallest and largest observed values; FALSE when none is observed. */
gboolean
fs_matrix_range (const FsMatrix *self,
                 double         *min,
                 double         *max)
{
  gsize len;
  double lo = INFINITY, hi = -INFINITY;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (min != NULL && max != NULL, FALSE);

  if (self->sparse != NULL)
    {
      for (gsize k = 0; k < self->sparse->nnz; k++)
        {
          lo = MIN (lo, self->sparse->values[k]);
          hi = MAX (hi, self->sparse->values[k]);
        }
      if (self->sparse->zeros_are_values && self->sparse->nnz < self->rows * self->cols)
        {
          lo = MIN (lo, 0.0);
          hi = MAX (hi, 0.0);
        }
      *min = lo;
      *max = hi;
      return lo <= hi;
    }
  if (self->range_known)
    {
      *min = self->range_min;
      *max = self->range_max;
      return TRUE;
    }
  len = self->rows * self->cols;
  if (self->mask == NULL)
    {
      /* Every cell observed (no NaN): four independent minima and maxima,
       * without a branch, where one chain of compares was a quarter of
       * `info` on a large .npy. */
      const double *d = self->data;
      double lo1 = lo, lo2 = lo, lo3 = lo, hi1 = hi, hi2 = hi, hi3 = hi;
      gsize k = 0;

      for (; k + 4 <= len; k += 4)
        {
          lo = MIN (lo, d[k]);
          hi = MAX (hi, d[k]);
          lo1 = MIN (lo1, d[k + 1]);
          hi1 = MAX (hi1, d[k + 1]);
          lo2 = MIN (lo2, d[k + 2]);
          hi2 = MAX (hi2, d[k + 2]);
          lo3 = MIN (lo3, d[k + 3]);
          hi3 = MAX (hi3, d[k + 3]);
        }
      for (; k < len; k++)
        {
          lo = MIN (lo, d[k]);
          hi = MAX (hi, d[k]);
        }
      lo = MIN (MIN (lo, lo1), MIN (lo2, lo3));
      hi = MAX (MAX (hi, hi1), MAX (hi2, hi3));
    }
  else
    for (gsize k = 0; k < len; k++)
      if (self->mask[k])
        {
          lo = MIN (lo, self->data[k]);
          hi = MAX (hi, self->data[k]);
        }

  *min = lo;
  *max = hi;
  return lo <= hi;
}

/* The translated label of a scaling, for a list to choose from. */
const char *
fs_scaling_get_label (FsScaling scaling)
{
  static const char * const labels[FS_N_SCALINGS] = {
    N_("None"), N_("To [0, 1]"), N_("Centre columns"), N_("Standardize columns"),
  };

  g_return_val_if_fail ((guint) scaling < FS_N_SCALINGS, NULL);
  return _(labels[scaling]);
}

static FsMatrix *scaled_sparse (const FsMatrix  *self,
                                FsScaling        scaling,
                                GError         **error);

FsMatrix *
fs_matrix_scaled (const FsMatrix  *self,
                  FsScaling        scaling,
                  GError         **error)
{
  g_autoptr(FsMatrix) copy = NULL;
  double lo, hi;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->sparse != NULL && scaling != FS_SCALING_NONE)
    return scaled_sparse (self, scaling, error);
  copy = fs_matrix_copy (self, error);
  if (copy == NULL || scaling == FS_SCALING_NONE)
    return g_steal_pointer (&copy);

  if (scaling == FS_SCALING_UNIT_RANGE)
    {
      if (fs_matrix_range (copy, &lo, &hi) && hi > lo)
        for (gsize k = 0; k < copy->rows * copy->cols; k++)
          copy->data[k] = (copy->data[k] - lo) / (hi - lo);
      return g_steal_pointer (&copy);
    }

  for (gsize j = 0; j < copy->cols; j++)
    {
      double sum = 0.0, squares = 0.0, mean, sd;
      gsize n = 0;

      for (gsize i = 0; i < copy->rows; i++)
        if (fs_matrix_is_observed (copy, i, j))
          {
            sum += copy->data[i * copy->cols + j];
            n++;
          }
      if (n == 0)
        continue;
      mean = sum / n;
      for (gsize i = 0; i < copy->rows; i++)
        if (fs_matrix_is_observed (copy, i, j))
          squares += pow (copy->data[i * copy->cols + j] - mean, 2);
      sd = n > 1 ? sqrt (squares / (n - 1)) : 0.0;
      for (gsize i = 0; i < copy->rows; i++)
        if (fs_matrix_is_observed (copy, i, j))
          {
            double *v = &copy->data[i * copy->cols + j];

            *v -= mean;
            if (scaling == FS_SCALING_STANDARDIZE_COLUMNS && sd > 0.0)
              *v /= sd;
          }
    }
  return g_steal_pointer (&copy);
}

FsMatrix *
fs_matrix_to_dense (const FsMatrix  *self,
                    GError         **error)
{
  g_autoptr(FsMatrix) dense = NULL;
  const FsSparse *s;
  double unlisted;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->sparse == NULL)
    return fs_matrix_copy (self, error);
  s = self->sparse;
  dense = fs_matrix_new (self->rows, self->cols, error);
  if (dense == NULL)
    return NULL;
  unlisted = s->zeros_are_values ? 0.0 : NAN;
  for (gsize k = 0; k < self->rows * self->cols; k++)
    dense->data[k] = unlisted;
  for (gsize i = 0; i < s->rows; i++)
    for (gsize e = s->row_ptr[i]; e < s->row_ptr[i + 1]; e++)
      dense->data[i * s->cols + s->col_idx[e]] = s->values[e];
  fs_matrix_mark_missing (dense);
  copy_about (dense, self);
  return g_steal_pointer (&dense);
}

/* Whether a dense cell is listed in the sparse form: observed, and not a
 * zero when zeros are values (an unlisted cell is one then). */
static inline gboolean
is_listed (const FsMatrix *self,
           gsize           k,
           gboolean        zeros_are_values)
{
  return (self->mask == NULL || self->mask[k]) && !(zeros_are_values && self->data[k] == 0.0);
}

FsMatrix *
fs_matrix_to_sparse (const FsMatrix  *self,
                     gboolean         zeros_are_values,
                     GError         **error)
{
  g_autoptr(FsSparse) s = NULL;
  FsMatrix *sparse;
  gsize nnz = 0, at = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->sparse != NULL)
    return fs_matrix_copy (self, error);
  for (gsize k = 0; k < self->rows * self->cols; k++)
    nnz += is_listed (self, k, zeros_are_values);
  s = fs_sparse_new (self->rows, self->cols, nnz, error);
  if (s == NULL)
    return NULL;
  for (gsize i = 0; i < self->rows; i++)
    {
      s->row_ptr[i] = at;
      for (gsize j = 0; j < self->cols; j++)
        if (is_listed (self, i * self->cols + j, zeros_are_values))
          {
            s->col_idx[at] = (guint32) j;
            s->values[at++] = self->data[i * self->cols + j];
          }
    }
  s->row_ptr[self->rows] = at;
  s->zeros_are_values = zeros_are_values;
  sparse = fs_matrix_new_sparse (s);
  copy_about (sparse, self);
  return sparse;
}

/* The listed values of a sparse matrix scaled as fs_matrix_scaled says;
 * the pattern is shared in meaning, copied in memory. */
static gboolean
refuse_scaling_zeros (const FsMatrix  *self,
                      FsScaling        scaling,
                      GError         **error)
{
  double lo, hi;

  if (!self->sparse->zeros_are_values || self->sparse->nnz == self->rows * self->cols)
    return FALSE;
  /* Unit range keeps zeros at zero when zero is the smallest value. */
  if (scaling == FS_SCALING_UNIT_RANGE && fs_matrix_range (self, &lo, &hi) && lo >= 0.0)
    return FALSE;
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("Scaling “%s” would turn the unlisted zeros of this sparse matrix into other "
                 "values: it needs a dense matrix (--storage dense)"),
               fs_scaling_get_label (scaling));
  return TRUE;
}

static void
scale_sparse_columns (FsSparse  *s,
                      FsScaling  scaling)
{
  g_autofree double *sum = g_new0 (double, s->cols);
  g_autofree double *squares = g_new0 (double, s->cols);
  g_autofree gsize *count = g_new0 (gsize, s->cols);

  for (gsize e = 0; e < s->nnz; e++)
    {
      sum[s->col_idx[e]] += s->values[e];
      count[s->col_idx[e]]++;
    }
  for (gsize j = 0; j < s->cols; j++)
    sum[j] = count[j] > 0 ? sum[j] / count[j] : 0.0;
  for (gsize e = 0; e < s->nnz; e++)
    squares[s->col_idx[e]] += pow (s->values[e] - sum[s->col_idx[e]], 2);
  for (gsize j = 0; j < s->cols; j++)
    squares[j] = count[j] > 1 ? sqrt (squares[j] / (count[j] - 1)) : 0.0;
  for (gsize e = 0; e < s->nnz; e++)
    {
      guint32 j = s->col_idx[e];

      s->values[e] -= sum[j];
      if (scaling == FS_SCALING_STANDARDIZE_COLUMNS && squares[j] > 0.0)
        s->values[e] /= squares[j];
    }
}

static FsMatrix *
scaled_sparse (const FsMatrix  *self,
               FsScaling        scaling,
               GError         **error)
{
  const FsSparse *from = self->sparse;
  g_autoptr(FsSparse) s = NULL;
  FsMatrix *copy;
  double lo, hi;

  if (refuse_scaling_zeros (self, scaling, error))
    return NULL;
  s = fs_sparse_new (from->rows, from->cols, from->nnz, error);
  if (s == NULL)
    return NULL;
  memcpy (s->row_ptr, from->row_ptr, (from->rows + 1) * sizeof (gsize));
  memcpy (s->col_idx, from->col_idx, from->nnz * sizeof (guint32));
  memcpy (s->values, from->values, from->nnz * sizeof (double));
  s->zeros_are_values = from->zeros_are_values;
  if (scaling != FS_SCALING_UNIT_RANGE)
    scale_sparse_columns (s, scaling);
  else if (fs_matrix_range (self, &lo, &hi) && hi > lo)
    for (gsize e = 0; e < s->nnz; e++)
      s->values[e] = (s->values[e] - lo) / (hi - lo);
  copy = fs_matrix_new_sparse (s);
  copy_about (copy, self);
  return copy;
}

/* fs_matrix_new without the pass of zeros: the same alignment and huge
 * pages as fs_alloc_doubles, the cells left unset. */
FsMatrix *
fs_matrix_new_unset (gsize    rows,
                     gsize    cols,
                     GError **error)
{
  FsMatrix *self;
  double *p;

  if (!fs_matrix_check_size (rows, cols, error))
    return NULL;
  p = alloc_doubles_unset (rows * cols);
  if (p == NULL)
    {
      g_autofree char *shape = format_shape (rows, cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for a matrix of %s (%.1f MiB)"),
                   shape, rows * (double) cols * 8 / (1024 * 1024));
      return NULL;
    }
  self = g_atomic_rc_box_new0 (FsMatrix);
  self->rows = rows;
  self->cols = cols;
  self->data = p;
  return self;
}
