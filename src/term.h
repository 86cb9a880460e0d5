/*
 * One terminal emulator (libvterm) rendered into a curses window, behind an
 * opaque handle: the console and ssh panes feed the guest's bytes in, draw, and
 * get the guest's input bytes back through the output callback. Only term.c
 * knows libvterm.
 *
 * Lines are numbered for the text accessors: 0..rows-1 is the screen, -1 the
 * most recent scrollback line, -2 the one before, and so on.
 *
 * Colours: cells get colour pairs from a pool shared by every term of the
 * process, allocated with alloc_pair but never more than COLOR_PAIRS minus a
 * reserve kept for the UI, so the console never evicts the theme's pairs. When
 * the pool is full a cell falls back to its foreground on the default
 * background, then to default colours.
 */
#ifndef QT_TERM_H
#define QT_TERM_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TERM_SCROLLBACK_DEFAULT	10000
/* Pairs the console pool leaves free for the UI (fewer on tiny terminals). */
#define TERM_PAIRS_RESERVED	64

struct term;

struct term_callbacks {
	/* Bytes for the guest: translated keys, pastes, answers to queries
	 * (CSI 6n, CSI c). Required. */
	void (*output)(const char *buf, size_t len, void *arg);
	/* BEL from the guest; may be NULL. */
	void (*bell)(void *arg);
	/* The guest set the window title (OSC 0/2); may be NULL. */
	void (*title)(const char *title, void *arg);
};

/* Cell attributes for term_cell. */
#define TERM_ATTR_BOLD		0x01u
#define TERM_ATTR_UNDERLINE	0x02u
#define TERM_ATTR_ITALIC	0x04u
#define TERM_ATTR_BLINK		0x08u
#define TERM_ATTR_REVERSE	0x10u
#define TERM_ATTR_STRIKE	0x20u
#define TERM_ATTR_CONCEAL	0x40u

#define TERM_CELL_MAXCHARS	6

/* A cell's colour as the guest set it. */
struct term_color {
	int value;	/* -1 default, 0-255 index, or 0xRRGGBB when rgb */
	bool rgb;
};

struct term_cell {
	uint32_t chars[TERM_CELL_MAXCHARS + 1];	/* 0-terminated; empty: blank */
	int width;	/* 1, 2 (wide), 0 for the right half of a wide char */
	unsigned attrs;	/* TERM_ATTR_* */
	struct term_color fg, bg;
};

/*
 * A rows x cols terminal (at least 1 row, 2 columns: one column crashes
 * libvterm 0.1.4; term_draw clips to the window anyway) keeping scrollback
 * lines of history
 * (0 for none, < 0 for TERM_SCROLLBACK_DEFAULT). cb is copied; arg is passed to
 * every callback.
 */
struct term *term_new(int rows, int cols, int scrollback,
    const struct term_callbacks *cb, void *arg);
void term_free(struct term *t);

/* Guest output in: parse, mark changed rows dirty. Safe with any bytes. */
void term_feed(struct term *t, const char *buf, size_t len);

/* New size (at least 1x2; no reflow). Scrollback is kept; lines pushed off the
 * top go to it, growing pulls them back. The whole pane is redrawn. After a
 * shrink the scroll region is reset and the guest's saved cursor (DECSC)
 * becomes the current one: libvterm 0.1.4 crashes on the stale ones. */
void term_resize(struct term *t, int rows, int cols);
void term_size(const struct term *t, int *rows, int *cols);

/* Whether term_draw has anything to draw. */
bool term_dirty(const struct term *t);
/* Redraw everything on the next term_draw (the window was recreated or
 * overwritten). */
void term_touch(struct term *t);

/*
 * Draw the changed rows (all of them after term_touch) of the screen, or of the
 * history when scrolled back, into w at (y, x), clipped to w. The window's own
 * attributes are left as they were. An unfocused pane shows the guest's cursor
 * as a reverse cell; a focused one leaves it to the UI (term_cursor).
 */
void term_draw(struct term *t, WINDOW *w, int y, int x, bool focused);

/* The guest's cursor (screen row and column); false when it is hidden or the
 * view is scrolled back, so the UI should hide the real cursor. */
bool term_cursor(const struct term *t, int *row, int *col);
/* Whether the guest is on the alternate screen (full-screen programs). */
bool term_altscreen(const struct term *t);

/*
 * A key from wget_wch: is_keycode for KEY_* codes (arrows, Home/End, PgUp/PgDn,
 * Insert/Delete, F1-F12 and their shifted forms, ncurses' extended
 * Shift/Alt/Ctrl arrow codes like kLFT5, Backspace as DEL, Enter as CR), else a
 * character: control bytes go out as they are, others as UTF-8 (an Alt
 * combination arrives from curses as ESC then the character). Returns -1 for a
 * key that has no translation.
 */
int term_key(struct term *t, int key, bool is_keycode);
/* Pasted text, sent intact, in bracketed-paste markers when the guest asked. */
void term_paste(struct term *t, const char *buf, size_t len);

/*
 * Move the view delta lines back into history (negative: towards the live
 * screen), clamped; returns the new offset (0 = live). New output while
 * scrolled back keeps the view on the same lines.
 */
int term_scroll(struct term *t, int delta);
/* Back to the live screen. */
void term_scroll_reset(struct term *t);
/* Lines of history held now. */
int term_scrollback_lines(const struct term *t);

/*
 * Find needle (UTF-8, case-sensitive) in history and screen: dir < 0 searches
 * backwards from the current match (or the bottom of the view), dir > 0
 * forwards, wrapping around. The view scrolls to show the match; every visible
 * occurrence is highlighted (the current one in bold) until term_search_clear.
 * Returns 0 when found, -1 when the needle is nowhere (or empty).
 */
int term_search(struct term *t, const char *needle, int dir);
void term_search_clear(struct term *t);

/* A line's text as UTF-8 without trailing blanks, NUL-terminated in buf (cut
 * at a character boundary). Returns its length, -1 when there is no such line. */
int term_line_text(const struct term *t, int line, char *buf, size_t len);
/* One cell; -1 when line or col is out of range. */
int term_cell(const struct term *t, int line, int col, struct term_cell *out);

/* Drop the colour pair pool: call after start_color/theme changes that may
 * have redefined pairs. Terms redraw fully on their next term_draw. */
void term_colors_reset(void);

/* Bytes of memory the scrollback uses (for measurements). */
size_t term_scrollback_bytes(const struct term *t);

#endif
