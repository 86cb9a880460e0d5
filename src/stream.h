/*
 * A byte-stream fd (a unix socket, a pipe) on the loop, the one way a socket or a
 * child's pipe is put on it: what arrives goes to a hook, what is written is queued
 * and sent as the fd takes it, POLLOUT being armed and disarmed by the stream
 * itself. The serial consoles, the supervisor's sockets and qemu-img's pipes
 * (image.c) use it; QMP clients have the same on top of their parser (qmp_open).
 */
#ifndef QT_STREAM_H
#define QT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"

struct stream;

struct stream_hooks {
	/* Bytes from the peer (at most STREAM_READ_MAX per loop turn). */
	void (*data)(struct stream *s, const char *buf, size_t len, void *arg);
	/* EOF or a read error, once; the fd is closed and off the loop already. */
	void (*closed)(struct stream *s, const char *why, void *arg);
};

/* Bytes read per wake-up: a flooding peer must leave turns for the others. */
#define STREAM_READ_MAX (64 * 1024)

/* Takes ownership of fd (made non-blocking); hooks are copied, either may be NULL. */
struct stream *stream_new(struct loop *l, int fd, const struct stream_hooks *hooks,
    void *arg);
/* Closes the fd. Safe inside the stream's own hooks (see loop_guard in loop.h). */
void stream_free(struct stream *s);

/*
 * Queue bytes and write what the fd takes now; never blocks. After a write
 * error the queue is dropped and further writes are ignored, but reading goes
 * on: the peer's last words may still be in the socket.
 */
void stream_write(struct stream *s, const void *buf, size_t len);
bool stream_write_failed(const struct stream *s);
size_t stream_queued(const struct stream *s);
/* Stop (or resume) reading, for backpressure towards a slow consumer. */
void stream_pause(struct stream *s, bool paused);
/* False once closed. */
bool stream_open(const struct stream *s);

#endif
