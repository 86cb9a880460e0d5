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

/*
 * One field's value alone, as the form types it: the row's own set, value and
 * file checks (the rules a loaded profile meets), on a scratch profile whose
 * relative paths are resolved against dir.
 */
int
profile_check_field(const char *key, const char *value, const char *dir,
    qt_error *err)
{
	const struct table *t = &profile_table;
	const struct field *f = NULL, *sf;
	char *copy = xstrdup(key), *seg, *next, *br, *path, *why = NULL;
	void *base, *scratch = NULL;
	const struct table *scratch_t = NULL;
	struct profile *p;
	const char *s;
	size_t i;
	int rc = -1;

	path = path_join(dir != NULL ? dir : ".", "(new).json");
	p = profile_parse(path, "{}", 2);
	free(path);
	base = p;
	for (seg = copy; seg != NULL; seg = next) {
		if ((next = strchr(seg, '.')) != NULL)
			*next++ = '\0';
		if ((br = strchr(seg, '[')) != NULL)
			*br = '\0';
		if (t == NULL || (f = pf_field_find(t, seg)) == NULL) {
			err_set(err, "unknown key \"%s\" (see `qemu-tui profile-help`)", key);
			goto out;
		}
		if (f->type->elems == NULL) {
			t = NULL;
			continue;
		}
		if (next == NULL || scratch != NULL) {
			err_set(err, "%s is not a single value", key);
			goto out;
		}
		if (f->type->indexed) {
			/* One element of a list of objects, on its own. */
			scratch = xcalloc(1, f->sub->size);
			scratch_t = f->sub;
			pf_table_init(f->sub, scratch);
			base = scratch;
		} else
			base = pf_slot(base, f);
		t = f->sub;
	}
	if (f == NULL || f->type->set == NULL) {
		err_set(err, "%s is not a single value", key);
		goto out;
	}
	if (*value == '\0') {
		if (f->flags & F_REQ)
			err_set(err, "%s: \"%s\" is required", key, f->key);
		else
			rc = 0;
		goto out;
	}
	if ((why = f->type->set(f, base, value, p->dir)) == NULL &&
	    f->type->validate != NULL)
		why = f->type->validate(f, base);
	if (why == NULL && (f->flags & F_EXISTS) && f->type->text &&
	    (s = *(char *const *)pf_slot(base, f)) != NULL)
		why = pf_file_problem(f, base, s);
	if (why != NULL) {
		err_set(err, "%s: %s", key, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	if (scratch != NULL) {
		for (i = 0; i < scratch_t->nfields; i++) {
			sf = &scratch_t->fields[i];
			if (sf->type->release != NULL)
				sf->type->release(sf, scratch);
		}
		free(scratch);
	}
	profile_free(p);
	free(copy);
	return rc;
}
