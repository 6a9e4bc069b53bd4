/* fs-histogram.c
 *
 * Bars of log10 |value| over the histogram's bins, and the exact zeros as
 * a bar of their own at the left, past a gap with a break mark on the
 * axis (zeros have no logarithm: they are not the leftmost decade) and in
 * a colour of their own, with their count written above it.
 *
 * Counts are on a linear axis, so that bar heights compare as counts do,
 * unless the largest bar is more than LOG_COUNTS_RATIO times the smallest
 * non-empty one: a bar of 3 beside one of 30 000 would then be a line of
 * no height, and a log axis keeps every non-empty bar visible.
 *
 * Everything is laid out when the data or the size change; the snapshot
 * only strokes a few rectangles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-histogram"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-histogram.h"
#include "fs-plot-draw.h"

#define MAX_TICKS 6
#define PAD 6
#define TICK 4
#define LOG_COUNTS_RATIO 100.0
#define NO_BAR G_MININT

/* Adwaita's orange 4: the colour of exact zeros, apart from the accent. */
static const GdkRGBA zero_colour = { 0.90, 0.38, 0.0, 1.0 };

struct _FsHistogram
{
  GtkWidget       parent_instance;

  char           *title;
  gboolean        has_data;
  FsLogHistogram  histogram;   /* counts owned */

  /* Laid out by update (). */
  int             width;
  int             height;
  gboolean        log_counts;
  double          c_lo, c_hi;             /* count axis (log10 of counts on a log axis) */
  double          left, right, top, bottom;
  double          zero_left, zero_right;  /* the zeros' bar */
  double          bins_left;              /* where the decades start */
  double          y_ticks[MAX_TICKS];
  guint           n_y_ticks;
  int             line_h;

  gint            hover_bar;              /* NO_BAR, -1 for the zeros, or a bin */
  char           *summary;
  char           *readout;
};

G_DEFINE_FINAL_TYPE (FsHistogram, fs_histogram, GTK_TYPE_WIDGET)

/* Counts as the locale groups digits ("1,204" in English). */
static char *
count_text (guint64 count)
{
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, count);
}

/* A decade edge: "1e-3", and 1, 10 and 100 as they are; an edge between
 * decades (bins finer than a decade) as its value. */
static char *
edge_text (double exponent)
{
  double whole = round (exponent);

  if (fabs (exponent - whole) > 1e-9)
    return g_strdup_printf ("%.2g", pow (10.0, exponent));
  if (whole >= 0 && whole <= 2)
    return g_strdup_printf ("%g", pow (10.0, whole));
  return g_strdup_printf ("1e%d", (int) whole);
}

static double
bin_width (FsHistogram *self)
{
  return (self->histogram.hi - self->histogram.lo) / MAX (self->histogram.n_bins, 1);
}

static double
count_transform (FsHistogram *self,
                 double       count)
{
  return self->log_counts ? log10 (MAX (count, 1e-300)) : count;
}

static double
count_to_y (FsHistogram *self,
            double       count)
{
  double t = (count_transform (self, count) - self->c_lo) / (self->c_hi - self->c_lo);

  return self->bottom - CLAMP (t, 0.0, 1.0) * (self->bottom - self->top);
}

/* The x range of decade bin b. */
static void
bin_bounds (FsHistogram *self,
            guint        b,
            double      *x0,
            double      *x1)
{
  double w = (self->right - self->bins_left) / MAX (self->histogram.n_bins, 1);

  *x0 = self->bins_left + b * w;
  *x1 = *x0 + w;
}

static double
exponent_to_x (FsHistogram *self,
               double       exponent)
{
  const FsLogHistogram *h = &self->histogram;

  return self->bins_left + (exponent - h->lo) / (h->hi - h->lo) * (self->right - self->bins_left);
}

/* The smallest non-empty and the largest count, the zeros' included. */
static void
count_range (FsHistogram *self,
             guint64     *smallest,
             guint64     *largest)
{
  const FsLogHistogram *h = &self->histogram;

  *smallest = h->zeros > 0 ? h->zeros : G_MAXUINT64;
  *largest = h->zeros;
  for (guint b = 0; b < h->n_bins; b++)
    if (h->counts[b] > 0)
      {
        *smallest = MIN (*smallest, h->counts[b]);
        *largest = MAX (*largest, h->counts[b]);
      }
}

/* The count axis: linear from 0, or log from half a decade below the
 * smallest bar, so that a count of 1 still shows. */
static void
choose_count_axis (FsHistogram *self)
{
  guint64 smallest, largest;

  count_range (self, &smallest, &largest);
  self->log_counts = largest > 0 && largest > LOG_COUNTS_RATIO * (double) smallest;
  if (self->log_counts)
    {
      self->c_lo = log10 ((double) smallest) - 0.5;
      self->c_hi = log10 ((double) largest);
      self->n_y_ticks = fs_log_ticks (pow (10.0, self->c_lo), (double) largest,
                                      self->y_ticks, MAX_TICKS);
    }
  else
    {
      self->c_lo = 0.0;
      self->c_hi = MAX ((double) largest, 1.0);
      self->n_y_ticks = fs_whole_ticks (self->y_ticks,
                                        fs_linear_ticks (0.0, self->c_hi, self->y_ticks, MAX_TICKS));
    }
}

static int
text_width (FsHistogram *self,
            const char  *text,
            int         *height)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  if (height != NULL)
    *height = h;
  return w;
}

/* The plot area, the zeros' bar and the gap after it. */
static void
place_areas (FsHistogram *self)
{
  int label_w = 0;
  double slot, gap;

  self->line_h = 0;
  text_width (self, "0", &self->line_h);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->y_ticks[t]);

      label_w = MAX (label_w, text_width (self, text, NULL));
    }
  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD, self->left + 1);
  /* A line for the title or readout, and one for the zeros' count. */
  self->top = PAD + 2.0 * self->line_h + 2;
  self->bottom = MAX (self->height - PAD - self->line_h - TICK, self->top + 1);
  slot = CLAMP ((self->right - self->left) / (self->histogram.n_bins + 2.0), 8.0, 40.0);
  gap = MAX (10.0, slot * 0.6);
  self->zero_left = self->left + 2;
  self->zero_right = self->zero_left + slot;
  self->bins_left = MIN (self->zero_right + gap, self->right - 1);
}

static void
update (FsHistogram *self)
{
  if (!self->has_data)
    return;
  choose_count_axis (self);
  place_areas (self);
}

static char *
share_text (guint64 part,
            guint64 whole)
{
  double share = whole > 0 ? 100.0 * part / whole : 0.0;

  return share >= 10.0 || share == 0.0 ? g_strdup_printf ("%.0f", share)
                                       : g_strdup_printf ("%.2g", share);
}

/* "W: 61% exactly 0", the line over the plot and the description. */
static void
update_summary (FsHistogram *self)
{
  g_autofree char *share = NULL;

  g_clear_pointer (&self->summary, g_free);
  if (self->has_data)
    {
      share = share_text (self->histogram.zeros, self->histogram.total);
      /* Translators: the title (W or H), then the share of exact zeros in percent. */
      self->summary = g_strdup_printf (_("%s: %s%% exactly 0"), self->title, share);
    }
  else
    self->summary = g_strdup (_("Nothing to count"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->summary, -1);
}

static void
update_readout (FsHistogram *self)
{
  const FsLogHistogram *h = &self->histogram;
  g_autofree char *count = NULL;

  g_clear_pointer (&self->readout, g_free);
  if (!self->has_data || self->hover_bar == NO_BAR)
    return;
  if (self->hover_bar < 0)
    {
      g_autofree char *share = share_text (h->zeros, h->total);

      count = count_text (h->zeros);
      self->readout = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "exactly 0: %s value (%s%%)",
                                                    "exactly 0: %s values (%s%%)",
                                                    (gulong) MIN (h->zeros, G_MAXULONG)),
                                       count, share);
    }
  else
    {
      guint64 n = h->counts[self->hover_bar];
      double e0 = h->lo + self->hover_bar * bin_width (self);
      g_autofree char *from = edge_text (e0);
      g_autofree char *to = edge_text (e0 + bin_width (self));

      count = count_text (n);
      /* Translators: a range of magnitudes, "1e-3 … 1e-2", and how many fall in it. */
      self->readout = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s … %s: %s value",
                                                    "%s … %s: %s values",
                                                    (gulong) MIN (n, G_MAXULONG)),
                                       from, to, count);
    }
}

static void
draw_bar (cairo_t       *cr,
          double         x0,
          double         x1,
          double         y,
          double         bottom,
          const GdkRGBA *colour,
          gboolean       hovered)
{
  gdk_cairo_set_source_rgba (cr, colour);
  cairo_rectangle (cr, x0, y, x1 - x0, bottom - y);
  cairo_fill (cr);
  if (hovered)
    {
      cairo_set_source_rgba (cr, 1, 1, 1, 0.3);
      cairo_rectangle (cr, x0, y, x1 - x0, bottom - y);
      cairo_fill (cr);
    }
}

/* The decade bars and the zeros' bar; empty ones are not drawn. */
static void
draw_bars (FsHistogram *self,
           cairo_t     *cr)
{
  const FsLogHistogram *h = &self->histogram;

  for (guint b = 0; b < h->n_bins; b++)
    {
      double x0, x1;

      if (h->counts[b] == 0)
        continue;
      bin_bounds (self, b, &x0, &x1);
      draw_bar (cr, x0 + 1, MAX (x1 - 1, x0 + 2), round (count_to_y (self, h->counts[b])),
                self->bottom, &fs_plot_accent, self->hover_bar == (gint) b);
    }
  if (h->zeros > 0)
    draw_bar (cr, self->zero_left, self->zero_right, round (count_to_y (self, h->zeros)),
              self->bottom, &zero_colour, self->hover_bar == -1);
}

/* The axes, with the count axis's grid and a break in the x axis between
 * the zeros and the decades. */
static void
draw_axes (FsHistogram   *self,
           cairo_t       *cr,
           const GdkRGBA *fg)
{
  double y0 = self->bottom + 0.5, mid = (self->zero_right + self->bins_left) / 2.0;

  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.12);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      double y = round (count_to_y (self, self->y_ticks[t])) + 0.5;

      cairo_move_to (cr, self->left, y);
      cairo_line_to (cr, self->right, y);
    }
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.6);
  cairo_move_to (cr, self->left + 0.5, self->top);
  cairo_line_to (cr, self->left + 0.5, y0);
  cairo_line_to (cr, mid - 3, y0);
  cairo_move_to (cr, mid + 3, y0);
  cairo_line_to (cr, self->right, y0);
  /* The break: two slanted strokes. */
  cairo_move_to (cr, mid - 5, y0 + 4);
  cairo_line_to (cr, mid - 1, y0 - 4);
  cairo_move_to (cr, mid + 1, y0 + 4);
  cairo_line_to (cr, mid + 5, y0 - 4);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      double y = round (count_to_y (self, self->y_ticks[t])) + 0.5;

      cairo_move_to (cr, self->left - TICK, y);
      cairo_line_to (cr, self->left, y);
    }
  for (double e = ceil (self->histogram.lo - 1e-9); e <= self->histogram.hi + 1e-9; e++)
    {
      double x = round (exponent_to_x (self, e)) + 0.5;

      cairo_move_to (cr, x, y0);
      cairo_line_to (cr, x, y0 + TICK);
    }
  cairo_stroke (cr);
}

/* Writes text with its left edge at x (clamped into the widget) and its
 * top at y; returns where it ends. */
static double
text_at (FsHistogram   *self,
         GtkSnapshot   *snapshot,
         const char    *text,
         double         x,
         double         y,
         const GdkRGBA *colour)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  x = CLAMP (x, 0, MAX (self->width - w, 0));
  fs_plot_append_layout (snapshot, layout, x, y, colour);
  return x + w;
}

/* Whole decades under the axis, every k-th one so that none touch. */
static void
snapshot_decade_labels (FsHistogram   *self,
                        GtkSnapshot   *snapshot,
                        const GdkRGBA *fg,
                        double         x_free)
{
  const FsLogHistogram *h = &self->histogram;
  int first = (int) ceil (h->lo - 1e-9), last = (int) floor (h->hi + 1e-9);
  g_autofree char *widest = edge_text (MIN (first, -10));
  double room = (exponent_to_x (self, 1.0) - exponent_to_x (self, 0.0));
  int step = MAX (1, (int) ceil ((text_width (self, widest, NULL) + 6) / MAX (room, 1.0)));

  for (int e = first; e <= last; e++)
    {
      g_autofree char *text = NULL;
      int w;

      if ((e - first) % step != 0)
        continue;
      text = edge_text (e);
      w = text_width (self, text, NULL);
      if (exponent_to_x (self, e) - w / 2.0 < x_free)
        continue;
      x_free = text_at (self, snapshot, text, exponent_to_x (self, e) - w / 2.0,
                        self->bottom + TICK, fg) + 4;
    }
}

static void
snapshot_labels (FsHistogram   *self,
                 GtkSnapshot   *snapshot,
                 const GdkRGBA *fg)
{
  const FsLogHistogram *h = &self->histogram;
  double zero_mid = (self->zero_left + self->zero_right) / 2.0, x_free;

  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = g_strdup_printf ("%g", self->y_ticks[t]);
      int w = text_width (self, text, NULL);

      text_at (self, snapshot, text, self->left - TICK - 2 - w,
               count_to_y (self, self->y_ticks[t]) - self->line_h / 2.0, fg);
    }
  x_free = text_at (self, snapshot, "0", zero_mid - text_width (self, "0", NULL) / 2.0,
                    self->bottom + TICK, &zero_colour) + 6;
  snapshot_decade_labels (self, snapshot, fg, x_free);
  if (h->zeros > 0)
    {
      g_autofree char *count = count_text (h->zeros);
      int w = text_width (self, count, NULL);

      text_at (self, snapshot, count, MAX (zero_mid - w / 2.0, 0),
               count_to_y (self, h->zeros) - self->line_h - 1, &zero_colour);
    }
}

static void
fs_histogram_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  FsHistogram *self = FS_HISTOGRAM (widget);
  GdkRGBA fg;
  cairo_t *cr;

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (!self->has_data || self->width <= 0)
    {
      GdkRGBA dim = { fg.red, fg.green, fg.blue, 0.55 };

      text_at (self, snapshot, self->summary, PAD, PAD, &dim);
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  draw_axes (self, cr, &fg);
  draw_bars (self, cr);
  cairo_destroy (cr);
  snapshot_labels (self, snapshot, &fg);
  text_at (self, snapshot, self->readout != NULL ? self->readout : self->summary, PAD, PAD, &fg);
}

static void
fs_histogram_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  FsHistogram *self = FS_HISTOGRAM (widget);

  self->width = width;
  self->height = height;
  update (self);
}

static void
fs_histogram_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 320 : 160;
}

static void
set_hover (FsHistogram *self,
           gint         bar)
{
  if (bar == self->hover_bar)
    return;
  self->hover_bar = bar;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsHistogram              *self)
{
  gint bar;

  set_hover (self, fs_histogram_get_bar_at (self, x, y, &bar) ? bar : NO_BAR);
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsHistogram              *self)
{
  set_hover (self, NO_BAR);
}

/* Left and Right (Home, End) step through the bars, the zeros' first, so
 * that the readout is there for the keyboard too. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsHistogram           *self)
{
  gint last = (gint) self->histogram.n_bins - 1;

  if (!self->has_data)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      set_hover (self, self->hover_bar == NO_BAR ? last : MAX (self->hover_bar - 1, -1));
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      set_hover (self, self->hover_bar == NO_BAR ? -1 : MIN (self->hover_bar + 1, last));
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      set_hover (self, -1);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      set_hover (self, last);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
fs_histogram_finalize (GObject *object)
{
  FsHistogram *self = FS_HISTOGRAM (object);

  g_free (self->title);
  g_free (self->histogram.counts);
  g_free (self->summary);
  g_free (self->readout);

  G_OBJECT_CLASS (fs_histogram_parent_class)->finalize (object);
}

static void
fs_histogram_class_init (FsHistogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = fs_histogram_finalize;
  widget_class->measure = fs_histogram_measure;
  widget_class->size_allocate = fs_histogram_size_allocate;
  widget_class->snapshot = fs_histogram_snapshot;

  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_histogram_init (FsHistogram *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->hover_bar = NO_BAR;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
fs_histogram_new (const char *title)
{
  FsHistogram *self;
  g_autofree char *label = NULL;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (FS_TYPE_HISTOGRAM, NULL);
  self->title = g_strdup (title);
  /* Translators: the accessible name of a histogram; %s is W or H. */
  label = g_strdup_printf (_("Histogram of %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  update_summary (self);
  return GTK_WIDGET (self);
}

void
fs_histogram_set_histogram (FsHistogram          *self,
                            const FsLogHistogram *histogram)
{
  g_return_if_fail (FS_IS_HISTOGRAM (self));
  g_return_if_fail (histogram == NULL || histogram->n_bins == 0 || histogram->counts != NULL);

  g_clear_pointer (&self->histogram.counts, g_free);
  self->has_data = histogram != NULL;
  if (histogram != NULL)
    {
      self->histogram = *histogram;
      self->histogram.counts = g_memdup2 (histogram->counts,
                                          sizeof (guint64) * histogram->n_bins);
      /* An empty range (nothing but zeros) still gets a decade, so that
       * the axis has a width. */
      if (!isfinite (self->histogram.lo))
        self->histogram.lo = 0.0;
      if (!(self->histogram.hi > self->histogram.lo) || !isfinite (self->histogram.hi))
        self->histogram.hi = self->histogram.lo + 1.0;
    }
  if (self->hover_bar >= (gint) self->histogram.n_bins || !self->has_data)
    self->hover_bar = NO_BAR;
  update (self);
  update_summary (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
fs_histogram_get_bar_at (FsHistogram *self,
                         double       x,
                         double       y,
                         gint        *bar)
{
  g_return_val_if_fail (FS_IS_HISTOGRAM (self), FALSE);

  if (!self->has_data || self->width <= 0 || y < self->top || y > self->bottom + TICK)
    return FALSE;
  if (x >= self->zero_left && x < self->zero_right)
    {
      if (bar != NULL)
        *bar = -1;
      return TRUE;
    }
  if (x < self->bins_left || x >= self->right || self->histogram.n_bins == 0)
    return FALSE;
  if (bar != NULL)
    *bar = MIN ((gint) ((x - self->bins_left) / (self->right - self->bins_left) *
                        self->histogram.n_bins),
                (gint) self->histogram.n_bins - 1);
  return TRUE;
}

/* The readout of the bar under the pointer, or NULL. */
const char *
fs_histogram_get_readout (FsHistogram *self)
{
  g_return_val_if_fail (FS_IS_HISTOGRAM (self), NULL);
  return self->readout;
}
