/* qemu-tui stop NAME: powerdown, then quit, SIGTERM, SIGKILL; says which step ended it. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "loop.h"
#include "vm.h"

struct stop_wait {
	struct loop *loop;
	int ok;
	int done;
};

static void
stop_progress(const char *name, const char *step, void *arg)
{
	printf("%s: %s\n", name, step);
	fflush(stdout);
}

static void
stop_done(const char *name, int ok, const char *how, void *arg)
{
	struct stop_wait *w = arg;

	w->ok = ok;
	w->done = 1;
	if (ok)
		printf("%s stopped by %s\n", name, how);
	else
		fprintf(stderr, "qemu-tui: %s: %s\n", name, how);
	loop_stop(w->loop);
}

static int
cmd_stop_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct stop_wait w = { NULL, 0, 0 };
	struct vm_stop *op;
	struct cmd_opts o;
	qt_error err;
	int i;

	if ((i = cmd_parse(ctx, &cmd_stop_entry, argc, argv, &o)) == -1)
		return 2;
	if (i != argc - 1) {
		fprintf(stderr, "usage: qemu-tui stop %s\n", cmd_stop_entry.usage);
		return 2;
	}
	if (!cmd_known_profile(ctx, argv[i]))
		return 1;
	w.loop = loop_new();
	op = vm_stop_begin(w.loop, argv[i], o.timeout > 0 ? o.timeout : 30,
	    o.force, stop_progress, stop_done, &w, &err);
	if (op == NULL) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		loop_free(w.loop);
		return 1;
	}
	while (!w.done)
		loop_run(w.loop);
	vm_stop_free(op);
	loop_free(w.loop);
	return w.ok ? 0 : 1;
}

const struct cmd_entry cmd_stop_entry = {
	"stop", "NAME [--timeout S] [--force]",
	"ACPI powerdown, after S s (30) quit, then SIGTERM, SIGKILL; --force quits at once",
	cmd_stop_exec
};
