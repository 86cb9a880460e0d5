/*
 * Readiness stages of a run: started, first console output, a prompt on the
 * console, sshd answers, an SSH command works, ready (the profile's probe
 * passed). The supervisor reaches them (ready.c) and keeps them with their times
 * in the run directory's `stages` file, one "NAME EPOCH_MS" line each, in the
 * order they were reached; everyone else reads them from there. A reset of the
 * guest (QMP RESET: `reset`, or a reboot inside) restarts them: `started` is
 * kept, a "restarted EPOCH_MS" line follows it, and the rest are reached again.
 */
#ifndef QT_STAGES_H
#define QT_STAGES_H

#include <stdbool.h>

enum stage {
	STAGE_STARTED,		/* QEMU runs the guest */
	STAGE_CONSOLE,		/* the first byte on the serial console */
	STAGE_PROMPT,		/* a login or shell prompt at a console line's end */
	STAGE_SSH,		/* sshd answered with its banner */
	STAGE_SSH_COMMAND,	/* an SSH command ran and exited 0 */
	STAGE_READY,		/* the profile's ready.probe exited 0 (or there is none) */
	STAGE_N
};

struct stages {
	long long at[STAGE_N];	/* epoch milliseconds; 0: not reached */
	enum stage order[STAGE_N];	/* reached ones, in the order they were reached */
	int n;
	long long restarted;	/* epoch ms of the last reset of the guest; 0: none */
};

/* "started", "console", "prompt", "ssh", "ssh-command", "ready". */
const char *stage_name(enum stage s);
/* -1 when name is none of them. */
int stage_from_name(const char *name);

/* Parse the file's text (NULL: none reached); unknown lines are skipped. */
void stages_parse(const char *text, struct stages *out);
/* Read dir's `stages` file. */
void stages_read(const char *dir, struct stages *out);
/* Mark s reached at at_ms (once: a second time changes nothing) and rewrite dir's
 * file atomically. false when it was reached already. */
bool stages_reach(const char *dir, struct stages *st, enum stage s, long long at_ms);
/* The guest was reset at at_ms: keep `started`, forget the others, note the
 * restart, and rewrite dir's file. */
void stages_restart(const char *dir, struct stages *st, long long at_ms);
/* The furthest stage reached (by enum order), or -1 when none. */
int stages_last(const struct stages *st);
/* Wall-clock milliseconds since the epoch. */
long long stages_now(void);

#endif
