/* SPDX-License-Identifier: MIT */
/* Window slots of a PHB: enable (new zeroed table), disable, and the DMA reset. */
#include <errno.h>
#include <string.h>

#include "dmawin/tce.h"
#include "papr/papr_int.h"

unsigned papr_phb_active_windows(const struct papr_phb *phb)
{
	unsigned n = 0;

	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++)
		n += phb->win[i].nb_table != 0;
	return n;
}

/* A TCE table holds a power-of-two number of entries; QEMU's nb_table need not be one, so the
 * table is rounded up and the hcalls bound every access by nb_table. */
int papr_table_create(uint32_t page_shift, uint64_t nb_table, struct dmawin_tce_table **out)
{
	struct dmawin_tce_geometry g = {.page_shift = page_shift};
	uint64_t entries = 1;

	while (entries < nb_table)
		entries <<= 1;
	g.entries = entries;
	return dmawin_tce_create(&g, out);
}

/*
 * Install @table (already holding one reference for the slot) as the window of slot @w. Called
 * with every check done: only the pe attachment can still fail, and then nothing changed.
 */
int papr_window_enable(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w,
		       struct dmawin_tce_table *table, uint64_t bus_offset, uint32_t page_shift,
		       uint64_t nb_table, bool is_default)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_NEW_TABLE, .liobn = w->liobn};
	int rc;

	rc = papr_pe_attach(m, phb, w, table, bus_offset, page_shift, nb_table);
	if (rc)
		return rc;
	w->table = table;
	w->bus_offset = bus_offset;
	w->page_shift = page_shift;
	w->nb_table = nb_table;
	w->is_default = is_default;
	papr_trace(m, &tr);
	papr_notify_window(m, phb, w, DMAWIN_PAPR_EV_WINDOW_ADD);
	return 0;
}

/* Disable slot @w. bus_offset and page_shift stay, as in QEMU (an hcall on a disabled table
 * still masks the ioba with the last page size before failing its bounds check). */
void papr_window_disable(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w)
{
	if (!w->nb_table)
		return;
	papr_notify_window(m, phb, w, DMAWIN_PAPR_EV_WINDOW_DEL);
	papr_pe_detach(m, phb, w);
	dmawin_tce_unref(w->table);
	w->table = NULL;
	w->nb_table = 0;
	w->is_default = false;
}

/*
 * QEMU spapr_phb_dma_reset: every window off, then LIOBN#0 back as the default window
 * (dma_win_addr, dma_win_size >> 12 entries of 4 KiB, zeroed). EEH state is not touched here
 * (ibm,reset-pe-dma-window does not thaw a PE); machine reset clears it separately.
 * The new table is allocated first so that a failure leaves the PHB as it was.
 */
int papr_phb_dma_reset(struct dmawin_papr *m, struct papr_phb *phb)
{
	uint64_t nb = phb->cfg.dma_win_size >> PAPR_TCE_PAGE_SHIFT;
	struct dmawin_tce_table *table = NULL;
	int rc;

	if (nb) {
		rc = papr_table_create(PAPR_TCE_PAGE_SHIFT, nb, &table);
		if (rc)
			return rc;
	}
	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++)
		papr_window_disable(m, phb, &phb->win[i]);
	if (!nb)
		return 0;
	rc = papr_window_enable(m, phb, &phb->win[0], table, phb->cfg.dma_win_addr,
				PAPR_TCE_PAGE_SHIFT, nb, true);
	if (rc)
		dmawin_tce_unref(table);
	return rc;
}

int papr_phb_init(struct dmawin_papr *m, struct papr_phb *phb)
{
	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++) {
		memset(&phb->win[i], 0, sizeof(phb->win[i]));
		phb->win[i].liobn = DMAWIN_PAPR_LIOBN(phb->cfg.index, i);
	}
	return papr_pe_init(m, phb);
}

void papr_phb_fini(struct dmawin_papr *m, struct papr_phb *phb)
{
	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++) {
		if (phb->win[i].nb_table)
			papr_pe_detach(m, phb, &phb->win[i]);
		dmawin_tce_unref(phb->win[i].table);
		phb->win[i].table = NULL;
		phb->win[i].nb_table = 0;
	}
	papr_pe_fini(m, phb);
}
