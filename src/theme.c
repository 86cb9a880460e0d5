/* Semantic colour themes: parser, inheritance, colour mapping, colour pairs. */
#include "theme.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "palette.h"
#include "xdg.h"

#ifndef QT_THEMES_DIR
#define QT_THEMES_DIR "/usr/local/share/qemu-tui/themes"
#endif

/* Which parts of a style a line gave; the rest is inherited. */
#define GIVEN_FG	0x1u
#define GIVEN_BG	0x2u
#define GIVEN_ATTRS	0x4u

struct theme {
	struct theme_style style[THEME_NELEMENTS];
	attr_t attr[THEME_NELEMENTS];
	int pair[THEME_NELEMENTS];
	char **errors;
	size_t nerrors;
};

static const char *const element_names[THEME_NELEMENTS] = {
	[THEME_DEFAULT] = "default",
	[THEME_BORDER] = "border",
	[THEME_BORDER_FOCUS] = "border.focus",
	[THEME_TITLE] = "title",
	[THEME_TITLE_FOCUS] = "title.focus",
	[THEME_LIST_NORMAL] = "list.normal",
	[THEME_LIST_SELECTED] = "list.selected",
	[THEME_LIST_SELECTED_UNFOCUSED] = "list.selected.unfocused",
	[THEME_STATE_RUNNING] = "state.running",
	[THEME_STATE_PAUSED] = "state.paused",
	[THEME_STATE_STOPPED] = "state.stopped",
	[THEME_STATE_STARTING] = "state.starting",
	[THEME_STATE_SHUTTING_DOWN] = "state.shutting_down",
	[THEME_STATE_CRASHED] = "state.crashed",
	[THEME_STATE_BROKEN] = "state.broken",
	[THEME_STATUS_INFO] = "status.info",
	[THEME_STATUS_ERROR] = "status.error",
	[THEME_KEYBAR] = "keybar",
	[THEME_KEYBAR_KEY] = "keybar.key",
	[THEME_HELP] = "help",
	[THEME_DIALOG] = "dialog",
	[THEME_DIALOG_BUTTON] = "dialog.button",
	[THEME_DETAILS_LABEL] = "details.label",
	[THEME_DETAILS_VALUE] = "details.value",
	[THEME_SPARKLINE] = "sparkline",
	[THEME_EVENT_TIME] = "event.time",
	[THEME_EVENT_NAME] = "event.name",
	[THEME_FILTER] = "filter",
};

static const char *const color_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const char *const bright_names[8] = {
	"bright-black", "bright-red", "bright-green", "bright-yellow",
	"bright-blue", "bright-magenta", "bright-cyan", "bright-white",
};

static const struct {
	const char *name;
	unsigned bit;
} attr_names[] = {
	{ "bold", THEME_BOLD },
	{ "dim", THEME_DIM },
	{ "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE },
	{ "italic", THEME_ITALIC },
	{ "blink", THEME_BLINK },
	{ "standout", THEME_STANDOUT },
	{ "none", 0 },
};
#define NATTRS (sizeof attr_names / sizeof attr_names[0])

/* The mono theme (themes/mono.theme, which a test keeps equal): works anywhere. */
static const char builtin_text[] =
    "default = none\n"
    "border.focus = bold\n"
    "title.focus = bold\n"
    "list.selected = reverse bold\n"
    "list.selected.unfocused = reverse\n"
    "state.running = bold\n"
    "state.stopped = dim\n"
    "state.crashed = bold underline\n"
    "state.broken = underline\n"
    "status.error = bold underline\n"
    "keybar = reverse\n"
    "keybar.key = reverse bold\n"
    "dialog.button = reverse\n"
    "details.label = bold\n"
    "event.name = bold\n"
    "filter = underline\n";

/* ---- names ---- */

const char *
theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_NELEMENTS)
		return NULL;
	return element_names[e];
}

int
theme_element_find(const char *name)
{
	int i;

	for (i = 0; i < THEME_NELEMENTS; i++)
		if (strcmp(element_names[i], name) == 0)
			return i;
	return -1;
}

int
theme_element_parent(enum theme_element e)
{
	const char *name = theme_element_name(e), *dot;
	char buf[64];
	int p;

	if (name == NULL || e == THEME_DEFAULT)
		return -1;
	if ((dot = strrchr(name, '.')) != NULL &&
	    (size_t)(dot - name) < sizeof buf) {
		memcpy(buf, name, (size_t)(dot - name));
		buf[dot - name] = '\0';
		if ((p = theme_element_find(buf)) != -1)
			return p;
	}
	return THEME_DEFAULT;
}

/* How many edits a "did you mean" may be away: more for longer words. */
static size_t
name_limit(const char *word)
{
	return 1 + strlen(word) / 4;
}

/* ---- colours ---- */

static int
parse_index(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 255)
		return -1;
	return (int)v;
}

int
theme_color_parse(const char *s, struct theme_color *out)
{
	int i, v;
	unsigned long rgb;
	char *end;

	if (strcasecmp(s, "default") == 0) {
		out->kind = THEME_COLOR_DEFAULT;
		out->value = 0;
		return 0;
	}
	if (s[0] == '#') {
		if (strlen(s) != 7)
			return -1;
		for (i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)s[i]))
				return -1;
		rgb = strtoul(s + 1, &end, 16);
		out->kind = THEME_COLOR_RGB;
		out->value = (uint32_t)rgb;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcasecmp(s, color_names[i]) == 0)
			v = i;
		else if (strcasecmp(s, bright_names[i]) == 0)
			v = i + 8;
		else
			continue;
		out->kind = THEME_COLOR_INDEX;
		out->value = (uint32_t)v;
		return 0;
	}
	if (strncasecmp(s, "colour", 6) == 0)
		v = parse_index(s + 6);
	else if (strncasecmp(s, "color", 5) == 0)
		v = parse_index(s + 5);
	else
		v = parse_index(s);
	if (v == -1)
		return -1;
	out->kind = THEME_COLOR_INDEX;
	out->value = (uint32_t)v;
	return 0;
}

struct theme_caps
theme_caps_detect(int colors, const char *colorterm, const char *no_color)
{
	struct theme_caps caps;

	caps.colors = colors > 0 ? colors : 0;
	caps.direct = colors >= 1 << 24 || (colorterm != NULL &&
	    (strcasecmp(colorterm, "truecolor") == 0 ||
	    strcasecmp(colorterm, "24bit") == 0));
	caps.no_color = no_color != NULL && *no_color != '\0';
	return caps;
}

struct theme_mapped
theme_color_map(struct theme_color c, const struct theme_caps *caps, bool bg)
{
	struct theme_mapped m = { -1, false, false };
	uint32_t rgb;
	int i;

	if (caps->no_color || caps->colors < 8 || c.kind == THEME_COLOR_DEFAULT)
		return m;
	if (c.kind == THEME_COLOR_INDEX && c.value > 255)
		return m;
	rgb = c.kind == THEME_COLOR_RGB ? c.value & 0xffffff :
	    palette_rgb((int)c.value);

	if (caps->direct) {
		/* The first 8 numbers are the palette: low RGB values are nudged. */
		if (c.kind == THEME_COLOR_INDEX && c.value < 8) {
			m.color = (int)c.value;
			return m;
		}
		m.color = (int)(rgb < 16 ? 16 : rgb);
		m.rgb = true;
		return m;
	}
	if (caps->colors >= 256) {
		if (c.kind == THEME_COLOR_INDEX)
			m.color = (int)c.value;
		else
			m.color = palette_nearest(rgb, 256);
		return m;
	}
	if (caps->colors >= 88) {
		if (c.kind == THEME_COLOR_INDEX && c.value < 16)
			m.color = (int)c.value;
		else
			m.color = palette_nearest(rgb, 88);
		return m;
	}
	if (c.kind == THEME_COLOR_INDEX && c.value < 16)
		i = (int)c.value;
	else
		i = palette_nearest(rgb, caps->colors >= 16 || !bg ? 16 : 8);
	if (caps->colors < 16 && i >= 8) {
		/* 8 colours: the bright half is the normal colour in bold. */
		i -= 8;
		m.bold = !bg;
	}
	m.color = i;
	return m;
}

/* ---- parsing ---- */

static void
add_error(struct theme *t, const char *source, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_error(struct theme *t, const char *source, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	t->errors = xreallocarray(t->errors, t->nerrors + 1, sizeof *t->errors);
	t->errors[t->nerrors++] = xasprintf("%s:%d: %s", source, line, msg);
	free(msg);
}

/* A word that should have been a colour: suggest one, or say what they look like. */
static void
bad_color(struct theme *t, const char *source, int line, const char *word)
{
	struct suggest s;
	int i;

	suggest_init(&s, word, name_limit(word));
	for (i = 0; i < 8; i++) {
		suggest_try(&s, color_names[i]);
		suggest_try(&s, bright_names[i]);
	}
	suggest_try(&s, "default");
	if (s.best != NULL)
		add_error(t, source, line, "bad colour \"%s\" (did you mean "
		    "\"%s\"?)", word, s.best);
	else
		add_error(t, source, line, "bad colour \"%s\" (use default, a "
		    "colour name, bright-NAME, colorN, 0-255 or #rrggbb)", word);
}

static int
parse_attr(const char *s, unsigned *bit)
{
	size_t i;

	for (i = 0; i < NATTRS; i++)
		if (strcasecmp(s, attr_names[i].name) == 0) {
			*bit = attr_names[i].bit;
			return 0;
		}
	return -1;
}

/* A word that is neither colour nor attribute. */
static void
bad_word(struct theme *t, const char *source, int line, const char *word)
{
	struct suggest sa, sc;
	size_t i;

	suggest_init(&sa, word, name_limit(word));
	suggest_init(&sc, word, name_limit(word));
	if (word[0] == '#' || isdigit((unsigned char)word[0]) ||
	    strncasecmp(word, "color", 5) == 0 ||
	    strncasecmp(word, "colour", 6) == 0 ||
	    strncasecmp(word, "bright", 6) == 0) {
		bad_color(t, source, line, word);
		return;
	}
	for (i = 0; i < NATTRS; i++)
		suggest_try(&sa, attr_names[i].name);
	for (i = 0; i < 8; i++)
		suggest_try(&sc, color_names[i]);
	suggest_try(&sc, "default");
	if (sa.best != NULL && (sc.best == NULL || sa.dist <= sc.dist))
		add_error(t, source, line, "unknown attribute \"%s\" (did you "
		    "mean \"%s\"?)", word, sa.best);
	else if (sc.best != NULL)
		add_error(t, source, line, "unknown colour \"%s\" (did you mean "
		    "\"%s\"?)", word, sc.best);
	else
		add_error(t, source, line, "unknown colour or attribute \"%s\" "
		    "(colours: default, black..white, bright-NAME, colorN, "
		    "#rrggbb; attributes: bold dim underline reverse italic "
		    "blink standout none)", word);
}

/* One "ELEMENT = STYLE" line; a line with any error changes nothing. */
static void
parse_line(struct theme *t, struct theme_style *spec, unsigned *given,
    char *s, const char *source, int line)
{
	struct theme_style st;
	unsigned got = 0, bit;
	struct theme_color c;
	char *eq, *name, *word, *save = NULL;
	int e;
	size_t i;

	s = str_trim(s);
	if (*s == '\0' || *s == '#')
		return;
	if ((eq = strchr(s, '=')) == NULL) {
		add_error(t, source, line, "expected ELEMENT = STYLE, not \"%s\"", s);
		return;
	}
	*eq = '\0';
	name = str_trim(s);
	if ((e = theme_element_find(name)) == -1) {
		struct suggest sg;

		suggest_init(&sg, name, name_limit(name));
		for (i = 0; i < THEME_NELEMENTS; i++)
			suggest_try(&sg, element_names[i]);
		if (sg.best != NULL)
			add_error(t, source, line, "unknown element \"%s\" (did you "
			    "mean \"%s\"?)", name, sg.best);
		else
			add_error(t, source, line, "unknown element \"%s\"", name);
		return;
	}

	memset(&st, 0, sizeof st);
	for (word = strtok_r(eq + 1, " \t\r", &save); word != NULL;
	    word = strtok_r(NULL, " \t\r", &save)) {
		if (strcmp(word, "#") == 0)
			break;	/* trailing comment */
		if (strcasecmp(word, "on") == 0) {
			if ((word = strtok_r(NULL, " \t\r", &save)) == NULL ||
			    strcmp(word, "#") == 0) {
				add_error(t, source, line, "expected a background "
				    "colour after \"on\"");
				return;
			}
			if (theme_color_parse(word, &c) == -1) {
				bad_color(t, source, line, word);
				return;
			}
			if (got & GIVEN_BG) {
				add_error(t, source, line, "two background colours");
				return;
			}
			st.bg = c;
			got |= GIVEN_BG;
		} else if (parse_attr(word, &bit) == 0) {
			st.attrs |= bit;
			got |= GIVEN_ATTRS;
		} else if (theme_color_parse(word, &c) == 0) {
			if (got & GIVEN_FG) {
				add_error(t, source, line, "two foreground colours "
				    "(\"%s\": use \"FG on BG\" for a background)",
				    word);
				return;
			}
			st.fg = c;
			got |= GIVEN_FG;
		} else {
			bad_word(t, source, line, word);
			return;
		}
	}
	if (got == 0) {
		add_error(t, source, line, "no colour or attribute for \"%s\"",
		    name);
		return;
	}
	/* A later line for the same element adds to (and overrides) an earlier one. */
	if (got & GIVEN_FG)
		spec[e].fg = st.fg;
	if (got & GIVEN_BG)
		spec[e].bg = st.bg;
	if (got & GIVEN_ATTRS)
		spec[e].attrs = st.attrs;
	given[e] |= got;
}

static attr_t
curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_DIM)
		r |= A_DIM;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_ITALIC)
		r |= A_ITALIC;
	if (a & THEME_BLINK)
		r |= A_BLINK;
	if (a & THEME_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

struct theme *
theme_parse(const char *text, const char *source)
{
	struct theme *t = xcalloc(1, sizeof *t);
	struct theme_style spec[THEME_NELEMENTS];
	unsigned given[THEME_NELEMENTS];
	const char *p = text, *nl;
	char *buf;
	int line = 0, e, parent;

	memset(spec, 0, sizeof spec);
	memset(given, 0, sizeof given);
	if (source == NULL)
		source = "theme";
	while (p != NULL && *p != '\0') {
		line++;
		nl = strchr(p, '\n');
		buf = nl != NULL ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		parse_line(t, spec, given, buf, source, line);
		free(buf);
		p = nl != NULL ? nl + 1 : NULL;
	}

	/* Parents precede children in the enum, so one pass resolves. */
	for (e = 0; e < THEME_NELEMENTS; e++) {
		parent = theme_element_parent((enum theme_element)e);
		if (parent >= 0)
			t->style[e] = t->style[parent];
		if (given[e] & GIVEN_FG)
			t->style[e].fg = spec[e].fg;
		if (given[e] & GIVEN_BG)
			t->style[e].bg = spec[e].bg;
		if (given[e] & GIVEN_ATTRS)
			t->style[e].attrs = spec[e].attrs;
		t->attr[e] = curses_attrs(t->style[e].attrs);
		t->pair[e] = 0;
	}
	return t;
}

struct theme *
theme_builtin(void)
{
	return theme_parse(builtin_text, "builtin");
}

static bool
readable(const char *path)
{
	return access(path, R_OK) == 0;
}

char *
theme_find(const char *name, qt_error *err)
{
	char *dirs[3], *path = NULL, *tried;
	size_t n = 0, i, len = strlen(name);

	if (strchr(name, '/') != NULL ||
	    (len > 6 && strcmp(name + len - 6, ".theme") == 0)) {
		if (readable(name))
			return xstrdup(name);
		err_errno(err, "theme %s", name);
		return NULL;
	}
	if (len == 0) {
		err_set(err, "empty theme name");
		return NULL;
	}
	if ((dirs[n] = xdg_config_path("themes")) != NULL)
		n++;
	dirs[n++] = xstrdup(QT_THEMES_DIR);
	/* An uninstalled build (and the tests) use the source tree's themes. */
	dirs[n++] = xdg_source_path("themes");

	for (i = 0; i < n && path == NULL; i++) {
		path = xasprintf("%s/%s.theme", dirs[i], name);
		if (!readable(path)) {
			free(path);
			path = NULL;
		}
	}
	if (path == NULL) {
		tried = xstrdup(dirs[0]);
		for (i = 1; i < n; i++) {
			char *s = xasprintf("%s, %s", tried, dirs[i]);

			free(tried);
			tried = s;
		}
		err_set(err, "theme \"%s\" not found (looked for %s.theme in %s)",
		    name, name, tried);
		free(tried);
	}
	for (i = 0; i < n; i++)
		free(dirs[i]);
	return path;
}

struct theme *
theme_load(const char *name, qt_error *err)
{
	struct theme *t;
	char *path, *text;

	if ((path = theme_find(name, err)) == NULL)
		return NULL;
	if ((text = file_read(path, NULL, err)) == NULL) {
		free(path);
		return NULL;
	}
	t = theme_parse(text, path);
	free(text);
	free(path);
	return t;
}

void
theme_free(struct theme *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nerrors; i++)
		free(t->errors[i]);
	free(t->errors);
	free(t);
}

size_t
theme_error_count(const struct theme *t)
{
	return t->nerrors;
}

const char *
theme_error(const struct theme *t, size_t i)
{
	return i < t->nerrors ? t->errors[i] : NULL;
}

const struct theme_style *
theme_style(const struct theme *t, enum theme_element e)
{
	return &t->style[e < THEME_NELEMENTS ? e : THEME_DEFAULT];
}

/* ---- curses ---- */

int
theme_apply(struct theme *t, const struct theme_caps *caps_in)
{
	struct theme_caps caps;
	struct theme_mapped fg, bg;
	bool defaults = false;
	int e, pair, failed = 0;

	caps = caps_in != NULL ? *caps_in : theme_caps_detect(0,
	    getenv("COLORTERM"), getenv("NO_COLOR"));
	if (!has_colors())
		caps.colors = 0;
	else if (!caps.no_color) {
		if (start_color() == ERR)
			caps.colors = 0;
		else {
			/* COLORS is only known after start_color. */
			if (caps_in == NULL || caps.colors > COLORS)
				caps.colors = COLORS;
			/* RGB numbers need a direct-colour terminfo, whatever
			 * COLORTERM says. */
			caps.direct = caps.direct && COLORS >= 1 << 24;
			if (COLORS >= 1 << 24 && caps_in == NULL)
				caps.direct = true;
			defaults = use_default_colors() == OK;
		}
	}

	for (e = 0; e < THEME_NELEMENTS; e++) {
		t->attr[e] = curses_attrs(t->style[e].attrs);
		t->pair[e] = 0;
		if (caps.colors < 8 || caps.no_color)
			continue;
		fg = theme_color_map(t->style[e].fg, &caps, false);
		bg = theme_color_map(t->style[e].bg, &caps, true);
		if (fg.bold)
			t->attr[e] |= A_BOLD;
		if (fg.color == -1 && bg.color == -1 && defaults)
			continue;	/* pair 0 is default on default */
		if (!defaults) {
			/* No default colours: the classic white on black. */
			if (fg.color == -1)
				fg.color = COLOR_WHITE;
			if (bg.color == -1)
				bg.color = COLOR_BLACK;
		}
		if ((pair = alloc_pair(fg.color, bg.color)) < 0) {
			failed++;
			continue;
		}
		t->pair[e] = pair;
	}
	return failed;
}

attr_t
theme_attr(const struct theme *t, enum theme_element e)
{
	return t->attr[e < THEME_NELEMENTS ? e : THEME_DEFAULT];
}

int
theme_pair(const struct theme *t, enum theme_element e)
{
	return t->pair[e < THEME_NELEMENTS ? e : THEME_DEFAULT];
}

void
theme_wattr(WINDOW *w, const struct theme *t, enum theme_element e)
{
	int pair = theme_pair(t, e);

	/* The opts pointer carries pairs beyond a short. */
	wattr_set(w, theme_attr(t, e), (short)(pair < 0x7fff ? pair : 0), &pair);
}

int
theme_cchar(cchar_t *cc, const wchar_t *wch, const struct theme *t,
    enum theme_element e)
{
	int pair = theme_pair(t, e);

	return setcchar(cc, wch, theme_attr(t, e),
	    (short)(pair < 0x7fff ? pair : 0), &pair);
}
