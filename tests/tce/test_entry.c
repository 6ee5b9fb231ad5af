/* SPDX-License-Identifier: MIT */
/* Entry helpers: page sizes, build, decode, format. */
#include <errno.h>
#include <string.h>

#include "tce_test.h"

static void test_entry_page_shift_valid_papr_sizes(void **state)
{
	(void)state;
	for (unsigned int s = 0; s < 70; s++) {
		bool want = s == 12 || s == 16 || s == 21 || (s >= 24 && s <= 28) || s == 34;

		assert_int_equal(dmawin_tce_page_shift_valid(s), want);
	}
}

static void test_entry_build_and_decode(void **state)
{
	uint64_t tce = 0;

	(void)state;
	assert_int_equal(dmawin_tce_build(0x631f000, DMAWIN_TCE_READ | DMAWIN_TCE_WRITE, 12, &tce),
			 0);
	assert_int_equal(tce, 0x631f003);
	assert_int_equal(dmawin_tce_addr(tce, 12), 0x631f000);
	assert_int_equal(dmawin_tce_perm(tce), 3);
	assert_true(dmawin_tce_mapped(tce));
	assert_int_equal(dmawin_tce_build(0x7f000000, DMAWIN_TCE_WRITE, 24, &tce), 0);
	assert_int_equal(tce, 0x7f000002);
	assert_int_equal(dmawin_tce_build(0, 0, 34, &tce), 0);
	assert_int_equal(tce, 0);
	assert_false(dmawin_tce_mapped(0x7000));
	assert_int_equal(dmawin_tce_addr(0x7f000003, 24), 0x7f000000);
	assert_int_equal(dmawin_tce_addr(0x87654321ull, 16), 0x87650000ull);
}

static void test_entry_build_bad_input_einval(void **state)
{
	uint64_t tce = 99;

	(void)state;
	assert_int_equal(dmawin_tce_build(0x1000, 3, 12, NULL), -EINVAL);
	assert_int_equal(dmawin_tce_build(0x1800, 3, 12, &tce), -EINVAL); /* misaligned */
	assert_int_equal(dmawin_tce_build(0x1000000, 3, 25, &tce), -EINVAL);
	assert_int_equal(dmawin_tce_build(0x1000, 4, 12, &tce), -EINVAL); /* unknown bit */
	assert_int_equal(dmawin_tce_build(0x1000, 3, 13, &tce), -EINVAL); /* page shift */
	assert_int_equal(tce, 99);
}

static void expect_format(uint64_t tce, unsigned int shift, const char *want)
{
	char buf[64];

	assert_int_equal(dmawin_tce_format(tce, shift, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_entry_format(void **state)
{
	char small[4];

	(void)state;
	expect_format(0x631f003, 12, "0x631f000 rw");
	expect_format(0x7f000001, 24, "0x7f000000 r-");
	expect_format(0x2002, 12, "0x2000 -w");
	expect_format(0, 12, "0 --");
	expect_format(0x631f007, 12, "0x631f000 rw low=0x4");
	expect_format(0x10000ff0, 16, "0x10000000 -- low=0xff0");
	assert_int_equal(dmawin_tce_format(0x631f003, 12, small, sizeof(small)), 12);
	assert_string_equal(small, "0x6");
	assert_int_equal(dmawin_tce_format(0x631f003, 12, NULL, 0), 12);
	assert_int_equal(dmawin_tce_format(0x631f003, 12, NULL, 5), -EINVAL);
	assert_int_equal(dmawin_tce_format(0x631f003, 0, small, sizeof(small)), -EINVAL);
	assert_int_equal(dmawin_tce_format(0x631f003, 64, small, sizeof(small)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_page_shift_valid_papr_sizes),
		cmocka_unit_test(test_entry_build_and_decode),
		cmocka_unit_test(test_entry_build_bad_input_einval),
		cmocka_unit_test(test_entry_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
