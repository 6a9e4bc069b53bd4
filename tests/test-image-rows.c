/* test-image-rows.c: PNG and JPEG read row by row with libpng and libjpeg
 * (core/fs-image.c) against gdk-pixbuf, the path they replace and keep
 * callable as fs_image_parse_pixbuf: the same matrix bit for bit, the same
 * shape and the same refusals, on every PNG and JPEG in the repository,
 * whole, cut short and with a byte changed; sizes refused before anything
 * is allocated; and the memory a load takes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* jpeglib.h needs stdio.h's FILE and size_t first. */
#include <jpeglib.h>

#include "fs-error.h"
#include "fs-image.h"
#include "fs-loader.h"

/* Every folder of the repository that holds PNG or JPEG files, from tests/. */
static const char * const folders[] = {
  "data/images", "data/real/images", "fuzz/seeds/image", "../resources/examples",
};

typedef struct
{
  char   *name;
  guint8 *data;
  gsize   len;
} ImageFile;

static void
image_file_free (gpointer p)
{
  ImageFile *f = p;

  g_free (f->name);
  g_free (f->data);
  g_free (f);
}

static gboolean
is_png_or_jpeg (const guint8 *data,
                gsize         len)
{
  return (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0) ||
         (len >= 2 && data[0] == 0xFF && data[1] == 0xD8);
}

/* The PNG and JPEG files of the repository, told by their signatures. */
static GPtrArray *
repository_images (void)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (image_file_free);

  for (guint k = 0; k < G_N_ELEMENTS (folders); k++)
    {
      g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, folders[k], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *entry;

      g_assert_no_error (error);
      while ((entry = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_strdup (entry));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        {
          ImageFile *f = g_new0 (ImageFile, 1);
          g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);

          g_assert_true (g_file_get_contents (path, (char **) &f->data, &f->len, &error));
          g_assert_no_error (error);
          f->name = g_strdup (names->pdata[i]);
          if (is_png_or_jpeg (f->data, f->len))
            g_ptr_array_add (files, f);
          else
            image_file_free (f);
        }
    }
  return files;
}

/* Loads data both ways. Either both give the same matrix, bit for bit, or
 * both refuse it, naming the file, with the same kind of error (the row
 * readers check the size first, so a size refused may come before another
 * fault the pixbuf path reports). Returns whether it loaded. */
static gboolean
same_both_ways (const char   *name,
                const guint8 *data,
                gsize         len)
{
  g_autoptr(GError) rows_error = NULL;
  g_autoptr(GError) pixbuf_error = NULL;
  g_autoptr(FsMatrix) R = fs_image_parse (name, data, len, &rows_error);
  g_autoptr(FsMatrix) P = fs_image_parse_pixbuf (name, data, len, &pixbuf_error);

  if (rows_error != NULL || pixbuf_error != NULL)
    g_test_message ("%s (%" G_GSIZE_FORMAT " bytes): rows: %s; pixbuf: %s", name, len,
                    rows_error != NULL ? rows_error->message : "loaded",
                    pixbuf_error != NULL ? pixbuf_error->message : "loaded");
  if (P == NULL)
    {
      g_assert_null (R);
      g_assert_true (g_error_matches (rows_error, FS_ERROR, pixbuf_error->code) ||
                     g_error_matches (rows_error, FS_ERROR, FS_ERROR_TOO_LARGE));
      g_assert_true (g_str_has_prefix (rows_error->message, name));
      g_assert_true (g_str_has_prefix (rows_error->message + strlen (name), ": "));
      return FALSE;
    }
  g_assert_no_error (rows_error);
  g_assert_cmpuint (R->rows, ==, P->rows);
  g_assert_cmpuint (R->cols, ==, P->cols);
  g_assert_cmpuint (R->image_height, ==, P->rows);
  g_assert_cmpuint (R->image_width, ==, P->cols);
  g_assert_cmpuint (P->image_height, ==, P->rows);
  g_assert_cmpstr (R->format, ==, P->format);
  g_assert_true (memcmp (R->data, P->data, R->rows * R->cols * sizeof (double)) == 0);
  return TRUE;
}

/* Every PNG and JPEG of the repository, whole: the same matrix both ways.
 * They cover palettes of 1, 4 and 8 bits, grey of 1, 2, 4, 8 and 16 bits,
 * grey and alpha of 8 and 16, RGB and RGBA of 8 and 16, tRNS in grey, RGB
 * and palette images, Adam7 interlacing (down to 1 × 1, where passes are
 * empty), grey, RGB (4:4:4, 4:2:2, 4:2:0) and CMYK JPEG with and without
 * Adobe's marker, progressive grey, colour and CMYK (tests/data/images). */
static void
test_same_matrix (void)
{
  static const char * const variants[] = {
    "grey-1bit.png", "grey-2bit-trns.png", "grey-4bit.png", "grey.png", "grey-16bit.png",
    "grey-16bit-trns.png", "grey-alpha.png", "grey-alpha-16bit-interlaced.png",
    "grey-palette.png", "palette-1bit.png", "palette-4bit-trns.png",
    "palette-4bit-interlaced.png", "grey-1bit-interlaced.png", "rgb.png", "rgb-trns.png",
    "rgb-16bit.png", "rgb-16bit-trns.png", "rgba.png", "rgba-16bit.png",
    "rgba-interlaced.png", "rgba-interlaced-1x1.png", "rgba-interlaced-2x3.png",
    "camera-64-interlaced.png", "grey.jpg", "rgb.jpg", "rgb-444.jpg", "rgb-422.jpg",
    "rgb-420.jpg", "cmyk.jpg", "cmyk-adobe.jpg", "cmyk-no-adobe.jpg", "camera-64.jpg",
    "camera-64-progressive.jpg", "rgb-progressive.jpg", "grey-progressive-odd.jpg",
    "rgb-420-progressive-odd.jpg", "cmyk-progressive.jpg",
  };
  g_autoptr(GPtrArray) files = repository_images ();

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < files->len && !found; i++)
        found = strcmp (((ImageFile *) files->pdata[i])->name, variants[v]) == 0;
      if (!found)
        g_error ("%s is not among the repository's images", variants[v]);
    }
  for (guint i = 0; i < files->len; i++)
    {
      ImageFile *f = files->pdata[i];

      g_test_message ("%s", f->name);
      g_assert_true (same_both_ways (f->name, f->data, f->len));
    }
}

/* Every file cut at a dozen points, and just before its last byte: both
 * refuse it, naming the file. An interlaced PNG or a progressive JPEG cut
 * short has every row drawn by an earlier pass: only the end tells. */
static void
test_cut_short (void)
{
  g_autoptr(GPtrArray) files = repository_images ();

  for (guint i = 0; i < files->len; i++)
    {
      ImageFile *f = files->pdata[i];

      for (gsize cut = 1; cut < f->len; cut += MAX (f->len / 12, 1))
        g_assert_false (same_both_ways (f->name, f->data, cut));
      g_assert_false (same_both_ways (f->name, f->data, f->len - 1));
    }
}

/* Every file with one byte changed at 16 places (headers, tables, pixel
 * data, the end): the same outcome both ways, whether the libraries refuse
 * the file or get past the fault (libjpeg does, in entropy-coded data).
 * Not every corruption is: the row readers refuse some files the pixbuf
 * path takes (/image-rows/stricter), never the other way round here. */
/* Files whose data ends before the format's end, which gdk-pixbuf's loader
 * still turns into a matrix (of rows copied from earlier passes, or past a
 * marker that swallowed the rest of the file): the row readers refuse
 * them as cut short, naming the file (tests/data/images-stricter). */
static void
test_stricter (void)
{
  const char *names[] = { "interlaced-idat-past-end.png", "jpeg-app4-in-scan.jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "images-stricter",
                                                     names[i], NULL);
      g_autofree guint8 *data = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) pixbuf_error = NULL;
      g_autoptr(FsMatrix) R = NULL;
      g_autoptr(FsMatrix) P = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
      R = fs_image_parse (names[i], data, len, &error);
      P = fs_image_parse_pixbuf (names[i], data, len, &pixbuf_error);
      g_assert_null (R);
      g_assert_error (error, FS_ERROR, FS_ERROR_PARSE);
      g_assert_true (g_str_has_prefix (error->message, names[i]));
      g_assert_nonnull (strstr (error->message, "cut short"));
      g_assert_no_error (pixbuf_error);
      g_assert_nonnull (P);
    }
}

static void
test_corrupt (void)
{
  g_autoptr(GPtrArray) files = repository_images ();
  guint loaded = 0, refused = 0;

  for (guint i = 0; i < files->len; i++)
    {
      ImageFile *f = files->pdata[i];
      g_autofree guint8 *copy = g_memdup2 (f->data, f->len);

      for (guint k = 0; k < 16; k++)
        {
          gsize at = 2 + (f->len - 3) * k / 15;
          guint8 was = copy[at];

          copy[at] ^= k % 2 ? 0x55 : 0xFF;
          if (same_both_ways (f->name, copy, f->len))
            loaded++;
          else
            refused++;
          copy[at] = was;
        }
    }
  g_test_message ("%u loaded, %u refused", loaded, refused);
  g_assert_cmpuint (loaded, >, 0);
  g_assert_cmpuint (refused, >, 0);
}

/* How encode_jpeg lays out its scans: one scan of every component
 * (baseline), libjpeg's progressive script (jpeg_simple_progression), or
 * one sequential scan a component: the last two make a decoder hold the
 * whole image's coefficients until the last scan. */
typedef enum
{
  SCANS_ONE,
  SCANS_PROGRESSIVE,
  SCANS_COMPONENTS,
} Scans;

/* width × height pixels of components bytes (1 grey, 3 RGB, 4 CMYK)
 * written as a JPEG by libjpeg, quality 90, its default sampling (4:2:0
 * for RGB) or, full_size, every component at full size (4:4:4);
 * gdk-pixbuf writes baseline files only. */
static GBytes *
encode_jpeg_sampled (const guint8 *pixels,
                     int           width,
                     int           height,
                     int           components,
                     Scans         scans,
                     gboolean      full_size)
{
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr errors;
  jpeg_scan_info script[4];
  unsigned char *out = NULL;
  unsigned long size = 0;
  GBytes *bytes;

  cinfo.err = jpeg_std_error (&errors);
  jpeg_create_compress (&cinfo);
  jpeg_mem_dest (&cinfo, &out, &size);
  cinfo.image_width = (JDIMENSION) width;
  cinfo.image_height = (JDIMENSION) height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults (&cinfo);
  jpeg_set_quality (&cinfo, 90, TRUE);
  for (int c = 0; c < components && full_size; c++)
    cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  if (scans == SCANS_PROGRESSIVE)
    jpeg_simple_progression (&cinfo);
  else if (scans == SCANS_COMPONENTS)
    {
      for (int c = 0; c < components; c++)
        script[c] = (jpeg_scan_info) { .comps_in_scan = 1, .component_index = { c },
                                       .Ss = 0, .Se = 63, .Ah = 0, .Al = 0 };
      cinfo.scan_info = script;
      cinfo.num_scans = components;
    }
  jpeg_start_compress (&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height)
    {
      JSAMPROW row = (JSAMPROW) (pixels + (gsize) cinfo.next_scanline * width * components);

      jpeg_write_scanlines (&cinfo, &row, 1);
    }
  jpeg_finish_compress (&cinfo);
  jpeg_destroy_compress (&cinfo);
  bytes = g_bytes_new (out, size);
  free (out);
  return bytes;
}

static GBytes *
encode_jpeg (const guint8 *pixels,
             int           width,
             int           height,
             int           components,
             Scans         scans)
{
  return encode_jpeg_sampled (pixels, width, height, components, scans, FALSE);
}

/* Multi-scan JPEGs, progressive and sequential with a scan a component,
 * of grey, RGB and CMYK at sizes down to 1 × 1, which make libjpeg hold
 * the whole image's coefficients until its output pass (too few here for
 * the row reader to give any back: /image-rows/multi-scan-large). The
 * same matrix as gdk-pixbuf's, bit for bit, and every cut refused both
 * ways; and the same matrix as the baseline file of the same pixels,
 * which holds the same quantized coefficients in one scan. */
static void
test_multi_scan (void)
{
  static const int sizes[][2] = { { 1, 1 }, { 1, 9 }, { 9, 1 }, { 17, 5 }, { 37, 23 } };
  static const int components[] = { 1, 3, 4 };
  guint compared = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint c = 0; c < G_N_ELEMENTS (components); c++)
      {
        int width = sizes[s][0], height = sizes[s][1], n = components[c];
        g_autofree guint8 *pixels = g_malloc ((gsize) width * height * n);
        g_autoptr(GBytes) baseline = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(FsMatrix) B = NULL;

        for (int i = 0; i < height; i++)
          for (int j = 0; j < width * n; j++)
            pixels[(gsize) i * width * n + j] = (guint8) (i * 29 + j * 7 + (i * j) % 13);
        baseline = encode_jpeg (pixels, width, height, n, SCANS_ONE);
        B = fs_image_parse ("baseline.jpg", g_bytes_get_data (baseline, NULL),
                            g_bytes_get_size (baseline), &error);
        g_assert_no_error (error);

        for (Scans scans = SCANS_PROGRESSIVE; scans <= SCANS_COMPONENTS; scans++)
          {
            g_autofree char *name = g_strdup_printf ("%s-%d-%dx%d.jpg",
                                                     scans == SCANS_PROGRESSIVE ? "progressive"
                                                                                : "scans",
                                                     n, width, height);
            g_autoptr(GBytes) bytes = encode_jpeg (pixels, width, height, n, scans);
            g_autoptr(FsMatrix) R = NULL;
            gsize len;
            const guint8 *data = g_bytes_get_data (bytes, &len);

            g_test_message ("%s", name);
            R = fs_image_parse (name, data, len, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (R->rows, ==, (gsize) height);
            g_assert_cmpuint (R->cols, ==, (gsize) width);
            g_assert_true (memcmp (R->data, B->data, R->rows * R->cols * sizeof (double)) == 0);
            /* gdk-pixbuf's pixel of a 1 × 1 RGB file depends on memory
             * libjpeg never wrote (valgrind; the row readers' reading of
             * it is clean): no truth to compare with. */
            if (n == 3 && width * height == 1)
              continue;
            g_assert_true (same_both_ways (name, data, len));
            for (gsize cut = 2; cut < len; cut += MAX (len / 12, 1))
              g_assert_false (same_both_ways (name, data, cut));
            g_assert_false (same_both_ways (name, data, len - 1));
            compared++;
          }
      }
  g_assert_cmpuint (compared, ==, 28);
}

/* Multi-scan JPEGs large enough that the row reader gives back pages of
 * libjpeg's coefficients as its output pass leaves them behind (rows of
 * up to 24 KiB a component, batches of 256 KiB, core/fs-image.c), at an
 * odd size, so that the last iMCU row and the last block of a row are in
 * part outside the image: grey, RGB at 4:2:0 (luma asked for two block
 * rows a call) and 4:4:4, and CMYK, progressive and a scan a component.
 * The same matrix as gdk-pixbuf's bit for bit (its libjpeg keeps every
 * row), and as the baseline file of the same pixels. */
static void
test_multi_scan_large (void)
{
  const int width = 1531, height = 997;
  static const struct { int components; gboolean full_size; } kinds[] = {
    { 1, FALSE }, { 3, FALSE }, { 3, TRUE }, { 4, FALSE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      int n = kinds[k].components;
      g_autofree guint8 *pixels = g_malloc ((gsize) width * height * n);
      g_autoptr(GBytes) baseline = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FsMatrix) B = NULL;

      for (int i = 0; i < height; i++)
        for (int j = 0; j < width * n; j++)
          pixels[(gsize) i * width * n + j] = (guint8) (i * 29 + j * 7 + (i * j) % 13 +
                                                        ((i / 40 + j / 70) % 2) * 90);
      baseline = encode_jpeg_sampled (pixels, width, height, n, SCANS_ONE, kinds[k].full_size);
      B = fs_image_parse ("baseline.jpg", g_bytes_get_data (baseline, NULL),
                          g_bytes_get_size (baseline), &error);
      g_assert_no_error (error);
      for (Scans scans = SCANS_PROGRESSIVE; scans <= SCANS_COMPONENTS; scans++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%d%s-%dx%d.jpg",
                                                   scans == SCANS_PROGRESSIVE ? "progressive"
                                                                              : "scans",
                                                   n, kinds[k].full_size ? "-444" : "",
                                                   width, height);
          g_autoptr(GBytes) bytes = encode_jpeg_sampled (pixels, width, height, n, scans,
                                                         kinds[k].full_size);
          g_autoptr(FsMatrix) R = NULL;
          gsize len;
          const guint8 *data = g_bytes_get_data (bytes, &len);

          g_test_message ("%s", name);
          R = fs_image_parse (name, data, len, &error);
          g_assert_no_error (error);
          g_assert_true (memcmp (R->data, B->data, R->rows * R->cols * sizeof (double)) == 0);
          g_assert_true (same_both_ways (name, data, len));
        }
    }
}

static void
put_be32 (GByteArray *out,
          guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static guint32
crc32 (const guint8 *p,
       gsize         len)
{
  guint32 c = 0xFFFFFFFF;

  for (gsize i = 0; i < len; i++)
    {
      c ^= p[i];
      for (int k = 0; k < 8; k++)
        c = c & 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
    }
  return c ^ 0xFFFFFFFF;
}

static void
put_chunk (GByteArray   *out,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  gsize start;

  put_be32 (out, (guint32) len);
  start = out->len;
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (out, data, (guint) len);
  put_be32 (out, crc32 (out->data + start, len + 4));
}

/* A PNG header of 8-bit grey claiming width × height, then an IDAT with a
 * few bytes of a zlib stream and IEND: libpng reports the header at the
 * first IDAT. */
static GBytes *
png_claiming (guint32 width,
              guint32 height)
{
  GByteArray *out = g_byte_array_new ();
  guint8 ihdr[13] = { width >> 24, width >> 16, width >> 8, width,
                      height >> 24, height >> 16, height >> 8, height, 8, 0, 0, 0, 0 };
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00 };

  g_byte_array_append (out, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  put_chunk (out, "IHDR", ihdr, sizeof ihdr);
  put_chunk (out, "IDAT", idat, sizeof idat);
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}

/* A baseline grey JPEG header claiming width × height: SOI, SOF0, SOS, EOI
 * (libjpeg reads the header up to the first scan). */
static GBytes *
jpeg_claiming (guint16 width,
               guint16 height)
{
  const guint8 bytes[] = {
    0xFF, 0xD8,
    0xFF, 0xC0, 0, 11, 8, height >> 8, height & 0xFF, width >> 8, width & 0xFF, 1, 1, 0x11, 0,
    0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0,
    0xFF, 0xD9,
  };

  return g_bytes_new (bytes, sizeof bytes);
}

#ifndef __SANITIZE_ADDRESS__
/* The same header, progressive (SOF2) with three full-size components:
 * libjpeg keeps 3 × 2 bytes of coefficients a pixel until the last scan.
 * (For /image-rows/size-checked-first, which AddressSanitizer leaves out.) */
static GBytes *
jpeg_progressive_claiming (guint16 width,
                           guint16 height)
{
  const guint8 bytes[] = {
    0xFF, 0xD8,
    0xFF, 0xC2, 0, 17, 8, height >> 8, height & 0xFF, width >> 8, width & 0xFF, 3,
    1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0,
    0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0,
    0xFF, 0xD9,
  };

  return g_bytes_new (bytes, sizeof bytes);
}
#endif

static void
assert_too_large (const char *name,
                  GBytes     *bytes,
                  const char *says)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FsMatrix) X = fs_image_parse (name, g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes), &error);

  g_assert_null (X);
  g_assert_error (error, FS_ERROR, FS_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, name));
  g_assert_nonnull (strstr (error->message, says));
}

/* A header claiming more cells than a matrix holds is refused: 100000 ×
 * 100000 for a PNG, 65500 × 65500 (JPEG's largest) for a JPEG. */
static void
test_too_many_cells (void)
{
  g_autoptr(GBytes) png = png_claiming (100000, 100000);
  g_autoptr(GBytes) jpeg = jpeg_claiming (65500, 65500);

  assert_too_large ("huge.png", png, "cells");
  assert_too_large ("huge.jpg", jpeg, "cells");
}

#ifndef __SANITIZE_ADDRESS__
/* 20000 × 20000 (3.0 GiB of doubles) under a 1 GiB address-space limit:
 * refused by the size check, before the matrix or a pixel buffer is
 * allocated (an allocation that failed would say "Not enough memory"); a
 * progressive JPEG whose matrix fits but not with the coefficients libjpeg
 * holds beside it, too. */
static void
test_size_checked_first (void)
{
  if (g_test_subprocess ())
    {
      struct rlimit limit = { 1 << 30, 1 << 30 };
      g_autoptr(GBytes) png = png_claiming (20000, 20000);
      g_autoptr(GBytes) jpeg = jpeg_claiming (20000, 20000);

      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
      /* 10000 × 10000: 0.7 GiB of doubles fit, not with libjpeg's 0.6
       * GiB of coefficients beside them. */
      g_autoptr(GBytes) progressive = jpeg_progressive_claiming (10000, 10000);

      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
      assert_too_large ("big.png", png, "needs 3.0 GiB, more than the");
      assert_too_large ("big.jpg", jpeg, "needs 3.0 GiB, more than the");
      assert_too_large ("progressive.jpg", progressive,
                        "and the 0.6 GiB its reading holds beside it need 1.3 GiB, more than the");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* The peak resident memory of this process, in bytes. Linux keeps it
 * across exec: a test's subprocess starts with its parent's. */
static gsize
peak_rss (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return (gsize) usage.ru_maxrss * 1024;
}

/* The resident memory of this process now, in bytes (/proc/self/statm). */
static gsize
current_rss (void)
{
  g_autofree char *statm = NULL;
  char **fields;
  gsize pages;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", 3);
  g_assert_nonnull (fields[0]);
  g_assert_nonnull (fields[1]);
  pages = g_ascii_strtoull (fields[1], NULL, 10);
  g_strfreev (fields);
  return pages * (gsize) sysconf (_SC_PAGESIZE);
}

/* What /image-rows/memory loads: a PNG, baseline JPEG, TIFF or BMP (RGB,
 * written by gdk-pixbuf; the last two read through a pixbuf), or a
 * progressive JPEG (written by libjpeg) of RGB at 4:2:0 or 4:4:4, or of
 * CMYK, side × side pixels. */
typedef struct
{
  const char *kind;       /* the file's name after "memory." */
  int         side;
  int         components; /* 3 RGB, 4 CMYK */
  gboolean    progressive;
  gboolean    full_size;  /* every component at full size (4:4:4) */
  int         slack;      /* MiB beside the file and the matrix */
} MemoryCase;

static const MemoryCase memory_cases[] = {
  { "png", 2400, 3, FALSE, FALSE, 6 },
  { "jpg", 2400, 3, FALSE, FALSE, 6 },
  { "progressive.jpg", 2400, 3, TRUE, FALSE, 6 },
  { "progressive-444.jpg", 3200, 3, TRUE, TRUE, 6 },
  { "progressive-cmyk.jpg", 2400, 4, TRUE, TRUE, 6 },
  { "tiff", 2400, 3, FALSE, FALSE, 24 },
  { "bmp", 2400, 3, FALSE, FALSE, 6 },
};

/* Each of memory_cases loaded from its file in a fresh process: the peak
 * resident memory grows by no more than the file, the matrix (44 MiB at
 * 2400 × 2400, 78 MiB at 3200 × 3200) and 6 MiB. The pixbuf path took 3
 * bytes a pixel more (16.5 MiB at 2400 × 2400). A progressive file makes
 * libjpeg hold every component's coefficients, 2 bytes a sample, until
 * its output pass: 3 bytes a pixel at 4:2:0, 6 at 4:4:4, 8 for CMYK; the
 * reader gives their pages back as the output pass leaves them behind.
 * Holding them to the end, with the samples in the end of the matrix's
 * buffer, took 9 bytes a pixel at 4:4:4 and 12 for CMYK: the peak grew
 * by 99.4 MiB against a bound of 94.2 (3200 × 3200, 4:4:4) and by 72.0
 * against 53.6 (2400 × 2400 CMYK); now 91.0 and 51.3. A BMP or TIFF is
 * read through a pixbuf (3 or 4 bytes a pixel), the file's pages given
 * back as the loader takes them and the pixbuf's as the matrix is
 * written: with all three held, the peak grew by 78.0 MiB (BMP) against
 * a bound of 66.3, now 45.4; a TIFF (libtiff reads gdk-pixbuf's single
 * strip whole, and the loader keeps the file's bytes: 10 bytes a pixel
 * while it decodes) by 90.7 against file + matrix + 24 MiB = 84.3, now
 * 74.4. Not under AddressSanitizer or valgrind, whose own memory would
 * count. */
static void
test_memory (gconstpointer data)
{
  const MemoryCase *m = data;
  const int side = m->side;
  g_autofree char *name = g_strdup_printf ("memory.%s", m->kind);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(FsMatrix) X = NULL;
      GStatBuf st;
      gsize before, grown, bound;

      /* Without meson's MALLOC_PERTURB_, which a user's process does not
       * have: glibc would fill every block it hands out, the matrix's
       * pages not touched yet too. */
      g_assert_cmpint (mallopt (M_PERTURB, 0), ==, 1);
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      /* From what is resident now, not the peak, which the parent's
       * memory may have set higher (an allowance that would hide part of
       * the load's). */
      before = current_rss ();
      X = fs_matrix_load (path, &error);
      g_assert_no_error (error);
      grown = peak_rss () - before;
      bound = (gsize) st.st_size + X->rows * X->cols * sizeof (double) +
              (gsize) m->slack * 1024 * 1024;
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes, peak grew by %.1f MiB, bound %.1f MiB",
                      name, (gsize) st.st_size, grown / 1048576.0, bound / 1048576.0);
      g_assert_cmpuint (X->rows, ==, side);
      g_assert_cmpuint (X->cols, ==, side);
      g_assert_cmpuint (grown, <=, bound);
      /* The matrix whose load kept to the bound is gdk-pixbuf's, bit for
       * bit: the pages given back were not read again. */
      {
        g_autofree guint8 *file = NULL;
        gsize len;
        g_autoptr(FsMatrix) P = NULL;

        g_assert_true (g_file_get_contents (path, (char **) &file, &len, &error));
        P = fs_image_parse_pixbuf (name, file, len, &error);
        g_assert_no_error (error);
        g_assert_true (memcmp (X->data, P->data, X->rows * X->cols * sizeof (double)) == 0);
      }
      return;
    }

  {
    g_autofree guint8 *px = g_malloc ((gsize) side * side * m->components);

    for (int i = 0; i < side; i++)
      for (int j = 0; j < side; j++)
        {
          guint8 *p = px + ((gsize) i * side + j) * m->components;

          p[0] = (guint8) (i + j);
          p[1] = (guint8) (i * j / 97);
          p[2] = (guint8) (j * 3 - i);
          if (m->components == 4)
            p[3] = (guint8) (255 - (i ^ j) / 5);
        }
    if (m->progressive)
      {
        g_autoptr(GBytes) bytes = encode_jpeg_sampled (px, side, side, m->components,
                                                       SCANS_PROGRESSIVE, m->full_size);

        g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                            (gssize) g_bytes_get_size (bytes), &error));
      }
    else
      {
        g_autoptr(GdkPixbuf) pixbuf = NULL;

        g_assert_cmpint (m->components, ==, 3);
        pixbuf = gdk_pixbuf_new_from_data (px, GDK_COLORSPACE_RGB, FALSE, 8, side, side,
                                           side * 3, NULL, NULL);
        g_assert_true (gdk_pixbuf_save (pixbuf, path,
                                        strcmp (m->kind, "jpg") == 0 ? "jpeg" : m->kind,
                                        &error, NULL));
      }
    g_assert_no_error (error);
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unlink (path);
  g_test_trap_assert_passed ();
}
#endif

/* Noise, which compresses badly: files of several pieces (the reader
 * gives libpng a file 256 KiB at a time). */
static guint8 *
noise_pixels (int width,
              int height)
{
  guint8 *pixels = g_malloc ((gsize) width * height * 3);
  guint32 state = 12345;

  for (gsize k = 0; k < (gsize) width * height * 3; k++)
    {
      state = state * 1664525u + 1013904223u;
      pixels[k] = (guint8) (state >> 24);
    }
  return pixels;
}

/* jpeg with count comments of 65,533 bytes after its SOI, which libjpeg
 * skips (skip_input_data): read as data, their end-of-image markers would
 * end the image. */
static GBytes *
with_comments (GBytes *jpeg,
               guint   count)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (jpeg, &len);
  GByteArray *out = g_byte_array_new ();
  static const guint8 marker[] = { 0xFF, 0xFE, 0xFF, 0xFF };
  g_autofree guint8 *text = g_malloc (65533);

  /* End-of-image markers: read as data, not skipped, they end the image. */
  for (gsize k = 0; k < 65533; k++)
    text[k] = k % 2 == 0 ? 0xFF : 0xD9;
  g_byte_array_append (out, data, 2);
  for (guint k = 0; k < count; k++)
    {
      g_byte_array_append (out, marker, sizeof marker);
      g_byte_array_append (out, text, 65533);
    }
  g_byte_array_append (out, data + 2, (guint) (len - 2));
  return g_byte_array_free_to_bytes (out);
}

typedef struct
{
  GCancellable *cancellable;
  guint         told;
  double        last;
} PieceProgress;

static void
on_piece_progress (double   fraction,
                   gpointer data)
{
  PieceProgress *p = data;

  g_assert_cmpfloat (fraction, >, p->last);
  g_assert_cmpfloat (fraction, <, 1.0);
  p->last = fraction;
  p->told++;
  if (p->cancellable != NULL)
    g_cancellable_cancel (p->cancellable);
}

/* Large files (a PNG of several pieces, a baseline and a progressive
 * JPEG, the JPEGs with large comments to skip): the same matrix as
 * gdk-pixbuf's bit for bit, and cuts at and around 256 and 512 KiB
 * refused both ways. Read with progress, it is told as the read goes
 * (libpng's pieces; libjpeg's progress monitor), rising, under 1;
 * cancelled from the first progress (a progressive file's scans are all
 * read before its first row), the read ends at once, cancelled: one
 * progress told. Cancelled before, a BMP (through gdk-pixbuf) is not read
 * either. */
static void
test_pieces (void)
{
  const int width = 1024, height = 768;
  g_autofree guint8 *pixels = noise_pixels (width, height);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, FALSE, 8,
                                                          width, height, width * 3, NULL, NULL);
  g_autoptr(GBytes) baseline = encode_jpeg (pixels, width, height, 3, SCANS_ONE);
  g_autoptr(GBytes) progressive = encode_jpeg (pixels, width, height, 3, SCANS_PROGRESSIVE);
  GBytes *files[4] = { NULL };
  const char *names[] = { "noise.png", "noise.jpg", "noise-progressive.jpg",
                          "comments-progressive.jpg" };
  g_autoptr(GError) error = NULL;
  char *png = NULL;
  gsize png_len = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_len, "png", &error, NULL));
  g_assert_no_error (error);
  files[0] = g_bytes_new_take (png, png_len);
  files[1] = with_comments (baseline, 5);
  files[2] = g_bytes_ref (progressive);
  files[3] = with_comments (progressive, 9);

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (files[f], &len);
      const gsize cuts[] = { 262143, 262144, 262145, 524287, 524288, 524289, len - 1 };
      PieceProgress told = { 0 };
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      PieceProgress cancelling = { cancellable };
      g_autoptr(FsMatrix) X = NULL;

      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", names[f], len);
      g_assert_cmpuint (len, >, 2 * 262144 + 2);
      g_assert_true (same_both_ways (names[f], data, len));
      for (guint k = 0; k < G_N_ELEMENTS (cuts); k++)
        g_assert_false (same_both_ways (names[f], data, cuts[k]));

      X = fs_image_parse_full (names[f], data, len, FALSE, NULL, on_piece_progress, &told,
                               &error);
      g_assert_no_error (error);
      g_assert_nonnull (X);
      g_assert_cmpuint (told.told, >=, 2);
      g_clear_pointer (&X, fs_matrix_unref);

      X = fs_image_parse_full (names[f], data, len, FALSE, cancellable, on_piece_progress,
                               &cancelling, &error);
      g_assert_null (X);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (cancelling.told, ==, 1);
      g_clear_error (&error);
    }
  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    g_bytes_unref (files[f]);

  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();
    g_autoptr(FsMatrix) X = NULL;
    char *bmp = NULL;
    gsize bmp_len = 0;

    g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &bmp, &bmp_len, "bmp", &error, NULL));
    g_assert_no_error (error);
    g_cancellable_cancel (cancelled);
    X = fs_image_parse_full ("noise.bmp", (const guint8 *) bmp, bmp_len, FALSE, cancelled, NULL,
                             NULL, &error);
    g_assert_null (X);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_free (bmp);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/image-rows/same-matrix", test_same_matrix);
  g_test_add_func ("/image-rows/cut-short", test_cut_short);
  g_test_add_func ("/image-rows/corrupt", test_corrupt);
  g_test_add_func ("/image-rows/stricter", test_stricter);
  g_test_add_func ("/image-rows/multi-scan", test_multi_scan);
  g_test_add_func ("/image-rows/multi-scan-large", test_multi_scan_large);
  g_test_add_func ("/image-rows/pieces", test_pieces);
  g_test_add_func ("/image-rows/too-many-cells", test_too_many_cells);
#ifndef __SANITIZE_ADDRESS__
  g_test_add_func ("/image-rows/size-checked-first", test_size_checked_first);
  if (g_getenv ("FS_UNDER_VALGRIND") == NULL)
    {
      static const char * const paths[G_N_ELEMENTS (memory_cases)] = {
        "/image-rows/memory/png", "/image-rows/memory/jpeg",
        "/image-rows/memory/progressive-jpeg", "/image-rows/memory/progressive-jpeg-444",
        "/image-rows/memory/progressive-jpeg-cmyk", "/image-rows/memory/tiff",
        "/image-rows/memory/bmp",
      };

      for (guint i = 0; i < G_N_ELEMENTS (memory_cases); i++)
        g_test_add_data_func (paths[i], &memory_cases[i], test_memory);
    }
#endif

  return g_test_run ();
}
