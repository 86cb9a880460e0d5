/* Themes: the shipped files, errors, inheritance, colour mapping, curses pairs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "palette.h"
#include "theme.h"
#include "util.h"

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	if (d == NULL || *d == '\0')
		d = getenv("srcdir");
	return d != NULL && *d != '\0' ? d : ".";
}

static struct theme *
load_shipped(const char *name)
{
	char *path = xasprintf("%s/themes/%s.theme", srcdir(), name);
	qt_error err = { "" };
	struct theme *t = theme_load(path, &err);

	ck_assert_msg(t != NULL, "%s: %s", path, err.msg);
	free(path);
	return t;
}

static void
assert_no_errors(const struct theme *t)
{
	if (theme_error_count(t) > 0)
		ck_abort_msg("%zu errors, first: %s", theme_error_count(t),
		    theme_error(t, 0));
}

/* The first error containing want, or fail. */
static void
assert_error(const struct theme *t, const char *want)
{
	size_t i;

	for (i = 0; i < theme_error_count(t); i++)
		if (strstr(theme_error(t, i), want) != NULL)
			return;
	ck_abort_msg("no error containing '%s' (%zu errors%s%s)", want,
	    theme_error_count(t), theme_error_count(t) ? ", first: " : "",
	    theme_error_count(t) ? theme_error(t, 0) : "");
}

static struct theme_color
C(const char *s)
{
	struct theme_color c;

	ck_assert_msg(theme_color_parse(s, &c) == 0, "cannot parse %s", s);
	return c;
}

static void
assert_color(struct theme_color c, enum theme_color_kind kind, uint32_t value)
{
	ck_assert_int_eq(c.kind, kind);
	if (kind != THEME_COLOR_DEFAULT)
		ck_assert_uint_eq(c.value, value);
}

/* ---- names ---- */

START_TEST(test_elements)
{
	int e;

	for (e = 0; e < THEME_NELEMENTS; e++) {
		ck_assert_ptr_nonnull(theme_element_name(e));
		ck_assert_int_eq(theme_element_find(theme_element_name(e)), e);
		/* Resolution is one pass: parents come first. */
		ck_assert_int_lt(theme_element_parent(e), e);
	}
	ck_assert_int_eq(theme_element_parent(THEME_DEFAULT), -1);
	ck_assert_int_eq(theme_element_parent(THEME_LIST_SELECTED_UNFOCUSED),
	    THEME_LIST_SELECTED);
	ck_assert_int_eq(theme_element_parent(THEME_LIST_SELECTED), THEME_DEFAULT);
	ck_assert_int_eq(theme_element_parent(THEME_BORDER_FOCUS), THEME_BORDER);
	ck_assert_int_eq(theme_element_parent(THEME_KEYBAR_KEY), THEME_KEYBAR);
	ck_assert_int_eq(theme_element_parent(THEME_STATE_RUNNING), THEME_DEFAULT);
	ck_assert_int_eq(theme_element_find("state.shutting_down"),
	    THEME_STATE_SHUTTING_DOWN);
	ck_assert_int_eq(theme_element_find("list"), -1);
	ck_assert_ptr_null(theme_element_name(THEME_NELEMENTS));
}
END_TEST

/* ---- shipped themes ---- */

START_TEST(test_shipped)
{
	static const char *const names[] = { "dark", "light", "mono" };
	struct theme *t;
	size_t i;

	for (i = 0; i < 3; i++) {
		t = load_shipped(names[i]);
		assert_no_errors(t);
		theme_free(t);
	}
}
END_TEST

START_TEST(test_mono_is_builtin)
{
	struct theme *m = load_shipped("mono"), *b = theme_builtin();
	const struct theme_style *s;
	int e;

	assert_no_errors(b);
	for (e = 0; e < THEME_NELEMENTS; e++) {
		s = theme_style(m, e);
		ck_assert_int_eq(s->fg.kind, THEME_COLOR_DEFAULT);
		ck_assert_int_eq(s->bg.kind, THEME_COLOR_DEFAULT);
		ck_assert_mem_eq(s, theme_style(b, e), sizeof *s);
	}
	ck_assert_uint_eq(theme_style(m, THEME_LIST_SELECTED)->attrs,
	    THEME_REVERSE | THEME_BOLD);
	ck_assert_uint_eq(theme_style(m, THEME_STATUS_ERROR)->attrs & THEME_UNDERLINE,
	    THEME_UNDERLINE);
	theme_free(m);
	theme_free(b);
}
END_TEST

START_TEST(test_dark_values)
{
	struct theme *t = load_shipped("dark");
	const struct theme_style *s;

	s = theme_style(t, THEME_STATE_RUNNING);
	assert_color(s->fg, THEME_COLOR_INDEX, 10);
	assert_color(s->bg, THEME_COLOR_DEFAULT, 0);
	/* Selection survives NO_COLOR: it carries reverse. */
	ck_assert(theme_style(t, THEME_LIST_SELECTED)->attrs & THEME_REVERSE);
	ck_assert(theme_style(t, THEME_LIST_SELECTED_UNFOCUSED)->attrs &
	    THEME_REVERSE);
	theme_free(t);
}
END_TEST

/* The lookup order: XDG config first, then the installed dir, then top_srcdir. */
START_TEST(test_find)
{
	char dir[] = "/tmp/qt-theme-XXXXXX", *p, *sub, *found;
	qt_error err = { "" };
	struct theme *t;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("top_srcdir", srcdir(), 1);

	found = theme_find("dark", &err);
	ck_assert_msg(found != NULL, "%s", err.msg);
	ck_assert_ptr_nonnull(strstr(found, "/themes/dark.theme"));
	free(found);
	t = theme_load("light", &err);
	ck_assert_ptr_nonnull(t);
	assert_no_errors(t);
	theme_free(t);

	/* A user's theme shadows a shipped one of the same name. */
	sub = xasprintf("%s/qemu-tui", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	p = xasprintf("%s/themes", sub);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/qemu-tui/themes/dark.theme", dir);
	f = fopen(p, "w");
	fputs("default = red\nbogus = blue\n", f);
	fclose(f);
	t = theme_load("dark", &err);
	ck_assert_ptr_nonnull(t);
	assert_color(theme_style(t, THEME_TITLE)->fg, THEME_COLOR_INDEX, 1);
	/* Errors name the file that has them. */
	ck_assert_uint_eq(theme_error_count(t), 1);
	found = xasprintf("%s:2: unknown element \"bogus\"", p);
	ck_assert_str_eq(theme_error(t, 0), found);
	free(found);
	theme_free(t);
	unlink(p);
	free(p);
	p = xasprintf("%s/qemu-tui/themes", dir);
	rmdir(p);
	free(p);
	rmdir(sub);
	free(sub);
	rmdir(dir);

	ck_assert_ptr_null(theme_find("no-such-theme", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "\"no-such-theme\" not found"));
	ck_assert_ptr_nonnull(strstr(err.msg, "/themes"));
	ck_assert_ptr_null(theme_load("/nonexistent/x.theme", &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/x.theme"));
	ck_assert_ptr_null(theme_find("", &err));
}
END_TEST

/* ---- parsing ---- */

START_TEST(test_colors_parse)
{
	struct theme_color c;

	assert_color(C("default"), THEME_COLOR_DEFAULT, 0);
	assert_color(C("black"), THEME_COLOR_INDEX, 0);
	assert_color(C("red"), THEME_COLOR_INDEX, 1);
	assert_color(C("White"), THEME_COLOR_INDEX, 7);
	assert_color(C("bright-black"), THEME_COLOR_INDEX, 8);
	assert_color(C("bright-red"), THEME_COLOR_INDEX, 9);
	assert_color(C("bright-white"), THEME_COLOR_INDEX, 15);
	assert_color(C("color42"), THEME_COLOR_INDEX, 42);
	assert_color(C("colour255"), THEME_COLOR_INDEX, 255);
	assert_color(C("0"), THEME_COLOR_INDEX, 0);
	assert_color(C("196"), THEME_COLOR_INDEX, 196);
	assert_color(C("#5fafff"), THEME_COLOR_RGB, 0x5fafff);
	assert_color(C("#FF0000"), THEME_COLOR_RGB, 0xff0000);
	ck_assert_int_eq(theme_color_parse("color256", &c), -1);
	ck_assert_int_eq(theme_color_parse("256", &c), -1);
	ck_assert_int_eq(theme_color_parse("-1", &c), -1);
	ck_assert_int_eq(theme_color_parse("+1", &c), -1);
	ck_assert_int_eq(theme_color_parse("12x", &c), -1);
	ck_assert_int_eq(theme_color_parse("color", &c), -1);
	ck_assert_int_eq(theme_color_parse("#12345", &c), -1);
	ck_assert_int_eq(theme_color_parse("#1234567", &c), -1);
	ck_assert_int_eq(theme_color_parse("#12345g", &c), -1);
	ck_assert_int_eq(theme_color_parse("bright-", &c), -1);
	ck_assert_int_eq(theme_color_parse("bright-default", &c), -1);
	ck_assert_int_eq(theme_color_parse("", &c), -1);
}
END_TEST

START_TEST(test_line_syntax)
{
	struct theme *t = theme_parse(
	    "# comment\n"
	    "   \n"
	    "list.selected = black on cyan bold\n"
	    "state.running = green\n"
	    "border.focus = #5fafff   # a comment after the style\n"
	    "status.error = bright-red on default reverse\n"
	    "\tkeybar.key=bold   underline\r\n"
	    "filter = on blue\n"
	    "event.time = color244 italic dim blink standout\n"
	    "no trailing newline = x", "t.theme");
	const struct theme_style *s;

	ck_assert_uint_eq(theme_error_count(t), 1);
	assert_error(t, "t.theme:10: unknown element \"no trailing newline\"");

	s = theme_style(t, THEME_LIST_SELECTED);
	assert_color(s->fg, THEME_COLOR_INDEX, 0);
	assert_color(s->bg, THEME_COLOR_INDEX, 6);
	ck_assert_uint_eq(s->attrs, THEME_BOLD);
	s = theme_style(t, THEME_STATE_RUNNING);
	assert_color(s->fg, THEME_COLOR_INDEX, 2);
	assert_color(s->bg, THEME_COLOR_DEFAULT, 0);
	assert_color(theme_style(t, THEME_BORDER_FOCUS)->fg, THEME_COLOR_RGB,
	    0x5fafff);
	s = theme_style(t, THEME_STATUS_ERROR);
	assert_color(s->fg, THEME_COLOR_INDEX, 9);
	assert_color(s->bg, THEME_COLOR_DEFAULT, 0);
	ck_assert_uint_eq(s->attrs, THEME_REVERSE);
	ck_assert_uint_eq(theme_style(t, THEME_KEYBAR_KEY)->attrs,
	    THEME_BOLD | THEME_UNDERLINE);
	s = theme_style(t, THEME_FILTER);
	assert_color(s->fg, THEME_COLOR_DEFAULT, 0);
	assert_color(s->bg, THEME_COLOR_INDEX, 4);
	s = theme_style(t, THEME_EVENT_TIME);
	assert_color(s->fg, THEME_COLOR_INDEX, 244);
	ck_assert_uint_eq(s->attrs, THEME_ITALIC | THEME_DIM | THEME_BLINK |
	    THEME_STANDOUT);
	theme_free(t);
}
END_TEST

START_TEST(test_errors)
{
	struct theme *t = theme_parse(
	    "default = white on black\n"		/* 1 */
	    "lst.selected = red\n"			/* 2 */
	    "state.running = green\n"			/* 3 */
	    "state.paused = #12345\n"			/* 4 */
	    "state.stopped = bright-rde\n"		/* 5 */
	    "state.crashed = red bld\n"		/* 6 */
	    "state.broken = red on\n"			/* 7 */
	    "title = red blue\n"			/* 8 */
	    "help\n"					/* 9 */
	    "dialog =\n"				/* 10 */
	    "filter = gren\n"				/* 11 */
	    "sparkline = zzzzzz\n"			/* 12 */
	    "event.time = color300\n"			/* 13 */
	    "event.name = on yelow\n"			/* 14 */
	    "keybar = red on blue on green\n"		/* 15 */
	    "state.runing = blue\n"			/* 16 */
	    "details.label = yellow\n",		/* 17 */
	    "bad.theme");

	assert_error(t, "bad.theme:2: unknown element \"lst.selected\" (did you "
	    "mean \"list.selected\"?)");
	assert_error(t, "bad.theme:4: bad colour \"#12345\"");
	assert_error(t, "bad.theme:5: bad colour \"bright-rde\" (did you mean "
	    "\"bright-red\"?)");
	assert_error(t, "bad.theme:6: unknown attribute \"bld\" (did you mean "
	    "\"bold\"?)");
	assert_error(t, "bad.theme:7: expected a background colour after \"on\"");
	assert_error(t, "bad.theme:8: two foreground colours");
	assert_error(t, "bad.theme:9: expected ELEMENT = STYLE");
	assert_error(t, "bad.theme:10: no colour or attribute");
	assert_error(t, "bad.theme:11: unknown colour \"gren\" (did you mean "
	    "\"green\"?)");
	assert_error(t, "bad.theme:12: unknown colour or attribute \"zzzzzz\"");
	assert_error(t, "bad.theme:13: bad colour \"color300\"");
	assert_error(t, "bad.theme:14: bad colour \"yelow\" (did you mean "
	    "\"yellow\"?)");
	assert_error(t, "bad.theme:15: two background colours");
	assert_error(t, "bad.theme:16: unknown element \"state.runing\" (did you "
	    "mean \"state.running\"?)");
	ck_assert_uint_eq(theme_error_count(t), 14);

	/* The good lines apply; a bad line changes nothing, not even partly. */
	assert_color(theme_style(t, THEME_STATE_RUNNING)->fg, THEME_COLOR_INDEX, 2);
	assert_color(theme_style(t, THEME_DETAILS_LABEL)->fg, THEME_COLOR_INDEX, 3);
	assert_color(theme_style(t, THEME_STATE_CRASHED)->fg, THEME_COLOR_INDEX, 7);
	assert_color(theme_style(t, THEME_TITLE)->fg, THEME_COLOR_INDEX, 7);
	assert_color(theme_style(t, THEME_LIST_SELECTED)->fg, THEME_COLOR_INDEX, 7);
	assert_color(theme_style(t, THEME_KEYBAR)->bg, THEME_COLOR_INDEX, 0);
	theme_free(t);
}
END_TEST

START_TEST(test_inheritance)
{
	struct theme *t = theme_parse(
	    "default = white on black underline\n"
	    "list.selected = black on cyan bold\n"
	    "border = blue\n"
	    "border.focus = bold\n"
	    "keybar = red on blue\n"
	    "keybar.key = none\n"
	    "dialog = on white\n"
	    "dialog.button = default\n", NULL);
	const struct theme_style *s;

	assert_no_errors(t);
	/* Not given: the parent whole. */
	ck_assert_mem_eq(theme_style(t, THEME_LIST_SELECTED_UNFOCUSED),
	    theme_style(t, THEME_LIST_SELECTED), sizeof *s);
	ck_assert_mem_eq(theme_style(t, THEME_STATE_RUNNING),
	    theme_style(t, THEME_DEFAULT), sizeof *s);
	/* Given in part: the rest from the parent. */
	s = theme_style(t, THEME_STATE_RUNNING);
	assert_color(s->fg, THEME_COLOR_INDEX, 7);
	assert_color(s->bg, THEME_COLOR_INDEX, 0);
	ck_assert_uint_eq(s->attrs, THEME_UNDERLINE);
	s = theme_style(t, THEME_BORDER);
	assert_color(s->fg, THEME_COLOR_INDEX, 4);
	assert_color(s->bg, THEME_COLOR_INDEX, 0);
	ck_assert_uint_eq(s->attrs, THEME_UNDERLINE);
	s = theme_style(t, THEME_BORDER_FOCUS);
	assert_color(s->fg, THEME_COLOR_INDEX, 4);
	ck_assert_uint_eq(s->attrs, THEME_BOLD);
	s = theme_style(t, THEME_KEYBAR_KEY);
	assert_color(s->fg, THEME_COLOR_INDEX, 1);
	assert_color(s->bg, THEME_COLOR_INDEX, 4);
	ck_assert_uint_eq(s->attrs, 0);
	s = theme_style(t, THEME_DIALOG_BUTTON);
	assert_color(s->fg, THEME_COLOR_DEFAULT, 0);
	assert_color(s->bg, THEME_COLOR_INDEX, 7);
	/* Without a default line everything is the terminal's own. */
	theme_free(t);
	t = theme_parse("", "empty");
	assert_no_errors(t);
	s = theme_style(t, THEME_FILTER);
	assert_color(s->fg, THEME_COLOR_DEFAULT, 0);
	assert_color(s->bg, THEME_COLOR_DEFAULT, 0);
	ck_assert_uint_eq(s->attrs, 0);
	theme_free(t);
}
END_TEST

/* ---- colour mapping ---- */

static struct theme_mapped
map(const char *spec, int colors, bool direct, bool bg)
{
	struct theme_caps caps = { colors, direct, false };

	return theme_color_map(C(spec), &caps, bg);
}

START_TEST(test_map_256)
{
	ck_assert_int_eq(map("#ff0000", 256, false, false).color, 196);
	ck_assert_int_eq(map("#808080", 256, false, false).color, 244);
	ck_assert_int_eq(map("#000000", 256, false, false).color, 16);
	ck_assert_int_eq(map("#ffffff", 256, false, false).color, 231);
	ck_assert_int_eq(map("#5fafff", 256, false, false).color, 75);
	ck_assert_int_eq(map("#080808", 256, false, false).color, 232);
	ck_assert_int_eq(map("#eeeeee", 256, false, false).color, 255);
	ck_assert_int_eq(map("#fe0101", 256, false, false).color, 196);
	ck_assert_int_eq(map("#767676", 256, false, true).color, 243);
	ck_assert_int_eq(map("#af8700", 256, false, false).color, 136);
	/* Indexes pass through, the default stays the default. */
	ck_assert_int_eq(map("color42", 256, false, false).color, 42);
	ck_assert_int_eq(map("red", 256, false, false).color, 1);
	ck_assert_int_eq(map("bright-red", 256, false, false).color, 9);
	ck_assert_int_eq(map("default", 256, false, false).color, -1);
	ck_assert(!map("bright-red", 256, false, false).bold);
	ck_assert(!map("#ff0000", 256, false, false).rgb);
}
END_TEST

START_TEST(test_map_88_16_8)
{
	struct theme_mapped m;

	/* 88: a 4x4x4 cube from 16 and 8 greys from 80. */
	ck_assert_int_eq(map("#ff0000", 88, false, false).color, 64);
	ck_assert_int_eq(map("#000000", 88, false, false).color, 16);
	ck_assert_int_eq(map("#8b8b8b", 88, false, false).color, 37);
	ck_assert_int_eq(map("#737373", 88, false, false).color, 82);
	ck_assert_int_eq(map("color196", 88, false, false).color, 64);
	ck_assert_int_eq(map("bright-blue", 88, false, false).color, 12);

	/* 16: the system colours. */
	ck_assert_int_eq(map("#ff0000", 16, false, false).color, 9);
	ck_assert_int_eq(map("#cd0000", 16, false, false).color, 1);
	ck_assert_int_eq(map("#808080", 16, false, false).color, 8);
	ck_assert_int_eq(map("color196", 16, false, false).color, 9);
	ck_assert_int_eq(map("bright-red", 16, false, false).color, 9);
	ck_assert(!map("bright-red", 16, false, false).bold);

	/* 8: bright is the colour in bold, for the foreground only. */
	m = map("bright-red", 8, false, false);
	ck_assert_int_eq(m.color, 1);
	ck_assert(m.bold);
	m = map("bright-red", 8, false, true);
	ck_assert_int_eq(m.color, 1);
	ck_assert(!m.bold);
	m = map("#ff0000", 8, false, false);
	ck_assert_int_eq(m.color, 1);
	ck_assert(m.bold);
	m = map("color196", 8, false, false);
	ck_assert_int_eq(m.color, 1);
	ck_assert(m.bold);
	m = map("#ffffff", 8, false, false);
	ck_assert_int_eq(m.color, 7);
	ck_assert(m.bold);
	m = map("red", 8, false, false);
	ck_assert_int_eq(m.color, 1);
	ck_assert(!m.bold);
	/* A grey background is the nearest of the 8, never a bright one. */
	ck_assert_int_eq(map("#808080", 8, false, true).color, 7);
	ck_assert_int_eq(map("#303030", 8, false, true).color, 0);

	/* No colours at all. */
	ck_assert_int_eq(map("red", 0, false, false).color, -1);
	ck_assert_int_eq(map("#ff0000", 2, false, false).color, -1);
}
END_TEST

START_TEST(test_map_direct)
{
	struct theme_mapped m;

	m = map("#5fafff", 1 << 24, true, false);
	ck_assert_int_eq(m.color, 0x5fafff);
	ck_assert(m.rgb);
	m = map("color196", 1 << 24, true, false);
	ck_assert_int_eq(m.color, 0xff0000);
	ck_assert(m.rgb);
	m = map("bright-blue", 1 << 24, true, true);
	ck_assert_int_eq(m.color, 0x5c5cff);
	/* Numbers below 8 are the palette: the basic colours stay themselves. */
	m = map("red", 1 << 24, true, false);
	ck_assert_int_eq(m.color, 1);
	ck_assert(!m.rgb);
	m = map("#000000", 1 << 24, true, false);
	ck_assert_int_ge(m.color, 8);
	ck_assert(m.rgb);
	ck_assert_int_eq(map("default", 1 << 24, true, false).color, -1);
}
END_TEST

START_TEST(test_caps_no_color)
{
	struct theme_caps caps;
	struct theme_mapped m;
	struct theme *t;

	caps = theme_caps_detect(256, NULL, NULL);
	ck_assert_int_eq(caps.colors, 256);
	ck_assert(!caps.direct && !caps.no_color);
	ck_assert(theme_caps_detect(256, "truecolor", NULL).direct);
	ck_assert(theme_caps_detect(256, "24bit", NULL).direct);
	ck_assert(!theme_caps_detect(256, "xterm", NULL).direct);
	ck_assert(theme_caps_detect(1 << 24, NULL, NULL).direct);
	ck_assert(!theme_caps_detect(256, NULL, "").no_color);	/* set but empty */
	caps = theme_caps_detect(256, "truecolor", "1");
	ck_assert(caps.no_color);
	ck_assert_int_eq(theme_caps_detect(-1, NULL, NULL).colors, 0);

	/* NO_COLOR: every colour is the default one, attributes stay. */
	m = theme_color_map(C("#ff0000"), &caps, false);
	ck_assert_int_eq(m.color, -1);
	ck_assert(!m.bold);
	caps.colors = 8;
	m = theme_color_map(C("bright-red"), &caps, false);
	ck_assert_int_eq(m.color, -1);
	ck_assert(!m.bold);
	t = load_shipped("dark");
	ck_assert(theme_style(t, THEME_LIST_SELECTED)->attrs & THEME_REVERSE);
	theme_free(t);
}
END_TEST

/* ---- curses ---- */

struct offscreen {
	FILE *out, *in;
	SCREEN *scr;
};

static bool
offscreen_open(struct offscreen *o, const char *term)
{
	o->out = fopen("/dev/null", "w");
	o->in = fopen("/dev/null", "r");
	ck_assert(o->out != NULL && o->in != NULL);
	setenv("TERM", term, 1);
	o->scr = newterm(term, o->out, o->in);
	if (o->scr == NULL) {
		fclose(o->out);
		fclose(o->in);
	}
	return o->scr != NULL;
}

static void
offscreen_close(struct offscreen *o)
{
	endwin();
	delscreen(o->scr);
	fclose(o->out);
	fclose(o->in);
}

static void
assert_pair(int pair, int fg, int bg)
{
	int f, b;

	ck_assert_int_gt(pair, 0);
	ck_assert_int_eq(extended_pair_content(pair, &f, &b), OK);
	ck_assert_int_eq(f, fg);
	ck_assert_int_eq(b, bg);
}

START_TEST(test_apply_256)
{
	struct offscreen o;
	struct theme *t = load_shipped("light");
	struct theme_caps caps;
	cchar_t cc;
	attr_t a;
	int pair;

	unsetenv("NO_COLOR");
	unsetenv("COLORTERM");
	ck_assert(offscreen_open(&o, "xterm-256color"));
	ck_assert_int_eq(theme_apply(t, NULL), 0);
	ck_assert_int_eq(theme_pair(t, THEME_DEFAULT), 0);
	assert_pair(theme_pair(t, THEME_STATE_RUNNING), COLOR_GREEN, -1);
	assert_pair(theme_pair(t, THEME_STATE_PAUSED), 136, -1);	/* #af8700 */
	assert_pair(theme_pair(t, THEME_DIALOG), COLOR_BLACK, 252);	/* #d0d0d0 */
	ck_assert_uint_eq(theme_attr(t, THEME_STATE_RUNNING), A_BOLD);
	ck_assert_uint_eq(theme_attr(t, THEME_LIST_SELECTED), A_REVERSE | A_BOLD);
	/* Same colours, same pair. */
	ck_assert_int_eq(theme_pair(t, THEME_STATE_CRASHED),
	    theme_pair(t, THEME_STATE_BROKEN));

	theme_wattr(stdscr, t, THEME_STATE_PAUSED);
	ck_assert_int_eq(wattr_get(stdscr, &a, NULL, &pair), OK);
	ck_assert_int_eq(pair, theme_pair(t, THEME_STATE_PAUSED));
	ck_assert_int_eq(theme_cchar(&cc, L"x", t, THEME_STATE_CRASHED), OK);
	ck_assert_uint_eq(cc.attr & A_ATTRIBUTES & ~A_COLOR, A_BOLD);

	/* NO_COLOR: no pairs, the attributes stay. */
	caps = theme_caps_detect(COLORS, NULL, "1");
	ck_assert_int_eq(theme_apply(t, &caps), 0);
	ck_assert_int_eq(theme_pair(t, THEME_STATE_RUNNING), 0);
	ck_assert_int_eq(theme_pair(t, THEME_LIST_SELECTED), 0);
	ck_assert_uint_eq(theme_attr(t, THEME_LIST_SELECTED), A_REVERSE | A_BOLD);
	setenv("NO_COLOR", "1", 1);
	ck_assert_int_eq(theme_apply(t, NULL), 0);
	ck_assert_int_eq(theme_pair(t, THEME_STATE_CRASHED), 0);
	unsetenv("NO_COLOR");

	/* Applying again (a theme switch) reuses the pairs. */
	ck_assert_int_eq(theme_apply(t, NULL), 0);
	assert_pair(theme_pair(t, THEME_STATE_PAUSED), 136, -1);
	offscreen_close(&o);
	theme_free(t);
}
END_TEST

START_TEST(test_apply_8)
{
	struct offscreen o;
	struct theme *t = load_shipped("dark");
	struct theme_caps caps;

	unsetenv("NO_COLOR");
	if (!offscreen_open(&o, "xterm")) {
		theme_free(t);
		return;
	}
	ck_assert_int_eq(theme_apply(t, NULL), 0);
	ck_assert_int_eq(COLORS, 8);
	/* bright-cyan on 8 colours: cyan in bold. */
	assert_pair(theme_pair(t, THEME_BORDER_FOCUS), COLOR_CYAN, -1);
	ck_assert(theme_attr(t, THEME_BORDER_FOCUS) & A_BOLD);
	assert_pair(theme_pair(t, THEME_STATE_RUNNING), COLOR_GREEN, -1);
	assert_pair(theme_pair(t, THEME_DIALOG), COLOR_WHITE, COLOR_BLUE);
	/* Caps asking for more than the terminal has are clamped. */
	caps = theme_caps_detect(256, "truecolor", NULL);
	ck_assert_int_eq(theme_apply(t, &caps), 0);
	assert_pair(theme_pair(t, THEME_BORDER_FOCUS), COLOR_CYAN, -1);
	offscreen_close(&o);
	theme_free(t);
}
END_TEST

START_TEST(test_apply_mono_terminal)
{
	struct offscreen o;
	struct theme *t = load_shipped("dark");

	if (!offscreen_open(&o, "xterm-mono")) {
		theme_free(t);
		return;
	}
	ck_assert(!has_colors());
	ck_assert_int_eq(theme_apply(t, NULL), 0);
	ck_assert_int_eq(theme_pair(t, THEME_STATE_RUNNING), 0);
	ck_assert_uint_eq(theme_attr(t, THEME_LIST_SELECTED), A_REVERSE | A_BOLD);
	offscreen_close(&o);
	theme_free(t);
}
END_TEST

/* Weighted RGB distance as palette.c documents it, for the brute-force check. */
static long
ref_dist(uint32_t a, uint32_t b)
{
	long c[2][3] = { { a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff },
	    { b >> 16 & 0xff, b >> 8 & 0xff, b & 0xff } }, s[2], d = 0;
	int k, i;

	for (k = 0; k < 2; k++) {
		long max = c[k][0], min = c[k][0];

		for (i = 1; i < 3; i++) {
			max = c[k][i] > max ? c[k][i] : max;
			min = c[k][i] < min ? c[k][i] : min;
		}
		s[k] = max - min;
	}
	for (i = 0; i < 3; i++)
		d += (c[0][i] - c[1][i]) * (c[0][i] - c[1][i]);
	return d + (s[0] - s[1]) * (s[0] - s[1]);
}

/* xterm's 88-colour palette: 4x4x4 cube and 8 greys after the 16. */
static uint32_t
ref_rgb88(int i)
{
	static const uint32_t level[4] = { 0, 139, 205, 255 };
	static const uint32_t grey[8] = { 46, 92, 115, 139, 162, 185, 208, 231 };

	if (i < 16)
		return palette_rgb(i);
	if (i < 80) {
		i -= 16;
		return level[i / 16] << 16 | level[i / 4 % 4] << 8 | level[i % 4];
	}
	return grey[i - 80] * 0x010101u;
}

static int
ref_nearest(uint32_t rgb, int colors)
{
	int from = colors >= 88 ? 16 : 0, to = colors >= 256 ? 256 :
	    colors >= 88 ? 88 : colors >= 16 ? 16 : 8, i, best = from;
	long d, bestd = -1;

	for (i = from; i < to; i++) {
		d = ref_dist(rgb, colors == 88 ? ref_rgb88(i) : palette_rgb(i));
		if (bestd < 0 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	return best;
}

/* The pruned search in palette.c answers as trying every entry would. */
START_TEST(test_palette)
{
	static const int colors[] = { 256, 88, 16, 8 };
	uint32_t r, g, b, rgb;
	size_t k;

	ck_assert_uint_eq(palette_rgb(0), 0x000000);
	ck_assert_uint_eq(palette_rgb(12), 0x5c5cff);
	ck_assert_uint_eq(palette_rgb(16), 0x000000);
	ck_assert_uint_eq(palette_rgb(75), 0x5fafff);
	ck_assert_uint_eq(palette_rgb(231), 0xffffff);
	ck_assert_uint_eq(palette_rgb(232), 0x080808);
	ck_assert_uint_eq(palette_rgb(255), 0xeeeeee);
	for (k = 0; k < sizeof colors / sizeof colors[0]; k++)
		for (r = 0; r < 256; r += 17)
			for (g = 0; g < 256; g += 17)
				for (b = 0; b < 256; b += 17) {
					rgb = r << 16 | g << 8 | b;
					ck_assert_int_eq(palette_nearest(rgb,
					    colors[k]), ref_nearest(rgb, colors[k]));
				}
	/* Greys stay grey; ties go to the lower number. */
	ck_assert_int_eq(palette_nearest(0x808080, 256), 244);
	ck_assert_int_eq(palette_nearest(0x808080, 8), 7);
	ck_assert_int_eq(palette_nearest(0x000000, 256), 16);
}
END_TEST

static Suite *
theme_suite(void)
{
	Suite *s = suite_create("theme");
	TCase *tc;

	tc = tcase_create("files");
	tcase_add_test(tc, test_elements);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_mono_is_builtin);
	tcase_add_test(tc, test_dark_values);
	tcase_add_test(tc, test_find);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_colors_parse);
	tcase_add_test(tc, test_line_syntax);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_inheritance);
	suite_add_tcase(s, tc);

	tc = tcase_create("map");
	tcase_add_test(tc, test_map_256);
	tcase_add_test(tc, test_map_88_16_8);
	tcase_add_test(tc, test_map_direct);
	tcase_add_test(tc, test_caps_no_color);
	tcase_add_test(tc, test_palette);
	suite_add_tcase(s, tc);

	tc = tcase_create("curses");
	tcase_add_test(tc, test_apply_256);
	tcase_add_test(tc, test_apply_8);
	tcase_add_test(tc, test_apply_mono_terminal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(theme_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
