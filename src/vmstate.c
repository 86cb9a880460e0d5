/* What state a VM is in: the run's facts, one pure function, one predicate, one wording. */
#include "vmstate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir.h"

bool
vm_pid_running(pid_t pid)
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
bool
vm_pid_is_our_qemu(pid_t pid, const char *dir)
{
	char path[64], *cmd, *recorded;
	size_t len, wlen, i;
	struct stat st;
	bool ours;

	if (!vm_pid_running(pid))
		return false;
	snprintf(path, sizeof path, "/proc/%ld", (long)pid);
	if (stat(path, &st) == -1 || st.st_uid != geteuid())
		return false;
	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	if ((cmd = file_read(path, &len, NULL)) == NULL)
		return false;
	if ((recorded = rundir_read_len(dir, RUN_CMDLINE, &wlen)) != NULL) {
		ours = wlen == len && memcmp(cmd, recorded, len) == 0;
		free(recorded);
	} else {
		for (i = 0; i < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		ours = strstr(cmd, dir) != NULL;
	}
	free(cmd);
	return ours;
}

int
vm_run_read(const char *name, struct vm_run *r, qt_error *err)
{
	struct stat st;

	memset(r, 0, sizeof *r);
	if ((r->dir = rundir_path(name, err)) == NULL)
		return -1;
	r->exists = stat(r->dir, &st) == 0;
	if (!r->exists)
		return 0;
	r->alive = rundir_supervisor_alive(r->dir);
	r->serving = r->alive && rundir_has(r->dir, RUN_QMP_SOCK);
	r->stopping = rundir_has(r->dir, RUN_STOPPING);
	r->super_pid = (pid_t)rundir_read_num(r->dir, RUN_SUPER_PID);
	r->qemu_pid = (pid_t)rundir_read_num(r->dir, RUN_QEMU_PID);
	/* While the supervisor lives its qemu.pid is this run's; without it, check. */
	r->qemu_alive = r->alive ? vm_pid_running(r->qemu_pid) :
	    vm_pid_is_our_qemu(r->qemu_pid, r->dir);
	if (!r->alive && !r->qemu_alive)
		r->qemu_pid = 0;
	r->have_exit = rundir_read_exit_status(r->dir, &r->exit_code, &r->exit_signal,
	    &r->exit_unknown, r->exit_reason, sizeof r->exit_reason);
	rundir_read_lines(r->dir, RUN_STOP_STEP, r->stop_step, sizeof r->stop_step,
	    NULL, 0);
	r->started = rundir_read_num(r->dir, RUN_STARTED);
	rundir_read_lines(r->dir, RUN_ACCEL, r->accel, sizeof r->accel,
	    r->accel_reason, sizeof r->accel_reason);
	r->ssh_port = (int)rundir_read_num(r->dir, RUN_SSH_PORT);
	r->throwaway = rundir_has(r->dir, RUN_THROWAWAY);
	stages_read(r->dir, &r->stages);
	return 0;
}

void
vm_run_free(struct vm_run *r)
{
	free(r->dir);
	r->dir = NULL;
}

enum vm_state
vm_state_of(const struct vm_run *r, const char *qmp_status)
{
	enum vm_state s;

	/* exit-status is removed at start: when present, this run has ended (the
	 * supervisor may still be tidying up for a moment). */
	if (r->alive && !r->have_exit)
		s = !r->serving ? VM_STARTING :
		    r->stopping ? VM_SHUTTING_DOWN : VM_RUNNING;
	/* The supervisor was killed but QEMU lives on: nothing serves its sockets
	 * until a start adopts it (a stop still ends it). */
	else if (r->qemu_alive && !r->have_exit)
		return VM_ORPHANED;
	else if (r->launching)
		return VM_STARTING;
	/* A stop that we drove ended it, whatever QEMU's exit said. */
	else if (!r->have_exit || r->stop_step[0] != '\0')
		return VM_STOPPED;
	/* Without an exit code, QMP's SHUTDOWN event is the only word on how it
	 * ended: none at all means QEMU was killed or died. */
	else if (r->exit_unknown)
		return r->exit_reason[0] != '\0' &&
		    strcmp(r->exit_reason, "guest-panic") != 0 ? VM_STOPPED : VM_CRASHED;
	else
		return r->exit_signal != 0 || r->exit_code != 0 ? VM_CRASHED : VM_STOPPED;
	/* QMP knows what the run directory cannot: whether the vCPUs run. */
	if (s != VM_RUNNING || qmp_status == NULL || qmp_status[0] == '\0' ||
	    strcmp(qmp_status, "running") == 0)
		return s;
	return strcmp(qmp_status, "shutdown") == 0 ? VM_SHUTTING_DOWN : VM_PAUSED;
}

bool
vm_state_live(enum vm_state s)
{
	return s != VM_STOPPED && s != VM_CRASHED;
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
	case VM_ORPHANED:	return "orphaned";
	}
	return "unknown";
}

void
vm_state_describe(const struct vm_run *r, enum vm_state s, const char *qmp_status,
    char *buf, size_t len)
{
	const char *name = r->dir != NULL && strrchr(r->dir, '/') != NULL ?
	    strrchr(r->dir, '/') + 1 : "NAME";
	const char *why = r->stop_step[0] != '\0' ? r->stop_step : r->exit_reason;

	if (s == VM_ORPHANED && r->stopping)
		snprintf(buf, len, "orphaned (supervisor gone; a stop is under way)");
	else if (s == VM_ORPHANED)
		snprintf(buf, len, "orphaned (supervisor gone; `qemu-tui start %s` "
		    "adopts it)", name);
	else if ((s == VM_CRASHED || s == VM_STOPPED) && r->exit_unknown)
		snprintf(buf, len, "%s (%s%sexit status unknown)", vm_state_name(s),
		    why, why[0] != '\0' ? "; " : "");
	else if (s == VM_CRASHED && r->exit_signal != 0)
		snprintf(buf, len, "crashed (signal %d)", r->exit_signal);
	else if (s == VM_CRASHED)
		snprintf(buf, len, "crashed (exit %d)", r->exit_code);
	else if (s == VM_STOPPED && r->stop_step[0] != '\0')
		snprintf(buf, len, "stopped (%s)", r->stop_step);
	else if (s == VM_STOPPED && r->have_exit)
		snprintf(buf, len, "stopped (exit %d)", r->exit_code);
	/* QMP's reason for a pause other than a plain stop: prelaunch, guest-panicked ... */
	else if (s == VM_PAUSED && qmp_status != NULL && qmp_status[0] != '\0' &&
	    strcmp(qmp_status, "paused") != 0)
		snprintf(buf, len, "paused (%s)", qmp_status);
	else
		snprintf(buf, len, "%s", vm_state_name(s));
}

char *
vm_qmp_path(const struct vm_run *r)
{
	if (r->serving)
		return rundir_file(r->dir, RUN_QMP_SOCK);
	return NULL;
}
