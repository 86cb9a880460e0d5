/*
 * The dashboard's live view of one VM: run directory facts, a QMP connection
 * to the supervisor for status and events, host CPU/RSS history, and the
 * start/stop operations in flight. Everything runs on the one loop.
 */
#ifndef QT_VMWATCH_H
#define QT_VMWATCH_H

#include <stdbool.h>
#include <time.h>

#include "loop.h"
#include "profile.h"
#include "snapshot.h"
#include "vm.h"

#define VMWATCH_HISTORY 60	/* seconds of CPU/RSS kept for sparklines */
#define VMWATCH_EVENTS	200	/* QMP events kept per VM */

struct vmwatch_event {
	time_t when;
	long micros;
	char name[32];
	char detail[96];	/* a few data members, "reason=guest-shutdown" */
};

struct vmwatch {
	struct profile *profile;	/* owned by the profile list */
	char *name;
	struct vm_run run;
	enum vm_state state;
	char state_text[96];		/* "crashed (signal 9)" */
	char qmp_status[24];		/* QMP's own word: running, paused, shutdown ... */
	char step[128];			/* what start/stop is doing now */
	int vcpus;
	char qemu_version[16];
	double cpu[VMWATCH_HISTORY];	/* oldest first */
	double rss_mib[VMWATCH_HISTORY];
	int nsamples;
	struct vmwatch_event events[VMWATCH_EVENTS];	/* ring */
	int ev_start, ev_count;
	char *log_tail;			/* qemu.log tail when it failed or crashed */
	bool ssh_auto_pending;		/* the UI opens an SSH pane once this start runs */
	/* Snapshots (the snapshots pane): the last list, read again after each
	 * operation and when the VM starts or stops; why save/load/delete are refused. */
	struct snap_list snaps;
	bool snaps_known;		/* snaps (or snap_note) is up to date */
	char snap_note[600];		/* the refusal, or why the list could not be read */
	char snap_step[160];		/* what a snapshot job does now; "" when none runs */

	/* private to vmwatch.c */
	struct vmwatch_priv *priv;
};

struct jobs;

struct vmwatch_hooks {
	void (*changed)(struct vmwatch *w, void *arg);	/* redraw it */
	void (*message)(struct vmwatch *w, bool error, const char *text, void *arg);
	void *arg;
	/* The dashboard's jobs: disks made before a start run there, shown and
	 * cancelled like any qemu-img job (NULL: bare image.c jobs). */
	struct jobs *jobs;
};

struct vmwatch *vmwatch_new(struct loop *l, struct profile *p,
    const struct vmwatch_hooks *hooks);
void vmwatch_free(struct vmwatch *w);
/* Re-read the run directory, sample /proc, (re)connect QMP. Cheap; called each second. */
void vmwatch_refresh(struct vmwatch *w);
/* Replace the profile after a reload (the old one is freed by its list). */
void vmwatch_set_profile(struct vmwatch *w, struct profile *p);

/* throwaway: as vm_launch_begin's, -snapshot for this run only. The disks the
 * profile says how to make are made first (prepare.c, on the loop). */
int vmwatch_start(struct vmwatch *w, bool throwaway, qt_error *err);
/* Only make the disks: what the profile says, and a missing disk with no recipe
 * blank at blank_size when that is not NULL. 0 also when nothing was needed
 * (*started false). */
int vmwatch_prepare(struct vmwatch *w, const char *blank_size, bool *started,
    qt_error *err);
/* While its disks are being made: cancels that (and the start). */
int vmwatch_stop(struct vmwatch *w, bool force, qt_error *err);
int vmwatch_pause_toggle(struct vmwatch *w, qt_error *err);
int vmwatch_reset(struct vmwatch *w, qt_error *err);
bool vmwatch_busy(const struct vmwatch *w);	/* a start or stop is under way */
/* A snapshot operation on all the VM's disks (snapshot.h): QMP's jobs through this
 * watch's connection when it runs, qemu-img when it is stopped; one at a time. The
 * outcome comes as a message; snaps is read again after it. */
int vmwatch_snapshot(struct vmwatch *w, enum snap_op op, const char *tag, qt_error *err);	/* a start or stop is under way */
bool vmwatch_preparing(const struct vmwatch *w);	/* its disks are being made */

const struct vmwatch_event *vmwatch_event_at(const struct vmwatch *w, int i);

#endif
