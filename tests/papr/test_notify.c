/* SPDX-License-Identifier: MIT */
/* IOMMU notifier events (spec §6 step 5) and the configuration checks. */
#include <stdio.h>
#include <unistd.h>

#include "papr_test.h"

#define EV_MAX 1100

struct ev_rec {
	unsigned n;
	struct dmawin_papr_event ev[EV_MAX];
};

static void ev_fn(void *opaque, const struct dmawin_papr_event *ev)
{
	struct ev_rec *r = opaque;

	if (r->n < EV_MAX)
		r->ev[r->n] = *ev;
	r->n++;
}

static int setup(void **state)
{
	*state = papr_test_machine();
	return 0;
}

static int teardown(void **state)
{
	dmawin_papr_destroy(*state);
	return 0;
}

/* §6.5 "Every H_PUT_TCE/STUFF/INDIRECT entry sends an IOMMU notifier event (MAP if perm ≠ 0
 * else UNMAP, iova relative to the window)". */
static void test_notify_map_unmap_window_relative(void **state)
{
	struct dmawin_papr *m = *state;
	static struct ev_rec r;
	const uint64_t tces[3] = {0x5000001, 0, 0x7000003};
	uint32_t liobn;
	uint64_t start;
	int id;

	memset(&r, 0, sizeof(r));
	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_notifier_add(m, ev_fn, &r, &id), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, start + 0x3000000 + 77, 0x4000003), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_EV_MAP);
	assert_int_equal(r.ev[0].liobn, liobn);
	assert_int_equal(r.ev[0].iova, 0x3000000);
	assert_int_equal(r.ev[0].translated_addr, 0x4000000);
	assert_int_equal(r.ev[0].addr_mask, 0xffffff);
	assert_int_equal(r.ev[0].perm, 3);
	assert_int_equal(r.ev[0].bus_offset, start);
	put_list(m, 0x100000, tces, 3);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0x10000, 0x100000, 3), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[1].type, DMAWIN_PAPR_EV_MAP);
	assert_int_equal(r.ev[1].iova, 0x10000);
	assert_int_equal(r.ev[1].perm, 1);
	assert_int_equal(r.ev[2].type, DMAWIN_PAPR_EV_UNMAP);
	assert_int_equal(r.ev[2].iova, 0x11000);
	assert_int_equal(r.ev[3].iova, 0x12000);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0x10000, 0, 1000), 0);
	assert_int_equal(r.n, 1004);
	assert_int_equal(r.ev[1003].type, DMAWIN_PAPR_EV_UNMAP);
	assert_int_equal(r.ev[1003].iova, 0x10000 + 999 * 4096);
	/* a failing call notifies only the entries it wrote */
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 1 * GiB - 4096, 0, 3), H_PARAMETER);
	assert_int_equal(r.n, 1005);
	assert_int_equal(dmawin_papr_notifier_remove(m, id), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0, 3), 0);
	assert_int_equal(r.n, 1005);
	assert_int_equal(dmawin_papr_notifier_remove(m, id), -ENOENT);
}

/* Window events: create → WINDOW_ADD, remove → WINDOW_DEL, reset → DEL(s) then ADD default. */
static void test_notify_window_add_del(void **state)
{
	struct dmawin_papr *m = *state;
	static struct ev_rec r;
	uint32_t liobn;
	uint64_t start;

	memset(&r, 0, sizeof(r));
	assert_int_equal(dmawin_papr_notifier_add(m, ev_fn, &r, NULL), 0);
	assert_int_equal(create_ddw(m, 16, 30, &liobn, &start), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_EV_WINDOW_ADD);
	assert_int_equal(r.ev[0].bus_offset, 1ull << 59);
	assert_int_equal(r.ev[0].window_size, 1 * GiB);
	assert_int_equal(r.ev[0].page_shift, 16);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, liobn), 0);
	assert_int_equal(r.ev[1].type, DMAWIN_PAPR_EV_WINDOW_DEL);
	assert_int_equal(r.ev[1].liobn, liobn);
	assert_int_equal(dmawin_papr_rtas_reset_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0)),
			 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[2].type, DMAWIN_PAPR_EV_WINDOW_DEL);
	assert_int_equal(r.ev[3].type, DMAWIN_PAPR_EV_WINDOW_ADD);
	assert_int_equal(r.ev[3].liobn, LIOBN0);
}

static void nop_fn(void *opaque, const struct dmawin_papr_event *ev)
{
	(void)opaque;
	(void)ev;
}

static void test_notifier_bad_input(void **state)
{
	struct dmawin_papr *m = *state;
	int id;

	assert_int_equal(dmawin_papr_notifier_add(m, NULL, NULL, &id), -EINVAL);
	for (int i = 0; i < DMAWIN_PAPR_MAX_NOTIFIERS; i++)
		assert_int_equal(dmawin_papr_notifier_add(m, nop_fn, NULL, &id), 0);
	assert_int_equal(dmawin_papr_notifier_add(m, nop_fn, NULL, &id), -ENOSPC);
	assert_int_equal(dmawin_papr_notifier_remove(m, 0), -ENOENT);
	assert_int_equal(dmawin_papr_notifier_remove(m, id), 0);
	assert_int_equal(dmawin_papr_notifier_add(m, nop_fn, NULL, &id), 0);
}

/* Bad pointers from an embedding program are refused, never dereferenced. */
static void test_null_outputs_refused(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_get_tce(m, LIOBN0, 0, NULL), H_PARAMETER);
	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_PUT_TCE, NULL, NULL), H_PARAMETER);
	assert_int_equal(dmawin_papr_window_info(m, LIOBN0, NULL), -EINVAL);
	assert_int_equal(dmawin_papr_phb_dt(m, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_papr_xlate(m, LIOBN0, 0, NULL), -EINVAL);
	assert_int_equal(dmawin_papr_rtas(m, 0x2026, 3, NULL, 5, NULL), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2028, 1, NULL, 0, NULL), -3);
	assert_null(dmawin_papr_phb_pe(m, 1));
	assert_int_equal(dmawin_papr_dma_read(m, 1, 0, NULL, 0), -ENOENT);
}

/* After a restore a VFIO-style mirror hears WINDOW_ADD and one MAP per mapped entry. */
static void test_restore_replays_windows_and_mappings(void **state)
{
	struct dmawin_papr *m = *state, *b = papr_test_machine();
	static struct ev_rec r;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/dw-papr-notify-XXXXXX", papr_test_tmpdir());
	fd = mkstemp(path);
	unsigned maps = 0, adds = 0;

	assert_true(fd >= 0);
	close(fd);
	memset(&r, 0, sizeof(r));
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x4000, 0x4003), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x8000, 0x8001), 0);
	assert_int_equal(dmawin_papr_snapshot_save(m, path), 0);
	assert_int_equal(dmawin_papr_notifier_add(b, ev_fn, &r, NULL), 0);
	assert_int_equal(dmawin_papr_snapshot_restore(b, path, NULL, 0), 0);
	unlink(path);
	for (unsigned i = 0; i < r.n && i < EV_MAX; i++) {
		adds += r.ev[i].type == DMAWIN_PAPR_EV_WINDOW_ADD;
		maps += r.ev[i].type == DMAWIN_PAPR_EV_MAP;
	}
	assert_int_equal(adds, 1);
	assert_int_equal(maps, 2);
	assert_int_equal(r.ev[r.n - 1].iova, 0x8000);
	assert_int_equal(r.ev[r.n - 1].perm, 1);
	dmawin_papr_destroy(b);
}

/* §10 defaults from dmawin_papr_config_init(). */
static void test_config_defaults_qemu(void **state)
{
	struct dmawin_papr_config cfg;

	(void)state;
	dmawin_papr_config_init(&cfg);
	assert_int_equal(cfg.ram_size, 512 * MiB);
	assert_int_equal(cfg.compat, 702);
	assert_int_equal(cfg.nr_phbs, 1);
	assert_int_equal(cfg.phbs[0].index, 0);
	assert_int_equal(cfg.phbs[0].dma_win_addr, 0);
	assert_int_equal(cfg.phbs[0].dma_win_size, 0x40000000);
	assert_int_equal(cfg.phbs[0].dma64_win_addr, 0x800000000000000ull);
	assert_int_equal(cfg.phbs[0].pgsz, 0x1211000);
	assert_true(cfg.phbs[0].ddw);
	assert_int_equal(cfg.phbs[0].max_windows, 2);
	assert_int_equal(dmawin_papr_config_check(&cfg, NULL, 0), 0);
}

static void expect_bad(const struct dmawin_papr_config *cfg)
{
	struct dmawin_papr *m = (struct dmawin_papr *)0x1;
	char why[160] = "";

	assert_int_equal(dmawin_papr_config_check(cfg, why, sizeof(why)), -EINVAL);
	assert_true(why[0] != 0);
	assert_int_equal(dmawin_papr_create(cfg, &m, NULL, 0), -EINVAL);
	assert_ptr_equal(m, (struct dmawin_papr *)0x1);
}

static void test_config_check_rejects_bad_values(void **state)
{
	struct dmawin_papr_config cfg, bad;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
#define BAD(stmt)                                                                                  \
	do {                                                                                       \
		bad = cfg;                                                                         \
		stmt;                                                                              \
		expect_bad(&bad);                                                                  \
	} while (0)
	BAD(bad.ram_size = 0);
	BAD(bad.ram_size = 4096);
	BAD(bad.maxmem = 32 * MiB);
	BAD(bad.compat = 100);
	BAD(bad.nr_phbs = 0);
	BAD(bad.nr_phbs = 32);
	BAD(bad.phbs[0].index = 31);
	BAD(bad.phbs[0].dma_win_addr = 0x800);
	BAD(bad.phbs[0].dma_win_size = 0);
	BAD(bad.phbs[0].dma_win_size = 0x1800);
	BAD(bad.phbs[0].dma64_win_addr = 0x1000000001ull);
	BAD(bad.phbs[0].dma64_win_addr = 0x10000000); /* inside the 32-bit window */
	BAD(bad.phbs[0].pgsz = 0);
	BAD(bad.phbs[0].pgsz = 1 << 13);
	BAD(bad.phbs[0].max_windows = 0);
	BAD(bad.phbs[0].max_windows = 3);
	BAD(bad.phbs[0].placement = (enum dmawin_papr_placement)7);
	BAD((bad.nr_phbs = 2, dmawin_papr_phb_config_init(&bad.phbs[1], 0)));
	BAD((bad.nr_phbs = 2, dmawin_papr_phb_config_init(&bad.phbs[1], 1),
	     bad.phbs[1].buid = BUID0));
	assert_int_equal(dmawin_papr_config_check(NULL, NULL, 0), -EINVAL);
	assert_int_equal(dmawin_papr_create(&cfg, NULL, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_map_unmap_window_relative, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify_window_add_del, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notifier_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_outputs_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_replays_windows_and_mappings, setup,
						teardown),
		cmocka_unit_test(test_config_defaults_qemu),
		cmocka_unit_test(test_config_check_rejects_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
