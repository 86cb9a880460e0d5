/* posix_spawn for short-lived helpers (see spawnchild.h). */
#include "spawnchild.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

/* fd onto target in the child, or /dev/null when fd is -1. */
static int
plan_fd(posix_spawn_file_actions_t *fa, int fd, int target, int null_flags)
{
	if (fd == -1)
		return posix_spawn_file_actions_addopen(fa, target, "/dev/null", null_flags, 0);
	return posix_spawn_file_actions_adddup2(fa, fd, target);
}

pid_t
spawn_child(char *const argv[], int in, int out, int errfd, bool own_pgrp,
    const char *pkg, qt_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
	pid_t pid = -1;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		err_set(err, "cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		err_set(err, "cannot run %s: %s", argv[0], strerror(rc));
		return -1;
	}
	/* Our handlers (the loop's self-pipe, a harness's) mean nothing in the child,
	 * and a mask we hold (the loop blocks SIGCHLD) would be inherited through exec. */
	sigfillset(&all);
	sigemptyset(&none);
	if (own_pgrp)
		flags |= POSIX_SPAWN_SETPGROUP;
	if ((rc = posix_spawnattr_setflags(&attr, flags)) != 0 ||
	    (rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (own_pgrp && (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0) ||
	    (rc = plan_fd(&fa, in, 0, O_RDONLY)) != 0 ||
	    (rc = plan_fd(&fa, out, 1, O_WRONLY)) != 0 ||
	    (rc = plan_fd(&fa, errfd, 2, O_WRONLY)) != 0)
		goto out;
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == 0)
		return pid;
	/* glibc's posix_spawnp reports a failed exec (ENOENT, EACCES) here, not as a
	 * child's exit status 127, so the words come from the parent. */
	if (pkg != NULL && (rc == ENOENT || rc == EACCES))
		err_set(err, "cannot run %s: %s (install %s)", argv[0], strerror(rc), pkg);
	else
		err_set(err, "cannot run %s: %s", argv[0], strerror(rc));
	return -1;
}
