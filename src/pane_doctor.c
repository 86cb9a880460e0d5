/*
 * The doctor pane of one VM: the checks of `qemu-tui doctor NAME` (doctor.c), each
 * problem with its fix line; r runs them again. The QEMU binary's `--version` probe
 * is the one check that runs a program: here it is a child on the loop (its output
 * read by a watcher, its end seen in loop.c's SIGCHLD path, killed after 5 s), and
 * the checks are made when it has answered; the others are quick system calls.
 */
#include "ui_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "spawnchild.h"

#define PROBE_MS	5000
#define PROBE_MAX_OUT	512

/* A `BIN --version` child. Freed when both its output ended and it was reaped; the
 * pane may go first (owner NULL). */
struct probe {
	struct loop *loop;
	struct pane *owner;
	char *bin;
	pid_t pid;
	int fd;
	unsigned long timer;
	char out[PROBE_MAX_OUT];
	size_t len;
	bool reaped;
};

struct dpane {
	char *name;
	struct probe *probe;		/* in flight */
	struct doctor_report report;
	bool checked;			/* report holds a run's results */
	char *version;			/* the probe's answer, NULL: not found */
	struct ui_list list;		/* first: the first check shown (PgUp/PgDn) */
};

static void probe_finish(struct probe *pr);

static struct vmwatch *
dpane_vm(struct pane *p)
{
	return ui_find_vm(p->ui, ((struct dpane *)p->data)->name);
}

static const char *
known_version(const char *bin, void *arg)
{
	return ((struct dpane *)arg)->version;
}

/* The checks themselves, once the version is known. */
static void
run_checks(struct pane *p)
{
	struct dpane *dp = p->data;
	struct vmwatch *vm = dpane_vm(p);
	const struct doctor_versions known = { known_version, dp };

	doctor_report_free(&dp->report);
	if (vm != NULL) {
		doctor_vm(&dp->report, vm->profile, &known);
		dp->checked = true;
	}
	ui_mark(p->ui);
}

static void
probe_free_if_done(struct probe *pr)
{
	if (pr->fd == -1 && pr->reaped) {
		free(pr->bin);
		free(pr);
	}
}

static void
probe_io(int fd, short revents, void *arg)
{
	struct probe *pr = arg;
	ssize_t n = 0;

	if (pr->len < sizeof pr->out)
		n = read(fd, pr->out + pr->len, sizeof pr->out - pr->len);
	else {
		char drop[256];

		n = read(fd, drop, sizeof drop);
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		if (pr->len < sizeof pr->out)
			pr->len += (size_t)n;
		return;
	}
	probe_finish(pr);
}

static void
probe_reaped(pid_t pid, int status, void *arg)
{
	struct probe *pr = arg;

	pr->reaped = true;
	probe_free_if_done(pr);
}

static void
probe_timeout(void *arg)
{
	struct probe *pr = arg;

	pr->timer = 0;
	kill(pr->pid, SIGKILL);
	probe_finish(pr);
}

/* Its output ended (or it took too long): the answer goes to the pane, if any. */
static void
probe_finish(struct probe *pr)
{
	struct pane *p = pr->owner;

	if (pr->fd == -1)
		return;
	loop_io_del(pr->loop, pr->fd);
	close(pr->fd);
	pr->fd = -1;
	if (pr->timer != 0)
		loop_timer_del(pr->loop, pr->timer);
	pr->timer = 0;
	if (p != NULL) {
		struct dpane *dp = p->data;

		dp->probe = NULL;
		free(dp->version);
		dp->version = doctor_version_line(pr->out, pr->len);
		run_checks(p);
	}
	probe_free_if_done(pr);
}

static struct probe *
probe_start(struct pane *p, const char *bin)
{
	char *argv[] = { (char *)bin, "--version", NULL };
	struct probe *pr;
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return NULL;
	/* Not fork: the dashboard is large, and a fork's child would run the loop's
	 * signal handlers until exec. */
	pid = spawn_child(argv, -1, fds[1], -1, false, NULL, NULL);
	if (pid == -1) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	close(fds[1]);
	pr = xcalloc(1, sizeof *pr);
	pr->loop = p->ui->loop;
	pr->owner = p;
	pr->bin = xstrdup(bin);
	pr->pid = pid;
	pr->fd = fds[0];
	fcntl(pr->fd, F_SETFL, O_NONBLOCK);
	loop_io_add(pr->loop, pr->fd, POLLIN, probe_io, pr);
	loop_child(pr->loop, pid, probe_reaped, pr);
	pr->timer = loop_timer_add(pr->loop, PROBE_MS, 0, probe_timeout, pr);
	return pr;
}

/* Run the checks again: the probe first, when the profile names a binary. */
static void
check_again(struct pane *p)
{
	struct dpane *dp = p->data;
	struct vmwatch *vm = dpane_vm(p);
	const char *bin = vm != NULL ? doctor_vm_binary(vm->profile) : NULL;

	if (dp->probe != NULL || vm == NULL)
		return;
	free(dp->version);
	dp->version = NULL;
	if (bin == NULL || (dp->probe = probe_start(p, bin)) == NULL)
		run_checks(p);	/* no binary to probe, or no fork: "not found" */
	ui_mark(p->ui);
}

static int
doc_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	struct dpane *dp = xcalloc(1, sizeof *dp);

	dp->name = xstrdup(vm->name);
	p->data = dp;
	check_again(p);
	return 0;
}

static void
doc_free(struct pane *p)
{
	struct dpane *dp = p->data;

	if (dp->probe != NULL)
		dp->probe->owner = NULL;	/* it finishes on its own */
	doctor_report_free(&dp->report);
	free(dp->version);
	free(dp->name);
	free(dp);
}

static const char *
doc_vm(struct pane *p)
{
	return ((struct dpane *)p->data)->name;
}

static void
doc_draw(struct pane *p)
{
	struct dpane *dp = p->data;
	int y = 1, width = p->r.w - 2, max = p->r.h - 1;
	char title[160];
	size_t i;

	snprintf(title, sizeof title, "%s: doctor%s", dp->name, dp->probe != NULL ?
	    " (checking…)" : !dp->checked ? "" : dp->report.fails ?
	    " - something blocks its start" : " - nothing blocks its start");
	ui_frame(p->ui, p, title);
	if (!dp->checked) {
		ui_put(p->win, y, 2, width - 1, "checking…");
		return;
	}
	ui_list_fit(&dp->list, dp->report.n);
	for (i = dp->list.first; i < dp->report.n && y < max; i++) {
		const struct doctor_check *c = &dp->report.checks[i];
		enum ui_el el = c->level == DOCTOR_FAIL ? EL_STATE_CRASHED :
		    c->level == DOCTOR_WARN ? EL_STATE_PAUSED : EL_DEFAULT;

		ui_list_line(p, &y, max, 1, ui_attr(p->ui, el), "%-4s %-16s %s",
		    doctor_level_word(c->level), c->name, c->detail);
		if (c->fix != NULL && c->level != DOCTOR_OK)
			ui_list_line(p, &y, max, 1, ui_attr(p->ui, EL_DETAILS_LABEL),
			    "     fix: %s", c->fix);
	}
	ui_list_line(p, &y, max, 1, ui_attr(p->ui, EL_DEFAULT),
	    "r: check again  PgUp/PgDn: scroll  q: close");
}

static enum pane_key
doc_key(struct pane *p, int key, bool keycode)
{
	struct dpane *dp = p->data;

	if (ui_list_key(&dp->list, dp->report.n, UI_LIST_PAGES, key, keycode)) {
		/* scrolled */
	} else if (keycode)
		return PANE_KEY_IGNORED;
	else if (key == 'r')
		check_again(p);
	else if (key == 'q' || key == 'x' || key == 27)
		return PANE_KEY_CLOSE;
	else
		return PANE_KEY_IGNORED;
	ui_mark(p->ui);
	return PANE_KEY_HANDLED;
}

const struct pane_ops pane_doctor_ops = {
	.name = "doctor",
	.init = doc_init,
	.free = doc_free,
	.draw = doc_draw,
	.key = doc_key,
	.vm = doc_vm,
};
