/* SPDX-License-Identifier: MIT */
/* Entry helpers: page sizes, building and printing TCEs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "tce/tce_int.h"

DMAWIN_API bool dmawin_tce_page_shift_valid(unsigned int page_shift)
{
	/* 4K, 64K, 2M, 16M, 32M, 64M, 128M, 256M, 16G: the PAPR "IO Page Sizes". */
	switch (page_shift) {
	case 12: case 16: case 21: case 24: case 25: case 26: case 27: case 28: case 34:
		return true;
	default:
		return false;
	}
}

DMAWIN_API int dmawin_tce_build(uint64_t addr, uint64_t perm, unsigned int page_shift,
				uint64_t *tce)
{
	if (!tce || !dmawin_tce_page_shift_valid(page_shift) || (perm & ~DMAWIN_TCE_PERM_MASK) ||
	    !DW_IS_ALIGNED(addr, 1ull << page_shift))
		return -EINVAL;
	*tce = addr | perm;
	return 0;
}

DMAWIN_API int dmawin_tce_format(uint64_t tce, unsigned int page_shift, char *buf, size_t len)
{
	uint64_t addr, low;
	int n;

	if ((!buf && len) || page_shift == 0 || page_shift > 63)
		return -EINVAL;
	addr = dmawin_tce_addr(tce, page_shift);
	low = tce & ~addr & ~DMAWIN_TCE_PERM_MASK;
	if (low)
		n = snprintf(buf, len, "0x%" PRIx64 " %c%c low=0x%" PRIx64, addr,
			     (tce & DMAWIN_TCE_READ) ? 'r' : '-', (tce & DMAWIN_TCE_WRITE) ? 'w' : '-',
			     low);
	else if (addr)
		n = snprintf(buf, len, "0x%" PRIx64 " %c%c", addr,
			     (tce & DMAWIN_TCE_READ) ? 'r' : '-', (tce & DMAWIN_TCE_WRITE) ? 'w' : '-');
	else
		n = snprintf(buf, len, "0 %c%c", (tce & DMAWIN_TCE_READ) ? 'r' : '-',
			     (tce & DMAWIN_TCE_WRITE) ? 'w' : '-');
	return n < 0 ? -EINVAL : n;
}
