/*
 * libFuzzer target for the terminal: guest bytes fed in pieces, with resizes,
 * draws, scrolling and search between them, as the console and SSH panes do.
 * The input is a list of operations; each starts with one byte that says
 * which, and feeds take their length from the next byte.
 */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

static SCREEN *scr;
static WINDOW *win;

static void
discard(const char *buf, size_t len, void *arg)
{
	(void)buf;
	(void)len;
	(void)arg;
}

static void
screen_once(void)
{
	FILE *out, *in;

	if (scr != NULL)
		return;
	setlocale(LC_ALL, "C.UTF-8");
	setenv("TERM", "xterm-256color", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL || (scr = newterm("xterm-256color", out, in)) == NULL)
		abort();
	set_term(scr);
	start_color();
	use_default_colors();
	win = newpad(60, 200);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct term_callbacks cb = { .output = discard };
	struct term *t;
	char text[16];
	size_t i = 0, n;
	int rows, cols;

	screen_once();
	term_colors_reset();
	t = term_new(8, 20, 50, &cb, NULL);
	while (i < size) {
		uint8_t op = data[i++];

		switch (op % 8) {
		case 0:		/* resize */
			if (i + 2 > size)
				break;
			rows = 1 + data[i] % 50;
			cols = 2 + data[i + 1] % 190;
			i += 2;
			term_resize(t, rows, cols);
			break;
		case 1:
			term_draw(t, win, 0, 0, op & 8);
			break;
		case 2:
			term_scroll(t, (int)(op >> 3) - 16);
			break;
		case 3:
			n = (size_t)(op >> 3) % 4 + 1;
			if (i + n > size)
				n = size - i;
			memcpy(text, data + i, n);
			text[n] = '\0';
			i += n;
			term_search(t, text, op & 8 ? 1 : -1);
			break;
		case 4:
			term_line_text(t, (int)(op >> 3) - 16, text, sizeof text);
			break;
		default:	/* feed the next (op >> 3) * 4 + 1 bytes */
			n = (size_t)(op >> 3) * 4 + 1;
			if (i + n > size)
				n = size - i;
			term_feed(t, (const char *)data + i, n);
			i += n;
			break;
		}
	}
	term_draw(t, win, 0, 0, true);
	term_free(t);
	return 0;
}
