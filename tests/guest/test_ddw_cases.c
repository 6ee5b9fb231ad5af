/* SPDX-License-Identifier: MIT */
/*
 * DDW negotiation paths other than the sample traces': too few TCEs (indirect DDW, seed 001),
 * no window available (default window removed), DDW refused or failing (fallback, never
 * retried), unplug, memory hotplug, and bad input.
 */
#include "guest_test.h"

/* SR-IOV VF as in seed 001: pages up to 64K, a budget of 4096 TCEs. The largest block cannot
 * map 2 GiB, so the biggest window the block allows (4096 x 64K = 2^28) is created and used
 * with dynamic TCEs; the kernel clears the new table (8 x H_STUFF_TCE 512), maps nothing. */
static void test_ddw_small_budget_indirect_window(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].tce_budget = 4096;
	t.mc.phbs[0].pgsz = (1ull << 12) | (1ull << 16);
	gt_start(&t);
	gt_dev(&t, "vf", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_true(gt_find(&t.lines,
			    "spapr_iommu_ddw_create buid=0x800000020000000 addr=0x0, page "
			    "size=0x10000, requested=0x10000000") >= 0);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000001"), 8);
	assert_int_equal(gt_stats(&t).h_put_tce_indirect, 0);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 0, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DDW_TABLE);
	assert_int_equal(di.liobn, LIOBN1);
	assert_int_equal(di.page_shift, 16);
	/* a map now costs an hcall in the DDW */
	uint64_t dma;
	assert_int_equal(
		dmawin_guest_map_single(t.g, 0, 0x100000, 4096, DMAWIN_GUEST_FROM_DEVICE, &dma), 0);
	assert_true(dma >= (1ull << 59));
	assert_int_equal(gt_stats(&t).h_put_tce, 1);
	struct dmawin_guest_window_stats ws;
	assert_int_equal(dmawin_guest_window_stats(t.g, LIOBN1, &ws), 0);
	assert_int_equal(ws.entries, 4096);
	assert_int_equal(ws.used, 1);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma, 4096, DMAWIN_GUEST_FROM_DEVICE), 0);
	gt_stop(&t);
}

/* One window per PE: query says 0 available, so the kernel clears (the misread property gives
 * a 0-page H_STUFF_TCE), removes the default window, queries again and creates the DDW at bus
 * 0; the 32-bit device then has no window. */
static void test_ddw_no_window_available_removes_default(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].max_windows = 1;
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	long q1 = gt_find(&t.lines,
			  "spapr_iommu_ddw_query buid=0x800000020000000 addr=0x0, 0 windows");
	long rm = gt_find(&t.lines, "spapr_iommu_ddw_remove liobn=0x80000000");
	long q2 = gt_find(&t.lines,
			  "spapr_iommu_ddw_query buid=0x800000020000000 addr=0x0, 1 windows");
	long cr = gt_find(&t.lines,
			  "spapr_iommu_ddw_create buid=0x800000020000000 addr=0x0, page "
			  "size=0x1000000, requested=0x80000000, start addr=0x0, liobn=0x80000000");
	assert_true(q1 >= 0 && q1 < rm && rm < q2 && q2 < cr);
	assert_non_null(strstr(t.lines.v[rm - 1], "npages=0 ret=-4"));
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.default_removed, 1);
	assert_int_equal(s.h_put_tce_indirect, 1);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 0, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(di.dma_offset == 0);
	dmawin_guest_device_info(t.g, 1, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_NONE);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x10000, 4096, 0, &dma), -ENODEV);
	gt_stop(&t);
}

/* No window available and the create then fails (only 16G pages): after removing the default
 * window the kernel must restore it with ibm,reset-pe-dma-windows; 32-bit DMA keeps working. */
static void test_ddw_failure_after_removal_resets(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].max_windows = 1;
	t.mc.phbs[0].pgsz = 1ull << 34;
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	long rm = gt_find(&t.lines, "spapr_iommu_ddw_remove liobn=0x80000000");
	long rs = gt_find(&t.lines, "spapr_iommu_ddw_reset buid=0x800000020000000 addr=0x0");
	assert_true(rm > 0 && rs > rm);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_ddw_create"), 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_reset, 1);
	assert_int_equal(s.ddw_failed, 1);
	assert_int_equal(s.default_removed, 0);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 0, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x10000, 4096, 0, &dma), 0);
	const char msg[] = "after reset";
	assert_int_equal(dmawin_papr_dma_write(t.m, 0, dma, msg, sizeof(msg)), 0);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, dma, 4096, 0), 0);
	gt_stop(&t);
}

/* ddw=off on the PHB: no ibm,ddw-applicable, no RTAS call, the PE is marked failed. */
static void test_ddw_phb_ddw_off_stays_default(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].ddw = false;
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "nvme", 0, 1, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_query, 0);
	assert_int_equal(s.ddw_failed, 1);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 1, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	gt_stop(&t);
}

/* Only 16G pages offered: window_shift 31 < page_shift 34, create fails (-3, untraced); the PE
 * goes on the failed list and the next device does not query again. */
static void test_ddw_create_fails_not_retried(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].pgsz = 1ull << 34;
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "nvme", 0, 1, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_query, 1);
	assert_int_equal(s.rtas_create, 1);
	assert_int_equal(s.rtas_errors, 1);
	assert_int_equal(s.ddw_failed, 1);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_ddw_create"), 0);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 1, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	gt_stop(&t);
}

/* PHB unplug: refused while devices are on it; then the DDW is cleared and removed. */
static void test_ddw_phb_remove_clears_and_removes(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	unsigned id = gt_dev(&t, "nvme", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(dmawin_guest_phb_remove(t.g, 0), -EBUSY);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, id, 0x10000, 100, 0, &dma), 0);
	assert_int_equal(dmawin_guest_device_remove(t.g, id), -EBUSY);
	assert_int_equal(dmawin_guest_unmap_single(t.g, id, dma, 100, 0), 0);
	assert_int_equal(dmawin_guest_device_remove(t.g, id), 0);
	size_t before = t.lines.n;
	assert_int_equal(dmawin_guest_phb_remove(t.g, 0), 0);
	assert_true(t.lines.n == before + 2);
	assert_non_null(strstr(t.lines.v[before],
			       "spapr_iommu_pci_stuff liobn=0x80000001 "
			       "ioba=0x800000080000000 tcevalue=0x0 npages=128 ret=0"));
	assert_string_equal(t.lines.v[before + 1], "spapr_iommu_ddw_remove liobn=0x80000001");
	assert_int_equal(dmawin_guest_phb_remove(t.g, 0), -ENODEV);
	assert_int_equal(
		dmawin_guest_window_stats(t.g, LIOBN1, &(struct dmawin_guest_window_stats){0}),
		-ENOENT);
	gt_stop(&t);
}

/* Memory hotplug: a DIMM onlined above RAM is mapped into the direct window, then cleared. */
static void test_ddw_memory_online_offline(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.maxmem = 4 * GiB;
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(dmawin_mem_add_region(dmawin_papr_mem(t.m), 2 * GiB, GiB, NULL), 0);
	size_t before = t.lines.n;
	assert_int_equal(dmawin_guest_memory_online(t.g, 2 * GiB, GiB), 0);
	assert_int_equal(t.lines.n, before + 1);
	assert_non_null(strstr(t.lines.v[before], "liobn=0x80000001 ioba=0x800000080000000"));
	assert_non_null(strstr(t.lines.v[before], "iobaN=0x3f tceN=0xbf000003 ret=0"));
	/* a device can now DMA to the new memory with no hcall */
	uint64_t dma, puts = gt_stats(&t).h_put_tce;
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 2 * GiB + 0x1000, 64, 0, &dma), 0);
	assert_true(dma == (1ull << 59) + 2 * GiB + 0x1000);
	assert_int_equal(gt_stats(&t).h_put_tce, puts);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma, 64, 0), 0);
	assert_int_equal(dmawin_guest_memory_offline(t.g, 2 * GiB, GiB), 0);
	assert_non_null(strstr(t.lines.v[t.lines.n - 1],
			       "spapr_iommu_pci_stuff liobn=0x80000001 "
			       "ioba=0x8000000c0000000 tcevalue=0x0 npages=64"));
	assert_int_equal(dmawin_guest_memory_online(t.g, 5 * GiB, GiB), -EFAULT);
	assert_int_equal(dmawin_guest_memory_online(t.g, 2 * GiB + 1, GiB), -EINVAL);
	gt_stop(&t);
}

/* page_shift 0 is the generation's Debian page size: a 4 KiB-aligned kmem is fine for 6.12
 * (4 KiB pages) and refused for 6.1 (64 KiB pages) or an explicit 64K. */
static void test_ddw_page_size_follows_kernel(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 512 * MiB);
	assert_int_equal(dmawin_papr_create(&t.mc, &t.m, NULL, 0), 0);
	struct dmawin_guest_config c;
	dmawin_guest_config_init(&c);
	assert_int_equal(c.kernel, DMAWIN_GUEST_KERNEL_NEWEST);
	assert_int_equal(c.kernel, DMAWIN_GUEST_KERNEL_6_12);
	c.kmem_start = 256 * MiB + 0x1000;
	c.kmem_size = MiB;
	struct dmawin_guest *g = NULL;
	assert_int_equal(dmawin_guest_create(t.m, &c, &g), 0);
	dmawin_guest_destroy(g);
	g = NULL;
	c.page_shift = 16;
	assert_int_equal(dmawin_guest_create(t.m, &c, &g), -EINVAL);
	c.page_shift = 0;
	c.kernel = DMAWIN_GUEST_KERNEL_6_1;
	assert_int_equal(dmawin_guest_create(t.m, &c, &g), -EINVAL);
	c.page_shift = 12;
	assert_int_equal(dmawin_guest_create(t.m, &c, &g), 0);
	dmawin_guest_destroy(g);
	dmawin_papr_destroy(t.m);
}

static void test_ddw_kernel_names(void **state)
{
	(void)state;
	enum dmawin_guest_kernel k = DMAWIN_GUEST_KERNEL_6_1;
	unsigned shift = 0;
	assert_int_equal(dmawin_guest_kernel_from_name("6.12", &k), 0);
	assert_int_equal(k, DMAWIN_GUEST_KERNEL_6_12);
	assert_int_equal(dmawin_guest_kernel_from_name("6.1", &k), 0);
	assert_int_equal(k, DMAWIN_GUEST_KERNEL_6_1);
	assert_int_equal(dmawin_guest_kernel_from_name("6.2", &k), -EINVAL);
	assert_int_equal(dmawin_guest_kernel_from_name("6.1 ", &k), -EINVAL);
	assert_int_equal(dmawin_guest_kernel_from_name(NULL, &k), -EINVAL);
	assert_int_equal(k, DMAWIN_GUEST_KERNEL_6_1);
	assert_string_equal(dmawin_guest_kernel_name(DMAWIN_GUEST_KERNEL_6_12), "6.12");
	assert_null(dmawin_guest_kernel_name((enum dmawin_guest_kernel)9));
	assert_int_equal(dmawin_guest_page_shift_from_name("4K", &shift), 0);
	assert_int_equal(shift, 12);
	assert_int_equal(dmawin_guest_page_shift_from_name("64k", &shift), 0);
	assert_int_equal(shift, 16);
	assert_int_equal(dmawin_guest_page_shift_from_name("16K", &shift), -EINVAL);
	assert_int_equal(dmawin_guest_page_shift_from_name("4096", &shift), -EINVAL);
	assert_int_equal(shift, 16);
}

static void test_ddw_bad_input_rejected(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 512 * MiB);
	struct dmawin_guest_config bad;
	dmawin_guest_config_init(&bad);
	bad.page_shift = 14;
	assert_int_equal(dmawin_papr_create(&t.mc, &t.m, NULL, 0), 0);
	struct dmawin_guest *g = NULL;
	assert_int_equal(dmawin_guest_create(t.m, &bad, &g), -EINVAL);
	dmawin_guest_config_init(&bad);
	bad.kernel = (enum dmawin_guest_kernel)2;
	assert_int_equal(dmawin_guest_create(t.m, &bad, &g), -EINVAL);
	dmawin_guest_config_init(&bad);
	bad.kernel = DMAWIN_GUEST_KERNEL_6_1; /* 64 KiB pages: kmem must be 64 KiB aligned */
	bad.kmem_start = 0x1000;
	bad.kmem_size = 0x100000;
	assert_int_equal(dmawin_guest_create(t.m, &bad, &g), -EINVAL);
	bad.kmem_start = 1 * GiB;
	assert_int_equal(dmawin_guest_create(t.m, &bad, &g), -EINVAL);
	assert_null(g);
	assert_int_equal(dmawin_guest_create(t.m, NULL, &t.g), 0);
	struct dmawin_guest_device_config dc = {.dma_mask_bits = 31};
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), -EINVAL);
	dc.dma_mask_bits = 65;
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), -EINVAL);
	dc.dma_mask_bits = 64;
	dc.seg_boundary_mask = 0x12345;
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), -EINVAL);
	dc.seg_boundary_mask = 0;
	dc.phb_index = 7;
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), -ENODEV);
	dc.phb_index = 0;
	unsigned id;
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, &id), 0);
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), -EEXIST);
	assert_int_equal(dmawin_guest_probe(t.g, id), -EAGAIN);
	assert_int_equal(dmawin_guest_probe(t.g, 99), -ENOENT);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, id, 0, 4096, 0, &dma), -ENODEV);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(dmawin_guest_boot(t.g), -EALREADY);
	assert_int_equal(dmawin_guest_probe(t.g, id), -EALREADY);
	assert_int_equal(dmawin_guest_set_dma_mask(t.g, id, 20), -EINVAL);
	unsigned bits = 0;
	assert_int_equal(dmawin_guest_mask_for_qemu_device("no-such-device", &bits), -ENOENT);
	assert_int_equal(dmawin_guest_mask_for_qemu_device("e1000", &bits), 0);
	assert_int_equal(bits, 32);
	gt_stop(&t);
}

/* A driver falling back from 64 to 32 bits moves from the DDW to the default window. */
static void test_ddw_set_mask_32_moves_to_default(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	unsigned id = gt_dev(&t, "nvme", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(dmawin_guest_set_dma_mask(t.g, id, 32), 0);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, id, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	assert_int_equal(dmawin_guest_set_dma_mask(t.g, id, 64), 0);
	dmawin_guest_device_info(t.g, id, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_int_equal(gt_stats(&t).rtas_create, 1);
	gt_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ddw_small_budget_indirect_window),
		cmocka_unit_test(test_ddw_no_window_available_removes_default),
		cmocka_unit_test(test_ddw_failure_after_removal_resets),
		cmocka_unit_test(test_ddw_phb_ddw_off_stays_default),
		cmocka_unit_test(test_ddw_create_fails_not_retried),
		cmocka_unit_test(test_ddw_phb_remove_clears_and_removes),
		cmocka_unit_test(test_ddw_memory_online_offline),
		cmocka_unit_test(test_ddw_bad_input_rejected),
		cmocka_unit_test(test_ddw_page_size_follows_kernel),
		cmocka_unit_test(test_ddw_kernel_names),
		cmocka_unit_test(test_ddw_set_mask_32_moves_to_default),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
