/* Overlays drawn over the panes: the help screen and yes/no confirmations. */
#include "ui_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ui_confirmed(struct ui *ui, enum action a);

void
ui_dialog_confirm(struct ui *ui, enum action a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->confirm, sizeof ui->confirm, fmt, ap);
	va_end(ap);
	ui->dialog = DIALOG_CONFIRM;
	ui->confirm_action = a;
	ui->confirm_vm = ui->sel;
	ui_mark(ui);
}

static WINDOW *
centered(struct ui *ui, int h, int w)
{
	WINDOW *win;

	if (h > ui->rows)
		h = ui->rows;
	if (w > ui->cols)
		w = ui->cols;
	if (h < 1 || w < 1)
		return NULL;
	win = newwin(h, w, (ui->rows - h) / 2, (ui->cols - w) / 2);
	return win;
}

static void
draw_help(struct ui *ui)
{
	static const enum action listed[] = {
		ACT_START, ACT_STOP, ACT_FORCE_STOP, ACT_PAUSE, ACT_RESET, ACT_CONSOLE,
		ACT_SSH, ACT_SSH_BELOW, ACT_CLOSE_PANE, ACT_EDIT, ACT_RELOAD, ACT_FILTER,
		ACT_EVENTS, ACT_LIST, ACT_UP, ACT_DOWN, ACT_TOP, ACT_BOTTOM, ACT_NEXT_PANE,
		ACT_PREV_PANE, ACT_ZOOM, ACT_HELP, ACT_QUIT,
	};
	size_t n = sizeof listed / sizeof listed[0], i;
	WINDOW *w = centered(ui, (int)n + 5, 76);
	char key[16], line[128];
	int y;

	if (w == NULL)
		return;
	wbkgdset(w, ' ' | ui_attr(ui, EL_HELP));
	werase(w);
	wattrset(w, ui_attr(ui, EL_BORDER_FOCUS));
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	wattrset(w, ui_attr(ui, EL_TITLE_FOCUS));
	ui_put(w, 0, 2, getmaxx(w) - 4, " qemu-tui keys (any key closes) ");
	for (i = 0, y = 1; i < n && y < getmaxy(w) - 1; i++, y++) {
		settings_key_for(&ui->settings, listed[i], key, sizeof key);
		wattrset(w, ui_attr(ui, EL_KEYBAR_KEY));
		ui_put(w, y, 2, 8, key);
		wattrset(w, ui_attr(ui, EL_HELP));
		snprintf(line, sizeof line, "%-11s %s", action_name(listed[i]),
		    action_help(listed[i]));
		ui_put(w, y, 11, getmaxx(w) - 13, line);
	}
	if (y < getmaxy(w) - 1) {
		char pfx[16], text[320];

		settings_keyname(ui->settings.prefix, pfx, sizeof pfx);
		snprintf(text, sizeof text, "In a console or SSH pane every key goes to the "
		    "guest; %s then a key is a dashboard key (%s x or C-a x closes, %s arrows "
		    "move, %s PgUp scrolls back, / searches).", pfx, pfx, pfx, pfx);
		ui_put(w, ++y, 2, getmaxx(w) - 4, text);
	}
	wnoutrefresh(w);
	delwin(w);
}

static void
draw_confirm(struct ui *ui)
{
	int width = (int)strlen(ui->confirm) + 4, lines, y;
	size_t off, len = strlen(ui->confirm);
	WINDOW *w;

	if (width > 64)
		width = 64;
	if (width < 30)
		width = 30;
	lines = (int)(len / (size_t)(width - 4)) + 1;
	if ((w = centered(ui, lines + 4, width)) == NULL)
		return;
	wbkgdset(w, ' ' | ui_attr(ui, EL_DIALOG));
	werase(w);
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	for (off = 0, y = 1; off < len && y < getmaxy(w) - 2; y++) {
		int n = width - 4;

		mvwaddnstr(w, y, 2, ui->confirm + off, n);
		off += (size_t)n;
	}
	wattrset(w, ui_attr(ui, EL_DIALOG_BUTTON));
	ui_put(w, getmaxy(w) - 2, 2, width - 4, "[y] yes   [n] no");
	wnoutrefresh(w);
	delwin(w);
}

void
ui_dialog_draw(struct ui *ui)
{
	if (ui->dialog == DIALOG_HELP)
		draw_help(ui);
	else if (ui->dialog == DIALOG_CONFIRM)
		draw_confirm(ui);
}

bool
ui_dialog_key(struct ui *ui, int key)
{
	enum dialog_kind was = ui->dialog;

	if (key == KEY_MOUSE) {
		MEVENT ev;

		getmouse(&ev);
		return true;
	}
	ui->dialog = DIALOG_NONE;
	ui_mark(ui);
	if (was == DIALOG_CONFIRM && (key == 'y' || key == 'Y'))
		ui_confirmed(ui, ui->confirm_action);
	return true;
}
