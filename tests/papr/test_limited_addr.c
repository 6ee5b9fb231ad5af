/* SPDX-License-Identifier: MIT */
/*
 * The limited-addressing DDW extension (PAPR 2.13, opt-in ddw_limited_addr): the fourth
 * ibm,ddw-extensions cell, the 4-input ibm,reset-pe-dma-window, and where DDWs go in the mode.
 */
#include <stdio.h>

#include "papr_test.h"

#define GB4 DMAWIN_PAPR_DMA64_WIN_ADDR_4GB

static struct dmawin_papr *machine(bool limited, uint64_t dma64, uint32_t compat)
{
	struct dmawin_papr_config cfg;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 256 * MiB;
	assert_int_equal(dmawin_papr_config_set_compat(&cfg, compat), 0);
	cfg.phbs[0].dma64_win_addr = dma64;
	cfg.phbs[0].ddw_limited_addr = limited;
	return papr_test_machine_cfg(&cfg);
}

static int32_t reset4(struct dmawin_papr *m, uint32_t mode)
{
	const uint32_t args[4] = {0, BUID_HI(BUID0), BUID_LO(BUID0), mode};
	uint32_t rets[1] = {0xffff};
	int32_t st = dmawin_papr_rtas(m, DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW, 4, args, 1, rets);

	assert_int_equal((int32_t)rets[0], st);
	return st;
}

static int32_t reset3(struct dmawin_papr *m)
{
	const uint32_t args[3] = {0, BUID_HI(BUID0), BUID_LO(BUID0)};
	uint32_t rets[1];

	return dmawin_papr_rtas(m, DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW, 3, args, 1, rets);
}

static int32_t create(struct dmawin_papr *m, uint32_t ps, uint32_t ws, uint32_t *liobn,
		      uint64_t *start)
{
	return dmawin_papr_rtas_create_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0), ps, ws,
						     liobn, start);
}

static bool enabled(struct dmawin_papr *m, uint32_t liobn)
{
	struct dmawin_papr_window_info w;

	assert_int_equal(dmawin_papr_window_info(m, liobn, &w), 0);
	return w.enabled;
}

/* QEMU default: <2 0x2029 1>, the fourth cell stays 0 and is not counted. */
static void test_dt_extensions_without_property_unchanged(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(false, GB4, 702);
	struct dmawin_papr_phb_dt dt;

	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_int_equal(dt.n_ddw_extensions, 3);
	assert_int_equal(dt.ddw_extensions[0], 2);
	assert_int_equal(dt.ddw_extensions[1], 0x2029);
	assert_int_equal(dt.ddw_extensions[2], 1);
	assert_int_equal(dt.ddw_extensions[3], 0);
	dmawin_papr_destroy(m);
}

/* With the property: <3 0x2029 1 1> (Linux DDW_EXT_LIMITED_ADDR_MODE = index 3). */
static void test_dt_extensions_with_property_four_cells(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 702);
	struct dmawin_papr_phb_dt dt;

	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_int_equal(dt.n_ddw_extensions, 4);
	assert_int_equal(dt.ddw_extensions[0], 3);
	assert_int_equal(dt.ddw_extensions[1], 0x2029);
	assert_int_equal(dt.ddw_extensions[2], 1);
	assert_int_equal(dt.ddw_extensions[3], 1);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	dmawin_papr_destroy(m);
}

/* Below 7.1 the 6-output query is not offered: the cell in between is 0. */
static void test_dt_extensions_with_property_compat_7_0_query_cell_zero(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 700);
	struct dmawin_papr_phb_dt dt;

	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_int_equal(dt.n_ddw_extensions, 4);
	assert_int_equal(dt.ddw_extensions[0], 3);
	assert_int_equal(dt.ddw_extensions[2], 0);
	assert_int_equal(dt.ddw_extensions[3], 1);
	dmawin_papr_destroy(m);
}

/* QEMU (no property) refuses a 4-input reset with -3 and changes nothing. */
static void test_reset_four_inputs_without_property_param_error(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(false, GB4, 702);
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(reset4(m, 1), DMAWIN_PAPR_RTAS_PARAM_ERROR);
	assert_int_equal(
		dmawin_papr_rtas_reset_pe_dma_window_mode(m, 0, BUID_HI(BUID0), BUID_LO(BUID0), 0),
		DMAWIN_PAPR_RTAS_PARAM_ERROR);
	assert_true(enabled(m, LIOBN1));
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	dmawin_papr_destroy(m);
}

/* 4 inputs with 1: the DDWs go, the default window comes back, the PHB is in the mode; the
 * 3-input reset takes it out again, as does a 4-input reset with 0. */
static void test_reset_four_inputs_enters_and_leaves_mode(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 702);
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(reset4(m, 1), 0);
	assert_false(enabled(m, LIOBN1));
	assert_true(enabled(m, LIOBN0));
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 1);
	assert_int_equal(reset3(m), 0);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(reset4(m, 0), 0);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	dmawin_papr_destroy(m);
}

/* A fourth input other than 0/1, an unknown BUID or a wrong output count: -3, nothing changes. */
static void test_reset_mode_bad_input_changes_nothing(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 702);
	const uint32_t args[4] = {0, BUID_HI(BUID0), BUID_LO(BUID0), 1};
	uint32_t rets[2], liobn;
	uint64_t start;

	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(reset4(m, 2), DMAWIN_PAPR_RTAS_PARAM_ERROR);
	assert_int_equal(dmawin_papr_rtas_reset_pe_dma_window_mode(m, 0, 0, 1, 1),
			 DMAWIN_PAPR_RTAS_PARAM_ERROR);
	assert_int_equal(
		dmawin_papr_rtas(m, DMAWIN_PAPR_RTAS_RESET_PE_DMA_WINDOW, 4, args, 2, rets),
		DMAWIN_PAPR_RTAS_PARAM_ERROR);
	assert_true(enabled(m, LIOBN1));
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 1);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 1), -ENOENT);
	dmawin_papr_destroy(m);
}

/* With the default window still there a DDW is at dma64_win_addr in both modes; with it
 * removed, QEMU placement puts the DDW at dma_win_addr (0), limited mode at 4 GiB. */
static void test_limited_mode_ddw_never_at_dma_win_addr(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 702);
	uint32_t liobn;
	uint64_t start = 1;

	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(start, GB4);
	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(liobn, LIOBN0);
	assert_int_equal(start, GB4);
	/* removing that last DDW auto-restores the default window and keeps the mode */
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_true(enabled(m, LIOBN0));
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 1);
	dmawin_papr_destroy(m);
}

/* On a classic PHB the mode does not move the DDW below 1 << 59: it is where dma64_win_addr is. */
static void test_limited_mode_classic_phb_ddw_at_1_59(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR, 702);
	uint32_t liobn;
	uint64_t start = 0;

	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(start, DMAWIN_PAPR_DEFAULT_DMA64_WIN_ADDR);
	dmawin_papr_destroy(m);
}

/* The property needs ddw on and dma64_win_addr >= 4 GiB. */
static void test_config_limited_addr_needs_ddw_and_4g(void **state)
{
	(void)state;
	struct dmawin_papr_config cfg;
	char why[200] = "";

	dmawin_papr_config_init(&cfg);
	assert_false(cfg.phbs[0].ddw_limited_addr);
	cfg.phbs[0].ddw_limited_addr = true;
	assert_int_equal(dmawin_papr_config_check(&cfg, why, sizeof(why)), 0);
	cfg.phbs[0].dma64_win_addr = 2 * GiB;
	assert_int_equal(dmawin_papr_config_check(&cfg, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "ddw_limited_addr"));
	cfg.phbs[0].dma64_win_addr = GB4;
	cfg.phbs[0].ddw = false;
	assert_int_equal(dmawin_papr_config_check(&cfg, why, sizeof(why)), -EINVAL);
	cfg.phbs[0].ddw_limited_addr = false;
	assert_int_equal(dmawin_papr_config_check(&cfg, why, sizeof(why)), 0);
}

/* Machine reset and snapshot restore (the format has no room for the mode) end the mode;
 * the restored windows are those saved. */
static void test_machine_reset_and_restore_leave_mode(void **state)
{
	(void)state;
	struct dmawin_papr *m = machine(true, GB4, 702);
	char path[256], why[160] = "";
	uint32_t liobn;
	uint64_t start;
	struct dmawin_papr_window_info w;

	snprintf(path, sizeof(path), "%s/dw_limited_%d.snap", papr_test_tmpdir(), (int)getpid());
	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(dmawin_papr_reset(m), 0);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	assert_int_equal(reset4(m, 1), 0);
	assert_int_equal(create(m, 16, 28, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_snapshot_save(m, path), 0);
	assert_int_equal(dmawin_papr_snapshot_restore(m, path, why, sizeof(why)), 0);
	unlink(path);
	assert_int_equal(dmawin_papr_phb_limited_addr(m, 0), 0);
	assert_int_equal(dmawin_papr_window_info(m, LIOBN1, &w), 0);
	assert_true(w.enabled);
	assert_int_equal(w.bus_offset, GB4);
	dmawin_papr_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dt_extensions_without_property_unchanged),
		cmocka_unit_test(test_dt_extensions_with_property_four_cells),
		cmocka_unit_test(test_dt_extensions_with_property_compat_7_0_query_cell_zero),
		cmocka_unit_test(test_reset_four_inputs_without_property_param_error),
		cmocka_unit_test(test_reset_four_inputs_enters_and_leaves_mode),
		cmocka_unit_test(test_reset_mode_bad_input_changes_nothing),
		cmocka_unit_test(test_limited_mode_ddw_never_at_dma_win_addr),
		cmocka_unit_test(test_limited_mode_classic_phb_ddw_at_1_59),
		cmocka_unit_test(test_config_limited_addr_needs_ddw_and_4g),
		cmocka_unit_test(test_machine_reset_and_restore_leave_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
