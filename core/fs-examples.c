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
#include "fs-example-data.h"
#include "fs-examples.h"
#include "fs-loader.h"
#include "fs-random.h"

/* Where resources/examples/fs-example-data.gresource.xml puts the bundled
 * files. */
#define BUNDLED_PATH "/org/factorscope/Factorscope/examples/"

static FsMatrix *
load_lowrank (GError **error)
{
  return fs_example_lowrank (FS_EXAMPLE_LOWRANK_ROWS, FS_EXAMPLE_LOWRANK_COLS,
                             FS_EXAMPLE_LOWRANK_RANK, FS_EXAMPLE_LOWRANK_NOISE, 0, error);
}

static FsMatrix *
load_notebook (GError **error)
{
  return fs_example_notebook (0);
}

/* Read from the core's own resource rather than the global table, so that
 * loading does not depend on a resource constructor surviving the link. */
static FsMatrix *
load_bundled (const char  *file,
              GError     **error)
{
  g_autofree char *path = g_strconcat (BUNDLED_PATH, file, NULL);
  g_autoptr(GBytes) bytes = g_resource_lookup_data (fs_example_data_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);

  if (bytes == NULL)
    return NULL;
  return fs_matrix_load_data (file, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              error);
}

static FsMatrix *
load_camera (GError **error)
{
  return load_bundled ("camera.png", error);
}

/* Each row is an 8 × 8 image, which the CSV loader cannot know. */
static FsMatrix *
load_digits (GError **error)
{
  FsMatrix *X = load_bundled ("digits.csv", error);

  if (X != NULL)
    {
      X->image_height = 8;
      X->image_width = 8;
    }
  return X;
}

static FsMatrix *
load_coins (GError **error)
{
  return load_bundled ("coins.png", error);
}

/* In the order of the Examples menu. */
static const FsExample examples[] = {
  {
    .name = "lowrank",
    .title = N_("Low-rank example"),
    .menu_label = N_("Low-rank matrix with noise"),
    /* xgettext:no-c-format */
    .description = N_("A synthetic 100 × 80 matrix of rank 5 plus 1% noise."),
    .default_rank = FS_EXAMPLE_LOWRANK_RANK,
    .load = load_lowrank,
  },
  {
    .name = "notebook",
    .title = N_("Notebook example"),
    .menu_label = N_("PyTorch notebook (3 × 4)"),
    .description = N_("The PyTorch notebook's 3 × 4 product of a 3 × 2 and a 2 × 4 uniform matrix."),
    .default_rank = 2,
    .load = load_notebook,
  },
  {
    .name = "camera",
    .title = N_("Cameraman"),
    .menu_label = N_("Cameraman photo (512 × 512)"),
    .description = N_("The 512 × 512 grey cameraman photo from scikit-image."),
    .default_rank = 20,
    .load = load_camera,
  },
  {
    .name = "digits",
    .title = N_("Handwritten digits"),
    .menu_label = N_("Handwritten digits (1797 × 64)"),
    .description = N_("1797 handwritten digits from scikit-learn, one 8 × 8 image per row."),
    .default_rank = 10,
    .load = load_digits,
  },
  {
    .name = "coins",
    .title = N_("Greek coins"),
    .menu_label = N_("Greek coins photo (303 × 384)"),
    .description = N_("The 303 × 384 grey photo of Greek coins from scikit-image."),
    .default_rank = 20,
    .load = load_coins,
  },
};

const FsExample *
fs_examples_get (guint *n_examples)
{
  g_return_val_if_fail (n_examples != NULL, NULL);

  *n_examples = G_N_ELEMENTS (examples);
  return examples;
}

/* The example called name, or NULL when there is none. */
const FsExample *
fs_examples_find (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    if (g_str_equal (name, examples[i].name))
      return &examples[i];
  return NULL;
}

FsMatrix *
fs_example_load (const FsExample  *example,
                 GError          **error)
{
  g_return_val_if_fail (example != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return example->load (error);
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
      g_autofree char *most = fs_error_number_text (MIN (rows, cols));

      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("The example's rank must be between 1 and %s, not %u"),
                   most, rank);
      return NULL;
    }

  /* BLAS takes the sizes as int: refused before anything is allocated. */
  if (rows > G_MAXINT || cols > G_MAXINT || rows * cols > G_MAXINT)
    {
      g_autofree char *n = fs_error_number_text (rows);
      g_autofree char *m = fs_error_number_text (cols);

      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("An example of %s × %s is too large"), n, m);
      return NULL;
    }
  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    return NULL;

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
