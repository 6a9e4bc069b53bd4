/* fs-instability.h: a watch on the cost for runs that misbehave without
 * diverging (DESIGN.md section 5, "Instability that stays bounded").
 *
 * Fed one cost per iteration, in O(1) each, it flags a run whose cost
 * keeps swinging up and down by large factors without making progress
 * (an oscillation), or that spikes again and again from the same level
 * (periodic spikes). Reset it whenever the settings change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FS_WARNING_OSCILLATION,
  FS_WARNING_SPIKES,
} FsWarningKind;

/* What the detector saw: the kind, the iteration where it flagged the
 * run, the swing of the cost over the last iterations (orders of
 * magnitude, log10 of max / min), a learning rate to try, and a
 * translated sentence that says all of it. */
typedef struct
{
  FsWarningKind kind;
  guint64       iteration;
  double        swing;
  double        suggested_lr;
  char         *message;
} FsWarning;

typedef struct _FsInstability FsInstability;

const char    *fs_warning_kind_to_string (FsWarningKind  kind);
void           fs_warning_set            (FsWarning     *warning,
                                          FsWarningKind  kind,
                                          guint64        iteration,
                                          double         swing,
                                          double         suggested_lr);
void           fs_warning_clear          (FsWarning     *warning);

FsInstability *fs_instability_new        (void);
void           fs_instability_free       (FsInstability *self);
void           fs_instability_reset      (FsInstability *self);
gboolean       fs_instability_add        (FsInstability *self,
                                          double         cost,
                                          FsWarningKind *kind,
                                          double        *swing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsInstability, fs_instability_free)

G_END_DECLS
