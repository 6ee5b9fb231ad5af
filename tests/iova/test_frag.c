/* SPDX-License-Identifier: MIT */
/*
 * Fragmentation: fill the whole 32-bit space with random sizes, free a random half, keep
 * allocating. Every answer is checked against the gaps read back from the space (an allocation
 * fails only if no gap can hold it), and the invariant checker runs at every checkpoint.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dmawin/iova.h"
#include "iova/iova_int.h"

#define G	UINT64_C(0x1000)
#define MAXLIVE (1 << 20)

static uint64_t rs = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

struct gapscan {
	uint64_t next; /* end of the previous area */
	uint64_t size; /* pages wanted, naturally aligned */
	uint64_t best; /* highest fitting start (bytes) + 1, 0 = none */
	uint64_t largest;
};

static void gap_fit(struct gapscan *g, uint64_t lo, uint64_t end)
{
	uint64_t sz = g->size * G, al = 1;
	while (al < g->size)
		al <<= 1;
	al *= G;
	if (end - lo > g->largest)
		g->largest = end - lo;
	if (end - lo >= sz) {
		uint64_t x = (end - sz) & ~(al - 1);
		if (x >= lo && x + 1 > g->best)
			g->best = x + 1;
	}
}

static int gap_cb(void *ctx, const struct dmawin_iova_area *a)
{
	struct gapscan *g = ctx;
	if (a->start > g->next)
		gap_fit(g, g->next, a->start);
	g->next = a->start + a->len;
	return 0;
}

/* Highest naturally aligned fit of @size pages below 4 GiB, by a linear walk of the areas. */
static uint64_t expected_fit(struct dmawin_iova_space *s, uint64_t size, uint64_t *largest)
{
	struct gapscan g = {.next = 0, .size = size};
	dmawin_iova_for_each_area(s, gap_cb, &g);
	if (g.next < (UINT64_C(1) << 32))
		gap_fit(&g, g.next, UINT64_C(1) << 32);
	*largest = g.largest;
	return g.best;
}

static void check(struct dmawin_iova_space *s)
{
	const char *why = NULL;
	if (dw_iova_check(s, &why))
		fail_msg("invariant: %s", why);
}

static void test_frag_32bit_full_then_half_free_answers_exact(void **st)
{
	(void)st;
	static uint64_t live[MAXLIVE];
	size_t nlive = 0;
	struct dmawin_iova_config cfg = {
		.granule_shift = 12, .start = 0, .last = DMAWIN_IOVA_LAST_32BIT};
	struct dmawin_iova_space *s;
	uint64_t a, largest;
	assert_int_equal(dmawin_iova_create(&cfg, &s), 0);
	while (nlive < MAXLIVE &&
	       !dmawin_iova_alloc(s, (1 + rnd() % 16) * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &a))
		live[nlive++] = a;
	while (nlive < MAXLIVE && !dmawin_iova_alloc(s, G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &a))
		live[nlive++] = a;
	struct dmawin_iova_stats stats;
	dmawin_iova_get_stats(s, &stats);
	assert_true(stats.free_bytes == 0 && stats.allocated_ranges == nlive);
	check(s);
	for (size_t i = nlive / 2; i > 0; i--) {
		size_t k = (size_t)(rnd() % nlive);
		assert_int_equal(dmawin_iova_free(s, live[k], 0), 0);
		live[k] = live[--nlive];
	}
	check(s);
	for (int op = 0; op < 2000; op++) {
		size_t k = (size_t)(rnd() % nlive);
		assert_int_equal(dmawin_iova_free(s, live[k], 0), 0);
		uint64_t sz = 1 + rnd() % 16;
		bool verify = op % 100 == 0;
		uint64_t want = verify ? expected_fit(s, sz, &largest) : 0;
		int rc = dmawin_iova_alloc(s, sz * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &a);
		if (verify) {
			assert_int_equal(rc, want ? 0 : -ENOSPC);
			if (!rc)
				assert_true(a == want - 1);
			dmawin_iova_get_stats(s, &stats);
			assert_true(stats.largest_free <= largest); /* after the allocation */
			check(s);
		}
		if (!rc)
			live[k] = a;
		else
			live[k] = live[--nlive];
		assert_int_equal(dmawin_iova_alloc(s, 2048 * G, 0, DMAWIN_IOVA_LAST_32BIT, 0, &a),
				 -ENOSPC);
	}
	check(s);
	dmawin_iova_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frag_32bit_full_then_half_free_answers_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
