/* SPDX-License-Identifier: MIT */
/*
 * Reference model of one QEMU 7.2 sPAPR PHB for differential tests of the papr layer: flat
 * uint64_t tables, and the hcalls written as QEMU's entry-by-entry loops (spec papr-ddw.md §2),
 * the DDW RTAS calls as §3 plus dmawin's documented fixes (window-instance default flag, no
 * overlapping windows). Deliberately naive: no levels, no bulk writes, no locking.
 */
#ifndef DMAWIN_PAPR_REF_H
#define DMAWIN_PAPR_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REF_H_SUCCESS	0
#define REF_H_PARAMETER (-4)

struct ref_win {
	uint64_t bus_offset;
	uint32_t page_shift;
	uint64_t nb_table; /* 0 = disabled */
	bool def;
	uint64_t *table;
};

struct ref_phb {
	uint32_t index;
	uint64_t dma_win_addr, dma_win_size, dma64_win_addr, pgsz;
	struct ref_win win[2];
	/* trace fields of the last indirect / stuff, as QEMU prints them */
	uint64_t last_iobaN, last_tceN, last_stuff_ioba;
	bool last_traced;
};

static inline void ref_win_disable(struct ref_win *w)
{
	free(w->table);
	w->table = NULL;
	w->nb_table = 0;
	w->def = false;
}

static inline void ref_win_enable(struct ref_win *w, uint64_t bus, uint32_t shift, uint64_t nb,
				  bool def)
{
	w->table = calloc(nb, sizeof(uint64_t));
	w->bus_offset = bus;
	w->page_shift = shift;
	w->nb_table = nb;
	w->def = def;
}

static inline void ref_dma_reset(struct ref_phb *p)
{
	ref_win_disable(&p->win[0]);
	ref_win_disable(&p->win[1]);
	ref_win_enable(&p->win[0], p->dma_win_addr, 12, p->dma_win_size >> 12, true);
}

static inline void ref_init(struct ref_phb *p, uint32_t index)
{
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->dma_win_addr = 0;
	p->dma_win_size = 1ull << 30;
	p->dma64_win_addr = 1ull << 59;
	p->pgsz = 0x1211000;
	ref_dma_reset(p);
}

static inline void ref_fini(struct ref_phb *p)
{
	ref_win_disable(&p->win[0]);
	ref_win_disable(&p->win[1]);
}

static inline struct ref_win *ref_find(struct ref_phb *p, uint64_t liobn)
{
	if (liobn & 0xffffffff00000000ull)
		return NULL;
	for (unsigned n = 0; n < 2; n++)
		if (liobn == (0x80000000u | (p->index << 8) | n))
			return &p->win[n];
	return NULL;
}

/* QEMU put_tce_emu */
static inline int64_t ref_put_emu(struct ref_win *w, uint64_t ioba, uint64_t tce)
{
	uint64_t index = (ioba - w->bus_offset) >> w->page_shift;

	if (index >= w->nb_table)
		return REF_H_PARAMETER;
	w->table[index] = tce;
	return REF_H_SUCCESS;
}

static inline uint64_t ref_mask(const struct ref_win *w)
{
	return ~((1ull << w->page_shift) - 1);
}

static inline int64_t ref_put_tce(struct ref_phb *p, uint64_t liobn, uint64_t ioba, uint64_t tce)
{
	struct ref_win *w = ref_find(p, liobn);

	if (!w)
		return REF_H_PARAMETER;
	return ref_put_emu(w, ioba & ref_mask(w), tce);
}

static inline int64_t ref_get_tce(struct ref_phb *p, uint64_t liobn, uint64_t ioba, uint64_t *tce)
{
	struct ref_win *w = ref_find(p, liobn);
	uint64_t index;

	if (!w)
		return REF_H_PARAMETER;
	index = ((ioba & ref_mask(w)) - w->bus_offset) >> w->page_shift;
	if (index >= w->nb_table)
		return REF_H_PARAMETER;
	*tce = w->table[index];
	return REF_H_SUCCESS;
}

/* @list: the npages values as QEMU would read them from guest memory */
static inline int64_t ref_indirect(struct ref_phb *p, uint64_t liobn, uint64_t ioba,
				   uint64_t tce_list, const uint64_t *list, uint64_t npages)
{
	struct ref_win *w = ref_find(p, liobn);
	int64_t ret = REF_H_PARAMETER;
	uint64_t i, tce = 0;

	p->last_traced = false;
	if (!w || npages > 512 || (tce_list & 0xfff))
		return REF_H_PARAMETER;
	ioba &= ref_mask(w);
	for (i = 0; i < npages; ++i, ioba += 1ull << w->page_shift) {
		tce = list[i];
		ret = ref_put_emu(w, ioba, tce);
		if (ret)
			break;
	}
	p->last_traced = true;
	p->last_iobaN = i ? i - 1 : 0;
	p->last_tceN = tce;
	return ret;
}

static inline int64_t ref_stuff(struct ref_phb *p, uint64_t liobn, uint64_t ioba, uint64_t value,
				uint64_t npages)
{
	struct ref_win *w = ref_find(p, liobn);
	int64_t ret = REF_H_PARAMETER;

	p->last_traced = false;
	if (!w || npages > w->nb_table)
		return REF_H_PARAMETER;
	ioba &= ref_mask(w);
	for (uint64_t i = 0; i < npages; ++i, ioba += 1ull << w->page_shift) {
		ret = ref_put_emu(w, ioba, value);
		if (ret)
			break;
	}
	p->last_traced = true;
	p->last_stuff_ioba = ioba;
	return ret;
}

static inline unsigned ref_active(const struct ref_phb *p)
{
	return (p->win[0].nb_table != 0) + (p->win[1].nb_table != 0);
}

static inline bool ref_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* ibm,create-pe-dma-window on this PHB: RTAS status; windows bounded by the test to sane sizes */
static inline int32_t ref_create(struct ref_phb *p, uint32_t ps, uint32_t ws, uint32_t *liobn,
				 uint64_t *start)
{
	struct ref_win *w = NULL;
	unsigned n = 0, active = ref_active(p);
	uint64_t bus, size;

	if (ps > 63 || !(p->pgsz & (1ull << ps)) || ws < ps)
		return -3;
	for (n = 0; n < 2; n++)
		if (!p->win[n].nb_table) {
			w = &p->win[n];
			break;
		}
	if (!w || active == 2)
		return -1;
	bus = active ? p->dma64_win_addr : p->dma_win_addr;
	if (ws - ps >= 32)
		return -1;
	size = 1ull << ws;
	for (unsigned o = 0; o < 2; o++)
		if (p->win[o].nb_table && ref_overlap(bus, size, p->win[o].bus_offset,
						      p->win[o].nb_table << p->win[o].page_shift))
			return -3;
	if (ref_overlap(bus, size, 0x40000000000ull, 0x10000))
		return -3;
	ref_win_enable(w, bus, ps, 1ull << (ws - ps), false);
	*liobn = 0x80000000u | (p->index << 8) | n;
	*start = bus;
	return 0;
}

static inline int32_t ref_remove(struct ref_phb *p, uint32_t liobn)
{
	struct ref_win *w = ref_find(p, liobn);
	bool def;

	if (!w || !w->nb_table)
		return -3;
	def = w->def;
	ref_win_disable(w);
	if (!ref_active(p) && !def)
		ref_dma_reset(p);
	return 0;
}

#endif
