/*
 * libFuzzer target for theme files: the input is the file (up to a NUL, as
 * theme_parse takes a string); every element's style is mapped for each kind
 * of terminal, then applied to a real (off-screen) curses screen and used.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

static WINDOW *
screen_once(void)
{
	static WINDOW *win;
	FILE *out, *in;

	if (win != NULL)
		return win;
	setlocale(LC_ALL, "C.UTF-8");
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (out == NULL || in == NULL || newterm("xterm-256color", out, in) == NULL)
		abort();
	win = newpad(2, 10);
	return win;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct theme_caps caps[] = {
		{ 0, false, false }, { 8, false, false }, { 16, false, false },
		{ 88, false, false }, { 256, false, false },
		{ 1 << 24, true, false }, { 256, false, true },
	};
	static const wchar_t wch[] = L"x";
	WINDOW *win = screen_once();
	const struct theme_style *st;
	struct theme *t;
	char *text;
	cchar_t cc;
	size_t c, i;
	int e;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	t = theme_parse(text, "fuzz.theme");
	for (i = 0; i < theme_error_count(t); i++)
		if (theme_error(t, i) == NULL)
			abort();
	for (e = 0; e < THEME_NELEMENTS; e++) {
		st = theme_style(t, (enum theme_element)e);
		for (c = 0; c < sizeof caps / sizeof caps[0]; c++) {
			theme_color_map(st->fg, &caps[c], false);
			theme_color_map(st->bg, &caps[c], true);
		}
	}
	theme_apply(t, &caps[size % (sizeof caps / sizeof caps[0])]);
	for (e = 0; e < THEME_NELEMENTS; e++) {
		theme_wattr(win, t, (enum theme_element)e);
		theme_cchar(&cc, wch, t, (enum theme_element)e);
		mvwadd_wch(win, 0, 0, &cc);
	}
	theme_free(t);
	free(text);
	return 0;
}
