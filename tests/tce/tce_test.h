/* SPDX-License-Identifier: MIT */
/* Helpers shared by the tce tests. */
#ifndef DMAWIN_TESTS_TCE_TEST_H
#define DMAWIN_TESTS_TCE_TEST_H

#include "dw_test.h"

#include "dmawin/tce.h"
#include "tce/tce_int.h"

/* A table of 2^entries_shift entries of 2^page_shift bytes with @levels levels (0 = auto). */
static inline struct dmawin_tce_table *
tce_test_table(unsigned int page_shift, unsigned int entries_shift, unsigned int levels)
{
	struct dmawin_tce_geometry g = {
		.page_shift = page_shift,
		.entries = 1ull << entries_shift,
		.levels = levels,
	};
	struct dmawin_tce_table *t = NULL;

	assert_int_equal(dmawin_tce_create(&g, &t), 0);
	assert_non_null(t);
	assert_int_equal(tce_table_check(t), 0);
	return t;
}

static inline uint64_t tce_test_get(const struct dmawin_tce_table *t, uint64_t index)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(dmawin_tce_get(t, index, &v), 0);
	return v;
}

static inline struct dmawin_tce_footprint tce_test_fp(const struct dmawin_tce_table *t)
{
	struct dmawin_tce_footprint fp;

	assert_int_equal(dmawin_tce_footprint(t, &fp), 0);
	return fp;
}

#endif
