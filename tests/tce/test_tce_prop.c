/* SPDX-License-Identifier: MIT */
/*
 * Property test: random operation sequences on small tables of 1..5 levels, with the whole-table
 * invariant checker after every step and the exact set of allocated levels predicted by a model
 * (a level exists iff a non-zero value was written below it and no FREE_LEVELS clear covered its
 * whole span since). Seed: TCE_SEED, printed on failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tce_test.h"

#define STEPS	      20000u
#define ENTRIES_SHIFT 12
#define ENTRIES	      (1u << ENTRIES_SHIFT)

static uint64_t seed;

/* present[d][p]: the level d levels above the leaves covering prefix p exists (d < levels-1). */
struct level_model {
	unsigned int levels, bits;
	bool present[DMAWIN_TCE_MAX_LEVELS][ENTRIES];
};

static uint64_t span_shift(const struct level_model *m, unsigned int d)
{
	return (uint64_t)(d + 1) * m->bits;
}

static void model_write(struct level_model *m, uint64_t index)
{
	for (unsigned int d = 0; d + 1 < m->levels; d++)
		m->present[d][index >> span_shift(m, d)] = true;
}

static void model_free_inside(struct level_model *m, uint64_t first, uint64_t last)
{
	for (unsigned int d = 0; d + 1 < m->levels; d++) {
		uint64_t s = span_shift(m, d);

		for (uint64_t p = 0; p < ENTRIES; p++) {
			uint64_t lo = p << s, hi = lo + ((1ull << s) - 1);

			if (m->present[d][p] && lo >= first && hi <= last)
				m->present[d][p] = false;
		}
	}
}

static uint64_t model_levels(const struct level_model *m)
{
	uint64_t n = 1;

	for (unsigned int d = 0; d + 1 < m->levels; d++)
		for (uint64_t p = 0; p < ENTRIES; p++)
			n += m->present[d][p];
	return n;
}

static void step_once(struct dmawin_tce_table *t, struct level_model *m, uint64_t *rng)
{
	uint64_t r = dw_test_rand(rng);
	uint64_t index = (r >> 8) % ENTRIES;
	uint64_t n = DW_MIN((r >> 24) % 300, ENTRIES - index);
	uint64_t value = (r & 4) ? 0 : ((r >> 32) << 12) | 3;
	uint64_t batch[300] = {0};

	switch (r & 3) {
	case 0:
		assert_int_equal(dmawin_tce_put(t, index, value), 0);
		if (value)
			model_write(m, index);
		break;
	case 1:
		assert_int_equal(dmawin_tce_stuff(t, index, n, value), 0);
		for (uint64_t i = 0; value && i < n; i++)
			model_write(m, index + i);
		break;
	case 2:
		for (uint64_t i = 0; i < n; i++)
			batch[i] = ((r >> (i % 60)) & 1) ? value : 0;
		assert_int_equal(dmawin_tce_put_array(t, index, batch, n), 0);
		for (uint64_t i = 0; i < n; i++)
			if (batch[i])
				model_write(m, index + i);
		break;
	default:
		assert_int_equal(
			dmawin_tce_clear(t, index, n, (r & 8) ? DMAWIN_TCE_CLEAR_FREE_LEVELS : 0),
			0);
		if ((r & 8) && n)
			model_free_inside(m, index, index + n - 1);
		break;
	}
}

static void run_levels(unsigned int levels)
{
	struct dmawin_tce_table *t = tce_test_table(12, ENTRIES_SHIFT, levels);
	struct level_model *m = calloc(1, sizeof(*m));
	struct dmawin_tce_info info;
	uint64_t rng = (seed ^ (0x51edull * levels)) | 1;

	assert_non_null(m);
	assert_int_equal(dmawin_tce_info(t, &info), 0);
	m->levels = levels;
	m->bits = info.level_bits;
	for (uint64_t s = 0; s < STEPS; s++) {
		struct dmawin_tce_footprint fp;

		step_once(t, m, &rng);
		fp = tce_test_fp(t);
		if (tce_table_check(t) != 0 || fp.levels_allocated != model_levels(m))
			fail_msg("seed %" PRIu64 " levels %u step %" PRIu64 ": check %d, %" PRIu64
				 " levels allocated, model %" PRIu64,
				 seed, levels, s, tce_table_check(t), fp.levels_allocated,
				 model_levels(m));
		assert_int_equal(fp.allocated, 8 * (info.top_entries + (fp.levels_allocated - 1) *
									       info.level_entries));
	}
	assert_int_equal(dmawin_tce_clear(t, 0, ENTRIES, DMAWIN_TCE_CLEAR_FREE_LEVELS), 0);
	assert_int_equal(tce_test_fp(t).levels_allocated, 1);
	assert_int_equal(tce_table_check(t), 0);
	free(m);
	dmawin_tce_destroy(t);
}

static void test_tce_prop_invariants_hold_every_step(void **state)
{
	(void)state;
	for (unsigned int levels = 1; levels <= DMAWIN_TCE_MAX_LEVELS; levels++)
		run_levels(levels);
}

int main(void)
{
	const char *env = getenv("TCE_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tce_prop_invariants_hold_every_step),
	};

	seed = env ? strtoull(env, NULL, 0) : 0x9e0be;
	printf("# test_tce_prop: seed %" PRIu64 " (set TCE_SEED to replay)\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
