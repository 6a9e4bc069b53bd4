/* fs-image.c
 *
 * PNG and JPEG read row by row with libpng and libjpeg (below), any other
 * format gdk-pixbuf reads through a pixbuf. Grey level is ITU-R BT.709 luma of the
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
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* jpeglib.h needs stdio.h's FILE and size_t first. */
#include <jpeglib.h>

#include "fs-error.h"
#include "fs-image.h"
#include "fs-import.h"

/* The grey level of an 8-bit RGB or RGBA pixel. Both paths (the pixbuf's
 * and the row readers') call this one function, so that they give the same
 * doubles (tests/test-image-rows.c compares them bit for bit). */
static inline double
grey_level (const guint8 *px,
            gboolean      alpha)
{
  /* Grey pixels map exactly; the weights' sum is 1 only to rounding. */
  double y = px[0] == px[1] && px[1] == px[2]
           ? px[0] : 0.2126 * px[0] + 0.7152 * px[1] + 0.0722 * px[2];

  if (alpha)
    y = (px[3] * y + (255 - px[3]) * 255.0) / 255.0;
  return y / 255.0;
}

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

static gboolean
is_png (const guint8 *data,
        gsize         len)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  return len >= sizeof png && memcmp (data, png, sizeof png) == 0;
}

/* Whether a PNG or JPEG file holds its end: the IEND chunk, or the EOI
 * marker after the last start of scan. An interlaced PNG or a progressive
 * JPEG cut short has every row drawn by an earlier pass, so only the end
 * tells. Other formats count as whole here. */
static gboolean
has_end (const guint8 *data,
         gsize         len)
{
  gsize sos = 0;

  if (is_png (data, len))
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

/* Rows between looks at the cancellable where a reader goes row by row
 * (a few milliseconds of work even for rows of 8000 pixels). */
#define CANCEL_CHECK_ROWS 64

/* Whether the load is cancelled, said in *error. */
static gboolean
rows_cancelled (FsLoadTicker *ticker,
                int           row,
                GError      **error)
{
  return row % CANCEL_CHECK_ROWS == CANCEL_CHECK_ROWS - 1 &&
         g_cancellable_set_error_if_cancelled (ticker->cancellable, error);
}

/* mapped: data is a file's read-only mapping, whose pages go back once
 * the loader has them. The file goes to the loader a MiB at a time, the
 * cancellable looked at and progress told between (gdk-pixbuf's TIFF
 * loader decodes the image only once it is closed, which cannot be cut
 * short). */
static FsMatrix *
parse_pixbuf (const char    *name,
              const guint8  *data,
              gsize          len,
              gboolean       mapped,
              FsLoadTicker  *ticker,
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
  guintptr given = 0, file_given = 0;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &check);
  /* A MiB at a time: a loader that keeps the file's bytes (TIFF's) holds
   * them while those of a mapped file go back, not both. */
  for (gsize done = 0; done < len && local_error == NULL; done += (gsize) 1 << 20)
    {
      if (!fs_load_ticker_tick (ticker, done, error))
        {
          /* The loader is closed, its error (the image not whole) not told. */
          gdk_pixbuf_loader_close (loader, NULL);
          g_clear_error (&check.size_error);
          g_free (check.decoded);
          return NULL;
        }
      if (gdk_pixbuf_loader_write (loader, data + done, MIN (len - done, (gsize) 1 << 20),
                                   &local_error) && mapped && len >= FS_GIVE_BACK_MIN_BYTES)
        fs_give_back_read (data, MIN (len, done + ((gsize) 1 << 20)), &file_given);
    }
  if (local_error != NULL || !gdk_pixbuf_loader_close (loader, &local_error))
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

  X = fs_matrix_new_unset ((gsize) height, (gsize) width, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  /* The pixbuf (3 or 4 bytes a pixel) is read once, row by row, and
   * freed after: the pages of its rows read go back as the matrix's are
   * written, so the two are not held whole at once (12 bytes a pixel
   * against the matrix's 8). Nothing reads it again: the loader is
   * closed, and the pixbuf goes with it. */
  for (int i = 0; i < height; i++)
    {
      for (int j = 0; j < width; j++)
        X->data[(gsize) i * width + j] =
          grey_level (pixels + (gsize) i * stride + (gsize) j * channels, alpha);
      if (i % 64 == 63 && (gsize) height * stride >= FS_GIVE_BACK_MIN_BYTES)
        fs_give_back_read (pixels, (gsize) (i + 1) * stride, &given);
      if (rows_cancelled (ticker, i, error))
        return NULL;
    }

  X->format = "image";
  X->image_height = (gsize) height;
  X->image_width = (gsize) width;
  return g_steal_pointer (&X);
}

FsMatrix *
fs_image_parse_pixbuf (const char    *name,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  FsLoadTicker ticker;

  fs_load_ticker_init (&ticker, NULL, NULL, NULL, len);
  return parse_pixbuf (name, data, len, FALSE, &ticker, error);
}

/* Row readers for PNG (libpng) and JPEG (libjpeg), the formats large
 * images come in. gdk-pixbuf holds the whole image in a pixbuf of 3 or 4
 * bytes a pixel beside the matrix's 8; these decode each row into the first
 * bytes of that row of the matrix itself and turn it into grey levels in
 * place, from the right: pixel j's double covers the bytes of pixel j and
 * of later pixels only, which are read already. They apply gdk-pixbuf
 * 2.42's transforms (io-png.c, io-jpeg.c), so the matrix is the same bit
 * for bit, and refuse what the pixbuf path refuses (tests/test-image-rows.c
 * compares the two on every PNG and JPEG in the repository), and more: a
 * file whose data ends before the format's end, which gdk-pixbuf may turn
 * into rows copied from an earlier interlace pass
 * (tests/data/images-stricter):
 * - PNG: palettes, grey below 8 bits and tRNS expanded, 16 bits cut to the
 *   high byte (png_set_strip_16), grey taken as RGB, gamma and colour
 *   chunks ignored. An interlaced PNG is combined pass by pass in the matrix's
 *   rows too, and turned into grey levels once its last pass is in.
 * - JPEG: libjpeg's default output (grey, RGB, or CMYK taken for Adobe's
 *   inverted CMYK, marker or not, as gdk-pixbuf 2.42 does; fancy
 *   upsampling, the default integer IDCT), no block smoothing. A
 *   progressive or multi-scan JPEG needs libjpeg's whole-image coefficient
 *   buffer (2 bytes a sample of each component: 2 bytes a pixel for grey,
 *   3 at 4:2:0, 6 at 4:4:4, 8 for CMYK) until its output pass is done:
 *   the only such buffer here. Its rows are decoded into the matrix's
 *   rows as a baseline file's are, and the pages of coefficients the
 *   output pass has left behind are given back as it goes
 *   (coefficients_behind): the peak is the larger of the coefficients
 *   and the matrix (8 bytes a pixel), not the two together.
 * The whole file is in memory, so the libraries' readers are given it at
 * once; a file cut short leaves them waiting for more, which tells what is
 * missing. */

/* Turns the first width * channels bytes of row (8-bit grey, grey and
 * alpha, RGB or RGBA pixels) into width grey levels, in place. Grey is
 * given to grey_level as the RGB pixel gdk-pixbuf would make of it. */
static void
row_to_grey (double *row,
             int     width,
             int     channels)
{
  const guint8 *b = (const guint8 *) row;

  switch (channels)
    {
    case 1:
      for (int j = width - 1; j >= 0; j--)
        {
          const guint8 px[3] = { b[j], b[j], b[j] };

          row[j] = grey_level (px, FALSE);
        }
      break;
    case 2:
      for (int j = width - 1; j >= 0; j--)
        {
          const guint8 px[4] = { b[2 * j], b[2 * j], b[2 * j], b[2 * j + 1] };

          row[j] = grey_level (px, TRUE);
        }
      break;
    case 3:
      for (int j = width - 1; j >= 0; j--)
        {
          const guint8 px[3] = { b[3 * j], b[3 * j + 1], b[3 * j + 2] };

          row[j] = grey_level (px, FALSE);
        }
      break;
    default:
      for (int j = width - 1; j >= 0; j--)
        {
          const guint8 px[4] = { b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3] };

          row[j] = grey_level (px, TRUE);
        }
      break;
    }
}

/* The same for CMYK, made RGB as gdk-pixbuf 2.42's io-jpeg.c does: as
 * Adobe's inverted CMYK (k * c / 255), whether the file has Adobe's marker
 * or not, with the opaque alpha channel of the pixbuf it makes. */
static inline double
cmyk_grey_level (const guint8 *p)
{
  int k = p[3];
  const guint8 px[4] = { k * p[0] / 255, k * p[1] / 255, k * p[2] / 255, 255 };

  return grey_level (px, TRUE);
}

static void
cmyk_row_to_grey (double *row,
                  int     width)
{
  const guint8 *bytes = (const guint8 *) row;

  for (int j = width - 1; j >= 0; j--)
    {
      /* Copied out before the store, which covers them in part. */
      const guint8 p[4] = { bytes[4 * j], bytes[4 * j + 1], bytes[4 * j + 2], bytes[4 * j + 3] };

      row[j] = cmyk_grey_level (p);
    }
}

static void
set_cut_short (GError     **error,
               const char  *name,
               int          missing,
               int          height)
{
  if (missing >= 0)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: the image is cut short: row %d of %d and those after it are missing"),
                 name, missing + 1, height);
  else
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: the image is cut short: its data ends before the end of the file format"),
                 name);
}

typedef struct
{
  FsMatrix *X;          /* allocated when the header is read */
  GError   *size_error; /* the size refused, or no memory for the matrix */
  gboolean  layout;     /* the transforms gave no 8-bit grey or RGB, alpha or not */
  char      message[200]; /* libpng's error */
  int       width;
  int       height;
  int       channels;
  gboolean  interlaced;
  int       rows;       /* 1 + the last row libpng reported */
  gboolean  complete;   /* the last row of the last pass reported */
  FsLoadTicker *ticker;
  GError   *cancel_error; /* cancelled: G_IO_ERROR_CANCELLED */
} PngRows;

static void
png_rows_error (png_structp     png,
                png_const_charp message)
{
  PngRows *r = png_get_error_ptr (png);

  if (r->message[0] == '\0')
    g_strlcpy (r->message, message, sizeof r->message);
  png_longjmp (png, 1);
}

static void
png_rows_warning (png_structp     png,
                  png_const_charp message)
{
  /* Warnings are not errors, as in gdk-pixbuf; nothing on stderr. */
}

static void
png_rows_info (png_structp png,
               png_infop   info)
{
  PngRows *r = png_get_progressive_ptr (png);
  png_uint_32 width, height;
  int bit_depth, color_type, interlace;

  png_get_IHDR (png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  /* gdk-pixbuf's setup_png_transformations, step by step. */
  if (color_type == PNG_COLOR_TYPE_PALETTE && bit_depth <= 8)
    png_set_expand (png);
  else if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
    png_set_expand (png);
  else if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_expand (png);
  else if (bit_depth < 8)
    png_set_expand (png);
  if (bit_depth == 16)
    png_set_strip_16 (png);
  /* gdk-pixbuf also makes grey RGB (png_set_gray_to_rgb); row_to_grey
   * does that for grey_level, at no cost to libpng. */
  r->interlaced = interlace != PNG_INTERLACE_NONE;
  if (r->interlaced)
    png_set_interlace_handling (png);
  png_read_update_info (png, info);

  png_get_IHDR (png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  r->channels = png_get_channels (png, info);
  if (bit_depth != 8 || r->channels < 1 || r->channels > 4 ||
      (color_type & PNG_COLOR_MASK_PALETTE) != 0 ||
      r->channels != ((color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1) +
                     ((color_type & PNG_COLOR_MASK_ALPHA) ? 1 : 0) ||
      width == 0 || height == 0 ||
      png_get_rowbytes (png, info) > (gsize) width * sizeof (double))
    {
      r->layout = TRUE;
      png_error (png, "layout");
    }
  /* libpng refuses more than 2^31 - 1 (its user limit: 10^6) either way. */
  r->width = (int) width;
  r->height = (int) height;
  if (!fs_matrix_check_size (height, width, &r->size_error))
    png_error (png, "size");
  /* Rows of an image not interlaced are written whole as they come, so
   * its matrix needs no zeroing first (half a second for 8000 × 8000,
   * before any row could look at the cancellable); an interlaced image's
   * passes write into its rows, which start as zeros. */
  r->X = r->interlaced ? fs_matrix_new (height, width, &r->size_error)
                       : fs_matrix_new_unset (height, width, &r->size_error);
  if (r->X == NULL)
    png_error (png, "size");
}

static void
png_rows_row (png_structp png,
              png_bytep   new_row,
              png_uint_32 row_num,
              int         pass)
{
  PngRows *r = png_get_progressive_ptr (png);
  double *row;

  if (r->X == NULL || row_num >= (png_uint_32) r->height)
    png_error (png, "a row past the image's height");
  /* A piece of a file that compresses well may hold millions of rows. */
  if (row_num % CANCEL_CHECK_ROWS == CANCEL_CHECK_ROWS - 1 &&
      g_cancellable_set_error_if_cancelled (r->ticker->cancellable, &r->cancel_error))
    png_error (png, "cancelled");
  r->rows = MAX (r->rows, (int) row_num + 1);
  /* With interlace handling, every pass reports every row (those it
   * leaves out with no data), and the last pass is the 7th (index 6),
   * which no image width or height leaves out. */
  if (pass == (r->interlaced ? 6 : 0) && row_num == (png_uint_32) r->height - 1)
    r->complete = TRUE;
  if (new_row == NULL)
    return;
  row = r->X->data + (gsize) row_num * r->width;
  png_progressive_combine_row (png, (png_bytep) row, new_row);
  if (!r->interlaced)
    row_to_grey (row, r->width, r->channels);
}

/* PNG data is given to libpng this many bytes at a time. */
#define PNG_PIECE ((gsize) 256 << 10)

/* Whether libpng read the data without an error: given to it a piece at
 * a time, the cancellable looked at and progress told between, and
 * every CANCEL_CHECK_ROWS rows (FALSE and r->cancel_error if cancelled).
 * Nothing here changes after setjmp but what r points to, and done,
 * which is volatile for that. */
static gboolean
png_rows_feed (png_structp    png,
               png_infop      info,
               const guint8  *data,
               gsize          len,
               PngRows       *r)
{
  volatile gsize done = 0;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;
  for (; done < len; done += PNG_PIECE)
    {
      if (!fs_load_ticker_tick (r->ticker, done, &r->cancel_error))
        return FALSE;
      /* libpng only reads the buffer, though its prototype is not const. */
      png_process_data (png, info, (png_bytep) data + done, MIN (PNG_PIECE, len - done));
    }
  return TRUE;
}

static FsMatrix *
parse_png (const char    *name,
           const guint8  *data,
           gsize          len,
           FsLoadTicker  *ticker,
           GError       **error)
{
  PngRows r = { .ticker = ticker };
  png_structp png;
  png_infop info;
  gboolean read;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &r, png_rows_error, png_rows_warning);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE,
                   _("%s: not enough memory to read the image"), name);
      return NULL;
    }
  png_set_progressive_read_fn (png, &r, png_rows_info, png_rows_row, NULL);
  read = png_rows_feed (png, info, data, len, &r);
  png_destroy_read_struct (&png, &info, NULL);

  if (r.cancel_error != NULL)
    {
      g_propagate_error (error, r.cancel_error);
      g_clear_error (&r.size_error);
    }
  else if (r.size_error != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE, "%s: %s", name, r.size_error->message);
      g_error_free (r.size_error);
    }
  else if (r.layout)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE, _("%s: holds no 8-bit RGB image"), name);
  else if (!read)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: cannot read the image: error in the PNG data: %s"), name, r.message);
  else if (r.X == NULL)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: cannot read the image: the file ends before its pixels"), name);
  else if (r.rows < r.height)
    /* An interlaced image's passes each cover the whole height: no row is
     * the first one missing. */
    set_cut_short (error, name, r.interlaced ? -1 : (int) r.rows, r.height);
  else if (!r.complete || !has_end (data, len))
    set_cut_short (error, name, -1, r.height);
  else
    {
      for (int i = 0; r.interlaced && i < r.height; i++)
        {
          row_to_grey (r.X->data + (gsize) i * r.width, r.width, r.channels);
          if (rows_cancelled (ticker, i, error))
            {
              g_clear_pointer (&r.X, fs_matrix_unref);
              return NULL;
            }
        }
      r.X->format = "image";
      r.X->image_height = (gsize) r.height;
      r.X->image_width = (gsize) r.width;
      return g_steal_pointer (&r.X);
    }
  g_clear_pointer (&r.X, fs_matrix_unref);
  return NULL;
}

typedef struct
{
  struct jpeg_error_mgr pub;
  jmp_buf               jump;
  char                  message[JMSG_LENGTH_MAX];
} JpegErrors;

/* What coefficients_behind keeps of one of libjpeg's coefficient arrays
 * (one a component) to give back the pages of rows the output pass has
 * left behind. */
#define RECENT_ROWS 16

typedef struct
{
  jvirt_barray_ptr array;
  guintptr         base;      /* where row 0's pointer is: the same at every call */
  gboolean         off;       /* something not as expected: gives back no more */
  JDIMENSION       next_row;  /* the row the output pass asks for next */
  JDIMENSION       behind;    /* rows before it are in [lo, hi) or given back */
  gsize            stride;    /* bytes from a row to the next, in one chunk */
  JBLOCKROW        recent[RECENT_ROWS]; /* row i's pointer at i % RECENT_ROWS */
  guintptr         lo, hi;    /* bytes of rows behind, not given back yet */
} CoefficientRows;

typedef struct
{
  struct jpeg_decompress_struct cinfo;
  struct jpeg_source_mgr        src;
  struct jpeg_progress_mgr      progress;     /* looks at the cancellable, tells progress */
  gsize                         len;          /* the file's bytes, for progress */
  FsLoadTicker                 *ticker;
  GError                       *cancel_error; /* cancelled: G_IO_ERROR_CANCELLED */
  JpegErrors                    errors;
  FsMatrix                     *X;
  GError                       *size_error;
  gboolean                      colour_space; /* neither grey, RGB nor CMYK */
  gboolean                      created;
  gboolean                      header;       /* the header was read */
  gboolean                      ended;        /* the end-of-image marker was read */
  /* libjpeg's access_virt_barray, which coefficients_behind wraps */
  JBLOCKARRAY                 (*access) (j_common_ptr, jvirt_barray_ptr, JDIMENSION,
                                         JDIMENSION, boolean);
  gboolean                      output_pass;  /* jpeg_start_decompress returned */
  gsize                         page;         /* 0: give nothing back */
  gsize                         widest_row;   /* bytes of the widest component's row */
  CoefficientRows               coefficients[MAX_COMPONENTS];
} JpegRows;

static void
jpeg_rows_error_exit (j_common_ptr cinfo)
{
  JpegErrors *errors = (JpegErrors *) cinfo->err;

  if (errors->message[0] == '\0')
    (*cinfo->err->format_message) (cinfo, errors->message);
  longjmp (errors->jump, 1);
}

static void
jpeg_rows_output_message (j_common_ptr cinfo)
{
  /* Warnings (corrupt data libjpeg gets past) are not errors, as in
   * gdk-pixbuf; nothing on stderr. */
}

static void
jpeg_rows_init_source (j_decompress_ptr cinfo)
{
}

/* The whole file is in the buffer: asked for more, libjpeg suspends, and
 * the reader sees what is missing. */
static boolean
jpeg_rows_fill_input_buffer (j_decompress_ptr cinfo)
{
  return FALSE;
}

static void
jpeg_rows_skip_input_data (j_decompress_ptr cinfo,
                           long             num_bytes)
{
  struct jpeg_source_mgr *src = cinfo->src;

  if (num_bytes > 0)
    {
      size_t skip = MIN ((size_t) num_bytes, src->bytes_in_buffer);

      src->next_input_byte += skip;
      src->bytes_in_buffer -= skip;
    }
}

/* libjpeg's progress monitor, which it calls between rows of blocks as it
 * reads each scan (a progressive file's are all read before its first
 * row comes: a second or more for a large one, however few its bytes)
 * and as it makes rows: the cancellable is looked at (cancelled, the
 * read ends here) and progress told, as the share of libjpeg's passes
 * done. */
static void
jpeg_rows_progress (j_common_ptr cinfo)
{
  JpegRows *r = cinfo->client_data;
  struct jpeg_progress_mgr *p = &r->progress;
  double fraction = 0.0;

  if (p->total_passes > 0 && p->pass_limit > 0)
    fraction = ((double) p->completed_passes + (double) p->pass_counter / (double) p->pass_limit) /
               (double) p->total_passes;
  if (!fs_load_ticker_tick (r->ticker, (gsize) (CLAMP (fraction, 0.0, 1.0) * (double) r->len),
                            &r->cancel_error))
    longjmp (r->errors.jump, 1);
}

static void
jpeg_rows_term_source (j_decompress_ptr cinfo)
{
}

/* Pages of coefficients are given back this many bytes at a time. */
#define RELEASE_BATCH ((gsize) 256 << 10)

/* Gives the whole pages of [c->lo, c->hi), rows the output pass has left
 * behind, back to the kernel (they are no longer resident, and would read
 * as zeros). A page only in part in the range, which may hold bytes of
 * rows still needed or of another allocation, stays; its bytes in the
 * range stay there, to go with the next rows', which follow on in the
 * same chunk. */
static void
give_back (JpegRows        *r,
           CoefficientRows *c)
{
  guintptr to;

  if (c->hi <= c->lo)
    return;
  to = fs_give_back_pages (c->lo, c->hi);
  if (to == 0)
    c->off = TRUE;
  else if (to > c->lo)
    c->lo = to;
}

/* libjpeg's access_virt_barray, wrapped: for a file of several scans
 * (progressive, or a scan a component) libjpeg holds every component's
 * coefficients for the whole image, 2 bytes a sample, in a virtual array
 * a component, until its output pass ends (jpeg_finish_decompress frees
 * them). Once the output pass has begun, this gives back the pages of the
 * rows it has left behind, so that the coefficients shrink as the matrix
 * grows: the peak is the larger of the two, not their sum.
 *
 * Why it is safe, read from libjpeg-turbo 2.1's source (Debian 12 has
 * 2.1.5): jpeg_start_decompress reads every scan of such a file (its
 * input pass, jdcoefct.c's consume_data, asks for rows writable) before it
 * returns. The output pass then asks for each component's array only from
 * decompress_data (jdcoefct.c), read-only, one iMCU row (v_samp_factor
 * block rows) a call, at output_iMCU_row, which it counts up by one a
 * call: every row once, in order. Block smoothing, which would read the
 * rows around (decompress_smooth_data), is off (do_block_smoothing), and
 * buffered-image mode, which would read the arrays again in a later pass,
 * is not used. jmemmgr.c's alloc_barray lays an array's rows end to end
 * in chunks of up to 10^9 bytes (one malloc each: at least 953 rows, as a
 * JPEG row holds at most 8192 blocks, 1 MiB), and access_virt_barray
 * returns the array of row pointers from the one for start_row, which is
 * the same array of pointers at every call while the whole array is in
 * memory (the one case in libjpeg-turbo, whose jmemnobs.c has no backing
 * store).
 *
 * So a row is given back only when all of this holds, and each array
 * stops giving back for good at the first call that breaks it: the
 * output pass has begun (jpeg_start_decompress returned); the call is
 * read-only and asks for the rows after the last call's, at most 4 (the
 * largest v_samp_factor), starting at row 0; the array of row pointers
 * has stayed where it was from the first call, input pass included (an
 * array in part on backing store, whose window moves, fails this); the
 * row is before the previous call's rows (one iMCU row is kept back, in
 * case); it runs on from the rows before it, given back with them
 * (stride: the distance from row 0 to row 1, which are in one chunk, at
 * most the widest component's row); only whole pages inside those rows
 * go back (give_back), never one that holds a byte of a row still needed
 * or of a malloc header. If a libjpeg read a row again after all, it would
 * read zeros and give other pixels: tests/test-image-rows.c compares the
 * matrix bit for bit with gdk-pixbuf's, whose libjpeg keeps every row,
 * on multi-scan files large enough for pages to be given back (grey,
 * 4:2:0, 4:4:4 and CMYK, progressive and a scan a component:
 * /image-rows/multi-scan-large; and the files /image-rows/memory holds to
 * file + matrix + 6 MiB, which fails if nothing is given back), as on
 * every JPEG of the repository. A chunk boundary (arrays over 10^9 bytes,
 * images of more than about 500 million pixels at 4:4:4) is reasoned
 * here, not tested. */
static JBLOCKARRAY
coefficients_behind (j_common_ptr     cinfo,
                     jvirt_barray_ptr array,
                     JDIMENSION       start_row,
                     JDIMENSION       num_rows,
                     boolean          writable)
{
  JpegRows *r = cinfo->client_data;
  JBLOCKARRAY rows = r->access (cinfo, array, start_row, num_rows, writable);
  guintptr base = (guintptr) rows - (guintptr) start_row * sizeof (JBLOCKROW);
  CoefficientRows *c = NULL;

  for (int i = 0; i < MAX_COMPONENTS && c == NULL; i++)
    if (r->coefficients[i].array == array || r->coefficients[i].array == NULL)
      c = &r->coefficients[i];
  if (c == NULL || r->page == 0)
    return rows;
  if (c->array == NULL)
    {
      c->array = array;
      c->base = base;
    }
  if (c->off)
    return rows;
  if (base != c->base ||
      (r->output_pass &&
       (writable || start_row != c->next_row || num_rows == 0 || num_rows > 4)))
    {
      c->off = TRUE;
      return rows;
    }
  if (!r->output_pass)
    return rows;

  for (JDIMENSION k = 0; k < num_rows; k++)
    {
      JDIMENSION row = start_row + k;

      if (row == 1)
        {
          c->stride = (guintptr) rows[k] - (guintptr) c->recent[0];
          if (c->stride == 0 || c->stride > r->widest_row || c->stride % sizeof (JBLOCK) != 0)
            {
              c->off = TRUE;
              return rows;
            }
        }
      c->recent[row % RECENT_ROWS] = rows[k];
    }
  c->next_row = start_row + num_rows;

  /* The rows before the previous call's. */
  for (; start_row >= num_rows && c->behind < start_row - num_rows; c->behind++)
    {
      guintptr at = (guintptr) c->recent[c->behind % RECENT_ROWS];

      if (c->stride == 0 || c->behind + RECENT_ROWS < c->next_row)
        {
          c->off = TRUE;
          return rows;
        }
      /* A row in another chunk: the rows before it go back now. */
      if (at != c->hi)
        {
          give_back (r, c);
          c->lo = at;
        }
      c->hi = at + c->stride;
    }
  if (c->hi - c->lo >= RELEASE_BATCH)
    give_back (r, c);
  return rows;
}

/* What libjpeg holds beside the output for a file of several scans
 * (progressive, or components in separate scans): every component's
 * DCT coefficients for the whole image, 64 of 2 bytes a block, until
 * its output pass is done. 0 for a file of one scan, decoded a band at a
 * time. *held: the most of them coefficients_behind holds at once in the
 * output pass beyond the rows not reached yet: for each component, two
 * iMCU rows (the one asked for and the one kept back), a batch not given
 * back yet, and two pages in part (of up to 64 KiB). */
static gsize
jpeg_coefficient_bytes (j_decompress_ptr cinfo,
                        gsize           *held)
{
  int max_h = 1, max_v = 1;
  double bytes = 0.0, behind = 0.0;

  *held = 0;
  if (!jpeg_has_multiple_scans (cinfo))
    return 0;
  for (int c = 0; c < cinfo->num_components; c++)
    {
      max_h = MAX (max_h, cinfo->comp_info[c].h_samp_factor);
      max_v = MAX (max_v, cinfo->comp_info[c].v_samp_factor);
    }
  for (int c = 0; c < cinfo->num_components; c++)
    {
      const jpeg_component_info *comp = &cinfo->comp_info[c];
      double w = ceil ((double) cinfo->image_width * comp->h_samp_factor / (max_h * DCTSIZE));
      double h = ceil ((double) cinfo->image_height * comp->v_samp_factor / (max_v * DCTSIZE));

      bytes += w * h * DCTSIZE2 * sizeof (JCOEF);
      /* A row of blocks is rounded up to a whole MCU, up to 3 more. */
      behind += 2.0 * comp->v_samp_factor * (w + 3) * DCTSIZE2 * sizeof (JCOEF) +
                RELEASE_BATCH + 2 * 65536;
    }
  *held = (gsize) MIN (behind, (double) G_MAXSIZE / 2);
  return bytes >= (double) G_MAXSIZE ? G_MAXSIZE : (gsize) bytes;
}

/* Whether libjpeg read the data without an error. Nothing here is used
 * after a longjmp but what r points to. */
static gboolean
jpeg_rows_decode (JpegRows     *r,
                  const guint8 *data,
                  gsize         len)
{
  j_decompress_ptr cinfo = &r->cinfo;
  int width, height, channels;
  gsize coefficients, held;
  double matrix;
  long page;

  if (setjmp (r->errors.jump))
    return FALSE;

  jpeg_create_decompress (cinfo);
  r->created = TRUE;
  r->src.init_source = jpeg_rows_init_source;
  r->src.fill_input_buffer = jpeg_rows_fill_input_buffer;
  r->src.skip_input_data = jpeg_rows_skip_input_data;
  r->src.resync_to_restart = jpeg_resync_to_restart;
  r->src.term_source = jpeg_rows_term_source;
  r->src.next_input_byte = data;
  r->src.bytes_in_buffer = len;
  r->len = len;
  r->progress.progress_monitor = jpeg_rows_progress;
  cinfo->progress = &r->progress;
  cinfo->src = &r->src;
  cinfo->client_data = r;
  page = sysconf (_SC_PAGESIZE);
  r->page = page > 0 && (page & (page - 1)) == 0 ? (gsize) page : 0;
  r->access = cinfo->mem->access_virt_barray;
  cinfo->mem->access_virt_barray = coefficients_behind;

  if (jpeg_read_header (cinfo, TRUE) != JPEG_HEADER_OK)
    return TRUE;
  r->header = TRUE;
  jpeg_calc_output_dimensions (cinfo);
  channels = cinfo->output_components;
  if (!((cinfo->out_color_space == JCS_GRAYSCALE && channels == 1) ||
        (cinfo->out_color_space == JCS_RGB && channels == 3) ||
        (cinfo->out_color_space == JCS_CMYK && channels == 4)))
    {
      r->colour_space = TRUE;
      return FALSE;
    }
  width = (int) cinfo->output_width;
  height = (int) cinfo->output_height;
  for (int c = 0; c < cinfo->num_components; c++)
    r->widest_row = MAX (r->widest_row,
                         ((gsize) cinfo->comp_info[c].width_in_blocks + 3) * sizeof (JBLOCK));
  /* Where libjpeg holds coefficients, they are all resident when the
   * output pass begins and the matrix not yet; then the matrix grows as
   * they shrink (coefficients_behind): the peak is the larger of the two
   * and what is held back of the coefficients. */
  coefficients = jpeg_coefficient_bytes (cinfo, &held);
  matrix = (double) width * height * sizeof (double);
  if (!fs_matrix_check_size_peak (cinfo->output_height, cinfo->output_width, coefficients,
                                  coefficients == 0 ? 0
                                  : (gsize) (MAX ((double) coefficients - matrix, 0.0) + held),
                                  &r->size_error))
    return FALSE;
  /* Every cell is written before the matrix is returned: its pages are
   * touched only as rows come. */
  r->X = fs_matrix_new_unset (cinfo->output_height, cinfo->output_width, &r->size_error);
  if (r->X == NULL)
    return FALSE;

  /* gdk-pixbuf turns block smoothing off (after jpeg_start_decompress, so
   * fancy upsampling stays on); it changes nothing once every scan is in,
   * but the same settings make sure, and coefficients_behind counts on
   * it. */
  cinfo->do_block_smoothing = FALSE;
  if (!jpeg_start_decompress (cinfo))
    return TRUE;
  r->output_pass = TRUE;
  while (cinfo->output_scanline < cinfo->output_height)
    {
      JSAMPROW rows[4];
      int first = (int) cinfo->output_scanline;
      int want = MIN (MIN (cinfo->rec_outbuf_height, 4), height - first);
      int got;

      for (int i = 0; i < want; i++)
        rows[i] = (JSAMPROW) (r->X->data + (gsize) (first + i) * width);
      got = (int) jpeg_read_scanlines (cinfo, rows, (JDIMENSION) want);
      if (got == 0)
        return TRUE;
      for (int i = 0; i < got; i++)
        {
          double *row = r->X->data + (gsize) (first + i) * width;

          if (channels == 4)
            cmyk_row_to_grey (row, width);
          else
            row_to_grey (row, width, channels);
        }
      /* A progressive file's rows read no more of it: the cancellable is
       * looked at here too. */
      if (first / CANCEL_CHECK_ROWS != (first + got) / CANCEL_CHECK_ROWS &&
          g_cancellable_set_error_if_cancelled (r->ticker->cancellable, &r->cancel_error))
        return FALSE;
    }
  /* Frees libjpeg's image memory, the coefficients with it (jpeg_abort). */
  r->ended = jpeg_finish_decompress (cinfo);
  return TRUE;
}

static FsMatrix *
parse_jpeg (const char    *name,
            const guint8  *data,
            gsize          len,
            FsLoadTicker  *ticker,
            GError       **error)
{
  JpegRows *r = g_new0 (JpegRows, 1);
  gboolean read;
  FsMatrix *X = NULL;

  r->cinfo.err = jpeg_std_error (&r->errors.pub);
  r->errors.pub.error_exit = jpeg_rows_error_exit;
  r->errors.pub.output_message = jpeg_rows_output_message;
  r->ticker = ticker;
  read = jpeg_rows_decode (r, data, len);

  if (r->cancel_error != NULL)
    {
      g_propagate_error (error, r->cancel_error);
      g_clear_error (&r->size_error);
    }
  else if (r->size_error != NULL)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_TOO_LARGE, "%s: %s", name, r->size_error->message);
      g_error_free (r->size_error);
    }
  else if (r->colour_space)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: cannot read the image: a JPEG of %d components in a colour space "
                   "other than grey, RGB and CMYK"), name, r->cinfo.num_components);
  else if (!read)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: cannot read the image: error in the JPEG data: %s"), name,
                 r->errors.message);
  else if (!r->header || r->X == NULL)
    g_set_error (error, FS_ERROR, FS_ERROR_PARSE,
                 _("%s: cannot read the image: the file ends before its pixels"), name);
  else if (r->cinfo.output_scanline < r->cinfo.output_height)
    /* A progressive file's scans each cover the whole height. */
    set_cut_short (error, name,
                   jpeg_has_multiple_scans (&r->cinfo) ? -1 : (int) r->cinfo.output_scanline,
                   (int) r->cinfo.output_height);
  else if (!r->ended || !has_end (data, len))
    set_cut_short (error, name, -1, (int) r->cinfo.output_height);
  else
    {
      X = g_steal_pointer (&r->X);
      X->format = "image";
      X->image_height = X->rows;
      X->image_width = X->cols;
    }
  if (r->created)
    jpeg_destroy_decompress (&r->cinfo);
  g_clear_pointer (&r->X, fs_matrix_unref);
  g_free (r);
  return X;
}

FsMatrix *
fs_image_parse_full (const char          *name,
                     const guint8        *data,
                     gsize                len,
                     gboolean             mapped,
                     GCancellable        *cancellable,
                     FsLoadProgressFunc   progress,
                     gpointer             progress_data,
                     GError             **error)
{
  FsLoadTicker ticker;

  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, len);
  if (is_png (data, len))
    return parse_png (name, data, len, &ticker, error);
  /* gdk-pixbuf takes any file starting with SOI for a JPEG. */
  if (len >= 2 && data[0] == 0xFF && data[1] == 0xD8)
    return parse_jpeg (name, data, len, &ticker, error);
  return parse_pixbuf (name, data, len, mapped, &ticker, error);
}

FsMatrix *
fs_image_parse (const char    *name,
                const guint8  *data,
                gsize          len,
                GError       **error)
{
  return fs_image_parse_full (name, data, len, FALSE, NULL, NULL, NULL, error);
}

FsMatrix *
fs_image_parse_mapped (const char    *name,
                       const guint8  *data,
                       gsize          len,
                       GError       **error)
{
  return fs_image_parse_full (name, data, len, TRUE, NULL, NULL, NULL, error);
}
