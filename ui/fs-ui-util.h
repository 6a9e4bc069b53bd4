/* fs-ui-util.h: small fixes the widgets share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Labels the drop-down and its inner button: GTK 4.8 names the button
 * after its class, which a screen reader reads out. */
void fs_drop_down_set_accessible_label (GtkDropDown *drop_down,
                                        const char  *label);

G_END_DECLS
