/* SPDX-License-Identifier: MIT */
/*
 * Groups of a container (spec §3): attach with the compatibility rules and the programming of
 * every existing window into the new PE, detach (mainline clears the shared tables first), and
 * VFIO_EEH_PE_OP broadcast to every group in turn.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/pe.h"
#include "vfio/vfio_int.h"

/* Every existing window into @g's PE; on failure all of them are unset again. */
static int set_windows(struct dmawin_vfio_container *c, struct vfio_group *g)
{
	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS; i++) {
		struct vfio_window *w = &c->win[i];
		int ret;

		if (!w->tbl)
			continue;
		ret = vfio_pe_set_window(g->pe, i, w->tbl, w->it_offset << w->page_shift);
		if (ret) {
			for (unsigned int j = 0; j < VFIO_MAX_WINDOWS; j++)
				vfio_pe_unset_window(g->pe, j);
			return ret;
		}
	}
	return 0;
}

/* tce_iommu_attach_group, mainline order of checks. */
int vfio_attach_driver_locked(struct dmawin_vfio_container *c, struct vfio_group *g)
{
	struct vfio_pe_info pi, other;
	bool first = !vfio_groups_attached(c);
	int ret;

	if (g->cfg.emulated)
		return -EINVAL;
	if (vfio_pe_info(g, &pi) != 0)
		return -ENODEV;
	if (c->v2 && pi.max_dynamic_windows_supported == 0)
		return -EINVAL;
	if (!c->v2 && !first)
		return -EBUSY; /* v1 does not share tables among PEs */
	for (unsigned int i = 0; i < c->ngroups; i++) {
		if (!c->groups[i].attached)
			continue;
		if (c->groups[i].pe == g->pe)
			return -EBUSY;
		if (vfio_pe_info(&c->groups[i], &other) == 0 && other.layout != pi.layout)
			return -EPERM;
	}
	vfio_pe_take_ownership(g->pe);
	ret = set_windows(c, g);
	if (ret)
		return ret;
	g->attached = true;
	if (first && !c->win[0].tbl)
		c->def_window_pending = true;
	return 0;
}

/* tce_iommu_detach_group + tce_iommu_release_ownership. */
void vfio_detach_driver_locked(struct dmawin_vfio_container *c, struct vfio_group *g)
{
	bool clear = !(c->cfg.quirks & DMAWIN_VFIO_QUIRK_DETACH_KEEPS_MAPPINGS);

	g->attached = false;
	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS; i++) {
		struct vfio_window *w = &c->win[i];

		if (!w->tbl)
			continue;
		if (clear)
			vfio_clear(c, w, w->it_offset, w->it_size);
		vfio_pe_unset_window(g->pe, i);
	}
}

static struct vfio_group *group_find(struct dmawin_vfio_container *c, const struct dmawin_pe *pe)
{
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i].pe == pe)
			return &c->groups[i];
	return NULL;
}

static int group_append(struct dmawin_vfio_container *c, struct dmawin_pe *pe,
			const struct dmawin_vfio_group_config *gc)
{
	struct vfio_group *g;

	if (c->ngroups == c->groups_cap) {
		unsigned int cap = c->groups_cap ? c->groups_cap * 2 : 4;
		struct vfio_group *n = realloc(c->groups, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->groups = n;
		c->groups_cap = cap;
	}
	g = &c->groups[c->ngroups++];
	memset(g, 0, sizeof(*g));
	g->pe = pe;
	if (gc)
		g->cfg = *gc;
	return 0;
}

int dmawin_vfio_attach_group_cfg(struct dmawin_vfio_container *c, struct dmawin_pe *pe,
				 const struct dmawin_vfio_group_config *gc)
{
	int ret;

	if (!c || !pe)
		return -EINVAL;
	pthread_rwlock_wrlock(&c->lock);
	if (c->type == 0 && group_find(c, pe)) {
		ret = -EBUSY; /* VFIO core: the group already has this container */
		goto out;
	}
	ret = group_append(c, pe, gc);
	if (ret || c->type == 0)
		goto out; /* before SET_IOMMU the group is only recorded */
	ret = vfio_attach_driver_locked(c, &c->groups[c->ngroups - 1]);
	if (ret)
		c->ngroups--;
out:
	pthread_rwlock_unlock(&c->lock);
	return ret;
}

int dmawin_vfio_attach_group(struct dmawin_vfio_container *c, struct dmawin_pe *pe)
{
	return dmawin_vfio_attach_group_cfg(c, pe, NULL);
}

int dmawin_vfio_detach_group(struct dmawin_vfio_container *c, struct dmawin_pe *pe)
{
	struct vfio_group *g;

	if (!c || !pe)
		return -EINVAL;
	pthread_rwlock_wrlock(&c->lock);
	g = group_find(c, pe);
	if (!g) {
		pthread_rwlock_unlock(&c->lock);
		return -ENOENT;
	}
	if (g->attached)
		vfio_detach_driver_locked(c, g);
	/* Keep the order: the first attached group is the one GET_INFO and CREATE use. */
	memmove(g, g + 1, (size_t)(&c->groups[c->ngroups] - (g + 1)) * sizeof(*g));
	c->ngroups--;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

/* vfio_spapr_ioctl_eeh_pe_op for one group: argument checks, then the op. */
static long eeh_one(const struct vfio_group *g, unsigned long arg)
{
	struct vfio_eeh_pe_op op;
	const size_t minsz = offsetof(struct vfio_eeh_pe_op, op) + sizeof(op.op);
	const size_t errsz = offsetof(struct vfio_eeh_pe_op, err) + sizeof(op.err);
	int ret;

	if (g->cfg.no_eeh_pe)
		return -ENODEV;
	memset(&op, 0, sizeof(op));
	ret = vfio_arg_in(arg, &op, minsz, 0);
	if (ret)
		return ret;
	if (op.op == VFIO_EEH_PE_INJECT_ERR) {
		if (op.argsz < errsz)
			return -EINVAL;
		memcpy(&op, (const void *)(uintptr_t)arg, errsz);
	}
	return vfio_pe_eeh_op(g, &op);
}

long vfio_ioctl_eeh_pe_op(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			  unsigned long arg)
{
	(void)caller;
	/* Broadcast: every group in turn, the first non-zero answer wins (spec §3). */
	for (unsigned int i = 0; i < c->ngroups; i++) {
		long ret;

		if (!c->groups[i].attached)
			continue;
		ret = eeh_one(&c->groups[i], arg);
		if (ret)
			return ret;
	}
	return 0;
}
