/* fs-atom-gallery.c
 *
 * The tiles are coloured by the core (fs_atoms_render) and blown up here
 * by a whole factor with nearest sampling into one texture each, so that
 * an 8 × 8 atom shows its pixels sharp (GTK 4.8 has no filter for a
 * texture node). Textures are made only for new atoms or a new factor;
 * the tiles, profiles and captions are recorded into one render node made
 * only when the atoms, the size or the style change. A frame appends that
 * node and draws the highlights and the focus ring on top.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-atom-gallery"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fs-atom-gallery.h"
#include "fs-plot-draw.h"
#include "fs-display.h"
#include "fs-error.h"

#define PAD 8.0             /* around the grid */
#define GAP 14.0            /* between cells */
#define CAPTION_GAP 3.0     /* between a picture and its caption */
#define PROFILE_ASPECT 2.0  /* a profile's plot is twice as wide as high */
#define OUTLINE 2.0         /* the highlight's line, outside the picture */
#define BADGE 16.0          /* the highlight rank's badge */
#define DIM 0.6             /* the captions' and axes' opacity */

/* Where the tiles go at one size; pictures are placed on whole device
 * pixels so that textures are drawn one texel per pixel. */
typedef struct
{
  guint  cols;
  guint  rows;
  double cell_w;      /* a cell: picture, caption and, for profiles, axis */
  double cell_h;
  double pic_w;
  double pic_h;
  double caption_h;
  double axis_h;
  int    factor;      /* texture pixels per tile value */
} Grid;

struct _FsAtomGallery
{
  GtkWidget      parent_instance;

  FsAtoms       *atoms;
  char         **column_labels;
  gsize          n_column_labels;
  guint         *highlight;
  guint          n_highlight;
  gint           focus;
  gboolean       focused;     /* the widget has the keyboard focus */
  double         caption_w;   /* the widest caption of these atoms, or 0 */

  /* Made for the atoms: one texture a tile (images only), at factor. */
  GdkTexture   **textures;
  int            texture_factor;
  /* Made for the atoms, size and style; NULL when it must be remade. */
  GskRenderNode *content;
  Grid           grid;
  gsize          label_step;  /* profiles: a label under every step-th bar */
  int            built_width;
  int            built_height;
  guint          built_mode;     /* fs_plot_text_get_mode () then */
  int            width;          /* as last allocated */
  int            height;
};

G_DEFINE_FINAL_TYPE (FsAtomGallery, fs_atom_gallery, GTK_TYPE_WIDGET)

static gboolean
is_profiles (FsAtomGallery *self)
{
  return self->atoms->layout == FS_ATOMS_PROFILES;
}

/* "24%", with "<1%" and ">99%" so that only all and none read 0 and 100. */
static char *
percent_text (double share)
{
  if (share > 0.0 && share < 0.005)
    return g_strdup ("<1%");
  if (share < 1.0 && share >= 0.995)
    return g_strdup (">99%");
  return g_strdup_printf ("%.0f%%", 100.0 * share);
}

/* "#7 · 24%" over "61% zeros": the component (counted from 1), its share
 * of the energy and the share of exact zeros in its row of H, on two
 * lines, so that a small tile's caption is whole. */
static char *
caption_text (const FsAtom *atom)
{
  g_autofree char *k = fs_error_number_text ((guint64) atom->component + 1);
  g_autofree char *energy = percent_text (atom->energy_share);
  g_autofree char *zeros = percent_text (atom->zeros_h);

  /* TRANSLATORS: a tile's caption on two lines: component number, its
   * share of the energy; then its share of exact zeros. */
  return g_strdup_printf (_("#%s · %s\n%s zeros"), k, energy, zeros);
}

static char *
describe_tile (FsAtomGallery *self,
               guint          index)
{
  const FsAtom *atom = &self->atoms->atoms[index];
  g_autofree char *position = fs_error_number_text ((guint64) index + 1);
  g_autofree char *count = fs_error_number_text (self->atoms->n_atoms);
  g_autofree char *k = fs_error_number_text ((guint64) atom->component + 1);
  g_autofree char *energy = percent_text (atom->energy_share);
  g_autofree char *zeros = percent_text (atom->zeros_h);

  return g_strdup_printf (_("Atom %s of %s: component %s, %s of the energy, %s zeros"),
                          position, count, k, energy, zeros);
}

static void
update_description (FsAtomGallery *self)
{
  g_autofree char *text = NULL;

  if (self->atoms != NULL && self->focus >= 0)
    text = describe_tile (self, (guint) self->focus);
  else if (self->atoms != NULL)
    {
      g_autofree char *count = fs_error_number_text (self->atoms->n_atoms);

      text = g_strdup_printf (_("%s atoms, largest energy first"), count);
    }
  else
    text = g_strdup (_("No factors yet"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text, -1);
  /* GTK 4.8 has no way to announce a part of a widget; a screen reader
   * reads the focused widget's name when it changes, so while a tile has
   * the keyboard focus the gallery is named after it. */
  if (self->atoms != NULL && self->focus >= 0 && self->focused)
    {
      g_autofree char *name = g_strdup_printf (_("Atoms: %s"), text);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Atoms"), -1);
}

static double
line_height (FsAtomGallery *self)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), "#0 · 0%\n0% zeros");
  int h;

  pango_layout_get_pixel_size (layout, NULL, &h);
  return h;
}

/* The width of the widest caption of the current atoms. */
static double
caption_width (FsAtomGallery *self)
{
  double widest = 0.0;

  for (guint a = 0; a < self->atoms->n_atoms; a++)
    {
      g_autofree char *text = caption_text (&self->atoms->atoms[a]);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }
  return widest;
}

/* The picture's size in a grid of cols columns: as large as fits. */
static void
fit_picture (FsAtomGallery *self,
             double         width,
             double         height,
             guint          cols,
             Grid          *g)
{
  double aspect = is_profiles (self)
    ? PROFILE_ASPECT : (double) self->atoms->tile_cols / (double) self->atoms->tile_rows;
  guint rows = (self->atoms->n_atoms + cols - 1) / cols;
  double avail_w = (width - 2 * PAD - (cols - 1) * GAP) / cols;
  double avail_h = (height - 2 * PAD - (rows - 1) * GAP) / rows
                   - CAPTION_GAP - g->caption_h - g->axis_h;

  g->cols = cols;
  g->rows = rows;
  g->cell_w = MAX (avail_w, 1.0);
  g->pic_w = MAX (MIN (avail_w, avail_h * aspect), 1.0);
  g->pic_h = g->pic_w / aspect;
}

/* The grid, as square as the widget allows: the column count that gives
 * the largest pictures. */
static void
compute_grid (FsAtomGallery *self,
              int            width,
              int            height,
              Grid          *g)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  Grid best = { 0 }, trial = { 0 };

  Grid readable = { 0 };

  if (self->caption_w == 0.0)
    self->caption_w = caption_width (self);

  trial.caption_h = line_height (self);
  /* The axis of a profile is one line; the caption is two. */
  trial.axis_h = is_profiles (self) ? trial.caption_h / 2 : 0.0;
  for (guint c = 1; c <= self->atoms->n_atoms; c++)
    {
      fit_picture (self, width, height, c, &trial);
      if (best.cols == 0 || trial.pic_w * trial.pic_h > best.pic_w * best.pic_h + 1e-9)
        best = trial;
      if (trial.cell_w >= self->caption_w &&
          (readable.cols == 0 || trial.pic_w * trial.pic_h > readable.pic_w * readable.pic_h + 1e-9))
        readable = trial;
    }
  /* Whole captions are worth pictures up to a third smaller. */
  if (readable.cols != 0 && readable.pic_w * readable.pic_h >= 0.45 * best.pic_w * best.pic_h)
    best = readable;

  best.factor = 1;
  if (!is_profiles (self))
    {
      double f = MIN (best.pic_w * scale / self->atoms->tile_cols,
                      best.pic_h * scale / self->atoms->tile_rows);

      /* Whole factors, so that every value is a block of whole pixels,
       * unless that would cost a small tile more than a fifth of its
       * size (a 25 × 25 face at 2.7 times stays at 2.7, not 2). */
      if (f >= 1.0 && floor (f) >= 0.8 * f)
        {
          best.factor = (int) floor (f);
          best.pic_w = (double) self->atoms->tile_cols * best.factor / scale;
          best.pic_h = (double) self->atoms->tile_rows * best.factor / scale;
        }
    }
  best.cell_h = best.pic_h + CAPTION_GAP + best.caption_h + best.axis_h;
  *g = best;
}

/* The picture of the tile at index, for the grid g. */
static graphene_rect_t
picture_rect (FsAtomGallery *self,
              const Grid    *g,
              guint          index)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double x = PAD + (index % g->cols) * (g->cell_w + GAP) + (g->cell_w - g->pic_w) / 2;
  double y = PAD + (index / g->cols) * (g->cell_h + GAP);

  return GRAPHENE_RECT_INIT (round (x * scale) / scale, round (y * scale) / scale,
                             g->pic_w, g->pic_h);
}

static graphene_rect_t
cell_rect (const Grid *g,
           guint       index)
{
  return GRAPHENE_RECT_INIT (PAD + (index % g->cols) * (g->cell_w + GAP),
                             PAD + (index / g->cols) * (g->cell_h + GAP),
                             g->cell_w, g->cell_h);
}

static void
clear_textures (FsAtomGallery *self)
{
  if (self->textures != NULL && self->atoms != NULL)
    for (guint a = 0; a < self->atoms->n_atoms; a++)
      g_clear_object (&self->textures[a]);
  g_clear_pointer (&self->textures, g_free);
  self->texture_factor = 0;
}

/* Tile a, each value a factor × factor block of pixels. */
static GdkTexture *
make_texture (FsAtomGallery *self,
              guint          a,
              int            factor)
{
  gsize tr = self->atoms->tile_rows, tc = self->atoms->tile_cols;
  gsize f = (gsize) factor, stride = tc * f * 4;
  g_autofree guint8 *tile = g_new (guint8, tr * tc * 4);
  guint8 *pixels = g_malloc (stride * tr * f);
  g_autoptr(GBytes) bytes = NULL;

  fs_atoms_render (self->atoms, a, tile, tc * 4);
  for (gsize y = 0; y < tr * f; y++)
    {
      const guint8 *src = tile + (y / f) * tc * 4;
      guint8 *dst = pixels + y * stride;

      for (gsize x = 0; x < tc * f; x++)
        memcpy (dst + x * 4, src + (x / f) * 4, 4);
    }
  bytes = g_bytes_new_take (pixels, stride * tr * f);
  return gdk_memory_texture_new ((int) (tc * f), (int) (tr * f),
                                 GDK_MEMORY_R8G8B8A8_PREMULTIPLIED, bytes, stride);
}

static void
ensure_textures (FsAtomGallery *self,
                 int            factor)
{
  if (self->textures != NULL && self->texture_factor == factor)
    return;
  clear_textures (self);
  self->textures = g_new0 (GdkTexture *, self->atoms->n_atoms);
  for (guint a = 0; a < self->atoms->n_atoms; a++)
    self->textures[a] = make_texture (self, a, factor);
  self->texture_factor = factor;
}

static GdkRGBA
foreground (FsAtomGallery *self,
            double         alpha)
{
  GdkRGBA fg;

  /* gtk_widget_get_color () is GTK 4.10; this is the 4.8 way. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &fg);
  fg.alpha *= alpha;
  return fg;
}

/* Text centred on x at y, each line at most max_w wide (ellipsized), with
 * tabular figures so that captions of the same form line up. */
static void
append_text (FsAtomGallery *self,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             double         max_w,
             const GdkRGBA *colour)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum 1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  max_w = MAX (max_w, 1.0);
  pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  fs_plot_append_layout (snapshot, layout, round (x - max_w / 2.0), round (y), colour);
}

/* The label of bar b of a profile: the first column of its block. */
static char *
bar_label (FsAtomGallery *self,
           gsize          b)
{
  gsize first, end;

  fs_block_bounds (self->atoms->cols, self->atoms->tile_cols, b, &first, &end);
  if (self->column_labels != NULL && first < self->n_column_labels)
    return g_strdup (self->column_labels[first]);
  return fs_error_number_text ((guint64) first + 1);
}

/* Every profile has the same bars: a label under every step-th one, step
 * chosen once a build so that the labels do not touch. */
static gsize
profile_label_step (FsAtomGallery *self,
                    double         pic_w)
{
  gsize bars = self->atoms->tile_cols;
  double widest = 0.0;

  for (gsize b = 0; b < bars; b++)
    {
      g_autofree char *text = bar_label (self, b);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      widest = MAX (widest, MIN (w, 80));
    }
  return MAX ((gsize) ceil ((widest + 6.0) / (pic_w / bars)), 1);
}

static void
append_profile_axis (FsAtomGallery         *self,
                     GtkSnapshot           *snapshot,
                     const graphene_rect_t *r,
                     double                 axis_y)
{
  gsize bars = self->atoms->tile_cols, step = self->label_step;
  double bar_w = r->size.width / bars;
  GdkRGBA dim = foreground (self, DIM);

  for (gsize b = 0; b < bars; b += step)
    {
      g_autofree char *text = bar_label (self, b);

      append_text (self, snapshot, text, r->origin.x + (b + 0.5) * bar_w, axis_y,
                   step * bar_w - 4.0, &dim);
    }
}

/* Row k of H as bars from a zero line, each in its value's colour. */
static void
append_profile (FsAtomGallery         *self,
                GtkSnapshot           *snapshot,
                guint                  a,
                const graphene_rect_t *r)
{
  const FsAtom *atom = &self->atoms->atoms[a];
  gsize bars = self->atoms->tile_cols;
  g_autofree guint8 *rgba = g_new (guint8, bars * 4);
  double lo = MIN (atom->lo, 0.0), hi = MAX (atom->hi, 0.0);
  double bar_w = r->size.width / bars, gap = bar_w >= 4.0 ? 1.0 : 0.0;
  double zero_y = hi > lo ? r->origin.y + r->size.height * hi / (hi - lo)
                          : r->origin.y + r->size.height / 2;
  GdkRGBA axis = foreground (self, 0.5 * DIM);

  fs_atoms_render (self->atoms, a, rgba, bars * 4);
  for (gsize b = 0; b < bars; b++)
    {
      double v = atom->values[b];
      double y = hi > lo ? r->origin.y + r->size.height * (hi - v) / (hi - lo) : zero_y;
      GdkRGBA colour = { rgba[b * 4] / 255.0, rgba[b * 4 + 1] / 255.0,
                         rgba[b * 4 + 2] / 255.0, 1.0 };

      if (isnan (v))
        continue;
      gtk_snapshot_append_color (snapshot, &colour,
                                 &GRAPHENE_RECT_INIT (r->origin.x + b * bar_w, MIN (y, zero_y),
                                                      MAX (bar_w - gap, 0.5),
                                                      MAX (fabs (zero_y - y), 1.0)));
    }
  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (r->origin.x, round (zero_y) - 0.5,
                                                  r->size.width, 1.0));
  append_profile_axis (self, snapshot, r, r->origin.y + r->size.height + CAPTION_GAP);
}

static void
append_tile (FsAtomGallery *self,
             GtkSnapshot   *snapshot,
             guint          a)
{
  const Grid *g = &self->grid;
  graphene_rect_t r = picture_rect (self, g, a);
  graphene_rect_t cell = cell_rect (g, a);
  g_autofree char *caption = caption_text (&self->atoms->atoms[a]);
  GdkRGBA dim = foreground (self, DIM);

  if (is_profiles (self))
    append_profile (self, snapshot, a, &r);
  else
    gtk_snapshot_append_texture (snapshot, self->textures[a], &r);
  append_text (self, snapshot, caption, cell.origin.x + cell.size.width / 2,
               r.origin.y + r.size.height + CAPTION_GAP + g->axis_h, cell.size.width, &dim);
}

/* Records every tile and caption for the current atoms and size. */
static void
build_content (FsAtomGallery *self)
{
  int width = self->width;
  int height = self->height;
  GtkSnapshot *snapshot;

  compute_grid (self, width, height, &self->grid);
  if (!is_profiles (self))
    ensure_textures (self, self->grid.factor);
  else
    self->label_step = profile_label_step (self, self->grid.pic_w);
  snapshot = gtk_snapshot_new ();
  for (guint a = 0; a < self->atoms->n_atoms; a++)
    append_tile (self, snapshot, a);
  self->content = gtk_snapshot_free_to_node (snapshot);
  self->built_width = width;
  self->built_height = height;
  self->built_mode = fs_plot_text_get_mode ();
}

static void
invalidate_content (FsAtomGallery *self)
{
  g_clear_pointer (&self->content, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GdkRGBA
accent_colour (FsAtomGallery *self)
{
  GdkRGBA accent = fs_plot_accent;

  /* libadwaita names it; plain GTK falls back to Adwaita's blue. */
  gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)),
                                  "accent_color", &accent);
  return accent;
}

/* The outline and rank badge of the rank-th highlighted tile. */
static void
append_highlight (FsAtomGallery *self,
                  GtkSnapshot   *snapshot,
                  guint          index,
                  guint          rank)
{
  graphene_rect_t r = picture_rect (self, &self->grid, index);
  GdkRGBA accent = accent_colour (self);
  GdkRGBA white = { 1.0, 1.0, 1.0, 1.0 };
  GskRoundedRect outline, badge;
  g_autofree char *number = fs_error_number_text (rank);
  float w = OUTLINE;

  graphene_rect_inset (&r, -OUTLINE, -OUTLINE);
  gsk_rounded_rect_init_from_rect (&outline, &r, 2.0f);
  gtk_snapshot_append_border (snapshot, &outline, (float[4]) { w, w, w, w },
                              (GdkRGBA[4]) { accent, accent, accent, accent });
  /* Inside the tile's corner: outside it, it would cover the caption of
   * the tile above, or be cut off at the gallery's edge. */
  gsk_rounded_rect_init_from_rect (&badge, &GRAPHENE_RECT_INIT (r.origin.x + 2,
                                                                r.origin.y + 2,
                                                                BADGE, BADGE), BADGE / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &badge);
  gtk_snapshot_append_color (snapshot, &accent, &badge.bounds);
  gtk_snapshot_pop (snapshot);
  append_text (self, snapshot, number, badge.bounds.origin.x + BADGE / 2,
               badge.bounds.origin.y + (BADGE - self->grid.caption_h / 2) / 2, BADGE, &white);
}

static void
append_focus_ring (FsAtomGallery *self,
                   GtkSnapshot   *snapshot)
{
  graphene_rect_t r = cell_rect (&self->grid, (guint) self->focus);
  GdkRGBA fg = foreground (self, 0.8);
  GskRoundedRect ring;

  graphene_rect_inset (&r, -GAP / 3, -GAP / 3);
  gsk_rounded_rect_init_from_rect (&ring, &r, 4.0f);
  gtk_snapshot_append_border (snapshot, &ring, (float[4]) { 1.5f, 1.5f, 1.5f, 1.5f },
                              (GdkRGBA[4]) { fg, fg, fg, fg });
}

static void
append_empty_state (FsAtomGallery *self,
                    GtkSnapshot   *snapshot)
{
  int width = self->width;
  int height = self->height;
  GdkRGBA dim = foreground (self, DIM);

  append_text (self, snapshot, _("No factors yet"), width / 2.0,
               (height - line_height (self)) / 2.0, width, &dim);
}

static void
fs_atom_gallery_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  FsAtomGallery *self = FS_ATOM_GALLERY (widget);

  if (self->atoms == NULL || self->atoms->n_atoms == 0)
    {
      append_empty_state (self, snapshot);
      return;
    }
  /* The captions' texts are recorded apart while an SVG export draws. */
  if (self->content == NULL || self->built_width != self->width ||
      self->built_height != self->height || self->built_mode != fs_plot_text_get_mode ())
    {
      g_clear_pointer (&self->content, gsk_render_node_unref);
      build_content (self);
    }
  gtk_snapshot_append_node (snapshot, self->content);
  for (guint i = 0; i < self->n_highlight; i++)
    {
      gint index = fs_atoms_find (self->atoms, self->highlight[i]);

      if (index >= 0)
        append_highlight (self, snapshot, (guint) index, i + 1);
    }
  if (self->focus >= 0 && gtk_widget_has_focus (widget))
    append_focus_ring (self, snapshot);
}

static void
fs_atom_gallery_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  FsAtomGallery *self = FS_ATOM_GALLERY (widget);

  self->width = width;
  self->height = height;
  if (width != self->built_width || height != self->built_height)
    g_clear_pointer (&self->content, gsk_render_node_unref);
}

static void
fs_atom_gallery_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (fs_atom_gallery_parent_class)->css_changed (widget, change);
  invalidate_content (FS_ATOM_GALLERY (widget));
}

static void
fs_atom_gallery_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 90;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 360;
}

static void
set_focus_index (FsAtomGallery *self,
                 gint           index)
{
  if (index == self->focus)
    return;
  self->focus = index;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The grid's column count at the current size, for Up and Down. */
static guint
grid_columns (FsAtomGallery *self)
{
  Grid g;

  compute_grid (self, gtk_widget_get_width (GTK_WIDGET (self)),
                gtk_widget_get_height (GTK_WIDGET (self)), &g);
  return MAX (g.cols, 1);
}

/* Where key moves the focus from position from, or -1 for other keys. */
static gint
keynav_target (FsAtomGallery *self,
               guint          keyval,
               gint           from)
{
  gint n = (gint) self->atoms->n_atoms, cols = (gint) grid_columns (self);

  if (from < 0)
    return keyval == GDK_KEY_End || keyval == GDK_KEY_KP_End ? n - 1 : 0;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left:
      return MAX (from - 1, 0);
    case GDK_KEY_Right: case GDK_KEY_KP_Right:
      return MIN (from + 1, n - 1);
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
      return from >= cols ? from - cols : from;
    case GDK_KEY_Down: case GDK_KEY_KP_Down:
      return from + cols < n ? from + cols : from;
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      return 0;
    case GDK_KEY_End: case GDK_KEY_KP_End:
      return n - 1;
    default:
      return -1;
    }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                FsAtomGallery         *self)
{
  gint target;

  if (self->atoms == NULL || self->atoms->n_atoms == 0
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0)
    return FALSE;
  target = keynav_target (self, keyval, self->focus);
  if (target < 0)
    return FALSE;
  set_focus_index (self, target);
  return TRUE;
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                FsAtomGallery           *self)
{
  self->focused = TRUE;
  if (self->focus < 0 && self->atoms != NULL && self->atoms->n_atoms > 0)
    set_focus_index (self, 0);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                FsAtomGallery           *self)
{
  self->focused = FALSE;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The position of the tile whose cell holds (x, y), or -1. */
static gint
tile_at (FsAtomGallery *self,
         double         x,
         double         y)
{
  Grid g;

  if (self->atoms == NULL || self->atoms->n_atoms == 0)
    return -1;
  compute_grid (self, gtk_widget_get_width (GTK_WIDGET (self)),
                gtk_widget_get_height (GTK_WIDGET (self)), &g);
  for (guint a = 0; a < self->atoms->n_atoms; a++)
    {
      graphene_rect_t cell = cell_rect (&g, a);

      if (graphene_rect_contains_point (&cell, &GRAPHENE_POINT_INIT (x, y)))
        return (gint) a;
    }
  return -1;
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            FsAtomGallery   *self)
{
  gint index = tile_at (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (index >= 0)
    set_focus_index (self, index);
}

static gboolean
on_query_tooltip (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    data)
{
  FsAtomGallery *self = FS_ATOM_GALLERY (widget);
  gint index = keyboard ? self->focus : tile_at (self, x, y);
  g_autofree char *text = NULL;

  if (index < 0 || self->atoms == NULL)
    return FALSE;
  text = describe_tile (self, (guint) index);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
fs_atom_gallery_dispose (GObject *object)
{
  FsAtomGallery *self = FS_ATOM_GALLERY (object);

  clear_textures (self);
  g_clear_pointer (&self->content, gsk_render_node_unref);
  g_clear_pointer (&self->atoms, fs_atoms_unref);

  G_OBJECT_CLASS (fs_atom_gallery_parent_class)->dispose (object);
}

static void
fs_atom_gallery_finalize (GObject *object)
{
  FsAtomGallery *self = FS_ATOM_GALLERY (object);

  g_strfreev (self->column_labels);
  g_free (self->highlight);

  G_OBJECT_CLASS (fs_atom_gallery_parent_class)->finalize (object);
}

static void
fs_atom_gallery_class_init (FsAtomGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fs_atom_gallery_dispose;
  object_class->finalize = fs_atom_gallery_finalize;
  widget_class->measure = fs_atom_gallery_measure;
  widget_class->size_allocate = fs_atom_gallery_size_allocate;
  widget_class->snapshot = fs_atom_gallery_snapshot;
  widget_class->css_changed = fs_atom_gallery_css_changed;

  gtk_widget_class_set_css_name (widget_class, "atomgallery");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
fs_atom_gallery_init (FsAtomGallery *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->focus = -1;
  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (widget, keys);
  g_signal_connect (focus, "enter", G_CALLBACK (on_focus_enter), self);
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (widget, focus);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Atoms"), -1);
  update_description (self);
}

GtkWidget *
fs_atom_gallery_new (void)
{
  return g_object_new (FS_TYPE_ATOM_GALLERY, NULL);
}

/* The focus stays on its component when the new atoms have it, so that a
 * tile being read is not swapped for another as the order changes. */
void
fs_atom_gallery_set_atoms (FsAtomGallery *self,
                           FsAtoms       *atoms)
{
  gint focus = -1;

  g_return_if_fail (FS_IS_ATOM_GALLERY (self));

  if (atoms == self->atoms)
    return;
  if (self->focus >= 0 && atoms != NULL && atoms->n_atoms > 0)
    {
      focus = fs_atoms_find (atoms, self->atoms->atoms[self->focus].component);
      if (focus < 0)
        focus = MIN (self->focus, (gint) atoms->n_atoms - 1);
    }
  clear_textures (self);
  g_clear_pointer (&self->atoms, fs_atoms_unref);
  self->atoms = atoms != NULL ? fs_atoms_ref (atoms) : NULL;
  self->caption_w = 0.0;
  if (focus < 0 && self->atoms != NULL && self->atoms->n_atoms > 0
      && gtk_widget_has_focus (GTK_WIDGET (self)))
    focus = 0;
  self->focus = focus;
  update_description (self);
  invalidate_content (self);
}

FsAtoms *
fs_atom_gallery_get_atoms (FsAtomGallery *self)
{
  g_return_val_if_fail (FS_IS_ATOM_GALLERY (self), NULL);

  return self->atoms;
}

void
fs_atom_gallery_set_column_labels (FsAtomGallery      *self,
                                   const char * const *labels,
                                   gsize               n_labels)
{
  g_return_if_fail (FS_IS_ATOM_GALLERY (self));
  g_return_if_fail (labels != NULL || n_labels == 0);

  g_clear_pointer (&self->column_labels, g_strfreev);
  self->n_column_labels = labels != NULL ? n_labels : 0;
  if (labels != NULL)
    {
      self->column_labels = g_new0 (char *, n_labels + 1);
      for (gsize j = 0; j < n_labels; j++)
        self->column_labels[j] = g_strdup (labels[j]);
    }
  invalidate_content (self);
}

void
fs_atom_gallery_set_highlight (FsAtomGallery *self,
                               const guint   *components,
                               guint          n_components)
{
  g_return_if_fail (FS_IS_ATOM_GALLERY (self));
  g_return_if_fail (components != NULL || n_components == 0);

  g_clear_pointer (&self->highlight, g_free);
  self->highlight = n_components > 0 ? g_memdup2 (components, n_components * sizeof (guint)) : NULL;
  self->n_highlight = n_components;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
fs_atom_gallery_get_n_highlighted (FsAtomGallery *self)
{
  g_return_val_if_fail (FS_IS_ATOM_GALLERY (self), 0);

  return self->n_highlight;
}

gboolean
fs_atom_gallery_get_tile_area (FsAtomGallery   *self,
                               guint            index,
                               graphene_rect_t *area)
{
  Grid g;

  g_return_val_if_fail (FS_IS_ATOM_GALLERY (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (self->atoms == NULL || index >= self->atoms->n_atoms)
    return FALSE;
  compute_grid (self, gtk_widget_get_width (GTK_WIDGET (self)),
                gtk_widget_get_height (GTK_WIDGET (self)), &g);
  *area = picture_rect (self, &g, index);
  return TRUE;
}

gint
fs_atom_gallery_get_focus_index (FsAtomGallery *self)
{
  g_return_val_if_fail (FS_IS_ATOM_GALLERY (self), -1);

  return self->focus;
}
