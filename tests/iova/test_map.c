/* SPDX-License-Identifier: MIT */
/* Explicit mapping (seed 004 API 1-4): map_sg, partial unmap, lookup, iteration, page-table ops. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dmawin/iova.h"
#include "iova/iova_int.h"

#define G    UINT64_C(0x1000)
#define BASE UINT64_C(0x100000)
#define NPT  256

/* A flat page table over [BASE, BASE + NPT pages): the backend under test. */
struct fake_pt {
	uint64_t phys[NPT]; /* 0 = empty; phys | 1 */
	unsigned prot[NPT];
	int maps, unmaps;
	int fail_after; /* map() fails with -EIO once this many calls succeeded; -1 = never */
};

static int fake_map(void *ctx, uint64_t iova, uint64_t phys, uint64_t len, unsigned prot)
{
	struct fake_pt *pt = ctx;
	if (pt->fail_after >= 0 && pt->maps >= pt->fail_after)
		return -EIO;
	pt->maps++;
	for (uint64_t off = 0; off < len; off += G) {
		uint64_t i = (iova + off - BASE) / G;
		assert_true(i < NPT);
		assert_true(pt->phys[i] == 0);
		pt->phys[i] = (phys + off) | 1;
		pt->prot[i] = prot;
	}
	return 0;
}

static void fake_unmap(void *ctx, uint64_t iova, uint64_t len)
{
	struct fake_pt *pt = ctx;
	pt->unmaps++;
	for (uint64_t off = 0; off < len; off += G) {
		uint64_t i = (iova + off - BASE) / G;
		assert_true(i < NPT);
		assert_true(pt->phys[i] != 0);
		pt->phys[i] = 0;
	}
}

static const struct dmawin_iova_pt_ops fake_ops = {fake_map, fake_unmap};

static struct dmawin_iova_space *mk(struct fake_pt *pt)
{
	struct dmawin_iova_config cfg = {
		.granule_shift = 12, .start = BASE, .last = BASE + NPT * G - 1};
	struct dmawin_iova_space *s = NULL;
	assert_int_equal(dmawin_iova_create(&cfg, &s), 0);
	if (pt) {
		memset(pt, 0, sizeof(*pt));
		pt->fail_after = -1;
		assert_int_equal(dmawin_iova_set_pt_ops(s, &fake_ops, pt), 0);
	}
	return s;
}

static void check(struct dmawin_iova_space *s)
{
	const char *why = NULL;
	if (dw_iova_check(s, &why))
		fail_msg("invariant: %s", why);
}

static uint64_t pt_pages(const struct fake_pt *pt)
{
	uint64_t n = 0;
	for (int i = 0; i < NPT; i++)
		n += pt->phys[i] != 0;
	return n;
}

static void test_map_sg_scattered_contiguous_in_iova(void **st)
{
	(void)st;
	struct fake_pt pt;
	struct dmawin_iova_space *s = mk(&pt);
	uint64_t r, phys;
	unsigned prot;
	assert_int_equal(dmawin_iova_alloc(s, 64 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	/* Physical pages far apart, one of them an MMIO-like address above any RAM. */
	struct dmawin_iova_sg sg[3] = {
		{0x7000000, 2 * G}, {0x3000, G}, {UINT64_C(0xfe0000000000), 4 * G}};
	assert_int_equal(
		dmawin_iova_map_sg(s, r + 8 * G, sg, 3, DMAWIN_IOVA_READ | DMAWIN_IOVA_WRITE), 0);
	assert_int_equal(dmawin_iova_lookup(s, r + 8 * G + 0x123, &phys, &prot), 0);
	assert_true(phys == 0x7000123 && prot == 3);
	assert_int_equal(dmawin_iova_lookup(s, r + 9 * G, &phys, NULL), 0);
	assert_true(phys == 0x7001000);
	assert_int_equal(dmawin_iova_lookup(s, r + 10 * G + 8, &phys, NULL), 0);
	assert_true(phys == 0x3008);
	assert_int_equal(dmawin_iova_lookup(s, r + 14 * G, &phys, NULL), 0);
	assert_true(phys == UINT64_C(0xfe0000003000));
	assert_int_equal(dmawin_iova_lookup(s, r + 15 * G, &phys, NULL), -ENOENT);
	assert_int_equal(dmawin_iova_lookup(s, r + 7 * G, &phys, NULL), -ENOENT);
	assert_true(pt.maps == 3 && pt_pages(&pt) == 7);
	assert_true(pt.phys[(r + 11 * G - BASE) / G] == (UINT64_C(0xfe0000000000) | 1));
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.mappings == 3 && stats.mapped_bytes == 7 * G);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_map_bad_args_einval(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(NULL);
	uint64_t r;
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	struct dmawin_iova_sg ok = {0x1000, G}, zero = {0x1000, 0}, mis = {0x1800, G};
	struct dmawin_iova_sg wrap = {UINT64_MAX - G + 1, 2 * G};
	assert_int_equal(dmawin_iova_map_sg(s, r, NULL, 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &ok, 0, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &zero, 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &mis, 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &wrap, 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &ok, 1, 0), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r, &ok, 1, 4), -EINVAL);
	assert_int_equal(dmawin_iova_map_sg(s, r + 1, &ok, 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_map(s, r, 0x1000, G + 1, DMAWIN_IOVA_READ), -EINVAL);
	assert_int_equal(dmawin_iova_unmap(s, r, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_iova_unmap(s, r + 1, G, NULL), -EINVAL);
	assert_int_equal(dmawin_iova_unmap(s, UINT64_MAX - G + 1, 2 * G, NULL), -EINVAL);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.mappings == 0);
	dmawin_iova_destroy(s);
}

static void test_map_outside_allocation_enoent_overlap_eexist(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(NULL);
	uint64_t r;
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	assert_int_equal(dmawin_iova_reserve(s, BASE, G), 0);
	/* Free space, a reservation, and a range running past the allocation's end. */
	assert_int_equal(dmawin_iova_map(s, BASE + 8 * G, 0, G, DMAWIN_IOVA_READ), -ENOENT);
	assert_int_equal(dmawin_iova_map(s, BASE, 0, G, DMAWIN_IOVA_READ), -ENOENT);
	assert_int_equal(dmawin_iova_map(s, r + 2 * G, 0, 3 * G, DMAWIN_IOVA_READ), -ENOENT);
	assert_int_equal(dmawin_iova_map(s, r + G, 0, 2 * G, DMAWIN_IOVA_READ), 0);
	assert_int_equal(dmawin_iova_map(s, r, 0, 2 * G, DMAWIN_IOVA_READ), -EEXIST);
	assert_int_equal(dmawin_iova_map(s, r + 2 * G, 0, G, DMAWIN_IOVA_READ), -EEXIST);
	assert_int_equal(dmawin_iova_map(s, r, 0, G, DMAWIN_IOVA_WRITE), 0);
	assert_int_equal(dmawin_iova_map(s, r + 3 * G, 0, G, DMAWIN_IOVA_WRITE), 0);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_unmap_middle_splits_mapping(void **st)
{
	(void)st;
	struct fake_pt pt;
	struct dmawin_iova_space *s = mk(&pt);
	uint64_t r, done, phys;
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	assert_int_equal(dmawin_iova_map(s, r, 0x40000000, 16 * G, DMAWIN_IOVA_READ), 0);
	assert_int_equal(dmawin_iova_unmap(s, r + 4 * G, 2 * G, &done), 0);
	assert_true(done == 2 * G && pt_pages(&pt) == 14);
	assert_int_equal(dmawin_iova_lookup(s, r + 4 * G, &phys, NULL), -ENOENT);
	assert_int_equal(dmawin_iova_lookup(s, r + 6 * G, &phys, NULL), 0);
	assert_true(phys == 0x40006000);
	assert_int_equal(dmawin_iova_lookup(s, r + 3 * G, &phys, NULL), 0);
	assert_true(phys == 0x40003000);
	/* Trim the head of the upper piece and the tail of the lower one, across the hole. */
	assert_int_equal(dmawin_iova_unmap(s, r + 3 * G, 4 * G, &done), 0);
	assert_true(done == 2 * G);
	assert_int_equal(dmawin_iova_lookup(s, r + 7 * G, &phys, NULL), 0);
	assert_true(phys == 0x40007000);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.mappings == 2 && stats.mapped_bytes == 12 * G);
	/* Unmapping nothing is fine. */
	assert_int_equal(dmawin_iova_unmap(s, r + 4 * G, G, &done), 0);
	assert_true(done == 0);
	assert_int_equal(dmawin_iova_unmap(s, r, 16 * G, NULL), 0);
	assert_true(pt_pages(&pt) == 0);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_free_with_mappings_ebusy_unless_forced(void **st)
{
	(void)st;
	struct fake_pt pt;
	struct dmawin_iova_space *s = mk(&pt);
	uint64_t r, phys;
	assert_int_equal(dmawin_iova_alloc(s, 8 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	assert_int_equal(dmawin_iova_map(s, r + G, 0x5000, 2 * G, DMAWIN_IOVA_READ), 0);
	assert_int_equal(dmawin_iova_map(s, r + 5 * G, 0x9000, G, DMAWIN_IOVA_READ), 0);
	assert_int_equal(dmawin_iova_free(s, r, 0), -EBUSY);
	assert_int_equal(dmawin_iova_lookup(s, r + G, &phys, NULL), 0);
	assert_int_equal(dmawin_iova_set_pt_ops(s, NULL, NULL), -EBUSY);
	assert_int_equal(dmawin_iova_free(s, r, DMAWIN_IOVA_FORCE), 0);
	assert_int_equal(dmawin_iova_lookup(s, r + G, &phys, NULL), -ENOENT);
	assert_true(pt_pages(&pt) == 0 && pt.unmaps == 2);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_map_backend_failure_rolls_back(void **st)
{
	(void)st;
	struct fake_pt pt;
	struct dmawin_iova_space *s = mk(&pt);
	uint64_t r, phys;
	assert_int_equal(dmawin_iova_alloc(s, 8 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	struct dmawin_iova_sg sg[3] = {{0x1000, G}, {0x5000, G}, {0x9000, G}};
	pt.fail_after = 2;
	assert_int_equal(dmawin_iova_map_sg(s, r, sg, 3, DMAWIN_IOVA_READ), -EIO);
	assert_true(pt_pages(&pt) == 0 && pt.unmaps == 2);
	assert_int_equal(dmawin_iova_lookup(s, r, &phys, NULL), -ENOENT);
	pt.fail_after = -1;
	assert_int_equal(dmawin_iova_map_sg(s, r, sg, 3, DMAWIN_IOVA_READ), 0);
	assert_true(pt_pages(&pt) == 3);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_set_pt_ops_missing_callback_einval(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(NULL);
	struct dmawin_iova_pt_ops half = {fake_map, NULL};
	assert_int_equal(dmawin_iova_set_pt_ops(s, &half, NULL), -EINVAL);
	assert_int_equal(dmawin_iova_set_pt_ops(s, NULL, NULL), 0);
	dmawin_iova_destroy(s);
}

struct collect {
	int n;
	struct dmawin_iova_mapping m[8];
};

static int collect_fn(void *ctx, const struct dmawin_iova_mapping *m)
{
	struct collect *c = ctx;
	c->m[c->n++] = *m;
	return c->n == 3 ? 7 : 0;
}

static void test_for_each_mapping_in_order_and_stop(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(NULL);
	uint64_t r;
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &r), 0);
	struct dmawin_iova_sg sg[4] = {{0xa000, G}, {0x2000, 2 * G}, {0x8000, G}, {0x1000, G}};
	assert_int_equal(dmawin_iova_map_sg(s, r + G, sg, 4, DMAWIN_IOVA_WRITE), 0);
	struct collect c = {0};
	assert_int_equal(dmawin_iova_for_each_mapping(s, r + 3 * G, 2 * G, collect_fn, &c), 0);
	assert_int_equal(c.n, 2); /* the pieces that intersect, reported whole */
	assert_true(c.m[0].iova == r + 2 * G && c.m[0].len == 2 * G && c.m[0].phys == 0x2000);
	assert_true(c.m[1].iova == r + 4 * G && c.m[1].phys == 0x8000 && c.m[1].prot == 2);
	c.n = 0;
	assert_int_equal(dmawin_iova_for_each_mapping(s, 0, UINT64_MAX, collect_fn, &c), 7);
	assert_int_equal(c.n, 3);
	assert_true(c.m[0].iova == r + G && c.m[0].phys == 0xa000);
	assert_int_equal(dmawin_iova_for_each_mapping(s, 0, 0, collect_fn, &c), -EINVAL);
	assert_int_equal(dmawin_iova_for_each_mapping(s, 2, UINT64_MAX, collect_fn, &c), -EINVAL);
	dmawin_iova_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_sg_scattered_contiguous_in_iova),
		cmocka_unit_test(test_map_bad_args_einval),
		cmocka_unit_test(test_map_outside_allocation_enoent_overlap_eexist),
		cmocka_unit_test(test_unmap_middle_splits_mapping),
		cmocka_unit_test(test_free_with_mappings_ebusy_unless_forced),
		cmocka_unit_test(test_map_backend_failure_rolls_back),
		cmocka_unit_test(test_set_pt_ops_missing_callback_einval),
		cmocka_unit_test(test_for_each_mapping_in_order_and_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
