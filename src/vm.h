/* VM lifecycle: launch under a supervisor, find again from the run directory, stop in steps. */
#ifndef QT_VM_H
#define QT_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "loop.h"
#include "profile.h"
#include "util.h"

enum vm_state {
	VM_STOPPED,
	VM_STARTING,
	VM_RUNNING,
	VM_PAUSED,
	VM_SHUTTING_DOWN,
	VM_CRASHED,
};

/* What the run directory says about a VM (no QMP). */
struct vm_run {
	char *dir;
	bool exists;
	bool alive;		/* the supervisor holds its lock */
	bool serving;		/* the supervisor's QMP socket is up */
	bool stopping;		/* a stop is under way */
	pid_t super_pid;
	pid_t qemu_pid;
	bool have_exit;
	int exit_code;		/* when have_exit and !exit_signal */
	int exit_signal;
	char stop_step[32];	/* how the last stop ended it ("powerdown", "quit", ...) */
	long long started;	/* epoch seconds */
	char accel[16];
	char accel_reason[160];
	int ssh_port;
};

int vm_run_read(const char *name, struct vm_run *r, qt_error *err);
void vm_run_free(struct vm_run *r);
/* State from the run directory alone (QMP refines running/paused). */
enum vm_state vm_run_state(const struct vm_run *r);
const char *vm_state_name(enum vm_state s);
/* "crashed (signal 9)", "stopped (exit 0)", "running" ... into buf. */
void vm_state_describe(const struct vm_run *r, enum vm_state s, char *buf, size_t len);

/*
 * Launch the VM detached under a supervisor. Returns a fd that becomes
 * readable with one line ("ok" or "error ...") once it is up; the caller
 * reads it with vm_launch_result. Refuses a VM that is already running.
 */
int vm_launch(const struct profile *p, qt_error *err);
/* Read the supervisor's answer; 0 when up. On failure err has the reason and the qemu.log tail. */
int vm_launch_result(int fd, const char *name, qt_error *err);
/* CLI: launch and wait (timeout_ms) until QMP answers. */
int vm_start_sync(const struct profile *p, int timeout_ms, qt_error *err);

/* The QMP socket to talk to (the supervisor's; QEMU's own if the supervisor died). */
char *vm_qmp_path(const struct vm_run *r);

/* A graceful stop driven by the loop: powerdown -> (timeout) -> quit -> SIGTERM -> SIGKILL. */
struct vm_stop;
typedef void (*vm_stop_progress_cb)(const char *name, const char *step, void *arg);
/* ok: the VM is gone; how: the step that ended it, or the error. */
typedef void (*vm_stop_done_cb)(const char *name, int ok, const char *how, void *arg);
struct vm_stop *vm_stop_begin(struct loop *l, const char *name, int timeout_s,
    bool force, vm_stop_progress_cb progress, vm_stop_done_cb done, void *arg,
    qt_error *err);
void vm_stop_free(struct vm_stop *op);

/* Remove the run directory of a stopped VM (never a disk image). */
int vm_clean(const char *name, qt_error *err);

#endif
