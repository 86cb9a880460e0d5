/*
 * Port forwards on a running VM with user networking, shared by `qemu-tui forward`
 * and the dashboard's forwards pane: the spec syntax, the list (the SSH forward, the
 * profile's, the ones added to this run), adding and removing one through QMP's
 * human-monitor-command (hostfwd_add / hostfwd_remove on net0) as an operation on
 * the loop, recorded in the run directory's `forwards` file; and the guest's
 * listening ports from its /proc/net/tcp and tcp6 text.
 */
#ifndef QT_FORWARD_H
#define QT_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "net.h"
#include "profile.h"
#include "util.h"
#include "vmstate.h"

/* [tcp|udp:][HOSTADDR:]HOSTPORT:GUESTPORT; proto tcp and address 127.0.0.1 by default. */
int forward_parse(const char *spec, struct net_live_forward *f, qt_error *err);

struct forward_entry {
	struct net_live_forward f;
	const char *from;	/* "ssh", "profile", "added" */
};
/* Every forward of p: the SSH one and the added ones only while the run is live. */
size_t forward_list(const struct profile *p, const struct vm_run *run, bool live,
    struct forward_entry *out, size_t max);
/* The forward of the list for guest port (tcp), or NULL. */
const struct forward_entry *forward_for_guest_port(const struct forward_entry *all,
    size_t n, int guest_port);
/* 0 when forwards can be changed on p's run now; else -1 and why. */
int forward_usable(const struct profile *p, enum vm_state st, qt_error *err);

/*
 * Add (add true) or remove f on the live run: checks the host port first (busy,
 * naming its holder; below 1024), sends hostfwd_add/remove through a QMP client of
 * its own on l, records the change in the run directory. done is called once, from
 * the loop, with NULL or the error; the operation frees itself after it, so the
 * owner drops its pointer there. forward_op_free before that cancels (done is then
 * never called). NULL and err when it cannot start.
 */
struct forward_op;
typedef void (*forward_done_fn)(void *arg, const char *error);
struct forward_op *forward_change(struct loop *l, const struct vm_run *run, bool add,
    const struct net_live_forward *f, forward_done_fn done, void *arg, qt_error *err);
void forward_op_free(struct forward_op *op);
/* The same on a loop of its own, waited for: for the CLI. */
int forward_change_sync(const struct vm_run *run, bool add,
    const struct net_live_forward *f, qt_error *err);

/* A port the guest listens on (TCP LISTEN, state 0A). */
struct forward_listener {
	int port;
	bool loopback_only;	/* bound to 127.0.0.0/8 or ::1 only: a forward cannot reach it */
};
/*
 * The LISTEN sockets of /proc/net/tcp and /proc/net/tcp6 text (both may be in one
 * text, headers included), one per port, sorted by port. Pure.
 */
size_t forward_parse_listeners(const char *text, struct forward_listener *out, size_t max);
/* The host port to forward guest port to: the same one when addr can bind it, else
 * the next free one above it (as lima does); -1 and err when none is. */
int forward_host_port_for(const char *addr, int port, qt_error *err);

#endif
