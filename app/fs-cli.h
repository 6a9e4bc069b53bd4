/* fs-cli.h: what factorscope-cli's subcommands share with its main.
 *
 * Each subcommand lives in its own fs-cli-NAME.c and takes argv with its
 * own name first, as a program would. It returns the exit status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"
#include "fs-products.h"

G_BEGIN_DECLS

/* Exit statuses. */
enum
{
  FS_CLI_EXIT_OK = 0,
  FS_CLI_EXIT_USAGE = 1,
  FS_CLI_EXIT_DIVERGED = 2,
};

int             fs_cli_fail           (const char  *format,
                                       ...) G_GNUC_PRINTF (1, 2);
const char     *fs_cli_command_name   (void);
GOptionContext *fs_cli_context_new    (const char  *parameter,
                                       const char  *summary);
void            fs_cli_print_notices  (const FsMatrix *X);
FsProductsImpl  fs_cli_products       (void);
gboolean        fs_cli_parse_lr       (const char  *text,
                                       double      *lr,
                                       GError     **error);
int             fs_cli_cap_threads    (int          threads);

int             fs_cli_run            (int          argc,
                                       char       **argv);
int             fs_cli_sweep          (int          argc,
                                       char       **argv);
int             fs_cli_optimum        (int          argc,
                                       char       **argv);
int             fs_cli_bench          (int          argc,
                                       char       **argv);
int             fs_cli_info           (int          argc,
                                       char       **argv);
int             fs_cli_convert        (int          argc,
                                       char       **argv);
int             fs_cli_export_torch   (int          argc,
                                       char       **argv);

G_END_DECLS
