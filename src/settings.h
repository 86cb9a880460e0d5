/* The settings file ($XDG_CONFIG_HOME/qemu-tui/config): theme, keys, prefix, scrollback,
 * image-rate. */
#ifndef QT_SETTINGS_H
#define QT_SETTINGS_H

#include <stdbool.h>
#include <stdio.h>

#include "action.h"

#define SETTINGS_MAX_BINDINGS 128

struct binding {
	int key;		/* a character, or KEY_* code (>= KEY_MIN) */
	int action;		/* index in action.c's table, or ACTION_NONE */
	bool after_prefix;	/* only after the prefix key, in a terminal pane */
};

struct settings {
	char theme[64];
	int prefix;		/* key that gives dashboard keys back inside consoles; default C-b */
	int scrollback;		/* lines per console; default 10000 */
	char image_rate[32];	/* qemu-img convert -r for the dashboard's jobs; "" none */
	struct binding bindings[SETTINGS_MAX_BINDINGS];
	int nbindings;
	char *errors;		/* collected "file:line: ..." messages, NULL when none */
	size_t errors_len, errors_cap;
	int nerrors;		/* all of them; only the first SETTINGS_MAX_ERRORS are kept */
};

#define SETTINGS_MAX_ERRORS 50

/* Defaults, with every action's default keys bound. */
void settings_defaults(struct settings *s);
/* Parse the file over the defaults; a missing file (or path NULL) is fine, one that
 * cannot be read (a directory, no permission, too big) is an error; errors are
 * collected, never fatal. explicit: the user named it (--config): missing is an error too. */
void settings_load(struct settings *s, const char *path, bool explicit);
/* Same from memory (for tests). */
void settings_parse(struct settings *s, const char *path, const char *text);
void settings_free(struct settings *s);
/* The default path ($XDG_CONFIG_HOME or ~/.config); NULL without an absolute HOME. */
char *settings_path(void);

/* The action bound to key (ACTION_NONE when none). After the prefix key, bindings
 * made for that come first. */
int settings_action(const struct settings *s, int key);
int settings_action_prefixed(const struct settings *s, int key);
/* The first key bound to a, as text ("s", "C-b", "Tab", "F5", "C-b Left"), into buf;
 * "-" when none. */
const char *settings_key_for(const struct settings *s, int a, char *buf, size_t len);
/* Every key bound to a, separated by spaces, into buf. */
const char *settings_keys_for(const struct settings *s, int a, char *buf, size_t len);
/* Key names: "a", "C-b", "Tab", "Enter", "Esc", "Up", "F1".."F12", "Space". */
int settings_keyparse(const char *name);
const char *settings_keyname(int key, char *buf, size_t len);

#endif
