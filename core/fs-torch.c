/* fs-torch.c
 *
 * The script is a template (resources/torch/fs-torch-template.py, compiled
 * into the core) whose settings block is filled in here; the data and the
 * starting factors go beside it as .npy, so that the script starts from
 * the very W and H the solver starts from (fs_start_fill () on the matrix
 * the solver trains on) and needs nothing but NumPy and PyTorch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-torch"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-holdout.h"
#include "fs-npy.h"
#include "fs-rules.h"
#include "fs-start.h"
#include "fs-torch.h"
#include "fs-torch-data.h"

#define TEMPLATE_PATH "/org/factorscope/Factorscope/torch/fs-torch-template.py"

/* The files of an export, in the order they are written. */
enum
{
  FILE_SCRIPT,
  FILE_X,
  FILE_W0,
  FILE_H0,
  FILE_TRAIN,
  N_FILES
};

static const char * const file_suffixes[N_FILES] = { ".py", "-X.npy", "-W0.npy", "-H0.npy",
                                                     "-train.npy" };

/* A Python string literal: quotes, backslashes and control characters
 * escaped; the rest (UTF-8) as it is, which Python 3 source allows. */
static void
append_python_string (GString    *out,
                      const char *text)
{
  g_string_append_c (out, '"');
  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if ((guchar) *c < 0x20 || *c == 0x7f)
        g_string_append_printf (out, "\\x%02x", (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

/* NAME = value  # comment, with the value in the shortest form that reads
 * back to the same double (0.9, not 0.90000000000000002), whatever the
 * locale, and with a point, so that Python reads a float. */
static void
append_number (GString    *out,
               const char *name,
               double      value,
               const char *comment)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE + 2];

  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  if (strpbrk (buf, ".en") == NULL)
    strcat (buf, ".0");
  g_string_append_printf (out, "%-12s = %-24s # %s\n", name, buf, comment);
}

static void
append_text (GString    *out,
             const char *name,
             const char *value,
             const char *comment)
{
  g_autoptr(GString) literal = g_string_new (NULL);

  append_python_string (literal, value);
  g_string_append_printf (out, "%-12s = %-24s # %s\n", name, literal->str, comment);
}

/* The script's settings block: every setting the run depends on. */
static char *
settings_block (const char     *stem,
                const FsParams *p)
{
  GString *out = g_string_new (NULL);
  char seed[32];

  g_snprintf (seed, sizeof seed, "%" G_GUINT64_FORMAT, p->seed);
  append_text (out, "STEM", stem, "the files beside this script are STEM-X.npy, ...");
  g_string_append_printf (out, "%-12s = %-24u # [rank]\n", "RANK", p->rank);
  append_text (out, "RULE", p->rule->name, "plain, normalized, momentum or adam [rule]");
  append_number (out, "LR", p->lr, "the learning rate [lr]");
  append_number (out, "MOMENTUM", p->momentum, "the momentum rule's beta");
  append_number (out, "BETA1", p->adam_beta1, "Adam's beta1");
  append_number (out, "BETA2", p->adam_beta2, "Adam's beta2");
  append_number (out, "EPS", p->adam_eps, "Adam's epsilon");
  append_number (out, "L2_W", p->l2_w, "L2 penalty on W [l2-w, the post's lambda1]");
  append_number (out, "L2_H", p->l2_h, "L2 penalty on H [l2-h, the post's lambda2]");
  append_number (out, "L1_W", p->l1_w, "L1 penalty on W [l1-w]");
  append_number (out, "L1_H", p->l1_h, "L1 penalty on H [l1-h]");
  append_text (out, "L1_MODE", fs_l1_mode_to_string (p->l1_mode),
               "prox (soft-thresholding, exact zeros) or subgradient [l1-mode]");
  g_string_append_printf (out, "%-12s = %-24s # keep W and H >= 0 (NMF) [nonneg]\n", "NONNEG",
                          p->nonneg ? "True" : "False");
  g_string_append_printf (out, "%-12s = %-24" G_GUINT64_FORMAT " # the iteration limit [iters]\n",
                          "ITERATIONS", p->max_iters);
  append_number (out, "TOLERANCE", p->tol, "relative change that counts as quiet; 0: off [tol]");
  g_string_append_printf (out, "%-12s = %-24s # some observed cells are held out [holdout]\n",
                          "HOLDOUT", p->holdout > 0.0 ? "True" : "False");
  /* float32: the script's default --dtype. */
  append_text (out, "DTYPE", fs_dtype_to_string (p->dtype),
               "float64 or float32: the precision the run computed in [dtype]");
  g_string_append_printf (out, "%-12s = %-24s # the seed W0 and H0 were drawn from [seed]",
                          "SEED", seed);
  return g_string_free (out, FALSE);
}

/* For the script's comments: a stem with a line break would end them. */
static char *
comment_safe (const char *text)
{
  char *safe = g_strdup (text);

  for (char *c = safe; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = '?';
  return safe;
}

static GBytes *
script_bytes (const char     *stem,
              const FsParams *params,
              GError        **error)
{
  g_autoptr(GBytes) template = g_resource_lookup_data (fs_torch_data_get_resource (), TEMPLATE_PATH,
                                                       G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_autofree char *settings = settings_block (stem, params);
  g_autofree char *safe_stem = comment_safe (stem);
  GString *script;

  if (template == NULL)
    return NULL;
  script = g_string_new_len (g_bytes_get_data (template, NULL), (gssize) g_bytes_get_size (template));
  g_string_replace (script, "@SETTINGS@", settings, 1);
  g_string_replace (script, "@STEM@", safe_stem, 0);
  return g_string_free_to_bytes (script);
}

/* A matrix of the given values, for fs_npy_encode (). */
static GBytes *
npy_bytes (gsize         rows,
           gsize         cols,
           const double *data,
           GError      **error)
{
  g_autoptr(FsMatrix) M = fs_matrix_new_from_data (rows, cols, data, error);

  return M != NULL ? fs_npy_encode (M) : NULL;
}

/* 1 where the solver trains on a cell, 0 where it is missing or held out. */
static GBytes *
train_mask_bytes (const FsMatrix *train,
                  GError        **error)
{
  gsize len = train->rows * train->cols;
  g_autofree double *mask = g_new (double, len);

  for (gsize k = 0; k < len; k++)
    mask[k] = train->mask == NULL || train->mask[k] ? 1.0 : 0.0;
  return npy_bytes (train->rows, train->cols, mask, error);
}

/* The .npy files: X as given, and the start that the solver makes from
 * the matrix it trains on (held-out cells missing), which the scaled
 * initialization's mean |X| depends on. */
static gboolean
data_bytes (const FsMatrix *X,
            const FsParams *p,
            GBytes        **contents,
            GError        **error)
{
  g_autoptr(FsHoldout) holdout = NULL;
  g_autoptr(FsMatrix) train = NULL;
  g_autofree double *W = NULL;
  g_autofree double *H = NULL;

  if (p->holdout > 0.0 &&
      (!(holdout = fs_holdout_new (X, p->holdout, p->holdout_seed, error)) ||
       !(train = fs_holdout_training_matrix (holdout, X, error)) ||
       !(contents[FILE_TRAIN] = train_mask_bytes (train, error))))
    return FALSE;

  W = fs_alloc_doubles (X->rows * p->rank);
  H = fs_alloc_doubles ((gsize) p->rank * X->cols);
  if (W == NULL || H == NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("Not enough memory for the starting factors"));
      return FALSE;
    }
  fs_start_fill (train != NULL ? train : X, p->init, p->rank, p->seed, W, H);

  contents[FILE_X] = fs_npy_encode (X);
  return (contents[FILE_W0] = npy_bytes (X->rows, p->rank, W, error)) != NULL &&
         (contents[FILE_H0] = npy_bytes (p->rank, X->cols, H, error)) != NULL;
}

/* script_path without a final ".py". */
static char *
path_stem (const char *script_path)
{
  if (g_str_has_suffix (script_path, ".py") && strlen (script_path) > 3)
    return g_strndup (script_path, strlen (script_path) - 3);
  return g_strdup (script_path);
}

gboolean
fs_torch_export (const char     *script_path,
                 const FsMatrix *X,
                 const FsParams *params,
                 GError        **error)
{
  g_autofree char *stem_path = NULL;
  g_autofree char *stem = NULL;
  char *paths[N_FILES] = { NULL };
  GBytes *contents[N_FILES] = { NULL };
  guint n_files;
  gboolean ok;

  g_return_val_if_fail (script_path != NULL, FALSE);
  g_return_val_if_fail (X != NULL && params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The script reads X and its mask as dense .npy arrays. */
  if (X->sparse != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                   _("Exporting a PyTorch script needs a dense matrix, and this one is held "
                     "sparse: read it with --storage dense to export it"));
      return FALSE;
    }
  if (!fs_params_validate (params, X, error))
    return FALSE;

  stem_path = path_stem (script_path);
  stem = g_path_get_basename (stem_path);
  n_files = params->holdout > 0.0 ? N_FILES : N_FILES - 1;
  for (guint i = 0; i < n_files; i++)
    paths[i] = i == FILE_SCRIPT ? g_strdup (script_path)
                                : g_strconcat (stem_path, file_suffixes[i], NULL);

  ok = data_bytes (X, params, contents, error) &&
       (contents[FILE_SCRIPT] = script_bytes (stem, params, error)) != NULL &&
       fs_csv_write_set (n_files, (const char * const *) paths, contents, error);

  for (guint i = 0; i < N_FILES; i++)
    {
      g_clear_pointer (&contents[i], g_bytes_unref);
      g_clear_pointer (&paths[i], g_free);
    }
  return ok;
}
