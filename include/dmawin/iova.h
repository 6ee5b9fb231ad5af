/* SPDX-License-Identifier: MIT */
/*
 * dmawin/iova.h - IOVA spaces: allocation, reservation and explicit mapping of I/O virtual
 * addresses (the "explicit IOVA management" of seed 004, close to what Linux's iommufd IOAS does).
 *
 * Concepts
 *  - A `struct dmawin_iova_space` covers an aperture [start, last] (last inclusive: a space may end
 *    at 2^64) cut in granules of 1 << granule_shift bytes (the IOMMU page size). Every address,
 *    size and alignment passed to this API is in bytes and must be a multiple of the granule.
 *  - The aperture is partitioned into disjoint ranges of four kinds:
 *      allocated  - returned by dmawin_iova_alloc*() or dmawin_iova_alloc_fixed(); may hold
 * mappings; reserved   - dmawin_iova_reserve() (an MSI doorbell, a 32-bit MMIO hole): never
 * allocated; disallowed - outside the allowed ranges (dmawin_iova_set_allowed()): never allocated;
 *      free       - everything else.
 *    An allocation never lands in a reserved or disallowed range, never overlaps another one, and
 *    always lies in the aperture, at or below the caller's limit (`last`, inclusive).
 *  - Allocation is top-down by default (the highest fitting address, as Linux's iova.c does),
 *    bottom-up on request, with natural alignment by default (a size rounded up to a power of two
 *    is the alignment). Its cost is O(log n) in the number of ranges, also when the space below
 *    the limit is fragmented or full: the ranges live in a balanced tree whose nodes know the
 *    largest free gap and the largest naturally aligned free block beneath them.
 *  - The fast path (dmawin_iova_alloc_fast()/dmawin_iova_free_fast()) keeps small power-of-two
 *    ranges in per-thread magazines (no lock, no atomic read-modify-write) in front of the tree,
 *    as Linux's rcache does. Ranges sitting in a magazine count as allocated.
 *  - Mappings (seed 004, API 3 and 4): inside an allocated range, a caller maps a scatter-gather
 *    list of physical ranges (any physical address, not only RAM) at an IOVA: contiguous in IOVA,
 *    possibly scattered in physical memory. Mappings never overlap; unmapping a part of one splits
 *    it. An allocated range that still holds mappings cannot be freed unless forced.
 *  - A page-table backend (struct dmawin_iova_pt_ops) receives every map and unmap, so that a
 *    hardware-like table (a TCE table, see the `ep` layer) mirrors the space; iova itself knows no
 *    table format.
 *
 * Concurrency: every function may be called from any number of threads at once on one space. The
 * tree and the mappings are guarded by one mutex per space; the fast path touches only the calling
 * thread's magazines and takes the mutex only to exchange a whole magazine. Callbacks (page-table
 * ops, iterators) run with the mutex held and must not call back into the same space.
 * dmawin_iova_destroy() must not race with any other call on the space.
 *
 * Errors: 0 or a negative errno; a failed call leaves the space unchanged.
 */
#ifndef DMAWIN_IOVA_H
#define DMAWIN_IOVA_H

#include "dmawin/dmawin.h"

DMAWIN_BEGIN_DECLS

struct dmawin_iova_space;

/* Common limits for the `last` argument of the allocation calls (inclusive). */
#define DMAWIN_IOVA_LAST_32BIT UINT64_C(0xffffffff)
#define DMAWIN_IOVA_LAST_48BIT UINT64_C(0xffffffffffff)
#define DMAWIN_IOVA_LAST_ANY   UINT64_MAX

/* Allocation flags. */
#define DMAWIN_IOVA_BOTTOM_UP (1u << 0) /* lowest fitting address instead of highest */

/* Free flags. */
#define DMAWIN_IOVA_FORCE (1u << 0) /* unmap whatever the range still maps, then free it */

/* Mapping permissions, seen from the device. */
#define DMAWIN_IOVA_READ  (1u << 0) /* the device may read memory (DMA_TO_DEVICE) */
#define DMAWIN_IOVA_WRITE (1u << 1) /* the device may write memory (DMA_FROM_DEVICE) */

/* The largest size (in granules) the fast path caches; sizes up to it are rounded up to a power of
 * two. */
#define DMAWIN_IOVA_FAST_MAX_GRANULES 64

struct dmawin_iova_config {
	unsigned granule_shift; /* 12..40; 0 = 12 (4 KiB) */
	uint64_t start;		/* aperture start, granule-aligned */
	uint64_t last;		/* aperture last byte (inclusive); last + 1 granule-aligned */
};

/* One range (allowed ranges, scatter-gather entries use `start`/`len`). */
struct dmawin_iova_range {
	uint64_t start;
	uint64_t len;
};

/* A physical range of a scatter-gather list. */
struct dmawin_iova_sg {
	uint64_t phys;
	uint64_t len;
};

enum dmawin_iova_kind {
	DMAWIN_IOVA_ALLOCATED = 1,
	DMAWIN_IOVA_RESERVED = 2,
	DMAWIN_IOVA_DISALLOWED = 3,
};

/* An allocated, reserved or disallowed range, as reported by the iterators and find. */
struct dmawin_iova_area {
	uint64_t start;
	uint64_t len;
	enum dmawin_iova_kind kind;
};

/* One mapping: [iova, iova + len) translates to [phys, phys + len). */
struct dmawin_iova_mapping {
	uint64_t iova;
	uint64_t len;
	uint64_t phys;
	unsigned prot;
};

/*
 * A page-table backend. map() is called once per contiguous piece (granule-aligned) when a
 * mapping is created; it returns 0 or a negative errno, and on failure the space undoes the
 * pieces already pushed with unmap() and fails the whole call with that errno. unmap() is called
 * for each piece that goes away and must not fail on what map() accepted.
 */
struct dmawin_iova_pt_ops {
	int (*map)(void *ctx, uint64_t iova, uint64_t phys, uint64_t len, unsigned prot);
	void (*unmap)(void *ctx, uint64_t iova, uint64_t len);
};

struct dmawin_iova_stats {
	uint64_t granule;
	uint64_t allocated_ranges; /* includes ranges held by magazines */
	uint64_t allocated_bytes;
	uint64_t reserved_bytes; /* reserved + disallowed */
	uint64_t free_bytes;
	uint64_t largest_free; /* the largest free gap, in bytes */
	uint64_t mappings;     /* mapping pieces */
	uint64_t mapped_bytes;
	uint64_t cached_ranges; /* ranges in magazines and the depot */
};

/**
 * dmawin_iova_create - create an IOVA space over an aperture.
 * @cfg: granule and aperture (NULL is -EINVAL).
 * @out: the new space; every byte of the aperture is free and allowed.
 *
 * Return: 0; -EINVAL if granule_shift is out of 12..40, start or last + 1 is not granule-aligned,
 * or start > last; -ENOMEM.
 */
DMAWIN_API int dmawin_iova_create(const struct dmawin_iova_config *cfg,
				  struct dmawin_iova_space **out);

/** dmawin_iova_destroy - free the space, its ranges, mappings and caches (NULL is a no-op). No
 * page-table op is called. */
DMAWIN_API void dmawin_iova_destroy(struct dmawin_iova_space *space);

/** dmawin_iova_granule - the granule size in bytes. */
DMAWIN_API uint64_t dmawin_iova_granule(const struct dmawin_iova_space *space);

/**
 * dmawin_iova_alloc - allocate @size bytes at or below @last.
 * @size: bytes, a non-zero multiple of the granule.
 * @align: alignment in bytes, a power of two >= granule; 0 = natural alignment (@size rounded up
 *         to a power of two).
 * @last: the highest byte the range may cover (DMAWIN_IOVA_LAST_32BIT, ..._ANY, ...).
 * @flags: 0 or DMAWIN_IOVA_BOTTOM_UP.
 * @iova: the start of the new range.
 *
 * Return: 0; -EINVAL if @size is 0 or not granule-aligned, @align is not 0 or a power of two >=
 * the granule, or @flags has unknown bits; -ENOSPC if no free, allowed range fits below @last;
 * -ENOMEM.
 */
DMAWIN_API int dmawin_iova_alloc(struct dmawin_iova_space *space, uint64_t size, uint64_t align,
				 uint64_t last, unsigned flags, uint64_t *iova);

/**
 * dmawin_iova_alloc_fixed - allocate exactly [@iova, @iova + @size).
 *
 * Return: 0; -EINVAL if @size is 0, the range is not granule-aligned or overflows; -ERANGE if it
 * is not inside the aperture; -EEXIST if it overlaps an allocated, reserved or disallowed range;
 * -ENOMEM.
 */
DMAWIN_API int dmawin_iova_alloc_fixed(struct dmawin_iova_space *space, uint64_t iova,
				       uint64_t size);

/**
 * dmawin_iova_free - free the allocated range that starts at @iova.
 * @flags: 0, or DMAWIN_IOVA_FORCE to unmap its mappings (pushing the unmaps) before freeing.
 *
 * Return: 0; -EINVAL for unknown @flags; -ENOENT if no allocated range starts at @iova; -EBUSY if
 * the range still holds mappings and @flags has no DMAWIN_IOVA_FORCE.
 */
DMAWIN_API int dmawin_iova_free(struct dmawin_iova_space *space, uint64_t iova, unsigned flags);

/**
 * dmawin_iova_alloc_fast - allocate @size bytes at or below @last, naturally aligned, through the
 * calling thread's magazines.
 *
 * Sizes up to DMAWIN_IOVA_FAST_MAX_GRANULES granules are rounded up to a power of two (the
 * rounded range is what is allocated) and served from a per-thread magazine when it holds a range
 * below @last; other sizes, and misses, go to dmawin_iova_alloc() (top-down). Release the range
 * with dmawin_iova_free_fast() and the same @size (or with dmawin_iova_free()).
 *
 * Return: 0; -EINVAL if @size is 0 or not granule-aligned; -ENOSPC (after flushing this thread's
 * magazines and the shared depot back into the tree and retrying); -ENOMEM.
 */
DMAWIN_API int dmawin_iova_alloc_fast(struct dmawin_iova_space *space, uint64_t size, uint64_t last,
				      uint64_t *iova);

/**
 * dmawin_iova_free_fast - give back a range obtained from dmawin_iova_alloc_fast().
 * @size: the size passed to dmawin_iova_alloc_fast().
 *
 * Like Linux's free_iova_fast(), a cached size is trusted without a tree lookup (that is what
 * makes it fast): the range must be one the caller allocated, holding no mappings, and not freed
 * yet. Sizes that are not cached are checked as dmawin_iova_free() does.
 *
 * Return: 0; -EINVAL if @size is 0 or not granule-aligned, @iova is not granule-aligned, or (for
 * an uncached size) the range at @iova has another size; -ENOENT / -EBUSY as dmawin_iova_free()
 * for uncached sizes.
 */
DMAWIN_API int dmawin_iova_free_fast(struct dmawin_iova_space *space, uint64_t iova, uint64_t size);

/**
 * dmawin_iova_cache_flush - return the calling thread's magazines and the shared depot of @space
 * to the tree (other threads' magazines stay as they are).
 */
DMAWIN_API void dmawin_iova_cache_flush(struct dmawin_iova_space *space);

/**
 * dmawin_iova_reserve - reserve [@iova, @iova + @size) so that nothing is ever allocated there.
 *
 * Return: 0; -EINVAL for a zero, misaligned or overflowing range; -ERANGE if it is not inside the
 * aperture; -EEXIST if it overlaps any allocated, reserved or disallowed range; -ENOMEM.
 */
DMAWIN_API int dmawin_iova_reserve(struct dmawin_iova_space *space, uint64_t iova, uint64_t size);

/**
 * dmawin_iova_unreserve - remove the reserved range that starts at @iova and is @size long.
 *
 * Return: 0; -ENOENT if there is no such reserved range (it must match exactly).
 */
DMAWIN_API int dmawin_iova_unreserve(struct dmawin_iova_space *space, uint64_t iova, uint64_t size);

/**
 * dmawin_iova_set_allowed - restrict allocations to the union of @ranges (inside the aperture).
 * @ranges: any order, may overlap or touch; @n 0 = the whole aperture is allowed again.
 *
 * Return: 0; -EINVAL for a zero, misaligned or overflowing range or @ranges NULL with @n > 0;
 * -ERANGE if a range leaves the aperture; -EBUSY if an allocated or reserved range would fall
 * (even partly) outside the allowed set; -ENOMEM.
 */
DMAWIN_API int dmawin_iova_set_allowed(struct dmawin_iova_space *space,
				       const struct dmawin_iova_range *ranges, size_t n);

/**
 * dmawin_iova_find - the allocated, reserved or disallowed range that contains @iova.
 *
 * Return: 0; -ENOENT if @iova is free or outside the aperture.
 */
DMAWIN_API int dmawin_iova_find(struct dmawin_iova_space *space, uint64_t iova,
				struct dmawin_iova_area *area);

/**
 * dmawin_iova_for_each_area - call @fn on every allocated, reserved and disallowed range in
 * address order. A non-zero return of @fn stops the walk and is returned.
 *
 * Return: 0 after a full walk, or @fn's first non-zero value.
 */
DMAWIN_API int dmawin_iova_for_each_area(struct dmawin_iova_space *space,
					 int (*fn)(void *ctx, const struct dmawin_iova_area *area),
					 void *ctx);

/**
 * dmawin_iova_set_pt_ops - attach a page-table backend (NULL @ops detaches).
 *
 * Only allowed while the space holds no mapping, so a table never misses one.
 * Return: 0; -EINVAL if @ops lacks map or unmap; -EBUSY if mappings exist.
 */
DMAWIN_API int dmawin_iova_set_pt_ops(struct dmawin_iova_space *space,
				      const struct dmawin_iova_pt_ops *ops, void *ctx);

/**
 * dmawin_iova_map_sg - map the physical ranges of @sg, one after the other, at @iova.
 * @sg: @n entries, each granule-aligned and non-empty; physical addresses are not checked
 *      against RAM (an interrupt generator or MMIO page is fine).
 * @prot: DMAWIN_IOVA_READ and/or DMAWIN_IOVA_WRITE.
 *
 * The whole IOVA range [@iova, @iova + sum of lengths) must lie inside one allocated range and
 * must not overlap an existing mapping. Every piece is pushed to the page-table backend.
 *
 * Return: 0; -EINVAL for @n 0, @sg NULL, a misaligned or empty entry, an overflowing total, or a
 * bad @prot; -ENOENT if the IOVA range is not inside one allocated range; -EEXIST if it overlaps
 * a mapping; -ENOMEM; or the backend's map() error (nothing stays mapped then).
 */
DMAWIN_API int dmawin_iova_map_sg(struct dmawin_iova_space *space, uint64_t iova,
				  const struct dmawin_iova_sg *sg, size_t n, unsigned prot);

/**
 * dmawin_iova_map - map one physical range: dmawin_iova_map_sg() with a single entry.
 *
 * Return: as dmawin_iova_map_sg().
 */
DMAWIN_API int dmawin_iova_map(struct dmawin_iova_space *space, uint64_t iova, uint64_t phys,
			       uint64_t len, unsigned prot);

/**
 * dmawin_iova_unmap - unmap whatever is mapped in [@iova, @iova + @len), splitting mappings that
 * cross either end; unmapped holes inside the range are skipped.
 * @unmapped: if not NULL, the number of bytes that were mapped and are not any more.
 *
 * Return: 0; -EINVAL for a zero, misaligned or overflowing range; -ENOMEM (a split needs memory;
 * nothing is unmapped then).
 */
DMAWIN_API int dmawin_iova_unmap(struct dmawin_iova_space *space, uint64_t iova, uint64_t len,
				 uint64_t *unmapped);

/**
 * dmawin_iova_lookup - translate @iova to a physical address.
 * @phys: the physical address of the byte at @iova.
 * @prot: if not NULL, the mapping's permissions.
 *
 * Return: 0; -ENOENT if @iova is not mapped.
 */
DMAWIN_API int dmawin_iova_lookup(struct dmawin_iova_space *space, uint64_t iova, uint64_t *phys,
				  unsigned *prot);

/**
 * dmawin_iova_for_each_mapping - call @fn on every mapping piece that intersects [@iova, @iova +
 * @len) in IOVA order (pieces are reported whole). A non-zero return of @fn stops the walk.
 *
 * Return: 0 after a full walk; -EINVAL if @len is 0 or the range overflows; @fn's first non-zero
 * value.
 */
DMAWIN_API int
dmawin_iova_for_each_mapping(struct dmawin_iova_space *space, uint64_t iova, uint64_t len,
			     int (*fn)(void *ctx, const struct dmawin_iova_mapping *m), void *ctx);

/** dmawin_iova_get_stats - fill @stats with the space's counters. */
DMAWIN_API void dmawin_iova_get_stats(struct dmawin_iova_space *space,
				      struct dmawin_iova_stats *stats);

DMAWIN_END_DECLS

#endif
