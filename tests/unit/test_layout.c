/* The pane tree: splits, closes, tiling, focus, zoom, tiny sizes, hit tests. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

/* Panes are just tags here. */
static int tags[64];
#define PANE(i) ((void *)&tags[i])

static void
assert_rect(const struct layout_cell *c, int x, int y, int w, int h)
{
	struct layout_rect r = layout_cell_rect(c);

	ck_assert_msg(r.x == x && r.y == y && r.w == w && r.h == h,
	    "rect %d,%d %dx%d, expected %d,%d %dx%d", r.x, r.y, r.w, r.h,
	    x, y, w, h);
}

/* ---- tiling check: every cell of the area covered exactly once ---- */

struct grid {
	int w, h;
	unsigned char *n;
};

static void
grid_add(struct grid *g, const struct layout_rect *r)
{
	int x, y;

	ck_assert_msg(r->w >= 0 && r->h >= 0 && r->x >= 0 && r->y >= 0 &&
	    r->x + r->w <= g->w && r->y + r->h <= g->h,
	    "rect %d,%d %dx%d outside %dx%d", r->x, r->y, r->w, r->h, g->w, g->h);
	for (y = r->y; y < r->y + r->h; y++)
		for (x = r->x; x < r->x + r->w; x++)
			g->n[y * g->w + x]++;
}

static void
gap_to_grid(const struct layout_rect *r, bool vertical, void *arg)
{
	ck_assert(vertical ? r->w == 1 : r->h == 1);
	grid_add(arg, r);
}

/* Leaves plus gaps tile the area; returns the number of visible leaves. */
static int
check_tiling(const struct layout *l)
{
	struct layout_rect a = layout_area(l), r;
	struct layout_cell *c;
	struct grid g = { a.w, a.h, NULL };
	int i, visible = 0;

	g.n = calloc((size_t)a.w * (size_t)a.h + 1, 1);
	for (c = layout_first(l); c != NULL; c = layout_next(c)) {
		r = layout_cell_rect(c);
		ck_assert(r.w >= 0 && r.h >= 0);
		ck_assert((r.w == 0) == (r.h == 0));
		ck_assert(layout_cell_visible(c) == (r.w > 0));
		if (r.w > 0) {
			visible++;
			grid_add(&g, &r);
		}
	}
	layout_foreach_gap(l, gap_to_grid, &g);
	for (i = 0; i < a.w * a.h; i++)
		if (g.n[i] != 1)
			ck_abort_msg("cell %d,%d covered %d times in %dx%d",
			    i % a.w, i / a.w, g.n[i], a.w, a.h);
	free(g.n);
	return visible;
}

/* ---- basics ---- */

START_TEST(test_single)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *c = layout_first(l);

	ck_assert_ptr_eq(layout_focus(l), c);
	ck_assert_ptr_eq(layout_cell_pane(c), PANE(0));
	ck_assert_uint_eq(layout_count(l), 1);
	ck_assert(!layout_cell_visible(c));	/* 0x0 until resized */
	layout_resize(l, 80, 24);
	assert_rect(c, 0, 0, 80, 24);
	ck_assert_int_eq(layout_close(l, c), -1);
	ck_assert_ptr_null(layout_next(c));
	ck_assert_ptr_null(layout_prev(c));
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_split_h)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b;

	layout_resize(l, 81, 24);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	ck_assert_ptr_nonnull(b);
	assert_rect(a, 0, 0, 40, 24);
	assert_rect(b, 41, 0, 40, 24);
	ck_assert_ptr_eq(layout_focus(l), a);	/* focus unchanged */
	ck_assert_ptr_eq(layout_next(a), b);
	ck_assert_ptr_eq(layout_prev(b), a);
	check_tiling(l);

	/* Odd space: the old leaf keeps the extra cell. */
	layout_resize(l, 80, 24);
	assert_rect(a, 0, 0, 40, 24);
	assert_rect(b, 41, 0, 39, 24);
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_split_v_before_size)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c;

	layout_resize(l, 80, 25);
	b = layout_split(l, a, LAYOUT_TOPBOTTOM, 0, LAYOUT_BEFORE, PANE(1));
	assert_rect(b, 0, 0, 80, 12);
	assert_rect(a, 0, 13, 80, 12);
	ck_assert_ptr_eq(layout_first(l), b);

	/* Absolute size: 3 rows for the new leaf after a. */
	c = layout_split(l, a, LAYOUT_TOPBOTTOM, 3, 0, PANE(2));
	assert_rect(a, 0, 13, 80, 8);
	assert_rect(c, 0, 22, 80, 3);
	check_tiling(l);
	layout_free(l, NULL);

	/* Percent of the old leaf's space (minus the gap). */
	l = layout_new(PANE(0));
	a = layout_first(l);
	layout_resize(l, 101, 10);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 30, LAYOUT_PERCENT, PANE(1));
	assert_rect(a, 0, 0, 70, 10);
	assert_rect(b, 71, 0, 30, 10);
	/* A size bigger than the leaf leaves it one cell. */
	c = layout_split(l, b, LAYOUT_LEFTRIGHT, 1000, 0, PANE(2));
	assert_rect(b, 71, 0, 1, 10);
	assert_rect(c, 73, 0, 28, 10);
	check_tiling(l);
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_nested)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c, *d;

	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	d = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(3));
	/* a | d | (b / c): d took half of a, b and c keep the right column. */
	assert_rect(a, 0, 0, 20, 25);
	assert_rect(d, 21, 0, 19, 25);
	assert_rect(b, 41, 0, 40, 12);
	assert_rect(c, 41, 13, 40, 12);
	ck_assert_uint_eq(layout_count(l), 4);
	ck_assert_ptr_eq(layout_first(l), a);
	ck_assert_ptr_eq(layout_next(a), d);
	ck_assert_ptr_eq(layout_next(d), b);
	ck_assert_ptr_eq(layout_next(b), c);
	ck_assert_ptr_eq(layout_last(l), c);
	ck_assert_ptr_eq(layout_find(l, PANE(2)), c);
	ck_assert_ptr_null(layout_find(l, PANE(9)));
	ck_assert_int_eq(check_tiling(l), 4);

	/* Proportions survive a resize of the whole area. */
	layout_resize(l, 160, 49);
	assert_rect(a, 0, 0, 40, 49);
	assert_rect(d, 41, 0, 38, 49);
	assert_rect(b, 80, 0, 80, 24);
	assert_rect(c, 80, 25, 80, 24);
	ck_assert_int_eq(check_tiling(l), 4);
	layout_free(l, NULL);
}
END_TEST

/* ---- close ---- */

START_TEST(test_close_collapse)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c;

	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	/* b goes: c is alone in its column and takes the column's place. */
	ck_assert_int_eq(layout_close(l, b), 0);
	ck_assert_uint_eq(layout_count(l), 2);
	assert_rect(a, 0, 0, 40, 25);
	assert_rect(c, 41, 0, 40, 25);
	check_tiling(l);

	/* The space goes to the sibling before (a), else after. */
	ck_assert_int_eq(layout_close(l, c), 0);
	assert_rect(a, 0, 0, 81, 25);
	ck_assert_ptr_eq(layout_focus(l), a);
	ck_assert_int_eq(layout_close(l, a), -1);
	layout_free(l, NULL);

	l = layout_new(PANE(0));
	a = layout_first(l);
	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	layout_set_focus(l, a);
	ck_assert_int_eq(layout_close(l, a), 0);
	ck_assert_ptr_eq(layout_focus(l), b);
	assert_rect(b, 0, 0, 81, 25);
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_close_merge_and_focus)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c, *d, *e;

	layout_resize(l, 121, 31);
	/* a | (b / (c | d)) */
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	d = layout_split(l, c, LAYOUT_LEFTRIGHT, 0, 0, PANE(3));
	layout_set_focus(l, d);
	layout_set_focus(l, b);
	/* Closing b leaves c | d alone in the column: they join a's row. */
	ck_assert_int_eq(layout_close(l, b), 0);
	ck_assert_ptr_eq(layout_focus(l), d);	/* most recently focused */
	assert_rect(a, 0, 0, 60, 31);
	assert_rect(c, 61, 0, 30, 31);
	assert_rect(d, 92, 0, 29, 31);
	check_tiling(l);
	/* Merged: a split of d is now a sibling of a, c and d. */
	e = layout_split(l, d, LAYOUT_LEFTRIGHT, 0, 0, PANE(4));
	assert_rect(d, 92, 0, 14, 31);
	assert_rect(e, 107, 0, 14, 31);
	assert_rect(a, 0, 0, 60, 31);
	ck_assert_int_eq(check_tiling(l), 4);
	layout_free(l, NULL);
}
END_TEST

/* ---- focus ---- */

START_TEST(test_focus_cycle)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *c[5];
	int i;

	layout_resize(l, 100, 40);
	c[0] = layout_first(l);
	c[1] = layout_split(l, c[0], LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c[2] = layout_split(l, c[1], LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	c[3] = layout_split(l, c[2], LAYOUT_LEFTRIGHT, 0, 0, PANE(3));
	c[4] = layout_split(l, c[0], LAYOUT_TOPBOTTOM, 0, 0, PANE(4));
	/* Tree order: c0, c4, c1, c2, c3. */
	struct layout_cell *order[] = { c[0], c[4], c[1], c[2], c[3] };

	for (i = 1; i <= 10; i++)
		ck_assert_ptr_eq(layout_focus_next(l), order[i % 5]);
	ck_assert_ptr_eq(layout_focus(l), c[0]);
	for (i = 1; i <= 10; i++)
		ck_assert_ptr_eq(layout_focus_prev(l), order[(50 - i) % 5]);
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_focus_dir)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c, *d;

	layout_resize(l, 81, 25);
	/* a | (b / c) */
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));

	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_LEFT));
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_UP));
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_DOWN));
	ck_assert_ptr_eq(layout_focus(l), a);
	/* Both b and c touch a's right edge: neither focused yet, the top one. */
	ck_assert_ptr_eq(layout_neighbour(l, a, LAYOUT_RIGHT), b);
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_RIGHT), b);
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_DOWN), c);
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_RIGHT));
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_DOWN));
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_LEFT), a);
	/* Back right: to where we came from, the one focused last. */
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_RIGHT), c);
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_UP), b);
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_LEFT), a);
	ck_assert_ptr_eq(layout_neighbour(l, a, LAYOUT_RIGHT), b);

	/* d below a: a and d each face one of b and c. */
	d = layout_split(l, a, LAYOUT_TOPBOTTOM, 0, 0, PANE(3));
	ck_assert_ptr_eq(layout_neighbour(l, a, LAYOUT_RIGHT), b);
	ck_assert_ptr_eq(layout_neighbour(l, d, LAYOUT_RIGHT), c);
	ck_assert_ptr_eq(layout_neighbour(l, c, LAYOUT_LEFT), d);
	ck_assert_ptr_eq(layout_neighbour(l, c, LAYOUT_UP), b);
	ck_assert_ptr_eq(layout_neighbour(l, d, LAYOUT_UP), a);
	ck_assert_ptr_null(layout_neighbour(l, d, LAYOUT_DOWN));

	/* Without gaps the edges touch directly. */
	layout_set_gap(l, 0);
	ck_assert_int_eq(check_tiling(l), 4);
	ck_assert_ptr_eq(layout_neighbour(l, a, LAYOUT_DOWN), d);
	ck_assert_ptr_eq(layout_neighbour(l, c, LAYOUT_LEFT), d);
	ck_assert_ptr_eq(layout_neighbour(l, b, LAYOUT_LEFT), a);
	layout_free(l, NULL);
}
END_TEST

/* ---- zoom ---- */

START_TEST(test_zoom)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c;

	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	layout_zoom(l, c);
	ck_assert_ptr_eq(layout_zoomed(l), c);
	ck_assert_ptr_eq(layout_focus(l), c);
	assert_rect(c, 0, 0, 81, 25);
	ck_assert(!layout_cell_visible(a));
	ck_assert(!layout_cell_visible(b));
	ck_assert_ptr_eq(layout_leaf_at(l, 0, 0), c);
	ck_assert_int_eq(check_tiling(l), 1);
	/* Zoomed through a resize. */
	layout_resize(l, 60, 20);
	assert_rect(c, 0, 0, 60, 20);
	layout_resize(l, 81, 25);
	/* Unzoom restores the layout. */
	layout_zoom(l, NULL);
	ck_assert_ptr_null(layout_zoomed(l));
	assert_rect(a, 0, 0, 40, 25);
	assert_rect(b, 41, 0, 40, 12);
	assert_rect(c, 41, 13, 40, 12);

	/* Moving the focus away ends the zoom; a failed move keeps it. */
	layout_zoom(l, c);
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_RIGHT));
	ck_assert_ptr_eq(layout_zoomed(l), c);
	ck_assert_ptr_eq(layout_focus_dir(l, LAYOUT_UP), b);
	ck_assert_ptr_null(layout_zoomed(l));
	layout_zoom(l, a);
	layout_focus_next(l);
	ck_assert_ptr_null(layout_zoomed(l));
	/* So does a split. */
	layout_zoom(l, a);
	layout_split(l, a, LAYOUT_TOPBOTTOM, 0, 0, PANE(3));
	ck_assert_ptr_null(layout_zoomed(l));
	ck_assert_int_eq(check_tiling(l), 4);
	layout_free(l, NULL);
}
END_TEST

/* ---- tiny sizes ---- */

static struct layout *
eight_leaves(void)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *c = layout_first(l);
	int i;

	layout_resize(l, 80, 24);
	/* Alternate splits of the newest leaf: a deep spiral. */
	for (i = 1; i < 8; i++)
		c = layout_split(l, c, i % 2 ? LAYOUT_LEFTRIGHT : LAYOUT_TOPBOTTOM,
		    0, 0, PANE(i));
	return l;
}

START_TEST(test_tiny)
{
	struct layout *l = eight_leaves();
	struct layout_cell *c;
	struct layout_rect before[8];
	int i;

	/* 40x10 holds all eight. */
	layout_resize(l, 40, 10);
	ck_assert_int_eq(check_tiling(l), 8);
	for (c = layout_first(l), i = 0; c != NULL; c = layout_next(c), i++)
		before[i] = layout_cell_rect(c);

	/* 2x2 and 1x1: the focused leaf stays on screen, wherever it is. */
	for (i = 0; i < 8; i++) {
		c = layout_focus_next(l);
		layout_resize(l, 2, 2);
		ck_assert(layout_cell_visible(c));
		ck_assert_int_ge(check_tiling(l), 1);
		layout_resize(l, 1, 1);
		assert_rect(c, 0, 0, 1, 1);
		ck_assert_int_eq(check_tiling(l), 1);
		layout_resize(l, 3, 1);
		ck_assert(layout_cell_visible(c));
		check_tiling(l);
	}
	/* 0x0 and negative sizes: nothing visible, nothing breaks. */
	layout_resize(l, 0, 0);
	ck_assert_int_eq(check_tiling(l), 0);
	layout_resize(l, -5, 3);
	ck_assert_int_eq(check_tiling(l), 0);
	ck_assert_ptr_null(layout_leaf_at(l, 0, 0));
	ck_assert_ptr_null(layout_focus_dir(l, LAYOUT_LEFT));
	ck_assert_int_eq(layout_resize_leaf(l, layout_focus(l), LAYOUT_LEFT, 3),
	    0);
	/* Splits and closes at 0x0 work and the layout comes back. */
	c = layout_split(l, layout_focus(l), LAYOUT_LEFTRIGHT, 0, 0, PANE(8));
	ck_assert_int_eq(layout_close(l, c), 0);
	layout_resize(l, 40, 10);
	ck_assert_int_eq(check_tiling(l), 8);
	for (c = layout_first(l), i = 0; c != NULL; c = layout_next(c), i++) {
		struct layout_rect r = layout_cell_rect(c);

		ck_assert_mem_eq(&r, &before[i], sizeof r);
	}
	layout_free(l, NULL);
}
END_TEST

/* ---- hit testing ---- */

START_TEST(test_leaf_at)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c;

	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	ck_assert_ptr_eq(layout_leaf_at(l, 0, 0), a);
	ck_assert_ptr_eq(layout_leaf_at(l, 39, 24), a);
	ck_assert_ptr_null(layout_leaf_at(l, 40, 5));	/* vertical gap */
	ck_assert_ptr_eq(layout_leaf_at(l, 41, 0), b);
	ck_assert_ptr_eq(layout_leaf_at(l, 80, 11), b);
	ck_assert_ptr_null(layout_leaf_at(l, 60, 12));	/* horizontal gap */
	ck_assert_ptr_eq(layout_leaf_at(l, 60, 13), c);
	ck_assert_ptr_eq(layout_leaf_at(l, 80, 24), c);
	ck_assert_ptr_null(layout_leaf_at(l, 81, 0));
	ck_assert_ptr_null(layout_leaf_at(l, 0, 25));
	ck_assert_ptr_null(layout_leaf_at(l, -1, 0));
	layout_free(l, NULL);
}
END_TEST

/* ---- resizing one leaf ---- */

START_TEST(test_resize_leaf)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c;

	layout_resize(l, 81, 25);
	b = layout_split(l, a, LAYOUT_LEFTRIGHT, 0, 0, PANE(1));
	ck_assert_int_eq(layout_resize_leaf(l, a, LAYOUT_RIGHT, 5), 5);
	assert_rect(a, 0, 0, 45, 25);
	assert_rect(b, 46, 0, 35, 25);
	/* b has no right border: its left one moves right. */
	ck_assert_int_eq(layout_resize_leaf(l, b, LAYOUT_RIGHT, 5), 5);
	assert_rect(a, 0, 0, 50, 25);
	assert_rect(b, 51, 0, 30, 25);
	ck_assert_int_eq(layout_resize_leaf(l, b, LAYOUT_LEFT, 10), 10);
	assert_rect(a, 0, 0, 40, 25);
	/* Clamped: b keeps one column. */
	ck_assert_int_eq(layout_resize_leaf(l, a, LAYOUT_RIGHT, 1000), 39);
	assert_rect(a, 0, 0, 79, 25);
	assert_rect(b, 80, 0, 1, 25);
	ck_assert_int_eq(layout_resize_leaf(l, a, LAYOUT_RIGHT, 1), 0);
	/* No horizontal border to move. */
	ck_assert_int_eq(layout_resize_leaf(l, a, LAYOUT_UP, 3), 0);
	ck_assert_int_eq(layout_resize_leaf(l, a, LAYOUT_LEFT, 39), 39);

	/* Nested: the vertical border found above the column moves the column. */
	c = layout_split(l, b, LAYOUT_TOPBOTTOM, 0, 0, PANE(2));
	ck_assert_int_eq(layout_resize_leaf(l, c, LAYOUT_LEFT, 4), 4);
	assert_rect(a, 0, 0, 36, 25);
	assert_rect(b, 37, 0, 44, 12);
	assert_rect(c, 37, 13, 44, 12);
	ck_assert_int_eq(layout_resize_leaf(l, c, LAYOUT_UP, 2), 2);
	assert_rect(b, 37, 0, 44, 10);
	assert_rect(c, 37, 11, 44, 14);
	check_tiling(l);

	/* The new proportions are kept by a resize of the whole area. */
	layout_resize(l, 161, 49);
	assert_rect(a, 0, 0, 72, 49);
	assert_rect(b, 73, 0, 88, 20);
	assert_rect(c, 73, 21, 88, 28);
	check_tiling(l);
	layout_free(l, NULL);
}
END_TEST

/* ---- gaps, free callback ---- */

static void
count_gap(const struct layout_rect *r, bool vertical, void *arg)
{
	int *n = arg;

	n[vertical ? 0 : 1]++;
	(void)r;
}

static int freed;

static void
free_tag(void *p)
{
	ck_assert_ptr_nonnull(p);
	freed++;
}

START_TEST(test_gaps_and_free)
{
	struct layout *l = eight_leaves();
	int n[2] = { 0, 0 };

	layout_foreach_gap(l, count_gap, n);
	ck_assert_int_eq(n[0], 4);
	ck_assert_int_eq(n[1], 3);
	layout_zoom(l, layout_first(l));
	n[0] = n[1] = 0;
	layout_foreach_gap(l, count_gap, n);
	ck_assert_int_eq(n[0] + n[1], 0);
	layout_zoom(l, NULL);
	layout_set_gap(l, 0);
	layout_foreach_gap(l, count_gap, n);
	ck_assert_int_eq(n[0] + n[1], 0);
	ck_assert_int_eq(check_tiling(l), 8);
	freed = 0;
	layout_free(l, free_tag);
	ck_assert_int_eq(freed, 8);
	layout_free(NULL, NULL);
}
END_TEST

/* ---- property test: random operation sequences always tile ---- */

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift32: fixed seed, same sequence everywhere. */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n ? rng % n : 0;
}

static struct layout_cell *
nth_leaf(struct layout *l, size_t i)
{
	struct layout_cell *c = layout_first(l);

	while (i-- > 0 && layout_next(c) != NULL)
		c = layout_next(c);
	return c;
}

/* The dashboard's shape: a list capped at its content's width beside a column of
 * details and events; the events capped at a few rows, then uncapped again. */
START_TEST(test_max_size)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *list = layout_first(l), *det, *ev, *con, *all[3];
	int i;

	layout_set_gap(l, 0);
	layout_resize(l, 150, 40);
	det = layout_split(l, list, LAYOUT_LEFTRIGHT, 62, LAYOUT_PERCENT, PANE(1));
	ev = layout_split(l, det, LAYOUT_TOPBOTTOM, 40, LAYOUT_PERCENT, PANE(2));
	assert_rect(list, 0, 0, 57, 40);
	layout_cell_set_max(l, list, 24, 0);
	assert_rect(list, 0, 0, 24, 40);
	assert_rect(det, 24, 0, 126, 24);
	assert_rect(ev, 24, 24, 126, 16);
	/* A terminal pane under the details; the events fold to 5 rows. */
	con = layout_split(l, det, LAYOUT_TOPBOTTOM, 70, LAYOUT_PERCENT, PANE(3));
	layout_cell_set_max(l, ev, 0, 5);
	assert_rect(ev, 24, 35, 126, 5);
	assert_rect(det, 24, 0, 126, 12);
	assert_rect(con, 24, 12, 126, 23);
	check_tiling(l);
	/* Splits and resizes while capped keep the cap's weight aside. */
	layout_resize(l, 80, 24);
	assert_rect(list, 0, 0, 24, 24);
	assert_rect(ev, 24, 19, 56, 5);
	layout_resize(l, 150, 40);
	/* The terminal pane closes, the cap is lifted: the events' old share is back. */
	layout_close(l, con);
	layout_cell_set_max(l, ev, 0, 0);
	assert_rect(det, 24, 0, 126, 24);
	assert_rect(ev, 24, 24, 126, 16);
	/* The area too small for the cap: it gives way, everything still tiles. */
	layout_resize(l, 20, 3);
	check_tiling(l);
	layout_resize(l, 150, 40);
	assert_rect(list, 0, 0, 24, 40);
	/* Every child capped: the last one takes what is left. */
	all[0] = list;
	all[1] = layout_split(l, ev, LAYOUT_LEFTRIGHT, 0, 0, PANE(4));
	all[2] = layout_split_root(l, LAYOUT_LEFTRIGHT, 10, 0, PANE(5));
	for (i = 0; i < 3; i++)
		layout_cell_set_max(l, all[i], 10, 0);
	check_tiling(l);
	layout_free(l, NULL);
}
END_TEST

/* A leaf beside the whole tree spans the area, before or after everything. */
START_TEST(test_split_root)
{
	struct layout *l = layout_new(PANE(0));
	struct layout_cell *a = layout_first(l), *b, *c, *d;

	layout_set_gap(l, 0);
	layout_resize(l, 100, 30);
	b = layout_split(l, a, LAYOUT_TOPBOTTOM, 0, 0, PANE(1));
	c = layout_split_root(l, LAYOUT_LEFTRIGHT, 20, LAYOUT_PERCENT | LAYOUT_BEFORE,
	    PANE(2));
	assert_rect(c, 0, 0, 20, 30);
	assert_rect(a, 20, 0, 80, 15);
	assert_rect(b, 20, 15, 80, 15);
	ck_assert_ptr_eq(layout_first(l), c);
	/* The root is now a left|right split: one more child at its end. */
	d = layout_split_root(l, LAYOUT_LEFTRIGHT, 10, 0, PANE(3));
	assert_rect(d, 90, 0, 10, 30);
	ck_assert_int_eq(layout_cell_rect(c).w + layout_cell_rect(a).w, 90);
	ck_assert_ptr_eq(layout_last(l), d);
	check_tiling(l);
	layout_close(l, c);
	assert_rect(a, 0, 0, 90, 15);
	check_tiling(l);
	layout_free(l, NULL);
}
END_TEST

START_TEST(test_random_tiling)
{
	int iter, op, step, w, h, nsteps, i, vis;
	struct layout *l;
	struct layout_cell *c;
	struct layout_rect *saved;
	size_t n;

	for (iter = 0; iter < 1000; iter++) {
		l = layout_new(PANE(0));
		if (rnd(4) == 0)
			layout_set_gap(l, 0);
		w = 1 + (int)rnd(200);
		h = 1 + (int)rnd(60);
		layout_resize(l, w, h);
		nsteps = 1 + (int)rnd(30);
		for (step = 0; step < nsteps; step++) {
			n = layout_count(l);
			c = nth_leaf(l, rnd((uint32_t)n));
			op = (int)rnd(12);
			if (op < 4 && n < 40)
				layout_split(l, c, rnd(2) ? LAYOUT_LEFTRIGHT :
				    LAYOUT_TOPBOTTOM, rnd(3) ? 0 : (int)rnd(120),
				    (int)rnd(4), PANE(n % 64));
			else if (op < 6)
				layout_close(l, c);
			else if (op == 6)
				layout_resize_leaf(l, c, (enum layout_dir)rnd(4),
				    1 + (int)rnd(20));
			else if (op == 7)
				layout_set_focus(l, c);
			else if (op == 8)
				layout_zoom(l, rnd(2) ? c : NULL);
			else if (op == 10)
				layout_cell_set_max(l, c, rnd(2) ? (int)rnd(50) : 0,
				    rnd(2) ? (int)rnd(20) : 0);
			else if (op == 11 && n < 40)
				layout_split_root(l, rnd(2) ? LAYOUT_LEFTRIGHT :
				    LAYOUT_TOPBOTTOM, (int)rnd(60), (int)rnd(4), PANE(n % 64));
			else if (op == 9) {
				w = (int)rnd(220);
				h = (int)rnd(70);
				layout_resize(l, w, h);
			}
			vis = check_tiling(l);
			n = layout_count(l);
			c = layout_focus(l);
			if (w > 0 && h > 0)
				ck_assert(layout_cell_visible(c));
			/* Room for everyone: nobody hidden (unless zoomed). */
			if (layout_zoomed(l) == NULL && w >= 2 * (int)n &&
			    h >= 2 * (int)n)
				ck_assert_int_eq(vis, (int)n);
			if (layout_zoomed(l) == NULL && w > 0 && h > 0)
				ck_assert_ptr_eq(layout_leaf_at(l,
				    layout_cell_rect(c).x, layout_cell_rect(c).y), c);
		}

		/* Shrinking to a random tiny size and back restores every rectangle. */
		n = layout_count(l);
		saved = calloc(n, sizeof *saved);
		for (c = layout_first(l), i = 0; c != NULL; c = layout_next(c), i++)
			saved[i] = layout_cell_rect(c);
		layout_resize(l, (int)rnd(4), (int)rnd(4));
		check_tiling(l);
		layout_resize(l, w, h);
		for (c = layout_first(l), i = 0; c != NULL; c = layout_next(c), i++) {
			struct layout_rect r = layout_cell_rect(c);

			ck_assert_mem_eq(&saved[i], &r, sizeof r);
		}
		free(saved);
		layout_free(l, NULL);
	}
}
END_TEST

static Suite *
layout_suite(void)
{
	Suite *s = suite_create("layout");
	TCase *tc;

	tc = tcase_create("tree");
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_split_h);
	tcase_add_test(tc, test_split_v_before_size);
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_close_collapse);
	tcase_add_test(tc, test_close_merge_and_focus);
	suite_add_tcase(s, tc);

	tc = tcase_create("focus");
	tcase_add_test(tc, test_focus_cycle);
	tcase_add_test(tc, test_focus_dir);
	tcase_add_test(tc, test_zoom);
	suite_add_tcase(s, tc);

	tc = tcase_create("geometry");
	tcase_add_test(tc, test_tiny);
	tcase_add_test(tc, test_leaf_at);
	tcase_add_test(tc, test_resize_leaf);
	tcase_add_test(tc, test_gaps_and_free);
	tcase_add_test(tc, test_max_size);
	tcase_add_test(tc, test_split_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("property");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_tiling);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(layout_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
