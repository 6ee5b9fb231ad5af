/* SPDX-License-Identifier: MIT */
/* Machine configuration: QEMU's defaults and their validation. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "papr/papr_int.h"

void dmawin_papr_phb_config_init(struct dmawin_papr_phb_config *phb, uint32_t index)
{
	memset(phb, 0, sizeof(*phb));
	phb->index = index;
	phb->buid = 0;
	phb->dma_win_addr = DMAWIN_PAPR_DEFAULT_DMA_WIN_ADDR;
	phb->dma_win_size = DMAWIN_PAPR_DEFAULT_DMA_WIN_SIZE;
	phb->dma64_win_addr = DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR;
	phb->pgsz = DMAWIN_PAPR_DEFAULT_PGSZ;
	phb->ddw = true;
	phb->placement = DMAWIN_PAPR_PLACE_QEMU;
	phb->max_windows = DMAWIN_PAPR_MAX_WINDOWS;
	phb->tce_budget = 0;
	phb->numa_node = -1;
	phb->ddw_limited_addr = false;
}

void dmawin_papr_config_init(struct dmawin_papr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ram_size = DMAWIN_PAPR_DEFAULT_RAM_SIZE;
	cfg->maxmem = 0;
	cfg->compat = DMAWIN_PAPR_COMPAT_DEFAULT;
	cfg->strict_papr = false;
	cfg->multitce = true;
	cfg->mem = NULL;
	cfg->nr_phbs = 1;
	dmawin_papr_phb_config_init(&cfg->phbs[0], 0);
}

int dmawin_papr_config_set_compat(struct dmawin_papr_config *cfg, uint32_t compat)
{
	if (!cfg || compat < PAPR_COMPAT_MIN || compat > DMAWIN_PAPR_COMPAT_DEFAULT)
		return -EINVAL;
	cfg->compat = compat;
	if (compat < 402) {
		/* pseries-4.1 and older: pgsz 4K|64K (hw/ppc/spapr.c compat properties) */
		for (uint32_t i = 0; i < cfg->nr_phbs && i < DMAWIN_PAPR_MAX_PHBS; i++)
			if (cfg->phbs[i].pgsz == DMAWIN_PAPR_DEFAULT_PGSZ)
				cfg->phbs[i].pgsz = DMAWIN_PAPR_PGSZ_PRE_4_2;
	}
	return 0;
}

void papr_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

uint64_t papr_phb_buid(const struct dmawin_papr_phb_config *phb)
{
	return phb->buid ? phb->buid : DMAWIN_PAPR_BUID(phb->index);
}

/* pgsz may only name page sizes a TCE table supports (the LoPAR sizes plus 2M). */
static bool pgsz_valid(uint64_t pgsz)
{
	if (pgsz == 0)
		return false;
	for (unsigned s = 0; s < 64; s++)
		if ((pgsz >> s) & 1 && !papr_page_shift_to_mask_bit(s))
			return false;
	return true;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static int phb_check(const struct dmawin_papr_phb_config *p, char *why, size_t len)
{
	uint64_t end;

	if (p->index >= DMAWIN_PAPR_MAX_PHBS) {
		papr_why(why, len, "phb index %u: must be below %u", p->index,
			 DMAWIN_PAPR_MAX_PHBS);
		return -EINVAL;
	}
	if (!DW_IS_ALIGNED(p->dma_win_addr, PAPR_TCE_PAGE_SIZE) ||
	    !DW_IS_ALIGNED(p->dma_win_size, PAPR_TCE_PAGE_SIZE) ||
	    __builtin_add_overflow(p->dma_win_addr, p->dma_win_size, &end) ||
	    (p->dma_win_size >> PAPR_TCE_PAGE_SHIFT) > PAPR_MAX_NB_TABLE ||
	    ranges_overlap(p->dma_win_addr, p->dma_win_size, DMAWIN_PAPR_MSI_WINDOW, 1)) {
		papr_why(why, len, "phb %u: dma_win_addr 0x%llx / dma_win_size 0x%llx invalid",
			 p->index, (unsigned long long)p->dma_win_addr,
			 (unsigned long long)p->dma_win_size);
		return -EINVAL;
	}
	if (p->dma_win_size == 0 || papr_pe_config_check(p) != 0) {
		papr_why(
			why, len,
			"phb %u: dma_win_size must be > 0 and dma64_win_addr 0x%llx 4K-aligned, at "
			"or above the 32-bit window's end and clear of the MSI window",
			p->index, (unsigned long long)p->dma64_win_addr);
		return -EINVAL;
	}
	if (!pgsz_valid(p->pgsz)) {
		papr_why(why, len, "phb %u: pgsz 0x%llx names unsupported page sizes", p->index,
			 (unsigned long long)p->pgsz);
		return -EINVAL;
	}
	if (p->max_windows < 1 || p->max_windows > DMAWIN_PAPR_MAX_WINDOWS ||
	    (p->placement != DMAWIN_PAPR_PLACE_QEMU && p->placement != DMAWIN_PAPR_PLACE_SLOT)) {
		papr_why(why, len, "phb %u: max_windows %u or placement %d invalid", p->index,
			 p->max_windows, (int)p->placement);
		return -EINVAL;
	}
	if (p->ddw_limited_addr && (!p->ddw || p->dma64_win_addr < PAPR_LIMITED_ADDR_MIN)) {
		papr_why(why, len,
			 "phb %u: ddw_limited_addr needs ddw on and dma64_win_addr 0x%llx at or "
			 "above 4 GiB",
			 p->index, (unsigned long long)p->dma64_win_addr);
		return -EINVAL;
	}
	return 0;
}

int dmawin_papr_config_check(const struct dmawin_papr_config *cfg, char *why, size_t len)
{
	if (!cfg) {
		papr_why(why, len, "no configuration");
		return -EINVAL;
	}
	if (cfg->ram_size == 0 || !DW_IS_ALIGNED(cfg->ram_size, 64 << 10) ||
	    (cfg->maxmem && cfg->maxmem < cfg->ram_size)) {
		papr_why(why, len, "ram_size 0x%llx / maxmem 0x%llx invalid",
			 (unsigned long long)cfg->ram_size, (unsigned long long)cfg->maxmem);
		return -EINVAL;
	}
	if (papr_dimms_check(cfg, why, len))
		return -EINVAL;
	if (cfg->compat < PAPR_COMPAT_MIN || cfg->compat > DMAWIN_PAPR_COMPAT_DEFAULT) {
		papr_why(why, len, "compat %u unknown", cfg->compat);
		return -EINVAL;
	}
	if (cfg->nr_phbs < 1 || cfg->nr_phbs > DMAWIN_PAPR_MAX_PHBS) {
		papr_why(why, len, "%u PHBs: need 1..%u", cfg->nr_phbs, DMAWIN_PAPR_MAX_PHBS);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < cfg->nr_phbs; i++) {
		int rc = phb_check(&cfg->phbs[i], why, len);
		if (rc)
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			if (cfg->phbs[j].index == cfg->phbs[i].index ||
			    papr_phb_buid(&cfg->phbs[j]) == papr_phb_buid(&cfg->phbs[i])) {
				papr_why(why, len, "phb %u: index or buid used twice",
					 cfg->phbs[i].index);
				return -EINVAL;
			}
		}
	}
	return 0;
}
