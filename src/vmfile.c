/* A VM's files as a whole: new, clone, rename, delete (see vmfile.h). */
#include "vmfile.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware.h"
#include "image.h"
#include "rundir.h"
#include "vmstate.h"

#define NV(m) offsetof(struct newvm, m)
const struct newvm_field newvm_fields[] = {
	{ "Name", "name", "letters, digits, - _ .", NV(name) },
	{ "Arch", "arch", "x86_64, aarch64, ...", NV(arch) },
	{ "Memory", "memory", "256M, 2G", NV(memory) },
	{ "CPUs", "smp", "1", NV(smp) },
	{ "Accel", "accel", "auto, kvm, tcg", NV(accel) },
	{ "New disk", NULL, "size: 8G (or an existing file below)", NV(disk_size) },
	{ "Disk file", "drives[].file", "an existing image", NV(disk_file) },
	{ "ISO", "drives[].file", "a CD-ROM image", NV(iso) },
	{ "Kernel", "kernel", "a kernel image", NV(kernel) },
	{ "Initrd", "initrd", "an initramfs", NV(initrd) },
	{ "Append", "append", "the kernel command line", NV(append) },
	{ "Network", "network.mode", "user, tap, none", NV(net) },
	{ "SSH user", "ssh.user", "root", NV(ssh_user) },
};
const size_t newvm_nfields = sizeof newvm_fields / sizeof newvm_fields[0];

static const char *
field_of(const struct newvm *s, size_t off)
{
	const char *v = *(const char *const *)(const void *)((const char *)s + off);

	return v != NULL && *v != '\0' ? v : NULL;
}

char *
newvm_check(const struct newvm_field *f, const char *value, const char *dir)
{
	uint64_t bytes;
	qt_error err;
	char *why;

	if (f->off == NV(name)) {
		if (*value == '\0')
			return xstrdup("a name is needed");
		if ((why = profile_name_problem(value)) != NULL)
			return why;
	}
	if (*value == '\0')
		return NULL;	/* not given: the profile's default */
	if (f->off == NV(disk_size)) {
		/* Until drives[] has a size of its own: qemu-img's sizes. */
		if (*value != '\0' && image_parse_size(value, &bytes) == -1)
			return xasprintf("\"%s\" is not a size (like 8G, 512M)", value);
		return NULL;
	}
	if (f->key == NULL || profile_check_field(f->key, value, dir, &err) == 0)
		return NULL;
	return xstrdup(err.msg);
}

/* A path typed on the command line or in the form is relative to where it was typed. */
static char *
abs_of(const char *path)
{
	char *cwd, *a;

	if (path[0] == '/')
		return xstrdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return xstrdup(path);
	a = path_join(cwd, strncmp(path, "./", 2) == 0 ? path + 2 : path);
	free(cwd);
	return a;
}

static void
set_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void
set_path(struct json_object *o, const char *key, const char *v)
{
	char *a = abs_of(v);

	set_str(o, key, a);
	free(a);
}

/* ---- the job chain ---- */

struct step {
	struct strvec args;	/* qemu-img's, "@" where the temporary file goes */
	char *target;
};

#define MAX_STEPS 32

struct vmfile_job {
	struct loop *loop;
	struct step steps[MAX_STEPS];
	size_t nsteps, next;
	struct image_job *cur;
	unsigned long start_timer;	/* the chain has not begun yet */
	struct strvec made;		/* files made so far: removed when the chain fails */
	struct strvec log;		/* what was done, for the caller */
	char *dir, *name, *comment;
	struct json_object *obj;	/* the new profile */
	/* A clone with overlays: the source's profile, rewritten onto its own overlays. */
	char *src_dir, *src_name;
	struct json_object *src_obj;
	vmfile_done_fn done;
	void *arg;
};

static struct vmfile_job *
job_new(struct loop *l, const char *dir, const char *name, vmfile_done_fn done, void *arg)
{
	struct vmfile_job *j = xcalloc(1, sizeof *j);

	j->loop = l;
	j->dir = xstrdup(dir);
	j->name = xstrdup(name);
	j->done = done;
	j->arg = arg;
	return j;
}

static void
job_free(struct vmfile_job *j)
{
	size_t i;

	for (i = 0; i < j->nsteps; i++) {
		strvec_free(&j->steps[i].args);
		free(j->steps[i].target);
	}
	strvec_free(&j->made);
	strvec_free(&j->log);
	free(j->dir);
	free(j->name);
	free(j->comment);
	free(j->src_dir);
	free(j->src_name);
	json_object_put(j->obj);
	json_object_put(j->src_obj);
	free(j);
}

static struct step *
step_add(struct vmfile_job *j, const char *target)
{
	struct step *s;

	if (j->nsteps == MAX_STEPS)
		fatal("vmfile: more than %d disks", MAX_STEPS);
	s = &j->steps[j->nsteps++];
	memset(&s->args, 0, sizeof s->args);
	s->target = xstrdup(target);
	return s;
}

static void
fail_chain(struct vmfile_job *j, const char *error)
{
	size_t i;

	for (i = 0; i < j->made.n; i++)
		unlink(j->made.v[i]);
	j->done(false, error, j->arg);
	job_free(j);
}

static char *
log_text(const struct vmfile_job *j)
{
	size_t i, n = 1;
	char *t;

	for (i = 0; i < j->log.n; i++)
		n += strlen(j->log.v[i]) + 1;
	t = xcalloc(1, n);
	for (i = 0; i < j->log.n; i++) {
		strcat(t, j->log.v[i]);
		strcat(t, "\n");
	}
	return t;
}

static void
finish(struct vmfile_job *j)
{
	struct profile *p, *sp;
	qt_error err;
	char *t;

	if ((p = profile_write(j->dir, j->name, j->obj, j->comment, 0, &err)) == NULL) {
		fail_chain(j, err.msg);
		return;
	}
	strvec_push(&j->log, "");
	free(j->log.v[j->log.n - 1]);
	j->log.v[j->log.n - 1] = xasprintf("wrote %s", p->path);
	if (j->src_obj != NULL) {
		sp = profile_write(j->src_dir, j->src_name, j->src_obj,
		    "rewritten by qemu-tui clone: its disks are overlays now", PROFILE_WRITE_REPLACE,
		    &err);
		if (sp == NULL) {
			unlink(p->path);
			profile_free(p);
			fail_chain(j, err.msg);
			return;
		}
		strvec_push(&j->log, "");
		free(j->log.v[j->log.n - 1]);
		j->log.v[j->log.n - 1] = xasprintf("rewrote %s onto its overlays", sp->path);
		profile_free(sp);
	}
	profile_free(p);
	t = log_text(j);
	j->done(true, t, j->arg);
	free(t);
	job_free(j);
}

static void run_next(struct vmfile_job *j);

static void
on_image_done(bool ok, const char *error, const char *out, void *arg)
{
	struct vmfile_job *j = arg;

	(void)out;
	j->cur = NULL;
	if (!ok) {
		fail_chain(j, error);
		return;
	}
	strvec_push(&j->made, j->steps[j->next].target);
	j->next++;
	run_next(j);
}

static void
run_next(struct vmfile_job *j)
{
	static const struct image_job_cbs cbs = { NULL, on_image_done };
	struct strvec argv = STRVEC_INIT;
	struct step *s;
	char *tmp;
	qt_error err;
	size_t i;

	if (j->next == j->nsteps) {
		finish(j);
		return;
	}
	s = &j->steps[j->next];
	tmp = image_tmp_name(s->target);
	for (i = 0; i < s->args.n; i++)
		strvec_push(&argv, strcmp(s->args.v[i], "@") == 0 ? tmp : s->args.v[i]);
	j->cur = image_job_start(j->loop, argv.v, s->target, tmp, &cbs, j, &err);
	strvec_free(&argv);
	free(tmp);
	if (j->cur == NULL)
		fail_chain(j, err.msg);
}

/* Start the chain on the loop: steps run from the loop, never inside the call. */
static void
on_start_timer(void *arg)
{
	struct vmfile_job *j = arg;

	j->start_timer = 0;
	run_next(j);
}

static struct vmfile_job *
job_start(struct vmfile_job *j)
{
	j->start_timer = loop_timer_add(j->loop, 0, 0, on_start_timer, j);
	return j;
}

void
vmfile_cancel(struct vmfile_job *j)
{
	if (j == NULL)
		return;
	if (j->start_timer != 0) {
		loop_timer_del(j->loop, j->start_timer);
		fail_chain(j, "cancelled");
	} else if (j->cur != NULL)
		image_job_cancel(j->cur);
}

/* ---- new ---- */

/*
 * The new VM's new disk. Until drives[] can say "size" itself (and `prepare`
 * makes it), the disk is made here, by qemu-img, before the profile is written.
 */
static void
newvm_disk(struct vmfile_job *j, struct json_object *drives, const char *size)
{
	char *file = xasprintf("%s.qcow2", j->name), *path = path_join(j->dir, file);
	struct step *s = step_add(j, path);
	struct json_object *d = json_object_new_object();
	const char *args[] = { "create", "-q", "-f", "qcow2", "@", size, NULL };
	size_t i;

	for (i = 0; args[i] != NULL; i++)
		strvec_push(&s->args, args[i]);
	set_str(d, "file", file);	/* the profile's own directory */
	set_str(d, "format", "qcow2");
	json_object_array_add(drives, d);
	strvec_push(&j->log, "");
	free(j->log.v[j->log.n - 1]);
	j->log.v[j->log.n - 1] = xasprintf("created %s (qcow2, %s)", path, size);
	free(file);
	free(path);
}

struct vmfile_job *
vmfile_new(struct loop *l, const char *dir, const struct newvm *s, vmfile_done_fn done,
    void *arg, qt_error *err)
{
	struct json_object *o, *drives, *sub;
	struct vmfile_job *j;
	const char *v;
	char *why, *path;
	struct stat st;
	struct profile *p;
	size_t i;

	for (i = 0; i < newvm_nfields; i++) {
		v = field_of(s, newvm_fields[i].off);
		if ((why = newvm_check(&newvm_fields[i], v != NULL ? v : "", NULL)) != NULL) {
			err_set(err, "%s", why);
			free(why);
			return NULL;
		}
	}
	if (field_of(s, NV(disk_size)) != NULL && field_of(s, NV(disk_file)) != NULL) {
		err_set(err, "a new disk (size) or an existing disk file, not both");
		return NULL;
	}
	o = json_object_new_object();
	if ((v = field_of(s, NV(arch))) != NULL)
		set_str(o, "arch", v);
	if ((v = field_of(s, NV(accel))) != NULL)
		set_str(o, "accel", v);
	if ((v = field_of(s, NV(memory))) != NULL)
		set_str(o, "memory", v);
	if ((v = field_of(s, NV(smp))) != NULL)
		json_object_object_add(o, "smp", json_object_new_int(atoi(v)));
	if ((v = field_of(s, NV(kernel))) != NULL)
		set_path(o, "kernel", v);
	if ((v = field_of(s, NV(initrd))) != NULL)
		set_path(o, "initrd", v);
	if ((v = field_of(s, NV(append))) != NULL)
		set_str(o, "append", v);
	drives = json_object_new_array();
	if ((v = field_of(s, NV(disk_file))) != NULL) {
		sub = json_object_new_object();
		set_path(sub, "file", v);
		json_object_array_add(drives, sub);
	}
	if ((v = field_of(s, NV(iso))) != NULL) {
		sub = json_object_new_object();
		set_path(sub, "file", v);
		set_str(sub, "media", "cdrom");
		json_object_object_add(sub, "readonly", json_object_new_boolean(1));
		json_object_array_add(drives, sub);
	}
	json_object_object_add(o, "drives", drives);
	if ((v = field_of(s, NV(net))) != NULL) {
		sub = json_object_new_object();
		set_str(sub, "mode", v);
		json_object_object_add(o, "network", sub);
	}
	if ((v = field_of(s, NV(ssh_user))) != NULL) {
		sub = json_object_new_object();
		set_str(sub, "user", v);
		json_object_object_add(o, "ssh", sub);
	}
	/* The loader's verdict on everything but the disk not made yet (cross-field
	 * rules too), before qemu-img makes anything. */
	set_str(o, "name", s->name);
	path = xasprintf("%s/%s.json", dir, s->name);
	p = profile_parse(path, json_object_to_json_string(o), strlen(json_object_to_json_string(o)));
	if (p->broken != NULL) {
		err_set(err, "%s; nothing was written", p->broken);
		profile_free(p);
		free(path);
		json_object_put(o);
		return NULL;
	}
	profile_free(p);
	if (stat(path, &st) == 0) {
		err_set(err, "%s exists; nothing was written", path);
		free(path);
		json_object_put(o);
		return NULL;
	}
	free(path);
	j = job_new(l, dir, s->name, done, arg);
	j->obj = o;
	j->comment = xstrdup("made by qemu-tui new");
	if ((v = field_of(s, NV(disk_size))) != NULL) {
		path = xasprintf("%s/%s.qcow2", dir, s->name);
		if (lstat(path, &st) == 0) {
			err_set(err, "%s exists: choose another name, or give it as the disk file",
			    path);
			free(path);
			job_free(j);
			return NULL;
		}
		free(path);
		newvm_disk(j, drives, v);
	}
	return job_start(j);
}

/* ---- clone ---- */

/* A loaded profile has the name (clone's and rename's target): true with err. */
static bool
taken(const struct profile_list *list, const char *name, qt_error *err)
{
	const struct profile *o = list != NULL ? profile_list_find(list, name) : NULL;

	if (o == NULL)
		return false;
	err_set(err, "a profile named %s exists (%s)", name, o->path);
	return true;
}

bool
vmfile_live(const char *name)
{
	struct vm_run r;
	bool live;

	if (vm_run_read(name, &r, NULL) == -1)
		return false;
	live = vm_state_live(vm_state_of(&r, NULL));
	vm_run_free(&r);
	return live;
}

void
vmfile_mac_for(const char *name, char *buf, size_t len)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(buf, len, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
}

/* The format QEMU would probe: qcow2 by its magic, else raw. */
static const char *
probe_format(const char *file)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(file, "rb");
	size_t n = 0;

	if (f != NULL) {
		n = fread(m, 1, 4, f);
		fclose(f);
	}
	return n == 4 && memcmp(m, "QFI\xfb", 4) == 0 ? "qcow2" : "raw";
}

/* dir/PREFIX-STEM.EXT, or with -2, -3 ... until no file has the name. */
static char *
unique_path(const char *dir, const char *prefix, const char *file, const char *ext)
{
	const char *base = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;
	char *stem = xstrdup(base), *dot, *path;
	struct stat st;
	int i;

	if ((dot = strrchr(stem, '.')) != NULL && dot != stem && ext != NULL)
		*dot = '\0';
	for (i = 1; ; i++) {
		if (i == 1)
			path = xasprintf("%s/%s-%s%s", dir, prefix, stem, ext != NULL ? ext : "");
		else
			path = xasprintf("%s/%s-%s-%d%s", dir, prefix, stem, i, ext != NULL ? ext : "");
		if (lstat(path, &st) == -1)
			break;
		free(path);
	}
	free(stem);
	return path;
}

static void
overlay_step(struct vmfile_job *j, const char *target, const char *base, const char *fmt)
{
	struct step *s = step_add(j, target);
	const char *args[] = { "create", "-q", "-f", "qcow2", "-b", base, "-F", fmt, "@", NULL };
	size_t i;

	for (i = 0; args[i] != NULL; i++)
		strvec_push(&s->args, args[i]);
}

static void
copy_step(struct vmfile_job *j, const char *target, const char *src, const char *fmt)
{
	struct step *s = step_add(j, target);
	const char *args[] = { "convert", "-f", fmt, "-O", fmt, src, "@", NULL };
	size_t i;

	for (i = 0; args[i] != NULL; i++)
		strvec_push(&s->args, args[i]);
}

static void
logf_(struct vmfile_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(struct vmfile_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push(&j->log, "");
	free(j->log.v[j->log.n - 1]);
	j->log.v[j->log.n - 1] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* o[key] replaced by a copy of its own (its members shared), so changing it leaves
 * the source's object alone; NULL when o has no such object. */
static struct json_object *
own(struct json_object *o, const char *key)
{
	struct json_object *old, *copy;

	if (!json_object_object_get_ex(o, key, &old) ||
	    !json_object_is_type(old, json_type_object))
		return NULL;
	copy = json_object_new_object();
	json_object_object_foreach(old, k, v)
		json_object_object_add(copy, k, json_object_get(v));
	json_object_object_add(o, key, copy);
	return copy;
}

/* Paths in the clone are absolute: its profile may live in another directory. */
static void
absolute_paths(struct json_object *o, const struct profile *src)
{
	struct json_object *ssh;

	if (json_object_object_get_ex(o, "kernel", NULL) && src->kernel != NULL)
		set_str(o, "kernel", src->kernel);
	if (json_object_object_get_ex(o, "initrd", NULL) && src->initrd != NULL)
		set_str(o, "initrd", src->initrd);
	if (json_object_object_get_ex(o, "bios", NULL) && src->bios != NULL)
		set_str(o, "bios", src->bios);
	if (json_object_object_get_ex(o, "firmware", NULL) && src->firmware != NULL)
		set_str(o, "firmware", src->firmware);
	if (json_object_object_get_ex(o, "qemu", NULL) && src->qemu != NULL &&
	    strchr(src->qemu, '/') != NULL)
		set_str(o, "qemu", src->qemu);
	if ((ssh = own(o, "ssh")) != NULL &&
	    json_object_object_get_ex(ssh, "identity", NULL) && src->ssh.identity != NULL)
		set_str(ssh, "identity", src->ssh.identity);
}

struct vmfile_job *
vmfile_clone(struct loop *l, const char *dir, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, vmfile_done_fn done,
    void *arg, qt_error *err)
{
	struct json_object *sj, *o, *drives, *sdrives = NULL, *d, *sd, *net, *ssh;
	struct vmfile_job *j;
	const struct drive *dr;
	const char *fmt;
	char mac[32], *why, *target, *sov;
	const char *base;
	bool rewrite = false;
	size_t i;

	if ((why = profile_name_problem(name)) != NULL) {
		err_set(err, "%s", why);
		free(why);
		return NULL;
	}
	if (taken(list, name, err))
		return NULL;
	if (src->broken != NULL) {
		err_set(err, "%s cannot be cloned until it loads: %s", src->name, src->broken);
		return NULL;
	}
	if (vmfile_live(src->name)) {
		err_set(err, "%s is running: stop it first (its disks must not change while "
		    "they are copied or become a base)", src->name);
		return NULL;
	}
	if ((sj = profile_read_json(src->path, err)) == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_foreach(sj, key, val)
		if (strcmp(key, "name") != 0)
			json_object_object_add(o, key, json_object_get(val));
	/* The clone's drives are new objects; the rest is shared with sj until written. */
	j = job_new(l, dir, name, done, arg);
	j->comment = xasprintf("cloned from %s by qemu-tui clone", src->name);
	absolute_paths(o, src);
	if (json_object_object_get_ex(sj, "drives", &sdrives) &&
	    json_object_array_length(sdrives) != src->ndrives) {
		err_set(err, "%s: drives[] does not match the loaded profile", src->path);
		goto fail;
	}
	drives = json_object_new_array();
	for (i = 0; i < src->ndrives; i++) {
		dr = &src->drives[i];
		sd = json_object_array_get_idx(sdrives, i);
		d = json_object_new_object();
		json_object_object_foreach(sd, dk, dv)
			json_object_object_add(d, dk, json_object_get(dv));
		json_object_array_add(drives, d);
		if (dr->readonly || dr->snapshot || profile_is_url(dr->file) ||
		    (dr->media != NULL && strcmp(dr->media, "cdrom") == 0)) {
			if (!profile_is_url(dr->file))
				set_str(d, "file", dr->file);
			logf_(j, "drives[%zu] %s: shared (%s)", i, dr->file,
			    dr->snapshot ? "its writes are thrown away" : "read-only");
			continue;
		}
		fmt = dr->format != NULL ? dr->format : probe_format(dr->file);
		if (copy || (dr->iface != NULL && strcmp(dr->iface, "pflash") == 0)) {
			/* pflash keeps its size and format: always a copy. */
			target = unique_path(dir, name, dr->file, NULL);
			copy_step(j, target, dr->file, fmt);
			set_str(d, "file", target);
			set_str(d, "format", fmt);
			logf_(j, "drives[%zu] %s: copied to %s", i, dr->file, target);
			free(target);
			continue;
		}
		if (access(src->dir, W_OK) == -1) {
			err_set(err, "%s's profile directory %s is not writable, so %s cannot "
			    "move onto an overlay of its disk: clone with --copy", src->name,
			    src->dir, src->name);
			goto fail;
		}
		target = unique_path(dir, name, dr->file, ".qcow2");
		sov = unique_path(src->dir, src->name, dr->file, ".qcow2");
		overlay_step(j, target, dr->file, fmt);
		overlay_step(j, sov, dr->file, fmt);
		set_str(d, "file", target);
		set_str(d, "format", "qcow2");
		/* The source writes to its own overlay from now on: the base stays as it is. */
		set_str(sd, "file", sov);
		set_str(sd, "format", "qcow2");
		rewrite = true;
		logf_(j, "drives[%zu] %s: now a read-only base; %s writes to %s, %s to %s", i,
		    dr->file, name, target, src->name, sov);
		free(target);
		free(sov);
	}
	if (src->ndrives > 0)
		json_object_object_add(o, "drives", drives);
	else
		json_object_put(drives);
	if ((net = own(o, "network")) != NULL && json_object_object_get_ex(net, "mac", NULL)) {
		vmfile_mac_for(name, mac, sizeof mac);
		set_str(net, "mac", mac);
		logf_(j, "network.mac: %s (the source's stays its own)", mac);
	}
	if ((ssh = own(o, "ssh")) != NULL && json_object_object_get_ex(ssh, "port", NULL)) {
		json_object_object_del(ssh, "port");
		logf_(j, "ssh.port: dropped; a free port is chosen at start");
	}
	if (json_object_object_get_ex(o, "network", &net) &&
	    json_object_object_get_ex(net, "forwards", &d) && json_object_array_length(d) > 0)
		logf_(j, "network.forwards: kept; they clash with %s's while both run", src->name);
	j->obj = o;
	if (rewrite) {
		j->src_obj = sj;
		j->src_dir = xstrdup(src->dir);
		j->src_name = xstrdup(src->name);
		/* profile_write writes NAME.json: the source's file must be that one. */
		base = strrchr(src->path, '/') != NULL ? strrchr(src->path, '/') + 1 : src->path;
		if (strlen(base) != strlen(src->name) + 5 ||
		    strncmp(base, src->name, strlen(src->name)) != 0) {
			err_set(err, "%s holds the profile named %s: rename the file to %s.json "
			    "first, or clone with --copy", src->path, src->name, src->name);
			j->src_obj = NULL;
			j->obj = NULL;
			goto fail;
		}
	} else
		json_object_put(sj);
	return job_start(j);
fail:
	json_object_put(o);
	json_object_put(sj);
	job_free(j);
	return NULL;
}

/* ---- rename ---- */

char *
vmfile_state_dir(const char *name)
{
	char *dir = firmware_state_dir(name, NULL);
	struct stat st;

	if (dir != NULL && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

int
vmfile_rename(const struct profile *p, const char *name, const struct profile_list *list,
    qt_error *err)
{
	struct json_object *o;
	struct profile *np;
	char *why, *from = NULL, *to = NULL, *sfrom = NULL, *sto = NULL;
	struct stat st;
	int rc = -1;

	if ((why = profile_name_problem(name)) != NULL) {
		err_set(err, "%s", why);
		free(why);
		return -1;
	}
	if (strcmp(p->name, name) == 0) {
		err_set(err, "%s is already its name", name);
		return -1;
	}
	if (taken(list, name, err))
		return -1;
	if (vmfile_live(p->name)) {
		err_set(err, "%s is running: stop it first (its run directory is named after it)",
		    p->name);
		return -1;
	}
	/* Never over another VM's UEFI variables: they are not ours to drop. */
	if ((sto = vmfile_state_dir(name)) != NULL) {
		err_set(err, "%s exists: the state (UEFI variables) of an earlier VM named %s; "
		    "remove it, or choose another name (nothing was renamed)", sto, name);
		free(sto);
		return -1;
	}
	if ((from = rundir_path(p->name, err)) == NULL || (to = rundir_path(name, err)) == NULL)
		goto out;
	if (vmfile_live(name) || (lstat(to, &st) == 0 && rundir_remove(to, err) == -1)) {
		if (vmfile_live(name))
			err_set(err, "a VM named %s is running (%s)", name, to);
		goto out;
	}
	if ((o = profile_read_json(p->path, err)) == NULL)
		goto out;
	/* The same directory: relative paths keep meaning what they meant. */
	np = profile_write(p->dir, name, o, NULL, p->broken != NULL ? PROFILE_WRITE_BROKEN : 0,
	    err);
	json_object_put(o);
	if (np == NULL)
		goto out;
	if (unlink(p->path) == -1) {
		err_errno(err, "wrote %s but cannot remove %s", np->path, p->path);
		unlink(np->path);
		profile_free(np);
		goto out;
	}
	profile_free(np);
	/* The run directory's logs follow the VM; a rename between filesystems cannot
	 * happen (one base directory). */
	if (lstat(from, &st) == 0 && rename(from, to) == -1) {
		err_errno(err, "renamed the profile, but not its run directory %s", from);
		goto out;
	}
	/* The state too: a renamed UEFI VM keeps its boot entries. */
	if ((sfrom = vmfile_state_dir(p->name)) != NULL &&
	    ((sto = firmware_state_dir(name, err)) == NULL || rename(sfrom, sto) == -1)) {
		if (sto != NULL)
			err_errno(err, "renamed the profile and run directory, but not its state "
			    "directory %s (its UEFI variables)", sfrom);
		goto out;
	}
	rc = 0;
out:
	free(from);
	free(to);
	free(sfrom);
	free(sto);
	return rc;
}

/* ---- delete ---- */

/* The backing file a qcow2 image names (absolute), or NULL. */
static char *
qcow2_backing(const char *path)
{
	unsigned char h[20];
	uint64_t off = 0;
	uint32_t len = 0;
	char *name = NULL, *dir, *abs;
	FILE *f = fopen(path, "rb");
	int i;

	if (f == NULL)
		return NULL;
	if (fread(h, 1, sizeof h, f) != sizeof h || memcmp(h, "QFI\xfb", 4) != 0)
		goto out;
	for (i = 0; i < 8; i++)
		off = (off << 8) | h[8 + i];
	for (i = 0; i < 4; i++)
		len = (len << 8) | h[16 + i];
	if (off == 0 || len == 0 || len > 4096 || fseeko(f, (off_t)off, SEEK_SET) == -1)
		goto out;
	name = xcalloc(1, len + 1);
	if (fread(name, 1, len, f) != len) {
		free(name);
		name = NULL;
		goto out;
	}
	if (name[0] != '/') {
		dir = xstrdup(path);
		*(strrchr(dir, '/') != NULL ? strrchr(dir, '/') : dir) = '\0';
		abs = path_join(*dir != '\0' ? dir : ".", name);
		free(dir);
		free(name);
		name = abs;
	}
out:
	fclose(f);
	return name;
}

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

/* Another profile that uses file, as its disk or as its disk's backing file. */
static const struct profile *
used_by(const struct profile *p, const struct profile_list *list, const char *file)
{
	const struct profile *o;
	char *b;
	size_t i, k;
	bool hit;

	for (i = 0; list != NULL && i < list->n; i++) {
		o = list->items[i];
		if (strcmp(o->path, p->path) == 0)
			continue;
		for (k = 0; k < o->ndrives; k++) {
			if (o->drives[k].file == NULL || profile_is_url(o->drives[k].file))
				continue;
			hit = same_file(o->drives[k].file, file);
			if (!hit && (b = qcow2_backing(o->drives[k].file)) != NULL) {
				hit = same_file(b, file);
				free(b);
			}
			if (hit)
				return o;
		}
	}
	return NULL;
}

void
vmfile_delete_plan(const struct profile *p, const struct profile_list *list,
    struct strvec *remove, struct strvec *keep)
{
	const struct profile *o;
	const struct drive *d;
	char *real, *slash, *line;
	size_t i;

	for (i = 0; i < p->ndrives; i++) {
		d = &p->drives[i];
		if (d->file == NULL || profile_is_url(d->file))
			continue;
		line = NULL;
		if (d->readonly || (d->media != NULL && strcmp(d->media, "cdrom") == 0))
			line = xasprintf("%s (read-only or a CD-ROM: shared, never deleted)", d->file);
		else if ((real = realpath(d->file, NULL)) == NULL)
			line = xasprintf("%s (%s)", d->file, strerror(errno));
		else {
			slash = strrchr(real, '/');
			*slash = '\0';
			/* Only the profile's own files: new and clone make disks there. */
			if (strcmp(real, p->dir) != 0)
				line = xasprintf("%s (not in the profile's directory %s)", d->file,
				    p->dir);
			else if ((o = used_by(p, list, d->file)) != NULL)
				line = xasprintf("%s (used by %s)", d->file, o->name);
			free(real);
		}
		if (line != NULL) {
			strvec_push(keep, line);
			free(line);
		} else
			strvec_push(remove, d->file);
	}
}

int
vmfile_delete_check(const struct profile *p, qt_error *err)
{
	if (vmfile_live(p->name)) {
		err_set(err, "%s is running: stop it first (nothing was deleted)", p->name);
		return -1;
	}
	return 0;
}

int
vmfile_delete(const struct profile *p, const struct strvec *remove, qt_error *err)
{
	char *run;
	struct stat st;
	size_t i;

	/* Again: it may have started while the question was asked. */
	if (vmfile_delete_check(p, err) == -1)
		return -1;
	if (unlink(p->path) == -1) {
		err_errno(err, "cannot remove %s", p->path);
		return -1;
	}
	for (i = 0; remove != NULL && i < remove->n; i++) {
		if (unlink(remove->v[i]) == -1 && errno != ENOENT) {
			err_errno(err, "removed %s, but not its disk %s", p->path, remove->v[i]);
			return -1;
		}
	}
	if ((run = rundir_path(p->name, NULL)) != NULL) {
		if (lstat(run, &st) == 0 && rundir_remove(run, err) == -1) {
			free(run);
			return -1;
		}
		free(run);
	}
	/* Its state (the UEFI variables) is its own: no other VM boots from it. */
	if ((run = vmfile_state_dir(p->name)) != NULL) {
		qt_error e;

		if (rundir_remove(run, &e) == -1) {
			err_set(err, "removed %s, but not its state directory: %s", p->path, e.msg);
			free(run);
			return -1;
		}
		free(run);
	}
	return 0;
}

void
vmfile_result_cb(bool ok, const char *text, void *arg)
{
	struct vmfile_result *r = arg;

	r->done = true;
	r->ok = ok;
	r->text = xstrdup(text);
}

/* ---- waited for (the CLI) ---- */

/* new when s, else clone: the job on a loop of its own until done. */
static void
run_sync(const char *profiles_dir, const struct newvm *s, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, struct vmfile_result *r)
{
	struct vmfile_job *j;
	struct loop *l;
	qt_error err;
	char *dir;

	r->done = r->ok = false;
	r->text = NULL;
	if ((dir = profile_user_dir(profiles_dir, &err)) == NULL) {
		vmfile_result_cb(false, err.msg, r);
		return;
	}
	l = loop_new();
	j = s != NULL ? vmfile_new(l, dir, s, vmfile_result_cb, r, &err) :
	    vmfile_clone(l, dir, src, list, name, copy, vmfile_result_cb, r, &err);
	if (j == NULL)
		vmfile_result_cb(false, err.msg, r);
	while (!r->done)
		loop_run_once(l, -1);
	loop_free(l);
	free(dir);
}

void
vmfile_new_sync(const char *profiles_dir, const struct newvm *s, struct vmfile_result *r)
{
	run_sync(profiles_dir, s, NULL, NULL, NULL, false, r);
}

void
vmfile_clone_sync(const char *profiles_dir, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, struct vmfile_result *r)
{
	run_sync(profiles_dir, NULL, src, list, name, copy, r);
}
