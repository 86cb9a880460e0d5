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

static void logf_(struct vmfile_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

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
	struct json_object *obj;	/* the new profile (new) */
	char *text;			/* or its text (clone: the source's, edited) */
	size_t len;
	/* A clone with overlays: the source's text, edited onto its own overlays. */
	char *src_dir, *src_name, *src_text;
	size_t src_len;
	char *src_vars;			/* a clone: the source's UEFI variables file */
	char *state_made;		/* the clone's state directory, made for them */
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
	free(j->src_text);
	free(j->src_vars);
	free(j->state_made);
	free(j->text);
	json_object_put(j->obj);
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
	if (j->state_made != NULL)
		rmdir(j->state_made);
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

/* The source's UEFI variables, copied for the clone (0600, beside it and renamed). */
static int
copy_vars(struct vmfile_job *j, qt_error *err)
{
	struct fw_image fw = { .code = j->src_vars, .vars = j->src_vars };
	char *to, *dir;
	bool created;

	if ((dir = firmware_state_dir(j->name, err)) == NULL)
		return -1;
	if ((to = firmware_vars_path(j->name, err)) == NULL) {
		free(dir);
		return -1;
	}
	if (access(dir, F_OK) == -1)
		j->state_made = xstrdup(dir);
	free(dir);
	if (firmware_vars_prepare(to, &fw, &created, err) == -1) {
		free(to);
		return -1;
	}
	if (created)
		strvec_push(&j->made, to);
	logf_(j, "UEFI variables (its boot entries): copied %s to %s", j->src_vars, to);
	free(to);
	return 0;
}

static void
finish(struct vmfile_job *j)
{
	struct profile *p, *sp;
	qt_error err;
	char *t;

	if (j->src_vars != NULL && copy_vars(j, &err) == -1) {
		fail_chain(j, err.msg);
		return;
	}
	p = j->text != NULL ? profile_write_text(j->dir, j->name, j->text, j->len, 0, &err) :
	    profile_write(j->dir, j->name, j->obj, j->comment, 0, &err);
	if (p == NULL) {
		fail_chain(j, err.msg);
		return;
	}
	logf_(j, "wrote %s", p->path);
	if (j->src_text != NULL) {
		sp = profile_write_text(j->src_dir, j->src_name, j->src_text, j->src_len,
		    PROFILE_WRITE_REPLACE, &err);
		if (sp == NULL) {
			unlink(p->path);
			profile_free(p);
			fail_chain(j, err.msg);
			return;
		}
		logf_(j, "rewrote %s onto its overlays (its comments kept)", sp->path);
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
logf_(struct vmfile_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push(&j->log, "");
	free(j->log.v[j->log.n - 1]);
	j->log.v[j->log.n - 1] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* path's string in the edit when o (the same text as JSON) has the key: a clone's path
 * that was relative to the source's directory says the same thing from anywhere. */
static int
edit_if(struct profile_edit *e, struct json_object *o, const char *key, const char *path,
    const char *value, qt_error *err)
{
	if (value == NULL || o == NULL || !json_object_object_get_ex(o, key, NULL))
		return 0;
	return profile_edit_set(e, path, value, err);
}

/* Paths in the clone are absolute: its profile may live in another directory. */
static int
absolute_paths(struct profile_edit *e, struct json_object *sj, const struct profile *src,
    qt_error *err)
{
	struct json_object *ssh = NULL;

	json_object_object_get_ex(sj, "ssh", &ssh);
	if (edit_if(e, sj, "kernel", "kernel", src->kernel, err) == -1 ||
	    edit_if(e, sj, "initrd", "initrd", src->initrd, err) == -1 ||
	    edit_if(e, sj, "bios", "bios", src->bios, err) == -1 ||
	    edit_if(e, sj, "firmware", "firmware", src->firmware, err) == -1 ||
	    (src->qemu != NULL && strchr(src->qemu, '/') != NULL &&
	    edit_if(e, sj, "qemu", "qemu", src->qemu, err) == -1) ||
	    (json_object_is_type(ssh, json_type_object) &&
	    edit_if(e, ssh, "identity", "ssh.identity", src->ssh.identity, err) == -1))
		return -1;
	return 0;
}

/* drives[i].KEY = value in e. */
static int
drive_set(struct profile_edit *e, size_t i, const char *key, const char *value, qt_error *err)
{
	char *path = xasprintf("drives[%zu].%s", i, key);
	int rc = profile_edit_set(e, path, value, err);

	free(path);
	return rc;
}

/*
 * Drive i becomes a qcow2 overlay (file) on base: the profile says so with backing and
 * backing_format (so a lost overlay is made again at start), unless the drive says
 * from (a drive is made one way or the other).
 */
static int
drive_overlay(struct profile_edit *e, struct json_object *sd, size_t i, const char *file,
    const char *base, const char *fmt, qt_error *err)
{
	if (drive_set(e, i, "file", file, err) == -1 || drive_set(e, i, "format", "qcow2", err) == -1)
		return -1;
	if (json_object_object_get_ex(sd, "from", NULL))
		return 0;
	if (drive_set(e, i, "backing", base, err) == -1 ||
	    drive_set(e, i, "backing_format", fmt, err) == -1)
		return -1;
	return 0;
}

struct vmfile_job *
vmfile_clone(struct loop *l, const char *dir, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, vmfile_done_fn done,
    void *arg, qt_error *err)
{
	struct json_object *sj, *sdrives = NULL, *sd, *net = NULL, *ssh = NULL, *fw;
	struct profile_edit *ce = NULL, *se = NULL;
	struct vmfile_job *j;
	const struct drive *dr;
	const char *fmt, *text;
	char mac[32], *why, *target, *sov, *stext, *c, *sto;
	const char *base;
	struct stat st;
	size_t i, slen;

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
	/* Never onto another VM's UEFI variables: they are not ours to take over. */
	if ((sto = vmfile_state_dir(name)) != NULL) {
		err_set(err, "%s exists: the state (UEFI variables) of an earlier VM named %s; "
		    "remove it, or choose another name (nothing was cloned)", sto, name);
		free(sto);
		return NULL;
	}
	if ((stext = file_read(src->path, &slen, err)) == NULL)
		return NULL;
	if ((sj = profile_read_json(src->path, err)) == NULL) {
		free(stext);
		return NULL;
	}
	/* The clone is the source's text, edited: every comment of the source stays. */
	ce = profile_edit_new(stext, slen);
	j = job_new(l, dir, name, done, arg);
	if ((json_object_object_get_ex(sj, "name", NULL) &&
	    profile_edit_set(ce, "name", name, err) == -1) ||
	    absolute_paths(ce, sj, src, err) == -1)
		goto fail;
	if (json_object_object_get_ex(sj, "drives", &sdrives) &&
	    json_object_array_length(sdrives) != src->ndrives) {
		err_set(err, "%s: drives[] does not match the loaded profile", src->path);
		goto fail;
	}
	for (i = 0; i < src->ndrives; i++) {
		dr = &src->drives[i];
		sd = json_object_array_get_idx(sdrives, i);
		/* A source that says from or backing names it for the clone from anywhere. */
		if (dr->from != NULL && json_object_object_get_ex(sd, "from", NULL) &&
		    drive_set(ce, i, "from", dr->from, err) == -1)
			goto fail;
		if (dr->backing != NULL && json_object_object_get_ex(sd, "backing", NULL) &&
		    drive_set(ce, i, "backing", dr->backing, err) == -1)
			goto fail;
		if (dr->readonly || dr->snapshot || profile_is_url(dr->file) ||
		    (dr->media != NULL && strcmp(dr->media, "cdrom") == 0)) {
			if (!profile_is_url(dr->file) && drive_set(ce, i, "file", dr->file, err) == -1)
				goto fail;
			logf_(j, "drives[%zu] %s: shared (%s)", i, dr->file,
			    dr->snapshot ? "its writes are thrown away" : "read-only");
			continue;
		}
		fmt = dr->format != NULL ? dr->format : probe_format(dr->file);
		if (copy || (dr->iface != NULL && strcmp(dr->iface, "pflash") == 0)) {
			/* pflash keeps its size and format: always a copy. */
			target = unique_path(dir, name, dr->file, NULL);
			copy_step(j, target, dr->file, fmt);
			logf_(j, "drives[%zu] %s: copied to %s", i, dr->file, target);
			if (drive_set(ce, i, "file", target, err) == -1 ||
			    drive_set(ce, i, "format", fmt, err) == -1) {
				free(target);
				goto fail;
			}
			free(target);
			continue;
		}
		if (access(src->dir, W_OK) == -1) {
			err_set(err, "%s's profile directory %s is not writable, so %s cannot "
			    "move onto an overlay of its disk: clone with --copy", src->name,
			    src->dir, src->name);
			goto fail;
		}
		if (se == NULL)
			se = profile_edit_new(stext, slen);
		target = unique_path(dir, name, dr->file, ".qcow2");
		sov = unique_path(src->dir, src->name, dr->file, ".qcow2");
		overlay_step(j, target, dr->file, fmt);
		overlay_step(j, sov, dr->file, fmt);
		logf_(j, "drives[%zu] %s: now a read-only base; %s writes to %s, %s to %s", i,
		    dr->file, name, target, src->name, sov);
		/* The source writes to its own overlay from now on: the base stays as it is. */
		if (drive_overlay(ce, sd, i, target, dr->file, fmt, err) == -1 ||
		    drive_overlay(se, sd, i, sov, dr->file, fmt, err) == -1) {
			free(target);
			free(sov);
			goto fail;
		}
		free(target);
		free(sov);
	}
	if (json_object_object_get_ex(sj, "network", &net) &&
	    json_object_object_get_ex(net, "mac", NULL)) {
		vmfile_mac_for(name, mac, sizeof mac);
		if (profile_edit_set(ce, "network.mac", mac, err) == -1)
			goto fail;
		logf_(j, "network.mac: %s (the source's stays its own)", mac);
	}
	if (json_object_object_get_ex(sj, "ssh", &ssh) &&
	    json_object_object_get_ex(ssh, "port", NULL)) {
		if (profile_edit_remove(ce, "ssh.port", err) == -1)
			goto fail;
		logf_(j, "ssh.port: dropped; a free port is chosen at start");
	}
	if (net != NULL && json_object_object_get_ex(net, "forwards", &fw) &&
	    json_object_array_length(fw) > 0)
		logf_(j, "network.forwards: kept; they clash with %s's while both run", src->name);
	/* An installed UEFI guest's boot entry lives only in its variables file. */
	if ((c = firmware_vars_path(src->name, NULL)) != NULL && lstat(c, &st) == 0 &&
	    S_ISREG(st.st_mode))
		j->src_vars = c;
	else
		free(c);
	c = xasprintf("cloned from %s by qemu-tui clone", src->name);
	profile_edit_comment(ce, c);
	free(c);
	text = profile_edit_text(ce, &j->len);
	j->text = xmalloc(j->len + 1);
	memcpy(j->text, text, j->len + 1);
	if (se != NULL) {
		/* profile_write writes NAME.json: the source's file must be that one. */
		base = strrchr(src->path, '/') != NULL ? strrchr(src->path, '/') + 1 : src->path;
		if (strlen(base) != strlen(src->name) + 5 ||
		    strncmp(base, src->name, strlen(src->name)) != 0) {
			err_set(err, "%s holds the profile named %s: rename the file to %s.json "
			    "first, or clone with --copy", src->path, src->name, src->name);
			goto fail;
		}
		c = xasprintf("its disks became overlays when qemu-tui cloned it as %s", name);
		profile_edit_comment(se, c);
		free(c);
		text = profile_edit_text(se, &j->src_len);
		j->src_text = xmalloc(j->src_len + 1);
		memcpy(j->src_text, text, j->src_len + 1);
		j->src_dir = xstrdup(src->dir);
		j->src_name = xstrdup(src->name);
	}
	profile_edit_free(ce);
	profile_edit_free(se);
	json_object_put(sj);
	free(stext);
	return job_start(j);
fail:
	profile_edit_free(ce);
	profile_edit_free(se);
	json_object_put(sj);
	free(stext);
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
	struct profile_edit *e;
	struct profile *np;
	char *why, *from = NULL, *to = NULL, *sfrom = NULL, *sto = NULL, *text;
	const char *edited;
	size_t len;
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
	/* The text with its name changed, nothing else: every comment stays. Without a
	 * "name" the file's name is the VM's, and the new file says it. The same
	 * directory: relative paths keep meaning what they meant. */
	if ((text = file_read(p->path, &len, err)) == NULL) {
		json_object_put(o);
		goto out;
	}
	e = profile_edit_new(text, len);
	free(text);
	np = NULL;
	if (!json_object_object_get_ex(o, "name", NULL) ||
	    profile_edit_set(e, "name", name, err) == 0) {
		edited = profile_edit_text(e, &len);
		np = profile_write_text(p->dir, name, edited, len,
		    p->broken != NULL ? PROFILE_WRITE_BROKEN : 0, err);
	}
	profile_edit_free(e);
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
