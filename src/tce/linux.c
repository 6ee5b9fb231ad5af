/* SPDX-License-Identifier: MIT */
/*
 * What Linux PowerNV does with a window request (pci-ioda-tce.c, spec vfio-spapr-and-tables §4-5):
 * the accept rule, the enlarged small window and the memory it charges.
 */
#include <errno.h>

#include "tce/tce_int.h"

#define POWERNV_MAX_LEVELS     5
#define POWERNV_MAX_WINDOWS    2
#define POWERNV_GEOMETRY_LIMIT 55

static unsigned int ceil_div(unsigned int a, unsigned int b)
{
	return (a + b - 1) / b;
}

/* pnv_pci_ioda2_get_table_size() without the final doubling (no userspace copy). */
uint64_t tce_linux_table_size(unsigned int page_shift, unsigned int window_shift,
			      unsigned int levels, unsigned int kernel_page_shift)
{
	unsigned int entries_shift = window_shift - page_shift;
	uint64_t table = DW_MAX(4096ull, 1ull << (entries_shift + 3));
	uint64_t direct = 1ull << DW_MAX(ceil_div(entries_shift, levels) + 3, kernel_page_shift);
	uint64_t bytes = 0;

	for (unsigned int l = 0; l < levels; l++) {
		bytes += DW_ALIGN_UP(table, direct);
		table = DW_MAX((table / direct) << 3, direct);
	}
	return bytes;
}

DMAWIN_API int dmawin_tce_powernv_query(unsigned int page_shift, uint64_t window_size,
					unsigned int levels, unsigned int kernel_page_shift,
					struct dmawin_tce_powernv *out)
{
	unsigned int window_shift, entries_shift, level_shift;

	if (kernel_page_shift == 0)
		kernel_page_shift = 16;
	if (!out || page_shift == 0 || page_shift > 63 || window_size == 0 ||
	    (window_size & (window_size - 1)) || levels > 63 ||
	    (kernel_page_shift != 12 && kernel_page_shift != 16))
		return -EINVAL;
	window_shift = 63u - (unsigned int)__builtin_clzll(window_size);
	*out = (struct dmawin_tce_powernv){
		.max_levels = POWERNV_MAX_LEVELS,
		.max_windows = POWERNV_MAX_WINDOWS,
	};
	if (window_shift < page_shift || levels == 0)
		return 0;
	entries_shift = window_shift - page_shift;
	level_shift = DW_MAX(ceil_div(entries_shift, levels) + 3, kernel_page_shift);
	out->level_shift = level_shift;
	out->geometry_bits = (level_shift - 3) * levels + page_shift;
	out->level_entries = 1ull << (level_shift - 3);
	out->it_size = 1ull << (DW_MAX(entries_shift + 3, kernel_page_shift) - 3);
	out->accepted = levels <= POWERNV_MAX_LEVELS && out->geometry_bits < POWERNV_GEOMETRY_LIMIT;
	if (out->it_size > (UINT64_MAX >> page_shift))
		out->effective_window = UINT64_MAX;
	else
		out->effective_window = out->it_size << page_shift;
	if (window_shift <= 63 - 3 && levels <= POWERNV_MAX_LEVELS) {
		out->table_bytes =
			tce_linux_table_size(page_shift, window_shift, levels, kernel_page_shift);
		out->locked_bytes = 2 * out->table_bytes;
	}
	return 0;
}
