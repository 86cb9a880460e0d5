/*
 * qemu-tui import NAME [--force] -- qemu-system-ARCH ARGS...
 * qemu-tui import NAME [--force] --from-file FILE
 * A working command line (or the QEMU line of a script, Makefile recipe or a
 * runner's log) becomes a profile, written atomically, validated and printed,
 * with a note for everything that did not map to a field one to one.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "import.h"

static const char usage_text[] =
    "usage: qemu-tui import NAME [--force] -- qemu-system-ARCH ARGS...\n"
    "       qemu-tui import NAME [--force] --from-file FILE\n";

static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct strvec words = STRVEC_INIT, notes = STRVEC_INIT;
	struct json_object *prof = NULL;
	const char *name, *from = NULL, *json;
	char cwd[PATH_MAX], *dir = NULL, *text, *fdir = NULL, *why;
	struct profile *p;
	bool force = false;
	qt_error err;
	int i, rc = 1, qi = -1;
	size_t k;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	name = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			qi = i + 1;
			break;
		} else if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (strcmp(argv[i], "--from-file") == 0 && i + 1 < argc)
			from = argv[++i];
		else {
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if ((from == NULL) == (qi == -1 || qi >= argc)) {
		fputs(usage_text, stderr);
		return 2;
	}
	if ((why = profile_name_problem(name)) != NULL) {
		fprintf(stderr, "qemu-tui: import: %s\n", why);
		free(why);
		return 2;
	}
	if (getcwd(cwd, sizeof cwd) == NULL) {
		fprintf(stderr, "qemu-tui: import: %s\n", strerror(errno));
		return 1;
	}
	if (from != NULL) {
		char *slash;

		if ((text = file_read(from, NULL, &err)) == NULL) {
			fprintf(stderr, "qemu-tui: import: %s\n", err.msg);
			return 1;
		}
		if (import_split_script(text, &words, &notes, &err) == -1) {
			fprintf(stderr, "qemu-tui: import: %s: %s\n", from, err.msg);
			free(text);
			goto out;
		}
		free(text);
		/* The script's own paths are relative to where it lives. */
		fdir = from[0] == '/' ? xstrdup(from) : xasprintf("%s/%s", cwd, from);
		if ((slash = strrchr(fdir, '/')) != NULL)
			*slash = '\0';
	} else {
		for (i = qi; i < argc; i++)
			strvec_push(&words, argv[i]);
	}
	prof = import_argv(name, words.v, (int)words.n, fdir != NULL ? fdir : cwd, &notes, &err);
	if (prof == NULL) {
		fprintf(stderr, "qemu-tui: import: %s\n", err.msg);
		goto out;
	}
	if ((dir = profile_user_dir(ctx->profiles_dir, &err)) == NULL) {
		fprintf(stderr, "qemu-tui: import: %s\n", err.msg);
		goto out;
	}
	/* Written even when it does not load cleanly yet ($VAR, a missing disk): the
	 * user fixes those in the file, and the warning below says which. */
	p = profile_write(dir, name, prof, "imported by qemu-tui import",
	    PROFILE_WRITE_BROKEN | (force ? PROFILE_WRITE_REPLACE : 0), &err);
	if (p == NULL) {
		fprintf(stderr, "qemu-tui: import: %s%s\n", err.msg,
		    force ? "" : " (--force replaces it)");
		goto out;
	}
	json = json_object_to_json_string_ext(prof, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	printf("// imported by qemu-tui import\n%s\n", json);
	for (k = 0; k < notes.n; k++)
		printf("note: %s\n", notes.v[k]);
	if (p->broken != NULL)
		printf("warning: the profile does not validate yet: %s\n", p->broken);
	printf("wrote %s; see it as a command line: qemu-tui cmdline %s\n", p->path, name);
	profile_free(p);
	rc = 0;
out:
	json_object_put(prof);
	strvec_free(&words);
	strvec_free(&notes);
	free(fdir);
	free(dir);
	return rc;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import", .args = "NAME -- qemu-system-ARCH ARGS... | NAME --from-file FILE",
	.min_args = 1, .max_args = -1, .flags = CMD_OWN_ARGS,
	.help = "a profile from a working QEMU command line (or a script's, a Makefile's)",
	.exec = cmd_import_exec
};
