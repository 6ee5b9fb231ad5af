/* SPDX-License-Identifier: MIT */
/*
 * MAP_DMA / UNMAP_DMA: building and clearing TCEs by atomic exchange (spec §1 MAP/UNMAP, §6).
 * The fast path per IOMMU page is: region hint check, mapped_inc, exchange, store the ua in the
 * mirror; region lookups and mirror chunk allocation are the slow paths beside it.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/pe.h"
#include "vfio/vfio_int.h"

/* ---- The userspace-address mirror (it_userspace) ----------------------------------------- */

static noinline _Atomic uint64_t *ua_chunk_alloc(struct vfio_window *w, uint64_t chunk)
{
	_Atomic uint64_t *fresh = calloc(VFIO_UA_CHUNK, sizeof(*fresh)), *expected = NULL;

	if (!fresh)
		return NULL;
	if (!atomic_compare_exchange_strong(&w->ua[chunk], &expected, fresh)) {
		free(fresh); /* another mapper installed it first */
		return expected;
	}
	return fresh;
}

/* The mirror slot of table index @idx; NULL if its chunk is missing (and !alloc) or on ENOMEM. */
static inline _Atomic uint64_t *ua_slot(struct vfio_window *w, uint64_t idx, bool alloc)
{
	uint64_t chunk = idx >> VFIO_UA_CHUNK_SHIFT;
	_Atomic uint64_t *p = atomic_load_explicit(&w->ua[chunk], memory_order_acquire);

	if (unlikely(!p)) {
		if (!alloc)
			return NULL;
		p = ua_chunk_alloc(w, chunk);
		if (!p)
			return NULL;
	}
	return &p[idx & (VFIO_UA_CHUNK - 1)];
}

void vfio_ua_free(struct vfio_window *w)
{
	for (uint64_t i = 0; i < w->nchunks; i++)
		free(atomic_load(&w->ua[i]));
	free(w->ua);
	w->ua = NULL;
	w->nchunks = 0;
}

/* ---- Unuse / clear --------------------------------------------------------------------------- */

static void mark_dirty_range(const struct dmawin_vfio_mm *mm, struct vfio_region *r, uint64_t ua,
			     uint64_t len)
{
	uint64_t host = UINT64_C(1) << mm->host_page_shift;

	for (uint64_t a = DW_ALIGN_DOWN(ua, host); a < ua + len; a += host)
		vfio_region_mark_dirty(mm, r, a);
}

/* tce_iommu_unuse_page_v2: the entry held @old; drop its region's mapped count. */
static void unuse_v2(struct dmawin_vfio_container *c, struct vfio_window *w, _Atomic uint64_t *slot,
		     uint64_t old)
{
	uint64_t pgsz = UINT64_C(1) << w->page_shift;
	uint64_t ua = slot ? atomic_load_explicit(slot, memory_order_relaxed) : 0;
	struct vfio_region *r;

	if (!ua)
		return;
	/* Writers of one entry are serialised by its TCE exchange: no RMW needed here. */
	atomic_store_explicit(slot, 0, memory_order_relaxed);
	r = vfio_region_lookup(c->mm, ua, pgsz);
	if (!r)
		return;
	if (old & DMAWIN_TCE_WRITE)
		mark_dirty_range(c->mm, r, ua, pgsz);
	vfio_region_mapped_dec(r);
}

static void unuse(struct dmawin_vfio_container *c, struct vfio_window *w, uint64_t idx,
		  uint64_t old)
{
	if (c->v2)
		unuse_v2(c, w, ua_slot(w, idx, false), old);
	/* v1 pins are lookups (no per-page reference to drop), see doc/vfio.md. */
}

struct clear_ctx {
	struct dmawin_vfio_container *c;
	struct vfio_window *w;
};

static int clear_one(uint64_t index, uint64_t tce, void *arg)
{
	struct clear_ctx *x = arg;
	uint64_t old;

	(void)tce;
	if (dmawin_tce_xchg(x->w->tbl, index, 0, &old) == 0 && dmawin_tce_mapped(old))
		unuse(x->c, x->w, index, old);
	return 0;
}

void vfio_clear(struct dmawin_vfio_container *c, struct vfio_window *w, uint64_t entry,
		uint64_t pages)
{
	struct clear_ctx x = {.c = c, .w = w};

	/* Visit mapped entries of the range only: missing levels are skipped, as Linux skips
	 * unallocated userspace levels. Clearing never fails. */
	dmawin_tce_for_each(w->tbl, entry - w->it_offset, pages, 0, clear_one, &x);
}

/*
 * Once MAP or UNMAP returns, no device byte may move through an entry it removed or replaced:
 * the table generation moves exactly for such writes, and then every attached PE waits for the
 * DMA in flight (Linux gets the same from the TCE kill).
 */
static void settle_dma(struct dmawin_vfio_container *c, const struct vfio_window *w,
		       uint64_t generation_before)
{
	if (dmawin_tce_generation(w->tbl) == generation_before)
		return;
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i].attached)
			dmawin_pe_dma_barrier(c->groups[i].pe);
}

/* ---- Build ------------------------------------------------------------------------------------
 */

/* tce_page_is_contained: the backing page of hpa is at least one IOMMU page. */
static bool page_is_contained(const struct dmawin_vfio_mm *mm, uint64_t hpa, unsigned int shift)
{
	uint64_t ps;

	if (dmawin_mem_page_size(mm->mem, hpa, UINT64_C(1) << shift, &ps) != 0)
		return false;
	ps = DW_MAX(ps, UINT64_C(1) << mm->host_page_shift);
	return ps >= (UINT64_C(1) << shift);
}

struct build {
	struct dmawin_vfio_container *c;
	struct vfio_window *w;
	uint64_t idx; /* table index of the first page */
	uint64_t vaddr;
	uint64_t pages;
	uint64_t perm;
};

/* Where build_v2 is in its range: the current region and how far containment is known. */
struct cursor {
	struct vfio_region *r;
	uint64_t contained_end; /* ua below which every IOMMU page of r is contained */
	uint64_t reserved;	/* mapped counts taken on r for pages not written yet */
};

/* mm_iommu_mapped_inc for a whole run of pages at once: one atomic instead of one per TCE. */
static bool region_mapped_add(struct vfio_region *r, uint64_t n)
{
	int64_t v = atomic_load_explicit(&r->mapped, memory_order_relaxed);

	do {
		if (v == 0)
			return false;
	} while (!atomic_compare_exchange_weak(&r->mapped, &v, v + (int64_t)n));
	return true;
}

static void cursor_release(struct cursor *cur)
{
	if (cur->reserved)
		atomic_fetch_sub(&cur->r->mapped, (int64_t)cur->reserved);
	cur->reserved = 0;
}

/*
 * tce_page_is_contained for the page at @ua: one mem lookup for the whole rest of the run that
 * lies in the region (the fast path), a per-page answer only when that run is not uniformly
 * backed by large enough pages.
 */
static bool contained(const struct build *b, struct cursor *cur, uint64_t ua, uint64_t hpa)
{
	const struct vfio_window *w = b->w;
	uint64_t pgsz = UINT64_C(1) << w->page_shift, ps;
	uint64_t end = DW_MIN(cur->r->ua + cur->r->size, b->vaddr + (b->pages << w->page_shift));

	if (likely(ua < cur->contained_end))
		return true;
	if (dmawin_mem_page_size(b->c->mm->mem, hpa, end - ua, &ps) == 0 &&
	    DW_MAX(ps, UINT64_C(1) << b->c->mm->host_page_shift) >= pgsz) {
		cur->contained_end = end;
		return true;
	}
	if (!page_is_contained(b->c->mm, hpa, w->page_shift))
		return false;
	cur->contained_end = ua + pgsz;
	return true;
}

/* One IOMMU page of tce_iommu_build_v2. Returns 0, a -errno, or 1 for "stop, no error". */
static inline int build_one_v2(const struct build *b, uint64_t i, struct cursor *cur)
{
	struct vfio_window *w = b->w;
	uint64_t pgsz = UINT64_C(1) << w->page_shift, ua = b->vaddr + (i << w->page_shift);
	struct vfio_region *r = cur->r;
	_Atomic uint64_t *slot;
	uint64_t hpa, old;

	if (unlikely(!r || !vfio_region_contains(r, ua, pgsz))) {
		cursor_release(cur);
		r = vfio_region_lookup(b->c->mm, ua, pgsz);
		if (!r)
			return -EINVAL;
		cur->r = r;
		cur->contained_end = 0;
	}
	if (w->page_shift > r->pageshift)
		return -EINVAL;
	hpa = r->hpa + (ua - r->ua);
	if (!contained(b, cur, ua, hpa))
		return -EPERM;
	if (!cur->reserved) {
		uint64_t end = DW_MIN(r->ua + r->size, b->vaddr + (b->pages << w->page_shift));

		if (!region_mapped_add(r, (end - ua) >> w->page_shift))
			return (b->c->cfg.quirks & DMAWIN_VFIO_QUIRK_PARTIAL_MAP) ? 1 : -ENXIO;
		cur->reserved = (end - ua) >> w->page_shift;
	}
	slot = ua_slot(w, b->idx + i, true);
	if (!slot || dmawin_tce_xchg(w->tbl, b->idx + i, hpa | b->perm, &old) != 0)
		return -ENOMEM; /* the reservation is given back by cursor_release() */
	cur->reserved--;
	if (dmawin_tce_mapped(old))
		unuse_v2(b->c, w, slot, old);
	atomic_store_explicit(slot, ua, memory_order_relaxed);
	return 0;
}

static int build_v2(const struct build *b)
{
	struct cursor cur = {0};
	uint64_t i;
	int ret = 0;

	for (i = 0; i < b->pages; i++) {
		ret = build_one_v2(b, i, &cur);
		if (ret)
			break;
	}
	cursor_release(&cur);
	if (ret == 1)
		return 0; /* Linux: the loop breaks with ret == 0, the rest stays unmapped */
	if (ret)
		vfio_clear(b->c, b->w, b->w->it_offset + b->idx, i);
	return ret;
}

/* v1 "pin": the hpa of host memory @ua (one IOMMU page) through the mem regions. */
static int pin_v1(const struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t len, uint64_t *hpa)
{
	unsigned int n = dmawin_mem_region_count(mm->mem);

	for (unsigned int i = 0; i < n; i++) {
		struct dmawin_mem_region_info info;
		uint64_t host;

		if (dmawin_mem_region_info(mm->mem, i, &info) != 0)
			continue;
		host = (uint64_t)(uintptr_t)info.host;
		if (ua >= host && ua - host < info.size && len <= info.size - (ua - host)) {
			*hpa = info.gpa + (ua - host);
			return 0;
		}
	}
	return -EFAULT;
}

/* tce_iommu_build (v1): pin per page, check containment, exchange. */
static int build_v1(const struct build *b)
{
	struct vfio_window *w = b->w;
	uint64_t pgsz = UINT64_C(1) << w->page_shift, i, hpa, old;
	int ret = 0;

	for (i = 0; i < b->pages; i++) {
		ret = pin_v1(b->c->mm, b->vaddr + i * pgsz, pgsz, &hpa);
		if (ret)
			break;
		if (!page_is_contained(b->c->mm, hpa, w->page_shift)) {
			ret = -EPERM;
			break;
		}
		ret = dmawin_tce_xchg(w->tbl, b->idx + i, hpa | b->perm, &old);
		if (ret)
			break;
	}
	if (ret)
		vfio_clear(b->c, w, w->it_offset + b->idx, i);
	return ret;
}

/* ---- The ioctls --------------------------------------------------------------------------- */

/*
 * iommu_tce_put_param_check / clear_param_check and the range end. Returns 0 with *pages
 * possibly clipped, 1 for a misaligned iova (Linux's macro returns the || of two checks), or
 * -EINVAL for a range past the window end in safe mode.
 */
static int check_range(const struct dmawin_vfio_container *c, const struct vfio_window *w,
		       uint64_t iova, uint64_t *pages)
{
	uint64_t entry = iova >> w->page_shift, left;

	if (iova & ((UINT64_C(1) << w->page_shift) - 1))
		return 1;
	left = w->it_offset + w->it_size - entry;
	if (*pages <= left)
		return 0;
	if (c->cfg.quirks & DMAWIN_VFIO_QUIRK_UNCHECKED_END) {
		*pages = left;
		return 0;
	}
	return -EINVAL;
}

/*
 * The common start of MAP_DMA and UNMAP_DMA (tce_iommu_ioctl): an enabled container, the
 * argument head, and the default window created if it is still pending.
 */
static int dma_arg_in(struct dmawin_vfio_container *c, unsigned long arg, void *p, size_t minsz,
		      uint32_t flags_ok)
{
	int ret;

	if (!c->enabled)
		return -EPERM;
	ret = vfio_arg_in(arg, p, minsz, flags_ok);
	if (ret)
		return ret;
	return vfio_default_window_shared(c);
}

long vfio_ioctl_map(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		    unsigned long arg)
{
	struct vfio_iommu_type1_dma_map p;
	const uint32_t rw = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct build b = {.c = c};
	uint64_t mask, generation;
	int ret;

	(void)caller;
	ret = dma_arg_in(c, arg, &p, sizeof(p), rw);
	if (ret)
		return ret;
	b.w = vfio_find_window(c, p.iova);
	if (!b.w)
		return -ENXIO;
	mask = (UINT64_C(1) << b.w->page_shift) - 1;
	if ((p.size & mask) || (p.vaddr & mask))
		return -EINVAL;
	if (!(p.flags & rw))
		return -EINVAL;
	/* W implies R in the TCE (pnv_tce_xchg), so WRITE alone is R|W in hardware. */
	b.perm = (p.flags & VFIO_DMA_MAP_FLAG_WRITE) ? DMAWIN_TCE_READ | DMAWIN_TCE_WRITE
						     : DMAWIN_TCE_READ;
	b.pages = p.size >> b.w->page_shift;
	ret = check_range(c, b.w, p.iova, &b.pages);
	if (ret)
		return ret;
	b.idx = (p.iova >> b.w->page_shift) - b.w->it_offset;
	b.vaddr = p.vaddr;
	generation = dmawin_tce_generation(b.w->tbl);
	ret = c->v2 ? build_v2(&b) : build_v1(&b);
	settle_dma(c, b.w, generation);
	return ret;
}

long vfio_ioctl_unmap(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		      unsigned long arg)
{
	struct vfio_iommu_type1_dma_unmap p;
	const size_t minsz = offsetof(struct vfio_iommu_type1_dma_unmap, size) + sizeof(p.size);
	struct vfio_window *w;
	uint64_t pages, generation;
	int ret;

	(void)caller;
	ret = dma_arg_in(c, arg, &p, minsz, 0);
	if (ret)
		return ret;
	w = vfio_find_window(c, p.iova);
	if (!w)
		return -ENXIO;
	if (p.size & ((UINT64_C(1) << w->page_shift) - 1))
		return -EINVAL;
	pages = p.size >> w->page_shift;
	ret = check_range(c, w, p.iova, &pages);
	if (ret)
		return ret;
	generation = dmawin_tce_generation(w->tbl);
	vfio_clear(c, w, p.iova >> w->page_shift, pages);
	settle_dma(c, w, generation);
	return 0;
}
