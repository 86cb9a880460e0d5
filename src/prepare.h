/*
 * Disks made from the profile before QEMU starts: a drive's file converted
 * from `from`, created blank at `size`, made an overlay on `backing`, and
 * grown to `size` when smaller (never shrunk). The plan (which steps a
 * profile needs now) is pure; running it is a sequence of image.c jobs on
 * the loop, so a dashboard keeps drawing and a new file appears only
 * complete (temporary name, then rename). Only what is missing is done.
 */
#ifndef QT_PREPARE_H
#define QT_PREPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loop.h"
#include "profile.h"
#include "strvec.h"
#include "util.h"

enum prepare_kind {
	PREP_CONVERT,	/* source -> file (format) */
	PREP_CREATE,	/* blank file at size */
	PREP_OVERLAY,	/* qcow2 file on source (the base) */
	PREP_GROW,	/* file to size, when it is smaller */
};

struct prepare_step {
	enum prepare_kind kind;
	size_t drive;		/* index in the profile's drives[] */
	char *file;
	char *format;		/* file's: the drive's, qcow2 when it gives none */
	bool format_given;	/* the drive gives it (else a grow lets qemu-img probe) */
	char *source;		/* convert: from; overlay: backing */
	char *source_format;	/* NULL: probed by qemu-img */
	char *size;		/* as written: create, grow, overlay (may be NULL) */
	uint64_t bytes;		/* size in bytes (0: none) */
	bool have_known;	/* grow: the current size is known (have) */
	uint64_t have;
};

struct prepare_plan {
	struct prepare_step *steps;
	size_t n;
	char *profile;		/* its file, for messages */
};

/* What is true of a drive's file now. */
struct prepare_fact {
	bool exists;
	bool size_known;	/* vsize is qemu-img's virtual size */
	uint64_t vsize;
};

/*
 * The facts of every drive (an array of p->ndrives): stat() only; with
 * probe_sizes, also qemu-img info of existing files the profile gives a
 * size (a short child on a loop of its own: the CLI only). A failed probe
 * leaves the size unknown.
 */
struct prepare_fact *prepare_facts(const struct profile *p, bool probe_sizes);

/*
 * The steps p needs given facts: pure. A missing file with no recipe gets a
 * blank disk at blank_size when that is not NULL (the dashboard's "make the
 * missing disk"), else nothing (the profile says it is missing). A grow whose
 * current size is unknown is decided when it runs.
 */
void prepare_plan(const struct profile *p, const struct prepare_fact *facts,
    const char *blank_size, struct prepare_plan *out);
void prepare_plan_free(struct prepare_plan *plan);
/* "convert /a/boot.flp (raw) into /a/boot.qcow2 (qcow2)" */
char *prepare_step_describe(const struct prepare_step *s);
/*
 * qemu-img's arguments for a step (without the program name); tmp is the
 * temporary name a new file is written under; probed is the source's format
 * when the profile gives none (NULL: leave it out).
 */
void prepare_step_args(const struct prepare_step *s, const char *tmp,
    const char *probed, struct strvec *args);

struct prepare_run;
struct prepare_cbs {
	/* Step i of n, pct done (-1: not known yet); may be NULL. */
	void (*progress)(const struct prepare_step *s, size_t i, size_t n,
	    double pct, void *arg);
	/* A step ended well: what it did, in words ("grown from ... to ..."). */
	void (*step_done)(const struct prepare_step *s, const char *what, void *arg);
	/* Once, at the end; the run is freed after. */
	void (*done)(bool ok, const char *error, void *arg);
};

/*
 * Run plan (taken: freed with the run) on l, one qemu-img job after the
 * other. Returns NULL with err when the first cannot start.
 */
struct prepare_run *prepare_begin(struct loop *l, struct prepare_plan *plan,
    const struct prepare_cbs *cb, void *arg, qt_error *err);
/* Stop: qemu-img is ended, a new file not left behind, done says "cancelled". */
void prepare_cancel(struct prepare_run *r);
/* Stop without callbacks (its owner is going away). */
void prepare_abandon(struct prepare_run *r);
/*
 * Run the steps as jobs in js (the dashboard's list) rather than bare image.c jobs,
 * each titled with what it makes and vm, like every other qemu-img job there: the
 * status line shows its figures, the cancel key stops it, the disks pane sees the
 * file busy. Call right after prepare_begin. progress is then called at each step's
 * start only (pct -1): the figures are the job's.
 */
struct jobs;
void prepare_set_jobs(struct prepare_run *r, struct jobs *js, const char *vm);

/*
 * The CLI: run what p needs on a loop of its own, with a line per step on
 * out (stdout: with the progress bar image convert shows); Ctrl-C cancels.
 * 0 when nothing was needed or all went well; *did says how many steps ran.
 */
int prepare_sync(const struct profile *p, FILE *out, size_t *did, qt_error *err);

#endif
