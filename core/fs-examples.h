/* fs-examples.h: built-in matrices.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_EXAMPLE_LOWRANK_ROWS  100
#define FS_EXAMPLE_LOWRANK_COLS  80
#define FS_EXAMPLE_LOWRANK_RANK  5
#define FS_EXAMPLE_LOWRANK_NOISE 0.01

typedef struct
{
  const char *name;
  const char *description;
  guint       suggested_rank;
} FsExampleInfo;

const FsExampleInfo *fs_examples_list     (guint       *n_examples);
FsMatrix            *fs_example_new       (const char  *name,
                                           GError     **error);
FsMatrix            *fs_example_lowrank   (gsize        rows,
                                           gsize        cols,
                                           guint        rank,
                                           double       noise,
                                           guint64      seed,
                                           GError     **error);
FsMatrix            *fs_example_notebook  (guint64      seed);
gboolean             fs_bench_problem     (gsize        rows,
                                           gsize        cols,
                                           guint        rank,
                                           guint64      seed,
                                           FsMatrix   **X,
                                           double     **W0,
                                           double     **H0,
                                           GError     **error);

G_END_DECLS
