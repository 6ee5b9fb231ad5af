/* SPDX-License-Identifier: MIT */
/* The ATU: PCIe address -> IOVA, and exposing scattered buffers through one entry. */
#include <errno.h>

#include "ep/ep_int.h"

static bool ep_atu_overlap(const struct dmawin_ep *ep, unsigned skip,
			   const struct dmawin_ep_atu_entry *e)
{
	uint64_t last = e->pci_addr + e->size - 1;

	for (unsigned i = 0; i < ep->cfg.atu_entries; i++) {
		const struct dmawin_ep_atu_entry *o = &ep->atu[i];
		if (i == skip || o->match != e->match)
			continue;
		if (e->match == DMAWIN_EP_ATU_BAR)
			return true;
		if (o->pci_addr <= last && o->pci_addr + o->size - 1 >= e->pci_addr)
			return true;
	}
	return false;
}

int dmawin_ep_atu_set(struct dmawin_ep *ep, unsigned index, const struct dmawin_ep_atu_entry *e)
{
	uint64_t last;

	if (!e || (e->match != DMAWIN_EP_ATU_OFF && e->match != DMAWIN_EP_ATU_BAR &&
		   e->match != DMAWIN_EP_ATU_ADDR))
		return -EINVAL;
	if (e->match == DMAWIN_EP_ATU_ADDR &&
	    (!e->size || __builtin_add_overflow(e->pci_addr, e->size - 1, &last)))
		return -EINVAL;
	if (index >= ep->cfg.atu_entries)
		return -ERANGE;
	if (e->match != DMAWIN_EP_ATU_OFF && ep_atu_overlap(ep, index, e))
		return -EEXIST;
	ep->atu[index] = *e;
	if (e->match == DMAWIN_EP_ATU_BAR)
		ep->atu[index].size = ep->cfg.bar_size;
	ep->exposed[index] = false;
	return 0;
}

int dmawin_ep_atu_get(const struct dmawin_ep *ep, unsigned index, struct dmawin_ep_atu_entry *e)
{
	if (!e)
		return -EINVAL;
	if (index >= ep->cfg.atu_entries)
		return -ERANGE;
	*e = ep->atu[index];
	return 0;
}

/* ADDR windows first (the narrower match), then the BAR entry, then passthrough. */
bool ep_atu_translate(const struct dmawin_ep *ep, uint64_t pci, uint64_t *iova, uint64_t *room)
{
	const struct dmawin_ep_atu_entry *bar = NULL;

	for (unsigned i = 0; i < ep->cfg.atu_entries; i++) {
		const struct dmawin_ep_atu_entry *e = &ep->atu[i];
		if (e->match == DMAWIN_EP_ATU_BAR)
			bar = e;
		if (e->match != DMAWIN_EP_ATU_ADDR || pci < e->pci_addr ||
		    pci - e->pci_addr >= e->size)
			continue;
		*iova = e->iova + (pci - e->pci_addr);
		*room = e->size - (pci - e->pci_addr);
		return true;
	}
	uint64_t off = pci - ep->cfg.bar_addr;
	if (bar) {
		*iova = bar->iova + off;
		*room = ep->cfg.bar_size - off;
		return true;
	}
	if (ep->cfg.atu_passthrough) {
		*iova = pci;
		*room = ep->cfg.bar_size - off;
		return true;
	}
	return false;
}

static int ep_expose_checks(struct dmawin_ep *ep, unsigned index, enum dmawin_ep_atu_match match,
			    const struct dmawin_iova_sg *bufs, size_t n, uint64_t *total)
{
	uint64_t sum = 0;

	if (match != DMAWIN_EP_ATU_BAR && match != DMAWIN_EP_ATU_ADDR)
		return -EINVAL;
	if (!bufs || !n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!bufs[i].len || __builtin_add_overflow(sum, bufs[i].len, &sum))
			return -EINVAL;
	if (match == DMAWIN_EP_ATU_BAR && sum > ep->cfg.bar_size)
		return -EINVAL;
	if (index >= ep->cfg.atu_entries)
		return -ERANGE;
	if (ep->atu[index].match != DMAWIN_EP_ATU_OFF)
		return -EBUSY;
	*total = sum;
	return 0;
}

int dmawin_ep_expose(struct dmawin_ep *ep, unsigned index, enum dmawin_ep_atu_match match,
		     uint64_t pci_addr, const struct dmawin_iova_sg *bufs, size_t n, unsigned prot,
		     struct dmawin_ep_exposure *out)
{
	uint64_t total, iova;
	struct dmawin_iova_area area;
	int rc = ep_expose_checks(ep, index, match, bufs, n, &total);

	if (rc)
		return rc;
	if (total & ((UINT64_C(1) << ep->cfg.page_shift) - 1))
		return -EINVAL;
	rc = dmawin_iova_alloc(ep->space, total, 0, DMAWIN_IOVA_LAST_ANY, 0, &iova);
	if (rc)
		return rc;
	rc = dmawin_iova_map_sg(ep->space, iova, bufs, n, prot);
	if (!rc) {
		struct dmawin_ep_atu_entry e = {match, pci_addr, total, iova};
		rc = dmawin_ep_atu_set(ep, index, &e);
	}
	if (rc) {
		dmawin_iova_free(ep->space, iova, DMAWIN_IOVA_FORCE);
		return rc;
	}
	ep->exposed[index] = true;
	ep->exposed_iova[index] = iova;
	dmawin_iova_find(ep->space, iova, &area);
	if (out)
		*out = (struct dmawin_ep_exposure){iova, total, area.len, index};
	return 0;
}

int dmawin_ep_unexpose(struct dmawin_ep *ep, unsigned index)
{
	if (index >= ep->cfg.atu_entries)
		return -ERANGE;
	if (ep->atu[index].match == DMAWIN_EP_ATU_OFF || !ep->exposed[index])
		return -ENOENT;
	int rc = dmawin_iova_free(ep->space, ep->exposed_iova[index], DMAWIN_IOVA_FORCE);
	if (rc)
		return rc;
	ep->atu[index] = (struct dmawin_ep_atu_entry){0};
	ep->exposed[index] = false;
	return 0;
}
