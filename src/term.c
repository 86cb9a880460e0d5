/*
 * One libvterm terminal drawn into a curses window; see term.h.
 *
 * libvterm parses and keeps the terminal's state (cursor, modes, scroll
 * region, pen); the screen is our own, driven by its state layer's callbacks
 * (section "screen"), because libvterm 0.1.4's screen moves every cell of the
 * screen up a row on each line feed at the bottom. Ours keeps the rows in a
 * ring: a full-screen scroll moves the ring's top, the row leaving it is
 * encoded into the scrollback and comes back blank as the new bottom row, so
 * a line feed costs one line, whatever the pane's size.
 */
#include "term.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <vterm.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#include "palette.h"
#include "term_guard.h"
#include "util.h"

#if VTERM_VERSION_MAJOR > 0 || VTERM_VERSION_MINOR >= 2
#define TERM_VTERM_02	1	/* string fragments, conceal attribute */
#endif

/* Sizes beyond these are a caller's bug; they also keep sb_line fields small.
 * One column crashes libvterm 0.1.4 (a double-width line is 0 wide). */
#define TERM_MAX_ROWS	4096
#define TERM_MAX_COLS	4096
#define TERM_MIN_COLS	2

/*
 * A scrollback line, stored compactly because there are tens of thousands: the
 * trailing blanks are trimmed, attributes are runs, cells are one 32-bit word
 * each (a wide char's right half is not stored, combining chars get a word of
 * their own). data holds ncodes codes then nruns runs (3 words: column |
 * attrs << 16, fg, bg): the codes are written straight into place.
 */
struct sb_line {
	uint16_t nruns;		/* <= TERM_MAX_COLS */
	uint16_t ncodes;	/* <= TERM_MAX_COLS * VTERM_MAX_CHARS_PER_CELL */
	uint32_t data[];
};

/*
 * History lines live in blocks, in the order they were pushed, so that a
 * flood's dropped line costs no free and touches no cold memory: the oldest
 * block goes when the last of its lines is dropped. Blocks are a list from
 * the oldest to the newest (the one lines are appended to).
 */
struct sb_block {
	struct sb_block *older, *newer;
	size_t size, used;	/* bytes of data */
	int lines;		/* its lines still in the ring */
	uint32_t data[];
};

#define SB_BLOCK_MIN	(64 * 1024)

#define SB_WIDE		0x80000000u	/* the cell is two columns wide */
#define SB_COMB		0x40000000u	/* combines with the cell before */
#define SB_CHAR		0x001fffffu

/* Packed colour: kind in the top byte, index or RGB below. */
#define COL_DEFAULT	0x00000000u
#define COL_INDEXED	0x01000000u
#define COL_RGB		0x02000000u
#define COL_KIND	0xff000000u

/* Packed attributes (16 bits). */
#define PA_BOLD		0x0001u
#define PA_UL_SHIFT	1		/* 2 bits */
#define PA_UL_MASK	0x0006u
#define PA_ITALIC	0x0008u
#define PA_BLINK	0x0010u
#define PA_REVERSE	0x0020u
#define PA_STRIKE	0x0040u
#define PA_CONCEAL	0x0080u
#define PA_FONT_SHIFT	8		/* 4 bits */
#define PA_DWL		0x1000u
#define PA_DHL_SHIFT	13		/* 2 bits */
#define PA_DHL_MASK	0x6000u
#define PA_PROTECTED	0x8000u		/* DECSCA: screen only, not stored */

/* Combining chars a cell holds beyond its first. */
#define COMB_MAX	(VTERM_MAX_CHARS_PER_CELL - 1)
#define CELL_RIGHT	((uint32_t)-1)	/* right half of a wide char */

/*
 * A screen cell, 16 bytes: the first char (0 blank, CELL_RIGHT), the packed
 * pen. A wide char is two columns wide when the cell after it is CELL_RIGHT,
 * as in libvterm's screen (a glyph written over the right half narrows it).
 * Combining chars live beside the row (comb), rare enough not to widen every
 * cell.
 */
struct cell {
	uint32_t ch;
	uint32_t fg, bg;	/* COL_* */
	uint16_t attrs;		/* PA_* */
	uint16_t comb;		/* 1: row->comb[col] holds combining chars */
};
/* sb_encode reads a cell as two words: no padding, and a blank cell in the
 * default pen is all 0. */
_Static_assert(sizeof (struct cell) == 16 && COL_DEFAULT == 0,
    "struct cell is 16 bytes, COL_DEFAULT 0");

struct row {
	struct cell *cells;
	uint32_t (*comb)[COMB_MAX];	/* NULL until a cell needs it */
	bool written;	/* putglyph wrote here since the last term_draw */
};

/*
 * One screen buffer (primary or alternate): rows in a ring, logical row i at
 * rows[(top + i) % n], so a scroll of the whole screen moves top instead of
 * cells and the row that leaves is reused, blanked, as the new bottom row.
 */
struct grid {
	struct row *rows;
	struct row **at;	/* 2n: at[i] is &rows[i % n], so that logical
				 * row r is at[top + r] with no wrap */
	int n, cols, top;
};

struct term {
	VTerm *vt;
	VTermState *state;
	int rows, cols;

	struct term_callbacks cb;
	void *arg;

	/* The screen libvterm's state layer draws into (see "screen"). */
	struct grid grids[2];	/* primary, alternate (allocated on use) */
	struct grid *grid;	/* the one shown */
	struct cell pen;	/* the pen, as a blank cell: putglyph copies it */
	bool reverse;		/* DECSCNM: the whole screen in reverse */

	bool *dirty;		/* per displayed row (and struct row's written) */
	bool touched;		/* everything */
	WINDOW *last_win;	/* a different window or place: redraw all */
	int last_y, last_x;
	unsigned pool_gen;
	int ghost_row, ghost_col;	/* unfocused cursor drawn there, or -1 */

	bool cursor_visible;
	bool altscreen;
	char title[1024];
	size_t titlelen;

	/* Roughly where libvterm's parser is, and an unfinished sequence held
	 * back from it (see term_feed). */
	uint8_t scan;
	bool passthru;		/* the open sequence was too long to hold */
	bool discard;		/* ... and fix_after_shrink cut it: drop the rest */
	char held[4096];
	size_t held_len;
	char u8[8];		/* an unfinished UTF-8 char the last bytes */
	size_t u8_len;		/* ended with (see term_feed) */
	struct term_guard guard;	/* what libvterm must never see */
	struct term_guard_runs runs;	/* its runs of text in this slice */

	/* Scrollback ring: count lines from head, the oldest first, held in
	 * the blocks from sb_old to sb_new (sb_spare: one kept for reuse). */
	struct sb_line **ring;
	int ring_alloc, head, count, limit;
	struct sb_block *sb_old, *sb_new, *sb_spare;
	size_t sb_bytes;	/* the blocks' sizes */
	long long sb_total;	/* lines pushed minus popped: serial numbers */
	int view;		/* lines scrolled back; 0 is live */

	uint32_t *enc;		/* sb_encode scratch */
	size_t enc_alloc;
	struct row line;	/* a history line decoded, for drawing and text */
	uint32_t *bases;	/* search: base chars of a line and their columns */
	int *basecol;
	uint8_t *marks;		/* search highlight per column */
	int cols_alloc;

	/* Search: the needle and the current match (by serial number). */
	uint32_t *needle;
	int nlen;
	bool match_valid;
	long long match_serial;
	int match_col;
};

/* Parser states, as far as fix_after_shrink needs them. */
enum {
	SCAN_GROUND,
	SCAN_ESC,
	SCAN_ESC_INTER,
	SCAN_CSI,
	SCAN_STRING,	/* OSC, DCS, APC, PM, SOS */
};

/* ---- colours ---- */

/* The pair pool, shared by every term on one curses screen. */
struct pool_ent {
	uint64_t key;		/* 0: empty */
	int pair;
};

static struct {
	WINDOW *screen;		/* curscr when set up: a new screen resets */
	unsigned gen;
	bool ready;
	int colors;		/* 0: no colour */
	bool direct;
	bool defaults;		/* use_default_colors worked: -1 is allowed */
	int budget, used;
	struct pool_ent *tab;
	size_t cap, n;
} pool;

static uint32_t
color_pack(const VTermColor *c)
{
	if (VTERM_COLOR_IS_DEFAULT_FG(c) || VTERM_COLOR_IS_DEFAULT_BG(c))
		return COL_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(c))
		return COL_INDEXED | c->indexed.idx;
	return COL_RGB | (uint32_t)c->rgb.red << 16 |
	    (uint32_t)c->rgb.green << 8 | c->rgb.blue;
}

/* A packed colour as a curses colour for this terminal; -1 is the default. */
static int
color_curses(uint32_t pc, bool bg, bool *bold)
{
	uint32_t rgb;
	int i;

	if ((pc & COL_KIND) == COL_DEFAULT)
		return pool.defaults ? -1 : bg ? COLOR_BLACK : COLOR_WHITE;
	i = (pc & COL_KIND) == COL_INDEXED ? (int)(pc & 0xff) : -1;
	rgb = i >= 0 ? palette_rgb(i) : pc & 0xffffff;

	if (pool.direct) {
		/* Colour numbers below 8 are the palette, above are RGB. */
		if (i >= 0 && i < 8)
			return i;
		return (int)(rgb < 8 ? 8 : rgb);
	}
	if (pool.colors >= 256)
		return i >= 0 ? i : palette_nearest(rgb, 256);
	if (pool.colors >= 16)
		return i >= 0 && i < 16 ? i : palette_nearest(rgb, 16);
	/* 8 colours: the bright half is the normal colour in bold. */
	if (bg)
		return i >= 0 && i < 16 ? i & 7 : palette_nearest(rgb, 8);
	if (i < 0 || i >= 16)
		i = palette_nearest(rgb, 16);
	if (i >= 8) {
		*bold = true;
		i -= 8;
	}
	return i;
}

static void
pool_clear(void)
{
	free(pool.tab);
	pool.tab = NULL;
	pool.cap = pool.n = 0;
	pool.used = 0;
	pool.ready = false;
	pool.gen++;
}

void
term_colors_reset(void)
{
	pool_clear();
}

/* Set the pool up for the current curses screen. */
static void
pool_check(void)
{
	int reserve;

	if (pool.ready && pool.screen == curscr)
		return;
	pool_clear();
	pool.ready = true;
	pool.screen = curscr;
	pool.colors = 0;
	pool.direct = false;
	pool.defaults = false;
	pool.budget = 0;
	/* COLORS is 0 until someone called start_color: then no colour. */
	if (!has_colors() || COLORS < 8 || COLOR_PAIRS < 2)
		return;
	pool.colors = COLORS;
	pool.direct = COLORS >= 1 << 24;
	pool.defaults = use_default_colors() == OK;
	reserve = COLOR_PAIRS / 2 < TERM_PAIRS_RESERVED ? COLOR_PAIRS / 2 :
	    TERM_PAIRS_RESERVED;
	pool.budget = COLOR_PAIRS - 1 - reserve;
	if (pool.budget < 0)
		pool.budget = 0;
}

static struct pool_ent *
pool_slot(uint64_t key)
{
	size_t i;

	for (i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (pool.cap - 1);;
	    i = (i + 1) & (pool.cap - 1))
		if (pool.tab[i].key == key || pool.tab[i].key == 0)
			return &pool.tab[i];
}

static void
pool_grow(void)
{
	struct pool_ent *old = pool.tab, *e;
	size_t i, oldcap = pool.cap;

	pool.cap = oldcap ? oldcap * 2 : 256;
	pool.tab = xcalloc(pool.cap, sizeof *pool.tab);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key != 0) {
			e = pool_slot(old[i].key);
			*e = old[i];
		}
	}
	free(old);
}

/*
 * The pair for fg on bg. Existing pairs (the theme's too) are shared; new ones
 * come from alloc_pair while the budget lasts, so alloc_pair never has to evict
 * the UI's pairs. Past the budget: fg on the default background, then default.
 */
static int
pool_pair(int fg, int bg)
{
	struct pool_ent *e;
	uint64_t key;
	int pair;

	if (fg == -1 && bg == -1)
		return 0;
	/* Colours are -1 .. 2^24 (direct colour): never 0 as a key. */
	key = (uint64_t)(uint32_t)(fg + 2) << 32 | (uint32_t)(bg + 2);
	if (pool.n * 2 >= pool.cap)
		pool_grow();
	e = pool_slot(key);
	if (e->key == key)
		return e->pair;

	if ((pair = find_pair(fg, bg)) < 0) {
		if (pool.used < pool.budget && (pair = alloc_pair(fg, bg)) >= 0)
			pool.used++;
		else
			pair = bg != -1 && pool.defaults ? pool_pair(fg, -1) : 0;
		e = pool_slot(key);	/* the table may have grown */
	}
	if (e->key == 0)
		pool.n++;
	e->key = key;
	e->pair = pair;
	return pair;
}

/* ---- scrollback ---- */

/* A cell that can go when it ends a line: nothing visible on it. */
static bool
cell_trimmable(const struct cell *c, uint16_t flip)
{
	return (c->ch == 0 || (c->ch == ' ' && !c->comb)) &&
	    (c->bg & COL_KIND) == COL_DEFAULT &&
	    !((c->attrs ^ flip) & (PA_REVERSE | PA_UL_MASK | PA_STRIKE));
}

static void
sb_block_free(struct term *t, struct sb_block *b)
{
	t->sb_bytes -= b->size;
	if (t->sb_spare == NULL && b->size == SB_BLOCK_MIN) {
		t->sb_spare = b;
		return;
	}
	free(b);
}

/* Room for a line of at most size bytes at the end of the newest block;
 * sb_commit says how much it took. */
static struct sb_line *
sb_reserve(struct term *t, size_t size)
{
	struct sb_block *b = t->sb_new;

	if (b == NULL || b->size - b->used < size) {
		if (size <= SB_BLOCK_MIN / 4 && t->sb_spare != NULL) {
			b = t->sb_spare;
			t->sb_spare = NULL;
		} else {
			/* A very wide screen's worst case: still several
			 * lines a block. */
			size_t bs = size <= SB_BLOCK_MIN / 4 ? SB_BLOCK_MIN :
			    4 * size;

			b = xmalloc(sizeof *b + bs);
			b->size = bs;
		}
		b->used = 0;
		b->lines = 0;
		b->newer = NULL;
		b->older = t->sb_new;
		if (t->sb_new != NULL)
			t->sb_new->newer = b;
		else
			t->sb_old = b;
		t->sb_new = b;
		t->sb_bytes += b->size;
	}
	return (struct sb_line *)(void *)((char *)b->data + b->used);
}

static void
sb_commit(struct term *t, size_t size)
{
	t->sb_new->used += size;
	t->sb_new->lines++;
}

/* The oldest line is gone from the ring: its block goes with its last. */
static void
sb_drop_oldest(struct term *t)
{
	struct sb_block *b = t->sb_old;

	if (--b->lines > 0)
		return;
	if (b == t->sb_new) {
		b->used = 0;	/* the only block: start it again */
		return;
	}
	t->sb_old = b->newer;
	t->sb_old->older = NULL;
	sb_block_free(t, b);
}

/* The newest line l is gone from the ring: give its bytes back. */
static void
sb_drop_newest(struct term *t, struct sb_line *l)
{
	struct sb_block *b = t->sb_new;

	b->used = (size_t)((char *)l - (char *)b->data);
	if (--b->lines > 0 || b == t->sb_old)
		return;
	t->sb_new = b->older;
	t->sb_new->newer = NULL;
	sb_block_free(t, b);
}

static void
sb_free_all(struct term *t)
{
	struct sb_block *b, *next;

	for (b = t->sb_old; b != NULL; b = next) {
		next = b->newer;
		free(b);
	}
	free(t->sb_spare);
	t->sb_old = t->sb_new = t->sb_spare = NULL;
	t->sb_bytes = 0;
}

/* A screen row as a history line; flip is DECSCNM's reverse, kept as shown.
 * Every line a flooding guest writes comes through here (most only to be
 * dropped 10,000 lines later): out of line, so that its loop keeps its
 * registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static struct sb_line *
sb_encode(struct term *t, const struct row *row, int cols, uint16_t flip)
{
	const struct cell *cells = row->cells, *cell, *end;
	struct sb_line *l;
	uint32_t *runs, *codes, *out;
	uint64_t colors = UINT64_MAX;	/* no colour is: a run starts */
	uint32_t akey = UINT32_MAX;	/* the run's attrs beside comb 0 */
	uint16_t attrs = 0;
	size_t nruns = 0, ncodes, need;
	int n, c, i;

	/* Most trailing blanks are erased cells in the default pen: all
	 * their bytes are 0 (COL_DEFAULT is), and unless DECSCNM shows them
	 * reversed they can go. */
	n = cols;
#if defined(__SSE2__) && defined(__GNUC__)
	/* Four such cells a step: their 64 bytes ORed together are 0. */
	if (flip == 0) {
		const __m128i zero = _mm_setzero_si128();

		for (; n >= 4; n -= 4) {
			const __m128i *v =
			    (const __m128i *)(const void *)(cells + n - 4);
			__m128i o = _mm_or_si128(
			    _mm_or_si128(_mm_loadu_si128(v), _mm_loadu_si128(v + 1)),
			    _mm_or_si128(_mm_loadu_si128(v + 2), _mm_loadu_si128(v + 3)));

			if (_mm_movemask_epi8(_mm_cmpeq_epi8(o, zero)) != 0xffff)
				break;
		}
	}
#endif
	for (; n > 0; n--) {
		uint64_t w[2];

		memcpy(w, &cells[n - 1], sizeof w);
		if (((w[0] | w[1]) != 0 || flip != 0) &&
		    !cell_trimmable(&cells[n - 1], flip))
			break;
	}

	/* Worst case: all the chars of every cell, in the block, and a run
	 * for every cell, here. */
	need = 3 * (size_t)n;
	if (t->enc == NULL || need > t->enc_alloc) {
		free(t->enc);
		t->enc_alloc = need + 256;
		t->enc = xreallocarray(NULL, t->enc_alloc, sizeof *t->enc);
	}
	runs = t->enc;
	l = sb_reserve(t, sizeof *l + (size_t)n * (3 +
	    VTERM_MAX_CHARS_PER_CELL) * sizeof (uint32_t));
	codes = out = l->data;
	for (cell = cells, end = cells + n; cell < end; cell++) {
		uint32_t ch = 0, ac;	/* set by the loop: cell < end */
		uint64_t cc = 0;

		/* The common cell, in a loop of its own: in the run's pen (fg
		 * and bg one word, attrs and comb another), no combining
		 * chars, not a right half. */
		for (; cell < end; cell++) {
			ch = cell->ch;
			memcpy(&cc, (const char *)cell +
			    offsetof(struct cell, fg), sizeof cc);
			memcpy(&ac, (const char *)cell +
			    offsetof(struct cell, attrs), sizeof ac);
			if (cc != colors || ac != akey || ch == CELL_RIGHT)
				break;
			*out++ = ch;
		}
		if (cell == end)
			break;
		c = (int)(cell - cells);
		if (ch == CELL_RIGHT) {
			/* The cell before is wide: its base code says so. */
			if (c > 0 && cells[c - 1].ch != CELL_RIGHT) {
				uint32_t *base = out - 1;

				while (*base & SB_COMB)
					base--;
				*base |= SB_WIDE;
			}
			continue;
		}
		/* A run is the pen as the screen holds it (a protected cell
		 * may start one more run than needed). */
		if (cc != colors || cell->attrs != attrs) {
			struct cell key = *cell;

			key.comb = 0;
			memcpy(&akey, (const char *)&key +
			    offsetof(struct cell, attrs), sizeof akey);
			colors = cc;
			attrs = cell->attrs;
			runs[3 * nruns] = (uint32_t)c | (uint32_t)((cell->attrs ^
			    flip) & ~PA_PROTECTED) << 16;
			runs[3 * nruns + 1] = cell->fg;
			runs[3 * nruns + 2] = cell->bg;
			nruns++;
		}
		/* valid_cp made every char fit SB_CHAR. */
		*out++ = ch;
		if (!cell->comb)
			continue;
		for (i = 0; i < COMB_MAX && row->comb[c][i] != 0; i++)
			*out++ = (row->comb[c][i] & SB_CHAR) | SB_COMB;
	}
	ncodes = (size_t)(out - codes);

	l->nruns = (uint16_t)nruns;
	l->ncodes = (uint16_t)ncodes;
	memcpy(l->data + ncodes, runs, 3 * nruns * sizeof (uint32_t));
	sb_commit(t, sizeof *l + (3 * nruns + ncodes) * sizeof (uint32_t));
	return l;
}

static void
row_comb_alloc(struct row *row, int cols)
{
	if (row->comb == NULL)
		row->comb = xcalloc((size_t)cols, sizeof *row->comb);
}

/* Expand a stored line into cols cells of row (blank past its end). */
static void
sb_decode(const struct sb_line *l, int cols, struct row *row)
{
	const uint32_t *codes = l->data, *runs = l->data + l->ncodes;
	const struct cell blank = { 0, COL_DEFAULT, COL_DEFAULT, 0, 0 };
	struct cell pen = blank, *last = NULL, *cells = row->cells;
	size_t ncodes = l->ncodes, k;
	int c, col = 0, run = -1, nchars = 0;

	for (c = 0; c < cols; c++)
		cells[c] = blank;

	for (k = 0; k < ncodes; k++) {
		uint32_t code = codes[k];

		if (code & SB_COMB) {
			if (last != NULL && nchars < COMB_MAX) {
				if (nchars == 0) {
					row_comb_alloc(row, cols);
					memset(row->comb[last - cells], 0,
					    sizeof row->comb[0]);
					last->comb = 1;
				}
				row->comb[last - cells][nchars++] = code & SB_CHAR;
			}
			continue;
		}
		last = NULL;
		if (col >= cols)
			break;
		while (run + 1 < l->nruns && (int)(runs[3 * (run + 1)] & 0xffff) <= col) {
			run++;
			pen.attrs = (uint16_t)(runs[3 * run] >> 16);
			pen.fg = runs[3 * run + 1];
			pen.bg = runs[3 * run + 2];
		}
		cells[col] = pen;
		if ((code & SB_WIDE) && col + 1 >= cols) {
			col++;		/* no room for it any more: blank */
			continue;
		}
		cells[col].ch = code & SB_CHAR;
		/* Blank cells take no combining chars. */
		last = cells[col].ch != 0 ? &cells[col] : NULL;
		nchars = 0;
		if (code & SB_WIDE) {
			cells[col + 1] = cells[col];
			cells[col + 1].ch = CELL_RIGHT;
			col += 2;
		} else
			col++;
	}
}

static struct sb_line *
sb_get(const struct term *t, int i)
{
	return t->ring[(t->head + i) % t->ring_alloc];
}

/* A row leaves the top of the primary screen. */
static void
sb_push(struct term *t, const struct row *row, int cols)
{
	struct sb_line *l, **ring;
	bool dropped = false;
	int i, n;

	if (t->limit == 0)
		return;
	if (t->count == t->limit) {
		/* Full: the oldest goes, first, so that its block can be the
		 * new line's. */
		sb_drop_oldest(t);
		l = sb_encode(t, row, cols, t->reverse ? PA_REVERSE : 0);
		t->ring[t->head] = l;
		t->head = (t->head + 1) % t->ring_alloc;
		dropped = true;
	} else {
		l = sb_encode(t, row, cols, t->reverse ? PA_REVERSE : 0);
		if (t->count == t->ring_alloc) {
			n = t->ring_alloc ? t->ring_alloc * 2 : 256;
			if (n > t->limit)
				n = t->limit;
			ring = xreallocarray(NULL, (size_t)n, sizeof *ring);
			for (i = 0; i < t->count; i++)
				ring[i] = sb_get(t, i);
			free(t->ring);
			t->ring = ring;
			t->ring_alloc = n;
			t->head = 0;
		}
		t->ring[(t->head + t->count) % t->ring_alloc] = l;
		t->count++;
	}
	t->sb_total++;

	/* Scrolled back: stay on the same lines (tmux copy mode). */
	if (t->view > 0) {
		if (t->view < t->count)
			t->view++;
		if (t->view < t->rows || dropped)
			t->touched = true;
	}
}

/* The newest history line back into row (the screen grows); false if none. */
static bool
sb_pop(struct term *t, struct row *row, int cols)
{
	struct sb_line *l;
	int i;

	if (t->count == 0)
		return false;
	i = (t->head + t->count - 1) % t->ring_alloc;
	l = t->ring[i];
	sb_decode(l, cols, row);
	sb_drop_newest(t, l);
	t->ring[i] = NULL;
	t->count--;
	t->sb_total--;
	if (t->view > t->count)
		t->view = t->count;
	t->touched = true;
	return true;
}

/* ---- screen: what libvterm's state layer draws into ---- */

static struct row *
grid_row(const struct grid *g, int r)
{
	return g->at[g->top + r];
}

/* Screen row r shows at display row r + view: mark it for drawing. */
static void
mark_rows(struct term *t, int start, int end)
{
	int r;

	if (start <= 0 && end >= t->rows - t->view) {
		t->touched = true;
		return;
	}
	for (r = start + t->view; r < end + t->view && r < t->rows; r++)
		if (r >= 0)
			t->dirty[r] = true;
}

/* The pen as a blank cell of screen row r (DECDWL/DECDHL from libvterm). */
static struct cell
pen_blank(const struct term *t, int r)
{
	struct cell c = t->pen;
	const VTermLineInfo *li;

	if (r < t->rows) {
		li = vterm_state_get_lineinfo(t->state, r);
		c.attrs = (uint16_t)((c.attrs & ~(PA_DWL | PA_DHL_MASK)) |
		    (li->doublewidth ? PA_DWL : 0) |
		    li->doubleheight << PA_DHL_SHIFT);
	}
	return c;
}

/* Every line feed at the bottom blanks a row: memset for the default pen's
 * blank, else a plain loop (memcpy calls cost more on rows this short). */
static void
row_fill(struct row *row, int c0, int c1, struct cell blank)
{
	struct cell *p = row->cells + c0, *e = row->cells + c1;
	uint64_t w[2];

	memcpy(w, &blank, sizeof w);
	if ((w[0] | w[1]) == 0 && e > p) {
		/* The default pen's blank: all 0. */
		memset(p, 0, (size_t)(e - p) * sizeof *p);
		return;
	}
	for (; e - p >= 4; p += 4) {
		p[0] = blank;
		p[1] = blank;
		p[2] = blank;
		p[3] = blank;
	}
	for (; p < e; p++)
		*p = blank;
}

/* Blank rows [r0, r1) x [c0, c1) of g with the pen (selective: DECSED/DECSEL
 * spare protected cells). */
static void
grid_erase(struct term *t, struct grid *g, VTermRect rect, bool selective)
{
	struct cell blank;
	struct row *row;
	int r, c;

	for (r = rect.start_row; r < rect.end_row && r < g->n; r++) {
		row = grid_row(g, r);
		blank = pen_blank(t, r);
		if (!selective) {
			row_fill(row, rect.start_col, rect.end_col, blank);
			continue;
		}
		for (c = rect.start_col; c < rect.end_col; c++)
			if (!(row->cells[c].attrs & PA_PROTECTED))
				row->cells[c] = blank;
	}
}

/* Copy n cells between rows (or within one), combining chars too. */
static void
row_move(struct row *dst, int dc, struct row *src, int sc, int n, int cols)
{
	memmove(dst->cells + dc, src->cells + sc, (size_t)n * sizeof *dst->cells);
	if (src->comb != NULL) {
		row_comb_alloc(dst, cols);
		memmove(dst->comb + dc, src->comb + sc, (size_t)n * sizeof *dst->comb);
	}
}

static void
grid_free(struct grid *g)
{
	int r;

	for (r = 0; r < g->n; r++) {
		free(g->rows[r].cells);
		free(g->rows[r].comb);
	}
	free(g->rows);
	free(g->at);
	memset(g, 0, sizeof *g);
}

/* Resize g to rows x cols, keeping the top-left part; new cells blank with the
 * pen. A new grid when g is empty. */
static void
grid_size(struct term *t, struct grid *g, int rows, int cols)
{
	struct cell blank = t->pen;
	struct row *nr = xcalloc((size_t)rows, sizeof *nr);
	int r, keep = g->n < rows ? g->n : rows;

	for (r = 0; r < keep; r++) {
		nr[r] = *grid_row(g, r);
		if (cols != g->cols) {
			nr[r].cells = xreallocarray(nr[r].cells, (size_t)cols,
			    sizeof *nr[r].cells);
			if (nr[r].comb != NULL)
				nr[r].comb = xreallocarray(nr[r].comb,
				    (size_t)cols, sizeof *nr[r].comb);
			if (cols > g->cols)
				row_fill(&nr[r], g->cols, cols, blank);
		}
	}
	for (r = keep; r < g->n; r++) {
		free(grid_row(g, r)->cells);
		free(grid_row(g, r)->comb);
	}
	for (r = keep; r < rows; r++) {
		nr[r].cells = xreallocarray(NULL, (size_t)cols, sizeof *nr[r].cells);
		row_fill(&nr[r], 0, cols, blank);
	}
	free(g->rows);
	g->rows = nr;
	g->at = xreallocarray(g->at, 2 * (size_t)rows, sizeof *g->at);
	for (r = 0; r < 2 * rows; r++)
		g->at[r] = &nr[r % rows];
	g->n = rows;
	g->cols = cols;
	g->top = 0;
}

/*
 * Scroll rect up by n rows (down when n < 0), full width: rows are moved, not
 * cells. The whole screen turns the ring; a scroll region swaps its rows. The
 * rows scrolled off the top of the primary screen go to the scrollback, as
 * libvterm's screen does (a region at the top counts, a DECSLRM one not).
 */
static void
grid_scroll_rows(struct term *t, struct grid *g, int r0, int r1, int n)
{
	struct row tmp[64], *save = tmp;
	VTermRect erase = { 0, 0, 0, g->cols };
	int h = r1 - r0, k = n > 0 ? n : -n, r;

	/* A scroll by the whole height only erases, in libvterm's screen too:
	 * nothing goes to the history then. */
	if (n > 0 && k < h && r0 == 0 && g == &t->grids[0])
		for (r = 0; r < k; r++)
			sb_push(t, grid_row(g, r), g->cols);
	if (r0 == 0 && r1 == g->n) {
		g->top = ((g->top + n) % g->n + g->n) % g->n;
	} else if (k < h) {
		/* Rotate the region's rows by k: the k that leave come back as
		 * the rows to blank. */
		if (k > (int)(sizeof tmp / sizeof tmp[0]))
			save = xreallocarray(NULL, (size_t)k, sizeof *save);
		if (n > 0) {
			for (r = 0; r < k; r++)
				save[r] = *grid_row(g, r0 + r);
			for (r = r0; r < r1 - k; r++)
				*grid_row(g, r) = *grid_row(g, r + k);
			for (r = 0; r < k; r++)
				*grid_row(g, r1 - k + r) = save[r];
		} else {
			for (r = 0; r < k; r++)
				save[r] = *grid_row(g, r1 - k + r);
			for (r = r1 - 1; r >= r0 + k; r--)
				*grid_row(g, r) = *grid_row(g, r - k);
			for (r = 0; r < k; r++)
				*grid_row(g, r0 + r) = save[r];
		}
		if (save != tmp)
			free(save);
	}
	if (n > 0) {
		erase.start_row = r1 - k;
		erase.end_row = r1;
	} else {
		erase.start_row = r0;
		erase.end_row = r0 + k;
	}
	for (r = erase.start_row; r < erase.end_row; r++) {
		free(grid_row(g, r)->comb);
		grid_row(g, r)->comb = NULL;
	}
	grid_erase(t, g, erase, false);
}

/* vterm_scroll_rect's helpers, for scrolls that move part of a row. */
static int
cb_moverect(VTermRect dest, VTermRect src, void *user)
{
	struct term *t = user;
	struct grid *g = t->grid;
	int down = src.start_row - dest.start_row, r, r0, r1, step;
	int n = src.end_col - src.start_col;

	if (down < 0) {
		r0 = dest.end_row - 1;
		r1 = dest.start_row - 1;
		step = -1;
	} else {
		r0 = dest.start_row;
		r1 = dest.end_row;
		step = 1;
	}
	for (r = r0; r != r1; r += step)
		row_move(grid_row(g, r), dest.start_col, grid_row(g, r + down),
		    src.start_col, n, g->cols);
	mark_rows(t, dest.start_row, dest.end_row);
	return 1;
}

static int
cb_erase(VTermRect rect, int selective, void *user)
{
	struct term *t = user;
	struct grid *g = t->grid;

	if (rect.start_row < 0 || rect.end_row > g->n || rect.start_col < 0 ||
	    rect.end_col > g->cols || rect.start_col >= rect.end_col)
		return 1;
	grid_erase(t, g, rect, selective != 0);
	mark_rows(t, rect.start_row, rect.end_row);
	return 1;
}

static int
cb_scrollrect(VTermRect rect, int downward, int rightward, void *user)
{
	struct term *t = user;
	struct grid *g = t->grid;

	if (rect.start_row < 0 || rect.end_row > g->n || rect.start_col < 0 ||
	    rect.end_col > g->cols || rect.start_row >= rect.end_row ||
	    rect.start_col >= rect.end_col)
		return 1;
	if (rightward == 0 && rect.start_col == 0 && rect.end_col == g->cols)
		grid_scroll_rows(t, g, rect.start_row, rect.end_row, downward);
	else
		vterm_scroll_rect(rect, downward, rightward, cb_moverect,
		    cb_erase, t);
	mark_rows(t, rect.start_row, rect.end_row);
	return 1;
}

/* libvterm 0.1.4 can hand putglyph a stale word as a code point (a write
 * whose broken UTF-8 decodes to more code points than bytes); it must not
 * pass for CELL_RIGHT or reach curses. */
static inline uint32_t
valid_cp(uint32_t c)
{
	return c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ? 0xfffd : c;
}

/* A glyph other than one plain printable ASCII char: one beyond ASCII, with
 * combining chars, wide, protected or on a DECDWL/DECDHL line. Out of line,
 * so that cb_putglyph stays a leaf with few registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
put_rare(struct term *t, struct row *row, const VTermGlyphInfo *info, int col)
{
	struct cell *cell = &row->cells[col];
	int i, c;

	cell->ch = valid_cp(info->chars[0]);
	if (info->width == 1 && (info->chars[0] == 0 || info->chars[1] == 0) &&
	    !info->protected_cell && !info->dwl && !info->dhl)
		return 1;
	cell->attrs = (uint16_t)(t->pen.attrs |
	    (info->protected_cell ? PA_PROTECTED : 0) |
	    (info->dwl ? PA_DWL : 0) | info->dhl << PA_DHL_SHIFT);
	if (info->chars[0] != 0 && info->chars[1] != 0) {
		row_comb_alloc(row, t->grid->cols);
		memset(row->comb[col], 0, sizeof row->comb[0]);
		for (i = 1; i < VTERM_MAX_CHARS_PER_CELL && info->chars[i]; i++)
			row->comb[col][i - 1] = valid_cp(info->chars[i]);
		cell->comb = 1;
	}
	for (c = 1; c < info->width && col + c < t->grid->cols; c++) {
		row->cells[col + c].ch = CELL_RIGHT;
		row->cells[col + c].comb = 0;
	}
	return 1;
}

/* Once per character a guest prints: keep it short. The pen is a whole
 * blank cell already, so a plain char is two stores. */
static int
cb_putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	struct term *t = user;
	struct grid *g = t->grid;
	struct row *row;
	uint32_t ch = info->chars[0];

	if ((unsigned)pos.row >= (unsigned)g->n ||
	    (unsigned)pos.col >= (unsigned)g->cols)
		return 1;
	row = g->at[g->top + pos.row];
	row->cells[pos.col] = t->pen;
	row->cells[pos.col].ch = ch;
	row->written = true;
	if (ch - 0x20 >= 0x5f || info->chars[1] != 0 || info->width != 1 ||
	    info->protected_cell || info->dwl || info->dhl)
		return put_rare(t, row, info, pos.col);
	return 1;
}

static int
cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	/* term_cursor asks libvterm; the focused cursor is the UI's. */
	(void)pos;
	(void)oldpos;
	(void)visible;
	(void)user;
	return 1;
}

static int
cb_initpen(void *user)
{
	struct term *t = user;

	t->pen = (struct cell){ 0, COL_DEFAULT, COL_DEFAULT, 0, 0 };
	return 1;
}

static void
pen_flag(struct term *t, uint16_t flag, bool on)
{
	t->pen.attrs = (uint16_t)(on ? t->pen.attrs | flag : t->pen.attrs & ~flag);
}

static int
cb_setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	struct term *t = user;

	switch (attr) {
	case VTERM_ATTR_BOLD:
		pen_flag(t, PA_BOLD, val->boolean);
		break;
	case VTERM_ATTR_UNDERLINE:
		t->pen.attrs = (uint16_t)((t->pen.attrs & ~PA_UL_MASK) |
		    (val->number & 3) << PA_UL_SHIFT);
		break;
	case VTERM_ATTR_ITALIC:
		pen_flag(t, PA_ITALIC, val->boolean);
		break;
	case VTERM_ATTR_BLINK:
		pen_flag(t, PA_BLINK, val->boolean);
		break;
	case VTERM_ATTR_REVERSE:
		pen_flag(t, PA_REVERSE, val->boolean);
		break;
	case VTERM_ATTR_STRIKE:
		pen_flag(t, PA_STRIKE, val->boolean);
		break;
#ifdef TERM_VTERM_02
	case VTERM_ATTR_CONCEAL:
		pen_flag(t, PA_CONCEAL, val->boolean);
		break;
#endif
	case VTERM_ATTR_FONT:
		t->pen.attrs = (uint16_t)((t->pen.attrs & ~(0xfu << PA_FONT_SHIFT)) |
		    (val->number & 0xf) << PA_FONT_SHIFT);
		break;
	case VTERM_ATTR_FOREGROUND:
		t->pen.fg = color_pack(&val->color);
		break;
	case VTERM_ATTR_BACKGROUND:
		t->pen.bg = color_pack(&val->color);
		break;
	default:
		break;
	}
	return 1;
}

static int
cb_setlineinfo(int row, const VTermLineInfo *newinfo,
    const VTermLineInfo *oldinfo, void *user)
{
	struct term *t = user;
	struct grid *g = t->grid;
	struct row *rw;
	VTermRect rect;
	uint16_t set;
	int c;

	if (row < 0 || row >= g->n)
		return 1;
	if (newinfo->doublewidth == oldinfo->doublewidth &&
	    newinfo->doubleheight == oldinfo->doubleheight)
		return 1;
	rw = grid_row(g, row);
	set = (uint16_t)((newinfo->doublewidth ? PA_DWL : 0) |
	    newinfo->doubleheight << PA_DHL_SHIFT);
	for (c = 0; c < g->cols; c++)
		rw->cells[c].attrs = (uint16_t)((rw->cells[c].attrs &
		    ~(PA_DWL | PA_DHL_MASK)) | set);
	if (newinfo->doublewidth) {
		/* Only the left half shows: blank the right one. */
		rect = (VTermRect){ row, row + 1, g->cols / 2, g->cols };
		grid_erase(t, g, rect, false);
	}
	mark_rows(t, row, row + 1);
	return 1;
}

/* libvterm resized its state (t->rows, t->cols are the new size already); the
 * screens follow, as libvterm's own screen does: on the primary screen a
 * shrink pushes the rows above the cursor to the scrollback when the blank
 * rows below it do not suffice, a grow pulls history lines back at the top.
 * delta moves the cursor with the text. */
static int
cb_resize(int rows, int cols, VTermPos *delta, void *user)
{
	struct term *t = user;
	struct grid *g = &t->grids[0];
	struct row *row;
	VTermPos cur;
	int r, c, first_blank, old_rows;
	bool alt = t->grid == &t->grids[1];

	if (!alt && rows < g->n) {
		vterm_state_get_cursorpos(t->state, &cur);
		for (r = g->n - 1; r >= rows; r--) {
			if (r == cur.row)
				break;
			row = grid_row(g, r);
			for (c = 0; c < g->cols && row->cells[c].ch == 0; c++)
				/* nothing */;
			if (c < g->cols)
				break;
		}
		first_blank = r + 1;
		if (first_blank > rows) {
			grid_scroll_rows(t, g, 0, g->n, first_blank - rows);
			delta->row -= first_blank - rows;
		}
	}
	old_rows = g->n;
	grid_size(t, &t->grids[0], rows, cols);
	if (t->grids[1].rows != NULL)
		grid_size(t, &t->grids[1], rows, cols);
	/* Each history line pulled back comes in at the top. */
	for (r = old_rows; !alt && r < rows && t->count > 0; r++) {
		grid_scroll_rows(t, g, 0, rows, -1);
		sb_pop(t, grid_row(g, 0), cols);
		/* Stored as shown: under DECSCNM the screen shows it flipped. */
		for (c = 0; t->reverse && c < cols; c++)
			grid_row(g, 0)->cells[c].attrs ^= PA_REVERSE;
		delta->row++;
	}
	t->touched = true;
	return 1;
}

/* ---- libvterm callbacks ---- */

#ifndef TERM_VTERM_02
static void
title_set(struct term *t, const char *s, size_t len)
{
	if (len >= sizeof t->title)
		len = sizeof t->title - 1;
	memcpy(t->title, s, len);
	t->title[len] = '\0';
	t->titlelen = len;
}
#endif

static int
cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct term *t = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		t->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_ALTSCREEN:
		/* libvterm erases the alternate screen after this. */
		if (val->boolean && t->grids[1].rows == NULL)
			grid_size(t, &t->grids[1], t->grids[0].n, t->grids[0].cols);
		t->grid = &t->grids[val->boolean ? 1 : 0];
		t->altscreen = val->boolean;
		t->touched = true;
		break;
	case VTERM_PROP_REVERSE:
		t->reverse = val->boolean;
		t->touched = true;
		break;
	case VTERM_PROP_TITLE:
#ifdef TERM_VTERM_02
		/* 0.2 hands the string over in fragments. */
		if (val->string.initial)
			t->titlelen = 0;
		if (t->titlelen + val->string.len < sizeof t->title) {
			memcpy(t->title + t->titlelen, val->string.str,
			    val->string.len);
			t->titlelen += val->string.len;
		}
		t->title[t->titlelen] = '\0';
		if (!val->string.final)
			break;
#else
		title_set(t, val->string, strlen(val->string));
#endif
		if (t->cb.title != NULL)
			t->cb.title(t->title, t->arg);
		break;
	default:
		break;
	}
	return 1;
}

static int
cb_bell(void *user)
{
	struct term *t = user;

	if (t->cb.bell != NULL)
		t->cb.bell(t->arg);
	return 1;
}

static void
cb_output(const char *s, size_t len, void *user)
{
	struct term *t = user;

	if (t->cb.output != NULL && len > 0)
		t->cb.output(s, len, t->arg);
}

/* libvterm keeps a pointer to it: static. Our own screen (see above) takes
 * the state layer's drawing; every callback returns 1 so libvterm does not
 * fall back to its own moves. */
static const VTermStateCallbacks term_state_cbs = {
	.putglyph = cb_putglyph,
	.movecursor = cb_movecursor,
	.scrollrect = cb_scrollrect,
	.moverect = cb_moverect,
	.erase = cb_erase,
	.initpen = cb_initpen,
	.setpenattr = cb_setpenattr,
	.settermprop = cb_settermprop,
	.bell = cb_bell,
	.resize = cb_resize,
	.setlineinfo = cb_setlineinfo,
};

/* ---- life cycle ---- */

static int
clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Per-row and per-column buffers for the current size. */
static void
buffers_size(struct term *t, int rows, int cols)
{
	t->dirty = xreallocarray(t->dirty, (size_t)rows, sizeof *t->dirty);
	memset(t->dirty, 0, (size_t)rows * sizeof *t->dirty);
	if (cols > t->cols_alloc) {
		t->line.cells = xreallocarray(t->line.cells, (size_t)cols,
		    sizeof *t->line.cells);
		/* Sized here: sb_decode's own allocation would be for the
		 * width of the moment. */
		free(t->line.comb);
		t->line.comb = xcalloc((size_t)cols, sizeof *t->line.comb);
		t->bases = xreallocarray(t->bases, (size_t)cols, sizeof *t->bases);
		t->basecol = xreallocarray(t->basecol, (size_t)cols,
		    sizeof *t->basecol);
		t->marks = xreallocarray(t->marks, (size_t)cols, sizeof *t->marks);
		t->cols_alloc = cols;
	}
}

struct term *
term_new(int rows, int cols, int scrollback, const struct term_callbacks *cb,
    void *arg)
{
	struct term *t = xcalloc(1, sizeof *t);

	t->rows = clamp(rows, 1, TERM_MAX_ROWS);
	t->cols = clamp(cols, TERM_MIN_COLS, TERM_MAX_COLS);
	t->limit = scrollback < 0 ? TERM_SCROLLBACK_DEFAULT : scrollback;
	if (cb != NULL)
		t->cb = *cb;
	t->arg = arg;
	t->cursor_visible = true;
	t->touched = true;
	t->ghost_row = -1;
	term_guard_init(&t->guard, &t->runs);
	buffers_size(t, t->rows, t->cols);
	t->pen = (struct cell){ 0, COL_DEFAULT, COL_DEFAULT, 0, 0 };
	grid_size(t, &t->grids[0], t->rows, t->cols);
	t->grid = &t->grids[0];

	/* The state layer without libvterm's screen (which would take the
	 * state's callbacks); the hard reset sets the state up, as
	 * vterm_screen_reset did (NOTES-TECH: without it the first
	 * vterm_input_write crashes). */
	if ((t->vt = vterm_new(t->rows, t->cols)) == NULL)
		fatal("out of memory (vterm_new)");
	vterm_set_utf8(t->vt, 1);
	t->state = vterm_obtain_state(t->vt);
	vterm_state_set_callbacks(t->state, &term_state_cbs, t);
	vterm_state_reset(t->state, 1);
	/* The callback, not vterm_output_read, whose buffer drops bytes. */
	vterm_output_set_callback(t->vt, cb_output, t);
	return t;
}

void
term_free(struct term *t)
{
	if (t == NULL)
		return;
	vterm_free(t->vt);
	grid_free(&t->grids[0]);
	grid_free(&t->grids[1]);
	sb_free_all(t);
	free(t->ring);
	free(t->dirty);
	free(t->enc);
	free(t->line.cells);
	free(t->line.comb);
	free(t->bases);
	free(t->basecol);
	free(t->marks);
	free(t->needle);
	free(t);
}

/*
 * Follow the escape sequences in p from t->scan, cheaply (memchr between
 * them). With stop, return as soon as the parser is back in ground state;
 * else return where an unfinished sequence at the end starts (len if none).
 */
static size_t
scan(struct term *t, const unsigned char *p, size_t len, bool stop)
{
	const unsigned char *e;
	size_t i = 0, start = len;
	unsigned char c;

	while (i < len) {
		if (t->scan == SCAN_GROUND) {
			if (stop)
				return i;
			if ((e = memchr(p + i, 0x1b, len - i)) == NULL)
				return len;
			i = (size_t)(e - p);
		} else if (t->scan == SCAN_CSI) {
			/* Parameters and intermediates change nothing here:
			 * SGR sequences are much of a colourful guest's output. */
			while (i < len && p[i] >= 0x20 && p[i] < 0x40)
				i++;
			if (i == len)
				break;
		}
		c = p[i++];
		if (c == 0x18 || c == 0x1a)	/* CAN, SUB: abort */
			t->scan = SCAN_GROUND;
		else if (c == 0x1b) {
			t->scan = SCAN_ESC;
			start = i - 1;
		} else if (c < 0x20 && (t->scan != SCAN_STRING || c != 0x07))
			continue;	/* C0 runs inside sequences */
		else {
			switch (t->scan) {
			case SCAN_ESC:
				if (c == '[')
					t->scan = SCAN_CSI;
				else if (c == ']' || c == 'P' || c == '_' ||
				    c == '^' || c == 'X')
					t->scan = SCAN_STRING;
				else if (c >= 0x20 && c <= 0x2f)
					t->scan = SCAN_ESC_INTER;
				else
					t->scan = SCAN_GROUND;
				break;
			case SCAN_ESC_INTER:
				if (c >= 0x30)
					t->scan = SCAN_GROUND;
				break;
			case SCAN_CSI:
				if (c >= 0x40 && c <= 0x7e)
					t->scan = SCAN_GROUND;
				break;
			case SCAN_STRING:
				if (c == 0x07)	/* BEL ends an OSC */
					t->scan = SCAN_GROUND;
				break;
			}
		}
	}
	return stop || t->scan == SCAN_GROUND ? len : start;
}

/*
 * After the screen shrinks, libvterm 0.1.4 keeps state pointing past it, and a
 * guest can crash it: a cursor saved by DECSC or ?1049h (ESC 8 then ESC # 6
 * writes past the line array), a scroll region whose top is now below the
 * bottom (then a LF). Clamp the cursor (an unknown private mode is a no-op
 * that bounds it), save it, reset the scroll region (as xterm does on resize;
 * it homes the cursor) and restore the cursor. The guest's own saved cursor is
 * lost, but a serial guest does not know about the resize anyway. The parser
 * is between sequences here (term_feed holds unfinished ones back), except in
 * a string too long to hold: that one is cut and its rest dropped.
 */
static void
fix_after_shrink(struct term *t)
{
	static const char fix[] = "\033[?0h\0337\033[r\0338";

	vterm_input_write(t->vt, fix, sizeof fix - 1);
	if (t->passthru)
		t->discard = true;
}

/* Write bytes of a sequence too long to hold (or the rest of a cut one). */
static void
feed_through(struct term *t, const char *buf, size_t len)
{
	if (!t->discard)
		vterm_input_write(t->vt, buf, len);
	if (t->scan == SCAN_GROUND)
		t->passthru = t->discard = false;
}

/*
 * An escape sequence unfinished at the end of buf is held back and fed whole
 * with the next bytes: libvterm 0.1.4 loses an OSC (the title) split across
 * writes, and fix_after_shrink must not land inside a guest's sequence.
 */
static void
feed_guarded(struct term *t, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *e;
	size_t k;

	if (len == 0)
		return;
	if (t->scan != SCAN_GROUND) {
		/* The sequence the last bytes left open. */
		k = scan(t, p, len, true);
		if (t->passthru)
			feed_through(t, buf, k);
		else if (t->held_len + k <= sizeof t->held) {
			memcpy(t->held + t->held_len, buf, k);
			t->held_len += k;
			if (t->scan != SCAN_GROUND)
				return;		/* still open */
			vterm_input_write(t->vt, t->held, t->held_len);
			t->held_len = 0;
		} else {
			/* Too long to hold (a big OSC 52): let it through. */
			vterm_input_write(t->vt, t->held, t->held_len);
			t->held_len = 0;
			t->passthru = true;
			feed_through(t, buf, k);
		}
		buf += k;
		p += k;
		len -= k;
	}
	if (len > 0) {
		/* The guard follows libvterm's parser byte by byte: when it
		 * ends the bytes outside any sequence, nothing is left open
		 * and the scan can be skipped (most of a flood). */
		if (term_guard_ground(&t->guard)) {
			t->scan = SCAN_GROUND;
			vterm_input_write(t->vt, buf, len);
			return;
		}
		/* An ESC starts a sequence in any state: the scan from the
		 * last one ends as one from the start would. */
		e = memrchr(p, 0x1b, len);
		k = e == NULL ? len : (size_t)(e - p) +
		    scan(t, e, len - (size_t)(e - p), false);
		vterm_input_write(t->vt, buf, k);
		if (k < len && len - k <= sizeof t->held) {
			memcpy(t->held, buf + k, len - k);
			t->held_len = len - k;
		} else if (k < len) {
			t->passthru = true;
			feed_through(t, buf + k, len - k);
		}
	}
}

/* Glyphs a run must have to go around libvterm: room for the CUF that
 * replaces them ("\033[4095C"). */
#define RUN_DIRECT_MIN	8

/*
 * The filtered bytes of a slice, with the guard's runs of text (see
 * term_guard.h) written into the screen here: putglyph's work without
 * libvterm's per-glyph decoding and bookkeeping, which is most of a flood's
 * cost. Each run but its last char is written into the cursor's row, and in
 * the bytes libvterm gets its tail becomes a CUF past it; the last char goes
 * through libvterm, so that its last glyph (for REP and combining chars) and
 * its cursor (for wrapping) are its own. A run that would reach the row's
 * last column, or is on a double-width line, is left to libvterm.
 */
static void
feed_runs(struct term *t, char *buf, size_t len)
{
	const struct term_guard_runs *runs = &t->runs;
	size_t done = 0, at;
	int i, k, c, m;

	for (i = 0; i < runs->n; i++) {
		const VTermLineInfo *li;
		struct grid *g;
		struct row *row;
		VTermPos pos;
		char cuf[16];

		at = runs->at[i];
		if (at > done)
			vterm_input_write(t->vt, buf + done, at - done);
		done = at;
		g = t->grid;	/* those bytes may have switched screens */
		vterm_state_get_cursorpos(t->state, &pos);
		k = (int)runs->len[i] - 1;
		if (k > g->cols - 1 - pos.col)
			k = g->cols - 1 - pos.col;
		if (k < RUN_DIRECT_MIN || pos.row < 0 || pos.row >= g->n ||
		    pos.col < 0)
			continue;
		li = vterm_state_get_lineinfo(t->state, pos.row);
		if (li->doublewidth || li->doubleheight)
			continue;
		row = grid_row(g, pos.row);
		for (c = 0; c < k; c++) {
			row->cells[pos.col + c] = t->pen;
			row->cells[pos.col + c].ch = (unsigned char)buf[at + (size_t)c];
		}
		row->written = true;
		m = snprintf(cuf, sizeof cuf, "\033[%dC", k);
		done = at + (size_t)(k - m);
		memcpy(buf + done, cuf, (size_t)m);
	}
	feed_guarded(t, buf + done, len - done);
}

/* How many bytes at the end of p are a UTF-8 char not finished yet. */
static size_t
utf8_unfinished(const char *p, size_t len)
{
	size_t back, need;
	unsigned char c;

	for (back = 1; back <= 5 && back <= len; back++) {
		c = (unsigned char)p[len - back];
		if (c < 0x80)
			return 0;
		if (c < 0xc0)
			continue;	/* a continuation byte */
		need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : c < 0xfc ? 5 :
		    c < 0xfe ? 6 : 1;
		return back < need ? back : 0;
	}
	return 0;
}

/*
 * Every byte from a guest passes term_guard first. Slices bound the stack
 * libvterm 0.1.4 takes per write (an array of the write's length). The
 * guard filters a copy in place: it moves nothing until it drops a byte.
 * A UTF-8 char cut by a read waits for its rest: libvterm 0.1.4 decodes a
 * stretch of text starting with ASCII with one decoder and one starting
 * beyond ASCII with another, so a char split across two writes after some
 * ASCII came out as two U+FFFD.
 */
void
term_feed(struct term *t, const char *buf, size_t len)
{
	char slice[16384];
	size_t k, n, h;

	while (len > 0) {
		h = t->u8_len;
		memcpy(slice, t->u8, h);
		k = len < sizeof slice - h ? len : sizeof slice - h;
		memcpy(slice + h, buf, k);
		buf += k;
		len -= k;
		k += h;
		h = utf8_unfinished(slice, k);
		memcpy(t->u8, slice + k - h, h);
		t->u8_len = h;
		if ((k -= h) == 0)
			continue;
		n = term_guard_filter(&t->guard, slice, k, slice);
		/* Runs only from a slice that starts outside any sequence. */
		if (n > 0 && t->runs.n > 0 && t->scan == SCAN_GROUND &&
		    !t->passthru)
			feed_runs(t, slice, n);
		else if (n > 0)
			feed_guarded(t, slice, n);
	}
}

void
term_resize(struct term *t, int rows, int cols)
{
	bool shrink;

	rows = clamp(rows, 1, TERM_MAX_ROWS);
	cols = clamp(cols, TERM_MIN_COLS, TERM_MAX_COLS);
	if (rows == t->rows && cols == t->cols)
		return;
	shrink = rows < t->rows || cols < t->cols;
	buffers_size(t, rows, cols);
	t->rows = rows;
	t->cols = cols;
	/* Rows first. Lines pushed off the top go to the scrollback, growing
	 * pulls them back (cb_resize). */
	vterm_set_size(t->vt, rows, cols);
	if (shrink)
		fix_after_shrink(t);
	if (t->view > t->count)
		t->view = t->count;
	t->ghost_row = -1;
	t->touched = true;
}

void
term_size(const struct term *t, int *rows, int *cols)
{
	*rows = t->rows;
	*cols = t->cols;
}

bool
term_dirty(const struct term *t)
{
	int r;

	if (t->touched || t->pool_gen != pool.gen)
		return true;
	for (r = 0; r < t->rows; r++)
		if (t->dirty[r] || grid_row(t->grid, r)->written)
			return true;
	return false;
}

void
term_touch(struct term *t)
{
	t->touched = true;
}

bool
term_cursor(const struct term *t, int *row, int *col)
{
	VTermPos pos;

	vterm_state_get_cursorpos(t->state, &pos);
	*row = clamp(pos.row, 0, t->rows - 1);
	*col = clamp(pos.col, 0, t->cols - 1);
	return t->cursor_visible && t->view == 0;
}

bool
term_altscreen(const struct term *t)
{
	return t->altscreen;
}

/* ---- lines ---- */

/* Lines by index from the oldest history line (0) to the last screen row. */
static int
line_total(const struct term *t)
{
	return t->count + t->rows;
}

/*
 * Line a (0 .. line_total - 1): a screen row as it is (no copy), a history
 * line decoded into t->line (the one scratch line, hence the cast: callers
 * take a const term). *flip is the attribute DECSCNM flips on the screen.
 */
static const struct row *
line_row(const struct term *t, int a, uint16_t *flip)
{
	struct row *line = (struct row *)&t->line;

	if (a < t->count) {
		*flip = 0;
		sb_decode(sb_get(t, a), t->cols, line);
		return line;
	}
	*flip = t->reverse ? PA_REVERSE : 0;
	return grid_row(t->grid, a - t->count);
}

/* Columns the cell at c covers: 2 when the next is its right half. */
static int
cell_width(const struct row *row, int c, int cols)
{
	return c + 1 < cols && row->cells[c + 1].ch == CELL_RIGHT ? 2 : 1;
}

/* The chars of a cell (first, then combining), 0-terminated in out; n. */
static int
cell_chars(const struct row *row, int c, uint32_t out[VTERM_MAX_CHARS_PER_CELL + 1])
{
	int n = 0, i;

	out[n++] = row->cells[c].ch;
	if (row->cells[c].comb)
		for (i = 0; i < COMB_MAX && row->comb[c][i] != 0; i++)
			out[n++] = row->comb[c][i];
	out[n] = 0;
	return n;
}

/* The public line number (screen 0.., history -1..) as an index. */
static int
line_index(const struct term *t, int line)
{
	int a = t->count + line;

	return a >= 0 && a < line_total(t) ? a : -1;
}

static size_t
utf8_put(uint32_t c, char *s)
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		s[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		s[0] = (char)(0xc0 | c >> 6);
		s[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		s[0] = (char)(0xe0 | c >> 12);
		s[1] = (char)(0x80 | (c >> 6 & 0x3f));
		s[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	s[0] = (char)(0xf0 | c >> 18);
	s[1] = (char)(0x80 | (c >> 12 & 0x3f));
	s[2] = (char)(0x80 | (c >> 6 & 0x3f));
	s[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Decode UTF-8 into code points (invalid bytes become U+FFFD); returns n. */
static int
utf8_decode(const char *s, uint32_t *out, int max)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	int n = 0, more, i;

	while (*p != '\0' && n < max) {
		if (*p < 0x80) {
			c = *p++;
			more = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			c = *p++ & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			c = *p++ & 0x0f;
			more = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			c = *p++ & 0x07;
			more = 3;
		} else {
			p++;
			out[n++] = 0xfffd;
			continue;
		}
		for (i = 0; i < more; i++) {
			if ((*p & 0xc0) != 0x80)
				break;
			c = c << 6 | (*p++ & 0x3f);
		}
		out[n++] = i < more ? 0xfffd : c;
	}
	return n;
}

int
term_line_text(const struct term *t, int line, char *buf, size_t len)
{
	const struct row *row;
	uint32_t chars[VTERM_MAX_CHARS_PER_CELL + 1];
	size_t pos = 0, end = 0, n;
	uint16_t flip;
	char u[4];
	int a, c, i, nc;

	if (len > 0)
		buf[0] = '\0';
	if ((a = line_index(t, line)) < 0)
		return -1;
	if (len == 0)
		return 0;
	row = line_row(t, a, &flip);
	for (c = 0; c < t->cols; c++) {
		if (row->cells[c].ch == CELL_RIGHT)
			continue;
		nc = cell_chars(row, c, chars);
		for (i = 0; i < nc; i++) {
			uint32_t ch = chars[i];

			n = utf8_put(ch == 0 ? ' ' : ch, u);
			if (pos + n >= len)
				goto out;
			memcpy(buf + pos, u, n);
			pos += n;
			if (ch != 0 && ch != ' ')
				end = pos;
			if (ch == 0)
				break;
		}
	}
out:
	buf[end] = '\0';
	return (int)end;
}

static struct term_color
color_public(uint32_t pc)
{
	struct term_color c;

	c.value = pc == COL_DEFAULT ? -1 : (int)(pc & 0xffffff);
	c.rgb = (pc & COL_KIND) == COL_RGB;
	return c;
}

int
term_cell(const struct term *t, int line, int col, struct term_cell *out)
{
	static const struct {
		uint16_t pa;
		unsigned attr;
	} amap[] = {
		{ PA_BOLD, TERM_ATTR_BOLD }, { PA_UL_MASK, TERM_ATTR_UNDERLINE },
		{ PA_ITALIC, TERM_ATTR_ITALIC }, { PA_BLINK, TERM_ATTR_BLINK },
		{ PA_REVERSE, TERM_ATTR_REVERSE }, { PA_STRIKE, TERM_ATTR_STRIKE },
		{ PA_CONCEAL, TERM_ATTR_CONCEAL },
	};
	const struct row *row;
	const struct cell *cell;
	uint32_t chars[VTERM_MAX_CHARS_PER_CELL + 1];
	uint16_t flip, pa;
	size_t k;
	int i, n, idx;

	memset(out, 0, sizeof *out);
	if ((idx = line_index(t, line)) < 0 || col < 0 || col >= t->cols)
		return -1;
	row = line_row(t, idx, &flip);
	cell = &row->cells[col];
	if (cell->ch == CELL_RIGHT)
		out->width = 0;
	else {
		out->width = cell_width(row, col, t->cols);
		n = cell->ch == 0 ? 0 : cell_chars(row, col, chars);
		for (i = 0; i < n && i < TERM_CELL_MAXCHARS; i++)
			out->chars[i] = chars[i];
	}
	pa = cell->attrs ^ flip;
	for (k = 0; k < sizeof amap / sizeof amap[0]; k++)
		if (pa & amap[k].pa)
			out->attrs |= amap[k].attr;
	out->fg = color_public(cell->fg);
	out->bg = color_public(cell->bg);
	return 0;
}

size_t
term_scrollback_bytes(const struct term *t)
{
	return t->sb_bytes + (t->sb_spare != NULL ? t->sb_spare->size : 0) +
	    (size_t)t->ring_alloc * sizeof *t->ring;
}

int
term_scrollback_lines(const struct term *t)
{
	return t->count;
}

/* ---- scrolling and search ---- */

int
term_scroll(struct term *t, int delta)
{
	long v = (long)t->view + delta;
	int nv = (int)(v < 0 ? 0 : v > t->count ? t->count : v);

	if (nv != t->view) {
		t->view = nv;
		t->touched = true;
	}
	return t->view;
}

void
term_scroll_reset(struct term *t)
{
	term_scroll(t, -t->view);
}

/* The base chars of row (blank as space) and where each starts. */
static int
line_bases(struct term *t, const struct row *row)
{
	int c, n = 0;

	for (c = 0; c < t->cols; c++) {
		if (row->cells[c].ch == CELL_RIGHT)
			continue;
		t->bases[n] = row->cells[c].ch ? row->cells[c].ch : ' ';
		t->basecol[n++] = c;
	}
	return n;
}

static bool
match_at(const struct term *t, int i, int n)
{
	int k;

	if (i + t->nlen > n)
		return false;
	for (k = 0; k < t->nlen; k++)
		if (t->bases[i + k] != t->needle[k])
			return false;
	return true;
}

/* Columns from the match at base i to its last cell. */
static int
match_end_col(const struct term *t, const struct row *row, int i)
{
	int last = i + t->nlen - 1;

	return t->basecol[last] + cell_width(row, t->basecol[last], t->cols) - 1;
}

int
term_search(struct term *t, const char *needle, int dir)
{
	int total = line_total(t), first = t->count - t->view, a0, c0, k, a, i, n;
	int found = -1;
	long long base_serial = t->sb_total - t->count;
	uint16_t flip;

	free(t->needle);
	t->needle = xreallocarray(NULL, strlen(needle) + 1, sizeof *t->needle);
	t->nlen = utf8_decode(needle, t->needle, (int)strlen(needle) + 1);
	t->touched = true;
	if (t->nlen == 0) {
		term_search_clear(t);
		return -1;
	}
	dir = dir < 0 ? -1 : 1;

	/* From the current match while it is in view, else from the view's
	 * edge (the user scrolled away from it). */
	a0 = (int)(t->match_serial - base_serial);
	if (t->match_valid && a0 >= first && a0 < first + t->rows)
		c0 = t->match_col;
	else if (dir < 0) {
		a0 = first + t->rows - 1;
		c0 = INT_MAX;
	} else {
		a0 = first;
		c0 = -1;
	}
	t->match_valid = false;

	/* Every line once, then the start line again (wrapping around). */
	for (k = 0; k <= total && found < 0; k++) {
		a = ((a0 + dir * k) % total + total) % total;
		n = line_bases(t, line_row(t, a, &flip));
		if (dir < 0) {
			for (i = n - 1; i >= 0; i--)
				if ((k > 0 || t->basecol[i] < c0) && match_at(t, i, n))
					break;
		} else {
			for (i = 0; i < n; i++)
				if ((k > 0 || t->basecol[i] > c0) && match_at(t, i, n))
					break;
			if (i == n)
				i = -1;
		}
		if (i >= 0) {
			found = a;
			t->match_col = t->basecol[i];
		}
	}
	if (found < 0)
		return -1;
	t->match_valid = true;
	t->match_serial = base_serial + found;

	/* Show it, near the middle when the view has to move. */
	if (found < first || found >= first + t->rows)
		t->view = clamp(t->count - found + t->rows / 2, 0, t->count);
	return 0;
}

void
term_search_clear(struct term *t)
{
	free(t->needle);
	t->needle = NULL;
	t->nlen = 0;
	t->match_valid = false;
	t->touched = true;
}

/* t->marks for line a (in row): 1 a match, 2 the current match. */
static bool
line_marks(struct term *t, int a, const struct row *row)
{
	long long serial = t->sb_total - t->count + a;
	int n = line_bases(t, row), i, c, end, c0 = -1;
	bool any = false;

	memset(t->marks, 0, (size_t)t->cols_alloc);
	if (t->match_valid && t->match_serial == serial)
		c0 = t->match_col;
	for (i = 0; i < n; i++) {
		if (!match_at(t, i, n))
			continue;
		end = match_end_col(t, row, i);
		for (c = t->basecol[i]; c <= end && c < t->cols; c++)
			t->marks[c] = t->basecol[i] == c0 ? 2 : 1;
		any = true;
	}
	return any;
}

/* ---- drawing ---- */

static attr_t
cell_attr(uint16_t pa)
{
	attr_t a = A_NORMAL;

	if (pa & PA_BOLD)
		a |= A_BOLD;
	if (pa & PA_UL_MASK)
		a |= A_UNDERLINE;
	if (pa & PA_ITALIC)
		a |= A_ITALIC;
	if (pa & PA_BLINK)
		a |= A_BLINK;
	if (pa & PA_REVERSE)
		a |= A_REVERSE;
	if (pa & PA_CONCEAL)
		a |= A_INVIS;
	/* Strikethrough has no curses attribute. */
	return a;
}

/* The width curses gives c, checked against libvterm's. */
static bool
char_fits(uint32_t c, int width)
{
	if (c >= 0x20 && c < 0x7f)
		return width == 1;
	return wcwidth((wchar_t)c) == width;
}

static void
draw_row(struct term *t, WINDOW *w, int y, int x, int r, int maxcols,
    int ghost_col)
{
	const struct row *row;
	uint32_t kfg = 0, kbg = 0, chars[VTERM_MAX_CHARS_PER_CELL + 1];
	attr_t colattr = A_NORMAL, attr;
	wchar_t wch[CCHARW_MAX + 1];
	cchar_t cc;
	uint16_t flip;
	bool bold, marks = false, have_key = false;
	int a = t->count - t->view + r, c, i, n, nc, dw, width, pair = 0, fg, bg;

	row = line_row(t, a, &flip);
	if (t->nlen > 0)
		marks = line_marks(t, a, row);

	for (c = 0; c < maxcols; c++) {
		const struct cell *cell = &row->cells[c];

		if (cell->ch == CELL_RIGHT && c > 0)
			continue;	/* right half, done with the left */

		if (pool.colors > 0 && (!have_key || cell->fg != kfg ||
		    cell->bg != kbg)) {
			bold = false;
			fg = color_curses(cell->fg, false, &bold);
			bg = color_curses(cell->bg, true, &bold);
			pair = pool_pair(fg, bg);
			colattr = bold ? A_BOLD : A_NORMAL;
			kfg = cell->fg;
			kbg = cell->bg;
			have_key = true;
		}
		attr = cell_attr(cell->attrs ^ flip) | colattr;
		if (marks && t->marks[c])
			attr = (attr ^ A_REVERSE) |
			    (t->marks[c] == 2 ? A_BOLD | A_UNDERLINE : 0);
		if (c == ghost_col)
			attr ^= A_REVERSE;

		/* What curses draws must be as wide as libvterm's cell, or
		 * the columns after it shift. */
		n = 0;
		dw = 1;
		width = cell_width(row, c, t->cols);
		if (cell->ch == 0 || cell->ch == CELL_RIGHT)
			wch[n++] = L' ';
		else if (width == 2 && c + 2 > maxcols)
			wch[n++] = L' ';	/* clipped by the window */
		else if (char_fits(cell->ch, width)) {
			wch[n++] = (wchar_t)cell->ch;
			nc = cell->comb ? cell_chars(row, c, chars) : 1;
			for (i = 1; i < nc && n < CCHARW_MAX; i++)
				if (wcwidth((wchar_t)chars[i]) == 0)
					wch[n++] = (wchar_t)chars[i];
			dw = width;
		} else if (wcwidth((wchar_t)cell->ch) == 1)
			wch[n++] = (wchar_t)cell->ch;	/* padded below */
		else
			wch[n++] = wcwidth(0xfffd) == 1 ? 0xfffd : L'?';
		wch[n] = L'\0';

		if (setcchar(&cc, wch, attr, 0, &pair) == ERR) {
			wch[0] = L'?';
			wch[1] = L'\0';
			setcchar(&cc, wch, attr, 0, &pair);
		}
		mvwadd_wch(w, y + r, x + c, &cc);
		if (width == 2 && dw == 1 && c + 1 < maxcols) {
			wch[0] = L' ';
			wch[1] = L'\0';
			setcchar(&cc, wch, attr, 0, &pair);
			mvwadd_wch(w, y + r, x + c + 1, &cc);
		}
	}
}

void
term_draw(struct term *t, WINDOW *w, int y, int x, bool focused)
{
	attr_t oattr;
	short opair;
	int oext = 0, maxrows, maxcols, r, crow, ccol, grow = -1, gcol = -1;

	pool_check();
	if (t->pool_gen != pool.gen || w != t->last_win || y != t->last_y ||
	    x != t->last_x) {
		t->pool_gen = pool.gen;
		t->last_win = w;
		t->last_y = y;
		t->last_x = x;
		t->touched = true;
	}

	/* The unfocused cursor is a reverse cell; redraw where it was and is. */
	if (!focused && term_cursor(t, &crow, &ccol)) {
		grow = crow;
		gcol = ccol;
	}
	if (grow != t->ghost_row || gcol != t->ghost_col) {
		if (t->ghost_row >= 0 && t->ghost_row < t->rows)
			t->dirty[t->ghost_row] = true;
		if (grow >= 0)
			t->dirty[grow] = true;
		t->ghost_row = grow;
		t->ghost_col = gcol;
	}

	maxrows = getmaxy(w) - y;
	maxcols = getmaxx(w) - x;
	if (maxrows > t->rows)
		maxrows = t->rows;
	if (maxcols > t->cols)
		maxcols = t->cols;

	/* Cells carry their own attributes: the window's must not mix in. */
	wattr_get(w, &oattr, &opair, &oext);
	wattr_set(w, A_NORMAL, 0, NULL);
	for (r = 0; r < maxrows && maxcols > 0; r++) {
		/* Display row r shows screen row r - view. */
		if (!t->touched && !t->dirty[r] && (r < t->view ||
		    !grid_row(t->grid, r - t->view)->written))
			continue;
		draw_row(t, w, y, x, r, maxcols, r == grow ? gcol : -1);
	}
	wattr_set(w, oattr, opair, &oext);

	memset(t->dirty, 0, (size_t)t->rows * sizeof *t->dirty);
	for (r = 0; r < t->grid->n; r++)
		grid_row(t->grid, r)->written = false;
	t->touched = false;
}

/* ---- input ---- */

static const struct {
	int key;
	VTermKey vkey;
	VTermModifier mod;
} term_keys[] = {
	{ KEY_UP, VTERM_KEY_UP, VTERM_MOD_NONE },
	{ KEY_DOWN, VTERM_KEY_DOWN, VTERM_MOD_NONE },
	{ KEY_LEFT, VTERM_KEY_LEFT, VTERM_MOD_NONE },
	{ KEY_RIGHT, VTERM_KEY_RIGHT, VTERM_MOD_NONE },
	{ KEY_HOME, VTERM_KEY_HOME, VTERM_MOD_NONE },
	{ KEY_END, VTERM_KEY_END, VTERM_MOD_NONE },
	{ KEY_PPAGE, VTERM_KEY_PAGEUP, VTERM_MOD_NONE },
	{ KEY_NPAGE, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE },
	{ KEY_IC, VTERM_KEY_INS, VTERM_MOD_NONE },
	{ KEY_DC, VTERM_KEY_DEL, VTERM_MOD_NONE },
	{ KEY_ENTER, VTERM_KEY_ENTER, VTERM_MOD_NONE },
	{ KEY_BTAB, VTERM_KEY_TAB, VTERM_MOD_SHIFT },
	{ KEY_SR, VTERM_KEY_UP, VTERM_MOD_SHIFT },
	{ KEY_SF, VTERM_KEY_DOWN, VTERM_MOD_SHIFT },
	{ KEY_SLEFT, VTERM_KEY_LEFT, VTERM_MOD_SHIFT },
	{ KEY_SRIGHT, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT },
	{ KEY_SHOME, VTERM_KEY_HOME, VTERM_MOD_SHIFT },
	{ KEY_SEND, VTERM_KEY_END, VTERM_MOD_SHIFT },
	{ KEY_SPREVIOUS, VTERM_KEY_PAGEUP, VTERM_MOD_SHIFT },
	{ KEY_SNEXT, VTERM_KEY_PAGEDOWN, VTERM_MOD_SHIFT },
	{ KEY_SIC, VTERM_KEY_INS, VTERM_MOD_SHIFT },
	{ KEY_SDC, VTERM_KEY_DEL, VTERM_MOD_SHIFT },
	/* The keypad's corners and centre, as xterm's terminfo names them. */
	{ KEY_A1, VTERM_KEY_HOME, VTERM_MOD_NONE },
	{ KEY_A3, VTERM_KEY_PAGEUP, VTERM_MOD_NONE },
	{ KEY_C1, VTERM_KEY_END, VTERM_MOD_NONE },
	{ KEY_C3, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE },
};

/* ncurses' extended names: kLFT5 is Ctrl+Left; the digit is xterm's
 * 1 + modifiers, whose bits are libvterm's VTERM_MOD_*. */
static const struct {
	const char *name;
	VTermKey vkey;
} term_ext_keys[] = {
	{ "kUP", VTERM_KEY_UP }, { "kDN", VTERM_KEY_DOWN },
	{ "kLFT", VTERM_KEY_LEFT }, { "kRIT", VTERM_KEY_RIGHT },
	{ "kHOM", VTERM_KEY_HOME }, { "kEND", VTERM_KEY_END },
	{ "kPRV", VTERM_KEY_PAGEUP }, { "kNXT", VTERM_KEY_PAGEDOWN },
	{ "kIC", VTERM_KEY_INS }, { "kDC", VTERM_KEY_DEL },
};

static int
key_extended(struct term *t, int key)
{
	char name[16];
	char *s;
	size_t i;
	int m;

	for (i = 0; i < sizeof term_ext_keys / sizeof term_ext_keys[0]; i++) {
		for (m = 2; m <= 8; m++) {
			snprintf(name, sizeof name, "%s%d", term_ext_keys[i].name, m);
			s = tigetstr(name);
			if (s == NULL || s == (char *)-1 || key_defined(s) != key)
				continue;
			vterm_keyboard_key(t->vt, term_ext_keys[i].vkey,
			    (VTermModifier)(m - 1));
			return 0;
		}
	}
	return -1;
}

int
term_key(struct term *t, int key, bool is_keycode)
{
	char byte;
	size_t i;
	int f;

	if (!is_keycode) {
		if (key < 0 || key > 0x10ffff || (key >= 0xd800 && key <= 0xdfff))
			return -1;
		if (key < 0x20 || key == 0x7f) {
			/* As they are: libvterm would make Ctrl+letter CSI u. */
			byte = (char)key;
			cb_output(&byte, 1, t);
			return 0;
		}
		vterm_keyboard_unichar(t->vt, (uint32_t)key, VTERM_MOD_NONE);
		return 0;
	}

	if (key == KEY_BACKSPACE) {
		byte = 0x7f;
		cb_output(&byte, 1, t);
		return 0;
	}
	for (i = 0; i < sizeof term_keys / sizeof term_keys[0]; i++) {
		if (term_keys[i].key == key) {
			vterm_keyboard_key(t->vt, term_keys[i].vkey, term_keys[i].mod);
			return 0;
		}
	}
	/* F13-F24 are xterm's Shift+F1-F12, then Ctrl, Ctrl+Shift, Alt. */
	if (key >= KEY_F(1) && key <= KEY_F(60)) {
		static const VTermModifier fmods[5] = {
			VTERM_MOD_NONE, VTERM_MOD_SHIFT, VTERM_MOD_CTRL,
			VTERM_MOD_CTRL | VTERM_MOD_SHIFT, VTERM_MOD_ALT
		};

		f = key - KEY_F(1);
		vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION(f % 12 + 1),
		    fmods[f / 12]);
		return 0;
	}
	if (key > KEY_MAX)
		return key_extended(t, key);
	return -1;
}

void
term_paste(struct term *t, const char *buf, size_t len)
{
	/* The markers only come out when the guest enabled ?2004. */
	vterm_keyboard_start_paste(t->vt);
	cb_output(buf, len, t);
	vterm_keyboard_end_paste(t->vt);
}
