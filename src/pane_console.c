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

static enum pane_key console_input(struct tpane *tp, int key, bool keycode);

static const struct tpane_hooks tp_hooks = { send_raw, console_input };

static int
console_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	static const struct term_callbacks tcb = { term_out, NULL, NULL };
	struct console_hooks hooks = { con_data, con_closed, NULL };
	struct cpane *cp = xcalloc(1, sizeof *cp);

	p->data = cp;
	cp->name = xstrdup(vm->name);
	/* The real size comes with the first resize; 24x80 until then. */
	tpane_init(&cp->tp, p, term_new(24, 80, p->ui->settings.scrollback, &tcb, cp),
	    &tp_hooks);
	hooks.arg = cp;
	if ((cp->con = console_open(p->ui->loop, vm->name, &hooks, err)) == NULL) {
		tpane_free(&cp->tp);
		free(cp->name);
		free(cp);
		return -1;
	}
	return 0;
}

static const char *
console_vm(struct pane *p)
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

/* A live key: C-a x closes (QEMU's habit), C-a C-a sends one C-a, the rest goes to
 * the guest. */
static enum pane_key
console_input(struct tpane *tp, int key, bool keycode)
{
	struct cpane *cp = (struct cpane *)tp;
	char byte;

	if (cp->ctrl_a) {
		cp->ctrl_a = false;
		if (!keycode && (key == 'x' || key == 'X'))
			return PANE_KEY_CLOSE;
		byte = CTRL('a');
		console_write(cp->con, &byte, 1);
		if (!keycode && key == CTRL('a'))
			return PANE_KEY_HANDLED;
	} else if (!keycode && key == CTRL('a')) {
		cp->ctrl_a = true;
		return PANE_KEY_HANDLED;
	}
	if (!cp->closed)
		term_key(cp->tp.term, key, keycode);
	return PANE_KEY_HANDLED;
}

static enum pane_key
console_key(struct pane *p, int key, bool keycode)
{
	return tpane_key(p->data, key, keycode);
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
	tpane_free(&cp->tp);
	free(cp->name);
	free(cp);
}

const struct pane_ops pane_console_ops = {
	.name = "console",
	.terminal = true,
	.init = console_init,
	.free = console_free_pane,
	.resize = console_resize,
	.draw = console_draw,
	.key = console_key,
	.click = console_click,
	.cursor = console_cursor,
	.vm = console_vm,
};
