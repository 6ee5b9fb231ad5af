/* SPDX-License-Identifier: MIT */
/*
 * dmawin/vfio.h - the VFIO sPAPR TCE IOMMU container (v1 and v2), driven by the request numbers
 * and structs of <linux/vfio.h>, as Linux's drivers/vfio/vfio_iommu_spapr_tce.c answers them
 * (../shared/spec/vfio-spapr-and-tables.md §1-4 and §6).
 *
 * Concepts
 *  - A `struct dmawin_vfio_mm` is one process's memory context ("mm"): the list of preregistered
 *    regions of its own memory (host virtual addresses, "ua") and the locked-memory account. It
 *    sits on a `struct dmawin_mem`, which is both the host's physical memory (a registered ua is
 *    translated to a "host physical address", hpa, in that mem: the gpa of the mem region whose
 *    host memory holds it) and the locked-memory counter with its limit (default
 *    RLIMIT_MEMLOCK). A registered buffer the caller owns outside every mem region is added to
 *    the mem as an external region for as long as it stays registered, so devices can reach it.
 *  - A `struct dmawin_vfio_container` is one /dev/vfio/vfio file. dmawin_vfio_ioctl() takes the
 *    same request numbers and argument structs as ioctl(2) on it and returns what Linux returns,
 *    including its quirks: a misaligned iova makes MAP/UNMAP return 1; the default 32-bit window
 *    of a v2 container is created lazily by the first MAP/UNMAP/CREATE and cancelled by REMOVE of
 *    address 0; GET_INFO describes the first attached group. Groups (a `struct dmawin_pe` each,
 *    the PE being the IOMMU group) are attached with dmawin_vfio_attach_group(), which plays both
 *    VFIO_GROUP_SET_CONTAINER and the driver's attach.
 *  - Windows: at most two, created from the first group's PE geometry and programmed into every
 *    attached PE; slot 0 is placed at the PE's 32-bit window start, slot 1 at the PE's 64-bit
 *    window start (1 << 59, or 4 GB in the PE's "4GB" mode). Each window is one refcounted TCE
 *    table: the container holds one reference and every PE it is programmed into holds one, so a
 *    table lives until its last user drops it (seed 002's lifetime question).
 *  - MAP/UNMAP write and clear TCEs by atomic exchange (hpa | R | W; W implies R). A writable
 *    mapping that is replaced or removed marks its page dirty (dmawin_vfio_mm_dirty()). v2 maps
 *    only preregistered memory and counts, per region, the TCEs that point into it: a region
 *    still mapped cannot be unregistered (-EBUSY).
 *  - Where the spec marks a Linux bug the default is the safe behaviour; DMAWIN_VFIO_QUIRK_*
 *    flags select the Linux-exact one.
 *
 * Concurrency: MAP and UNMAP may run in any number of threads at once on one container (they take
 * the container's window lock shared); every other request, attach, detach and destroy take it
 * exclusively. Preregistered regions are looked up without a lock (copy-on-write list). Device
 * DMA through the PEs is lock-free and may run during all of it. dmawin_vfio_destroy() and
 * dmawin_vfio_mm_destroy() must not race with other calls on the same object.
 *
 * Ranges: "end" is exclusive, "last" inclusive, as everywhere in dmawin.
 */
#ifndef DMAWIN_VFIO_H
#define DMAWIN_VFIO_H

#include "dmawin/dmawin.h"
#include "dmawin/mem.h"

DMAWIN_BEGIN_DECLS

struct dmawin_pe;
struct dmawin_vfio_mm;
struct dmawin_vfio_container;

/* Linux-exact behaviours the safe default replaces (struct dmawin_vfio_config.quirks). */
/* MAP/UNMAP check only the first IOMMU page of [iova, iova + size) against the window
 * (iommu_tce_check_ioba ignores npages). Linux then writes past the table; dmawin clips the
 * range at the window end and returns 0. Default: a range running past the window is -EINVAL. */
#define DMAWIN_VFIO_QUIRK_UNCHECKED_END (1u << 0)
/* v2 MAP that meets a region being unregistered stops there and returns 0 with the range only
 * partly mapped. Default: the entries this call wrote are cleared and -ENXIO returned. */
#define DMAWIN_VFIO_QUIRK_PARTIAL_MAP (1u << 1)
/* v5.x detach: a departing group's windows are unset but the shared tables keep their mappings.
 * Default (mainline): detach first clears every container table. */
#define DMAWIN_VFIO_QUIRK_DETACH_KEEPS_MAPPINGS (1u << 2)
#define DMAWIN_VFIO_QUIRKS_ALL                                                                     \
	(DMAWIN_VFIO_QUIRK_UNCHECKED_END | DMAWIN_VFIO_QUIRK_PARTIAL_MAP |                         \
	 DMAWIN_VFIO_QUIRK_DETACH_KEEPS_MAPPINGS)

struct dmawin_vfio_config {
	unsigned int quirks; /* DMAWIN_VFIO_QUIRK_* */
	bool eeh;	     /* what CHECK_EXTENSION(VFIO_EEH) answers (eeh_enabled()) */
};

/**
 * dmawin_vfio_mm_create - create a process memory context on @mem.
 * @mem: host physical memory and locked-memory account (not owned; must outlive the mm).
 * @host_page_shift: the modelled host's PAGE_SHIFT, 12 or 16 (0 = 16, ppc64le): registrations
 *   must be aligned to it, locked memory is counted in such pages, and memory whose backing
 *   page is smaller counts as backed by pages of this size.
 * @out: the new mm.
 *
 * Return: 0; -EINVAL for a NULL argument or another page shift; -ENOMEM.
 */
DMAWIN_API int dmawin_vfio_mm_create(struct dmawin_mem *mem, unsigned int host_page_shift,
				     struct dmawin_vfio_mm **out);

/**
 * dmawin_vfio_mm_destroy - free @mm (NULL is a no-op).
 * Return: 0; -EBUSY if a container still uses it (nothing freed).
 */
DMAWIN_API int dmawin_vfio_mm_destroy(struct dmawin_vfio_mm *mm);

/** dmawin_vfio_mm_region_count - number of preregistered regions of @mm. */
DMAWIN_API unsigned int dmawin_vfio_mm_region_count(const struct dmawin_vfio_mm *mm);

/** struct dmawin_vfio_region_info - one preregistered region (mm_iommu_table_group_mem_t). */
struct dmawin_vfio_region_info {
	uint64_t ua;		/* start (host virtual address) */
	uint64_t size;		/* bytes */
	uint64_t hpa;		/* host physical address of ua (gpa in the mm's mem) */
	unsigned int pageshift; /* largest IOMMU page this region can back */
	uint64_t used;		/* containers referencing it */
	uint64_t mapped;	/* TCEs pointing into it + 1 (0 while being unregistered) */
};

/**
 * dmawin_vfio_mm_region - describe the region containing @ua.
 * Return: 0; -EINVAL for a NULL argument; -ENOENT if no region contains it.
 */
DMAWIN_API int dmawin_vfio_mm_region(const struct dmawin_vfio_mm *mm, uint64_t ua,
				     struct dmawin_vfio_region_info *info);

/**
 * dmawin_vfio_mm_dirty - whether the host page holding @ua was marked dirty (a writable
 * mapping of it was replaced or removed); @clear resets the mark.
 * Return: 1 dirty, 0 clean; -EINVAL for a NULL @mm; -ENOENT if @ua is not preregistered.
 */
DMAWIN_API int dmawin_vfio_mm_dirty(struct dmawin_vfio_mm *mm, uint64_t ua, bool clear);

/**
 * dmawin_vfio_create - open a container (no IOMMU type yet) for the process @mm.
 * @cfg: NULL = safe defaults, EEH not available.
 *
 * Return: 0; -EINVAL for a NULL @mm/@out or unknown quirk bits; -ENOMEM.
 */
DMAWIN_API int dmawin_vfio_create(struct dmawin_vfio_mm *mm, const struct dmawin_vfio_config *cfg,
				  struct dmawin_vfio_container **out);

/**
 * dmawin_vfio_destroy - close the container (tce_iommu_release): detach every group, clear and
 * drop the tables, drop the preregistered regions it references, undo v1 accounting. A region
 * still mapped by another container stays. NULL is a no-op.
 */
DMAWIN_API void dmawin_vfio_destroy(struct dmawin_vfio_container *c);

/**
 * dmawin_vfio_ioctl - one container ioctl, called from the container's own mm.
 * @request: VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU, VFIO_IOMMU_SPAPR_TCE_GET_INFO,
 *   VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA, VFIO_IOMMU_ENABLE, VFIO_IOMMU_DISABLE,
 *   VFIO_IOMMU_SPAPR_REGISTER_MEMORY, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
 *   VFIO_IOMMU_SPAPR_TCE_CREATE, VFIO_IOMMU_SPAPR_TCE_REMOVE, VFIO_EEH_PE_OP.
 * @arg: the extension or IOMMU type for the first two, else the address of the struct.
 *
 * Return: what Linux returns (spec §1): 0 or a positive value (CHECK_EXTENSION's answer,
 * EEH GET_STATE's state, 1 for a misaligned MAP/UNMAP iova), or a negative errno: -EINVAL
 * (short argsz, bad flags, misaligned sizes, a second SET_IOMMU, no group at SET_IOMMU, any
 * driver request before SET_IOMMU, a NULL container or mm),
 * -EFAULT (NULL struct), -EPERM (not enabled, mm mismatch), -ENXIO (no group, iova in no
 * window), -ENOTTY (a request of the other IOMMU version or an unknown one), -EBUSY, -ENOENT,
 * -ENOSPC, -ENOMEM, -ENODEV, or an error of the pe layer.
 */
DMAWIN_API long dmawin_vfio_ioctl(struct dmawin_vfio_container *c, unsigned long request,
				  unsigned long arg);

/**
 * dmawin_vfio_ioctl_mm - dmawin_vfio_ioctl() called from the process @mm: the first ENABLE,
 * REGISTER, CREATE or REMOVE binds the container to its caller's mm, later calls from another
 * mm get -EPERM.
 * Return: as dmawin_vfio_ioctl().
 */
DMAWIN_API long dmawin_vfio_ioctl_mm(struct dmawin_vfio_container *c, struct dmawin_vfio_mm *mm,
				     unsigned long request, unsigned long arg);

/**
 * struct dmawin_vfio_group_config - what the host platform reports about a PE's IOMMU group
 * (its iommu_table_group). A zeroed struct (or NULL) is a PowerNV IODA2 PE: the PHB's 32-bit
 * window as dma32 window, DDW with 2 windows, 5 levels, page sizes 4K|64K|16M|256M.
 */
struct dmawin_vfio_group_config {
	uint64_t pgsizes;	 /* bitmap of IOMMU page sizes in bytes; 0 = 4K|64K|16M|256M */
	unsigned int max_levels; /* 0 = 5 */
	bool no_ddw;		 /* max_dynamic_windows_supported = 0 (v2 attach: -EINVAL) */
	bool no_dma32_window;	 /* tce32_size = 0 (v1 ENABLE: -EPERM) */
	bool emulated;		 /* a VFIO_EMULATED_IOMMU group (attach: -EINVAL) */
	bool no_table_group;	 /* no iommu_table_group (attach: -ENODEV) */
	bool no_eeh_pe;		 /* no EEH PE behind the group (EEH_PE_OP: -ENODEV) */
};

#define DMAWIN_VFIO_DEFAULT_PGSIZES                                                                \
	(UINT64_C(0x1000) | UINT64_C(0x10000) | UINT64_C(0x1000000) | UINT64_C(0x10000000))

/**
 * dmawin_vfio_attach_group - add the IOMMU group of @pe to the container.
 *
 * Before VFIO_SET_IOMMU the group is only recorded (VFIO_GROUP_SET_CONTAINER); SET_IOMMU then
 * attaches every recorded group. After it, the driver's attach runs at once (mainline order):
 * v2 on a PE without DDW → -EINVAL; v1 with a group already attached → -EBUSY; the same PE
 * again → -EBUSY; a PE with a different table layout than the attached ones → -EPERM; -ENOMEM.
 * Then every existing window is programmed into @pe (on failure all of them are unset again and
 * the error returned). The first group of a container with no window makes the default window
 * pending.
 * Return: 0 or the negative errno above; -EINVAL for a NULL argument.
 */
DMAWIN_API int dmawin_vfio_attach_group(struct dmawin_vfio_container *c, struct dmawin_pe *pe);

/**
 * dmawin_vfio_attach_group_cfg - dmawin_vfio_attach_group() for a PE whose group the platform
 * describes as @gc (NULL = the defaults). Before the checks above: an emulated group → -EINVAL;
 * a group without table group → -ENODEV. Taking the group drops whatever windows the PE had
 * (PowerNV take_ownership); detaching leaves it without windows.
 * Return: as dmawin_vfio_attach_group().
 */
DMAWIN_API int dmawin_vfio_attach_group_cfg(struct dmawin_vfio_container *c, struct dmawin_pe *pe,
					    const struct dmawin_vfio_group_config *gc);

/**
 * dmawin_vfio_detach_group - remove @pe's group: (mainline) clear every container table, then
 * unset every window from @pe. The tables stay in the container until REMOVE or destroy.
 * Return: 0; -EINVAL for a NULL argument; -ENOENT if @pe is not attached to @c.
 */
DMAWIN_API int dmawin_vfio_detach_group(struct dmawin_vfio_container *c, struct dmawin_pe *pe);

/** dmawin_vfio_group_count - number of groups attached (or recorded) to @c. */
DMAWIN_API unsigned int dmawin_vfio_group_count(const struct dmawin_vfio_container *c);

/** struct dmawin_vfio_window_info - one window slot of a container. */
struct dmawin_vfio_window_info {
	bool present;
	unsigned int page_shift;
	uint64_t start; /* bus address */
	uint64_t size;	/* bytes the container bounds accesses by (it_size << page_shift) */
	unsigned int levels;
	uint64_t locked; /* bytes charged to locked memory for it */
};

/**
 * dmawin_vfio_window - describe slot @slot (0 or 1) of @c.
 * Return: 0 (present says whether the slot holds a window); -EINVAL for a NULL argument or
 * another slot.
 */
DMAWIN_API int dmawin_vfio_window(const struct dmawin_vfio_container *c, unsigned int slot,
				  struct dmawin_vfio_window_info *info);

/** dmawin_vfio_default_window_pending - whether the default window waits to be created. */
DMAWIN_API bool dmawin_vfio_default_window_pending(const struct dmawin_vfio_container *c);

/**
 * dmawin_vfio_table_size - pnv_pci_ioda2_get_table_size(): the bytes of a window's TCE table
 * plus its userspace copy, as charged to locked memory at CREATE.
 * @host_page_shift: 12 or 16.
 * Return: the bytes; 0 when Linux returns 0 (levels 0 or > 5, window not a power of two or
 * smaller than one IOMMU page), which makes CREATE fail with -EINVAL.
 */
DMAWIN_API uint64_t dmawin_vfio_table_size(unsigned int page_shift, uint64_t window_size,
					   unsigned int levels, unsigned int host_page_shift);

/** struct dmawin_vfio_mapping - a run of consecutive live entries of one window. */
struct dmawin_vfio_mapping {
	unsigned int slot;
	unsigned int page_shift;
	uint64_t iova; /* bus address of the first byte */
	uint64_t size; /* bytes */
	uint64_t hpa;  /* host physical address of the first byte */
	uint64_t ua;   /* v2: the program's address it was mapped from; v1: 0 */
	unsigned int perm; /* DMAWIN_TCE_READ | DMAWIN_TCE_WRITE bits of the entries */
};

/**
 * dmawin_vfio_for_each_mapping - call @fn for every run of live entries of @c, windows in slot
 * order, runs in bus address order; stops at the first non-zero return of @fn.
 * Return: 0; what @fn returned; -EINVAL for a NULL argument.
 */
DMAWIN_API int dmawin_vfio_for_each_mapping(const struct dmawin_vfio_container *c,
					    int (*fn)(const struct dmawin_vfio_mapping *m,
						      void *arg),
					    void *arg);

/**
 * dmawin_vfio_for_each_region - call @fn for every region @c preregistered (its prereg list,
 * in registration order); stops at the first non-zero return of @fn.
 * Return: 0; what @fn returned; -EINVAL for a NULL argument.
 */
DMAWIN_API int dmawin_vfio_for_each_region(const struct dmawin_vfio_container *c,
					   int (*fn)(const struct dmawin_vfio_region_info *r,
						     void *arg),
					   void *arg);

/** struct dmawin_vfio_report - a container's state in numbers. */
struct dmawin_vfio_report {
	unsigned long type;	     /* VFIO_SPAPR_TCE(_v2)_IOMMU, 0 before SET_IOMMU */
	unsigned int groups;	     /* attached or recorded */
	unsigned int windows;	     /* present */
	bool default_window_pending;
	uint64_t window_locked;	     /* bytes charged for the windows' tables */
	uint64_t mapped_pages;	     /* live entries over every window */
	unsigned int regions;	     /* preregistered by this container */
	uint64_t region_bytes;
};

/**
 * dmawin_vfio_report - summarise @c.
 * Return: 0; -EINVAL for a NULL argument.
 */
DMAWIN_API int dmawin_vfio_report(const struct dmawin_vfio_container *c,
				  struct dmawin_vfio_report *out);

DMAWIN_END_DECLS

#endif
