/* The supervisor: owns QEMU's sockets and serves many clients on its own. */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "qmp.h"
#include "ready.h"
#include "rundir.h"
#include "stream.h"
#include "util.h"

/* A client behind this much unsent output is dropped; it can reattach and get history. */
#define CLIENT_BACKLOG_MAX (8 * 1024 * 1024)

enum client_kind { CLIENT_QMP, CLIENT_SERIAL };

struct client {
	struct client *next;
	struct super *s;
	enum client_kind kind;
	struct stream *st;
	unsigned long serial;	/* identifies it to replies that arrive after it left */
	int negotiated;		/* QMP: qmp_capabilities seen */
	struct qmp_parser *parser;
	struct loop_guard guard;	/* dropped from inside its own parser's callback */
};

struct pending {
	struct super *s;
	unsigned long client;
	struct json_object *id;	/* the client's own id, echoed back */
	bool reset;		/* a system_reset */
};

struct super {
	struct loop *loop;
	const char *rundir;
	pid_t qemu;
	int notify_fd;
	int start_paused;
	long long deadline;

	struct qmp_client *qmp;
	struct stream *serial;	/* QEMU's serial socket; keys from clients go out through it */
	char version[48];	/* QEMU's, for our clients' greeting (kept: QMP may close first) */
	char *history;		/* ring of the last SUPERVISOR_HISTORY serial bytes */
	size_t hist_start, hist_len;

	int qmp_listen, serial_listen, live_listen;
	char *qmp_path, *serial_path, *live_path;
	struct client *clients;
	unsigned long next_serial;
	FILE *events;

	int qemu_done;
	int qemu_status;
	int serving;
	int notified;
	int serial_write_logged;
	unsigned long poll_timer;

	/* Adoption: QEMU is not our child; its end shows on a pidfd, and only QMP's
	 * SHUTDOWN event says why. */
	int adopted;
	int pidfd;
	int gave_up;		/* adoption failed: QEMU runs on, orphaned again */
	unsigned long adopt_timer;
	char shutdown_reason[32];

	struct ready *ready;	/* the readiness stages of this run */
	/* A client's system_reset restarts the stages at its RESET or at its
	 * answer, whichever comes first (QEMU sends either first), so that a `wait`
	 * after `reset` waits for the new ones; the other one is then the same
	 * reset. Counts: forwarded and unanswered, restarted by the answer with
	 * RESET still to come, restarted by RESET with the answer still to come. */
	int resets_asked, resets_by_answer, resets_by_event;
};

static void client_drop(struct client *c);
static void notify(struct super *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
notify(struct super *s, const char *fmt, ...)
{
	char line[1100];
	va_list ap;
	int n;

	if (s->notify_fd == -1 || s->notified)
		return;
	s->notified = 1;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	if (write(s->notify_fd, line, (size_t)n) == -1) {
		/* The starter went away; the VM keeps running regardless. */
	}
	/* After an error the pipe stays open until we exit: its EOF tells the starter that
	 * qemu.log is complete. */
	if (strcmp(line, "ok\n") == 0) {
		close(s->notify_fd);
		s->notify_fd = -1;
	}
}

static void
logmsg(const char *fmt, ...)
{
	va_list ap;
	time_t t = time(NULL);
	char ts[32];

	strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", localtime(&t));
	fprintf(stderr, "[qemu-tui supervisor %s] ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A failing client is dropped; this can run inside its own parser's callback (loop_guard). */
static void
client_send(struct client *c, const void *data, size_t len)
{
	if (loop_guard_dying(&c->guard))
		return;
	stream_write(c->st, data, len);
	if (stream_write_failed(c->st)) {
		client_drop(c);
		return;
	}
	if (stream_queued(c->st) > CLIENT_BACKLOG_MAX) {
		logmsg("dropping a %s client that fell %zu bytes behind",
		    c->kind == CLIENT_QMP ? "QMP" : "serial", stream_queued(c->st));
		client_drop(c);
	}
}

static void
client_send_json(struct client *c, struct json_object *o)
{
	/* One send: a failing send drops the client at once. */
	char *text = xasprintf("%s\r\n",
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));

	client_send(c, text, strlen(text));
	free(text);
}

static struct client *
client_find(struct super *s, unsigned long serial)
{
	struct client *c;

	for (c = s->clients; c != NULL; c = c->next)
		if (c->serial == serial)
			return c;
	return NULL;
}

static void
client_destroy(struct client *c)
{
	qmp_parser_free(c->parser);
	free(c);
}

/* Out of the list and off the loop at once; the memory goes once no callback of its own is running. */
static void
client_drop(struct client *c)
{
	struct super *s = c->s;
	struct client **pp;

	for (pp = &s->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	stream_free(c->st);
	c->st = NULL;
	if (loop_guard_free(&c->guard))
		client_destroy(c);
}

static void
qmp_reply_error(struct client *c, struct json_object *id, const char *cls,
    const char *desc)
{
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "class", json_object_new_string(cls));
	json_object_object_add(e, "desc", json_object_new_string(desc));
	json_object_object_add(o, "error", e);
	if (id != NULL)
		json_object_object_add(o, "id", json_object_get(id));
	client_send_json(c, o);
	json_object_put(o);
}

static void
upstream_reply(struct qmp_client *q, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct pending *p = arg;
	struct client *c = client_find(p->s, p->client);
	struct json_object *o;

	if (p->reset) {
		struct super *s = p->s;

		s->resets_asked--;
		if (error == NULL && s->resets_by_event > 0)
			s->resets_by_event--;
		else if (error == NULL) {
			ready_reset(s->ready);
			s->resets_by_answer++;
		}
	}
	if (c != NULL) {
		o = json_object_new_object();
		if (error != NULL)
			json_object_object_add(o, "error", json_object_get(error));
		else
			json_object_object_add(o, "return",
			    ret ? json_object_get(ret) : json_object_new_object());
		if (p->id != NULL)
			json_object_object_add(o, "id", json_object_get(p->id));
		client_send_json(c, o);
		json_object_put(o);
	}
	json_object_put(p->id);
	free(p);
}

/* One message from a QMP client: answer negotiation here, forward the rest with our own ids. */
static void
qmp_client_msg(struct json_object *msg, void *arg)
{
	struct client *c = arg;
	struct json_object *exec, *id = NULL, *args = NULL;
	struct pending *p;
	const char *cmd;

	json_object_object_get_ex(msg, "id", &id);
	if (!json_object_object_get_ex(msg, "execute", &exec) ||
	    !json_object_is_type(exec, json_type_string)) {
		qmp_reply_error(c, id, "GenericError",
		    "QMP input must be a JSON object with 'execute'");
		return;
	}
	cmd = json_object_get_string(exec);
	if (strcmp(cmd, "qmp_capabilities") == 0) {
		if (c->negotiated) {
			qmp_reply_error(c, id, "CommandNotFound",
			    "Capabilities negotiation is already complete, command ignored");
			return;
		}
		c->negotiated = 1;
		{
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "return", json_object_new_object());
			if (id != NULL)
				json_object_object_add(o, "id", json_object_get(id));
			client_send_json(c, o);
			json_object_put(o);
		}
		return;
	}
	if (!c->negotiated) {
		qmp_reply_error(c, id, "CommandNotFound",
		    "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	if (c->s->qmp == NULL) {
		qmp_reply_error(c, id, "GenericError", "QEMU has exited");
		return;
	}
	json_object_object_get_ex(msg, "arguments", &args);
	p = xcalloc(1, sizeof *p);
	p->s = c->s;
	p->client = c->serial;
	p->id = id ? json_object_get(id) : NULL;
	p->reset = strcmp(cmd, "system_reset") == 0;
	if (p->reset)
		c->s->resets_asked++;
	if (qmp_send(c->s->qmp, cmd, args ? json_object_get(args) : NULL,
	    upstream_reply, p) == -1) {
		if (p->reset)
			c->s->resets_asked--;
		qmp_reply_error(c, id, "GenericError", "QEMU connection lost");
		json_object_put(p->id);
		free(p);
	}
}

static void
history_add(struct super *s, const char *data, size_t len)
{
	size_t i, end;

	if (len >= SUPERVISOR_HISTORY) {
		data += len - SUPERVISOR_HISTORY;
		len = SUPERVISOR_HISTORY;
	}
	for (i = 0; i < len; i++) {
		end = (s->hist_start + s->hist_len) % SUPERVISOR_HISTORY;
		s->history[end] = data[i];
		if (s->hist_len < SUPERVISOR_HISTORY)
			s->hist_len++;
		else
			s->hist_start = (s->hist_start + 1) % SUPERVISOR_HISTORY;
	}
}

static void
client_data(struct stream *st, const char *buf, size_t n, void *arg)
{
	struct client *c = arg;
	struct super *s = c->s;

	(void)st;
	if (c->kind == CLIENT_SERIAL) {
		if (s->serial == NULL)
			return;
		stream_write(s->serial, buf, n);
		if (stream_write_failed(s->serial) && !s->serial_write_logged) {
			s->serial_write_logged = 1;
			logmsg("serial write failed: keys towards the guest are dropped");
		}
		return;
	}
	loop_guard_enter(&c->guard);
	if (qmp_parser_feed(c->parser, buf, n, qmp_client_msg, c, NULL) == -1)
		client_drop(c);
	if (loop_guard_leave(&c->guard))
		client_destroy(c);
}

static void
client_closed(struct stream *st, const char *why, void *arg)
{
	(void)st;
	(void)why;
	client_drop(arg);
}

static const struct stream_hooks client_hooks = { client_data, client_closed };

static void
accept_client(int fd, short revents, void *arg)
{
	struct super *s = arg;
	struct client *c;
	int cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1)
		return;
	c = xcalloc(1, sizeof *c);
	c->s = s;
	c->st = stream_new(s->loop, cfd, &client_hooks, c);
	c->serial = ++s->next_serial;
	c->kind = fd == s->qmp_listen ? CLIENT_QMP : CLIENT_SERIAL;
	c->next = s->clients;
	s->clients = c;
	loop_guard_enter(&c->guard);
	if (c->kind == CLIENT_QMP) {
		char greeting[256];
		int maj = 0, min = 0, mic = 0;

		c->parser = qmp_parser_new(0);
		sscanf(s->version, "%d.%d.%d", &maj, &min, &mic);
		snprintf(greeting, sizeof greeting,
		    "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": %d, \"minor\": %d, "
		    "\"major\": %d}, \"package\": \"qemu-tui supervisor\"}, "
		    "\"capabilities\": []}}\r\n", mic, min, maj);
		client_send(c, greeting, strlen(greeting));
	} else if (s->hist_len > 0 && fd == s->serial_listen) {
		/* History first, so an attaching console misses nothing written before it came. */
		size_t first = SUPERVISOR_HISTORY - s->hist_start;

		if (first > s->hist_len)
			first = s->hist_len;
		client_send(c, s->history + s->hist_start, first);
		if (first < s->hist_len)
			client_send(c, s->history, s->hist_len - first);
	}
	if (loop_guard_leave(&c->guard))
		client_destroy(c);
}

/* The guest's output: into the history, then to every serial client. */
static void
serial_data(struct stream *st, const char *buf, size_t n, void *arg)
{
	struct super *s = arg;
	struct client *c, *next;

	(void)st;
	history_add(s, buf, n);
	ready_serial(s->ready, buf, n);
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->kind == CLIENT_SERIAL)
			client_send(c, buf, n);
	}
}

static void
serial_closed(struct stream *st, const char *why, void *arg)
{
	struct super *s = arg;

	(void)why;
	stream_free(st);
	s->serial = NULL;
}

static const struct stream_hooks serial_hooks = { serial_data, serial_closed };

/* An event into events.log, and QEMU's own to every QMP client (ours, STAGE, only
 * into the log: a QMP client expects QEMU's events, and the stages file says it). */
static void
broadcast_event(struct super *s, const char *name, struct json_object *data,
    long long seconds, long micros, bool to_clients)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ts = json_object_new_object();
	struct client *c, *next;
	const char *text;

	json_object_object_add(o, "event", json_object_new_string(name));
	if (data != NULL)
		json_object_object_add(o, "data", json_object_get(data));
	json_object_object_add(ts, "seconds", json_object_new_int64(seconds));
	json_object_object_add(ts, "microseconds", json_object_new_int64(micros));
	json_object_object_add(o, "timestamp", ts);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (s->events != NULL) {
		fprintf(s->events, "%s\n", text);
		fflush(s->events);
	}
	for (c = s->clients; c != NULL && to_clients; c = next) {
		next = c->next;
		if (c->kind == CLIENT_QMP && c->negotiated)
			client_send_json(c, o);
	}
	json_object_put(o);
}

static void
upstream_event(struct qmp_client *q, const char *name, struct json_object *data,
    long long seconds, long micros, void *arg)
{
	struct super *s = arg;

	(void)q;
	if (strcmp(name, "SHUTDOWN") == 0 && data != NULL) {
		struct json_object *r;

		if (json_object_object_get_ex(data, "reason", &r))
			snprintf(s->shutdown_reason, sizeof s->shutdown_reason, "%s",
			    json_object_get_string(r));
	}
	/* Knocking on a paused or powered-off guest would be polling for nothing. */
	if (strcmp(name, "STOP") == 0)
		ready_pause(s->ready, true);
	else if (strcmp(name, "RESUME") == 0)
		ready_pause(s->ready, false);
	else if (strcmp(name, "SHUTDOWN") == 0)
		ready_stop(s->ready);
	broadcast_event(s, name, data, seconds, micros, true);
	/* A reset (a client's, the guest's reboot): the stages start again (for a
	 * client's, unless its answer came first and did). */
	if (strcmp(name, "RESET") == 0) {
		if (s->resets_by_answer > 0)
			s->resets_by_answer--;
		else {
			ready_reset(s->ready);
			if (s->resets_asked > s->resets_by_event)
				s->resets_by_event++;
		}
	}
}

/* A readiness stage: a STAGE line in events.log (the stages file, written first,
 * has it already). */
static void
stage_reached(void *arg, enum stage st, long long at_ms)
{
	struct super *s = arg;
	struct json_object *data = json_object_new_object();

	json_object_object_add(data, "stage", json_object_new_string(stage_name(st)));
	broadcast_event(s, "STAGE", data, at_ms / 1000, (long)(at_ms % 1000) * 1000, false);
	json_object_put(data);
}

/* The guest was reset: a STAGE line "restarted" in events.log. */
static void
stage_restarted(void *arg, long long at_ms)
{
	struct super *s = arg;
	struct json_object *data = json_object_new_object();

	json_object_object_add(data, "stage", json_object_new_string("restarted"));
	broadcast_event(s, "STAGE", data, at_ms / 1000, (long)(at_ms % 1000) * 1000, false);
	json_object_put(data);
}

static void
stage_log(void *arg, const char *msg)
{
	(void)arg;
	logmsg("%s", msg);
}

static const struct ready_hooks ready_hooks = {
	.reached = stage_reached, .restarted = stage_restarted, .log = stage_log,
};

static int
listen_unix(const char *path, qt_error *err)
{
	struct sockaddr_un sun;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		err_set(err, "socket path too long (%zu bytes, at most %zu): %s; "
		    "set XDG_RUNTIME_DIR or QEMU_TUI_RUNDIR to a shorter directory",
		    strlen(path), sizeof sun.sun_path - 1, path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    chmod(path, 0600) == -1 || listen(fd, 16) == -1) {
		err_errno(err, "cannot listen on %s", path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The pidfd is the adopted QEMU itself (kill would reach whoever reuses its pid). */
static void
signal_qemu(struct super *s, int sig)
{
	if (s->adopted)
		syscall(SYS_pidfd_send_signal, s->pidfd, sig, NULL, 0);
	else
		kill(s->qemu, sig);
}

/* Our own QEMU dies with a failed start; an adopted one runs on without us. */
static void
stop_qemu_or_give_up(struct super *s, int sig)
{
	if (!s->adopted || s->serving) {
		signal_qemu(s, sig);
		return;
	}
	s->gave_up = 1;
	loop_stop(s->loop);
}

/*
 * A new console must get the history an adopting supervisor never saw: QEMU's
 * logfile has every byte of this run from serial-start on, also those already
 * read from the socket, so the log replaces them. (Bytes still unread in the
 * socket at this moment come again after it: a few at most, the guest is
 * rarely writing just then.)
 */
static void
history_seed(struct super *s)
{
	long long from = rundir_read_num(s->rundir, RUN_SERIAL_START);
	char buf[65536], *path;
	struct stat st;
	ssize_t n;
	int fd;

	s->hist_start = s->hist_len = 0;
	path = rundir_file(s->rundir, RUN_SERIAL_LOG);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd == -1 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (fd != -1)
			close(fd);
		return;
	}
	if (st.st_size - from > SUPERVISOR_HISTORY || from > st.st_size)
		from = st.st_size > SUPERVISOR_HISTORY ? st.st_size - SUPERVISOR_HISTORY : 0;
	while ((n = pread(fd, buf, sizeof buf, (off_t)from)) > 0) {
		history_add(s, buf, (size_t)n);
		from += n;
	}
	close(fd);
}

static void
serve(struct super *s)
{
	qt_error err;

	s->qmp_listen = listen_unix(s->qmp_path, &err);
	if (s->qmp_listen != -1)
		s->serial_listen = listen_unix(s->serial_path, &err);
	if (s->serial_listen != -1)
		s->live_listen = listen_unix(s->live_path, &err);
	if (s->qmp_listen == -1 || s->serial_listen == -1 || s->live_listen == -1) {
		logmsg("%s", err.msg);
		notify(s, "error %s", err.msg);
		stop_qemu_or_give_up(s, SIGKILL);
		return;
	}
	if (s->adopted)
		history_seed(s);
	loop_io_add(s->loop, s->qmp_listen, POLLIN, accept_client, s);
	loop_io_add(s->loop, s->serial_listen, POLLIN, accept_client, s);
	loop_io_add(s->loop, s->live_listen, POLLIN, accept_client, s);
	s->serving = 1;
	ready_start(s->ready);
	logmsg("QEMU %s is %s (pid %ld); serving %s and %s", s->version,
	    s->adopted ? "adopted" : "up", (long)s->qemu, s->qmp_path, s->serial_path);
	notify(s, "ok");
}

static void
cont_reply(struct qmp_client *q, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct super *s = arg;

	if (error != NULL) {
		const char *desc = "";
		struct json_object *d;

		if (json_object_object_get_ex(error, "desc", &d))
			desc = json_object_get_string(d);
		logmsg("cont failed: %s", desc);
		notify(s, "error QEMU refused to run the guest: %s", desc);
		return;
	}
	serve(s);
}

static void
upstream_ready(struct qmp_client *q, void *arg)
{
	struct super *s = arg;

	snprintf(s->version, sizeof s->version, "%s", qmp_qemu_version(q));
	if (s->adopt_timer != 0) {
		loop_timer_del(s->loop, s->adopt_timer);
		s->adopt_timer = 0;
	}
	/* QEMU was started with -S: resume only once the serial socket is ours, so no byte is lost. */
	if (s->start_paused)
		qmp_send(q, "cont", NULL, cont_reply, s);
	else
		serve(s);
}

static void
upstream_closed(struct qmp_client *q, const char *why, void *arg)
{
	struct super *s = arg;

	(void)why;
	qmp_free(q);
	s->qmp = NULL;
}

static const struct qmp_callbacks upstream_cbs = {
	upstream_ready, upstream_event, upstream_closed
};

/* QEMU creates its sockets a little after exec: look for them until the deadline. */
static void
attach_tick(void *arg)
{
	struct super *s = arg;
	char *qpath, *spath;
	int sfd;

	if (s->qmp != NULL || s->qemu_done)
		return;
	if (now_ms() > s->deadline) {
		loop_timer_del(s->loop, s->poll_timer);
		logmsg("QEMU did not open its QMP socket within 30 s");
		notify(s, "error QEMU did not open its QMP socket within 30 s");
		stop_qemu_or_give_up(s, SIGKILL);
		return;
	}
	qpath = rundir_file(s->rundir, RUN_QEMU_QMP);
	spath = rundir_file(s->rundir, RUN_QEMU_SERIAL);
	s->qmp = qmp_open(s->loop, qpath, &upstream_cbs, s, NULL);
	sfd = s->qmp == NULL ? -1 : unix_connect(spath, NULL);
	free(qpath);
	free(spath);
	if (sfd == -1) {
		qmp_free(s->qmp);
		s->qmp = NULL;
		return;
	}
	loop_timer_del(s->loop, s->poll_timer);
	s->serial = stream_new(s->loop, sfd, &serial_hooks, s);
}

static void
write_exit_status(struct super *s)
{
	int st = s->qemu_status;

	/* Not QEMU's parent: its exit code is out of reach, and none is made up. */
	if (s->adopted) {
		rundir_write_exit_unknown(s->rundir, s->shutdown_reason);
		logmsg("QEMU ended: %s", s->shutdown_reason[0] != '\0' ?
		    s->shutdown_reason : "exit status unknown");
		return;
	}
	rundir_write_exit_status(s->rundir, st);
	if (WIFSIGNALED(st))
		logmsg("QEMU ended: signal %d", WTERMSIG(st));
	else
		logmsg("QEMU ended: exit %d", WEXITSTATUS(st));
}

/* The adopted QEMU ended (its pidfd became readable); the exit code is not ours to see. */
static void
adopted_gone(int fd, short revents, void *arg)
{
	struct super *s = arg;

	(void)revents;
	loop_io_del(s->loop, fd);
	s->qemu_done = 1;
	loop_stop(s->loop);
}

/* QEMU's QMP answers a new client only once the old one left: someone else may hold it. */
static void
adopt_timeout(void *arg)
{
	struct super *s = arg;

	s->adopt_timer = 0;
	if (s->serving || s->qemu_done)
		return;
	logmsg("QEMU's QMP socket did not greet us within 30 s; leaving it orphaned");
	notify(s, "error QEMU's QMP socket did not answer within 30 s (does another "
	    "client hold %s/%s?); QEMU runs on", s->rundir, rundir_name(RUN_QEMU_QMP));
	s->gave_up = 1;
	loop_stop(s->loop);
}

static void
qemu_exited(pid_t pid, int status, void *arg)
{
	struct super *s = arg;

	s->qemu_done = 1;
	s->qemu_status = status;
	loop_stop(s->loop);
}

static void
on_term(int sig, void *arg)
{
	struct super *s = arg;

	/* Killing the supervisor politely ends the VM politely; an adoption not
	 * yet done leaves it as it found it. */
	if (s->adopted && !s->serving)
		stop_qemu_or_give_up(s, SIGTERM);
	else if (s->qmp != NULL)
		qmp_send(s->qmp, "quit", NULL, NULL, NULL);
	else
		signal_qemu(s, SIGTERM);
}

/*
 * QEMU is gone: the guest's last words and QEMU's last events are still in the
 * sockets. Turn the loop until both reach EOF (they come at once: QEMU closed
 * them), at most a second.
 */
static void
drain_upstream(struct super *s)
{
	long long until = now_ms() + 1000;

	while ((s->qmp != NULL || s->serial != NULL) && now_ms() < until)
		if (loop_run_once(s->loop, (long)(until - now_ms())) == -1)
			break;
}

/* Give the clients their last bytes (at most half a second), then close them. */
static void
flush_clients(struct super *s)
{
	long long until = now_ms() + 500;
	struct client *c;
	bool busy = true;

	/* Nobody new while we leave. */
	loop_io_del(s->loop, s->qmp_listen);
	loop_io_del(s->loop, s->serial_listen);
	loop_io_del(s->loop, s->live_listen);
	while (busy && now_ms() < until) {
		busy = false;
		for (c = s->clients; c != NULL; c = c->next)
			if (stream_queued(c->st) > 0)
				busy = true;
		if (busy && loop_run_once(s->loop, (long)(until - now_ms())) == -1)
			break;
	}
	while (s->clients != NULL)
		client_drop(s->clients);
}

static void
redirect_stdio(const char *rundir)
{
	char *log = rundir_file(rundir, RUN_QEMU_LOG);
	int fd;

	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, 0);
		if (fd > 2)
			close(fd);
	}
	if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600)) != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	free(log);
}

/* What both entry points do first: a clean process, our lock, our files. Returns the lock's fd. */
static int
super_init(struct super *s, const char *rundir, const struct profile *p, int notify_fd,
    int keep_fd, int start_lock_fd)
{
	char *path;
	int lockfd, fd;

	memset(s, 0, sizeof *s);
	s->rundir = rundir;
	s->notify_fd = notify_fd;
	s->pidfd = -1;
	s->qmp_listen = s->serial_listen = s->live_listen = -1;
	redirect_stdio(rundir);
	/* Nothing of the parent's (a dashboard's ttys and sockets) may leak into the VM's life. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != notify_fd && fd != start_lock_fd && fd != keep_fd)
			close(fd);
	umask(077);
	/* The parent's self-pipe numbers are now free and would be handed to our files. */
	loop_forget_inherited();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);

	if ((lockfd = rundir_lock_supervisor(rundir)) == -1) {
		path = rundir_file(rundir, RUN_SUPER_PID);
		notify(s, "error another supervisor holds %s", path);
		free(path);
		_exit(1);
	}
	if (start_lock_fd != -1)
		close(start_lock_fd);
	s->history = xmalloc(SUPERVISOR_HISTORY);
	s->qmp_path = rundir_file(rundir, RUN_QMP_SOCK);
	s->serial_path = rundir_file(rundir, RUN_SERIAL_SOCK);
	s->live_path = rundir_file(rundir, RUN_SERIAL_LIVE);
	path = rundir_file(rundir, RUN_EVENTS_LOG);
	s->events = fopen(path, "a");
	free(path);

	s->loop = loop_new();
	loop_signal(s->loop, SIGTERM, on_term, s);
	s->ready = ready_new(s->loop, rundir, p, &ready_hooks, s);
	return lockfd;
}

/* A failed adoption: QEMU runs on, orphaned again; only our own files go. */
static void __attribute__((noreturn))
super_give_up(struct super *s, int lockfd)
{
	const enum run_file ours[] = { RUN_QMP_SOCK, RUN_SERIAL_SOCK, RUN_SERIAL_LIVE,
		RUN_SUPER_PID };
	size_t i;

	notify(s, "error the adoption was abandoned; QEMU runs on, orphaned");
	flush_clients(s);
	qmp_free(s->qmp);
	stream_free(s->serial);
	for (i = 0; i < sizeof ours / sizeof ours[0]; i++)
		rundir_unlink(s->rundir, ours[i]);
	close(lockfd);
	_exit(1);
}

/* Serve until QEMU is gone, then keep its last output and events and tidy the run directory. */
static void __attribute__((noreturn))
super_run(struct super *s, int lockfd)
{
	int exit_code;

	s->deadline = now_ms() + 30000;
	s->poll_timer = loop_timer_add(s->loop, 20, 1, attach_tick, s);
	loop_run(s->loop);
	if (s->gave_up)
		super_give_up(s, lockfd);

	drain_upstream(s);
	write_exit_status(s);
	if (!s->serving && s->adopted)
		notify(s, "error QEMU ended while it was being adopted");
	else if (!s->serving)
		notify(s, "error QEMU exited during start-up (%s)",
		    WIFSIGNALED(s->qemu_status) ? "killed by a signal" : "see qemu.log");
	flush_clients(s);
	qmp_free(s->qmp);
	stream_free(s->serial);
	if (s->events != NULL)
		fclose(s->events);
	rundir_clear_stale(s->rundir);
	close(lockfd);
	exit_code = s->adopted ? 0 :
	    WIFEXITED(s->qemu_status) ? WEXITSTATUS(s->qemu_status) : 1;
	ready_free(s->ready);
	loop_free(s->loop);
	free(s->history);
	free(s->qmp_path);
	free(s->serial_path);
	free(s->live_path);
	_exit(exit_code);
}

void
supervisor_main(const char *rundir, const struct profile *p, char *const *qemu_argv,
    int start_paused, int notify_fd, int start_lock_fd)
{
	struct super s;
	int lockfd;

	lockfd = super_init(&s, rundir, p, notify_fd, -1, start_lock_fd);
	s.start_paused = start_paused;
	s.qemu = fork();
	if (s.qemu == -1) {
		notify(&s, "error fork: %s", strerror(errno));
		_exit(1);
	}
	if (s.qemu == 0) {
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(qemu_argv[0], qemu_argv);
		fprintf(stderr, "qemu-tui: cannot run %s: %s\n", qemu_argv[0],
		    strerror(errno));
		_exit(127);
	}
	if (s.notify_fd != -1)
		set_cloexec(s.notify_fd);
	logmsg("started %s (pid %ld)", qemu_argv[0], (long)s.qemu);
	loop_child(s.loop, s.qemu, qemu_exited, &s);
	super_run(&s, lockfd);
}

void
supervisor_adopt_main(const char *rundir, const struct profile *p, pid_t qemu_pid,
    int pidfd, int notify_fd, int start_lock_fd)
{
	struct super s;
	int lockfd;

	lockfd = super_init(&s, rundir, p, notify_fd, pidfd, start_lock_fd);
	s.adopted = 1;
	s.qemu = qemu_pid;
	s.pidfd = pidfd;
	if (s.notify_fd != -1)
		set_cloexec(s.notify_fd);
	logmsg("adopting QEMU (pid %ld): its supervisor is gone", (long)qemu_pid);
	loop_io_add(s.loop, pidfd, POLLIN, adopted_gone, &s);
	s.adopt_timer = loop_timer_add(s.loop, 30000, 0, adopt_timeout, &s);
	super_run(&s, lockfd);
}
