/* fs-atom-gallery.h: every component of W H as a tile, in a grid.
 *
 * Shows an FsAtoms (fs-atoms.h): one tile per component, largest energy
 * first, each labelled with its component number, energy share and share
 * of exact zeros, drawn in its own colour range (diverging, centred on 0,
 * when it has both signs). Profiles (rows of H over the columns) are drawn
 * as bars with the column labels as their axis. Some components can be
 * highlighted (a sample's strongest atoms). The tiles take keyboard focus
 * one by one (arrow keys, Home, End); the focused tile is read out to
 * assistive technologies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "fs-atoms.h"

G_BEGIN_DECLS

#define FS_TYPE_ATOM_GALLERY (fs_atom_gallery_get_type ())
G_DECLARE_FINAL_TYPE (FsAtomGallery, fs_atom_gallery, FS, ATOM_GALLERY, GtkWidget)

GtkWidget *fs_atom_gallery_new              (void);
/* Takes a reference; NULL shows "No factors yet". */
void       fs_atom_gallery_set_atoms        (FsAtomGallery      *self,
                                             FsAtoms            *atoms);
FsAtoms   *fs_atom_gallery_get_atoms        (FsAtomGallery      *self);
/* Column labels for the profiles' axis (NULL: column numbers). */
void       fs_atom_gallery_set_column_labels (FsAtomGallery     *self,
                                             const char * const *labels,
                                             gsize               n_labels);
/* Components (k, not positions) to outline, strongest first. */
void       fs_atom_gallery_set_highlight    (FsAtomGallery      *self,
                                             const guint        *components,
                                             guint               n_components);
guint      fs_atom_gallery_get_n_highlighted (FsAtomGallery     *self);
/* Where the tile at position index (energy order) is, in widget
 * coordinates, at the current size; FALSE when there is no such tile. */
gboolean   fs_atom_gallery_get_tile_area    (FsAtomGallery      *self,
                                             guint               index,
                                             graphene_rect_t    *area);
/* The focused tile's position, or -1. */
gint       fs_atom_gallery_get_focus_index  (FsAtomGallery      *self);

G_END_DECLS
