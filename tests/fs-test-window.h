/* fs-test-window.h: a window of its own per test case, for the tests that
 * drive the window (test-window, test-input).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>

#include "fs-test-ui.h"
#include "fs-window.h"

typedef struct
{
  FsWindow *window;
  char     *dir;    /* a folder for the files a case writes */
} Fixture;

static inline void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = g_object_ref (fs_window_new (NULL));
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, f->window, 10));
  f->dir = g_dir_make_tmp ("factorscope-window-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) listing = g_dir_open (f->dir, 0, NULL);
  const char *name;

  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static inline gboolean
has_snapshot (gpointer window)
{
  return fs_window_get_shown_snapshot (window) != NULL;
}

static inline gboolean
is_running (gpointer window)
{
  FsSnapshot *s = fs_window_get_shown_snapshot (window);

  return s != NULL && s->state == FS_RUNNER_RUNNING;
}

static inline void
load_example (Fixture    *f,
              const char *name)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fs_window_load_example (f->window, name, &error));
  g_assert_no_error (error);
  g_assert_true (fs_test_wait_for (has_snapshot, f->window, 20));
}
