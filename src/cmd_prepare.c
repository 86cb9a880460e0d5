/* qemu-tui prepare NAME: make the disks the profile says how to make, and nothing else. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "prepare.h"
#include "vm.h"

static int
cmd_prepare_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct profile *p;
	struct vm_run run;
	qt_error err;
	size_t did;
	int rc = 1;

	if ((p = cmd_profile(ctx, argv[0], &list, 0)) == NULL)
		goto out;
	if (vm_run_read(p->name, &run, &err) == 0) {
		enum vm_state st = vm_state_of(&run, NULL);

		vm_run_free(&run);
		/* Its disks are open in QEMU: never written behind its back. */
		if (vm_state_live(st)) {
			fprintf(stderr, "qemu-tui: %s is %s: its disks are in use; stop it "
			    "first (qemu-tui stop %s)\n", p->name, vm_state_name(st), p->name);
			goto out;
		}
	}
	if (prepare_sync(p, stdout, &did, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
		goto out;
	}
	if (did == 0)
		printf("%s: every disk is there; nothing to prepare\n", p->name);
	rc = 0;
out:
	profile_list_free(&list);
	return rc;
}

static const struct cmd_option prepare_options[] = {
	CMD_OPTION_SET,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_prepare_entry = {
	.name = "prepare", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = prepare_options,
	.help = "make the VM's disks from the profile (drives[].from, size, backing) "
	    "without starting it; only what is missing",
	.exec = cmd_prepare_exec
};
