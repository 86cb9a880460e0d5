/* The details pane: what the profile says and what QMP and /proc say about the selected VM. */
#include "ui_priv.h"
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rows {
	struct ui *ui;
	WINDOW *w;
	int y, max, width;
};

static void
row(struct rows *r, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
row(struct rows *r, const char *label, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	if (r->y >= r->max)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof value, fmt, ap);
	va_end(ap);
	wattrset(r->w, ui_attr(r->ui, EL_DETAILS_LABEL));
	ui_put(r->w, r->y, 2, 10, label);
	wattrset(r->w, ui_attr(r->ui, EL_DETAILS_VALUE));
	ui_put(r->w, r->y, 13, r->width - 12, value);
	r->y++;
}

static double
max_of(const double *v, int n, double floor)
{
	double m = floor;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static void
details_draw(struct pane *p)
{
	struct ui *ui = p->ui;
	struct vmwatch *vm = ui_selected(ui);
	struct rows r = { ui, p->win, 1, p->r.h - 1, p->r.w - 2 };
	const struct profile *pr;
	struct net_ssh_endpoint ssh;
	char title[128], buf[256];
	size_t i, off;
	bool live;

	snprintf(title, sizeof title, "%s", vm ? vm->name : "details");
	ui_frame(ui, p, title);
	if (vm == NULL)
		return;
	pr = vm->profile;
	live = vm_state_live(vm->state);
	net_ssh_endpoint(pr, live ? vm->run.ssh_port : 0, &ssh);
	if (pr->broken != NULL) {
		if (pr->needs_disk != NULL) {
			char key[16];

			row(&r, "Profile", "needs disk%s%s", vm->step[0] ? " - " : "", vm->step);
			row(&r, "", "%s makes it", ui_key_for(ui, "make-disk", key, sizeof key));
		} else
			row(&r, "Profile", "broken");
		/* The reason can be long: give it the lines it needs. */
		for (off = 0; off < strlen(pr->broken) && r.y < r.max;
		    off += (size_t)(r.width > 14 ? r.width - 14 : 1))
			row(&r, "", "%.*s", r.width > 14 ? r.width - 14 : 1, pr->broken + off);
		row(&r, "File", "%s", pr->path);
		return;
	}
	if (pr->description != NULL)
		row(&r, "", "%s", pr->description);
	wattrset(p->win, ui_attr(ui, ui_state_el(vm)));
	row(&r, "State", "%s%s%s", vm->state_text, vm->step[0] ? " - " : "", vm->step);
	if (live) {
		long long up = vm->run.started ? (long long)time(NULL) - vm->run.started : 0;

		row(&r, "QEMU", "pid %ld, up %lldh%02lldm%02llds, QMP %s%s%s",
		    (long)vm->run.qemu_pid, up / 3600, up / 60 % 60, up % 60,
		    vm->qmp_status[0] ? vm->qmp_status : "-",
		    vm->qemu_version[0] ? ", QEMU " : "", vm->qemu_version);
		row(&r, "Accel", "%s (%s)", vm->run.accel, vm->run.accel_reason);
	}
	if (live && vm->run.stages.n > 0) {
		const struct stages *sg = &vm->run.stages;
		long long first = sg->at[sg->order[0]];
		size_t so = 0;
		int k;

		/* Each stage after the first as seconds since the first (started). */
		buf[0] = '\0';
		for (k = 0; k < sg->n && so < sizeof buf; k++) {
			so += (size_t)snprintf(buf + so, sizeof buf - so, k == 0 ? "%s" :
			    ", %s +%.1fs", stage_name(sg->order[k]),
			    (double)(sg->at[sg->order[k]] - first) / 1000.0);
			/* After a reset of the guest the others were reached again. */
			if (k == 0 && sg->restarted != 0 && so < sizeof buf)
				so += (size_t)snprintf(buf + so, sizeof buf - so,
				    ", restarted +%.1fs", (double)(sg->restarted - first) / 1000.0);
		}
		row(&r, "Stages", "%s", buf);
	}
	row(&r, "Machine", "%s %s, %s, %d vCPU%s%s", pr->arch, pr->machine ? pr->machine : "",
	    pr->memory, live && vm->vcpus ? vm->vcpus : pr->smp,
	    (live && vm->vcpus ? vm->vcpus : pr->smp) == 1 ? "" : "s",
	    pr->cpu ? "" : "");
	if (pr->kernel != NULL)
		row(&r, "Kernel", "%s", pr->kernel);
	for (i = 0; i < pr->ndrives; i++)
		row(&r, i == 0 ? "Disks" : "", "%s: %s (%s)", pr->drives[i].iface,
		    pr->drives[i].file, pr->drives[i].format ? pr->drives[i].format : "auto");
	off = 0;
	buf[0] = '\0';
	if (pr->net.mode == NET_TAP)
		off += (size_t)snprintf(buf, sizeof buf, "tap %s", pr->net.ifname);
	else
		off += (size_t)snprintf(buf, sizeof buf, "%s", net_mode_name(pr->net.mode));
	if (live && ssh.forward && ssh.port > 0 && off < sizeof buf)
		off += (size_t)snprintf(buf + off, sizeof buf - off,
		    "; ssh %s:%d->22", ssh.host, ssh.port);
	for (i = 0; i < pr->net.nforwards && off < sizeof buf; i++)
		off += (size_t)snprintf(buf + off, sizeof buf - off, "; %s %s:%d->%d",
		    pr->net.forwards[i].proto, pr->net.forwards[i].host_addr,
		    pr->net.forwards[i].host_port, pr->net.forwards[i].guest_port);
	row(&r, "Network", "%s%s%s", buf, pr->net.mac ? ", mac " : "",
	    pr->net.mac ? pr->net.mac : "");
	if (ssh.host != NULL && ssh.port > 0 && (live || !ssh.forward))
		row(&r, "SSH", "%s@%s:%d", pr->ssh.user, ssh.host_name, ssh.port);
	if (live && r.y + 2 <= r.max) {
		int sw = r.width - 30;
		double cmax = max_of(vm->cpu, VMWATCH_HISTORY, 100);

		if (sw > VMWATCH_HISTORY)
			sw = VMWATCH_HISTORY;
		row(&r, "Host CPU", "%5.1f%%", vm->cpu[VMWATCH_HISTORY - 1]);
		if (sw > 4)
			ui_sparkline(ui, p->win, r.y - 1, 22, sw, vm->cpu, VMWATCH_HISTORY, cmax);
		row(&r, "Host RSS", "%5.0f MiB", vm->rss_mib[VMWATCH_HISTORY - 1]);
		if (sw > 4)
			ui_sparkline(ui, p->win, r.y - 1, 22, sw, vm->rss_mib, VMWATCH_HISTORY,
			    max_of(vm->rss_mib, VMWATCH_HISTORY, 1));
	}
	if (vm->log_tail != NULL && r.y < r.max) {
		char *copy = xstrdup(vm->log_tail), *line, *save = NULL;

		row(&r, "qemu.log", "(last lines)");
		for (line = strtok_r(copy, "\n", &save); line != NULL && r.y < r.max;
		    line = strtok_r(NULL, "\n", &save))
			row(&r, "", "%s", line);
		free(copy);
	}
}

const struct pane_ops pane_details_ops = {
	.name = "details",
	.draw = details_draw,
};
