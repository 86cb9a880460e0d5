/*
 * term.c alone, in memory, for bench/term-instructions: a ROWSxCOLS term (the
 * default 10,000 lines of scrollback) fed FILE in 64 KiB chunks with term_feed,
 * as the console pane gets a guest's bytes, and drawn with term_draw into a
 * curses pad (newterm on /dev/null, 256 colours) after every 4th chunk and
 * the last, as the dashboard draws between reads of a flood. The file is read
 * into memory first; all the feeding and drawing is in feed(), which callgrind
 * counts alone (--toggle-collect=feed), as it counts vtfloor's.
 * Usage: termfeed ROWS COLS FILE     prints: bytes scrollback-lines
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "term.h"

static void
discard(const char *buf, size_t len, void *arg)
{
	(void)buf;
	(void)len;
	(void)arg;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
void feed(struct term *t, WINDOW *pad, const char *data, long size);

void
feed(struct term *t, WINDOW *pad, const char *data, long size)
{
	long off, n;
	int chunk = 0;

	for (off = 0; off < size; off += n) {
		n = size - off < 65536 ? size - off : 65536;
		term_feed(t, data + off, (size_t)n);
		if (++chunk % 4 == 0 || off + n == size)
			term_draw(t, pad, 0, 0, false);
	}
}

int
main(int argc, char **argv)
{
	static const struct term_callbacks cb = { .output = discard };
	struct term *t;
	SCREEN *scr;
	WINDOW *pad;
	FILE *f, *out, *in;
	char *data;
	long size;
	int rows, cols;

	if (argc != 4) {
		fprintf(stderr, "usage: termfeed ROWS COLS FILE\n");
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
	if (size <= 0 || (data = malloc((size_t)size)) == NULL ||
	    fread(data, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "termfeed: cannot read %s\n", argv[3]);
		return 1;
	}
	fclose(f);

	setlocale(LC_ALL, "C.UTF-8");
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL ||
	    (scr = newterm("xterm-256color", out, in)) == NULL) {
		fprintf(stderr, "termfeed: no curses screen for xterm-256color\n");
		return 1;
	}
	set_term(scr);
	start_color();
	use_default_colors();
	pad = newpad(rows, cols);

	t = term_new(rows, cols, -1, &cb, NULL);
	feed(t, pad, data, size);
	printf("%ld %d\n", size, term_scrollback_lines(t));

	term_free(t);
	delwin(pad);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	free(data);
	return 0;
}
