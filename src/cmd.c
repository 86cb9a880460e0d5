/* The subcommand table, the option parser its rows drive, usage and --help, and what
 * every command shares (loading profiles). */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Every command, in the order --help and completion list them. */
const struct cmd_entry *const cmd_table[] = {
	&cmd_list_entry, &cmd_status_entry, &cmd_start_entry, &cmd_stop_entry,
	&cmd_pause_entry, &cmd_resume_entry, &cmd_reset_entry, &cmd_clean_entry,
	&cmd_cmdline_entry, &cmd_console_entry, &cmd_ssh_entry, &cmd_ssh_config_entry,
	&cmd_image_entry, &cmd_net_entry, &cmd_forward_entry, &cmd_doctor_entry,
	&cmd_prepare_entry,
	&cmd_import_entry, &cmd_wait_entry, &cmd_run_entry, &cmd_profile_help_entry,
	&cmd_snapshot_entry, &cmd_events_entry,
	&cmd_completion_entry,
	&cmd_new_entry, &cmd_clone_entry, &cmd_rename_entry, &cmd_delete_entry,
	NULL
};

const struct cmd_global_option cmd_global_options[] = {
	{ "profiles", 'p', "DIR", 0, "the profile directory" },
	{ "set", 's', "KEY=VALUE", 1, "override a profile field for this run" },
	{ "theme", 't', "NAME", 0, "the dashboard's theme" },
	{ "config", 'c', "FILE", 0, "the dashboard's settings file" },
	{ "help", 'h', NULL, 0, "list the commands" },
	{ "version", 'V', NULL, 0, "print the version" },
	{ NULL, 0, NULL, 0, NULL }
};

/* More than any row has; the unit test holds every row to it. */
#define MAX_OPTIONS 16

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

/* The name of an option's value in usage lines; NULL for a flag. */
static const char *
value_name(enum cmd_opt_type type)
{
	switch (type) {
	case CMD_OPT_SECONDS:
		return "S";
	case CMD_OPT_SET:
		return "KEY=VALUE";
	case CMD_OPT_STEP_TEXT:
		return "TEXT";
	case CMD_OPT_STEP_REGEX:
		return "REGEX";
	case CMD_OPT_STEP_FILE:
		return "FILE";
	case CMD_OPT_FLAG:
		break;
	}
	return NULL;
}

void
cmd_synopsis(const struct cmd_entry *e, char *buf, size_t size)
{
	const struct cmd_option *opt;
	const char *v;
	size_t n = 0;

	buf[0] = '\0';
	for (opt = e->options; opt != NULL && opt->name != NULL; opt++) {
		/* --set is in the global usage line; a command's line would only repeat it. */
		if (opt->type == CMD_OPT_SET)
			continue;
		v = value_name(opt->type);
		if (n < size)
			n += snprintf(buf + n, size - n, "%s[--%s%s%s]", n ? " " : "",
			    opt->name, v ? " " : "", v ? v : "");
	}
	if (e->args[0] != '\0' && n < size)
		snprintf(buf + n, size - n, "%s%s", n ? " " : "", e->args);
}

void
cmd_usage(FILE *out)
{
	const struct cmd_global_option *g;
	char syn[256], line[300];
	size_t i;

	fprintf(out, "usage: qemu-tui [--profiles DIR] [--set KEY=VALUE]... [COMMAND [ARGS]]\n"
	    "       qemu-tui [--profiles DIR] [--theme NAME] [--config FILE]\n"
	    "\nWithout a command, opens the dashboard (? there lists its keys).\n\nOptions:\n");
	for (g = cmd_global_options; g->name != NULL; g++) {
		snprintf(line, sizeof line, "-%c, --%s%s%s", g->letter, g->name,
		    g->value ? " " : "", g->value ? g->value : "");
		fprintf(out, "  %-34s %s%s\n", line, g->help, g->repeat ? " (repeatable)" : "");
	}
	fprintf(out, "\nCommands (qemu-tui COMMAND --help for a command's options):\n");
	for (i = 0; cmd_table[i] != NULL; i++) {
		cmd_synopsis(cmd_table[i], syn, sizeof syn);
		snprintf(line, sizeof line, "%s %s", cmd_table[i]->name, syn);
		if (strlen(line) > 34)
			fprintf(out, "  %s\n  %-34s %s\n", line, "", cmd_table[i]->help);
		else
			fprintf(out, "  %-34s %s\n", line, cmd_table[i]->help);
	}
}

static void
usage_line(FILE *out, const struct cmd_entry *e)
{
	char syn[256];

	cmd_synopsis(e, syn, sizeof syn);
	fprintf(out, "usage: qemu-tui %s%s%s\n", e->name, syn[0] ? " " : "", syn);
}

void
cmd_help(FILE *out, const struct cmd_entry *e)
{
	const struct cmd_option *opt;
	char left[64];
	const char *v;

	usage_line(out, e);
	fprintf(out, "%s\n\nOptions:\n", e->help);
	for (opt = e->options; opt != NULL && opt->name != NULL; opt++) {
		v = value_name(opt->type);
		snprintf(left, sizeof left, "%c%c%c --%s%s%s", opt->letter ? '-' : ' ',
		    opt->letter ? opt->letter : ' ', opt->letter ? ',' : ' ', opt->name,
		    v ? " " : "", v ? v : "");
		fprintf(out, "  %-22s %s%s\n", left, opt->help,
		    opt->type == CMD_OPT_SET ? " (also before the command)" : "");
	}
	fprintf(out, "  %-22s %s\n", "-h, --help", "this help");
}

static const struct cmd_option *
option_by_val(const struct cmd_entry *e, int val)
{
	const struct cmd_option *opt;
	int i = 0;

	for (opt = e->options; opt != NULL && opt->name != NULL; opt++, i++)
		if (opt->letter ? opt->letter == val : 256 + i == val)
			return opt;
	return NULL;
}

/* What getopt refused: the word as typed (a long option up to its '='), or -X. */
static void
bad_option(const struct cmd_entry *e, int c, char **argv, int ind, qt_error *err)
{
	const struct cmd_option *opt = option_by_val(e, optopt);
	const char *w = ind > 0 ? argv[ind - 1] : "";
	int len = (int)strcspn(w, "=");

	if (strncmp(w, "--", 2) == 0 && c == '?' && opt != NULL && w[len] == '=')
		err_set(err, "--%s takes no value", opt->name);
	else if (c == ':' && opt != NULL)
		err_set(err, "--%s needs a value (%s)", opt->name, value_name(opt->type));
	else if (strncmp(w, "--", 2) == 0)
		err_set(err, "unknown option %.*s", len, w);
	else
		err_set(err, "unknown option -%c", optopt);
}

/* The word of the usage's arguments that names argument n (brackets dropped). */
static void
arg_word(const struct cmd_entry *e, int n, char *buf, size_t size)
{
	const char *p = e->args;
	size_t len;

	for (; n > 0 && *p != '\0'; n--)
		p += strcspn(p, " "), p += strspn(p, " ");
	p += strspn(p, "[");
	len = strcspn(p, " ]");
	snprintf(buf, size, "%.*s", (int)len, len ? p : "argument");
}

int
cmd_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv,
    struct cmd_opts *o, qt_error *err)
{
	struct option longopts[MAX_OPTIONS + 2];
	char optstring[3 + 3 * MAX_OPTIONS + 2], word[64];
	const struct cmd_option *opt;
	size_t n = 0, k = 0;
	char *end;
	long v;
	int c, nargs;

	memset(o, 0, sizeof *o);
	o->timeout = -1;
	/* '+': getopt stops at the first argument instead of permuting past it. ':' tells
	 * a missing value from an unknown option. */
	if (e->flags & CMD_OPTS_TO_ARG)
		optstring[k++] = '+';
	optstring[k++] = ':';
	for (opt = e->options; opt != NULL && opt->name != NULL && n < MAX_OPTIONS; opt++, n++) {
		longopts[n].name = opt->name;
		longopts[n].has_arg = value_name(opt->type) ? required_argument : no_argument;
		longopts[n].flag = NULL;
		longopts[n].val = opt->letter ? opt->letter : 256 + (int)n;
		if (opt->letter) {
			optstring[k++] = opt->letter;
			if (value_name(opt->type))
				optstring[k++] = ':';
		}
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	optstring[k++] = 'h';
	optstring[k] = '\0';

	opterr = 0;
	optind = 0;	/* glibc: 0 starts afresh, after an earlier command's parse too */
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == 'h')
			return CMD_PARSE_HELP;
		if (c == '?' || c == ':' || (opt = option_by_val(e, c)) == NULL) {
			bad_option(e, c, argv, optind, err);
			return -1;
		}
		switch (opt->type) {
		case CMD_OPT_FLAG:
			*(int *)(void *)((char *)o + opt->field) = 1;
			break;
		case CMD_OPT_SECONDS:
			v = strtol(optarg, &end, 10);
			/* A day at most: callers count milliseconds in an int. */
			if (*end != '\0' || end == optarg || v < 1 || v > 86400) {
				err_set(err, "--%s takes whole seconds (1 to 86400), not \"%s\"",
				    opt->name, optarg);
				return -1;
			}
			*(int *)(void *)((char *)o + opt->field) = (int)v;
			break;
		case CMD_OPT_SET:
			strvec_push(&ctx->sets, optarg);
			break;
		case CMD_OPT_STEP_TEXT:
		case CMD_OPT_STEP_REGEX:
		case CMD_OPT_STEP_FILE:
			strvec_push(&ctx->steps, opt->name);
			strvec_push(&ctx->steps, optarg);
			break;
		}
	}
	nargs = argc - optind;
	if (nargs < e->min_args) {
		arg_word(e, nargs, word, sizeof word);
		err_set(err, "missing %s", word);
		return -1;
	}
	if (e->max_args >= 0 && nargs > e->max_args) {
		err_set(err, "unexpected argument \"%s\"", argv[optind + e->max_args]);
		return -1;
	}
	return optind;
}

int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e;
	qt_error err;
	int first;

	if ((e = cmd_find(argv[0])) == NULL) {
		fprintf(stderr, "qemu-tui: unknown command \"%s\"\n", argv[0]);
		cmd_usage(stderr);
		return 2;
	}
	if (e->flags & CMD_OWN_ARGS)
		return e->exec(ctx, argc, argv);
	first = cmd_parse(ctx, e, argc, argv, &ctx->opts, &err);
	if (first == CMD_PARSE_HELP) {
		cmd_help(stdout, e);
		return 0;
	}
	if (first == -1) {
		fprintf(stderr, "qemu-tui %s: %s\n", e->name, err.msg);
		usage_line(stderr, e);
		return 2;
	}
	return e->exec(ctx, argc - first, argv + first);
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
