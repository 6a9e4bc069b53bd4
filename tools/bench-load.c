/* bench-load.c: runs a command in a fresh process and prints, on its own
 * standard error, the process's wall seconds and peak resident memory in
 * bytes (wait4's ru_maxrss). The command's standard output passes through;
 * its standard error is dropped.
 *
 * A small C parent, because a child forked from Python carries Python's
 * resident memory in its ru_maxrss (the high-water mark of the memory it
 * had before exec). tools/bench-load runs every load through it.
 *
 * The memory the child starts from (FS_BENCH_MEMORY), the same for every
 * reader measured:
 *   warm      this parent touches 256 MiB of huge pages and frees them
 *             before the fork: the child finds memory freed a moment ago,
 *             as any process on a desktop does;
 *   cold:S    this parent waits S seconds before the fork: on a virtual
 *             machine that reports free memory to its host (virtio-balloon
 *             free page reporting, as here), memory free that long has
 *             been handed back, and each huge page the child touches is
 *             faulted in by the host first;
 *   unset     as the processes before left it (the order of the readers
 *             then decides who finds memory warm).
 *
 * Usage: bench-load COMMAND [ARGUMENT...] */
#define _GNU_SOURCE 1

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Touches bytes of huge pages and frees them: warm memory for the child. */
static void
warm_memory (size_t bytes)
{
  char *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (p == MAP_FAILED)
    return;
#ifdef MADV_HUGEPAGE
  madvise (p, bytes, MADV_HUGEPAGE);
#endif
  for (size_t k = 0; k < bytes; k += 4096)
    p[k] = 1;
  munmap (p, bytes);
}

static void
set_memory (const char *state)
{
  if (state == NULL || *state == '\0')
    return;
  if (strcmp (state, "warm") == 0)
    warm_memory ((size_t) 256 << 20);
  else if (strncmp (state, "cold:", 5) == 0)
    {
      char *end;
      double seconds = strtod (state + 5, &end);
      struct timespec pause;

      if (end == state + 5 || *end != '\0' || !(seconds >= 0.0 && seconds < 3600.0))
        {
          fprintf (stderr, "bench-load: cold:SECONDS takes 0 to 3600 seconds, not %s\n",
                   state + 5);
          exit (2);
        }
      pause.tv_sec = (time_t) seconds;
      pause.tv_nsec = (long) ((seconds - (double) pause.tv_sec) * 1e9);
      nanosleep (&pause, NULL);
    }
  else
    {
      fprintf (stderr, "bench-load: FS_BENCH_MEMORY is warm or cold:SECONDS, not %s\n", state);
      exit (2);
    }
}

int
main (int    argc,
      char **argv)
{
  struct timespec start, end;
  struct rusage usage;
  int status;
  pid_t pid;

  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-load COMMAND [ARGUMENT...]\n");
      return 2;
    }

  set_memory (getenv ("FS_BENCH_MEMORY"));
  clock_gettime (CLOCK_MONOTONIC, &start);
  pid = fork ();
  if (pid < 0)
    {
      perror ("bench-load: fork");
      return 2;
    }
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      if (null >= 0)
        dup2 (null, 2);
      execvp (argv[1], argv + 1);
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &usage) != pid)
    {
      perror ("bench-load: wait4");
      return 2;
    }
  clock_gettime (CLOCK_MONOTONIC, &end);

  fprintf (stderr, "%.6f %ld\n",
           (double) (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) * 1e-9,
           usage.ru_maxrss * 1024L);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
