/*
 * qemu-tui delete NAME [--disks] [--yes]: a stopped VM's profile (and run and
 * state directories) removed after a question on a terminal; its disks only with
 * --disks, and only those in the profile's own directory that no other profile uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "vmfile.h"

static bool
ask(const char *question)
{
	char line[64];

	printf("%s [y/N] ", question);
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

static int
cmd_delete_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct strvec remove = STRVEC_INIT, keep = STRVEC_INIT;
	struct profile_list list;
	struct profile *p;
	qt_error err;
	char *q, *state = NULL;
	size_t i;
	int rc = 1;

	(void)argc;
	if ((p = cmd_profile(ctx, argv[0], &list, 1)) == NULL) {
		profile_list_free(&list);
		return 1;
	}
	if (vmfile_delete_check(p, &err) == -1) {
		fprintf(stderr, "qemu-tui: delete: %s\n", err.msg);
		goto out;
	}
	if (ctx->opts.disks)
		vmfile_delete_plan(p, &list, &remove, &keep);
	printf("delete %s: %s\n", p->name, p->path);
	if ((state = vmfile_state_dir(p->name)) != NULL)
		printf("  state %s (its UEFI variables: this VM's alone)\n", state);
	for (i = 0; i < remove.n; i++)
		printf("  disk %s\n", remove.v[i]);
	for (i = 0; i < keep.n; i++)
		printf("  kept: %s\n", keep.v[i]);
	if (!ctx->opts.disks && p->ndrives > 0)
		printf("  its disks stay (--disks deletes those in %s)\n", p->dir);
	if (!ctx->opts.yes) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "qemu-tui: delete: not a terminal to ask on: add --yes "
			    "(nothing was deleted)\n");
			goto out;
		}
		q = remove.n > 0 ? "delete the profile and these disks?" : "delete the profile?";
		if (!ask(q)) {
			printf("nothing was deleted\n");
			rc = 0;
			goto out;
		}
	}
	if (vmfile_delete(p, &remove, &err) == -1) {
		fprintf(stderr, "qemu-tui: delete: %s\n", err.msg);
		goto out;
	}
	printf("deleted %s%s\n", p->name, remove.n > 0 ? " and its disks" : "");
	rc = 0;
out:
	free(state);
	strvec_free(&remove);
	strvec_free(&keep);
	profile_list_free(&list);
	return rc;
}

static const struct cmd_option delete_options[] = {
	{ "disks", 0, CMD_OPT_FLAG, CMD_FIELD(disks),
	  "also the disks in the profile's directory that no other profile uses" },
	{ "yes", 'y', CMD_OPT_FLAG, CMD_FIELD(yes), "do not ask" },
	CMD_OPTIONS_END
};

const struct cmd_entry cmd_delete_entry = {
	.name = "delete", .args = "NAME", .options = delete_options,
	.min_args = 1, .max_args = 1, .flags = CMD_ARG_PROFILE,
	.help = "delete a stopped VM's profile (its disks only with --disks)",
	.exec = cmd_delete_exec
};
