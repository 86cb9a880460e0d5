/*
 * Disk images through the real qemu-img, as jobs on the poll loop: a child
 * whose progress (`-p`) is parsed as it comes, cancellable, reaped in the one
 * SIGCHLD path. A job that makes a file writes it beside the target under a
 * temporary name and renames it only when qemu-img succeeded, so a cancel, a
 * crash or a full disk leaves nothing behind and never a half-written target.
 * qemu-img's errors come back in words that name the file and the fix (an
 * image lock names the running VM that holds it).
 */
#ifndef QT_IMAGE_H
#define QT_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "loop.h"
#include "strvec.h"
#include "util.h"

struct image_job;

struct image_job_cbs {
	/* Percent done, when qemu-img reports it (may be NULL). */
	void (*progress)(double pct, void *arg);
	/* Once, at the end: ok, or the error in words; out is qemu-img's
	 * stdout (info's JSON, snapshot lists). The job is freed after. */
	void (*done)(bool ok, const char *error, const char *out, void *arg);
};

/*
 * Run qemu-img with args (without the program name) on the image target
 * (named in errors). With tmp_target (from image_tmp_name) the args write a new
 * image there, and the job renames it to target on success and removes it
 * otherwise. Returns NULL with err when qemu-img cannot be started.
 */
struct image_job *image_job_start(struct loop *l, char *const args[],
    const char *target, const char *tmp_target,
    const struct image_job_cbs *cb, void *arg, qt_error *err);
/* Stop qemu-img (SIGTERM; a second cancel: SIGKILL); done follows with "cancelled". */
void image_job_cancel(struct image_job *j);
/* Stop qemu-img and forget the callbacks (their owner is going away): the
 * temporary file is still removed, and the job frees itself once reaped. */
void image_job_detach(struct image_job *j);

/* What a job has done so far, for a progress bar or a status line. */
struct image_job_stats {
	double pct;		/* 0..100, as qemu-img's -p last said */
	uint64_t total;		/* bytes of the whole work (image_job_set_total); 0: unknown */
	uint64_t done;		/* total * pct */
	double rate;		/* bytes a second so far; 0 until known */
	double left;		/* seconds to go; -1 until known */
	double elapsed;		/* seconds since the start */
};
/* The size of the work (a convert's virtual size): bytes, rate and time left follow. */
void image_job_set_total(struct image_job *j, uint64_t bytes);
void image_job_stats(const struct image_job *j, struct image_job_stats *st);
/* What is known of st as words: "42.0%  430 MiB / 1.00 GiB  85.3 MiB/s  7 s left". */
void image_stats_format(const struct image_job_stats *st, char *buf, size_t len);
/* A bar for a terminal line of about width columns:
 * "convert [#####.......]  42.0%  430 MiB / 1.00 GiB  85.3 MiB/s  7 s left". */
void image_bar_format(const char *what, const struct image_job_stats *st, int width,
    char *buf, size_t len);

/* Where a job writes before the rename: beside path, hidden, ours by name. */
char *image_tmp_name(const char *path);

/* "10G", "204800K", "512M", "1.5T", bytes: suffixes are powers of 1024. */
int image_parse_size(const char *s, uint64_t *bytes);
/* 1.5 GiB, 200 KiB ... into buf. */
void image_format_size(uint64_t bytes, char *buf, size_t len);

/* What qemu-img info says of an image (and the first error). */
struct image_info {
	char format[32];
	uint64_t virtual_size, actual_size;
	char *backing;		/* NULL when none */
	int snapshots;
};
/* Parse `qemu-img info --output=json`; -1 with err on nonsense. */
int image_info_parse(const char *json, struct image_info *info, qt_error *err);
void image_info_free(struct image_info *info);

/* One internal snapshot of an image, as qemu-img info's JSON and QMP's
 * query-block (inserted.image) both give it. */
struct image_snapshot {
	char id[16];
	char tag[128];
	uint64_t vm_size;	/* bytes of VM state; 0: disk only */
	long long date_sec;
	long long vm_clock_ns;	/* the guest's clock when it was taken */
};
/* The "snapshots" member of an ImageInfo object (qemu-img info --output=json, or
 * query-block's inserted.image); none (0, *out NULL) when it has no such array. */
size_t image_snapshots_parse(struct json_object *image, struct image_snapshot **out);
/* "2026-12-05 21:04:11" (local time, as qemu-img snapshot -l shows it). */
void image_format_date(long long sec, char *buf, size_t len);
/* "00:01:09.282" */
void image_format_clock(long long ns, char *buf, size_t len);
/* One image of `qemu-img info --output=json --backing-chain` (the drive's own
 * file first, then its backing files), with its internal snapshots. */
struct image_layer {
	char *file;
	char format[32];
	uint64_t virtual_size, actual_size;
	char *backing;		/* as the image names it; NULL when none */
	struct image_snapshot *snaps;	/* image_snapshots_parse's */
	size_t nsnaps;
};
/* Parse info's JSON (an array with --backing-chain, else one object) into
 * *layers (n of them); -1 with err on nonsense. */
int image_chain_parse(const char *json, struct image_layer **layers, size_t *n,
    qt_error *err);
void image_chain_free(struct image_layer *layers, size_t n);

/* Progress from `qemu-img -p` output: "    (12.34/100%)\r". */
struct image_progress {
	char tail[32];
	size_t len;
	double pct;
};
/* Feed stdout bytes; true when pct changed. */
bool image_progress_feed(struct image_progress *p, const char *buf, size_t len);

/* qemu-img's stderr in words for an operation on file. */
void image_explain(const char *op, const char *file, const char *stderr_text,
    qt_error *err);

#endif
