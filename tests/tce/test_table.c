/* SPDX-License-Identifier: MIT */
/* Table geometry, lifetime, info, footprint and the PowerNV limits. */
#include <errno.h>
#include <stdlib.h>

#include "tce_test.h"

static void expect_shape(const struct dmawin_tce_geometry *g, unsigned int levels,
			 unsigned int level_bits, unsigned int top_bits)
{
	struct dmawin_tce_table *t = NULL;
	struct dmawin_tce_info info;

	assert_int_equal(dmawin_tce_create(g, &t), 0);
	assert_int_equal(dmawin_tce_info(t, &info), 0);
	assert_int_equal(info.levels, levels);
	assert_int_equal(info.level_bits, level_bits);
	assert_int_equal(info.top_bits, top_bits);
	assert_int_equal(info.page_size, 1ull << g->page_shift);
	assert_int_equal(info.entries, info.window_size >> g->page_shift);
	assert_int_equal(info.level_entries, 1ull << level_bits);
	assert_int_equal(info.top_entries, 1ull << top_bits);
	assert_int_equal(tce_table_check(t), 0);
	dmawin_tce_destroy(t);
}

static void test_table_auto_1g_4k_two_levels(void **state)
{
	(void)state;
	/* 2^18 entries: one level would be 2 MiB, two levels of 2^9 entries (4 KiB) fit 64 KiB. */
	struct dmawin_tce_geometry g = {.page_shift = 12, .window_size = 1 * GiB};

	expect_shape(&g, 2, 9, 9);
}

static void test_table_auto_max_window_4k_four_levels(void **state)
{
	(void)state;
	/* 2^59 / 4K = 2^47 entries: 3 levels need 2^16-entry levels (512 KiB), 4 need 2^12. */
	struct dmawin_tce_geometry g = {.page_shift = 12, .window_size = 1ull << 59};

	expect_shape(&g, 4, 12, 11);
}

static void test_table_auto_16g_pages_two_levels(void **state)
{
	(void)state;
	struct dmawin_tce_geometry g = {.page_shift = 34, .window_size = 1ull << 59};

	expect_shape(&g, 2, 13, 12);
}

static void test_table_auto_small_max_level_more_levels(void **state)
{
	(void)state;
	/* 2^20 entries with 1 KiB levels (2^7 entries): 3 levels of 7 bits. */
	struct dmawin_tce_geometry g = {
		.page_shift = 16, .entries = 1ull << 20, .max_level_size = 1024};

	expect_shape(&g, 3, 7, 6);
}

static void test_table_explicit_five_levels_split(void **state)
{
	(void)state;
	struct dmawin_tce_geometry g = {.page_shift = 12, .entries = 1ull << 22, .levels = 5};

	expect_shape(&g, 5, 5, 2);
}

static void test_table_explicit_levels_overspan_top_one_entry(void **state)
{
	(void)state;
	/* 5 index bits in 4 levels: lower levels of 2 bits span 2^6 > 2^5; top has one entry. */
	struct dmawin_tce_geometry g = {.page_shift = 12, .entries = 32, .levels = 4};

	expect_shape(&g, 4, 2, 0);
}

static void test_table_one_page_window_one_level(void **state)
{
	(void)state;
	struct dmawin_tce_geometry g = {.page_shift = 34, .window_size = 1ull << 34};

	expect_shape(&g, 1, 0, 0);
}

static void test_table_explicit_one_level_ignores_max_level_size(void **state)
{
	(void)state;
	struct dmawin_tce_geometry g = {.page_shift = 12, .entries = 1ull << 20, .levels = 1};

	expect_shape(&g, 1, 20, 20);
}

static void expect_einval(struct dmawin_tce_geometry g)
{
	struct dmawin_tce_table *t = (struct dmawin_tce_table *)0x1;

	assert_int_equal(dmawin_tce_create(&g, &t), -EINVAL);
	assert_ptr_equal(t, (struct dmawin_tce_table *)0x1);
}

static void test_table_bad_geometry_einval(void **state)
{
	struct dmawin_tce_table *t = NULL;
	struct dmawin_tce_geometry ok = {.page_shift = 12, .window_size = 1 * GiB};
	struct dmawin_tce_geometry g;
	static const unsigned int bad_shifts[] = {0, 11, 13, 20, 22, 30, 33, 35, 63, 64};

	(void)state;
	assert_int_equal(dmawin_tce_create(NULL, &t), -EINVAL);
	assert_int_equal(dmawin_tce_create(&ok, NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad_shifts) / sizeof(bad_shifts[0]); i++) {
		g = ok;
		g.page_shift = bad_shifts[i];
		expect_einval(g);
	}
	g = ok, g.window_size = 3 * GiB, expect_einval(g);    /* not a power of two */
	g = ok, g.window_size = 2 * KiB, expect_einval(g);    /* below one page */
	g = ok, g.window_size = 1ull << 60, expect_einval(g); /* above 2^59 */
	g = ok, g.entries = 1ull << 18, expect_einval(g);     /* both sizes */
	g = ok, g.window_size = 0, expect_einval(g);	      /* neither */
	g = ok, g.window_size = 0, g.entries = 3, expect_einval(g);
	g = ok, g.window_size = 0, g.entries = 1ull << 48, expect_einval(g); /* 2^60 bytes */
	g = ok, g.levels = 6, expect_einval(g);
	g = ok, g.max_level_size = 4, expect_einval(g);
	/* 2^18 entries cannot be split in 5 levels of 8 bytes. */
	g = ok, g.max_level_size = 8, expect_einval(g);
	/* More levels than index bits; a one-page window has exactly one level. */
	g = ok, g.window_size = 0, g.entries = 4, g.levels = 3, expect_einval(g);
	g = ok, g.window_size = 4096, g.levels = 2, expect_einval(g);
}

static void test_table_create_allocates_top_only(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 30, 3);
	struct dmawin_tce_footprint fp = tce_test_fp(t);

	(void)state;
	assert_int_equal(fp.levels_allocated, 1);
	assert_int_equal(fp.allocated, 8ull << 10); /* top of 2^10 entries */
	assert_int_equal(fp.flat, 8ull << 30);
	dmawin_tce_destroy(t);
}

static void test_table_refcount_last_unref_frees(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2);

	(void)state;
	assert_ptr_equal(dmawin_tce_ref(t), t);
	assert_ptr_equal(dmawin_tce_ref(t), t);
	assert_int_equal(dmawin_tce_put(t, 5, 0x1003), 0);
	assert_false(dmawin_tce_unref(t));
	assert_false(dmawin_tce_unref(t));
	assert_int_equal(tce_test_get(t, 5), 0x1003); /* still alive for the last holder */
	assert_true(dmawin_tce_unref(t));
	assert_false(dmawin_tce_unref(NULL));
	dmawin_tce_destroy(NULL);
}

static void test_table_info_footprint_null_einval(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 10, 1);
	struct dmawin_tce_info info;
	struct dmawin_tce_footprint fp;

	(void)state;
	assert_int_equal(dmawin_tce_info(NULL, &info), -EINVAL);
	assert_int_equal(dmawin_tce_info(t, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_footprint(NULL, &fp), -EINVAL);
	assert_int_equal(dmawin_tce_footprint(t, NULL), -EINVAL);
	dmawin_tce_destroy(t);
}

static void test_table_view_matches_info(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(16, 24, 3);
	const struct dmawin_tce_view *v = dmawin_tce_view(t);
	uint64_t tce = 1;

	(void)state;
	assert_int_equal(v->size, sizeof(struct dmawin_tce_view));
	assert_int_equal(v->levels, 3);
	assert_int_equal(v->entries, 1ull << 24);
	assert_int_equal(v->window_size, 1ull << 40);
	assert_int_equal((uintptr_t)&v->generation % 64, 0);
	assert_int_equal(dmawin_tce_put(t, 0x123456, 0x30000003), 0);
	assert_true(dmawin_tce_view_lookup(v, (0x123456ull << 16) + 0xfff, &tce));
	assert_int_equal(tce, 0x30000003);
	assert_true(dmawin_tce_view_lookup(v, 0, &tce));
	assert_int_equal(tce, 0);
	assert_false(dmawin_tce_view_lookup(v, 1ull << 40, &tce));
	dmawin_tce_destroy(t);
}

static void footprint_linux(unsigned int page_shift, uint64_t window, unsigned int levels,
			    uint64_t linux_table)
{
	struct dmawin_tce_geometry g = {
		.page_shift = page_shift, .window_size = window, .levels = levels};
	struct dmawin_tce_table *t = NULL;
	struct dmawin_tce_footprint fp;

	assert_int_equal(dmawin_tce_create(&g, &t), 0);
	fp = tce_test_fp(t);
	assert_int_equal(fp.linux_table, linux_table);
	assert_int_equal(fp.linux_locked, 2 * linux_table);
	assert_int_equal(fp.flat, (window >> page_shift) * 8);
	dmawin_tce_destroy(t);
}

static void test_table_footprint_linux_worked_values(void **state)
{
	(void)state;
	/* The spec's worked values (§5, PAGE_SHIFT 16). */
	footprint_linux(12, 2 * GiB, 1, 4 * MiB);
	footprint_linux(16, 1 * TiB, 2, 128 * MiB + 64 * KiB);
	footprint_linux(24, 1 * TiB, 1, 512 * KiB);
}

static void test_table_powernv_limits(void **state)
{
	struct dmawin_tce_powernv p;

	(void)state;
	assert_int_equal(dmawin_tce_powernv_query(16, 1 * TiB, 2, 0, &p), 0);
	assert_true(p.accepted);
	assert_int_equal(p.max_levels, 5);
	assert_int_equal(p.max_windows, 2);
	assert_int_equal(p.level_shift, 16);
	assert_int_equal(p.level_entries, 8192);
	assert_int_equal(p.geometry_bits, 13 * 2 + 16);
	assert_int_equal(p.locked_bytes, 268566528ull);
	/* 3 levels of 64K pages: 13 * 3 + 16 = 55, rejected. */
	assert_int_equal(dmawin_tce_powernv_query(16, 1 * TiB, 3, 16, &p), 0);
	assert_false(p.accepted);
	assert_int_equal(p.geometry_bits, 55);
	/* 2 levels of 1G pages: 56, rejected; one level is fine. */
	assert_int_equal(dmawin_tce_powernv_query(30, 1 * TiB, 2, 16, &p), 0);
	assert_false(p.accepted);
	assert_int_equal(dmawin_tce_powernv_query(30, 1 * TiB, 1, 16, &p), 0);
	assert_true(p.accepted);
	/* A 16 MiB window of 4K pages is enlarged to 8192 entries, 32 MiB. */
	assert_int_equal(dmawin_tce_powernv_query(12, 16 * MiB, 1, 16, &p), 0);
	assert_true(p.accepted);
	assert_int_equal(p.it_size, 8192);
	assert_int_equal(p.effective_window, 32 * MiB);
	/* With 4K kernel pages it is not. */
	assert_int_equal(dmawin_tce_powernv_query(12, 16 * MiB, 1, 12, &p), 0);
	assert_int_equal(p.it_size, 4096);
	/* Linux rejects 0 and 6 levels; the query still answers. */
	assert_int_equal(dmawin_tce_powernv_query(12, 1 * GiB, 0, 16, &p), 0);
	assert_false(p.accepted);
	assert_int_equal(dmawin_tce_powernv_query(12, 1 * GiB, 6, 16, &p), 0);
	assert_false(p.accepted);
	assert_int_equal(dmawin_tce_powernv_query(12, 1 * GiB, 1, 16, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(12, 3 * GiB, 1, 16, &p), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(12, 0, 1, 16, &p), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(0, 1 * GiB, 1, 16, &p), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(64, 1 * GiB, 1, 16, &p), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(12, 1 * GiB, 1, 14, &p), -EINVAL);
	assert_int_equal(dmawin_tce_powernv_query(12, 1 * GiB, 64, 16, &p), -EINVAL);
}

static void *fail_calloc(size_t n, size_t size)
{
	(void)n;
	(void)size;
	return NULL;
}

static void test_table_create_enomem(void **state)
{
	struct dmawin_tce_geometry g = {.page_shift = 12, .window_size = 1 * GiB};
	struct dmawin_tce_table *t = NULL;

	(void)state;
	tce_calloc = fail_calloc;
	assert_int_equal(dmawin_tce_create(&g, &t), -ENOMEM);
	tce_calloc = calloc;
	assert_null(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_auto_1g_4k_two_levels),
		cmocka_unit_test(test_table_auto_max_window_4k_four_levels),
		cmocka_unit_test(test_table_auto_16g_pages_two_levels),
		cmocka_unit_test(test_table_auto_small_max_level_more_levels),
		cmocka_unit_test(test_table_explicit_five_levels_split),
		cmocka_unit_test(test_table_explicit_levels_overspan_top_one_entry),
		cmocka_unit_test(test_table_one_page_window_one_level),
		cmocka_unit_test(test_table_explicit_one_level_ignores_max_level_size),
		cmocka_unit_test(test_table_bad_geometry_einval),
		cmocka_unit_test(test_table_create_allocates_top_only),
		cmocka_unit_test(test_table_refcount_last_unref_frees),
		cmocka_unit_test(test_table_info_footprint_null_einval),
		cmocka_unit_test(test_table_view_matches_info),
		cmocka_unit_test(test_table_footprint_linux_worked_values),
		cmocka_unit_test(test_table_powernv_limits),
		cmocka_unit_test(test_table_create_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
