/* SPDX-License-Identifier: MIT */
/*
 * dmawin/mem.h - guest RAM: real memory that devices read and write through the IOMMU.
 *
 * Concepts
 *  - A `struct dmawin_mem` is a guest-physical address space made of regions (gpa, size), each
 *    backed by real memory of this process: anonymous mmap with MAP_NORESERVE (a terabyte guest
 *    costs only the pages touched), a memfd (optionally hugetlb, with a clean fallback), or
 *    memory the caller already owns (a VMM embedding the library passes its own RAM).
 *  - Regions never overlap. Between regions there are holes; an access that touches a hole or
 *    runs past a region end fails with -EFAULT and moves no byte. The copy helpers cross from one
 *    region into an adjacent one (gpa-contiguous); dmawin_mem_translate() does not, since it
 *    returns one host pointer.
 *  - Each region has a backing page size: the real one (4 KiB, or the hugetlb size) or one the
 *    caller declares to model a hypervisor's memory backend (e.g. 16 MiB pages). The VFIO layer
 *    uses it for the "IOMMU page must fit in the backing page" check.
 *  - Locked memory: pin/unpin of guest-physical ranges is refcounted per 4 KiB page; the
 *    locked-bytes counter counts each pinned page once, plus explicit charges (TCE tables,
 *    preregistered host memory). Going over the limit fails with -ENOMEM and pins nothing.
 *
 * Concurrency: translate/read/write/page_size take no lock and may run in any number of threads
 * concurrently with each other and with add_region (regions are published copy-on-write).
 * Removing a region while a thread still accesses it is the caller's bug, as unplugging DIMMs
 * under DMA is. Pin/unpin/charge serialise on an internal mutex.
 */
#ifndef DMAWIN_MEM_H
#define DMAWIN_MEM_H

#include "dmawin/dmawin.h"

DMAWIN_BEGIN_DECLS

struct dmawin_mem;

enum dmawin_mem_backing {
	DMAWIN_MEM_ANON = 0,  /* anonymous private mmap, MAP_NORESERVE */
	DMAWIN_MEM_MEMFD = 1, /* memfd_create + shared mmap */
};

struct dmawin_mem_config {
	enum dmawin_mem_backing backing;
	/* memfd only: ask for hugetlb pages; when the system has none, fall back to normal pages
	 * and report it through dmawin_mem_region_info.hugepage_fallback. */
	bool hugepages;
	/* Locked-memory limit in bytes; 0 = the process's RLIMIT_MEMLOCK at create time. */
	uint64_t lock_limit;
	/* dmawin_mem_pin() really mlock()s the pages (needs the rlimit or CAP_IPC_LOCK). */
	bool mlock;
};

struct dmawin_mem_region_opts {
	/* Backing page size to report for this region (power of two, >= 4 KiB); 0 = the real one.
	 * gpa and size must be multiples of it. */
	uint64_t page_size;
	/* Caller-owned memory of at least `size` bytes to use instead of allocating; never freed
	 * by the library. NULL = allocate as configured. */
	void *host;
};

struct dmawin_mem_region_info {
	uint64_t gpa;
	uint64_t size;
	void *host;
	uint64_t page_size;
	enum dmawin_mem_backing backing;
	bool external;          /* memory belongs to the caller */
	bool hugepage_fallback; /* hugetlb was asked for but not available */
};

/**
 * dmawin_mem_create - create an empty guest-physical address space.
 * @cfg: backing and locked-memory settings; NULL = anonymous memory, RLIMIT_MEMLOCK, no mlock.
 * @out: the new object.
 *
 * Return: 0; -EINVAL for an unknown backing; -ENOMEM.
 */
DMAWIN_API int dmawin_mem_create(const struct dmawin_mem_config *cfg, struct dmawin_mem **out);

/** dmawin_mem_destroy - unmap every region the library allocated and free @mem (NULL is a no-op). */
DMAWIN_API void dmawin_mem_destroy(struct dmawin_mem *mem);

/**
 * dmawin_mem_add_region - add RAM at guest-physical @gpa.
 * @opts: NULL for defaults.
 *
 * Return: 0; -EINVAL if @size is 0, @gpa/@size are not page-aligned, @gpa + @size overflows, or
 * the page size is not a power of two >= 4 KiB; -EEXIST if it overlaps a region; -ENOMEM if the
 * memory cannot be mapped; -ENOSPC past DMAWIN_MEM_MAX_REGIONS.
 */
DMAWIN_API int dmawin_mem_add_region(struct dmawin_mem *mem, uint64_t gpa, uint64_t size,
				     const struct dmawin_mem_region_opts *opts);

#define DMAWIN_MEM_MAX_REGIONS 256

/**
 * dmawin_mem_remove_region - remove the region that starts at @gpa (memory hot-unplug).
 *
 * Return: 0; -ENOENT if no region starts there; -EBUSY while any of its pages is pinned.
 */
DMAWIN_API int dmawin_mem_remove_region(struct dmawin_mem *mem, uint64_t gpa);

/** dmawin_mem_region_count - number of regions. */
DMAWIN_API unsigned dmawin_mem_region_count(const struct dmawin_mem *mem);

/**
 * dmawin_mem_region_info - describe region @index (regions are sorted by gpa).
 *
 * Return: 0; -ENOENT if @index is out of range.
 */
DMAWIN_API int dmawin_mem_region_info(const struct dmawin_mem *mem, unsigned index,
				      struct dmawin_mem_region_info *info);

/** dmawin_mem_top - the end (exclusive) of the highest region; 0 when empty. */
DMAWIN_API uint64_t dmawin_mem_top(const struct dmawin_mem *mem);

/** dmawin_mem_total - the sum of region sizes. */
DMAWIN_API uint64_t dmawin_mem_total(const struct dmawin_mem *mem);

/**
 * dmawin_mem_translate - host pointer for the guest-physical range [@gpa, @gpa + @len).
 *
 * The range must lie in one region. @len 0 checks only that @gpa is RAM.
 * Return: 0; -EFAULT if any byte is outside a region or the range crosses a region end.
 */
DMAWIN_API int dmawin_mem_translate(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len,
				    void **host);

/**
 * dmawin_mem_read - copy @len bytes at @gpa out of guest RAM into @dst.
 *
 * The range may span adjacent regions. Return: 0; -EFAULT (nothing copied) if any byte is not RAM.
 */
DMAWIN_API int dmawin_mem_read(const struct dmawin_mem *mem, uint64_t gpa, void *dst, size_t len);

/** dmawin_mem_write - copy @len bytes from @src into guest RAM at @gpa; as dmawin_mem_read(). */
DMAWIN_API int dmawin_mem_write(struct dmawin_mem *mem, uint64_t gpa, const void *src, size_t len);

/**
 * dmawin_mem_page_size - the smallest backing page size over [@gpa, @gpa + @len).
 *
 * Return: 0; -EFAULT if any byte is not RAM; -EINVAL if @len is 0.
 */
DMAWIN_API int dmawin_mem_page_size(const struct dmawin_mem *mem, uint64_t gpa, uint64_t len,
				    uint64_t *page_size);

/**
 * dmawin_mem_pin - pin guest RAM [@gpa, @gpa + @len), rounded out to 4 KiB pages.
 *
 * Each page is refcounted; only pages not pinned yet count against the limit (and are
 * mlock()ed when the configuration asks for it).
 * Return: 0; -EINVAL if @len is 0 or the range overflows; -EFAULT if it is not all RAM;
 * -ENOMEM if the new pages would exceed the lock limit (or mlock fails): nothing is pinned then.
 */
DMAWIN_API int dmawin_mem_pin(struct dmawin_mem *mem, uint64_t gpa, uint64_t len);

/**
 * dmawin_mem_unpin - drop one reference on each page of [@gpa, @gpa + @len).
 *
 * Return: 0; -EINVAL if @len is 0 or any page of the range is not pinned (nothing changes then).
 */
DMAWIN_API int dmawin_mem_unpin(struct dmawin_mem *mem, uint64_t gpa, uint64_t len);

/**
 * dmawin_mem_lock_charge - account @bytes of locked memory that is not guest RAM.
 *
 * Return: 0; -ENOMEM if it would exceed the limit (nothing charged).
 */
DMAWIN_API int dmawin_mem_lock_charge(struct dmawin_mem *mem, uint64_t bytes);

/** dmawin_mem_lock_uncharge - give back @bytes charged by dmawin_mem_lock_charge(); -EINVAL if more than charged. */
DMAWIN_API int dmawin_mem_lock_uncharge(struct dmawin_mem *mem, uint64_t bytes);

/** dmawin_mem_locked_bytes - pinned pages plus charges, in bytes. */
DMAWIN_API uint64_t dmawin_mem_locked_bytes(const struct dmawin_mem *mem);

/** dmawin_mem_lock_limit - the locked-memory limit in bytes. */
DMAWIN_API uint64_t dmawin_mem_lock_limit(const struct dmawin_mem *mem);

/** dmawin_mem_set_lock_limit - change the limit; -EBUSY if below what is locked now. */
DMAWIN_API int dmawin_mem_set_lock_limit(struct dmawin_mem *mem, uint64_t limit);

/** dmawin_mem_is_pinned - whether every page of the range is pinned. */
DMAWIN_API bool dmawin_mem_is_pinned(struct dmawin_mem *mem, uint64_t gpa, uint64_t len);

DMAWIN_END_DECLS

#endif
