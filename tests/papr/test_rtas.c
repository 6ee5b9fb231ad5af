/* SPDX-License-Identifier: MIT */
/* The DDW RTAS calls: one test per check and status of spec papr-ddw.md §3, plus §4 defaults. */
#include "papr_test.h"

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

static int32_t query(struct dmawin_papr *m, uint32_t nret, uint32_t *rets,
		     struct dmawin_papr_ddw_query *q)
{
	return dmawin_papr_rtas_query_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0), nret,
						    rets, q);
}

static void window(struct dmawin_papr *m, uint32_t liobn, struct dmawin_papr_window_info *w)
{
	assert_int_equal(dmawin_papr_window_info(m, liobn, w), 0);
}

/* §4: LIOBN 0x80000000|(index<<8)|n, BUID 0x800000020000000+index, default window 1 GiB of
 * 4K pages at 0 (262144 TCEs), default flag on LIOBN#0. */
static void test_defaults_liobn_buid_default_window(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;
	struct dmawin_papr_phb_dt dt;

	window(m, LIOBN0, &w);
	assert_true(w.enabled);
	assert_true(w.is_default);
	assert_int_equal(w.bus_offset, 0);
	assert_int_equal(w.page_shift, 12);
	assert_int_equal(w.nb_table, 262144);
	assert_int_equal(w.size, 1 * GiB);
	window(m, LIOBN1, &w);
	assert_false(w.enabled);
	assert_int_equal(dmawin_papr_window_info(m, 0x80000002, &w), -ENOENT);
	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_int_equal(dt.buid, BUID0);
	/* trace: ibm,dma-window = 80000000 00000000 00000000 00000000 40000000 */
	assert_int_equal(dt.dma_window[0], 0x80000000);
	assert_int_equal(dt.dma_window[1], 0);
	assert_int_equal(dt.dma_window[2], 0);
	assert_int_equal(dt.dma_window[3], 0);
	assert_int_equal(dt.dma_window[4], 0x40000000);
	assert_true(dt.has_ddw);
	assert_int_equal(dt.ddw_applicable[0], 0x2026);
	assert_int_equal(dt.ddw_applicable[1], 0x2027);
	assert_int_equal(dt.ddw_applicable[2], 0x2028);
	/* ibm,ddw-extensions = <2 0x2029 1> */
	assert_int_equal(dt.n_ddw_extensions, 3);
	assert_int_equal(dt.ddw_extensions[0], 2);
	assert_int_equal(dt.ddw_extensions[1], 0x2029);
	assert_int_equal(dt.ddw_extensions[2], 1);
	assert_true(dt.hcall_multi_tce);
}

/* §4 with a second PHB: LIOBN 0x80000100 / 0x80000101, BUID 0x800000020000001. */
static void test_second_phb_liobn_and_buid(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr_window_info w;
	struct dmawin_papr *m;
	uint32_t liobn;
	uint64_t start;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	cfg.nr_phbs = 2;
	dmawin_papr_phb_config_init(&cfg.phbs[1], 1);
	m = papr_test_machine_cfg(&cfg);
	window(m, 0x80000100, &w);
	assert_true(w.is_default);
	assert_int_equal(w.phb_index, 1);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, 0x80000100, 0, 0, 512), H_SUCCESS);
	assert_int_equal(dmawin_papr_rtas_create_pe_dma_window(m, 0, BUID_HI(BUID0 + 1),
							       BUID_LO(BUID0 + 1), 16, 30, &liobn,
							       &start),
			 0);
	assert_int_equal(liobn, 0x80000101);
	assert_int_equal(dmawin_papr_phb_find(m, 1), 1);
	assert_int_equal(dmawin_papr_phb_find(m, 2), -ENOENT);
	dmawin_papr_destroy(m);
}

/* §3 query, 5 outputs: rets = 0, avail, 0x80000000, mask, 0; mask 0x107 from pgsz 0x1211000. */
static void test_query_5_outputs_values(void **state)
{
	uint32_t rets[5];
	struct dmawin_papr_ddw_query q;

	assert_int_equal(query(*state, 5, rets, &q), 0);
	assert_int_equal(rets[0], 0);
	assert_int_equal(rets[1], 1);
	assert_int_equal(rets[2], 0x80000000);
	assert_int_equal(rets[3], 0x107);
	assert_int_equal(rets[4], 0);
	assert_int_equal(q.largest_block, 0x80000000);
}

/* §3 query, 6 outputs: rets = 0, avail, 0x20, 0x0, mask, 0 (trace `lb=2000000000`, `wn=1`,
 * `ps=107`); the trace event prints max window size 0x80000000 anyway. */
static void test_query_6_outputs_values_and_trace(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};
	uint32_t rets[6];
	struct dmawin_papr_ddw_query q;

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(query(m, 6, rets, &q), 0);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(rets[1], 1);
	assert_int_equal(rets[2], 0x20);
	assert_int_equal(rets[3], 0);
	assert_int_equal(rets[4], 0x107);
	assert_int_equal(rets[5], 0);
	assert_int_equal(q.largest_block, 0x2000000000ull);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_DDW_QUERY);
	assert_int_equal(r.ev[0].buid, BUID0);
	assert_int_equal(r.ev[0].windows_available, 1);
	assert_int_equal(r.ev[0].max_window_size, 0x80000000);
	assert_int_equal(r.ev[0].mask, 0x107);
}

/* §3 query "nargs != 3 or nret ∉ {5,6} → -3" (generic entry). */
static void test_query_bad_nargs_nret_param_error(void **state)
{
	struct dmawin_papr *m = *state;
	uint32_t args[4] = {0, BUID_HI(BUID0), BUID_LO(BUID0), 0}, rets[8] = {0};

	assert_int_equal(dmawin_papr_rtas(m, 0x2026, 3, args, 4, rets), -3);
	assert_int_equal((int32_t)rets[0], -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2026, 3, args, 7, rets), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2026, 4, args, 5, rets), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2026, 3, args, 5, rets), 0);
	assert_int_equal(rets[1], 1);
	assert_int_equal(rets[2], 0x80000000);
	/* unknown token: -3 */
	assert_int_equal(dmawin_papr_rtas(m, 0x2030, 3, args, 5, rets), -3);
}

/* §3 query "no such PHB or ddw off → -3". */
static void test_query_unknown_buid_or_ddw_off_param_error(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr *m;
	uint32_t rets[6];

	assert_int_equal(dmawin_papr_rtas_query_pe_dma_window(*state, 0, BUID_HI(BUID0),
							      BUID_LO(BUID0) + 1, 5, rets, NULL),
			 -3);
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	cfg.phbs[0].ddw = false;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(query(m, 5, rets, NULL), -3);
	assert_int_equal(create_ddw(m, 16, 30, NULL, NULL), -3);
	assert_int_equal(dmawin_papr_rtas_reset_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0)),
			 -3);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), -3);
	dmawin_papr_destroy(m);
}

/* §3 "Windows Available = 2 − number of enabled windows". */
static void test_query_windows_available_counts_enabled(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_ddw_query q;

	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(query(m, 6, NULL, &q), 0);
	assert_int_equal(q.windows_available, 0);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(query(m, 6, NULL, &q), 0);
	assert_int_equal(q.windows_available, 1);
}

/* §3 create, the trace's call: page size 0x1000000, requested 0x80000000 →
 * start 0x800000000000000, liobn 0x80000001; new_table precedes ddw_create. */
static void test_create_trace_values(void **state)
{
	struct dmawin_papr *m = *state;
	uint32_t args[5] = {0, BUID_HI(BUID0), BUID_LO(BUID0), 0x18, 0x1f}, rets[4];
	struct trace_rec r = {0};
	struct dmawin_papr_window_info w;

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_rtas(m, 0x2027, 5, args, 4, rets), 0);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(rets[0], 0);
	assert_int_equal(rets[1], 0x80000001);
	assert_int_equal(rets[2], 0x08000000);
	assert_int_equal(rets[3], 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_NEW_TABLE);
	assert_int_equal(r.ev[0].liobn, 0x80000001);
	assert_int_equal(r.ev[1].type, DMAWIN_PAPR_TR_DDW_CREATE);
	assert_int_equal(r.ev[1].page_size, 0x1000000);
	assert_int_equal(r.ev[1].requested, 0x80000000);
	assert_int_equal(r.ev[1].start, 0x800000000000000ull);
	assert_int_equal(r.ev[1].liobn, 0x80000001);
	window(m, LIOBN1, &w);
	assert_int_equal(w.nb_table, 128);
	assert_false(w.is_default);
}

/* §3 create step 1 "nargs != 5 || nret != 4 → -3". */
static void test_create_bad_nargs_nret_param_error(void **state)
{
	uint32_t args[6] = {0, BUID_HI(BUID0), BUID_LO(BUID0), 0x18, 0x1f, 0}, rets[5];

	assert_int_equal(dmawin_papr_rtas(*state, 0x2027, 4, args, 4, rets), -3);
	assert_int_equal(dmawin_papr_rtas(*state, 0x2027, 5, args, 3, rets), -3);
	assert_int_equal(dmawin_papr_rtas(*state, 0x2027, 6, args, 4, rets), -3);
	assert_int_equal(dmawin_papr_rtas(*state, 0x2027, 5, args, 5, rets), -3);
}

/* §3 create step 2 "PHB not found → -3". */
static void test_create_unknown_buid_param_error(void **state)
{
	assert_int_equal(dmawin_papr_rtas_create_pe_dma_window(*state, 0, 0, 1, 16, 30, NULL, NULL),
			 -3);
}

/* §3 create step 3 "page size not in mask or window_shift < page_shift → -3"; §10 "reject
 * page_shift > 63 with -3". */
static void test_create_bad_page_or_window_shift_param_error(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(create_ddw(m, 25, 31, NULL, NULL), -3); /* 32M not in pgsz */
	assert_int_equal(create_ddw(m, 13, 31, NULL, NULL), -3);
	assert_int_equal(create_ddw(m, 24, 23, NULL, NULL), -3);
	assert_int_equal(create_ddw(m, 64, 80, NULL, NULL), -3);
	assert_int_equal(create_ddw(m, 0xffffffff, 0xffffffff, NULL, NULL), -3);
	assert_int_equal(create_ddw(m, 21, 21, NULL, NULL), 0); /* 2M, one page: fine */
}

/* §3 create step 4 "no free LIOBN or active windows == 2 → -1". */
static void test_create_no_free_window_hw_error(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(create_ddw(m, 16, 30, NULL, NULL), 0);
	assert_int_equal(create_ddw(m, 16, 30, NULL, NULL), -1);
}

/* §3 create step 6 "(window_shift − page_shift) ≥ 32 → -1" (QEMU's uint32 nb_table), and
 * 2^31 TCEs is the real maximum. Nothing is left enabled. */
static void test_create_too_many_tces_hw_error(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;

	assert_int_equal(create_ddw(m, 12, 44, NULL, NULL), -1);
	window(m, LIOBN1, &w);
	assert_false(w.enabled);
	assert_int_equal(create_ddw(m, 12, 43, NULL, NULL), 0);
	window(m, LIOBN1, &w);
	assert_int_equal(w.nb_table, 1ull << 31);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN1, (1ull << 59) + (1ull << 43) - 4096, 3),
			 H_SUCCESS);
}

/* §4 "Windows must not overlap each other or the MSI window (QEMU does not check; dmawin should
 * refuse)": a 16 TiB window at 0 would cover 0x40000000000. */
static void test_create_over_msi_window_param_error(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create_ddw(m, 24, 44, NULL, NULL), -3);
	assert_int_equal(create_ddw(m, 24, 42, NULL, NULL), 0); /* 4 TiB: ends at the MSI window */
}

/* §3 create step 5 / §9.7: "first window at dma_win_addr (0) if none active": remove the
 * default window, create → LIOBN#0 at bus 0. */
static void test_remove_default_then_create_lands_at_zero(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	window(m, LIOBN0, &w);
	assert_false(w.enabled); /* removing the default window does not restore it */
	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(liobn, LIOBN0);
	assert_int_equal(start, 0);
	window(m, LIOBN0, &w);
	assert_false(w.is_default);
	assert_int_equal(w.page_shift, 24);
	/* the second one goes to dma64_win_addr */
	assert_int_equal(create_ddw(m, 16, 30, &liobn, &start), 0);
	assert_int_equal(liobn, LIOBN1);
	assert_int_equal(start, 1ull << 59);
}

/* §3 remove "nargs != 1 || nret != 1 → -3; LIOBN not found → -3; window not enabled → -3". */
static void test_remove_bad_args_unknown_or_disabled_param_error(void **state)
{
	struct dmawin_papr *m = *state;
	uint32_t args[2] = {LIOBN1, 0}, rets[2];

	assert_int_equal(dmawin_papr_rtas(m, 0x2028, 2, args, 1, rets), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2028, 1, args, 2, rets), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2028, 1, args, 1, rets), -3); /* not enabled */
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, 0x80000077), -3);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, 0x1), -3);
}

/* §3 remove: the DDW goes, the default stays; remove is traced; no check that it is empty. */
static void test_remove_ddw_keeps_default(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;
	struct trace_rec r = {0};

	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN1, 1ull << 59, 0x3), H_SUCCESS);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN1), 0);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_DDW_REMOVE);
	assert_int_equal(r.ev[0].liobn, LIOBN1);
	window(m, LIOBN1, &w);
	assert_false(w.enabled);
	window(m, LIOBN0, &w);
	assert_true(w.is_default);
}

/* §3 remove, LoPAR R1-3 / QEMU ≥ 7.1: the last window removed and it was not the default →
 * default restored, traced as ddw_reset with addr 0. */
static void test_remove_last_ddw_restores_default(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;
	struct trace_rec r = {0};

	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN1, 1ull << 59, 0x3), H_SUCCESS);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN1), 0);
	dmawin_papr_set_trace(m, NULL, NULL);
	window(m, LIOBN0, &w);
	assert_true(w.enabled);
	assert_true(w.is_default);
	assert_int_equal(w.nb_table, 262144);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_DDW_REMOVE);
	assert_int_equal(r.ev[r.n - 1].type, DMAWIN_PAPR_TR_DDW_RESET);
	assert_int_equal(r.ev[r.n - 1].buid, BUID0);
	assert_int_equal(r.ev[r.n - 1].cfgaddr, 0);
}

/* §3 quirk, §10 "track default per window instance": default removed, a DDW lands on LIOBN#0;
 * removing that DDW (the last window) restores the default, where QEMU would not. */
static void test_remove_ddw_on_liobn0_restores_default(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_window_info w;
	uint32_t liobn;

	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create_ddw(m, 24, 31, &liobn, NULL), 0);
	assert_int_equal(liobn, LIOBN0);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	window(m, LIOBN0, &w);
	assert_true(w.enabled);
	assert_true(w.is_default);
	assert_int_equal(w.page_shift, 12);
}

/* §3 reset: "disable every enabled window, re-enable LIOBN#0 ... fresh zeroed table"; bad
 * nargs/nret → -3. */
static void test_reset_restores_zeroed_default(void **state)
{
	struct dmawin_papr *m = *state;
	/* a fourth cell for the 4-input call: QEMU (no ddw_limited_addr) refuses it */
	uint32_t args[4] = {0, BUID_HI(BUID0), BUID_LO(BUID0), 1}, rets[2];
	struct dmawin_papr_window_info w;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x1000, 0x3003), H_SUCCESS);
	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(dmawin_papr_rtas(m, 0x2029, 3, args, 2, rets), -3);
	assert_int_equal(dmawin_papr_rtas(m, 0x2029, 4, args, 1, rets), -3);
	assert_int_equal(dmawin_papr_rtas_reset_pe_dma_window(m, 0, BUID_HI(BUID0), 7), -3);
	window(m, LIOBN1, &w);
	assert_true(w.enabled); /* the failed calls changed nothing */
	assert_int_equal(dmawin_papr_rtas(m, 0x2029, 3, args, 1, rets), 0);
	assert_int_equal(rets[0], 0);
	window(m, LIOBN1, &w);
	assert_false(w.enabled);
	window(m, LIOBN0, &w);
	assert_true(w.is_default);
	assert_int_equal(get_tce(m, LIOBN0, 0x1000), 0);
}

/* ibm,reset-pe-dma-window resets windows, not EEH: a frozen PE stays frozen; a machine reset
 * (LoPAR R1-5, reboot) restores the windows and thaws the PE. */
static void test_reset_keeps_eeh_machine_reset_clears_it(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_pe *pe = dmawin_papr_phb_pe(m, 0);
	struct dmawin_papr_window_info w;

	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(dmawin_pe_eeh_freeze(pe), 0);
	assert_int_equal(
		dmawin_papr_rtas_reset_pe_dma_window(m, 0, BUID_HI(BUID0), BUID_LO(BUID0)), 0);
	assert_int_equal(dmawin_pe_eeh_state(pe), DMAWIN_PE_EEH_STOPPED);
	assert_int_equal(create_ddw(m, 24, 31, NULL, NULL), 0);
	assert_int_equal(dmawin_papr_reset(m), 0);
	assert_int_equal(dmawin_pe_eeh_state(pe), DMAWIN_PE_EEH_NORMAL);
	window(m, LIOBN1, &w);
	assert_false(w.enabled);
	window(m, LIOBN0, &w);
	assert_true(w.is_default);
}

/* §3 RTAS entered through KVMPPC_H_RTAS: big-endian cells in guest memory. */
static void test_rtas_buffer_in_guest_memory(void **state)
{
	struct dmawin_papr *m = *state;
	const uint32_t cells[3 + 3] = {0x2026, 3, 6, 0, BUID_HI(BUID0), BUID_LO(BUID0)};
	uint32_t be[12] = {0};
	uint64_t args[4] = {0x10000, 0, 0, 0};

	for (unsigned i = 0; i < 6; i++)
		be[i] = __builtin_bswap32(cells[i]);
	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), 0x10000, be, sizeof(be)), 0);
	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_RTAS, args, NULL), H_SUCCESS);
	assert_int_equal(dmawin_mem_read(dmawin_papr_mem(m), 0x10000, be, sizeof(be)), 0);
	assert_int_equal(__builtin_bswap32(be[6]), 0);
	assert_int_equal(__builtin_bswap32(be[7]), 1);
	assert_int_equal(__builtin_bswap32(be[8]), 0x20);
	assert_int_equal(__builtin_bswap32(be[9]), 0);
	assert_int_equal(__builtin_bswap32(be[10]), 0x107);
	args[0] = 64 * GiB;
	assert_int_equal(dmawin_papr_rtas_buffer(m, 64 * GiB), -EFAULT);
	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_RTAS, args, NULL), H_PARAMETER);
}

/* §3 "pseries ≤ 4.1 use pgsz=0x11000 (→ 0x3); 4.2–7.0 ... advertised 0x7"; before 7.1 no
 * 6-output query (extensions <1 0x2029>) and no auto-restore. */
static void test_compat_before_7_1(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr_phb_dt dt;
	struct dmawin_papr_ddw_query q;
	struct dmawin_papr_window_info w;
	struct dmawin_papr *m;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	assert_int_equal(dmawin_papr_config_set_compat(&cfg, 700), 0);
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(query(m, 5, NULL, &q), 0);
	assert_int_equal(q.page_size_mask, 0x7);
	assert_int_equal(query(m, 6, NULL, &q), -3);
	assert_int_equal(dmawin_papr_phb_dt(m, 0, &dt), 0);
	assert_int_equal(dt.n_ddw_extensions, 2);
	assert_int_equal(dt.ddw_extensions[0], 1);
	assert_int_equal(create_ddw(m, 21, 31, NULL, NULL), 0); /* 2M still accepted */
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN1), 0);
	window(m, LIOBN0, &w);
	assert_false(w.enabled);
	dmawin_papr_destroy(m);

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	assert_int_equal(dmawin_papr_config_set_compat(&cfg, 401), 0);
	assert_int_equal(cfg.phbs[0].pgsz, 0x11000);
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(query(m, 5, NULL, &q), 0);
	assert_int_equal(q.page_size_mask, 0x3);
	dmawin_papr_destroy(m);
	assert_int_equal(dmawin_papr_config_set_compat(&cfg, 703), -EINVAL);
}

/* max_windows 1 models "0 windows available" at boot (spec §5 hazard); placement SLOT fixes
 * slot 0 at dma_win_addr and slot 1 at dma64_win_addr; dma64_win_addr=4GB mode (seed 000). */
static void test_max_windows_one_and_placements(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr_ddw_query q;
	struct dmawin_papr *m;
	uint32_t liobn;
	uint64_t start;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	cfg.phbs[0].max_windows = 1;
	cfg.phbs[0].dma64_win_addr = DMAWIN_PAPR_DMA64_WIN_ADDR_4GB;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(query(m, 6, NULL, &q), 0);
	assert_int_equal(q.windows_available, 0);
	assert_int_equal(create_ddw(m, 16, 32, NULL, NULL), -1);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create_ddw(m, 16, 32, &liobn, &start), 0);
	assert_int_equal(start, 0);
	dmawin_papr_destroy(m);

	/* QEMU placement: DDW in slot 1 at 4 GiB, default removed, the next create would land on
	 * dma64_win_addr again, over the DDW: refused (QEMU would overlap them) */
	cfg.phbs[0].max_windows = 2;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(create_ddw(m, 16, 32, &liobn, &start), 0);
	assert_int_equal(start, 4 * GiB);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create_ddw(m, 16, 30, &liobn, &start), -3);
	dmawin_papr_destroy(m);
	/* SLOT placement: the same sequence puts the new window in slot 0 at dma_win_addr */
	cfg.phbs[0].placement = DMAWIN_PAPR_PLACE_SLOT;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(create_ddw(m, 16, 32, &liobn, &start), 0);
	assert_int_equal(start, 4 * GiB);
	assert_int_equal(dmawin_papr_rtas_remove_pe_dma_window(m, LIOBN0), 0);
	assert_int_equal(create_ddw(m, 16, 30, &liobn, &start), 0);
	assert_int_equal(liobn, LIOBN0);
	assert_int_equal(start, 0);
	dmawin_papr_destroy(m);
}

/* A TCE budget (PowerVM/SR-IOV-like, seed 001): the query's largest block shrinks and a larger
 * create is refused with -3. */
static void test_tce_budget_limits_query_and_create(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_papr_ddw_query q;
	struct dmawin_papr *m;

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 64 * MiB;
	cfg.phbs[0].tce_budget = 4096;
	m = papr_test_machine_cfg(&cfg);
	assert_int_equal(query(m, 6, NULL, &q), 0);
	assert_int_equal(q.largest_block, 4096);
	assert_int_equal(create_ddw(m, 16, 29, NULL, NULL), -3); /* 8192 TCEs */
	assert_int_equal(create_ddw(m, 16, 28, NULL, NULL), 0);	 /* 4096 TCEs */
	assert_int_equal(query(m, 6, NULL, &q), 0);
	assert_int_equal(q.largest_block, 0);
	dmawin_papr_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_defaults_liobn_buid_default_window),
		cmocka_unit_test(test_second_phb_liobn_and_buid),
		T(test_query_5_outputs_values),
		T(test_query_6_outputs_values_and_trace),
		T(test_query_bad_nargs_nret_param_error),
		T(test_query_unknown_buid_or_ddw_off_param_error),
		T(test_query_windows_available_counts_enabled),
		T(test_create_trace_values),
		T(test_create_bad_nargs_nret_param_error),
		T(test_create_unknown_buid_param_error),
		T(test_create_bad_page_or_window_shift_param_error),
		T(test_create_no_free_window_hw_error),
		T(test_create_too_many_tces_hw_error),
		T(test_create_over_msi_window_param_error),
		T(test_remove_default_then_create_lands_at_zero),
		T(test_remove_bad_args_unknown_or_disabled_param_error),
		T(test_remove_ddw_keeps_default),
		T(test_remove_last_ddw_restores_default),
		T(test_remove_ddw_on_liobn0_restores_default),
		T(test_reset_restores_zeroed_default),
		T(test_reset_keeps_eeh_machine_reset_clears_it),
		T(test_rtas_buffer_in_guest_memory),
		cmocka_unit_test(test_compat_before_7_1),
		cmocka_unit_test(test_max_windows_one_and_placements),
		cmocka_unit_test(test_tce_budget_limits_query_and_create),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
