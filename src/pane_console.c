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
	struct tpane tp;	/* first: the shared terminal pane */
	char *name;
	struct console *con;
	bool ctrl_a;		/* C-a was pressed: x leaves, C-a sends one C-a */
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
send_raw(struct tpane *tp, const char *buf, size_t len)
{
	term_out(buf, len, tp);
}

static void
con_data(const char *buf, size_t len, void *arg)
{
	struct cpane *cp = arg;

	term_feed(cp->tp.term, buf, len);
	cp->tp.p->dirty = true;
}

static void
con_closed(const char *why, void *arg)
{
	struct cpane *cp = arg;
	char pfx[16];

	cp->closed = cp->tp.keep_note = true;
	settings_keyname(cp->tp.p->ui->settings.prefix, pfx, sizeof pfx);
	snprintf(cp->tp.note, sizeof cp->tp.note, "%s; %s x closes", why, pfx);
	cp->tp.p->dirty = true;
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
	cp->tp.p = p;
	cp->tp.send = send_raw;
	cp->name = xstrdup(vm->name);
	/* The real size comes with the first resize; 24x80 until then. */
	cp->tp.term = term_new(24, 80, ui->settings.scrollback, &tcb, cp);
	hooks.arg = cp;
	if ((cp->con = console_open(ui->loop, vm->name, &hooks, &err)) == NULL) {
		ui_message(ui, true, "%s", err.msg);
		term_free(cp->tp.term);
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
	tpane_resize(p->data);
}

static void
console_draw(struct pane *p)
{
	struct cpane *cp = p->data;
	char what[200];

	snprintf(what, sizeof what, "%s: serial", cp->name);
	tpane_draw(&cp->tp, what);
}

static bool
console_cursor(struct pane *p, int *y, int *x)
{
	struct cpane *cp = p->data;

	return !cp->closed && tpane_cursor(&cp->tp, y, x);
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
	if (cp->tp.prefix) {
		tpane_prefix_key(&cp->tp, key, keycode);
		return true;
	}
	if (cp->tp.scrolling)
		return tpane_scroll_key(&cp->tp, key, keycode);
	if (!keycode && key == ui->settings.prefix) {
		cp->tp.prefix = true;
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
	if (term_scroll(cp->tp.term, 0) > 0) {
		tpane_leave_scroll(&cp->tp);
		p->dirty = true;
	}
	term_key(cp->tp.term, key, keycode);
	return true;
}

static void
console_click(struct pane *p, int x, int y, int button)
{
	(void)x;
	(void)y;
	tpane_click(p->data, button);
}

static void
console_free_pane(struct pane *p)
{
	struct cpane *cp = p->data;

	console_free(cp->con);
	term_free(cp->tp.term);
	free(cp->name);
	free(cp);
}

const struct pane_ops pane_console_ops = {
	"console", console_draw, console_key, console_click, console_free_pane,
	console_resize, console_cursor
};
