/* SPDX-License-Identifier: MIT */
/*
 * Reference model of the Linux powerpc IOMMU pool allocator (spec vfio-spapr-and-tables.md §7),
 * written for clarity, not speed: one byte per entry, linear scans, no bit tricks. The guest
 * layer's allocator (src/guest/table.c) must make the same decision for every request.
 */
#ifndef DMAWIN_GUEST_POOL_REF_H
#define DMAWIN_GUEST_POOL_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct gpr_pool {
	uint64_t start, end, hint;
};

struct gpr {
	uint64_t size;	 /* entries */
	uint64_t offset; /* absolute number of entry 0 */
	unsigned char *used;
	unsigned nr_pools;
	struct gpr_pool pools[4], large;
};

static inline void gpr_init(struct gpr *r, uint64_t size, uint64_t offset, unsigned page_shift)
{
	r->size = size;
	r->offset = offset;
	r->used = calloc(size, 1);
	/* four pools from 1 GiB of window up, the top quarter for large allocations */
	r->nr_pools = (size << page_shift) >= (1ull << 30) ? 4 : 1;
	uint64_t poolsize = (size * 3 / 4) / r->nr_pools;
	for (unsigned i = 0; i < r->nr_pools; i++)
		r->pools[i] = (struct gpr_pool){poolsize * i, poolsize * (i + 1), poolsize * i};
	r->large = (struct gpr_pool){poolsize * r->nr_pools, size, poolsize * r->nr_pools};
	if (offset == 0)
		r->used[0] = 1; /* page 0 is never handed out */
}

static inline void gpr_fini(struct gpr *r)
{
	free(r->used);
}

/* One search in [start, limit - 1): aligned, free, not across a boundary. */
static inline int64_t gpr_search(struct gpr *r, uint64_t limit, uint64_t start, uint64_t n,
				 uint64_t align, uint64_t boundary)
{
	if (limit == 0)
		return -1;
	for (uint64_t i = start; i < limit - 1; i++) {
		if (i % align)
			continue;
		if (i + n > limit - 1)
			return -1;
		bool free_run = true;
		for (uint64_t k = 0; k < n && free_run; k++)
			free_run = !r->used[i + k];
		if (!free_run)
			continue;
		uint64_t seg_start = (r->offset + i) / boundary;
		uint64_t seg_last = (r->offset + i + n - 1) / boundary;
		if (seg_start != seg_last)
			continue;
		for (uint64_t k = 0; k < n; k++)
			r->used[i + k] = 1;
		return (int64_t)i;
	}
	return -1;
}

/* iommu_range_alloc() on CPU 0, @mask in absolute entries. */
static inline int64_t gpr_alloc(struct gpr *r, uint64_t n, uint64_t mask, unsigned align_order,
				uint64_t boundary)
{
	bool large = n > 15;
	struct gpr_pool *pool = large ? &r->large : &r->pools[0];
	unsigned pool_nr = 0;
	uint64_t align = 1ull << align_order;
	for (unsigned pass = 0;; pass++) {
		uint64_t start = pool->hint, limit = pool->end;
		if (start >= limit)
			start = pool->start;
		if (limit + r->offset > mask) {
			limit = mask - r->offset + 1;
			if ((start & mask) >= limit || pass > 0) {
				pool = &r->pools[0];
				start = pool->start;
			} else {
				start &= mask;
			}
		}
		int64_t e = gpr_search(r, limit, start, n, align, boundary);
		if (e >= 0) {
			uint64_t end = (uint64_t)e + n;
			pool->hint = large ? end : (end + 15) / 16 * 16;
			return e;
		}
		if (pass == 0) {
			pool->hint = pool->start;
		} else if (pass <= r->nr_pools) {
			pool_nr = (pool_nr + 1) % r->nr_pools;
			pool = &r->pools[pool_nr];
			pool->hint = pool->start;
		} else if (pass == r->nr_pools + 1) {
			pool = &r->large;
			pool->hint = pool->start;
		} else {
			return -1;
		}
	}
}

static inline void gpr_free(struct gpr *r, uint64_t e, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++)
		r->used[e + k] = 0;
}

#endif
