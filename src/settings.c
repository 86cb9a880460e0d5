/* The settings file: theme, key bindings, prefix key, scrollback. */
#include "settings.h"

#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "xdg.h"

static const struct {
	const char *name;
	const char *help;
} actions[ACT_COUNT] = {
	[ACT_NONE] = { "none", "" },
	[ACT_START] = { "start", "start the selected VM" },
	[ACT_STOP] = { "stop", "stop gracefully: powerdown, then quit, SIGTERM, SIGKILL" },
	[ACT_FORCE_STOP] = { "force-stop", "stop at once with QMP quit (asks first)" },
	[ACT_PAUSE] = { "pause", "pause or resume the guest" },
	[ACT_RESET] = { "reset", "hard reset the guest (asks first)" },
	[ACT_EDIT] = { "edit", "edit the profile in $EDITOR, then reload it" },
	[ACT_RELOAD] = { "reload", "reload every profile from disk" },
	[ACT_FILTER] = { "filter", "filter the VM list by name" },
	[ACT_HELP] = { "help", "show this help" },
	[ACT_QUIT] = { "quit", "quit the dashboard; running VMs keep running" },
	[ACT_NEXT_PANE] = { "next-pane", "move focus to the next pane" },
	[ACT_PREV_PANE] = { "prev-pane", "move focus to the previous pane" },
	[ACT_ZOOM] = { "zoom", "zoom the focused pane to the whole screen and back" },
	[ACT_EVENTS] = { "events", "show or hide the QMP event log" },
	[ACT_CONSOLE] = { "console", "open the VM's serial console in a pane (again: focus it)" },
	[ACT_UP] = { "up", "select the previous VM / scroll up" },
	[ACT_DOWN] = { "down", "select the next VM / scroll down" },
	[ACT_TOP] = { "top", "first VM" },
	[ACT_BOTTOM] = { "bottom", "last VM" },
	[ACT_SSH] = { "ssh", "SSH shell into the VM in a pane beside (left|right split)" },
	[ACT_SSH_BELOW] = { "ssh-below", "SSH shell into the VM in a pane below (top/bottom split)" },
	[ACT_CLOSE_PANE] = { "close-pane", "close the focused console or SSH pane" },
	[ACT_LIST] = { "list", "hide or show the VM list (the panes get the whole width)" },
};

static const struct binding default_bindings[] = {
	{ 's', ACT_START }, { 'S', ACT_STOP }, { 'K', ACT_FORCE_STOP },
	{ 'p', ACT_PAUSE }, { 'r', ACT_RESET }, { 'e', ACT_EDIT },
	{ KEY_F(5), ACT_RELOAD }, { 'R', ACT_RELOAD }, { '/', ACT_FILTER },
	{ '?', ACT_HELP }, { KEY_F(1), ACT_HELP }, { 'q', ACT_QUIT },
	{ '\t', ACT_NEXT_PANE }, { KEY_BTAB, ACT_PREV_PANE }, { 'z', ACT_ZOOM },
	{ 'l', ACT_EVENTS }, { 'c', ACT_CONSOLE }, { KEY_UP, ACT_UP }, { 'k', ACT_UP },
	{ KEY_DOWN, ACT_DOWN }, { 'j', ACT_DOWN }, { KEY_HOME, ACT_TOP },
	{ 'g', ACT_TOP }, { KEY_END, ACT_BOTTOM }, { 'G', ACT_BOTTOM },
	{ 'h', ACT_SSH }, { '|', ACT_SSH }, { 'H', ACT_SSH_BELOW }, { '-', ACT_SSH_BELOW },
	{ 'x', ACT_CLOSE_PANE }, { 'b', ACT_LIST },
};

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

const char *
action_name(enum action a)
{
	return a < ACT_COUNT ? actions[a].name : "none";
}

const char *
action_help(enum action a)
{
	return a < ACT_COUNT ? actions[a].help : "";
}

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

void
settings_defaults(struct settings *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->theme, sizeof s->theme, "dark");
	s->prefix = 2;	/* C-b, as tmux */
	s->scrollback = 10000;
	memcpy(s->bindings, default_bindings, sizeof default_bindings);
	s->nbindings = sizeof default_bindings / sizeof default_bindings[0];
}

static void
add_error(struct settings *s, const char *path, int line, const char *fmt, ...)
{
	char msg[400];
	char *old = s->errors;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->errors = xasprintf("%s%s%s:%d: %s", old ? old : "", old ? "\n" : "",
	    path, line, msg);
	free(old);
}

static void
bind_key(struct settings *s, int key, enum action a)
{
	int i;

	for (i = 0; i < s->nbindings; i++) {
		if (s->bindings[i].key == key) {
			s->bindings[i].action = a;
			return;
		}
	}
	if (s->nbindings < SETTINGS_MAX_BINDINGS)
		s->bindings[s->nbindings++] = (struct binding){ key, a };
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
			enum action a;
			int k;

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
			for (a = ACT_NONE; a < ACT_COUNT; a++)
				if (strcmp(actions[a].name, aname) == 0)
					break;
			if (a == ACT_COUNT) {
				add_error(s, path, lineno, "unknown action \"%s\" (see the "
				    "help screen, ?, for the names)", aname);
				continue;
			}
			bind_key(s, k, a);
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL) {
			add_error(s, path, lineno, "expected KEY = VALUE or bind KEY ACTION");
			continue;
		}
		*eq = '\0';
		key = str_trim(line);
		val = str_trim(eq + 1);
		if (strcmp(key, "theme") == 0)
			snprintf(s->theme, sizeof s->theme, "%s", val);
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
		} else
			add_error(s, path, lineno, "unknown setting \"%s\" (theme, prefix, "
			    "scrollback, bind)", key);
	}
	free(copy);
}

void
settings_load(struct settings *s, const char *path)
{
	char *text;

	/* No path (no HOME to find it in) is like a missing file. */
	if (path == NULL || (text = file_read(path, NULL, NULL)) == NULL)
		return;
	settings_parse(s, path, text);
	free(text);
}

void
settings_free(struct settings *s)
{
	free(s->errors);
	s->errors = NULL;
}

char *
settings_path(void)
{
	return xdg_config_path("config");
}

enum action
settings_action(const struct settings *s, int key)
{
	int i;

	for (i = 0; i < s->nbindings; i++)
		if (s->bindings[i].key == key)
			return s->bindings[i].action;
	return ACT_NONE;
}

const char *
settings_key_for(const struct settings *s, enum action a, char *buf, size_t len)
{
	int i;

	for (i = 0; i < s->nbindings; i++)
		if (s->bindings[i].action == a)
			return settings_keyname(s->bindings[i].key, buf, len);
	snprintf(buf, len, "-");
	return buf;
}
