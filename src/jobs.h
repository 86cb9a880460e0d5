/*
 * Jobs a person watches: qemu-img work (image.c jobs) started from the dashboard,
 * each with a title, the VM and the image file it is for, kept in start order so
 * that the status line can show them with their figures (percentage, bytes, rate,
 * time left) and a key can cancel them. The list is the loop owner's (one per
 * dashboard); a job leaves it before its done callback runs, so done may start
 * the next step of a chain. A 1 s tick while jobs run keeps rate and time left
 * moving between qemu-img's progress lines.
 */
#ifndef QT_JOBS_H
#define QT_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "loop.h"
#include "util.h"

struct jobs;
struct job;

/* Once per job, after it left the list: ok, or the error in words (names the
 * file and the fix); out is qemu-img's stdout. */
typedef void (*job_done_fn)(bool ok, const char *error, const char *out, void *arg);

/* What to run; the strings are copied. */
struct job_spec {
	const char *title;	/* for people: "convert disk.raw to disk.qcow2" */
	const char *vm;		/* the VM whose disk it is; NULL: none */
	const char *file;	/* the image it works on: busy while the job runs */
	char *const *args;	/* qemu-img's arguments, as image_job_start takes them */
	const char *target;	/* named in errors (image_job_start) */
	const char *tmp;	/* written there, renamed to target on success; NULL: in place */
	uint64_t total;		/* bytes of work (a convert's virtual size) for rate and
				 * time left; 0: percentage only */
	job_done_fn done;	/* may be NULL */
	void *arg;
	bool quiet;		/* a quick look (info): not counted, described or
				 * cancelled by a key, but drained like the others */
};

/* changed(arg) runs when a job came, moved or went: redraw what shows jobs. */
struct jobs *jobs_new(struct loop *l, void (*changed)(void *arg), void *arg);
/* Cancel every job and turn the loop until each is reaped (qemu-img is killed
 * after ms): no temporary file outlives its owner. Done callbacks still run. */
void jobs_drain(struct jobs *js, long ms);
/* After jobs_drain; detaches any job left. */
void jobs_free(struct jobs *js);

/* NULL with err when qemu-img cannot be started. */
struct job *jobs_start(struct jobs *js, const struct job_spec *spec, qt_error *err);

/* The jobs that are not quiet, and the i-th of them, oldest first (NULL past the end). */
size_t jobs_count(const struct jobs *js);
struct job *jobs_at(const struct jobs *js, size_t i);
/* The running job (not quiet) working on file (the path as the spec gave it), or NULL. */
struct job *jobs_find_file(const struct jobs *js, const char *file);
/* The newest job as one line for a status line: "convert a to b: 42.0%  430 MiB /
 * 1.00 GiB  85.3 MiB/s  7 s left (+1 more job)"; "" when none. */
void jobs_describe(const struct jobs *js, char *buf, size_t len);

const char *job_title(const struct job *j);
const char *job_vm(const struct job *j);	/* "" when none */
const char *job_file(const struct job *j);	/* "" when none */
void job_stats(const struct job *j, struct image_job_stats *st);
/* Stop it (SIGTERM; again: SIGKILL); done follows with "...: cancelled; nothing
 * was left behind". */
void job_cancel(struct job *j);
/* Stop it and never call its done (the owner is going away); it leaves the list
 * once reaped. */
void job_detach(struct job *j);

#endif
