/*
 * Inside the profile module (profile*.c only): the field schema's row and table
 * types, the ops table behind each field type, positions in the JSON text, and
 * the collector of the first problem.
 *
 *	profile_schema.c	the tables: one row per field, value rules, defaults
 *	profile_types.c		one ops table per field type
 *	profile_json.c		JSON text -> json-c object; line:col for messages
 *	profile_edit.c		in-place edits of a profile's text (rename, clone)
 *	profile.c		load, parse and validate one profile (table walks)
 *	profile_dir.c		the directory search and loading every file
 *	profile_set.c		--set KEY=VALUE
 *	profile_help.c		the field reference (profile-help)
 */
#ifndef QT_PROFILE_PRIV_H
#define QT_PROFILE_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "profile.h"

/* Field flags. */
#define F_PATH	 0x01	/* relative to the profile's directory, ~/ is HOME */
#define F_EXISTS 0x02	/* the file must exist (checked after everything else) */
#define F_BINARY 0x04	/* resolved only when it contains a '/' (else PATH) */
#define F_NOSET	 0x08	/* not settable with --set */
#define F_REQ	 0x10	/* must be given */
#define F_URL	 0x20	/* "nbd://...", "fat:..." are left alone */
#define F_STICKY 0x40	/* checked while parsing: a bad value is not kept */

/* F_EXISTS: what the "does not exist" message suggests. */
enum hint { HINT_FIX, HINT_DISK, HINT_KEY };

struct ftype;
struct table;
struct ctx;
struct jpath;

/* One row of the schema: a key, its type, where it lives, its rules and docs. */
struct field {
	const char *key;
	const struct ftype *type;
	unsigned flags;
	size_t off;
	size_t count_off;		/* lists: the size_t count */
	long long min, max;		/* integer range; string length in bytes */
	const char *const *values;	/* enum, mode: NULL-terminated */
	const struct table *sub;	/* objects, lists of objects */
	const char *def;		/* the default, spelled as in JSON */
	size_t arch_off;		/* default from struct arch_info (0: none) */
	char *(*dyn_def)(const struct profile *);
	char *(*check)(const char *);	/* extra format rule: why not, or NULL */
	enum hint hint;			/* F_EXISTS: how to fix a missing file */
	const char *doc_def;		/* the default as profile-help shows it */
	char *(*doc_fn)(void);		/* ... when it comes from the arch table */
	char *(*doc_type)(void);	/* the type column, when the type's is too vague */
	const char *help;
	const char *keyword;		/* F_PATH: a word kept as written, not a file ("uefi") */
};

/* The fields of one struct. */
struct table {
	const char *name;		/* "", "network", "drives[]" */
	const struct field *fields;
	size_t nfields;
	size_t size;			/* of one element (lists of objects) */
};

/*
 * What a field type does. Containers (object, list of objects) give elems;
 * the table walks in profile.c descend through it, so no op recurses itself.
 */
struct ftype {
	/*
	 * A JSON value (never null) into the slot, reporting bad values with
	 * pf_problem. -1: a JSON type this field does not take (the caller
	 * says what was expected).
	 */
	int (*parse)(struct ctx *c, const struct field *f, void *base,
	    json_object *val, struct jpath *jp);
	/* Types written as text: why s breaks the field's rules, or NULL. */
	char *(*check)(const struct field *f, const char *s);
	/* Why the stored value breaks them, or NULL (after defaults and --set). */
	char *(*validate)(const struct field *f, const void *base);
	/* The default before parsing and after "--set KEY=" (numbers, flags). */
	void (*init)(const struct field *f, void *base);
	/* --set KEY=VALUE, VALUE not empty: why not, or NULL. dir: base of
	 * relative paths. NULL: --set cannot change this type. */
	char *(*set)(const struct field *f, void *base, const char *value,
	    const char *dir);
	/* profile-help's type column: what, or describe when it depends on the row. */
	const char *what;
	char *(*describe)(const struct field *f);
	/* What "expected ..., got ..." expected: expected, or expect(). */
	const char *expected;
	char *(*expect)(const struct field *f);
	/* Free what the slot owns (not the elements) and leave it empty. */
	void (*release)(const struct field *f, void *base);
	/* Containers: the number of elements of f->sub and the first one. */
	size_t (*elems)(const struct field *f, const void *base, char **first);
	bool text;	/* a char * slot: NULL until fill_defaults gives a default */
	bool indexed;	/* elements are named [i] (a list of objects) */
};

extern const struct ftype ft_str, ft_int, ft_bool, ft_enum, ft_mode,
    ft_size, ft_list, ft_obj, ft_objlist;

/* The top-level table (profile_schema.c). */
extern const struct table profile_table;

/* ---- positions (profile_json.c) ---- */

/* A field's place in the document: keys and array indexes. */
struct seg {
	const char *key;	/* NULL: an array index */
	size_t idx;
};

#define JP_MAX 8		/* deeper than the schema goes */

struct jpath {
	struct seg s[JP_MAX];
	int n;
};

void jp_key(struct jpath *jp, const char *key);
void jp_idx(struct jpath *jp, size_t idx);
/* jp set to a.b[idx].d (b, d NULL and idx -1 when absent). */
void jp_at(struct jpath *jp, const char *a, const char *b, long idx,
    const char *d);

/* One load, parse or validation: the first problem found is kept. */
struct ctx {
	struct profile *p;
	const char *src;	/* NULL after --set: no positions */
	size_t len;
	char *first;		/* the problem ->broken reports */
	int nproblems;		/* every problem seen, also after the first */
	int ndisk;		/* ... of them a missing disk nothing makes */
};

/* A problem at a byte offset ((size_t)-1: none), as "path:line:col: msg". */
void pf_problem_at(struct ctx *c, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * A problem with the value at the first n segments of jp, or with its key
 * (at_key: unknown keys), labelled with the field's dotted name.
 */
void pf_problem(struct ctx *c, const struct jpath *jp, int n, int at_key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/*
 * The scanner behind the positions, shared with profile_edit.c: offsets into text
 * json-c has accepted (comments, both quote styles, trailing commas skipped).
 * pf_json_locate: the offset of the value at the first n segments of jp (or of its
 * key, want_key), or (size_t)-1; the last of duplicate keys, as json-c reads them.
 */
size_t pf_json_bom_len(const char *s, size_t len);
size_t pf_json_skip_space(const char *s, size_t len, size_t i);
size_t pf_json_skip_string(const char *s, size_t len, size_t i);
size_t pf_json_skip_value(const char *s, size_t len, size_t i);
size_t pf_json_locate(const char *s, size_t len, const struct jpath *jp, int n,
    int want_key);
/* The text as a JSON object, or NULL after a problem. Put it when done. */
json_object *pf_json_read(struct ctx *c);
/* How a JSON value reads in "got ..." messages. */
char *pf_got_text(json_object *o);

/* ---- type helpers (profile_types.c) ---- */

void *pf_slot(const void *base, const struct field *f);
size_t *pf_count(const void *base, const struct field *f);
const struct field *pf_field_find(const struct table *t, const char *key);
/* How many edits away a "did you mean" for a mistyped key may be. */
size_t pf_key_limit(const char *key);
int pf_enum_index(const char *const *values, const char *s);
/* "a, b, c" */
char *pf_join_values(const char *const *values);
/* A value for a message: quoted, escaped, cut short. */
char *pf_quote(const char *s);
/* "nbd://host/x", "fat:rw:/dir": QEMU protocols, not file names. */
int pf_is_url(const char *s);
/* A value as stored: paths resolved against dir. */
char *pf_resolve(const struct field *f, const char *dir, const char *s);
int pf_has_suffix(const char *s, const char *suffix);
/* The type column of profile-help, and what a message says was expected. */
char *pf_type_text(const struct field *f);
char *pf_expect_text(const struct field *f);

/* ---- table walks (profile.c) ---- */

void pf_table_init(const struct table *t, void *base);
void pf_parse_table(struct ctx *c, const struct table *t, void *base,
    json_object *obj, struct jpath *jp);
void pf_fill_defaults(struct profile *p, const struct table *t, void *base);
void pf_undefault(struct profile *p, const struct table *t, void *base);
/* Why the file s of an F_EXISTS field cannot be used, or NULL (base: its struct). */
char *pf_file_problem(const struct field *f, const void *base, const char *s);

/* ---- rules that involve more than one field (profile_schema.c) ---- */

void pf_check_cross(struct ctx *c);
/* How to fix a missing file of field f (base: its struct). */
char *pf_missing_hint(const struct field *f, const void *base,
    const char *path);
/*
 * A drive's file (at jp) is missing: fine when the drive says how to make it
 * and its source is there; else a problem, counted in c->ndisk.
 */
void pf_drive_missing(struct ctx *c, const struct jpath *jp,
    const struct drive *d);

/* ---- reference (profile_help.c) ---- */

/* "pc (x86_64), virt (aarch64, riscv64)": a per-arch default from arch.c. */
char *pf_arch_default_text(size_t arch_off, const char *prefix);

#endif
