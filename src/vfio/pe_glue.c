/* SPDX-License-Identifier: MIT */
/*
 * What the container asks of a PE, in Linux's iommu_table_group_ops terms, on top of the `pe`
 * layer: the group's properties, table creation under the PowerNV geometry rules, set/unset of
 * a window, ownership, and the EEH operations.
 */
#include <errno.h>
#include <linux/vfio.h>

#include "dmawin/pe.h"
#include "vfio/vfio_int.h"

int vfio_pe_info(const struct vfio_group *g, struct vfio_pe_info *info)
{
	const struct dmawin_phb *phb = dmawin_pe_phb(g->pe);
	struct dmawin_phb_config pc;

	if (g->cfg.no_table_group)
		return -ENODEV;
	dmawin_pe_phb_config(phb, &pc);
	info->tce32_start = pc.dma_win_addr;
	info->tce32_size = g->cfg.no_dma32_window ? 0 : pc.dma_win_size;
	info->pgsizes = g->cfg.pgsizes ? g->cfg.pgsizes : DMAWIN_VFIO_DEFAULT_PGSIZES;
	info->max_dynamic_windows_supported = g->cfg.no_ddw ? 0 : VFIO_MAX_WINDOWS;
	info->max_levels = g->cfg.max_levels ? g->cfg.max_levels : VFIO_MAX_LEVELS;
	for (unsigned int slot = 0; slot < VFIO_MAX_WINDOWS; slot++)
		dmawin_pe_window_placement(phb, slot, &info->slot_start[slot]);
	/* PHBs in the same placement mode build tables the same way (same create_table). */
	info->layout = (unsigned int)pc.placement + 1;
	return 0;
}

void vfio_pe_take_ownership(struct dmawin_pe *pe)
{
	/* PowerNV IODA2: the kernel's default table and the bypass window go away. */
	for (unsigned int slot = 0; slot < VFIO_MAX_WINDOWS; slot++)
		dmawin_pe_unset_window(pe, slot);
}

int vfio_pe_create_table(const struct vfio_group *g, unsigned int slot, unsigned int page_shift,
			 uint64_t window_size, unsigned int levels, unsigned int host_page_shift,
			 struct dmawin_tce_table **tbl, uint64_t *start, uint64_t *it_size)
{
	struct dmawin_tce_geometry geo = {0};
	struct dmawin_tce_powernv pnv;
	int ret;

	/* pnv_pci_ioda2_table_alloc_pages: levels, power of two, the 55-bit rule. */
	if (dmawin_tce_powernv_query(page_shift, window_size, levels, host_page_shift, &pnv) != 0 ||
	    !pnv.accepted)
		return -EINVAL;
	ret = dmawin_pe_window_placement(dmawin_pe_phb(g->pe), slot, start);
	if (ret)
		return ret;
	if (*start & ((UINT64_C(1) << page_shift) - 1))
		return -EINVAL;
	geo.page_shift = page_shift;
	geo.entries = pnv.it_size; /* a small window is enlarged to PAGE_SIZE / 8 entries */
	geo.levels = levels;
	geo.max_level_size = UINT64_C(1) << 62; /* Linux sizes levels itself, no cap */
	ret = dmawin_tce_create(&geo, tbl);
	if (ret)
		return ret == -ENOMEM ? -ENOMEM : -EINVAL;
	*it_size = pnv.it_size;
	return 0;
}

int vfio_pe_set_window(struct dmawin_pe *pe, unsigned int slot, struct dmawin_tce_table *tbl,
		       uint64_t start)
{
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_TABLE,
		.table = tbl,
		.bus_offset = start,
		.size = 0,
	};

	return dmawin_pe_set_window(pe, slot, &wc);
}

void vfio_pe_unset_window(struct dmawin_pe *pe, unsigned int slot)
{
	dmawin_pe_unset_window(pe, slot); /* -ENOENT for an empty slot is fine */
}

/* vfio_spapr_ioctl_eeh_pe_op, after the argument checks, for one group. */
long vfio_pe_eeh_op(const struct vfio_group *g, const struct vfio_eeh_pe_op *op)
{
	struct dmawin_pe *pe = g->pe;

	switch (op->op) {
	case VFIO_EEH_PE_DISABLE:
		return dmawin_pe_eeh_set_enabled(pe, false);
	case VFIO_EEH_PE_ENABLE:
		return dmawin_pe_eeh_set_enabled(pe, true);
	case VFIO_EEH_PE_UNFREEZE_IO:
		return dmawin_pe_eeh_thaw(pe, DMAWIN_PE_EEH_THAW_MMIO);
	case VFIO_EEH_PE_UNFREEZE_DMA:
		return dmawin_pe_eeh_thaw(pe, DMAWIN_PE_EEH_THAW_DMA);
	case VFIO_EEH_PE_GET_STATE:
		return dmawin_pe_eeh_state(pe);
	case VFIO_EEH_PE_RESET_DEACTIVATE:
		return dmawin_pe_eeh_reset(pe, DMAWIN_PE_EEH_RESET_DEACTIVATE);
	case VFIO_EEH_PE_RESET_HOT:
		return dmawin_pe_eeh_reset(pe, DMAWIN_PE_EEH_RESET_HOT);
	case VFIO_EEH_PE_RESET_FUNDAMENTAL:
		return dmawin_pe_eeh_reset(pe, DMAWIN_PE_EEH_RESET_FUNDAMENTAL);
	case VFIO_EEH_PE_CONFIGURE:
		return dmawin_pe_eeh_configure(pe);
	case VFIO_EEH_PE_INJECT_ERR:
		return dmawin_pe_eeh_inject(pe, op->err.type, op->err.func, op->err.addr,
					    op->err.mask);
	default:
		return -EINVAL;
	}
}
