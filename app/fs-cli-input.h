/* fs-cli-input.h: the matrix a subcommand works on, named by a FILE
 * argument or by --example and its options.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

typedef struct
{
  char   *example;
  char   *example_size;
  int     example_rank;
  gint64  example_seed;
  char   *scaling;        /* --scaling as given, NULL for none */
  char   *scaling_help;   /* --scaling's help, naming the window's labels */
  /* The import options as given (NULL: not given). */
  char     *row_labels;
  char     *header;
  gboolean  transpose;
  char     *drop_columns;
  char     *storage;            /* --storage as given, NULL when it was not */
  gboolean  zeros_are_values;
} FsCliInput;

void          fs_cli_input_clear              (FsCliInput        *in);
GOptionGroup *fs_cli_input_option_group       (FsCliInput        *in);
char         *fs_cli_input_describe_examples  (gboolean           with_ranks);
FsMatrix     *fs_cli_input_load               (FsCliInput        *in,
                                               int                argc,
                                               char             **argv,
                                               char             **description,
                                               GError           **error);
/* --row-labels, --header, --transpose, --drop-columns, --storage and
 * --zeros-are-values alone, for the subcommands that take a FILE but not
 * the other input options. */
GOptionGroup *fs_cli_input_import_option_group (FsCliInput       *in);
/* The import options given, checked: an error names the option. */
gboolean      fs_cli_input_get_import_options (const FsCliInput  *in,
                                               FsImportOptions   *options,
                                               GError           **error);
/* A FILE argument: a file, "-" for standard input, or an example's name
 * when no file is called that. */
FsMatrix     *fs_cli_input_load_path          (const char        *path,
                                               char             **description,
                                               GError           **error);
/* The same, read with import options (NULL: all automatic); an example
 * takes none. */
FsMatrix     *fs_cli_input_load_path_full     (const char             *path,
                                               const FsImportOptions  *options,
                                               char                  **description,
                                               GError                **error);
/* --scaling's name: none, unit, center or standardize. */
const char   *fs_cli_scaling_to_string        (FsScaling          scaling);
gboolean      fs_cli_scaling_from_string      (const char        *name,
                                               FsScaling         *scaling);
FsScaling     fs_cli_input_get_scaling        (const FsCliInput  *in);
guint         fs_cli_input_default_rank       (const FsCliInput  *in,
                                               const FsMatrix    *X);

G_END_DECLS
