/* SPDX-License-Identifier: MIT */
/* ep internals: the endpoint, its ATU and its IOMMU domain (an iova space over a TCE table). */
#ifndef DMAWIN_EP_INT_H
#define DMAWIN_EP_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/compiler.h"
#include "dmawin/ep.h"

struct dmawin_ep {
	struct dmawin_ep_config cfg; /* normalised: defaults filled in */
	uint64_t bar_last;
	uint64_t intgen_last;
	struct dmawin_ep_atu_entry atu[DMAWIN_EP_MAX_ATU_ENTRIES];
	uint64_t exposed_iova[DMAWIN_EP_MAX_ATU_ENTRIES]; /* set by expose(), 0 = none */
	bool exposed[DMAWIN_EP_MAX_ATU_ENTRIES];
	struct dmawin_mem *mem;
	struct dmawin_iova_space *space;
	struct dmawin_tce_table *table;
	const struct dmawin_tce_view *view;
	pthread_mutex_t fault_lock;
	struct dmawin_ep_fault last_fault;
	_Atomic uint64_t reads, writes, bytes_read, bytes_written, faults, irqs;
};

/* One translated piece of a transaction: inside one IOMMU page. */
struct ep_piece {
	void *host;	 /* RAM, or NULL for the interrupt generator */
	uint64_t offset; /* interrupt generator offset */
	size_t len;
};

/* atu.c */
/* The IOVA for PCIe address @pci inside the BAR, and how many bytes from it stay in the same
 * ATU mapping; false when nothing matches. */
bool ep_atu_translate(const struct dmawin_ep *ep, uint64_t pci, uint64_t *iova, uint64_t *room);

#endif
