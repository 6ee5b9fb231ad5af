/* SPDX-License-Identifier: MIT */
/*
 * ddw_for_masks_above_32 (a 2025 kernel, PAPR 2.13 limited addressing, spec papr-ddw.md §5
 * "New") against PHBs with and without the extension, at 4 GiB (seed 000's 4GB mode) and at
 * 1 << 59; and the 6.1 default left as it was.
 */
#include "guest_test.h"

#define GB4 DMAWIN_PAPR_DMA64_WIN_ADDR_4GB
#define A59 DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR

static void setup(struct gt *t, uint64_t ram, uint64_t dma64, bool ext, bool newer)
{
	gt_defaults(t, ram);
	t->mc.phbs[0].dma64_win_addr = dma64;
	t->mc.phbs[0].ddw_limited_addr = ext;
	t->gc.ddw_for_masks_above_32 = newer;
	gt_start(t);
}

static struct dmawin_guest_device_info info(struct gt *t, unsigned id)
{
	struct dmawin_guest_device_info di;
	assert_int_equal(dmawin_guest_device_info(t->g, id, &di), 0);
	return di;
}

/* Line index of the first line containing @needle, or -1. */
static long find_sub(const struct gt_lines *l, const char *needle)
{
	for (size_t i = 0; i < l->n; i++)
		if (strstr(l->v[i], needle))
			return (long)i;
	return -1;
}

/* Seed 000: the 48-bit GPU on the 4GB-mode PHB with the extension: query, 4-input reset
 * (limited mode), create at 4 GiB, all RAM mapped: direct, dma = phys + 4 GiB. */
static void test_limited_mask48_4gb_phb_with_extension_direct_at_4g(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, GB4, true, true);
	gt_dev(&t, "gpu", 0, 0, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_device_info di = info(&t, 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_int_equal(di.liobn, LIOBN1);
	assert_true(di.window_start == GB4);
	assert_true(di.dma_offset == GB4);
	assert_true(di.window_size == 2 * GiB);
	long q = find_sub(&t.lines, "spapr_iommu_ddw_query");
	long r = find_sub(&t.lines, "spapr_iommu_ddw_reset");
	long c = find_sub(&t.lines, "start addr=0x100000000, liobn=0x80000001");
	assert_true(q >= 0 && q < r && r < c);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_reset, 1);
	assert_int_equal(s.rtas_errors, 0);
	assert_int_equal(s.ddw_created, 1);
	assert_int_equal(dmawin_papr_phb_limited_addr(t.m, 0), 1);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 0x100000, 4096, 0, &dma), 0);
	assert_true(dma == GB4 + 0x100000);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma, 4096, 0), 0);
	gt_stop(&t);
}

/* The same PHB without the extension (QEMU): the newer kernel asks, finds no limited mode,
 * puts the PE on the failed list without creating anything; the GPU uses the default window. */
static void test_limited_mask48_4gb_phb_without_extension_default(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, GB4, false, true);
	gt_dev(&t, "gpu", 0, 0, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 0).mode, DMAWIN_GUEST_MODE_DEFAULT);
	assert_int_equal(info(&t, 0).liobn, LIOBN0);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_query, 1);
	assert_int_equal(s.rtas_reset, 0);
	assert_int_equal(s.rtas_create, 0);
	assert_int_equal(s.ddw_failed, 1);
	gt_stop(&t);
}

/* A classic PHB with the extension: the DDW lands at 1 << 59, beyond a 48-bit mask; the guest
 * removes it, resets the PE out of limited mode and falls back to the default window. */
static void test_limited_mask48_classic_phb_falls_back(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, A59, true, true);
	gt_dev(&t, "gpu", 0, 0, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 0).mode, DMAWIN_GUEST_MODE_DEFAULT);
	long c = find_sub(&t.lines, "start addr=0x800000000000000");
	long rm = find_sub(&t.lines, "spapr_iommu_ddw_remove liobn=0x80000001");
	assert_true(c >= 0 && c < rm);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_reset, 2); /* into limited mode, and back */
	assert_int_equal(s.ddw_failed, 1);
	assert_int_equal(s.ddw_created, 0);
	assert_int_equal(s.h_put_tce_indirect, 0); /* no RAM mapped into the unusable window */
	assert_int_equal(dmawin_papr_phb_limited_addr(t.m, 0), 0);
	struct dmawin_papr_window_info w;
	assert_int_equal(dmawin_papr_window_info(t.m, LIOBN1, &w), 0);
	assert_false(w.enabled);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 0x100000, 4096, 0, &dma), 0);
	assert_true(dma < GiB);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma, 4096, 0), 0);
	gt_stop(&t);
}

/* Linux 6.1 (the default): a 48-bit mask never asks, even when the PHB offers the extension. */
static void test_limited_option_off_mask48_no_rtas(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, GB4, true, false);
	gt_dev(&t, "gpu", 0, 0, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 0).mode, DMAWIN_GUEST_MODE_DEFAULT);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.rtas_query + s.rtas_reset + s.rtas_create, 0);
	gt_stop(&t);
}

/* A 64-bit device with the option and the extension: no limited reset, DDW at 1 << 59 as 6.1. */
static void test_limited_mask64_unchanged(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, A59, true, true);
	gt_dev(&t, "nvme", 0, 0, 64);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_device_info di = info(&t, 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(di.dma_offset == A59);
	assert_int_equal(gt_stats(&t).rtas_reset, 0);
	assert_int_equal(dmawin_papr_phb_limited_addr(t.m, 0), 0);
	gt_stop(&t);
}

/* A 64-bit device made the PE's DDW at 1 << 59: a 48-bit device probed next does not reuse it
 * (out of reach) and keeps the default window; the PE is not marked failed. */
static void test_limited_mask48_reuse_out_of_reach_default(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, A59, true, true);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "gpu", 0, 1, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 0).mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_int_equal(info(&t, 1).mode, DMAWIN_GUEST_MODE_DEFAULT);
	struct dmawin_guest_stats s = gt_stats(&t);
	assert_int_equal(s.ddw_reused, 0);
	assert_int_equal(s.ddw_failed, 0);
	/* on the 4GB-mode PHB the 48-bit device reuses the 64-bit device's DDW */
	gt_stop(&t);
	setup(&t, 2 * GiB, GB4, false, true);
	gt_dev(&t, "nvme", 0, 0, 64);
	gt_dev(&t, "gpu", 0, 1, 48);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 1).mode, DMAWIN_GUEST_MODE_DIRECT);
	assert_true(info(&t, 1).dma_offset == GB4);
	assert_int_equal(gt_stats(&t).ddw_reused, 1);
	gt_stop(&t);
}

/* RAM (16 GiB, len 34) beyond a 33-bit mask: the window is capped at fls64(mask) = 33 bits
 * (8 GiB at 4 GiB) and used with dynamic TCEs, every address below the mask. */
static void test_limited_mask33_window_capped_at_mask_indirect(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 16 * GiB, GB4, true, true);
	gt_dev(&t, "dev33", 0, 0, 33);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_device_info di = info(&t, 0);
	assert_int_equal(di.mode, DMAWIN_GUEST_MODE_DDW_TABLE);
	assert_true(di.window_start == GB4);
	assert_true(di.window_size == (1ull << 33));
	for (unsigned i = 0; i < 64; i++) {
		uint64_t dma;
		assert_int_equal(dmawin_guest_map_single(t.g, 0, (uint64_t)i << 20, 65536, 0, &dma),
				 0);
		assert_true(dma >= GB4 && dma + 65536 <= (1ull << 33));
	}
	gt_stop(&t);
}

/* A 33-bit device, 8 GiB RAM (len 33): a direct window of 8 GiB at 4 GiB would end past the
 * mask, so the guest gives it back and falls back. */
static void test_limited_mask33_direct_past_mask_falls_back(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 8 * GiB, GB4, true, true);
	gt_dev(&t, "dev33", 0, 0, 33);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(info(&t, 0).mode, DMAWIN_GUEST_MODE_DEFAULT);
	assert_int_equal(gt_stats(&t).ddw_failed, 1);
	assert_int_equal(gt_stats(&t).rtas_remove, 1);
	gt_stop(&t);
}

/* The limited reset would zero the default window: not done while it holds a mapping of
 * another device (set_dma_mask after a coherent allocation); the device stays put. */
static void test_limited_busy_default_window_not_reset(void **state)
{
	(void)state;
	struct gt t;
	setup(&t, 2 * GiB, GB4, true, true);
	gt_dev(&t, "nic", 0, 0, 32);
	gt_dev(&t, "gpu", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	uint64_t phys, dma;
	assert_int_equal(dmawin_guest_alloc_coherent(t.g, 0, 65536, &phys, &dma), 0);
	assert_int_equal(dmawin_guest_set_dma_mask(t.g, 1, 48), 0);
	assert_int_equal(info(&t, 1).mode, DMAWIN_GUEST_MODE_DEFAULT);
	assert_int_equal(gt_stats(&t).rtas_reset, 0);
	assert_int_equal(dmawin_guest_free_coherent(t.g, 0, 65536, phys, dma), 0);
	gt_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limited_mask48_4gb_phb_with_extension_direct_at_4g),
		cmocka_unit_test(test_limited_mask48_4gb_phb_without_extension_default),
		cmocka_unit_test(test_limited_mask48_classic_phb_falls_back),
		cmocka_unit_test(test_limited_option_off_mask48_no_rtas),
		cmocka_unit_test(test_limited_mask64_unchanged),
		cmocka_unit_test(test_limited_mask48_reuse_out_of_reach_default),
		cmocka_unit_test(test_limited_mask33_window_capped_at_mask_indirect),
		cmocka_unit_test(test_limited_mask33_direct_past_mask_falls_back),
		cmocka_unit_test(test_limited_busy_default_window_not_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
