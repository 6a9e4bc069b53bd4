/* fs-cli-sweep.c: factorscope-cli sweep, one factorization per value of a
 * rank range or a penalty's log grid (fs-sweep.h).
 *
 * Each point's numbers are those of `run` with the same settings. Points
 * are printed in their order, each once it and all before it have ended.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-cli.h"
#include "fs-cli-input.h"
#include "fs-cli-options.h"
#include "fs-error.h"
#include "fs-json.h"
#include "fs-rules.h"
#include "fs-sweep.h"

/* The sweep's own options, one per axis, in FsSweepAxis's order. */
static const struct
{
  const char *long_name;
  const char *help;
  const char *arg;
} axis_options[FS_N_SWEEP_AXES] = {
  [FS_SWEEP_RANK] = { "rank", N_("Ranks: R, or a range A:B (every rank), or A:B:N (N of them)"), N_("A:B") },
  [FS_SWEEP_L2] = { "l2", N_("L2 penalty on W and H: a value, or a log grid A:B:N"), N_("A:B:N") },
  [FS_SWEEP_L2_W] = { "l2-w", N_("L2 penalty on W: a value, or a log grid A:B:N"), N_("A:B:N") },
  [FS_SWEEP_L2_H] = { "l2-h", N_("L2 penalty on H: a value, or a log grid A:B:N"), N_("A:B:N") },
  [FS_SWEEP_L1] = { "l1", N_("L1 penalty on W and H: a value, or a log grid A:B:N"), N_("A:B:N") },
  [FS_SWEEP_L1_W] = { "l1-w", N_("L1 penalty on W: a value, or a log grid A:B:N"), N_("A:B:N") },
  [FS_SWEEP_L1_H] = { "l1-h", N_("L1 penalty on H: a value, or a log grid A:B:N"), N_("A:B:N") },
};

typedef struct
{
  FsCliRunOptions o;
  FsCliInput   in;
  char        *axis_text[FS_N_SWEEP_AXES];
  FsMatrix    *X;
  char        *description;
  FsParams     params;
  FsSweepAxis  axis;
  GArray      *values;
  FsSweep     *sweep;
  GMainLoop   *loop;
  guint        printed;     /* the points printed so far, in order */
  gint64       start;
  double       elapsed;
} Sweep;

static void
sweep_clear (Sweep *s)
{
  fs_cli_input_clear (&s->in);
  fs_cli_run_options_clear (&s->o);
  for (guint a = 0; a < FS_N_SWEEP_AXES; a++)
    g_clear_pointer (&s->axis_text[a], g_free);
  g_clear_pointer (&s->X, fs_matrix_unref);
  g_clear_pointer (&s->description, g_free);
  g_clear_pointer (&s->values, g_array_unref);
  g_clear_pointer (&s->sweep, fs_sweep_free);
  g_clear_pointer (&s->loop, g_main_loop_unref);
}

static GOptionContext *
sweep_context_new (Sweep *s)
{
  GOptionEntry axis_entries[FS_N_SWEEP_AXES + 1] = { 0 };
  g_autofree GOptionEntry *common = fs_cli_run_options_common_entries (&s->o);
  g_autofree char *examples = fs_cli_input_describe_examples (TRUE);
  GOptionContext *context;

  for (guint a = 0; a < FS_N_SWEEP_AXES; a++)
    axis_entries[a] = (GOptionEntry) { axis_options[a].long_name, 0, 0, G_OPTION_ARG_STRING,
                                       &s->axis_text[a], axis_options[a].help,
                                       axis_options[a].arg };

  context = fs_cli_context_new (_("FILE|--example NAME"),
                                _("Factorize X ≈ W H once per rank of a range (--rank 1:20) or per "
                                  "value of one penalty on a log grid (--l2 1e-3:10:9), with the "
                                  "same seed and settings, and print each point's results."));
  g_option_context_set_description (context, examples);
  g_option_context_add_main_entries (context, axis_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  g_option_context_add_group (context, fs_cli_input_option_group (&s->in));
  return context;
}

/* The one axis given as a range (its text has a colon); the others given
 * are single values, set in the base settings. */
static gboolean
choose_axis (Sweep   *s,
             GError **error)
{
  gint axis = -1;

  for (guint a = 0; a < FS_N_SWEEP_AXES; a++)
    if (s->axis_text[a] != NULL && strchr (s->axis_text[a], ':') != NULL)
      {
        if (axis >= 0)
          {
            g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                         _("Only one setting can be swept: --%s and --%s are both ranges"),
                         axis_options[axis].long_name, axis_options[a].long_name);
            return FALSE;
          }
        axis = (gint) a;
      }
  if (axis < 0)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                           _("Nothing to sweep: give a range such as --rank 1:20 or --l2 1e-3:10:9"));
      return FALSE;
    }
  s->axis = (FsSweepAxis) axis;
  return fs_sweep_parse_values (s->axis, s->axis_text[axis], &s->values, error);
}

/* The single values, the pairs (--l2, --l1) before the one-sided ones so
 * that --l2 0.1 --l2-h 0 means what it says. */
static gboolean
apply_single_values (Sweep   *s,
                     GError **error)
{
  for (guint a = 0; a < FS_N_SWEEP_AXES; a++)
    {
      g_autoptr(GArray) value = NULL;

      if (s->axis_text[a] == NULL || a == s->axis)
        continue;
      if (!fs_sweep_parse_values (a, s->axis_text[a], &value, error))
        {
          g_prefix_error (error, "--%s: ", axis_options[a].long_name);
          return FALSE;
        }
      fs_sweep_apply (a, g_array_index (value, double, 0), &s->params);
    }
  return TRUE;
}

/* Parses the arguments, loads the matrix and builds the sweep. */
static gboolean
sweep_prepare (Sweep   *s,
               int      argc,
               char   **argv,
               GError **error)
{
  g_autoptr(GOptionContext) context = sweep_context_new (s);

  if (!g_option_context_parse (context, &argc, &argv, error) ||
      !fs_cli_parse_lr (s->o.lr_text, &s->o.lr, error) ||
      !fs_cli_run_options_to_params (&s->o, &s->params, error) ||
      !choose_axis (s, error))
    return FALSE;
  if (s->o.out != NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
                           _("sweep does not write files: leave out --out, or run the point you "
                             "want with run --out"));
      return FALSE;
    }
  s->X = fs_cli_input_load (&s->in, argc, argv, &s->description, error);
  if (s->X == NULL)
    return FALSE;

  s->params.rank = fs_cli_input_default_rank (&s->in, s->X);
  if (!apply_single_values (s, error))
    return FALSE;
  s->sweep = fs_sweep_new (s->X, &s->params, isnan (s->o.lr), s->axis,
                           (const double *) (gpointer) s->values->data, s->values->len, error);
  return s->sweep != NULL;
}

/* The axis's value as written: ranks whole. */
static char *
format_value (FsSweepAxis axis,
              double      value)
{
  return axis == FS_SWEEP_RANK ? g_strdup_printf ("%.0f", value) : g_strdup_printf ("%g", value);
}

static void
print_header (Sweep *s)
{
  const FsParams *p = &s->params;
  g_autofree char *rows = fs_error_number_text (s->X->rows);
  g_autofree char *cols = fs_error_number_text (s->X->cols);
  g_autofree char *missing = fs_error_number_text (s->X->n_missing);
  g_autofree char *seed = fs_error_number_text (p->seed);
  g_autofree char *cores = fs_error_number_text (g_get_num_processors ());
  g_autofree char *first = format_value (s->axis, g_array_index (s->values, double, 0));
  g_autofree char *last = format_value (s->axis, g_array_index (s->values, double,
                                                                s->values->len - 1));

  g_print (ngettext ("%s: %s × %s, %s missing\n", "%s: %s × %s, %s missing\n", s->X->n_missing),
           s->description, rows, cols, missing);
  /* Translators: the swept setting (“L2 on W”), its first and last values,
   * the number of points, the update rule's name and the seed. */
  g_print (ngettext ("sweep of %s from %s to %s, %u point; rule %s, seed %s\n",
                     "sweep of %s from %s to %s, %u points; rule %s, seed %s\n", s->values->len),
           fs_sweep_axis_get_label (s->axis), first, last, s->values->len, p->rule->name, seed);
  g_print (_("each point runs on the solver threads `run` gives it; points on one thread run "
             "side by side, up to %s at a time\n"), cores);
  if (p->holdout > 0.0)
    {
      g_autofree char *share = g_strdup_printf ("%g%%", 100.0 * p->holdout);
      g_autofree char *split = fs_error_number_text (p->holdout_seed);

      g_print (_("%s of the cells held out (split seed %s); f* is the full data's, for "
                 "reference: no gap\n"), share, split);
    }
  /* Translators: the titles of the sweep table's columns: keep each within
   * its width (10, 18, 18, 10, 12, 12, 10, 8 and 7 characters). */
  g_print ("%-10s %18s %18s %10s %12s %12s %10s %8s %7s  %s\n", _("value"), _("final cost"),
           _("f*"), _("gap"), _("train MSE"), _("held-out MSE"), _("iterations"), _("time"),
           _("threads"), _("stop"));
}

/* A number with digits significant digits, or "—" when there is none. */
static char *
format_number (int    digits,
               double value)
{
  return isfinite (value) ? g_strdup_printf ("%.*g", digits, value) : g_strdup ("—");
}

static void
print_point_text (Sweep              *s,
                  const FsSweepPoint *point)
{
  g_autofree char *value = format_value (s->axis, point->value);
  g_autofree char *cost = format_number (12, point->cost);
  g_autofree char *optimum = format_number (12, point->optimum);
  /* With held-out cells f* is the full data's, a reference: no gap. */
  double gap_value = point->params.holdout > 0.0 ? NAN : point->cost - point->optimum;
  g_autofree char *gap = format_number (4, gap_value);
  g_autofree char *train = format_number (6, point->train_mse);
  g_autofree char *holdout = format_number (6, point->holdout_mse);
  g_autofree char *time = g_strdup_printf ("%.2fs", point->elapsed);
  const char *stop = point->state == FS_SWEEP_POINT_DONE ? fs_cli_stop_text (point->stop)
                     : point->state == FS_SWEEP_POINT_FAILED ? _("failed")
                     : _("cancelled");

  /* "—" is one column but three bytes: printf pads by bytes. */
  g_print ("%-10s %18s %*s %*s %12s %*s %10" G_GUINT64_FORMAT " %8s %7u  %s\n", value, cost,
           isfinite (point->optimum) ? 18 : 20, optimum,
           isfinite (gap_value) ? 10 : 12, gap, train,
           isfinite (point->holdout_mse) ? 12 : 14, holdout, point->iteration, time,
           point->threads, stop);
  if (point->state == FS_SWEEP_POINT_FAILED && point->message != NULL)
    g_printerr ("%s: %s\n", fs_cli_command_name (), point->message);
}

static void
add_params_json (JsonBuilder    *b,
                 const FsParams *p)
{
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  fs_json_add_int (b, "rank", p->rank);
  fs_json_add_double (b, "l2_w", p->l2_w);
  fs_json_add_double (b, "l2_h", p->l2_h);
  fs_json_add_double (b, "l1_w", p->l1_w);
  fs_json_add_double (b, "l1_h", p->l1_h);
  fs_json_add_double (b, "lr", p->lr);
  json_builder_end_object (b);
}

static void
add_value_json (JsonBuilder *b,
                const char  *key,
                FsSweepAxis  axis,
                double       value)
{
  if (axis == FS_SWEEP_RANK)
    fs_json_add_int (b, key, (gint64) value);
  else
    fs_json_add_double (b, key, value);
}

/* One line: what `run --json` says of the same settings, by the same
 * names, and the point's place in the sweep. */
static void
print_point_json (Sweep              *s,
                  const FsSweepPoint *point)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *no_optimum = NULL;

  /* As run says it: no f* with held-out cells; the full data's f* is
   * given apart, for reference. */
  fs_params_has_optimum (&point->params, s->X, &no_optimum);
  json_builder_begin_object (b);
  fs_json_add_string (b, "axis", fs_sweep_axis_to_string (s->axis));
  fs_json_add_int (b, "index", point->index);
  add_value_json (b, "value", s->axis, point->value);
  add_params_json (b, &point->params);
  fs_json_add_number (b, "final_cost", point->cost, NULL);
  fs_json_add_number (b, "optimum", no_optimum == NULL ? point->optimum : NAN, no_optimum);
  fs_json_add_number (b, "gap", no_optimum == NULL ? point->cost - point->optimum : NAN, no_optimum);
  if (point->params.holdout > 0.0)
    fs_json_add_number (b, "optimum_full_data", point->optimum, "no closed form");
  fs_json_add_number (b, "train_mse", point->train_mse, NULL);
  fs_json_add_number (b, "holdout_mse", point->holdout_mse,
                      point->params.holdout > 0.0 ? NULL : "no held-out cells");
  fs_json_add_number (b, "zeros_w", point->zeros_w, NULL);
  fs_json_add_number (b, "zeros_h", point->zeros_h, NULL);
  fs_json_add_int (b, "iterations", (gint64) point->iteration);
  fs_json_add_double (b, "elapsed", point->elapsed);
  fs_json_add_string (b, "stopped", point->state == FS_SWEEP_POINT_DONE
                                    ? fs_stop_to_string (point->stop)
                                    : point->state == FS_SWEEP_POINT_FAILED ? "failed"
                                    : "cancelled");
  if (point->message != NULL)
    fs_json_add_string (b, "message", point->message);
  fs_json_add_int (b, "threads", point->threads);
  json_builder_end_object (b);
  fs_json_print (b);
}

/* Whether a point's result can be the sweep's best. */
static gboolean
point_counts (const FsSweepPoint *point)
{
  return point->state == FS_SWEEP_POINT_DONE && point->stop != FS_STOP_DIVERGED &&
         isfinite (point->cost);
}

/* The best point by score (the held-out MSE, or the final cost), -1 when
 * no point counts. */
static gint
find_best_by (Sweep    *s,
              gboolean  by_holdout)
{
  gint best = -1;
  double best_score = INFINITY;

  for (guint i = 0; i < fs_sweep_get_n_points (s->sweep); i++)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (s->sweep, i);
      double score = by_holdout ? point->holdout_mse : point->cost;

      if (point_counts (point) && isfinite (score) && (best < 0 || score < best_score))
        {
          best = (gint) i;
          best_score = score;
        }
    }
  return best;
}

/* The best point: by held-out MSE when there is a split and a point has
 * one, else by final cost. */
static gint
find_best (Sweep    *s,
           gboolean *by_holdout)
{
  gint best = -1;

  *by_holdout = s->params.holdout > 0.0;
  if (*by_holdout)
    best = find_best_by (s, TRUE);
  if (best < 0)
    {
      *by_holdout = FALSE;
      best = find_best_by (s, FALSE);
    }
  return best;
}

static void
print_summary_json (Sweep    *s,
                    gint      best,
                    gboolean  by_holdout)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  fs_json_add_string (b, "input", s->description);
  fs_json_add_int (b, "rows", (gint64) s->X->rows);
  fs_json_add_int (b, "cols", (gint64) s->X->cols);
  fs_json_add_string (b, "axis", fs_sweep_axis_to_string (s->axis));
  fs_json_add_int (b, "points", s->values->len);
  fs_json_add_string (b, "best_by", by_holdout ? "holdout_mse" : "final_cost");
  if (best >= 0)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (s->sweep, (guint) best);

      fs_json_add_int (b, "best_index", best);
      add_value_json (b, "best_value", s->axis, point->value);
      fs_json_add_double (b, "best_final_cost", point->cost);
      fs_json_add_number (b, "best_holdout_mse", point->holdout_mse, "no held-out cells");
    }
  else
    {
      json_builder_set_member_name (b, "best_index");
      json_builder_add_null_value (b);
    }
  fs_json_add_double (b, "elapsed", s->elapsed);
  fs_json_add_int (b, "cores", g_get_num_processors ());
  json_builder_end_object (b);
  json_builder_end_object (b);
  fs_json_print (b);
}

static void
print_summary_text (Sweep    *s,
                    gint      best,
                    gboolean  by_holdout)
{
  if (best >= 0)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (s->sweep, (guint) best);
      g_autofree char *value = format_value (s->axis, point->value);

      g_print (by_holdout ? _("best: %s %s, by held-out MSE %.6g (final cost %.12g)\n")
                          : _("best: %s %s, by final cost %.12g\n"),
               fs_sweep_axis_to_string (s->axis), value,
               by_holdout ? point->holdout_mse : point->cost, point->cost);
    }
  else
    g_print (_("best: none (every point diverged)\n"));
  g_print (ngettext ("%u point in %.2f s\n", "%u points in %.2f s\n", s->values->len),
           s->values->len, s->elapsed);
}

/* Prints the points that have ended since the last call, in order, and
 * stops the loop once every point is printed. */
static gboolean
on_changed (gpointer data)
{
  Sweep *s = data;

  while (s->printed < s->values->len)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (s->sweep, s->printed);

      if (point->state == FS_SWEEP_POINT_WAITING || point->state == FS_SWEEP_POINT_RUNNING)
        break;
      if (s->o.json)
        print_point_json (s, point);
      else
        print_point_text (s, point);
      s->printed++;
    }
  if (s->printed == s->values->len)
    g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

/* 2 when a point diverged (or failed), as `run` exits 2 when its run
 * diverged: the other points are printed all the same. */
static int
sweep_status (Sweep *s)
{
  for (guint i = 0; i < s->values->len; i++)
    {
      g_autoptr(FsSweepPoint) point = fs_sweep_get_point (s->sweep, i);

      if (point->state != FS_SWEEP_POINT_DONE || point->stop == FS_STOP_DIVERGED)
        return FS_CLI_EXIT_DIVERGED;
    }
  return FS_CLI_EXIT_OK;
}

static int
sweep_run (Sweep *s)
{
  gboolean by_holdout;
  gint best;

  if (!s->o.json)
    print_header (s);
  s->loop = g_main_loop_new (NULL, FALSE);
  s->start = g_get_monotonic_time ();
  fs_sweep_start (s->sweep, on_changed, s);
  g_main_loop_run (s->loop);
  s->elapsed = (double) (g_get_monotonic_time () - s->start) / G_USEC_PER_SEC;

  best = find_best (s, &by_holdout);
  if (s->o.json)
    print_summary_json (s, best, by_holdout);
  else
    print_summary_text (s, best, by_holdout);
  return sweep_status (s);
}

int
fs_cli_sweep (int    argc,
              char **argv)
{
  Sweep s = { 0 };
  g_autoptr(GError) error = NULL;
  int status;

  fs_cli_run_options_init (&s.o);
  if (!sweep_prepare (&s, argc, argv, &error))
    status = fs_cli_fail ("%s", error->message);
  else
    status = sweep_run (&s);
  sweep_clear (&s);
  return status;
}
