/* SPDX-License-Identifier: MIT */
/* Locked-memory accounting: refcounted pins, the limit, charges, nothing half-pinned. */
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "dmawin/mem.h"
#include "dw_test.h"

static struct dmawin_mem *new_mem(uint64_t limit, bool do_mlock)
{
	struct dmawin_mem_config cfg = {.lock_limit = limit, .mlock = do_mlock};
	struct dmawin_mem *mem;

	assert_int_equal(dmawin_mem_create(&cfg, &mem), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 16 * MiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 32 * MiB, 16 * MiB, NULL), 0);
	return mem;
}

static void test_pin_counts_each_page_once(void **state)
{
	struct dmawin_mem *mem = new_mem(1 * MiB, false);

	(void)state;
	assert_int_equal(dmawin_mem_pin(mem, 0, 64 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 64 * KiB);
	assert_int_equal(dmawin_mem_pin(mem, 32 * KiB, 64 * KiB), 0); /* 32 KiB new */
	assert_int_equal(dmawin_mem_locked_bytes(mem), 96 * KiB);
	assert_int_equal(dmawin_mem_pin(mem, 0, 96 * KiB), 0); /* nothing new */
	assert_int_equal(dmawin_mem_locked_bytes(mem), 96 * KiB);
	assert_int_equal(dmawin_mem_unpin(mem, 0, 96 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 96 * KiB);
	assert_int_equal(dmawin_mem_unpin(mem, 0, 64 * KiB), 0); /* [0,32K) drops to 0 */
	assert_int_equal(dmawin_mem_locked_bytes(mem), 64 * KiB);
	assert_false(dmawin_mem_is_pinned(mem, 0, 32 * KiB));
	assert_true(dmawin_mem_is_pinned(mem, 32 * KiB, 64 * KiB));
	assert_int_equal(dmawin_mem_unpin(mem, 32 * KiB, 64 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 0);
	dmawin_mem_destroy(mem);
}

static void test_pin_rounds_to_pages(void **state)
{
	struct dmawin_mem *mem = new_mem(1 * MiB, false);

	(void)state;
	assert_int_equal(dmawin_mem_pin(mem, 4095, 2), 0); /* touches two pages */
	assert_int_equal(dmawin_mem_locked_bytes(mem), 8 * KiB);
	assert_int_equal(dmawin_mem_unpin(mem, 0, 8 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 0);
	dmawin_mem_destroy(mem);
}

static void test_pin_over_limit_pins_nothing(void **state)
{
	struct dmawin_mem *mem = new_mem(64 * KiB, false);

	(void)state;
	assert_int_equal(dmawin_mem_pin(mem, 0, 48 * KiB), 0);
	/* 16 KiB left; this range needs 32 KiB new (16 KiB overlap is free) */
	assert_int_equal(dmawin_mem_pin(mem, 32 * KiB, 48 * KiB), -ENOMEM);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 48 * KiB);
	assert_false(dmawin_mem_is_pinned(mem, 48 * KiB, 4 * KiB));
	/* exactly up to the limit is fine */
	assert_int_equal(dmawin_mem_pin(mem, 32 * KiB, 32 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 64 * KiB);
	assert_int_equal(dmawin_mem_lock_charge(mem, 1), -ENOMEM);
	dmawin_mem_destroy(mem);
}

static void test_pin_bad_ranges(void **state)
{
	struct dmawin_mem *mem = new_mem(1 * MiB, false);

	(void)state;
	assert_int_equal(dmawin_mem_pin(mem, 0, 0), -EINVAL);
	assert_int_equal(dmawin_mem_pin(mem, UINT64_MAX - 10, 100), -EINVAL);
	assert_int_equal(dmawin_mem_pin(mem, 16 * MiB - 4 * KiB, 8 * KiB), -EFAULT); /* hole */
	assert_int_equal(dmawin_mem_unpin(mem, 0, 4 * KiB), -EINVAL); /* not pinned */
	assert_int_equal(dmawin_mem_pin(mem, 0, 4 * KiB), 0);
	assert_int_equal(dmawin_mem_unpin(mem, 0, 8 * KiB), -EINVAL); /* partly pinned */
	assert_true(dmawin_mem_is_pinned(mem, 0, 4 * KiB));
	assert_int_equal(dmawin_mem_locked_bytes(mem), 4 * KiB);
	dmawin_mem_destroy(mem);
}

static void test_charge_and_limit_changes(void **state)
{
	struct dmawin_mem *mem = new_mem(1 * MiB, false);

	(void)state;
	assert_int_equal(dmawin_mem_lock_charge(mem, 512 * KiB), 0);
	assert_int_equal(dmawin_mem_pin(mem, 0, 512 * KiB), 0);
	assert_int_equal(dmawin_mem_locked_bytes(mem), 1 * MiB);
	assert_int_equal(dmawin_mem_pin(mem, 1 * MiB, 4 * KiB), -ENOMEM);
	assert_int_equal(dmawin_mem_set_lock_limit(mem, 512 * KiB), -EBUSY);
	assert_int_equal(dmawin_mem_lock_limit(mem), 1 * MiB);
	assert_int_equal(dmawin_mem_lock_uncharge(mem, 1 * MiB), -EINVAL);
	assert_int_equal(dmawin_mem_lock_uncharge(mem, 512 * KiB), 0);
	assert_int_equal(dmawin_mem_set_lock_limit(mem, 512 * KiB), 0);
	assert_int_equal(dmawin_mem_lock_charge(mem, UINT64_MAX), -ENOMEM);
	dmawin_mem_destroy(mem);
}

static void test_default_limit_is_rlimit_memlock(void **state)
{
	struct dmawin_mem *mem;
	struct rlimit rl;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	assert_int_equal(dmawin_mem_create(NULL, &mem), 0);
	if (rl.rlim_cur == RLIM_INFINITY)
		assert_int_equal(dmawin_mem_lock_limit(mem), UINT64_MAX);
	else
		assert_int_equal(dmawin_mem_lock_limit(mem), rl.rlim_cur);
	dmawin_mem_destroy(mem);
}

static void test_pin_really_mlocks(void **state)
{
	struct dmawin_mem *mem = new_mem(1 * MiB, true);
	struct rlimit rl;
	int ret;

	(void)state;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	ret = dmawin_mem_pin(mem, 0, 64 * KiB);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 64 * KiB) {
		/* the kernel refuses: the library says -ENOMEM and pins nothing */
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(dmawin_mem_locked_bytes(mem), 0);
	} else {
		assert_int_equal(ret, 0);
		assert_int_equal(dmawin_mem_unpin(mem, 0, 64 * KiB), 0);
	}
	dmawin_mem_destroy(mem);
}

/* Random pins/unpins against a per-page reference count array. */
static void test_pin_random_matches_reference(void **state)
{
	enum { PAGES = 512 };
	struct dmawin_mem *mem = new_mem(UINT64_MAX, false);
	static unsigned refs[PAGES];
	uint64_t seed = 12345, locked;

	(void)state;
	for (int step = 0; step < 20000; step++) {
		unsigned first = (unsigned)(dw_test_rand(&seed) % PAGES);
		unsigned n = 1 + (unsigned)(dw_test_rand(&seed) % 16);
		bool all_pinned = true;

		if (first + n > PAGES)
			n = PAGES - first;
		for (unsigned i = first; i < first + n; i++)
			all_pinned &= refs[i] > 0;
		if (dw_test_rand(&seed) % 2) {
			assert_int_equal(dmawin_mem_pin(mem, first * 4 * KiB, n * 4 * KiB), 0);
			for (unsigned i = first; i < first + n; i++)
				refs[i]++;
		} else {
			int ret = dmawin_mem_unpin(mem, first * 4 * KiB, n * 4 * KiB);

			assert_int_equal(ret, all_pinned ? 0 : -EINVAL);
			for (unsigned i = first; all_pinned && i < first + n; i++)
				refs[i]--;
		}
		locked = 0;
		for (unsigned i = 0; i < PAGES; i++)
			locked += refs[i] ? 4 * KiB : 0;
		if (dmawin_mem_locked_bytes(mem) != locked)
			fail_msg("step %d seed 12345: locked %llu, reference %llu", step,
				 (unsigned long long)dmawin_mem_locked_bytes(mem),
				 (unsigned long long)locked);
	}
	dmawin_mem_destroy(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_counts_each_page_once),
		cmocka_unit_test(test_pin_rounds_to_pages),
		cmocka_unit_test(test_pin_over_limit_pins_nothing),
		cmocka_unit_test(test_pin_bad_ranges),
		cmocka_unit_test(test_charge_and_limit_changes),
		cmocka_unit_test(test_default_limit_is_rlimit_memlock),
		cmocka_unit_test(test_pin_really_mlocks),
		cmocka_unit_test(test_pin_random_matches_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
