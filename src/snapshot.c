/* A VM's snapshots: the plan (which drives) and one operation as a job (see snapshot.h). */
#include "snapshot.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_MS	100	/* query-jobs while a QMP job runs */

const char *
snap_op_name(enum snap_op op)
{
	static const char *const names[] = { "list", "save", "load", "delete" };

	return (unsigned)op < 4 ? names[op] : "?";
}

/* ---- the plan ---- */

/* A drive without "format": QEMU probes it; so do we, by qcow2's magic. */
static bool
looks_qcow2(const char *file)
{
	unsigned char magic[4];
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	bool yes;

	if (fd == -1)
		return false;
	yes = read(fd, magic, 4) == 4 && memcmp(magic, "QFI\xfb", 4) == 0;
	close(fd);
	return yes;
}

static void
refuse(struct snap_plan *plan, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (plan->refusal != NULL)
		return;		/* the first reason is the one to fix first */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	plan->refusal = xstrdup(buf);
}

void
snap_plan_make(const struct profile *p, bool throwaway_run, struct snap_plan *plan)
{
	size_t i;

	memset(plan, 0, sizeof *plan);
	if (throwaway_run)
		refuse(plan, "this run of %s is throwaway (QEMU's -snapshot: start --throwaway, "
		    "T, or \"snapshot\": true): its writes go to a temporary overlay, so a "
		    "snapshot would keep nothing; stop it and start it without --throwaway",
		    p->name);
	for (i = 0; i < p->ndrives; i++) {
		const struct drive *d = &p->drives[i];
		bool pflash = d->iface != NULL && strcmp(d->iface, "pflash") == 0;
		bool qcow2;

		if (d->file == NULL || d->readonly || d->snapshot ||
		    (d->media != NULL && strcmp(d->media, "cdrom") == 0))
			continue;	/* nothing of it changes, or it is thrown away anyway */
		qcow2 = d->format != NULL ? strcmp(d->format, "qcow2") == 0 : looks_qcow2(d->file);
		if (qcow2) {
			plan->files = xrealloc(plan->files, (plan->n + 1) * sizeof *plan->files);
			plan->files[plan->n++] = xstrdup(d->file);
		} else if (pflash) {
			refuse(plan, "drives[%zu] (%s) is a writable pflash file (UEFI variables) "
			    "in %s format, and QEMU cannot snapshot it (\"Device 'pflash1' is "
			    "writable but does not support snapshots\"): convert it with "
			    "qemu-tui image convert %s VARS.qcow2 --format qcow2 and give that "
			    "file with \"format\": \"qcow2\", or set \"readonly\": true", i,
			    d->file, d->format != NULL ? d->format : "raw", d->file);
		} else {
			refuse(plan, "drives[%zu] (%s) is writable and %s, not qcow2: only qcow2 "
			    "holds snapshots; convert it with qemu-tui image convert %s NEW.qcow2 "
			    "--format qcow2 and point the drive there, or set \"readonly\": true",
			    i, d->file, d->format != NULL ? d->format : "raw", d->file);
		}
	}
	if (plan->n == 0)
		refuse(plan, "%s has no writable qcow2 disk to hold a snapshot: add one to "
		    "drives[] (qemu-tui image create FILE 1G makes one)", p->name);
}

void
snap_plan_free(struct snap_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		free(plan->files[i]);
	free(plan->files);
	free(plan->refusal);
	memset(plan, 0, sizeof *plan);
}

void
snap_list_free(struct snap_list *l)
{
	free(l->items);
	memset(l, 0, sizeof *l);
}

/* ---- the job ---- */

struct snap_job {
	struct loop *loop;
	struct qmp_client *qmp;		/* NULL: qemu-img on a stopped VM */
	enum snap_op op;
	char *tag;
	char **files;
	size_t n;
	struct image_snapshot **per;	/* each file's snapshots */
	size_t *nper;
	char **nodes;			/* QMP: each file's node name */
	struct snap_list list;
	struct snap_job_cbs cb;
	void *arg;
	char *job_id;
	unsigned long timer;
	bool awaiting;			/* a QMP reply is due */
	char *job_error;		/* query-jobs' error of a concluded job */
	size_t step;			/* qemu-img: the file being worked on */
	size_t made;			/* qemu-img: files the operation was done on */
	struct image_job *img;
	bool abandoned;
};

static void
job_free(struct snap_job *j)
{
	size_t i;

	if (j->timer != 0)
		loop_timer_del(j->loop, j->timer);
	for (i = 0; i < j->n; i++) {
		free(j->files[i]);
		free(j->per[i]);
		if (j->nodes != NULL)
			free(j->nodes[i]);
	}
	free(j->files);
	free(j->per);
	free(j->nper);
	free(j->nodes);
	snap_list_free(&j->list);
	free(j->tag);
	free(j->job_id);
	free(j->job_error);
	free(j);
}

static void
finish(struct snap_job *j, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
finish(struct snap_job *j, bool ok, const char *fmt, ...)
{
	char msg[1200] = "";
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	if (!j->abandoned)
		j->cb.done(ok, ok ? NULL : msg, j->op == SNAP_LIST && ok ? &j->list : NULL,
		    j->arg);
	job_free(j);
}

static void
progress(struct snap_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(struct snap_job *j, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (j->cb.progress == NULL || j->abandoned)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	j->cb.progress(msg, j->arg);
}

static const char *
verb(enum snap_op op)
{
	static const char *const v[] = { "listing", "saving", "loading", "deleting" };

	return v[op];
}

static bool
has_tag(const struct snap_job *j, size_t file, const char *tag)
{
	size_t k;

	for (k = 0; k < j->nper[file]; k++)
		if (strcmp(j->per[file][k].tag, tag) == 0)
			return true;
	return false;
}

/* Every file's snapshots are known: the list, in the VM-state disk's order first. */
static void
merge_lists(struct snap_job *j)
{
	size_t i, k, e;

	j->list.ndisks = j->n;
	for (i = 0; i < j->n; i++) {
		for (k = 0; k < j->nper[i]; k++) {
			for (e = 0; e < j->list.n; e++)
				if (strcmp(j->list.items[e].s.tag, j->per[i][k].tag) == 0)
					break;
			if (e < j->list.n) {
				j->list.items[e].ndisks++;
				continue;
			}
			j->list.items = xrealloc(j->list.items,
			    (j->list.n + 1) * sizeof *j->list.items);
			j->list.items[j->list.n].s = j->per[i][k];
			j->list.items[j->list.n].ndisks = 1;
			j->list.n++;
		}
	}
}

/* Checks both ways share, with the same words: -1 when finished with an error. */
static int
check_tag(struct snap_job *j)
{
	size_t i, holders = 0;

	for (i = 0; i < j->n; i++) {
		bool has = has_tag(j, i, j->tag);

		holders += has;
		if (j->op == SNAP_SAVE && has) {
			finish(j, false, "a snapshot \"%s\" exists already on %s: choose another "
			    "tag, or delete that one first", j->tag, j->files[i]);
			return -1;
		}
		if (j->op == SNAP_LOAD && !has) {
			finish(j, false, "no snapshot \"%s\" on %s%s: nothing was loaded (the "
			    "list shows the tags there are)", j->tag, j->files[i],
			    i > 0 ? " (the snapshot was not taken with this disk)" : "");
			return -1;
		}
	}
	/* QEMU's own words for this are about qemu-img; ours say what to do here. */
	if (j->op == SNAP_LOAD && j->qmp != NULL && j->n > 0) {
		size_t k;

		for (k = 0; k < j->nper[0]; k++)
			if (strcmp(j->per[0][k].tag, j->tag) == 0 && j->per[0][k].vm_size == 0) {
				finish(j, false, "snapshot \"%s\" holds no VM state (it was saved "
				    "while the VM was stopped): a running VM cannot go back to it; "
				    "stop the VM, then load it (the disks only)", j->tag);
				return -1;
			}
	}
	if (j->op == SNAP_DELETE && holders == 0) {
		finish(j, false, "no snapshot \"%s\" on any disk (the list shows the tags "
		    "there are)", j->tag);
		return -1;
	}
	return 0;
}

/*
 * Every disk's snapshots are known, by either way: the list is made, and a list job
 * is finished with it. True when the operation goes on (its tag passed check_tag).
 */
static bool
lists_known(struct snap_job *j)
{
	merge_lists(j);
	if (j->op == SNAP_LIST) {
		finish(j, true, NULL);
		return false;
	}
	return check_tag(j) == 0;
}

/* ---- on a stopped VM: qemu-img ---- */

static int info_start(struct snap_job *j, qt_error *err);
static void info_next(struct snap_job *j);
static void op_next(struct snap_job *j);

static bool
img_ended(struct snap_job *j)
{
	j->img = NULL;
	if (j->abandoned) {
		job_free(j);
		return true;
	}
	return false;
}

static void
info_done(bool ok, const char *error, const char *out, void *arg)
{
	struct snap_job *j = arg;
	struct json_object *o;

	if (img_ended(j))
		return;
	if (!ok) {
		finish(j, false, "%s", error);
		return;
	}
	if ((o = json_tokener_parse(out)) == NULL) {
		finish(j, false, "qemu-img info %s gave no JSON", j->files[j->step]);
		return;
	}
	j->nper[j->step] = image_snapshots_parse(o, &j->per[j->step]);
	json_object_put(o);
	j->step++;
	info_next(j);
}

static void
op_done(bool ok, const char *error, const char *out, void *arg)
{
	struct snap_job *j = arg;

	(void)out;
	if (img_ended(j))
		return;
	if (!ok) {
		if (j->made > 0)
			finish(j, false, "%s; the disks before it were %s: %s it again to make "
			    "them agree", error, j->op == SNAP_SAVE ? "saved" :
			    j->op == SNAP_LOAD ? "loaded" : "changed",
			    j->op == SNAP_SAVE ? "delete" : snap_op_name(j->op));
		else
			finish(j, false, "%s", error);
		return;
	}
	j->made++;
	j->step++;
	op_next(j);
}

/* -1 with err when qemu-img cannot be started (the job is not finished here). */
static int
img_start(struct snap_job *j, char *const args[], const struct image_job_cbs *cb,
    qt_error *err)
{
	j->img = image_job_start(j->loop, args, j->files[j->step], NULL, cb, j, err);
	return j->img != NULL ? 0 : -1;
}

static void
info_next(struct snap_job *j)
{
	qt_error err;

	if (j->step == j->n) {
		if (!lists_known(j))
			return;
		j->step = 0;
		op_next(j);
		return;
	}
	if (info_start(j, &err) == -1)
		finish(j, false, "%s", err.msg);
}

static int
info_start(struct snap_job *j, qt_error *err)
{
	static const struct image_job_cbs cbs = { NULL, info_done };
	char *args[] = { "info", "--output=json", "-U", NULL, NULL };

	progress(j, "%s: reading %s", verb(j->op), j->files[j->step]);
	args[3] = j->files[j->step];
	return img_start(j, args, &cbs, err);
}

static void
op_next(struct snap_job *j)
{
	static const struct image_job_cbs cbs = { NULL, op_done };
	static const char *const flag[] = { "-l", "-c", "-a", "-d" };
	char *args[] = { "snapshot", NULL, NULL, NULL, NULL };
	qt_error err;

	/* A delete skips the disks that do not hold the tag. */
	while (j->step < j->n && j->op == SNAP_DELETE && !has_tag(j, j->step, j->tag))
		j->step++;
	if (j->step == j->n) {
		finish(j, true, NULL);
		return;
	}
	progress(j, "%s %s: disk %zu of %zu (%s)", verb(j->op), j->tag, j->step + 1, j->n,
	    j->files[j->step]);
	args[1] = (char *)flag[j->op];
	args[2] = j->tag;
	args[3] = j->files[j->step];
	if (img_start(j, args, &cbs, &err) == -1)
		finish(j, false, "%s", err.msg);
}

/* ---- on a running VM: QMP ---- */

static const char *
qmp_desc(struct json_object *error)
{
	struct json_object *v;

	return json_object_object_get_ex(error, "desc", &v) ? json_object_get_string(v) :
	    "failed";
}

static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static bool
same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (strcmp(a, b) == 0)
		return true;
	return realpath(a, ra) != NULL && realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

static void
dismiss_reply(struct qmp_client *c, struct json_object *ret, struct json_object *error,
    void *arg)
{
	struct snap_job *j = arg;

	(void)c;
	(void)ret;
	(void)error;	/* the job's own error is the one that matters */
	j->awaiting = false;
	if (j->job_error != NULL)
		finish(j, false, "%s %s: %s", snap_op_name(j->op), j->tag, j->job_error);
	else
		finish(j, true, NULL);
}

static void
jobs_reply(struct qmp_client *c, struct json_object *ret, struct json_object *error,
    void *arg)
{
	struct snap_job *j = arg;
	struct json_object *o = NULL, *v;
	const char *status, *e;
	long long cur = 0, total = 0;
	size_t i;

	j->awaiting = false;
	if (error != NULL) {
		finish(j, false, "%s %s: query-jobs: %s", snap_op_name(j->op), j->tag,
		    qmp_desc(error));
		return;
	}
	for (i = 0; ret != NULL && i < json_object_array_length(ret); i++) {
		const char *id = member_str(json_object_array_get_idx(ret, i), "id");

		if (id != NULL && strcmp(id, j->job_id) == 0)
			o = json_object_array_get_idx(ret, i);
	}
	if (o == NULL) {
		finish(j, false, "%s %s: QEMU's job %s is gone without a word (dismissed by "
		    "another client?): see the list", snap_op_name(j->op), j->tag, j->job_id);
		return;
	}
	status = member_str(o, "status");
	if (json_object_object_get_ex(o, "current-progress", &v))
		cur = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "total-progress", &v))
		total = json_object_get_int64(v);
	progress(j, "%s %s: %s, %lld/%lld", verb(j->op), j->tag, status ? status : "?",
	    cur, total);
	if (status == NULL || strcmp(status, "concluded") != 0)
		return;
	if ((e = member_str(o, "error")) != NULL)
		j->job_error = xstrdup(e);
	loop_timer_del(j->loop, j->timer);
	j->timer = 0;
	j->awaiting = true;
	v = json_object_new_object();
	json_object_object_add(v, "id", json_object_new_string(j->job_id));
	if (qmp_send(c, "job-dismiss", v, dismiss_reply, j) == -1) {
		j->awaiting = false;
		finish(j, false, "%s %s: the QMP connection closed", snap_op_name(j->op),
		    j->tag);
	}
}

static void
poll_tick(void *arg)
{
	struct snap_job *j = arg;

	if (j->awaiting)
		return;
	j->awaiting = true;
	if (qmp_send(j->qmp, "query-jobs", NULL, jobs_reply, j) == -1) {
		j->awaiting = false;
		finish(j, false, "%s %s: the QMP connection closed", snap_op_name(j->op),
		    j->tag);
	}
}

static void
command_reply(struct qmp_client *c, struct json_object *ret, struct json_object *error,
    void *arg)
{
	struct snap_job *j = arg;
	struct json_object *v;
	const char *cmd = j->op == SNAP_SAVE ? "snapshot-save" :
	    j->op == SNAP_LOAD ? "snapshot-load" : "snapshot-delete";

	(void)ret;
	j->awaiting = false;
	if (error != NULL) {
		if (json_object_object_get_ex(error, "class", &v) &&
		    strcmp(json_object_get_string(v), "CommandNotFound") == 0)
			finish(j, false, "QEMU %s has no %s: snapshots of a running VM need QEMU "
			    "6.0 or newer; stop the VM and the snapshot command works offline",
			    qmp_qemu_version(c)[0] ? qmp_qemu_version(c) : "here", cmd);
		else
			finish(j, false, "%s: %s", cmd, qmp_desc(error));
		return;
	}
	progress(j, "%s %s: job started", verb(j->op), j->tag);
	j->timer = loop_timer_add(j->loop, POLL_MS, 1, poll_tick, j);
}

static void
send_command(struct snap_job *j)
{
	struct json_object *a = json_object_new_object(), *devs = json_object_new_array();
	const char *cmd = j->op == SNAP_SAVE ? "snapshot-save" :
	    j->op == SNAP_LOAD ? "snapshot-load" : "snapshot-delete";
	size_t i;

	j->job_id = xasprintf("qemu-tui-%s-%ld-%lld", snap_op_name(j->op), (long)getpid(),
	    now_ms());
	json_object_object_add(a, "job-id", json_object_new_string(j->job_id));
	json_object_object_add(a, "tag", json_object_new_string(j->tag));
	if (j->op != SNAP_DELETE)
		json_object_object_add(a, "vmstate", json_object_new_string(j->nodes[0]));
	for (i = 0; i < j->n; i++)
		if (j->op != SNAP_DELETE || has_tag(j, i, j->tag))
			json_object_array_add(devs, json_object_new_string(j->nodes[i]));
	json_object_object_add(a, "devices", devs);
	j->awaiting = true;
	if (qmp_send(j->qmp, cmd, a, command_reply, j) == -1) {
		j->awaiting = false;
		finish(j, false, "%s: the QMP connection closed", cmd);
	}
}

static void
blocks_reply(struct qmp_client *c, struct json_object *ret, struct json_object *error,
    void *arg)
{
	struct snap_job *j = arg;
	struct json_object *ins, *img;
	const char *file, *node;
	size_t i, k;

	(void)c;
	j->awaiting = false;
	if (error != NULL) {
		finish(j, false, "query-block: %s", qmp_desc(error));
		return;
	}
	for (k = 0; ret != NULL && k < json_object_array_length(ret); k++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(ret, k), "inserted", &ins) ||
		    (file = member_str(ins, "file")) == NULL ||
		    (node = member_str(ins, "node-name")) == NULL)
			continue;
		for (i = 0; i < j->n; i++) {
			if (j->nodes[i] != NULL || !same_file(j->files[i], file))
				continue;
			j->nodes[i] = xstrdup(node);
			img = NULL;
			json_object_object_get_ex(ins, "image", &img);
			j->nper[i] = image_snapshots_parse(img, &j->per[i]);
			break;
		}
	}
	for (i = 0; i < j->n; i++)
		if (j->nodes[i] == NULL) {
			finish(j, false, "%s is not attached to the running VM (was the profile "
			    "changed after it started? restart it)", j->files[i]);
			return;
		}
	if (lists_known(j))
		send_command(j);
}

/* ---- start, abandon ---- */

struct snap_job *
snap_job_start(struct loop *l, struct qmp_client *qmp, enum snap_op op, const char *tag,
    const struct snap_plan *plan, const struct snap_job_cbs *cb, void *arg, qt_error *err)
{
	struct snap_job *j;
	size_t i;

	if (op != SNAP_LIST && plan->refusal != NULL) {
		err_set(err, "cannot %s a snapshot: %s", snap_op_name(op), plan->refusal);
		return NULL;
	}
	if (plan->n == 0) {
		err_set(err, "%s", plan->refusal != NULL ? plan->refusal : "no disk");
		return NULL;
	}
	if (op != SNAP_LIST && (tag == NULL || tag[0] == '\0')) {
		err_set(err, "%s: which snapshot? give a tag", snap_op_name(op));
		return NULL;
	}
	/* qemu-img and qcow2 look a snapshot up by id before its name: "2" could be
	 * another snapshot's id. */
	if (op == SNAP_SAVE && tag[strspn(tag, "0123456789")] == '\0') {
		err_set(err, "save: the tag \"%s\" is all digits, which qemu-img takes for a "
		    "snapshot id: give it a letter (like s%s)", tag, tag);
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->loop = l;
	j->qmp = qmp;
	j->op = op;
	j->tag = tag != NULL ? xstrdup(tag) : NULL;
	j->cb = *cb;
	j->arg = arg;
	j->n = plan->n;
	j->files = xcalloc(j->n, sizeof *j->files);
	j->per = xcalloc(j->n, sizeof *j->per);
	j->nper = xcalloc(j->n, sizeof *j->nper);
	for (i = 0; i < j->n; i++)
		j->files[i] = xstrdup(plan->files[i]);
	if (qmp == NULL) {
		if (info_start(j, err) == -1) {
			job_free(j);
			return NULL;
		}
		return j;
	}
	j->nodes = xcalloc(j->n, sizeof *j->nodes);
	j->awaiting = true;
	if (qmp_send(qmp, "query-block", NULL, blocks_reply, j) == -1) {
		err_set(err, "the VM's QMP connection is closed");
		job_free(j);
		return NULL;
	}
	return j;
}

void
snap_job_abandon(struct snap_job *j)
{
	j->abandoned = true;
	if (j->img != NULL)
		image_job_cancel(j->img);	/* its done frees the job */
	else
		job_free(j);
}
