/* fs-pins.h: pinned runs, their legend bar and their comparison table.
 *
 * An FsPinItem is one row of the comparison: a pinned run (or the live
 * one, is-live) with its settings, a snapshot (fs_snapshot_copy_for_pin ()
 * or fs_sweep_point_to_snapshot ()), the f* of its settings (NaN when
 * none, or when it had held-out cells: the gap is then not computed) and
 * a colour. Its numbers are derived from the snapshot when it is made:
 * final cost (the best run's once done, else the current cost), gap to f*,
 * held-out MSE, zero shares of W and H, iterations (all runs'), time.
 *
 * FsPinBar is the legend under the loss plot: one chip per pin in a
 * GListModel of FsPinItem (the live row is not shown), each a colour
 * swatch, the label, a "Show" toggle bound to the item's visible property
 * and a "Remove" button. FsPinTable is the comparison table (a
 * GtkColumnView, every column sortable, the live row included): settings,
 * final cost, gap to f*, held-out MSE, zeros in W, zeros in H, iterations,
 * time, and per row "Restore" (its settings become the live ones), "Show"
 * (the views show the pinned run) and "Remove". The widgets emit signals
 * and change only visible; the window owns the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-runner.h"

G_BEGIN_DECLS

/* The most runs a window keeps pinned. */
#define FS_PINS_MAX 8

#define FS_TYPE_PIN_ITEM (fs_pin_item_get_type ())
G_DECLARE_FINAL_TYPE (FsPinItem, fs_pin_item, FS, PIN_ITEM, GObject)

/* Properties: "label" (string, settable: the window relabels pins when the
 * live settings change), "visible" (boolean, settable), "colour"
 * (GdkRGBA), "is-live", and read-only doubles "cost", "gap", "holdout-mse",
 * "zeros-w", "zeros-h", "time", guint64 "iterations". */
FsPinItem      *fs_pin_item_new            (FsSnapshot     *snapshot,
                                            double          optimum,
                                            const GdkRGBA  *colour,
                                            gboolean        is_live);
FsSnapshot     *fs_pin_item_get_snapshot   (FsPinItem      *self);
/* The settings it ran with (the snapshot's params). */
const FsParams *fs_pin_item_get_params     (FsPinItem      *self);
double          fs_pin_item_get_optimum    (FsPinItem      *self);
const char     *fs_pin_item_get_label      (FsPinItem      *self);
void            fs_pin_item_set_label      (FsPinItem      *self,
                                            const char     *label);
gboolean        fs_pin_item_get_visible    (FsPinItem      *self);
void            fs_pin_item_set_visible    (FsPinItem      *self,
                                            gboolean        visible);
const GdkRGBA  *fs_pin_item_get_colour     (FsPinItem      *self);
gboolean        fs_pin_item_get_is_live    (FsPinItem      *self);
double          fs_pin_item_get_cost       (FsPinItem      *self);
double          fs_pin_item_get_gap        (FsPinItem      *self);
double          fs_pin_item_get_holdout_mse (FsPinItem     *self);
double          fs_pin_item_get_zeros_w    (FsPinItem      *self);
double          fs_pin_item_get_zeros_h    (FsPinItem      *self);
guint64         fs_pin_item_get_iterations (FsPinItem      *self);
double          fs_pin_item_get_time       (FsPinItem      *self);
/* The i-th of the pin colours (distinct from the live curve's and from
 * each other in light and dark styles), i < FS_PINS_MAX. */
void            fs_pin_colour              (guint           index,
                                            gboolean        dark,
                                            GdkRGBA        *colour);

#define FS_TYPE_PIN_BAR (fs_pin_bar_get_type ())
G_DECLARE_FINAL_TYPE (FsPinBar, fs_pin_bar, FS, PIN_BAR, GtkWidget)

/* Signals: "remove" (FsPinItem *). Hidden when the model has no pin. */
GtkWidget      *fs_pin_bar_new             (void);
void            fs_pin_bar_set_model       (FsPinBar       *self,
                                            GListModel     *pins);

#define FS_TYPE_PIN_TABLE (fs_pin_table_get_type ())
G_DECLARE_FINAL_TYPE (FsPinTable, fs_pin_table, FS, PIN_TABLE, GtkWidget)

/* Signals: "restore" (FsPinItem *), "show-run" (FsPinItem *: the views
 * show it; the live row shows the live run; not "show", which is
 * GtkWidget's), "remove" (FsPinItem *). */
GtkWidget      *fs_pin_table_new           (void);
/* rows: the live item first, then the pins. */
void            fs_pin_table_set_model     (FsPinTable     *self,
                                            GListModel     *rows);
/* Sorts by a column ("label", "cost", "gap", "holdout-mse", "zeros-w",
 * "zeros-h", "iterations", "time"), as a click on its header does; for
 * tests. */
void            fs_pin_table_sort_by       (FsPinTable     *self,
                                            const char     *column,
                                            gboolean        descending);
/* The row shown at position (after sorting), for tests. */
FsPinItem      *fs_pin_table_get_row       (FsPinTable     *self,
                                            guint           position);

G_END_DECLS
