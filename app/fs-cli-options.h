/* fs-cli-options.h: the factorization options that run and sweep share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-params.h"

G_BEGIN_DECLS

typedef struct
{
  int       rank;        /* -1: the input's default */
  double    l2_w;
  double    l2_h;
  double    l1_w;
  double    l1_h;
  double    lr;          /* NaN: chosen from the data */
  char     *rule;
  char     *l1_mode;
  gboolean  nonneg;
  char     *init;
  gint64    iters;
  double    tol;
  gint64    seed;
  int       restarts;
  int       threads;
  char     *dtype;       /* float64 or float32, NULL for the default */
  double    holdout;
  gint64    holdout_seed;
  char     *out;
  gboolean  json;
  gboolean  stop_unstable;
  char     *rule_help;   /* --rule's help, naming the rules of the table */
  char     *lr_text;     /* --lr as given, NULL when it was not */
  /* What run --out writes besides the CSV files. */
  gboolean  npy;         /* the matrices and the loss as .npy too */
} FsCliRunOptions;

void          fs_cli_run_options_init           (FsCliRunOptions  *o);
void          fs_cli_run_options_clear          (FsCliRunOptions  *o);
/* --rank, --l2-w, --l2-h, --l1-w, --l1-h: run's; a sweep has its own.
 * g_free the array; the entries point into o. */
GOptionEntry *fs_cli_run_options_model_entries  (FsCliRunOptions  *o);
/* Everything else: --lr, --rule, …, --holdout, --holdout-seed, --out,
 * --json, --no-stop-unstable. */
GOptionEntry *fs_cli_run_options_common_entries (FsCliRunOptions  *o);
/* --npy: run's only, as sweep writes no files. */
GOptionEntry *fs_cli_run_options_output_entries (FsCliRunOptions  *o);
/* The rank stays at the default until the matrix is known (rank -1). */
gboolean      fs_cli_run_options_to_params      (const FsCliRunOptions *o,
                                                 FsParams         *p,
                                                 GError          **error);
/* "plain, normalized, momentum or adam". */
char         *fs_cli_rule_names                 (void);
/* How a run ended, in words for people (JSON has fs_stop_to_string ()). */
const char   *fs_cli_stop_text                  (FsStop stop);

G_END_DECLS
