/* fs-npy.h: NumPy's .npy format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

#define FS_NPY_MAGIC "\x93NUMPY"

FsMatrix *fs_npy_parse   (const char      *name,
                          const guint8    *data,
                          gsize            len,
                          GError         **error);
/* The same, with the cancellable checked and progress told after every
 * MiB (fs-import.h). */
FsMatrix *fs_npy_parse_full (const char          *name,
                             const guint8        *data,
                             gsize                len,
                             GCancellable        *cancellable,
                             FsLoadProgressFunc   progress,
                             gpointer             progress_data,
                             GError             **error);
/* A .npy file open on fd, size bytes long, read with pread () and not
 * mapped: the header, then the data a MiB at a time (on every core when
 * the data is 8 MiB or more: each thread reads whole blocks), float64 of this
 * machine's byte order in the matrix's order read straight into the
 * matrix's cells (no copy, no conversion), any other type converted from
 * a buffer of one MiB. The same matrix and errors as fs_npy_parse_full
 * on the file's bytes. sum_sq (may be NULL) is set to the sum of the
 * cells' squares, taken as they were read: when it is finite, no cell is
 * missing or infinite and the solver's cost cannot overflow. */
FsMatrix *fs_npy_read_fd (const char          *name,
                          int                  fd,
                          guint64              size,
                          GCancellable        *cancellable,
                          FsLoadProgressFunc   progress,
                          gpointer             progress_data,
                          double              *sum_sq,
                          GError             **error);
/* The same on n_threads threads (0: as fs_npy_read_fd chooses, 1: this
 * thread alone), for the tests: each reads whole blocks of a MiB, and the
 * matrix, the sum and the errors are the same however many read. */
FsMatrix *fs_npy_read_fd_split (const char          *name,
                                int                  fd,
                                guint64              size,
                                guint                n_threads,
                                GCancellable        *cancellable,
                                FsLoadProgressFunc   progress,
                                gpointer             progress_data,
                                double              *sum_sq,
                                GError             **error);
/* How many loads were read on more than one thread, how many blocks were
 * read in such loads, and how many of those by threads other than the
 * loading one, for the tests. */
guint     fs_npy_get_split_reads (void);
guint     fs_npy_get_split_blocks (void);
guint     fs_npy_get_worker_blocks (void);
GBytes   *fs_npy_encode  (const FsMatrix  *X);
GBytes   *fs_npy_encode_data (gsize         rows,
                              gsize         cols,
                              const double *data);

G_END_DECLS
