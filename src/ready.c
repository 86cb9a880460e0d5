/* The supervisor's readiness detector: serial bytes, knocks on sshd, SSH commands. */
#include "ready.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rundir.h"
#include "ssh.h"
#include "vmstate.h"

/*
 * Knocking: a connect to the SSH endpoint that waits for "SSH-". QEMU's user
 * networking (slirp) accepts at once and only then sends the guest a SYN: a
 * RST back closes our end (the guest's network is up, sshd is not: "refused"),
 * a SYN-ACK leads to sshd's banner. Until the guest answered once, slirp must
 * first learn its MAC address, and it asks (ARP) only when it has a packet
 * for the guest: a new connection's SYN, or a retransmission, which slirp
 * backs off to 6 s, 12 s, 24 s... A knock that hangs therefore tells nothing
 * and waiting on it is what made the ssh stage seconds late; and closing it
 * does not take its SYN back (slirp does not look at our end until the guest
 * answered): the connection still reaches sshd later, as a child of dropbear
 * that says its banner to nobody (dropbear then closes a sixth one from the same
 * address, the user's too). So, before the first refusal ("blind"), a new knock
 * goes out every KNOCK_BLIND_MS (the guest's network is noticed within that;
 * more often would mean more of those dead connections), and the ones that hang are
 * kept (one that reaches sshd gives us its banner), at most KNOCKS_BLIND,
 * each up to KNOCK_BLIND_KEEP_MS (slirp gives its SYN up at 75 s, and that
 * close would read as a refusal). Once the guest refused, answers come in
 * milliseconds: a knock goes out every KNOCK_FIRST_MS to KNOCK_BOOT_MS while
 * none of those is open, a second only after one hung KNOCK_SECOND_MS (sshd
 * says its banner slowly in a busy TCG guest: seconds), never more
 * (KNOCKS_SSHD), each kept up to KNOCK_SSHD_MS: dropbear takes at most five
 * unauthenticated connections from one address, and through slirp every host
 * client, the user's own early `ssh` too, is that one address (10.0.2.2).
 * After KNOCK_BOOT_S seconds of a guest without sshd, KNOCK_LATE_MS between
 * knocks. No knock is open once the ssh stage is reached.
 *
 * Blind knocks go to a door of their own where start made one (RUN_KNOCK_PORT:
 * a user-mode forward to the guest's port 1, where nothing listens): a late
 * SYN there meets a RST, not dropbear, so the burst of them slirp delivers
 * when the guest's network comes up takes none of sshd's five places (that
 * burst, right after the ssh stage, closed a user's first `ssh`). Every
 * KNOCK_SSHD_EVERY-th blind knock still goes to sshd, for a guest that
 * listens on the door and says nothing.
 */
#define KNOCKS			(KNOCKS_BLIND + KNOCKS_SSHD)
#define KNOCKS_BLIND		6
#define KNOCK_BLIND_MS		1000
#define KNOCK_BLIND_KEEP_MS	60000
#define KNOCKS_SSHD		2
#define KNOCK_SECOND_MS		1500
#define KNOCK_SSHD_MS		20000
#define KNOCK_FIRST_MS		20
#define KNOCK_BOOT_MS		50
#define KNOCK_BOOT_S		300
#define KNOCK_LATE_MS		2000
#define KNOCK_SSHD_EVERY	8
/* The SSH command (`true`): tries and the longest pause between them. Failing
 * this often means no key of ours is accepted: not worth knocking on for ever. */
#define COMMAND_TRIES		6
#define RETRY_MAX_MS		8000
/* The profile's probe runs until it passes or this many seconds passed. */
#define PROBE_GIVE_UP_S		600
#define PROBE_MAX_MS		5000

struct knock {
	int fd;			/* -1: free */
	bool connected;
	bool blind;		/* went out before the guest ever refused one */
	bool door;		/* to the knock port, not to sshd */
	long long started, deadline;
	size_t got;
	char buf[4];
};

struct ready {
	struct loop *loop;
	char *rundir;
	struct ready_hooks hooks;
	void *arg;
	struct stages st;

	regex_t prompt;
	bool have_prompt;
	struct ready_line line;

	bool have_target;	/* an SSH endpoint to knock on */
	struct ssh_target t;
	struct sockaddr_storage sa;
	socklen_t salen;	/* 0: t.host is a name; knock through ssh.c only */
	struct sockaddr_storage door_sa;	/* the knock port */
	socklen_t door_salen;	/* 0: none */
	unsigned blind_n;	/* blind knocks so far */
	char *probe;

	struct knock knocks[KNOCKS];
	bool refused;		/* the guest closed a knock: its network is up */
	unsigned long knock_timer;
	long interval;		/* between ticks (blind: between knocks) */
	long long started_ms;	/* monotonic, when knocking began */

	struct ssh_sess *sess;
	bool sess_probe;	/* sess runs ready.probe, not `true` */
	unsigned long retry_timer;
	bool retry_held;	/* a retry came while paused */
	long retry_ms;
	int tries;
	long long probe_since;
	char last_fail[160];

	bool running, paused, stopped;
};

void
ready_line_add(struct ready_line *l, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		/* Escape sequences are not text: a shell's "ESC [6n" after its prompt. */
		if (l->in_esc) {
			if (c >= 0x40 && c <= 0x7e && c != '[')
				l->in_esc = false;
			continue;
		}
		if (c == 0x1b) {
			l->in_esc = true;
			continue;
		}
		if (c == '\n') {
			l->len = 0;
			continue;
		}
		if (c == '\r' || c == '\0')
			continue;
		if (l->len + 1 >= sizeof l->text)
			l->len = 0;
		l->text[l->len++] = c;
	}
	l->text[l->len] = '\0';
}

static void say(struct ready *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct ready *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (r->hooks.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->hooks.log(r->arg, msg);
}

static void
reach(struct ready *r, enum stage s)
{
	long long at = stages_now();

	if (stages_reach(r->rundir, &r->st, s, at) && r->hooks.reached != NULL)
		r->hooks.reached(r->arg, s, at);
}

/* ---- knocking on sshd ---- */

static void
knock_close(struct ready *r, struct knock *k)
{
	if (k->fd == -1)
		return;
	loop_io_del(r->loop, k->fd);
	close(k->fd);
	k->fd = -1;
}

static void
knocks_close(struct ready *r)
{
	int i;

	for (i = 0; i < KNOCKS; i++)
		knock_close(r, &r->knocks[i]);
	if (r->knock_timer != 0) {
		loop_timer_del(r->loop, r->knock_timer);
		r->knock_timer = 0;
	}
}

static bool
knocking(const struct ready *r)
{
	return r->have_target && r->salen > 0 && r->running && !r->paused &&
	    !r->stopped && r->st.at[STAGE_SSH] == 0;
}

static void command_begin(struct ready *r);
static void knock_tick(void *arg);

static void
knock_io(int fd, short revents, void *arg)
{
	struct ready *r = arg;
	struct knock *k = NULL;
	int i, soerr = 0;
	socklen_t len = sizeof soerr;
	ssize_t n;

	for (i = 0; i < KNOCKS; i++)
		if (r->knocks[i].fd == fd)
			k = &r->knocks[i];
	if (k == NULL)
		return;
	if (!k->connected) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1 || soerr != 0) {
			knock_close(r, k);
			return;
		}
		k->connected = true;
		loop_io_set(r->loop, fd, POLLIN);
		if (!(revents & (POLLIN | POLLHUP)))
			return;
	}
	n = read(fd, k->buf + k->got, sizeof k->buf - k->got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Accepted and closed: QEMU's forward, and nothing listens in the guest. */
		knock_close(r, k);
		if (!r->refused) {
			/* Its network is up: knock at the refused pace from now on. */
			r->refused = true;
			r->interval = KNOCK_FIRST_MS;
			if (r->knock_timer != 0)
				loop_timer_del(r->loop, r->knock_timer);
			r->knock_timer = loop_timer_add(r->loop, r->interval, 0, knock_tick, r);
		}
		return;
	}
	if (k->door) {
		/* Something listens there after all: the network is up. */
		knock_close(r, k);
		if (!r->refused) {
			r->refused = true;
			r->interval = KNOCK_FIRST_MS;
			if (r->knock_timer != 0)
				loop_timer_del(r->loop, r->knock_timer);
			r->knock_timer = loop_timer_add(r->loop, r->interval, 0, knock_tick, r);
		}
		return;
	}
	k->got += (size_t)n;
	if (k->got < sizeof k->buf)
		return;
	if (memcmp(k->buf, "SSH-", 4) != 0) {
		knock_close(r, k);
		return;
	}
	knocks_close(r);
	reach(r, STAGE_SSH);
	command_begin(r);
}

static void
knock_start(struct ready *r, struct knock *k)
{
	bool door = !r->refused && r->door_salen > 0 &&
	    r->blind_n++ % KNOCK_SSHD_EVERY != KNOCK_SSHD_EVERY - 1;
	const struct sockaddr_storage *sa = door ? &r->door_sa : &r->sa;
	int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return;
	if (connect(fd, (const struct sockaddr *)sa, door ? r->door_salen :
	    r->salen) == -1 && errno != EINPROGRESS) {
		close(fd);
		return;
	}
	memset(k, 0, sizeof *k);
	k->fd = fd;
	k->door = door;
	k->blind = !r->refused;
	k->started = now_ms();
	k->deadline = k->started + (k->blind ? KNOCK_BLIND_KEEP_MS : KNOCK_SSHD_MS);
	loop_io_add(r->loop, fd, POLLOUT, knock_io, r);
}

/* A slot for a new knock: a free one, else (blind ones are KNOCKS_BLIND at most)
 * the oldest blind one's, given up. */
static struct knock *
knock_slot(struct ready *r, bool blind)
{
	struct knock *free_k = NULL, *oldest = NULL;
	int i, open_blind = 0;

	for (i = 0; i < KNOCKS; i++) {
		struct knock *k = &r->knocks[i];

		if (k->fd == -1) {
			if (free_k == NULL)
				free_k = k;
		} else if (k->blind) {
			open_blind++;
			if (oldest == NULL || k->started < oldest->started)
				oldest = k;
		}
	}
	if (free_k != NULL && (!blind || open_blind < KNOCKS_BLIND))
		return free_k;
	if (oldest != NULL)
		knock_close(r, oldest);
	return oldest;
}

static void
knock_tick(void *arg)
{
	struct ready *r = arg;
	long long now = now_ms();
	bool late = now - r->started_ms >= KNOCK_BOOT_S * 1000LL;
	long cap;
	long long youngest = 0;
	int i, out = 0;

	r->knock_timer = 0;
	if (!knocking(r))
		return;
	for (i = 0; i < KNOCKS; i++) {
		struct knock *k = &r->knocks[i];

		if (k->fd != -1 && now >= k->deadline)
			knock_close(r, k);
		if (k->fd != -1 && !k->blind) {
			out++;
			if (k->started > youngest)
				youngest = k->started;
		}
	}
	if (!r->refused) {
		struct knock *k = knock_slot(r, true);

		if (k != NULL)
			knock_start(r, k);
		cap = late ? KNOCK_LATE_MS : KNOCK_BLIND_MS;
		r->interval = cap;
	} else {
		if (out == 0 || (out < KNOCKS_SSHD && now - youngest >= KNOCK_SECOND_MS)) {
			struct knock *k = knock_slot(r, false);

			if (k != NULL)
				knock_start(r, k);
		}
		cap = late ? KNOCK_LATE_MS : KNOCK_BOOT_MS;
		r->interval = r->interval * 3 / 2;
	}
	if (r->interval > cap)
		r->interval = cap;
	r->knock_timer = loop_timer_add(r->loop, r->interval, 0, knock_tick, r);
}

static void
knock_resume(struct ready *r)
{
	if (!knocking(r) || r->knock_timer != 0)
		return;
	r->interval = r->refused ? KNOCK_FIRST_MS : KNOCK_BLIND_MS;
	r->knock_timer = loop_timer_add(r->loop, 0, 0, knock_tick, r);
}

/* ---- SSH commands: `true`, then ready.probe ---- */

static void sess_start(struct ready *r);

static void
retry_fire(void *arg)
{
	struct ready *r = arg;

	r->retry_timer = 0;
	if (r->stopped)
		return;
	if (r->paused) {
		r->retry_held = true;
		return;
	}
	sess_start(r);
}

/* The last try failed (why): try again later, or give up and say why. */
static void
sess_again(struct ready *r, const char *why)
{
	long max = r->sess_probe ? PROBE_MAX_MS : RETRY_MAX_MS;

	snprintf(r->last_fail, sizeof r->last_fail, "%s", why);
	if (!r->sess_probe && ++r->tries >= COMMAND_TRIES) {
		say(r, "stages: no SSH command worked after %d tries (last: %s); the "
		    "ssh-command and ready stages need a key the guest accepts "
		    "(ssh.identity, or the agent)", r->tries, why);
		return;
	}
	if (r->sess_probe && now_ms() - r->probe_since > PROBE_GIVE_UP_S * 1000LL) {
		say(r, "stages: ready.probe did not pass within %d s (last: %s)",
		    PROBE_GIVE_UP_S, why);
		return;
	}
	r->retry_ms = r->retry_ms == 0 ? 500 : r->retry_ms * 2;
	if (r->retry_ms > max)
		r->retry_ms = max;
	r->retry_timer = loop_timer_add(r->loop, r->retry_ms, 0, retry_fire, r);
}

static void
sess_hostkey(void *arg, const char *fingerprint, const char *hostport)
{
	struct ready *r = arg;

	/* Nobody to ask: a known key must match (ssh.c refuses a changed one), an
	 * unknown one is used for this check and never saved. */
	(void)fingerprint;
	(void)hostport;
	ssh_sess_hostkey_answer(r->sess, SSH_HOSTKEY_ONCE);
}

static void
sess_prompt(void *arg, const char *question, bool echo)
{
	struct ready *r = arg;

	(void)question;
	(void)echo;
	ssh_sess_prompt_answer(r->sess, NULL);
}

static void
sess_ready(void *arg)
{
	struct ready *r = arg;

	ssh_sess_send_eof(r->sess);
}

static void
sess_closed(void *arg, int exit_status)
{
	struct ready *r = arg;
	char why[64];

	ssh_sess_free(r->sess);
	r->sess = NULL;
	if (r->stopped)
		return;
	if (exit_status != 0) {
		snprintf(why, sizeof why, "%s exited %d", r->sess_probe ? "the probe" :
		    "true", exit_status);
		sess_again(r, why);
		return;
	}
	/* A host name is never knocked on: its session is the first answer. */
	reach(r, STAGE_SSH);
	if (!r->sess_probe) {
		reach(r, STAGE_SSH_COMMAND);
		if (r->probe != NULL) {
			r->sess_probe = true;
			r->retry_ms = 0;
			r->probe_since = now_ms();
			sess_start(r);
			return;
		}
	}
	reach(r, STAGE_READY);
}

static void
sess_failed(void *arg, const char *msg)
{
	struct ready *r = arg;

	ssh_sess_free(r->sess);
	r->sess = NULL;
	if (!r->stopped)
		sess_again(r, msg);
}

static const struct ssh_hooks sess_hooks = {
	.hostkey = sess_hostkey, .prompt = sess_prompt, .ready = sess_ready,
	.closed = sess_closed, .failed = sess_failed,
};

static void
sess_start(struct ready *r)
{
	qt_error err;

	if (r->sess != NULL || r->stopped)
		return;
	r->sess = ssh_sess_open(r->loop, &r->t, r->sess_probe ? r->probe : "true", 0, 0,
	    &sess_hooks, r, &err);
	if (r->sess == NULL)
		say(r, "stages: %s", err.msg);
}

static void
command_begin(struct ready *r)
{
	if (r->st.at[STAGE_READY] != 0 || r->stopped)
		return;
	if (r->st.at[STAGE_SSH_COMMAND] != 0 && r->probe != NULL) {
		r->sess_probe = true;
		r->probe_since = now_ms();
	}
	sess_start(r);
}

/* ---- the run ---- */

static void
target_init(struct ready *r, const struct profile *p)
{
	struct vm_run run;
	struct addrinfo hints, *res;
	char port[16];
	qt_error err;
	int door;

	memset(&run, 0, sizeof run);
	run.ssh_port = (int)rundir_read_num(r->rundir, RUN_SSH_PORT);
	if (ssh_target_resolve(p, &run, NULL, 0, &r->t, &err) == -1)
		return;	/* no SSH endpoint (network none and no ssh.host) */
	r->have_target = true;
	/* Ours is a background check: it never writes the user's known_hosts (a key is
	 * saved by a session the user opened, as accept-new says), so an unknown key is
	 * used once (sess_hostkey). A changed one is refused all the same. */
	if (r->t.hkc == SSH_HKC_ACCEPT_NEW)
		r->t.hkc = SSH_HKC_ASK;
	if (p->ready.probe != NULL)
		r->probe = xstrdup(p->ready.probe);
	if (r->t.host == NULL)
		return;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", r->t.port);
	if (getaddrinfo(r->t.host, port, &hints, &res) != 0)
		return;
	if (res->ai_addrlen <= sizeof r->sa) {
		memcpy(&r->sa, res->ai_addr, res->ai_addrlen);
		r->salen = res->ai_addrlen;
	}
	freeaddrinfo(res);
	door = (int)rundir_read_num(r->rundir, RUN_KNOCK_PORT);
	if (door > 0 && door < 65536 && r->salen > 0) {
		r->door_sa = r->sa;
		r->door_salen = r->salen;
		if (r->door_sa.ss_family == AF_INET)
			((struct sockaddr_in *)(void *)&r->door_sa)->sin_port =
			    htons((uint16_t)door);
		else if (r->door_sa.ss_family == AF_INET6)
			((struct sockaddr_in6 *)(void *)&r->door_sa)->sin6_port =
			    htons((uint16_t)door);
		else
			r->door_salen = 0;
	}
}

struct ready *
ready_new(struct loop *l, const char *rundir, const struct profile *p,
    const struct ready_hooks *hooks, void *arg)
{
	struct ready *r = xcalloc(1, sizeof *r);
	const char *re = p != NULL && p->ready.prompt != NULL ? p->ready.prompt :
	    READY_PROMPT_RE;
	int i;

	r->loop = l;
	r->rundir = xstrdup(rundir);
	r->hooks = *hooks;
	r->arg = arg;
	for (i = 0; i < KNOCKS; i++)
		r->knocks[i].fd = -1;
	stages_read(rundir, &r->st);
	/* The profile's pattern was checked when it was loaded. */
	r->have_prompt = regcomp(&r->prompt, re, REG_EXTENDED | REG_NOSUB) == 0;
	if (p != NULL)
		target_init(r, p);
	return r;
}

void
ready_free(struct ready *r)
{
	if (r == NULL)
		return;
	ready_stop(r);
	if (r->have_prompt)
		regfree(&r->prompt);
	ssh_target_free(&r->t);
	free(r->probe);
	free(r->rundir);
	free(r);
}

void
ready_start(struct ready *r)
{
	if (r->running || r->stopped)
		return;
	r->running = true;
	r->started_ms = now_ms();
	reach(r, STAGE_STARTED);
	if (!r->have_target || r->st.at[STAGE_READY] != 0)
		return;
	if (r->st.at[STAGE_SSH] != 0 || r->salen == 0)
		command_begin(r);	/* an adoption goes on; a host name goes to ssh.c */
	else
		knock_resume(r);
}

void
ready_serial(struct ready *r, const char *buf, size_t len)
{
	if (len == 0 || r->stopped)
		return;
	if (r->st.at[STAGE_CONSOLE] == 0)
		reach(r, STAGE_CONSOLE);
	if (r->st.at[STAGE_PROMPT] != 0 || !r->have_prompt)
		return;
	ready_line_add(&r->line, buf, len);
	if (regexec(&r->prompt, r->line.text, 0, NULL, 0) == 0)
		reach(r, STAGE_PROMPT);
}

void
ready_pause(struct ready *r, bool paused)
{
	if (r->paused == paused)
		return;
	r->paused = paused;	/* kept while stopped too: a reset may follow */
	if (r->stopped)
		return;
	if (paused) {
		knocks_close(r);
		return;
	}
	knock_resume(r);
	if (r->retry_held) {
		r->retry_held = false;
		sess_start(r);
	}
}

void
ready_reset(struct ready *r)
{
	/* What was under way was for the guest before the reset (one that shut
	 * down, with -no-shutdown, runs again after it too). */
	ready_stop(r);
	r->stopped = false;
	r->refused = false;
	r->retry_held = false;
	r->retry_ms = 0;
	r->tries = 0;
	r->sess_probe = false;
	r->last_fail[0] = '\0';
	memset(&r->line, 0, sizeof r->line);
	r->started_ms = now_ms();
	stages_restart(r->rundir, &r->st, stages_now());
	if (r->hooks.restarted != NULL)
		r->hooks.restarted(r->arg, r->st.restarted);
	if (!r->running || !r->have_target)
		return;
	if (r->salen == 0)
		command_begin(r);	/* a host name goes to ssh.c */
	else
		knock_resume(r);
}

void
ready_stop(struct ready *r)
{
	r->stopped = true;
	knocks_close(r);
	if (r->retry_timer != 0) {
		loop_timer_del(r->loop, r->retry_timer);
		r->retry_timer = 0;
	}
	ssh_sess_free(r->sess);
	r->sess = NULL;
}
