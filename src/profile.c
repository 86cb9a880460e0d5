/*
 * One profile: load a file, parse it against the schema, fill in defaults and
 * validate, keeping the first problem with its position. The walks over the
 * schema's tables live here; what each field type does is in profile_types.c,
 * the fields themselves in profile_schema.c.
 */
#include "profile_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"

/* ---- walks over a table ---- */

/* The elements of a container field (f->sub), none for a value. */
static size_t
elems_of(const struct field *f, const void *base, char **first)
{
	*first = NULL;
	return f->type->elems != NULL ? f->type->elems(f, base, first) : 0;
}

/* Numbers and flags get their defaults before parsing: 0 can be a real value. */
void
pf_table_init(const struct table *t, void *base)
{
	const struct field *f;
	size_t i, j, n;
	char *elem;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (f->type->init != NULL)
			f->type->init(f, base);
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++)
			pf_table_init(f->sub, elem + j * f->sub->size);
	}
}

static void
table_free(const struct table *t, void *base)
{
	const struct field *f;
	size_t i, j, n;
	char *elem;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++)
			table_free(f->sub, elem + j * f->sub->size);
		if (f->type->release != NULL)
			f->type->release(f, base);
	}
}

/* A text field's default: computed, from the arch table, or written in the row. */
static char *
default_value(const struct profile *p, const struct field *f)
{
	const struct arch_info *ai;

	if (f->dyn_def != NULL)
		return f->dyn_def(p);
	if (f->arch_off != 0) {
		if ((ai = arch_find(p->arch)) == NULL)
			return NULL;
		return xstrdup(*(const char *const *)((const char *)ai +
		    f->arch_off));
	}
	if (f->def != NULL)
		return xstrdup(f->def);
	return NULL;
}

/* Text gets its defaults after parsing: some depend on others (arch, kernel). Table order matters. */
void
pf_fill_defaults(struct profile *p, const struct table *t, void *base)
{
	const struct field *f;
	size_t i, j, n;
	char **s, *elem;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		if (f->type->text) {
			s = pf_slot(base, f);
			if (*s == NULL)
				*s = default_value(p, f);
		}
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++)
			pf_fill_defaults(p, f->sub, elem + j * f->sub->size);
	}
}

/*
 * Before a --set: forget values that only hold a derived default, so they
 * follow the change (arch=aarch64 turns machine "pc" into "virt"). Walked
 * backwards so arch is still there while the fields that depend on it look.
 */
void
pf_undefault(struct profile *p, const struct table *t, void *base)
{
	const struct field *f;
	char **s, *d, *elem;
	size_t i, j, n;

	for (i = t->nfields; i-- > 0;) {
		f = &t->fields[i];
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++)
			pf_undefault(p, f->sub, elem + j * f->sub->size);
		if (!f->type->text || (f->arch_off == 0 && f->dyn_def == NULL))
			continue;
		s = pf_slot(base, f);
		if (*s == NULL)
			continue;
		d = default_value(p, f);
		if (d != NULL && strcmp(d, *s) == 0) {
			free(*s);
			*s = NULL;
		}
		free(d);
	}
}

/* ---- parsing ---- */

static void
parse_field(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	char *exp, *got;

	if (json_object_is_type(val, json_type_null))
		return;		/* null: the default */
	if (f->type->parse(c, f, base, val, jp) == 0)
		return;
	exp = pf_expect_text(f);
	got = pf_got_text(val);
	pf_problem(c, jp, jp->n, 0, "expected %s, got %s", exp, got);
	free(exp);
	free(got);
}

static char *
key_list(const struct table *t)
{
	const char **keys = xcalloc(t->nfields + 1, sizeof *keys);
	char *s;
	size_t i;

	for (i = 0; i < t->nfields; i++)
		keys[i] = t->fields[i].key;
	s = pf_join_values((const char *const *)keys);
	free(keys);
	return s;
}

static void
unknown_key(struct ctx *c, const struct table *t, const char *key,
    const struct jpath *jp)
{
	char *q = pf_quote(key), *keys;
	struct suggest sg;
	size_t i;

	suggest_init(&sg, key, pf_key_limit(key));
	for (i = 0; i < t->nfields; i++)
		suggest_try(&sg, t->fields[i].key);
	if (sg.best != NULL)
		pf_problem(c, jp, jp->n, 1, "unknown key %s (did you mean "
		    "\"%s\"?)", q, sg.best);
	else if (t == &profile_table)
		pf_problem(c, jp, jp->n, 1, "unknown key %s (see `qemu-tui "
		    "profile-help`)", q);
	else {
		keys = key_list(t);
		pf_problem(c, jp, jp->n, 1, "unknown key %s (known: %s)", q,
		    keys);
		free(keys);
	}
	free(q);
}

void
pf_parse_table(struct ctx *c, const struct table *t, void *base,
    json_object *obj, struct jpath *jp)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator end = json_object_iter_end(obj);
	const struct field *f;
	const char *key;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		jp_key(jp, key);
		if ((f = pf_field_find(t, key)) == NULL)
			unknown_key(c, t, key, jp);
		else
			parse_field(c, f, base, json_object_iter_peek_value(&it),
			    jp);
		jp->n--;
	}
	/* Only here is "missing" told apart from a 0 that was written. */
	for (f = t->fields; f < t->fields + t->nfields; f++)
		if ((f->flags & F_REQ) && !json_object_object_get_ex(obj, f->key,
		    NULL))
			pf_problem(c, jp, jp->n, 0, "\"%s\" is required", f->key);
}

static void
parse_text(struct ctx *c)
{
	struct jpath jp = { .n = 0 };
	json_object *obj;

	if ((obj = pf_json_read(c)) == NULL)
		return;
	pf_parse_table(c, &profile_table, c->p, obj, &jp);
	json_object_put(obj);
}

/* ---- validation ---- */

static void
check_values(struct ctx *c, const struct table *t, const void *base,
    struct jpath *jp)
{
	const struct field *f;
	char *why, *elem;
	size_t i, j, n;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		jp_key(jp, f->key);
		if (f->type->text && *(char *const *)pf_slot(base, f) == NULL) {
			if (f->flags & F_REQ)
				pf_problem(c, jp, jp->n - 1, 0,
				    "\"%s\" is required", f->key);
		} else if (f->type->validate != NULL &&
		    (why = f->type->validate(f, base)) != NULL) {
			pf_problem(c, jp, jp->n, 0, "%s", why);
			free(why);
		}
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++) {
			if (f->type->indexed)
				jp_idx(jp, j);
			check_values(c, f->sub, elem + j * f->sub->size, jp);
			if (f->type->indexed)
				jp->n--;
		}
		jp->n--;
	}
}

/* Why the file s of an F_EXISTS field cannot be used, or NULL (base: its struct). */
char *
pf_file_problem(const struct field *f, const void *base, const char *s)
{
	struct stat st;
	char *hint, *why;

	if ((f->flags & F_URL) && pf_is_url(s))
		return NULL;
	if (f->keyword != NULL && strcmp(s, f->keyword) == 0)
		return NULL;	/* a word the field takes instead of a file ("uefi") */
	if (stat(s, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return xasprintf("%s is a directory, not a file", s);
		if (access(s, R_OK) == -1)
			return xasprintf("%s is not readable: %s", s, strerror(errno));
		return NULL;
	}
	if (errno == ENOENT || errno == ENOTDIR) {
		hint = pf_missing_hint(f, base, s);
		why = xasprintf("%s does not exist (%s)", s, hint);
		free(hint);
		return why;
	}
	return xasprintf("%s: %s", s, strerror(errno));
}

/* Last: a missing disk still leaves a profile whose command line can be shown. */
static void
check_files(struct ctx *c, const struct table *t, const void *base,
    struct jpath *jp)
{
	const struct field *f;
	const char *s;
	char *elem, *why;
	size_t i, j, n;

	for (i = 0; i < t->nfields; i++) {
		f = &t->fields[i];
		jp_key(jp, f->key);
		n = elems_of(f, base, &elem);
		for (j = 0; j < n; j++) {
			if (f->type->indexed)
				jp_idx(jp, j);
			check_files(c, f->sub, elem + j * f->sub->size, jp);
			if (f->type->indexed)
				jp->n--;
		}
		if ((f->flags & F_EXISTS) &&
		    (s = *(char *const *)pf_slot(base, f)) != NULL &&
		    (why = pf_file_problem(f, base, s)) != NULL) {
			pf_problem(c, jp, jp->n, 0, "%s", why);
			free(why);
		}
		jp->n--;
	}
}

static void
validate(struct ctx *c)
{
	struct jpath jp = { .n = 0 };

	check_values(c, &profile_table, c->p, &jp);
	pf_check_cross(c);
	check_files(c, &profile_table, c->p, &jp);
}

/* ---- loading ---- */

/* The profile's directory, absolute: QEMU runs from / (-daemonize). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d, *cwd, *abs;

	if (slash == NULL)
		d = xstrdup("");
	else if (slash == path)
		return xstrdup("/");
	else
		d = xstrndup(path, (size_t)(slash - path));
	/* A canonical directory keeps "dir/../x" out of command lines and messages. */
	if ((abs = realpath(d[0] ? d : ".", NULL)) != NULL) {
		free(d);
		return abs;
	}
	if (d[0] == '/' || (cwd = getcwd(NULL, 0)) == NULL)
		return d;
	if (d[0] == '\0' || strcmp(d, ".") == 0)
		abs = xstrdup(cwd);
	else
		abs = path_join(cwd, strncmp(d, "./", 2) == 0 ? d + 2 : d);
	free(cwd);
	free(d);
	return abs;
}

static struct profile *
profile_new(const char *path)
{
	struct profile *p = xcalloc(1, sizeof *p);

	p->path = xstrdup(path != NULL ? path : "(profile)");
	p->dir = dir_of(p->path);
	pf_table_init(&profile_table, p);
	return p;
}

struct profile *
profile_parse(const char *path, const char *text, size_t len)
{
	struct profile *p = profile_new(path);
	struct ctx c = { .p = p, .src = text, .len = len };

	parse_text(&c);
	/* What parsing found stays, whatever --set changes later. */
	if (c.first != NULL)
		p->load_error = xstrdup(c.first);
	pf_fill_defaults(p, &profile_table, p);
	validate(&c);
	p->broken = c.first;
	return p;
}

struct profile *
profile_load(const char *path)
{
	struct profile *p;
	qt_error err;
	size_t len;
	char *text;

	if ((text = file_read(path, &len, &err)) == NULL) {
		p = profile_new(path);
		pf_fill_defaults(p, &profile_table, p);
		p->broken = xasprintf("%s", err.msg);
		p->load_error = xstrdup(p->broken);
		return p;
	}
	p = profile_parse(path, text, len);
	free(text);
	return p;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	table_free(&profile_table, p);
	free(p->path);
	free(p->dir);
	free(p->broken);
	free(p->load_error);
	free(p);
}

int
profile_validate(struct profile *p, qt_error *err)
{
	struct ctx c = { .p = p };

	pf_fill_defaults(p, &profile_table, p);
	validate(&c);
	free(p->broken);
	if (p->load_error != NULL) {
		p->broken = xstrdup(p->load_error);
		free(c.first);
	} else
		p->broken = c.first;
	if (p->broken == NULL)
		return 0;
	err_set(err, "%s", p->broken);
	return -1;
}
