/* fs-test-ui.h: helpers for the widget tests (TESTING.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>

/* Opens the display, or skips, except under CI, where a missing display
 * is a failure: UI tests never skip there. */
static inline void
fs_test_ui_init (int    *argc,
                 char ***argv)
{
  g_test_init (argc, argv, NULL);
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      if (g_getenv ("CI") != NULL)
        {
          printf ("Bail out! no display under CI\n");
          exit (1);
        }
      printf ("1..0 # SKIP no display\n");
      exit (0);
    }
  adw_init ();
}

/* Iterates the main loop until done () or the deadline. */
static inline gboolean
fs_test_wait_for (gboolean (*done) (gpointer),
                  gpointer   data,
                  double     seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static inline gboolean
fs_test_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

/* A window of the given size holding child, mapped. */
static inline GtkWindow *
fs_test_show (GtkWidget *child,
              int        width,
              int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, child, 10));
  /* Let layout settle. */
  for (int k = 0; k < 20; k++)
    g_main_context_iteration (NULL, FALSE);
  return window;
}

typedef struct
{
  int     width;
  int     height;
  gsize   stride;
  guint8 *pixels;   /* B, G, R, A (premultiplied ARGB32) */
} FsTestImage;

static inline void
fs_test_image_free (FsTestImage *image)
{
  g_free (image->pixels);
  g_free (image);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsTestImage, fs_test_image_free)

/* With FS_TEST_SCREENSHOTS set to a folder, a render is saved there as
 * name.png, to look at. */
static inline void
fs_test_maybe_save (const FsTestImage *image,
                    const char        *name)
{
  const char *folder = g_getenv ("FS_TEST_SCREENSHOTS");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;

  if (folder == NULL)
    return;
  bytes = g_bytes_new (image->pixels, image->stride * image->height);
  texture = gdk_memory_texture_new (image->width, image->height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                    bytes, image->stride);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (folder, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* The same over the window's background, light or dark: a render of a
 * widget that draws none of its own is transparent. */
static inline void
fs_test_maybe_save_over (const FsTestImage *image,
                         const char        *name,
                         gboolean           dark)
{
  FsTestImage flat = *image;
  g_autofree guint8 *pixels = g_memdup2 (image->pixels, image->stride * image->height);
  guint8 background = dark ? 0x24 : 0xfa;

  for (gsize k = 0; k < image->stride * image->height; k += 4)
    {
      for (int c = 0; c < 3; c++)
        pixels[k + c] = (guint8) (pixels[k + c] + background * (255 - pixels[k + 3]) / 255);
      pixels[k + 3] = 255;
    }
  flat.pixels = pixels;
  fs_test_maybe_save (&flat, name);
}

/* Renders a mapped widget with the cairo renderer, as the screen shows it. */
static inline FsTestImage *
fs_test_render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  FsTestImage *image = g_new0 (FsTestImage, 1);

  image->width = gtk_widget_get_width (widget);
  image->height = gtk_widget_get_height (widget);
  image->stride = (gsize) image->width * 4;
  gdk_paintable_snapshot (paintable, snapshot, image->width, image->height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, image->width, image->height));
  image->pixels = g_malloc (image->stride * image->height);
  gdk_texture_download (texture, image->pixels, image->stride);
  gsk_render_node_unref (node);
  gsk_renderer_unrealize (renderer);
  return image;
}

static inline void
fs_test_pixel (const FsTestImage *image,
               int                x,
               int                y,
               guint8             rgb[3])
{
  const guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

  g_assert_true (x >= 0 && x < image->width && y >= 0 && y < image->height);
  rgb[0] = p[2];
  rgb[1] = p[1];
  rgb[2] = p[0];
}

static inline gboolean
fs_test_close_colour (const guint8 a[3],
                      const guint8 b[3],
                      int          tolerance)
{
  for (int c = 0; c < 3; c++)
    if (abs ((int) a[c] - (int) b[c]) > tolerance)
      return FALSE;
  return TRUE;
}

/* A "notify" handler that counts: connect with the counter as data. */
static inline void
fs_test_count_notify (GObject    *object,
                      GParamSpec *pspec,
                      guint      *count)
{
  (*count)++;
}

typedef struct
{
  GdkFrameClock *clock;
  gint64         after;
} FsTestFrameWait;

static inline gboolean
fs_test_frame_passed (gpointer data)
{
  FsTestFrameWait *wait = data;

  return gdk_frame_clock_get_frame_counter (wait->clock) > wait->after;
}

/* Redraws a mapped widget and waits for the frame, so that a render after
 * a change shows it (a widget with a draw pending renders to nothing). */
static inline void
fs_test_redraw (GtkWidget *widget)
{
  FsTestFrameWait wait = { gtk_widget_get_frame_clock (widget), 0 };

  wait.after = gdk_frame_clock_get_frame_counter (wait.clock);
  gtk_widget_queue_draw (widget);
  g_assert_true (fs_test_wait_for (fs_test_frame_passed, &wait, 10));
  for (int k = 0; k < 5; k++)
    g_main_context_iteration (NULL, FALSE);
}
