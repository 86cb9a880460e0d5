/* Readiness stages: names, the run directory's `stages` file. */
#include "stages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rundir.h"

static const char *const names[STAGE_N] = {
	[STAGE_STARTED] = "started",
	[STAGE_CONSOLE] = "console",
	[STAGE_PROMPT] = "prompt",
	[STAGE_SSH] = "ssh",
	[STAGE_SSH_COMMAND] = "ssh-command",
	[STAGE_READY] = "ready",
};

const char *
stage_name(enum stage s)
{
	return (unsigned)s < STAGE_N ? names[s] : "?";
}

int
stage_from_name(const char *name)
{
	int i;

	for (i = 0; i < STAGE_N; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

void
stages_parse(const char *text, struct stages *out)
{
	const char *p = text, *eol;

	memset(out, 0, sizeof *out);
	while (p != NULL && *p != '\0') {
		char word[32];
		long long at;
		int s;

		eol = strchr(p, '\n');
		if (sscanf(p, "%31s %lld", word, &at) == 2 && at > 0 &&
		    strcmp(word, "restarted") == 0)
			out->restarted = at;
		else if (sscanf(p, "%31s %lld", word, &at) == 2 && at > 0 &&
		    (s = stage_from_name(word)) >= 0 && out->at[s] == 0) {
			out->at[s] = at;
			out->order[out->n++] = (enum stage)s;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
}

void
stages_read(const char *dir, struct stages *out)
{
	char *text = dir != NULL ? rundir_read(dir, RUN_STAGES) : NULL;

	stages_parse(text, out);
	free(text);
}

/* started first (it is always the first reached), then the restart, then the rest. */
static void
stages_write(const char *dir, const struct stages *st)
{
	char text[(STAGE_N + 1) * 48];
	size_t off = 0;
	int i;

	for (i = 0; i < st->n; i++) {
		off += (size_t)snprintf(text + off, sizeof text - off, "%s %lld\n",
		    names[st->order[i]], st->at[st->order[i]]);
		if (i == 0 && st->restarted != 0)
			off += (size_t)snprintf(text + off, sizeof text - off,
			    "restarted %lld\n", st->restarted);
	}
	rundir_write(dir, RUN_STAGES, text, off);
}

bool
stages_reach(const char *dir, struct stages *st, enum stage s, long long at_ms)
{
	if ((unsigned)s >= STAGE_N || st->at[s] != 0)
		return false;
	st->at[s] = at_ms > 0 ? at_ms : 1;
	st->order[st->n++] = s;
	stages_write(dir, st);
	return true;
}

void
stages_restart(const char *dir, struct stages *st, long long at_ms)
{
	long long started = st->at[STAGE_STARTED];

	memset(st->at, 0, sizeof st->at);
	st->n = 0;
	st->restarted = at_ms > 0 ? at_ms : 1;
	/* An adopted run may not have it; the reset is then its start. */
	st->at[STAGE_STARTED] = started != 0 ? started : st->restarted;
	st->order[st->n++] = STAGE_STARTED;
	stages_write(dir, st);
}

int
stages_last(const struct stages *st)
{
	int i;

	for (i = STAGE_N - 1; i >= 0; i--)
		if (st->at[i] != 0)
			return i;
	return -1;
}

long long
stages_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
