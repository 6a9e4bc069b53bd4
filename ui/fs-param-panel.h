/* fs-param-panel.h: the side panel of settings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

#define FS_TYPE_PARAM_PANEL (fs_param_panel_get_type ())
G_DECLARE_FINAL_TYPE (FsParamPanel, fs_param_panel, FS, PARAM_PANEL, AdwBin)

GtkWidget      *fs_param_panel_new                  (void);
const FsParams *fs_param_panel_get_params           (FsParamPanel   *self);
void            fs_param_panel_set_params           (FsParamPanel   *self,
                                                     const FsParams *params);
void            fs_param_panel_set_lr               (FsParamPanel   *self,
                                                     double          lr);
FsScaling       fs_param_panel_get_scaling          (FsParamPanel   *self);
void            fs_param_panel_set_scaling          (FsParamPanel   *self,
                                                     FsScaling       scaling);
gboolean        fs_param_panel_get_log_scale        (FsParamPanel   *self);
void            fs_param_panel_set_log_scale        (FsParamPanel   *self,
                                                     gboolean        log_scale);
gboolean        fs_param_panel_get_log_iterations   (FsParamPanel   *self);
void            fs_param_panel_set_log_iterations   (FsParamPanel   *self,
                                                     gboolean        log_iterations);
gboolean        fs_param_panel_get_show_terms       (FsParamPanel   *self);
void            fs_param_panel_set_show_terms       (FsParamPanel   *self,
                                                     gboolean        show_terms);
gboolean        fs_param_panel_get_fixed_residual   (FsParamPanel   *self);
void            fs_param_panel_set_fixed_residual   (FsParamPanel   *self,
                                                     gboolean        fixed);
void            fs_param_panel_set_stability        (FsParamPanel   *self,
                                                     double          ratio);
double          fs_param_panel_get_stability        (FsParamPanel   *self);
guint           fs_param_panel_get_rank_limit       (FsParamPanel   *self);
void            fs_param_panel_set_rank_limit       (FsParamPanel   *self,
                                                     guint           limit);
const char     *fs_param_panel_get_data_description (FsParamPanel   *self);
void            fs_param_panel_set_data_description (FsParamPanel   *self,
                                                     const char     *description);
/* Whether the matrix row opens the import options (win.import-options). */
gboolean        fs_param_panel_get_import_available (FsParamPanel   *self);
void            fs_param_panel_set_import_available (FsParamPanel   *self,
                                                     gboolean        available);

G_END_DECLS
