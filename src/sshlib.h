/*
 * libssh, loaded only when SSH is used. Linked in, libssh and its dependencies
 * (libcrypto, krb5, gssapi, all bound at start: libssh is BIND_NOW) cost every
 * qemu-tui process about 5 ms of CPU, status and image convert included. So it is
 * opened with dlopen the first time a session or a key is made; ssh.c calls libssh's
 * functions by their own names, through trampolines in sshlib.c.
 */
#ifndef QT_SSHLIB_H
#define QT_SSHLIB_H

#include "util.h"

/* Load libssh and resolve every function ssh.c uses; 0 when done (again: at once).
 * Call it before the first libssh call on every path. The error names the library
 * and the package to install. */
int sshlib_load(qt_error *err);

#endif
