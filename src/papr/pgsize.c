/* SPDX-License-Identifier: MIT */
/* Page sizes: the PHB's pgsz property (a mask of 1 << shift) and the query's LoPAR bits. */
#include "papr/papr_int.h"

/* LoPAR "IO Page Sizes" bits in QEMU's RTAS_DDW_PGSIZE_* order (spec §3 table). */
static const struct {
	unsigned shift;
	uint32_t bit;
} page_sizes[] = {
	{12, DMAWIN_PAPR_PGSIZE_4K},   {16, DMAWIN_PAPR_PGSIZE_64K}, {24, DMAWIN_PAPR_PGSIZE_16M},
	{25, DMAWIN_PAPR_PGSIZE_32M},  {26, DMAWIN_PAPR_PGSIZE_64M}, {27, DMAWIN_PAPR_PGSIZE_128M},
	{28, DMAWIN_PAPR_PGSIZE_256M}, {34, DMAWIN_PAPR_PGSIZE_16G}, {21, DMAWIN_PAPR_PGSIZE_2M},
};

uint32_t papr_page_shift_to_mask_bit(unsigned shift)
{
	for (size_t i = 0; i < ARRAY_SIZE(page_sizes); i++)
		if (page_sizes[i].shift == shift)
			return page_sizes[i].bit;
	return 0;
}

/* QEMU spapr_page_mask_to_query_mask(); machines before 7.1 had no 2M entry (spec §3). */
uint32_t papr_query_mask(const struct dmawin_papr *m, const struct papr_phb *phb)
{
	uint32_t mask = 0;

	for (size_t i = 0; i < ARRAY_SIZE(page_sizes); i++) {
		if (page_sizes[i].bit == DMAWIN_PAPR_PGSIZE_2M &&
		    m->cfg.compat < PAPR_COMPAT_DDW_7_1)
			continue;
		if (phb->cfg.pgsz & (UINT64_C(1) << page_sizes[i].shift))
			mask |= page_sizes[i].bit;
	}
	return mask;
}
