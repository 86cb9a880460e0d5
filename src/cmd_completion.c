/* qemu-tui completion bash|zsh: a shell completion script made from the command table,
 * so every command and option a row adds completes without touching this file. Profile
 * names come from `qemu-tui list --names` at completion time. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int
takes_value(const struct cmd_option *opt)
{
	return opt->type != CMD_OPT_FLAG;
}

/* ---- bash: plain bash, without bash-completion's helpers ---- */

static const char bash_head[] =
"# bash completion for qemu-tui: commands, their options, profile names.\n"
"# Made by `qemu-tui completion bash` from qemu-tui's command table.\n"
"\n"
"# The profile names, as the qemu-tui being completed finds them.\n"
"_qemu_tui_profiles()\n"
"{\n"
"\tlocal -a popt=()\n"
"\t[[ -n $2 ]] && popt=(--profiles \"$2\")\n"
"\tcommand \"$1\" \"${popt[@]}\" list --names 2>/dev/null\n"
"}\n"
"\n";

static const char bash_body[] =
"_qemu_tui()\n"
"{\n"
"\tlocal IFS=$' \\t\\n' i n w cur prev cmd= pdir= nargs=0 rest=0\n"
"\tlocal opts= valopts= arg= toarg=\n"
"\tlocal -a words\n"
"\t# Words split at blanks only: bash's own split also breaks KEY=VALUE at '='.\n"
"\tif [[ -n ${COMP_LINE-} ]]; then\n"
"\t\tread -ra words <<< \"${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}\"\n"
"\t\t[[ ${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}} =~ [[:blank:]]$ ]] && words+=('')\n"
"\telse\n"
"\t\twords=(\"${COMP_WORDS[@]:0:COMP_CWORD+1}\")\n"
"\tfi\n"
"\tn=${#words[@]}\n"
"\t((n >= 2)) || return 0\n"
"\tcur=${words[n-1]} prev=${words[n-2]}\n"
"\tCOMPREPLY=()\n"
"\tfor ((i = 1; i < n - 1; i++)); do\n"
"\t\tw=${words[i]}\n"
"\t\tif [[ -z $cmd ]]; then\n"
"\t\t\tcase $w in\n"
"\t\t\t--profiles) pdir=${words[i+1]}; i=$((i + 1)) ;;\n"
"\t\t\t--profiles=*) pdir=${w#--profiles=} ;;\n"
"\t\t\t%s) i=$((i + 1)) ;;\n"	/* the global options with a value */
"\t\t\t-*) ;;\n"
"\t\t\t*) cmd=$w; _qemu_tui_command \"$cmd\" || return 0 ;;\n"
"\t\t\tesac\n"
"\t\telif ((rest)) || [[ -n $toarg && $nargs -gt 0 ]]; then\n"
"\t\t\tnargs=$((nargs + 1))\n"
"\t\telse\n"
"\t\t\tcase $w in\n"
"\t\t\t--) rest=1 ;;\n"
"\t\t\t-*) [[ \" $valopts \" == *\" $w \"* ]] && i=$((i + 1)) ;;\n"
"\t\t\t*) nargs=$((nargs + 1)) ;;\n"
"\t\t\tesac\n"
"\t\tfi\n"
"\tdone\n"
"\tif [[ -z $cmd ]]; then\n"
"\t\tcase $prev in\n"
"%s"	/* the global options with a value: what completes it */
"\t\tesac\n"
"\t\tif [[ $cur == -* ]]; then\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -W '%s' -- \"$cur\")\n"
"\t\telse\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -W '%s' -- \"$cur\")\n"
"\t\tfi\n"
"\t\treturn 0\n"
"\tfi\n"
"\tif ((!rest)) && [[ -z $toarg || $nargs -eq 0 ]]; then\n"
"\t\t[[ \" $valopts \" == *\" $prev \"* ]] && return 0\n"
"\t\tif [[ $cur == -* ]]; then\n"
"\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
"\t\t\treturn 0\n"
"\t\tfi\n"
"\tfi\n"
"\t((nargs == 0)) || return 0\n"
"\tif [[ $arg == @profiles ]]; then\n"
"\t\tmapfile -t COMPREPLY < <(compgen -W \"$(_qemu_tui_profiles \"${words[0]}\" \"$pdir\")\" -- \"$cur\")\n"
"\telif [[ -n $arg ]]; then\n"
"\t\tmapfile -t COMPREPLY < <(compgen -W \"$arg\" -- \"$cur\")\n"
"\tfi\n"
"\treturn 0\n"
"}\n"
"\n"
"complete -F _qemu_tui qemu-tui\n";

/* A row's options joined by sep (only_valued: those that take a value; else --help too). */
static void
option_words(FILE *out, const struct cmd_entry *e, int only_valued, const char *sep)
{
	const struct cmd_option *opt;
	const char *s = "";

	for (opt = e->options; opt != NULL && opt->name != NULL; opt++) {
		if (only_valued && !takes_value(opt))
			continue;
		fprintf(out, "%s--%s", s, opt->name);
		s = sep;
	}
	if (!only_valued)
		fprintf(out, "%s--help", s);
}

/* The global options, "--a|--b" (only_valued: those that take a value) or "--a --b". */
static void
global_words(char *buf, size_t size, int only_valued, const char *sep)
{
	const struct cmd_global_option *g;
	size_t n = 0;

	buf[0] = '\0';
	for (g = cmd_global_options; g->name != NULL; g++)
		if ((!only_valued || g->value != NULL) && n < size)
			n += snprintf(buf + n, size - n, "%s--%s", n ? sep : "", g->name);
}

/* What completes a value: a directory, a file, or nothing (bash, zsh). */
static const char *
value_action(const char *value, int zsh)
{
	if (strcmp(value, "DIR") == 0)
		return zsh ? "_files -/" : "compgen -d";
	if (strcmp(value, "FILE") == 0)
		return zsh ? "_files" : "compgen -f";
	return NULL;
}

static void
bash_script(FILE *out)
{
	char valued[256], all[256], cmds[1024], prev[1024];
	const struct cmd_global_option *g;
	const struct cmd_entry *e;
	const char *act;
	size_t i, n = 0;

	global_words(valued, sizeof valued, 1, "|");
	global_words(all, sizeof all, 0, " ");
	prev[0] = '\0';
	for (g = cmd_global_options; g->name != NULL; g++) {
		if (g->value == NULL)
			continue;
		act = value_action(g->value, 0);
		if (n < sizeof prev)
			n += snprintf(prev + n, sizeof prev - n, "\t\t--%s) %s%s%s"
			    "return 0 ;;\n", g->name, act ? "mapfile -t COMPREPLY < <(" : "",
			    act ? act : "", act ? " -- \"$cur\"); " : "");
	}
	n = 0;
	cmds[0] = '\0';
	for (i = 0; cmd_table[i] != NULL; i++)
		if (n < sizeof cmds)
			n += snprintf(cmds + n, sizeof cmds - n, "%s%s",
			    n ? " " : "", cmd_table[i]->name);

	fputs(bash_head, out);
	fputs("# What each command takes: its options, those with a value, its first argument\n"
	    "# (@profiles: a profile name), whether its options end at that argument.\n"
	    "_qemu_tui_command()\n{\n\tcase $1 in\n", out);
	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		fprintf(out, "\t%s) opts='", e->name);
		option_words(out, e, 0, " ");
		fputs("' valopts='", out);
		option_words(out, e, 1, " ");
		fprintf(out, "' arg='%s' toarg=%s ;;\n",
		    e->max_args == 0 ? "" : (e->flags & CMD_ARG_PROFILE) ? "@profiles" :
		    e->words ? e->words : "", (e->flags & CMD_OPTS_TO_ARG) ? "1" : "");
	}
	fputs("\t*) return 1 ;;\n\tesac\n}\n\n", out);
	fprintf(out, bash_body, valued, prev, all, cmds);
}

/* ---- zsh: _arguments specs, one block per command ---- */

/* Text in a single-quoted word: ' closes the quote. In an _arguments spec (spec) also
 * []:\ are syntax; _arguments drops the backslash that quotes them. */
static void
zsh_text(FILE *out, const char *s, int spec)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", out);
		else if (spec && (*s == '[' || *s == ']' || *s == ':' || *s == '\\'))
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
}

/* One _arguments spec; indent: the tabs before it. A flag with repeat < 0 excludes all
 * else (--help). */
static void
zsh_option(FILE *out, const char *indent, const char *name, const char *value, int repeat,
    const char *help)
{
	const char *act = value != NULL ? value_action(value, 1) : NULL;

	fprintf(out, " \\\n%s    '%s--%s%s[", indent, repeat < 0 ? "(- *)" : repeat ? "*" : "",
	    name, value ? "=" : "");
	zsh_text(out, help, 1);
	if (value != NULL) {
		fputs("]:", out);
		zsh_text(out, value, 1);
		fprintf(out, ":%s'", act ? act : "");
	} else
		fputs("]'", out);
}

static void
zsh_script(FILE *out)
{
	const struct cmd_global_option *g;
	const struct cmd_option *opt;
	const struct cmd_entry *e;
	size_t i;

	fputs("#compdef qemu-tui\n"
	    "# zsh completion for qemu-tui: commands, their options, profile names.\n"
	    "# Made by `qemu-tui completion zsh` from qemu-tui's command table.\n\n"
	    "_qemu-tui_profiles() {\n"
	    "\tlocal -a names expl\n"
	    "\tnames=(${(f)\"$(command $qt $popt list --names 2>/dev/null)\"})\n"
	    "\t_wanted profiles expl profile compadd -a names\n"
	    "}\n\n"
	    "_qemu-tui() {\n"
	    "\tlocal qt=$words[1] curcontext=$curcontext state state_descr line ret=1\n"
	    "\tlocal -a popt\n"
	    "\ttypeset -A opt_args\n\n"
	    "\t_arguments -C", out);
	for (g = cmd_global_options; g->name != NULL; g++)
		zsh_option(out, "\t", g->name, g->value, g->value == NULL ? -1 : g->repeat,
		    g->help);
	fputs(" \\\n\t    '1: :->command'"
	    " \\\n\t    '*:: :->args' && ret=0\n\n"
	    "\t[[ -n ${opt_args[--profiles]} ]] && popt=(--profiles ${(Q)opt_args[--profiles]})\n"
	    "\tcase $state in\n"
	    "\t(command)\n"
	    "\t\tlocal -a cmds\n"
	    "\t\tcmds=(\n", out);
	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		fprintf(out, "\t\t    '%s:", e->name);
		zsh_text(out, e->help, 0);
		fputs("'\n", out);
	}
	fputs("\t\t)\n"
	    "\t\t_describe -t commands 'qemu-tui command' cmds && ret=0\n"
	    "\t\t;;\n"
	    "\t(args)\n"
	    "\t\tcurcontext=${curcontext%:*:*}:qemu-tui-$words[1]:\n"
	    "\t\tcase $words[1] in\n", out);
	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		fprintf(out, "\t\t(%s)\n\t\t\t_arguments%s", e->name,
		    (e->flags & CMD_OPTS_TO_ARG) ? " -A '-*'" : "");
		for (opt = e->options; opt != NULL && opt->name != NULL; opt++)
			zsh_option(out, "\t\t\t", opt->name, opt->type == CMD_OPT_SECONDS ?
			    "seconds" : opt->type == CMD_OPT_STEP_TEXT ? "TEXT" :
			    opt->type == CMD_OPT_STEP_REGEX ? "REGEX" :
			    opt->type == CMD_OPT_STEP_FILE ? "FILE" :
			    takes_value(opt) ? "KEY=VALUE" : NULL,
			    opt->type == CMD_OPT_SET || opt->type == CMD_OPT_STEP_TEXT ||
			    opt->type == CMD_OPT_STEP_REGEX || opt->type == CMD_OPT_STEP_FILE,
			    opt->help);
		zsh_option(out, "\t\t\t", "help", NULL, -1, "this help");
		if (e->max_args != 0) {
			/* "1:" a first argument, "1::" an optional one. */
			if (e->flags & CMD_ARG_PROFILE)
				fprintf(out, " \\\n\t\t\t    '1%s:profile:_qemu-tui_profiles'",
				    e->min_args > 0 ? "" : ":");
			else if (e->words != NULL)
				fprintf(out, " \\\n\t\t\t    '1:argument:(%s)'", e->words);
			if (e->max_args < 0)
				fputs(" \\\n\t\t\t    '*::argument: '", out);
		}
		fputs(" && ret=0\n\t\t\t;;\n", out);
	}
	fputs("\t\tesac\n"
	    "\t\t;;\n"
	    "\tesac\n"
	    "\treturn ret\n"
	    "}\n\n"
	    "# Autoloaded from $fpath this file is the completion function; sourced, it\n"
	    "# registers one.\n"
	    "if [[ $funcstack[1] == _qemu-tui ]]; then\n"
	    "\t_qemu-tui \"$@\"\n"
	    "else\n"
	    "\tcompdef _qemu-tui qemu-tui\n"
	    "fi\n", out);
}

static int
cmd_completion_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (strcmp(argv[0], "bash") == 0)
		bash_script(stdout);
	else if (strcmp(argv[0], "zsh") == 0)
		zsh_script(stdout);
	else {
		fprintf(stderr, "qemu-tui completion: no completion for \"%s\" (bash or zsh)\n",
		    argv[0]);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
cmd_list_names(struct cmd_ctx *ctx)
{
	struct profile_list list;
	size_t i;

	if (cmd_load_profiles(ctx, &list) == -1)
		return 1;
	for (i = 0; i < list.n; i++)
		printf("%s\n", list.items[i]->name);
	profile_list_free(&list);
	return 0;
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion", .args = "bash|zsh", .min_args = 1, .max_args = 1,
	.words = "bash zsh",
	.help = "print a shell completion script (commands, options, profile names)",
	.exec = cmd_completion_exec
};
