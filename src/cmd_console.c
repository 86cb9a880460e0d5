/*
 * qemu-tui console NAME: the VM's serial console on this terminal, like `virsh console`.
 *
 * One poll loop owns stdin, stdout and the serial client (console.c, the one the
 * dashboard's console pane uses too); both directions go through write queues, so a
 * slow stdout never loses a byte (when our queue is full we stop reading the socket
 * and the supervisor queues for us). The supervisor sends
 * its history (the last 1 MiB of serial output) on connect, then live bytes.
 *
 * Escapes, read from stdin whether or not it is a terminal: Ctrl-] leaves; Ctrl-A x
 * leaves; Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A and any other byte sends both (so
 * Ctrl-A Ctrl-] sends a literal Ctrl-]).
 *
 * With --send, --expect or --script it runs a script instead (expect.h): stdin is not
 * read, the console is attached without its history (so only output that comes after
 * a send counts for the next expect), the guest's output goes to stdout as it comes,
 * and the end is 0 once every step is done, 1 with the last lines seen when an expect
 * times out or the VM stops first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "console.h"
#include "expect.h"
#include "loop.h"
#include "term_guard.h"
#include "util.h"
#include "vm.h"

#define KEY_LEAVE	0x1d	/* Ctrl-] */
#define KEY_PREFIX	0x01	/* Ctrl-A */
#define OUT_HIGH	(8 * 1024 * 1024)	/* stop reading the socket above this */
#define IN_HIGH		(256 * 1024)		/* stop reading stdin above this */
#define SETTLE_MS	3000	/* after EOF: how long to wait for the stop to be recorded */
#define EXPECT_TIMEOUT_S 30	/* an expect's default wait */
#define TAIL_LINES	10	/* the last lines a failed script shows */

enum end {
	END_NONE,
	END_LEAVE,	/* an escape, or the terminal went away */
	END_STOPPED,	/* socket EOF: the VM ended */
	END_SIGNAL,
	END_ERROR,
	END_DONE,	/* a script's last step is done (and its last send written) */
	END_FAILED,	/* a script's expect timed out, or the VM stopped first */
};

struct session {
	struct loop *loop;
	const char *name;
	struct console *con;	/* the serial client (console.c); NULL once the VM's side closed */
	bool guarded;		/* stdout is a terminal: filter what would crash one */
	struct term_guard guard;
	bool in_open;		/* still reading stdin */
	bool in_tty;
	bool prefix;		/* Ctrl-A seen, waiting for the next byte */
	struct buf to_out;
	bool in_watched, out_watched;
	unsigned long settle_timer;
	long long settle_deadline;
	enum end end;
	int sig;
	char msg[4096];		/* the line printed at the end */
	/* A script (NULL: interactive), where it is, and the timer of the expect that
	 * waits (the step it is for). */
	const struct expect_script *script;
	struct expect_run run;
	unsigned long expect_timer;
	size_t timer_step;
	bool out_midline;	/* the transcript on stdout ends inside a line */
};

/* What has to be put back on every way out, reachable from the fatal hook. */
static struct {
	bool raw;
	struct termios saved;
	int out_flags;		/* stdout's file status flags, -1 when untouched */
} term = { false, { 0 }, -1 };

static void
term_restore(void)
{
	if (term.out_flags != -1) {
		fcntl(STDOUT_FILENO, F_SETFL, term.out_flags);
		term.out_flags = -1;
	}
	if (term.raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &term.saved);
		term.raw = false;
	}
}

static void
finish(struct session *c, enum end e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
finish(struct session *c, enum end e, const char *fmt, ...)
{
	va_list ap;

	if (c->end != END_NONE)
		return;
	c->end = e;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	/* Ended from the idle hook (a script's last step done), the turn must not wait. */
	if (c->loop != NULL)
		loop_stop(c->loop);
}

static void
watch(struct session *c, int fd, short events, bool *watched, loop_io_cb cb)
{
	/* An fd is only in the poll set while there is something to wait for: POLLHUP
	 * with events 0 would otherwise spin. */
	if (events != 0) {
		loop_io_add(c->loop, fd, events, cb, c);
		*watched = true;
	} else if (*watched) {
		loop_io_del(c->loop, fd);
		*watched = false;
	}
}

static void in_io(int fd, short revents, void *arg);
static void out_io(int fd, short revents, void *arg);
static void settle_tick(void *arg);

/* Recompute what each fd waits for: the loop's idle hook, once per turn. */
static void
want(void *arg)
{
	struct session *c = arg;

	/* Our stdout queue is full: the supervisor queues for us meanwhile. */
	if (c->con != NULL)
		console_pause(c->con, buf_used(&c->to_out) >= OUT_HIGH);
	watch(c, STDIN_FILENO, c->in_open && c->con != NULL &&
	    console_queued(c->con) < IN_HIGH ? POLLIN : 0, &c->in_watched, in_io);
	watch(c, STDOUT_FILENO, buf_used(&c->to_out) > 0 ? POLLOUT : 0,
	    &c->out_watched, out_io);
	/* A script's steps are done once its last send has left and stdout took all. */
	if (c->script != NULL && c->run.step == c->script->n && c->end == END_NONE &&
	    (c->con == NULL || console_queued(c->con) == 0) && buf_used(&c->to_out) == 0)
		finish(c, END_DONE, "%s", "");
	/* The guest's last words are out: find out how the VM ended. */
	if (c->con == NULL && c->end == END_NONE && buf_used(&c->to_out) == 0 &&
	    c->settle_timer == 0) {
		c->settle_deadline = now_ms() + SETTLE_MS;
		c->settle_timer = loop_timer_add(c->loop, 50, 1, settle_tick, c);
	}
}

static void run_steps(struct session *c);

/* Guest output: through our queue to stdout (console.c pauses while it is full). */
static void
con_data(const char *data, size_t len, void *arg)
{
	struct session *c = arg;
	char safe[16384];
	size_t n;

	if (c->script != NULL && len > 0) {
		c->out_midline = data[len - 1] != '\n';
		expect_run_output(&c->run, data, len);
		run_steps(c);
	}

	/* A libvterm-based terminal (neovim's) has our pane's faults. */
	while (c->guarded && len > 0) {
		n = len < sizeof safe ? len : sizeof safe;
		buf_add(&c->to_out, safe, term_guard_filter(&c->guard, data, n, safe));
		data += n;
		len -= n;
	}
	buf_add(&c->to_out, data, len);
	if (buf_flush(&c->to_out, STDOUT_FILENO) == -1)
		finish(c, END_ERROR, "qemu-tui: stdout: %s", strerror(errno));
}

static void script_failed(struct session *c, const char *what);

static void
con_closed(const char *why, void *arg)
{
	struct session *c = arg;

	(void)why;
	console_free(c->con);
	c->con = NULL;
	if (c->script != NULL && c->run.step < c->script->n)
		script_failed(c, "the console closed (the VM stopped)");
}

/* Keys towards the guest; dropped once the VM's side has gone. */
static void
to_guest(struct session *c, const void *data, size_t len)
{
	if (c->con != NULL)
		console_write(c->con, data, len);
}

/* Keys towards the guest, minus the escapes. */
static void
keys(struct session *c, const unsigned char *p, size_t n)
{
	unsigned char out[2 * 4096];
	size_t i, o = 0;

	for (i = 0; i < n && c->end == END_NONE; i++) {
		if (c->prefix) {
			c->prefix = false;
			if (p[i] == 'x') {
				finish(c, END_LEAVE, "Disconnected from %s.", c->name);
				break;
			}
			if (p[i] != KEY_PREFIX)
				out[o++] = KEY_PREFIX;
			out[o++] = p[i];
		} else if (p[i] == KEY_LEAVE) {
			finish(c, END_LEAVE, "Disconnected from %s.", c->name);
		} else if (p[i] == KEY_PREFIX) {
			c->prefix = true;
		} else
			out[o++] = p[i];
	}
	if (o > 0)
		to_guest(c, out, o);
}

static void
in_io(int fd, short revents, void *arg)
{
	struct session *c = arg;
	unsigned char data[4096];
	ssize_t n;

	/* stdin stays blocking (it may be the shell's); poll said a read will not block.
	 * It still returns EAGAIN when it shares stdout's non-blocking description. */
	n = read(fd, data, sizeof data);
	if (n > 0)
		keys(c, data, (size_t)n);
	else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		c->in_open = false;
		if (c->prefix) {	/* a Ctrl-A that was the last byte */
			c->prefix = false;
			to_guest(c, "\x01", 1);
		}
		/* A terminal that went away ends the session; a script's pipe running dry
		 * does not: output keeps coming until the VM stops or we are killed. */
		if (c->in_tty)
			finish(c, END_LEAVE, "Disconnected from %s.", c->name);
	}
}

static void
out_io(int fd, short revents, void *arg)
{
	struct session *c = arg;

	if (buf_flush(&c->to_out, fd) == -1)
		finish(c, END_ERROR, "qemu-tui: stdout: %s", strerror(errno));
}

static void
settle_tick(void *arg)
{
	struct session *c = arg;
	struct vm_run run;
	enum vm_state st;
	bool settled;
	qt_error err;

	if (vm_run_read(c->name, &run, &err) == -1) {
		finish(c, END_ERROR, "qemu-tui: %s: the serial connection closed: %s",
		    c->name, err.msg);
		return;
	}
	st = vm_state_of(&run, NULL);
	/* The supervisor closes clients after writing exit-status; a `stop` in progress
	 * writes which step ended it just after the supervisor is gone. */
	settled = st == VM_ORPHANED || (!run.alive && !vm_state_live(st) &&
	    !(run.stopping && run.stop_step[0] == '\0'));
	if (settled || now_ms() >= c->settle_deadline) {
		char desc[160];

		vm_state_describe(&run, st, NULL, desc, sizeof desc);
		if (!vm_state_live(st))
			finish(c, END_STOPPED, "%s %s", c->name, desc);
		else
			finish(c, END_ERROR, "qemu-tui: %s: the serial connection closed, "
			    "but the VM is %s", c->name, desc);
		loop_timer_del(c->loop, c->settle_timer);
	}
	vm_run_free(&run);
}

/* ---- scripts ---- */

/* End with what the step was waiting for and the last lines seen. */
static void
script_failed(struct session *c, const char *what)
{
	const struct expect_step *st = &c->script->v[c->run.step];
	char *tail = expect_window_tail(&c->run.seen, TAIL_LINES, "  | ");

	if (st->kind == EXPECT_EXPECT)
		finish(c, END_FAILED, "qemu-tui: %s: %s while waiting for /%s/ (%s)%s\n%s",
		    c->name, what, st->arg, st->where, tail[0] ? "; the last lines seen:" :
		    "; nothing came from the console since qemu-tui attached", tail);
	else
		finish(c, END_FAILED, "qemu-tui: %s: %s before %s %s (%s)%s\n%s", c->name,
		    what, st->kind == EXPECT_SEND ? "send" : "timeout", st->arg, st->where,
		    tail[0] ? "; the last lines seen:" : "", tail);
	free(tail);
}

static void
expect_timeout(void *arg)
{
	struct session *c = arg;
	char what[64];

	c->expect_timer = 0;
	snprintf(what, sizeof what, "no match within %d s", c->run.timeout_s);
	script_failed(c, what);
}

static void
send_step(const char *text, size_t len, void *arg)
{
	to_guest(arg, text, len);
}

/* Do the steps up to the next expect not met yet; that expect's timer runs from
 * when it started waiting. */
static void
run_steps(struct session *c)
{
	bool done;

	if (c->end != END_NONE)
		return;
	done = expect_run_steps(&c->run, send_step, c);
	if (c->expect_timer != 0 && (done || c->timer_step != c->run.step)) {
		loop_timer_del(c->loop, c->expect_timer);
		c->expect_timer = 0;
	}
	if (!done && c->expect_timer == 0) {
		c->timer_step = c->run.step;
		c->expect_timer = loop_timer_add(c->loop, (long)c->run.timeout_s * 1000, 0,
		    expect_timeout, c);
	}
}

/* The steps from --send, --expect and --script, in the order given. */
static int
script_build(struct cmd_ctx *ctx, struct expect_script *s, qt_error *err)
{
	size_t i;
	char *where;
	int rc = 0;

	for (i = 0; i + 1 < ctx->steps.n && rc == 0; i += 2) {
		const char *opt = ctx->steps.v[i], *val = ctx->steps.v[i + 1];

		if (strcmp(opt, "script") == 0) {
			rc = expect_script_load(s, val, err);
			continue;
		}
		where = xasprintf("step %zu, --%s", s->n + 1, opt);
		rc = expect_script_add(s, opt, val, where, err);
		free(where);
	}
	return rc;
}

static void
on_signal(int sig, void *arg)
{
	struct session *c = arg;

	if (c->end == END_NONE) {
		c->sig = sig;
		finish(c, END_SIGNAL, "Disconnected from %s.", c->name);
	}
}

static int
console_run(struct cmd_ctx *ctx, const char *name, struct expect_script *script)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	struct console_hooks hooks = { con_data, con_closed, NULL };
	struct session c;
	struct vm_run run;
	struct winsize ws;
	struct termios raw;
	enum vm_state st;
	qt_error err;
	size_t i;
	int no_history = ctx->opts.no_history, rc;

	memset(&c, 0, sizeof c);
	c.name = name;
	if (script != NULL) {
		c.run.script = c.script = script;
		c.run.timeout_s = ctx->opts.timeout > 0 ? ctx->opts.timeout : EXPECT_TIMEOUT_S;
		/* Only what comes after attaching (and after each send) counts. */
		no_history = 1;
	}
	if (!cmd_known_profile(ctx, c.name))
		return 1;
	if (vm_run_read(c.name, &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		return 1;
	}
	st = vm_state_of(&run, NULL);
	if (!vm_state_live(st)) {
		fprintf(stderr, "qemu-tui: %s is %s (start it with `qemu-tui start %s`)\n",
		    c.name, vm_state_name(st), c.name);
		vm_run_free(&run);
		return 1;
	}
	if (st == VM_ORPHANED) {
		char desc[160];

		/* QEMU's own socket takes one client: it stays free for the adopting supervisor. */
		vm_state_describe(&run, st, NULL, desc, sizeof desc);
		fprintf(stderr, "qemu-tui: %s is %s\n", c.name, desc);
		vm_run_free(&run);
		return 1;
	}
	if (st == VM_STARTING) {
		fprintf(stderr, "qemu-tui: %s is starting (try again once it runs)\n", c.name);
		vm_run_free(&run);
		return 1;
	}
	vm_run_free(&run);
	c.loop = loop_new();
	hooks.arg = &c;
	if ((c.con = console_attach(c.loop, c.name, !no_history, &hooks, &err)) == NULL) {
		fprintf(stderr, "qemu-tui: %s: %s\n", c.name, err.msg);
		loop_free(c.loop);
		return 1;
	}
	c.guarded = isatty(STDOUT_FILENO);
	term_guard_init(&c.guard, NULL);
	if (script == NULL) {
		fprintf(stderr, "Connected to %s's serial console (escape: Ctrl-] or Ctrl-A x)\n",
		    c.name);
		c.in_tty = isatty(STDIN_FILENO);
		c.in_open = true;
	}
	if (c.in_tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		fprintf(stderr, "hint: the guest does not know this terminal's size; "
		    "type: stty rows %u cols %u\n", ws.ws_row, ws.ws_col);
	fflush(stderr);

	signal(SIGPIPE, SIG_IGN);
	fatal_set_hook(term_restore);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		loop_signal(c.loop, sigs[i], on_signal, &c);
	if (c.in_tty && tcgetattr(STDIN_FILENO, &term.saved) == 0) {
		raw = term.saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			term.raw = true;
	}
	if ((term.out_flags = fcntl(STDOUT_FILENO, F_GETFL)) != -1 &&
	    fcntl(STDOUT_FILENO, F_SETFL, term.out_flags | O_NONBLOCK) == -1)
		term.out_flags = -1;

	loop_set_idle(c.loop, want, &c);
	if (script != NULL)
		run_steps(&c);
	while (c.end == END_NONE)
		if (loop_run_once(c.loop, -1) == -1) {
			finish(&c, END_ERROR, "qemu-tui: poll: %s", strerror(errno));
			break;
		}

	term_restore();
	fatal_set_hook(NULL);
	if (script != NULL) {
		/* stdout blocks again: the transcript's rest goes before the verdict. */
		buf_flush(&c.to_out, STDOUT_FILENO);
		/* The verdict starts a line of its own after the guest's output. */
		if (c.msg[0] != '\0')
			fprintf(stderr, "%s%s\n", !c.out_midline ? "" : c.guarded ? "\r\n" :
			    "\n", c.msg);
	} else
		/* Raw mode is off again, but the cursor may be mid-line in the guest's output. */
		fprintf(stderr, "\r\n%s\n", c.msg);
	fflush(stderr);
	if (c.expect_timer != 0)
		loop_timer_del(c.loop, c.expect_timer);
	console_free(c.con);
	loop_free(c.loop);
	buf_free(&c.to_out);
	expect_run_free(&c.run);
	signal(SIGPIPE, SIG_DFL);
	switch (c.end) {
	case END_SIGNAL:
		/* Die of it, as the sender expects; the terminal is already restored. */
		signal(c.sig, SIG_DFL);
		raise(c.sig);
		rc = 128 + c.sig;
		break;
	case END_ERROR:
	case END_FAILED:
		rc = 1;
		break;
	default:
		rc = 0;
	}
	return rc;
}

static int
cmd_console_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct expect_script script = { NULL, 0, 0 };
	qt_error err;
	int rc;

	if (ctx->steps.n == 0) {
		if (ctx->opts.timeout > 0) {
			fprintf(stderr, "qemu-tui console: --timeout is for --expect and "
			    "--script\n");
			return 2;
		}
		return console_run(ctx, argv[0], NULL);
	}
	if (script_build(ctx, &script, &err) == -1) {
		fprintf(stderr, "qemu-tui console: %s\n", err.msg);
		expect_script_free(&script);
		return 2;
	}
	rc = console_run(ctx, argv[0], &script);
	expect_script_free(&script);
	return rc;
}

static const struct cmd_option console_options[] = {
	{ "no-history", 0, CMD_OPT_FLAG, CMD_FIELD(no_history),
	    "live output only, without the serial history first" },
	{ "send", 0, CMD_OPT_STEP_TEXT, 0,
	    "type TEXT (escapes \\n \\r \\t \\e \\xHH; no newline is added)" },
	{ "expect", 0, CMD_OPT_STEP_REGEX, 0,
	    "wait for REGEX (POSIX extended) in the output since the last send" },
	{ "script", 0, CMD_OPT_STEP_FILE, 0,
	    "the steps of FILE (send TEXT, expect REGEX, timeout S a line; - is stdin)" },
	{ "timeout", 't', CMD_OPT_SECONDS, CMD_FIELD(timeout),
	    "how long each expect waits (default 30)" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_console_entry = {
	.name = "console", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = console_options,
	.help = "the serial console on this terminal (Ctrl-] leaves), or a send/expect script",
	.exec = cmd_console_exec
};
