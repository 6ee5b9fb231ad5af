/* SPDX-License-Identifier: MIT */
/*
 * Boot-time IOMMU setup of the guest under the configurations spec papr-ddw.md §5 and the
 * traces README describe: expected counts come from the rules (window sizes, page sizes, 512
 * per call), not from the sample files.
 */
#include "guest_test.h"

#define BUID0 "buid=0x800000020000000"

static void boot_traces_machine(struct gt *t)
{
	gt_start(t);
	gt_dev(t, "nvme", 0, 0, 64);
	gt_dev(t, "e1000", 0, 1, 32);
	gt_dev(t, "e1000", 0, 2, 32);
	assert_int_equal(dmawin_guest_boot(t->g), 0);
}

/* README "Boot": 1 GiB / 4K = 262144 TCEs cleared as 512 x H_STUFF_TCE(512); then 16M DDW of
 * 2^31 (2 GiB RAM) at 1<<59 mapped by one H_PUT_TCE_INDIRECT of 128 TCEs. */
static void test_boot_default_ddw_16m_one_batch(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	boot_traces_machine(&t);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_stuff_tce, 512);
	assert_int_equal(s.rtas_query, 1);
	assert_int_equal(s.rtas_create, 1);
	assert_int_equal(s.h_put_tce_indirect, 1);
	assert_int_equal(s.h_put_tce, 0);
	assert_int_equal(s.tces_set, 128);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000000"), 512);
	assert_true(gt_find(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x200000 "
				      "tcevalue=0x0 npages=512 ret=0") >= 0);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_query " BUID0 " addr=0x0, 1 windows "
				      "available, max window size=0x80000000, mask=0x107") >= 0);
	assert_true(gt_find(&t.lines,
			    "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size="
			    "0x1000000, requested=0x80000000, start addr=0x800000000000000, "
			    "liobn=0x80000001") >= 0);
	long ind = gt_find(&t.lines, "spapr_iommu_pci_indirect liobn=0x80000001 "
				     "ioba=0x800000000000000 tcelist=");
	assert_true(ind >= 0);
	assert_non_null(strstr(t.lines.v[ind], "iobaN=0x7f tceN=0x7f000003 ret=0"));
	/* order: every clear before the query */
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_query") > 511);
	struct dmawin_guest_device_info di;
	assert_int_equal(dmawin_guest_device_info(t.g, 0, &di), 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(di.dma_offset == (1ull << 59));
	assert_int_equal(dmawin_guest_device_info(t.g, 1, &di), 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	assert_int_equal(di.liobn, LIOBN0);
	gt_stop(&t);
}

/* disable_ddw: the clears and nothing else; the nvme stays on the default window. */
static void test_boot_disable_ddw_no_rtas(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.gc.disable_ddw = true;
	boot_traces_machine(&t);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_stuff_tce, 512);
	assert_int_equal(s.rtas_query + s.rtas_create + s.h_put_tce_indirect + s.h_put_tce, 0);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_ddw"), 0);
	struct dmawin_guest_device_info di;
	assert_int_equal(dmawin_guest_device_info(t.g, 0, &di), 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	gt_stop(&t);
}

/* pgsz 4K|64K (pseries <= 4.1): mask 0x3, 64K pages, 2 GiB = 32768 TCEs = 64 x 512. */
static void test_boot_pgsz_64k_64_batches(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].pgsz = (1ull << 12) | (1ull << 16);
	boot_traces_machine(&t);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_put_tce_indirect, 64);
	assert_int_equal(s.tces_set, 32768);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_query " BUID0 " addr=0x0, 1 windows "
				      "available, max window size=0x80000000, mask=0x3") >= 0);
	assert_true(gt_find(&t.lines,
			    "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size=0x10000,"
			    " requested=0x80000000") >= 0);
	/* the last batch: ioba of TCE 32256, last TCE = the last 64K page of RAM */
	assert_non_null(strstr(t.lines.v[t.lines.n - 1], "ioba=0x80000007e000000"));
	assert_non_null(strstr(t.lines.v[t.lines.n - 1], "iobaN=0x1ff tceN=0x7fff0003 ret=0"));
	gt_stop(&t);
}

/* pgsz 4K only: 2 GiB = 524288 TCEs = 1024 x 512. */
static void test_boot_pgsz_4k_1024_batches(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].pgsz = 1ull << 12;
	boot_traces_machine(&t);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_put_tce_indirect, 1024);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size=0x1000,"
				      " requested=0x80000000") >= 0);
	gt_stop(&t);
}

/* maxmem=4G: ibm,lrdr-capacity = 4 GiB, window_shift 0x20; only present RAM is mapped. */
static void test_boot_maxmem_window_covers_hotplug(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.maxmem = 4 * GiB;
	boot_traces_machine(&t);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size="
				      "0x1000000, requested=0x100000000") >= 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_put_tce_indirect, 1);
	assert_int_equal(s.tces_set, 128);
	gt_stop(&t);
}

/* Two PHBs: both default windows cleared, in PHB order, before any probe. */
static void test_boot_two_phbs_each_cleared(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.nr_phbs = 2;
	dmawin_papr_phb_config_init(&t.mc.phbs[1], 1);
	gt_start(&t);
	gt_dev(&t, "e1000", 0, 0, 32);
	gt_dev(&t, "nvme", 1, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000000 "), 512);
	assert_int_equal(gt_count(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000100 "), 512);
	assert_true(gt_find(&t.lines, "spapr_iommu_pci_stuff liobn=0x80000100") > 511);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_create buid=0x800000020000001 addr=0x0, "
				      "page size=0x1000000, requested=0x80000000, start addr="
				      "0x800000000000000, liobn=0x80000101") >= 0);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_query") > 1023);
	gt_stop(&t);
}

/* multitce=off: per-TCE H_PUT_TCE 0 for the clears, 128 H_PUT_TCE for the direct map. */
static void test_boot_multitce_off_single_puts(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.gc.multitce_off = true;
	boot_traces_machine(&t);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.h_stuff_tce + s.h_put_tce_indirect, 0);
	assert_int_equal(s.h_put_tce, 262144 + 128);
	assert_true(gt_find(&t.lines, "spapr_iommu_pci_put liobn=0x80000001 ioba=0x80000007f000000 "
				      "tce=0x7f000003 ret=0") >= 0);
	gt_stop(&t);
}

/* dma64_win_addr at 4 GiB (seed 000): the DDW and the direct offset move there. */
static void test_boot_dma64_at_4g(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].dma64_win_addr = 4 * GiB;
	boot_traces_machine(&t);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size="
				      "0x1000000, requested=0x80000000, start addr=0x100000000, "
				      "liobn=0x80000001") >= 0);
	assert_true(gt_find(&t.lines,
			    "spapr_iommu_pci_indirect liobn=0x80000001 ioba=0x100000000") >= 0);
	struct dmawin_guest_device_info di;
	assert_int_equal(dmawin_guest_device_info(t.g, 0, &di), 0);
	assert_true(di.dma_offset == 4 * GiB);
	gt_stop(&t);
}

/* A second 64-bit device of the same PE finds the DDW: no second query or create. */
static void test_boot_second_device_reuses_ddw(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "nvme", 0, 1, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_query, 1);
	assert_int_equal(s.rtas_create, 1);
	assert_int_equal(s.ddw_reused, 1);
	struct dmawin_guest_device_info a, b;
	dmawin_guest_device_info(t.g, 0, &a);
	dmawin_guest_device_info(t.g, 1, &b);
	assert_int_equal(b.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(a.dma_offset == b.dma_offset);
	gt_stop(&t);
}

/* A mask below 64 bits (48) does not ask for a DDW on a "mid" kernel. */
static void test_boot_48bit_mask_default_window(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	gt_start(&t);
	gt_dev(&t, "gpu", 0, 0, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(gt_stats(&t).rtas_query, 0);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 0, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DEFAULT);
	gt_stop(&t);
}

/* ibm,pmemory: the largest block (2^37 16M TCEs) covers MAX_PHYSMEM_BITS = 51. */
static void test_boot_pmem_window_max_physmem(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.gc.pmem_present = true;
	boot_traces_machine(&t);
	assert_true(gt_find(&t.lines, "spapr_iommu_ddw_create " BUID0 " addr=0x0, page size="
				      "0x1000000, requested=0x8000000000000") >= 0);
	assert_int_equal(gt_stats(&t).tces_set, 128);
	struct dmawin_guest_device_info di;
	dmawin_guest_device_info(t.g, 0, &di);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(di.direct_limit == 0);
	gt_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_default_ddw_16m_one_batch),
		cmocka_unit_test(test_boot_disable_ddw_no_rtas),
		cmocka_unit_test(test_boot_pgsz_64k_64_batches),
		cmocka_unit_test(test_boot_pgsz_4k_1024_batches),
		cmocka_unit_test(test_boot_maxmem_window_covers_hotplug),
		cmocka_unit_test(test_boot_two_phbs_each_cleared),
		cmocka_unit_test(test_boot_multitce_off_single_puts),
		cmocka_unit_test(test_boot_dma64_at_4g),
		cmocka_unit_test(test_boot_second_device_reuses_ddw),
		cmocka_unit_test(test_boot_48bit_mask_default_window),
		cmocka_unit_test(test_boot_pmem_window_max_physmem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
