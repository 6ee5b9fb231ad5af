/* SPDX-License-Identifier: MIT */
/*
 * Explicit mapping (seed 004, API 3 and 4): scatter-gather lists mapped into allocated ranges,
 * partial unmaps that split pieces, lookups, and the page-table backend that mirrors them.
 */
#include <errno.h>
#include <stdlib.h>

#include "iova/iova_int.h"

/* The first mapping piece that ends at or after @lo. */
static struct dw_iova_node *dw_map_first(const struct dmawin_iova_space *s, uint64_t lo)
{
	struct dw_iova_node *n = dw_tree_floor(s->map_root, lo);

	if (n && n->hi >= lo)
		return n;
	return dw_tree_above(s->map_root, lo);
}

bool dw_map_any_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	struct dw_iova_node *n = dw_map_first(s, lo);
	return n && n->lo <= hi;
}

int dmawin_iova_set_pt_ops(struct dmawin_iova_space *s, const struct dmawin_iova_pt_ops *ops,
			   void *ctx)
{
	if (ops && (!ops->map || !ops->unmap))
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	int rc = s->nmap ? -EBUSY : 0;
	if (!rc) {
		s->pt_ops = ops;
		s->pt_ctx = ctx;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void dw_pt_unmap(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	if (s->pt_ops)
		s->pt_ops->unmap(s->pt_ctx, lo << s->shift, (hi - lo + 1) << s->shift);
}

/* Validate @sg and sum its length in pfns. */
static int dw_sg_pfns(const struct dmawin_iova_space *s, const struct dmawin_iova_sg *sg, size_t n,
		      uint64_t *total)
{
	uint64_t mask = (UINT64_C(1) << s->shift) - 1, sum = 0, last;

	if (!sg || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!sg[i].len || (sg[i].len & mask) || (sg[i].phys & mask) ||
		    __builtin_add_overflow(sg[i].phys, sg[i].len - 1, &last) ||
		    __builtin_add_overflow(sum, sg[i].len >> s->shift, &sum))
			return -EINVAL;
	}
	*total = sum;
	return 0;
}

/* Push pieces [0, n) to the backend; on failure undo the ones pushed. */
static int dw_pt_push(struct dmawin_iova_space *s, struct dw_iova_node **pieces, size_t n)
{
	if (!s->pt_ops)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct dw_iova_node *p = pieces[i];
		int rc = s->pt_ops->map(s->pt_ctx, p->lo << s->shift, p->phys << s->shift,
					(p->hi - p->lo + 1) << s->shift, p->prot);
		if (rc) {
			while (i-- > 0)
				dw_pt_unmap(s, pieces[i]->lo, pieces[i]->hi);
			return rc < 0 ? rc : -EIO;
		}
	}
	return 0;
}

static int dw_map_check_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	struct dw_iova_node *a = dw_tree_floor(s->root, lo);

	if (!a || a->kind != DW_KIND_ALLOC || a->hi < hi)
		return -ENOENT;
	if (dw_map_any_locked(s, lo, hi))
		return -EEXIST;
	return 0;
}

static int dw_map_locked(struct dmawin_iova_space *s, uint64_t lo, const struct dmawin_iova_sg *sg,
			 size_t n, unsigned prot, struct dw_iova_node **pieces)
{
	int rc = dw_pool_reserve(&s->pool, n);

	if (rc)
		return rc;
	uint64_t at = lo;
	for (size_t i = 0; i < n; i++) {
		struct dw_iova_node *p = dw_pool_get(&s->pool);
		uint64_t len = sg[i].len >> s->shift;
		p->lo = at;
		p->hi = at + len - 1;
		p->phys = sg[i].phys >> s->shift;
		p->kind = DW_KIND_MAP;
		p->prot = (uint8_t)prot;
		pieces[i] = p;
		at += len;
	}
	rc = dw_pt_push(s, pieces, n);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			dw_pool_put(&s->pool, pieces[i]);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		s->map_root = dw_tree_insert(s->map_root, pieces[i], NULL);
	s->nmap += n;
	s->map_pfns += at - lo;
	return 0;
}

int dmawin_iova_map_sg(struct dmawin_iova_space *s, uint64_t iova, const struct dmawin_iova_sg *sg,
		       size_t n, unsigned prot)
{
	uint64_t total, lo, hi;
	int rc = dw_sg_pfns(s, sg, n, &total);

	if (rc)
		return rc;
	if (!prot || (prot & ~(DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE)))
		return -EINVAL;
	if (total > (UINT64_MAX >> s->shift))
		return -EINVAL;
	rc = dw_range_pfns(s, iova, total << s->shift, &lo, &hi);
	if (rc)
		return rc;
	struct dw_iova_node **pieces = malloc(n * sizeof(*pieces));
	if (!pieces)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	rc = dw_map_check_locked(s, lo, hi);
	if (!rc)
		rc = dw_map_locked(s, lo, sg, n, prot, pieces);
	pthread_mutex_unlock(&s->lock);
	free(pieces);
	return rc;
}

int dmawin_iova_map(struct dmawin_iova_space *s, uint64_t iova, uint64_t phys, uint64_t len,
		    unsigned prot)
{
	const struct dmawin_iova_sg sg = {phys, len};
	return dmawin_iova_map_sg(s, iova, &sg, 1, prot);
}

/* Nodes an unmap of [lo, hi] needs: one when a single piece sticks out on both sides. */
int dw_unmap_prepare_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	struct dw_iova_node *n = dw_map_first(s, lo);

	if (n && n->lo < lo && n->hi > hi)
		return dw_pool_reserve(&s->pool, 1);
	return 0;
}

/* Unmap one piece's share of [lo, hi]; returns pfns unmapped. Keys only shrink inside the piece,
 * so the tree order stays valid when lo/hi are edited in place. */
static uint64_t dw_unmap_piece(struct dmawin_iova_space *s, struct dw_iova_node *n, uint64_t lo,
			       uint64_t hi)
{
	uint64_t cut_lo = DW_MAX(lo, n->lo), cut_hi = DW_MIN(hi, n->hi), cut = cut_hi - cut_lo + 1;

	dw_pt_unmap(s, cut_lo, cut_hi);
	if (n->lo >= lo && n->hi <= hi) {
		s->map_root = dw_tree_erase(s->map_root, n->lo, NULL);
		dw_pool_put(&s->pool, n);
		s->nmap--;
	} else if (n->lo < lo && n->hi > hi) {
		struct dw_iova_node *t = dw_pool_get(&s->pool); /* reserved by the caller */
		*t = *n;
		t->lo = hi + 1;
		t->phys = n->phys + (t->lo - n->lo);
		n->hi = lo - 1;
		s->map_root = dw_tree_insert(s->map_root, t, NULL);
		s->nmap++;
	} else if (n->lo < lo) {
		n->hi = lo - 1;
	} else {
		n->phys += hi + 1 - n->lo;
		n->lo = hi + 1;
	}
	s->map_pfns -= cut;
	return cut;
}

uint64_t dw_unmap_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi)
{
	uint64_t done = 0, at = lo;

	for (;;) {
		struct dw_iova_node *n = dw_map_first(s, at);
		if (!n || n->lo > hi)
			break;
		uint64_t next = n->hi + 1;
		done += dw_unmap_piece(s, n, lo, hi);
		if (next > hi)
			break;
		at = next;
	}
	return done;
}

int dmawin_iova_unmap(struct dmawin_iova_space *s, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	uint64_t lo, hi;
	int rc = dw_range_pfns(s, iova, len, &lo, &hi);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	rc = dw_unmap_prepare_locked(s, lo, hi);
	uint64_t done = rc ? 0 : dw_unmap_locked(s, lo, hi);
	pthread_mutex_unlock(&s->lock);
	if (!rc && unmapped)
		*unmapped = done << s->shift;
	return rc;
}

int dmawin_iova_lookup(struct dmawin_iova_space *s, uint64_t iova, uint64_t *phys, unsigned *prot)
{
	uint64_t pfn = iova >> s->shift, mask = (UINT64_C(1) << s->shift) - 1;
	int rc = -ENOENT;

	pthread_mutex_lock(&s->lock);
	struct dw_iova_node *n = dw_tree_floor(s->map_root, pfn);
	if (n && n->hi >= pfn) {
		*phys = ((n->phys + (pfn - n->lo)) << s->shift) | (iova & mask);
		if (prot)
			*prot = n->prot;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dmawin_iova_for_each_mapping(struct dmawin_iova_space *s, uint64_t iova, uint64_t len,
				 int (*fn)(void *ctx, const struct dmawin_iova_mapping *m),
				 void *ctx)
{
	uint64_t last;

	if (!len || __builtin_add_overflow(iova, len - 1, &last))
		return -EINVAL;
	uint64_t lo = iova >> s->shift, hi = last >> s->shift;
	int rc = 0;
	pthread_mutex_lock(&s->lock);
	for (struct dw_iova_node *n = dw_map_first(s, lo); n && n->lo <= hi && !rc;
	     n = dw_tree_above(s->map_root, n->lo)) {
		struct dmawin_iova_mapping m = {
			.iova = n->lo << s->shift,
			.len = (n->hi - n->lo + 1) << s->shift,
			.phys = n->phys << s->shift,
			.prot = n->prot,
		};
		rc = fn(ctx, &m);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}
