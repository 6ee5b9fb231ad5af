/* SPDX-License-Identifier: MIT */
/*
 * What a container holds right now, for reports: its live mappings as runs of consecutive
 * entries (bus address, host address and permission all contiguous), its preregistered
 * regions and a summary. Readers take the container lock shared, as MAP/UNMAP do.
 */
#include <errno.h>

#include "vfio/vfio_int.h"

struct run_ctx {
	const struct vfio_window *w;
	unsigned int slot;
	struct dmawin_vfio_mapping run;
	bool open;
	int (*fn)(const struct dmawin_vfio_mapping *m, void *arg);
	void *arg;
	uint64_t pages;
};

static uint64_t ua_of(const struct vfio_window *w, uint64_t idx)
{
	_Atomic uint64_t *chunk;

	if (!w->ua)
		return 0;
	chunk = atomic_load_explicit(&w->ua[idx >> VFIO_UA_CHUNK_SHIFT], memory_order_acquire);
	return chunk ? atomic_load_explicit(&chunk[idx & (VFIO_UA_CHUNK - 1)],
					    memory_order_relaxed)
		     : 0;
}

static int run_flush(struct run_ctx *x)
{
	int ret = 0;

	if (x->open && x->fn)
		ret = x->fn(&x->run, x->arg);
	x->open = false;
	return ret;
}

static int run_add(uint64_t index, uint64_t tce, void *arg)
{
	struct run_ctx *x = arg;
	uint64_t psz = UINT64_C(1) << x->w->page_shift;
	uint64_t iova = (x->w->it_offset + index) << x->w->page_shift;
	uint64_t hpa = tce & ~(psz - 1), ua = ua_of(x->w, index);
	unsigned int perm = (unsigned int)(tce & (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE));
	struct dmawin_vfio_mapping *r = &x->run;
	int ret;

	x->pages++;
	if (x->open && r->iova + r->size == iova && r->hpa + r->size == hpa && r->perm == perm &&
	    (r->ua == 0 ? ua == 0 : r->ua + r->size == ua)) {
		r->size += psz;
		return 0;
	}
	ret = run_flush(x);
	if (ret)
		return ret;
	*r = (struct dmawin_vfio_mapping){.slot = x->slot,
					  .page_shift = x->w->page_shift,
					  .iova = iova,
					  .size = psz,
					  .hpa = hpa,
					  .ua = ua,
					  .perm = perm};
	x->open = true;
	return 0;
}

/* Walks every window; @fn may be NULL (counting only). */
static int walk(const struct dmawin_vfio_container *c,
		int (*fn)(const struct dmawin_vfio_mapping *m, void *arg), void *arg,
		uint64_t *pages)
{
	struct run_ctx x = {.fn = fn, .arg = arg};
	int ret = 0;

	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS && ret == 0; i++) {
		const struct vfio_window *w = &c->win[i];

		if (!w->tbl)
			continue;
		x.w = w;
		x.slot = i;
		ret = dmawin_tce_for_each(w->tbl, 0, w->it_size, 0, run_add, &x);
		if (ret == 0)
			ret = run_flush(&x);
	}
	if (pages)
		*pages = x.pages;
	return ret;
}

int dmawin_vfio_for_each_mapping(const struct dmawin_vfio_container *c,
				 int (*fn)(const struct dmawin_vfio_mapping *m, void *arg),
				 void *arg)
{
	struct dmawin_vfio_container *mc = VFIO_MUTABLE(struct dmawin_vfio_container, c);
	int ret;

	if (!c || !fn)
		return -EINVAL;
	pthread_rwlock_rdlock(&mc->lock);
	ret = walk(c, fn, arg, NULL);
	pthread_rwlock_unlock(&mc->lock);
	return ret;
}

int dmawin_vfio_for_each_region(const struct dmawin_vfio_container *c,
				int (*fn)(const struct dmawin_vfio_region_info *r, void *arg),
				void *arg)
{
	struct dmawin_vfio_container *mc = VFIO_MUTABLE(struct dmawin_vfio_container, c);
	int ret = 0;

	if (!c || !fn)
		return -EINVAL;
	pthread_rwlock_rdlock(&mc->lock);
	for (unsigned int i = 0; i < c->nprereg && ret == 0; i++) {
		struct dmawin_vfio_region_info info;

		if (dmawin_vfio_mm_region(c->mm, c->prereg[i].region->ua, &info) == 0)
			ret = fn(&info, arg);
	}
	pthread_rwlock_unlock(&mc->lock);
	return ret;
}

int dmawin_vfio_report(const struct dmawin_vfio_container *c, struct dmawin_vfio_report *out)
{
	struct dmawin_vfio_container *mc = VFIO_MUTABLE(struct dmawin_vfio_container, c);

	if (!c || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_rwlock_rdlock(&mc->lock);
	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS; i++) {
		if (!c->win[i].tbl)
			continue;
		out->windows++;
		out->window_locked += c->win[i].locked;
	}
	walk(c, NULL, NULL, &out->mapped_pages);
	out->regions = c->nprereg;
	for (unsigned int i = 0; i < c->nprereg; i++)
		out->region_bytes += c->prereg[i].region->size;
	out->groups = c->ngroups;
	out->type = c->type;
	out->default_window_pending = c->def_window_pending;
	pthread_rwlock_unlock(&mc->lock);
	return 0;
}
