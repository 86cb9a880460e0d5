/* The command line's progress bar (see clibar.h). */
#include "clibar.h"

#include <stdio.h>
#include <unistd.h>

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
clibar_draw(struct clibar *b, const struct image_job_stats *st)
{
	char line[256];

	if (!b->tty) {
		/* Plain lines for logs: one per 10 %. */
		if ((int)st->pct / 10 > b->last_step) {
			b->last_step = (int)st->pct / 10;
			printf("%s: %d%%\n", b->what, b->last_step * 10);
			fflush(stdout);
		}
		return;
	}
	image_bar_format(b->what, st, 96, line, sizeof line);
	printf("\r%s\033[K", line);
	fflush(stdout);
	b->drawn = true;
}

void
clibar_update(struct clibar *b, double pct)
{
	struct image_job_stats st = { .pct = pct, .total = b->total, .left = -1 };

	st.done = (uint64_t)((double)b->total * pct / 100.0);
	st.elapsed = (double)(now_ms() - b->t0) / 1000.0;
	if (st.elapsed > 0.2 && st.done > 0)
		st.rate = (double)st.done / st.elapsed;
	if (pct >= 1 && pct < 100)
		st.left = st.elapsed * (100 - pct) / pct;
	clibar_draw(b, &st);
}

void
clibar_end(struct clibar *b)
{
	if (b->drawn)
		printf("\n");
	b->drawn = false;
}
