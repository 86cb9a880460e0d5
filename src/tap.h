/*
 * TAP devices through the kernel's own interfaces (/dev/net/tun and interface
 * ioctls): a persistent tap owned by the user who will run QEMU, with the
 * profile's host address, up; removed again; and what exists now. No ip(8)
 * and no shell, so nothing depends on iproute2's output format, and the
 * errors say exactly which right is missing.
 */
#ifndef QT_TAP_H
#define QT_TAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

struct tap_info {
	bool exists;		/* a network device of that name */
	bool is_tap;
	bool persistent;
	bool up;
	long owner;		/* uid, or -1 when anyone may attach */
	char addrs[256];	/* IPv4 addresses with prefix, comma-separated */
};

/* Create ifname owned by owner, give it host_addr ("a.b.c.d/nn", may be
 * NULL) and bring it up. An existing tap is adjusted, never recreated. */
int tap_create(const char *ifname, uid_t owner, const char *host_addr, qt_error *err);
/* Remove a persistent tap; -1 with err when it is in use or not a tap. */
int tap_delete(const char *ifname, qt_error *err);
int tap_query(const char *ifname, struct tap_info *info, qt_error *err);

#endif
