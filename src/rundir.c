/* The run directory of a VM. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A run directory (or their base) we may trust: a real directory, not a
 * symlink, ours, and writable by nobody else. Under /tmp another user can
 * make ours first and fill it with fake sockets and pid files, to read what
 * we type into a console or to have a stop signal one of our processes.
 */
static int
check_private(const char *dir, const struct stat *st, qt_error *err)
{
	if (!S_ISDIR(st->st_mode)) {
		err_set(err, "%s is not a directory (%s): remove it (rm %s)", dir,
		    S_ISLNK(st->st_mode) ? "a symlink" : "a file", dir);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		err_set(err, "%s belongs to uid %u, not to you (uid %u): another user "
		    "may have made it to reach your VMs; remove it (rm -r %s) or set "
		    "XDG_RUNTIME_DIR", dir, (unsigned)st->st_uid, (unsigned)geteuid(), dir);
		return -1;
	}
	if (st->st_mode & 022) {
		err_set(err, "%s is writable by others (mode %03o): anyone may have "
		    "put files there; remove it (rm -r %s)", dir,
		    (unsigned)(st->st_mode & 0777), dir);
		return -1;
	}
	return 0;
}

/* 0 when dir is missing or trusted; -1 with err when it is there and not. */
static int
check_existing(const char *dir, qt_error *err)
{
	struct stat st;

	if (lstat(dir, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_errno(err, "%s", dir);
		return -1;
	}
	return check_private(dir, &st, err);
}

/* mkdir -p for one level, then insist on our ownership and 0700: the QMP socket is full control. */
static int
ensure_private_dir(const char *dir, qt_error *err)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_errno(err, "cannot create %s", dir);
		return -1;
	}
	if (lstat(dir, &st) == -1) {
		err_errno(err, "%s", dir);
		return -1;
	}
	if (check_private(dir, &st, err) == -1)
		return -1;
	/* Readable by others: nothing planted, but our sockets' names show. */
	if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) == -1) {
		err_errno(err, "cannot make %s private", dir);
		return -1;
	}
	return 0;
}

static char *
base_path(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getenv("QEMU_TUI_RUNDIR") != NULL && *getenv("QEMU_TUI_RUNDIR") != '\0')
		return xstrdup(getenv("QEMU_TUI_RUNDIR"));
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/qemu-tui", xdg);
	return xasprintf("/tmp/qemu-tui-%u", (unsigned)geteuid());
}

char *
rundir_base(qt_error *err)
{
	char *base = base_path();

	if (ensure_private_dir(base, err) == -1) {
		free(base);
		return NULL;
	}
	return base;
}

/* Reading a VM's state must not create anything (the dashboard does it each
 * second), but every use checks what is there is ours. */
char *
rundir_path(const char *name, qt_error *err)
{
	char *base = base_path(), *dir;

	if (check_existing(base, err) == -1) {
		free(base);
		return NULL;
	}
	dir = xasprintf("%s/%s", base, name);
	free(base);
	if (check_existing(dir, err) == -1) {
		free(dir);
		return NULL;
	}
	return dir;
}

int
rundir_create(const char *dir, qt_error *err)
{
	char *base = rundir_base(err);

	if (base == NULL)
		return -1;
	free(base);
	return ensure_private_dir(dir, err);
}

char *
rundir_file(const char *dir, const char *file)
{
	return xasprintf("%s/%s", dir, file);
}

static const char *const stale_files[] = {
	RUN_QMP_SOCK, RUN_SERIAL_SOCK, RUN_SERIAL_LIVE, RUN_QEMU_QMP, RUN_QEMU_SERIAL,
	RUN_QEMU_PID, RUN_SUPER_PID, NULL
};

void
rundir_clear_stale(const char *dir)
{
	size_t i;

	for (i = 0; stale_files[i] != NULL; i++) {
		char *p = rundir_file(dir, stale_files[i]);

		unlink(p);
		free(p);
	}
}

int
rundir_lock_start(const char *dir, const char *name, qt_error *err)
{
	char *path = rundir_file(dir, RUN_START_LOCK);
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		err_errno(err, "%s", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			err_set(err, "%s is already starting (another start holds %s)",
			    name, path);
		else
			err_errno(err, "%s", path);
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

int
rundir_remove(const char *dir, qt_error *err)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		err_errno(err, "%s", dir);
		return -1;
	}
	/* Only plain files and sockets we made live here; never follow anything else. */
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = rundir_file(dir, de->d_name);
		if (lstat(p, &st) == 0 && !S_ISDIR(st.st_mode) &&
		    unlink(p) == -1 && rc == 0) {
			err_errno(err, "cannot remove %s", p);
			rc = -1;
		}
		free(p);
	}
	closedir(d);
	if (rc == 0 && rmdir(dir) == -1) {
		err_errno(err, "cannot remove %s", dir);
		rc = -1;
	}
	return rc;
}
