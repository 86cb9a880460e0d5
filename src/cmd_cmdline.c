/* qemu-tui cmdline NAME and profile-help: show what a profile means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "cmd.h"
#include "firmware.h"
#include "net.h"
#include "qemu_argv.h"
#include "rundir.h"

static int
cmd_cmdline_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct profile_list list;
	struct argv_runtime rt = { 0 };
	struct accel_host host;
	struct accel_choice acc;
	struct net_ssh_endpoint ssh;
	struct strvec av = STRVEC_INIT;
	struct profile *p;
	qt_error err;
	struct fw_image fw = { 0 };
	char *dir, *vars = NULL;
	bool created;
	int i = 0, rc = 1;	/* argv[i]: NAME */

	/* Missing disk files should not hide the command line: warn and show it. */
	if ((p = cmd_profile(ctx, argv[i], &list, 1)) == NULL)
		goto out;
	if ((dir = rundir_path(p->name, &err)) == NULL) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		goto out;
	}
	accel_probe_host(&host);
	accel_choose(p->accel, p->arch, &host, &acc);
	rt.rundir = dir;
	rt.accel = acc.name;
	rt.bridge_helper = net_bridge_helper();
	/* rt.ssh_host_port stays 0: a fixed ssh.port is forwarded, a chosen one is not known yet. */
	net_ssh_endpoint(p, 0, &ssh);
	if (p->firmware != NULL && strcmp(p->firmware, FIRMWARE_UEFI) == 0) {
		if (firmware_for_vm(p->name, p->arch, p->machine, false, &fw, &vars, &created,
		    &err) == -1) {
			fprintf(stderr, "qemu-tui: %s\n", err.msg);
			free(dir);
			goto out;
		}
		rt.fw_code = fw.code;
		rt.fw_vars = vars;
	}
	if (qemu_argv_build(p, &rt, &av, &err) == -1)
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
	else {
		qemu_argv_print(stdout, av.v);
		fflush(stdout);
		if (ssh.forward && ssh.port == 0)
			fprintf(stderr, "note: `start` also forwards a free host port to "
			    "the guest's ssh (port 22)\n");
		fprintf(stderr, "note: accel %s: %s\n", acc.name, acc.reason);
		if (vars != NULL)
			fprintf(stderr, "note: firmware uefi: %s (%s); variables %s%s\n",
			    fw.code, fw.source, vars, access(vars, F_OK) == 0 ? "" :
			    " (made from the template at the first start)");
		rc = 0;
	}
	firmware_image_free(&fw);
	free(vars);
	strvec_free(&av);
	free(dir);
out:
	profile_list_free(&list);
	return rc;
}

static int
cmd_profile_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	profile_help(stdout);
	return 0;
}

static const struct cmd_option cmdline_options[] = {
	CMD_OPTION_SET,
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_cmdline_entry = {
	.name = "cmdline", .args = "NAME", .min_args = 1, .max_args = 1,
	.flags = CMD_ARG_PROFILE, .options = cmdline_options,
	.help = "print the QEMU command line, shell-quoted, one option per line",
	.exec = cmd_cmdline_exec
};
const struct cmd_entry cmd_profile_help_entry = {
	.name = "profile-help", .args = "", .min_args = 0, .max_args = 0,
	.help = "every profile field with its type, default and meaning",
	.exec = cmd_profile_help_exec
};
