/*
 * The disks pane: each drive of one VM's profile as qemu-img sees it (format,
 * virtual and actual size, the backing chain, internal snapshots), read with
 * `qemu-img info --output=json --backing-chain -U` as quiet jobs on the loop, on
 * open and after every action. Its own keys (resize, convert to qcow2 beside it,
 * snapshot create/apply/delete: pane keys, as the events pane's PgUp, so they cost
 * the dashboard no letters) work on the drive or snapshot under the cursor of a
 * stopped VM, as jobs in the status line; on a running VM they say which VM holds
 * the image instead.
 */
#include "ui_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "action.h"
#include "image.h"
#include "jobs.h"

struct disks;

struct drive_view {
	struct disks *ds;
	char *file, *iface, *format;	/* as the profile says; format NULL: probed */
	struct image_layer *chain;	/* the file first, then its backing files */
	size_t nchain;
	char *error;			/* what reading it said, when it failed */
	struct job *info;		/* reading it now */
};

/* A line of the pane the cursor can stand on: a drive, or one of its snapshots. */
struct spot {
	size_t drive;
	long snap;			/* -1: the drive itself */
};

struct disks {
	struct pane *p;
	char *vm;
	struct drive_view *d;
	size_t n;
	struct ui_list list;		/* sel: an index into the spots */
	/* What a prompt or a confirmation is about, until it is answered. */
	char *op_file, *op_tag;
	uint64_t op_size;
};

/* An action's job: whom to tell when it ends, and what to say then. */
struct op_ctx {
	struct ui *ui;
	char *vm, *ok_msg;
};

static void read_drives(struct disks *ds);

static size_t
spots(const struct disks *ds, struct spot *out, size_t max)
{
	size_t i, n = 0, k;

	for (i = 0; i < ds->n; i++) {
		if (n < max && out != NULL)
			out[n] = (struct spot){ i, -1 };
		n++;
		if (ds->d[i].nchain > 0)
			for (k = 0; k < ds->d[i].chain[0].nsnaps; k++) {
				if (n < max && out != NULL)
					out[n] = (struct spot){ i, (long)k };
				n++;
			}
	}
	return n;
}

/* The spot under the cursor; false when there is none. */
static bool
cursor_spot(struct disks *ds, struct spot *sp)
{
	size_t n = spots(ds, NULL, 0);
	struct spot *all;

	if (n == 0)
		return false;
	all = xcalloc(n, sizeof *all);
	spots(ds, all, n);
	/* The cursor stays where it was while a snapshot list is shorter. */
	*sp = all[ds->list.sel < n ? ds->list.sel : n - 1];
	free(all);
	return true;
}

/* What the last answer said about the drive: its chain, or its error. */
static void
drive_forget(struct drive_view *dv)
{
	image_chain_free(dv->chain, dv->nchain);
	dv->chain = NULL;
	dv->nchain = 0;
	free(dv->error);
	dv->error = NULL;
}

static void
drive_clear(struct drive_view *dv)
{
	if (dv->info != NULL)
		job_detach(dv->info);
	dv->info = NULL;
	drive_forget(dv);
}

static void
drives_free(struct disks *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		drive_clear(&ds->d[i]);
		free(ds->d[i].file);
		free(ds->d[i].iface);
		free(ds->d[i].format);
	}
	free(ds->d);
	ds->d = NULL;
	ds->n = 0;
}

/* The profile's drives (copied: a reload frees the profile), for vm. */
static void
drives_load(struct disks *ds, struct vmwatch *vm)
{
	const struct profile *pr = vm->profile;
	size_t i;

	drives_free(ds);
	free(ds->vm);
	ds->vm = xstrdup(vm->name);
	ds->d = xcalloc(pr->ndrives + 1, sizeof *ds->d);
	for (i = 0; i < pr->ndrives; i++) {
		if (pr->drives[i].file == NULL)
			continue;
		ds->d[ds->n].ds = ds;
		ds->d[ds->n].file = xstrdup(pr->drives[i].file);
		ds->d[ds->n].iface = xstrdup(pr->drives[i].iface ? pr->drives[i].iface : "");
		ds->d[ds->n].format = pr->drives[i].format ? xstrdup(pr->drives[i].format) : NULL;
		ds->n++;
	}
	ds->list = (struct ui_list){ 0, 0 };
}

static void
info_done(bool ok, const char *error, const char *out, void *arg)
{
	struct drive_view *dv = arg;
	qt_error err;

	dv->info = NULL;
	/* What was shown stays until the new answer replaces it: no flicker. */
	drive_forget(dv);
	if (!ok)
		dv->error = xstrdup(error);
	else if (image_chain_parse(out, &dv->chain, &dv->nchain, &err) == -1)
		dv->error = xasprintf("%s: %s", dv->file, err.msg);
	dv->ds->p->dirty = true;
}

static void
read_drives(struct disks *ds)
{
	struct ui *ui = ds->p->ui;
	qt_error err;
	size_t i;

	if (ui->quit)
		return;
	for (i = 0; i < ds->n; i++) {
		struct drive_view *dv = &ds->d[i];
		/* -U: a running VM's image is read too (its figures, not its lock). */
		char *args[9] = { "info", "--output=json", "--backing-chain", "-U" };
		int k = 4;
		struct job_spec spec = { 0 };

		if (dv->info != NULL)
			job_detach(dv->info);
		dv->info = NULL;
		if (dv->format != NULL) {
			args[k++] = "-f";
			args[k++] = dv->format;
		}
		args[k++] = dv->file;
		args[k] = NULL;
		spec.title = "info";
		spec.vm = ds->vm;
		spec.file = dv->file;
		spec.args = args;
		spec.target = dv->file;
		spec.done = info_done;
		spec.arg = dv;
		spec.quiet = true;
		if ((dv->info = jobs_start(ui->jobs, &spec, &err)) == NULL)
			dv->error = xstrdup(err.msg);
	}
	ds->p->dirty = true;
}

static int
disks_init(struct pane *p, struct vmwatch *vm, qt_error *err)
{
	struct disks *ds = xcalloc(1, sizeof *ds);

	ds->p = p;
	p->data = ds;
	drives_load(ds, vm);
	read_drives(ds);
	return 0;
}

static void
disks_free(struct pane *p)
{
	struct disks *ds = p->data;

	drives_free(ds);
	free(ds->vm);
	free(ds->op_file);
	free(ds->op_tag);
	free(ds);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static void
disks_draw(struct pane *p)
{
	struct disks *ds = p->data;
	struct ui *ui = p->ui;
	struct vmwatch *vm = ui_find_vm(ui, ds->vm);
	char title[160], vs[32], as[32], when[32], keys[200], k[16];
	struct spot cur = { 0, -1 };
	bool have = cursor_spot(ds, &cur);
	attr_t value = ui_attr(ui, EL_DETAILS_VALUE);
	int y = 1, end = p->r.h - 2;
	size_t i, l, s;

	snprintf(title, sizeof title, "%s: disks", ds->vm);
	ui_frame(ui, p, title);
	if (ds->n == 0)
		ui_list_line(p, &y, end, 2, value, "no drives in the profile");
	for (i = 0; i < ds->n; i++) {
		struct drive_view *dv = &ds->d[i];
		struct job *busy = jobs_find_file(ui->jobs, dv->file);
		bool here = have && cur.drive == i && cur.snap == -1;

		ui_list_line(p, &y, end, 1, ui_list_attr(p, here, EL_DETAILS_LABEL),
		    "%s%s  %s%s%s%s", here ? ">" : " ", dv->iface, dv->file, busy ? "  [" : "",
		    busy ? job_title(busy) : "", busy ? "]" : "");
		if (dv->info != NULL && dv->nchain == 0) {
			ui_list_line(p, &y, end, 4, value, "reading qemu-img info...");
			continue;
		}
		if (dv->error != NULL) {
			ui_list_line(p, &y, end, 4, ui_attr(ui, EL_STATUS_ERROR), "%s",
			    dv->error);
			continue;
		}
		for (l = 0; l < dv->nchain; l++) {
			struct image_layer *ly = &dv->chain[l];

			image_format_size(ly->virtual_size, vs, sizeof vs);
			image_format_size(ly->actual_size, as, sizeof as);
			if (l == 0)
				ui_list_line(p, &y, end, 4, value, "%s, %s virtual, %s on disk",
				    ly->format, vs, as);
			else
				ui_list_line(p, &y, end, 4, value,
				    "backing %s: %s, %s virtual, %s on disk", ly->file, ly->format,
				    vs, as);
		}
		if (dv->nchain > 0 && dv->chain[0].backing != NULL && dv->nchain == 1)
			ui_list_line(p, &y, end, 4, value, "backing %s", dv->chain[0].backing);
		if (dv->nchain > 0 && dv->chain[0].nsnaps == 0)
			ui_list_line(p, &y, end, 4, value, "no snapshots");
		for (s = 0; dv->nchain > 0 && s < dv->chain[0].nsnaps; s++) {
			struct image_snapshot *sn = &dv->chain[0].snaps[s];
			time_t t = (time_t)sn->date_sec;
			struct tm tm;
			bool on = have && cur.drive == i && cur.snap == (long)s;

			if (localtime_r(&t, &tm) == NULL ||
			    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm) == 0)
				when[0] = '\0';
			image_format_size(sn->vm_size, vs, sizeof vs);
			ui_list_line(p, &y, end, 3, ui_list_attr(p, on, EL_DETAILS_VALUE),
			    "%ssnapshot %s  (id %s, %s, VM state %s)", on ? ">" : " ", sn->tag,
			    sn->id, when, vs);
		}
	}
	/* The keys, or why they do nothing now. */
	if (vm != NULL && vm_state_live(vm->state))
		snprintf(keys, sizeof keys, "%s is %s: its disks change only once it is "
		    "stopped", ds->vm, vm_state_name(vm->state));
	else
		snprintf(keys, sizeof keys, "+ resize  O convert to qcow2  n snapshot  "
		    "a apply  D delete  %s cancel job", ui_key_for(ui, "cancel-job", k,
		    sizeof k));
	wattrset(p->win, ui_attr(ui, EL_KEYBAR));
	ui_put(p->win, p->r.h - 2, 2, p->r.w - 4, keys);
}

static enum pane_key
disks_key(struct pane *p, int key, bool keycode)
{
	struct disks *ds = p->data;
	struct ui *ui = p->ui;
	size_t n = spots(ds, NULL, 0);
	int a = settings_action(&ui->settings, key);

	if (a != ACTION_NONE && a == action_find("close-pane"))
		return PANE_KEY_CLOSE;
	/* The pane's own keys, as the events pane has PgUp: they mean something here only. */
	if (!keycode) {
		static const struct { int key; enum disk_op op; } ops[] = {
			{ '+', DISK_RESIZE }, { 'O', DISK_CONVERT }, { 'n', DISK_SNAP_CREATE },
			{ 'a', DISK_SNAP_APPLY }, { 'D', DISK_SNAP_DELETE },
		};
		size_t i;

		for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (key == ops[i].key) {
				pane_disks_act(ui, ops[i].op);
				return PANE_KEY_HANDLED;
			}
	}
	if (!ui_list_key(&ds->list, n, UI_LIST_LINES, key, keycode))
		return PANE_KEY_IGNORED;
	p->dirty = true;
	return PANE_KEY_HANDLED;
}

static const char *
disks_vm(struct pane *p)
{
	return ((struct disks *)p->data)->vm;
}

const struct pane_ops pane_disks_ops = {
	.name = "disks",
	.init = disks_init,
	.free = disks_free,
	.draw = disks_draw,
	.key = disks_key,
	.vm = disks_vm,
};

void
pane_disks_show(struct ui *ui, struct vmwatch *vm)
{
	struct pane *p = ui_pane_find(ui, &pane_disks_ops, NULL);
	struct disks *ds;

	if (p == NULL) {
		ui_pane_open(ui, &pane_disks_ops, vm, layout_find(ui->layout, ui->details),
		    LAYOUT_TOPBOTTOM, 60);
		return;
	}
	/* One disks pane: it moves to this VM, or reads its disks again. */
	ds = p->data;
	if (strcmp(ds->vm, vm->name) != 0)
		drives_load(ds, vm);
	read_drives(ds);
	p->framed = false;
	if (layout_find(ui->layout, p) == NULL)
		layout_split(ui->layout, layout_find(ui->layout, ui->details),
		    LAYOUT_TOPBOTTOM, 60, LAYOUT_PERCENT, p);
	ui_pane_focus(ui, p);
}

/* ---- actions ---- */

static void
op_done(bool ok, const char *error, const char *out, void *arg)
{
	struct op_ctx *c = arg;
	struct pane *p;

	(void)out;
	if (ok)
		ui_message(c->ui, false, "%s", c->ok_msg);
	else
		ui_message(c->ui, true, "%s", error);
	p = ui_pane_find(c->ui, &pane_disks_ops, c->vm);
	if (p != NULL)
		read_drives(p->data);
	free(c->vm);
	free(c->ok_msg);
	free(c);
}

/* Run qemu-img for the pane's VM as a job in the status line. */
static void
run_op(struct ui *ui, struct disks *ds, const char *title, const char *file,
    char *const args[], const char *target, const char *tmp, uint64_t total,
    char *ok_msg)
{
	struct op_ctx *c = xcalloc(1, sizeof *c);
	struct job_spec spec = { 0 };
	qt_error err;

	c->ui = ui;
	c->vm = xstrdup(ds->vm);
	c->ok_msg = ok_msg;
	spec.title = title;
	spec.vm = ds->vm;
	spec.file = file;
	spec.args = args;
	spec.target = target;
	spec.tmp = tmp;
	spec.total = total;
	spec.done = op_done;
	spec.arg = c;
	if (jobs_start(ui->jobs, &spec, &err) == NULL) {
		ui_message(ui, true, "%s", err.msg);
		free(c->vm);
		free(c->ok_msg);
		free(c);
	}
}

/* The disks pane an action works in: the focused one, else the only one. */
static struct disks *
acting_pane(struct ui *ui)
{
	struct pane *p = ui_focused_pane(ui);
	char key[16];

	if (p == NULL || p->ops != &pane_disks_ops)
		p = ui_pane_find(ui, &pane_disks_ops, NULL);
	if (p == NULL) {
		ui_message(ui, true, "open the disks pane first (%s on a VM)",
		    ui_key_for(ui, "disks", key, sizeof key));
		return NULL;
	}
	return p->data;
}

/* The drive (and snapshot) an action may change now; NULL with the reason said. */
static struct drive_view *
changeable(struct ui *ui, struct disks *ds, struct spot *sp)
{
	struct vmwatch *vm = ui_find_vm(ui, ds->vm);
	struct drive_view *dv;
	struct job *busy;
	char key[16];

	if (!cursor_spot(ds, sp)) {
		ui_message(ui, true, "%s has no drives", ds->vm);
		return NULL;
	}
	dv = &ds->d[sp->drive];
	if (vm != NULL && vm_state_live(vm->state)) {
		ui_message(ui, true, "%s is held by the running VM %s: stop it first (%s); "
		    "nothing was changed", dv->file, ds->vm,
		    ui_key_for(ui, "stop", key, sizeof key));
		return NULL;
	}
	if ((busy = jobs_find_file(ui->jobs, dv->file)) != NULL) {
		ui_message(ui, true, "%s: %s is still running on it (%s cancels it)",
		    dv->file, job_title(busy), ui_key_for(ui, "cancel-job", key, sizeof key));
		return NULL;
	}
	if (dv->nchain == 0) {
		ui_message(ui, true, "%s", dv->error != NULL ? dv->error :
		    "qemu-img info has not answered yet: try again in a moment");
		return NULL;
	}
	return dv;
}

static void
set_op(struct disks *ds, const char *file, const char *tag, uint64_t size)
{
	free(ds->op_file);
	free(ds->op_tag);
	ds->op_file = xstrdup(file);
	ds->op_tag = tag != NULL ? xstrdup(tag) : NULL;
	ds->op_size = size;
}

/* The pane the answer is for, if it still shows the drive it was asked about. */
static struct disks *
answered(struct ui *ui, struct vmwatch *vm)
{
	struct pane *p = vm != NULL ? ui_pane_find(ui, &pane_disks_ops, vm->name) : NULL;
	struct disks *ds = p != NULL ? p->data : NULL;
	struct spot sp;

	if (ds == NULL || ds->op_file == NULL || !cursor_spot(ds, &sp) ||
	    strcmp(ds->d[sp.drive].file, ds->op_file) != 0) {
		ui_message(ui, true, "the disks pane changed meanwhile: nothing was done");
		return NULL;
	}
	return ds;
}

static void
resize_now(struct ui *ui, struct disks *ds, bool shrink)
{
	char size[32], have[32], want[32];
	char *args[] = { "resize", "-q", NULL, NULL, NULL, NULL };
	struct drive_view *dv;
	struct spot sp;
	int k = 2;

	if ((dv = changeable(ui, ds, &sp)) == NULL)
		return;
	snprintf(size, sizeof size, "%llu", (unsigned long long)ds->op_size);
	if (shrink)
		args[k++] = "--shrink";
	args[k++] = dv->file;
	args[k++] = size;
	image_format_size(dv->chain[0].virtual_size, have, sizeof have);
	image_format_size(ds->op_size, want, sizeof want);
	run_op(ui, ds, "resize", dv->file, args, dv->file, NULL, 0,
	    xasprintf("%s: resized from %s to %s", dv->file, have, want));
}

static void
shrink_confirmed(struct ui *ui, struct vmwatch *vm)
{
	struct disks *ds = answered(ui, vm);

	if (ds != NULL)
		resize_now(ui, ds, true);
}

static void
resize_answered(struct ui *ui, struct vmwatch *vm, const char *text)
{
	struct disks *ds = answered(ui, vm);
	char have[32], want[32];
	struct drive_view *dv;
	struct spot sp;
	uint64_t bytes;

	if (ds == NULL || (dv = changeable(ui, ds, &sp)) == NULL)
		return;
	if (image_parse_size(text, &bytes) == -1 || bytes == 0) {
		ui_message(ui, true, "resize: \"%s\" is not a size (like 10G, 512M, 204800K); "
		    "nothing was changed", text);
		return;
	}
	image_format_size(dv->chain[0].virtual_size, have, sizeof have);
	image_format_size(bytes, want, sizeof want);
	ds->op_size = bytes;
	if (bytes == dv->chain[0].virtual_size)
		ui_message(ui, false, "%s is already %s", dv->file, have);
	else if (bytes < dv->chain[0].virtual_size)
		ui_ask(ui, shrink_confirmed, vm, "Shrink %s from %s to %s? What lies beyond %s "
		    "is lost (qemu-img resize --shrink).", base_name(dv->file), have, want, want);
	else
		resize_now(ui, ds, false);
}

/* disk.raw -> disk.qcow2 beside it; a qcow2 one -> disk-converted.qcow2. */
static char *
convert_target(const char *file)
{
	const char *base = base_name(file), *dot = strrchr(base, '.');
	size_t stem = dot != NULL && dot != base ? (size_t)(dot - file) : strlen(file);
	char *t = xasprintf("%.*s.qcow2", (int)stem, file);

	if (strcmp(t, file) == 0) {
		free(t);
		t = xasprintf("%.*s-converted.qcow2", (int)stem, file);
	}
	return t;
}

static void
convert(struct ui *ui, struct disks *ds, struct drive_view *dv)
{
	char *dst = convert_target(dv->file), *tmp, *title;
	char *args[12];
	struct stat st;
	int n = 0;

	if (lstat(dst, &st) == 0) {
		ui_message(ui, true, "convert: %s exists; nothing was overwritten (remove or "
		    "rename it first)", dst);
		free(dst);
		return;
	}
	tmp = image_tmp_name(dst);
	args[n++] = "convert";
	args[n++] = "-p";
	if (ui->settings.image_rate[0] != '\0') {
		args[n++] = "-r";
		args[n++] = ui->settings.image_rate;
	}
	args[n++] = "-f";
	args[n++] = dv->chain[0].format;
	args[n++] = "-O";
	args[n++] = "qcow2";
	args[n++] = dv->file;
	args[n++] = tmp;
	args[n] = NULL;
	title = xasprintf("convert %s to %s", base_name(dv->file), base_name(dst));
	run_op(ui, ds, title, dv->file, args, dst, tmp, dv->chain[0].virtual_size,
	    xasprintf("%s: made from %s (qcow2); the profile still names %s (edit it to "
	    "use the new one)", dst, base_name(dv->file), base_name(dv->file)));
	free(title);
	free(tmp);
	free(dst);
}

static void
snapshot_answered(struct ui *ui, struct vmwatch *vm, const char *text)
{
	struct disks *ds = answered(ui, vm);
	char *args[] = { "snapshot", "-c", (char *)text, NULL, NULL };
	struct drive_view *dv;
	struct spot sp;

	if (ds == NULL || (dv = changeable(ui, ds, &sp)) == NULL)
		return;
	if (text[0] == '\0') {
		ui_message(ui, true, "a snapshot needs a name; nothing was done");
		return;
	}
	args[3] = dv->file;
	run_op(ui, ds, "snapshot create", dv->file, args, dv->file, NULL, 0,
	    xasprintf("%s: snapshot %s made", dv->file, text));
}

static void
snapshot_apply_or_delete(struct ui *ui, struct vmwatch *vm, bool apply)
{
	struct disks *ds = answered(ui, vm);
	char *args[] = { "snapshot", apply ? "-a" : "-d", NULL, NULL, NULL };
	struct drive_view *dv;
	struct spot sp;

	if (ds == NULL || ds->op_tag == NULL || (dv = changeable(ui, ds, &sp)) == NULL)
		return;
	args[2] = ds->op_tag;
	args[3] = dv->file;
	run_op(ui, ds, apply ? "snapshot apply" : "snapshot delete", dv->file, args,
	    dv->file, NULL, 0, xasprintf("%s: snapshot %s %s", dv->file, ds->op_tag,
	    apply ? "applied" : "deleted"));
}

static void
apply_confirmed(struct ui *ui, struct vmwatch *vm)
{
	snapshot_apply_or_delete(ui, vm, true);
}

static void
delete_confirmed(struct ui *ui, struct vmwatch *vm)
{
	snapshot_apply_or_delete(ui, vm, false);
}

void
pane_disks_act(struct ui *ui, enum disk_op op)
{
	struct disks *ds = acting_pane(ui);
	struct vmwatch *vm;
	struct drive_view *dv;
	struct spot sp;
	char have[32], name[64];
	time_t now = time(NULL);
	struct tm tm;

	if (ds == NULL || (dv = changeable(ui, ds, &sp)) == NULL)
		return;
	vm = ui_find_vm(ui, ds->vm);
	set_op(ds, dv->file, sp.snap >= 0 ? dv->chain[0].snaps[sp.snap].tag : NULL, 0);
	switch (op) {
	case DISK_RESIZE:
		image_format_size(dv->chain[0].virtual_size, have, sizeof have);
		ui_prompt(ui, resize_answered, vm, "", "New size of %s (now %s; like 20G, "
		    "512M; smaller asks to shrink):", base_name(dv->file), have);
		break;
	case DISK_CONVERT:
		convert(ui, ds, dv);
		break;
	case DISK_SNAP_CREATE:
	case DISK_SNAP_APPLY:
	case DISK_SNAP_DELETE:
		if (strcmp(dv->chain[0].format, "qcow2") != 0) {
			ui_message(ui, true, "%s is %s: only qcow2 images keep snapshots (O "
			    "converts it to qcow2)", dv->file, dv->chain[0].format);
			return;
		}
		if (op == DISK_SNAP_CREATE) {
			localtime_r(&now, &tm);
			strftime(name, sizeof name, "snap-%Y%m%d-%H%M%S", &tm);
			ui_prompt(ui, snapshot_answered, vm, name, "Name of the new snapshot of "
			    "%s:", base_name(dv->file));
		} else if (sp.snap < 0)
			ui_message(ui, true, "move the cursor onto a snapshot of %s first (j/k "
			    "in the disks pane)", base_name(dv->file));
		else if (op == DISK_SNAP_APPLY)
			ui_ask(ui, apply_confirmed, vm, "Go back to snapshot %s of %s? What was "
			    "written since it was made is lost.", ds->op_tag, base_name(dv->file));
		else
			ui_ask(ui, delete_confirmed, vm, "Delete snapshot %s of %s?", ds->op_tag,
			    base_name(dv->file));
		break;
	}
}
