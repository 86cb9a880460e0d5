/* A byte queue for non-blocking writers: append at the end, write from the front. */
#ifndef QT_BUF_H
#define QT_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t off;	/* first unsent byte */
	size_t len;	/* end of data */
	size_t cap;
};

void buf_add(struct buf *b, const void *data, size_t len);
size_t buf_used(const struct buf *b);
/* write() what the fd takes now; -1 on a real error (EAGAIN is not one). */
int buf_flush(struct buf *b, int fd);
void buf_free(struct buf *b);

#endif
