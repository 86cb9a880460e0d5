/*
 * What state a VM is in. The facts come from its run directory and /proc
 * (vm_run_read); the state is one pure function of those facts and QMP's own
 * status word (vm_state_of); vm_state_live and vm_state_describe are the only
 * predicate and wording for it. Everything that shows or acts on a VM's state
 * calls these.
 */
#ifndef QT_VMSTATE_H
#define QT_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "stages.h"
#include "util.h"

enum vm_state {
	VM_STOPPED,
	VM_STARTING,
	VM_RUNNING,
	VM_PAUSED,
	VM_SHUTTING_DOWN,
	VM_CRASHED,
	VM_ORPHANED,		/* QEMU lives, its supervisor is gone: `start` adopts it */
};

/* What the run directory and /proc say about a VM (no QMP). */
struct vm_run {
	char *dir;
	bool exists;
	bool alive;		/* the supervisor holds its lock */
	bool serving;		/* the supervisor's QMP socket is up */
	bool stopping;		/* a stop is under way */
	pid_t super_pid;
	pid_t qemu_pid;		/* 0 when qemu.pid is absent or stale */
	bool qemu_alive;	/* qemu.pid names our QEMU and it runs */
	bool have_exit;
	/* An adopting supervisor is not QEMU's parent: it knows at most the reason
	 * of QMP's SHUTDOWN event (exit_reason), never an exit code. */
	bool exit_unknown;
	char exit_reason[32];
	int exit_code;		/* when have_exit and !exit_signal */
	int exit_signal;
	char stop_step[32];	/* how the last stop ended it ("powerdown", "quit", ...) */
	long long started;	/* epoch seconds */
	char accel[16];
	char accel_reason[160];
	int ssh_port;		/* the host port this run forwards to the guest's 22 */
	bool throwaway;		/* this run's writes are thrown away (QEMU -snapshot) */
	struct stages stages;	/* readiness stages this run reached (stages.h) */
	/* Set by the caller, not read from disk: this process is launching the VM
	 * (the run directory may not show it yet). */
	bool launching;
};

/* Read the facts of NAME's run (a missing directory is a stopped VM, not an error). */
int vm_run_read(const char *name, struct vm_run *r, qt_error *err);
void vm_run_free(struct vm_run *r);
/* pid exists and is not a zombie. */
bool vm_pid_running(pid_t pid);
/* pid is dir's QEMU: ours, running the command line recorded at start. Only such a
 * process may be signalled. */
bool vm_pid_is_our_qemu(pid_t pid, const char *dir);

/*
 * The state: pure. qmp_status is QMP's word from query-status or the last
 * STOP/RESUME/SHUTDOWN event (NULL or "" when unknown); it refines a running VM
 * into paused or shutting down.
 */
enum vm_state vm_state_of(const struct vm_run *r, const char *qmp_status);
/* A run is under way: starting, running, paused, shutting down or orphaned (QEMU
 * or its supervisor exists). Stopped and crashed VMs are not live. */
bool vm_state_live(enum vm_state s);
const char *vm_state_name(enum vm_state s);
/* "crashed (signal 9)", "stopped (powerdown)", "paused (guest-panicked)",
 * "orphaned (supervisor gone; `qemu-tui start NAME` adopts it)" ... into buf. */
void vm_state_describe(const struct vm_run *r, enum vm_state s, const char *qmp_status,
    char *buf, size_t len);

/* The supervisor's QMP socket, or NULL when nothing serves QMP: stopped, still
 * starting, or orphaned (QEMU's own socket takes one client at a time and stays
 * free for the supervisor that adopts it; only a stop of an orphan goes there). */
char *vm_qmp_path(const struct vm_run *r);

#endif
