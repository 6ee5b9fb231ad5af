/* SPDX-License-Identifier: MIT */
/*
 * The augmented AVL tree behind IOVA spaces: O(log n) worst case for insert, erase and for the
 * gap search, whatever the fragmentation (a subtree without a big enough gap is never entered).
 */
#include <string.h>

#include "iova/iova_int.h"

static inline int dw_height(const struct dw_iova_node *n)
{
	return n ? n->height : 0;
}

/* Largest naturally aligned power-of-two block in [gap_lo, gap_lo + gap_len), as order + 1. */
uint8_t dw_gap_ord1(uint64_t gap_lo, uint64_t gap_len)
{
	if (!gap_len)
		return 0;
	unsigned k = dw_floor_log2(gap_len);
	uint64_t blk = UINT64_C(1) << k;
	uint64_t x = DW_ALIGN_UP(gap_lo, blk);
	/* A gap of 2^k pfns always holds an aligned 2^(k-1) block, so k or k - 1. */
	if (x - gap_lo + blk <= gap_len)
		return (uint8_t)(k + 1);
	return (uint8_t)k;
}

/* The own-gap part of the augmentation: max_gap, max_ord1 and the usable lengths. */
static inline void dw_gap_aug(struct dw_iova_node *n)
{
	uint64_t gap = n->gap, gl = n->lo - gap;

	n->max_gap = gap;
	if (!gap) {
		/* Packed ranges (the common case under load) have no gap at all. */
		n->max_ord1 = 0;
		memset(n->max_u, 0, sizeof(n->max_u));
		return;
	}
	n->max_ord1 = dw_gap_ord1(gl, gap);
#pragma GCC unroll 8
	for (unsigned k = 1; k <= DW_U_ORDERS; k++) {
		uint64_t pad =
			(0 - gl) & ((UINT64_C(1) << k) - 1); /* up to the next 2^k boundary */
		uint64_t u = gap > pad ? gap - pad : 0;
		n->max_u[k - 1] = (uint16_t)(u > DW_U_MAX ? DW_U_MAX : u);
	}
}

static inline void dw_merge_aug(struct dw_iova_node *n, const struct dw_iova_node *c)
{
	n->max_gap = DW_MAX(n->max_gap, c->max_gap);
	n->max_ord1 = DW_MAX(n->max_ord1, c->max_ord1);
#pragma GCC unroll 8
	for (unsigned k = 0; k < DW_U_ORDERS; k++)
		n->max_u[k] = DW_MAX(n->max_u[k], c->max_u[k]);
}

void dw_tree_update(struct dw_iova_node *n)
{
	const struct dw_iova_node *l = n->left, *r = n->right;
	int hl = dw_height(l), hr = dw_height(r);

	n->height = (int8_t)(1 + (hl > hr ? hl : hr));
	if (n->kind == DW_KIND_MAP)
		return; /* mapping nodes keep phys where range nodes keep max_gap */
	dw_gap_aug(n);
	if (l)
		dw_merge_aug(n, l);
	if (r)
		dw_merge_aug(n, r);
}

void dw_fit_req_prepare(struct dw_fit_req *req)
{
	unsigned ao = dw_floor_log2(req->align), so = dw_floor_log2(req->size);

	req->need_ord1 = (uint8_t)(DW_MIN(ao, so) + 1);
	req->uidx = ao >= 1 && ao <= DW_U_ORDERS && req->size <= DW_U_MAX ? (uint8_t)ao : 0;
}

static struct dw_iova_node *dw_rotate_right(struct dw_iova_node *n)
{
	struct dw_iova_node *l = n->left;

	n->left = l->right;
	l->right = n;
	dw_tree_update(n);
	dw_tree_update(l);
	return l;
}

static struct dw_iova_node *dw_rotate_left(struct dw_iova_node *n)
{
	struct dw_iova_node *r = n->right;

	n->right = r->left;
	r->left = n;
	dw_tree_update(n);
	dw_tree_update(r);
	return r;
}

static struct dw_iova_node *dw_rebalance(struct dw_iova_node *n)
{
	int bf = dw_height(n->left) - dw_height(n->right);

	if (bf > 1) {
		if (dw_height(n->left->left) < dw_height(n->left->right))
			n->left = dw_rotate_left(n->left);
		return dw_rotate_right(n);
	}
	if (bf < -1) {
		if (dw_height(n->right->right) < dw_height(n->right->left))
			n->right = dw_rotate_right(n->right);
		return dw_rotate_left(n);
	}
	dw_tree_update(n);
	return n;
}

/*
 * Insert and erase recompute a node only when something below it changed (or it is @touched,
 * the node whose gap the caller edited): the augmentation usually settles a few levels above
 * the leaf, so the walk back up costs compares, not recomputations.
 */
struct dw_walk_ctx {
	const struct dw_iova_node *touched;
	bool dirty;
};

static struct dw_iova_node *dw_rebalance_dirty(struct dw_iova_node *n, struct dw_walk_ctx *c)
{
	uint64_t gap = n->max_gap;
	uint16_t u[DW_U_ORDERS];
	int8_t height = n->height;
	uint8_t ord1 = n->max_ord1;

	memcpy(u, n->max_u, sizeof(u));
	struct dw_iova_node *r = dw_rebalance(n);
	c->dirty = r != n || height != r->height || gap != r->max_gap || ord1 != r->max_ord1 ||
		   memcmp(u, r->max_u, sizeof(u));
	return r;
}

static struct dw_iova_node *dw_insert_rec(struct dw_iova_node *t, struct dw_iova_node *n,
					  struct dw_walk_ctx *c)
{
	if (!t) {
		n->left = n->right = NULL;
		dw_tree_update(n);
		c->dirty = true;
		return n;
	}
	if (n->lo < t->lo)
		t->left = dw_insert_rec(t->left, n, c);
	else
		t->right = dw_insert_rec(t->right, n, c);
	if (!c->dirty && t != c->touched)
		return t;
	return dw_rebalance_dirty(t, c);
}

struct dw_iova_node *dw_tree_insert(struct dw_iova_node *root, struct dw_iova_node *n,
				    const struct dw_iova_node *touched)
{
	struct dw_walk_ctx c = {touched, false};
	return dw_insert_rec(root, n, &c);
}

static struct dw_iova_node *dw_remove_min(struct dw_iova_node *t, struct dw_iova_node **min,
					  struct dw_walk_ctx *c)
{
	if (!t->left) {
		*min = t;
		c->dirty = true;
		return t->right;
	}
	t->left = dw_remove_min(t->left, min, c);
	if (!c->dirty && t != c->touched)
		return t;
	return dw_rebalance_dirty(t, c);
}

static struct dw_iova_node *dw_erase_rec(struct dw_iova_node *t, uint64_t key,
					 struct dw_walk_ctx *c)
{
	if (!t)
		return NULL;
	if (key < t->lo) {
		t->left = dw_erase_rec(t->left, key, c);
	} else if (key > t->lo) {
		t->right = dw_erase_rec(t->right, key, c);
	} else {
		struct dw_iova_node *l = t->left, *r = t->right, *m;

		c->dirty = true;
		if (!r)
			return l;
		r = dw_remove_min(r, &m, c);
		m->left = l;
		m->right = r;
		m = dw_rebalance(m);
		c->dirty = true; /* the subtree has a new root */
		return m;
	}
	if (!c->dirty && t != c->touched)
		return t;
	return dw_rebalance_dirty(t, c);
}

struct dw_iova_node *dw_tree_erase(struct dw_iova_node *root, uint64_t key,
				   const struct dw_iova_node *touched)
{
	struct dw_walk_ctx c = {touched, false};
	return dw_erase_rec(root, key, &c);
}

struct dw_iova_node *dw_tree_floor(struct dw_iova_node *t, uint64_t pfn)
{
	struct dw_iova_node *best = NULL;

	while (t) {
		if (t->lo <= pfn) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

struct dw_iova_node *dw_tree_above(struct dw_iova_node *t, uint64_t pfn)
{
	struct dw_iova_node *best = NULL;

	while (t) {
		if (t->lo > pfn) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

struct dw_iova_node *dw_tree_find_succ(struct dw_iova_node *t, uint64_t key,
				       struct dw_iova_node **succ)
{
	struct dw_iova_node *above = NULL;

	while (t && t->lo != key) {
		if (key < t->lo) {
			above = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	if (t && t->right)
		for (above = t->right; above->left;)
			above = above->left;
	*succ = above;
	return t;
}

struct dw_iova_node *dw_tree_find(struct dw_iova_node *t, uint64_t key)
{
	while (t && t->lo != key)
		t = key < t->lo ? t->left : t->right;
	return t;
}

/* Whether the subtree cannot hold the request: exact for alignments of 1 and 2^1..2^DW_U_ORDERS
 * pfns, and for larger naturally aligned powers of two; a necessary condition otherwise. */
static inline bool dw_fit_prune(const struct dw_iova_node *t, const struct dw_fit_req *req)
{
	if (!t || t->max_gap < req->size)
		return true;
	if (req->uidx)
		return t->max_u[req->uidx - 1] < req->size;
	return t->max_ord1 < req->need_ord1;
}

/* Highest aligned start inside the gap of @t, clipped at the limit. */
static bool dw_gap_fit_top(const struct dw_iova_node *t, const struct dw_fit_req *req,
			   uint64_t *pfn)
{
	if (t->gap < req->size)
		return false;
	uint64_t gl = t->lo - t->gap;
	uint64_t end = DW_MIN(t->lo, req->lim + 1); /* exclusive */

	if (end < gl + req->size)
		return false;
	uint64_t x = DW_ALIGN_DOWN(end - req->size, req->align);
	if (x < gl)
		return false;
	*pfn = x;
	return true;
}

static bool dw_gap_fit_bottom(const struct dw_iova_node *t, const struct dw_fit_req *req,
			      uint64_t *pfn)
{
	if (t->gap < req->size)
		return false;
	uint64_t gl = t->lo - t->gap;
	uint64_t end = DW_MIN(t->lo, req->lim + 1);
	uint64_t x = DW_ALIGN_UP(gl, req->align);

	if (x < gl || x > end || end - x < req->size)
		return false;
	*pfn = x;
	return true;
}

static struct dw_iova_node *dw_fit_top(struct dw_iova_node *t, const struct dw_fit_req *req,
				       uint64_t *pfn)
{
	while (!dw_fit_prune(t, req)) {
		/* Both children are likely next and likely cache misses in a big tree. */
		__builtin_prefetch(t->left);
		__builtin_prefetch(t->right);
		/* Gaps of the right subtree start above t->hi: useless once t reaches the limit. */
		if (t->hi < req->lim) {
			struct dw_iova_node *r = dw_fit_top(t->right, req, pfn);
			if (r)
				return r;
		}
		if (dw_gap_fit_top(t, req, pfn))
			return t;
		t = t->left;
	}
	return NULL;
}

static struct dw_iova_node *dw_fit_bottom(struct dw_iova_node *t, const struct dw_fit_req *req,
					  uint64_t *pfn)
{
	while (!dw_fit_prune(t, req)) {
		struct dw_iova_node *l = dw_fit_bottom(t->left, req, pfn);
		if (l)
			return l;
		if (t->lo - t->gap > req->lim)
			return NULL; /* this gap and everything to the right start above the limit
				      */
		if (dw_gap_fit_bottom(t, req, pfn))
			return t;
		t = t->right;
	}
	return NULL;
}

struct dw_iova_node *dw_tree_fit(struct dw_iova_node *root, const struct dw_fit_req *req,
				 bool top_down, uint64_t *pfn)
{
	return top_down ? dw_fit_top(root, req, pfn) : dw_fit_bottom(root, req, pfn);
}
