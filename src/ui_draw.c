/* Drawing helpers the panes share: boxes, clipped UTF-8 text, sparklines. */
#include "ui_priv.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum ui_el
ui_state_el(const struct vmwatch *w)
{
	if (w->profile != NULL && w->profile->needs_disk != NULL)
		return EL_STATE_PAUSED;		/* wants a disk, not a fix */
	if (w->profile != NULL && w->profile->broken != NULL)
		return EL_STATE_BROKEN;
	switch (w->state) {
	case VM_RUNNING:	return EL_STATE_RUNNING;
	case VM_PAUSED:		return EL_STATE_PAUSED;
	case VM_STARTING:	return EL_STATE_STARTING;
	case VM_SHUTTING_DOWN:	return EL_STATE_SHUTTING_DOWN;
	case VM_CRASHED:	return EL_STATE_CRASHED;
	case VM_ORPHANED:	return EL_STATE_CRASHED;	/* wants attention: start adopts it */
	case VM_STOPPED:	return EL_STATE_STOPPED;
	}
	return EL_DEFAULT;
}

void
ui_put(WINDOW *win, int y, int x, int width, const char *text)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int used = 0, cw;

	if (width <= 0 || win == NULL)
		return;
	memset(&st, 0, sizeof st);
	wmove(win, y, x);
	while (*text != '\0') {
		n = mbrtowc(&wc, text, strlen(text), &st);
		if (n == (size_t)-1 || n == (size_t)-2) {
			/* Not valid in this locale: show a placeholder, keep going. */
			wc = L'?';
			n = 1;
			memset(&st, 0, sizeof st);
		}
		if (wc < 32 || wc == 127)
			wc = L' ';
		if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		if (used + cw > width)
			break;
		waddnwstr(win, &wc, 1);
		used += cw;
		text += n;
	}
}

void
ui_box(struct ui *ui, struct pane *p, const char *title)
{
	bool focus = ui_focused(ui, p);
	WINDOW *w = p->win;
	char t[160];

	wattrset(w, ui_attr(ui, focus ? EL_BORDER_FOCUS : EL_BORDER));
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	if (title != NULL && p->r.w > 6) {
		snprintf(t, sizeof t, " %s ", title);
		wattrset(w, ui_attr(ui, focus ? EL_TITLE_FOCUS : EL_TITLE));
		ui_put(w, 0, 2, p->r.w - 4, t);
	}
	wattrset(w, ui_attr(ui, EL_DEFAULT));
}

void
ui_frame(struct ui *ui, struct pane *p, const char *title)
{
	int y;

	/* The border only changes with the layout, focus or title: redrawing it each second was a third of an idle frame. */
	if (ui->dirty_all || !p->framed) {
		werase(p->win);
		ui_box(ui, p, title);
		p->framed = true;
		return;
	}
	wattrset(p->win, ui_attr(ui, EL_DEFAULT));
	for (y = 1; y < p->r.h - 1; y++)
		mvwhline(p->win, y, 1, ' ', p->r.w - 2);
}

void
ui_sparkline(struct ui *ui, WINDOW *win, int y, int x, int width,
    const double *values, int n, double max)
{
	static const wchar_t bars[] = L"▁▂▃▄▅▆▇█";
	static const char ascii[] = "_.-:=+*#";
	int i, start;

	if (width <= 0)
		return;
	start = n > width ? n - width : 0;
	wattrset(win, ui_attr(ui, EL_SPARKLINE));
	wmove(win, y, x);
	for (i = start; i < n; i++) {
		double v = max > 0 ? values[i] / max : 0;
		int lvl = (int)(v * 7.999);

		if (lvl < 0)
			lvl = 0;
		if (lvl > 7)
			lvl = 7;
		if (ui->utf8)
			waddnwstr(win, &bars[lvl], 1);
		else
			waddch(win, (chtype)(unsigned char)ascii[lvl]);
	}
	wattrset(win, ui_attr(ui, EL_DEFAULT));
}
