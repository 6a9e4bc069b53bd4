/* fs-blas.c
 *
 * OpenBLAS otherwise starts one thread per core, which slows small problems
 * down and fights any other pool, so every entry point sets the count.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cblas.h>

#include "fs-blas.h"

void
fs_blas_set_threads (guint threads)
{
  g_return_if_fail (threads >= 1);

  openblas_set_num_threads ((int) threads);
}

guint
fs_blas_get_threads (void)
{
  int threads = openblas_get_num_threads ();

  return threads > 0 ? (guint) threads : 1;
}

const char *
fs_blas_get_corename (void)
{
  const char *name = openblas_get_corename ();

  return name != NULL ? name : "unknown";
}
