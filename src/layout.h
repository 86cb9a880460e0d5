/*
 * The pane tree: leaves hold the UI's pane objects, inner cells split their area
 * left|right or top/bottom. Pure geometry, no curses.
 *
 * Geometry rules:
 * - Siblings are separated by `gap` cells (1 by default, tmux style: the UI draws a
 *   line there; 0 when every pane draws its own box). Leaves and gaps tile the area
 *   exactly: for every split, the sum of the visible children's sizes plus one gap
 *   between each pair of visible children equals the split's size.
 * - Children keep proportional weights that only splits, closes and
 *   layout_resize_leaf change; resizing the whole area never loses them, so
 *   shrinking the terminal to 1x1 and back restores the same layout.
 * - Every leaf gets at least 1x1 when the area allows it. When it does not, whole
 *   children are hidden (size 0x0, no gap), the child holding the focused leaf last,
 *   so the focused pane stays on screen down to 1x1. Sizes are never negative.
 * - A leaf may have a maximum size (layout_cell_set_max): along a split's axis it
 *   gets no more than that while a sibling can take the rest. Its weight is kept as
 *   if it had none, so lifting the maximum gives back the share it had.
 * - Zoom gives one leaf the whole area and hides the others. Splitting, closing,
 *   moving the focus or resizing a leaf ends the zoom first.
 */
#ifndef QT_LAYOUT_H
#define QT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

struct layout;
/* A node of the tree; the UI keeps leaves as handles to its panes. */
struct layout_cell;

enum layout_split {
	LAYOUT_LEFTRIGHT,	/* children side by side, separated by a vertical line */
	LAYOUT_TOPBOTTOM,	/* children stacked, separated by a horizontal line */
};

enum layout_dir {
	LAYOUT_LEFT,
	LAYOUT_RIGHT,
	LAYOUT_UP,
	LAYOUT_DOWN,
};

/* layout_split flags. */
#define LAYOUT_BEFORE	0x1	/* new leaf left of / above the old one */
#define LAYOUT_PERCENT	0x2	/* size is a percentage of the old leaf's space */

struct layout_rect {
	int x, y, w, h;
};

/* A tree of one focused leaf holding pane; the area is 0x0 until layout_resize. */
struct layout *layout_new(void *pane);
/* Frees the tree; free_pane (may be NULL) is called for each leaf's pane. */
void layout_free(struct layout *l, void (*free_pane)(void *));

/* Cells between siblings: 0 or 1 (default 1). */
void layout_set_gap(struct layout *l, int gap);
/* New area size; negative values count as 0. */
void layout_resize(struct layout *l, int w, int h);
struct layout_rect layout_area(const struct layout *l);

/*
 * Split leaf: the new leaf (holding pane) gets size cells of the old leaf's space
 * (size <= 0: half; LAYOUT_PERCENT: size percent), after it unless LAYOUT_BEFORE.
 * Works at any size, even 0x0 (the new leaf may then be hidden; a percentage is
 * kept as a proportion, an absolute size becomes half). Focus is unchanged.
 */
struct layout_cell *layout_split(struct layout *l, struct layout_cell *leaf,
    enum layout_split how, int size, int flags, void *pane);
/* The same beside the whole tree: the new leaf spans the area's height (left|right)
 * or width (top/bottom). */
struct layout_cell *layout_split_root(struct layout *l, enum layout_split how,
    int size, int flags, void *pane);
/* Largest width and height leaf may take (0: no limit). */
void layout_cell_set_max(struct layout *l, struct layout_cell *leaf, int w, int h);
/*
 * Remove leaf (its pane is not freed): its space goes to the sibling before it (else
 * after it), a split left with one child is replaced by that child. Refused (-1)
 * for the last leaf. A closed focused leaf passes focus to the leaf that was last
 * focused in the sibling that took the space.
 */
int layout_close(struct layout *l, struct layout_cell *leaf);

/* Move the border on the dir side of leaf n cells towards dir (tmux resize-pane:
 * a leaf at the area's edge has its opposite border moved). Returns cells moved. */
int layout_resize_leaf(struct layout *l, struct layout_cell *leaf,
    enum layout_dir dir, int n);

struct layout_cell *layout_focus(const struct layout *l);
void layout_set_focus(struct layout *l, struct layout_cell *leaf);
/* Tab / shift-Tab: the next / previous leaf in tree order, wrapping. */
struct layout_cell *layout_focus_next(struct layout *l);
struct layout_cell *layout_focus_prev(struct layout *l);
/* The visible leaf across leaf's dir edge: of those touching it, the one focused
 * most recently, then the top-/left-most. NULL at the area's edge (no wrap). */
struct layout_cell *layout_neighbour(const struct layout *l,
    const struct layout_cell *leaf, enum layout_dir dir);
/* Focus the neighbour of the focused leaf; NULL (focus kept) when there is none. */
struct layout_cell *layout_focus_dir(struct layout *l, enum layout_dir dir);

/* Zoom focuses leaf and gives it the whole area; NULL unzooms. */
void layout_zoom(struct layout *l, struct layout_cell *leaf);
struct layout_cell *layout_zoomed(const struct layout *l);

/* The visible leaf whose rectangle holds (x, y); NULL on a gap or outside. */
struct layout_cell *layout_leaf_at(const struct layout *l, int x, int y);
/* The leaf holding pane, or NULL. */
struct layout_cell *layout_find(const struct layout *l, const void *pane);

/* Leaves in tree order (left before right, top before bottom). */
struct layout_cell *layout_first(const struct layout *l);
struct layout_cell *layout_last(const struct layout *l);
struct layout_cell *layout_next(const struct layout_cell *leaf);
struct layout_cell *layout_prev(const struct layout_cell *leaf);
size_t layout_count(const struct layout *l);

void *layout_cell_pane(const struct layout_cell *leaf);
void layout_cell_set_pane(struct layout_cell *leaf, void *pane);
struct layout_rect layout_cell_rect(const struct layout_cell *leaf);
/* False for a leaf hidden by zoom or by a too small area (0x0 rectangle). */
bool layout_cell_visible(const struct layout_cell *leaf);

/* Each visible gap between siblings, for drawing lines: vertical is true for the
 * gap between left|right children (a column w=1), false for a row (h=1). */
typedef void (*layout_gap_cb)(const struct layout_rect *r, bool vertical,
    void *arg);
void layout_foreach_gap(const struct layout *l, layout_gap_cb cb, void *arg);

#endif
