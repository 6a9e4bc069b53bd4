/* fs-tsan.h: GLib's synchronisation made visible to ThreadSanitizer.
 *
 * Only in a ThreadSanitizer build (meson setup -Db_sanitize=thread):
 * GLib's GMutex and GCond are futexes inside libglib, which is not
 * instrumented, so TSan sees neither the locks nor the hand-overs of GTask,
 * of sources attached from another thread, of GLib's reference counts or of
 * g_once_init_enter. Every program that links the core is then linked with
 * `-Wl,--wrap=SYMBOL` for each function below (core/meson.build lists
 * them): the program's calls to SYMBOL reach __wrap_SYMBOL (fs-tsan.c),
 * which calls the real function (__real_SYMBOL) and tells TSan what it did:
 * a GMutex lock or unlock through its custom-mutex API (so lock-order inversions
 * are found too), or a release before a hand-over and an acquire where the
 * other side takes it. No source file changes for it; GLib's own calls
 * inside libglib are not wrapped (nor need to be: TSan sees no memory
 * access there).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FS_TSAN_DECLARE(ret, name, args) \
  ret __real_##name args;                \
  ret __wrap_##name args;

FS_TSAN_DECLARE (void, g_mutex_init, (GMutex *mutex))
FS_TSAN_DECLARE (void, g_mutex_clear, (GMutex *mutex))
FS_TSAN_DECLARE (void, g_mutex_lock, (GMutex *mutex))
FS_TSAN_DECLARE (gboolean, g_mutex_trylock, (GMutex *mutex))
FS_TSAN_DECLARE (void, g_mutex_unlock, (GMutex *mutex))


FS_TSAN_DECLARE (void, g_cond_wait, (GCond *cond, GMutex *mutex))
FS_TSAN_DECLARE (gboolean, g_cond_wait_until, (GCond *cond, GMutex *mutex, gint64 end_time))

FS_TSAN_DECLARE (gboolean, g_once_init_enter, (volatile void *location))
FS_TSAN_DECLARE (void, g_once_init_leave, (volatile void *location, gsize result))

FS_TSAN_DECLARE (gboolean, g_atomic_ref_count_dec, (gatomicrefcount *arc))
FS_TSAN_DECLARE (void, g_atomic_rc_box_release, (gpointer mem_block))
FS_TSAN_DECLARE (void, g_atomic_rc_box_release_full, (gpointer mem_block, GDestroyNotify clear_func))

FS_TSAN_DECLARE (void, g_async_queue_push, (GAsyncQueue *queue, gpointer data))
FS_TSAN_DECLARE (gpointer, g_async_queue_pop, (GAsyncQueue *queue))
FS_TSAN_DECLARE (gpointer, g_async_queue_try_pop, (GAsyncQueue *queue))
FS_TSAN_DECLARE (gpointer, g_async_queue_timeout_pop, (GAsyncQueue *queue, guint64 timeout))

FS_TSAN_DECLARE (guint, g_source_attach, (GSource *source, GMainContext *context))
FS_TSAN_DECLARE (void, g_source_set_callback, (GSource *source, GSourceFunc func,
                                               gpointer data, GDestroyNotify notify))

FS_TSAN_DECLARE (GTask *, g_task_new, (gpointer source_object, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer callback_data))
FS_TSAN_DECLARE (void, g_task_run_in_thread, (GTask *task, GTaskThreadFunc task_func))
FS_TSAN_DECLARE (void, g_task_run_in_thread_sync, (GTask *task, GTaskThreadFunc task_func))
FS_TSAN_DECLARE (void, g_task_return_pointer, (GTask *task, gpointer result,
                                               GDestroyNotify result_destroy))
FS_TSAN_DECLARE (void, g_task_return_boolean, (GTask *task, gboolean result))
FS_TSAN_DECLARE (void, g_task_return_int, (GTask *task, gssize result))
FS_TSAN_DECLARE (void, g_task_return_value, (GTask *task, GValue *result))
FS_TSAN_DECLARE (void, g_task_return_error, (GTask *task, GError *error))
FS_TSAN_DECLARE (void, g_task_return_new_error, (GTask *task, GQuark domain, gint code,
                                                 const char *format, ...) G_GNUC_PRINTF (4, 5))
FS_TSAN_DECLARE (gboolean, g_task_return_error_if_cancelled, (GTask *task))

#undef FS_TSAN_DECLARE

G_END_DECLS
