/* fs-examples.c
 *
 * The low-rank example is the recipe of shared/bench/README.md, so that
 * with noise 0.01 it is exactly the matrix the NumPy and PyTorch peers use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-examples"

#include <glib/gi18n-lib.h>

#include <cblas.h>
#include <math.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-random.h"

static const FsExampleInfo examples[] = {
  { "lowrank", N_("Synthetic 100 × 80 matrix of rank 5 plus 1% noise"), FS_EXAMPLE_LOWRANK_RANK },
  { "notebook", N_("The PyTorch notebook's 3 × 4 product of 3 × 2 and 2 × 4 uniform matrices"), 2 },
};

const FsExampleInfo *
fs_examples_list (guint *n_examples)
{
  *n_examples = G_N_ELEMENTS (examples);
  return examples;
}

FsMatrix *
fs_example_new (const char  *name,
                GError     **error)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "lowrank"))
    return fs_example_lowrank (FS_EXAMPLE_LOWRANK_ROWS, FS_EXAMPLE_LOWRANK_COLS,
                               FS_EXAMPLE_LOWRANK_RANK, FS_EXAMPLE_LOWRANK_NOISE, 0, error);
  if (g_str_equal (name, "notebook"))
    return fs_example_notebook (0);

  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("There is no built-in example called “%s” (there are lowrank and notebook)"),
               name);
  return NULL;
}

/* X = A B / sqrt(k) + noise E, with A, B and E uniform in [-1, 1). */
FsMatrix *
fs_example_lowrank (gsize     rows,
                    gsize     cols,
                    guint     rank,
                    double    noise,
                    guint64   seed,
                    GError  **error)
{
  g_autoptr(FsMatrix) X = NULL;
  g_autofree double *a = NULL;
  g_autofree double *b = NULL;
  g_autofree double *e = NULL;

  if (rank < 1 || rank > MIN (rows, cols))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The example's rank must be between 1 and %lu, not %u"),
                   MIN (rows, cols), rank);
      return NULL;
    }

  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    return NULL;
  if (rows > G_MAXINT || cols > G_MAXINT || rows * cols > G_MAXINT)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("An example of %lu × %lu is too large"),
                   rows, cols);
      return NULL;
    }

  a = g_new (double, rows * rank);
  b = g_new (double, (gsize) rank * cols);
  e = g_new (double, rows * cols);
  fs_random_fill_signed (fs_random_key (seed, 1), a, rows * rank);
  fs_random_fill_signed (fs_random_key (seed, 2), b, (gsize) rank * cols);
  fs_random_fill_signed (fs_random_key (seed, 3), e, rows * cols);

  /* The peers compute (A @ B) / sqrt(r), then add 0.01 E: same order here. */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) cols, (int) rank,
               1.0, a, (int) rank, b, (int) cols, 0.0, X->data, (int) cols);
  for (gsize k = 0; k < rows * cols; k++)
    X->data[k] = X->data[k] / sqrt ((double) rank) + noise * e[k];

  return g_steal_pointer (&X);
}

/* D = C F with C (3 × 2) and F (2 × 4) uniform in [0, 1), like torch.rand. */
FsMatrix *
fs_example_notebook (guint64 seed)
{
  double c[3 * 2], f[2 * 4];
  FsMatrix *D = fs_matrix_new (3, 4, NULL);

  fs_random_fill_unit (fs_random_key (seed, 1), c, G_N_ELEMENTS (c));
  fs_random_fill_unit (fs_random_key (seed, 2), f, G_N_ELEMENTS (f));
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, 3, 4, 2,
               1.0, c, 2, f, 4, 0.0, D->data, 4);
  return D;
}

/* The benchmark problem of shared/bench: X as above with noise 0.01,
 * W0 = r^(-1/4) u4 and H0 = r^(-1/4) u5. */
gboolean
fs_bench_problem (gsize       rows,
                  gsize       cols,
                  guint       rank,
                  guint64     seed,
                  FsMatrix  **X,
                  double    **W0,
                  double    **H0,
                  GError    **error)
{
  double scale = pow ((double) rank, -0.25);
  double *w, *h;

  *X = fs_example_lowrank (rows, cols, rank, 0.01, seed, error);
  if (*X == NULL)
    return FALSE;

  w = g_new (double, rows * rank);
  h = g_new (double, (gsize) rank * cols);
  fs_random_fill_signed (fs_random_key (seed, 4), w, rows * rank);
  fs_random_fill_signed (fs_random_key (seed, 5), h, (gsize) rank * cols);
  for (gsize k = 0; k < rows * rank; k++)
    w[k] *= scale;
  for (gsize k = 0; k < (gsize) rank * cols; k++)
    h[k] *= scale;

  *W0 = w;
  *H0 = h;
  return TRUE;
}
