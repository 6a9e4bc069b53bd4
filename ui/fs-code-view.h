/* fs-code-view.h: one sample's code w_i, and its image when rows are
 * images.
 *
 * A bar chart with one bar per component (W[i, k], k = 1 … r, on a scale
 * symmetric about 0), exact zeros marked distinctly (a hollow marker on the
 * axis, not a bar of height 0); below it, when each row of X is an image,
 * the sample x_i, its reconstruction w_i H (both on one colour scale) and
 * the residual x_i − w_i H (diverging, centred on 0). Everything is O(m r)
 * per sample, from the snapshot's copies of W and H.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-matrix.h"
#include "fs-runner.h"

G_BEGIN_DECLS

/* The three images, left to right. */
typedef enum
{
  FS_CODE_VIEW_SAMPLE,
  FS_CODE_VIEW_RECONSTRUCTION,
  FS_CODE_VIEW_RESIDUAL,
  FS_CODE_VIEW_N_IMAGES
} FsCodeViewImage;

#define FS_TYPE_CODE_VIEW (fs_code_view_get_type ())
G_DECLARE_FINAL_TYPE (FsCodeView, fs_code_view, FS, CODE_VIEW, GtkWidget)

GtkWidget *fs_code_view_new            (void);
/* X and the snapshot are referenced; row < 0 (or NULLs) shows "Select a
 * sample"; image_height × image_width == X's cols shows the images, 0
 * and 0 shows none. The snapshot's W and H are what is shown. */
void       fs_code_view_set_sample     (FsCodeView *self,
                                        FsMatrix   *X,
                                        FsSnapshot *snapshot,
                                        gint64      row,
                                        gsize       image_height,
                                        gsize       image_width);
gint64     fs_code_view_get_row        (FsCodeView *self);
/* The components with the largest |W[i, k]| ||h_k|| (their part of the
 * reconstruction), non-zero only, strongest first; up to max of them. */
guint      fs_code_view_get_strongest  (FsCodeView *self,
                                        guint      *components,
                                        guint       max);
/* How many of the sample's r code entries are exactly 0. */
guint      fs_code_view_get_n_zeros    (FsCodeView *self);
/* The readout under the pointer ("Component 3: 0.412", or a pixel's
 * values), or NULL. */
const char *fs_code_view_get_readout   (FsCodeView *self);
/* Widget x of the middle of component's bar (0 … r - 1). */
double     fs_code_view_component_to_x (FsCodeView *self,
                                        guint       component);
/* Where an image is drawn, in widget coordinates; FALSE when none is. */
gboolean   fs_code_view_get_image_area (FsCodeView      *self,
                                        FsCodeViewImage  image,
                                        graphene_rect_t *area);

G_END_DECLS
