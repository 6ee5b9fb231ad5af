/* SPDX-License-Identifier: MIT */
/*
 * Threads on one space: fast and locked allocations and frees, reservations and mappings at the
 * same time. Each live range claims its pages in a shared ownership array with atomic exchanges,
 * so two threads ever holding the same page is caught as it happens.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dmawin/iova.h"
#include "iova/iova_int.h"

#define G	 UINT64_C(0x1000)
#define PAGES	 8192
#define NTHREADS 4
#define OPS	 20000
#define LIVE	 64

static struct dmawin_iova_space *sp;
static _Atomic unsigned owner[PAGES];
static _Atomic int errors;

struct worker {
	unsigned id;
	uint64_t rs;
};

static uint64_t rnd(struct worker *w)
{
	w->rs ^= w->rs << 13;
	w->rs ^= w->rs >> 7;
	w->rs ^= w->rs << 17;
	return w->rs;
}

static void claim(unsigned id, uint64_t iova, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++)
		if (atomic_exchange(&owner[iova / G + p], id) != 0)
			atomic_fetch_add(&errors, 1);
}

static void release(unsigned id, uint64_t iova, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++)
		if (atomic_exchange(&owner[iova / G + p], 0) != id)
			atomic_fetch_add(&errors, 1);
}

struct live {
	uint64_t iova, pages, size;
	bool fast;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct live l[LIVE] = {0};
	for (int op = 0; op < OPS; op++) {
		struct live *x = &l[rnd(w) % LIVE];
		if (x->pages) {
			release(w->id, x->iova, x->pages);
			int rc = x->fast ? dmawin_iova_free_fast(sp, x->iova, x->size)
					 : dmawin_iova_free(sp, x->iova, DMAWIN_IOVA_FORCE);
			if (rc)
				atomic_fetch_add(&errors, 1);
			x->pages = 0;
			continue;
		}
		x->fast = rnd(w) % 4 != 0;
		x->size = (1 + rnd(w) % (x->fast ? 80 : 16)) * G;
		int rc = x->fast ? dmawin_iova_alloc_fast(sp, x->size, DMAWIN_IOVA_LAST_ANY,
							  &x->iova)
				 : dmawin_iova_alloc(sp, x->size, 0, DMAWIN_IOVA_LAST_ANY, 0,
						     &x->iova);
		if (rc == -ENOSPC)
			continue;
		if (rc) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		struct dmawin_iova_area a;
		if (dmawin_iova_find(sp, x->iova, &a) || a.start != x->iova)
			atomic_fetch_add(&errors, 1);
		x->pages = a.len / G;
		claim(w->id, x->iova, x->pages);
		if (!x->fast && dmawin_iova_map(sp, x->iova, 0x100000, G, DMAWIN_IOVA_READ))
			atomic_fetch_add(&errors, 1);
	}
	for (int i = 0; i < LIVE; i++) {
		if (!l[i].pages)
			continue;
		release(w->id, l[i].iova, l[i].pages);
		if (l[i].fast ? dmawin_iova_free_fast(sp, l[i].iova, l[i].size)
			      : dmawin_iova_free(sp, l[i].iova, DMAWIN_IOVA_FORCE))
			atomic_fetch_add(&errors, 1);
	}
	dmawin_iova_cache_flush(sp);
	return NULL;
}

static void test_threads_alloc_free_never_share_a_page(void **st)
{
	(void)st;
	struct dmawin_iova_config cfg = {.granule_shift = 12, .start = 0, .last = PAGES * G - 1};
	assert_int_equal(dmawin_iova_create(&cfg, &sp), 0);
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (unsigned i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.id = i + 1, .rs = 0x9e3779b97f4a7c15ULL * (i + 1)};
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	/* Meanwhile: reservations come and go, and the invariants hold at every moment. */
	for (int i = 0; i < 200; i++) {
		uint64_t at = (uint64_t)(i % 50) * 64 * G;
		if (!dmawin_iova_reserve(sp, at, G))
			assert_int_equal(dmawin_iova_unreserve(sp, at, G), 0);
		const char *why = NULL;
		if (dw_iova_check(sp, &why))
			fail_msg("invariant: %s", why);
	}
	for (unsigned i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(atomic_load(&errors), 0);
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(sp, &stats);
	assert_true(stats.allocated_ranges == 0 && stats.mappings == 0);
	const char *why = NULL;
	assert_int_equal(dw_iova_check(sp, &why), 0);
	dmawin_iova_destroy(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_alloc_free_never_share_a_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
