/* SPDX-License-Identifier: MIT */
/* The DDW RTAS calls (spec §3): query, create, remove, reset; QEMU >= 7.1 order and status. */
#include <errno.h>
#include <string.h>

#include "dmawin/tce.h"
#include "papr/papr_int.h"

#define RTAS_PARAM DMAWIN_PAPR_RTAS_PARAM_ERROR
#define RTAS_HW	   DMAWIN_PAPR_RTAS_HW_ERROR

static struct papr_phb *ddw_phb(struct dmawin_papr *m, uint32_t buid_hi, uint32_t buid_lo)
{
	struct papr_phb *phb = papr_find_buid(m, buid_hi, buid_lo);

	return phb && phb->cfg.ddw ? phb : NULL;
}

/* TCEs held by the windows DDW created (the budget does not count the default window). */
static uint64_t ddw_tces(const struct papr_phb *phb)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++)
		if (phb->win[i].nb_table && !phb->win[i].is_default)
			n += phb->win[i].nb_table;
	return n;
}

static uint64_t budget_left(const struct papr_phb *phb)
{
	uint64_t used = ddw_tces(phb);

	if (!phb->cfg.tce_budget)
		return UINT64_MAX;
	return used < phb->cfg.tce_budget ? phb->cfg.tce_budget - used : 0;
}

static int32_t query_locked(struct dmawin_papr *m, uint32_t config_addr, uint32_t buid_hi,
			    uint32_t buid_lo, uint32_t nret, uint32_t *rets,
			    struct dmawin_papr_ddw_query *out)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_DDW_QUERY, .cfgaddr = config_addr};
	struct dmawin_papr_ddw_query q = {0};
	struct papr_phb *phb;

	if (nret != 5 && nret != 6)
		return RTAS_PARAM;
	if (nret == 6 && m->cfg.compat < PAPR_COMPAT_DDW_7_1)
		return RTAS_PARAM; /* ddw-extensions index 3 not advertised */
	phb = ddw_phb(m, buid_hi, buid_lo);
	if (!phb)
		return RTAS_PARAM;
	q.windows_available = phb->cfg.max_windows - papr_phb_active_windows(phb);
	q.largest_block = nret == 6 ? PAPR_QUERY6_LARGEST_BLOCK : PAPR_QUERY5_LARGEST_BLOCK;
	q.largest_block = DW_MIN(q.largest_block, budget_left(phb));
	q.page_size_mask = papr_query_mask(m, phb);
	q.migration_capable = 0;
	if (rets) {
		unsigned i = 1;
		rets[i++] = q.windows_available;
		if (nret == 6)
			rets[i++] = (uint32_t)(q.largest_block >> 32);
		rets[i++] = (uint32_t)q.largest_block;
		rets[i++] = q.page_size_mask;
		rets[i] = q.migration_capable;
	}
	if (out)
		*out = q;
	tr.buid = phb->cfg.buid;
	tr.windows_available = q.windows_available;
	tr.max_window_size = PAPR_QUERY5_LARGEST_BLOCK; /* QEMU traces the constant */
	tr.mask = q.page_size_mask;
	papr_trace(m, &tr);
	return DMAWIN_PAPR_RTAS_SUCCESS;
}

int32_t dmawin_papr_rtas_query_pe_dma_window(struct dmawin_papr *m, uint32_t config_addr,
					     uint32_t buid_hi, uint32_t buid_lo, uint32_t nret,
					     uint32_t *rets, struct dmawin_papr_ddw_query *out)
{
	int32_t st;

	pthread_mutex_lock(&m->lock);
	st = query_locked(m, config_addr, buid_hi, buid_lo, nret, rets, out);
	pthread_mutex_unlock(&m->lock);
	if (rets)
		rets[0] = (uint32_t)st;
	return st;
}

static struct papr_window *free_slot(struct papr_phb *phb)
{
	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++)
		if (!phb->win[i].nb_table)
			return &phb->win[i];
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t a_last, uint64_t b, uint64_t b_last)
{
	return a <= b_last && b <= a_last;
}

/* dmawin's extra placement checks (QEMU has none): no wrap, no overlap with the other window
 * or the MSI window. */
static bool placement_ok(const struct papr_phb *phb, const struct papr_window *w, uint64_t start,
			 uint32_t window_shift)
{
	uint64_t last;

	if (window_shift >= 64 ||
	    __builtin_add_overflow(start, (UINT64_C(1) << window_shift) - 1, &last))
		return false;
	if (overlaps(start, last, DMAWIN_PAPR_MSI_WINDOW,
		     DMAWIN_PAPR_MSI_WINDOW + PAPR_MSI_WINDOW_SIZE - 1))
		return false;
	for (unsigned i = 0; i < DMAWIN_PAPR_MAX_WINDOWS; i++) {
		const struct papr_window *o = &phb->win[i];
		if (o == w || !o->nb_table)
			continue;
		if (overlaps(start, last, o->bus_offset,
			     o->bus_offset + (o->nb_table << o->page_shift) - 1))
			return false;
	}
	return true;
}

uint64_t papr_window_start(const struct papr_phb *phb, const struct papr_window *w, unsigned active)
{
	if (phb->cfg.placement == DMAWIN_PAPR_PLACE_SLOT)
		return (w->liobn & 0xff) == 0 ? phb->cfg.dma_win_addr : phb->cfg.dma64_win_addr;
	/* limited addressing mode: a DDW never starts below 4 GiB (config check) */
	return active == 0 && !phb->limited_addr ? phb->cfg.dma_win_addr : phb->cfg.dma64_win_addr;
}

static int32_t create_locked(struct dmawin_papr *m, const uint32_t *args, uint32_t *liobn,
			     uint64_t *start)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_DDW_CREATE, .cfgaddr = args[0]};
	struct papr_phb *phb = ddw_phb(m, args[1], args[2]);
	uint32_t ps = args[3], ws = args[4];
	struct dmawin_tce_table *table;
	struct papr_window *w;
	unsigned active;
	uint64_t bus, nb;

	if (!phb || ps > 63 || !(phb->cfg.pgsz & (UINT64_C(1) << ps)) || ws < ps)
		return RTAS_PARAM;
	w = free_slot(phb);
	active = papr_phb_active_windows(phb);
	if (!w || active >= phb->cfg.max_windows)
		return RTAS_HW;
	bus = papr_window_start(phb, w, active);
	if (ws - ps >= 32)
		return RTAS_HW; /* QEMU's uint32_t nb_table truncates to 0 */
	nb = UINT64_C(1) << (ws - ps);
	if (!placement_ok(phb, w, bus, ws) || nb > budget_left(phb))
		return RTAS_PARAM;
	if (papr_table_create(ps, nb, &table) != 0)
		return RTAS_HW;
	if (papr_window_enable(m, phb, w, table, bus, ps, nb, false) != 0) {
		dmawin_tce_unref(table);
		return RTAS_HW;
	}
	*liobn = w->liobn;
	*start = bus;
	tr.buid = phb->cfg.buid;
	tr.page_size = UINT64_C(1) << ps;
	tr.requested = UINT64_C(1) << ws;
	tr.start = bus;
	tr.liobn = w->liobn;
	papr_trace(m, &tr);
	return DMAWIN_PAPR_RTAS_SUCCESS;
}

int32_t dmawin_papr_rtas_create_pe_dma_window(struct dmawin_papr *m, uint32_t config_addr,
					      uint32_t buid_hi, uint32_t buid_lo,
					      uint32_t page_shift, uint32_t window_shift,
					      uint32_t *liobn, uint64_t *start)
{
	const uint32_t args[5] = {config_addr, buid_hi, buid_lo, page_shift, window_shift};
	uint32_t l = 0;
	uint64_t s = 0;
	int32_t st;

	pthread_mutex_lock(&m->lock);
	st = create_locked(m, args, &l, &s);
	pthread_mutex_unlock(&m->lock);
	if (st == 0) {
		if (liobn)
			*liobn = l;
		if (start)
			*start = s;
	}
	return st;
}

static int32_t remove_locked(struct dmawin_papr *m, uint32_t liobn)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_DDW_REMOVE, .liobn = liobn};
	struct papr_phb *phb;
	struct papr_window *w = papr_find_liobn(m, liobn, &phb);
	bool was_default;

	if (!w || !phb->cfg.ddw || !w->nb_table)
		return RTAS_PARAM;
	was_default = w->is_default;
	papr_window_disable(m, phb, w);
	papr_trace(m, &tr);
	/* LoPAR R1-3 (QEMU >= 7.1): the last window gone and it was not the default one. The
	 * flag belongs to the window instance, not to LIOBN#0 as in QEMU (spec §3 quirk). */
	if (papr_phb_active_windows(phb) == 0 && !was_default &&
	    m->cfg.compat >= PAPR_COMPAT_DDW_7_1) {
		struct dmawin_papr_trace rt = {.type = DMAWIN_PAPR_TR_DDW_RESET,
					       .buid = phb->cfg.buid};
		if (papr_phb_dma_reset(m, phb) != 0)
			return RTAS_HW;
		papr_trace(m, &rt);
	}
	return DMAWIN_PAPR_RTAS_SUCCESS;
}

int32_t dmawin_papr_rtas_remove_pe_dma_window(struct dmawin_papr *m, uint32_t liobn)
{
	int32_t st;

	pthread_mutex_lock(&m->lock);
	st = remove_locked(m, liobn);
	pthread_mutex_unlock(&m->lock);
	return st;
}

/* @mode: the fourth input of the limited-addressing extension, or -1 for the 3-input call. */
static int32_t reset_locked(struct dmawin_papr *m, uint32_t config_addr, uint32_t buid_hi,
			    uint32_t buid_lo, int64_t mode)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_DDW_RESET, .cfgaddr = config_addr};
	struct papr_phb *phb = ddw_phb(m, buid_hi, buid_lo);

	if (!phb || (mode >= 0 && (!phb->cfg.ddw_limited_addr || mode > 1)))
		return RTAS_PARAM;
	if (papr_phb_dma_reset(m, phb) != 0)
		return RTAS_HW;
	phb->limited_addr = mode == 1;
	tr.buid = phb->cfg.buid;
	papr_trace(m, &tr);
	return DMAWIN_PAPR_RTAS_SUCCESS;
}

int32_t dmawin_papr_rtas_reset_pe_dma_window(struct dmawin_papr *m, uint32_t config_addr,
					     uint32_t buid_hi, uint32_t buid_lo)
{
	int32_t st;

	pthread_mutex_lock(&m->lock);
	st = reset_locked(m, config_addr, buid_hi, buid_lo, -1);
	pthread_mutex_unlock(&m->lock);
	return st;
}

int32_t dmawin_papr_rtas_reset_pe_dma_window_mode(struct dmawin_papr *m, uint32_t config_addr,
						  uint32_t buid_hi, uint32_t buid_lo,
						  uint32_t limited_addr)
{
	int32_t st;

	pthread_mutex_lock(&m->lock);
	st = reset_locked(m, config_addr, buid_hi, buid_lo, limited_addr);
	pthread_mutex_unlock(&m->lock);
	return st;
}

int dmawin_papr_phb_limited_addr(struct dmawin_papr *m, unsigned pos)
{
	int on;

	if (pos >= m->cfg.nr_phbs)
		return -ENOENT;
	pthread_mutex_lock(&m->lock);
	on = m->phbs[pos].limited_addr;
	pthread_mutex_unlock(&m->lock);
	return on;
}
