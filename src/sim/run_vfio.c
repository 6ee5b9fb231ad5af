/* SPDX-License-Identifier: MIT */
/*
 * Passed-through devices: for each PHB with a VFIO device the run builds the host side QEMU
 * talks to (a PowerNV PHB and PE from the pe layer, a v2 sPAPR container from the vfio layer
 * with all guest RAM preregistered) and mirrors the guest's IOMMU into it through the papr
 * notifier, as QEMU's VFIO listener does: a guest window becomes a host window at the same bus
 * address (or the host refuses, seed 000), every TCE the guest writes becomes a MAP_DMA or
 * UNMAP_DMA. The physical device then does DMA through the host PE's tables, not the emulated
 * ones. papr and vfio are siblings in the layering; sim, above both, is where they meet.
 */
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/pe.h"
#include "dmawin/vfio.h"
#include "sim/sim_run.h"

struct sim_host {
	uint32_t phb_index;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
	struct dmawin_vfio_container *c;
	/* Consecutive UNMAP events (an H_STUFF_TCE of 262144 entries at boot) become one
	 * UNMAP_DMA of the whole run, flushed before anything can observe the host table. */
	uint64_t unmap_start, unmap_size;
	struct dmawin_pe_dev *dev; /* the passed-through functions' DMA engine */
	long first_error;
	char error[DMAWIN_SIM_TEXT_MAX];
};

static long ioctl_c(struct sim_host *h, unsigned long req, void *arg)
{
	return dmawin_vfio_ioctl(h->c, req, (unsigned long)(uintptr_t)arg);
}

static void host_error(struct sim_run *run, struct sim_host *h, long ret, const char *what)
{
	if (run->current)
		run->current->map_failures++;
	if (h->first_error)
		return;
	h->first_error = ret;
	snprintf(h->error, sizeof(h->error), "host %s failed: %s", what, strerror((int)-ret));
}

/* QEMU's vfio_spapr_create_window: the host window must start where the guest's does. */
static long host_window_add(struct sim_host *h, uint64_t start, unsigned page_shift, uint64_t size)
{
	struct vfio_iommu_spapr_tce_create cr = {
		.argsz = sizeof(cr), .page_shift = page_shift, .window_size = size, .levels = 1};
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm)};
	long ret;

	/* a table too big for one level needs more: try as few as the host accepts */
	while ((ret = ioctl_c(h, VFIO_IOMMU_SPAPR_TCE_CREATE, &cr)) == -EINVAL && cr.levels < 5)
		cr.levels++;
	if (ret)
		return ret;
	if (cr.start_addr != start) {
		rm.start_addr = cr.start_addr;
		ioctl_c(h, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
		snprintf(h->error, sizeof(h->error),
			 "host doesn't support DMA window at 0x%llx, must be 0x%llx",
			 (unsigned long long)start, (unsigned long long)cr.start_addr);
		return -EXDEV;
	}
	return 0;
}

static long host_map(struct sim_run *run, struct sim_host *h, const struct dmawin_papr_event *ev)
{
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m)};
	void *host;

	if (dmawin_mem_translate(run->mem, ev->translated_addr, ev->addr_mask + 1, &host) < 0)
		return -EFAULT;
	m.flags = (ev->perm & DMAWIN_PAPR_TCE_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
		  (ev->perm & DMAWIN_PAPR_TCE_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	m.vaddr = (uint64_t)(uintptr_t)host;
	m.iova = ev->bus_offset + ev->iova;
	m.size = ev->addr_mask + 1;
	return ioctl_c(h, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap_flush(struct sim_host *h)
{
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u)};

	if (!h->unmap_size)
		return 0;
	u.iova = h->unmap_start;
	u.size = h->unmap_size;
	h->unmap_size = 0;
	return ioctl_c(h, VFIO_IOMMU_UNMAP_DMA, &u);
}

static long host_unmap(struct sim_host *h, const struct dmawin_papr_event *ev)
{
	uint64_t iova = ev->bus_offset + ev->iova;
	long ret = 0;

	if (h->unmap_size && h->unmap_start + h->unmap_size == iova) {
		h->unmap_size += ev->addr_mask + 1;
		return 0;
	}
	ret = unmap_flush(h);
	h->unmap_start = iova;
	h->unmap_size = ev->addr_mask + 1;
	return ret;
}

void sim_vfio_flush(struct sim_run *run)
{
	for (uint32_t i = 0; i < run->nr_hosts; i++) {
		long ret = unmap_flush(&run->hosts[i]);

		if (ret)
			host_error(run, &run->hosts[i], ret, "UNMAP_DMA");
	}
}

/* Runs under the machine's mutex (papr notifier): calls only the container. */
void sim_vfio_event(struct sim_run *run, const struct dmawin_papr_event *ev)
{
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm), .start_addr = ev->bus_offset};
	struct sim_host *h = sim_vfio_host(run, ev->phb_index);
	long ret = 0;

	if (!h)
		return;
	if (ev->type != DMAWIN_PAPR_EV_UNMAP && (ret = unmap_flush(h)))
		host_error(run, h, ret, "UNMAP_DMA");
	switch (ev->type) {
	case DMAWIN_PAPR_EV_MAP:
		ret = host_map(run, h, ev);
		break;
	case DMAWIN_PAPR_EV_UNMAP:
		ret = host_unmap(h, ev);
		break;
	case DMAWIN_PAPR_EV_WINDOW_ADD:
		ret = host_window_add(h, ev->bus_offset, ev->page_shift, ev->window_size);
		break;
	case DMAWIN_PAPR_EV_WINDOW_DEL:
		ret = ioctl_c(h, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm);
		break;
	}
	if (ret)
		host_error(run, h, ret,
			   ev->type == DMAWIN_PAPR_EV_MAP ? "MAP_DMA" : "window change");
}

static long register_ram(struct sim_run *run, struct sim_host *h)
{
	for (unsigned i = 0; i < dmawin_mem_region_count(run->mem); i++) {
		struct vfio_iommu_spapr_register_memory r = {.argsz = sizeof(r)};
		struct dmawin_mem_region_info info;
		long ret;

		if (dmawin_mem_region_info(run->mem, i, &info) < 0)
			return -EFAULT;
		r.vaddr = (uint64_t)(uintptr_t)info.host;
		r.size = info.size;
		ret = ioctl_c(h, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r);
		if (ret)
			return ret;
	}
	return 0;
}

/* The host PHB has the guest PHB's geometry: the same windows must fit on both. */
static long host_create(struct sim_run *run, const struct dmawin_papr_phb_config *gp,
			struct sim_host *h)
{
	struct dmawin_phb_config pc;
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = sizeof(rm), .start_addr = 0};
	long ret;

	dmawin_pe_phb_config_init(&pc);
	pc.dma_win_addr = gp->dma_win_addr;
	pc.dma_win_size = gp->dma_win_size;
	pc.dma64_win_addr = gp->dma64_win_addr;
	if (gp->dma64_win_addr == DMAWIN_PE_4GB)
		pc.placement = DMAWIN_PE_PLACEMENT_4GB;
	h->phb_index = gp->index;
	if ((ret = dmawin_pe_phb_create(&pc, run->mem, &h->phb)) ||
	    (ret = dmawin_pe_create(h->phb, 0, &h->pe)) ||
	    (ret = dmawin_vfio_create(run->vfio_mm, NULL, &h->c)) ||
	    (ret = dmawin_vfio_attach_group(h->c, h->pe)) ||
	    (ret = dmawin_vfio_ioctl(h->c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU)) ||
	    (ret = register_ram(run, h)) || (ret = ioctl_c(h, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm)))
		return ret;
	/* mirror the windows the guest has from reset */
	for (uint32_t s = 0; s < DMAWIN_PAPR_MAX_WINDOWS; s++) {
		struct dmawin_papr_window_info wi;

		if (dmawin_papr_window_info(run->m, DMAWIN_PAPR_LIOBN(gp->index, s), &wi) == 0 &&
		    wi.enabled && (ret = host_window_add(h, wi.bus_offset, wi.page_shift, wi.size)))
			return ret;
	}
	return dmawin_pe_dev_create(h->pe, NULL, &h->dev);
}

static bool phb_has_vfio(const struct dmawin_sim_scenario *sc, uint32_t index)
{
	for (uint32_t i = 0; i < sc->nr_devices; i++)
		if (sc->devices[i].vfio && sc->devices[i].phb_index == index)
			return true;
	return false;
}

int sim_vfio_setup(struct sim_run *run, char *why, size_t len)
{
	struct sim_host *hosts = calloc(DMAWIN_PAPR_MAX_PHBS, sizeof(*hosts));

	int rc;

	if (!hosts)
		return -ENOMEM;
	run->hosts = hosts;
	/* one QEMU process: one mm, its preregistered RAM shared by every container */
	rc = dmawin_vfio_mm_create(run->mem, 16, &run->vfio_mm);
	if (rc < 0) {
		snprintf(why, len, "VFIO mm: %s", strerror(-rc));
		return rc;
	}
	for (uint32_t i = 0; i < run->sc->papr.nr_phbs; i++) {
		const struct dmawin_papr_phb_config *gp = &run->sc->papr.phbs[i];
		long ret;

		if (!phb_has_vfio(run->sc, gp->index))
			continue;
		ret = host_create(run, gp, &hosts[run->nr_hosts++]);
		if (ret) {
			snprintf(why, len, "VFIO host for PHB %u: %s", gp->index,
				 hosts[run->nr_hosts - 1].error[0] ? hosts[run->nr_hosts - 1].error
								   : strerror((int)-ret));
			return (int)(ret < 0 ? ret : -EINVAL);
		}
	}
	return 0;
}

struct sim_host *sim_vfio_host(struct sim_run *run, uint32_t phb_index)
{
	for (uint32_t i = 0; i < run->nr_hosts; i++)
		if (run->hosts[i].phb_index == phb_index)
			return &run->hosts[i];
	return NULL;
}

int sim_vfio_dma(struct sim_run *run, struct sim_host *h, bool read, uint64_t bus, void *buf,
		 size_t len)
{
	sim_vfio_flush(run);
	return read ? dmawin_pe_dma_read(h->dev, bus, buf, len, NULL)
		    : dmawin_pe_dma_write(h->dev, bus, buf, len, NULL);
}

const char *sim_vfio_note(struct sim_host *h)
{
	return h->error[0] ? h->error : NULL;
}

void sim_vfio_release(struct sim_run *run)
{
	for (uint32_t i = 0; run->hosts && i < run->nr_hosts; i++) {
		struct sim_host *h = &run->hosts[i];

		dmawin_pe_dev_destroy(h->dev);
		dmawin_vfio_destroy(h->c);
		dmawin_pe_phb_destroy(h->phb);
	}
	dmawin_vfio_mm_destroy(run->vfio_mm);
	run->vfio_mm = NULL;
	free(run->hosts);
	run->hosts = NULL;
	run->nr_hosts = 0;
}
