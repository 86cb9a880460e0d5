/* Host-side networking facts: free ports for user-mode forwards, TAP device checks. */
#ifndef QT_NET_H
#define QT_NET_H

#include "profile.h"
#include "util.h"

/* A free TCP port on addr (e.g. "127.0.0.1"), or -1 with err. */
int net_free_port(const char *addr, qt_error *err);
/* 0 when addr:port can be bound now; -1 with an error that says what to do. */
int net_port_available(const char *addr, int port, const char *what, qt_error *err);
/* Check what the profile's network needs on this host (tap exists and is ours, ports free). */
int net_check(const struct profile *p, int ssh_port, qt_error *err);

#endif
