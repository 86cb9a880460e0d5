/* qemu-tui start NAME: launch detached and supervised, wait until QMP answers. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "net.h"
#include "prepare.h"
#include "vm.h"

static int
cmd_start_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	const struct cmd_opts o = ctx->opts;
	struct profile *p;
	struct net_ssh_endpoint ssh;
	struct vm_run run;
	enum vm_state st = VM_STOPPED;
	qt_error err;
	int i = 0, rc = 1;	/* argv[i]: NAME */

	if ((p = cmd_profile(ctx, argv[i], &list, 0)) == NULL)
		goto out;
	if (vm_run_read(p->name, &run, &err) == 0) {
		st = vm_state_of(&run, NULL);
		vm_run_free(&run);
		if (vm_state_live(st) && st != VM_ORPHANED) {
			printf("%s is already %s; nothing to do\n", p->name,
			    vm_state_name(st));
			rc = 0;
			goto out;
		}
	}
	/* The disks the profile says how to make, first; only what is missing. */
	if (st != VM_ORPHANED && prepare_sync(p, stdout, NULL, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s: %s\n", p->name, err.msg);
		goto out;
	}
	if (vm_start_sync(p, o.throwaway, (o.timeout > 0 ? o.timeout : 60) * 1000, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	if (vm_run_read(p->name, &run, &err) == 0) {
		/* An orphan's QEMU runs on: a new supervisor took it over. */
		printf("%s %s (QEMU pid %ld, accel %s", p->name,
		    st == VM_ORPHANED ? "adopted" : "started", (long)run.qemu_pid, run.accel);
		net_ssh_endpoint(p, run.ssh_port, &ssh);
		if (ssh.forward && ssh.port > 0)
			printf(", ssh on %s:%d", ssh.host, ssh.port);
		printf("%s)\n", run.throwaway ? ", throwaway" : "");
		vm_run_free(&run);
	}
	rc = 0;
out:
	profile_list_free(&list);
	return rc;
}

static const struct cmd_option start_options[] = {
	CMD_OPTION_SET,
	{ "throwaway", 'T', CMD_OPT_FLAG, CMD_FIELD(throwaway),
	    "throw away every write of this run (QEMU -snapshot), whatever the profile says" },
	{ "timeout", 't', CMD_OPT_SECONDS, CMD_FIELD(timeout),
	    "how long to wait for QMP to answer (default 60)" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_start_entry = {
	.name = "start", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = start_options,
	.help = "start a VM detached (or adopt an orphaned one); it keeps running after qemu-tui exits",
	.exec = cmd_start_exec
};
