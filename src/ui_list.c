/*
 * A list of rows in a pane (disks, forwards, doctor, snapshots): the selected row,
 * the first one drawn, the keys that move them and the drawing of one row. Each
 * pane says which moving keys it takes: a key it does not take stays the
 * dashboard's (Home and g are "top" there, the first VM).
 */
#include "ui_priv.h"

#include <stdarg.h>
#include <stdlib.h>

/* How far PgUp/PgDn move the view. */
#define PAGE 5

bool
ui_list_key(struct ui_list *l, size_t n, unsigned keys, int key, bool keycode)
{
	/* The rows may have changed since the last frame: move from a row that is there. */
	if (l->sel >= n)
		l->sel = n > 0 ? n - 1 : 0;
	if ((keys & UI_LIST_LINES) && (keycode ? key == KEY_UP : key == 'k')) {
		if (l->sel > 0)
			l->sel--;
	} else if ((keys & UI_LIST_LINES) && (keycode ? key == KEY_DOWN : key == 'j')) {
		if (l->sel + 1 < n)
			l->sel++;
	} else if ((keys & UI_LIST_HOME) && (keycode ? key == KEY_HOME : key == 'g'))
		l->sel = 0;
	else if ((keys & UI_LIST_PAGES) && keycode && key == KEY_PPAGE)
		l->first = l->first > PAGE ? l->first - PAGE : 0;
	else if ((keys & UI_LIST_PAGES) && keycode && key == KEY_NPAGE) {
		/* Never past the last row: an empty view would need as many PgUps back. */
		l->first += PAGE;
		if (l->first >= n)
			l->first = n > 0 ? n - 1 : 0;
	} else
		return false;
	return true;
}

void
ui_list_fit(struct ui_list *l, size_t n)
{
	if (l->sel >= n)
		l->sel = n > 0 ? n - 1 : 0;
	if (l->first >= n)
		l->first = n > 0 ? n - 1 : 0;
}

void
ui_list_follow(struct ui_list *l, size_t visible)
{
	l->first = visible > 0 && l->sel >= visible ? l->sel - visible + 1 : 0;
}

attr_t
ui_list_attr(struct pane *p, bool selected, enum ui_el normal)
{
	if (!selected)
		return ui_attr(p->ui, normal);
	return ui_attr(p->ui, ui_focused(p->ui, p) ? EL_LIST_SELECTED :
	    EL_LIST_SELECTED_UNFOCUSED);
}

void
ui_list_line(struct pane *p, int *y, int limit, int x, attr_t attr, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (*y >= limit)
		return;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	wattrset(p->win, attr);
	ui_put(p->win, *y, x, p->r.w - 1 - x, text);
	free(text);
	(*y)++;
}
