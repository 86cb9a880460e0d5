/* CLI subcommands: one file each, all listed in one table (cmd.c). A command's row says
 * which options it takes and how many arguments; cmd.c parses both before the command
 * runs, and the same rows drive --help, shell completion and the man page check. */
#ifndef QT_CMD_H
#define QT_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profile.h"
#include "strvec.h"
#include "util.h"

/* What a command's options set; each option row names its field. */
struct cmd_opts {
	int json;
	int force;
	int timeout;		/* -1 = default */
	int no_history;
	int names;
	int throwaway;		/* start: -snapshot for this run only */
	int copy;		/* clone: full copies, not overlays */
	int disks;		/* delete: the disks too */
	int yes;		/* delete: no question */
	int follow;		/* events: keep printing */
};

struct cmd_ctx {
	const char *profiles_dir;	/* --profiles, or NULL for the search order */
	struct strvec sets;		/* --set key=value, in order */
	struct cmd_opts opts;		/* the running command's options */
	struct strvec steps;		/* CMD_OPT_STEP_* options in order: name, value, ... */
};

enum cmd_opt_type {
	CMD_OPT_FLAG,		/* sets its int to 1 */
	CMD_OPT_SECONDS,	/* S: whole seconds, 1 to 86400, into its int */
	CMD_OPT_SET,		/* KEY=VALUE: appended to ctx->sets (also a global option) */
	/* Steps kept in order with each other (console's --send, --expect, --script):
	 * the option's name and its value appended to ctx->steps. */
	CMD_OPT_STEP_TEXT,	/* TEXT */
	CMD_OPT_STEP_REGEX,	/* REGEX */
	CMD_OPT_STEP_FILE,	/* FILE */
};

struct cmd_option {
	const char *name;	/* without the dashes; NULL ends a list */
	char letter;		/* short form, or 0 */
	enum cmd_opt_type type;
	size_t field;		/* offsetof its int in struct cmd_opts (FLAG, SECONDS) */
	const char *help;	/* one line */
};

#define CMD_FIELD(f) offsetof(struct cmd_opts, f)
#define CMD_OPTION_SET \
	{ "set", 's', CMD_OPT_SET, 0, "override a profile field for this run (repeatable)" }
#define CMD_OPTION_JSON { "json", 'j', CMD_OPT_FLAG, CMD_FIELD(json), "print JSON" }
#define CMD_OPTIONS_END { NULL, 0, CMD_OPT_FLAG, 0, NULL }

/* Row flags. */
#define CMD_ARG_PROFILE	0x1	/* the first argument is a profile name (completion) */
#define CMD_OPTS_TO_ARG	0x2	/* options end at the first argument (ssh: what follows
				 * NAME is the remote command's, dashes and all) */
#define CMD_OWN_ARGS	0x4	/* exec reads its own argv (its name first), options and
				 * all: commands whose options follow a sub-command (image,
				 * net, forward); args and words still serve usage and
				 * completion */

struct cmd_entry {
	const char *name;
	const char *args;	/* the arguments in the usage line: "NAME", "[NAME]" */
	const char *help;	/* one line */
	const struct cmd_option *options;	/* ends with CMD_OPTIONS_END; NULL: none */
	int min_args, max_args;		/* how many arguments; max -1: no limit */
	int flags;		/* CMD_ARG_PROFILE, CMD_OPTS_TO_ARG */
	const char *words;	/* the first argument's completions, space-separated */
	/* argv holds only the arguments (argc of them, counted against the row); the
	 * options are in ctx->opts and ctx->sets. Returns the exit status. */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* The table, NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

/* The options before the command: main.c reads them, completion offers them. */
struct cmd_global_option {
	const char *name;	/* NULL ends the list */
	char letter;
	const char *value;	/* its value's name (DIR and FILE complete paths); NULL: a flag */
	int repeat;		/* may be given more than once */
	const char *help;
};
extern const struct cmd_global_option cmd_global_options[];

const struct cmd_entry *cmd_find(const char *name);
/* The global usage with every command's synopsis. */
void cmd_usage(FILE *out);
/* A command's usage after "qemu-tui NAME ": its options (but --set, which the global
 * usage shows), then its arguments. */
void cmd_synopsis(const struct cmd_entry *e, char *buf, size_t size);
/* A command's --help: usage, what it does, each option. */
void cmd_help(FILE *out, const struct cmd_entry *e);

#define CMD_PARSE_HELP (-2)
/* Parse a command's argv (argv[0] is its name) by its row: options into *o and
 * ctx->sets, arguments counted. Returns the index of the first argument (getopt moves
 * the arguments to the end), CMD_PARSE_HELP for --help, or -1 with err set. */
int cmd_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv,
    struct cmd_opts *o, qt_error *err);
/* Find, parse and run the command argv[0]; errors print the usage. The exit status
 * (2 on a usage error). */
int cmd_run(struct cmd_ctx *ctx, int argc, char **argv);

/* Load the profile directory the search order picks; prints errors. */
int cmd_load_profiles(struct cmd_ctx *ctx, struct profile_list *list);
/* Whether NAME is a profile (a broken one too: its VM must stay stoppable); prints
 * the error. Commands that act on a VM by name check it: a typo is no VM. */
bool cmd_known_profile(struct cmd_ctx *ctx, const char *name);
/* Load the profile directory and find NAME with --set applied; prints errors. NULL on failure
 * (a broken profile too, unless allow_broken: then the reason is printed as a warning). */
struct profile *cmd_profile(struct cmd_ctx *ctx, const char *name,
    struct profile_list *list, int allow_broken);
/* `list --names`: every profile's name, one a line, nothing else (for completion). */
int cmd_list_names(struct cmd_ctx *ctx);

extern const struct cmd_entry cmd_start_entry, cmd_stop_entry,
    cmd_status_entry, cmd_list_entry, cmd_pause_entry, cmd_resume_entry,
    cmd_reset_entry, cmd_clean_entry, cmd_cmdline_entry,
    cmd_profile_help_entry, cmd_console_entry, cmd_ssh_entry,
    cmd_ssh_config_entry, cmd_image_entry, cmd_net_entry,
    cmd_forward_entry, cmd_doctor_entry, cmd_import_entry,
    cmd_wait_entry, cmd_run_entry, cmd_completion_entry;
extern const struct cmd_entry cmd_snapshot_entry;
extern const struct cmd_entry cmd_new_entry, cmd_clone_entry, cmd_rename_entry,
    cmd_delete_entry;
extern const struct cmd_entry cmd_prepare_entry;
extern const struct cmd_entry cmd_events_entry;

#endif
