/*
 * The run directory of a VM: $XDG_RUNTIME_DIR/qemu-tui/<name>/, mode 0700. Every file
 * name in it and every reader and writer of its small files live here; nothing else
 * formats a run-directory path.
 */
#ifndef QT_RUNDIR_H
#define QT_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The files of a run directory; their names are in the table in rundir.c. */
enum run_file {
	RUN_QMP_SOCK,		/* the supervisor's QMP, any number of clients */
	RUN_SERIAL_SOCK,	/* the supervisor's serial, any number of clients */
	RUN_SERIAL_LIVE,	/* the same without the history replay */
	RUN_QEMU_QMP,		/* QEMU's own, the supervisor is its one client */
	RUN_QEMU_SERIAL,
	RUN_SERIAL_LOG,
	RUN_QEMU_LOG,
	RUN_EVENTS_LOG,		/* QMP events, one JSON line each with a timestamp */
	RUN_QEMU_PID,
	RUN_SUPER_PID,		/* locked while the supervisor lives */
	RUN_START_LOCK,		/* locked while a start is under way */
	RUN_EXIT_STATUS,	/* "exit N" / "signal N"; after an adoption "shutdown REASON" / "unknown" */
	RUN_STARTED,		/* epoch seconds */
	RUN_ACCEL,		/* "tcg\nreason" */
	RUN_SSH_PORT,		/* the host port forwarded to the guest's 22, 0 = none */
	RUN_CMDLINE,		/* the argv, NUL-separated */
	RUN_STOPPING,		/* present while a stop is under way */
	RUN_STOP_STEP,		/* how the last stop ended it ("powerdown", "quit", ...) */
	RUN_FORWARDS,		/* forwards added while it runs: "tcp ADDR HOSTPORT GUESTPORT" lines */
	RUN_SERIAL_START,	/* serial.log's size when this run began */
	RUN_THROWAWAY,		/* present when this run's writes are thrown away (-snapshot) */
	RUN_STAGES,		/* readiness stages reached: "NAME EPOCH_MS" lines (stages.h) */
	RUN_KNOCK_PORT,		/* the host port forwarded to a closed guest port, for
				 * knocking before sshd (ready.c), 0 = none */
	RUN_NFILES
};

/* Base directory holding all run directories (created 0700). */
char *rundir_base(qt_error *err);
/* The run directory of a VM (nothing is created or checked). */
char *rundir_path(const char *name, qt_error *err);
/* Create (or fix the mode of) the base and the run directory; refuses ones owned by someone else. */
int rundir_create(const char *dir, qt_error *err);
/* The name of a file ("qmp.sock"), for messages. */
const char *rundir_name(enum run_file f);
/* dir/file as a new string. */
char *rundir_file(const char *dir, enum run_file f);
/* Remove everything a run leaves (sockets, pids, logs); never a disk image. */
int rundir_remove(const char *dir, qt_error *err);
/* Remove only sockets and pid files (before a start, after a failed one). */
void rundir_clear_stale(const char *dir);
/* Before a start: clear what a failed or killed earlier run left, and truncate qemu.log. */
void rundir_reset(const char *dir);
/* Take the start lock of the VM named name (dir its run directory): only one start at
 * a time may look at and clear its files. The fd holds it; -1 with "already starting". */
int rundir_lock_start(const char *dir, const char *name, qt_error *err);

/* ---- small files ---- */
bool rundir_has(const char *dir, enum run_file f);
/* The whole file (NULL when absent); free it. */
char *rundir_read(const char *dir, enum run_file f);
/* The same with its length (a file with NULs: cmdline). */
char *rundir_read_len(const char *dir, enum run_file f, size_t *len);
/* Its first line into buf ("" when absent); the second line into buf2 when non-NULL. */
void rundir_read_lines(const char *dir, enum run_file f, char *buf, size_t len,
    char *buf2, size_t len2);
/* Its leading number, 0 when absent. */
long long rundir_read_num(const char *dir, enum run_file f);
/* Replace the file atomically (mode 0600). */
int rundir_write(const char *dir, enum run_file f, const char *text, size_t len);
int rundir_write_str(const char *dir, enum run_file f, const char *text);
void rundir_unlink(const char *dir, enum run_file f);
/* The last lines of a log file; NULL when it is absent. */
char *rundir_tail(const char *dir, enum run_file f, int lines);

/* exit-status: written by the supervisor from a wait status, read into the facts. */
int rundir_write_exit_status(const char *dir, int wait_status);
/* The same by one who is not QEMU's parent (an adopting supervisor, a stop of an
 * orphan): no exit code, only QMP's SHUTDOWN reason when one was seen (or NULL). */
int rundir_write_exit_unknown(const char *dir, const char *reason);
/* true when present; *code or *sig filled (the other 0). When the end was written
 * by rundir_write_exit_unknown, *unknown is set and reason gets the reason or "". */
bool rundir_read_exit_status(const char *dir, int *code, int *sig, bool *unknown,
    char *reason, size_t rlen);
/* supervisor.pid: the supervisor keeps an exclusive lock on it for as long as it lives. */
int rundir_lock_supervisor(const char *dir);
bool rundir_supervisor_alive(const char *dir);
/* cmdline: argv NUL-separated. */
int rundir_write_cmdline(const char *dir, char *const *argv);

#endif
