/* SPDX-License-Identifier: MIT */
/*
 * dmawin/ep.h - a PCIe endpoint in front of an IOMMU domain (seed 004).
 *
 * Concepts
 *  - A `struct dmawin_ep` is an endpoint controller with one BAR (bar_size bytes at PCIe address
 *    bar_addr, set by enumeration) and an ATU of atu_entries entries (default 2). Each enabled
 *    ATU entry translates a contiguous PCIe range to a contiguous IOVA range, matching either
 *    the whole BAR (DMAWIN_EP_ATU_BAR: offset in the BAR = offset in the range) or a window of
 *    PCIe addresses (DMAWIN_EP_ATU_ADDR). A transaction matching no entry passes through
 *    untranslated when the endpoint is configured so, and is rejected otherwise.
 *  - Behind the ATU sits the IOMMU domain: an IOVA space (dmawin/iova.h) whose aperture is the
 *    window [iova_start, iova_start + iova_size) of a TCE table (dmawin/tce.h). The space pushes
 *    every map and unmap into the table, so the driver API is the iova one: reserve a range
 *    (API 1), map scatter-gather lists of physical pages into it (API 3), unmap parts (API 4),
 *    free it (API 2), all through dmawin_ep_iova().
 *  - Memory is a dmawin_mem (physical addresses = its gpa). One more physical region, the
 *    interrupt generator (intgen_phys, intgen_size), is not RAM: a PCIe write that lands there
 *    raises an interrupt (counted, and passed to the optional callback) instead of storing bytes.
 *  - dmawin_ep_expose() does what seed 004's endpoint driver needs: many scattered buffers made
 *    visible through ONE ATU entry, by reserving one IOVA range, mapping each buffer's pages one
 *    after the other into it, and pointing the ATU entry at it.
 *  - Host-side accesses (dmawin_ep_pcie_read/write) go BAR -> ATU -> IOMMU (TCE, permission) ->
 *    memory or interrupt generator. An access is translated page by page before any byte moves:
 *    a fault (no BAR hit, no ATU match, unmapped page, missing permission, not RAM) moves nothing
 *    and is recorded (dmawin_ep_last_fault()).
 *
 * Concurrency: pcie_read/write translate without locks (TCE entries are read atomically) and may
 * run in several threads, concurrently with the driver mapping and unmapping through the iova
 * space; a buffer being unmapped while a transfer runs may see the old or the new translation
 * for each page, as hardware would. ATU programming and destroy must not race with transfers.
 */
#ifndef DMAWIN_EP_H
#define DMAWIN_EP_H

#include "dmawin/dmawin.h"
#include "dmawin/iova.h"
#include "dmawin/mem.h"
#include "dmawin/tce.h"

DMAWIN_BEGIN_DECLS

struct dmawin_ep;

#define DMAWIN_EP_DEFAULT_ATU_ENTRIES 2
#define DMAWIN_EP_MAX_ATU_ENTRIES     16

struct dmawin_ep_config {
	uint64_t bar_addr;    /* PCIe address of the BAR, aligned to bar_size */
	uint64_t bar_size;    /* a power of two >= 4 KiB */
	unsigned atu_entries; /* 1..DMAWIN_EP_MAX_ATU_ENTRIES; 0 = 2 */
	bool atu_passthrough; /* unmatched BAR transactions go to the IOMMU untranslated */
	unsigned page_shift;  /* IOMMU page shift, a TCE page size; 0 = 12 */
	uint64_t iova_start;  /* domain aperture start, aligned to iova_size */
	uint64_t iova_size;   /* a power of two (the TCE window) */
	uint64_t intgen_phys; /* interrupt generator region (page-aligned; 0 size = none) */
	uint64_t intgen_size;
	/* Called for each write into the interrupt generator (may be NULL). */
	void (*irq)(void *ctx, uint64_t offset, uint32_t value);
	void *irq_ctx;
};

enum dmawin_ep_atu_match {
	DMAWIN_EP_ATU_OFF = 0,
	DMAWIN_EP_ATU_BAR = 1,	/* every transaction hitting the BAR */
	DMAWIN_EP_ATU_ADDR = 2, /* transactions inside [pci_addr, pci_addr + size) */
};

struct dmawin_ep_atu_entry {
	enum dmawin_ep_atu_match match;
	uint64_t pci_addr; /* ADDR only */
	uint64_t size;	   /* ADDR only; BAR entries cover the BAR */
	uint64_t iova;	   /* the IOVA that the first matched byte goes to */
};

enum dmawin_ep_fault_reason {
	DMAWIN_EP_FAULT_NONE = 0,
	DMAWIN_EP_FAULT_NO_BAR = 1, /* the address does not hit the BAR */
	DMAWIN_EP_FAULT_NO_ATU = 2, /* no ATU entry matches and no passthrough */
	DMAWIN_EP_FAULT_IOMMU = 3,  /* IOVA outside the window or page not mapped */
	DMAWIN_EP_FAULT_PERM = 4,   /* the TCE lacks the needed permission */
	DMAWIN_EP_FAULT_MEMORY = 5, /* the physical address is neither RAM nor the generator */
};

struct dmawin_ep_fault {
	enum dmawin_ep_fault_reason reason;
	bool write;
	uint64_t pci_addr; /* the first faulting byte */
	uint64_t iova;	   /* valid from the ATU step on */
	uint64_t phys;	   /* valid for MEMORY faults */
};

struct dmawin_ep_stats {
	uint64_t reads, writes; /* successful transactions */
	uint64_t bytes_read, bytes_written;
	uint64_t faults;
	uint64_t irqs;
};

/* Where each buffer of an exposure landed. */
struct dmawin_ep_exposure {
	uint64_t iova;	   /* start of the reserved IOVA range */
	uint64_t len;	   /* bytes mapped (sum of the buffers) */
	uint64_t reserved; /* bytes reserved (len rounded by the allocator) */
	unsigned atu_index;
};

/**
 * dmawin_ep_create - create an endpoint, its IOVA space and its TCE table.
 * @cfg: geometry (NULL is -EINVAL).
 * @mem: the memory behind the IOMMU; the endpoint keeps a pointer, @mem must outlive it.
 * @out: the new endpoint.
 *
 * Return: 0; -EINVAL if @cfg, @mem or @out is NULL, bar_size is not a power of two >= 4 KiB or
 * bar_addr is not aligned to it, atu_entries is above DMAWIN_EP_MAX_ATU_ENTRIES, page_shift is not
 * a TCE page size, iova_size is not a power of two of at least one page (<= 2^59) or iova_start
 * is not aligned to it, or the interrupt generator region is misaligned or overflows; -EEXIST if
 * the interrupt generator overlaps RAM of @mem; -ENOMEM.
 */
DMAWIN_API int dmawin_ep_create(const struct dmawin_ep_config *cfg, struct dmawin_mem *mem,
				struct dmawin_ep **out);

/** dmawin_ep_destroy - free the endpoint, its IOVA space and its table (NULL is a no-op). */
DMAWIN_API void dmawin_ep_destroy(struct dmawin_ep *ep);

/** dmawin_ep_iova - the domain's IOVA space: the driver API of seed 004 (reserve, map, unmap). */
DMAWIN_API struct dmawin_iova_space *dmawin_ep_iova(struct dmawin_ep *ep);

/** dmawin_ep_table - the domain's TCE table (read it, do not write it: the space owns it). */
DMAWIN_API struct dmawin_tce_table *dmawin_ep_table(struct dmawin_ep *ep);

/**
 * dmawin_ep_atu_set - program ATU entry @index (DMAWIN_EP_ATU_OFF disables it).
 *
 * Return: 0; -EINVAL for a NULL @entry, an unknown match, an ADDR entry with size 0 or whose
 * PCIe range overflows; -ERANGE if @index is not below the number of ATU entries; -EEXIST if an
 * ADDR range overlaps another enabled ADDR entry, or a BAR entry is already enabled.
 */
DMAWIN_API int dmawin_ep_atu_set(struct dmawin_ep *ep, unsigned index,
				 const struct dmawin_ep_atu_entry *entry);

/**
 * dmawin_ep_atu_get - read ATU entry @index.
 * Return: 0; -EINVAL for a NULL @entry; -ERANGE if @index is out of range.
 */
DMAWIN_API int dmawin_ep_atu_get(const struct dmawin_ep *ep, unsigned index,
				 struct dmawin_ep_atu_entry *entry);

/**
 * dmawin_ep_expose - make @n buffers visible, one after the other, through ATU entry @index.
 * @bufs: physical ranges, each aligned to the IOMMU page and non-empty (RAM or not).
 * @prot: DMAWIN_IOVA_READ and/or DMAWIN_IOVA_WRITE, seen from the device.
 * @pci_addr: for an ADDR entry, the PCIe address where the first buffer appears; ignored for
 *            @match == DMAWIN_EP_ATU_BAR (the buffers start at BAR offset 0).
 * @out: the IOVA range used.
 *
 * Reserves one IOVA range (top-down), maps the buffers into it back to back and programs the
 * ATU entry; buffer k appears at the sum of the lengths of buffers 0..k-1.
 * Return: 0; -EINVAL for bad @bufs/@n/@prot/@match, or a BAR exposure larger than the BAR;
 * -ERANGE for a bad @index; -EBUSY if ATU entry @index is already enabled; -ENOSPC if the IOVA
 * space has no room; -EEXIST from the ATU (an overlapping ADDR window); -ENOMEM. On failure
 * nothing stays reserved, mapped or programmed.
 */
DMAWIN_API int dmawin_ep_expose(struct dmawin_ep *ep, unsigned index,
				enum dmawin_ep_atu_match match, uint64_t pci_addr,
				const struct dmawin_iova_sg *bufs, size_t n, unsigned prot,
				struct dmawin_ep_exposure *out);

/**
 * dmawin_ep_unexpose - undo dmawin_ep_expose(): disable the ATU entry, unmap and free the range.
 * Return: 0; -ERANGE for a bad index; -ENOENT if the entry is not enabled or its IOVA is not the
 * start of an allocated range.
 */
DMAWIN_API int dmawin_ep_unexpose(struct dmawin_ep *ep, unsigned index);

/**
 * dmawin_ep_pcie_write - a PCIe memory write of @len bytes at @pci_addr, from the host side.
 *
 * Return: 0; -EINVAL if @buf is NULL with @len > 0 or the range overflows; -ENXIO if a byte does
 * not hit the BAR or no ATU entry matches (without passthrough); -EFAULT if the IOVA is outside
 * the window or not mapped, or the physical address is neither RAM nor the interrupt generator;
 * -EACCES if the TCE does not allow the device to write. Nothing is written on failure.
 */
DMAWIN_API int dmawin_ep_pcie_write(struct dmawin_ep *ep, uint64_t pci_addr, const void *buf,
				    size_t len);

/**
 * dmawin_ep_pcie_read - a PCIe memory read; reads of the interrupt generator return zeros.
 * Return: as dmawin_ep_pcie_write() (-EACCES when the TCE does not allow the device to read).
 */
DMAWIN_API int dmawin_ep_pcie_read(struct dmawin_ep *ep, uint64_t pci_addr, void *buf, size_t len);

/** dmawin_ep_last_fault - the last fault (reason NONE if none yet). */
DMAWIN_API void dmawin_ep_last_fault(struct dmawin_ep *ep, struct dmawin_ep_fault *fault);

/** dmawin_ep_get_stats - transaction, fault and interrupt counters. */
DMAWIN_API void dmawin_ep_get_stats(struct dmawin_ep *ep, struct dmawin_ep_stats *stats);

DMAWIN_END_DECLS

#endif
