/* SPDX-License-Identifier: MIT */
/*
 * Differential test: >= 1M random operations on tables of every level count, each compared with
 * the flat-array reference model (tests/ref/tce_ref.h): every read, every returned old value,
 * every error code and the generation after every operation; the whole table (both iteration
 * flavours) at the end. Seed: TCE_SEED in the environment, printed on failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "tce_ref.h"
#include "tce_test.h"

#define OPS_PER_GEOMETRY 200000u
#define MAX_BATCH	 700u

static uint64_t seed;

#define CHECK_EQ(a, b, step)                                                                       \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                   \
		if (a_ != b_)                                                                      \
			fail_msg("%s:%d seed %" PRIu64 " step %" PRIu64 ": %s = 0x%" PRIx64        \
				 " but the model says 0x%" PRIx64,                                 \
				 __FILE__, __LINE__, seed, (uint64_t)(step), #a, a_, b_);          \
	} while (0)

struct geometry_case {
	unsigned int page_shift, entries_shift, levels;
	uint64_t max_level_size;
};

static const struct geometry_case cases[] = {
	{12, 12, 1, 0},	  /* one level */
	{16, 16, 2, 0},	  /* two levels of 256 */
	{24, 15, 0, 512}, /* auto: 3 levels of 64 entries */
	{21, 18, 4, 0},	  /* 4 levels (3 bits at the top) */
	{12, 16, 5, 0},	  /* 5 levels of 16 entries, top of one */
	{34, 14, 3, 0},	  /* 16G pages */
};

/* A value: 1/4 zero, some unmapped non-zero, otherwise page | perm with stray low bits. */
static uint64_t random_tce(uint64_t *rng, unsigned int page_shift)
{
	uint64_t r = dw_test_rand(rng);

	switch (r & 7) {
	case 0:
	case 1:
		return 0;
	case 2:
		return (r >> 8) & ~3ull;
	default:
		return ((r >> 3) << page_shift) | ((r >> 40) & 3) | (((r >> 45) & 1) << 2);
	}
}

/* Indexes cluster at both ends and around level boundaries, where bugs live. */
static uint64_t random_index(uint64_t *rng, uint64_t entries)
{
	uint64_t r = dw_test_rand(rng);

	switch (r & 3) {
	case 0:
		return (r >> 8) % DW_MIN(entries, 64);
	case 1:
		return entries - 1 - (r >> 8) % DW_MIN(entries, 64);
	default:
		return (r >> 8) % entries;
	}
}

static uint64_t random_count(uint64_t *rng, uint64_t index, uint64_t entries)
{
	uint64_t r = dw_test_rand(rng);
	uint64_t n = (r & 1) ? (r >> 8) % 8 : (r >> 8) % MAX_BATCH;

	/* 1 in 32 runs past the end to exercise -ERANGE */
	if (((r >> 4) & 31) == 0)
		return n + 1 + (entries - index);
	return DW_MIN(n, entries - index);
}

struct collect {
	const struct tce_ref *ref;
	uint64_t want;
	uint64_t next; /* where the model scan resumes */
	uint64_t visited;
};

static int compare_visit(uint64_t index, uint64_t tce, void *arg)
{
	struct collect *c = arg;
	uint64_t expect_index;

	if (tce_ref_next(c->ref, c->next, c->want, &expect_index))
		fail_msg("seed %" PRIu64 ": iteration visits 0x%" PRIx64 ", the model has no more",
			 seed, index);
	CHECK_EQ(index, expect_index, c->visited);
	CHECK_EQ(tce, c->ref->tce[index], c->visited);
	c->next = index + 1;
	c->visited++;
	return 0;
}

static void compare_iteration(const struct dmawin_tce_table *t, const struct tce_ref *ref,
			      unsigned int flags)
{
	struct collect c = {.ref = ref, .want = flags ? ~0ull : 3, .next = 0};
	uint64_t rest;

	assert_int_equal(dmawin_tce_for_each(t, 0, ref->entries, flags, compare_visit, &c), 0);
	assert_int_equal(tce_ref_next(ref, c.next, c.want, &rest), -ENOENT);
}

static void one_op(struct dmawin_tce_table *t, struct tce_ref *ref, uint64_t *rng, uint64_t step,
		   unsigned int page_shift, uint64_t *batch)
{
	const struct dmawin_tce_view *v = dmawin_tce_view(t);
	uint64_t r = dw_test_rand(rng), e = ref->entries;
	uint64_t index = random_index(rng, e), got, want, n, value;
	int rc, wrc;

	switch (r % 20) {
	case 0:
	case 1:
	case 2:
	case 3: /* get, through the API and the inline view */
		rc = dmawin_tce_get(t, index, &got);
		CHECK_EQ(rc, 0, step);
		CHECK_EQ(got, ref->tce[index], step);
		CHECK_EQ(dmawin_tce_view_get(v, index), ref->tce[index], step);
		break;
	case 4:
	case 5: { /* lookup of any byte in (or just past) the window */
		uint64_t offset = (index << page_shift) + ((r >> 8) & ((1ull << page_shift) - 1));
		uint64_t size = 0;

		if (((r >> 5) & 15) == 0)
			offset = (e << page_shift) + (r >> 40);
		rc = dmawin_tce_lookup(t, offset, &got, &size);
		wrc = tce_ref_get(ref, offset >> page_shift, &want);
		CHECK_EQ(rc, wrc, step);
		if (!rc) {
			CHECK_EQ(got, want, step);
			CHECK_EQ(size, 1ull << page_shift, step);
		}
		break;
	}
	case 6:
	case 7:
	case 8: /* put or xchg, sometimes out of range */
		value = random_tce(rng, page_shift);
		if (((r >> 5) & 31) == 0)
			index = e + (r >> 40);
		got = 0x5a5a;
		rc = dmawin_tce_xchg(t, index, value, (r & 32) ? &got : NULL);
		wrc = tce_ref_xchg(ref, index, value, &want);
		CHECK_EQ(rc, wrc, step);
		if (!rc && (r & 32))
			CHECK_EQ(got, want, step);
		break;
	case 9:
	case 10:
	case 11: /* stuff */
		n = random_count(rng, index, e);
		value = random_tce(rng, page_shift);
		rc = dmawin_tce_stuff(t, index, n, value);
		CHECK_EQ(rc, tce_ref_write(ref, index, n, NULL, value), step);
		break;
	case 12:
	case 13:
	case 14: /* put_array */
		n = random_count(rng, index, e);
		for (uint64_t i = 0; i < DW_MIN(n, MAX_BATCH); i++)
			batch[i] = random_tce(rng, page_shift);
		rc = dmawin_tce_put_array(t, index, batch, n);
		CHECK_EQ(rc, tce_ref_write(ref, index, n, batch, 0), step);
		break;
	case 15:
	case 16: /* clear, sometimes freeing levels (the test is single-threaded) */
		n = random_count(rng, index, e);
		rc = dmawin_tce_clear(t, index, n, (r & 64) ? DMAWIN_TCE_CLEAR_FREE_LEVELS : 0);
		CHECK_EQ(rc, tce_ref_write(ref, index, n, NULL, 0), step);
		break;
	default: { /* next, both flavours */
		unsigned int flags = (r & 32) ? DMAWIN_TCE_ITER_NONZERO : 0;
		uint64_t found = 0, tce = 0, wfound = 0;

		rc = dmawin_tce_next(t, index, flags, &found, &tce);
		wrc = tce_ref_next(ref, index, flags ? ~0ull : 3, &wfound);
		CHECK_EQ(rc, wrc, step);
		if (!rc) {
			CHECK_EQ(found, wfound, step);
			CHECK_EQ(tce, ref->tce[wfound], step);
		}
		break;
	}
	}
	CHECK_EQ(dmawin_tce_generation(t), ref->generation, step);
}

static void run_case(const struct geometry_case *c, uint64_t case_seed)
{
	struct dmawin_tce_geometry g = {.page_shift = c->page_shift,
					.entries = 1ull << c->entries_shift,
					.levels = c->levels,
					.max_level_size = c->max_level_size};
	static uint64_t batch[MAX_BATCH];
	struct dmawin_tce_table *t = NULL;
	struct tce_ref ref;
	uint64_t rng = case_seed | 1;

	assert_int_equal(dmawin_tce_create(&g, &t), 0);
	assert_int_equal(tce_ref_init(&ref, g.entries), 0);
	for (uint64_t step = 0; step < OPS_PER_GEOMETRY; step++) {
		one_op(t, &ref, &rng, step, c->page_shift, batch);
		if ((step & 4095) == 0 && tce_table_check(t) != 0)
			fail_msg("seed %" PRIu64 " step %" PRIu64 ": table invariant broken", seed,
				 step);
	}
	assert_int_equal(tce_table_check(t), 0);
	compare_iteration(t, &ref, 0);
	compare_iteration(t, &ref, DMAWIN_TCE_ITER_NONZERO);
	tce_ref_fini(&ref);
	dmawin_tce_destroy(t);
}

static void test_tce_diff_random_ops_match_flat_model(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], seed + 0x9e3779b97f4a7c15ull * (i + 1));
}

int main(void)
{
	const char *env = getenv("TCE_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tce_diff_random_ops_match_flat_model),
	};

	seed = env ? strtoull(env, NULL, 0) : 0x7ce5eed;
	printf("# test_tce_diff: seed %" PRIu64 " (set TCE_SEED to replay), %zu x %u operations\n",
	       seed, sizeof(cases) / sizeof(cases[0]), OPS_PER_GEOMETRY);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
