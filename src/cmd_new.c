/*
 * qemu-tui new NAME [--arch A] [--memory M] [--smp N] [--accel A]
 *     [--disk SIZE | --disk-file FILE] [--iso FILE]
 *     [--kernel K [--initrd I] [--append A]] [--net user|tap|none] [--ssh-user U]
 * The dashboard's new-VM form on the command line: the same answers, checked by
 * the same rules (vmfile.c's newvm_check, the profile schema's), the same writer.
 * Not import: there is no QEMU line to start from.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "vmfile.h"

static const char usage_text[] =
    "usage: qemu-tui new NAME [--arch A] [--memory M] [--smp N] [--accel A]\n"
    "           [--disk SIZE | --disk-file FILE] [--iso FILE]\n"
    "           [--kernel K [--initrd I] [--append A]] [--net user|tap|none] [--ssh-user U]\n";

static int
cmd_new_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "memory", required_argument, NULL, 'm' },
		{ "smp", required_argument, NULL, 'c' },
		{ "accel", required_argument, NULL, 'A' },
		{ "disk", required_argument, NULL, 'd' },
		{ "disk-file", required_argument, NULL, 'f' },
		{ "iso", required_argument, NULL, 'i' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'r' },
		{ "append", required_argument, NULL, 'x' },
		{ "net", required_argument, NULL, 'n' },
		{ "ssh-user", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct newvm s = { 0 };
	struct vmfile_result r;
	int c;

	optind = 0;	/* GNU getopt: start over (main.c parsed before) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': s.arch = optarg; break;
		case 'm': s.memory = optarg; break;
		case 'c': s.smp = optarg; break;
		case 'A': s.accel = optarg; break;
		case 'd': s.disk_size = optarg; break;
		case 'f': s.disk_file = optarg; break;
		case 'i': s.iso = optarg; break;
		case 'k': s.kernel = optarg; break;
		case 'r': s.initrd = optarg; break;
		case 'x': s.append = optarg; break;
		case 'n': s.net = optarg; break;
		case 'u': s.ssh_user = optarg; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fprintf(stderr, "qemu-tui: new: unknown option or missing value: %s\n",
			    argv[optind - 1]);
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage_text, stderr);
		return 2;
	}
	s.name = argv[optind];
	vmfile_new_sync(ctx->profiles_dir, &s, &r);
	if (!r.ok)
		fprintf(stderr, "qemu-tui: new: %s\n", r.text);
	else
		printf("%s", r.text);
	free(r.text);
	return r.ok ? 0 : 1;
}

const struct cmd_entry cmd_new_entry = {
	.name = "new", .args = "NAME [--arch A] [--memory M] [--smp N] [--accel A] "
	    "[--disk SIZE|--disk-file FILE] [--iso FILE] [--kernel K --initrd I --append A] "
	    "[--net MODE] [--ssh-user U]",
	.min_args = 1, .max_args = -1, .flags = CMD_OWN_ARGS,
	.help = "a new VM's profile (and a new disk) from a few answers, as the dashboard's form",
	.exec = cmd_new_exec
};
