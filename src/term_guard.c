/* The byte filter in front of libvterm 0.1.4's parser (see term_guard.h). */
#include "term_guard.h"

#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

#define CAN		0x18
#define MAX_SEPS	15	/* the parser has 16 argument slots */
#define MAX_DIGITS	9	/* below its 2^31 "missing" marker */

/* The parser's states (libvterm's parser.c), in UTF-8 mode. */
enum {
	G_GROUND,
	G_ESC,
	G_CSI_LEADER,
	G_CSI_ARGS,
	G_CSI_INTER,
	G_CSI_DROP,	/* cancelled here: drop until the sequence would end */
	G_STRING,	/* OSC, DCS */
	G_ESC_IN_STRING,
};

#define PARAM_CAP	100000u
#define NO_PARAM	UINT32_MAX

/* What libvterm's reset (RIS) sets: every G set UTF-8, which writes ASCII
 * as itself. (Its DECSTR takes '!' for a leader and never matches.) */
#define DEC_NONE	0xff
#define DEC_UTF8	4

static void
text_reset(struct term_guard *g)
{
	g->gl = 0;
	g->g_ascii = g->g_utf8 = 0x0f;
	memset(g->dec_left, 0, 4);	/* not the UTF-8 decoder's */
	g->single_shift = g->insert = g->lr_margins = g->protect = false;
}

void
term_guard_init(struct term_guard *g, struct term_guard_runs *runs)
{
	*g = (struct term_guard){ .state = G_GROUND, .runs = runs,
	    .dec = DEC_NONE };
	text_reset(g);
}

/* Whether libvterm would write a run of printable ASCII starting here as
 * itself, at the cursor, glyph by glyph. */
static inline bool
text_direct(const struct term_guard *g)
{
	return (g->g_ascii >> g->gl & 1) && !g->single_shift && !g->insert &&
	    !g->lr_margins && !g->protect && !g->shifted &&
	    g->dec == DEC_NONE &&
	    (!(g->g_utf8 >> g->gl & 1) || g->dec_left[g->gl] == 0);
}

/* A text byte, as libvterm's decoders take it (encoding.c). */
static void
dec_byte(struct term_guard *g, unsigned char c)
{
	uint8_t *left;

	if (g->dec == DEC_NONE)
		g->dec = c < 0x80 ? g->gl : DEC_UTF8;
	if (g->dec != DEC_UTF8 && !(g->g_utf8 >> g->dec & 1)) {
		/* A 94-set keeps nothing, and leaves a byte beyond ASCII to
		 * the UTF-8 decoder, in a stretch of its own. */
		if (c < 0x80)
			return;
		g->dec = DEC_UTF8;
	}
	left = &g->dec_left[g->dec];
	if (c < 0x80)
		*left = 0;
	else if (c < 0xc0) {
		if (*left > 0)
			(*left)--;
	} else
		*left = c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 :
		    c < 0xfc ? 4 : c < 0xfe ? 5 : 1;	/* 1: unknown, open */
}

static inline void
param_digit(struct term_guard *g, unsigned char c)
{
	g->param = g->param * 10 + (uint32_t)(c - '0');
	if (g->param > PARAM_CAP)
		g->param = PARAM_CAP;
	g->have_param = true;
}

/* A parameter ends (';', ':' or the final byte). libvterm 0.1.4's SM, RM
 * and DECSCA take the first only; a mode among the others counts as set
 * (never as reset), in case a libvterm takes them all. */
static void
param_end(struct term_guard *g)
{
	uint32_t v = g->have_param ? g->param : NO_PARAM;

	if (g->first == NO_PARAM - 1)
		g->first = v;
	if (v == 4)
		g->mode4 = true;
	else if (v == 69)
		g->mode69 = true;
	g->param = 0;
	g->have_param = false;
}

/* A control sequence ends with final byte c. */
static void
csi_final(struct term_guard *g, unsigned char c)
{
	param_end(g);
	if (g->ninter == 0 && c == 'h') {
		if (g->leader == 0 && g->mode4)
			g->insert = true;
		else if (g->leader == '?' && g->mode69)
			g->lr_margins = true;
	} else if (g->ninter == 0 && c == 'l') {
		if (g->leader == 0 && g->first == 4)
			g->insert = false;
		else if (g->leader == '?' && g->first == 69)
			g->lr_margins = false;
	} else if (g->ninter == 1 && g->leader == 0 && g->inter == '"' &&
	    c == 'q') {
		if (g->first == NO_PARAM || g->first == 0 || g->first == 2)
			g->protect = false;
		else if (g->first == 1)
			g->protect = true;
	}
}

/* An escape sequence (not CSI, OSC or DCS) ends with final byte c. */
static void
esc_final(struct term_guard *g, unsigned char c)
{
	if (g->ninter == 0) {
		if (c == 'c')
			text_reset(g);
		else if (c == 'n' || c == 'o')
			g->gl = c == 'n' ? 2 : 3;
		else if (c == 'N' || c == 'O')	/* SS2, SS3 */
			g->single_shift = g->shifted = true;
	} else if (g->ninter == 1 && g->inter >= '(' && g->inter <= '+') {
		/* SCS: the 94-sets libvterm knows; others change nothing. */
		uint8_t bit = (uint8_t)(1u << (g->inter - '('));

		if (c == 'B' || c == '0' || c == 'A') {
			g->g_utf8 &= (uint8_t)~bit;
			g->dec_left[g->inter - '('] = 0;
		}
		if (c == 'B')
			g->g_ascii |= bit;
		else if (c == '0' || c == 'A')
			g->g_ascii &= (uint8_t)~bit;
	}
}

bool
term_guard_ground(const struct term_guard *g)
{
	return g->state == G_GROUND;
}

/*
 * A glyph byte, as libvterm's UTF-8 decoder sees it. A byte that breaks a
 * sequence (or one pending from before a control) costs that decoder an extra
 * code point, which can make it hand over a stale last glyph: REP is refused
 * for the rest of that run of text.
 */
static void
text_byte(struct term_guard *g, unsigned char c)
{
	bool breaks;

	if (c < 0x80) {
		breaks = g->utf8_left > 0;
		g->utf8_left = 0;
	} else if (c < 0xc0) {
		breaks = g->utf8_left == 0;
		if (!breaks)
			g->utf8_left--;
	} else {
		breaks = g->utf8_left > 0 || c >= 0xfe;
		g->utf8_left = c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 :
		    c < 0xfc ? 4 : c < 0xfe ? 5 : 0;
	}
	if (breaks)
		g->broken = true;
	g->rep_ok = c < 0x7f && !g->broken;
	g->single_shift = false;	/* the char took it */
}

static void
csi_begin(struct term_guard *g)
{
	g->state = G_CSI_LEADER;
	g->seps = 0;
	g->digits = 0;
	g->plain = true;
	g->leader = 0;
	g->ninter = 0;
	g->param = 0;
	g->have_param = g->mode4 = g->mode69 = false;
	g->first = NO_PARAM - 1;	/* none ended yet */
}

/* One byte past the C0 handling; returns the byte to pass, or -1 to drop it. */
static int
step(struct term_guard *g, unsigned char c)
{
	switch (g->state) {
	case G_GROUND:
		if (c != 0x7f)
			text_byte(g, c);
		return c;
	case G_ESC_IN_STRING:
		if (c == 0x5c) {	/* ST */
			g->state = G_GROUND;
			return c;
		}
		/* Any other byte is one of an ESC sequence. */
		/* FALLTHROUGH */
	case G_ESC:
		if (c == '[')
			csi_begin(g);
		else if (c == ']' || c == 'P')
			g->state = G_STRING;
		else if (c >= 0x30 && c < 0x7f) {
			g->state = G_GROUND;
			esc_final(g, c);
		} else if (c >= 0x20 && c < 0x30) {
			g->state = G_ESC;	/* intermediates (bounded there) */
			if (g->ninter++ == 0)
				g->inter = c;
		}
		return c;
	case G_CSI_LEADER:
		if (c >= 0x3c && c <= 0x3f) {
			g->plain = false;
			g->leader = g->leader == 0 ? c : 0xff;
			return c;
		}
		g->state = G_CSI_ARGS;
		/* FALLTHROUGH */
	case G_CSI_ARGS:
		if (c >= '0' && c <= '9') {
			if (g->digits > 0 || c != '0')
				g->digits++;
			if (g->digits > MAX_DIGITS)
				goto cancel;
			param_digit(g, c);
			return c;
		}
		if (c == ';' || c == ':') {
			g->digits = 0;
			if (++g->seps > MAX_SEPS)
				goto cancel;
			param_end(g);
			return c;
		}
		g->state = G_CSI_INTER;
		/* FALLTHROUGH */
	case G_CSI_INTER:
		if (c >= 0x20 && c < 0x30) {
			g->plain = false;
			if (g->ninter++ == 0)
				g->inter = c;
			return c;
		}
		g->state = G_GROUND;
		csi_final(g, c);
		/* REP repeats the last glyph at its width; 0 never ends. */
		if (c == 'b' && g->plain && !g->rep_ok)
			return CAN;
		return c;
	case G_CSI_DROP:
		/* Where the parser would have ended the sequence (a final byte,
		 * or one that makes it invalid). */
		if (c >= 0x40)
			g->state = G_GROUND;
		return -1;
	case G_STRING:
	default:
		return c;
	}
cancel:
	g->state = G_CSI_DROP;
	return CAN;
}

/*
 * Where the run of bytes in [lo, hi] from j ends: sixteen at a time with
 * SSE2 (every x86-64 has it), as most of a flood is printable ASCII
 * (0x20-0x7e) and SGR parameters ('0'-';').
 */
static inline size_t
span(const unsigned char *p, size_t j, size_t len, unsigned char lo,
    unsigned char hi)
{
#if defined(__SSE2__) && defined(__GNUC__)
	const __m128i vlo = _mm_set1_epi8((char)lo);
	const __m128i vk = _mm_set1_epi8((char)(hi - lo));
	__m128i v;
	unsigned out;

	for (; j + 16 <= len; j += 16) {
		/* In range: b - lo (unsigned) <= hi - lo. */
		v = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)
		    (p + j)), vlo);
		out = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_min_epu8(v, vk), v)) ^ 0xffffu;
		if (out != 0)
			return j + (size_t)__builtin_ctz(out);
	}
#endif
	while (j < len && (unsigned char)(p[j] - lo) <= (unsigned char)(hi - lo))
		j++;
	return j;
}

static inline size_t
skip_ascii(const unsigned char *p, size_t j, size_t len)
{
	return span(p, j, len, 0x20, 0x7e);
}

/*
 * The end of the control sequence starting with the ESC at p[i] when it is
 * complete in p, has no leader or intermediate, needs nothing cancelled and
 * is not REP: ESC [, digits and separators within bounds, a final byte. 0
 * for anything else, which the byte-by-byte path takes.
 */
static inline size_t
plain_csi(const unsigned char *p, size_t i, size_t len)
{
	unsigned seps = 0, digits = 0;
	size_t k;
	unsigned char c;

	if (i + 2 >= len || p[i + 1] != '[')
		return 0;
	/* Digits, ':' and ';' up to the final byte. */
	k = span(p, i + 2, len, '0', ';');
	/* REP, SM and RM go the byte-by-byte way (REP is checked there; SM
	 * and RM can set modes the runs depend on). */
	if (k == len || p[k] < 0x40 || p[k] > 0x7e || p[k] == 'b' ||
	    p[k] == 'h' || p[k] == 'l')
		return 0;
	/* Nine bytes hold neither ten digits nor sixteen separators. */
	if (k - i - 2 <= MAX_DIGITS)
		return k + 1;
	for (i += 2; i < k; i++) {
		c = p[i];
		if (c == ';' || c == ':') {
			digits = 0;
			if (++seps > MAX_SEPS)
				return 0;
		} else if ((digits > 0 || c != '0') && ++digits > MAX_DIGITS)
			return 0;
	}
	return k + 1;
}

size_t
term_guard_filter(struct term_guard *g, const char *in, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, n = 0, j, k;
	int c;

	if (g->runs != NULL)
		g->runs->n = 0;
	g->dec = DEC_NONE;	/* a write of its own: libvterm starts afresh */
	while (i < len) {
		if (g->state == G_GROUND && g->utf8_left == 0 && !g->broken) {
			/* Printable ASCII and plain control sequences, most
			 * of a flood, in one loop and one move. */
			size_t from = i;

			for (;;) {
				j = skip_ascii(p, i, len);
				if (j > i) {
					if (g->runs != NULL && j - i >=
					    TERM_GUARD_RUN_MIN && text_direct(g) &&
					    g->runs->n < TERM_GUARD_RUNS) {
						g->runs->at[g->runs->n] =
						    (uint32_t)(n + (i - from));
						g->runs->len[g->runs->n++] =
						    (uint32_t)(j - i);
					}
					dec_byte(g, 'a');
					g->single_shift = false;
					g->rep_ok = true;
					i = j;
				}
				if (i < len && p[i] == 0x1b &&
				    (j = plain_csi(p, i, len)) > 0) {
					g->dec = DEC_NONE;
					i = j;
					continue;
				}
				break;
			}
			if (out + n != in + from)
				memmove(out + n, in + from, i - from);
			n += i - from;
			if (i == len)
				break;
		}
		c = p[i];
		if (g->state == G_GROUND && c >= 0x20 && c != 0x7f) {
			/* Text: the bulk of a console's bytes, copied as a run. */
			bool plain = g->utf8_left == 0 && !g->broken;

			for (j = i;; j++) {
				/* Printable ASCII changes nothing while no UTF-8
				 * sequence is open or broken: skip it. */
				if (plain && (k = skip_ascii(p, j, len)) > j) {
					dec_byte(g, 'a');
					j = k;
				}
				if (j >= len || p[j] < 0x20 || p[j] == 0x7f)
					break;
				text_byte(g, p[j]);
				dec_byte(g, p[j]);
				plain = g->utf8_left == 0 && !g->broken;
			}
			if (plain && p[j - 1] < 0x7f)
				g->rep_ok = true;
			g->single_shift = false;	/* the run's first char took it */
			if (out + n != in + i)
				memmove(out + n, in + i, j - i);
			n += j - i;
			i = j;
			continue;
		}
		if (c == 0x1b && g->state == G_GROUND && (j = plain_csi(p, i, len)) > 0) {
			/* A whole control sequence with nothing to cancel:
			 * the SGR runs of a colourful guest. */
			if (out + n != in + i)
				memmove(out + n, in + i, j - i);
			n += j - i;
			i = j;
			g->broken = false;	/* the next text is a new run */
			g->dec = DEC_NONE;
			continue;
		}
		if (g->state == G_CSI_ARGS && ((c >= '0' && c <= '9') || c == ';' || c == ':')) {
			/* Parameters: SGR runs are much of a colourful guest's output. */
			for (; i < len; i++) {
				c = p[i];
				if (c >= '0' && c <= '9') {
					if (g->digits > 0 || c != '0')
						if (++g->digits > MAX_DIGITS)
							break;
					param_digit(g, (unsigned char)c);
				} else if (c == ';' || c == ':') {
					g->digits = 0;
					if (++g->seps > MAX_SEPS)
						break;
					param_end(g);
				} else
					break;
				out[n++] = (char)c;
			}
			if (i < len && (g->digits > MAX_DIGITS || g->seps > MAX_SEPS)) {
				g->state = G_CSI_DROP;
				out[n++] = CAN;
				i++;
			}
			continue;
		}
		i++;
		g->dec = DEC_NONE;	/* a control, or a sequence: text ends */
		if (c < 0x20)
			g->broken = false;	/* the next text is a new run */
		if (c == 0x00 || c == 0x7f) {
			/* Ignored by the parser; kept in strings' place. */
		} else if (c == CAN || c == 0x1a) {
			g->state = G_GROUND;
		} else if (c == 0x1b) {
			g->state = g->state == G_STRING ? G_ESC_IN_STRING : G_ESC;
			g->ninter = 0;
		} else if (c == 0x0e || c == 0x0f) {
			g->gl = c == 0x0e ? 1 : 0;	/* SO, SI: in any state */
		} else if (c == 0x07 && g->state == G_STRING) {
			g->state = G_GROUND;
		} else if (c >= 0x20) {
			c = step(g, (unsigned char)c);
			if (c < 0)
				continue;
		}
		/* Other C0 controls run inside sequences and change nothing. */
		out[n++] = (char)c;
	}
	return n;
}
