/* The terminal core: libvterm fed bytes, drawn into an off-screen curses pad. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <vterm.h>

#include "term.h"
#include "util.h"

/* ---- fixtures: an off-screen curses screen ---- */

static SCREEN *scr;
static FILE *scr_out, *scr_in;
static WINDOW *drawpad;		/* draw()'s pad, resized to the term */

static void
screen_open(const char *name)
{
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", name, 1);
	scr_out = fopen("/dev/null", "w");
	scr_in = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(scr_out);
	ck_assert_ptr_nonnull(scr_in);
	scr = newterm(name, scr_out, scr_in);
	ck_assert_ptr_nonnull(scr);
	set_term(scr);
	ck_assert(has_colors());
	start_color();
	use_default_colors();
	/* A reused address may look like the last screen. */
	term_colors_reset();
}

static void
screen_close(void)
{
	if (drawpad != NULL)
		delwin(drawpad);
	drawpad = NULL;
	endwin();
	delscreen(scr);
	fclose(scr_out);
	fclose(scr_in);
	scr = NULL;
}

static void
setup256(void)
{
	screen_open("xterm-256color");
}

static void
setup8(void)
{
	screen_open("xterm");
}

/* ---- output capture ---- */

static char out[65536];
static size_t outlen;
static char title[256];
static int bells;

static void
cap_output(const char *buf, size_t len, void *arg)
{
	(void)arg;
	ck_assert_uint_le(outlen + len, sizeof out - 1);
	memcpy(out + outlen, buf, len);
	outlen += len;
	out[outlen] = '\0';
}

static void
cap_bell(void *arg)
{
	(void)arg;
	bells++;
}

static void
cap_title(const char *s, void *arg)
{
	(void)arg;
	snprintf(title, sizeof title, "%s", s);
}

static const struct term_callbacks cbs = { cap_output, cap_bell, cap_title };

static struct term *
mkterm(int rows, int cols, int scrollback)
{
	outlen = 0;
	out[0] = '\0';
	title[0] = '\0';
	bells = 0;
	return term_new(rows, cols, scrollback, &cbs, NULL);
}

static void
feed(struct term *t, const char *s)
{
	term_feed(t, s, strlen(s));
}

static void
out_reset(void)
{
	outlen = 0;
	out[0] = '\0';
}

/* ---- reading the pad back ---- */

struct seen {
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attrs;
	int pair, fg, bg;
};

static struct seen
cell_at(WINDOW *w, int y, int x)
{
	struct seen s;
	cchar_t cc;
	short spair;

	memset(&s, 0, sizeof s);
	ck_assert_int_eq(mvwin_wch(w, y, x, &cc), OK);
	ck_assert_int_eq(getcchar(&cc, s.wch, &s.attrs, &spair, &s.pair), OK);
	ck_assert_int_eq(extended_pair_content(s.pair, &s.fg, &s.bg), OK);
	return s;
}

static wchar_t
char_at(WINDOW *w, int y, int x)
{
	return cell_at(w, y, x).wch[0];
}

/* Row y of the pad as UTF-8, trailing blanks trimmed. */
static void
row_text(WINDOW *w, int y, char *buf, size_t len)
{
	wchar_t line[512];
	int n;

	ck_assert_int_ne(mvwinnwstr(w, y, 0, line, 511), ERR);
	line[511] = L'\0';
	n = (int)wcstombs(buf, line, len);
	ck_assert_int_ge(n, 0);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

static char *
line(struct term *t, int n)
{
	static char buf[1024];

	if (term_line_text(t, n, buf, sizeof buf) < 0)
		return NULL;
	return buf;
}

static WINDOW *
draw(struct term *t, bool focused)
{
	int rows, cols;

	term_size(t, &rows, &cols);
	if (drawpad != NULL && (getmaxy(drawpad) != rows ||
	    getmaxx(drawpad) != cols)) {
		delwin(drawpad);
		drawpad = NULL;
	}
	if (drawpad == NULL) {
		drawpad = newpad(rows, cols);
		ck_assert_ptr_nonnull(drawpad);
	}
	term_draw(t, drawpad, 0, 0, focused);
	return drawpad;
}

/* A fresh pad each time, for tests that need one of their own. */
static WINDOW *
pad_for(struct term *t)
{
	int rows, cols;

	term_size(t, &rows, &cols);
	return newpad(rows, cols);
}

/* ---- text and layout ---- */

START_TEST(test_plain_text)
{
	struct term *t = mkterm(5, 20, 100);
	WINDOW *w;

	feed(t, "hello");
	ck_assert(term_dirty(t));
	w = pad_for(t);
	term_draw(t, w, 0, 0, true);
	ck_assert(!term_dirty(t));
	ck_assert_int_eq(char_at(w, 0, 0), L'h');
	ck_assert_int_eq(char_at(w, 0, 4), L'o');
	ck_assert_int_eq(char_at(w, 0, 5), L' ');
	ck_assert_int_eq(char_at(w, 1, 0), L' ');
	ck_assert_str_eq(line(t, 0), "hello");
	ck_assert_str_eq(line(t, 1), "");
	ck_assert_ptr_null(line(t, 5));
	ck_assert_ptr_null(line(t, -1));
	delwin(w);
	term_free(t);
}
END_TEST

START_TEST(test_crlf_and_wrap)
{
	struct term *t = mkterm(5, 10, 100);
	WINDOW *w;
	char buf[64];

	feed(t, "abc\r\ndef\r\n0123456789AB");
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "abc");
	row_text(w, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "def");
	/* The right margin wraps onto the next row. */
	row_text(w, 2, buf, sizeof buf);
	ck_assert_str_eq(buf, "0123456789");
	row_text(w, 3, buf, sizeof buf);
	ck_assert_str_eq(buf, "AB");
	ck_assert_str_eq(line(t, 3), "AB");
	/* A lone LF moves down without returning. */
	feed(t, "\nX");
	ck_assert_str_eq(line(t, 4), "  X");
	term_free(t);
}
END_TEST

START_TEST(test_cursor)
{
	struct term *t = mkterm(10, 20, 100);
	WINDOW *w;
	int row, col;

	ck_assert(term_cursor(t, &row, &col));
	ck_assert_int_eq(row, 0);
	ck_assert_int_eq(col, 0);
	feed(t, "\033[5;10HX");
	ck_assert(term_cursor(t, &row, &col));
	ck_assert_int_eq(row, 4);
	ck_assert_int_eq(col, 10);
	w = draw(t, true);
	ck_assert_int_eq(char_at(w, 4, 9), L'X');
	/* Focused: the UI places the real cursor, the cell is plain. */
	ck_assert(!(cell_at(w, 4, 10).attrs & A_REVERSE));
	/* Unfocused: a reverse cell shows where it is, and moves along. */
	w = draw(t, false);
	ck_assert(cell_at(w, 4, 10).attrs & A_REVERSE);
	feed(t, "\033[1;1H");
	w = draw(t, false);
	ck_assert(!(cell_at(w, 4, 10).attrs & A_REVERSE));
	ck_assert(cell_at(w, 0, 0).attrs & A_REVERSE);
	w = draw(t, true);
	ck_assert(!(cell_at(w, 0, 0).attrs & A_REVERSE));
	feed(t, "\033[?25l");
	ck_assert(!term_cursor(t, &row, &col));
	feed(t, "\033[?25h");
	ck_assert(term_cursor(t, &row, &col));
	/* Out of range positions are clamped by the terminal. */
	feed(t, "\033[99;99H");
	ck_assert(term_cursor(t, &row, &col));
	ck_assert_int_eq(row, 9);
	ck_assert_int_eq(col, 19);
	term_free(t);
}
END_TEST

/* ---- attributes and colours ---- */

START_TEST(test_sgr_attrs)
{
	struct term *t = mkterm(5, 20, 100);
	struct term_cell c;
	WINDOW *w;

	feed(t, "\033[1mB\033[0m\033[4mU\033[0m\033[7mR\033[0m\033[3mI\033[0m"
	    "\033[5mK\033[0mN\033[9mS");
	w = draw(t, true);
	ck_assert(cell_at(w, 0, 0).attrs & A_BOLD);
	ck_assert(!(cell_at(w, 0, 0).attrs & A_UNDERLINE));
	ck_assert(cell_at(w, 0, 1).attrs & A_UNDERLINE);
	ck_assert(cell_at(w, 0, 2).attrs & A_REVERSE);
	ck_assert(cell_at(w, 0, 3).attrs & A_ITALIC);
	ck_assert(cell_at(w, 0, 4).attrs & A_BLINK);
	ck_assert_int_eq(cell_at(w, 0, 5).attrs & (A_BOLD | A_UNDERLINE |
	    A_REVERSE | A_ITALIC | A_BLINK), 0);
	ck_assert_int_eq(char_at(w, 0, 6), L'S');
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_uint_eq(c.attrs, TERM_ATTR_BOLD);
	ck_assert_int_eq(term_cell(t, 0, 6, &c), 0);
	ck_assert_uint_eq(c.attrs, TERM_ATTR_STRIKE);
	ck_assert_int_eq(term_cell(t, 0, 20, &c), -1);
	term_free(t);
}
END_TEST

START_TEST(test_colors_256)
{
	struct term *t = mkterm(5, 20, 100);
	struct term_cell c;
	struct seen s;
	WINDOW *w;

	ck_assert_int_ge(COLORS, 256);
	feed(t, "\033[31mr\033[0md\033[38;5;196mx\033[38;2;255;0;0my"
	    "\033[0;48;5;21mb\033[0;97;41mw");
	w = draw(t, true);
	s = cell_at(w, 0, 0);
	ck_assert_int_eq(s.fg, COLOR_RED);
	ck_assert_int_eq(s.bg, -1);
	s = cell_at(w, 0, 1);
	ck_assert_int_eq(s.pair, 0);
	ck_assert_int_eq(s.fg, -1);
	ck_assert_int_eq(s.bg, -1);
	ck_assert_int_eq(cell_at(w, 0, 2).fg, 196);
	/* RGB becomes the nearest of the 256. */
	ck_assert_int_eq(cell_at(w, 0, 3).fg, 196);
	s = cell_at(w, 0, 4);
	ck_assert_int_eq(s.fg, -1);
	ck_assert_int_eq(s.bg, 21);
	s = cell_at(w, 0, 5);
	ck_assert_int_eq(s.fg, 15);
	ck_assert_int_eq(s.bg, COLOR_RED);
	ck_assert(!(s.attrs & A_BOLD));

	/* The cells as the guest set them. */
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, 1);
	ck_assert(!c.fg.rgb);
	ck_assert_int_eq(c.bg.value, -1);
	ck_assert_int_eq(term_cell(t, 0, 3, &c), 0);
	ck_assert(c.fg.rgb);
	ck_assert_int_eq(c.fg.value, 0xff0000);
	term_free(t);
}
END_TEST

START_TEST(test_colors_8)
{
	struct term *t = mkterm(5, 20, 100);
	struct seen s;
	WINDOW *w;

	ck_assert_int_eq(COLORS, 8);
	feed(t, "\033[91mX\033[0;31mY\033[0;38;5;196mZ\033[0;38;2;0;0;139mB"
	    "\033[0;101mG");
	w = draw(t, true);
	/* Bright red: red in bold. */
	s = cell_at(w, 0, 0);
	ck_assert_int_eq(s.fg, COLOR_RED);
	ck_assert(s.attrs & A_BOLD);
	s = cell_at(w, 0, 1);
	ck_assert_int_eq(s.fg, COLOR_RED);
	ck_assert(!(s.attrs & A_BOLD));
	/* 196 is pure red: bright red. */
	s = cell_at(w, 0, 2);
	ck_assert_int_eq(s.fg, COLOR_RED);
	ck_assert(s.attrs & A_BOLD);
	/* Dark blue RGB: blue. */
	ck_assert_int_eq(cell_at(w, 0, 3).fg, COLOR_BLUE);
	/* A bright background has no bold trick: plain red. */
	s = cell_at(w, 0, 4);
	ck_assert_int_eq(s.bg, COLOR_RED);
	ck_assert(!(s.attrs & A_BOLD));
	term_free(t);
}
END_TEST

/* The console's pairs never push out the UI's: fill every combination of
 * 8 colours on a 64-pair terminal. */
START_TEST(test_pairs_keep_ui)
{
	struct term *t = mkterm(20, 80, 0);
	int ui, fg, bg, f, b;
	char buf[64];
	WINDOW *w;

	ck_assert_int_eq(COLOR_PAIRS, 64);
	ui = alloc_pair(COLOR_GREEN, COLOR_MAGENTA);
	ck_assert_int_gt(ui, 0);
	for (f = 0; f < 8; f++) {
		for (b = 0; b < 8; b++) {
			snprintf(buf, sizeof buf, "\033[3%d;4%dm#", f, b);
			feed(t, buf);
		}
		feed(t, "\033[0m\r\n");
	}
	w = draw(t, true);
	ck_assert_int_eq(extended_pair_content(ui, &fg, &bg), OK);
	ck_assert_int_eq(fg, COLOR_GREEN);
	ck_assert_int_eq(bg, COLOR_MAGENTA);
	/* The colours that got a pair are right; the rest fell back to the
	 * foreground on the default background, or to default colours. */
	for (f = 0; f < 8; f++) {
		for (b = 0; b < 8; b++) {
			struct seen s = cell_at(w, f, b);

			if (f * 8 + b < COLOR_PAIRS / 2 - 1) {
				ck_assert_int_eq(s.fg, f);
				ck_assert_int_eq(s.bg, b);
			} else
				ck_assert((s.fg == f && (s.bg == b || s.bg == -1)) ||
				    (s.fg == -1 && s.bg == -1));
		}
	}
	term_free(t);
}
END_TEST

/* ---- characters ---- */

START_TEST(test_wide_chars)
{
	struct term *t = mkterm(5, 20, 100);
	struct term_cell c;
	WINDOW *w;

	feed(t, "\xe6\xbc\xa2" "a" "\xf0\x9f\x98\x80" "b");	/* 漢 a 😀 b */
	w = draw(t, true);
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_int_eq(c.width, 2);
	ck_assert_uint_eq(c.chars[0], 0x6f22);
	ck_assert_int_eq(term_cell(t, 0, 1, &c), 0);
	ck_assert_int_eq(c.width, 0);
	ck_assert_int_eq(char_at(w, 0, 0), 0x6f22);
	ck_assert_int_eq(char_at(w, 0, 2), L'a');
	ck_assert_int_eq(char_at(w, 0, 3), 0x1f600);
	ck_assert_int_eq(char_at(w, 0, 5), L'b');
	ck_assert_str_eq(line(t, 0), "\xe6\xbc\xa2" "a" "\xf0\x9f\x98\x80" "b");
	/* No room at the right margin: it wraps whole. */
	feed(t, "\r\n0123456789012345678\xe6\xbc\xa2");
	ck_assert_str_eq(line(t, 2), "\xe6\xbc\xa2");
	/* Cut by the window's edge: a blank there. */
	feed(t, "\033[H\033[2Kab\xe6\xbc\xa2");
	w = newpad(5, 3);
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 1), L'b');
	ck_assert_int_eq(char_at(w, 0, 2), L' ');
	delwin(w);
	term_free(t);
}
END_TEST

START_TEST(test_combining)
{
	struct term *t = mkterm(5, 20, 100);
	struct term_cell c;
	struct seen s;
	WINDOW *w;

	feed(t, "e\xcc\x81x");	/* e + U+0301 */
	w = draw(t, true);
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_uint_eq(c.chars[0], 'e');
	ck_assert_uint_eq(c.chars[1], 0x301);
	ck_assert_uint_eq(c.chars[2], 0);
	s = cell_at(w, 0, 0);
	ck_assert_int_eq(s.wch[0], L'e');
	ck_assert_int_eq(s.wch[1], 0x301);
	ck_assert_int_eq(char_at(w, 0, 1), L'x');
	ck_assert_str_eq(line(t, 0), "e\xcc\x81x");
	/* More combining chars than curses holds: no crash, the base stays. */
	feed(t, "\r\na\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87");
	w = draw(t, true);
	ck_assert_int_eq(char_at(w, 1, 0), L'a');
	term_free(t);
}
END_TEST

/* ---- screens and scrollback ---- */

static void
feed_lines(struct term *t, int from, int to)
{
	char buf[64];
	int i;

	for (i = from; i <= to; i++) {
		snprintf(buf, sizeof buf, "line %d\r\n", i);
		feed(t, buf);
	}
}

START_TEST(test_altscreen)
{
	struct term *t = mkterm(10, 20, 100);
	WINDOW *w;
	char buf[64];

	feed(t, "main screen\r\nsecond");
	ck_assert(!term_altscreen(t));
	feed(t, "\033[?1049h");
	ck_assert(term_altscreen(t));
	ck_assert_str_eq(line(t, 0), "");
	feed_lines(t, 1, 50);
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 42");
	feed(t, "\033[?1049l");
	ck_assert(!term_altscreen(t));
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	ck_assert_str_eq(line(t, 0), "main screen");
	ck_assert_str_eq(line(t, 1), "second");
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "main screen");
	row_text(w, 2, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	term_free(t);
}
END_TEST

START_TEST(test_scrollback_order)
{
	struct term *t = mkterm(10, 20, 1000);
	char want[32];
	int i;

	feed_lines(t, 1, 100);
	/* 100 lines and an empty cursor row: 91 went up. */
	ck_assert_int_eq(term_scrollback_lines(t), 91);
	ck_assert_str_eq(line(t, 0), "line 92");
	ck_assert_str_eq(line(t, 8), "line 100");
	ck_assert_str_eq(line(t, 9), "");
	for (i = 1; i <= 91; i++) {
		snprintf(want, sizeof want, "line %d", 92 - i);
		ck_assert_str_eq(line(t, -i), want);
	}
	ck_assert_ptr_null(line(t, -92));
	term_free(t);
}
END_TEST

/* Under DECSCNM (the whole screen reversed) a line goes to the history as
 * shown: its trailing blanks are reversed too, and kept. */
START_TEST(test_scrollback_reverse_screen)
{
	struct term *t = mkterm(3, 10, 100);
	struct term_cell c;

	feed(t, "\033[?5hab\r\nx\r\ny\r\nz");
	ck_assert_int_eq(term_scrollback_lines(t), 1);
	ck_assert_str_eq(line(t, -1), "ab");
	ck_assert_int_eq(term_cell(t, -1, 9, &c), 0);
	ck_assert(c.attrs & TERM_ATTR_REVERSE);
	feed(t, "\033[?5l\r\nw");
	ck_assert_int_eq(term_cell(t, -2, 0, &c), 0);
	ck_assert(c.attrs & TERM_ATTR_REVERSE);
	ck_assert_int_eq(term_cell(t, -1, 9, &c), 0);
	ck_assert(!(c.attrs & TERM_ATTR_REVERSE));
	term_free(t);
}
END_TEST

START_TEST(test_scrollback_limit)
{
	struct term *t = mkterm(10, 20, 50);

	feed_lines(t, 1, 100);
	ck_assert_int_eq(term_scrollback_lines(t), 50);
	ck_assert_str_eq(line(t, -1), "line 91");
	ck_assert_str_eq(line(t, -50), "line 42");
	ck_assert_ptr_null(line(t, -51));
	term_free(t);

	t = mkterm(10, 20, 0);
	feed_lines(t, 1, 100);
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	ck_assert_ptr_null(line(t, -1));
	term_free(t);
}
END_TEST

/* A coloured line numbered n: a colour change every cell, so that a line
 * takes ~600 bytes of history and 400 of them span several blocks. */
static void
feed_coloured_line(struct term *t, int n)
{
	char buf[1024];
	int k, len;

	len = snprintf(buf, sizeof buf, "L%05d", n);
	for (k = 0; k < 30; k++)
		len += snprintf(buf + len, sizeof buf - (size_t)len,
		    "\033[3%dm%c", k % 8, 'a' + (n + k) % 26);
	len += snprintf(buf + len, sizeof buf - (size_t)len, "\033[0m\r\n");
	term_feed(t, buf, (size_t)len);
}

static void
coloured_line_is(struct term *t, int l, int n)
{
	char want[64];
	int k, len;

	len = snprintf(want, sizeof want, "L%05d", n);
	for (k = 0; k < 30; k++)
		want[len++] = (char)('a' + (n + k) % 26);
	want[len] = '\0';
	ck_assert_ptr_nonnull(line(t, l));
	ck_assert_str_eq(line(t, l), want);
}

/* History lives in blocks dropped as a whole: lines dropped from the oldest,
 * taken back from the newest when the screen grows (across blocks), pushed
 * again after, in order, in bounded memory. */
START_TEST(test_scrollback_blocks)
{
	struct term *t = mkterm(5, 40, 400);
	size_t steady;
	int i, sb;

	for (i = 1; i <= 3000; i++)
		feed_coloured_line(t, i);
	/* 3000 lines and the cursor row: 2996 went up, the last 400 kept. */
	ck_assert_int_eq(term_scrollback_lines(t), 400);
	for (i = 1; i <= 400; i++)
		coloured_line_is(t, -i, 2997 - i);
	steady = term_scrollback_bytes(t);
	ck_assert_uint_gt(steady, 400u * 500);
	ck_assert_uint_lt(steady, 1u << 20);

	/* Grow by 295 rows: that many lines come back from the history. */
	term_resize(t, 300, 40);
	sb = term_scrollback_lines(t);
	ck_assert_int_eq(sb, 105);
	for (i = 1; i <= sb; i++)
		coloured_line_is(t, -i, 2997 - 295 - i);
	coloured_line_is(t, 0, 2997 - 295);
	coloured_line_is(t, 294, 2996);
	ck_assert_uint_lt(term_scrollback_bytes(t), steady);

	/* Shrink again and flood: order and memory as before. */
	term_resize(t, 5, 40);
	for (i = 3001; i <= 6000; i++)
		feed_coloured_line(t, i);
	ck_assert_int_eq(term_scrollback_lines(t), 400);
	for (i = 1; i <= 400; i++)
		coloured_line_is(t, -i, 5997 - i);
	ck_assert_uint_lt(term_scrollback_bytes(t), steady + (128u << 10));
	term_free(t);

	/* One line of history: its only block starts over each time. */
	t = mkterm(3, 40, 1);
	for (i = 1; i <= 500; i++)
		feed_coloured_line(t, i);
	ck_assert_int_eq(term_scrollback_lines(t), 1);
	coloured_line_is(t, -1, 498);
	ck_assert_uint_lt(term_scrollback_bytes(t), 256u << 10);
	term_resize(t, 4, 40);
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	coloured_line_is(t, 0, 498);
	feed_coloured_line(t, 501);
	feed_coloured_line(t, 502);
	ck_assert_int_eq(term_scrollback_lines(t), 1);
	term_free(t);
}
END_TEST

START_TEST(test_scrollback_keeps_cells)
{
	struct term *t = mkterm(3, 20, 100);
	struct term_cell c;

	feed(t, "\033[1;31mred\033[0m \xe6\xbc\xa2" "e\xcc\x81" "\033[38;2;1;2;3mz"
	    "\033[0m\r\n\r\n\r\n\r\n");
	ck_assert_int_eq(term_scrollback_lines(t), 2);
	ck_assert_str_eq(line(t, -2), "red \xe6\xbc\xa2" "e\xcc\x81" "z");
	ck_assert_int_eq(term_cell(t, -2, 0, &c), 0);
	ck_assert_uint_eq(c.chars[0], 'r');
	ck_assert_int_eq(c.fg.value, 1);
	ck_assert_uint_eq(c.attrs, TERM_ATTR_BOLD);
	ck_assert_int_eq(term_cell(t, -2, 3, &c), 0);
	ck_assert_int_eq(c.fg.value, -1);
	ck_assert_uint_eq(c.attrs, 0);
	ck_assert_int_eq(term_cell(t, -2, 4, &c), 0);
	ck_assert_int_eq(c.width, 2);
	ck_assert_int_eq(term_cell(t, -2, 5, &c), 0);
	ck_assert_int_eq(c.width, 0);
	ck_assert_int_eq(term_cell(t, -2, 6, &c), 0);
	ck_assert_uint_eq(c.chars[1], 0x301);
	ck_assert_int_eq(term_cell(t, -2, 7, &c), 0);
	ck_assert(c.fg.rgb);
	ck_assert_int_eq(c.fg.value, 0x010203);
	ck_assert_int_eq(term_cell(t, -2, 19, &c), 0);
	ck_assert_uint_eq(c.chars[0], 0);
	ck_assert_int_eq(c.width, 1);

	/* Growing pulls the lines back onto the screen, cells intact. */
	term_resize(t, 6, 20);
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	ck_assert_str_eq(line(t, 0), "red \xe6\xbc\xa2" "e\xcc\x81" "z");
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, 1);
	ck_assert_int_eq(term_cell(t, 0, 4, &c), 0);
	ck_assert_int_eq(c.width, 2);
	term_free(t);
}
END_TEST

START_TEST(test_resize)
{
	struct term *t = mkterm(10, 40, 1000);
	char want[32];
	int rows, cols, i, row, col, sb;

	feed_lines(t, 1, 5);
	feed(t, "prompt$ ");
	term_resize(t, 3, 20);
	term_size(t, &rows, &cols);
	ck_assert_int_eq(rows, 3);
	ck_assert_int_eq(cols, 20);
	draw(t, true);
	/* The cursor row stays on screen. */
	ck_assert(term_cursor(t, &row, &col));
	ck_assert_str_eq(line(t, row), "prompt$");
	sb = term_scrollback_lines(t);
	ck_assert_int_ge(sb, 3);

	term_resize(t, 1, 1);
	draw(t, true);
	term_resize(t, 0, -5);	/* clamped to 1x2 */
	term_size(t, &rows, &cols);
	ck_assert_int_eq(rows, 1);
	ck_assert_int_eq(cols, 2);
	/* Double-width line on the narrowest term (crashed libvterm at 1). */
	feed(t, "\033#6\033[1;31m\033[K");
	feed(t, "xyz\r\n\033[31mq");
	draw(t, false);
	term_resize(t, 10, 40);
	draw(t, true);

	/* Every line is still there, in order, somewhere. */
	sb = term_scrollback_lines(t);
	for (i = 1; i <= 5; i++) {
		snprintf(want, sizeof want, "line %d", i);
		ck_assert_str_eq(line(t, -sb + i - 1), want);
	}
	term_free(t);
}
END_TEST

/* libvterm 0.1.4 keeps a saved cursor and a scroll region past a shrunk
 * screen; restored, they crashed it. */
START_TEST(test_resize_stale_state)
{
	struct term *t = mkterm(28, 80, 100);
	struct term_cell c;
	int row, col;

	feed(t, "\033[28;70H\0337");
	term_resize(t, 21, 40);
	feed(t, "\0338\033#6x\033[1;1H");
	draw(t, true);
	term_free(t);

	t = mkterm(24, 80, 100);
	feed(t, "\033[5;20r");
	term_resize(t, 1, 24);
	feed(t, "\n\n\033M\033[3L\033[3M");
	draw(t, true);
	term_free(t);

	/* Resized in the middle of a guest's sequence: it stays intact, the
	 * fix goes in after it. */
	t = mkterm(28, 80, 100);
	feed(t, "\033[28;70H\0337\033[3");
	term_resize(t, 10, 20);
	feed(t, "1mX");
	ck_assert_int_eq(term_cell(t, 9, 19, &c), 0);
	ck_assert_uint_eq(c.chars[0], 'X');
	ck_assert_int_eq(c.fg.value, 1);
	feed(t, "\0338\033#6y");
	ck_assert(term_cursor(t, &row, &col));
	ck_assert_int_lt(row, 10);
	draw(t, true);
	/* Split inside a UTF-8 char too. */
	feed(t, "\033[1;1H\xe6\xbc");
	term_resize(t, 5, 10);
	feed(t, "\xa2");
	ck_assert_str_eq(line(t, 0), "\xe6\xbc\xa2");
	/* An OSC in progress carries on too. */
	feed(t, "\033]2;ti");
	term_resize(t, 4, 8);
	feed(t, "tle\007\0338\033#6z");
	ck_assert_str_eq(title, "title");
	term_free(t);
}
END_TEST

/* The sequences that touch libvterm's edges, split anywhere, with resizes. */
START_TEST(test_fuzz_sequences)
{
	static const char *voc[] = {
		"\0337", "\0338", "\033[?1049h", "\033[?1049l", "\033[?1048h",
		"\033[?1048l", "\033[?47h", "\033[?47l", "\033#6", "\033#3",
		"\033#4", "\033#5", "\033#8", "\033[5;20r", "\033[r", "\033[?69h",
		"\033[5;30s", "\033[?69l", "\033[3L", "\033[3M", "\033[4@",
		"\033[4P", "\033H", "\033[3g", "\033[0g", "\t", "\033[99;99H",
		"\033[H", "\xe6\xbc\xa2", "e\xcc\x81", "\xf0\x9f\x98\x80", "abc",
		"\r\n", "\n", "\033[2J", "\033[K", "\033[1;31m", "\033[0m",
		"\033[?6h", "\033[?6l", "\033]2;t\007", "\033[6n", "\033[s",
		"\033[u", "\033[10S", "\033[10T", "\033D", "\033M", "\033[?7l",
		"\033[?7h", "\033[4h", "\033[4l", "\033c", "\033[!p",
		"\033[1;1H\033[999C", "\033[20X", "\033[?25l", "\033]2;long",
	};
	struct term *t = mkterm(24, 80, 200);
	char buf[1024];
	size_t n, l, cut;
	int i, j;

	srand(4242);
	for (i = 0; i < 4000; i++) {
		n = 0;
		for (j = rand() % 20; j > 0; j--) {
			const char *v = voc[rand() % (int)(sizeof voc / sizeof voc[0])];

			l = strlen(v);
			memcpy(buf + n, v, l);
			n += l;
		}
		cut = n > 0 ? (size_t)rand() % n : 0;
		term_feed(t, buf, cut);
		if (rand() % 8 == 0)
			term_resize(t, rand() % 40 + 1, rand() % 100 + 1);
		term_feed(t, buf + cut, n - cut);
		if (rand() % 10 == 0)
			term_resize(t, rand() % 40 + 1, rand() % 100 + 1);
		if (rand() % 50 == 0)
			term_scroll(t, rand() % 50 - 10);
		if (i % 97 == 0)
			draw(t, i % 2);
		if (outlen > sizeof out / 2)
			out_reset();
	}
	term_free(t);
}
END_TEST

START_TEST(test_scroll_view)
{
	struct term *t = mkterm(10, 20, 1000);
	WINDOW *w;
	char buf[64];
	int row, col;

	feed_lines(t, 1, 100);
	ck_assert_int_eq(term_scroll(t, 0), 0);
	ck_assert_int_eq(term_scroll(t, 1000), 91);
	ck_assert(!term_cursor(t, &row, &col));
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 1");
	row_text(w, 9, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 10");
	ck_assert_int_eq(term_scroll(t, -86), 5);
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 87");
	row_text(w, 5, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 92");	/* screen row 0 */
	ck_assert_int_eq(term_scroll(t, -1000), 0);
	ck_assert(term_cursor(t, &row, &col));

	/* New output while scrolled back keeps the view on its lines. */
	term_scroll(t, 20);
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 72");
	feed_lines(t, 101, 130);
	ck_assert_int_eq(term_scroll(t, 0), 50);
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 72");
	row_text(w, 9, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 81");
	/* Partly history, partly screen: the screen part follows output. */
	term_scroll_reset(t);
	term_scroll(t, 3);
	feed(t, "tail");
	w = draw(t, true);
	row_text(w, 9, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 128");
	ck_assert_str_eq(line(t, 9), "tail");
	term_scroll_reset(t);
	ck_assert_int_eq(term_scroll(t, 0), 0);
	term_free(t);
}
END_TEST

/* Only changed rows are redrawn until term_touch. */
START_TEST(test_damage)
{
	struct term *t = mkterm(5, 20, 100);
	WINDOW *w = pad_for(t);
	cchar_t cc;
	wchar_t z[2] = { L'Z', L'\0' };

	feed(t, "first\r\nsecond");
	term_draw(t, w, 0, 0, true);
	ck_assert(!term_dirty(t));
	setcchar(&cc, z, A_NORMAL, 0, NULL);
	mvwadd_wch(w, 0, 0, &cc);
	feed(t, "\033[4;1Hfourth");
	ck_assert(term_dirty(t));
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 0), L'Z');	/* not redrawn */
	ck_assert_int_eq(char_at(w, 3, 0), L'f');
	term_touch(t);
	ck_assert(term_dirty(t));
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 0), L'f');
	mvwadd_wch(w, 0, 0, &cc);
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 0), L'Z');
	/* Another window or place: everything again. */
	delwin(w);
	w = newpad(10, 30);
	term_draw(t, w, 2, 3, true);
	ck_assert_int_eq(char_at(w, 2, 3), L'f');
	ck_assert_int_eq(char_at(w, 5, 3), L'f');
	/* Clipped by a small window: no crash, the visible part drawn. */
	delwin(w);
	w = newpad(2, 3);
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 2), L'r');
	term_draw(t, w, 5, 5, true);
	delwin(w);
	term_free(t);
}
END_TEST

/* A glyph marks its screen row for drawing wherever the view puts it, and
 * only that row. */
START_TEST(test_damage_scrolled)
{
	struct term *t = mkterm(5, 20, 100);
	WINDOW *w = pad_for(t);
	cchar_t cc;
	wchar_t z[2] = { L'Z', L'\0' };

	feed_lines(t, 1, 10);
	term_scroll(t, 2);
	term_draw(t, w, 0, 0, true);
	ck_assert(!term_dirty(t));
	setcchar(&cc, z, A_NORMAL, 0, NULL);
	mvwadd_wch(w, 0, 0, &cc);
	mvwadd_wch(w, 3, 0, &cc);
	/* Screen row 1 shows at display row 3; row 4 is below the view. */
	feed(t, "\033[2;1Hq\033[5;1Hr");
	ck_assert(term_dirty(t));
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 0, 0), L'Z');	/* not redrawn */
	ck_assert_int_eq(char_at(w, 3, 0), L'q');
	ck_assert(!term_dirty(t));
	term_scroll_reset(t);
	term_draw(t, w, 0, 0, true);
	ck_assert_int_eq(char_at(w, 4, 0), L'r');
	delwin(w);
	term_free(t);
}
END_TEST

/* ---- search ---- */

START_TEST(test_search)
{
	struct term *t = mkterm(10, 30, 10000);
	WINDOW *w;
	char buf[64];
	int r, found = -1;

	feed_lines(t, 1, 19);
	feed(t, "xx needle-xyz yy needle-xyz\r\n");
	feed_lines(t, 21, 1000);
	ck_assert_int_eq(term_search(t, "nothing-here", -1), -1);
	ck_assert_int_eq(term_scroll(t, 0), 0);
	ck_assert_int_eq(term_search(t, "", -1), -1);

	ck_assert_int_eq(term_search(t, "needle-xyz", -1), 0);
	ck_assert_int_gt(term_scroll(t, 0), 900);
	w = draw(t, true);
	for (r = 0; r < 10; r++) {
		row_text(w, r, buf, sizeof buf);
		if (strcmp(buf, "xx needle-xyz yy needle-xyz") == 0)
			found = r;
	}
	ck_assert_int_ge(found, 0);
	/* Both occurrences highlighted, the current one (the last, searching
	 * backwards) in bold too; the rest of the line plain. */
	ck_assert(cell_at(w, found, 3).attrs & A_REVERSE);
	ck_assert(cell_at(w, found, 12).attrs & A_REVERSE);
	ck_assert(!(cell_at(w, found, 13).attrs & A_REVERSE));
	ck_assert(!(cell_at(w, found, 3).attrs & A_BOLD));
	ck_assert(cell_at(w, found, 17).attrs & A_BOLD);
	/* Backwards again: the first one on the same line. */
	ck_assert_int_eq(term_search(t, "needle-xyz", -1), 0);
	w = draw(t, true);
	ck_assert(cell_at(w, found, 3).attrs & A_BOLD);
	ck_assert(!(cell_at(w, found, 17).attrs & A_BOLD));
	/* Forwards: back to the second. */
	ck_assert_int_eq(term_search(t, "needle-xyz", 1), 0);
	w = draw(t, true);
	ck_assert(cell_at(w, found, 17).attrs & A_BOLD);
	term_search_clear(t);
	w = draw(t, true);
	ck_assert(!(cell_at(w, found, 3).attrs & A_REVERSE));

	/* A line on the screen: the view stays live. */
	term_scroll_reset(t);
	ck_assert_int_eq(term_search(t, "line 995", -1), 0);
	ck_assert_int_eq(term_scroll(t, 0), 0);
	/* UTF-8 needles. */
	feed(t, "caf\xc3\xa9 \xe6\xbc\xa2\xe5\xad\x97 end\r\n");
	ck_assert_int_eq(term_search(t, "\xe6\xbc\xa2\xe5\xad\x97 e", -1), 0);
	w = draw(t, true);
	ck_assert(!(cell_at(w, 8, 4).attrs & A_REVERSE));
	ck_assert(cell_at(w, 8, 5).attrs & A_REVERSE);
	ck_assert(cell_at(w, 8, 10).attrs & A_REVERSE);
	ck_assert(!(cell_at(w, 8, 11).attrs & A_REVERSE));
	term_free(t);
}
END_TEST

/* ---- input ---- */

START_TEST(test_keys)
{
	struct term *t = mkterm(5, 20, 100);
	char *s;
	int k;

	ck_assert_int_eq(term_key(t, KEY_UP, true), 0);
	ck_assert_str_eq(out, "\033[A");
	out_reset();
	feed(t, "\033[?1h");	/* application cursor keys */
	term_key(t, KEY_UP, true);
	term_key(t, KEY_LEFT, true);
	ck_assert_str_eq(out, "\033OA\033OD");
	feed(t, "\033[?1l");
	out_reset();
	term_key(t, 3, false);
	ck_assert_int_eq(outlen, 1);
	ck_assert_int_eq(out[0], 3);
	out_reset();
	term_key(t, 0, false);	/* Ctrl-Space / Ctrl-@ */
	ck_assert_int_eq(outlen, 1);
	ck_assert_int_eq(out[0], 0);
	out_reset();
	term_key(t, KEY_BACKSPACE, true);
	term_key(t, 0x7f, false);
	term_key(t, 0x1b, false);
	term_key(t, 'x', false);
	ck_assert_str_eq(out, "\x7f\x7f\033x");
	out_reset();
	term_key(t, 0xe9, false);
	term_key(t, 0x6f22, false);
	ck_assert_str_eq(out, "\xc3\xa9\xe6\xbc\xa2");
	out_reset();
	term_key(t, KEY_F(1), true);
	term_key(t, KEY_F(5), true);
	term_key(t, KEY_F(13), true);	/* Shift+F1 */
	ck_assert_str_eq(out, "\033OP\033[15~\033[1;2P");
	out_reset();
	term_key(t, KEY_ENTER, true);
	term_key(t, '\r', false);
	ck_assert_str_eq(out, "\r\r");
	out_reset();
	term_key(t, KEY_HOME, true);
	term_key(t, KEY_END, true);
	term_key(t, KEY_PPAGE, true);
	term_key(t, KEY_NPAGE, true);
	term_key(t, KEY_IC, true);
	term_key(t, KEY_DC, true);
	ck_assert_str_eq(out, "\033[H\033[F\033[5~\033[6~\033[2~\033[3~");
	out_reset();
	term_key(t, KEY_SLEFT, true);
	term_key(t, KEY_BTAB, true);
	ck_assert_str_eq(out, "\033[1;2D\033[Z");
	out_reset();
	/* ncurses' extended Ctrl+Left, when the terminfo has it. */
	s = tigetstr("kLFT5");
	if (s != NULL && s != (char *)-1 && (k = key_defined(s)) > 0) {
		ck_assert_int_eq(term_key(t, k, true), 0);
		ck_assert_str_eq(out, "\033[1;5D");
		out_reset();
	}
	ck_assert_int_eq(term_key(t, KEY_RESIZE, true), -1);
	ck_assert_int_eq(term_key(t, 0x110000, false), -1);
	ck_assert_int_eq(outlen, 0);
	term_free(t);
}
END_TEST

START_TEST(test_paste)
{
	struct term *t = mkterm(5, 20, 100);
	const char text[] = "echo a\nb\tc\033[31m\r\n";

	term_paste(t, text, sizeof text - 1);
	ck_assert_uint_eq(outlen, sizeof text - 1);
	ck_assert_str_eq(out, text);
	out_reset();
	feed(t, "\033[?2004h");
	term_paste(t, "hi", 2);
	ck_assert_str_eq(out, "\033[200~hi\033[201~");
	term_free(t);
}
END_TEST

START_TEST(test_queries)
{
	struct term *t = mkterm(10, 20, 100);

	feed(t, "\033[3;4H\033[6n");
	ck_assert_str_eq(out, "\033[3;4R");
	out_reset();
	feed(t, "\033[c");
	ck_assert_int_gt(outlen, 3);
	ck_assert(strncmp(out, "\033[?", 3) == 0);
	/* Title and bell reach the callbacks. */
	feed(t, "\033]2;my title\007\007");
	ck_assert_str_eq(title, "my title");
	ck_assert_int_eq(bells, 1);
	term_free(t);
}
END_TEST

/* ---- robustness and size ---- */

START_TEST(test_garbage)
{
	static const char esc[] = "\033[;?0123456789mHJKr\n\r\x9b\x90\x1b]";
	struct term *t = mkterm(24, 80, 500);
	char *buf = xmalloc(1 << 20);
	size_t i, off, n;
	WINDOW *w;
	int round = 0;

	srand(12345);
	for (i = 0; i < 1 << 20; i++) {
		buf[i] = (char)(rand() & 0xff);
		/* Plenty of escapes so the parser's states get exercised. */
		if (rand() % 16 == 0)
			buf[i] = esc[rand() % (int)(sizeof esc - 1)];
	}
	for (off = 0; off < (size_t)1 << 20; off += n) {
		n = (size_t)(rand() % 4096) + 1;
		if (n > ((size_t)1 << 20) - off)
			n = ((size_t)1 << 20) - off;
		term_feed(t, buf + off, n);
		if (++round % 16 == 0) {
			w = draw(t, round % 32 == 0);
			(void)w;
		}
		if (round % 50 == 0)
			term_resize(t, rand() % 40 + 1, rand() % 120 + 1);
		if (round % 37 == 0)
			term_scroll(t, rand() % 100 - 50);
		if (round % 41 == 0)
			term_search(t, "\033[", rand() % 2 ? 1 : -1);
		if (round % 43 == 0)
			term_search_clear(t);
		if (outlen > sizeof out / 2)
			out_reset();
	}
	term_touch(t);
	draw(t, true);
	free(buf);
	term_free(t);
}
END_TEST

START_TEST(test_scrollback_memory)
{
	struct term *t = mkterm(24, 80, 10000);
	char buf[256];
	int i, j, n;
	size_t bytes;

	for (i = 0; i < 10100; i++) {
		n = 0;
		for (j = 0; j < 79; j++)
			buf[n++] = (char)('!' + (i + j) % 90);
		buf[n++] = '\r';
		buf[n++] = '\n';
		term_feed(t, buf, (size_t)n);
	}
	ck_assert_int_eq(term_scrollback_lines(t), 10000);
	bytes = term_scrollback_bytes(t);
	fprintf(stderr, "scrollback: 10000 full 80-col lines: %zu bytes\n", bytes);
	ck_assert_uint_lt(bytes, 8u << 20);

	/* Coloured lines: one SGR change every 8 cells. */
	for (i = 0; i < 10000; i++) {
		n = 0;
		for (j = 0; j < 10; j++)
			n += snprintf(buf + n, sizeof buf - (size_t)n,
			    "\033[3%dmabcdefgh", (i + j) % 8);
		n += snprintf(buf + n, sizeof buf - (size_t)n, "\033[0m\r\n");
		term_feed(t, buf, (size_t)n);
	}
	bytes = term_scrollback_bytes(t);
	fprintf(stderr, "scrollback: 10000 coloured 80-col lines: %zu bytes\n",
	    bytes);
	ck_assert_uint_lt(bytes, 20u << 20);
	term_free(t);
}
END_TEST

/* ---- hostile guests: what libvterm 0.1.4 must never see (term_guard) ---- */

static void
line_is(struct term *t, int line, const char *want)
{
	char buf[512];

	ck_assert_int_ge(term_line_text(t, line, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_hostile_many_params)
{
	struct term *t = mkterm(5, 40, 100);
	char seq[256];
	int n, i;

	/* 20 separators wrote past libvterm's 16 argument slots. */
	feed(t, "a\033[;;;;;;;;;;;;;;;;;;;;mb");
	feed(t, "\033[1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18Hc");
	/* The same, cut into one-byte writes, and a huge parameter. */
	n = snprintf(seq, sizeof seq, "\033[%s31md\033[99999999999999999999Ae",
	    ";;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;");
	for (i = 0; i < n; i++)
		term_feed(t, seq + i, 1);
	line_is(t, 0, "abcde");
	/* 15 separators are legal and still work (SGR 0 ... 31 colours). */
	feed(t, "\r\n\033[0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;31mred\033[m");
	line_is(t, 1, "red");
	{
		struct term_cell c;

		ck_assert_int_eq(term_cell(t, 1, 0, &c), 0);
		ck_assert_int_eq(c.fg.value, 1);
	}
	/* A C0 control inside a cancelled sequence still acts, as in xterm. */
	feed(t, "\r\n\033[;;;;;;;;;;;;;;;;;;;;\r;;;mX");
	line_is(t, 2, "X");
	term_free(t);
}
END_TEST

/* Whole sequences in one write take term_guard's fast path: the same
 * bounds hold there. */
START_TEST(test_hostile_params_whole)
{
	struct term *t = mkterm(5, 40, 100);
	struct term_cell c;

	/* 16 separators: cancelled, the text after it plain. */
	feed(t, "\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;31ma\033[m");
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, -1);
	/* Leading zeros are not significant: 31, red. */
	feed(t, "\033[0000000000031mb\033[m");
	ck_assert_int_eq(term_cell(t, 0, 1, &c), 0);
	ck_assert_int_eq(c.fg.value, 1);
	/* Ten significant digits: cancelled. */
	feed(t, "\033[1234567890;31mc\033[m");
	ck_assert_int_eq(term_cell(t, 0, 2, &c), 0);
	ck_assert_int_eq(c.fg.value, -1);
	/* 15 separators and 24-bit colour: legal. */
	feed(t, "\033[0;0;0;0;0;0;0;0;0;0;0;38;2;10;20;30md\033[m");
	ck_assert_int_eq(term_cell(t, 0, 3, &c), 0);
	ck_assert(c.fg.rgb);
	ck_assert_int_eq(c.fg.value, 0x0a141e);
	line_is(t, 0, "abcd");
	term_free(t);
}
END_TEST

START_TEST(test_hostile_repeat)
{
	struct term *t = mkterm(5, 40, 100);

	/* REP with no glyph before it made libvterm loop forever. */
	feed(t, "\033[b\033[5b");
	feed(t, "\xe2\x80\x8b\033[3b");	/* after a zero-width glyph */
	feed(t, "\r\nx\033[3b");		/* after a plain one it repeats */
	line_is(t, 1, "xxxx");
	feed(t, "\r\n\xc3\xa9\033[2bz");	/* a glyph we do not measure: dropped */
	line_is(t, 2, "\xc3\xa9z");
	feed(t, "\r\nq\r\n\033[2b");		/* the last glyph, also after CR LF */
	line_is(t, 4, "qq");
	term_free(t);
}
END_TEST

START_TEST(test_hostile_history)
{
	/* The same bytes replayed from a history into a fresh term. */
	static const char hist[] = "boot\r\n\033[;;;;;;;;;;;;;;;;;;;;;;;;m"
	    "\033[b\033[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;Hlogin: ";
	struct term *t;
	int round;

	for (round = 0; round < 3; round++) {
		t = mkterm(5, 40, 100);
		feed(t, hist);
		/* REP repeats the "t" of boot; the cut CUP moves nothing. */
		line_is(t, 1, "tlogin:");
		term_free(t);
	}
}
END_TEST

/* Every cell on screen and in the history holds a code point a terminal can
 * draw; a width-0 cell only as the right half of a wide one. */
static void
cells_valid(struct term *t)
{
	struct term_cell c;
	int rows, cols, line, col, i, prev;

	term_size(t, &rows, &cols);
	for (line = -term_scrollback_lines(t); line < rows; line++) {
		prev = 1;
		for (col = 0; col < cols; col++) {
			ck_assert_int_eq(term_cell(t, line, col, &c), 0);
			if (c.width == 0)
				ck_assert_msg(prev == 2,
				    "line %d col %d: a right half after no wide char",
				    line, col);
			for (i = 0; c.chars[i] != 0; i++)
				ck_assert_msg(c.chars[i] <= 0x10ffff &&
				    (c.chars[i] < 0xd800 || c.chars[i] > 0xdfff),
				    "line %d col %d: U+%X", line, col,
				    (unsigned)c.chars[i]);
			prev = c.width;
		}
	}
}

/*
 * Text whose broken UTF-8 sequences give libvterm more code points than bytes
 * in one write: it hands putglyph a stale "code point" for the last glyph,
 * and REP repeats it. On screen: U+FFFD there, and no repeat.
 */
static void
repeat_after_broken_utf8(int rows, int cols)
{
	static const char text[] = "\x58\xa8\x1c\x73\x67\xd6\x2e\xf4\xa3\x04"
	    "\x04\x34\xee\xc7\x42";
	static const char *const writes[] = { text, "\033E", "\033[7b" };
	struct term *t = mkterm(rows, cols, 100);
	size_t i, k;
	int row;

	for (k = 0; k < 3; k++)
		feed(t, writes[k]);
	cells_valid(t);
	row = rows > 1 ? 1 : 0;		/* ESC E: the next line */
	line_is(t, row, "");
	if (rows > 1)
		line_is(t, 0, "X\xef\xbf\xbdsg\xef\xbf\xbd.\xef\xbf\xbd"
		    "4\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	term_free(t);
	/* The same, one byte a write. */
	t = mkterm(rows, cols, 100);
	for (k = 0; k < 3; k++)
		for (i = 0; writes[k][i] != '\0'; i++)
			term_feed(t, writes[k] + i, 1);
	cells_valid(t);
	line_is(t, row, "");
	term_free(t);
}

START_TEST(test_hostile_invalid_codepoints)
{
	/* Found by fuzz_term: REP after UTF-8 sequences cut by C0 controls
	 * repeated a code point the decoder never finished. */
	static const char bytes[] = "\x58\xa8\x1c\x73\x67\xd6\x2e\xf4\xa3\x04\x04"
	    "\x34\xee\xc7\x42" "\033E" "\033[7b";
	static const int sizes[][2] = { { 1, 40 }, { 24, 80 } };
	struct term *t;
	size_t i, k;

	/* libvterm 0.1.4 decodes 5- and 6-byte forms and U+110000 up. */
	t = mkterm(2, 20, 100);
	feed(t, "a\xf4\x90\x80\x80" "b\xed\xa0\x80" "c\xfd\xbf\xbf\xbf\xbf\xbf"
	    "d\xf8\x88\x80\x80\x80" "e\xcc\x81\xf4\x90\x80\x80");
	cells_valid(t);
	term_free(t);
	for (k = 0; k < 2; k++) {
		t = mkterm(sizes[k][0], sizes[k][1], 100);
		feed(t, bytes);
		cells_valid(t);
		term_free(t);
		/* The same, one byte a write. */
		t = mkterm(sizes[k][0], sizes[k][1], 100);
		for (i = 0; i < sizeof bytes - 1; i++)
			term_feed(t, bytes + i, 1);
		cells_valid(t);
		term_free(t);
	}
}
END_TEST

START_TEST(test_hostile_repeat_broken_utf8)
{
	repeat_after_broken_utf8(1, 40);
}
END_TEST

START_TEST(test_hostile_repeat_broken_utf8_80x24)
{
	repeat_after_broken_utf8(24, 80);
}
END_TEST

/* Random bytes of broken UTF-8, in two writes, then REP on a new line: it
 * repeats a plain ASCII glyph or nothing. */
START_TEST(test_hostile_repeat_random)
{
	static const unsigned char alpha[] = { 'a', 'B', '4', '.', 0x04, 0x1c,
	    0xc3, 0xc7, 0xe2, 0xee, 0xf4, 0xa3, 0xa9, 0x80, 0xbf, 0xff, 0x7f, 0 };
	unsigned seed = 1, round;
	char s[24];
	struct term_cell c[3];
	struct term *t;
	int i, k, n, cut;

	for (round = 0; round < 1000; round++) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (int)(seed >> 16) % 20;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = (char)alpha[(seed >> 16) % sizeof alpha];
		}
		cut = (int)(seed >> 8) % (n + 1);
		t = mkterm(3, 60, 0);
		term_feed(t, s, (size_t)cut);
		term_feed(t, s + cut, (size_t)(n - cut));
		feed(t, "\r\n\033[3b");
		for (k = 0; k < 3; k++)
			ck_assert_int_eq(term_cell(t, 1, k, &c[k]), 0);
		if (c[0].chars[0] != 0 || c[1].chars[0] != 0)
			ck_assert_msg(c[0].chars[0] >= 0x20 && c[0].chars[0] < 0x7f &&
			    c[1].chars[0] == c[0].chars[0] &&
			    c[2].chars[0] == c[0].chars[0],
			    "round %u: REP gave U+%X", round, (unsigned)c[0].chars[0]);
		cells_valid(t);
		term_free(t);
	}
}
END_TEST

/* ---- scroll regions and the alternate screen under a flood ---- */

/* Lines from..to with a colour each, so rows that move keep their cells. */
static void
feed_colour_lines(struct term *t, int from, int to)
{
	char buf[96];
	int i;

	for (i = from; i <= to; i++) {
		snprintf(buf, sizeof buf, "\033[38;5;%dmline %d\033[m\r\n",
		    i % 256, i);
		feed(t, buf);
	}
}

START_TEST(test_region_flood)
{
	struct term *t = mkterm(10, 30, 100);
	struct term_cell c;
	WINDOW *w;
	char buf[64];
	int r;

	/* A status line above and below, as a full-screen program has. */
	feed(t, "\033[1;1H\033[44mHEADER\033[m\033[10;1HFOOTER");
	feed(t, "\033[2;9r\033[9;1H");
	feed_colour_lines(t, 1, 3000);
	line_is(t, 0, "HEADER");
	line_is(t, 9, "FOOTER");
	/* The last line feed left row 8 blank: rows 1-7 hold 2994-3000. */
	for (r = 1; r <= 7; r++) {
		snprintf(buf, sizeof buf, "line %d", 2993 + r);
		line_is(t, r, buf);
	}
	line_is(t, 8, "");
	ck_assert_int_eq(term_cell(t, 7, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, 3000 % 256);
	ck_assert_int_eq(term_cell(t, 0, 0, &c), 0);
	ck_assert_int_eq(c.bg.value, 4);
	/* A region that is not at the top keeps nothing in the history. */
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	w = draw(t, true);
	row_text(w, 0, buf, sizeof buf);
	ck_assert_str_eq(buf, "HEADER");
	row_text(w, 7, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 3000");
	row_text(w, 9, buf, sizeof buf);
	ck_assert_str_eq(buf, "FOOTER");

	/* Reverse index at the region's top scrolls it down. */
	feed(t, "\033[2;1H\033MTOP");
	line_is(t, 1, "TOP");
	line_is(t, 2, "line 2994");
	line_is(t, 8, "line 3000");
	line_is(t, 9, "FOOTER");
	/* Insert and delete lines inside it. */
	feed(t, "\033[3;1H\033[2L");
	line_is(t, 2, "");
	line_is(t, 4, "line 2994");
	feed(t, "\033[3M");
	line_is(t, 2, "line 2995");
	line_is(t, 9, "FOOTER");
	draw(t, true);

	/* A region at the top: what scrolls off it goes to the history, as
	 * libvterm's own screen does. */
	feed(t, "\033[1;5r\033[5;1H");
	feed_colour_lines(t, 1, 200);
	ck_assert_int_eq(term_scrollback_lines(t), 100);
	line_is(t, -1, "line 196");
	line_is(t, 3, "line 200");
	line_is(t, 9, "FOOTER");
	ck_assert_int_eq(term_cell(t, -1, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, 196);
	term_free(t);
}
END_TEST

START_TEST(test_region_margins)
{
	struct term *t = mkterm(6, 20, 100);
	int r;

	/* Left and right margins (DECLRMM, DECSLRM): only columns 5-10 of
	 * rows 2-5 scroll, cells outside stay, nothing goes to the history. */
	for (r = 1; r <= 5; r++)
		feed(t, "abcdefghijklmnopqrst\r\n");
	feed(t, "abcdefghijklmnopqrst");
	feed(t, "\033[?69h\033[5;10s\033[2;5r\033[5;5H");
	for (r = 0; r < 50; r++)
		feed(t, "\n");
	line_is(t, 0, "abcdefghijklmnopqrst");
	line_is(t, 1, "abcd      klmnopqrst");
	line_is(t, 4, "abcd      klmnopqrst");
	line_is(t, 5, "abcdefghijklmnopqrst");
	ck_assert_int_eq(term_scrollback_lines(t), 0);
	/* Insert and delete characters inside the margins. */
	feed(t, "\033[?69l\033[r\033[1;3H\033[2@");
	line_is(t, 0, "ab  cdefghijklmnopqr");
	feed(t, "\033[4P");
	line_is(t, 0, "abefghijklmnopqr");
	/* ... over a wide char and a combining mark. */
	feed(t, "\033[6;1H\033[2K\xe4\xb8\xad" "e\xcc\x81z\033[6;1H\033[@");
	line_is(t, 5, " \xe4\xb8\xad" "e\xcc\x81z");
	feed(t, "\033[P");
	line_is(t, 5, "\xe4\xb8\xad" "e\xcc\x81z");
	draw(t, true);
	term_free(t);
}
END_TEST

START_TEST(test_altscreen_flood)
{
	struct term *t = mkterm(8, 30, 500);
	struct term_cell c;
	WINDOW *w;
	char buf[64];

	feed_lines(t, 1, 20);
	ck_assert_int_eq(term_scrollback_lines(t), 13);
	feed(t, "\033[?1049h\033[2;7r\033[7;1H");
	feed_colour_lines(t, 1, 5000);
	ck_assert(term_altscreen(t));
	/* Nothing of the flood in the history, which stays as it was. */
	ck_assert_int_eq(term_scrollback_lines(t), 13);
	line_is(t, -1, "line 13");
	line_is(t, 5, "line 5000");
	ck_assert_int_eq(term_cell(t, 5, 0, &c), 0);
	ck_assert_int_eq(c.fg.value, 5000 % 256);
	/* The whole alternate screen too. */
	feed(t, "\033[r\033[8;1H");
	feed_colour_lines(t, 1, 3000);
	ck_assert_int_eq(term_scrollback_lines(t), 13);
	line_is(t, 6, "line 3000");
	w = draw(t, true);
	row_text(w, 6, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 3000");
	/* A resize on the alternate screen leaves the history alone. */
	term_resize(t, 8, 26);
	term_resize(t, 9, 32);
	ck_assert_int_eq(term_scrollback_lines(t), 13);
	feed(t, "\033[?1049l");
	ck_assert(!term_altscreen(t));
	line_is(t, -1, "line 13");
	line_is(t, 0, "line 14");
	line_is(t, 6, "line 20");
	/* And the main screen floods into the history again. */
	feed(t, "\033[8;1H");
	feed_colour_lines(t, 21, 1000);
	ck_assert_int_eq(term_scrollback_lines(t), 500);
	line_is(t, -1, "line 992");
	line_is(t, -500, "line 493");
	w = draw(t, true);
	row_text(w, 7, buf, sizeof buf);
	ck_assert_str_eq(buf, "line 1000");
	term_free(t);
}
END_TEST

/* ---- against libvterm's own screen ---- */

/* One cell of libvterm's screen as term_cell says it (colours, the
 * attributes term_cell has). */
static void
vt_cell(VTermScreen *vs, int row, int col, struct term_cell *cell)
{
	VTermScreenCell vc;
	VTermPos pos = { row, col };
	const VTermColor *cs[2];
	struct term_color *tc[2];
	int i;

	memset(cell, 0, sizeof *cell);
	ck_assert(vterm_screen_get_cell(vs, pos, &vc));
	if (vc.chars[0] == (uint32_t)-1) {
		cell->width = 0;
	} else {
		cell->width = vc.width;
		for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && i < TERM_CELL_MAXCHARS &&
		    vc.chars[i] != 0; i++)
			cell->chars[i] = vc.chars[i];
	}
	cell->attrs = (vc.attrs.bold ? TERM_ATTR_BOLD : 0) |
	    (vc.attrs.underline ? TERM_ATTR_UNDERLINE : 0) |
	    (vc.attrs.italic ? TERM_ATTR_ITALIC : 0) |
	    (vc.attrs.reverse ? TERM_ATTR_REVERSE : 0) |
	    (vc.attrs.strike ? TERM_ATTR_STRIKE : 0);
	cs[0] = &vc.fg;
	cs[1] = &vc.bg;
	tc[0] = &cell->fg;
	tc[1] = &cell->bg;
	for (i = 0; i < 2; i++) {
		if (VTERM_COLOR_IS_DEFAULT_FG(cs[i]) ||
		    VTERM_COLOR_IS_DEFAULT_BG(cs[i]))
			*tc[i] = (struct term_color){ -1, false };
		else if (VTERM_COLOR_IS_INDEXED(cs[i]))
			*tc[i] = (struct term_color){ cs[i]->indexed.idx, false };
		else
			*tc[i] = (struct term_color){ cs[i]->rgb.red << 16 |
			    cs[i]->rgb.green << 8 | cs[i]->rgb.blue, true };
	}
}

/* A read can end inside a UTF-8 char: the char is whole on screen (libvterm
 * 0.1.4 fed "ab\xc3" then "\xa9cd" shows "ab\ufffdcd" and a U+FFFD before
 * the next text), whatever the cut. */
START_TEST(test_utf8_split)
{
	static const char text[] = "ab\xc3\xa9 \xe4\xb8\xad x\xf0\x9f\x98\x80y "
	    "\xce\xb1\xce\xb2\r\nnext";
	static char want[2][1024];
	struct term *t;
	size_t cut, len = sizeof text - 1;

	t = mkterm(4, 40, 0);
	feed(t, text);
	snprintf(want[0], sizeof want[0], "%s", line(t, 0));
	snprintf(want[1], sizeof want[1], "%s", line(t, 1));
	term_free(t);
	ck_assert_str_eq(want[0], "ab\xc3\xa9 \xe4\xb8\xad x\xf0\x9f\x98\x80y "
	    "\xce\xb1\xce\xb2");
	ck_assert_str_eq(want[1], "next");
	for (cut = 1; cut < len; cut++) {
		t = mkterm(4, 40, 0);
		term_feed(t, text, cut);
		term_feed(t, text + cut, len - cut);
		ck_assert_msg(strcmp(line(t, 0), want[0]) == 0,
		    "cut at %zu: [%s]", cut, line(t, 0));
		ck_assert_str_eq(line(t, 1), want[1]);
		term_free(t);
	}
	/* A byte at a time. */
	t = mkterm(4, 40, 0);
	for (cut = 0; cut < len; cut++)
		term_feed(t, text + cut, 1);
	ck_assert_str_eq(line(t, 0), want[0]);
	term_free(t);
}
END_TEST

/* libvterm fed as term_feed feeds it: a UTF-8 char cut at the end of a
 * write waits for its rest (libvterm alone garbles it: test_utf8_split). */
struct vt_held {
	char b[8];
	size_t n;
};

static void
vt_feed(VTerm *vt, struct vt_held *h, const char *s, size_t len)
{
	char *buf = malloc(h->n + len);
	size_t n = h->n + len, back, need;
	unsigned char c;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, h->b, h->n);
	memcpy(buf + h->n, s, len);
	h->n = 0;
	for (back = 1; back <= 5 && back <= n; back++) {
		c = (unsigned char)buf[n - back];
		if (c < 0x80)
			break;
		if (c < 0xc0)
			continue;
		need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 :
		    c < 0xfc ? 5 : c < 0xfe ? 6 : 1;
		if (back < need)
			h->n = back;
		break;
	}
	memcpy(h->b, buf + n - h->n, h->n);
	if (n > h->n)
		vterm_input_write(vt, buf, n - h->n);
	free(buf);
}

/* Every cell of t as libvterm's own screen vs shows it. */
static void
same_cells(struct term *t, VTermScreen *vs, int rows, int cols, const char *what)
{
	struct term_cell a, b;
	int r, c;

	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++) {
			memset(&a, 0, sizeof a);
			ck_assert_int_eq(term_cell(t, r, c, &a), 0);
			vt_cell(vs, r, c, &b);
			ck_assert_msg(memcmp(&a, &b, sizeof a) == 0,
			    "%s: cell %d,%d: U+%X w%d a%x fg%d bg%d, libvterm "
			    "U+%X w%d a%x fg%d bg%d", what, r, c,
			    (unsigned)a.chars[0], a.width, a.attrs, a.fg.value,
			    a.bg.value, (unsigned)b.chars[0], b.width, b.attrs,
			    b.fg.value, b.bg.value);
		}
}

/* Random guest output (text, colours, attributes, erases, insertions and
 * deletions, scroll regions, wide and combining chars, the alternate screen)
 * through term.c and through libvterm's own screen, cut at random places:
 * every cell on screen the same. Our screen is our own (ring of rows,
 * scrollback encoding): this is the check that it draws what libvterm's
 * would. */
START_TEST(test_differential_vterm_screen)
{
	static const char *const pieces[] = {
		"\r\n", "\r\n", "\r\n", "\n", "\r", " ", "   ", "\t", "hello",
		"world wide ", "0123456789abcdefghijklmnopqrstuvwxyz", "x",
		"\033[0m", "\033[1m", "\033[3m", "\033[4m", "\033[7m", "\033[9m",
		"\033[31m", "\033[42m", "\033[95m", "\033[38;5;200m",
		"\033[48;5;17m", "\033[38;2;1;2;3m", "\033[48;2;9;8;7m", "\033[m",
		"\033[39;49m", "\033[22;24;27m", "\033[K", "\033[1K", "\033[2K",
		"\033[J", "\033[1J", "\033[2J", "\033[H", "\033[5;3H", "\033[2;40H",
		"\033[3;10r", "\033[2;5r", "\033[r", "\033[?1049h", "\033[?1049l",
		"\xe4\xb8\xad", "\xe6\x96\x87", "e\xcc\x81", "\xc3\xa9", "\033[S",
		"\033[2T", "\033M", "\033D", "\033[2L", "\033[3M", "\033[4@",
		"\033[2P", "\033[5X", "\033[44m          \033[0m",
		"\033[7m   \033[0m", "\033[4m \033[0m", "\033[A", "\033[3B",
		"\033[10C", "\033[4D", "\033[?7l", "\033[?7h",
		/* Long runs of text, which term.c writes past libvterm, and
		 * what changes how libvterm would write them. */
		"The quick brown fox jumps over the lazy dog",
		"abcdefghijklmnopqrstuvwxyz\xcc\x81", "xyzxyzxyzxyzxyz\033[3b",
		"\033[4h", "\033[4l", "\033[1;4h", "\033[4;20l", "\033[20;4l",
		"\033[4;1h", "\033[?1;69l", "\033c", "\033(0",
		"\033(B", "\033)0", "\033)B", "\033*0", "\033(A", "\016",
		"\017", "\033n", "\033o", "\033N", "\033O", "\033[1\"q",
		"\033[0\"q", "\033[\"q", "\033[?K", "\033[?J", "\033[?69h",
		"\033[?69l", "\033[3;30s", "\033#6", "\033#5", "\033#3",
		"\033[!p", "\033[?1;69h", "\033[?25l\033[?25h",
	};
	static char buf[8192];
	unsigned seed = 7;
	int round, step, i, k, rows, cols;
	size_t n, off, cut, len;
	char what[64];
	struct vt_held held;

	for (round = 0; round < 24; round++) {
		struct term *t;
		VTerm *vt;
		VTermScreen *vs;

		seed = seed * 1103515245u + 12345u;
		rows = 2 + (int)(seed >> 16) % 30;
		seed = seed * 1103515245u + 12345u;
		cols = 2 + (int)(seed >> 16) % 120;
		t = mkterm(rows, cols, round % 2 ? 50 : 0);
		vt = vterm_new(rows, cols);
		ck_assert_ptr_nonnull(vt);
		vterm_set_utf8(vt, 1);
		vs = vterm_obtain_screen(vt);
		vterm_screen_enable_altscreen(vs, 1);
		vterm_screen_reset(vs, 1);
		held.n = 0;
		for (step = 0; step < 60; step++) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (int)(seed >> 16) % 120;
			for (n = 0, i = 0; i < k; i++) {
				seed = seed * 1103515245u + 12345u;
				len = strlen(pieces[(seed >> 16) %
				    (sizeof pieces / sizeof *pieces)]);
				if (n + len >= sizeof buf)
					break;
				memcpy(buf + n, pieces[(seed >> 16) %
				    (sizeof pieces / sizeof *pieces)], len);
				n += len;
			}
			for (off = 0; off < n; off += cut) {
				seed = seed * 1103515245u + 12345u;
				cut = 1 + (seed >> 16) % (n - off);
				term_feed(t, buf + off, cut);
				vt_feed(vt, &held, buf + off, cut);
			}
			snprintf(what, sizeof what, "round %d step %d", round,
			    step);
			same_cells(t, vs, rows, cols, what);
		}
		vterm_free(vt);
		term_free(t);
	}
}
END_TEST

/* term.c writes long runs of ASCII past libvterm (term_feed): each case
 * turns on something that changes how libvterm would write them, then a
 * run, fed whole and a byte at a time; the screen must be libvterm's. */
START_TEST(test_direct_text_cases)
{
#define RUN "The quick brown fox jumps over the lazy dog 0123456789"
	static const char *const cases[] = {
		"\033(0" RUN "\r\n\033(B" RUN,
		"\033)0\016" RUN "\017\r\n" RUN,
		"\033*0\033n" RUN "\r\n\033+0\033o" RUN "\017" RUN,
		"\033N" RUN "\r\n" RUN,
		RUN "\r\033[4h" RUN "\033[4l\r\n" RUN,
		"\033[4h\033[20;4l" RUN "\r" RUN "\033[4l" RUN,
		"\033[1\"q" RUN "\033[0\"q" RUN "\033[?2J",
		"\033#6" RUN "\r\n\033#3" RUN,
		"ab\xe4\r\xb8\xad\r\n" RUN "\r\n\xe4" RUN,
		"\033[1;60H" RUN RUN "\033[?7l" RUN RUN "\033[?7h",
		/* (REP after a combining char is the guard's to cancel.) */
		RUN "\xcc\x81" RUN "\033[3b\r\n" RUN "\033[2b",
		RUN "\033[?1049h" RUN "\033[?1049l" RUN,
		"\033[?69h\033[5;20s\033[1;5H" RUN "\033[?69l" RUN,
		"\033(0\033)0\016" RUN "\033c" RUN,
		"\033[2;5r\033[5;1H" RUN "\r\n" RUN "\r\n" RUN,
	};
	size_t k, i, len;
	int rows = 6, cols = 70, whole;
	char what[64];
	struct vt_held held;

	for (k = 0; k < sizeof cases / sizeof *cases; k++)
		for (whole = 0; whole < 2; whole++) {
			struct term *t = mkterm(rows, cols, 20);
			VTerm *vt = vterm_new(rows, cols);
			VTermScreen *vs;

			ck_assert_ptr_nonnull(vt);
			vterm_set_utf8(vt, 1);
			vs = vterm_obtain_screen(vt);
			vterm_screen_enable_altscreen(vs, 1);
			vterm_screen_reset(vs, 1);
			len = strlen(cases[k]);
			held.n = 0;
			for (i = 0; i < len; i += whole ? len : 1) {
				size_t n = whole ? len : 1;

				term_feed(t, cases[k] + i, n);
				vt_feed(vt, &held, cases[k] + i, n);
			}
			snprintf(what, sizeof what, "case %zu, %s", k,
			    whole ? "whole" : "a byte at a time");
			same_cells(t, vs, rows, cols, what);
			vterm_free(vt);
			term_free(t);
		}
#undef RUN
}
END_TEST

static Suite *
term_suite(void)
{
	Suite *s = suite_create("term");
	TCase *tc = tcase_create("xterm-256color"), *tc8, *tch, *tcd;

	tcase_add_checked_fixture(tc, setup256, screen_close);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain_text);
	tcase_add_test(tc, test_crlf_and_wrap);
	tcase_add_test(tc, test_cursor);
	tcase_add_test(tc, test_sgr_attrs);
	tcase_add_test(tc, test_colors_256);
	tcase_add_test(tc, test_wide_chars);
	tcase_add_test(tc, test_combining);
	tcase_add_test(tc, test_altscreen);
	tcase_add_test(tc, test_scrollback_order);
	tcase_add_test(tc, test_scrollback_limit);
	tcase_add_test(tc, test_scrollback_blocks);
	tcase_add_test(tc, test_scrollback_reverse_screen);
	tcase_add_test(tc, test_scrollback_keeps_cells);
	tcase_add_test(tc, test_resize);
	tcase_add_test(tc, test_resize_stale_state);
	tcase_add_test(tc, test_fuzz_sequences);
	tcase_add_test(tc, test_scroll_view);
	tcase_add_test(tc, test_damage);
	tcase_add_test(tc, test_damage_scrolled);
	tcase_add_test(tc, test_search);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_paste);
	tcase_add_test(tc, test_queries);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_scrollback_memory);
	tcase_add_test(tc, test_region_flood);
	tcase_add_test(tc, test_region_margins);
	tcase_add_test(tc, test_altscreen_flood);
	tcase_add_test(tc, test_utf8_split);
	suite_add_tcase(s, tc);

	/* Thousands of screens compared cell by cell: slow under ASan on a
	 * busy machine. */
	tcd = tcase_create("differential");
	tcase_add_checked_fixture(tcd, setup256, screen_close);
	tcase_set_timeout(tcd, 240);
	tcase_add_test(tcd, test_differential_vterm_screen);
	tcase_add_test(tcd, test_direct_text_cases);
	suite_add_tcase(s, tcd);

	/* A hang here is the fault itself: fail fast. */
	tch = tcase_create("hostile");
	tcase_add_checked_fixture(tch, setup256, screen_close);
	tcase_set_timeout(tch, 10);
	tcase_add_test(tch, test_hostile_many_params);
	tcase_add_test(tch, test_hostile_params_whole);
	tcase_add_test(tch, test_hostile_repeat);
	tcase_add_test(tch, test_hostile_invalid_codepoints);
	tcase_add_test(tch, test_hostile_history);
	tcase_add_test(tch, test_hostile_repeat_broken_utf8);
	tcase_add_test(tch, test_hostile_repeat_broken_utf8_80x24);
	tcase_add_test(tch, test_hostile_repeat_random);
	suite_add_tcase(s, tch);

	tc8 = tcase_create("xterm-8");
	tcase_add_checked_fixture(tc8, setup8, screen_close);
	tcase_add_test(tc8, test_colors_8);
	tcase_add_test(tc8, test_pairs_keep_ui);
	suite_add_tcase(s, tc8);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(term_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
