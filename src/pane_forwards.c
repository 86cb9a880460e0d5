/*
 * The forwards pane of one running VM with user networking: its forwards (the SSH
 * one, the profile's, the ones added to this run, as `qemu-tui forward NAME list`
 * shows them) and the ports the guest listens on, read from its /proc/net/tcp and
 * tcp6 over SSH (ssh.c's one-command run, on the loop). Keys: a adds a forward
 * (a prompt), d removes the selected added one, f or Enter forwards the selected
 * listener to the same host port or the next free one, r reads everything again.
 * Changes go through forward.c, so they are kept in the run directory as the CLI's.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forward.h"
#include "ssh.h"

#define MAX_ROWS	80
#define MAX_LISTEN	128
/* /proc/net/tcp is 150 bytes a socket: room for a few thousand. */
#define LISTEN_MAX_OUT	(512 * 1024)
#define LISTEN_CMD	"cat /proc/net/tcp /proc/net/tcp6"

struct fpane {
	char *name;			/* the VM's; the watcher is looked up by it */
	struct forward_entry fwd[MAX_ROWS];
	size_t nfwd;
	struct forward_listener listen[MAX_LISTEN];
	size_t nlisten;
	struct ssh_run *reading;	/* the listeners' read in flight */
	char listen_note[1100];		/* how the last read went */
	bool listen_read;		/* a read has answered */
	struct forward_op *op;		/* an add or remove in flight */
	struct ui_list list;		/* sel: a row, forwards first, then listeners */
	/* What the selected row shows, so the selection stays on it when rows come
	 * or go: a forward's protocol and host port, or a listener's port. */
	bool sel_listener;
	char sel_proto[4];
	int sel_port;
};

/* Remember what row list.sel shows. */
static void
sel_remember(struct fpane *fp)
{
	if (fp->list.sel < fp->nfwd) {
		fp->sel_listener = false;
		snprintf(fp->sel_proto, sizeof fp->sel_proto, "%s", fp->fwd[fp->list.sel].f.proto);
		fp->sel_port = fp->fwd[fp->list.sel].f.host_port;
	} else if (fp->list.sel < fp->nfwd + fp->nlisten) {
		fp->sel_listener = true;
		fp->sel_port = fp->listen[fp->list.sel - fp->nfwd].port;
	}
}

/* Find the remembered row again after the rows changed (else keep the index). */
static void
sel_find(struct fpane *fp)
{
	size_t i;

	for (i = 0; !fp->sel_listener && i < fp->nfwd; i++)
		if (fp->fwd[i].f.host_port == fp->sel_port &&
		    strcmp(fp->fwd[i].f.proto, fp->sel_proto) == 0) {
			fp->list.sel = i;
			return;
		}
	for (i = 0; fp->sel_listener && i < fp->nlisten; i++)
		if (fp->listen[i].port == fp->sel_port) {
			fp->list.sel = fp->nfwd + i;
			return;
		}
}

static struct vmwatch *
fpane_vm(struct pane *p)
{
	return ui_find_vm(p->ui, ((struct fpane *)p->data)->name);
}

/* The forwards as the run directory has them now. */
static void
load_forwards(struct pane *p)
{
	struct fpane *fp = p->data;
	struct vmwatch *vm = fpane_vm(p);

	fp->nfwd = vm != NULL ? forward_list(vm->profile, &vm->run,
	    vm_state_live(vm->state), fp->fwd, MAX_ROWS) : 0;
}

static void
listeners_done(void *arg, int exit_status, const char *out, size_t len,
    const char *error)
{
	struct pane *p = arg;
	struct fpane *fp = p->data;
	struct tm tm;
	time_t now = time(NULL);
	char when[16];

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	if (error != NULL) {
		snprintf(fp->listen_note, sizeof fp->listen_note, "cannot read them over "
		    "SSH: %s", error);
		ui_message(p->ui, true, "%s: guest listeners: %s", fp->name, error);
	} else if (len == 0) {
		/* cat says why on stderr; no /proc/net/tcp means no procfs. */
		snprintf(fp->listen_note, sizeof fp->listen_note, "the guest printed no "
		    "/proc/net/tcp (exit status %d): is /proc mounted?", exit_status);
	} else {
		fp->nlisten = forward_parse_listeners(out, fp->listen, MAX_LISTEN);
		fp->listen_read = true;
		snprintf(fp->listen_note, sizeof fp->listen_note, "read at %s (r: again)", when);
	}
	/* out is the run's: freed last. */
	ssh_run_free(fp->reading);
	fp->reading = NULL;
	ui_mark(p->ui);
}

/* Read the guest's listeners again, unless a read is under way. */
static void
read_listeners(struct pane *p)
{
	struct fpane *fp = p->data;
	struct vmwatch *vm = fpane_vm(p);
	struct ssh_target t;
	qt_error err;

	if (fp->reading != NULL || vm == NULL)
		return;
	if (!vm_state_live(vm->state)) {
		snprintf(fp->listen_note, sizeof fp->listen_note, "%s is %s", vm->name,
		    vm_state_name(vm->state));
		return;
	}
	if (ssh_target_resolve(vm->profile, &vm->run, NULL, 0, &t, &err) == -1) {
		snprintf(fp->listen_note, sizeof fp->listen_note, "%s", err.msg);
		return;
	}
	fp->reading = ssh_run_start(p->ui->loop, &t, LISTEN_CMD, LISTEN_MAX_OUT,
	    listeners_done, p, &err);
	ssh_target_free(&t);
	if (fp->reading == NULL)
		snprintf(fp->listen_note, sizeof fp->listen_note, "%s", err.msg);
	else
		snprintf(fp->listen_note, sizeof fp->listen_note, "reading /proc/net/tcp "
		    "over SSH…");
}

static void
change_done(void *arg, const char *error)
{
	struct pane *p = arg;
	struct fpane *fp = p->data;

	fp->op = NULL;	/* it frees itself */
	load_forwards(p);
	if (error != NULL)
		ui_message(p->ui, true, "%s: %s", fp->name, error);
	ui_mark(p->ui);
}

/* Add or remove f, the status line saying what happens. */
static void
change(struct pane *p, bool add, const struct net_live_forward *f)
{
	struct fpane *fp = p->data;
	struct vmwatch *vm = fpane_vm(p);
	qt_error err;

	if (vm == NULL)
		return;
	if (fp->op != NULL) {
		ui_message(p->ui, true, "%s: a forward change is under way", fp->name);
		return;
	}
	if (forward_usable(vm->profile, vm->state, &err) == -1 ||
	    (fp->op = forward_change(p->ui->loop, &vm->run, add, f, change_done, p,
	    &err)) == NULL) {
		ui_message(p->ui, true, "%s: %s", fp->name, err.msg);
		return;
	}
	if (add)
		ui_message(p->ui, false, "%s: forwarding %s %s:%d to the guest's port %d",
		    fp->name, f->proto, f->addr, f->host_port, f->guest_port);
	else
		ui_message(p->ui, false, "%s: forward %s %s:%d removed", fp->name, f->proto,
		    f->addr, f->host_port);
}

static void
add_prompted(struct ui *ui, struct vmwatch *vm, const char *line)
{
	struct pane *p = vm != NULL ? ui_pane_find(ui, &pane_forwards_ops, vm->name) : NULL;
	struct net_live_forward f;
	qt_error err;

	if (p == NULL || line[strspn(line, " ")] == '\0')
		return;
	if (forward_parse(line + strspn(line, " "), &f, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		change(p, true, &f);
}

/* The selected guest listener to the same host port, or the next free one. */
static void
forward_listener(struct pane *p, const struct forward_listener *l)
{
	struct fpane *fp = p->data;
	const struct forward_entry *e = forward_for_guest_port(fp->fwd, fp->nfwd, l->port);
	struct net_live_forward f = { "tcp", "127.0.0.1", 0, l->port };
	qt_error err;

	if (e != NULL) {
		ui_message(p->ui, true, "%s: the guest's port %d is forwarded already, from "
		    "%s:%d", fp->name, l->port, e->f.addr, e->f.host_port);
		return;
	}
	if ((f.host_port = forward_host_port_for(f.addr, l->port, &err)) == -1) {
		ui_message(p->ui, true, "%s: %s", fp->name, err.msg);
		return;
	}
	change(p, true, &f);
}

static int
fwd_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	struct fpane *fp;

	if (forward_usable(vm->profile, vm->state, err) == -1)
		return -1;
	fp = xcalloc(1, sizeof *fp);
	fp->name = xstrdup(vm->name);
	p->data = fp;
	load_forwards(p);
	read_listeners(p);
	return 0;
}

static void
fwd_free(struct pane *p)
{
	struct fpane *fp = p->data;

	ssh_run_free(fp->reading);
	forward_op_free(fp->op);
	free(fp->name);
	free(fp);
}

static const char *
fwd_vm(struct pane *p)
{
	return ((struct fpane *)p->data)->name;
}

static void
fwd_draw(struct pane *p)
{
	struct fpane *fp = p->data;
	struct vmwatch *vm = fpane_vm(p);
	char title[160];
	size_t i;
	int y = 1, end = p->r.h - 1;
	attr_t plain = ui_attr(p->ui, EL_DEFAULT);

	load_forwards(p);
	sel_find(fp);
	ui_list_fit(&fp->list, fp->nfwd + fp->nlisten);
	snprintf(title, sizeof title, "%s: forwards", fp->name);
	ui_frame(p->ui, p, title);
	if (vm == NULL)
		return;
	if (!vm_state_live(vm->state)) {
		ui_list_line(p, &y, end, 1, plain, "%s is %s: forwards end with the run",
		    vm->name, vm_state_name(vm->state));
		return;
	}
	ui_list_line(p, &y, end, 1, plain,
	    "Forwards (host -> guest)       a: add  d: remove the selected");
	for (i = 0; i < fp->nfwd; i++)
		ui_list_line(p, &y, end, 1, ui_list_attr(p, fp->list.sel == i, EL_DEFAULT),
		    "  %s %s:%d -> %d  (%s)", fp->fwd[i].f.proto, fp->fwd[i].f.addr,
		    fp->fwd[i].f.host_port, fp->fwd[i].f.guest_port, fp->fwd[i].from);
	if (fp->nfwd == 0)
		ui_list_line(p, &y, end, 1, plain, "  none");
	ui_list_line(p, &y, end, 1, plain,
	    "Guest listeners (tcp)          f: forward the selected  r: read again");
	for (i = 0; i < fp->nlisten; i++) {
		const struct forward_listener *l = &fp->listen[i];
		const struct forward_entry *e = forward_for_guest_port(fp->fwd, fp->nfwd,
		    l->port);
		char how[160];

		if (e != NULL)
			snprintf(how, sizeof how, "forwarded from %s:%d", e->f.addr,
			    e->f.host_port);
		else
			snprintf(how, sizeof how, "not forwarded");
		ui_list_line(p, &y, end, 1,
		    ui_list_attr(p, fp->list.sel == fp->nfwd + i, EL_DEFAULT),
		    "  guest port %-5d %s%s", l->port, how,
		    l->loopback_only ? " (the guest's loopback only: unreachable)" : "");
	}
	if (fp->listen_read && fp->nlisten == 0)
		ui_list_line(p, &y, end, 1, plain, "  none");
	ui_list_line(p, &y, end, 1, plain, "  %s", fp->listen_note);
}

static enum pane_key
fwd_key(struct pane *p, int key, bool keycode)
{
	struct fpane *fp = p->data;
	size_t nrows = fp->nfwd + fp->nlisten;
	struct vmwatch *vm;

	if (ui_list_key(&fp->list, nrows, UI_LIST_LINES | UI_LIST_HOME, key, keycode)) {
		sel_remember(fp);
		ui_mark(p->ui);
		return PANE_KEY_HANDLED;
	}
	if (keycode && key == KEY_DC)
		key = 'd';
	else if (keycode && key == KEY_ENTER)
		key = '\r';
	else if (keycode)
		return PANE_KEY_IGNORED;
	switch (key) {
	case 'a':
		if ((vm = fpane_vm(p)) != NULL)
			ui_prompt(p->ui, add_prompted, vm, NULL, "Forward on %s: "
			    "[tcp|udp:][ADDR:]HOSTPORT:GUESTPORT", fp->name);
		break;
	case 'd':
		if (fp->list.sel >= fp->nfwd)
			ui_message(p->ui, true, "select a forward to remove (a guest listener "
			    "is not one)");
		else if (strcmp(fp->fwd[fp->list.sel].from, "added") != 0)
			ui_message(p->ui, true, "%s: this forward comes from %s: it lasts "
			    "as long as the run", fp->name, strcmp(fp->fwd[fp->list.sel].from,
			    "ssh") == 0 ? "the SSH port" : "the profile's network.forwards");
		else
			change(p, false, &fp->fwd[fp->list.sel].f);
		break;
	case 'f':
	case '\r':
	case '\n':
		if (fp->list.sel < fp->nfwd || fp->list.sel >= nrows)
			ui_message(p->ui, true, "select a guest listener to forward (or a: "
			    "add one by hand)");
		else
			forward_listener(p, &fp->listen[fp->list.sel - fp->nfwd]);
		break;
	case 'r':
		read_listeners(p);
		break;
	case 'q':
	case 'x':
	case 27:
		return PANE_KEY_CLOSE;
	default:
		return PANE_KEY_IGNORED;
	}
	sel_remember(fp);
	ui_mark(p->ui);
	return PANE_KEY_HANDLED;
}

const struct pane_ops pane_forwards_ops = {
	.name = "forwards",
	.init = fwd_init,
	.free = fwd_free,
	.draw = fwd_draw,
	.key = fwd_key,
	.vm = fwd_vm,
};
