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
 */
#ifndef QT_TERM_GUARD_H
#define QT_TERM_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct term_guard {
	uint8_t state;
	uint8_t seps;		/* separators in this control sequence */
	uint8_t digits;		/* significant digits of this parameter */
	bool plain;		/* no leader, no intermediate so far */
	uint8_t utf8_left;	/* continuation bytes the decoder awaits */
	bool broken;		/* this run of text broke a UTF-8 sequence */
	bool rep_ok;		/* the last glyph is printable ASCII, from a
				 * run with no broken UTF-8 */
};

void term_guard_init(struct term_guard *g);
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
