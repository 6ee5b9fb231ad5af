/* SPDX-License-Identifier: MIT */
/* A host for container tests: RAM (a mem with one region), a PHB with PEs, an mm, a container. */
#ifndef DMAWIN_TESTS_VFIO_FIXTURE_H
#define DMAWIN_TESTS_VFIO_FIXTURE_H

#include <errno.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dw_test.h"
#include "dmawin/mem.h"
#include "dmawin/pe.h"
#include "dmawin/vfio.h"
#include "vfio/vfio_int.h"

#define FX_RAM (64 * MiB)
#define FX_PES 4
#define FX_DDW (UINT64_C(1) << 59)

struct fx {
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe[FX_PES];
	struct dmawin_vfio_mm *mm;
	struct dmawin_vfio_container *c;
	uint8_t *ram; /* host memory of gpa 0 (hpa == gpa), 16 MiB aligned */
	void *raw;
};

/* @dma_win_size: the PHB's 32-bit window (the default window's size); 0 = QEMU's 1 GiB. */
static inline void fx_init_phb(struct fx *f, uint64_t lock_limit,
			       const struct dmawin_vfio_config *vc, uint64_t dma_win_size)
{
	struct dmawin_mem_config mc = {.backing = DMAWIN_MEM_ANON, .lock_limit = lock_limit};
	struct dmawin_mem_region_opts ro = {0};
	struct dmawin_phb_config pc;

	memset(f, 0, sizeof(*f));
	/* caller-owned RAM aligned like the host's huge pages would be */
	f->raw = mmap(NULL, FX_RAM + 16 * MiB, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(f->raw != MAP_FAILED);
	f->ram = (uint8_t *)(uintptr_t)DW_ALIGN_UP((uint64_t)(uintptr_t)f->raw, 16 * MiB);
	ro.host = f->ram;
	assert_int_equal(dmawin_mem_create(&mc, &f->mem), 0);
	assert_int_equal(dmawin_mem_add_region(f->mem, 0, FX_RAM, &ro), 0);
	dmawin_pe_phb_config_init(&pc);
	pc.max_pes = FX_PES;
	if (dma_win_size)
		pc.dma_win_size = dma_win_size;
	assert_int_equal(dmawin_pe_phb_create(&pc, f->mem, &f->phb), 0);
	for (unsigned i = 0; i < FX_PES; i++)
		assert_int_equal(dmawin_pe_create(f->phb, i, &f->pe[i]), 0);
	assert_int_equal(dmawin_vfio_mm_create(f->mem, 16, &f->mm), 0);
	assert_int_equal(dmawin_vfio_create(f->mm, vc, &f->c), 0);
}

static inline void fx_init_cfg(struct fx *f, uint64_t lock_limit,
			       const struct dmawin_vfio_config *vc)
{
	fx_init_phb(f, lock_limit, vc, 0);
}

static inline void fx_init(struct fx *f)
{
	fx_init_cfg(f, 4 * GiB, NULL);
}

static inline void fx_fini(struct fx *f)
{
	dmawin_vfio_destroy(f->c);
	assert_int_equal(dmawin_vfio_mm_destroy(f->mm), 0);
	/* closing gives back every charge: regions, tables, the v1 window */
	assert_int_equal(dmawin_mem_locked_bytes(f->mem), 0);
	dmawin_pe_phb_destroy(f->phb);
	dmawin_mem_destroy(f->mem);
	munmap(f->raw, FX_RAM + 16 * MiB);
}

static inline uint64_t fx_ua(const struct fx *f, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)(f->ram + gpa);
}

static inline long fx_set_iommu(struct fx *f, unsigned long type)
{
	return dmawin_vfio_ioctl(f->c, VFIO_SET_IOMMU, type);
}

/* A v2 container with PE 0 attached. */
static inline void fx_v2(struct fx *f)
{
	assert_int_equal(dmawin_vfio_attach_group(f->c, f->pe[0]), 0);
	assert_int_equal(fx_set_iommu(f, VFIO_SPAPR_TCE_v2_IOMMU), 0);
}

static inline long fx_register(struct fx *f, unsigned long req, uint64_t ua, uint64_t size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .flags = 0, .vaddr = ua, .size = size};

	return dmawin_vfio_ioctl(f->c, req, (unsigned long)&r);
}

static inline long fx_reg(struct fx *f, uint64_t ua, uint64_t size)
{
	return fx_register(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, ua, size);
}

static inline long fx_unreg(struct fx *f, uint64_t ua, uint64_t size)
{
	return fx_register(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, ua, size);
}

static inline long fx_map(struct fx *f, uint64_t ua, uint64_t iova, uint64_t size, uint32_t flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = ua, .iova = iova, .size = size};

	return dmawin_vfio_ioctl(f->c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m);
}

static inline long fx_unmap(struct fx *f, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u;

	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = iova;
	u.size = size;
	return dmawin_vfio_ioctl(f->c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u);
}

static inline long fx_create(struct fx *f, uint32_t page_shift, uint64_t size, uint32_t levels,
			     uint64_t *start)
{
	struct vfio_iommu_spapr_tce_create cr;
	long ret;

	memset(&cr, 0, sizeof(cr));
	cr.argsz = sizeof(cr);
	cr.page_shift = page_shift;
	cr.window_size = size;
	cr.levels = levels;
	cr.start_addr = 0xdead;
	ret = dmawin_vfio_ioctl(f->c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr);
	if (start)
		*start = cr.start_addr;
	return ret;
}

static inline long fx_remove(struct fx *f, uint64_t start)
{
	struct vfio_iommu_spapr_tce_remove rm = {
		.argsz = sizeof(rm), .flags = 0, .start_addr = start};

	return dmawin_vfio_ioctl(f->c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm);
}

static inline long fx_eeh(struct fx *f, uint32_t op)
{
	struct vfio_eeh_pe_op e;

	memset(&e, 0, sizeof(e));
	e.argsz = sizeof(e);
	e.op = op;
	return dmawin_vfio_ioctl(f->c, VFIO_EEH_PE_OP, (unsigned long)&e);
}

/* The TCE of bus address @iova as PE @pe translates it (0 when not mapped). */
static inline uint64_t fx_tce(struct fx *f, unsigned pe, uint64_t iova, enum dmawin_pe_dir dir)
{
	struct dmawin_pe_xlate x;

	if (dmawin_pe_translate(f->pe[pe], iova, dir, &x) != 0)
		return 0;
	return x.tce;
}

#define fx_check(f) assert_int_equal(vfio_check((f)->c), 0)

#endif
