/*
 * Editing a profile's text in place: rename and clone change a few values (the
 * name, drives' files, a MAC) and must lose nothing else -- the long // comments
 * on where a seed came from and how its images are built, blank lines, the
 * author's layout. Each edit finds its value with profile_json.c's scanner (the
 * one behind "file:line:col" messages, which skips comments) on the text as it is
 * now and splices new bytes in; json-c never re-serialises the file.
 */
#include "profile_priv.h"

#include <stdlib.h>
#include <string.h>

struct profile_edit {
	char *s;
	size_t len;
};

struct profile_edit *
profile_edit_new(const char *text, size_t len)
{
	struct profile_edit *e = xcalloc(1, sizeof *e);

	e->s = xmalloc(len + 1);
	memcpy(e->s, text, len);
	e->s[len] = '\0';
	e->len = len;
	return e;
}

void
profile_edit_free(struct profile_edit *e)
{
	if (e == NULL)
		return;
	free(e->s);
	free(e);
}

const char *
profile_edit_text(const struct profile_edit *e, size_t *len)
{
	if (len != NULL)
		*len = e->len;
	return e->s;
}

/* Replace s[at, at + n) by ins. */
static void
splice(struct profile_edit *e, size_t at, size_t n, const char *ins)
{
	size_t m = strlen(ins);
	char *t = xmalloc(e->len - n + m + 1);

	memcpy(t, e->s, at);
	memcpy(t + at, ins, m);
	memcpy(t + at + m, e->s + at + n, e->len - at - n);
	e->len = e->len - n + m;
	t[e->len] = '\0';
	free(e->s);
	e->s = t;
}

void
profile_edit_comment(struct profile_edit *e, const char *line)
{
	char *c = xasprintf("// %s\n", line);

	splice(e, pf_json_bom_len(e->s, e->len), 0, c);
	free(c);
}

/* A JSON string literal for v: quotes, backslashes and control characters escaped,
 * everything else (UTF-8 too) as it is. */
static char *
quote(const char *v)
{
	static const char hex[] = "0123456789abcdef";
	char *q = xmalloc(strlen(v) * 6 + 3), *o = q;
	const unsigned char *p;

	*o++ = '"';
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (*p == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (*p < 0x20) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[*p >> 4];
			o[5] = hex[*p & 15];
			o += 6;
		} else
			*o++ = (char)*p;
	}
	*o++ = '"';
	*o = '\0';
	return q;
}

/* "drives[0].file" into segments (keys are copied into *buf, which the caller frees). */
static int
parse_path(const char *path, char **buf, struct jpath *jp, qt_error *err)
{
	const char *p = path;
	char *o, *end;
	unsigned long idx;
	size_t n;

	jp->n = 0;
	/* Each key and its NUL fit in twice the path. */
	o = *buf = xmalloc(2 * strlen(path) + 2);
	while (*p != '\0') {
		if (jp->n == JP_MAX)
			goto bad;
		if (*p == '[') {
			idx = strtoul(p + 1, &end, 10);
			if (end == p + 1 || *end != ']')
				goto bad;
			jp_idx(jp, idx);
			p = end + 1;
		} else {
			if ((n = strcspn(p, ".[")) == 0)
				goto bad;
			memcpy(o, p, n);
			o[n] = '\0';
			jp_key(jp, o);
			o += n + 1;
			p += n;
		}
		if (*p == '.' && *++p == '\0')
			goto bad;
	}
	if (jp->n > 0 && jp->s[jp->n - 1].key != NULL)
		return 0;
bad:
	err_set(err, "profile edit: \"%s\" is not a path to a key", path);
	free(*buf);
	*buf = NULL;
	return -1;
}

/* The current value at off (to end) already is the string v. */
static bool
says(const struct profile_edit *e, size_t off, size_t end, const char *v)
{
	json_object *o;
	char *t;
	bool same;

	if (e->s[off] != '"' && e->s[off] != '\'')
		return false;
	t = xmalloc(end - off + 1);
	memcpy(t, e->s + off, end - off);
	t[end - off] = '\0';
	o = json_tokener_parse(t);
	same = o != NULL && json_object_is_type(o, json_type_string) &&
	    strcmp(json_object_get_string(o), v) == 0;
	json_object_put(o);
	free(t);
	return same;
}

/* Where the line holding at starts. */
static size_t
line_start(const char *s, size_t at)
{
	while (at > 0 && s[at - 1] != '\n')
		at--;
	return at;
}

/* Past spaces and tabs, and a comment that ends on this line. */
static size_t
rest_of_line(const char *s, size_t len, size_t i)
{
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i + 1 < len && s[i] == '/' && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
			return i;
		}
		if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
			const char *c = strstr(s + i + 2, "*/"), *nl = memchr(s + i, '\n', len - i);

			if (c == NULL || (nl != NULL && nl < c))
				return i;	/* a comment over lines: not this line's */
			i = (size_t)(c - s) + 2;
			continue;
		}
		return i;
	}
}

/*
 * Add "key": value to the object at obj: after its last key, on a line of its own
 * with that key's indentation when the object is written over lines, else on the
 * same line; a trailing comma stays a trailing comma.
 */
static void
insert_key(struct profile_edit *e, size_t obj, const char *key, const char *val)
{
	const char *s = e->s;
	size_t len = e->len, i = obj + 1, k, lastk = (size_t)-1, lastv = 0, at, ls, t;
	char *kq = quote(key), *member = xasprintf("%s: %s", kq, val), *ins, *indent;
	bool comma;

	free(kq);
	for (;;) {
		i = pf_json_skip_space(s, len, i);
		if (i >= len || (s[i] != '"' && s[i] != '\''))
			break;
		k = i;
		i = pf_json_skip_space(s, len, pf_json_skip_string(s, len, i));
		if (i >= len || s[i] != ':')
			break;
		i = pf_json_skip_value(s, len, pf_json_skip_space(s, len, i + 1));
		lastk = k;
		lastv = i;
		i = pf_json_skip_space(s, len, i);
		if (i < len && s[i] == ',')
			i++;
	}
	if (lastk == (size_t)-1) {
		ins = xasprintf(" %s ", member);
		splice(e, obj + 1, 0, ins);
		goto out;
	}
	t = pf_json_skip_space(s, len, lastv);
	comma = t < len && s[t] == ',';
	at = comma ? t + 1 : lastv;
	if (memchr(s + obj, '\n', lastk - obj) == NULL) {
		/* { "a": 1, "b": 2 } */
		ins = comma ? xasprintf(" %s,", member) : xasprintf(", %s", member);
		splice(e, at, 0, ins);
		goto out;
	}
	/* The first key on the last key's line sets the column: its leading white space,
	 * then spaces for a brace before it ("\t\t{ "file": ..."). */
	ls = line_start(s, lastk);
	for (k = ls; k < lastk && (s[k] == ' ' || s[k] == '\t'); k++)
		;
	for (i = k; i < lastk && strchr("{[ \t", s[i]) != NULL; i++)
		;
	indent = xmalloc(i - ls + 1);
	for (t = ls; t < i; t++)
		indent[t - ls] = t < k ? s[t] : ' ';
	indent[i - ls] = '\0';
	t = rest_of_line(s, len, at);
	if (t < len && s[t] == '\r')
		t++;
	/* After the comment that ends the last key's line, not inside it. */
	if (t >= len || s[t] == '\n') {
		if (t > at && s[t - 1] == '\r')
			t--;
		at = t;
	}
	/* A file with CRLF lines gets one more. */
	ins = xasprintf("%s%s%s%s", s[at] == '\r' ? "\r\n" : "\n", indent, member,
	    comma ? "," : "");
	free(indent);
	splice(e, at, 0, ins);
	if (!comma)
		splice(e, lastv, 0, ",");
out:
	free(ins);
	free(member);
}

int
profile_edit_set(struct profile_edit *e, const char *path, const char *value, qt_error *err)
{
	struct jpath jp;
	size_t off, end;
	char *buf, *q;

	if (parse_path(path, &buf, &jp, err) == -1)
		return -1;
	q = quote(value);
	off = pf_json_locate(e->s, e->len, &jp, jp.n, 0);
	if (off != (size_t)-1 && off < e->len) {
		end = pf_json_skip_value(e->s, e->len, off);
		if (!says(e, off, end, value))
			splice(e, off, end - off, q);
	} else {
		off = pf_json_locate(e->s, e->len, &jp, jp.n - 1, 0);
		if (off == (size_t)-1 || off >= e->len || e->s[off] != '{') {
			err_set(err, "profile edit: no object to add %s to", path);
			free(q);
			free(buf);
			return -1;
		}
		insert_key(e, off, jp.s[jp.n - 1].key, q);
	}
	free(q);
	free(buf);
	return 0;
}

int
profile_edit_remove(struct profile_edit *e, const char *path, qt_error *err)
{
	struct jpath jp;
	size_t key, val, end, t, obj, i, k, prev = (size_t)-1, ls;
	char *buf;

	if (parse_path(path, &buf, &jp, err) == -1)
		return -1;
	key = pf_json_locate(e->s, e->len, &jp, jp.n, 1);
	val = pf_json_locate(e->s, e->len, &jp, jp.n, 0);
	obj = pf_json_locate(e->s, e->len, &jp, jp.n - 1, 0);
	free(buf);
	if (key == (size_t)-1 || val == (size_t)-1 || obj == (size_t)-1)
		return 0;
	end = pf_json_skip_value(e->s, e->len, val);
	t = pf_json_skip_space(e->s, e->len, end);
	if (t < e->len && e->s[t] == ',')
		end = t + 1;
	else {
		/* The last key without a trailing comma: the comma before it goes. */
		for (i = obj + 1;;) {
			i = pf_json_skip_space(e->s, e->len, i);
			if (i >= key || (e->s[i] != '"' && e->s[i] != '\''))
				break;
			k = pf_json_skip_space(e->s, e->len, pf_json_skip_string(e->s, e->len, i));
			i = pf_json_skip_value(e->s, e->len,
			    pf_json_skip_space(e->s, e->len, k + 1));
			prev = pf_json_skip_space(e->s, e->len, i);
			if (prev < e->len && e->s[prev] == ',')
				i = prev + 1;
		}
	}
	/* The whole line when the key is all there is on it. */
	ls = line_start(e->s, key);
	for (i = ls; i < key && (e->s[i] == ' ' || e->s[i] == '\t'); i++)
		;
	for (t = end; t < e->len && (e->s[t] == ' ' || e->s[t] == '\t' || e->s[t] == '\r'); t++)
		;
	if (i == key && t < e->len && e->s[t] == '\n')
		splice(e, ls, t + 1 - ls, "");
	else if (prev != (size_t)-1 && prev < key && e->s[prev] == ',' &&
	    strspn(e->s + prev + 1, " \t") == key - prev - 1) {
		/* { "a": 1, "port": 2 }: from the comma before it */
		splice(e, prev, end - prev, "");
		return 0;
	} else
		splice(e, key, end - key, "");
	if (prev != (size_t)-1 && prev < key && e->s[prev] == ',')
		splice(e, prev, 1, "");
	return 0;
}
