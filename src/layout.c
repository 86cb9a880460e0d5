/* The pane tree: splits, weights, geometry, focus, zoom. */
#include "layout.h"

#include <stdlib.h>

#include "util.h"

enum cell_type {
	CELL_LEAF,
	CELL_LEFTRIGHT,
	CELL_TOPBOTTOM,
};

struct layout_cell {
	enum cell_type type;
	struct layout_cell *parent;
	struct layout_cell *first, *last;	/* children of a split */
	struct layout_cell *prev, *next;	/* siblings */
	/* Share of the parent's space relative to the siblings' weights; kept in
	 * cells whenever the sizes are exact, so resizes never drift. */
	double weight;
	int x, y, w, h;
	void *pane;
	unsigned long seen;	/* when it was last focused, for neighbour choice */
	int maxw, maxh;		/* a leaf's largest size, 0: none (layout_cell_set_max) */
};

struct layout {
	struct layout_cell *root;
	struct layout_cell *focus;
	struct layout_cell *zoom;
	int w, h;
	int gap;
	unsigned long seq;
};

static struct layout_cell *
cell_new(enum cell_type type, void *pane)
{
	struct layout_cell *c = xcalloc(1, sizeof *c);

	c->type = type;
	c->pane = pane;
	c->weight = 1;
	return c;
}

static void
cell_free(struct layout_cell *c, void (*free_pane)(void *))
{
	struct layout_cell *ch, *next;

	for (ch = c->first; ch != NULL; ch = next) {
		next = ch->next;
		cell_free(ch, free_pane);
	}
	if (c->type == CELL_LEAF && free_pane != NULL)
		free_pane(c->pane);
	free(c);
}

static bool
cell_visible(const struct layout_cell *c)
{
	return c->w > 0 && c->h > 0;
}

/* Size along the axis a split of this type divides. */
static int
cell_size(const struct layout_cell *c, enum cell_type axis)
{
	return axis == CELL_LEFTRIGHT ? c->w : c->h;
}

static bool
cell_contains(const struct layout_cell *anc, const struct layout_cell *c)
{
	for (; c != NULL; c = c->parent)
		if (c == anc)
			return true;
	return false;
}

static struct layout_cell *
first_leaf(struct layout_cell *c)
{
	while (c->type != CELL_LEAF)
		c = c->first;
	return c;
}

static struct layout_cell *
last_leaf(struct layout_cell *c)
{
	while (c->type != CELL_LEAF)
		c = c->last;
	return c;
}

static size_t
child_count(const struct layout_cell *c)
{
	const struct layout_cell *ch;
	size_t n = 0;

	for (ch = c->first; ch != NULL; ch = ch->next)
		n++;
	return n;
}

static bool
children_visible(const struct layout_cell *c)
{
	const struct layout_cell *ch;

	for (ch = c->first; ch != NULL; ch = ch->next)
		if (!cell_visible(ch))
			return false;
	return true;
}

static int max_size(const struct layout *, const struct layout_cell *,
    enum cell_type);

static bool
at_max(const struct layout *l, const struct layout_cell *c, enum cell_type axis)
{
	int m = max_size(l, c, axis);

	return m > 0 && cell_size(c, axis) >= m;
}

/*
 * Only valid while every child is visible: then the weights become exact cells. A
 * child held at its maximum keeps its weight, scaled to cells as the free children's
 * are, so that lifting the maximum gives it back the share it had.
 */
static void
weights_from_sizes(const struct layout *l, struct layout_cell *c)
{
	struct layout_cell *ch;
	double wfree = 0, sfree = 0, k;

	for (ch = c->first; ch != NULL; ch = ch->next) {
		if (at_max(l, ch, c->type))
			continue;
		wfree += ch->weight;
		sfree += cell_size(ch, c->type);
	}
	k = wfree > 0 ? sfree / wfree : 0;
	for (ch = c->first; ch != NULL; ch = ch->next) {
		if (at_max(l, ch, c->type) && k > 0)
			ch->weight *= k;
		else
			ch->weight = cell_size(ch, c->type);
	}
}

/* Smallest size along axis that gives every leaf of c at least one cell. */
static int
min_size(const struct layout *l, const struct layout_cell *c,
    enum cell_type axis)
{
	const struct layout_cell *ch;
	int m = 0, n = 0, cm;

	if (c->type == CELL_LEAF)
		return 1;
	for (ch = c->first; ch != NULL; ch = ch->next) {
		cm = min_size(l, ch, axis);
		if (c->type == axis)
			m += cm + (n > 0 ? l->gap : 0);
		else if (cm > m)
			m = cm;
		n++;
	}
	return m;
}

/* Largest size along axis c may take (0: no limit): a split has one only when every
 * child has one. */
static int
max_size(const struct layout *l, const struct layout_cell *c,
    enum cell_type axis)
{
	const struct layout_cell *ch;
	int m = 0, n = 0, cm;

	if (c->type == CELL_LEAF)
		return axis == CELL_LEFTRIGHT ? c->maxw : c->maxh;
	for (ch = c->first; ch != NULL; ch = ch->next) {
		if ((cm = max_size(l, ch, axis)) <= 0)
			return 0;
		if (c->type == axis)
			m += cm + (n > 0 ? l->gap : 0);
		else if (cm > m)
			m = cm;
		n++;
	}
	return m;
}

static void
cell_hide(struct layout_cell *c, int x, int y)
{
	struct layout_cell *ch;

	c->x = x;
	c->y = y;
	c->w = c->h = 0;
	for (ch = c->first; ch != NULL; ch = ch->next)
		cell_hide(ch, x, y);
}

/*
 * Share total cells out by weight, each at least its min (the caller made sure
 * the mins fit) and, while another child can take the rest, at most its max (0:
 * none). Children whose share is out of bounds are pinned to the bound, the rest
 * is split again; cumulative rounding makes the sizes add up exactly.
 */
static void
distribute(int total, size_t n, const double *weight, const int *min,
    const int *max, int *out)
{
	int *pin = xcalloc(n, sizeof *pin);	/* pinned size, 0: free */
	double wsum, acc, ideal;
	int rest, done, sum, i, big, nfree = (int)n;
	bool changed = true;
	size_t k;

	while (changed) {
		changed = false;
		wsum = 0;
		rest = total;
		for (k = 0; k < n; k++) {
			if (pin[k] > 0)
				rest -= pin[k];
			else
				wsum += weight[k] > 0 ? weight[k] : 0;
		}
		for (k = 0; k < n; k++) {
			if (pin[k] > 0)
				continue;
			if (wsum > 0)
				ideal = (weight[k] > 0 ? weight[k] : 0) / wsum * rest;
			else
				ideal = (double)rest / (double)n;
			if (ideal + 1e-9 < min[k])
				pin[k] = min[k];
			else if (max[k] > 0 && ideal > max[k] + 1e-9 && nfree > 1)
				pin[k] = max[k] > min[k] ? max[k] : min[k];
			else
				continue;
			nfree--;
			changed = true;
		}
	}

	/* With no weight left, the free children share equally. */
	wsum = 0;
	rest = total;
	i = 0;
	for (k = 0; k < n; k++) {
		if (pin[k] > 0)
			rest -= pin[k];
		else {
			wsum += weight[k] > 0 ? weight[k] : 0;
			i++;
		}
	}
	acc = 0;
	done = 0;
	for (k = 0; k < n; k++) {
		if (pin[k] > 0) {
			out[k] = pin[k];
			continue;
		}
		if (wsum > 0)
			acc += (weight[k] > 0 ? weight[k] : 0) / wsum * rest;
		else
			acc += (double)rest / i;
		out[k] = (int)(acc + 0.5) - done;	/* acc >= 0: truncation rounds */
		done += out[k];
	}

	/* Floating point slack: repair so the sum is exact and mins hold. */
	sum = 0;
	for (k = 0; k < n; k++)
		sum += out[k];
	while (sum != total) {
		big = 0;
		for (k = 1; k < n; k++)
			if (out[k] - min[k] > out[big] - min[big])
				big = (int)k;
		if (sum < total) {
			out[big]++;
			sum++;
		} else if (out[big] > min[big]) {
			out[big]--;
			sum--;
		} else
			break;
	}
	for (k = 0; k < n; k++) {
		while (out[k] < min[k]) {
			big = (int)k;
			for (size_t j = 0; j < n; j++)
				if (out[j] - min[j] > out[big] - min[big])
					big = (int)j;
			if (big == (int)k)
				break;
			out[big]--;
			out[k]++;
		}
	}
	free(pin);
}

static void cell_place(struct layout *, struct layout_cell *, int, int, int,
    int);

static void
split_place(struct layout *l, struct layout_cell *c)
{
	struct layout_cell *ch, *focus_child = NULL, **kids;
	size_t n = child_count(c), k, nvis = 0;
	int S = cell_size(c, c->type), used = 0, need, pos, *min, *vmin, *vmax, *size;
	double *weight;
	bool *vis;

	kids = xcalloc(n, sizeof *kids);
	min = xcalloc(n, sizeof *min);
	vis = xcalloc(n, sizeof *vis);
	for (ch = c->first, k = 0; ch != NULL; ch = ch->next, k++) {
		kids[k] = ch;
		min[k] = min_size(l, ch, c->type);
		need = min[k] + (k > 0 ? l->gap : 0);
		used += need;
		if (l->focus != NULL && cell_contains(ch, l->focus))
			focus_child = ch;
	}

	if (used <= S) {
		for (k = 0; k < n; k++)
			vis[k] = true;
		nvis = n;
	} else {
		/* Too small: keep the focused child, then whole children that fit,
		 * then children that fit partly; the others are hidden. */
		used = 0;
		for (k = 0; k < n; k++) {
			if (kids[k] == focus_child) {
				vis[k] = true;
				if (min[k] > S)
					min[k] = S;
				used = min[k];
				nvis = 1;
			}
		}
		for (k = 0; k < n; k++) {
			need = min[k] + (nvis > 0 ? l->gap : 0);
			if (!vis[k] && used + need <= S) {
				vis[k] = true;
				used += need;
				nvis++;
			}
		}
		for (k = 0; k < n; k++) {
			need = 1 + (nvis > 0 ? l->gap : 0);
			if (!vis[k] && used + need <= S) {
				vis[k] = true;
				min[k] = 1;
				used += need;
				nvis++;
			}
		}
		if (nvis == 0) {
			/* No focus in here and the first child's mins are too big. */
			vis[0] = true;
			min[0] = S;
			nvis = 1;
		}
	}

	weight = xcalloc(nvis, sizeof *weight);
	vmin = xcalloc(nvis, sizeof *vmin);
	vmax = xcalloc(nvis, sizeof *vmax);
	size = xcalloc(nvis, sizeof *size);
	for (k = 0, nvis = 0; k < n; k++) {
		if (!vis[k])
			continue;
		weight[nvis] = kids[k]->weight;
		vmin[nvis] = min[k];
		vmax[nvis] = max_size(l, kids[k], c->type);
		nvis++;
	}
	distribute(S - (int)(nvis - 1) * l->gap, nvis, weight, vmin, vmax, size);

	pos = c->type == CELL_LEFTRIGHT ? c->x : c->y;
	for (k = 0, nvis = 0; k < n; k++) {
		if (!vis[k]) {
			cell_hide(kids[k], c->x, c->y);
			continue;
		}
		if (c->type == CELL_LEFTRIGHT)
			cell_place(l, kids[k], pos, c->y, size[nvis], c->h);
		else
			cell_place(l, kids[k], c->x, pos, c->w, size[nvis]);
		pos += size[nvis] + l->gap;
		nvis++;
	}
	free(size);
	free(vmax);
	free(vmin);
	free(weight);
	free(vis);
	free(min);
	free(kids);
}

static void
cell_place(struct layout *l, struct layout_cell *c, int x, int y, int w, int h)
{
	if (w <= 0 || h <= 0) {
		cell_hide(c, x, y);
		return;
	}
	c->x = x;
	c->y = y;
	c->w = w;
	c->h = h;
	if (c->type != CELL_LEAF)
		split_place(l, c);
}

/* Recompute every rectangle; called after each change so they are always current. */
static void
layout_update(struct layout *l)
{
	if (l->zoom != NULL) {
		cell_hide(l->root, 0, 0);
		cell_place(l, l->zoom, 0, 0, l->w, l->h);
	} else
		cell_place(l, l->root, 0, 0, l->w, l->h);
}

static void
unzoom(struct layout *l)
{
	if (l->zoom != NULL) {
		l->zoom = NULL;
		layout_update(l);
	}
}

struct layout *
layout_new(void *pane)
{
	struct layout *l = xcalloc(1, sizeof *l);

	l->root = cell_new(CELL_LEAF, pane);
	l->focus = l->root;
	l->root->seen = ++l->seq;
	l->gap = 1;
	return l;
}

void
layout_free(struct layout *l, void (*free_pane)(void *))
{
	if (l == NULL)
		return;
	cell_free(l->root, free_pane);
	free(l);
}

void
layout_set_gap(struct layout *l, int gap)
{
	l->gap = gap > 0 ? 1 : 0;
	layout_update(l);
}

void
layout_resize(struct layout *l, int w, int h)
{
	l->w = w > 0 ? w : 0;
	l->h = h > 0 ? h : 0;
	layout_update(l);
}

struct layout_rect
layout_area(const struct layout *l)
{
	struct layout_rect r = { 0, 0, l->w, l->h };

	return r;
}

/* Put n where old was (old is left unlinked). */
static void
cell_replace(struct layout *l, struct layout_cell *old, struct layout_cell *n)
{
	struct layout_cell *p = old->parent;

	n->parent = p;
	n->prev = old->prev;
	n->next = old->next;
	if (p == NULL)
		l->root = n;
	else {
		if (old->prev != NULL)
			old->prev->next = n;
		else
			p->first = n;
		if (old->next != NULL)
			old->next->prev = n;
		else
			p->last = n;
	}
	old->parent = old->prev = old->next = NULL;
}

static void
cell_insert(struct layout_cell *at, struct layout_cell *n, bool before)
{
	struct layout_cell *p = at->parent;

	n->parent = p;
	if (before) {
		n->prev = at->prev;
		n->next = at;
		if (at->prev != NULL)
			at->prev->next = n;
		else
			p->first = n;
		at->prev = n;
	} else {
		n->next = at->next;
		n->prev = at;
		if (at->next != NULL)
			at->next->prev = n;
		else
			p->last = n;
		at->next = n;
	}
}

static void
cell_append(struct layout_cell *p, struct layout_cell *n)
{
	n->parent = p;
	n->next = NULL;
	n->prev = p->last;
	if (p->last != NULL)
		p->last->next = n;
	else
		p->first = n;
	p->last = n;
}

static void
cell_unlink(struct layout_cell *c)
{
	struct layout_cell *p = c->parent;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->first = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		p->last = c->prev;
	c->parent = c->prev = c->next = NULL;
}

/* Put a new leaf holding pane beside at (a leaf, or a whole split: the root). */
static struct layout_cell *
split_cell(struct layout *l, struct layout_cell *at, enum layout_split how,
    int size, int flags, void *pane)
{
	enum cell_type type = how == LAYOUT_LEFTRIGHT ? CELL_LEFTRIGHT :
	    CELL_TOPBOTTOM;
	struct layout_cell *n, *p, *node, *ch;
	double w_old, w_new, frac, total;
	int avail, want;
	bool cells;

	unzoom(l);
	/* The old cell's cells minus the new gap are shared by the two. */
	avail = cell_size(at, type) - l->gap;
	cells = cell_visible(at) && avail >= 2;
	if (cells) {
		if (size <= 0)
			want = avail / 2;
		else if (flags & LAYOUT_PERCENT)
			want = (int)((long)avail * (size > 100 ? 100 : size) / 100);
		else
			want = size;
		if (want < 1)
			want = 1;
		if (want > avail - 1)
			want = avail - 1;
		w_old = avail - want;
		w_new = want;
	} else {
		frac = 0.5;
		if (size > 0 && (flags & LAYOUT_PERCENT) && size < 100)
			frac = size / 100.0;
		w_old = 1 - frac;
		w_new = frac;
	}

	n = cell_new(CELL_LEAF, pane);
	if (at->type == type) {
		/* Beside a split of the same kind: one more child at its start or end,
		 * with w_new's share of the whole. */
		if (cells && children_visible(at))
			weights_from_sizes(l, at);
		total = 0;
		for (ch = at->first; ch != NULL; ch = ch->next)
			total += ch->weight;
		n->weight = total * w_new / w_old;
		if (flags & LAYOUT_BEFORE)
			cell_insert(at->first, n, true);
		else
			cell_insert(at->last, n, false);
		layout_update(l);
		return n;
	}
	p = at->parent;
	if (p == NULL || p->type != type) {
		node = cell_new(type, NULL);
		node->weight = at->weight;
		cell_replace(l, at, node);
		cell_append(node, at);
		at->weight = w_old;
		n->weight = w_new;
	} else if (cells && children_visible(p)) {
		weights_from_sizes(l, p);
		at->weight = w_old;
		n->weight = w_new;
	} else {
		total = at->weight;
		at->weight = total * w_old / (w_old + w_new);
		n->weight = total * w_new / (w_old + w_new);
	}
	cell_insert(at, n, (flags & LAYOUT_BEFORE) != 0);
	layout_update(l);
	return n;
}

struct layout_cell *
layout_split(struct layout *l, struct layout_cell *leaf, enum layout_split how,
    int size, int flags, void *pane)
{
	if (leaf == NULL || leaf->type != CELL_LEAF)
		return NULL;
	return split_cell(l, leaf, how, size, flags, pane);
}

struct layout_cell *
layout_split_root(struct layout *l, enum layout_split how, int size, int flags,
    void *pane)
{
	return split_cell(l, l->root, how, size, flags, pane);
}

void
layout_cell_set_max(struct layout *l, struct layout_cell *leaf, int w, int h)
{
	if (leaf == NULL || leaf->type != CELL_LEAF)
		return;
	leaf->maxw = w > 0 ? w : 0;
	leaf->maxh = h > 0 ? h : 0;
	layout_update(l);
}

/* The leaf focused last inside c (the first one when none was). */
static struct layout_cell *
recent_leaf(struct layout_cell *c)
{
	struct layout_cell *best = first_leaf(c), *lf, *end = last_leaf(c);

	for (lf = best;; lf = layout_next(lf)) {
		if (lf->seen > best->seen)
			best = lf;
		if (lf == end)
			break;
	}
	return best;
}

/* p has one child left: it takes p's place; same-type splits merge. */
static void
collapse(struct layout *l, struct layout_cell *p)
{
	struct layout_cell *ch = p->first, *gp = p->parent, *k, *next;
	double sum = 0;
	bool exact;

	cell_unlink(ch);
	ch->weight = p->weight;
	cell_replace(l, p, ch);
	free(p);
	if (gp == NULL || ch->type != gp->type)
		return;

	exact = children_visible(gp) && children_visible(ch);
	if (exact)
		weights_from_sizes(l, gp);
	for (k = ch->first; k != NULL; k = k->next)
		sum += k->weight;
	for (k = ch->first; k != NULL; k = next) {
		next = k->next;
		cell_unlink(k);
		if (exact)
			k->weight = cell_size(k, gp->type);
		else if (sum > 0)
			k->weight = k->weight / sum * ch->weight;
		else
			k->weight = ch->weight / (double)child_count(ch);
		cell_insert(ch, k, true);
	}
	cell_unlink(ch);
	free(ch);
}

int
layout_close(struct layout *l, struct layout_cell *leaf)
{
	struct layout_cell *p, *sib;

	if (leaf == NULL || leaf->type != CELL_LEAF || leaf == l->root)
		return -1;
	unzoom(l);
	p = leaf->parent;
	sib = leaf->prev != NULL ? leaf->prev : leaf->next;
	if (children_visible(p)) {
		weights_from_sizes(l, p);
		sib->weight += leaf->weight + l->gap;
	} else
		sib->weight += leaf->weight;
	cell_unlink(leaf);
	if (l->focus == leaf) {
		l->focus = recent_leaf(sib);
		l->focus->seen = ++l->seq;
	}
	cell_free(leaf, NULL);
	if (p->first == p->last) {
		/* Fresh sizes first: collapse may turn them into weights. */
		layout_update(l);
		collapse(l, p);
	}
	layout_update(l);
	return 0;
}

/* Nearest visible sibling of c after (or before) it. */
static struct layout_cell *
visible_sibling(struct layout_cell *c, bool after)
{
	for (c = after ? c->next : c->prev; c != NULL;
	    c = after ? c->next : c->prev)
		if (cell_visible(c))
			return c;
	return NULL;
}

/* The border between a and its following visible sibling b on axis, walking up
 * from leaf; after picks the border on leaf's right/bottom side. */
static bool
find_border(struct layout_cell *leaf, enum cell_type axis, bool after,
    struct layout_cell **a, struct layout_cell **b)
{
	struct layout_cell *c, *s;

	for (c = leaf; c->parent != NULL; c = c->parent) {
		if (c->parent->type != axis || !cell_visible(c))
			continue;
		if ((s = visible_sibling(c, after)) == NULL)
			continue;
		*a = after ? c : s;
		*b = after ? s : c;
		return true;
	}
	return false;
}

int
layout_resize_leaf(struct layout *l, struct layout_cell *leaf,
    enum layout_dir dir, int n)
{
	enum cell_type axis = dir == LAYOUT_LEFT || dir == LAYOUT_RIGHT ?
	    CELL_LEFTRIGHT : CELL_TOPBOTTOM;
	bool forward = dir == LAYOUT_RIGHT || dir == LAYOUT_DOWN;
	struct layout_cell *a, *b, *shrink, *p;
	int k, sa, sb, room;
	double pair;

	if (leaf == NULL || leaf->type != CELL_LEAF || n <= 0)
		return 0;
	unzoom(l);
	if (!find_border(leaf, axis, forward, &a, &b) &&
	    !find_border(leaf, axis, !forward, &a, &b))
		return 0;
	/* Moving the border forward grows a; backward grows b. */
	shrink = forward ? b : a;
	room = cell_size(shrink, axis) - min_size(l, shrink, axis);
	k = n < room ? n : room;
	if (k <= 0)
		return 0;
	sa = cell_size(a, axis) + (forward ? k : -k);
	sb = cell_size(b, axis) + (forward ? -k : k);
	p = a->parent;
	if (children_visible(p)) {
		weights_from_sizes(l, p);
		a->weight = sa;
		b->weight = sb;
	} else {
		pair = a->weight + b->weight;
		a->weight = pair * sa / (sa + sb);
		b->weight = pair * sb / (sa + sb);
	}
	layout_update(l);
	return k;
}

struct layout_cell *
layout_focus(const struct layout *l)
{
	return l->focus;
}

void
layout_set_focus(struct layout *l, struct layout_cell *leaf)
{
	if (leaf == NULL || leaf->type != CELL_LEAF)
		return;
	if (l->zoom != NULL && l->zoom != leaf)
		l->zoom = NULL;
	l->focus = leaf;
	leaf->seen = ++l->seq;
	/* In a tiny area the focused leaf decides what stays visible. */
	layout_update(l);
}

struct layout_cell *
layout_focus_next(struct layout *l)
{
	struct layout_cell *c = layout_next(l->focus);

	layout_set_focus(l, c != NULL ? c : layout_first(l));
	return l->focus;
}

struct layout_cell *
layout_focus_prev(struct layout *l)
{
	struct layout_cell *c = layout_prev(l->focus);

	layout_set_focus(l, c != NULL ? c : layout_last(l));
	return l->focus;
}

static bool
overlap(int a, int alen, int b, int blen)
{
	return a < b + blen && b < a + alen;
}

struct layout_cell *
layout_neighbour(const struct layout *l, const struct layout_cell *leaf,
    enum layout_dir dir)
{
	struct layout_cell *c, *best = NULL;
	bool hit;
	int g = l->gap;

	if (leaf == NULL || !cell_visible(leaf))
		return NULL;
	for (c = layout_first(l); c != NULL; c = layout_next(c)) {
		if (c == leaf || !cell_visible(c))
			continue;
		switch (dir) {
		case LAYOUT_LEFT:
			hit = c->x + c->w + g == leaf->x &&
			    overlap(c->y, c->h, leaf->y, leaf->h);
			break;
		case LAYOUT_RIGHT:
			hit = leaf->x + leaf->w + g == c->x &&
			    overlap(c->y, c->h, leaf->y, leaf->h);
			break;
		case LAYOUT_UP:
			hit = c->y + c->h + g == leaf->y &&
			    overlap(c->x, c->w, leaf->x, leaf->w);
			break;
		default:
			hit = leaf->y + leaf->h + g == c->y &&
			    overlap(c->x, c->w, leaf->x, leaf->w);
			break;
		}
		if (hit && (best == NULL || c->seen > best->seen))
			best = c;
	}
	return best;
}

struct layout_cell *
layout_focus_dir(struct layout *l, enum layout_dir dir)
{
	struct layout_cell *zoom = l->zoom, *c;

	/* Neighbours are found in the unzoomed layout. */
	unzoom(l);
	c = layout_neighbour(l, l->focus, dir);
	if (c == NULL) {
		if (zoom != NULL) {
			l->zoom = zoom;
			layout_update(l);
		}
		return NULL;
	}
	layout_set_focus(l, c);
	return c;
}

void
layout_zoom(struct layout *l, struct layout_cell *leaf)
{
	if (leaf != NULL && leaf->type != CELL_LEAF)
		return;
	if (leaf != NULL) {
		l->focus = leaf;
		leaf->seen = ++l->seq;
	}
	l->zoom = leaf;
	layout_update(l);
}

struct layout_cell *
layout_zoomed(const struct layout *l)
{
	return l->zoom;
}

struct layout_cell *
layout_leaf_at(const struct layout *l, int x, int y)
{
	struct layout_cell *c;

	for (c = layout_first(l); c != NULL; c = layout_next(c))
		if (cell_visible(c) && x >= c->x && x < c->x + c->w &&
		    y >= c->y && y < c->y + c->h)
			return c;
	return NULL;
}

struct layout_cell *
layout_find(const struct layout *l, const void *pane)
{
	struct layout_cell *c;

	for (c = layout_first(l); c != NULL; c = layout_next(c))
		if (c->pane == pane)
			return c;
	return NULL;
}

struct layout_cell *
layout_first(const struct layout *l)
{
	return first_leaf(l->root);
}

struct layout_cell *
layout_last(const struct layout *l)
{
	return last_leaf(l->root);
}

struct layout_cell *
layout_next(const struct layout_cell *leaf)
{
	const struct layout_cell *c = leaf;

	while (c->parent != NULL && c->next == NULL)
		c = c->parent;
	return c->next != NULL ? first_leaf(c->next) : NULL;
}

struct layout_cell *
layout_prev(const struct layout_cell *leaf)
{
	const struct layout_cell *c = leaf;

	while (c->parent != NULL && c->prev == NULL)
		c = c->parent;
	return c->prev != NULL ? last_leaf(c->prev) : NULL;
}

size_t
layout_count(const struct layout *l)
{
	struct layout_cell *c;
	size_t n = 0;

	for (c = layout_first(l); c != NULL; c = layout_next(c))
		n++;
	return n;
}

void *
layout_cell_pane(const struct layout_cell *leaf)
{
	return leaf->pane;
}

void
layout_cell_set_pane(struct layout_cell *leaf, void *pane)
{
	leaf->pane = pane;
}

struct layout_rect
layout_cell_rect(const struct layout_cell *leaf)
{
	struct layout_rect r = { leaf->x, leaf->y, leaf->w, leaf->h };

	return r;
}

bool
layout_cell_visible(const struct layout_cell *leaf)
{
	return cell_visible(leaf);
}

static void
gaps(const struct layout *l, const struct layout_cell *c, layout_gap_cb cb,
    void *arg)
{
	const struct layout_cell *ch, *prev = NULL;
	struct layout_rect r;

	if (c->type == CELL_LEAF || !cell_visible(c))
		return;
	for (ch = c->first; ch != NULL; ch = ch->next) {
		if (!cell_visible(ch))
			continue;
		if (prev != NULL) {
			if (c->type == CELL_LEFTRIGHT) {
				r.x = prev->x + prev->w;
				r.y = c->y;
				r.w = l->gap;
				r.h = c->h;
			} else {
				r.x = c->x;
				r.y = prev->y + prev->h;
				r.w = c->w;
				r.h = l->gap;
			}
			cb(&r, c->type == CELL_LEFTRIGHT, arg);
		}
		gaps(l, ch, cb, arg);
		prev = ch;
	}
}

void
layout_foreach_gap(const struct layout *l, layout_gap_cb cb, void *arg)
{
	if (l->zoom != NULL || l->gap == 0)
		return;
	gaps(l, l->root, cb, arg);
}
