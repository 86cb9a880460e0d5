/*
 * The dashboard's forms, drawn over the panes: the new-VM form (vmfile.c's
 * newvm_fields, each answer checked as it is typed by newvm_check, the profile
 * schema's own rules, the error beside the field), the one-name forms of clone
 * and rename, and delete's question about the disks (naming the state directory
 * that goes too). Enter writes through vmfile.c (disks as jobs on the dashboard's
 * loop: nothing blocks it), the list reloads and the VM made is selected.
 */
#include "ui_priv.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmfile.h"

#define FORM_MAX 16

enum form_kind { FORM_NEW, FORM_CLONE, FORM_RENAME, FORM_DELETE };

struct form_field {
	const struct newvm_field *nf;	/* label, key, hint, where the answer goes */
	char value[256];
	char error[1024];	/* "" when the answer is fine */
};

struct ui_form {
	enum form_kind kind;
	char title[96];
	char vm[128];			/* clone, rename, delete: the VM it is about */
	struct form_field f[FORM_MAX];
	int n, cur;
	char error[1024];	/* the last Enter's answer (a qt_error) */
	bool busy;			/* disks being made */
	struct strvec remove, keep;	/* delete: the disks that would go, and stay */
	char *state;			/* delete: the VM's state directory, or NULL */
};

void
ui_form_close(struct ui *ui)
{
	if (ui->form == NULL)
		return;
	strvec_free(&ui->form->remove);
	strvec_free(&ui->form->keep);
	free(ui->form->state);
	free(ui->form);
	ui->form = NULL;
	if (ui->dialog == DIALOG_FORM)
		ui->dialog = DIALOG_NONE;
	ui_mark(ui);
}

static struct ui_form *
form_open(struct ui *ui, enum form_kind kind, const char *vm)
{
	struct ui_form *f;

	ui_form_close(ui);
	f = xcalloc(1, sizeof *f);
	f->kind = kind;
	snprintf(f->vm, sizeof f->vm, "%s", vm != NULL ? vm : "");
	ui->form = f;
	ui->dialog = DIALOG_FORM;
	ui_mark(ui);
	return f;
}

/* One answer by the schema's rules; then what only the form knows: the names taken,
 * and a new disk and a disk file given together. */
static void
check_field(struct ui *ui, struct form_field *ff)
{
	struct ui_form *f = ui->form;
	char *why = newvm_check(ff->nf, ff->value, NULL);
	int i;

	snprintf(ff->error, sizeof ff->error, "%s", why != NULL ? why : "");
	free(why);
	if (ff->error[0] != '\0')
		return;
	if (ff->nf->off == offsetof(struct newvm, name) &&
	    profile_list_find(&ui->profiles, ff->value) != NULL) {
		why = xasprintf("a profile named %s exists", ff->value);
		snprintf(ff->error, sizeof ff->error, "%s", why);
		free(why);
	}
	if (ff->nf->off != offsetof(struct newvm, disk_file) || ff->value[0] == '\0')
		return;
	for (i = 0; i < f->n; i++)
		if (f->f[i].nf->off == offsetof(struct newvm, disk_size) &&
		    f->f[i].value[0] != '\0')
			snprintf(ff->error, sizeof ff->error, "a new disk (size) or a disk file, "
			    "not both");
}

/* Every answer again: one answer can make another wrong (the disk pair). */
static void
check_all(struct ui *ui)
{
	int i;

	for (i = 0; i < ui->form->n; i++)
		check_field(ui, &ui->form->f[i]);
}

/* Select the VM called name after a reload (the filter cleared if it hides it). */
static void
select_vm(struct ui *ui, const char *name)
{
	size_t i;

	ui_load_profiles(ui);
	for (i = 0; i < ui->nvms; i++) {
		if (strcmp(ui->vms[i]->name, name) == 0) {
			ui->filter[0] = '\0';
			ui->sel = i;
			break;
		}
	}
	ui_mark(ui);
}

void
ui_form_new_vm(struct ui *ui)
{
	struct ui_form *f = form_open(ui, FORM_NEW, NULL);
	size_t i;

	snprintf(f->title, sizeof f->title, " New VM (Tab moves, Enter writes, Esc cancels) ");
	for (i = 0; i < newvm_nfields && i < FORM_MAX; i++)
		f->f[f->n++].nf = &newvm_fields[i];
	/* An empty name is the one answer that is wrong from the start. */
	check_all(ui);
}

static void
one_name(struct ui *ui, enum form_kind kind, struct vmwatch *vm, const char *what)
{
	struct ui_form *f = form_open(ui, kind, vm->name);

	snprintf(f->title, sizeof f->title, " %s %s (Enter, Esc cancels) ", what, vm->name);
	f->n = 1;
	f->f[0].nf = &newvm_fields[0];	/* the name row: the same checks as new */
	check_all(ui);
}

void
ui_form_clone(struct ui *ui, struct vmwatch *vm)
{
	one_name(ui, FORM_CLONE, vm, "Clone");
}

void
ui_form_rename(struct ui *ui, struct vmwatch *vm)
{
	if (vmfile_live(vm->name)) {
		ui_message(ui, true, "%s is running: stop it before renaming it", vm->name);
		return;
	}
	one_name(ui, FORM_RENAME, vm, "Rename");
}

/* After delete's confirmation: the profile goes; the disks only after one more yes, and
 * its state directory (UEFI variables) only after it is named. */
void
ui_form_delete(struct ui *ui, struct vmwatch *vm)
{
	struct ui_form *f;
	qt_error err;
	char name[128];

	if (vmfile_delete_check(vm->profile, &err) == -1) {
		ui_message(ui, true, "%s", err.msg);
		return;
	}
	f = form_open(ui, FORM_DELETE, vm->name);
	vmfile_delete_plan(vm->profile, &ui->profiles, &f->remove, &f->keep);
	f->state = vmfile_state_dir(vm->name);
	if (f->remove.n > 0) {
		snprintf(f->title, sizeof f->title, " Delete %s's disks too? ", vm->name);
		return;
	}
	/* Its UEFI variables (an installed guest's boot entries) go with it, as
	 * `qemu-tui delete` says before it asks: named here before anything goes. */
	if (f->state != NULL) {
		snprintf(f->title, sizeof f->title, " Delete %s and its state? ", vm->name);
		return;
	}
	snprintf(name, sizeof name, "%s", vm->name);
	if (vmfile_delete(vm->profile, NULL, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		ui_message(ui, false, "deleted %s%s", name, f->keep.n > 0 ?
		    " (its disks are shared or elsewhere: they stay)" : "");
	ui_form_close(ui);
	ui_load_profiles(ui);
}

/* ---- Enter ---- */

static void
on_made(bool ok, const char *text, void *arg)
{
	struct ui *ui = arg;
	struct ui_form *f = ui->form;
	char name[256], first[256];
	const char *nl;

	if (f == NULL)
		return;
	f->busy = false;
	if (!ok) {
		snprintf(f->error, sizeof f->error, "%s", text);
		ui_mark(ui);
		return;
	}
	snprintf(name, sizeof name, "%s", f->f[0].value);
	nl = strchr(text, '\n');
	snprintf(first, sizeof first, "%.*s", nl != NULL ? (int)(nl - text) : (int)strlen(text),
	    text);
	ui_form_close(ui);
	select_vm(ui, name);
	ui_message(ui, false, "%s: %s", name, first);
}

static void
submit(struct ui *ui)
{
	struct ui_form *f = ui->form;
	struct newvm s = { 0 };
	struct vmwatch *vm;
	char *dir, name[256], old[128];
	qt_error err;
	int i;

	check_all(ui);
	for (i = 0; i < f->n; i++) {
		if (f->f[i].error[0] != '\0') {
			f->cur = i;
			snprintf(f->error, sizeof f->error, "%s", f->f[i].error);
			return;
		}
	}
	f->error[0] = '\0';
	if (f->kind == FORM_RENAME) {
		if ((vm = ui_find_vm(ui, f->vm)) == NULL ||
		    vmfile_rename(vm->profile, f->f[0].value, &ui->profiles, &err) == -1) {
			snprintf(f->error, sizeof f->error, "%s", vm == NULL ? "the VM is gone" :
			    err.msg);
			return;
		}
		snprintf(name, sizeof name, "%s", f->f[0].value);
		snprintf(old, sizeof old, "%s", f->vm);
		ui_form_close(ui);
		select_vm(ui, name);
		ui_message(ui, false, "%s is now %s", old, name);
		return;
	}
	if ((dir = profile_user_dir(ui->profiles_dir, &err)) == NULL) {
		snprintf(f->error, sizeof f->error, "%s", err.msg);
		return;
	}
	f->busy = true;
	if (f->kind == FORM_CLONE) {
		if ((vm = ui_find_vm(ui, f->vm)) == NULL) {
			snprintf(err.msg, sizeof err.msg, "%s is gone (reloaded)", f->vm);
		} else if (vmfile_clone(ui->loop, dir, vm->profile, &ui->profiles, f->f[0].value,
		    false, on_made, ui, &err) != NULL) {
			free(dir);
			return;
		}
	} else {
		for (i = 0; i < f->n; i++)
			*(const char **)(void *)((char *)&s + f->f[i].nf->off) = f->f[i].value;
		if (vmfile_new(ui->loop, dir, &s, on_made, ui, &err) != NULL) {
			free(dir);
			return;
		}
	}
	free(dir);
	f->busy = false;
	snprintf(f->error, sizeof f->error, "%s", err.msg);
}

/* ---- keys ---- */

static void
utf8_append(char *buf, size_t size, unsigned c)
{
	size_t n = strlen(buf);
	char u[4];
	size_t k;

	if (c < 0x80) {
		u[0] = (char)c;
		k = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (n + k < size) {
		memcpy(buf + n, u, k);
		buf[n + k] = '\0';
	}
}

static void
utf8_backspace(char *buf)
{
	size_t n = strlen(buf);

	while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		n--;
	buf[n] = '\0';
}

static void
delete_key(struct ui *ui, int key)
{
	struct ui_form *f = ui->form;
	struct vmwatch *vm = ui_find_vm(ui, f->vm);
	char name[128];
	qt_error err;
	bool disks = key == 'y' || key == 'Y';

	/* Without disks to ask about the question is the state's: n deletes nothing. */
	if (f->remove.n == 0 && (key == 'n' || key == 'N'))
		key = 27;
	if (key != 'y' && key != 'Y' && key != 'n' && key != 'N') {
		if (key == 27) {
			ui_message(ui, false, "nothing was deleted");
			ui_form_close(ui);
		}
		return;
	}
	snprintf(name, sizeof name, "%s", f->vm);
	if (vm == NULL)
		ui_message(ui, true, "%s is gone (reloaded): nothing was deleted", name);
	else if (vmfile_delete(vm->profile, disks ? &f->remove : NULL, &err) == -1)
		ui_message(ui, true, "%s", err.msg);
	else
		ui_message(ui, false, "deleted %s%s%s", name, f->remove.n == 0 ? "" :
		    disks ? " and its disks" : " (its disks stay)",
		    f->state != NULL ? " and its state directory" : "");
	ui_form_close(ui);
	ui_load_profiles(ui);
}

void
ui_form_key(struct ui *ui, int key, bool keycode)
{
	struct ui_form *f = ui->form;
	struct form_field *ff;

	if (f == NULL) {
		ui->dialog = DIALOG_NONE;
		return;
	}
	ui_mark(ui);
	if (keycode && key == KEY_MOUSE) {
		MEVENT ev;

		getmouse(&ev);
		return;
	}
	if (f->busy)
		return;		/* qemu-img is at work: the answer comes as a message */
	if (f->kind == FORM_DELETE) {
		delete_key(ui, keycode ? 0 : key);
		return;
	}
	ff = &f->f[f->cur];
	if (!keycode && key == 27) {
		ui_form_close(ui);
		ui_message(ui, false, "nothing was written");
	} else if ((!keycode && key == '\t') || (keycode && key == KEY_DOWN))
		f->cur = (f->cur + 1) % f->n;
	else if (keycode && (key == KEY_BTAB || key == KEY_UP))
		f->cur = (f->cur + f->n - 1) % f->n;
	else if ((!keycode && (key == '\r' || key == '\n')) || (keycode && key == KEY_ENTER))
		submit(ui);
	else if ((keycode && key == KEY_BACKSPACE) || (!keycode && (key == 127 || key == 8))) {
		utf8_backspace(ff->value);
		check_all(ui);
	} else if (!keycode && key == 21) {	/* C-u */
		ff->value[0] = '\0';
		check_all(ui);
	} else if (!keycode && key >= 32 && key != 127) {
		utf8_append(ff->value, sizeof ff->value, (unsigned)key);
		check_all(ui);
	}
}

/* ---- drawing ---- */

static WINDOW *
centered(struct ui *ui, int h, int w)
{
	if (h > ui->rows)
		h = ui->rows;
	if (w > ui->cols)
		w = ui->cols;
	if (h < 3 || w < 10)
		return NULL;
	return newwin(h, w, (ui->rows - h) / 2, (ui->cols - w) / 2);
}

static void
frame(struct ui *ui, WINDOW *w, const char *title)
{
	wbkgdset(w, ' ' | ui_attr(ui, EL_DIALOG));
	werase(w);
	if (ui->utf8)
		box_set(w, WACS_VLINE, WACS_HLINE);
	else
		wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	wattrset(w, ui_attr(ui, EL_TITLE_FOCUS));
	ui_put(w, 0, 2, getmaxx(w) - 4, title);
	wattrset(w, ui_attr(ui, EL_DIALOG));
}

/* Text wrapped into the window's rows y.. (at most max rows); the next free row. */
static int
wrapped(WINDOW *w, int y, int max, const char *text)
{
	int width = getmaxx(w) - 4, len, rows = 0;

	while (*text != '\0' && rows < max && width > 0) {
		len = (int)strlen(text);
		if (len > width) {
			for (len = width; len > 0 && text[len] != ' '; len--)
				;
			if (len == 0)
				len = width;
		}
		mvwaddnstr(w, y + rows, 2, text, len);
		text += len;
		while (*text == ' ')
			text++;
		rows++;
	}
	return y + rows;
}

static void
draw_delete(struct ui *ui, struct ui_form *f)
{
	int h = (int)(f->remove.n + f->keep.n) + 6 + (f->state != NULL), y = 1;
	char line[512];
	size_t i;
	WINDOW *w;

	if ((w = centered(ui, h, 76)) == NULL)
		return;
	frame(ui, w, f->title);
	if (f->state != NULL) {
		snprintf(line, sizeof line, "delete state %s (its UEFI variables: this VM's alone)",
		    f->state);
		ui_put(w, y++, 2, getmaxx(w) - 4, line);
	}
	for (i = 0; i < f->remove.n && y < getmaxy(w) - 2; i++, y++) {
		snprintf(line, sizeof line, "delete %s", f->remove.v[i]);
		ui_put(w, y, 2, getmaxx(w) - 4, line);
	}
	for (i = 0; i < f->keep.n && y < getmaxy(w) - 2; i++, y++) {
		snprintf(line, sizeof line, "keep %s", f->keep.v[i]);
		ui_put(w, y, 2, getmaxx(w) - 4, line);
	}
	wattrset(w, ui_attr(ui, EL_DIALOG_BUTTON));
	ui_put(w, getmaxy(w) - 2, 2, getmaxx(w) - 4, f->remove.n > 0 ?
	    "[y] profile and disks   [n] profile only   [Esc] nothing" :
	    "[y] delete   [n] [Esc] nothing");
	wnoutrefresh(w);
	delwin(w);
}

void
ui_form_draw(struct ui *ui)
{
	struct ui_form *f = ui->form;
	int labelw = 10, valw = 28, y, i, x, h;
	const char *msg;
	char val[300];
	WINDOW *w;

	if (f == NULL)
		return;
	if (f->kind == FORM_DELETE) {
		draw_delete(ui, f);
		return;
	}
	h = f->n + 7;
	if ((w = centered(ui, h, ui->cols < 100 ? ui->cols : 100)) == NULL)
		return;
	frame(ui, w, f->title);
	for (i = 0; i < f->n && i + 1 < getmaxy(w) - 1; i++) {
		y = 1 + i;
		wattrset(w, ui_attr(ui, EL_DETAILS_LABEL));
		ui_put(w, y, 2, labelw, f->f[i].nf->label);
		/* The value's tail: what is being typed stays in sight. */
		x = (int)strlen(f->f[i].value) - (valw - 1);
		snprintf(val, sizeof val, "%s%s", x > 0 ? f->f[i].value + x : f->f[i].value,
		    i == f->cur ? "_" : "");
		wattrset(w, ui_attr(ui, i == f->cur ? EL_LIST_SELECTED : EL_DETAILS_VALUE));
		ui_put(w, y, 3 + labelw, valw, val);
		if (f->f[i].error[0] != '\0') {
			wattrset(w, ui_attr(ui, EL_STATUS_ERROR));
			ui_put(w, y, 4 + labelw + valw, getmaxx(w) - 6 - labelw - valw,
			    f->f[i].error);
		} else if (f->f[i].value[0] == '\0') {
			wattrset(w, ui_attr(ui, EL_DIALOG));
			ui_put(w, y, 4 + labelw + valw, getmaxx(w) - 6 - labelw - valw,
			    f->f[i].nf->hint);
		}
	}
	/* Below: the whole of the focused field's error, or Enter's answer. */
	y = f->n + 2;
	msg = f->busy ? "making the disks (qemu-img)…" : f->error[0] != '\0' ? f->error :
	    f->f[f->cur].error;
	wattrset(w, ui_attr(ui, f->busy ? EL_STATUS_INFO : EL_STATUS_ERROR));
	wrapped(w, y, getmaxy(w) - 1 - y, msg);
	wnoutrefresh(w);
	delwin(w);
}
