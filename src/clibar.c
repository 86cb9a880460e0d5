/* The command line's progress bar (see clibar.h). */
#include "clibar.h"

#include <stdio.h>
#include <unistd.h>

#include "image.h"
#include "util.h"

void
clibar_init(struct clibar *b, const char *what, uint64_t total)
{
	b->what = what;
	b->total = total;
	b->tty = isatty(STDOUT_FILENO);
	b->t0 = now_ms();
	b->last_step = 0;
	b->drawn = false;
}

void
clibar_update(struct clibar *b, double pct)
{
	char done[32], total[32], rate[32];
	double secs = (double)(now_ms() - b->t0) / 1000.0;
	int i, width = 24, fill = (int)(pct / 100.0 * width);

	if (!b->tty) {
		/* Plain lines for logs: one per 10 %. */
		if ((int)pct / 10 > b->last_step) {
			b->last_step = (int)pct / 10;
			printf("%s: %d%%\n", b->what, b->last_step * 10);
			fflush(stdout);
		}
		return;
	}
	printf("\r%s [", b->what);
	for (i = 0; i < width; i++)
		putchar(i < fill ? '#' : '.');
	printf("] %5.1f%%", pct);
	if (b->total > 0 && secs > 0.2) {
		uint64_t bytes = (uint64_t)((double)b->total * pct / 100.0);

		image_format_size(bytes, done, sizeof done);
		image_format_size(b->total, total, sizeof total);
		image_format_size((uint64_t)((double)bytes / secs), rate, sizeof rate);
		printf("  %s / %s  %s/s", done, total, rate);
		if (pct > 1 && pct < 100)
			printf("  %.0f s left", secs * (100 - pct) / pct);
	}
	printf("\033[K");
	fflush(stdout);
	b->drawn = true;
}

void
clibar_end(struct clibar *b)
{
	if (b->drawn)
		printf("\n");
	b->drawn = false;
}
