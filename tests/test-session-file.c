/* test-session-file.c: the .factorscope session file, its strict reader,
 * its data checks and its command line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-examples.h"
#include "fs-rules.h"
#include "fs-session-file.h"
#include "fs-test-util.h"

#define N_ROUND_TRIPS 300

static char *
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static char *
real_data (const char *name)
{
  const char *dir = g_getenv ("FS_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* A double drawn over the whole range of magnitudes, from the smallest
 * subnormal up, or one of the values that printing gets wrong. */
static double
random_magnitude (GRand *rand)
{
  static const double special[] = { 0.1, 1.0 / 3.0, 5e-324, 1e308, 0.3, 2.0 / 3.0, 1e-8,
                                     DBL_MAX, DBL_MIN, 123456789.125 };

  if (g_rand_int_range (rand, 0, 4) == 0)
    return special[g_rand_int_range (rand, 0, G_N_ELEMENTS (special))];
  return ldexp (g_rand_double_range (rand, 0.5, 1.0), g_rand_int_range (rand, -1073, 1024));
}

static guint64
random_seed (GRand *rand)
{
  guint64 seed = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      return G_MAXUINT64 - g_rand_int_range (rand, 0, 3);
    case 1:
      return seed % 1000;
    default:
      return seed;
    }
}

/* Valid settings drawn over every field's range. */
static void
random_params (GRand    *rand,
               FsParams *p)
{
  guint n_rules;
  const FsRule *rules = fs_rules_get (&n_rules);

  fs_params_init_defaults (p);
  p->rank = (guint) g_rand_int_range (rand, 1, 5000);
  p->l2_w = g_rand_boolean (rand) ? 0.0 : random_magnitude (rand);
  p->l2_h = random_magnitude (rand);
  p->l1_w = g_rand_boolean (rand) ? 0.0 : random_magnitude (rand);
  p->l1_h = random_magnitude (rand);
  p->lr = random_magnitude (rand);
  p->rule = &rules[g_rand_int_range (rand, 0, (gint32) n_rules)];
  p->momentum = g_rand_double (rand);
  p->adam_beta1 = g_rand_double (rand);
  p->adam_beta2 = g_rand_double (rand);
  p->adam_eps = random_magnitude (rand);
  p->l1_mode = (FsL1Mode) g_rand_int_range (rand, 0, FS_N_L1_MODES);
  p->nonneg = g_rand_boolean (rand);
  p->init = (FsInit) g_rand_int_range (rand, 0, FS_N_INITS);
  p->seed = random_seed (rand);
  p->max_iters = (guint64) g_rand_int_range (rand, 1, (gint32) FS_MAX_ITERATIONS + 1);
  p->tol = g_rand_boolean (rand) ? 0.0 : random_magnitude (rand);
  p->stop_unstable = g_rand_boolean (rand);
  p->restarts = (guint) g_rand_int_range (rand, 1, 10001);
  p->holdout = g_rand_boolean (rand) ? 0.0 : g_rand_double (rand);
  p->holdout_seed = random_seed (rand);
  p->threads = (guint) g_rand_int_range (rand, 0, 257);
  p->nice = g_rand_int_range (rand, 0, 20);
  p->products = (FsProductsImpl) g_rand_int_range (rand, 0, FS_PRODUCTS_AVX512 + 1);
  g_assert_true (fs_params_validate (p, NULL, NULL));
}

/* Names with what JSON must escape, and more than ASCII. */
static const char * const awkward_names[] = {
  "plain", "with \"quotes\" and \\ backslash", "tab\tand\nnewline", "Ünïcödé ✓",
  "control \x01 char", "",
};

/* Import options, often all automatic. */
static void
random_import (GRand           *rand,
               FsImportOptions *o)
{
  g_autoptr(GError) error = NULL;
  const char *lists[] = { "1", "2-4", "3,7,9", "1,5-6" };

  if (g_rand_boolean (rand))
    return;
  o->row_labels = (FsRowLabels) g_rand_int_range (rand, 0, 3);
  o->header = (FsHeader) g_rand_int_range (rand, 0, 3);
  o->transpose = g_rand_boolean (rand);
  if (g_rand_boolean (rand))
    g_assert_true (fs_import_parse_columns (lists[g_rand_int_range (rand, 0, 4)],
                                            &o->drop_columns, &o->n_drop_columns, &error));
}

static FsSessionFile *
random_session (GRand *rand)
{
  FsSessionFile *s = fs_session_file_new ();
  guint n_examples;
  const FsExample *examples = fs_examples_get (&n_examples);
  guint n_pins = (guint) g_rand_int_range (rand, 0, 4);

  if (g_rand_boolean (rand))
    {
      s->data_path = g_strdup_printf ("/some where/\"odd\"/dätä %u.csv", g_rand_int (rand));
      s->checksum = g_strdup ("f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
      random_import (rand, &s->import);
    }
  else
    {
      s->example = g_strdup (examples[g_rand_int_range (rand, 0, (gint32) n_examples)].name);
      s->example_rows = (gsize) g_rand_int_range (rand, 0, 1000);
      s->example_cols = (gsize) g_rand_int_range (rand, 0, 1000);
      s->example_rank = (guint) g_rand_int_range (rand, 0, 50);
      s->example_seed = random_seed (rand);
    }
  s->scaling = (FsScaling) g_rand_int_range (rand, 0, FS_N_SCALINGS);
  random_params (rand, &s->params);
  s->pace = g_rand_boolean (rand) ? 0.0 : random_magnitude (rand);
  for (guint i = 0; i < n_pins; i++)
    {
      FsParams pin;

      random_params (rand, &pin);
      fs_session_file_add_pin (s, &pin,
                               awkward_names[g_rand_int_range (rand, 0,
                                                               G_N_ELEMENTS (awkward_names))]);
    }
  return s;
}

/* Every field, doubles bit for bit (== would take -0 for 0). */
static void
assert_params_identical (const FsParams *a,
                         const FsParams *b)
{
  g_assert_true (fs_params_equal (a, b));
  g_assert_true (memcmp (&a->lr, &b->lr, sizeof (double)) == 0);
  g_assert_true (memcmp (&a->l2_w, &b->l2_w, sizeof (double)) == 0);
  g_assert_true (memcmp (&a->tol, &b->tol, sizeof (double)) == 0);
}

static void
assert_sessions_equal (const FsSessionFile *a,
                       const FsSessionFile *b)
{
  g_assert_cmpstr (a->data_path, ==, b->data_path);
  g_assert_cmpstr (a->checksum, ==, b->checksum);
  g_assert_cmpstr (a->example, ==, b->example);
  g_assert_cmpuint (a->example_rows, ==, b->example_rows);
  g_assert_cmpuint (a->example_cols, ==, b->example_cols);
  g_assert_cmpuint (a->example_rank, ==, b->example_rank);
  g_assert_cmpuint (a->example_seed, ==, b->example_seed);
  g_assert_true (fs_import_options_equal (&a->import, &b->import));
  g_assert_cmpint (a->scaling, ==, b->scaling);
  assert_params_identical (&a->params, &b->params);
  g_assert_true (memcmp (&a->pace, &b->pace, sizeof (double)) == 0);
  g_assert_cmpuint (a->n_pins, ==, b->n_pins);
  for (guint i = 0; i < a->n_pins; i++)
    {
      assert_params_identical (&a->pins[i], &b->pins[i]);
      g_assert_cmpstr (a->pin_names[i], ==, b->pin_names[i]);
    }
}

static FsSessionFile *
round_trip (const FsSessionFile *s)
{
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  g_autofree char *text = fs_session_file_to_data (s, &length);
  FsSessionFile *back;

  g_assert_nonnull (text);
  g_assert_cmpuint (length, ==, strlen (text));
  back = fs_session_file_from_data (text, (gssize) length, NULL, &error);
  g_assert_no_error (error);
  return back;
}

/* Every field of many random sessions comes back as it was, and a copy
 * is equal too. */
static void
test_round_trip (void)
{
  for (guint i = 0; i < N_ROUND_TRIPS; i++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (i);
      g_autoptr(FsSessionFile) s = random_session (rand);
      g_autoptr(FsSessionFile) back = round_trip (s);
      g_autoptr(FsSessionFile) copy = fs_session_file_copy (s);

      assert_sessions_equal (s, back);
      assert_sessions_equal (s, copy);
    }
}

static guint count_entries (const char *dir);

/* The same through a file on disk, saved over and over in place: one
 * file stays, no temporary file beside it. */
static void
test_save_load (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "s" FS_SESSION_FILE_EXTENSION, NULL);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GRand) rand = g_rand_new_with_seed (1000 + i);
      g_autoptr(FsSessionFile) s = random_session (rand);
      g_autoptr(FsSessionFile) back = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (fs_session_file_save (s, path, &error));
      g_assert_no_error (error);
      back = fs_session_file_load (path, &error);
      g_assert_no_error (error);
      assert_sessions_equal (s, back);
    }
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

/* The doubles that a %.15g or a json-glib writer lose come back bit for
 * bit, and are written short where a short form reads back. */
static void
test_exact_doubles (void)
{
  const double values[] = { 0.1, 1.0 / 3.0, 5e-324, 1e308, DBL_MAX, 0.30000000000000004, -0.0 };
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  g_autofree char *text = NULL;

  s->example = g_strdup ("lowrank");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(FsSessionFile) back = NULL;

      s->params.l2_w = values[i];
      s->params.tol = values[G_N_ELEMENTS (values) - 1 - i];
      s->pace = fabs (values[i]);
      back = round_trip (s);
      assert_sessions_equal (s, back);
    }

  s->params.l2_w = 0.1;
  s->params.lr = 1e308;
  text = fs_session_file_to_data (s, NULL);
  g_assert_nonnull (strstr (text, "\"l2_w\": 0.1,"));
  g_assert_nonnull (strstr (text, "\"lr\": 1e+308,"));
}

/* Seeds of all 64 bits, beyond json-glib's gint64 and JavaScript's 2^53. */
static void
test_seeds (void)
{
  const guint64 seeds[] = { 0, 1, (G_GUINT64_CONSTANT (1) << 53) + 1, (guint64) G_MAXINT64,
                            (guint64) G_MAXINT64 + 1, G_MAXUINT64 };
  g_autoptr(FsSessionFile) s = fs_session_file_new ();

  s->example = g_strdup ("notebook");
  for (guint i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      g_autoptr(FsSessionFile) back = NULL;
      g_autofree char *text = NULL;

      s->params.seed = seeds[i];
      s->params.holdout_seed = seeds[G_N_ELEMENTS (seeds) - 1 - i];
      s->example_seed = seeds[i];
      back = round_trip (s);
      assert_sessions_equal (s, back);
      g_assert_cmpuint (back->params.seed, ==, seeds[i]);
    }
  {
    g_autofree char *text = fs_session_file_to_data (s, NULL);

    g_assert_nonnull (strstr (text, "\"seed\": \"18446744073709551615\""));
  }
}

/* Replaces the first occurrence of old in text, which must hold it. */
static char *
replace_once (const char *text,
              const char *old,
              const char *new)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, new, at + strlen (old));
}

static char *
valid_text (void)
{
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  FsParams pin;

  s->data_path = g_strdup ("/data/x.csv");
  s->checksum = g_strdup ("f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
  s->params.rank = 5;
  s->params.lr = 0.001;
  fs_params_init_defaults (&pin);
  pin.max_iters = 2000;
  fs_session_file_add_pin (s, &pin, "first");
  return fs_session_file_to_data (s, NULL);
}

typedef struct
{
  const char *old;     /* NULL: cut the text in half */
  const char *new;
  const char *message; /* what the error must say, the field it names */
} Mistake;

/* Real mistakes, each an error that names the field. */
static const Mistake mistakes[] = {
  { NULL, NULL, "Not valid JSON" },
  { "\"version\": 1", "\"version\": 2", "“version”: is 2" },
  { "\"format\": \"factorscope-session\"", "\"format\": \"factorscope\"", "“format”" },
  { "\"rule\": \"plain\"", "\"rule\": \"sgd\"", "“params.rule”: unknown update rule “sgd”" },
  { "\"rank\": 5", "\"rank\": \"5\"", "“params.rank”: must be an integer, not a string" },
  { "\"params\": {", "\"settings\": {", "“params”: missing" },
  { "\"lr\": 0.001", "\"lr\": -0.1", "“params.lr”: The learning rate must be a finite number > 0" },
  { "\"lr\": 0.001", "\"lr\": \"fast\"", "“params.lr”: must be a number, not a string" },
  { "\"rank\": 5", "\"rank\": 5.5", "“params.rank”: must be an integer, not a number" },
  { "\"rank\": 5", "\"rank\": -1", "“params.rank”: must be between 0 and" },
  { "\"rank\": 5", "\"rank\": 0", "“params.rank”: The rank must be at least 1" },
  { "\"seed\": \"0\"", "\"seed\": \"-3\"", "“params.seed”: must be a whole number" },
  { "\"seed\": \"0\"", "\"seed\": \"18446744073709551616\"", "“params.seed”" },
  { "\"momentum\": 0.9", "\"momentum\": 1.5", "“params.momentum”" },
  { "\"nonneg\": false", "\"nonneg\": 0", "“params.nonneg”: must be true or false" },
  { "\"scaling\": \"none\"", "\"scaling\": \"log\"", "“scaling”: unknown scaling “log”" },
  { "\"sha256\": \"f1fb", "\"sha256\": \"F1FB", "“data.sha256”" },
  { "\"path\": \"/data/x.csv\"", "\"file\": \"/data/x.csv\"", "“data.path”: missing" },
  { "\"pace\": 0", "\"pace\": -1", "“pace”" },
  { "\"name\": \"first\"", "\"name\": 3", "“pins[0].name”: must be a string" },
  { "\"max_iters\": 2000", "\"max_iters\": 0", "“pins[0].params.max_iters”" },
  { "\"l1_mode\": \"prox\"", "\"l1_mode\": \"lasso\"", "“params.l1_mode”: unknown L1 mode" },
  { "\"init\": \"scaled\"", "\"init\": \"zeros\"", "“params.init”: unknown initialization" },
  { "\"products\": \"avx512\"", "\"products\": \"gpu\"", "“params.products”" },
  { "\"threads\": 0", "\"threads\": 300", "“params.threads”" },
  { "\"pins\": [", "\"pins\": {\"x\": 1}, \"old\": [", "“pins”: must be an array" },
};

static void
test_strict_reader (void)
{
  g_autofree char *text = valid_text ();

  for (guint i = 0; i < G_N_ELEMENTS (mistakes); i++)
    {
      const Mistake *m = &mistakes[i];
      g_autofree char *bad = m->old != NULL ? replace_once (text, m->old, m->new)
                                            : g_strndup (text, strlen (text) / 2);
      g_autoptr(GError) error = NULL;
      g_autoptr(FsSessionFile) s = fs_session_file_from_data (bad, -1, NULL, &error);

      g_test_message ("mistake %u: %s", i, error != NULL ? error->message : "none");
      g_assert_null (s);
      g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, m->message));
    }
}

/* "import" is written only when not all automatic, and read strictly:
 * an unknown field, a wrong type or value is an error naming it; an
 * example takes none. */
static void
test_import (void)
{
  static const Mistake import_mistakes[] = {
    { "\"header\": \"yes\"", "\"header\": \"maybe\"", "“import.header”: must be auto, yes or no" },
    { "\"header\": \"yes\"", "\"headers\": \"yes\"", "“import.headers”: is not an import option" },
    { "\"row_labels\": \"first\"", "\"row_labels\": 1", "“import.row_labels”: must be a string" },
    { "\"row_labels\": \"first\"", "\"row_labels\": \"last\"", "“import.row_labels”" },
    { "\"transpose\": true", "\"transpose\": \"yes\"", "“import.transpose”: must be true or false" },
    { "[3, 4]", "[0]", "“import.drop_columns[0]”: must be a column number" },
    { "[3, 4]", "[3, \"4\"]", "“import.drop_columns[1]”" },
    { "[3, 4]", "3", "“import.drop_columns”: must be an array" },
  };
  g_autofree char *plain = valid_text ();
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  g_autoptr(FsSessionFile) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *example = NULL;

  g_assert_null (strstr (plain, "\"import\""));
  s->data_path = g_strdup ("/data/x.csv");
  s->checksum = g_strdup ("f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
  s->params.rank = 5;
  s->import.row_labels = FS_ROW_LABELS_FIRST;
  s->import.header = FS_HEADER_YES;
  s->import.transpose = TRUE;
  g_assert_true (fs_import_parse_columns ("3-4", &s->import.drop_columns,
                                          &s->import.n_drop_columns, &error));
  text = fs_session_file_to_data (s, NULL);
  g_assert_nonnull (strstr (text, "\"import\": {\n    \"row_labels\": \"first\",\n    "
                                  "\"header\": \"yes\",\n    \"transpose\": true,\n    "
                                  "\"drop_columns\": [3, 4]\n  }"));
  back = fs_session_file_from_data (text, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fs_import_options_equal (&back->import, &s->import));

  for (guint i = 0; i < G_N_ELEMENTS (import_mistakes); i++)
    {
      const Mistake *m = &import_mistakes[i];
      g_autofree char *bad = replace_once (text, m->old, m->new);
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(FsSessionFile) none = fs_session_file_from_data (bad, -1, NULL, &bad_error);

      g_test_message ("mistake %u: %s", i, bad_error != NULL ? bad_error->message : "none");
      g_assert_null (none);
      g_assert_error (bad_error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_nonnull (strstr (bad_error->message, m->message));
    }

  /* Each field is optional. */
  {
    g_autofree char *only = replace_once (text, "\"row_labels\": \"first\",\n    "
                                                "\"header\": \"yes\",\n    "
                                                "\"transpose\": true,\n    ", "");
    g_autoptr(FsSessionFile) some = fs_session_file_from_data (only, -1, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (some->import.row_labels, ==, FS_ROW_LABELS_AUTO);
    g_assert_false (some->import.transpose);
    g_assert_cmpuint (some->import.n_drop_columns, ==, 2);
  }

  example = replace_once (text, "\"path\": \"/data/x.csv\",",
                          "\"example\": \"notebook\", \"rows\": 0, \"cols\": 0, "
                          "\"rank\": 0, \"seed\": \"0\",");
  g_assert_null (fs_session_file_from_data (example, -1, NULL, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "“import”"));
}

/* Loading names the file too; the document must be an object. */
static void
test_strict_reader_names_file (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *text = valid_text ();
  g_autofree char *bad = replace_once (text, "\"version\": 1", "\"version\": 2");
  g_autofree char *path = write_file (dir, "bad" FS_SESSION_FILE_EXTENSION, bad);
  g_autofree char *array = write_file (dir, "array" FS_SESSION_FILE_EXTENSION, "[1, 2]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) array_error = NULL;

  g_assert_null (fs_session_file_load (path, &error));
  g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, "“version”"));

  g_assert_null (fs_session_file_load (array, &array_error));
  g_assert_error (array_error, FS_ERROR, FS_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (array_error->message, array));
  g_unlink (path);
  g_unlink (array);
  g_rmdir (dir);
}

/* Fields a later version adds are passed over, anywhere. */
static void
test_unknown_fields_ignored (void)
{
  g_autofree char *text = valid_text ();
  g_autofree char *top = replace_once (text, "\"pace\":", "\"window\": {\"width\": 800}, \"pace\":");
  g_autofree char *inner = replace_once (top, "\"rank\": 5,", "\"rank\": 5, \"gpu\": true,");
  g_autoptr(GError) error = NULL;
  g_autoptr(FsSessionFile) s = fs_session_file_from_data (inner, -1, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (s->params.rank, ==, 5);
  g_assert_cmpuint (s->n_pins, ==, 1);
}

/* The known value was computed once with
 *   sha256sum tests/data/real/csv/R_airquality_NA.csv
 * (GNU coreutils 9.1): data, not our code's output. */
static void
test_checksum (void)
{
  g_autofree char *path = real_data ("csv/R_airquality_NA.csv");
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autofree char *empty = write_file (dir, "empty.csv", "");
  g_autoptr(GError) error = NULL;
  g_autofree char *sum = fs_session_file_checksum (path, &error);
  /* sha256sum of nothing, likewise. */
  g_autofree char *empty_sum = fs_session_file_checksum (empty, NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (sum, ==, "f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
  g_assert_cmpstr (empty_sum, ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  g_assert_null (fs_session_file_checksum (missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, missing));
  g_unlink (empty);
  g_rmdir (dir);
}

static FsSessionFile *
session_for (const char *data_path)
{
  FsSessionFile *s = fs_session_file_new ();

  s->data_path = g_strdup (data_path);
  s->checksum = fs_session_file_checksum (data_path, NULL);
  g_assert_nonnull (s->checksum);
  return s;
}

/* The data as saved passes; a missing file and a changed one are errors
 * that name the file. */
static void
test_check_data (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *data = write_file (dir, "x.csv", "1,2\n3,4\n");
  g_autoptr(FsSessionFile) s = session_for (data);
  g_autoptr(FsSessionFile) example = fs_session_file_new ();
  g_autoptr(GError) changed = NULL;
  g_autoptr(GError) missing = NULL;

  example->example = g_strdup ("lowrank");
  g_assert_true (fs_session_file_check_data (example, NULL));
  g_assert_true (fs_session_file_check_data (s, NULL));

  g_free (write_file (dir, "x.csv", "1,2\n3,5\n"));
  g_assert_false (fs_session_file_check_data (s, &changed));
  g_assert_error (changed, FS_ERROR, FS_ERROR_DATA_CHANGED);
  g_assert_nonnull (strstr (changed->message, data));
  g_assert_nonnull (strstr (changed->message, "has changed since the session was saved"));

  g_unlink (data);
  g_assert_false (fs_session_file_check_data (s, &missing));
  g_assert_error (missing, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (missing->message, data));
  g_rmdir (dir);
}

/* A folder moved with its session and data still opens, from the data's
 * path relative to the session; a session moved alone finds the data
 * where it was. */
static void
test_moved_folder (void)
{
  g_autofree char *root = fs_test_make_tmp_dir ();
  g_autofree char *old_dir = g_build_filename (root, "before", NULL);
  g_autofree char *new_dir = g_build_filename (root, "after", NULL);
  g_autofree char *elsewhere = g_build_filename (root, "elsewhere", NULL);
  g_autofree char *data = NULL, *moved_data = NULL, *path = NULL, *moved = NULL, *alone = NULL;
  g_autoptr(FsSessionFile) s = NULL, back = NULL, alone_back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (old_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (elsewhere, 0755), ==, 0);
  data = write_file (old_dir, "x.csv", "1,2\n3,4\n");
  s = session_for (data);
  path = g_build_filename (old_dir, "s" FS_SESSION_FILE_EXTENSION, NULL);
  g_assert_true (fs_session_file_save (s, path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_rename (old_dir, new_dir), ==, 0);
  moved = g_build_filename (new_dir, "s" FS_SESSION_FILE_EXTENSION, NULL);
  moved_data = g_build_filename (new_dir, "x.csv", NULL);
  back = fs_session_file_load (moved, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->data_path, ==, moved_data);
  g_assert_true (fs_session_file_check_data (back, &error));
  g_assert_no_error (error);

  /* Back where the absolute path points, with the session elsewhere. */
  g_assert_cmpint (g_rename (new_dir, old_dir), ==, 0);
  alone = g_build_filename (elsewhere, "s" FS_SESSION_FILE_EXTENSION, NULL);
  g_assert_cmpint (g_rename (path, alone), ==, 0);
  alone_back = fs_session_file_load (alone, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (alone_back->data_path, ==, data);
  g_assert_true (fs_session_file_check_data (alone_back, NULL));

  g_unlink (alone);
  g_unlink (data);
  g_rmdir (old_dir);
  g_rmdir (elsewhere);
  g_rmdir (root);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (listing);
  while (g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

/* A save that cannot finish leaves nothing behind and nothing changed. */
static void
test_atomic_save (void)
{
  g_autofree char *dir = fs_test_make_tmp_dir ();
  g_autofree char *no_dir = g_build_filename (dir, "no-such-folder", "s.factorscope", NULL);
  g_autofree char *file = write_file (dir, "plain-file", "not a folder");
  g_autofree char *under_file = g_build_filename (file, "s.factorscope", NULL);
  g_autofree char *folder = g_build_filename (dir, "a-folder", NULL);
  g_autofree char *inside = NULL;
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  g_autoptr(GError) error1 = NULL, error2 = NULL, error3 = NULL;

  s->example = g_strdup ("lowrank");
  g_assert_false (fs_session_file_save (s, no_dir, &error1));
  g_assert_nonnull (error1);
  g_assert_false (fs_session_file_save (s, under_file, &error2));
  g_assert_nonnull (error2);

  /* Over a folder: the rename fails after the temporary file is written. */
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  inside = write_file (folder, "keep", "kept");
  g_assert_false (fs_session_file_save (s, folder, &error3));
  g_assert_nonnull (error3);
  g_assert_true (g_file_test (inside, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_entries (folder), ==, 1);

  /* Only what the case made: no temporary file is left. */
  g_assert_cmpuint (count_entries (dir), ==, 2);
  g_assert_false (g_file_test (no_dir, G_FILE_TEST_EXISTS));

  g_unlink (inside);
  g_rmdir (folder);
  g_unlink (file);
  g_rmdir (dir);
}

/* The command line carries what differs from the CLI's defaults, quoted
 * for a shell where needed. */
static void
test_command_line (void)
{
  g_autoptr(FsSessionFile) s = fs_session_file_new ();
  g_autoptr(FsSessionFile) ex = fs_session_file_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *line = NULL;
  g_autofree char *ex_line = NULL;

  s->data_path = g_strdup ("/data/it's here.csv");
  s->checksum = g_strdup ("f1fb73129838bf406f114eb09c252a66f79b74aa7a916e4e38d4a8e23e1608c6");
  s->params.rank = 3;
  s->params.lr = 0.1;
  s->params.rule = fs_rule_find ("adam");
  s->params.tol = 1e-6;
  s->params.l2_h = 1.0 / 3.0;
  s->params.seed = 42;
  s->params.threads = 2;
  s->scaling = FS_SCALING_STANDARDIZE_COLUMNS;
  argv = fs_session_file_to_argv (s);
  g_assert_cmpstr (argv[0], ==, "factorscope-cli");
  g_assert_cmpstr (argv[1], ==, "run");
  line = fs_session_file_to_command_line (s);
  g_assert_cmpstr (line, ==,
                   "factorscope-cli run --rank 3 --rule adam --lr 0.1 --l2-h 0.3333333333333333 "
                   "--tol 1e-06 --seed 42 --threads 2 --scaling standardize "
                   "'/data/it'\\''s here.csv'");

  s->import.row_labels = FS_ROW_LABELS_NONE;
  s->import.transpose = TRUE;
  g_assert_true (fs_import_parse_columns ("2-4,9", &s->import.drop_columns,
                                          &s->import.n_drop_columns, NULL));
  g_clear_pointer (&line, g_free);
  line = fs_session_file_to_command_line (s);
  g_assert_cmpstr (line, ==,
                   "factorscope-cli run --rank 3 --rule adam --lr 0.1 --l2-h 0.3333333333333333 "
                   "--tol 1e-06 --seed 42 --threads 2 --scaling standardize --row-labels none "
                   "--transpose --drop-columns 2-4,9 '/data/it'\\''s here.csv'");

  ex->example = g_strdup ("lowrank");
  ex->example_rows = 30;
  ex->example_seed = 7;
  ex->params.rank = 5;
  ex->params.nonneg = TRUE;
  ex->params.stop_unstable = FALSE;
  ex_line = fs_session_file_to_command_line (ex);
  g_assert_cmpstr (ex_line, ==,
                   "factorscope-cli run --rank 5 --lr 0.001 --nonneg --no-stop-unstable "
                   "--example lowrank --example-size 30x80 --example-seed 7");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-file/round-trip", test_round_trip);
  g_test_add_func ("/session-file/save-load", test_save_load);
  g_test_add_func ("/session-file/exact-doubles", test_exact_doubles);
  g_test_add_func ("/session-file/seeds", test_seeds);
  g_test_add_func ("/session-file/strict-reader", test_strict_reader);
  g_test_add_func ("/session-file/strict-reader-names-file", test_strict_reader_names_file);
  g_test_add_func ("/session-file/import", test_import);
  g_test_add_func ("/session-file/unknown-fields-ignored", test_unknown_fields_ignored);
  g_test_add_func ("/session-file/checksum", test_checksum);
  g_test_add_func ("/session-file/check-data", test_check_data);
  g_test_add_func ("/session-file/moved-folder", test_moved_folder);
  g_test_add_func ("/session-file/atomic-save", test_atomic_save);
  g_test_add_func ("/session-file/command-line", test_command_line);

  return g_test_run ();
}
