/* fs-pins-private.h: what the pin item shares with the bar and the table.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-pins.h"

G_BEGIN_DECLS

/* The numbers of a row, as the table's columns read them. */
typedef struct
{
  double  cost;
  double  gap;
  double  holdout_mse;
  double  zeros_w;
  double  zeros_h;
  double  time;
  guint64 iterations;
} FsPinNumbers;

/* An item with no snapshot and the given numbers: the table compares two
 * of them to learn how its column view sorts (GTK 4.8 does not say). */
FsPinItem          *fs_pin_item_new_probe   (const char         *label,
                                             const FsPinNumbers *numbers);
const FsPinNumbers *fs_pin_item_get_numbers (FsPinItem          *self);

G_END_DECLS
