/* fs-instability.c
 *
 * The detector works on log10 of the cost, so that its thresholds are in
 * orders of magnitude whatever the scale of the data. The thresholds
 * come from the runs on every file of tests/data/real (plain gradient
 * descent, momentum, Adam and normalized steps at their starting rates,
 * 5000 iterations; plain at 3x its starting rate; non-negative with L1
 * on W), measured before they were chosen:
 * - Healthy runs climb by at most 3e-11 orders of magnitude in any 64
 *   iterations (rounding), momentum's first overshoots by about 3 orders
 *   in its first 64 iterations and then settle, normalized steps zigzag
 *   by a factor of 1.5 while their lowest cost keeps falling.
 * - Plain steps at 3x the starting rate climb by 8 to 26 orders in 64
 *   iterations, rising on 55-80% of them, and their lowest cost stops
 *   falling; periodic spikes (non-negative, L1 on W, the 200 faces) rise
 *   3 to 6 times from the same level every 26 iterations.
 *
 * Oscillation is judged per block of BLOCK iterations: the block flags
 * the run when the cost climbed by OSC_CLIMB orders in it (summing every
 * rise), rose on OSC_SHARE of its steps, spanned OSC_SPAN orders, and its
 * lowest cost is no better than the best of the blocks before it by more
 * than PROGRESS: the run goes up and down without getting anywhere. The
 * first block after a reset never flags (momentum's start, a warm change).
 *
 * A spike is a run of rises that climbs SPIKE_CLIMB orders from the level
 * it started at (a small dip within the rise starts a new run, so one
 * spike is not counted twice). SPIKES spikes within SPIKE_HORIZON
 * iterations flag the run, unless the level each starts from keeps
 * improving by more than PROGRESS (a transient that settles).
 *
 * Each cost costs O(1): running sums over the block, a ring of the last
 * SPIKES spike iterations, and a ring of the last BLOCK log-costs that is
 * read only once, when the run is flagged, for the swing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "fs-instability"

#include <glib/gi18n-lib.h>

#include <math.h>

#include "fs-instability.h"

#define BLOCK         64
#define RISE_EPS      1e-8          /* orders: rises below it are rounding */
#define OSC_CLIMB     2.0           /* orders climbed within a block */
#define OSC_SHARE     0.4           /* of a block's steps that rise */
#define OSC_SPAN      0.47712125472 /* log10 (3): max / min within a block */
#define PROGRESS      0.09691001301 /* log10 (1.25): what counts as getting better */
#define SPIKE_CLIMB   0.47712125472 /* log10 (3): the rise of one spike */
#define SPIKES        4
#define SPIKE_HORIZON 1000

struct _FsInstability
{
  gboolean started;         /* a cost was seen since the reset */
  guint64  steps;           /* steps seen since the reset */
  double   previous;        /* log10 of the last cost */
  double   ring[BLOCK];     /* the last BLOCK log-costs */

  guint    block_steps;
  double   block_climb;
  guint    block_rises;
  double   block_min;
  double   block_max;
  double   best_block_min;  /* over the finished blocks; +inf before one */

  guint8   rose[BLOCK];     /* whether each of the last BLOCK steps rose */
  guint    recent_rises;    /* how many of them did */
  gboolean rising;
  gboolean spike_counted;
  double   run_start;       /* the level the current run of rises left */
  double   last_trough;     /* the level the last spike left; NAN before one */
  guint64  spike_at[SPIKES];
  guint    n_spikes;        /* since the count last restarted, capped at SPIKES */
  guint    spike_next;      /* where the next spike goes in spike_at */
};

const char *
fs_warning_kind_to_string (FsWarningKind kind)
{
  switch (kind)
    {
    case FS_WARNING_OSCILLATION:
      return "oscillation";
    case FS_WARNING_SPIKES:
      return "spikes";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* A number for a message, in as few digits as reads well. */
static char *
format_number (double value,
               int    digits)
{
  return g_strdup_printf ("%.*g", digits, value);
}

/* Fills warning (whose message it replaces) and writes its message. */
void
fs_warning_set (FsWarning     *warning,
                FsWarningKind  kind,
                guint64        iteration,
                double         swing,
                double         suggested_lr)
{
  g_autofree char *at = NULL;
  g_autofree char *lr = NULL;
  g_autofree char *size = NULL;

  g_return_if_fail (warning != NULL);

  g_free (warning->message);
  *warning = (FsWarning) {
    .kind = kind,
    .iteration = iteration,
    .swing = swing,
    .suggested_lr = suggested_lr,
  };
  at = g_strdup_printf ("%" G_GUINT64_FORMAT, iteration);
  lr = format_number (suggested_lr, 3);

  if (swing >= 1.0)
    {
      size = format_number (swing, 2);
      warning->message = kind == FS_WARNING_OSCILLATION
        ? g_strdup_printf (_("Unstable at iteration %s: the cost swings over %s orders of "
                             "magnitude. Try a learning rate of %s."), at, size, lr)
        : g_strdup_printf (_("Unstable at iteration %s: the cost spikes again and again, "
                             "over %s orders of magnitude. Try a learning rate of %s."),
                           at, size, lr);
    }
  else
    {
      size = format_number (pow (10.0, swing), 2);
      warning->message = kind == FS_WARNING_OSCILLATION
        ? g_strdup_printf (_("Unstable at iteration %s: the cost swings up and down by a "
                             "factor of %s. Try a learning rate of %s."), at, size, lr)
        : g_strdup_printf (_("Unstable at iteration %s: the cost spikes again and again, by "
                             "a factor of %s. Try a learning rate of %s."), at, size, lr);
    }
}

void
fs_warning_clear (FsWarning *warning)
{
  g_return_if_fail (warning != NULL);

  g_clear_pointer (&warning->message, g_free);
}

FsInstability *
fs_instability_new (void)
{
  FsInstability *self = g_new0 (FsInstability, 1);

  fs_instability_reset (self);
  return self;
}

void
fs_instability_free (FsInstability *self)
{
  g_free (self);
}

static void
start_block (FsInstability *self,
             double         level)
{
  self->block_steps = 0;
  self->block_climb = 0.0;
  self->block_rises = 0;
  self->block_min = self->block_max = level;
}

/* Forgets every cost: the next one is a new start. */
void
fs_instability_reset (FsInstability *self)
{
  g_return_if_fail (self != NULL);

  *self = (FsInstability) {
    .best_block_min = INFINITY,
    .last_trough = NAN,
  };
}

/* The span of the last BLOCK costs (or fewer), in orders of magnitude. */
static double
recent_swing (const FsInstability *self)
{
  guint n = (guint) MIN (self->steps + 1, (guint64) BLOCK);
  double lo = INFINITY, hi = -INFINITY;

  for (guint k = 0; k < n; k++)
    {
      lo = MIN (lo, self->ring[k]);
      hi = MAX (hi, self->ring[k]);
    }
  return hi - lo;
}

/* Counts a spike that left level trough at the current step; TRUE when
 * SPIKES of them fell within SPIKE_HORIZON steps. */
static gboolean
count_spike (FsInstability *self,
             double         trough)
{
  guint oldest;

  if (!isnan (self->last_trough) && trough < self->last_trough - PROGRESS)
    self->n_spikes = 0;   /* still getting better: a transient */
  self->last_trough = trough;

  self->spike_at[self->spike_next] = self->steps;
  self->spike_next = (self->spike_next + 1) % SPIKES;
  self->n_spikes = MIN (self->n_spikes + 1, SPIKES);
  oldest = self->spike_next;   /* the slot written SPIKES spikes ago */
  return self->n_spikes == SPIKES && self->steps - self->spike_at[oldest] <= SPIKE_HORIZON;
}

/* Follows runs of rises; TRUE when the spikes flag the run. */
static gboolean
watch_spikes (FsInstability *self,
              double         level,
              double         step)
{
  if (step <= RISE_EPS)
    {
      self->rising = FALSE;
      return FALSE;
    }
  if (!self->rising)
    {
      self->rising = TRUE;
      self->spike_counted = FALSE;
      self->run_start = self->previous;
    }
  if (self->spike_counted || level - self->run_start < SPIKE_CLIMB)
    return FALSE;
  self->spike_counted = TRUE;
  return count_spike (self, self->run_start);
}

/* Adds the step to the block; at its end, TRUE when the block flags the
 * run, and a new block starts. */
static gboolean
watch_block (FsInstability *self,
             double         level,
             double         step)
{
  gboolean flag;

  self->block_steps++;
  if (step > 0.0)
    self->block_climb += step;
  if (step > RISE_EPS)
    self->block_rises++;
  self->block_min = MIN (self->block_min, level);
  self->block_max = MAX (self->block_max, level);
  if (self->block_steps < BLOCK)
    return FALSE;

  flag = isfinite (self->best_block_min) &&
         self->block_climb >= OSC_CLIMB &&
         self->block_rises >= OSC_SHARE * BLOCK &&
         self->block_max - self->block_min >= OSC_SPAN &&
         self->block_min >= self->best_block_min - PROGRESS;
  self->best_block_min = MIN (self->best_block_min, self->block_min);
  start_block (self, level);
  return flag;
}

/* Feeds the cost of the next iterate; TRUE when the run is flagged, with
 * the kind and the swing of the last costs (orders of magnitude). Costs
 * are taken as at least G_MINDOUBLE; the caller keeps them away from
 * rounding noise near 0. */
gboolean
fs_instability_add (FsInstability *self,
                    double         cost,
                    FsWarningKind *kind,
                    double        *swing)
{
  double level, step;
  gboolean spikes, block;

  g_return_val_if_fail (self != NULL, FALSE);

  level = log10 (MAX (cost, G_MINDOUBLE));
  if (!self->started)
    {
      /* The first cost since the reset: the level the steps start from. */
      self->started = TRUE;
      self->previous = level;
      self->ring[0] = level;
      start_block (self, level);
      return FALSE;
    }
  step = level - self->previous;
  self->steps++;
  self->ring[self->steps % BLOCK] = level;
  self->recent_rises -= self->rose[self->steps % BLOCK];
  self->rose[self->steps % BLOCK] = step > RISE_EPS;
  self->recent_rises += self->rose[self->steps % BLOCK];

  spikes = watch_spikes (self, level, step);
  block = watch_block (self, level, step);
  self->previous = level;
  if (!spikes && !block)
    return FALSE;

  /* Spikes on top of rises on most steps are an oscillation too. */
  if (kind != NULL)
    *kind = block || self->recent_rises >= OSC_SHARE * MIN (self->steps, (guint64) BLOCK)
            ? FS_WARNING_OSCILLATION : FS_WARNING_SPIKES;
  if (swing != NULL)
    *swing = recent_swing (self);
  return TRUE;
}
