/* SPDX-License-Identifier: MIT */
/*
 * Whole-structure invariants of a container and its mm, for tests: what every request must
 * leave true whatever it returned.
 */
#include <errno.h>
#include <stdlib.h>

#include "dmawin/pe.h"
#include "vfio/vfio_int.h"

int vfio_mm_check(const struct dmawin_vfio_mm *mm)
{
	const struct vfio_region_list *l = vfio_regions(mm);

	for (unsigned int i = 0; i < l->count; i++) {
		const struct vfio_region *r = l->region[i];

		if (r->size == 0 || r->size != r->entries << mm->host_page_shift)
			return -EUCLEAN;
		if (i && l->region[i - 1]->ua + l->region[i - 1]->size > r->ua)
			return -EUCLEAN; /* sorted, no overlap */
		if (atomic_load(&r->mapped) < 1 || r->used < 1)
			return -EUCLEAN;
		if (r->pageshift < mm->host_page_shift ||
		    (r->ua | r->size) & ((UINT64_C(1) << r->pageshift) - 1))
			return -EUCLEAN;
	}
	return 0;
}

struct count_ctx {
	struct dmawin_vfio_container *c;
	struct vfio_window *w;
	int bad;
};

/* Each mapped TCE of a v2 window points where its mirrored ua says, inside a region. */
static int count_one(uint64_t index, uint64_t tce, void *arg)
{
	struct count_ctx *x = arg;
	struct vfio_window *w = x->w;
	_Atomic uint64_t *chunk = atomic_load(&w->ua[index >> VFIO_UA_CHUNK_SHIFT]);
	uint64_t ua = chunk ? atomic_load(&chunk[index & (VFIO_UA_CHUNK - 1)]) : 0;
	struct vfio_region *r;

	if ((tce & DMAWIN_TCE_WRITE) && !(tce & DMAWIN_TCE_READ))
		x->bad = 1; /* W implies R */
	if (!x->c->v2)
		return 0;
	r = ua ? vfio_region_lookup(x->c->mm, ua, UINT64_C(1) << w->page_shift) : NULL;
	if (!r || dmawin_tce_addr(tce, w->page_shift) != r->hpa + (ua - r->ua) ||
	    atomic_load(&r->mapped) < 2)
		x->bad = 1;
	return 0;
}

static int check_window(struct dmawin_vfio_container *c, unsigned int slot)
{
	struct vfio_window *w = &c->win[slot];
	struct count_ctx x = {.c = c, .w = w};
	struct dmawin_tce_info ti;

	if (!w->tbl)
		return w->ua || w->locked ? -EUCLEAN : 0;
	if (!w->ua || w->it_size == 0 || dmawin_tce_info(w->tbl, &ti) != 0 ||
	    ti.entries != w->it_size || ti.page_shift != w->page_shift)
		return -EUCLEAN;
	for (unsigned int i = 0; i < c->ngroups; i++) {
		struct dmawin_pe_window_info pw;

		if (!c->groups[i].attached)
			continue;
		if (dmawin_pe_window_info(c->groups[i].pe, slot, &pw) != 0 || pw.table != w->tbl ||
		    pw.bus_offset != w->it_offset << w->page_shift)
			return -EUCLEAN;
	}
	dmawin_tce_for_each(w->tbl, 0, w->it_size, 0, count_one, &x);
	return x.bad ? -EUCLEAN : 0;
}

int vfio_check(struct dmawin_vfio_container *c)
{
	int ret = 0;

	pthread_rwlock_rdlock(&c->lock);
	if (c->type == 0 && vfio_groups_attached(c))
		ret = -EUCLEAN;
	if (c->def_window_pending && c->win[0].tbl)
		ret = -EUCLEAN;
	if (c->v2 && c->locked_pages)
		ret = -EUCLEAN;
	for (unsigned int i = 0; !ret && i < VFIO_MAX_WINDOWS; i++)
		ret = check_window(c, i);
	for (unsigned int i = 0; !ret && i < c->nprereg; i++) {
		const struct vfio_region *r = c->prereg[i].region;

		if (vfio_region_lookup(c->mm, r->ua, r->size) != r)
			ret = -EUCLEAN;
		for (unsigned int j = 0; j < i; j++)
			if (c->prereg[j].region == r)
				ret = -EUCLEAN;
	}
	if (!ret && c->mm)
		ret = vfio_mm_check(c->mm);
	pthread_rwlock_unlock(&c->lock);
	return ret;
}
