/* SPDX-License-Identifier: MIT */
/*
 * The model kernel's own pages of guest RAM: the per-CPU TCE list page of
 * H_PUT_TCE_INDIRECT and the buffers of dma_alloc_coherent(). An iova space serves as the page
 * allocator (bottom-up, power-of-two sizes naturally aligned, as alloc_pages() of an order).
 */
#include <errno.h>
#include <string.h>

#include "guest/guest_int.h"

int guest_kmem_init(struct dmawin_guest *g)
{
	uint64_t start = g->cfg.kmem_start, size = g->cfg.kmem_size;
	if (size == 0) {
		struct dmawin_mem_region_info ri;
		if (dmawin_mem_region_count(g->mem) == 0 || dmawin_mem_region_info(g->mem, 0, &ri))
			return -EINVAL;
		size = ri.size >= (16ull << 20) ? 8ull << 20 : (ri.size / 2) & ~(g->page_size - 1);
		start = ri.gpa + ri.size - size;
	}
	uint64_t end;
	if (size < 2 * g->page_size || (start | size) & (g->page_size - 1) ||
	    __builtin_add_overflow(start, size, &end))
		return -EINVAL;
	void *host;
	if (dmawin_mem_translate(g->mem, start, size, &host))
		return -EINVAL;
	g->cfg.kmem_start = start;
	g->cfg.kmem_size = size;
	struct dmawin_iova_config ic = {
		.granule_shift = g->cfg.page_shift, .start = start, .last = end - 1};
	int rc = dmawin_iova_create(&ic, &g->kmem);
	if (rc)
		return rc;
	rc = guest_kmem_alloc(g, g->page_size, &g->list_gpa);
	if (!rc)
		rc = dmawin_mem_translate(g->mem, g->list_gpa, 4096, &host);
	if (rc)
		return rc == -ENOSPC ? -EINVAL : rc;
	g->list_host = host;
	return 0;
}

/* A zeroed block of @size bytes (a power-of-two number of kernel pages). */
int guest_kmem_alloc(struct dmawin_guest *g, uint64_t size, uint64_t *gpa)
{
	int rc = dmawin_iova_alloc(g->kmem, size, 0, DMAWIN_IOVA_LAST_ANY, DMAWIN_IOVA_BOTTOM_UP,
				   gpa);
	if (rc)
		return rc == -ENOSPC ? -ENOMEM : rc;
	void *host;
	rc = dmawin_mem_translate(g->mem, *gpa, size, &host);
	if (rc) {
		dmawin_iova_free(g->kmem, *gpa, 0);
		return rc;
	}
	memset(host, 0, size);
	return 0;
}

int guest_kmem_free(struct dmawin_guest *g, uint64_t gpa)
{
	return dmawin_iova_free(g->kmem, gpa, 0);
}
