/* A VM's serial console client on the loop. */
#include "console.h"

#include <stdlib.h>
#include <string.h>

#include "rundir.h"
#include "stream.h"
#include "vm.h"

/* What a stopped VM's pane shows of its serial.log. */
#define CONSOLE_LOG_TAIL (256 * 1024)

struct console {
	struct loop *loop;
	struct console_hooks hooks;
	struct stream *st;		/* NULL when showing a log, or once closed */
	unsigned long closed_timer;
	struct loop_guard guard;
};

static void
destroy(struct console *c)
{
	if (c->closed_timer != 0)
		loop_timer_del(c->loop, c->closed_timer);
	stream_free(c->st);
	free(c);
}

/* Hooks may free the console: each call is guarded. */
static void
say_closed(struct console *c, const char *why)
{
	loop_guard_enter(&c->guard);
	if (c->hooks.closed != NULL)
		c->hooks.closed(why, c->hooks.arg);
	if (loop_guard_leave(&c->guard))
		destroy(c);
}

static void
st_data(struct stream *s, const char *buf, size_t len, void *arg)
{
	struct console *c = arg;

	(void)s;
	loop_guard_enter(&c->guard);
	c->hooks.data(buf, len, c->hooks.arg);
	if (loop_guard_leave(&c->guard))
		destroy(c);
}

static void
st_closed(struct stream *s, const char *why, void *arg)
{
	struct console *c = arg;

	(void)why;
	stream_free(s);
	c->st = NULL;
	say_closed(c, "the VM stopped");
}

static const struct stream_hooks console_stream_hooks = { st_data, st_closed };

static struct console *
console_new(struct loop *l, const struct console_hooks *hooks)
{
	struct console *c = xcalloc(1, sizeof *c);

	c->loop = l;
	c->hooks = *hooks;
	return c;
}

static int
connect_to(struct console *c, const char *dir, enum run_file file, qt_error *err)
{
	char *path = rundir_file(dir, file);
	int fd = unix_connect(path, err);

	free(path);
	if (fd == -1)
		return -1;
	c->st = stream_new(c->loop, fd, &console_stream_hooks, c);
	return 0;
}

/* A stopped VM: show what its log kept, then say it is not running (from the loop, not from open). */
static void
show_log(void *arg)
{
	struct console *c = arg;

	c->closed_timer = 0;
	say_closed(c, "the VM is not running: its serial.log is shown");
}

struct console *
console_open(struct loop *l, const char *name, const struct console_hooks *hooks,
    qt_error *err)
{
	struct console *c;
	struct vm_run run;
	enum vm_state st;

	if (vm_run_read(name, &run, err) == -1)
		return NULL;
	c = console_new(l, hooks);
	st = vm_state_of(&run, NULL);
	if (st == VM_ORPHANED) {
		char desc[160];

		vm_state_describe(&run, st, NULL, desc, sizeof desc);
		err_set(err, "%s is %s", name, desc);
		vm_run_free(&run);
		free(c);
		return NULL;
	}
	/* Starting: the supervisor serves the serial socket once QEMU is up. */
	if (run.serving && vm_state_live(st)) {
		if (connect_to(c, run.dir, RUN_SERIAL_SOCK, err) == -1) {
			vm_run_free(&run);
			free(c);
			return NULL;
		}
	} else {
		char *path = rundir_file(run.dir, RUN_SERIAL_LOG), *text;
		size_t len = 0;

		if ((text = file_read_tail(path, CONSOLE_LOG_TAIL, &len, NULL)) != NULL &&
		    len > 0) {
			size_t off = len > CONSOLE_LOG_TAIL ? len - CONSOLE_LOG_TAIL : 0;

			c->hooks.data(text + off, len - off, c->hooks.arg);
		}
		free(text);
		free(path);
		c->closed_timer = loop_timer_add(l, 0, 0, show_log, c);
	}
	vm_run_free(&run);
	return c;
}

struct console *
console_attach(struct loop *l, const char *name, bool history,
    const struct console_hooks *hooks, qt_error *err)
{
	struct console *c;
	struct vm_run run;
	enum vm_state st;
	int rc;

	if (vm_run_read(name, &run, err) == -1)
		return NULL;
	st = vm_state_of(&run, NULL);
	if (!vm_state_live(st)) {
		err_set(err, "%s is %s", name, vm_state_name(st));
		vm_run_free(&run);
		return NULL;
	}
	c = console_new(l, hooks);
	/* Without its supervisor QEMU's own socket takes the one client (no history then).
	 * The supervisor's live socket is the same stream without the history replay. */
	rc = connect_to(c, run.dir, !run.alive ? RUN_QEMU_SERIAL :
	    history ? RUN_SERIAL_SOCK : RUN_SERIAL_LIVE, err);
	vm_run_free(&run);
	if (rc == -1) {
		free(c);
		return NULL;
	}
	return c;
}

void
console_write(struct console *c, const char *buf, size_t len)
{
	if (c->st != NULL)
		stream_write(c->st, buf, len);
}

size_t
console_queued(const struct console *c)
{
	return c->st != NULL ? stream_queued(c->st) : 0;
}

void
console_pause(struct console *c, bool paused)
{
	if (c->st != NULL)
		stream_pause(c->st, paused);
}

bool
console_live(const struct console *c)
{
	return c->st != NULL;
}

void
console_free(struct console *c)
{
	if (c == NULL)
		return;
	/* Off the loop at once; the memory goes once no hook of ours is on the stack. */
	stream_free(c->st);
	c->st = NULL;
	if (c->closed_timer != 0) {
		loop_timer_del(c->loop, c->closed_timer);
		c->closed_timer = 0;
	}
	if (loop_guard_free(&c->guard))
		destroy(c);
}
