/*
 * What console and SSH panes share: a term drawn in a box, the prefix key that gives
 * one key back to the dashboard, scroll mode with search, and the mouse wheel. The
 * owning pane keeps a struct tpane and calls these from its pane ops.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

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

void
tpane_leave_scroll(struct tpane *tp)
{
	tp->scrolling = tp->searching = false;
	if (!tp->keep_note)
		tp->note[0] = '\0';
	term_search_clear(tp->term);
	term_scroll_reset(tp->term);
}

/* The title: "NAME: WHAT" with the state note, the scroll offset or the search typed. */
static void
title(struct tpane *tp, const char *what, char *buf, size_t len)
{
	int off = term_scroll(tp->term, 0);

	if (tp->searching)
		snprintf(buf, len, "%s  search: %s_", what, tp->search);
	else if (off > 0 || tp->scrolling)
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
	term_draw(tp->term, p->win, 1, 1, ui_focused(ui, p));
}

bool
tpane_cursor(struct tpane *tp, int *y, int *x)
{
	int row, col;

	if (tp->scrolling || term_scroll(tp->term, 0) > 0 ||
	    !term_cursor(tp->term, &row, &col))
		return false;
	*y = row + 1;
	*x = col + 1;
	return true;
}

static void
search_key(struct tpane *tp, int key, bool keycode)
{
	size_t len = strlen(tp->search);

	if (key == 27) {
		tp->searching = false;
	} else if (key == '\r' || key == '\n' || (keycode && key == KEY_ENTER)) {
		tp->searching = false;
		if (term_search(tp->term, tp->search, -1) == -1)
			snprintf(tp->note, sizeof tp->note, "\"%s\" not found", tp->search);
		else if (!tp->keep_note)
			tp->note[0] = '\0';
	} else if ((keycode && key == KEY_BACKSPACE) || key == 127 || key == 8) {
		if (len > 0)
			tp->search[len - 1] = '\0';
	} else if (!keycode && key >= 32 && len + 4 < sizeof tp->search) {
		char mb[8];
		int n = wctomb(mb, (wchar_t)key);

		if (n > 0 && len + (size_t)n < sizeof tp->search) {
			memcpy(tp->search + len, mb, (size_t)n);
			tp->search[len + (size_t)n] = '\0';
		}
	}
}

bool
tpane_scroll_key(struct tpane *tp, int key, bool keycode)
{
	int page = tpane_rows(tp->p) - 1;

	tp->p->dirty = true;
	if (tp->searching) {
		search_key(tp, key, keycode);
		return true;
	}
	if (keycode) {
		switch (key) {
		case KEY_PPAGE: term_scroll(tp->term, page); return true;
		case KEY_NPAGE: term_scroll(tp->term, -page); break;
		case KEY_UP: term_scroll(tp->term, 1); return true;
		case KEY_DOWN: term_scroll(tp->term, -1); break;
		case KEY_HOME: term_scroll(tp->term, 1 << 30); return true;
		case KEY_END: tpane_leave_scroll(tp); return true;
		default: return true;
		}
		if (term_scroll(tp->term, 0) == 0 && !tp->search[0])
			tpane_leave_scroll(tp);
		return true;
	}
	switch (key) {
	case 'q':
	case 27:
		tpane_leave_scroll(tp);
		break;
	case '/':
	case '?':
		tp->searching = true;
		tp->search[0] = '\0';
		break;
	case 'n':
		if (tp->search[0] && term_search(tp->term, tp->search, -1) == -1)
			snprintf(tp->note, sizeof tp->note, "no earlier \"%s\"", tp->search);
		break;
	case 'N':
		if (tp->search[0] && term_search(tp->term, tp->search, 1) == -1)
			snprintf(tp->note, sizeof tp->note, "no later \"%s\"", tp->search);
		break;
	case 'k':
		term_scroll(tp->term, 1);
		break;
	case 'j':
		term_scroll(tp->term, -1);
		break;
	}
	return true;
}

void
tpane_prefix_key(struct tpane *tp, int key, bool keycode)
{
	struct pane *p = tp->p;
	struct ui *ui = p->ui;

	p->dirty = true;
	tp->prefix = false;
	if (!keycode && key == ui->settings.prefix) {
		char byte = (char)key;

		tp->send(tp, &byte, 1);
	} else if (!keycode && key == 'x') {
		ui_pane_close(ui, p);
	} else if ((keycode && key == KEY_PPAGE) || (!keycode && key == '[')) {
		tp->scrolling = true;
		if (keycode)
			term_scroll(tp->term, tpane_rows(p) - 1);
	} else if (!keycode && key == '/') {
		tp->scrolling = tp->searching = true;
		tp->search[0] = '\0';
	} else if (keycode && (key == KEY_LEFT || key == KEY_RIGHT ||
	    key == KEY_UP || key == KEY_DOWN)) {
		layout_focus_dir(ui->layout, key == KEY_LEFT ? LAYOUT_LEFT :
		    key == KEY_RIGHT ? LAYOUT_RIGHT : key == KEY_UP ? LAYOUT_UP :
		    LAYOUT_DOWN);
		ui_mark(ui);
	} else
		ui_dashboard_key(ui, key);
}

void
tpane_click(struct tpane *tp, int button)
{
	if (button == 4) {
		tp->scrolling = true;
		term_scroll(tp->term, 3);
	} else if (button == 5) {
		term_scroll(tp->term, -3);
		if (term_scroll(tp->term, 0) == 0 && !tp->search[0])
			tpane_leave_scroll(tp);
	}
	tp->p->dirty = true;
}
