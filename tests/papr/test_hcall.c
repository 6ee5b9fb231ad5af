/* SPDX-License-Identifier: MIT */
/* The TCE hcalls in QEMU mode: one test per check and code of spec papr-ddw.md §2. */
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

/* §2 "Common lookup": "Not found → H_PARAMETER" (all four hcalls). */
static void test_lookup_unknown_liobn_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tce = 7;

	assert_int_equal(dmawin_papr_h_put_tce(m, 0x80000002, 0, 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, 0x80000100, 0, 3), H_PARAMETER); /* PHB 1 */
	assert_int_equal(dmawin_papr_h_put_tce(m, 0x1000, 0, 3), H_PARAMETER);	   /* VIO-like */
	assert_int_equal(dmawin_papr_h_get_tce(m, 0x80000002, 0, &tce), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, 0x80000002, 0, 0x10000, 1), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, 0x80000002, 0, 0, 1), H_PARAMETER);
	assert_int_equal(tce, 7);
}

/* §2 "if liobn & 0xFFFFFFFF00000000 → not found" (a negative MTT LIOBN too). */
static void test_lookup_liobn_high_bits_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_put_tce(m, 0x100000000ull | LIOBN0, 0, 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, (uint64_t)-1, 0, 3), H_PARAMETER);
	assert_int_equal(get_tce(m, LIOBN0, 0), 0);
}

/* §2 "A table that exists but is disabled (nb_table == 0) fails the bounds check". */
static void test_lookup_disabled_table_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tce;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN1, 0, 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_get_tce(m, LIOBN1, 0, &tce), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN1, 0, 0, 1), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN1, 0, 0x10000, 1), H_PARAMETER);
}

/* §2 "index = (ioba - bus_offset) >> page_shift (unsigned, so ioba < bus_offset wraps)". */
static void test_bounds_ioba_below_window_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(start, 1ull << 59);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, start - (16 * MiB), 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, 0, 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, start, 0x1000003), H_SUCCESS);
}

/* §2 "index >= nb_table → H_PARAMETER": the last entry works, the next does not. */
static void test_bounds_index_past_nb_table_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 1 * GiB - 4096, 3), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 1 * GiB, 3), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, UINT64_MAX, 3), H_PARAMETER);
}

/* §2 H_PUT_TCE "ioba &= ~(pgsz-1) (misaligned ioba is silently truncated, not rejected)". */
static void test_put_tce_misaligned_ioba_truncated_success(void **state)
{
	struct dmawin_papr *m = *state;
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x1fff, 0x5000003), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 0x1000), 0x5000003);
	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, start + 16 * MiB + 12345, 0x2000003),
			 H_SUCCESS);
	assert_int_equal(get_tce(m, liobn, start + 16 * MiB), 0x2000003);
}

/* §2 H_PUT_TCE "table[index] = tce (no check of the address, the reserved bits or the
 * permission bits)" and H_GET_TCE "r4 = the raw stored 64-bit value". */
static void test_put_tce_stores_any_value_verbatim(void **state)
{
	struct dmawin_papr *m = *state;
	const uint64_t values[] = {0xfffffffffffff7ffull, 0x7ff, 0xdead0000beef0ffcull, 1, 2, 0};

	for (unsigned i = 0; i < ARRAY_SIZE(values); i++) {
		assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x3000, values[i]), H_SUCCESS);
		assert_int_equal(get_tce(m, LIOBN0, 0x3000), values[i]);
	}
}

/* §2 H_GET_TCE "On error r4 is not written". */
static void test_get_tce_error_leaves_r4(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t r4 = 0x1234;

	assert_int_equal(dmawin_papr_h_get_tce(m, LIOBN0, 2 * GiB, &r4), H_PARAMETER);
	assert_int_equal(r4, 0x1234);
}

/* §1 "a freshly enabled window is all zero". */
static void test_get_tce_fresh_window_zero(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(get_tce(m, LIOBN0, 0), 0);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 4096), 0);
}

/* §7 "put/get are traced on every call (also unknown LIOBN)" with the masked ioba (raw when
 * the liobn was not found), ret printed signed; get prints the tce. */
static void test_put_get_trace_every_call(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};
	uint64_t tce;

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	dmawin_papr_h_put_tce(m, LIOBN0, 0x1234, 0x631f003);
	dmawin_papr_h_put_tce(m, 0x80000005, 0x1234, 0x3);
	dmawin_papr_h_get_tce(m, LIOBN0, 0x1234, &tce);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_PUT);
	assert_true(r.ev[0].pci);
	assert_int_equal(r.ev[0].ioba, 0x1000);
	assert_int_equal(r.ev[0].tce, 0x631f003);
	assert_int_equal(r.ev[0].ret, 0);
	assert_int_equal(r.ev[1].ioba, 0x1234);
	assert_int_equal(r.ev[1].ret, -4);
	assert_int_equal(r.ev[2].type, DMAWIN_PAPR_TR_GET);
	assert_int_equal(r.ev[2].tce, 0x631f003);
	assert_int_equal(r.ev[2].ioba, 0x1000);
}

/* §2 INDIRECT step 2 "npages > 512 → H_PARAMETER", not traced (§7). */
static void test_indirect_npages_over_512_h_parameter_untraced(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 513), H_PARAMETER);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, 0x80000007, 0, 0x100000, 1),
			 H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 0);
}

/* §2 INDIRECT step 2 "tce_list & 0xFFF (list must be 4 KiB aligned, independent of the window
 * page size) → H_PARAMETER", not traced. */
static void test_indirect_misaligned_list_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	const uint64_t tces[1] = {0x1000003};
	struct trace_rec r = {0};
	uint32_t liobn;
	uint64_t start;

	put_list(m, 0x101000, tces, 1);
	put_list(m, 0x100008, tces, 1);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100008, 1), H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 0);
	assert_int_equal(get_tce(m, LIOBN0, 0), 0);
	/* 4K-aligned list into a 16M-page window: fine */
	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, liobn, start, 0x101000, 1), H_SUCCESS);
	assert_int_equal(get_tce(m, liobn, start), 0x1000003);
}

/* §2 INDIRECT step 5 "npages == 0 → returns H_PARAMETER" (and it is traced: the early checks
 * passed). */
static void test_indirect_npages_zero_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0, 0x100000, 0), H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].ret, -4);
	assert_int_equal(r.ev[0].iobaN, 0);
}

/* §2 INDIRECT step 4 "stop at the first failure (entries already written stay written —
 * partial update), return that error"; §7 trace: iobaN = last good index, tceN = last read. */
static void test_indirect_partial_write_keeps_earlier_entries(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tces[8];
	struct trace_rec r = {0};

	for (unsigned i = 0; i < 8; i++)
		tces[i] = (0x1000000 + i * 4096) | 3;
	put_list(m, 0x200000, tces, 8);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	/* the window ends at 1 GiB: entries 0..4 fit, entry 5 is out */
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 1 * GiB - 5 * 4096, 0x200000, 8),
			 H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - (5 - i) * 4096), tces[i]);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].iobaN, 4);
	assert_int_equal(r.ev[0].tceN, tces[5]);
	assert_int_equal(r.ev[0].ioba, 1 * GiB - 5 * 4096);
	assert_int_equal(r.ev[0].tce, 0x200000);
}

/* §2 INDIRECT step 4: the first entry already out → nothing written, iobaN 0. */
static void test_indirect_first_entry_out_writes_nothing(void **state)
{
	struct dmawin_papr *m = *state;
	const uint64_t tces[2] = {0x3003, 0x4003};
	struct trace_rec r = {0};

	put_list(m, 0x200000, tces, 2);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 1 * GiB, 0x200000, 2),
			 H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.ev[0].iobaN, 0);
	assert_int_equal(r.ev[0].tceN, 0x3003);
}

/* §2 INDIRECT step 4 "read big-endian u64 at guest-physical tce_list + 8*i"; step 3 ioba
 * masked; §7 "iobaN is an index, not an address (trace: iobaN=0x7f after 128 TCEs)" and ioba
 * as passed. The trace's own call: 128 16M TCEs at 1<<59 (tceN=0x7f000003). */
static void test_indirect_trace_line_of_real_ddw_mapping(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t tces[128];
	struct trace_rec r = {0};
	uint32_t liobn;
	uint64_t start;

	for (unsigned i = 0; i < 128; i++)
		tces[i] = ((uint64_t)i << 24) | 3;
	put_list(m, 0x20b0000, tces, 128);
	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, liobn, start, 0x20b0000, 128), 0);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].liobn, 0x80000001);
	assert_int_equal(r.ev[0].ioba, 0x800000000000000ull);
	assert_int_equal(r.ev[0].tce, 0x20b0000);
	assert_int_equal(r.ev[0].iobaN, 0x7f);
	assert_int_equal(r.ev[0].tceN, 0x7f000003);
	assert_int_equal(get_tce(m, liobn, start + 0x47 * 16 * MiB), 0x47000003);
}

/* §2 INDIRECT: the list is read with ldq_be_phys; bytes that are not RAM read as 0. */
static void test_indirect_list_outside_ram_reads_zero(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x5000, 0x7003), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_put_tce_indirect(m, LIOBN0, 0x5000, 64 * GiB, 1), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 0x5000), 0);
}

/* §2 H_STUFF_TCE "npages > nb_table → H_PARAMETER" before anything, not traced (§7). */
static void test_stuff_npages_over_nb_table_h_parameter_untraced(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 3, 262145), H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 0);
	assert_int_equal(get_tce(m, LIOBN0, 0), 0);
}

/* §2 H_STUFF_TCE "npages == 0 → H_PARAMETER" (traced). */
static void test_stuff_npages_zero_h_parameter(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 0), H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].ret, -4);
}

/* §2 H_STUFF_TCE "No 512 limit and no check of tce_value (any value may be stuffed, including
 * RW mappings of one page)"; the whole default window at once. */
static void test_stuff_no_512_cap_any_value_success(void **state)
{
	struct dmawin_papr *m = *state;

	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0x1000003, 262144), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 0), 0x1000003);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 4096), 0x1000003);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 262144), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 0x12345000), 0);
}

/* §2 H_STUFF_TCE "stop at first out-of-range (partial)"; §7 the trace prints the failing ioba. */
static void test_stuff_partial_at_window_end(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 1 * GiB - 2 * 4096 + 5, 0xabc003, 4),
			 H_PARAMETER);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 2 * 4096), 0xabc003);
	assert_int_equal(get_tce(m, LIOBN0, 1 * GiB - 4096), 0xabc003);
	assert_int_equal(r.ev[0].ioba, 1 * GiB);
	assert_int_equal(r.ev[0].npages, 4);
}

/* §7 "stuff prints the ioba after the loop": trace `ioba=0x200000 tcevalue=0x0 npages=512`
 * for a stuff starting at 0, and `put ioba=0x1000` freed by `stuff ioba=0x2000 npages=1`. */
static void test_stuff_trace_ioba_after_loop(void **state)
{
	struct dmawin_papr *m = *state;
	struct trace_rec r = {0};

	dmawin_papr_set_trace(m, trace_rec_fn, &r);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0, 0, 512), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x1000, 0x631f003), H_SUCCESS);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0x1000, 0, 1), H_SUCCESS);
	dmawin_papr_set_trace(m, NULL, NULL);
	assert_int_equal(r.ev[0].type, DMAWIN_PAPR_TR_STUFF);
	assert_int_equal(r.ev[0].ioba, 0x200000);
	assert_int_equal(r.ev[0].npages, 512);
	assert_int_equal(r.ev[2].ioba, 0x2000);
	assert_int_equal(get_tce(m, LIOBN0, 0x1000), 0);
}

/* §2 registers: the dispatcher by opcode; anything else is H_FUNCTION. */
static void test_hcall_dispatch_and_unknown_h_function(void **state)
{
	struct dmawin_papr *m = *state;
	uint64_t args[4] = {LIOBN0, 0x7000, 0x9003, 0}, rets[1] = {0};

	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_PUT_TCE, args, NULL), H_SUCCESS);
	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_GET_TCE, args, rets), H_SUCCESS);
	assert_int_equal(rets[0], 0x9003);
	args[2] = 0;
	args[3] = 1;
	assert_int_equal(dmawin_papr_hcall(m, DMAWIN_PAPR_H_STUFF_TCE, args, NULL), H_SUCCESS);
	assert_int_equal(get_tce(m, LIOBN0, 0x7000), 0);
	assert_int_equal(dmawin_papr_hcall(m, 0x24, args, NULL), DMAWIN_PAPR_H_FUNCTION);
	assert_int_equal(dmawin_papr_hcall(m, 0x13d, args, NULL), DMAWIN_PAPR_H_FUNCTION);
}

/* §6 translation (trace `spapr_iommu_xlate liobn=0x80000001 0x4750000 -> 0x4000000 perm=3
 * mask=0xffffff`; a miss `-> 0x0 perm=0 mask=0xffffffff` truncated from ~0). */
static void test_xlate_fields_match_trace(void **state)
{
	struct dmawin_papr *m = *state;
	struct dmawin_papr_xlate x;
	uint32_t liobn;
	uint64_t start;

	assert_int_equal(create_ddw(m, 24, 31, &liobn, &start), 0);
	assert_int_equal(dmawin_papr_h_put_tce(m, liobn, start + 0x4000000, 0x4000003), H_SUCCESS);
	assert_int_equal(dmawin_papr_xlate(m, liobn, 0x4750000, &x), 0);
	assert_int_equal(x.translated_addr, 0x4000000);
	assert_int_equal(x.perm, 3);
	assert_int_equal(x.addr_mask, 0xffffff);
	assert_int_equal(dmawin_papr_xlate(m, liobn, 1ull << 31, &x), 0);
	assert_int_equal(x.perm, 0);
	assert_int_equal(x.translated_addr, 0);
	assert_int_equal((uint32_t)x.addr_mask, 0xffffffffu);
	assert_int_equal(dmawin_papr_xlate(m, 0x80000009, 0, &x), -ENOENT);
}

/* Device DMA goes through pe and sees an hcall's TCE at once (§6 steps 2-4). */
static void test_put_tce_visible_to_device_dma(void **state)
{
	struct dmawin_papr *m = *state;
	const char msg[] = "dma through a TCE";
	char buf[sizeof(msg)] = "";

	assert_int_equal(dmawin_mem_write(dmawin_papr_mem(m), 0x3000010, msg, sizeof(msg)), 0);
	assert_int_equal(dmawin_papr_dma_read(m, 0, 0x5010, buf, sizeof(buf)), -EFAULT);
	assert_int_equal(dmawin_papr_h_put_tce(m, LIOBN0, 0x5000, 0x3000001), H_SUCCESS);
	assert_int_equal(dmawin_papr_dma_read(m, 0, 0x5010, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, msg, sizeof(msg));
	/* read-only TCE: a device write is refused (§6 step 3) */
	assert_int_equal(dmawin_papr_dma_write(m, 0, 0x5010, msg, 4), -EFAULT);
	assert_int_equal(dmawin_papr_h_stuff_tce(m, LIOBN0, 0x5000, 0, 1), H_SUCCESS);
	assert_int_equal(dmawin_papr_dma_read(m, 0, 0x5010, buf, sizeof(buf)), -EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_lookup_unknown_liobn_h_parameter),
		T(test_lookup_liobn_high_bits_h_parameter),
		T(test_lookup_disabled_table_h_parameter),
		T(test_bounds_ioba_below_window_h_parameter),
		T(test_bounds_index_past_nb_table_h_parameter),
		T(test_put_tce_misaligned_ioba_truncated_success),
		T(test_put_tce_stores_any_value_verbatim),
		T(test_get_tce_error_leaves_r4),
		T(test_get_tce_fresh_window_zero),
		T(test_put_get_trace_every_call),
		T(test_indirect_npages_over_512_h_parameter_untraced),
		T(test_indirect_misaligned_list_h_parameter),
		T(test_indirect_npages_zero_h_parameter),
		T(test_indirect_partial_write_keeps_earlier_entries),
		T(test_indirect_first_entry_out_writes_nothing),
		T(test_indirect_trace_line_of_real_ddw_mapping),
		T(test_indirect_list_outside_ram_reads_zero),
		T(test_stuff_npages_over_nb_table_h_parameter_untraced),
		T(test_stuff_npages_zero_h_parameter),
		T(test_stuff_no_512_cap_any_value_success),
		T(test_stuff_partial_at_window_end),
		T(test_stuff_trace_ioba_after_loop),
		T(test_hcall_dispatch_and_unknown_h_function),
		T(test_xlate_fields_match_trace),
		T(test_put_tce_visible_to_device_dma),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
