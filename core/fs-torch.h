/* fs-torch.h: a run exported as a standalone PyTorch script, for taking it
 * to a GPU or to several.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

/* Writes script_path (a standalone Python script) and beside it STEM-X.npy (the matrix the
 * solver runs on, scaled, NaN for missing cells), STEM-W0.npy and STEM-H0.npy (the exact
 * initial factors of run 0 for params.seed), and the training mask when cells are held out.
 * STEM is script_path without its .py. The files are written as a set: on an error (which
 * names the file) none of them is. */
gboolean fs_torch_export (const char     *script_path,
                          const FsMatrix *X,
                          const FsParams *params,
                          GError        **error);

G_END_DECLS
