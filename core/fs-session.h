/* fs-session.h: one matrix being factorized, without any GTK.
 *
 * A session owns the source matrix as loaded, its scaling, the prepared X
 * the solver sees, the runner, the singular values of X and f*, and the
 * background tasks that make them (load, prepare, SVD), each with its own
 * cancellable. A new matrix is committed only when loading and preparing
 * it have both succeeded: until "matrix-changed" is emitted nothing a view
 * shows changes, and a failure ("failed") leaves everything as it was.
 * Signals and notifications are emitted on the thread-default main context
 * of the thread that called the function that started the task: use a
 * session from one thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "fs-matrix.h"
#include "fs-params.h"
#include "fs-runner.h"

G_BEGIN_DECLS

/* The relative change of the cost below which a session's run has
 * converged (the command line's --tol is off by default). */
#define FS_SESSION_DEFAULT_TOL 1e-6

#define FS_TYPE_SESSION (fs_session_get_type ())
G_DECLARE_FINAL_TYPE (FsSession, fs_session, FS, SESSION, GObject)

FsSession      *fs_session_new                  (void);

void            fs_session_open_path            (FsSession      *self,
                                                 const char     *path);
/* The same, read with import options (NULL: all automatic). */
void            fs_session_open_path_full       (FsSession             *self,
                                                 const char            *path,
                                                 const FsImportOptions *options);
/* Stops a load in flight (fs_session_open_path): it ends soon, the matrix
 * shown stays, and no "failed" is emitted for it. */
void            fs_session_cancel_load          (FsSession      *self);
/* Whether a file is being read (property "loading", also notified when
 * a new load replaces one), and how far, in
 * [0, 1] (property "load-progress", notified at most about 20 times a
 * second while loading). */
gboolean        fs_session_get_loading          (FsSession      *self);
double          fs_session_get_load_progress    (FsSession      *self);
/* The display name of the file being read, NULL when none is. */
const char     *fs_session_get_loading_name     (FsSession      *self);
void            fs_session_set_matrix           (FsSession      *self,
                                                 FsMatrix       *source,
                                                 const char     *name,
                                                 guint           rank);
gboolean        fs_session_load_example         (FsSession      *self,
                                                 const char     *name,
                                                 GError        **error);
void            fs_session_set_scaling          (FsSession      *self,
                                                 FsScaling       scaling);
gboolean        fs_session_set_params           (FsSession      *self,
                                                 const FsParams *params,
                                                 GError        **error);
void            fs_session_set_solver_nice      (FsSession      *self,
                                                 int             nice);
void            fs_session_set_lr               (FsSession      *self,
                                                 double          lr);

void            fs_session_set_pace             (FsSession      *self,
                                                 double          iterations_per_second);
double          fs_session_get_pace             (FsSession      *self);

void            fs_session_run                  (FsSession      *self);
void            fs_session_pause                (FsSession      *self);
void            fs_session_step                 (FsSession      *self,
                                                 guint64         n);
void            fs_session_reset                (FsSession      *self);

void            fs_session_starting_lr_async    (FsSession          *self,
                                                 const FsParams     *params,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            data);
double          fs_session_starting_lr_finish   (FsSession      *self,
                                                 GAsyncResult   *result,
                                                 GError        **error);

FsMatrix       *fs_session_get_source           (FsSession      *self);
FsMatrix       *fs_session_get_matrix           (FsSession      *self);
const char     *fs_session_get_name             (FsSession      *self);
guint           fs_session_get_last_request     (FsSession      *self);
guint           fs_session_get_source_request   (FsSession      *self);
FsScaling       fs_session_get_scaling          (FsSession      *self);
const FsParams *fs_session_get_params           (FsSession      *self);
FsSnapshot     *fs_session_get_snapshot         (FsSession      *self);
double          fs_session_get_optimum          (FsSession      *self);
gboolean        fs_session_get_optimum_is_reference (FsSession  *self);
/* X's singular values, descending, once computed, else NULL (property
 * "singular-values", a GArray of double, notified whenever it changes). */
GArray         *fs_session_get_singular_values  (FsSession      *self);
gboolean        fs_session_get_busy             (FsSession      *self);
gboolean        fs_session_get_computing_optimum (FsSession     *self);

void            fs_session_close                (FsSession      *self);
void            fs_session_wait_for_tasks       (FsSession      *self);
/* The same, giving up at end_time (monotonic, in µs): whether no task's
 * thread is left running. */
gboolean        fs_session_wait_for_tasks_until (FsSession      *self,
                                                 gint64          end_time);

/* For tests of what a long load shows: every load of a file from now on
 * (in any session) lasts at least ms milliseconds, waiting on its
 * cancellable before it reads, so a cancel still ends it at once. 0, the
 * default, waits for nothing. The readers are fast enough that a test
 * file small enough to write could not otherwise be counted on to last. */
void            fs_session_set_minimum_load_time (guint          ms);

G_END_DECLS
