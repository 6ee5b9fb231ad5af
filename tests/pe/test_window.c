/* SPDX-License-Identifier: MIT */
/* Windows: placement modes, the 4 GiB boundary, bypass limits, validation, sharing. */
#include "pe_test.h"

static void test_config_defaults_qemu(void **state)
{
	struct dmawin_phb_config c;

	(void)state;
	dmawin_pe_phb_config_init(&c);
	assert_int_equal(c.placement, DMAWIN_PE_PLACEMENT_CLASSIC);
	assert_true(c.dma_win_addr == 0 && c.dma_win_size == 0x40000000);
	assert_true(c.dma64_win_addr == 0x800000000000000ull);
	assert_true(c.msi_win_addr == 0x40000000000ull);
	assert_false(c.freeze_on_fault);
	assert_int_equal(dmawin_pe_phb_config_check(&c), 0);
}

static void test_config_bad_input_einval(void **state)
{
	struct dmawin_phb_config c, bad;

	(void)state;
	dmawin_pe_phb_config_init(&c);
	assert_int_equal(dmawin_pe_phb_config_check(NULL), -EINVAL);
	bad = c, bad.placement = 7;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.max_pes = 0;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.dma64_win_addr = 0x1001;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.dma64_win_addr = 0x20000000; /* inside the 32-bit window */
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.dma_win_size = 0;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.dma_win_addr = UINT64_MAX - 0xfff;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.placement = DMAWIN_PE_PLACEMENT_4GB; /* dma64_win_addr must be 4 GiB */
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad.dma64_win_addr = DMAWIN_PE_4GB;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), 0);
	bad.dma_win_size = 8 * GiB;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	bad = c, bad.msi_win_addr = 0x100000; /* MSI inside the 32-bit window */
	assert_int_equal(dmawin_pe_phb_config_check(&bad), -EINVAL);
	/* Any dma64_win_addr QEMU's property takes in classic mode, 4 GiB included. */
	bad = c, bad.dma64_win_addr = DMAWIN_PE_4GB;
	assert_int_equal(dmawin_pe_phb_config_check(&bad), 0);
}

static void test_phb_create_bad_input_einval(void **state)
{
	struct dmawin_mem *mem;
	struct dmawin_phb *phb;
	struct dmawin_phb_config c;
	struct dmawin_pe *pe;

	(void)state;
	assert_int_equal(dmawin_mem_create(NULL, &mem), 0);
	dmawin_pe_phb_config_init(&c);
	c.max_pes = 0;
	assert_int_equal(dmawin_pe_phb_create(&c, mem, &phb), -EINVAL);
	assert_int_equal(dmawin_pe_phb_create(NULL, NULL, &phb), -EINVAL);
	assert_int_equal(dmawin_pe_phb_create(NULL, mem, NULL), -EINVAL);
	assert_int_equal(dmawin_pe_phb_create(NULL, mem, &phb), 0);
	assert_int_equal(dmawin_pe_create(phb, 1, &pe), -EINVAL); /* max_pes 1 */
	assert_int_equal(dmawin_pe_create(phb, 0, &pe), 0);
	assert_ptr_equal(dmawin_pe_find(phb, 0), pe);
	assert_null(dmawin_pe_find(phb, 1));
	assert_int_equal(dmawin_pe_create(phb, 0, &pe), -EEXIST);
	assert_int_equal(dmawin_pe_number(pe), 0);
	assert_ptr_equal(dmawin_pe_phb(pe), phb);
	assert_ptr_equal(dmawin_pe_phb_mem(phb), mem);
	assert_int_equal(dmawin_pe_destroy(pe), 0);
	assert_null(dmawin_pe_find(phb, 0));
	dmawin_pe_phb_destroy(phb);
	dmawin_mem_destroy(mem);
}

static void test_placement_classic_slots_default_addresses(void **state)
{
	struct pe_fix f;
	uint64_t off;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_pe_window_placement(f.phb, 0, &off), 0);
	assert_true(off == 0);
	assert_int_equal(dmawin_pe_window_placement(f.phb, 1, &off), 0);
	assert_true(off == 1ull << 59);
	assert_int_equal(dmawin_pe_window_placement(f.phb, 2, &off), -EINVAL);
	pe_fix_teardown(&f);
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_4GB, 1 * MiB, 1);
	assert_int_equal(dmawin_pe_window_placement(f.phb, 0, &off), 0);
	assert_true(off == 0);
	assert_int_equal(dmawin_pe_window_placement(f.phb, 1, &off), 0);
	assert_true(off == DMAWIN_PE_4GB);
	pe_fix_teardown(&f);
}

/* QEMU's layout: 1 GiB / 4K at 0, a 16M-page DDW at 1 << 59. */
static void test_classic_two_windows_translate_each(void **state)
{
	struct dmawin_tce_table *t32 = pe_table(12, 1 * GiB, 0), *t64 = pe_table(24, 2 * GiB, 0);
	struct dmawin_pe_window_info wi;
	struct dmawin_pe_xlate xl;
	struct pe_fix f;
	unsigned int slot;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 64 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 0, t32, 0), 0);
	assert_int_equal(pe_set_table(f.pe, 1, t64, 1ull << 59), 0);
	assert_int_equal(dmawin_pe_window_count(f.pe), 2);
	pe_map(t32, 5, 0x3000, DMAWIN_TCE_READ | DMAWIN_TCE_WRITE);
	pe_map(t64, 1, 0x1000000, DMAWIN_TCE_READ | DMAWIN_TCE_WRITE);
	assert_int_equal(pe_xl(f.pe, 5 * 4096 + 0x123, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x3123 && xl.len == 4096 - 0x123 && xl.slot == 0);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) + 16 * MiB + 0x4750000 - 0x4000000,
			       DMAWIN_PE_DMA_WRITE, &xl),
			 0);
	assert_true(xl.gpa == 0x1750000 && xl.slot == 1 && xl.page_shift == 24);
	assert_true(xl.len == 16 * MiB - 0x750000);
	/* Just past the 32-bit window, just below the DDW: no window. */
	assert_int_equal(pe_xl(f.pe, 1 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(xl.slot, -1);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) - 1, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) + 2 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(dmawin_pe_window_info(f.pe, 1, &wi), 0);
	assert_true(wi.bus_offset == 1ull << 59 && wi.size == 2 * GiB && wi.entries == 128);
	assert_true(wi.start == 1ull << 59 && wi.last == (1ull << 59) + 2 * GiB - 1);
	assert_ptr_equal(wi.table, t64);
	assert_int_equal(dmawin_pe_window_find(f.pe, (1ull << 59) + 5, &slot), 0);
	assert_int_equal(slot, 1);
	assert_int_equal(dmawin_pe_window_find(f.pe, 2 * GiB, &slot), -ENOENT);
	assert_int_equal(dw_pe_check(f.pe), 0);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t32);
	dmawin_tce_destroy(t64);
}

/* QEMU with the default window removed: the DDW may sit in slot 1 at bus 0. */
static void test_classic_any_slot_any_offset_accepted(void **state)
{
	struct dmawin_tce_table *t = pe_table(16, 1 * GiB, 0);
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 1, t, 0), 0);
	pe_map(t, 0, 0x10000, DMAWIN_TCE_READ);
	assert_int_equal(pe_xl(f.pe, 0x10, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x10010 && xl.slot == 1);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

static void test_4gb_mode_boundary_selects_slot(void **state)
{
	/* Host view (seed 000): slot 1's table is based at 0 and sized roundup(W + 4G). */
	struct dmawin_tce_table *t0 = pe_table(12, 2 * GiB, 0), *t1 = pe_table(16, 8 * GiB, 0);
	struct dmawin_pe_window_info wi;
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_4GB, 1 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 0, t0, 0), 0);
	assert_int_equal(pe_set_table(f.pe, 1, t1, 0), 0);
	assert_int_equal(dmawin_pe_window_info(f.pe, 1, &wi), 0);
	assert_true(wi.start == 4 * GiB && wi.last == 8 * GiB - 1);
	assert_true(wi.aperture_start == 4 * GiB && wi.aperture_last == UINT64_MAX);
	pe_map(t1, (4 * GiB) >> 16, 0x20000, DMAWIN_TCE_READ | DMAWIN_TCE_WRITE);
	pe_map(t1, ((4 * GiB) >> 16) - 1, 0x30000, DMAWIN_TCE_READ); /* unreachable entry */
	pe_map(t0, ((2 * GiB) >> 12) - 1, 0x5000, DMAWIN_TCE_READ);
	assert_int_equal(pe_xl(f.pe, 4 * GiB, DMAWIN_PE_DMA_WRITE, &xl), 0);
	assert_true(xl.gpa == 0x20000 && xl.slot == 1);
	assert_int_equal(pe_xl(f.pe, 2 * GiB - 1, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x5fff && xl.slot == 0 && xl.len == 1);
	/* Below 4 GiB belongs to slot 0 even though slot 1's table has entries there. */
	assert_int_equal(pe_xl(f.pe, 4 * GiB - 1, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	assert_int_equal(xl.slot, 0);
	assert_int_equal(pe_xl(f.pe, 2 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	assert_int_equal(pe_xl(f.pe, 8 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	assert_int_equal(xl.slot, 1);
	assert_int_equal(dmawin_pe_unset_window(f.pe, 0), 0);
	assert_int_equal(pe_xl(f.pe, 0x1000, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(dw_pe_check(f.pe), 0);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t0);
	dmawin_tce_destroy(t1);
}

/* QEMU's guest view of the same mode: the DDW's entry 0 is bus 4 GiB. */
static void test_4gb_mode_guest_view_table_at_4g(void **state)
{
	struct dmawin_tce_table *t1 = pe_table(16, 4 * GiB, 0);
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_4GB, 1 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 1, t1, DMAWIN_PE_4GB), 0);
	pe_map(t1, 0, 0x40000, DMAWIN_TCE_READ);
	assert_int_equal(pe_xl(f.pe, 4 * GiB + 8, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x40008 && xl.slot == 1);
	assert_int_equal(pe_xl(f.pe, 4 * GiB - 8, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t1);
}

static void test_4gb_mode_wrong_half_einval(void **state)
{
	struct dmawin_tce_table *small = pe_table(12, 2 * GiB, 0);
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_4GB, 1 * MiB, 1);
	/* Slot 1 must translate something at or above 4 GiB; slot 0 something below. */
	assert_int_equal(pe_set_table(f.pe, 1, small, 0), -EINVAL);
	assert_int_equal(pe_set_table(f.pe, 0, small, 4 * GiB), -EINVAL);
	assert_int_equal(dmawin_pe_window_count(f.pe), 0);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(small);
}

static void test_bypass_limit_beyond_window(void **state)
{
	struct dmawin_tce_table *t32 = pe_table(12, 1 * GiB, 0);
	struct dmawin_pe_window_info wi;
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 0, t32, 0), 0);
	/* PowerNV TVE#1 bypass at 1 << 59, limited to 2 GiB of RAM. */
	assert_int_equal(pe_set_bypass(f.pe, 1, 1ull << 59, 2 * GiB), 0);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) + 0x12345, DMAWIN_PE_DMA_WRITE, &xl), 0);
	assert_true(xl.gpa == 0x12345 && xl.slot == 1 && xl.tce == 0 && xl.page_shift == 0);
	assert_true(xl.len == 2 * GiB - 0x12345);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) + 2 * GiB - 1, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.len == 1);
	assert_int_equal(pe_xl(f.pe, (1ull << 59) + 2 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	assert_int_equal(pe_xl(f.pe, UINT64_MAX, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	assert_int_equal(dmawin_pe_window_info(f.pe, 1, &wi), 0);
	assert_int_equal(wi.kind, DMAWIN_PE_WINDOW_BYPASS);
	assert_null(wi.table);
	assert_true(wi.aperture_last == UINT64_MAX);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t32);
}

/* PHB3's bypass through TVE#0 at 4 GiB: a bypass window below a table window stops before it. */
static void test_bypass_aperture_stops_at_next_window(void **state)
{
	struct dmawin_tce_table *t = pe_table(12, 1 * GiB, 0);
	struct dmawin_pe_window_info wi;
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(pe_set_bypass(f.pe, 0, 4 * GiB, 4 * GiB), 0);
	assert_int_equal(pe_set_table(f.pe, 1, t, 1ull << 59), 0);
	assert_int_equal(dmawin_pe_window_info(f.pe, 0, &wi), 0);
	assert_true(wi.aperture_last == (1ull << 59) - 1);
	assert_int_equal(pe_xl(f.pe, 4 * GiB + 4096, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 4096);
	assert_int_equal(pe_xl(f.pe, 0x1000, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(pe_xl(f.pe, 9 * GiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_BEYOND_WINDOW);
	/* Removing the table window widens the bypass aperture again. */
	assert_int_equal(dmawin_pe_unset_window(f.pe, 1), 0);
	assert_int_equal(dmawin_pe_window_info(f.pe, 0, &wi), 0);
	assert_true(wi.aperture_last == UINT64_MAX);
	/* A table window inside the bypass limit would overlap it. */
	assert_int_equal(pe_set_table(f.pe, 1, t, 5 * GiB), -EEXIST);
	assert_int_equal(dw_pe_check(f.pe), 0);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

static void test_set_window_bad_input_state_unchanged(void **state)
{
	struct dmawin_tce_table *t = pe_table(16, 1 * GiB, 0), *t2 = pe_table(12, 1 * GiB, 0);
	struct dmawin_pe_window_config wc = {.kind = DMAWIN_PE_WINDOW_TABLE, .table = t};
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_pe_set_window(NULL, 0, &wc), -EINVAL);
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_pe_set_window(f.pe, 2, &wc), -EINVAL);
	wc.kind = 9;
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.kind = DMAWIN_PE_WINDOW_TABLE;
	wc.bus_offset = 0x1000; /* not 64K aligned */
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.bus_offset = 0;
	wc.size = 2 * GiB; /* larger than the table */
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.size = 0x11000; /* not a multiple of the page */
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.size = 0;
	wc.bus_offset = UINT64_MAX - 0xffff; /* past 2^64 */
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.bus_offset = 0;
	wc.table = NULL;
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc = (struct dmawin_pe_window_config){
		.kind = DMAWIN_PE_WINDOW_BYPASS, .table = t, .size = 4096};
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.table = NULL;
	wc.size = 0;
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	wc.size = 100;
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), -EINVAL);
	/* MSI window at 4 TiB. */
	assert_int_equal(pe_set_table(f.pe, 0, t, 0x40000000000ull - 512 * MiB), -EEXIST);
	assert_int_equal(dmawin_pe_window_count(f.pe), 0);
	assert_int_equal(pe_set_table(f.pe, 0, t, 0), 0);
	assert_int_equal(pe_set_table(f.pe, 0, t2, 1ull << 59), -EBUSY);
	assert_int_equal(pe_set_table(f.pe, 1, t2, 512 * MiB), -EEXIST);
	assert_int_equal(dmawin_pe_window_count(f.pe), 1);
	assert_int_equal(dmawin_pe_unset_window(f.pe, 1), -ENOENT);
	assert_int_equal(dmawin_pe_unset_window(f.pe, 2), -EINVAL);
	assert_int_equal(dw_pe_check(f.pe), 0);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
	dmawin_tce_destroy(t2);
}

static void test_window_size_smaller_than_table(void **state)
{
	struct dmawin_tce_table *t = pe_table(12, 1 * GiB, 0);
	struct dmawin_pe_window_config wc = {
		.kind = DMAWIN_PE_WINDOW_TABLE, .table = t, .size = 1 * MiB};
	struct dmawin_pe_xlate xl;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_pe_set_window(f.pe, 0, &wc), 0);
	pe_map(t, 256, 0x1000, DMAWIN_TCE_READ);
	assert_int_equal(pe_xl(f.pe, 1 * MiB, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

/* Seed 002: one table behind windows of two PEs; an unmap through one is seen by the other. */
static void test_shared_table_two_pes_unmap_seen_by_both(void **state)
{
	struct dmawin_tce_table *t = pe_table(16, 256 * MiB, 0);
	struct dmawin_pe_dev *d0, *d1;
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 64};
	struct dmawin_pe_xlate xl;
	struct dmawin_pe *pe1;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 16 * MiB, 2);
	assert_int_equal(dmawin_pe_create(f.phb, 1, &pe1), 0);
	assert_int_equal(pe_set_table(f.pe, 1, t, 1ull << 59), 0);
	assert_int_equal(pe_set_table(pe1, 1, t, 1ull << 59), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe, &dc, &d0), 0);
	assert_int_equal(dmawin_pe_dev_create(pe1, &dc, &d1), 0);
	pe_map(t, 3, 0x30000, DMAWIN_TCE_READ | DMAWIN_TCE_WRITE);
	for (int i = 0; i < 2; i++) { /* fill both IOTLBs */
		assert_int_equal(dmawin_pe_dev_translate(d0, (1ull << 59) + 0x30010,
							 DMAWIN_PE_DMA_READ, &xl),
				 0);
		assert_true(xl.gpa == 0x30010);
		assert_int_equal(dmawin_pe_dev_translate(d1, (1ull << 59) + 0x30010,
							 DMAWIN_PE_DMA_READ, &xl),
				 0);
	}
	/* The container unmaps through "PE 0's" view: both devices must miss now. */
	assert_int_equal(dmawin_tce_put(t, 3, 0), 0);
	assert_int_equal(
		dmawin_pe_dev_translate(d0, (1ull << 59) + 0x30010, DMAWIN_PE_DMA_READ, &xl),
		-EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_INVALID);
	assert_int_equal(
		dmawin_pe_dev_translate(d1, (1ull << 59) + 0x30010, DMAWIN_PE_DMA_READ, &xl),
		-EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_INVALID);
	/* Unsetting on one PE leaves the other translating through the table. */
	pe_map(t, 3, 0x40000, DMAWIN_TCE_READ);
	assert_int_equal(dmawin_pe_unset_window(f.pe, 1), 0);
	assert_int_equal(
		dmawin_pe_dev_translate(d1, (1ull << 59) + 0x30010, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x40010);
	assert_int_equal(
		dmawin_pe_dev_translate(d0, (1ull << 59) + 0x30010, DMAWIN_PE_DMA_READ, &xl),
		-EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_int_equal(dmawin_pe_destroy(pe1), -EBUSY);
	dmawin_pe_dev_destroy(d0);
	dmawin_pe_dev_destroy(d1);
	assert_int_equal(dmawin_pe_destroy(pe1), 0);
	/* Every reference pe took is gone: the creator's unref frees the table. */
	assert_true(dmawin_tce_unref(t));
	pe_fix_teardown(&f);
}

/* The table reference outlives unset while an idle device may still read the old set. */
static void test_unset_reference_dropped_after_quiescence(void **state)
{
	struct dmawin_tce_table *t = pe_table(12, 1 * MiB, 0);
	struct dmawin_pe_stats st;
	struct dmawin_pe_xlate xl;
	struct dmawin_pe_dev *dev;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_pe_dev_create(f.pe, NULL, &dev), 0);
	assert_int_equal(pe_set_table(f.pe, 0, t, 0), 0);
	assert_int_equal(dmawin_pe_unset_window(f.pe, 0), 0);
	dmawin_tce_ref(t);
	assert_false(dmawin_tce_unref(t)); /* the retired set still holds one */
	assert_int_equal(dmawin_pe_dev_translate(dev, 0, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(dmawin_pe_stats(f.pe, DMAWIN_PE_ALL_SLOTS, &st), 0); /* reclaims */
	assert_true(dmawin_tce_unref(t));
	dmawin_pe_dev_destroy(dev);
	pe_fix_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults_qemu),
		cmocka_unit_test(test_config_bad_input_einval),
		cmocka_unit_test(test_phb_create_bad_input_einval),
		cmocka_unit_test(test_placement_classic_slots_default_addresses),
		cmocka_unit_test(test_classic_two_windows_translate_each),
		cmocka_unit_test(test_classic_any_slot_any_offset_accepted),
		cmocka_unit_test(test_4gb_mode_boundary_selects_slot),
		cmocka_unit_test(test_4gb_mode_guest_view_table_at_4g),
		cmocka_unit_test(test_4gb_mode_wrong_half_einval),
		cmocka_unit_test(test_bypass_limit_beyond_window),
		cmocka_unit_test(test_bypass_aperture_stops_at_next_window),
		cmocka_unit_test(test_set_window_bad_input_state_unchanged),
		cmocka_unit_test(test_window_size_smaller_than_table),
		cmocka_unit_test(test_shared_table_two_pes_unmap_seen_by_both),
		cmocka_unit_test(test_unset_reference_dropped_after_quiescence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
