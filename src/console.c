/* A VM's serial console on the loop. */
#include "console.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "qmp.h"
#include "rundir.h"
#include "vm.h"

/* Bytes read per loop turn: a guest flooding its serial port must leave turns for keys and frames. */
#define CONSOLE_READ_MAX (64 * 1024)
/* What a stopped VM's pane shows of its serial.log. */
#define CONSOLE_LOG_TAIL (256 * 1024)

struct console {
	struct loop *loop;
	struct console_hooks hooks;
	int fd;
	struct buf out;
	unsigned long closed_timer;
};

static void
console_close(struct console *c, const char *why)
{
	if (c->fd != -1) {
		loop_io_del(c->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (c->hooks.closed != NULL)
		c->hooks.closed(why, c->hooks.arg);
}

static void
console_io(int fd, short revents, void *arg)
{
	struct console *c = arg;
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	if (revents & POLLOUT) {
		if (buf_flush(&c->out, fd) == -1) {
			console_close(c, "the serial connection broke");
			return;
		}
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		while (total < CONSOLE_READ_MAX) {
			n = read(fd, buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				console_close(c, "the VM stopped");
				return;
			}
			c->hooks.data(buf, (size_t)n, c->hooks.arg);
			total += (size_t)n;
		}
	}
	loop_io_set(c->loop, fd, POLLIN | (buf_used(&c->out) ? POLLOUT : 0));
}

/* A stopped VM: show what its log kept, then say it is not running (from the loop, not from open). */
static void
show_log(void *arg)
{
	struct console *c = arg;

	c->closed_timer = 0;
	console_close(c, "the VM is not running: its serial.log is shown");
}

struct console *
console_open(struct loop *l, const char *name, const struct console_hooks *hooks,
    qt_error *err)
{
	struct console *c;
	struct vm_run run;
	enum vm_state st;
	char *path;

	if (vm_run_read(name, &run, err) == -1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->loop = l;
	c->hooks = *hooks;
	c->fd = -1;
	st = vm_state_of(&run, NULL);
	/* Starting: the supervisor serves the serial socket once QEMU is up. */
	if (run.serving && vm_state_live(st)) {
		path = rundir_file(run.dir, RUN_SERIAL_SOCK);
		c->fd = qmp_connect_unix(path, err);
		free(path);
		if (c->fd == -1) {
			vm_run_free(&run);
			free(c);
			return NULL;
		}
		loop_io_add(l, c->fd, POLLIN, console_io, c);
	} else {
		size_t len = 0;
		char *text;

		path = rundir_file(run.dir, RUN_SERIAL_LOG);
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

void
console_write(struct console *c, const char *buf, size_t len)
{
	if (c->fd == -1)
		return;
	buf_add(&c->out, buf, len);
	if (buf_flush(&c->out, c->fd) == -1) {
		console_close(c, "the serial connection broke");
		return;
	}
	loop_io_set(c->loop, c->fd, POLLIN | (buf_used(&c->out) ? POLLOUT : 0));
}

bool
console_live(const struct console *c)
{
	return c->fd != -1;
}

void
console_free(struct console *c)
{
	if (c == NULL)
		return;
	if (c->closed_timer != 0)
		loop_timer_del(c->loop, c->closed_timer);
	if (c->fd != -1) {
		loop_io_del(c->loop, c->fd);
		close(c->fd);
	}
	buf_free(&c->out);
	free(c);
}
