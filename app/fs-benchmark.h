/* fs-benchmark.h: the app's benchmark mode.
 *
 * Loads the 2000 × 2000 rank-50 problem of ../shared/bench (or with
 * sparse, the 100000 × 20000 rank-32 sparse problem of
 * ../shared/bench/peer_sparse.py) into a window,
 * runs it, and after a warm-up measures for the given seconds the solver's
 * iterations per second (wall clock, with the window drawing) and the time
 * each frame takes from the frame clock's before-paint to its after-paint.
 * With keep > 0 it keeps that many runs (Keep) evenly over the
 * measurement. Prints one JSON object on standard output (with the memory
 * the kept runs and the checkpoints hold, and the peak RSS) and quits the
 * application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-window.h"

G_BEGIN_DECLS

void fs_benchmark_start (FsWindow   *window,
                         guint       seconds,
                         const char *view,
                         guint       keep,
                         gboolean    sparse);

G_END_DECLS
