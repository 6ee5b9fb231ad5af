/* SPDX-License-Identifier: MIT */
/*
 * papr-over-vfio: a VFIO container as the backend of an emulated sPAPR PHB, as QEMU's
 * hw/vfio/spapr.c + the IOMMU listener do for a VFIO device. The guest's hcalls raise papr
 * notifier events; this adapter turns them into container requests:
 *   WINDOW_ADD -> TCE_CREATE (and REMOVE again if the host placed it elsewhere),
 *   WINDOW_DEL -> TCE_REMOVE,
 *   MAP        -> MAP_DMA of the guest page's host address at the same bus address,
 *   UNMAP      -> UNMAP_DMA.
 * It lives in tests/ because vfio and papr are siblings in the layering (both on pe and mem):
 * neither may include the other, and only code above both (a test, sim, a VMM) may join them.
 */
#ifndef DMAWIN_TESTS_VFIO_PAPR_BACKEND_H
#define DMAWIN_TESTS_VFIO_PAPR_BACKEND_H

#include "dmawin/papr.h"
#include "dmawin/vfio.h"

struct papr_vfio_backend {
	struct dmawin_papr *machine;
	struct dmawin_vfio_container *c;
	uint32_t phb_index;
	unsigned long maps, unmaps, windows;
	long last_error; /* the first container error seen (0 if none) */
	int notifier_id;
};

/*
 * Prepare @c (a v2 container with the host group attached) for machine @m's PHB @phb_index:
 * register all guest RAM, drop the container's default window, create a host window for every
 * enabled guest window, then follow the guest through the notifier.
 * Return: 0 or the first negative errno.
 */
int papr_vfio_backend_init(struct papr_vfio_backend *b, struct dmawin_papr *m, uint32_t phb_index,
			   struct dmawin_vfio_container *c);
void papr_vfio_backend_fini(struct papr_vfio_backend *b);

#endif
