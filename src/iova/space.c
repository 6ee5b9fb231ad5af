/* SPDX-License-Identifier: MIT */
/* IOVA spaces: creation, the locked allocator, fixed allocations, reservations, queries. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iova/iova_int.h"

static _Atomic uint64_t dw_space_ids = 1;

int dmawin_iova_create(const struct dmawin_iova_config *cfg, struct dmawin_iova_space **out)
{
	if (!cfg || !out)
		return -EINVAL;
	unsigned shift = cfg->granule_shift ? cfg->granule_shift : 12;
	if (shift < 12 || shift > 40)
		return -EINVAL;
	uint64_t mask = (UINT64_C(1) << shift) - 1;
	if ((cfg->start & mask) || (cfg->last & mask) != mask || cfg->start > cfg->last)
		return -EINVAL;

	/* The struct is cache-line aligned (see iova_int.h); sizeof is a multiple of 64. */
	struct dmawin_iova_space *s = aligned_alloc(64, sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return -ENOMEM;
	}
	s->id = atomic_fetch_add(&dw_space_ids, 1);
	s->shift = shift;
	s->ap_lo = cfg->start >> shift;
	s->ap_hi = cfg->last >> shift;
	struct dw_iova_node *sentinel = dw_pool_get(&s->pool);
	if (!sentinel) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return -ENOMEM;
	}
	sentinel->lo = sentinel->hi = s->ap_hi + 1;
	sentinel->gap = s->ap_hi - s->ap_lo + 1;
	sentinel->kind = DW_KIND_SENTINEL;
	s->root = dw_tree_insert(NULL, sentinel, NULL);
	*out = s;
	return 0;
}

void dmawin_iova_destroy(struct dmawin_iova_space *s)
{
	if (!s)
		return;
	dw_cache_destroy(s);
	dw_pool_destroy(&s->pool);
	free(s->holes);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

uint64_t dmawin_iova_granule(const struct dmawin_iova_space *s)
{
	return UINT64_C(1) << s->shift;
}

/* Put [lo, hi] into the gap of @succ (its successor); the caller checked that it fits. */
static void dw_insert_in_gap(struct dmawin_iova_space *s, struct dw_iova_node *succ,
			     struct dw_iova_node *n, uint64_t lo, uint64_t hi, uint8_t kind)
{
	n->lo = lo;
	n->hi = hi;
	n->kind = kind;
	n->gap = lo - (succ->lo - succ->gap);
	/* succ is an ancestor of n's leaf position, so the insert recomputes its augmentation. */
	succ->gap = succ->lo - hi - 1;
	s->root = dw_tree_insert(s->root, n, succ);
	if (kind == DW_KIND_ALLOC) {
		s->nalloc++;
		s->alloc_pfns += hi - lo + 1;
	} else {
		s->reserved_pfns += hi - lo + 1;
	}
}

int dw_insert_range_locked(struct dmawin_iova_space *s, uint64_t lo, uint64_t hi, uint8_t kind)
{
	struct dw_iova_node *succ = dw_tree_above(s->root, hi);

	if (succ->lo - succ->gap > lo)
		return -EEXIST;
	struct dw_iova_node *n = dw_pool_get(&s->pool);
	if (!n)
		return -ENOMEM;
	dw_insert_in_gap(s, succ, n, lo, hi, kind);
	return 0;
}

void dw_remove_range_locked(struct dmawin_iova_space *s, struct dw_iova_node *n,
			    struct dw_iova_node *succ)
{
	uint64_t len = n->hi - n->lo + 1;

	if (!succ)
		succ = dw_tree_above(s->root, n->hi);
	if (n->kind == DW_KIND_ALLOC) {
		s->nalloc--;
		s->alloc_pfns -= len;
	} else {
		s->reserved_pfns -= len;
	}
	/* The successor's gap absorbs n and n's gap; erase recomputes its path (it is n's
	 * ancestor, or the minimum of n's right subtree that takes n's place). */
	succ->gap += n->gap + len;
	s->fail_size = 0; /* the freed space may hold what failed before */
	s->root = dw_tree_erase(s->root, n->lo, succ);
	dw_pool_put(&s->pool, n);
}

int dw_alloc_locked(struct dmawin_iova_space *s, const struct dw_fit_req *req, bool top_down,
		    uint64_t *pfn)
{
	uint64_t x;

	if (s->fail_size && req->size >= s->fail_size && req->align >= s->fail_align &&
	    req->lim <= s->fail_lim)
		return -ENOSPC;
	struct dw_iova_node *succ = dw_tree_fit(s->root, req, top_down, &x);

	if (!succ) {
		s->fail_size = req->size;
		s->fail_align = req->align;
		s->fail_lim = req->lim;
		return -ENOSPC;
	}
	struct dw_iova_node *n = dw_pool_get(&s->pool);
	if (!n)
		return -ENOMEM;
	dw_insert_in_gap(s, succ, n, x, x + req->size - 1, DW_KIND_ALLOC);
	*pfn = x;
	return 0;
}

int dw_make_req(const struct dmawin_iova_space *s, uint64_t size, uint64_t align, uint64_t last,
		struct dw_fit_req *req)
{
	uint64_t mask = (UINT64_C(1) << s->shift) - 1;

	if (!size || (size & mask))
		return -EINVAL;
	if (align && ((align & (align - 1)) || align <= mask))
		return -EINVAL;
	req->size = size >> s->shift;
	if (!align) {
		unsigned k = dw_ceil_log2(req->size);
		req->align = k < 63 ? UINT64_C(1) << k : UINT64_C(1) << 62;
	} else {
		req->align = align >> s->shift;
	}
	dw_fit_req_prepare(req);
	if (!dw_limit_pfn(s, last, &req->lim))
		return -ENOSPC;
	return 0;
}

int dmawin_iova_alloc(struct dmawin_iova_space *s, uint64_t size, uint64_t align, uint64_t last,
		      unsigned flags, uint64_t *iova)
{
	struct dw_fit_req req;
	uint64_t pfn;

	if (flags & ~DMAWIN_IOVA_BOTTOM_UP)
		return -EINVAL;
	int rc = dw_make_req(s, size, align, last, &req);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->lock);
	bool top_down = !(flags & DMAWIN_IOVA_BOTTOM_UP);
	rc = dw_alloc_locked(s, &req, top_down, &pfn);
	if (rc == -ENOSPC && dw_cache_count_locked(s)) {
		dw_cache_flush_locked(s);
		rc = dw_alloc_locked(s, &req, top_down, &pfn);
	}
	pthread_mutex_unlock(&s->lock);
	if (!rc)
		*iova = pfn << s->shift;
	return rc;
}

/* Validate a byte range and convert it to pfns. */
int dw_range_pfns(const struct dmawin_iova_space *s, uint64_t iova, uint64_t size, uint64_t *lo,
		  uint64_t *hi)
{
	uint64_t mask = (UINT64_C(1) << s->shift) - 1, last;

	if (!size || (iova & mask) || (size & mask) ||
	    __builtin_add_overflow(iova, size - 1, &last))
		return -EINVAL;
	*lo = iova >> s->shift;
	*hi = last >> s->shift;
	return 0;
}

static int dw_insert_checked(struct dmawin_iova_space *s, uint64_t iova, uint64_t size,
			     uint8_t kind)
{
	uint64_t lo, hi;
	int rc = dw_range_pfns(s, iova, size, &lo, &hi);

	if (rc)
		return rc;
	if (lo < s->ap_lo || hi > s->ap_hi)
		return -ERANGE;
	pthread_mutex_lock(&s->lock);
	rc = dw_insert_range_locked(s, lo, hi, kind);
	if (rc == -EEXIST && dw_cache_count_locked(s)) {
		dw_cache_flush_locked(s);
		rc = dw_insert_range_locked(s, lo, hi, kind);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dmawin_iova_alloc_fixed(struct dmawin_iova_space *s, uint64_t iova, uint64_t size)
{
	return dw_insert_checked(s, iova, size, DW_KIND_ALLOC);
}

int dmawin_iova_reserve(struct dmawin_iova_space *s, uint64_t iova, uint64_t size)
{
	return dw_insert_checked(s, iova, size, DW_KIND_RESERVED);
}

int dmawin_iova_unreserve(struct dmawin_iova_space *s, uint64_t iova, uint64_t size)
{
	uint64_t lo, hi;

	if (dw_range_pfns(s, iova, size, &lo, &hi))
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	struct dw_iova_node *n = dw_tree_find(s->root, lo);
	int rc = -ENOENT;
	if (n && n->kind == DW_KIND_RESERVED && n->hi == hi) {
		dw_remove_range_locked(s, n, NULL);
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* @npfns 0: any size. */
int dw_free_locked(struct dmawin_iova_space *s, uint64_t pfn, uint64_t npfns, unsigned flags)
{
	struct dw_iova_node *succ;
	struct dw_iova_node *n = dw_tree_find_succ(s->root, pfn, &succ);

	if (!n || n->kind != DW_KIND_ALLOC)
		return -ENOENT;
	if (npfns && n->hi - n->lo + 1 != npfns)
		return -EINVAL;
	if (s->nmap && dw_map_any_locked(s, n->lo, n->hi)) {
		if (!(flags & DMAWIN_IOVA_FORCE))
			return -EBUSY;
		dw_unmap_locked(s, n->lo, n->hi);
	}
	dw_remove_range_locked(s, n, succ);
	return 0;
}

int dmawin_iova_free(struct dmawin_iova_space *s, uint64_t iova, unsigned flags)
{
	if (flags & ~DMAWIN_IOVA_FORCE)
		return -EINVAL;
	if (iova & ((UINT64_C(1) << s->shift) - 1))
		return -ENOENT;
	pthread_mutex_lock(&s->lock);
	int rc = dw_free_locked(s, iova >> s->shift, 0, flags);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dmawin_iova_find(struct dmawin_iova_space *s, uint64_t iova, struct dmawin_iova_area *area)
{
	uint64_t pfn = iova >> s->shift;
	int rc = -ENOENT;

	pthread_mutex_lock(&s->lock);
	struct dw_iova_node *n = dw_tree_floor(s->root, pfn);
	if (n && n->hi >= pfn && n->kind != DW_KIND_SENTINEL) {
		area->start = n->lo << s->shift;
		area->len = (n->hi - n->lo + 1) << s->shift;
		area->kind = (enum dmawin_iova_kind)n->kind;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int dw_walk_areas(const struct dmawin_iova_space *s, const struct dw_iova_node *n,
			 int (*fn)(void *ctx, const struct dmawin_iova_area *area), void *ctx)
{
	while (n) {
		int rc = dw_walk_areas(s, n->left, fn, ctx);
		if (rc)
			return rc;
		if (n->kind != DW_KIND_SENTINEL) {
			struct dmawin_iova_area a = {
				.start = n->lo << s->shift,
				.len = (n->hi - n->lo + 1) << s->shift,
				.kind = (enum dmawin_iova_kind)n->kind,
			};
			rc = fn(ctx, &a);
			if (rc)
				return rc;
		}
		n = n->right;
	}
	return 0;
}

int dmawin_iova_for_each_area(struct dmawin_iova_space *s,
			      int (*fn)(void *ctx, const struct dmawin_iova_area *area), void *ctx)
{
	pthread_mutex_lock(&s->lock);
	int rc = dw_walk_areas(s, s->root, fn, ctx);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void dmawin_iova_get_stats(struct dmawin_iova_space *s, struct dmawin_iova_stats *st)
{
	pthread_mutex_lock(&s->lock);
	uint64_t total = s->ap_hi - s->ap_lo + 1;
	*st = (struct dmawin_iova_stats){
		.granule = UINT64_C(1) << s->shift,
		.allocated_ranges = s->nalloc,
		.allocated_bytes = s->alloc_pfns << s->shift,
		.reserved_bytes = s->reserved_pfns << s->shift,
		.free_bytes = (total - s->alloc_pfns - s->reserved_pfns) << s->shift,
		.largest_free = s->root->max_gap << s->shift,
		.mappings = s->nmap,
		.mapped_bytes = s->map_pfns << s->shift,
		.cached_ranges = dw_cache_count_locked(s),
	};
	pthread_mutex_unlock(&s->lock);
}
