/* QMP: a stream parser and a non-blocking client (one fd, driven by the poll loop). */
#include "qmp.h"

#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QMP_MAX_DEFAULT	(1024 * 1024)
#define QMP_DEPTH	32
/* Bytes read per qmp_io call, so one chatty QEMU cannot starve the loop. */
#define QMP_READ_BUDGET	(256 * 1024)

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL	0	/* macOS: SO_NOSIGPIPE is set in qmp_new */
#endif

/* ---- stream parser ---- */

/*
 * Incremental UTF-8 check (RFC 3629: no overlongs, surrogates or values
 * above U+10FFFF). json-c's own JSON_TOKENER_VALIDATE_UTF8 (0.16) rejects a
 * character split across two parse_ex calls, so it cannot be used here.
 */
struct utf8_state {
	unsigned	need;		/* continuation bytes still expected */
	unsigned char	lo, hi;		/* range of the next continuation byte */
};

struct qmp_parser {
	struct json_tokener	*tok;
	size_t			 max;
	size_t			 msg_len;	/* bytes of the message in progress */
	bool			 in_msg;
	bool			 skipping;	/* dropping garbage up to '\n' */
	bool			 broken;	/* oversize seen: stream unusable */
	unsigned		 garbage;
	struct utf8_state	 u;
	/* a read's tail of token bytes, held until the token is complete */
	char			*carry;
	size_t			 carry_len, carry_cap;
};

/* Returns the index of the first invalid byte, or -1. */
static ssize_t
utf8_check(struct utf8_state *u, const unsigned char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (u->need > 0) {
			if (c < u->lo || c > u->hi)
				return (ssize_t)i;
			u->need--;
			u->lo = 0x80;
			u->hi = 0xbf;
			continue;
		}
		if (c < 0x80)
			continue;
		u->lo = 0x80;
		u->hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			u->need = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			u->need = 2;
			if (c == 0xe0)
				u->lo = 0xa0;
			else if (c == 0xed)
				u->hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			u->need = 3;
			if (c == 0xf0)
				u->lo = 0x90;
			else if (c == 0xf4)
				u->hi = 0x8f;
		} else
			return (ssize_t)i;
	}
	return -1;
}

struct qmp_parser *
qmp_parser_new(size_t max_message)
{
	struct qmp_parser *p = xcalloc(1, sizeof *p);

	p->tok = json_tokener_new_ex(QMP_DEPTH);
	if (p->tok == NULL)
		fatal("out of memory (json tokener)");
	/*
	 * Strict: no comments, so whether a value is finished does not depend
	 * on where a read ended ("1/" vs "1" + "/"). Trailing bytes are the
	 * next message.
	 */
	json_tokener_set_flags(p->tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS);
	p->max = max_message ? max_message : QMP_MAX_DEFAULT;
	return p;
}

void
qmp_parser_free(struct qmp_parser *p)
{
	if (p == NULL)
		return;
	json_tokener_free(p->tok);
	free(p->carry);
	free(p);
}

unsigned
qmp_parser_garbage(const struct qmp_parser *p)
{
	return p->garbage;
}

/* Drop the message in progress; resync at the next line break. */
static void
parser_garbage(struct qmp_parser *p)
{
	json_tokener_reset(p->tok);
	p->in_msg = false;
	p->skipping = true;
	p->garbage++;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Bytes of numbers and literals (and harmlessly, of words in strings). */
static bool
is_token(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '.' || c == '+' || c == '-';
}

static int
parser_oversize(struct qmp_parser *p, qt_error *err)
{
	p->broken = true;
	err_set(err, "QMP message larger than %zu bytes", p->max);
	return -1;
}

static void
carry_add(struct qmp_parser *p, const char *buf, size_t len)
{
	if (p->carry_len + len > p->carry_cap) {
		p->carry_cap = p->carry_cap ? p->carry_cap : 256;
		while (p->carry_len + len > p->carry_cap)
			p->carry_cap *= 2;
		p->carry = xrealloc(p->carry, p->carry_cap);
	}
	memcpy(p->carry + p->carry_len, buf, len);
	p->carry_len += len;
}

/* Run bytes through the tokener; the caller made sure no token is cut. */
static int
parser_run(struct qmp_parser *p, const char *buf, size_t len,
    qmp_msg_cb cb, void *arg, qt_error *err)
{
	struct json_object *o;
	enum json_tokener_error e;
	const char *nl;
	size_t off = 0, chunk, end, body;
	ssize_t bad;

	while (off < len) {
		if (p->skipping) {
			if ((nl = memchr(buf + off, '\n', len - off)) == NULL)
				return 0;
			off = (size_t)(nl - buf) + 1;
			p->skipping = false;
			continue;
		}
		if (!p->in_msg) {
			while (off < len && is_ws(buf[off]))
				off++;
			if (off == len)
				break;
			p->in_msg = true;
			p->msg_len = 0;
			memset(&p->u, 0, sizeof p->u);
		}
		/* The tokener keeps partial input itself: only new bytes go in. */
		chunk = len - off > INT_MAX ? INT_MAX : len - off;
		o = json_tokener_parse_ex(p->tok, buf + off, (int)chunk);
		e = json_tokener_get_error(p->tok);
		end = json_tokener_get_parse_end(p->tok);
		/*
		 * Resync from the first bad byte, whichever check finds it, so
		 * the outcome does not depend on how the stream was cut. On a
		 * parse error end is the offending byte (maybe itself '\n').
		 * Past max bytes it is an oversize message, as a stream cut
		 * before the bad byte would have found.
		 */
		bad = utf8_check(&p->u, (const unsigned char *)buf + off, end);
		if (bad != -1 ||
		    (e != json_tokener_success && e != json_tokener_continue)) {
			json_object_put(o);
			if (bad != -1)
				end = (size_t)bad;
			if (p->msg_len + end > p->max)
				return parser_oversize(p, err);
			off += end;
			parser_garbage(p);
			continue;
		}
		/* Trailing whitespace eaten by the tokener is not the message. */
		body = end;
		if (e == json_tokener_success)
			while (body > 0 && is_ws(buf[off + body - 1]))
				body--;
		if (p->msg_len + body > p->max) {
			json_object_put(o);
			return parser_oversize(p, err);
		}
		p->msg_len += end;
		off += end;
		if (e == json_tokener_continue)
			continue;
		p->in_msg = false;
		json_tokener_reset(p->tok);
		if (json_object_is_type(o, json_type_object))
			cb(o, arg);
		else
			p->garbage++;
		json_object_put(o);
	}
	return 0;
}

/*
 * Held token bytes belong to the message in progress (or start the next).
 * Too many: run them now and let the tokener judge, as it would have.
 */
static int
carry_check(struct qmp_parser *p, qmp_msg_cb cb, void *arg, qt_error *err)
{
	char *data = p->carry;
	size_t len = p->carry_len;
	int rc;

	if (len + (p->in_msg ? p->msg_len : 0) <= p->max)
		return 0;
	p->carry = NULL;
	p->carry_len = p->carry_cap = 0;
	rc = parser_run(p, data, len, cb, arg, err);
	free(data);
	return rc;
}

/*
 * json-c checks number syntax only within one parse_ex call (and its int
 * parser ignores trailing junk), so "2-3" fed as "2" + "-3" could pass as
 * 2. Hence a read never ends inside a run of token bytes: that tail waits
 * for the next read, and the outcome no longer depends on the cuts.
 */
int
qmp_parser_feed(struct qmp_parser *p, const char *buf, size_t len,
    qmp_msg_cb cb, void *arg, qt_error *err)
{
	const char *data = buf;
	char *joined = NULL;
	size_t hold = 0, i;
	int rc;

	if (p->broken)
		return parser_oversize(p, err);
	if (p->carry_len > 0) {
		for (i = 0; i < len && is_token(buf[i]); i++)
			;
		carry_add(p, buf, len);
		/* Still inside the token: just collect (amortized, no rescans). */
		if (i == len)
			return carry_check(p, cb, arg, err);
		data = joined = p->carry;
		len = p->carry_len;
		p->carry = NULL;
		p->carry_len = p->carry_cap = 0;
	}
	while (hold < len && is_token(data[len - 1 - hold]))
		hold++;
	rc = parser_run(p, data, len - hold, cb, arg, err);
	/* Garbage being skipped has no token to finish. */
	if (rc == 0 && hold > 0 && !p->skipping) {
		carry_add(p, data + len - hold, hold);
		rc = carry_check(p, cb, arg, err);
	}
	free(joined);
	return rc;
}

/* ---- client ---- */

enum qmp_state {
	QMP_GREETING,		/* waiting for {"QMP": ...} */
	QMP_NEGOTIATING,	/* qmp_capabilities sent */
	QMP_READY,
	QMP_CLOSED,
};

struct qmp_pending {
	struct qmp_pending	*next;
	long			 id;
	qmp_reply_cb		 cb;	/* NULL: reply is swallowed */
	void			*arg;
	char			*held;	/* text waiting for ready; NULL once queued */
	size_t			 held_len;
};

struct qmp_client {
	int			 fd;
	enum qmp_state		 state;
	struct qmp_callbacks	 cb;
	void			*arg;
	struct qmp_parser	*parser;
	struct qmp_pending	*head, *tail;
	long			 next_id;

	char			*out;
	size_t			 out_off, out_len, out_cap;
	int			 werr;	/* write errno; reported after reading */

	char			 version[48];
	bool			 was_ready;
	char			*why;	/* reason the connection is (to be) closed */

	struct loop		*loop;	/* NULL: driven by hand (qmp_io) or the sync helpers */
	struct loop_guard	 guard;	/* qmp_free from inside a callback */
};

static void
client_fail(struct qmp_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
client_fail(struct qmp_client *c, const char *fmt, ...)
{
	va_list ap;

	/* The first reason wins: later ones are consequences. */
	if (c->why != NULL)
		return;
	va_start(ap, fmt);
	c->why = xvasprintf(fmt, ap);
	va_end(ap);
}

struct qmp_client *
qmp_new(int fd, const struct qmp_callbacks *cb, void *arg)
{
	struct qmp_client *c = xcalloc(1, sizeof *c);

	set_nonblock(fd);
#ifdef SO_NOSIGPIPE
	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &(int){ 1 }, sizeof(int));
#endif
	c->fd = fd;
	c->state = QMP_GREETING;
	if (cb != NULL)
		c->cb = *cb;
	c->arg = arg;
	c->parser = qmp_parser_new(0);
	return c;
}

static void
client_destroy(struct qmp_client *c)
{
	struct qmp_pending *p, *next;

	if (c->loop != NULL && c->fd != -1)
		loop_io_del(c->loop, c->fd);

	for (p = c->head; p != NULL; p = next) {
		next = p->next;
		free(p->held);
		free(p);
	}
	if (c->fd != -1)
		close(c->fd);
	qmp_parser_free(c->parser);
	free(c->out);
	free(c->why);
	free(c);
}

void
qmp_free(struct qmp_client *c)
{
	if (c == NULL)
		return;
	/* Off the loop at once; from inside a callback the rest waits until the
	 * outermost call unwinds. */
	if (c->loop != NULL && c->fd != -1)
		loop_io_del(c->loop, c->fd);
	c->loop = NULL;
	if (loop_guard_free(&c->guard))
		client_destroy(c);
}

static void
client_enter(struct qmp_client *c)
{
	loop_guard_enter(&c->guard);
}

/* True when the client was freed meanwhile: do not touch it any more. */
static bool
client_leave(struct qmp_client *c)
{
	if (loop_guard_leave(&c->guard)) {
		client_destroy(c);
		return true;
	}
	return false;
}

static bool
client_dying(const struct qmp_client *c)
{
	return loop_guard_dying(&c->guard);
}

/* On a loop: ask for what the client wants now (POLLOUT only while output waits). */
static void
client_arm(struct qmp_client *c)
{
	if (c->loop != NULL && c->fd != -1 && c->state != QMP_CLOSED)
		loop_io_set(c->loop, c->fd, qmp_want(c));
}

int
qmp_fd(const struct qmp_client *c)
{
	return c->fd;
}

bool
qmp_is_ready(const struct qmp_client *c)
{
	return c->state == QMP_READY;
}

const char *
qmp_qemu_version(const struct qmp_client *c)
{
	return c->was_ready ? c->version : "";
}

static bool
out_pending(const struct qmp_client *c)
{
	return c->out_off < c->out_len;
}

short
qmp_want(const struct qmp_client *c)
{
	if (c->state == QMP_CLOSED || client_dying(c))
		return 0;
	/* After a write error POLLOUT wakes the loop at once to report it. */
	return POLLIN | (out_pending(c) || c->werr ? POLLOUT : 0);
}

static void
out_add(struct qmp_client *c, const char *data, size_t len)
{
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + len > c->out_cap) {
		c->out_cap = c->out_cap ? c->out_cap : 4096;
		while (c->out_len + len > c->out_cap)
			c->out_cap *= 2;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

/* Write what the socket takes now; the rest waits for POLLOUT. */
static void
out_flush(struct qmp_client *c)
{
	ssize_t n;

	while (out_pending(c) && c->werr == 0 && c->fd != -1) {
		/* MSG_NOSIGNAL: a vanished QEMU must not kill us with SIGPIPE. */
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == ENOTSOCK)
			n = write(c->fd, c->out + c->out_off,
			    c->out_len - c->out_off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->werr = errno;
			break;
		}
		c->out_off += (size_t)n;
	}
	if (c->werr != 0 || c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
}

static struct qmp_pending *
pending_add(struct qmp_client *c, long id, qmp_reply_cb cb, void *arg)
{
	struct qmp_pending *p = xcalloc(1, sizeof *p);

	p->id = id;
	p->cb = cb;
	p->arg = arg;
	if (c->tail != NULL)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	return p;
}

static void
pending_unlink(struct qmp_client *c, struct qmp_pending *p)
{
	struct qmp_pending **pp, *prev = NULL;

	for (pp = &c->head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			if (c->tail == p)
				c->tail = prev;
			return;
		}
	}
}

static struct qmp_pending *
pending_find(struct qmp_client *c, long id)
{
	struct qmp_pending *p;

	for (p = c->head; p != NULL; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

/* Serialize a command as one line. args is consumed. */
static char *
command_text(const char *command, struct json_object *args, long id,
    size_t *len)
{
	struct json_object *o = json_object_new_object();
	const char *s;
	char *text;

	json_object_object_add(o, "execute", json_object_new_string(command));
	if (args != NULL)
		json_object_object_add(o, "arguments", args);
	json_object_object_add(o, "id", json_object_new_int64(id));
	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	text = xasprintf("%s\r\n", s);
	*len = strlen(text);
	json_object_put(o);
	return text;
}

static long
send_internal(struct qmp_client *c, const char *command,
    struct json_object *args, qmp_reply_cb cb, void *arg, bool hold)
{
	struct qmp_pending *p;
	size_t len;
	char *text;
	long id;

	id = ++c->next_id;
	text = command_text(command, args, id, &len);
	p = pending_add(c, id, cb, arg);
	if (hold) {
		p->held = text;
		p->held_len = len;
		return id;
	}
	out_add(c, text, len);
	free(text);
	out_flush(c);
	client_arm(c);
	return id;
}

long
qmp_send(struct qmp_client *c, const char *command,
    struct json_object *args, qmp_reply_cb cb, void *arg)
{
	if (c == NULL || c->state == QMP_CLOSED || client_dying(c) ||
	    command == NULL) {
		json_object_put(args);
		return -1;
	}
	return send_internal(c, command, args, cb, arg,
	    c->state != QMP_READY);
}

/* A member as text, never NULL (a peer may send null or leave it out). */
static const char *
member_text(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL ||
	    (s = json_object_get_string(v)) == NULL)
		return dflt;
	return s;
}

static const char *
error_class(struct json_object *error)
{
	return member_text(error, "class", "GenericError");
}

static const char *
error_desc(struct json_object *error)
{
	return member_text(error, "desc", "(no description)");
}

/* Reply to our qmp_capabilities: release the commands held until now. */
static void
caps_reply(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct qmp_pending *p;

	(void)ret;
	(void)arg;
	if (c->state == QMP_CLOSED)
		return;
	if (error != NULL) {
		client_fail(c, "QMP capabilities negotiation failed: %s: %s",
		    error_class(error), error_desc(error));
		return;
	}
	c->state = QMP_READY;
	c->was_ready = true;
	for (p = c->head; p != NULL; p = p->next) {
		if (p->held != NULL) {
			out_add(c, p->held, p->held_len);
			free(p->held);
			p->held = NULL;
		}
	}
	out_flush(c);
	if (c->cb.ready != NULL)
		c->cb.ready(c, c->arg);
}

static void
on_greeting(struct qmp_client *c, struct json_object *qmp)
{
	struct json_object *v, *q, *major, *minor, *micro;

	if (!json_object_is_type(qmp, json_type_object)) {
		client_fail(c, "not a QMP server (bad greeting)");
		return;
	}
	if (json_object_object_get_ex(qmp, "version", &v) &&
	    json_object_object_get_ex(v, "qemu", &q) &&
	    json_object_object_get_ex(q, "major", &major) &&
	    json_object_object_get_ex(q, "minor", &minor) &&
	    json_object_object_get_ex(q, "micro", &micro))
		snprintf(c->version, sizeof c->version, "%d.%d.%d",
		    json_object_get_int(major), json_object_get_int(minor),
		    json_object_get_int(micro));
	c->state = QMP_NEGOTIATING;
	/* Goes out before any held command: QEMU refuses them until negotiated. */
	send_internal(c, "qmp_capabilities", NULL, caps_reply, NULL, false);
}

static void
on_event(struct qmp_client *c, struct json_object *msg, const char *name)
{
	struct json_object *data = NULL, *ts, *v;
	long long seconds = 0;
	long micros = 0;

	if (c->cb.event == NULL)
		return;
	json_object_object_get_ex(msg, "data", &data);
	if (json_object_object_get_ex(msg, "timestamp", &ts)) {
		if (json_object_object_get_ex(ts, "seconds", &v))
			seconds = (long long)json_object_get_int64(v);
		if (json_object_object_get_ex(ts, "microseconds", &v))
			micros = (long)json_object_get_int64(v);
	}
	c->cb.event(c, name, data, seconds, micros, c->arg);
}

static void
on_reply(struct qmp_client *c, struct json_object *msg,
    struct json_object *ret, struct json_object *error)
{
	struct qmp_pending *p, *only = NULL;
	struct json_object *id = NULL;
	unsigned inflight = 0;

	if (json_object_object_get_ex(msg, "id", &id) && id != NULL) {
		/* Our ids are integers; anything else is not ours. */
		if (!json_object_is_type(id, json_type_int))
			return;
		p = pending_find(c, (long)json_object_get_int64(id));
		if (p == NULL || p->held != NULL)
			return;
	} else {
		/* Errors found before QEMU parsed the id come without one. */
		for (p = c->head; p != NULL; p = p->next) {
			if (p->held == NULL) {
				inflight++;
				only = p;
			}
		}
		if (inflight != 1)
			return;
		p = only;
	}
	/* Unlink first: the callback may send more commands. */
	pending_unlink(c, p);
	if (p->cb != NULL)
		p->cb(c, error != NULL ? NULL : ret, error, p->arg);
	free(p);
}

static void
on_message(struct json_object *msg, void *arg)
{
	struct qmp_client *c = arg;
	struct json_object *v, *ret = NULL, *error = NULL;
	bool has_ret, has_err;

	if (c->state == QMP_CLOSED || client_dying(c) || c->why != NULL)
		return;
	if (json_object_object_get_ex(msg, "QMP", &v)) {
		if (c->state == QMP_GREETING)
			on_greeting(c, v);
		return;
	}
	if (c->state == QMP_GREETING) {
		client_fail(c, "not a QMP server (no greeting)");
		return;
	}
	if (json_object_object_get_ex(msg, "event", &v) &&
	    json_object_is_type(v, json_type_string)) {
		on_event(c, msg, json_object_get_string(v));
		return;
	}
	has_ret = json_object_object_get_ex(msg, "return", &ret);
	has_err = json_object_object_get_ex(msg, "error", &error);
	if (has_ret || has_err)
		on_reply(c, msg, ret, error);
}

/* Fail every pending command, tell the owner, then close the fd. */
static void
client_close(struct qmp_client *c)
{
	struct qmp_pending *p, *next, *list = c->head;
	struct json_object *e;

	c->state = QMP_CLOSED;
	c->head = c->tail = NULL;
	c->out_off = c->out_len = 0;
	e = json_object_new_object();
	json_object_object_add(e, "class", json_object_new_string("Disconnected"));
	json_object_object_add(e, "desc", json_object_new_string(c->why));
	for (p = list; p != NULL; p = next) {
		next = p->next;
		if (p->cb != NULL && !client_dying(c))
			p->cb(c, NULL, e, p->arg);
		free(p->held);
		free(p);
	}
	json_object_put(e);
	if (c->loop != NULL && c->fd != -1)
		loop_io_del(c->loop, c->fd);
	/* qmp_fd() still answers here for an owner that polls the fd itself. */
	if (c->cb.closed != NULL && !client_dying(c))
		c->cb.closed(c, c->why, c->arg);
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
}

static void
client_read(struct qmp_client *c)
{
	char buf[65536];
	size_t total = 0;
	qt_error e;
	ssize_t n;

	while (total < QMP_READ_BUDGET && c->why == NULL && !client_dying(c)) {
		n = read(c->fd, buf, sizeof buf);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_fail(c, "QMP read: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			client_fail(c, "QMP connection closed");
			break;
		}
		total += (size_t)n;
		if (qmp_parser_feed(c->parser, buf, (size_t)n, on_message, c,
		    &e) == -1)
			client_fail(c, "%s", e.msg);
	}
}

int
qmp_io(struct qmp_client *c, short revents)
{
	if (c->state == QMP_CLOSED)
		return -1;
	client_enter(c);
	if (revents & POLLNVAL)
		client_fail(c, "QMP fd is not open");
	out_flush(c);
	/* Read even after a write error: QEMU's last events and replies wait there. */
	if (revents & (POLLIN | POLLHUP | POLLERR))
		client_read(c);
	if (c->werr != 0)
		client_fail(c, "QMP write: %s", strerror(c->werr));
	if (c->why != NULL && c->state != QMP_CLOSED)
		client_close(c);
	if (!client_dying(c))
		client_arm(c);
	if (client_leave(c))
		return -1;
	return c->state == QMP_CLOSED ? -1 : 0;
}

/* ---- on the loop ---- */

static void
loop_io(int fd, short revents, void *arg)
{
	(void)fd;
	qmp_io(arg, revents);
}

struct qmp_client *
qmp_open(struct loop *l, const char *path, const struct qmp_callbacks *cb,
    void *arg, qt_error *err)
{
	struct qmp_client *c;
	int fd;

	if ((fd = unix_connect(path, err)) == -1)
		return NULL;
	c = qmp_new(fd, cb, arg);
	c->loop = l;
	loop_io_add(l, fd, qmp_want(c), loop_io, c);
	return c;
}

/* ---- blocking helpers ---- */

static long long
deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* One poll() round: 0 = go on, 1 = deadline passed, -1 = connection gone. */
static int
sync_round(struct qmp_client *c, long long deadline)
{
	struct pollfd pfd;
	long long left = -1;
	int n;

	if (c->state == QMP_CLOSED || client_dying(c))
		return -1;
	if (deadline >= 0) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
	}
	pfd.fd = c->fd;
	pfd.events = qmp_want(c);
	pfd.revents = 0;
	n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
	if (n == -1) {
		if (errno == EINTR)
			return 0;
		client_fail(c, "poll: %s", strerror(errno));
		qmp_io(c, 0);
		return -1;
	}
	if (n == 0)
		return deadline >= 0 && now_ms() >= deadline ? 1 : 0;
	return qmp_io(c, pfd.revents) == -1 ? -1 : 0;
}

struct qmp_client *
qmp_open_sync(const char *path, int timeout_ms,
    const struct qmp_callbacks *cb, void *arg, qt_error *err)
{
	long long deadline = deadline_after(timeout_ms);
	struct qmp_client *c;
	int fd, r = 0;

	if ((fd = unix_connect(path, err)) == -1)
		return NULL;
	c = qmp_new(fd, cb, arg);
	client_enter(c);
	while (c->state != QMP_READY && r == 0)
		r = sync_round(c, deadline);
	if (r == -1 && !client_dying(c))
		err_set(err, "QMP on %s: %s", path,
		    c->why ? c->why : "connection closed");
	else if (r == 1)
		err_set(err, "QMP on %s: no %s within %d ms", path,
		    c->state == QMP_GREETING ? "greeting" :
		    "answer to qmp_capabilities", timeout_ms);
	if (client_leave(c)) {
		err_set(err, "QMP on %s: client freed by a callback", path);
		return NULL;
	}
	if (c->state != QMP_READY) {
		qmp_free(c);
		return NULL;
	}
	return c;
}

struct sync_reply {
	bool			 done;
	struct json_object	*ret;
	struct json_object	*error;
};

static void
sync_reply_cb(struct qmp_client *c, struct json_object *ret,
    struct json_object *error, void *arg)
{
	struct sync_reply *r = arg;

	(void)c;
	r->done = true;
	r->ret = json_object_get(ret);
	r->error = json_object_get(error);
}

struct json_object *
qmp_call_sync(struct qmp_client *c, const char *command,
    struct json_object *args, int timeout_ms, qt_error *err)
{
	long long deadline = deadline_after(timeout_ms);
	struct sync_reply r = { false, NULL, NULL };
	struct qmp_pending *p;
	long id;
	int rc = 0;

	if ((id = qmp_send(c, command, args, sync_reply_cb, &r)) == -1) {
		err_set(err, "QMP command %s failed: %s", command,
		    c->why ? c->why : "not connected");
		return NULL;
	}
	client_enter(c);
	while (!r.done && rc == 0)
		rc = sync_round(c, deadline);
	if (!r.done && (p = pending_find(c, id)) != NULL)
		p->cb = NULL;	/* r lives on this stack frame */
	if (client_leave(c)) {
		json_object_put(r.ret);
		json_object_put(r.error);
		err_set(err, "QMP command %s: client freed by a callback",
		    command);
		return NULL;
	}
	if (!r.done) {
		err_set(err, "QMP command %s: no reply within %d ms", command,
		    timeout_ms);
		return NULL;
	}
	if (r.error != NULL) {
		err_set(err, "QMP command %s failed: %s: %s", command,
		    error_class(r.error), error_desc(r.error));
		json_object_put(r.ret);
		json_object_put(r.error);
		return NULL;
	}
	/* A JSON null return would look like failure to the caller. */
	return r.ret != NULL ? r.ret : json_object_new_object();
}

int
qmp_pump_sync(struct qmp_client *c, int timeout_ms)
{
	long long deadline = deadline_after(timeout_ms);
	int r = 0;

	if (c->state == QMP_CLOSED)
		return -1;
	client_enter(c);
	while (r == 0)
		r = sync_round(c, deadline);
	if (client_leave(c))
		return -1;
	return r == -1 ? -1 : 0;
}
