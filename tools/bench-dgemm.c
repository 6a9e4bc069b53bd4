/* bench-dgemm.c: this machine's square dgemm rate, the bound that
 * tools/bench-peers measures the solver against.
 *
 * Usage: bench-dgemm THREADS [N] [REPEATS]
 * Prints one JSON object: the median and best GFLOP/s of OpenBLAS's dgemm
 * on N × N matrices (default 2000) with THREADS OpenBLAS threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "fs-blas.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  int threads, n, repeats;
  g_autofree double *a = NULL;
  g_autofree double *b = NULL;
  g_autofree double *c = NULL;
  g_autofree double *rates = NULL;

  if (argc < 2 || argc > 4)
    {
      fprintf (stderr, "usage: %s THREADS [N] [REPEATS]\n", argv[0]);
      return 2;
    }
  threads = atoi (argv[1]);
  n = argc > 2 ? atoi (argv[2]) : 2000;
  repeats = argc > 3 ? atoi (argv[3]) : 5;
  if (threads < 1 || n < 1 || n > 20000 || repeats < 1)
    {
      fprintf (stderr, "%s: THREADS, N and REPEATS must be positive (N at most 20000)\n", argv[0]);
      return 2;
    }

  fs_blas_set_threads ((guint) threads);
  a = g_new (double, (gsize) n * n);
  b = g_new (double, (gsize) n * n);
  c = g_new0 (double, (gsize) n * n);
  rates = g_new (double, repeats);
  for (gsize k = 0; k < (gsize) n * n; k++)
    {
      a[k] = (double) (k % 7) - 3.0;
      b[k] = (double) (k % 5) - 2.0;
    }

  /* One untimed call starts OpenBLAS's threads. */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
               1.0, a, n, b, n, 0.0, c, n);
  for (int k = 0; k < repeats; k++)
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
                   1.0, a, n, b, n, 0.0, c, n);
      seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
      rates[k] = 2.0 * n * (double) n * n / seconds / 1e9;
    }
  qsort (rates, repeats, sizeof (double), compare_doubles);

  printf ("{\"threads\": %d, \"n\": %d, \"repeats\": %d, \"gflops_median\": %.3f, "
          "\"gflops_best\": %.3f, \"blas_core\": \"%s\"}\n",
          threads, n, repeats, rates[repeats / 2], rates[repeats - 1], fs_blas_get_corename ());
  return 0;
}
