/* fs-number.c
 *
 * Two exact fast paths, tried in turn, for the decimals data files hold:
 *
 * - Clinger's: at most 15 significant digits and a power of ten within
 *   ±22 make one exact integer times (or over) one exact power of ten, so
 *   a single IEEE operation gives the correctly rounded double.
 * - The same in x87 extended precision (64-bit significand), for up to 19
 *   digits and powers up to ±27 (5^27 < 2^64, so the power is exact): one
 *   correctly rounded extended operation, then a rounding to double. The
 *   second rounding can only differ from rounding the exact value once
 *   when the extended result lies exactly on a tie between two doubles
 *   (its low 11 bits 10000000000): rounding is monotonic and ties are
 *   representable, so off a tie both roundings fall on the same side. A
 *   tie goes to strtod.
 *
 * Everything else (more digits, far exponents, other text) is FALSE, and
 * the caller asks strtod. The full-precision numbers our own writer and
 * NumPy write (17 significant digits) take the second path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <string.h>

#include "fs-number.h"

static const double powers_double[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#if defined(__x86_64__) && LDBL_MANT_DIG == 64
#define HAVE_EXTENDED 1
static const long double powers_extended[] = {
  1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L,
  1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L,
  1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};

/* Whether long double arithmetic really carries 64 bits: not under
 * valgrind, which computes x87 operations in double precision (and the
 * path would then round twice unseen). Probed once: 1 + 2^-63 is 1 there. */
static gint extended_checked = -1;

static gboolean
have_extended (void)
{
  gint ok = g_atomic_int_get (&extended_checked);

  if (G_UNLIKELY (ok < 0))
    {
      volatile long double one = 1.0L;
      volatile long double epsilon = LDBL_EPSILON;

      ok = one + epsilon != one;
      g_atomic_int_set (&extended_checked, ok);
    }
  return ok;
}

/* Whether an extended value lies exactly halfway between two doubles. */
static inline gboolean
is_double_tie (long double x)
{
  guint64 significand;

  memcpy (&significand, &x, sizeof significand);
  return (significand & 0x7ff) == 0x400;
}
#endif

/* Whether the 8 bytes of v (read little-endian) are all ASCII digits:
 * each byte's high nibble is 3, and adding 6 does not carry past 9. */
static inline gboolean
is_eight_digits (guint64 v)
{
  return ((v & G_GUINT64_CONSTANT (0xF0F0F0F0F0F0F0F0)) |
          (((v + G_GUINT64_CONSTANT (0x0606060606060606)) &
            G_GUINT64_CONSTANT (0xF0F0F0F0F0F0F0F0)) >> 4)) ==
         G_GUINT64_CONSTANT (0x3333333333333333);
}

/* The value of 8 ASCII digits, the first in the lowest byte: pairs of
 * digits, then fours, then the eight, each step one multiply. */
static inline guint64
eight_digits_value (guint64 v)
{
  v -= G_GUINT64_CONSTANT (0x3030303030303030);
  v = (v * 10 + (v >> 8)) & G_GUINT64_CONSTANT (0x00FF00FF00FF00FF);
  v = (v * 100 + (v >> 16)) & G_GUINT64_CONSTANT (0x0000FFFF0000FFFF);
  return (v * 10000 + (v >> 32)) & G_GUINT64_CONSTANT (0xFFFFFFFF);
}

/* Reads the digits at p into *mantissa (mantissa * 10^n + digits, modulo
 * 2^64), eight at a time where it can; returns where they end. */
static inline const char *
read_digits (const char *p,
             const char *end,
             guint64    *mantissa)
{
  guint64 m = *mantissa;

  while (end - p >= 8)
    {
      guint64 v;

      memcpy (&v, p, sizeof v);
      if (!is_eight_digits (v))
        break;
      m = m * 100000000u + eight_digits_value (v);
      p += 8;
    }
  for (; p < end && (guint) (*p - '0') < 10; p++)
    m = m * 10 + (guint64) (*p - '0');
  *mantissa = m;
  return p;
}

gboolean
fs_number_parse (const char *s,
                 gsize       len,
                 char        point,
                 double     *out)
{
  const char *p = s, *end = s + len;
  gboolean negative = FALSE, any;
  guint64 mantissa = 0;
  int digits = 0, exponent = 0;
  const char *first_digit;
  double v;

  /* Longer text is no number a fast path rounds. */
  if (len > 400)
    return FALSE;
  if (p < end && (*p == '-' || *p == '+'))
    negative = *p++ == '-';

  /* Leading zeros are not significant digits. Past 19 digits the
   * mantissa wraps, but then the number is refused. */
  first_digit = p;
  while (p < end && *p == '0')
    p++;
  {
    const char *from = p;

    p = read_digits (p, end, &mantissa);
    digits = (int) (p - from);
  }
  any = p > first_digit;
  if (p < end && *p == point)
    {
      const char *after = ++p, *from;

      if (mantissa == 0)
        for (; p < end && *p == '0'; p++)
          exponent--;
      from = p;
      p = read_digits (p, end, &mantissa);
      digits += (int) (p - from);
      exponent -= (int) (p - from);
      any |= p > after;
    }
  if (digits > 19)
    return FALSE;
  /* "." alone, or "-", is no number. */
  if (!any)
    return FALSE;

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean negative_exponent = FALSE;
      int e = 0;

      p++;
      if (p < end && (*p == '-' || *p == '+'))
        negative_exponent = *p++ == '-';
      if (p == end || (guint) (*p - '0') >= 10)
        return FALSE;
      for (; p < end && (guint) (*p - '0') < 10; p++)
        if ((e = e * 10 + (*p - '0')) > 400)
          return FALSE;
      exponent += negative_exponent ? -e : e;
    }
  if (p != end)
    return FALSE;

  if (mantissa == 0)
    {
      *out = negative ? -0.0 : 0.0;
      return TRUE;
    }

  if (digits <= 15 && exponent >= -22 && exponent <= 22)
    {
      v = (double) mantissa;
      v = exponent < 0 ? v / powers_double[-exponent] : v * powers_double[exponent];
      *out = negative ? -v : v;
      return TRUE;
    }

#ifdef HAVE_EXTENDED
  if (exponent >= -27 && exponent <= 27 && have_extended ())
    {
      long double x = (long double) mantissa;

      x = exponent < 0 ? x / powers_extended[-exponent] : x * powers_extended[exponent];
      if (is_double_tie (x))
        return FALSE;
      v = (double) x;
      *out = negative ? -v : v;
      return TRUE;
    }
#endif
  return FALSE;
}
