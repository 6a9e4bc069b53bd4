/* fs-window-export.c: the window's pictures. win.export-image (Ctrl+E)
 * saves the plot or map with the focus, or else the view shown, as PNG,
 * SVG or PDF at a chosen size; each plot and map has a context menu
 * (right click, Shift+F10, Menu) with "Export Image…" for itself and the
 * "Export Data…" items of what it shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-window"

#include <glib/gi18n.h>
#include <string.h>

#include "fs-error.h"
#include "fs-export.h"
#include "fs-window-private.h"

/* The sizes offered besides the one on screen: slides (16:9 in HD, full
 * HD and 4K) and a 4:3 figure. */
static const struct
{
  const char *id;
  int         width;
  int         height;
} sizes[] = {
  { "1920x1080", 1920, 1080 },
  { "1280x720", 1280, 720 },
  { "3840x2160", 3840, 2160 },
  { "800x600", 800, 600 },
};

/* The maps' names for fs_window_export_image, in FsHeatmapKind's order. */
static const char * const map_names[FS_WINDOW_N_MAPS] = { "X", "WH", "residual", "W", "H" };

#define SCREEN_SIZE "screen"

/* Whether widget is one of the plots and maps fs-export draws. */
static gboolean
is_drawing (GtkWidget *widget)
{
  const GType types[] = { FS_TYPE_HEATMAP, FS_TYPE_HISTOGRAM, FS_TYPE_TRACE_PLOT, FS_TYPE_CODE_VIEW,
                          FS_TYPE_LOSS_PLOT, FS_TYPE_ATOM_GALLERY, FS_TYPE_SPECTRUM };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (G_TYPE_CHECK_INSTANCE_TYPE (widget, types[i]))
      return TRUE;
  return FALSE;
}

/* Everything a view shows in frame, as on screen: its plots and maps
 * (the W and H view's histograms and sparsity charts too) and its titles
 * ("X − WH", "Sparsity of W"), in the order they are laid out. */
static void
collect_drawn (GtkWidget *frame,
               GPtrArray *widgets)
{
  for (GtkWidget *child = gtk_widget_get_first_child (frame); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_mapped (child))
        continue;
      if (is_drawing (child) ||
          (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0'))
        g_ptr_array_add (widgets, child);
      else
        collect_drawn (child, widgets);
    }
}

/* The widgets a name stands for (fs_window_export_image), and the one
 * whose size on screen they are laid out in. */
static gboolean
find_target (FsWindow    *self,
             const char  *what,
             GPtrArray   *widgets,
             GtkWidget  **frame,
             GError     **error)
{
  *frame = NULL;
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    if (g_strcmp0 (what, map_names[k]) == 0)
      g_ptr_array_add (widgets, self->maps[k]);
  if (g_strcmp0 (what, "data-view") == 0 || g_strcmp0 (what, "factors-view") == 0)
    {
      gboolean data = what[0] == 'd';

      *frame = GTK_WIDGET (data ? self->data_maps : self->factor_maps);
      collect_drawn (*frame, widgets);
    }
  else if (g_strcmp0 (what, "loss") == 0)
    g_ptr_array_add (widgets, self->loss_plot);
  else if (g_strcmp0 (what, "atoms") == 0)
    g_ptr_array_add (widgets, self->gallery);
  else if (g_strcmp0 (what, "spectrum") == 0)
    g_ptr_array_add (widgets, self->spectrum);
  else if (g_strcmp0 (what, "sweep") == 0)
    g_ptr_array_add (widgets, fs_sweep_view_get_plot (self->sweep_view));
  else if (g_strcmp0 (what, "trace") == 0)
    g_ptr_array_add (widgets, self->mse_plot);

  if (widgets->len == 0)
    {
      g_set_error (error, FS_ERROR, FS_ERROR_INVALID_ARGUMENT, _("There is no view named “%s”"),
                   what != NULL ? what : "");
      return FALSE;
    }
  if (*frame == NULL)
    *frame = widgets->pdata[0];
  return TRUE;
}

/* Where each widget is in the picture: where it is in the frame on screen,
 * stretched to the picture's size. */
static void
place_widgets (GtkWidget       *frame,
               GPtrArray       *widgets,
               int              width,
               int              height,
               graphene_rect_t *areas)
{
  double sx = (double) width / gtk_widget_get_width (frame);
  double sy = (double) height / gtk_widget_get_height (frame);

  for (guint i = 0; i < widgets->len; i++)
    {
      graphene_rect_t r;

      if (!gtk_widget_compute_bounds (widgets->pdata[i], frame, &r))
        graphene_rect_init (&r, 0, 0, gtk_widget_get_width (frame), gtk_widget_get_height (frame));
      graphene_rect_init (&areas[i], r.origin.x * sx, r.origin.y * sy, r.size.width * sx,
                          r.size.height * sy);
    }
}

gboolean
fs_window_export_image (FsWindow    *self,
                        const char  *what,
                        const char  *path,
                        int          width,
                        int          height,
                        GError     **error)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autofree graphene_rect_t *areas = NULL;
  GtkWidget *frame;

  g_return_val_if_fail (FS_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_target (self, what, widgets, &frame, error))
    return FALSE;
  if (fs_window_get_matrix (self) == NULL)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("There is nothing to export yet: open a matrix first"));
      return FALSE;
    }
  if (g_strcmp0 (what, "sweep") == 0 &&
      fs_sweep_plot_get_n_points (fs_sweep_view_get_plot (self->sweep_view)) == 0)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("There is no sweep to export yet: run one in the Sweep view first"));
      return FALSE;
    }
  if (gtk_widget_get_width (frame) <= 0 || gtk_widget_get_height (frame) <= 0)
    {
      g_set_error_literal (error, FS_ERROR, FS_ERROR_UNAVAILABLE,
                           _("That view is not on screen: show it to export it"));
      return FALSE;
    }
  if (width <= 0 || height <= 0)
    {
      width = gtk_widget_get_width (frame);
      height = gtk_widget_get_height (frame);
    }
  areas = g_new (graphene_rect_t, widgets->len);
  place_widgets (frame, widgets, width, height, areas);
  return fs_export_write ((GtkWidget * const *) widgets->pdata, areas, widgets->len, width, height,
                          path, error);
}

/* ---- What Ctrl+E exports ---- */

/* The name of a plot or map (fs_window_export_image), or NULL. */
static const char *
name_of (FsWindow  *self,
         GtkWidget *widget)
{
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    if (widget == GTK_WIDGET (self->maps[k]))
      return map_names[k];
  if (widget == GTK_WIDGET (self->loss_plot))
    return "loss";
  if (widget == GTK_WIDGET (self->gallery))
    return "atoms";
  if (widget == GTK_WIDGET (self->spectrum))
    return "spectrum";
  if (widget == GTK_WIDGET (fs_sweep_view_get_plot (self->sweep_view)))
    return "sweep";
  if (widget == GTK_WIDGET (self->mse_plot))
    return "trace";
  return NULL;
}

/* The plot or map with the keyboard focus, or in which the focus is, by
 * its name ("loss", "X", "WH", …), or NULL. */
const char *
fs_window_export_focused_name (FsWindow *self)
{
  for (GtkWidget *w = gtk_root_get_focus (GTK_ROOT (self)); w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *name = name_of (self, w);

      if (name != NULL)
        return name;
    }
  return NULL;
}

/* The plot or map with the focus, or else the view shown. */
static const char *
current_target (FsWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  const char *view = gtk_stack_get_visible_child_name (self->views);
  const char *name = focus != NULL ? name_of (self, focus) : NULL;

  if (name != NULL)
    return name;
  if (g_strcmp0 (view, "data") == 0)
    return "data-view";
  if (g_strcmp0 (view, "factors") == 0)
    return "factors-view";
  if (g_strcmp0 (view, "atoms") == 0 || g_strcmp0 (view, "spectrum") == 0 ||
      g_strcmp0 (view, "sweep") == 0)
    return view;
  return "loss";
}

/* ---- The dialog ---- */

/* "cameraman-WH.png"; the loss plot is "loss.png", whatever the data. */
static char *
suggested_name (FsWindow   *self,
                const char *what,
                const char *extension)
{
  const char *name = fs_window_get_matrix (self) != NULL ? fs_session_get_name (self->session) : NULL;
  g_autofree char *stem = NULL;
  g_autofree char *clean = NULL;

  if (name == NULL || *name == '\0' || g_str_equal (what, "loss"))
    return g_strconcat (what, extension, NULL);
  stem = g_path_get_basename (name);
  if (strrchr (stem, '.') != NULL && strrchr (stem, '.') != stem)
    *strrchr (stem, '.') = '\0';
  clean = g_strdelimit (g_strdup (stem), "/\\:*?\"<>| ", '-');
  return g_strconcat (clean, "-", what, extension, NULL);
}

/* By extension, whatever its case. */
static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *suffix)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_suffix (filter, suffix);
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

/* "As on screen (600 × 220)" and the sizes for slides. */
static void
add_size_choice (GtkFileChooser *chooser,
                 GtkWidget      *frame)
{
  g_autofree char *w = fs_error_number_text ((guint64) MAX (gtk_widget_get_width (frame), 0));
  g_autofree char *h = fs_error_number_text ((guint64) MAX (gtk_widget_get_height (frame), 0));
  g_autofree char *screen = NULL;
  const char *ids[G_N_ELEMENTS (sizes) + 2] = { SCREEN_SIZE };
  const char *labels[G_N_ELEMENTS (sizes) + 2] = { NULL };
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  /* TRANSLATORS: a picture's size in pixels, as on screen, e.g. "As on screen (600 × 220)". */
  screen = g_strdup_printf (_("As on screen (%s × %s)"), w, h);
  labels[0] = screen;
  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autofree char *sw = fs_error_number_text ((guint64) sizes[k].width);
      g_autofree char *sh = fs_error_number_text ((guint64) sizes[k].height);

      /* TRANSLATORS: a picture's size in pixels, e.g. "1920 × 1080". */
      g_ptr_array_add (texts, g_strdup_printf (_("%s × %s"), sw, sh));
      ids[k + 1] = sizes[k].id;
      labels[k + 1] = texts->pdata[k];
    }
  gtk_file_chooser_add_choice (chooser, "size", _("Size"), ids, labels);
  gtk_file_chooser_set_choice (chooser, "size", SCREEN_SIZE);
}

static void
chosen_size (GtkFileChooser *chooser,
             int            *width,
             int            *height)
{
  const char *id = gtk_file_chooser_get_choice (chooser, "size");

  *width = *height = 0;
  for (guint k = 0; id != NULL && k < G_N_ELEMENTS (sizes); k++)
    if (g_str_equal (id, sizes[k].id))
      {
        *width = sizes[k].width;
        *height = sizes[k].height;
      }
}

/* Exports, then says so in a toast, or shows why not with the path. */
static void
export_and_report (FsWindow   *self,
                   const char *what,
                   const char *path,
                   int         width,
                   int         height)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (path);

  if (fs_window_export_image (self, what, path, width, height, &error))
    {
      /* TRANSLATORS: a toast after an export, e.g. "Saved loss.png". */
      g_autofree char *message = g_strdup_printf (_("Saved %s"), base);

      fs_window_show_toast (self, message);
    }
  else
    {
      /* TRANSLATORS: a file's path, and why it could not be written. */
      g_autofree char *message = g_strdup_printf (_("Could not export “%s”: %s"), path, error->message);

      fs_window_show_banner (self, message);
    }
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  FsWindow        *self)
{
  const char *what = g_object_get_data (G_OBJECT (dialog), "fs-export-what");
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    {
      fs_window_remember_folder (self, file);
      chosen_size (GTK_FILE_CHOOSER (dialog), &width, &height);
      export_and_report (self, what, path, width, height);
    }
  g_object_unref (dialog);
}

/* The last folder used (fs_window_dup_last_folder: Open's, Save Session's
 * and every export's, remembered across launches). */
static void
set_folder (GtkFileChooser *chooser,
            FsWindow       *self)
{
  g_autoptr(GFile) folder = fs_window_dup_last_folder (self);

  if (folder != NULL)
    gtk_file_chooser_set_current_folder (chooser, folder, NULL);
}

/* The save dialog for what (a name of fs_window_export_image). */
static void
open_save_dialog (FsWindow   *self,
                  const char *what)
{
  g_autoptr(GPtrArray) widgets = g_ptr_array_new ();
  g_autofree char *name = suggested_name (self, what, ".png");
  g_autoptr(GtkFileFilter) all_files = fs_window_all_files_filter_new ();
  GtkFileChooserNative *dialog;
  GtkFileChooser *chooser;
  GtkWidget *frame;

  if (!find_target (self, what, widgets, &frame, NULL))
    return;
  dialog = gtk_file_chooser_native_new (_("Export Image"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (dialog);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_filter (chooser, _("PNG image"), "png");
  add_filter (chooser, _("SVG drawing"), "svg");
  add_filter (chooser, _("PDF document"), "pdf");
  gtk_file_chooser_add_filter (chooser, all_files);
  add_size_choice (chooser, frame);
  set_folder (chooser, self);
  gtk_file_chooser_set_current_name (chooser, name);
  g_object_set_data_full (G_OBJECT (dialog), "fs-export-what", g_strdup (what), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_image (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  FsWindow *self = FS_WINDOW (widget);
  const char *what = parameter != NULL ? g_variant_get_string (parameter, NULL)
                                       : current_target (self);

  if (fs_window_get_matrix (self) == NULL)
    {
      fs_window_show_toast (self, _("There is nothing to export yet: open a matrix first"));
      return;
    }
  open_save_dialog (self, what);
}

/* ---- Context menus ---- */

/* The data of each map and plot (win.export-result's targets). */
static const struct
{
  const char *what;
  const char *result;
  const char *label;
} data_items[] = {
  { "X", "WH", N_("Export WH as Data…") },
  { "X", "residual", N_("Export X − WH as Data…") },
  { "WH", "WH", N_("Export WH as Data…") },
  { "WH", "residual", N_("Export X − WH as Data…") },
  { "residual", "WH", N_("Export WH as Data…") },
  { "residual", "residual", N_("Export X − WH as Data…") },
  { "W", "W", N_("Export W as Data…") },
  { "H", "H", N_("Export H as Data…") },
  { "loss", "loss", N_("Export Loss History as Data…") },
};

/* "Export Image…" for the widget, and "Export Data…" for what it shows. */
static GMenuModel *
context_menu (const char *what)
{
  GMenu *menu = g_menu_new ();
  g_autofree char *image = g_strdup_printf ("win.export-image-of::%s", what);

  g_menu_append (menu, _("Export Image…"), image);
  for (guint k = 0; k < G_N_ELEMENTS (data_items); k++)
    if (g_str_equal (data_items[k].what, what))
      {
        g_autofree char *detailed = g_strdup_printf ("win.export-result::%s", data_items[k].result);

        g_menu_append (menu, _(data_items[k].label), detailed);
      }
  return G_MENU_MODEL (menu);
}

static void
popup_at (GtkWidget *widget,
          double     x,
          double     y)
{
  GtkPopover *popover = g_object_get_data (G_OBJECT (widget), "fs-export-menu");

  gtk_popover_set_pointing_to (popover, &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (popover);
}

static void
on_secondary_press (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    gpointer         data)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_grab_focus (widget);
  popup_at (widget, x, y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static gboolean
on_menu_key (GtkWidget *widget,
             GVariant  *args,
             gpointer   data)
{
  popup_at (widget, gtk_widget_get_width (widget) / 2.0, gtk_widget_get_height (widget) / 2.0);
  return TRUE;
}

/* The popover is the widget's child: it goes with the widget. */
static void
on_widget_destroy (GtkWidget *widget)
{
  GtkWidget *popover = g_object_get_data (G_OBJECT (widget), "fs-export-menu");

  if (popover != NULL)
    gtk_widget_unparent (popover);
  g_object_set_data (G_OBJECT (widget), "fs-export-menu", NULL);
}

static void
add_context_menu (GtkWidget  *widget,
                  const char *what)
{
  g_autoptr(GMenuModel) model = context_menu (what);
  GtkWidget *popover = gtk_popover_menu_new_from_model (model);
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkShortcutAction *action = gtk_callback_action_new (on_menu_key, NULL, NULL);

  gtk_widget_set_parent (popover, widget);
  gtk_popover_set_position (GTK_POPOVER (popover), GTK_POS_BOTTOM);
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_halign (popover, GTK_ALIGN_START);
  g_object_set_data (G_OBJECT (widget), "fs-export-menu", popover);
  g_signal_connect (widget, "destroy", G_CALLBACK (on_widget_destroy), NULL);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_secondary_press), NULL);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK),
                                                   gtk_keyval_trigger_new (GDK_KEY_Menu, 0)),
                      action));
  gtk_widget_add_controller (widget, keys);
}

void
fs_window_export_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-image", NULL, export_image);
  gtk_widget_class_install_action (widget_class, "win.export-image-of", "s", export_image);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export-image",
                                       NULL);
}

void
fs_window_export_init (FsWindow *self)
{
  for (guint k = 0; k < FS_WINDOW_N_MAPS; k++)
    add_context_menu (GTK_WIDGET (self->maps[k]), name_of (self, GTK_WIDGET (self->maps[k])));
  add_context_menu (GTK_WIDGET (self->loss_plot), "loss");
  add_context_menu (GTK_WIDGET (self->gallery), "atoms");
  add_context_menu (GTK_WIDGET (self->spectrum), "spectrum");
  add_context_menu (GTK_WIDGET (fs_sweep_view_get_plot (self->sweep_view)), "sweep");
  add_context_menu (GTK_WIDGET (self->mse_plot), "trace");
}
