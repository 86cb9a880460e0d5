/* Small shared helpers: error messages, checked allocation, strings, files. */
#ifndef QT_UTIL_H
#define QT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Filled by a failing function; the caller shows it (status line or stderr). */
typedef struct qt_error {
	char msg[1024];
} qt_error;

void err_set(qt_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Like err_set, with ": strerror(errno)" appended. */
void err_errno(qt_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checked allocation: on failure call the fatal hook (restores the terminal) and exit. */
#define QT_NONNULL __attribute__((returns_nonnull))
void *xmalloc(size_t n) QT_NONNULL;
void *xcalloc(size_t n, size_t size) QT_NONNULL;
void *xrealloc(void *p, size_t n) QT_NONNULL;
void *xreallocarray(void *p, size_t n, size_t size) QT_NONNULL;
char *xstrdup(const char *s) QT_NONNULL;
char *xstrndup(const char *s, size_t n) QT_NONNULL;
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2))) QT_NONNULL;
char *xvasprintf(const char *fmt, va_list ap) QT_NONNULL;

/* Called before exiting on a fatal error; the UI installs one that ends curses. */
void fatal_set_hook(void (*hook)(void));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Whether s is well-formed UTF-8 (no overlongs, no surrogates). */
bool str_utf8_valid(const char *s);

/* Quote for a POSIX shell so the string can be pasted (single quotes, only when needed). */
char *shell_quote(const char *s);
/* Escape for a QEMU option value: ',' becomes ",,". */
char *qemu_opt_escape(const char *s);

/* The most file_read takes: profiles, settings and themes are small. */
#define FILE_READ_MAX	((size_t)4 << 20)
/* A whole regular file (never a FIFO, device or directory, never more than
 * FILE_READ_MAX) into a NUL-terminated buffer; NULL + err on failure. */
char *file_read(const char *path, size_t *len, qt_error *err);
/* The last max bytes or so of a regular file (a log that grows). */
char *file_read_tail(const char *path, size_t max, size_t *len, qt_error *err);
/* Write atomically (temp file in the same directory + rename). */
int file_write_atomic(const char *path, const char *data, size_t len, int mode,
    qt_error *err);
/* The same, but never replacing (link, not rename): an existing path is an error. */
int file_write_new(const char *path, const char *data, size_t len, int mode,
    qt_error *err);
/* The last n lines of a file (for qemu.log tails); NULL when unreadable. */
char *file_tail_lines(const char *path, int n);

/* s without leading and trailing white space (cut in place; returns a pointer into s). */
char *str_trim(char *s);

/*
 * "Did you mean": the edit distance of a and b ignoring ASCII case, where
 * swapping two neighbours is one edit ("memroy" is 1 from "memory").
 */
size_t str_distance(const char *a, const char *b);

/* The closest candidate so far that is within limit edits of word. */
struct suggest {
	const char *word;
	size_t limit;
	const char *best;	/* NULL until a candidate is close enough */
	size_t dist;
};
void suggest_init(struct suggest *s, const char *word, size_t limit);
/* Try a candidate; 1 when it is the best so far (s->best is now cand). */
int suggest_try(struct suggest *s, const char *cand);

/* Join dir and a relative path; absolute paths are returned as copies. */
char *path_join(const char *dir, const char *rel);

/* Monotonic milliseconds. */
long long now_ms(void);

int set_nonblock(int fd);
int set_cloexec(int fd);

/*
 * The one way to connect a unix socket (QMP, serial, the supervisor's and QEMU's
 * own): a non-blocking, close-on-exec fd, or -1 + err ("no VM listening on PATH"
 * when nothing listens there). A connect still in progress finishes on the loop.
 */
int unix_connect(const char *path, qt_error *err);

#endif
