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
	struct option longopts[16];
	char optstring[40] = "+";	/* '+': options end at the command */
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	struct ui_options uo = { NULL, NULL, NULL };
	const struct cmd_global_option *g;
	size_t n = 0, k = 1;
	int c, rc;

	/* getopt's tables from cmd.c's list, which completion offers too. */
	for (g = cmd_global_options; g->name != NULL && n < 15; g++, n++) {
		longopts[n] = (struct option){ g->name, g->value ? required_argument :
		    no_argument, NULL, g->letter };
		optstring[k++] = g->letter;
		if (g->value != NULL)
			optstring[k++] = ':';
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	optstring[k] = '\0';

	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
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
	strvec_free(&ctx.steps);
	return rc;
}
