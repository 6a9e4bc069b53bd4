/* fs-blas.h: explicit control of OpenBLAS, which the core loads at its
 * first linear algebra (fs-blas.c), not at start-up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         fs_blas_set_threads  (guint threads);
guint        fs_blas_get_threads  (void);
const char  *fs_blas_get_corename (void);
/* Whether OpenBLAS and LAPACKE have been loaded in this process: FALSE
 * until the first CBLAS or LAPACKE call (or the two above). Setting the
 * thread count does not load them. */
gboolean     fs_blas_is_loaded    (void);
/* Loads them now, on the calling thread: what a program calls before it
 * starts threads that do linear algebra, so that a missing library ends
 * it there, with its message, and not on a worker thread later. */
void         fs_blas_load         (void);

G_END_DECLS
