/* fuzz-npy.c: libFuzzer target for the npy loader.
 *
 * Every input must give a matrix or a GError, never a crash, a leak or
 * undefined behaviour (built with AddressSanitizer).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "fs-npy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_npy_parse ("fuzz.npy", data, size, &error);

  g_assert ((X == NULL) != (error == NULL));
  g_clear_pointer (&X, fs_matrix_unref);
  return 0;
}
