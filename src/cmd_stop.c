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
	const struct cmd_opts o = ctx->opts;
	qt_error err;
	int i = 0;	/* argv[i]: NAME */

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

static const struct cmd_option stop_options[] = {
	{ "timeout", 't', CMD_OPT_SECONDS, CMD_FIELD(timeout),
	    "how long the guest has to power down before quit (default 30)" },
	{ "force", 'f', CMD_OPT_FLAG, CMD_FIELD(force),
	    "skip the ACPI powerdown: QMP quit at once" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_stop_entry = {
	.name = "stop", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = stop_options,
	.help = "ACPI powerdown, after S s (30) quit, then SIGTERM, SIGKILL; --force quits at once",
	.exec = cmd_stop_exec
};
