/* SPDX-License-Identifier: MIT */
/* Whole-machine invariant checker for tests (papr_check): slots, pe mirror, placement. */
#include "dmawin/pe.h"
#include "dmawin/tce.h"
#include "papr/papr_int.h"

static int check_window(const struct papr_phb *phb, unsigned s)
{
	const struct papr_window *w = &phb->win[s];
	struct dmawin_pe_window_info pw;
	struct dmawin_tce_info ti;
	uint64_t last;

	if (w->liobn != DMAWIN_PAPR_LIOBN(phb->cfg.index, s))
		return -__LINE__;
	if (!w->nb_table)
		return (w->table || w->is_default ||
			dmawin_pe_window_info(phb->pe, s, &pw) != -ENOENT)
			       ? -__LINE__
			       : 0;
	if (!w->table || dmawin_tce_info(w->table, &ti) != 0 || ti.page_shift != w->page_shift ||
	    ti.entries < w->nb_table || w->nb_table > PAPR_MAX_NB_TABLE)
		return -__LINE__;
	if (__builtin_add_overflow(w->bus_offset, (w->nb_table << w->page_shift) - 1, &last) ||
	    (w->bus_offset <= DMAWIN_PAPR_MSI_WINDOW + PAPR_MSI_WINDOW_SIZE - 1 &&
	     DMAWIN_PAPR_MSI_WINDOW <= last))
		return -__LINE__;
	if (w->is_default && (s != 0 || w->page_shift != PAPR_TCE_PAGE_SHIFT ||
			      w->bus_offset != phb->cfg.dma_win_addr ||
			      w->nb_table != phb->cfg.dma_win_size >> PAPR_TCE_PAGE_SHIFT))
		return -__LINE__;
	if (!w->is_default && !(phb->cfg.pgsz & (UINT64_C(1) << w->page_shift)))
		return -__LINE__;
	/* the pe layer translates exactly this window with exactly this table */
	if (dmawin_pe_window_info(phb->pe, s, &pw) != 0 || pw.table != w->table ||
	    pw.bus_offset != w->bus_offset || pw.size != w->nb_table << w->page_shift)
		return -__LINE__;
	return 0;
}

int papr_check(struct dmawin_papr *m)
{
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; !rc && i < m->cfg.nr_phbs; i++) {
		const struct papr_phb *phb = &m->phbs[i];
		const struct papr_window *a = &phb->win[0], *b = &phb->win[1];
		if (m->pos_by_index[phb->cfg.index] != (int8_t)i || !phb->pe ||
		    (phb->limited_addr && !phb->cfg.ddw_limited_addr))
			rc = -__LINE__;
		for (unsigned s = 0; !rc && s < DMAWIN_PAPR_MAX_WINDOWS; s++)
			rc = check_window(phb, s);
		if (!rc && papr_phb_active_windows(phb) > phb->cfg.max_windows)
			rc = -__LINE__;
		if (!rc && a->nb_table && b->nb_table &&
		    a->bus_offset <= b->bus_offset + (b->nb_table << b->page_shift) - 1 &&
		    b->bus_offset <= a->bus_offset + (a->nb_table << a->page_shift) - 1)
			rc = -__LINE__;
		if (!rc && dmawin_pe_window_count(phb->pe) != papr_phb_active_windows(phb))
			rc = -__LINE__;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}
