/* fs-delimited.h: CSV, TSV and whitespace-separated numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include <gio/gio.h>

#include "fs-import.h"
#include "fs-matrix.h"

G_BEGIN_DECLS

FsMatrix *fs_delimited_parse (const char  *name,
                              const char  *text,
                              gsize        len,
                              GError     **error);

/* The same with import options (NULL: all automatic), a cancellable
 * checked and progress told about every 256 KiB, and at most
 * max_records records read (0: all; a preview's few). The matrix carries
 * the loader's report (FsMatrix.import_report). */
FsMatrix *fs_delimited_parse_full (const char             *name,
                                   const char             *text,
                                   gsize                   len,
                                   const FsImportOptions  *options,
                                   GCancellable           *cancellable,
                                   FsLoadProgressFunc      progress,
                                   gpointer                progress_data,
                                   guint                   max_records,
                                   GError                **error);

/* The same, the file cut into n_chunks chunks at line ends, read by
 * threads (1: serially), whatever its size: for tests, which hold the
 * result to the serial one bit for bit. */
FsMatrix *fs_delimited_parse_split (const char             *name,
                                    const char             *text,
                                    gsize                   len,
                                    const FsImportOptions  *options,
                                    GCancellable           *cancellable,
                                    FsLoadProgressFunc      progress,
                                    gpointer                progress_data,
                                    guint                   n_chunks,
                                    GError                **error);
/* The same for text that is a file's read-only private mapping (as
 * g_mapped_file_new makes it), whose pages are given back as they are
 * read: the file is not held resident beside its matrix, and a page read
 * again comes back from the file. Never for text in memory of its own,
 * which would read as zeros. n_chunks: 0 to choose, else as
 * fs_delimited_parse_split. */
FsMatrix *fs_delimited_parse_mapped (const char             *name,
                                     const char             *text,
                                     gsize                   len,
                                     const FsImportOptions  *options,
                                     GCancellable           *cancellable,
                                     FsLoadProgressFunc      progress,
                                     gpointer                progress_data,
                                     guint                   n_chunks,
                                     GError                **error);
/* How many reads in this process were read in chunks by threads and
 * joined (not read again serially after a cut across a quoted field or an
 * error): for tests, which check that the threads really ran. */
guint     fs_delimited_get_joined_reads (void);
/* How many reads in this process found where their records start by
 * reading the text again, for row labels that the sample of the file's
 * start did not foresee (so no start was kept as it was read): for
 * tests. */
guint     fs_delimited_get_start_rescans (void);
/* How many chunks of split reads turned from rows back to numbers only
 * (a chunk met a dense part of a file that is mostly missing): for tests. */
guint     fs_delimited_get_rows_to_compacts (void);

G_END_DECLS
