/* fs-atoms.h: the components of W H as pictures (DESIGN.md section 5).
 *
 * Component k is column k of W with row k of H. When each row of X is an
 * h × w image, row k of H shown as an h × w image is atom k and row i of W
 * is sample i's code; when X is one image, component k is the rank-one
 * image w_k h_k^T; otherwise it is row k of H as a profile over the
 * columns. An FsAtoms holds every component's tile (values, not colours),
 * ordered by energy ||w_k|| ||h_k||, largest first; it is made from a
 * snapshot's W and H in O((n + m) r + r × tile pixels) on any thread
 * (block means: the block mean of w_k h_k^T is the product of the block
 * means), and never changes after.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "fs-matrix.h"

G_BEGIN_DECLS

typedef enum
{
  FS_ATOMS_PROFILES,   /* row k of H over the columns */
  FS_ATOMS_ROW_IMAGES, /* row k of H as an image_height × image_width image */
  FS_ATOMS_RANK_ONE,   /* w_k h_k^T as an n × m image */
} FsAtomsLayout;

/* How to show X's components, from the image shape its loader knew: row
 * images when image_height × image_width == cols, one image when rows ==
 * image_height and cols == image_width, profiles otherwise. */
FsAtomsLayout fs_atoms_layout_for_matrix (const FsMatrix *X);

/* The h × w shapes with h, w >= 2 and h w == cols, squarest first; fills
 * heights[] and widths[] up to max and returns how many there are. */
guint         fs_atoms_image_shapes      (gsize           cols,
                                          gsize          *heights,
                                          gsize          *widths,
                                          guint           max);

typedef struct
{
  guint    component;    /* k: column of W, row of H */
  double   energy;       /* ||w_k|| ||h_k|| */
  double   energy_share; /* energy / the sum of all energies (0 when that is 0) */
  double   zeros_w;      /* share of exact zeros in column k of W */
  double   zeros_h;      /* share of exact zeros in row k of H */
  gboolean both_signs;   /* the tile has values of both signs: draw diverging, centred on 0 */
  double   lo;           /* the tile's smallest and largest value */
  double   hi;
  double  *values;       /* tile_rows × tile_cols, row-major, upright */
} FsAtom;

typedef struct
{
  FsAtomsLayout layout;
  gsize         image_height;  /* the image shape for ROW_IMAGES, else 0 */
  gsize         image_width;
  gsize         cols;          /* columns of H: a profile's bars are blocks of them */
  gsize         tile_rows;     /* every tile's shape: the image shape, or */
  gsize         tile_cols;     /* smaller by block means, at most max_tile each way */
  guint         n_atoms;       /* the rank */
  FsAtom       *atoms;         /* largest energy first; ties by component */
} FsAtoms;

/* W is rows × rank, H is rank × cols. For ROW_IMAGES image_height ×
 * image_width must equal cols; for the others both are ignored. max_tile
 * bounds tile_rows and tile_cols (PROFILES tiles are 1 × min (cols,
 * max_tile)). */
FsAtoms *fs_atoms_new      (FsAtomsLayout   layout,
                            const double   *W,
                            const double   *H,
                            gsize           rows,
                            gsize           cols,
                            guint           rank,
                            gsize           image_height,
                            gsize           image_width,
                            gsize           max_tile);
FsAtoms *fs_atoms_ref      (FsAtoms        *self);
void     fs_atoms_unref    (FsAtoms        *self);
/* The index into atoms[] of component k, or -1. */
gint     fs_atoms_find     (const FsAtoms  *self,
                            guint           component);

/* RGBA pixels of atom index a, tile_rows × tile_cols, in its own colour
 * range: diverging (blue, white at 0, red) over [-max |v|, max |v|] when
 * both_signs, else sequential over [lo, hi]. stride in bytes. */
void     fs_atoms_render   (const FsAtoms  *self,
                            guint           a,
                            guint8         *rgba,
                            gsize           stride);

/* The gallery as PNG bytes: tiles in energy order, in a grid as square as
 * the tiles allow, each scaled up by a whole factor to at least 48 pixels
 * along its longer side (a profile, one row, to 16 pixels high), with
 * 4-pixel gaps between and around them; the image shape and the order
 * (component, energy share) in its tEXt chunks. For fs_csv_write_set (),
 * which writes atomically. */
GBytes  *fs_atoms_encode_png (const FsAtoms *self,
                              GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FsAtoms, fs_atoms_unref)

G_END_DECLS
