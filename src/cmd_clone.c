/*
 * qemu-tui clone SRC NEW [--copy]: a second VM from a stopped one. Each writable
 * disk becomes the read-only base of two qcow2 overlays (SRC's own from now on, and
 * NEW's), or with --copy a full copy for NEW; read-only drives and CD-ROMs stay
 * shared; NEW gets its own MAC (when SRC names one) and SSH port (vmfile.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "vmfile.h"

static int
cmd_clone_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct vmfile_result r;
	struct profile *src;

	(void)argc;
	if ((src = cmd_profile(ctx, argv[0], &list, 0)) == NULL) {
		profile_list_free(&list);
		return 1;
	}
	vmfile_clone_sync(ctx->profiles_dir, src, &list, argv[1], ctx->opts.copy, &r);
	profile_list_free(&list);
	if (!r.ok)
		fprintf(stderr, "qemu-tui: clone: %s\n", r.text);
	else
		printf("%s", r.text);
	free(r.text);
	return r.ok ? 0 : 1;
}

static const struct cmd_option clone_options[] = {
	{ "copy", 0, CMD_OPT_FLAG, CMD_FIELD(copy), "full copies of the disks, not overlays" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_clone_entry = {
	.name = "clone", .args = "SRC NEW", .options = clone_options,
	.min_args = 2, .max_args = 2, .flags = CMD_ARG_PROFILE,
	.help = "a second VM from a stopped one: overlays on its disks (or --copy)",
	.exec = cmd_clone_exec
};
