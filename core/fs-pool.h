/* fs-pool.h: a fixed set of threads that run one function together.
 *
 * fs_pool_run calls func (index, count, data) once for every index below
 * count, the caller's thread taking index 0, and returns when all have
 * returned. The solver splits each iteration's work this way; OpenBLAS is
 * only ever called single-threaded from inside, so the two never compete
 * for cores.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FsPool FsPool;

typedef void (*FsPoolFunc) (guint    index,
                            guint    count,
                            gpointer data);

FsPool *fs_pool_new         (guint       threads,
                             int         nice);
void    fs_pool_free        (FsPool     *pool);
guint   fs_pool_get_threads (FsPool     *pool);
void    fs_pool_run         (FsPool     *pool,
                             FsPoolFunc  func,
                             gpointer    data);

void    fs_thread_set_nice          (int         nice);
double  fs_thread_cpu_seconds       (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsPool, fs_pool_free)

G_END_DECLS
