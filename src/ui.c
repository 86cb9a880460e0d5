/*
 * The dashboard: screen set-up, the loop's hooks, the VM list's data, the panes (one
 * list, one constructor, placed by the layout), key routing, frames. What a key does
 * is in action.c; what a pane shows is in its pane_*.c.
 */
#include "ui.h"
#include "ui_priv.h"

#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "action.h"
#include "theme.h"
#include "util.h"

#define FRAME_MS 16

/* For the fatal and crash paths, which cannot be handed a pointer. */
static bool curses_active;

static void
curses_end(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
}

/* What was installed before us (ASan's reporter, or the default), per crash signal. */
static struct sigaction crash_prev[3];
static const int crash_sigs[3] = { SIGSEGV, SIGBUS, SIGABRT };

static void
crash_signal(int sig)
{
	size_t i;

	/* Give the user a sane terminal back, then let the previous handler report. */
	curses_end();
	for (i = 0; i < 3; i++)
		if (crash_sigs[i] == sig)
			sigaction(sig, &crash_prev[i], NULL);
	raise(sig);
}

static void
crash_handlers_install(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < 3; i++)
		sigaction(crash_sigs[i], &sa, &crash_prev[i]);
}

void
ui_mark(struct ui *ui)
{
	ui->dirty_all = true;
}

void
ui_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
	ui->dirty_status = true;
}

bool
ui_focused(struct ui *ui, struct pane *p)
{
	struct layout_cell *c = layout_focus(ui->layout);

	return c != NULL && layout_cell_pane(c) == p;
}

static bool
filter_match(struct ui *ui, struct vmwatch *w)
{
	return ui->filter[0] == '\0' || strcasestr(w->name, ui->filter) != NULL;
}

size_t
ui_visible(struct ui *ui, size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < ui->nvms; i++)
		if (filter_match(ui, ui->vms[i]))
			idx[n++] = i;
	return n;
}

struct vmwatch *
ui_selected(struct ui *ui)
{
	if (ui->nvms == 0 || ui->sel >= ui->nvms ||
	    !filter_match(ui, ui->vms[ui->sel]))
		return NULL;
	return ui->vms[ui->sel];
}

/* Keep the selection on a visible VM after the filter changed. */
static void
fix_selection(struct ui *ui)
{
	size_t *idx = xcalloc(ui->nvms + 1, sizeof *idx), n, i;

	n = ui_visible(ui, idx);
	for (i = 0; i < n; i++)
		if (idx[i] == ui->sel)
			break;
	if (i == n && n > 0)
		ui->sel = idx[0];
	free(idx);
}

void
ui_move_selection(struct ui *ui, int delta)
{
	size_t *idx = xcalloc(ui->nvms + 1, sizeof *idx), n, i;
	long pos;

	n = ui_visible(ui, idx);
	if (n == 0) {
		free(idx);
		return;
	}
	for (i = 0; i < n && idx[i] != ui->sel; i++)
		;
	pos = (long)(i == n ? 0 : i) + delta;
	if (pos < 0)
		pos = 0;
	if (pos >= (long)n)
		pos = (long)n - 1;
	ui->sel = idx[pos];
	ui->events->scroll = 0;
	free(idx);
	ui_mark(ui);
}

/* ---- VMs and profiles ---- */

static void
vm_changed(struct vmwatch *w, void *arg)
{
	struct ui *ui = arg;
	struct pane *sp;
	size_t i;

	/* ssh.auto_open: the pane's session waits for sshd itself. */
	if (w->ssh_auto_pending && w->state == VM_RUNNING) {
		w->ssh_auto_pending = false;
		action_run(ui, action_find("ssh"), w);
	} else if (w->ssh_auto_pending && !vm_state_live(w->state) &&
	    !vmwatch_busy(w))
		w->ssh_auto_pending = false;
	/* Another VM's change shows only in the list. */
	ui->list->dirty = true;
	if (w == ui_selected(ui))
		ui->details->dirty = ui->events->dirty = true;
	if (w == ui_selected(ui) && (sp = ui_pane_find(ui, &pane_snapshots_ops, NULL)) != NULL)
		sp->dirty = true;
	/* Its forwards, doctor and disks panes (a stop ends the forwards and frees the
	 * disks; another qemu-tui's change shows there within a refresh). */
	for (i = 0; i < ui->npanes; i++) {
		struct pane *p = ui->panes[i];

		if (!p->ops->terminal && p->ops->vm != NULL && strcmp(p->ops->vm(p), w->name) == 0)
			p->dirty = true;
	}
}

static void
vm_message(struct vmwatch *w, bool error, const char *text, void *arg)
{
	ui_message(arg, error, "%s", text);
}

struct vmwatch *
ui_find_vm(struct ui *ui, const char *name)
{
	size_t i;

	/* load_profiles empties slots it has taken over while it walks them. */
	for (i = 0; i < ui->nvms; i++)
		if (ui->vms[i] != NULL && strcmp(ui->vms[i]->name, name) == 0)
			return ui->vms[i];
	return NULL;
}

void
ui_load_profiles(struct ui *ui)
{
	static const struct vmwatch_hooks hooks_tmpl = { vm_changed, vm_message, NULL, NULL };
	struct vmwatch_hooks hooks = hooks_tmpl;
	struct profile_list fresh = { NULL, 0 };
	struct vmwatch **vms, *w;
	char *sel_name = NULL, *dir;
	qt_error err;
	size_t i, j;

	hooks.arg = ui;
	hooks.jobs = ui->jobs;
	if (ui_selected(ui) != NULL)
		sel_name = xstrdup(ui_selected(ui)->name);
	if ((dir = profile_dir_pick(ui->profiles_dir)) == NULL)
		ui_message(ui, true, "no profile directory: create "
		    "~/.config/qemu-tui/profiles or pass --profiles DIR");
	else if (profile_load_dir(dir, &fresh, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	free(dir);

	/* Watchers survive a reload (their QMP connection, events, history); profiles do not. */
	vms = xcalloc(fresh.n + 1, sizeof *vms);
	for (i = 0; i < fresh.n; i++) {
		if ((w = ui_find_vm(ui, fresh.items[i]->name)) != NULL) {
			vmwatch_set_profile(w, fresh.items[i]);
			for (j = 0; j < ui->nvms; j++)
				if (ui->vms[j] == w)
					ui->vms[j] = NULL;
		} else
			w = vmwatch_new(ui->loop, fresh.items[i], &hooks);
		vms[i] = w;
	}
	for (j = 0; j < ui->nvms; j++)
		vmwatch_free(ui->vms[j]);
	free(ui->vms);
	pane_list_sort(vms, fresh.n);
	profile_list_free(&ui->profiles);
	ui->profiles = fresh;
	ui->vms = vms;
	ui->nvms = fresh.n;
	ui->sel = 0;
	for (i = 0; sel_name != NULL && i < ui->nvms; i++)
		if (strcmp(ui->vms[i]->name, sel_name) == 0)
			ui->sel = i;
	free(sel_name);
	fix_selection(ui);
	/* The list's width starts again from what the new profiles need. */
	ui->list_width = 0;
	ui_place_panes(ui);
}

static void
refresh_tick(void *arg)
{
	struct ui *ui = arg;
	struct vmwatch *sel = ui_selected(ui);
	size_t i;

	for (i = 0; i < ui->nvms; i++)
		vmwatch_refresh(ui->vms[i]);
	/* The selected VM's uptime ticks. */
	if (sel != NULL && vm_state_live(sel->state))
		ui->details->dirty = true;
}

/* ---- layout ---- */

struct pane *
ui_pane_new(struct ui *ui, const struct pane_ops *ops, struct vmwatch *vm)
{
	struct pane *p = xcalloc(1, sizeof *p);
	qt_error err;

	p->ops = ops;
	p->ui = ui;
	p->dirty = true;
	if (ops->init != NULL && ops->init(p, vm, &err) == -1) {
		ui_message(ui, true, "%s", err.msg);
		free(p);
		return NULL;
	}
	ui->panes = xreallocarray(ui->panes, ui->npanes + 1, sizeof *ui->panes);
	ui->panes[ui->npanes++] = p;
	return p;
}

static void
pane_free(struct pane *p)
{
	if (p->ops->free != NULL)
		p->ops->free(p);
	if (p->win != NULL)
		delwin(p->win);
	free(p);
}

struct pane *
ui_focused_pane(struct ui *ui)
{
	struct layout_cell *c = layout_focus(ui->layout);

	return c != NULL ? layout_cell_pane(c) : NULL;
}

struct pane *
ui_pane_find(struct ui *ui, const struct pane_ops *ops, const char *vm)
{
	size_t i;

	for (i = ui->npanes; i-- > 0;) {
		struct pane *p = ui->panes[i];

		if ((ops != NULL ? p->ops == ops : p->ops->terminal) &&
		    (vm == NULL || (p->ops->vm != NULL && strcmp(p->ops->vm(p), vm) == 0)))
			return p;
	}
	return NULL;
}

static bool
terminal_open(struct ui *ui)
{
	return ui_pane_find(ui, NULL, NULL) != NULL;
}

/* Terminal panes are what the user works in: while one is open the event log keeps a
 * few lines, and the list is never wider than its widest line. */
#define EVENTS_FOLDED_ROWS 5	/* three lines and the border */

static void
set_caps(struct ui *ui)
{
	struct layout_cell *c;
	int w = pane_list_width(ui);

	/* It only grows while the profiles stay, so states changing do not shake the panes;
	 * a terminal pane opening takes back what the stages took (pane_list_width). */
	if (w > ui->list_width || terminal_open(ui))
		ui->list_width = w;
	if ((c = layout_find(ui->layout, ui->list)) != NULL)
		layout_cell_set_max(ui->layout, c, ui->list_width, 0);
	if ((c = layout_find(ui->layout, ui->events)) != NULL)
		layout_cell_set_max(ui->layout, c, 0, terminal_open(ui) ?
		    EVENTS_FOLDED_ROWS : 0);
}

/* Windows for the layout's rectangles: made anew where a rectangle changed (all of
 * them when the terminal did). */
static void
place(struct ui *ui, bool all)
{
	bool changed = all;
	size_t i;

	getmaxyx(stdscr, ui->rows, ui->cols);
	set_caps(ui);
	layout_resize(ui->layout, ui->cols, ui->rows > 2 ? ui->rows - 2 : 0);
	for (i = 0; i < ui->npanes; i++) {
		struct pane *p = ui->panes[i];
		struct layout_cell *c = layout_find(ui->layout, p);
		struct layout_rect r = { 0, 0, 0, 0 };
		bool vis = c != NULL && layout_cell_visible(c);

		if (vis)
			r = layout_cell_rect(c);
		p->framed = false;
		if (!all && (p->win != NULL) == vis && memcmp(&r, &p->r, sizeof r) == 0)
			continue;
		changed = true;
		if (p->win != NULL) {
			delwin(p->win);
			p->win = NULL;
		}
		p->r = r;
		if (vis) {
			p->win = newwin(r.h, r.w, r.y, r.x);
			if (p->ops->resize != NULL)
				p->ops->resize(p);
		}
	}
	if (ui->statuswin != NULL)
		delwin(ui->statuswin);
	if (ui->keywin != NULL)
		delwin(ui->keywin);
	ui->statuswin = ui->keywin = NULL;
	if (ui->rows >= 2) {
		ui->statuswin = newwin(1, ui->cols, ui->rows - 2, 0);
		ui->keywin = newwin(1, ui->cols, ui->rows - 1, 0);
	} else if (ui->rows == 1)
		ui->statuswin = newwin(1, ui->cols, 0, 0);
	if (changed)
		clearok(curscr, TRUE);
	ui_mark(ui);
}

void
ui_place_panes(struct ui *ui)
{
	place(ui, false);
}

void
ui_pane_focus(struct ui *ui, struct pane *p)
{
	struct layout_cell *c = layout_find(ui->layout, p);

	if (c != NULL) {
		layout_set_focus(ui->layout, c);
		ui_place_panes(ui);
	}
}

struct pane *
ui_pane_open(struct ui *ui, const struct pane_ops *ops, struct vmwatch *vm,
    struct layout_cell *anchor, enum layout_split how, int percent)
{
	struct pane *p;
	struct layout_cell *at;

	if ((p = ui_pane_new(ui, ops, vm)) == NULL)
		return NULL;
	at = layout_split(ui->layout, anchor, how, percent, LAYOUT_PERCENT, p);
	layout_set_focus(ui->layout, at);
	ui_place_panes(ui);
	return p;
}

int
ui_pane_hide(struct ui *ui, struct pane *p)
{
	struct layout_cell *c = layout_find(ui->layout, p);

	if (c == NULL || layout_close(ui->layout, c) == -1)
		return -1;
	if (p->win != NULL) {
		delwin(p->win);
		p->win = NULL;
	}
	ui_place_panes(ui);
	return 0;
}

void
ui_pane_close(struct ui *ui, struct pane *p)
{
	struct layout_cell *c = layout_find(ui->layout, p);
	size_t i;

	if (c != NULL)
		layout_close(ui->layout, c);
	for (i = 0; i < ui->npanes; i++) {
		if (ui->panes[i] == p) {
			memmove(&ui->panes[i], &ui->panes[i + 1],
			    (ui->npanes - i - 1) * sizeof *ui->panes);
			ui->npanes--;
			break;
		}
	}
	pane_free(p);
	ui_place_panes(ui);
}

static void
on_resize(int sig, void *arg)
{
	struct ui *ui = arg;
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	place(ui, true);
}

/* ---- drawing ---- */

static void
draw_status(struct ui *ui)
{
	WINDOW *w = ui->statuswin;

	if (w == NULL)
		return;
	wbkgdset(w, ' ' | ui_attr(ui, EL_STATUS_INFO));
	werase(w);
	/* A kept filter is in the list's title; the line goes back to jobs and messages. */
	if (ui->filtering) {
		char text[128];

		wattrset(w, ui_attr(ui, EL_FILTER));
		snprintf(text, sizeof text, "/%s_  (Enter: keep, Esc: clear)", ui->filter);
		ui_put(w, 0, 0, ui->cols, text);
	} else {
		char jobs[400], key[16];
		int x = 0;

		/* Running jobs first, with the key that cancels the newest; the last
		 * message after them. */
		jobs_describe(ui->jobs, jobs, sizeof jobs);
		if (jobs[0] != '\0') {
			size_t len = strlen(jobs);

			snprintf(jobs + len, sizeof jobs - len, " [%s cancels]",
			    ui_key_for(ui, "cancel-job", key, sizeof key));
			wattrset(w, ui_attr(ui, EL_STATUS_INFO) | A_BOLD);
			ui_put(w, 0, 0, ui->cols, jobs);
			x = (int)strlen(jobs) + 2;
		}
		if (ui->status[0] != '\0' && x < ui->cols) {
			wattrset(w, ui_attr(ui, ui->status_error ? EL_STATUS_ERROR :
			    EL_STATUS_INFO));
			ui_put(w, 0, x, ui->cols - x, ui->status);
		}
	}
	wnoutrefresh(w);
}

/* The key bar: the actions with a label, in the table's order, with their first key. */
static void
draw_keybar(struct ui *ui)
{
	WINDOW *w = ui->keywin;
	char key[40];
	int a, x = 0;

	if (w == NULL)
		return;
	wbkgdset(w, ' ' | ui_attr(ui, EL_KEYBAR));
	werase(w);
	for (a = 0; a < action_count() && x < ui->cols; a++) {
		const char *label = action_label(a);

		if (label == NULL)
			continue;
		settings_key_for(&ui->settings, a, key, sizeof key);
		wattrset(w, ui_attr(ui, EL_KEYBAR_KEY));
		ui_put(w, 0, x + 1, ui->cols - x - 1, key);
		x += 1 + (int)strlen(key);
		wattrset(w, ui_attr(ui, EL_KEYBAR));
		ui_put(w, 0, x + 1, ui->cols - x - 1, label);
		x += 2 + (int)strlen(label);
	}
	wnoutrefresh(w);
}

/* The real cursor belongs to a focused live console; everywhere else it is hidden. */
static void
place_cursor(struct ui *ui)
{
	struct layout_cell *c = layout_focus(ui->layout);
	struct pane *p = c ? layout_cell_pane(c) : NULL;
	int y, x;

	if (ui->dialog == DIALOG_NONE && p != NULL && p->win != NULL &&
	    p->ops->cursor != NULL && p->ops->cursor(p, &y, &x)) {
		wmove(p->win, y, x);
		wnoutrefresh(p->win);
		curs_set(1);
	} else
		curs_set(0);
}

static void
draw_frame(struct ui *ui)
{
	struct layout_cell *c;

	for (c = layout_first(ui->layout); c != NULL; c = layout_next(c)) {
		struct pane *p = layout_cell_pane(c);

		if (p->win == NULL || !layout_cell_visible(c) ||
		    (!p->dirty && !ui->dirty_all))
			continue;
		p->ops->draw(p);
		p->dirty = false;
		wnoutrefresh(p->win);
	}
	if (ui->dirty_all || ui->dirty_status)
		draw_status(ui);
	if (ui->dirty_all)
		draw_keybar(ui);
	if (ui->dialog != DIALOG_NONE)
		ui_dialog_draw(ui);
	place_cursor(ui);
	doupdate();
	ui->dirty_all = ui->dirty_status = false;
	ui->last_frame = now_ms();
}

static void
frame_due(void *arg)
{
	struct ui *ui = arg;

	ui->frame_timer = 0;
}

static bool
any_pane_dirty(struct ui *ui)
{
	struct layout_cell *c;

	for (c = layout_first(ui->layout); c != NULL; c = layout_next(c))
		if (((struct pane *)layout_cell_pane(c))->dirty)
			return true;
	return false;
}

/* Once per loop turn: at most one frame, at most one every FRAME_MS except
 * the first after input (typing is far slower than a flood). */
static void
idle(void *arg)
{
	struct ui *ui = arg;
	long long wait;

	if (!ui->dirty_all && !ui->dirty_status && !any_pane_dirty(ui))
		return;
	/* A longer state or name widens the list (up to its share). */
	if ((ui->list->dirty || ui->dirty_all) && pane_list_width(ui) > ui->list_width)
		ui_place_panes(ui);
	wait = ui->last_frame + FRAME_MS - now_ms();
	if (wait > 0 && !ui->input_since_frame) {
		if (ui->frame_timer == 0)
			ui->frame_timer = loop_timer_add(ui->loop, (long)wait, 0,
			    frame_due, ui);
		return;
	}
	ui->input_since_frame = false;
	draw_frame(ui);
}

/* ---- actions ---- */

size_t
ui_running_count(struct ui *ui, char *names, size_t len)
{
	size_t i, n = 0, off = 0;

	if (len > 0)
		names[0] = '\0';
	for (i = 0; i < ui->nvms; i++) {
		enum vm_state s = ui->vms[i]->state;

		/* Still making its disks: a quit cancels that, nothing keeps running. */
		if (!vm_state_live(s) || vmwatch_preparing(ui->vms[i]))
			continue;
		n++;
		if (off < len)
			off += (size_t)snprintf(names + off, len - off, "%s%s",
			    off ? ", " : "", ui->vms[i]->name);
	}
	return n;
}

/* Disks still being made at quit: qemu-img is ended and its temporary file
 * removed before the loop goes (it takes milliseconds; 3 s at most). */
static bool
any_preparing(struct ui *ui)
{
	size_t i;

	for (i = 0; i < ui->nvms; i++)
		if (vmwatch_preparing(ui->vms[i]))
			return true;
	return false;
}

static void
end_preparations(struct ui *ui)
{
	long long until = now_ms() + 3000;
	qt_error err;
	size_t i;

	for (i = 0; i < ui->nvms; i++)
		if (vmwatch_preparing(ui->vms[i]))
			vmwatch_stop(ui->vms[i], false, &err);	/* cancels it */
	while (any_preparing(ui) && now_ms() < until)
		loop_run_once(ui->loop, 100);
}

const char *
ui_key_for(struct ui *ui, const char *name, char *buf, size_t len)
{
	return settings_key_for(&ui->settings, action_find(name), buf, len);
}

static void
filter_key(struct ui *ui, int key)
{
	size_t len = strlen(ui->filter);

	if (key == 27) {
		ui->filter[0] = '\0';
		ui->filtering = false;
	} else if (key == '\r' || key == '\n' || key == KEY_ENTER)
		ui->filtering = false;
	else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (len > 0)
			ui->filter[len - 1] = '\0';
	} else if (key >= 32 && key < 127 && len + 1 < sizeof ui->filter) {
		ui->filter[len] = (char)key;
		ui->filter[len + 1] = '\0';
	}
	fix_selection(ui);
	ui_mark(ui);
}

static void
mouse_event(struct ui *ui)
{
	struct layout_cell *c;
	MEVENT ev;
	struct pane *p;

	if (getmouse(&ev) != OK)
		return;
	if ((c = layout_leaf_at(ui->layout, ev.x, ev.y)) == NULL)
		return;
	p = layout_cell_pane(c);
	layout_set_focus(ui->layout, c);
	if (p->ops->click != NULL) {
		int button = ev.bstate & BUTTON4_PRESSED ? 4 :
		    ev.bstate & BUTTON5_PRESSED ? 5 : 1;

		p->ops->click(p, ev.x - p->r.x, ev.y - p->r.y, button);
	}
	ui_mark(ui);
}

/* A key for the dashboard's bindings; prefixed: it came after the prefix key. */
static void
dashboard_key(struct ui *ui, int key, bool prefixed)
{
	if (key == 27 && ui->filter[0] != '\0') {
		ui->filter[0] = '\0';
		ui_mark(ui);
		return;
	}
	action_run(ui, prefixed ? settings_action_prefixed(&ui->settings, key) :
	    settings_action(&ui->settings, key), NULL);
}

static void
key_event(struct ui *ui, int key, bool keycode)
{
	struct pane *p;
	enum pane_key r = PANE_KEY_IGNORED;

	if (ui->dialog == DIALOG_FORM) {
		ui_form_key(ui, key, keycode);
		return;
	}
	if (ui->dialog != DIALOG_NONE) {
		ui_dialog_key(ui, key);
		return;
	}
	if (ui->filtering) {
		filter_key(ui, key);
		return;
	}
	if (key == KEY_MOUSE) {
		mouse_event(ui);
		return;
	}
	if ((p = ui_focused_pane(ui)) != NULL && p->ops->key != NULL)
		r = p->ops->key(p, key, keycode);
	switch (r) {
	case PANE_KEY_HANDLED:
		break;
	case PANE_KEY_CLOSE:
		ui_pane_close(ui, p);
		break;
	case PANE_KEY_IGNORED:
	case PANE_KEY_DASHBOARD:
		dashboard_key(ui, key, r == PANE_KEY_DASHBOARD);
		break;
	}
}

static void
stdin_ready(int fd, short revents, void *arg)
{
	struct ui *ui = arg;
	wint_t wc;
	int r;

	if (revents & (POLLHUP | POLLERR)) {
		ui->quit = true;
		loop_stop(ui->loop);
		return;
	}
	while ((r = wget_wch(stdscr, &wc)) != ERR) {
		ui->input_since_frame = true;
		if (r == KEY_CODE_YES && wc == KEY_RESIZE)
			on_resize(SIGWINCH, ui);
		else
			key_event(ui, (int)wc, r == KEY_CODE_YES);
		if (ui->quit) {
			loop_stop(ui->loop);
			return;
		}
	}
}

/* A job came, moved or went: the status line shows it. */
static void
jobs_changed(void *arg)
{
	struct ui *ui = arg;

	ui->dirty_status = true;
}

static void
on_term(int sig, void *arg)
{
	struct ui *ui = arg;

	ui->quit = true;
	loop_stop(ui->loop);
}

/* ---- theme ---- */

static const char *const el_names[EL_COUNT] = {
	"default", "border", "border.focus", "title", "title.focus",
	"list.normal", "list.selected", "list.selected.unfocused",
	"state.running", "state.paused", "state.stopped", "state.starting",
	"state.shutting_down", "state.crashed", "state.broken",
	"status.info", "status.error", "keybar", "keybar.key", "help",
	"dialog", "dialog.button", "details.label", "details.value",
	"sparkline", "event.time", "event.name", "filter",
};

attr_t
ui_attr(struct ui *ui, enum ui_el el)
{
	return el < EL_COUNT ? ui->attrs[el] : A_NORMAL;
}

static void
apply_theme(struct ui *ui, const char *name)
{
	qt_error err;
	size_t i;

	if ((ui->theme = theme_load(name, &err)) == NULL) {
		ui_message(ui, true, "theme: %s; using the built-in one", err.msg);
		ui->theme = theme_builtin();
	} else if (theme_error_count(ui->theme) > 0)
		ui_message(ui, true, "theme: %s", theme_error(ui->theme, 0));
	/* caps NULL: COLORS, $COLORTERM and $NO_COLOR decide. */
	theme_apply(ui->theme, NULL);
	for (i = 0; i < EL_COUNT; i++) {
		int e = theme_element_find(el_names[i]), pair;

		if (e < 0)
			continue;
		pair = theme_pair(ui->theme, (enum theme_element)e);
		ui->attrs[i] = theme_attr(ui->theme, (enum theme_element)e) |
		    (pair > 0 && pair < 256 ? COLOR_PAIR(pair) : 0);
	}
}

/* ---- run ---- */

int
ui_run(const struct ui_options *opts)
{
	struct ui ui;
	char *cfg;
	size_t n, i;
	char names[512];

	memset(&ui, 0, sizeof ui);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "qemu-tui: the dashboard needs a terminal; use a "
		    "command (qemu-tui --help) in scripts\n");
		return 2;
	}
	settings_defaults(&ui.settings);
	cfg = opts->config ? xstrdup(opts->config) : settings_path();
	settings_load(&ui.settings, cfg, opts->config != NULL);
	free(cfg);
	ui.profiles_dir = opts->profiles_dir ? xstrdup(opts->profiles_dir) : NULL;
	ui.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	if ((ui.screen = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "qemu-tui: cannot use terminal type \"%s\": set TERM\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	curses_active = true;
	fatal_set_hook(curses_end);
	crash_handlers_install();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED |
	    BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	apply_theme(&ui, opts->theme ? opts->theme : ui.settings.theme);
	if (ui.settings.errors != NULL) {
		char *nl = strchr(ui.settings.errors, '\n');

		ui_message(&ui, true, "%.*s", nl ? (int)(nl - ui.settings.errors) :
		    (int)strlen(ui.settings.errors), ui.settings.errors);
	}

	ui.loop = loop_new();
	ui.jobs = jobs_new(ui.loop, jobs_changed, &ui);
	ui.list = ui_pane_new(&ui, &pane_list_ops, NULL);
	ui.details = ui_pane_new(&ui, &pane_details_ops, NULL);
	ui.events = ui_pane_new(&ui, &pane_events_ops, NULL);
	ui.layout = layout_new(ui.list);
	layout_set_gap(ui.layout, 0);
	layout_split(ui.layout, layout_first(ui.layout), LAYOUT_LEFTRIGHT, 62,
	    LAYOUT_PERCENT, ui.details);
	layout_split(ui.layout, layout_find(ui.layout, ui.details),
	    LAYOUT_TOPBOTTOM, 40, LAYOUT_PERCENT, ui.events);
	ui_load_profiles(&ui);
	if (ui.status[0] == '\0')
		ui_message(&ui, false, "%zu profile%s; ? for help", ui.nvms,
		    ui.nvms == 1 ? "" : "s");

	loop_io_add(ui.loop, STDIN_FILENO, POLLIN, stdin_ready, &ui);
	loop_signal(ui.loop, SIGWINCH, on_resize, &ui);
	loop_signal(ui.loop, SIGTERM, on_term, &ui);
	loop_signal(ui.loop, SIGHUP, on_term, &ui);
	loop_timer_add(ui.loop, 1000, 1, refresh_tick, &ui);
	loop_set_idle(ui.loop, idle, &ui);
	loop_run(ui.loop);
	end_preparations(&ui);
	/* No qemu-img outlives the dashboard, nor a temporary file of its. */
	jobs_drain(ui.jobs, 3000);

	n = ui_running_count(&ui, names, sizeof names);
	curses_end();
	fatal_set_hook(NULL);
	if (n > 0)
		printf("qemu-tui: %zu VM%s keep%s running: %s. Run qemu-tui to see "
		    "them again.\n", n, n == 1 ? "" : "s", n == 1 ? "s" : "", names);
	ui_form_close(&ui);
	for (i = 0; i < ui.nvms; i++)
		vmwatch_free(ui.vms[i]);
	free(ui.vms);
	profile_list_free(&ui.profiles);
	/* Every pane, on screen or hidden, is in ui.panes. */
	layout_free(ui.layout, NULL);
	for (i = 0; i < ui.npanes; i++)
		pane_free(ui.panes[i]);
	free(ui.panes);
	if (ui.statuswin)
		delwin(ui.statuswin);
	if (ui.keywin)
		delwin(ui.keywin);
	theme_free(ui.theme);
	jobs_free(ui.jobs);
	loop_free(ui.loop);
	settings_free(&ui.settings);
	free(ui.profiles_dir);
	delscreen(ui.screen);
	return 0;
}
