/* SPDX-License-Identifier: MIT */
/*
 * Replay of hand-made traces: each event kind replays cleanly when it tells QEMU's truth, and
 * each kind of mismatch is found (with its line, field, trace value and model value) when it
 * does not. The traces follow QEMU's emission rules (spec/papr-ddw.md §7).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmawin/papr.h"
#include "dmawin/trace.h"
#include "dw_test.h"

#define P    "1@100.000001:" /* a log-backend line prefix */
#define DEF  "0x80000000"    /* PHB 0 default window LIOBN */
#define BUID "0x800000020000000"
#define QUERY                                                                                      \
	P "spapr_iommu_ddw_query buid=" BUID                                                       \
	  " addr=0x0, 1 windows available, max window size=0x80000000, mask=0x107\n"
#define NEW_DDW P "spapr_iommu_new_table liobn=0x80000001 table=0x55d0c0de0000 fd=-1\n"
#define CREATE                                                                                     \
	P "spapr_iommu_ddw_create buid=" BUID " addr=0x0, page size=0x1000000, "                   \
	  "requested=0x10000000, start addr=0x800000000000000, liobn=0x80000001\n"

static struct dmawin_trace_replay *replay_new(unsigned timeline_points)
{
	struct dmawin_papr_config cfg;
	struct dmawin_trace_replay_options opts = {.examples = 8,
						   .timeline_points = timeline_points};
	struct dmawin_trace_replay *rp = NULL;

	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 256 * MiB;
	cfg.maxmem = 0;
	assert_int_equal(dmawin_trace_replay_create(&cfg, &opts, &rp, NULL, 0), 0);
	return rp;
}

/* Feeds @text line by line; returns how many lines were rejected as malformed. */
static unsigned feed(struct dmawin_trace_replay *rp, const char *text)
{
	unsigned bad = 0;
	uint64_t no = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		int ret = dmawin_trace_replay_line(rp, text, len, ++no);
		assert_true(ret == 0 || ret == -EINVAL);
		bad += ret == -EINVAL;
		text += len + (nl ? 1 : 0);
	}
	return bad;
}

static const struct dmawin_trace_report *run(struct dmawin_trace_replay *rp, const char *text)
{
	assert_int_equal(feed(rp, text), 0);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	return dmawin_trace_replay_report(rp);
}

static const struct dmawin_trace_window_stats *window(const struct dmawin_trace_report *rep,
						      uint64_t liobn)
{
	for (size_t i = 0; i < rep->n_windows; i++)
		if (rep->windows[i].liobn == liobn)
			return &rep->windows[i];
	static const struct dmawin_trace_window_stats none;

	fail_msg("no window 0x%llx", (unsigned long long)liobn);
	return &none;
}

/* The single mismatch of @kind; checks its line and field. */
static const struct dmawin_trace_mismatch *only_mismatch(const struct dmawin_trace_report *rep,
							 enum dmawin_trace_mismatch_kind kind,
							 uint64_t line, const char *field)
{
	const struct dmawin_trace_mismatch *found = NULL;

	for (size_t i = 0; i < rep->n_mismatch_examples; i++) {
		const struct dmawin_trace_mismatch *m = &rep->mismatch_examples[i];
		print_message("mismatch line %llu %s %s: trace 0x%llx model 0x%llx\n",
			      (unsigned long long)m->line, dmawin_trace_mismatch_kind_name(m->kind),
			      m->field, (unsigned long long)m->expected,
			      (unsigned long long)m->got);
		if (m->kind == kind)
			found = m;
	}
	static const struct dmawin_trace_mismatch none;

	assert_int_equal(rep->mismatches_by_kind[kind], 1);
	if (!found) {
		fail_msg("no %s mismatch", dmawin_trace_mismatch_kind_name(kind));
		return &none;
	}
	assert_int_equal(found->line, line);
	assert_string_equal(found->field, field);
	return found;
}

static void test_replay_put_xlate_stuff_clean_stats(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep = run(
		rp,
		P "spapr_iommu_pci_put liobn=" DEF " ioba=0x1000 tce=0x631f003 ret=0\n" P
		  "spapr_iommu_xlate liobn=" DEF " 0x1234 -> 0x631f000 perm=3 mask=0xfff\n" P
		  "spapr_iommu_pci_put liobn=" DEF " ioba=0x2000 tce=0x28dd001 ret=0\n" P
		  "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x2000 tcevalue=0x0 npages=1 ret=0\n" P
		  "spapr_iommu_xlate liobn=" DEF " 0x1000 -> 0x0 perm=0 mask=0xfff\n" P
		  "spapr_iommu_xlate liobn=" DEF " 0x2000 -> 0x28dd000 perm=1 mask=0xfff\n");
	const struct dmawin_trace_window_stats *w = window(rep, 0x80000000);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->events, 6);
	assert_int_equal(rep->replayed, 6);
	assert_int_equal(rep->by_kind[DMAWIN_TRACE_EV_PUT], 2);
	assert_int_equal(w->hcalls[0], 2);
	assert_int_equal(w->hcalls[3], 1);
	assert_int_equal(w->peak_mapped, 2);
	assert_int_equal(w->mapped, 1);
	assert_int_equal(w->xlates, 3);
	assert_int_equal(w->faults, 1);
	assert_int_equal(rep->faults, 1);
	assert_int_equal(rep->fault_examples[0].ioba, 0x1000);
	assert_int_equal(rep->leaked_entries, 1);
	assert_int_equal(rep->n_leak_ranges, 1);
	assert_int_equal(rep->leak_ranges[0].ioba, 0x2000);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_put_wrong_ret_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* 0x40000000 is past the 1 GiB default window: QEMU says H_PARAMETER, not success */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x1000 tce=0x3 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x40000000 tce=0x3 ret=0\n" P
			  "spapr_iommu_put liobn=0x71000003 ioba=0x0 tce=0x3 ret=-4\n");
	const struct dmawin_trace_mismatch *m = only_mismatch(rep, DMAWIN_TRACE_MM_RET, 2, "ret");

	(void)state;
	assert_int_equal(rep->mismatches, 1);
	assert_int_equal(m->expected, 0);
	assert_true((int64_t)m->got == -4);
	assert_int_equal(window(rep, 0x80000000)->hcall_errors, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_put_unmasked_ioba_hcall_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* QEMU prints the ioba masked to the page: an unmasked one is not what it traces */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x1008 tce=0x3 ret=0\n");
	const struct dmawin_trace_mismatch *m =
		only_mismatch(rep, DMAWIN_TRACE_MM_HCALL, 1, "ioba");

	(void)state;
	assert_int_equal(m->expected, 0x1008);
	assert_int_equal(m->got, 0x1000);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_get_value_checked(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x0 tce=0x7f200001 ret=0\n" P
			  "spapr_iommu_pci_get liobn=" DEF " ioba=0x0 ret=0 tce=0x7f200001\n" P
			  "spapr_iommu_pci_get liobn=" DEF " ioba=0x0 ret=0 tce=0x7f200003\n" P
			  "spapr_iommu_pci_get liobn=0x80000007 ioba=0x0 ret=-4 tce=0x0\n");
	const struct dmawin_trace_mismatch *m =
		only_mismatch(rep, DMAWIN_TRACE_MM_GET_TCE, 3, "tce");

	(void)state;
	assert_int_equal(rep->mismatches, 1);
	assert_int_equal(m->expected, 0x7f200003);
	assert_int_equal(m->got, 0x7f200001);
	assert_int_equal(window(rep, 0x80000000)->hcalls[1], 2);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_indirect_inferred_confirmed_and_corrected(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* 16 entries at 0x30000000 ending at 0x207f003: rebuilt as 0x2070003..0x207f003. Entry 2
	 * is confirmed by a translation; entry 5 really pointed elsewhere (the list was not
	 * linear): corrected, not a mismatch, and later translations use the corrected page. */
	const struct dmawin_trace_report *rep =
		run(rp, P
		    "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x30000000 tcelist=0x22b0000 "
		    "iobaN=0xf tceN=0x207f003 ret=0\n" P "spapr_iommu_xlate liobn=" DEF
		    " 0x30002010 -> 0x2072000 perm=3 mask=0xfff\n" P "spapr_iommu_xlate liobn=" DEF
		    " 0x30005000 -> 0x4444000 perm=1 mask=0xfff\n" P "spapr_iommu_xlate liobn=" DEF
		    " 0x30005008 -> 0x4444000 perm=1 mask=0xfff\n" P "spapr_iommu_xlate liobn=" DEF
		    " 0x3000f000 -> 0x207f000 perm=3 mask=0xfff\n");
	const struct dmawin_trace_window_stats *w = window(rep, 0x80000000);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(w->inferred, 15);
	assert_int_equal(w->confirmed, 1);
	assert_int_equal(w->corrected, 1);
	assert_int_equal(w->mapped, 16);
	assert_int_equal(w->tces_written, 16);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_inferred_entry_wrong_mask_still_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* a rebuilt entry may be corrected by a translation, the window's page size may not */
	const struct dmawin_trace_report *rep = run(
		rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x30000000 tcelist=0x22b0000 "
		      "iobaN=0x3 tceN=0x2073003 ret=0\n" P "spapr_iommu_xlate liobn=" DEF
		      " 0x30000000 -> 0x2070000 perm=3 mask=0xffff\n");

	(void)state;
	assert_int_equal(only_mismatch(rep, DMAWIN_TRACE_MM_XLATE_MASK, 2, "mask")->got, 0xfff);
	assert_int_equal(rep->mismatches, 1);
	assert_int_equal(window(rep, 0x80000000)->corrected, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_get_confirms_and_corrects_inferred(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* H_GET_TCE reads back rebuilt entries: entry 1 as rebuilt, entry 2 was another page */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x0 tcelist=0x10000 "
			  "iobaN=0x3 tceN=0x7f203003 ret=0\n" P "spapr_iommu_pci_get liobn=" DEF
			  " ioba=0x1000 ret=0 tce=0x7f201003\n" P "spapr_iommu_pci_get liobn=" DEF
			  " ioba=0x2000 ret=0 tce=0x12345001\n" P "spapr_iommu_pci_get liobn=" DEF
			  " ioba=0x2000 ret=0 tce=0x12345001\n" P "spapr_iommu_xlate liobn=" DEF
			  " 0x2000 -> 0x12345000 perm=1 mask=0xfff\n");
	const struct dmawin_trace_window_stats *w = window(rep, 0x80000000);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(w->confirmed, 1);
	assert_int_equal(w->corrected, 1);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_without_new_table_events_no_table_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* a trace recorded without spapr_iommu_new_table enabled: the model's allocations have
	 * nothing to match, which is not a difference */
	const struct dmawin_trace_report *rep =
		run(rp, CREATE P "spapr_iommu_ddw_remove liobn=0x80000000\n" P
				 "spapr_iommu_ddw_remove liobn=0x80000001\n" P
				 "spapr_iommu_ddw_reset buid=" BUID " addr=0x0\n" P
				 "spapr_iommu_pci_put liobn=" DEF " ioba=0x0 tce=0x3 ret=0\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_true(window(rep, 0x80000000)->enabled);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_indirect_clear_list_rebuilt_as_zeros(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* 4 entries mapped, then cleared by an INDIRECT of zeros: nothing stays mapped */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x10000 tcelist=0x10000 "
			  "iobaN=0x3 tceN=0x2073003 ret=0\n" P "spapr_iommu_pci_indirect liobn=" DEF
			  " ioba=0x10000 tcelist=0x10000 "
			  "iobaN=0x3 tceN=0x0 ret=0\n" P "spapr_iommu_pci_get liobn=" DEF
			  " ioba=0x10000 ret=0 tce=0x0\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(window(rep, 0x80000000)->mapped, 0);
	assert_int_equal(rep->leaked_entries, 0);
	/* the read-back of entry 0 confirms the rebuilt zero (a run would have needed fixing) */
	assert_int_equal(window(rep, 0x80000000)->confirmed, 1);
	assert_int_equal(window(rep, 0x80000000)->corrected, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_indirect_failures_follow_qemu(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* 1 GiB window of 4K pages: 0x3fffe000 leaves 2 entries, the third (index 2) fails, QEMU
	 * prints index 1 and the failing value; npages == 0 prints index 0, value 0; a window
	 * start past the end fails on entry 0. */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x3fffe000 tcelist=0x10000 "
			  "iobaN=0x1 tceN=0x5003 ret=-4\n" P "spapr_iommu_pci_indirect liobn=" DEF
			  " ioba=0x1000 tcelist=0x10000 iobaN=0x0 "
			  "tceN=0x0 ret=-4\n" P "spapr_iommu_pci_indirect liobn=" DEF
			  " ioba=0x50000000 tcelist=0x10000 "
			  "iobaN=0x0 tceN=0x9003 ret=-4\n" P "spapr_iommu_xlate liobn=" DEF
			  " 0x3fffe000 -> 0x3000 perm=3 mask=0xfff\n");
	const struct dmawin_trace_window_stats *w = window(rep, 0x80000000);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(w->hcall_errors, 3);
	assert_int_equal(w->mapped, 2);
	assert_int_equal(w->confirmed, 1);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_indirect_impossible_index_list_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* failing near the window end, QEMU would print index 1, not 5 */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x3fffe000 tcelist=0x10000 "
			  "iobaN=0x5 tceN=0x5003 ret=-4\n");
	const struct dmawin_trace_mismatch *m =
		only_mismatch(rep, DMAWIN_TRACE_MM_INDIRECT_LIST, 1, "iobaN");

	(void)state;
	assert_int_equal(m->expected, 5);
	assert_int_equal(m->got, 1);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_indirect_list_outside_ram_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* the list was in guest RAM for QEMU (value read), not in the 256 MiB model: -m differs */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=" DEF " ioba=0x0 tcelist=0x40000000 "
			  "iobaN=0x1 tceN=0x5003 ret=0\n");

	(void)state;
	assert_true(rep->mismatches_by_kind[DMAWIN_TRACE_MM_INDIRECT_LIST] >= 1);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_untraced_calls_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* QEMU returns early without a line for an unknown LIOBN (indirect) and for
	 * npages > nb_table (stuff): such lines cannot come from QEMU */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_indirect liobn=0x80000005 ioba=0x0 tcelist=0x10000 "
			  "iobaN=0x0 tceN=0x3 ret=-4\n" P "spapr_iommu_pci_stuff liobn=" DEF
			  " ioba=0x0 tcevalue=0x0 npages=300000 "
			  "ret=-4\n");

	(void)state;
	assert_int_equal(rep->mismatches_by_kind[DMAWIN_TRACE_MM_UNTRACED], 2);
	assert_int_equal(rep->mismatches, 2);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_stuff_end_and_partial(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* stuff prints the END: clearing 0..0x1fffff prints 0x200000; a failure running past
	 * the window prints the failing address (the window end), the start is unknown */
	const struct dmawin_trace_report *rep =
		run(rp, P
		    "spapr_iommu_pci_put liobn=" DEF " ioba=0x1ff000 tce=0x3 ret=0\n" P
		    "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x200000 tcevalue=0x0 npages=512 "
		    "ret=0\n" P "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x40000000 tcevalue=0x0 "
		    "npages=4 ret=-4\n" P "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x3000 "
		    "tcevalue=0x0 npages=0 ret=-4\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->stuff_partial, 1);
	assert_int_equal(window(rep, 0x80000000)->mapped, 0);
	assert_int_equal(rep->leaked_entries, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_stuff_wrong_end_hcall_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* a success printed with an end that is not start + npages pages cannot be: the end
	 * is always page aligned; 0x2800 rebuilds a start the model masks, printing 0x2000 */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x2800 tcevalue=0x0 npages=1 "
			  "ret=0\n");
	const struct dmawin_trace_mismatch *m =
		only_mismatch(rep, DMAWIN_TRACE_MM_HCALL, 1, "ioba");

	(void)state;
	assert_int_equal(m->expected, 0x2800);
	assert_int_equal(m->got, 0x2000);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_xlate_mismatch_kinds(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep = run(
		rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x1000 tce=0x631f003 ret=0\n" P
		      "spapr_iommu_xlate liobn=" DEF " 0x1000 -> 0x631e000 perm=3 mask=0xfff\n" P
		      "spapr_iommu_xlate liobn=" DEF " 0x1000 -> 0x631f000 perm=1 mask=0xfff\n" P
		      "spapr_iommu_xlate liobn=" DEF " 0x1000 -> 0x631f000 perm=3 mask=0xffff\n" P
		      "spapr_iommu_xlate liobn=0x80000001 0x0 -> 0x0 perm=0 mask=0xffffffff\n" P
		      "spapr_iommu_xlate liobn=" DEF " 0x40000000 -> 0x0 perm=0 mask=0xffffffff\n");

	(void)state;
	assert_int_equal(rep->mismatches, 4);
	assert_int_equal(only_mismatch(rep, DMAWIN_TRACE_MM_XLATE_TARGET, 2, "target")->got,
			 0x631f000);
	assert_int_equal(only_mismatch(rep, DMAWIN_TRACE_MM_XLATE_PERM, 3, "perm")->got, 3);
	assert_int_equal(only_mismatch(rep, DMAWIN_TRACE_MM_XLATE_MASK, 4, "mask")->got, 0xfff);
	only_mismatch(rep, DMAWIN_TRACE_MM_XLATE_WINDOW, 5, "liobn");
	/* the miss past the window end is QEMU's "-> 0x0 perm=0 mask=0xffffffff": a fault only */
	assert_int_equal(rep->faults, 2);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_xlate_logged_out_of_order_tolerated(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* thread 2 translated the new entry before thread 1 printed its put, and the old entry
	 * of 0x1000 before thread 1's stuff cleared it, but printed it after */
	const struct dmawin_trace_report *rep = run(
		rp,
		"1@1.000001:spapr_iommu_pci_put liobn=" DEF " ioba=0x1000 tce=0x5003 ret=0\n"
		"2@1.000002:spapr_iommu_xlate liobn=" DEF " 0x2000 -> 0x6000 perm=3 mask=0xfff\n"
		"1@1.000003:spapr_iommu_pci_put liobn=" DEF " ioba=0x2000 tce=0x6003 ret=0\n"
		"1@1.000004:spapr_iommu_pci_stuff liobn=" DEF " ioba=0x2000 tcevalue=0x0 "
		"npages=1 ret=0\n"
		"2@1.000005:spapr_iommu_xlate liobn=" DEF " 0x1000 -> 0x5000 perm=3 mask=0xfff\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->reordered, 2);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_xlate_same_thread_or_far_not_tolerated(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep;
	char line[160];

	(void)state;
	/* the same thread cannot log its own lines out of order */
	assert_int_equal(feed(rp,
			      "1@1.000001:spapr_iommu_xlate liobn=" DEF " 0x2000 -> 0x6000 perm=3 "
			      "mask=0xfff\n"
			      "1@1.000002:spapr_iommu_pci_put liobn=" DEF " ioba=0x2000 tce=0x6003 "
			      "ret=0\n"
			      /* another thread, but the put comes 100 lines later */
			      "2@1.000003:spapr_iommu_xlate liobn=" DEF " 0x3000 -> 0x7000 perm=3 "
			      "mask=0xfff\n"),
			 0);
	for (unsigned i = 0; i < 100; i++) {
		static const char filler[] =
			"1@1.000004:spapr_cas_continue Copy changes to the guest: 1 bytes";
		assert_int_equal(dmawin_trace_replay_line(rp, filler, sizeof(filler) - 1, 4 + i),
				 0);
	}
	snprintf(line, sizeof(line),
		 "1@1.000005:spapr_iommu_pci_put liobn=" DEF " ioba=0x3000 tce=0x7003 ret=0");
	assert_int_equal(dmawin_trace_replay_line(rp, line, strlen(line), 104), 0);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	rep = dmawin_trace_replay_report(rp);
	assert_int_equal(rep->reordered, 0);
	assert_int_equal(rep->mismatches_by_kind[DMAWIN_TRACE_MM_XLATE_TARGET], 2);
	assert_int_equal(rep->mismatches_by_kind[DMAWIN_TRACE_MM_XLATE_PERM], 2);
	/* target and perm of line 1, then of line 3: each at the translation's own line */
	assert_int_equal(rep->mismatch_examples[0].line, 1);
	assert_int_equal(rep->mismatch_examples[1].line, 1);
	assert_int_equal(rep->mismatch_examples[2].line, 3);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_ddw_create_map_remove_autorestore_clean(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* Linux's DDW sequence, then the guest removes both windows: removing the last one,
	 * which is not the default, restores the default (new_table + reset addr=0 lines). */
	const struct dmawin_trace_report *rep = run(
		rp, QUERY NEW_DDW CREATE P
		"spapr_iommu_pci_indirect liobn=0x80000001 ioba=0x800000000000000 "
		"tcelist=0x20b0000 iobaN=0xf tceN=0xf000003 ret=0\n" P
		"spapr_iommu_xlate liobn=0x80000001 0x4750000 -> 0x4000000 perm=3 mask=0xffffff\n" P
		"spapr_iommu_ddw_remove liobn=0x80000000\n" P
		"spapr_iommu_ddw_remove liobn=0x80000001\n" P
		"spapr_iommu_new_table liobn=0x80000000 table=0x55d0c0de1000 fd=-1\n" P
		"spapr_iommu_ddw_reset buid=" BUID " addr=0x0\n" P "spapr_iommu_pci_put liobn=" DEF
		" ioba=0x0 tce=0x3 ret=0\n");
	const struct dmawin_trace_window_stats *ddw = window(rep, 0x80000001);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(ddw->enables, 1);
	assert_false(ddw->enabled);
	assert_int_equal(ddw->bus_offset, 0x800000000000000ull);
	assert_int_equal(ddw->page_shift, 24);
	assert_int_equal(ddw->nb_table, 16);
	assert_int_equal(ddw->confirmed, 1);
	assert_int_equal(ddw->removed_mapped, 16);
	assert_int_equal(window(rep, 0x80000000)->enables, 2);
	assert_int_equal(rep->machine_resets, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_ddw_on_liobn0_remove_follows_qemu_sticky_default(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* the guest removes the default window, its DDW lands on LIOBN#0 at bus 0; removing that
	 * DDW leaves no window and QEMU does not restore the default (sticky def_win) */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_ddw_remove liobn=0x80000000\n" P
			  "spapr_iommu_new_table liobn=0x80000000 table=0x1 fd=-1\n" P
			  "spapr_iommu_ddw_create buid=" BUID " addr=0x0, page size=0x10000, "
			  "requested=0x10000000, start addr=0x0, liobn=0x80000000\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x10000 tce=0x3 ret=0\n" P
			  "spapr_iommu_ddw_remove liobn=0x80000000\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x0 tce=0x3 ret=-4\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->sticky_default, 1);
	assert_false(window(rep, 0x80000000)->enabled);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_ddw_query_create_mismatches(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep =
		run(rp, P
		    "spapr_iommu_ddw_query buid=" BUID " addr=0x0, 2 windows available, max window "
		    "size=0x80000000, mask=0x3\n" NEW_DDW P "spapr_iommu_ddw_create buid=" BUID
		    " addr=0x0, page size=0x1000000, "
		    "requested=0x10000000, start addr=0x100000000, liobn=0x80000001\n");

	(void)state;
	assert_int_equal(rep->mismatches_by_kind[DMAWIN_TRACE_MM_QUERY], 2);
	assert_int_equal(only_mismatch(rep, DMAWIN_TRACE_MM_CREATE, 3, "start")->got,
			 0x800000000000000ull);
	assert_int_equal(rep->mismatches, 3);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_missing_autorestore_lines_table_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* the model restores the default window; a trace without those lines disagrees */
	const struct dmawin_trace_report *rep =
		run(rp, NEW_DDW CREATE P
		    "spapr_iommu_ddw_remove liobn=0x80000000\n" P
		    "spapr_iommu_ddw_remove liobn=0x80000001\n" P
		    "spapr_iommu_pci_put liobn=0x80000001 ioba=0x0 tce=0x3 ret=-4\n");

	(void)state;
	assert_int_equal(rep->mismatches_by_kind[DMAWIN_TRACE_MM_TABLE], 2);
	assert_int_equal(rep->mismatches, 2);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_guest_reset_and_machine_reset(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* boot (new_table, no DDW line), a DDW, a guest ibm,reset-pe-dma-window, then a reboot
	 * (new_table with no DDW line, after mappings): every table and mapping is dropped */
	const struct dmawin_trace_report *rep = run(
		rp,
		P "spapr_iommu_new_table liobn=" DEF " table=0x1 fd=-1\n" P
		  "spapr_cas_pvr current=0x0, explicit_match=1, new=0xf000005\n" NEW_DDW CREATE P
		  "spapr_iommu_new_table liobn=" DEF " table=0x2 fd=-1\n" P
		  "spapr_iommu_ddw_reset buid=" BUID " addr=0x800\n" P
		  "spapr_iommu_pci_put liobn=0x80000001 ioba=0x800000000000000 tce=0x3 ret=-4\n" P
		  "spapr_iommu_pci_put liobn=" DEF " ioba=0x5000 tce=0x3 ret=0\n" P
		  "spapr_iommu_new_table liobn=" DEF " table=0x3 fd=-1\n" P
		  "spapr_iommu_pci_stuff liobn=" DEF " ioba=0x200000 tcevalue=0x0 npages=512 "
		  "ret=0\n" P "spapr_iommu_xlate liobn=" DEF " 0x5000 -> 0x0 perm=0 mask=0xfff\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->machine_resets, 2);
	assert_int_equal(rep->leaked_entries, 0);
	assert_false(window(rep, 0x80000001)->enabled);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_xlate_between_new_table_and_create_no_settle(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* a device thread logs a translation between the create's new_table line and its line */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x5000 tce=0x9003 ret=0\n" NEW_DDW
			  "2@100.000002:spapr_iommu_xlate liobn=" DEF " 0x5000 -> 0x9000 perm=3 "
			  "mask=0xfff\n" CREATE);

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->machine_resets, 0);
	assert_true(window(rep, 0x80000001)->enabled);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_unknown_table_mismatch(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	/* a second PHB's table in a trace replayed on a one-PHB machine */
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_new_table liobn=0x80000100 table=0x1 fd=-1\n");

	(void)state;
	only_mismatch(rep, DMAWIN_TRACE_MM_TABLE, 1, "liobn");
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_malformed_and_unknown_counted(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep;

	(void)state;
	assert_int_equal(feed(rp,
			      P "pci_nvme_io_cmd cid 1 nsid 0x1 sqid 1 opc 0x2 opname 'read'\n" P
				"pci_nvme_io_cmd cid 2 nsid 0x1 sqid 1 opc 0x2 opname 'read'\n" P
				"spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 ret=0\n"
				"\n" P "pci_nvme_map_addr addr 0x1000 len 4096\n" P
				"spapr_iommu_xlate liobn=0x80000000 0x0 -> 0x0 perm=9x mask=0x0\n"),
			 2);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	rep = dmawin_trace_replay_report(rp);
	assert_int_equal(rep->lines, 6);
	assert_int_equal(rep->malformed, 2);
	assert_int_equal(rep->n_malformed_examples, 2);
	assert_int_equal(rep->malformed_examples[0].line, 3);
	assert_int_equal(rep->malformed_examples[0].column, 62);
	assert_non_null(strstr(rep->malformed_examples[0].message, "spapr_iommu_pci_put"));
	assert_non_null(strstr(rep->malformed_examples[0].message, "tce=0x"));
	assert_int_equal(rep->malformed_examples[1].line, 6);
	assert_int_equal(rep->unknown_events, 3);
	assert_int_equal(rep->n_unknown_names, 2);
	assert_string_equal(rep->unknown_names[0].name, "pci_nvme_io_cmd");
	assert_int_equal(rep->unknown_names[0].count, 2);
	assert_int_equal(rep->events, 0);
	assert_int_equal(rep->mismatches, 0);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_unknown_binary_name_printable(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep;

	(void)state;
	assert_int_equal(feed(rp, "qemu\x01\xff: not an event\n"), 0);
	rep = dmawin_trace_replay_report(rp);
	assert_int_equal(rep->unknown_events, 1);
	assert_string_equal(rep->unknown_names[0].name, "qemu??:");
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_overwrite_and_leak_ranges(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	const struct dmawin_trace_report *rep =
		run(rp, P "spapr_iommu_pci_put liobn=" DEF " ioba=0x1000 tce=0x10003 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x2000 tce=0x11003 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x3000 tce=0x12003 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x2000 tce=0x99001 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0x9000 tce=0x13002 ret=0\n" P
			  "spapr_iommu_pci_put liobn=" DEF " ioba=0xa000 tce=0x0 ret=0\n");

	(void)state;
	assert_int_equal(rep->mismatches, 0);
	assert_int_equal(rep->overwrites, 1);
	assert_int_equal(rep->overwrite_examples[0].line, 4);
	assert_int_equal(rep->overwrite_examples[0].ioba, 0x2000);
	assert_int_equal(rep->overwrite_examples[0].old_tce, 0x11003);
	assert_int_equal(rep->overwrite_examples[0].new_tce, 0x99001);
	assert_int_equal(rep->leaked_entries, 4);
	assert_int_equal(rep->n_leak_ranges, 2);
	assert_int_equal(rep->leak_ranges[0].ioba, 0x1000);
	assert_int_equal(rep->leak_ranges[0].new_tce, 3);
	assert_int_equal(rep->leak_ranges[1].ioba, 0x9000);
	assert_int_equal(rep->leak_ranges[1].new_tce, 1);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_timeline_bounded_and_final(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(4);
	const struct dmawin_trace_report *rep;
	char line[160];

	(void)state;
	for (unsigned i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof(line),
				 "1@%u.000002:spapr_iommu_pci_put liobn=" DEF
				 " ioba=0x%x tce=0x3 ret=0",
				 200 + i, (i + 1) << 12);
		assert_int_equal(dmawin_trace_replay_line(rp, line, (size_t)n, i + 1), 0);
	}
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	rep = dmawin_trace_replay_report(rp);
	assert_true(rep->n_timeline >= 2 && rep->n_timeline <= 5);
	for (size_t i = 1; i < rep->n_timeline; i++)
		assert_true(rep->timeline[i].line > rep->timeline[i - 1].line);
	assert_int_equal(rep->timeline[rep->n_timeline - 1].mapped, 100);
	assert_int_equal(rep->timeline[rep->n_timeline - 1].sec, 299);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_finish_twice_ealready(void **state)
{
	struct dmawin_trace_replay *rp = replay_new(0);
	struct dmawin_trace_event ev = {.kind = DMAWIN_TRACE_EV_NR};

	(void)state;
	assert_int_equal(dmawin_trace_replay_event(rp, &ev, 1), -EINVAL);
	assert_int_equal(dmawin_trace_replay_finish(rp), 0);
	assert_int_equal(dmawin_trace_replay_finish(rp), -EALREADY);
	assert_int_equal(dmawin_trace_replay_line(rp, "x", 1, 1), -EALREADY);
	assert_true(dmawin_trace_replay_report(rp)->finished);
	dmawin_trace_replay_destroy(rp);
}

static void test_replay_bad_config_einval(void **state)
{
	struct dmawin_papr_config cfg;
	struct dmawin_trace_replay *rp = NULL;
	char why[128] = "";

	(void)state;
	dmawin_papr_config_init(&cfg);
	cfg.ram_size = 12345;
	assert_int_equal(dmawin_trace_replay_create(&cfg, NULL, &rp, why, sizeof(why)), -EINVAL);
	assert_null(rp);
	assert_true(why[0] != '\0');
	assert_int_equal(dmawin_trace_replay_create(NULL, NULL, &rp, NULL, 0), -EINVAL);
	dmawin_trace_replay_destroy(NULL);
	assert_string_equal(dmawin_trace_mismatch_kind_name(DMAWIN_TRACE_MM_NR), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_put_xlate_stuff_clean_stats),
		cmocka_unit_test(test_replay_put_wrong_ret_mismatch),
		cmocka_unit_test(test_replay_put_unmasked_ioba_hcall_mismatch),
		cmocka_unit_test(test_replay_get_value_checked),
		cmocka_unit_test(test_replay_indirect_inferred_confirmed_and_corrected),
		cmocka_unit_test(test_replay_inferred_entry_wrong_mask_still_mismatch),
		cmocka_unit_test(test_replay_get_confirms_and_corrects_inferred),
		cmocka_unit_test(test_replay_without_new_table_events_no_table_mismatch),
		cmocka_unit_test(test_replay_indirect_clear_list_rebuilt_as_zeros),
		cmocka_unit_test(test_replay_indirect_failures_follow_qemu),
		cmocka_unit_test(test_replay_indirect_impossible_index_list_mismatch),
		cmocka_unit_test(test_replay_indirect_list_outside_ram_mismatch),
		cmocka_unit_test(test_replay_untraced_calls_mismatch),
		cmocka_unit_test(test_replay_stuff_end_and_partial),
		cmocka_unit_test(test_replay_stuff_wrong_end_hcall_mismatch),
		cmocka_unit_test(test_replay_xlate_mismatch_kinds),
		cmocka_unit_test(test_replay_xlate_logged_out_of_order_tolerated),
		cmocka_unit_test(test_replay_xlate_same_thread_or_far_not_tolerated),
		cmocka_unit_test(test_replay_ddw_create_map_remove_autorestore_clean),
		cmocka_unit_test(test_replay_ddw_on_liobn0_remove_follows_qemu_sticky_default),
		cmocka_unit_test(test_replay_ddw_query_create_mismatches),
		cmocka_unit_test(test_replay_missing_autorestore_lines_table_mismatch),
		cmocka_unit_test(test_replay_guest_reset_and_machine_reset),
		cmocka_unit_test(test_replay_xlate_between_new_table_and_create_no_settle),
		cmocka_unit_test(test_replay_unknown_table_mismatch),
		cmocka_unit_test(test_replay_malformed_and_unknown_counted),
		cmocka_unit_test(test_replay_unknown_binary_name_printable),
		cmocka_unit_test(test_replay_overwrite_and_leak_ranges),
		cmocka_unit_test(test_replay_timeline_bounded_and_final),
		cmocka_unit_test(test_replay_finish_twice_ealready),
		cmocka_unit_test(test_replay_bad_config_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
