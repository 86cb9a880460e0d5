/* xterm palettes (256 and 88 colours) and nearest-colour search. */
#include "palette.h"

#include <limits.h>
#include <stddef.h>

/* A cube of n^3 colours from 16 up, then a ramp of greys. */
struct xpal {
	const uint8_t *level;
	int nlevel;
	const uint8_t *grey;
	int ngrey;
};

static const uint32_t sys16[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
	0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

static const uint8_t level256[6] = { 0, 95, 135, 175, 215, 255 };
static const uint8_t grey256[24] = {
	8, 18, 28, 38, 48, 58, 68, 78, 88, 98, 108, 118,
	128, 138, 148, 158, 168, 178, 188, 198, 208, 218, 228, 238,
};
static const uint8_t level88[4] = { 0, 139, 205, 255 };
static const uint8_t grey88[8] = { 46, 92, 115, 139, 162, 185, 208, 231 };

static const struct xpal xterm256 = { level256, 6, grey256, 24 };
static const struct xpal xterm88 = { level88, 4, grey88, 8 };

static uint32_t
pack(long r, long g, long b)
{
	return (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
}

static uint32_t
xpal_rgb(const struct xpal *p, int i)
{
	int n = p->nlevel;

	if (i < 16)
		return sys16[i];
	i -= 16;
	if (i < n * n * n)
		return pack(p->level[i / (n * n)], p->level[i / n % n],
		    p->level[i % n]);
	i -= n * n * n;
	return pack(p->grey[i], p->grey[i], p->grey[i]);
}

uint32_t
palette_rgb(int i)
{
	return i >= 0 && i < 256 ? xpal_rgb(&xterm256, i) : 0;
}

static long
sq(long v)
{
	return v * v;
}

static long
spread(long r, long g, long b)
{
	long max = r > g ? (r > b ? r : b) : (g > b ? g : b);
	long min = r < g ? (r < b ? r : b) : (g < b ? g : b);

	return max - min;
}

/*
 * Squared RGB distance plus a saturation term: plain RGB distance takes
 * #808080 to yellow among the 8 basic colours.
 */
static long
dist(uint32_t a, uint32_t b)
{
	long ar = a >> 16 & 0xff, ag = a >> 8 & 0xff, ab = a & 0xff;
	long br = b >> 16 & 0xff, bg = b >> 8 & 0xff, bb = b & 0xff;

	return sq(ar - br) + sq(ag - bg) + sq(ab - bb) +
	    sq(spread(ar, ag, ab) - spread(br, bg, bb));
}

/* The level of the cube nearest to v. */
static int
nearest_level(const struct xpal *p, long v)
{
	int i, best = 0;

	for (i = 1; i < p->nlevel; i++)
		if (sq(p->level[i] - v) < sq(p->level[best] - v))
			best = i;
	return best;
}

/*
 * The nearest grey (the lower on a tie). Every grey has the same saturation
 * term, and the plain distance to a rising ramp falls, then rises: stop at the
 * first step that does not come nearer.
 */
static int
nearest_grey(const struct xpal *p, const long c[3])
{
	long e, beste = -1;
	int i, best = 0;

	for (i = 0; i < p->ngrey; i++) {
		e = sq(p->grey[i] - c[0]) + sq(p->grey[i] - c[1]) +
		    sq(p->grey[i] - c[2]);
		if (beste >= 0 && e >= beste)
			break;
		beste = e;
		best = i;
	}
	return best;
}

/*
 * The same answer as trying every entry from 16 up in order (the lower
 * number wins a tie), in a handful of tries: the cube entry nearest channel
 * by channel sets the bar, and a channel already further off than the best
 * so far skips the rest of its part of the cube (the saturation term only
 * adds). The dashboard asks this for every colour change in a terminal pane.
 */
static int
xpal_nearest(const struct xpal *p, uint32_t rgb)
{
	long c[3] = { rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff };
	long dr, dg, d, bestd;
	int n = p->nlevel, r, g, b, i, best;

	best = 16 + (nearest_level(p, c[0]) * n + nearest_level(p, c[1])) * n +
	    nearest_level(p, c[2]);
	bestd = dist(rgb, xpal_rgb(p, best));
	for (r = 0; r < n; r++) {
		if ((dr = sq(p->level[r] - c[0])) > bestd)
			continue;
		for (g = 0; g < n; g++) {
			if ((dg = dr + sq(p->level[g] - c[1])) > bestd)
				continue;
			for (b = 0; b < n; b++) {
				if (dg + sq(p->level[b] - c[2]) > bestd)
					continue;
				i = 16 + (r * n + g) * n + b;
				d = dist(rgb, xpal_rgb(p, i));
				if (d < bestd || (d == bestd && i < best)) {
					bestd = d;
					best = i;
				}
			}
		}
	}
	/* Greys come after the cube, so one wins only when strictly nearer. */
	i = nearest_grey(p, c);
	if (dist(rgb, pack(p->grey[i], p->grey[i], p->grey[i])) < bestd)
		best = 16 + n * n * n + i;
	return best;
}

int
palette_nearest(uint32_t rgb, int colors)
{
	long d, bestd = LONG_MAX;
	int i, n, best = 0;

	rgb &= 0xffffff;
	if (colors >= 256)
		return xpal_nearest(&xterm256, rgb);
	if (colors >= 88)
		return xpal_nearest(&xterm88, rgb);
	n = colors >= 16 ? 16 : 8;
	for (i = 0; i < n; i++) {
		if ((d = dist(rgb, sys16[i])) < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}
