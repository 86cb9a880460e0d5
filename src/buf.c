/* A byte queue for non-blocking writers. */
#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + len > b->cap) {
		/* Slide before growing: a steady stream then reuses the same memory. */
		if (b->off > 0) {
			memmove(b->data, b->data + b->off, b->len - b->off);
			b->len -= b->off;
			b->off = 0;
		}
		while (b->len + len > b->cap)
			b->cap = b->cap ? b->cap * 2 : 4096;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

size_t
buf_used(const struct buf *b)
{
	return b->len - b->off;
}

int
buf_flush(struct buf *b, int fd)
{
	while (b->off < b->len) {
		ssize_t w = send(fd, b->data + b->off, b->len - b->off,
		    MSG_NOSIGNAL);

		if (w == -1 && errno == ENOTSOCK)
			w = write(fd, b->data + b->off, b->len - b->off);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		b->off += (size_t)w;
	}
	b->off = b->len = 0;
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}
