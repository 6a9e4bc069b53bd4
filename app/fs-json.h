/* fs-json.h: the JSON objects that factorscope-cli and the app's
 * benchmark mode print, one member at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void fs_json_add_int            (JsonBuilder *builder,
                                 const char  *key,
                                 gint64       value);
void fs_json_add_number         (JsonBuilder *builder,
                                 const char  *key,
                                 double       value,
                                 const char  *reason);
void fs_json_add_double         (JsonBuilder *builder,
                                 const char  *key,
                                 double       value);
void fs_json_add_string         (JsonBuilder *builder,
                                 const char  *key,
                                 const char  *value);
void fs_json_add_boolean        (JsonBuilder *builder,
                                 const char  *key,
                                 gboolean     value);
char *fs_json_to_string         (JsonBuilder *builder);
void fs_json_print              (JsonBuilder *builder);

G_END_DECLS
