/* The dashboard's live view of one VM. */
#include "vmwatch.h"

#include <poll.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"
#include "qmp.h"
#include "rundir.h"
#include "util.h"

struct vmwatch_priv {
	struct loop *loop;
	struct vmwatch_hooks hooks;
	struct qmp_client *qmp;
	struct vm_launch *launch;	/* a start waiting for the supervisor's answer */
	struct vm_stop *stop;
	struct proc_sample last;
	bool have_last;
	unsigned long soon;	/* one-shot refresh timer */
	bool events_loaded;
	char drawn[320];	/* what the screen last showed of this VM */
	struct timespec dir_mtime;	/* of the run dir at the last full read */
	struct timespec stages_mtime;	/* of its stages file, read on change */
	bool force_read;
	int stat_fd;		/* /proc/PID/stat of QEMU, kept open */
	pid_t stat_pid;
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
	int i;

	/* The same event can come from events.log and live QMP once; keep it once. */
	for (i = 0; i < w->ev_count && i < 5; i++) {
		e = &w->events[(w->ev_start + w->ev_count - 1 - i) % VMWATCH_EVENTS];
		if (e->when == (time_t)seconds && e->micros == micros &&
		    strcmp(e->name, name) == 0)
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
	if (data != NULL && json_object_is_type(data, json_type_object)) {
		size_t off = 0;

		json_object_object_foreach(data, key, val) {
			const char *v = json_object_get_string(val);

			if (off >= sizeof e->detail - 1)
				break;
			off += (size_t)snprintf(e->detail + off, sizeof e->detail - off,
			    "%s%s=%s", off ? " " : "", key, v ? v : "null");
		}
	}
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
	w->run.launching = w->priv->launch != NULL;
	if (w->priv->stop != NULL)
		w->run.stopping = true;
	w->state = vm_state_of(&w->run, w->qmp_status);
	vm_state_describe(&w->run, w->state, w->qmp_status, w->state_text,
	    sizeof w->state_text);
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
	qmp_free(pv->qmp);
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

int
vmwatch_start(struct vmwatch *w, bool throwaway, qt_error *err)
{
	if (w->priv->launch != NULL) {
		err_set(err, "%s is already starting", w->name);
		return -1;
	}
	w->priv->launch = vm_launch_begin(w->priv->loop, w->profile, throwaway,
	    launch_done, w, err);
	if (w->priv->launch == NULL)
		return -1;
	snprintf(w->step, sizeof w->step, "starting QEMU");
	free(w->log_tail);
	w->log_tail = NULL;
	w->nsamples = 0;
	memset(w->cpu, 0, sizeof w->cpu);
	memset(w->rss_mib, 0, sizeof w->rss_mib);
	vmwatch_refresh(w);
	return 0;
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
	if (w->priv->stop != NULL) {
		err_set(err, "%s is already stopping (%s)", w->name, w->step);
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
	return w->priv->launch != NULL || w->priv->stop != NULL;
}
