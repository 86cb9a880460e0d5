/*
 * The selected VM's snapshots, all its disks together plus the VM state: tag,
 * date, VM state size, the guest's clock. Keys: a saves (asks for a tag), Enter
 * loads and d deletes (both ask first). The work is vmwatch_snapshot's, on the
 * loop (QMP jobs while the VM runs, qemu-img when it is stopped); its progress
 * shows here and in the status line.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct snaps_pane {
	struct ui_list list;	/* the highlighted snapshot, the first one drawn */
	char tag[128];		/* the one a confirmation is about */
	char error[1024];	/* why the list could not be asked for */
	char vm[128];		/* whose: another VM starts afresh */
};

static int
snaps_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	(void)vm;
	(void)err;
	p->data = xcalloc(1, sizeof(struct snaps_pane));
	return 0;
}

static void
snaps_free(struct pane *p)
{
	free(p->data);
}

static void
snaps_draw(struct pane *p)
{
	struct ui *ui = p->ui;
	struct snaps_pane *sp = p->data;
	struct vmwatch *vm = ui_selected(ui);
	int rows = p->r.h - 2, width = p->r.w - 2, y = 1, last;
	char title[160], date[32], clock[32], size[32];
	qt_error err;
	size_t i;

	snprintf(title, sizeof title, "snapshots%s%s", vm ? ": " : "", vm ? vm->name : "");
	ui_frame(ui, p, title);
	if (vm == NULL || rows <= 0)
		return;
	if (strcmp(sp->vm, vm->name) != 0) {
		snprintf(sp->vm, sizeof sp->vm, "%s", vm->name);
		sp->list = (struct ui_list){ 0, 0 };
		sp->error[0] = '\0';
	}
	if (!vm->snaps_known && vm->snap_step[0] == '\0') {
		sp->error[0] = '\0';
		if (vmwatch_snapshot(vm, SNAP_LIST, NULL, &err) == -1 && !vm->snaps_known)
			snprintf(sp->error, sizeof sp->error, "%s", err.msg);
	}
	last = rows;	/* the key hint's row */
	if (vm->snaps.n > 0) {
		ui_list_line(p, &y, last, 1, ui_attr(ui, EL_DETAILS_LABEL),
		    "%-20s %-19s %10s  %-12s", "TAG", "DATE", "VM STATE", "VM CLOCK");
	} else if (vm->snaps_known && vm->snap_note[0] == '\0') {
		wattrset(p->win, ui_attr(ui, EL_DEFAULT));
		ui_put(p->win, y++, 1, width, "no snapshots (a saves one)");
	}
	/* Keep the highlighted one in view; the head, note, step and hint take 4 rows. */
	ui_list_fit(&sp->list, vm->snaps.n);
	ui_list_follow(&sp->list, rows > 4 ? (size_t)(rows - 4) : 0);
	for (i = sp->list.first; i < vm->snaps.n && y < last - 2; i++) {
		const struct snap_entry *e = &vm->snaps.items[i];

		image_format_date(e->s.date_sec, date, sizeof date);
		image_format_clock(e->s.vm_clock_ns, clock, sizeof clock);
		if (e->s.vm_size > 0)
			image_format_size(e->s.vm_size, size, sizeof size);
		else
			snprintf(size, sizeof size, "disks only");
		ui_list_line(p, &y, last - 2, 1,
		    ui_list_attr(p, i == sp->list.sel, EL_LIST_NORMAL),
		    "%-20s %-19s %10s  %-12s%s", e->s.tag, date, size, clock,
		    e->ndisks < vm->snaps.ndisks ? "  (not on every disk)" : "");
	}
	if (vm->snap_step[0] != '\0') {
		wattrset(p->win, ui_attr(ui, EL_STATUS_INFO));
		ui_put(p->win, last - 2, 1, width, vm->snap_step);
	}
	if (vm->snap_note[0] != '\0' || sp->error[0] != '\0') {
		wattrset(p->win, ui_attr(ui, EL_STATUS_ERROR));
		ui_put(p->win, last - 1, 1, width, sp->error[0] ? sp->error : vm->snap_note);
	}
	wattrset(p->win, ui_attr(ui, EL_KEYBAR));
	ui_put(p->win, last, 1, width, vm_state_live(vm->state) ?
	    "a save (with RAM)  Enter load  d delete  Up/Down select" :
	    "a save (disks)  Enter load  d delete  Up/Down select");
}

static void
save_tag(struct ui *ui, struct vmwatch *vm, const char *tag)
{
	qt_error err;

	if (vm != NULL && vmwatch_snapshot(vm, SNAP_SAVE, tag, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
}

/* The confirmations' yes: the tag is the pane's. */
static void
confirmed(struct ui *ui, struct vmwatch *vm, enum snap_op op)
{
	struct pane *p = ui_pane_find(ui, &pane_snapshots_ops, NULL);
	struct snaps_pane *sp = p != NULL ? p->data : NULL;
	qt_error err;

	if (vm == NULL || sp == NULL)
		return;
	if (vmwatch_snapshot(vm, op, sp->tag, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
}

static void
load_confirmed(struct ui *ui, struct vmwatch *vm)
{
	confirmed(ui, vm, SNAP_LOAD);
}

static void
delete_confirmed(struct ui *ui, struct vmwatch *vm)
{
	confirmed(ui, vm, SNAP_DELETE);
}

static enum pane_key
snaps_key(struct pane *p, int key, bool keycode)
{
	struct ui *ui = p->ui;
	struct snaps_pane *sp = p->data;
	struct vmwatch *vm = ui_selected(ui);
	char tag[64];
	time_t now = time(NULL);
	struct tm tm;

	if (vm == NULL)
		return PANE_KEY_IGNORED;
	if (ui_list_key(&sp->list, vm->snaps.n, UI_LIST_LINES, key, keycode)) {
		/* moved */
	} else if (!keycode && key == 'a') {
		localtime_r(&now, &tm);
		strftime(tag, sizeof tag, "snap-%Y%m%d-%H%M%S", &tm);
		ui_prompt(ui, save_tag, vm, tag, "Save a snapshot of %s (%s). Tag:", vm->name,
		    vm_state_live(vm->state) ? "running: disks and RAM" : "stopped: disks");
	} else if ((keycode && (key == KEY_ENTER || key == KEY_DC)) ||
	    (!keycode && (key == '\r' || key == '\n' || key == 'd'))) {
		if (vm->snaps.n == 0) {
			ui_message(ui, true, "%s has no snapshot to %s", vm->name,
			    key == 'd' || key == KEY_DC ? "delete" : "load");
			return PANE_KEY_HANDLED;
		}
		snprintf(sp->tag, sizeof sp->tag, "%s", vm->snaps.items[sp->list.sel].s.tag);
		if (key == 'd' || key == KEY_DC)
			ui_ask(ui, delete_confirmed, vm, "Delete snapshot %s of %s from all its "
			    "disks?", sp->tag, vm->name);
		else
			ui_ask(ui, load_confirmed, vm, "Load snapshot %s into %s? %s", sp->tag,
			    vm->name, vm_state_live(vm->state) ? "The running guest goes back "
			    "to that moment; what it did since is lost." : "The disks go back to "
			    "that moment; what was written since is lost.");
	} else
		return PANE_KEY_IGNORED;
	ui_mark(ui);
	return PANE_KEY_HANDLED;
}

const struct pane_ops pane_snapshots_ops = {
	.name = "snapshots",
	.init = snaps_init,
	.free = snaps_free,
	.draw = snaps_draw,
	.key = snaps_key,
};
