/* Console scripts: steps, escapes, the script format, plain text and matching. */
#include "expect.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a send's escapes ---- */

static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
expect_unescape(const char *text, char **out, size_t *lenp, qt_error *err)
{
	char *buf = xmalloc(strlen(text) + 1);
	size_t n = 0;
	const char *p;
	int h;

	for (p = text; *p != '\0'; p++) {
		if (*p != '\\') {
			buf[n++] = *p;
			continue;
		}
		switch (*++p) {
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'e': buf[n++] = '\033'; break;
		case '\\': buf[n++] = '\\'; break;
		case 'x':
			if ((h = hex_value((unsigned char)p[1])) == -1) {
				err_set(err, "\\x needs one or two hex digits (\\x1b is ESC)");
				free(buf);
				return -1;
			}
			p++;
			if (hex_value((unsigned char)p[1]) != -1)
				h = h * 16 + hex_value((unsigned char)*++p);
			buf[n++] = (char)h;
			break;
		case '\0':
			err_set(err, "a \\ at the end (write \\\\ for a backslash)");
			free(buf);
			return -1;
		default:
			err_set(err, "unknown escape \\%c (\\n \\r \\t \\e \\\\ \\xHH are known)",
			    *p);
			free(buf);
			return -1;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*lenp = n;
	return 0;
}

/* ---- steps ---- */

int
expect_script_add(struct expect_script *s, const char *kind, const char *arg,
    const char *where, qt_error *err)
{
	struct expect_step st;
	qt_error e;
	char *end;
	long v;
	int rc;

	memset(&st, 0, sizeof st);
	if (strcmp(kind, "send") == 0) {
		st.kind = EXPECT_SEND;
		if (expect_unescape(arg, &st.text, &st.len, &e) == -1) {
			err_set(err, "%s: %s", where, e.msg);
			return -1;
		}
	} else if (strcmp(kind, "expect") == 0) {
		st.kind = EXPECT_EXPECT;
		if (arg[0] == '\0') {
			err_set(err, "%s: expect needs a regular expression", where);
			return -1;
		}
		/* REG_NEWLINE: ^ and $ are line starts and ends, . never crosses a line. */
		if ((rc = regcomp(&st.re, arg, REG_EXTENDED | REG_NEWLINE)) != 0) {
			char msg[200];

			regerror(rc, &st.re, msg, sizeof msg);
			regfree(&st.re);
			err_set(err, "%s: bad regular expression \"%s\": %s (POSIX extended)",
			    where, arg, msg);
			return -1;
		}
	} else if (strcmp(kind, "timeout") == 0) {
		st.kind = EXPECT_TIMEOUT;
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || v < 1 || v > 86400) {
			err_set(err, "%s: timeout takes whole seconds (1 to 86400), not \"%s\"",
			    where, arg);
			return -1;
		}
		st.seconds = (int)v;
	} else {
		err_set(err, "%s: unknown step \"%s\" (send, expect or timeout)", where, kind);
		return -1;
	}
	st.arg = xstrdup(arg);
	st.where = xstrdup(where);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = st;
	return 0;
}

/* stdin, whatever it is (a pipe, a here-document), up to FILE_READ_MAX. */
static char *
read_stdin(size_t *lenp, qt_error *err)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (len + 1 == cap) {
			if (cap >= FILE_READ_MAX) {
				err_set(err, "-: more than %zu bytes", (size_t)FILE_READ_MAX);
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(STDIN_FILENO, buf + len, cap - 1 - len);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_errno(err, "-: reading stdin");
			free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

int
expect_script_load(struct expect_script *s, const char *path, qt_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	char *text, *line, *next, *kw, *arg, *where;
	size_t len, klen, end;
	int lineno = 0, rc = 0;

	text = is_stdin ? read_stdin(&len, err) : file_read(path, &len, err);
	if (text == NULL)
		return -1;
	if (strlen(text) != len) {
		err_set(err, "%s: a NUL byte: not a script (write \\x00 to send one)", path);
		free(text);
		return -1;
	}
	for (line = text; line != NULL && rc == 0; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		end = strlen(line);
		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t' ||
		    line[end - 1] == '\r'))
			line[--end] = '\0';
		kw = line + strspn(line, " \t");
		if (*kw == '\0' || *kw == '#')
			continue;
		klen = strcspn(kw, " \t");
		arg = kw + klen;
		arg += strspn(arg, " \t");
		kw[klen] = '\0';
		where = xasprintf("%s:%d", is_stdin ? "stdin" : path, lineno);
		rc = expect_script_add(s, kw, arg, where, err);
		free(where);
	}
	free(text);
	return rc;
}

void
expect_script_free(struct expect_script *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].kind == EXPECT_EXPECT)
			regfree(&s->v[i].re);
		free(s->v[i].text);
		free(s->v[i].arg);
		free(s->v[i].where);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- plain text ---- */

enum {
	PL_GROUND,
	PL_ESC,		/* ESC seen */
	PL_ESC_INTER,	/* ESC and intermediates (ESC ( B): up to a final byte */
	PL_CSI,		/* ESC [ or its parameters */
	PL_STRING,	/* OSC, DCS, SOS, PM, APC: up to BEL or ST */
	PL_STRING_ESC,	/* ESC inside a string: \ ends it */
};

size_t
expect_plain_filter(struct expect_plain *p, const char *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		/* CAN and SUB cancel any sequence, as on a terminal. */
		if (c == 0x18 || c == 0x1a) {
			p->state = PL_GROUND;
			continue;
		}
		switch (p->state) {
		case PL_GROUND:
			if (c == 0x1b)
				p->state = PL_ESC;
			else if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
				out[o++] = (char)c;
			break;
		case PL_ESC:
			if (c == '[')
				p->state = PL_CSI;
			else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
				p->state = PL_STRING;
			else if (c >= 0x20 && c <= 0x2f)
				p->state = PL_ESC_INTER;
			else if (c != 0x1b)
				p->state = PL_GROUND;
			break;
		case PL_ESC_INTER:
			if (c >= 0x30 && c <= 0x7e)
				p->state = PL_GROUND;
			else if (c == 0x1b)
				p->state = PL_ESC;
			break;
		case PL_CSI:
			if (c >= 0x40 && c <= 0x7e)
				p->state = PL_GROUND;
			else if (c == 0x1b)
				p->state = PL_ESC;
			break;
		case PL_STRING:
			if (c == 0x07)
				p->state = PL_GROUND;
			else if (c == 0x1b)
				p->state = PL_STRING_ESC;
			break;
		case PL_STRING_ESC:
			if (c == '\\')
				p->state = PL_GROUND;
			else if (c != 0x1b)
				p->state = PL_STRING;
			break;
		}
	}
	return o;
}

/* ---- the window ---- */

void
expect_window_add(struct expect_window *w, const char *text, size_t len)
{
	size_t drop;

	if (len == 0)
		return;
	if (len > EXPECT_WINDOW) {
		text += len - EXPECT_WINDOW;
		len = EXPECT_WINDOW;
	}
	if (w->buf == NULL)
		w->buf = xmalloc(EXPECT_WINDOW + 1);
	if (w->len + len > EXPECT_WINDOW) {
		drop = w->len + len - EXPECT_WINDOW;
		memmove(w->buf, w->buf + drop, w->len - drop);
		w->len -= drop;
	}
	memcpy(w->buf + w->len, text, len);
	w->len += len;
	w->buf[w->len] = '\0';
}

void
expect_window_clear(struct expect_window *w)
{
	w->len = 0;
	if (w->buf != NULL)
		w->buf[0] = '\0';
}

bool
expect_window_match(struct expect_window *w, const regex_t *re)
{
	regmatch_t m;
	size_t end;

	if (regexec(re, w->buf != NULL ? w->buf : "", 1, &m, 0) != 0)
		return false;
	end = m.rm_eo > 0 ? (size_t)m.rm_eo : 0;
	if (end > 0) {
		memmove(w->buf, w->buf + end, w->len - end + 1);
		w->len -= end;
	}
	return true;
}

char *
expect_window_tail(const struct expect_window *w, int n, const char *prefix)
{
	const char *start[64], *p, *e;
	size_t plen = strlen(prefix), out_len = 0, llen;
	int count = 0, i;
	char *out;

	if (n > 64)
		n = 64;
	/* Walk back from the end, line by line, keeping the non-blank ones. */
	e = w->buf != NULL ? w->buf + w->len : NULL;
	while (e != NULL && count < n && e > w->buf) {
		p = e;
		while (p > w->buf && p[-1] != '\n')
			p--;
		if (strspn(p, " \t") < (size_t)(e - p)) {
			start[count++] = p;
			out_len += plen + (size_t)(e - p) + 1;
		}
		e = p > w->buf ? p - 1 : w->buf;
	}
	out = xmalloc(out_len + 1);
	out_len = 0;
	for (i = count - 1; i >= 0; i--) {
		llen = strcspn(start[i], "\n");
		memcpy(out + out_len, prefix, plen);
		memcpy(out + out_len + plen, start[i], llen);
		out_len += plen + llen;
		out[out_len++] = '\n';
	}
	out[out_len] = '\0';
	return out;
}

void
expect_window_free(struct expect_window *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = 0;
}

/* ---- running a script ---- */

void
expect_run_output(struct expect_run *r, const char *data, size_t len)
{
	char plain[16384];
	size_t n, k;

	while (len > 0) {
		n = len < sizeof plain ? len : sizeof plain;
		k = expect_plain_filter(&r->plain, data, n, plain);
		expect_window_add(&r->win, plain, k);
		expect_window_add(&r->seen, plain, k);
		data += n;
		len -= n;
	}
}

bool
expect_run_steps(struct expect_run *r,
    void (*send)(const char *text, size_t len, void *arg), void *arg)
{
	const struct expect_step *st;

	for (; r->step < r->script->n; r->step++) {
		st = &r->script->v[r->step];
		switch (st->kind) {
		case EXPECT_SEND:
			send(st->text, st->len, arg);
			expect_window_clear(&r->win);
			break;
		case EXPECT_TIMEOUT:
			r->timeout_s = st->seconds;
			break;
		case EXPECT_EXPECT:
			if (!expect_window_match(&r->win, &st->re))
				return false;
			break;
		}
	}
	return true;
}

void
expect_run_free(struct expect_run *r)
{
	expect_window_free(&r->win);
	expect_window_free(&r->seen);
}
