/* A byte-stream fd on the loop: a read hook and a write queue that arms POLLOUT itself. */
#include "stream.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

struct stream {
	struct loop *loop;
	struct stream_hooks hooks;
	void *arg;
	int fd;			/* -1 once closed */
	struct buf out;
	bool write_failed;
	bool paused;
	bool watched;		/* the fd is in the loop's poll set */
	struct loop_guard guard;
};

static void stream_io(int fd, short revents, void *arg);

/* The fd is only in the poll set while there is something to wait for: POLLHUP
 * with no events asked would otherwise wake the loop on every turn. */
static void
arm(struct stream *s)
{
	short ev = 0;

	if (s->fd == -1)
		return;
	if (!s->paused)
		ev |= POLLIN;
	if (buf_used(&s->out) > 0)
		ev |= POLLOUT;
	if (ev != 0) {
		loop_io_add(s->loop, s->fd, ev, stream_io, s);
		s->watched = true;
	} else if (s->watched) {
		loop_io_del(s->loop, s->fd);
		s->watched = false;
	}
}

static void
drop_fd(struct stream *s)
{
	if (s->fd == -1)
		return;
	if (s->watched)
		loop_io_del(s->loop, s->fd);
	s->watched = false;
	close(s->fd);
	s->fd = -1;
	buf_free(&s->out);
}

static void
flush(struct stream *s)
{
	if (s->fd == -1 || s->write_failed)
		return;
	if (buf_flush(&s->out, s->fd) == -1) {
		s->write_failed = true;
		buf_free(&s->out);
	}
}

static void
destroy(struct stream *s)
{
	drop_fd(s);
	buf_free(&s->out);
	free(s);
}

static void
stream_io(int fd, short revents, void *arg)
{
	struct stream *s = arg;
	char buf[STREAM_READ_MAX];	/* one read per wake-up when the peer floods */
	const char *why = NULL;
	size_t total = 0;
	ssize_t n;

	loop_guard_enter(&s->guard);
	if (revents & POLLOUT)
		flush(s);
	while ((revents & (POLLIN | POLLHUP | POLLERR)) && !s->paused &&
	    total < STREAM_READ_MAX && !loop_guard_dying(&s->guard)) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			why = n == 0 ? "connection closed" : strerror(errno);
			break;
		}
		total += (size_t)n;
		if (s->hooks.data != NULL)
			s->hooks.data(s, buf, (size_t)n, s->arg);
	}
	if (revents & POLLNVAL)
		why = "fd not open";
	if (why != NULL && !loop_guard_dying(&s->guard)) {
		drop_fd(s);
		if (s->hooks.closed != NULL)
			s->hooks.closed(s, why, s->arg);
	} else if (!loop_guard_dying(&s->guard))
		arm(s);
	if (loop_guard_leave(&s->guard))
		destroy(s);
}

struct stream *
stream_new(struct loop *l, int fd, const struct stream_hooks *hooks, void *arg)
{
	struct stream *s = xcalloc(1, sizeof *s);

	set_nonblock(fd);
	s->loop = l;
	if (hooks != NULL)
		s->hooks = *hooks;
	s->arg = arg;
	s->fd = fd;
	arm(s);
	return s;
}

void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	/* Off the loop at once, so nothing more is called; the memory goes when safe. */
	drop_fd(s);
	if (loop_guard_free(&s->guard))
		destroy(s);
}

void
stream_write(struct stream *s, const void *buf, size_t len)
{
	if (s->fd == -1 || s->write_failed || len == 0)
		return;
	buf_add(&s->out, buf, len);
	flush(s);
	arm(s);
}

bool
stream_write_failed(const struct stream *s)
{
	return s->write_failed;
}

size_t
stream_queued(const struct stream *s)
{
	return buf_used(&s->out);
}

void
stream_pause(struct stream *s, bool paused)
{
	if (s->paused == paused)
		return;
	s->paused = paused;
	arm(s);
}

bool
stream_open(const struct stream *s)
{
	return s->fd != -1;
}
