/* fs-window-private.h: what the window's files share.
 *
 * fs-window.c shows the session: it follows the session's signals and
 * takes the runner's snapshots on the frame clock. fs-window-actions.c
 * holds the window's actions and sets their enabled state from the shown
 * snapshot; fs-window-dnd.c takes files dropped on the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fs-atom-gallery.h"
#include "fs-code-view.h"
#include "fs-histogram.h"
#include "fs-import-sheet.h"
#include "fs-loss-plot.h"
#include "fs-param-panel.h"
#include "fs-pins.h"
#include "fs-session.h"
#include "fs-session-file.h"
#include "fs-spectrum.h"
#include "fs-sweep-view.h"
#include "fs-trace-plot.h"
#include "fs-window.h"

G_BEGIN_DECLS

#define FS_WINDOW_N_MAPS 5

/* What the last Run/Pause press asked for. */
typedef enum
{
  FS_PRESS_NONE,
  FS_PRESS_RUN,
  FS_PRESS_PAUSE,
} FsPress;

typedef enum
{
  FS_BANNER_NONE,
  FS_BANNER_ERROR,     /* a failure, until dismissed or replaced */
  FS_BANNER_RUN,       /* the run diverged or is unstable */
  FS_BANNER_SETTINGS,  /* the settings have no minimum */
} FsBannerKind;

/* Sessions in the window (fs-window-session.c). */
typedef struct _FsWindowSessionState FsWindowSessionState;
/* Import options in the window (fs-window-import.c). */
typedef struct _FsWindowImportState FsWindowImportState;

struct _FsWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toasts;
  AdwWindowTitle       *window_title;
  GtkMenuButton        *examples_button;
  GtkButton            *run_button;
  GtkScale             *speed_scale;
  GtkRevealer          *banner;
  GtkLabel             *banner_label;
  FsParamPanel         *panel;
  FsLossPlot           *loss_plot;
  GtkBox               *data_maps;
  GtkBox               *factor_maps;
  GtkLabel             *status_label;
  GtkLabel             *zeros_label;
  FsHeatmap            *maps[FS_WINDOW_N_MAPS];
  GtkStack             *views;
  GtkRevealer          *data_code_revealer;
  FsCodeView           *data_code;
  GtkDropDown          *row_shape;
  FsAtomGallery        *gallery;
  GtkSpinButton        *sample_spin;
  FsCodeView           *atoms_code;
  FsSpectrum           *spectrum;
  GtkLabel             *spectrum_caption;
  FsHistogram          *histograms[2];   /* W, H */
  FsTracePlot          *zero_plots[2];

  FsSession            *session;
  /* A file being opened (fs-window-progress.c). */
  GtkWidget            *load_box;
  GtkProgressBar       *load_bar;
  guint                 load_show_id;    /* shows them once a load lasts */
  FsSnapshot           *shown;
  GCancellable         *suggest_cancellable;
  FsBannerKind          banner_kind;
  char                 *unbounded;       /* why the settings have no minimum */
  char                 *dismissed;       /* the banner text the user closed */
  gboolean              lr_suggested;    /* the rate is the rule's suggestion */
  gboolean              rule_pending;    /* a new rule waits for its rate */
  guint64               marks_key;       /* the run and count of the marks shown */
  FsPress               pressed;         /* the last Run/Pause press... */
  guint64               pressed_serial;  /* ...and the snapshot it saw */
  gint64                next_update;     /* monotonic µs */
  gint64                last_update;
  double                last_update_cpu; /* the main thread's CPU seconds */

  /* The inspection views (fs-window-inspect.c). */
  gint64                sample;          /* the selected row of X, or -1 */
  GArray               *shapes;          /* FsRowShape: the row-shape choices */
  GCancellable         *inspect_cancellable;
  gboolean              inspecting;      /* a job is computing */
  gboolean              inspect_again;   /* ...and the shown snapshot is newer */
  double                inspect_cpu;     /* CPU seconds the jobs used, not yet counted */
  double                inspect_cpu_total;
  guint                 spectrum_rank;   /* the settings the spectrum draws */
  double                spectrum_threshold;

  /* Tuning by eye (fs-window-tuning.c). */
  GtkButton            *keep_button;
  GtkMenuButton        *compare_button;
  GtkPopover           *compare_popover;
  GtkBox               *compare_slot;
  GtkRevealer          *mse_revealer;
  GtkBox               *mse_slot;
  GtkBox               *pin_bar_slot;
  GtkBox               *replay_row;
  GtkScale             *replay_scale;
  GtkLabel             *replay_label;
  GtkRevealer          *viewing_revealer;
  GtkLabel             *viewing_label;
  GtkBox               *sweep_slot;
  FsTracePlot          *mse_plot;
  FsPinBar             *pin_bar;
  FsPinTable           *pin_table;
  FsSweepView          *sweep_view;
  GListStore           *pins;            /* FsPinItem, oldest first */
  GListStore           *compare_rows;    /* the live run's item, then the pins */
  FsPinItem            *viewed_pin;      /* the pin the views show, or NULL */
  FsSnapshot           *viewed;          /* what the views show */
  guint64               replay_iteration; /* the checkpoint the views show... */
  gboolean              replaying;        /* ...while this is set, in the run */
  FsCheckpoint         *replay_origin;    /* whose iteration 0 is this one */
  gboolean              replay_updating;  /* the window moves the slider */
  gint64                live_row_time;    /* when the live row was last made */
  FsParams              labelled;         /* the live settings the pins' labels compare with */

  /* What the app remembers (fs-window-settings.c) and the sessions
   * (fs-window-session.c). */
  GSettings            *settings;         /* NULL when the schema is nowhere */
  GMenu                *recent_menu;      /* Open Recent's items */
  FsWindowSessionState *session_state;
  FsWindowImportState  *import_state;
};

void fs_window_show_banner          (FsWindow      *self,
                                     const char    *message);
void fs_window_show_toast           (FsWindow      *self,
                                     const char    *message);

void fs_window_actions_class_init   (GtkWidgetClass *widget_class);
void fs_window_actions_init         (FsWindow      *self);
void fs_window_update_actions       (FsWindow      *self);
/* The Open dialog's filters (GtkFileFilter), for a test to check. */
GListModel *fs_window_open_filters_new (void);
GtkFileFilter *fs_window_all_files_filter_new (void);

void fs_window_dnd_init             (FsWindow      *self);

GSettings *fs_window_settings_new       (void);
void   fs_window_settings_class_init (GtkWidgetClass *widget_class);
void   fs_window_settings_init      (FsWindow      *self);
void   fs_window_settings_dispose   (FsWindow      *self);
void   fs_window_add_recent         (FsWindow      *self,
                                     const char    *path);

void   fs_window_session_class_init (GtkWidgetClass *widget_class);
void   fs_window_session_init       (FsWindow      *self);
void   fs_window_session_dispose    (FsWindow      *self);
/* Where the matrix asked for comes from: a file, an example (example
 * set, name NULL), or a caller's matrix (example NULL), shown as name. */
void   fs_window_session_note_path  (FsWindow      *self,
                                     const char    *path);
void   fs_window_session_note_matrix (FsWindow     *self,
                                      const char   *example,
                                      const char   *name);
char  *fs_window_session_dup_last_params (FsWindow *self);
const char *fs_window_session_get_data_path (FsWindow *self);
GtkFileFilter *fs_window_session_filter_new (void);
void fs_window_data_class_init      (GtkWidgetClass *widget_class);
const char *fs_window_export_focused_name (FsWindow *self);

void   fs_window_raise_limit        (FsWindow      *self);
gboolean fs_window_send_params      (FsWindow      *self);
void   fs_window_suggest_lr         (FsWindow      *self);


void   fs_window_inspect_class_init (GtkWidgetClass *widget_class);
void   fs_window_inspect_init       (FsWindow      *self);
void   fs_window_inspect_dispose    (FsWindow      *self);
void   fs_window_inspect_set_matrix (FsWindow      *self,
                                     FsMatrix      *X);
void   fs_window_inspect_show       (FsWindow      *self);
double fs_window_inspect_take_cpu   (FsWindow      *self);

void   fs_window_export_class_init  (GtkWidgetClass *widget_class);
void   fs_window_export_init        (FsWindow      *self);

void        fs_window_tuning_class_init (GtkWidgetClass *widget_class);
void        fs_window_tuning_init       (FsWindow      *self);
void        fs_window_tuning_dispose    (FsWindow      *self);
/* A new live snapshot is shown: sets self->viewed (the live one, a pinned
 * run, or a replayed checkpoint) and the tuning widgets. */
void        fs_window_tuning_show       (FsWindow      *self);
/* The matrix changed: pins, replay and sweeps belonged to the old one. */
void        fs_window_tuning_set_matrix (FsWindow      *self);
/* Keeps snapshot (taken) as Keep does; FALSE when as many are kept as can be. */
gboolean    fs_window_tuning_add_pin    (FsWindow      *self,
                                         FsSnapshot    *snapshot,
                                         double         optimum);

void   fs_window_torch_class_init   (GtkWidgetClass *widget_class);

void   fs_window_import_class_init  (GtkWidgetClass *widget_class);
void   fs_window_import_init        (FsWindow      *self);
void   fs_window_import_dispose     (FsWindow      *self);
/* Asks the session for the file at path, read with options (NULL: those
 * remembered for the file, else automatic); by_user: a person opened it,
 * so the import sheet opens once it is in if the loader guessed. */
void   fs_window_import_open        (FsWindow               *self,
                                     const char             *path,
                                     const FsImportOptions  *options,
                                     gboolean                by_user);
/* The import sheet open, or NULL. */
FsImportSheet *fs_window_import_get_sheet (FsWindow *self);
void   fs_window_progress_class_init (GtkWidgetClass *widget_class);
void   fs_window_progress_init      (FsWindow      *self);
void   fs_window_progress_dispose   (FsWindow      *self);

guint  fs_window_speed_get_n_paces  (void);
double fs_window_speed_get_pace     (guint          index);
char  *fs_window_speed_dup_label    (guint          index,
                                     gboolean       long_form);
void   fs_window_speed_class_init   (GtkWidgetClass *widget_class);
void   fs_window_speed_init         (FsWindow      *self);

G_END_DECLS
