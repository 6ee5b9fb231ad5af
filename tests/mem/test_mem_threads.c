/* SPDX-License-Identifier: MIT */
/* Readers copy from guest RAM while a writer adds regions: lock-free reads stay correct. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "dmawin/mem.h"
#include "dw_test.h"

static struct dmawin_mem *shared_mem;
static atomic_bool stop;

static void *reader(void *arg)
{
	uint64_t v = 0;
	long bad = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (dmawin_mem_read(shared_mem, 0, &v, sizeof(v)) || v != 0x0123456789abcdefull)
			bad++;
		dmawin_mem_translate(shared_mem, 64 * MiB, 8, NULL); /* may or may not exist yet */
	}
	return (void *)bad;
}

static void test_reads_concurrent_with_region_adds(void **state)
{
	pthread_t t[2];
	uint64_t v = 0x0123456789abcdefull;
	void *bad;

	(void)state;
	assert_int_equal(dmawin_mem_create(NULL, &shared_mem), 0);
	assert_int_equal(dmawin_mem_add_region(shared_mem, 0, 1 * MiB, NULL), 0);
	assert_int_equal(dmawin_mem_write(shared_mem, 0, &v, sizeof(v)), 0);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (uint64_t i = 1; i <= 100; i++) {
		assert_int_equal(dmawin_mem_add_region(shared_mem, i * 2 * MiB, 1 * MiB, NULL), 0);
		assert_int_equal(dmawin_mem_pin(shared_mem, i * 2 * MiB, 4 * KiB), 0);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], &bad);
		assert_null(bad);
	}
	assert_int_equal(dmawin_mem_region_count(shared_mem), 101);
	assert_int_equal(dmawin_mem_locked_bytes(shared_mem), 100 * 4 * KiB);
	dmawin_mem_destroy(shared_mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_concurrent_with_region_adds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
