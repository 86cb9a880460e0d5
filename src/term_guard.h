/*
 * The byte filter in front of libvterm 0.1.4's parser: guest output passes
 * through unchanged except for the sequences that parser cannot survive. It
 * follows the parser's states byte by byte (as far as the faults need) and
 * turns a sequence it must not see into a CAN, which makes the parser drop
 * what it holds; the rest of that sequence is dropped here.
 *
 * - a control sequence with more than 15 parameter separators (';' or ':'):
 *   the parser writes past its 16-entry argument array;
 * - a parameter of more than 9 digits: the parser's long overflows;
 * - REP (CSI b) when the last glyph is not a plain printable ASCII one:
 *   with no glyph yet (or a zero-width one) the parser loops forever; nor
 *   after broken UTF-8 in the same run of text, where the last glyph the
 *   parser keeps can be a stale word.
 *
 * term.c puts it before libvterm; `qemu-tui console` before a terminal.
 *
 * For term.c it also records the long runs of printable ASCII that libvterm
 * would take as text and write as themselves, so that term.c can write them
 * into its screen directly (see term_feed): outside any sequence, ASCII in
 * GL, no single shift pending, neither insert mode (IRM), left/right margins
 * (DECLRMM) nor protection (DECSCA) on. It follows the sequences that change
 * those as libvterm 0.1.4's state layer does.
 */
#ifndef QT_TERM_GUARD_H
#define QT_TERM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the runs start in the filtered bytes, and how long they are. */
#define TERM_GUARD_RUNS		256
#define TERM_GUARD_RUN_MIN	12
struct term_guard_runs {
	int n;
	uint32_t at[TERM_GUARD_RUNS], len[TERM_GUARD_RUNS];
};

struct term_guard {
	uint8_t state;
	uint8_t seps;		/* separators in this control sequence */
	uint8_t digits;		/* significant digits of this parameter */
	bool plain;		/* no leader, no intermediate so far */
	uint8_t utf8_left;	/* continuation bytes the decoder awaits */
	bool broken;		/* this run of text broke a UTF-8 sequence */
	bool rep_ok;		/* the last glyph is printable ASCII, from a
				 * run with no broken UTF-8 */

	/* How libvterm writes printable ASCII (for the runs). */
	uint8_t gl;		/* the G set in GL: SI, SO, LS2, LS3 */
	uint8_t g_ascii;	/* bit n: Gn writes ASCII as itself */
	uint8_t g_utf8;		/* bit n: Gn is a UTF-8 decoder (has state) */
	/* libvterm decodes each stretch of text (between controls, in one
	 * write) with one decoder, chosen by its first byte: GL's set for
	 * ASCII, else its own UTF-8 decoder (4). Each keeps a sequence left
	 * open: a run's decoder must have none (it would print U+FFFD). */
	uint8_t dec;		/* this stretch's decoder, or 0xff: none yet */
	uint8_t dec_left[5];	/* bytes each decoder still awaits */
	bool shifted;		/* a single shift was seen: runs no more */
	bool single_shift;	/* SS2 or SS3 waits for the next char */
	bool insert, lr_margins, protect;	/* IRM, DECLRMM, DECSCA */
	/* The sequence being read, as far as those need it. */
	uint8_t leader, inter, ninter;
	bool have_param, mode4, mode69;
	uint32_t param, first;
	struct term_guard_runs *runs;	/* NULL: none recorded */
};

/* runs: where term_guard_filter records runs (each call starts it again), or
 * NULL. */
void term_guard_init(struct term_guard *g, struct term_guard_runs *runs);
/*
 * Filter len bytes of in into out (at least len bytes long; out may be in);
 * returns how many bytes out holds (never more than len). Works on any cut of
 * the stream.
 */
size_t term_guard_filter(struct term_guard *g, const char *in, size_t len,
    char *out);
/* Whether the parser is outside any sequence after the bytes so far. */
bool term_guard_ground(const struct term_guard *g);

#endif
