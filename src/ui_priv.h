/* What the dashboard's panes share: the screen state and the pane ops table. */
#ifndef QT_UI_PRIV_H
#define QT_UI_PRIV_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>

#include "layout.h"
#include "loop.h"
#include "profile.h"
#include "settings.h"
#include "vmwatch.h"

/* Semantic elements the drawing code names; themes map them to colours. */
enum ui_el {
	EL_DEFAULT, EL_BORDER, EL_BORDER_FOCUS, EL_TITLE, EL_TITLE_FOCUS,
	EL_LIST_NORMAL, EL_LIST_SELECTED, EL_LIST_SELECTED_UNFOCUSED,
	EL_STATE_RUNNING, EL_STATE_PAUSED, EL_STATE_STOPPED, EL_STATE_STARTING,
	EL_STATE_SHUTTING_DOWN, EL_STATE_CRASHED, EL_STATE_BROKEN,
	EL_STATUS_INFO, EL_STATUS_ERROR, EL_KEYBAR, EL_KEYBAR_KEY, EL_HELP,
	EL_DIALOG, EL_DIALOG_BUTTON, EL_DETAILS_LABEL, EL_DETAILS_VALUE,
	EL_SPARKLINE, EL_EVENT_TIME, EL_EVENT_NAME, EL_FILTER,
	EL_COUNT
};

struct ui;
struct pane;

/* Every pane type fills one of these (tmux's window_mode, htop's Panel). */
struct pane_ops {
	const char *name;
	void (*draw)(struct pane *p);
	/* true when the key was used; keys not used go to the dashboard's bindings.
	 * keycode: key is a KEY_* code (wget_wch said KEY_CODE_YES), not a character. */
	bool (*key)(struct pane *p, int key, bool keycode);
	void (*click)(struct pane *p, int x, int y, int button);
	void (*free)(struct pane *p);
	/* the window was made anew at p->r's size (may be NULL) */
	void (*resize)(struct pane *p);
	/* where the terminal cursor goes when this pane has focus; false hides it */
	bool (*cursor)(struct pane *p, int *y, int *x);
};

struct pane {
	const struct pane_ops *ops;
	struct ui *ui;
	WINDOW *win;
	struct layout_rect r;
	bool dirty;
	int scroll;		/* pane-specific: first visible line */
	bool framed;		/* border drawn since the window was made or focus moved */
	void *data;
};

enum dialog_kind { DIALOG_NONE, DIALOG_HELP, DIALOG_CONFIRM };

struct ui {
	struct loop *loop;
	SCREEN *screen;
	struct settings settings;
	struct theme *theme;
	attr_t attrs[EL_COUNT];
	short pairs[EL_COUNT];
	bool utf8;
	char *profiles_dir;

	struct profile_list profiles;
	struct vmwatch **vms;
	size_t nvms;
	size_t sel;		/* index into vms */
	char filter[64];
	bool filtering;

	struct layout *layout;
	struct pane *list, *details, *events;
	struct pane **consoles;	/* console panes, in the layout or not */
	size_t nconsoles;
	struct pane **sshs;	/* SSH panes, several per VM */
	size_t nsshs;
	bool events_shown;
	bool list_hidden;
	WINDOW *statuswin, *keywin;

	char status[512];
	bool status_error;
	bool dirty_all, dirty_status;
	long long last_frame;
	/* Input came since the last frame: the next one (the key's effect, or the
	 * guest's echo of it) is drawn at once instead of waiting for FRAME_MS. */
	bool input_since_frame;
	unsigned long frame_timer;
	bool quit;
	int rows, cols;

	enum dialog_kind dialog;
	char confirm[256];
	enum action confirm_action;
	size_t confirm_vm;
};

extern const struct pane_ops pane_list_ops, pane_details_ops, pane_events_ops,
    pane_console_ops, pane_ssh_ops;

/* pane_term.c: what console and SSH panes share (the owner embeds one, fills p, term
 * and send, and calls these from its pane ops). */
struct term;
struct tpane {
	struct pane *p;
	struct term *term;
	/* Bytes for the guest as they are (prefix prefix sends the prefix key). */
	void (*send)(struct tpane *tp, const char *buf, size_t len);
	bool prefix;		/* the prefix key was pressed: the next key is the dashboard's */
	bool scrolling;		/* scroll mode: keys move the view */
	bool searching;		/* typing a search in scroll mode */
	bool keep_note;		/* the note says how the pane ended: leaving scroll keeps it */
	char search[128];
	char note[200];		/* in the title: state, search results, how it ended */
};
int tpane_rows(const struct pane *p);
int tpane_cols(const struct pane *p);
void tpane_resize(struct tpane *tp);
/* what: "NAME: serial", "NAME: ssh root@..." (the title adds the note or scroll state). */
void tpane_draw(struct tpane *tp, const char *what);
bool tpane_cursor(struct tpane *tp, int *y, int *x);
/* The key after the prefix: x closes, PgUp/[ scrolls, / searches, arrows move focus,
 * the prefix itself goes to the guest, anything else is a dashboard key. */
void tpane_prefix_key(struct tpane *tp, int key, bool keycode);
/* A key in scroll mode (always used). */
bool tpane_scroll_key(struct tpane *tp, int key, bool keycode);
void tpane_leave_scroll(struct tpane *tp);
/* Mouse: 4 wheel up, 5 wheel down. */
void tpane_click(struct tpane *tp, int button);

/* pane_console.c */
struct pane *pane_console_new(struct ui *ui, struct vmwatch *vm);
const char *pane_console_vm(struct pane *p);
/* pane_ssh.c: an SSH shell into vm (NULL + status message when there is no target). */
struct pane *pane_ssh_new(struct ui *ui, struct vmwatch *vm);
const char *pane_ssh_vm(struct pane *p);
void ui_pane_close(struct ui *ui, struct pane *p);
void ui_pane_focus(struct ui *ui, struct pane *p);
/* A key the focused console did not take, as the dashboard's own. */
void ui_dashboard_key(struct ui *ui, int key);

/* Helpers the panes use (ui.c, ui_draw.c). */
void ui_mark(struct ui *ui);			/* something changed: redraw everything */
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
struct vmwatch *ui_selected(struct ui *ui);
/* VMs that pass the filter, in list order: fills idx (len nvms); returns the count. */
size_t ui_visible(struct ui *ui, size_t *idx);
bool ui_focused(struct ui *ui, struct pane *p);
attr_t ui_attr(struct ui *ui, enum ui_el el);
enum ui_el ui_state_el(const struct vmwatch *w);
/* Box with a title; focus picks the border element. */
void ui_box(struct ui *ui, struct pane *p, const char *title);
/* Start a pane's drawing: clear the inside, and draw the box only when it changed. */
void ui_frame(struct ui *ui, struct pane *p, const char *title);
/* Write text clipped to width at (y, x) in win, UTF-8 aware. */
void ui_put(WINDOW *win, int y, int x, int width, const char *text);
void ui_sparkline(struct ui *ui, WINDOW *win, int y, int x, int width,
    const double *values, int n, double max);

#endif
