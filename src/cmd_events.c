/*
 * qemu-tui events [NAME] [--follow] [--json]: what happened to every VM (or one),
 * as lines: QEMU's QMP events and the readiness stages, both from the events.log
 * the supervisor writes (STAGE lines are ours), and with --follow the state
 * changes the run directory shows (started, stopped, crashed; paused and resumed
 * from QMP's STOP and RESUME). --follow wakes on inotify, never on a timer.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "rundir.h"
#include "vm.h"

/* One VM followed: its events.log read up to off, its last state printed. */
struct tail {
	char *name;
	char *dir;
	int wd;			/* -1 while its run directory does not exist */
	off_t off;
	ino_t ino;
	char qmp_word[24];	/* paused/running from the last STOP/RESUME seen */
	char state[32];		/* the last state printed ("" none yet) */
};

struct follow {
	struct tail *t;
	size_t n;
	bool json;
	int ino;		/* inotify; -1 without --follow */
	int base_wd;		/* the base run directory, for VMs not started yet */
};

static void
print_time(double t, char *buf, size_t len)
{
	time_t sec = (time_t)t;
	struct tm tm;
	char hms[32];

	localtime_r(&sec, &tm);
	strftime(hms, sizeof hms, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03d", hms, (int)((t - (double)sec) * 1000) % 1000);
}

/* One line out: {"vm","time","kind",KIND: value[, "data"]} or its text form. */
static void
emit(const struct follow *f, const char *vm, double t, const char *kind,
    const char *value, struct json_object *data)
{
	char when[48];

	if (f->json) {
		struct json_object *o = json_object_new_object();
		char num[32];

		snprintf(num, sizeof num, "%.6f", t);
		json_object_object_add(o, "vm", json_object_new_string(vm));
		json_object_object_add(o, "time", json_object_new_double_s(t, num));
		json_object_object_add(o, "kind", json_object_new_string(kind));
		json_object_object_add(o, strcmp(kind, "qmp") == 0 ? "event" : kind,
		    json_object_new_string(value));
		if (data != NULL)
			json_object_object_add(o, "data", json_object_get(data));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	print_time(t, when, sizeof when);
	printf("%s %s %s %s%s%s\n", when, vm, kind, value, data != NULL ? " " : "",
	    data != NULL ? json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN) : "");
}

/* One events.log line: a STAGE (ours) or a QMP event. */
static void
log_line(struct follow *f, struct tail *tl, const char *line)
{
	struct json_object *o = json_tokener_parse(line), *ev, *ts, *x, *data = NULL, *sg;
	double t = 0;
	const char *name;

	if (o == NULL || !json_object_object_get_ex(o, "event", &ev)) {
		json_object_put(o);
		return;
	}
	name = json_object_get_string(ev);
	if (json_object_object_get_ex(o, "timestamp", &ts)) {
		if (json_object_object_get_ex(ts, "seconds", &x))
			t = (double)json_object_get_int64(x);
		if (json_object_object_get_ex(ts, "microseconds", &x))
			t += (double)json_object_get_int64(x) / 1e6;
	}
	json_object_object_get_ex(o, "data", &data);
	if (strcmp(name, "STAGE") == 0 && data != NULL &&
	    json_object_object_get_ex(data, "stage", &sg))
		emit(f, tl->name, t, "stage", json_object_get_string(sg), NULL);
	else
		emit(f, tl->name, t, "qmp", name, data);
	if (strcmp(name, "STOP") == 0)
		snprintf(tl->qmp_word, sizeof tl->qmp_word, "paused");
	else if (strcmp(name, "RESUME") == 0)
		snprintf(tl->qmp_word, sizeof tl->qmp_word, "running");
	json_object_put(o);
}

/* What events.log got since we last read it (all of it the first time, or after
 * `clean` replaced it); a line still being written waits for its newline. */
static void
log_read(struct follow *f, struct tail *tl)
{
	char *path = rundir_file(tl->dir, RUN_EVENTS_LOG), *text, *line, *nl;
	struct stat st;
	FILE *fp;
	size_t len;

	fp = fopen(path, "re");
	free(path);
	if (fp == NULL)
		return;
	if (fstat(fileno(fp), &st) == -1 || st.st_ino != tl->ino || st.st_size < tl->off) {
		tl->ino = st.st_ino;
		tl->off = 0;
	}
	if (st.st_size <= tl->off || fseeko(fp, tl->off, SEEK_SET) == -1) {
		fclose(fp);
		return;
	}
	len = (size_t)(st.st_size - tl->off);
	text = xmalloc(len + 1);
	len = fread(text, 1, len, fp);
	fclose(fp);
	text[len] = '\0';
	for (line = text; (nl = memchr(line, '\n', len - (size_t)(line - text))) != NULL;
	    line = nl + 1) {
		*nl = '\0';
		log_line(f, tl, line);
	}
	tl->off += (off_t)(line - text);
	free(text);
}

/* A state line when the run directory (with QMP's last word) says something new. */
static void
state_check(struct follow *f, struct tail *tl)
{
	struct vm_run run;
	enum vm_state st;
	struct timespec now;

	if (vm_run_read(tl->name, &run, NULL) == -1)
		return;
	st = vm_state_of(&run, run.alive ? tl->qmp_word : NULL);
	if (!vm_state_live(st))
		tl->qmp_word[0] = '\0';
	vm_run_free(&run);
	if (strcmp(tl->state, vm_state_name(st)) == 0)
		return;
	snprintf(tl->state, sizeof tl->state, "%s", vm_state_name(st));
	clock_gettime(CLOCK_REALTIME, &now);
	emit(f, tl->name, (double)now.tv_sec + (double)now.tv_nsec / 1e9, "state",
	    tl->state, NULL);
}

static void
watch_add(struct follow *f, struct tail *tl)
{
	if (f->ino == -1 || tl->wd != -1)
		return;
	tl->wd = inotify_add_watch(f->ino, tl->dir, IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MODIFY | IN_DELETE_SELF);
}

/* Something changed in a run directory (name: which file), or the base got a new one. */
static void
changed(struct follow *f, int wd, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct tail *tl = &f->t[i];

		if (wd == f->base_wd && tl->wd == -1 && strcmp(name, tl->name) == 0) {
			watch_add(f, tl);
			log_read(f, tl);
			state_check(f, tl);
			continue;
		}
		if (wd != tl->wd)
			continue;
		/* The guest's console and QEMU's messages change nothing we print. */
		if (strcmp(name, rundir_name(RUN_SERIAL_LOG)) == 0 ||
		    strcmp(name, rundir_name(RUN_QEMU_LOG)) == 0)
			continue;
		log_read(f, tl);
		state_check(f, tl);
	}
}

static void
ino_drain(struct follow *f)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(f->ino, buf, sizeof buf)) > 0) {
		char *p = buf;

		while (p < buf + n) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;

			if (ev->mask & IN_IGNORED) {
				size_t i;

				/* A run directory removed (`clean`): watch for it again. */
				for (i = 0; i < f->n; i++)
					if (f->t[i].wd == ev->wd) {
						f->t[i].wd = -1;
						f->t[i].off = 0;
					}
			} else
				changed(f, ev->wd, ev->len > 0 ? ev->name : "");
			p += sizeof *ev + ev->len;
		}
	}
	fflush(stdout);
}

static int
cmd_events_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list = { NULL, 0 };
	struct follow f = { .ino = -1, .base_wd = -1 };
	bool follow = ctx->opts.follow != 0;
	char *base;
	qt_error err;
	size_t i;
	int rc = 0;

	f.json = ctx->opts.json != 0;
	if (argc > 0) {
		if (!cmd_known_profile(ctx, argv[0]))
			return 1;
		f.t = xcalloc(1, sizeof *f.t);
		f.t[0].name = xstrdup(argv[0]);
		f.n = 1;
	} else {
		if (cmd_load_profiles(ctx, &list) == -1)
			return 1;
		f.t = xcalloc(list.n + 1, sizeof *f.t);
		for (i = 0; i < list.n; i++)
			f.t[f.n++].name = xstrdup(list.items[i]->name);
		profile_list_free(&list);
	}
	if ((base = rundir_base(&err)) == NULL) {
		fprintf(stderr, "qemu-tui: events: %s\n", err.msg);
		rc = 1;
		goto out;
	}
	if (follow) {
		signal(SIGPIPE, SIG_DFL);
		if ((f.ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) == -1) {
			fprintf(stderr, "qemu-tui: events: inotify: %s\n", strerror(errno));
			rc = 1;
			goto out;
		}
		f.base_wd = inotify_add_watch(f.ino, base, IN_CREATE | IN_MOVED_TO);
	}
	for (i = 0; i < f.n; i++) {
		f.t[i].wd = -1;
		f.t[i].dir = rundir_path(f.t[i].name, NULL);
		if (f.t[i].dir == NULL)
			continue;
		/* Watched before it is read: nothing written in between is missed. */
		watch_add(&f, &f.t[i]);
		log_read(&f, &f.t[i]);
	}
	if (follow) {
		for (i = 0; i < f.n; i++)
			if (f.t[i].dir != NULL)
				state_check(&f, &f.t[i]);
		fflush(stdout);
		for (;;) {
			struct pollfd pfd = { .fd = f.ino, .events = POLLIN };

			if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
				break;
			ino_drain(&f);
		}
	}
out:
	free(base);
	if (f.ino != -1)
		close(f.ino);
	for (i = 0; i < f.n; i++) {
		free(f.t[i].name);
		free(f.t[i].dir);
	}
	free(f.t);
	return rc;
}

static const struct cmd_option events_options[] = {
	{ "follow", 'f', CMD_OPT_FLAG, CMD_FIELD(follow),
	  "keep printing as things happen (state changes too), until interrupted" },
	CMD_OPTION_JSON,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_events_entry = {
	.name = "events", .args = "[NAME]", .min_args = 0, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = events_options,
	.help = "QMP events, readiness stages and (with --follow) state changes, as lines",
	.exec = cmd_events_exec
};
