/* SPDX-License-Identifier: MIT */
/*
 * Replaying the DDW RTAS calls, and matching table allocations.
 *
 * QEMU prints `spapr_iommu_new_table` when it enables a table, which happens inside a create
 * (before the create line), inside a reset (before the reset line), inside the auto-restore of
 * a remove (after the remove line, followed by a reset line with addr 0 that is not a guest
 * call), and at machine reset (boot, guest reboot) with no DDW line at all. So allocations are
 * matched between the two sides: a trace line waits for the model to allocate the same LIOBN and
 * vice versa. What is still unmatched when the next IOMMU event comes is resolved then: new
 * default tables with no DDW call are a machine reset (replayed as one); anything else is a
 * mismatch.
 */
#include <errno.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

static bool pending_add(struct pending_set *p, uint64_t v)
{
	if (p->n == REPLAY_MAX_PENDING)
		return false;
	p->v[p->n++] = v;
	return true;
}

static bool pending_take(struct pending_set *p, uint64_t v)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (p->v[i] == v) {
			p->v[i] = p->v[--p->n];
			return true;
		}
	}
	return false;
}

void tables_match_model(struct dmawin_trace_replay *rp, bool auto_restore_possible)
{
	for (unsigned i = 0; i < rp->n_cap; i++) {
		const struct dmawin_papr_trace *tr = &rp->cap[i];

		if (tr->type == DMAWIN_PAPR_TR_NEW_TABLE) {
			if (!pending_take(&rp->trace_tables, tr->liobn) &&
			    !pending_add(&rp->model_tables, tr->liobn))
				record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "new_table", tr->liobn,
						0, tr->liobn);
		} else if (tr->type == DMAWIN_PAPR_TR_DDW_RESET && auto_restore_possible) {
			if (!pending_add(&rp->model_resets, tr->buid))
				record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "auto_restore", tr->buid,
						0, 1);
		}
	}
}

static bool only_default_tables(const struct pending_set *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->v[i] & 0xff)
			return false;
	return p->n > 0;
}

/* New default tables with no DDW call: QEMU reset the machine (boot, or a guest reboot). */
static void machine_reset(struct dmawin_trace_replay *rp)
{
	rp->rep.machine_resets++;
	/* Before the first replayed call the model is fresh from its own reset: nothing to do. */
	if (rp->rep.replayed > 0) {
		model_capture_begin(rp);
		dmawin_papr_reset(rp->m);
		tables_match_model(rp, false);
		/* a model PHB the trace did not reset is a configuration difference */
		for (unsigned i = 0; i < rp->model_tables.n; i++)
			record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "new_table",
					rp->model_tables.v[i], 0, rp->model_tables.v[i]);
		rp->model_tables.n = 0;
	}
	rp->trace_tables.n = 0;
}

void tables_settle(struct dmawin_trace_replay *rp)
{
	if (likely(!rp->trace_tables.n && !rp->model_tables.n && !rp->model_resets.n))
		return;
	if (only_default_tables(&rp->trace_tables) && !rp->model_tables.n)
		machine_reset(rp);
	for (unsigned i = 0; i < rp->trace_tables.n; i++)
		record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "new_table", rp->trace_tables.v[i],
				rp->trace_tables.v[i], 0);
	for (unsigned i = 0; i < rp->model_tables.n && rp->seen_new_table; i++)
		record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "new_table", rp->model_tables.v[i], 0,
				rp->model_tables.v[i]);
	for (unsigned i = 0; i < rp->model_resets.n && rp->seen_new_table; i++)
		record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "auto_restore", rp->model_resets.v[i], 0,
				1);
	rp->trace_tables.n = rp->model_tables.n = rp->model_resets.n = 0;
}

/* Settles everything but one pending trace allocation of @liobn: the one the DDW line being
 * replayed made (its new_table line comes just before it). */
static void tables_settle_except(struct dmawin_trace_replay *rp, uint64_t liobn)
{
	bool had = pending_take(&rp->trace_tables, liobn);

	tables_settle(rp);
	if (had)
		pending_add(&rp->trace_tables, liobn);
}

void replay_new_table(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	uint64_t liobn = ev->u.new_table.liobn;

	rp->seen_new_table = true;
	if (!window_find(rp, liobn)) {
		/* a table this machine does not have: another PHB, a VIO device, ... */
		record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "liobn", liobn, liobn, 0);
		return;
	}
	if (pending_take(&rp->model_tables, liobn))
		return;
	if (!pending_add(&rp->trace_tables, liobn))
		record_mismatch(rp, DMAWIN_TRACE_MM_TABLE, "new_table", liobn, liobn, 0);
}

/* 6 outputs when the PHB advertises them (ibm,ddw-extensions[2] == 1), as Linux asks. */
static uint32_t query_nret(struct dmawin_trace_replay *rp, uint64_t buid)
{
	unsigned n = dmawin_papr_phb_count(rp->m);

	for (unsigned pos = 0; pos < n; pos++) {
		struct dmawin_papr_phb_dt dt;
		if (dmawin_papr_phb_dt(rp->m, pos, &dt) || dt.buid != buid)
			continue;
		return dt.has_ddw && dt.n_ddw_extensions >= 3 && dt.ddw_extensions[2] == 1 ? 6 : 5;
	}
	return 5;
}

void replay_query(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_ddw_query *q = &ev->u.ddw_query;
	struct dmawin_papr_ddw_query out;
	const struct dmawin_papr_trace *tr;
	uint32_t rets[6];
	int32_t st;

	rp->rep.replayed++;
	model_capture_begin(rp);
	st = dmawin_papr_rtas_query_pe_dma_window(rp->m, q->cfgaddr, (uint32_t)(q->buid >> 32),
						  (uint32_t)q->buid, query_nret(rp, q->buid), rets,
						  &out);
	if (!check_field(rp, DMAWIN_TRACE_MM_RET, "status", q->buid, 0, (uint64_t)(int64_t)st))
		return;
	check_field(rp, DMAWIN_TRACE_MM_QUERY, "windows_available", q->buid, q->windows_available,
		    out.windows_available);
	check_field(rp, DMAWIN_TRACE_MM_QUERY, "mask", q->buid, q->pgmask, out.page_size_mask);
	tr = model_captured(rp, DMAWIN_PAPR_TR_DDW_QUERY);
	if (!tr)
		record_mismatch(rp, DMAWIN_TRACE_MM_UNTRACED, "ddw_query", q->buid, 1, 0);
	else
		check_field(rp, DMAWIN_TRACE_MM_QUERY, "max_window_size", q->buid,
			    q->max_window_size, tr->max_window_size);
}

static bool log2_exact(uint64_t v, uint32_t *shift)
{
	if (!v || (v & (v - 1)))
		return false;
	*shift = (uint32_t)__builtin_ctzll(v);
	return true;
}

void replay_create(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_ddw_create *c = &ev->u.ddw_create;
	uint32_t page_shift, window_shift, liobn = 0;
	uint64_t start = 0;
	int32_t st;

	rp->rep.replayed++;
	if (!log2_exact(c->page_size, &page_shift)) {
		record_mismatch(rp, DMAWIN_TRACE_MM_CREATE, "page_size", c->buid, c->page_size, 0);
		return;
	}
	if (!log2_exact(c->requested, &window_shift)) {
		record_mismatch(rp, DMAWIN_TRACE_MM_CREATE, "requested", c->buid, c->requested, 0);
		return;
	}
	tables_settle_except(rp, c->liobn);
	model_capture_begin(rp);
	st = dmawin_papr_rtas_create_pe_dma_window(rp->m, c->cfgaddr, (uint32_t)(c->buid >> 32),
						   (uint32_t)c->buid, page_shift, window_shift,
						   &liobn, &start);
	tables_match_model(rp, false);
	if (!check_field(rp, DMAWIN_TRACE_MM_RET, "status", c->buid, 0, (uint64_t)(int64_t)st))
		return;
	check_field(rp, DMAWIN_TRACE_MM_CREATE, "start", c->buid, c->start, start);
	check_field(rp, DMAWIN_TRACE_MM_CREATE, "liobn", c->buid, c->liobn, liobn);
}

void replay_remove(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	uint32_t liobn = ev->u.ddw_remove.liobn;
	int32_t st;

	rp->rep.replayed++;
	model_capture_begin(rp);
	st = dmawin_papr_rtas_remove_pe_dma_window(rp->m, liobn);
	if (st == 0 && (liobn & 0xff) == 0 && model_captured(rp, DMAWIN_PAPR_TR_DDW_RESET)) {
		/* QEMU's def_win is set on LIOBN#0 by every reset and never cleared: removing any
		 * window there never restores the default. Undo the model's restore (removing the
		 * default instance it just enabled restores nothing). */
		rp->rep.sticky_default++;
		model_capture_begin(rp);
		dmawin_papr_rtas_remove_pe_dma_window(rp->m, liobn);
		model_capture_begin(rp);
	}
	tables_match_model(rp, true);
	check_field(rp, DMAWIN_TRACE_MM_RET, "status", liobn, 0, (uint64_t)(int64_t)st);
}

void replay_reset(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_ddw_reset *r = &ev->u.ddw_reset;
	int32_t st;

	/* the line of an auto-restore the model already did inside the remove */
	if (r->cfgaddr == 0 && pending_take(&rp->model_resets, r->buid))
		return;
	/* QEMU's only BUID choice: the PHB index is the BUID's offset */
	tables_settle_except(rp, DMAWIN_PAPR_LIOBN(r->buid - DMAWIN_PAPR_BUID_BASE, 0));
	rp->rep.replayed++;
	model_capture_begin(rp);
	st = dmawin_papr_rtas_reset_pe_dma_window(rp->m, r->cfgaddr, (uint32_t)(r->buid >> 32),
						  (uint32_t)r->buid);
	tables_match_model(rp, false);
	check_field(rp, DMAWIN_TRACE_MM_RET, "status", r->buid, 0, (uint64_t)(int64_t)st);
}
