/* Disks made from the profile before QEMU starts (see prepare.h). */
#include "prepare.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clibar.h"
#include "image.h"
#include "jobs.h"

/* ---- the plan (pure) ---- */

static bool
is_cdrom(const struct drive *d)
{
	return d->media != NULL && strcmp(d->media, "cdrom") == 0;
}

static struct prepare_step *
add_step(struct prepare_plan *out, enum prepare_kind kind, size_t i,
    const struct drive *d, const char *size)
{
	struct prepare_step *s;
	uint64_t bytes = 0;

	out->steps = xrealloc(out->steps, (out->n + 1) * sizeof *out->steps);
	s = &out->steps[out->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->drive = i;
	s->file = xstrdup(d->file);
	/* An overlay is qcow2 whatever the drive says (the profile checks it). */
	s->format = xstrdup(kind == PREP_OVERLAY || d->format == NULL ? "qcow2" :
	    d->format);
	s->format_given = d->format != NULL;
	if (kind == PREP_CONVERT) {
		s->source = xstrdup(d->from);
		s->source_format = d->from_format ? xstrdup(d->from_format) : NULL;
	} else if (kind == PREP_OVERLAY) {
		s->source = xstrdup(d->backing);
		s->source_format = d->backing_format ? xstrdup(d->backing_format) : NULL;
	}
	if (size != NULL && image_parse_size(size, &bytes) == 0) {
		s->size = xstrdup(size);
		s->bytes = bytes;
	}
	return s;
}

void
prepare_plan(const struct profile *p, const struct prepare_fact *facts,
    const char *blank_size, struct prepare_plan *out)
{
	const struct drive *d;
	struct prepare_step *s;
	uint64_t want;
	size_t i;

	out->steps = NULL;
	out->n = 0;
	out->profile = xstrdup(p->path);
	for (i = 0; i < p->ndrives; i++) {
		d = &p->drives[i];
		if (d->file == NULL || is_cdrom(d))
			continue;
		if (!facts[i].exists) {
			if (d->from != NULL) {
				add_step(out, PREP_CONVERT, i, d, NULL);
				/* The source's size is known once converted. */
				if (d->size != NULL)
					add_step(out, PREP_GROW, i, d, d->size);
			} else if (d->backing != NULL) {
				add_step(out, PREP_OVERLAY, i, d, d->size);
				if (d->size != NULL)
					add_step(out, PREP_GROW, i, d, d->size);
			} else if (d->size != NULL) {
				add_step(out, PREP_CREATE, i, d, d->size);
			} else if (blank_size != NULL) {
				add_step(out, PREP_CREATE, i, d, blank_size);
			}
			continue;
		}
		if (d->size == NULL || image_parse_size(d->size, &want) == -1)
			continue;
		if (facts[i].size_known && facts[i].vsize >= want)
			continue;	/* big enough; never shrunk */
		s = add_step(out, PREP_GROW, i, d, d->size);
		s->have_known = facts[i].size_known;
		s->have = facts[i].vsize;
	}
}

void
prepare_plan_free(struct prepare_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n; i++) {
		free(plan->steps[i].file);
		free(plan->steps[i].format);
		free(plan->steps[i].source);
		free(plan->steps[i].source_format);
		free(plan->steps[i].size);
	}
	free(plan->steps);
	free(plan->profile);
	plan->steps = NULL;
	plan->profile = NULL;
	plan->n = 0;
}

char *
prepare_step_describe(const struct prepare_step *s)
{
	char have[32];

	switch (s->kind) {
	case PREP_CONVERT:
		return xasprintf("drives[%zu]: convert %s (%s) into %s (%s)", s->drive,
		    s->source, s->source_format ? s->source_format : "format probed",
		    s->file, s->format);
	case PREP_CREATE:
		return xasprintf("drives[%zu]: create %s blank, %s, %s", s->drive,
		    s->file, s->format, s->size);
	case PREP_OVERLAY:
		return xasprintf("drives[%zu]: create %s as a qcow2 overlay on %s (%s)%s%s",
		    s->drive, s->file, s->source,
		    s->source_format ? s->source_format : "format probed",
		    s->size ? ", " : "", s->size ? s->size : "");
	case PREP_GROW:
		if (!s->have_known)
			return xasprintf("drives[%zu]: grow %s to %s if it is smaller",
			    s->drive, s->file, s->size);
		image_format_size(s->have, have, sizeof have);
		return xasprintf("drives[%zu]: grow %s from %s to %s", s->drive, s->file,
		    have, s->size);
	}
	return xstrdup("?");
}

void
prepare_step_args(const struct prepare_step *s, const char *tmp, const char *probed,
    struct strvec *args)
{
	const char *srcfmt = s->source_format != NULL ? s->source_format : probed;
	char bytes[32];

	snprintf(bytes, sizeof bytes, "%llu", (unsigned long long)s->bytes);
	switch (s->kind) {
	case PREP_CONVERT:
		strvec_push(args, "convert");
		strvec_push(args, "-p");
		if (srcfmt != NULL) {
			strvec_push(args, "-f");
			strvec_push(args, srcfmt);
		}
		strvec_push(args, "-O");
		strvec_push(args, s->format);
		strvec_push(args, s->source);
		strvec_push(args, tmp);
		break;
	case PREP_CREATE:
		strvec_push(args, "create");
		strvec_push(args, "-q");
		strvec_push(args, "-f");
		strvec_push(args, s->format);
		strvec_push(args, tmp);
		strvec_push(args, bytes);
		break;
	case PREP_OVERLAY:
		strvec_push(args, "create");
		strvec_push(args, "-q");
		strvec_push(args, "-f");
		strvec_push(args, "qcow2");
		strvec_push(args, "-b");
		strvec_push(args, s->source);
		if (srcfmt != NULL) {
			strvec_push(args, "-F");
			strvec_push(args, srcfmt);
		}
		strvec_push(args, tmp);
		if (s->bytes > 0)
			strvec_push(args, bytes);
		break;
	case PREP_GROW:
		strvec_push(args, "resize");
		strvec_push(args, "-q");
		if (s->format_given) {
			strvec_push(args, "-f");
			strvec_push(args, s->format);
		}
		strvec_push(args, s->file);
		strvec_push(args, bytes);
		break;
	}
}

/* ---- the facts ---- */

struct info_wait {
	bool done, ok;
	char *out;
};

static void
info_done(bool ok, const char *error, const char *out, void *arg)
{
	struct info_wait *w = arg;

	(void)error;
	w->done = true;
	w->ok = ok;
	w->out = ok ? xstrdup(out) : NULL;
}

/* qemu-img info of file on a loop of its own (the CLI only); -1 when it fails. */
static int
info_sync(const char *file, uint64_t *vsize)
{
	static const struct image_job_cbs cbs = { NULL, info_done };
	char *args[] = { "info", "--output=json", "-U", (char *)file, NULL };
	struct info_wait w = { 0 };
	struct image_info info;
	struct image_job *j;
	struct loop *l = loop_new();
	int rc = -1;

	if ((j = image_job_start(l, args, file, NULL, &cbs, &w, NULL)) != NULL) {
		while (!w.done)
			loop_run_once(l, -1);
		if (w.ok && image_info_parse(w.out, &info, NULL) == 0) {
			*vsize = info.virtual_size;
			image_info_free(&info);
			rc = 0;
		}
	}
	free(w.out);
	loop_free(l);
	return rc;
}

struct prepare_fact *
prepare_facts(const struct profile *p, bool probe_sizes)
{
	struct prepare_fact *f = xcalloc(p->ndrives + 1, sizeof *f);
	const struct drive *d;
	struct stat st;
	size_t i;

	for (i = 0; i < p->ndrives; i++) {
		d = &p->drives[i];
		/* Paths are absolute after load: anything else is a QEMU URL (nbd://),
		 * which is never made here. */
		f[i].exists = d->file == NULL || d->file[0] != '/' ||
		    stat(d->file, &st) == 0;
		if (probe_sizes && f[i].exists && d->size != NULL && d->file != NULL &&
		    info_sync(d->file, &f[i].vsize) == 0)
			f[i].size_known = true;
	}
	return f;
}

/* ---- running a plan on the loop ---- */

struct prepare_run {
	struct loop *loop;
	struct prepare_plan plan;
	size_t i;
	bool probing;		/* the job is qemu-img info before the step */
	char *probed;		/* the source's format, from the probe */
	struct image_job *job;	/* without jobs */
	struct jobs *jobs;	/* NULL: bare image.c jobs (the CLI) */
	char *vm;		/* with jobs: the VM the jobs are for */
	struct job *jjob;	/* with jobs */
	unsigned long kick;	/* the timer that runs the first step */
	struct prepare_cbs cb;
	void *arg;
	bool abandoned, cancelled;
};

static void run_step(struct prepare_run *r);

static void
run_free(struct prepare_run *r)
{
	prepare_plan_free(&r->plan);
	free(r->probed);
	free(r->vm);
	free(r);
}

static void
finish(struct prepare_run *r, bool ok, const char *error)
{
	if (!r->abandoned && r->cb.done != NULL)
		r->cb.done(ok, error, r->arg);
	run_free(r);
}

static void
fail(struct prepare_run *r, const char *error)
{
	static const char *const fields[] = {
		[PREP_CONVERT] = "from and from_format", [PREP_CREATE] = "format and size",
		[PREP_OVERLAY] = "backing and backing_format", [PREP_GROW] = "size",
	};
	const struct prepare_step *s = &r->plan.steps[r->i];
	char *msg;

	/* A failure that the profile can fix names the fields to look at. */
	if (strstr(error, "Unknown driver") != NULL || strstr(error, "Could not open") != NULL ||
	    strstr(error, "Invalid") != NULL)
		msg = xasprintf("drives[%zu] (%s) was not made: %s; check drives[%zu]'s %s "
		    "in %s", s->drive, s->file, error, s->drive, fields[s->kind],
		    r->plan.profile);
	else
		msg = xasprintf("drives[%zu] (%s) was not made: %s", s->drive, s->file, error);
	finish(r, false, msg);
	free(msg);
}

static void
next(struct prepare_run *r)
{
	r->i++;
	free(r->probed);
	r->probed = NULL;
	if (r->i >= r->plan.n)
		finish(r, true, NULL);
	else
		run_step(r);
}

static void
job_progress(double pct, void *arg)
{
	struct prepare_run *r = arg;

	if (!r->abandoned && r->cb.progress != NULL && !r->probing)
		r->cb.progress(&r->plan.steps[r->i], r->i, r->plan.n, pct, r->arg);
}

static void
step_done(struct prepare_run *r, const char *what)
{
	if (!r->abandoned && r->cb.step_done != NULL)
		r->cb.step_done(&r->plan.steps[r->i], what, r->arg);
}

static void
job_done(bool ok, const char *error, const char *out, void *arg)
{
	struct prepare_run *r = arg;
	struct prepare_step *s = &r->plan.steps[r->i];
	struct image_info info;
	char have[32], *what;
	qt_error err;

	r->job = NULL;
	r->jjob = NULL;
	if (r->cancelled) {
		finish(r, false, "cancelled; nothing was left behind");
		return;
	}
	if (!ok) {
		fail(r, error);
		return;
	}
	if (r->probing) {
		r->probing = false;
		if (image_info_parse(out, &info, &err) == -1) {
			fail(r, err.msg);
			return;
		}
		if (s->kind == PREP_GROW) {
			s->have_known = true;
			s->have = info.virtual_size;
		} else
			r->probed = xstrdup(info.format);
		image_info_free(&info);
		run_step(r);
		return;
	}
	switch (s->kind) {
	case PREP_CONVERT:
		what = xasprintf("%s: converted from %s (%s)", s->file, s->source,
		    s->format);
		break;
	case PREP_CREATE:
		what = xasprintf("%s: created blank, %s, %s", s->file, s->format, s->size);
		break;
	case PREP_OVERLAY:
		what = xasprintf("%s: overlay on %s (%s); %s itself is never written",
		    s->file, s->source, s->source_format ? s->source_format :
		    r->probed ? r->probed : "?", s->source);
		break;
	default:
		image_format_size(s->have, have, sizeof have);
		what = xasprintf("%s: grown from %s to %s", s->file, have, s->size);
		break;
	}
	step_done(r, what);
	free(what);
	next(r);
}

static const struct image_job_cbs job_cbs = { job_progress, job_done };

/* A new file's directory: made when missing (images/ beside the profile). */
static int
make_parent(const char *file, qt_error *err)
{
	char *dir = xstrdup(file), *p;
	int rc = 0;

	if ((p = strrchr(dir, '/')) == NULL || p == dir) {
		free(dir);
		return 0;
	}
	*p = '\0';
	for (p = dir + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
			err_errno(err, "cannot make the directory %s", dir);
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* A job's title in the dashboard, short like the disks pane's: the files' names. */
static char *
job_title_for(const struct prepare_step *s)
{
	switch (s->kind) {
	case PREP_CONVERT:
		return xasprintf("convert %s to %s", base_name(s->source), base_name(s->file));
	case PREP_CREATE:
		return xasprintf("create %s (%s)", base_name(s->file), s->size);
	case PREP_OVERLAY:
		return xasprintf("overlay %s on %s", base_name(s->file), base_name(s->source));
	default:
		return xasprintf("grow %s to %s", base_name(s->file), s->size);
	}
}

/* The step's qemu-img (or the probe before it): a job in the dashboard's list when
 * there is one, else a bare image.c job. */
static bool
start_job(struct prepare_run *r, char *const args[], const char *target,
    const char *tmp, qt_error *err)
{
	const struct prepare_step *s = &r->plan.steps[r->i];
	struct job_spec spec;
	char *title;

	if (r->jobs == NULL) {
		r->job = image_job_start(r->loop, args, target, tmp, &job_cbs, r, err);
		return r->job != NULL;
	}
	memset(&spec, 0, sizeof spec);
	title = r->probing ? NULL : job_title_for(s);
	spec.title = r->probing ? "info" : title;
	spec.vm = r->vm;
	spec.file = s->file;
	spec.args = args;
	spec.target = target;
	spec.tmp = tmp;
	spec.done = job_done;
	spec.arg = r;
	spec.quiet = r->probing;	/* a quick look, as the disks pane's info */
	r->jjob = jobs_start(r->jobs, &spec, err);
	free(title);
	return r->jjob != NULL;
}

static void
run_step(struct prepare_run *r)
{
	struct prepare_step *s = &r->plan.steps[r->i];
	struct strvec args = STRVEC_INIT;
	struct stat st;
	char *tmp = NULL;
	qt_error err;
	bool started;

	if (!r->abandoned && r->cb.progress != NULL)
		r->cb.progress(s, r->i, r->plan.n, -1, r->arg);
	if (s->kind != PREP_GROW && stat(s->file, &st) == 0) {
		next(r);	/* made meanwhile (another qemu-tui): never overwritten */
		return;
	}
	if (s->kind == PREP_GROW && s->have_known && s->have >= s->bytes) {
		next(r);	/* big enough; never shrunk */
		return;
	}
	r->probing = (s->kind == PREP_GROW && !s->have_known) ||
	    (s->kind == PREP_OVERLAY && s->source_format == NULL && r->probed == NULL);
	if (r->probing) {
		/* No -U: an image a running VM holds is refused with its name. */
		strvec_push(&args, "info");
		strvec_push(&args, "--output=json");
		strvec_push(&args, s->kind == PREP_GROW ? s->file : s->source);
		started = start_job(r, args.v, s->kind == PREP_GROW ? s->file : s->source,
		    NULL, &err);
	} else if (s->kind != PREP_GROW && make_parent(s->file, &err) == -1) {
		started = false;
	} else {
		if (s->kind != PREP_GROW)
			tmp = image_tmp_name(s->file);
		prepare_step_args(s, tmp, r->probed, &args);
		started = start_job(r, args.v, s->file, tmp, &err);
	}
	strvec_free(&args);
	free(tmp);
	if (!started)
		fail(r, err.msg);
}

static void
kick(void *arg)
{
	struct prepare_run *r = arg;

	r->kick = 0;
	run_step(r);
}

struct prepare_run *
prepare_begin(struct loop *l, struct prepare_plan *plan,
    const struct prepare_cbs *cb, void *arg, qt_error *err)
{
	struct prepare_run *r;

	if (plan->n == 0) {
		err_set(err, "nothing to prepare");
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->loop = l;
	r->plan = *plan;
	plan->steps = NULL;
	plan->profile = NULL;
	plan->n = 0;
	r->cb = *cb;
	r->arg = arg;
	/* The first step from the loop: every answer is a callback, never a return. */
	r->kick = loop_timer_add(l, 0, 0, kick, r);
	return r;
}

void
prepare_set_jobs(struct prepare_run *r, struct jobs *js, const char *vm)
{
	r->jobs = js;
	free(r->vm);
	r->vm = vm != NULL ? xstrdup(vm) : NULL;
}

void
prepare_cancel(struct prepare_run *r)
{
	r->cancelled = true;
	if (r->job != NULL)
		image_job_cancel(r->job);
	else if (r->jjob != NULL)
		job_cancel(r->jjob);
	else if (r->kick != 0) {
		loop_timer_del(r->loop, r->kick);
		r->kick = 0;
		finish(r, false, "cancelled; nothing was left behind");
	}
}

void
prepare_abandon(struct prepare_run *r)
{
	const struct prepare_step *s;
	char *tmp;

	r->abandoned = true;
	/* The owner may free the loop before qemu-img's end is seen: the
	 * temporary file goes now (qemu-img is being stopped), not at its end. */
	if ((r->job != NULL || r->jjob != NULL) && !r->probing) {
		s = &r->plan.steps[r->i];
		if (s->kind != PREP_GROW) {
			tmp = image_tmp_name(s->file);
			unlink(tmp);
			free(tmp);
		}
	}
	prepare_cancel(r);
}

/* ---- the command line's ---- */

struct sync_run {
	struct prepare_run *run;
	struct clibar bar;
	bool bar_on, done, ok;
	size_t did;
	qt_error *err;
	FILE *out;
};

static void
sync_progress(const struct prepare_step *s, size_t i, size_t n, double pct,
    void *arg)
{
	struct sync_run *w = arg;

	(void)i;
	(void)n;
	if (s->kind != PREP_CONVERT || w->out != stdout)
		return;
	if (pct < 0) {
		clibar_init(&w->bar, "convert", 0);
		w->bar_on = true;
	} else if (w->bar_on)
		clibar_update(&w->bar, pct);
}

static void
sync_step_done(const struct prepare_step *s, const char *what, void *arg)
{
	struct sync_run *w = arg;

	(void)s;
	if (w->bar_on)
		clibar_end(&w->bar);
	w->bar_on = false;
	fprintf(w->out, "%s\n", what);
	fflush(w->out);
	w->did++;
}

static void
sync_done(bool ok, const char *error, void *arg)
{
	struct sync_run *w = arg;

	if (w->bar_on)
		clibar_end(&w->bar);
	w->bar_on = false;
	w->done = true;
	w->ok = ok;
	w->run = NULL;
	if (!ok)
		err_set(w->err, "%s", error);
}

static void
sync_signal(int sig, void *arg)
{
	struct sync_run *w = arg;

	(void)sig;
	if (w->run != NULL)
		prepare_cancel(w->run);
}

int
prepare_sync(const struct profile *p, FILE *out, size_t *did, qt_error *err)
{
	static const struct prepare_cbs cbs = { sync_progress, sync_step_done, sync_done };
	struct prepare_fact *facts = prepare_facts(p, true);
	struct prepare_plan plan;
	struct sync_run w = { .err = err, .out = out };
	struct loop *l;

	if (did != NULL)
		*did = 0;
	prepare_plan(p, facts, NULL, &plan);
	free(facts);
	if (plan.n == 0) {
		prepare_plan_free(&plan);
		return 0;
	}
	l = loop_new();
	loop_signal(l, SIGINT, sync_signal, &w);
	loop_signal(l, SIGTERM, sync_signal, &w);
	loop_signal(l, SIGHUP, sync_signal, &w);
	w.run = prepare_begin(l, &plan, &cbs, &w, err);
	while (!w.done)
		loop_run_once(l, -1);
	loop_free(l);
	prepare_plan_free(&plan);
	if (did != NULL)
		*did = w.did;
	return w.ok ? 0 : -1;
}
