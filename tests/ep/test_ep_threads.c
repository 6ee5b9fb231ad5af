/* SPDX-License-Identifier: MIT */
/*
 * Host-side writes from two threads through one ATU entry while a driver thread maps and unmaps
 * pages of another exposure: every write to the stable buffers lands, and accesses to the churning
 * pages either land or fault, never corrupt anything else.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "dmawin/ep.h"

#define MIB	 (UINT64_C(1) << 20)
#define BAR_ADDR UINT64_C(0xe0000000)
#define BAR_SIZE (4 * MIB)
#define PG	 UINT64_C(4096)
#define NPAGES	 64
#define ROUNDS	 2000

static struct dmawin_ep *ep;
static struct dmawin_mem *mem;
static uint64_t churn_iova;
static atomic_int errors, stop;

struct writer {
	unsigned id; /* 0 or 1: even or odd pages */
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t page = (uint64_t)((r * 2 + (int)w->id) % NPAGES);
		uint32_t v = (uint32_t)(r << 8 | page);
		if (dmawin_ep_pcie_write(ep, BAR_ADDR + page * PG, &v, sizeof(v)))
			atomic_fetch_add(&errors, 1);
		/* The churning window: success or an IOMMU fault, nothing else. */
		int rc = dmawin_ep_pcie_write(ep, BAR_ADDR + 2 * MIB + (page % 8) * PG, &v,
					      sizeof(v));
		if (rc && rc != -EFAULT)
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

static void *driver_main(void *arg)
{
	(void)arg;
	struct dmawin_iova_space *s = dmawin_ep_iova(ep);
	for (int r = 0; !atomic_load(&stop); r++) {
		uint64_t at = churn_iova + (uint64_t)(r % 8) * PG;
		if (dmawin_iova_map(s, at, 32 * MIB + (uint64_t)(r % 8) * PG, PG,
				    DMAWIN_IOVA_WRITE) ||
		    dmawin_iova_unmap(s, at, PG, NULL))
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

static void test_ep_threads_writes_land_while_driver_remaps(void **st)
{
	(void)st;
	assert_int_equal(dmawin_mem_create(NULL, &mem), 0);
	assert_int_equal(dmawin_mem_add_region(mem, 0, 64 * MIB, NULL), 0);
	struct dmawin_ep_config c = {.bar_addr = BAR_ADDR,
				     .bar_size = BAR_SIZE,
				     .iova_start = 0,
				     .iova_size = UINT64_C(1) << 32};
	assert_int_equal(dmawin_ep_create(&c, mem, &ep), 0);
	struct dmawin_iova_sg sg[NPAGES];
	for (int k = 0; k < NPAGES; k++)
		sg[k] = (struct dmawin_iova_sg){(uint64_t)(NPAGES - k) * 2 * PG, PG};
	struct dmawin_ep_exposure x;
	assert_int_equal(dmawin_ep_expose(ep, 0, DMAWIN_EP_ATU_BAR, 0, sg, NPAGES,
					  DMAWIN_IOVA_WRITE | DMAWIN_IOVA_READ, &x),
			 0);
	assert_int_equal(dmawin_iova_alloc(dmawin_ep_iova(ep), 8 * PG, 0, DMAWIN_IOVA_LAST_ANY, 0,
					   &churn_iova),
			 0);
	struct dmawin_ep_atu_entry e = {DMAWIN_EP_ATU_ADDR, BAR_ADDR + 2 * MIB, 8 * PG, churn_iova};
	assert_int_equal(dmawin_ep_atu_set(ep, 1, &e), 0);

	pthread_t th[3];
	struct writer w[2] = {{0}, {1}};
	assert_int_equal(pthread_create(&th[2], NULL, driver_main, NULL), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	atomic_store(&stop, 1);
	assert_int_equal(pthread_join(th[2], NULL), 0);
	assert_int_equal(atomic_load(&errors), 0);
	/* The last value each page received is the one its writer wrote last. */
	for (uint64_t page = 0; page < NPAGES; page++) {
		uint32_t v = 0;
		assert_int_equal(dmawin_mem_read(mem, (NPAGES - page) * 2 * PG, &v, sizeof(v)), 0);
		assert_int_equal(v & 0xff, page);
	}
	dmawin_ep_destroy(ep);
	dmawin_mem_destroy(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ep_threads_writes_land_while_driver_remaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
