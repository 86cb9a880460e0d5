/*
 * The supervisor's readiness detector: reaches the stages of stages.h for the
 * run it supervises. It is fed the serial bytes the supervisor reads anyway
 * (console, prompt), knocks on the SSH endpoint (net_ssh_endpoint, through
 * ssh_target_resolve) with non-blocking connects that back off until sshd's
 * banner comes (ssh), then runs `true` and the profile's ready.probe through
 * ssh.c (ssh-command, ready). Everything is on the supervisor's loop; nothing
 * is polled once ready is reached, while the guest is paused, or after it
 * shut down; a reset of the guest starts it all again.
 */
#ifndef QT_READY_H
#define QT_READY_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"
#include "profile.h"
#include "stages.h"

/* A login or shell prompt at the end of the console's last line. */
#define READY_PROMPT_RE "(login: ?$|[#$%>] ?$)"

/* The console's current last line, as text: escape sequences and CRs left out. */
struct ready_line {
	char text[4096];
	size_t len;
	bool in_esc;
};
void ready_line_add(struct ready_line *l, const char *buf, size_t len);

struct ready_hooks {
	/* A stage was reached (already in the stages file); at_ms is its time. */
	void (*reached)(void *arg, enum stage s, long long at_ms);
	/* The guest was reset: the stages after `started` are to be reached again
	 * (the stages file says so already); at_ms is the reset's time. */
	void (*restarted)(void *arg, long long at_ms);
	/* Something worth a line in qemu.log (why a stage will not come). */
	void (*log)(void *arg, const char *msg);
};

/* p: the profile this run was started from (read at once, not kept), or NULL
 * (an adoption by a binary without it: console stages only). The stages file
 * already in rundir is taken as reached (an adopting supervisor goes on). */
struct ready *ready_new(struct loop *l, const char *rundir, const struct profile *p,
    const struct ready_hooks *hooks, void *arg);
void ready_free(struct ready *r);
/* QEMU runs the guest: `started`, and knocking on sshd begins. */
void ready_start(struct ready *r);
void ready_serial(struct ready *r, const char *buf, size_t len);
/* The guest is paused (QMP STOP) or runs again (RESUME): no knocking while paused. */
void ready_pause(struct ready *r, bool paused);
/* The guest was reset (QMP RESET, or a reset asked for and answered): keep
 * `started`, forget the other stages and detect them again, knocking anew. */
void ready_reset(struct ready *r);
/* The guest shut down (QEMU may live on with -no-shutdown): everything stops. */
void ready_stop(struct ready *r);

#endif
