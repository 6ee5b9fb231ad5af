/* SPDX-License-Identifier: MIT */
/*
 * Differential test: 1M random hcalls and RTAS calls on the papr machine and on the naive
 * QEMU-loop reference model (tests/ref/papr_ref.h); return codes, stored entries, trace fields
 * and the whole-machine invariants must agree after every step. Seed printed on failure;
 * DW_SEED=<n> replays one.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../ref/papr_ref.h"
#include "papr/papr_int.h"
#include "papr_test.h"

#define OPS	 1000000
#define LIST_GPA 0x100000ull

struct last_trace {
	bool seen;
	struct dmawin_papr_trace ev;
};

static void last_fn(void *opaque, const struct dmawin_papr_trace *ev)
{
	struct last_trace *t = opaque;

	t->seen = true;
	t->ev = *ev;
}

struct run {
	struct dmawin_papr *m;
	struct ref_phb ref;
	uint64_t rng, seed, step;
	struct last_trace tr;
};

static uint64_t rnd(struct run *r, uint64_t n)
{
	return n ? dw_test_rand(&r->rng) % n : 0;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("seed %" PRIu64 " step %" PRIu64 ": %s\n", r->seed, r->step,   \
				    #cond);                                                        \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static uint64_t pick_liobn(struct run *r)
{
	switch (rnd(r, 10)) {
	case 0:
		return 0x80000002;
	case 1:
		return rnd(r, 2) ? 0x100000000ull | LIOBN0 : 0x80000100;
	default:
		return LIOBN0 + rnd(r, 2);
	}
}

static uint64_t pick_ioba(struct run *r, uint64_t liobn)
{
	const struct ref_win *w = ref_find(&r->ref, liobn);
	uint64_t page, span;

	if (!w || rnd(r, 50) == 0)
		return dw_test_rand(&r->rng);
	page = 1ull << w->page_shift;
	span = (w->nb_table ? w->nb_table : 4) + 4;
	return w->bus_offset + (rnd(r, span) - 2) * page + rnd(r, page);
}

static uint64_t pick_tce(struct run *r)
{
	switch (rnd(r, 4)) {
	case 0:
		return 0;
	case 1:
		return dw_test_rand(&r->rng);
	default:
		return (rnd(r, 64 * MiB) & ~0xfffull) | rnd(r, 4);
	}
}

static uint64_t pick_npages(struct run *r, uint64_t liobn, bool indirect)
{
	const struct ref_win *w = ref_find(&r->ref, liobn);
	uint64_t nb = w ? w->nb_table : 0;

	switch (rnd(r, 12)) {
	case 0:
		return 0;
	case 1:
		return indirect ? 510 + rnd(r, 5) : nb + rnd(r, 2);
	case 2:
		return 512;
	default:
		return 1 + rnd(r, 24);
	}
}

/* the entries [index, index + n) of @liobn agree in both models (clipped to the window) */
static void compare_range(struct run *r, uint64_t liobn, uint64_t ioba, uint64_t n)
{
	const struct ref_win *w = ref_find(&r->ref, liobn);
	uint64_t index, got;

	if (!w || !w->nb_table)
		return;
	index = ((ioba & ref_mask(w)) - w->bus_offset) >> w->page_shift;
	for (uint64_t i = index; i < w->nb_table && i - index < n; i++) {
		int64_t ret = dmawin_papr_h_get_tce(r->m, liobn,
						    w->bus_offset + (i << w->page_shift), &got);
		CHECK(ret == 0 && got == w->table[i]);
	}
}

static void compare_all(struct run *r, bool entries)
{
	for (unsigned n = 0; n < 2; n++) {
		struct dmawin_papr_window_info info;
		const struct ref_win *w = &r->ref.win[n];
		CHECK(dmawin_papr_window_info(r->m, LIOBN0 + n, &info) == 0);
		CHECK(info.enabled == (w->nb_table != 0));
		if (!w->nb_table)
			continue;
		CHECK(info.bus_offset == w->bus_offset && info.page_shift == w->page_shift &&
		      info.nb_table == w->nb_table && info.is_default == w->def);
		if (entries)
			compare_range(r, LIOBN0 + n, w->bus_offset, w->nb_table);
	}
}

static void op_put_get(struct run *r, bool put)
{
	uint64_t liobn = pick_liobn(r), ioba = pick_ioba(r, liobn), tce = pick_tce(r), a, b;

	if (put) {
		CHECK(dmawin_papr_h_put_tce(r->m, liobn, ioba, tce) ==
		      ref_put_tce(&r->ref, liobn, ioba, tce));
	} else {
		int64_t rg = ref_get_tce(&r->ref, liobn, ioba, &a);
		CHECK(dmawin_papr_h_get_tce(r->m, liobn, ioba, &b) == rg);
		CHECK(rg != 0 || a == b);
	}
	compare_range(r, liobn, ioba, 1);
}

static void op_indirect(struct run *r)
{
	uint64_t liobn = pick_liobn(r), ioba = pick_ioba(r, liobn), n = pick_npages(r, liobn, true);
	uint64_t list[520] = {0}, gpa = LIST_GPA + rnd(r, 16) * 4096;
	int64_t want;

	if (rnd(r, 20) == 0)
		gpa += 8 * (1 + rnd(r, 511));
	for (uint64_t i = 0; i < n && i < 520; i++)
		list[i] = pick_tce(r);
	if (rnd(r, 30) == 0) {
		gpa = 2 * GiB + rnd(r, 4) * 4096; /* not RAM: QEMU reads zeros */
		memset(list, 0, sizeof(list));
	} else if (n && n <= 520) {
		put_list(r->m, gpa, list, (unsigned)n);
	}
	r->tr.seen = false;
	want = ref_indirect(&r->ref, liobn, ioba, gpa, list, n);
	CHECK(dmawin_papr_h_put_tce_indirect(r->m, liobn, ioba, gpa, n) == want);
	CHECK(r->tr.seen == r->ref.last_traced);
	if (r->ref.last_traced)
		CHECK(r->tr.ev.iobaN == r->ref.last_iobaN && r->tr.ev.tceN == r->ref.last_tceN &&
		      r->tr.ev.ioba == ioba && r->tr.ev.ret == want);
	compare_range(r, liobn, ioba, n);
}

static void op_stuff(struct run *r)
{
	uint64_t liobn = pick_liobn(r), ioba = pick_ioba(r, liobn),
		 n = pick_npages(r, liobn, false);
	uint64_t value = pick_tce(r);
	int64_t want;

	r->tr.seen = false;
	want = ref_stuff(&r->ref, liobn, ioba, value, n);
	CHECK(dmawin_papr_h_stuff_tce(r->m, liobn, ioba, value, n) == want);
	CHECK(r->tr.seen == r->ref.last_traced);
	if (r->ref.last_traced)
		CHECK(r->tr.ev.ioba == r->ref.last_stuff_ioba && r->tr.ev.npages == n);
	compare_range(r, liobn, ioba, n > 4096 ? 4096 : n);
}

static void op_rtas(struct run *r)
{
	static const uint32_t shifts[] = {12, 16, 21, 24, 13, 25};
	uint32_t ps = shifts[rnd(r, ARRAY_SIZE(shifts))], ws, l1 = 0, l2 = 0;
	uint64_t s1 = 0, s2 = 0;
	struct dmawin_papr_ddw_query q;

	switch (rnd(r, 4)) {
	case 0:
		ws = rnd(r, 40) == 0 ? ps + 32 + (uint32_t)rnd(r, 3)
				     : ps + (uint32_t)rnd(r, 17) - 1;
		CHECK(create_ddw(r->m, ps, ws, &l1, &s1) == ref_create(&r->ref, ps, ws, &l2, &s2));
		CHECK(l1 == l2 && s1 == s2);
		break;
	case 1: {
		uint32_t liobn = (uint32_t)pick_liobn(r);
		CHECK(dmawin_papr_rtas_remove_pe_dma_window(r->m, liobn) ==
		      ref_remove(&r->ref, liobn));
		break;
	}
	case 2:
		CHECK(dmawin_papr_rtas_reset_pe_dma_window(r->m, 0, BUID_HI(BUID0),
							   BUID_LO(BUID0)) == 0);
		ref_dma_reset(&r->ref);
		break;
	default:
		CHECK(dmawin_papr_rtas_query_pe_dma_window(r->m, 0, BUID_HI(BUID0), BUID_LO(BUID0),
							   6, NULL, &q) == 0);
		CHECK(q.windows_available == 2 - ref_active(&r->ref));
	}
	compare_all(r, false);
}

static void run_seed(uint64_t seed, uint64_t ops)
{
	struct dmawin_papr_config cfg;
	struct run *r = calloc(1, sizeof(*r));

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	r->m = papr_test_machine_cfg(&cfg);
	ref_init(&r->ref, 0);
	r->seed = seed;
	r->rng = seed ? seed : 1;
	dmawin_papr_set_trace(r->m, last_fn, &r->tr);
	for (r->step = 0; r->step < ops; r->step++) {
		uint64_t k = rnd(r, 1000);
		if (k < 400)
			op_put_get(r, true);
		else if (k < 550)
			op_put_get(r, false);
		else if (k < 720)
			op_indirect(r);
		else if (k < 995)
			op_stuff(r);
		else
			op_rtas(r);
		CHECK(papr_check(r->m) == 0);
		if (r->step % (ops / 8 + 1) == 0)
			compare_all(r, true);
	}
	compare_all(r, true);
	ref_fini(&r->ref);
	dmawin_papr_destroy(r->m);
	free(r);
}

static void test_papr_diff_random_ops_match_reference(void **state)
{
	const char *env = getenv("DW_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed0005ull;

	(void)state;
	print_message("papr diff: seed %" PRIu64 ", %d ops\n", seed, OPS);
	run_seed(seed, OPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_papr_diff_random_ops_match_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
