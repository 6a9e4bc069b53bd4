/* fs-session-file.c: the .factorscope session file.
 *
 * The JSON text is written here rather than by JsonGenerator: json-glib
 * 1.6 (Debian 12) writes 1e308 as "1e+308.0", which no JSON reader
 * takes, and 0.1 as 0.10000000000000001. Numbers are written in the
 * shortest form that reads back to the same double; json-glib reads them
 * back exactly (strtod).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-session-file"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fs-csv.h"
#include "fs-error.h"
#include "fs-examples.h"
#include "fs-rules.h"
#include "fs-session-file.h"

#define FORMAT_NAME "factorscope-session"
#define CHECKSUM_BUFFER_SIZE (64 * 1024)

/* The scalings by the names the command line's --scaling takes. */
static const char * const scaling_names[FS_N_SCALINGS] = {
  "none", "unit", "center", "standardize",
};

/* How each FsParams field is written and read. */
typedef enum
{
  FIELD_UINT,     /* guint, a JSON integer */
  FIELD_INT,      /* int, a JSON integer */
  FIELD_COUNT,    /* guint64 that fits a JSON integer (max_iters) */
  FIELD_SEED,     /* guint64, a decimal string: every 64-bit value survives */
  FIELD_DOUBLE,
  FIELD_BOOLEAN,
  FIELD_RULE,     /* const FsRule *, by its name */
  FIELD_L1_MODE,
  FIELD_INIT,
  FIELD_PRODUCTS,
} FieldKind;

typedef struct
{
  const char *name;
  FieldKind   kind;
  gsize       offset;
} ParamField;

#define FIELD(name, kind) { #name, kind, G_STRUCT_OFFSET (FsParams, name) }

/* Every field of FsParams, in the order they are written. */
static const ParamField param_fields[] = {
  FIELD (rank, FIELD_UINT),
  FIELD (rule, FIELD_RULE),
  FIELD (lr, FIELD_DOUBLE),
  FIELD (momentum, FIELD_DOUBLE),
  FIELD (adam_beta1, FIELD_DOUBLE),
  FIELD (adam_beta2, FIELD_DOUBLE),
  FIELD (adam_eps, FIELD_DOUBLE),
  FIELD (l2_w, FIELD_DOUBLE),
  FIELD (l2_h, FIELD_DOUBLE),
  FIELD (l1_w, FIELD_DOUBLE),
  FIELD (l1_h, FIELD_DOUBLE),
  FIELD (l1_mode, FIELD_L1_MODE),
  FIELD (nonneg, FIELD_BOOLEAN),
  FIELD (init, FIELD_INIT),
  FIELD (seed, FIELD_SEED),
  FIELD (max_iters, FIELD_COUNT),
  FIELD (tol, FIELD_DOUBLE),
  FIELD (stop_unstable, FIELD_BOOLEAN),
  FIELD (restarts, FIELD_UINT),
  FIELD (holdout, FIELD_DOUBLE),
  FIELD (holdout_seed, FIELD_SEED),
  FIELD (threads, FIELD_UINT),
  FIELD (nice, FIELD_INT),
  FIELD (products, FIELD_PRODUCTS),
};

#undef FIELD

#define FIELD_PTR(params, field, type) ((type *) (void *) ((char *) (params) + (field)->offset))

/* The value */

FsSessionFile *
fs_session_file_new (void)
{
  FsSessionFile *self = g_new0 (FsSessionFile, 1);

  fs_params_init_defaults (&self->params);
  fs_import_options_init (&self->import);
  return self;
}

void
fs_session_file_free (FsSessionFile *self)
{
  if (self == NULL)
    return;
  g_free (self->data_path);
  g_free (self->checksum);
  g_free (self->example);
  g_free (self->pins);
  g_strfreev (self->pin_names);
  fs_import_options_clear (&self->import);
  g_free (self);
}

FsSessionFile *
fs_session_file_copy (const FsSessionFile *self)
{
  FsSessionFile *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->data_path = g_strdup (self->data_path);
  copy->checksum = g_strdup (self->checksum);
  copy->example = g_strdup (self->example);
  copy->pins = self->n_pins > 0 ? g_memdup2 (self->pins, self->n_pins * sizeof (FsParams)) : NULL;
  copy->pin_names = g_strdupv (self->pin_names);
  copy->import.drop_columns = NULL;
  copy->import.n_drop_columns = 0;
  fs_import_options_copy (&copy->import, &self->import);
  return copy;
}

void
fs_session_file_add_pin (FsSessionFile  *self,
                         const FsParams *params,
                         const char     *name)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (params != NULL);

  self->pins = g_renew (FsParams, self->pins, self->n_pins + 1);
  self->pins[self->n_pins] = *params;
  self->pin_names = g_renew (char *, self->pin_names, self->n_pins + 2);
  self->pin_names[self->n_pins] = g_strdup (name != NULL ? name : "");
  self->pin_names[self->n_pins + 1] = NULL;
  self->n_pins++;
}

/* Writing */

/* The fewest digits that read back to value (fs-csv's, which R reads
 * back too): 0.1 stays 0.1, -0 is "-0.0" (not the integer 0). JSON has no
 * NaN or infinity; validated settings hold none. */
static void
append_double (GString *out,
               double   value)
{
  g_assert (isfinite (value));
  fs_csv_append_number (out, value);
}

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

/* A file name as JSON text, which is UTF-8: a name that is not valid
 * UTF-8 in the file-name encoding is written as it is displayed. */
static void
append_filename (GString    *out,
                 const char *path)
{
  g_autofree char *utf8 = g_filename_to_utf8 (path, -1, NULL, NULL, NULL);

  if (utf8 == NULL)
    utf8 = g_filename_display_name (path);
  append_string (out, utf8);
}

/* The JSON object being written: a comma before every member but the
 * first, each on its own line at its depth. */
typedef struct
{
  GString *out;
  guint    depth;
  gboolean first;
} Writer;

static void
begin_member (Writer     *w,
              const char *name)
{
  g_string_append (w->out, w->first ? "\n" : ",\n");
  w->first = FALSE;
  for (guint i = 0; i < w->depth; i++)
    g_string_append (w->out, "  ");
  if (name != NULL)
    {
      append_string (w->out, name);
      g_string_append (w->out, ": ");
    }
}

static void
begin_block (Writer     *w,
             const char *name,
             char        open)
{
  if (name != NULL || w->depth > 0)
    begin_member (w, name);
  g_string_append_c (w->out, open);
  w->depth++;
  w->first = TRUE;
}

static void
end_block (Writer *w,
           char    close)
{
  gboolean empty = w->first;

  w->depth--;
  if (!empty)
    {
      g_string_append_c (w->out, '\n');
      for (guint i = 0; i < w->depth; i++)
        g_string_append (w->out, "  ");
    }
  g_string_append_c (w->out, close);
  w->first = FALSE;
}

static void
write_string (Writer     *w,
              const char *name,
              const char *value)
{
  begin_member (w, name);
  append_string (w->out, value);
}

static void
write_filename (Writer     *w,
                const char *name,
                const char *path)
{
  begin_member (w, name);
  append_filename (w->out, path);
}

static void
write_uint64 (Writer     *w,
              const char *name,
              guint64     value)
{
  begin_member (w, name);
  g_string_append_printf (w->out, "%" G_GUINT64_FORMAT, value);
}

/* A seed, as a decimal string: JSON readers (json-glib's gint64,
 * JavaScript's doubles) lose 64-bit integers. */
static void
write_seed (Writer     *w,
            const char *name,
            guint64     value)
{
  begin_member (w, name);
  g_string_append_printf (w->out, "\"%" G_GUINT64_FORMAT "\"", value);
}

static void
write_double (Writer     *w,
              const char *name,
              double      value)
{
  begin_member (w, name);
  append_double (w->out, value);
}

static void
write_param (Writer           *w,
             const FsParams   *p,
             const ParamField *field)
{
  switch (field->kind)
    {
    case FIELD_UINT:
      write_uint64 (w, field->name, *FIELD_PTR (p, field, guint));
      break;
    case FIELD_INT:
      begin_member (w, field->name);
      g_string_append_printf (w->out, "%d", *FIELD_PTR (p, field, int));
      break;
    case FIELD_COUNT:
      write_uint64 (w, field->name, *FIELD_PTR (p, field, guint64));
      break;
    case FIELD_SEED:
      write_seed (w, field->name, *FIELD_PTR (p, field, guint64));
      break;
    case FIELD_DOUBLE:
      write_double (w, field->name, *FIELD_PTR (p, field, double));
      break;
    case FIELD_BOOLEAN:
      begin_member (w, field->name);
      g_string_append (w->out, *FIELD_PTR (p, field, gboolean) ? "true" : "false");
      break;
    case FIELD_RULE:
      write_string (w, field->name, p->rule->name);
      break;
    case FIELD_L1_MODE:
      write_string (w, field->name, fs_l1_mode_to_string (p->l1_mode));
      break;
    case FIELD_INIT:
      write_string (w, field->name, fs_init_to_string (p->init));
      break;
    case FIELD_PRODUCTS:
      write_string (w, field->name, fs_products_impl_name (p->products));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
write_params (Writer         *w,
              const char     *name,
              const FsParams *p)
{
  begin_block (w, name, '{');
  for (guint i = 0; i < G_N_ELEMENTS (param_fields); i++)
    write_param (w, p, &param_fields[i]);
  write_string (w, "dtype", fs_dtype_to_string (p->dtype));  /* float32: optional on reading */
  end_block (w, '}');
}

/* The path of target relative to the folder base_dir, both absolute:
 * "data/x.csv", "../x.csv". */
static char *
relative_path (const char *target,
               const char *base_dir)
{
  g_autofree char *canonical_target = g_canonicalize_filename (target, NULL);
  g_autofree char *canonical_base = g_canonicalize_filename (base_dir, NULL);
  g_auto(GStrv) to = g_strsplit (canonical_target, G_DIR_SEPARATOR_S, -1);
  g_auto(GStrv) from = g_strsplit (canonical_base, G_DIR_SEPARATOR_S, -1);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  guint common = 0;

  while (from[common] != NULL && to[common] != NULL && g_str_equal (from[common], to[common]))
    common++;
  for (guint i = common; from[i] != NULL; i++)
    if (*from[i] != '\0')
      g_ptr_array_add (parts, (gpointer) "..");
  for (guint i = common; to[i] != NULL; i++)
    g_ptr_array_add (parts, to[i]);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

/* "data": the file (with its path from base_dir, when known) or the
 * example. */
static void
write_data (Writer              *w,
            const FsSessionFile *self,
            const char          *base_dir)
{
  begin_block (w, "data", '{');
  if (self->example != NULL)
    {
      write_string (w, "example", self->example);
      write_uint64 (w, "rows", self->example_rows);
      write_uint64 (w, "cols", self->example_cols);
      write_uint64 (w, "rank", self->example_rank);
      write_seed (w, "seed", self->example_seed);
    }
  else
    {
      write_filename (w, "path", self->data_path);
      if (base_dir != NULL)
        {
          g_autofree char *relative = relative_path (self->data_path, base_dir);

          write_filename (w, "relative_path", relative);
        }
      write_string (w, "sha256", self->checksum != NULL ? self->checksum : "");
    }
  end_block (w, '}');
}

/* "import", only when not all automatic: fields at their automatic
 * value are left out. */
static void
write_import (Writer                *w,
              const FsImportOptions *o)
{
  if (fs_import_options_is_default (o))
    return;
  begin_block (w, "import", '{');
  if (o->row_labels != FS_ROW_LABELS_AUTO)
    write_string (w, "row_labels", fs_row_labels_to_string (o->row_labels));
  if (o->header != FS_HEADER_AUTO)
    write_string (w, "header", fs_header_to_string (o->header));
  if (o->transpose)
    {
      begin_member (w, "transpose");
      g_string_append (w->out, "true");
    }
  if (o->n_drop_columns > 0)
    {
      begin_member (w, "drop_columns");
      g_string_append_c (w->out, '[');
      for (guint i = 0; i < o->n_drop_columns; i++)
        g_string_append_printf (w->out, "%s%u", i > 0 ? ", " : "", o->drop_columns[i]);
      g_string_append_c (w->out, ']');
    }
  if (o->storage != FS_STORAGE_AUTO)
    write_string (w, "storage", fs_storage_to_string (o->storage));
  if (o->zeros_are_values)
    {
      begin_member (w, "zeros_are_values");
      g_string_append (w->out, "true");
    }
  end_block (w, '}');
}

static void
write_pins (Writer              *w,
            const FsSessionFile *self)
{
  begin_block (w, "pins", '[');
  for (guint i = 0; i < self->n_pins; i++)
    {
      begin_block (w, NULL, '{');
      write_string (w, "name", self->pin_names[i]);
      write_params (w, "params", &self->pins[i]);
      end_block (w, '}');
    }
  end_block (w, ']');
}

/* The document; base_dir, the session file's folder, adds the data's
 * path relative to it. */
static char *
session_file_to_json (const FsSessionFile *self,
                      const char          *base_dir,
                      gsize               *length)
{
  Writer w = { g_string_new (NULL), 0, TRUE };

  begin_block (&w, NULL, '{');
  write_string (&w, "format", FORMAT_NAME);
  write_uint64 (&w, "version", FS_SESSION_FILE_VERSION);
  write_data (&w, self, base_dir);
  write_import (&w, &self->import);
  write_string (&w, "scaling", scaling_names[self->scaling]);
  write_params (&w, "params", &self->params);
  write_double (&w, "pace", self->pace);
  write_pins (&w, self);
  end_block (&w, '}');
  g_string_append_c (w.out, '\n');

  if (length != NULL)
    *length = w.out->len;
  return g_string_free (w.out, FALSE);
}

char *
fs_session_file_to_data (const FsSessionFile *self,
                         gsize               *length)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((self->data_path == NULL) != (self->example == NULL), NULL);
  g_return_val_if_fail ((guint) self->scaling < FS_N_SCALINGS, NULL);

  return session_file_to_json (self, NULL, length);
}

/* Reading */

/* A field's name for messages: "params.rank", "pins[2].params.lr". */
typedef struct
{
  JsonObject *object;
  const char *path;   /* the object's own name, "" at the top */
} Scope;

static char *
field_name (const Scope *scope,
            const char  *name)
{
  return *scope->path != '\0' ? g_strconcat (scope->path, ".", name, NULL) : g_strdup (name);
}

static gboolean
fail_field (GError    **error,
            const Scope *scope,
            const char  *name,
            const char  *problem)
{
  g_autofree char *field = field_name (scope, name);

  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("“%s”: %s"), field, problem);
  return FALSE;
}

static const char *
node_type_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return _("null");
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("a string");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    case G_TYPE_INT64:
      return _("an integer");
    default:
      return _("a number");
    }
}

/* The member name of scope, which must be there and hold what kind (a
 * JsonNodeType, or for values a GType) says, described as what for a
 * message. */
static JsonNode *
get_member (const Scope  *scope,
            const char   *name,
            JsonNodeType  node_type,
            GType         value_type,
            const char   *what,
            GError      **error)
{
  JsonNode *node = json_object_get_member (scope->object, name);
  gboolean ok;

  if (node == NULL)
    {
      /* Translators: a session file's field is missing. */
      fail_field (error, scope, name, _("missing"));
      return NULL;
    }
  ok = JSON_NODE_TYPE (node) == node_type &&
       (node_type != JSON_NODE_VALUE || json_node_get_value_type (node) == value_type ||
        (value_type == G_TYPE_DOUBLE && json_node_get_value_type (node) == G_TYPE_INT64));
  if (!ok)
    {
      g_autofree char *problem = g_strdup_printf (_("must be %s, not %s"), what,
                                                  node_type_text (node));

      fail_field (error, scope, name, problem);
      return NULL;
    }
  return node;
}

static gboolean
get_string (const Scope  *scope,
            const char   *name,
            const char  **value,
            GError      **error)
{
  JsonNode *node = get_member (scope, name, JSON_NODE_VALUE, G_TYPE_STRING, _("a string"), error);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_integer (const Scope  *scope,
             const char   *name,
             guint64       max,
             guint64      *value,
             GError      **error)
{
  JsonNode *node = get_member (scope, name, JSON_NODE_VALUE, G_TYPE_INT64, _("an integer"), error);
  gint64 v;

  if (node == NULL)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || (guint64) v > max)
    {
      g_autofree char *limit = fs_error_number_text (max);
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, v);
      g_autofree char *problem = g_strdup_printf (_("must be between 0 and %s, not %s"),
                                                  limit, number);

      return fail_field (error, scope, name, problem);
    }
  *value = (guint64) v;
  return TRUE;
}

/* A 64-bit seed: a decimal string as written, or (by hand) an integer. */
static gboolean
get_seed (const Scope  *scope,
          const char   *name,
          guint64      *value,
          GError      **error)
{
  JsonNode *node = json_object_get_member (scope->object, name);
  const char *text;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    return get_integer (scope, name, G_MAXINT64, value, error);
  if (!get_string (scope, name, &text, error))
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, value, NULL))
    {
      g_autofree char *limit = fs_error_number_text (G_MAXUINT64);
      g_autofree char *problem = g_strdup_printf (_("must be a whole number from 0 to %s, "
                                                    "not “%s”"), limit, text);

      return fail_field (error, scope, name, problem);
    }
  return TRUE;
}

static gboolean
get_double (const Scope  *scope,
            const char   *name,
            double       *value,
            GError      **error)
{
  JsonNode *node = get_member (scope, name, JSON_NODE_VALUE, G_TYPE_DOUBLE, _("a number"), error);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_double (node);
  return TRUE;
}

static gboolean
get_boolean (const Scope  *scope,
             const char   *name,
             gboolean     *value,
             GError      **error)
{
  JsonNode *node = get_member (scope, name, JSON_NODE_VALUE, G_TYPE_BOOLEAN, _("true or false"),
                               error);

  if (node == NULL)
    return FALSE;
  *value = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_object (const Scope  *scope,
            const char   *name,
            Scope        *inner,
            char        **inner_path,
            GError      **error)
{
  JsonNode *node = get_member (scope, name, JSON_NODE_OBJECT, G_TYPE_INVALID, _("an object"),
                               error);

  if (node == NULL)
    return FALSE;
  *inner_path = field_name (scope, name);
  *inner = (Scope) { json_node_get_object (node), *inner_path };
  return TRUE;
}

/* A field that names a choice: rule, L1 mode, initialization, products. */
static gboolean
read_choice (const Scope      *scope,
             const ParamField *field,
             FsParams         *p,
             GError          **error)
{
  const char *name;
  g_autofree char *problem = NULL;

  if (!get_string (scope, field->name, &name, error))
    return FALSE;
  if (field->kind == FIELD_RULE && (p->rule = fs_rule_find (name)) == NULL)
    {
      guint n;
      const FsRule *rules = fs_rules_get (&n);
      g_autoptr(GString) names = g_string_new (rules[0].name);

      for (guint i = 1; i < n; i++)
        g_string_append_printf (names, ", %s", rules[i].name);
      problem = g_strdup_printf (_("unknown update rule “%s” (the rules are %s)"), name,
                                 names->str);
    }
  else if (field->kind == FIELD_L1_MODE && !fs_l1_mode_from_string (name, &p->l1_mode))
    problem = g_strdup_printf (_("unknown L1 mode “%s” (use prox or subgradient)"), name);
  else if (field->kind == FIELD_INIT && !fs_init_from_string (name, &p->init))
    problem = g_strdup_printf (_("unknown initialization “%s” (use scaled or uniform)"), name);
  else if (field->kind == FIELD_PRODUCTS &&
           (*name == '\0' || !fs_products_impl_from_name (name, &p->products)))
    problem = g_strdup_printf (_("unknown products “%s” (use blas, avx2 or avx512)"), name);
  if (problem != NULL)
    return fail_field (error, scope, field->name, problem);
  return TRUE;
}

static gboolean
read_param (const Scope      *scope,
            const ParamField *field,
            FsParams         *p,
            GError          **error)
{
  guint64 value;

  switch (field->kind)
    {
    case FIELD_UINT:
      if (!get_integer (scope, field->name, G_MAXUINT, &value, error))
        return FALSE;
      *FIELD_PTR (p, field, guint) = (guint) value;
      return TRUE;
    case FIELD_INT:
      if (!get_integer (scope, field->name, G_MAXINT, &value, error))
        return FALSE;
      *FIELD_PTR (p, field, int) = (int) value;
      return TRUE;
    case FIELD_COUNT:
      return get_integer (scope, field->name, G_MAXINT64, FIELD_PTR (p, field, guint64), error);
    case FIELD_SEED:
      return get_seed (scope, field->name, FIELD_PTR (p, field, guint64), error);
    case FIELD_DOUBLE:
      return get_double (scope, field->name, FIELD_PTR (p, field, double), error);
    case FIELD_BOOLEAN:
      return get_boolean (scope, field->name, FIELD_PTR (p, field, gboolean), error);
    default:
      return read_choice (scope, field, p, error);
    }
}

/* Whether fs_params_validate takes the field's value, alone among the
 * defaults: its refusal then names the field. The rank is checked
 * against a matrix only when one is opened. */
static gboolean
check_param (const Scope      *scope,
             const ParamField *field,
             const FsParams   *p,
             GError          **error)
{
  FsParams probe;
  gsize size = field->kind == FIELD_DOUBLE ? sizeof (double)
             : field->kind == FIELD_SEED || field->kind == FIELD_COUNT ? sizeof (guint64)
             : field->kind == FIELD_RULE ? sizeof (const FsRule *)
             : sizeof (int);
  g_autoptr(GError) local = NULL;

  fs_params_init_defaults (&probe);
  memcpy ((char *) &probe + field->offset, (const char *) p + field->offset, size);
  if (fs_params_validate (&probe, NULL, &local))
    return TRUE;
  return fail_field (error, scope, field->name, local->message);
}

/* float32: "dtype", float64 or float32; optional, as sessions saved
 * before single precision have none (they computed in float64). */
static gboolean
read_dtype (const Scope  *scope,
            FsParams     *p,
            GError      **error)
{
  const char *word;

  if (!json_object_has_member (scope->object, "dtype"))
    return TRUE;
  if (!get_string (scope, "dtype", &word, error))
    return FALSE;
  if (!fs_dtype_from_string (word, &p->dtype))
    return fail_field (error, scope, "dtype", _("must be float64 or float32"));
  return TRUE;
}

static gboolean
read_params (const Scope  *scope,
             const char   *name,
             FsParams     *p,
             GError      **error)
{
  g_autofree char *path = NULL;
  Scope inner;

  if (!get_object (scope, name, &inner, &path, error))
    return FALSE;
  fs_params_init_defaults (p);
  for (guint i = 0; i < G_N_ELEMENTS (param_fields); i++)
    if (!read_param (&inner, &param_fields[i], p, error) ||
        !check_param (&inner, &param_fields[i], p, error))
      return FALSE;
  return read_dtype (&inner, p, error);
}

static gboolean
is_sha256_hex (const char *text)
{
  gsize n = 0;

  for (; text[n] != '\0'; n++)
    if (!g_ascii_isxdigit (text[n]) || g_ascii_isupper (text[n]))
      return FALSE;
  return n == 64;
}

/* The data file's absolute path: relative_path from base_dir when a file
 * is there (the session and its data moved together), else path (itself
 * taken from base_dir when it is relative). */
static char *
resolve_data_path (const char *path,
                   const char *relative,
                   const char *base_dir)
{
  g_autofree char *from_path = NULL;

  if (relative != NULL)
    {
      g_autofree char *from_relative = g_canonicalize_filename (relative, base_dir);

      if (g_file_test (from_relative, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&from_relative);
    }
  from_path = g_canonicalize_filename (path, base_dir);
  return g_steal_pointer (&from_path);
}

static gboolean
read_data_file (const Scope    *data,
                const char     *base_dir,
                FsSessionFile  *self,
                GError        **error)
{
  const char *path, *relative = NULL, *checksum;
  g_autofree char *local_path = NULL;
  g_autofree char *local_relative = NULL;

  if (!get_string (data, "path", &path, error) ||
      (json_object_has_member (data->object, "relative_path") &&
       !get_string (data, "relative_path", &relative, error)) ||
      !get_string (data, "sha256", &checksum, error))
    return FALSE;
  if (!is_sha256_hex (checksum))
    return fail_field (error, data, "sha256",
                       _("must be 64 lower-case hexadecimal digits (a SHA-256)"));
  if (*path == '\0')
    return fail_field (error, data, "path", _("must name a file"));

  local_path = g_filename_from_utf8 (path, -1, NULL, NULL, error);
  if (local_path == NULL)
    return FALSE;
  if (relative != NULL && (local_relative = g_filename_from_utf8 (relative, -1, NULL, NULL,
                                                                  error)) == NULL)
    return FALSE;
  self->data_path = resolve_data_path (local_path, local_relative, base_dir);
  self->checksum = g_strdup (checksum);
  return TRUE;
}

static gboolean
read_data_example (const Scope    *data,
                   FsSessionFile  *self,
                   GError        **error)
{
  const char *name;
  guint64 rows, cols, rank;

  if (!get_string (data, "example", &name, error))
    return FALSE;
  if (fs_examples_find (name) == NULL)
    {
      g_autofree char *problem = g_strdup_printf (_("there is no built-in example called “%s”"),
                                                  name);

      return fail_field (error, data, "example", problem);
    }
  if (!get_integer (data, "rows", G_MAXSIZE, &rows, error) ||
      !get_integer (data, "cols", G_MAXSIZE, &cols, error) ||
      !get_integer (data, "rank", G_MAXUINT, &rank, error) ||
      !get_seed (data, "seed", &self->example_seed, error))
    return FALSE;
  self->example = g_strdup (name);
  self->example_rows = (gsize) rows;
  self->example_cols = (gsize) cols;
  self->example_rank = (guint) rank;
  return TRUE;
}

static gboolean
read_data (const Scope    *scope,
           const char     *base_dir,
           FsSessionFile  *self,
           GError        **error)
{
  g_autofree char *path = NULL;
  Scope data;

  if (!get_object (scope, "data", &data, &path, error))
    return FALSE;
  if (json_object_has_member (data.object, "example"))
    return read_data_example (&data, self, error);
  return read_data_file (&data, base_dir, self, error);
}

static const char * const import_fields[] = {
  "row_labels", "header", "transpose", "drop_columns", "storage", "zeros_are_values",
};

/* Unlike the rest, "import" refuses fields it does not know: a later
 * version's option, passed over, would read the data differently. */
static gboolean
check_import_fields (const Scope  *import,
                     GError      **error)
{
  g_autoptr(GList) names = json_object_get_members (import->object);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (import_fields, l->data))
      return fail_field (error, import, l->data,
                         _("is not an import option (those are row_labels, header, transpose, "
                           "drop_columns, storage and zeros_are_values)"));
  return TRUE;
}

/* "row_labels" and "header", each optional. */
static gboolean
read_import_words (const Scope      *import,
                   FsImportOptions  *o,
                   GError          **error)
{
  const char *word;

  if (json_object_has_member (import->object, "row_labels") &&
      (!get_string (import, "row_labels", &word, error) ||
       (!fs_row_labels_from_string (word, &o->row_labels) &&
        !fail_field (error, import, "row_labels", _("must be auto, first or none")))))
    return FALSE;
  if (json_object_has_member (import->object, "header") &&
      (!get_string (import, "header", &word, error) ||
       (!fs_header_from_string (word, &o->header) &&
        !fail_field (error, import, "header", _("must be auto, yes or no")))))
    return FALSE;
  if (json_object_has_member (import->object, "storage") &&
      (!get_string (import, "storage", &word, error) ||
       (!fs_storage_from_string (word, &o->storage) &&
        !fail_field (error, import, "storage", _("must be auto, dense or sparse")))))
    return FALSE;
  return TRUE;
}

/* "drop_columns": column numbers from 1, kept ascending without repeats. */
static gboolean
read_drop_columns (const Scope      *import,
                   FsImportOptions  *o,
                   GError          **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  JsonNode *node;
  JsonArray *array;

  if (!json_object_has_member (import->object, "drop_columns"))
    return TRUE;
  node = get_member (import, "drop_columns", JSON_NODE_ARRAY, G_TYPE_INVALID, _("an array"),
                     error);
  if (node == NULL)
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_INT64 ||
          json_node_get_int (element) < 1 || json_node_get_int (element) > G_MAXINT)
        {
          g_autofree char *name = g_strdup_printf ("drop_columns[%u]", i);

          return fail_field (error, import, name, _("must be a column number from 1"));
        }
      g_string_append_printf (text, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_node_get_int (element));
    }
  return text->len == 0 ||
         fs_import_parse_columns (text->str, &o->drop_columns, &o->n_drop_columns, error);
}

/* The optional "import": how the data file is read. */
static gboolean
read_import (const Scope    *scope,
             FsSessionFile  *self,
             GError        **error)
{
  g_autofree char *path = NULL;
  Scope import;

  if (!json_object_has_member (scope->object, "import"))
    return TRUE;
  if (self->example != NULL)
    return fail_field (error, scope, "import",
                       _("applies to a data file, not to a built-in example"));
  if (!get_object (scope, "import", &import, &path, error) ||
      !check_import_fields (&import, error) ||
      !read_import_words (&import, &self->import, error) ||
      (json_object_has_member (import.object, "transpose") &&
       !get_boolean (&import, "transpose", &self->import.transpose, error)) ||
      (json_object_has_member (import.object, "zeros_are_values") &&
       !get_boolean (&import, "zeros_are_values", &self->import.zeros_are_values, error)))
    return FALSE;
  return read_drop_columns (&import, &self->import, error);
}

static gboolean
read_scaling (const Scope    *scope,
              FsSessionFile  *self,
              GError        **error)
{
  const char *name;

  if (!get_string (scope, "scaling", &name, error))
    return FALSE;
  for (guint i = 0; i < FS_N_SCALINGS; i++)
    if (g_str_equal (name, scaling_names[i]))
      {
        self->scaling = (FsScaling) i;
        return TRUE;
      }
  {
    g_autofree char *problem = g_strdup_printf (_("unknown scaling “%s” (use none, unit, "
                                                  "center or standardize)"), name);

    return fail_field (error, scope, "scaling", problem);
  }
}

static gboolean
read_pace (const Scope    *scope,
           FsSessionFile  *self,
           GError        **error)
{
  if (!get_double (scope, "pace", &self->pace, error))
    return FALSE;
  if (!(self->pace >= 0.0))
    return fail_field (error, scope, "pace",
                       _("must be a number of iterations a second ≥ 0 (0: full speed)"));
  return TRUE;
}

static gboolean
read_pins (const Scope    *scope,
           FsSessionFile  *self,
           GError        **error)
{
  JsonNode *node = get_member (scope, "pins", JSON_NODE_ARRAY, G_TYPE_INVALID, _("an array"),
                               error);
  JsonArray *array;

  if (node == NULL)
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s[%u]", "pins", i);
      JsonNode *element = json_array_get_element (array, i);
      const char *name;
      FsParams params;
      Scope pin;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail_field (error, scope, path, _("must be an object"));
      pin = (Scope) { json_node_get_object (element), path };
      if (!get_string (&pin, "name", &name, error) ||
          !read_params (&pin, "params", &params, error))
        return FALSE;
      fs_session_file_add_pin (self, &params, name);
    }
  return TRUE;
}

/* "format" and "version": what this is, and whether this build reads it. */
static gboolean
read_header (const Scope  *scope,
             GError      **error)
{
  const char *format;
  guint64 version;

  if (!get_string (scope, "format", &format, error))
    return FALSE;
  if (!g_str_equal (format, FORMAT_NAME))
    {
      g_autofree char *problem = g_strdup_printf (_("is “%s”, not “%s”: this is not a "
                                                    "Factorscope session"), format,
                                                  FORMAT_NAME);

      return fail_field (error, scope, "format", problem);
    }
  if (!get_integer (scope, "version", G_MAXINT64, &version, error))
    return FALSE;
  if (version != FS_SESSION_FILE_VERSION)
    {
      g_autofree char *number = fs_error_number_text (version);
      g_autofree char *known = fs_error_number_text (FS_SESSION_FILE_VERSION);
      g_autofree char *problem = g_strdup_printf (_("is %s: this Factorscope reads version %s "
                                                    "sessions only"), number, known);

      return fail_field (error, scope, "version", problem);
    }
  return TRUE;
}

FsSessionFile *
fs_session_file_from_data (const char  *data,
                           gssize       length,
                           const char  *base_dir,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(FsSessionFile) self = fs_session_file_new ();
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;
  Scope top;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_data (parser, data, length, &json_error))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("Not valid JSON: %s"),
                   json_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("Not a Factorscope session: the file is not a JSON object"));
      return NULL;
    }
  top = (Scope) { json_node_get_object (root), "" };
  if (!read_header (&top, error) ||
      !read_data (&top, base_dir, self, error) ||
      !read_import (&top, self, error) ||
      !read_scaling (&top, self, error) ||
      !read_params (&top, "params", &self->params, error) ||
      !read_pace (&top, self, error) ||
      !read_pins (&top, self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* Files */

gboolean
fs_session_file_save (const FsSessionFile  *self,
                      const char           *path,
                      GError              **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *base_dir = NULL;
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail ((self->data_path == NULL) != (self->example == NULL), FALSE);
  g_return_val_if_fail ((guint) self->scaling < FS_N_SCALINGS, FALSE);

  /* A session made without its data's checksum takes the file's as it
   * is now. */
  if (self->data_path != NULL && self->checksum == NULL)
    {
      g_autoptr(FsSessionFile) copy = fs_session_file_copy (self);

      copy->checksum = fs_session_file_checksum (self->data_path, error);
      return copy->checksum != NULL && fs_session_file_save (copy, path, error);
    }

  absolute = g_canonicalize_filename (path, NULL);
  base_dir = g_path_get_dirname (absolute);
  text = session_file_to_json (self, base_dir, &length);
  return g_file_set_contents_full (path, text, (gssize) length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

FsSessionFile *
fs_session_file_load (const char  *path,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *absolute = NULL;
  g_autofree char *base_dir = NULL;
  g_autoptr(GError) local = NULL;
  FsSessionFile *self;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  absolute = g_canonicalize_filename (path, NULL);
  base_dir = g_path_get_dirname (absolute);
  self = fs_session_file_from_data (contents, (gssize) length, base_dir, &local);
  if (self == NULL)
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, local->domain, local->code, "%s: %s", name, local->message);
    }
  return self;
}

char *
fs_session_file_checksum (const char  *path,
                          GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = NULL;
  FILE *file;
  gsize n;
  int saved;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      g_autofree char *name = NULL;

      saved = errno;
      name = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open %s: %s"), name, g_strerror (saved));
      return NULL;
    }
  buffer = g_malloc (CHECKSUM_BUFFER_SIZE);
  while ((n = fread (buffer, 1, CHECKSUM_BUFFER_SIZE, file)) > 0)
    g_checksum_update (checksum, buffer, (gssize) n);
  saved = errno;
  if (ferror (file))
    {
      g_autofree char *name = g_filename_display_name (path);

      fclose (file);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot read %s: %s"), name, g_strerror (saved));
      return NULL;
    }
  fclose (file);
  return g_strdup (g_checksum_get_string (checksum));
}

gboolean
fs_session_file_check_data (const FsSessionFile  *self,
                            GError              **error)
{
  g_autofree char *name = NULL;
  g_autofree char *checksum = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->example != NULL)
    return TRUE;
  g_return_val_if_fail (self->data_path != NULL, FALSE);

  name = g_filename_display_name (self->data_path);
  if (!g_file_test (self->data_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("The session's data file %s is missing"), name);
      return FALSE;
    }
  checksum = fs_session_file_checksum (self->data_path, &local);
  if (checksum == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (self->checksum == NULL || g_ascii_strcasecmp (checksum, self->checksum) != 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_DATA_CHANGED,
                   _("The data file %s has changed since the session was saved"), name);
      return FALSE;
    }
  return TRUE;
}

/* The command line */

static void
add_option (GPtrArray  *argv,
            const char *name,
            char       *value)
{
  g_ptr_array_add (argv, g_strdup (name));
  g_ptr_array_add (argv, value);
}

static void
add_double_option (GPtrArray  *argv,
                   const char *name,
                   double      value)
{
  GString *text = g_string_new (NULL);

  append_double (text, value);
  add_option (argv, name, g_string_free (text, FALSE));
}

static void
add_uint64_option (GPtrArray  *argv,
                   const char *name,
                   guint64     value)
{
  add_option (argv, name, g_strdup_printf ("%" G_GUINT64_FORMAT, value));
}

/* The factorization options whose value is not the command line's
 * default (fs-cli-options.c); the rank and the learning rate always, as
 * the command line's defaults for them depend on the data. */
static void
add_params_options (GPtrArray      *argv,
                    const FsParams *p)
{
  add_uint64_option (argv, "--rank", p->rank);
  if (p->rule != fs_rules_get (NULL))
    add_option (argv, "--rule", g_strdup (p->rule->name));
  add_double_option (argv, "--lr", p->lr);
  if (p->l2_w != 0.0)
    add_double_option (argv, "--l2-w", p->l2_w);
  if (p->l2_h != 0.0)
    add_double_option (argv, "--l2-h", p->l2_h);
  if (p->l1_w != 0.0)
    add_double_option (argv, "--l1-w", p->l1_w);
  if (p->l1_h != 0.0)
    add_double_option (argv, "--l1-h", p->l1_h);
  if (p->l1_mode != FS_L1_PROXIMAL)
    add_option (argv, "--l1-mode", g_strdup (fs_l1_mode_to_string (p->l1_mode)));
  if (p->nonneg)
    g_ptr_array_add (argv, g_strdup ("--nonneg"));
  if (p->init != FS_INIT_SCALED)
    add_option (argv, "--init", g_strdup (fs_init_to_string (p->init)));
  if (p->max_iters != FS_DEFAULT_MAX_ITERS)
    add_uint64_option (argv, "--iters", p->max_iters);
  if (p->tol != 0.0)
    add_double_option (argv, "--tol", p->tol);
  if (!p->stop_unstable)
    g_ptr_array_add (argv, g_strdup ("--no-stop-unstable"));
  if (p->seed != 0)
    add_uint64_option (argv, "--seed", p->seed);
  if (p->restarts != 1)
    add_uint64_option (argv, "--restarts", p->restarts);
  if (p->threads != 0)
    add_uint64_option (argv, "--threads", p->threads);
  if (p->holdout != 0.0)
    add_double_option (argv, "--holdout", p->holdout);
  if (p->holdout_seed != 0)
    add_uint64_option (argv, "--holdout-seed", p->holdout_seed);
  if (p->dtype != FS_DTYPE_FLOAT64)  /* float32 */
    add_option (argv, "--dtype", g_strdup (fs_dtype_to_string (p->dtype)));
}

/* How the data file is read, when not all automatic. */
static void
add_import_options (GPtrArray             *argv,
                    const FsImportOptions *o)
{
  if (o->row_labels != FS_ROW_LABELS_AUTO)
    add_option (argv, "--row-labels", g_strdup (fs_row_labels_to_string (o->row_labels)));
  if (o->header != FS_HEADER_AUTO)
    add_option (argv, "--header", g_strdup (fs_header_to_string (o->header)));
  if (o->transpose)
    g_ptr_array_add (argv, g_strdup ("--transpose"));
  if (o->n_drop_columns > 0)
    add_option (argv, "--drop-columns", fs_import_format_columns (o->drop_columns,
                                                                  o->n_drop_columns));
  if (o->storage != FS_STORAGE_AUTO)
    add_option (argv, "--storage", g_strdup (fs_storage_to_string (o->storage)));
  if (o->zeros_are_values)
    g_ptr_array_add (argv, g_strdup ("--zeros-are-values"));
}

/* The data: the file, or --example and the options that differ from the
 * example's defaults. */
static void
add_data_arguments (GPtrArray           *argv,
                    const FsSessionFile *self)
{
  if (self->example == NULL)
    {
      g_ptr_array_add (argv, g_strdup (self->data_path));
      return;
    }
  add_option (argv, "--example", g_strdup (self->example));
  if (self->example_rows != 0 || self->example_cols != 0)
    add_option (argv, "--example-size",
                g_strdup_printf ("%" G_GSIZE_FORMAT "x%" G_GSIZE_FORMAT,
                                 self->example_rows != 0 ? self->example_rows
                                                         : (gsize) FS_EXAMPLE_LOWRANK_ROWS,
                                 self->example_cols != 0 ? self->example_cols
                                                         : (gsize) FS_EXAMPLE_LOWRANK_COLS));
  if (self->example_rank != 0)
    add_uint64_option (argv, "--example-rank", self->example_rank);
  if (self->example_seed != 0)
    add_uint64_option (argv, "--example-seed", self->example_seed);
}

char **
fs_session_file_to_argv (const FsSessionFile *self)
{
  GPtrArray *argv;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((self->data_path == NULL) != (self->example == NULL), NULL);
  g_return_val_if_fail ((guint) self->scaling < FS_N_SCALINGS, NULL);

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, g_strdup ("factorscope-cli"));
  g_ptr_array_add (argv, g_strdup ("run"));
  add_params_options (argv, &self->params);
  if (self->scaling != FS_SCALING_NONE)
    add_option (argv, "--scaling", g_strdup (scaling_names[self->scaling]));
  add_import_options (argv, &self->import);
  add_data_arguments (argv, self);
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

/* Whether a word reads the same to a POSIX shell without quotes. */
static gboolean
needs_no_quotes (const char *word)
{
  if (*word == '\0')
    return FALSE;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./=:,+@%", *p) == NULL)
      return FALSE;
  return TRUE;
}

char *
fs_session_file_to_command_line (const FsSessionFile *self)
{
  g_auto(GStrv) argv = NULL;
  GString *line;

  g_return_val_if_fail (self != NULL, NULL);

  argv = fs_session_file_to_argv (self);
  if (argv == NULL)
    return NULL;
  line = g_string_new (NULL);
  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *quoted = needs_no_quotes (argv[i]) ? g_strdup (argv[i])
                                                          : g_shell_quote (argv[i]);

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, quoted);
    }
  return g_string_free (line, FALSE);
}
