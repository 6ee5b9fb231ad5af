/* SPDX-License-Identifier: MIT */
/*
 * Allowed ranges: the complement of the allowed set inside the aperture becomes "disallowed"
 * nodes of the range tree, so the allocator needs no second structure to avoid them.
 */
#include <errno.h>
#include <stdlib.h>

#include "iova/iova_int.h"

struct dw_pfn_range {
	uint64_t lo, hi;
};

static int dw_cmp_range(const void *a, const void *b)
{
	const struct dw_pfn_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge @r in place (touching ranges merge); returns the new count. */
static size_t dw_merge(struct dw_pfn_range *r, size_t n)
{
	size_t out = 0;

	qsort(r, n, sizeof(*r), dw_cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (out && r[i].lo <= r[out - 1].hi + 1)
			r[out - 1].hi = DW_MAX(r[out - 1].hi, r[i].hi);
		else
			r[out++] = r[i];
	}
	return out;
}

/* The complement of the merged allowed ranges @r inside the aperture, written to @holes. */
static size_t dw_complement(const struct dmawin_iova_space *s, const struct dw_pfn_range *r,
			    size_t n, struct dw_pfn_range *holes)
{
	size_t nh = 0;
	uint64_t next = s->ap_lo;

	for (size_t i = 0; i < n; i++) {
		if (r[i].lo > next)
			holes[nh++] = (struct dw_pfn_range){next, r[i].lo - 1};
		next = r[i].hi + 1;
	}
	if (next <= s->ap_hi)
		holes[nh++] = (struct dw_pfn_range){next, s->ap_hi};
	return nh;
}

/* Whether an allocated or reserved range intersects [lo, hi]. */
static bool dw_used_in(const struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	struct dw_iova_node *n = dw_tree_floor(s->root, lo);

	if (!n || n->hi < lo)
		n = dw_tree_above(s->root, lo);
	/* Only old disallowed nodes can be skipped here, and there are few of them. */
	for (; n && n->lo <= hi; n = dw_tree_above(s->root, n->lo))
		if (n->kind == DW_KIND_ALLOC || n->kind == DW_KIND_RESERVED)
			return true;
	return false;
}

static bool dw_holes_conflict(const struct dmawin_iova_space *s, const struct dw_pfn_range *h,
			      size_t nh)
{
	for (size_t i = 0; i < nh; i++)
		if (dw_used_in(s, h[i].lo, h[i].hi))
			return true;
	return false;
}

static void dw_replace_holes_locked(struct dmawin_iova_space *s, const struct dw_pfn_range *h,
				    size_t nh, uint64_t *los)
{
	for (size_t i = 0; i < s->nholes; i++)
		dw_remove_range_locked(s, dw_tree_find(s->root, s->holes[i]), NULL);
	for (size_t i = 0; i < nh; i++) {
		/* Cannot fail: the holes are free now and the pool holds enough nodes. */
		(void)dw_insert_range_locked(s, h[i].lo, h[i].hi, DW_KIND_HOLE);
		los[i] = h[i].lo;
	}
	free(s->holes);
	s->holes = los;
	s->nholes = nh;
}

static int dw_convert(const struct dmawin_iova_space *s, const struct dmawin_iova_range *ranges,
		      size_t n, struct dw_pfn_range *r)
{
	for (size_t i = 0; i < n; i++) {
		int rc = dw_range_pfns(s, ranges[i].start, ranges[i].len, &r[i].lo, &r[i].hi);
		if (rc)
			return rc;
		if (r[i].lo < s->ap_lo || r[i].hi > s->ap_hi)
			return -ERANGE;
	}
	return 0;
}

int dmawin_iova_set_allowed(struct dmawin_iova_space *s, const struct dmawin_iova_range *ranges,
			    size_t n)
{
	if (n && !ranges)
		return -EINVAL;
	struct dw_pfn_range *r = malloc((n + 1) * sizeof(*r));
	struct dw_pfn_range *h = malloc((n + 1) * sizeof(*h));
	uint64_t *los = malloc((n + 1) * sizeof(*los));
	int rc = (r && h && los) ? 0 : -ENOMEM;

	if (!rc)
		rc = dw_convert(s, ranges, n, r);
	if (rc)
		goto out;
	size_t nh = 0;
	if (n)
		nh = dw_complement(s, r, dw_merge(r, n), h);
	pthread_mutex_lock(&s->lock);
	rc = dw_pool_reserve(&s->pool, nh);
	if (!rc && dw_holes_conflict(s, h, nh)) {
		dw_cache_flush_locked(s);
		if (dw_holes_conflict(s, h, nh))
			rc = -EBUSY;
	}
	if (!rc) {
		dw_replace_holes_locked(s, h, nh, los);
		los = NULL;
	}
	pthread_mutex_unlock(&s->lock);
out:
	free(r);
	free(h);
	free(los);
	return rc;
}
