/* bench-load.c: how long fs_matrix_load takes on a file, median of N.
 * Prints one JSON object. Run through tools/bench-load, which runs NumPy
 * beside it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fs-loader.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  int repeats = argc > 2 ? atoi (argv[2]) : 20;
  g_autofree double *seconds = NULL;
  gsize rows = 0, cols = 0;

  if (argc < 2 || repeats < 1)
    {
      fprintf (stderr, "usage: bench-load FILE [REPEATS]\n");
      return 1;
    }

  seconds = g_new (double, repeats);
  for (int k = 0; k < repeats; k++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr(FsMatrix) X = fs_matrix_load (argv[1], &error);

      seconds[k] = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
      if (X == NULL)
        {
          fprintf (stderr, "bench-load: %s\n", error->message);
          return 1;
        }
      rows = X->rows;
      cols = X->cols;
    }

  qsort (seconds, repeats, sizeof (double), compare_doubles);
  printf ("{\"reader\": \"factorscope\", \"rows\": %" G_GSIZE_FORMAT ", \"cols\": %" G_GSIZE_FORMAT ", "
          "\"median_s\": %.6f, \"min_s\": %.6f, \"repeats\": %d}\n",
          rows, cols, seconds[repeats / 2], seconds[0], repeats);
  return 0;
}
