/* SPDX-License-Identifier: MIT */
/*
 * Property test: random RTAS and hcall sequences on several PHB configurations (QEMU and slot
 * placement, 4 GiB mode, one window only, a TCE budget, two PHBs). After every step the
 * invariant checker passes; every failing RTAS call leaves the machine's fingerprint unchanged;
 * and at random points a snapshot restored into a fresh machine of the same configuration
 * reproduces the fingerprint exactly. Seed printed on failure; DW_SEED=<n> replays one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "papr/papr_int.h"
#include "papr_test.h"

#define STEPS 4000

struct prop {
	struct dmawin_papr_config cfg;
	struct dmawin_papr *m;
	uint64_t rng, seed, step;
	char path[64];
};

static uint64_t rnd(struct prop *p, uint64_t n)
{
	return dw_test_rand(&p->rng) % n;
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("seed %" PRIu64 " step %" PRIu64 ": %s\n", p->seed, p->step,   \
				    #cond);                                                        \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static uint32_t pick_phb_index(struct prop *p)
{
	return p->cfg.phbs[rnd(p, p->cfg.nr_phbs)].index;
}

static void op_rtas(struct prop *p)
{
	static const uint32_t shifts[] = {12, 16, 21, 24};
	uint32_t index = pick_phb_index(p), ps = shifts[rnd(p, 4)], liobn;
	uint64_t buid = BUID0 + index, before = fingerprint(p->m), start;
	int32_t st;

	switch (rnd(p, 4)) {
	case 0:
	case 1:
		st = dmawin_papr_rtas_create_pe_dma_window(p->m, 0, BUID_HI(buid), BUID_LO(buid),
							   ps, ps + (uint32_t)rnd(p, 14), &liobn,
							   &start);
		break;
	case 2:
		st = dmawin_papr_rtas_remove_pe_dma_window(p->m,
							   DMAWIN_PAPR_LIOBN(index, rnd(p, 2)));
		break;
	default:
		st = dmawin_papr_rtas_reset_pe_dma_window(p->m, 0, BUID_HI(buid), BUID_LO(buid));
	}
	CHECK(st == 0 || st == -1 || st == -3);
	if (st != 0)
		CHECK(fingerprint(p->m) == before);
}

static void op_hcall(struct prop *p)
{
	uint32_t liobn = DMAWIN_PAPR_LIOBN(pick_phb_index(p), rnd(p, 2));
	struct dmawin_papr_window_info w;
	uint64_t ioba, tce = (rnd(p, 32 * MiB) & ~0xfffull) | rnd(p, 4);

	CHECK(dmawin_papr_window_info(p->m, liobn, &w) == 0);
	ioba = w.bus_offset + (rnd(p, w.nb_table + 2) << w.page_shift);
	if (rnd(p, 2))
		dmawin_papr_h_put_tce(p->m, liobn, ioba, tce);
	else
		dmawin_papr_h_stuff_tce(p->m, liobn, ioba, rnd(p, 3) ? tce : 0, 1 + rnd(p, 40));
}

static void op_snapshot_round_trip(struct prop *p)
{
	struct dmawin_papr *copy = papr_test_machine_cfg(&p->cfg);
	char why[200] = "";

	CHECK(dmawin_papr_snapshot_save(p->m, p->path) == 0);
	CHECK(dmawin_papr_snapshot_restore(copy, p->path, why, sizeof(why)) == 0);
	CHECK(fingerprint(copy) == fingerprint(p->m));
	CHECK(papr_check(copy) == 0);
	dmawin_papr_destroy(copy);
}

static void run(struct dmawin_papr_config *cfg, uint64_t seed)
{
	struct prop *p = calloc(1, sizeof(*p));
	int fd;

	p->cfg = *cfg;
	p->seed = seed;
	p->rng = seed;
	snprintf(p->path, sizeof(p->path), "%s/dw-papr-prop-XXXXXX", papr_test_tmpdir());
	fd = mkstemp(p->path);
	assert_true(fd >= 0);
	close(fd);
	p->m = papr_test_machine_cfg(cfg);
	for (p->step = 0; p->step < STEPS; p->step++) {
		uint64_t k = rnd(p, 100);
		if (k < 30)
			op_rtas(p);
		else if (k < 99)
			op_hcall(p);
		else
			op_snapshot_round_trip(p);
		CHECK(papr_check(p->m) == 0);
	}
	op_snapshot_round_trip(p);
	unlink(p->path);
	dmawin_papr_destroy(p->m);
	free(p);
}

static uint64_t seed_base(void)
{
	const char *env = getenv("DW_SEED");

	return env ? strtoull(env, NULL, 0) : 0xda7a5eedull;
}

static void base_cfg(struct dmawin_papr_config *cfg)
{
	dmawin_papr_config_init(cfg);
	cfg->ram_size = 64 * MiB;
}

static void test_prop_qemu_placement(void **state)
{
	struct dmawin_papr_config cfg;

	(void)state;
	base_cfg(&cfg);
	run(&cfg, seed_base());
}

static void test_prop_slot_placement_4gb(void **state)
{
	struct dmawin_papr_config cfg;

	(void)state;
	base_cfg(&cfg);
	cfg.phbs[0].placement = DMAWIN_PAPR_PLACE_SLOT;
	cfg.phbs[0].dma64_win_addr = DMAWIN_PAPR_DMA64_WIN_ADDR_4GB;
	run(&cfg, seed_base() + 1);
}

static void test_prop_one_window_budget_two_phbs(void **state)
{
	struct dmawin_papr_config cfg;

	(void)state;
	base_cfg(&cfg);
	cfg.phbs[0].max_windows = 1;
	cfg.nr_phbs = 2;
	dmawin_papr_phb_config_init(&cfg.phbs[1], 5);
	cfg.phbs[1].tce_budget = 3000;
	cfg.phbs[1].dma_win_size = 256 * MiB;
	run(&cfg, seed_base() + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prop_qemu_placement),
		cmocka_unit_test(test_prop_slot_placement_4gb),
		cmocka_unit_test(test_prop_one_window_budget_two_phbs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
