/* SPDX-License-Identifier: MIT */
/* Entry helpers: page sizes, building and printing TCEs. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "tce/tce_int.h"

/* 4K, 64K, 2M, 16M, 32M, 64M, 128M, 256M, 16G: the PAPR "IO Page Sizes". */
#define PAPR_PAGE_SHIFTS                                                                           \
	((1ull << 12) | (1ull << 16) | (1ull << 21) | (1ull << 24) | (1ull << 25) | (1ull << 26) | \
	 (1ull << 27) | (1ull << 28) | (1ull << 34))

DMAWIN_API bool dmawin_tce_page_shift_valid(unsigned int page_shift)
{
	return page_shift < 64 && (PAPR_PAGE_SHIFTS & (1ull << page_shift));
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
	char r = (tce & DMAWIN_TCE_READ) ? 'r' : '-', w = (tce & DMAWIN_TCE_WRITE) ? 'w' : '-';
	uint64_t addr, low;
	int n;

	if ((!buf && len) || page_shift == 0 || page_shift > 63)
		return -EINVAL;
	addr = dmawin_tce_addr(tce, page_shift);
	/* bits between the permissions and the page: ignored by translation, stored verbatim */
	low = tce & ~addr & ~DMAWIN_TCE_PERM_MASK;
	if (low)
		n = snprintf(buf, len, "0x%" PRIx64 " %c%c low=0x%" PRIx64, addr, r, w, low);
	else if (addr)
		n = snprintf(buf, len, "0x%" PRIx64 " %c%c", addr, r, w);
	else
		n = snprintf(buf, len, "0 %c%c", r, w);
	return n < 0 ? -EINVAL : n;
}
