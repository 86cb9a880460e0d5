/*
 * The command line's progress bar for long jobs (qemu-img conversions): on a
 * terminal a bar with percentage, bytes, rate and time left, redrawn in place;
 * otherwise plain lines, one per 10 %, for logs.
 */
#ifndef QT_CLIBAR_H
#define QT_CLIBAR_H

#include <stdbool.h>
#include <stdint.h>

#include "image.h"

struct clibar {
	const char *what;	/* the label: "convert" */
	uint64_t total;		/* bytes, for the figures (0: unknown) */
	bool tty;
	long long t0;
	int last_step;
	bool drawn;
};

/* Start a bar for stdout. */
void clibar_init(struct clibar *b, const char *what, uint64_t total);
/* Where a job is at, from pct alone (total as given to clibar_init)... */
void clibar_update(struct clibar *b, double pct);
/* ... or from an image job's own figures (image_job_stats). */
void clibar_draw(struct clibar *b, const struct image_job_stats *st);
/* End the bar's line, when one was drawn. */
void clibar_end(struct clibar *b);

#endif
