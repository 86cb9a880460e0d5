/* VM lifecycle: launch under a supervisor, find again from the run directory, stop in steps. */
#ifndef QT_VM_H
#define QT_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "loop.h"
#include "profile.h"
#include "util.h"
#include "vmstate.h"

/*
 * Launch the VM detached under a supervisor; its answer is an event on the
 * loop: done gets error NULL once the VM is up, else the reason followed by
 * the tail of qemu.log. Refuses a VM that is already running (NULL + err).
 * vm_launch_free may be called from done.
 * An orphaned VM (QEMU without its supervisor) is adopted instead: a new
 * supervisor takes over the running QEMU.
 */
struct vm_launch;
typedef void (*vm_launch_cb)(const char *name, const char *error, void *arg);
/* throwaway: this run only gets QEMU's -snapshot (every write thrown away), whatever
 * the profile says; the run directory records it as for a "snapshot": true profile. */
struct vm_launch *vm_launch_begin(struct loop *l, const struct profile *p, bool throwaway,
    vm_launch_cb done, void *arg, qt_error *err);
void vm_launch_free(struct vm_launch *op);
/* CLI: launch and wait (timeout_ms) until QMP answers (on a loop of its own). */
int vm_start_sync(const struct profile *p, bool throwaway, int timeout_ms, qt_error *err);

/* A graceful stop driven by the loop: powerdown -> (timeout) -> quit -> SIGTERM -> SIGKILL. */
struct vm_stop;
typedef void (*vm_stop_progress_cb)(const char *name, const char *step, void *arg);
/* ok: the VM is gone; how: the step that ended it, or the error. */
typedef void (*vm_stop_done_cb)(const char *name, int ok, const char *how, void *arg);
struct vm_stop *vm_stop_begin(struct loop *l, const char *name, int timeout_s,
    bool force, vm_stop_progress_cb progress, vm_stop_done_cb done, void *arg,
    qt_error *err);
/* May be called from done. */
void vm_stop_free(struct vm_stop *op);

/* Remove the run directory of a stopped VM (never a disk image). */
int vm_clean(const char *name, qt_error *err);

#endif
