/* SPDX-License-Identifier: MIT */
/* The DMA API: Linux's allocator decisions, TCE contents, merging, errors and real DMA. */
#include <endian.h>
#include <inttypes.h>

#include "guest_test.h"

/* The traces' machine: 2 GiB, nvme (64-bit, direct) on slot 0, e1000 (32-bit) on slot 1. */
static void start_traces_machine(struct gt *t)
{
	gt_defaults(t, 2 * GiB);
	gt_start(t);
	gt_dev(t, "nvme", 0, 0, 64);
	gt_dev(t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t->g), 0);
	gt_lines_free(&t->lines);
}

/* README "32-bit device": one H_PUT_TCE per single page, entry 0 reserved, the hint bumped
 * to the next 16-entry block (0x1000, 0x10000, 0x20000); RX perm 3, TX perm 1. */
static void test_dma_single_pages_follow_pool_hint(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	uint64_t a, b, c;
	assert_int_equal(
		dmawin_guest_map_single(t.g, 1, 0x631f000, 2048, DMAWIN_GUEST_FROM_DEVICE, &a), 0);
	assert_int_equal(
		dmawin_guest_map_single(t.g, 1, 0x631f800, 2048, DMAWIN_GUEST_FROM_DEVICE, &b), 0);
	assert_int_equal(
		dmawin_guest_map_single(t.g, 1, 0x631e000, 100, DMAWIN_GUEST_TO_DEVICE, &c), 0);
	assert_true(a == 0x1000 && b == 0x10800 && c == 0x20000);
	assert_string_equal(t.lines.v[0],
			    "spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x631f003 ret=0");
	assert_string_equal(
		t.lines.v[1],
		"spapr_iommu_pci_put liobn=0x80000000 ioba=0x10000 tce=0x631f003 ret=0");
	assert_string_equal(
		t.lines.v[2],
		"spapr_iommu_pci_put liobn=0x80000000 ioba=0x20000 tce=0x631e001 ret=0");
	/* the free is H_STUFF_TCE npages=1, printed with the END of the range */
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, a, 2048, DMAWIN_GUEST_FROM_DEVICE), 0);
	assert_string_equal(
		t.lines.v[3],
		"spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x2000 tcevalue=0x0 npages=1 ret=0");
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, a, 2048, 0), -ENOENT);
	assert_int_equal(t.lines.n, 4);
	gt_stop(&t);
}

/* README: 64 KiB descriptor rings are H_PUT_TCE_INDIRECT of 16 TCEs in the large pool, the top
 * quarter of the 1 GiB window (0x30000000); the TCE list is really in guest RAM. */
static void test_dma_coherent_ring_large_pool(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	uint64_t phys, dma, phys2, dma2;
	assert_int_equal(dmawin_guest_alloc_coherent(t.g, 1, 4096, &phys, &dma), 0);
	assert_true(dma == 0x30000000);
	assert_true(phys % (64 * KiB) == 0);
	assert_non_null(
		strstr(t.lines.v[0],
		       "spapr_iommu_pci_indirect liobn=0x80000000 ioba=0x30000000 tcelist="));
	char want[128];
	snprintf(want, sizeof(want), "iobaN=0xf tceN=0x%" PRIx64 " ret=0", phys + 0xf000 + 3);
	assert_non_null(strstr(t.lines.v[0], want));
	uint64_t list = strtoull(strstr(t.lines.v[0], "tcelist=") + 8, NULL, 0);
	uint64_t first;
	assert_int_equal(dmawin_mem_read(dmawin_papr_mem(t.m), list, &first, 8), 0);
	assert_true(be64toh(first) == (phys | 3));
	assert_int_equal(dmawin_guest_alloc_coherent(t.g, 1, 65536, &phys2, &dma2), 0);
	assert_true(dma2 == 0x30010000);
	assert_int_equal(dmawin_guest_free_coherent(t.g, 1, 4096, phys, dma2), -ENOENT);
	assert_int_equal(dmawin_guest_free_coherent(t.g, 1, 4096, phys, dma), 0);
	assert_int_equal(dmawin_guest_free_coherent(t.g, 1, 4096, phys, dma), -ENOENT);
	assert_int_equal(dmawin_guest_free_coherent(t.g, 1, 65536, phys2, dma2), 0);
	gt_stop(&t);
}

/* A page-aligned 64 KiB map on a 64K-page kernel: 16 TCEs aligned to 16, one INDIRECT. */
static void test_dma_multi_page_indirect_aligned(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	uint64_t a, b;
	uint64_t ind = gt_stats(&t).h_put_tce_indirect;
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x100000, 4096, 0, &a), 0);
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x200000, 64 * KiB, 0, &b), 0);
	assert_true(b % (64 * KiB) == 0 && b > a);
	assert_int_equal(gt_stats(&t).h_put_tce_indirect, ind + 1);
	assert_non_null(strstr(t.lines.v[1], "iobaN=0xf tceN=0x20f003 ret=0"));
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, b, 64 * KiB, 0), 0);
	assert_non_null(strstr(t.lines.v[t.lines.n - 1], "npages=16 ret=0"));
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, a, 4096, 0), 0);
	gt_stop(&t);
}

/* Scatter-gather: consecutive entries share the handle and merge, up to max_seg_size. */
static void test_dma_sg_merges_contiguous_runs(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	struct dmawin_guest_sg sg[3] = {{.phys = 0x400000, .len = 4096},
					{.phys = 0x800000, .len = 4096},
					{.phys = 0x900000, .len = 4096}};
	size_t nents = 0;
	assert_int_equal(dmawin_guest_map_sg(t.g, 1, sg, 3, 0, &nents), 0);
	assert_int_equal(nents, 1);
	assert_int_equal(sg[0].dma_len, 12288);
	assert_int_equal(sg[1].dma_len, 0);
	assert_int_equal(dmawin_guest_unmap_sg(t.g, 1, sg, 3, 0), 0);
	assert_non_null(strstr(t.lines.v[t.lines.n - 1], "npages=3 ret=0"));
	struct dmawin_guest_window_stats ws;
	assert_int_equal(dmawin_guest_window_stats(t.g, LIOBN0, &ws), 0);
	assert_int_equal(ws.used, 0);
	gt_stop(&t);
}

static void test_dma_sg_novmerge_and_max_seg(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.gc.novmerge = true;
	gt_start(&t);
	gt_dev(&t, "e1000", 0, 1, 32);
	struct dmawin_guest_device_config dc = {
		.phb_index = 0, .devfn = 2 << 3, .dma_mask_bits = 32, .max_seg_size = 8192};
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), 0);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	struct dmawin_guest_sg sg[3] = {{.phys = 0x400000, .len = 4096},
					{.phys = 0x800000, .len = 4096},
					{.phys = 0x900000, .len = 4096}};
	size_t nents = 0;
	assert_int_equal(dmawin_guest_map_sg(t.g, 0, sg, 3, 0, &nents), 0);
	assert_int_equal(nents, 3);
	assert_int_equal(dmawin_guest_unmap_sg(t.g, 0, sg, 3, 0), 0);
	dmawin_guest_destroy(t.g);
	t.gc.novmerge = false;
	assert_int_equal(dmawin_guest_create(t.m, &t.gc, &t.g), 0);
	assert_int_equal(dmawin_guest_device_add(t.g, &dc, NULL), 0);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	assert_int_equal(dmawin_guest_map_sg(t.g, 0, sg, 3, 0, &nents), 0);
	assert_int_equal(nents, 2); /* 8192 + 4096 would exceed max_seg_size */
	assert_int_equal(sg[0].dma_len, 8192);
	assert_int_equal(dmawin_guest_unmap_sg(t.g, 0, sg, 3, 0), 0);
	gt_stop(&t);
}

/* Direct mapping: an addition, no hcall; the device's DMA lands in guest RAM. */
static void test_dma_direct_no_hcall_bytes_land(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	struct dmawin_guest_stats before = gt_stats(&t);
	uint64_t dma;
	assert_int_equal(
		dmawin_guest_map_single(t.g, 0, 0x44cc000, 512, DMAWIN_GUEST_FROM_DEVICE, &dma), 0);
	assert_true(dma == 0x8000000044cc000ull);
	struct dmawin_guest_stats after = gt_stats(&t);
	assert_int_equal(after.h_put_tce + after.h_put_tce_indirect,
			 before.h_put_tce + before.h_put_tce_indirect);
	assert_int_equal(after.direct_maps, 1);
	const char msg[] = "written by the nvme";
	assert_int_equal(dmawin_papr_dma_write(t.m, 0, dma, msg, sizeof(msg)), 0);
	char back[sizeof(msg)];
	assert_int_equal(dmawin_mem_read(dmawin_papr_mem(t.m), 0x44cc000, back, sizeof(back)), 0);
	assert_memory_equal(back, msg, sizeof(msg));
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma, 512, 0), 0);
	/* beyond the window (2 GiB) */
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 3 * GiB, 512, 0, &dma), -ERANGE);
	gt_stop(&t);
}

/* Permissions: a TO_DEVICE mapping can be read by the device, not written. */
static void test_dma_to_device_read_only(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	const char msg[] = "packet";
	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(t.m), 0x123456, msg, sizeof(msg)), 0);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x123456, sizeof(msg),
						 DMAWIN_GUEST_TO_DEVICE, &dma),
			 0);
	assert_true((dma & 0xfff) == 0x456);
	char back[sizeof(msg)];
	assert_int_equal(dmawin_papr_dma_read(t.m, 0, dma, back, sizeof(back)), 0);
	assert_memory_equal(back, msg, sizeof(msg));
	assert_int_equal(dmawin_papr_dma_write(t.m, 0, dma, msg, sizeof(msg)), -EFAULT);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, dma, sizeof(msg), 0), 0);
	assert_int_equal(dmawin_papr_dma_read(t.m, 0, dma, back, sizeof(back)), -EFAULT);
	gt_stop(&t);
}

/* A 16 MiB default window (4096 TCEs): maps fail with -ENOSPC when full, leaving no TCE. */
static void test_dma_window_exhausted_enospc(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.mc.phbs[0].dma_win_size = 16 * MiB;
	gt_start(&t);
	gt_dev(&t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	uint64_t dma[300];
	unsigned n = 0;
	int rc;
	while ((rc = dmawin_guest_map_single(t.g, 0, (uint64_t)n << 16, 64 * KiB, 0, &dma[n])) == 0)
		n++;
	assert_int_equal(rc, -ENOSPC);
	/* 16-entry maps go to the large pool [3072, 4096) first: 63 aligned blocks (the last entry
	 * below a limit is never handed out), then to pool 0 [0, 3072): 190 (entry 0 reserved) */
	assert_int_equal(n, 63 + 190);
	struct dmawin_guest_window_stats ws;
	assert_int_equal(dmawin_guest_window_stats(t.g, LIOBN0, &ws), 0);
	assert_int_equal(ws.used, n * 16);
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			assert_true(dma[i] + 64 * KiB <= dma[j] || dma[j] + 64 * KiB <= dma[i]);
	assert_int_equal(gt_stats(&t).map_failures, 1);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dmawin_guest_unmap_single(t.g, 0, dma[i], 64 * KiB, 0), 0);
	assert_int_equal(dmawin_guest_window_stats(t.g, LIOBN0, &ws), 0);
	assert_int_equal(ws.used, 0);
	gt_stop(&t);
}

/* The iova-layer allocator: same API, non-overlapping, naturally aligned IOVAs. */
static void test_dma_iova_allocator_mode(void **state)
{
	(void)state;
	struct gt t;
	gt_defaults(&t, 2 * GiB);
	t.gc.allocator = DMAWIN_GUEST_ALLOC_IOVA;
	gt_start(&t);
	gt_dev(&t, "e1000", 0, 1, 32);
	assert_int_equal(dmawin_guest_boot(t.g), 0);
	uint64_t a, b, c;
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 0x10000, 4096, 0, &a), 0);
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 0x20000, 3 * 4096, 0, &b), 0);
	assert_int_equal(dmawin_guest_map_single(t.g, 0, 0x30000, 4096, 0, &c), 0);
	assert_true(a != c && (b + 3 * 4096 <= a || a + 4096 <= b) && b % (4 * 4096) == 0);
	assert_true(a < GiB && b < GiB);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, b, 3 * 4096, 0), 0);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, b, 3 * 4096, 0), -ENOENT);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, a, 4096, 0), 0);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 0, c, 4096, 0), 0);
	gt_stop(&t);
}

static void test_dma_bad_input(void **state)
{
	(void)state;
	struct gt t;
	start_traces_machine(&t);
	uint64_t dma;
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x1000, 0, 0, &dma), -EINVAL);
	assert_int_equal(dmawin_guest_map_single(t.g, 1, UINT64_MAX, 2, 0, &dma), -EINVAL);
	assert_int_equal(dmawin_guest_map_single(t.g, 1, 0x1000, 16, 7, &dma), -EINVAL);
	assert_int_equal(dmawin_guest_map_single(t.g, 9, 0x1000, 16, 0, &dma), -ENOENT);
	assert_int_equal(dmawin_guest_map_sg(t.g, 1, NULL, 1, 0, NULL), -EINVAL);
	struct dmawin_guest_sg sg = {.phys = 0x1000, .len = 0};
	assert_int_equal(dmawin_guest_map_sg(t.g, 1, &sg, 1, 0, NULL), -EINVAL);
	uint64_t phys;
	assert_int_equal(dmawin_guest_alloc_coherent(t.g, 1, 0, &phys, &dma), -EINVAL);
	assert_int_equal(dmawin_guest_alloc_coherent(t.g, 1, 1ull << 40, &phys, &dma), -EINVAL);
	assert_int_equal(dmawin_guest_unmap_single(t.g, 1, 0x5000, 16, 0), -ENOENT);
	assert_int_equal(t.lines.n, 0);
	gt_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma_single_pages_follow_pool_hint),
		cmocka_unit_test(test_dma_coherent_ring_large_pool),
		cmocka_unit_test(test_dma_multi_page_indirect_aligned),
		cmocka_unit_test(test_dma_sg_merges_contiguous_runs),
		cmocka_unit_test(test_dma_sg_novmerge_and_max_seg),
		cmocka_unit_test(test_dma_direct_no_hcall_bytes_land),
		cmocka_unit_test(test_dma_to_device_read_only),
		cmocka_unit_test(test_dma_window_exhausted_enospc),
		cmocka_unit_test(test_dma_iova_allocator_mode),
		cmocka_unit_test(test_dma_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
