/*
 * A VM's serial console client, the one both the dashboard's console pane and
 * `qemu-tui console` use: the supervisor's serial socket (history replayed first,
 * or live only), QEMU's own when the supervisor is gone, or the log of a stopped
 * VM. A stream on the loop (stream.h): output to a hook, keys through a queue.
 */
#ifndef QT_CONSOLE_H
#define QT_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "util.h"

struct console;

struct console_hooks {
	/* Guest output (history first, then live). */
	void (*data)(const char *buf, size_t len, void *arg);
	/* The connection ended (VM stopped); why is for the pane to show. */
	void (*closed)(const char *why, void *arg);
	void *arg;
};

/*
 * The dashboard's pane: attach to NAME's serial console through its supervisor,
 * which replays its recent output first, so nothing written while nobody watched
 * is lost; a VM that is not running (or has lost its supervisor) shows the tail
 * of serial.log and then closed().
 */
struct console *console_open(struct loop *l, const char *name,
    const struct console_hooks *hooks, qt_error *err);
/*
 * `qemu-tui console`: attach to a running VM's console, with or without the
 * history; QEMU's own socket when the supervisor is gone (one client only, no
 * history there). NULL + err when there is nothing to attach to.
 */
struct console *console_attach(struct loop *l, const char *name, bool history,
    const struct console_hooks *hooks, qt_error *err);

/* Keys towards the guest; queued, never blocks. After a failed write they are
 * dropped, while the guest's last output is still read. */
void console_write(struct console *c, const char *buf, size_t len);
/* Bytes of keys not yet taken by the socket. */
size_t console_queued(const struct console *c);
/* Stop (or resume) reading guest output while the consumer is behind. */
void console_pause(struct console *c, bool paused);
bool console_live(const struct console *c);
/* Safe inside the console's own hooks. */
void console_free(struct console *c);

#endif
