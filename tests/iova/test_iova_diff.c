/* SPDX-License-Identifier: MIT */
/*
 * Differential test: 1M random operations (allocations of every alignment, limit and direction,
 * fixed allocations, reservations, allowed-range changes, frees, scatter-gather maps, partial
 * unmaps, lookups) on the library and on the sorted-list reference model; every answer must
 * match, the invariant checker runs every few steps and the whole state is compared regularly.
 * DMAWIN_TEST_SEED overrides the seed; the seed is printed on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dw_test.h"

#include "../ref/iova_ref.h"
#include "dmawin/iova.h"
#include "iova/iova_int.h"

#define SHIFT	 12
#define G	 (UINT64_C(1) << SHIFT)
#define AP_START (UINT64_C(0x100000) + 3 * G)
#define AP_PAGES 2048
#define AP_LAST	 (AP_START + AP_PAGES * G - 1)

static uint64_t seed, rs;
static struct ref_iova ref;
static struct dmawin_iova_space *sp;
static uint64_t step;

static uint64_t rnd(void)
{
	return dw_test_rand(&rs);
}

#define EXPECT_EQ(a, b, what) DW_EXPECT_SAME(seed, step, what, a, b)

static size_t pick_kind(int kind)
{
	size_t idx[REF_IOVA_MAX], n = 0;
	for (size_t i = 0; i < ref.n; i++)
		if (ref.r[i].kind == kind)
			idx[n++] = i;
	return n ? idx[rnd() % n] : SIZE_MAX;
}

static void op_alloc(void)
{
	uint64_t size = (1 + rnd() % 16) * G, align = 0, last = DMAWIN_IOVA_LAST_ANY, a = 0, b = 0;
	unsigned r = (unsigned)(rnd() % 10);
	if (r < 2)
		align = G;
	else if (r < 4)
		align = G << (rnd() % 7);
	if (rnd() % 2)
		last = AP_START + rnd() % (AP_PAGES * G + 4 * G);
	bool bottom = rnd() % 4 == 0;
	int rc = dmawin_iova_alloc(sp, size, align, last, bottom ? DMAWIN_IOVA_BOTTOM_UP : 0, &a);
	int rr = ref_iova_alloc(&ref, size, align, last, !bottom, &b);
	EXPECT_EQ(rc, rr, "alloc rc");
	if (!rc)
		EXPECT_EQ(a, b, "alloc iova");
}

static void op_free(void)
{
	size_t i = pick_kind(DMAWIN_IOVA_ALLOCATED);
	uint64_t iova = i == SIZE_MAX ? AP_START : ref.r[i].lo << SHIFT;
	if (rnd() % 16 == 0)
		iova = AP_START + (rnd() % AP_PAGES) * G;
	bool force = rnd() % 8 == 0;
	int rc = dmawin_iova_free(sp, iova, force ? DMAWIN_IOVA_FORCE : 0);
	EXPECT_EQ(rc, ref_iova_free(&ref, iova, force), "free");
}

static void op_add(int kind)
{
	uint64_t iova = AP_START - 2 * G + (rnd() % (AP_PAGES + 4)) * G, size = (1 + rnd() % 8) * G;
	int rc = kind == DMAWIN_IOVA_ALLOCATED ? dmawin_iova_alloc_fixed(sp, iova, size)
					       : dmawin_iova_reserve(sp, iova, size);
	EXPECT_EQ(rc, ref_iova_add(&ref, iova, size, kind), "fixed/reserve");
}

static void op_unreserve(void)
{
	size_t i = pick_kind(DMAWIN_IOVA_RESERVED);
	uint64_t iova = AP_START, size = G;
	if (i != SIZE_MAX && rnd() % 8) {
		iova = ref.r[i].lo << SHIFT;
		size = (ref.r[i].hi - ref.r[i].lo + 1) << SHIFT;
	}
	EXPECT_EQ(dmawin_iova_unreserve(sp, iova, size), ref_iova_unreserve(&ref, iova, size),
		  "unreserve");
}

static void op_map(void)
{
	size_t i = pick_kind(DMAWIN_IOVA_ALLOCATED);
	uint64_t lo = AP_START >> SHIFT, pages = 4;
	if (i != SIZE_MAX) {
		lo = ref.r[i].lo;
		pages = ref.r[i].hi - ref.r[i].lo + 1;
	}
	uint64_t off = rnd() % pages, avail = pages - off + (rnd() % 4 == 0);
	struct dmawin_iova_sg sg[3];
	uint64_t phys[3], lens[3];
	size_t n = 1 + rnd() % 3;
	for (size_t k = 0; k < n; k++) {
		lens[k] = (1 + rnd() % (avail > n ? avail / n : 1)) * G;
		phys[k] = (rnd() % (UINT64_C(1) << 30)) * G;
		sg[k] = (struct dmawin_iova_sg){phys[k], lens[k]};
	}
	unsigned prot = 1 + (unsigned)(rnd() % 3);
	uint64_t iova = (lo + off) << SHIFT;
	int rc = dmawin_iova_map_sg(sp, iova, sg, n, prot);
	EXPECT_EQ(rc, ref_iova_map(&ref, iova, phys, lens, n, prot), "map_sg");
}

static void op_unmap(void)
{
	uint64_t iova = AP_START + (rnd() % AP_PAGES) * G, len = (1 + rnd() % 24) * G, a = 7;
	int rc = dmawin_iova_unmap(sp, iova, len, &a);
	EXPECT_EQ(rc, 0, "unmap rc");
	EXPECT_EQ(a, ref_iova_unmap_pfns(&ref, iova >> SHIFT, (iova + len - 1) >> SHIFT) << SHIFT,
		  "unmapped bytes");
}

static void op_lookup(void)
{
	uint64_t iova = AP_START + rnd() % (AP_PAGES * G), p1 = 0, p2 = 0;
	unsigned pr1 = 0, pr2 = 0;
	int rc = dmawin_iova_lookup(sp, iova, &p1, &pr1);
	EXPECT_EQ(rc, ref_iova_lookup(&ref, iova, &p2, &pr2), "lookup rc");
	if (!rc) {
		EXPECT_EQ(p1, p2, "lookup phys");
		EXPECT_EQ(pr1, pr2, "lookup prot");
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void op_allowed(void)
{
	size_t n = rnd() % 4;
	uint64_t los[4], lo[4], hi[4];
	struct dmawin_iova_range r[4];
	for (size_t k = 0; k < n; k++)
		los[k] = rnd() % AP_PAGES;
	qsort(los, n, sizeof(los[0]), cmp_u64);
	for (size_t k = 0; k < n; k++) {
		uint64_t len = 1 + rnd() % (AP_PAGES - los[k]);
		lo[k] = (AP_START >> SHIFT) + los[k];
		hi[k] = lo[k] + len - 1;
		r[k] = (struct dmawin_iova_range){lo[k] << SHIFT, len << SHIFT};
	}
	EXPECT_EQ(dmawin_iova_set_allowed(sp, r, n), ref_iova_set_allowed(&ref, lo, hi, n),
		  "set_allowed");
}

struct cmp_state {
	size_t i;
	bool maps;
};

static int cmp_area(void *ctx, const struct dmawin_iova_area *a)
{
	struct cmp_state *c = ctx;
	if (c->i >= ref.n)
		fail_msg("seed %llu step %llu: extra area", (unsigned long long)seed,
			 (unsigned long long)step);
	const struct ref_iova_range *r = &ref.r[c->i++];
	EXPECT_EQ(a->start, r->lo << SHIFT, "area start");
	EXPECT_EQ(a->len, (r->hi - r->lo + 1) << SHIFT, "area len");
	EXPECT_EQ(a->kind, r->kind, "area kind");
	return 0;
}

static int cmp_map(void *ctx, const struct dmawin_iova_mapping *m)
{
	struct cmp_state *c = ctx;
	if (c->i >= ref.nmap)
		fail_msg("seed %llu step %llu: extra mapping", (unsigned long long)seed,
			 (unsigned long long)step);
	const struct ref_iova_map *r = &ref.m[c->i++];
	EXPECT_EQ(m->iova, r->lo << SHIFT, "mapping iova");
	EXPECT_EQ(m->len, (r->hi - r->lo + 1) << SHIFT, "mapping len");
	EXPECT_EQ(m->phys, r->phys << SHIFT, "mapping phys");
	EXPECT_EQ(m->prot, r->prot, "mapping prot");
	return 0;
}

static void compare_all(void)
{
	struct cmp_state c = {0};
	const char *why = NULL;
	if (dw_iova_check(sp, &why))
		fail_msg("seed %llu step %llu: invariant: %s", (unsigned long long)seed,
			 (unsigned long long)step, why);
	dmawin_iova_for_each_area(sp, cmp_area, &c);
	EXPECT_EQ(c.i, ref.n, "area count");
	c.i = 0;
	dmawin_iova_for_each_mapping(sp, 0, UINT64_MAX, cmp_map, &c);
	EXPECT_EQ(c.i, ref.nmap, "mapping count");
}

static void run_ops(uint64_t nops)
{
	for (step = 0; step < nops; step++) {
		unsigned r = (unsigned)(rnd() % 1000);
		if (r < 300)
			op_alloc();
		else if (r < 540)
			op_free();
		else if (r < 580)
			op_add(DMAWIN_IOVA_ALLOCATED);
		else if (r < 610)
			op_add(DMAWIN_IOVA_RESERVED);
		else if (r < 640)
			op_unreserve();
		else if (r < 760)
			op_map();
		else if (r < 860)
			op_unmap();
		else if (r < 999)
			op_lookup();
		else
			op_allowed();
		if (step % 256 == 0 || r >= 999) {
			const char *why = NULL;
			if (dw_iova_check(sp, &why))
				fail_msg("seed %llu step %llu: invariant: %s",
					 (unsigned long long)seed, (unsigned long long)step, why);
		}
		if (step % 8192 == 0)
			compare_all();
	}
	compare_all();
}

static void test_iova_diff_1m_random_ops_match_reference(void **state)
{
	(void)state;
	const char *env = getenv("DMAWIN_TEST_SEED");
	seed = env ? strtoull(env, NULL, 0) : UINT64_C(0x5eed0004);
	rs = seed ? seed : 1;
	struct dmawin_iova_config cfg = {
		.granule_shift = SHIFT, .start = AP_START, .last = AP_LAST};
	assert_int_equal(dmawin_iova_create(&cfg, &sp), 0);
	ref_iova_init(&ref, SHIFT, AP_START, AP_LAST);
	run_ops(1000000);
	dmawin_iova_destroy(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iova_diff_1m_random_ops_match_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
