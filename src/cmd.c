/* The subcommand table and what every command shares. */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_list_entry, &cmd_status_entry, &cmd_start_entry, &cmd_stop_entry,
	&cmd_pause_entry, &cmd_resume_entry, &cmd_reset_entry, &cmd_clean_entry,
	&cmd_cmdline_entry, &cmd_console_entry, &cmd_ssh_entry, &cmd_ssh_config_entry,
	&cmd_image_entry, &cmd_net_entry, &cmd_forward_entry, &cmd_doctor_entry, &cmd_import_entry, &cmd_wait_entry, &cmd_run_entry, &cmd_profile_help_entry, NULL
};

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

void
cmd_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: qemu-tui [--profiles DIR] [--set KEY=VALUE]... [COMMAND [ARGS]]\n"
	    "       qemu-tui [--profiles DIR] [--theme NAME] [--config FILE]\n"
	    "\nWithout a command, opens the dashboard (? there lists its keys).\n\nCommands:\n");
	for (i = 0; cmd_table[i] != NULL; i++)
		fprintf(out, "  %-13s %-28s %s\n", cmd_table[i]->name,
		    cmd_table[i]->usage, cmd_table[i]->help);
}

static int
parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv,
    struct cmd_opts *o, const char *optstring)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	memset(o, 0, sizeof *o);
	o->timeout = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			strvec_push(&ctx->sets, optarg);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'f':
			o->force = 1;
			break;
		case 't':
			o->timeout = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->timeout < 1) {
				fprintf(stderr, "qemu-tui %s: --timeout takes whole seconds "
				    "(1 or more), not \"%s\"\n", e->name, optarg);
				return -1;
			}
			break;
		case 'h':
			printf("usage: qemu-tui %s %s\n%s\n", e->name, e->usage, e->help);
			exit(0);
		default:
			fprintf(stderr, "usage: qemu-tui %s %s\n", e->name, e->usage);
			return -1;
		}
	}
	return optind;
}

int
cmd_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct cmd_opts *o)
{
	return parse(ctx, e, argc, argv, o, "s:jt:fh");
}

int
cmd_parse_to_name(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct cmd_opts *o)
{
	/* '+': getopt stops at the first argument instead of permuting past it. */
	return parse(ctx, e, argc, argv, o, "+s:jt:fh");
}

int
cmd_load_profiles(struct cmd_ctx *ctx, struct profile_list *list)
{
	qt_error err;
	char *dir;

	memset(list, 0, sizeof *list);
	if ((dir = profile_dir_pick(ctx->profiles_dir)) == NULL) {
		fprintf(stderr, "qemu-tui: no profile directory: create "
		    "~/.config/qemu-tui/profiles or pass --profiles DIR\n");
		return -1;
	}
	if (profile_load_dir(dir, list, &err) == -1) {
		fprintf(stderr, "qemu-tui: %s\n", err.msg);
		free(dir);
		return -1;
	}
	free(dir);
	return 0;
}

/* NAME in list, or NULL after saying so. */
static struct profile *
find_profile(struct profile_list *list, const char *name)
{
	struct profile *p = profile_list_find(list, name);

	if (p == NULL)
		fprintf(stderr, "qemu-tui: no profile named \"%s\" (see "
		    "`qemu-tui list`)\n", name);
	return p;
}

bool
cmd_known_profile(struct cmd_ctx *ctx, const char *name)
{
	struct profile_list list;
	bool known;

	if (cmd_load_profiles(ctx, &list) == -1)
		return false;
	known = find_profile(&list, name) != NULL;
	profile_list_free(&list);
	return known;
}

struct profile *
cmd_profile(struct cmd_ctx *ctx, const char *name, struct profile_list *list,
    int allow_broken)
{
	struct profile *p;
	qt_error err;
	size_t i;

	if (cmd_load_profiles(ctx, list) == -1)
		return NULL;
	if ((p = find_profile(list, name)) == NULL)
		return NULL;
	for (i = 0; i < ctx->sets.n; i++) {
		if (profile_set(p, ctx->sets.v[i], &err) == -1) {
			fprintf(stderr, "qemu-tui: --set %s: %s\n", ctx->sets.v[i], err.msg);
			return NULL;
		}
	}
	if (p->broken != NULL) {
		fprintf(stderr, "qemu-tui: %s profile %s: %s\n",
		    allow_broken ? "warning:" : "cannot use", name, p->broken);
		if (!allow_broken)
			return NULL;
	}
	return p;
}
