/*
 * Short-lived helper programs (qemu-img, a --version probe) started with posix_spawn:
 * glibc makes the child with clone(CLONE_VM|CLONE_VFORK), so a large process (the
 * dashboard, an ASan build) does not copy its page tables as fork does, and the child
 * never runs our signal handlers before exec.
 */
#ifndef QT_SPAWNCHILD_H
#define QT_SPAWNCHILD_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/*
 * Run argv[0] (searched in PATH) with argv; its stdin, stdout and stderr are the fds
 * in, out and errfd, /dev/null where -1 (they may be O_CLOEXEC: the child gets dups).
 * Every signal is back to its default and none is blocked; own_pgrp: a process group
 * of its own (a terminal's Ctrl-C is then ours to turn into a clean cancel). The pid,
 * or -1 with err saying why (argv[0] not found: "cannot run NAME: ... (install PKG)"
 * when pkg is given).
 */
pid_t spawn_child(char *const argv[], int in, int out, int errfd, bool own_pgrp,
    const char *pkg, qt_error *err);

#endif
