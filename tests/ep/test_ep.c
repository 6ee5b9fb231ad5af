/* SPDX-License-Identifier: MIT */
/*
 * The PCIe endpoint of seed 004: creation, ATU programming, and the end-to-end scenario (64
 * scattered 64 KiB buffers visible through one ATU entry, writes from the PCIe side landing in
 * the right buffers, an interrupt generator, faults on unmapped pages).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmawin/ep.h"

#define KIB	   UINT64_C(1024)
#define MIB	   (KIB * KIB)
#define RAM	   (64 * MIB)
#define BAR_ADDR   UINT64_C(0xe0000000)
#define BAR_SIZE   (16 * MIB)
#define IOVA_START (UINT64_C(1) << 32)
#define IOVA_SIZE  (UINT64_C(1) << 30)
#define INTGEN	   UINT64_C(0x80000000000)
#define NBUF	   64
#define BUF	   (64 * KIB)

struct irq_log {
	int n;
	uint64_t offset;
	uint32_t value;
};

static void on_irq(void *ctx, uint64_t offset, uint32_t value)
{
	struct irq_log *l = ctx;
	l->n++;
	l->offset = offset;
	l->value = value;
}

struct fx {
	struct dmawin_mem *mem;
	struct dmawin_ep *ep;
	struct irq_log irq;
	struct dmawin_ep_config cfg;
};

static int setup(void **st)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(dmawin_mem_create(NULL, &f->mem), 0);
	assert_int_equal(dmawin_mem_add_region(f->mem, 0, RAM, NULL), 0);
	f->cfg = (struct dmawin_ep_config){
		.bar_addr = BAR_ADDR,
		.bar_size = BAR_SIZE,
		.page_shift = 12,
		.iova_start = IOVA_START,
		.iova_size = IOVA_SIZE,
		.intgen_phys = INTGEN,
		.intgen_size = 4 * KIB,
		.irq = on_irq,
		.irq_ctx = &f->irq,
	};
	assert_int_equal(dmawin_ep_create(&f->cfg, f->mem, &f->ep), 0);
	*st = f;
	return 0;
}

static int teardown(void **st)
{
	struct fx *f = *st;
	dmawin_ep_destroy(f->ep);
	dmawin_mem_destroy(f->mem);
	free(f);
	return 0;
}

static void test_ep_create_bad_config_einval(void **st)
{
	struct fx *f = *st;
	struct dmawin_ep *ep = NULL;
	struct dmawin_ep_config c = f->cfg;
	assert_int_equal(dmawin_ep_create(NULL, f->mem, &ep), -EINVAL);
	assert_int_equal(dmawin_ep_create(&c, NULL, &ep), -EINVAL);
	c.bar_size = 3 * MIB;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.bar_addr = BAR_ADDR + 4096;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.atu_entries = DMAWIN_EP_MAX_ATU_ENTRIES + 1;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.page_shift = 13;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.iova_size = 3 * MIB;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.iova_start = IOVA_START + IOVA_SIZE / 2;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.intgen_phys = INTGEN + 8;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EINVAL);
	c = f->cfg;
	c.intgen_phys = RAM - 4096; /* the generator is not RAM */
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), -EEXIST);
	assert_null(ep);
	/* Defaults: a 2-entry ATU and 4 KiB IOMMU pages. */
	c = f->cfg;
	c.atu_entries = 0;
	c.page_shift = 0;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), 0);
	struct dmawin_ep_atu_entry e;
	assert_int_equal(dmawin_ep_atu_get(ep, 1, &e), 0);
	assert_int_equal(dmawin_ep_atu_get(ep, 2, &e), -ERANGE);
	assert_int_equal(dmawin_iova_granule(dmawin_ep_iova(ep)), 4096);
	dmawin_ep_destroy(ep);
	dmawin_ep_destroy(NULL);
}

static void test_ep_atu_set_errors(void **st)
{
	struct fx *f = *st;
	struct dmawin_ep_atu_entry bar = {DMAWIN_EP_ATU_BAR, 0, 0, IOVA_START};
	struct dmawin_ep_atu_entry win = {DMAWIN_EP_ATU_ADDR, BAR_ADDR, 4096, IOVA_START};
	struct dmawin_ep_atu_entry bad = {(enum dmawin_ep_atu_match)7, 0, 0, 0};
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &bad), -EINVAL);
	win.size = 0;
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &win), -EINVAL);
	win.size = 4096;
	win.pci_addr = UINT64_MAX;
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &win), -EINVAL);
	win.pci_addr = BAR_ADDR;
	assert_int_equal(dmawin_ep_atu_set(f->ep, 2, &bar), -ERANGE);
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &bar), 0);
	assert_int_equal(dmawin_ep_atu_set(f->ep, 1, &bar), -EEXIST);
	assert_int_equal(dmawin_ep_atu_set(f->ep, 1, &win), 0);
	struct dmawin_ep_atu_entry win2 = {DMAWIN_EP_ATU_ADDR, BAR_ADDR + 2048, 4096, IOVA_START};
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &win2), -EEXIST);
	struct dmawin_ep_atu_entry got;
	assert_int_equal(dmawin_ep_atu_get(f->ep, 0, &got), 0);
	assert_true(got.match == DMAWIN_EP_ATU_BAR && got.size == BAR_SIZE);
	assert_int_equal(dmawin_ep_atu_get(f->ep, 0, NULL), -EINVAL);
	struct dmawin_ep_atu_entry off = {DMAWIN_EP_ATU_OFF, 0, 0, 0};
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &off), 0);
	assert_int_equal(dmawin_ep_atu_set(f->ep, 0, &win2), -EEXIST); /* still overlaps entry 1 */
}

/* Physical slot k of the 64 buffers: scattered over RAM, never adjacent, out of order. */
static uint64_t buf_phys(int k)
{
	return (uint64_t)((k * 37) % 256) * 2 * BUF + MIB;
}

static void expose_64(struct fx *f, unsigned prot, struct dmawin_ep_exposure *x)
{
	struct dmawin_iova_sg sg[NBUF];
	for (int k = 0; k < NBUF; k++)
		sg[k] = (struct dmawin_iova_sg){buf_phys(k), BUF};
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, sg, NBUF, prot, x), 0);
}

static void test_ep_seed004_scattered_buffers_through_one_atu_entry(void **st)
{
	struct fx *f = *st;
	struct dmawin_ep_exposure x;
	/* The MSI doorbell IOVA is reserved first: nothing may be placed over it. */
	assert_int_equal(
		dmawin_iova_reserve(dmawin_ep_iova(f->ep), IOVA_START + IOVA_SIZE - 4096, 4096), 0);
	expose_64(f, DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE, &x);
	assert_true(x.len == NBUF * BUF && x.atu_index == 0);
	assert_true(x.iova >= IOVA_START && x.iova + x.len <= IOVA_START + IOVA_SIZE - 4096);
	static uint8_t data[BUF], back[BUF];
	for (int k = 0; k < NBUF; k++) {
		memset(data, k + 1, BUF);
		data[0] = 0xa5;
		assert_int_equal(
			dmawin_ep_pcie_write(f->ep, BAR_ADDR + (uint64_t)k * BUF, data, BUF), 0);
	}
	/* Each write landed in its own buffer, wherever it is in physical memory. */
	for (int k = 0; k < NBUF; k++) {
		assert_int_equal(dmawin_mem_read(f->mem, buf_phys(k), back, BUF), 0);
		assert_int_equal(back[0], 0xa5);
		assert_int_equal(back[1], k + 1);
		assert_int_equal(back[BUF - 1], k + 1);
	}
	/* A write across a buffer boundary is split between the two buffers. */
	uint8_t cross[8] = {1, 2, 3, 4, 5, 6, 7, 8}, got[8];
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + 3 * BUF - 4, cross, 8), 0);
	assert_int_equal(dmawin_mem_read(f->mem, buf_phys(2) + BUF - 4, got, 4), 0);
	assert_memory_equal(got, cross, 4);
	assert_int_equal(dmawin_mem_read(f->mem, buf_phys(3), got, 4), 0);
	assert_memory_equal(got, cross + 4, 4);
	assert_int_equal(dmawin_ep_pcie_read(f->ep, BAR_ADDR + 3 * BUF - 4, got, 8), 0);
	assert_memory_equal(got, cross, 8);
	/* Beyond the last buffer, inside the BAR: the IOMMU has nothing there. */
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + NBUF * BUF, cross, 8), -EFAULT);
	struct dmawin_ep_stats stats;
	dmawin_ep_get_stats(f->ep, &stats);
	assert_true(stats.writes == NBUF + 1 && stats.reads == 1 && stats.faults == 1);
	assert_true(stats.bytes_written == NBUF * BUF + 8);
}

static void test_ep_unmapped_page_faults_and_writes_nothing(void **st)
{
	struct fx *f = *st;
	struct dmawin_ep_exposure x;
	expose_64(f, DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE, &x);
	/* API 4: unmap one page in the middle of buffer 5; the rest stays mapped. */
	uint64_t unmapped = 0;
	assert_int_equal(
		dmawin_iova_unmap(dmawin_ep_iova(f->ep), x.iova + 5 * BUF + 8192, 4096, &unmapped),
		0);
	assert_true(unmapped == 4096);
	static uint8_t data[3 * 4096], back[3 * 4096];
	memset(data, 0x77, sizeof(data));
	assert_int_equal(dmawin_mem_read(f->mem, buf_phys(5) + 4096, back, sizeof(back)), 0);
	/* Starts on a mapped page, crosses the hole: nothing at all is written. */
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + 5 * BUF + 4096, data, sizeof(data)),
			 -EFAULT);
	static uint8_t after[3 * 4096];
	assert_int_equal(dmawin_mem_read(f->mem, buf_phys(5) + 4096, after, sizeof(after)), 0);
	assert_memory_equal(back, after, sizeof(back));
	struct dmawin_ep_fault fl;
	dmawin_ep_last_fault(f->ep, &fl);
	assert_int_equal(fl.reason, DMAWIN_EP_FAULT_IOMMU);
	assert_true(fl.write && fl.pci_addr == BAR_ADDR + 5 * BUF + 8192);
	assert_true(fl.iova == x.iova + 5 * BUF + 8192);
	/* Pages on either side of the hole still work. */
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + 5 * BUF + 4096, data, 4096), 0);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + 5 * BUF + 12288, data, 4096), 0);
	/* Mapping the page again (to another physical page) heals it. */
	assert_int_equal(dmawin_iova_map(dmawin_ep_iova(f->ep), x.iova + 5 * BUF + 8192, 40 * MIB,
					 4096, DMAWIN_IOVA_WRITE),
			 0);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + 5 * BUF + 8192, data, 16), 0);
	assert_int_equal(dmawin_mem_read(f->mem, 40 * MIB, back, 16), 0);
	assert_memory_equal(back, data, 16);
	/* Write-only page: a read is refused. */
	assert_int_equal(dmawin_ep_pcie_read(f->ep, BAR_ADDR + 5 * BUF + 8192, back, 16), -EACCES);
	dmawin_ep_last_fault(f->ep, &fl);
	assert_int_equal(fl.reason, DMAWIN_EP_FAULT_PERM);
}

static void test_ep_interrupt_generator_through_second_atu_entry(void **st)
{
	struct fx *f = *st;
	struct dmawin_ep_exposure x;
	expose_64(f, DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE, &x);
	/* API 3 with a physical address that is not RAM: the interrupt generator page. */
	struct dmawin_iova_sg ig = {INTGEN, 4096};
	struct dmawin_ep_exposure y;
	uint64_t win = BAR_ADDR + BAR_SIZE - 4096;
	assert_int_equal(
		dmawin_ep_expose(f->ep, 1, DMAWIN_EP_ATU_ADDR, win, &ig, 1, DMAWIN_IOVA_WRITE, &y),
		0);
	uint32_t v = 0x1234abcd;
	assert_int_equal(dmawin_ep_pcie_write(f->ep, win + 0x40, &v, sizeof(v)), 0);
	assert_int_equal(f->irq.n, 1);
	assert_true(f->irq.offset == 0x40 && f->irq.value == 0x1234abcd);
	struct dmawin_ep_stats stats;
	dmawin_ep_get_stats(f->ep, &stats);
	assert_true(stats.irqs == 1);
	/* The ATU has two entries, both used: a third exposure has nowhere to go. */
	assert_int_equal(
		dmawin_ep_expose(f->ep, 2, DMAWIN_EP_ATU_ADDR, 0, &ig, 1, DMAWIN_IOVA_WRITE, &y),
		-ERANGE);
	assert_int_equal(
		dmawin_ep_expose(f->ep, 1, DMAWIN_EP_ATU_ADDR, 0, &ig, 1, DMAWIN_IOVA_WRITE, &y),
		-EBUSY);
	/* Unexpose: the entry is off, the TCEs are cleared, the IOVA is free. */
	assert_int_equal(dmawin_ep_unexpose(f->ep, 1), 0);
	assert_int_equal(dmawin_ep_unexpose(f->ep, 1), -ENOENT);
	assert_int_equal(dmawin_ep_unexpose(f->ep, 5), -ERANGE);
	uint64_t tce = 1;
	assert_int_equal(dmawin_tce_get(dmawin_ep_table(f->ep), (y.iova - IOVA_START) >> 12, &tce),
			 0);
	assert_true(tce == 0);
	struct dmawin_iova_area a;
	assert_int_equal(dmawin_iova_find(dmawin_ep_iova(f->ep), y.iova, &a), -ENOENT);
	/* The BAR entry now catches that address: buffer memory, no interrupt. */
	assert_int_equal(dmawin_ep_pcie_write(f->ep, win + 0x40, &v, sizeof(v)), -EFAULT);
	assert_int_equal(f->irq.n, 1);
}

static void test_ep_no_bar_no_atu_enxio_passthrough(void **st)
{
	struct fx *f = *st;
	uint8_t b[4] = {0};
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR - 4, b, 4), -ENXIO);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR + BAR_SIZE - 2, b, 4), -ENXIO);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR, b, 4), -ENXIO); /* ATU empty */
	struct dmawin_ep_fault fl;
	dmawin_ep_last_fault(f->ep, &fl);
	assert_int_equal(fl.reason, DMAWIN_EP_FAULT_NO_ATU);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR, NULL, 4), -EINVAL);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, UINT64_MAX, b, 4), -EINVAL);
	assert_int_equal(dmawin_ep_pcie_write(f->ep, BAR_ADDR, b, 0), 0);

	/* Passthrough: the PCIe address is the IOVA. */
	struct dmawin_ep *ep;
	struct dmawin_ep_config c = f->cfg;
	c.atu_passthrough = true;
	c.bar_addr = IOVA_START;
	assert_int_equal(dmawin_ep_create(&c, f->mem, &ep), 0);
	assert_int_equal(dmawin_iova_alloc_fixed(dmawin_ep_iova(ep), IOVA_START, 4096), 0);
	assert_int_equal(dmawin_iova_map(dmawin_ep_iova(ep), IOVA_START, 8192, 4096,
					 DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE),
			 0);
	uint32_t v = 0xfeedf00d, r = 0;
	assert_int_equal(dmawin_ep_pcie_write(ep, IOVA_START + 16, &v, 4), 0);
	assert_int_equal(dmawin_mem_read(f->mem, 8192 + 16, &r, 4), 0);
	assert_true(r == v);
	/* A mapping to an address that is neither RAM nor the generator faults on access. */
	assert_int_equal(dmawin_iova_alloc_fixed(dmawin_ep_iova(ep), IOVA_START + 4096, 4096), 0);
	assert_int_equal(dmawin_iova_map(dmawin_ep_iova(ep), IOVA_START + 4096, 0x100000000000,
					 4096, DMAWIN_IOVA_READ),
			 0);
	assert_int_equal(dmawin_ep_pcie_read(ep, IOVA_START + 4096, &r, 4), -EFAULT);
	dmawin_ep_last_fault(ep, &fl);
	assert_true(fl.reason == DMAWIN_EP_FAULT_MEMORY && fl.phys == 0x100000000000);
	dmawin_ep_destroy(ep);
}

static void test_ep_expose_errors_leave_nothing_behind(void **st)
{
	struct fx *f = *st;
	struct dmawin_iova_sg sg[2] = {{0, 4096}, {8192, 4096}};
	struct dmawin_ep_exposure x;
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_OFF, 0, sg, 2, 3, &x), -EINVAL);
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, NULL, 2, 3, &x), -EINVAL);
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, sg, 0, 3, &x), -EINVAL);
	struct dmawin_iova_sg big = {0, 2 * BAR_SIZE};
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, &big, 1, 3, &x), -EINVAL);
	struct dmawin_iova_sg mis = {100, 4096};
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, &mis, 1, 3, &x), -EINVAL);
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_BAR, 0, sg, 2, 0, &x), -EINVAL);
	struct dmawin_iova_sg huge = {0, IOVA_SIZE * 2};
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_ADDR, 0, &huge, 1, 3, &x),
			 -ENOSPC);
	struct dmawin_iova_stats st2;
	dmawin_iova_get_stats(dmawin_ep_iova(f->ep), &st2);
	assert_true(st2.allocated_ranges == 0 && st2.mappings == 0);
	struct dmawin_ep_atu_entry e;
	assert_int_equal(dmawin_ep_atu_get(f->ep, 0, &e), 0);
	assert_int_equal(e.match, DMAWIN_EP_ATU_OFF);
	/* An ADDR window overlapping another one is refused by the ATU after mapping: undone. */
	assert_int_equal(dmawin_ep_expose(f->ep, 0, DMAWIN_EP_ATU_ADDR, BAR_ADDR, sg, 2, 3, &x), 0);
	assert_int_equal(
		dmawin_ep_expose(f->ep, 1, DMAWIN_EP_ATU_ADDR, BAR_ADDR + 4096, sg, 2, 3, &x),
		-EEXIST);
	dmawin_iova_get_stats(dmawin_ep_iova(f->ep), &st2);
	assert_true(st2.allocated_ranges == 1 && st2.mappings == 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ep_create_bad_config_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ep_atu_set_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ep_seed004_scattered_buffers_through_one_atu_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ep_unmapped_page_faults_and_writes_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ep_interrupt_generator_through_second_atu_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ep_no_bar_no_atu_enxio_passthrough, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ep_expose_errors_leave_nothing_behind, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
