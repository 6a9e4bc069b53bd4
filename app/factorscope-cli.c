/* factorscope-cli.c: headless runs, the closed-form optimum and benchmarks.
 *
 * This file holds main, the list of subcommands and what they share for
 * reporting; each subcommand is in its own fs-cli-NAME.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "factorscope-cli"

#include <glib/gi18n.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>

#include "fs-blas.h"
#include "fs-cli.h"
#include "fs-error.h"
#include "fs-products.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
  /* Whether it does linear algebra: OpenBLAS is then loaded before the
   * command starts (fs_blas_load); info and convert never load it. */
  gboolean    blas;
} Command;

static const Command commands[] = {
  { "run", fs_cli_run, N_("Factorize a matrix, printing progress"), TRUE },
  { "sweep", fs_cli_sweep, N_("Factorize over a range of ranks or penalties"), TRUE },
  { "optimum", fs_cli_optimum, N_("Print the closed-form global optimum f*"), TRUE },
  { "bench", fs_cli_bench, N_("Time the solver on the shared benchmark problem"), TRUE },
  { "info", fs_cli_info, N_("Describe a matrix file"), FALSE },
  { "convert", fs_cli_convert, N_("Convert a matrix file to .csv, .tsv or .npy"), FALSE },
  { "export-torch", fs_cli_export_torch, N_("Write a run as a standalone PyTorch script"), TRUE },
};

/* "factorscope-cli" or, once a subcommand runs, "factorscope-cli NAME"
 * (the program name, which GOptionContext's usage line shows too): every
 * error line starts with it. */
const char *
fs_cli_command_name (void)
{
  return g_get_prgname ();
}

/* A learning rate as --lr gives it: NULL (not given) leaves lr NaN, for
 * "chosen from the data"; anything else must be a finite number > 0 (nan
 * is not "automatic"). */
gboolean
fs_cli_parse_lr (const char  *text,
                 double      *lr,
                 GError     **error)
{
  char *end = NULL;

  *lr = NAN;
  if (text == NULL)
    return TRUE;
  *lr = g_ascii_strtod (text, &end);
  if (end != text && *end == '\0' && isfinite (*lr) && *lr > 0.0)
    return TRUE;
  g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT,
               _("--lr must be a finite number > 0, not “%s”"), text);
  return FALSE;
}

/* The solver threads --threads asks for, at most one per core: more only
 * wait for each other (40 threads on 2 cores ran 40 times slower). */
int
fs_cli_cap_threads (int threads)
{
  int cores = (int) g_get_num_processors ();

  if (threads <= cores)
    return threads;
  g_printerr (_("%s: --threads %d is more than the %d cores here; using %d\n"),
              fs_cli_command_name (), threads, cores, cores);
  return cores;
}

/* The fastest products the solver may use: all of them, unless
 * FACTORSCOPE_PRODUCTS names one, for benchmarks: blas runs the OpenBLAS
 * path, avx2 the AVX2 kernels on a CPU that has AVX-512 too. */
FsProductsImpl
fs_cli_products (void)
{
  FsProductsImpl most;

  return fs_products_impl_from_name (g_getenv ("FACTORSCOPE_PRODUCTS"), &most) ? most
                                                                                 : FS_PRODUCTS_AVX512;
}

/* Prints one line on standard error and returns the usage status. */
int
fs_cli_fail (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s\n", fs_cli_command_name (), message);
  return FS_CLI_EXIT_USAGE;
}

GOptionContext *
fs_cli_context_new (const char *parameter,
                    const char *summary)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return context;
}

/* What loading a matrix left out, one line each on standard error. */
void
fs_cli_print_notices (const FsMatrix *X)
{
  for (guint i = 0; X->notices != NULL && X->notices[i] != NULL; i++)
    g_printerr ("%s: %s\n", fs_cli_command_name (), X->notices[i]);
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n", _("Usage: factorscope-cli COMMAND [OPTION…]"));
  fprintf (stream, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (stream, "\n%s\n", _("“factorscope-cli COMMAND --help” describes a command's options."));
}

static void
setup_process (void)
{
  setlocale (LC_ALL, "");
  /* Past a file-size limit (ulimit -f) a write then fails with EFBIG, which
   * `run --out` reports, instead of killing the process without a word. */
  signal (SIGXFSZ, SIG_IGN);
  /* OpenBLAS's own threads spin for a while after each call they share,
   * which would take a core from the solver's threads: only the SVD of
   * `run` and `optimum` asks for them. */
  fs_blas_set_threads (1);
  /* FS_LOCALEDIR, when set, is where the catalogues are instead: the build
   * folder's po/ lets tests and screenshots run translated uninstalled. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("FS_LOCALEDIR") != NULL ? g_getenv ("FS_LOCALEDIR")
                                                                : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("factorscope-cli");
  if (!fs_products_impl_from_name (g_getenv ("FACTORSCOPE_PRODUCTS"), &(FsProductsImpl) { 0 }))
    g_printerr (_("FACTORSCOPE_PRODUCTS=%s is not one of blas, avx2 or avx512; "
                  "using the fastest this CPU runs\n"), g_getenv ("FACTORSCOPE_PRODUCTS"));
}

int
main (int    argc,
      char **argv)
{
  setup_process ();

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? FS_CLI_EXIT_USAGE : FS_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("factorscope-cli %s\n", PACKAGE_VERSION);
      return FS_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      {
        g_autofree char *name = g_strdup_printf ("factorscope-cli %s", commands[i].name);

        g_set_prgname (name);
        /* The subcommand's own options start after its name. */
        argv[1] = name;
        if (commands[i].blas)
          fs_blas_load ();
        return commands[i].run (argc - 1, argv + 1);
      }

  g_printerr ("%s: ", fs_cli_command_name ());
  g_printerr (_("unknown command “%s” (use run, sweep, optimum, bench, info, convert or export-torch)\n"), argv[1]);
  return FS_CLI_EXIT_USAGE;
}
