/* SPDX-License-Identifier: MIT */
/* Internals of the guest-RAM layer: region tables published copy-on-write, pin bookkeeping. */
#ifndef DMAWIN_MEM_INT_H
#define DMAWIN_MEM_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common/compiler.h"
#include "dmawin/mem.h"

#define MEM_PIN_PAGE_SHIFT 12
#define MEM_PIN_PAGE_SIZE (UINT64_C(1) << MEM_PIN_PAGE_SHIFT)

struct mem_region {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;
	uint64_t page_size;
	uint64_t map_size; /* bytes mmap()ed by us (0 for caller memory) */
	int fd;            /* memfd, or -1 */
	enum dmawin_mem_backing backing;
	bool external;
	bool hugepage_fallback;
};

/* An immutable, gpa-sorted snapshot of the regions. Readers load the current one with acquire
 * and never see it change; writers publish a new one and retire the old (freed at destroy, since
 * a reader may still hold it). */
struct mem_region_table {
	unsigned count;
	struct mem_region_table *retired_next;
	struct mem_region region[];
};

/* A run of pinned 4 KiB pages, [start, end) in gpa, each page holding `refs` references. */
struct mem_pin_run {
	uint64_t start;
	uint64_t end;
	uint64_t refs;
};

struct dmawin_mem {
	_Atomic(struct mem_region_table *) regions;
	struct mem_region_table *retired; /* protected by lock */
	struct dmawin_mem_config cfg;
	pthread_mutex_t lock; /* serialises region changes, pins and charges */

	/* Locked-memory accounting, protected by lock (atomics only so that the
	 * const queries may read without it). */
	_Atomic uint64_t pinned_bytes;
	_Atomic uint64_t charged_bytes;
	_Atomic uint64_t lock_limit;
	struct mem_pin_run *pins; /* sorted, disjoint, non-adjacent runs of equal refs merged */
	size_t pin_count;
	size_t pin_capacity;
};

/* The region containing gpa in `t`, or NULL. */
const struct mem_region *mem_region_find(const struct mem_region_table *t, uint64_t gpa);

static inline const struct mem_region_table *mem_regions(const struct dmawin_mem *mem)
{
	return atomic_load_explicit(&mem->regions, memory_order_acquire);
}

/* Whether [gpa, gpa + len) is all RAM (possibly over adjacent regions); len > 0. */
bool mem_range_is_ram(const struct mem_region_table *t, uint64_t gpa, uint64_t len);

/* Bytes of [start, end) covered by pin runs (locked). */
uint64_t mem_pin_overlap_locked(const struct dmawin_mem *mem, uint64_t start, uint64_t end);

/* Whether the range holds pinned pages (locked). */
bool mem_pin_any_locked(const struct dmawin_mem *mem, uint64_t start, uint64_t end);

void mem_pin_free(struct dmawin_mem *mem);

#endif
