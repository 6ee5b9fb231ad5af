/* SPDX-License-Identifier: MIT */
/*
 * The guest kernel's iommu_table for a window used with dynamic TCEs, and its two IOVA
 * allocators: Linux's pool allocator (arch/powerpc/kernel/iommu.c iommu_range_alloc, spec vfio
 * note §7), reproduced decision by decision so that IOVAs match a real trace, and the dmawin
 * iova layer for comparison.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest_int.h"

/* ---- bitmap helpers (one bit per entry, set = taken) ------------------------------------- */

static inline bool bit_test(const uint64_t *map, uint64_t i)
{
	return (map[i >> 6] >> (i & 63)) & 1;
}

/* First index in [start, size) whose bit equals @want, or size. */
static uint64_t find_next(const uint64_t *map, uint64_t size, uint64_t start, bool want)
{
	while (start < size) {
		uint64_t w = map[start >> 6];
		if (!want)
			w = ~w;
		w &= ~0ull << (start & 63);
		if (w) {
			uint64_t i = (start & ~63ull) + (uint64_t)__builtin_ctzll(w);
			return i < size ? i : size;
		}
		start = (start & ~63ull) + 64;
	}
	return size;
}

static void bits_set(uint64_t *map, uint64_t start, uint64_t n, bool val)
{
	while (n) {
		unsigned off = start & 63;
		uint64_t chunk = 64 - off < n ? 64 - off : n;
		uint64_t mask = (chunk == 64 ? ~0ull : ((1ull << chunk) - 1)) << off;
		if (val)
			map[start >> 6] |= mask;
		else
			map[start >> 6] &= ~mask;
		start += chunk;
		n -= chunk;
	}
}

/* bitmap_find_next_zero_area(): an aligned run of @nr clear bits ending at or below @size. */
static uint64_t find_zero_area(const uint64_t *map, uint64_t size, uint64_t start, uint64_t nr,
			       uint64_t align_mask)
{
	for (;;) {
		uint64_t index = find_next(map, size, start, false);
		index = (index + align_mask) & ~align_mask;
		if (index + nr > size || index + nr < index)
			return UINT64_MAX;
		uint64_t i = find_next(map, index + nr, index, true);
		if (i >= index + nr)
			return index;
		start = i + 1;
	}
}

/* iommu_area_alloc(): never the last entry below @limit, never across a segment boundary. */
static uint64_t area_alloc(uint64_t *map, uint64_t limit, uint64_t start, uint64_t nr,
			   uint64_t offset, uint64_t boundary, uint64_t align_mask)
{
	if (limit == 0)
		return UINT64_MAX;
	uint64_t size = limit - 1;
	for (;;) {
		uint64_t index = find_zero_area(map, size, start, nr, align_mask);
		if (index == UINT64_MAX)
			return UINT64_MAX;
		uint64_t in_seg = (offset + index) & (boundary - 1);
		if (in_seg + nr > boundary) {
			uint64_t next = ((offset + index) | (boundary - 1)) + 1 - offset;
			if (nr > boundary || next <= start)
				return UINT64_MAX;
			start = next;
			continue;
		}
		bits_set(map, index, nr, true);
		return index;
	}
}

/* ---- pool allocator --------------------------------------------------------------------- */

static void pool_init(struct guest_table *t)
{
	uint64_t bytes = t->size << t->page_shift;
	t->nr_pools =
		(t->page_shift < 64 && bytes >> t->page_shift == t->size && bytes >= (1ull << 30))
			? GUEST_NR_POOLS
			: 1;
	t->poolsize = (t->size * 3 / 4) / t->nr_pools;
	unsigned i;
	for (i = 0; i < t->nr_pools; i++) {
		t->pools[i].start = t->poolsize * i;
		t->pools[i].hint = t->pools[i].start;
		t->pools[i].end = t->pools[i].start + t->poolsize;
	}
	t->large.start = t->poolsize * i;
	t->large.hint = t->large.start;
	t->large.end = t->size;
}

/*
 * iommu_range_alloc() for CPU 0 (the model has one vCPU issuing DMA API calls, so every small
 * allocation starts in pool 0 as in the traces). @mask is the DMA mask in entries (absolute).
 */
static int64_t pool_alloc(struct guest_table *t, uint64_t npages, uint64_t *handle, uint64_t mask,
			  unsigned align_order, uint64_t boundary)
{
	bool large = npages > GUEST_LARGE_NPAGES;
	unsigned pool_nr = 0;
	struct guest_pool *pool = large ? &t->large : &t->pools[0];
	uint64_t align_mask = (1ull << align_order) - 1;
	unsigned pass = 0;

	for (;;) {
		uint64_t start, limit;
		if (pass == 0 && handle && *handle && *handle >= pool->start && *handle < pool->end)
			start = *handle;
		else
			start = pool->hint;
		limit = pool->end;
		if (start >= limit)
			start = pool->start;
		if (limit + t->offset > mask) {
			limit = mask - t->offset + 1;
			if ((start & mask) >= limit || pass > 0) {
				pool = &t->pools[0];
				start = pool->start;
			} else {
				start &= mask;
			}
		}
		uint64_t n =
			area_alloc(t->map, limit, start, npages, t->offset, boundary, align_mask);
		if (n != UINT64_MAX) {
			uint64_t end = n + npages;
			pool->hint = large ? end
					   : (end + GUEST_BLOCKSIZE - 1) &
						     ~(uint64_t)(GUEST_BLOCKSIZE - 1);
			if (handle)
				*handle = end;
			return (int64_t)n;
		}
		if (pass == 0) {
			pool->hint = pool->start;
		} else if (pass <= t->nr_pools) {
			pool_nr = (pool_nr + 1) & (t->nr_pools - 1);
			pool = &t->pools[pool_nr];
			pool->hint = pool->start;
		} else if (pass == t->nr_pools + 1) {
			pool = &t->large;
			pool->hint = pool->start;
		} else {
			return -ENOSPC;
		}
		pass++;
	}
}

/* ---- iova-layer allocator --------------------------------------------------------------- */

static int64_t iova_alloc(struct guest_table *t, uint64_t npages, uint64_t mask)
{
	uint64_t last = (mask << t->page_shift) | ((1ull << t->page_shift) - 1);
	if (mask >= UINT64_MAX >> t->page_shift)
		last = UINT64_MAX;
	uint64_t iova;
	int rc = dmawin_iova_alloc(t->iova, npages << t->page_shift, 0, last, 0, &iova);
	if (rc)
		return rc == -ENOMEM ? -ENOMEM : -ENOSPC;
	return (int64_t)((iova >> t->page_shift) - t->offset);
}

/* ---- public to the layer ---------------------------------------------------------------- */

int64_t guest_range_alloc(struct guest_table *t, uint64_t npages, uint64_t *handle, uint64_t mask,
			  unsigned align_order, uint64_t boundary)
{
	if (npages == 0 || npages > t->size)
		return -ENOSPC;
	if (mask < t->offset)
		return -ERANGE;
	pthread_mutex_lock(&t->lock);
	int64_t n = t->alloc == DMAWIN_GUEST_ALLOC_POOL
			    ? pool_alloc(t, npages, handle, mask, align_order, boundary)
			    : iova_alloc(t, npages, mask);
	if (n >= 0)
		atomic_fetch_add_explicit(&t->used, npages, memory_order_relaxed);
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct area_walk {
	uint64_t pos, end;
	bool ok;
};

static int check_area(void *ctx, const struct dmawin_iova_area *a)
{
	struct area_walk *w = ctx;
	if (a->start + a->len <= w->pos)
		return 0;
	if (a->start >= w->end)
		return 1;
	if (a->kind != DMAWIN_IOVA_ALLOCATED || a->start != w->pos || a->start + a->len > w->end) {
		w->ok = false;
		return 1;
	}
	w->pos = a->start + a->len;
	return w->pos >= w->end;
}

static bool iova_covers(struct guest_table *t, uint64_t entry, uint64_t npages)
{
	struct area_walk w = {(t->offset + entry) << t->page_shift,
			      (t->offset + entry + npages) << t->page_shift, true};
	dmawin_iova_for_each_area(t->iova, check_area, &w);
	return w.ok && w.pos == w.end;
}

bool guest_range_is_allocated(struct guest_table *t, uint64_t entry, uint64_t npages)
{
	if (npages == 0 || entry >= t->size || npages > t->size - entry)
		return false;
	pthread_mutex_lock(&t->lock);
	bool ok;
	if (t->alloc == DMAWIN_GUEST_ALLOC_POOL)
		ok = find_next(t->map, entry + npages, entry, false) == entry + npages;
	else
		ok = iova_covers(t, entry, npages);
	pthread_mutex_unlock(&t->lock);
	return ok;
}

int guest_range_free(struct guest_table *t, uint64_t entry, uint64_t npages)
{
	if (npages == 0 || entry >= t->size || npages > t->size - entry)
		return -ENOENT;
	pthread_mutex_lock(&t->lock);
	int rc = 0;
	if (t->alloc == DMAWIN_GUEST_ALLOC_POOL) {
		if (find_next(t->map, entry + npages, entry, false) != entry + npages)
			rc = -ENOENT;
		else
			bits_set(t->map, entry, npages, false);
	} else if (!iova_covers(t, entry, npages)) {
		rc = -ENOENT;
	} else {
		uint64_t pos = (t->offset + entry) << t->page_shift;
		uint64_t end = (t->offset + entry + npages) << t->page_shift;
		while (pos < end) {
			struct dmawin_iova_area a;
			if (dmawin_iova_find(t->iova, pos, &a) ||
			    dmawin_iova_free(t->iova, a.start, 0))
				break;
			pos = a.start + a.len;
		}
	}
	if (!rc)
		atomic_fetch_sub_explicit(&t->used, npages, memory_order_relaxed);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* iommu_table_reserve_pages(): entry 0 at bus 0, and [res_start, res_end) (absolute entries). */
static int table_reserve(struct guest_table *t, uint64_t res_start, uint64_t res_end)
{
	uint64_t lo = res_start < t->offset ? t->offset : res_start;
	uint64_t hi = res_end > t->offset + t->size ? t->offset + t->size : res_end;
	bool zero = t->offset == 0;
	if (t->alloc == DMAWIN_GUEST_ALLOC_POOL) {
		if (zero)
			bits_set(t->map, 0, 1, true);
		if (lo < hi)
			bits_set(t->map, lo - t->offset, hi - lo, true);
	} else {
		uint64_t g = 1ull << t->page_shift;
		if (zero && !(lo == 0 && lo < hi)) {
			int rc = dmawin_iova_reserve(t->iova, 0, g);
			if (rc)
				return rc;
		}
		if (lo < hi) {
			int rc = dmawin_iova_reserve(t->iova, lo << t->page_shift,
						     (hi - lo) << t->page_shift);
			if (rc)
				return rc;
		}
	}
	t->reserved = (lo < hi ? hi - lo : 0) + (zero && !(lo == 0 && lo < hi) ? 1 : 0);
	return 0;
}

int guest_table_create(struct dmawin_guest *g, uint32_t liobn, uint64_t bus_start,
		       uint64_t bus_size, unsigned shift, uint64_t res_start, uint64_t res_end,
		       struct guest_table **out)
{
	uint64_t size = bus_size >> shift;
	if (size == 0)
		return -EINVAL;
	struct guest_table *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->liobn = liobn;
	t->page_shift = shift;
	t->offset = bus_start >> shift;
	t->size = size;
	t->alloc = g->cfg.allocator;
	pthread_mutex_init(&t->lock, NULL);
	int rc = -ENOMEM;
	if (t->alloc == DMAWIN_GUEST_ALLOC_POOL) {
		t->map = calloc((size + 63) / 64, sizeof(uint64_t));
		if (!t->map)
			goto fail;
		pool_init(t);
	} else {
		struct dmawin_iova_config ic = {.granule_shift = shift,
						.start = bus_start,
						.last = bus_start + (size << shift) - 1};
		rc = dmawin_iova_create(&ic, &t->iova);
		if (rc)
			goto fail;
	}
	rc = table_reserve(t, res_start, res_end);
	if (rc)
		goto fail;
	*out = t;
	return 0;
fail:
	guest_table_destroy(t);
	return rc;
}

void guest_table_destroy(struct guest_table *t)
{
	if (!t)
		return;
	free(t->map);
	dmawin_iova_destroy(t->iova);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* iommu_table_clear(): the whole window, as the kernel does before using a table. */
int guest_table_clear(struct dmawin_guest *g, struct guest_table *t)
{
	return guest_tce_free(g, t->liobn, t->page_shift, t->offset, t->size);
}
