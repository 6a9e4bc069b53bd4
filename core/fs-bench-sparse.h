/* fs-bench-sparse.h: the sparse benchmark problem of shared/bench.
 *
 * The ratings case of shared/bench/peer_sparse.py, built exactly as its
 * docstring says, in O(nnz + (n + m) r) memory and time: nothing of size
 * n × m is ever allocated. factorscope-cli bench --nnz and its tests use
 * it, so that our final cost can be held against the peers' to 1e-9.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-sparse.h"

G_BEGIN_DECLS

/* The observed cells, W0 (rows × rank) and H0 (rank × cols, both
 * row-major) of the recipe: candidates positions from splitmix streams 6
 * and 7, the first occurrence of a repeated cell kept, so (*X)->nnz is at
 * most candidates. The cells are missing elsewhere (zeros_are_values
 * FALSE). rows and cols must fit in 32 bits. */
gboolean fs_bench_sparse_problem (gsize      rows,
                                  gsize      cols,
                                  gsize      candidates,
                                  guint      rank,
                                  guint64    seed,
                                  FsSparse **X,
                                  double   **W0,
                                  double   **H0,
                                  GError   **error);

/* The peers' cost in float64: Σ over the listed cells of (x - w_i · h_j)²
 * plus l2_w ||W||² + l2_h ||H||², W rows × rank and H rank × cols. */
double   fs_bench_sparse_cost    (const FsSparse *X,
                                  const double   *W,
                                  const double   *H,
                                  guint           rank,
                                  double          l2_w,
                                  double          l2_h);

G_END_DECLS
