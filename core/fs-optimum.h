/* fs-optimum.h: the closed-form global optimum (DESIGN.md section 1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

GArray *fs_singular_values (const FsMatrix *X,
                            GError        **error);
double  fs_spectral_norm    (const FsMatrix *X,
                            guint           iterations);
double  fs_optimum_value   (const double   *singular_values,
                            gsize           n_values,
                            guint           rank,
                            double          l2_w,
                            double          l2_h);

G_END_DECLS
