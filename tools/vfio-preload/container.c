/* SPDX-License-Identifier: MIT */
/*
 * /dev/vfio/vfio: the VFIO core's container (drivers/vfio/container.c) in front of the vfio
 * layer's sPAPR TCE driver. The core answers GET_API_VERSION, polls the driver for
 * CHECK_EXTENSION, picks the driver at SET_IOMMU (a type no driver reports gives ENODEV) and
 * passes every other request to it, EINVAL before SET_IOMMU. Detaching the last group releases
 * the driver (tce_iommu_release) and the container returns to the unset state.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdlib.h>

#include "vp_int.h"

int vp_container_open(int flags)
{
	struct vp_host *h = vp_host_get();
	struct vp_container *c = calloc(1, sizeof(*c));
	int rc, fd;

	if (!c)
		return -ENOMEM;
	if (!h) {
		free(c);
		return -ENODEV;
	}
	rc = vp_host_container_create(h, &c->c);
	if (rc) {
		free(c);
		return rc;
	}
	pthread_rwlock_init(&c->lock, NULL);
	fd = vp_object_open(&c->o, VP_CONTAINER, "dmawin-vfio:container", flags);
	if (fd < 0) {
		dmawin_vfio_destroy(c->c);
		free(c);
	}
	return fd;
}

/* What the program left behind, counted before the driver tears it down. */
static void count_leftovers(struct vp_container *c)
{
	struct dmawin_vfio_report r;

	if (dmawin_vfio_report(c->c, &r) == 0) {
		c->released_mappings += r.mapped_pages;
		c->released_regions += r.regions;
	}
}

void vp_container_release(struct vp_container *c)
{
	count_leftovers(c);
	vp_report_closed(c->released_mappings, c->released_regions);
	dmawin_vfio_destroy(c->c);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

static long set_iommu(struct vp_container *c, struct dmawin_vfio_mm *mm, unsigned long type)
{
	long ret;

	pthread_rwlock_wrlock(&c->lock);
	if (c->ngroups == 0 || c->iommu_set)
		ret = -EINVAL;
	else if (dmawin_vfio_ioctl_mm(c->c, mm, VFIO_CHECK_EXTENSION, type) <= 0)
		ret = -ENODEV; /* no registered IOMMU driver offers this type */
	else
		ret = dmawin_vfio_ioctl_mm(c->c, mm, VFIO_SET_IOMMU, type);
	if (ret == 0)
		c->iommu_set = true;
	pthread_rwlock_unlock(&c->lock);
	return ret;
}

long vp_container_ioctl(struct vp_container *c, unsigned long req, unsigned long arg)
{
	struct dmawin_vfio_mm *mm = vp_host_mm(vp_host_peek());
	long ret;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return dmawin_vfio_ioctl_mm(c->c, mm, VFIO_CHECK_EXTENSION, arg);
	case VFIO_SET_IOMMU:
		return set_iommu(c, mm, arg);
	default:
		pthread_rwlock_rdlock(&c->lock);
		ret = c->iommu_set ? dmawin_vfio_ioctl_mm(c->c, mm, req, arg) : -EINVAL;
		pthread_rwlock_unlock(&c->lock);
		return ret;
	}
}

int vp_container_attach(struct vp_container *c, struct vp_group *g)
{
	struct vp_host *h = vp_host_peek();
	const struct dmawin_vfio_group_config *cfg;
	struct dmawin_pe *pe = vp_host_group_pe(h, g->number, &cfg);
	int ret;

	if (!pe)
		return -ENODEV;
	pthread_rwlock_wrlock(&c->lock);
	ret = dmawin_vfio_attach_group_cfg(c->c, pe, cfg);
	if (ret == 0)
		c->ngroups++;
	pthread_rwlock_unlock(&c->lock);
	return ret;
}

void vp_container_detach(struct vp_container *c, struct vp_group *g)
{
	struct vp_host *h = vp_host_peek();
	const struct dmawin_vfio_group_config *cfg;
	struct dmawin_pe *pe = vp_host_group_pe(h, g->number, &cfg);
	struct dmawin_vfio_container *fresh;

	pthread_rwlock_wrlock(&c->lock);
	if (c->ngroups == 1 && c->iommu_set)
		count_leftovers(c); /* before the detach clears the tables */
	dmawin_vfio_detach_group(c->c, pe);
	c->ngroups--;
	/* the last group gone: the driver is released, the container is unset again */
	if (c->ngroups == 0 && c->iommu_set && vp_host_container_create(h, &fresh) == 0) {
		dmawin_vfio_destroy(c->c);
		c->c = fresh;
		c->iommu_set = false;
	}
	pthread_rwlock_unlock(&c->lock);
}
