/* SPDX-License-Identifier: MIT */
/* cmocka glue shared by the tests. */
#ifndef DMAWIN_TEST_H
#define DMAWIN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define TiB (UINT64_C(1) << 40)

/* xorshift64: small, seeded, the same stream as the benchmark peers use. */
static inline uint64_t dw_test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/*
 * A differential test's check: the library's and the model's answers must agree; a mismatch
 * names the seed and the step, so that DMAWIN_TEST_SEED replays it.
 */
#define DW_EXPECT_SAME(seed, step, what, lib, model)                                               \
	do {                                                                                       \
		long long lib_ = (long long)(lib), model_ = (long long)(model);                    \
		if (lib_ != model_)                                                                \
			fail_msg("seed %llu step %llu: %s: library %lld, model %lld",              \
				 (unsigned long long)(seed), (unsigned long long)(step), (what),   \
				 lib_, model_);                                                    \
	} while (0)

#endif
