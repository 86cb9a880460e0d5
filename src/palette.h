/*
 * xterm's default colour palettes and the nearest entry to an RGB colour, for
 * terminals that cannot show RGB itself (themes and the terminal panes).
 */
#ifndef QT_PALETTE_H
#define QT_PALETTE_H

#include <stdint.h>

/* xterm's default 0xRRGGBB for colour i (0-255): 16 system colours, 6x6x6 cube, 24 greys. */
uint32_t palette_rgb(int i);

/*
 * The entry nearest to rgb (0xRRGGBB) among those a terminal of `colors`
 * colours shows: on 256 and 88 colours the cube and grey ramp (16 and up, whose
 * values every xterm-like terminal agrees on), on 16 or 8 the system colours.
 * "Nearest" weighs saturation too, so a grey never becomes a colour; on a tie
 * the lower number wins.
 */
int palette_nearest(uint32_t rgb, int colors);

#endif
