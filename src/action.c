/*
 * Dashboard actions: a function per action and the one table of them at the end of
 * this file. The table drives the default bindings (settings.c), the ? help and the
 * key bar (ui_dialog.c, ui.c) and the dispatch (action_run). To add an action, write
 * its function here and add its row; nothing else changes.
 */
#include "action.h"
#include "ui_priv.h"

#include "image.h"
#include "prepare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the VM actions ---- */

static void
start(struct ui *ui, struct vmwatch *w, bool throwaway)
{
	qt_error err;
	char key[16];

	/* A disk made meanwhile (D, the CLI): the profile may be whole again. */
	if (w->profile->needs_disk != NULL)
		profile_validate(w->profile, NULL);
	if (w->profile->needs_disk != NULL)
		ui_message(ui, true, "%s needs a disk (%s makes it): %s", w->name,
		    ui_key_for(ui, "make-disk", key, sizeof key), w->profile->needs_disk);
	else if (w->profile->broken != NULL)
		ui_message(ui, true, "%s", w->profile->broken);
	else if (vmwatch_start(w, throwaway, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else {
		ui_message(ui, false, "starting %s%s…", w->name,
		    throwaway ? " as a throwaway run" : "");
		w->ssh_auto_pending = w->profile->ssh.auto_open;
	}
}

static void
do_start(struct ui *ui, struct vmwatch *w)
{
	start(ui, w, false);
}

static void
do_start_throwaway(struct ui *ui, struct vmwatch *w)
{
	start(ui, w, true);
}

static void
do_stop(struct ui *ui, struct vmwatch *w)
{
	qt_error err;

	if (vmwatch_stop(w, false, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
}

static void
do_force_stop(struct ui *ui, struct vmwatch *w)
{
	qt_error err;

	if (vmwatch_stop(w, true, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
}

static void
do_pause_resume(struct ui *ui, struct vmwatch *w)
{
	qt_error err;

	if (vmwatch_pause_toggle(w, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
}

static void
do_reset(struct ui *ui, struct vmwatch *w)
{
	qt_error err;

	if (vmwatch_reset(w, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		ui_message(ui, false, "%s reset", w->name);
}

/* ---- disks ---- */

static void
made_disk_started(struct ui *ui, struct vmwatch *w, bool started, const char *what)
{
	if (started)
		ui_message(ui, false, "%s: making %s…", w->name, what);
	else
		ui_message(ui, false, "%s: every disk is there; nothing to make", w->name);
}

static void
blank_size_typed(struct ui *ui, struct vmwatch *w, const char *text)
{
	char buf[64], *size;
	uint64_t bytes;
	bool started;
	qt_error err;

	snprintf(buf, sizeof buf, "%s", text);
	size = str_trim(buf);
	if (image_parse_size(size, &bytes) == -1 || bytes == 0) {
		ui_message(ui, true, "\"%s\" is not a disk size (like 8G, 512M, 204800K); "
		    "nothing was made", size);
		return;
	}
	if (vmwatch_prepare(w, size, &started, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		made_disk_started(ui, w, started, "a blank disk");
}

/*
 * Make what the profile's drives need: from, size and backing as a start
 * would; a missing disk nothing says how to make is made blank at a size the
 * user types. Nothing starts the VM: s does, once the disk is there.
 */
static void
do_make_disk(struct ui *ui, struct vmwatch *w)
{
	struct prepare_fact *facts = prepare_facts(w->profile, false);
	struct prepare_plan plan, blank;
	const struct prepare_step *s;
	bool started;
	qt_error err;

	prepare_plan(w->profile, facts, NULL, &plan);
	prepare_plan(w->profile, facts, PROFILE_BLANK_DISK_SIZE, &blank);
	free(facts);
	if (blank.n > plan.n) {
		/* The first disk only the user's size can make: ask for it. */
		for (s = blank.steps; s < blank.steps + blank.n - 1; s++)
			if (s->kind == PREP_CREATE && w->profile->drives[s->drive].size == NULL)
				break;
		ui_prompt(ui, blank_size_typed, w, PROFILE_BLANK_DISK_SIZE,
		    "%s: drives[%zu] (%s) does not exist. Make it blank (%s) at what size?",
		    w->name, s->drive, s->file, s->format);
	} else if (plan.n == 0 && w->profile->needs_disk != NULL)
		ui_message(ui, true, "%s", w->profile->needs_disk);
	else if (vmwatch_prepare(w, NULL, &started, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		made_disk_started(ui, w, started, "its disks");
	prepare_plan_free(&plan);
	prepare_plan_free(&blank);
}

/* One console per VM: a second c focuses it. The first console takes most of the
 * details' column, the next ones go beside the last. */
static void
do_console(struct ui *ui, struct vmwatch *w)
{
	struct pane *p = ui_pane_find(ui, &pane_console_ops, w->name);

	if (p != NULL)
		ui_pane_focus(ui, p);
	else if ((p = ui_pane_find(ui, &pane_console_ops, NULL)) != NULL)
		ui_pane_open(ui, &pane_console_ops, w, layout_find(ui->layout, p),
		    LAYOUT_LEFTRIGHT, 50);
	else
		ui_pane_open(ui, &pane_console_ops, w, layout_find(ui->layout,
		    ui->details), LAYOUT_TOPBOTTOM, 70);
}

/* Where an SSH pane goes: beside the focused terminal pane, else the last SSH pane,
 * else the last terminal pane, else under the details (taking most of their column). */
static void
open_ssh(struct ui *ui, struct vmwatch *w, enum layout_split how)
{
	struct pane *anchor = ui_focused_pane(ui);
	int percent = 50;

	if (w->profile->broken != NULL) {
		ui_message(ui, true, "%s", w->profile->broken);
		return;
	}
	if (!vm_state_live(w->state)) {
		char key[16];

		ui_message(ui, true, "%s is %s: start it first (%s)", w->name,
		    vm_state_name(w->state), ui_key_for(ui, "start", key, sizeof key));
		return;
	}
	if (anchor == NULL || !anchor->ops->terminal)
		anchor = ui_pane_find(ui, &pane_ssh_ops, NULL);
	if (anchor == NULL)
		anchor = ui_pane_find(ui, NULL, NULL);
	if (anchor == NULL) {
		anchor = ui->details;
		percent = 70;
		how = LAYOUT_TOPBOTTOM;
	}
	ui_pane_open(ui, &pane_ssh_ops, w, layout_find(ui->layout, anchor), how, percent);
}

static void
do_ssh_beside(struct ui *ui, struct vmwatch *w)
{
	open_ssh(ui, w, LAYOUT_LEFTRIGHT);
}

static void
do_ssh_below(struct ui *ui, struct vmwatch *w)
{
	open_ssh(ui, w, LAYOUT_TOPBOTTOM);
}

/* The forwards and doctor panes: one each per VM (again: focus it), under the details. */
static void
open_info_pane(struct ui *ui, const struct pane_ops *ops, struct vmwatch *w)
{
	struct pane *p = ui_pane_find(ui, ops, w->name);

	if (p != NULL && layout_find(ui->layout, p) != NULL)
		ui_pane_focus(ui, p);
	else
		ui_pane_open(ui, ops, w, layout_find(ui->layout, ui->details),
		    LAYOUT_TOPBOTTOM, 60);
}

static void
do_forwards(struct ui *ui, struct vmwatch *w)
{
	open_info_pane(ui, &pane_forwards_ops, w);
}

static void
do_doctor(struct ui *ui, struct vmwatch *w)
{
	open_info_pane(ui, &pane_doctor_ops, w);
}

static void
do_edit(struct ui *ui, struct vmwatch *w)
{
	const char *editor = getenv("VISUAL");
	char *path = xstrdup(w->profile->path), *name = xstrdup(w->name);
	int status = 0;
	pid_t pid;

	if (editor == NULL || *editor == '\0')
		editor = getenv("EDITOR");
	if (editor == NULL || *editor == '\0')
		editor = "vi";
	def_prog_mode();
	endwin();
	/* The editor owns the terminal until it exits; the VMs run on under their supervisors. */
	if ((pid = fork()) == 0) {
		execlp(editor, editor, path, (char *)NULL);
		fprintf(stderr, "qemu-tui: cannot run %s: %s\n", editor, strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(curscr, TRUE);
	ui_load_profiles(ui);
	w = ui_find_vm(ui, name);
	if (pid == -1 || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
		ui_message(ui, true, "could not run the editor \"%s\": set $EDITOR", editor);
	else if (w != NULL && w->profile->broken != NULL)
		ui_message(ui, true, "%s", w->profile->broken);
	else
		ui_message(ui, false, "%s reloaded", path);
	free(path);
	free(name);
	ui_place_panes(ui);
}

/* ---- disks and jobs ---- */

static void
do_disks(struct ui *ui, struct vmwatch *w)
{
	pane_disks_show(ui, w);
}

/* The newest job first: the one the status line shows. */
static void
do_cancel_job(struct ui *ui, struct vmwatch *w)
{
	size_t n = jobs_count(ui->jobs);
	struct job *j;

	if (n == 0) {
		ui_message(ui, true, "no job is running");
		return;
	}
	j = jobs_at(ui->jobs, n - 1);
	job_cancel(j);
	ui_message(ui, false, "cancelling %s…", job_title(j));
}

/* The selected VM's snapshots below the details; again: closed. */
static void
do_snapshots(struct ui *ui, struct vmwatch *w)
{
	struct pane *p = ui_pane_find(ui, &pane_snapshots_ops, NULL);

	if (p != NULL)
		ui_pane_close(ui, p);
	else
		ui_pane_open(ui, &pane_snapshots_ops, w, layout_find(ui->layout, ui->details),
		    LAYOUT_TOPBOTTOM, 60);
}

/* ---- the dashboard's own ---- */

static void
do_reload(struct ui *ui, struct vmwatch *w)
{
	ui_load_profiles(ui);
	ui_message(ui, false, "profiles reloaded (%zu)", ui->nvms);
}

static void
do_filter(struct ui *ui, struct vmwatch *w)
{
	ui->filtering = true;
	ui->filter[0] = '\0';
	ui->dirty_status = true;
}

static void
do_close_pane(struct ui *ui, struct vmwatch *w)
{
	struct pane *p = ui_focused_pane(ui);

	if (p != NULL && (p->ops->terminal || p->ops == &pane_disks_ops))
		ui_pane_close(ui, p);
	else
		ui_message(ui, true, "only console, SSH and disks panes close (focus one "
		    "with Tab)");
}

static void
do_events(struct ui *ui, struct vmwatch *w)
{
	if (layout_find(ui->layout, ui->events) != NULL)
		ui_pane_hide(ui, ui->events);
	else {
		layout_split(ui->layout, layout_find(ui->layout, ui->details),
		    LAYOUT_TOPBOTTOM, 40, LAYOUT_PERCENT, ui->events);
		ui_place_panes(ui);
	}
}

/* The list comes back full height at the left, whatever the panes did meanwhile. */
static void
do_list(struct ui *ui, struct vmwatch *w)
{
	if (layout_find(ui->layout, ui->list) != NULL)
		ui_pane_hide(ui, ui->list);
	else {
		layout_split_root(ui->layout, LAYOUT_LEFTRIGHT, 38,
		    LAYOUT_PERCENT | LAYOUT_BEFORE, ui->list);
		ui_place_panes(ui);
	}
}

static void
do_up(struct ui *ui, struct vmwatch *w)
{
	ui_move_selection(ui, -1);
}

static void
do_down(struct ui *ui, struct vmwatch *w)
{
	ui_move_selection(ui, 1);
}

static void
do_top(struct ui *ui, struct vmwatch *w)
{
	ui_move_selection(ui, -100000);
}

static void
do_bottom(struct ui *ui, struct vmwatch *w)
{
	ui_move_selection(ui, 100000);
}

/* Focus changes may end a zoom or, in a tiny area, change what is visible. */
static void
do_next_pane(struct ui *ui, struct vmwatch *w)
{
	layout_focus_next(ui->layout);
	ui_place_panes(ui);
}

static void
do_prev_pane(struct ui *ui, struct vmwatch *w)
{
	layout_focus_prev(ui->layout);
	ui_place_panes(ui);
}

static void
do_zoom(struct ui *ui, struct vmwatch *w)
{
	layout_zoom(ui->layout, layout_zoomed(ui->layout) ? NULL :
	    layout_focus(ui->layout));
	ui_place_panes(ui);
}

static void
focus_dir(struct ui *ui, enum layout_dir dir)
{
	layout_focus_dir(ui->layout, dir);
	ui_place_panes(ui);
}

static void
do_focus_left(struct ui *ui, struct vmwatch *w)
{
	focus_dir(ui, LAYOUT_LEFT);
}

static void
do_focus_right(struct ui *ui, struct vmwatch *w)
{
	focus_dir(ui, LAYOUT_RIGHT);
}

static void
do_focus_up(struct ui *ui, struct vmwatch *w)
{
	focus_dir(ui, LAYOUT_UP);
}

static void
do_focus_down(struct ui *ui, struct vmwatch *w)
{
	focus_dir(ui, LAYOUT_DOWN);
}

/* Broadcast input: the focused console or SSH pane becomes a receiver (or stops
 * being one); what is typed in any receiver goes to all of them. */
static void
do_broadcast(struct ui *ui, struct vmwatch *w)
{
	struct pane *p = ui_focused_pane(ui);
	struct tpane *tp;
	char names[256], key[16], off[16];
	size_t n;

	if (p == NULL || !p->ops->terminal) {
		ui_message(ui, true, "broadcast: focus a console or SSH pane, then press %s "
		    "there (after the prefix key) to add it", ui_key_for(ui, "broadcast", key,
		    sizeof key));
		return;
	}
	tp = p->data;
	tpane_set_receiver(p, !tp->receiver);
	n = tpane_receivers(ui, names, sizeof names);
	ui_key_for(ui, "broadcast", key, sizeof key);
	ui_key_for(ui, "broadcast-off", off, sizeof off);
	if (n == 0)
		ui_message(ui, false, "broadcast off: typing goes to the focused pane only");
	else if (n == 1)
		ui_message(ui, false, "broadcast: %s receives; %s in another console or SSH "
		    "pane adds it (%s ends broadcast)", names, key, off);
	else
		ui_message(ui, false, "broadcast: what is typed in %s goes to all %zu (%s takes "
		    "a pane out, %s ends broadcast)", names, n, key, off);
}

static void
do_broadcast_off(struct ui *ui, struct vmwatch *w)
{
	char names[256];

	if (tpane_receivers(ui, names, sizeof names) == 0) {
		ui_message(ui, false, "broadcast is not on");
		return;
	}
	tpane_broadcast_off(ui);
	ui_message(ui, false, "broadcast off: typing goes to the focused pane only");
}

static void
do_help(struct ui *ui, struct vmwatch *w)
{
	ui->dialog = DIALOG_HELP;
	ui_mark(ui);
}

static void
do_quit_now(struct ui *ui, struct vmwatch *w)
{
	ui->quit = true;
}

static void
do_quit(struct ui *ui, struct vmwatch *w)
{
	char names[256];
	size_t n = ui_running_count(ui, names, sizeof names), jobs = jobs_count(ui->jobs);

	if (jobs > 0)
		ui_ask(ui, do_quit_now, NULL, "Quit? %zu job%s running (%s) will be cancelled; "
		    "nothing is left behind.%s", jobs, jobs == 1 ? " is" : "s are",
		    job_title(jobs_at(ui->jobs, jobs - 1)), n > 0 ? " The VMs keep running." : "");
	else if (n > 0)
		ui_ask(ui, do_quit_now, NULL, "Quit? %zu VM%s keep%s running (%s); the next "
		    "qemu-tui shows %s again.", n, n == 1 ? "" : "s", n == 1 ? "s" : "",
		    names, n == 1 ? "it" : "them");
	else
		do_quit_now(ui, NULL);
}

/* ---- making, cloning, renaming, deleting VMs (ui_form.c) ---- */

static void
do_new(struct ui *ui, struct vmwatch *w)
{
	(void)w;
	ui_form_new_vm(ui);
}

static void
do_clone(struct ui *ui, struct vmwatch *w)
{
	ui_form_clone(ui, w);
}

static void
do_rename(struct ui *ui, struct vmwatch *w)
{
	ui_form_rename(ui, w);
}

static void
do_delete(struct ui *ui, struct vmwatch *w)
{
	ui_form_delete(ui, w);
}

/* ---- the table ---- */

#define A_VM		0x1	/* needs a VM: the selected one */
#define A_PANE_VM	0x2	/* needs a VM: the focused terminal pane's, else the selected one */
#define A_PREFIX	0x4	/* the default keys work after the prefix key only */

static const struct action {
	const char *name;	/* for `bind KEY NAME` and the help */
	const char *keys;	/* default keys, settings key names, first one shown in the key bar */
	const char *help;
	const char *label;	/* key bar; NULL: not there */
	unsigned flags;
	const char *confirm;	/* asked first, %s the VM's name; NULL: not asked */
	void (*fn)(struct ui *ui, struct vmwatch *vm);	/* vm is set when flags ask for one */
} actions[] = {
	{ "start", "s", "start the selected VM", "start", A_VM, NULL, do_start },
	{ "start-throwaway", "T", "start the selected VM with every write thrown away "
	    "(QEMU -snapshot, this run only)", NULL, A_VM, NULL, do_start_throwaway },
	{ "stop", "S", "stop gracefully: powerdown, then quit, SIGTERM, SIGKILL", "stop",
	    A_VM, NULL, do_stop },
	{ "force-stop", "K", "stop at once with QMP quit (asks first)", NULL, A_VM,
	    "Force stop %s now (QMP quit, no clean shutdown of the guest)?", do_force_stop },
	{ "pause", "p", "pause or resume the guest", "pause", A_VM, NULL, do_pause_resume },
	{ "reset", "r", "hard reset the guest (asks first)", "reset", A_VM,
	    "Hard reset %s (like the reset button; unsaved guest data is lost)?", do_reset },
	{ "console", "c", "open the VM's serial console in a pane (again: focus it)",
	    "console", A_PANE_VM, NULL, do_console },
	{ "ssh", "h |", "SSH shell into the VM in a pane beside (left|right split)", "ssh",
	    A_PANE_VM, NULL, do_ssh_beside },
	{ "ssh-below", "H -", "SSH shell into the VM in a pane below (top/bottom split)",
	    NULL, A_PANE_VM, NULL, do_ssh_below },
	{ "forwards", "f", "port forwards of the running VM and its guest's listening "
	    "ports, in a pane (a add, d remove, f forward a listener, r read again)", NULL,
	    A_VM, NULL, do_forwards },
	{ "doctor", "d", "the doctor's checks for the VM, each problem with its fix, in a "
	    "pane (r checks again)", NULL, A_VM, NULL, do_doctor },
	{ "close-pane", "x", "close the focused console, SSH or disks pane", NULL, 0, NULL,
	    do_close_pane },
	{ "edit", "e", "edit the profile in $EDITOR, then reload it", "edit", A_VM, NULL,
	    do_edit },
	{ "snapshots", "v", "show or hide the selected VM's snapshots (in the pane: a save, "
	    "Enter load, d delete)", NULL, A_VM, NULL, do_snapshots },
	{ "make-disk", "M", "make the VM's missing disks (from the profile, or blank at a "
	    "size you type) without starting it", NULL, A_VM, NULL, do_make_disk },
	{ "disks", "i", "the VM's disks: format, sizes, backing chain, snapshots (again: "
	    "read them again)", "disks", A_VM, NULL, do_disks },
	{ "cancel-job", "X", "cancel the newest qemu-img job in the status line (again: "
	    "kill it)", NULL, 0, NULL, do_cancel_job },
	{ "reload", "F5 R", "reload every profile from disk", NULL, 0, NULL, do_reload },
	{ "new", "n", "a new VM: a form, each answer checked as it is typed", "new", 0, NULL,
	    do_new },
	{ "clone", "C", "clone the selected VM (asks for the new name; overlays on its "
	    "disks)", NULL, A_VM, NULL, do_clone },
	{ "rename", "N", "rename the selected VM (stopped)", NULL, A_VM, NULL, do_rename },
	{ "delete", "D", "delete the selected VM's profile (asks; then asks about its disks)",
	    NULL, A_VM, "Delete %s's profile? (Its disks and state, if it has any, are "
	    "asked about next.)", do_delete },
	{ "filter", "/", "filter the VM list by name", "filter", 0, NULL, do_filter },
	{ "events", "l", "show or hide the QMP event log (3 lines while a terminal pane "
	    "is open)", "events", 0, NULL, do_events },
	{ "list", "b", "hide or show the VM list (the panes get the whole width)", NULL, 0,
	    NULL, do_list },
	{ "up", "Up k", "select the previous VM / scroll up", NULL, 0, NULL, do_up },
	{ "down", "Down j", "select the next VM / scroll down", NULL, 0, NULL, do_down },
	{ "top", "Home g", "first VM", NULL, 0, NULL, do_top },
	{ "bottom", "End G", "last VM", NULL, 0, NULL, do_bottom },
	{ "next-pane", "Tab", "move focus to the next pane", NULL, 0, NULL, do_next_pane },
	{ "prev-pane", "BTab", "move focus to the previous pane", NULL, 0, NULL, do_prev_pane },
	{ "focus-left", "Left", "move focus to the pane on the left", NULL, A_PREFIX, NULL,
	    do_focus_left },
	{ "focus-right", "Right", "move focus to the pane on the right", NULL, A_PREFIX,
	    NULL, do_focus_right },
	{ "focus-up", "Up", "move focus to the pane above", NULL, A_PREFIX, NULL, do_focus_up },
	{ "focus-down", "Down", "move focus to the pane below", NULL, A_PREFIX, NULL,
	    do_focus_down },
	{ "zoom", "z", "zoom the focused pane to the whole screen and back", NULL, 0, NULL,
	    do_zoom },
	{ "broadcast", "B", "mark or unmark the focused console/SSH pane as a broadcast receiver",
	    NULL, 0, NULL, do_broadcast },
	{ "broadcast-off", "O", "end broadcast input: no pane receives any more", NULL, 0,
	    NULL, do_broadcast_off },
	{ "help", "? F1", "show this help", "help", 0, NULL, do_help },
	{ "quit", "q", "quit the dashboard; running VMs keep running", "quit", 0, NULL,
	    do_quit },
};

#define NACTIONS ((int)(sizeof actions / sizeof actions[0]))

int
action_count(void)
{
	return NACTIONS;
}

int
action_find(const char *name)
{
	int a;

	for (a = 0; a < NACTIONS; a++)
		if (strcmp(actions[a].name, name) == 0)
			return a;
	return ACTION_NONE;
}

const char *
action_name(int a)
{
	return a >= 0 && a < NACTIONS ? actions[a].name : "none";
}

const char *
action_help(int a)
{
	return a >= 0 && a < NACTIONS ? actions[a].help : "";
}

const char *
action_label(int a)
{
	return a >= 0 && a < NACTIONS ? actions[a].label : NULL;
}

const char *
action_keys(int a)
{
	return a >= 0 && a < NACTIONS ? actions[a].keys : "";
}

bool
action_after_prefix(int a)
{
	return a >= 0 && a < NACTIONS && (actions[a].flags & A_PREFIX) != 0;
}

/* The VM of the focused terminal pane, else the selection. */
static struct vmwatch *
pane_vm(struct ui *ui)
{
	struct pane *p = ui_focused_pane(ui);

	if (p != NULL && p->ops->vm != NULL)
		return ui_find_vm(ui, p->ops->vm(p));
	return ui_selected(ui);
}

void
action_run(struct ui *ui, int a, struct vmwatch *vm)
{
	const struct action *r;
	char question[256];

	if (a < 0 || a >= NACTIONS)
		return;
	r = &actions[a];
	if (vm == NULL && (r->flags & (A_VM | A_PANE_VM))) {
		vm = r->flags & A_PANE_VM ? pane_vm(ui) : ui_selected(ui);
		if (vm == NULL) {
			ui_message(ui, true, "no VM selected");
			return;
		}
	}
	if (r->confirm != NULL) {
		/* The row's own text, with the VM's name for its one %s. */
		snprintf(question, sizeof question, r->confirm, vm != NULL ? vm->name : "");
		ui_ask(ui, r->fn, vm, "%s", question);
	} else
		r->fn(ui, vm);
}
