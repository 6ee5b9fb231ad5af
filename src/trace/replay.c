/* SPDX-License-Identifier: MIT */
/*
 * The replay engine: a papr machine, its notifier feeding the per-window shadows, its trace
 * hook capturing what the model would have traced, and the dispatch of trace events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

struct window_rec *window_find(struct dmawin_trace_replay *rp, uint64_t liobn)
{
	if (likely(rp->last_win < rp->n_win && rp->win[rp->last_win].st->liobn == liobn))
		return &rp->win[rp->last_win];
	for (size_t i = 0; i < rp->n_win; i++) {
		if (rp->win[i].st->liobn == liobn) {
			rp->last_win = i;
			return &rp->win[i];
		}
	}
	return NULL;
}

void model_capture_begin(struct dmawin_trace_replay *rp)
{
	rp->n_cap = 0;
}

const struct dmawin_papr_trace *model_captured(struct dmawin_trace_replay *rp,
					       enum dmawin_papr_trace_type type)
{
	for (unsigned i = 0; i < rp->n_cap; i++)
		if (rp->cap[i].type == type)
			return &rp->cap[i];
	return NULL;
}

static void on_model_trace(void *opaque, const struct dmawin_papr_trace *tr)
{
	struct dmawin_trace_replay *rp = opaque;

	if (rp->n_cap < REPLAY_MAX_CAPTURE)
		rp->cap[rp->n_cap++] = *tr;
}

static void on_entry(struct dmawin_trace_replay *rp, struct window_rec *w,
		     const struct dmawin_papr_event *e)
{
	uint64_t index = e->iova >> e->page_shift, old;
	bool was_live, live = (e->tce & 3) != 0;

	if (shadow_set(&w->shadow, index, e->tce, &old))
		return; /* out of memory: statistics of this entry are lost, the replay goes on */
	was_live = (old & 3) != 0;
	if (!rp->fixup) {
		w->st->tces_written++;
		journal_entry(rp, w->st->liobn, index, old);
	}
	if (was_live && live && !rp->fixup) {
		struct dmawin_trace_entry_note n = {.line = rp->line,
						    .liobn = w->st->liobn,
						    .ioba = e->bus_offset + e->iova,
						    .old_tce = old,
						    .new_tce = e->tce};
		w->st->overwrites++;
		rp->rep.overwrites++;
		record_note(rp, rp->overwrites, &rp->rep.n_overwrite_examples, &n);
	}
	if (live != was_live) {
		if (live) {
			w->st->mapped++;
			rp->mapped++;
			if (w->st->mapped > w->st->peak_mapped)
				w->st->peak_mapped = w->st->mapped;
		} else {
			w->st->mapped--;
			rp->mapped--;
		}
	}
}

static void on_window(struct dmawin_trace_replay *rp, struct window_rec *w,
		      const struct dmawin_papr_event *e)
{
	if (e->type == DMAWIN_PAPR_EV_WINDOW_DEL) {
		w->st->removed_mapped += w->st->mapped;
		rp->mapped -= w->st->mapped;
		w->st->mapped = 0;
		w->st->enabled = false;
		shadow_clear(&w->shadow);
		return;
	}
	shadow_clear(&w->shadow);
	rp->mapped -= w->st->mapped;
	w->st->mapped = 0;
	w->st->enabled = true;
	w->st->enables++;
	w->st->bus_offset = e->bus_offset;
	w->st->page_shift = e->page_shift;
	w->st->window_bytes = e->window_size;
	w->st->nb_table = e->page_shift < 64 ? e->window_size >> e->page_shift : 0;
}

static void on_model_event(void *opaque, const struct dmawin_papr_event *e)
{
	struct dmawin_trace_replay *rp = opaque;
	struct window_rec *w = window_find(rp, e->liobn);

	if (!w)
		return;
	if (e->type == DMAWIN_PAPR_EV_MAP || e->type == DMAWIN_PAPR_EV_UNMAP)
		on_entry(rp, w, e);
	else
		on_window(rp, w, e);
}

/* One record per LIOBN of the machine, filled from its current (reset) state. */
static int windows_init(struct dmawin_trace_replay *rp)
{
	const struct dmawin_papr_config *cfg = dmawin_papr_get_config(rp->m);

	size_t total = (size_t)cfg->nr_phbs * DMAWIN_PAPR_MAX_WINDOWS;

	rp->win = calloc(total, sizeof(*rp->win));
	rp->stats = calloc(total, sizeof(*rp->stats));
	if (!rp->win || !rp->stats)
		return -ENOMEM;
	rp->rep.windows = rp->stats;
	for (uint32_t i = 0; i < cfg->nr_phbs; i++) {
		for (uint32_t n = 0; n < DMAWIN_PAPR_MAX_WINDOWS; n++) {
			struct dmawin_papr_window_info info;
			struct window_rec *w = &rp->win[rp->n_win];
			uint32_t liobn = DMAWIN_PAPR_LIOBN(cfg->phbs[i].index, n);

			w->st = &rp->stats[rp->n_win++];
			rp->rep.n_windows = rp->n_win;
			w->st->liobn = liobn;
			w->st->page_shift = 12;
			if (dmawin_papr_window_info(rp->m, liobn, &info))
				continue;
			w->st->enabled = info.enabled;
			w->st->bus_offset = info.bus_offset;
			w->st->page_shift = info.enabled ? info.page_shift : 12;
			w->st->nb_table = info.nb_table;
			w->st->window_bytes = info.size;
			w->st->enables = info.enabled;
		}
	}
	return 0;
}

static int replay_alloc_lists(struct dmawin_trace_replay *rp)
{
	size_t ex = rp->examples;

	rp->mm = calloc(ex * DMAWIN_TRACE_MM_NR, sizeof(*rp->mm));
	rp->mal = calloc(ex, sizeof(*rp->mal));
	rp->overwrites = calloc(ex, sizeof(*rp->overwrites));
	rp->faults = calloc(ex, sizeof(*rp->faults));
	rp->leaks = calloc(ex, sizeof(*rp->leaks));
	rp->tl = calloc(rp->timeline_max + 1, sizeof(*rp->tl));
	if (!rp->mm || !rp->mal || !rp->overwrites || !rp->faults || !rp->leaks || !rp->tl)
		return -ENOMEM;
	rp->rep.mismatch_examples = rp->mm;
	rp->rep.malformed_examples = rp->mal;
	rp->rep.unknown_names = rp->names;
	rp->rep.overwrite_examples = rp->overwrites;
	rp->rep.fault_examples = rp->faults;
	rp->rep.leak_ranges = rp->leaks;
	rp->rep.timeline = rp->tl;
	return 0;
}

DMAWIN_API void dmawin_trace_replay_destroy(struct dmawin_trace_replay *rp)
{
	if (!rp)
		return;
	if (rp->m)
		dmawin_papr_set_trace(rp->m, NULL, NULL);
	dmawin_papr_destroy(rp->m);
	for (size_t i = 0; i < rp->n_win; i++)
		shadow_clear(&rp->win[i].shadow);
	free(rp->win);
	free(rp->stats);
	free(rp->mm);
	free(rp->mal);
	free(rp->overwrites);
	free(rp->faults);
	free(rp->leaks);
	free(rp->tl);
	free(rp);
}

DMAWIN_API int dmawin_trace_replay_create(const struct dmawin_papr_config *cfg,
					  const struct dmawin_trace_replay_options *opts,
					  struct dmawin_trace_replay **out, char *why, size_t len)
{
	struct dmawin_trace_replay *rp;
	int ret, id;

	if (!cfg || !out)
		return -EINVAL;
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->examples = opts && opts->examples ? opts->examples : 5;
	rp->timeline_max = opts && opts->timeline_points ? opts->timeline_points : 64;
	if (rp->timeline_max < 2)
		rp->timeline_max = 2;
	rp->tl_stride = 1;
	ret = replay_alloc_lists(rp);
	if (!ret)
		ret = dmawin_papr_create(cfg, &rp->m, why, len);
	if (!ret)
		ret = windows_init(rp);
	if (!ret)
		ret = dmawin_papr_notifier_add(rp->m, on_model_event, rp, &id);
	if (ret) {
		dmawin_trace_replay_destroy(rp);
		return ret;
	}
	dmawin_papr_set_trace(rp->m, on_model_trace, rp);
	*out = rp;
	return 0;
}

/*
 * Guest calls: pending table allocations must be resolved first. Not create (its new_table line
 * comes first) nor reset (ditto, or an auto-restore's); not translations either, which a device
 * thread may log between a new_table line and the RTAS line it belongs to.
 */
static bool needs_settled_tables(enum dmawin_trace_kind kind)
{
	return kind <= DMAWIN_TRACE_EV_STUFF || kind == DMAWIN_TRACE_EV_DDW_QUERY ||
	       kind == DMAWIN_TRACE_EV_DDW_REMOVE;
}

static void replay_dispatch(struct dmawin_trace_replay *rp, const struct dmawin_trace_event *ev)
{
	switch (ev->kind) {
	case DMAWIN_TRACE_EV_XLATE:
		replay_xlate(rp, ev);
		return;
	case DMAWIN_TRACE_EV_PUT:
		replay_put(rp, ev);
		break;
	case DMAWIN_TRACE_EV_GET:
		replay_get(rp, ev);
		break;
	case DMAWIN_TRACE_EV_INDIRECT:
		replay_indirect(rp, ev);
		break;
	case DMAWIN_TRACE_EV_STUFF:
		replay_stuff(rp, ev);
		break;
	case DMAWIN_TRACE_EV_NEW_TABLE:
		replay_new_table(rp, ev);
		return;
	case DMAWIN_TRACE_EV_DDW_QUERY:
		replay_query(rp, ev);
		return;
	case DMAWIN_TRACE_EV_DDW_CREATE:
		replay_create(rp, ev);
		break;
	case DMAWIN_TRACE_EV_DDW_REMOVE:
		replay_remove(rp, ev);
		break;
	case DMAWIN_TRACE_EV_DDW_RESET:
		replay_reset(rp, ev);
		break;
	default:
		return; /* context events: counted only */
	}
	if (rp->n_pending_xlates)
		pending_xlates_recheck(rp, false);
	timeline_tick(rp, false);
}

DMAWIN_API int dmawin_trace_replay_event(struct dmawin_trace_replay *rp,
					 const struct dmawin_trace_event *ev, uint64_t line_no)
{
	if (!rp || !ev || (unsigned)ev->kind >= DMAWIN_TRACE_EV_NR)
		return -EINVAL;
	if (rp->finished)
		return -EALREADY;
	rp->line = line_no;
	rp->ev = ev;
	if (ev->has_stamp) {
		rp->last_sec = ev->sec;
		rp->last_usec = ev->usec;
	}
	rp->rep.events++;
	rp->rep.by_kind[ev->kind]++;
	if (needs_settled_tables(ev->kind))
		tables_settle(rp);
	replay_dispatch(rp, ev);
	rp->ev = NULL;
	return 0;
}

DMAWIN_API int dmawin_trace_replay_line(struct dmawin_trace_replay *rp, const char *line,
					size_t len, uint64_t line_no)
{
	struct dmawin_trace_event ev;
	struct dmawin_trace_parse_error err;
	const char *name;
	size_t name_len;
	int ret;

	if (!rp || (!line && len))
		return -EINVAL;
	if (rp->finished)
		return -EALREADY;
	rp->rep.lines++;
	ret = dmawin_trace_parse_line(line ? line : "", len, &ev, &err, &name, &name_len);
	if (likely(ret == 0))
		return dmawin_trace_replay_event(rp, &ev, line_no);
	if (ret == -ENOENT) {
		if (name_len)
			record_unknown(rp, name, name_len);
		return 0;
	}
	rp->line = line_no;
	record_malformed(rp, name, name_len, &err);
	return -EINVAL;
}

DMAWIN_API int dmawin_trace_replay_finish(struct dmawin_trace_replay *rp)
{
	int ret;

	if (!rp)
		return -EINVAL;
	if (rp->finished)
		return -EALREADY;
	rp->line = rp->rep.lines;
	pending_xlates_recheck(rp, true);
	tables_settle(rp);
	ret = collect_leaks(rp);
	if (ret)
		return ret;
	timeline_tick(rp, true);
	rp->finished = true;
	rp->rep.finished = true;
	return 0;
}

DMAWIN_API const struct dmawin_trace_report *
dmawin_trace_replay_report(const struct dmawin_trace_replay *rp)
{
	return rp ? &rp->rep : NULL;
}
