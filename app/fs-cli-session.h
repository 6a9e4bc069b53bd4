/* fs-cli-session.h: `run --session FILE`, a saved session replayed.
 *
 * The session becomes the options of its equivalent command line
 * (fs_session_file_to_argv), and the options given beside --session come
 * after them, so that they override the session's: a single parse, in
 * which the last value of an option wins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-params.h"
#include "fs-session-file.h"

G_BEGIN_DECLS

typedef struct
{
  char          *path;   /* --session FILE, or NULL */
  FsSessionFile *file;
} FsCliSession;

void          fs_cli_session_clear        (FsCliSession  *session);
GOptionEntry *fs_cli_session_entries      (FsCliSession  *session);
/* After the first parse of args (argc and argv what it left): loads the
 * session and checks its data, and returns the arguments to parse
 * instead, the session's options then given (the full command line as
 * it was, args[0] first). NULL with an error for a FILE or --example
 * beside --session, a session that cannot be read, or data that changed. */
char        **fs_cli_session_expand       (FsCliSession  *session,
                                           const char    *example,
                                           int            argc,
                                           char * const  *args,
                                           GError       **error);
/* The settings the command line has no option for (momentum, Adam's
 * coefficients, the products), from the session. Not its nice value,
 * which keeps the window's frames ahead of the solver. */
void          fs_cli_session_apply        (const FsCliSession *session,
                                           FsParams           *params);

G_END_DECLS
