/* The profile field reference (`qemu-tui profile-help`), printed from the schema. */
#include "profile_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"

char *
pf_arch_default_text(size_t arch_off, const char *prefix)
{
	char *names = xstrdup(arch_names()), *tok, *save = NULL, *out;
	const char *vals[16], *archs[16][16];
	size_t nv = 0, na[16] = { 0 }, i, j;
	const struct arch_info *ai;
	const char *v;

	for (tok = strtok_r(names, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((ai = arch_find(tok)) == NULL)
			continue;
		v = *(const char *const *)((const char *)ai + arch_off);
		for (i = 0; i < nv && strcmp(vals[i], v) != 0; i++)
			;
		if (i == nv) {
			if (nv == 16)
				continue;
			vals[nv++] = v;
		}
		if (na[i] < 16)
			archs[i][na[i]++] = ai->name;
	}
	out = xstrdup("");
	for (i = 0; i < nv; i++) {
		char *t = xasprintf("%s%s%s%s (", out, i > 0 ? ", " : "",
		    prefix, vals[i]);

		free(out);
		out = t;
		for (j = 0; j < na[i]; j++) {
			t = xasprintf("%s%s%s", out, j > 0 ? ", " : "",
			    archs[i][j]);
			free(out);
			out = t;
		}
		t = xasprintf("%s)", out);
		free(out);
		out = t;
	}
	/* strtok_r pointers point into names: free it only after the last use. */
	free(names);
	return out;
}

static char *
default_text(const struct field *f)
{
	if (f->flags & F_REQ)
		return xstrdup("required");
	if (f->doc_fn != NULL)
		return f->doc_fn();
	if (f->doc_def != NULL)
		return xstrdup(f->doc_def);
	if (f->arch_off != 0)
		return pf_arch_default_text(f->arch_off, "");
	if (f->def != NULL)
		return xstrdup(f->def);
	return xstrdup("unset");
}

typedef void (*help_emit)(void *arg, const char *field, const char *type,
    const char *def, const char *help);

static void
help_rows(const struct table *t, const char *prefix, help_emit emit, void *arg)
{
	const struct field *f;
	char *name, *type, *def, *pre;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		name = xasprintf("%s%s%s", prefix, f->key,
		    f->type->indexed ? "[]" : "");
		type = pf_type_text(f);
		def = default_text(f);
		emit(arg, name, type, def, f->help);
		if (f->type->elems != NULL) {
			pre = xasprintf("%s.", name);
			help_rows(f->sub, pre, emit, arg);
			free(pre);
		}
		free(def);
		free(type);
		free(name);
	}
}

/* Indented and wrapped at word boundaries to fit 80 columns. */
static void
help_wrap(FILE *out, const char *text)
{
	const char *p = text, *brk;
	size_t width = 74, n;

	while (*p != '\0') {
		n = strlen(p);
		if (n > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				;
			n = brk > p ? (size_t)(brk - p) : width;
		}
		fprintf(out, "      %.*s\n", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void
help_emit_text(void *arg, const char *field, const char *type,
    const char *def, const char *help)
{
	FILE *out = arg;
	char *d = xasprintf("Default: %s.", def);

	if (strlen(type) <= 48)
		fprintf(out, "%-30s %s\n", field, type);
	else {
		fprintf(out, "%s\n", field);
		help_wrap(out, type);
	}
	help_wrap(out, help);
	help_wrap(out, d);
	free(d);
}

void
profile_help(FILE *out)
{
	fputs("A profile is one JSON file per VM; comments (// and /* */) and "
	    "trailing commas\n"
	    "are allowed. Relative paths are relative to the profile's "
	    "directory, ~/ is\n"
	    "your home directory, and null means the default. Start-time "
	    "overrides:\n"
	    "--set KEY=VALUE for any field that is not a list (an empty VALUE "
	    "restores\n"
	    "the default; booleans take true/false, yes/no, on/off, 1/0).\n\n",
	    out);
	help_rows(&profile_table, "", help_emit_text, out);
}
