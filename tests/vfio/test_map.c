/* SPDX-License-Identifier: MIT */
/*
 * MAP_DMA / UNMAP_DMA (spec §1, §6) and preregistration (§1 REGISTER/UNREGISTER, §2): one test
 * per errno/quirk line, plus locked-memory exhaustion, huge-page containment and dirty tracking.
 */
#include <sys/mman.h>
#include <sys/resource.h>

#include "vfio_fixture.h"

#define R VFIO_DMA_MAP_FLAG_READ
#define W VFIO_DMA_MAP_FLAG_WRITE

/* v2, 16 MiB of RAM registered at gpa 0, the default window, a 64K-page DDW at 1 << 59. */
static void fx_ready(struct fx *f)
{
	fx_v2(f);
	assert_int_equal(fx_reg(f, fx_ua(f, 0), 16 * MiB), 0);
	assert_int_equal(fx_create(f, 16, GiB, 1, NULL), 0);
}

static uint64_t region_mapped(struct fx *f, uint64_t ua)
{
	struct dmawin_vfio_region_info ri;

	assert_int_equal(dmawin_vfio_mm_region(f->mm, ua, &ri), 0);
	return ri.mapped;
}

/* ---- MAP ---------------------------------------------------------------------------------- */

static void test_map_before_register_eperm(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0, 4096, R), -EPERM);
	assert_true(dmawin_vfio_default_window_pending(f.c)); /* checked before creating it */
	fx_fini(&f);
}

static void test_map_bad_argsz_flags_einval(void **state)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = 31, .flags = R, .vaddr = 0, .iova = FX_DDW, .size = 65536};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	m.vaddr = fx_ua(&f, 0);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m), -EINVAL);
	m.argsz = sizeof(m);
	m.flags = R | VFIO_DMA_MAP_FLAG_VADDR;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m), -EINVAL);
	m.flags = 0; /* neither direction: checked after the window and alignment */
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m), -EINVAL);
	m.iova = 2 * GiB; /* between the default window and the DDW */
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_MAP_DMA, (unsigned long)&m), -ENXIO);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_creates_pending_default_window(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), MiB), 0);
	assert_true(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0x1000, 0x1000, R), 0);
	assert_false(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(fx_tce(&f, 0, 0x1000, DMAWIN_PE_DMA_READ), 0 | DMAWIN_TCE_READ);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_iova_in_no_window_enxio(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW - 65536, 65536, R), -ENXIO);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW + GiB, 65536, R), -ENXIO);
	fx_fini(&f);
}

static void test_map_misaligned_size_or_vaddr_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 4096, R), -EINVAL);
	assert_int_equal(fx_map(&f, fx_ua(&f, 4096), FX_DDW, 65536, R), -EINVAL);
	fx_fini(&f);
}

static void test_map_misaligned_iova_returns_one(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	/* iommu_tce_put_param_check is (a || b): 1, not -EINVAL; nothing is written. */
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW + 4096, 65536, R), 1);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1);
	fx_fini(&f);
}

static void test_map_range_past_window_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW + GiB - 65536, 2 * 65536, R), -EINVAL);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + GiB - 65536, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(fx_unmap(&f, FX_DDW + GiB - 65536, 2 * 65536), -EINVAL);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_range_past_window_quirk_clips(void **state)
{
	struct dmawin_vfio_config vc = {.quirks = DMAWIN_VFIO_QUIRK_UNCHECKED_END};
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 4 * GiB, &vc);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW + GiB - 65536, 2 * 65536, R), 0);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + GiB - 65536, DMAWIN_PE_DMA_READ),
			 0 | DMAWIN_TCE_READ);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 2);
	assert_int_equal(fx_unmap(&f, FX_DDW + GiB - 65536, 4 * 65536), 0);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_not_preregistered_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	/* the second page lies past the region: the first one is cleared again */
	assert_int_equal(fx_map(&f, fx_ua(&f, 16 * MiB - 65536), FX_DDW, 2 * 65536, R), -EINVAL);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_page_larger_than_region_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 32 * MiB), 0);
	assert_int_equal(fx_create(&f, 24, GiB, 1, NULL), 0);
	/* 4K-backed memory (a 64K host page) cannot back a 16M IOMMU page */
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0, 16 * MiB, R), -EINVAL);
	fx_fini(&f);
}

static void test_map_huge_page_region_contained(void **state)
{
	struct dmawin_mem_region_opts ho = {.page_size = 16 * MiB};
	struct dmawin_vfio_region_info ri;
	uint8_t *raw;
	uint64_t a;
	struct fx f;

	(void)state;
	fx_init(&f);
	/* caller-owned memory, 16M-aligned as huge pages are: 64 MiB at gpa 1 GiB */
	raw = mmap(NULL, 80 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(raw != MAP_FAILED);
	a = DW_ALIGN_UP((uint64_t)(uintptr_t)raw, 16 * MiB);
	ho.host = (void *)(uintptr_t)a;
	assert_int_equal(dmawin_mem_add_region(f.mem, GiB, 64 * MiB, &ho), 0);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 24, GiB, 1, NULL), 0);
	assert_int_equal(fx_reg(&f, a + 16 * MiB, 32 * MiB), 0);
	assert_int_equal(dmawin_vfio_mm_region(f.mm, a + 16 * MiB, &ri), 0);
	assert_int_equal(ri.pageshift, 24);
	assert_int_equal(ri.hpa, GiB + 16 * MiB);
	assert_int_equal(fx_map(&f, a + 16 * MiB, 0, 32 * MiB, R | W), 0);
	assert_int_equal(fx_tce(&f, 0, 16 * MiB + 5, DMAWIN_PE_DMA_WRITE), (GiB + 32 * MiB) | 3);
	fx_check(&f);
	/* the backing changes under the registration (the region is replaced by a 64K-page
	 * one): tce_page_is_contained fails with -EPERM */
	ho.page_size = 64 * KiB;
	assert_int_equal(dmawin_mem_remove_region(f.mem, GiB), 0);
	assert_int_equal(dmawin_mem_add_region(f.mem, GiB, 64 * MiB, &ho), 0);
	assert_int_equal(fx_map(&f, a + 16 * MiB, 0, 16 * MiB, R), -EPERM);
	assert_int_equal(fx_unmap(&f, 0, 32 * MiB), 0);
	assert_int_equal(fx_unreg(&f, a + 16 * MiB, 32 * MiB), 0);
	fx_fini(&f);
	munmap(raw, 80 * MiB);
}

static void test_map_directions_write_implies_read(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 65536, R), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 65536), FX_DDW + 65536, 65536, W), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 2 * 65536), FX_DDW + 2 * 65536, 65536, R | W), 0);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0 | 1);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + 65536, DMAWIN_PE_DMA_READ), 65536 | 3);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + 2 * 65536, DMAWIN_PE_DMA_READ), 2 * 65536 | 3);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_WRITE), 0); /* read-only */
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 4);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_size_zero_returns_zero(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 0, R), 0);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1);
	fx_fini(&f);
}

static void test_map_overwrite_drops_old_mapping(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 32 * MiB), MiB), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 65536, R | W), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 32 * MiB), FX_DDW, 65536, R), 0);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 32 * MiB)), 2);
	/* the replaced mapping was writable: its page is dirty */
	assert_int_equal(dmawin_vfio_mm_dirty(f.mm, fx_ua(&f, 0), false), 1);
	fx_check(&f);
	fx_fini(&f);
}

/* The mapped_inc failure itself, both behaviours. */
static void dying_map(unsigned quirks, long want, uint64_t want_tce0)
{
	struct dmawin_vfio_config vc = {.quirks = quirks};
	struct vfio_region *r;
	struct fx f;

	fx_init_cfg(&f, 4 * GiB, &vc);
	fx_ready(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 16 * MiB), MiB), 0);
	r = vfio_region_lookup(f.mm, fx_ua(&f, 16 * MiB), 1);
	atomic_store(&r->mapped, 0);
	/* page 0 from the live region, page 1 from the dying one */
	assert_int_equal(fx_map(&f, fx_ua(&f, 16 * MiB - 65536), FX_DDW, 2 * 65536, R), want);
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), want_tce0);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + 65536, DMAWIN_PE_DMA_READ), 0);
	atomic_store(&r->mapped, 1);
	assert_int_equal(fx_unmap(&f, FX_DDW, 2 * 65536), 0);
	fx_check(&f);
	fx_fini(&f);
}

static void test_map_region_being_unregistered_enxio(void **state)
{
	(void)state;
	dying_map(0, -ENXIO, 0);
}

static void test_map_region_being_unregistered_quirk_partial_zero(void **state)
{
	(void)state;
	dying_map(DMAWIN_VFIO_QUIRK_PARTIAL_MAP, 0, (16 * MiB - 65536) | 1);
}

/* ---- UNMAP -------------------------------------------------------------------------------- */

static void test_unmap_checks(void **state)
{
	struct vfio_iommu_type1_dma_unmap u;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_unmap(&f, 0, 4096), -EPERM); /* not enabled */
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 16 * MiB), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), 0);
	memset(&u, 0, sizeof(u));
	u.argsz = 23;
	u.iova = FX_DDW;
	u.size = 65536;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u), -EINVAL);
	u.argsz = 24;
	u.flags = 1;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u), -EINVAL);
	assert_int_equal(fx_unmap(&f, 2 * GiB, 65536), -ENXIO);
	assert_int_equal(fx_unmap(&f, FX_DDW, 4096), -EINVAL);
	assert_int_equal(fx_unmap(&f, FX_DDW + 4096, 65536), 1);
	assert_int_equal(fx_unmap(&f, FX_DDW, 16 * 65536), 0); /* empty entries are fine */
	fx_fini(&f);
}

static void test_unmap_clears_and_leaves_size(void **state)
{
	struct vfio_iommu_type1_dma_unmap u;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 4 * 65536, W), 0);
	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = FX_DDW + 65536;
	u.size = 2 * 65536;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u), 0);
	assert_int_equal(u.size, 2 * 65536); /* sPAPR does not write the size back */
	assert_int_equal(fx_tce(&f, 0, FX_DDW, DMAWIN_PE_DMA_READ), 0 | 3);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + 65536, DMAWIN_PE_DMA_READ), 0);
	assert_int_equal(fx_tce(&f, 0, FX_DDW + 3 * 65536, DMAWIN_PE_DMA_READ), 3 * 65536 | 3);
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 3);
	assert_int_equal(dmawin_vfio_mm_dirty(f.mm, fx_ua(&f, 65536), true), 1);
	assert_int_equal(dmawin_vfio_mm_dirty(f.mm, fx_ua(&f, 65536), false), 0);
	assert_int_equal(dmawin_vfio_mm_dirty(f.mm, fx_ua(&f, 0), false), 0); /* still mapped */
	fx_check(&f);
	fx_fini(&f);
}

static void test_unmap_read_only_not_dirty(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 65536, R), 0);
	assert_int_equal(fx_unmap(&f, FX_DDW, 65536), 0);
	assert_int_equal(dmawin_vfio_mm_dirty(f.mm, fx_ua(&f, 0), false), 0);
	fx_fini(&f);
}

/* ---- REGISTER / UNREGISTER ---------------------------------------------------------------- */

static void test_register_checks_einval(void **state)
{
	struct vfio_iommu_spapr_register_memory r;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	r = (struct vfio_iommu_spapr_register_memory){
		.argsz = 23, .vaddr = fx_ua(&f, 0), .size = MiB};
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&r),
		-EINVAL);
	r.argsz = 24;
	r.flags = 1;
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&r),
		-EINVAL);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 4096), MiB), -EINVAL);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), MiB + 4096), -EINVAL);
	assert_int_equal(fx_reg(&f, UINT64_MAX - 65535, 2 * 65536), -EINVAL); /* wraps */
	/* size 0: Linux's vzalloc(0) of the page array fails */
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 0), -ENOMEM);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 0), -ENOENT); /* REGISTER bound the mm */
	assert_int_equal(dmawin_vfio_mm_region_count(f.mm), 0);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	fx_fini(&f);
}

static void test_register_same_range_ebusy_overlap_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, MiB), MiB), 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, MiB), MiB), -EBUSY);
	assert_int_equal(fx_reg(&f, fx_ua(&f, MiB), 2 * MiB), -EINVAL);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 2 * MiB), -EINVAL);
	assert_int_equal(fx_reg(&f, fx_ua(&f, MiB + 65536), 65536), -EINVAL);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 2 * MiB), MiB), 0); /* adjacent is fine */
	assert_int_equal(dmawin_vfio_mm_region_count(f.mm), 2);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 2 * MiB);
	fx_check(&f);
	fx_fini(&f);
}

static void test_register_over_lock_limit_enomem(void **state)
{
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 8 * MiB, NULL);
	fx_v2(&f);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 6 * MiB), 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 8 * MiB), 4 * MiB), -ENOMEM);
	/* refused before any bookkeeping is allocated for it (fuzz_vfio found the calloc) */
	assert_int_equal(fx_reg(&f, fx_ua(&f, 8 * MiB), UINT64_C(1) << 59), -ENOMEM);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 6 * MiB);
	assert_int_equal(dmawin_vfio_mm_region_count(f.mm), 1);
	/* accounting comes first: an overlapping request over the limit is -ENOMEM */
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 12 * MiB), -ENOMEM);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 8 * MiB), 2 * MiB), 0);
	/* the default window's table counts too: 1 GiB of 4K pages, 1 level: 4 MiB */
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0, 4096, R), -ENOMEM);
	assert_true(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 8 * MiB);
	fx_fini(&f);
}

static void test_register_default_limit_rlimit_memlock_enomem(void **state)
{
	struct rlimit rl;
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 0, NULL); /* 0: the process's RLIMIT_MEMLOCK */
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	if (rl.rlim_cur != RLIM_INFINITY) {
		uint64_t lim = DW_ALIGN_DOWN((uint64_t)rl.rlim_cur, 65536);

		assert_int_equal(dmawin_mem_lock_limit(f.mem), rl.rlim_cur);
		fx_v2(&f);
		if (lim >= 65536 && lim + 65536 <= FX_RAM) {
			assert_int_equal(fx_reg(&f, fx_ua(&f, 0), lim + 65536), -ENOMEM);
			assert_int_equal(fx_reg(&f, fx_ua(&f, 0), lim), 0);
			assert_int_equal(fx_reg(&f, fx_ua(&f, lim), 65536), -ENOMEM);
		}
	}
	fx_fini(&f);
}

static void test_register_unmapped_memory_efault(void **state)
{
	uint8_t *p;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	p = mmap(NULL, 4 * 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	p = (uint8_t *)(uintptr_t)DW_ALIGN_UP((uint64_t)(uintptr_t)p, 65536);
	assert_int_equal(munmap(p, 65536), 0);
	assert_int_equal(fx_reg(&f, (uint64_t)(uintptr_t)p, 65536), -EFAULT);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	/* a range straddling the edge of a mem region cannot be resolved either */
	assert_int_equal(fx_reg(&f, fx_ua(&f, FX_RAM - 65536), 2 * 65536), -EFAULT);
	fx_fini(&f);
}

static void test_register_own_buffer_reachable_by_device(void **state)
{
	struct dmawin_vfio_region_info ri;
	struct dmawin_pe_dev *dev;
	uint8_t *buf, out[16];
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	buf = aligned_alloc(65536, 2 * 65536);
	assert_non_null(buf);
	memset(buf, 0x5a, 2 * 65536);
	memcpy(buf + 65536 + 100, "caller's own mem", 16);
	assert_int_equal(fx_reg(&f, (uint64_t)(uintptr_t)buf, 2 * 65536), 0);
	assert_int_equal(dmawin_vfio_mm_region(f.mm, (uint64_t)(uintptr_t)buf, &ri), 0);
	assert_true(ri.hpa >= VFIO_EXTERNAL_HPA_BASE);
	assert_int_equal(fx_map(&f, (uint64_t)(uintptr_t)buf, FX_DDW, 2 * 65536, R | W), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe[0], NULL, &dev), 0);
	assert_int_equal(dmawin_pe_dma_read(dev, FX_DDW + 65536 + 100, out, 16, NULL), 0);
	assert_memory_equal(out, "caller's own mem", 16);
	assert_int_equal(dmawin_pe_dma_write(dev, FX_DDW + 5, "device", 6, NULL), 0);
	assert_memory_equal(buf + 5, "device", 6);
	dmawin_pe_dev_destroy(dev);
	assert_int_equal(fx_unreg(&f, (uint64_t)(uintptr_t)buf, 2 * 65536), -EBUSY);
	assert_int_equal(fx_unmap(&f, FX_DDW, 2 * 65536), 0);
	assert_int_equal(fx_unreg(&f, (uint64_t)(uintptr_t)buf, 2 * 65536), 0);
	fx_check(&f);
	fx_fini(&f);
	free(buf);
}

static void test_unregister_checks(void **state)
{
	struct vfio_iommu_spapr_register_memory r;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), MiB), -EPERM); /* no mm yet */
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), MiB), 0);
	r = (struct vfio_iommu_spapr_register_memory){
		.argsz = 23, .vaddr = fx_ua(&f, 0), .size = MiB};
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, (unsigned long)&r),
		-EINVAL);
	r.argsz = 24;
	r.flags = 4;
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, (unsigned long)&r),
		-EINVAL);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 4096), MiB), -EINVAL);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 2 * MiB), -ENOENT); /* exact match only */
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 65536), -ENOENT);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), MiB), 0);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), MiB), -ENOENT);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	/* still enabled: MAP gets past -EPERM (and fails on the missing region) */
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0, 4096, R), -EINVAL);
	fx_fini(&f);
}

static void test_unregister_mapped_region_ebusy(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(fx_map(&f, fx_ua(&f, 65536), FX_DDW, 65536, R), 0);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 16 * MiB), -EBUSY);
	assert_int_equal(dmawin_vfio_mm_region_count(f.mm), 1);
	fx_check(&f);
	assert_int_equal(fx_unmap(&f, FX_DDW, 65536), 0);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 16 * MiB), 0);
	fx_fini(&f);
}

static void test_register_shared_by_two_containers(void **state)
{
	struct dmawin_vfio_container *c2;
	struct dmawin_vfio_region_info ri;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f);
	assert_int_equal(dmawin_vfio_create(f.mm, NULL, &c2), 0);
	assert_int_equal(dmawin_vfio_attach_group(c2, f.pe[1]), 0);
	assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	{
		struct vfio_iommu_spapr_register_memory r = {
			.argsz = sizeof(r), .vaddr = fx_ua(&f, 0), .size = 16 * MiB};

		assert_int_equal(
			dmawin_vfio_ioctl(c2, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&r),
			0);
		assert_int_equal(dmawin_vfio_mm_region(f.mm, fx_ua(&f, 0), &ri), 0);
		assert_int_equal(ri.used, 2);
		assert_int_equal(dmawin_mem_locked_bytes(f.mem),
				 16 * MiB + dmawin_vfio_table_size(16, GiB, 1, 16) +
					 dmawin_vfio_table_size(12, GiB, 1, 16));
		/* the first container's mapping does not stop the second one's unregister */
		assert_int_equal(fx_map(&f, fx_ua(&f, 0), FX_DDW, 65536, R), 0);
		assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
						   (unsigned long)&r),
				 0);
	}
	dmawin_vfio_destroy(c2);
	assert_int_equal(dmawin_vfio_mm_region(f.mm, fx_ua(&f, 0), &ri), 0);
	assert_int_equal(ri.used, 1);
	fx_check(&f);
	fx_fini(&f);
	/* closing the container released the region: nothing stays locked */
}

static void test_map_memory_of_other_container_same_mm_accepted(void **state)
{
	struct dmawin_vfio_container *c2;
	struct vfio_iommu_spapr_register_memory r = {.argsz = sizeof(r)};
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m), .flags = R, .size = 65536};
	struct vfio_iommu_type1_dma_unmap u;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_ready(&f); /* registers RAM [0, 16M) through the first container */
	assert_int_equal(dmawin_vfio_create(f.mm, NULL, &c2), 0);
	assert_int_equal(dmawin_vfio_attach_group(c2, f.pe[1]), 0);
	assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	r.vaddr = fx_ua(&f, 32 * MiB);
	r.size = MiB;
	assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, (unsigned long)&r),
			 0);
	/* the lookup is per mm, not per container */
	m.vaddr = fx_ua(&f, MiB);
	m.iova = 65536;
	assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_IOMMU_MAP_DMA, (unsigned long)&m), 0);
	/* c2's MAP created its default window first: 4K pages, so 16 TCEs */
	assert_int_equal(region_mapped(&f, fx_ua(&f, 0)), 1 + 16);
	/* the first container cannot drop the region while c2 maps it */
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 16 * MiB), -EBUSY);
	memset(&u, 0, sizeof(u));
	u.argsz = sizeof(u);
	u.iova = 65536;
	u.size = 65536;
	assert_int_equal(dmawin_vfio_ioctl(c2, VFIO_IOMMU_UNMAP_DMA, (unsigned long)&u), 0);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 16 * MiB), 0);
	dmawin_vfio_destroy(c2);
	fx_fini(&f);
}

/* ---- v1 ------------------------------------------------------------------------------------ */

static void test_v1_map_needs_enable_then_maps(void **state)
{
	struct dmawin_pe_dev *dev;
	uint8_t out[8];
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), 0);
	assert_int_equal(fx_map(&f, fx_ua(&f, 0), 0, 4096, R), -EPERM);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), 0);
	memcpy(f.ram + 3 * 4096, "v1 pages", 8);
	assert_int_equal(fx_map(&f, fx_ua(&f, 3 * 4096), 8192, 4096, R), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe[0], NULL, &dev), 0);
	assert_int_equal(dmawin_pe_dma_read(dev, 8192, out, 8, NULL), 0);
	assert_memory_equal(out, "v1 pages", 8);
	assert_int_equal(dmawin_pe_dma_write(dev, 8192, out, 8, NULL), -EFAULT);
	dmawin_pe_dev_destroy(dev);
	/* not in any mem region: the pin fails */
	{
		static uint8_t outside[8192] __attribute__((aligned(4096)));

		assert_int_equal(fx_map(&f, (uint64_t)(uintptr_t)outside, 0, 4096, R), -EFAULT);
	}
	assert_int_equal(fx_unmap(&f, 8192, 4096), 0);
	assert_int_equal(fx_tce(&f, 0, 8192, DMAWIN_PE_DMA_READ), 0);
	fx_check(&f);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_before_register_eperm),
		cmocka_unit_test(test_map_bad_argsz_flags_einval),
		cmocka_unit_test(test_map_creates_pending_default_window),
		cmocka_unit_test(test_map_iova_in_no_window_enxio),
		cmocka_unit_test(test_map_misaligned_size_or_vaddr_einval),
		cmocka_unit_test(test_map_misaligned_iova_returns_one),
		cmocka_unit_test(test_map_range_past_window_einval),
		cmocka_unit_test(test_map_range_past_window_quirk_clips),
		cmocka_unit_test(test_map_not_preregistered_einval),
		cmocka_unit_test(test_map_page_larger_than_region_einval),
		cmocka_unit_test(test_map_huge_page_region_contained),
		cmocka_unit_test(test_map_directions_write_implies_read),
		cmocka_unit_test(test_map_size_zero_returns_zero),
		cmocka_unit_test(test_map_overwrite_drops_old_mapping),
		cmocka_unit_test(test_map_region_being_unregistered_enxio),
		cmocka_unit_test(test_map_region_being_unregistered_quirk_partial_zero),
		cmocka_unit_test(test_unmap_checks),
		cmocka_unit_test(test_unmap_clears_and_leaves_size),
		cmocka_unit_test(test_unmap_read_only_not_dirty),
		cmocka_unit_test(test_register_checks_einval),
		cmocka_unit_test(test_register_same_range_ebusy_overlap_einval),
		cmocka_unit_test(test_register_over_lock_limit_enomem),
		cmocka_unit_test(test_register_default_limit_rlimit_memlock_enomem),
		cmocka_unit_test(test_register_unmapped_memory_efault),
		cmocka_unit_test(test_register_own_buffer_reachable_by_device),
		cmocka_unit_test(test_unregister_checks),
		cmocka_unit_test(test_unregister_mapped_region_ebusy),
		cmocka_unit_test(test_register_shared_by_two_containers),
		cmocka_unit_test(test_map_memory_of_other_container_same_mm_accepted),
		cmocka_unit_test(test_v1_map_needs_enable_then_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
