/* SPDX-License-Identifier: MIT */
/* Device DMA into guest RAM: crossing TCEs, faults, sg, IOTLB, statistics. */
#include "pe_test.h"

#define RW  (DMAWIN_TCE_READ | DMAWIN_TCE_WRITE)
#define DDW (UINT64_C(1) << 59)

struct dma_fix {
	struct pe_fix f;
	struct dmawin_tce_table *t; /* 4K pages, 1 GiB, at bus 0 */
	struct dmawin_pe_dev *dev;
};

static void dma_setup(struct dma_fix *d, uint32_t iotlb)
{
	struct dmawin_pe_dev_config dc = {.iotlb_entries = iotlb};

	pe_fix_setup(&d->f, DMAWIN_PE_PLACEMENT_CLASSIC, 16 * MiB, 1);
	d->t = pe_table(12, 1 * GiB, 0);
	assert_int_equal(pe_set_table(d->f.pe, 0, d->t, 0), 0);
	assert_int_equal(dmawin_pe_dev_create(d->f.pe, &dc, &d->dev), 0);
}

static void dma_teardown(struct dma_fix *d)
{
	dmawin_pe_dev_destroy(d->dev);
	pe_fix_teardown(&d->f);
	dmawin_tce_destroy(d->t);
}

static void fill_pattern(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* Bus pages 10, 11, 12 map to scattered guest pages 0x9000, 0x2000, 0x5000. */
static void test_dma_crosses_tces_scattered_gpas(void **state)
{
	uint8_t out[3 * 4096 - 200], in[sizeof(out)], ram[4096];
	struct dma_fix d;
	size_t done = 0;

	(void)state;
	dma_setup(&d, 0);
	pe_map(d.t, 10, 0x9000, RW);
	pe_map(d.t, 11, 0x2000, RW);
	pe_map(d.t, 12, 0x5000, RW);
	fill_pattern(out, sizeof(out), 3);
	assert_int_equal(dmawin_pe_dma_write(d.dev, 10 * 4096 + 100, out, sizeof(out), &done), 0);
	assert_int_equal(done, sizeof(out));
	assert_int_equal(dmawin_mem_read(d.f.mem, 0x9000 + 100, ram, 4096 - 100), 0);
	assert_memory_equal(ram, out, 4096 - 100);
	assert_int_equal(dmawin_mem_read(d.f.mem, 0x2000, ram, 4096), 0);
	assert_memory_equal(ram, out + 4096 - 100, 4096);
	assert_int_equal(dmawin_mem_read(d.f.mem, 0x5000, ram, 4096 - 100), 0);
	assert_memory_equal(ram, out + 2 * 4096 - 100, 4096 - 100);
	assert_int_equal(dmawin_pe_dma_read(d.dev, 10 * 4096 + 100, in, sizeof(in), &done), 0);
	assert_memory_equal(in, out, sizeof(in));
	dma_teardown(&d);
}

static void test_dma_fault_stops_reports_done(void **state)
{
	uint8_t out[3 * 4096], ram[4096], zero[4096] = {0};
	struct dmawin_pe_fault_info fi;
	struct dma_fix d;
	size_t done = 99;

	(void)state;
	dma_setup(&d, 16);
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), -ENOENT);
	pe_map(d.t, 0, 0x1000, RW);
	pe_map(d.t, 1, 0x2000, RW);
	pe_map(d.t, 2, 0x3000, DMAWIN_TCE_READ); /* the device may not write here */
	fill_pattern(out, sizeof(out), 1);
	assert_int_equal(dmawin_pe_dma_write(d.dev, 0x800, out, sizeof(out), &done), -EFAULT);
	assert_int_equal(done, 2 * 4096 - 0x800);
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_PERMISSION);
	assert_int_equal(fi.dir, DMAWIN_PE_DMA_WRITE);
	assert_true(fi.bus_addr == 0x2000 && fi.slot == 0 && fi.tce == (0x3000 | DMAWIN_TCE_READ));
	assert_int_equal(dmawin_mem_read(d.f.mem, 0x3000, ram, 4096), 0);
	assert_memory_equal(ram, zero, 4096); /* nothing of the faulting page was written */
	/* Invalid entry on read. */
	assert_int_equal(dmawin_pe_dma_read(d.dev, 0x2ff0, ram, 64, &done), -EFAULT);
	assert_int_equal(done, 0x10); /* page 2 is readable: 0x10 bytes, then page 3 */
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_INVALID);
	assert_true(fi.bus_addr == 0x3000);
	/* Past the window. */
	assert_int_equal(dmawin_pe_dma_read(d.dev, 1 * GiB - 8, ram, 16, &done), -EFAULT);
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_INVALID);
	pe_map(d.t, (1 * GiB >> 12) - 1, 0x4000, RW);
	assert_int_equal(dmawin_pe_dma_read(d.dev, 1 * GiB - 8, ram, 16, &done), -EFAULT);
	assert_int_equal(done, 8);
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_NO_WINDOW);
	assert_true(fi.bus_addr == 1 * GiB && fi.slot == -1);
	dma_teardown(&d);
}

static void test_dma_not_ram_faults(void **state)
{
	struct dmawin_pe_fault_info fi;
	struct dmawin_pe_stats st;
	uint8_t buf[8192];
	struct dma_fix d;
	size_t done;

	(void)state;
	dma_setup(&d, 0);
	pe_map(d.t, 0, 15 * MiB, RW); /* last RAM page... */
	pe_map(d.t, 1, 64 * MiB, RW); /* ...and a page past the end of RAM */
	assert_int_equal(dmawin_pe_dma_read(d.dev, 0x0, buf, 8192, &done), -EFAULT);
	assert_int_equal(done, 4096);
	assert_int_equal(dmawin_pe_dev_last_fault(d.dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_NOT_RAM);
	assert_int_equal(dmawin_pe_dev_stats(d.dev, &st), 0);
	assert_true(st.faults[DMAWIN_PE_FAULT_NOT_RAM] == 1 && st.bytes_read == 4096);
	dma_teardown(&d);
}

/* A 64K IOMMU page over RAM with a hole: bytes up to the hole move, 4 KiB granular. */
static void test_dma_page_partly_ram_moves_up_to_hole(void **state)
{
	struct dmawin_tce_table *t = pe_table(16, 1 * GiB, 0);
	struct dmawin_pe_dev *dev;
	uint8_t buf[65536];
	struct pe_fix f;
	size_t done;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_mem_add_region(f.mem, 2 * MiB, 12 * KiB, NULL), 0);
	assert_int_equal(pe_set_table(f.pe, 1, t, DDW), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe, NULL, &dev), 0);
	pe_map(t, 0, 2 * MiB, RW);
	assert_int_equal(dmawin_pe_dma_read(dev, DDW + 0x100, buf, sizeof(buf), &done), -EFAULT);
	assert_int_equal(done, 12 * KiB - 0x100);
	dmawin_pe_dev_destroy(dev);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

/* Contiguous 4K TCEs across two adjacent RAM regions, then a hole: one run, cut at the hole. */
static void test_dma_run_across_regions_stops_at_hole(void **state)
{
	struct dmawin_tce_table *t = pe_table(12, 1 * GiB, 0);
	static uint8_t out[5 * 4096], in[5 * 4096];
	struct dmawin_pe_fault_info fi;
	struct dmawin_pe_stats st;
	struct dmawin_pe_dev *dev;
	struct pe_fix f;
	size_t done;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 1 * MiB, 1);
	assert_int_equal(dmawin_mem_add_region(f.mem, 1 * MiB, 8 * KiB, NULL), 0);
	assert_int_equal(pe_set_table(f.pe, 0, t, 0), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe, NULL, &dev), 0);
	for (uint64_t i = 0; i < 5; i++) /* gpa 1M - 8K .. 1M + 12K: the last page is no RAM */
		pe_map(t, i, 1 * MiB - 8 * KiB + i * 4096, RW);
	fill_pattern(out, sizeof(out), 5);
	assert_int_equal(dmawin_pe_dma_write(dev, 0, out, 4 * 4096, &done), 0);
	assert_int_equal(dmawin_mem_read(f.mem, 1 * MiB - 8 * KiB, in, 4 * 4096), 0);
	assert_memory_equal(in, out, 4 * 4096);
	assert_int_equal(dmawin_pe_dma_read(dev, 100, in, sizeof(in) - 100, &done), -EFAULT);
	assert_int_equal(done, 4 * 4096 - 100);
	assert_memory_equal(in, out + 100, done);
	assert_int_equal(dmawin_pe_dev_last_fault(dev, &fi), 0);
	assert_int_equal(fi.reason, DMAWIN_PE_FAULT_NOT_RAM);
	assert_true(fi.bus_addr == 4 * 4096 && fi.slot == 0);
	assert_int_equal(dmawin_pe_dev_stats(dev, &st), 0);
	assert_true(st.translations == 9 && st.bytes_read == 4 * 4096 - 100);
	dmawin_pe_dev_destroy(dev);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

/* TCE low bits other than R/W are ignored by translation (QEMU stores them verbatim). */
static void test_translate_ignores_tce_low_bits(void **state)
{
	struct dmawin_pe_xlate xl;
	struct dma_fix d;

	(void)state;
	dma_setup(&d, 0);
	assert_int_equal(dmawin_tce_put(d.t, 7, 0x631f000 | 0xff0 | RW), 0);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 7 * 4096 + 0x44, DMAWIN_PE_DMA_WRITE, &xl),
			 0);
	assert_true(xl.gpa == 0x631f044 && xl.tce == (0x631f000 | 0xff0 | RW));
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0, 2, &xl), -EINVAL);
	assert_int_equal(dmawin_pe_dev_translate(NULL, 0, DMAWIN_PE_DMA_READ, &xl), -EINVAL);
	assert_int_equal(dmawin_pe_translate(d.f.pe, 0, 5, &xl), -EINVAL);
	dma_teardown(&d);
}

static void test_dma_bad_input_einval(void **state)
{
	struct dmawin_pe_sg sg[2] = {{0, 16}, {UINT64_MAX - 4, 16}};
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 3};
	struct dmawin_pe_dev *dev;
	struct dmawin_pe_stats st;
	uint8_t buf[16];
	struct dma_fix d;
	size_t done = 5;

	(void)state;
	dma_setup(&d, 0);
	pe_map(d.t, 0, 0x1000, RW);
	assert_int_equal(dmawin_pe_dev_create(d.f.pe, &dc, &dev), -EINVAL);
	dc.iotlb_entries = DMAWIN_PE_MAX_IOTLB * 2;
	assert_int_equal(dmawin_pe_dev_create(d.f.pe, &dc, &dev), -EINVAL);
	assert_int_equal(dmawin_pe_dev_create(NULL, NULL, &dev), -EINVAL);
	assert_int_equal(dmawin_pe_dma_read(NULL, 0, buf, 16, &done), -EINVAL);
	assert_int_equal(done, 0);
	assert_int_equal(dmawin_pe_dma_read(d.dev, 0, NULL, 16, &done), -EINVAL);
	assert_int_equal(dmawin_pe_dma_write(d.dev, UINT64_MAX - 4, buf, 16, &done), -EINVAL);
	assert_int_equal(dmawin_pe_dma_read_sg(d.dev, sg, 2, buf, &done), -EINVAL);
	assert_int_equal(dmawin_pe_dma_read_sg(d.dev, NULL, 1, buf, &done), -EINVAL);
	assert_int_equal(dmawin_pe_dma_write_sg(d.dev, sg, 1, NULL, &done), -EINVAL);
	assert_int_equal(dmawin_pe_dma_read(d.dev, 0, NULL, 0, &done), 0);
	assert_int_equal(dmawin_pe_dma_read_sg(d.dev, NULL, 0, NULL, NULL), 0);
	assert_int_equal(dmawin_pe_dev_stats(d.dev, &st), 0);
	assert_true(st.bytes_read == 0 && st.bytes_written == 0 && st.translations == 0);
	dma_teardown(&d);
}

static void test_dma_sg_read_write_roundtrip(void **state)
{
	struct dmawin_pe_sg sg[3] = {{5 * 4096 + 4000, 200}, {DDW + 3, 5000}, {9 * 4096, 1}};
	uint8_t out[5201], in[5201];
	struct dmawin_tce_table *t64 = pe_table(16, 1 * GiB, 0);
	struct dmawin_pe_sg bad[2] = {{5 * 4096, 4}, {20 * 4096, 4}};
	struct dma_fix d;
	size_t done;

	(void)state;
	dma_setup(&d, 8);
	assert_int_equal(pe_set_table(d.f.pe, 1, t64, DDW), 0);
	pe_map(d.t, 5, 0x50000, RW);
	pe_map(d.t, 6, 0x70000, RW);
	pe_map(d.t, 9, 0x90000, RW);
	pe_map(t64, 0, 0x100000, RW);
	fill_pattern(out, sizeof(out), 9);
	assert_int_equal(dmawin_pe_dma_write_sg(d.dev, sg, 3, out, &done), 0);
	assert_int_equal(done, sizeof(out));
	memset(in, 0, sizeof(in));
	assert_int_equal(dmawin_pe_dma_read_sg(d.dev, sg, 3, in, &done), 0);
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(dmawin_mem_read(d.f.mem, 0x100003, in, 5000), 0);
	assert_memory_equal(in, out + 200, 5000);
	/* A fault in the second element: done counts the whole first one. */
	assert_int_equal(dmawin_pe_dma_read_sg(d.dev, bad, 2, in, &done), -EFAULT);
	assert_int_equal(done, 4);
	dma_teardown(&d);
	dmawin_tce_destroy(t64);
}

static void test_iotlb_hits_and_sees_changes(void **state)
{
	struct dmawin_pe_stats st;
	struct dmawin_pe_xlate xl;
	struct dma_fix d;

	(void)state;
	dma_setup(&d, 64);
	pe_map(d.t, 1, 0x1000, RW);
	for (int i = 0; i < 10; i++)
		assert_int_equal(
			dmawin_pe_dev_translate(d.dev, 0x1000 + i, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_int_equal(dmawin_pe_dev_stats(d.dev, &st), 0);
	assert_true(st.translations == 10 && st.iotlb_misses == 1 && st.iotlb_hits == 9);
	/* Remapping the page to another address is seen at once. */
	pe_map(d.t, 1, 0x7000, RW);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x1004, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_true(xl.gpa == 0x7004);
	/* Downgrading to read-only: writes fault at once, reads still hit. */
	pe_map(d.t, 1, 0x7000, DMAWIN_TCE_READ);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x1004, DMAWIN_PE_DMA_WRITE, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_PERMISSION);
	/* Window removal. */
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x1004, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_int_equal(dmawin_pe_unset_window(d.f.pe, 0), 0);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x1004, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(xl.fault, DMAWIN_PE_FAULT_NO_WINDOW);
	dma_teardown(&d);
}

static void test_iotlb_flush_and_invalidate_force_miss(void **state)
{
	struct dmawin_pe_stats st;
	struct dmawin_pe_xlate xl;
	struct dma_fix d;

	(void)state;
	dma_setup(&d, 4);
	pe_map(d.t, 2, 0x2000, RW);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x2000, DMAWIN_PE_DMA_READ, &xl), 0);
	dmawin_pe_dev_iotlb_flush(d.dev);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x2000, DMAWIN_PE_DMA_READ, &xl), 0);
	dmawin_pe_iotlb_invalidate(d.f.pe);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x2000, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_int_equal(dmawin_pe_dev_translate(d.dev, 0x2000, DMAWIN_PE_DMA_READ, &xl), 0);
	assert_int_equal(dmawin_pe_dev_stats(d.dev, &st), 0);
	assert_true(st.iotlb_misses == 3 && st.iotlb_hits == 1);
	dma_teardown(&d);
}

/* 16M pages: any 4K piece of the page hits once its slot is filled. */
static void test_iotlb_large_page_offsets(void **state)
{
	struct dmawin_tce_table *t = pe_table(24, 1 * GiB, 0);
	struct dmawin_pe_dev_config dc = {.iotlb_entries = 1};
	struct dmawin_pe_stats st;
	struct dmawin_pe_xlate xl;
	struct dmawin_pe_dev *dev;
	struct pe_fix f;

	(void)state;
	pe_fix_setup(&f, DMAWIN_PE_PLACEMENT_CLASSIC, 32 * MiB, 1);
	assert_int_equal(pe_set_table(f.pe, 1, t, DDW), 0);
	assert_int_equal(dmawin_pe_dev_create(f.pe, &dc, &dev), 0);
	pe_map(t, 0, 16 * MiB, RW);
	for (uint64_t off = 0; off < 16 * MiB; off += 1 * MiB + 12345) {
		assert_int_equal(dmawin_pe_dev_translate(dev, DDW + off, DMAWIN_PE_DMA_WRITE, &xl),
				 0);
		assert_true(xl.gpa == 16 * MiB + off && xl.len == 16 * MiB - off);
	}
	assert_int_equal(dmawin_pe_dev_stats(dev, &st), 0);
	assert_true(st.iotlb_misses == 1 && st.iotlb_hits == st.translations - 1);
	dmawin_pe_dev_destroy(dev);
	pe_fix_teardown(&f);
	dmawin_tce_destroy(t);
}

static void test_stats_per_window_and_pe(void **state)
{
	struct dmawin_tce_table *t64 = pe_table(16, 1 * GiB, 0);
	struct dmawin_pe_stats st;
	struct dmawin_pe_xlate xl;
	uint8_t buf[8192];
	struct dma_fix d;
	size_t done;

	(void)state;
	dma_setup(&d, 0);
	assert_int_equal(pe_set_table(d.f.pe, 1, t64, DDW), 0);
	pe_map(d.t, 0, 0x1000, RW);
	pe_map(t64, 0, 0x10000, RW);
	assert_int_equal(dmawin_pe_dma_write(d.dev, 0, buf, 100, &done), 0);
	assert_int_equal(dmawin_pe_dma_read(d.dev, DDW, buf, 8192, &done), 0);
	assert_int_equal(dmawin_pe_dma_read(d.dev, 2 * GiB, buf, 1, &done), -EFAULT);
	assert_int_equal(dmawin_pe_translate(d.f.pe, 0x1000, DMAWIN_PE_DMA_READ, &xl), -EFAULT);
	assert_int_equal(dmawin_pe_stats(d.f.pe, 0, &st), 0);
	assert_true(st.bytes_written == 100 && st.bytes_read == 0 && st.translations == 2);
	assert_true(st.faults[DMAWIN_PE_FAULT_INVALID] == 1);
	assert_int_equal(dmawin_pe_stats(d.f.pe, 1, &st), 0);
	assert_true(st.bytes_read == 8192 && st.translations == 1);
	assert_int_equal(dmawin_pe_stats(d.f.pe, DMAWIN_PE_ALL_SLOTS, &st), 0);
	assert_true(st.translations == 4 && st.dma_ops == 3);
	assert_true(st.faults[DMAWIN_PE_FAULT_NO_WINDOW] == 1);
	/* Re-setting a slot starts its window statistics from zero; the PE keeps its totals. */
	assert_int_equal(dmawin_pe_unset_window(d.f.pe, 1), 0);
	assert_int_equal(dmawin_pe_stats(d.f.pe, 1, &st), 0);
	assert_true(st.translations == 0 && st.bytes_read == 0);
	assert_int_equal(pe_set_table(d.f.pe, 1, t64, DDW), 0);
	assert_int_equal(dmawin_pe_stats(d.f.pe, 1, &st), 0);
	assert_true(st.translations == 0 && st.bytes_read == 0);
	dmawin_pe_dev_destroy(d.dev);
	d.dev = NULL;
	assert_int_equal(dmawin_pe_stats(d.f.pe, DMAWIN_PE_ALL_SLOTS, &st), 0);
	assert_true(st.translations == 4 && st.bytes_read == 8192 && st.bytes_written == 100);
	assert_int_equal(dmawin_pe_stats(d.f.pe, 2, &st), -EINVAL);
	assert_int_equal(dmawin_pe_stats(d.f.pe, -2, &st), -EINVAL);
	dma_teardown(&d);
	dmawin_tce_destroy(t64);
}

static void test_fault_names(void **state)
{
	(void)state;
	assert_string_equal(dmawin_pe_fault_name(DMAWIN_PE_FAULT_NO_WINDOW), "no-window");
	assert_string_equal(dmawin_pe_fault_name(DMAWIN_PE_FAULT_NOT_RAM), "not-ram");
	assert_string_equal(dmawin_pe_fault_name(DMAWIN_PE_FAULT_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dma_crosses_tces_scattered_gpas),
		cmocka_unit_test(test_dma_fault_stops_reports_done),
		cmocka_unit_test(test_dma_not_ram_faults),
		cmocka_unit_test(test_dma_page_partly_ram_moves_up_to_hole),
		cmocka_unit_test(test_dma_run_across_regions_stops_at_hole),
		cmocka_unit_test(test_translate_ignores_tce_low_bits),
		cmocka_unit_test(test_dma_bad_input_einval),
		cmocka_unit_test(test_dma_sg_read_write_roundtrip),
		cmocka_unit_test(test_iotlb_hits_and_sees_changes),
		cmocka_unit_test(test_iotlb_flush_and_invalidate_force_miss),
		cmocka_unit_test(test_iotlb_large_page_offsets),
		cmocka_unit_test(test_stats_per_window_and_pe),
		cmocka_unit_test(test_fault_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
