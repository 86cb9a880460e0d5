/* A VM's serial console on the loop: the supervisor's serial socket, or the log of a stopped VM. */
#ifndef QT_CONSOLE_H
#define QT_CONSOLE_H

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
 * Attach to NAME's serial console. A running VM's supervisor replays its
 * recent output first, so nothing written while nobody watched is lost; a
 * stopped VM's console shows the tail of serial.log and then closed().
 */
struct console *console_open(struct loop *l, const char *name,
    const struct console_hooks *hooks, qt_error *err);
/* Keys towards the guest; queued, never blocks. */
void console_write(struct console *c, const char *buf, size_t len);
bool console_live(const struct console *c);
void console_free(struct console *c);

#endif
