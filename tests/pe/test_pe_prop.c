/* SPDX-License-Identifier: MIT */
/*
 * Property test: random sequences of window, EEH, device and DMA operations (valid and not),
 * with dw_pe_check() after every step, and "a failing call changes nothing" checked on the
 * windows and the EEH state. Seeded; the seed is printed on failure.
 */
#include <inttypes.h>
#include <stdio.h>

#include "pe_test.h"

#define STEPS  100000
#define MAXDEV 4

static uint64_t seed, rng, step;
static uint64_t sets_ok, dma_ok, dma_partial;

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "pe_prop: seed=%" PRIu64 " step=%" PRIu64 ": %s\n", seed,  \
				step, #c);                                                         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

static uint64_t rnd(uint64_t n)
{
	return n ? dw_test_rand(&rng) % n : 0;
}

struct snap {
	int ret[DMAWIN_PE_MAX_WINDOWS];
	struct dmawin_pe_window_info wi[DMAWIN_PE_MAX_WINDOWS];
	int eeh;
};

static void take(struct dmawin_pe *pe, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < DMAWIN_PE_MAX_WINDOWS; i++)
		s->ret[i] = dmawin_pe_window_info(pe, i, &s->wi[i]);
	s->eeh = dmawin_pe_eeh_state(pe);
}

static bool same(const struct snap *a, const struct snap *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static uint64_t random_offset(void)
{
	static const uint64_t picks[] = {0,	     1ull << 30,	1ull << 32,
					 1ull << 59, 0x40000000000ull,	0x1000,
					 3ull << 32, UINT64_MAX - 0xfff};
	return picks[rnd(8)] + (rnd(4) == 0 ? rnd(1 << 20) & ~0xfffull : 0);
}

static unsigned int wi_shift(struct dmawin_tce_table *t)
{
	struct dmawin_tce_info info;

	assert_int_equal(dmawin_tce_info(t, &info), 0);
	return info.page_shift;
}

static void op_set(struct dmawin_pe *pe)
{
	static const unsigned int shifts[] = {12, 16, 24};
	struct dmawin_pe_window_config wc = {.kind = rnd(6) == 0 ? DMAWIN_PE_WINDOW_BYPASS : 0};
	struct dmawin_tce_table *t = NULL;
	unsigned int slot = (unsigned int)rnd(3); /* 2 is invalid */
	struct dmawin_pe_window_info wi;
	struct snap before, after;
	int ret;

	if (wc.kind == DMAWIN_PE_WINDOW_TABLE || rnd(10) == 0)
		t = pe_table(shifts[rnd(3)], UINT64_C(1) << (24 + rnd(12)), 0);
	wc.table = t;
	wc.bus_offset = random_offset();
	wc.size = rnd(3) == 0 ? 0 : UINT64_C(1) << (12 + rnd(24));
	take(pe, &before);
	ret = dmawin_pe_set_window(pe, slot, &wc);
	take(pe, &after);
	if (ret) {
		CHECK(ret == -EINVAL || ret == -EBUSY || ret == -EEXIST);
		CHECK(same(&before, &after));
	} else {
		sets_ok++;
		for (uint64_t i = 0;
		     t && i < 16 &&
		     dmawin_tce_put(t, i, ((i << wi_shift(t)) % (64 * MiB)) | 3) == 0;
		     i++)
			;
		CHECK(dmawin_pe_window_info(pe, slot, &wi) == 0);
		CHECK(wi.bus_offset == wc.bus_offset && wi.table == t && wi.kind == wc.kind);
		CHECK(wc.size == 0 || wi.size == wc.size);
	}
	dmawin_tce_destroy(t); /* the PE keeps its own reference */
}

static void op_unset(struct dmawin_pe *pe)
{
	unsigned int slot = (unsigned int)rnd(2);
	struct dmawin_pe_window_info wi;
	bool was = dmawin_pe_window_info(pe, slot, &wi) == 0;

	CHECK(dmawin_pe_unset_window(pe, slot) == (was ? 0 : -ENOENT));
	CHECK(dmawin_pe_window_info(pe, slot, &wi) == -ENOENT);
}

static void op_eeh(struct dmawin_pe *pe)
{
	struct snap before, after;
	int ret;

	take(pe, &before);
	switch (rnd(12)) {
	case 8:
	case 9:
	case 10:
	case 11: /* the recovery sequence, one step at a time */
		ret = dmawin_pe_eeh_reset(pe, DMAWIN_PE_EEH_RESET_DEACTIVATE);
		if (!ret && dmawin_pe_eeh_state(pe) != DMAWIN_PE_EEH_RESET) {
			CHECK(dmawin_pe_eeh_configure(pe) == 0);
			CHECK(dmawin_pe_eeh_thaw(pe, DMAWIN_PE_EEH_THAW_MMIO) == 0);
			CHECK(dmawin_pe_eeh_thaw(pe, DMAWIN_PE_EEH_THAW_DMA) == 0);
		}
		break;
	case 0:
		ret = dmawin_pe_eeh_freeze(pe);
		break;
	case 1:
		ret = dmawin_pe_eeh_thaw(pe, rnd(2) ? DMAWIN_PE_EEH_THAW_MMIO : rnd(2) ? 3 : 9);
		break;
	case 2:
		ret = dmawin_pe_eeh_reset(pe, (enum dmawin_pe_eeh_reset)rnd(4));
		break;
	case 3:
		ret = dmawin_pe_eeh_configure(pe);
		break;
	case 4:
		ret = dmawin_pe_eeh_inject(pe, (uint32_t)rnd(3), (uint32_t)rnd(22), rnd(1ull << 34),
					   ~0xfffull & (rnd(2) ? UINT32_MAX : UINT64_MAX));
		break;
	case 5:
		ret = dmawin_pe_eeh_set_enabled(pe, rnd(3) != 0);
		break;
	case 6:
		ret = dmawin_pe_eeh_set_freeze_on_fault(pe, rnd(2));
		break;
	default:
		ret = dmawin_pe_eeh_thaw(pe, DMAWIN_PE_EEH_THAW_DMA);
		break;
	}
	take(pe, &after);
	CHECK(ret == 0 || ret == -EINVAL || ret == -EPERM || ret == -EBUSY);
	if (ret)
		CHECK(same(&before, &after));
	CHECK(after.eeh == 0 || after.eeh == 1 || after.eeh == 2 || after.eeh == 4 ||
	      after.eeh == 5);
}

static void op_dma(struct dmawin_pe *pe, struct dmawin_pe_dev *dev)
{
	static uint8_t buf[3 * 65536];
	struct dmawin_pe_window_info wi;
	uint64_t addr = random_offset() + rnd(1 << 16);

	if (rnd(10) < 8 && dmawin_pe_window_info(pe, (unsigned int)rnd(2), &wi) == 0)
		addr = wi.start + rnd(3 * 65536);
	size_t len = (size_t)rnd(sizeof(buf)), done = 0;
	struct dmawin_pe_fault_info fi;
	int state = dmawin_pe_eeh_state(pe);
	int ret = rnd(2) ? dmawin_pe_dma_read(dev, addr, buf, len, &done)
			 : dmawin_pe_dma_write(dev, addr, buf, len, &done);

	CHECK(done <= len);
	CHECK((ret == 0) == (done == len) || ret == -EINVAL);
	if (ret == -EIO) {
		CHECK(dmawin_pe_dev_last_fault(dev, &fi) == 0 &&
		      fi.reason == DMAWIN_PE_FAULT_FROZEN);
	} else if (ret == -EFAULT) {
		CHECK(dmawin_pe_dev_last_fault(dev, &fi) == 0 && fi.bus_addr == addr + done);
		CHECK(fi.reason != DMAWIN_PE_FAULT_FROZEN && fi.reason != DMAWIN_PE_FAULT_NONE);
	}
	dma_ok += ret == 0 && len;
	dma_partial += ret && done;
	if (ret == 0 && len)
		CHECK(state == DMAWIN_PE_EEH_NORMAL || state == DMAWIN_PE_EEH_UNAVAIL);
}

static void run(enum dmawin_pe_placement mode)
{
	struct dmawin_pe_dev *dev[MAXDEV] = {0};
	struct pe_fix f;

	pe_fix_setup(&f, mode, 64 * MiB, 1);
	assert_int_equal(dmawin_mem_add_region(f.mem, 4 * GiB, 1 * MiB, NULL), 0);
	for (step = 0; step < STEPS; step++) {
		uint64_t r = rnd(100);
		unsigned int d = (unsigned int)rnd(MAXDEV);

		if (r < 20) {
			op_set(f.pe);
		} else if (r < 30) {
			op_unset(f.pe);
		} else if (r < 36) {
			op_eeh(f.pe);
		} else if (r < 50) {
			struct dmawin_pe_dev_config dc = {.iotlb_entries = 1u << rnd(6)};

			dmawin_pe_dev_destroy(dev[d]);
			dev[d] = NULL;
			if (rnd(2))
				CHECK(dmawin_pe_dev_create(f.pe, &dc, &dev[d]) == 0);
		} else if (dev[d]) {
			op_dma(f.pe, dev[d]);
		}
		CHECK(dw_pe_check(f.pe) == 0);
	}
	for (unsigned int d = 0; d < MAXDEV; d++)
		dmawin_pe_dev_destroy(dev[d]);
	CHECK(dmawin_pe_destroy(f.pe) == 0);
	pe_fix_teardown(&f);
	fprintf(stderr,
		"pe_prop: %" PRIu64 " windows set, %" PRIu64 " DMAs done, %" PRIu64 " partial\n",
		sets_ok, dma_ok, dma_partial);
	CHECK(sets_ok > STEPS / 100 && dma_ok > STEPS / 100 && dma_partial > STEPS / 1000);
	sets_ok = dma_ok = dma_partial = 0;
}

static void test_pe_prop_classic_invariants_hold(void **state)
{
	(void)state;
	run(DMAWIN_PE_PLACEMENT_CLASSIC);
}

static void test_pe_prop_4gb_invariants_hold(void **state)
{
	(void)state;
	run(DMAWIN_PE_PLACEMENT_4GB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_prop_classic_invariants_hold),
		cmocka_unit_test(test_pe_prop_4gb_invariants_hold),
	};
	const char *env = getenv("DW_SEED");

	seed = env ? strtoull(env, NULL, 0) : 0xc0ffee42ull;
	rng = seed;
	fprintf(stderr, "pe_prop: seed=%" PRIu64 "\n", seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
