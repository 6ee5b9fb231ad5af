/* SPDX-License-Identifier: MIT */
/* The replay report as one JSON object (jansson). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "trace/trace_int.h"

/* Addresses as "0x..." strings: JSON numbers lose precision past 2^53. */
static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static json_t *num(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *field_value(const char *field, uint64_t v)
{
	return report_field_signed(field) ? json_integer((json_int_t)(int64_t)v) : hex(v);
}

static json_t *json_mismatches(const struct dmawin_trace_report *rep)
{
	json_t *by_kind = json_object(), *ex = json_array();

	for (int k = 0; k < DMAWIN_TRACE_MM_NR; k++)
		json_object_set_new(by_kind, dmawin_trace_mismatch_kind_name(k),
				    num(rep->mismatches_by_kind[k]));
	for (size_t i = 0; i < rep->n_mismatch_examples; i++) {
		const struct dmawin_trace_mismatch *m = &rep->mismatch_examples[i];
		json_array_append_new(ex, json_pack("{s:o, s:s, s:s, s:o, s:o, s:o}", "line",
						    num(m->line), "kind",
						    dmawin_trace_mismatch_kind_name(m->kind),
						    "field", m->field, "liobn", hex(m->liobn),
						    "expected", field_value(m->field, m->expected),
						    "got", field_value(m->field, m->got)));
	}
	return json_pack("{s:o, s:o}", "by_kind", by_kind, "examples", ex);
}

static json_t *json_window(const struct dmawin_trace_window_stats *w)
{
	json_t *o = json_object();

	json_object_set_new(o, "liobn", hex(w->liobn));
	json_object_set_new(o, "enabled", json_boolean(w->enabled));
	json_object_set_new(o, "bus_offset", hex(w->bus_offset));
	json_object_set_new(o, "page_size", num(UINT64_C(1) << w->page_shift));
	json_object_set_new(o, "tces", num(w->nb_table));
	json_object_set_new(o, "window_bytes", num(w->window_bytes));
	json_object_set_new(o, "enables", num(w->enables));
	json_object_set_new(o, "hcalls",
			    json_pack("{s:o, s:o, s:o, s:o}", "put", num(w->hcalls[0]), "get",
				      num(w->hcalls[1]), "indirect", num(w->hcalls[2]), "stuff",
				      num(w->hcalls[3])));
	json_object_set_new(o, "hcall_errors", num(w->hcall_errors));
	json_object_set_new(o, "tces_written", num(w->tces_written));
	json_object_set_new(o, "mapped", num(w->mapped));
	json_object_set_new(o, "peak_mapped", num(w->peak_mapped));
	json_object_set_new(o, "peak_mapped_bytes", num(w->peak_mapped << w->page_shift));
	json_object_set_new(o, "overwrites", num(w->overwrites));
	json_object_set_new(o, "removed_while_mapped", num(w->removed_mapped));
	json_object_set_new(o, "xlates", num(w->xlates));
	json_object_set_new(o, "faults", num(w->faults));
	json_object_set_new(o, "inferred", num(w->inferred));
	json_object_set_new(o, "confirmed", num(w->confirmed));
	json_object_set_new(o, "corrected", num(w->corrected));
	return o;
}

static json_t *json_notes(uint64_t count, const struct dmawin_trace_entry_note *v, size_t n,
			  bool leak)
{
	json_t *ex = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o;
		if (leak)
			o = json_pack("{s:o, s:o, s:o, s:o}", "liobn", hex(v[i].liobn), "ioba",
				      hex(v[i].ioba), "pages", num(v[i].new_tce), "first_tce",
				      hex(v[i].old_tce));
		else
			o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "line", num(v[i].line), "liobn",
				      hex(v[i].liobn), "ioba", hex(v[i].ioba), "old_tce",
				      hex(v[i].old_tce), "new_tce", hex(v[i].new_tce));
		json_array_append_new(ex, o);
	}
	return json_pack("{s:o, s:o}", leak ? "entries" : "count", num(count),
			 leak ? "ranges" : "examples", ex);
}

static json_t *json_counts(const struct dmawin_trace_report *rep)
{
	json_t *by_kind = json_object(), *names = json_object(), *mal = json_array();

	for (int k = 0; k < DMAWIN_TRACE_EV_NR; k++)
		if (rep->by_kind[k])
			json_object_set_new(by_kind, dmawin_trace_kind_name(k),
					    num(rep->by_kind[k]));
	for (size_t i = 0; i < rep->n_unknown_names; i++)
		json_object_set_new(names, rep->unknown_names[i].name,
				    num(rep->unknown_names[i].count));
	for (size_t i = 0; i < rep->n_malformed_examples; i++)
		json_array_append_new(mal,
				      json_pack("{s:o, s:o, s:s}", "line",
						num(rep->malformed_examples[i].line), "column",
						num(rep->malformed_examples[i].column), "message",
						rep->malformed_examples[i].message));
	return json_pack("{s:o, s:o, s:o}", "by_type", by_kind, "unknown_by_name", names,
			 "malformed_examples", mal);
}

static json_t *json_report(const struct dmawin_trace_report *rep, const char *source)
{
	json_t *o = json_object(), *wins = json_array(), *tl = json_array(), *counts;

	json_object_set_new(o, "source", source ? json_string(source) : json_null());
	json_object_set_new(o, "finished", json_boolean(rep->finished));
	json_object_set_new(o, "lines", num(rep->lines));
	json_object_set_new(o, "events", num(rep->events));
	json_object_set_new(o, "replayed", num(rep->replayed));
	json_object_set_new(o, "mismatches", num(rep->mismatches));
	json_object_set_new(o, "unknown_events", num(rep->unknown_events));
	json_object_set_new(o, "malformed", num(rep->malformed));
	counts = json_counts(rep);
	json_object_update(o, counts);
	json_decref(counts);
	json_object_set_new(o, "mismatch_details", json_mismatches(rep));
	json_object_set_new(o, "machine_resets", num(rep->machine_resets));
	json_object_set_new(o, "stuff_partial", num(rep->stuff_partial));
	json_object_set_new(o, "sticky_default", num(rep->sticky_default));
	json_object_set_new(o, "reordered", num(rep->reordered));
	for (size_t i = 0; i < rep->n_windows; i++)
		json_array_append_new(wins, json_window(&rep->windows[i]));
	json_object_set_new(o, "windows", wins);
	json_object_set_new(
		o, "leaks",
		json_notes(rep->leaked_entries, rep->leak_ranges, rep->n_leak_ranges, true));
	json_object_set_new(o, "overwrites",
			    json_notes(rep->overwrites, rep->overwrite_examples,
				       rep->n_overwrite_examples, false));
	json_object_set_new(
		o, "faults",
		json_notes(rep->faults, rep->fault_examples, rep->n_fault_examples, false));
	for (size_t i = 0; i < rep->n_timeline; i++) {
		const struct dmawin_trace_timeline_point *p = &rep->timeline[i];
		char t[40];
		snprintf(t, sizeof(t), "%" PRIu64 ".%06u", p->sec, p->usec);
		json_array_append_new(tl, json_pack("{s:o, s:s, s:o}", "line", num(p->line), "time",
						    t, "mapped", num(p->mapped)));
	}
	json_object_set_new(o, "timeline", tl);
	return o;
}

DMAWIN_API int dmawin_trace_report_to_json(const struct dmawin_trace_report *rep,
					   const char *source, char **json)
{
	json_t *o;
	char *text;

	if (!rep || !json)
		return -EINVAL;
	o = json_report(rep, source);
	if (!o)
		return -ENOMEM;
	text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
	json_decref(o);
	if (!text)
		return -ENOMEM;
	*json = text;
	return 0;
}
