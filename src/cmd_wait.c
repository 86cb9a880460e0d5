/*
 * qemu-tui wait NAME [--for console|prompt|ssh|ready|stopped|REGEX] [--timeout S]
 * qemu-tui run NAME [--throwaway] [--keep] [--timeout S] -- COMMAND...
 * For scripts: wait until a guest gets somewhere, by events rather than sleeps
 * (the serial stream as it comes, sshd's banner on its port), and run one
 * command in a VM, starting and stopping it around the command when it was not
 * running.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "net.h"
#include "qmp.h"
#include "rundir.h"
#include "prepare.h"
#include "vm.h"
#include "vmstate.h"

/* A login prompt or a shell prompt at the end of the console's last line. */
#define PROMPT_RE "(login: ?$|[#$%>] ?$)"

static const char wait_usage[] =
    "usage: qemu-tui wait NAME [--for console|prompt|ssh|ready|stopped|REGEX] [--timeout S]\n";
static const char run_usage[] =
    "usage: qemu-tui run NAME [--throwaway] [--keep] [--timeout S] -- COMMAND...\n";

enum goal { G_CONSOLE, G_PROMPT, G_SSH, G_READY, G_STOPPED, G_REGEX };

struct waiter {
	const char *name;
	enum goal goal;
	regex_t re;
	bool have_re;
	int serial;		/* the supervisor's serial socket, -1 until connected */
	char line[4096];	/* the console's current last line */
	size_t line_len;
	bool seen_output, seen_prompt, seen_banner;
	bool in_esc;
	const char *self;	/* our binary, for `ssh NAME -- true` */
	const char *profiles;
};

static void
line_add(struct waiter *w, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		/* Escape sequences are not text: a shell's "ESC [6n" after its prompt. */
		if (w->in_esc) {
			if (c >= 0x40 && c <= 0x7e && c != '[')
				w->in_esc = false;
			continue;
		}
		if (c == 0x1b) {
			w->in_esc = true;
			continue;
		}
		if (c == '\n') {
			w->line_len = 0;
			continue;
		}
		if (c == '\r' || c == '\0')
			continue;
		if (w->line_len + 1 >= sizeof w->line)
			w->line_len = 0;
		w->line[w->line_len++] = c;
	}
	w->line[w->line_len] = '\0';
}

/* Serial bytes: does the console now show what we wait for? */
static bool
console_matches(struct waiter *w, const char *buf, size_t len)
{
	static regex_t prompt;
	static bool prompt_ok;
	char chunk[8192];
	size_t n = len < sizeof chunk - 1 ? len : sizeof chunk - 1;
	bool hit = false;

	if (!prompt_ok) {
		regcomp(&prompt, PROMPT_RE, REG_EXTENDED | REG_NOSUB);
		prompt_ok = true;
	}
	if (len > 0)
		w->seen_output = true;
	/* A pattern may span the chunk's lines: test the chunk and the last line. */
	memcpy(chunk, buf, n);
	chunk[n] = '\0';
	line_add(w, buf, len);
	if (regexec(&prompt, w->line, 0, NULL, 0) == 0)
		w->seen_prompt = true;
	if (w->goal == G_REGEX)
		hit = regexec(&w->re, chunk, 0, NULL, 0) == 0 ||
		    regexec(&w->re, w->line, 0, NULL, 0) == 0;
	return hit || (w->goal == G_CONSOLE && w->seen_output) ||
	    (w->goal == G_PROMPT && w->seen_prompt);
}

/* sshd answers with its banner: "SSH-2.0-..." (QEMU's hostfwd accepts before). */
static bool
ssh_banner(const char *host, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct pollfd pfd;
	char buf[8];
	bool ok = false;
	int fd;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 2000) > 0 && read(fd, buf, 4) == 4)
			ok = memcmp(buf, "SSH-", 4) == 0;
	}
	close(fd);
	return ok;
}

/* `qemu-tui ssh NAME -- CMD` as a child: the one SSH path, with its exit status. */
static int
ssh_child(const struct waiter *w, char *const *cmd, bool quiet)
{
	char *argv[64];
	int n = 0, status, i;
	pid_t pid;

	argv[n++] = (char *)w->self;
	if (w->profiles != NULL) {
		argv[n++] = "--profiles";
		argv[n++] = (char *)w->profiles;
	}
	argv[n++] = "ssh";
	argv[n++] = (char *)w->name;
	argv[n++] = "--";
	for (i = 0; cmd[i] != NULL && n < 63; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	if ((pid = fork()) == -1)
		return 255;
	if (pid == 0) {
		if (quiet) {
			int devnull = open("/dev/null", O_RDWR);

			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execv(argv[0], argv);
		_exit(255);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
reached(const struct waiter *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", w->seen_output ? "console output" : "no console output",
	    w->seen_prompt ? ", a prompt" : "", w->seen_banner ? ", sshd answering" : "");
}

/* 0 when the goal is reached within timeout_ms, else 1 with what was reached.
 * p: the VM's profile, for the SSH endpoint (NULL when the goal needs none). */
static int
wait_loop(struct waiter *w, const struct profile *p, long long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char buf[8192], how[160];

	w->serial = -1;
	for (;;) {
		struct vm_run run;
		enum vm_state st;
		struct pollfd pfd;
		long long left = deadline - now_ms();
		ssize_t n;

		if (vm_run_read(w->name, &run, NULL) == -1)
			return 1;
		st = vm_state_of(&run, NULL);
		if (w->goal == G_STOPPED && !vm_state_live(st)) {
			vm_run_free(&run);
			return 0;
		}
		if (w->goal != G_STOPPED && !vm_state_live(st)) {
			fprintf(stderr, "qemu-tui: %s is %s\n", w->name, vm_state_name(st));
			vm_run_free(&run);
			return 1;
		}
		if (w->serial == -1 && rundir_has(run.dir, RUN_SERIAL_SOCK) &&
		    w->goal != G_STOPPED) {
			char *path = rundir_file(run.dir, RUN_SERIAL_SOCK);

			w->serial = unix_connect(path, NULL);
			free(path);
		}
		if (w->goal == G_SSH || w->goal == G_READY) {
			struct net_ssh_endpoint e;

			if (p != NULL) {
				net_ssh_endpoint(p, run.ssh_port, &e);
				if (e.host != NULL && e.port > 0 && ssh_banner(e.host, e.port))
					w->seen_banner = true;
			}
			if (w->seen_banner && w->goal == G_SSH) {
				vm_run_free(&run);
				return 0;
			}
			if (w->seen_banner) {
				char *t[] = { "true", NULL };

				if (ssh_child(w, t, true) == 0) {
					vm_run_free(&run);
					return 0;
				}
			}
		}
		vm_run_free(&run);
		if (left <= 0)
			break;
		/* Serial bytes wake us at once; sshd and the state are looked at 10 times a second. */
		pfd = (struct pollfd){ .fd = w->serial, .events = POLLIN };
		if (poll(&pfd, w->serial != -1 ? 1 : 0, left < 100 ? (int)left : 100) > 0) {
			n = read(w->serial, buf, sizeof buf);
			if (n <= 0) {
				close(w->serial);
				w->serial = -1;
			} else if (console_matches(w, buf, (size_t)n))
				return 0;
		}
	}
	reached(w, how, sizeof how);
	fprintf(stderr, "qemu-tui: %s: timed out after %lld s; reached: %s\n", w->name,
	    timeout_ms / 1000, how);
	return 1;
}

/* The profile is loaded once: the loop looks at the VM ten times a second. */
static int
wait_for(struct waiter *w, struct cmd_ctx *ctx, long long timeout_ms)
{
	struct profile_list list = { NULL, 0 };
	struct profile *p = NULL;
	int rc;

	if (w->goal == G_SSH || w->goal == G_READY)
		p = cmd_profile(ctx, w->name, &list, 1);
	rc = wait_loop(w, p, timeout_ms);
	profile_list_free(&list);
	return rc;
}

static int
parse_goal(struct waiter *w, const char *s)
{
	static const char *const names[] = { "console", "prompt", "ssh", "ready", "stopped" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			w->goal = (enum goal)i;
			return 0;
		}
	w->goal = G_REGEX;
	if (regcomp(&w->re, s, REG_EXTENDED | REG_NOSUB) != 0) {
		fprintf(stderr, "qemu-tui: wait: --for \"%s\" is neither a stage (console, prompt, "
		    "ssh, ready, stopped) nor a regular expression\n", s);
		return -1;
	}
	w->have_re = true;
	return 0;
}

static char *
self_path(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return xstrdup("qemu-tui");
	buf[n] = '\0';
	return xstrdup(buf);
}

static int
cmd_wait_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct waiter w = { 0 };
	long timeout = 60;
	char *self;
	int i, rc;

	w.goal = G_SSH;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--for") == 0 && i + 1 < argc) {
			if (w.have_re)
				regfree(&w.re);
			w.have_re = false;
			if (parse_goal(&w, argv[++i]) == -1)
				return 2;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--help") == 0) {
			fputs(wait_usage, stdout);
			return 0;
		} else if (argv[i][0] != '-' && w.name == NULL) {
			w.name = argv[i];
		} else {
			fputs(wait_usage, stderr);
			return 2;
		}
	}
	if (w.name == NULL || timeout < 1) {
		fputs(wait_usage, stderr);
		return 2;
	}
	if (!cmd_known_profile(ctx, w.name))
		return 1;
	self = self_path();
	w.self = self;
	w.profiles = ctx->profiles_dir;
	rc = wait_for(&w, ctx, timeout * 1000LL);
	if (w.serial != -1)
		close(w.serial);
	if (w.have_re)
		regfree(&w.re);
	free(self);
	return rc;
}

static volatile sig_atomic_t run_signal;

static void
on_run_signal(int sig)
{
	run_signal = sig;
}

static void
stop_done(const char *name, int ok, const char *how, void *arg)
{
	int *state = arg;

	if (!ok)
		fprintf(stderr, "qemu-tui: run: stopping %s: %s\n", name, how);
	*state = ok ? 1 : -1;
}

/* Stop the VM as `qemu-tui stop` does (powerdown first), and wait for it. */
static int
stop_vm(const char *name)
{
	struct loop *l = loop_new();
	struct vm_stop *op;
	qt_error err;
	int state = 0;

	op = vm_stop_begin(l, name, 30, false, NULL, stop_done, &state, &err);
	if (op == NULL) {
		fprintf(stderr, "qemu-tui: run: stopping %s: %s\n", name, err.msg);
		loop_free(l);
		return -1;
	}
	while (state == 0)
		loop_run_once(l, -1);
	vm_stop_free(op);
	loop_free(l);
	return state == 1 ? 0 : -1;
}

static int
cmd_run_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct profile *p;
	struct waiter w = { 0 };
	struct vm_run run;
	bool throwaway = false, keep = false, started = false;
	long timeout = 120;
	qt_error err;
	char *self;
	int i, rc = 255;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--throwaway") == 0)
			throwaway = true;
		else if (strcmp(argv[i], "--keep") == 0)
			keep = true;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			timeout = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--help") == 0) {
			fputs(run_usage, stdout);
			return 0;
		} else if (argv[i][0] != '-' && w.name == NULL)
			w.name = argv[i];
		else {
			fputs(run_usage, stderr);
			return 2;
		}
	}
	if (w.name == NULL || i + 1 >= argc || timeout < 1) {
		fputs(run_usage, stderr);
		return 2;
	}
	if ((p = cmd_profile(ctx, w.name, &list, 0)) == NULL)
		return 255;
	if (vm_run_read(p->name, &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: run: %s\n", err.msg);
		profile_list_free(&list);
		return 255;
	}
	if (!vm_state_live(vm_state_of(&run, NULL))) {
		/* The disks first; stdout is the command's, so their lines go to stderr. */
		if (prepare_sync(p, stderr, NULL, &err) == -1 ||
		    vm_start_sync(p, throwaway, 60000, &err) == -1) {
			fprintf(stderr, "qemu-tui: run: %s\n", err.msg);
			vm_run_free(&run);
			profile_list_free(&list);
			return 255;
		}
		started = true;
	} else if (throwaway) {
		fprintf(stderr, "qemu-tui: run: %s is already running, so --throwaway cannot "
		    "apply; stop it first\n", p->name);
		vm_run_free(&run);
		profile_list_free(&list);
		return 255;
	}
	vm_run_free(&run);
	profile_list_free(&list);
	/* Ctrl-C or SIGTERM: stop what we started, then leave. */
	signal(SIGINT, on_run_signal);
	signal(SIGTERM, on_run_signal);
	self = self_path();
	w.self = self;
	w.profiles = ctx->profiles_dir;
	w.goal = G_READY;
	if (wait_for(&w, ctx, timeout * 1000LL) == 0 && !run_signal)
		rc = ssh_child(&w, argv + i + 1, false);
	if (w.serial != -1)
		close(w.serial);
	if (run_signal)
		rc = 128 + run_signal;
	if (started && !keep && stop_vm(w.name) == -1 && rc == 0)
		rc = 255;
	free(self);
	return rc;
}

const struct cmd_entry cmd_wait_entry = {
	.name = "wait", .args = "NAME [--for console|prompt|ssh|ready|stopped|REGEX] [--timeout S]",
	.min_args = 1, .max_args = -1, .flags = CMD_ARG_PROFILE | CMD_OWN_ARGS,
	.help = "wait until the guest gets there (default: sshd answers); exit 1 on timeout",
	.exec = cmd_wait_exec
};

const struct cmd_entry cmd_run_entry = {
	.name = "run", .args = "NAME [--throwaway] [--keep] [--timeout S] -- COMMAND...",
	.min_args = 1, .max_args = -1, .flags = CMD_ARG_PROFILE | CMD_OWN_ARGS,
	.help = "start it if stopped, run COMMAND over SSH when ready, stop it again",
	.exec = cmd_run_exec
};
