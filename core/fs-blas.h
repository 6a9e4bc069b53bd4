/* fs-blas.h: explicit control of OpenBLAS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void         fs_blas_set_threads  (guint threads);
guint        fs_blas_get_threads  (void);
const char  *fs_blas_get_corename (void);

G_END_DECLS
