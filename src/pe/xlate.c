/* SPDX-License-Identifier: MIT */
/*
 * Translation slow path (spec §6, QEMU's rule): EEH gate, injected DMA errors, window selection
 * by aperture, one table read, permission check. Also the device-less dmawin_pe_translate().
 */
#include <errno.h>

#include "pe/pe_int.h"

bool pe_eeh_freeze_now(struct dmawin_pe *pe)
{
	uint32_t old = __atomic_load_n(&pe->eeh, __ATOMIC_ACQUIRE), new;

	do {
		if (!(old & PE_EEH_ENABLED) || (old & PE_EEH_RESET))
			return false;
		new = old | PE_EEH_MMIO_FROZEN | PE_EEH_DMA_FROZEN;
		if (new == old)
			return false;
	} while (!__atomic_compare_exchange_n(&pe->eeh, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	pe_epoch_bump(pe);
	pe_atomic_inc(&pe->eehc.freezes);
	return true;
}

/* An armed injected DMA error: does this access fire it? Firing disarms and freezes. */
static bool inject_fires(struct dmawin_pe *pe, uint64_t addr, enum dmawin_pe_dir dir)
{
	uint32_t func = __atomic_load_n(&pe->inj_func, __ATOMIC_RELAXED);
	uint64_t a = __atomic_load_n(&pe->inj_addr, __ATOMIC_RELAXED);
	uint64_t mask = __atomic_load_n(&pe->inj_mask, __ATOMIC_RELAXED);
	enum dmawin_pe_dir want = func <= DMAWIN_PE_EEH_ERR_FUNC_DMA_RD_TARGET
					  ? DMAWIN_PE_DMA_READ
					  : DMAWIN_PE_DMA_WRITE;
	uint32_t old, new;

	if (dir != want || ((addr ^ a) & mask) != 0)
		return false;
	old = __atomic_load_n(&pe->eeh, __ATOMIC_ACQUIRE);
	do {
		if (!(old & PE_EEH_ARMED))
			return (old & PE_EEH_BLOCK) != 0; /* another access fired it first */
		new = (old & ~PE_EEH_ARMED) | PE_EEH_MMIO_FROZEN | PE_EEH_DMA_FROZEN;
	} while (!__atomic_compare_exchange_n(&pe->eeh, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	pe_epoch_bump(pe);
	pe_atomic_inc(&pe->eehc.freezes);
	pe_atomic_inc(&pe->eehc.injection_freezes);
	return true;
}

static int fault(struct dmawin_pe_xlate *out, enum dmawin_pe_fault why)
{
	out->fault = why;
	return why == DMAWIN_PE_FAULT_FROZEN ? -EIO : -EFAULT;
}

static void fill_entry(struct pe_iotlb_entry *e, const struct pe_win *w, uint64_t epoch,
		       uint64_t gen, uint64_t addr, const struct dmawin_pe_xlate *xl)
{
	uint64_t mask = (UINT64_C(1) << w->page_shift) - 1;

	e->epoch = epoch;
	e->bus = addr & ~mask;
	e->mask = mask;
	e->gpa = xl->gpa & ~mask;
	e->gen_ptr = &w->view->generation;
	e->gen = gen;
	e->tce = xl->tce;
	e->perm = (uint32_t)(xl->tce & DMAWIN_TCE_PERM_MASK);
	e->slot = (uint8_t)xl->slot;
	e->page_shift = (uint8_t)w->page_shift;
}

static int xlate_table(const struct pe_win *w, uint64_t epoch, uint64_t addr,
		       enum dmawin_pe_dir dir, struct dmawin_pe_xlate *out,
		       struct pe_iotlb_entry *fill)
{
	uint64_t mask = (UINT64_C(1) << w->page_shift) - 1;
	/* Generation first: a removal that lands after this load makes the cached copy stale. */
	uint64_t gen = dmawin_tce_view_generation(w->view);
	uint64_t tce = dmawin_tce_view_get(w->view, (addr - w->bus_offset) >> w->page_shift);

	out->tce = tce;
	out->page_shift = w->page_shift;
	if (!dmawin_tce_mapped(tce))
		return fault(out, DMAWIN_PE_FAULT_INVALID);
	if (!(tce & (UINT64_C(1) << dir)))
		return fault(out, DMAWIN_PE_FAULT_PERMISSION);
	out->gpa = dmawin_tce_addr(tce, w->page_shift) | (addr & mask);
	out->len = mask + 1 - (addr & mask);
	if (fill)
		fill_entry(fill, w, epoch, gen, addr, out);
	return 0;
}

int pe_xlate_slow(struct dmawin_pe *pe, const struct pe_winset *ws, uint64_t epoch, uint64_t addr,
		  enum dmawin_pe_dir dir, struct dmawin_pe_xlate *out, struct pe_iotlb_entry *fill)
{
	uint32_t eeh = __atomic_load_n(&pe->eeh, __ATOMIC_ACQUIRE);
	const struct pe_win *w;
	int slot;

	*out = (struct dmawin_pe_xlate){.slot = -1};
	if (unlikely(eeh & (PE_EEH_BLOCK | PE_EEH_ARMED))) {
		if ((eeh & PE_EEH_BLOCK) || inject_fires(pe, addr, dir)) {
			pe_atomic_inc(&pe->eehc.dma_blocked);
			return fault(out, DMAWIN_PE_FAULT_FROZEN);
		}
		fill = NULL; /* every access must meet the armed trigger */
	}
	slot = pe_win_select(ws, addr);
	if (slot < 0)
		return fault(out, DMAWIN_PE_FAULT_NO_WINDOW);
	w = &ws->win[slot];
	out->slot = slot;
	if (addr < w->start || addr > w->last)
		return fault(out, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	if (w->kind == DMAWIN_PE_WINDOW_TABLE)
		return xlate_table(w, epoch, addr, dir, out, fill);
	out->gpa = addr - w->bus_offset;
	out->len = w->last - addr == UINT64_MAX ? UINT64_MAX : w->last - addr + 1;
	return 0;
}

void pe_count_xlate(struct pe_bucket *st, const struct dmawin_pe_xlate *xl, bool miss)
{
	struct pe_bucket *b = &st[xl->slot >= 0 ? xl->slot : PE_NO_SLOT];

	pe_ctr_add(&b->translations, 1);
	if (miss)
		pe_ctr_add(&b->iotlb_misses, 1);
	if (xl->fault)
		pe_ctr_add(&b->faults[xl->fault], 1);
}

int dmawin_pe_translate(struct dmawin_pe *pe, uint64_t bus_addr, enum dmawin_pe_dir dir,
			struct dmawin_pe_xlate *out)
{
	uint64_t epoch;
	int ret;

	if (!pe || !out ||
	    ((unsigned int)dir != DMAWIN_PE_DMA_READ && (unsigned int)dir != DMAWIN_PE_DMA_WRITE))
		return -EINVAL;
	pthread_mutex_lock(&pe->lock);
	pe_reclaim_locked(pe);
	epoch = pe_epoch_load(pe);
	ret = pe_xlate_slow(pe, pe->winset, epoch, bus_addr, dir, out, NULL);
	pe_count_xlate(pe->dead, out, false);
	pthread_mutex_unlock(&pe->lock);
	return ret;
}
