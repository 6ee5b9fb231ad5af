/* SPDX-License-Identifier: MIT */
/* Whole-structure invariant checker, run by the property and differential tests after each step. */
#include <errno.h>
#include <string.h>

#include "iova/iova_int.h"

struct dw_walk {
	const struct dmawin_iova_space *s;
	const struct dw_iova_node *prev;
	uint64_t count, pfns, other_pfns, holes;
	const char *why;
};

static bool dw_fail(struct dw_walk *w, const char *why)
{
	if (!w->why)
		w->why = why;
	return false;
}

/* AVL shape and augmentation of one node, given its children are already checked. */
static bool dw_check_node(struct dw_walk *w, const struct dw_iova_node *n)
{
	struct dw_iova_node copy = *n;

	dw_tree_update(&copy);
	if (copy.height != n->height)
		return dw_fail(w, "height");
	int bl = n->left ? n->left->height : 0, br = n->right ? n->right->height : 0;
	if (bl - br > 1 || br - bl > 1)
		return dw_fail(w, "balance");
	if (copy.max_gap != n->max_gap || copy.max_ord1 != n->max_ord1 ||
	    memcmp(copy.max_u, n->max_u, sizeof(n->max_u)))
		return dw_fail(w, "augmentation");
	if (n->lo > n->hi)
		return dw_fail(w, "lo > hi");
	return true;
}

static bool dw_check_range(struct dw_walk *w, const struct dw_iova_node *n)
{
	const struct dmawin_iova_space *s = w->s;
	uint64_t floor = w->prev ? w->prev->hi + 1 : s->ap_lo;

	if (w->prev && n->lo <= w->prev->hi)
		return dw_fail(w, "ranges overlap or are out of order");
	if (n->lo < floor || n->gap != n->lo - floor)
		return dw_fail(w, "gap does not match the predecessor");
	if (n->kind == DW_KIND_SENTINEL)
		return n->lo == s->ap_hi + 1 && !n->right ? true : dw_fail(w, "sentinel");
	if (n->hi > s->ap_hi)
		return dw_fail(w, "range outside the aperture");
	if (n->kind == DW_KIND_ALLOC) {
		w->count++;
		w->pfns += n->hi - n->lo + 1;
	} else if (n->kind == DW_KIND_RESERVED || n->kind == DW_KIND_HOLE) {
		w->other_pfns += n->hi - n->lo + 1;
		w->holes += n->kind == DW_KIND_HOLE;
	} else {
		return dw_fail(w, "bad kind");
	}
	return true;
}

static bool dw_check_map(struct dw_walk *w, const struct dw_iova_node *n)
{
	const struct dmawin_iova_space *s = w->s;

	if (w->prev && n->lo <= w->prev->hi)
		return dw_fail(w, "mappings overlap or are out of order");
	if (n->gap || n->kind != DW_KIND_MAP || !n->prot)
		return dw_fail(w, "bad mapping node");
	const struct dw_iova_node *a = dw_tree_floor(s->root, n->lo);
	if (!a || a->kind != DW_KIND_ALLOC || a->hi < n->hi)
		return dw_fail(w, "mapping outside an allocated range");
	w->count++;
	w->pfns += n->hi - n->lo + 1;
	return true;
}

static bool dw_walk(struct dw_walk *w, const struct dw_iova_node *n, bool map)
{
	if (!n)
		return true;
	if (!dw_walk(w, n->left, map))
		return false;
	if (!dw_check_node(w, n) || !(map ? dw_check_map(w, n) : dw_check_range(w, n)))
		return false;
	w->prev = n;
	return dw_walk(w, n->right, map);
}

int dw_iova_check(struct dmawin_iova_space *s, const char **why)
{
	struct dw_walk w = {.s = s};
	const char *dummy;

	why = why ? why : &dummy;
	pthread_mutex_lock(&s->lock);
	bool ok = dw_walk(&w, s->root, false);
	if (ok && (!w.prev || w.prev->kind != DW_KIND_SENTINEL))
		ok = dw_fail(&w, "no sentinel at the top");
	if (ok && (w.count != s->nalloc || w.pfns != s->alloc_pfns ||
		   w.other_pfns != s->reserved_pfns || w.holes != s->nholes))
		ok = dw_fail(&w, "range counters");
	for (size_t i = 0; ok && i < s->nholes; i++) {
		const struct dw_iova_node *h = dw_tree_find(s->root, s->holes[i]);
		if (!h || h->kind != DW_KIND_HOLE)
			ok = dw_fail(&w, "hole list");
	}
	if (ok) {
		struct dw_walk m = {.s = s};
		ok = dw_walk(&m, s->map_root, true);
		if (ok && (m.count != s->nmap || m.pfns != s->map_pfns))
			ok = dw_fail(&m, "mapping counters");
		w.why = m.why;
	}
	pthread_mutex_unlock(&s->lock);
	*why = w.why;
	return ok ? 0 : -EUCLEAN;
}
