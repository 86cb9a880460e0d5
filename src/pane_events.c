/* The QMP event log of the selected VM, newest at the bottom. */
#include "ui_priv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void
events_draw(struct pane *p)
{
	struct ui *ui = p->ui;
	struct vmwatch *vm = ui_selected(ui);
	int rows = p->r.h - 2, width = p->r.w - 2, first, y;
	char title[96];

	snprintf(title, sizeof title, "QMP events%s%s", vm ? ": " : "", vm ? vm->name : "");
	ui_frame(ui, p, title);
	if (vm == NULL || rows <= 0)
		return;
	if (vm->ev_count == 0) {
		ui_put(p->win, 1, 2, width - 1, "no events yet");
		return;
	}
	/* scroll counts lines up from the newest. */
	if (p->scroll > vm->ev_count - rows)
		p->scroll = vm->ev_count - rows > 0 ? vm->ev_count - rows : 0;
	first = vm->ev_count - rows - p->scroll;
	if (first < 0)
		first = 0;
	for (y = 0; y < rows && first + y < vm->ev_count; y++) {
		const struct vmwatch_event *e = vmwatch_event_at(vm, first + y);
		char when[32];
		struct tm tm;

		localtime_r(&e->when, &tm);
		snprintf(when, sizeof when, "%02d:%02d:%02d.%03ld", tm.tm_hour,
		    tm.tm_min, tm.tm_sec, e->micros / 1000);
		wattrset(p->win, ui_attr(ui, EL_EVENT_TIME));
		ui_put(p->win, y + 1, 1, width, when);
		wattrset(p->win, ui_attr(ui, EL_EVENT_NAME));
		ui_put(p->win, y + 1, 14, width - 13, e->name);
		wattrset(p->win, ui_attr(ui, EL_DEFAULT));
		ui_put(p->win, y + 1, 15 + (int)strlen(e->name),
		    width - 14 - (int)strlen(e->name), e->detail);
	}
}

static enum pane_key
events_key(struct pane *p, int key, bool keycode)
{
	int page = p->r.h > 3 ? p->r.h - 3 : 1;

	switch (key) {
	case KEY_PPAGE:
		p->scroll += page;
		break;
	case KEY_NPAGE:
		p->scroll = p->scroll > page ? p->scroll - page : 0;
		break;
	default:
		return PANE_KEY_IGNORED;
	}
	ui_mark(p->ui);
	return PANE_KEY_HANDLED;
}

static void
events_click(struct pane *p, int x, int y, int button)
{
	if (button == 4)
		p->scroll++;
	else if (button == 5 && p->scroll > 0)
		p->scroll--;
	ui_mark(p->ui);
}

const struct pane_ops pane_events_ops = {
	.name = "events",
	.draw = events_draw,
	.key = events_key,
	.click = events_click,
};
