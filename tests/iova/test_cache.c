/* SPDX-License-Identifier: MIT */
/* The fast path: per-thread magazines, the depot, rounding, limits, flushing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

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
	if (dw_iova_check(s, &why))
		fail_msg("invariant: %s", why);
}

static uint64_t allocated(struct dmawin_iova_space *s)
{
	struct dmawin_iova_stats st;
	dmawin_iova_get_stats(s, &st);
	return st.allocated_ranges;
}

static void test_alloc_fast_rounds_small_sizes_to_power_of_two(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 4 * GIB - 1);
	uint64_t a;
	struct dmawin_iova_area ar;
	assert_int_equal(dmawin_iova_alloc_fast(s, 3 * G, DMAWIN_IOVA_LAST_32BIT, &a), 0);
	assert_int_equal(dmawin_iova_find(s, a, &ar), 0);
	assert_true(ar.start == a && ar.len == 4 * G && a % (4 * G) == 0);
	/* Above the cached sizes: exact size, natural alignment. */
	assert_int_equal(dmawin_iova_alloc_fast(s, 65 * G, DMAWIN_IOVA_LAST_32BIT, &a), 0);
	assert_int_equal(dmawin_iova_find(s, a, &ar), 0);
	assert_true(ar.len == 65 * G && a % (128 * G) == 0);
	assert_int_equal(dmawin_iova_free_fast(s, a, 65 * G), 0);
	assert_true(allocated(s) == 1);
	dmawin_iova_destroy(s);
}

static void test_free_fast_then_alloc_fast_reuses_cached_range(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 4 * GIB - 1);
	uint64_t a, b;
	assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_32BIT, &a), 0);
	assert_int_equal(dmawin_iova_free_fast(s, a, G), 0);
	/* Cached: still allocated in the tree. */
	assert_true(allocated(s) == 1);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.cached_ranges == 1);
	assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_32BIT, &b), 0);
	assert_true(a == b && allocated(s) == 1);
	assert_int_equal(dmawin_iova_free_fast(s, b, G), 0);
	dmawin_iova_cache_flush(s);
	assert_true(allocated(s) == 0);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_alloc_fast_respects_limit_of_cached_range(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 8 * GIB - 1);
	uint64_t a, b;
	assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &a), 0);
	assert_true(a == 8 * GIB - G);
	assert_int_equal(dmawin_iova_free_fast(s, a, G), 0);
	assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_32BIT, &b), 0);
	assert_true(b == 4 * GIB - G);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_fast_bad_args_einval(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 4 * GIB - 1);
	uint64_t a = 5;
	assert_int_equal(dmawin_iova_alloc_fast(s, 0, DMAWIN_IOVA_LAST_ANY, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc_fast(s, G + 8, DMAWIN_IOVA_LAST_ANY, &a), -EINVAL);
	assert_int_equal(dmawin_iova_alloc_fast(s, G, 0x800, &a), -ENOSPC);
	assert_true(a == 5);
	assert_int_equal(dmawin_iova_free_fast(s, 0, 0), -EINVAL);
	assert_int_equal(dmawin_iova_free_fast(s, 0x10, G), -EINVAL);
	assert_int_equal(dmawin_iova_free_fast(s, 0, G + 1), -EINVAL);
	/* Uncached sizes are checked by the tree. */
	assert_int_equal(dmawin_iova_free_fast(s, 0, 128 * G), -ENOENT);
	assert_int_equal(dmawin_iova_alloc_fast(s, 128 * G, DMAWIN_IOVA_LAST_ANY, &a), 0);
	assert_int_equal(dmawin_iova_free_fast(s, a, 96 * G), -EINVAL);
	assert_int_equal(dmawin_iova_free_fast(s, a, 128 * G), 0);
	/* A misaligned start for a cached size is never cached: the tree refuses it. */
	assert_int_equal(dmawin_iova_alloc_fixed(s, 3 * G, 2 * G), 0);
	assert_int_equal(dmawin_iova_free_fast(s, 3 * G, 2 * G), 0);
	assert_true(allocated(s) == 0);
	dmawin_iova_destroy(s);
}

static void test_magazine_overflow_goes_to_depot_and_back(void **st)
{
	(void)st;
	enum { N = 5000 };
	struct dmawin_iova_space *s = mk(0, 4 * GIB - 1);
	static uint64_t v[N];
	for (int i = 0; i < N; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, 2 * G, DMAWIN_IOVA_LAST_32BIT, &v[i]),
				 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], 2 * G), 0);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	/* Two magazines per thread plus a bounded depot; the rest went back to the tree. */
	assert_true(stats.cached_ranges <= 2 * DW_MAG_SIZE + DW_DEPOT_MAX * DW_MAG_SIZE);
	assert_true(stats.cached_ranges > 2 * DW_MAG_SIZE);
	assert_true(stats.allocated_ranges == stats.cached_ranges);
	check(s);
	/* Everything cached comes back out, distinct. */
	for (int i = 0; i < N; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, 2 * G, DMAWIN_IOVA_LAST_32BIT, &v[i]),
				 0);
	assert_true(allocated(s) == N);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_enospc_flushes_cache_and_retries(void **st)
{
	(void)st;
	struct dmawin_iova_space *s = mk(0, 64 * G - 1);
	uint64_t v[64], a;
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &v[i]), 0);
	assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &a), -ENOSPC);
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], G), 0);
	assert_true(allocated(s) == 64);
	/* The whole space is cached single pages; a 64-page allocation flushes them. */
	assert_int_equal(dmawin_iova_alloc(s, 64 * G, 0, DMAWIN_IOVA_LAST_ANY, 0, &a), 0);
	assert_true(a == 0 && allocated(s) == 1);
	assert_int_equal(dmawin_iova_free(s, a, 0), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &v[i]), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], G), 0);
	/* So does a fast allocation of the largest cached size. */
	assert_int_equal(dmawin_iova_alloc_fast(s, 64 * G, DMAWIN_IOVA_LAST_ANY, &a), 0);
	assert_true(a == 0 && allocated(s) == 1);
	assert_int_equal(dmawin_iova_free(s, a, 0), 0);
	/* And a fast allocation of another size does the same. */
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &v[i]), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], G), 0);
	assert_int_equal(dmawin_iova_alloc_fast(s, 32 * G, DMAWIN_IOVA_LAST_ANY, &a), 0);
	assert_true(a == 32 * G);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dmawin_iova_alloc_fast(s, G, DMAWIN_IOVA_LAST_ANY, &v[i]), 0);
	assert_true(v[7] == 24 * G);
	for (int i = 0; i < 8; i++)
		assert_int_equal(dmawin_iova_free_fast(s, v[i], G), 0);
	/* A reservation over cached ranges flushes them too. */
	assert_int_equal(dmawin_iova_reserve(s, 24 * G, 8 * G), 0);
	assert_true(allocated(s) == 1);
	check(s);
	dmawin_iova_destroy(s);
}

static void test_two_spaces_keep_separate_caches(void **st)
{
	(void)st;
	struct dmawin_iova_space *s1 = mk(0, GIB - 1), *s2 = mk(GIB, 2 * GIB - 1);
	uint64_t a, b;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dmawin_iova_alloc_fast(s1, G, DMAWIN_IOVA_LAST_ANY, &a), 0);
		assert_int_equal(dmawin_iova_alloc_fast(s2, G, DMAWIN_IOVA_LAST_ANY, &b), 0);
		assert_true(a < GIB && b >= GIB);
		assert_int_equal(dmawin_iova_free_fast(s1, a, G), 0);
		assert_int_equal(dmawin_iova_free_fast(s2, b, G), 0);
	}
	dmawin_iova_destroy(s1);
	/* A new space may reuse s1's address; its id differs, so no stale cache is used. */
	struct dmawin_iova_space *s3 = mk(0, GIB - 1);
	assert_int_equal(dmawin_iova_alloc_fast(s3, G, DMAWIN_IOVA_LAST_ANY, &a), 0);
	assert_true(allocated(s3) == 1);
	check(s3);
	dmawin_iova_destroy(s3);
	dmawin_iova_destroy(s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_fast_rounds_small_sizes_to_power_of_two),
		cmocka_unit_test(test_free_fast_then_alloc_fast_reuses_cached_range),
		cmocka_unit_test(test_alloc_fast_respects_limit_of_cached_range),
		cmocka_unit_test(test_fast_bad_args_einval),
		cmocka_unit_test(test_magazine_overflow_goes_to_depot_and_back),
		cmocka_unit_test(test_enospc_flushes_cache_and_retries),
		cmocka_unit_test(test_two_spaces_keep_separate_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
