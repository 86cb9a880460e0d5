/*
 * Profile field types: one ops table each (parse, check, default, --set,
 * describe, free). A new kind of value is one table here; a new field of an
 * existing kind is a row in profile_schema.c.
 */
#include "profile_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

void *
pf_slot(const void *base, const struct field *f)
{
	return (char *)base + f->off;
}

size_t *
pf_count(const void *base, const struct field *f)
{
	return (size_t *)((char *)base + f->count_off);
}

const struct field *
pf_field_find(const struct table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].key, key) == 0)
			return &t->fields[i];
	return NULL;
}

size_t
pf_key_limit(const char *key)
{
	/* "memroy" is 1 from "memory"; short keys get 1 edit, longer ones 2. */
	return strlen(key) <= 3 ? 1 : 2;
}

int
pf_enum_index(const char *const *values, const char *s)
{
	int i;

	for (i = 0; values[i] != NULL; i++)
		if (strcmp(values[i], s) == 0)
			return i;
	return -1;
}

char *
pf_join_values(const char *const *values)
{
	size_t i, n = 0;
	char *s;

	for (i = 0; values[i] != NULL; i++)
		n += strlen(values[i]) + 2;
	s = xmalloc(n + 1);
	s[0] = '\0';
	for (i = 0; values[i] != NULL; i++) {
		if (i > 0)
			strcat(s, ", ");
		strcat(s, values[i]);
	}
	return s;
}

/* So a value in a message cannot mess up a terminal. */
char *
pf_quote(const char *s)
{
	size_t i, o = 0, max = 48;
	char *out = xmalloc(max * 4 + 8);

	out[o++] = '"';
	for (i = 0; s[i] != '\0' && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f)
			o += (size_t)sprintf(out + o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	if (s[i] != '\0') {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

int
pf_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
pf_is_url(const char *s)
{
	size_t i = 0;

	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.')))
		i++;
	/* Two letters at least, so "c:..." stays a (strange) relative file name. */
	return i >= 2 && s[i] == ':';
}

char *
pf_resolve(const struct field *f, const char *dir, const char *s)
{
	if ((f->flags & F_URL) && pf_is_url(s))
		return xstrdup(s);
	if (f->keyword != NULL && strcmp(s, f->keyword) == 0)
		return xstrdup(s);
	if ((f->flags & F_BINARY) && strchr(s, '/') == NULL)
		return xstrdup(s);
	if (f->flags & (F_PATH | F_BINARY))
		return path_join(dir, s);
	return xstrdup(s);
}

char *
pf_type_text(const struct field *f)
{
	if (f->doc_type != NULL)
		return f->doc_type();
	if (f->type->describe != NULL)
		return f->type->describe(f);
	return xstrdup(f->type->what);
}

char *
pf_expect_text(const struct field *f)
{
	if (f->type->expect != NULL)
		return f->type->expect(f);
	return xstrdup(f->type->expected);
}

static char *
one_of(const struct field *f, const char *sep)
{
	char *vals = pf_join_values(f->values);
	char *s = xasprintf("one of%s %s", sep, vals);

	free(vals);
	return s;
}

/* ---- text: string, enum, size (a char *, NULL until defaulted) ---- */

/*
 * Every string of a profile lands in some other format: a QEMU argv, a
 * ~/.ssh/config block (`ssh-config`), a table on a terminal. A control
 * character (a newline in ssh.user would start a new ssh_config line) or a
 * NUL (which cut "nul\u0000esc" to "nul") has no business in any of them.
 */
static char *
text_plain(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return xstrdup("must not contain a NUL character (\\u0000)");
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return xasprintf("must not contain control characters (0x%02x at "
			    "byte %zu)", (unsigned char)s[i], i);
	return NULL;
}

/* A string from JSON or --set: paths resolved, sticky fields checked at once. */
static void
text_store(struct ctx *c, const struct field *f, void *base, const char *s,
    struct jpath *jp)
{
	char **slot = pf_slot(base, f), *why;

	if ((f->flags & (F_PATH | F_BINARY)) && *s == '\0') {
		pf_problem(c, jp, jp->n, 0, "expected a file name, got an empty "
		    "string");
		return;
	}
	if (f->flags & F_STICKY) {
		if ((why = f->type->check(f, s)) != NULL) {
			pf_problem(c, jp, jp->n, 0, "%s", why);
			free(why);
			return;
		}
	}
	free(*slot);
	*slot = pf_resolve(f, c->p->dir, s);
}

static int
text_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	char *why;

	if (!json_object_is_type(val, json_type_string))
		return -1;
	if ((why = text_plain(json_object_get_string(val),
	    (size_t)json_object_get_string_len(val))) != NULL) {
		pf_problem(c, jp, jp->n, 0, "%s", why);
		free(why);
		return 0;
	}
	text_store(c, f, base, json_object_get_string(val), jp);
	return 0;
}

static char *
text_validate(const struct field *f, const void *base)
{
	const char *s = *(char *const *)pf_slot(base, f);

	return s != NULL ? f->type->check(f, s) : NULL;
}

static char *
text_set(const struct field *f, void *base, const char *value, const char *dir)
{
	char **slot = pf_slot(base, f), *why;

	if ((why = text_plain(value, strlen(value))) != NULL ||
	    (why = f->type->check(f, value)) != NULL)
		return why;
	free(*slot);
	*slot = pf_resolve(f, dir, value);
	return NULL;
}

static void
text_release(const struct field *f, void *base)
{
	char **slot = pf_slot(base, f);

	free(*slot);
	*slot = NULL;
}

static char *
str_check(const struct field *f, const char *s)
{
	size_t n = strlen(s);
	char *q, *why;

	if (f->min > 0 && n == 0)
		return xstrdup("must not be empty");
	if (f->max > 0 && n > (size_t)f->max) {
		q = pf_quote(s);
		why = xasprintf("%s is longer than %lld bytes", q, f->max);
		free(q);
		return why;
	}
	return f->check != NULL ? f->check(s) : NULL;
}

static char *
str_describe(const struct field *f)
{
	if (f->flags & F_BINARY)
		return xstrdup("command or path");
	if ((f->flags & F_PATH) && f->keyword != NULL)
		return xasprintf("path or \"%s\"", f->keyword);
	if (f->flags & F_PATH)
		return xstrdup("path");
	if (f->max > 0)
		return xasprintf("string (up to %lld bytes)", f->max);
	return xstrdup("string");
}

const struct ftype ft_str = {
	.parse = text_parse, .check = str_check, .validate = text_validate,
	.set = text_set, .describe = str_describe, .expected = "a string",
	.release = text_release, .text = true,
};

static char *
enum_check(const struct field *f, const char *s)
{
	char *q, *vals, *why;

	if (pf_enum_index(f->values, s) >= 0)
		return NULL;
	q = pf_quote(s);
	vals = pf_join_values(f->values);
	why = xasprintf("%s is not one of %s", q, vals);
	free(vals);
	free(q);
	return why;
}

static char *
enum_describe(const struct field *f)
{
	return one_of(f, ":");
}

static char *
enum_expect(const struct field *f)
{
	return one_of(f, "");
}

const struct ftype ft_enum = {
	.parse = text_parse, .check = enum_check, .validate = text_validate,
	.set = text_set, .describe = enum_describe, .expect = enum_expect,
	.release = text_release, .text = true,
};

/* "512M", "8G": kept as written, for -m. */
static char *
size_check(const struct field *f, const char *s)
{
	unsigned long long v = 0, limit;
	const char *p = s;
	char *q, *why;
	int shift = 20;	/* plain numbers are MiB, as for -m */

	(void)f;
	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (ULLONG_MAX - 9) / 10)
			goto big;
		v = v * 10 + (unsigned long long)(*p - '0');
	}
	switch (*p) {
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': case 'm': shift = 20; p++; break;
	case 'G': case 'g': shift = 30; p++; break;
	case 'T': case 't': shift = 40; p++; break;
	}
	if (*p != '\0')
		goto bad;
	if (v == 0)
		return xstrdup("must be more than 0");
	limit = (1ULL << 62) >> shift;
	if (v > limit)
		goto big;
	return NULL;
bad:
	q = pf_quote(s);
	why = xasprintf("%s is not a size like 512M or 8G (a whole number with "
	    "an optional K, M, G or T; no suffix means MiB)", q);
	free(q);
	return why;
big:
	q = pf_quote(s);
	why = xasprintf("%s is too large", q);
	free(q);
	return why;
}

static int
size_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	char *s;

	/* A bare number is MiB, as for -m. */
	if (!json_object_is_type(val, json_type_int))
		return text_parse(c, f, base, val, jp);
	s = xasprintf("%lld", (long long)json_object_get_int64(val));
	text_store(c, f, base, s, jp);
	free(s);
	return 0;
}

const struct ftype ft_size = {
	.parse = size_parse, .check = size_check, .validate = text_validate,
	.set = text_set, .release = text_release, .text = true,
	.what = "size (512M, 8G)", .expected = "a size like 512M or 8G",
};

/* ---- int: min..max ---- */

static char *
int_expect(const struct field *f)
{
	return xasprintf("a whole number %lld..%lld", f->min, f->max);
}

static int
int_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	int64_t v;
	char *exp;

	if (!json_object_is_type(val, json_type_int))
		return -1;
	v = json_object_get_int64(val);
	if (v < INT_MIN || v > INT_MAX) {
		exp = int_expect(f);
		/* json-c saturates what it cannot hold: do not show its INT64_MAX. */
		pf_problem(c, jp, jp->n, 0, "expected %s, got %s", exp,
		    v == INT64_MAX || v == INT64_MIN ? "a number too large to read" :
		    json_object_get_string(val));
		free(exp);
		return 0;
	}
	/* In int but out of range: validation says so with the field's range. */
	*(int *)pf_slot(base, f) = (int)v;
	return 0;
}

static char *
int_validate(const struct field *f, const void *base)
{
	int v = *(const int *)pf_slot(base, f);

	if (v >= f->min && v <= f->max)
		return NULL;
	return xasprintf("expected a whole number %lld..%lld, got %d", f->min,
	    f->max, v);
}

static void
int_init(const struct field *f, void *base)
{
	*(int *)pf_slot(base, f) = f->def != NULL ? atoi(f->def) : 0;
}

static char *
int_set(const struct field *f, void *base, const char *value, const char *dir)
{
	long long v;
	char *end, *q, *why;

	(void)dir;
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*end != '\0' || errno != 0 || v < f->min || v > f->max) {
		q = pf_quote(value);
		why = xasprintf("expected a whole number %lld..%lld, got %s",
		    f->min, f->max, q);
		free(q);
		return why;
	}
	*(int *)pf_slot(base, f) = (int)v;
	return NULL;
}

static char *
int_describe(const struct field *f)
{
	return xasprintf("integer %lld..%lld", f->min, f->max);
}

const struct ftype ft_int = {
	.parse = int_parse, .validate = int_validate, .init = int_init,
	.set = int_set, .describe = int_describe, .expect = int_expect,
};

/* ---- bool ---- */

static int
bool_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	(void)c;
	(void)jp;
	if (!json_object_is_type(val, json_type_boolean))
		return -1;
	*(bool *)pf_slot(base, f) = json_object_get_boolean(val);
	return 0;
}

static void
bool_init(const struct field *f, void *base)
{
	*(bool *)pf_slot(base, f) = f->def != NULL && strcmp(f->def, "true") == 0;
}

static char *
bool_set(const struct field *f, void *base, const char *value, const char *dir)
{
	static const char *const yes[] = { "true", "yes", "on", "1", NULL };
	static const char *const no[] = { "false", "no", "off", "0", NULL };
	char *q, *why;

	char low[8];
	size_t i;

	(void)dir;
	/* YES, On, TRUE: a user's spelling, not a different value. */
	for (i = 0; i < sizeof low - 1 && value[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)value[i]);
	low[i] = '\0';
	if (value[i] == '\0' && pf_enum_index(yes, low) >= 0)
		*(bool *)pf_slot(base, f) = true;
	else if (value[i] == '\0' && pf_enum_index(no, low) >= 0)
		*(bool *)pf_slot(base, f) = false;
	else {
		q = pf_quote(value);
		why = xasprintf("expected true or false (yes/no, on/off, 1/0), "
		    "got %s", q);
		free(q);
		return why;
	}
	return NULL;
}

const struct ftype ft_bool = {
	.parse = bool_parse, .init = bool_init, .set = bool_set,
	.what = "true/false", .expected = "true or false",
};

/* ---- mode: an enum net_mode, the index into values[] ---- */

static int
mode_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	char *why;
	int i;

	if (!json_object_is_type(val, json_type_string))
		return -1;
	if ((i = pf_enum_index(f->values, json_object_get_string(val))) < 0) {
		why = enum_check(f, json_object_get_string(val));
		pf_problem(c, jp, jp->n, 0, "%s", why);
		free(why);
		return 0;
	}
	*(enum net_mode *)pf_slot(base, f) = (enum net_mode)i;
	return 0;
}

static void
mode_init(const struct field *f, void *base)
{
	*(enum net_mode *)pf_slot(base, f) =
	    (enum net_mode)pf_enum_index(f->values, f->def);
}

static char *
mode_set(const struct field *f, void *base, const char *value, const char *dir)
{
	char *why;

	(void)dir;
	if ((why = enum_check(f, value)) != NULL)
		return why;
	*(enum net_mode *)pf_slot(base, f) =
	    (enum net_mode)pf_enum_index(f->values, value);
	return NULL;
}

const struct ftype ft_mode = {
	.parse = mode_parse, .check = enum_check, .init = mode_init,
	.set = mode_set, .describe = enum_describe, .expect = enum_expect,
};

/* ---- list: char ** and a size_t count ---- */

static int
list_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	size_t i, k = 0, n;
	json_object *e;
	char **list, *got;

	if (!json_object_is_type(val, json_type_array))
		return -1;
	n = json_object_array_length(val);
	list = xcalloc(n + 1, sizeof *list);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(val, i);
		if (json_object_is_type(e, json_type_string)) {
			char *why = text_plain(json_object_get_string(e),
			    (size_t)json_object_get_string_len(e));

			if (why == NULL) {
				list[k++] = xstrdup(json_object_get_string(e));
				continue;
			}
			jp_idx(jp, i);
			pf_problem(c, jp, jp->n, 0, "%s", why);
			free(why);
			jp->n--;
			continue;
		}
		jp_idx(jp, i);
		got = pf_got_text(e);
		pf_problem(c, jp, jp->n, 0, "expected a string, got %s", got);
		free(got);
		jp->n--;
	}
	*(char ***)pf_slot(base, f) = list;
	*pf_count(base, f) = k;
	return 0;
}

static void
list_release(const struct field *f, void *base)
{
	char **list = *(char ***)pf_slot(base, f);
	size_t j, n = *pf_count(base, f);

	for (j = 0; j < n; j++)
		free(list[j]);
	free(list);
	*(char ***)pf_slot(base, f) = NULL;
	*pf_count(base, f) = 0;
}

const struct ftype ft_list = {
	.parse = list_parse, .release = list_release,
	.what = "list of strings", .expected = "a list of strings",
};

/* ---- object: a nested struct described by sub ---- */

static int
obj_parse(struct ctx *c, const struct field *f, void *base, json_object *val,
    struct jpath *jp)
{
	if (!json_object_is_type(val, json_type_object))
		return -1;
	pf_parse_table(c, f->sub, pf_slot(base, f), val, jp);
	return 0;
}

static size_t
obj_elems(const struct field *f, const void *base, char **first)
{
	*first = pf_slot(base, f);
	return 1;
}

const struct ftype ft_obj = {
	.parse = obj_parse, .elems = obj_elems,
	.what = "object", .expected = "an object { ... }",
};

/* ---- list of objects: an array of structs described by sub, and a count ---- */

static int
objlist_parse(struct ctx *c, const struct field *f, void *base,
    json_object *val, struct jpath *jp)
{
	size_t i, n;
	json_object *e;
	char *arr, *elem, *got;

	if (!json_object_is_type(val, json_type_array))
		return -1;
	n = json_object_array_length(val);
	arr = xcalloc(n, f->sub->size);
	for (i = 0; i < n; i++) {
		elem = arr + i * f->sub->size;
		pf_table_init(f->sub, elem);
		e = json_object_array_get_idx(val, i);
		jp_idx(jp, i);
		if (json_object_is_type(e, json_type_object))
			pf_parse_table(c, f->sub, elem, e, jp);
		else {
			got = pf_got_text(e);
			pf_problem(c, jp, jp->n, 0, "expected an object { ... }, "
			    "got %s", got);
			free(got);
		}
		jp->n--;
	}
	*(char **)pf_slot(base, f) = arr;
	*pf_count(base, f) = n;
	return 0;
}

static size_t
objlist_elems(const struct field *f, const void *base, char **first)
{
	*first = *(char **)pf_slot(base, f);
	return *pf_count(base, f);
}

static void
objlist_release(const struct field *f, void *base)
{
	free(*(char **)pf_slot(base, f));
	*(char **)pf_slot(base, f) = NULL;
	*pf_count(base, f) = 0;
}

const struct ftype ft_objlist = {
	.parse = objlist_parse, .release = objlist_release,
	.elems = objlist_elems, .indexed = true,
	.what = "list of objects", .expected = "a list of objects",
};
