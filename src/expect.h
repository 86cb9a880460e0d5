/*
 * Console scripts for `qemu-tui console NAME --send/--expect/--script`: the steps
 * (send TEXT, expect REGEX, timeout S), the bytes a send's escapes stand for, the
 * script file format, and matching over a guest's output with terminal control
 * sequences removed. Pure: no I/O but reading a script file.
 */
#ifndef QT_EXPECT_H
#define QT_EXPECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The longest plain text an expect looks at: older output falls out of the window. */
#define EXPECT_WINDOW	(64 * 1024)

enum expect_kind { EXPECT_SEND, EXPECT_EXPECT, EXPECT_TIMEOUT };

struct expect_step {
	enum expect_kind kind;
	char *arg;		/* as written (messages) */
	char *where;		/* "--send", "FILE:LINE" (messages) */
	char *text;		/* send: the bytes, escapes done */
	size_t len;
	regex_t re;		/* expect */
	int seconds;		/* timeout */
};

struct expect_script {
	struct expect_step *v;
	size_t n, cap;
};

/* A send's TEXT as bytes: \n \r \t \e \\ \xHH (one or two hex digits); nothing is
 * added (no newline). -1 and err naming the escape when one is unknown. */
int expect_unescape(const char *text, char **out, size_t *len, qt_error *err);

/* Add one step: kind is "send", "expect" or "timeout"; where says where it came
 * from. -1 and err (an unknown kind, a bad escape, a bad regex, bad seconds). */
int expect_script_add(struct expect_script *s, const char *kind, const char *arg,
    const char *where, qt_error *err);
/* Add a script file's steps ("-": stdin): one `send TEXT`, `expect REGEX` or
 * `timeout S` a line; blank lines and lines starting with # are skipped; the
 * keyword and one run of blanks before the argument, and blanks (and a CR) at the
 * end of the line, are not part of it. err says FILE:LINE. */
int expect_script_load(struct expect_script *s, const char *path, qt_error *err);
void expect_script_free(struct expect_script *s);

/* Terminal output to plain text, across calls: escape sequences (CSI, OSC, DCS and
 * the rest), carriage returns and control characters but newline and tab go. */
struct expect_plain {
	int state;
};
/* Writes at most len bytes into out; returns how many. */
size_t expect_plain_filter(struct expect_plain *p, const char *in, size_t len, char *out);

/* Plain text to match against, at most EXPECT_WINDOW bytes (the oldest go). */
struct expect_window {
	char *buf;		/* NUL-terminated once anything was added */
	size_t len;
};
void expect_window_add(struct expect_window *w, const char *text, size_t len);
void expect_window_clear(struct expect_window *w);
/* Whether re matches; a match takes the text up to its end out of the window, so
 * the next expect looks only after it. */
bool expect_window_match(struct expect_window *w, const regex_t *re);
/* The last n lines of the window (an unfinished last one too), blank ones
 * skipped, each with prefix before it and a newline after it; malloc'd. */
char *expect_window_tail(const struct expect_window *w, int n, const char *prefix);
void expect_window_free(struct expect_window *w);

/* A script being run: the step it is at, the expects' wait, the output as plain text
 * since the last send (win) and since the start (seen). Zero it, set script and
 * timeout_s (the default wait), then feed it. */
struct expect_run {
	const struct expect_script *script;
	size_t step;		/* script->n once done */
	int timeout_s;
	struct expect_plain plain;
	struct expect_window win, seen;
};
/* The guest's output as it comes (raw: escape sequences and all). */
void expect_run_output(struct expect_run *r, const char *data, size_t len);
/* Do the steps up to the next expect the output has not met: a send goes to
 * send(), then empties win (so what came before it never meets the next expect); a
 * timeout sets timeout_s; a met expect uses up win up to its match. true once every
 * step is done; false while r->step's expect waits (for timeout_s seconds). */
bool expect_run_steps(struct expect_run *r,
    void (*send)(const char *text, size_t len, void *arg), void *arg);
void expect_run_free(struct expect_run *r);

#endif
