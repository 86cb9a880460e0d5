/*
 * The floors for bench/console-throughput: libvterm alone parsing the same bytes.
 * A ROWSxCOLS VTerm with a screen attached (UTF-8, damage merged per scroll, a
 * scrollback callback that only counts lines, output answers dropped), fed FILE in
 * 64 KiB chunks with vterm_input_write, damage flushed after every chunk. The file is
 * read into memory first; only the feeding is timed.
 * With --state: libvterm's state layer alone, no screen: every drawing callback
 * (putglyph, scrollrect, erase, ...) does nothing but count, the limit of any
 * screen built on that layer, as term.c's is.
 * Usage: vtfloor [--state] ROWS COLS FILE     prints: seconds bytes scrolled-lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vterm.h>

static long damaged, pushed;

static int
on_damage(VTermRect r, void *user)
{
	(void)user;
	damaged += (long)(r.end_row - r.start_row) * (r.end_col - r.start_col);
	return 1;
}

static int
on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	(void)cols; (void)cells; (void)user;
	pushed++;
	return 1;
}

/* The state layer's callbacks: accept, do nothing (1 keeps libvterm from
 * falling back to moverect/erase). */
static int
st_putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	(void)info; (void)pos; (void)user;
	return 1;
}

static int
st_scrollrect(VTermRect rect, int downward, int rightward, void *user)
{
	(void)rightward; (void)user;
	if (rect.start_row == 0 && downward > 0)
		pushed += downward;
	return 1;
}

static int
st_moverect(VTermRect dest, VTermRect src, void *user)
{
	(void)dest; (void)src; (void)user;
	return 1;
}

static int
st_erase(VTermRect rect, int selective, void *user)
{
	(void)rect; (void)selective; (void)user;
	return 1;
}

static int
st_setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	(void)attr; (void)val; (void)user;
	return 1;
}

static int
st_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	(void)prop; (void)val; (void)user;
	return 1;
}

static int
st_setlineinfo(int row, const VTermLineInfo *n, const VTermLineInfo *o, void *user)
{
	(void)row; (void)n; (void)o; (void)user;
	return 1;
}

static void
on_output(const char *s, size_t len, void *user)
{
	(void)s; (void)len; (void)user;
}

/* All the feeding, apart, for callgrind's --toggle-collect=feed
 * (bench/term-instructions). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void feed(VTerm *vt, VTermScreen *vs, const char *data, long size);

void
feed(VTerm *vt, VTermScreen *vs, const char *data, long size)
{
	long off;

	for (off = 0; off < size; off += 65536) {
		long n = size - off < 65536 ? size - off : 65536;

		vterm_input_write(vt, data + off, (size_t)n);
		if (vs != NULL)
			vterm_screen_flush_damage(vs);
	}
}

int
main(int argc, char **argv)
{
	static const VTermScreenCallbacks cbs = {
		.damage = on_damage,
		.sb_pushline = on_pushline,
	};
	static const VTermStateCallbacks scbs = {
		.putglyph = st_putglyph,
		.scrollrect = st_scrollrect,
		.moverect = st_moverect,
		.erase = st_erase,
		.setpenattr = st_setpenattr,
		.settermprop = st_settermprop,
		.setlineinfo = st_setlineinfo,
	};
	struct timespec a, b;
	VTerm *vt;
	VTermScreen *vs = NULL;
	VTermState *st;
	FILE *f;
	char *data;
	long size;
	int rows, cols, state_only = 0;

	if (argc == 5 && strcmp(argv[1], "--state") == 0) {
		state_only = 1;
		argv++;
		argc--;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: vtfloor [--state] ROWS COLS FILE\n");
		return 2;
	}
	rows = atoi(argv[1]);
	cols = atoi(argv[2]);
	if ((f = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	if ((data = malloc((size_t)size)) == NULL ||
	    fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "vtfloor: cannot read %s\n", argv[3]);
		return 1;
	}
	fclose(f);

	vt = vterm_new(rows, cols);
	vterm_set_utf8(vt, 1);
	vterm_output_set_callback(vt, on_output, NULL);
	if (state_only) {
		st = vterm_obtain_state(vt);
		vterm_state_set_callbacks(st, &scbs, NULL);
		vterm_state_reset(st, 1);
	} else {
		vs = vterm_obtain_screen(vt);
		vterm_screen_set_callbacks(vs, &cbs, NULL);
		vterm_screen_set_damage_merge(vs, VTERM_DAMAGE_SCROLL);
		vterm_screen_enable_altscreen(vs, 1);
		vterm_screen_reset(vs, 1);
	}

	clock_gettime(CLOCK_MONOTONIC, &a);
	feed(vt, vs, data, size);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.6f %ld %ld\n", (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9, size, pushed);
	vterm_free(vt);
	free(data);
	return 0;
}
