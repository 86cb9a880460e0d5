/*
 * An SSH session as a state machine on the poll loop. libssh runs non-blocking: every
 * step is re-called with the same arguments until it stops returning SSH_AGAIN, woken by
 * the session's fd or a short tick, and the loop never waits on it.
 */
#include "ssh.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "buf.h"
#include "net.h"
#include "sshlib.h"

#define TICK_MS		200
#define RETRY_MS	1000
#define STEP_TIMEOUT_MS	30000	/* a server that stops answering after the banner */
#define EXIT_WAIT_MS	2000	/* after EOF: how long to wait for the exit status */
#define PASSWORD_TRIES	3
#define WRITE_CHUNK	32768

enum step {
	ST_RESOLVE,		/* a host name being looked up by a child, off the loop */
	ST_CONNECT,
	ST_RETRY_WAIT,
	ST_HOSTKEY_ASK,		/* waiting for the user */
	ST_AUTH_NONE,
	ST_AUTH_PUBKEY,
	ST_PASSWORD_ASK,	/* waiting for the user */
	ST_PASSWORD,
	ST_KBDINT,
	ST_KBDINT_ASK,		/* waiting for the user */
	ST_CHAN_OPEN,
	ST_CHAN_PTY,
	ST_CHAN_START,
	ST_RUNNING,
	ST_EXIT_WAIT,		/* the remote side sent EOF; waiting for its exit status */
	ST_DONE,
};

struct ssh_sess {
	struct loop *loop;
	struct ssh_target t;
	char *hostport;		/* for messages: "127.0.0.1:2222" */
	char *command;		/* NULL: a shell with a pty */
	int rows, cols;
	struct ssh_hooks hooks;
	void *arg;
	struct ssh_callbacks_struct cbs;	/* must outlive the session */
	struct ssh_channel_callbacks_struct chcbs;	/* must outlive the channel */
	bool dropping;		/* libssh objects being freed: no more data hooks */

	ssh_session ss;
	ssh_channel ch;
	int fd;			/* watched fd, -1 when none */
	short fd_events;
	enum step st;
	long long deadline;	/* 0: none (waiting for the user) */
	long long connect_deadline;
	unsigned long tick, retry, kick;
	char last_err[256];
	bool said_waiting;

	int methods;
	int password_tries;
	int kbd_prompt, kbd_nprompts;
	char *answer;		/* from ssh_sess_prompt_answer, wiped after use */
	bool answered;
	enum ssh_hostkey_answer hostkey;

	struct buf out;
	bool eof_wanted, eof_sent;
	bool stdout_eof;
	int exit_status;

	int resolve_fd;		/* the resolver child's answer, -1 when none */
	pid_t resolve_pid;

	bool started;		/* the first step ran */
	struct loop_guard guard;	/* ssh_sess_free from inside a hook */
};

static void step(struct ssh_sess *s);
static void tick_update(struct ssh_sess *s);

/* ---- target ---------------------------------------------------------------- */

/* An IP literal as is; NULL for a name (AI_NUMERICHOST never asks a resolver, so
 * this never blocks: names are looked up by the session, off the loop). */
static char *
numeric_host(const char *name)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return NULL;
	freeaddrinfo(res);
	return xstrdup(name);
}

int
ssh_target_resolve(const struct profile *p, const struct vm_run *run,
    const char *host, int port, struct ssh_target *t, qt_error *err)
{
	struct net_ssh_endpoint e;

	memset(t, 0, sizeof *t);
	net_ssh_endpoint(p, run != NULL ? run->ssh_port : 0, &e);
	if (host != NULL) {	/* an explicit host is a remote of its own */
		e.host = e.host_name = host;
		e.port = p->ssh.port > 0 ? p->ssh.port : 22;
		e.port_chosen = false;
	}
	if (port > 0) {
		e.port = port;
		e.port_chosen = false;
	}
	if (e.host == NULL) {
		err_set(err, "%s: set ssh.host to the guest's address (the network mode "
		    "is not user networking, so there is no forwarded port to use)",
		    p->path != NULL ? p->path : p->name);
		return -1;
	}
	if (e.port == 0) {
		err_set(err, "%s is not running, and its ssh port is chosen when it "
		    "starts (start it, or fix one with ssh.port in %s)", p->name,
		    p->path != NULL ? p->path : "its profile");
		return -1;
	}
	t->port = e.port;
	t->port_from_run = e.port_chosen;
	t->host_name = xstrdup(e.host_name);
	/* Where to connect: an IP literal (a forward's address is IPv4) as is; a name
	 * (then equal to host_name) is looked up by the session, off the loop. */
	t->host = numeric_host(e.host);
	t->user = xstrdup(p->ssh.user != NULL ? p->ssh.user : "root");
	t->identity = p->ssh.identity != NULL ? xstrdup(p->ssh.identity) : NULL;
	t->hkc = SSH_HKC_ASK;
	if (p->ssh.host_key_check != NULL && strcmp(p->ssh.host_key_check, "accept-new") == 0)
		t->hkc = SSH_HKC_ACCEPT_NEW;
	else if (p->ssh.host_key_check != NULL && strcmp(p->ssh.host_key_check, "off") == 0)
		t->hkc = SSH_HKC_OFF;
	t->connect_timeout = p->ssh.connect_timeout > 0 ? p->ssh.connect_timeout : 60;
	return 0;
}

void
ssh_target_free(struct ssh_target *t)
{
	free(t->host);
	free(t->host_name);
	free(t->user);
	free(t->identity);
	memset(t, 0, sizeof *t);
}

char *
ssh_target_hostport(const struct ssh_target *t)
{
	const char *h = t->host != NULL ? t->host : t->host_name;

	if (t->port == 22)
		return xstrdup(h);
	return xasprintf("[%s]:%d", h, t->port);
}

static void
target_copy(struct ssh_target *dst, const struct ssh_target *src)
{
	*dst = *src;
	dst->host = src->host != NULL ? xstrdup(src->host) : NULL;
	dst->host_name = xstrdup(src->host_name != NULL ? src->host_name : src->host);
	dst->user = xstrdup(src->user);
	dst->identity = src->identity != NULL ? xstrdup(src->identity) : NULL;
}

/* ---- paths and keys -------------------------------------------------------- */

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h != '\0')
		return h;
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_dir : "/";
}

char *
ssh_dir_path(void)
{
	return xasprintf("%s/.ssh", home_dir());
}

char *
ssh_known_hosts_path(void)
{
	return xasprintf("%s/.ssh/known_hosts", home_dir());
}

char *
ssh_default_key_path(void)
{
	return xasprintf("%s/.ssh/id_ed25519", home_dir());
}

static int
make_ssh_dir(qt_error *err)
{
	char *dir = ssh_dir_path();
	int rc = 0;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_errno(err, "%s", dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

bool
ssh_have_default_key(void)
{
	static const char *const names[] = { "id_ed25519", "id_ecdsa", "id_rsa", NULL };
	bool found = false;
	size_t i;

	for (i = 0; names[i] != NULL && !found; i++) {
		char *p = xasprintf("%s/.ssh/%s", home_dir(), names[i]);

		found = access(p, R_OK) == 0;
		free(p);
	}
	return found;
}

int
ssh_keygen_default(char **publine, qt_error *err)
{
	char *path, *pub, *b64 = NULL;
	char host[256];
	mode_t old_mask;
	int exported;
	ssh_key key = NULL;
	int rc = -1;

	*publine = NULL;
	path = xasprintf("%s/.ssh/id_ed25519", home_dir());
	pub = xasprintf("%s/.ssh/id_ed25519.pub", home_dir());
	if (access(path, F_OK) == 0) {
		err_set(err, "%s already exists", path);
		goto out;
	}
	if (sshlib_load(err) == -1 || make_ssh_dir(err) == -1)
		goto out;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
		err_set(err, "cannot generate an ed25519 key");
		goto out;
	}
	/* libssh creates the file with the umask's mode; ssh refuses a readable key. */
	old_mask = umask(077);
	exported = ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path);
	umask(old_mask);
	if (exported != SSH_OK) {
		err_set(err, "cannot write %s", path);
		goto out;
	}
	if (ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
		err_set(err, "cannot export the public key of %s", path);
		unlink(path);
		goto out;
	}
	if (gethostname(host, sizeof host) == -1)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	{
		struct passwd *pw = getpwuid(getuid());
		const char *user = pw != NULL && pw->pw_name != NULL ? pw->pw_name : "user";

		*publine = xasprintf("ssh-ed25519 %s %s@%s", b64, user, host);
	}
	{
		char *line = xasprintf("%s\n", *publine);

		rc = file_write_atomic(pub, line, strlen(line), 0644, err);
		free(line);
	}
	if (rc == -1) {
		unlink(path);
		free(*publine);
		*publine = NULL;
	}
out:
	if (key != NULL)
		ssh_key_free(key);
	if (b64 != NULL)
		ssh_string_free_char(b64);
	free(path);
	free(pub);
	return rc;
}

char *
ssh_install_hint(const char *publine, const struct ssh_target *t)
{
	char *q = shell_quote(publine), *hint;

	hint = xasprintf("On the guest's console: mkdir -p ~/.ssh && echo %s >> "
	    "~/.ssh/authorized_keys\nOr from here: ssh-copy-id -i ~/.ssh/id_ed25519.pub "
	    "-p %d %s@%s", q, t->port, t->user, t->host_name);
	free(q);
	return hint;
}

/*
 * The line of known_hosts that holds this host, for the warning. Hashed entries cannot
 * be matched without HMAC; 0 then, and the caller names the ssh-keygen -R line instead.
 */
static int
known_hosts_line(const char *path, const char *hostport)
{
	char line[8192];
	FILE *f;
	int n = 0, found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		char *pat, *save = NULL, *end;

		n++;
		end = line + strcspn(line, " \t");
		*end = '\0';
		if (line[0] == '#' || line[0] == '|' || line[0] == '@')
			continue;
		for (pat = strtok_r(line, ",", &save); pat != NULL;
		    pat = strtok_r(NULL, ",", &save))
			if (strcasecmp(pat, hostport) == 0)
				found = n;
	}
	fclose(f);
	return found;
}

/* ---- the session ----------------------------------------------------------- */

static void io_cb(int fd, short revents, void *arg);

/* The fd follows the session (a retry makes a new one); POLLOUT only while libssh has
 * something unsent or a connect in progress (it says so in its poll flags): a
 * connected socket is always writable, and asking would spin. */
static void
watch_fd(struct ssh_sess *s)
{
	int fd = s->ss != NULL ? ssh_get_fd(s->ss) : -1;
	short ev;

	if (s->st == ST_DONE || s->st == ST_RETRY_WAIT)
		fd = -1;
	if (fd != s->fd && s->fd != -1) {
		loop_io_del(s->loop, s->fd);
		s->fd = -1;
	}
	if (fd == -1)
		return;
	ev = POLLIN;
	if (ssh_get_poll_flags(s->ss) & SSH_WRITE_PENDING)
		ev |= POLLOUT;
	if (fd != s->fd) {
		s->fd = fd;
		s->fd_events = ev;
		loop_io_add(s->loop, fd, ev, io_cb, s);
	} else if (ev != s->fd_events) {
		s->fd_events = ev;
		loop_io_set(s->loop, fd, ev);
	}
}

/* The resolver child is killed if still at work; the loop's SIGCHLD path reaps it. */
static void
resolve_stop(struct ssh_sess *s)
{
	if (s->resolve_fd != -1) {
		loop_io_del(s->loop, s->resolve_fd);
		close(s->resolve_fd);
		s->resolve_fd = -1;
	}
	if (s->resolve_pid > 0) {
		kill(s->resolve_pid, SIGKILL);
		s->resolve_pid = 0;
	}
}

static void
drop_session(struct ssh_sess *s)
{
	resolve_stop(s);
	if (s->fd != -1) {
		loop_io_del(s->loop, s->fd);
		s->fd = -1;
	}
	s->dropping = true;
	if (s->ch != NULL) {
		ssh_channel_free(s->ch);
		s->ch = NULL;
	}
	if (s->ss != NULL) {
		ssh_disconnect(s->ss);
		ssh_free(s->ss);
		s->ss = NULL;
	}
	s->dropping = false;
}

static void
wipe_answer(struct ssh_sess *s)
{
	if (s->answer != NULL) {
		explicit_bzero(s->answer, strlen(s->answer));
		free(s->answer);
		s->answer = NULL;
	}
	s->answered = false;
}

static void
destroy(struct ssh_sess *s)
{
	if (s->tick != 0)
		loop_timer_del(s->loop, s->tick);
	if (s->retry != 0)
		loop_timer_del(s->loop, s->retry);
	if (s->kick != 0)
		loop_timer_del(s->loop, s->kick);
	drop_session(s);
	wipe_answer(s);
	buf_free(&s->out);
	ssh_target_free(&s->t);
	free(s->hostport);
	free(s->command);
	free(s);
}

void
ssh_sess_free(struct ssh_sess *s)
{
	if (s == NULL)
		return;
	if (loop_guard_free(&s->guard))
		destroy(s);
}

/* Entry points from the loop bracket their work: a hook may free the session, which
 * is then destroyed when the outermost one leaves. */
static void
enter(struct ssh_sess *s)
{
	loop_guard_enter(&s->guard);
}

static void
leave(struct ssh_sess *s)
{
	if (loop_guard_leave(&s->guard))
		destroy(s);
}

/* Hooks may free the session: they are only called between enter and leave, and the
 * caller returns at once when loop_guard_dying says so. */
#define HOOK(s, name, ...) do {						\
	if ((s)->hooks.name != NULL)					\
		(s)->hooks.name((s)->arg, ##__VA_ARGS__);		\
} while (0)

static void
status(struct ssh_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
status(struct ssh_sess *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	HOOK(s, status, msg);
}

static void
fail(struct ssh_sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct ssh_sess *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (s->st == ST_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->st = ST_DONE;
	drop_session(s);
	wipe_answer(s);
	tick_update(s);
	HOOK(s, failed, msg);
}

/* No sshd within ssh.connect_timeout; why is the last thing that went wrong. */
static void
fail_unanswered(struct ssh_sess *s, const char *why)
{
	fail(s, "no sshd answered on %s within %d s (%s)", s->hostport,
	    s->t.connect_timeout, why);
}

static void
closed(struct ssh_sess *s, int exit_status)
{
	s->st = ST_DONE;
	drop_session(s);
	tick_update(s);
	HOOK(s, closed, exit_status);
}

static void
set_state(struct ssh_sess *s, enum step st)
{
	s->st = st;
	/* Waiting for the user has no deadline; waiting for the server does. */
	if (st == ST_HOSTKEY_ASK || st == ST_PASSWORD_ASK || st == ST_KBDINT_ASK ||
	    st == ST_RUNNING || st == ST_DONE)
		s->deadline = 0;
	else if (st == ST_EXIT_WAIT)
		s->deadline = now_ms() + EXIT_WAIT_MS;
	else if (st != ST_CONNECT && st != ST_RETRY_WAIT)
		s->deadline = now_ms() + STEP_TIMEOUT_MS;
}

static int
auth_callback(const char *prompt, char *buf, size_t len, int echo, int verify,
    void *userdata)
{
	/* An encrypted key would otherwise be asked for on the terminal under curses. */
	(void)prompt; (void)buf; (void)len; (void)echo; (void)verify; (void)userdata;
	return -1;
}

static void retry_fire(void *arg);

static void
kick_cb(void *arg)
{
	struct ssh_sess *s = arg;

	s->kick = 0;
	enter(s);
	/* The first turn: hooks never fire inside ssh_sess_open. */
	if (!s->started) {
		s->started = true;
		status(s, "connecting to %s@%s", s->t.user, s->hostport);
	}
	if (!loop_guard_dying(&s->guard))
		step(s);
	leave(s);
}

/* Progress on the next loop turn: callers may be inside one of our hooks. */
static void
kick(struct ssh_sess *s)
{
	if (s->kick == 0 && s->st != ST_DONE)
		s->kick = loop_timer_add(s->loop, 0, 0, kick_cb, s);
}

static int
attempt(struct ssh_sess *s, qt_error *err)
{
	char *dir = ssh_dir_path(), *kh = ssh_known_hosts_path();
	int port = s->t.port, no = 0, rc = -1;
	long verbosity = SSH_LOG_NOLOG;

	if ((s->ss = ssh_new()) == NULL) {
		err_set(err, "libssh: cannot create a session");
		goto out;
	}
	/* Our own ~/.ssh (HOME decides, as for a test's private one), never ~/.ssh/config:
	 * the profile says where the guest is. */
	if (ssh_options_set(s->ss, SSH_OPTIONS_HOST, s->t.host) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_USER, s->t.user) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_SSH_DIR, dir) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_KNOWNHOSTS, kh) < 0 ||
	    ssh_options_set(s->ss, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) < 0 ||
	    (s->t.identity != NULL &&
	     ssh_options_set(s->ss, SSH_OPTIONS_IDENTITY, s->t.identity) < 0)) {
		err_set(err, "libssh: %s", ssh_get_error(s->ss));
		ssh_free(s->ss);
		s->ss = NULL;
		goto out;
	}
	memset(&s->cbs, 0, sizeof s->cbs);
	s->cbs.userdata = s;
	s->cbs.auth_function = auth_callback;
	ssh_callbacks_init(&s->cbs);
	ssh_set_callbacks(s->ss, &s->cbs);
	ssh_set_blocking(s->ss, 0);
	s->st = ST_CONNECT;
	rc = 0;
out:
	free(dir);
	free(kh);
	return rc;
}

static void
retry_fire(void *arg)
{
	struct ssh_sess *s = arg;
	qt_error err;

	s->retry = 0;
	if (now_ms() >= s->connect_deadline) {
		enter(s);
		fail_unanswered(s, s->last_err);
		leave(s);
		return;
	}
	if (attempt(s, &err) == -1) {
		enter(s);
		fail(s, "%s", err.msg);
		leave(s);
		return;
	}
	enter(s);
	step(s);
	leave(s);
}

/*
 * libssh offers only the host key types known_hosts holds for a host; a server
 * with none of them hangs up during key exchange ("Socket error: disconnected",
 * or "no match for method server host key algo"). Say what that means.
 */
static bool
kex_type_mismatch(struct ssh_sess *s)
{
	ssh_key key = NULL;
	char *kh, *hp;
	int line;

	if (s->t.hkc == SSH_HKC_OFF)
		return false;
	if (ssh_get_server_publickey(s->ss, &key) == SSH_OK) {
		ssh_key_free(key);	/* the exchange got that far: another fault */
		return false;
	}
	kh = ssh_known_hosts_path();
	hp = ssh_target_hostport(&s->t);
	if ((line = known_hosts_line(kh, hp)) > 0)
		fail(s, "%s hung up during key exchange (%s): it offers no host key of the "
		    "type line %d of %s holds for it, so its host key has changed type. "
		    "Someone may be intercepting, or the guest was rebuilt. If the change is "
		    "expected, remove that line:\n  ssh-keygen -f %s -R '%s'",
		    hp, s->last_err, line, kh, kh, hp);
	free(kh);
	free(hp);
	return line > 0;
}

/* ---- a host name, looked up off the loop -------------------------------------- */

/* In the child: one getaddrinfo, the answer as "=ADDRESS" or "!why" in one write. */
static void __attribute__((noreturn))
resolve_child(const char *name, int fd)
{
	struct addrinfo hints, *res;
	char addr[INET6_ADDRSTRLEN], out[512];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0)
		snprintf(out, sizeof out, "!%s", gai_strerror(rc));
	else {
		if (res->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
			    addr, sizeof addr);
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
			    addr, sizeof addr);
		freeaddrinfo(res);
		snprintf(out, sizeof out, "=%s", addr);
	}
	if (write(fd, out, strlen(out)) == -1) {
		/* The session is gone; nobody to tell. */
	}
	_exit(0);
}

static void
resolver_reaped(pid_t pid, int status, void *arg)
{
	(void)pid;
	(void)status;
	(void)arg;
}

static void
set_hostport(struct ssh_sess *s)
{
	const char *h = s->t.host != NULL ? s->t.host : s->t.host_name;

	free(s->hostport);
	s->hostport = strchr(h, ':') != NULL ? xasprintf("[%s]:%d", h, s->t.port) :
	    xasprintf("%s:%d", h, s->t.port);
}

static void
resolve_io(int fd, short revents, void *arg)
{
	struct ssh_sess *s = arg;
	char buf[512];
	ssize_t n;
	qt_error err;

	(void)revents;
	n = read(fd, buf, sizeof buf - 1);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	buf[n > 0 ? n : 0] = '\0';
	s->resolve_pid = 0;	/* it has answered and exits: nothing to kill */
	resolve_stop(s);
	enter(s);
	if (n <= 0 || buf[0] != '=')
		fail(s, "cannot resolve ssh host \"%s\": %s", s->t.host_name,
		    n > 0 ? buf + 1 : "the resolver died");
	else {
		s->t.host = xstrdup(buf + 1);
		set_hostport(s);
		if (attempt(s, &err) == -1)
			fail(s, "%s", err.msg);
		else
			step(s);
	}
	leave(s);
}

/* getaddrinfo blocks (DNS): a child does it, the answer comes back on a pipe. */
static int
resolve_start(struct ssh_sess *s, qt_error *err)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		err_errno(err, "pipe");
		return -1;
	}
	if ((pid = fork()) == -1) {
		err_errno(err, "fork");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		resolve_child(s->t.host_name, pfd[1]);
	}
	close(pfd[1]);
	set_nonblock(pfd[0]);
	s->resolve_fd = pfd[0];
	s->resolve_pid = pid;
	loop_io_add(s->loop, pfd[0], POLLIN, resolve_io, s);
	loop_child(s->loop, pid, resolver_reaped, NULL);
	s->st = ST_RESOLVE;
	return 0;
}

static void
connect_failed(struct ssh_sess *s)
{
	bool banner = ssh_get_serverbanner(s->ss) != NULL;

	snprintf(s->last_err, sizeof s->last_err, "%s", ssh_get_error(s->ss));
	/* QEMU's hostfwd accepts and closes while the guest's sshd is not up yet: without a
	 * banner nothing has been said, so try again with a fresh session until the deadline. */
	if (!banner && now_ms() < s->connect_deadline) {
		long long wait = s->connect_deadline - now_ms();

		drop_session(s);
		s->st = ST_RETRY_WAIT;
		if (!s->said_waiting) {
			s->said_waiting = true;
			status(s, "waiting for sshd on %s…", s->hostport);
		}
		s->retry = loop_timer_add(s->loop, wait < RETRY_MS ? (long)wait : RETRY_MS, 0,
		    retry_fire, s);
		return;
	}
	if (!banner)
		fail_unanswered(s, s->last_err);
	else if (!kex_type_mismatch(s))
		fail(s, "ssh %s: %s", s->hostport, s->last_err);
}

static char *
fingerprint(struct ssh_sess *s)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp, *out;

	if (ssh_get_server_publickey(s->ss, &key) != SSH_OK)
		return xstrdup("(unknown)");
	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0) {
		ssh_key_free(key);
		return xstrdup("(unknown)");
	}
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	out = xasprintf("%s %s", ssh_key_type_to_char(ssh_key_type(key)),
	    fp != NULL ? fp : "(unknown)");
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
	ssh_key_free(key);
	return out;
}

static void
save_host_key(struct ssh_sess *s)
{
	qt_error err;

	if (make_ssh_dir(&err) == -1 || ssh_session_update_known_hosts(s->ss) != SSH_OK) {
		char *kh = ssh_known_hosts_path();

		status(s, "could not save the host key in %s: %s", kh,
		    s->ss != NULL ? ssh_get_error(s->ss) : err.msg);
		free(kh);
	}
}

/* Only once the host is known to be the right one. */
static void
auth_begin(struct ssh_sess *s)
{
	status(s, "authenticating as %s on %s", s->t.user, s->hostport);
	set_state(s, ST_AUTH_NONE);
}

static void
host_key_check(struct ssh_sess *s)
{
	char *kh, *hp, *fp;
	int line;

	if (s->t.hkc == SSH_HKC_OFF) {
		auth_begin(s);
		return;
	}
	switch (ssh_session_is_known_server(s->ss)) {
	case SSH_KNOWN_HOSTS_OK:
		auth_begin(s);
		return;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (s->t.hkc == SSH_HKC_ACCEPT_NEW) {
			save_host_key(s);
			auth_begin(s);
			return;
		}
		if (s->hooks.hostkey == NULL) {
			fail(s, "the host key of %s is not known, and nobody can be asked "
			    "(set ssh.host_key_check to accept-new for a throw-away guest)",
			    s->hostport);
			return;
		}
		set_state(s, ST_HOSTKEY_ASK);
		fp = fingerprint(s);
		hp = ssh_target_hostport(&s->t);
		HOOK(s, hostkey, fp, hp);
		free(fp);
		free(hp);
		return;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		kh = ssh_known_hosts_path();
		hp = ssh_target_hostport(&s->t);
		fp = fingerprint(s);
		line = known_hosts_line(kh, hp);
		/* ssh's own words, and the line that fixes it on a line of its own. */
		if (line > 0)
			fail(s, "WARNING: the host key of %s has CHANGED (now %s). Someone may be "
			    "intercepting, or the guest was reinstalled. Refusing to connect; "
			    "nothing was saved. If the change is expected, remove line %d of %s:\n"
			    "  ssh-keygen -f %s -R '%s'", hp, fp, line, kh, kh, hp);
		else
			fail(s, "WARNING: the host key of %s has CHANGED (now %s). Someone may be "
			    "intercepting, or the guest was reinstalled. Refusing to connect; "
			    "nothing was saved. If the change is expected, remove its (hashed) "
			    "entry from %s:\n  ssh-keygen -f %s -R '%s'", hp, fp, kh, kh, hp);
		free(kh);
		free(hp);
		free(fp);
		return;
	default:
		fail(s, "checking the host key of %s: %s", s->hostport, ssh_get_error(s->ss));
		return;
	}
}

static void
auth_denied(struct ssh_sess *s)
{
	char tried[256];

	snprintf(tried, sizeof tried, "%s%s%s%s",
	    getenv("SSH_AUTH_SOCK") != NULL ? "ssh-agent, " : "",
	    s->t.identity != NULL ? s->t.identity : "",
	    s->t.identity != NULL ? ", " : "", "~/.ssh keys");
	if (s->password_tries > 0)
		strncat(tried, ", password", sizeof tried - strlen(tried) - 1);
	fail(s, "permission denied for %s@%s (tried %s)%s", s->t.user, s->hostport, tried,
	    ssh_have_default_key() || s->t.identity != NULL ? "" :
	    "; there is no key in ~/.ssh yet: the dashboard offers to make one");
}

/* After public keys: a password, then keyboard-interactive, each through the prompt hook. */
static void
next_method(struct ssh_sess *s)
{
	if (s->hooks.prompt != NULL && (s->methods & SSH_AUTH_METHOD_PASSWORD) &&
	    s->password_tries < PASSWORD_TRIES) {
		char q[300];

		set_state(s, ST_PASSWORD_ASK);
		snprintf(q, sizeof q, "%s%s@%s's password: ", s->password_tries > 0 ?
		    "Permission denied, try again. " : "", s->t.user, s->t.host_name);
		HOOK(s, prompt, q, false);
		return;
	}
	if (s->hooks.prompt != NULL && (s->methods & SSH_AUTH_METHOD_INTERACTIVE) &&
	    s->st != ST_KBDINT && s->st != ST_KBDINT_ASK) {
		s->methods &= ~SSH_AUTH_METHOD_PASSWORD;
		set_state(s, ST_KBDINT);
		return;
	}
	auth_denied(s);
}

static void
kbdint_ask(struct ssh_sess *s)
{
	char q[512];
	const char *p;
	char echo = 0;

	p = ssh_userauth_kbdint_getprompt(s->ss, (unsigned)s->kbd_prompt, &echo);
	snprintf(q, sizeof q, "%s", p != NULL ? p : "Password: ");
	set_state(s, ST_KBDINT_ASK);
	HOOK(s, prompt, q, echo != 0);
}

static void
flush_out(struct ssh_sess *s)
{
	while (buf_used(&s->out) > 0) {
		size_t n = buf_used(&s->out);
		int w;

		if (n > WRITE_CHUNK)
			n = WRITE_CHUNK;
		w = ssh_channel_write(s->ch, s->out.data + s->out.off, (uint32_t)n);
		if (w == SSH_ERROR) {
			fail(s, "connection to %s lost: %s", s->hostport, ssh_get_error(s->ss));
			return;
		}
		if (w == 0)
			break;	/* the window is full; the server's adjust wakes us */
		s->out.off += (size_t)w;
	}
	if (buf_used(&s->out) == 0)
		s->out.off = s->out.len = 0;
	if (buf_used(&s->out) == 0 && s->eof_wanted && !s->eof_sent) {
		s->eof_sent = true;
		ssh_channel_send_eof(s->ch);
	}
}

/*
 * The channel's data, as libssh parses each packet. Any libssh call may parse packets
 * for both streams (a read of stderr, a write, the exit status): data left in
 * libssh's buffers after the socket was emptied would wait for an event that never
 * comes (the server's window full, or its close already parsed) and be lost or hang.
 */
static int
chan_data(ssh_session ss, ssh_channel ch, void *data, uint32_t len, int is_stderr,
    void *userdata)
{
	struct ssh_sess *s = userdata;

	(void)ss;
	(void)ch;
	if (!s->dropping && s->st != ST_DONE && !loop_guard_dying(&s->guard))
		HOOK(s, data, is_stderr != 0, data, (size_t)len);
	return (int)len;
}

/* Parse what the socket holds (chan_data takes every byte, so libssh keeps none), then
 * note the channel's EOF. False when the session is over. */
static bool
drain(struct ssh_sess *s)
{
	int is_err, n, eofs = 0;

	for (is_err = 0; is_err <= 1; is_err++) {
		n = ssh_channel_poll(s->ch, is_err);
		if (loop_guard_dying(&s->guard) || s->st == ST_DONE)
			return false;	/* a hook, called from chan_data, ended it */
		if (n == SSH_EOF)
			eofs++;
		else if (n == SSH_ERROR) {
			fail(s, "connection to %s lost (%s)", s->hostport, ssh_get_error(s->ss));
			return false;
		}
	}
	if (eofs == 2 || (eofs > 0 && ssh_channel_is_eof(s->ch)))
		s->stdout_eof = true;
	return true;
}

static void
running(struct ssh_sess *s)
{
	flush_out(s);
	if (s->st == ST_DONE || !drain(s))
		return;
	if (s->stdout_eof || ssh_channel_is_closed(s->ch)) {
		int st = ssh_channel_get_exit_status(s->ch);

		if (st != -1 || ssh_channel_is_closed(s->ch) ||
		    (s->st == ST_EXIT_WAIT && now_ms() >= s->deadline)) {
			closed(s, st < 0 ? -1 : st);
			return;
		}
		if (s->st != ST_EXIT_WAIT)
			set_state(s, ST_EXIT_WAIT);
	}
}

static void
step(struct ssh_sess *s)
{
	enum step before;
	int rc;

	do {
		before = s->st;
		if (loop_guard_dying(&s->guard))
			return;
		switch (s->st) {
		case ST_CONNECT:
			rc = ssh_connect(s->ss);
			if (rc == SSH_AGAIN)
				break;
			if (rc == SSH_OK) {
				status(s, "checking the host key of %s", s->hostport);
				host_key_check(s);
			} else
				connect_failed(s);
			break;
		case ST_AUTH_NONE:
			rc = ssh_userauth_none(s->ss, NULL);
			if (rc == SSH_AUTH_AGAIN)
				break;
			if (rc == SSH_AUTH_SUCCESS) {
				set_state(s, ST_CHAN_OPEN);
				break;
			}
			if (rc == SSH_AUTH_ERROR) {
				fail(s, "ssh %s: %s", s->hostport, ssh_get_error(s->ss));
				break;
			}
			s->methods = ssh_userauth_list(s->ss, NULL);
			if (s->methods & SSH_AUTH_METHOD_PUBLICKEY)
				set_state(s, ST_AUTH_PUBKEY);
			else
				next_method(s);
			break;
		case ST_AUTH_PUBKEY:
			/* ssh-agent first, then the profile's identity (prepended to the
			 * list), then the default keys: ssh's own order. */
			rc = ssh_userauth_publickey_auto(s->ss, NULL, NULL);
			if (rc == SSH_AUTH_AGAIN)
				break;
			if (rc == SSH_AUTH_SUCCESS)
				set_state(s, ST_CHAN_OPEN);
			else if (rc == SSH_AUTH_ERROR && !ssh_is_connected(s->ss))
				fail(s, "ssh %s: %s", s->hostport, ssh_get_error(s->ss));
			else
				next_method(s);
			break;
		case ST_PASSWORD:
			rc = ssh_userauth_password(s->ss, NULL, s->answer);
			if (rc == SSH_AUTH_AGAIN)
				break;
			wipe_answer(s);
			s->password_tries++;
			if (rc == SSH_AUTH_SUCCESS)
				set_state(s, ST_CHAN_OPEN);
			else if (rc == SSH_AUTH_ERROR)
				fail(s, "ssh %s: %s", s->hostport, ssh_get_error(s->ss));
			else
				next_method(s);
			break;
		case ST_KBDINT:
			rc = ssh_userauth_kbdint(s->ss, NULL, NULL);
			if (rc == SSH_AUTH_AGAIN)
				break;
			if (rc == SSH_AUTH_INFO) {
				s->kbd_nprompts = ssh_userauth_kbdint_getnprompts(s->ss);
				s->kbd_prompt = 0;
				if (s->kbd_nprompts > 0)
					kbdint_ask(s);
				/* zero prompts: call again to go on */
			} else if (rc == SSH_AUTH_SUCCESS)
				set_state(s, ST_CHAN_OPEN);
			else if (rc == SSH_AUTH_ERROR)
				fail(s, "ssh %s: %s", s->hostport, ssh_get_error(s->ss));
			else
				auth_denied(s);
			break;
		case ST_HOSTKEY_ASK:
			if (!s->answered)
				break;
			s->answered = false;
			if (s->hostkey == SSH_HOSTKEY_REJECT) {
				fail(s, "host key of %s rejected", s->hostport);
				break;
			}
			if (s->hostkey == SSH_HOSTKEY_SAVE)
				save_host_key(s);
			auth_begin(s);
			break;
		case ST_PASSWORD_ASK:
			if (!s->answered)
				break;
			s->answered = false;
			if (s->answer == NULL) {
				/* Given up: no more passwords, perhaps keyboard-interactive. */
				s->methods &= ~SSH_AUTH_METHOD_PASSWORD;
				next_method(s);
			} else
				set_state(s, ST_PASSWORD);
			break;
		case ST_KBDINT_ASK:
			if (!s->answered)
				break;
			s->answered = false;
			if (s->answer == NULL) {
				auth_denied(s);
				break;
			}
			rc = ssh_userauth_kbdint_setanswer(s->ss, (unsigned)s->kbd_prompt,
			    s->answer);
			wipe_answer(s);
			if (rc < 0) {
				fail(s, "ssh %s: %s", s->hostport, ssh_get_error(s->ss));
				break;
			}
			if (++s->kbd_prompt < s->kbd_nprompts)
				kbdint_ask(s);
			else
				set_state(s, ST_KBDINT);
			break;
		case ST_CHAN_OPEN:
			if (s->ch == NULL) {
				if ((s->ch = ssh_channel_new(s->ss)) == NULL) {
					fail(s, "ssh %s: cannot make a channel", s->hostport);
					break;
				}
				memset(&s->chcbs, 0, sizeof s->chcbs);
				s->chcbs.userdata = s;
				s->chcbs.channel_data_function = chan_data;
				ssh_callbacks_init(&s->chcbs);
				ssh_set_channel_callbacks(s->ch, &s->chcbs);
			}
			rc = ssh_channel_open_session(s->ch);
			if (rc == SSH_AGAIN)
				break;
			if (rc != SSH_OK)
				fail(s, "ssh %s: opening a session: %s", s->hostport,
				    ssh_get_error(s->ss));
			else
				set_state(s, s->command == NULL ? ST_CHAN_PTY : ST_CHAN_START);
			break;
		case ST_CHAN_PTY:
			rc = ssh_channel_request_pty_size(s->ch, "xterm-256color", s->cols,
			    s->rows);
			if (rc == SSH_AGAIN)
				break;
			if (rc != SSH_OK)
				fail(s, "ssh %s: the server refused a terminal: %s", s->hostport,
				    ssh_get_error(s->ss));
			else
				set_state(s, ST_CHAN_START);
			break;
		case ST_CHAN_START:
			rc = s->command == NULL ? ssh_channel_request_shell(s->ch) :
			    ssh_channel_request_exec(s->ch, s->command);
			if (rc == SSH_AGAIN)
				break;
			if (rc != SSH_OK) {
				fail(s, "ssh %s: the server refused the %s: %s", s->hostport,
				    s->command == NULL ? "shell" : "command", ssh_get_error(s->ss));
				break;
			}
			set_state(s, ST_RUNNING);
			HOOK(s, ready);
			break;
		case ST_RUNNING:
		case ST_EXIT_WAIT:
			running(s);
			break;
		case ST_RESOLVE:
		case ST_RETRY_WAIT:
		case ST_DONE:
			break;
		}
	} while (s->st != before && !loop_guard_dying(&s->guard));
	if (!loop_guard_dying(&s->guard)) {
		watch_fd(s);
		tick_update(s);
	}
}

static void
io_cb(int fd, short revents, void *arg)
{
	struct ssh_sess *s = arg;

	(void)fd;
	(void)revents;
	enter(s);
	step(s);
	leave(s);
}

static void
tick_cb(void *arg)
{
	struct ssh_sess *s = arg;
	long long now = now_ms();
	const char *e;

	enter(s);
	if (s->st == ST_RESOLVE && now >= s->connect_deadline)
		fail(s, "cannot resolve ssh host \"%s\" within %d s", s->t.host_name,
		    s->t.connect_timeout);
	else if (s->st == ST_CONNECT && now >= s->connect_deadline) {
		e = ssh_get_error(s->ss);
		fail_unanswered(s, e[0] != '\0' ? e : "connection timed out");
	} else if (s->st != ST_EXIT_WAIT && s->deadline != 0 && now >= s->deadline)
		fail(s, "ssh %s: the server stopped answering", s->hostport);
	else
		step(s);	/* libssh may hold data it read already */
	leave(s);
}

/* The tick runs only while the session waits on the server (deadlines, data libssh
 * holds); a running shell, a question to the user or a retry pause need none. */
static void
tick_update(struct ssh_sess *s)
{
	bool want = s->st != ST_RUNNING && s->st != ST_DONE && s->st != ST_RETRY_WAIT &&
	    s->st != ST_HOSTKEY_ASK && s->st != ST_PASSWORD_ASK && s->st != ST_KBDINT_ASK;

	if (want && s->tick == 0)
		s->tick = loop_timer_add(s->loop, TICK_MS, 1, tick_cb, s);
	else if (!want && s->tick != 0) {
		loop_timer_del(s->loop, s->tick);
		s->tick = 0;
	}
}

struct ssh_sess *
ssh_sess_open(struct loop *l, const struct ssh_target *t, const char *command,
    int rows, int cols, const struct ssh_hooks *hooks, void *arg, qt_error *err)
{
	struct ssh_sess *s;

	if (hooks->closed == NULL || hooks->failed == NULL) {
		err_set(err, "ssh: closed and failed hooks are required");
		return NULL;
	}
	/* The one way into a session (ssh_run_start, the ready probe, panes, the ssh
	 * command): libssh is loaded here, before the first call, and only here. */
	if (sshlib_load(err) == -1)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->loop = l;
	target_copy(&s->t, t);
	set_hostport(s);
	s->command = command != NULL ? xstrdup(command) : NULL;
	s->rows = rows > 0 ? rows : 24;
	s->cols = cols > 0 ? cols : 80;
	s->hooks = *hooks;
	s->arg = arg;
	s->fd = -1;
	s->resolve_fd = -1;
	s->exit_status = -1;
	s->connect_deadline = now_ms() + (long long)t->connect_timeout * 1000;
	if ((s->t.host == NULL ? resolve_start(s, err) : attempt(s, err)) == -1) {
		destroy(s);
		return NULL;
	}
	tick_update(s);
	kick(s);
	return s;
}

void
ssh_sess_hostkey_answer(struct ssh_sess *s, enum ssh_hostkey_answer a)
{
	if (s->st != ST_HOSTKEY_ASK)
		return;
	s->hostkey = a;
	s->answered = true;
	kick(s);
}

void
ssh_sess_prompt_answer(struct ssh_sess *s, const char *answer)
{
	if (s->st != ST_PASSWORD_ASK && s->st != ST_KBDINT_ASK)
		return;
	wipe_answer(s);
	s->answer = answer != NULL ? xstrdup(answer) : NULL;
	s->answered = true;
	kick(s);
}

void
ssh_sess_write(struct ssh_sess *s, const void *data, size_t len)
{
	if (s->st != ST_RUNNING || s->eof_wanted || len == 0)
		return;
	buf_add(&s->out, data, len);
	kick(s);
}

void
ssh_sess_send_eof(struct ssh_sess *s)
{
	if (s->st != ST_RUNNING && s->st != ST_EXIT_WAIT)
		return;
	s->eof_wanted = true;
	kick(s);
}

void
ssh_sess_resize(struct ssh_sess *s, int rows, int cols)
{
	if (rows < 1 || cols < 1 || (rows == s->rows && cols == s->cols))
		return;
	s->rows = rows;
	s->cols = cols;
	/* Before the pty exists the request itself carries the size. */
	if (s->st == ST_RUNNING && s->command == NULL)
		ssh_channel_change_pty_size(s->ch, cols, rows);
	kick(s);
}

const char *
ssh_sess_state(const struct ssh_sess *s)
{
	switch (s->st) {
	case ST_RESOLVE:
		return "resolving";
	case ST_CONNECT:
		return "connecting";
	case ST_RETRY_WAIT:
		return "waiting for sshd";
	case ST_HOSTKEY_ASK:
		return "host key?";
	case ST_PASSWORD_ASK:
	case ST_KBDINT_ASK:
		return "password?";
	case ST_AUTH_NONE:
	case ST_AUTH_PUBKEY:
	case ST_PASSWORD:
	case ST_KBDINT:
		return "authenticating";
	case ST_CHAN_OPEN:
	case ST_CHAN_PTY:
	case ST_CHAN_START:
		return "opening a shell";
	case ST_RUNNING:
		return "connected";
	case ST_EXIT_WAIT:
		return "closing";
	case ST_DONE:
		break;
	}
	return "closed";
}

/* ---- one command, its stdout collected ---- */

struct ssh_run {
	struct ssh_sess *sess;
	char *out;
	size_t len, max;
	ssh_run_done_fn done;
	void *arg;
};

static void
run_data(void *arg, bool is_stderr, const char *data, size_t len)
{
	struct ssh_run *r = arg;

	if (is_stderr || r->len >= r->max)
		return;
	if (len > r->max - r->len)
		len = r->max - r->len;
	memcpy(r->out + r->len, data, len);
	r->len += len;
	r->out[r->len] = '\0';
}

static void
run_closed(void *arg, int exit_status)
{
	struct ssh_run *r = arg;

	r->done(r->arg, exit_status, r->out, r->len, NULL);
}

static void
run_failed(void *arg, const char *msg)
{
	struct ssh_run *r = arg;

	r->done(r->arg, -1, r->out, r->len, msg);
}

struct ssh_run *
ssh_run_start(struct loop *l, const struct ssh_target *t, const char *command,
    size_t max_out, ssh_run_done_fn done, void *arg, qt_error *err)
{
	static const struct ssh_hooks hooks = { .data = run_data, .closed = run_closed,
	    .failed = run_failed };
	struct ssh_run *r = xcalloc(1, sizeof *r);

	r->max = max_out;
	r->out = xmalloc(max_out + 1);
	r->out[0] = '\0';
	r->done = done;
	r->arg = arg;
	if ((r->sess = ssh_sess_open(l, t, command, 0, 0, &hooks, r, err)) == NULL) {
		free(r->out);
		free(r);
		return NULL;
	}
	return r;
}

void
ssh_run_free(struct ssh_run *r)
{
	if (r == NULL)
		return;
	ssh_sess_free(r->sess);	/* safe inside its hooks: the session finishes later */
	free(r->out);
	free(r);
}
