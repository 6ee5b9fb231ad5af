/* SPDX-License-Identifier: MIT */
/* Guest-physical access: translate, copy in/out across regions, holes, overflow. */
#include <errno.h>
#include <string.h>

#include "dmawin/mem.h"
#include "dw_test.h"

/* Two adjacent regions [0, 1 MiB) and [1 MiB, 2 MiB), a hole, then [4 MiB, 5 MiB). */
static int setup(void **state)
{
	struct dmawin_mem *mem;

	if (dmawin_mem_create(NULL, &mem) || dmawin_mem_add_region(mem, 0, 1 * MiB, NULL) ||
	    dmawin_mem_add_region(mem, 1 * MiB, 1 * MiB, NULL) ||
	    dmawin_mem_add_region(mem, 4 * MiB, 1 * MiB, NULL))
		return -1;
	*state = mem;
	return 0;
}

static int teardown(void **state)
{
	dmawin_mem_destroy(*state);
	return 0;
}

static void test_translate_inside_region(void **state)
{
	struct dmawin_mem *mem = *state;
	void *a = NULL, *b = NULL;

	assert_int_equal(dmawin_mem_translate(mem, 0, 1 * MiB, &a), 0);
	assert_int_equal(dmawin_mem_translate(mem, 4096, 16, &b), 0);
	assert_ptr_equal((char *)a + 4096, b);
	assert_int_equal(dmawin_mem_translate(mem, 1 * MiB - 1, 1, &b), 0);
	assert_int_equal(dmawin_mem_translate(mem, 5 * MiB - 1, 0, &b), 0);
}

static void test_translate_crossing_region_end_faults(void **state)
{
	struct dmawin_mem *mem = *state;
	void *p = (void *)1;

	assert_int_equal(dmawin_mem_translate(mem, 1 * MiB - 8, 16, &p), -EFAULT);
	assert_ptr_equal(p, (void *)1); /* untouched on failure */
	assert_int_equal(dmawin_mem_translate(mem, 2 * MiB, 1, &p), -EFAULT);
	assert_int_equal(dmawin_mem_translate(mem, 5 * MiB, 0, &p), -EFAULT);
	assert_int_equal(dmawin_mem_translate(mem, UINT64_MAX, 1, &p), -EFAULT);
}

static void test_copy_across_adjacent_regions(void **state)
{
	struct dmawin_mem *mem = *state;
	uint8_t in[8192], out[8192];
	void *lo, *hi;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(dmawin_mem_write(mem, 1 * MiB - 4096, in, sizeof(in)), 0);
	memset(out, 0, sizeof(out));
	assert_int_equal(dmawin_mem_read(mem, 1 * MiB - 4096, out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	/* the bytes really are in the two regions' memory */
	dmawin_mem_translate(mem, 1 * MiB - 4096, 4096, &lo);
	dmawin_mem_translate(mem, 1 * MiB, 4096, &hi);
	assert_memory_equal(lo, in, 4096);
	assert_memory_equal(hi, in + 4096, 4096);
}

static void test_copy_into_hole_faults_and_moves_nothing(void **state)
{
	struct dmawin_mem *mem = *state;
	uint8_t in[64], out[64], zero[64] = {0};

	memset(in, 0xab, sizeof(in));
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(dmawin_mem_write(mem, 2 * MiB - 32, in, sizeof(in)), -EFAULT);
	/* the first 32 bytes were RAM: they must not have been written */
	assert_int_equal(dmawin_mem_read(mem, 2 * MiB - 32, out, 32), 0);
	assert_memory_equal(out, zero, 32);
	memset(out, 0x5a, sizeof(out));
	assert_int_equal(dmawin_mem_read(mem, 4 * MiB - 32, out, sizeof(out)), -EFAULT);
	assert_int_equal(out[0], 0x5a);
	assert_int_equal(dmawin_mem_read(mem, UINT64_MAX - 8, out, 16), -EFAULT);
	assert_int_equal(dmawin_mem_write(mem, 0, in, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_translate_inside_region, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_crossing_region_end_faults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_across_adjacent_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_into_hole_faults_and_moves_nothing, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
