/* SPDX-License-Identifier: MIT */
/*
 * Internal state of the guest layer: the kernel's iommu_table per window, the per-PHB DDW state
 * (Linux's dma_win list, failed_ddw_pdn_list and pci_dn table_group folded together, since the
 * PE is the PHB) and the devices.
 */
#ifndef DMAWIN_GUEST_INT_H
#define DMAWIN_GUEST_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "dmawin/guest.h"
#include "dmawin/iova.h"
#include "dmawin/mem.h"

#define GUEST_NR_POOLS	   4   /* IOMMU_NR_POOLS */
#define GUEST_BLOCKSIZE	   16  /* it_blocksize: small allocations start on a new 16-entry block */
#define GUEST_LARGE_NPAGES 15  /* largealloc = npages > 15 */
#define GUEST_LIST_ENTRIES 512 /* TCEs in one 4 KiB list page */
#define GUEST_MAX_ORDER	   13  /* IOMAP_MAX_ORDER */
#define GUEST_MMIO32_START                                                                         \
	0x80000000ull /* the 32-bit MMIO bus range reserved in an indirect DDW                     \
		       */
#define GUEST_MMIO32_END 0x100000000ull

struct guest_pool {
	uint64_t start, end, hint; /* entry numbers relative to the table */
};

/* Linux's struct iommu_table for one window used with dynamic TCEs. */
struct guest_table {
	uint32_t liobn;
	unsigned page_shift;
	uint64_t offset; /* it_offset: bus start >> page_shift */
	uint64_t size;	 /* it_size: entries */
	enum dmawin_guest_allocator alloc;
	pthread_mutex_t lock;
	/* pool allocator */
	uint64_t *map; /* one bit per entry, set = allocated or reserved */
	unsigned nr_pools;
	uint64_t poolsize;
	struct guest_pool pools[GUEST_NR_POOLS];
	struct guest_pool large;
	/* iova allocator */
	struct dmawin_iova_space *iova;
	uint64_t reserved; /* entries reserved at init */
	_Atomic uint64_t used;
};

/* The dynamic DMA window of a PE, as the kernel's DDW property describes it. */
struct guest_ddw {
	bool present;
	bool direct;
	uint32_t liobn;
	uint64_t start;
	unsigned page_shift;
	unsigned window_shift;
	struct guest_table *tbl; /* indirect DDW only */
};

struct guest_phb {
	uint32_t index;
	unsigned pos; /* papr position */
	bool present; /* not hot-unplugged */
	struct dmawin_papr_phb_dt dt;
	struct guest_table *tbl0; /* the default window's table; NULL before setup / when removed */
	bool default_removed;
	bool ddw_failed; /* on failed_ddw_pdn_list */
	struct guest_ddw ddw;
};

struct guest_device {
	char name[32];
	struct dmawin_guest_device_config cfg;
	struct guest_phb *phb;
	bool present;
	bool probed;
	enum dmawin_guest_mode mode;
	unsigned mask_bits;
	uint64_t mask;
	struct guest_table
		*tbl; /* DEFAULT / DDW_TABLE; also the fallback table of a limited DIRECT */
	uint64_t dma_offset;
	uint64_t direct_limit; /* 0 = everything direct */
	uint64_t direct_end;   /* bus end of the direct window */
	_Atomic uint64_t live; /* live mappings (segments), for unplug */
};

struct guest_counters {
	_Atomic uint64_t v[sizeof(struct dmawin_guest_stats) / sizeof(uint64_t)];
};

struct dmawin_guest {
	struct dmawin_papr *m;
	struct dmawin_mem *mem;
	struct dmawin_guest_config cfg;
	uint64_t page_size;
	bool booted;
	bool multitce;
	uint64_t max_ram_top; /* ddw_memory_hotplug_max() */
	unsigned nphbs;
	struct guest_phb phbs[DMAWIN_PAPR_MAX_PHBS];
	unsigned ndev;
	struct guest_device *devs[DMAWIN_GUEST_MAX_DEVICES];
	/* kmem: guest RAM pages of the model's kernel */
	struct dmawin_iova_space *kmem;
	pthread_mutex_t list_lock; /* the per-CPU TCE list page */
	uint64_t list_gpa;
	unsigned char *list_host;
	struct guest_counters ctr;
	dmawin_guest_line_fn trace_fn;
	void *trace_opaque;
};

/* Counter index of a field of struct dmawin_guest_stats. */
#define GUEST_CTR(field) (offsetof(struct dmawin_guest_stats, field) / sizeof(uint64_t))

static inline void guest_count(struct dmawin_guest *g, size_t idx, uint64_t n)
{
	atomic_fetch_add_explicit(&g->ctr.v[idx], n, memory_order_relaxed);
}

static inline uint64_t guest_pages(uint64_t addr, uint64_t len, unsigned shift)
{
	/* iommu_num_pages(): pages touched by [addr, addr + len) */
	uint64_t first = addr >> shift;
	uint64_t last = (addr + len - 1) >> shift;
	return last - first + 1;
}

/* hcall.c: the TCE hcalls as the pseries guest issues them, counted */
int guest_tce_build(struct dmawin_guest *g, uint32_t liobn, unsigned shift, uint64_t entry,
		    uint64_t npages, uint64_t phys, uint64_t proto);
int guest_tce_free(struct dmawin_guest *g, uint32_t liobn, unsigned shift, uint64_t entry,
		   uint64_t npages);
int guest_tce_stuff_range(struct dmawin_guest *g, uint32_t liobn, uint64_t ioba, unsigned shift,
			  uint64_t ntces);
int guest_tce_setrange(struct dmawin_guest *g, const struct guest_ddw *w, uint64_t phys,
		       uint64_t len);
int guest_tce_clearrange(struct dmawin_guest *g, const struct guest_ddw *w, uint64_t phys,
			 uint64_t len);

/* table.c: iommu_table and its allocators */
int guest_table_create(struct dmawin_guest *g, uint32_t liobn, uint64_t bus_start,
		       uint64_t bus_size, unsigned shift, uint64_t res_start, uint64_t res_end,
		       struct guest_table **out);
void guest_table_destroy(struct guest_table *t);
int guest_table_clear(struct dmawin_guest *g, struct guest_table *t);
int64_t guest_range_alloc(struct guest_table *t, uint64_t npages, uint64_t *handle, uint64_t mask,
			  unsigned align_order, uint64_t boundary);
int guest_range_free(struct guest_table *t, uint64_t entry, uint64_t npages);
bool guest_range_is_allocated(struct guest_table *t, uint64_t entry, uint64_t npages);

/* ddw.c */
int guest_enable_ddw(struct dmawin_guest *g, struct guest_device *d, unsigned bits, bool *direct);
int guest_remove_ddw(struct dmawin_guest *g, struct guest_phb *p);
int guest_setup_phb(struct dmawin_guest *g, struct guest_phb *p);

/* kmem.c */
int guest_kmem_init(struct dmawin_guest *g);
int guest_kmem_alloc(struct dmawin_guest *g, uint64_t size, uint64_t *gpa);
int guest_kmem_free(struct dmawin_guest *g, uint64_t gpa);

struct guest_phb *guest_phb_by_index(struct dmawin_guest *g, uint32_t index);
uint64_t guest_hotplug_max(struct dmawin_guest *g);

#endif
