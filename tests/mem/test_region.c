/* SPDX-License-Identifier: MIT */
/* Guest RAM regions: creation, overlaps, alignment, backings, sparse huge guests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dmawin/mem.h"
#include "dw_test.h"

static struct dmawin_mem *new_mem(enum dmawin_mem_backing backing)
{
	struct dmawin_mem_config cfg = {.backing = backing};
	struct dmawin_mem *mem = NULL;

	assert_int_equal(dmawin_mem_create(&cfg, &mem), 0);
	return mem;
}

static void test_region_add_sorted_and_described(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);
	struct dmawin_mem_region_info info;

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 4 * GiB, 1 * GiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 2 * GiB, NULL), 0);
	assert_int_equal(dmawin_mem_region_count(mem), 2);
	assert_int_equal(dmawin_mem_region_info(mem, 0, &info), 0);
	assert_int_equal(info.gpa, 0);
	assert_int_equal(info.size, 2 * GiB);
	assert_non_null(info.host);
	assert_int_equal(info.page_size, 4 * KiB);
	assert_false(info.external);
	assert_int_equal(dmawin_mem_region_info(mem, 1, &info), 0);
	assert_int_equal(info.gpa, 4 * GiB);
	assert_int_equal(dmawin_mem_region_info(mem, 2, &info), -ENOENT);
	assert_int_equal(dmawin_mem_top(mem), 5 * GiB);
	assert_int_equal(dmawin_mem_total(mem), 3 * GiB);
	dmawin_mem_destroy(mem);
}

static void test_region_overlap_rejected_with_eexist(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 1 * GiB, 1 * GiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 1 * GiB, 4 * KiB, NULL), -EEXIST);
	assert_int_equal(dmawin_mem_add_region(mem, 2 * GiB - 4 * KiB, 8 * KiB, NULL), -EEXIST);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 2 * GiB, NULL), -EEXIST);
	/* touching is not overlapping */
	assert_int_equal(dmawin_mem_add_region(mem, 2 * GiB, 4 * KiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 1 * GiB - 4 * KiB, 4 * KiB, NULL), 0);
	assert_int_equal(dmawin_mem_region_count(mem), 3);
	dmawin_mem_destroy(mem);
}

static void test_region_bad_geometry_rejected_with_einval(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);
	struct dmawin_mem_region_opts odd = {.page_size = 12288};
	struct dmawin_mem_region_opts huge = {.page_size = 16 * MiB};

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 0, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_add_region(mem, 100, 4 * KiB, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 4 * KiB + 1, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_add_region(mem, UINT64_MAX - 4095, 8 * KiB, NULL), -EINVAL);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 12288, &odd), -EINVAL);
	assert_int_equal(dmawin_mem_add_region(mem, 4 * MiB, 16 * MiB, &huge), -EINVAL);
	assert_int_equal(dmawin_mem_region_count(mem), 0);
	assert_int_equal(dmawin_mem_add_region(NULL, 0, 4 * KiB, NULL), -EINVAL);
	dmawin_mem_destroy(mem);
}

static void test_region_declared_page_size_reported(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);
	struct dmawin_mem_region_opts huge = {.page_size = 16 * MiB};
	uint64_t ps = 0;

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 0, 64 * MiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 64 * MiB, 64 * MiB, &huge), 0);
	assert_int_equal(dmawin_mem_page_size(mem, 64 * MiB, 64 * MiB, &ps), 0);
	assert_int_equal(ps, 16 * MiB);
	/* a range over both regions reports the smaller page */
	assert_int_equal(dmawin_mem_page_size(mem, 60 * MiB, 8 * MiB, &ps), 0);
	assert_int_equal(ps, 4 * KiB);
	assert_int_equal(dmawin_mem_page_size(mem, 0, 0, &ps), -EINVAL);
	assert_int_equal(dmawin_mem_page_size(mem, 120 * MiB, 16 * MiB, &ps), -EFAULT);
	dmawin_mem_destroy(mem);
}

static void test_region_sparse_1tib_costs_nothing(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);
	struct rusage before, after;
	uint64_t value = 0x1122334455667788ull, back = 0;

	(void)state;
	getrusage(RUSAGE_SELF, &before);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 1 * TiB, NULL), 0);
	assert_int_equal(dmawin_mem_write(mem, 1 * TiB - 8, &value, 8), 0);
	assert_int_equal(dmawin_mem_read(mem, 1 * TiB - 8, &back, 8), 0);
	getrusage(RUSAGE_SELF, &after);
	assert_int_equal(back, value);
	/* maximum RSS grows by far less than the guest: only the touched page is resident */
	assert_true(after.ru_maxrss - before.ru_maxrss < 64 * 1024); /* KiB */
	dmawin_mem_destroy(mem);
}

static void test_region_memfd_backing_works(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_MEMFD);
	struct dmawin_mem_region_info info;
	char out[6] = {0};

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 0, 256 * GiB, NULL), 0);
	assert_int_equal(dmawin_mem_write(mem, 128 * GiB, "hello", 6), 0);
	assert_int_equal(dmawin_mem_read(mem, 128 * GiB, out, 6), 0);
	assert_string_equal(out, "hello");
	assert_int_equal(dmawin_mem_region_info(mem, 0, &info), 0);
	assert_int_equal(info.backing, DMAWIN_MEM_MEMFD);
	dmawin_mem_destroy(mem);
}

static void test_region_hugepages_fall_back_cleanly(void **state)
{
	struct dmawin_mem_config cfg = {.backing = DMAWIN_MEM_MEMFD, .hugepages = true};
	struct dmawin_mem_region_info info;
	struct dmawin_mem *mem;
	uint32_t v = 7, back = 0;

	(void)state;
	assert_int_equal(dmawin_mem_create(&cfg, &mem), 0);
	/* 4 KiB-aligned but not huge-page-aligned: hugetlb is impossible, so it must fall back */
	assert_int_equal(dmawin_mem_add_region(mem, 4 * KiB, 12 * KiB, NULL), 0);
	assert_int_equal(dmawin_mem_region_info(mem, 0, &info), 0);
	assert_true(info.hugepage_fallback);
	assert_int_equal(info.page_size, 4 * KiB);
	assert_int_equal(dmawin_mem_write(mem, 8 * KiB, &v, 4), 0);
	assert_int_equal(dmawin_mem_read(mem, 8 * KiB, &back, 4), 0);
	assert_int_equal(back, 7);
	dmawin_mem_destroy(mem);
}

static void test_region_external_memory_used_in_place(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);
	uint8_t *own = calloc(1, 64 * KiB);
	struct dmawin_mem_region_opts opts = {.host = own};
	struct dmawin_mem_region_info info;

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 1 * MiB, 64 * KiB, &opts), 0);
	assert_int_equal(dmawin_mem_write(mem, 1 * MiB + 10, "x", 1), 0);
	assert_int_equal(own[10], 'x');
	assert_int_equal(dmawin_mem_region_info(mem, 0, &info), 0);
	assert_true(info.external);
	assert_ptr_equal(info.host, own);
	dmawin_mem_destroy(mem);
	assert_int_equal(own[10], 'x'); /* still ours, not unmapped */
	free(own);
}

static void test_region_remove(void **state)
{
	struct dmawin_mem *mem = new_mem(DMAWIN_MEM_ANON);

	(void)state;
	assert_int_equal(dmawin_mem_add_region(mem, 0, 1 * MiB, NULL), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 1 * MiB, 1 * MiB, NULL), 0);
	assert_int_equal(dmawin_mem_remove_region(mem, 4 * KiB), -ENOENT);
	assert_int_equal(dmawin_mem_pin(mem, 1 * MiB, 4 * KiB), 0);
	assert_int_equal(dmawin_mem_remove_region(mem, 1 * MiB), -EBUSY);
	assert_int_equal(dmawin_mem_region_count(mem), 2);
	assert_int_equal(dmawin_mem_unpin(mem, 1 * MiB, 4 * KiB), 0);
	assert_int_equal(dmawin_mem_remove_region(mem, 1 * MiB), 0);
	assert_int_equal(dmawin_mem_region_count(mem), 1);
	assert_int_equal(dmawin_mem_translate(mem, 1 * MiB, 1, NULL), -EFAULT);
	assert_int_equal(dmawin_mem_top(mem), 1 * MiB);
	dmawin_mem_destroy(mem);
}

static void test_region_create_bad_config(void **state)
{
	struct dmawin_mem_config cfg = {.backing = (enum dmawin_mem_backing)7};
	struct dmawin_mem *mem = NULL;

	(void)state;
	assert_int_equal(dmawin_mem_create(&cfg, &mem), -EINVAL);
	assert_null(mem);
	assert_int_equal(dmawin_mem_create(NULL, NULL), -EINVAL);
	dmawin_mem_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_add_sorted_and_described),
		cmocka_unit_test(test_region_overlap_rejected_with_eexist),
		cmocka_unit_test(test_region_bad_geometry_rejected_with_einval),
		cmocka_unit_test(test_region_declared_page_size_reported),
		cmocka_unit_test(test_region_sparse_1tib_costs_nothing),
		cmocka_unit_test(test_region_memfd_backing_works),
		cmocka_unit_test(test_region_hugepages_fall_back_cleanly),
		cmocka_unit_test(test_region_external_memory_used_in_place),
		cmocka_unit_test(test_region_remove),
		cmocka_unit_test(test_region_create_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
