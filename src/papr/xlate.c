/* SPDX-License-Identifier: MIT */
/* QEMU's spapr_tce_translate_iommu for one LIOBN (the fields of the spapr_iommu_xlate event). */
#include <errno.h>

#include "dmawin/tce.h"
#include "papr/papr_int.h"

int dmawin_papr_xlate(struct dmawin_papr *m, uint64_t liobn, uint64_t addr,
		      struct dmawin_papr_xlate *out)
{
	struct papr_window *w;
	uint64_t tce = 0, mask;
	int rc = 0;

	if (!out)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	w = papr_find_liobn(m, liobn, NULL);
	if (!w) {
		rc = -ENOENT;
		goto out;
	}
	/* a miss: QEMU leaves iova = addr, translated 0, mask ~0, perm NONE */
	out->iova = addr;
	out->translated_addr = 0;
	out->addr_mask = ~UINT64_C(0);
	out->perm = 0;
	if (!w->nb_table || (addr >> w->page_shift) >= w->nb_table)
		goto out;
	mask = (UINT64_C(1) << w->page_shift) - 1;
	dmawin_tce_get(w->table, addr >> w->page_shift, &tce);
	out->iova = addr & ~mask;
	out->translated_addr = tce & ~mask;
	out->addr_mask = mask;
	out->perm = (uint32_t)(tce & DMAWIN_TCE_PERM_MASK);
out:
	pthread_mutex_unlock(&m->lock);
	return rc;
}
