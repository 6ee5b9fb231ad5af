/* SPDX-License-Identifier: MIT */
/* dw_pe_check(): every invariant of a PE, for property tests. */
#include <errno.h>

#include "pe/pe_int.h"

/* Rules, numbered so that a failing test names the broken one. */
enum {
	CHK_RANGE = 1, /* start <= last inside the aperture */
	CHK_TABLE,     /* table windows have a table, a view and fit its entries */
	CHK_ALIGN,     /* bus_offset and size aligned to the page */
	CHK_BYPASS,    /* bypass windows have no table */
	CHK_APERTURES, /* the two apertures are disjoint */
	CHK_MODE,      /* apertures follow the placement mode */
	CHK_MSI,       /* no window covers the MSI window */
	CHK_RETIRED,   /* retired sets were retired at epochs already reached */
	CHK_DEVS,      /* ndevs is the length of the device list */
	CHK_EEH,       /* the EEH word has only known bits, none without ENABLED */
	CHK_SPARES,    /* one preallocated set per set window */
};

static int check_table_win(const struct pe_win *w)
{
	uint64_t page = UINT64_C(1) << w->page_shift;

	if (!w->table || !w->view || w->view != dmawin_tce_view(w->table))
		return -CHK_TABLE;
	if ((w->bus_offset & (page - 1)) || (w->size & (page - 1)))
		return -CHK_ALIGN;
	if (w->size > w->view->window_size ||
	    ((w->last - w->bus_offset) >> w->page_shift) >= w->view->entries)
		return -CHK_TABLE;
	return 0;
}

static int check_win(const struct dmawin_phb_config *cfg, unsigned int slot, const struct pe_win *w)
{
	if (w->start > w->last || w->start < w->ap_start || w->last > w->ap_last)
		return -CHK_RANGE;
	if (w->start < w->bus_offset || w->last - w->bus_offset > w->size - 1)
		return -CHK_RANGE;
	if (cfg->placement == DMAWIN_PE_PLACEMENT_4GB &&
	    (w->ap_start != (slot ? DMAWIN_PE_4GB : 0) ||
	     w->ap_last != (slot ? UINT64_MAX : DMAWIN_PE_4GB - 1)))
		return -CHK_MODE;
	if (cfg->placement == DMAWIN_PE_PLACEMENT_CLASSIC && w->kind == DMAWIN_PE_WINDOW_TABLE &&
	    (w->ap_start != w->start || w->ap_last != w->last))
		return -CHK_MODE;
	if (cfg->msi_win_size && w->start <= cfg->msi_win_addr + (cfg->msi_win_size - 1) &&
	    cfg->msi_win_addr <= w->last)
		return -CHK_MSI;
	if (w->kind == DMAWIN_PE_WINDOW_BYPASS)
		return w->table || w->view ? -CHK_BYPASS : 0;
	return check_table_win(w);
}

static int check_winset(const struct dmawin_phb_config *cfg, const struct pe_winset *ws)
{
	const struct pe_win *a = &ws->win[0], *b = &ws->win[1];
	int ret;

	for (unsigned int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		if (ws->win[i].active && (ret = check_win(cfg, i, &ws->win[i])))
			return ret;
	if (a->active && b->active && a->ap_start <= b->ap_last && b->ap_start <= a->ap_last)
		return -CHK_APERTURES;
	return 0;
}

int dw_pe_check(struct dmawin_pe *pe)
{
	const uint32_t known = PE_EEH_ENABLED | PE_EEH_MMIO_FROZEN | PE_EEH_DMA_FROZEN |
			       PE_EEH_RESET | PE_EEH_UNCONFIGURED | PE_EEH_ARMED;
	unsigned int n = 0;
	uint32_t eeh;
	int ret;

	pthread_mutex_lock(&pe->lock);
	ret = check_winset(&pe->phb->cfg, pe->winset);
	for (const struct pe_winset *r = pe->retired; r && !ret; r = r->retired_next)
		if (r->retire_epoch > pe_epoch_load(pe))
			ret = -CHK_RETIRED;
	for (const struct dmawin_pe_dev *d = pe->devs; d; d = d->next)
		n++;
	if (!ret && n != pe->ndevs)
		ret = -CHK_DEVS;
	n = 0;
	for (unsigned int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		n += pe->winset->win[i].active;
	if (!ret && pe->nspare != n)
		ret = -CHK_SPARES;
	for (unsigned int i = 0; i < pe->nspare && !ret; i++)
		if (!pe->spare[i])
			ret = -CHK_SPARES;
	eeh = __atomic_load_n(&pe->eeh, __ATOMIC_ACQUIRE);
	if (!ret && ((eeh & ~known) || (!(eeh & PE_EEH_ENABLED) && eeh)))
		ret = -CHK_EEH;
	pthread_mutex_unlock(&pe->lock);
	return ret;
}
