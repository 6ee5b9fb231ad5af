/* SPDX-License-Identifier: MIT */
/*
 * Differential test of MAP/UNMAP/REGISTER/UNREGISTER against tests/ref/vfio_ref.h (1M seeded
 * random operations), and a property test: random sequences of every request with the
 * whole-structure checker after each step, and "a failed call changes nothing".
 * DW_SEED=<n> in the environment replays a run; the seed is printed on failure.
 */
#include <stdio.h>

#include "../ref/vfio_ref.h"
#include "vfio_fixture.h"

static uint64_t seed_from_env(uint64_t dflt)
{
	const char *s = getenv("DW_SEED");

	return s ? strtoull(s, NULL, 0) : dflt;
}

#define DIFF_FAIL(seed, op, what, a, b)                                                            \
	fail_msg("seed %#llx op %llu: %s: got %lld want %lld", (unsigned long long)(seed),         \
		 (unsigned long long)(op), (what), (long long)(a), (long long)(b))

/* The window in slot 0 at 0: 512 MiB of 64K pages, VREF_ENTRIES TCEs. */
static void diff_setup(struct fx *f)
{
	fx_init(f);
	fx_v2(f);
	assert_int_equal(fx_remove(f, 0), 0);
	assert_int_equal(fx_create(f, VREF_PAGE_SHIFT, VREF_ENTRIES * VREF_PAGE, 1, NULL), 0);
	assert_int_equal(f->c->win[0].it_size, VREF_ENTRIES);
}

static void compare_all(struct fx *f, struct vref *m, uint64_t seed, uint64_t op)
{
	for (int e = 0; e < VREF_ENTRIES; e++) {
		uint64_t tce, want = m->perm[e] ? (m->ua[e] | m->perm[e]) : 0;

		dmawin_tce_get(f->c->win[0].tbl, (uint64_t)e, &tce);
		if (tce != want)
			DIFF_FAIL(seed, op, "tce", tce, want);
	}
	for (int k = 0; k < VREF_CANDIDATES; k++) {
		struct vref_region *r = &m->cand[k];
		struct dmawin_vfio_region_info ri;

		if (!r->registered)
			continue;
		if (dmawin_vfio_mm_region(f->mm, fx_ua(f, r->off), &ri) != 0 || ri.size != r->size)
			DIFF_FAIL(seed, op, "region", 0, k);
		if (ri.mapped != 1 + vref_mapped(m, r))
			DIFF_FAIL(seed, op, "mapped", ri.mapped, 1 + vref_mapped(m, r));
		for (uint64_t p = r->off / VREF_PAGE; p < (r->off + r->size) / VREF_PAGE; p++) {
			int d = dmawin_vfio_mm_dirty(f->mm, fx_ua(f, p * VREF_PAGE), false);

			if (d != r->dirty[p])
				DIFF_FAIL(seed, op, "dirty", d, r->dirty[p]);
		}
	}
	if (vfio_check(f->c) != 0)
		DIFF_FAIL(seed, op, "vfio_check", vfio_check(f->c), 0);
}

static long one_op(struct fx *f, struct vref *m, uint64_t *rs, long *want)
{
	uint64_t x = dw_test_rand(rs), kind = x % 100;
	bool mis = (x >> 8) % 20 == 0;
	uint64_t entry = (x >> 16) % (VREF_ENTRIES + 8), pages = (x >> 28) % 9;
	uint64_t off = ((x >> 36) % VREF_RAM_PAGES) * VREF_PAGE;
	static const uint32_t flags[] = {1, 2, 3, 3, 1, 2, 0, 4};
	uint64_t iova = entry * VREF_PAGE + (mis ? 4096 : 0);
	int k = (int)((x >> 40) % VREF_CANDIDATES);

	if (kind < 45) {
		uint32_t fl = flags[(x >> 50) % 8];

		*want = vref_map(m, off, entry, pages, fl, mis);

		return fx_map(f, fx_ua(f, off), iova, pages * VREF_PAGE, fl);
	}
	if (kind < 80) {
		*want = vref_unmap(m, entry, pages, mis);
		return fx_unmap(f, iova, pages * VREF_PAGE);
	}
	if (kind < 90) {
		*want = vref_register(m, k);
		return fx_reg(f, fx_ua(f, m->cand[k].off), m->cand[k].size);
	}
	*want = vref_unregister(m, k);
	return fx_unreg(f, fx_ua(f, m->cand[k].off), m->cand[k].size);
}

static void test_map_diff_1m_ops_match_reference(void **state)
{
	const uint64_t seed = seed_from_env(0x5eed0001);
	const uint64_t ops = 1000000;
	uint64_t rs = seed | 1;
	uint64_t successes = 0;
	struct vref m;
	struct fx f;

	(void)state;
	diff_setup(&f);
	vref_init(&m);
	for (uint64_t op = 0; op < ops; op++) {
		long want, got = one_op(&f, &m, &rs, &want);

		if (got != want)
			DIFF_FAIL(seed, op, "return", got, want);
		successes += got == 0;
		if ((op & 8191) == 0 || op == ops - 1)
			compare_all(&f, &m, seed, op);
	}
	assert_true(successes > ops / 4); /* the run exercised real mappings, not only errors */
	fx_fini(&f);
}

/* ---- Property test: every request, random arguments, invariants after each step ---------- */

struct snap {
	uint64_t locked;
	unsigned regions;
	struct dmawin_vfio_window_info w[2];
	bool pending;
};

static void take_snap(struct fx *f, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	s->locked = dmawin_mem_locked_bytes(f->mem);
	s->regions = dmawin_vfio_mm_region_count(f->mm);
	dmawin_vfio_window(f->c, 0, &s->w[0]);
	dmawin_vfio_window(f->c, 1, &s->w[1]);
	s->pending = dmawin_vfio_default_window_pending(f->c);
}

static long prop_op(struct fx *f, uint64_t x, bool *state_may_change)
{
	static const uint32_t shifts[] = {12, 16, 21, 24, 28};
	uint64_t a = (x >> 8) % 64, b = (x >> 16) % 9;

	*state_may_change = true;
	switch (x % 10) {
	case 0:
		return fx_reg(f, fx_ua(f, a * MiB / 2), (b + 1) * MiB / 2);
	case 1:
		return fx_unreg(f, fx_ua(f, a * MiB / 2), (b + 1) * MiB / 2);
	case 2:
		return fx_create(f, shifts[(x >> 24) % 5], GiB >> ((x >> 28) % 8),
				 1 + (x >> 32) % 3, NULL);
	case 3:
		return fx_remove(f, ((x >> 24) & 1) ? FX_DDW : (x >> 30) % (2 * GiB));
	case 4:
	case 5:
		return fx_map(f, fx_ua(f, a * 65536), ((x >> 24) & 1 ? FX_DDW : 0) + b * 65536,
			      ((x >> 28) % 4) * 65536, 1 + (uint32_t)((x >> 32) % 3));
	case 6:
		return fx_unmap(f, ((x >> 24) & 1 ? FX_DDW : 0) + b * 65536,
				((x >> 28) % 8) * 65536);
	case 7:
		return dmawin_vfio_attach_group(f->c, f->pe[1 + (x >> 24) % (FX_PES - 1)]);
	case 8:
		return dmawin_vfio_detach_group(f->c, f->pe[1 + (x >> 24) % (FX_PES - 1)]);
	default:
		*state_may_change = false;
		return fx_eeh(f, VFIO_EEH_PE_GET_STATE);
	}
}

static void test_map_props_random_requests_keep_invariants(void **state)
{
	const uint64_t seed = seed_from_env(0x5eed0002);
	uint64_t rs = seed | 1;
	struct fx f;

	(void)state;
	/* a 64 MiB default window keeps the checker after every step cheap */
	fx_init_phb(&f, 4 * GiB, NULL, 64 * MiB);
	fx_v2(&f);
	for (uint64_t op = 0; op < 20000; op++) {
		struct snap before, after;
		bool may_change;
		long ret;

		take_snap(&f, &before);
		ret = prop_op(&f, dw_test_rand(&rs), &may_change);
		take_snap(&f, &after);
		if (vfio_check(f.c) != 0)
			DIFF_FAIL(seed, op, "vfio_check", vfio_check(f.c), 0);
		/* A failed request leaves the accounting, regions and windows as they were
		 * (MAP/UNMAP may still have created the pending default window first). */
		if (ret < 0 && may_change && !(before.pending && !after.pending)) {
			if (before.locked != after.locked)
				DIFF_FAIL(seed, op, "locked after failure", after.locked,
					  before.locked);
			if (memcmp(before.w, after.w, sizeof(before.w)) != 0)
				DIFF_FAIL(seed, op, "windows after failure", ret, 0);
			if (before.regions != after.regions)
				DIFF_FAIL(seed, op, "regions after failure", after.regions,
					  before.regions);
		}
	}
	fx_fini(&f);
}

/* v1: ENABLE/DISABLE, pinned (not preregistered) MAP/UNMAP in the default window. */
static long prop_op_v1(struct fx *f, uint64_t x)
{
	uint64_t a = (x >> 8) % 4096, b = (x >> 20) % 8;

	switch (x % 6) {
	case 0:
		return dmawin_vfio_ioctl(f->c, VFIO_IOMMU_ENABLE, 0);
	case 1:
		return (x >> 30) % 8 ? 0 : dmawin_vfio_ioctl(f->c, VFIO_IOMMU_DISABLE, 0);
	case 2:
	case 3:
		return fx_map(f, fx_ua(f, a * 4096), b * 4096 + ((x >> 40) % 64) * 65536,
			      (1 + (x >> 24) % 8) * 4096, 1 + (uint32_t)((x >> 32) % 3));
	case 4:
		return fx_unmap(f, ((x >> 40) % 64) * 65536, ((x >> 24) % 32) * 4096);
	default:
		return fx_eeh(f, VFIO_EEH_PE_GET_STATE);
	}
}

static void test_map_props_v1_random_requests_keep_invariants(void **state)
{
	const uint64_t seed = seed_from_env(0x5eed0003);
	uint64_t rs = seed | 1;
	struct fx f;

	(void)state;
	fx_init_phb(&f, 4 * GiB, NULL, 64 * MiB);
	assert_int_equal(dmawin_vfio_attach_group(f.c, f.pe[0]), 0);
	assert_int_equal(fx_set_iommu(&f, VFIO_SPAPR_TCE_IOMMU), 0);
	for (uint64_t op = 0; op < 20000; op++) {
		uint64_t locked = dmawin_mem_locked_bytes(f.mem);
		long ret = prop_op_v1(&f, dw_test_rand(&rs));

		if (vfio_check(f.c) != 0)
			DIFF_FAIL(seed, op, "vfio_check", vfio_check(f.c), 0);
		if (ret < 0 && dmawin_mem_locked_bytes(f.mem) != locked)
			DIFF_FAIL(seed, op, "locked after failure", dmawin_mem_locked_bytes(f.mem),
				  locked);
		if (dmawin_mem_locked_bytes(f.mem) !=
		    (f.c->enabled ? 64 * MiB : 0) + (f.c->win[0].tbl ? f.c->win[0].locked : 0))
			DIFF_FAIL(seed, op, "v1 accounting", dmawin_mem_locked_bytes(f.mem), 0);
	}
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_diff_1m_ops_match_reference),
		cmocka_unit_test(test_map_props_random_requests_keep_invariants),
		cmocka_unit_test(test_map_props_v1_random_requests_keep_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
