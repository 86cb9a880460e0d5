/* qemu-tui clean NAME: remove a stopped VM's run directory, never a disk image. */
#include <stdio.h>

#include "cmd.h"
#include "vm.h"

static int
cmd_clean_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	qt_error err;
	int i = 0;	/* argv[i]: NAME */

	/* Only a profile's name: anything else is a typo, not a VM to clean. */
	if (!cmd_known_profile(ctx, argv[i]))
		return 1;
	if (vm_clean(argv[i], &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		return 1;
	}
	printf("%s: run directory removed\n", argv[i]);
	return 0;
}

const struct cmd_entry cmd_clean_entry = {
	.name = "clean", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE,
	.help = "remove the run directory (sockets, logs) of a stopped VM; disks are kept",
	.exec = cmd_clean_exec
};
