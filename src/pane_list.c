/* The VM list pane: every profile with its state, in natural order of the names;
 * selection, filter, clicks, and the width it needs. */
#include "ui_priv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Natural order: runs of digits compare as numbers, so vm2 comes before vm10. */
static int
natcmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea, *eb;
			size_t la, lb;
			int c;

			while (*a == '0' && isdigit((unsigned char)a[1]))
				a++;
			while (*b == '0' && isdigit((unsigned char)b[1]))
				b++;
			for (ea = a; isdigit((unsigned char)*ea); ea++)
				;
			for (eb = b; isdigit((unsigned char)*eb); eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			if ((c = strncmp(a, b, la)) != 0)
				return c;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a != '\0' ? 1 : *b != '\0' ? -1 : 0;
}

static int
vm_order(const void *a, const void *b)
{
	const struct vmwatch *x = *(struct vmwatch *const *)a;
	const struct vmwatch *y = *(struct vmwatch *const *)b;
	int c = natcmp(x->name, y->name);

	/* Two profiles with one name: the file decides, so the order is stable. */
	return c != 0 ? c : strcmp(x->profile->path, y->profile->path);
}

void
pane_list_sort(struct vmwatch **vms, size_t n)
{
	if (n > 1)
		qsort(vms, n, sizeof *vms, vm_order);
}

/* Columns text takes on screen. */
static int
text_width(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	wchar_t *w;
	int cols;

	if (n == (size_t)-1)
		return (int)strlen(s);
	w = xcalloc(n + 1, sizeof *w);
	mbstowcs(w, s, n + 1);
	cols = wcswidth(w, n);
	free(w);
	return cols < 0 ? (int)n : cols;
}

/* "running, ssh": a live run with the furthest readiness stage it reached (buf), or
 * the state alone (buf NULL). */
static const char *
state_of(const struct vmwatch *vm, char *buf, size_t len)
{
	int last = stages_last(&vm->run.stages);

	if (vm->profile->needs_disk != NULL)
		return vmwatch_preparing(vm) ? vm->step : "needs disk";
	if (vm->profile->broken != NULL)
		return "broken";
	/* Disks being made before a start: how far, in the list. */
	if (vmwatch_preparing(vm) && vm->step[0])
		return vm->step;
	if (buf == NULL || !vm_state_live(vm->state) || last < 0)
		return vm->state_text;
	snprintf(buf, len, "%s, %s", vm->state_text, stage_name((enum stage)last));
	return buf;
}

/* Every write of it is thrown away: its profile says "snapshot", or this run does. */
static bool
throwaway(const struct vmwatch *vm)
{
	return vm->profile->snapshot || (vm_state_live(vm->state) && vm->run.throwaway);
}

#define THROWAWAY_MARK "throwaway "

/* Borders, the marker, the longest name, a space, the longest state, a margin; at
 * least the title's and the empty list's words. */
int
pane_list_width(struct ui *ui)
{
	int name = 0, state = 0, w;
	char buf[160];
	/* While a terminal pane is open it gets the room: the stages stay in the
	 * details, and in the list only where a row has room for them. */
	bool stages = ui_pane_find(ui, NULL, NULL) == NULL;
	size_t i;

	for (i = 0; i < ui->nvms; i++) {
		if ((w = text_width(ui->vms[i]->name)) > name)
			name = w;
		if ((w = text_width(state_of(ui->vms[i], stages ? buf : NULL, sizeof buf)) +
		    (throwaway(ui->vms[i]) ? (int)strlen(THROWAWAY_MARK) : 0)) > state)
			state = w;
	}
	w = ui->nvms > 0 ? 2 + 2 + name + 2 + state + 1 : 2 + 2 + 39;
	return w < 22 ? 22 : w;
}

static void
list_draw(struct pane *p)
{
	struct ui *ui = p->ui;
	WINDOW *w = p->win;
	size_t *idx = xcalloc(ui->nvms + 1, sizeof *idx), n, i;
	int rows = p->r.h - 2, width = p->r.w - 2, y, selpos = 0;
	char title[96];

	n = ui_visible(ui, idx);
	if (ui->filter[0] != '\0')
		snprintf(title, sizeof title, "VMs %zu/%zu /%s", n, ui->nvms, ui->filter);
	else
		snprintf(title, sizeof title, "VMs (%zu)", ui->nvms);
	ui_frame(ui, p, title);
	for (i = 0; i < n; i++)
		if (idx[i] == ui->sel)
			selpos = (int)i;
	/* Keep the selected row on screen. */
	if (selpos < p->scroll)
		p->scroll = selpos;
	if (rows > 0 && selpos >= p->scroll + rows)
		p->scroll = selpos - rows + 1;
	for (y = 0; y < rows && (size_t)(p->scroll + y) < n; y++) {
		struct vmwatch *vm = ui->vms[idx[p->scroll + y]];
		bool sel = idx[p->scroll + y] == ui->sel;
		char sbuf[160];
		const char *state = state_of(vm, sbuf, sizeof sbuf);
		int markw = throwaway(vm) ? (int)strlen(THROWAWAY_MARK) : 0;

		if (text_width(state) + markw > width - 3 - text_width(vm->name))
			state = state_of(vm, NULL, 0);
		int statew = (int)strlen(state) + markw, namew;
		char line[256];

		/* The state gives way to the name only when both do not fit. */
		if (statew > width - 3 - text_width(vm->name))
			statew = width - 3 - text_width(vm->name) > width / 2 ?
			    width - 3 - text_width(vm->name) : width / 2;
		namew = width - statew - 3;
		wattrset(w, ui_attr(ui, sel ? (ui_focused(ui, p) ? EL_LIST_SELECTED :
		    EL_LIST_SELECTED_UNFOCUSED) : EL_LIST_NORMAL));
		mvwhline(w, y + 1, 1, ' ', width);
		snprintf(line, sizeof line, "%s %s", sel ? (ui->utf8 ? "▶" : ">") : " ",
		    vm->name);
		ui_put(w, y + 1, 1, namew + 2, line);
		if (statew < markw + 4)
			markw = 0;	/* too narrow: the state alone */
		if (markw > 0) {
			if (!sel)
				wattrset(w, ui_attr(ui, EL_STATE_STOPPED));	/* the theme's dim */
			ui_put(w, y + 1, 1 + width - statew, markw, THROWAWAY_MARK);
		}
		if (!sel)
			wattrset(w, ui_attr(ui, ui_state_el(vm)));
		ui_put(w, y + 1, 1 + width - statew + markw, statew - markw, state);
	}
	if (n == 0 && rows > 0) {
		wattrset(w, ui_attr(ui, EL_DEFAULT));
		ui_put(w, 1, 2, width - 1, ui->nvms ? "no VM matches the filter" :
		    "no profiles: see qemu-tui profile-help");
	}
	free(idx);
}

static void
list_click(struct pane *p, int x, int y, int button)
{
	struct ui *ui = p->ui;
	size_t *idx = xcalloc(ui->nvms + 1, sizeof *idx), n;
	int row = y - 1 + p->scroll;

	n = ui_visible(ui, idx);
	if (button == 4 && p->scroll > 0)
		p->scroll--;
	else if (button == 5 && (size_t)p->scroll + 1 < n)
		p->scroll++;
	else if (button == 1 && y >= 1 && row >= 0 && (size_t)row < n)
		ui->sel = idx[row];
	free(idx);
	ui_mark(ui);
}

const struct pane_ops pane_list_ops = {
	.name = "list",
	.draw = list_draw,
	.click = list_click,
};
