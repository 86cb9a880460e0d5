/* Jobs a person watches: image.c jobs with a title, in start order (see jobs.h). */
#include "jobs.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
	struct jobs *js;
	struct image_job *ij;	/* NULL once it ended */
	char *title, *vm, *file;
	bool cancelled, quiet;
	job_done_fn done;
	void *arg;
};

struct jobs {
	struct loop *loop;
	struct job **v;
	size_t n;
	void (*changed)(void *arg);
	void *arg;
	unsigned long tick;	/* the 1 s timer while jobs run; 0 when none */
};

static void
changed(struct jobs *js)
{
	if (js->changed != NULL)
		js->changed(js->arg);
}

static void
tick(void *arg)
{
	changed(arg);
}

static void
job_free(struct job *j)
{
	free(j->title);
	free(j->vm);
	free(j->file);
	free(j);
}

static void
unlist(struct jobs *js, struct job *j)
{
	size_t i;

	for (i = 0; i < js->n; i++)
		if (js->v[i] == j) {
			memmove(js->v + i, js->v + i + 1, (js->n - i - 1) * sizeof *js->v);
			js->n--;
			break;
		}
	if (js->n == 0 && js->tick != 0) {
		loop_timer_del(js->loop, js->tick);
		js->tick = 0;
	}
}

static void
on_progress(double pct, void *arg)
{
	struct job *j = arg;

	(void)pct;
	changed(j->js);
}

static void
on_done(bool ok, const char *error, const char *out, void *arg)
{
	struct job *j = arg;
	struct jobs *js = j->js;

	j->ij = NULL;
	unlist(js, j);
	changed(js);
	if (j->done != NULL)
		j->done(ok, error, out, j->arg);
	job_free(j);
}

struct jobs *
jobs_new(struct loop *l, void (*changed_cb)(void *arg), void *arg)
{
	struct jobs *js = xcalloc(1, sizeof *js);

	js->loop = l;
	js->changed = changed_cb;
	js->arg = arg;
	return js;
}

struct job *
jobs_start(struct jobs *js, const struct job_spec *spec, qt_error *err)
{
	static const struct image_job_cbs cbs = { on_progress, on_done };
	struct job *j = xcalloc(1, sizeof *j);

	j->js = js;
	j->title = xstrdup(spec->title != NULL ? spec->title : "qemu-img");
	j->vm = xstrdup(spec->vm != NULL ? spec->vm : "");
	j->file = xstrdup(spec->file != NULL ? spec->file : "");
	j->done = spec->done;
	j->arg = spec->arg;
	j->quiet = spec->quiet;
	if ((j->ij = image_job_start(js->loop, spec->args, spec->target, spec->tmp, &cbs,
	    j, err)) == NULL) {
		job_free(j);
		return NULL;
	}
	image_job_set_total(j->ij, spec->total);
	js->v = xreallocarray(js->v, js->n + 1, sizeof *js->v);
	js->v[js->n++] = j;
	if (js->tick == 0)
		js->tick = loop_timer_add(js->loop, 1000, 1, tick, js);
	changed(js);
	return j;
}

size_t
jobs_count(const struct jobs *js)
{
	size_t i, n = 0;

	for (i = 0; i < js->n; i++)
		n += !js->v[i]->quiet;
	return n;
}

struct job *
jobs_at(const struct jobs *js, size_t i)
{
	size_t k;

	for (k = 0; k < js->n; k++)
		if (!js->v[k]->quiet && i-- == 0)
			return js->v[k];
	return NULL;
}

struct job *
jobs_find_file(const struct jobs *js, const char *file)
{
	size_t i;

	for (i = 0; i < js->n; i++)
		if (!js->v[i]->quiet && strcmp(js->v[i]->file, file) == 0)
			return js->v[i];
	return NULL;
}

void
jobs_describe(const struct jobs *js, char *buf, size_t len)
{
	struct image_job_stats st;
	char figures[160];
	const struct job *j;
	size_t n = jobs_count(js);

	if (len > 0)
		buf[0] = '\0';
	if (n == 0)
		return;
	j = jobs_at(js, n - 1);
	job_stats(j, &st);
	image_stats_format(&st, figures, sizeof figures);
	if (n > 1)
		snprintf(buf, len, "%s: %s%s (+%zu more job%s)", j->title, figures,
		    j->cancelled ? " cancelling" : "", n - 1, n == 2 ? "" : "s");
	else
		snprintf(buf, len, "%s: %s%s", j->title, figures,
		    j->cancelled ? " cancelling" : "");
}

const char *
job_title(const struct job *j)
{
	return j->title;
}

const char *
job_vm(const struct job *j)
{
	return j->vm;
}

const char *
job_file(const struct job *j)
{
	return j->file;
}

void
job_stats(const struct job *j, struct image_job_stats *st)
{
	if (j->ij != NULL)
		image_job_stats(j->ij, st);
	else
		memset(st, 0, sizeof *st);
}

void
job_cancel(struct job *j)
{
	if (j->ij == NULL)
		return;
	j->cancelled = true;
	image_job_cancel(j->ij);
	changed(j->js);
}

void
job_detach(struct job *j)
{
	j->done = NULL;
	job_cancel(j);
}

void
jobs_drain(struct jobs *js, long ms)
{
	long long until = now_ms() + ms;
	size_t i;

	for (i = 0; i < js->n; i++)
		job_cancel(js->v[i]);
	while (js->n > 0 && now_ms() < until)
		loop_run_once(js->loop, 100);
	/* Deaf to SIGTERM: killed, and reaped as any child. */
	for (i = 0; i < js->n; i++)
		job_cancel(js->v[i]);
	until = now_ms() + 2000;
	while (js->n > 0 && now_ms() < until)
		loop_run_once(js->loop, 100);
}

void
jobs_free(struct jobs *js)
{
	size_t i;

	if (js == NULL)
		return;
	/* Whatever would not end in time: killed and reaped later, never reported. */
	for (i = 0; i < js->n; i++) {
		image_job_detach(js->v[i]->ij);
		job_free(js->v[i]);
	}
	if (js->tick != 0)
		loop_timer_del(js->loop, js->tick);
	free(js->v);
	free(js);
}
