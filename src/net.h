/*
 * Host-side networking facts: where the guest's sshd is reached from this host (the
 * one place that decides it), free ports for user-mode forwards, TAP device checks.
 */
#ifndef QT_NET_H
#define QT_NET_H

#include <stdbool.h>

#include "profile.h"
#include "util.h"

/* Where the guest's sshd is reached from this host. Strings point into the profile
 * or are literals: they live as long as the profile. */
struct net_ssh_endpoint {
	const char *host;	/* to connect to; NULL: none (no ssh.host, not user networking) */
	const char *host_name;	/* as the user wrote it, for messages ("localhost") */
	int port;		/* 0: chosen when the VM starts, and no run has chosen it */
	bool forward;		/* user networking forwards host:port to the guest's port 22 */
	bool port_chosen;	/* the port is chosen afresh at each start (no ssh.port) */
};

/*
 * The SSH endpoint of a profile. run_port is the port a live run forwards (its
 * ssh-port file), 0 when none. With user networking and no ssh.host, or a loopback
 * ssh.host (127.0.0.0/8, ::1, localhost), the host port is forwarded to the guest's
 * 22: on ssh.port if set, else on a port chosen at start. A non-loopback ssh.host is a
 * real remote: no forward, port ssh.port or 22. Pure.
 */
void net_ssh_endpoint(const struct profile *p, int run_port, struct net_ssh_endpoint *e);
/* 127.0.0.0/8, ::1, localhost. */
bool net_host_is_loopback(const char *host);

/* A free TCP port on addr (e.g. "127.0.0.1"), or -1 with err. */
int net_free_port(const char *addr, qt_error *err);
/* Whether addr:port can be bound now (quietly: no holder looked up). */
bool net_port_is_free(const char *addr, int port);
/* 0 when addr:port can be bound now; -1 with an error that says what to do. */
int net_port_available(const char *addr, int port, const char *what, qt_error *err);
/* Forwards added to a running VM (qemu-tui forward), kept in its run directory. */
struct net_live_forward {
	char proto[4];
	char addr[64];
	int host_port, guest_port;
};
size_t net_live_forwards(const char *rundir, struct net_live_forward *out, size_t max);
int net_live_forwards_save(const char *rundir, const struct net_live_forward *f, size_t n);
/* "python3 (pid 1234)" for the process holding a port, when /proc shows it to us. */
bool net_port_holder(int port, bool udp, char *buf, size_t len);
/* Whether this host has the profile's network mode at all (vmnet is macOS only). */
int net_mode_check(const struct profile *p, qt_error *err);
/* The ACL file qemu-bridge-helper reads (compiled into it: QEMU's sysconfdir). */
#define NET_BRIDGE_CONF "/etc/qemu/bridge.conf"
/* The installed qemu-bridge-helper, or NULL. */
const char *net_bridge_helper(void);
/*
 * What mode bridge needs to work for br: the helper (installed; setuid root or
 * file capabilities unless we are root), bridge.conf allowing br, br a bridge.
 * *helper: the helper found (or NULL); -1 with err and fix (one command) when not.
 */
int net_bridge_check(const char *br, const char **helper, char *fix, size_t fixlen,
    qt_error *err);
/* Root, or CAP_NET_ADMIN in the effective set: the right to make a tap. */
bool net_admin_right(void);
/* network.create: make the profile's tap (owned by us, its host address, up) unless it
 * is ready; without the right, -1 with the exact sudo line. */
int net_prepare(const struct profile *p, qt_error *err);
/* Check what the profile's network needs on this host (tap exists and is ours, fixed ports free). */
int net_check(const struct profile *p, qt_error *err);

#endif
