/* CLI subcommands: one file each, all listed in one table (cmd.c). */
#ifndef QT_CMD_H
#define QT_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "profile.h"
#include "strvec.h"

struct cmd_ctx {
	const char *profiles_dir;	/* --profiles, or NULL for the search order */
	struct strvec sets;		/* --set key=value, in order */
};

struct cmd_entry {
	const char *name;
	const char *usage;	/* arguments after the name */
	const char *help;	/* one line */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

const struct cmd_entry *cmd_find(const char *name);
void cmd_usage(FILE *out);

/* Load the profile directory the search order picks; prints errors. */
int cmd_load_profiles(struct cmd_ctx *ctx, struct profile_list *list);
/* Whether NAME is a profile (a broken one too: its VM must stay stoppable); prints
 * the error. Commands that act on a VM by name check it: a typo is no VM. */
bool cmd_known_profile(struct cmd_ctx *ctx, const char *name);
/* Load the profile directory and find NAME with --set applied; prints errors. NULL on failure
 * (a broken profile too, unless allow_broken: then the reason is printed as a warning). */
struct profile *cmd_profile(struct cmd_ctx *ctx, const char *name,
    struct profile_list *list, int allow_broken);
/* Parse a command's own options (--set, --json, --timeout N, --force) into flags. */
struct cmd_opts {
	int json;
	int force;
	int timeout;		/* -1 = default */
};
/* Returns the index of the first positional argument, or -1 after printing usage. */
int cmd_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct cmd_opts *o);
/* The same, with options ending at the first argument (ssh: what follows NAME is
 * the remote command's, dashes and all). */
int cmd_parse_to_name(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
    char **argv, struct cmd_opts *o);

extern const struct cmd_entry cmd_start_entry, cmd_stop_entry,
    cmd_status_entry, cmd_list_entry, cmd_pause_entry, cmd_resume_entry,
    cmd_reset_entry, cmd_clean_entry, cmd_cmdline_entry,
    cmd_profile_help_entry, cmd_console_entry, cmd_ssh_entry,
    cmd_ssh_config_entry, cmd_image_entry, cmd_net_entry,
    cmd_forward_entry, cmd_doctor_entry, cmd_import_entry,
    cmd_wait_entry, cmd_run_entry;

#endif
