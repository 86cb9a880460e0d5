/* The settings file: theme, key bindings, prefix key, scrollback. */
#include "settings.h"

#include <errno.h>
#include <sys/stat.h>

#include <ctype.h>
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image.h"
#include "util.h"
#include "xdg.h"

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{ "Tab", '\t' }, { "BTab", KEY_BTAB }, { "Enter", '\r' }, { "Esc", 27 },
	{ "Space", ' ' }, { "Up", KEY_UP }, { "Down", KEY_DOWN },
	{ "Left", KEY_LEFT }, { "Right", KEY_RIGHT }, { "Home", KEY_HOME },
	{ "End", KEY_END }, { "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE },
	{ "Del", KEY_DC }, { "Ins", KEY_IC }, { "BSpace", KEY_BACKSPACE },
};

int
settings_keyparse(const char *name)
{
	size_t i;
	char *end;
	long n;

	for (i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
		if (strcasecmp(named_keys[i].name, name) == 0)
			return named_keys[i].key;
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' &&
	    name[2] != '\0' && name[3] == '\0' && isalpha((unsigned char)name[2]))
		return tolower((unsigned char)name[2]) - 'a' + 1;
	if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
		n = strtol(name + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 12)
			return KEY_F((int)n);
	}
	if (name[0] != '\0' && name[1] == '\0' && isgraph((unsigned char)name[0]))
		return (unsigned char)name[0];
	return -1;
}

const char *
settings_keyname(int key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
		if (named_keys[i].key == key) {
			snprintf(buf, len, "%s", named_keys[i].name);
			return buf;
		}
	}
	if (key >= 1 && key <= 26)
		snprintf(buf, len, "C-%c", 'a' + key - 1);
	else if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, len, "F%d", key - KEY_F(0));
	else if (key > 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "#%d", key);
	return buf;
}

/* false when the table is full (a rebinding of a bound key always fits). */
static bool
bind_key(struct settings *s, int key, int a, bool after_prefix)
{
	int i;

	for (i = 0; i < s->nbindings; i++) {
		if (s->bindings[i].key == key &&
		    s->bindings[i].after_prefix == after_prefix) {
			s->bindings[i].action = a;
			return true;
		}
	}
	if (s->nbindings >= SETTINGS_MAX_BINDINGS)
		return false;
	s->bindings[s->nbindings++] = (struct binding){ key, a, after_prefix };
	return true;
}

void
settings_defaults(struct settings *s)
{
	char names[64], *name, *save = NULL;
	int a, k;

	memset(s, 0, sizeof *s);
	snprintf(s->theme, sizeof s->theme, "dark");
	s->prefix = 2;	/* C-b, as tmux */
	s->scrollback = 10000;
	for (a = 0; a < action_count(); a++) {
		snprintf(names, sizeof names, "%s", action_keys(a));
		for (name = strtok_r(names, " ", &save); name != NULL;
		    name = strtok_r(NULL, " ", &save))
			if ((k = settings_keyparse(name)) != -1)
				bind_key(s, k, a, action_after_prefix(a));
	}
}

/* Appended in place: a file full of bad lines costs linear time, and only the
 * first SETTINGS_MAX_ERRORS are kept (the count says how many more). */
static void
add_error(struct settings *s, const char *path, int line, const char *fmt, ...)
{
	char msg[400], entry[1200];
	va_list ap;
	int n;

	if (s->nerrors++ >= SETTINGS_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		n = snprintf(entry, sizeof entry, "%s%s:%d: %s", s->errors ? "\n" : "", path,
		    line, msg);
	else
		n = snprintf(entry, sizeof entry, "%s%s: %s", s->errors ? "\n" : "", path, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof entry)
		n = sizeof entry - 1;
	if (s->errors_len + (size_t)n + 1 > s->errors_cap) {
		s->errors_cap = (s->errors_len + (size_t)n + 1) * 2;
		s->errors = xrealloc(s->errors, s->errors_cap);
	}
	memcpy(s->errors + s->errors_len, entry, (size_t)n + 1);
	s->errors_len += (size_t)n;
}

/* After a parse: say how many errors were not kept. */
static void
errors_close(struct settings *s, const char *path)
{
	int more = s->nerrors - SETTINGS_MAX_ERRORS;

	if (more > 0) {
		s->nerrors = SETTINGS_MAX_ERRORS - 1;	/* room for one more line */
		add_error(s, path, 0, "... and %d more errors", more);
		s->nerrors = SETTINGS_MAX_ERRORS + more;
	}
}

void
settings_parse(struct settings *s, const char *path, const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL, *eq, *key, *val;
	int lineno = 0;

	/* strtok_r skips empty lines, so count them by hand. */
	for (line = copy; line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		if (strchr(line, '#') != NULL)
			*strchr(line, '#') = '\0';
		line = str_trim(line);
		if (*line == '\0')
			continue;
		if (strncmp(line, "bind ", 5) == 0) {
			char kname[32], aname[32];
			int a, k;

			if (sscanf(line + 5, "%31s %31s", kname, aname) != 2) {
				add_error(s, path, lineno, "bind needs a key and an action "
				    "(bind s start)");
				continue;
			}
			if ((k = settings_keyparse(kname)) == -1) {
				add_error(s, path, lineno, "unknown key \"%s\" (a character, "
				    "C-x, F1..F12, Tab, Enter, Up, Down, PgUp, ...)", kname);
				continue;
			}
			a = action_find(aname);
			if (a == ACTION_NONE && strcmp(aname, "none") != 0) {
				add_error(s, path, lineno, "unknown action \"%s\" (see the "
				    "help screen, ?, for the names)", aname);
				continue;
			}
			if (!bind_key(s, k, a, false))
				add_error(s, path, lineno, "too many bindings (at most %d keys): "
				    "this one is not bound", SETTINGS_MAX_BINDINGS);
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			add_error(s, path, lineno, "expected KEY = VALUE or bind KEY ACTION");
			continue;
		}
		*eq = '\0';
		key = str_trim(line);
		val = str_trim(eq + 1);
		if (strcmp(key, "theme") == 0) {
			if (strlen(val) >= sizeof s->theme)
				add_error(s, path, lineno, "theme: a name or path of more than "
				    "%zu bytes (keep the theme in ~/.config/qemu-tui/themes and "
				    "name it)", sizeof s->theme - 1);
			else
				snprintf(s->theme, sizeof s->theme, "%s", val);
		}
		else if (strcmp(key, "prefix") == 0) {
			int k = settings_keyparse(val);

			if (k == -1)
				add_error(s, path, lineno, "prefix: unknown key \"%s\" "
				    "(for example C-b or C-a)", val);
			else
				s->prefix = k;
		} else if (strcmp(key, "scrollback") == 0) {
			char *end;
			long n = strtol(val, &end, 10);

			if (*end != '\0' || n < 100 || n > 1000000)
				add_error(s, path, lineno, "scrollback: \"%s\" is not a number "
				    "of lines from 100 to 1000000", val);
			else
				s->scrollback = (int)n;
		} else if (strcmp(key, "image-rate") == 0) {
			uint64_t bytes;

			if (strlen(val) >= sizeof s->image_rate ||
			    image_parse_size(val, &bytes) == -1 || bytes == 0)
				add_error(s, path, lineno, "image-rate: \"%s\" is not bytes a "
				    "second (like 50M, or 0 for no cap: leave the line out)", val);
			else
				snprintf(s->image_rate, sizeof s->image_rate, "%s", val);
		} else
			add_error(s, path, lineno, "unknown setting \"%s\" (theme, prefix, "
			    "scrollback, image-rate, bind)", key);
	}
	free(copy);
	errors_close(s, path);
}

void
settings_load(struct settings *s, const char *path, bool explicit)
{
	struct stat st;
	qt_error err;
	size_t len, i;
	char *text;
	int line = 1;

	/* No path (no HOME to find it in) is like a missing file. */
	if (path == NULL || (!explicit && stat(path, &st) == -1 && errno == ENOENT))
		return;
	if ((text = file_read(path, &len, &err)) == NULL) {
		add_error(s, path, 0, "%s (the defaults are used)", err.msg);
		return;
	}
	/* A NUL would end the text early: it comments out the rest of its line. */
	for (i = 0; i < len; i++) {
		if (text[i] == '\n')
			line++;
		else if (text[i] == '\0') {
			add_error(s, path, line, "a NUL byte: the rest of this line is ignored");
			text[i] = '#';
		}
	}
	settings_parse(s, path, text);
	free(text);
}

void
settings_free(struct settings *s)
{
	free(s->errors);
	s->errors = NULL;
	s->errors_len = s->errors_cap = 0;
	s->nerrors = 0;
}

char *
settings_path(void)
{
	return xdg_config_path("config");
}

int
settings_action(const struct settings *s, int key)
{
	int i;

	for (i = 0; i < s->nbindings; i++)
		if (s->bindings[i].key == key && !s->bindings[i].after_prefix)
			return s->bindings[i].action;
	return ACTION_NONE;
}

int
settings_action_prefixed(const struct settings *s, int key)
{
	int i;

	for (i = 0; i < s->nbindings; i++)
		if (s->bindings[i].key == key && s->bindings[i].after_prefix)
			return s->bindings[i].action;
	return settings_action(s, key);
}

/* One binding's name: the key, after the prefix's name when it needs the prefix. */
static void
binding_name(const struct settings *s, const struct binding *b, char *buf,
    size_t len)
{
	char pfx[16], key[16];

	settings_keyname(b->key, key, sizeof key);
	if (b->after_prefix)
		snprintf(buf, len, "%s %s", settings_keyname(s->prefix, pfx,
		    sizeof pfx), key);
	else
		snprintf(buf, len, "%s", key);
}

const char *
settings_key_for(const struct settings *s, int a, char *buf, size_t len)
{
	int i;

	for (i = 0; i < s->nbindings; i++) {
		if (s->bindings[i].action == a) {
			binding_name(s, &s->bindings[i], buf, len);
			return buf;
		}
	}
	snprintf(buf, len, "-");
	return buf;
}

const char *
settings_keys_for(const struct settings *s, int a, char *buf, size_t len)
{
	size_t off = 0;
	char one[40];
	int i;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < s->nbindings && off < len; i++) {
		if (s->bindings[i].action != a)
			continue;
		binding_name(s, &s->bindings[i], one, sizeof one);
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", one);
	}
	if (off == 0)
		snprintf(buf, len, "-");
	return buf;
}
