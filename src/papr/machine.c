/* SPDX-License-Identifier: MIT */
/* The machine object: RAM, PHBs, lookup by LIOBN / BUID, reset, device-tree view. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "papr/papr_int.h"

static int machine_ram(struct dmawin_papr *m, char *why, size_t len)
{
	int rc;

	if (m->cfg.mem) {
		void *host;
		if (dmawin_mem_translate(m->cfg.mem, 0, 0, &host) != 0 ||
		    dmawin_mem_top(m->cfg.mem) < m->cfg.ram_size) {
			papr_why(why, len, "the given guest RAM does not cover [0, ram_size)");
			return -EINVAL;
		}
		m->mem = m->cfg.mem;
		return 0;
	}
	rc = dmawin_mem_create(NULL, &m->mem);
	if (rc)
		return rc;
	m->own_mem = true;
	rc = dmawin_mem_add_region(m->mem, 0, m->cfg.ram_size, NULL);
	if (rc)
		papr_why(why, len, "cannot allocate 0x%llx bytes of guest RAM",
			 (unsigned long long)m->cfg.ram_size);
	/* cold-plugged pc-dimms are RAM from boot; nvdimms are not RAM */
	for (uint32_t i = 0; rc == 0 && i < m->cfg.nr_dimms; i++) {
		const struct dmawin_papr_dimm *d = &m->cfg.dimms[i];

		if (d->nvdimm)
			continue;
		rc = dmawin_mem_add_region(m->mem, d->addr, d->size, NULL);
		if (rc)
			papr_why(why, len, "cannot allocate the DIMM at 0x%llx",
				 (unsigned long long)d->addr);
	}
	return rc;
}

static void machine_free(struct dmawin_papr *m)
{
	for (uint32_t i = 0; i < m->cfg.nr_phbs; i++)
		papr_phb_fini(m, &m->phbs[i]);
	if (m->own_mem)
		dmawin_mem_destroy(m->mem);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int dmawin_papr_create(const struct dmawin_papr_config *cfg, struct dmawin_papr **out, char *why,
		       size_t len)
{
	struct dmawin_papr *m;
	int rc;

	if (!out)
		return -EINVAL;
	rc = dmawin_papr_config_check(cfg, why, len);
	if (rc)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	pthread_mutex_init(&m->lock, NULL);
	memset(m->pos_by_index, -1, sizeof(m->pos_by_index));
	m->next_notifier_id = 1;
	for (uint32_t i = 0; i < cfg->nr_phbs; i++) {
		m->cfg.phbs[i].buid = papr_phb_buid(&cfg->phbs[i]);
		m->phbs[i].cfg = m->cfg.phbs[i];
		m->pos_by_index[cfg->phbs[i].index] = (int8_t)i;
	}
	rc = machine_ram(m, why, len);
	for (uint32_t i = 0; rc == 0 && i < cfg->nr_phbs; i++)
		rc = papr_phb_init(m, &m->phbs[i]);
	for (uint32_t i = 0; rc == 0 && i < cfg->nr_phbs; i++)
		rc = papr_phb_dma_reset(m, &m->phbs[i]);
	if (rc) {
		machine_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void dmawin_papr_destroy(struct dmawin_papr *m)
{
	if (m)
		machine_free(m);
}

const struct dmawin_papr_config *dmawin_papr_get_config(const struct dmawin_papr *m)
{
	return &m->cfg;
}

struct dmawin_mem *dmawin_papr_mem(struct dmawin_papr *m)
{
	return m->mem;
}

int dmawin_papr_reset(struct dmawin_papr *m)
{
	int rc = 0;

	pthread_mutex_lock(&m->lock);
	for (uint32_t i = 0; i < m->cfg.nr_phbs; i++) {
		int r = papr_phb_dma_reset(m, &m->phbs[i]);
		papr_pe_eeh_reset(m, &m->phbs[i]);
		m->phbs[i].limited_addr = false;
		if (r && !rc)
			rc = r;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* QEMU spapr_tce_find_by_liobn: exact match on the 32-bit LIOBN among the PHBs' tables. */
struct papr_window *papr_find_liobn(struct dmawin_papr *m, uint64_t liobn, struct papr_phb **phb)
{
	uint32_t index, n;
	int pos;

	if ((liobn >> 32) != 0 || !(liobn & PAPR_LIOBN_PCI))
		return NULL;
	index = ((uint32_t)liobn & ~PAPR_LIOBN_PCI) >> 8;
	n = (uint32_t)liobn & 0xff;
	if (index >= DMAWIN_PAPR_MAX_PHBS || n >= DMAWIN_PAPR_MAX_WINDOWS)
		return NULL;
	pos = m->pos_by_index[index];
	if (pos < 0)
		return NULL;
	if (phb)
		*phb = &m->phbs[pos];
	return &m->phbs[pos].win[n];
}

struct papr_phb *papr_find_buid(struct dmawin_papr *m, uint32_t buid_hi, uint32_t buid_lo)
{
	uint64_t buid = ((uint64_t)buid_hi << 32) | buid_lo;

	for (uint32_t i = 0; i < m->cfg.nr_phbs; i++)
		if (m->phbs[i].cfg.buid == buid)
			return &m->phbs[i];
	return NULL;
}

unsigned dmawin_papr_phb_count(const struct dmawin_papr *m)
{
	return m->cfg.nr_phbs;
}

int dmawin_papr_phb_find(const struct dmawin_papr *m, uint32_t index)
{
	if (index >= DMAWIN_PAPR_MAX_PHBS || m->pos_by_index[index] < 0)
		return -ENOENT;
	return m->pos_by_index[index];
}

int dmawin_papr_window_info(struct dmawin_papr *m, uint64_t liobn,
			    struct dmawin_papr_window_info *info)
{
	struct papr_phb *phb;
	struct papr_window *w;

	if (!info)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	w = papr_find_liobn(m, liobn, &phb);
	if (w) {
		memset(info, 0, sizeof(*info));
		info->liobn = w->liobn;
		info->phb_index = phb->cfg.index;
		info->slot = w->liobn & 0xff;
		info->enabled = w->nb_table != 0;
		info->is_default = info->enabled && w->is_default;
		info->bus_offset = w->bus_offset;
		info->page_shift = w->page_shift;
		info->nb_table = w->nb_table;
		info->size = w->nb_table << w->page_shift;
	}
	pthread_mutex_unlock(&m->lock);
	return w ? 0 : -ENOENT;
}

int dmawin_papr_phb_dt(struct dmawin_papr *m, unsigned pos, struct dmawin_papr_phb_dt *dt)
{
	const struct papr_phb *phb;

	if (!dt)
		return -EINVAL;
	if (pos >= m->cfg.nr_phbs)
		return -ENOENT;
	phb = &m->phbs[pos];
	memset(dt, 0, sizeof(*dt));
	dt->buid = phb->cfg.buid;
	dt->dma_window[0] = DMAWIN_PAPR_LIOBN(phb->cfg.index, 0);
	dt->dma_window[1] = (uint32_t)(phb->cfg.dma_win_addr >> 32);
	dt->dma_window[2] = (uint32_t)phb->cfg.dma_win_addr;
	dt->dma_window[3] = 0; /* QEMU: "window size is 32 bits" */
	dt->dma_window[4] = (uint32_t)phb->cfg.dma_win_size;
	dt->has_ddw = phb->cfg.ddw;
	if (phb->cfg.ddw) {
		dt->ddw_applicable[0] = DMAWIN_PAPR_RTAS_QUERY_PE_DMA_WINDOW;
		dt->ddw_applicable[1] = DMAWIN_PAPR_RTAS_CREATE_PE_DMA_WINDOW;
		dt->ddw_applicable[2] = DMAWIN_PAPR_RTAS_REMOVE_PE_DMA_WINDOW;
		/* LoPAR list: <count, reset token (2.7), 1 = 6-output query allowed (2.8)> */
		if (m->cfg.compat >= PAPR_COMPAT_DDW_7_1) {
			dt->n_ddw_extensions = 3;
			dt->ddw_extensions[0] = 2;
			dt->ddw_extensions[2] = 1;
		} else {
			dt->n_ddw_extensions = 2;
			dt->ddw_extensions[0] = 1;
		}
		dt->ddw_extensions[1] = DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW;
		/* PAPR 2.13: <3 .. .. 1>, limited addressing supported (Linux DDW_EXT index 3) */
		if (phb->cfg.ddw_limited_addr) {
			dt->n_ddw_extensions = 4;
			dt->ddw_extensions[0] = 3;
			dt->ddw_extensions[3] = 1;
		}
	}
	dt->hcall_multi_tce = m->cfg.multitce;
	return 0;
}
