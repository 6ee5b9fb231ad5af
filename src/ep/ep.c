/* SPDX-License-Identifier: MIT */
/* The endpoint: creation, the TCE page-table backend of its IOVA space, counters. */
#include <errno.h>
#include <stdlib.h>

#include "ep/ep_int.h"

/* The iova page-table ops: a mapping becomes TCEs, an unmap clears them. */
static int ep_pt_map(void *ctx, uint64_t iova, uint64_t phys, uint64_t len, unsigned prot)
{
	struct dmawin_ep *ep = ctx;
	unsigned shift = ep->cfg.page_shift;
	uint64_t index = (iova - ep->cfg.iova_start) >> shift, n = len >> shift, done = 0;
	uint64_t perm = ((prot & DMAWIN_IOVA_READ) ? DMAWIN_TCE_READ : 0) |
			((prot & DMAWIN_IOVA_WRITE) ? DMAWIN_TCE_WRITE : 0);
	uint64_t batch[64];

	while (done < n) {
		uint64_t k = DW_MIN(n - done, (uint64_t)ARRAY_SIZE(batch));
		int rc = 0;
		for (uint64_t j = 0; j < k && !rc; j++)
			rc = dmawin_tce_build(phys + ((done + j) << shift), perm, shift, &batch[j]);
		if (!rc)
			rc = dmawin_tce_put_array(ep->table, index + done, batch, k);
		if (rc) {
			dmawin_tce_clear(ep->table, index, done, 0);
			return rc;
		}
		done += k;
	}
	return 0;
}

static void ep_pt_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	struct dmawin_ep *ep = ctx;
	unsigned shift = ep->cfg.page_shift;

	dmawin_tce_clear(ep->table, (iova - ep->cfg.iova_start) >> shift, len >> shift, 0);
}

static const struct dmawin_iova_pt_ops ep_pt_ops = {ep_pt_map, ep_pt_unmap};

static bool ep_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Whether any byte of [phys, last] is RAM of @mem. */
static bool ep_overlaps_ram(const struct dmawin_mem *mem, uint64_t phys, uint64_t last)
{
	struct dmawin_mem_region_info ri;

	for (unsigned i = 0; !dmawin_mem_region_info(mem, i, &ri); i++)
		if (ri.gpa <= last && ri.gpa + ri.size - 1 >= phys)
			return true;
	return false;
}

static int ep_check_config(struct dmawin_ep_config *c, uint64_t *bar_last, uint64_t *ilast)
{
	uint64_t page, iova_last;

	if (!c->atu_entries)
		c->atu_entries = DMAWIN_EP_DEFAULT_ATU_ENTRIES;
	if (!c->page_shift)
		c->page_shift = 12;
	if (c->atu_entries > DMAWIN_EP_MAX_ATU_ENTRIES ||
	    !dmawin_tce_page_shift_valid(c->page_shift))
		return -EINVAL;
	page = UINT64_C(1) << c->page_shift;
	if (!ep_pow2(c->bar_size) || c->bar_size < 4096 || (c->bar_addr & (c->bar_size - 1)) ||
	    __builtin_add_overflow(c->bar_addr, c->bar_size - 1, bar_last))
		return -EINVAL;
	if (!ep_pow2(c->iova_size) || c->iova_size < page ||
	    c->iova_size > (UINT64_C(1) << DMAWIN_TCE_MAX_WINDOW_SHIFT) ||
	    (c->iova_start & (c->iova_size - 1)) ||
	    __builtin_add_overflow(c->iova_start, c->iova_size - 1, &iova_last))
		return -EINVAL;
	*ilast = 0;
	if (c->intgen_size && ((c->intgen_phys | c->intgen_size) & (page - 1) ||
			       __builtin_add_overflow(c->intgen_phys, c->intgen_size - 1, ilast)))
		return -EINVAL;
	return 0;
}

static int ep_build_domain(struct dmawin_ep *ep)
{
	const struct dmawin_ep_config *c = &ep->cfg;
	struct dmawin_tce_geometry g = {.page_shift = c->page_shift, .window_size = c->iova_size};
	struct dmawin_iova_config ic = {.granule_shift = c->page_shift,
					.start = c->iova_start,
					.last = c->iova_start + c->iova_size - 1};
	int rc = dmawin_tce_create(&g, &ep->table);

	if (rc)
		return rc;
	ep->view = dmawin_tce_view(ep->table);
	rc = dmawin_iova_create(&ic, &ep->space);
	if (!rc)
		rc = dmawin_iova_set_pt_ops(ep->space, &ep_pt_ops, ep);
	return rc;
}

int dmawin_ep_create(const struct dmawin_ep_config *cfg, struct dmawin_mem *mem,
		     struct dmawin_ep **out)
{
	if (!cfg || !mem || !out)
		return -EINVAL;
	struct dmawin_ep_config c = *cfg;
	uint64_t bar_last, ilast;
	int rc = ep_check_config(&c, &bar_last, &ilast);
	if (rc)
		return rc;
	if (c.intgen_size && ep_overlaps_ram(mem, c.intgen_phys, ilast))
		return -EEXIST;

	struct dmawin_ep *ep = calloc(1, sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->cfg = c;
	ep->bar_last = bar_last;
	ep->intgen_last = ilast;
	ep->mem = mem;
	if (pthread_mutex_init(&ep->fault_lock, NULL)) {
		free(ep);
		return -ENOMEM;
	}
	rc = ep_build_domain(ep);
	if (rc) {
		dmawin_ep_destroy(ep);
		return rc;
	}
	*out = ep;
	return 0;
}

void dmawin_ep_destroy(struct dmawin_ep *ep)
{
	if (!ep)
		return;
	dmawin_iova_destroy(ep->space);
	dmawin_tce_destroy(ep->table);
	pthread_mutex_destroy(&ep->fault_lock);
	free(ep);
}

struct dmawin_iova_space *dmawin_ep_iova(struct dmawin_ep *ep)
{
	return ep->space;
}

struct dmawin_tce_table *dmawin_ep_table(struct dmawin_ep *ep)
{
	return ep->table;
}

void dmawin_ep_last_fault(struct dmawin_ep *ep, struct dmawin_ep_fault *fault)
{
	pthread_mutex_lock(&ep->fault_lock);
	*fault = ep->last_fault;
	pthread_mutex_unlock(&ep->fault_lock);
}

void dmawin_ep_get_stats(struct dmawin_ep *ep, struct dmawin_ep_stats *st)
{
	*st = (struct dmawin_ep_stats){
		.reads = atomic_load(&ep->reads),
		.writes = atomic_load(&ep->writes),
		.bytes_read = atomic_load(&ep->bytes_read),
		.bytes_written = atomic_load(&ep->bytes_written),
		.faults = atomic_load(&ep->faults),
		.irqs = atomic_load(&ep->irqs),
	};
}
