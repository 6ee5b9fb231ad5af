/* SPDX-License-Identifier: MIT */
/* IOVA spaces: creation, allocation, fixed allocations, reservations, allowed ranges, queries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dmawin/iova.h"
#include "iova/iova_int.h"

#define G   UINT64_C(0x1000)
#define GIB (UINT64_C(1) << 30)

static struct dmawin_iova_space *mk(uint64_t start, uint64_t last)
{
	struct dmawin_iova_config cfg = {.granule_shift = 12, .start = start, .last = last};
	struct dmawin_iova_space *s = NULL;
	assert_int_equal(dmawin_iova_create(&cfg, &s), 0);
	return s;
}

static void check(struct dmawin_iova_space *s)
{
	const char *why = NULL;
	int rc = dw_iova_check(s, &why);
	if (rc)
		fail_msg("invariant: %s", why);
}

static void test_create_bad_config_einval(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = NULL;
	struct dmawin_iova_config c = {.granule_shift = 11, .start = 0, .last = GIB - 1};
	assert_int_equal(dmawin_iova_create(NULL, &s), -EINVAL);
	assert_int_equal(dmawin_iova_create(&c, &s), -EINVAL);
	c.granule_shift = 41;
	assert_int_equal(dmawin_iova_create(&c, &s), -EINVAL);
	c.granule_shift = 12;
	c.start = 0x800;
	assert_int_equal(dmawin_iova_create(&c, &s), -EINVAL);
	c.start = 0;
	c.last = GIB;
	assert_int_equal(dmawin_iova_create(&c, &s), -EINVAL);
	c.start = 2 * GIB;
	c.last = GIB - 1;
	assert_int_equal(dmawin_iova_create(&c, &s), -EINVAL);
	assert_null(s);
	c = (struct dmawin_iova_config){.granule_shift = 0, .start = 0, .last = UINT64_MAX};
	assert_int_equal(dmawin_iova_create(&c, &s), 0);
	assert_int_equal(dmawin_iova_granule(s), G);
	dmawin_iova_destroy(s);
	dmawin_iova_destroy(NULL);
}

static void test_alloc_default_top_down_natural_alignment(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 4 * GIB - 1);
	uint64_t a, b, c;
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 4 * GIB - G);
	assert_int_equal(dmawin_iova_alloc(s, 3 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &b), 0);
	assert_true(b == 4 * GIB - 4 * G); /* 3 pages aligned to 4, just below a */
	assert_int_equal(dmawin_iova_alloc(s, 3 * G, G, DMAWIN_IOVA_LAST_ANY, 0, &c), 0);
	assert_true(c == b - 3 * G); /* alignment of one granule packs it */
	assert_int_equal(dmawin_iova_alloc(s, G, 0, 0x7fffffff, 0, &a), 0);
	assert_true(a == 0x80000000 - G);
	/* An unaligned limit rounds down to whole granules. */
	assert_int_equal(dmawin_iova_alloc(s, G, 0, 0x7fffe800, 0, &a), 0);
	assert_true(a == 0x7fffd000);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, 0x7fffefff, 0, &a), 0);
	assert_true(a == 0x7fffe000);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_alloc_bottom_up_lowest_fit(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0x10000, 4 * GIB - 1);
	uint64_t a, b;
	assert_int_equal(
		dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, DMAWIN_IOVA_BOTTOM_UP, &a), 0);
	assert_true(a == 0x10000);
	assert_int_equal(
		dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, DMAWIN_IOVA_BOTTOM_UP, &b),
		0);
	assert_true(b == 0x20000);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_alloc_bad_args_einval(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, GIB - 1);
	uint64_t a = 42;
	assert_int_equal(dmawin_iova_alloc(s, 0, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc(s, G + 1, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc(s, G, 3 * G, DMAWIN_IOVA_LAST_ANY, 0, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc(s, G, G / 2, DMAWIN_IOVA_LAST_ANY, 0, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0x80, &a), -EINVAL);
	assert_true(a == 42);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.allocated_ranges == 0 && stats.free_bytes == GIB);
	dmawin_iova_destroy(s);
}

static void test_alloc_full_or_below_aperture_enospc(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(GIB, GIB + 8 * G - 1);
	uint64_t a;
	assert_int_equal(dmawin_iova_alloc(s, G, 0, GIB - 1, 0, &a), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, 0x800, 0, &a), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc(s, 8 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), -ENOSPC);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_alloc_alignment_skips_misaligned_gaps(void **st)
{
	(void)st;
	/* Gaps of 4 pages that are not 4-aligned cannot hold a naturally aligned 4-page range. */
	struct dmawin_iova_space *s = mk(0, 64 * G - 1);
	for (uint64_t p = 0; p < 64; p += 6)
		assert_int_equal(dmawin_iova_alloc_fixed(s, p * G, 2 * G), 0);
	uint64_t a;
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	/* gaps are [2,5],[8,11],... top-down: the highest 4-aligned fit. */
	assert_true(a == 56 * G);
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, G, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 50 * G);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_alloc_fixed_overlap_eexist_outside_erange(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(GIB, 2 * GIB - 1);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB + 4 * G, 4 * G), 0);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB + 7 * G, 2 * G), -EEXIST);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB + 2 * G, 3 * G), -EEXIST);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB + 8 * G, G), 0);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB - G, 2 * G), -ERANGE);
	assert_int_equal(dmawin_iova_alloc_fixed(s, 2 * GIB - G, 2 * G), -ERANGE);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB + 1, G), -EINVAL);
	assert_int_equal(dmawin_iova_alloc_fixed(s, GIB, 0), -EINVAL);
	assert_int_equal(dmawin_iova_alloc_fixed(s, UINT64_MAX - G + 1, 2 * G), -EINVAL);
	struct dmawin_iova_area ar;
	assert_int_equal(dmawin_iova_find(s, GIB + 5 * G + 7, &ar), 0);
	assert_true(ar.start == GIB + 4 * G && ar.len == 4 * G && ar.kind == DMAWIN_IOVA_ALLOCATED);
	assert_int_equal(dmawin_iova_find(s, GIB + 9 * G, &ar), -ENOENT);
	assert_int_equal(dmawin_iova_find(s, 0, &ar), -ENOENT);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_free_errors_and_reuse(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, GIB - 1);
	uint64_t a, b;
	assert_int_equal(dmawin_iova_alloc(s, 2 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_int_equal(dmawin_iova_free(s, a + G, 0), -ENOENT);
	assert_int_equal(dmawin_iova_free(s, a + 1, 0), -ENOENT);
	assert_int_equal(dmawin_iova_free(s, a, 4), -EINVAL);
	assert_int_equal(dmawin_iova_reserve(s, 0, G), 0);
	assert_int_equal(dmawin_iova_free(s, 0, 0), -ENOENT); /* a reservation is not freed */
	assert_int_equal(dmawin_iova_free(s, a, 0), 0);
	assert_int_equal(dmawin_iova_free(s, a, 0), -ENOENT);
	assert_int_equal(dmawin_iova_alloc(s, 2 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &b), 0);
	assert_true(a == b);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_reserve_msi_page_never_allocated(void **st)
{
	(void)st;
	/* The MSI doorbell page at the top of the space: allocations go below it. */
	struct dmawin_iova_space *s = mk(0, 16 * G - 1);
	uint64_t a;
	assert_int_equal(dmawin_iova_reserve(s, 15 * G, G), 0);
	assert_int_equal(dmawin_iova_reserve(s, 15 * G, G), -EEXIST);
	assert_int_equal(dmawin_iova_reserve(s, 16 * G, G), -ERANGE);
	assert_int_equal(dmawin_iova_reserve(s, 0, 0), -EINVAL);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 14 * G);
	for (int i = 0; i < 15; i++)
		assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a),
				 i < 14 ? 0 : -ENOSPC);
	assert_int_equal(dmawin_iova_alloc_fixed(s, 15 * G, G), -EEXIST);
	assert_int_equal(dmawin_iova_unreserve(s, 15 * G, 2 * G), -ENOENT);
	assert_int_equal(dmawin_iova_unreserve(s, 14 * G, G),
			 -ENOENT); /* allocated, not reserved */
	assert_int_equal(dmawin_iova_unreserve(s, 15 * G, 0), -ENOENT);
	assert_int_equal(dmawin_iova_unreserve(s, 15 * G, G), 0);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 15 * G);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.allocated_ranges == 16 && stats.free_bytes == 0 &&
		    stats.largest_free == 0);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_set_allowed_holes_and_ebusy(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 64 * G - 1);
	struct dmawin_iova_range r[2] = {{8 * G, 8 * G}, {32 * G, 4 * G}};
	uint64_t a;
	assert_int_equal(dmawin_iova_set_allowed(s, r, 2), 0);
	assert_int_equal(dmawin_iova_alloc(s, 8 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 8 * G);
	assert_int_equal(dmawin_iova_alloc(s, 2 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 34 * G);
	assert_int_equal(dmawin_iova_alloc_fixed(s, 40 * G, G), -EEXIST);
	struct dmawin_iova_area ar;
	assert_int_equal(dmawin_iova_find(s, 50 * G, &ar), 0);
	assert_true(ar.kind == DMAWIN_IOVA_DISALLOWED && ar.start == 36 * G && ar.len == 28 * G);
	/* Shrinking the allowed set over an allocation is refused and changes nothing. */
	struct dmawin_iova_range small = {32 * G, 2 * G};
	assert_int_equal(dmawin_iova_set_allowed(s, &small, 1), -EBUSY);
	assert_int_equal(dmawin_iova_find(s, 50 * G, &ar), 0);
	struct dmawin_iova_range bad[2] = {{0, 0}, {G + 1, G}};
	assert_int_equal(dmawin_iova_set_allowed(s, bad, 1), -EINVAL);
	assert_int_equal(dmawin_iova_set_allowed(s, &bad[1], 1), -EINVAL);
	struct dmawin_iova_range out = {60 * G, 8 * G};
	assert_int_equal(dmawin_iova_set_allowed(s, &out, 1), -ERANGE);
	assert_int_equal(dmawin_iova_set_allowed(s, NULL, 1), -EINVAL);
	/* Overlapping, unsorted ranges merge. */
	struct dmawin_iova_range m[3] = {{32 * G, 32 * G}, {4 * G, 20 * G}, {8 * G, 4 * G}};
	assert_int_equal(dmawin_iova_set_allowed(s, m, 3), 0);
	assert_int_equal(
		dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, DMAWIN_IOVA_BOTTOM_UP, &a), 0);
	assert_true(a == 4 * G);
	check(s);
	assert_int_equal(dmawin_iova_set_allowed(s, NULL, 0), 0);
	assert_int_equal(
		dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_ANY, DMAWIN_IOVA_BOTTOM_UP, &a), 0);
	assert_true(a == 0);
	check(s);
	dmawin_iova_destroy(s);
}

static int count_area(void *ctx, const struct dmawin_iova_area *a)
{
	uint64_t *n = ctx;
	(*n)++;
	return a->kind == DMAWIN_IOVA_RESERVED ? 99 : 0;
}

static void test_for_each_area_order_and_stop(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, GIB - 1);
	uint64_t n = 0;
	assert_int_equal(dmawin_iova_alloc_fixed(s, 0, G), 0);
	assert_int_equal(dmawin_iova_alloc_fixed(s, 2 * G, G), 0);
	assert_int_equal(dmawin_iova_for_each_area(s, count_area, &n), 0);
	assert_true(n == 2);
	assert_int_equal(dmawin_iova_reserve(s, G, G), 0);
	n = 0;
	assert_int_equal(dmawin_iova_for_each_area(s, count_area, &n), 99);
	assert_true(n == 2);
	dmawin_iova_destroy(s);
}

static void test_space_64bit_aperture_top(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(UINT64_C(1) << 59, UINT64_MAX);
	uint64_t a;
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == UINT64_MAX - 16 * G + 1);
	assert_int_equal(dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_48BIT, 0, &a), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc_fixed(s, UINT64_MAX - G + 1, G), -EEXIST);
	check(s);
	dmawin_iova_destroy(s);
}

/* A failed search is remembered: the same or a harder request fails without a search, an easier
 * one (smaller, less aligned, higher limit) is still searched, and any removal (free, unreserve,
 * allowed-range change) forgets it. Each step fails if the memory were applied too widely or
 * kept after a removal. */
static void test_remembered_failure_and_reset(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 64 * G - 1);
	uint64_t a, b, c, x;

	/* [0, 64): 16 pages free at the bottom (one 16-page hole), 48 allocated above. */
	assert_int_equal(dmawin_iova_alloc_fixed(s, 16 * G, 48 * G), 0);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	assert_int_equal(s->fail_size, 32);
	/* Harder: bigger, more aligned, lower limit: remembered, still -ENOSPC. */
	assert_int_equal(dmawin_iova_alloc(s, 48 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 64 * G, 40 * G - 1, 0, &x), -ENOSPC);
	/* Easier than what failed: searched, and they fit. */
	assert_int_equal(dmawin_iova_alloc(s, 16 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(dmawin_iova_free(s, a, 0), 0);
	assert_int_equal(s->fail_size, 0);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	assert_int_equal(dmawin_iova_alloc(s, 24 * G, 8 * G, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	/* A free makes room: the remembered failure must go, or this fails. */
	assert_int_equal(dmawin_iova_free(s, 16 * G, 0), 0);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &b), 0);
	assert_int_equal(b, 32 * G);
	check(s);

	/* Unreserve resets it too. */
	assert_int_equal(dmawin_iova_reserve(s, 0, 32 * G), 0);
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	assert_int_equal(dmawin_iova_unreserve(s, 0, 32 * G), 0);
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &c), 0);
	assert_int_equal(c, 28 * G);
	assert_int_equal(dmawin_iova_free(s, c, 0), 0);

	/* So does widening the allowed set (its disallowed nodes are removed). */
	struct dmawin_iova_range half = {32 * G, 32 * G};
	assert_int_equal(dmawin_iova_free(s, b, 0), 0);
	assert_int_equal(dmawin_iova_set_allowed(s, &half, 1), 0);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 0, 32 * G - 1, 0, &x), -ENOSPC);
	assert_int_equal(dmawin_iova_set_allowed(s, NULL, 0), 0);
	assert_int_equal(dmawin_iova_alloc(s, 32 * G, 0, 32 * G - 1, 0, &x), 0);
	assert_int_equal(x, 0);
	check(s);
	dmawin_iova_destroy(s);
}

/* The fast path's cached ranges: a request that fails while magazines hold ranges flushes them
 * and retries, even when the same failure is remembered from before. */
static void test_remembered_failure_flushes_cache(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 4 * G - 1);
	uint64_t v[4], x;

	for (int i = 0; i < 4; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &v[i]), 0);
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), -ENOSPC);
	for (int i = 0; i < 4; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], G), 0);
	/* The four pages sit in this thread's magazine; the tree still holds them. */
	assert_int_equal(dmawin_iova_alloc(s, 4 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &x), 0);
	assert_int_equal(x, 0);
	check(s);
	dmawin_iova_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_bad_config_einval),
		cmocka_unit_test(test_alloc_default_top_down_natural_alignment),
		cmocka_unit_test(test_alloc_bottom_up_lowest_fit),
		cmocka_unit_test(test_alloc_bad_args_einval),
		cmocka_unit_test(test_alloc_full_or_below_aperture_enospc),
		cmocka_unit_test(test_alloc_alignment_skips_misaligned_gaps),
		cmocka_unit_test(test_alloc_fixed_overlap_eexist_outside_erange),
		cmocka_unit_test(test_free_errors_and_reuse),
		cmocka_unit_test(test_reserve_msi_page_never_allocated),
		cmocka_unit_test(test_set_allowed_holes_and_ebusy),
		cmocka_unit_test(test_for_each_area_order_and_stop),
		cmocka_unit_test(test_space_64bit_aperture_top),
		cmocka_unit_test(test_remembered_failure_and_reset),
		cmocka_unit_test(test_remembered_failure_flushes_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
