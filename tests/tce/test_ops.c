/* SPDX-License-Identifier: MIT */
/* Entry operations: edges of every geometry, sparse allocation, generation, bad input, -ENOMEM. */
#include <errno.h>
#include <stdlib.h>

#include "tce_test.h"

struct shape {
	unsigned int page_shift, entries_shift, levels;
};

/* 1..5 levels, the 2^59 window of 4K pages, 16G pages, a one-entry window. */
static const struct shape shapes[] = {
	{12, 0, 1},  {12, 10, 1}, {16, 16, 2}, {21, 20, 3}, {24, 22, 4},
	{12, 22, 5}, {12, 47, 4}, {34, 25, 2}, {12, 47, 5}, {28, 31, 3},
};

static void test_ops_first_last_entry_every_geometry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct shape *s = &shapes[i];
		struct dmawin_tce_table *t =
			tce_test_table(s->page_shift, s->entries_shift, s->levels);
		uint64_t last = (1ull << s->entries_shift) - 1, page = 1ull << s->page_shift;
		uint64_t window = page << s->entries_shift, tce = 0, size = 0;

		assert_int_equal(dmawin_tce_put(t, 0, 7 * page | DMAWIN_TCE_READ), 0);
		assert_int_equal(dmawin_tce_put(t, last, 9 * page | 3), 0);
		if (last > 0)
			assert_int_equal(tce_test_get(t, 0), 7 * page | DMAWIN_TCE_READ);
		assert_int_equal(tce_test_get(t, last), 9 * page | 3);
		assert_int_equal(dmawin_tce_lookup(t, window - 1, &tce, &size), 0);
		assert_int_equal(tce, 9 * page | 3);
		assert_int_equal(size, page);
		assert_int_equal(dmawin_tce_lookup(t, window, &tce, &size), -ERANGE);
		assert_int_equal(dmawin_tce_get(t, last + 1, &tce), -ERANGE);
		assert_int_equal(dmawin_tce_put(t, last + 1, 3), -ERANGE);
		if (last > 1)
			assert_int_equal(tce_test_get(t, last / 2), 0);
		assert_int_equal(tce_table_check(t), 0);
		dmawin_tce_destroy(t);
	}
}

static void test_ops_get_lookup_bad_args(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 10, 2);
	uint64_t v;

	(void)state;
	assert_int_equal(dmawin_tce_get(t, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_lookup(t, 0, NULL, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_lookup(t, 4095, &v, NULL), 0);
	assert_int_equal(dmawin_tce_lookup(t, UINT64_MAX, &v, NULL), -ERANGE);
	assert_int_equal(dmawin_tce_xchg(t, UINT64_MAX, 3, &v), -ERANGE);
	dmawin_tce_destroy(t);
}

static void test_ops_write_allocates_path_only(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 40, 4); /* 10 bits a level */

	(void)state;
	assert_int_equal(dmawin_tce_put(t, 12345, 0), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 1); /* writing 0 allocates nothing */
	assert_int_equal(dmawin_tce_put(t, 12345, 0x5000003), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 4);
	assert_int_equal(tce_test_fp(t).allocated, 4 * 8 * 1024);
	assert_int_equal(dmawin_tce_put(t, 12346, 0x6000003), 0); /* same leaf */
	assert_int_equal(tce_test_fp(t).levels_allocated, 4);
	assert_int_equal(dmawin_tce_put(t, 1ull << 39, 0x7000003), 0); /* new path below top */
	assert_int_equal(tce_test_fp(t).levels_allocated, 7);
	assert_int_equal(tce_test_get(t, (1ull << 39) + 1), 0);
	assert_int_equal(tce_table_check(t), 0);
	dmawin_tce_destroy(t);
}

static void test_ops_xchg_returns_old(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(16, 20, 2);
	uint64_t old = 1;

	(void)state;
	assert_int_equal(dmawin_tce_xchg(t, 77, 0x10001, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(dmawin_tce_xchg(t, 77, 0x20003, &old), 0);
	assert_int_equal(old, 0x10001);
	assert_int_equal(dmawin_tce_xchg(t, 77, 0, NULL), 0);
	assert_int_equal(tce_test_get(t, 77), 0);
	/* Clearing below a missing level: old is 0, nothing allocated. */
	old = 1;
	assert_int_equal(dmawin_tce_xchg(t, 1ull << 19, 0, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 2);
	dmawin_tce_destroy(t);
}

static void test_ops_stuff_across_levels(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2); /* 256-entry leaves */
	uint64_t v;

	(void)state;
	assert_int_equal(dmawin_tce_stuff(t, 200, 600, 0x9000001), 0);
	assert_int_equal(tce_test_get(t, 199), 0);
	assert_int_equal(tce_test_get(t, 200), 0x9000001);
	assert_int_equal(tce_test_get(t, 512), 0x9000001);
	assert_int_equal(tce_test_get(t, 799), 0x9000001);
	assert_int_equal(tce_test_get(t, 800), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 1 + 4);
	assert_int_equal(dmawin_tce_stuff(t, 300, 0, 5), 0);
	assert_int_equal(dmawin_tce_stuff(t, 65535, 2, 5), -ERANGE);
	assert_int_equal(dmawin_tce_stuff(t, UINT64_MAX, 2, 5), -ERANGE);
	assert_int_equal(dmawin_tce_stuff(t, 2, UINT64_MAX, 5), -ERANGE);
	assert_int_equal(tce_test_get(t, 65535), 0);
	/* stuff 0 clears and allocates nothing */
	assert_int_equal(dmawin_tce_stuff(t, 0, 65536, 0), 0);
	assert_int_equal(dmawin_tce_next(t, 0, DMAWIN_TCE_ITER_NONZERO, NULL, &v), -ENOENT);
	assert_int_equal(tce_test_fp(t).levels_allocated, 5);
	assert_int_equal(tce_table_check(t), 0);
	dmawin_tce_destroy(t);
}

static void test_ops_put_array_skips_zero_chunks(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2);
	uint64_t tces[768] = {0};

	(void)state;
	tces[0] = 0x1003;
	tces[767] = 0x2003;
	assert_int_equal(dmawin_tce_put_array(t, 250, tces, 768), 0);
	/* chunks: [250,256) [256,512) [512,768) [768,1018): the middle two hold only zeroes */
	assert_int_equal(tce_test_fp(t).levels_allocated, 1 + 2);
	assert_int_equal(tce_test_get(t, 250), 0x1003);
	assert_int_equal(tce_test_get(t, 1017), 0x2003);
	assert_int_equal(dmawin_tce_put_array(t, 0, NULL, 0), 0);
	assert_int_equal(dmawin_tce_put_array(t, 0, NULL, 1), -EINVAL);
	assert_int_equal(dmawin_tce_put_array(t, 65000, tces, 768), -ERANGE);
	assert_int_equal(tce_test_get(t, 65000), 0);
	/* writing zeroes over existing entries clears them */
	tces[0] = 0;
	assert_int_equal(dmawin_tce_put_array(t, 250, tces, 1), 0);
	assert_int_equal(tce_test_get(t, 250), 0);
	assert_int_equal(tce_table_check(t), 0);
	dmawin_tce_destroy(t);
}

static void test_ops_clear_keeps_levels_unless_asked(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2);

	(void)state;
	assert_int_equal(dmawin_tce_stuff(t, 0, 1024, 0x1003), 0);
	assert_int_equal(dmawin_tce_clear(t, 0, 1024, 0), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 5);
	assert_int_equal(tce_test_get(t, 3), 0);
	assert_int_equal(dmawin_tce_stuff(t, 0, 1024, 0x1003), 0);
	/* [100, 700): only the leaf [256, 512) is wholly inside and is freed */
	assert_int_equal(dmawin_tce_clear(t, 100, 600, DMAWIN_TCE_CLEAR_FREE_LEVELS), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 4);
	assert_int_equal(tce_test_get(t, 99), 0x1003);
	assert_int_equal(tce_test_get(t, 100), 0);
	assert_int_equal(tce_test_get(t, 300), 0);
	assert_int_equal(tce_test_get(t, 699), 0);
	assert_int_equal(tce_test_get(t, 700), 0x1003);
	assert_int_equal(tce_table_check(t), 0);
	assert_int_equal(dmawin_tce_clear(t, 0, 65536, DMAWIN_TCE_CLEAR_FREE_LEVELS), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 1);
	assert_int_equal(tce_test_fp(t).allocated, 8 * 256);
	assert_int_equal(dmawin_tce_clear(t, 0, 1, 4), -EINVAL);
	assert_int_equal(dmawin_tce_clear(t, 65536, 1, 0), -ERANGE);
	assert_int_equal(dmawin_tce_clear(t, 65536, 0, 0), 0);
	assert_int_equal(tce_table_check(t), 0);
	dmawin_tce_destroy(t);
}

static void test_ops_clear_huge_sparse_range_fast(void **state)
{
	/* 2^47 entries: clearing all of it must skip missing levels, not visit 2^35 leaves. */
	struct dmawin_tce_table *t = tce_test_table(12, 47, 4);

	(void)state;
	assert_int_equal(dmawin_tce_put(t, (1ull << 47) - 1, 0x3), 0);
	assert_int_equal(dmawin_tce_put(t, 1ull << 30, 0x3), 0);
	assert_int_equal(dmawin_tce_clear(t, 0, 1ull << 47, 0), 0);
	assert_int_equal(tce_test_get(t, (1ull << 47) - 1), 0);
	assert_int_equal(tce_test_get(t, 1ull << 30), 0);
	dmawin_tce_destroy(t);
}

struct seen {
	uint64_t index[8];
	uint64_t tce[8];
	int n;
	int stop_at;
};

static int record(uint64_t index, uint64_t tce, void *arg)
{
	struct seen *s = arg;

	s->index[s->n] = index;
	s->tce[s->n] = tce;
	return ++s->n == s->stop_at ? 42 : 0;
}

static void test_ops_iterate_in_order_skipping(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 40, 4);
	struct seen s = {.stop_at = 0};
	uint64_t found, tce;

	(void)state;
	assert_int_equal(dmawin_tce_put(t, (1ull << 40) - 1, 0x8003), 0);
	assert_int_equal(dmawin_tce_put(t, 5, 0x1001), 0);
	assert_int_equal(dmawin_tce_put(t, 1ull << 33, 0x2002), 0);
	assert_int_equal(dmawin_tce_put(t, 6, 0x7000), 0); /* non-zero but unmapped */
	assert_int_equal(dmawin_tce_for_each(t, 0, 1ull << 40, 0, record, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.index[0], 5);
	assert_int_equal(s.index[1], 1ull << 33);
	assert_int_equal(s.index[2], (1ull << 40) - 1);
	assert_int_equal(s.tce[2], 0x8003);
	s = (struct seen){.stop_at = 2};
	assert_int_equal(dmawin_tce_for_each(t, 0, 1ull << 40, DMAWIN_TCE_ITER_NONZERO, record, &s),
			 42);
	assert_int_equal(s.index[1], 6);
	s = (struct seen){.stop_at = 0};
	assert_int_equal(dmawin_tce_for_each(t, 6, (1ull << 33) - 6, 0, record, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(dmawin_tce_next(t, 0, 0, &found, &tce), 0);
	assert_int_equal(found, 5);
	assert_int_equal(tce, 0x1001);
	assert_int_equal(dmawin_tce_next(t, 6, 0, &found, NULL), 0);
	assert_int_equal(found, 1ull << 33);
	assert_int_equal(dmawin_tce_next(t, 6, DMAWIN_TCE_ITER_NONZERO, &found, NULL), 0);
	assert_int_equal(found, 6);
	assert_int_equal(dmawin_tce_next(t, (1ull << 40) - 1, 0, NULL, &tce), 0);
	assert_int_equal(dmawin_tce_next(t, 1ull << 40, 0, &found, &tce), -ENOENT);
	assert_int_equal(dmawin_tce_next(t, 0, 8, &found, &tce), -EINVAL);
	assert_int_equal(dmawin_tce_for_each(t, 0, 1, 0, NULL, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_for_each(t, 0, 1, 8, record, &s), -EINVAL);
	assert_int_equal(dmawin_tce_for_each(t, 1, 1ull << 40, 0, record, &s), -ERANGE);
	assert_int_equal(dmawin_tce_for_each(t, 1ull << 40, 0, 0, record, &s), 0);
	dmawin_tce_destroy(t);
}

static void test_ops_generation_bumps_on_remove_or_change(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2);
	uint64_t g = dmawin_tce_generation(t), arr[3] = {0x1003, 0x2003, 0x3003};

	(void)state;
	assert_int_equal(g, 0);
	assert_int_equal(dmawin_tce_put(t, 1, 0x1003), 0); /* new mapping */
	assert_int_equal(dmawin_tce_generation(t), g);
	assert_int_equal(dmawin_tce_put(t, 1, 0x1003), 0); /* same value */
	assert_int_equal(dmawin_tce_generation(t), g);
	assert_int_equal(dmawin_tce_put(t, 1, 0x1001), 0); /* permission changed */
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_put(t, 1, 0x2001), 0); /* address changed */
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_put(t, 1, 0), 0); /* removed */
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_put(t, 2, 0x5000), 0); /* unmapped value ... */
	assert_int_equal(dmawin_tce_put(t, 2, 0), 0);	   /* ... removed: nothing was mapped */
	assert_int_equal(dmawin_tce_generation(t), g);
	assert_int_equal(dmawin_tce_put_array(t, 10, arr, 3), 0);
	assert_int_equal(dmawin_tce_generation(t), g);
	assert_int_equal(dmawin_tce_stuff(t, 9, 5, 0x7003), 0); /* three changed: one bump */
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_put_array(t, 9, arr, 3), 0);
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_clear(t, 0, 100, 0), 0);
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_clear(t, 0, 100, 0), 0); /* nothing mapped any more */
	assert_int_equal(dmawin_tce_generation(t), g);
	assert_int_equal(dmawin_tce_put(t, 1000, 0x1003), 0);
	assert_int_equal(dmawin_tce_clear(t, 768, 256, DMAWIN_TCE_CLEAR_FREE_LEVELS), 0);
	assert_int_equal(dmawin_tce_generation(t), ++g);
	assert_int_equal(dmawin_tce_view_generation(dmawin_tce_view(t)), g);
	dmawin_tce_destroy(t);
}

#define LANE_RUN 40u /* long enough for the vector path of bulk.c after any head */

enum lane_op { LANE_STUFF, LANE_PUT_ARRAY, LANE_CLEAR };

/*
 * One bulk write of [s, s + LANE_RUN) over a table holding @fill everywhere except @odd at
 * entry k; checks every entry afterwards and returns the number of generation bumps.
 */
static uint64_t lane_run(struct dmawin_tce_table *t, enum lane_op op, uint64_t s, uint64_t k,
			 uint64_t fill, uint64_t odd, uint64_t value)
{
	uint64_t arr[LANE_RUN], g;

	for (unsigned int i = 0; i < LANE_RUN; i++)
		arr[i] = value;
	assert_int_equal(dmawin_tce_stuff(t, 0, 256, fill), 0);
	assert_int_equal(dmawin_tce_put(t, k, odd), 0);
	g = dmawin_tce_generation(t);
	if (op == LANE_STUFF)
		assert_int_equal(dmawin_tce_stuff(t, s, LANE_RUN, value), 0);
	else if (op == LANE_PUT_ARRAY)
		assert_int_equal(dmawin_tce_put_array(t, s, arr, LANE_RUN), 0);
	else
		assert_int_equal(dmawin_tce_clear(t, s, LANE_RUN, 0), 0);
	for (uint64_t i = 0; i < 256; i++) {
		uint64_t want = (i >= s && i < s + LANE_RUN) ? (op == LANE_CLEAR ? 0 : value)
							     : (i == k ? odd : fill);

		assert_int_equal(tce_test_get(t, i), want);
	}
	return dmawin_tce_generation(t) - g;
}

/*
 * The bulk writes decide the bump per entry whatever the entry's position in a vector, its
 * alignment, or the head/tail split: one odd entry at every position, from every start offset.
 */
static void test_ops_bulk_bump_exact_every_position(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 8, 1);

	(void)state;
	for (uint64_t s = 1; s <= 9; s++) {
		for (uint64_t k = s - 1; k <= s + LANE_RUN; k++) {
			bool in = k >= s && k < s + LANE_RUN;

			/* a mapped entry changed: bump iff inside */
			assert_int_equal(lane_run(t, LANE_STUFF, s, k, 0x1003, 0x2003, 0x1003), in);
			assert_int_equal(lane_run(t, LANE_PUT_ARRAY, s, k, 0x1003, 0x2001, 0x1003),
					 in);
			/* only unmapped entries elsewhere: clear bumps iff the mapped one is inside */
			assert_int_equal(lane_run(t, LANE_CLEAR, s, k, 0x5000, 0x2002, 0), in);
			/* an unmapped entry changed, mapped ones kept: never a bump */
			assert_int_equal(lane_run(t, LANE_STUFF, s, k, 0x1003, 0x9000, 0x1003), 0);
			assert_int_equal(lane_run(t, LANE_PUT_ARRAY, s, k, 0x1003, 0x9000, 0x1003),
					 0);
			/* mapping over unmapped entries: no bump unless the odd one was mapped */
			assert_int_equal(lane_run(t, LANE_STUFF, s, k, 0x5000, 0x2001, 0x7003), in);
		}
	}
	dmawin_tce_destroy(t);
}

static int never_called(uint64_t index, uint64_t tce, void *arg)
{
	(void)index;
	(void)tce;
	(void)arg;
	return 1;
}

static void test_ops_null_table_einval(void **state)
{
	uint64_t v = 0, arr[1] = {3};

	(void)state;
	assert_int_equal(dmawin_tce_get(NULL, 0, &v), -EINVAL);
	assert_int_equal(dmawin_tce_put(NULL, 0, 3), -EINVAL);
	assert_int_equal(dmawin_tce_xchg(NULL, 0, 3, &v), -EINVAL);
	assert_int_equal(dmawin_tce_stuff(NULL, 0, 1, 3), -EINVAL);
	assert_int_equal(dmawin_tce_put_array(NULL, 0, arr, 1), -EINVAL);
	assert_int_equal(dmawin_tce_clear(NULL, 0, 1, 0), -EINVAL);
	assert_int_equal(dmawin_tce_next(NULL, 0, 0, &v, &v), -EINVAL);
	assert_int_equal(dmawin_tce_for_each(NULL, 0, 1, 0, never_called, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_lookup(NULL, 0, &v, NULL), -EINVAL);
	assert_null(dmawin_tce_ref(NULL));
	assert_null(dmawin_tce_view(NULL));
	assert_int_equal(dmawin_tce_generation(NULL), 0);
}

static unsigned int calloc_budget;

static void *budget_calloc(size_t n, size_t size)
{
	if (calloc_budget == 0)
		return NULL;
	calloc_budget--;
	return calloc(n, size);
}

static void test_ops_enomem_leaves_entries_unchanged(void **state)
{
	struct dmawin_tce_table *t = tce_test_table(12, 16, 2);
	uint64_t arr[600], g;

	(void)state;
	for (size_t i = 0; i < 600; i++)
		arr[i] = 0x1000 * (i + 1) | 3;
	assert_int_equal(dmawin_tce_put(t, 300, 0x42003), 0);
	g = dmawin_tce_generation(t);
	tce_calloc = budget_calloc;
	calloc_budget = 0;
	assert_int_equal(dmawin_tce_put(t, 5000, 3), -ENOMEM);
	assert_int_equal(dmawin_tce_xchg(t, 5000, 3, NULL), -ENOMEM);
	/* leaf [256,512) exists; [0,256) gets the one allocation, [512,768) fails */
	calloc_budget = 1;
	assert_int_equal(dmawin_tce_stuff(t, 0, 600, 0x9003), -ENOMEM);
	calloc_budget = 0;
	assert_int_equal(dmawin_tce_put_array(t, 0, arr, 600), -ENOMEM);
	/* clearing never allocates */
	calloc_budget = 0;
	assert_int_equal(dmawin_tce_clear(t, 0, 65536, 0), 0);
	assert_int_equal(dmawin_tce_put(t, 300, 0x42003), 0);
	tce_calloc = calloc;
	assert_int_equal(tce_test_get(t, 5000), 0);
	for (uint64_t i = 0; i < 600; i++)
		assert_int_equal(tce_test_get(t, i), i == 300 ? 0x42003 : 0);
	assert_int_equal(dmawin_tce_generation(t), g + 1); /* only the clear */
	assert_int_equal(tce_table_check(t), 0);
	/* levels allocated by a failed call are kept (empty) and counted */
	assert_int_equal(tce_test_fp(t).levels_allocated, 1 + 2);
	dmawin_tce_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_first_last_entry_every_geometry),
		cmocka_unit_test(test_ops_get_lookup_bad_args),
		cmocka_unit_test(test_ops_write_allocates_path_only),
		cmocka_unit_test(test_ops_xchg_returns_old),
		cmocka_unit_test(test_ops_stuff_across_levels),
		cmocka_unit_test(test_ops_put_array_skips_zero_chunks),
		cmocka_unit_test(test_ops_clear_keeps_levels_unless_asked),
		cmocka_unit_test(test_ops_clear_huge_sparse_range_fast),
		cmocka_unit_test(test_ops_iterate_in_order_skipping),
		cmocka_unit_test(test_ops_generation_bumps_on_remove_or_change),
		cmocka_unit_test(test_ops_bulk_bump_exact_every_position),
		cmocka_unit_test(test_ops_enomem_leaves_entries_unchanged),
		cmocka_unit_test(test_ops_null_table_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
