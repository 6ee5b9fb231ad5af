/* SPDX-License-Identifier: MIT */
/*
 * Translations and hcalls logged out of order.
 *
 * A vCPU thread writes the table, then prints its hcall line; a device thread reads the table,
 * then prints its xlate line. Either thread may be preempted between the two, so the log can
 * show a translation of the new entry before the hcall line, or of the old entry after it. A
 * translation that disagrees with the model is therefore checked against both neighbours of the
 * hcall of another thread logged next to it before it counts as a mismatch:
 *  - the old value of an entry the latest hcall (of another thread, close by) wrote: a journal
 *    of what that hcall overwrote;
 *  - the state after the next hcalls (of another thread, close by): the translation is kept
 *    pending and checked again after each hcall.
 * Same-thread lines (and lines without a thread id) are never reordered: no tolerance then.
 */
#include "common/compiler.h"
#include "trace/trace_int.h"

void journal_open(struct dmawin_trace_replay *rp, uint64_t liobn, uint32_t pid)
{
	struct reorder_journal *j = &rp->journal;

	j->valid = true;
	j->liobn = liobn;
	j->pid = pid;
	j->line = rp->line;
	j->count = 0;
}

void journal_entry(struct dmawin_trace_replay *rp, uint64_t liobn, uint64_t index, uint64_t old)
{
	struct reorder_journal *j = &rp->journal;

	if (!j->valid || j->liobn != liobn || j->count == REORDER_JOURNAL)
		return;
	if (j->count == 0)
		j->first = index;
	else if (index != j->first + j->count)
		return; /* entries are written in order; anything else is not journaled */
	j->old[j->count++] = old;
}

static bool xlate_matches(const struct dmawin_trace_xlate *x, uint64_t target, uint32_t perm,
			  uint64_t mask)
{
	return x->target == target && x->perm == perm && x->mask == (uint32_t)mask;
}

/* Did the translation see the entry as it was before the latest hcall of another thread? */
static bool matches_before_last_hcall(struct dmawin_trace_replay *rp, struct window_rec *w,
				      const struct dmawin_trace_xlate *x)
{
	const struct reorder_journal *j = &rp->journal;
	uint64_t index = x->offset >> w->st->page_shift, old, mask;

	if (!j->valid || j->liobn != x->liobn || !rp->ev || !rp->ev->has_stamp ||
	    j->pid == rp->ev->pid || rp->line - j->line > REORDER_LINES || index < j->first ||
	    index - j->first >= j->count)
		return false;
	old = j->old[index - j->first];
	mask = (UINT64_C(1) << w->st->page_shift) - 1;
	return xlate_matches(x, old & ~mask, (uint32_t)(old & 3), mask);
}

static void record_xlate_mismatches(struct dmawin_trace_replay *rp,
				    const struct dmawin_trace_xlate *x,
				    const struct dmawin_papr_xlate *out)
{
	check_field(rp, DMAWIN_TRACE_MM_XLATE_TARGET, "target", x->liobn, x->target,
		    out->translated_addr);
	check_field(rp, DMAWIN_TRACE_MM_XLATE_PERM, "perm", x->liobn, x->perm, out->perm);
}

void xlate_disagrees(struct dmawin_trace_replay *rp, struct window_rec *w,
		     const struct dmawin_trace_xlate *x, const struct dmawin_papr_xlate *out)
{
	struct pending_xlate *p;

	if (matches_before_last_hcall(rp, w, x)) {
		rp->rep.reordered++;
		return;
	}
	if (!rp->ev || !rp->ev->has_stamp || rp->n_pending_xlates == REORDER_PENDING) {
		record_xlate_mismatches(rp, x, out);
		return;
	}
	p = &rp->pending_xlates[rp->n_pending_xlates++];
	p->x = *x;
	p->out = *out;
	p->pid = rp->ev->pid;
	p->line = rp->line;
}

void pending_xlates_recheck(struct dmawin_trace_replay *rp, bool flush_all)
{
	uint64_t line = rp->line;
	unsigned keep = 0;

	for (unsigned i = 0; i < rp->n_pending_xlates; i++) {
		struct pending_xlate *p = &rp->pending_xlates[i];
		struct dmawin_papr_xlate now;

		bool close = line - p->line <= REORDER_LINES;

		if (!flush_all && close && rp->ev && rp->ev->pid != p->pid &&
		    dmawin_papr_xlate(rp->m, p->x.liobn, p->x.offset, &now) == 0 &&
		    xlate_matches(&p->x, now.translated_addr, now.perm, now.addr_mask)) {
			rp->rep.reordered++;
			continue;
		}
		if (!flush_all && close) {
			rp->pending_xlates[keep++] = *p;
			continue;
		}
		rp->line = p->line; /* the mismatch belongs to the translation's line */
		record_xlate_mismatches(rp, &p->x, &p->out);
		rp->line = line;
	}
	rp->n_pending_xlates = keep;
}
