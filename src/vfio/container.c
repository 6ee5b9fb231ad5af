/* SPDX-License-Identifier: MIT */
/*
 * The container: open/close, the ioctl dispatch (one handler per request, Linux's big switch is
 * a table here), CHECK_EXTENSION, SET_IOMMU and GET_INFO.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/vfio_int.h"

#define V1 1u
#define V2 2u

int dmawin_vfio_create(struct dmawin_vfio_mm *mm, const struct dmawin_vfio_config *cfg,
		       struct dmawin_vfio_container **out)
{
	struct dmawin_vfio_container *c;

	if (!mm || !out || (cfg && (cfg->quirks & ~DMAWIN_VFIO_QUIRKS_ALL)))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (pthread_rwlock_init(&c->lock, NULL) != 0) {
		free(c);
		return -ENOMEM;
	}
	if (cfg)
		c->cfg = *cfg;
	c->owner = mm;
	vfio_mm_ref(mm);
	*out = c;
	return 0;
}

void dmawin_vfio_destroy(struct dmawin_vfio_container *c)
{
	if (!c)
		return;
	pthread_rwlock_wrlock(&c->lock);
	while (c->ngroups) {
		struct vfio_group *g = &c->groups[c->ngroups - 1];

		if (g->attached)
			vfio_detach_driver_locked(c, g);
		c->ngroups--;
	}
	for (unsigned int i = 0; i < VFIO_MAX_WINDOWS; i++) {
		struct vfio_window *w = &c->win[i];

		/* A MAP after the last detach may have filled a table: clear before freeing so
		 * that the regions' mapped counts drop (v5.x cleared here too). */
		if (w->tbl)
			vfio_clear(c, w, w->it_offset, w->it_size);
		vfio_window_free_locked(c, i);
	}
	vfio_prereg_release_all(c);
	vfio_disable_locked(c);
	pthread_rwlock_unlock(&c->lock);
	if (c->mm)
		vfio_mm_unref(c->mm);
	vfio_mm_unref(c->owner);
	pthread_rwlock_destroy(&c->lock);
	free(c->groups);
	free(c->prereg);
	free(c);
}

int vfio_mm_set(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller)
{
	if (c->mm)
		return c->mm == caller ? 0 : -EPERM;
	c->mm = caller;
	vfio_mm_ref(caller);
	return 0;
}

bool vfio_groups_attached(const struct dmawin_vfio_container *c)
{
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i].attached)
			return true;
	return false;
}

const struct vfio_group *vfio_first_group(const struct dmawin_vfio_container *c)
{
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->groups[i].attached)
			return &c->groups[i];
	return NULL;
}

static long check_extension(unsigned long arg, const struct dmawin_vfio_config *cfg)
{
	switch (arg) {
	case VFIO_SPAPR_TCE_IOMMU:
	case VFIO_SPAPR_TCE_v2_IOMMU:
		return 1;
	case VFIO_EEH:
		return cfg->eeh ? 1 : 0;
	default:
		return 0;
	}
}

/* VFIO core's vfio_ioctl_set_iommu + tce_iommu_open + attaching the recorded groups. */
static long set_iommu_locked(struct dmawin_vfio_container *c, unsigned long type)
{
	unsigned int i;
	int ret = 0;

	if (c->ngroups == 0 || c->type != 0)
		return -EINVAL;
	if (type != VFIO_SPAPR_TCE_IOMMU && type != VFIO_SPAPR_TCE_v2_IOMMU)
		return -EINVAL;
	c->type = type;
	c->v2 = type == VFIO_SPAPR_TCE_v2_IOMMU;
	for (i = 0; i < c->ngroups; i++) {
		ret = vfio_attach_driver_locked(c, &c->groups[i]);
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			vfio_detach_driver_locked(c, &c->groups[i]);
		c->type = 0;
		c->v2 = false;
		c->def_window_pending = false;
	}
	return ret;
}

static long vfio_ioctl_get_info(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
				unsigned long arg)
{
	struct vfio_iommu_spapr_tce_info info;
	struct vfio_iommu_spapr_tce_info *user = (struct vfio_iommu_spapr_tce_info *)arg;
	const size_t minsz = offsetof(struct vfio_iommu_spapr_tce_info, flags) +
			     sizeof(info.flags) + sizeof(info.dma32_window_start) +
			     sizeof(info.dma32_window_size);
	struct vfio_pe_info pi;
	const struct vfio_group *g = vfio_first_group(c);
	size_t outsz = minsz;
	int ret;

	(void)caller;
	if (!g)
		return -ENXIO;
	ret = vfio_pe_info(g, &pi);
	if (ret)
		return -ENXIO;
	if (!user)
		return -EFAULT;
	memcpy(&info, user, minsz);
	if (info.argsz < minsz)
		return -EINVAL;
	info.dma32_window_start = (uint32_t)pi.tce32_start;
	info.dma32_window_size = (uint32_t)pi.tce32_size;
	info.flags = 0;
	memset(&info.ddw, 0, sizeof(info.ddw));
	if (pi.max_dynamic_windows_supported && c->v2) {
		info.flags |= VFIO_IOMMU_SPAPR_INFO_DDW;
		info.ddw.pgsizes = pi.pgsizes;
		info.ddw.max_dynamic_windows_supported = pi.max_dynamic_windows_supported;
		info.ddw.levels = pi.max_levels;
	}
	if (info.argsz >= offsetof(struct vfio_iommu_spapr_tce_info, ddw) + sizeof(info.ddw))
		outsz = offsetof(struct vfio_iommu_spapr_tce_info, ddw) + sizeof(info.ddw);
	memcpy(user, &info, outsz);
	return 0;
}

struct vfio_request {
	unsigned long request;
	vfio_ioctl_fn fn;
	unsigned int versions;
	bool shared; /* runs under the shared lock (MAP/UNMAP) */
};

static const struct vfio_request requests[] = {
	{VFIO_IOMMU_SPAPR_TCE_GET_INFO, vfio_ioctl_get_info, V1 | V2, false},
	{VFIO_IOMMU_MAP_DMA, vfio_ioctl_map, V1 | V2, true},
	{VFIO_IOMMU_UNMAP_DMA, vfio_ioctl_unmap, V1 | V2, true},
	{VFIO_IOMMU_ENABLE, vfio_ioctl_enable, V1, false},
	{VFIO_IOMMU_DISABLE, vfio_ioctl_disable, V1, false},
	{VFIO_IOMMU_SPAPR_REGISTER_MEMORY, vfio_ioctl_register, V2, false},
	{VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, vfio_ioctl_unregister, V2, false},
	{VFIO_IOMMU_SPAPR_TCE_CREATE, vfio_ioctl_create, V2, false},
	{VFIO_IOMMU_SPAPR_TCE_REMOVE, vfio_ioctl_remove, V2, false},
	{VFIO_EEH_PE_OP, vfio_ioctl_eeh_pe_op, V1 | V2, false},
};

static const struct vfio_request *find_request(unsigned long request)
{
	for (size_t i = 0; i < ARRAY_SIZE(requests); i++)
		if (requests[i].request == request)
			return &requests[i];
	return NULL;
}

/* Driver ioctls (tce_iommu_ioctl after CHECK_EXTENSION): mm check, then the handler. */
static long driver_ioctl(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			 unsigned long request, unsigned long arg)
{
	const struct vfio_request *r = find_request(request);
	long ret;

	if (r && r->shared)
		pthread_rwlock_rdlock(&c->lock);
	else
		pthread_rwlock_wrlock(&c->lock);
	if (c->type == 0) {
		ret = -EINVAL; /* VFIO core: no IOMMU driver set yet */
	} else if (c->mm && c->mm != caller) {
		ret = -EPERM;
	} else if (!r || !(r->versions & (c->v2 ? V2 : V1))) {
		ret = -ENOTTY;
	} else {
		ret = r->fn(c, caller, arg);
	}
	pthread_rwlock_unlock(&c->lock);
	return ret;
}

long dmawin_vfio_ioctl_mm(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *mm,
			  unsigned long request, unsigned long arg)
{
	long ret;

	if (!c || !mm)
		return -EINVAL;
	switch (request) {
	case VFIO_CHECK_EXTENSION:
		return check_extension(arg, &c->cfg);
	case VFIO_SET_IOMMU:
		pthread_rwlock_wrlock(&c->lock);
		ret = set_iommu_locked(c, arg);
		pthread_rwlock_unlock(&c->lock);
		return ret;
	default:
		return driver_ioctl(c, mm, request, arg);
	}
}

long dmawin_vfio_ioctl(struct dmawin_vfio_container *c, unsigned long request, unsigned long arg)
{
	if (!c)
		return -EINVAL;
	return dmawin_vfio_ioctl_mm(c, c->owner, request, arg);
}

unsigned int dmawin_vfio_group_count(const struct dmawin_vfio_container *c)
{
	return c ? c->ngroups : 0;
}

int dmawin_vfio_window(const struct dmawin_vfio_container *c, unsigned int slot,
		       struct dmawin_vfio_window_info *info)
{
	const struct vfio_window *w;

	if (!c || !info || slot >= VFIO_MAX_WINDOWS)
		return -EINVAL;
	pthread_rwlock_rdlock(&(VFIO_MUTABLE(struct dmawin_vfio_container, c))->lock);
	w = &c->win[slot];
	memset(info, 0, sizeof(*info));
	if (w->tbl) {
		info->present = true;
		info->page_shift = w->page_shift;
		info->start = w->it_offset << w->page_shift;
		info->size = w->it_size << w->page_shift;
		info->levels = w->levels;
		info->locked = w->locked;
	}
	pthread_rwlock_unlock(&(VFIO_MUTABLE(struct dmawin_vfio_container, c))->lock);
	return 0;
}

bool dmawin_vfio_default_window_pending(const struct dmawin_vfio_container *c)
{
	bool pending;

	if (!c)
		return false;
	pthread_rwlock_rdlock(&(VFIO_MUTABLE(struct dmawin_vfio_container, c))->lock);
	pending = c->def_window_pending;
	pthread_rwlock_unlock(&(VFIO_MUTABLE(struct dmawin_vfio_container, c))->lock);
	return pending;
}
