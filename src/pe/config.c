/* SPDX-License-Identifier: MIT */
/* PHB configuration: QEMU's defaults and the placement mode's rules. */
#include <errno.h>

#include "dmawin/pe.h"

#define PE_MIN_ALIGN UINT64_C(4096)

void dmawin_pe_phb_config_init(struct dmawin_phb_config *cfg)
{
	if (!cfg)
		return;
	*cfg = (struct dmawin_phb_config){
		.placement = DMAWIN_PE_PLACEMENT_CLASSIC,
		.dma_win_addr = 0,
		.dma_win_size = DMAWIN_PE_DEFAULT_DMA_WIN_SIZE,
		.dma64_win_addr = DMAWIN_PE_DEFAULT_DMA64_WIN_ADDR,
		.msi_win_addr = DMAWIN_PE_DEFAULT_MSI_WIN_ADDR,
		.msi_win_size = DMAWIN_PE_DEFAULT_MSI_WIN_SIZE,
		.max_pes = 1,
		.freeze_on_fault = false,
	};
}

static bool aligned(uint64_t v)
{
	return (v & (PE_MIN_ALIGN - 1)) == 0;
}

/* [a, a + as) and [b, b + bs) intersect; both sizes > 0 and neither range wraps. */
static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a <= b + (bs - 1) && b <= a + (as - 1);
}

static int check_msi(const struct dmawin_phb_config *cfg)
{
	uint64_t last;

	if (cfg->msi_win_size == 0)
		return 0;
	if (__builtin_add_overflow(cfg->msi_win_addr, cfg->msi_win_size - 1, &last))
		return -EINVAL;
	if (ranges_overlap(cfg->msi_win_addr, cfg->msi_win_size, cfg->dma_win_addr,
			   cfg->dma_win_size))
		return -EINVAL;
	if (cfg->msi_win_addr <= cfg->dma64_win_addr && cfg->dma64_win_addr <= last)
		return -EINVAL;
	return 0;
}

int dmawin_pe_phb_config_check(const struct dmawin_phb_config *cfg)
{
	uint64_t end32;

	if (!cfg)
		return -EINVAL;
	if (cfg->placement != DMAWIN_PE_PLACEMENT_CLASSIC &&
	    cfg->placement != DMAWIN_PE_PLACEMENT_4GB)
		return -EINVAL;
	if (cfg->max_pes == 0 || cfg->max_pes > DMAWIN_PE_MAX_PES)
		return -EINVAL;
	if (cfg->dma_win_size == 0 || !aligned(cfg->dma_win_addr) || !aligned(cfg->dma_win_size))
		return -EINVAL;
	if (__builtin_add_overflow(cfg->dma_win_addr, cfg->dma_win_size, &end32))
		return -EINVAL;
	if (!aligned(cfg->dma64_win_addr) || cfg->dma64_win_addr < end32)
		return -EINVAL;
	if (cfg->placement == DMAWIN_PE_PLACEMENT_4GB &&
	    (end32 > DMAWIN_PE_4GB || cfg->dma64_win_addr != DMAWIN_PE_4GB))
		return -EINVAL;
	return check_msi(cfg);
}

const char *dmawin_pe_fault_name(enum dmawin_pe_fault fault)
{
	static const char *const names[DMAWIN_PE_FAULT_COUNT] = {
		[DMAWIN_PE_FAULT_NONE] = "none",
		[DMAWIN_PE_FAULT_NO_WINDOW] = "no-window",
		[DMAWIN_PE_FAULT_BEYOND_WINDOW] = "beyond-window",
		[DMAWIN_PE_FAULT_INVALID] = "invalid",
		[DMAWIN_PE_FAULT_PERMISSION] = "permission",
		[DMAWIN_PE_FAULT_FROZEN] = "frozen",
		[DMAWIN_PE_FAULT_NOT_RAM] = "not-ram",
	};

	if ((unsigned int)fault >= DMAWIN_PE_FAULT_COUNT)
		return "?";
	return names[fault];
}
