/* Overlays drawn over the panes: the help screen, yes/no confirmations, and prompts
 * for a line of text. */
#include "ui_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "action.h"

void
ui_ask(struct ui *ui, ui_confirmed_fn fn, struct vmwatch *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->confirm, sizeof ui->confirm, fmt, ap);
	va_end(ap);
	ui->dialog = DIALOG_CONFIRM;
	ui->confirm_fn = fn;
	snprintf(ui->confirm_vm, sizeof ui->confirm_vm, "%s", vm != NULL ? vm->name : "");
	ui_mark(ui);
}

void
ui_prompt(struct ui *ui, ui_prompted_fn fn, struct vmwatch *vm, const char *initial,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->confirm, sizeof ui->confirm, fmt, ap);
	va_end(ap);
	snprintf(ui->prompt_text, sizeof ui->prompt_text, "%s", initial != NULL ? initial : "");
	ui->prompt_fresh = true;
	ui->dialog = DIALOG_PROMPT;
	ui->prompt_fn = fn;
	snprintf(ui->confirm_vm, sizeof ui->confirm_vm, "%s", vm != NULL ? vm->name : "");
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

/* Box with a border in the help's colours. */
static void
help_box(struct ui *ui, WINDOW *w)
{
	wbkgdset(w, ' ' | ui_attr(ui, EL_HELP));
	werase(w);
	wattrset(w, ui_attr(ui, EL_BORDER_FOCUS));
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	wattrset(w, ui_attr(ui, EL_TITLE_FOCUS));
	ui_put(w, 0, 2, getmaxx(w) - 4, " qemu-tui keys (any key closes) ");
}

/* Up to max lines of text broken at spaces to width, into lines (each max 256 bytes). */
static int
wrap(const char *text, int width, char lines[][256], int max)
{
	int n = 0, len;

	while (*text != '\0' && n < max && width > 0) {
		len = (int)strlen(text);
		if (len > width) {
			for (len = width; len > 0 && text[len] != ' '; len--)
				;
			if (len == 0)
				len = width;
		}
		if (len > 255)
			len = 255;
		snprintf(lines[n++], 256, "%.*s", len, text);
		text += len;
		while (*text == ' ')
			text++;
	}
	return n;
}

/*
 * Every action from the table with its live keys, sized to its content within the
 * screen: one column when the screen is tall enough, else two side by side when it
 * is wide enough, else one column of lines that scrolls (PgDn/PgUp; the longest
 * lines cut at the screen's edge) when there is room for some help beside the
 * names, else as many columns of keys and names as the height needs (the help
 * lines left out). The prefix keys' paragraph is wrapped below, in what
 * height is left.
 */
static void
draw_help(struct ui *ui)
{
	int n = action_count(), keyw = 0, namew = 0, helpw = 0, colw, ncols = 1, per,
	    boxw, boxh, a, i, y, x, npara, len;
	char keys[96], pfx[16], text[400], para[8][256];
	bool full = true, scroll = false;
	int first = 0, last;
	WINDOW *w;

	for (a = 0; a < n; a++) {
		if ((len = (int)strlen(settings_keys_for(&ui->settings, a, keys,
		    sizeof keys))) > keyw)
			keyw = len;
		if ((len = (int)strlen(action_name(a))) > namew)
			namew = len;
		if ((len = (int)strlen(action_help(a))) > helpw)
			helpw = len;
	}
	if (keyw > 16)
		keyw = 16;
	colw = keyw + 1 + namew + 1 + helpw;
	/* Room for the rows and the borders; the prefix paragraph below (also in the
	 * man page) gives way before the help lines do. */
	if (n + 3 > ui->rows) {
		per = ui->rows - 5 > 1 ? ui->rows - 5 : 1;
		if ((n + 1) / 2 <= per && 2 * colw + 7 <= ui->cols)
			ncols = 2;
		else if (keyw + namew + 2 + 24 + 4 <= ui->cols && ui->rows >= 8)
			/* Lines that scroll (PgDn/PgUp) rather than keys without words; a help
			 * line wider than the screen is cut at its edge. */
			scroll = true;
		else {
			full = false;
			colw = keyw + 1 + namew;
			ncols = (n + per - 1) / per;
		}
	}
	per = (n + ncols - 1) / ncols;
	if (scroll) {
		per = ui->rows - 3;	/* the borders and the line that says there is more */
		if (ui->help_top > n - per)
			ui->help_top = n - per;
		if (ui->help_top < 0)
			ui->help_top = 0;
		first = ui->help_top;
	}
	ui->help_scrolls = scroll;
	last = scroll ? first + per : n;
	boxw = ncols * colw + (ncols - 1) * 3 + 4;
	if (boxw < 64)
		boxw = 64;
	if (boxw > ui->cols)
		boxw = ui->cols;
	settings_keyname(ui->settings.prefix, pfx, sizeof pfx);
	snprintf(text, sizeof text, "In a console or SSH pane every key goes to the guest; "
	    "%s then a key is a dashboard key (%s x or C-a x closes, %s arrows move, %s "
	    "PgUp scrolls back, / searches).", pfx, pfx, pfx, pfx);
	npara = scroll ? 0 : wrap(text, boxw - 4, para, 8);
	boxh = scroll ? ui->rows : per + 3 + npara;
	if ((w = centered(ui, boxh, boxw)) == NULL)
		return;
	help_box(ui, w);
	for (a = first; a < last && a < n; a++) {
		y = 1 + (a - first) % per;
		x = 2 + (a - first) / per * (colw + 3);
		if (y >= getmaxy(w) - 1 || x >= getmaxx(w) - 2)
			continue;
		settings_keys_for(&ui->settings, a, keys, sizeof keys);
		wattrset(w, ui_attr(ui, EL_KEYBAR_KEY));
		ui_put(w, y, x, keyw < getmaxx(w) - 2 - x ? keyw : getmaxx(w) - 2 - x, keys);
		wattrset(w, ui_attr(ui, EL_HELP));
		snprintf(text, sizeof text, "%-*s %s", namew, action_name(a),
		    full ? action_help(a) : "");
		ui_put(w, y, x + keyw + 1, getmaxx(w) - 2 - x - keyw - 1, text);
	}
	for (i = 0, y = per + 2; i < npara && y < getmaxy(w) - 1; i++, y++)
		ui_put(w, y, 2, getmaxx(w) - 4, para[i]);
	if (scroll) {
		snprintf(text, sizeof text, "PgDn/PgUp: more (%d-%d of %d)", first + 1,
		    last < n ? last : n, n);
		wattrset(w, ui_attr(ui, EL_KEYBAR_KEY));
		ui_put(w, getmaxy(w) - 2, 2, getmaxx(w) - 4, text);
	}
	wnoutrefresh(w);
	delwin(w);
}

/* A box with ui->confirm wrapped in it, extra rows below it; NULL when it cannot show. */
static WINDOW *
question_box(struct ui *ui, int extra, int minw)
{
	int width = (int)strlen(ui->confirm) + 4, lines, y;
	size_t off, len = strlen(ui->confirm);
	WINDOW *w;

	if (width > 64)
		width = 64;
	if (width < minw)
		width = minw;
	lines = (int)(len / (size_t)(width - 4)) + 1;
	if ((w = centered(ui, lines + 2 + extra, width)) == NULL)
		return NULL;
	wbkgdset(w, ' ' | ui_attr(ui, EL_DIALOG));
	werase(w);
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	for (off = 0, y = 1; off < len && y < getmaxy(w) - 1 - extra; y++) {
		mvwaddnstr(w, y, 2, ui->confirm + off, width - 4);
		off += (size_t)(width - 4);
	}
	return w;
}

/* The question, the line typed so far (its end visible), and the keys. */
static void
draw_prompt(struct ui *ui)
{
	size_t tl = strlen(ui->prompt_text);
	WINDOW *w;
	int n;

	if ((w = question_box(ui, 3, 40)) == NULL)
		return;
	n = getmaxx(w) - 7;
	mvwprintw(w, getmaxy(w) - 3, 2, "> %s_", tl > (size_t)n ?
	    ui->prompt_text + tl - (size_t)n : ui->prompt_text);
	wattrset(w, ui_attr(ui, EL_DIALOG_BUTTON));
	ui_put(w, getmaxy(w) - 2, 2, getmaxx(w) - 4, "[Enter] ok   [Esc] cancel");
	wnoutrefresh(w);
	delwin(w);
}

/* A prompt's key: text (the first replaces a suggestion), Backspace, C-u, Enter, Esc. */
static void
prompt_key(struct ui *ui, int key)
{
	size_t n = strlen(ui->prompt_text);
	struct vmwatch *vm;
	char text[sizeof ui->prompt_text];

	/* A suggestion goes at the first key that types, as a selection would. */
	if (ui->prompt_fresh && key >= 0x20 && key < 0x7f) {
		ui->prompt_text[0] = '\0';
		n = 0;
	}
	ui->prompt_fresh = false;
	if (key == 27 || key == 7 /* C-g */) {
		ui->dialog = DIALOG_NONE;
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (n > 0)
			ui->prompt_text[n - 1] = '\0';
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		if (n == 0)
			return;
		ui->dialog = DIALOG_NONE;
		snprintf(text, sizeof text, "%s", ui->prompt_text);
		vm = ui->confirm_vm[0] != '\0' ? ui_find_vm(ui, ui->confirm_vm) : NULL;
		if (vm != NULL || ui->confirm_vm[0] == '\0')
			ui->prompt_fn(ui, vm, text);
	} else if (key == 21 /* C-u */) {
		ui->prompt_text[0] = '\0';
	} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof ui->prompt_text) {
		ui->prompt_text[n] = (char)key;
		ui->prompt_text[n + 1] = '\0';
	}
	ui_mark(ui);
}

static void
draw_confirm(struct ui *ui)
{
	WINDOW *w;

	if ((w = question_box(ui, 2, 30)) == NULL)
		return;
	wattrset(w, ui_attr(ui, EL_DIALOG_BUTTON));
	ui_put(w, getmaxy(w) - 2, 2, getmaxx(w) - 4, "[y] yes   [n] no");
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
	else if (ui->dialog == DIALOG_PROMPT)
		draw_prompt(ui);
	else if (ui->dialog == DIALOG_FORM)
		ui_form_draw(ui);
}

void
ui_dialog_key(struct ui *ui, int key)
{
	enum dialog_kind was = ui->dialog;
	struct vmwatch *vm;

	if (key == KEY_MOUSE) {
		MEVENT ev;

		getmouse(&ev);
		return;
	}
	if (was == DIALOG_PROMPT) {
		prompt_key(ui, key);
		return;
	}
	/* A help taller than the screen scrolls; any other key closes it. */
	if (was == DIALOG_HELP && ui->help_scrolls && (key == KEY_NPAGE ||
	    key == KEY_PPAGE || key == KEY_DOWN || key == KEY_UP)) {
		int step = key == KEY_NPAGE || key == KEY_PPAGE ? ui->rows - 4 : 1;

		ui->help_top += key == KEY_NPAGE || key == KEY_DOWN ? step : -step;
		if (ui->help_top < 0)
			ui->help_top = 0;
		ui_mark(ui);
		return;
	}
	ui->help_top = 0;
	ui->dialog = DIALOG_NONE;
	ui_mark(ui);
	if (was != DIALOG_CONFIRM || (key != 'y' && key != 'Y'))
		return;
	/* The VM may have gone with a reload meanwhile: then there is nothing to do. */
	vm = ui->confirm_vm[0] != '\0' ? ui_find_vm(ui, ui->confirm_vm) : NULL;
	if (vm != NULL || ui->confirm_vm[0] == '\0')
		ui->confirm_fn(ui, vm);
}
