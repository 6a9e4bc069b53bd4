/* fs-start.c
 *
 * The solver starts from here, and so does the choice of a starting
 * learning rate (fs-step-size.c), which must see the very same point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-start"

#include <cblas.h>
#include <math.h>

#include "fs-random.h"
#include "fs-start.h"

/* Fills W (X->rows × rank) and H (rank × X->cols) from the seed: uniform
 * [0, 1) as both origin documents draw, or scaled so that the entries have
 * the size sqrt(mean|X| / rank). */
void
fs_start_fill (const FsMatrix *X,
               FsInit          init,
               guint           rank,
               guint64         seed,
               double         *W,
               double         *H)
{
  gsize len_w, len_h;

  g_return_if_fail (X != NULL);
  g_return_if_fail (rank > 0);
  g_return_if_fail (W != NULL && H != NULL);

  len_w = X->rows * rank;
  len_h = (gsize) rank * X->cols;
  fs_random_fill_unit (fs_random_key (seed, 4), W, len_w);
  fs_random_fill_unit (fs_random_key (seed, 5), H, len_h);

  if (init == FS_INIT_SCALED)
    {
      double mean = fs_matrix_mean_abs (X);
      double scale = sqrt ((mean > 0.0 ? mean : 1.0) / (double) rank);

      g_assert (len_w <= G_MAXINT && len_h <= G_MAXINT);
      cblas_dscal ((int) len_w, scale, W, 1);
      cblas_dscal ((int) len_h, scale, H, 1);
    }
}
