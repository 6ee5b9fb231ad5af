/* SPDX-License-Identifier: MIT */
/*
 * vfio workloads: MAP_DMA + UNMAP_DMA of one 64K page (ns per pair) and a 1 GiB map of
 * preregistered memory with 64K pages (ns per TCE), each against the bare tce-layer writes of the
 * same entries measured in the same run (what the container adds on top of the table).
 */
#include <errno.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "dmawin/pe.h"
#include "dmawin/tce.h"
#include "dmawin/vfio.h"

#define PG  (UINT64_C(1) << 16)
#define DDW (UINT64_C(1) << 59)
#define GIB (UINT64_C(1) << 30)

struct host {
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
	struct dmawin_vfio_mm *mm;
	struct dmawin_vfio_container *c;
	void *ram;
	uint64_t ram_size;
};

static void host_fini(struct host *h)
{
	dmawin_vfio_destroy(h->c);
	dmawin_vfio_mm_destroy(h->mm);
	dmawin_pe_phb_destroy(h->phb);
	dmawin_mem_destroy(h->mem);
	if (h->ram)
		munmap(h->ram, h->ram_size);
}

/* A v2 container on one PE with @ram_size of RAM registered and a 64K DDW of @win bytes. */
static int host_init(struct host *h, uint64_t ram_size, uint64_t win)
{
	struct dmawin_mem_config mc = {.backing = DMAWIN_MEM_ANON, .lock_limit = 8 * GIB};
	struct dmawin_mem_region_opts ro = {0};
	struct vfio_iommu_spapr_register_memory reg = {.argsz = sizeof(reg)};
	struct vfio_iommu_spapr_tce_create cr = {.argsz = sizeof(cr)};

	memset(h, 0, sizeof(*h));
	h->ram_size = ram_size;
	h->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->ram == MAP_FAILED) {
		h->ram = NULL;
		return -ENOMEM;
	}
	ro.host = h->ram;
	if (dmawin_mem_create(&mc, &h->mem) || dmawin_mem_add_region(h->mem, 0, ram_size, &ro) ||
	    dmawin_pe_phb_create(NULL, h->mem, &h->phb) || dmawin_pe_create(h->phb, 0, &h->pe) ||
	    dmawin_vfio_mm_create(h->mem, 16, &h->mm) || dmawin_vfio_create(h->mm, NULL, &h->c) ||
	    dmawin_vfio_attach_group(h->c, h->pe) ||
	    dmawin_vfio_ioctl(h->c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return -EIO;
	reg.vaddr = (uint64_t)(uintptr_t)h->ram;
	reg.size = ram_size;
	cr.page_shift = 16;
	cr.window_size = win;
	cr.levels = 2;
	if (dmawin_vfio_ioctl(h->c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&reg) ||
	    dmawin_vfio_ioctl(h->c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr) ||
	    cr.start_addr != DDW)
		return -EIO;
	return 0;
}

static double map_unmap_64k(const struct bench_params *p)
{
	uint64_t ops = bench_ops(p, 1000000), t0, t1;
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
					     .flags = VFIO_DMA_MAP_FLAG_READ |
						      VFIO_DMA_MAP_FLAG_WRITE,
					     .size = PG};
	struct vfio_iommu_type1_dma_unmap u;
	struct host h;
	long bad = 0;

	if (host_init(&h, 64ull << 20, GIB)) {
		host_fini(&h);
		return -EIO;
	}
	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.size = PG;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		m.vaddr = (uint64_t)(uintptr_t)h.ram + (i % 1024) * PG;
		m.iova = u.iova = DDW + (i % 16384) * PG;
		bad |= dmawin_vfio_ioctl(h.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m);
		bad |= dmawin_vfio_ioctl(h.c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u);
	}
	t1 = bench_now_ns();
	host_fini(&h);
	return bad ? -EIO : (double)(t1 - t0) / (double)ops;
}

/* Baseline: the same two entry writes straight on a tce table (exchange in, exchange out). */
static double tce_xchg_pair(const struct bench_params *p)
{
	struct dmawin_tce_geometry g = {.page_shift = 16,
					.window_size = GIB,
					.levels = 2,
					.max_level_size = UINT64_C(1) << 40};
	uint64_t ops = bench_ops(p, 1000000), t0, t1, old = 0;
	struct dmawin_tce_table *t;

	if (dmawin_tce_create(&g, &t))
		return -ENOMEM;
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < ops; i++) {
		dmawin_tce_xchg(t, i % 16384, ((i % 1024) * PG) | 3, &old);
		dmawin_tce_xchg(t, i % 16384, 0, &old);
		bench_keep(old);
	}
	t1 = bench_now_ns();
	dmawin_tce_destroy(t);
	return (double)(t1 - t0) / (double)ops;
}

static double map_1g(const struct bench_params *p)
{
	uint64_t size = p->quick ? (64ull << 20) : GIB, t0, t1;
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
					     .flags = VFIO_DMA_MAP_FLAG_READ |
						      VFIO_DMA_MAP_FLAG_WRITE,
					     .iova = DDW,
					     .size = size};
	struct vfio_iommu_type1_dma_unmap u;
	struct host h;
	long ret;

	if (host_init(&h, size, 2 * GIB)) {
		host_fini(&h);
		return -EIO;
	}
	m.vaddr = (uint64_t)(uintptr_t)h.ram;
	t0 = bench_now_ns();
	ret = dmawin_vfio_ioctl(h.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m);
	t1 = bench_now_ns();
	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = DDW;
	u.size = size;
	ret |= dmawin_vfio_ioctl(h.c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u);
	host_fini(&h);
	return ret ? -EIO : (double)(t1 - t0) / (double)(size / PG);
}

/* Baseline: the same TCEs written by one dmawin_tce_put_array on a fresh table. */
static double tce_put_array_1g(const struct bench_params *p)
{
	uint64_t size = p->quick ? (64ull << 20) : GIB, n = size / PG, t0, t1;
	struct dmawin_tce_geometry g = {.page_shift = 16,
					.window_size = 2 * GIB,
					.levels = 2,
					.max_level_size = UINT64_C(1) << 40};
	struct dmawin_tce_table *t;
	uint64_t *tces = malloc(n * sizeof(*tces));
	int ret;

	if (!tces || dmawin_tce_create(&g, &t)) {
		free(tces);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < n; i++)
		tces[i] = (i * PG) | 3;
	t0 = bench_now_ns();
	ret = dmawin_tce_put_array(t, 0, tces, n);
	t1 = bench_now_ns();
	dmawin_tce_destroy(t);
	free(tces);
	return ret ? -EIO : (double)(t1 - t0) / (double)n;
}

BENCH_WORKLOAD(vfio_map_unmap_64k, .name = "vfio_map_unmap_64k",
	       .description = "VFIO v2 MAP_DMA + UNMAP_DMA of one 64K page, ns per pair",
	       .run = map_unmap_64k, .baseline_name = "tce_xchg_pair", .baseline = tce_xchg_pair)
BENCH_WORKLOAD(
	vfio_map_1g, .name = "vfio_map_1g",
	.description = "VFIO v2 MAP_DMA of 1 GiB of preregistered memory, 64K pages, ns per TCE",
	.run = map_1g, .baseline_name = "tce_put_array_1g", .baseline = tce_put_array_1g)
