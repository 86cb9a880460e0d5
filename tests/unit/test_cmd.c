/* The command table and its option parser: each row takes its own options and counts its
 * arguments; unknown options, a missing NAME and extra arguments are errors; the man page
 * and the README name every command and option. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

/* A command line for cmd_parse: mutable copies, as getopt moves them. */
struct line {
	int argc;
	char *argv[32];
};

static void
line_set(struct line *l, const char *name, ...)
{
	const char *w;
	va_list ap;

	l->argc = 0;
	l->argv[l->argc++] = xstrdup(name);
	va_start(ap, name);
	while ((w = va_arg(ap, const char *)) != NULL && l->argc < 31)
		l->argv[l->argc++] = xstrdup(w);
	va_end(ap);
	l->argv[l->argc] = NULL;
}

static void
line_free(struct line *l)
{
	int i;

	for (i = 0; i < l->argc; i++)
		free(l->argv[i]);
	l->argc = 0;
}

/* Parse a line for the command named in its argv[0]. */
static int
parse(struct line *l, struct cmd_ctx *ctx, struct cmd_opts *o, qt_error *err)
{
	const struct cmd_entry *e = cmd_find(l->argv[0]);

	ck_assert_msg(e != NULL, "no command %s", l->argv[0]);
	err->msg[0] = '\0';
	return cmd_parse(ctx, e, l->argc, l->argv, o, err);
}

static int
row_takes(const struct cmd_entry *e, const char *name)
{
	const struct cmd_option *opt;

	for (opt = e->options; opt != NULL && opt->name != NULL; opt++)
		if (strcmp(opt->name, name) == 0)
			return 1;
	return 0;
}

START_TEST(test_rows_are_well_formed)
{
	const struct cmd_option *opt, *o2;
	const struct cmd_entry *e;
	size_t i, j, n;

	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		ck_assert_ptr_nonnull(e->name);
		ck_assert_ptr_nonnull(e->args);
		ck_assert_ptr_nonnull(e->help);
		ck_assert_ptr_nonnull(e->exec);
		ck_assert_ptr_eq(cmd_find(e->name), e);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(cmd_table[j]->name, e->name);
		ck_assert_int_ge(e->min_args, 0);
		ck_assert_msg(e->max_args < 0 || e->max_args >= e->min_args, "%s: counts", e->name);
		/* An argument's completion is a profile or a list of words, not both. */
		ck_assert(!((e->flags & CMD_ARG_PROFILE) && e->words != NULL));
		n = 0;
		for (opt = e->options; opt != NULL && opt->name != NULL; opt++, n++) {
			ck_assert_msg(opt->help != NULL && opt->help[0] != '\0', "%s --%s: help",
			    e->name, opt->name);
			ck_assert_str_ne(opt->name, "help");
			ck_assert_int_ne(opt->letter, 'h');
			for (o2 = e->options; o2 != opt; o2++) {
				ck_assert_str_ne(o2->name, opt->name);
				ck_assert(opt->letter == 0 || o2->letter != opt->letter);
			}
		}
		ck_assert_int_le(n, 16);
	}
}
END_TEST

/* Every command: an unknown option, a missing NAME and an extra argument are errors;
 * --help is asked for; every option it takes is read into its field. */
START_TEST(test_each_command)
{
	static const char *const names[] = { "n1", "n2", "n3", NULL };
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	const struct cmd_option *opt;
	const struct cmd_entry *e;
	struct cmd_opts o;
	struct line l;
	qt_error err;
	size_t i;
	int k, n, r;

	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		if (e->flags & CMD_OWN_ARGS)
			continue;	/* it parses its own argv */
		/* Its first argument, or NULL (ending line_set's words) for none. */
		const char *a1 = e->max_args == 0 ? NULL : e->words != NULL ? "bash" : names[0];

		line_set(&l, e->name, "--no-such-option", a1, NULL);
		ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
		ck_assert_str_eq(err.msg, "unknown option --no-such-option");
		line_free(&l);

		line_set(&l, e->name, "-Z", a1, NULL);
		ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
		ck_assert_str_eq(err.msg, "unknown option -Z");
		line_free(&l);

		line_set(&l, e->name, "--help", NULL);
		ck_assert_int_eq(parse(&l, &ctx, &o, &err), CMD_PARSE_HELP);
		line_free(&l);

		if (e->min_args > 0) {
			line_set(&l, e->name, NULL);
			ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
			ck_assert_msg(strncmp(err.msg, "missing ", 8) == 0, "%s: %s", e->name, err.msg);
			line_free(&l);
		}
		/* As many arguments as it takes (a few, without a limit), then one more. */
		n = e->max_args >= 0 ? e->max_args : e->min_args + 2;
		l.argc = 0;
		l.argv[l.argc++] = xstrdup(e->name);
		for (k = 0; k < n; k++)
			l.argv[l.argc++] = xstrdup(k == 0 ? a1 : names[k % 3]);
		l.argv[l.argc] = NULL;
		ck_assert_int_eq(parse(&l, &ctx, &o, &err), 1);
		line_free(&l);
		if (e->max_args >= 0) {
			l.argv[l.argc++] = xstrdup(e->name);
			for (k = 0; k <= n; k++)
				l.argv[l.argc++] = xstrdup(k == n ? "extra" : k == 0 ? a1 : names[k % 3]);
			l.argv[l.argc] = NULL;
			ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
			ck_assert_str_eq(err.msg, "unexpected argument \"extra\"");
			line_free(&l);
		}
		/* Each option it takes, set and read back. */
		for (opt = e->options; opt != NULL && opt->name != NULL; opt++) {
			char *flag = xasprintf("--%s", opt->name);

			if (opt->type == CMD_OPT_FLAG)
				line_set(&l, e->name, flag, a1, NULL);
			else
				line_set(&l, e->name, flag, opt->type == CMD_OPT_SET ?
				    "memory=2G" : "7", a1, NULL);
			/* A command of two arguments (clone SRC NEW) gets its second. */
			for (k = 1; k < e->min_args; k++) {
				l.argv[l.argc++] = xstrdup(names[k % 3]);
				l.argv[l.argc] = NULL;
			}
			r = parse(&l, &ctx, &o, &err);
			ck_assert_msg(r == l.argc - (a1 != NULL) - (e->min_args > 1 ?
			    e->min_args - 1 : 0), "%s %s: %d %s", e->name, flag, r, err.msg);
			if (opt->type == CMD_OPT_SET) {
				ck_assert_int_eq(ctx.sets.n, 1);
				ck_assert_str_eq(ctx.sets.v[0], "memory=2G");
				strvec_free(&ctx.sets);
			} else if (opt->type == CMD_OPT_STEP_TEXT ||
			    opt->type == CMD_OPT_STEP_REGEX || opt->type == CMD_OPT_STEP_FILE) {
				ck_assert_int_eq(ctx.steps.n, 2);
				ck_assert_str_eq(ctx.steps.v[0], opt->name);
				ck_assert_str_eq(ctx.steps.v[1], "7");
				strvec_free(&ctx.steps);
			} else
				ck_assert_int_eq(*(int *)(void *)((char *)&o + opt->field),
				    opt->type == CMD_OPT_SECONDS ? 7 : 1);
			line_free(&l);
			free(flag);
		}
	}
	ck_assert_int_eq(ctx.sets.n, 0);
}
END_TEST

/* An option one command takes is refused by a command that does not take it. */
START_TEST(test_others_options_are_refused)
{
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	const struct cmd_option *opt;
	const struct cmd_entry *e, *other;
	struct cmd_opts o;
	struct line l;
	qt_error err;
	size_t i, j;

	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		if (e->flags & CMD_OWN_ARGS)
			continue;
		for (j = 0; (other = cmd_table[j]) != NULL; j++) {
			for (opt = other->options; opt != NULL && opt->name != NULL; opt++) {
				char *flag, *want;

				if (row_takes(e, opt->name))
					continue;
				flag = xasprintf("--%s", opt->name);
				want = xasprintf("unknown option %s", flag);
				line_set(&l, e->name, flag, e->words ? "bash" : "n1", NULL);
				ck_assert_msg(parse(&l, &ctx, &o, &err) == -1, "%s took %s",
				    e->name, flag);
				ck_assert_str_eq(err.msg, want);
				line_free(&l);
				free(flag);
				free(want);
			}
		}
	}
	ck_assert_int_eq(ctx.sets.n, 0);
}
END_TEST

START_TEST(test_values)
{
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	struct cmd_opts o;
	struct line l;
	qt_error err;

	/* Options after the argument are still options (getopt moves the argument last). */
	line_set(&l, "stop", "vm1", "--force", "-t", "5", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 4);
	ck_assert_str_eq(l.argv[4], "vm1");
	ck_assert_int_eq(o.force, 1);
	ck_assert_int_eq(o.timeout, 5);
	line_free(&l);

	line_set(&l, "stop", "vm1", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 1);
	ck_assert_int_eq(o.timeout, -1);
	ck_assert_int_eq(o.force, 0);
	line_free(&l);

	line_set(&l, "start", "--timeout", "0", "vm1", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	ck_assert_str_eq(err.msg, "--timeout takes whole seconds (1 to 86400), not \"0\"");
	line_free(&l);
	line_set(&l, "stop", "--timeout=86401", "vm1", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	line_free(&l);
	line_set(&l, "start", "--timeout=2x", "vm1", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	line_free(&l);
	line_set(&l, "start", "vm1", "--timeout", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	ck_assert_str_eq(err.msg, "--timeout needs a value (S)");
	line_free(&l);
	line_set(&l, "list", "--json=yes", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	ck_assert_str_eq(err.msg, "--json takes no value");
	line_free(&l);

	/* --set after the command adds to those before it. */
	strvec_push(&ctx.sets, "smp=2");
	line_set(&l, "start", "vm1", "--set", "memory=1G", "-s", "cpu=max", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 5);
	ck_assert_int_eq(ctx.sets.n, 3);
	ck_assert_str_eq(ctx.sets.v[1], "memory=1G");
	ck_assert_str_eq(ctx.sets.v[2], "cpu=max");
	strvec_free(&ctx.sets);
	line_free(&l);

	/* console's steps keep their order, options between them or not. */
	line_set(&l, "console", "--send", "root\\n", "vm1", "--expect", "Pass.*:",
	    "-t", "5", "--script", "f.txt", "--send", "x", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 11);
	ck_assert_int_eq(o.timeout, 5);
	ck_assert_int_eq(ctx.steps.n, 8);
	ck_assert_str_eq(ctx.steps.v[0], "send");
	ck_assert_str_eq(ctx.steps.v[1], "root\\n");
	ck_assert_str_eq(ctx.steps.v[2], "expect");
	ck_assert_str_eq(ctx.steps.v[3], "Pass.*:");
	ck_assert_str_eq(ctx.steps.v[4], "script");
	ck_assert_str_eq(ctx.steps.v[6], "send");
	strvec_free(&ctx.steps);
	line_free(&l);

	/* status: NAME is optional, a second one is not. */
	line_set(&l, "status", "--json", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 2);
	ck_assert_int_eq(o.json, 1);
	line_free(&l);

	/* "--" ends the options: a NAME may start with a dash. */
	line_set(&l, "clean", "--", "-odd", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 2);
	ck_assert_str_eq(l.argv[2], "-odd");
	line_free(&l);
}
END_TEST

/* ssh: options end at NAME; what follows is the remote command's, dashes and all. */
START_TEST(test_ssh_options_end_at_name)
{
	struct cmd_ctx ctx = { .sets = STRVEC_INIT };
	struct cmd_opts o;
	struct line l;
	qt_error err;

	line_set(&l, "ssh", "--set", "ssh.port=2222", "vm1", "uname", "-a", "--set", "x", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 3);
	ck_assert_str_eq(l.argv[3], "vm1");
	ck_assert_str_eq(l.argv[5], "-a");
	ck_assert_str_eq(l.argv[6], "--set");
	ck_assert_int_eq(ctx.sets.n, 1);
	strvec_free(&ctx.sets);
	line_free(&l);

	line_set(&l, "ssh", "vm1", "--", "ls", "-l", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), 1);
	ck_assert_str_eq(l.argv[2], "--");
	line_free(&l);

	line_set(&l, "ssh", "--json", "vm1", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	line_free(&l);
	line_set(&l, "ssh", NULL);
	ck_assert_int_eq(parse(&l, &ctx, &o, &err), -1);
	ck_assert_str_eq(err.msg, "missing NAME");
	line_free(&l);
}
END_TEST

START_TEST(test_usage_lines)
{
	char buf[256];

	cmd_synopsis(cmd_find("console"), buf, sizeof buf);
	ck_assert_str_eq(buf, "[--no-history] [--send TEXT] [--expect REGEX] [--script FILE] "
	    "[--timeout S] NAME");
	cmd_synopsis(cmd_find("ssh"), buf, sizeof buf);
	ck_assert_str_eq(buf, "NAME [-- COMMAND...]");
	cmd_synopsis(cmd_find("stop"), buf, sizeof buf);
	ck_assert_str_eq(buf, "[--timeout S] [--force] NAME");
	cmd_synopsis(cmd_find("profile-help"), buf, sizeof buf);
	ck_assert_str_eq(buf, "");
}
END_TEST

static char *
read_src(const char *rel)
{
	const char *root = getenv("top_srcdir");
	qt_error err;
	char *path, *s;

	path = xasprintf("%s/%s", root != NULL && *root != '\0' ? root : "..", rel);
	s = file_read(path, NULL, &err);
	ck_assert_msg(s != NULL, "%s", err.msg);
	free(path);
	return s;
}

/* roff writes a dash as \-. */
static char *
roff_dashes(const char *s)
{
	char *r = xcalloc(2, strlen(s) + 1), *p = r;

	for (; *s != '\0'; s++) {
		if (*s == '-')
			*p++ = '\\';
		*p++ = *s;
	}
	return r;
}

/* s holds w followed by a blank or a font change (not a longer name). */
static int
man_word(const char *s, const char *w)
{
	const char *p;

	for (p = s; (p = strstr(p, w)) != NULL; p++)
		if (strchr(" \n\\", p[strlen(w)]) != NULL)
			return 1;
	return 0;
}

/* The man page has an entry for every command (".B name" or "\fBname") and names every
 * option; the README shows every command. */
START_TEST(test_docs_name_everything)
{
	const struct cmd_option *opt;
	const struct cmd_entry *e;
	char *man = read_src("man/qemu-tui.1"), *readme = read_src("README.md");
	char *w, *a, *b;
	size_t i;

	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		a = xasprintf("\n.B %s", e->name);
		b = xasprintf("\\fB%s", e->name);
		ck_assert_msg(man_word(man, a) || man_word(man, b),
		    "man/qemu-tui.1 has no entry for %s", e->name);
		free(a);
		free(b);
		w = xasprintf("qemu-tui %s", e->name);
		ck_assert_msg(strstr(readme, w) != NULL, "README.md never shows `%s`", w);
		free(w);
		for (opt = e->options; opt != NULL && opt->name != NULL; opt++) {
			a = xasprintf("--%s", opt->name);
			w = roff_dashes(a);
			ck_assert_msg(strstr(man, w) != NULL, "man/qemu-tui.1 never names %s (%s)",
			    a, e->name);
			free(w);
			free(a);
		}
	}
	free(man);
	free(readme);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cmd");
	TCase *tc = tcase_create("cmd");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_rows_are_well_formed);
	tcase_add_test(tc, test_each_command);
	tcase_add_test(tc, test_others_options_are_refused);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_ssh_options_end_at_name);
	tcase_add_test(tc, test_usage_lines);
	tcase_add_test(tc, test_docs_name_everything);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
