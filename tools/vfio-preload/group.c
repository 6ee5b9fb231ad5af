/* SPDX-License-Identifier: MIT */
/*
 * /dev/vfio/N: the VFIO core's group file (drivers/vfio/group.c). One open at a time (EBUSY).
 * SET_CONTAINER claims the group's DMA (EBUSY while a function of it is bound to a kernel
 * driver, i.e. not viable) and hands it to the container; GET_DEVICE_FD needs a container with
 * an IOMMU driver. The device fds hold the group, so closing the group while devices are open
 * keeps it attached until the last device closes, as the file references do in Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vp_int.h"

#define PAGE_SIZE_USER 4096 /* strndup_user(arg, PAGE_SIZE) of the device name */

int vp_group_open(unsigned number, int flags)
{
	struct vp_host *h = vp_host_get();
	struct vp_group *g;
	bool busy = false;
	int fd;

	if (!h)
		return -ENODEV;
	if (!atomic_compare_exchange_strong(&h->group_open[number], &busy, true))
		return -EBUSY;
	g = calloc(1, sizeof(*g));
	if (!g) {
		atomic_store(&h->group_open[number], false);
		return -ENOMEM;
	}
	g->number = number;
	pthread_mutex_init(&g->lock, NULL);
	fd = vp_object_open(&g->o, VP_GROUP, "dmawin-vfio:group", flags);
	if (fd < 0) {
		atomic_store(&h->group_open[number], false);
		free(g);
	}
	return fd;
}

void vp_group_release(struct vp_group *g)
{
	struct vp_host *h = vp_host_peek();

	if (g->container) {
		vp_container_detach(g->container, g);
		vp_object_put(&g->container->o);
	}
	atomic_store(&h->group_open[g->number], false);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static long get_status(struct vp_group *g, unsigned long arg)
{
	const size_t minsz = offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status st;
	int ret = vp_copy_from_user(&st, arg, minsz);

	if (ret)
		return ret;
	if (st.argsz < minsz)
		return -EINVAL;
	st.flags = 0;
	pthread_mutex_lock(&g->lock);
	if (g->container)
		st.flags = VFIO_GROUP_FLAGS_CONTAINER_SET | VFIO_GROUP_FLAGS_VIABLE;
	else if (vr_group_viable(&vp_host_peek()->m, g->number))
		st.flags = VFIO_GROUP_FLAGS_VIABLE; /* no kernel driver claims its DMA */
	pthread_mutex_unlock(&g->lock);
	return vp_copy_to_user(arg, &st, minsz);
}

static long set_container(struct vp_group *g, unsigned long arg)
{
	struct vp_object *o;
	int fd, ret;

	ret = vp_copy_from_user(&fd, arg, sizeof(fd));
	if (ret)
		return ret;
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	vp_fd_adopt(fd);
	o = vp_fd_get(fd);
	pthread_mutex_lock(&g->lock);
	if (g->container)
		ret = -EINVAL;
	else if (!o || o->kind != VP_CONTAINER)
		ret = -EBADFD; /* neither a container nor an iommufd */
	else if (!vr_group_viable(&vp_host_peek()->m, g->number))
		ret = -EBUSY; /* iommu_group_claim_dma_owner: a kernel driver owns it */
	else
		ret = vp_container_attach((struct vp_container *)o, g);
	if (ret == 0) {
		g->container = (struct vp_container *)o; /* keeps the reference */
		o = NULL;
	}
	pthread_mutex_unlock(&g->lock);
	if (o)
		vp_object_put(o);
	return ret;
}

static long unset_container(struct vp_group *g)
{
	struct vp_container *c = NULL;
	long ret = 0;

	pthread_mutex_lock(&g->lock);
	if (!g->container)
		ret = -EINVAL;
	else if (g->devices_open)
		ret = -EBUSY; /* container_users != 1 */
	else {
		c = g->container;
		vp_container_detach(c, g);
		g->container = NULL;
	}
	pthread_mutex_unlock(&g->lock);
	if (c)
		vp_object_put(&c->o);
	return ret;
}

static long get_device_fd(struct vp_group *g, unsigned long arg)
{
	struct vp_host *h = vp_host_peek();
	char name[PAGE_SIZE_USER];
	const struct vr_function *fn = NULL;
	int ret = vp_strndup_user(name, arg, sizeof(name));

	if (ret)
		return ret;
	for (unsigned i = 0; i < h->m.nr_functions; i++) {
		const struct vr_function *f = &h->m.functions[i];

		if (f->group == g->number && f->bound && strcmp(f->bdf, name) == 0)
			fn = f;
	}
	if (!fn)
		return -ENODEV; /* vfio_device_get_from_name */
	pthread_mutex_lock(&g->lock);
	/* vfio_df_group_open -> vfio_group_use_container */
	if (!g->container || !g->container->iommu_set) {
		pthread_mutex_unlock(&g->lock);
		return -EINVAL;
	}
	ret = vp_device_open(g, fn);
	if (ret >= 0)
		g->devices_open++;
	pthread_mutex_unlock(&g->lock);
	return ret;
}

long vp_group_ioctl(struct vp_group *g, unsigned long req, unsigned long arg)
{
	switch (req) {
	case VFIO_GROUP_GET_DEVICE_FD:
		return get_device_fd(g, arg);
	case VFIO_GROUP_GET_STATUS:
		return get_status(g, arg);
	case VFIO_GROUP_SET_CONTAINER:
		return set_container(g, arg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return unset_container(g);
	default:
		return -ENOTTY;
	}
}
