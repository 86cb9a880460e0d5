/* The dashboard's live view of one VM. */
#include "vmwatch.h"

#include <poll.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prepare.h"
#include "procstat.h"
#include "qmp.h"
#include "rundir.h"
#include "util.h"

struct vmwatch_priv {
	struct loop *loop;
	struct vmwatch_hooks hooks;
	struct qmp_client *qmp;
	struct vm_launch *launch;	/* a start waiting for the supervisor's answer */
	struct prepare_run *prep;	/* disks being made before a start (or alone) */
	bool prep_then_start, prep_throwaway;
	char prep_last[256];		/* what its last step did, in words */
	struct vm_stop *stop;
	struct proc_sample last;
	bool have_last;
	unsigned long soon;	/* one-shot refresh timer */
	bool events_loaded;
	struct stages stages_shown;	/* in the event list (from events.log or since) */
	char drawn[320];	/* what the screen last showed of this VM */
	struct timespec dir_mtime;	/* of the run dir at the last full read */
	struct timespec stages_mtime;	/* of its stages file, read on change */
	bool force_read;
	int stat_fd;		/* /proc/PID/stat of QEMU, kept open */
	pid_t stat_pid;
	struct snap_job *snap;	/* a snapshot operation under way */
	enum snap_op snap_op;
	char snap_tag[128];
	bool snap_live;		/* through qmp (else qemu-img) */
	bool was_live;		/* for snaps_known: a start or stop changes where they are read */
};

static void
changed(struct vmwatch *w)
{
	if (w->priv->hooks.changed != NULL)
		w->priv->hooks.changed(w, w->priv->hooks.arg);
}

static void
message(struct vmwatch *w, bool error, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (w->priv->hooks.message != NULL)
		w->priv->hooks.message(w, error, text, w->priv->hooks.arg);
}

static void
event_push(struct vmwatch *w, const char *name, struct json_object *data,
    long long seconds, long micros)
{
	struct vmwatch_event *e;
	char detail[sizeof e->detail] = "";
	int i;

	if (data != NULL && json_object_is_type(data, json_type_object)) {
		size_t off = 0;

		json_object_object_foreach(data, key, val) {
			const char *v = json_object_get_string(val);

			if (off >= sizeof detail - 1)
				break;
			off += (size_t)snprintf(detail + off, sizeof detail - off,
			    "%s%s=%s", off ? " " : "", key, v ? v : "null");
		}
	}
	/* The same event can come from events.log and live (QMP, or a stage from the
	 * stages file) once; keep it once. Two stages can share a millisecond. */
	for (i = 0; i < w->ev_count && i < 10; i++) {
		e = &w->events[(w->ev_start + w->ev_count - 1 - i) % VMWATCH_EVENTS];
		if (e->when == (time_t)seconds && e->micros == micros &&
		    strcmp(e->name, name) == 0 && strcmp(e->detail, detail) == 0)
			return;
	}
	if (w->ev_count == VMWATCH_EVENTS) {
		w->ev_start = (w->ev_start + 1) % VMWATCH_EVENTS;
		w->ev_count--;
	}
	e = &w->events[(w->ev_start + w->ev_count) % VMWATCH_EVENTS];
	w->ev_count++;
	memset(e, 0, sizeof *e);
	e->when = (time_t)seconds;
	e->micros = micros;
	snprintf(e->name, sizeof e->name, "%s", name);
	memcpy(e->detail, detail, sizeof e->detail);
}

/* A STAGE line as the supervisor writes it into events.log. */
static void
stage_push(struct vmwatch *w, const char *stage, long long at_ms)
{
	struct json_object *data = json_object_new_object();

	json_object_object_add(data, "stage", json_object_new_string(stage));
	event_push(w, "STAGE", data, at_ms / 1000, (long)(at_ms % 1000) * 1000);
	json_object_put(data);
}

/* The stages file changed: its news into the event list as they come (the
 * supervisor sends QMP clients QEMU's events only; STAGE lines are in events.log,
 * read once, when QMP is first up). */
static void
stages_news(struct vmwatch *w)
{
	struct stages *was = &w->priv->stages_shown;
	const struct stages *now = &w->run.stages;
	int i;

	if (!w->priv->events_loaded)
		return;
	if (now->restarted != was->restarted && now->restarted != 0)
		stage_push(w, "restarted", now->restarted);
	for (i = 0; i < now->n; i++) {
		enum stage s = now->order[i];

		if (now->at[s] != was->at[s])
			stage_push(w, stage_name(s), now->at[s]);
	}
	*was = *now;
}

const struct vmwatch_event *
vmwatch_event_at(const struct vmwatch *w, int i)
{
	if (i < 0 || i >= w->ev_count)
		return NULL;
	return &w->events[(w->ev_start + i) % VMWATCH_EVENTS];
}

/* Events from before this dashboard came are in events.log: show them too. */
static void
events_load(struct vmwatch *w)
{
	char *text, *line, *save = NULL;

	if (w->priv->events_loaded || w->run.dir == NULL)
		return;
	w->priv->events_loaded = true;
	/* The log has the stages reached so far; later ones come by stages_news. */
	w->priv->stages_shown = w->run.stages;
	text = rundir_tail(w->run.dir, RUN_EVENTS_LOG, VMWATCH_EVENTS);
	if (text == NULL)
		return;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		struct json_object *o = json_tokener_parse(line), *ev, *ts, *x;
		long long sec = 0;
		long us = 0;

		if (o == NULL)
			continue;
		if (json_object_object_get_ex(o, "event", &ev)) {
			if (json_object_object_get_ex(o, "timestamp", &ts)) {
				if (json_object_object_get_ex(ts, "seconds", &x))
					sec = json_object_get_int64(x);
				if (json_object_object_get_ex(ts, "microseconds", &x))
					us = (long)json_object_get_int64(x);
			}
			json_object_object_get_ex(o, "data", &x);
			event_push(w, json_object_get_string(ev),
			    json_object_object_get_ex(o, "data", &x) ? x : NULL, sec, us);
		}
		json_object_put(o);
	}
	free(text);
}

/* The state from the facts: the run directory's, QMP's, and the start or stop this
 * dashboard has under way (the run directory may not show those yet). */
static void
restate(struct vmwatch *w)
{
	w->run.launching = w->priv->launch != NULL ||
	    (w->priv->prep != NULL && w->priv->prep_then_start);
	if (w->priv->stop != NULL)
		w->run.stopping = true;
	w->state = vm_state_of(&w->run, w->qmp_status);
	vm_state_describe(&w->run, w->state, w->qmp_status, w->state_text,
	    sizeof w->state_text);
	if (vm_state_live(w->state) != w->priv->was_live) {
		w->priv->was_live = vm_state_live(w->state);
		w->snaps_known = false;
	}
}

static void
status_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct vmwatch *w = arg;
	struct json_object *v;

	if (ret != NULL && json_object_object_get_ex(ret, "status", &v)) {
		snprintf(w->qmp_status, sizeof w->qmp_status, "%s",
		    json_object_get_string(v));
		restate(w);
		changed(w);
	}
}

static void
cpus_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct vmwatch *w = arg;

	if (ret != NULL && json_object_is_type(ret, json_type_array)) {
		w->vcpus = (int)json_object_array_length(ret);
		changed(w);
	}
}

static void
qmp_ready(struct qmp_client *c, void *arg)
{
	struct vmwatch *w = arg;

	snprintf(w->qemu_version, sizeof w->qemu_version, "%s", qmp_qemu_version(c));
	events_load(w);
	qmp_send(c, "query-status", NULL, status_reply, w);
	qmp_send(c, "query-cpus-fast", NULL, cpus_reply, w);
}

static void
soon_tick(void *arg)
{
	struct vmwatch *w = arg;

	w->priv->soon = 0;
	vmwatch_refresh(w);
}

static void
refresh_soon(struct vmwatch *w, long ms)
{
	if (w->priv->soon == 0)
		w->priv->soon = loop_timer_add(w->priv->loop, ms, 0, soon_tick, w);
}

static void
qmp_event(struct qmp_client *c, const char *name, struct json_object *data,
    long long seconds, long micros, void *arg)
{
	struct vmwatch *w = arg;
	const char *status = NULL;

	event_push(w, name, data, seconds, micros);
	/* The event is the state change: no need to wait for the next poll. */
	if (strcmp(name, "STOP") == 0)
		status = "paused";
	else if (strcmp(name, "RESUME") == 0)
		status = "running";
	else if (strcmp(name, "SHUTDOWN") == 0)
		status = "shutdown";
	else if (strcmp(name, "GUEST_PANICKED") == 0)
		status = "guest-panicked";
	if (status != NULL) {
		snprintf(w->qmp_status, sizeof w->qmp_status, "%s", status);
		restate(w);
	}
	if (strcmp(name, "SHUTDOWN") == 0)
		refresh_soon(w, 100);
	changed(w);
}

static void
qmp_closed(struct qmp_client *c, const char *why, void *arg)
{
	struct vmwatch *w = arg;

	(void)why;
	/* A QMP snapshot job between two polls: no reply will come to end it. */
	if (w->priv->snap != NULL && w->priv->snap_live) {
		snap_job_abandon(w->priv->snap);
		w->priv->snap = NULL;
		w->snap_step[0] = '\0';
		w->snaps_known = false;
		message(w, true, "%s: QMP closed during the snapshot %s of %s: see the list",
		    w->name, snap_op_name(w->priv->snap_op), w->priv->snap_tag);
	}
	qmp_free(c);	/* from its own callback: loop_guard finishes it */
	w->priv->qmp = NULL;
	w->priv->force_read = true;
	w->qmp_status[0] = '\0';
	refresh_soon(w, 50);
}

static const struct qmp_callbacks watch_qmp_cbs = { qmp_ready, qmp_event, qmp_closed };

static void
qmp_connect(struct vmwatch *w)
{
	char *path = vm_qmp_path(&w->run);

	if (path == NULL)
		return;		/* nothing serves QMP yet */
	w->priv->qmp = qmp_open(w->priv->loop, path, &watch_qmp_cbs, w, NULL);
	free(path);
}

static void
history_push(double *arr, int *n, double v, bool advance)
{
	if (!advance) {
		arr[VMWATCH_HISTORY - 1] = v;
		return;
	}
	memmove(arr, arr + 1, (VMWATCH_HISTORY - 1) * sizeof *arr);
	arr[VMWATCH_HISTORY - 1] = v;
	(void)n;
}

/*
 * Whether the run directory needs reading again. Path lookups are the
 * dashboard's main cost, so: a VM with a live QMP connection needs none (the
 * connection closes when it ends), and otherwise every file the supervisor
 * makes or replaces changes the directory's mtime.
 */
static bool
run_dir_changed(struct vmwatch *w)
{
	struct vmwatch_priv *pv = w->priv;
	struct stat st;
	char *dir;

	if (pv->force_read || w->run.dir == NULL || pv->launch != NULL ||
	    pv->stop != NULL) {
		pv->force_read = false;
		goto changed;
	}
	if (pv->qmp != NULL && qmp_is_ready(pv->qmp))
		return false;
	dir = w->run.dir;
	if (stat(dir, &st) == -1)
		memset(&st, 0, sizeof st);
	if (st.st_mtim.tv_sec == pv->dir_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == pv->dir_mtime.tv_nsec && !w->run.alive)
		return false;
changed:
	if (w->run.dir != NULL && stat(w->run.dir, &st) == 0)
		pv->dir_mtime = st.st_mtim;
	return true;
}

void
vmwatch_refresh(struct vmwatch *w)
{
	struct vmwatch_priv *pv = w->priv;
	struct proc_sample s;
	char sig[sizeof pv->drawn];
	bool live;

	if (run_dir_changed(w)) {
		vm_run_free(&w->run);
		if (vm_run_read(w->name, &w->run, NULL) == -1)
			memset(&w->run, 0, sizeof w->run);
	} else if (w->run.alive) {
		/* With QMP live the directory is not read again; a stage reached
		 * replaces the stages file: one stat a second tells. */
		struct stat sst;
		char *path = rundir_file(w->run.dir, RUN_STAGES);

		if (stat(path, &sst) == 0 &&
		    (sst.st_mtim.tv_sec != pv->stages_mtime.tv_sec ||
		     sst.st_mtim.tv_nsec != pv->stages_mtime.tv_nsec)) {
			pv->stages_mtime = sst.st_mtim;
			stages_read(w->run.dir, &w->run.stages);
		}
		free(path);
	}
	stages_news(w);
	restate(w);
	live = vm_state_live(w->state);
	if (live && pv->qmp == NULL)
		qmp_connect(w);
	if (!live) {
		w->qmp_status[0] = '\0';
		pv->have_last = false;
	}
	if (w->state == VM_CRASHED && w->log_tail == NULL && w->run.dir != NULL)
		w->log_tail = rundir_tail(w->run.dir, RUN_QEMU_LOG, 6);
	else if (w->state != VM_CRASHED && pv->launch == NULL) {
		free(w->log_tail);
		w->log_tail = NULL;
	}
	if (live && pv->stat_pid != w->run.qemu_pid) {
		if (pv->stat_fd != -1)
			close(pv->stat_fd);
		pv->stat_fd = proc_open(w->run.qemu_pid);
		pv->stat_pid = w->run.qemu_pid;
		pv->have_last = false;	/* another process: its CPU time starts afresh */
	}
	if (live && pv->stat_fd != -1 && proc_sample_fd(pv->stat_fd, &s) == 0) {
		if (pv->have_last && s.at_ms - pv->last.at_ms >= 900) {
			history_push(w->cpu, &w->nsamples, proc_cpu_percent(&pv->last, &s), true);
			history_push(w->rss_mib, &w->nsamples,
			    (double)s.rss_bytes / (1024.0 * 1024.0), true);
			if (w->nsamples < VMWATCH_HISTORY)
				w->nsamples++;
			pv->last = s;
		} else if (!pv->have_last) {
			pv->last = s;
			pv->have_last = true;
			w->rss_mib[VMWATCH_HISTORY - 1] = (double)s.rss_bytes / (1024.0 * 1024.0);
		}
	}
	restate(w);
	/* Only what the list shows: the selected VM's details are redrawn each second anyway. */
	snprintf(sig, sizeof sig, "%d|%s|%s|%s|%d|%d|%d|%d", (int)w->state,
	    w->state_text, w->qmp_status, w->step, w->vcpus, w->ev_count,
	    w->log_tail != NULL, w->run.stages.n);
	if (strcmp(sig, pv->drawn) != 0) {
		snprintf(pv->drawn, sizeof pv->drawn, "%s", sig);
		changed(w);
	}
}

struct vmwatch *
vmwatch_new(struct loop *l, struct profile *p, const struct vmwatch_hooks *hooks)
{
	struct vmwatch *w = xcalloc(1, sizeof *w);

	w->priv = xcalloc(1, sizeof *w->priv);
	w->priv->loop = l;
	w->priv->hooks = *hooks;
	w->priv->stat_fd = -1;
	w->profile = p;
	w->name = xstrdup(p->name);
	vmwatch_refresh(w);
	return w;
}

void
vmwatch_set_profile(struct vmwatch *w, struct profile *p)
{
	w->profile = p;
}

void
vmwatch_free(struct vmwatch *w)
{
	struct vmwatch_priv *pv;

	if (w == NULL)
		return;
	pv = w->priv;
	qmp_free(pv->qmp);	/* first: then no reply can reach a snapshot job */
	if (pv->snap != NULL)
		snap_job_abandon(pv->snap);
	snap_list_free(&w->snaps);
	if (pv->prep != NULL)
		prepare_abandon(pv->prep);
	vm_launch_free(pv->launch);
	if (pv->soon != 0)
		loop_timer_del(pv->loop, pv->soon);
	vm_stop_free(pv->stop);
	if (pv->stat_fd != -1)
		close(pv->stat_fd);
	vm_run_free(&w->run);
	free(w->log_tail);
	free(w->name);
	free(pv);
	free(w);
}

/* The supervisor's answer, an event on the loop. */
static void
launch_done(const char *name, const char *error, void *arg)
{
	struct vmwatch *w = arg;

	vm_launch_free(w->priv->launch);	/* from its own callback: loop_guard */
	w->priv->launch = NULL;
	w->priv->force_read = true;
	w->step[0] = '\0';
	if (error == NULL)
		message(w, false, "%s started", name);
	else {
		const char *nl = strchr(error, '\n');

		free(w->log_tail);
		w->log_tail = nl ? xstrdup(nl + 1) : NULL;
		message(w, true, "%.*s", nl != NULL ? (int)(nl - error) : (int)strlen(error),
		    error);
	}
	vmwatch_refresh(w);
}

/* The launch itself, once the disks are there. */
static int
launch(struct vmwatch *w, bool throwaway, qt_error *err)
{
	w->priv->launch = vm_launch_begin(w->priv->loop, w->profile, throwaway,
	    launch_done, w, err);
	if (w->priv->launch == NULL)
		return -1;
	snprintf(w->step, sizeof w->step, "starting QEMU");
	vmwatch_refresh(w);
	return 0;
}

static void
prep_progress(const struct prepare_step *s, size_t i, size_t n, double pct, void *arg)
{
	struct vmwatch *w = arg;
	char of[32] = "";

	if (n > 1)
		snprintf(of, sizeof of, " (%zu of %zu)", i + 1, n);
	/* With the dashboard's jobs only a step's start comes here (pct -1): the
	 * figures are the job's, in the status line. */
	if (pct < 0)
		snprintf(w->step, sizeof w->step, "preparing disk%s: drives[%zu]", of,
		    s->drive);
	else
		snprintf(w->step, sizeof w->step, "preparing disk %.0f%%%s", pct, of);
	changed(w);
}

static void
prep_step_done(const struct prepare_step *s, const char *what, void *arg)
{
	struct vmwatch *w = arg;

	(void)s;
	snprintf(w->priv->prep_last, sizeof w->priv->prep_last, "%s", what);
	message(w, false, "%s", what);
}

static void
prep_done(bool ok, const char *error, void *arg)
{
	struct vmwatch *w = arg;
	qt_error err;

	w->priv->prep = NULL;	/* freed by prepare.c after this */
	w->step[0] = '\0';
	/* A disk that was missing is there now: the profile is usable again. */
	if (ok && w->profile->broken != NULL)
		profile_validate(w->profile, NULL);
	if (!ok)
		message(w, true, "%s: %s", w->name, error);
	else if (!w->priv->prep_then_start)
		message(w, false, "%s: disks ready (%s); start it when you like", w->name,
		    w->priv->prep_last);
	else if (w->profile->broken != NULL)
		message(w, true, "%s", w->profile->broken);
	else if (launch(w, w->priv->prep_throwaway, &err) == -1)
		message(w, true, "%s", err.msg);
	vmwatch_refresh(w);
	changed(w);
}

static const struct prepare_cbs prep_cbs = { prep_progress, prep_step_done, prep_done };

/* Start making the disks; *started false when nothing is needed. */
static int
prepare(struct vmwatch *w, const char *blank_size, bool then_start, bool throwaway,
    bool *started, qt_error *err)
{
	/* stat() only: a grow of an existing disk checks its size when it runs. */
	struct prepare_fact *facts = prepare_facts(w->profile, false);
	struct prepare_plan plan;

	*started = false;
	prepare_plan(w->profile, facts, blank_size, &plan);
	free(facts);
	if (plan.n == 0) {
		prepare_plan_free(&plan);
		return 0;
	}
	w->priv->prep_then_start = then_start;
	w->priv->prep_last[0] = '\0';
	w->priv->prep_throwaway = throwaway;
	w->priv->prep = prepare_begin(w->priv->loop, &plan, &prep_cbs, w, err);
	prepare_plan_free(&plan);
	if (w->priv->prep == NULL)
		return -1;
	if (w->priv->hooks.jobs != NULL)
		prepare_set_jobs(w->priv->prep, w->priv->hooks.jobs, w->name);
	*started = true;
	snprintf(w->step, sizeof w->step, "preparing disk");
	vmwatch_refresh(w);
	return 0;
}

int
vmwatch_start(struct vmwatch *w, bool throwaway, qt_error *err)
{
	bool preparing;

	if (w->priv->launch != NULL || w->priv->prep != NULL) {
		err_set(err, "%s is already starting", w->name);
		return -1;
	}
	free(w->log_tail);
	w->log_tail = NULL;
	w->nsamples = 0;
	memset(w->cpu, 0, sizeof w->cpu);
	memset(w->rss_mib, 0, sizeof w->rss_mib);
	/* An orphan is adopted as it is: its disks are open in its QEMU. */
	if (w->state != VM_ORPHANED) {
		if (prepare(w, NULL, true, throwaway, &preparing, err) == -1)
			return -1;
		if (preparing)
			return 0;
	}
	return launch(w, throwaway, err);
}

int
vmwatch_prepare(struct vmwatch *w, const char *blank_size, bool *started,
    qt_error *err)
{
	*started = false;
	if (w->priv->launch != NULL || w->priv->prep != NULL) {
		err_set(err, "%s is already starting", w->name);
		return -1;
	}
	if (vm_state_live(w->state)) {
		err_set(err, "%s is %s: its disks are in use; stop it first", w->name,
		    w->state_text);
		return -1;
	}
	return prepare(w, blank_size, false, false, started, err);
}

bool
vmwatch_preparing(const struct vmwatch *w)
{
	return w->priv->prep != NULL;
}

static void
stop_progress(const char *name, const char *step, void *arg)
{
	struct vmwatch *w = arg;

	snprintf(w->step, sizeof w->step, "%s", step);
	message(w, false, "%s: %s", name, step);
	changed(w);
}

static void
stop_done(const char *name, int ok, const char *how, void *arg)
{
	struct vmwatch *w = arg;

	w->step[0] = '\0';
	if (ok)
		message(w, false, "%s stopped by %s", name, how);
	else
		message(w, true, "%s: %s", name, how);
	vm_stop_free(w->priv->stop);	/* from its own callback: loop_guard */
	w->priv->stop = NULL;
	w->priv->force_read = true;
	vmwatch_refresh(w);
}

int
vmwatch_stop(struct vmwatch *w, bool force, qt_error *err)
{
	/* Disks still being made: stop means do not start; nothing is left behind. */
	if (w->priv->prep != NULL) {
		prepare_cancel(w->priv->prep);
		return 0;
	}
	if (w->priv->stop != NULL) {
		err_set(err, "%s is already stopping (%s)", w->name, w->step);
		return -1;
	}
	/* Until the supervisor answers there is no QEMU to signal yet. */
	if (w->priv->launch != NULL) {
		err_set(err, "%s is still starting: stop it once it runs", w->name);
		return -1;
	}
	w->priv->stop = vm_stop_begin(w->priv->loop, w->name, 30, force,
	    stop_progress, stop_done, w, err);
	if (w->priv->stop == NULL)
		return -1;
	snprintf(w->step, sizeof w->step, "%s", force ? "quitting" : "powering down");
	vmwatch_refresh(w);
	return 0;
}

static int
need_qmp(struct vmwatch *w, qt_error *err)
{
	if (w->priv->qmp == NULL || !qmp_is_ready(w->priv->qmp)) {
		err_set(err, "%s is %s: nothing to do", w->name, w->state_text);
		return -1;
	}
	return 0;
}

static void
command_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct vmwatch *w = arg;
	struct json_object *d;

	if (error != NULL && json_object_object_get_ex(error, "desc", &d))
		message(w, true, "%s: %s", w->name, json_object_get_string(d));
}

int
vmwatch_pause_toggle(struct vmwatch *w, qt_error *err)
{
	if (need_qmp(w, err) == -1)
		return -1;
	qmp_send(w->priv->qmp, w->state == VM_PAUSED ? "cont" : "stop", NULL,
	    command_reply, w);
	return 0;
}

int
vmwatch_reset(struct vmwatch *w, qt_error *err)
{
	if (need_qmp(w, err) == -1)
		return -1;
	qmp_send(w->priv->qmp, "system_reset", NULL, command_reply, w);
	return 0;
}

bool
vmwatch_busy(const struct vmwatch *w)
{
	return w->priv->launch != NULL || w->priv->stop != NULL || w->priv->prep != NULL;
}

/* ---- snapshots ---- */

static void
snap_progress(const char *step, void *arg)
{
	struct vmwatch *w = arg;

	snprintf(w->snap_step, sizeof w->snap_step, "%s", step);
	if (w->priv->snap_op != SNAP_LIST)
		message(w, false, "%s: %s", w->name, step);
	changed(w);
}

static void
snap_done(bool ok, const char *error, const struct snap_list *list, void *arg)
{
	struct vmwatch *w = arg;
	struct vmwatch_priv *pv = w->priv;

	pv->snap = NULL;
	w->snap_step[0] = '\0';
	if (pv->snap_op == SNAP_LIST) {
		snap_list_free(&w->snaps);
		if (ok && list->n > 0) {
			w->snaps.items = xcalloc(list->n, sizeof *list->items);
			memcpy(w->snaps.items, list->items, list->n * sizeof *list->items);
			w->snaps.n = list->n;
		}
		if (list != NULL)
			w->snaps.ndisks = list->ndisks;
		if (!ok)
			snprintf(w->snap_note, sizeof w->snap_note, "%s", error);
		w->snaps_known = true;
	} else {
		if (ok)
			message(w, false, "%s: snapshot %s %s", w->name, pv->snap_tag,
			    pv->snap_op == SNAP_SAVE ? "saved" : pv->snap_op == SNAP_LOAD ?
			    "loaded" : "deleted");
		else
			message(w, true, "%s: %s", w->name, error);
		w->snaps_known = false;		/* the pane reads them again */
	}
	changed(w);
}

int
vmwatch_snapshot(struct vmwatch *w, enum snap_op op, const char *tag, qt_error *err)
{
	static const struct snap_job_cbs cbs = { snap_progress, snap_done };
	struct vmwatch_priv *pv = w->priv;
	struct snap_plan plan;
	struct qmp_client *qmp = NULL;
	bool live = vm_state_live(w->state);

	if (pv->snap != NULL) {
		err_set(err, "%s: a snapshot job is under way (%s): wait for it", w->name,
		    w->snap_step);
		return -1;
	}
	if (w->profile->broken != NULL) {
		err_set(err, "%s", w->profile->broken);
		return -1;
	}
	if (vmwatch_busy(w) || w->state == VM_STARTING || w->state == VM_SHUTTING_DOWN ||
	    w->state == VM_ORPHANED) {
		err_set(err, "%s is %s: snapshots wait until it runs or is stopped", w->name,
		    w->state_text);
		return -1;
	}
	snap_plan_make(w->profile, live && w->run.throwaway, &plan);
	snprintf(w->snap_note, sizeof w->snap_note, "%s",
	    plan.refusal != NULL ? plan.refusal : "");
	/* A throwaway run's list reads the files themselves (QEMU shows its overlay). */
	if (live && !w->run.throwaway && plan.n > 0 &&
	    (op == SNAP_LIST || plan.refusal == NULL)) {
		if (need_qmp(w, err) == -1) {
			snap_plan_free(&plan);
			return -1;
		}
		qmp = pv->qmp;
	}
	pv->snap_op = op;	/* before the start: its first progress comes from there */
	snprintf(pv->snap_tag, sizeof pv->snap_tag, "%s", tag != NULL ? tag : "");
	pv->snap = snap_job_start(pv->loop, qmp, op, tag, &plan, &cbs, w, err);
	snap_plan_free(&plan);
	if (pv->snap == NULL) {
		if (op == SNAP_LIST) {
			snap_list_free(&w->snaps);
			w->snaps_known = true;	/* the note says why; no retry each frame */
		}
		return -1;
	}
	pv->snap_live = qmp != NULL;
	if (w->snap_step[0] == '\0')
		snprintf(w->snap_step, sizeof w->snap_step, "%s%s%s…", snap_op_name(op),
		    tag != NULL ? " " : "", tag != NULL ? tag : "");
	if (op != SNAP_LIST)
		message(w, false, "%s: %s", w->name, w->snap_step);
	return 0;
}
