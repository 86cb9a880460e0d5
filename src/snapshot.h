/*
 * A VM's snapshots: all its disks together plus the VM state. snap_plan says
 * which drives take part (every writable qcow2 drive; the VM state goes to the
 * first) and, when the VM cannot be snapshotted, why, naming the drive. A
 * snap_job does one operation on the loop: on a running VM through QMP
 * (query-block for the drives' node names, then a snapshot-save/-load/-delete
 * job watched with query-jobs, its error read, then job-dismiss); on a stopped
 * VM with qemu-img on each drive (image.c jobs). The CLI (cmd_snapshot.c) runs
 * one on a loop of its own, the dashboard through vmwatch.c.
 */
#ifndef QT_SNAPSHOT_H
#define QT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "image.h"
#include "loop.h"
#include "profile.h"
#include "qmp.h"
#include "util.h"

enum snap_op { SNAP_LIST, SNAP_SAVE, SNAP_LOAD, SNAP_DELETE };

/* "list", "save", "load", "delete" */
const char *snap_op_name(enum snap_op op);

struct snap_plan {
	char **files;		/* the writable qcow2 drives; files[0] holds the VM state */
	size_t n;
	/* Why this VM's snapshots cannot be saved, loaded or deleted, naming the
	 * drive and the fix (NULL: they can). A list still reads files[]. */
	char *refusal;
};

/*
 * The plan for p. throwaway_run: the VM runs with -snapshot now (its writes
 * go to a temporary overlay, so a snapshot would save nothing that lasts).
 * Reads the first bytes of a drive without "format" to see if it is qcow2.
 */
void snap_plan_make(const struct profile *p, bool throwaway_run, struct snap_plan *plan);
void snap_plan_free(struct snap_plan *plan);

struct snap_entry {
	struct image_snapshot s;	/* as the first disk holding the tag has it */
	size_t ndisks;			/* how many of the plan's disks hold the tag */
};

struct snap_list {
	struct snap_entry *items;
	size_t n;
	size_t ndisks;			/* the plan's disks */
};

void snap_list_free(struct snap_list *l);

struct snap_job;

struct snap_job_cbs {
	/* What it does now ("saving a1: job running 0/1"); may be NULL. */
	void (*progress)(const char *step, void *arg);
	/* Once, at the end: ok, or the error in words. list: the snapshots (after a
	 * list; NULL after the others). The job is freed after the call. */
	void (*done)(bool ok, const char *error, const struct snap_list *list, void *arg);
};

/*
 * Start op (tag: NULL for SNAP_LIST) on plan's drives (copied). qmp: the
 * running VM's QMP client, or NULL to use qemu-img on a stopped VM's files.
 * NULL + err when it cannot start (a refusal, no drive, qemu-img missing).
 */
struct snap_job *snap_job_start(struct loop *l, struct qmp_client *qmp, enum snap_op op,
    const char *tag, const struct snap_plan *plan, const struct snap_job_cbs *cb,
    void *arg, qt_error *err);
/*
 * Give up a job without its done call. For a QMP job, only after its client
 * was freed (no reply can come any more); a qemu-img run is stopped and the
 * job freed when it has ended.
 */
void snap_job_abandon(struct snap_job *j);

#endif
