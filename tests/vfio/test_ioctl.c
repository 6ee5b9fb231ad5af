/* SPDX-License-Identifier: MIT */
/*
 * One test per errno/quirk line of spec §1 (dispatch, GET_INFO, ENABLE/DISABLE, TCE_CREATE,
 * TCE_REMOVE, EEH_PE_OP) and §3 (attach). MAP/UNMAP and preregistration: test_map.c.
 */
#include "vfio_fixture.h"

static void test_check_extension_spapr_types_one(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU), 1);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU), 1);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_CHECK_EXTENSION, VFIO_EEH), 0);
	fx_fini(&f);
}

static void test_check_extension_eeh_enabled_one(void **state)
{
	struct dmawin_vfio_config vc = {.eeh = true};
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 4 * GiB, &vc);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_CHECK_EXTENSION, VFIO_EEH), 1);
	fx_fini(&f);
}

static void test_set_iommu_unknown_type_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_TYPE1v2_IOMMU), -EINVAL);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	fx_fini(&f);
}

static void test_set_iommu_no_group_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), -EINVAL);
	fx_fini(&f);
}

static void test_set_iommu_twice_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), -EINVAL);
	fx_fini(&f);
}

static void test_ioctl_before_set_iommu_einval(void **state)
{
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info),
		-EINVAL);
	fx_fini(&f);
}

static void test_v2_requests_on_v1_enotty(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), 64 * KiB), -ENOTTY);
	assert_int_equal(fx_unreg(&f, fx_ua(&f, 0), 64 * KiB), -ENOTTY);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), -ENOTTY);
	assert_int_equal(fx_remove(&f, 0), -ENOTTY);
	fx_fini(&f);
}

static void test_enable_disable_on_v2_enotty(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), -ENOTTY);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_DISABLE, 0), -ENOTTY);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_GET_API_VERSION, 0), -ENOTTY);
	fx_fini(&f);
}

static void test_other_mm_after_binding_eperm(void **state)
{
	struct dmawin_vfio_mm *other;
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_mm_create(f.mem, 16, &other), 0);
	/* Not bound yet: another mm may still call. */
	assert_int_equal(dmawin_vfio_ioctl_mm(f.c, other, VFIO_IOMMU_SPAPR_TCE_GET_INFO,
					      (unsigned long)&info),
			 0);
	assert_int_equal(fx_reg(&f, fx_ua(&f, 0), MiB), 0); /* binds f.mm */
	assert_int_equal(dmawin_vfio_ioctl_mm(f.c, other, VFIO_IOMMU_SPAPR_TCE_GET_INFO,
					      (unsigned long)&info),
			 -EPERM);
	/* Checked before the request: even a request of the other version. */
	assert_int_equal(dmawin_vfio_ioctl_mm(f.c, other, VFIO_IOMMU_ENABLE, 0), -EPERM);
	assert_int_equal(dmawin_vfio_ioctl_mm(f.c, other, VFIO_CHECK_EXTENSION, VFIO_EEH), 0);
	assert_int_equal(dmawin_vfio_mm_destroy(f.mm), -EBUSY);
	fx_fini(&f);
	assert_int_equal(dmawin_vfio_mm_destroy(other), 0);
}

static void test_null_struct_efault(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, 0), -EFAULT);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0), -EFAULT);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_CREATE, 0), -EFAULT);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, 0), -EFAULT);
	fx_fini(&f);
}

/* ---- GET_INFO ---------------------------------------------------------------------------- */

static void test_get_info_no_group_enxio(void **state)
{
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[0]), 0);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info),
		-ENXIO);
	fx_fini(&f);
}

static void test_get_info_short_argsz_einval(void **state)
{
	struct vfio_iommu_spapr_tce_info info = {.argsz = 15};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info),
		-EINVAL);
	fx_fini(&f);
}

static void test_get_info_v2_reports_ddw(void **state)
{
	struct vfio_iommu_spapr_tce_info info;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	memset(&info, 0xff, sizeof(info));
	info.argsz = sizeof(info);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info), 0);
	assert_int_equal(info.flags, VFIO_IOMMU_SPAPR_INFO_DDW);
	assert_int_equal(info.dma32_window_start, 0);
	assert_int_equal(info.dma32_window_size, DMAWIN_PE_DEFAULT_DMA_WIN_SIZE);
	assert_int_equal(info.ddw.pgsizes, DMAWIN_VFIO_DEFAULT_PGSIZES);
	assert_int_equal(info.ddw.max_dynamic_windows_supported, 2);
	assert_int_equal(info.ddw.levels, 5);
	fx_fini(&f);
}

static void test_get_info_argsz16_leaves_ddw(void **state)
{
	struct vfio_iommu_spapr_tce_info info;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	memset(&info, 0xab, sizeof(info));
	info.argsz = 16;
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info), 0);
	assert_int_equal(info.flags, VFIO_IOMMU_SPAPR_INFO_DDW);
	assert_int_equal(info.ddw.levels, 0xabababab); /* not copied out */
	fx_fini(&f);
}

static void test_get_info_v1_no_ddw(void **state)
{
	struct vfio_iommu_spapr_tce_info info;
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), 0);
	memset(&info, 0xff, sizeof(info));
	info.argsz = sizeof(info);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info), 0);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.ddw.pgsizes, 0);
	assert_int_equal(info.ddw.levels, 0);
	fx_fini(&f);
}

static void test_get_info_describes_first_group(void **state)
{
	struct dmawin_vfio_group_config g1 = {.pgsizes = 0x1000 | 0x10000, .max_levels = 2};
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_attach_group_cfg(f.c, f.pe[1], &g1), 0);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info), 0);
	assert_int_equal(info.ddw.pgsizes, DMAWIN_VFIO_DEFAULT_PGSIZES);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[0]), 0);
	assert_int_equal(
		dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_GET_INFO, (unsigned long)&info), 0);
	assert_int_equal(info.ddw.pgsizes, 0x11000);
	assert_int_equal(info.ddw.levels, 2);
	fx_fini(&f);
}

/* ---- v1 ENABLE / DISABLE ---------------------------------------------------------------- */

static void fx_v1(struct fx *f, const struct dmawin_vfio_group_config *gc)
{
	assert_int_equal(dmawin_vfio_attach_group_cfg(f->c, f->pe[0], gc), 0);
	assert_int_equal(fx_set_iommu(f, VFIO_SPAPR_TCE_IOMMU), 0);
}

static void test_enable_charges_dma32_window(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v1(&f, NULL);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), 0);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), DMAWIN_PE_DEFAULT_DMA_WIN_SIZE);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), -EBUSY);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_DISABLE, 0), 0);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_DISABLE, 0), 0); /* always 0 */
	fx_fini(&f);
}

static void test_enable_no_group_enodev(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v1(&f, NULL);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[0]), 0);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), -ENODEV);
	fx_fini(&f);
}

static void test_enable_no_dma32_window_eperm(void **state)
{
	struct dmawin_vfio_group_config gc = {.no_dma32_window = true};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v1(&f, &gc);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), -EPERM);
	fx_fini(&f);
}

static void test_enable_over_lock_limit_enomem(void **state)
{
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 512 * MiB, NULL);
	fx_v1(&f, NULL);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_ENABLE, 0), -ENOMEM);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	fx_fini(&f);
}

/* ---- TCE_CREATE / TCE_REMOVE -------------------------------------------------------------- */

static void test_create_no_group_enxio_binds_mm(void **state)
{
	struct dmawin_vfio_mm *other;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), -ENXIO);
	assert_int_equal(dmawin_vfio_mm_create(f.mem, 16, &other), 0);
	assert_int_equal(dmawin_vfio_ioctl_mm(f.c, other, VFIO_IOMMU_SPAPR_TCE_REMOVE, 0), -EPERM);
	fx_fini(&f);
	assert_int_equal(dmawin_vfio_mm_destroy(other), 0);
}

static void test_create_bad_argsz_flags_einval(void **state)
{
	struct vfio_iommu_spapr_tce_create cr;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	memset(&cr, 0, sizeof(cr));
	cr.argsz = sizeof(cr) - 1;
	cr.page_shift = 16;
	cr.window_size = GiB;
	cr.levels = 1;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr),
			 -EINVAL);
	cr.argsz = sizeof(cr);
	cr.flags = 1;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr),
			 -EINVAL);
	/* the reserved fields are not checked */
	cr.flags = 0;
	cr.__resv1 = 7;
	cr.__resv2 = 9;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_CREATE, (unsigned long)&cr),
			 0);
	assert_int_equal(cr.start_addr, FX_DDW);
	fx_fini(&f);
}

static void test_create_makes_pending_default_window_first(void **state)
{
	struct dmawin_vfio_window_info wi;
	uint64_t start;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_true(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(fx_create(&f, 16, GiB, 1, &start), 0);
	assert_int_equal(start, FX_DDW);
	assert_false(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(dmawin_vfio_window(f.c, 0, &wi), 0);
	assert_true(wi.present);
	assert_int_equal(wi.page_shift, 12);
	assert_int_equal(wi.size, DMAWIN_PE_DEFAULT_DMA_WIN_SIZE);
	assert_int_equal(wi.locked, dmawin_vfio_table_size(12, GiB, 1, 16));
	assert_int_equal(dmawin_mem_locked_bytes(f.mem),
			 dmawin_vfio_table_size(12, GiB, 1, 16) +
				 dmawin_vfio_table_size(16, GiB, 1, 16));
	fx_check(&f);
	fx_fini(&f);
}

static void test_create_both_slots_used_enospc(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), -ENOSPC);
	fx_fini(&f);
}

static void test_create_page_size_not_offered_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 21, GiB, 1, NULL), -EINVAL); /* 2M not in 4K|64K|16M|256M */
	assert_int_equal(fx_create(&f, 64, GiB, 1, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	fx_fini(&f);
}

static void test_create_table_size_zero_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 0, NULL), -EINVAL);
	assert_int_equal(fx_create(&f, 16, GiB, 6, NULL), -EINVAL);
	assert_int_equal(fx_create(&f, 16, 3 * GiB, 1, NULL), -EINVAL);
	assert_int_equal(fx_create(&f, 24, 4 * MiB, 1, NULL), -EINVAL); /* smaller than a page */
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	fx_fini(&f);
}

static void test_create_over_lock_limit_enomem(void **state)
{
	struct fx f;

	(void)state;
	fx_init_cfg(&f, 64 * MiB, NULL);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	/* 1 TiB of 64K pages in 2 levels: 256.125 MiB (spec §5 worked value) */
	assert_int_equal(dmawin_vfio_table_size(16, TiB, 2, 16), 268566528);
	assert_int_equal(fx_create(&f, 16, TiB, 2, NULL), -ENOMEM);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	fx_fini(&f);
}

static void test_create_geometry_rule_einval(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	/* 64K pages, 3 levels: (16 - 3) * 3 + 16 = 55, rejected by the 55-bit rule */
	assert_int_equal(fx_create(&f, 16, GiB, 3, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 2, NULL), 0);
	fx_fini(&f);
}

static void test_create_set_window_error_passed_on(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	/* Slot 0 at 0 covering 8 TiB would cover the PHB's MSI window (4 TiB): pe refuses. */
	assert_int_equal(fx_create(&f, 24, 8 * TiB, 1, NULL), -EEXIST);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 0);
	fx_check(&f);
	fx_fini(&f);
}

static void test_create_slot_fixes_placement(void **state)
{
	uint64_t start;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 12, 256 * MiB, 1, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(fx_create(&f, 16, GiB, 1, &start), 0);
	assert_int_equal(start, FX_DDW);
	assert_int_equal(fx_remove(&f, 4096), 0); /* any address inside names the window */
	/* The next CREATE lands in the free slot 0, at 0, whatever the caller wanted. */
	assert_int_equal(fx_create(&f, 16, GiB, 1, &start), 0);
	assert_int_equal(start, 0);
	fx_check(&f);
	fx_fini(&f);
}

static void test_create_4gb_mode_places_slot1_at_4g(void **state)
{
	struct dmawin_phb_config pc;
	struct dmawin_phb *phb;
	struct dmawin_pe *pe;
	uint64_t start;
	struct fx f;

	(void)state;
	fx_init(&f);
	dmawin_pe_phb_config_init(&pc);
	pc.placement = DMAWIN_PE_PLACEMENT_4GB;
	pc.dma64_win_addr = DMAWIN_PE_4GB;
	assert_int_equal(dmawin_pe_phb_create(&pc, f.mem, &phb), 0);
	assert_int_equal(dmawin_pe_create(phb, 0, &pe), 0);
	assert_int_equal(dmawin_vfio_attach_group(f.c, pe), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	/* A classic PE builds tables differently: incompatible. */
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), -EPERM);
	assert_int_equal(fx_create(&f, 16, 64 * GiB, 1, &start), 0);
	assert_int_equal(start, DMAWIN_PE_4GB);
	dmawin_vfio_destroy(f.c);
	f.c = NULL;
	assert_int_equal(dmawin_vfio_create(f.mm, NULL, &f.c), 0);
	dmawin_pe_phb_destroy(phb);
	fx_fini(&f);
}

static void test_remove_pending_default_window_cancels(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_true(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_false(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 0);
	/* Nothing left to remove at 0 now. */
	assert_int_equal(fx_remove(&f, 0), -EINVAL);
	fx_fini(&f);
}

static void test_remove_checks_einval(void **state)
{
	struct vfio_iommu_spapr_tce_remove rm = {.argsz = 15};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm),
			 -EINVAL);
	rm.argsz = sizeof(rm);
	rm.flags = 2;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_IOMMU_SPAPR_TCE_REMOVE, (unsigned long)&rm),
			 -EINVAL);
	assert_int_equal(fx_remove(&f, FX_DDW), -EINVAL); /* no window there */
	assert_true(dmawin_vfio_default_window_pending(f.c));
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_remove(&f, 0), -ENXIO);
	fx_fini(&f);
}

static void test_remove_unaccounts_and_unsets(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 16, GiB, 2, NULL), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 1);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), dmawin_vfio_table_size(16, GiB, 2, 16));
	/* slot 0 was free: the window sits at 0, not where a DDW would go */
	assert_int_equal(fx_remove(&f, FX_DDW), -EINVAL);
	assert_int_equal(fx_remove(&f, GiB - 1), 0);
	assert_int_equal(dmawin_mem_locked_bytes(f.mem), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 0);
	fx_fini(&f);
}

static void test_table_size_worked_values(void **state)
{
	(void)state;
	assert_int_equal(dmawin_vfio_table_size(12, 2 * GiB, 1, 16), 8 * MiB);
	assert_int_equal(dmawin_vfio_table_size(16, TiB, 2, 16), 268566528);
	assert_int_equal(dmawin_vfio_table_size(24, TiB, 1, 16), MiB);
	for (unsigned s = 12; s <= 28; s += 4) {
		for (unsigned l = 1; l <= 5; l++) {
			struct dmawin_tce_powernv p;

			assert_int_equal(dmawin_tce_powernv_query(s, 64 * GiB, l, 16, &p), 0);
			assert_int_equal(dmawin_vfio_table_size(s, 64 * GiB, l, 16),
					 p.locked_bytes);
		}
	}
}

static void test_create_small_window_enlarged(void **state)
{
	struct dmawin_vfio_window_info wi;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	/* 32 MiB of 64K pages is 512 TCEs, below PAGE_SIZE / 8 = 8192: enlarged to 512 MiB */
	assert_int_equal(fx_create(&f, 16, 32 * MiB, 1, NULL), 0);
	assert_int_equal(dmawin_vfio_window(f.c, 0, &wi), 0);
	assert_int_equal(wi.size, 512 * MiB);
	assert_int_equal(wi.locked, 2 * 64 * KiB);
	fx_check(&f);
	fx_fini(&f);
}

static void test_attach_set_window_failure_unsets_all(void **state)
{
	struct dmawin_phb_config pc;
	struct dmawin_phb *phb2;
	struct dmawin_pe *pe2;
	struct fx f;

	(void)state;
	fx_init(&f);
	dmawin_pe_phb_config_init(&pc);
	pc.msi_win_addr = 4 * GiB; /* inside the 8 GiB window below */
	pc.msi_win_size = 65536;
	assert_int_equal(dmawin_pe_phb_create(&pc, f.mem, &phb2), 0);
	assert_int_equal(dmawin_pe_create(phb2, 0, &pe2), 0);
	fx_v2(&f);
	assert_int_equal(fx_remove(&f, 0), 0);
	assert_int_equal(fx_create(&f, 24, 8 * GiB, 1, NULL), 0); /* slot 0: [0, 8G) */
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), 0);	  /* slot 1 at 1 << 59 */
	assert_int_equal(dmawin_vfio_attach_group(f.c, pe2), -EEXIST);
	assert_int_equal(dmawin_pe_window_count(pe2), 0);
	assert_int_equal(dmawin_vfio_group_count(f.c), 1);
	fx_check(&f);
	fx_fini(&f);
	dmawin_pe_phb_destroy(phb2);
}

/* ---- Attach ------------------------------------------------------------------------------ */

static void test_attach_emulated_einval_no_table_group_enodev(void **state)
{
	struct dmawin_vfio_group_config em = {.emulated = true}, nt = {.no_table_group = true};
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_attach_group_cfg(f.c, f.pe[1], &em), -EINVAL);
	assert_int_equal(dmawin_vfio_attach_group_cfg(f.c, f.pe[1], &nt), -ENODEV);
	assert_int_equal(dmawin_vfio_group_count(f.c), 1);
	fx_fini(&f);
}

static void test_attach_v2_without_ddw_einval(void **state)
{
	struct dmawin_vfio_group_config nd = {.no_ddw = true};
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group_cfg(f.c, f.pe[0], &nd), 0); /* recorded */
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), -EINVAL);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), 0); /* v1 is fine */
	fx_fini(&f);
}

static void test_attach_v1_second_group_ebusy(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v1(&f, NULL);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[1]), -EBUSY);
	fx_fini(&f);
}

static void test_attach_same_group_ebusy(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), -EBUSY);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), -EBUSY);
	assert_int_equal(dmawin_vfio_group_count(f.c), 1);
	assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[1]), -ENOENT);
	fx_fini(&f);
}

static void test_attach_programs_existing_windows(void **state)
{
	struct dmawin_pe_window_info a, b;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_create(&f, 16, GiB, 1, NULL), 0);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[1]), 0);
	for (unsigned slot = 0; slot < 2; slot++) {
		assert_int_equal(dmawin_pe_window_info(f.pe[0], slot, &a), 0);
		assert_int_equal(dmawin_pe_window_info(f.pe[1], slot, &b), 0);
		assert_ptr_equal(a.table, b.table); /* one table, shared */
		assert_int_equal(a.bus_offset, b.bus_offset);
	}
	fx_check(&f);
	fx_fini(&f);
}

static void test_attach_drops_kernel_windows(void **state)
{
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_BYPASS, .bus_offset = FX_DDW, .size = GiB};
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_pe_set_window(f.pe[0], 1, &wc), 0);
	fx_v2(&f);
	assert_int_equal(dmawin_pe_window_count(f.pe[0]), 0);
	fx_fini(&f);
}

/* ---- EEH --------------------------------------------------------------------------------- */

static void test_eeh_get_state_returns_state(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_NORMAL);
	assert_int_equal(dmawin_pe_eeh_freeze(f.pe[0]), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_STOPPED);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_UNFREEZE_IO), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_STOPPED_DMA);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_UNFREEZE_DMA), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_RESET_HOT), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_RESET);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_RESET_DEACTIVATE), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_CONFIGURE), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_DISABLE), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_UNAVAIL);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_ENABLE), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_NORMAL);
	fx_fini(&f);
}

static void test_eeh_bad_args_einval(void **state)
{
	struct vfio_eeh_pe_op e;
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(fx_eeh(&f, 10), -EINVAL); /* unknown op */
	memset(&e, 0, sizeof(e));
	e.argsz = 11;
	e.op = VFIO_EEH_PE_GET_STATE;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, (unsigned long)&e), -EINVAL);
	e.argsz = 12;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, (unsigned long)&e), 0);
	e.flags = 1;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, (unsigned long)&e), -EINVAL);
	/* INJECT_ERR needs the whole err union */
	e.flags = 0;
	e.op = VFIO_EEH_PE_INJECT_ERR;
	e.argsz = 39;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, (unsigned long)&e), -EINVAL);
	e.argsz = 40;
	e.err.func = DMAWIN_PE_EEH_ERR_FUNC_LD_MEM_ADDR;
	assert_int_equal(dmawin_vfio_ioctl(f.c, VFIO_EEH_PE_OP, (unsigned long)&e), 0);
	assert_int_equal(dmawin_pe_eeh_state(f.pe[0]), DMAWIN_PE_EEH_STOPPED);
	fx_fini(&f);
}

static void test_eeh_no_pe_enodev(void **state)
{
	struct dmawin_vfio_group_config ne = {.no_eeh_pe = true};
	struct fx f;

	(void)state;
	fx_init(&f);
	assert_int_equal(dmawin_vfio_attach_group_cfg(f.c, f.pe[0], &ne), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_v2_IOMMU), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), -ENODEV);
	fx_fini(&f);
}

static void test_eeh_broadcast_first_nonzero_wins(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	fx_v2(&f);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[1]), 0);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[2]), 0);
	assert_int_equal(dmawin_pe_eeh_freeze(f.pe[2]), 0);
	/* GET_STATE: the first non-normal state found (David Gibson's point: no addressing). */
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), VFIO_EEH_PE_STATE_STOPPED);
	/* A freeze applies to every group in turn. */
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_RESET_HOT), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(dmawin_pe_eeh_state(f.pe[i]), DMAWIN_PE_EEH_RESET);
	/* With no group there is nobody to ask: 0. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(dmawin_vfio_detach_group(f.c, f.pe[i]), 0);
	assert_int_equal(fx_eeh(&f, VFIO_EEH_PE_GET_STATE), 0);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_extension_spapr_types_one),
		cmocka_unit_test(test_check_extension_eeh_enabled_one),
		cmocka_unit_test(test_set_iommu_unknown_type_einval),
		cmocka_unit_test(test_set_iommu_no_group_einval),
		cmocka_unit_test(test_set_iommu_twice_einval),
		cmocka_unit_test(test_ioctl_before_set_iommu_einval),
		cmocka_unit_test(test_v2_requests_on_v1_enotty),
		cmocka_unit_test(test_enable_disable_on_v2_enotty),
		cmocka_unit_test(test_other_mm_after_binding_eperm),
		cmocka_unit_test(test_null_struct_efault),
		cmocka_unit_test(test_get_info_no_group_enxio),
		cmocka_unit_test(test_get_info_short_argsz_einval),
		cmocka_unit_test(test_get_info_v2_reports_ddw),
		cmocka_unit_test(test_get_info_argsz16_leaves_ddw),
		cmocka_unit_test(test_get_info_v1_no_ddw),
		cmocka_unit_test(test_get_info_describes_first_group),
		cmocka_unit_test(test_enable_charges_dma32_window),
		cmocka_unit_test(test_enable_no_group_enodev),
		cmocka_unit_test(test_enable_no_dma32_window_eperm),
		cmocka_unit_test(test_enable_over_lock_limit_enomem),
		cmocka_unit_test(test_create_no_group_enxio_binds_mm),
		cmocka_unit_test(test_create_bad_argsz_flags_einval),
		cmocka_unit_test(test_create_makes_pending_default_window_first),
		cmocka_unit_test(test_create_both_slots_used_enospc),
		cmocka_unit_test(test_create_page_size_not_offered_einval),
		cmocka_unit_test(test_create_table_size_zero_einval),
		cmocka_unit_test(test_create_over_lock_limit_enomem),
		cmocka_unit_test(test_create_geometry_rule_einval),
		cmocka_unit_test(test_create_set_window_error_passed_on),
		cmocka_unit_test(test_create_slot_fixes_placement),
		cmocka_unit_test(test_create_4gb_mode_places_slot1_at_4g),
		cmocka_unit_test(test_remove_pending_default_window_cancels),
		cmocka_unit_test(test_remove_checks_einval),
		cmocka_unit_test(test_remove_unaccounts_and_unsets),
		cmocka_unit_test(test_table_size_worked_values),
		cmocka_unit_test(test_create_small_window_enlarged),
		cmocka_unit_test(test_attach_set_window_failure_unsets_all),
		cmocka_unit_test(test_attach_emulated_einval_no_table_group_enodev),
		cmocka_unit_test(test_attach_v2_without_ddw_einval),
		cmocka_unit_test(test_attach_v1_second_group_ebusy),
		cmocka_unit_test(test_attach_same_group_ebusy),
		cmocka_unit_test(test_attach_programs_existing_windows),
		cmocka_unit_test(test_attach_drops_kernel_windows),
		cmocka_unit_test(test_eeh_get_state_returns_state),
		cmocka_unit_test(test_eeh_bad_args_einval),
		cmocka_unit_test(test_eeh_no_pe_enodev),
		cmocka_unit_test(test_eeh_broadcast_first_nonzero_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
