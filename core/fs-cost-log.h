/* fs-cost-log.h: an append-only history of costs shared across threads.
 *
 * One thread appends; others read any index below a length that was handed
 * to them under a lock (a snapshot). Stored values never move or change, so
 * readers need no copy and no lock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FS_COST_LOG_CAPACITY ((gsize) 1 << 26)

typedef struct _FsCostLog FsCostLog;

FsCostLog *fs_cost_log_new        (void);
FsCostLog *fs_cost_log_ref        (FsCostLog       *self);
void       fs_cost_log_unref      (FsCostLog       *self);
gboolean   fs_cost_log_append     (FsCostLog       *self,
                                   double           value);
gsize      fs_cost_log_get_length (const FsCostLog *self);
double     fs_cost_log_get        (const FsCostLog *self,
                                   gsize            index);
void       fs_cost_log_copy_range (const FsCostLog *self,
                                   gsize            start,
                                   gsize            len,
                                   double          *out);
gboolean   fs_cost_log_min_max    (const FsCostLog *self,
                                   gsize            start,
                                   gsize            end,
                                   double          *min,
                                   double          *max);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsCostLog, fs_cost_log_unref)

G_END_DECLS
