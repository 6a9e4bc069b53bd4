/* fs-pin-table.c
 *
 * The comparison of the live run and the pinned ones: a GtkColumnView
 * with a sortable column per number and, per row, "Restore", "Show" and
 * "Remove" buttons. Numbers read as the window's status line writes them.
 *
 * Rows with no value in the sorted column (NaN: no f*, no held-out
 * cells) go last in either direction, as a spreadsheet's blanks do. The
 * column view inverts its columns' sorters for a descending order and
 * GTK 4.8 does not say which column it sorts by, so a sorter placed
 * before the column view's learns that column by comparing probes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-pin-table"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-error.h"
#include "fs-pins-private.h"

/* The gap to f* is relative only when f* is well away from zero, next to
 * the cost the run started from, as in the status line. */
#define RELATIVE_GAP_FLOOR 1e-9
#define SWATCH_WIDTH 14
#define SWATCH_HEIGHT 10

typedef enum
{
  COLUMN_LABEL,
  COLUMN_COST,
  COLUMN_GAP,
  COLUMN_HOLDOUT_MSE,
  COLUMN_ZEROS_W,
  COLUMN_ZEROS_H,
  COLUMN_ITERATIONS,
  COLUMN_TIME,
  N_COLUMNS
} Column;

typedef struct
{
  const char *key;      /* the item's property, fs_pin_table_sort_by ()'s name */
  const char *title;    /* N_() */
  const char *tooltip;  /* N_() */
} ColumnInfo;

static const ColumnInfo columns[N_COLUMNS] = {
  { "label", N_("Settings"), N_("What differs from the live settings") },
  /* TRANSLATORS: the titles of the comparison table's columns are on two
   * lines where they are long, so that eight columns fit in 700 pixels */
  { "cost", N_("Final\ncost"), N_("The cost at the end, of the best run when there were restarts") },
  { "gap", N_("Gap\nto f*"), N_("How far the final cost is above the global optimum of the same settings") },
  { "holdout-mse", N_("Held-out\nMSE"), N_("The mean squared error on the held-out cells") },
  { "zeros-w", N_("Zeros\nin W"), N_("The share of entries of W that are exactly 0") },
  { "zeros-h", N_("Zeros\nin H"), N_("The share of entries of H that are exactly 0") },
  { "iterations", N_("Iterations"), N_("The iterations of every run, restarts included") },
  /* TRANSLATORS: a column's title on two lines: the time, in seconds. */
  { "time", N_("Time\n(s)"), N_("The time spent computing, in seconds") },
};

struct _FsPinTable
{
  GtkWidget             parent_instance;

  GtkWidget            *scroller;
  GtkColumnView        *view;
  GtkColumnViewColumn  *view_columns[N_COLUMNS];
  GtkSortListModel     *sorted;
  GtkSorter            *blanks_last;
  /* The column the view sorts by first, or -1 for none. */
  int                   primary;
};

G_DEFINE_FINAL_TYPE (FsPinTable, fs_pin_table, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_RESTORE,
  SIGNAL_SHOW,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Values and sorting ---- */

static double
column_value (Column              column,
              const FsPinNumbers *n)
{
  switch (column)
    {
    case COLUMN_COST:
      return n->cost;
    case COLUMN_GAP:
      return n->gap;
    case COLUMN_HOLDOUT_MSE:
      return n->holdout_mse;
    case COLUMN_ZEROS_W:
      return n->zeros_w;
    case COLUMN_ZEROS_H:
      return n->zeros_h;
    case COLUMN_ITERATIONS:
      return (double) n->iterations;
    case COLUMN_TIME:
      return n->time;
    case COLUMN_LABEL:
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
set_column_value (Column        column,
                  FsPinNumbers *n,
                  double        value)
{
  switch (column)
    {
    case COLUMN_COST:
      n->cost = value;
      break;
    case COLUMN_GAP:
      n->gap = value;
      break;
    case COLUMN_HOLDOUT_MSE:
      n->holdout_mse = value;
      break;
    case COLUMN_ZEROS_W:
      n->zeros_w = value;
      break;
    case COLUMN_ZEROS_H:
      n->zeros_h = value;
      break;
    case COLUMN_ITERATIONS:
      n->iterations = (guint64) value;
      break;
    case COLUMN_TIME:
      n->time = value;
      break;
    case COLUMN_LABEL:
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static double
item_value (gconstpointer item,
            Column        column)
{
  return column_value (column, fs_pin_item_get_numbers (FS_PIN_ITEM ((gpointer) item)));
}

/* Ascending, NaN after every number (the view inverts it for descending:
 * the blanks sorter in front puts NaN last again). */
static int
compare_numbers (gconstpointer a,
                 gconstpointer b,
                 gpointer      data)
{
  Column column = GPOINTER_TO_INT (data);
  double x = item_value (a, column), y = item_value (b, column);

  if (isnan (x) || isnan (y))
    return isnan (x) - isnan (y);
  return (x > y) - (x < y);
}

static int
compare_blanks_last (gconstpointer a,
                     gconstpointer b,
                     gpointer      data)
{
  FsPinTable *self = data;

  if (self->primary <= COLUMN_LABEL)
    return GTK_ORDERING_EQUAL;
  return isnan (item_value (a, self->primary)) - isnan (item_value (b, self->primary));
}

/* Two probes that differ only in columns j and k, by the values given. */
static int
compare_probes (FsPinTable *self,
                Column      j,
                double      a_j,
                double      b_j,
                Column      k,
                double      a_k,
                double      b_k)
{
  FsPinNumbers na = { 0 }, nb = { 0 };
  g_autofree char *label_a = NULL;
  g_autofree char *label_b = NULL;
  g_autoptr(FsPinItem) a = NULL;
  g_autoptr(FsPinItem) b = NULL;

  if (j == COLUMN_LABEL || k == COLUMN_LABEL)
    {
      label_a = g_strdup_printf ("%g", j == COLUMN_LABEL ? a_j : a_k);
      label_b = g_strdup_printf ("%g", j == COLUMN_LABEL ? b_j : b_k);
    }
  if (j != COLUMN_LABEL)
    {
      set_column_value (j, &na, a_j);
      set_column_value (j, &nb, b_j);
    }
  if (k != COLUMN_LABEL && k != j)
    {
      set_column_value (k, &na, a_k);
      set_column_value (k, &nb, b_k);
    }
  a = fs_pin_item_new_probe (label_a != NULL ? label_a : "", &na);
  b = fs_pin_item_new_probe (label_b != NULL ? label_b : "", &nb);
  return gtk_sorter_compare (gtk_column_view_get_sorter (self->view), a, b);
}

/* Whether the view compares column j before column k, both sorted: with
 * j and k crossed, the result is j's order either way only if j comes
 * first; k's order, either way, differs between the two. */
static gboolean
sorts_before (FsPinTable *self,
              Column      j,
              Column      k)
{
  int crossed = compare_probes (self, j, 0, 1, k, 1, 0);
  int along = compare_probes (self, j, 0, 1, k, 0, 1);

  return crossed == along;
}

static void
find_primary_column (FsPinTable *self)
{
  int primary = -1;

  for (int k = 0; k < N_COLUMNS; k++)
    {
      if (compare_probes (self, k, 0, 1, k, 0, 1) == GTK_ORDERING_EQUAL)
        continue;
      if (primary < 0 || sorts_before (self, k, primary))
        primary = k;
    }
  if (primary == self->primary)
    return;
  self->primary = primary;
  gtk_sorter_changed (self->blanks_last, GTK_SORTER_CHANGE_DIFFERENT);
}

static GtkSorter *
column_sorter_new (Column column)
{
  if (column == COLUMN_LABEL)
    {
      GtkExpression *label = gtk_property_expression_new (FS_TYPE_PIN_ITEM, NULL, "label");

      return GTK_SORTER (gtk_string_sorter_new (label));
    }
  return GTK_SORTER (gtk_custom_sorter_new (compare_numbers, GINT_TO_POINTER (column), NULL));
}

/* ---- Cells ---- */

static char *
percent_text (double share)
{
  return isnan (share) ? g_strdup ("—") : g_strdup_printf ("%.1f%%", 100.0 * share);
}

/* As the status line: relative to f* when f* is well away from zero. */
static char *
gap_text (FsPinItem *item)
{
  FsSnapshot *s = fs_pin_item_get_snapshot (item);
  double gap = fs_pin_item_get_gap (item), optimum = fs_pin_item_get_optimum (item);
  double start = s != NULL && s->logs != NULL ? fs_cost_log_get (s->logs[s->run], 0) : NAN;

  if (isnan (gap))
    return g_strdup ("—");
  if (isfinite (start) && optimum > RELATIVE_GAP_FLOOR * fabs (start))
    return g_strdup_printf ("%.3g%%", 100.0 * gap / optimum);
  return g_strdup_printf ("%.3g", gap);
}

static char *
number_text (FsPinItem *item,
             Column     column)
{
  const FsPinNumbers *n = fs_pin_item_get_numbers (item);

  switch (column)
    {
    case COLUMN_COST:
      return g_strdup_printf ("%.6g", n->cost);
    case COLUMN_GAP:
      return gap_text (item);
    case COLUMN_HOLDOUT_MSE:
      return isnan (n->holdout_mse) ? g_strdup ("—") : g_strdup_printf ("%.4g", n->holdout_mse);
    case COLUMN_ZEROS_W:
      return percent_text (n->zeros_w);
    case COLUMN_ZEROS_H:
      return percent_text (n->zeros_h);
    case COLUMN_ITERATIONS:
      return fs_error_number_text (n->iterations);
    case COLUMN_TIME:
      /* Three digits where short runs take milliseconds; no exponent for
       * long ones. */
      return n->time < 10.0 ? g_strdup_printf ("%.3g", n->time) : g_strdup_printf ("%.1f", n->time);
    case COLUMN_LABEL:
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
setup_number (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_number (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  data)
{
  FsPinItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = number_text (item, GPOINTER_TO_INT (data));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  GtkListItem *list_item = data;
  FsPinItem *item = gtk_list_item_get_item (list_item);

  if (item == NULL)
    return;
  gdk_cairo_set_source_rgba (cr, fs_pin_item_get_colour (item));
  cairo_rectangle (cr, 1, 1, width - 2, height - 2);
  cairo_fill (cr);
}

static void
setup_settings (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), SWATCH_WIDTH);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), SWATCH_HEIGHT);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, list_item, NULL);
  gtk_accessible_update_state (GTK_ACCESSIBLE (swatch), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 10);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
update_settings (FsPinItem  *item,
                 GParamSpec *pspec,
                 GtkWidget  *box)
{
  GtkWidget *label = gtk_widget_get_last_child (box);
  const char *text = fs_pin_item_get_label (item);

  if (*text == '\0')
    text = fs_pin_item_get_is_live (item) ? _("Live run") : _("Kept run");
  if (fs_pin_item_get_is_live (item))
    {
      g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", text);

      gtk_label_set_markup (GTK_LABEL (label), markup);
    }
  else
    gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_queue_draw (gtk_widget_get_first_child (box));
}

/* Cells that show the label follow it: the window relabels the pins when
 * the live settings change. */
static void
follow_label (GtkListItem *list_item,
              GCallback    update)
{
  FsPinItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  gulong handler = g_signal_connect_object (item, "notify::label", update, child, 0);

  g_object_set_data (G_OBJECT (list_item), "fs-label-handler", GSIZE_TO_POINTER (handler));
  ((void (*) (FsPinItem *, GParamSpec *, GtkWidget *)) update) (item, NULL, child);
}

static void
unfollow_label (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  data)
{
  gulong handler = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (list_item), "fs-label-handler"));
  FsPinItem *item = gtk_list_item_get_item (list_item);

  if (handler != 0 && item != NULL)
    g_signal_handler_disconnect (item, handler);
}

static void
bind_settings (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  data)
{
  follow_label (list_item, G_CALLBACK (update_settings));
}

/* ---- The buttons of a row ---- */

typedef enum
{
  ACTION_RESTORE,
  ACTION_SHOW,
  ACTION_REMOVE,
  N_ACTIONS
} Action;

static void
on_action_clicked (GtkButton   *button,
                   GtkListItem *list_item)
{
  GtkWidget *table = gtk_widget_get_ancestor (GTK_WIDGET (button), FS_TYPE_PIN_TABLE);
  Action action = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "fs-action"));
  FsPinItem *item = gtk_list_item_get_item (list_item);

  g_return_if_fail (table != NULL && item != NULL);
  g_signal_emit (table, signals[action], 0, item);
}

static void
setup_actions (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  data)
{
  static const char * const icons[N_ACTIONS] = {
    "edit-undo-symbolic", "view-reveal-symbolic", "window-close-symbolic",
  };
  static const char * const tooltips[N_ACTIONS] = {
    N_("Restore these settings"), N_("Show in the views"), N_("Remove"),
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_add_css_class (box, "fs-pin-actions");
  for (int k = 0; k < N_ACTIONS; k++)
    {
      GtkWidget *button = gtk_button_new_from_icon_name (icons[k]);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _(tooltips[k]));
      g_object_set_data (G_OBJECT (button), "fs-action", GINT_TO_POINTER (k));
      g_signal_connect (button, "clicked", G_CALLBACK (on_action_clicked), list_item);
      gtk_box_append (GTK_BOX (box), button);
    }
  gtk_list_item_set_child (list_item, box);
}

static void
update_actions (FsPinItem  *item,
                GParamSpec *pspec,
                GtkWidget  *box)
{
  GtkWidget *restore = gtk_widget_get_first_child (box);
  GtkWidget *show = gtk_widget_get_next_sibling (restore);
  GtkWidget *remove = gtk_widget_get_next_sibling (show);
  const char *text = fs_pin_item_get_label (item);
  /* TRANSLATORS: the accessible name of a button of the comparison table,
   * e.g. "Restore the settings of “rank 6, L2 0.1”" */
  g_autofree char *restore_name = g_strdup_printf (_("Restore the settings of “%s”"), text);
  /* TRANSLATORS: e.g. "Show “rank 6, L2 0.1” in the views" (the heatmaps,
   * the gallery and the spectrum) */
  g_autofree char *show_name = g_strdup_printf (_("Show “%s” in the views"), text);
  /* TRANSLATORS: e.g. "Remove “rank 6, L2 0.1”" */
  g_autofree char *remove_name = g_strdup_printf (_("Remove “%s”"), text);

  /* The live run has no settings to restore and cannot be removed. */
  gtk_widget_set_visible (restore, !fs_pin_item_get_is_live (item));
  gtk_widget_set_visible (remove, !fs_pin_item_get_is_live (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (restore), GTK_ACCESSIBLE_PROPERTY_LABEL, restore_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (show), GTK_ACCESSIBLE_PROPERTY_LABEL, show_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
}

static void
bind_actions (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  data)
{
  follow_label (list_item, G_CALLBACK (update_actions));
}

/* ---- The table ---- */

static GtkListItemFactory *
column_factory_new (Column column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  if (column == COLUMN_LABEL)
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_settings), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_settings), NULL);
      g_signal_connect (factory, "unbind", G_CALLBACK (unfollow_label), NULL);
    }
  else
    {
      g_signal_connect (factory, "setup", G_CALLBACK (setup_number), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_number), GINT_TO_POINTER (column));
    }
  return factory;
}

static void
add_columns (FsPinTable *self)
{
  GtkListItemFactory *factory;
  GtkColumnViewColumn *column;

  for (int k = 0; k < N_COLUMNS; k++)
    {
      g_autoptr(GtkSorter) sorter = column_sorter_new (k);

      column = gtk_column_view_column_new (_(columns[k].title), column_factory_new (k));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, k == COLUMN_LABEL);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->view, column);
      self->view_columns[k] = column;
      g_object_unref (column);
    }

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_actions), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_actions), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unfollow_label), NULL);
  column = gtk_column_view_column_new (NULL, factory);
  gtk_column_view_append_column (self->view, column);
  g_object_unref (column);
}

static void
fs_pin_table_dispose (GObject *object)
{
  FsPinTable *self = FS_PIN_TABLE (object);

  if (self->view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->view), self);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->view = NULL;
  g_clear_object (&self->sorted);
  g_clear_object (&self->blanks_last);
  G_OBJECT_CLASS (fs_pin_table_parent_class)->dispose (object);
}

static void
fs_pin_table_class_init (FsPinTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char * const names[N_SIGNALS] = { "restore", "show-run", "remove" };

  object_class->dispose = fs_pin_table_dispose;

  for (int k = 0; k < N_SIGNALS; k++)
    signals[k] = g_signal_new (names[k], G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                               NULL, NULL, NULL, G_TYPE_NONE, 1, FS_TYPE_PIN_ITEM);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pintable");
}

/* The headers' tooltips say what each number is. GTK 4.8 has no API for
 * a column's tooltip: the titles are the header's children, in order. */
static void
set_header_tooltips (FsPinTable *self)
{
  GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->view));
  GtkWidget *title = header != NULL ? gtk_widget_get_first_child (header) : NULL;

  for (int k = 0; k < N_COLUMNS && title != NULL; k++, title = gtk_widget_get_next_sibling (title))
    gtk_widget_set_tooltip_text (title, _(columns[k].tooltip));
}

static void
fs_pin_table_init (FsPinTable *self)
{
  GtkSorter *view_sorter;
  GtkMultiSorter *sorter = gtk_multi_sorter_new ();

  self->primary = -1;
  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Comparison of runs"), -1);
  add_columns (self);
  set_header_tooltips (self);

  view_sorter = gtk_column_view_get_sorter (self->view);
  g_signal_connect_swapped (view_sorter, "changed", G_CALLBACK (find_primary_column), self);
  self->blanks_last = GTK_SORTER (gtk_custom_sorter_new (compare_blanks_last, self, NULL));
  gtk_multi_sorter_append (sorter, g_object_ref (self->blanks_last));
  gtk_multi_sorter_append (sorter, g_object_ref (view_sorter));
  self->sorted = gtk_sort_list_model_new (NULL, GTK_SORTER (sorter));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (self->scroller), 320);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->view));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
}

GtkWidget *
fs_pin_table_new (void)
{
  return g_object_new (FS_TYPE_PIN_TABLE, NULL);
}

/* rows: FsPinItems, the live one first. */
void
fs_pin_table_set_model (FsPinTable *self,
                        GListModel *rows)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (FS_IS_PIN_TABLE (self));
  g_return_if_fail (rows == NULL || G_IS_LIST_MODEL (rows));

  gtk_sort_list_model_set_model (self->sorted, rows);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
}

void
fs_pin_table_sort_by (FsPinTable *self,
                      const char *column,
                      gboolean    descending)
{
  g_return_if_fail (FS_IS_PIN_TABLE (self));
  g_return_if_fail (column != NULL);

  for (int k = 0; k < N_COLUMNS; k++)
    if (g_str_equal (columns[k].key, column))
      {
        gtk_column_view_sort_by_column (self->view, self->view_columns[k],
                                        descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
        return;
      }
  g_return_if_reached ();
}

/* The row at position as shown (after sorting), or NULL; the table's
 * model keeps it. */
FsPinItem *
fs_pin_table_get_row (FsPinTable *self,
                      guint       position)
{
  FsPinItem *item;

  g_return_val_if_fail (FS_IS_PIN_TABLE (self), NULL);

  item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  if (item != NULL)
    g_object_unref (item);
  return item;
}
