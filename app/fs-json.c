/* fs-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-json"

#include <math.h>
#include <string.h>

#include "fs-csv.h"
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

/* A double in the fewest digits that read back to it (fs-csv's). json-glib
 * 1.6's generator writes %.17g and then appends ".0" when it sees no
 * point, which turns 1e+20 into "1e+20.0", not JSON; so numbers are
 * written here. An integral value keeps a ".0", as json-glib wrote it, so
 * that readers still see a double. The builder holds finite values only
 * (fs_json_add_number). */
static void
append_double (GString *out,
               double   value)
{
  gsize start = out->len;

  fs_csv_append_number (out, value);
  if (strpbrk (out->str + start, ".e") == NULL)
    g_string_append (out, ".0");
}

/* A string as JSON, escaped by json-glib's own generator. */
static void
append_string (GString    *out,
               const char *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_string_append (out, text);
}

static void append_node (GString  *out,
                         JsonNode *node);

static void
append_object (GString    *out,
               JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_string_append_c (out, '{');
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (l != members)
        g_string_append_c (out, ',');
      append_string (out, l->data);
      g_string_append_c (out, ':');
      append_node (out, json_object_get_member (object, l->data));
    }
  g_string_append_c (out, '}');
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      append_double (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    default:
      append_string (out, json_node_get_string (node));
      break;
    }
}

static void
append_node (GString  *out,
             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_VALUE:
      append_value (out, node);
      break;
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    }
}

/* The builder's object on one line, without its line end. */
char *
fs_json_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  GString *out = g_string_new (NULL);

  append_node (out, root);
  return g_string_free (out, FALSE);
}

/* The builder's object on one line of standard output. */
void
fs_json_print (JsonBuilder *builder)
{
  g_autofree char *text = fs_json_to_string (builder);

  g_print ("%s\n", text);
}
