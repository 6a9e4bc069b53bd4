/* fs-session-file.h: a .factorscope session file, what the window saves
 * and opens and what `factorscope-cli run --session FILE` replays.
 *
 * A JSON document (json-glib), documented in README "Sessions":
 * the data (a file's path and the SHA-256 of its bytes, or a built-in
 * example by name), how a data file is read (the optional "import"
 * object, which unlike the rest refuses fields it does not know), the
 * scaling, every parameter of FsParams including
 * the seeds and the thread count, the speed, and the kept runs' settings.
 * Reading is strict: an unknown version, a missing or mistyped field, or
 * a value FsParams would refuse is an error that names the field.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-import.h"
#include "fs-matrix.h"
#include "fs-params.h"

G_BEGIN_DECLS

#define FS_SESSION_FILE_VERSION 1
#define FS_SESSION_FILE_EXTENSION ".factorscope"

typedef struct
{
  /* Exactly one of data_path and example is set. */
  char      *data_path;   /* absolute; the file the matrix was read from */
  char      *checksum;    /* lower-case hex SHA-256 of data_path's bytes */
  char      *example;     /* fs-examples' name: lowrank, notebook, camera, … */
  /* The generated examples' options (lowrank): 0 for their defaults. */
  gsize      example_rows;
  gsize      example_cols;
  guint      example_rank;
  guint64    example_seed;
  /* How data_path is read (all automatic for an example); the JSON's
   * optional "import" object, left out when all automatic. */
  FsImportOptions import;
  FsScaling  scaling;
  FsParams   params;      /* params.threads as the window ran (never 0 when
                             saved by the window: replays use the same count) */
  double     pace;        /* iterations a second; 0 for full speed */
  /* The kept runs' settings, oldest first, with their names (NULL: none). */
  FsParams  *pins;
  char     **pin_names;
  guint      n_pins;
} FsSessionFile;

FsSessionFile *fs_session_file_new           (void);
void           fs_session_file_free          (FsSessionFile        *self);
FsSessionFile *fs_session_file_copy          (const FsSessionFile  *self);
void           fs_session_file_add_pin       (FsSessionFile        *self,
                                              const FsParams       *params,
                                              const char           *name);

/* JSON text, and back. base_dir resolves a relative data path when
 * reading (NULL: the current folder). */
char          *fs_session_file_to_data       (const FsSessionFile  *self,
                                              gsize                *length);
FsSessionFile *fs_session_file_from_data     (const char           *data,
                                              gssize                length,
                                              const char           *base_dir,
                                              GError              **error);

/* Written atomically (temporary file + rename): a failed save leaves the
 * old file as it was. */
gboolean       fs_session_file_save          (const FsSessionFile  *self,
                                              const char           *path,
                                              GError              **error);
FsSessionFile *fs_session_file_load          (const char           *path,
                                              GError              **error);

/* Whether the data is still the data the session was saved with: an
 * error that names the file when it is missing or its checksum differs
 * (FS_ERROR_DATA_CHANGED, fs-error.h). TRUE for an example. */
gboolean       fs_session_file_check_data    (const FsSessionFile  *self,
                                              GError              **error);
/* The SHA-256 of a file's bytes, in lower-case hex. */
char          *fs_session_file_checksum      (const char           *path,
                                              GError              **error);

/* The equivalent command: argv[0] is "factorscope-cli", then "run", then
 * the options that give the same run, then the data file (or --example).
 * Parsing it with factorscope-cli gives the same FsParams and scaling. */
char         **fs_session_file_to_argv       (const FsSessionFile  *self);
/* The same, shell-quoted and joined by spaces, for the clipboard. */
char          *fs_session_file_to_command_line (const FsSessionFile *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsSessionFile, fs_session_file_free)

G_END_DECLS
