/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the endpoint's data path: 200k random operations (map pages of RAM with
 * random permissions into an exposed IOVA range, unmap runs of pages, PCIe reads and writes of
 * random lengths that cross pages) against a shadow model: a page array and a copy of RAM. Every
 * return code, every byte read and, regularly, all of RAM must match. DMAWIN_TEST_SEED overrides
 * the seed; failures print it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dw_test.h"

#include "dmawin/ep.h"

#define PG	  UINT64_C(4096)
#define NPG	  256 /* pages of the exposed window */
#define RAM_PAGES 256 /* RAM: 1 MiB */
#define BAR_ADDR  UINT64_C(0xc0000000)
#define OPS	  200000

static uint64_t seed, rs;
static uint64_t step;

static uint64_t rnd(void)
{
	return dw_test_rand(&rs);
}

#define EXPECT_EQ(a, b, what) DW_EXPECT_SAME(seed, step, what, a, b)

struct model {
	int page[NPG]; /* RAM page mapped at window page i, or -1 */
	unsigned prot[NPG];
	uint8_t ram[RAM_PAGES * PG];
};

static struct model m;
static struct dmawin_mem *mem;
static struct dmawin_ep *ep;
static uint64_t win; /* IOVA of window page 0 */

/* The model's answer for an access of [off, off + len) of the window. */
static int model_check(uint64_t off, size_t len, bool write)
{
	for (uint64_t p = off / PG; p <= (off + len - 1) / PG; p++) {
		if (m.page[p] < 0)
			return -EFAULT;
		if (!(m.prot[p] & (write ? DMAWIN_IOVA_WRITE : DMAWIN_IOVA_READ)))
			return -EACCES;
	}
	return 0;
}

static uint8_t *model_byte(uint64_t off)
{
	return &m.ram[(uint64_t)m.page[off / PG] * PG + off % PG];
}

static void op_map(void)
{
	uint64_t first = rnd() % NPG, n = 1 + rnd() % 4;
	unsigned prot = 1 + (unsigned)(rnd() % 3);
	struct dmawin_iova_sg sg[4];
	bool free_run = first + n <= NPG;
	for (uint64_t i = 0; free_run && i < n; i++)
		free_run = m.page[first + i] < 0;
	for (uint64_t i = 0; i < n; i++)
		sg[i] = (struct dmawin_iova_sg){(rnd() % RAM_PAGES) * PG, PG};
	int rc = dmawin_iova_map_sg(dmawin_ep_iova(ep), win + first * PG, sg, n, prot);
	EXPECT_EQ(rc, free_run ? 0 : (first + n > NPG ? -ENOENT : -EEXIST), "map");
	for (uint64_t i = 0; !rc && i < n; i++) {
		m.page[first + i] = (int)(sg[i].phys / PG);
		m.prot[first + i] = prot;
	}
}

static void op_unmap(void)
{
	uint64_t first = rnd() % NPG, n = 1 + rnd() % 8, done = 0, want = 0;
	if (first + n > NPG)
		n = NPG - first;
	for (uint64_t i = 0; i < n; i++) {
		want += m.page[first + i] >= 0 ? PG : 0;
		m.page[first + i] = -1;
	}
	EXPECT_EQ(dmawin_iova_unmap(dmawin_ep_iova(ep), win + first * PG, n * PG, &done), 0,
		  "unmap rc");
	EXPECT_EQ(done, want, "unmapped bytes");
}

static void op_write(void)
{
	static uint8_t buf[3 * PG];
	uint64_t off = rnd() % (NPG * PG);
	size_t len = 1 + (size_t)(rnd() % sizeof(buf));
	if (off + len > NPG * PG)
		len = (size_t)(NPG * PG - off);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	int want = model_check(off, len, true);
	EXPECT_EQ(dmawin_ep_pcie_write(ep, BAR_ADDR + off, buf, len), want, "write");
	for (size_t i = 0; !want && i < len; i++)
		*model_byte(off + i) = buf[i];
}

static void op_read(void)
{
	static uint8_t buf[3 * PG];
	uint64_t off = rnd() % (NPG * PG);
	size_t len = 1 + (size_t)(rnd() % sizeof(buf));
	if (off + len > NPG * PG)
		len = (size_t)(NPG * PG - off);
	int want = model_check(off, len, false);
	EXPECT_EQ(dmawin_ep_pcie_read(ep, BAR_ADDR + off, buf, len), want, "read");
	for (size_t i = 0; !want && i < len; i++)
		if (buf[i] != *model_byte(off + i))
			fail_msg("seed %llu step %llu: byte %zu of a read differs",
				 (unsigned long long)seed, (unsigned long long)step, i);
}

static void compare_ram(void)
{
	static uint8_t ram[RAM_PAGES * PG];
	assert_int_equal(dmawin_mem_read(mem, 0, ram, sizeof(ram)), 0);
	if (memcmp(ram, m.ram, sizeof(ram)))
		fail_msg("seed %llu step %llu: RAM differs from the model",
			 (unsigned long long)seed, (unsigned long long)step);
}

static void test_ep_diff_random_maps_and_transfers_match_model(void **st)
{
	(void)st;
	const char *env = getenv("DMAWIN_TEST_SEED");
	seed = env ? strtoull(env, NULL, 0) : UINT64_C(0xe9004);
	rs = seed ? seed : 1;
	assert_int_equal(dmawin_mem_create(NULL, &mem), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 0, RAM_PAGES * PG, NULL), 0);
	struct dmawin_ep_config c = {.bar_addr = BAR_ADDR,
				     .bar_size = NPG * PG,
				     .iova_start = 0,
				     .iova_size = UINT64_C(1) << 32};
	assert_int_equal(dmawin_ep_create(&c, mem, &ep), 0);
	/* API 1: the window is reserved with nothing mapped; the ATU points the BAR at it. */
	assert_int_equal(
		dmawin_iova_alloc(dmawin_ep_iova(ep), NPG * PG, 0, DMAWIN_IOVA_LAST_ANY, 0, &win),
		0);
	struct dmawin_ep_atu_entry e = {DMAWIN_EP_ATU_BAR, 0, 0, win};
	assert_int_equal(dmawin_ep_atu_set(ep, 0, &e), 0);
	for (int i = 0; i < NPG; i++)
		m.page[i] = -1;
	memset(m.ram, 0, sizeof(m.ram));
	for (step = 0; step < OPS; step++) {
		unsigned r = (unsigned)(rnd() % 100);
		if (r < 25)
			op_map();
		else if (r < 40)
			op_unmap();
		else if (r < 75)
			op_write();
		else
			op_read();
		if (step % 20000 == 0)
			compare_ram();
	}
	compare_ram();
	struct dmawin_ep_stats stats;
	dmawin_ep_get_stats(ep, &stats);
	assert_true(stats.writes > 1000 && stats.reads > 1000 && stats.faults > 1000);
	dmawin_ep_destroy(ep);
	dmawin_mem_destroy(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ep_diff_random_maps_and_transfers_match_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
