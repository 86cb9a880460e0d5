/* What the dashboard's panes share: the screen state and the pane ops table. */
#ifndef QT_UI_PRIV_H
#define QT_UI_PRIV_H

#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <stdbool.h>

#include "jobs.h"
#include "layout.h"
#include "loop.h"
#include "profile.h"
#include "settings.h"
#include "util.h"
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

/* What a pane's key handler did with a key; the dashboard acts on it. */
enum pane_key {
	PANE_KEY_HANDLED,	/* used */
	PANE_KEY_IGNORED,	/* not used: the dashboard's bindings get it */
	PANE_KEY_CLOSE,		/* close this pane */
	PANE_KEY_DASHBOARD,	/* came after the prefix key: the dashboard's (prefix bindings first) */
};

/* Every pane type fills one of these (tmux's window_mode, htop's Panel); ui.c knows
 * panes only through it. Entries other than name and draw may be NULL. */
struct pane_ops {
	const char *name;
	/* A terminal pane (console, SSH): the user works in it, so it gets the room;
	 * close-pane closes it; actions marked so act on its VM. */
	bool terminal;
	/* Make p->data for vm (NULL for the dashboard's own panes); -1 and err when the
	 * pane cannot be made (the constructor shows err). */
	int (*init)(struct pane *p, struct vmwatch *vm, qt_error *err);
	void (*free)(struct pane *p);
	/* the window was made anew at p->r's size */
	void (*resize)(struct pane *p);
	void (*draw)(struct pane *p);
	/* keycode: key is a KEY_* code (wget_wch said KEY_CODE_YES), not a character */
	enum pane_key (*key)(struct pane *p, int key, bool keycode);
	void (*click)(struct pane *p, int x, int y, int button);
	/* where the terminal cursor goes when this pane has focus; false hides it */
	bool (*cursor)(struct pane *p, int *y, int *x);
	/* the name of the VM the pane belongs to */
	const char *(*vm)(struct pane *p);
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

enum dialog_kind { DIALOG_NONE, DIALOG_HELP, DIALOG_CONFIRM, DIALOG_PROMPT,
	DIALOG_FORM,		/* ui_form.c: new VM, clone, rename, delete's disks */
};
struct ui_form;

/* What a confirmation's yes runs. */
typedef void (*ui_confirmed_fn)(struct ui *ui, struct vmwatch *vm);
/* What a prompt's Enter runs, with the text typed. */
typedef void (*ui_prompted_fn)(struct ui *ui, struct vmwatch *vm, const char *text);

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
	struct vmwatch **vms;	/* in the list's order: profile names, natural order */
	size_t nvms;
	size_t sel;		/* index into vms */
	char filter[64];
	bool filtering;

	struct layout *layout;
	/* Every pane, shown or not, oldest first; list, details and events are the
	 * dashboard's own and always there. */
	struct pane **panes;
	size_t npanes;
	struct pane *list, *details, *events;
	int list_width;		/* the list's widest line so far (its maximum width) */
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
	ui_confirmed_fn confirm_fn;
	char confirm_vm[128];	/* the VM it is about, by name ("" for none) */
	/* DIALOG_PROMPT: the question in confirm, the VM in confirm_vm */
	char prompt_text[128];	/* typed so far */
	bool prompt_fresh;	/* still the suggestion: the first key replaces it */
	ui_prompted_fn prompt_fn;
	struct ui_form *form;	/* DIALOG_FORM's (ui_form.c) */
	int help_top;		/* DIALOG_HELP taller than the screen: its first action shown */
	bool help_scrolls;	/* it is (drawn so by the last frame) */

	/* qemu-img work started here (jobs.h): in the status line, X cancels. */
	struct jobs *jobs;
};

extern const struct pane_ops pane_list_ops, pane_details_ops, pane_events_ops,
    pane_console_ops, pane_ssh_ops;
extern const struct pane_ops pane_disks_ops;

/* pane_disks.c: the disks pane of vm (opened, or moved to vm and read again), and
 * what its keys do to the drive (or snapshot) under its cursor. */
void pane_disks_show(struct ui *ui, struct vmwatch *vm);
enum disk_op { DISK_RESIZE, DISK_CONVERT, DISK_SNAP_CREATE, DISK_SNAP_APPLY,
    DISK_SNAP_DELETE };
void pane_disks_act(struct ui *ui, enum disk_op op);
extern const struct pane_ops pane_snapshots_ops;
extern const struct pane_ops pane_forwards_ops, pane_doctor_ops;

/* pane_term.c: a terminal pane, what console and SSH panes share. The owner embeds a
 * struct tpane first in its data, fills it with tpane_init and calls these from its
 * pane ops. Keys: the prefix key gives the next one to the dashboard; scroll mode
 * (tmux's copy mode, with search) is the pane's own; other keys go to hooks->input. */
struct term;
struct tpane_scroll;
struct tpane;
struct tpane_hooks {
	/* bytes for the guest as they are (prefix prefix sends the prefix key) */
	void (*send)(struct tpane *tp, const char *buf, size_t len);
	/* a key for the guest (live, no prefix) */
	enum pane_key (*input)(struct tpane *tp, int key, bool keycode);
};
struct tpane {
	struct pane *p;
	struct term *term;
	const struct tpane_hooks *hooks;
	bool prefix;			/* the prefix key was pressed */
	struct tpane_scroll *scroll;	/* scroll mode, NULL while live */
	bool keep_note;		/* the note says how the pane ended: leaving scroll keeps it */
	char note[200];		/* in the title: state, search results, how it ended */
	/* Broadcast input (tmux's synchronize-panes): what is typed live in a receiver
	 * goes to every receiver; the prefix key and scroll mode stay the focused
	 * pane's own. */
	bool receiver;
	bool mirroring;		/* a key typed in another receiver is being given to this
				 * pane: a pane's own questions (SSH host key) do not take it */
};
void tpane_init(struct tpane *tp, struct pane *p, struct term *term,
    const struct tpane_hooks *hooks);
void tpane_free(struct tpane *tp);
int tpane_rows(const struct pane *p);
int tpane_cols(const struct pane *p);
void tpane_resize(struct tpane *tp);
/* what: "NAME: serial", "NAME: ssh root@..." (the title adds the note or scroll state). */
void tpane_draw(struct tpane *tp, const char *what);
bool tpane_cursor(struct tpane *tp, int *y, int *x);
enum pane_key tpane_key(struct tpane *tp, int key, bool keycode);
/* Back to the live screen (scroll mode ends). */
void tpane_live(struct tpane *tp);
/* Mouse: 4 wheel up, 5 wheel down. */
void tpane_click(struct tpane *tp, int button);
/* Broadcast: mark or unmark a terminal pane as a receiver; unmark every one. */
void tpane_set_receiver(struct pane *p, bool on);
void tpane_broadcast_off(struct ui *ui);
/* How many panes receive, their VMs' names (comma-separated) into names. */
size_t tpane_receivers(struct ui *ui, char *names, size_t len);

/* pane_list.c: order VMs as the list shows them (profile names, natural order). */
void pane_list_sort(struct vmwatch **vms, size_t n);
/* The widest line the list needs now, borders included. */
int pane_list_width(struct ui *ui);

/* ui.c: panes. One constructor for every type: NULL (and the reason in the status
 * line) when ops->init fails. Opened panes are split off anchor and focused. */
struct pane *ui_pane_new(struct ui *ui, const struct pane_ops *ops, struct vmwatch *vm);
struct pane *ui_pane_open(struct ui *ui, const struct pane_ops *ops,
    struct vmwatch *vm, struct layout_cell *anchor, enum layout_split how, int percent);
void ui_pane_close(struct ui *ui, struct pane *p);
void ui_pane_focus(struct ui *ui, struct pane *p);
/* Take p off the screen (it lives on in ui->panes); -1 when it is the last one. */
int ui_pane_hide(struct ui *ui, struct pane *p);
struct pane *ui_focused_pane(struct ui *ui);
/* The newest pane of type ops (NULL: any terminal pane) for vm (NULL: any VM). */
struct pane *ui_pane_find(struct ui *ui, const struct pane_ops *ops, const char *vm);
/* Windows made anew for the layout's rectangles (after any layout change). */
void ui_place_panes(struct ui *ui);

/* ui.c: the rest the actions use. */
void ui_load_profiles(struct ui *ui);
struct vmwatch *ui_find_vm(struct ui *ui, const char *name);
void ui_move_selection(struct ui *ui, int delta);
/* VMs not stopped: their count, and their names into names. */
size_t ui_running_count(struct ui *ui, char *names, size_t len);
/* The first key bound to the action called name ("s"), for messages. */
const char *ui_key_for(struct ui *ui, const char *name, char *buf, size_t len);
/* ui_dialog.c: ask yes/no; yes runs fn(ui, vm) (vm looked up again by name). */
void ui_ask(struct ui *ui, ui_confirmed_fn fn, struct vmwatch *vm, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* ui_dialog.c: ask for a line of text (initial: a suggestion, which Enter takes and
 * the first key typed replaces); Enter with text runs fn(ui, vm, text), Esc cancels. */
void ui_prompt(struct ui *ui, ui_prompted_fn fn, struct vmwatch *vm, const char *initial,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void ui_dialog_draw(struct ui *ui);
/* ui_form.c: the new-VM form; a new name for a clone or a rename; after delete's
 * confirmation, the question about the disks. Keys and drawing while DIALOG_FORM. */
void ui_form_new_vm(struct ui *ui);
void ui_form_clone(struct ui *ui, struct vmwatch *vm);
void ui_form_rename(struct ui *ui, struct vmwatch *vm);
void ui_form_delete(struct ui *ui, struct vmwatch *vm);
void ui_form_key(struct ui *ui, int key, bool keycode);
void ui_form_draw(struct ui *ui);
void ui_form_close(struct ui *ui);
void ui_dialog_key(struct ui *ui, int key);

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

/* ui_list.c: a list of rows in a pane (disks, forwards, doctor, snapshots). */
struct ui_list {
	size_t sel;		/* the selected row */
	size_t first;		/* the first row drawn */
};
/* The moving keys a list takes; the others stay the dashboard's. */
enum {
	UI_LIST_LINES = 1,	/* Up/k, Down/j: the selection */
	UI_LIST_HOME = 2,	/* Home/g: the first row */
	UI_LIST_PAGES = 4,	/* PgUp/PgDn: the view, 5 rows */
};
/* A moving key among keys over n rows: true when it was one. */
bool ui_list_key(struct ui_list *l, size_t n, unsigned keys, int key, bool keycode);
/* The rows changed: sel and first below n. */
void ui_list_fit(struct ui_list *l, size_t n);
/* first for visible rows: sel drawn last once it is past the first page. */
void ui_list_follow(struct ui_list *l, size_t visible);
/* A row's colour: the selection's (focused or not), else normal. */
attr_t ui_list_attr(struct pane *p, bool selected, enum ui_el normal);
/* One row at *y from column x, formatted and clipped to the pane; nothing at or
 * past row limit; *y moves on. */
void ui_list_line(struct pane *p, int *y, int limit, int x, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
