/* fs-sparse.h: the observed cells of a matrix in compressed row layout.
 *
 * A matrix whose observed cells are a small share of rows × cols (ratings,
 * word counts, single-cell counts) is held as its observed cells only:
 * row_ptr (rows + 1 offsets), col_idx and values (nnz each, ascending
 * columns within a row, no repeats). Nothing of size rows × cols is ever
 * allocated: n_missing of the FsMatrix that holds it is rows × cols - nnz.
 *
 * What a cell that is not listed means is the matrix's to say:
 * zeros_are_values FALSE (the default: ratings) makes it missing, so the
 * cost runs over the listed cells only; TRUE makes it a real zero (word
 * counts), so the cost runs over every cell, X is a sparse matrix and f*
 * exists (fs-sparse-svd.h).
 *
 * Immutable once shared: fs_sparse_ref ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a matrix is held. AUTO: sparse when the observed cells are fewer
 * than FS_SPARSE_AUTO_SHARE of rows × cols (README "Sparse matrices" gives
 * the measured crossover), dense otherwise. */
typedef enum
{
  FS_STORAGE_AUTO,
  FS_STORAGE_DENSE,
  FS_STORAGE_SPARSE,
  FS_N_STORAGES
} FsStorage;

/* The share below which AUTO picks sparse storage. Measured
 * (tools/bench-crossover, 2000 × 2000 rank 20, 2 threads): the sparse
 * path's iteration is 6.7× faster than the dense masked path's at 10 %
 * observed, and they are level at about 83 %; sparse storage outgrows
 * dense at 75 %. AUTO stays well below the crossover because a sparse
 * matrix gives up what needs every cell (scaling by columns with zeros,
 * the PyTorch script, exporting X - WH) and, for Matrix Market
 * coordinate files, reads unlisted cells as missing rather than zeros:
 * only files that are mostly empty change. */
#define FS_SPARSE_AUTO_SHARE 0.1

typedef struct
{
  gsize     rows;
  gsize     cols;
  gsize     nnz;
  gsize    *row_ptr;   /* rows + 1 */
  guint32  *col_idx;   /* nnz, ascending within each row */
  double   *values;    /* nnz */
  gboolean  zeros_are_values;
  gatomicrefcount ref_count;
} FsSparse;

/* The command line's and the session file's words: auto, dense, sparse. */
const char *fs_storage_to_string   (FsStorage        storage);
gboolean    fs_storage_from_string (const char      *text,
                                    FsStorage       *storage);

/* Whether a matrix of rows × cols with listed cells is held sparse:
 * SPARSE always, DENSE never, AUTO when listed is below
 * FS_SPARSE_AUTO_SHARE of rows × cols. The loaders' and bench's one rule. */
gboolean    fs_storage_wants_sparse (FsStorage       storage,
                                     guint64         listed,
                                     gsize           rows,
                                     gsize           cols);

/* An empty layout for rows × cols with room for nnz cells: row_ptr zeroed,
 * col_idx and values uninitialised (the caller fills them and row_ptr).
 * NULL with FS_ERROR_TOO_LARGE when the sizes overflow or the memory left
 * cannot hold them; cols must fit in 32 bits. */
FsSparse   *fs_sparse_new          (gsize            rows,
                                    gsize            cols,
                                    gsize            nnz,
                                    GError         **error);
/* From cells in any order: rows[k], cols[k], values[k] for k < count.
 * A cell listed twice keeps its first value (the peers' recipe, and what
 * a Matrix Market reader is told to do) and *n_repeats (may be NULL) says
 * how many were dropped. NaN values are refused with an error that names
 * the cell (1-based). */
FsSparse   *fs_sparse_new_from_cells (gsize          rows,
                                      gsize          cols,
                                      const guint32 *cell_rows,
                                      const guint32 *cell_cols,
                                      const double  *values,
                                      gsize          count,
                                      gsize         *n_repeats,
                                      GError       **error);
/* The observed cells of a dense row-major matrix (mask NULL: all). */
FsSparse   *fs_sparse_new_from_dense (gsize          rows,
                                      gsize          cols,
                                      const double  *data,
                                      const guint8  *mask,
                                      GError       **error);
FsSparse   *fs_sparse_ref          (FsSparse        *self);
void        fs_sparse_unref        (FsSparse        *self);
/* The position of cell (i, j) in col_idx/values, or -1 when not listed. */
gssize      fs_sparse_find         (const FsSparse  *self,
                                    gsize            i,
                                    gsize            j);
/* Σ of the listed values' squares, with compensation. */
double      fs_sparse_frobenius_sq (const FsSparse  *self);
/* Bytes held: what the memory budget of README "Sparse matrices" counts. */
gsize       fs_sparse_bytes        (const FsSparse  *self);

/* y = X v, and y = alpha X^T u: the sparse operator's products, O(nnz). */
void        fs_sparse_mul_vec      (const FsSparse  *self,
                                    const double    *v,
                                    double          *y);
void        fs_sparse_mul_t_vec    (const FsSparse  *self,
                                    double           alpha,
                                    const double    *u,
                                    double          *y);
/* The listed row with the largest norm, *norm set to it (0: no cells). */
gsize       fs_sparse_largest_row  (const FsSparse  *self,
                                    double          *norm);

/* The largest n m r whose data term, with zeros as values, is summed over
 * every cell (fs_sparse_every_cell_sq) rather than from the Grams: 2^27
 * multiply-adds, tens of milliseconds. The solver and fs_cost_terms both
 * hold to it, so that they give the same digits near a perfect fit. */
#define FS_SPARSE_EXACT_BUDGET ((double) (1 << 27))

/* Σ (x - w h)^2 over every cell of rows row0 to row1 - 1, the unlisted x
 * 0: w the rows of W (n × r), h the columns of H as the rows of ht
 * (m × r). O((row1 - row0) m r), exact where the Gram form loses the
 * digits of a near-perfect fit. */
double      fs_sparse_every_cell_sq (const FsSparse *self,
                                     const double   *W,
                                     const double   *ht,
                                     gsize           r,
                                     gsize           row0,
                                     gsize           row1);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSparse, fs_sparse_unref)

G_END_DECLS
