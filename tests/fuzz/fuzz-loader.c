/* fuzz-loader.c: the libFuzzer target of one loader, chosen when it is
 * compiled (FUZZ_DELIMITED, FUZZ_NPY, FUZZ_MTX or FUZZ_IMAGE).
 *
 * Every input must give a matrix or a GError, never a crash, a leak or
 * undefined behaviour (built with AddressSanitizer and UBSan).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "fs-delimited.h"
#include "fs-image.h"
#include "fs-mtx.h"
#include "fs-npy.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static FsMatrix *
parse (const uint8_t  *data,
       size_t          size,
       GError        **error)
{
#if defined(FUZZ_DELIMITED)
  return fs_delimited_parse ("fuzz.csv", (const char *) data, size, error);
#elif defined(FUZZ_NPY)
  return fs_npy_parse ("fuzz.npy", data, size, error);
#elif defined(FUZZ_MTX)
  return fs_mtx_parse ("fuzz.mtx", (const char *) data, size, error);
#elif defined(FUZZ_IMAGE)
  return fs_image_parse ("fuzz.png", data, size, error);
#else
#error "define one of FUZZ_DELIMITED, FUZZ_NPY, FUZZ_MTX, FUZZ_IMAGE"
#endif
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  FsMatrix *X = parse (data, size, &error);

  g_assert ((X == NULL) != (error == NULL));
  g_clear_pointer (&X, fs_matrix_unref);
  return 0;
}
