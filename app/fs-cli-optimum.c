/* fs-cli-optimum.c: factorscope-cli optimum, the closed-form f*.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>

#include "fs-error.h"
#include "fs-blas.h"
#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-json.h"
#include "fs-optimum.h"
#include "fs-params.h"

/* A sparse matrix prints its top rank + SHOWN_PAST_RANK values: enough to
 * see the cut, without the cost of all of them. */
#define SHOWN_PAST_RANK 8

typedef struct
{
  int        rank;
  double     l2_w;
  double     l2_h;
  gboolean   json;
  FsCliInput in;
} OptimumOptions;

static GOptionContext *
optimum_context_new (OptimumOptions *o)
{
  const GOptionEntry entries[] = {
    { "rank", 'r', 0, G_OPTION_ARG_INT, &o->rank, N_("Rank of the factorization (required)"), N_("R") },
    { "l2-w", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_w, N_("L2 penalty on W"), N_("A") },
    { "l2-h", 0, 0, G_OPTION_ARG_DOUBLE, &o->l2_h, N_("L2 penalty on H"), N_("B") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json, N_("Print one JSON object"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autofree char *examples = fs_cli_input_describe_examples (FALSE);
  GOptionContext *context;

  context = fs_cli_context_new (_("FILE|--example NAME --rank R"),
                                _("Print the global optimum f* of the L2-regularized problem and "
                                  "the singular values it comes from."));
  g_option_context_set_description (context, examples);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, fs_cli_input_option_group (&o->in));
  return context;
}

/* The values f* needs: all of a dense matrix's (and an error when it has
 * missing cells, as before), the top ones of a sparse matrix whose
 * unlisted cells are zeros; a sparse matrix whose unlisted cells are
 * missing has no closed form. */
static GArray *
optimum_values (const OptimumOptions *o,
                const FsParams       *params,
                FsMatrix             *X,
                GError              **error)
{
  const char *reason = NULL;
  GArray *singular;

  if (fs_matrix_is_sparse (X) && !fs_params_has_optimum (params, X, &reason))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                   _("No global optimum: %s (the cells a sparse matrix does not list are missing, "
                     "unless they are said to be zeros)"), _(reason));
      return NULL;
    }

  fs_blas_set_threads (g_get_num_processors ());
  if (fs_matrix_is_sparse (X))
    singular = fs_singular_values_for_rank (X, (guint) o->rank + SHOWN_PAST_RANK, error);
  else
    singular = fs_singular_values (X, error);
  fs_blas_set_threads (1);
  return singular;
}

/* The matrix's singular values, after checking the arguments. */
static GArray *
optimum_prepare (OptimumOptions  *o,
                 int              argc,
                 char           **argv,
                 FsMatrix       **X,
                 char           **description,
                 GError         **error)
{
  g_autoptr(GOptionContext) context = optimum_context_new (o);
  FsParams params;

  if (!g_option_context_parse (context, &argc, &argv, error))
    return NULL;
  if (o->rank < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--rank R is required, with R ≥ 1"));
      return NULL;
    }
  if (!(*X = fs_cli_input_load (&o->in, argc, argv, description, error)))
    return NULL;

  fs_params_init_defaults (&params);
  params.rank = (guint) o->rank;
  params.l2_w = o->l2_w;
  params.l2_h = o->l2_h;
  if (!fs_params_validate (&params, *X, error))
    return NULL;
  return optimum_values (o, &params, *X, error);
}

static void
print_optimum_json (const OptimumOptions *o,
                    const FsMatrix       *X,
                    GArray               *singular,
                    double                optimum)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  fs_json_add_int (b, "rows", (gint64) X->rows);
  fs_json_add_int (b, "cols", (gint64) X->cols);
  fs_json_add_int (b, "rank", o->rank);
  fs_json_add_double (b, "l2_w", o->l2_w);
  fs_json_add_double (b, "l2_h", o->l2_h);
  fs_json_add_double (b, "optimum", optimum);
  json_builder_set_member_name (b, "singular_values");
  json_builder_begin_array (b);
  for (guint i = 0; i < singular->len; i++)
    json_builder_add_double_value (b, g_array_index (singular, double, i));
  json_builder_end_array (b);
  if (fs_matrix_is_sparse (X))
    {
      /* Only the top values: ||X||² stands for the rest. */
      json_builder_set_member_name (b, "singular_values_top_only");
      json_builder_add_boolean_value (b, TRUE);
      fs_json_add_double (b, "frobenius_sq", fs_matrix_frobenius_sq (X));
    }
  json_builder_end_object (b);
  fs_json_print (b);
}

static void
print_optimum_text (const OptimumOptions *o,
                    const FsMatrix       *X,
                    const char           *description,
                    GArray               *singular,
                    double                optimum)
{
  g_autofree char *rows = fs_error_number_text (X->rows);
  g_autofree char *cols = fs_error_number_text (X->cols);

  g_print (_("%s: %s × %s\n"), description, rows, cols);
  g_print (_("f* = %.12g (rank %d, l2 %g/%g)\n"), optimum, o->rank, o->l2_w, o->l2_h);
  g_print ("%s", fs_matrix_is_sparse (X) ? _("top singular values:") : _("singular values:"));
  for (guint i = 0; i < singular->len; i++)
    g_print ("%s%.10g", i == (guint) o->rank ? " |" : " ", g_array_index (singular, double, i));
  g_print ("\n");
}

int
fs_cli_optimum (int    argc,
                char **argv)
{
  OptimumOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  g_autoptr(GArray) singular = NULL;
  g_autofree char *description = NULL;
  double optimum;

  singular = optimum_prepare (&o, argc, argv, &X, &description, &error);
  fs_cli_input_clear (&o.in);
  if (singular == NULL)
    return fs_cli_fail ("%s", error->message);

  optimum = fs_optimum_for_matrix (X, singular, (guint) o.rank, o.l2_w, o.l2_h);
  if (o.json)
    print_optimum_json (&o, X, singular, optimum);
  else
    print_optimum_text (&o, X, description, singular, optimum);
  return FS_CLI_EXIT_OK;
}
