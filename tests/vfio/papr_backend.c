/* SPDX-License-Identifier: MIT */
/* papr-over-vfio adapter: see papr_backend.h. */
#include <errno.h>
#include <linux/vfio.h>
#include <string.h>

#include "papr_backend.h"

static void note(struct papr_vfio_backend *b, long ret)
{
	if (ret && !b->last_error)
		b->last_error = ret;
}

/* QEMU vfio_spapr_create_window: the host must place the window where the guest has it. */
static long host_window_add(struct papr_vfio_backend *b, uint64_t bus_offset, uint32_t page_shift,
			    uint64_t size)
{
	struct vfio_iommu_spapr_tce_create cr;
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm)};
	long ret;

	memset(&cr, 0, sizeof(cr));
	cr.argsz = sizeof(cr);
	cr.page_shift = page_shift;
	cr.window_size = size;
	cr.levels = 1;
	ret = dmawin_vfio_ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr);
	/* QEMU retries with one more level when the table is too big for one */
	while (ret == -EINVAL && cr.levels < 2) {
		cr.levels++;
		ret = dmawin_vfio_ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr);
	}
	if (ret)
		return ret;
	if (cr.start_addr != bus_offset) { /* "Host doesn't support DMA window at ..." */
		rm.start_addr = cr.start_addr;
		dmawin_vfio_ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm);
		return -EINVAL;
	}
	b->windows++;
	return 0;
}

static long host_window_del(struct papr_vfio_backend *b, uint64_t bus_offset)
{
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm), .start_addr = bus_offset};

	return dmawin_vfio_ioctl(b->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm);
}

static long host_map(struct papr_vfio_backend *b, const struct dmawin_papr_event *ev)
{
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m)};
	uint64_t size = ev->addr_mask + 1;
	void *host;

	if (dmawin_mem_translate(dmawin_papr_mem(b->machine), ev->translated_addr, size, &host))
		return -EFAULT; /* not guest RAM: QEMU would not find a RAM section either */
	m.flags = ((ev->perm & DMAWIN_PAPR_TCE_READ) ? VFIO_DMA_MAP_FLAG_READ : 0) |
		  ((ev->perm & DMAWIN_PAPR_TCE_WRITE) ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	m.vaddr = (uint64_t)(uintptr_t)host;
	m.iova = ev->bus_offset + ev->iova;
	m.size = size;
	b->maps++;
	return dmawin_vfio_ioctl(b->c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m);
}

static long host_unmap(struct papr_vfio_backend *b, const struct dmawin_papr_event *ev)
{
	struct vfio_iommu_type1_dma_unmap u;

	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = ev->bus_offset + ev->iova;
	u.size = ev->addr_mask + 1;
	b->unmaps++;
	return dmawin_vfio_ioctl(b->c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u);
}

/* The papr notifier callback: runs under the machine's mutex, calls only the container. */
static void notify(void *opaque, const struct dmawin_papr_event *ev)
{
	struct papr_vfio_backend *b = opaque;

	if (ev->phb_index != b->phb_index)
		return;
	switch (ev->type) {
	case DMAWIN_PAPR_EV_MAP:
		note(b, host_map(b, ev));
		break;
	case DMAWIN_PAPR_EV_UNMAP:
		note(b, host_unmap(b, ev));
		break;
	case DMAWIN_PAPR_EV_WINDOW_ADD:
		note(b, host_window_add(b, ev->bus_offset, ev->page_shift, ev->window_size));
		break;
	case DMAWIN_PAPR_EV_WINDOW_DEL:
		note(b, host_window_del(b, ev->bus_offset));
		break;
	}
}

static long register_ram(struct papr_vfio_backend *b)
{
	struct dmawin_mem *mem = dmawin_papr_mem(b->machine);
	unsigned n = dmawin_mem_region_count(mem);

	for (unsigned i = 0; i < n; i++) {
		struct vfio_iommu_spapr_register_memory r = {.argsz = sizeof(r)};
		struct dmawin_mem_region_info info;
		long ret;

		dmawin_mem_region_info(mem, i, &info);
		r.vaddr = (uint64_t)(uintptr_t)info.host;
		r.size = info.size;
		ret = dmawin_vfio_ioctl(b->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&r);
		if (ret)
			return ret;
	}
	return 0;
}

int papr_vfio_backend_init(struct papr_vfio_backend *b, struct dmawin_papr *m, uint32_t phb_index,
			   struct dmawin_vfio_container *c)
{
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm), .start_addr = 0};
	long ret;

	memset(b, 0, sizeof(*b));
	b->machine = m;
	b->c = c;
	b->phb_index = phb_index;
	ret = register_ram(b);
	/* QEMU v2: drop the pending default window at once, then mirror the guest's windows */
	if (!ret)
		ret = dmawin_vfio_ioctl(c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm);
	for (uint32_t slot = 0; !ret && slot < DMAWIN_PAPR_MAX_WINDOWS; slot++) {
		struct dmawin_papr_window_info wi;

		if (dmawin_papr_window_info(m, DMAWIN_PAPR_LIOBN(phb_index, slot), &wi) == 0 &&
		    wi.enabled)
			ret = host_window_add(b, wi.bus_offset, wi.page_shift, wi.size);
	}
	if (!ret)
		ret = dmawin_papr_notifier_add(m, notify, b, &b->notifier_id);
	return (int)ret;
}

void papr_vfio_backend_fini(struct papr_vfio_backend *b)
{
	dmawin_papr_notifier_remove(b->machine, b->notifier_id);
}
