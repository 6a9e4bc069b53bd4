/* bench-bandwidth.c: this machine's memory bandwidth, STREAM-like, the
 * bound that tools/bench-sparse measures the sparse path's pattern passes
 * against (as ../shared/bench/roofline.c measures it).
 *
 * Build (tools/bench-sparse does it at run time):
 *   gcc -O3 -march=native -fopenmp bench-bandwidth.c -o bench-bandwidth
 * Usage: bench-bandwidth THREADS [MIB] [REPEATS]
 * Prints one JSON object: the best GB/s of the triad a = b + s c (24 bytes
 * an element) and of a read (the sum of a, 8 bytes an element) over
 * arrays of MIB MiB each (default 256), bytes counted as STREAM does (no
 * write-allocate traffic).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static double
triad (double *a, const double *b, const double *c, long len)
{
  double start = omp_get_wtime ();

#pragma omp parallel for schedule(static)
  for (long k = 0; k < len; k++)
    a[k] = b[k] + 3.0 * c[k];
  return omp_get_wtime () - start;
}

/* simd lets the compiler keep several partial sums, so that the adds'
 * latency does not bound the read. */
static double
read_sum (const double *a, long len, double *sum)
{
  double start = omp_get_wtime (), total = 0.0;

#pragma omp parallel for simd schedule(static) reduction(+:total)
  for (long k = 0; k < len; k++)
    total += a[k];
  *sum += total;
  return omp_get_wtime () - start;
}

int
main (int argc, char **argv)
{
  int threads, repeats;
  long len;
  double *a, *b, *c, best_triad = 1e30, best_read = 1e30, sum = 0.0;

  if (argc < 2 || argc > 4)
    {
      fprintf (stderr, "usage: %s THREADS [MIB] [REPEATS]\n", argv[0]);
      return 2;
    }
  threads = atoi (argv[1]);
  len = (argc > 2 ? atol (argv[2]) : 256) * 1024L * 1024L / (long) sizeof (double);
  repeats = argc > 3 ? atoi (argv[3]) : 10;
  if (threads < 1 || len < 1 || repeats < 1)
    {
      fprintf (stderr, "%s: THREADS, MIB and REPEATS must be positive\n", argv[0]);
      return 2;
    }
  omp_set_num_threads (threads);
  a = malloc ((size_t) len * sizeof (double));
  b = malloc ((size_t) len * sizeof (double));
  c = malloc ((size_t) len * sizeof (double));
  if (a == NULL || b == NULL || c == NULL)
    {
      fprintf (stderr, "%s: out of memory\n", argv[0]);
      return 1;
    }

  /* First touch by the threads that use each part, as STREAM does. */
#pragma omp parallel for schedule(static)
  for (long k = 0; k < len; k++)
    {
      a[k] = 1.0;
      b[k] = 2.0;
      c[k] = 0.5;
    }
  for (int k = 0; k < repeats; k++)
    {
      double t = triad (a, b, c, len), u = read_sum (a, len, &sum);

      best_triad = t < best_triad ? t : best_triad;
      best_read = u < best_read ? u : best_read;
    }

  printf ("{\"threads\": %d, \"mib\": %ld, \"repeats\": %d, \"triad_gbs\": %.3f, "
          "\"read_gbs\": %.3f, \"checksum\": %.1f}\n",
          threads, len * (long) sizeof (double) / (1024L * 1024L), repeats,
          24.0 * (double) len / best_triad / 1e9, 8.0 * (double) len / best_read / 1e9, sum);
  free (a);
  free (b);
  free (c);
  return 0;
}
