/* The settings file ($XDG_CONFIG_HOME/qemu-tui/config): theme, keys, prefix, scrollback. */
#ifndef QT_SETTINGS_H
#define QT_SETTINGS_H

#include <stdio.h>

/* Dashboard actions a key can be bound to. */
enum action {
	ACT_NONE,
	ACT_START, ACT_STOP, ACT_FORCE_STOP, ACT_PAUSE, ACT_RESET,
	ACT_EDIT, ACT_RELOAD, ACT_FILTER, ACT_HELP, ACT_QUIT,
	ACT_NEXT_PANE, ACT_PREV_PANE, ACT_ZOOM, ACT_EVENTS, ACT_CONSOLE,
	ACT_UP, ACT_DOWN, ACT_TOP, ACT_BOTTOM,
	ACT_SSH, ACT_SSH_BELOW, ACT_CLOSE_PANE, ACT_LIST,
	ACT_COUNT
};

#define SETTINGS_MAX_BINDINGS 64

struct binding {
	int key;		/* a character, or KEY_* code (>= KEY_MIN) */
	enum action action;
};

struct settings {
	char theme[64];
	int prefix;		/* key that gives dashboard keys back inside consoles; default C-b */
	int scrollback;		/* lines per console; default 10000 */
	struct binding bindings[SETTINGS_MAX_BINDINGS];
	int nbindings;
	char *errors;		/* collected "file:line: ..." messages, NULL when none */
};

void settings_defaults(struct settings *s);
/* Parse the file over the defaults; a missing file (or path NULL) is fine; errors are collected, never fatal. */
void settings_load(struct settings *s, const char *path);
/* Same from memory (for tests). */
void settings_parse(struct settings *s, const char *path, const char *text);
void settings_free(struct settings *s);
/* The default path ($XDG_CONFIG_HOME or ~/.config); NULL without an absolute HOME. */
char *settings_path(void);

enum action settings_action(const struct settings *s, int key);
const char *action_name(enum action a);
const char *action_help(enum action a);
/* The first key bound to a, as text ("s", "C-b", "Tab", "F5"), into buf. */
const char *settings_key_for(const struct settings *s, enum action a, char *buf,
    size_t len);
/* Key names: "a", "C-b", "M-x"? no: "Tab", "Enter", "Esc", "Up", "F1".."F12", "Space". */
int settings_keyparse(const char *name);
const char *settings_keyname(int key, char *buf, size_t len);

#endif
