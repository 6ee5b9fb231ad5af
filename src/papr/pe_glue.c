/* SPDX-License-Identifier: MIT */
/*
 * The pe layer under each PHB: QEMU's PE is the whole PHB, so each papr PHB owns one pe PHB with
 * one PE (number 0) whose two window slots mirror the LIOBN slots. The tables are shared by
 * reference, so a TCE written by an hcall is what the next device translation reads.
 */
#include <errno.h>

#include "dmawin/pe.h"
#include "papr/papr_int.h"

static void pe_config(const struct dmawin_papr_phb_config *c, struct dmawin_phb_config *cfg)
{
	dmawin_pe_phb_config_init(cfg);
	cfg->placement = DMAWIN_PE_PLACEMENT_CLASSIC; /* QEMU: windows are where they are put */
	cfg->dma_win_addr = c->dma_win_addr;
	cfg->dma_win_size = c->dma_win_size;
	cfg->dma64_win_addr = c->dma64_win_addr;
	cfg->msi_win_addr = DMAWIN_PAPR_MSI_WINDOW;
	cfg->msi_win_size = PAPR_MSI_WINDOW_SIZE;
	cfg->max_pes = 1;
	cfg->freeze_on_fault = false; /* QEMU's emulated devices never freeze (spec §6) */
}

int papr_pe_config_check(const struct dmawin_papr_phb_config *c)
{
	struct dmawin_phb_config cfg;

	pe_config(c, &cfg);
	return dmawin_pe_phb_config_check(&cfg);
}

int papr_pe_init(struct dmawin_papr *m, struct papr_phb *phb)
{
	struct dmawin_phb_config cfg;
	struct dmawin_pe *pe;
	int rc;

	pe_config(&phb->cfg, &cfg);
	rc = dmawin_pe_phb_create(&cfg, m->mem, &phb->pe_phb);
	if (rc)
		return rc;
	rc = dmawin_pe_create(phb->pe_phb, 0, &pe);
	if (rc) {
		dmawin_pe_phb_destroy(phb->pe_phb);
		phb->pe_phb = NULL;
		return rc;
	}
	phb->pe = pe;
	return 0;
}

void papr_pe_fini(struct dmawin_papr *m, struct papr_phb *phb)
{
	(void)m;
	dmawin_pe_phb_destroy(phb->pe_phb); /* NULL is a no-op */
	phb->pe_phb = NULL;
	phb->pe = NULL;
}

int papr_pe_attach(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w,
		   struct dmawin_tce_table *table, uint64_t bus_offset, uint32_t page_shift,
		   uint64_t nb_table)
{
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_TABLE,
		.table = table,
		.bus_offset = bus_offset,
		.size = nb_table << page_shift, /* beyond nb_table QEMU's translation misses */
	};

	(void)m;
	return dmawin_pe_set_window(phb->pe, w->liobn & 0xff, &wc);
}

void papr_pe_detach(struct dmawin_papr *m, struct papr_phb *phb, struct papr_window *w)
{
	(void)m;
	dmawin_pe_unset_window(phb->pe, w->liobn & 0xff);
}

uint32_t papr_pe_eeh_state(struct dmawin_papr *m, const struct papr_phb *phb)
{
	int st = dmawin_pe_eeh_state(phb->pe);

	(void)m;
	return st < 0 ? DMAWIN_PE_EEH_NORMAL : (uint32_t)st;
}

bool papr_pe_eeh_state_valid(uint32_t state)
{
	return state == DMAWIN_PE_EEH_NORMAL || state == DMAWIN_PE_EEH_RESET ||
	       state == DMAWIN_PE_EEH_STOPPED || state == DMAWIN_PE_EEH_STOPPED_DMA ||
	       state == DMAWIN_PE_EEH_UNAVAIL;
}

/* Back to NORMAL from any state: enable, release reset, configure, thaw both. */
void papr_pe_eeh_reset(struct dmawin_papr *m, struct papr_phb *phb)
{
	(void)m;
	dmawin_pe_eeh_set_enabled(phb->pe, true);
	if (dmawin_pe_eeh_state(phb->pe) == DMAWIN_PE_EEH_NORMAL)
		return;
	dmawin_pe_eeh_reset(phb->pe, DMAWIN_PE_EEH_RESET_DEACTIVATE);
	dmawin_pe_eeh_configure(phb->pe);
	dmawin_pe_eeh_thaw(phb->pe, DMAWIN_PE_EEH_THAW_MMIO);
	dmawin_pe_eeh_thaw(phb->pe, DMAWIN_PE_EEH_THAW_DMA);
}

/* Reach @state from NORMAL with the operations a guest/VFIO would use. */
int papr_pe_eeh_restore(struct dmawin_papr *m, struct papr_phb *phb, uint32_t state)
{
	int rc = 0;

	papr_pe_eeh_reset(m, phb);
	switch (state) {
	case DMAWIN_PE_EEH_NORMAL:
		break;
	case DMAWIN_PE_EEH_RESET:
		rc = dmawin_pe_eeh_reset(phb->pe, DMAWIN_PE_EEH_RESET_HOT);
		break;
	case DMAWIN_PE_EEH_STOPPED:
		rc = dmawin_pe_eeh_freeze(phb->pe);
		break;
	case DMAWIN_PE_EEH_STOPPED_DMA:
		rc = dmawin_pe_eeh_freeze(phb->pe);
		if (!rc)
			rc = dmawin_pe_eeh_thaw(phb->pe, DMAWIN_PE_EEH_THAW_MMIO);
		break;
	case DMAWIN_PE_EEH_UNAVAIL:
		rc = dmawin_pe_eeh_set_enabled(phb->pe, false);
		break;
	default:
		rc = -EINVAL;
	}
	return rc;
}

struct dmawin_pe *dmawin_papr_phb_pe(struct dmawin_papr *m, unsigned pos)
{
	return pos < m->cfg.nr_phbs ? m->phbs[pos].pe : NULL;
}

static int dma(struct dmawin_papr *m, unsigned pos, uint64_t bus_addr, bool is_read, void *dst,
	       const void *src, size_t len)
{
	struct dmawin_pe_dev *dev;
	int rc;

	if (pos >= m->cfg.nr_phbs)
		return -ENOENT;
	rc = dmawin_pe_dev_create(m->phbs[pos].pe, NULL, &dev);
	if (rc)
		return rc;
	rc = is_read ? dmawin_pe_dma_read(dev, bus_addr, dst, len, NULL)
		     : dmawin_pe_dma_write(dev, bus_addr, src, len, NULL);
	dmawin_pe_dev_destroy(dev);
	return rc;
}

int dmawin_papr_dma_read(struct dmawin_papr *m, unsigned pos, uint64_t bus_addr, void *dst,
			 size_t len)
{
	return dma(m, pos, bus_addr, true, dst, NULL, len);
}

int dmawin_papr_dma_write(struct dmawin_papr *m, unsigned pos, uint64_t bus_addr, const void *src,
			  size_t len)
{
	return dma(m, pos, bus_addr, false, NULL, src, len);
}
