/*
 * Profile JSON with positions: json-c parses the text (comments and trailing
 * commas allowed) but keeps no positions, so a message about a value finds the
 * value again in the text and says "file:line:col: field: ...".
 */
#include "profile_priv.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Our schema is four levels deep (network.forwards[0].host_port); anything
 * much deeper is a mistake, and a small limit keeps json-c's recursion cheap.
 */
#define PARSE_DEPTH 16

/* ---- paths ---- */

void
jp_key(struct jpath *jp, const char *key)
{
	if (jp->n >= JP_MAX)
		fatal("profile path too deep");
	jp->s[jp->n].key = key;
	jp->s[jp->n].idx = 0;
	jp->n++;
}

void
jp_idx(struct jpath *jp, size_t idx)
{
	if (jp->n >= JP_MAX)
		fatal("profile path too deep");
	jp->s[jp->n].key = NULL;
	jp->s[jp->n].idx = idx;
	jp->n++;
}

void
jp_at(struct jpath *jp, const char *a, const char *b, long idx, const char *d)
{
	jp->n = 0;
	jp_key(jp, a);
	if (b != NULL)
		jp_key(jp, b);
	if (idx >= 0)
		jp_idx(jp, (size_t)idx);
	if (d != NULL)
		jp_key(jp, d);
}

/* "network.forwards[0].host_port" */
static char *
jp_name(const struct jpath *jp, int n)
{
	char *s = xstrdup(""), *t;
	int i;

	for (i = 0; i < n; i++) {
		if (jp->s[i].key == NULL)
			t = xasprintf("%s[%zu]", s, jp->s[i].idx);
		else
			t = xasprintf("%s%s%s", s, i > 0 ? "." : "", jp->s[i].key);
		free(s);
		s = t;
	}
	return s;
}

/* ---- finding a value in the text ---- */

/*
 * The text already parsed, so this scanner only needs to skip what json-c's
 * non-strict mode accepts: comments, both quote styles, trailing commas.
 */

size_t
pf_json_bom_len(const char *s, size_t len)
{
	return len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

size_t
pf_json_skip_space(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			i++;
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			i += 2;
			while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			i = i + 2 < len ? i + 2 : len;
		} else
			break;
	}
	return i;
}

size_t
pf_json_skip_string(const char *s, size_t len, size_t i)
{
	char q = s[i++];

	while (i < len && s[i] != q) {
		if (s[i] == '\\')
			i++;
		i++;
	}
	return i < len ? i + 1 : len;
}

size_t
pf_json_skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0;

	if (i >= len)
		return len;
	if (s[i] == '"' || s[i] == '\'')
		return pf_json_skip_string(s, len, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < len && strchr(",]} \t\r\n/", s[i]) == NULL)
			i++;
		return i;
	}
	while (i < len) {
		i = pf_json_skip_space(s, len, i);
		if (i >= len)
			break;
		if (s[i] == '"' || s[i] == '\'') {
			i = pf_json_skip_string(s, len, i);
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

/* Does the quoted key at s[i] spell key? (Escaped keys never match: no position then.) */
static int
key_is(const char *s, size_t len, size_t i, size_t end, const char *key)
{
	size_t n = strlen(key);

	return end - i == n + 2 && i + n + 1 < len &&
	    memcmp(s + i + 1, key, n) == 0 && memchr(s + i + 1, '\\', n) == NULL;
}

/*
 * Offset of the value at the first n segments of jp (or of its key), or
 * (size_t)-1. The last of duplicate keys wins, as in json-c.
 */
size_t
pf_json_locate(const char *s, size_t len, const struct jpath *jp, int n, int want_key)
{
	size_t i = pf_json_skip_space(s, len, pf_json_bom_len(s, len)), keyat = (size_t)-1;
	size_t val, k, end;
	int d;

	for (d = 0; d < n; d++) {
		if (jp->s[d].key != NULL) {
			if (i >= len || s[i] != '{')
				return (size_t)-1;
			val = (size_t)-1;
			i++;
			for (;;) {
				i = pf_json_skip_space(s, len, i);
				if (i >= len || (s[i] != '"' && s[i] != '\''))
					break;
				end = pf_json_skip_string(s, len, i);
				k = i;
				i = pf_json_skip_space(s, len, end);
				if (i >= len || s[i] != ':')
					return (size_t)-1;
				i = pf_json_skip_space(s, len, i + 1);
				if (key_is(s, len, k, end, jp->s[d].key)) {
					keyat = k;
					val = i;
				}
				i = pf_json_skip_space(s, len, pf_json_skip_value(s, len, i));
				if (i < len && s[i] == ',')
					i++;
			}
			if (val == (size_t)-1)
				return (size_t)-1;
			i = val;
		} else {
			if (i >= len || s[i] != '[')
				return (size_t)-1;
			i++;
			for (k = 0;; k++) {
				i = pf_json_skip_space(s, len, i);
				if (i >= len || s[i] == ']')
					return (size_t)-1;
				if (k == jp->s[d].idx)
					break;
				i = pf_json_skip_space(s, len, pf_json_skip_value(s, len, i));
				if (i < len && s[i] == ',')
					i++;
			}
			keyat = i;
		}
	}
	return want_key && n > 0 ? keyat : i;
}

/* ---- the first problem ---- */

static char *
where(const struct ctx *c, size_t off)
{
	int line = 1, col = 1;
	size_t i;

	if (c->src == NULL || off == (size_t)-1)
		return xasprintf("%s: ", c->p->path);
	for (i = pf_json_bom_len(c->src, c->len); i < off && i < c->len; i++) {
		if (c->src[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)c->src[i] & 0xc0) != 0x80)
			col++;	/* characters, not bytes, as editors count */
	}
	return xasprintf("%s:%d:%d: ", c->p->path, line, col);
}

void
pf_problem_at(struct ctx *c, size_t off, const char *fmt, ...)
{
	va_list ap;
	char *w, *msg;

	if (c->first != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	w = where(c, off);
	c->first = xasprintf("%s%s", w, msg);
	free(w);
	free(msg);
}

void
pf_problem(struct ctx *c, const struct jpath *jp, int n, int at_key,
    const char *fmt, ...)
{
	size_t off = (size_t)-1;
	char *w, *label, *msg;
	va_list ap;
	int m;

	c->nproblems++;
	if (c->first != NULL)
		return;
	if (c->src != NULL) {
		off = pf_json_locate(c->src, c->len, jp, n, at_key);
		/* A missing key: point at the nearest thing that is there. */
		for (m = n - 1; off == (size_t)-1 && m >= 0; m--)
			off = pf_json_locate(c->src, c->len, jp, m, 0);
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	w = where(c, off);
	label = jp_name(jp, at_key ? n - 1 : n);
	c->first = xasprintf("%s%s%s%s", w, label, *label ? ": " : "", msg);
	free(label);
	free(w);
	free(msg);
}

char *
pf_got_text(json_object *o)
{
	char *q, *s;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return xstrdup("null");
	case json_type_boolean:
		return xstrdup(json_object_get_boolean(o) ? "true" : "false");
	case json_type_int:
	case json_type_double:
		return xstrdup(json_object_get_string(o));
	case json_type_string:
		q = pf_quote(json_object_get_string(o));
		s = xasprintf("a string (%s)", q);
		free(q);
		return s;
	case json_type_object:
		return xstrdup("an object");
	case json_type_array:
		return xstrdup("a list");
	}
	return xstrdup("something else");
}

/* ---- reading ---- */

json_object *
pf_json_read(struct ctx *c)
{
	const char *s = c->src;
	size_t len = c->len, start = pf_json_bom_len(s, len), end;
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	const char *nul;
	json_object *obj;
	char *got;

	if ((nul = memchr(s, '\0', len)) != NULL) {
		pf_problem_at(c, (size_t)(nul - s), "a NUL byte: this is not a "
		    "text file");
		return NULL;
	}
	if (len - start > INT_MAX) {
		pf_problem_at(c, (size_t)-1, "too large for a profile");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(PARSE_DEPTH)) == NULL)
		fatal("out of memory");
	obj = json_tokener_parse_ex(tok, s + start, (int)(len - start));
	jerr = json_tokener_get_error(tok);
	end = start + json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (obj == NULL && (jerr == json_tokener_success || jerr == json_tokener_continue) &&
	    len - pf_json_skip_space(s, len, start) >= 4 &&
	    strncmp(s + pf_json_skip_space(s, len, start), "null", 4) == 0) {
		/* JSON's null is json-c's NULL object: not an unclosed brace. */
		pf_problem_at(c, pf_json_skip_space(s, len, start), "the top level must be an "
		    "object { ... }, got null");
		return NULL;
	}
	if (obj == NULL) {
		if (jerr == json_tokener_error_depth)
			pf_problem_at(c, end, "%s (a profile nests at most %d "
			    "levels)", json_tokener_error_desc(jerr), PARSE_DEPTH);
		else if (jerr != json_tokener_continue)
			pf_problem_at(c, end, "%s", json_tokener_error_desc(jerr));
		else if (pf_json_skip_space(s, len, start) == len)
			pf_problem_at(c, (size_t)-1, "empty: expected a JSON object "
			    "{ ... }");
		else
			pf_problem_at(c, len, "unexpected end of file (a { [ or "
			    "\" is not closed)");
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		got = pf_got_text(obj);
		pf_problem_at(c, pf_json_skip_space(s, len, start), "the top level must "
		    "be an object { ... }, got %s", got);
		free(got);
		json_object_put(obj);
		return NULL;
	}
	/* Reported, but the object is still read: its own problems come after. */
	if ((end = pf_json_skip_space(s, len, end)) < len)
		pf_problem_at(c, end, "unexpected text after the closing }");
	return obj;
}
