/* fs-npy.c
 *
 * The header is a Python dict literal; only its three keys are read:
 * 'descr' (a simple dtype such as '<f8' or '|u1'), 'fortran_order' and
 * 'shape'. Structured and complex dtypes are refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-npy"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "fs-error.h"
#include "fs-npy.h"

#define MAX_DIMS 3

typedef struct
{
  char     kind;       /* f, i, u or b */
  guint    size;       /* bytes per element */
  gboolean big_endian;
  gboolean fortran;
  guint    n_dims;
  guint64  shape[MAX_DIMS];
} Header;

static gboolean
fail (GError    **error,
      const char *name,
      const char *message)
{
  g_set_error (error, FS_ERROR, FS_ERROR_PARSE, "%s: %s", name, message);
  return FALSE;
}

/* The text after "'key':", with blanks skipped, or NULL. */
static const char *
find_key (const char *header,
          const char *key)
{
  g_autofree char *single = g_strdup_printf ("'%s'", key);
  g_autofree char *dbl = g_strdup_printf ("\"%s\"", key);
  const char *p = strstr (header, single);

  if (p == NULL)
    p = strstr (header, dbl);
  if (p == NULL)
    return NULL;
  p += strlen (single);
  while (*p == ' ')
    p++;
  if (*p != ':')
    return NULL;
  p++;
  while (*p == ' ')
    p++;
  return p;
}

static gboolean
parse_descr (const char  *p,
             Header      *h,
             const char  *name,
             GError     **error)
{
  char quote, order, kind;
  guint64 size;
  char *end = NULL;

  if (p == NULL || (*p != '\'' && *p != '"'))
    return fail (error, name, _("the .npy header has a structured or missing 'descr'; only plain numeric arrays can be read"));

  quote = *p++;
  order = *p++;
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return fail (error, name, _("the .npy header's 'descr' has no byte order"));
  /* A descr cut after its byte order ends the text here: read no further. */
  kind = *p;
  if (kind == '\0')
    return fail (error, name, _("the .npy header's 'descr' is malformed"));
  p++;
  size = g_ascii_strtoull (p, &end, 10);
  if (end == p || *end != quote)
    return fail (error, name, _("the .npy header's 'descr' is malformed"));

  if (kind == 'c')
    return fail (error, name, _("complex arrays cannot be factorized"));
  if (!((kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
        ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
        (kind == 'b' && size == 1)))
    {
      g_autofree char *bytes = fs_error_number_text (size);
      g_autofree char *msg = g_strdup_printf (_("the .npy dtype “%c%s” is not a supported number type"),
                                              kind, bytes);
      return fail (error, name, msg);
    }

  h->kind = kind;
  h->size = (guint) size;
  h->big_endian = order == '>' || (order == '=' && G_BYTE_ORDER == G_BIG_ENDIAN);
  return TRUE;
}

static gboolean
parse_shape (const char  *p,
             Header      *h,
             const char  *name,
             GError     **error)
{
  g_autoptr(GString) shape = g_string_new ("(");
  guint n_dims = 0;

  if (p == NULL || *p != '(')
    return fail (error, name, _("the .npy header has no 'shape'"));
  p++;

  for (;;)
    {
      char *end = NULL;
      guint64 v;

      while (*p == ' ')
        p++;
      if (*p == ')')
        break;
      if (!g_ascii_isdigit (*p) || n_dims >= 64)
        return fail (error, name, _("the .npy header's 'shape' is malformed"));
      v = g_ascii_strtoull (p, &end, 10);
      g_string_append_printf (shape, "%s%" G_GUINT64_FORMAT, n_dims > 0 ? ", " : "", v);
      if (n_dims < MAX_DIMS)
        h->shape[n_dims] = v;
      n_dims++;
      p = end;
      while (*p == ' ')
        p++;
      if (*p == ',')
        p++;
      else if (*p != ')')
        return fail (error, name, _("the .npy header's 'shape' is malformed"));
    }

  if (n_dims > MAX_DIMS)
    {
      g_autofree char *msg = NULL;

      g_string_append_c (shape, ')');
      msg = g_strdup_printf (_("the array has shape %s; only 1-D, 2-D and 3-D (a stack of images) arrays can be read"),
                             shape->str);
      return fail (error, name, msg);
    }
  h->n_dims = n_dims;
  return TRUE;
}

static double
half_to_double (guint16 h)
{
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  double sign = (h & 0x8000) ? -1.0 : 1.0;

  if (exponent == 0)
    return sign * ldexp (mantissa, -24);
  if (exponent == 31)
    return mantissa == 0 ? sign * INFINITY : NAN;
  return sign * ldexp (mantissa + 1024, exponent - 25);
}

static double
read_element (const guint8 *p,
              const Header *h)
{
  guint8 b[8];
  guint64 u = 0;

  for (guint k = 0; k < h->size; k++)
    b[k] = h->big_endian ? p[h->size - 1 - k] : p[k];
  for (guint k = 0; k < h->size; k++)
    u |= (guint64) b[k] << (8 * k);

  switch (h->kind)
    {
    case 'b':
      return u != 0 ? 1.0 : 0.0;
    case 'u':
      return (double) u;
    case 'i':
      if (h->size < 8 && (u >> (8 * h->size - 1)) & 1)
        u |= G_MAXUINT64 << (8 * h->size);
      return (double) (gint64) u;
    case 'f':
      if (h->size == 2)
        return half_to_double ((guint16) u);
      if (h->size == 4)
        {
          guint32 u32 = (guint32) u;
          float f;

          memcpy (&f, &u32, sizeof f);
          return f;
        }
      else
        {
          double d;

          memcpy (&d, &u, sizeof d);
          return d;
        }
    default:
      g_assert_not_reached ();
    }
}

/* The magic, the version and the header length; sets *offset to where the
 * header starts. */
static gboolean
read_preamble (const char    *name,
               const guint8  *data,
               gsize          len,
               gsize         *header_len,
               gsize         *offset,
               GError       **error)
{
  guint major;

  if (len < 10 || memcmp (data, FS_NPY_MAGIC, 6) != 0)
    return fail (error, name, _("is not a NumPy .npy file (no \\x93NUMPY magic)"));

  major = data[6];
  if (major == 1)
    {
      *header_len = data[8] | (gsize) data[9] << 8;
      *offset = 10;
    }
  else if (major == 2 || major == 3)
    {
      if (len < 12)
        return fail (error, name, _("the .npy file ends inside its header"));
      *header_len = data[8] | (gsize) data[9] << 8 | (gsize) data[10] << 16 | (gsize) data[11] << 24;
      *offset = 12;
    }
  else
    {
      g_autofree char *msg = g_strdup_printf (_("unknown .npy format version %u"), major);
      return fail (error, name, msg);
    }

  if (*header_len > len - *offset)
    {
      g_autofree char *claimed = fs_error_number_text (*header_len);
      g_autofree char *follow = fs_error_number_text (len - *offset);
      g_autofree char *msg =
        g_strdup_printf (_("the .npy header claims %s bytes, but only %s follow"), claimed, follow);
      return fail (error, name, msg);
    }
  return TRUE;
}

/* The header dict: dtype, shape and order into h. */
static gboolean
read_header (const char    *name,
             const guint8  *data,
             gsize          header_len,
             Header        *h,
             GError       **error)
{
  g_autofree char *header_text = g_strndup ((const char *) data, header_len);
  const char *fortran;

  if (strlen (header_text) != header_len)
    return fail (error, name, _("the .npy header holds NUL bytes"));

  if (!parse_descr (find_key (header_text, "descr"), h, name, error) ||
      !parse_shape (find_key (header_text, "shape"), h, name, error))
    return FALSE;
  fortran = find_key (header_text, "fortran_order");
  if (fortran == NULL || !(g_str_has_prefix (fortran, "True") || g_str_has_prefix (fortran, "False")))
    return fail (error, name, _("the .npy header has no 'fortran_order'"));
  h->fortran = g_str_has_prefix (fortran, "True");
  return TRUE;
}

/* The matrix an array of this shape becomes: a 1-D array is one row, a
 * stack of N images N rows of flattened images. */
static gboolean
matrix_size (const char    *name,
             const Header  *h,
             guint64       *rows,
             guint64       *cols,
             GError       **error)
{
  switch (h->n_dims)
    {
    case 0:
      *rows = *cols = 1;
      break;
    case 1:
      *rows = 1;
      *cols = h->shape[0];
      break;
    case 2:
      *rows = h->shape[0];
      *cols = h->shape[1];
      break;
    default:
      *rows = h->shape[0];
      if (h->shape[2] != 0 && h->shape[1] > G_MAXUINT64 / h->shape[2])
        return fail (error, name, _("the .npy shape is too large"));
      *cols = h->shape[1] * h->shape[2];
      break;
    }

  if (!fs_matrix_check_size (*rows, *cols, error))
    {
      g_prefix_error (error, "%s: ", name);
      return FALSE;
    }
  return TRUE;
}

/* Where element (i, j) of the matrix is in the data, in elements. */
static guint64
source_index (const Header *h,
              guint64       rows,
              guint64       cols,
              guint64       i,
              guint64       j)
{
  if (!h->fortran)
    return i * cols + j;
  if (h->n_dims == 3)
    {
      /* Element (i, a, b) of an (N, h, w) array in Fortran order. */
      guint64 a = j / h->shape[2], b = j % h->shape[2];

      return i + rows * (a + h->shape[1] * b);
    }
  return i + rows * j;
}

/* Converts the elements into X, in C order; infinities are errors. */
static gboolean
copy_elements (const char    *name,
               const guint8  *elements,
               const Header  *h,
               FsMatrix      *X,
               GError       **error)
{
  guint64 rows = X->rows, cols = X->cols;

  for (guint64 i = 0; i < rows; i++)
    for (guint64 j = 0; j < cols; j++)
      {
        double v = read_element (elements + source_index (h, rows, cols, i, j) * h->size, h);

        if (isinf (v))
          {
            g_autofree char *row = fs_error_number_text (i + 1);
            g_autofree char *col = fs_error_number_text (j + 1);
            g_autofree char *msg =
              g_strdup_printf (_("holds an infinite value at row %s, column %s"), row, col);
            return fail (error, name, msg);
          }
        X->data[i * cols + j] = v;
      }
  return TRUE;
}

FsMatrix *
fs_npy_parse (const char    *name,
              const guint8  *data,
              gsize          len,
              GError       **error)
{
  g_autoptr(FsMatrix) X = NULL;
  Header h = { 0 };
  gsize header_len, offset;
  guint64 rows, cols;

  if (!read_preamble (name, data, len, &header_len, &offset, error) ||
      !read_header (name, data + offset, header_len, &h, error))
    return NULL;
  offset += header_len;

  if (!matrix_size (name, &h, &rows, &cols, error))
    return NULL;
  if (rows * cols > (len - offset) / h.size)
    {
      g_autofree char *needed = fs_error_number_text (rows * cols * h.size);
      g_autofree char *present = fs_error_number_text (len - offset);
      g_autofree char *msg =
        g_strdup_printf (_("the .npy data is truncated: the shape needs %s bytes, the file has %s"),
                         needed, present);
      return fail (error, name, msg), NULL;
    }

  X = fs_matrix_new (rows, cols, error);
  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }
  if (!copy_elements (name, data + offset, &h, X, error))
    return NULL;

  fs_matrix_mark_missing (X);
  X->format = "npy";
  if (h.n_dims == 3)
    {
      X->image_height = h.shape[1];
      X->image_width = h.shape[2];
    }
  return g_steal_pointer (&X);
}

/* float64, C order, format 1.0 with the header padded to 64 bytes as
 * NumPy writes it; missing cells are NaN. */
GBytes *
fs_npy_encode (const FsMatrix *X)
{
  g_return_val_if_fail (X != NULL && X->sparse == NULL, NULL);

  return fs_npy_encode_data (X->rows, X->cols, X->data);
}

/* A C-order float64 array of rows × cols, as numpy.save writes it. */
GBytes *
fs_npy_encode_data (gsize         rows,
                    gsize         cols,
                    const double *data)
{
  g_autoptr(GString) header = g_string_new (NULL);
  GByteArray *out;
  guint8 preamble[10];

  g_return_val_if_fail (data != NULL || rows * cols == 0, NULL);

  g_string_printf (header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT "), }",
                   rows, cols);
  while ((10 + header->len + 1) % 64 != 0)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  memcpy (preamble, FS_NPY_MAGIC, 6);
  preamble[6] = 1;
  preamble[7] = 0;
  preamble[8] = header->len & 0xff;
  preamble[9] = (header->len >> 8) & 0xff;

  out = g_byte_array_sized_new ((guint) (10 + header->len + rows * cols * 8));
  g_byte_array_append (out, preamble, sizeof preamble);
  g_byte_array_append (out, (const guint8 *) header->str, (guint) header->len);
  for (gsize k = 0; k < rows * cols; k++)
    {
      guint64 u;
      guint8 b[8];

      memcpy (&u, &data[k], sizeof u);
      for (guint i = 0; i < 8; i++)
        b[i] = (u >> (8 * i)) & 0xff;
      g_byte_array_append (out, b, 8);
    }
  return g_byte_array_free_to_bytes (out);
}
