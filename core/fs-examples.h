/* fs-examples.h: built-in matrices.
 *
 * Each built-in example is one entry of one table, read by the window, its
 * Examples menu and the command-line tool. The bundled files (photos and
 * digits) are compiled into the core, so every program that links it can
 * load every example.
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
  const char *name;        /* CLI --example and the window's action target: lowrank, notebook, camera, digits, coins */
  const char *title;       /* N_(): the data's name in the window, e.g. "Low-rank example", "Cameraman" */
  const char *menu_label;  /* N_(): the Examples menu entry, e.g. "Cameraman photo (512 × 512)" */
  const char *description; /* N_(): one sentence, for --help and tooltips */
  guint       default_rank;
  FsMatrix *(*load) (GError **error);
} FsExample;

const FsExample *fs_examples_get      (guint            *n_examples);
const FsExample *fs_examples_find     (const char       *name);
FsMatrix        *fs_example_load      (const FsExample  *example,
                                       GError          **error);

FsMatrix        *fs_example_lowrank   (gsize             rows,
                                       gsize             cols,
                                       guint             rank,
                                       double            noise,
                                       guint64           seed,
                                       GError          **error);
FsMatrix        *fs_example_notebook  (guint64           seed);
gboolean         fs_bench_problem     (gsize             rows,
                                       gsize             cols,
                                       guint             rank,
                                       guint64           seed,
                                       FsMatrix        **X,
                                       double          **W0,
                                       double          **H0,
                                       GError          **error);

G_END_DECLS
