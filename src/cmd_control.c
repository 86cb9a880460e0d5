/* qemu-tui pause|resume|reset NAME: one QMP command each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "qmp.h"
#include "vm.h"

static int
control(struct cmd_ctx *ctx, const struct cmd_entry *e, const char *qmp_cmd,
    const char *done, int argc, char **argv)
{
	struct json_object *r;
	struct qmp_client *c;
	struct vm_run run;
	enum vm_state st;
	qt_error err;
	char *path;
	int i = 0;	/* argv[i]: NAME */

	if (!cmd_known_profile(ctx, argv[i]))
		return 1;
	if (vm_run_read(argv[i], &run, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		return 1;
	}
	st = vm_state_of(&run, NULL);
	path = vm_qmp_path(&run);
	/* Starting: QMP is not served until QEMU is up. */
	if (!vm_state_live(st) || path == NULL) {
		fprintf(stderr, "qemu-tui: %s is %s (start it with `qemu-tui start %s`)\n",
		    argv[i], vm_state_name(st), argv[i]);
		vm_run_free(&run);
		free(path);
		return 1;
	}
	vm_run_free(&run);
	c = qmp_open_sync(path, 5000, NULL, NULL, &err);
	free(path);
	if (c == NULL) {
		fprintf(stderr, "qemu-tui: %s: %s\n", argv[i], err.msg);
		return 1;
	}
	r = qmp_call_sync(c, qmp_cmd, NULL, 5000, &err);
	qmp_free(c);
	if (r == NULL) {
		fprintf(stderr, "qemu-tui: %s: %s\n", argv[i], err.msg);
		return 1;
	}
	json_object_put(r);
	printf("%s %s\n", argv[i], done);
	return 0;
}

static int
cmd_pause_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return control(ctx, &cmd_pause_entry, "stop", "paused", argc, argv);
}

static int
cmd_resume_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return control(ctx, &cmd_resume_entry, "cont", "resumed", argc, argv);
}

static int
cmd_reset_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	return control(ctx, &cmd_reset_entry, "system_reset", "reset", argc, argv);
}

const struct cmd_entry cmd_pause_entry = {
	.name = "pause", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE,
	.help = "pause the guest's vCPUs (QMP stop)",
	.exec = cmd_pause_exec
};
const struct cmd_entry cmd_resume_entry = {
	.name = "resume", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE,
	.help = "resume a paused guest (QMP cont)",
	.exec = cmd_resume_exec
};
const struct cmd_entry cmd_reset_entry = {
	.name = "reset", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE,
	.help = "hard reset, like the reset button (QMP system_reset)",
	.exec = cmd_reset_exec
};
