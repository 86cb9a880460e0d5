/* QMP: the stream parser, the client against a fake QEMU, and against a real one. */
#include <check.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp.h"

#define GREETING \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, " \
	"\"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7\"}, " \
	"\"capabilities\": [\"oob\"]}}\r\n"

/* ---- parser helpers ---- */

static void
collect_cb(struct json_object *msg, void *arg)
{
	json_object_array_add(arg, json_object_get(msg));
}

/* Feed s in pieces of the given sizes (0-terminated list); returns the messages. */
static struct json_object *
feed_all(struct qmp_parser *p, const char *s, size_t len, size_t piece)
{
	struct json_object *out = json_object_new_array();
	size_t off = 0, n;
	qt_error err;

	while (off < len) {
		n = piece == 0 || len - off < piece ? len - off : piece;
		ck_assert_int_eq(qmp_parser_feed(p, s + off, n, collect_cb, out,
		    &err), 0);
		off += n;
	}
	return out;
}

static struct json_object *
parse_one(const char *s, size_t len, unsigned *garbage)
{
	struct qmp_parser *p = qmp_parser_new(0);
	struct json_object *out = feed_all(p, s, len, 0);

	*garbage = qmp_parser_garbage(p);
	qmp_parser_free(p);
	return out;
}

static const char *
str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
int_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(o, key, &v));
	return json_object_get_int(v);
}

/* A message that exercises every token kind, escapes and multi-byte UTF-8. */
static const char rich[] =
    "{\"event\": \"BLOCK_JOB\", \"data\": {\"n\": -12.5e-3, \"i\": 9007199254740993,"
    " \"t\": true, \"f\": false, \"z\": null, \"s\": \"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\","
    " \"u\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"a\": [1, [2, {}], [], \"x\"],"
    " \"e\": {}}, \"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 123456}}\r\n";

START_TEST(parser_one_message)
{
	const char *s = "{\"return\": {\"status\": \"running\"}, \"id\": 3}\r\n";
	struct json_object *out, *m, *ret;
	unsigned g;

	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_uint_eq(g, 0);
	m = json_object_array_get_idx(out, 0);
	ck_assert_int_eq(int_member(m, "id"), 3);
	ck_assert(json_object_object_get_ex(m, "return", &ret));
	ck_assert_str_eq(str_member(ret, "status"), "running");
	json_object_put(out);
}
END_TEST

START_TEST(parser_split_everywhere)
{
	size_t len = strlen(rich), i;
	struct json_object *want, *out;
	struct qmp_parser *p;
	qt_error err;

	want = json_tokener_parse(rich);
	ck_assert_ptr_nonnull(want);

	/* byte by byte */
	p = qmp_parser_new(0);
	out = feed_all(p, rich, len, 1);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert(json_object_equal(json_object_array_get_idx(out, 0), want));
	ck_assert_uint_eq(qmp_parser_garbage(p), 0);
	json_object_put(out);
	qmp_parser_free(p);

	/* two chunks, split at every offset (including the empty ends) */
	for (i = 0; i <= len; i++) {
		p = qmp_parser_new(0);
		out = json_object_new_array();
		ck_assert_int_eq(qmp_parser_feed(p, rich, i, collect_cb, out,
		    &err), 0);
		ck_assert_int_eq(qmp_parser_feed(p, rich + i, len - i,
		    collect_cb, out, &err), 0);
		ck_assert_msg(json_object_array_length(out) == 1,
		    "split at %zu: %zu messages", i,
		    json_object_array_length(out));
		ck_assert_msg(json_object_equal(json_object_array_get_idx(out, 0),
		    want), "split at %zu: different object", i);
		ck_assert_uint_eq(qmp_parser_garbage(p), 0);
		json_object_put(out);
		qmp_parser_free(p);
	}
	json_object_put(want);
}
END_TEST

START_TEST(parser_two_messages_split_everywhere)
{
	const char *s = "{\"a\": 1}\r\n{\"b\": \"\xc3\xa9\"}\r\n";
	size_t len = strlen(s), i, j;
	struct json_object *out;
	struct qmp_parser *p;
	qt_error err;

	/* three chunks at every pair of offsets */
	for (i = 0; i <= len; i++) {
		for (j = i; j <= len; j++) {
			p = qmp_parser_new(0);
			out = json_object_new_array();
			ck_assert_int_eq(qmp_parser_feed(p, s, i, collect_cb, out,
			    &err), 0);
			ck_assert_int_eq(qmp_parser_feed(p, s + i, j - i,
			    collect_cb, out, &err), 0);
			ck_assert_int_eq(qmp_parser_feed(p, s + j, len - j,
			    collect_cb, out, &err), 0);
			ck_assert_int_eq(json_object_array_length(out), 2);
			ck_assert_int_eq(int_member(json_object_array_get_idx(out,
			    0), "a"), 1);
			ck_assert_str_eq(str_member(json_object_array_get_idx(out,
			    1), "b"), "\xc3\xa9");
			ck_assert_uint_eq(qmp_parser_garbage(p), 0);
			json_object_put(out);
			qmp_parser_free(p);
		}
	}
}
END_TEST

/* json-c checks numbers per call: a cut inside one must not change the verdict. */
START_TEST(parser_split_bad_number)
{
	static const char *cases[] = {
		"{\"a\": 2-3}\n{\"ok\": 1}\n",
		"{\"a\": 1.2.3}\n{\"ok\": 1}\n",
		"{\"a\": --1}\n{\"ok\": 1}\n",
		"{\"a\": tru}\n{\"ok\": 1}\n",
		"2-\n{\"ok\": 1}\n",
	};
	struct json_object *out;
	struct qmp_parser *p;
	size_t c, i, len;
	unsigned whole;
	qt_error err;

	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		len = strlen(cases[c]);
		out = parse_one(cases[c], len, &whole);
		ck_assert_int_eq(json_object_array_length(out), 1);
		ck_assert_uint_ge(whole, 1);
		json_object_put(out);
		for (i = 0; i <= len; i++) {
			p = qmp_parser_new(0);
			out = json_object_new_array();
			ck_assert_int_eq(qmp_parser_feed(p, cases[c], i,
			    collect_cb, out, &err), 0);
			ck_assert_int_eq(qmp_parser_feed(p, cases[c] + i, len - i,
			    collect_cb, out, &err), 0);
			ck_assert_msg(json_object_array_length(out) == 1 &&
			    qmp_parser_garbage(p) == whole,
			    "case %zu split at %zu: %s, garbage %u", c, i,
			    json_object_to_json_string(out),
			    qmp_parser_garbage(p));
			json_object_put(out);
			qmp_parser_free(p);
		}
	}
}
END_TEST

START_TEST(parser_several_in_one_read)
{
	const char *crlf = "{\"a\": 1}\r\n{\"a\": 2}\r\n\r\n  {\"a\": 3}\n";
	const char *none = "{\"a\":1}{\"a\":2}{\"a\":3}";
	struct json_object *out;
	unsigned g;
	int i;

	out = parse_one(crlf, strlen(crlf), &g);
	ck_assert_int_eq(json_object_array_length(out), 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(int_member(json_object_array_get_idx(out,
		    (size_t)i), "a"), i + 1);
	ck_assert_uint_eq(g, 0);
	json_object_put(out);

	out = parse_one(none, strlen(none), &g);
	ck_assert_int_eq(json_object_array_length(out), 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(int_member(json_object_array_get_idx(out,
		    (size_t)i), "a"), i + 1);
	ck_assert_uint_eq(g, 0);
	json_object_put(out);
}
END_TEST

START_TEST(parser_garbage_skipped)
{
	const char *s = "{\"a\": 1}\r\nthis is not json {\"x\":1}\r\n"
	    "}}}\r\n{\"a\": 2}\r\n";
	struct json_object *out;
	struct qmp_parser *p;
	unsigned g;

	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 2);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 1), "a"), 2);
	ck_assert_uint_eq(g, 2);
	json_object_put(out);

	/* garbage whose line ends only in a later read */
	p = qmp_parser_new(0);
	out = feed_all(p, "@@@ no newline yet", 18, 0);
	ck_assert_int_eq(json_object_array_length(out), 0);
	json_object_put(out);
	out = feed_all(p, " still garbage\n{\"a\": 3}\n", 24, 0);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0), "a"), 3);
	ck_assert_uint_eq(qmp_parser_garbage(p), 1);
	json_object_put(out);

	/* a broken message in progress is dropped at the error, resynced at '\n' */
	out = feed_all(p, "{\"a\": [1, 2", 11, 0);
	json_object_put(out);
	out = feed_all(p, ", oops]}\r\n{\"a\": 4}\r\n", 20, 0);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0), "a"), 4);
	ck_assert_uint_eq(qmp_parser_garbage(p), 2);
	json_object_put(out);
	qmp_parser_free(p);
}
END_TEST

START_TEST(parser_non_object_is_garbage)
{
	const char *s = "42\r\n{\"a\": 1}\r\n[1]\r\n\"str\"\r\nnull\r\ntrue\r\n"
	    "[{\"a\": 2}]{\"a\": 3}";
	struct json_object *out;
	unsigned g;

	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 2);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0), "a"), 1);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 1), "a"), 3);
	ck_assert_uint_eq(g, 6);
	json_object_put(out);

	/* a bare number at the end of a read is finished by the next one */
	out = parse_one("42", 2, &g);
	ck_assert_int_eq(json_object_array_length(out), 0);
	json_object_put(out);
}
END_TEST

START_TEST(parser_oversize)
{
	char big[400];
	struct json_object *out = json_object_new_array();
	struct qmp_parser *p;
	qt_error err;
	size_t i;
	int rc = 0;

	/* exactly the limit (the CRLF does not count) is accepted */
	memset(big, 'x', sizeof big);
	memcpy(big, "{\"s\": \"", 7);
	memcpy(big + 100 - 2, "\"}\r\n", 4);
	p = qmp_parser_new(100);
	ck_assert_int_eq(qmp_parser_feed(p, big, 102, collect_cb, out, &err), 0);
	ck_assert_int_eq(json_object_array_length(out), 1);
	qmp_parser_free(p);

	/* one byte more, in one read */
	big[100 - 2] = 'x';
	memcpy(big + 101 - 2, "\"}\r\n", 4);
	p = qmp_parser_new(100);
	err.msg[0] = '\0';
	ck_assert_int_eq(qmp_parser_feed(p, big, 103, collect_cb, out, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than 100"));
	/* the stream stays refused */
	ck_assert_int_eq(qmp_parser_feed(p, "{}\n", 3, collect_cb, out, &err), -1);
	qmp_parser_free(p);

	/* an unterminated message growing over several reads */
	p = qmp_parser_new(100);
	memset(big + 7, 'y', sizeof big - 7);
	for (i = 0; i < sizeof big && rc == 0; i += 10)
		rc = qmp_parser_feed(p, big + i, 10, collect_cb, out, &err);
	ck_assert_int_eq(rc, -1);
	ck_assert_uint_le(i, 110);
	qmp_parser_free(p);
	ck_assert_int_eq(json_object_array_length(out), 1);
	json_object_put(out);
}
END_TEST

START_TEST(parser_default_limit)
{
	size_t n = 1024 * 1024 + 64;
	char *s = malloc(n);
	struct json_object *out = json_object_new_array();
	struct qmp_parser *p = qmp_parser_new(0);
	qt_error err;

	memset(s, 'x', n);
	memcpy(s, "{\"s\": \"", 7);
	memcpy(s + n - 4, "\"}\r\n", 4);
	ck_assert_int_eq(qmp_parser_feed(p, s, n, collect_cb, out, &err), -1);
	ck_assert_int_eq(json_object_array_length(out), 0);
	qmp_parser_free(p);
	json_object_put(out);
	free(s);
}
END_TEST

static char *
nested(int depth, const char *tail)
{
	size_t len = 8 + 2 * (size_t)depth + strlen(tail);
	char *s = xmalloc(len), *o;
	int i;

	memcpy(s, "{\"a\":", 5);
	o = s + 5;
	for (i = 1; i < depth; i++)
		*o++ = '[';
	for (i = 1; i < depth; i++)
		*o++ = ']';
	snprintf(o, len - (size_t)(o - s), "}%s", tail);
	return s;
}

START_TEST(parser_deep_nesting)
{
	struct json_object *out;
	unsigned g;
	char *s;

	/* 32 levels (the object plus 31 arrays) are fine */
	s = nested(32, "\n");
	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_uint_eq(g, 0);
	json_object_put(out);
	free(s);

	s = nested(33, "\n{\"ok\": 1}\n");
	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0), "ok"), 1);
	ck_assert_uint_eq(g, 1);
	json_object_put(out);
	free(s);

	s = nested(200000, "\n{\"ok\": 2}\n");
	out = parse_one(s, strlen(s), &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_uint_ge(g, 1);
	json_object_put(out);
	free(s);
}
END_TEST

START_TEST(parser_nul_bytes)
{
	static const char a[] = "{\"a\": \"x\0y\"}\r\n{\"b\": 1}\r\n";
	static const char b[] = "{\"a\": 1}\0\r\n{\"b\": 2}\r\n";
	static const char c[] = "\0\0\0\n{\"b\": 3}\n";
	struct json_object *out;
	unsigned g;

	out = parse_one(a, sizeof a - 1, &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0), "b"), 1);
	ck_assert_uint_eq(g, 1);
	json_object_put(out);

	out = parse_one(b, sizeof b - 1, &g);
	ck_assert_int_eq(json_object_array_length(out), 2);
	ck_assert_int_eq(int_member(json_object_array_get_idx(out, 1), "b"), 2);
	ck_assert_uint_eq(g, 1);
	json_object_put(out);

	out = parse_one(c, sizeof c - 1, &g);
	ck_assert_int_eq(json_object_array_length(out), 1);
	ck_assert_uint_eq(g, 1);
	json_object_put(out);
}
END_TEST

START_TEST(parser_invalid_utf8)
{
	static const char *bad[] = {
		"{\"a\": \"\xff\"}\n",		/* never valid */
		"{\"a\": \"\xc0\xaf\"}\n",	/* overlong '/' */
		"{\"a\": \"\xed\xa0\x80\"}\n",	/* surrogate */
		"{\"a\": \"\xf4\x90\x80\x80\"}\n",	/* above U+10FFFF */
		"{\"a\": \"\xc3\"}\n",		/* truncated */
		"{\"a\": \"\xe2\x82\"}\n",	/* truncated */
		"{\"a\": \"\x80\"}\n",		/* lone continuation */
	};
	struct json_object *out;
	struct qmp_parser *p;
	size_t i, len;
	char s[64];

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(s, sizeof s, "%s{\"ok\": 1}\n", bad[i]);
		len = strlen(s);
		/* whole, then byte by byte: the verdict must not depend on the split */
		p = qmp_parser_new(0);
		out = feed_all(p, s, len, 0);
		ck_assert_msg(json_object_array_length(out) == 1, "case %zu", i);
		ck_assert_int_eq(int_member(json_object_array_get_idx(out, 0),
		    "ok"), 1);
		ck_assert_uint_eq(qmp_parser_garbage(p), 1);
		json_object_put(out);
		qmp_parser_free(p);
		p = qmp_parser_new(0);
		out = feed_all(p, s, len, 1);
		ck_assert_msg(json_object_array_length(out) == 1, "case %zu", i);
		ck_assert_uint_eq(qmp_parser_garbage(p), 1);
		json_object_put(out);
		qmp_parser_free(p);
	}
}
END_TEST

START_TEST(parser_empty_and_whitespace)
{
	struct qmp_parser *p = qmp_parser_new(0);
	struct json_object *out = json_object_new_array();
	qt_error err;

	ck_assert_int_eq(qmp_parser_feed(p, "", 0, collect_cb, out, &err), 0);
	ck_assert_int_eq(qmp_parser_feed(p, " \r\n\t\r\n", 6, collect_cb, out,
	    &err), 0);
	ck_assert_int_eq(json_object_array_length(out), 0);
	ck_assert_uint_eq(qmp_parser_garbage(p), 0);
	json_object_put(out);
	qmp_parser_free(p);
}
END_TEST

/* ---- client against a fake QEMU on a socketpair ---- */

struct rec {
	char			 log[8192];
	int			 ready, closed, events;
	int			 fd_in_closed;
	char			 why[256];
	struct qmp_client	*c;
	/* actions taken from callbacks */
	bool			 send_in_ready;
	bool			 send_in_event;
	bool			 free_in_event;
	long			 sent_in_closed;
	long long		 ev_seconds;
	long			 ev_micros;
	struct json_object	*ev_data;
};

struct tag {
	struct rec	*r;
	const char	*name;
	bool		 chain;	/* send "chained" from the reply */
};

static void
logf_(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(struct rec *r, const char *fmt, ...)
{
	size_t len = strlen(r->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->log + len, sizeof r->log - len, fmt, ap);
	va_end(ap);
}

static void
rec_ready(struct qmp_client *c, void *arg)
{
	struct rec *r = arg;

	r->ready++;
	logf_(r, "ready;");
	if (r->send_in_ready)
		ck_assert_int_gt(qmp_send(c, "from-ready", NULL, NULL, NULL), 0);
}

static void
rec_event(struct qmp_client *c, const char *name, struct json_object *data,
    long long seconds, long micros, void *arg)
{
	struct rec *r = arg;

	r->events++;
	logf_(r, "event:%s;", name);
	r->ev_seconds = seconds;
	r->ev_micros = micros;
	json_object_put(r->ev_data);
	r->ev_data = json_object_get(data);
	if (r->send_in_event)
		ck_assert_int_gt(qmp_send(c, "from-event", NULL, NULL, NULL), 0);
	if (r->free_in_event)
		qmp_free(c);
}

static void
rec_closed(struct qmp_client *c, const char *why, void *arg)
{
	struct rec *r = arg;

	r->closed++;
	r->fd_in_closed = qmp_fd(c);
	snprintf(r->why, sizeof r->why, "%s", why);
	logf_(r, "closed;");
	r->sent_in_closed = qmp_send(c, "too-late", NULL, NULL, NULL);
}

static const struct qmp_callbacks rec_cbs = { rec_ready, rec_event, rec_closed };

static void
tag_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct tag *t = arg;
	struct json_object *cls;

	if (error != NULL) {
		ck_assert_ptr_null(ret);
		ck_assert(json_object_object_get_ex(error, "class", &cls));
		logf_(t->r, "reply:%s:err:%s;", t->name,
		    json_object_get_string(cls));
		/* the connection is going: sending now must be refused */
		if (strcmp(json_object_get_string(cls), "Disconnected") == 0)
			ck_assert_int_eq(qmp_send(c, "x", NULL, NULL, NULL), -1);
	} else
		logf_(t->r, "reply:%s:ok;", t->name);
	if (t->chain)
		ck_assert_int_gt(qmp_send(c, "chained", NULL, NULL, NULL), 0);
}

/* The fake QEMU's side: line-oriented, blocking with a timeout. */
struct peer {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
};

static void
peer_write(struct peer *p, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		n = write(p->fd, s + off, len - off);
		ck_assert_int_gt(n, 0);
		off += (size_t)n;
	}
}

/* Next line from the client, parsed; NULL when none comes within timeout_ms. */
static struct json_object *
peer_read(struct peer *p, int timeout_ms)
{
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	struct json_object *o;
	char *nl;
	ssize_t n;

	for (;;) {
		if (p->len > 0 && (nl = memchr(p->buf, '\n', p->len)) != NULL) {
			*nl = '\0';
			o = json_tokener_parse(p->buf);
			ck_assert_msg(o != NULL, "client sent bad JSON: %.200s",
			    p->buf);
			p->len -= (size_t)(nl + 1 - p->buf);
			memmove(p->buf, nl + 1, p->len);
			return o;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return NULL;
		if (p->len + 65536 > p->cap) {
			p->cap = p->len + 65536 * 2;
			p->buf = realloc(p->buf, p->cap);
		}
		n = read(p->fd, p->buf + p->len, p->cap - p->len);
		if (n <= 0)
			return NULL;
		p->len += (size_t)n;
	}
}

/* Read one command, check its name, return its id. */
static long
peer_expect(struct peer *p, const char *command)
{
	struct json_object *o = peer_read(p, 2000), *id;
	long v;

	ck_assert_msg(o != NULL, "no %s from the client", command);
	ck_assert_str_eq(str_member(o, "execute"), command);
	ck_assert(json_object_object_get_ex(o, "id", &id));
	ck_assert(json_object_is_type(id, json_type_int));
	v = (long)json_object_get_int64(id);
	json_object_put(o);
	return v;
}

static void
peer_replyf(struct peer *p, const char *fmt, long id)
{
	char line[512];

	snprintf(line, sizeof line, fmt, id);
	peer_write(p, line);
}

/* Run the client until it has been idle for idle_ms; the last qmp_io result. */
static int
drive(struct qmp_client *c, int idle_ms)
{
	struct pollfd pfd;
	int n, rc = 0;

	for (;;) {
		pfd.fd = qmp_fd(c);
		pfd.events = qmp_want(c);
		pfd.revents = 0;
		n = poll(&pfd, 1, idle_ms);
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_int_ge(n, 0);
		if (n == 0)
			return rc;
		if ((rc = qmp_io(c, pfd.revents)) == -1)
			return -1;
	}
}

struct fake {
	struct rec		 r;
	struct peer		 peer;
	struct qmp_client	*c;
};

static void
fake_start(struct fake *f)
{
	int sv[2];

	memset(f, 0, sizeof *f);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	f->peer.fd = sv[1];
	f->c = qmp_new(sv[0], &rec_cbs, &f->r);
	f->r.c = f->c;
}

/* Greeting and negotiation; returns the id the capabilities used. */
static long
fake_handshake(struct fake *f)
{
	long id;

	peer_write(&f->peer, GREETING);
	ck_assert_int_eq(drive(f->c, 20), 0);
	id = peer_expect(&f->peer, "qmp_capabilities");
	ck_assert(!qmp_is_ready(f->c));
	ck_assert_int_eq(f->r.ready, 0);
	peer_replyf(&f->peer, "{\"return\": {}, \"id\": %ld}\r\n", id);
	ck_assert_int_eq(drive(f->c, 20), 0);
	ck_assert(qmp_is_ready(f->c));
	ck_assert_int_eq(f->r.ready, 1);
	return id;
}

static void
fake_end(struct fake *f)
{
	qmp_free(f->c);
	if (f->peer.fd != -1)
		close(f->peer.fd);
	free(f->peer.buf);
	json_object_put(f->r.ev_data);
}

START_TEST(client_handshake)
{
	struct fake f;

	fake_start(&f);
	ck_assert_str_eq(qmp_qemu_version(f.c), "");
	ck_assert_int_eq(qmp_want(f.c) & POLLOUT, 0);
	fake_handshake(&f);
	ck_assert_str_eq(qmp_qemu_version(f.c), "7.2.0");
	ck_assert_str_eq(f.r.log, "ready;");
	fake_end(&f);
}
END_TEST

START_TEST(client_queued_before_ready)
{
	struct tag a = { NULL, "a", false }, b = { NULL, "b", false };
	struct json_object *o;
	long ida, idb, idc;
	struct fake f;

	fake_start(&f);
	a.r = b.r = &f.r;
	ida = qmp_send(f.c, "query-status", NULL, tag_reply, &a);
	idb = qmp_send(f.c, "query-name", NULL, tag_reply, &b);
	ck_assert_int_gt(ida, 0);
	ck_assert_int_gt(idb, ida);
	ck_assert_int_eq(drive(f.c, 20), 0);
	/* nothing may go out before the greeting */
	ck_assert_ptr_null(peer_read(&f.peer, 50));
	peer_write(&f.peer, GREETING);
	ck_assert_int_eq(drive(f.c, 20), 0);
	idc = peer_expect(&f.peer, "qmp_capabilities");
	ck_assert_int_gt(idc, idb);
	/* ... nor before the capabilities are accepted */
	ck_assert_ptr_null(peer_read(&f.peer, 50));
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", idc);
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_int_eq(peer_expect(&f.peer, "query-status"), ida);
	ck_assert_int_eq(peer_expect(&f.peer, "query-name"), idb);
	peer_replyf(&f.peer, "{\"return\": {\"name\": \"vm\"}, \"id\": %ld}\r\n", idb);
	peer_replyf(&f.peer, "{\"return\": {\"status\": \"paused\"}, \"id\": %ld}\r\n", ida);
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log, "ready;reply:b:ok;reply:a:ok;");
	o = peer_read(&f.peer, 20);
	ck_assert_ptr_null(o);
	fake_end(&f);
}
END_TEST

START_TEST(client_arguments_and_ids)
{
	struct json_object *args = json_object_new_object(), *o, *a;
	long id1, id2;
	struct fake f;

	fake_start(&f);
	fake_handshake(&f);
	json_object_object_add(args, "device", json_object_new_string("a/b\"c"));
	id1 = qmp_send(f.c, "eject", args, NULL, NULL);
	id2 = qmp_send(f.c, "stop", NULL, NULL, NULL);
	ck_assert_int_gt(id2, id1);
	o = peer_read(&f.peer, 1000);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str_member(o, "execute"), "eject");
	ck_assert(json_object_object_get_ex(o, "arguments", &a));
	ck_assert_str_eq(str_member(a, "device"), "a/b\"c");
	json_object_put(o);
	o = peer_read(&f.peer, 1000);
	ck_assert(!json_object_object_get_ex(o, "arguments", NULL));
	json_object_put(o);
	fake_end(&f);
}
END_TEST

START_TEST(client_event_before_reply)
{
	struct tag t = { NULL, "stop", false };
	struct json_object *v;
	struct fake f;
	char line[512];
	long id;

	fake_start(&f);
	t.r = &f.r;
	fake_handshake(&f);
	ck_assert_int_gt(qmp_send(f.c, "stop", NULL, tag_reply, &t), 0);
	id = peer_expect(&f.peer, "stop");
	snprintf(line, sizeof line,
	    "{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 42}, "
	    "\"event\": \"STOP\"}\r\n{\"return\": {}, \"id\": %ld}\r\n"
	    "{\"event\": \"X\", \"data\": {\"k\": \"v\"}}\r\n", id);
	peer_write(&f.peer, line);
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log, "ready;event:STOP;reply:stop:ok;event:X;");
	/* no timestamp: zeros; data passed through */
	ck_assert_int_eq(f.r.ev_seconds, 0);
	ck_assert(json_object_object_get_ex(f.r.ev_data, "k", &v));
	ck_assert_str_eq(json_object_get_string(v), "v");
	fake_end(&f);
}
END_TEST

START_TEST(client_event_fields)
{
	struct fake f;

	fake_start(&f);
	fake_handshake(&f);
	peer_write(&f.peer, "{\"timestamp\": {\"seconds\": 1700000001, "
	    "\"microseconds\": 654321}, \"event\": \"RESUME\"}\r\n");
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log, "ready;event:RESUME;");
	ck_assert_int_eq(f.r.ev_seconds, 1700000001LL);
	ck_assert_int_eq(f.r.ev_micros, 654321);
	ck_assert_ptr_null(f.r.ev_data);
	fake_end(&f);
}
END_TEST

START_TEST(client_reply_without_id)
{
	struct tag a = { NULL, "a", false }, b = { NULL, "b", false };
	struct tag c1 = { NULL, "c", false };
	long ida, idb;
	struct fake f;

	fake_start(&f);
	a.r = b.r = c1.r = &f.r;
	fake_handshake(&f);

	/* exactly one command in flight: the id-less error is its answer */
	ck_assert_int_gt(qmp_send(f.c, "bogus", NULL, tag_reply, &c1), 0);
	peer_expect(&f.peer, "bogus");
	peer_write(&f.peer, "{\"error\": {\"class\": \"GenericError\", "
	    "\"desc\": \"JSON parse error\"}}\r\n");
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log, "ready;reply:c:err:GenericError;");

	/* two in flight: ambiguous, ignored; the real replies still match */
	ida = qmp_send(f.c, "a", NULL, tag_reply, &a);
	idb = qmp_send(f.c, "b", NULL, tag_reply, &b);
	peer_expect(&f.peer, "a");
	peer_expect(&f.peer, "b");
	peer_write(&f.peer, "{\"error\": {\"class\": \"GenericError\", "
	    "\"desc\": \"?\"}}\r\n");
	/* unknown ids and foreign id types are ignored too */
	peer_write(&f.peer, "{\"return\": {}, \"id\": 999}\r\n"
	    "{\"return\": {}, \"id\": \"a\"}\r\n{\"hello\": 1}\r\n");
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log, "ready;reply:c:err:GenericError;");
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", idb);
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", ida);
	/* answered already: a second reply with the same id is ignored */
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", ida);
	ck_assert_int_eq(drive(f.c, 20), 0);
	ck_assert_str_eq(f.r.log,
	    "ready;reply:c:err:GenericError;reply:b:ok;reply:a:ok;");
	fake_end(&f);
}
END_TEST

START_TEST(client_eof_with_pending)
{
	struct tag a = { NULL, "a", false }, b = { NULL, "b", false };
	struct fake f;

	fake_start(&f);
	a.r = b.r = &f.r;
	fake_handshake(&f);
	qmp_send(f.c, "a", NULL, tag_reply, &a);
	qmp_send(f.c, "b", NULL, tag_reply, &b);
	peer_expect(&f.peer, "a");
	close(f.peer.fd);
	f.peer.fd = -1;
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_str_eq(f.r.log, "ready;reply:a:err:Disconnected;"
	    "reply:b:err:Disconnected;closed;");
	ck_assert_int_eq(f.r.closed, 1);
	ck_assert_int_ge(f.r.fd_in_closed, 0);
	ck_assert_int_eq(f.r.sent_in_closed, -1);
	ck_assert_ptr_nonnull(strstr(f.r.why, "closed"));
	/* from now on: gone, quietly */
	ck_assert_int_eq(qmp_io(f.c, POLLIN), -1);
	ck_assert_int_eq(qmp_send(f.c, "c", json_object_new_object(), NULL,
	    NULL), -1);
	ck_assert_int_eq(qmp_want(f.c), 0);
	ck_assert_int_eq(qmp_fd(f.c), -1);
	ck_assert(!qmp_is_ready(f.c));
	ck_assert_str_eq(qmp_qemu_version(f.c), "7.2.0");
	ck_assert_int_eq(f.r.closed, 1);
	fake_end(&f);
}
END_TEST

START_TEST(client_eof_before_greeting)
{
	struct tag a = { NULL, "held", false };
	struct fake f;

	fake_start(&f);
	a.r = &f.r;
	qmp_send(f.c, "held", NULL, tag_reply, &a);
	close(f.peer.fd);
	f.peer.fd = -1;
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_str_eq(f.r.log, "reply:held:err:Disconnected;closed;");
	fake_end(&f);
}
END_TEST

START_TEST(client_quit_sequence)
{
	struct tag t = { NULL, "quit", false };
	struct fake f;
	char line[512];
	long id;

	fake_start(&f);
	t.r = &f.r;
	fake_handshake(&f);
	qmp_send(f.c, "quit", NULL, tag_reply, &t);
	id = peer_expect(&f.peer, "quit");
	/* all in one read, then EOF: nothing may be lost */
	snprintf(line, sizeof line, "{\"timestamp\": {\"seconds\": 1, "
	    "\"microseconds\": 2}, \"event\": \"SHUTDOWN\", \"data\": "
	    "{\"guest\": false, \"reason\": \"host-qmp-quit\"}}\r\n"
	    "{\"return\": {}, \"id\": %ld}\r\n", id);
	peer_write(&f.peer, line);
	close(f.peer.fd);
	f.peer.fd = -1;
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_str_eq(f.r.log, "ready;event:SHUTDOWN;reply:quit:ok;closed;");
	fake_end(&f);
}
END_TEST

START_TEST(client_reentrant_send)
{
	struct tag t = { NULL, "first", true };
	struct fake f;
	long id;

	fake_start(&f);
	t.r = &f.r;
	f.r.send_in_ready = true;
	f.r.send_in_event = true;
	fake_handshake(&f);
	peer_expect(&f.peer, "from-ready");
	qmp_send(f.c, "first", NULL, tag_reply, &t);
	id = peer_expect(&f.peer, "first");
	peer_write(&f.peer, "{\"event\": \"STOP\"}\r\n");
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", id);
	ck_assert_int_eq(drive(f.c, 20), 0);
	peer_expect(&f.peer, "from-event");
	peer_expect(&f.peer, "chained");
	ck_assert_str_eq(f.r.log, "ready;event:STOP;reply:first:ok;");
	fake_end(&f);
}
END_TEST

START_TEST(client_free_in_callback)
{
	struct fake f;

	fake_start(&f);
	fake_handshake(&f);
	f.r.free_in_event = true;
	peer_write(&f.peer, "{\"event\": \"A\"}\r\n{\"event\": \"B\"}\r\n");
	/* the free is deferred to the end of qmp_io; no callback after it */
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_str_eq(f.r.log, "ready;event:A;");
	f.c = NULL;
	fake_end(&f);
}
END_TEST

START_TEST(client_write_queue)
{
	size_t n = 4 * 1024 * 1024;
	char *big = malloc(n + 1);
	struct json_object *args = json_object_new_object(), *o = NULL, *a;
	struct fake f;
	int i;

	fake_start(&f);
	fake_handshake(&f);
	memset(big, 'q', n);
	big[n] = '\0';
	json_object_object_add(args, "data", json_object_new_string(big));
	free(big);
	ck_assert_int_gt(qmp_send(f.c, "big", args, NULL, NULL), 0);
	/* the socket cannot take 4 MiB at once: the rest waits for POLLOUT */
	ck_assert(qmp_want(f.c) & POLLOUT);
	for (i = 0; i < 10000 && o == NULL; i++) {
		ck_assert_int_eq(qmp_io(f.c, POLLOUT), 0);
		o = peer_read(&f.peer, 0);
	}
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str_member(o, "execute"), "big");
	ck_assert(json_object_object_get_ex(o, "arguments", &a));
	ck_assert_uint_eq(strlen(str_member(a, "data")), n);
	ck_assert_int_eq(qmp_want(f.c) & POLLOUT, 0);
	json_object_put(o);
	fake_end(&f);
}
END_TEST

START_TEST(client_not_qmp)
{
	struct fake f;

	fake_start(&f);
	peer_write(&f.peer, "{\"hello\": \"world\"}\r\n");
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_int_eq(f.r.closed, 1);
	ck_assert_ptr_nonnull(strstr(f.r.why, "not a QMP server"));
	fake_end(&f);
}
END_TEST

START_TEST(client_caps_refused)
{
	struct fake f;
	long id;

	fake_start(&f);
	peer_write(&f.peer, GREETING);
	ck_assert_int_eq(drive(f.c, 20), 0);
	id = peer_expect(&f.peer, "qmp_capabilities");
	peer_replyf(&f.peer, "{\"error\": {\"class\": \"CommandNotFound\", "
	    "\"desc\": \"nope\"}, \"id\": %ld}\r\n", id);
	ck_assert_int_eq(drive(f.c, 20), -1);
	ck_assert_int_eq(f.r.ready, 0);
	ck_assert_int_eq(f.r.closed, 1);
	ck_assert_ptr_nonnull(strstr(f.r.why, "capabilities"));
	ck_assert_ptr_nonnull(strstr(f.r.why, "nope"));
	fake_end(&f);
}
END_TEST

START_TEST(client_oversize_closes)
{
	struct tag t = { NULL, "x", false };
	size_t n = 1100 * 1024;
	char *big = malloc(n + 1);
	struct fake f;
	int rc;

	fake_start(&f);
	t.r = &f.r;
	fake_handshake(&f);
	qmp_send(f.c, "x", NULL, tag_reply, &t);
	memset(big, 'z', n);
	memcpy(big, "{\"event\": \"E\", \"data\": \"", 24);
	big[n] = '\0';
	/* the socket buffer is smaller than the message: interleave */
	fcntl(f.peer.fd, F_SETFL, O_NONBLOCK);
	{
		size_t off = 0;
		ssize_t w;

		rc = 0;
		while (off < n && rc == 0) {
			w = write(f.peer.fd, big + off, n - off);
			if (w > 0)
				off += (size_t)w;
			rc = qmp_io(f.c, POLLIN);
		}
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(f.r.log, "ready;reply:x:err:Disconnected;closed;");
	ck_assert_ptr_nonnull(strstr(f.r.why, "larger"));
	free(big);
	fake_end(&f);
}
END_TEST

START_TEST(client_read_budget)
{
	enum { EVENTS = 4000 };
	struct fake f;
	pid_t pid;
	int first, st, i;

	fake_start(&f);
	fake_handshake(&f);
	/* a child floods events (about 2 MiB) while we read */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char line[600];
		size_t off, len;
		ssize_t w;

		memset(line, ' ', sizeof line);
		memcpy(line, "{\"event\": \"E\"}", 14);
		line[sizeof line - 2] = '\r';
		line[sizeof line - 1] = '\n';
		for (i = 0; i < EVENTS; i++) {
			for (off = 0, len = sizeof line; off < len; off += (size_t)w)
				if ((w = write(f.peer.fd, line + off, len - off)) <= 0)
					_exit(1);
		}
		_exit(0);
	}
	close(f.peer.fd);
	f.peer.fd = -1;
	usleep(100 * 1000);
	ck_assert_int_eq(qmp_io(f.c, POLLIN), 0);
	first = f.r.events;
	/* one call reads at most 256 KiB (plus one read's worth) */
	ck_assert_int_le(first, (256 + 64) * 1024 / 600 + 1);
	ck_assert_int_gt(first, 0);
	ck_assert_int_eq(drive(f.c, 2000), -1);
	ck_assert_int_eq(f.r.events, EVENTS);
	ck_assert_int_eq(f.r.closed, 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fake_end(&f);
}
END_TEST

START_TEST(client_call_sync)
{
	struct json_object *ret;
	struct fake f;
	qt_error err;
	long caps;

	fake_start(&f);
	caps = fake_handshake(&f);
	/* ids are sequential: answer the next call before it is made */
	peer_replyf(&f.peer, "{\"return\": {\"status\": \"paused\", "
	    "\"running\": false}, \"id\": %ld}\r\n", caps + 1);
	ret = qmp_call_sync(f.c, "query-status", NULL, 2000, &err);
	ck_assert_msg(ret != NULL, "%s", err.msg);
	ck_assert_str_eq(str_member(ret, "status"), "paused");
	json_object_put(ret);
	peer_expect(&f.peer, "query-status");

	peer_replyf(&f.peer, "{\"error\": {\"class\": \"GenericError\", "
	    "\"desc\": \"boom\"}, \"id\": %ld}\r\n", caps + 2);
	ck_assert_ptr_null(qmp_call_sync(f.c, "explode", NULL, 2000, &err));
	ck_assert_str_eq(err.msg, "QMP command explode failed: GenericError: boom");
	peer_expect(&f.peer, "explode");

	/* no answer in time; the late reply must not touch the dead frame */
	ck_assert_ptr_null(qmp_call_sync(f.c, "slow", NULL, 100, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no reply within 100 ms"));
	peer_replyf(&f.peer, "{\"return\": {}, \"id\": %ld}\r\n", caps + 3);
	ck_assert_int_eq(qmp_pump_sync(f.c, 50), 0);

	/* connection lost during the call */
	close(f.peer.fd);
	f.peer.fd = -1;
	ck_assert_ptr_null(qmp_call_sync(f.c, "gone", NULL, 2000, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "Disconnected"));
	ck_assert_ptr_null(qmp_call_sync(f.c, "gone", NULL, 2000, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "gone failed"));
	ck_assert_int_eq(qmp_pump_sync(f.c, 10), -1);
	fake_end(&f);
}
END_TEST

static char *
make_tmpdir(void)
{
	char *d = strdup("/tmp/qmp-test-XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

START_TEST(client_connect_errors)
{
	char path[300], *dir = make_tmpdir();
	struct sockaddr_un sun;
	qt_error err;
	int l, fd;

	snprintf(path, sizeof path, "%s/none.sock", dir);
	ck_assert_int_eq(unix_connect(path, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no VM listening on"));
	ck_assert_ptr_nonnull(strstr(err.msg, path));

	memset(path, 'p', sizeof path);
	memcpy(path, "/tmp/", 5);
	path[sizeof path - 1] = '\0';
	ck_assert_int_eq(unix_connect(path, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "too long"));
	ck_assert_ptr_nonnull(strstr(err.msg, path));

	/* a socket file nobody listens on any more */
	snprintf(path, sizeof path, "%s/stale.sock", dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sun, sizeof sun), 0);
	close(l);
	ck_assert_int_eq(unix_connect(path, &err), -1);
	ck_assert_str_eq(err.msg + strlen(err.msg) - strlen(path), path);
	ck_assert_ptr_nonnull(strstr(err.msg, "no VM listening on"));
	unlink(path);

	/* a listener: connected, non-blocking and close-on-exec */
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(l, 4), 0);
	fd = unix_connect(path, &err);
	ck_assert_int_ge(fd, 0);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	/* it accepts (backlog) but never greets */
	ck_assert_ptr_null(qmp_open_sync(path, 150, NULL, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no greeting within 150 ms"));
	close(l);
	unlink(path);
	ck_assert_ptr_null(qmp_open_sync(path, 150, NULL, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no VM listening on"));
	rmdir(dir);
	free(dir);
}
END_TEST

/* ---- on the loop ---- */

struct on_loop {
	struct qmp_client	*c;
	int			 ready, closed, replies;
};

static void
ol_ready(struct qmp_client *c, void *arg)
{
	((struct on_loop *)arg)->ready++;
}

/* The owner frees the client from its own closed callback: loop_guard finishes it. */
static void
ol_closed(struct qmp_client *c, const char *why, void *arg)
{
	struct on_loop *o = arg;

	o->closed++;
	qmp_free(c);
	o->c = NULL;
}

static void
ol_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	((struct on_loop *)arg)->replies++;
}

static const struct qmp_callbacks ol_cbs = { ol_ready, NULL, ol_closed };

/* Turn the loop and read the peer in turns until a whole command arrived. */
static struct json_object *
loop_until_command(struct loop *l, struct peer *p)
{
	long long until = now_ms() + 5000;
	struct json_object *o = NULL;

	while (o == NULL && now_ms() < until) {
		loop_run_once(l, 5);
		o = peer_read(p, 5);
	}
	ck_assert_msg(o != NULL, "no command from the client on the loop");
	return o;
}

START_TEST(client_on_loop)
{
	char path[300], *dir = make_tmpdir(), *big;
	struct sockaddr_un sun;
	struct peer peer;
	struct on_loop ol;
	struct loop *l = loop_new();
	struct json_object *o, *args, *id;
	qt_error err;
	int lfd, i;
	size_t big_len = 4 * 1024 * 1024;

	memset(&ol, 0, sizeof ol);
	memset(&peer, 0, sizeof peer);
	snprintf(path, sizeof path, "%s/qmp.sock", dir);
	ck_assert_ptr_null(qmp_open(l, path, &ol_cbs, &ol, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no VM listening on"));
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	ol.c = qmp_open(l, path, &ol_cbs, &ol, &err);
	ck_assert_ptr_nonnull(ol.c);
	peer.fd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(peer.fd, 0);

	peer_write(&peer, GREETING);
	o = loop_until_command(l, &peer);
	ck_assert_str_eq(str_member(o, "execute"), "qmp_capabilities");
	ck_assert(json_object_object_get_ex(o, "id", &id));
	peer_replyf(&peer, "{\"return\": {}, \"id\": %ld}\r\n",
	    (long)json_object_get_int64(id));
	json_object_put(o);
	for (i = 0; i < 200 && ol.ready == 0; i++)
		loop_run_once(l, 10);
	ck_assert_int_eq(ol.ready, 1);

	/* More than the socket takes at once: the client asks for POLLOUT by itself,
	 * with no loop_io_set from its owner. */
	big = malloc(big_len + 1);
	memset(big, 'x', big_len);
	big[big_len] = '\0';
	args = json_object_new_object();
	json_object_object_add(args, "blob", json_object_new_string(big));
	free(big);
	ck_assert_int_gt(qmp_send(ol.c, "big", args, ol_reply, &ol), 0);
	o = loop_until_command(l, &peer);
	ck_assert_str_eq(str_member(o, "execute"), "big");
	ck_assert(json_object_object_get_ex(o, "id", &id));
	peer_replyf(&peer, "{\"return\": {}, \"id\": %ld}\r\n",
	    (long)json_object_get_int64(id));
	json_object_put(o);
	for (i = 0; i < 200 && ol.replies == 0; i++)
		loop_run_once(l, 10);
	ck_assert_int_eq(ol.replies, 1);

	/* EOF: closed, freed from inside it, and off the loop (ASan checks the rest). */
	close(peer.fd);
	for (i = 0; i < 200 && ol.closed == 0; i++)
		loop_run_once(l, 10);
	ck_assert_int_eq(ol.closed, 1);
	ck_assert_ptr_null(ol.c);
	loop_run_once(l, 10);
	loop_free(l);
	free(peer.buf);
	close(lfd);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

/* ---- the real QEMU ---- */

struct qemu {
	pid_t	 pid;
	char	*dir;
	char	 sock[256];
};

/* One per test process; cleaned by teardown, or atexit when a check fails in a fork. */
static struct qemu the_qemu;

static void
qemu_cleanup(void)
{
	int st;

	if (the_qemu.pid > 0) {
		kill(the_qemu.pid, SIGKILL);
		waitpid(the_qemu.pid, &st, 0);
		the_qemu.pid = 0;
	}
	if (the_qemu.dir != NULL) {
		unlink(the_qemu.sock);
		rmdir(the_qemu.dir);
		free(the_qemu.dir);
		the_qemu.dir = NULL;
	}
}

static bool
in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, full[4096];
	bool found = false;

	if (path == NULL)
		return false;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", prog);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* False (with a printed reason) when the test must be skipped. */
static bool
qemu_start(const char *test)
{
	const char *ci = getenv("CI");
	char qmparg[300];
	struct stat sb;
	long long deadline;
	static bool registered;
	int st = 0, fd;

	if (!in_path("qemu-system-x86_64")) {
		ck_assert_msg(ci == NULL || strcmp(ci, "true") != 0,
		    "qemu-system-x86_64 is not in PATH and CI=true");
		printf("SKIP %s: qemu-system-x86_64 is not in PATH\n", test);
		return false;
	}
	if (!registered) {
		atexit(qemu_cleanup);
		registered = true;
	}
	the_qemu.dir = make_tmpdir();
	snprintf(the_qemu.sock, sizeof the_qemu.sock, "%s/q.sock", the_qemu.dir);
	snprintf(qmparg, sizeof qmparg, "unix:%s,server=on,wait=off",
	    the_qemu.sock);
	the_qemu.pid = fork();
	ck_assert_int_ge(the_qemu.pid, 0);
	if (the_qemu.pid == 0) {
		char *argv[] = { "qemu-system-x86_64", "-machine", "none",
		    "-display", "none", "-nodefaults", "-S", "-qmp", qmparg,
		    NULL };

		/* never outlive the test, whatever happens to it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	deadline = now_ms() + 10000;
	while (stat(the_qemu.sock, &sb) == -1 || !S_ISSOCK(sb.st_mode)) {
		ck_assert_msg(waitpid(the_qemu.pid, &st, WNOHANG) == 0,
		    "QEMU exited at start (status %d)", st);
		ck_assert_msg(now_ms() < deadline,
		    "QEMU's QMP socket did not appear within 10 s");
		usleep(10 * 1000);
	}
	/* QEMU binds the socket file before it listens: a connect in between is refused. */
	for (;;) {
		struct sockaddr_un sun;
		int probe = socket(AF_UNIX, SOCK_STREAM, 0);

		ck_assert_int_ge(probe, 0);
		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, the_qemu.sock, strlen(the_qemu.sock) + 1);
		if (connect(probe, (struct sockaddr *)&sun, sizeof sun) == 0) {
			close(probe);
			break;
		}
		close(probe);
		ck_assert_msg(now_ms() < deadline, "QEMU's QMP socket refused connections for 10 s");
		usleep(10 * 1000);
	}
	return true;
}

static void
qemu_teardown(void)
{
	qemu_cleanup();
}

static bool
wait_event(struct qmp_client *c, struct rec *r, const char *ev, int ms)
{
	long long deadline = now_ms() + ms;

	while (strstr(r->log, ev) == NULL && now_ms() < deadline)
		if (qmp_pump_sync(c, 20) == -1)
			break;
	return strstr(r->log, ev) != NULL;
}

static struct json_object *
status(struct qmp_client *c, bool *running)
{
	struct json_object *ret, *v;
	qt_error err;

	ret = qmp_call_sync(c, "query-status", NULL, 5000, &err);
	ck_assert_msg(ret != NULL, "%s", err.msg);
	ck_assert(json_object_object_get_ex(ret, "running", &v));
	*running = json_object_get_boolean(v);
	return ret;
}

START_TEST(real_qemu_status_cont_stop)
{
	struct json_object *ret, *args;
	struct qmp_client *c;
	struct rec r;
	bool running;
	qt_error err;
	const char *st;

	if (!qemu_start("real_qemu_status_cont_stop"))
		return;
	memset(&r, 0, sizeof r);
	c = qmp_open_sync(the_qemu.sock, 5000, &rec_cbs, &r, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert_int_eq(r.ready, 1);
	ck_assert_msg(strncmp(qmp_qemu_version(c), "7.", 2) == 0,
	    "version %s", qmp_qemu_version(c));

	ret = status(c, &running);
	st = str_member(ret, "status");
	ck_assert_msg(strcmp(st, "prelaunch") == 0 || strcmp(st, "paused") == 0,
	    "status %s", st);
	ck_assert(!running);
	json_object_put(ret);

	ret = qmp_call_sync(c, "cont", NULL, 5000, &err);
	ck_assert_msg(ret != NULL, "%s", err.msg);
	json_object_put(ret);
	ck_assert_msg(wait_event(c, &r, "event:RESUME;", 5000), "log %s", r.log);
	ret = status(c, &running);
	ck_assert(running);
	ck_assert_str_eq(str_member(ret, "status"), "running");
	json_object_put(ret);

	ret = qmp_call_sync(c, "stop", NULL, 5000, &err);
	ck_assert_msg(ret != NULL, "%s", err.msg);
	json_object_put(ret);
	ck_assert_msg(wait_event(c, &r, "event:STOP;", 5000), "log %s", r.log);
	ck_assert_int_gt(r.ev_seconds, 1600000000LL);
	ret = status(c, &running);
	ck_assert(!running);
	ck_assert_str_eq(str_member(ret, "status"), "paused");
	json_object_put(ret);

	ck_assert_ptr_null(qmp_call_sync(c, "no-such-command", NULL, 5000, &err));
	ck_assert_msg(strstr(err.msg, "failed: CommandNotFound: ") != NULL,
	    "%s", err.msg);
	/* negotiated already: a second one is refused */
	ck_assert_ptr_null(qmp_call_sync(c, "qmp_capabilities", NULL, 5000, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "CommandNotFound"));
	args = json_object_new_object();
	json_object_object_add(args, "bogus", json_object_new_int(1));
	ck_assert_ptr_null(qmp_call_sync(c, "query-status", args, 5000, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "GenericError"));
	ck_assert_int_eq(r.closed, 0);
	qmp_free(c);
	json_object_put(r.ev_data);
}
END_TEST

START_TEST(real_qemu_async_quit)
{
	struct tag tq = { NULL, "quit", false }, ts = { NULL, "status", false };
	struct tag tc = { NULL, "cont", false };
	struct json_object *data, *v;
	struct qmp_client *c;
	struct rec r;
	qt_error err;
	long long deadline;
	int fd, st = 0, rc = 0, i;

	if (!qemu_start("real_qemu_async_quit"))
		return;
	memset(&r, 0, sizeof r);
	tq.r = ts.r = tc.r = &r;
	/* the dashboard's way: everything through qmp_want/qmp_io, queued before ready */
	fd = unix_connect(the_qemu.sock, &err);
	ck_assert_msg(fd != -1, "%s", err.msg);
	c = qmp_new(fd, &rec_cbs, &r);
	ck_assert_int_gt(qmp_send(c, "query-status", NULL, tag_reply, &ts), 0);
	ck_assert_int_gt(qmp_send(c, "cont", NULL, tag_reply, &tc), 0);
	deadline = now_ms() + 5000;
	while (strstr(r.log, "event:RESUME;") == NULL && now_ms() < deadline)
		ck_assert_int_eq(drive(c, 20), 0);
	/* RESUME may come before or after cont's reply */
	ck_assert_msg(strncmp(r.log, "ready;reply:status:ok;", 22) == 0 &&
	    strstr(r.log, "reply:cont:ok;") != NULL, "log %s", r.log);
	ck_assert_int_gt(qmp_send(c, "quit", NULL, tag_reply, &tq), 0);
	for (i = 0; i < 250 && rc == 0; i++)
		rc = drive(c, 20);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(r.closed, 1);
	/* SHUTDOWN before closed; the reply may or may not beat the EOF */
	ck_assert_msg(strstr(r.log, "event:SHUTDOWN;") != NULL &&
	    strstr(r.log, "event:SHUTDOWN;") < strstr(r.log, "closed;"),
	    "log %s", r.log);
	ck_assert_msg(strstr(r.log, "reply:quit:") != NULL, "log %s", r.log);
	data = r.ev_data;
	ck_assert(json_object_object_get_ex(data, "reason", &v));
	ck_assert_str_eq(json_object_get_string(v), "host-qmp-quit");
	qmp_free(c);
	json_object_put(r.ev_data);
	/* QEMU exits by itself */
	deadline = now_ms() + 5000;
	while (waitpid(the_qemu.pid, &st, WNOHANG) == 0 && now_ms() < deadline)
		usleep(10 * 1000);
	ck_assert(kill(the_qemu.pid, 0) == -1);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	the_qemu.pid = 0;
}
END_TEST

static Suite *
qmp_suite(void)
{
	Suite *s = suite_create("qmp");
	TCase *tc;

	tc = tcase_create("parser");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parser_one_message);
	tcase_add_test(tc, parser_split_everywhere);
	tcase_add_test(tc, parser_two_messages_split_everywhere);
	tcase_add_test(tc, parser_split_bad_number);
	tcase_add_test(tc, parser_several_in_one_read);
	tcase_add_test(tc, parser_garbage_skipped);
	tcase_add_test(tc, parser_non_object_is_garbage);
	tcase_add_test(tc, parser_oversize);
	tcase_add_test(tc, parser_default_limit);
	tcase_add_test(tc, parser_deep_nesting);
	tcase_add_test(tc, parser_nul_bytes);
	tcase_add_test(tc, parser_invalid_utf8);
	tcase_add_test(tc, parser_empty_and_whitespace);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, client_handshake);
	tcase_add_test(tc, client_queued_before_ready);
	tcase_add_test(tc, client_arguments_and_ids);
	tcase_add_test(tc, client_event_before_reply);
	tcase_add_test(tc, client_event_fields);
	tcase_add_test(tc, client_reply_without_id);
	tcase_add_test(tc, client_eof_with_pending);
	tcase_add_test(tc, client_eof_before_greeting);
	tcase_add_test(tc, client_quit_sequence);
	tcase_add_test(tc, client_reentrant_send);
	tcase_add_test(tc, client_free_in_callback);
	tcase_add_test(tc, client_write_queue);
	tcase_add_test(tc, client_not_qmp);
	tcase_add_test(tc, client_caps_refused);
	tcase_add_test(tc, client_oversize_closes);
	tcase_add_test(tc, client_read_budget);
	tcase_add_test(tc, client_call_sync);
	tcase_add_test(tc, client_connect_errors);
	tcase_add_test(tc, client_on_loop);
	suite_add_tcase(s, tc);

	tc = tcase_create("real_qemu");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, NULL, qemu_teardown);
	tcase_add_test(tc, real_qemu_status_cont_stop);
	tcase_add_test(tc, real_qemu_async_quit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(qmp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
