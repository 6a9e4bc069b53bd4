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

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

static inline double
float_bits_to_double (guint32 u)
{
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

static inline double
double_bits (guint64 u)
{
  double d;

  memcpy (&d, &u, sizeof d);
  return d;
}

static inline guint8  swap8  (guint8 u)  { return u; }
static inline guint16 swap16 (guint16 u) { return GUINT16_SWAP_LE_BE (u); }
static inline guint32 swap32 (guint32 u) { return GUINT32_SWAP_LE_BE (u); }
static inline guint64 swap64 (guint64 u) { return GUINT64_SWAP_LE_BE (u); }

/* One loop per element type, the byte swap (for the other byte order)
 * and the conversion inside. */
#define CONVERT(UT, SWAP, EXPR)                                    \
  for (gsize e = 0; e < n; e++)                                    \
    {                                                              \
      UT u;                                                        \
                                                                   \
      memcpy (&u, src + e * sizeof (UT), sizeof (UT));             \
      if (swap)                                                    \
        u = SWAP (u);                                              \
      out[e] = (EXPR);                                             \
    }

/* n elements of src as doubles into out. */
static void
convert_elements (const Header *h,
                  const guint8 *src,
                  gsize         n,
                  double       *out)
{
  gboolean swap = h->big_endian != (G_BYTE_ORDER == G_BIG_ENDIAN);

  switch (h->kind << 8 | h->size)
    {
    case 'b' << 8 | 1: CONVERT (guint8, swap8, u != 0 ? 1.0 : 0.0); break;
    case 'u' << 8 | 1: CONVERT (guint8, swap8, (double) u); break;
    case 'u' << 8 | 2: CONVERT (guint16, swap16, (double) u); break;
    case 'u' << 8 | 4: CONVERT (guint32, swap32, (double) u); break;
    case 'u' << 8 | 8: CONVERT (guint64, swap64, (double) u); break;
    case 'i' << 8 | 1: CONVERT (guint8, swap8, (double) (gint8) u); break;
    case 'i' << 8 | 2: CONVERT (guint16, swap16, (double) (gint16) u); break;
    case 'i' << 8 | 4: CONVERT (guint32, swap32, (double) (gint32) u); break;
    case 'i' << 8 | 8: CONVERT (guint64, swap64, (double) (gint64) u); break;
    case 'f' << 8 | 2: CONVERT (guint16, swap16, half_to_double (u)); break;
    case 'f' << 8 | 4: CONVERT (guint32, swap32, float_bits_to_double (u)); break;
    case 'f' << 8 | 8: CONVERT (guint64, swap64, double_bits (u)); break;
    default:
      g_assert_not_reached ();
    }
}

#undef CONVERT

/* Whether the file's elements are the matrix's cells in their order, as
 * doubles of this machine: read straight into the matrix. */
static gboolean
is_native_layout (const Header *h,
                  guint64       rows,
                  guint64       cols)
{
  gboolean c_order = !h->fortran || h->n_dims <= 1 ||
                     (h->n_dims == 2 && (rows <= 1 || cols <= 1));

  return c_order && h->kind == 'f' && h->size == 8 &&
         h->big_endian == (G_BYTE_ORDER == G_BIG_ENDIAN);
}

/* What a pass over the cells saw: the sum of their squares, finite when
 * every cell is (and the solver's cost cannot overflow), NaN when some
 * cell is missing (NaN), infinite when a cell is or the sum overflows;
 * and the smallest and largest cell, which hold when the sum is finite. */
typedef struct
{
  double sum_sq;
  double lo;
  double hi;
} Seen;

#define SEEN_INIT { 0.0, INFINITY, -INFINITY }

/* Two doubles in GCC's (and Clang's) vector extension: one SSE2 register,
 * which every x86-64 has. */
typedef double Pair __attribute__ ((vector_size (16)));

static inline Pair
pair_min (Pair a,
          Pair b)
{
#ifdef __SSE2__
  return (Pair) _mm_min_pd ((__m128d) a, (__m128d) b);
#else
  return (Pair) { MIN (a[0], b[0]), MIN (a[1], b[1]) };
#endif
}

static inline Pair
pair_max (Pair a,
          Pair b)
{
#ifdef __SSE2__
  return (Pair) _mm_max_pd ((__m128d) a, (__m128d) b);
#else
  return (Pair) { MAX (a[0], b[0]), MAX (a[1], b[1]) };
#endif
}

/* One pass over n cells while they are in the cache: four squares, minima
 * and maxima at a time, without a branch (the range here costs next to
 * nothing; a pass of its own over a large matrix was a sixth of `info`). */
static inline void
scan_cells (const double *c,
            gsize         n,
            Seen         *seen)
{
  Pair sums_a = { 0.0, 0.0 }, sums_b = { 0.0, 0.0 };
  Pair lo_a = { seen->lo, seen->lo }, lo_b = lo_a, hi_a = { seen->hi, seen->hi }, hi_b = hi_a;
  double sum = 0.0, lo = seen->lo, hi = seen->hi;
  gsize k = 0;

  for (; k + 4 <= n; k += 4)
    {
      Pair a, b;

      memcpy (&a, c + k, sizeof a);
      memcpy (&b, c + k + 2, sizeof b);
      sums_a += a * a;
      sums_b += b * b;
      lo_a = pair_min (lo_a, a);
      lo_b = pair_min (lo_b, b);
      hi_a = pair_max (hi_a, a);
      hi_b = pair_max (hi_b, b);
    }
  for (; k < n; k++)
    {
      sum += c[k] * c[k];
      lo = MIN (lo, c[k]);
      hi = MAX (hi, c[k]);
    }
  sums_a += sums_b;
  lo_a = pair_min (lo_a, lo_b);
  hi_a = pair_max (hi_a, hi_b);
  seen->sum_sq += (sums_a[0] + sums_a[1]) + sum;
  seen->lo = MIN (lo, MIN (lo_a[0], lo_a[1]));
  seen->hi = MAX (hi, MAX (hi_a[0], hi_a[1]));
}

/* Adds what a pass over a later part saw to what seen holds. */
static void
seen_add (Seen       *seen,
          const Seen *part)
{
  seen->sum_sq += part->sum_sq;
  seen->lo = MIN (seen->lo, part->lo);
  seen->hi = MAX (seen->hi, part->hi);
}

/* Converts n elements of src, the elements first, first + 1, … of the
 * file, into their cells of X; the matrix's own order for a C-order
 * file, scattered for a Fortran-order one. */
static void
convert_block (const Header *h,
               const guint8 *src,
               gsize         n,
               guint64       first,
               FsMatrix     *X,
               Seen         *seen)
{
  guint64 rows = X->rows, cols = X->cols;
  double tmp[1024];

  if (!h->fortran || h->n_dims <= 1)
    {
      convert_elements (h, src, n, X->data + first);
      scan_cells (X->data + first, n, seen);
      return;
    }
  for (gsize done = 0; done < n; done += G_N_ELEMENTS (tmp))
    {
      gsize m = MIN (n - done, G_N_ELEMENTS (tmp));

      convert_elements (h, src + done * h->size, m, tmp);
      scan_cells (tmp, m, seen);
      for (gsize e = 0; e < m; e++)
        {
          /* Element k of the file: (i, a, b) of an (N, h, w) array in
           * Fortran order, k = i + N (a + h b); (i, j) of a 2-D one. */
          guint64 k = first + done + e, i = k % rows, t = k / rows, j;

          if (h->n_dims == 3)
            j = (t % h->shape[1]) * h->shape[2] + t / h->shape[1];
          else
            j = t;
          X->data[i * cols + j] = tmp[e];
        }
    }
}

/* After the cells are in: an error naming the first infinite cell, in
 * the matrix's order, and the missing cells marked. */
static gboolean
finish_cells (const char  *name,
              FsMatrix    *X,
              const Seen  *seen,
              GError     **error)
{
  if (isfinite (seen->sum_sq))
    {
      /* Every cell finite, the range known; a zero's sign depends on
       * which of 0 and -0 came first, so the range of zeros is left to
       * fs_matrix_range (). */
      if (X->mask == NULL && seen->lo <= seen->hi && seen->lo != 0.0 && seen->hi != 0.0)
        {
          X->range_known = TRUE;
          X->range_min = seen->lo;
          X->range_max = seen->hi;
        }
      return TRUE;
    }
  /* Some cell is NaN or infinite, or the squares' sum overflows. */
  for (gsize k = 0; k < X->rows * X->cols; k++)
    if (isinf (X->data[k]))
      {
        g_autofree char *row = fs_error_number_text (k / X->cols + 1);
        g_autofree char *col = fs_error_number_text (k % X->cols + 1);
        g_autofree char *msg =
          g_strdup_printf (_("holds an infinite value at row %s, column %s"), row, col);

        return fail (error, name, msg);
      }
  if (isnan (seen->sum_sq))
    fs_matrix_mark_missing (X);
  return TRUE;
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

/* The data holds the elements the shape needs. */
static gboolean
check_data_size (const char  *name,
                 const Header *h,
                 guint64      rows,
                 guint64      cols,
                 guint64      data_len,
                 GError     **error)
{
  if (rows * cols <= data_len / h->size)
    return TRUE;
  {
    g_autofree char *needed = fs_error_number_text (rows * cols * h->size);
    g_autofree char *present = fs_error_number_text (data_len);
    g_autofree char *msg =
      g_strdup_printf (_("the .npy data is truncated: the shape needs %s bytes, the file has %s"),
                       needed, present);
    return fail (error, name, msg);
  }
}

static FsMatrix *
new_matrix (const char    *name,
            const Header  *h,
            guint64        rows,
            guint64        cols,
            GError       **error)
{
  /* Every cell is written before the matrix is returned. */
  FsMatrix *X = fs_matrix_new_unset (rows, cols, error);

  if (X == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }
  X->format = "npy";
  if (h->n_dims == 3)
    {
      X->image_height = h->shape[1];
      X->image_width = h->shape[2];
    }
  return X;
}

/* The cancellable is checked and progress told after each block: 1 MiB
 * (a multiple of every element size), a millisecond or so of work. */
#define BLOCK_BYTES ((gsize) 1 << 20)

/* A file is read on several threads from this many blocks on: below it,
 * starting them costs about what they save. At most MAX_THREADS. */
#define SPLIT_MIN_BLOCKS 8
#define MAX_THREADS 8

/* Loads that were read on several threads, the blocks read in such
 * loads, and those read by threads other than the loading one, for the
 * tests. */
static gint split_reads;
static gint split_blocks;
static gint worker_blocks;

guint
fs_npy_get_split_reads (void)
{
  return (guint) g_atomic_int_get (&split_reads);
}

guint
fs_npy_get_split_blocks (void)
{
  return (guint) g_atomic_int_get (&split_blocks);
}

guint
fs_npy_get_worker_blocks (void)
{
  return (guint) g_atomic_int_get (&worker_blocks);
}

FsMatrix *
fs_npy_parse (const char    *name,
              const guint8  *data,
              gsize          len,
              GError       **error)
{
  return fs_npy_parse_full (name, data, len, NULL, NULL, NULL, error);
}

FsMatrix *
fs_npy_parse_full (const char          *name,
                   const guint8        *data,
                   gsize                len,
                   GCancellable        *cancellable,
                   FsLoadProgressFunc   progress,
                   gpointer             progress_data,
                   GError             **error)
{
  g_autoptr(FsMatrix) X = NULL;
  FsLoadTicker ticker;
  Header h = { 0 };
  Seen seen = SEEN_INIT;
  gsize header_len, offset, total;
  guint64 rows, cols;

  if (!read_preamble (name, data, len, &header_len, &offset, error) ||
      !read_header (name, data + offset, header_len, &h, error))
    return NULL;
  offset += header_len;

  if (!matrix_size (name, &h, &rows, &cols, error) ||
      !check_data_size (name, &h, rows, cols, len - offset, error) ||
      !(X = new_matrix (name, &h, rows, cols, error)))
    return NULL;

  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, len);
  total = rows * cols;
  for (gsize first = 0, per_block = BLOCK_BYTES / h.size; first < total; first += per_block)
    {
      gsize n = MIN (per_block, total - first);

      convert_block (&h, data + offset + first * h.size, n, first, X, &seen);
      if (!fs_load_ticker_tick (&ticker, offset + (first + n) * h.size, error))
        return NULL;
    }
  if (!finish_cells (name, X, &seen, error))
    return NULL;
  return g_steal_pointer (&X);
}

/* Reads len bytes at offset of the file, whole, a short read retried:
 * 0, or the errno of a failed read, or -1 when the file ends before
 * them (it shrank). Sets no GError, so the reading threads allocate
 * nothing from GLib. */
static int
pread_all (int      fd,
           void    *buffer,
           gsize    len,
           guint64  offset)
{
  guint8 *p = buffer;

  while (len > 0)
    {
      gssize got = pread (fd, p, MIN (len, (gsize) G_MAXSSIZE), (off_t) offset);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return errno;
      if (got == 0)
        return -1;
      p += got;
      len -= (gsize) got;
      offset += (guint64) got;
    }
  return 0;
}

/* The error pread_all's result names. */
static gboolean
read_failed (const char  *name,
             int          result,
             GError     **error)
{
  if (result < 0)
    return fail (error, name, _("the file ended before its data: it changed while it was read"));
  g_set_error (error, FS_ERROR, FS_ERROR_IO, _("Cannot read %s: %s"), name,
               g_strerror (result));
  return FALSE;
}

static gboolean
read_at (const char  *name,
         int          fd,
         void        *buffer,
         gsize        len,
         guint64      offset,
         GError     **error)
{
  int result = pread_all (fd, buffer, len, offset);

  return result == 0 || read_failed (name, result, error);
}

/* The data part of a file, in blocks of BLOCK_BYTES: what one block's
 * reader needs. */
typedef struct
{
  int            fd;
  guint64        offset;     /* of the data in the file */
  const Header  *h;
  FsMatrix      *X;
  gsize          per_block;  /* elements */
  gsize          n_blocks;
  Seen          *block_seen; /* what a pass over each block saw */
} Blocks;

/* Reads block b into the matrix: float64 in this machine's order and the
 * matrix's order straight into its cells, anything else through buffer
 * (BLOCK_BYTES). 0 or pread_all's failure. */
static int
read_block (const Blocks *blocks,
            gsize         b,
            guint8       *buffer)
{
  const Header *h = blocks->h;
  FsMatrix *X = blocks->X;
  gsize first = b * blocks->per_block;
  gsize n = MIN (blocks->per_block, X->rows * X->cols - first);
  guint64 at = blocks->offset + (guint64) first * h->size;
  Seen seen = SEEN_INIT;
  int result;

  if (buffer == NULL)
    {
      result = pread_all (blocks->fd, X->data + first, n * sizeof (double), at);
      if (result == 0)
        scan_cells (X->data + first, n, &seen);
    }
  else
    {
      result = pread_all (blocks->fd, buffer, n * h->size, at);
      if (result == 0)
        convert_block (h, buffer, n, first, X, &seen);
    }
  blocks->block_seen[b] = seen;
  return result;
}

/* The blocks shared by the reading threads: each takes the next
 * UNIT_BLOCKS blocks not taken (so a thread slowed by the disk or by
 * another process takes fewer) until every block is read or one fails or
 * the load is cancelled. 4 MiB: whole huge pages of the matrix (it starts
 * on a 2 MiB boundary), so two threads do not fault in the same one. */
#define UNIT_BLOCKS 4

typedef struct
{
  const Blocks *blocks;
  GMutex        mutex;
  GCond         cond;
  guint         running;     /* threads not finished, under mutex */
  int          *results;     /* per block: 0 read, else its failure; each
                              * written by the thread that read it */
  guint8       *read;        /* per block: whether it was tried */
  gint          stop;        /* atomic */
  guint         next;        /* atomic: the next unit to take */
  gsize         done;        /* atomic (pointer-sized): bytes read */
  guint8      **buffers;     /* one per reader, for conversions */
  guint         next_buffer; /* atomic */
} Shared;

/* Reads the blocks of unit u (or what is left of them once reading
 * stops); with a ticker (the loading thread's), progress is told and
 * the cancellable checked after each block. FALSE once reading stops. */
static gboolean
read_unit (Shared        *shared,
           gsize          u,
           guint8        *buffer,
           FsLoadTicker  *ticker,
           GError       **error)
{
  const Blocks *blocks = shared->blocks;
  gsize total = blocks->X->rows * blocks->X->cols;

  for (gsize b = u * UNIT_BLOCKS; b < MIN ((u + 1) * UNIT_BLOCKS, blocks->n_blocks); b++)
    {
      int result;
      gsize done, bytes;

      if (g_atomic_int_get (&shared->stop))
        return FALSE;
      result = read_block (blocks, b, buffer);
      shared->results[b] = result;
      shared->read[b] = 1;
      g_atomic_int_inc (&split_blocks);
      if (ticker == NULL)
        g_atomic_int_inc (&worker_blocks);
      if (result != 0)
        {
          g_atomic_int_set (&shared->stop, 1);
          return FALSE;
        }
      bytes = MIN (blocks->per_block, total - b * blocks->per_block) * blocks->h->size;
      /* The add gives the count before it. */
      done = (gsize) g_atomic_pointer_add (&shared->done, bytes) + bytes;
      if (ticker != NULL &&
          !fs_load_ticker_tick (ticker, (gsize) blocks->offset + done, error))
        {
          g_atomic_int_set (&shared->stop, 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* The units not taken, one after the other. */
static void
read_units (Shared        *shared,
            guint8        *buffer,
            FsLoadTicker  *ticker,
            GError       **error)
{
  gsize n_units = (shared->blocks->n_blocks + UNIT_BLOCKS - 1) / UNIT_BLOCKS;

  for (;;)
    {
      gsize u = (gsize) g_atomic_int_add (&shared->next, 1);

      if (u >= n_units || !read_unit (shared, u, buffer, ticker, error))
        return;
    }
}

static gpointer
block_worker (gpointer data)
{
  Shared *shared = data;
  guint8 *buffer = NULL;

  if (shared->buffers != NULL)
    buffer = shared->buffers[g_atomic_int_add (&shared->next_buffer, 1)];
  read_units (shared, buffer, NULL, NULL);
  g_mutex_lock (&shared->mutex);
  shared->running--;
  g_cond_signal (&shared->cond);
  g_mutex_unlock (&shared->mutex);
  return NULL;
}

/* Reads the blocks on n_threads threads, this one among them: it tells
 * progress and watches the cancellable after each of its blocks, and
 * once it has no more to read, every 5 ms until the others end. FALSE
 * with error set on a failure or a cancel, or without one and *serial
 * set when no other thread could be started. */
static gboolean
read_blocks_split (const char    *name,
                   const Blocks  *blocks,
                   guint          n_threads,
                   FsLoadTicker  *ticker,
                   gboolean      *serial,
                   GError       **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GPtrArray) buffers = g_ptr_array_new_with_free_func (g_free);
  g_autofree int *results = g_new0 (int, blocks->n_blocks);
  g_autofree guint8 *read = g_new0 (guint8, blocks->n_blocks);
  Shared shared = { blocks };
  g_autoptr(GError) cancel = NULL;
  gboolean native = is_native_layout (blocks->h, blocks->X->rows, blocks->X->cols);
  guint8 *buffer = NULL;
  gsize first;

  *serial = FALSE;
  shared.results = results;
  shared.read = read;
  /* No more threads than units to share. */
  n_threads = (guint) MIN ((gsize) n_threads, (blocks->n_blocks + UNIT_BLOCKS - 1) / UNIT_BLOCKS);
  /* Made here, before the threads: nothing GLib allocates passes
   * between them. */
  if (!native)
    {
      for (guint t = 0; t < n_threads; t++)
        g_ptr_array_add (buffers, g_malloc (BLOCK_BYTES));
      shared.buffers = (guint8 **) buffers->pdata;
      buffer = shared.buffers[g_atomic_int_add (&shared.next_buffer, 1)];
    }
  g_mutex_init (&shared.mutex);
  g_cond_init (&shared.cond);
  /* This thread's first unit is taken before the others start, so that
   * it tells progress at least once. */
  first = (gsize) g_atomic_int_add (&shared.next, 1);
  shared.running = n_threads - 1;
  for (guint t = 1; t < n_threads; t++)
    {
      /* A process short of threads reads with those it got. */
      GThread *thread = g_thread_try_new ("fs-npy", block_worker, &shared, NULL);

      if (thread == NULL)
        {
          g_mutex_lock (&shared.mutex);
          shared.running -= n_threads - t;
          g_mutex_unlock (&shared.mutex);
          break;
        }
      g_ptr_array_add (threads, thread);
    }

  if (threads->len > 0 && read_unit (&shared, first, buffer, ticker, &cancel))
    read_units (&shared, buffer, ticker, &cancel);
  g_mutex_lock (&shared.mutex);
  while (shared.running > 0)
    {
      g_cond_wait_until (&shared.cond, &shared.mutex,
                         g_get_monotonic_time () + 5 * G_TIME_SPAN_MILLISECOND);
      if (shared.running == 0 || cancel != NULL)
        continue;
      /* Progress is told outside the lock: the callback is the
       * application's, and a reader finishing must not wait on it. */
      g_mutex_unlock (&shared.mutex);
      if (!fs_load_ticker_tick (ticker, (gsize) blocks->offset +
                                        (gsize) g_atomic_pointer_get (&shared.done),
                                &cancel))
        g_atomic_int_set (&shared.stop, 1);
      g_mutex_lock (&shared.mutex);
    }
  g_mutex_unlock (&shared.mutex);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (threads->pdata[t]);
  g_mutex_clear (&shared.mutex);
  g_cond_clear (&shared.cond);

  if (threads->len == 0)
    {
      *serial = TRUE;
      return FALSE;
    }
  if (cancel != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&cancel));
      return FALSE;
    }
  /* A failure stopped the threads, perhaps before a block under it that
   * fails otherwise (an I/O error before the end of a file that shrank):
   * the blocks are looked at in order, those not tried read now, so the
   * error is the one a single thread meets first. */
  for (gsize b = 0; b < blocks->n_blocks; b++)
    {
      int result = shared.read[b] ? shared.results[b] : read_block (blocks, b, buffer);

      if (result != 0)
        return read_failed (name, result, error);
    }
  /* A cancel after this thread's last look counts, as on one thread. */
  if (g_cancellable_set_error_if_cancelled (ticker->cancellable, error))
    return FALSE;
  g_atomic_int_inc (&split_reads);
  return TRUE;
}

/* The data part of the file, a block at a time, on n_threads threads (0:
 * as many as the machine has cores, when the data is large enough to pay
 * for them), then the cells checked. The blocks' sums of squares are
 * added in the blocks' order, so the sum is the same bit for bit however
 * many threads read. */
static gboolean
read_data (const char    *name,
           int            fd,
           guint64        offset,
           const Header  *h,
           FsMatrix      *X,
           FsLoadTicker  *ticker,
           guint          n_threads,
           double        *sum_sq,
           GError       **error)
{
  g_autofree Seen *block_seen = NULL;
  gsize total = X->rows * X->cols, per_block = BLOCK_BYTES / h->size;
  Blocks blocks = { fd, offset, h, X, per_block, (total + per_block - 1) / per_block };
  Seen seen = SEEN_INIT;
  gboolean serial = TRUE;

  block_seen = g_new0 (Seen, MAX (blocks.n_blocks, 1));
  blocks.block_seen = block_seen;
  if (n_threads == 0)
    n_threads = blocks.n_blocks >= SPLIT_MIN_BLOCKS
                  ? (guint) CLAMP (g_get_num_processors (), 1, MAX_THREADS) : 1;
  /* Threads share units of UNIT_BLOCKS: one unit is read serially. */
  if (n_threads > 1 && blocks.n_blocks > UNIT_BLOCKS)
    {
      if (read_blocks_split (name, &blocks, n_threads, ticker, &serial, error))
        serial = FALSE;
      else if (!serial)
        return FALSE;
    }
  if (serial)
    {
      g_autofree guint8 *buffer = is_native_layout (h, X->rows, X->cols)
                                    ? NULL : g_malloc (BLOCK_BYTES);

      for (gsize b = 0; b < blocks.n_blocks; b++)
        {
          int result = read_block (&blocks, b, buffer);
          gsize end = MIN ((b + 1) * per_block, total);

          if (result != 0)
            return read_failed (name, result, error);
          if (!fs_load_ticker_tick (ticker, (gsize) (offset + (guint64) end * h->size), error))
            return FALSE;
        }
      /* As the threads' path: a cancel after the last look counts. */
      if (g_cancellable_set_error_if_cancelled (ticker->cancellable, error))
        return FALSE;
    }
  for (gsize b = 0; b < blocks.n_blocks; b++)
    seen_add (&seen, &block_seen[b]);
  *sum_sq = seen.sum_sq;
  return finish_cells (name, X, &seen, error);
}

FsMatrix *
fs_npy_read_fd (const char          *name,
                int                  fd,
                guint64              size,
                GCancellable        *cancellable,
                FsLoadProgressFunc   progress,
                gpointer             progress_data,
                double              *sum_sq,
                GError             **error)
{
  return fs_npy_read_fd_split (name, fd, size, 0, cancellable, progress, progress_data, sum_sq,
                               error);
}

FsMatrix *
fs_npy_read_fd_split (const char          *name,
                      int                  fd,
                      guint64              size,
                      guint                n_threads,
                      GCancellable        *cancellable,
                      FsLoadProgressFunc   progress,
                      gpointer             progress_data,
                      double              *sum_sq,
                      GError             **error)
{
  g_autoptr(FsMatrix) X = NULL;
  g_autofree guint8 *header = NULL;
  double sum = NAN;
  FsLoadTicker ticker;
  Header h = { 0 };
  guint8 preamble[12] = { 0 };
  gsize header_len, offset;
  guint64 rows, cols;

  g_return_val_if_fail (fd >= 0, NULL);

  if (!read_at (name, fd, preamble, (gsize) MIN (size, sizeof preamble), 0, error) ||
      !read_preamble (name, preamble, (gsize) MIN (size, G_MAXSIZE), &header_len, &offset, error))
    return NULL;
  /* The header's length is checked against the file only: a file of some
   * GB may claim a header that large. */
  header = g_try_malloc (header_len + 1);
  if (header == NULL)
    {
      g_autofree char *claimed = fs_error_number_text (header_len);
      g_autofree char *msg =
        g_strdup_printf (_("not enough memory for its header of %s bytes"), claimed);

      fail (error, name, msg);
      return NULL;
    }
  if (!read_at (name, fd, header, header_len, offset, error) ||
      !read_header (name, header, header_len, &h, error))
    return NULL;
  offset += header_len;

  if (!matrix_size (name, &h, &rows, &cols, error) ||
      !check_data_size (name, &h, rows, cols, size - offset, error) ||
      !(X = new_matrix (name, &h, rows, cols, error)))
    return NULL;

#ifdef POSIX_FADV_SEQUENTIAL
  /* The kernel reads further ahead. */
  posix_fadvise (fd, (off_t) offset, 0, POSIX_FADV_SEQUENTIAL);
#endif
  fs_load_ticker_init (&ticker, cancellable, progress, progress_data, (gsize) size);
  if (!read_data (name, fd, offset, &h, X, &ticker, n_threads, &sum, error))
    return NULL;
  if (sum_sq != NULL)
    *sum_sq = sum;
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
