/* fs-pin-item.c
 *
 * One row of the comparison of runs: a pinned run or the live one. Its
 * numbers are derived from the snapshot once, when the item is made: a
 * snapshot never changes, and the table sorts on them often.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-pin-item"

#include <math.h>

#include "fs-analysis.h"
#include "fs-pins-private.h"

/* f* from the SVD and the cost each carry rounding: a cost below f* by no
 * more than this, relative to the larger of the two, is at f* (as the
 * status line has it). */
#define GAP_ROUNDING 1e-12

struct _FsPinItem
{
  GObject       parent_instance;

  FsSnapshot   *snapshot;
  double        optimum;
  GdkRGBA       colour;
  gboolean      is_live;
  char         *label;
  gboolean      visible;
  FsPinNumbers  numbers;
};

G_DEFINE_FINAL_TYPE (FsPinItem, fs_pin_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_LABEL,
  PROP_VISIBLE,
  PROP_COLOUR,
  PROP_IS_LIVE,
  PROP_COST,
  PROP_GAP,
  PROP_HOLDOUT_MSE,
  PROP_ZEROS_W,
  PROP_ZEROS_H,
  PROP_ITERATIONS,
  PROP_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The final cost: the best run's once every run is done, as the views
 * then show the best run's factors; else the current one. */
static double
final_cost (const FsSnapshot *s)
{
  if (s->state == FS_RUNNER_FINISHED && s->best_run >= 0 && s->final_costs != NULL)
    return s->final_costs[s->best_run];
  return s->cost;
}

static double
gap_to_optimum (double cost,
                double optimum)
{
  double gap;

  if (!isfinite (optimum) || !isfinite (cost))
    return NAN;
  gap = cost - optimum;
  if (gap < 0.0 && -gap <= GAP_ROUNDING * MAX (fabs (optimum), fabs (cost)))
    gap = 0.0;
  return gap;
}

/* The share of exact zeros among len values; NaN for none. */
static double
zero_share (const double *values,
            gsize         len)
{
  FsZeroCount count;

  if (values == NULL || len == 0)
    return NAN;
  fs_count_zeros (values, len, &count);
  return (double) count.exact / (double) count.total;
}

/* Every run's iterations, as the status line counts them for its speed. */
static guint64
all_iterations (const FsSnapshot *s)
{
  guint64 done = 0;

  if (s->log_lengths == NULL)
    return 0;
  for (guint k = 0; k <= s->run; k++)
    done += s->log_lengths[k] > 0 ? s->log_lengths[k] - 1 : 0;
  return done;
}

static void
derive_numbers (FsPinItem *self)
{
  const FsSnapshot *s = self->snapshot;
  FsPinNumbers *n = &self->numbers;

  n->cost = final_cost (s);
  n->gap = gap_to_optimum (n->cost, self->optimum);
  n->holdout_mse = s->holdout_mse;
  n->zeros_w = zero_share (s->W, s->rows * s->rank);
  n->zeros_h = zero_share (s->H, (gsize) s->rank * s->cols);
  n->iterations = all_iterations (s);
  n->time = s->elapsed;
}

static void
fs_pin_item_finalize (GObject *object)
{
  FsPinItem *self = FS_PIN_ITEM (object);

  g_clear_pointer (&self->snapshot, fs_snapshot_unref);
  g_clear_pointer (&self->label, g_free);
  G_OBJECT_CLASS (fs_pin_item_parent_class)->finalize (object);
}

static void
fs_pin_item_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FsPinItem *self = FS_PIN_ITEM (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_VISIBLE:
      g_value_set_boolean (value, self->visible);
      break;
    case PROP_COLOUR:
      g_value_set_boxed (value, &self->colour);
      break;
    case PROP_IS_LIVE:
      g_value_set_boolean (value, self->is_live);
      break;
    case PROP_COST:
      g_value_set_double (value, self->numbers.cost);
      break;
    case PROP_GAP:
      g_value_set_double (value, self->numbers.gap);
      break;
    case PROP_HOLDOUT_MSE:
      g_value_set_double (value, self->numbers.holdout_mse);
      break;
    case PROP_ZEROS_W:
      g_value_set_double (value, self->numbers.zeros_w);
      break;
    case PROP_ZEROS_H:
      g_value_set_double (value, self->numbers.zeros_h);
      break;
    case PROP_ITERATIONS:
      g_value_set_uint64 (value, self->numbers.iterations);
      break;
    case PROP_TIME:
      g_value_set_double (value, self->numbers.time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fs_pin_item_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FsPinItem *self = FS_PIN_ITEM (object);

  switch (prop_id)
    {
    case PROP_LABEL:
      fs_pin_item_set_label (self, g_value_get_string (value));
      break;
    case PROP_VISIBLE:
      fs_pin_item_set_visible (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
read_only_double (const char *name)
{
  /* NaN is a value here (no f*, no held-out cells): no range to clamp. */
  return g_param_spec_double (name, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
fs_pin_item_class_init (FsPinItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fs_pin_item_finalize;
  object_class->get_property = fs_pin_item_get_property;
  object_class->set_property = fs_pin_item_set_property;

  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VISIBLE] =
    g_param_spec_boolean ("visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLOUR] =
    g_param_spec_boxed ("colour", NULL, NULL, GDK_TYPE_RGBA,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IS_LIVE] =
    g_param_spec_boolean ("is-live", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COST] = read_only_double ("cost");
  properties[PROP_GAP] = read_only_double ("gap");
  properties[PROP_HOLDOUT_MSE] = read_only_double ("holdout-mse");
  properties[PROP_ZEROS_W] = read_only_double ("zeros-w");
  properties[PROP_ZEROS_H] = read_only_double ("zeros-h");
  properties[PROP_TIME] = read_only_double ("time");
  properties[PROP_ITERATIONS] =
    g_param_spec_uint64 ("iterations", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fs_pin_item_init (FsPinItem *self)
{
  self->label = g_strdup ("");
  self->visible = TRUE;
  self->optimum = NAN;
  self->numbers = (FsPinNumbers) { NAN, NAN, NAN, NAN, NAN, 0.0, 0 };
}

/* Takes a reference on snapshot. optimum: f* of the snapshot's settings,
 * NaN when there is none to compare with. */
FsPinItem *
fs_pin_item_new (FsSnapshot    *snapshot,
                 double         optimum,
                 const GdkRGBA *colour,
                 gboolean       is_live)
{
  FsPinItem *self;

  g_return_val_if_fail (snapshot != NULL, NULL);
  g_return_val_if_fail (colour != NULL, NULL);

  self = g_object_new (FS_TYPE_PIN_ITEM, NULL);
  self->snapshot = fs_snapshot_ref (snapshot);
  self->optimum = optimum;
  self->colour = *colour;
  self->is_live = is_live;
  derive_numbers (self);
  return self;
}

FsPinItem *
fs_pin_item_new_probe (const char         *label,
                       const FsPinNumbers *numbers)
{
  FsPinItem *self = g_object_new (FS_TYPE_PIN_ITEM, "label", label, NULL);

  self->numbers = *numbers;
  return self;
}

const FsPinNumbers *
fs_pin_item_get_numbers (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NULL);

  return &self->numbers;
}

FsSnapshot *
fs_pin_item_get_snapshot (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NULL);

  return self->snapshot;
}

const FsParams *
fs_pin_item_get_params (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NULL);
  g_return_val_if_fail (self->snapshot != NULL, NULL);

  return &self->snapshot->params;
}

double
fs_pin_item_get_optimum (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->optimum;
}

const char *
fs_pin_item_get_label (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NULL);

  return self->label;
}

void
fs_pin_item_set_label (FsPinItem  *self,
                       const char *label)
{
  g_return_if_fail (FS_IS_PIN_ITEM (self));

  if (label == NULL)
    label = "";
  if (g_strcmp0 (self->label, label) == 0)
    return;
  g_free (self->label);
  self->label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
}

gboolean
fs_pin_item_get_visible (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), FALSE);

  return self->visible;
}

void
fs_pin_item_set_visible (FsPinItem *self,
                         gboolean   visible)
{
  g_return_if_fail (FS_IS_PIN_ITEM (self));

  visible = !!visible;
  if (self->visible == visible)
    return;
  self->visible = visible;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}

const GdkRGBA *
fs_pin_item_get_colour (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NULL);

  return &self->colour;
}

gboolean
fs_pin_item_get_is_live (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), FALSE);

  return self->is_live;
}

double
fs_pin_item_get_cost (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.cost;
}

double
fs_pin_item_get_gap (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.gap;
}

double
fs_pin_item_get_holdout_mse (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.holdout_mse;
}

double
fs_pin_item_get_zeros_w (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.zeros_w;
}

double
fs_pin_item_get_zeros_h (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.zeros_h;
}

guint64
fs_pin_item_get_iterations (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), 0);

  return self->numbers.iterations;
}

double
fs_pin_item_get_time (FsPinItem *self)
{
  g_return_val_if_fail (FS_IS_PIN_ITEM (self), NAN);

  return self->numbers.time;
}

/* Tableau 10 without its blue (the live curve's) and its grey (which
 * reads as "disabled"), darkened for a light background and lightened
 * for a dark one so that a thin line keeps its contrast in both. */
static const char * const pin_colours_light[FS_PINS_MAX] = {
  "#e0700f", "#d23a3c", "#2a9d8f", "#3d8a34", "#b28a0a", "#9a5a93", "#db5a7b", "#8a6045",
};
static const char * const pin_colours_dark[FS_PINS_MAX] = {
  "#f6a04d", "#f07a7c", "#8fd1cc", "#85c47a", "#f1d568", "#c99bbf", "#ffb3bb", "#c4a088",
};

void
fs_pin_colour (guint    index,
               gboolean dark,
               GdkRGBA *colour)
{
  g_return_if_fail (colour != NULL);
  g_return_if_fail (index < FS_PINS_MAX);

  gdk_rgba_parse (colour, dark ? pin_colours_dark[index] : pin_colours_light[index]);
}
