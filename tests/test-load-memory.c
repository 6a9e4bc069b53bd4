/* test-load-memory.c: the peak memory of loading delimited text stays
 * under the file's size + the matrix + 32 MiB (issue 20) on the shapes
 * that once broke it: tall and narrow (each row cost a record and its
 * first cell kept whole, ~90 bytes beyond its values), mostly text (every
 * text cell kept whole, 32 bytes, and given a value), row labels (one
 * allocation each) and mostly missing cells held sparse (each cell's
 * value held until the layout was known). Each file is written into the test's TMPDIR and read by
 * `factorscope-cli info`, a fresh process as the user runs it, whose peak
 * resident memory is wait4's ru_maxrss: the file's pages it maps count,
 * as they do for the user. Memory does not depend on the machine's load.
 *
 * Registered only in builds without sanitizers (tests/meson.build):
 * their shadow memory is not the program's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1

#include <sched.h>
#include <unistd.h>

#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#define SLACK ((gsize) 32 << 20)

/* A fixed sequence of numbers in [0, 1), six decimals. */
static guint32
next_number (guint64 *state)
{
  *state = *state * G_GUINT64_CONSTANT (6364136223846793005) + G_GUINT64_CONSTANT (1442695040888963407);
  return (guint32) ((*state >> 33) % 1000000);
}

/* Writes text to a file of the test's TMPDIR; its path. */
static char *
write_file (const char *name,
            GString    *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_tmp_dir (), name, NULL);

  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
  g_assert_no_error (error);
  return path;
}

/* In the child, before it runs the command line: at most two of the
 * cores it may use. The reader cuts a large file into a chunk a core
 * (each holding its values until the join), so its peak grows with the
 * cores; the bounds here are held on two, as on CI's machines, whatever
 * the machine the tests run on. */
static void
on_two_cores (gpointer data)
{
  cpu_set_t allowed, two;
  int kept = 0;

  if (sched_getaffinity (0, sizeof allowed, &allowed) != 0)
    return;
  CPU_ZERO (&two);
  for (int cpu = 0; cpu < CPU_SETSIZE && kept < 2; cpu++)
    if (CPU_ISSET (cpu, &allowed))
      {
        CPU_SET (cpu, &two);
        kept++;
      }
  sched_setaffinity (0, sizeof two, &two);
}

/* Runs `factorscope-cli info --json path` (or, not json, `info path`)
 * and gives its peak resident memory in bytes; checks the shape it
 * read. */
static gsize
peak_of_info_as (const char *path,
                 gsize       rows,
                 gsize       cols,
                 gboolean    json)
{
  const char *cli = g_getenv ("FS_CLI");
  const char *argv[] = { cli, "info", json ? "--json" : path, json ? path : NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *shape = json ? g_strdup_printf ("\"rows\":%" G_GSIZE_FORMAT ",\"cols\":%"
                                                   G_GSIZE_FORMAT ",", rows, cols)
                                : g_strdup_printf ("rows: %" G_GSIZE_FORMAT "\ncolumns: %"
                                                   G_GSIZE_FORMAT "\n", rows, cols);
  struct rusage usage;
  GPid pid;
  int out_fd, status;
  GString *text = g_string_new (NULL);
  char buf[4096];
  gssize got;

  g_assert_nonnull (cli);
  /* Without meson's MALLOC_PERTURB_, which has glibc fill what it hands
   * out and so touch room a reader asks for but never uses: a user's
   * process does not have it (it added 20 MB to a peak). */
  g_auto(GStrv) env = g_environ_unsetenv (g_get_environ (), "MALLOC_PERTURB_");

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, env,
                                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                           on_two_cores, NULL, &pid, NULL, &out_fd, NULL,
                                           &error));
  g_assert_no_error (error);
  while ((got = read (out_fd, buf, sizeof buf)) > 0)
    g_string_append_len (text, buf, got);
  close (out_fd);
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_spawn_close_pid (pid);
  out = g_string_free (text, FALSE);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  if (strstr (out, shape) == NULL)
    g_error ("%s: info did not read %s: %s", path, shape, out);
  return (gsize) usage.ru_maxrss * 1024;
}

static gsize
peak_of_info (const char *path,
              gsize       rows,
              gsize       cols)
{
  return peak_of_info_as (path, rows, cols, TRUE);
}

static void
assert_within_bound_as (const char *path,
                        gsize       rows,
                        gsize       cols,
                        gboolean    json)
{
  GStatBuf st;
  gsize peak, bound;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  bound = (gsize) st.st_size + rows * cols * sizeof (double) + SLACK;
  peak = peak_of_info_as (path, rows, cols, json);
  g_test_message ("%s: %.1f MB, peak %.1f MB, bound %.1f MB", path, st.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);
}

static void
assert_within_bound (const char *path,
                     gsize       rows,
                     gsize       cols)
{
  assert_within_bound_as (path, rows, cols, TRUE);
}

/* 1,000,000 rows of 2 numbers: 18 MB. */
static void
test_tall_narrow (void)
{
  GString *text = g_string_sized_new (18000000);
  g_autofree char *path = NULL;
  guint64 state = 1;

  for (guint i = 0; i < 1000000; i++)
    g_string_append_printf (text, "0.%06u,0.%06u\n", next_number (&state), next_number (&state));
  path = write_file ("tall.csv", text);
  g_string_free (text, TRUE);
  assert_within_bound (path, 1000000, 2);
}

/* 300,000 rows of 9 text columns (the first read as row labels, the others
 * left out) and 2 of numbers, under a header: 13 MB for a matrix of
 * 4.8 MB. */
static void
test_mostly_text (void)
{
  static const char * const words[] = { "ab", "cd", "ef", "gh", "ij", "kl", "mn", "op" };
  GString *text = g_string_sized_new (14000000);
  g_autofree char *path = NULL;
  guint64 state = 2;

  g_string_append (text, "t1,t2,t3,t4,t5,t6,t7,t8,t9,x,y\n");
  for (guint i = 0; i < 300000; i++)
    {
      for (guint j = 0; j < 9; j++)
        {
          g_string_append (text, words[next_number (&state) % G_N_ELEMENTS (words)]);
          g_string_append_c (text, ',');
        }
      g_string_append_printf (text, "0.%06u,0.%06u\n", next_number (&state), next_number (&state));
    }
  path = write_file ("text.csv", text);
  g_string_free (text, TRUE);
  assert_within_bound (path, 300000, 2);
}

/* 500,000 rows of a label and 3 numbers under R's header (an empty corner
 * cell): 16 MB. */
static void
test_row_labels (void)
{
  GString *text = g_string_sized_new (17000000);
  g_autofree char *path = NULL;
  guint64 state = 3;

  g_string_append (text, ",c1,c2,c3\n");
  for (guint i = 0; i < 500000; i++)
    g_string_append_printf (text, "r%u,0.%06u,0.%06u,0.%06u\n", i + 1, next_number (&state),
                            next_number (&state), next_number (&state));
  path = write_file ("labels.csv", text);
  g_string_free (text, TRUE);
  assert_within_bound (path, 500000, 3);
}

/* 4,190,000 rows of two one-digit numbers with CR line ends (as old Mac
 * programs write): 16.8 MB. The sample that learns the width once looked
 * for LF only and so read all of such a file (123 MB against a bound of
 * 117). */
static void
test_cr_line_ends (void)
{
  GString *text = g_string_sized_new (16800000);
  g_autofree char *path = NULL;
  guint64 state = 4;

  for (guint i = 0; i < 4190000; i++)
    {
      guint d = next_number (&state);

      g_string_append_c (text, (char) ('0' + d % 10));
      g_string_append_c (text, ',');
      g_string_append_c (text, (char) ('0' + d / 10 % 10));
      g_string_append_c (text, '\r');
    }
  path = write_file ("cr.csv", text);
  g_string_free (text, TRUE);
  assert_within_bound (path, 4190000, 2);
}

/* Runs `factorscope-cli info --json path` and checks that it holds the
 * matrix sparse with listed cells. */
static void
assert_held_sparse (const char *path,
                    gsize       listed)
{
  const char *argv[] = { g_getenv ("FS_CLI"), "info", "--json", path, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *want = g_strdup_printf ("\"storage\":\"sparse\",\"listed\":%" G_GSIZE_FORMAT ",",
                                           listed);
  int status;

  g_assert_nonnull (argv[0]);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  if (strstr (out, want) == NULL)
    g_error ("%s: info did not say %s: %s", path, want, out);
}

/* 2000 x 2000 cells of NA with 1% of numbers: 12 MB, held sparse (12
 * bytes a listed cell, 8 a row). Every cell was held as a double until the
 * layout was known (32 MB, a peak of 53.2 MB); now its numbers only.
 * Held to a slack of 16 MiB: the bound's 32 the old reader kept to. */
static void
check_mostly_missing (gboolean labels)
{
  const gsize side = 2000;
  GString *text = g_string_sized_new (12500000);
  g_autofree char *path = NULL;
  guint64 state = 5;
  gsize listed = 0, peak, bound;
  GStatBuf st;

  for (gsize i = 0; i < side; i++)
    for (gsize j = 0; j < side; j++)
      {
        if (labels && i == 0 && j == 0)
          {
            g_string_append (text, "id");
            for (gsize k = 0; k < side; k++)
              g_string_append_printf (text, ",c%" G_GSIZE_FORMAT, k);
            g_string_append_c (text, '\n');
          }
        if (labels && j == 0)
          g_string_append_printf (text, "name%" G_GSIZE_FORMAT ",", i);
        if (next_number (&state) % 100 == 0)
          {
            g_string_append_printf (text, "0.%06u", next_number (&state));
            listed++;
          }
        else
          g_string_append (text, "NA");
        g_string_append_c (text, j + 1 < side ? ',' : '\n');
      }
  path = write_file (labels ? "mostly-missing-labels.csv" : "mostly-missing.csv", text);
  g_string_free (text, TRUE);
  assert_held_sparse (path, listed);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  bound = (gsize) st.st_size + 12 * listed + 8 * (side + 1) + ((gsize) 16 << 20);
  peak = peak_of_info (path, side, side);
  g_test_message ("%s: %.1f MB, peak %.1f MB, bound %.1f MB", path, st.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);
}

static void
test_mostly_missing (void)
{
  check_mostly_missing (FALSE);
}

/* The same under a header, with a first column of names (row labels), text in the
 * sample's second record: the sample kept that record's numbers only
 * (second_record_sets_width), and the share of numbers was not taken from
 * rows so made, so the file was read as rows of 8 bytes a cell: 52.6 MB
 * here before, 19.0 now (3000 × 3000: 105.4 against 33.6). */
static void
test_mostly_missing_labels (void)
{
  check_mostly_missing (TRUE);
}

/* A header of 3000 names over 2200 rows of NA with 1% of numbers, rows
 * 1050 to 1149 all numbers (22 MB, read in chunks on two threads): the
 * chunk that met the dense rows read rows of 8 bytes a cell to its end,
 * and then every chunk was made rows (85.3 MB, where a serial read keeps
 * to 30); now a chunk turns to rows only past a quarter of its text (here
 * none does), and the file's share decides at the join
 * (/delimited-split/compact-turns takes the turn back). */
static void
test_dense_part (void)
{
  const gsize rows = 2200, cols = 3000;
  GString *text = g_string_sized_new (22500000);
  g_autofree char *path = NULL;
  guint64 state = 11;
  gsize listed = 0, peak, bound;
  GStatBuf st;

  for (gsize j = 0; j < cols; j++)
    g_string_append_printf (text, "c%" G_GSIZE_FORMAT "%c", j, j + 1 < cols ? ',' : '\n');
  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        if ((i >= 1050 && i < 1150) || next_number (&state) % 100 == 0)
          {
            g_string_append_printf (text, "0.%06u", next_number (&state) % 1000000);
            listed++;
          }
        else
          g_string_append (text, "NA");
        g_string_append_c (text, j + 1 < cols ? ',' : '\n');
      }
  path = write_file ("dense-part.csv", text);
  g_string_free (text, TRUE);
  assert_held_sparse (path, listed);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  bound = (gsize) st.st_size + 12 * listed + 8 * (rows + 1) + ((gsize) 16 << 20);
  peak = peak_of_info (path, rows, cols);
  g_test_message ("%s: %.1f MB, peak %.1f MB, bound %.1f MB", path, st.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);
}

/* Rows of one-digit cells, cols a row ("3,7\n"): the smallest cells, so
 * that any bytes kept a row or a column beyond the values show. */
static char *
write_digits (const char *name,
              gsize       rows,
              gsize       cols,
              gboolean    header)
{
  GString *text = g_string_sized_new (rows * cols * 2);
  char *path;
  guint64 state = rows + cols;

  /* Column names c0, c1, …: a header of words. */
  for (gsize j = 0; header && j < cols; j++)
    g_string_append_printf (text, "c%" G_GSIZE_FORMAT "%c", j, j + 1 == cols ? '\n' : ',');

  for (gsize i = 0; i < rows; i++)
    for (gsize j = 0; j < cols; j++)
      {
        g_string_append_c (text, (char) ('0' + next_number (&state) % 10));
        g_string_append_c (text, j + 1 == cols ? '\n' : ',');
      }
  path = write_file (name, text);
  g_string_free (text, TRUE);
  return path;
}

/* 8,000,000 rows of two one-digit numbers (32 MB, a matrix of 128 MB):
 * the start of every record was kept (4 bytes a row, more while chunks
 * are joined) in case the first column turned out to be row labels,
 * which a sample of the file's start tells it cannot be unless text
 * comes into it later: 210.6 MB against a bound of 193.6. */
static void
test_tall_digits (void)
{
  g_autofree char *path = write_digits ("tall-digits.csv", 8000000, 2, FALSE);

  assert_within_bound (path, 8000000, 2);
}

/* 4 lines of 3,000,000 one-digit numbers (24 MB, a matrix of 96 MB), too
 * long for the sample of the file's start to hold three of them: the
 * first record kept 32 bytes a cell beside its value (in case it was a
 * header), and 4 bytes a column said where each column's values go,
 * every column being kept: 258.1 MB against a bound of 153.6. */
static void
test_very_wide (void)
{
  g_autofree char *path = write_digits ("wide-digits.csv", 4, 3000000, FALSE);

  assert_within_bound (path, 4, 3000000);
}

/* 24 lines of 300,000 one-digit numbers under a header of names (17 MB,
 * a matrix of 58 MB): each column label was a string of its own, 128
 * bytes for the 7 of "c12345": 132.5 MB against a bound of 108.4. */
static void
test_wide_header (void)
{
  g_autofree char *path = write_digits ("wide-header.csv", 24, 300000, TRUE);

  assert_within_bound (path, 24, 300000);
}

/* 2 lines of 1,000,000 one-digit numbers under a header of names (12 MB,
 * a matrix of 16 MB): the header's cells were kept whole while the file
 * was read, a Field of 40 bytes each (and its labels are 24 MB). */
static void
test_header_cells (void)
{
  g_autofree char *path = write_digits ("header-cells.csv", 2, 1000000, TRUE);

  assert_within_bound (path, 2, 1000000);
}

/* 2 lines of 1,000,000 columns, every other one text, under a header of
 * names (12 MB, a matrix of 8 MB: the first column counts the rows, so
 * it holds their labels). Before the width was known, the second
 * record's text cells were kept whole, 32 bytes each, and every column
 * kept its first text cell and its line beside its count, 44 bytes:
 * 140.6 MB against a bound of 53.4 (49.0 now). Read by `info` without --json: the
 * JSON of the 500,000 columns it leaves out is a tree of 500,000 nodes
 * (json-glib's), not the load's memory. */
static char *
write_wide_text (const char *name,
                 guint       cols)
{
  GString *text = g_string_sized_new ((gsize) cols * 13);
  char *path;

  for (guint j = 0; j < cols; j++)
    g_string_append_printf (text, j == 0 ? "c%u" : ",c%u", j);
  for (guint i = 0; i < 2; i++)
    {
      g_string_append_c (text, '\n');
      for (guint j = 0; j < cols; j++)
        g_string_append (text, j == 0 ? (i == 0 ? "1" : "2") : j % 2 == 1 ? ",x" : ",7");
    }
  g_string_append_c (text, '\n');
  path = write_file (name, text);
  g_string_free (text, TRUE);
  return path;
}

static void
test_wide_text (void)
{
  g_autofree char *path = write_wide_text ("wide-text.csv", 1000000);

  assert_within_bound_as (path, 2, 499999, FALSE);
}

/* The same at 3,000,000 columns (38 MB, a matrix of 24 MB), whose first
 * three lines pass the 16 MiB the sample of the file's start may read: the
 * width is learnt from the second record, which kept every column's value
 * and had the third keep them too (a column with text is never data), and
 * the counts of text cells were held while the matrix was made. At
 * 10,000,000 columns that was 287.6 MB against a bound of 242.4; here,
 * 88.6 MB, held to the file + the matrix + 16 MiB (78.7 MB): now 74.5. */
static void
test_wide_text_unsampled (void)
{
  g_autofree char *path = write_wide_text ("wide-text-unsampled.csv", 3000000);
  GStatBuf st;
  gsize peak, bound;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint ((gsize) st.st_size, >, (gsize) 16 << 20);
  bound = (gsize) st.st_size + (gsize) 2 * 1499999 * sizeof (double) + ((gsize) 16 << 20);
  peak = peak_of_info_as (path, 2, 1499999, FALSE);
  g_test_message ("%s: %.1f MB, peak %.1f MB, bound %.1f MB", path, st.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint (peak, <=, bound);
}

/* 500,000 rows of 4 numbers of 17 digits (37 MB, a matrix of 16 MB): the
 * file is mapped, and its pages are given back as they are read, so it is
 * not resident beside the matrix (61.6 MB before); read on two threads,
 * the peak stays under the matrix + 24 MiB, which a process holding the
 * file whole could not. */
static void
test_file_given_back (void)
{
  GString *text = g_string_sized_new (38000000);
  g_autofree char *path = NULL;
  guint64 state = 5;
  GStatBuf st;
  gsize peak, bound;

  for (guint i = 0; i < 500000; i++)
    g_string_append_printf (text, "0.%06u%06u%05u,%06u.%06u%05u,-%06u.%06u,0.%06u%06u%05u\n",
                            next_number (&state), next_number (&state),
                            next_number (&state) % 100000, next_number (&state),
                            next_number (&state), next_number (&state) % 100000,
                            next_number (&state), next_number (&state), next_number (&state),
                            next_number (&state), next_number (&state) % 100000);
  path = write_file ("given-back.csv", text);
  g_string_free (text, TRUE);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  bound = (gsize) 500000 * 4 * sizeof (double) + ((gsize) 24 << 20);
  peak = peak_of_info (path, 500000, 4);
  g_test_message ("%s: %.1f MB, peak %.1f MB, bound %.1f MB", path, st.st_size / 1e6,
                  peak / 1e6, bound / 1e6);
  g_assert_cmpuint ((gsize) st.st_size, >, ((gsize) 24 << 20) + 8000000);
  g_assert_cmpuint (peak, <=, bound);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/load-memory/tall-narrow", test_tall_narrow);
  g_test_add_func ("/load-memory/mostly-text", test_mostly_text);
  g_test_add_func ("/load-memory/row-labels", test_row_labels);
  g_test_add_func ("/load-memory/cr-line-ends", test_cr_line_ends);
  g_test_add_func ("/load-memory/mostly-missing", test_mostly_missing);
  g_test_add_func ("/load-memory/mostly-missing-labels", test_mostly_missing_labels);
  g_test_add_func ("/load-memory/dense-part", test_dense_part);
  g_test_add_func ("/load-memory/tall-digits", test_tall_digits);
  g_test_add_func ("/load-memory/very-wide", test_very_wide);
  g_test_add_func ("/load-memory/wide-header", test_wide_header);
  g_test_add_func ("/load-memory/header-cells", test_header_cells);
  g_test_add_func ("/load-memory/file-given-back", test_file_given_back);
  g_test_add_func ("/load-memory/wide-text", test_wide_text);
  g_test_add_func ("/load-memory/wide-text-unsampled", test_wide_text_unsampled);
  return g_test_run ();
}
