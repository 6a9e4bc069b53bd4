/* fs-fit.h: several runs of one setting from seeds s, s+1, ..., keeping
 * every cost history and trace and the run with the lowest final cost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-solver.h"

G_BEGIN_DECLS

typedef struct _FsFit FsFit;

FsFit        *fs_fit_new             (FsMatrix       *X,
                                      const FsParams *params,
                                      GError        **error);
void          fs_fit_free            (FsFit          *self);
gboolean      fs_fit_iterate         (FsFit          *self);
gboolean      fs_fit_is_done         (FsFit          *self);
void          fs_fit_set_lr          (FsFit          *self,
                                      double          lr);
gboolean      fs_fit_change_params   (FsFit          *self,
                                      const FsParams *params);
gboolean      fs_fit_resume          (FsFit          *self);

FsSolver     *fs_fit_get_solver      (FsFit          *self);
guint         fs_fit_get_n_runs      (FsFit          *self);
guint         fs_fit_get_current_run (FsFit          *self);
FsCostLog    *fs_fit_get_log         (FsFit          *self,
                                      guint           run);
FsTrace      *fs_fit_get_trace       (FsFit          *self,
                                      guint           run);
double        fs_fit_get_final_cost  (FsFit          *self,
                                      guint           run);
FsStop        fs_fit_get_run_stop    (FsFit          *self,
                                      guint           run);
const FsWarning *fs_fit_get_run_warning (FsFit        *self,
                                        guint         run);
guint64       fs_fit_get_run_seed    (FsFit          *self,
                                      guint           run);
gint          fs_fit_get_best_run    (FsFit          *self);
const double *fs_fit_get_best_w      (FsFit          *self);
const double *fs_fit_get_best_h      (FsFit          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsFit, fs_fit_free)

G_END_DECLS
