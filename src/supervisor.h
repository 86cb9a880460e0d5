/*
 * The supervisor: one small process per running VM (dtach/abduco model). It
 * starts QEMU as its child, is the one client of QEMU's QMP and serial
 * sockets, and serves any number of clients on its own sockets in the run
 * directory. It keeps the QMP event log and the serial history, and records
 * how QEMU ended. A QEMU whose supervisor was killed is adopted by a new one.
 */
#ifndef QT_SUPERVISOR_H
#define QT_SUPERVISOR_H

#include <sys/types.h>

#include "profile.h"

/* Serial bytes kept for clients that attach later (history replayed first). */
#define SUPERVISOR_HISTORY (1024 * 1024)

/*
 * Runs in a freshly forked, setsid'd child and never returns. notify_fd gets
 * one line: "ok\n" once QEMU runs and the sockets serve, or "error MSG\n".
 */
/* start_lock_fd: the starter's lock on start.lock, held until ours on
 * supervisor.pid is taken, so no second start slips in between (or -1). */
/* p: the profile the run was started from, for the readiness stages (ready.c). */
void supervisor_main(const char *rundir, const struct profile *p, char *const *qemu_argv,
    int start_paused, int notify_fd, int start_lock_fd) __attribute__((noreturn));

/*
 * The same for a QEMU whose supervisor is gone (adoption): no fork; QEMU's own
 * QMP and serial sockets take us as their new client, pidfd (pidfd_open of
 * qemu_pid, checked by the caller) tells when QEMU ends. How it ended is what
 * QMP's SHUTDOWN event said, or "unknown": we are not its parent.
 */
void supervisor_adopt_main(const char *rundir, const struct profile *p, pid_t qemu_pid,
    int pidfd, int notify_fd, int start_lock_fd) __attribute__((noreturn));

#endif
