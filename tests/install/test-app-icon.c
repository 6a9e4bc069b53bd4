/* test-app-icon.c: the app's icons reach GTK's icon theme from the
 * GResource, as in an uninstalled app (GtkApplication adds
 * <resource base path>/icons to the theme), and an About window with the
 * app's icon draws it rather than a broken image.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "test-app-icon"

#include "fs-test-ui.h"

#define APP_ID "org.factorscope.Factorscope"

static void
test_icons_in_theme (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  g_auto(GStrv) resource_path = gtk_icon_theme_get_resource_path (theme);

  gboolean from_resource = FALSE;

  /* GtkApplication adds the path with a trailing slash. */
  for (gsize i = 0; resource_path[i] != NULL; i++)
    from_resource |= g_str_has_prefix (resource_path[i], "/org/factorscope/Factorscope/icons");
  g_assert_true (from_resource);
  g_assert_true (g_resources_get_info ("/org/factorscope/Factorscope/icons/scalable/apps/" APP_ID ".svg",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL));
  g_assert_true (g_resources_get_info ("/org/factorscope/Factorscope/icons/symbolic/apps/"
                                       APP_ID "-symbolic.svg",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL));
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID "-symbolic"));
}

/* The icon's yellow (the wide factor) and purple (the tall one): nothing
 * else in an About window has either. */
static void
count_icon_pixels (const FsTestImage *image,
                   guint             *yellow,
                   guint             *purple)
{
  *yellow = *purple = 0;
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        guint8 rgb[3];

        fs_test_pixel (image, x, y, rgb);
        if (rgb[0] > 200 && rgb[1] > 150 && rgb[2] < 120)
          (*yellow)++;
        else if (rgb[0] > 80 && rgb[2] > 120 && rgb[1] < 110 && rgb[2] > rgb[1] + 40)
          (*purple)++;
      }
}

static void
test_about_shows_icon (void)
{
  GtkWidget *about = adw_about_window_new ();
  g_autoptr(FsTestImage) image = NULL;
  guint yellow, purple;

  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "Factorscope");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  gtk_window_present (GTK_WINDOW (about));
  g_assert_true (fs_test_wait_for (fs_test_is_mapped, about, 10));
  for (int k = 0; k < 20; k++)
    g_main_context_iteration (NULL, FALSE);
  image = fs_test_render (about);
  fs_test_maybe_save (image, "about-icon");
  count_icon_pixels (image, &yellow, &purple);
  /* At 128 px the icon has 8 yellow and 8 purple cells of about 12 × 12. */
  g_assert_cmpuint (yellow, >, 500);
  g_assert_cmpuint (purple, >, 500);
  gtk_window_destroy (GTK_WINDOW (about));
}

static void
on_activate (GApplication *app,
             int          *status)
{
  *status = g_test_run ();
  g_application_quit (app);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(AdwApplication) app = NULL;
  int status = 1;

  fs_test_ui_init (&argc, &argv);
  g_test_add_func ("/install/icons-in-theme", test_icons_in_theme);
  g_test_add_func ("/install/about-shows-icon", test_about_shows_icon);

  /* As the app does (app/factorscope.c): the theme gets the icons at
   * startup, from the resource base path. */
  app = adw_application_new (APP_ID, G_APPLICATION_NON_UNIQUE);
  g_application_set_resource_base_path (G_APPLICATION (app), "/org/factorscope/Factorscope");
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &status);
  g_application_run (G_APPLICATION (app), 0, NULL);
  return status;
}
