/* SPDX-License-Identifier: MIT */
/*
 * The TCE hcalls, QEMU 7.2 order of checks and codes (spec §2), with the strict KVM/PAPR checks
 * as an option. Bulk calls validate the range once and write through the tce layer in one call;
 * that is the same outcome as QEMU's entry-by-entry loop, whose only failure is the bounds check.
 */
#include <errno.h>
#include <string.h>

#include "dmawin/pe.h"
#include "dmawin/tce.h"
#include "papr/papr_int.h"

static inline uint64_t page_mask(const struct papr_window *w)
{
	return ~((UINT64_C(1) << w->page_shift) - 1);
}

/* QEMU put_tce_emu/get_tce_emu: index = (ioba - bus_offset) >> shift, unsigned; in range? */
static inline bool window_index(const struct papr_window *w, uint64_t ioba, uint64_t *index)
{
	*index = (ioba - w->bus_offset) >> w->page_shift;
	return *index < w->nb_table;
}

/* How many of @npages entries from @index lie inside the window (QEMU writes those, then
 * fails on the next one). */
static inline uint64_t entries_inside(const struct papr_window *w, uint64_t index, uint64_t npages)
{
	if (index >= w->nb_table)
		return 0;
	return DW_MIN(npages, w->nb_table - index);
}

/*
 * Once an hcall that removed or changed a mapping returns, no device byte may move through the
 * old entry: the tce layer bumps the table generation exactly for such writes, and then the PE
 * waits for the DMA that was in flight (QEMU gets the same from its big lock).
 */
static void settle_dma(const struct papr_phb *phb, const struct papr_window *w,
		       uint64_t generation_before)
{
	if (dmawin_tce_generation(w->table) != generation_before)
		dmawin_pe_dma_barrier(phb->pe);
}

/* Strict mode: a mapping TCE must name whole pages of guest RAM with no stray low bits. */
static bool strict_tce_ok(struct dmawin_papr *m, const struct papr_window *w, uint64_t tce)
{
	uint64_t size = UINT64_C(1) << w->page_shift;
	void *host;

	if (!(tce & DMAWIN_TCE_PERM_MASK))
		return true;
	if (tce & (size - 1) & ~DMAWIN_TCE_PERM_MASK)
		return false;
	return dmawin_mem_translate(m->mem, tce & page_mask(w), size, &host) == 0;
}

/* Strict mode: ioba aligned and [ioba, ioba + npages pages) inside the window. */
static bool strict_range_ok(const struct papr_window *w, uint64_t ioba, uint64_t npages)
{
	uint64_t index;

	if (ioba & ~page_mask(w))
		return false;
	if (!window_index(w, ioba, &index) || ioba < w->bus_offset)
		return false;
	return npages <= w->nb_table - index;
}

static int64_t put_tce_locked(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba, uint64_t tce)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_PUT, .liobn = liobn, .tce = tce};
	struct papr_phb *phb;
	struct papr_window *w = papr_find_liobn(m, liobn, &phb);
	uint64_t index, generation;

	tr.ret = DMAWIN_PAPR_H_PARAMETER;
	tr.ioba = ioba;
	if (!w)
		goto out;
	if (m->cfg.strict_papr && (!strict_range_ok(w, ioba, 1) || !strict_tce_ok(m, w, tce)))
		goto out;
	ioba &= page_mask(w);
	tr.ioba = ioba;
	if (!window_index(w, ioba, &index))
		goto out;
	generation = dmawin_tce_generation(w->table);
	if (dmawin_tce_put(w->table, index, tce) != 0) {
		tr.ret = DMAWIN_PAPR_H_HARDWARE;
		goto out;
	}
	settle_dma(phb, w, generation);
	if (m->nr_notifiers)
		papr_notify_entries(m, phb, w, index, NULL, tce, 1);
	tr.ret = DMAWIN_PAPR_H_SUCCESS;
out:
	papr_trace(m, &tr);
	return tr.ret;
}

int64_t dmawin_papr_h_put_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba, uint64_t tce)
{
	int64_t ret;

	pthread_mutex_lock(&m->lock);
	ret = put_tce_locked(m, liobn, ioba, tce);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int64_t get_tce_locked(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba, uint64_t *tce)
{
	struct dmawin_papr_trace tr = {.type = DMAWIN_PAPR_TR_GET, .liobn = liobn, .ioba = ioba};
	struct papr_window *w = papr_find_liobn(m, liobn, NULL);
	uint64_t index, value;

	tr.ret = DMAWIN_PAPR_H_PARAMETER;
	if (!w)
		goto out;
	if (m->cfg.strict_papr && !strict_range_ok(w, ioba, 1))
		goto out;
	ioba &= page_mask(w);
	tr.ioba = ioba;
	if (!window_index(w, ioba, &index) || dmawin_tce_get(w->table, index, &value) != 0)
		goto out;
	*tce = value;
	tr.tce = value;
	tr.ret = DMAWIN_PAPR_H_SUCCESS;
out:
	papr_trace(m, &tr);
	return tr.ret;
}

int64_t dmawin_papr_h_get_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba, uint64_t *tce)
{
	int64_t ret;

	if (!tce)
		return DMAWIN_PAPR_H_PARAMETER;
	pthread_mutex_lock(&m->lock);
	ret = get_tce_locked(m, liobn, ioba, tce);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/*
 * The write step of both bulk hcalls: @n entries from @index get @tces[i] (or @same_tce each when
 * @tces is NULL) in one tce-layer call, then DMA through a changed entry settles and the
 * notifiers hear of every entry, in that order for both calls. 0, or the tce layer's error.
 */
static int bulk_write(struct dmawin_papr *m, const struct papr_phb *phb,
		      const struct papr_window *w, uint64_t index, const uint64_t *tces,
		      uint64_t same_tce, uint64_t n)
{
	uint64_t generation = dmawin_tce_generation(w->table);

	if (n) {
		int rc = tces ? dmawin_tce_put_array(w->table, index, tces, n)
			      : dmawin_tce_stuff(w->table, index, n, same_tce);

		if (rc)
			return rc;
	}
	settle_dma(phb, w, generation);
	if (n && m->nr_notifiers)
		papr_notify_entries(m, phb, w, index, tces, same_tce, n);
	return 0;
}

/* Read the big-endian list. QEMU reads with ldq_be_phys: bytes that are not RAM read as 0. */
static bool read_tce_list(struct dmawin_papr *m, uint64_t tce_list, uint64_t npages, uint64_t *tces)
{
	bool all_ram = true;

	if (dmawin_mem_read(m->mem, tce_list, tces, npages * 8) != 0) {
		all_ram = false;
		for (uint64_t i = 0; i < npages; i++)
			if (dmawin_mem_read(m->mem, tce_list + 8 * i, &tces[i], 8) != 0)
				tces[i] = 0;
	}
	for (uint64_t i = 0; i < npages; i++)
		tces[i] = __builtin_bswap64(tces[i]);
	return all_ram;
}

static int64_t indirect_locked(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
			       uint64_t tce_list, uint64_t npages)
{
	struct dmawin_papr_trace tr = {
		.type = DMAWIN_PAPR_TR_INDIRECT, .liobn = liobn, .ioba = ioba, .tce = tce_list};
	uint64_t tces[DMAWIN_PAPR_INDIRECT_MAX];
	struct papr_phb *phb;
	struct papr_window *w = papr_find_liobn(m, liobn, &phb);
	uint64_t index, n;
	bool all_ram;

	if (m->cfg.strict_papr && !m->cfg.multitce)
		return DMAWIN_PAPR_H_FUNCTION;
	/* early returns: no trace line (spec §7) */
	if (!w || npages > DMAWIN_PAPR_INDIRECT_MAX || (tce_list & (PAPR_TCE_PAGE_SIZE - 1)))
		return DMAWIN_PAPR_H_PARAMETER;
	if (m->cfg.strict_papr && npages == 0)
		return DMAWIN_PAPR_H_SUCCESS; /* KVM: an empty range validates */
	all_ram = read_tce_list(m, tce_list, npages, tces);
	if (m->cfg.strict_papr) {
		bool ok = all_ram && strict_range_ok(w, ioba, npages);
		for (uint64_t i = 0; ok && i < npages; i++)
			ok = strict_tce_ok(m, w, tces[i]);
		if (!ok)
			return DMAWIN_PAPR_H_PARAMETER;
	}
	window_index(w, ioba & page_mask(w), &index);
	n = entries_inside(w, index, npages);
	if (bulk_write(m, phb, w, index, tces, 0, n) != 0)
		return DMAWIN_PAPR_H_HARDWARE;
	/* QEMU: ret starts as H_PARAMETER; i = last good entry (or 0), tce = last value read */
	tr.ret = (npages && n == npages) ? DMAWIN_PAPR_H_SUCCESS : DMAWIN_PAPR_H_PARAMETER;
	if (npages) {
		uint64_t stop = n == npages ? n - 1 : n;
		tr.iobaN = n ? n - 1 : 0;
		tr.tceN = tces[stop];
	}
	papr_trace(m, &tr);
	return tr.ret;
}

int64_t dmawin_papr_h_put_tce_indirect(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
				       uint64_t tce_list, uint64_t npages)
{
	int64_t ret;

	pthread_mutex_lock(&m->lock);
	ret = indirect_locked(m, liobn, ioba, tce_list, npages);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static int64_t stuff_strict(const struct papr_window *w, uint64_t ioba, uint64_t tce_value,
			    uint64_t npages)
{
	if (npages == 0)
		return DMAWIN_PAPR_H_SUCCESS;
	if (npages > DMAWIN_PAPR_INDIRECT_MAX)
		return DMAWIN_PAPR_H_P4;
	if ((tce_value & DMAWIN_TCE_PERM_MASK) || !strict_range_ok(w, ioba, npages))
		return DMAWIN_PAPR_H_PARAMETER;
	return 1; /* go on */
}

static int64_t stuff_locked(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
			    uint64_t tce_value, uint64_t npages)
{
	struct dmawin_papr_trace tr = {
		.type = DMAWIN_PAPR_TR_STUFF, .liobn = liobn, .tce = tce_value, .npages = npages};
	struct papr_phb *phb;
	struct papr_window *w = papr_find_liobn(m, liobn, &phb);
	uint64_t index, n;

	if (m->cfg.strict_papr && !m->cfg.multitce)
		return DMAWIN_PAPR_H_FUNCTION;
	if (!w)
		return DMAWIN_PAPR_H_PARAMETER;
	if (m->cfg.strict_papr) {
		int64_t r = stuff_strict(w, ioba, tce_value, npages);
		if (r != 1)
			return r;
	} else if (npages > w->nb_table) {
		return DMAWIN_PAPR_H_PARAMETER; /* early, no trace */
	}
	ioba &= page_mask(w);
	window_index(w, ioba, &index);
	n = entries_inside(w, index, npages);
	if (bulk_write(m, phb, w, index, NULL, tce_value, n) != 0)
		return DMAWIN_PAPR_H_HARDWARE;
	/* QEMU prints the loop's ioba: one past the last written page, or the failing one */
	tr.ioba = ioba + (n << w->page_shift);
	tr.ret = (npages && n == npages) ? DMAWIN_PAPR_H_SUCCESS : DMAWIN_PAPR_H_PARAMETER;
	papr_trace(m, &tr);
	return tr.ret;
}

int64_t dmawin_papr_h_stuff_tce(struct dmawin_papr *m, uint64_t liobn, uint64_t ioba,
				uint64_t tce_value, uint64_t npages)
{
	int64_t ret;

	pthread_mutex_lock(&m->lock);
	ret = stuff_locked(m, liobn, ioba, tce_value, npages);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int64_t dmawin_papr_hcall(struct dmawin_papr *m, uint64_t opcode, const uint64_t args[4],
			  uint64_t rets[1])
{
	if (!args)
		return DMAWIN_PAPR_H_PARAMETER;
	switch (opcode) {
	case DMAWIN_PAPR_H_PUT_TCE:
		return dmawin_papr_h_put_tce(m, args[0], args[1], args[2]);
	case DMAWIN_PAPR_H_GET_TCE: {
		uint64_t tce;
		int64_t ret = dmawin_papr_h_get_tce(m, args[0], args[1], &tce);
		if (ret == DMAWIN_PAPR_H_SUCCESS && rets)
			rets[0] = tce;
		return ret;
	}
	case DMAWIN_PAPR_H_PUT_TCE_INDIRECT:
		return dmawin_papr_h_put_tce_indirect(m, args[0], args[1], args[2], args[3]);
	case DMAWIN_PAPR_H_STUFF_TCE:
		return dmawin_papr_h_stuff_tce(m, args[0], args[1], args[2], args[3]);
	case DMAWIN_PAPR_H_RTAS:
		return dmawin_papr_rtas_buffer(m, args[0]) == -EFAULT ? DMAWIN_PAPR_H_PARAMETER
								      : DMAWIN_PAPR_H_SUCCESS;
	default:
		return DMAWIN_PAPR_H_FUNCTION;
	}
}
