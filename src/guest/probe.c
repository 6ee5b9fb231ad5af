/* SPDX-License-Identifier: MIT */
/*
 * Boot, device probe (dma_set_mask → dma_iommu_dma_supported → iommu_bypass_supported), hot
 * unplug of devices and PHBs, and memory hotplug of direct windows.
 */
#include <errno.h>

#include "guest/guest_int.h"

static uint64_t mask_of(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

/* dma_iommu_dma_supported(): the window a device with @bits may use; mode NONE = refused. */
static int set_mask(struct dmawin_guest *g, struct guest_device *d, unsigned bits)
{
	struct guest_phb *p = d->phb;
	uint64_t mask = mask_of(bits);
	bool direct = false;
	int rc = -ENODEV;
	/* iommu_bypass_supported_pSeriesLP(): Linux 6.1 asks for a DDW only with a full 64-bit
	 * mask, 2025 kernels with any mask above 32 bits (limited addressing below 64) */
	bool ask = bits >= 64 || (g->cfg.ddw_for_masks_above_32 && bits > 32);
	if (!g->cfg.disable_ddw && ask)
		rc = guest_enable_ddw(g, d, bits, &direct);
	d->direct_limit = 0;
	if (rc == 0 && direct) {
		const struct guest_ddw *w = &p->ddw;
		unsigned max_ram_len = 0;
		while (max_ram_len < 64 && (1ull << max_ram_len) < g->max_ram_top)
			max_ram_len++;
		d->mode = DMAWIN_GUEST_MODE_DIRECT;
		d->dma_offset = w->start;
		d->direct_end = w->start + (1ull << w->window_shift);
		/* ibm,pmemory not covered: only RAM goes direct, the rest through the default
		 * window */
		if (g->cfg.pmem_present && w->window_shift == max_ram_len)
			d->direct_limit = 1ull << w->window_shift;
		d->tbl = p->tbl0;
		d->mask = mask;
		d->mask_bits = bits;
		return 0;
	}
	struct guest_table *t = rc == 0 ? p->ddw.tbl : p->tbl0;
	if (!t || t->offset > (mask >> t->page_shift))
		return -EIO; /* "table unavailable" / "IOMMU offset too big for device mask" */
	d->mode = rc == 0 ? DMAWIN_GUEST_MODE_DDW_TABLE : DMAWIN_GUEST_MODE_DEFAULT;
	d->tbl = t;
	d->mask = mask;
	d->mask_bits = bits;
	return 0;
}

int dmawin_guest_probe(struct dmawin_guest *g, unsigned id)
{
	if (!g || id >= g->ndev || !g->devs[id]->present)
		return -ENOENT;
	struct guest_device *d = g->devs[id];
	if (!g->booted || !d->phb->present)
		return -EAGAIN;
	if (d->probed)
		return -EALREADY;
	if (!d->phb->tbl0 && !d->phb->default_removed) {
		int rc = guest_setup_phb(g, d->phb); /* a PHB plugged after boot */
		if (rc)
			return rc;
	}
	d->probed = true;
	int rc = set_mask(g, d, d->cfg.dma_mask_bits);
	if (rc)
		d->mode = DMAWIN_GUEST_MODE_NONE;
	return rc;
}

int dmawin_guest_boot(struct dmawin_guest *g)
{
	if (!g)
		return -EINVAL;
	if (g->booted)
		return -EALREADY;
	g->max_ram_top = guest_hotplug_max(g);
	g->multitce = !g->cfg.multitce_off && g->nphbs && g->phbs[0].dt.hcall_multi_tce;
	for (unsigned i = 0; i < g->nphbs; i++) {
		int rc = guest_setup_phb(g, &g->phbs[i]);
		if (rc)
			return rc;
	}
	g->booted = true;
	for (unsigned i = 0; i < g->ndev; i++)
		if (g->devs[i]->present && !g->devs[i]->probed)
			dmawin_guest_probe(g, i);
	return 0;
}

int dmawin_guest_set_dma_mask(struct dmawin_guest *g, unsigned id, unsigned bits)
{
	if (!g || id >= g->ndev || !g->devs[id]->present)
		return -ENOENT;
	if (bits < 32 || bits > 64)
		return -EINVAL;
	struct guest_device *d = g->devs[id];
	if (!d->probed)
		return -EAGAIN;
	if (atomic_load(&d->live))
		return -EBUSY;
	struct guest_device saved = *d;
	int rc = set_mask(g, d, bits);
	if (rc) {
		d->mode = saved.mode;
		d->tbl = saved.tbl;
		d->mask = saved.mask;
		d->mask_bits = saved.mask_bits;
		d->dma_offset = saved.dma_offset;
		d->direct_limit = saved.direct_limit;
		d->direct_end = saved.direct_end;
	}
	return rc;
}

int dmawin_guest_device_remove(struct dmawin_guest *g, unsigned id)
{
	if (!g || id >= g->ndev || !g->devs[id]->present)
		return -ENOENT;
	struct guest_device *d = g->devs[id];
	if (atomic_load(&d->live))
		return -EBUSY;
	d->present = false;
	d->probed = false;
	d->mode = DMAWIN_GUEST_MODE_NONE;
	d->tbl = NULL;
	return 0;
}

int dmawin_guest_phb_remove(struct dmawin_guest *g, uint32_t phb_index)
{
	struct guest_phb *p = g ? guest_phb_by_index(g, phb_index) : NULL;
	if (!p || !p->present)
		return -ENODEV;
	for (unsigned i = 0; i < g->ndev; i++)
		if (g->devs[i]->present && g->devs[i]->phb == p)
			return -EBUSY;
	int rc = guest_remove_ddw(g, p);
	guest_table_destroy(p->tbl0);
	p->tbl0 = NULL;
	p->ddw_failed = false;
	p->default_removed = false;
	p->present = false;
	return rc;
}

int dmawin_guest_phb_setup(struct dmawin_guest *g, uint32_t phb_index)
{
	struct guest_phb *p = g ? guest_phb_by_index(g, phb_index) : NULL;
	if (!p)
		return -ENODEV;
	if (!g->booted)
		return -EAGAIN;
	if (p->tbl0 || p->ddw.present)
		return -EBUSY;
	p->present = true;
	p->ddw_failed = false;
	return guest_setup_phb(g, p);
}

static int check_range(struct dmawin_guest *g, uint64_t gpa, uint64_t size)
{
	uint64_t end;
	if (size == 0 || ((gpa | size) & (g->page_size - 1)) ||
	    __builtin_add_overflow(gpa, size, &end))
		return -EINVAL;
	return 0;
}

/* ddw_memory_notifier(): map or clear a range in every direct window. */
static int memory_notify(struct dmawin_guest *g, uint64_t gpa, uint64_t size, bool online)
{
	int rc = check_range(g, gpa, size);
	if (rc)
		return rc;
	uint64_t ps;
	if (online && dmawin_mem_page_size(g->mem, gpa, size, &ps))
		return -EFAULT;
	int ret = 0;
	for (unsigned i = 0; i < g->nphbs; i++) {
		const struct guest_ddw *w = &g->phbs[i].ddw;
		if (!w->present || !w->direct)
			continue;
		rc = online ? guest_tce_setrange(g, w, gpa, size)
			    : guest_tce_clearrange(g, w, gpa, size);
		if (rc && online)
			guest_tce_clearrange(g, w, gpa, size);
		if (rc)
			ret = -EIO;
	}
	return ret;
}

int dmawin_guest_memory_online(struct dmawin_guest *g, uint64_t gpa, uint64_t size)
{
	return g ? memory_notify(g, gpa, size, true) : -EINVAL;
}

int dmawin_guest_memory_offline(struct dmawin_guest *g, uint64_t gpa, uint64_t size)
{
	return g ? memory_notify(g, gpa, size, false) : -EINVAL;
}
