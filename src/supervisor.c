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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "loop.h"
#include "qmp.h"
#include "rundir.h"
#include "util.h"

/* A client behind this much unsent output is dropped; it can reattach and get history. */
#define CLIENT_BACKLOG_MAX (8 * 1024 * 1024)

enum client_kind { CLIENT_QMP, CLIENT_SERIAL };

struct client {
	struct client *next;
	struct super *s;
	enum client_kind kind;
	int fd;
	unsigned long serial;	/* identifies it to replies that arrive after it left */
	int negotiated;		/* QMP: qmp_capabilities seen */
	int dead;		/* to be closed once no callback is using it */
	struct qmp_parser *parser;
	struct buf out;
};

struct pending {
	struct super *s;
	unsigned long client;
	struct json_object *id;	/* the client's own id, echoed back */
};

struct super {
	struct loop *loop;
	const char *rundir;
	pid_t qemu;
	int notify_fd;
	int start_paused;
	long long deadline;

	struct qmp_client *qmp;
	int serial_fd;
	struct buf serial_out;	/* keys from clients towards the guest */
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
	unsigned long poll_timer;
};

static void client_close(struct client *c);

static void
notify(struct super *s, const char *fmt, ...)
{
	char line[1100];
	va_list ap;
	int n;

	if (s->notify_fd == -1)
		return;
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
	close(s->notify_fd);
	s->notify_fd = -1;
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

static void
client_want(struct client *c)
{
	loop_io_set(c->s->loop, c->fd, POLLIN | (buf_used(&c->out) ? POLLOUT : 0));
}

/* Failing clients are only marked: this can run inside their own parser's callback. */
static void
client_send(struct client *c, const void *data, size_t len)
{
	if (c->dead)
		return;
	buf_add(&c->out, data, len);
	if (buf_flush(&c->out, c->fd) == -1) {
		c->dead = 1;
		return;
	}
	if (buf_used(&c->out) > CLIENT_BACKLOG_MAX) {
		logmsg("dropping a %s client that fell %zu bytes behind",
		    c->kind == CLIENT_QMP ? "QMP" : "serial", buf_used(&c->out));
		c->dead = 1;
		return;
	}
	client_want(c);
}

/* Close the clients marked dead; called where no client callback is on the stack. */
static void
clients_reap(struct super *s)
{
	struct client *c, *next;

	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->dead)
			client_close(c);
	}
}

static void
client_send_json(struct client *c, struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	client_send(c, text, strlen(text));
	client_send(c, "\r\n", 2);
}

static struct client *
client_find(struct super *s, unsigned long serial)
{
	struct client *c;

	for (c = s->clients; c != NULL; c = c->next)
		if (c->serial == serial && !c->dead)
			return c;
	return NULL;
}

static void
client_close(struct client *c)
{
	struct super *s = c->s;
	struct client **pp;

	for (pp = &s->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	loop_io_del(s->loop, c->fd);
	close(c->fd);
	qmp_parser_free(c->parser);
	buf_free(&c->out);
	free(c);
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
	if (qmp_send(c->s->qmp, cmd, args ? json_object_get(args) : NULL,
	    upstream_reply, p) == -1) {
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
serial_upstream_want(struct super *s)
{
	if (s->serial_fd != -1)
		loop_io_set(s->loop, s->serial_fd,
		    POLLIN | (buf_used(&s->serial_out) ? POLLOUT : 0));
}

static void
client_io(int fd, short revents, void *arg)
{
	struct client *c = arg;
	struct super *s = c->s;
	char buf[16384];
	ssize_t n;

	if (revents & POLLOUT) {
		if (buf_flush(&c->out, c->fd) == -1) {
			client_close(c);
			return;
		}
		client_want(c);
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	if (c->kind == CLIENT_SERIAL) {
		if (s->serial_fd == -1)
			return;
		buf_add(&s->serial_out, buf, (size_t)n);
		if (buf_flush(&s->serial_out, s->serial_fd) == -1)
			logmsg("serial write: %s", strerror(errno));
		serial_upstream_want(s);
		return;
	}
	if (qmp_parser_feed(c->parser, buf, (size_t)n, qmp_client_msg, c, NULL) == -1)
		c->dead = 1;
	clients_reap(s);
}

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
	c->fd = cfd;
	c->serial = ++s->next_serial;
	c->kind = fd == s->qmp_listen ? CLIENT_QMP : CLIENT_SERIAL;
	c->next = s->clients;
	s->clients = c;
	loop_io_add(s->loop, cfd, POLLIN, client_io, c);
	if (c->kind == CLIENT_QMP) {
		char greeting[256];
		int maj = 0, min = 0, mic = 0;

		c->parser = qmp_parser_new(0);
		sscanf(qmp_qemu_version(s->qmp), "%d.%d.%d", &maj, &min, &mic);
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
	clients_reap(s);
}

static void
serial_upstream_io(int fd, short revents, void *arg)
{
	struct super *s = arg;
	struct client *c, *next;
	char buf[65536];
	ssize_t n;

	if (revents & POLLOUT) {
		if (buf_flush(&s->serial_out, fd) == -1)
			logmsg("serial write: %s", strerror(errno));
		serial_upstream_want(s);
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	n = read(fd, buf, sizeof buf);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		loop_io_del(s->loop, fd);
		close(fd);
		s->serial_fd = -1;
		return;
	}
	history_add(s, buf, (size_t)n);
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->kind == CLIENT_SERIAL)
			client_send(c, buf, (size_t)n);
	}
	clients_reap(s);
}

static void
upstream_event(struct qmp_client *q, const char *name, struct json_object *data,
    long long seconds, long micros, void *arg)
{
	struct super *s = arg;
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
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->kind == CLIENT_QMP && c->negotiated)
			client_send_json(c, o);
	}
	json_object_put(o);
}

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
		kill(s->qemu, SIGKILL);
		return;
	}
	loop_io_add(s->loop, s->qmp_listen, POLLIN, accept_client, s);
	loop_io_add(s->loop, s->serial_listen, POLLIN, accept_client, s);
	loop_io_add(s->loop, s->live_listen, POLLIN, accept_client, s);
	s->serving = 1;
	logmsg("QEMU %s is up (pid %ld); serving %s and %s",
	    qmp_qemu_version(s->qmp), (long)s->qemu, s->qmp_path, s->serial_path);
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

	/* QEMU was started with -S: resume only once the serial socket is ours, so no byte is lost. */
	if (s->start_paused)
		qmp_send(q, "cont", NULL, cont_reply, s);
	else
		serve(s);
}

static void
upstream_io(int fd, short revents, void *arg)
{
	struct super *s = arg;

	if (s->qmp != NULL && qmp_io(s->qmp, revents) == -1) {
		/* closed callback already ran */
	}
	clients_reap(s);
	if (s->qmp != NULL)
		loop_io_set(s->loop, qmp_fd(s->qmp), qmp_want(s->qmp));
}

static void
upstream_closed(struct qmp_client *q, const char *why, void *arg)
{
	struct super *s = arg;

	loop_io_del(s->loop, qmp_fd(q));
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
	int qfd, sfd;

	if (s->qmp != NULL || s->qemu_done)
		return;
	if (now_ms() > s->deadline) {
		loop_timer_del(s->loop, s->poll_timer);
		logmsg("QEMU did not open its QMP socket within 30 s; killing it");
		notify(s, "error QEMU did not open its QMP socket within 30 s");
		kill(s->qemu, SIGKILL);
		return;
	}
	qpath = rundir_file(s->rundir, RUN_QEMU_QMP);
	spath = rundir_file(s->rundir, RUN_QEMU_SERIAL);
	qfd = qmp_connect_unix(qpath, NULL);
	sfd = qfd == -1 ? -1 : qmp_connect_unix(spath, NULL);
	free(qpath);
	free(spath);
	if (qfd == -1 || sfd == -1) {
		if (qfd != -1)
			close(qfd);
		return;
	}
	loop_timer_del(s->loop, s->poll_timer);
	s->serial_fd = sfd;
	loop_io_add(s->loop, sfd, POLLIN, serial_upstream_io, s);
	s->qmp = qmp_new(qfd, &upstream_cbs, s);
	loop_io_add(s->loop, qfd, qmp_want(s->qmp), upstream_io, s);
}

static void
write_exit_status(struct super *s)
{
	int st = s->qemu_status;

	rundir_write_exit_status(s->rundir, st);
	if (WIFSIGNALED(st))
		logmsg("QEMU ended: signal %d", WTERMSIG(st));
	else
		logmsg("QEMU ended: exit %d", WEXITSTATUS(st));
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

	/* Killing the supervisor politely ends the VM politely. */
	if (s->qmp != NULL)
		qmp_send(s->qmp, "quit", NULL, NULL, NULL);
	else
		kill(s->qemu, SIGTERM);
}

static void
drain_serial(struct super *s)
{
	struct pollfd pfd;

	/* The guest's last words are in the socket buffer: pass them on before closing. */
	while (s->serial_fd != -1) {
		pfd.fd = s->serial_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) <= 0)
			break;
		serial_upstream_io(s->serial_fd, pfd.revents, s);
	}
}

static void
flush_clients(struct super *s)
{
	long long until = now_ms() + 500;
	struct client *c, *next;

	while (now_ms() < until) {
		int busy = 0;

		for (c = s->clients; c != NULL; c = next) {
			next = c->next;
			if (buf_used(&c->out) && buf_flush(&c->out, c->fd) == -1)
				client_close(c);
			else if (buf_used(&c->out))
				busy = 1;
		}
		if (!busy)
			break;
		usleep(10000);
	}
	while (s->clients != NULL)
		client_close(s->clients);
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

void
supervisor_main(const char *rundir, char *const *qemu_argv, int start_paused,
    int notify_fd, int start_lock_fd)
{
	struct super s;
	char *path;
	int lockfd, fd, exit_code;

	memset(&s, 0, sizeof s);
	s.rundir = rundir;
	s.notify_fd = notify_fd;
	s.start_paused = start_paused;
	s.serial_fd = s.qmp_listen = s.serial_listen = s.live_listen = -1;
	redirect_stdio(rundir);
	/* Nothing of the parent's (a dashboard's ttys and sockets) may leak into the VM's life. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != notify_fd && fd != start_lock_fd)
			close(fd);
	umask(077);
	/* The parent's self-pipe numbers are now free and would be handed to our files. */
	loop_forget_inherited();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);

	if ((lockfd = rundir_lock_supervisor(rundir)) == -1) {
		path = rundir_file(rundir, RUN_SUPER_PID);
		notify(&s, "error another supervisor holds %s", path);
		free(path);
		_exit(1);
	}
	if (start_lock_fd != -1)
		close(start_lock_fd);
	s.history = xmalloc(SUPERVISOR_HISTORY);
	s.qmp_path = rundir_file(rundir, RUN_QMP_SOCK);
	s.serial_path = rundir_file(rundir, RUN_SERIAL_SOCK);
	s.live_path = rundir_file(rundir, RUN_SERIAL_LIVE);
	path = rundir_file(rundir, RUN_EVENTS_LOG);
	s.events = fopen(path, "a");
	free(path);

	s.loop = loop_new();
	loop_signal(s.loop, SIGTERM, on_term, &s);
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
	s.deadline = now_ms() + 30000;
	s.poll_timer = loop_timer_add(s.loop, 20, 1, attach_tick, &s);
	loop_run(s.loop);

	/* QEMU is gone: keep its last output and events, then tidy the run directory. */
	if (s.qmp != NULL) {
		while (qmp_pump_sync(s.qmp, 50) != -1)
			;
	}
	drain_serial(&s);
	write_exit_status(&s);
	if (!s.serving)
		notify(&s, "error QEMU exited during start-up (%s)",
		    WIFSIGNALED(s.qemu_status) ? "killed by a signal" : "see qemu.log");
	flush_clients(&s);
	if (s.qmp != NULL)
		qmp_free(s.qmp);
	if (s.serial_fd != -1)
		close(s.serial_fd);
	if (s.events != NULL)
		fclose(s.events);
	rundir_clear_stale(rundir);
	close(lockfd);
	exit_code = WIFEXITED(s.qemu_status) ? WEXITSTATUS(s.qemu_status) : 1;
	loop_free(s.loop);
	free(s.history);
	free(s.qmp_path);
	free(s.serial_path);
	free(s.live_path);
	_exit(exit_code);
}
