/* SPDX-License-Identifier: MIT */
/*
 * DMA windows of a container: the table-size formula charged to locked memory, the lazily
 * created default window, TCE_CREATE / TCE_REMOVE (spec §1, §3, §4).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/vfio_int.h"

uint64_t dmawin_vfio_table_size(unsigned int page_shift, uint64_t window_size, unsigned int levels,
				unsigned int host_page_shift)
{
	unsigned int window_shift, entries_shift, table_shift;
	uint64_t tce_table_size, direct, bytes = 0;

	if (host_page_shift == 0)
		host_page_shift = 16;
	if (levels == 0 || levels > VFIO_MAX_LEVELS || window_size == 0 ||
	    (window_size & (window_size - 1)) || page_shift > 63)
		return 0;
	window_shift = (unsigned int)__builtin_ctzll(window_size);
	if (window_shift < page_shift)
		return 0;
	entries_shift = window_shift - page_shift;
	tce_table_size = DW_MAX(UINT64_C(0x1000), UINT64_C(1) << (entries_shift + 3));
	table_shift = DW_MAX((entries_shift + levels - 1) / levels + 3, host_page_shift);
	direct = UINT64_C(1) << table_shift;
	for (; levels; --levels) {
		bytes += DW_ALIGN_UP(tce_table_size, direct);
		tce_table_size = DW_MAX((tce_table_size / direct) << 3, direct);
	}
	return bytes * 2; /* the hardware table and its userspace copy */
}

struct vfio_window *vfio_find_window(struct dmawin_vfio_container *c, uint64_t iova)
{
	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS; i++) {
		struct vfio_window *w = &c->win[i];
		uint64_t entry;

		if (!w->tbl)
			continue;
		entry = iova >> w->page_shift;
		if (entry >= w->it_offset && entry - w->it_offset < w->it_size)
			return w;
	}
	return NULL;
}

void vfio_window_free_locked(struct dmawin_vfio_container *c, unsigned int slot)
{
	struct vfio_window *w = &c->win[slot];

	if (!w->tbl)
		return;
	dmawin_tce_unref(w->tbl);
	vfio_ua_free(w);
	if (w->locked)
		dmawin_mem_lock_uncharge(c->mm->mem, w->locked);
	memset(w, 0, sizeof(*w));
}

static int window_init(struct vfio_window *w, struct dmawin_tce_table *tbl, unsigned int page_shift,
		       unsigned int levels, uint64_t start, uint64_t it_size, uint64_t locked)
{
	uint64_t nchunks = (it_size + VFIO_UA_CHUNK - 1) >> VFIO_UA_CHUNK_SHIFT;

	w->ua = calloc((size_t)nchunks, sizeof(w->ua[0]));
	if (!w->ua)
		return -ENOMEM;
	w->nchunks = nchunks;
	w->tbl = tbl;
	w->page_shift = page_shift;
	w->levels = levels;
	w->it_offset = start >> page_shift;
	w->it_size = it_size;
	w->locked = locked;
	return 0;
}

static void unset_all(struct dmawin_vfio_container *c, unsigned int slot)
{
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i].attached)
			vfio_pe_unset_window(c->groups[i].pe, slot);
}

/* Programs window @slot into every attached PE; on failure unsets it everywhere. */
static int set_all(struct dmawin_vfio_container *c, unsigned int slot, struct dmawin_tce_table *tbl,
		   uint64_t start)
{
	for (unsigned int i = 0; i < c->ngroups; i++) {
		int ret;

		if (!c->groups[i].attached)
			continue;
		ret = vfio_pe_set_window(c->groups[i].pe, slot, tbl, start);
		if (ret) {
			unset_all(c, slot);
			return ret;
		}
	}
	return 0;
}

/* tce_iommu_create_window */
static int create_window_locked(struct dmawin_vfio_container *c, unsigned int page_shift,
				uint64_t window_size, unsigned int levels, uint64_t *start_addr)
{
	struct dmawin_tce_table *tbl;
	struct vfio_pe_info pi;
	uint64_t table_size, start, it_size;
	unsigned int slot;
	int ret;

	for (slot = 0; slot < VFIO_MAX_WINDOWS && c->win[slot].tbl; slot++)
		;
	if (slot == VFIO_MAX_WINDOWS)
		return -ENOSPC;
	if (vfio_pe_info(vfio_first_group(c), &pi) != 0)
		return -EFAULT;
	if (page_shift > 63 || !(pi.pgsizes & (UINT64_C(1) << page_shift)))
		return -EINVAL;
	table_size =
		dmawin_vfio_table_size(page_shift, window_size, levels, c->mm->host_page_shift);
	if (!table_size)
		return -EINVAL;
	if (dmawin_mem_lock_charge(c->mm->mem, table_size) != 0)
		return -ENOMEM;
	ret = vfio_pe_create_table(vfio_first_group(c), slot, page_shift, window_size, levels,
				   c->mm->host_page_shift, &tbl, &start, &it_size);
	if (ret)
		goto out_uncharge;
	ret = set_all(c, slot, tbl, start);
	if (ret)
		goto out_free;
	ret = window_init(&c->win[slot], tbl, page_shift, levels, start, it_size, table_size);
	if (ret) {
		unset_all(c, slot);
		goto out_free;
	}
	*start_addr = start;
	return 0;
out_free:
	dmawin_tce_unref(tbl);
out_uncharge:
	dmawin_mem_lock_uncharge(c->mm->mem, table_size);
	return ret;
}

int vfio_create_default_window_locked(struct dmawin_vfio_container *c)
{
	struct vfio_pe_info pi;
	uint64_t start;
	int ret;

	if (!c->def_window_pending)
		return 0;
	if (!vfio_groups_attached(c) || vfio_pe_info(vfio_first_group(c), &pi) != 0)
		return -ENODEV;
	ret = create_window_locked(c, VFIO_DEFAULT_PAGE_SHIFT, pi.tce32_size, 1, &start);
	if (!ret)
		c->def_window_pending = false;
	return ret;
}

int vfio_default_window_shared(struct dmawin_vfio_container *c)
{
	int ret;

	if (!c->def_window_pending)
		return 0;
	/* Rare (once per container): trade the shared lock for the exclusive one. */
	pthread_rwlock_unlock(&c->lock);
	pthread_rwlock_wrlock(&c->lock);
	ret = vfio_create_default_window_locked(c);
	pthread_rwlock_unlock(&c->lock);
	pthread_rwlock_rdlock(&c->lock);
	return ret;
}

/* The common start of CREATE and REMOVE: the caller's mm, an attached group, the argument. */
static int window_arg_in(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			 unsigned long arg, void *p, size_t minsz)
{
	int ret = vfio_mm_set(c, caller);

	if (ret)
		return ret;
	if (!vfio_groups_attached(c))
		return -ENXIO;
	return vfio_arg_in(arg, p, minsz, 0);
}

long vfio_ioctl_create(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg)
{
	struct vfio_iommu_spapr_tce_create create;
	const size_t minsz = offsetof(struct vfio_iommu_spapr_tce_create, start_addr) +
			     sizeof(create.start_addr);
	uint64_t start = 0;
	int ret = window_arg_in(c, caller, arg, &create, minsz);

	if (ret)
		return ret;
	ret = vfio_create_default_window_locked(c);
	if (!ret)
		ret = create_window_locked(c, create.page_shift, create.window_size, create.levels,
					   &start);
	if (!ret) {
		create.start_addr = start;
		memcpy((void *)(uintptr_t)arg, &create, minsz);
	}
	return ret;
}

/* tce_iommu_remove_window: any address inside the window names it. */
static int remove_window_locked(struct dmawin_vfio_container *c, uint64_t start_addr)
{
	struct vfio_window *w = vfio_find_window(c, start_addr);

	if (!w)
		return -EINVAL;
	vfio_clear(c, w, w->it_offset, w->it_size);
	unset_all(c, (unsigned int)(w - c->win));
	vfio_window_free_locked(c, (unsigned int)(w - c->win));
	return 0;
}

long vfio_ioctl_remove(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg)
{
	struct vfio_iommu_spapr_tce_remove remove;
	const size_t minsz = offsetof(struct vfio_iommu_spapr_tce_remove, start_addr) +
			     sizeof(remove.start_addr);
	int ret = window_arg_in(c, caller, arg, &remove, minsz);

	if (ret)
		return ret;
	if (c->def_window_pending && remove.start_addr == 0) {
		c->def_window_pending = false;
		return 0;
	}
	return remove_window_locked(c, remove.start_addr);
}
