/* fs-analysis.h: facts about a factorization W H that the views and the
 * command line show: the cost's terms, zeros, the spread of magnitudes and
 * the singular values of W H. Each costs O((n + m) r + r^3) except
 * fs_cost_terms, which reads X once. Pure functions of their arguments:
 * safe on any thread, on a snapshot's copies of W and H.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

/* "Small" is at most this share of the largest magnitude. */
#define FS_SMALL_RELATIVE 1e-8

typedef struct
{
  double data;   /* sum over observed cells of (X - WH)^2, from the residual */
  double l2_w;   /* l2_w ||W||_F^2 */
  double l2_h;
  double l1_w;   /* l1_w ||W||_1 */
  double l1_h;
} FsCostTerms;

void    fs_cost_terms            (const FsMatrix    *X,
                                  const double      *W,
                                  const double      *H,
                                  guint              rank,
                                  const FsParams    *params,
                                  FsCostTerms       *terms);
double  fs_cost_terms_sum        (const FsCostTerms *terms);

typedef struct
{
  gsize total;
  gsize exact;   /* entries == 0.0 (either sign) */
  gsize small;   /* |v| <= FS_SMALL_RELATIVE max |v|, exact zeros included */
} FsZeroCount;

void    fs_count_zeros           (const double      *values,
                                  gsize              len,
                                  FsZeroCount       *count);

/* fs_count_zeros in parts (threads, each over a part of one array): the
 * largest finite magnitude of a part as fs_count_zeros finds it; then,
 * from the largest over all parts, each part's counts added into *count
 * (total included). FALSE when the part holds a NaN: the caller counts
 * the whole array with fs_count_zeros instead. */
double   fs_count_zeros_part_max (const double      *values,
                                  gsize              len);
gboolean fs_count_zeros_part     (const double      *values,
                                  gsize              len,
                                  double             max,
                                  FsZeroCount       *count);

/* Counts of log10 |v| for the non-zero finite entries, in n_bins equal bins
 * over [lo, hi) (whole decades: lo = floor (log10 min |v|), hi = floor of
 * the largest + 1, so that a largest of exactly 10^k falls inside), and the
 * exact zeros apart. Non-finite entries count in total only. */
typedef struct
{
  guint    n_bins;
  double   lo;
  double   hi;
  guint64 *counts;
  guint64  zeros;
  guint64  total;
} FsLogHistogram;

FsLogHistogram *fs_log_histogram_new  (const double   *values,
                                       gsize           len,
                                       guint           n_bins);
void            fs_log_histogram_free (FsLogHistogram *self);

/* The singular values of W H, descending, min (n, m, r) of them, from thin
 * QRs of W and H^T and the SVD of R_W R_H^T (DESIGN.md section 5): never
 * an n × m product. NULL with error when LAPACK fails or a value is not
 * finite. */
GArray *fs_product_singular_values (const double *W,
                                    const double *H,
                                    gsize         rows,
                                    gsize         cols,
                                    guint         rank,
                                    GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsLogHistogram, fs_log_histogram_free)

G_END_DECLS
