/* fs-step-size.h: learning rates from the data, with no solver.
 *
 * The stability bound is the largest plain step that is locally stable
 * at given factors, 2 / max(L_W, L_H) (DESIGN.md section 5). The starting
 * step is the learning rate a rule starts with: its table entry's
 * starting_lr at the seeded point a solver would start from.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

double fs_step_size_stability_bound (const double   *W,
                                     const double   *H,
                                     gsize           rows,
                                     gsize           cols,
                                     guint           rank,
                                     double          l2_w,
                                     double          l2_h);
double fs_step_size_joint_stability_bound (const double *W,
                                           const double *H,
                                           gsize         rows,
                                           gsize         cols,
                                           guint         rank,
                                           double        l2_w,
                                           double        l2_h,
                                           double        residual_norm,
                                           double        x_sigma);
double fs_step_size_joint_bound_from_grams (const double *wtw,
                                            const double *hht,
                                            guint         rank,
                                            double        l2_w,
                                            double        l2_h,
                                            double        residual_norm,
                                            double        x_sigma);
double fs_step_size_sigma_estimate  (const FsMatrix *X);
double fs_step_size_starting        (FsMatrix       *X,
                                     const FsParams *params,
                                     GError        **error);

G_END_DECLS
