/* fs-csv.c
 *
 * Numbers are written in the fewest digits that read back to the same
 * double; missing cells as NaN, which R, pandas, NumPy and our own loader
 * all read as missing. Labels are quoted when they must be, and a label
 * that would read as a number is always quoted, so the loader finds the
 * header and the row names again.
 *
 * A set of files, such as a run's results, is replaced as a whole or not
 * at all (fs_csv_write_set).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-csv"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-csv.h"

/* What R's read.csv makes of text (R_strtod5 in R's util.c): the digits
 * gathered in a long double, scaled by a power of ten in long double,
 * then rounded to a double. Rounding twice puts about one value in ten
 * thousand one unit off; the writer avoids the forms that do. */
static double
read_as_r_does (const char *text)
{
  long double ans = 0.0L, p10 = 10.0L, fac = 1.0L;
  int expn = 0, ndigits = 0, sign = 1;
  const char *p = text;

  if (*p == '-' || *p == '+')
    sign = *p++ == '-' ? -1 : 1;
  for (; g_ascii_isdigit (*p); p++, ndigits++)
    ans = 10 * ans + (*p - '0');
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, ndigits++, expn--)
      ans = 10 * ans + (*p - '0');
  if (*p == 'e' || *p == 'E')
    expn += (int) g_ascii_strtoll (p + 1, NULL, 10);

  if (expn + ndigits < -300)
    {
      for (int n = 0; n < ndigits; n++)
        ans /= 10.0L;
      expn += ndigits;
    }
  if (expn < -307)
    {
      for (int n = -expn; n; n >>= 1, p10 *= p10)
        if (n & 1)
          fac /= p10;
      ans *= fac;
    }
  else
    {
      for (int n = ABS (expn); n; n >>= 1, p10 *= p10)
        if (n & 1)
          fac *= p10;
      ans = expn < 0 ? ans / fac : ans * fac;
    }
  return sign * (double) ans;
}

/* Whether text reads back as value, bit for bit, with a correctly
 * rounded strtod (C, NumPy, Python, pandas's round_trip) and with R. */
static gboolean
reads_back (const char *text,
            double      value)
{
  double exact = g_ascii_strtod (text, NULL);
  double r = read_as_r_does (text);

  return memcmp (&exact, &value, sizeof value) == 0 && memcmp (&r, &value, sizeof value) == 0;
}

/* The fewest significant digits (15, 16, 17, up to 19) that read back to
 * value, written with a point whatever LC_NUMERIC says; 17 digits when R
 * cannot get it back at all (outside its exact powers of ten). */
void
fs_csv_append_number (GString *out,
                      double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      g_string_append (out, "NaN");
      return;
    }
  /* "-0" would make pandas read a column of whole numbers as integers,
   * which have no negative zero. */
  if (value == 0.0 && signbit (value))
    {
      g_string_append (out, "-0.0");
      return;
    }
  if (isinf (value))
    {
      g_string_append (out, value > 0 ? "Inf" : "-Inf");
      return;
    }

  for (int digits = 15; digits <= 19; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (reads_back (buf, value))
        {
          g_string_append (out, buf);
          return;
        }
    }
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.17g", value));
}

static void
append_label (GString    *out,
              const char *label,
              char        separator)
{
  gboolean quote = label[0] == '\0' || strchr (label, separator) != NULL ||
                   strpbrk (label, "\"\r\n#") != NULL || g_ascii_isspace (label[0]) ||
                   g_ascii_isdigit (label[0]) || label[0] == '-' || label[0] == '+' ||
                   label[0] == '.';

  if (!quote)
    {
      g_string_append (out, label);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *c = label; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

GBytes *
fs_csv_encode (const FsMatrix *X,
               char            separator)
{
  GString *out;

  /* fs_matrix_save makes a sparse matrix dense first. */
  g_return_val_if_fail (X != NULL && X->sparse == NULL, NULL);

  out = g_string_sized_new (X->rows * X->cols * 8 + 64);
  if (X->col_labels != NULL)
    {
      if (X->row_labels != NULL)
        {
          append_label (out, "", separator);
          g_string_append_c (out, separator);
        }
      for (gsize j = 0; j < X->cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, separator);
          append_label (out, X->col_labels[j], separator);
        }
      g_string_append_c (out, '\n');
    }

  for (gsize i = 0; i < X->rows; i++)
    {
      if (X->row_labels != NULL)
        {
          append_label (out, X->row_labels[i], separator);
          g_string_append_c (out, separator);
        }
      for (gsize j = 0; j < X->cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, separator);
          fs_csv_append_number (out, X->data[i * X->cols + j]);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free_to_bytes (out);
}

/* A header row, then each row's label and numbers, as R's write.csv and
 * pandas's to_csv write a labelled table: corner is the header's first
 * cell ("" for theirs), row_labels and col_labels hold rows and cols
 * strings. */
GBytes *
fs_csv_encode_table (gsize               rows,
                     gsize               cols,
                     const double       *data,
                     const char         *corner,
                     const char * const *row_labels,
                     const char * const *col_labels)
{
  GString *out = g_string_sized_new ((rows + 1) * (cols + 1) * 12 + 64);

  g_return_val_if_fail (data != NULL || rows * cols == 0, NULL);
  g_return_val_if_fail (corner != NULL && row_labels != NULL && col_labels != NULL, NULL);

  append_label (out, corner, ',');
  for (gsize j = 0; j < cols; j++)
    {
      g_string_append_c (out, ',');
      append_label (out, col_labels[j], ',');
    }
  g_string_append_c (out, '\n');

  for (gsize i = 0; i < rows; i++)
    {
      append_label (out, row_labels[i], ',');
      for (gsize j = 0; j < cols; j++)
        {
          g_string_append_c (out, ',');
          fs_csv_append_number (out, data[i * cols + j]);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free_to_bytes (out);
}

/* Bare numbers with an optional header line, for factors and products. */
GBytes *
fs_csv_format (gsize         rows,
               gsize         cols,
               const double *data,
               const char   *header)
{
  GString *out = g_string_sized_new (rows * cols * 12 + 64);

  if (header != NULL)
    {
      g_string_append (out, header);
      g_string_append_c (out, '\n');
    }

  for (gsize i = 0; i < rows; i++)
    {
      for (gsize j = 0; j < cols; j++)
        {
          if (j > 0)
            g_string_append_c (out, ',');
          fs_csv_append_number (out, data[i * cols + j]);
        }
      g_string_append_c (out, '\n');
    }

  return g_string_free_to_bytes (out);
}

/* The file that writing path must replace: the end of its chain of
 * symbolic links, so that a link stays a link and its target gets the
 * data, or path itself. */
static char *
resolve_links (const char  *path,
               GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (int hops = 0; hops < 40; hops++)
    {
      GStatBuf st;
      char *link;

      if (g_lstat (current, &st) != 0 || !S_ISLNK (st.st_mode))
        return g_steal_pointer (&current);
      if ((link = g_file_read_link (current, error)) == NULL)
        return NULL;
      if (!g_path_is_absolute (link))
        {
          g_autofree char *dir = g_path_get_dirname (current);
          g_autofree char *relative = link;

          link = g_build_filename (dir, relative, NULL);
        }
      g_free (current);
      current = link;
    }

  {
    g_autofree char *name = g_filename_display_name (path);

    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP,
                 _("Cannot write %s: %s"), name, g_strerror (ELOOP));
  }
  return NULL;
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize done = write (fd, data, length);

      if (done < 0 && errno == EINTR)
        continue;
      if (done < 0)
        return FALSE;
      data += done;
      length -= (gsize) done;
    }
  return TRUE;
}

/* Writes contents to a new file beside target, with target's permissions
 * if it exists, flushed to the disk as g_file_set_contents does. Returns
 * its name, or NULL with errno set and nothing left behind. */
static char *
write_temporary (const char *target,
                 GBytes     *contents)
{
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *hidden = g_strdup_printf (".%s.XXXXXX", base);
  char *temp = g_build_filename (dir, hidden, NULL);
  GStatBuf old;
  gboolean exists = g_stat (target, &old) == 0;
  gboolean replacing = exists && S_ISREG (old.st_mode);
  mode_t mode = replacing ? old.st_mode & 07777 : 0666;
  gsize length;
  const char *data = g_bytes_get_data (contents, &length);
  int fd = -1;
  int saved;

  /* A folder in the way would only show when renaming, too late to keep
   * the set whole. */
  if (exists && S_ISDIR (old.st_mode))
    errno = EISDIR;
  else
    fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, (int) mode);
  if (fd >= 0)
    {
      /* The umask applies to a new file, not to one that replaces another. */
      gboolean ok = (!replacing || fchmod (fd, mode) == 0) && write_all (fd, data, length) &&
                    fsync (fd) == 0;

      saved = errno;
      if (close (fd) == 0 && ok)
        return temp;
      if (ok)
        saved = errno;
      g_unlink (temp);
      errno = saved;
    }
  g_free (temp);
  return NULL;
}

static void
set_write_error (GError    **error,
                 const char *path,
                 const char *target,
                 int         saved)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *target_name = g_filename_display_name (target);
  GFileError code = g_file_error_from_errno (saved);

  if (saved == EFBIG)
    g_set_error (error, G_FILE_ERROR, code,
                 _("Cannot write %s: the file-size limit was reached"), name);
  else if (saved == ENOSPC || saved == EDQUOT)
    g_set_error (error, G_FILE_ERROR, code, _("Cannot write %s: the disk is full"), name);
  else if (saved == ENOENT && !g_str_equal (path, target))
    g_set_error (error, G_FILE_ERROR, code,
                 _("Cannot write %s: it links to %s, in a folder that does not exist"),
                 name, target_name);
  else
    g_set_error (error, G_FILE_ERROR, code, _("Cannot write %s: %s"), name, g_strerror (saved));
}

/* Writes n files as one set: each to a temporary file beside the file it
 * replaces, and only once all are whole on the disk, renames them into
 * place, so a full disk or a file-size limit leaves the old set whole and
 * no temporary file behind. A symbolic link stays a link: the file it
 * leads to is replaced. */
gboolean
fs_csv_write_set (guint               n,
                  const char * const *paths,
                  GBytes * const     *contents,
                  GError            **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) temps = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;

  g_return_val_if_fail (paths != NULL && contents != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; ok && i < n; i++)
    {
      char *target = resolve_links (paths[i], error);
      char *temp = target != NULL ? write_temporary (target, contents[i]) : NULL;

      if (target != NULL && temp == NULL)
        set_write_error (error, paths[i], target, errno);
      ok = temp != NULL;
      g_ptr_array_add (targets, target);
      g_ptr_array_add (temps, temp);
    }

  /* Renames within a folder do not fail for want of space. */
  for (guint i = 0; ok && i < n; i++)
    {
      if (g_rename (temps->pdata[i], targets->pdata[i]) != 0)
        {
          set_write_error (error, paths[i], targets->pdata[i], errno);
          ok = FALSE;
        }
      else
        g_clear_pointer (&temps->pdata[i], g_free);
    }

  for (guint i = 0; i < temps->len; i++)
    if (temps->pdata[i] != NULL)
      g_unlink (temps->pdata[i]);
  return ok;
}
