/* SPDX-License-Identifier: MIT */
/* The replay report's bookkeeping: mismatches, malformed lines, notes, timeline and leaks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"
#include "trace/trace_int.h"

static const char *const mm_names[DMAWIN_TRACE_MM_NR] = {
	[DMAWIN_TRACE_MM_RET] = "ret",
	[DMAWIN_TRACE_MM_GET_TCE] = "get_tce",
	[DMAWIN_TRACE_MM_HCALL] = "hcall",
	[DMAWIN_TRACE_MM_UNTRACED] = "untraced",
	[DMAWIN_TRACE_MM_QUERY] = "query",
	[DMAWIN_TRACE_MM_CREATE] = "create",
	[DMAWIN_TRACE_MM_TABLE] = "table",
	[DMAWIN_TRACE_MM_XLATE_TARGET] = "xlate_target",
	[DMAWIN_TRACE_MM_XLATE_PERM] = "xlate_perm",
	[DMAWIN_TRACE_MM_XLATE_MASK] = "xlate_mask",
	[DMAWIN_TRACE_MM_XLATE_WINDOW] = "xlate_window",
	[DMAWIN_TRACE_MM_INDIRECT_LIST] = "indirect_list",
};

DMAWIN_API const char *dmawin_trace_mismatch_kind_name(enum dmawin_trace_mismatch_kind kind)
{
	if ((unsigned)kind >= DMAWIN_TRACE_MM_NR)
		return "invalid";
	return mm_names[kind];
}

void record_mismatch(struct dmawin_trace_replay *rp, enum dmawin_trace_mismatch_kind kind,
		     const char *field, uint64_t liobn, uint64_t expected, uint64_t got)
{
	rp->rep.mismatches++;
	rp->rep.mismatches_by_kind[kind]++;
	if (rp->mm_kept[kind] >= rp->examples)
		return;
	rp->mm_kept[kind]++;
	rp->mm[rp->rep.n_mismatch_examples++] = (struct dmawin_trace_mismatch){
		.line = rp->line,
		.kind = kind,
		.field = field,
		.liobn = liobn,
		.expected = expected,
		.got = got,
	};
}

bool check_field(struct dmawin_trace_replay *rp, enum dmawin_trace_mismatch_kind kind,
		 const char *field, uint64_t liobn, uint64_t expected, uint64_t got)
{
	if (likely(expected == got))
		return true;
	record_mismatch(rp, kind, field, liobn, expected, got);
	return false;
}

void record_malformed(struct dmawin_trace_replay *rp, const char *name, size_t name_len,
		      const struct dmawin_trace_parse_error *err)
{
	struct dmawin_trace_malformed *m;

	rp->rep.malformed++;
	if (rp->rep.n_malformed_examples >= rp->examples)
		return;
	m = &rp->mal[rp->rep.n_malformed_examples++];
	m->line = rp->line;
	m->column = err->column;
	if (err->expected_len)
		snprintf(m->message, sizeof(m->message), "%.*s: %s \"%.*s\"",
			 (int)DW_MIN(name_len, 48), name, err->reason,
			 (int)DW_MIN(err->expected_len, 24), err->expected);
	else
		snprintf(m->message, sizeof(m->message), "%.*s: %s", (int)DW_MIN(name_len, 48),
			 name, err->reason);
}

void record_unknown(struct dmawin_trace_replay *rp, const char *name, size_t name_len)
{
	struct dmawin_trace_name_count *n = &rp->names[rp->last_name];
	size_t i;

	rp->rep.unknown_events++;
	if (name_len >= sizeof(n->name))
		name_len = sizeof(n->name) - 1;
	if (rp->rep.n_unknown_names && strncmp(n->name, name, name_len) == 0 &&
	    n->name[name_len] == '\0') {
		n->count++;
		return;
	}
	for (i = 0; i < rp->rep.n_unknown_names; i++) {
		n = &rp->names[i];
		if (strncmp(n->name, name, name_len) == 0 && n->name[name_len] == '\0') {
			n->count++;
			rp->last_name = (unsigned)i;
			return;
		}
	}
	if (i == REPLAY_MAX_NAMES)
		return; /* counted in unknown_events, not by name */
	n = &rp->names[i];
	memcpy(n->name, name, name_len);
	n->name[name_len] = '\0';
	for (size_t k = 0; k < name_len; k++) /* reports are text and JSON: printable ASCII */
		if ((unsigned char)n->name[k] < 0x20 || (unsigned char)n->name[k] > 0x7e)
			n->name[k] = '?';
	n->count = 1;
	rp->last_name = (unsigned)i;
	rp->rep.n_unknown_names++;
}

void record_note(struct dmawin_trace_replay *rp, struct dmawin_trace_entry_note *list, size_t *n,
		 const struct dmawin_trace_entry_note *note)
{
	if (*n < rp->examples)
		list[(*n)++] = *note;
}

void timeline_tick(struct dmawin_trace_replay *rp, bool force)
{
	struct dmawin_trace_timeline_point *p;
	size_t n = rp->rep.n_timeline;

	if (!force && ++rp->tl_since < rp->tl_stride)
		return;
	rp->tl_since = 0;
	if (force && n && rp->tl[n - 1].line == rp->line && rp->tl[n - 1].mapped == rp->mapped)
		return; /* the end adds nothing to the last point */
	if (!force && n == rp->timeline_max) {
		/* Full: keep every other point and sample half as often from now on. */
		for (size_t i = 0; i < (n + 1) / 2; i++)
			rp->tl[i] = rp->tl[2 * i];
		n = (n + 1) / 2;
		rp->tl_stride *= 2;
	}
	p = &rp->tl[n++];
	p->line = rp->line;
	p->sec = rp->last_sec;
	p->usec = rp->last_usec;
	p->mapped = rp->mapped;
	rp->rep.n_timeline = n;
}

static void emit_leak(struct dmawin_trace_replay *rp, struct window_rec *w, uint64_t start,
		      uint64_t len, uint64_t tce)
{
	struct dmawin_trace_entry_note note = {
		.liobn = w->st->liobn,
		.ioba = w->st->bus_offset + (start << w->st->page_shift),
		.old_tce = tce,
		.new_tce = len,
	};

	record_note(rp, rp->leaks, &rp->rep.n_leak_ranges, &note);
}

/* Runs of consecutive live entries of one window, as leak notes. */
static void leaks_of_window(struct dmawin_trace_replay *rp, struct window_rec *w,
			    struct shadow_chunk **chunks, long n)
{
	uint64_t run_start = 0, run_len = 0, run_tce = 0;

	for (long c = 0; c < n; c++) {
		for (unsigned i = 0; i < SHADOW_CHUNK_ENTRIES; i++) {
			uint64_t index = (chunks[c]->key << SHADOW_CHUNK_SHIFT) | i;
			if (!(chunks[c]->tce[i] & 3))
				continue;
			if (run_len && index == run_start + run_len) {
				run_len++;
				continue;
			}
			if (run_len)
				emit_leak(rp, w, run_start, run_len, run_tce);
			run_start = index;
			run_len = 1;
			run_tce = chunks[c]->tce[i];
		}
	}
	if (run_len)
		emit_leak(rp, w, run_start, run_len, run_tce);
}

int collect_leaks(struct dmawin_trace_replay *rp)
{
	for (size_t i = 0; i < rp->n_win; i++) {
		struct window_rec *w = &rp->win[i];
		struct shadow_chunk **chunks;
		long n;

		if (!w->st->mapped)
			continue;
		rp->rep.leaked_entries += w->st->mapped;
		n = shadow_live_chunks(&w->shadow, &chunks);
		if (n < 0)
			return (int)n;
		leaks_of_window(rp, w, chunks, n);
		free(chunks);
	}
	return 0;
}
