/* fs-image.c
 *
 * Any format gdk-pixbuf reads. Grey level is ITU-R BT.709 luma of the
 * stored (gamma-encoded) values, after compositing alpha on white, scaled
 * to [0, 1]. The size is checked when the loader announces it, before the
 * pixels are allocated. A file cut short decodes without an error in some
 * of gdk-pixbuf's loaders (the rows never decoded stay as the buffer was),
 * so every row must have been reported decoded ("area-updated").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-image"

#include <glib/gi18n-lib.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#include "fs-error.h"
#include "fs-image.h"

typedef struct
{
  int     width;
  int     height;
  GError *size_error;
  guint8 *decoded;     /* per row: whether the loader reported it decoded */
} SizeCheck;

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         data)
{
  SizeCheck *check = data;

  /* gdk-pixbuf's loader of text PNM (P2, P3) announces the size again as
   * it reads on, after rows were decoded: the same size keeps their tally,
   * and a size refused stays refused. */
  if (check->size_error != NULL ||
      (check->decoded != NULL && width == check->width && height == check->height))
    return;
  check->width = width;
  check->height = height;
  if (width <= 0 || height <= 0 ||
      !fs_matrix_check_size ((gsize) height, (gsize) width, &check->size_error))
    {
      if (check->size_error == NULL)
        g_set_error (&check->size_error, FS_ERROR, FS_ERROR_PARSE,
                     _("the image is %d × %d pixels"), width, height);
      /* Keep the loader from allocating the huge pixel buffer. */
      gdk_pixbuf_loader_set_size (loader, 1, 1);
      return;
    }
  g_free (check->decoded);
  check->decoded = g_new0 (guint8, height);
}

static void
on_area_updated (GdkPixbufLoader *loader,
                 int              x,
                 int              y,
                 int              width,
                 int              height,
                 gpointer         data)
{
  SizeCheck *check = data;

  if (check->decoded == NULL)
    return;
  for (int i = MAX (y, 0); i < MIN (y + height, check->height); i++)
    check->decoded[i] = 1;
}

/* Whether a PNG or JPEG file holds its end: the IEND chunk, or the EOI
 * marker after the last start of scan. An interlaced PNG or a progressive
 * JPEG cut short has every row drawn by an earlier pass, so only the end
 * tells. Other formats count as whole here. */
static gboolean
has_end (const guint8 *data,
         gsize         len)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize sos = 0;

  if (len >= sizeof png && memcmp (data, png, sizeof png) == 0)
    return len >= 12 && memcmp (data + len - 8, "IEND", 4) == 0;
  if (len < 2 || data[0] != 0xFF || data[1] != 0xD8)
    return TRUE;
  /* Entropy-coded data stuffs every 0xFF with 0x00: markers stand out. */
  for (gsize i = 2; i + 1 < len; i++)
    if (data[i] == 0xFF && data[i + 1] == 0xDA)
      sos = i;
  for (gsize i = sos + 2; sos > 0 && i + 1 < len; i++)
    if (data[i] == 0xFF && data[i + 1] == 0xD9)
      return TRUE;
  return FALSE;
}

/* The first row no loader reported decoded, or -1 when every row was. */
static int
first_missing_row (const SizeCheck *check)
{
  for (int i = 0; i < check->height; i++)
    if (check->decoded == NULL || !check->decoded[i])
      return i;
  return -1;
}

FsMatrix *
fs_image_parse (const char    *name,
                const guint8  *data,
                gsize          len,
                GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(FsMatrix) X = NULL;
  SizeCheck check = { 0 };
  GdkPixbuf *pixbuf;
  int missing;
  const guint8 *pixels;
  int width, height, stride, channels;
  gboolean alpha;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &check);
  if (!gdk_pixbuf_loader_write (loader, data, len, &local_error) ||
      !gdk_pixbuf_loader_close (loader, &local_error))
    {
      g_clear_error (&check.size_error);
      g_free (check.decoded);
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: cannot read the image: %s"),
                   name, local_error->message);
      return NULL;
    }
  if (check.size_error != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE, "%s: %s", name, check.size_error->message);
      g_clear_error (&check.size_error);
      return NULL;
    }
  missing = first_missing_row (&check);
  g_free (check.decoded);
  if (missing < 0 && !has_end (data, len))
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: the image is cut short: its data ends before the end of the file format"),
                   name);
      return NULL;
    }
  if (missing >= 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                   _("%s: the image is cut short: row %d of %d and those after it are missing"),
                   name, missing + 1, check.height);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL || gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_bits_per_sample (pixbuf) != 8)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: holds no 8-bit RGB image"), name);
      return NULL;
    }

  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);

  X = fs_matrix_new ((gsize) height, (gsize) width, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  for (int i = 0; i < height; i++)
    for (int j = 0; j < width; j++)
      {
        const guint8 *px = pixels + (gsize) i * stride + (gsize) j * channels;
        /* Grey pixels map exactly; the weights' sum is 1 only to rounding. */
        double y = px[0] == px[1] && px[1] == px[2]
                 ? px[0] : 0.2126 * px[0] + 0.7152 * px[1] + 0.0722 * px[2];

        if (alpha)
          y = (px[3] * y + (255 - px[3]) * 255.0) / 255.0;
        X->data[(gsize) i * width + j] = y / 255.0;
      }

  X->format = "image";
  X->image_height = (gsize) height;
  X->image_width = (gsize) width;
  return g_steal_pointer (&X);
}
