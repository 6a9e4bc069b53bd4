/* fs-window.h: the main window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "fs-heatmap.h"
#include "fs-matrix.h"
#include "fs-param-panel.h"
#include "fs-runner.h"
#include "fs-session.h"
#include "fs-session-file.h"

G_BEGIN_DECLS

#define FS_TYPE_WINDOW (fs_window_get_type ())
G_DECLARE_FINAL_TYPE (FsWindow, fs_window, FS, WINDOW, AdwApplicationWindow)

FsWindow   *fs_window_new                (GtkApplication *application);
gboolean    fs_window_load_example       (FsWindow       *self,
                                          const char     *name,
                                          GError        **error);
void        fs_window_load_matrix        (FsWindow       *self,
                                          FsMatrix       *X,
                                          const char     *name,
                                          guint           rank);
void        fs_window_open_path          (FsWindow       *self,
                                          const char     *path);
void        fs_window_open_file          (FsWindow       *self,
                                          GFile          *file);
FsMatrix   *fs_window_get_matrix         (FsWindow       *self);
FsSnapshot *fs_window_get_shown_snapshot (FsWindow       *self);
/* What the maps and inspection views show: the live snapshot, a kept
 * run's, or a replayed checkpoint's. */
FsSnapshot *fs_window_get_viewed_snapshot (FsWindow      *self);
/* The kept runs (FsPinItem), oldest first. */
GListModel *fs_window_get_pins           (FsWindow       *self);
FsSession  *fs_window_get_session        (FsWindow       *self);
FsParamPanel *fs_window_get_panel        (FsWindow       *self);
FsHeatmap  *fs_window_get_heatmap        (FsWindow       *self,
                                          FsHeatmapKind   kind);
const char *fs_window_get_banner         (FsWindow       *self);
const char *fs_window_get_status         (FsWindow       *self);
gboolean    fs_window_has_view           (const char     *name);
double      fs_window_get_inspect_cpu_seconds (FsWindow  *self);
void        fs_window_set_pace           (FsWindow       *self,
                                          double          iterations_per_second);
/* Export Data without its dialog: the viewed run's "W", "H", "WH",
 * "residual" (X − WH) or "loss" to path, as .csv or .npy by its
 * extension, atomically. */
gboolean    fs_window_export_data        (FsWindow       *self,
                                          const char     *what,
                                          const char     *path,
                                          GError        **error);
/* Writes a picture of what (loss, X, WH, residual, W, H, data-view,
 * factors-view, atoms, spectrum, sweep, trace) to path, as PNG, SVG or
 * PDF by its extension, at width x height (0 x 0: as on screen). */
gboolean    fs_window_export_image       (FsWindow       *self,
                                          const char     *what,
                                          const char     *path,
                                          int             width,
                                          int             height,
                                          GError        **error);
double      fs_window_stability_ratio    (const FsParams *params,
                                          double          lr,
                                          double          bound);
gboolean    fs_window_export_torch       (FsWindow       *self,
                                          const char     *path,
                                          GError        **error);

/* Sessions (fs-window-session.c). */
void        fs_window_open_session       (FsWindow       *self,
                                          const char     *path);
gboolean    fs_window_save_session       (FsWindow       *self,
                                          const char     *path,
                                          GError        **error);
FsSessionFile *fs_window_dup_session_file (FsWindow      *self,
                                          GError        **error);
const char *fs_window_get_session_path   (FsWindow       *self);
gboolean    fs_window_get_restoring      (FsWindow       *self);
void        fs_window_restore_last_params (FsWindow      *self);

/* What the app remembers (fs-window-settings.c): where Open and Save
 * start, NULL when nowhere is remembered. */
GFile      *fs_window_dup_last_folder    (FsWindow       *self);
void        fs_window_remember_folder    (FsWindow       *self,
                                          GFile          *file_or_folder);

G_END_DECLS
