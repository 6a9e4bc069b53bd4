/* test-number.c: fs_number_parse against g_ascii_strtod, bit for bit, on
 * edge cases and on millions of random decimals of every length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fs-number.h"

/* Parses text both ways; a number fs_number_parse takes must be
 * g_ascii_strtod's bits, and text strtod does not read whole must be
 * refused. Returns whether the fast path took it. */
static gboolean
check_one (const char *text,
           char        point)
{
  g_autofree char *dotted = g_strdup (text);
  char *stop = NULL;
  double fast = 0.0, exact;
  gboolean taken = fs_number_parse (text, strlen (text), point, &fast);

  if (point == ',')
    for (char *c = dotted; *c != '\0'; c++)
      if (*c == ',')
        *c = '.';
  exact = g_ascii_strtod (dotted, &stop);
  if (taken)
    {
      if (stop == dotted || *stop != '\0' || memcmp (&fast, &exact, sizeof fast) != 0)
        g_error ("“%s”: fast %.17g (%a), strtod %.17g (%a)", text, fast, fast, exact, exact);
    }
  return taken;
}

static void
test_edges (void)
{
  const char *taken[] = {
    "0", "-0", "+0", "0.0", "-0.0", "1", "-1", "+1", "1.", ".5", "-.5", "00012", "0.000001",
    "123456789012345", "1234567890123456", "12345678901234568", "1234567890123456789",
    "9007199254740992", "9007199254740994", "0.1", "0.2", "0.3", "1e22", "1e-22", "1e24",
    "1.7976931348623157e27", "2.2250738585072014e-11", "0.34117647058823530", "1E5", "1e+5",
    "1e-5", "4.35", "123.456e-3", "0.000000000000000000000000001", "7e-27", "5e27",
    "99999999999999999", "0.30000000000000004", "1.0000000000000002",
    "9.999999999999999e22",
  };
  const char *refused[] = {
    "", "-", "+", ".", "-.", "e5", "1e", "1e+", "1x", "1.2.3", "--1", "1 ", " 1", "nan",
    "inf", "-inf", "NA", "0x10", "1e-400", "1e400", "12345678901234567890123",
    "1e28", "1e-28", "1,5",
    /* Exactly halfway between two doubles: strtod's to round. */
    "9007199254740993", "12345678901234567", "9007199254740995.0", "1e23",
  };

  for (guint i = 0; i < G_N_ELEMENTS (taken); i++)
    if (!check_one (taken[i], '.'))
      g_error ("“%s” should take a fast path", taken[i]);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      double v;

      g_assert_false (fs_number_parse (refused[i], strlen (refused[i]), '.', &v));
    }
  /* Decimal commas, for semicolon-separated files. */
  g_assert_true (check_one ("1,5", ','));
  g_assert_true (check_one ("-0,125e3", ','));
  g_assert_true (check_one ("3,14159265358979312", ','));
  {
    double v;

    g_assert_false (fs_number_parse ("1.5", 3, ',', &v));
  }
  /* Signed zero keeps its sign. */
  {
    double v = 1.0;

    g_assert_true (fs_number_parse ("-0.000", 6, '.', &v));
    g_assert_true (v == 0.0 && signbit (v));
  }
}

/* A decimal of digits significant digits with the point somewhere, an
 * exponent sometimes, a sign sometimes. */
static void
random_decimal (GRand *rand,
                char  *buf,
                gsize  size)
{
  GString *s = g_string_sized_new (48);
  int digits = g_rand_int_range (rand, 1, 22);
  int point = g_rand_int_range (rand, -1, digits + 1);

  if (g_rand_boolean (rand))
    g_string_append_c (s, g_rand_boolean (rand) ? '-' : '+');
  if (g_rand_int_range (rand, 0, 4) == 0)
    g_string_append (s, g_rand_boolean (rand) ? "0." : "0.000");
  for (int k = 0; k < digits; k++)
    {
      if (k == point && !strchr (s->str, '.'))
        g_string_append_c (s, '.');
      g_string_append_c (s, (char) ('0' + g_rand_int_range (rand, k == 0 ? 1 : 0, 10)));
    }
  if (g_rand_int_range (rand, 0, 3) == 0)
    g_string_append_printf (s, "e%d", g_rand_int_range (rand, -40, 41));
  g_strlcpy (buf, s->str, size);
  g_string_free (s, TRUE);
}

static void
test_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20);
  guint taken = 0, n = 2000000;
  char buf[64];

  for (guint i = 0; i < n; i++)
    {
      random_decimal (rand, buf, sizeof buf);
      taken += check_one (buf, '.');
    }
  /* Most of them take a fast path: the test is of something. */
  g_assert_cmpuint (taken, >, n / 2);
}

/* Doubles printed in full (17 digits, as our writer and NumPy do) and in
 * the shortest forms, with ties between doubles made on purpose: the
 * midpoint of two neighbours in 17-19 digits. */
static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  guint taken = 0, n = 1000000;
  char buf[64];

  for (guint i = 0; i < n; i++)
    {
      double x = g_rand_double (rand) * pow (10.0, g_rand_int_range (rand, -12, 13));
      double next = nextafter (x, INFINITY);
      long double mid = ((long double) x + (long double) next) / 2.0L;

      g_snprintf (buf, sizeof buf, "%.17g", x);
      taken += check_one (buf, '.');
      g_snprintf (buf, sizeof buf, "%.16g", x);
      check_one (buf, '.');
      g_snprintf (buf, sizeof buf, "%.15g", x);
      check_one (buf, '.');
      g_snprintf (buf, sizeof buf, "%.19Lg", mid);
      check_one (buf, '.');
      g_snprintf (buf, sizeof buf, "%.18Lg", mid);
      check_one (buf, '.');
    }
  g_assert_cmpuint (taken, >, n * 9 / 10);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/number/edges", test_edges);
  g_test_add_func ("/number/random", test_random);
  g_test_add_func ("/number/round-trip", test_round_trip);
  return g_test_run ();
}
