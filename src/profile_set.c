/* --set KEY=VALUE: a start-time change to one field of a loaded profile. */
#include "profile_priv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The field a dotted key names (ssh.port) and the struct it lives in. */
static const struct field *
set_lookup(const char *key, void *root, void **basep, const char **why)
{
	const struct table *t = &profile_table;
	const struct field *f = NULL;
	char *copy = xstrdup(key), *seg, *next, *br;
	void *base = root;

	*why = NULL;
	for (seg = copy; seg != NULL; seg = next) {
		if ((next = strchr(seg, '.')) != NULL)
			*next++ = '\0';
		if ((br = strchr(seg, '[')) != NULL)
			*br = '\0';
		if (t == NULL || (f = pf_field_find(t, seg)) == NULL) {
			f = NULL;
			break;
		}
		if (f->type->elems != NULL && !f->type->indexed) {
			/* An object: its fields are set one by one. */
			if (next == NULL) {
				*why = "is an object: set its fields one by one "
				    "(e.g. network.mode=user)";
				break;
			}
			base = pf_slot(base, f);
			t = f->sub;
		} else if (f->type->set == NULL) {
			*why = "is a list: edit the profile to change it (--set "
			    "takes single values)";
			break;
		} else {
			if (next != NULL || br != NULL)
				f = NULL;
			t = NULL;
		}
	}
	free(copy);
	if (f != NULL && *why == NULL && (f->flags & F_NOSET))
		*why = "cannot be changed with --set (it names the VM's run "
		    "directory)";
	*basep = base;
	return f;
}

/* Every settable dotted name, for suggestions; *found owns the best. */
static void
suggest_set(const struct table *t, const char *prefix, struct suggest *sg,
    char **found)
{
	const struct field *f;
	const char *last;
	char *full, *pre;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (f->flags & F_NOSET)
			continue;
		full = xasprintf("%s%s", prefix, f->key);
		if (f->type->elems != NULL && !f->type->indexed) {
			pre = xasprintf("%s.", full);
			suggest_set(f->sub, pre, sg, found);
			free(pre);
			free(full);
			continue;
		}
		if (f->type->set == NULL) {
			free(full);
			continue;
		}
		/* "port" finds ssh.port: compare with the last part too. */
		last = strrchr(sg->word, '.') == NULL ? f->key : full;
		if (suggest_try(sg, full) ||
		    (last != full && suggest_try(sg, last))) {
			free(*found);
			*found = full;
		} else
			free(full);
	}
}

static int
set_value(const struct field *f, void *base, const char *key,
    const char *value, qt_error *err)
{
	char *why, *cwd;

	if (*value == '\0') {
		/* key= : back to the default. */
		if (f->type->release != NULL)
			f->type->release(f, base);
		if (f->type->init != NULL)
			f->type->init(f, base);
		return 0;
	}
	/* A path on the command line is relative to where it was typed. */
	cwd = getcwd(NULL, 0);
	why = f->type->set(f, base, value, cwd);
	free(cwd);
	if (why == NULL)
		return 0;
	err_set(err, "%s: %s", key, why);
	free(why);
	return -1;
}

int
profile_set(struct profile *p, const char *assignment, qt_error *err)
{
	const char *eq = strchr(assignment, '='), *why;
	const struct field *f;
	char *key, *found = NULL;
	struct suggest sg;
	void *base;
	int rc = -1;

	if (eq == NULL || eq == assignment) {
		err_set(err, "expected KEY=VALUE (e.g. memory=2G), got \"%s\"",
		    assignment);
		return -1;
	}
	key = xstrndup(assignment, (size_t)(eq - assignment));
	f = set_lookup(key, p, &base, &why);
	if (f == NULL && why == NULL) {
		suggest_init(&sg, key, pf_key_limit(key));
		suggest_set(&profile_table, "", &sg, &found);
		if (found != NULL)
			err_set(err, "unknown key \"%s\" (did you mean \"%s\"?)",
			    key, found);
		else
			err_set(err, "unknown key \"%s\" (see `qemu-tui "
			    "profile-help`)", key);
		free(found);
		goto out;
	}
	if (why != NULL) {
		err_set(err, "%s %s", key, why);
		goto out;
	}
	/*
	 * Values that only held a derived default follow the change; when the
	 * value is refused, pf_fill_defaults() puts back exactly what was there.
	 */
	pf_undefault(p, &profile_table, p);
	if (set_value(f, base, key, eq + 1, err) == -1) {
		pf_fill_defaults(p, &profile_table, p);
		goto out;
	}
	profile_validate(p, NULL);
	rc = 0;
out:
	free(key);
	return rc;
}
