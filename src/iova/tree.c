/* SPDX-License-Identifier: MIT */
/*
 * The augmented AVL tree behind IOVA spaces: O(log n) worst case for insert, erase and for the
 * gap search, whatever the fragmentation (a subtree without a big enough gap is never entered).
 */
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

void dw_tree_update(struct dw_iova_node *n)
{
	const struct dw_iova_node *l = n->left, *r = n->right;
	int hl = dw_height(l), hr = dw_height(r);
	uint64_t mg = n->gap;
	uint8_t mo = dw_gap_ord1(n->lo - n->gap, n->gap);

	n->height = (int8_t)(1 + (hl > hr ? hl : hr));
	if (l) {
		mg = DW_MAX(mg, l->max_gap);
		mo = DW_MAX(mo, l->max_ord1);
	}
	if (r) {
		mg = DW_MAX(mg, r->max_gap);
		mo = DW_MAX(mo, r->max_ord1);
	}
	n->max_gap = mg;
	n->max_ord1 = mo;
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

struct dw_iova_node *dw_tree_insert(struct dw_iova_node *root, struct dw_iova_node *n)
{
	if (!root) {
		n->left = n->right = NULL;
		dw_tree_update(n);
		return n;
	}
	if (n->lo < root->lo)
		root->left = dw_tree_insert(root->left, n);
	else
		root->right = dw_tree_insert(root->right, n);
	return dw_rebalance(root);
}

static struct dw_iova_node *dw_remove_min(struct dw_iova_node *t, struct dw_iova_node **min)
{
	if (!t->left) {
		*min = t;
		return t->right;
	}
	t->left = dw_remove_min(t->left, min);
	return dw_rebalance(t);
}

struct dw_iova_node *dw_tree_erase(struct dw_iova_node *t, uint64_t key)
{
	if (!t)
		return NULL;
	if (key < t->lo) {
		t->left = dw_tree_erase(t->left, key);
	} else if (key > t->lo) {
		t->right = dw_tree_erase(t->right, key);
	} else {
		struct dw_iova_node *l = t->left, *r = t->right, *m;

		if (!r)
			return l;
		r = dw_remove_min(r, &m);
		m->left = l;
		m->right = r;
		return dw_rebalance(m);
	}
	return dw_rebalance(t);
}

void dw_tree_fix_path(struct dw_iova_node *root, uint64_t key)
{
	struct dw_iova_node *stack[128];
	int depth = 0;

	for (struct dw_iova_node *t = root; t && depth < (int)ARRAY_SIZE(stack);) {
		stack[depth++] = t;
		if (key == t->lo)
			break;
		t = key < t->lo ? t->left : t->right;
	}
	while (depth > 0)
		dw_tree_update(stack[--depth]);
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

struct dw_iova_node *dw_tree_find(struct dw_iova_node *t, uint64_t key)
{
	while (t && t->lo != key)
		t = key < t->lo ? t->left : t->right;
	return t;
}

static inline bool dw_fit_prune(const struct dw_iova_node *t, const struct dw_fit_req *req)
{
	return !t || t->max_gap < req->size || t->max_ord1 < req->need_ord1;
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
			return NULL; /* this gap and everything to the right start above the limit */
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
