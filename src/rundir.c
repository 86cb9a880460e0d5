/* The run directory of a VM: its file names, paths, readers and writers. */
#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * One row per file: its name, and whether a new start clears it (sockets and pid
 * files of an earlier run, and the facts that belong to that run's end). To add a
 * file: a constant in rundir.h's enum run_file and its row here.
 */
static const struct {
	const char *name;
	bool stale;	/* removed by rundir_clear_stale (sockets, pids) */
	bool per_run;	/* removed by rundir_reset before a start */
} files[RUN_NFILES] = {
	[RUN_QMP_SOCK]		= { "qmp.sock", true, true },
	[RUN_SERIAL_SOCK]	= { "serial.sock", true, true },
	[RUN_SERIAL_LIVE]	= { "serial-live.sock", true, true },
	[RUN_QEMU_QMP]		= { "qemu-qmp.sock", true, true },
	[RUN_QEMU_SERIAL]	= { "qemu-serial.sock", true, true },
	[RUN_SERIAL_LOG]	= { "serial.log", false, false },
	[RUN_QEMU_LOG]		= { "qemu.log", false, false },
	[RUN_EVENTS_LOG]	= { "events.log", false, false },
	[RUN_QEMU_PID]		= { "qemu.pid", true, true },
	[RUN_SUPER_PID]		= { "supervisor.pid", true, true },
	[RUN_START_LOCK]	= { "start.lock", false, false },
	[RUN_EXIT_STATUS]	= { "exit-status", false, true },
	[RUN_STARTED]		= { "started", false, false },
	[RUN_ACCEL]		= { "accel", false, false },
	[RUN_SSH_PORT]		= { "ssh-port", false, false },
	[RUN_CMDLINE]		= { "cmdline", false, false },
	[RUN_STOPPING]		= { "stopping", false, true },
	[RUN_STOP_STEP]		= { "stop-step", false, true },
	[RUN_FORWARDS]		= { "forwards", false, true },
	[RUN_SERIAL_START]	= { "serial-start", false, false },
	[RUN_THROWAWAY]		= { "throwaway", false, true },
	[RUN_STAGES]		= { "stages", false, true },
	[RUN_KNOCK_PORT]	= { "knock-port", false, true },
};

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

const char *
rundir_name(enum run_file f)
{
	return files[f].name;
}

char *
rundir_file(const char *dir, enum run_file f)
{
	return xasprintf("%s/%s", dir, files[f].name);
}

void
rundir_clear_stale(const char *dir)
{
	int f;

	for (f = 0; f < RUN_NFILES; f++)
		if (files[f].stale)
			rundir_unlink(dir, (enum run_file)f);
}

void
rundir_reset(const char *dir)
{
	char *log = rundir_file(dir, RUN_QEMU_LOG);
	int f, fd;

	for (f = 0; f < RUN_NFILES; f++)
		if (files[f].per_run)
			rundir_unlink(dir, (enum run_file)f);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) != -1)
		close(fd);
	free(log);
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
		p = xasprintf("%s/%s", dir, de->d_name);
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

/* ---- small files ---- */

bool
rundir_has(const char *dir, enum run_file f)
{
	char *path = rundir_file(dir, f);
	bool ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

char *
rundir_read_len(const char *dir, enum run_file f, size_t *len)
{
	char *path = rundir_file(dir, f), *text;

	text = file_read(path, len, NULL);
	free(path);
	return text;
}

char *
rundir_read(const char *dir, enum run_file f)
{
	return rundir_read_len(dir, f, NULL);
}

void
rundir_read_lines(const char *dir, enum run_file f, char *buf, size_t len,
    char *buf2, size_t len2)
{
	char *t = rundir_read(dir, f), *nl;

	buf[0] = '\0';
	if (buf2 != NULL)
		buf2[0] = '\0';
	if (t == NULL)
		return;
	snprintf(buf, len, "%.*s", (int)strcspn(t, "\n"), t);
	if (buf2 != NULL && (nl = strchr(t, '\n')) != NULL)
		snprintf(buf2, len2, "%.*s", (int)strcspn(nl + 1, "\n"), nl + 1);
	free(t);
}

long long
rundir_read_num(const char *dir, enum run_file f)
{
	char *t = rundir_read(dir, f);
	long long n;

	if (t == NULL)
		return 0;
	n = atoll(t);
	free(t);
	return n;
}

int
rundir_write(const char *dir, enum run_file f, const char *text, size_t len)
{
	char *path = rundir_file(dir, f);
	int rc = file_write_atomic(path, text, len, 0600, NULL);

	free(path);
	return rc;
}

int
rundir_write_str(const char *dir, enum run_file f, const char *text)
{
	return rundir_write(dir, f, text, strlen(text));
}

void
rundir_unlink(const char *dir, enum run_file f)
{
	char *path = rundir_file(dir, f);

	unlink(path);
	free(path);
}

char *
rundir_tail(const char *dir, enum run_file f, int lines)
{
	char *path = rundir_file(dir, f), *tail;

	tail = file_tail_lines(path, lines);
	free(path);
	return tail;
}

int
rundir_write_exit_status(const char *dir, int wait_status)
{
	char text[64];

	if (WIFSIGNALED(wait_status))
		snprintf(text, sizeof text, "signal %d\n", WTERMSIG(wait_status));
	else
		snprintf(text, sizeof text, "exit %d\n", WEXITSTATUS(wait_status));
	return rundir_write_str(dir, RUN_EXIT_STATUS, text);
}

int
rundir_write_exit_unknown(const char *dir, const char *reason)
{
	char text[64];

	if (reason != NULL && reason[0] != '\0')
		snprintf(text, sizeof text, "shutdown %.40s\n", reason);
	else
		snprintf(text, sizeof text, "unknown\n");
	return rundir_write_str(dir, RUN_EXIT_STATUS, text);
}

bool
rundir_read_exit_status(const char *dir, int *code, int *sig, bool *unknown,
    char *reason, size_t rlen)
{
	char *t = rundir_read(dir, RUN_EXIT_STATUS);
	bool have = false;
	char why[32];
	int n;

	*code = *sig = 0;
	*unknown = false;
	if (rlen > 0)
		reason[0] = '\0';
	if (t == NULL)
		return false;
	if (sscanf(t, "signal %d", &n) == 1) {
		have = true;
		*sig = n;
	} else if (sscanf(t, "exit %d", &n) == 1) {
		have = true;
		*code = n;
	} else if (sscanf(t, "shutdown %31[a-z-]", why) == 1) {
		have = *unknown = true;
		snprintf(reason, rlen, "%s", why);
	} else if (strncmp(t, "unknown", 7) == 0) {
		have = *unknown = true;
	}
	free(t);
	return have;
}

int
rundir_lock_supervisor(const char *dir)
{
	char *path = rundir_file(dir, RUN_SUPER_PID), text[32];
	int fd;

	/* Truncate only once locked: a refused second supervisor must not blank the pid. */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	snprintf(text, sizeof text, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, text, strlen(text)) == -1) {
		close(fd);
		return -1;
	}
	return fd;	/* kept open: the lock is how others see we are alive */
}

bool
rundir_supervisor_alive(const char *dir)
{
	char *path = rundir_file(dir, RUN_SUPER_PID);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool alive = false;

	free(path);
	if (fd == -1)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK)
		alive = true;
	close(fd);
	return alive;
}

int
rundir_write_cmdline(const char *dir, char *const *argv)
{
	size_t i, len = 0;
	char *flat, *o;
	int rc;

	for (i = 0; argv[i] != NULL; i++)
		len += strlen(argv[i]) + 1;
	o = flat = xmalloc(len + 1);
	for (i = 0; argv[i] != NULL; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(o, argv[i], l);
		o += l;
	}
	rc = rundir_write(dir, RUN_CMDLINE, flat, len);
	free(flat);
	return rc;
}
