/* SPDX-License-Identifier: MIT */
/*
 * Enabling a container: v1 ENABLE/DISABLE (the whole 32-bit window charged to locked memory) and
 * v2 REGISTER/UNREGISTER_MEMORY (preregistration, which also enables). Spec §1 and §2.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "vfio/vfio_int.h"

long vfio_ioctl_enable(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg)
{
	struct vfio_pe_info pi;
	const struct vfio_group *g = vfio_first_group(c);
	uint64_t locked;
	int ret;

	(void)arg;
	if (c->enabled)
		return -EBUSY;
	if (!g || vfio_pe_info(g, &pi) != 0)
		return -ENODEV;
	if (pi.tce32_size == 0)
		return -EPERM;
	ret = vfio_mm_set(c, caller);
	if (ret)
		return ret;
	locked = pi.tce32_size >> c->mm->host_page_shift;
	ret = dmawin_mem_lock_charge(c->mm->mem, locked << c->mm->host_page_shift);
	if (ret)
		return -ENOMEM;
	c->locked_pages = locked;
	c->enabled = true;
	return 0;
}

void vfio_disable_locked(struct dmawin_vfio_container *c)
{
	if (!c->enabled || c->v2)
		return;
	c->enabled = false;
	dmawin_mem_lock_uncharge(c->mm->mem, c->locked_pages << c->mm->host_page_shift);
	c->locked_pages = 0;
}

long vfio_ioctl_disable(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			unsigned long arg)
{
	(void)caller;
	(void)arg;
	vfio_disable_locked(c);
	return 0;
}

/* Reads the common head of the REGISTER/UNREGISTER struct: -EFAULT, -EINVAL or 0. */
static int read_register(unsigned long arg, struct vfio_iommu_spapr_register_memory *p)
{
	const size_t minsz =
		offsetof(struct vfio_iommu_spapr_register_memory, size) + sizeof(p->size);

	return vfio_arg_in(arg, p, minsz, 0);
}

static struct vfio_prereg *prereg_find(struct dmawin_vfio_container *c, const struct vfio_region *r)
{
	for (unsigned int i = 0; i < c->nprereg; i++)
		if (c->prereg[i].region == r)
			return &c->prereg[i];
	return NULL;
}

static int prereg_add(struct dmawin_vfio_container *c, struct vfio_region *r)
{
	if (c->nprereg == c->prereg_cap) {
		unsigned int cap = c->prereg_cap ? c->prereg_cap * 2 : 8;
		struct vfio_prereg *n = realloc(c->prereg, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->prereg = n;
		c->prereg_cap = cap;
	}
	c->prereg[c->nprereg++].region = r;
	return 0;
}

/* tce_iommu_register_pages */
static int register_pages(struct dmawin_vfio_container *c, uint64_t vaddr, uint64_t size)
{
	struct dmawin_vfio_mm *mm = c->mm;
	uint64_t mask = (UINT64_C(1) << mm->host_page_shift) - 1, end;
	struct vfio_region *r;
	int ret;

	if ((vaddr & mask) || (size & mask) || __builtin_add_overflow(vaddr, size, &end))
		return -EINVAL;
	r = vfio_region_get(mm, vaddr, size >> mm->host_page_shift);
	if (r) {
		if (prereg_find(c, r)) {
			vfio_region_put(mm, r);
			return -EBUSY;
		}
	} else {
		ret = vfio_region_new(mm, vaddr, size >> mm->host_page_shift, &r);
		if (ret)
			return ret;
	}
	ret = prereg_add(c, r);
	if (ret) {
		vfio_region_put(mm, r);
		return ret;
	}
	c->enabled = true;
	return 0;
}

long vfio_ioctl_register(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			 unsigned long arg)
{
	struct vfio_iommu_spapr_register_memory p;
	int ret = vfio_mm_set(c, caller);

	if (ret)
		return ret;
	ret = read_register(arg, &p);
	if (ret)
		return ret;
	return register_pages(c, p.vaddr, p.size);
}

/* tce_iommu_prereg_free: drop the container's reference; -EBUSY keeps it. */
static int prereg_free(struct dmawin_vfio_container *c, struct vfio_prereg *p)
{
	int ret = vfio_region_put(c->mm, p->region);

	if (ret)
		return ret;
	*p = c->prereg[--c->nprereg];
	return 0;
}

long vfio_ioctl_unregister(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			   unsigned long arg)
{
	struct vfio_iommu_spapr_register_memory p;
	struct vfio_region *r;
	struct vfio_prereg *pr;
	uint64_t mask;
	int ret;

	(void)caller;
	if (!c->mm)
		return -EPERM;
	ret = read_register(arg, &p);
	if (ret)
		return ret;
	mask = (UINT64_C(1) << c->mm->host_page_shift) - 1;
	if ((p.vaddr & mask) || (p.size & mask))
		return -EINVAL;
	r = vfio_region_get(c->mm, p.vaddr, p.size >> c->mm->host_page_shift);
	if (!r)
		return -ENOENT;
	/* The lookup took a reference; drop it first so that the container's put below is the
	 * one that sees "last user" and the mapped check, as mm_iommu_put would. */
	vfio_region_put(c->mm, r);
	pr = prereg_find(c, r);
	if (!pr)
		return -ENOENT;
	return prereg_free(c, pr);
}

void vfio_prereg_release_all(struct dmawin_vfio_container *c)
{
	while (c->nprereg) {
		struct vfio_prereg *p = &c->prereg[c->nprereg - 1];

		/* Tables were cleared before, so only another container's TCEs can keep the
		 * region mapped; then it stays registered with our reference dropped. */
		if (prereg_free(c, p) != 0)
			c->nprereg--; /* Linux WARNs and leaves the region registered (used 1) */
	}
}
