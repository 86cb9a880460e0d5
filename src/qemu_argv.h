/* Profile -> QEMU argv. Pure: no I/O, no environment. */
#ifndef QT_QEMU_ARGV_H
#define QT_QEMU_ARGV_H

/* The guest port the readiness knocks go to first (tcpmux: nothing listens). */
#define QEMU_KNOCK_GUEST_PORT	1

#include "profile.h"
#include "strvec.h"

/* What the run adds to the profile: where the sockets go and what was chosen. */
struct argv_runtime {
	const char *rundir;	/* absolute */
	const char *accel;	/* chosen accelerator: "kvm" "tcg" ... */
	int knock_host_port;	/* forwarded to the guest's port 1 (ready.c), 0 = none */
	int ssh_host_port;	/* the port start chose for the ssh forward, 0 = none chosen
				 * (a profile's fixed ssh.port needs none: see net_ssh_endpoint) */
	int start_paused;	/* add -S (the supervisor attaches, then sends cont) */
	const char *fw_code;	/* "firmware": "uefi": the code image found (firmware.c) */
	const char *fw_vars;	/* ... and the VM's own variables file */
	const char *bridge_helper; /* mode bridge: qemu-bridge-helper found (net.c); NULL: QEMU's own */
};

/*
 * Append the full command line (binary first) to out. Paths in the run
 * directory: qemu-qmp.sock, qemu-serial.sock, serial.log, qemu.pid.
 * Returns 0, or -1 with err (an unknown arch, an unknown drive interface).
 */
int qemu_argv_build(const struct profile *p, const struct argv_runtime *rt,
    struct strvec *out, qt_error *err);

/* Print argv shell-quoted, one option (with its value) per line, '\' continued. */
void qemu_argv_print(FILE *out, char *const *argv);

#endif
