/* SPDX-License-Identifier: MIT */
/*
 * Replaying the TCE hcalls and checking device translations.
 *
 * Each traced hcall is made on the model with the guest's arguments, rebuilt where QEMU's trace
 * prints something else (H_STUFF_TCE prints the END of the range, H_PUT_TCE_INDIRECT only the
 * last entry and its index). The model's own trace of the call (papr's trace hook prints what
 * QEMU would) is then compared field by field with the line.
 */
#include <errno.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

enum { HC_PUT, HC_GET, HC_INDIRECT, HC_STUFF };

static struct window_rec *hcall_begin(struct dmawin_trace_replay *rp, uint64_t liobn, int which,
				      int64_t traced_ret)
{
	struct window_rec *w = window_find(rp, liobn);

	if (which != HC_GET)
		journal_open(rp, liobn, rp->ev ? rp->ev->pid : 0);

	if (w) {
		w->st->hcalls[which]++;
		if (traced_ret)
			w->st->hcall_errors++;
	}
	rp->rep.replayed++;
	model_capture_begin(rp);
	return w;
}

/* The model's trace of the call just made; a traced call the model would not trace is a
 * mismatch (QEMU returned early without a line, the model disagrees on why). */
static const struct dmawin_papr_trace *hcall_traced(struct dmawin_trace_replay *rp,
						    enum dmawin_papr_trace_type type,
						    const struct dmawin_trace_event *ev,
						    uint64_t liobn)
{
	const struct dmawin_papr_trace *tr = model_captured(rp, type);

	if (!tr) {
		record_mismatch(rp, DMAWIN_TRACE_MM_UNTRACED, dmawin_trace_kind_name(ev->kind),
				liobn, 1, 0);
		return NULL;
	}
	check_field(rp, DMAWIN_TRACE_MM_HCALL, "pci_name", liobn, ev->pci, tr->pci);
	return tr;
}

void replay_put(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_put *p = &ev->u.put;
	const struct dmawin_papr_trace *tr;
	int64_t ret;

	hcall_begin(rp, p->liobn, HC_PUT, p->ret);
	ret = dmawin_papr_h_put_tce(rp->m, p->liobn, p->ioba, p->tce);
	check_field(rp, DMAWIN_TRACE_MM_RET, "ret", p->liobn, (uint64_t)p->ret, (uint64_t)ret);
	tr = hcall_traced(rp, DMAWIN_PAPR_TR_PUT, ev, p->liobn);
	if (tr)
		check_field(rp, DMAWIN_TRACE_MM_HCALL, "ioba", p->liobn, p->ioba, tr->ioba);
}

/* Entry index of bus address @ioba in window @w (wraps below the window, as QEMU's does). */
static uint64_t window_index(const struct window_rec *w, uint64_t ioba)
{
	uint64_t masked = ioba & ~((UINT64_C(1) << w->st->page_shift) - 1);

	return (masked - w->st->bus_offset) >> w->st->page_shift;
}

/*
 * A value the guest read back from an entry the replay rebuilt (INDIRECT) is the truth about
 * that entry: it confirms or corrects it, like a translation does. Returns whether it was one.
 */
static bool get_of_inferred(struct dmawin_trace_replay *rp, struct window_rec *w,
			    const struct dmawin_trace_get *g, uint64_t model_tce)
{
	uint64_t index;
	bool inferred = false;

	if (!w || !w->st->enabled)
		return false;
	index = window_index(w, g->ioba);
	if (index >= w->st->nb_table)
		return false;
	shadow_get(&w->shadow, index, &inferred);
	if (!inferred)
		return false;
	if (model_tce == g->tce) {
		w->st->confirmed++;
		shadow_set_inferred(&w->shadow, index, false);
		return true;
	}
	w->st->corrected++;
	rp->fixup = true;
	dmawin_papr_h_put_tce(rp->m, g->liobn, g->ioba, g->tce);
	rp->fixup = false;
	return true;
}

void replay_get(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_get *g = &ev->u.get;
	struct window_rec *w = hcall_begin(rp, g->liobn, HC_GET, g->ret);
	uint64_t tce = 0;
	int64_t ret;

	ret = dmawin_papr_h_get_tce(rp->m, g->liobn, g->ioba, &tce);
	check_field(rp, DMAWIN_TRACE_MM_RET, "ret", g->liobn, (uint64_t)g->ret, (uint64_t)ret);
	hcall_traced(rp, DMAWIN_PAPR_TR_GET, ev, g->liobn);
	if (g->ret == 0 && ret == 0 && !get_of_inferred(rp, w, g, tce))
		check_field(rp, DMAWIN_TRACE_MM_GET_TCE, "tce", g->liobn, g->tce, tce);
}

/*
 * How many entries the guest passed. On success the trace says it (last index + 1). On failure
 * QEMU stops at the first entry outside the window and prints the index before it, so the
 * window geometry tells where the call failed; npages == 0 prints index 0 and value 0.
 */
static bool indirect_npages(struct dmawin_trace_replay *rp, const struct window_rec *w,
			    const struct dmawin_trace_indirect *in, uint64_t *npages)
{
	uint64_t idx0, k;

	if (in->ret == 0) {
		*npages = in->last_index + 1;
		if (*npages > DMAWIN_PAPR_INDIRECT_MAX) {
			record_mismatch(rp, DMAWIN_TRACE_MM_INDIRECT_LIST, "npages", in->liobn,
					*npages, DMAWIN_PAPR_INDIRECT_MAX);
			return false;
		}
		return true;
	}
	*npages = 1;
	if (!w || !w->st->enabled)
		return true; /* the first entry fails */
	idx0 = window_index(w, in->ioba);
	if (idx0 >= w->st->nb_table)
		return check_field(rp, DMAWIN_TRACE_MM_INDIRECT_LIST, "iobaN", in->liobn,
				   in->last_index, 0);
	k = w->st->nb_table - idx0; /* the first index outside the window */
	if (in->last_index == k - 1 && k < DMAWIN_PAPR_INDIRECT_MAX) {
		*npages = k + 1;
		return true;
	}
	if (in->last_index == 0 && in->last_tce == 0) {
		*npages = 0; /* H_PARAMETER before the loop: index 0, value 0 */
		return true;
	}
	record_mismatch(rp, DMAWIN_TRACE_MM_INDIRECT_LIST, "iobaN", in->liobn, in->last_index,
			k - 1);
	return false;
}

/* Writes the rebuilt list, the linear run of pages ending at the traced entry, big-endian. */
static void indirect_write_list(struct dmawin_trace_replay *rp,
				const struct dmawin_trace_indirect *in, uint64_t npages,
				uint32_t page_shift)
{
	uint64_t list[DMAWIN_PAPR_INDIRECT_MAX];
	/* a list ending in an entry without permission bits is a clear: all alike, not a run */
	uint64_t step = (in->last_tce & 3) ? UINT64_C(1) << page_shift : 0;

	for (uint64_t j = 0; j < npages; j++)
		list[j] = __builtin_bswap64(in->last_tce - (npages - 1 - j) * step);
	/* QEMU read the list from guest RAM; when the model's RAM does not have it, -m differs */
	if (dmawin_mem_write(dmawin_papr_mem(rp->m), in->tcelist, list, npages * sizeof(list[0])) &&
	    in->last_tce != 0)
		record_mismatch(rp, DMAWIN_TRACE_MM_INDIRECT_LIST, "tcelist", in->liobn,
				in->tcelist, 0);
}

static void indirect_mark_inferred(struct window_rec *w, const struct dmawin_trace_indirect *in,
				   uint64_t count)
{
	uint64_t idx0 = window_index(w, in->ioba);

	for (uint64_t j = 0; j < count; j++) {
		if (idx0 + j >= w->st->nb_table)
			break;
		shadow_set_inferred(&w->shadow, idx0 + j, true);
		w->st->inferred++;
	}
}

void replay_indirect(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_indirect *in = &ev->u.indirect;
	struct window_rec *w = hcall_begin(rp, in->liobn, HC_INDIRECT, in->ret);
	const struct dmawin_papr_trace *tr;
	uint64_t npages;
	int64_t ret;

	if (!indirect_npages(rp, w, in, &npages))
		return;
	if (npages)
		indirect_write_list(rp, in, npages, w ? w->st->page_shift : 12);
	ret = dmawin_papr_h_put_tce_indirect(rp->m, in->liobn, in->ioba, in->tcelist, npages);
	check_field(rp, DMAWIN_TRACE_MM_RET, "ret", in->liobn, (uint64_t)in->ret, (uint64_t)ret);
	tr = hcall_traced(rp, DMAWIN_PAPR_TR_INDIRECT, ev, in->liobn);
	if (tr) {
		check_field(rp, DMAWIN_TRACE_MM_HCALL, "iobaN", in->liobn, in->last_index,
			    tr->iobaN);
		check_field(rp, DMAWIN_TRACE_MM_HCALL, "tceN", in->liobn, in->last_tce, tr->tceN);
	}
	/* Every entry but the traced one was rebuilt: success writes npages - 1 of them before
	 * the traced last one, a failure at index npages - 1 wrote the npages - 1 before it. */
	if (w && npages > 1)
		indirect_mark_inferred(w, in, npages - 1);
}

void replay_stuff(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_stuff *s = &ev->u.stuff;
	struct window_rec *w = hcall_begin(rp, s->liobn, HC_STUFF, s->ret);
	uint64_t pgsz = UINT64_C(1) << (w ? w->st->page_shift : 12);
	const struct dmawin_papr_trace *tr;
	uint64_t start;
	int64_t ret;

	if (s->ret == 0) {
		start = s->ioba_end - s->npages * pgsz; /* wraps exactly as QEMU's loop did */
	} else {
		/* The failing address is printed: the window end if the range started inside,
		 * where exactly it started is lost. Replay from there: same answer, same line. */
		start = s->ioba_end;
		if (s->npages)
			rp->rep.stuff_partial++;
	}
	ret = dmawin_papr_h_stuff_tce(rp->m, s->liobn, start, s->tce_value, s->npages);
	check_field(rp, DMAWIN_TRACE_MM_RET, "ret", s->liobn, (uint64_t)s->ret, (uint64_t)ret);
	tr = hcall_traced(rp, DMAWIN_PAPR_TR_STUFF, ev, s->liobn);
	if (tr)
		check_field(rp, DMAWIN_TRACE_MM_HCALL, "ioba", s->liobn, s->ioba_end, tr->ioba);
}

static void xlate_fault(struct dmawin_trace_replay *rp, struct window_rec *w,
			const struct dmawin_trace_xlate *x)
{
	struct dmawin_trace_entry_note note = {
		.line = rp->line,
		.liobn = x->liobn,
		.ioba = (w ? w->st->bus_offset : 0) + x->offset,
	};

	rp->rep.faults++;
	if (w)
		w->st->faults++;
	record_note(rp, rp->faults, &rp->rep.n_fault_examples, &note);
}

/* An xlate that contradicts a rebuilt INDIRECT entry: the guest's list was not linear. The
 * model takes the observed page so that later translations compare against the truth. */
static void xlate_correct(struct dmawin_trace_replay *rp, struct window_rec *w, uint64_t index,
			  const struct dmawin_trace_xlate *x)
{
	w->st->corrected++;
	rp->fixup = true;
	dmawin_papr_h_put_tce(rp->m, x->liobn, w->st->bus_offset + (index << w->st->page_shift),
			      x->target | x->perm);
	rp->fixup = false;
}

void replay_xlate(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	const struct dmawin_trace_xlate *x = &ev->u.xlate;
	struct window_rec *w = window_find(rp, x->liobn);
	struct dmawin_papr_xlate out;
	bool inferred = false, same;
	uint64_t index;

	rp->rep.replayed++;
	if (x->perm == 0)
		xlate_fault(rp, w, x);
	if (!w || !w->st->enabled || dmawin_papr_xlate(rp->m, x->liobn, x->offset, &out)) {
		record_mismatch(rp, DMAWIN_TRACE_MM_XLATE_WINDOW, "liobn", x->liobn, x->liobn, 0);
		return;
	}
	w->st->xlates++;
	index = x->offset >> w->st->page_shift;
	if (index < w->st->nb_table)
		shadow_get(&w->shadow, index, &inferred);
	same = x->target == out.translated_addr && x->perm == out.perm;
	/* the page size is the window's, never inferred: a wrong mask is always a mismatch */
	if (!check_field(rp, DMAWIN_TRACE_MM_XLATE_MASK, "mask", x->liobn, x->mask,
			 (uint32_t)out.addr_mask))
		return;
	if (likely(same && !inferred))
		return;
	if (inferred) {
		if (same) {
			w->st->confirmed++;
			shadow_set_inferred(&w->shadow, index, false);
		} else {
			xlate_correct(rp, w, index, x);
		}
		return;
	}
	xlate_disagrees(rp, w, x, &out);
}
