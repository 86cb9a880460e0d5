/* VM lifecycle: launch under a supervisor, find again from the run directory, stop in steps. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "arch.h"
#include "net.h"
#include "qemu_argv.h"
#include "qmp.h"
#include "rundir.h"
#include "strvec.h"
#include "supervisor.h"

#define RUN_STOPPING  "stopping"
#define RUN_STOP_STEP "stop-step"

static char *
read_small(const char *dir, const char *file)
{
	char *path = rundir_file(dir, file), *text;

	text = file_read(path, NULL, NULL);
	free(path);
	return text;
}

static void
write_small(const char *dir, const char *file, const char *text)
{
	char *path = rundir_file(dir, file);

	file_write_atomic(path, text, strlen(text), 0600, NULL);
	free(path);
}

static void
remove_small(const char *dir, const char *file)
{
	char *path = rundir_file(dir, file);

	unlink(path);
	free(path);
}

static bool
exists_in(const char *dir, const char *file)
{
	char *path = rundir_file(dir, file);
	bool ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

/* The supervisor keeps an exclusive lock on its pid file for as long as it lives. */
static bool
supervisor_alive(const char *dir)
{
	char *path = rundir_file(dir, RUN_SUPER_PID);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool alive = false;

	free(path);
	if (fd == -1)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK)
		alive = true;
	close(fd);
	return alive;
}

static bool
pid_alive(pid_t pid)
{
	char path[64], state = 0;
	FILE *f;

	if (pid <= 0 || (kill(pid, 0) == -1 && errno == ESRCH))
		return false;
	/* A zombie still answers kill(0): it is dead for us. */
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
			state = 0;
		fclose(f);
	}
	return state != 'Z';
}

/*
 * A stale qemu.pid (after a reboot) may name another process, and nothing but
 * this VM's own QEMU may ever get a signal from a stop: it is this user's
 * process and runs the command line recorded at start (older runs: one with
 * our run dir in it).
 */
static bool
qemu_alive(pid_t pid, const char *dir)
{
	char path[64], *cmd, *want, *cmd_recorded;
	size_t len, wlen, i;
	struct stat st;
	bool ours;

	if (!pid_alive(pid))
		return false;
	snprintf(path, sizeof path, "/proc/%ld", (long)pid);
	if (stat(path, &st) == -1 || st.st_uid != geteuid())
		return false;
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((cmd = file_read(path, &len, NULL)) == NULL)
		return false;
	want = rundir_file(dir, RUN_CMDLINE);
	if ((cmd_recorded = file_read(want, &wlen, NULL)) != NULL) {
		ours = wlen == len && memcmp(cmd, cmd_recorded, len) == 0;
		free(cmd_recorded);
	} else {
		for (i = 0; i < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		ours = strstr(cmd, dir) != NULL;
	}
	free(want);
	free(cmd);
	return ours;
}

int
vm_run_read(const char *name, struct vm_run *r, qt_error *err)
{
	struct stat st;
	char *t;

	memset(r, 0, sizeof *r);
	if ((r->dir = rundir_path(name, err)) == NULL)
		return -1;
	r->exists = stat(r->dir, &st) == 0;
	if (!r->exists)
		return 0;
	r->alive = supervisor_alive(r->dir);
	r->serving = r->alive && exists_in(r->dir, RUN_QMP_SOCK);
	r->stopping = exists_in(r->dir, RUN_STOPPING);
	if ((t = read_small(r->dir, RUN_SUPER_PID)) != NULL) {
		r->super_pid = (pid_t)atol(t);
		free(t);
	}
	if ((t = read_small(r->dir, RUN_QEMU_PID)) != NULL) {
		r->qemu_pid = (pid_t)atol(t);
		free(t);
		if (!r->alive && !qemu_alive(r->qemu_pid, r->dir))
			r->qemu_pid = 0;
	}
	if ((t = read_small(r->dir, RUN_EXIT_STATUS)) != NULL) {
		int n;

		if (sscanf(t, "signal %d", &n) == 1) {
			r->have_exit = true;
			r->exit_signal = n;
		} else if (sscanf(t, "exit %d", &n) == 1) {
			r->have_exit = true;
			r->exit_code = n;
		}
		free(t);
	}
	if ((t = read_small(r->dir, RUN_STOP_STEP)) != NULL) {
		snprintf(r->stop_step, sizeof r->stop_step, "%.*s",
		    (int)strcspn(t, "\n"), t);
		free(t);
	}
	if ((t = read_small(r->dir, RUN_STARTED)) != NULL) {
		r->started = atoll(t);
		free(t);
	}
	if ((t = read_small(r->dir, RUN_ACCEL)) != NULL) {
		char *nl = strchr(t, '\n');

		snprintf(r->accel, sizeof r->accel, "%.*s", (int)strcspn(t, "\n"), t);
		if (nl != NULL)
			snprintf(r->accel_reason, sizeof r->accel_reason, "%.*s",
			    (int)strcspn(nl + 1, "\n"), nl + 1);
		free(t);
	}
	if ((t = read_small(r->dir, RUN_SSH_PORT)) != NULL) {
		r->ssh_port = atoi(t);
		free(t);
	}
	return 0;
}

void
vm_run_free(struct vm_run *r)
{
	free(r->dir);
	r->dir = NULL;
}

enum vm_state
vm_run_state(const struct vm_run *r)
{
	/* exit-status is removed at start: when present, this run has ended (the
	 * supervisor may still be tidying up for a moment). */
	if (r->alive && !r->have_exit) {
		if (!r->serving)
			return VM_STARTING;
		return r->stopping ? VM_SHUTTING_DOWN : VM_RUNNING;
	}
	/* The supervisor was killed but QEMU lives on: still a running VM. */
	if (pid_alive(r->qemu_pid) && !r->have_exit)
		return r->stopping ? VM_SHUTTING_DOWN : VM_RUNNING;
	if (!r->have_exit || r->stop_step[0] != '\0')
		return VM_STOPPED;
	if (r->exit_signal != 0 || r->exit_code != 0)
		return VM_CRASHED;
	return VM_STOPPED;
}

const char *
vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_STOPPED:	return "stopped";
	case VM_STARTING:	return "starting";
	case VM_RUNNING:	return "running";
	case VM_PAUSED:		return "paused";
	case VM_SHUTTING_DOWN:	return "shutting down";
	case VM_CRASHED:	return "crashed";
	}
	return "unknown";
}

void
vm_state_describe(const struct vm_run *r, enum vm_state s, char *buf, size_t len)
{
	if (s == VM_CRASHED && r->exit_signal != 0)
		snprintf(buf, len, "crashed (signal %d)", r->exit_signal);
	else if (s == VM_CRASHED)
		snprintf(buf, len, "crashed (exit %d)", r->exit_code);
	else if (s == VM_STOPPED && r->stop_step[0] != '\0')
		snprintf(buf, len, "stopped (%s)", r->stop_step);
	else if (s == VM_STOPPED && r->have_exit)
		snprintf(buf, len, "stopped (exit %d)", r->exit_code);
	else
		snprintf(buf, len, "%s", vm_state_name(s));
}

/* execvp would say only ENOENT: find the binary first so the error can name the package. */
static int
check_binary(const char *bin, const char *arch, qt_error *err)
{
	const struct arch_info *ai = arch_find(arch);
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int found = 0;

	if (strchr(bin, '/') != NULL) {
		if (access(bin, X_OK) == 0)
			return 0;
		err_errno(err, "qemu: cannot run %s", bin);
		return -1;
	}
	copy = xstrdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, bin);

		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	if (found)
		return 0;
	if (ai != NULL && strcmp(bin, ai->qemu_binary) == 0)
		err_set(err, "%s not found: install it with `apt-get install %s` "
		    "(or set \"qemu\" in the profile to your own build)", bin,
		    ai->debian_package);
	else
		err_set(err, "qemu: %s not found in PATH: fix the \"qemu\" field", bin);
	return -1;
}

int
vm_launch(const struct profile *p, qt_error *err)
{
	struct argv_runtime rt;
	struct accel_host host;
	struct accel_choice acc;
	struct strvec argv = STRVEC_INIT;
	struct vm_run run;
	char text[256], *dir = NULL, *log;
	int ssh_port = 0, pfd[2], status, fd, start_lock = -1;
	size_t i, clen = 0;
	pid_t pid;

	if (p->broken != NULL) {
		err_set(err, "%s", p->broken);
		return -1;
	}
	if ((dir = rundir_path(p->name, err)) == NULL)
		return -1;
	if (rundir_create(dir, err) == -1)
		goto fail;
	/* Under the lock: a start at the same instant neither runs a second
	 * QEMU nor clears the first one's fresh files. */
	if ((start_lock = rundir_lock_start(dir, p->name, err)) == -1)
		goto fail;
	if (vm_run_read(p->name, &run, err) == -1)
		goto fail;
	if (vm_run_state(&run) != VM_STOPPED && vm_run_state(&run) != VM_CRASHED) {
		err_set(err, "%s is already %s (supervisor pid %ld)", p->name,
		    vm_state_name(vm_run_state(&run)), (long)run.super_pid);
		vm_run_free(&run);
		goto fail;
	}
	vm_run_free(&run);
	if (check_binary(p->qemu ? p->qemu : arch_find(p->arch)->qemu_binary,
	    p->arch, err) == -1)
		goto fail;
	accel_probe_host(&host);
	accel_choose(p->accel, p->arch, &host, &acc);
	if (p->net.mode == NET_USER && p->ssh.host == NULL) {
		ssh_port = p->ssh.port;
		if (ssh_port == 0 && (ssh_port = net_free_port("127.0.0.1", err)) == -1)
			goto fail;
	}
	if (net_check(p, p->ssh.port ? ssh_port : 0, err) == -1)
		goto fail;

	/* A failed or killed earlier run must not block this one. */
	rundir_clear_stale(dir);
	remove_small(dir, RUN_EXIT_STATUS);
	remove_small(dir, RUN_STOP_STEP);
	remove_small(dir, RUN_STOPPING);
	log = rundir_file(dir, RUN_QEMU_LOG);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) != -1)
		close(fd);
	free(log);

	memset(&rt, 0, sizeof rt);
	rt.rundir = dir;
	rt.accel = acc.name;
	rt.ssh_host_port = ssh_port;
	rt.start_paused = 1;
	if (qemu_argv_build(p, &rt, &argv, err) == -1)
		goto fail;
	snprintf(text, sizeof text, "%s\n%s\n", acc.name, acc.reason);
	write_small(dir, RUN_ACCEL, text);
	snprintf(text, sizeof text, "%d\n", ssh_port);
	write_small(dir, RUN_SSH_PORT, text);
	snprintf(text, sizeof text, "%lld\n", (long long)time(NULL));
	write_small(dir, RUN_STARTED, text);
	for (i = 0; i < argv.n; i++)
		clen += strlen(argv.v[i]) + 1;
	{
		char *flat = xmalloc(clen + 1), *o = flat;
		char *path = rundir_file(dir, RUN_CMDLINE);

		for (i = 0; i < argv.n; i++) {
			size_t l = strlen(argv.v[i]) + 1;

			memcpy(o, argv.v[i], l);
			o += l;
		}
		file_write_atomic(path, flat, clen, 0600, NULL);
		free(path);
		free(flat);
	}

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		err_errno(err, "pipe");
		goto fail;
	}
	fflush(NULL);
	/* Double fork: the supervisor is nobody's child, so it outlives us and never becomes our zombie. */
	if ((pid = fork()) == -1) {
		err_errno(err, "fork");
		close(pfd[0]);
		close(pfd[1]);
		goto fail;
	}
	if (pid == 0) {
		close(pfd[0]);
		setsid();
		if (fork() == 0)
			supervisor_main(dir, argv.v, 1, pfd[1], start_lock);
		_exit(0);
	}
	close(pfd[1]);
	close(start_lock);	/* the supervisor holds it until its own lock */
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	strvec_free(&argv);
	free(dir);
	return pfd[0];
fail:
	if (start_lock != -1)
		close(start_lock);
	strvec_free(&argv);
	free(dir);
	return -1;
}

int
vm_launch_result(int fd, const char *name, qt_error *err)
{
	char line[1200], *dir, *log, *tail;
	size_t len = 0;
	ssize_t n;

	while (len < sizeof line - 1) {
		n = read(fd, line + len, sizeof line - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(line, '\n', len) != NULL)
			break;
	}
	close(fd);
	line[len] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "ok") == 0)
		return 0;
	if ((dir = rundir_path(name, NULL)) == NULL) {
		err_set(err, "%s failed to start: %s", name, line);
		return -1;
	}
	/* Wait briefly for the supervisor to finish tidying, so the tail is complete. */
	for (n = 0; n < 50 && supervisor_alive(dir); n++)
		usleep(20000);
	if (!supervisor_alive(dir))
		rundir_clear_stale(dir);
	log = rundir_file(dir, RUN_QEMU_LOG);
	tail = file_tail_lines(log, 12);
	err_set(err, "%s failed to start: %s\n--- last lines of %s ---\n%s", name,
	    len ? (strncmp(line, "error ", 6) == 0 ? line + 6 : line)
		: "the supervisor died", log, tail ? tail : "(empty)\n");
	free(tail);
	free(log);
	free(dir);
	return -1;
}

int
vm_start_sync(const struct profile *p, int timeout_ms, qt_error *err)
{
	struct pollfd pfd;
	int fd, r;

	if ((fd = vm_launch(p, err)) == -1)
		return -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((r = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR)
		;
	if (r == 0) {
		close(fd);
		err_set(err, "%s did not come up within %d s; it may still be starting "
		    "(see `qemu-tui status %s` and its qemu.log)", p->name,
		    timeout_ms / 1000, p->name);
		return -1;
	}
	return vm_launch_result(fd, p->name, err);
}

char *
vm_qmp_path(const struct vm_run *r)
{
	return rundir_file(r->dir, r->alive ? RUN_QMP_SOCK : RUN_QEMU_QMP);
}

/* ---- stop ---- */

enum stop_step { STEP_CONNECT, STEP_POWERDOWN, STEP_QUIT, STEP_TERM, STEP_KILL };

static const char *const step_names[] = {
	"connect", "powerdown", "quit", "SIGTERM", "SIGKILL"
};

struct vm_stop {
	struct loop *loop;
	char *name;
	char *dir;
	pid_t qemu_pid;
	struct qmp_client *qmp;
	enum stop_step step;
	long long step_deadline;
	int timeout_s;
	bool force;
	bool finished;
	unsigned long tick;
	vm_stop_progress_cb progress;
	vm_stop_done_cb done;
	void *arg;
};

static void stop_enter(struct vm_stop *op, enum stop_step step);

static void
stop_finish(struct vm_stop *op, int ok, const char *how)
{
	if (op->finished)
		return;
	op->finished = true;
	loop_timer_del(op->loop, op->tick);
	if (op->qmp != NULL) {
		loop_io_del(op->loop, qmp_fd(op->qmp));
		qmp_free(op->qmp);
		op->qmp = NULL;
	}
	if (ok) {
		write_small(op->dir, RUN_STOP_STEP, how);
		remove_small(op->dir, RUN_STOPPING);
	}
	op->done(op->name, ok, how, op->arg);
}

static bool
stop_gone(struct vm_stop *op)
{
	return !supervisor_alive(op->dir) && !pid_alive(op->qemu_pid);
}

static void
stop_tick(void *arg)
{
	struct vm_stop *op = arg;

	if (op->finished)
		return;
	if (stop_gone(op)) {
		stop_finish(op, 1, step_names[op->step == STEP_CONNECT ?
		    STEP_POWERDOWN : op->step]);
		return;
	}
	if (now_ms() < op->step_deadline)
		return;
	switch (op->step) {
	case STEP_CONNECT:
		/* No QMP: go to signals. */
		stop_enter(op, STEP_TERM);
		break;
	case STEP_POWERDOWN:
		stop_enter(op, STEP_QUIT);
		break;
	case STEP_QUIT:
		stop_enter(op, STEP_TERM);
		break;
	case STEP_TERM:
		stop_enter(op, STEP_KILL);
		break;
	case STEP_KILL:
		stop_finish(op, 0, "QEMU survived SIGKILL");
		break;
	}
}

/* Only this VM's own QEMU is ever signalled (see qemu_alive). */
static void
stop_signal(struct vm_stop *op, int sig, char *msg, size_t len)
{
	const char *name = sig == SIGTERM ? "SIGTERM" : "SIGKILL";

	if (op->qemu_pid > 0 && qemu_alive(op->qemu_pid, op->dir)) {
		kill(op->qemu_pid, sig);
		snprintf(msg, len, "%s sent to QEMU (pid %ld)", name, (long)op->qemu_pid);
	} else if (op->qemu_pid > 0) {
		snprintf(msg, len, "pid %ld is not this VM's QEMU (another user's, or "
		    "another command line): no %s sent", (long)op->qemu_pid, name);
	} else {
		snprintf(msg, len, "QEMU's pid is not known: no %s sent", name);
	}
}

static void
stop_enter(struct vm_stop *op, enum stop_step step)
{
	char msg[160];

	op->step = step;
	switch (step) {
	case STEP_CONNECT:
		op->step_deadline = now_ms() + 5000;
		return;
	case STEP_POWERDOWN:
		qmp_send(op->qmp, "system_powerdown", NULL, NULL, NULL);
		op->step_deadline = now_ms() + (long long)op->timeout_s * 1000;
		snprintf(msg, sizeof msg, "ACPI powerdown sent; waiting up to %d s "
		    "for the guest to shut down", op->timeout_s);
		break;
	case STEP_QUIT:
		if (op->qmp != NULL && qmp_is_ready(op->qmp)) {
			qmp_send(op->qmp, "quit", NULL, NULL, NULL);
			snprintf(msg, sizeof msg, "QMP quit sent");
			op->step_deadline = now_ms() + 10000;
			break;
		}
		/* fall through: without QMP, quit is impossible */
		op->step = step = STEP_TERM;
		/* FALLTHROUGH */
	case STEP_TERM:
	case STEP_KILL:
		stop_signal(op, step == STEP_TERM ? SIGTERM : SIGKILL, msg, sizeof msg);
		op->step_deadline = now_ms() + 5000;
		break;
	}
	if (op->progress != NULL)
		op->progress(op->name, msg, op->arg);
}

static void
stop_qmp_ready(struct qmp_client *c, void *arg)
{
	struct vm_stop *op = arg;

	stop_enter(op, op->force ? STEP_QUIT : STEP_POWERDOWN);
}

static void
stop_qmp_closed(struct qmp_client *c, const char *why, void *arg)
{
	struct vm_stop *op = arg;

	/* EOF usually means QEMU is gone; the tick confirms it from the process side. */
	loop_io_del(op->loop, qmp_fd(c));
	if (op->step == STEP_CONNECT)
		op->step_deadline = 0;
}

static const struct qmp_callbacks stop_qmp_cbs = {
	stop_qmp_ready, NULL, stop_qmp_closed
};

static void
stop_qmp_io(int fd, short revents, void *arg)
{
	struct vm_stop *op = arg;

	if (op->qmp == NULL)
		return;
	if (qmp_io(op->qmp, revents) == 0)
		loop_io_set(op->loop, fd, qmp_want(op->qmp));
}

struct vm_stop *
vm_stop_begin(struct loop *l, const char *name, int timeout_s, bool force,
    vm_stop_progress_cb progress, vm_stop_done_cb done, void *arg, qt_error *err)
{
	struct vm_stop *op;
	struct vm_run run;
	enum vm_state st;
	char *qpath;
	int fd;

	if (vm_run_read(name, &run, err) == -1)
		return NULL;
	st = vm_run_state(&run);
	if (st == VM_STOPPED || st == VM_CRASHED) {
		err_set(err, "%s is not running", name);
		vm_run_free(&run);
		return NULL;
	}
	op = xcalloc(1, sizeof *op);
	op->loop = l;
	op->name = xstrdup(name);
	op->dir = run.dir;
	op->qemu_pid = run.qemu_pid;
	op->timeout_s = timeout_s;
	op->force = force;
	op->progress = progress;
	op->done = done;
	op->arg = arg;
	write_small(op->dir, RUN_STOPPING, "1\n");
	qpath = vm_qmp_path(&run);
	fd = qmp_connect_unix(qpath, NULL);
	free(qpath);
	stop_enter(op, STEP_CONNECT);
	if (fd != -1) {
		op->qmp = qmp_new(fd, &stop_qmp_cbs, op);
		loop_io_add(l, fd, qmp_want(op->qmp), stop_qmp_io, op);
	} else
		op->step_deadline = 0;
	op->tick = loop_timer_add(l, 100, 1, stop_tick, op);
	return op;
}

void
vm_stop_free(struct vm_stop *op)
{
	if (op == NULL)
		return;
	if (!op->finished) {
		loop_timer_del(op->loop, op->tick);
		if (op->qmp != NULL) {
			loop_io_del(op->loop, qmp_fd(op->qmp));
			qmp_free(op->qmp);
		}
	}
	free(op->name);
	free(op->dir);
	free(op);
}

int
vm_clean(const char *name, qt_error *err)
{
	struct vm_run run;
	enum vm_state st;
	int rc;

	if (vm_run_read(name, &run, err) == -1)
		return -1;
	st = vm_run_state(&run);
	if (st != VM_STOPPED && st != VM_CRASHED) {
		err_set(err, "%s is %s: stop it first (qemu-tui stop %s)", name,
		    vm_state_name(st), name);
		vm_run_free(&run);
		return -1;
	}
	rc = run.exists ? rundir_remove(run.dir, err) : 0;
	vm_run_free(&run);
	return rc;
}
