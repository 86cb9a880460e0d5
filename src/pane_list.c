/* The VM list pane: every profile with its state; selection, filter, clicks. */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		const char *state = vm->profile->broken ? "broken" : vm->state_text;
		int statew = (int)strlen(state), namew;
		char line[256];

		if (statew > width / 2)
			statew = width / 2;
		namew = width - statew - 3;
		wattrset(w, ui_attr(ui, sel ? (ui_focused(ui, p) ? EL_LIST_SELECTED :
		    EL_LIST_SELECTED_UNFOCUSED) : EL_LIST_NORMAL));
		mvwhline(w, y + 1, 1, ' ', width);
		snprintf(line, sizeof line, "%s %s", sel ? (ui->utf8 ? "▶" : ">") : " ",
		    vm->name);
		ui_put(w, y + 1, 1, namew + 2, line);
		if (!sel)
			wattrset(w, ui_attr(ui, ui_state_el(vm)));
		ui_put(w, y + 1, 1 + width - statew, statew, state);
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
	"list", list_draw, NULL, list_click, NULL, NULL, NULL
};
