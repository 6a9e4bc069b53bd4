/* fs-trace-plot.c
 *
 * Drawn like the loss plot: all the work is done when the snapshot, the
 * size or the options change (update ()). Each kind of the shown run's
 * trace (the current run while running, the best once done, as the loss
 * plot picks) is decimated into one min/max pair per pixel column by a
 * binary search of the trace's iterations and an index of its values, so
 * that a frame costs O(pixels) however long the run; the grid, axes,
 * curves and legend samples are stroked into one render node, and the
 * snapshot appends it with the text. The pointer's readout is drawn
 * apart. Text is a little smaller than the widget's font: the chart is
 * meant to fit 240 × 90.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-trace-plot"

#include <glib/gi18n.h>
#include <math.h>

#include "fs-display.h"
#include "fs-plot-draw.h"
#include "fs-trace-plot.h"

#define MAX_TICKS 6
#define PAD 4
#define TICK 3
#define SAMPLE 14           /* a legend entry's line sample */
#define GAP 3
#define TEXT_SCALE 0.85
#define SHARE_KINDS (1u << FS_TRACE_ZEROS_W | 1u << FS_TRACE_ZEROS_H | \
                     1u << FS_TRACE_SMALL_W | 1u << FS_TRACE_SMALL_H)

/* One kind, decimated into columns (NaN iteration: no point in it), in
 * pixels, and its last value written at the line's end. */
typedef struct
{
  FsMinMaxIndex *index;
  gsize          n;
  double        *iteration;
  double        *v_min;
  double        *v_max;
  double        *x;
  double        *y;
  double         last;
  double         last_iteration;
  PangoLayout   *end_label;
  double         end_y;
  PangoLayout   *legend_label;
  double         legend_x;
  double         legend_y;
} Line;

struct _FsTracePlot
{
  GtkWidget      parent_instance;

  char          *title;
  guint          kinds;
  FsSnapshot    *snapshot;
  gboolean       log_iterations;

  /* Built by update (). */
  int            width;
  int            height;
  double         left, right, top, bottom;   /* plot area */
  gboolean       shares;                     /* a linear 0 … 100% axis */
  double         y_lo, y_hi;                 /* log10 of the range on a log axis */
  double         x_hi;
  guint          drawn;                      /* kinds with points */
  Line           lines[FS_N_TRACES];
  PangoLayout   *title_layout;
  PangoLayout   *empty_layout;
  GPtrArray     *y_labels;
  double         y_ticks[MAX_TICKS];
  guint          n_y_ticks;
  GPtrArray     *x_labels;
  double         x_ticks[MAX_TICKS];
  guint          n_x_ticks;
  GdkRGBA        fg;
  GskRenderNode *plot_node;

  /* The pointer and what it reads. */
  gboolean       hover;
  double         pointer_x;
  double         hover_x;
  char          *readout;
  PangoLayout   *readout_layout;
};

G_DEFINE_FINAL_TYPE (FsTracePlot, fs_trace_plot, GTK_TYPE_WIDGET)

static void
line_clear (Line *l)
{
  g_clear_pointer (&l->index, fs_min_max_index_free);
  g_clear_pointer (&l->iteration, g_free);
  g_clear_pointer (&l->v_min, g_free);
  g_clear_pointer (&l->v_max, g_free);
  g_clear_pointer (&l->x, g_free);
  g_clear_pointer (&l->y, g_free);
  g_clear_object (&l->end_label);
  g_clear_object (&l->legend_label);
  l->n = 0;
}

static PangoLayout *
layout_for (FsTracePlot *self,
            const char  *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (TEXT_SCALE));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

/* "61.2%" for a share, three digits for anything else. */
static char *
value_text (FsTracePlot *self,
            double       value)
{
  if (self->shares)
    return g_strdup_printf ("%.1f%%", 100.0 * value);
  return g_strdup_printf ("%.3g", value);
}

/* The shown run's trace and its length, or NULL. */
static FsTrace *
shown_trace (FsTracePlot *self,
             gsize       *len)
{
  FsSnapshot *s = self->snapshot;
  guint run;

  *len = 0;
  if (s == NULL || s->traces == NULL || s->trace_lengths == NULL)
    return NULL;
  run = s->best_run >= 0 && s->state == FS_RUNNER_FINISHED ? (guint) s->best_run : s->run;
  if (run > s->run || s->traces[run] == NULL)
    return NULL;
  *len = s->trace_lengths[run];
  return *len > 0 ? s->traces[run] : NULL;
}

/* Where an iteration sits along the axis, in [0, 1]; the log axis puts
 * iteration i at log10 (i + 1), as the loss plot does. */
static double
iteration_to_x (FsTracePlot *self,
                double       iteration)
{
  double t = self->log_iterations ? log10 (MAX (iteration, 0.0) + 1.0) / log10 (self->x_hi + 1.0)
                                  : iteration / self->x_hi;

  return self->left + t * (self->right - self->left);
}

static double
x_to_iteration (FsTracePlot *self,
                double       x)
{
  double t = (x - self->left) / (self->right - self->left);

  return self->log_iterations ? pow (self->x_hi + 1.0, t) - 1.0 : t * self->x_hi;
}

/* Widget y of a value: NaN for one a log axis has no place for. */
static double
value_to_y (FsTracePlot *self,
            double       value)
{
  double t;

  if (!self->shares && !(value > 0.0))
    return NAN;
  t = self->shares ? value : log10 (value);
  t = (t - self->y_lo) / (self->y_hi - self->y_lo);
  return self->bottom - CLAMP (t, -0.05, 1.05) * (self->bottom - self->top);
}

/* Decimates one kind into columns and widens [lo, hi] to its values (on
 * a log axis, the positive ones); NaN values (a held-out MSE without
 * held-out cells) are skipped. Returns FALSE, and nothing to draw, when
 * no column holds a value. */
static gboolean
decimate_line (FsTracePlot *self,
               Line        *l,
               FsTrace     *trace,
               FsTraceKind  kind,
               gsize        len,
               double      *lo,
               double      *hi)
{
  FsCostLog *log = fs_trace_get_log (trace, kind);
  gsize columns = (gsize) MAX (self->width, 1);
  gboolean any = FALSE;

  if (l->index == NULL || fs_min_max_index_get_log (l->index) != log)
    {
      line_clear (l);
      l->index = fs_min_max_index_new (log);
    }
  fs_min_max_index_update (l->index, len);
  if (l->n != columns)
    {
      l->n = columns;
      l->iteration = g_renew (double, l->iteration, columns);
      l->v_min = g_renew (double, l->v_min, columns);
      l->v_max = g_renew (double, l->v_max, columns);
      l->x = g_renew (double, l->x, columns);
      l->y = g_renew (double, l->y, columns);
    }
  fs_decimate_trace (trace, l->index, columns, self->log_iterations, self->x_hi,
                     l->iteration, l->v_min, l->v_max);
  for (gsize k = 0; k < columns; k++)
    {
      double v_lo = l->v_min[k], v_hi = l->v_max[k];

      if (isnan (l->iteration[k]) || isnan (v_lo) || isnan (v_hi))
        continue;
      any = TRUE;
      if (!self->shares && v_lo <= 0.0)
        v_lo = v_hi > 0.0 ? v_hi : INFINITY;
      *lo = MIN (*lo, v_lo);
      *hi = MAX (*hi, !self->shares && v_hi <= 0.0 ? -INFINITY : v_hi);
    }
  l->last = fs_trace_get (trace, kind, len - 1);
  l->last_iteration = (double) fs_trace_get_iteration (trace, len - 1);
  return any;
}

/* The y axis for values in [lo, hi]: shares always 0 … 100%. */
static void
choose_y_axis (FsTracePlot *self,
               double       lo,
               double       hi)
{
  if (self->shares)
    {
      self->y_lo = 0.0;
      self->y_hi = 1.0;
      self->n_y_ticks = 3;
      self->y_ticks[0] = 0.0;
      self->y_ticks[1] = 0.5;
      self->y_ticks[2] = 1.0;
      return;
    }
  if (!(lo <= hi))
    {
      lo = 0.1;
      hi = 1.0;
    }
  self->y_lo = floor (log10 (lo));
  self->y_hi = MAX (ceil (log10 (hi)), self->y_lo + 1);
  self->n_y_ticks = fs_log_ticks (pow (10, self->y_lo), pow (10, self->y_hi), self->y_ticks, 3);
}

static void
choose_x_axis (FsTracePlot *self)
{
  if (self->log_iterations)
    {
      self->x_ticks[0] = 0.0;
      self->n_x_ticks = 1 + fs_log_ticks (1.0, self->x_hi, self->x_ticks + 1, 3);
    }
  else
    self->n_x_ticks = fs_linear_ticks (0.0, self->x_hi, self->x_ticks, 3);
}

/* Brings the lines up to the snapshot and chooses the axes. */
static void
update_lines (FsTracePlot *self)
{
  gsize len;
  FsTrace *trace = shown_trace (self, &len);
  double lo = INFINITY, hi = -INFINITY;

  self->drawn = 0;
  self->shares = (self->kinds & SHARE_KINDS) != 0;
  self->x_hi = trace != NULL ? MAX ((double) fs_trace_get_iteration (trace, len - 1), 10.0) : 10.0;
  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      Line *l = &self->lines[kind];

      if (trace == NULL || (self->kinds & (1u << kind)) == 0)
        {
          line_clear (l);
          continue;
        }
      if (decimate_line (self, l, trace, kind, len, &lo, &hi))
        self->drawn |= 1u << kind;
    }
  choose_y_axis (self, lo, hi);
  choose_x_axis (self);
}

/* Powers of ten as a reader says them, as the loss plot writes them. */
static char *
iteration_tick_text (double iteration)
{
  if (iteration >= 1e6)
    return g_strdup_printf ("%gM", iteration / 1e6);
  if (iteration >= 1e4)
    return g_strdup_printf ("%gk", iteration / 1e3);
  return g_strdup_printf ("%g", iteration);
}

/* The tick labels; returns the widest y label. */
static int
layout_tick_labels (FsTracePlot *self)
{
  int label_w = 0;

  g_ptr_array_set_size (self->y_labels, 0);
  g_ptr_array_set_size (self->x_labels, 0);
  for (guint t = 0; t < self->n_y_ticks; t++)
    {
      g_autofree char *text = self->shares ? g_strdup_printf ("%g%%", 100.0 * self->y_ticks[t])
                                           : g_strdup_printf ("%g", self->y_ticks[t]);
      PangoLayout *layout = layout_for (self, text);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      label_w = MAX (label_w, w);
      g_ptr_array_add (self->y_labels, layout);
    }
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      g_autofree char *text = iteration_tick_text (self->x_ticks[t]);

      g_ptr_array_add (self->x_labels, layout_for (self, text));
    }
  return label_w;
}

/* Legend entries after the title, on its row while they fit, then on
 * rows below; returns the height of the rows. */
static int
layout_legend (FsTracePlot *self,
               int          title_w,
               int          title_h)
{
  double x = PAD + title_w + 3 * GAP, y = 0;

  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      Line *l = &self->lines[kind];
      int w, h;

      if ((self->drawn & (1u << kind)) == 0)
        continue;
      g_clear_object (&l->legend_label);
      l->legend_label = layout_for (self, fs_trace_kind_get_label (kind));
      pango_layout_get_pixel_size (l->legend_label, &w, &h);
      if (x + SAMPLE + GAP + w > self->width - PAD && x > PAD)
        {
          x = PAD;
          y += MAX (title_h, h);
        }
      l->legend_x = x;
      l->legend_y = y;
      x += SAMPLE + GAP + w + 3 * GAP;
    }
  return (int) y + title_h;
}

/* The last values' labels; returns the widest. */
static int
layout_end_labels (FsTracePlot *self)
{
  int widest = 0;

  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      Line *l = &self->lines[kind];
      g_autofree char *text = NULL;
      int w;

      if ((self->drawn & (1u << kind)) == 0)
        continue;
      text = value_text (self, l->last);
      g_clear_object (&l->end_label);
      l->end_label = layout_for (self, text);
      pango_layout_get_pixel_size (l->end_label, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

/* Every label, and the plot area they leave. */
static void
layout_labels (FsTracePlot *self)
{
  int title_w, title_h, label_w, end_w, header_h, tick_h = 0;

  g_clear_object (&self->title_layout);
  self->title_layout = layout_for (self, self->title);
  pango_attr_list_insert (pango_layout_get_attributes (self->title_layout),
                          pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_get_pixel_size (self->title_layout, &title_w, &title_h);
  header_h = layout_legend (self, title_w, title_h);
  label_w = layout_tick_labels (self);
  end_w = layout_end_labels (self);
  if (self->x_labels->len > 0)
    pango_layout_get_pixel_size (g_ptr_array_index (self->x_labels, 0), NULL, &tick_h);

  self->left = PAD + label_w + TICK + 2;
  self->right = MAX (self->width - PAD - (end_w > 0 ? end_w + GAP : 0), self->left + 1);
  self->top = header_h + PAD + title_h / 2.0;
  self->bottom = MAX (self->height - tick_h - TICK - 1, self->top + 1);
}

/* The end labels at their lines' ends, top to bottom, each moved down
 * as far as it must not to cover the one above. */
static void
place_end_labels (FsTracePlot *self)
{
  guint order[FS_N_TRACES], n = 0;
  double free_y = -G_MAXDOUBLE;

  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    if (self->drawn & (1u << kind))
      {
        Line *l = &self->lines[kind];
        guint j = n++;
        int h;

        pango_layout_get_pixel_size (l->end_label, NULL, &h);
        l->end_y = value_to_y (self, l->last);
        l->end_y = CLAMP (isnan (l->end_y) ? self->bottom : l->end_y, h / 2.0, self->height - h / 2.0) - h / 2.0;
        for (; j > 0 && self->lines[order[j - 1]].end_y > l->end_y; j--)
          order[j] = order[j - 1];
        order[j] = kind;
      }
  for (guint k = 0; k < n; k++)
    {
      Line *l = &self->lines[order[k]];
      int h;

      pango_layout_get_pixel_size (l->end_label, NULL, &h);
      l->end_y = MAX (l->end_y, free_y);
      free_y = l->end_y + h;
    }
}

/* The columns in pixels, each at its points' middle. */
static void
map_lines (FsTracePlot *self)
{
  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      Line *l = &self->lines[kind];

      if ((self->drawn & (1u << kind)) == 0)
        continue;
      for (gsize k = 0; k < l->n; k++)
        {
          double middle = (l->v_min[k] + l->v_max[k]) / 2.0;

          if (!self->shares && !(l->v_min[k] > 0.0))
            middle = l->v_max[k];
          l->x[k] = iteration_to_x (self, l->iteration[k]);
          l->y[k] = value_to_y (self, middle);
        }
    }
  place_end_labels (self);
}

static double
plot_value_to_y (gpointer plot,
                 double   value)
{
  return value_to_y (plot, value);
}

static void
stroke_grid_and_axes (FsTracePlot   *self,
                      cairo_t       *cr,
                      const GdkRGBA *fg)
{
  FsPlotArea area = { self->left, self->top, self->right, self->bottom };

  fs_plot_stroke_frame (cr, fg, &area, self->y_ticks, self->n_y_ticks, plot_value_to_y, self, 0.0);
  for (guint t = 0; t < self->n_x_ticks; t++)
    {
      double x = round (iteration_to_x (self, self->x_ticks[t])) + 0.5;

      cairo_move_to (cr, x, self->bottom);
      cairo_line_to (cr, x, self->bottom + TICK);
    }
  cairo_stroke (cr);
}

/* Each kind's colour and dash as every plot draws it, and the MSEs': the
 * training MSE in the live curve's blue, solid, the held-out MSE in an
 * orange apart from it, dashed, so that the two read in grey too. */
static void
line_style (FsTraceKind    kind,
            double         rgb[3],
            const double **dash,
            int           *n_dash)
{
  static const double holdout_dash[] = { 6.0, 3.0 };

  switch (kind)
    {
    case FS_TRACE_TRAIN_MSE:
      rgb[0] = 0.21, rgb[1] = 0.52, rgb[2] = 0.89;
      *dash = NULL;
      *n_dash = 0;
      break;
    case FS_TRACE_HOLDOUT_MSE:
      rgb[0] = 0.96, rgb[1] = 0.47, rgb[2] = 0.0;
      *dash = holdout_dash;
      *n_dash = G_N_ELEMENTS (holdout_dash);
      break;
    default:
      fs_trace_kind_style (kind, rgb, dash, n_dash);
    }
}

static void
set_style (cairo_t     *cr,
           FsTraceKind  kind)
{
  const double *dash;
  double rgb[3];
  int n_dash;

  line_style (kind, rgb, &dash, &n_dash);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_dash (cr, dash, n_dash, 0);
  cairo_set_line_width (cr, 1.5);
}

/* A line through the columns that hold points (empty columns between
 * sparse points are passed over), or a dot for one point. */
static void
stroke_line (cairo_t    *cr,
             const Line *l)
{
  gsize drawn = 0, last = 0;

  for (gsize k = 0; k < l->n; k++)
    {
      if (isnan (l->iteration[k]) || !isfinite (l->y[k]))
        continue;
      if (drawn++ == 0)
        cairo_move_to (cr, l->x[k], l->y[k]);
      else
        cairo_line_to (cr, l->x[k], l->y[k]);
      last = k;
    }
  if (drawn == 1)
    {
      cairo_new_path (cr);
      cairo_arc (cr, l->x[last], l->y[last], 2.0, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  else
    cairo_stroke (cr);
}

/* The grid, the axes, the lines and the legend's samples. */
static void
stroke_plot (FsTracePlot   *self,
             cairo_t       *cr,
             const GdkRGBA *fg)
{
  int title_h;

  stroke_grid_and_axes (self, cr, fg);
  pango_layout_get_pixel_size (self->title_layout, NULL, &title_h);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      const Line *l = &self->lines[kind];
      double y = round (l->legend_y + PAD + title_h / 2.0) + 0.5;

      if ((self->drawn & (1u << kind)) == 0)
        continue;
      set_style (cr, kind);
      cairo_move_to (cr, l->legend_x, y);
      cairo_line_to (cr, l->legend_x + SAMPLE, y);
      cairo_stroke (cr);
      cairo_save (cr);
      cairo_rectangle (cr, self->left, self->top - 2, self->right - self->left + 2,
                       self->bottom - self->top + 4);
      cairo_clip (cr);
      set_style (cr, kind);
      stroke_line (cr, l);
      cairo_restore (cr);
    }
  cairo_set_dash (cr, NULL, 0, 0);
}

static void
record_plot (FsTracePlot *self)
{
  GtkSnapshot *snapshot;
  cairo_t *cr;

  g_clear_pointer (&self->plot_node, gsk_render_node_unref);
  if (self->width <= 0 || self->height <= 0)
    return;
  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &self->fg);
  snapshot = gtk_snapshot_new ();
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, self->width, self->height));
  stroke_plot (self, cr, &self->fg);
  cairo_destroy (cr);
  self->plot_node = gtk_snapshot_free_to_node (snapshot);
}

/* Everything the snapshot draws but the readout, for the current
 * snapshot, size and options. */
static void
update (FsTracePlot *self)
{
  update_lines (self);
  layout_labels (self);
  map_lines (self);
  record_plot (self);
}

/* "iteration 1200", then each kind's value at the trace point nearest
 * the pointer, a line each. */
static void
update_readout (FsTracePlot *self)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *number = NULL;
  FsTrace *trace;
  gsize len, index;
  guint64 iteration;

  g_clear_pointer (&self->readout, g_free);
  g_clear_object (&self->readout_layout);
  trace = shown_trace (self, &len);
  if (!self->hover || trace == NULL || self->drawn == 0 ||
      self->pointer_x < self->left || self->pointer_x > self->right)
    return;

  index = fs_trace_find_nearest (trace, len, x_to_iteration (self, self->pointer_x));
  iteration = fs_trace_get_iteration (trace, index);
  /* The number is formatted apart: xgettext cannot see through G_GUINT64_FORMAT. */
  number = g_strdup_printf ("%" G_GUINT64_FORMAT, iteration);
  text = g_string_new (NULL);
  g_string_printf (text, _("iteration %s"), number);
  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    if (self->drawn & (1u << kind))
      {
        g_autofree char *value = value_text (self, fs_trace_get (trace, kind, index));

        g_string_append_c (text, '\n');
        /* TRANSLATORS: a quantity and its value, e.g. "Zeros in W: 61.2%". */
        g_string_append_printf (text, _("%s: %s"), fs_trace_kind_get_label (kind), value);
      }
  self->readout = g_string_free (g_steal_pointer (&text), FALSE);
  self->readout_layout = layout_for (self, self->readout);
  self->hover_x = iteration_to_x (self, (double) iteration);
}

static void
snapshot_layout_at (GtkSnapshot   *snapshot,
                    PangoLayout   *layout,
                    double         x,
                    double         y,
                    const GdkRGBA *colour)
{
  fs_plot_append_layout (snapshot, layout, round (x), round (y), colour);
}

/* The title, the legend's labels and the end labels in their lines'
 * colours. */
static void
snapshot_header_and_ends (FsTracePlot   *self,
                          GtkSnapshot   *snapshot,
                          const GdkRGBA *fg)
{
  snapshot_layout_at (snapshot, self->title_layout, PAD, PAD / 2.0, fg);
  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    {
      const Line *l = &self->lines[kind];
      const double *dash;
      double rgb[3];
      int n_dash;

      if ((self->drawn & (1u << kind)) == 0)
        continue;
      snapshot_layout_at (snapshot, l->legend_label, l->legend_x + SAMPLE + GAP,
                          l->legend_y + PAD / 2.0, fg);
      line_style (kind, rgb, &dash, &n_dash);
      snapshot_layout_at (snapshot, l->end_label, self->right + GAP, l->end_y,
                          &(GdkRGBA) { rgb[0], rgb[1], rgb[2], 1.0 });
    }
}

static void
snapshot_tick_labels (FsTracePlot   *self,
                      GtkSnapshot   *snapshot,
                      const GdkRGBA *fg)
{
  double x_free = -G_MAXDOUBLE;
  int w, h;

  for (guint t = 0; t < self->y_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->y_labels, t);

      pango_layout_get_pixel_size (layout, &w, &h);
      snapshot_layout_at (snapshot, layout, self->left - TICK - 2 - w,
                          value_to_y (self, self->y_ticks[t]) - h / 2.0, fg);
    }
  for (guint t = 0; t < self->x_labels->len; t++)
    {
      PangoLayout *layout = g_ptr_array_index (self->x_labels, t);
      double x;

      pango_layout_get_pixel_size (layout, &w, &h);
      x = CLAMP (iteration_to_x (self, self->x_ticks[t]) - w / 2.0, 0, self->width - w);
      if (x < x_free)
        continue;
      snapshot_layout_at (snapshot, layout, x, self->bottom + TICK, fg);
      x_free = x + w + 4;
    }
}

/* The pointer's line, and the readout in a box that lets the lines show
 * through, at the top left of the plot area. */
static void
snapshot_readout (FsTracePlot   *self,
                  GtkSnapshot   *snapshot,
                  const GdkRGBA *fg)
{
  gboolean dark = 0.2126 * fg->red + 0.7152 * fg->green + 0.0722 * fg->blue > 0.5;
  double x = self->left + 3, y = self->top;
  int w, h;

  if (self->readout_layout == NULL)
    return;
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { fg->red, fg->green, fg->blue, 0.35 },
                             &GRAPHENE_RECT_INIT (round (self->hover_x), self->top, 1,
                                                  self->bottom - self->top));
  pango_layout_get_pixel_size (self->readout_layout, &w, &h);
  if (self->hover_x < x + w + 6)
    x = MAX (self->right - w - 3, self->left);
  gtk_snapshot_append_color (snapshot,
                             dark ? &(GdkRGBA) { 0.14, 0.14, 0.14, 0.85 } : &(GdkRGBA) { 1, 1, 1, 0.85 },
                             &GRAPHENE_RECT_INIT (x - 2, y, w + 4, h));
  snapshot_layout_at (snapshot, self->readout_layout, x, y, fg);
}

static void
fs_trace_plot_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  FsTracePlot *self = FS_TRACE_PLOT (widget);
  int w, h;

  if (self->plot_node == NULL)
    return;
  if (self->drawn == 0)
    {
      /* Nothing yet: the title, and a word on why the chart is empty. */
      snapshot_layout_at (snapshot, self->title_layout, PAD, PAD / 2.0, &self->fg);
      pango_layout_get_pixel_size (self->empty_layout, &w, &h);
      snapshot_layout_at (snapshot, self->empty_layout, (self->width - w) / 2.0,
                          (self->height - h) / 2.0,
                          &(GdkRGBA) { self->fg.red, self->fg.green, self->fg.blue, 0.55 });
      return;
    }
  gtk_snapshot_append_node (snapshot, self->plot_node);
  snapshot_header_and_ends (self, snapshot, &self->fg);
  snapshot_tick_labels (self, snapshot, &self->fg);
  snapshot_readout (self, snapshot, &self->fg);
}

/* A new theme may change the text colour the plot was drawn in. */
static void
fs_trace_plot_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  FsTracePlot *self = FS_TRACE_PLOT (widget);
  GdkRGBA fg;

  GTK_WIDGET_CLASS (fs_trace_plot_parent_class)->css_changed (widget, change);

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  if (self->plot_node != NULL && !gdk_rgba_equal (&fg, &self->fg))
    {
      record_plot (self);
      gtk_widget_queue_draw (widget);
    }
}

static void
fs_trace_plot_size_allocate (GtkWidget *widget,
                             int        width,
                             int        height,
                             int        baseline)
{
  FsTracePlot *self = FS_TRACE_PLOT (widget);

  if (width != self->width || height != self->height)
    {
      self->width = width;
      self->height = height;
      update (self);
    }
}

static void
fs_trace_plot_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 80;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 90;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           FsTracePlot              *self)
{
  self->hover = TRUE;
  self->pointer_x = x;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *motion,
          FsTracePlot              *self)
{
  self->hover = FALSE;
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fs_trace_plot_dispose (GObject *object)
{
  FsTracePlot *self = FS_TRACE_PLOT (object);

  for (guint kind = 0; kind < FS_N_TRACES; kind++)
    line_clear (&self->lines[kind]);
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  g_clear_pointer (&self->y_labels, g_ptr_array_unref);
  g_clear_pointer (&self->x_labels, g_ptr_array_unref);
  g_clear_object (&self->title_layout);
  g_clear_object (&self->empty_layout);
  g_clear_pointer (&self->plot_node, gsk_render_node_unref);
  g_clear_object (&self->readout_layout);
  g_clear_pointer (&self->readout, g_free);

  G_OBJECT_CLASS (fs_trace_plot_parent_class)->dispose (object);
}

static void
fs_trace_plot_finalize (GObject *object)
{
  FsTracePlot *self = FS_TRACE_PLOT (object);

  g_free (self->title);

  G_OBJECT_CLASS (fs_trace_plot_parent_class)->finalize (object);
}

static void
fs_trace_plot_class_init (FsTracePlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_trace_plot_dispose;
  object_class->finalize = fs_trace_plot_finalize;
  widget_class->measure = fs_trace_plot_measure;
  widget_class->size_allocate = fs_trace_plot_size_allocate;
  widget_class->snapshot = fs_trace_plot_snapshot;
  widget_class->css_changed = fs_trace_plot_css_changed;

  gtk_widget_class_set_css_name (widget_class, "traceplot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_trace_plot_init (FsTracePlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->y_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->x_labels = g_ptr_array_new_with_free_func (g_object_unref);
  self->x_hi = 10.0;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
fs_trace_plot_new (const char *title)
{
  FsTracePlot *self;

  g_return_val_if_fail (title != NULL, NULL);

  self = g_object_new (FS_TYPE_TRACE_PLOT, NULL);
  self->title = g_strdup (title);
  /* TRANSLATORS: a small chart over iterations has no point to draw yet. */
  self->empty_layout = layout_for (self, _("No data yet"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  update (self);
  return GTK_WIDGET (self);
}

static void
refresh (FsTracePlot *self)
{
  update (self);
  update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The kinds drawn: a mask of 1 << FsTraceKind, all shares (zeros, small
 * values: a linear 0 … 100% axis) or none (a log axis). */
void
fs_trace_plot_set_kinds (FsTracePlot *self,
                         guint        kinds)
{
  g_return_if_fail (FS_IS_TRACE_PLOT (self));
  g_return_if_fail (kinds < (1u << FS_N_TRACES));
  g_return_if_fail ((kinds & SHARE_KINDS) == 0 || (kinds & ~SHARE_KINDS) == 0);

  if (self->kinds == kinds)
    return;
  self->kinds = kinds;
  refresh (self);
}

guint
fs_trace_plot_get_kinds (FsTracePlot *self)
{
  g_return_val_if_fail (FS_IS_TRACE_PLOT (self), 0);
  return self->kinds;
}

void
fs_trace_plot_set_snapshot (FsTracePlot *self,
                            FsSnapshot  *snapshot)
{
  g_return_if_fail (FS_IS_TRACE_PLOT (self));

  if (self->snapshot == snapshot)
    return;
  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  self->snapshot = snapshot != NULL ? fs_snapshot_ref (snapshot) : NULL;
  refresh (self);
}

/* Whether the iteration axis is logarithmic, in log10 (iteration + 1),
 * as the loss plot's. */
void
fs_trace_plot_set_log_iterations (FsTracePlot *self,
                                  gboolean     log_iterations)
{
  g_return_if_fail (FS_IS_TRACE_PLOT (self));

  log_iterations = !!log_iterations;
  if (self->log_iterations == log_iterations)
    return;
  self->log_iterations = log_iterations;
  refresh (self);
}

/* The readout under the pointer, or NULL. */
const char *
fs_trace_plot_get_readout (FsTracePlot *self)
{
  g_return_val_if_fail (FS_IS_TRACE_PLOT (self), NULL);
  return self->readout;
}
