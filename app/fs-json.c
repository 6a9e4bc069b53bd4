/* fs-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-json"

#include <math.h>

#include "fs-json.h"

void
fs_json_add_int (JsonBuilder *builder,
                 const char  *key,
                 gint64       value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_int_value (builder, value);
}

/* JSON has no NaN or infinity: a value that is not finite is null, and a
 * member KEY_null_because says why: reason, or else what the value was. */
void
fs_json_add_number (JsonBuilder *builder,
                    const char  *key,
                    double       value,
                    const char  *reason)
{
  g_autofree char *because = NULL;

  json_builder_set_member_name (builder, key);
  if (isfinite (value))
    {
      json_builder_add_double_value (builder, value);
      return;
    }
  json_builder_add_null_value (builder);
  because = g_strconcat (key, "_null_because", NULL);
  json_builder_set_member_name (builder, because);
  json_builder_add_string_value (builder, reason != NULL ? reason
                                          : isnan (value) ? "not a number"
                                          : value > 0 ? "infinite" : "minus infinite");
}

void
fs_json_add_double (JsonBuilder *builder,
                    const char  *key,
                    double       value)
{
  fs_json_add_number (builder, key, value, NULL);
}

void
fs_json_add_string (JsonBuilder *builder,
                    const char  *key,
                    const char  *value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_string_value (builder, value);
}

void
fs_json_add_boolean (JsonBuilder *builder,
                     const char  *key,
                     gboolean     value)
{
  json_builder_set_member_name (builder, key);
  json_builder_add_boolean_value (builder, value);
}

/* The builder's object on one line, without its line end. */
char *
fs_json_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* The builder's object on one line of standard output. */
void
fs_json_print (JsonBuilder *builder)
{
  g_autofree char *text = fs_json_to_string (builder);

  g_print ("%s\n", text);
}
