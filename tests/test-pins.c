/* test-pins.c: pinned runs: the items' numbers from real finished runs,
 * the legend bar and the comparison table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "fs-loader.h"
#include "fs-optimum.h"
#include "fs-pins.h"
#include "fs-runner.h"
#include "fs-test-ui.h"

#define DEADLINE (60 * G_USEC_PER_SEC)
#define ITERATIONS 400

/* The live curve's blue, as the window gives it to the live row. */
static const GdkRGBA live_colour = { 0x1c / 255.0, 0x71 / 255.0, 0xd8 / 255.0, 1.0 };
static const GdkRGBA live_colour_dark = { 0x78 / 255.0, 0xae / 255.0, 0xed / 255.0, 1.0 };

/* ---- Real runs ---- */

static FsMatrix *
load_dune (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FS_TEST_DATA"), "csv", "vegan_dune.csv", NULL);
  g_autoptr(GError) error = NULL;
  FsMatrix *X = fs_matrix_load (path, &error);

  g_assert_no_error (error);
  return X;
}

static void
run_params (FsParams *p,
            guint     rank,
            guint     runs,
            gboolean  nonneg)
{
  fs_params_init_defaults (p);
  p->rank = rank;
  p->restarts = runs;
  p->nonneg = nonneg;
  p->max_iters = ITERATIONS;
  p->threads = 1;
}

/* A finished run of p on X, with what other branches fill by hand: the
 * settings it ran with, and no held-out cells. */
static FsSnapshot *
finished_run (FsMatrix       *X,
              const FsParams *p)
{
  g_autoptr(FsRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE;
  FsSnapshot *snap;

  runner = fs_runner_new (X, p, &error);
  g_assert_no_error (error);
  fs_runner_run (runner);
  for (;;)
    {
      snap = fs_runner_get_snapshot (runner);
      if (snap->state == FS_RUNNER_FINISHED)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fs_runner_wait (runner, snap->serial, deadline - g_get_monotonic_time ());
      fs_snapshot_unref (snap);
    }
  snap->params = *p;
  snap->holdout_mse = NAN;
  return snap;
}

static double
optimum_of (FsMatrix       *X,
            const FsParams *p)
{
  g_autoptr(GArray) sv = fs_singular_values (X, NULL);

  return fs_optimum_value ((double *) sv->data, sv->len, p->rank, p->l2_w, p->l2_h);
}

static double
exact_zero_share (const double *values,
                  gsize         len)
{
  gsize zeros = 0;

  for (gsize k = 0; k < len; k++)
    zeros += values[k] == 0.0;
  return (double) zeros / len;
}

/* ---- Fixture: a live run and three pinned ones of the dune data ---- */

typedef struct
{
  FsMatrix   *X;
  FsSnapshot *rank2;      /* one run at rank 2 */
  FsSnapshot *rank4;      /* two runs at rank 4 */
  FsSnapshot *nonneg;     /* one run at rank 4, W, H >= 0 */
  GListStore *rows;       /* live, then the three pins */
  GtkWidget  *widget;
  FsPinItem  *emitted;
  guint       n_emitted;
} Fixture;

static FsPinItem *
row (Fixture *f,
     guint    k)
{
  g_autoptr(FsPinItem) item = g_list_model_get_item (G_LIST_MODEL (f->rows), k);

  return item;
}

static void
add_row (Fixture    *f,
         FsSnapshot *snap,
         double      optimum,
         guint       colour,
         gboolean    dark,
         const char *label)
{
  g_autoptr(FsPinItem) item = NULL;
  GdkRGBA rgba = dark ? live_colour_dark : live_colour;

  if (colour > 0)
    fs_pin_colour (colour - 1, dark, &rgba);
  item = fs_pin_item_new (snap, optimum, &rgba, colour == 0);
  fs_pin_item_set_label (item, label);
  g_list_store_append (f->rows, item);
}

/* The live run is at rank 3; the pins at ranks 2 and 4, and a
 * non-negative one with no f* (the closed form is not its optimum). */
static void
fill_rows (Fixture *f,
           gboolean dark)
{
  FsParams p;
  g_autoptr(FsSnapshot) live = NULL;

  run_params (&p, 3, 1, FALSE);
  live = finished_run (f->X, &p);
  g_list_store_remove_all (f->rows);
  add_row (f, live, optimum_of (f->X, &p), 0, dark, "Live run");
  add_row (f, f->rank2, optimum_of (f->X, &f->rank2->params), 1, dark, "rank 2");
  add_row (f, f->rank4, optimum_of (f->X, &f->rank4->params), 2, dark, "rank 4");
  add_row (f, f->nonneg, NAN, 3, dark, "rank 4, non-negative");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  FsParams p;

  f->X = load_dune ();
  run_params (&p, 2, 1, FALSE);
  f->rank2 = finished_run (f->X, &p);
  run_params (&p, 4, 2, FALSE);
  f->rank4 = finished_run (f->X, &p);
  run_params (&p, 4, 1, TRUE);
  f->nonneg = finished_run (f->X, &p);
  f->rows = g_list_store_new (FS_TYPE_PIN_ITEM);
  fill_rows (f, FALSE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->widget != NULL)
    gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (f->widget)));
  g_clear_object (&f->emitted);
  g_assert_finalize_object (f->rows);
  g_clear_pointer (&f->rank2, fs_snapshot_unref);
  g_clear_pointer (&f->rank4, fs_snapshot_unref);
  g_clear_pointer (&f->nonneg, fs_snapshot_unref);
  g_clear_pointer (&f->X, fs_matrix_unref);
}

static void
on_emitted (GtkWidget *widget,
            FsPinItem *item,
            Fixture   *f)
{
  g_set_object (&f->emitted, item);
  f->n_emitted++;
}

/* The visible button under widget whose accessible name is name. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *name)
{
  g_autofree char *mismatch = NULL;

  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget))
    {
      mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, name);
      if (mismatch == NULL)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- The items ---- */

static void
assert_item_numbers (FsPinItem  *item,
                     FsSnapshot *snap,
                     double      optimum)
{
  double best = INFINITY;

  for (guint k = 0; k < snap->n_runs; k++)
    best = MIN (best, snap->final_costs[k]);
  g_assert_cmpfloat (fs_pin_item_get_cost (item), ==, snap->final_costs[snap->best_run]);
  g_assert_cmpfloat (fs_pin_item_get_cost (item), ==, best);
  g_assert_cmpfloat (fs_pin_item_get_gap (item), ==, fs_pin_item_get_cost (item) - optimum);
  g_assert_cmpfloat (fs_pin_item_get_gap (item), >, 0.0);
  g_assert_true (isnan (fs_pin_item_get_holdout_mse (item)));
  g_assert_cmpfloat (fs_pin_item_get_zeros_w (item), ==, exact_zero_share (snap->W, snap->rows * snap->rank));
  g_assert_cmpfloat (fs_pin_item_get_zeros_h (item), ==, exact_zero_share (snap->H, snap->rank * snap->cols));
  /* Every run goes to the iteration limit (no tolerance): all their
   * iterations, as the status line counts them for its speed. */
  g_assert_cmpuint (fs_pin_item_get_iterations (item), ==, (guint64) snap->n_runs * ITERATIONS);
  g_assert_cmpfloat (fs_pin_item_get_time (item), ==, snap->elapsed);
  g_assert_cmpfloat (fs_pin_item_get_time (item), >, 0.0);
  g_assert_true (fs_pin_item_get_snapshot (item) == snap);
  g_assert_true (fs_pin_item_get_params (item) == &snap->params);
  g_assert_cmpfloat (fs_pin_item_get_optimum (item), ==, optimum);
}

static void
test_item_numbers (Fixture       *f,
                   gconstpointer  data)
{
  double opt2 = optimum_of (f->X, &f->rank2->params), opt4 = optimum_of (f->X, &f->rank4->params);
  FsPinItem *nonneg = row (f, 3);

  g_assert_cmpuint (f->rank2->n_runs, ==, 1);
  g_assert_cmpuint (f->rank4->n_runs, ==, 2);
  g_assert_cmpfloat (opt4, <, opt2);
  assert_item_numbers (row (f, 1), f->rank2, opt2);
  assert_item_numbers (row (f, 2), f->rank4, opt4);
  g_assert_cmpfloat (fs_pin_item_get_cost (row (f, 2)), <, fs_pin_item_get_cost (row (f, 1)));
  g_assert_cmpuint (fs_pin_item_get_params (row (f, 2))->rank, ==, 4);

  /* With no f*, no gap; projected steps leave exact zeros in W and H. */
  g_assert_true (isnan (fs_pin_item_get_gap (nonneg)));
  g_assert_cmpfloat (fs_pin_item_get_zeros_w (nonneg), >, 0.0);
  g_assert_cmpfloat (fs_pin_item_get_zeros_w (nonneg), ==,
                     exact_zero_share (f->nonneg->W, f->nonneg->rows * f->nonneg->rank));
  g_assert_cmpfloat (fs_pin_item_get_zeros_h (nonneg), ==,
                     exact_zero_share (f->nonneg->H, f->nonneg->rank * f->nonneg->cols));
  g_assert_true (fs_pin_item_get_is_live (row (f, 0)));
  g_assert_false (fs_pin_item_get_is_live (row (f, 1)));
}

/* A running snapshot's cost is its current one, not a final one. */
static void
test_item_running (Fixture       *f,
                   gconstpointer  data)
{
  FsSnapshot *snap = f->rank2;
  FsRunnerState state = snap->state;
  g_autoptr(FsPinItem) item = NULL;

  snap->state = FS_RUNNER_RUNNING;
  snap->cost = 12345.0;
  item = fs_pin_item_new (snap, NAN, &live_colour, TRUE);
  snap->state = state;
  g_assert_cmpfloat (fs_pin_item_get_cost (item), ==, 12345.0);
  g_assert_true (isnan (fs_pin_item_get_gap (item)));
}

/* label and visible notify once on a change, never on the same value. */
static void
test_item_properties (Fixture       *f,
                      gconstpointer  data)
{
  FsPinItem *item = row (f, 1);
  guint labels = 0, visibles = 0;
  GdkRGBA *colour = NULL;
  double cost;
  guint64 iterations;

  g_signal_connect (item, "notify::label", G_CALLBACK (fs_test_count_notify), &labels);
  g_signal_connect (item, "notify::visible", G_CALLBACK (fs_test_count_notify), &visibles);
  fs_pin_item_set_label (item, "rank 2, L2 0.1");
  fs_pin_item_set_label (item, "rank 2, L2 0.1");
  g_object_set (item, "visible", FALSE, NULL);
  fs_pin_item_set_visible (item, FALSE);
  g_assert_cmpuint (labels, ==, 1);
  g_assert_cmpuint (visibles, ==, 1);
  g_assert_false (fs_pin_item_get_visible (item));
  g_object_get (item, "colour", &colour, "cost", &cost, "iterations", &iterations, NULL);
  g_assert_true (gdk_rgba_equal (colour, fs_pin_item_get_colour (item)));
  g_assert_cmpfloat (cost, ==, fs_pin_item_get_cost (item));
  g_assert_cmpuint (iterations, ==, ITERATIONS);
  gdk_rgba_free (colour);
  g_signal_handlers_disconnect_by_data (item, &labels);
  g_signal_handlers_disconnect_by_data (item, &visibles);
}

static double
colour_distance (const GdkRGBA *a,
                 const GdkRGBA *b)
{
  return fabs (a->red - b->red) + fabs (a->green - b->green) + fabs (a->blue - b->blue);
}

/* Eight colours in each style, far from each other and from the live
 * curve's blue (light #1c71d8, dark #78aeed). */
static void
test_colours (void)
{
  GdkRGBA live[2];

  gdk_rgba_parse (&live[0], "#1c71d8");
  gdk_rgba_parse (&live[1], "#78aeed");
  for (int dark = 0; dark < 2; dark++)
    for (guint a = 0; a < FS_PINS_MAX; a++)
      {
        GdkRGBA ca;

        fs_pin_colour (a, dark, &ca);
        g_assert_cmpfloat (ca.alpha, ==, 1.0);
        g_assert_cmpfloat (colour_distance (&ca, &live[dark]), >, 0.3);
        for (guint b = 0; b < a; b++)
          {
            GdkRGBA cb;

            fs_pin_colour (b, dark, &cb);
            g_assert_cmpfloat (colour_distance (&ca, &cb), >, 0.25);
          }
      }
}

/* ---- The bar ---- */

static guint
count_chips (FsPinBar *bar)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (bar)); c != NULL; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static void
test_bar_chips (Fixture       *f,
                gconstpointer  data)
{
  FsPinBar *bar = FS_PIN_BAR (g_object_ref_sink (fs_pin_bar_new ()));
  g_autoptr(GListStore) empty = g_list_store_new (FS_TYPE_PIN_ITEM);

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
  fs_pin_bar_set_model (bar, G_LIST_MODEL (f->rows));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bar)));
  /* The live row gets no chip. */
  g_assert_cmpuint (count_chips (bar), ==, 3);
  g_list_store_remove (f->rows, 3);
  g_assert_cmpuint (count_chips (bar), ==, 2);
  g_list_store_splice (f->rows, 1, 2, NULL, 0);
  g_assert_cmpuint (count_chips (bar), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
  fill_rows (f, FALSE);
  g_assert_cmpuint (count_chips (bar), ==, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (bar)));
  fs_pin_bar_set_model (bar, G_LIST_MODEL (empty));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (bar)));
  fs_pin_bar_set_model (bar, NULL);
  g_assert_finalize_object (bar);
}

static void
test_bar_controls (Fixture       *f,
                   gconstpointer  data)
{
  FsPinBar *bar = FS_PIN_BAR (fs_pin_bar_new ());
  FsPinItem *rank4 = row (f, 2);
  GtkWidget *show, *remove;

  fs_pin_bar_set_model (bar, G_LIST_MODEL (f->rows));
  f->widget = GTK_WIDGET (bar);
  fs_test_show (f->widget, 700, 60);
  g_signal_connect (bar, "remove", G_CALLBACK (on_emitted), f);

  show = find_button (GTK_WIDGET (bar), "Show rank 4 on the plot");
  g_assert_nonnull (show);
  g_assert_null (find_button (GTK_WIDGET (bar), "Show Live run on the plot"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (show)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (show), FALSE);
  g_assert_false (fs_pin_item_get_visible (rank4));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (show)), ==, "view-conceal-symbolic");
  fs_pin_item_set_visible (rank4, TRUE);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (show)));
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (show)), ==, "view-reveal-symbolic");
  g_assert_true (fs_pin_item_get_visible (row (f, 1)));

  remove = find_button (GTK_WIDGET (bar), "Remove rank 4");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_assert_cmpuint (f->n_emitted, ==, 1);
  g_assert_true (f->emitted == rank4);
  /* The bar emits; the window removes. */
  g_assert_cmpuint (count_chips (bar), ==, 3);
}

static gboolean
has_label_named (GtkWidget  *widget,
                 const char *name)
{
  g_autofree char *mismatch = NULL;

  if (GTK_IS_LABEL (widget))
    {
      mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                     GTK_ACCESSIBLE_PROPERTY_LABEL, name);
      if (mismatch == NULL && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), name))
        return TRUE;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (has_label_named (c, name))
      return TRUE;
  return FALSE;
}

/* A relabelled pin says its new name everywhere: the label, the toggle
 * and the button. */
static void
test_bar_names (Fixture       *f,
                gconstpointer  data)
{
  FsPinBar *bar = FS_PIN_BAR (g_object_ref_sink (fs_pin_bar_new ()));

  fs_pin_bar_set_model (bar, G_LIST_MODEL (f->rows));
  g_assert_true (has_label_named (GTK_WIDGET (bar), "rank 2"));
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Remove rank 2"));
  fs_pin_item_set_label (row (f, 1), "rank 6, L2 0.1");
  g_assert_true (has_label_named (GTK_WIDGET (bar), "rank 6, L2 0.1"));
  g_assert_false (has_label_named (GTK_WIDGET (bar), "rank 2"));
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Show rank 6, L2 0.1 on the plot"));
  g_assert_nonnull (find_button (GTK_WIDGET (bar), "Remove rank 6, L2 0.1"));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (find_button (GTK_WIDGET (bar), "Remove rank 6, L2 0.1")),
                                   GTK_ACCESSIBLE_ROLE_BUTTON);
  g_assert_finalize_object (bar);
}

/* Tab reaches every control of every chip. */
static void
test_bar_keyboard (Fixture       *f,
                   gconstpointer  data)
{
  FsPinBar *bar = FS_PIN_BAR (fs_pin_bar_new ());
  g_autoptr(GHashTable) reached = g_hash_table_new (NULL, NULL);
  static const char * const names[] = {
    "Show rank 2 on the plot", "Remove rank 2", "Show rank 4 on the plot", "Remove rank 4",
    "Show rank 4, non-negative on the plot", "Remove rank 4, non-negative",
  };
  GtkWindow *window;

  fs_pin_bar_set_model (bar, G_LIST_MODEL (f->rows));
  f->widget = GTK_WIDGET (bar);
  window = fs_test_show (f->widget, 900, 60);
  for (int k = 0; k < 40; k++)
    {
      gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      g_hash_table_add (reached, gtk_root_get_focus (GTK_ROOT (window)));
    }
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      GtkWidget *button = find_button (GTK_WIDGET (bar), names[k]);

      g_assert_nonnull (button);
      if (!g_hash_table_contains (reached, button))
        g_error ("Tab does not reach \"%s\"", names[k]);
    }
}

/* ---- The table ---- */

/* The first column's title, in the column view's header. */
static GtkWidget *
first_title (GtkWidget *widget)
{
  if (GTK_IS_COLUMN_VIEW (widget))
    return gtk_widget_get_first_child (gtk_widget_get_first_child (widget));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = first_title (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The label showing text under widget, or NULL. */
static GtkLabel *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text))
    return GTK_LABEL (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = find_label (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static FsPinTable *
show_table (Fixture *f)
{
  FsPinTable *table = FS_PIN_TABLE (fs_pin_table_new ());

  fs_pin_table_set_model (table, G_LIST_MODEL (f->rows));
  f->widget = GTK_WIDGET (table);
  fs_test_show (f->widget, 900, 300);
  return table;
}

static void
assert_sorted (FsPinTable *table,
               const char *column,
               gboolean    descending)
{
  double last = descending ? INFINITY : -INFINITY;
  gboolean blank = FALSE;

  fs_pin_table_sort_by (table, column, descending);
  for (guint k = 0; k < 4; k++)
    {
      double value;

      g_object_get (fs_pin_table_get_row (table, k), column, &value, NULL);
      /* Blanks last, whichever the direction. */
      if (isnan (value))
        {
          blank = TRUE;
          continue;
        }
      g_assert_false (blank);
      if (descending)
        g_assert_cmpfloat (value, <=, last);
      else
        g_assert_cmpfloat (value, >=, last);
      last = value;
    }
  g_assert_null (fs_pin_table_get_row (table, 4));
}

static void
test_table_sorting (Fixture       *f,
                    gconstpointer  data)
{
  FsPinTable *table = FS_PIN_TABLE (g_object_ref_sink (fs_pin_table_new ()));

  fs_pin_table_set_model (table, G_LIST_MODEL (f->rows));
  /* Unsorted: as the model has them, the live row first. */
  g_assert_true (fs_pin_table_get_row (table, 0) == row (f, 0));
  g_assert_true (fs_pin_table_get_row (table, 3) == row (f, 3));

  /* By cost: rank 4 (two runs) < live rank 3 < rank 2; the non-negative
   * rank 4 somewhere. */
  assert_sorted (table, "cost", FALSE);
  g_assert_true (fs_pin_table_get_row (table, 3) == row (f, 1));
  assert_sorted (table, "cost", TRUE);
  g_assert_true (fs_pin_table_get_row (table, 0) == row (f, 1));
  g_assert_true (fs_pin_table_get_row (table, 3) != row (f, 1));

  /* The non-negative run has no gap: last either way. */
  assert_sorted (table, "gap", FALSE);
  g_assert_true (fs_pin_table_get_row (table, 3) == row (f, 3));
  assert_sorted (table, "gap", TRUE);
  g_assert_true (fs_pin_table_get_row (table, 3) == row (f, 3));
  assert_sorted (table, "zeros-w", TRUE);
  g_assert_true (fs_pin_table_get_row (table, 0) == row (f, 3));
  assert_sorted (table, "time", FALSE);
  assert_sorted (table, "holdout-mse", FALSE);

  fs_pin_table_sort_by (table, "iterations", TRUE);
  g_assert_true (fs_pin_table_get_row (table, 0) == row (f, 2));
  fs_pin_table_sort_by (table, "label", FALSE);
  g_assert_cmpstr (fs_pin_item_get_label (fs_pin_table_get_row (table, 0)), ==, "Live run");
  g_assert_cmpstr (fs_pin_item_get_label (fs_pin_table_get_row (table, 1)), ==, "rank 2");
  fs_pin_table_sort_by (table, "label", TRUE);
  g_assert_cmpstr (fs_pin_item_get_label (fs_pin_table_get_row (table, 0)), ==, "rank 4, non-negative");
  /* Back to a number after the label: the blanks go last again. */
  assert_sorted (table, "gap", TRUE);
  g_assert_true (fs_pin_table_get_row (table, 3) == row (f, 3));
  g_assert_finalize_object (table);
}

static void
test_table_buttons (Fixture       *f,
                    gconstpointer  data)
{
  FsPinTable *table = show_table (f);
  static const char * const signal_names[] = { "restore", "show-run", "remove" };
  static const char * const prefixes[] = { "Restore the settings of “", "Show “", "Remove “" };
  static const char * const suffixes[] = { "”", "” in the views", "”" };

  for (guint s = 0; s < G_N_ELEMENTS (signal_names); s++)
    g_signal_connect (table, signal_names[s], G_CALLBACK (on_emitted), f);
  for (guint s = 0; s < G_N_ELEMENTS (signal_names); s++)
    for (guint k = 1; k < 4; k++)
      {
        FsPinItem *item = row (f, k);
        g_autofree char *name = g_strconcat (prefixes[s], fs_pin_item_get_label (item), suffixes[s], NULL);
        GtkWidget *button = find_button (GTK_WIDGET (table), name);
        guint before = f->n_emitted;

        if (button == NULL)
          g_error ("no button \"%s\"", name);
        g_signal_emit_by_name (button, "clicked");
        g_assert_cmpuint (f->n_emitted, ==, before + 1);
        g_assert_true (f->emitted == item);
      }
  /* The live row shows the live run, but has nothing to restore and
   * cannot be removed. */
  g_assert_null (find_button (GTK_WIDGET (table), "Restore the settings of “Live run”"));
  g_assert_null (find_button (GTK_WIDGET (table), "Remove “Live run”"));
  g_signal_emit_by_name (find_button (GTK_WIDGET (table), "Show “Live run” in the views"), "clicked");
  g_assert_true (f->emitted == row (f, 0));

  /* The live row's label is bold; the numbers read as the status line
   * writes them, "—" where there is none. */
  g_assert_true (gtk_label_get_use_markup (find_label (GTK_WIDGET (table), "Live run")));
  g_assert_false (gtk_label_get_use_markup (find_label (GTK_WIDGET (table), "rank 2")));
  g_assert_nonnull (find_label (GTK_WIDGET (table), "800"));
  g_assert_nonnull (find_label (GTK_WIDGET (table), "—"));

  /* After sorting, the buttons still name and emit their own row. */
  fs_pin_table_sort_by (table, "cost", TRUE);
  g_signal_emit_by_name (find_button (GTK_WIDGET (table), "Restore the settings of “rank 2”"), "clicked");
  g_assert_true (f->emitted == row (f, 1));
  fs_pin_item_set_label (row (f, 2), "rank 4, L2 0.1");
  g_signal_emit_by_name (find_button (GTK_WIDGET (table), "Remove “rank 4, L2 0.1”"), "clicked");
  g_assert_true (f->emitted == row (f, 2));
}

/* Eight columns and the buttons fit in about 760 pixels (measured: 762
 * with Adwaita's fonts); narrower, it scrolls. */
static void
test_table_width (Fixture       *f,
                  gconstpointer  data)
{
  FsPinTable *table = show_table (f);
  int minimum, natural;

  gtk_widget_measure (GTK_WIDGET (table), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_test_message ("table width: minimum %d, natural %d", minimum, natural);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (first_title (GTK_WIDGET (table))), ==,
                   "What differs from the live settings");
  g_assert_cmpint (natural, <=, 780);
  g_assert_cmpint (minimum, <, 400);
}

/* ---- Renders ---- */

/* Whether the render has a pixel of colour within box (widget's bounds
 * in window coordinates). */
static gboolean
render_has_colour (const FsTestImage *image,
                   GtkWidget         *root,
                   GtkWidget         *widget,
                   const GdkRGBA     *colour)
{
  graphene_rect_t bounds;
  guint8 want[3] = { colour->red * 255 + 0.5, colour->green * 255 + 0.5, colour->blue * 255 + 0.5 };

  g_assert_true (gtk_widget_compute_bounds (widget, root, &bounds));
  for (int y = bounds.origin.y; y < bounds.origin.y + bounds.size.height; y++)
    for (int x = bounds.origin.x; x < bounds.origin.x + bounds.size.width; x++)
      {
        guint8 px[3];

        if (x < 0 || y < 0 || x >= image->width || y >= image->height)
          continue;
        fs_test_pixel (image, x, y, px);
        if (fs_test_close_colour (px, want, 6))
          return TRUE;
      }
  return FALSE;
}

static GtkWidget *
first_drawing_area (GtkWidget *widget)
{
  if (GTK_IS_DRAWING_AREA (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = first_drawing_area (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
render_both (Fixture    *f,
             gboolean    dark)
{
  FsPinBar *bar = FS_PIN_BAR (fs_pin_bar_new ());
  FsPinTable *table = FS_PIN_TABLE (fs_pin_table_new ());
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  g_autoptr(FsTestImage) image = NULL;
  GtkWindow *window;

  fill_rows (f, dark);
  fs_pin_item_set_visible (row (f, 3), FALSE);
  fs_pin_bar_set_model (bar, G_LIST_MODEL (f->rows));
  fs_pin_table_set_model (table, G_LIST_MODEL (f->rows));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (table));
  f->widget = box;
  window = fs_test_show (box, 760, 260);
  fs_test_redraw (box);
  image = fs_test_render (GTK_WIDGET (window));
  fs_test_maybe_save (image, dark ? "pins-dark" : "pins-light");
  /* The first chip's swatch is drawn in the first pin's colour, and so
   * is the table's. */
  g_assert_true (render_has_colour (image, GTK_WIDGET (window), first_drawing_area (GTK_WIDGET (bar)),
                                    fs_pin_item_get_colour (row (f, 1))));
  g_assert_true (render_has_colour (image, GTK_WIDGET (window), first_drawing_area (GTK_WIDGET (table)),
                                    fs_pin_item_get_colour (row (f, 0))));
  gtk_window_destroy (window);
  f->widget = NULL;
}

static void
test_render (Fixture       *f,
             gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  render_both (f, FALSE);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  render_both (f, TRUE);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* The application's style sheet, as AdwApplication loads it. */
static void
load_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/factorscope/Factorscope/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

int
main (int   argc,
      char *argv[])
{
  fs_test_ui_init (&argc, &argv);
  load_style ();

  g_test_add ("/pins/item/numbers", Fixture, NULL, fixture_set_up, test_item_numbers, fixture_tear_down);
  g_test_add ("/pins/item/running", Fixture, NULL, fixture_set_up, test_item_running, fixture_tear_down);
  g_test_add ("/pins/item/properties", Fixture, NULL, fixture_set_up, test_item_properties,
              fixture_tear_down);
  g_test_add_func ("/pins/colours", test_colours);
  g_test_add ("/pins/bar/chips", Fixture, NULL, fixture_set_up, test_bar_chips, fixture_tear_down);
  g_test_add ("/pins/bar/controls", Fixture, NULL, fixture_set_up, test_bar_controls, fixture_tear_down);
  g_test_add ("/pins/bar/names", Fixture, NULL, fixture_set_up, test_bar_names, fixture_tear_down);
  g_test_add ("/pins/bar/keyboard", Fixture, NULL, fixture_set_up, test_bar_keyboard, fixture_tear_down);
  g_test_add ("/pins/table/sorting", Fixture, NULL, fixture_set_up, test_table_sorting, fixture_tear_down);
  g_test_add ("/pins/table/buttons", Fixture, NULL, fixture_set_up, test_table_buttons, fixture_tear_down);
  g_test_add ("/pins/table/width", Fixture, NULL, fixture_set_up, test_table_width, fixture_tear_down);
  g_test_add ("/pins/render", Fixture, NULL, fixture_set_up, test_render, fixture_tear_down);
  return g_test_run ();
}
