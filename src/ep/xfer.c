/* SPDX-License-Identifier: MIT */
/*
 * Host-side transactions: BAR -> ATU -> IOMMU (TCE) -> RAM or the interrupt generator.
 * Every piece is translated before any byte moves, so a fault leaves memory untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ep/ep_int.h"

static int ep_fault(struct dmawin_ep *ep, const struct dmawin_ep_fault *f)
{
	atomic_fetch_add(&ep->faults, 1);
	pthread_mutex_lock(&ep->fault_lock);
	ep->last_fault = *f;
	pthread_mutex_unlock(&ep->fault_lock);
	switch (f->reason) {
	case DMAWIN_EP_FAULT_NO_BAR:
	case DMAWIN_EP_FAULT_NO_ATU:
		return -ENXIO;
	case DMAWIN_EP_FAULT_PERM:
		return -EACCES;
	default:
		return -EFAULT;
	}
}

/* IOMMU and memory step for one piece starting at @iova, at most @room bytes. */
static int ep_iommu(struct dmawin_ep *ep, bool write, uint64_t iova, uint64_t room,
		    struct ep_piece *p, struct dmawin_ep_fault *f)
{
	uint64_t page = UINT64_C(1) << ep->cfg.page_shift, tce;
	uint64_t need = write ? DMAWIN_TCE_WRITE : DMAWIN_TCE_READ;

	f->iova = iova;
	if (iova < ep->cfg.iova_start ||
	    !dmawin_tce_view_lookup(ep->view, iova - ep->cfg.iova_start, &tce) ||
	    !dmawin_tce_mapped(tce)) {
		f->reason = DMAWIN_EP_FAULT_IOMMU;
		return -1;
	}
	if (!(tce & need)) {
		f->reason = DMAWIN_EP_FAULT_PERM;
		return -1;
	}
	uint64_t in_page = iova & (page - 1);
	uint64_t phys = dmawin_tce_addr(tce, ep->cfg.page_shift) + in_page;
	p->len = (size_t)DW_MIN(room, page - in_page);
	p->host = NULL;
	if (ep->cfg.intgen_size && phys >= ep->cfg.intgen_phys && phys <= ep->intgen_last) {
		p->offset = phys - ep->cfg.intgen_phys;
		return 0;
	}
	if (dmawin_mem_translate(ep->mem, phys, p->len, &p->host)) {
		f->reason = DMAWIN_EP_FAULT_MEMORY;
		f->phys = phys;
		return -1;
	}
	return 0;
}

/* Translate [pci, pci + len) into pieces; returns the count or -1 with *f filled. */
static long ep_translate(struct dmawin_ep *ep, bool write, uint64_t pci, size_t len,
			 struct ep_piece *pieces, struct dmawin_ep_fault *f)
{
	long n = 0;

	for (size_t done = 0; done < len; n++) {
		uint64_t at = pci + done, iova, room;
		*f = (struct dmawin_ep_fault){.write = write, .pci_addr = at};
		if (at < ep->cfg.bar_addr || at > ep->bar_last) {
			f->reason = DMAWIN_EP_FAULT_NO_BAR;
			return -1;
		}
		if (!ep_atu_translate(ep, at, &iova, &room)) {
			f->reason = DMAWIN_EP_FAULT_NO_ATU;
			return -1;
		}
		room = DW_MIN(room, ep->bar_last - at + 1);
		if (ep_iommu(ep, write, iova, DW_MIN(room, (uint64_t)(len - done)), &pieces[n], f))
			return -1;
		done += pieces[n].len;
	}
	return n;
}

static void ep_intgen_write(struct dmawin_ep *ep, const struct ep_piece *p, const uint8_t *src)
{
	uint32_t value = 0;

	for (size_t i = 0; i < p->len && i < sizeof(value); i++)
		value |= (uint32_t)src[i] << (8 * i);
	atomic_fetch_add(&ep->irqs, 1);
	if (ep->cfg.irq)
		ep->cfg.irq(ep->cfg.irq_ctx, p->offset, value);
}

static int ep_xfer(struct dmawin_ep *ep, bool write, uint64_t pci, void *buf, size_t len)
{
	uint64_t last;
	struct ep_piece stack[16], *pieces = stack;
	struct dmawin_ep_fault f;

	if ((!buf && len) || (len && __builtin_add_overflow(pci, len - 1, &last)))
		return -EINVAL;
	if (!len)
		return 0;
	/* Pieces end at page boundaries and at ATU window ends: one per page, plus the first,
	 * plus one per ATU entry. */
	size_t max = (size_t)(len >> ep->cfg.page_shift) + 2 + ep->cfg.atu_entries;
	if (max > ARRAY_SIZE(stack) && !(pieces = malloc(max * sizeof(*pieces))))
		return -ENOMEM;
	long n = ep_translate(ep, write, pci, len, pieces, &f);
	int rc = n < 0 ? ep_fault(ep, &f) : 0;
	uint8_t *b = buf;
	for (long i = 0; i < n; b += pieces[i].len, i++) {
		if (pieces[i].host && write)
			memcpy(pieces[i].host, b, pieces[i].len);
		else if (pieces[i].host)
			memcpy(b, pieces[i].host, pieces[i].len);
		else if (write)
			ep_intgen_write(ep, &pieces[i], b);
		else
			memset(b, 0, pieces[i].len);
	}
	if (!rc) {
		atomic_fetch_add(write ? &ep->writes : &ep->reads, 1);
		atomic_fetch_add(write ? &ep->bytes_written : &ep->bytes_read, len);
	}
	if (pieces != stack)
		free(pieces);
	return rc;
}

int dmawin_ep_pcie_write(struct dmawin_ep *ep, uint64_t pci_addr, const void *buf, size_t len)
{
	/* The buffer is only read on this path; ep_xfer shares the code with reads. */
	union {
		const void *c;
		void *m;
	} u = {.c = buf};
	return ep_xfer(ep, true, pci_addr, u.m, len);
}

int dmawin_ep_pcie_read(struct dmawin_ep *ep, uint64_t pci_addr, void *buf, size_t len)
{
	return ep_xfer(ep, false, pci_addr, buf, len);
}
