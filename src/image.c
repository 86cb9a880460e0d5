/* Disk images through qemu-img, as jobs on the loop (see image.h). */
#include "image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rundir.h"
#include "spawnchild.h"
#include "stream.h"

#define ERR_KEEP	16384	/* of qemu-img's stderr */
#define OUT_KEEP	(4u << 20)

struct image_job {
	struct loop *loop;
	pid_t pid;
	/* qemu-img's stdout (progress, info's JSON) and stderr, NULL once at EOF. */
	struct stream *out_s, *err_s;
	char *out;
	size_t out_len;
	char err[ERR_KEEP];
	size_t err_len;
	struct image_progress prog;
	char *target, *tmp, *op;
	struct image_job_cbs cb;
	void *arg;
	bool exited, cancelled;
	bool detached;		/* the owner went away: no callbacks */
	int status;
	long long t0;		/* ms, for rate and time left */
	uint64_t total;
};

char *
image_tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xasprintf(".%s.qemu-tui-%ld.tmp", path, (long)getpid());
	return xasprintf("%.*s/.%s.qemu-tui-%ld.tmp", (int)(slash - path), path,
	    slash + 1, (long)getpid());
}

int
image_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	double v;
	int shift = 0;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtod(s, &end);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end != '\0')
		return -1;
	v *= (double)((uint64_t)1 << shift);
	if (v < 0 || v > 9.2e18)
		return -1;
	*bytes = (uint64_t)v;
	return 0;
}

void
image_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s",
		    v, unit[i]);
}

bool
image_progress_feed(struct image_progress *p, const char *buf, size_t len)
{
	double old = p->pct, v;
	size_t i;
	char *open;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (c == '\r' || c == '\n') {
			p->tail[p->len] = '\0';
			if ((open = strrchr(p->tail, '(')) != NULL &&
			    sscanf(open, "(%lf/100%%)", &v) == 1 && v >= 0 && v <= 100)
				p->pct = v;
			p->len = 0;
		} else if (p->len + 1 < sizeof p->tail) {
			p->tail[p->len++] = c;
		}
	}
	return p->pct != old;
}

int
image_info_parse(const char *json, struct image_info *info, qt_error *err)
{
	struct json_object *o, *v;

	memset(info, 0, sizeof *info);
	if ((o = json_tokener_parse(json)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		err_set(err, "qemu-img info gave no JSON object");
		json_object_put(o);
		return -1;
	}
	if (json_object_object_get_ex(o, "format", &v))
		snprintf(info->format, sizeof info->format, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(o, "virtual-size", &v))
		info->virtual_size = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "actual-size", &v))
		info->actual_size = (uint64_t)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "backing-filename", &v))
		info->backing = xstrdup(json_object_get_string(v));
	if (json_object_object_get_ex(o, "snapshots", &v) &&
	    json_object_is_type(v, json_type_array))
		info->snapshots = (int)json_object_array_length(v);
	json_object_put(o);
	return 0;
}

void
image_info_free(struct image_info *info)
{
	free(info->backing);
	info->backing = NULL;
}

/* The running VM whose QEMU command line names file (QEMU's lock holder). */
static char *
holder_of(const char *file)
{
	char real[PATH_MAX], *base, *found = NULL;
	struct dirent *de;
	DIR *d;

	if (realpath(file, real) == NULL || (base = rundir_base(NULL)) == NULL)
		return NULL;
	if ((d = opendir(base)) == NULL) {
		free(base);
		return NULL;
	}
	while (found == NULL && (de = readdir(d)) != NULL) {
		char *dir, *cmd;
		size_t len, i;

		if (de->d_name[0] == '.')
			continue;
		dir = xasprintf("%s/%s", base, de->d_name);
		if ((cmd = rundir_read_len(dir, RUN_CMDLINE, &len)) != NULL) {
			for (i = 0; i < len; i++)
				if (cmd[i] == '\0')
					cmd[i] = ' ';
			if (strstr(cmd, real) != NULL || strstr(cmd, file) != NULL)
				found = xstrdup(de->d_name);
			free(cmd);
		}
		free(dir);
	}
	closedir(d);
	free(base);
	return found;
}

/* The last non-empty line of text, without "qemu-img: ". */
static void
last_line(const char *text, char *buf, size_t len)
{
	const char *e = text + strlen(text), *s;

	while (e > text && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
		e--;
	for (s = e; s > text && s[-1] != '\n'; s--)
		;
	if (strncmp(s, "qemu-img: ", 10) == 0)
		s += 10;
	snprintf(buf, len, "%.*s", (int)(e - s), s);
}

void
image_explain(const char *op, const char *file, const char *text, qt_error *err)
{
	char last[512];
	char *vm;

	last_line(text, last, sizeof last);
	if (strstr(text, "\"write\" lock") != NULL || strstr(text, "\"consistent read\" lock")) {
		if ((vm = holder_of(file)) != NULL) {
			err_set(err, "%s: %s is in use by the running VM %s: stop it first "
			    "(qemu-tui stop %s); nothing was changed", op, file, vm, vm);
			free(vm);
		} else
			err_set(err, "%s: %s is in use by another process (QEMU's image lock): "
			    "stop the VM that has it open; nothing was changed", op, file);
	} else if (strstr(text, "No space left on device") != NULL) {
		err_set(err, "%s: the disk is full writing %s; nothing was left behind: free "
		    "some space (df -h) and try again", op, file);
	} else if (strstr(text, "Unknown driver") != NULL ||
	    strstr(text, "Unknown file format") != NULL ||
	    strstr(text, "Unknown format") != NULL) {
		err_set(err, "%s: %s (formats qemu-img knows: qemu-img --help | tail)",
		    op, last);
	} else if (strstr(text, "Permission denied") != NULL ||
	    strstr(text, "Read-only file system") != NULL) {
		err_set(err, "%s: cannot write %s: %s: make its directory writable or "
		    "choose another place", op, file, last);
	} else if (strstr(text, "No such file or directory") != NULL) {
		err_set(err, "%s: %s", op, last);
	} else {
		err_set(err, "%s: qemu-img: %s", op, last[0] ? last : "failed");
	}
}

static void
job_finish(struct image_job *j)
{
	char msg[1100];
	qt_error err = { "" };
	bool ok;

	ok = !j->cancelled && WIFEXITED(j->status) && WEXITSTATUS(j->status) == 0;
	j->err[j->err_len] = '\0';
	if (ok && j->tmp != NULL && j->target != NULL && rename(j->tmp, j->target) == -1) {
		err_errno(&err, "%s: cannot rename %s to %s", j->op, j->tmp, j->target);
		ok = false;
	} else if (j->cancelled) {
		if (j->tmp != NULL)
			err_set(&err, "%s: cancelled; nothing was left behind", j->op);
		else
			err_set(&err, "%s: cancelled", j->op);
	} else if (!ok && WIFSIGNALED(j->status)) {
		err_set(&err, "%s: qemu-img was killed (signal %d); nothing was left behind",
		    j->op, WTERMSIG(j->status));
	} else if (!ok && WIFEXITED(j->status) && WEXITSTATUS(j->status) == 127 &&
	    j->err_len == 0) {
		/* An exec failure posix_spawnp could not report (under valgrind, whose
		 * clone is a fork): the child's 127 and nothing said. */
		err_set(&err, "%s: cannot run qemu-img (install qemu-utils)", j->op);
	} else if (!ok) {
		image_explain(j->op, j->target != NULL ? j->target : "the image", j->err, &err);
	}
	if (!ok && j->tmp != NULL)
		unlink(j->tmp);
	snprintf(msg, sizeof msg, "%s", err.msg);
	if (j->out == NULL)
		j->out = xstrdup("");
	if (!j->detached)
		j->cb.done(ok, ok ? NULL : msg, j->out, j->arg);
	free(j->out);
	free(j->target);
	free(j->tmp);
	free(j->op);
	free(j);
}

static void
job_maybe_done(struct image_job *j)
{
	if (j->exited && j->out_s == NULL && j->err_s == NULL)
		job_finish(j);
}

static void
job_out(struct stream *s, const char *buf, size_t len, void *arg)
{
	struct image_job *j = arg;

	(void)s;
	if (image_progress_feed(&j->prog, buf, len) && j->cb.progress != NULL &&
	    !j->detached)
		j->cb.progress(j->prog.pct, j->arg);
	if (j->out_len + len <= OUT_KEEP) {
		j->out = xrealloc(j->out, j->out_len + len + 1);
		memcpy(j->out + j->out_len, buf, len);
		j->out_len += len;
		j->out[j->out_len] = '\0';
	}
}

static void
job_err(struct stream *s, const char *buf, size_t len, void *arg)
{
	struct image_job *j = arg;
	size_t k = len < sizeof j->err - 1 - j->err_len ? len : sizeof j->err - 1 - j->err_len;

	(void)s;
	memcpy(j->err + j->err_len, buf, k);
	j->err_len += k;
}

/* EOF on one of the pipes: the stream has closed its fd already. */
static void
job_pipe_closed(struct stream *s, const char *why, void *arg)
{
	struct image_job *j = arg;

	(void)why;
	if (s == j->out_s)
		j->out_s = NULL;
	else
		j->err_s = NULL;
	stream_free(s);
	job_maybe_done(j);
}

static void
job_exited(pid_t pid, int status, void *arg)
{
	struct image_job *j = arg;

	(void)pid;
	j->exited = true;
	j->status = status;
	job_maybe_done(j);
}

struct image_job *
image_job_start(struct loop *l, char *const args[], const char *target,
    const char *tmp_target, const struct image_job_cbs *cb, void *arg,
    qt_error *err)
{
	static const struct stream_hooks out_hooks = { job_out, job_pipe_closed };
	static const struct stream_hooks err_hooks = { job_err, job_pipe_closed };
	struct image_job *j;
	struct strvec argv = STRVEC_INIT;
	int outp[2], errp[2];
	size_t i;
	pid_t pid;

	strvec_push(&argv, "qemu-img");
	for (i = 0; args[i] != NULL; i++)
		strvec_push(&argv, args[i]);
	if (pipe2(outp, O_CLOEXEC) == -1) {
		err_errno(err, "pipe");
		strvec_free(&argv);
		return NULL;
	}
	if (pipe2(errp, O_CLOEXEC) == -1) {
		err_errno(err, "pipe");
		close(outp[0]);
		close(outp[1]);
		strvec_free(&argv);
		return NULL;
	}
	/* Its own process group: Ctrl-C is ours to turn into a clean cancel. */
	pid = spawn_child(argv.v, -1, outp[1], errp[1], true, "qemu-utils", err);
	close(outp[1]);
	close(errp[1]);
	if (pid == -1) {
		close(outp[0]);
		close(errp[0]);
		strvec_free(&argv);
		return NULL;
	}
	strvec_free(&argv);
	j = xcalloc(1, sizeof *j);
	j->loop = l;
	j->pid = pid;
	j->t0 = now_ms();
	j->cb = *cb;
	j->arg = arg;
	j->op = xasprintf("qemu-img %s", args[0]);
	j->target = target != NULL ? xstrdup(target) : NULL;
	j->tmp = tmp_target != NULL ? xstrdup(tmp_target) : NULL;
	j->out_s = stream_new(l, outp[0], &out_hooks, j);
	j->err_s = stream_new(l, errp[0], &err_hooks, j);
	loop_child(l, pid, job_exited, j);
	return j;
}

void
image_job_cancel(struct image_job *j)
{
	if (j->exited)
		return;
	/* A second cancel does not ask any more. */
	kill(j->pid, j->cancelled ? SIGKILL : SIGTERM);
	j->cancelled = true;
}

void
image_job_detach(struct image_job *j)
{
	j->detached = true;
	image_job_cancel(j);
}

void
image_job_set_total(struct image_job *j, uint64_t bytes)
{
	j->total = bytes;
}

void
image_job_stats(const struct image_job *j, struct image_job_stats *st)
{
	memset(st, 0, sizeof *st);
	st->pct = j->prog.pct;
	st->total = j->total;
	st->done = (uint64_t)((double)j->total * st->pct / 100.0);
	st->elapsed = (double)(now_ms() - j->t0) / 1000.0;
	st->left = -1;
	/* The average so far: qemu-img's steps are too coarse for a moving one. */
	if (st->elapsed > 0.2 && st->done > 0)
		st->rate = (double)st->done / st->elapsed;
	if (st->pct >= 1 && st->pct < 100)
		st->left = st->elapsed * (100 - st->pct) / st->pct;
}

void
image_stats_format(const struct image_job_stats *st, char *buf, size_t len)
{
	char done[32], total[32], rate[32];
	int n;

	n = snprintf(buf, len, "%.1f%%", st->pct);
	if (st->total > 0 && n >= 0 && (size_t)n < len) {
		image_format_size(st->done, done, sizeof done);
		image_format_size(st->total, total, sizeof total);
		n += snprintf(buf + n, len - (size_t)n, "  %s / %s", done, total);
	}
	if (st->rate > 0 && n >= 0 && (size_t)n < len) {
		image_format_size((uint64_t)st->rate, rate, sizeof rate);
		n += snprintf(buf + n, len - (size_t)n, "  %s/s", rate);
	}
	if (st->left >= 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "  %.0f s left", st->left);
}

void
image_bar_format(const char *what, const struct image_job_stats *st, int width,
    char *buf, size_t len)
{
	char bar[64], figures[160];
	int i, cells = width > 0 && width / 4 < (int)sizeof bar ? width / 4 : 24, fill;

	if (cells < 8)
		cells = 8;
	fill = (int)(st->pct / 100.0 * cells);
	for (i = 0; i < cells; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[cells] = '\0';
	image_stats_format(st, figures, sizeof figures);
	snprintf(buf, len, "%s [%s] %s", what, bar, figures);
}

/* ---- qemu-img info --backing-chain ---- */

static uint64_t
get_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_int64(v) : 0;
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void
layer_parse(struct json_object *o, struct image_layer *l)
{
	const char *v;

	memset(l, 0, sizeof *l);
	l->file = xstrdup((v = get_str(o, "filename")) != NULL ? v : "");
	snprintf(l->format, sizeof l->format, "%s", (v = get_str(o, "format")) ? v : "?");
	l->virtual_size = get_u64(o, "virtual-size");
	l->actual_size = get_u64(o, "actual-size");
	if ((v = get_str(o, "backing-filename")) != NULL)
		l->backing = xstrdup(v);
	l->nsnaps = image_snapshots_parse(o, &l->snaps);
}

int
image_chain_parse(const char *json, struct image_layer **layers, size_t *n,
    qt_error *err)
{
	struct json_object *o;
	size_t i, count;

	*layers = NULL;
	*n = 0;
	if ((o = json_tokener_parse(json)) == NULL ||
	    (!json_object_is_type(o, json_type_object) &&
	    !json_object_is_type(o, json_type_array))) {
		err_set(err, "qemu-img info gave no JSON object or array");
		json_object_put(o);
		return -1;
	}
	if (json_object_is_type(o, json_type_object)) {
		*layers = xcalloc(1, sizeof **layers);
		layer_parse(o, *layers);
		*n = 1;
		json_object_put(o);
		return 0;
	}
	count = json_object_array_length(o);
	*layers = xcalloc(count + 1, sizeof **layers);
	for (i = 0; i < count; i++) {
		struct json_object *e = json_object_array_get_idx(o, i);

		if (!json_object_is_type(e, json_type_object)) {
			err_set(err, "qemu-img info: element %zu of the chain is not an object", i);
			image_chain_free(*layers, i);
			*layers = NULL;
			json_object_put(o);
			return -1;
		}
		layer_parse(e, &(*layers)[i]);
	}
	*n = count;
	json_object_put(o);
	return 0;
}

void
image_chain_free(struct image_layer *layers, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(layers[i].file);
		free(layers[i].backing);
		free(layers[i].snaps);
	}
	free(layers);
}

static long long
member_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (long long)json_object_get_int64(v) : 0;
}

size_t
image_snapshots_parse(struct json_object *image, struct image_snapshot **out)
{
	struct json_object *snaps, *s, *v;
	struct image_snapshot *all;
	size_t i, n;

	*out = NULL;
	if (image == NULL || !json_object_object_get_ex(image, "snapshots", &snaps) ||
	    !json_object_is_type(snaps, json_type_array) ||
	    (n = json_object_array_length(snaps)) == 0)
		return 0;
	all = xcalloc(n, sizeof *all);
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(snaps, i);
		if (json_object_object_get_ex(s, "id", &v))
			snprintf(all[i].id, sizeof all[i].id, "%s", json_object_get_string(v));
		if (json_object_object_get_ex(s, "name", &v))
			snprintf(all[i].tag, sizeof all[i].tag, "%s", json_object_get_string(v));
		all[i].vm_size = (uint64_t)member_int(s, "vm-state-size");
		all[i].date_sec = member_int(s, "date-sec");
		all[i].vm_clock_ns = member_int(s, "vm-clock-sec") * 1000000000LL +
		    member_int(s, "vm-clock-nsec");
	}
	*out = all;
	return n;
}

void
image_format_date(long long sec, char *buf, size_t len)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "?");
}

void
image_format_clock(long long ns, char *buf, size_t len)
{
	snprintf(buf, len, "%02lld:%02lld:%02lld.%03lld", ns / 3600000000000LL,
	    ns / 60000000000LL % 60, ns / 1000000000LL % 60, ns / 1000000LL % 1000);
}
