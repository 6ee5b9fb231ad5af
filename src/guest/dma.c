/* SPDX-License-Identifier: MIT */
/*
 * The DMA API of the guest (arch/powerpc/kernel/dma-iommu.c and iommu.c): a direct-mapped
 * device costs an addition; any other device allocates IOVAs in its window and writes TCEs.
 */
#include <errno.h>

#include "guest/guest_int.h"

static struct guest_device *usable(struct dmawin_guest *g, unsigned id, int *rc)
{
	if (!g || id >= g->ndev || !g->devs[id]->present) {
		*rc = -ENOENT;
		return NULL;
	}
	struct guest_device *d = g->devs[id];
	if (!d->probed || d->mode == DMAWIN_GUEST_MODE_NONE) {
		*rc = -ENODEV;
		return NULL;
	}
	return d;
}

static uint64_t proto_of(enum dmawin_guest_dir dir)
{
	/* tce_build_pSeriesLP(): always READ, WRITE unless DMA_TO_DEVICE */
	return DMAWIN_PAPR_TCE_READ | (dir == DMAWIN_GUEST_TO_DEVICE ? 0 : DMAWIN_PAPR_TCE_WRITE);
}

static bool bad_range(uint64_t a, uint64_t len)
{
	uint64_t end;
	return len == 0 || __builtin_add_overflow(a, len, &end);
}

/* Does [phys, phys + len) go through the direct window (fast path) or through a table? */
static inline bool goes_direct(const struct guest_device *d, uint64_t phys, uint64_t len)
{
	return d->mode == DMAWIN_GUEST_MODE_DIRECT &&
	       (!d->direct_limit || phys + len <= d->direct_limit);
}

static int direct_map(struct dmawin_guest *g, struct guest_device *d, uint64_t phys, uint64_t len,
		      uint64_t *dma)
{
	uint64_t a, end;
	if (__builtin_add_overflow(phys, d->dma_offset, &a) ||
	    __builtin_add_overflow(a, len, &end) || end > d->direct_end || end - 1 > d->mask) {
		guest_count(g, GUEST_CTR(map_failures), 1);
		return -ERANGE;
	}
	*dma = a;
	guest_count(g, GUEST_CTR(direct_maps), 1);
	guest_count(g, GUEST_CTR(maps), 1);
	return 0;
}

/* iommu_map_page() / one segment of ppc_iommu_map_sg(): allocate, then build the TCEs. */
static int table_map(struct dmawin_guest *g, struct guest_device *d, uint64_t phys, uint64_t len,
		     uint64_t proto, uint64_t *handle, unsigned align_order, uint64_t *dma)
{
	struct guest_table *t = d->tbl;
	if (!t)
		return -ENODEV;
	unsigned shift = t->page_shift;
	uint64_t npages = guest_pages(phys, len, shift);
	uint64_t boundary = (d->cfg.seg_boundary_mask >> shift) + 1;
	int64_t n = guest_range_alloc(t, npages, handle, d->mask >> shift, align_order, boundary);
	if (n < 0) {
		guest_count(g, GUEST_CTR(map_failures), 1);
		return (int)n;
	}
	uint64_t entry = (uint64_t)n + t->offset;
	uint64_t pmask = (1ull << shift) - 1;
	if (guest_tce_build(g, t->liobn, shift, entry, npages, phys & ~pmask, proto)) {
		guest_range_free(t, (uint64_t)n, npages);
		guest_count(g, GUEST_CTR(map_failures), 1);
		return -EIO;
	}
	*dma = (entry << shift) | (phys & pmask);
	guest_count(g, GUEST_CTR(maps), 1);
	return 0;
}

/* The kernel-page alignment iommu_map_page() asks of an IOMMU page smaller than a page. */
static unsigned page_align_order(const struct dmawin_guest *g, const struct guest_table *t,
				 uint64_t phys, uint64_t len)
{
	if (t && t->page_shift < g->cfg.page_shift && len >= g->page_size &&
	    !(phys & (g->page_size - 1)))
		return g->cfg.page_shift - t->page_shift;
	return 0;
}

static int map_one(struct dmawin_guest *g, struct guest_device *d, uint64_t phys, uint64_t len,
		   enum dmawin_guest_dir dir, uint64_t *handle, uint64_t *dma, bool *via_table)
{
	*via_table = !goes_direct(d, phys, len);
	if (!*via_table)
		return direct_map(g, d, phys, len, dma);
	return table_map(g, d, phys, len, proto_of(dir), handle,
			 page_align_order(g, d->tbl, phys, len), dma);
}

static int unmap_one(struct dmawin_guest *g, struct guest_device *d, uint64_t dma, uint64_t len)
{
	if (d->mode == DMAWIN_GUEST_MODE_DIRECT && dma >= d->dma_offset &&
	    (!d->direct_limit || dma - d->dma_offset < d->direct_limit)) {
		if (dma + len > d->direct_end)
			return -ENOENT;
		guest_count(g, GUEST_CTR(unmaps), 1);
		return 0;
	}
	struct guest_table *t = d->tbl;
	if (!t)
		return -ENODEV;
	unsigned shift = t->page_shift;
	uint64_t entry = dma >> shift;
	uint64_t npages = guest_pages(dma, len, shift);
	if (entry < t->offset || !guest_range_is_allocated(t, entry - t->offset, npages))
		return -ENOENT;
	if (guest_tce_free(g, t->liobn, shift, entry, npages))
		return -EIO;
	guest_range_free(t, entry - t->offset, npages);
	guest_count(g, GUEST_CTR(unmaps), 1);
	return 0;
}

static void live_add(struct guest_device *d, int64_t n)
{
	atomic_fetch_add_explicit(&d->live, (uint64_t)n, memory_order_relaxed);
}

int dmawin_guest_map_single(struct dmawin_guest *g, unsigned id, uint64_t phys, uint64_t len,
			    enum dmawin_guest_dir dir, uint64_t *dma)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	if (bad_range(phys, len) || (unsigned)dir > DMAWIN_GUEST_FROM_DEVICE || !dma)
		return -EINVAL;
	bool via_table;
	rc = map_one(g, d, phys, len, dir, NULL, dma, &via_table);
	if (!rc)
		live_add(d, 1);
	return rc;
}

int dmawin_guest_unmap_single(struct dmawin_guest *g, unsigned id, uint64_t dma, uint64_t len,
			      enum dmawin_guest_dir dir)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	(void)dir;
	if (bad_range(dma, len))
		return -EINVAL;
	rc = unmap_one(g, d, dma, len);
	if (!rc)
		live_add(d, -1);
	return rc;
}

static void undo_sg(struct dmawin_guest *g, struct guest_device *d, struct dmawin_guest_sg *sg,
		    size_t upto)
{
	for (size_t j = 0; j < upto; j++) {
		if (sg[j].dma_len && !unmap_one(g, d, sg[j].dma_address, sg[j].dma_len))
			live_add(d, -1);
		sg[j].dma_len = 0;
	}
}

/* ppc_iommu_map_sg(): consecutive entries share the allocation handle, so they usually land
 * next to each other in bus space and merge into one output segment. */
int dmawin_guest_map_sg(struct dmawin_guest *g, unsigned id, struct dmawin_guest_sg *sg, size_t n,
			enum dmawin_guest_dir dir, size_t *nents)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	if (!sg || n == 0 || (unsigned)dir > DMAWIN_GUEST_FROM_DEVICE)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (bad_range(sg[i].phys, sg[i].len))
			return -EINVAL;
	uint64_t handle = 0, dma_next = 0;
	size_t out = 0, count = 0;
	bool prev_table = false;
	for (size_t i = 0; i < n; i++) {
		uint64_t dma;
		bool via_table;
		sg[i].dma_len = 0;
		sg[i].dma_address = 0;
		rc = map_one(g, d, sg[i].phys, sg[i].len, dir, &handle, &dma, &via_table);
		if (rc) {
			undo_sg(g, d, sg, i);
			return rc;
		}
		if (i > 0 && via_table && prev_table && !g->cfg.novmerge && dma == dma_next &&
		    sg[out].dma_len + sg[i].len <= d->cfg.max_seg_size) {
			sg[out].dma_len += sg[i].len;
		} else {
			out = i;
			sg[i].dma_address = dma;
			sg[i].dma_len = sg[i].len;
			live_add(d, 1);
			count++;
		}
		prev_table = via_table;
		dma_next = dma + sg[i].len;
	}
	if (nents)
		*nents = count;
	return 0;
}

int dmawin_guest_unmap_sg(struct dmawin_guest *g, unsigned id, const struct dmawin_guest_sg *sg,
			  size_t n, enum dmawin_guest_dir dir)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	(void)dir;
	if (!sg || n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!sg[i].dma_len)
			continue;
		if (bad_range(sg[i].dma_address, sg[i].dma_len))
			return -EINVAL;
		rc = unmap_one(g, d, sg[i].dma_address, sg[i].dma_len);
		if (rc)
			return rc;
		live_add(d, -1);
	}
	return 0;
}

static unsigned order_of(uint64_t pages)
{
	unsigned o = 0;
	while (o < 63 && (1ull << o) < pages)
		o++;
	return o;
}

int dmawin_guest_alloc_coherent(struct dmawin_guest *g, unsigned id, uint64_t size, uint64_t *phys,
				uint64_t *dma)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	if (!phys || !dma || size == 0 || size > (g->page_size << (GUEST_MAX_ORDER - 1)))
		return -EINVAL;
	size = (size + g->page_size - 1) & ~(g->page_size - 1);
	unsigned order = order_of(size >> g->cfg.page_shift);
	uint64_t p;
	rc = guest_kmem_alloc(g, g->page_size << order, &p);
	if (rc)
		return rc;
	if (goes_direct(d, p, size)) {
		rc = direct_map(g, d, p, size, dma);
	} else if (d->tbl) {
		/* get_iommu_order(): naturally aligned in IOMMU pages */
		unsigned shift = d->tbl->page_shift;
		uint64_t io = (size - 1) >> shift;
		unsigned io_order = io ? 64 - (unsigned)__builtin_clzll(io) : 0;
		rc = table_map(g, d, p, size, proto_of(DMAWIN_GUEST_BIDIRECTIONAL), NULL, io_order,
			       dma);
	} else {
		rc = -ENODEV;
	}
	if (rc) {
		guest_kmem_free(g, p);
		return rc;
	}
	live_add(d, 1);
	*phys = p;
	return 0;
}

/* The machine's TCE for @dma points at @phys (read through the device-side view, no hcall). */
static bool maps_to(struct dmawin_guest *g, const struct guest_table *t, uint64_t dma,
		    uint64_t phys)
{
	uint64_t start = t->offset << t->page_shift;
	struct dmawin_papr_xlate x;
	if (dma < start || dmawin_papr_xlate(g->m, t->liobn, dma - start, &x) || !x.perm)
		return false;
	return x.translated_addr == (phys & ~((1ull << t->page_shift) - 1));
}

int dmawin_guest_free_coherent(struct dmawin_guest *g, unsigned id, uint64_t size, uint64_t phys,
			       uint64_t dma)
{
	int rc = 0;
	struct guest_device *d = usable(g, id, &rc);
	if (!d)
		return rc;
	if (size == 0 || size > (g->page_size << (GUEST_MAX_ORDER - 1)))
		return -EINVAL;
	size = (size + g->page_size - 1) & ~(g->page_size - 1);
	struct dmawin_iova_area a;
	if (dmawin_iova_find(g->kmem, phys, &a) || a.kind != DMAWIN_IOVA_ALLOCATED ||
	    a.start != phys || a.len != g->page_size << order_of(size >> g->cfg.page_shift) ||
	    phys == g->list_gpa)
		return -ENOENT;
	if (goes_direct(d, phys, size)) {
		if (dma != phys + d->dma_offset)
			return -ENOENT;
	} else if (!d->tbl || !maps_to(g, d->tbl, dma, phys)) {
		return -ENOENT;
	}
	rc = unmap_one(g, d, dma, size);
	if (rc)
		return rc;
	live_add(d, -1);
	return guest_kmem_free(g, phys);
}
