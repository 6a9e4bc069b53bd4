/* bench-cancel: how long a load goes on after it is cancelled.
 *
 *   build/tools/bench-cancel FILE [FROM_MS TO_MS STEP_MS]
 *
 * Loads FILE as the window does (fs_matrix_load_full, on this thread)
 * while another thread cancels it FROM_MS, FROM_MS + STEP_MS, ... up to
 * TO_MS milliseconds after the load starts (default 10 to 2000 every 30),
 * one load each. Prints, for each cancel that the load saw, the time from
 * the cancel to the load's return, then the median and the worst; a load
 * that ended before its cancel is counted as finished. The target
 * is 100 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

#include "fs-loader.h"
#include "fs-matrix.h"

typedef struct
{
  GCancellable *cancellable;
  gulong        after_us;
  gint64        cancelled_at;
} Canceller;

static gpointer
cancel_later (gpointer data)
{
  Canceller *c = data;

  g_usleep (c->after_us);
  c->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

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
  long from = argc >= 5 ? atol (argv[2]) : 10, to = argc >= 5 ? atol (argv[3]) : 2000;
  long step = argc >= 5 ? atol (argv[4]) : 30;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  guint finished = 0;

  if (argc != 2 && argc != 5)
    {
      fprintf (stderr, "usage: bench-cancel FILE [FROM_MS TO_MS STEP_MS]\n");
      return 2;
    }
  for (long ms = from; ms <= to && step > 0; ms += step)
    {
      Canceller c = { g_cancellable_new (), (gulong) ms * 1000, 0 };
      g_autoptr(GError) error = NULL;
      GThread *thread = g_thread_new ("cancel", cancel_later, &c);
      FsMatrix *X = fs_matrix_load_full (argv[1], NULL, c.cancellable, NULL, NULL, &error);
      gint64 returned = g_get_monotonic_time ();

      g_thread_join (thread);
      if (X != NULL || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (X == NULL)
            {
              fprintf (stderr, "%s: %s\n", argv[1], error->message);
              return 1;
            }
          finished++;
          fs_matrix_unref (X);
        }
      else
        {
          double latency = (double) (returned - c.cancelled_at) / 1000.0;

          g_array_append_val (latencies, latency);
          printf ("cancel at %ld ms: returned %.1f ms after\n", ms, latency);
        }
      g_object_unref (c.cancellable);
    }
  if (latencies->len > 0)
    {
      g_array_sort (latencies, compare_doubles);
      printf ("%s: %u cancels seen, median %.1f ms, worst %.1f ms; %u loads finished first\n",
              argv[1], latencies->len, g_array_index (latencies, double, latencies->len / 2),
              g_array_index (latencies, double, latencies->len - 1), finished);
    }
  else
    printf ("%s: no cancel seen; %u loads finished first\n", argv[1], finished);
  return 0;
}
