/* VM lifecycle: launch under a supervisor, find again from the run directory, stop in steps. */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "arch.h"
#include "firmware.h"
#include "net.h"
#include "qemu_argv.h"
#include "qmp.h"
#include "rundir.h"
#include "strvec.h"
#include "supervisor.h"

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

/* The double fork's middle child exits at once: reaped by the loop's SIGCHLD path. */
static void
middle_reaped(pid_t pid, int status, void *arg)
{
	(void)pid;
	(void)status;
	(void)arg;
}

/* The double fork of a launch: the supervisor is nobody's child, so it outlives
 * us and never becomes our zombie. Returns the read end of its notify pipe. */
static int
fork_supervisor(struct loop *loop, const char *dir, const struct profile *p,
    char *const *argv, pid_t adopt_pid, int pidfd, int start_lock, qt_error *err)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		err_errno(err, "pipe");
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		err_errno(err, "fork");
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		setsid();
		if (fork() == 0) {
			if (adopt_pid > 0)
				supervisor_adopt_main(dir, p, adopt_pid, pidfd, pfd[1],
				    start_lock);
			supervisor_main(dir, p, argv, 1, pfd[1], start_lock);
		}
		_exit(0);
	}
	close(pfd[1]);
	loop_child(loop, pid, middle_reaped, NULL);
	return pfd[0];
}

/*
 * An orphaned QEMU (its supervisor was killed) gets a new supervisor that
 * does not fork QEMU but connects to QEMU's own sockets, which take a new
 * client now that the dead one's connection is closed. Nothing of the run is
 * cleared: QEMU's sockets, pid and logs are in use.
 */
static int
adopt(struct loop *loop, const struct profile *p, const struct vm_run *run,
    int start_lock, qt_error *err)
{
	const char *name = p->name;
	int pidfd, fd;

	/* Opened first, checked second: from now on the pidfd names this very
	 * process, whatever happens to its pid. */
	if ((pidfd = (int)syscall(SYS_pidfd_open, run->qemu_pid, 0)) == -1) {
		err_errno(err, "%s: cannot watch QEMU (pid %ld) for its end (pidfd_open, "
		    "Linux 5.3 or later)", name, (long)run->qemu_pid);
		return -1;
	}
	if (!vm_pid_is_our_qemu(run->qemu_pid, run->dir)) {
		err_set(err, "%s: QEMU (pid %ld) ended before it could be adopted", name,
		    (long)run->qemu_pid);
		close(pidfd);
		return -1;
	}
	/* A stop that died with its process must not mark the adopted VM. */
	rundir_unlink(run->dir, RUN_STOPPING);
	fd = fork_supervisor(loop, run->dir, p, NULL, run->qemu_pid, pidfd, start_lock, err);
	close(pidfd);
	return fd;
}

/* Fork the supervisor (or adopt an orphan); returns the read end of its notify pipe. */
static int
launch_fork(struct loop *loop, const struct profile *p, bool throwaway, qt_error *err)
{
	struct profile once;	/* p with -snapshot for this run; shares p's strings */
	struct argv_runtime rt;
	struct accel_host host;
	struct accel_choice acc;
	struct net_ssh_endpoint ssh;
	struct strvec argv = STRVEC_INIT;
	struct vm_run run;
	enum vm_state st;
	struct stat sb;
	char text[256], *dir = NULL, *log, *fw_vars = NULL;
	struct fw_image fw = { 0 };
	bool fw_created;
	int ssh_port = 0, knock_port = 0, fd, start_lock = -1, tries;

	if (p->broken != NULL) {
		err_set(err, "%s", p->broken);
		return -1;
	}
	if (throwaway && !p->snapshot) {
		once = *p;
		once.snapshot = true;
		p = &once;
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
	if ((st = vm_state_of(&run, NULL)) == VM_ORPHANED) {
		fd = adopt(loop, p, &run, start_lock, err);
		vm_run_free(&run);
		goto out;
	}
	if (vm_state_live(st)) {
		err_set(err, "%s is already %s (supervisor pid %ld)", p->name,
		    vm_state_name(st), (long)run.super_pid);
		vm_run_free(&run);
		goto fail;
	}
	vm_run_free(&run);
	if (check_binary(p->qemu ? p->qemu : arch_find(p->arch)->qemu_binary,
	    p->arch, err) == -1)
		goto fail;
	accel_probe_host(&host);
	accel_choose(p->accel, p->arch, &host, &acc);
	net_ssh_endpoint(p, 0, &ssh);
	if (ssh.forward && (ssh_port = ssh.port) == 0 &&
	    (ssh_port = net_free_port(ssh.host, err)) == -1)
		goto fail;
	/* The readiness knocks' own door until the guest's network answers
	 * (ready.c): a closed port, so that knocks slirp delivers late take
	 * none of sshd's places. */
	for (tries = 0; ssh.forward && tries < 5 &&
	    (knock_port == 0 || knock_port == ssh_port); tries++)
		if ((knock_port = net_free_port(ssh.host, err)) == -1)
			goto fail;
	if (knock_port == ssh_port)
		knock_port = 0;
	if (net_prepare(p, err) == -1 || net_check(p, err) == -1)
		goto fail;

	/* A failed or killed earlier run must not block this one. */
	rundir_reset(dir);

	memset(&rt, 0, sizeof rt);
	rt.rundir = dir;
	rt.accel = acc.name;
	rt.ssh_host_port = ssh_port;
	rt.knock_host_port = knock_port;
	rt.start_paused = 1;
	rt.bridge_helper = net_bridge_helper();
	if (p->firmware != NULL && strcmp(p->firmware, FIRMWARE_UEFI) == 0) {
		if (firmware_for_vm(p->name, p->arch, p->machine, true, &fw, &fw_vars,
		    &fw_created, err) == -1)
			goto fail;
		rt.fw_code = fw.code;
		rt.fw_vars = fw_vars;
	}
	if (qemu_argv_build(p, &rt, &argv, err) == -1)
		goto fail;
	snprintf(text, sizeof text, "%s\n%s\n", acc.name, acc.reason);
	rundir_write_str(dir, RUN_ACCEL, text);
	snprintf(text, sizeof text, "%d\n", ssh_port);
	rundir_write_str(dir, RUN_SSH_PORT, text);
	snprintf(text, sizeof text, "%d\n", knock_port);
	rundir_write_str(dir, RUN_KNOCK_PORT, text);
	snprintf(text, sizeof text, "%lld\n", (long long)time(NULL));
	rundir_write_str(dir, RUN_STARTED, text);
	rundir_write_cmdline(dir, argv.v);
	if (p->snapshot)
		rundir_write_str(dir, RUN_THROWAWAY, "1\n");
	/* serial.log keeps earlier runs too: an adopting supervisor replays from here. */
	log = rundir_file(dir, RUN_SERIAL_LOG);
	snprintf(text, sizeof text, "%lld\n", stat(log, &sb) == 0 ? (long long)sb.st_size : 0LL);
	free(log);
	rundir_write_str(dir, RUN_SERIAL_START, text);
	fd = fork_supervisor(loop, dir, p, argv.v, 0, -1, start_lock, err);
out:
	close(start_lock);	/* the supervisor holds it until its own lock */
	strvec_free(&argv);
	firmware_image_free(&fw);
	free(fw_vars);
	free(dir);
	return fd;
fail:
	if (start_lock != -1)
		close(start_lock);
	strvec_free(&argv);
	firmware_image_free(&fw);
	free(fw_vars);
	free(dir);
	return -1;
}

/* Waiting for the supervisor's one line ("ok" or "error MSG"), and after an error for
 * its exit (EOF on the pipe), so the qemu.log tail is complete: all on the loop. */
struct vm_launch {
	struct loop *loop;
	char *name;
	int fd;
	char line[1200];
	size_t len;
	bool have_line;
	unsigned long timer;
	vm_launch_cb done;
	void *arg;
	struct loop_guard guard;
};

/* Off the loop: nothing more will call the op. */
static void
launch_unwatch(struct vm_launch *op)
{
	if (op->fd != -1) {
		loop_io_del(op->loop, op->fd);
		close(op->fd);
		op->fd = -1;
	}
	if (op->timer != 0) {
		loop_timer_del(op->loop, op->timer);
		op->timer = 0;
	}
}

static void
launch_destroy(struct vm_launch *op)
{
	launch_unwatch(op);
	free(op->name);
	free(op);
}

/* Hand the answer to the owner; the op is finished (and maybe freed) after this. */
static void
launch_finish(struct vm_launch *op)
{
	char *line = op->line, *dir, *log, *tail, *msg;

	launch_unwatch(op);
	loop_guard_enter(&op->guard);
	if (strcmp(line, "ok") == 0) {
		op->done(op->name, NULL, op->arg);
	} else if ((dir = rundir_path(op->name, NULL)) == NULL) {
		msg = xasprintf("%s failed to start: %s", op->name, line);
		op->done(op->name, msg, op->arg);
		free(msg);
	} else {
		/* A failed adoption leaves QEMU running: its sockets and pid stay. */
		if (!rundir_supervisor_alive(dir) &&
		    !vm_pid_is_our_qemu((pid_t)rundir_read_num(dir, RUN_QEMU_PID), dir))
			rundir_clear_stale(dir);
		log = rundir_file(dir, RUN_QEMU_LOG);
		tail = rundir_tail(dir, RUN_QEMU_LOG, 12);
		msg = xasprintf("%s failed to start: %s\n--- last lines of %s ---\n%s",
		    op->name, op->len ? (strncmp(line, "error ", 6) == 0 ? line + 6 : line)
			: "the supervisor died", log, tail ? tail : "(empty)\n");
		op->done(op->name, msg, op->arg);
		free(msg);
		free(tail);
		free(log);
		free(dir);
	}
	if (loop_guard_leave(&op->guard))
		launch_destroy(op);
}

/* The supervisor did not exit within a second of its error: report what there is. */
static void
launch_tidy_timeout(void *arg)
{
	struct vm_launch *op = arg;

	op->timer = 0;
	launch_finish(op);
}

static void
launch_io(int fd, short revents, void *arg)
{
	struct vm_launch *op = arg;
	char rest[256];
	ssize_t n;

	(void)revents;
	if (op->have_line) {
		/* After an error line: nothing more is expected; EOF says the supervisor is gone. */
		n = read(fd, rest, sizeof rest);
		if (n > 0 || (n == -1 && (errno == EINTR || errno == EAGAIN)))
			return;
		launch_finish(op);
		return;
	}
	n = read(fd, op->line + op->len, sizeof op->line - 1 - op->len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		op->len += (size_t)n;
		op->line[op->len] = '\0';
		if (memchr(op->line, '\n', op->len) == NULL && op->len < sizeof op->line - 1)
			return;
		op->have_line = true;
		op->line[strcspn(op->line, "\n")] = '\0';
		if (strcmp(op->line, "ok") == 0) {
			launch_finish(op);
			return;
		}
		/* Wait (on the loop) for the supervisor to finish tidying, so the tail is complete. */
		op->timer = loop_timer_add(op->loop, 1000, 0, launch_tidy_timeout, op);
		return;
	}
	/* EOF: the supervisor is gone (or never said a word). */
	op->line[strcspn(op->line, "\n")] = '\0';
	launch_finish(op);
}

struct vm_launch *
vm_launch_begin(struct loop *l, const struct profile *p, bool throwaway,
    vm_launch_cb done, void *arg, qt_error *err)
{
	struct vm_launch *op;
	int fd;

	if ((fd = launch_fork(l, p, throwaway, err)) == -1)
		return NULL;
	op = xcalloc(1, sizeof *op);
	op->loop = l;
	op->name = xstrdup(p->name);
	op->fd = fd;
	op->done = done;
	op->arg = arg;
	set_nonblock(fd);
	loop_io_add(l, fd, POLLIN, launch_io, op);
	return op;
}

void
vm_launch_free(struct vm_launch *op)
{
	if (op == NULL)
		return;
	launch_unwatch(op);
	if (loop_guard_free(&op->guard))
		launch_destroy(op);
}

struct start_sync {
	bool done;
	char *error;
};

static void
start_sync_done(const char *name, const char *error, void *arg)
{
	struct start_sync *ss = arg;

	(void)name;
	ss->done = true;
	ss->error = error != NULL ? xstrdup(error) : NULL;
}

int
vm_start_sync(const struct profile *p, bool throwaway, int timeout_ms, qt_error *err)
{
	struct start_sync ss = { false, NULL };
	struct loop *l = loop_new();
	struct vm_launch *op;
	long long deadline = now_ms() + timeout_ms;
	int rc = -1;

	if ((op = vm_launch_begin(l, p, throwaway, start_sync_done, &ss, err)) == NULL) {
		loop_free(l);
		return -1;
	}
	while (!ss.done && now_ms() < deadline)
		if (loop_run_once(l, (long)(deadline - now_ms())) == -1)
			break;
	vm_launch_free(op);
	if (!ss.done)
		err_set(err, "%s did not come up within %d s; it may still be starting "
		    "(see `qemu-tui status %s` and its qemu.log)", p->name,
		    timeout_ms / 1000, p->name);
	else if (ss.error != NULL)
		err_set(err, "%s", ss.error);
	else
		rc = 0;
	free(ss.error);
	loop_free(l);
	return rc;
}

/* ---- stop ---- */

/* How often the power button is pressed again while the guest has not shut down. */
#define POWERDOWN_REPEAT_MS	10000

enum stop_step { STEP_CONNECT, STEP_POWERDOWN, STEP_QUIT, STEP_TERM, STEP_KILL };

static const char *const step_names[] = {
	"connect", "powerdown", "quit", "SIGTERM", "SIGKILL"
};

struct vm_stop {
	struct loop *loop;
	char *name;
	char *dir;
	pid_t qemu_pid;
	bool orphan;		/* no supervisor: this stop records the end and tidies */
	char shutdown_reason[32];
	struct qmp_client *qmp;
	enum stop_step step;
	long long step_deadline;
	long long repress_at;	/* the power button again (STEP_POWERDOWN) */
	int timeout_s;
	bool force;
	bool finished;
	unsigned long tick;
	struct loop_guard guard;	/* vm_stop_free from inside done */
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
	qmp_free(op->qmp);
	op->qmp = NULL;
	if (ok) {
		rundir_write_str(op->dir, RUN_STOP_STEP, how);
		rundir_unlink(op->dir, RUN_STOPPING);
	}
	/* An orphan's end has no supervisor to record it: do what its end would. */
	if (ok && op->orphan && !rundir_supervisor_alive(op->dir)) {
		if (!rundir_has(op->dir, RUN_EXIT_STATUS))
			rundir_write_exit_unknown(op->dir, op->shutdown_reason);
		rundir_clear_stale(op->dir);
	}
	op->done(op->name, ok, how, op->arg);
}

static bool
stop_gone(struct vm_stop *op)
{
	return !rundir_supervisor_alive(op->dir) && !vm_pid_running(op->qemu_pid);
}

static void stop_destroy(struct vm_stop *op);
static void stop_step(struct vm_stop *op);

static void
stop_tick(void *arg)
{
	struct vm_stop *op = arg;

	loop_guard_enter(&op->guard);
	stop_step(op);
	if (loop_guard_leave(&op->guard))
		stop_destroy(op);
}

static void
stop_step(struct vm_stop *op)
{
	if (op->finished)
		return;
	if (stop_gone(op)) {
		stop_finish(op, 1, step_names[op->step == STEP_CONNECT ?
		    STEP_POWERDOWN : op->step]);
		return;
	}
	/*
	 * A guest still booting misses the power button (its acpid is not up yet), and a
	 * person presses it again: so does the stop, while the grace period lasts, so that
	 * such a guest still gets its clean shutdown instead of the quit at the end.
	 */
	if (op->step == STEP_POWERDOWN && now_ms() >= op->repress_at &&
	    now_ms() < op->step_deadline) {
		char msg[160];

		qmp_send(op->qmp, "system_powerdown", NULL, NULL, NULL);
		op->repress_at = now_ms() + POWERDOWN_REPEAT_MS;
		snprintf(msg, sizeof msg, "ACPI powerdown sent again (no shutdown yet); "
		    "quit in %lld s", (op->step_deadline - now_ms() + 999) / 1000);
		if (op->progress != NULL)
			op->progress(op->name, msg, op->arg);
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

/* Only this VM's own QEMU is ever signalled (see vm_pid_is_our_qemu). */
static void
stop_signal(struct vm_stop *op, int sig, char *msg, size_t len)
{
	const char *name = sig == SIGTERM ? "SIGTERM" : "SIGKILL";

	if (op->qemu_pid > 0 && vm_pid_is_our_qemu(op->qemu_pid, op->dir)) {
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
		op->repress_at = now_ms() + POWERDOWN_REPEAT_MS;
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
	if (op->step == STEP_CONNECT)
		op->step_deadline = 0;
}

/* An orphan's QEMU tells only us how it ends. */
static void
stop_qmp_event(struct qmp_client *c, const char *name, struct json_object *data,
    long long seconds, long micros, void *arg)
{
	struct vm_stop *op = arg;
	struct json_object *r;

	if (strcmp(name, "SHUTDOWN") == 0 && data != NULL &&
	    json_object_object_get_ex(data, "reason", &r))
		snprintf(op->shutdown_reason, sizeof op->shutdown_reason, "%s",
		    json_object_get_string(r));
}

static const struct qmp_callbacks stop_qmp_cbs = {
	stop_qmp_ready, stop_qmp_event, stop_qmp_closed
};

struct vm_stop *
vm_stop_begin(struct loop *l, const char *name, int timeout_s, bool force,
    vm_stop_progress_cb progress, vm_stop_done_cb done, void *arg, qt_error *err)
{
	struct vm_stop *op;
	struct vm_run run;
	enum vm_state st;
	char *qpath;

	if (vm_run_read(name, &run, err) == -1)
		return NULL;
	st = vm_state_of(&run, NULL);
	if (!vm_state_live(st)) {
		err_set(err, "%s is not running", name);
		vm_run_free(&run);
		return NULL;
	}
	op = xcalloc(1, sizeof *op);
	op->loop = l;
	op->name = xstrdup(name);
	op->dir = run.dir;
	op->qemu_pid = run.qemu_pid;
	op->orphan = st == VM_ORPHANED;
	op->timeout_s = timeout_s;
	op->force = force;
	op->progress = progress;
	op->done = done;
	op->arg = arg;
	rundir_write_str(op->dir, RUN_STOPPING, "1\n");
	/* Nothing serves an orphan's QMP: QEMU's own socket, briefly, is ours. */
	qpath = op->orphan ? rundir_file(run.dir, RUN_QEMU_QMP) : vm_qmp_path(&run);
	stop_enter(op, STEP_CONNECT);
	if (qpath == NULL ||
	    (op->qmp = qmp_open(l, qpath, &stop_qmp_cbs, op, NULL)) == NULL)
		op->step_deadline = 0;
	free(qpath);
	op->tick = loop_timer_add(l, 100, 1, stop_tick, op);
	return op;
}

static void
stop_destroy(struct vm_stop *op)
{
	free(op->name);
	free(op->dir);
	free(op);
}

void
vm_stop_free(struct vm_stop *op)
{
	if (op == NULL)
		return;
	if (!op->finished) {
		op->finished = true;
		loop_timer_del(op->loop, op->tick);
		qmp_free(op->qmp);
		op->qmp = NULL;
	}
	if (loop_guard_free(&op->guard))
		stop_destroy(op);
}

int
vm_clean(const char *name, qt_error *err)
{
	struct vm_run run;
	enum vm_state st;
	int rc;

	if (vm_run_read(name, &run, err) == -1)
		return -1;
	st = vm_state_of(&run, NULL);
	if (vm_state_live(st)) {
		err_set(err, "%s is %s: stop it first (qemu-tui stop %s)", name,
		    vm_state_name(st), name);
		vm_run_free(&run);
		return -1;
	}
	rc = run.exists ? rundir_remove(run.dir, err) : 0;
	vm_run_free(&run);
	return rc;
}
