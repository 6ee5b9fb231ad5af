/* SPDX-License-Identifier: MIT */
/*
 * Internals of the VFIO sPAPR TCE container, grouped by file:
 *   prereg.c    the process memory context: preregistered regions (mm_iommu_*)
 *   container.c open/close, the ioctl dispatch, CHECK_EXTENSION, SET_IOMMU, GET_INFO
 *   enable.c    v1 ENABLE/DISABLE, v2 REGISTER/UNREGISTER (argument checks, accounting)
 *   window.c    table size, default window, CREATE/REMOVE, window lookup
 *   map.c       MAP/UNMAP: TCE build and clear by exchange, the userspace-address mirror
 *   group.c     attach/detach of groups, EEH_PE_OP
 *   pe_glue.c   everything the container asks of a PE (the `pe` layer's API)
 *   check.c     whole-structure invariant checker for tests
 */
#ifndef DMAWIN_VFIO_INT_H
#define DMAWIN_VFIO_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/compiler.h"
#include "dmawin/tce.h"
#include "dmawin/vfio.h"

struct vfio_eeh_pe_op;

#define VFIO_MAX_WINDOWS	2 /* IOMMU_TABLE_GROUP_MAX_TABLES */
#define VFIO_MAX_LEVELS		5 /* POWERNV_IOMMU_MAX_LEVELS */
#define VFIO_DEFAULT_PAGE_SHIFT 12
/* Bus address where registered buffers outside every mem region are made reachable. */
#define VFIO_EXTERNAL_HPA_BASE (UINT64_C(1) << 50)

/* Locks live in objects the query functions take as const. */
#define VFIO_MUTABLE(type, p) ((type *)(uintptr_t)(p))

/* ---- prereg.c ---------------------------------------------------------------------------- */

/* One preregistered region (mm_iommu_table_group_mem_t). Never freed before its mm: a lockless
 * MAP may still hold a pointer to it after it left the list. */
struct vfio_region {
	uint64_t ua;
	uint64_t size;
	uint64_t entries; /* host pages */
	uint64_t hpa;	  /* hpa of ua; the region is hpa-contiguous (one mem region) */
	unsigned int pageshift;
	uint64_t used;		 /* references (containers), under mm->lock */
	_Atomic int64_t mapped;	 /* TCEs pointing here + 1; 0 once being unregistered */
	_Atomic uint64_t *dirty; /* one bit per host page */
	bool external;		 /* we added a mem region at hpa for it */
	struct vfio_region *dead_next;
};

/* An immutable ua-sorted snapshot; readers load it with acquire (RCU-like, retired at destroy). */
struct vfio_region_list {
	unsigned int count;
	struct vfio_region_list *retired_next;
	struct vfio_region *region[];
};

struct dmawin_vfio_mm {
	struct dmawin_mem *mem;
	unsigned int host_page_shift;
	pthread_mutex_t lock; /* mem_list_mutex: region list changes, used counts */
	_Atomic(struct vfio_region_list *) list;
	struct vfio_region_list *retired;
	struct vfio_region *dead;
	unsigned int users; /* containers created on or bound to it, under lock */
};

void vfio_mm_ref(struct dmawin_vfio_mm *mm);
void vfio_mm_unref(struct dmawin_vfio_mm *mm);

/* mm_iommu_get: exact (ua, entries) match, used++; NULL if none. */
struct vfio_region *vfio_region_get(struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t entries);
/* mm_iommu_new: 0; -ENOMEM (lock limit), -EFAULT (not reachable memory), -EINVAL (overlap). */
int vfio_region_new(struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t entries,
		    struct vfio_region **out);
/* mm_iommu_put: 0; -ENOENT (used 0); -EBUSY (last user, still mapped: reference kept). */
int vfio_region_put(struct dmawin_vfio_mm *mm, struct vfio_region *r);

static inline const struct vfio_region_list *vfio_regions(const struct dmawin_vfio_mm *mm)
{
	return atomic_load_explicit(&VFIO_MUTABLE(struct dmawin_vfio_mm, mm)->list,
				    memory_order_acquire);
}

/* mm_iommu_lookup: the region holding all of [ua, ua + size), lockless; NULL if none. */
struct vfio_region *vfio_region_lookup(const struct dmawin_vfio_mm *mm, uint64_t ua, uint64_t size);

static inline bool vfio_region_contains(const struct vfio_region *r, uint64_t ua, uint64_t size)
{
	return ua >= r->ua && ua - r->ua < r->size && size <= r->size - (ua - r->ua);
}

/* mm_iommu_mapped_dec: never below 1. */
static inline void vfio_region_mapped_dec(struct vfio_region *r)
{
	int64_t v = atomic_load_explicit(&r->mapped, memory_order_relaxed);

	do {
		if (v <= 1)
			return;
	} while (!atomic_compare_exchange_weak(&r->mapped, &v, v - 1));
}

void vfio_region_mark_dirty(const struct dmawin_vfio_mm *mm, struct vfio_region *r, uint64_t ua);

/* ---- container ----------------------------------------------------------------------------- */

/* The userspace-address mirror of a window (it_userspace), in lazily allocated chunks. */
#define VFIO_UA_CHUNK_SHIFT 13
#define VFIO_UA_CHUNK	    (UINT64_C(1) << VFIO_UA_CHUNK_SHIFT)

struct vfio_window {
	struct dmawin_tce_table *tbl; /* NULL: slot empty; the container's reference */
	unsigned int page_shift;
	unsigned int levels;
	uint64_t it_offset;		 /* bus start >> page_shift */
	uint64_t it_size;		 /* entries */
	uint64_t locked;		 /* bytes charged */
	_Atomic(_Atomic uint64_t *) *ua; /* [nchunks] chunks of VFIO_UA_CHUNK ua values */
	uint64_t nchunks;
};

struct vfio_group {
	struct dmawin_pe *pe;
	struct dmawin_vfio_group_config cfg;
	bool attached; /* the driver's attach ran (after SET_IOMMU) */
};

struct vfio_prereg {
	struct vfio_region *region;
};

struct dmawin_vfio_container {
	struct dmawin_vfio_mm *owner; /* the mm dmawin_vfio_ioctl() calls from */
	struct dmawin_vfio_mm *mm;    /* bound mm (container->mm), NULL until bound */
	struct dmawin_vfio_config cfg;
	pthread_rwlock_t lock; /* shared: MAP/UNMAP; exclusive: everything else */
	unsigned long type;    /* 0 until SET_IOMMU, then VFIO_SPAPR_TCE(_v2)_IOMMU */
	bool v2;
	bool enabled;
	bool def_window_pending;
	uint64_t locked_pages; /* v1 ENABLE charge, host pages */
	struct vfio_window win[VFIO_MAX_WINDOWS];
	struct vfio_group *groups;
	unsigned int ngroups, groups_cap;
	struct vfio_prereg *prereg;
	unsigned int nprereg, prereg_cap;
};

typedef long (*vfio_ioctl_fn)(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			      unsigned long arg);

/*
 * Copies the first @minsz bytes of the ioctl argument at @arg into @p and checks its head. Every
 * VFIO argument struct opens with __u32 argsz and __u32 flags, and every handler checks them
 * the same way (Linux: copy_from_user of minsz, then argsz and flags), so they share this.
 * 0; -EFAULT (no argument); -EINVAL (argsz < @minsz, or a flag outside @flags_ok).
 */
static inline int vfio_arg_in(unsigned long arg, void *p, size_t minsz, uint32_t flags_ok)
{
	struct {
		uint32_t argsz, flags;
	} head;

	if (!arg)
		return -EFAULT;
	memcpy(p, (const void *)(uintptr_t)arg, minsz);
	memcpy(&head, p, sizeof(head));
	if (head.argsz < minsz || (head.flags & ~flags_ok))
		return -EINVAL;
	return 0;
}

/* Binds the caller's mm (tce_iommu_mm_set): 0, or -EPERM for another mm. Exclusive lock. */
int vfio_mm_set(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller);
const struct vfio_group *vfio_first_group(const struct dmawin_vfio_container *c);
bool vfio_groups_attached(const struct dmawin_vfio_container *c);

/* enable.c */
long vfio_ioctl_enable(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg);
long vfio_ioctl_disable(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			unsigned long arg);
long vfio_ioctl_register(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			 unsigned long arg);
long vfio_ioctl_unregister(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			   unsigned long arg);
void vfio_disable_locked(struct dmawin_vfio_container *c);
void vfio_prereg_release_all(struct dmawin_vfio_container *c);

/* window.c */
long vfio_ioctl_create(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg);
long vfio_ioctl_remove(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		       unsigned long arg);
int vfio_create_default_window_locked(struct dmawin_vfio_container *c);
/* The window whose [it_offset, it_offset + it_size) holds iova >> page_shift, or NULL. */
struct vfio_window *vfio_find_window(struct dmawin_vfio_container *c, uint64_t iova);
void vfio_window_free_locked(struct dmawin_vfio_container *c, unsigned int slot);
/* Makes sure the pending default window exists; the lock is held shared on entry and exit. */
int vfio_default_window_shared(struct dmawin_vfio_container *c);

/* map.c */
long vfio_ioctl_map(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		    unsigned long arg);
long vfio_ioctl_unmap(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
		      unsigned long arg);
/* tce_iommu_clear over entries [entry, entry + pages) (absolute entry numbers). */
void vfio_clear(struct dmawin_vfio_container *c, struct vfio_window *w, uint64_t entry,
		uint64_t pages);
void vfio_ua_free(struct vfio_window *w);

/* group.c */
long vfio_ioctl_eeh_pe_op(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *caller,
			  unsigned long arg);
int vfio_attach_driver_locked(struct dmawin_vfio_container *c, struct vfio_group *g);
void vfio_detach_driver_locked(struct dmawin_vfio_container *c, struct vfio_group *g);

/* ---- pe_glue.c: what a container needs from a PE --------------------------------------- */

struct vfio_pe_info {
	uint64_t tce32_start;
	uint64_t tce32_size;
	uint64_t pgsizes; /* bitmap of page sizes in bytes */
	unsigned int max_dynamic_windows_supported;
	unsigned int max_levels;
	uint64_t slot_start[VFIO_MAX_WINDOWS]; /* where a window of each slot is placed */
	unsigned int layout; /* compared at attach, as Linux compares ops->create_table */
};

/* iommu_table_group of @g: 0, or -ENODEV when the platform reports none. */
int vfio_pe_info(const struct vfio_group *g, struct vfio_pe_info *info);
void vfio_pe_take_ownership(struct dmawin_pe *pe);
/* Creates the table for @slot with the PE's geometry rules: 0, -EINVAL, -ENOMEM. */
int vfio_pe_create_table(const struct vfio_group *g, unsigned int slot, unsigned int page_shift,
			 uint64_t window_size, unsigned int levels, unsigned int host_page_shift,
			 struct dmawin_tce_table **tbl, uint64_t *start, uint64_t *it_size);
int vfio_pe_set_window(struct dmawin_pe *pe, unsigned int slot, struct dmawin_tce_table *tbl,
		       uint64_t start);
void vfio_pe_unset_window(struct dmawin_pe *pe, unsigned int slot);
long vfio_pe_eeh_op(const struct vfio_group *g, const struct vfio_eeh_pe_op *op);

/* ---- check.c ----------------------------------------------------------------------------- */

/* Whole-structure invariants; 0 or -EUCLEAN naming nothing (tests print the state). */
int vfio_check(struct dmawin_vfio_container *c);
int vfio_mm_check(const struct dmawin_vfio_mm *mm);

#endif
