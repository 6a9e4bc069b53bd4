/* bench-load.c: runs a command in a fresh process and prints, on its own
 * standard error, the process's wall seconds and peak resident memory in
 * bytes (wait4's ru_maxrss). The command's standard output passes through;
 * its standard error is dropped.
 *
 * A small C parent, because a child forked from Python carries Python's
 * resident memory in its ru_maxrss (the high-water mark of the memory it
 * had before exec). tools/bench-load runs every load through it.
 *
 * Usage: bench-load COMMAND [ARGUMENT...] */
#define _GNU_SOURCE 1

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
