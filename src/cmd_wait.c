/*
 * qemu-tui wait NAME [--for console|prompt|ssh|ready|stopped|REGEX] [--timeout S]
 * qemu-tui run NAME [--throwaway] [--keep] [--timeout S] -- COMMAND...
 * For scripts: wait until a guest gets somewhere, by events rather than sleeps
 * (the readiness stages the supervisor keeps in the run directory, woken by
 * inotify; a REGEX on the serial stream as it comes), and run one
 * command in a VM, starting and stopping it around the command when it was not
 * running.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "net.h"
#include "qmp.h"
#include "ready.h"
#include "rundir.h"
#include "spawnchild.h"
#include "strvec.h"
#include "prepare.h"
#include "vm.h"
#include "vmstate.h"

static const char wait_usage[] =
    "usage: qemu-tui wait NAME [--for console|prompt|ssh|ready|stopped|REGEX] [--timeout S]\n";
static const char run_usage[] =
    "usage: qemu-tui run NAME [--throwaway] [--keep] [--set K=V]... [--timeout S] -- COMMAND...\n";

enum goal { G_CONSOLE, G_PROMPT, G_SSH, G_READY, G_STOPPED, G_REGEX };

/* The stage each goal waits for; the supervisor reaches it (ready.c). */
static const enum stage goal_stage[] = {
	[G_CONSOLE] = STAGE_CONSOLE, [G_PROMPT] = STAGE_PROMPT,
	[G_SSH] = STAGE_SSH, [G_READY] = STAGE_READY,
};

struct waiter {
	const char *name;
	enum goal goal;
	regex_t re;
	bool have_re;
	int serial;		/* the supervisor's serial socket (REGEX), -1 until connected */
	struct ready_line line;	/* the console's current last line */
	const char *self;	/* our binary, for `ssh NAME -- CMD` */
	const char *profiles;
	const struct strvec *sets;	/* run's --set, for the ssh child too */
};

/* Serial bytes: does the console now show the REGEX? */
static bool
console_matches(struct waiter *w, const char *buf, size_t len)
{
	char chunk[8192];
	size_t n = len < sizeof chunk - 1 ? len : sizeof chunk - 1;

	/* A pattern may span the chunk's lines: test the chunk and the last line. */
	memcpy(chunk, buf, n);
	chunk[n] = '\0';
	ready_line_add(&w->line, buf, len);
	return regexec(&w->re, chunk, 0, NULL, 0) == 0 ||
	    regexec(&w->re, w->line.text, 0, NULL, 0) == 0;
}

/* SIGINT or SIGTERM during `run`: its wait ends at once, its command is ended. */
static volatile sig_atomic_t run_signal;

/* `qemu-tui ssh NAME -- CMD` as a child: the one SSH path, with its exit status. */
static int
ssh_child(const struct waiter *w, char *const *cmd)
{
	struct strvec argv = STRVEC_INIT;
	qt_error err;
	int status, i;
	pid_t pid;

	strvec_push(&argv, w->self);
	if (w->profiles != NULL) {
		strvec_push(&argv, "--profiles");
		strvec_push(&argv, w->profiles);
	}
	/* The profile as run started it: its ssh settings too. */
	for (i = 0; w->sets != NULL && (size_t)i < w->sets->n; i++) {
		strvec_push(&argv, "--set");
		strvec_push(&argv, w->sets->v[i]);
	}
	strvec_push(&argv, "ssh");
	strvec_push(&argv, w->name);
	strvec_push(&argv, "--");
	for (i = 0; cmd[i] != NULL; i++)
		strvec_push(&argv, cmd[i]);
	pid = spawn_child(argv.v, 0, 1, 2, false, NULL, &err);
	strvec_free(&argv);
	if (pid == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		return 255;
	}
	/* run's handlers do not restart waitpid: a signal to run ends the command too. */
	if (run_signal)
		kill(pid, SIGTERM);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return 255;
		if (run_signal)
			kill(pid, SIGTERM);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "prompt (started, console, prompt)": the furthest stage, then all in order. */
static void
reached(const struct stages *st, char *buf, size_t len)
{
	int last = stages_last(st), i;
	size_t off;

	if (last < 0) {
		snprintf(buf, len, "no stage");
		return;
	}
	off = (size_t)snprintf(buf, len, "%s (", stage_name((enum stage)last));
	for (i = 0; i < st->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		    stage_name(st->order[i]));
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

/* Wake on any change in the run directory: the stages file replaced, exit-status
 * written, supervisor.pid closed by a supervisor that died (IN_CLOSE_WRITE). */
static int
watch_rundir(const char *name)
{
	char *dir = rundir_path(name, NULL);
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd != -1 && (dir == NULL || inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MODIFY) == -1)) {
		close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

/*
 * 0 when the goal is reached within timeout_ms, else 1 saying the last stage
 * reached. Stages are read from the run directory, woken by inotify; a REGEX
 * reads the serial stream itself.
 */
static int
wait_for(struct waiter *w, long long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char buf[8192], how[160];
	struct stages last;
	bool first = true, first_turn = true;
	int ino = watch_rundir(w->name);

	memset(&last, 0, sizeof last);
	w->serial = -1;
	for (;;) {
		struct vm_run run;
		enum vm_state st;
		struct pollfd pfd[2];
		long long left = deadline - now_ms();
		int nfd = 0;
		ssize_t n;

		first = first_turn;
		first_turn = false;
		if (run_signal || vm_run_read(w->name, &run, NULL) == -1) {
			if (ino != -1)
				close(ino);
			return 1;
		}
		st = vm_state_of(&run, NULL);
		last = run.stages;
		if (w->goal == G_STOPPED && !vm_state_live(st)) {
			vm_run_free(&run);
			break;
		}
		if (w->goal != G_STOPPED && !vm_state_live(st)) {
			/* An earlier run's stages say nothing about this wait. */
			reached(&last, how, sizeof how);
			fprintf(stderr, "qemu-tui: %s is %s%s%s\n", w->name,
			    vm_state_name(st), first ? "" : "; reached: ", first ? "" : how);
			vm_run_free(&run);
			goto fail;
		}
		if (w->goal < G_STOPPED && run.stages.at[goal_stage[w->goal]] != 0) {
			vm_run_free(&run);
			break;
		}
		if (w->serial == -1 && w->goal == G_REGEX &&
		    rundir_has(run.dir, RUN_SERIAL_SOCK)) {
			char *path = rundir_file(run.dir, RUN_SERIAL_SOCK);

			w->serial = unix_connect(path, NULL);
			free(path);
		}
		vm_run_free(&run);
		if (left <= 0)
			goto timeout;
		if (ino != -1)
			pfd[nfd++] = (struct pollfd){ .fd = ino, .events = POLLIN };
		if (w->serial != -1)
			pfd[nfd++] = (struct pollfd){ .fd = w->serial, .events = POLLIN };
		/* Without inotify (out of watches) the directory is looked at each second. */
		if (poll(pfd, (nfds_t)nfd, ino == -1 && left > 1000 ? 1000 :
		    left > INT_MAX ? INT_MAX : (int)left) <= 0)
			continue;
		if (ino != -1 && pfd[0].revents != 0)
			while (read(ino, buf, sizeof buf) > 0)
				;
		if (w->serial != -1 && pfd[nfd - 1].revents != 0) {
			n = read(w->serial, buf, sizeof buf);
			if (n <= 0) {
				close(w->serial);
				w->serial = -1;
			} else if (console_matches(w, buf, (size_t)n))
				break;
		}
	}
	if (ino != -1)
		close(ino);
	return 0;
timeout:
	reached(&last, how, sizeof how);
	fprintf(stderr, "qemu-tui: %s: timed out after %lld s; reached: %s\n", w->name,
	    timeout_ms / 1000, how);
fail:
	if (ino != -1)
		close(ino);
	return 1;
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
	rc = wait_for(&w, timeout * 1000LL);
	if (w.serial != -1)
		close(w.serial);
	if (w.have_re)
		regfree(&w.re);
	free(self);
	return rc;
}

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
	struct sigaction sa;
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
		else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			strvec_push(&ctx->sets, argv[++i]);
		else if (strncmp(argv[i], "--set=", 6) == 0)
			strvec_push(&ctx->sets, argv[i] + 6);
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
	sa.sa_handler = on_run_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: the waits see EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	self = self_path();
	w.self = self;
	w.profiles = ctx->profiles_dir;
	w.sets = &ctx->sets;
	w.goal = G_READY;
	if (wait_for(&w, timeout * 1000LL) == 0 && !run_signal)
		rc = ssh_child(&w, argv + i + 1);
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
	.name = "run", .args = "NAME [--throwaway] [--keep] [--set K=V]... [--timeout S] -- COMMAND...",
	.min_args = 1, .max_args = -1, .flags = CMD_ARG_PROFILE | CMD_OWN_ARGS,
	.help = "start it if stopped, run COMMAND over SSH when ready, stop it again",
	.exec = cmd_run_exec
};
