/*
 * qemu-tui snapshot NAME list|save TAG|load TAG|delete TAG: a VM's snapshots, all
 * its disks together. A running VM goes through the supervisor's QMP socket
 * (snapshot-save/-load/-delete jobs, with the VM state); a stopped one through
 * qemu-img on each writable qcow2 drive (disks only). snapshot.c does the work
 * on a loop of this command's own; this file prints it.
 */
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "loop.h"
#include "qmp.h"
#include "snapshot.h"
#include "vm.h"

struct run {
	bool done, ok, tty, quiet;
	char *error;
	struct snap_list list;
	char last[256];
	bool line_open;
};

static void
on_progress(const char *step, void *arg)
{
	struct run *r = arg;

	if (r->quiet || strcmp(step, r->last) == 0)
		return;
	snprintf(r->last, sizeof r->last, "%s", step);
	/* stderr: stdout stays the result (a list, JSON). */
	if (r->tty) {
		fprintf(stderr, "\r%s\033[K", step);
		r->line_open = true;
	} else
		fprintf(stderr, "%s\n", step);
}

static void
on_done(bool ok, const char *error, const struct snap_list *list, void *arg)
{
	struct run *r = arg;

	if (r->line_open)
		fprintf(stderr, "\r\033[K");
	r->done = true;
	r->ok = ok;
	if (!ok)
		r->error = xstrdup(error);
	if (list != NULL) {
		r->list = *list;
		r->list.items = NULL;
		if (list->n > 0) {
			r->list.items = xcalloc(list->n, sizeof *list->items);
			memcpy(r->list.items, list->items, list->n * sizeof *list->items);
		}
	}
}

static void
on_sigint(int sig, void *arg)
{
	(void)sig;
	(void)arg;
	/* Half a snapshot on some disks is worse than waiting for the job. */
	fprintf(stderr, "\nqemu-tui: a snapshot job is not stopped halfway; waiting for "
	    "it to end\n");
}

static void
print_list(const char *name, const struct snap_plan *plan, bool live,
    const struct snap_list *l, bool json)
{
	char date[32], clock[32], size[32];
	struct json_object *o, *a, *e;
	size_t i;

	if (json) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "live", json_object_new_boolean(live));
		a = json_object_new_array();
		for (i = 0; i < plan->n; i++)
			json_object_array_add(a, json_object_new_string(plan->files[i]));
		json_object_object_add(o, "disks", a);
		json_object_object_add(o, "vmstate_disk", json_object_new_string(plan->files[0]));
		json_object_object_add(o, "refusal", plan->refusal != NULL ?
		    json_object_new_string(plan->refusal) : NULL);
		a = json_object_new_array();
		for (i = 0; i < l->n; i++) {
			const struct image_snapshot *s = &l->items[i].s;

			image_format_date(s->date_sec, date, sizeof date);
			image_format_clock(s->vm_clock_ns, clock, sizeof clock);
			e = json_object_new_object();
			json_object_object_add(e, "tag", json_object_new_string(s->tag));
			json_object_object_add(e, "id", json_object_new_string(s->id));
			json_object_object_add(e, "date", json_object_new_string(date));
			json_object_object_add(e, "date_sec", json_object_new_int64(s->date_sec));
			json_object_object_add(e, "vm_size", json_object_new_int64((int64_t)s->vm_size));
			json_object_object_add(e, "vm_clock", json_object_new_string(clock));
			json_object_object_add(e, "vm_clock_nsec",
			    json_object_new_int64(s->vm_clock_ns));
			json_object_object_add(e, "disks",
			    json_object_new_int64((int64_t)l->items[i].ndisks));
			json_object_object_add(e, "complete",
			    json_object_new_boolean(l->items[i].ndisks == l->ndisks));
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "snapshots", a);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	printf("%s: %zu snapshot%s (%s; VM state on %s%s)\n", name, l->n, l->n == 1 ? "" : "s",
	    live ? "running" : "stopped", plan->files[0],
	    plan->n > 1 ? ", and more disks" : "");
	if (l->n == 0)
		return;
	printf("%-20s %-19s  %10s  %-12s  %s\n", "TAG", "DATE", "VM STATE", "VM CLOCK", "DISKS");
	for (i = 0; i < l->n; i++) {
		const struct image_snapshot *s = &l->items[i].s;

		image_format_date(s->date_sec, date, sizeof date);
		image_format_clock(s->vm_clock_ns, clock, sizeof clock);
		if (s->vm_size > 0)
			image_format_size(s->vm_size, size, sizeof size);
		else
			snprintf(size, sizeof size, "disks only");
		printf("%-20s %-19s  %10s  %-12s  %zu/%zu\n", s->tag, date, size, clock,
		    l->items[i].ndisks, l->ndisks);
	}
}

static int
parse_op(const char *word, enum snap_op *op)
{
	static const enum snap_op all[] = { SNAP_LIST, SNAP_SAVE, SNAP_LOAD, SNAP_DELETE };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(word, snap_op_name(all[i])) == 0) {
			*op = all[i];
			return 0;
		}
	return -1;
}

static void
qmp_gone(struct qmp_client *c, const char *why, void *arg)
{
	(void)c;
	(void)why;
	(void)arg;	/* the job's pending reply carries the error */
}

static int
cmd_snapshot_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct snap_job_cbs cbs = { on_progress, on_done };
	static const struct qmp_callbacks qcbs = { NULL, NULL, qmp_gone };
	struct profile_list list;
	struct profile *p;
	struct snap_plan plan = { 0 };
	struct vm_run run = { 0 };
	struct run r = { 0 };
	struct loop *l = NULL;
	struct qmp_client *qmp = NULL;
	enum snap_op op;
	enum vm_state st;
	bool live, have_run = false;
	char *path = NULL;
	qt_error err;
	int rc = 1;

	/* min_args is 1 for the table's sake; the sub-command is checked here. */
	if (argc < 2 || parse_op(argv[1], &op) == -1 || (op == SNAP_LIST) != (argc == 2)) {
		fprintf(stderr, "usage: qemu-tui snapshot NAME list [--json] | "
		    "save|load|delete TAG\n");
		return 2;
	}
	if (ctx->opts.json && op != SNAP_LIST) {
		fprintf(stderr, "qemu-tui: snapshot: --json is for list (%s prints no "
		    "document)\n", argv[1]);
		return 2;
	}
	if ((p = cmd_profile(ctx, argv[0], &list, 0)) == NULL)
		goto out;
	if (vm_run_read(p->name, &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	have_run = true;
	st = vm_state_of(&run, NULL);
	live = vm_state_live(st);
	path = vm_qmp_path(&run);
	if (live && path == NULL) {
		fprintf(stderr, "qemu-tui: %s is %s: %s\n", p->name, vm_state_name(st),
		    st == VM_ORPHANED ? "adopt it first with `qemu-tui start NAME`" :
		    "wait until it runs (`qemu-tui wait NAME`)");
		goto out;
	}
	snap_plan_make(p, live && run.throwaway, &plan);
	if (plan.n == 0 || (op != SNAP_LIST && plan.refusal != NULL)) {
		fprintf(stderr, "qemu-tui: %s: cannot %s%s: %s\n", p->name, snap_op_name(op),
		    op == SNAP_LIST ? " snapshots" : " a snapshot", plan.refusal);
		goto out;
	}
	l = loop_new();
	r.tty = isatty(2);
	r.quiet = op == SNAP_LIST;	/* a list is quick: its result is enough */
	loop_signal(l, SIGINT, on_sigint, &r);
	/* A throwaway run's list reads the files themselves (QEMU shows its overlay). */
	if (live && !run.throwaway &&
	    (qmp = qmp_open(l, path, &qcbs, NULL, &err)) == NULL) {
		fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
		goto out;
	}
	if (snap_job_start(l, qmp, op, op == SNAP_LIST ? NULL : argv[2], &plan, &cbs, &r,
	    &err) == NULL) {
		fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
		goto out;
	}
	while (!r.done)
		loop_run_once(l, -1);
	if (!r.ok) {
		fprintf(stderr, "qemu-tui: %s: %s\n", p->name, r.error);
		goto out;
	}
	if (op == SNAP_LIST) {
		print_list(p->name, &plan, live, &r.list, ctx->opts.json);
		if (plan.refusal != NULL && !ctx->opts.json)
			fprintf(stderr, "note: save, load and delete are refused: %s\n",
			    plan.refusal);
	} else if (live)
		printf("%s: snapshot %s %s (running VM: %zu disk%s%s)\n", p->name, argv[2],
		    op == SNAP_SAVE ? "saved" : op == SNAP_LOAD ? "loaded" : "deleted",
		    plan.n, plan.n == 1 ? "" : "s",
		    op == SNAP_DELETE ? "" : ", with the VM state");
	else
		printf("%s: snapshot %s %s (stopped VM: %zu disk%s, disks only)\n", p->name,
		    argv[2], op == SNAP_SAVE ? "saved" : op == SNAP_LOAD ? "loaded" : "deleted",
		    plan.n, plan.n == 1 ? "" : "s");
	rc = 0;
out:
	if (qmp != NULL)
		qmp_free(qmp);
	if (l != NULL)
		loop_free(l);
	snap_list_free(&r.list);
	free(r.error);
	snap_plan_free(&plan);
	free(path);
	if (have_run)
		vm_run_free(&run);
	profile_list_free(&list);
	return rc;
}

static const struct cmd_option snapshot_options[] = { CMD_OPTION_JSON, CMD_OPTIONS_END };

const struct cmd_entry cmd_snapshot_entry = {
	.name = "snapshot", .args = "NAME list|save|load|delete [TAG]",
	.min_args = 1, .max_args = 3, .flags = CMD_ARG_PROFILE, .options = snapshot_options,
	.help = "a VM's snapshots, all its disks together: live with the VM state "
	    "(QMP), or a stopped VM's disks (qemu-img)",
	.exec = cmd_snapshot_exec
};
