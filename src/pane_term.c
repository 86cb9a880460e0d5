/*
 * A terminal pane: what console and SSH panes share. A term drawn in a box; the prefix
 * key, after which one key is the dashboard's; scroll mode (tmux's copy mode: the view
 * moves through the scrollback, / searches), entered with prefix PgUp, prefix [,
 * prefix / or the mouse wheel; broadcast input (tmux's synchronize-panes): a live key
 * typed in a receiver goes to every receiver, each through its own input hook (its
 * own terminal's key modes). The owner embeds a struct tpane, gives it hooks for the
 * guest's bytes and keys, and calls these from its pane ops.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

/* Scroll mode's state; tp->scroll is NULL while the pane is live. */
struct tpane_scroll {
	bool typing;		/* a search is being typed */
	char search[128];	/* the last search, for n and N */
};

void
tpane_init(struct tpane *tp, struct pane *p, struct term *term,
    const struct tpane_hooks *hooks)
{
	tp->p = p;
	tp->term = term;
	tp->hooks = hooks;
}

void
tpane_free(struct tpane *tp)
{
	free(tp->scroll);
	tp->scroll = NULL;
	term_free(tp->term);
	tp->term = NULL;
}

int
tpane_rows(const struct pane *p)
{
	return p->r.h > 2 ? p->r.h - 2 : 1;
}

int
tpane_cols(const struct pane *p)
{
	return p->r.w > 2 ? p->r.w - 2 : 1;
}

void
tpane_resize(struct tpane *tp)
{
	term_resize(tp->term, tpane_rows(tp->p), tpane_cols(tp->p));
	term_touch(tp->term);
}

/* ---- scroll mode ---- */

static struct tpane_scroll *
scroll_enter(struct tpane *tp)
{
	if (tp->scroll == NULL)
		tp->scroll = xcalloc(1, sizeof *tp->scroll);
	return tp->scroll;
}

void
tpane_live(struct tpane *tp)
{
	free(tp->scroll);
	tp->scroll = NULL;
	if (!tp->keep_note)
		tp->note[0] = '\0';
	term_search_clear(tp->term);
	term_scroll_reset(tp->term);
	tp->p->dirty = true;
}

/* Back at the bottom with no search to repeat: scroll mode has nothing left to do. */
static void
scroll_maybe_leave(struct tpane *tp)
{
	if (term_scroll(tp->term, 0) == 0 && tp->scroll->search[0] == '\0')
		tpane_live(tp);
}

static void
search_key(struct tpane *tp, int key, bool keycode)
{
	struct tpane_scroll *sc = tp->scroll;
	size_t len = strlen(sc->search);

	if (key == 27) {
		sc->typing = false;
	} else if (key == '\r' || key == '\n' || (keycode && key == KEY_ENTER)) {
		sc->typing = false;
		if (term_search(tp->term, sc->search, -1) == -1)
			snprintf(tp->note, sizeof tp->note, "\"%s\" not found", sc->search);
		else if (!tp->keep_note)
			tp->note[0] = '\0';
	} else if ((keycode && key == KEY_BACKSPACE) || key == 127 || key == 8) {
		if (len > 0)
			sc->search[len - 1] = '\0';
	} else if (!keycode && key >= 32 && len + 4 < sizeof sc->search) {
		char mb[8];
		int n = wctomb(mb, (wchar_t)key);

		if (n > 0 && len + (size_t)n < sizeof sc->search) {
			memcpy(sc->search + len, mb, (size_t)n);
			sc->search[len + (size_t)n] = '\0';
		}
	}
}

static void
search_start(struct tpane *tp)
{
	struct tpane_scroll *sc = scroll_enter(tp);

	sc->typing = true;
	sc->search[0] = '\0';
}

/* Every key in scroll mode is its own. */
static enum pane_key
scroll_key(struct tpane *tp, int key, bool keycode)
{
	struct tpane_scroll *sc = tp->scroll;
	int page = tpane_rows(tp->p) - 1;

	tp->p->dirty = true;
	if (sc->typing) {
		search_key(tp, key, keycode);
		return PANE_KEY_HANDLED;
	}
	if (keycode) {
		switch (key) {
		case KEY_PPAGE: term_scroll(tp->term, page); break;
		case KEY_NPAGE: term_scroll(tp->term, -page); scroll_maybe_leave(tp); break;
		case KEY_UP: term_scroll(tp->term, 1); break;
		case KEY_DOWN: term_scroll(tp->term, -1); scroll_maybe_leave(tp); break;
		case KEY_HOME: term_scroll(tp->term, 1 << 30); break;
		case KEY_END: tpane_live(tp); break;
		}
		return PANE_KEY_HANDLED;
	}
	switch (key) {
	case 'q':
	case 27:
		tpane_live(tp);
		break;
	case '/':
	case '?':
		search_start(tp);
		break;
	case 'n':
		if (sc->search[0] && term_search(tp->term, sc->search, -1) == -1)
			snprintf(tp->note, sizeof tp->note, "no earlier \"%s\"", sc->search);
		break;
	case 'N':
		if (sc->search[0] && term_search(tp->term, sc->search, 1) == -1)
			snprintf(tp->note, sizeof tp->note, "no later \"%s\"", sc->search);
		break;
	case 'k':
		term_scroll(tp->term, 1);
		break;
	case 'j':
		term_scroll(tp->term, -1);
		break;
	}
	return PANE_KEY_HANDLED;
}

/* ---- broadcast ---- */

/* The terminal pane p is (its data starts with a struct tpane), or NULL. */
static struct tpane *
tpane_of(struct pane *p)
{
	return p != NULL && p->ops->terminal && p->data != NULL ? p->data : NULL;
}

void
tpane_set_receiver(struct pane *p, bool on)
{
	struct tpane *tp = tpane_of(p);

	if (tp == NULL)
		return;
	tp->receiver = on;
	p->dirty = true;
	ui_mark(p->ui);
}

void
tpane_broadcast_off(struct ui *ui)
{
	size_t i;

	for (i = 0; i < ui->npanes; i++)
		if (tpane_of(ui->panes[i]) != NULL)
			tpane_set_receiver(ui->panes[i], false);
}

size_t
tpane_receivers(struct ui *ui, char *names, size_t len)
{
	struct tpane *tp;
	size_t i, n = 0, used = 0;

	if (len > 0)
		names[0] = '\0';
	for (i = 0; i < ui->npanes; i++) {
		if ((tp = tpane_of(ui->panes[i])) == NULL || !tp->receiver)
			continue;
		if (used < len && ui->panes[i]->ops->vm != NULL)
			used += (size_t)snprintf(names + used, len - used, "%s%s", n ? ", " : "",
			    ui->panes[i]->ops->vm(ui->panes[i]));
		n++;
	}
	return n;
}

/* A live key typed in tp: to the other receivers first (what each answers is its
 * own: C-a x closes only the pane it was typed in), then to tp itself. */
static enum pane_key
broadcast_input(struct tpane *tp, int key, bool keycode)
{
	struct ui *ui = tp->p->ui;
	struct tpane *o;
	size_t i;

	for (i = 0; i < ui->npanes; i++) {
		if ((o = tpane_of(ui->panes[i])) == NULL || o == tp || !o->receiver)
			continue;
		o->mirroring = true;
		(void)o->hooks->input(o, key, keycode);
		o->mirroring = false;
	}
	return tp->hooks->input(tp, key, keycode);
}

/* Bytes for the guest (prefix prefix): to every receiver when tp is one. */
static void
broadcast_send(struct tpane *tp, const char *buf, size_t len)
{
	struct ui *ui = tp->p->ui;
	struct tpane *o;
	size_t i;

	for (i = 0; tp->receiver && i < ui->npanes; i++)
		if ((o = tpane_of(ui->panes[i])) != NULL && o != tp && o->receiver)
			o->hooks->send(o, buf, len);
	tp->hooks->send(tp, buf, len);
}

/* ---- keys ---- */

/* The key after the prefix: the prefix again goes to the guest, x closes, PgUp or [
 * scrolls, / searches; anything else is the dashboard's. */
static enum pane_key
prefix_key(struct tpane *tp, int key, bool keycode)
{
	tp->prefix = false;
	tp->p->dirty = true;
	if (!keycode && key == tp->p->ui->settings.prefix) {
		char byte = (char)key;

		broadcast_send(tp, &byte, 1);
		return PANE_KEY_HANDLED;
	}
	if (!keycode && key == 'x')
		return PANE_KEY_CLOSE;
	if ((keycode && key == KEY_PPAGE) || (!keycode && key == '[')) {
		scroll_enter(tp);
		if (keycode)
			term_scroll(tp->term, tpane_rows(tp->p) - 1);
		return PANE_KEY_HANDLED;
	}
	if (!keycode && key == '/') {
		search_start(tp);
		return PANE_KEY_HANDLED;
	}
	return PANE_KEY_DASHBOARD;
}

enum pane_key
tpane_key(struct tpane *tp, int key, bool keycode)
{
	if (tp->prefix)
		return prefix_key(tp, key, keycode);
	if (!keycode && key == tp->p->ui->settings.prefix) {
		tp->prefix = true;
		return PANE_KEY_HANDLED;
	}
	if (tp->scroll != NULL)
		return scroll_key(tp, key, keycode);
	/* Typing returns the view to the live screen, as tmux does. A key that only goes
	 * to the guest leaves the pane clean: nothing shows until the echo, and a frame
	 * drawn now would hold the echo's frame back by the frame pacing (16 ms). */
	if (term_scroll(tp->term, 0) > 0)
		tpane_live(tp);
	if (tp->receiver)
		return broadcast_input(tp, key, keycode);
	return tp->hooks->input(tp, key, keycode);
}

void
tpane_click(struct tpane *tp, int button)
{
	if (button == 4) {
		scroll_enter(tp);
		term_scroll(tp->term, 3);
	} else if (button == 5 && tp->scroll != NULL) {
		term_scroll(tp->term, -3);
		scroll_maybe_leave(tp);
	}
	tp->p->dirty = true;
}

/* ---- drawing ---- */

/* The title: "NAME: WHAT" with the state note, the scroll offset or the search typed. */
static void
title(struct tpane *tp, const char *what, char *buf, size_t len)
{
	int off = term_scroll(tp->term, 0);

	if (tp->scroll != NULL && tp->scroll->typing)
		snprintf(buf, len, "%s  search: %s_", what, tp->scroll->search);
	else if (tp->scroll != NULL || off > 0)
		snprintf(buf, len, "%s  [scroll -%d, q leaves%s%s]", what, off,
		    tp->note[0] ? "; " : "", tp->note);
	else
		snprintf(buf, len, "%s%s%s%s", what, tp->note[0] ? "  [" : "", tp->note,
		    tp->note[0] ? "]" : "");
}

void
tpane_draw(struct tpane *tp, const char *what)
{
	struct pane *p = tp->p;
	struct ui *ui = p->ui;
	char t[400];

	title(tp, what, t, sizeof t);
	if (ui->dirty_all || !p->framed) {
		werase(p->win);
		p->framed = true;
		term_touch(tp->term);
	}
	ui_box(ui, p, t);
	/* A receiver says so at the right of its top border, where the title rarely
	 * reaches, in the theme's attention colour. */
	if (tp->receiver && p->r.w > 40) {
		static const char mark[] = " [broadcast] ";

		wattrset(p->win, ui_attr(ui, EL_STATUS_ERROR));
		ui_put(p->win, 0, p->r.w - 2 - (int)(sizeof mark - 1), (int)(sizeof mark - 1),
		    mark);
		wattrset(p->win, ui_attr(ui, EL_DEFAULT));
	}
	term_draw(tp->term, p->win, 1, 1, ui_focused(ui, p));
}

bool
tpane_cursor(struct tpane *tp, int *y, int *x)
{
	int row, col;

	if (tp->scroll != NULL || term_scroll(tp->term, 0) > 0 ||
	    !term_cursor(tp->term, &row, &col))
		return false;
	*y = row + 1;
	*x = col + 1;
	return true;
}
