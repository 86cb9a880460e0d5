/*
 * Semantic colour themes: drawing code names elements (list.selected, border.focus),
 * a theme file maps them to colours and attributes.
 *
 * themes/NAME.theme, one element a line, '#' starts a comment (at the start of a
 * line, or as a word of its own after the style):
 *
 *	list.selected = black on cyan bold
 *	border.focus = #5fafff
 *	status.error = bright-red on default reverse
 *
 * Colours: default, black red green yellow blue magenta cyan white, bright-NAME
 * (8-15), colorN or N (0-255), #rrggbb. Attributes: bold dim underline reverse
 * italic blink standout, and none (no attributes, not even inherited ones).
 * What a line leaves out (fg, bg, attributes) comes from the parent element: the
 * name without its last ".part" when that is an element (list.selected.unfocused
 * -> list.selected, border.focus -> border), else default.
 *
 * The parser and the colour mapping are pure; theme_apply and the accessors after
 * it are the only curses code.
 */
#ifndef QT_THEME_H
#define QT_THEME_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Parents come before their children. */
enum theme_element {
	THEME_DEFAULT,
	THEME_BORDER,
	THEME_BORDER_FOCUS,
	THEME_TITLE,
	THEME_TITLE_FOCUS,
	THEME_LIST_NORMAL,
	THEME_LIST_SELECTED,
	THEME_LIST_SELECTED_UNFOCUSED,
	THEME_STATE_RUNNING,
	THEME_STATE_PAUSED,
	THEME_STATE_STOPPED,
	THEME_STATE_STARTING,
	THEME_STATE_SHUTTING_DOWN,
	THEME_STATE_CRASHED,
	THEME_STATE_BROKEN,
	THEME_STATUS_INFO,
	THEME_STATUS_ERROR,
	THEME_KEYBAR,
	THEME_KEYBAR_KEY,
	THEME_HELP,
	THEME_DIALOG,
	THEME_DIALOG_BUTTON,
	THEME_DETAILS_LABEL,
	THEME_DETAILS_VALUE,
	THEME_SPARKLINE,
	THEME_EVENT_TIME,
	THEME_EVENT_NAME,
	THEME_FILTER,
	THEME_NELEMENTS
};

enum theme_color_kind {
	THEME_COLOR_DEFAULT,	/* the terminal's own fg or bg */
	THEME_COLOR_INDEX,	/* 0-255 */
	THEME_COLOR_RGB,	/* 0xRRGGBB */
};

struct theme_color {
	enum theme_color_kind kind;
	uint32_t value;
};

/* Attribute bits of a style (mapped to A_* by theme_apply). */
#define THEME_BOLD	0x01u
#define THEME_DIM	0x02u
#define THEME_UNDERLINE	0x04u
#define THEME_REVERSE	0x08u
#define THEME_ITALIC	0x10u
#define THEME_BLINK	0x20u
#define THEME_STANDOUT	0x40u

struct theme_style {
	struct theme_color fg, bg;
	unsigned attrs;
};

/* What the terminal can show; see theme_caps_detect. */
struct theme_caps {
	int colors;	/* COLORS: 0 (none), 8, 16, 88, 256, 2^24 */
	bool direct;	/* colour numbers are 0xRRGGBB (ncurses direct colour) */
	bool no_color;	/* NO_COLOR: attributes only */
};

/* A colour for one terminal: color -1 is the terminal default. */
struct theme_mapped {
	int color;
	bool rgb;	/* color is 0xRRGGBB for a direct-colour terminal */
	bool bold;	/* bright colour on 8 colours: add A_BOLD to the fg */
};

struct theme;

const char *theme_element_name(enum theme_element e);
/* -1 when name is no element. */
int theme_element_find(const char *name);
/* The element e inherits from; THEME_DEFAULT inherits from nothing (-1). */
int theme_element_parent(enum theme_element e);

/* One colour word; -1 when it is none. */
int theme_color_parse(const char *s, struct theme_color *out);

/*
 * Parse theme text; source names it in error messages ("FILE:LINE: ...").
 * Never fails: a bad line is skipped with an error, the rest applies.
 */
struct theme *theme_parse(const char *text, const char *source);
/* The compiled-in fallback: attributes only, works on any terminal. */
struct theme *theme_builtin(void);
/*
 * The file of a theme: a name with a '/' or ending in ".theme" is a path; other
 * names are looked up as NAME.theme in $XDG_CONFIG_HOME/qemu-tui/themes (or
 * ~/.config/...), QT_THEMES_DIR, then the source tree's themes/ (an uninstalled
 * build, the tests). NULL + err when not found.
 */
char *theme_find(const char *name, qt_error *err);
/* theme_find + theme_parse; NULL + err when the file cannot be read. */
struct theme *theme_load(const char *name, qt_error *err);
void theme_free(struct theme *t);

/* The parse errors, each "FILE:LINE: message". */
size_t theme_error_count(const struct theme *t);
const char *theme_error(const struct theme *t, size_t i);
/* The resolved style (inheritance applied). */
const struct theme_style *theme_style(const struct theme *t,
    enum theme_element e);

/*
 * colors: COLORS (0 without colour support); colorterm: $COLORTERM
 * ("truecolor"/"24bit" mean direct); no_color: $NO_COLOR (set and not empty).
 */
struct theme_caps theme_caps_detect(int colors, const char *colorterm,
    const char *no_color);
/*
 * The colour to use on a terminal: indexes pass through where they exist, #rrggbb
 * becomes the nearest xterm-256 (cube or grey) on 256, nearest of 88 / 16 on those,
 * 0xRRGGBB on direct colour; on 8 colours bright-X becomes X + bold (fg). NO_COLOR
 * and colourless terminals get -1. bg: no bold trick for backgrounds.
 */
struct theme_mapped theme_color_map(struct theme_color c,
    const struct theme_caps *caps, bool bg);

/*
 * Curses: start colours and allocate one pair per distinct (fg, bg) with
 * alloc_pair. caps NULL: detect from COLORS, $COLORTERM, $NO_COLOR. Direct colour
 * needs a direct-colour terminfo (COLORS >= 2^24); with fewer COLORS the 256 /
 * 16 / 8 mapping is used whatever COLORTERM says. Call after initscr/newterm and
 * again after switching themes. Returns the number of elements left on the
 * default pair because no pair could be allocated.
 */
int theme_apply(struct theme *t, const struct theme_caps *caps);
/* Attributes (A_BOLD, ...) of an element, without the pair. */
attr_t theme_attr(const struct theme *t, enum theme_element e);
/* Its colour pair, possibly > 255: pass it as an int through the opts pointer. */
int theme_pair(const struct theme *t, enum theme_element e);
/* wattr_set with the element's attributes and (extended) pair. */
void theme_wattr(WINDOW *w, const struct theme *t, enum theme_element e);
/* setcchar with the element's attributes and (extended) pair. */
int theme_cchar(cchar_t *cc, const wchar_t *wch, const struct theme *t,
    enum theme_element e);

#endif
