/* qemu-tui rename OLD NEW: a stopped VM's profile, run and state directories take the new name. */
#include <stdio.h>

#include "cmd.h"
#include "vmfile.h"

static int
cmd_rename_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct profile *p;
	qt_error err;
	int rc = 1;

	(void)argc;
	if ((p = cmd_profile(ctx, argv[0], &list, 1)) == NULL) {
		profile_list_free(&list);
		return 1;
	}
	if (vmfile_rename(p, argv[1], &list, &err) == -1)
		fprintf(stderr, "qemu-tui: rename: %s\n", err.msg);
	else {
		printf("%s is now %s (%s/%s.json)\n", argv[0], argv[1], p->dir, argv[1]);
		rc = 0;
	}
	profile_list_free(&list);
	return rc;
}

const struct cmd_entry cmd_rename_entry = {
	.name = "rename", .args = "OLD NEW",
	.min_args = 2, .max_args = 2, .flags = CMD_ARG_PROFILE,
	.help = "rename a stopped VM (its profile, run directory and UEFI variables)",
	.exec = cmd_rename_exec
};
