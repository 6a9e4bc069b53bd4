/* fs-pin-bar.c
 *
 * The legend of the pinned runs under the loss plot: one chip per pin, a
 * line sample in its colour, its label, a "Show" toggle bound to the
 * item's visible property and a "Remove" button. The chips wrap onto a
 * new line when the window is narrow, laid out by the bar itself: a
 * GtkFlowBox either spreads them over the line or, aligned to the start,
 * sizes itself to one chip a line; and Tab should go through every
 * chip's controls in turn, which a flow box's arrow keys do not. The live
 * row of the model has no chip: the plot's own curve needs no legend
 * entry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-pin-bar"

#include <glib/gi18n.h>

#include "fs-pins-private.h"

#define SWATCH_WIDTH 18
#define SWATCH_HEIGHT 12
#define SWATCH_LINE 3.0
/* A hidden pin's swatch fades, as its curve is gone from the plot. */
#define HIDDEN_ALPHA 0.35
#define CHIP_SPACING 6
#define LINE_SPACING 4

struct _FsPinBar
{
  GtkWidget           parent_instance;

  GtkFilterListModel *pins;
};

G_DEFINE_FINAL_TYPE (FsPinBar, fs_pin_bar, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- One chip ---- */

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  FsPinItem *item = data;
  const GdkRGBA *colour = fs_pin_item_get_colour (item);
  double alpha = fs_pin_item_get_visible (item) ? 1.0 : HIDDEN_ALPHA;

  cairo_set_source_rgba (cr, colour->red, colour->green, colour->blue, colour->alpha * alpha);
  cairo_set_line_width (cr, SWATCH_LINE);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_move_to (cr, SWATCH_LINE, height / 2.0);
  cairo_line_to (cr, width - SWATCH_LINE, height / 2.0);
  cairo_stroke (cr);
}

/* The swatch is a drawing of the curve's colour, hidden from assistive
 * technologies: the label beside it names the run. */
static GtkWidget *
swatch_new (FsPinItem *item)
{
  GtkWidget *area = gtk_drawing_area_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), SWATCH_WIDTH);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), SWATCH_HEIGHT);
  gtk_widget_set_valign (area, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_swatch,
                                  g_object_ref (item), g_object_unref);
  gtk_accessible_update_state (GTK_ACCESSIBLE (area), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  return area;
}

/* The widgets of one chip that follow the item. */
typedef struct
{
  GtkWidget *chip;
  GtkWidget *swatch;
  GtkWidget *label;
  GtkWidget *show;
  GtkWidget *remove;
} Chip;

static void
update_chip_label (FsPinItem  *item,
                   GParamSpec *pspec,
                   GtkWidget  *box)
{
  Chip *chip = g_object_get_data (G_OBJECT (box), "fs-chip");
  const char *text = fs_pin_item_get_label (item);
  /* TRANSLATORS: the accessible name of a toggle beside a kept run's
   * label in the legend, e.g. "Show rank 6, L2 0.1 on the plot" */
  g_autofree char *show = g_strdup_printf (_("Show %s on the plot"), text);
  /* TRANSLATORS: the accessible name of a button that forgets a kept
   * run, e.g. "Remove rank 6, L2 0.1" */
  g_autofree char *remove = g_strdup_printf (_("Remove %s"), text);

  gtk_label_set_text (GTK_LABEL (chip->label), text);
  gtk_widget_set_tooltip_text (chip->label, text);
  /* Said, not only shown: an ellipsized label still reads in full. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (chip->label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (chip->show),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, show, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (chip->remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove, -1);
}

static void
update_chip_visible (FsPinItem  *item,
                     GParamSpec *pspec,
                     GtkWidget  *box)
{
  Chip *chip = g_object_get_data (G_OBJECT (box), "fs-chip");
  gboolean visible = fs_pin_item_get_visible (item);

  gtk_button_set_icon_name (GTK_BUTTON (chip->show),
                            visible ? "view-reveal-symbolic" : "view-conceal-symbolic");
  gtk_widget_set_tooltip_text (chip->show, visible ? _("Hide from the plot") : _("Show on the plot"));
  if (visible)
    gtk_widget_remove_css_class (chip->chip, "fs-pin-hidden");
  else
    gtk_widget_add_css_class (chip->chip, "fs-pin-hidden");
  gtk_widget_queue_draw (chip->swatch);
}

static void
on_remove_clicked (GtkButton *button,
                   FsPinItem *item)
{
  GtkWidget *bar = gtk_widget_get_ancestor (GTK_WIDGET (button), FS_TYPE_PIN_BAR);

  g_return_if_fail (bar != NULL);
  g_signal_emit (bar, signals[SIGNAL_REMOVE], 0, item);
}

static void
add_chip_controls (Chip      *chip,
                   FsPinItem *item)
{
  chip->show = gtk_toggle_button_new ();
  gtk_widget_add_css_class (chip->show, "flat");
  gtk_widget_add_css_class (chip->show, "circular");
  gtk_widget_set_valign (chip->show, GTK_ALIGN_CENTER);
  g_object_bind_property (item, "visible", chip->show, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  gtk_box_append (GTK_BOX (chip->chip), chip->show);

  chip->remove = gtk_button_new_from_icon_name ("window-close-symbolic");
  gtk_widget_add_css_class (chip->remove, "flat");
  gtk_widget_add_css_class (chip->remove, "circular");
  gtk_widget_set_valign (chip->remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (chip->remove, _("Remove"));
  g_signal_connect_object (chip->remove, "clicked", G_CALLBACK (on_remove_clicked), item, 0);
  gtk_box_append (GTK_BOX (chip->chip), chip->remove);
}

static GtkWidget *
chip_new (FsPinItem *item)
{
  Chip *chip = g_new0 (Chip, 1);

  chip->chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  gtk_widget_add_css_class (chip->chip, "fs-pin-chip");
  /* The chip owns what follows the item; the item's handlers go with it. */
  g_object_set_data_full (G_OBJECT (chip->chip), "fs-chip", chip, g_free);
  g_object_set_data_full (G_OBJECT (chip->chip), "fs-item", g_object_ref (item), g_object_unref);

  chip->swatch = swatch_new (item);
  gtk_box_append (GTK_BOX (chip->chip), chip->swatch);
  chip->label = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (chip->label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (chip->label), 28);
  gtk_label_set_xalign (GTK_LABEL (chip->label), 0.0);
  gtk_box_append (GTK_BOX (chip->chip), chip->label);
  add_chip_controls (chip, item);

  update_chip_label (item, NULL, chip->chip);
  update_chip_visible (item, NULL, chip->chip);
  g_signal_connect_object (item, "notify::label", G_CALLBACK (update_chip_label), chip->chip, 0);
  g_signal_connect_object (item, "notify::visible", G_CALLBACK (update_chip_visible), chip->chip, 0);
  return chip->chip;
}

/* ---- The bar ---- */

static gboolean
is_pinned (gpointer item,
           gpointer data)
{
  return !fs_pin_item_get_is_live (FS_PIN_ITEM (item));
}

static void
update_visibility (FsPinBar *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), gtk_widget_get_first_child (GTK_WIDGET (self)) != NULL);
}

static GtkWidget *
nth_chip (FsPinBar *self,
          guint     position)
{
  GtkWidget *chip = gtk_widget_get_first_child (GTK_WIDGET (self));

  for (guint k = 0; k < position && chip != NULL; k++)
    chip = gtk_widget_get_next_sibling (chip);
  return chip;
}

static void
on_pins_changed (FsPinBar   *self,
                 guint       position,
                 guint       removed,
                 guint       added,
                 GListModel *pins)
{
  GtkWidget *before = position > 0 ? nth_chip (self, position - 1) : NULL;

  for (guint k = 0; k < removed; k++)
    {
      GtkWidget *chip = before != NULL ? gtk_widget_get_next_sibling (before)
                                       : gtk_widget_get_first_child (GTK_WIDGET (self));

      gtk_widget_unparent (chip);
    }
  for (guint k = 0; k < added; k++)
    {
      g_autoptr(FsPinItem) item = g_list_model_get_item (pins, position + k);
      GtkWidget *chip = chip_new (item);

      gtk_widget_insert_after (chip, GTK_WIDGET (self), before);
      before = chip;
    }
  update_visibility (self);
}

static void
remove_chips (FsPinBar *self)
{
  GtkWidget *chip;

  while ((chip = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (chip);
}

/* Lays the chips out in lines of at most width (natural widths, one
 * chip a line at least), from the left; allocates them when allocate,
 * and returns the height the lines take. */
static int
lay_out (FsPinBar *self,
         int       width,
         gboolean  allocate)
{
  GtkWidget *line_start = gtk_widget_get_first_child (GTK_WIDGET (self));
  int y = 0;

  while (line_start != NULL)
    {
      GtkWidget *chip = line_start, *end;
      int used = 0, line_height = 0;

      /* The chips that fit on this line. */
      for (; chip != NULL; chip = gtk_widget_get_next_sibling (chip))
        {
          int nat, h;

          gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
          if (chip != line_start && used + CHIP_SPACING + nat > width)
            break;
          used += (chip != line_start ? CHIP_SPACING : 0) + MIN (nat, width);
          gtk_widget_measure (chip, GTK_ORIENTATION_VERTICAL, MIN (nat, width), NULL, &h, NULL, NULL);
          line_height = MAX (line_height, h);
        }
      end = chip;
      if (allocate)
        {
          int x = 0;

          for (chip = line_start; chip != end; chip = gtk_widget_get_next_sibling (chip))
            {
              int nat;

              gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &nat, NULL, NULL);
              nat = MIN (nat, width);
              gtk_widget_size_allocate (chip, &(GtkAllocation) { x, y, nat, line_height }, -1);
              x += nat + CHIP_SPACING;
            }
        }
      y += line_height + (end != NULL ? LINE_SPACING : 0);
      line_start = end;
    }
  return y;
}

static void
fs_pin_bar_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  FsPinBar *self = FS_PIN_BAR (widget);

  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = lay_out (self, for_size < 0 ? G_MAXINT / 2 : for_size, FALSE);
      return;
    }
  for (GtkWidget *chip = gtk_widget_get_first_child (widget); chip != NULL;
       chip = gtk_widget_get_next_sibling (chip))
    {
      int min, nat;

      gtk_widget_measure (chip, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      *minimum = MAX (*minimum, min);
      *natural += nat + (chip != gtk_widget_get_first_child (widget) ? CHIP_SPACING : 0);
    }
}

static void
fs_pin_bar_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  lay_out (FS_PIN_BAR (widget), width, TRUE);
}

static GtkSizeRequestMode
fs_pin_bar_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
fs_pin_bar_dispose (GObject *object)
{
  FsPinBar *self = FS_PIN_BAR (object);

  if (self->pins != NULL)
    g_signal_handlers_disconnect_by_data (self->pins, self);
  g_clear_object (&self->pins);
  remove_chips (self);
  G_OBJECT_CLASS (fs_pin_bar_parent_class)->dispose (object);
}

static void
fs_pin_bar_class_init (FsPinBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_pin_bar_dispose;
  widget_class->measure = fs_pin_bar_measure;
  widget_class->size_allocate = fs_pin_bar_size_allocate;
  widget_class->get_request_mode = fs_pin_bar_get_request_mode;

  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, FS_TYPE_PIN_ITEM);

  gtk_widget_class_set_css_name (widget_class, "pinbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
fs_pin_bar_init (FsPinBar *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Kept runs"), -1);
  update_visibility (self);
}

GtkWidget *
fs_pin_bar_new (void)
{
  return g_object_new (FS_TYPE_PIN_BAR, NULL);
}

/* pins: a GListModel of FsPinItem; the live one, if any, gets no chip. */
void
fs_pin_bar_set_model (FsPinBar   *self,
                      GListModel *pins)
{
  g_return_if_fail (FS_IS_PIN_BAR (self));
  g_return_if_fail (pins == NULL || G_IS_LIST_MODEL (pins));

  if (self->pins != NULL)
    g_signal_handlers_disconnect_by_data (self->pins, self);
  g_clear_object (&self->pins);
  remove_chips (self);
  if (pins != NULL)
    {
      GtkCustomFilter *filter = gtk_custom_filter_new (is_pinned, NULL, NULL);

      self->pins = gtk_filter_list_model_new (g_object_ref (pins), GTK_FILTER (filter));
      g_signal_connect_swapped (self->pins, "items-changed", G_CALLBACK (on_pins_changed), self);
      on_pins_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->pins)),
                       G_LIST_MODEL (self->pins));
    }
  update_visibility (self);
}
