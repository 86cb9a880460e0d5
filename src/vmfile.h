/*
 * A VM's files as a whole: a new VM from a few answers (the CLI's `new` and the
 * dashboard's form), a clone, a rename, a delete. Disks are made by qemu-img as
 * jobs on the caller's loop (image.c), one after the other, and what a failed
 * job chain made is removed again; profiles are written by profile_write (new) or,
 * for clone and rename, edited in their text (profile_edit.c: comments stay) and
 * written by profile_write_text.
 *
 * A clone never shares a writable disk: each writable disk of the source becomes
 * the read-only base of two overlays, one for the clone and one the source
 * itself writes to from now on (QEMU refuses a backing file another VM writes
 * to, and the base must not change under the clone), or with copy a full copy
 * for the clone. Read-only drives and CD-ROMs stay shared; the clone gets no
 * MAC of the source's and chooses its own SSH port.
 */
#ifndef QT_VMFILE_H
#define QT_VMFILE_H

#include <stdbool.h>

#include "loop.h"
#include "profile.h"
#include "strvec.h"
#include "util.h"

/* What a new VM is made of; NULL or "" is "not given" (the profile's default). */
struct newvm {
	const char *name;
	const char *arch, *memory, *smp, *accel;
	const char *disk_size;		/* a new qcow2 disk NAME.qcow2 in the profile directory */
	const char *disk_file;		/* or an existing image */
	const char *iso;		/* a CD-ROM */
	const char *kernel, *initrd, *append;
	const char *net;		/* user, tap, none */
	const char *ssh_user;
};

/* The fields of struct newvm a form shows, with the profile key that checks each. */
struct newvm_field {
	const char *label;		/* "Memory" */
	const char *key;		/* "memory": profile_check_field's key; NULL: no row */
	const char *hint;		/* "256M, 2G" */
	size_t off;			/* offsetof(struct newvm, ...) */
};
extern const struct newvm_field newvm_fields[];
extern const size_t newvm_nfields;

/* Why one answer is wrong (the profile schema's words), or NULL; dir: the profile
 * directory relative paths are resolved against. */
char *newvm_check(const struct newvm_field *f, const char *value, const char *dir);

/* Called once at the end: ok and what was done (lines), or the error. */
typedef void (*vmfile_done_fn)(bool ok, const char *text, void *arg);
struct vmfile_job;

/* For a caller that waits (the CLI): done fills one of these. */
struct vmfile_result {
	bool done, ok;
	char *text;
};
void vmfile_result_cb(bool ok, const char *text, void *arg);

/* Make the VM in dir: its disk when asked for, then its profile. */
struct vmfile_job *vmfile_new(struct loop *l, const char *dir, const struct newvm *s,
    vmfile_done_fn done, void *arg, qt_error *err);
/* Clone src (stopped) as name in dir; copy: full copies instead of overlays. src's UEFI
 * variables file, when it has one, is copied into the clone's state directory (a name
 * whose state directory an earlier VM left is refused).
 * list: the loaded profiles, to refuse a name already taken (NULL: not checked). */
struct vmfile_job *vmfile_clone(struct loop *l, const char *dir, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, vmfile_done_fn done,
    void *arg, qt_error *err);
/* The CLI's new and clone: in the user's profile directory (profiles_dir: --profiles,
 * or NULL), on a loop of their own, waited for; r says how it ended (r->text: what was
 * done, or the error; the caller frees it). */
void vmfile_new_sync(const char *profiles_dir, const struct newvm *s, struct vmfile_result *r);
void vmfile_clone_sync(const char *profiles_dir, const struct profile *src,
    const struct profile_list *list, const char *name, bool copy, struct vmfile_result *r);
/* Stop the job chain; done follows. */
void vmfile_cancel(struct vmfile_job *j);

/* The VM has a run under way (starting, running, paused, orphaned ...). */
bool vmfile_live(const char *name);

/* The VM's state directory (firmware.c: its UEFI variables) when it exists, else NULL. */
char *vmfile_state_dir(const char *name);

/* Rename a stopped VM: its profile file and name (same directory), its run directory
 * and its state directory (refused when the new name has one: another VM's variables).
 * list: the loaded profiles, to refuse a name already taken. */
int vmfile_rename(const struct profile *p, const char *name, const struct profile_list *list,
    qt_error *err);

/* -1 with err when p cannot be deleted now (a run under way); delete asks only after this. */
int vmfile_delete_check(const struct profile *p, qt_error *err);
/* What delete with disks would remove (remove) and keep, with why (keep). */
void vmfile_delete_plan(const struct profile *p, const struct profile_list *list,
    struct strvec *remove, struct strvec *keep);
/* Delete a stopped VM's profile, run directory and state directory, and the files in
 * remove. */
int vmfile_delete(const struct profile *p, const struct strvec *remove, qt_error *err);

/* A MAC of QEMU's 52:54:00 range derived from the name (a clone's, with tap). */
void vmfile_mac_for(const char *name, char *buf, size_t len);

#endif
