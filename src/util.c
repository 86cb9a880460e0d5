/* Small shared helpers: error messages, checked allocation, strings, files. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void (*fatal_hook)(void);

void
err_set(qt_error *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void
err_errno(qt_error *e, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof e->msg - len, ": %s", strerror(saved));
	errno = saved;
}

void
fatal_set_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	/* The hook ends curses first so the message lands on a sane terminal. */
	if (fatal_hook != NULL)
		fatal_hook();
	fputs("qemu-tui: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("out of memory (%zu bytes)", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size)
		fatal("allocation overflow (%zu x %zu)", n, size);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		fatal("out of memory");
	return d;
}

char *
xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (d == NULL)
		fatal("out of memory");
	return d;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *
shell_quote(const char *s)
{
	static const char safe[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "@%+=:,./-_";
	size_t n = 0;
	const char *p;
	char *out, *o;

	if (*s != '\0' && strspn(s, safe) == strlen(s))
		return xstrdup(s);
	for (p = s; *p; p++)
		n += (*p == '\'') ? 4 : 1;
	out = o = xmalloc(n + 3);
	*o++ = '\'';
	for (p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else
			*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

char *
qemu_opt_escape(const char *s)
{
	size_t n = strlen(s), extra = 0, i;
	char *out, *o;

	for (i = 0; i < n; i++)
		extra += s[i] == ',';
	out = o = xmalloc(n + extra + 1);
	for (i = 0; i < n; i++) {
		*o++ = s[i];
		if (s[i] == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/*
 * Open path for reading only if it is a regular file: a FIFO would block, a
 * device (a symlink to /dev/zero) never ends. O_NONBLOCK keeps the open of a
 * FIFO itself from waiting for a writer.
 */
static int
open_regular(const char *path, struct stat *st, qt_error *err)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		err_errno(err, "%s", path);
		return -1;
	}
	if (fstat(fd, st) == -1) {
		err_errno(err, "%s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		err_set(err, "%s: not a regular file (%s): only plain files are read",
		    path, S_ISDIR(st->st_mode) ? "a directory" :
		    S_ISFIFO(st->st_mode) ? "a FIFO" :
		    S_ISSOCK(st->st_mode) ? "a socket" : "a device");
		close(fd);
		return -1;
	}
	return fd;
}

/* Read from fd to its end, at most max bytes; a longer file is an error. */
static char *
read_capped(int fd, const char *path, size_t max, size_t *lenp, qt_error *err)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t r;

	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + len, cap - len - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_errno(err, "%s", path);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			err_set(err, "%s: larger than %zu KiB, the most read from such a "
			    "file: is it the right file?", path, max >> 10);
			free(buf);
			return NULL;
		}
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

char *
file_read(const char *path, size_t *lenp, qt_error *err)
{
	struct stat st;
	char *buf;
	int fd;

	if ((fd = open_regular(path, &st, err)) == -1)
		return NULL;
	buf = read_capped(fd, path, FILE_READ_MAX, lenp, err);
	close(fd);
	return buf;
}

char *
file_read_tail(const char *path, size_t max, size_t *lenp, qt_error *err)
{
	struct stat st;
	char *buf;
	int fd;

	if ((fd = open_regular(path, &st, err)) == -1)
		return NULL;
	/* It may grow while read: the cap takes what came since. */
	if (st.st_size > (off_t)max && lseek(fd, st.st_size - (off_t)max, SEEK_SET) == -1) {
		err_errno(err, "%s", path);
		close(fd);
		return NULL;
	}
	buf = read_capped(fd, path, max * 2, lenp, err);
	close(fd);
	return buf;
}

static int write_whole(const char *path, const char *data, size_t len, int mode,
    bool replace, qt_error *err);

int
file_write_atomic(const char *path, const char *data, size_t len, int mode,
    qt_error *err)
{
	return write_whole(path, data, len, mode, true, err);
}

int
file_write_new(const char *path, const char *data, size_t len, int mode,
    qt_error *err)
{
	return write_whole(path, data, len, mode, false, err);
}

static int
write_whole(const char *path, const char *data, size_t len, int mode,
    bool replace, qt_error *err)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	size_t off = 0;
	ssize_t w;
	int fd;

	if ((fd = mkstemp(tmp)) == -1) {
		err_errno(err, "cannot create a temporary file beside %s", path);
		free(tmp);
		return -1;
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			err_errno(err, "%s", tmp);
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) == -1 || fsync(fd) == -1) {
		err_errno(err, "%s", tmp);
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_errno(err, "%s", tmp);
		goto fail;
	}
	fd = -1;
	if (!replace) {
		/* link() never replaces: two writers of one name, one wins. */
		if (link(tmp, path) == -1) {
			if (errno == EEXIST)
				err_set(err, "%s exists; nothing was written", path);
			else
				err_errno(err, "cannot link %s to %s", tmp, path);
			goto fail;
		}
		unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		err_errno(err, "cannot rename %s to %s", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

char *
file_tail_lines(const char *path, int n)
{
	size_t len;
	char *buf, *p, *out;
	int seen = 0;

	if ((buf = file_read_tail(path, FILE_READ_MAX, &len, NULL)) == NULL)
		return NULL;
	p = buf + len;
	if (p > buf && p[-1] == '\n')
		p--;
	while (p > buf) {
		if (p[-1] == '\n' && ++seen == n)
			break;
		p--;
	}
	out = xstrdup(p);
	free(buf);
	return out;
}

/* Collapse "//", "/./" and "/x/../" in an absolute path, in place, without asking the disk. */
static char *
path_normalize(char *path)
{
	char *out = path, *p = path;

	if (*path != '/')
		return path;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		if (p[0] == '.' && (p[1] == '/' || p[1] == '\0')) {
			p++;
			continue;
		}
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
			while (out > path && *--out != '/')
				;
			p += 2;
			continue;
		}
		*out++ = '/';
		while (*p != '\0' && *p != '/')
			*out++ = *p++;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
	return path;
}

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

size_t
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	/* Three rows: the optimal-string-alignment rule looks two back. */
	size_t *d = xcalloc(3 * (lb + 1), sizeof *d), *pp, *prev, *cur;
	int ca, cb;

	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		pp = d + ((i + 1) % 3) * (lb + 1);
		prev = d + ((i - 1) % 3) * (lb + 1);
		cur = d + (i % 3) * (lb + 1);
		cur[0] = i;
		ca = tolower((unsigned char)a[i - 1]);
		for (j = 1; j <= lb; j++) {
			cb = tolower((unsigned char)b[j - 1]);
			best = prev[j - 1] + (ca != cb);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
	}
	best = d[(la % 3) * (lb + 1) + lb];
	free(d);
	return best;
}

void
suggest_init(struct suggest *s, const char *word, size_t limit)
{
	s->word = word;
	s->limit = limit;
	s->best = NULL;
	s->dist = 0;
}

int
suggest_try(struct suggest *s, const char *cand)
{
	size_t d = str_distance(s->word, cand);

	if (d > s->limit || (s->best != NULL && d >= s->dist))
		return 0;
	s->best = cand;
	s->dist = d;
	return 1;
}

char *
path_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || dir == NULL || dir[0] == '\0')
		return path_normalize(xstrdup(rel));
	if (rel[0] == '~' && rel[1] == '/' && getenv("HOME") != NULL)
		return path_normalize(xasprintf("%s/%s", getenv("HOME"), rel + 2));
	return path_normalize(xasprintf("%s/%s", dir, rel));
}

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

int
unix_connect(const char *path, qt_error *err)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		err_set(err, "socket path too long (%zu bytes, at most %zu): %s",
		    strlen(path), sizeof sun.sun_path - 1, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
#ifdef SOCK_NONBLOCK
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd != -1 && (set_nonblock(fd) == -1 || set_cloexec(fd) == -1)) {
		close(fd);
		fd = -1;
	}
#endif
	if (fd == -1) {
		err_errno(err, "socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 &&
	    errno != EINPROGRESS && errno != EINTR) {
		/* (Those two finish in the background; errors come as POLLERR.) */
		if (errno == ECONNREFUSED || errno == ENOENT)
			err_set(err, "no VM listening on %s", path);
		else if (errno == EAGAIN)
			err_set(err, "socket %s is busy (listen queue full); try again",
			    path);
		else
			err_errno(err, "cannot connect to %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

bool
str_utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	int n, i;

	while (*u != '\0') {
		if (*u < 0x80) {
			u++;
			continue;
		}
		if (*u >= 0xc2 && *u <= 0xdf)
			n = 1, cp = *u & 0x1f;
		else if (*u >= 0xe0 && *u <= 0xef)
			n = 2, cp = *u & 0x0f;
		else if (*u >= 0xf0 && *u <= 0xf4)
			n = 3, cp = *u & 0x07;
		else
			return false;
		for (i = 1; i <= n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		u += n + 1;
	}
	return true;
}
