/*
 * A serial console pane: the VM's serial port as a terminal (term.c) inside the
 * dashboard. Every key goes to the guest except the prefix key (settings, C-b by
 * default), after which one key is the dashboard's, and QEMU's own habit C-a x.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "term.h"

struct cpane {
	struct pane *p;
	char *name;
	struct console *con;
	struct term *term;
	bool prefix;		/* the prefix key was pressed: next key is the dashboard's */
	bool ctrl_a;		/* C-a was pressed: x leaves, C-a sends one C-a */
	bool scrolling;		/* scroll mode: keys move the view */
	bool searching;		/* typing a search in scroll mode */
	char search[128];
	char note[160];		/* shown in the title: closed, search results */
	bool closed;
};

#define CTRL(c) ((c) & 0x1f)

static void
term_out(const char *buf, size_t len, void *arg)
{
	struct cpane *cp = arg;

	/* libvterm answers the guest's queries (CSI 6n) and sends translated keys. */
	if (cp->con != NULL)
		console_write(cp->con, buf, len);
}

static void
con_data(const char *buf, size_t len, void *arg)
{
	struct cpane *cp = arg;

	term_feed(cp->term, buf, len);
	cp->p->dirty = true;
}

static void
con_closed(const char *why, void *arg)
{
	struct cpane *cp = arg;
	char pfx[16];

	cp->closed = true;
	settings_keyname(cp->p->ui->settings.prefix, pfx, sizeof pfx);
	snprintf(cp->note, sizeof cp->note, "%s; %s x closes", why, pfx);
	cp->p->dirty = true;
}

static int
inner_rows(const struct pane *p)
{
	return p->r.h > 2 ? p->r.h - 2 : 1;
}

static int
inner_cols(const struct pane *p)
{
	return p->r.w > 2 ? p->r.w - 2 : 1;
}

struct pane *
pane_console_new(struct ui *ui, struct vmwatch *vm)
{
	static const struct term_callbacks tcb = { term_out, NULL, NULL };
	struct console_hooks hooks = { con_data, con_closed, NULL };
	struct cpane *cp = xcalloc(1, sizeof *cp);
	struct pane *p = xcalloc(1, sizeof *p);
	qt_error err;

	p->ops = &pane_console_ops;
	p->ui = ui;
	p->dirty = true;
	p->data = cp;
	cp->p = p;
	cp->name = xstrdup(vm->name);
	/* The real size comes with the first resize; 24x80 until then. */
	cp->term = term_new(24, 80, ui->settings.scrollback, &tcb, cp);
	hooks.arg = cp;
	if ((cp->con = console_open(ui->loop, vm->name, &hooks, &err)) == NULL) {
		ui_message(ui, true, "%s", err.msg);
		term_free(cp->term);
		free(cp->name);
		free(cp);
		free(p);
		return NULL;
	}
	return p;
}

const char *
pane_console_vm(struct pane *p)
{
	return ((struct cpane *)p->data)->name;
}

static void
console_resize(struct pane *p)
{
	struct cpane *cp = p->data;

	term_resize(cp->term, inner_rows(p), inner_cols(p));
	term_touch(cp->term);
}

static void
console_draw(struct pane *p)
{
	struct cpane *cp = p->data;
	struct ui *ui = p->ui;
	char title[256];
	int off = term_scroll(cp->term, 0);

	if (cp->searching)
		snprintf(title, sizeof title, "%s: serial  search: %s_", cp->name, cp->search);
	else if (off > 0 || cp->scrolling)
		snprintf(title, sizeof title, "%s: serial  [scroll -%d, q leaves%s%s]",
		    cp->name, off, cp->note[0] ? "; " : "", cp->note);
	else
		snprintf(title, sizeof title, "%s: serial%s%s%s", cp->name,
		    cp->note[0] ? "  [" : "", cp->note, cp->note[0] ? "]" : "");
	if (ui->dirty_all || !p->framed) {
		werase(p->win);
		ui_box(ui, p, title);
		p->framed = true;
		term_touch(cp->term);
	} else
		ui_box(ui, p, title);
	term_draw(cp->term, p->win, 1, 1, ui_focused(ui, p));
}

static bool
console_cursor(struct pane *p, int *y, int *x)
{
	struct cpane *cp = p->data;
	int row, col;

	if (cp->closed || cp->scrolling || term_scroll(cp->term, 0) > 0 ||
	    !term_cursor(cp->term, &row, &col))
		return false;
	*y = row + 1;
	*x = col + 1;
	return true;
}

static void
leave_scroll(struct cpane *cp)
{
	cp->scrolling = cp->searching = false;
	cp->note[0] = cp->closed ? cp->note[0] : '\0';
	term_search_clear(cp->term);
	term_scroll_reset(cp->term);
}

static bool
scroll_key(struct cpane *cp, int key, bool keycode)
{
	int page = inner_rows(cp->p) - 1;

	if (cp->searching) {
		size_t len = strlen(cp->search);

		if (key == 27) {
			cp->searching = false;
		} else if (key == '\r' || key == '\n' || (keycode && key == KEY_ENTER)) {
			cp->searching = false;
			if (term_search(cp->term, cp->search, -1) == -1)
				snprintf(cp->note, sizeof cp->note, "\"%s\" not found", cp->search);
			else
				cp->note[0] = '\0';
		} else if ((keycode && key == KEY_BACKSPACE) || key == 127 || key == 8) {
			if (len > 0)
				cp->search[len - 1] = '\0';
		} else if (!keycode && key >= 32 && len + 4 < sizeof cp->search) {
			char mb[8];
			int n = wctomb(mb, (wchar_t)key);

			if (n > 0 && len + (size_t)n < sizeof cp->search) {
				memcpy(cp->search + len, mb, (size_t)n);
				cp->search[len + (size_t)n] = '\0';
			}
		}
		return true;
	}
	if (keycode) {
		switch (key) {
		case KEY_PPAGE: term_scroll(cp->term, page); return true;
		case KEY_NPAGE: term_scroll(cp->term, -page); break;
		case KEY_UP: term_scroll(cp->term, 1); return true;
		case KEY_DOWN: term_scroll(cp->term, -1); break;
		case KEY_HOME: term_scroll(cp->term, 1 << 30); return true;
		case KEY_END: leave_scroll(cp); return true;
		default: return true;
		}
		if (term_scroll(cp->term, 0) == 0 && !cp->search[0])
			leave_scroll(cp);
		return true;
	}
	switch (key) {
	case 'q':
	case 27:
		leave_scroll(cp);
		break;
	case '/':
	case '?':
		cp->searching = true;
		cp->search[0] = '\0';
		break;
	case 'n':
		if (cp->search[0] && term_search(cp->term, cp->search, -1) == -1)
			snprintf(cp->note, sizeof cp->note, "no earlier \"%s\"", cp->search);
		break;
	case 'N':
		if (cp->search[0] && term_search(cp->term, cp->search, 1) == -1)
			snprintf(cp->note, sizeof cp->note, "no later \"%s\"", cp->search);
		break;
	case 'k':
		term_scroll(cp->term, 1);
		break;
	case 'j':
		term_scroll(cp->term, -1);
		break;
	}
	return true;
}

static bool
console_key(struct pane *p, int key, bool keycode)
{
	struct cpane *cp = p->data;
	struct ui *ui = p->ui;
	char byte;

	/* A key that only goes to the guest leaves the pane clean: nothing shows
	 * until the echo, and a frame drawn now would hold the echo's frame back
	 * by the frame pacing (16 ms). Everything else here changes the screen. */
	if (cp->prefix) {
		p->dirty = true;
		cp->prefix = false;
		if (!keycode && key == ui->settings.prefix) {
			byte = (char)key;
			console_write(cp->con, &byte, 1);
		} else if (!keycode && key == 'x') {
			ui_pane_close(ui, p);
		} else if ((keycode && key == KEY_PPAGE) || (!keycode && key == '[')) {
			cp->scrolling = true;
			if (keycode)
				term_scroll(cp->term, inner_rows(p) - 1);
		} else if (!keycode && key == '/') {
			cp->scrolling = cp->searching = true;
			cp->search[0] = '\0';
		} else if (keycode && (key == KEY_LEFT || key == KEY_RIGHT ||
		    key == KEY_UP || key == KEY_DOWN)) {
			layout_focus_dir(ui->layout, key == KEY_LEFT ? LAYOUT_LEFT :
			    key == KEY_RIGHT ? LAYOUT_RIGHT : key == KEY_UP ? LAYOUT_UP :
			    LAYOUT_DOWN);
			ui_mark(ui);
		} else
			ui_dashboard_key(ui, key);
		return true;
	}
	if (cp->scrolling) {
		p->dirty = true;
		return scroll_key(cp, key, keycode);
	}
	if (!keycode && key == ui->settings.prefix) {
		cp->prefix = true;
		return true;
	}
	if (cp->ctrl_a) {
		cp->ctrl_a = false;
		if (!keycode && (key == 'x' || key == 'X')) {
			ui_pane_close(ui, p);
			return true;
		}
		byte = CTRL('a');
		console_write(cp->con, &byte, 1);
		if (!keycode && key == CTRL('a'))
			return true;
	} else if (!keycode && key == CTRL('a')) {
		cp->ctrl_a = true;
		return true;
	}
	if (cp->closed)
		return true;
	/* Typing returns the view to the live screen, as tmux does. */
	if (term_scroll(cp->term, 0) > 0) {
		leave_scroll(cp);
		p->dirty = true;
	}
	term_key(cp->term, key, keycode);
	return true;
}

static void
console_click(struct pane *p, int x, int y, int button)
{
	struct cpane *cp = p->data;

	if (button == 4) {
		cp->scrolling = true;
		term_scroll(cp->term, 3);
	} else if (button == 5) {
		term_scroll(cp->term, -3);
		if (term_scroll(cp->term, 0) == 0 && !cp->search[0])
			leave_scroll(cp);
	}
	p->dirty = true;
}

static void
console_free_pane(struct pane *p)
{
	struct cpane *cp = p->data;

	console_free(cp->con);
	term_free(cp->term);
	free(cp->name);
	free(cp);
}

const struct pane_ops pane_console_ops = {
	"console", console_draw, console_key, console_click, console_free_pane,
	console_resize, console_cursor
};
