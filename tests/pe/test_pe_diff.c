/* SPDX-License-Identifier: MIT */
/*
 * Differential test: device translation (with and without IOTLB) and dmawin_pe_translate()
 * against the reference model of tests/ref/pe_ref.h, over random window layouts in both
 * placement modes, random TCE writes and random addresses. Seeded; the seed is printed on failure.
 */
#include <inttypes.h>
#include <stdio.h>

#include "pe_test.h"
#include "pe_ref.h"

#define OPS 1200000
#define G4  (UINT64_C(1) << 32)

static uint64_t seed, rng, op;
static uint64_t hot[16]; /* bus addresses of recent TCE writes: reused to make IOTLB hits */

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "pe_diff: seed=%" PRIu64 " op=%" PRIu64 ": %s\n", seed,    \
				op, #c);                                                           \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

struct world {
	struct pe_fix f;
	struct pe_ref ref;
	struct dmawin_tce_table *t[2];
	struct dmawin_pe_dev *dev[3]; /* no IOTLB, tiny IOTLB, big IOTLB */
};

static uint64_t rnd(uint64_t n)
{
	return n ? dw_test_rand(&rng) % n : 0;
}

static void drop_window(struct world *w, int s)
{
	if (!w->ref.win[s].active)
		return;
	assert_int_equal(dmawin_pe_unset_window(w->f.pe, (unsigned int)s), 0);
	dmawin_tce_destroy(w->t[s]);
	w->t[s] = NULL;
	free(w->ref.win[s].tce);
	memset(&w->ref.win[s], 0, sizeof(w->ref.win[s]));
}

/* A random window for slot s, in shapes the mode accepts most of the time. */
static void add_window(struct world *w, int s)
{
	static const unsigned int shifts[] = {12, 16, 21, 24};
	struct pe_ref_win rw = {.active = true, .bypass = rnd(5) == 0};
	struct dmawin_pe_window_config wc = {0};
	uint64_t entries = UINT64_C(1) << (rnd(10) + 1);

	rw.shift = rw.bypass ? 12 : shifts[rnd(4)];
	rw.size = entries << rw.shift;
	if (w->ref.mode_4gb)
		rw.bus_offset = s == 0 ? 0 : (rnd(2) ? G4 : 0);
	else
		rw.bus_offset = s == 0 ? rnd(4) << 30 : (rnd(2) ? UINT64_C(1) << 59 : G4 << rnd(4));
	if (w->ref.mode_4gb && s == 1 && rw.bus_offset == 0) {
		rw.shift = 24, rw.bypass = false;
		rw.size = UINT64_C(512) << 24; /* 8 GiB from 0 */
	}
	wc.kind = rw.bypass ? DMAWIN_PE_WINDOW_BYPASS : DMAWIN_PE_WINDOW_TABLE;
	wc.bus_offset = rw.bus_offset;
	if (rw.bypass) {
		wc.size = rw.size;
	} else {
		w->t[s] = pe_table(rw.shift, rw.size, 0);
		wc.table = w->t[s];
	}
	if (dmawin_pe_set_window(w->f.pe, (unsigned int)s, &wc) != 0) {
		dmawin_tce_destroy(w->t[s]);
		w->t[s] = NULL;
		return;
	}
	if (!rw.bypass)
		rw.tce = calloc(rw.size >> rw.shift, sizeof(uint64_t));
	/* The model's bypass window in 4GB mode is clipped by the slot rule already. */
	w->ref.win[s] = rw;
}

static void put_random_tce(struct world *w)
{
	int s = (int)rnd(2);
	struct pe_ref_win *rw = &w->ref.win[s];
	uint64_t idx, v;

	if (!rw->active || rw->bypass)
		return;
	idx = rnd(rw->size >> rw->shift);
	v = (rnd(64) << rw->shift) | rnd(4);
	if (rnd(4) == 0)
		v |= rnd(UINT64_C(1) << rw->shift) & ~UINT64_C(3); /* ignored low bits */
	if (rnd(8) == 0)
		v = 0;
	assert_int_equal(dmawin_tce_put(w->t[s], idx, v), 0);
	rw->tce[idx] = v;
	hot[rnd(16)] = rw->bus_offset + (idx << rw->shift);
}

static uint64_t random_addr(const struct world *w)
{
	const struct pe_ref_win *rw = &w->ref.win[rnd(2)];
	uint64_t base, span;

	switch (rnd(8)) {
	case 6:
	case 7:
		return hot[rnd(16)] + rnd(4096);
	case 0:
		return dw_test_rand(&rng);
	case 1:
		return G4 - 64 + rnd(128);
	default:
		if (!rw->active)
			return rnd(UINT64_C(1) << 34);
		base = rw->bus_offset;
		span = rw->size + (UINT64_C(2) << rw->shift);
		return base + rnd(span) - (base >= 4096 && rnd(4) == 0 ? rnd(4096) : 0);
	}
}

static int map_fault(enum dmawin_pe_fault f)
{
	switch (f) {
	case DMAWIN_PE_FAULT_NONE:
		return PE_REF_OK;
	case DMAWIN_PE_FAULT_NO_WINDOW:
		return PE_REF_NO_WINDOW;
	case DMAWIN_PE_FAULT_BEYOND_WINDOW:
		return PE_REF_BEYOND;
	case DMAWIN_PE_FAULT_INVALID:
		return PE_REF_INVALID;
	case DMAWIN_PE_FAULT_PERMISSION:
		return PE_REF_PERM;
	default:
		return -1;
	}
}

static void compare_one(struct world *w, uint64_t addr, int write, int how)
{
	struct pe_ref_result r = pe_ref_translate(&w->ref, addr, write);
	enum dmawin_pe_dir dir = write ? DMAWIN_PE_DMA_WRITE : DMAWIN_PE_DMA_READ;
	struct dmawin_pe_xlate xl;
	int ret = how == 3 ? dmawin_pe_translate(w->f.pe, addr, dir, &xl)
			   : dmawin_pe_dev_translate(w->dev[how], addr, dir, &xl);

	CHECK(map_fault(xl.fault) == r.fault);
	CHECK((ret == 0) == (r.fault == PE_REF_OK));
	CHECK(xl.slot == r.slot);
	if (r.fault == PE_REF_OK) {
		CHECK(xl.gpa == r.gpa);
		CHECK(xl.len == r.len);
		CHECK(xl.tce == r.tce);
	}
}

/* The random stream must have reached every outcome, and mostly successes. */
static void check_coverage(struct world *w, uint64_t ops)
{
	struct dmawin_pe_stats st;
	uint64_t faults = 0;

	assert_int_equal(dmawin_pe_stats(w->f.pe, DMAWIN_PE_ALL_SLOTS, &st), 0);
	for (int f = DMAWIN_PE_FAULT_NO_WINDOW; f <= DMAWIN_PE_FAULT_PERMISSION; f++) {
		fprintf(stderr, "pe_diff: %s %" PRIu64 "\n", dmawin_pe_fault_name(f), st.faults[f]);
		CHECK(st.faults[f] > ops / 1000);
		faults += st.faults[f];
	}
	fprintf(stderr, "pe_diff: translations %" PRIu64 " hits %" PRIu64 "\n", st.translations,
		st.iotlb_hits);
	CHECK(st.translations - faults > ops / 10);
	CHECK(st.iotlb_hits > ops / 10);
}

static void run(enum dmawin_pe_placement mode, uint64_t ops)
{
	struct dmawin_pe_dev_config dc[3] = {{0}, {1}, {256}};
	struct world w;

	memset(&w, 0, sizeof(w));
	pe_fix_setup(&w.f, mode, 1 * MiB, 1);
	w.ref.mode_4gb = mode == DMAWIN_PE_PLACEMENT_4GB;
	for (int i = 0; i < 3; i++)
		assert_int_equal(dmawin_pe_dev_create(w.f.pe, &dc[i], &w.dev[i]), 0);
	for (op = 0; op < ops; op++) {
		uint64_t r = rnd(1000);
		int s = (int)rnd(2);

		if (r < 3) {
			drop_window(&w, s);
		} else if (r < 8) {
			if (!w.ref.win[s].active)
				add_window(&w, s);
		} else if (r < 40) {
			put_random_tce(&w);
		} else {
			uint64_t addr = random_addr(&w);
			int write = (int)rnd(2);

			/* Same address through every path, twice so that the IOTLBs answer the
			 * second round: both must agree with the model. */
			for (int how = 0; how < 8; how++)
				compare_one(&w, addr, write, how & 3);
		}
		if ((op & 0xffff) == 0)
			CHECK(dw_pe_check(w.f.pe) == 0);
	}
	for (int i = 0; i < 3; i++)
		dmawin_pe_dev_destroy(w.dev[i]);
	check_coverage(&w, ops);
	drop_window(&w, 0);
	drop_window(&w, 1);
	pe_fix_teardown(&w.f);
}

static void test_pe_diff_classic_matches_model(void **state)
{
	(void)state;
	run(DMAWIN_PE_PLACEMENT_CLASSIC, OPS / 2);
}

static void test_pe_diff_4gb_matches_model(void **state)
{
	(void)state;
	run(DMAWIN_PE_PLACEMENT_4GB, OPS / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_diff_classic_matches_model),
		cmocka_unit_test(test_pe_diff_4gb_matches_model),
	};
	const char *env = getenv("DW_SEED");

	seed = env ? strtoull(env, NULL, 0) : 0x5eedf00d1234ull;
	rng = seed;
	fprintf(stderr, "pe_diff: seed=%" PRIu64 "\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
