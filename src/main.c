/* qemu-tui: argument parsing and subcommand dispatch. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ui.h"
#include "util.h"

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profiles", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "theme", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	struct ui_options uo = { NULL, NULL, NULL };
	int c, rc;

	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "+p:s:t:c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ctx.profiles_dir = optarg;
			break;
		case 's':
			strvec_push(&ctx.sets, optarg);
			break;
		case 't':
			uo.theme = optarg;
			break;
		case 'c':
			uo.config = optarg;
			break;
		case 'h':
			cmd_usage(stdout);
			return 0;
		case 'V':
			printf("qemu-tui %s\n", PACKAGE_VERSION);
			return 0;
		default:
			cmd_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		uo.profiles_dir = ctx.profiles_dir;
		rc = ui_run(&uo);
		strvec_free(&ctx.sets);
		return rc;
	}
	rc = cmd_run(&ctx, argc - optind, argv + optind);
	strvec_free(&ctx.sets);
	return rc;
}
