/* The run directory of a VM: $XDG_RUNTIME_DIR/qemu-tui/<name>/, mode 0700. */
#ifndef QT_RUNDIR_H
#define QT_RUNDIR_H

#include "util.h"

/* File names inside a run directory. */
#define RUN_QMP_SOCK	 "qmp.sock"	   /* the supervisor's QMP, any number of clients */
#define RUN_SERIAL_SOCK	 "serial.sock"	   /* the supervisor's serial, any number of clients */
#define RUN_SERIAL_LIVE	 "serial-live.sock" /* the same without the history replay */
#define RUN_QEMU_QMP	 "qemu-qmp.sock"   /* QEMU's own, the supervisor is its one client */
#define RUN_QEMU_SERIAL	 "qemu-serial.sock"
#define RUN_SERIAL_LOG	 "serial.log"
#define RUN_QEMU_LOG	 "qemu.log"
#define RUN_EVENTS_LOG	 "events.log"	   /* QMP events, one JSON line each with a timestamp */
#define RUN_QEMU_PID	 "qemu.pid"
#define RUN_SUPER_PID	 "supervisor.pid"  /* locked while the supervisor lives */
#define RUN_START_LOCK	 "start.lock"	   /* locked while a start is under way */
#define RUN_EXIT_STATUS	 "exit-status"	   /* "exit N" / "signal N" + stop step */
#define RUN_STARTED	 "started"	   /* epoch seconds */
#define RUN_ACCEL	 "accel"	   /* "tcg\nreason" */
#define RUN_SSH_PORT	 "ssh-port"
#define RUN_CMDLINE	 "cmdline"	   /* the argv, NUL-separated */

/* Base directory holding all run directories (created 0700). */
char *rundir_base(qt_error *err);
/* The run directory of a VM (nothing is created or checked). */
char *rundir_path(const char *name, qt_error *err);
/* Create (or fix the mode of) the base and the run directory; refuses ones owned by someone else. */
int rundir_create(const char *dir, qt_error *err);
/* dir/file as a new string. */
char *rundir_file(const char *dir, const char *file);
/* Remove everything a run leaves (sockets, pids, logs); never a disk image. */
int rundir_remove(const char *dir, qt_error *err);
/* Remove only sockets and pid files (before a start, after a failed one). */
void rundir_clear_stale(const char *dir);
/* Take the start lock of the VM named name (dir its run directory): only one start at
 * a time may look at and clear its files. The fd holds it; -1 with "already starting". */
int rundir_lock_start(const char *dir, const char *name, qt_error *err);

#endif
